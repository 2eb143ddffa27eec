//! "Step Functions Execution Status Change" events (EventBridge, source `aws.states`): one when
//! a Standard execution starts or is redriven (RUNNING) and one when it ends, whatever the
//! end (SUCCEEDED, FAILED, TIMED_OUT, ABORTED), with the execution in `detail` as AWS sends
//! it; none for Express executions. They are recorded in the EventBridge sink that
//! `sfn-local messages` lists.

mod common;

use std::time::{Duration, Instant};

use common::{create, http_get, ok, spawn, start, wait_closed};
use serde_json::{Value, json};

/// The status-change events recorded so far for `exec`, oldest first.
fn status_events(e: &str, exec: &str) -> Vec<Value> {
    let (_, _, body) = http_get(e, "/console/messages", None);
    let v: Value = serde_json::from_str(&body).unwrap();
    let mut out: Vec<Value> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["service"] == "events" && m["payload"]["detail"]["executionArn"] == exec)
        .map(|m| m["payload"].clone())
        .collect();
    out.reverse();
    out
}

fn statuses(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["detail"]["status"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `exec` has `n` status-change events (they are recorded as the end is stored).
fn wait_for(e: &str, exec: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let events = status_events(e, exec);
        if events.len() >= n || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_status_change_of_a_standard_execution_is_an_event() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "changes",
        &json!({"StartAt": "Pick", "TimeoutSeconds": 1, "States": {
            "Pick": {"Type": "Choice", "Choices": [
                {"Variable": "$.end", "StringEquals": "fail", "Next": "Fail"},
                {"Variable": "$.end", "StringEquals": "wait", "Next": "Wait"}], "Default": "Done"},
            "Fail": {"Type": "Fail", "Error": "Broke", "Cause": "on purpose"},
            "Wait": {"Type": "Wait", "Seconds": 30, "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    // Succeeds: RUNNING then SUCCEEDED, the second with the output and the stop date.
    let exec = start(e, &sm, &json!({"end": "ok"}));
    wait_closed(e, &exec);
    let events = wait_for(e, &exec, 2);
    assert_eq!(statuses(&events), ["RUNNING", "SUCCEEDED"]);
    let (running, done) = (&events[0], &events[1]);
    assert_eq!(
        running["detail-type"],
        "Step Functions Execution Status Change"
    );
    assert_eq!(running["source"], "aws.states");
    assert_eq!(running["resources"], json!([exec]));
    assert_eq!(running["region"], "us-east-1");
    assert_eq!(running["account"], "123456789012");
    let d = &running["detail"];
    assert_eq!(d["stopDate"], Value::Null);
    assert_eq!(d["output"], Value::Null);
    assert_eq!(d["inputDetails"], json!({"included": true}));
    assert_eq!(d["input"], json!({"end": "ok"}).to_string());
    assert!(
        d["startDate"].as_i64().unwrap() > 1_700_000_000_000,
        "epoch ms: {d}"
    );
    assert_eq!(d["redriveStatus"], "NOT_REDRIVABLE");
    let d = &done["detail"];
    assert_eq!(d["output"], json!({"end": "ok"}).to_string());
    assert_eq!(d["outputDetails"], json!({"included": true}));
    assert!(d["stopDate"].as_i64().unwrap() >= d["startDate"].as_i64().unwrap());
    let described = ok(e, "DescribeExecution", json!({"executionArn": exec}));
    assert_eq!(d["name"], described["name"]);
    assert_eq!(d["stateMachineArn"], described["stateMachineArn"]);

    // Fails, then is redriven: RUNNING, FAILED, RUNNING (redriveCount 1), FAILED.
    let failed = start(e, &sm, &json!({"end": "fail"}));
    wait_closed(e, &failed);
    let events = wait_for(e, &failed, 2);
    assert_eq!(statuses(&events), ["RUNNING", "FAILED"]);
    assert_eq!(events[1]["detail"]["error"], "Broke");
    assert_eq!(events[1]["detail"]["cause"], "on purpose");
    assert_eq!(events[1]["detail"]["redriveStatus"], "REDRIVABLE");
    ok(e, "RedriveExecution", json!({"executionArn": failed}));
    wait_closed(e, &failed);
    let events = wait_for(e, &failed, 4);
    assert_eq!(
        statuses(&events),
        ["RUNNING", "FAILED", "RUNNING", "FAILED"]
    );
    assert_eq!(events[2]["detail"]["redriveCount"], 1);
    assert!(events[2]["detail"]["redriveDate"].as_i64().is_some());

    // Times out, and is stopped.
    let timed_out = start(e, &sm, &json!({"end": "wait"}));
    wait_closed(e, &timed_out);
    assert_eq!(
        statuses(&wait_for(e, &timed_out, 2)),
        ["RUNNING", "TIMED_OUT"]
    );
    let stopped_sm = create(
        e,
        "stopped",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}),
    );
    let stopped = start(e, &stopped_sm, &json!({}));
    ok(
        e,
        "StopExecution",
        json!({"executionArn": stopped, "error": "E", "cause": "C"}),
    );
    let events = wait_for(e, &stopped, 2);
    assert_eq!(statuses(&events), ["RUNNING", "ABORTED"]);
    assert_eq!(events[1]["detail"]["error"], "E");
}

#[test]
fn express_executions_send_none() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = ok(
        e,
        "CreateStateMachine",
        json!({"name": "quick", "type": "EXPRESS", "roleArn": "arn:aws:iam::123456789012:role/r",
               "definition": json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string()}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let exec = start(e, &sm, &json!({}));
    std::thread::sleep(Duration::from_millis(300));
    assert!(status_events(e, &exec).is_empty());
}
