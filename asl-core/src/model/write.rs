//! Model -> ASL JSON, the inverse of [`crate::parse`].
//!
//! `StateMachine::from_value(&m.to_value())` gives back every model the parser produces. Fields
//! are written in a fixed order: `Type`, `QueryLanguage`, `Comment`, the fields of the state type,
//! the input/output fields in the order they apply, `Assign`, `Retry`, `Catch`, and the
//! transition last. A field is left out when the model holds its default (`ResultPath: "$"`, a
//! retrier's `MaxAttempts: 3`, ...), and a state's `QueryLanguage` only when it differs from the
//! enclosing machine's. Templates are written from the JSON they were compiled from (JSONPath)
//! or with each expression in `{% %}` (JSONata).

use std::fmt;

use serde_json::{Map, Value};

use super::{
    Catcher, Choice, ChoiceRule, Comparison, Condition, Fail, Io, ItemBatcher, JitterStrategy,
    Map as MapState, NumberField, Operand, Parallel, PathField, PayloadNode, ProcessorConfig,
    ProcessorMode, QueryLanguage, ResultPath, Retrier, State, StateKind, StateMachine, StringField,
    Task, Template, Transition, Wait,
};

type Object = Map<String, Value>;

impl StateMachine {
    /// The definition as ASL JSON, as AWS accepts it.
    pub fn to_value(&self) -> Value {
        let mut out = Object::new();
        if self.query_language != QueryLanguage::default() {
            put(&mut out, "QueryLanguage", self.query_language.as_str());
        }
        put_opt(&mut out, "Comment", self.comment.as_deref());
        put_opt(&mut out, "Version", self.version.as_deref());
        put_opt(&mut out, "TimeoutSeconds", self.timeout_seconds);
        write_body(self, &mut out);
        Value::Object(out)
    }

    /// The definition as indented JSON text (`to_string()` gives it compact).
    pub fn to_string_pretty(&self) -> String {
        format!("{self:#}")
    }
}

/// The definition as JSON text: compact, or indented with `{:#}`.
impl fmt::Display for StateMachine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.to_value();
        if f.alternate() {
            write!(f, "{value:#}")
        } else {
            write!(f, "{value}")
        }
    }
}

fn put(out: &mut Object, key: &str, value: impl Into<Value>) {
    out.insert(key.to_string(), value.into());
}

fn put_opt(out: &mut Object, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        put(out, key, v);
    }
}

/// `Comment`, `StartAt` and `States`: what a branch or a Map processor shares with the top level.
fn write_body(m: &StateMachine, out: &mut Object) {
    put_opt(out, "Comment", m.comment.as_deref());
    put(out, "StartAt", m.start_at.as_str());
    let states = m
        .states
        .iter()
        .map(|(name, s)| (name.clone(), state(s, m.query_language)))
        .collect();
    put(out, "States", Value::Object(states));
}

fn branch(m: &StateMachine) -> Value {
    let mut out = Object::new();
    write_body(m, &mut out);
    Value::Object(out)
}

fn state(s: &State, enclosing: QueryLanguage) -> Value {
    let mut out = Object::new();
    put(&mut out, "Type", s.type_name());
    if s.query_language != enclosing {
        put(&mut out, "QueryLanguage", s.query_language.as_str());
    }
    put_opt(&mut out, "Comment", s.comment.as_deref());
    match &s.kind {
        StateKind::Pass(p) => put_opt(&mut out, "Result", p.result.clone()),
        StateKind::Task(t) => write_task(t, &mut out),
        StateKind::Choice(c) => write_choice(c, &mut out),
        StateKind::Wait(w) => write_wait(w, &mut out),
        StateKind::Succeed => {}
        StateKind::Fail(f) => write_fail(f, &mut out),
        StateKind::Parallel(p) => write_parallel(p, &mut out),
        StateKind::Map(m) => write_map(m, &mut out),
    }
    write_io(&s.io, s.query_language, &mut out);
    put_opt(&mut out, "Assign", s.assign.as_ref().map(template));
    if !s.retry().is_empty() {
        put(
            &mut out,
            "Retry",
            s.retry().iter().map(retrier).collect::<Vec<_>>(),
        );
    }
    if !s.catch().is_empty() {
        put(
            &mut out,
            "Catch",
            s.catch().iter().map(catcher).collect::<Vec<_>>(),
        );
    }
    match &s.transition {
        Transition::Next(next) => put(&mut out, "Next", next.as_str()),
        Transition::End => put(&mut out, "End", true),
        Transition::Terminal => {}
    }
    Value::Object(out)
}

fn template(t: &Template) -> Value {
    match t {
        Template::Payload(p) => p.source.clone(),
        Template::Jsonata(j) => j.to_value(),
    }
}

/// A compiled payload node as JSON: paths and intrinsic calls as text, under `"key.$"` keys.
fn payload_node(node: &PayloadNode) -> Value {
    match node {
        PayloadNode::Literal(v) => v.clone(),
        PayloadNode::Path(p) => p.text().into(),
        PayloadNode::Intrinsic(call) => call.to_string().into(),
        PayloadNode::Array(items) => items.iter().map(payload_node).collect(),
        PayloadNode::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, n)| {
                    let key = match n {
                        PayloadNode::Path(_) | PayloadNode::Intrinsic(_) => format!("{key}.$"),
                        _ => key.clone(),
                    };
                    (key, payload_node(n))
                })
                .collect(),
        ),
    }
}

fn path_field(out: &mut Object, key: &str, field: &PathField) {
    match field {
        PathField::Whole => {}
        PathField::Null => put(out, key, Value::Null),
        PathField::Path(p) => put(out, key, p.text()),
    }
}

fn result_path(out: &mut Object, path: &ResultPath) {
    match path {
        ResultPath::Replace => {}
        ResultPath::Discard => put(out, "ResultPath", Value::Null),
        ResultPath::Path(p) => put(out, "ResultPath", p.text()),
    }
}

/// A number given as a literal or an expression under `key`, or as a path under `path_key`.
fn number_field(out: &mut Object, key: &str, path_key: &str, field: Option<&NumberField>) {
    match field {
        None => {}
        Some(NumberField::Literal(v)) => put(out, key, v.clone()),
        Some(NumberField::Path(p)) => put(out, path_key, p.text()),
        Some(NumberField::Expression(e)) => put(out, key, e.delimited()),
    }
}

fn string_field(out: &mut Object, key: &str, path_key: &str, field: Option<&StringField>) {
    match field {
        None => {}
        Some(StringField::Literal(s)) => put(out, key, s.as_str()),
        Some(StringField::Path(node)) => put(out, path_key, payload_node(node)),
        Some(StringField::Expression(e)) => put(out, key, e.delimited()),
    }
}

fn write_io(io: &Io, ql: QueryLanguage, out: &mut Object) {
    path_field(out, "InputPath", &io.input_path);
    let parameters = match ql {
        QueryLanguage::JsonPath => "Parameters",
        QueryLanguage::Jsonata => "Arguments",
    };
    put_opt(out, parameters, io.parameters.as_ref().map(template));
    put_opt(
        out,
        "ResultSelector",
        io.result_selector.as_ref().map(|p| p.source.clone()),
    );
    result_path(out, &io.result_path);
    path_field(out, "OutputPath", &io.output_path);
    put_opt(out, "Output", io.output.as_ref().map(|t| t.to_value()));
}

fn write_task(t: &Task, out: &mut Object) {
    put(out, "Resource", t.resource.as_str());
    put_opt(out, "Credentials", t.credentials.as_ref().map(template));
    number_field(
        out,
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        t.timeout.as_ref(),
    );
    number_field(
        out,
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        t.heartbeat.as_ref(),
    );
}

fn write_choice(c: &Choice, out: &mut Object) {
    put(
        out,
        "Choices",
        c.choices.iter().map(choice_rule).collect::<Vec<_>>(),
    );
    put_opt(out, "Default", c.default.as_deref());
}

fn choice_rule(rule: &ChoiceRule) -> Value {
    let mut out = Object::new();
    write_condition(&rule.condition, &mut out);
    put_opt(&mut out, "Comment", rule.comment.as_deref());
    put_opt(
        &mut out,
        "Output",
        rule.output.as_ref().map(|t| t.to_value()),
    );
    put_opt(&mut out, "Assign", rule.assign.as_ref().map(template));
    put(&mut out, "Next", rule.next.as_str());
    Value::Object(out)
}

fn condition(c: &Condition) -> Value {
    let mut out = Object::new();
    write_condition(c, &mut out);
    Value::Object(out)
}

fn write_condition(c: &Condition, out: &mut Object) {
    match c {
        Condition::And(all) => put(out, "And", all.iter().map(condition).collect::<Vec<_>>()),
        Condition::Or(any) => put(out, "Or", any.iter().map(condition).collect::<Vec<_>>()),
        Condition::Not(inner) => put(out, "Not", condition(inner)),
        Condition::Compare(cmp) => write_comparison(cmp, out),
        Condition::Jsonata(e) => put(out, "Condition", e.delimited()),
    }
}

fn write_comparison(cmp: &Comparison, out: &mut Object) {
    put(out, "Variable", cmp.variable.text());
    let name = cmp.comparator.name();
    match &cmp.operand {
        Operand::Value(v) => put(out, name, v.clone()),
        Operand::Path(p) => put(out, cmp.comparator.path_name().unwrap_or(name), p.text()),
    }
}

fn write_wait(w: &Wait, out: &mut Object) {
    match w {
        Wait::Seconds(n) => number_field(out, "Seconds", "SecondsPath", Some(n)),
        Wait::Timestamp(t) => put(out, "Timestamp", t.as_str()),
        Wait::TimestampExpression(e) => put(out, "Timestamp", e.delimited()),
        Wait::TimestampPath(p) => put(out, "TimestampPath", p.text()),
    }
}

fn write_fail(f: &Fail, out: &mut Object) {
    string_field(out, "Error", "ErrorPath", f.error.as_ref());
    string_field(out, "Cause", "CausePath", f.cause.as_ref());
}

fn write_parallel(p: &Parallel, out: &mut Object) {
    put(
        out,
        "Branches",
        p.branches.iter().map(branch).collect::<Vec<_>>(),
    );
}

/// The legacy `Iterator` and `Parameters` are written as such. `ItemReader` and `ResultWriter`
/// are written as given (their compiled `Parameters`/`Arguments` come from them).
fn write_map(m: &MapState, out: &mut Object) {
    put_opt(out, "ItemsPath", m.items_path.as_ref().map(|p| p.text()));
    put_opt(out, "Items", m.items.as_ref().map(|t| t.to_value()));
    put_opt(out, "ItemReader", m.item_reader.clone());
    let selector = if m.uses_legacy_parameters {
        "Parameters"
    } else {
        "ItemSelector"
    };
    put_opt(out, selector, m.item_selector.as_ref().map(template));
    put_opt(
        out,
        "ItemBatcher",
        m.item_batcher.as_ref().map(item_batcher),
    );
    let mut processor = Object::new();
    if m.config != ProcessorConfig::default() {
        put(
            &mut processor,
            "ProcessorConfig",
            processor_config(&m.config),
        );
    }
    write_body(&m.processor, &mut processor);
    let processor_key = if m.uses_legacy_iterator {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    put(out, processor_key, Value::Object(processor));
    put_opt(out, "ResultWriter", m.result_writer.clone());
    number_field(
        out,
        "MaxConcurrency",
        "MaxConcurrencyPath",
        m.max_concurrency.as_ref(),
    );
    number_field(
        out,
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        m.tolerated_failure_percentage.as_ref(),
    );
    number_field(
        out,
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        m.tolerated_failure_count.as_ref(),
    );
    put_opt(out, "Label", m.label.as_deref());
}

fn processor_config(c: &ProcessorConfig) -> Value {
    let mut out = Object::new();
    let mode = match c.mode {
        ProcessorMode::Inline => "INLINE",
        ProcessorMode::Distributed => "DISTRIBUTED",
    };
    put(&mut out, "Mode", mode);
    put_opt(&mut out, "ExecutionType", c.execution_type.as_deref());
    Value::Object(out)
}

fn item_batcher(b: &ItemBatcher) -> Value {
    let mut out = Object::new();
    number_field(
        &mut out,
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        b.max_items_per_batch.as_ref(),
    );
    number_field(
        &mut out,
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        b.max_input_bytes_per_batch.as_ref(),
    );
    put_opt(&mut out, "BatchInput", b.batch_input.as_ref().map(template));
    Value::Object(out)
}

fn error_equals(errors: &[String]) -> Value {
    errors.iter().map(String::as_str).collect()
}

fn retrier(r: &Retrier) -> Value {
    let d = Retrier::default();
    let mut out = Object::new();
    put(
        &mut out,
        "ErrorEquals",
        error_equals(&r.error_equals.errors),
    );
    put_opt(&mut out, "Comment", r.comment.as_deref());
    if r.interval_seconds != d.interval_seconds {
        put(&mut out, "IntervalSeconds", r.interval_seconds);
    }
    if r.max_attempts != d.max_attempts {
        put(&mut out, "MaxAttempts", r.max_attempts);
    }
    if r.backoff_rate != d.backoff_rate {
        put_opt(
            &mut out,
            "BackoffRate",
            serde_json::Number::from_f64(r.backoff_rate),
        );
    }
    put_opt(&mut out, "MaxDelaySeconds", r.max_delay_seconds);
    match r.jitter {
        JitterStrategy::None => {}
        JitterStrategy::Full => put(&mut out, "JitterStrategy", "FULL"),
    }
    Value::Object(out)
}

fn catcher(c: &Catcher) -> Value {
    let mut out = Object::new();
    put(
        &mut out,
        "ErrorEquals",
        error_equals(&c.error_equals.errors),
    );
    put_opt(&mut out, "Comment", c.comment.as_deref());
    result_path(&mut out, &c.result_path);
    put_opt(&mut out, "Output", c.output.as_ref().map(|t| t.to_value()));
    put_opt(&mut out, "Assign", c.assign.as_ref().map(template));
    put(&mut out, "Next", c.next.as_str());
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::StateMachine;

    /// Parses `definition`, checks that its serialisation parses to the same model, and returns
    /// the serialisation.
    fn round_trip(definition: Value) -> Value {
        let model = StateMachine::from_value(&definition).unwrap();
        let written = model.to_value();
        assert_eq!(StateMachine::from_value(&written), Ok(model.clone()));
        assert_eq!(StateMachine::from_str(&model.to_string()), Ok(model));
        written
    }

    fn one_state(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state, "E": {"Type": "Succeed"}}})
    }

    fn written_state(state: Value) -> Value {
        round_trip(one_state(state))["States"]["S"].clone()
    }

    #[test]
    fn null_paths_are_written_and_defaults_left_out() {
        let s = written_state(json!({
            "Type": "Pass", "InputPath": null, "OutputPath": null, "ResultPath": null, "End": true
        }));
        assert_eq!(
            s,
            json!({"Type": "Pass", "InputPath": null, "ResultPath": null, "OutputPath": null, "End": true})
        );
        let s = written_state(json!({
            "Type": "Pass", "InputPath": "$", "OutputPath": "$.a", "ResultPath": "$", "Next": "E"
        }));
        assert_eq!(
            s,
            json!({"Type": "Pass", "InputPath": "$", "OutputPath": "$.a", "Next": "E"})
        );
    }

    #[test]
    fn keys_follow_a_fixed_order() {
        let s = written_state(json!({
            "Next": "E",
            "Catch": [{"Next": "E", "ResultPath": "$.err", "ErrorEquals": ["States.ALL"], "Comment": "c"}],
            "Retry": [{"MaxAttempts": 3, "BackoffRate": 1.5, "ErrorEquals": ["A", "B"], "IntervalSeconds": 1}],
            "ResultPath": "$.r",
            "Parameters": {"x.$": "$.y"},
            "HeartbeatSecondsPath": "$.h",
            "TimeoutSeconds": 30,
            "Resource": "arn:aws:states:::lambda:invoke",
            "Comment": "task",
            "Type": "Task"
        }));
        let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "Type",
                "Comment",
                "Resource",
                "TimeoutSeconds",
                "HeartbeatSecondsPath",
                "Parameters",
                "ResultPath",
                "Retry",
                "Catch",
                "Next"
            ]
        );
        assert_eq!(
            s["Retry"],
            json!([{"ErrorEquals": ["A", "B"], "BackoffRate": 1.5}])
        );
        assert_eq!(
            s["Catch"],
            json!([{"ErrorEquals": ["States.ALL"], "Comment": "c", "ResultPath": "$.err", "Next": "E"}])
        );
    }

    #[test]
    fn query_language_is_written_where_it_changes() {
        let written = round_trip(json!({
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{%$states.input%}", "Next": "B"},
                "B": {"Type": "Pass", "QueryLanguage": "JSONPath", "Parameters": {"a.$": "$.b"}, "Next": "C"},
                "C": {"Type": "Parallel", "Branches": [
                    {"StartAt": "D", "States": {"D": {"Type": "Succeed", "Output": {"x": "{% 1 %}"}}}}
                ], "End": true}
            }
        }));
        assert_eq!(written["QueryLanguage"], "JSONata");
        assert_eq!(
            written["States"]["A"],
            json!({"Type": "Pass", "Output": "{% $states.input %}", "Next": "B"})
        );
        assert_eq!(written["States"]["B"]["QueryLanguage"], "JSONPath");
        assert_eq!(
            written["States"]["C"]["Branches"][0]["States"]["D"],
            json!({"Type": "Succeed", "Output": {"x": "{% 1 %}"}})
        );
        let jsonpath = round_trip(one_state(json!({"Type": "Pass", "End": true})));
        assert!(jsonpath.get("QueryLanguage").is_none());
    }

    #[test]
    fn legacy_map_fields() {
        let s = written_state(json!({
            "Type": "Map",
            "ItemsPath": "$.items",
            "Parameters": {"item.$": "$$.Map.Item.Value"},
            "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
            "MaxConcurrency": 2,
            "End": true
        }));
        assert_eq!(
            s,
            json!({
                "Type": "Map",
                "ItemsPath": "$.items",
                "Parameters": {"item.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
                "MaxConcurrency": 2,
                "End": true
            })
        );
    }

    #[test]
    fn distributed_map_fields() {
        let s = written_state(json!({
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket.$": "$.b"}},
            "ItemSelector": {"v.$": "$$.Map.Item.Value", "k": 1},
            "ItemBatcher": {"MaxItemsPerBatchPath": "$.n", "MaxInputBytesPerBatch": 1024, "BatchInput": {"a": 1}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "I", "States": {"I": {"Type": "Succeed"}}
            },
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b"}},
            "MaxConcurrencyPath": "$.c",
            "ToleratedFailurePercentagePath": "$.p",
            "ToleratedFailureCount": 3,
            "Label": "lbl",
            "ResultSelector": {"n.$": "States.ArrayLength($)"},
            "Next": "E"
        }));
        assert_eq!(s["ItemProcessor"]["ProcessorConfig"]["Mode"], "DISTRIBUTED");
        assert_eq!(s["ItemBatcher"]["MaxItemsPerBatchPath"], "$.n");
        assert_eq!(s["MaxConcurrencyPath"], "$.c");
        assert_eq!(s["ToleratedFailurePercentagePath"], "$.p");
        assert!(s.get("Parameters").is_none());
    }

    #[test]
    fn wait_forms() {
        for form in [
            json!({"Seconds": 5}),
            json!({"SecondsPath": "$.s"}),
            json!({"Timestamp": "2024-01-02T03:04:05Z"}),
            json!({"TimestampPath": "$.t"}),
            json!({"QueryLanguage": "JSONata", "Seconds": "{% $states.input.s %}"}),
            json!({"QueryLanguage": "JSONata", "Timestamp": "{% $now() %}"}),
        ] {
            let mut state = json!({"Type": "Wait", "Next": "E"});
            if let (Some(s), Some(f)) = (state.as_object_mut(), form.as_object()) {
                s.extend(f.clone());
            }
            assert_eq!(written_state(state.clone()), state);
        }
    }

    #[test]
    fn fail_paths_and_intrinsics() {
        let s = written_state(json!({
            "Type": "Fail",
            "ErrorPath": "$.error",
            "CausePath": "States.Format( 'it\\'s {}' , $.cause )"
        }));
        assert_eq!(
            s,
            json!({"Type": "Fail", "ErrorPath": "$.error", "CausePath": "States.Format('it\\'s {}', $.cause)"})
        );
        let s = written_state(json!({
            "Type": "Fail", "QueryLanguage": "JSONata", "Error": "E", "Cause": "{% $states.input.c %}"
        }));
        assert_eq!(s["Error"], "E");
        assert_eq!(s["Cause"], "{% $states.input.c %}");
    }

    #[test]
    fn choice_rules() {
        let s = written_state(json!({
            "Type": "Choice",
            "Choices": [
                {"Not": {"Variable": "$.a", "IsPresent": true}, "Next": "E", "Comment": "absent"},
                {"And": [
                    {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.min"},
                    {"Or": [{"Variable": "$.s", "StringMatches": "a*"}, {"Variable": "$.t", "TimestampLessThan": "2024-01-02T03:04:05Z"}]}
                ], "Assign": {"x.$": "$.n"}, "Next": "E"}
            ],
            "Default": "E",
            "OutputPath": "$.o"
        }));
        assert_eq!(
            s["Choices"][0],
            json!({"Not": {"Variable": "$.a", "IsPresent": true}, "Comment": "absent", "Next": "E"})
        );
        assert_eq!(
            s["Choices"][1]["And"][0],
            json!({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.min"})
        );
        let s = written_state(json!({
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": true, "Output": {"a": "{%1%}"}, "Assign": {"v": 1}, "Next": "E"}],
            "Output": "{% $states.input %}"
        }));
        assert_eq!(
            s["Choices"][0],
            json!({"Condition": "{% true %}", "Output": {"a": "{% 1 %}"}, "Assign": {"v": 1}, "Next": "E"})
        );
    }

    #[test]
    fn top_level_fields_and_pretty_text() {
        let m = StateMachine::from_value(&json!({
            "Comment": "top", "Version": "1.0", "TimeoutSeconds": 60,
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Result": null, "End": true}}
        }))
        .unwrap();
        assert_eq!(
            m.to_string(),
            r#"{"Comment":"top","Version":"1.0","TimeoutSeconds":60,"StartAt":"P","States":{"P":{"Type":"Pass","Result":null,"End":true}}}"#
        );
        assert_eq!(StateMachine::from_str(&m.to_string_pretty()), Ok(m.clone()));
        assert!(m.to_string_pretty().contains("\n  \"StartAt\": \"P\""));
    }
}
