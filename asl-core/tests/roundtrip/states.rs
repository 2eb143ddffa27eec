//! Strategies for states and machines. Every `Next`, `Default` and catcher target names a state
//! of the same machine, and each field appears only where the parser allows it for the state
//! type and query language.

use asl_core::model::{
    Catcher, Choice, ChoiceRule, Comparator, Comparison, Condition, ErrorMatcher, Fail, Io,
    ItemBatcher, JitterStrategy, Map as MapState, Operand, Parallel, Pass, PathField,
    ProcessorConfig, ProcessorMode, ResultPath, Retrier, Task, Template, Transition, Wait,
};
use asl_core::{QueryLanguage, State, StateKind, StateMachine};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use crate::leaves::{
    ERRORS, TIMESTAMPS, expression, json_path, json_value, jsonata_template, maybe, number,
    number_field, object_template, payload, payload_object, reference_path, string_field, template,
    text,
};

pub(crate) fn error_matcher() -> impl Strategy<Value = ErrorMatcher> {
    vec(select(ERRORS).prop_map(str::to_string), 1..3).prop_map(|errors| ErrorMatcher { errors })
}

pub(crate) fn retrier() -> impl Strategy<Value = Retrier> {
    (
        error_matcher(),
        prop_oneof![Just(1u64), 1u64..100],
        0u64..10,
        prop_oneof![Just(2.0f64), 1.0f64..5.0],
        of(1u64..1000),
        prop_oneof![Just(JitterStrategy::None), Just(JitterStrategy::Full)],
        of(text()),
    )
        .prop_map(
            |(
                error_equals,
                interval_seconds,
                max_attempts,
                backoff_rate,
                max_delay_seconds,
                jitter,
                comment,
            )| {
                Retrier {
                    error_equals,
                    interval_seconds,
                    max_attempts,
                    backoff_rate,
                    max_delay_seconds,
                    jitter,
                    comment,
                    pointer: String::new(),
                }
            },
        )
}

pub(crate) fn result_path() -> impl Strategy<Value = ResultPath> {
    prop_oneof![
        Just(ResultPath::Replace),
        Just(ResultPath::Discard),
        reference_path().prop_map(ResultPath::Path),
    ]
}

pub(crate) fn path_field() -> impl Strategy<Value = PathField> {
    prop_oneof![
        Just(PathField::Whole),
        Just(PathField::Null),
        json_path().prop_map(PathField::Path),
    ]
}

pub(crate) fn catcher(
    ql: QueryLanguage,
    names: &[String],
) -> impl Strategy<Value = Catcher> + use<> {
    let jsonpath = ql == QueryLanguage::JsonPath;
    (
        error_matcher(),
        select(names.to_vec()),
        if jsonpath {
            result_path().boxed()
        } else {
            Just(ResultPath::Replace).boxed()
        },
        maybe(!jsonpath, jsonata_template()),
        of(object_template(ql)),
        of(text()),
    )
        .prop_map(
            |(error_equals, next, result_path, output, assign, comment)| Catcher {
                error_equals,
                next,
                result_path,
                output,
                assign,
                comment,
                pointer: String::new(),
            },
        )
}

pub(crate) fn retry_catch(
    ql: QueryLanguage,
    names: &[String],
) -> impl Strategy<Value = (Vec<Retrier>, Vec<Catcher>)> + use<> {
    (vec(retrier(), 0..3), vec(catcher(ql, names), 0..3))
}

pub(crate) fn comparison() -> impl Strategy<Value = Comparison> {
    (
        json_path(),
        select(Comparator::ALL),
        any::<bool>(),
        json_path(),
    )
        .prop_flat_map(|(variable, comparator, use_path, other)| {
            let operand = match comparator.path_name() {
                Some(_) if use_path => Just(Operand::Path(other)).boxed(),
                _ => literal_operand(comparator).prop_map(Operand::Value).boxed(),
            };
            operand.prop_map(move |operand| Comparison {
                variable: variable.clone(),
                comparator,
                operand,
            })
        })
}

/// A literal of the type the comparator takes.
pub(crate) fn literal_operand(comparator: Comparator) -> BoxedStrategy<Value> {
    let name = comparator.name();
    if name.starts_with("String") {
        text().prop_map(Value::from).boxed()
    } else if name.starts_with("Numeric") {
        number().boxed()
    } else if name.starts_with("Timestamp") {
        select(TIMESTAMPS).prop_map(Value::from).boxed()
    } else {
        any::<bool>().prop_map(Value::from).boxed()
    }
}

pub(crate) fn condition() -> impl Strategy<Value = Condition> {
    comparison()
        .prop_map(Condition::Compare)
        .prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 1..3).prop_map(Condition::And),
                vec(inner.clone(), 1..3).prop_map(Condition::Or),
                inner.prop_map(|c| Condition::Not(Box::new(c))),
            ]
        })
}

pub(crate) fn choice(ql: QueryLanguage, names: &[String]) -> impl Strategy<Value = Choice> + use<> {
    let jsonpath = ql == QueryLanguage::JsonPath;
    let rule = (
        if jsonpath {
            condition().boxed()
        } else {
            expression().prop_map(Condition::Jsonata).boxed()
        },
        select(names.to_vec()),
        of(object_template(ql)),
        maybe(!jsonpath, jsonata_template()),
        of(text()),
    )
        .prop_map(|(condition, next, assign, output, comment)| ChoiceRule {
            condition,
            next,
            assign,
            output,
            comment,
            pointer: String::new(),
        });
    (vec(rule, 1..3), of(select(names.to_vec())))
        .prop_map(|(choices, default)| Choice { choices, default })
}

pub(crate) fn wait(ql: QueryLanguage) -> BoxedStrategy<Wait> {
    let timestamp = select(TIMESTAMPS).prop_map(|t| Wait::Timestamp(t.to_string()));
    let seconds = number_field(ql).prop_map(Wait::Seconds);
    match ql {
        QueryLanguage::JsonPath => prop_oneof![
            seconds,
            timestamp,
            reference_path().prop_map(Wait::TimestampPath)
        ]
        .boxed(),
        QueryLanguage::Jsonata => prop_oneof![
            seconds,
            timestamp,
            expression().prop_map(Wait::TimestampExpression)
        ]
        .boxed(),
    }
}

pub(crate) fn task(ql: QueryLanguage, names: &[String]) -> impl Strategy<Value = Task> + use<> {
    (
        select(
            &[
                "arn:aws:states:::lambda:invoke",
                "arn:aws:lambda:us-east-1:1:function:f",
            ][..],
        ),
        of(number_field(ql)),
        of(number_field(ql)),
        of(object_template(ql)),
        retry_catch(ql, names),
    )
        .prop_map(
            |(resource, timeout, heartbeat, credentials, (retry, catch))| Task {
                resource: resource.to_string(),
                timeout,
                heartbeat,
                credentials,
                retry,
                catch,
            },
        )
}

pub(crate) fn parallel(
    ql: QueryLanguage,
    names: &[String],
    depth: u32,
) -> impl Strategy<Value = Parallel> + use<> {
    (
        vec(machine(ql, depth - 1, false), 1..3),
        retry_catch(ql, names),
    )
        .prop_map(|(branches, (retry, catch))| Parallel {
            branches,
            retry,
            catch,
        })
}

pub(crate) fn item_batcher(ql: QueryLanguage) -> impl Strategy<Value = ItemBatcher> {
    (
        of(number_field(ql)),
        of(number_field(ql)),
        of(object_template(ql)),
    )
        .prop_map(
            |(max_items_per_batch, max_input_bytes_per_batch, batch_input)| ItemBatcher {
                max_items_per_batch,
                max_input_bytes_per_batch,
                batch_input,
            },
        )
}

/// `ItemReader` as written, and its compiled `Parameters`/`Arguments`.
pub(crate) fn item_reader(ql: QueryLanguage) -> impl Strategy<Value = (Value, Option<Template>)> {
    (of(object_template(ql)), any::<bool>()).prop_map(move |(parameters, csv)| {
        let mut reader = json!({"Resource": "arn:aws:states:::s3:getObject"});
        if csv {
            reader["ReaderConfig"] = json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"});
        }
        with_parameters(reader, ql, parameters)
    })
}

pub(crate) fn result_writer(ql: QueryLanguage) -> impl Strategy<Value = (Value, Option<Template>)> {
    (of(object_template(ql)), any::<bool>()).prop_map(move |(parameters, config)| {
        let mut writer = json!({"Resource": "arn:aws:states:::s3:putObject"});
        if config {
            writer["WriterConfig"] = json!({"Transformation": "FLATTEN", "OutputType": "JSONL"});
        }
        with_parameters(writer, ql, parameters)
    })
}

/// An integration object with its `Parameters`/`Arguments` written in, and the compiled form.
fn with_parameters(
    mut raw: Value,
    ql: QueryLanguage,
    parameters: Option<Template>,
) -> (Value, Option<Template>) {
    if let Some(t) = &parameters {
        let key = match ql {
            QueryLanguage::JsonPath => "Parameters",
            QueryLanguage::Jsonata => "Arguments",
        };
        raw[key] = match t {
            Template::Payload(p) => p.source.clone(),
            Template::Jsonata(j) => j.to_value(),
        };
    }
    (raw, parameters)
}

pub(crate) fn processor_config() -> impl Strategy<Value = ProcessorConfig> {
    (
        prop_oneof![
            Just(ProcessorMode::Inline),
            Just(ProcessorMode::Distributed)
        ],
        of(select(&["STANDARD", "EXPRESS"][..]).prop_map(str::to_string)),
    )
        .prop_map(|(mode, execution_type)| ProcessorConfig {
            mode,
            execution_type,
        })
}

pub(crate) fn map(
    ql: QueryLanguage,
    names: &[String],
    depth: u32,
) -> impl Strategy<Value = MapState> + use<> {
    let jsonpath = ql == QueryLanguage::JsonPath;
    // The legacy forms exist in JSONPath only; `Iterator` takes a `ProcessorConfig` too.
    let processor = (
        machine(ql, depth - 1, false),
        any::<bool>().prop_map(move |legacy| legacy && jsonpath),
        processor_config(),
    );
    let selector = (
        of(object_template(ql)),
        any::<bool>().prop_map(move |legacy| legacy && jsonpath),
    )
        .prop_map(|(selector, legacy)| (legacy && selector.is_some(), selector));
    let items = (
        maybe(jsonpath, json_path()),
        maybe(!jsonpath, jsonata_template()),
    );
    let distributed = (
        of(item_reader(ql)),
        of(item_batcher(ql)),
        of(result_writer(ql)),
        of("[A-Za-z0-9_-]{1,40}"),
    );
    let limits = (
        of(number_field(ql)),
        of(number_field(ql)),
        of(number_field(ql)),
    );
    (
        processor,
        selector,
        items,
        distributed,
        limits,
        retry_catch(ql, names),
    )
        .prop_map(
            |(
                (processor, uses_legacy_iterator, config),
                (uses_legacy_parameters, item_selector),
                (items_path, items),
                (reader, item_batcher, result_writer, label),
                (max_concurrency, tolerated_failure_percentage, tolerated_failure_count),
                (retry, catch),
            )| {
                let (item_reader, item_reader_parameters) = match reader {
                    Some((raw, parameters)) => (Some(raw), parameters),
                    None => (None, None),
                };
                let (result_writer, result_writer_parameters) = match result_writer {
                    Some((raw, parameters)) => (Some(raw), parameters),
                    None => (None, None),
                };
                MapState {
                    processor,
                    config,
                    items_path,
                    items,
                    item_selector,
                    item_reader,
                    item_reader_parameters,
                    item_batcher,
                    result_writer,
                    result_writer_parameters,
                    max_concurrency,
                    tolerated_failure_percentage,
                    tolerated_failure_count,
                    label,
                    uses_legacy_parameters,
                    uses_legacy_iterator,
                    retry,
                    catch,
                }
            },
        )
}

pub(crate) fn kind(ql: QueryLanguage, names: &[String], depth: u32) -> BoxedStrategy<StateKind> {
    let jsonpath = ql == QueryLanguage::JsonPath;
    let mut kinds = vec![
        maybe(jsonpath, json_value())
            .prop_map(|result| StateKind::Pass(Pass { result }))
            .boxed(),
        task(ql, names)
            .prop_map(|t| StateKind::Task(Box::new(t)))
            .boxed(),
        choice(ql, names).prop_map(StateKind::Choice).boxed(),
        wait(ql).prop_map(StateKind::Wait).boxed(),
        Just(StateKind::Succeed).boxed(),
        (of(string_field(ql)), of(string_field(ql)))
            .prop_map(|(error, cause)| StateKind::Fail(Fail { error, cause }))
            .boxed(),
    ];
    if depth > 0 {
        kinds.push(
            parallel(ql, names, depth)
                .prop_map(|p| StateKind::Parallel(Box::new(p)))
                .boxed(),
        );
        kinds.push(
            map(ql, names, depth)
                .prop_map(|m| StateKind::Map(Box::new(m)))
                .boxed(),
        );
    }
    proptest::strategy::Union::new(kinds).boxed()
}

/// The input/output fields AWS allows for the state type in `ql`.
pub(crate) fn io(type_name: &str, ql: QueryLanguage) -> BoxedStrategy<Io> {
    let takes_parameters = matches!(type_name, "Pass" | "Task" | "Parallel");
    let takes_result = matches!(type_name, "Pass" | "Task" | "Parallel" | "Map");
    let has_io = type_name != "Fail";
    match ql {
        QueryLanguage::JsonPath => (
            if has_io {
                path_field().boxed()
            } else {
                Just(PathField::Whole).boxed()
            },
            maybe(takes_parameters, template(ql, true)),
            maybe(
                takes_result && type_name != "Pass",
                payload_object().prop_map(payload),
            ),
            if takes_result {
                result_path().boxed()
            } else {
                Just(ResultPath::Replace).boxed()
            },
            if has_io {
                path_field().boxed()
            } else {
                Just(PathField::Whole).boxed()
            },
        )
            .prop_map(
                |(input_path, parameters, result_selector, result_path, output_path)| Io {
                    input_path,
                    parameters,
                    result_selector,
                    result_path,
                    output_path,
                    output: None,
                },
            )
            .boxed(),
        QueryLanguage::Jsonata => (
            maybe(matches!(type_name, "Task" | "Parallel"), template(ql, true)),
            maybe(has_io, jsonata_template()),
        )
            .prop_map(|(parameters, output)| Io {
                parameters,
                output,
                ..Io::default()
            })
            .boxed(),
    }
}

pub(crate) fn state(
    names: Vec<String>,
    enclosing: QueryLanguage,
    depth: u32,
) -> BoxedStrategy<State> {
    let other = match enclosing {
        QueryLanguage::JsonPath => QueryLanguage::Jsonata,
        QueryLanguage::Jsonata => QueryLanguage::JsonPath,
    };
    prop_oneof![3 => Just(enclosing), 1 => Just(other)]
        .prop_flat_map(move |ql| {
            let names = names.clone();
            kind(ql, &names, depth).prop_flat_map(move |kind| {
                let type_name = kind.type_name();
                let transition = match type_name {
                    "Choice" | "Succeed" | "Fail" => Just(Transition::Terminal).boxed(),
                    _ => prop_oneof![
                        Just(Transition::End),
                        select(names.clone()).prop_map(Transition::Next)
                    ]
                    .boxed(),
                };
                (
                    Just(kind),
                    io(type_name, ql),
                    maybe(
                        !matches!(type_name, "Succeed" | "Fail"),
                        object_template(ql),
                    ),
                    of(text()),
                    transition,
                )
                    .prop_map(move |(kind, io, assign, comment, transition)| {
                        State {
                            name: String::new(),
                            pointer: String::new(),
                            comment,
                            query_language: ql,
                            io,
                            assign,
                            transition,
                            kind,
                            uses_context: false,
                            reads_execution_input: false,
                        }
                    })
            })
        })
        .boxed()
}

pub(crate) fn state_names() -> impl Strategy<Value = Vec<String>> {
    vec(prop_oneof!["[A-Z][a-z]{0,5}", "\\PC{1,12}"], 1..4).prop_map(|mut names| {
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        names
    })
}

/// A machine in `ql` (a branch or processor when not `top`), with Map and Parallel states
/// nested at most `depth` deep. Pointers and `uses_context` are left for the caller to derive.
pub(crate) fn machine(ql: QueryLanguage, depth: u32, top: bool) -> BoxedStrategy<StateMachine> {
    state_names()
        .prop_flat_map(move |names| {
            let states: Vec<_> = names
                .iter()
                .map(|_| state(names.clone(), ql, depth))
                .collect();
            (
                states,
                select(names.clone()),
                of(text()),
                maybe(top, Just("1.0".to_string())),
                maybe(top, 1u64..100_000),
            )
                .prop_map(
                    move |(states, start_at, comment, version, timeout_seconds)| StateMachine {
                        comment,
                        start_at,
                        states: names.iter().cloned().zip(states).collect(),
                        timeout_seconds,
                        version,
                        query_language: ql,
                        pointer: String::new(),
                    },
                )
        })
        .boxed()
}
