use super::*;
use crate::model::{StateKind, Transition};

fn errors(src: &str) -> String {
    match StateMachine::from_str(src) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.render(src),
    }
}

#[test]
fn parses_every_state_type() {
    let src = r#"{
      "Comment": "all types", "StartAt": "P", "TimeoutSeconds": 900,
      "States": {
        "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f", "Payload.$": "$"},
              "TimeoutSeconds": 120, "HeartbeatSecondsPath": "$.hb",
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2, "JitterStrategy": "FULL"}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "F"}],
              "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "W"}], "Default": "M"},
        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "Par"},
        "Par": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}], "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3,
              "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
              "Next": "S"},
        "S": {"Type": "Succeed"},
        "F": {"Type": "Fail", "ErrorPath": "$.err.Error", "Cause": "boom"}
      }
    }"#;
    let sm = StateMachine::from_str(src).unwrap();
    assert_eq!(sm.states.len(), 8);
    assert_eq!(sm.timeout_seconds, Some(900));
    let kinds: Vec<_> = sm.states.values().map(|s| s.type_name()).collect();
    assert_eq!(
        kinds,
        [
            "Pass", "Task", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail"
        ]
    );
    assert_eq!(sm.states["P"].transition, Transition::Next("T".into()));
    let StateKind::Task(t) = &sm.states["T"].kind else {
        panic!()
    };
    assert_eq!(t.retry[0].interval_seconds, 2);
    assert_eq!(t.catch[0].next, "F");
}

#[test]
fn jsonata_state_fields() {
    let src = r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
              "Output": "{% $states.result.Payload %}", "Assign": {"x": "{% 1 %}"},
              "TimeoutSeconds": "{% 10 %}", "End": true}}}"#;
    let sm = StateMachine::from_str(src).unwrap();
    assert_eq!(sm.query_language, crate::QueryLanguage::Jsonata);
    assert!(sm.states["A"].io.output.is_some());
}

#[test]
fn parse_error_snapshots() {
    let cases = [
        ("invalid_json", "{\"StartAt\": \"A\",\n \"States\": {"),
        ("not_an_object", "[1, 2]"),
        (
            "missing_start_at",
            r#"{"States": {"A": {"Type": "Pass", "End": true}}}"#,
        ),
        (
            "unknown_field",
            "{\"StartAt\": \"A\",\n \"States\": {\n  \"A\": {\"Type\": \"Pass\", \"Foo\": 1, \"End\": true}}}",
        ),
        (
            "jsonata_field_in_jsonpath",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {}, "End": true}}}"#,
        ),
        (
            "jsonpath_field_in_jsonata",
            r#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$", "End": true}}}"#,
        ),
        (
            "missing_next_target",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
        ),
        (
            "bad_type",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Sleep", "End": true}}}"#,
        ),
        (
            "next_and_end",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A", "End": true}}}"#,
        ),
        (
            "wait_two_forms",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "Timestamp": "2020-01-01T00:00:00Z", "End": true}}}"#,
        ),
        (
            "choice_without_comparator",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "B"}]}, "B": {"Type": "Succeed"}}}"#,
        ),
        (
            "choice_wrong_operand_type",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "B"}]}, "B": {"Type": "Succeed"}}}"#,
        ),
        (
            "retry_wrong_types",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Retry": [{"ErrorEquals": "States.ALL", "MaxAttempts": -1, "BackoffRate": 0.5}], "End": true}}}"#,
        ),
        (
            "state_name_too_long",
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB": {"Type": "Pass", "End": true}}}"#,
        ),
    ];
    let mut out = String::new();
    for (name, src) in cases {
        out.push_str(&format!("== {name}\n{}\n", errors(src)));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_conformance_definition_parses() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // the shared folder is beside the repository in CI and development
    };
    let mut total = 0;
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        let def = match &case["definition"] {
            serde_json::Value::String(s) => serde_json::from_str(s).unwrap(),
            v => v.clone(),
        };
        total += 1;
        if let Err(e) = StateMachine::from_value(&def) {
            failures.push(format!("{}: {e}", case["id"]));
        }
    }
    assert!(total > 0);
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in ".{0,300}") {
        let _ = StateMachine::from_str(&s);
    }
}

#[test]
fn legacy_iterator_keeps_its_processor_config() {
    let src = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Iterator": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                     "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}"#;
    let sm = StateMachine::from_str(src).unwrap();
    let StateKind::Map(m) = &sm.states["M"].kind else {
        panic!()
    };
    assert!(m.uses_legacy_iterator);
    assert_eq!(m.config.mode, crate::model::ProcessorMode::Distributed);
    assert_eq!(m.config.execution_type.as_deref(), Some("STANDARD"));
}

#[test]
fn a_state_on_its_own() {
    let task = serde_json::json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Elsewhere",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]
    });
    // Its targets need not exist: there is no machine to hold them.
    let s = State::from_value("T", &task, QueryLanguage::JsonPath).unwrap();
    assert_eq!(s.pointer, "/States/T");
    let targets: Vec<&str> = s.successors().map(|e| e.target).collect();
    assert_eq!(targets, ["Elsewhere", "Handler"]);
    // Errors point where they would in a machine.
    let bad = serde_json::json!({"Type": "Pass", "Next": "A", "End": true});
    let e = State::from_value("a/b", &bad, QueryLanguage::JsonPath).unwrap_err();
    assert_eq!(e.errors[0].pointer, "/States/a~1b");
    let long = "n".repeat(crate::limits::MAX_STATE_NAME_CHARS + 1);
    let e = State::from_value(&long, &task, QueryLanguage::JsonPath).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::InvalidStateName);
    // The query language is the caller's unless the state names its own.
    let jsonata = serde_json::json!({"Type": "Pass", "Output": "{% 1 %}", "End": true});
    assert!(State::from_value("J", &jsonata, QueryLanguage::JsonPath).is_err());
    assert!(State::from_value("J", &jsonata, QueryLanguage::Jsonata).is_ok());
}
