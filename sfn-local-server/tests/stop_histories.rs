//! The events an execution's history records for API actions (issue 16, family 12):
//! StopExecution during each kind of state, and the start of a `.sync` child.
//!
//! AWS's rules and where they come from:
//! - A stopped execution ends with `ExecutionAborted` carrying StopExecution's `error` and
//!   `cause` (API reference, `StopExecution`, `ExecutionAbortedEventDetails`).
//! - The state in flight is closed by its `<Type>StateAborted` (`WaitStateAborted`,
//!   `TaskStateAborted`, `ParallelStateAborted`, `MapStateAborted`, ...: the `HistoryEvent`
//!   types). Inside a Parallel or an inline Map, every branch's state in flight gets its own
//!   `<Type>StateAborted`, and every running iteration its `MapIterationAborted`, before the
//!   enclosing state's, as AWS records a branch aborted by a failing sibling
//!   (`TaskStateAborted` inside a Parallel: conformance case
//!   `states_variables.test_error_output.*test_parallel_catch_error__PARALLEL_CATCH_ERROR_OUTPUT`).
//!   AWS documents no history of a stop; applying the recorded abort of a branch to every
//!   branch a stop ends is our choice.
//! - A `.sync` task records `TaskSubmitted` with the StartExecution response (`ExecutionArn`,
//!   `StartDate`, the SDK's HTTP metadata) as soon as the child has started (conformance case
//!   `callback.test_callback.TestCallback.test_start_execution_sync`); stopping the parent
//!   stops the child.
//! - A Distributed Map's run stops with its execution: the map run ABORTED (its running items
//!   counted as aborted), its running child workflow executions ABORTED, each history ending
//!   in `ExecutionAborted` (AWS documents the statuses, `DescribeMapRun`/`MapRunExecutionCounts`
//!   `aborted`; what the parent's history records for the run, beyond `MapStateAborted`, it
//!   does not: no `MapRunAborted` is recorded here).
//! - A Wait beyond the one year a Standard execution may run: `ExecutionTimedOut`
//!   (asl-interpreter's `tests/time_limits.rs`; it cannot be waited for here).

mod common;

use common::{create, ok, spawn, wait_closed};
use serde_json::{Value, json};

/// The types of an execution's events after `ExecutionStarted`.
fn types(e: &str, arn: &str) -> Vec<String> {
    history(e, arn)
        .iter()
        .skip(1)
        .map(|ev| ev["type"].as_str().unwrap().to_string())
        .collect()
}

fn history(e: &str, arn: &str) -> Vec<Value> {
    let h = ok(
        e,
        "GetExecutionHistory",
        json!({"executionArn": arn, "maxResults": 1000}),
    );
    h["events"].as_array().unwrap().clone()
}

/// Starts `definition`, lets it run `ms` milliseconds, stops it and returns its events.
fn stopped(e: &str, name: &str, definition: &Value, ms: u64) -> (String, Vec<String>) {
    let sm = create(e, name, definition);
    let x = ok(
        e,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{\"items\":[1,2]}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    ok(
        e,
        "StopExecution",
        json!({"executionArn": x, "error": "E", "cause": "C"}),
    );
    let d = wait_closed(e, &x);
    assert_eq!(d["status"], "ABORTED", "{name}: {d}");
    (x.clone(), types(e, &x))
}

fn wait() -> Value {
    json!({"Type": "Wait", "Seconds": 600, "End": true})
}

#[test]
fn stop_during_each_kind_of_state() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let act = ok(e, "CreateActivity", json!({"name": "work"}))["activityArn"].clone();
    let child = create(
        e,
        "child",
        &json!({"StartAt": "W", "States": {"W": wait()}}),
    );
    let task = |resource: Value, parameters: Value| {
        let mut t = json!({"Type": "Task", "Resource": resource, "End": true});
        if !parameters.is_null() {
            t["Parameters"] = parameters;
        }
        json!({"StartAt": "S", "States": {"S": t}})
    };
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "wait",
            json!({"StartAt": "S", "States": {"S": wait()}}),
            &["WaitStateEntered", "WaitStateAborted"],
        ),
        (
            "activity",
            task(act.clone(), Value::Null),
            &["TaskStateEntered", "ActivityScheduled", "TaskStateAborted"],
        ),
        (
            "wait_for_task_token",
            task(
                json!("arn:aws:states:::sns:publish.waitForTaskToken"),
                json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "$$.Task.Token"}),
            ),
            &[
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSubmitted",
                "TaskStateAborted",
            ],
        ),
        (
            "sync_child",
            task(
                json!("arn:aws:states:::states:startExecution.sync:2"),
                json!({"StateMachineArn": child}),
            ),
            &[
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSubmitted",
                "TaskStateAborted",
            ],
        ),
        (
            "parallel",
            json!({"StartAt": "S", "States": {"S": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": wait()}},
                {"StartAt": "B", "States": {"B": wait()}}]}}}),
            &[
                "ParallelStateEntered",
                "ParallelStateStarted",
                "WaitStateEntered",
                "WaitStateEntered",
                "WaitStateAborted",
                "WaitStateAborted",
                "ParallelStateAborted",
            ],
        ),
        (
            "inline_map",
            json!({"StartAt": "S", "States": {"S": {"Type": "Map", "ItemsPath": "$.items", "End": true,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "W", "States": {"W": wait()}}}}}),
            &[
                "MapStateEntered",
                "MapStateStarted",
                "MapIterationStarted",
                "MapIterationStarted",
                "WaitStateEntered",
                "WaitStateEntered",
                "WaitStateAborted",
                "MapIterationAborted",
                "WaitStateAborted",
                "MapIterationAborted",
                "MapStateAborted",
            ],
        ),
        (
            "distributed_map",
            json!({"StartAt": "S", "States": {"S": {"Type": "Map", "ItemsPath": "$.items", "End": true,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "W", "States": {"W": wait()}}}}}),
            &[
                "MapStateEntered",
                "MapStateStarted",
                "MapRunStarted",
                "MapStateAborted",
            ],
        ),
    ];
    for (name, definition, expected) in cases {
        let (x, got) = stopped(e, name, &definition, 300);
        let mut expected: Vec<&str> = expected.to_vec();
        expected.push("ExecutionAborted");
        assert_eq!(got, expected, "{name}");
        if name == "distributed_map" {
            map_run_aborted(e, &x);
        }
    }
}

/// The map run of the stopped execution `x` and its two children are aborted.
fn map_run_aborted(e: &str, x: &str) {
    let runs = ok(e, "ListMapRuns", json!({"executionArn": x}));
    let run = runs["mapRuns"][0]["mapRunArn"].clone();
    let d = ok(e, "DescribeMapRun", json!({"mapRunArn": run}));
    assert_eq!(d["status"], "ABORTED", "{d}");
    assert!(d["stopDate"].is_number(), "{d}");
    assert_eq!(d["executionCounts"]["running"], 0, "{d}");
    assert_eq!(d["executionCounts"]["aborted"], 2, "{d}");
    let children = ok(e, "ListExecutions", json!({"mapRunArn": run}));
    let children = children["executions"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    for c in children {
        assert_eq!(c["status"], "ABORTED", "{c}");
        let arn = c["executionArn"].as_str().unwrap();
        assert_eq!(history(e, arn).last().unwrap()["type"], "ExecutionAborted");
    }
}

#[test]
fn stop_during_a_loop_of_passes() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Default": "W",
            "Choices": [{"Variable": "$.done", "IsPresent": true, "Next": "Done"}]},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
        "Done": {"Type": "Succeed"}}});
    let (x, got) = stopped(e, "loop", &def, 1500);
    let n = got.len();
    assert_eq!(
        got[n - 2..],
        ["WaitStateAborted", "ExecutionAborted"],
        "{got:?}"
    );
    // Two rounds ran before the stop: every Pass entered was exited.
    let passes = got.iter().filter(|t| *t == "PassStateEntered").count();
    assert!(passes >= 2, "{got:?}");
    assert_eq!(
        passes,
        got.iter().filter(|t| *t == "PassStateExited").count()
    );
    let last = history(e, &x).pop().unwrap();
    assert_eq!(
        last["executionAbortedEventDetails"],
        json!({"error": "E", "cause": "C"})
    );
}

#[test]
fn a_sync_child_is_submitted_when_started_and_stopped_with_its_parent() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let child = create(
        e,
        "child",
        &json!({"StartAt": "W", "States": {"W": wait()}}),
    );
    let def = json!({"StartAt": "S", "States": {"S": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync",
        "Parameters": {"StateMachineArn": child, "Name": "kid"}, "End": true}}});
    let (x, _) = stopped(e, "parent", &def, 300);
    let events = history(e, &x);
    let submitted = events
        .iter()
        .find(|ev| ev["type"] == "TaskSubmitted")
        .expect("TaskSubmitted");
    let details = &submitted["taskSubmittedEventDetails"];
    assert_eq!(details["resourceType"], "states");
    assert_eq!(details["resource"], "startExecution.sync");
    let output: Value = serde_json::from_str(details["output"].as_str().unwrap()).unwrap();
    let kid = "arn:aws:states:us-east-1:123456789012:execution:child:kid";
    assert_eq!(output["ExecutionArn"], kid);
    assert!(output["StartDate"].is_i64(), "{output}");
    assert_eq!(output["SdkHttpMetadata"]["HttpStatusCode"], 200);
    assert_eq!(
        output["SdkResponseMetadata"]["RequestId"],
        output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    );
    let keys: Vec<&str> = output
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "ExecutionArn",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
            "StartDate"
        ]
    );
    // The child was stopped with its parent.
    assert_eq!(wait_closed(e, kid)["status"], "ABORTED");
}
