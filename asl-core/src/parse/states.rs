//! One function per state type; each knows the fields AWS allows for it in each query language.

use serde_json::Value;

use super::fields::{Obj, Sink, parse_path};
use super::{machine, query_language, work};
use crate::limits::MAX_MAP_LABEL_CHARS;
use crate::model::{
    Catcher, Choice, ChoiceRule, Comparator, Comparison, Condition, ErrorMatcher, Fail, Io,
    ItemBatcher, JitterStrategy, Map, Operand, Parallel, Pass, ProcessorConfig, ProcessorMode,
    QueryLanguage, ResultPath, Retrier, State, StateKind, StateMachine, Task, Transition, Wait,
};

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Per state type: every field it may have, and those that belong to one query language.
struct Fields {
    any: &'static [&'static str],
    jsonpath: &'static [&'static str],
    jsonata: &'static [&'static str],
}

const PASS: Fields = Fields {
    any: &["Next", "End", "Assign"],
    jsonpath: &[
        "InputPath",
        "OutputPath",
        "Parameters",
        "Result",
        "ResultPath",
    ],
    jsonata: &["Output"],
};
const TASK: Fields = Fields {
    any: &[
        "Next",
        "End",
        "Assign",
        "Resource",
        "Credentials",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "HeartbeatSeconds",
    ],
    jsonpath: &[
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
    ],
    jsonata: &["Arguments", "Output"],
};
const CHOICE: Fields = Fields {
    any: &["Choices", "Default", "Assign"],
    jsonpath: &["InputPath", "OutputPath"],
    jsonata: &["Output"],
};
const WAIT: Fields = Fields {
    any: &["Next", "End", "Assign", "Seconds", "Timestamp"],
    jsonpath: &["InputPath", "OutputPath", "SecondsPath", "TimestampPath"],
    jsonata: &["Output"],
};
const SUCCEED: Fields = Fields {
    any: &[],
    jsonpath: &["InputPath", "OutputPath"],
    jsonata: &["Output"],
};
const FAIL: Fields = Fields {
    any: &["Error", "Cause"],
    jsonpath: &["ErrorPath", "CausePath"],
    jsonata: &[],
};
const PARALLEL: Fields = Fields {
    any: &["Next", "End", "Assign", "Branches", "Retry", "Catch"],
    jsonpath: &[
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
    ],
    jsonata: &["Arguments", "Output"],
};
const MAP: Fields = Fields {
    any: &[
        "Next",
        "End",
        "Assign",
        "Retry",
        "Catch",
        "ItemProcessor",
        "ItemSelector",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "ToleratedFailurePercentage",
        "ToleratedFailureCount",
        "Label",
    ],
    jsonpath: &[
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Iterator",
        "ItemsPath",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCountPath",
    ],
    jsonata: &["Items", "Output"],
};

/// Reads one state of a workflow nested in `nesting` others.
pub(crate) fn state(
    name: &str,
    value: &Value,
    ptr: &str,
    inherited: QueryLanguage,
    nesting: usize,
    sink: &mut Sink,
) -> Option<State> {
    let obj = Obj::new(value, ptr, sink)?;
    if !obj.required(&["Type"], sink) {
        return None;
    }
    let ql = query_language(&obj, inherited, sink);
    let type_name = obj.string("Type", sink)?;
    let fields = match type_name {
        "Pass" => &PASS,
        "Task" => &TASK,
        "Choice" => &CHOICE,
        "Wait" => &WAIT,
        "Succeed" => &SUCCEED,
        "Fail" => &FAIL,
        "Parallel" => &PARALLEL,
        "Map" => &MAP,
        other => {
            sink.schema(
                &obj.at("Type"),
                format!(
                    "The value for the field 'Type' must be one of [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map], got '{other}'"
                ),
            );
            return None;
        }
    };
    check_fields(&obj, fields, ql, sink);

    let io = io(&obj, ql, sink);
    let assign = obj.template("Assign", ql, sink);
    let transition = match type_name {
        "Choice" | "Succeed" | "Fail" => Transition::Terminal,
        _ => transition(&obj, sink),
    };
    let kind = match type_name {
        "Pass" => StateKind::Pass(Pass {
            result: obj.get("Result").cloned(),
        }),
        "Task" => StateKind::Task(Box::new(task(&obj, ql, sink)?)),
        "Choice" => StateKind::Choice(choice(&obj, ql, sink)?),
        "Wait" => StateKind::Wait(wait(&obj, ql, sink)?),
        "Succeed" => StateKind::Succeed,
        "Fail" => StateKind::Fail(Fail {
            error: obj.string_field("Error", "ErrorPath", ql, sink),
            cause: obj.string_field("Cause", "CausePath", ql, sink),
        }),
        "Parallel" => StateKind::Parallel(Box::new(parallel(&obj, ql, nesting, sink)?)),
        _ => StateKind::Map(Box::new(map(&obj, ql, nesting, sink)?)),
    };
    let uses_context = uses_context(value, &kind);
    let reads_execution_input = uses_context && reads_execution_input(value, &kind);
    Some(State {
        name: name.to_string(),
        pointer: ptr.to_string(),
        comment: obj.string("Comment", sink).map(str::to_string),
        query_language: ql,
        io,
        assign,
        transition,
        kind,
        uses_context,
        reads_execution_input,
    })
}

/// True when a string anywhere in the state's JSON refers to the context object.
///
/// The nested workflows of a Parallel or Map are not read again: each of their states already
/// knows, and reading them at every level would cost the nesting depth times their size.
fn uses_context(value: &Value, kind: &StateKind) -> bool {
    let (field, workflows): (&str, Vec<&StateMachine>) = match kind {
        StateKind::Parallel(p) => ("Branches", p.branches.iter().collect()),
        StateKind::Map(m) if m.uses_legacy_iterator => ("Iterator", vec![&m.processor]),
        StateKind::Map(m) => ("ItemProcessor", vec![&m.processor]),
        _ => return mentions_context(value),
    };
    let Value::Object(fields) = value else {
        return mentions_context(value);
    };
    let raw: Vec<&Value> = match fields.get(field) {
        Some(Value::Array(items)) if field == "Branches" => items.iter().collect(),
        Some(v) if field != "Branches" => vec![v],
        _ => return mentions_context(value),
    };
    // A branch the parser dropped (it had errors) makes the pairs unknown: read it all again.
    // The definition is refused anyway; this only keeps the answer exact.
    if raw.len() != workflows.len() {
        return mentions_context(value);
    }
    fields
        .iter()
        .any(|(k, v)| k != field && mentions_context(v))
        || raw
            .into_iter()
            .zip(workflows)
            .any(|(r, m)| workflow_uses_context(r, m))
}

/// [`uses_context`] for a nested workflow, from its states' answers and its other fields.
fn workflow_uses_context(raw: &Value, m: &StateMachine) -> bool {
    let Value::Object(fields) = raw else {
        return mentions_context(raw);
    };
    let states = fields.get("States").and_then(Value::as_object);
    // As for branches: a dropped state means reading it all again.
    if states.is_none_or(|s| s.len() != m.states.len()) {
        return mentions_context(raw);
    }
    fields
        .iter()
        .any(|(k, v)| k != "States" && mentions_context(v))
        || m.states.values().any(|s| s.uses_context)
}

/// [`crate::model::State::reads_execution_input`]: the state's own fields, its nested
/// workflows left out (their states answer for themselves).
fn reads_execution_input(value: &Value, kind: &StateKind) -> bool {
    let nested = match kind {
        StateKind::Parallel(_) => "Branches",
        StateKind::Map(m) if m.uses_legacy_iterator => "Iterator",
        StateKind::Map(_) => "ItemProcessor",
        _ => "",
    };
    match value {
        Value::Object(fields) => fields
            .iter()
            .any(|(k, v)| k != nested && mentions_execution_input(v)),
        v => mentions_execution_input(v),
    }
}

/// True when a string in `v` may read the execution's input from the context object.
fn mentions_execution_input(v: &Value) -> bool {
    work::count(1);
    match v {
        Value::String(s) => crate::scope::may_read_execution_input(s),
        Value::Array(a) => a.iter().any(mentions_execution_input),
        Value::Object(m) => m.values().any(mentions_execution_input),
        _ => false,
    }
}

/// True when a string anywhere in `v` refers to the context object.
///
/// Recursive: the definition has been checked to nest at most `MAX_JSON_DEPTH` levels.
fn mentions_context(v: &Value) -> bool {
    work::count(1);
    match v {
        Value::String(s) => {
            s.contains("$$") || s.contains("$states.context") || s.contains("$states")
        }
        Value::Array(a) => a.iter().any(mentions_context),
        Value::Object(m) => m.values().any(mentions_context),
        _ => false,
    }
}

fn check_fields(obj: &Obj, fields: &Fields, ql: QueryLanguage, sink: &mut Sink) {
    let (own, other) = match ql {
        QueryLanguage::JsonPath => (fields.jsonpath, fields.jsonata),
        QueryLanguage::Jsonata => (fields.jsonata, fields.jsonpath),
    };
    for key in obj.map.keys() {
        let k = key.as_str();
        if COMMON.contains(&k) || fields.any.contains(&k) || own.contains(&k) {
            continue;
        }
        if other.contains(&k) {
            obj.not_for(&[k], ql, sink);
        } else {
            sink.schema(
                &obj.at(k),
                format!("The field '{k}' is not supported by Step Functions"),
            );
        }
    }
}

fn io(obj: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Io {
    match ql {
        QueryLanguage::JsonPath => Io {
            input_path: obj.path_field("InputPath", sink),
            // Map's legacy `Parameters` is its item selector, read in `map`.
            parameters: if obj.get("Type").and_then(Value::as_str) == Some("Map") {
                None
            } else {
                obj.template("Parameters", ql, sink)
            },
            result_selector: obj.payload("ResultSelector", sink),
            result_path: obj.result_path("ResultPath", sink),
            output_path: obj.path_field("OutputPath", sink),
            output: None,
        },
        QueryLanguage::Jsonata => Io {
            parameters: obj.template("Arguments", ql, sink),
            output: obj.jsonata("Output", sink),
            ..Io::default()
        },
    }
}

fn transition(obj: &Obj, sink: &mut Sink) -> Transition {
    let next = obj.string("Next", sink);
    let end = obj.bool("End", sink);
    match (next, end) {
        (Some(_), Some(true)) => {
            sink.schema(
                &obj.ptr,
                "The fields 'Next' and 'End' are mutually exclusive",
            );
            Transition::End
        }
        (Some(n), _) => Transition::Next(n.to_string()),
        (None, Some(true)) => Transition::End,
        (None, _) => {
            sink.schema(&obj.ptr, "These fields are required: [Next | End]");
            Transition::End
        }
    }
}

fn error_matcher(obj: &Obj, sink: &mut Sink) -> ErrorMatcher {
    let mut errors = Vec::new();
    if obj.required(&["ErrorEquals"], sink)
        && let Some(list) = obj.array("ErrorEquals", sink)
    {
        if list.is_empty() {
            sink.schema(
                &obj.at("ErrorEquals"),
                "The field 'ErrorEquals' must not be empty",
            );
        }
        for (i, e) in list.iter().enumerate() {
            match e.as_str() {
                Some(s) => errors.push(s.to_string()),
                None => sink.schema(
                    &format!("{}/{i}", obj.at("ErrorEquals")),
                    "Expected value of type: String",
                ),
            }
        }
    }
    ErrorMatcher { errors }
}

fn retriers(obj: &Obj, sink: &mut Sink) -> Vec<Retrier> {
    let Some(list) = obj.array("Retry", sink) else {
        return Vec::new();
    };
    let base = obj.at("Retry");
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let Some(r) = Obj::new(v, &format!("{base}/{i}"), sink) else {
            continue;
        };
        r.only(
            &[
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ],
            sink,
        );
        let d = Retrier::default();
        let interval_seconds = r
            .uint("IntervalSeconds", sink)
            .unwrap_or(d.interval_seconds);
        if r.has("IntervalSeconds") && interval_seconds == 0 {
            sink.schema(
                &r.at("IntervalSeconds"),
                "The value for the field 'IntervalSeconds' must be a positive integer",
            );
        }
        let backoff_rate = r.number("BackoffRate", sink).unwrap_or(d.backoff_rate);
        if backoff_rate < 1.0 {
            sink.schema(
                &r.at("BackoffRate"),
                "The value for the field 'BackoffRate' must be greater than or equal to 1.0",
            );
        }
        let jitter = match r.string("JitterStrategy", sink) {
            None | Some("NONE") => JitterStrategy::None,
            Some("FULL") => JitterStrategy::Full,
            Some(other) => {
                sink.schema(&r.at("JitterStrategy"), format!("The value for the field 'JitterStrategy' must be one of [FULL, NONE], got '{other}'"));
                JitterStrategy::None
            }
        };
        out.push(Retrier {
            error_equals: error_matcher(&r, sink),
            interval_seconds,
            max_attempts: r.uint("MaxAttempts", sink).unwrap_or(d.max_attempts),
            backoff_rate,
            max_delay_seconds: r.uint("MaxDelaySeconds", sink),
            jitter,
            comment: r.string("Comment", sink).map(str::to_string),
            pointer: r.ptr.clone(),
        });
    }
    out
}

fn catchers(obj: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Vec<Catcher> {
    let Some(list) = obj.array("Catch", sink) else {
        return Vec::new();
    };
    let base = obj.at("Catch");
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let Some(c) = Obj::new(v, &format!("{base}/{i}"), sink) else {
            continue;
        };
        c.only(
            &[
                "ErrorEquals",
                "Next",
                "ResultPath",
                "Output",
                "Assign",
                "Comment",
            ],
            sink,
        );
        match ql {
            QueryLanguage::JsonPath => c.not_for(&["Output"], ql, sink),
            QueryLanguage::Jsonata => c.not_for(&["ResultPath"], ql, sink),
        }
        c.required(&["Next"], sink);
        out.push(Catcher {
            error_equals: error_matcher(&c, sink),
            next: c.string("Next", sink).unwrap_or_default().to_string(),
            result_path: match ql {
                QueryLanguage::JsonPath => c.result_path("ResultPath", sink),
                QueryLanguage::Jsonata => ResultPath::Replace,
            },
            output: match ql {
                QueryLanguage::Jsonata => c.jsonata("Output", sink),
                QueryLanguage::JsonPath => None,
            },
            assign: c.template("Assign", ql, sink),
            comment: c.string("Comment", sink).map(str::to_string),
            pointer: c.ptr.clone(),
        });
    }
    out
}

fn task(obj: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Option<Task> {
    obj.required(&["Resource"], sink);
    let resource = obj.string("Resource", sink)?.to_string();
    Some(Task {
        resource,
        timeout: obj.number_field("TimeoutSeconds", Some("TimeoutSecondsPath"), ql, sink),
        heartbeat: obj.number_field("HeartbeatSeconds", Some("HeartbeatSecondsPath"), ql, sink),
        credentials: obj.template("Credentials", ql, sink),
        retry: retriers(obj, sink),
        catch: catchers(obj, ql, sink),
    })
}

fn parallel(obj: &Obj, ql: QueryLanguage, nesting: usize, sink: &mut Sink) -> Option<Parallel> {
    obj.required(&["Branches"], sink);
    let list = obj.array("Branches", sink)?;
    let base = obj.at("Branches");
    let branches = list
        .iter()
        .enumerate()
        .filter_map(|(i, b)| machine(b, &format!("{base}/{i}"), ql, nesting + 1, sink))
        .collect();
    Some(Parallel {
        branches,
        retry: retriers(obj, sink),
        catch: catchers(obj, ql, sink),
    })
}

fn wait(obj: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Option<Wait> {
    let forms = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
    let given: Vec<&str> = forms.iter().copied().filter(|f| obj.has(f)).collect();
    if given.len() != 1 {
        sink.schema(
            &obj.ptr,
            "A Wait state must have exactly one of the fields [Seconds, SecondsPath, Timestamp, TimestampPath]",
        );
        return None;
    }
    match given[0] {
        "Seconds" | "SecondsPath" => obj
            .number_field("Seconds", Some("SecondsPath"), ql, sink)
            .map(Wait::Seconds),
        "TimestampPath" => obj
            .reference_path("TimestampPath", sink)
            .map(Wait::TimestampPath),
        _ => {
            let s = obj.string("Timestamp", sink)?;
            if ql == QueryLanguage::Jsonata && crate::jsonata::is_expression(s) {
                obj.expression("Timestamp", sink)
                    .map(Wait::TimestampExpression)
            } else {
                if crate::choice::parse_timestamp(s).is_none() {
                    sink.schema(
                        &obj.at("Timestamp"),
                        "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp",
                    );
                }
                Some(Wait::Timestamp(s.to_string()))
            }
        }
    }
}

fn choice(obj: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Option<Choice> {
    obj.required(&["Choices"], sink);
    let list = obj.array("Choices", sink)?;
    if list.is_empty() {
        sink.schema(&obj.at("Choices"), "The field 'Choices' must not be empty");
    }
    let base = obj.at("Choices");
    let mut choices = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let Some(r) = Obj::new(v, &format!("{base}/{i}"), sink) else {
            continue;
        };
        if let Some(rule) = choice_rule(&r, ql, sink) {
            choices.push(rule);
        }
    }
    Some(Choice {
        choices,
        default: obj.string("Default", sink).map(str::to_string),
    })
}

fn choice_rule(r: &Obj, ql: QueryLanguage, sink: &mut Sink) -> Option<ChoiceRule> {
    r.required(&["Next"], sink);
    let condition = match ql {
        QueryLanguage::Jsonata => {
            r.only(&["Condition", "Next", "Assign", "Output", "Comment"], sink);
            r.required(&["Condition"], sink);
            match r.get("Condition")? {
                // A literal boolean is a constant condition.
                Value::Bool(b) => Condition::Jsonata(
                    crate::jsonata::Expression::compile(if *b { "true" } else { "false" }).ok()?,
                ),
                _ => Condition::Jsonata(r.expression("Condition", sink)?),
            }
        }
        QueryLanguage::JsonPath => {
            if r.has("Output") {
                r.not_for(&["Output"], ql, sink);
            }
            if r.has("Condition") {
                r.not_for(&["Condition"], ql, sink);
            }
            condition(r, &["Next", "Assign", "Output", "Condition"], sink)?
        }
    };
    Some(ChoiceRule {
        condition,
        next: r.string("Next", sink).unwrap_or_default().to_string(),
        assign: r.template("Assign", ql, sink),
        output: match ql {
            QueryLanguage::Jsonata => r.jsonata("Output", sink),
            QueryLanguage::JsonPath => None,
        },
        comment: r.string("Comment", sink).map(str::to_string),
        pointer: r.ptr.clone(),
    })
}

/// A JSONPath boolean expression: `And`/`Or`/`Not` or `Variable` + one comparator.
fn condition(r: &Obj, extra: &[&str], sink: &mut Sink) -> Option<Condition> {
    let mut comparator = None;
    for key in r.map.keys() {
        let k = key.as_str();
        if matches!(k, "Variable" | "And" | "Or" | "Not" | "Comment") || extra.contains(&k) {
            continue;
        }
        match Comparator::from_field(k) {
            Some(c) if comparator.is_none() => comparator = Some((k, c)),
            Some(_) => sink.schema(&r.at(k), "A Choice rule must have exactly one comparator"),
            None => sink.schema(
                &r.at(k),
                format!("The field '{k}' is not supported by Step Functions"),
            ),
        }
    }
    let nested = |field: &str, sink: &mut Sink| -> Option<Vec<Condition>> {
        let list = r.array(field, sink)?;
        let base = r.at(field);
        Some(
            list.iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let o = Obj::new(v, &format!("{base}/{i}"), sink)?;
                    condition(&o, &[], sink)
                })
                .collect(),
        )
    };
    if r.has("And") {
        return nested("And", sink).map(Condition::And);
    }
    if r.has("Or") {
        return nested("Or", sink).map(Condition::Or);
    }
    if let Some(v) = r.get("Not") {
        let o = Obj::new(v, &r.at("Not"), sink)?;
        return condition(&o, &[], sink).map(|c| Condition::Not(Box::new(c)));
    }
    let Some((field, (comparator, is_path))) = comparator else {
        sink.schema(
            &r.ptr,
            "A Choice rule must have a comparator, or one of [And, Or, Not]",
        );
        return None;
    };
    if !r.required(&["Variable"], sink) {
        return None;
    }
    let variable = r.path("Variable", sink)?;
    let value = r.get(field)?;
    let operand = if is_path {
        let s = r.string(field, sink)?;
        Operand::Path(parse_path(s, &r.at(field), field, sink)?)
    } else {
        use crate::model::choice_operand_ok;
        if !choice_operand_ok(comparator, value) {
            sink.schema(
                &r.at(field),
                format!("The value for the field '{field}' has the wrong type"),
            );
            return None;
        }
        Operand::Value(value.clone())
    };
    Some(Condition::Compare(Comparison {
        variable,
        comparator,
        operand,
    }))
}

fn map(obj: &Obj, ql: QueryLanguage, nesting: usize, sink: &mut Sink) -> Option<Map> {
    let (field, legacy) = if obj.has("ItemProcessor") {
        ("ItemProcessor", false)
    } else if obj.has("Iterator") {
        ("Iterator", true)
    } else {
        sink.schema(&obj.ptr, "These fields are required: [ItemProcessor]");
        return None;
    };
    let processor_value = obj.get(field)?;
    let processor = machine(processor_value, &obj.at(field), ql, nesting + 1, sink)?;
    let mut config = ProcessorConfig::default();
    // AWS honours a `ProcessorConfig` inside the legacy `Iterator` too.
    if let Some(pc) = processor_value.get("ProcessorConfig") {
        let pptr = format!("{}/ProcessorConfig", obj.at(field));
        if let Some(pc) = Obj::new(pc, &pptr, sink) {
            pc.only(&["Mode", "ExecutionType"], sink);
            config.mode = match pc.string("Mode", sink) {
                None | Some("INLINE") => ProcessorMode::Inline,
                Some("DISTRIBUTED") => ProcessorMode::Distributed,
                Some(other) => {
                    sink.schema(&pc.at("Mode"), format!("The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED], got '{other}'"));
                    ProcessorMode::Inline
                }
            };
            config.execution_type = pc.string("ExecutionType", sink).map(str::to_string);
        }
    }
    let uses_legacy_parameters = obj.has("Parameters");
    if uses_legacy_parameters && obj.has("ItemSelector") {
        sink.schema(
            &obj.ptr,
            "The fields 'Parameters' and 'ItemSelector' are mutually exclusive",
        );
    }
    let item_selector = if uses_legacy_parameters {
        obj.template("Parameters", ql, sink)
    } else {
        obj.template("ItemSelector", ql, sink)
    };
    let item_batcher = obj.get("ItemBatcher").and_then(|v| {
        let b = Obj::new(v, &obj.at("ItemBatcher"), sink)?;
        b.only(
            &[
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                "BatchInput",
            ],
            sink,
        );
        Some(ItemBatcher {
            max_items_per_batch: b.number_field(
                "MaxItemsPerBatch",
                Some("MaxItemsPerBatchPath"),
                ql,
                sink,
            ),
            max_input_bytes_per_batch: b.number_field(
                "MaxInputBytesPerBatch",
                Some("MaxInputBytesPerBatchPath"),
                ql,
                sink,
            ),
            batch_input: b.template("BatchInput", ql, sink),
        })
    });
    // ItemReader's and ResultWriter's Parameters (JSONPath) or Arguments (JSONata), evaluated
    // against the state input. The rest of each is kept as written.
    let integration_parameters = |field: &str, sink: &mut Sink| {
        let r = Obj::new(obj.get(field)?, &obj.at(field), sink)?;
        match ql {
            QueryLanguage::JsonPath => r.template("Parameters", ql, sink),
            QueryLanguage::Jsonata => r.template("Arguments", ql, sink),
        }
    };
    let item_reader_parameters = integration_parameters("ItemReader", sink);
    let result_writer_parameters = integration_parameters("ResultWriter", sink);
    let label = obj.string("Label", sink).map(str::to_string);
    if let Some(l) = &label
        && !crate::model::is_valid_label(l)
    {
        sink.push(super::ParseError {
            code: super::ErrorCode::SchemaValidationFailed,
            pointer: obj.at("Label"),
            message: format!("The value for the field 'Label' must be at most {MAX_MAP_LABEL_CHARS} characters without special characters"),
            position: None,
        });
    }
    Some(Map {
        processor,
        config,
        items_path: match ql {
            QueryLanguage::JsonPath => obj.path("ItemsPath", sink),
            QueryLanguage::Jsonata => None,
        },
        items: match ql {
            QueryLanguage::Jsonata => obj.jsonata("Items", sink),
            QueryLanguage::JsonPath => None,
        },
        item_selector,
        item_reader: obj.get("ItemReader").cloned(),
        item_reader_parameters,
        item_batcher,
        result_writer: obj.get("ResultWriter").cloned(),
        result_writer_parameters,
        max_concurrency: obj.number_field("MaxConcurrency", Some("MaxConcurrencyPath"), ql, sink),
        tolerated_failure_percentage: obj.number_field(
            "ToleratedFailurePercentage",
            Some("ToleratedFailurePercentagePath"),
            ql,
            sink,
        ),
        tolerated_failure_count: obj.number_field(
            "ToleratedFailureCount",
            Some("ToleratedFailureCountPath"),
            ql,
            sink,
        ),
        label,
        uses_legacy_parameters,
        uses_legacy_iterator: legacy,
        retry: retriers(obj, sink),
        catch: catchers(obj, ql, sink),
    })
}
