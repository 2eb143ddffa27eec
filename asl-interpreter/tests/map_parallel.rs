//! How Map and Parallel states fail, retry and start, event by event as AWS records them.

use asl_interpreter::{Handlers, Outcome, Status};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;

fn run(def: Value, input: &str) -> Outcome {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    common::run_at(start, Handlers::new(), def, input)
}

/// `id prev type` per event.
fn outline(out: &Outcome) -> Vec<String> {
    out.history
        .iter()
        .map(|e| format!("{} {} {}", e.id, e.previous_event_id, e.event_type))
        .collect()
}

fn fail_branch() -> Value {
    json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "c"}}})
}

#[test]
fn a_retried_parallel_records_no_failure_between_attempts() {
    let def = json!({"StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Branches": [fail_branch()],
        "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}], "End": true}}});
    let out = run(def, "{}");
    assert_eq!(out.status, Status::Failed);
    assert_eq!(
        outline(&out),
        [
            "1 0 ExecutionStarted",
            "2 0 ParallelStateEntered",
            "3 2 ParallelStateStarted",
            "4 3 FailStateEntered",
            // The next attempt follows the failure itself.
            "5 4 ParallelStateStarted",
            "6 5 FailStateEntered",
            "7 6 ParallelStateFailed",
            "8 7 ExecutionFailed",
        ]
    );
}

#[test]
fn a_retried_inline_map_records_no_failure_between_attempts() {
    for processor in ["ItemProcessor", "Iterator"] {
        let def = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", processor: fail_branch(),
            "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}], "End": true}}});
        let out = run(def, "[1]");
        assert_eq!(out.status, Status::Failed);
        assert_eq!(
            outline(&out),
            [
                "1 0 ExecutionStarted",
                "2 0 MapStateEntered",
                "3 2 MapStateStarted",
                "4 3 MapIterationStarted",
                "5 4 FailStateEntered",
                "6 5 MapIterationFailed",
                "7 5 MapStateStarted",
                "8 7 MapIterationStarted",
                "9 8 FailStateEntered",
                "10 9 MapIterationFailed",
                "11 9 MapStateFailed",
                "12 11 ExecutionFailed",
            ],
            "{processor}"
        );
    }
}

#[test]
fn a_legacy_iterator_honours_a_distributed_processor_config() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Iterator": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                     "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}});
    let out = run(def, r#"["a","b"]"#);
    assert_eq!(out.status, Status::Succeeded);
    let types: Vec<_> = out.history.iter().map(|e| &*e.event_type).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded",
        ]
    );
}

#[test]
fn items_that_fail_to_evaluate_fail_the_map_state() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $fn := function($x){$x} %}", "End": true,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}});
    let out = run(def, "{}");
    assert_eq!(out.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        outline(&out),
        [
            "1 0 ExecutionStarted",
            "2 0 MapStateEntered",
            "3 0 EvaluationFailed",
            "4 3 MapStateFailed",
            "5 4 ExecutionFailed",
        ]
    );
}

#[test]
fn a_tolerated_failure_path_to_a_non_number_names_the_path() {
    for (field, value, kind) in [
        ("ToleratedFailureCountPath", json!("many"), "integer"),
        ("ToleratedFailurePercentagePath", json!({}), "float"),
    ] {
        let def = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items", field: "$.tolerated", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}});
        let input = json!({"items": [0], "tolerated": value}).to_string();
        let out = run(def, &input);
        assert_eq!(out.error.as_deref(), Some("States.Runtime"));
        let shown = match &value {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        assert_eq!(
            out.cause.as_deref(),
            Some(&*format!(
                "An error occurred while executing the state 'M' (entered at the event id #2). \
                 The {field} field refers to value \"{shown}\" which is not a valid {kind}: $.tolerated"
            ))
        );
    }
}
