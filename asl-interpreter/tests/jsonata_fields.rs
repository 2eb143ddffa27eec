//! JSONata fields that are not numbers (issue 17, class 2): every field x every kind of result,
//! against the type the field takes. The numeric fields and `Timestamp` are in
//! `runtime_numbers.rs`.
//!
//! The rule, from AWS's "Transforming data with JSONata" page and the recorded causes in the
//! conformance corpus (`test_base_..._jsonata`, `TestJSONataErrors`): a field's expression that
//! evaluates to nothing fails with "returned nothing (undefined)"; to a function, with "returned
//! an unsupported result type"; to a JSON value of the wrong type, with "returned an unexpected
//! result type. Expected '<type>', but was '<type>' for value: <json>". Each is a
//! `States.QueryEvaluationError` whose cause starts with the failing state's prefix. A field
//! that takes any JSON value (`Output`, `Arguments`, `Assign`, `ItemSelector`) accepts every
//! kind of value.

mod common;

use asl_interpreter::{Handlers, Outcome, Status, TaskRequest};
use serde_json::{Value, json};

/// The kinds of result an expression can have.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    String,
    Number,
    Boolean,
    Null,
    Array,
    Object,
    Undefined,
    Function,
}

const KINDS: [Kind; 8] = [
    Kind::String,
    Kind::Number,
    Kind::Boolean,
    Kind::Null,
    Kind::Array,
    Kind::Object,
    Kind::Undefined,
    Kind::Function,
];

impl Kind {
    /// The expression (without `{% %}`) that gives this kind of result.
    fn expression(self) -> &'static str {
        match self {
            Kind::String => "'text'",
            Kind::Number => "42",
            Kind::Boolean => "true",
            Kind::Null => "null",
            Kind::Array => "[1, 2]",
            Kind::Object => "{'k': 'v'}",
            Kind::Undefined => "$states.input.nope",
            Kind::Function => "function($x){$x}",
        }
    }

    /// The JSON the expression gives, as AWS prints it in a cause.
    fn json(self) -> &'static str {
        match self {
            Kind::String => "\"text\"",
            Kind::Number => "42",
            Kind::Boolean => "true",
            Kind::Null => "null",
            Kind::Array => "[1,2]",
            Kind::Object => "{\"k\":\"v\"}",
            Kind::Undefined | Kind::Function => unreachable!("no JSON value"),
        }
    }

    /// The JSONata type name of the result.
    fn type_name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Null => "null",
            Kind::Array => "array",
            Kind::Object => "object",
            Kind::Undefined | Kind::Function => unreachable!("no JSON type"),
        }
    }
}

/// Which results a field takes.
#[derive(Clone, Copy, Debug)]
enum Takes {
    /// Any JSON value.
    Any,
    /// Only values of this JSONata type.
    Only(&'static str),
}

/// One field of the family.
struct Field {
    /// The field's name as AWS quotes it in a cause.
    quoted: &'static str,
    /// A definition whose state `S` has the field set to `{% expression %}`.
    def: fn(&str) -> Value,
    takes: Takes,
}

fn jsonata(state: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state, "Done": {"Type": "Succeed"}}})
}

fn delimited(e: &str) -> String {
    format!("{{% {e} %}}")
}

fn fields() -> Vec<Field> {
    vec![
        Field {
            quoted: "Condition",
            def: |e| {
                jsonata(
                    json!({"Type": "Choice", "Choices": [{"Condition": delimited(e), "Next": "Done"}], "Default": "Done"}),
                )
            },
            takes: Takes::Only("boolean"),
        },
        Field {
            quoted: "Error",
            def: |e| jsonata(json!({"Type": "Fail", "Error": delimited(e), "Cause": "c"})),
            takes: Takes::Only("string"),
        },
        Field {
            quoted: "Cause",
            def: |e| jsonata(json!({"Type": "Fail", "Error": "E", "Cause": delimited(e)})),
            takes: Takes::Only("string"),
        },
        Field {
            quoted: "Items",
            def: |e| {
                jsonata(json!({"Type": "Map", "Items": delimited(e), "Next": "Done",
                    "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}))
            },
            takes: Takes::Only("array"),
        },
        Field {
            quoted: "Output",
            def: |e| jsonata(json!({"Type": "Pass", "Output": delimited(e), "Next": "Done"})),
            takes: Takes::Any,
        },
        Field {
            quoted: "Assign/a",
            def: |e| {
                jsonata(json!({"Type": "Pass", "Assign": {"a": delimited(e)}, "Next": "Done"}))
            },
            takes: Takes::Any,
        },
        Field {
            quoted: "Arguments",
            def: |e| {
                jsonata(
                    json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": delimited(e), "Next": "Done"}),
                )
            },
            takes: Takes::Any,
        },
        Field {
            quoted: "Arguments/Payload",
            def: |e| {
                jsonata(
                    json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "f", "Payload": delimited(e)}, "Next": "Done"}),
                )
            },
            takes: Takes::Any,
        },
        Field {
            quoted: "Arguments",
            def: |e| {
                jsonata(
                    json!({"Type": "Parallel", "Arguments": delimited(e), "Next": "Done",
                    "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}]}),
                )
            },
            takes: Takes::Any,
        },
        Field {
            quoted: "ItemSelector",
            def: |e| {
                jsonata(
                    json!({"Type": "Map", "Items": "{% [1] %}", "ItemSelector": delimited(e), "Next": "Done",
                    "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}),
                )
            },
            takes: Takes::Any,
        },
    ]
}

/// What the run must end with.
fn expected(f: &Field, kind: Kind) -> Result<(), String> {
    let source = kind.expression();
    let field = f.quoted;
    let cause = match (kind, f.takes) {
        (Kind::Undefined, _) => {
            format!(
                "The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined)."
            )
        }
        (Kind::Function, _) => format!(
            "The JSONata expression '{source}' specified for the field '{field}' returned an unsupported result type."
        ),
        (_, Takes::Any) => return Ok(()),
        (_, Takes::Only(t)) if t == kind.type_name() => return Ok(()),
        (_, Takes::Only(t)) => format!(
            "The JSONata expression '{source}' specified for the field '{field}' returned an unexpected result type. Expected '{t}', but was '{}' for value: {}",
            kind.type_name(),
            kind.json()
        ),
    };
    Err(cause)
}

fn handlers() -> Handlers {
    Handlers::new().resource("arn:aws:states:::lambda:invoke", |r: TaskRequest| {
        std::future::ready(Ok(json!({"Payload": r.parameters})))
    })
}

fn run(def: Value) -> Outcome {
    let start = "2026-01-01T00:00:00Z".parse().unwrap();
    common::run_at(start, handlers(), def, r#"{"in": 1}"#)
}

/// A Fail state fails even when its fields are right: its own error is the success here.
fn succeeded(f: &Field, o: &Outcome) -> bool {
    if f.quoted == "Error" || f.quoted == "Cause" {
        o.status == Status::Failed && o.error.as_deref() != Some("States.QueryEvaluationError")
    } else {
        o.status == Status::Succeeded
    }
}

#[test]
fn every_jsonata_field_takes_the_results_its_type_allows() {
    let prefix = "An error occurred while executing the state 'S' (entered at the event id #2). ";
    let mut failures = Vec::new();
    let mut rows = 0;
    for f in fields() {
        for kind in KINDS {
            rows += 1;
            let o = run((f.def)(kind.expression()));
            let verdict = match expected(&f, kind) {
                Ok(()) if succeeded(&f, &o) => None,
                Ok(()) => Some(format!(
                    "expected success, got {:?}: {:?}",
                    o.error, o.cause
                )),
                Err(cause) => {
                    let want = format!("{prefix}{cause}");
                    let ok = o.status == Status::Failed
                        && o.error.as_deref() == Some("States.QueryEvaluationError")
                        && o.cause.as_deref() == Some(want.as_str());
                    let location = evaluation_failed_location(&o);
                    if !ok {
                        Some(format!(
                            "expected {want}\n      got {:?}: {:?}",
                            o.error, o.cause
                        ))
                    } else if location.as_deref() != Some(f.quoted) {
                        Some(format!("EvaluationFailed location {location:?}"))
                    } else {
                        None
                    }
                }
            };
            if let Some(v) = verdict {
                failures.push(format!("{} {kind:?}: {v}", f.quoted));
            }
        }
    }
    assert_eq!(rows, 80);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `location` of the run's `EvaluationFailed` event (the field, as AWS records it).
fn evaluation_failed_location(o: &Outcome) -> Option<String> {
    let e = o
        .history
        .iter()
        .find(|e| e.event_type.as_str() == "EvaluationFailed")?;
    e.to_json()["evaluationFailedEventDetails"]["location"]
        .as_str()
        .map(str::to_string)
}

/// The failing state records its failure where AWS does: an `EvaluationFailed` right after it
/// was entered, then the execution's failure (recorded in the corpus for Pass, Task and Map).
#[test]
fn a_field_type_error_fails_the_execution_from_the_entered_event() {
    let def = (fields()[0].def)("'yes'");
    let o = run(def);
    let types: Vec<&str> = o.history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "EvaluationFailed",
            "ExecutionFailed"
        ]
    );
}
