//! Retention (`--retention-days`, AWS keeps closed executions 90 days): a closed execution
//! expires that long after its end, with its history, its map runs and their child
//! executions, and the messages recorded with it; a running one stays whatever its age. The
//! store-level rules (what hangs off an execution, batches, oldest first) are unit tests in
//! `store/executions.rs`; here the flag, the periodic sweep and the API's view of it.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{TempDir, call, create, ok, spawn, start, wait_closed};
use serde_json::{Value, json};

const DETAIL_TYPE: &str = "Step Functions Execution Status Change";

fn messages(dir: &TempDir) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["messages", "--data-dir", dir.arg()])
        .output()
        .expect("sfn-local messages");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Whether an error answer is `error` (its `__type` may carry AWS's model prefix).
fn error_is(answer: &Value, error: &str) -> bool {
    answer["__type"]
        .as_str()
        .is_some_and(|t| t.rsplit('#').next() == Some(error))
}

#[test]
fn closed_executions_expire_with_what_hangs_off_them_and_running_ones_stay() {
    let dir = TempDir::new("retention");
    // 0.00003 days: 2.6 s; the sweep runs every second.
    let server = spawn(&["--data-dir", dir.arg(), "--retention-days", "0.00003"]);
    let e = server.endpoint.as_str();
    let sends = create(
        e,
        "sends",
        &json!({"StartAt": "Send", "States": {"Send": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "MessageBody": "hello"},
            "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$$.Execution.Input.items", "End": true,
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
    );
    let waits = create(
        e,
        "waits",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    );
    let done = start(e, &sends, &json!({"items": [1, 2]}));
    let closed = wait_closed(e, &done);
    assert_eq!(closed["status"], "SUCCEEDED", "{closed}");
    let runs = ok(e, "ListMapRuns", json!({"executionArn": done}));
    let run = runs["mapRuns"][0]["mapRunArn"]
        .as_str()
        .unwrap()
        .to_string();
    let children = ok(e, "ListExecutions", json!({"mapRunArn": run}));
    assert_eq!(children["executions"].as_array().unwrap().len(), 2);
    // The message it sent, and the EventBridge events of its status changes.
    let sent = messages(&dir);
    assert_eq!(
        sent.iter().filter(|m| m.contains("hello")).count(),
        1,
        "{sent:?}"
    );
    assert_eq!(
        sent.iter().filter(|m| m.contains(DETAIL_TYPE)).count(),
        2,
        "{sent:?}"
    );
    let waiting = start(e, &waits, &json!({}));

    let deadline = Instant::now() + Duration::from_secs(60);
    let gone = loop {
        let (status, body) = call(e, "DescribeExecution", json!({"executionArn": done}));
        if status == 400 || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(error_is(&gone, "ExecutionDoesNotExist"), "{gone}");
    for (op, body, error) in [
        (
            "GetExecutionHistory",
            json!({"executionArn": done}),
            "ExecutionDoesNotExist",
        ),
        (
            "DescribeMapRun",
            json!({"mapRunArn": run}),
            "ResourceNotFound",
        ),
    ] {
        let (status, answer) = call(e, op, body);
        assert!(status == 400 && error_is(&answer, error), "{op}: {answer}");
    }
    let listed = ok(e, "ListExecutions", json!({"stateMachineArn": sends}));
    assert_eq!(listed["executions"], json!([]), "{listed}");
    let left = messages(&dir);
    assert!(
        !left
            .iter()
            .any(|m| m.contains("hello") || m.contains(&done)),
        "{left:?}"
    );
    // The waiting execution started before the other expired, and is older than the period
    // by now: it runs, so it stays.
    let still = ok(e, "DescribeExecution", json!({"executionArn": waiting}));
    assert_eq!(still["status"], "RUNNING", "{still}");
    drop(server);
}

#[test]
fn retention_days_must_be_a_finite_number_of_days() {
    for bad in ["-1", "abc", "inf", "NaN", "1e9"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
            .args(["serve", "--in-memory", "--port", "0"])
            .arg(format!("--retention-days={bad}"))
            .output()
            .expect("sfn-local serve");
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a number of days"), "{bad}: {err}");
    }
}
