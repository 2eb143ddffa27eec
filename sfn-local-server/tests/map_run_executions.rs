//! A Distributed Map's child workflow executions over HTTP: `ListExecutions(mapRunArn)`,
//! `DescribeExecution` and `GetExecutionHistory` of a child, and the errors around them.

mod common;

use common::{call, create, ok, spawn, wait_closed};
use serde_json::{Value, json};

const ACCOUNT: &str = "arn:aws:states:us-east-1:123456789012";

/// Starts an execution of `sm`, waits for its end (SUCCEEDED) and returns its only map run.
fn run_to_map_run(endpoint: &str, sm: &str, input: Value) -> (String, String) {
    let arn = ok(
        endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": input.to_string()}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(endpoint, &arn);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let runs = ok(endpoint, "ListMapRuns", json!({"executionArn": arn}));
    assert_eq!(runs["mapRuns"].as_array().unwrap().len(), 1, "{runs}");
    let run = runs["mapRuns"][0]["mapRunArn"]
        .as_str()
        .unwrap()
        .to_string();
    (arn, run)
}

fn list(endpoint: &str, body: Value) -> Vec<Value> {
    ok(endpoint, "ListExecutions", body)["executions"]
        .as_array()
        .unwrap()
        .clone()
}

fn error(endpoint: &str, op: &str, body: Value) -> (String, String) {
    let (status, v) = call(endpoint, op, body);
    assert_eq!(status, 400, "{v}");
    let ty = v["__type"].as_str().unwrap();
    (
        ty.rsplit('#').next().unwrap().to_string(),
        v["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// Items `{"n": 1..4}`; item 3 fails (tolerated), the others answer `{"double": 2n}`.
fn definition(execution_type: &str) -> Value {
    json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "Label": "Items",
        "ItemsPath": "$.items", "MaxConcurrency": 1, "ToleratedFailureCount": 1,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [
                    {"Variable": "$.n", "NumericEquals": 3, "Next": "Bad"}], "Default": "Double"},
                "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "three"},
                "Double": {"Type": "Pass", "Parameters": {"double.$": "States.MathAdd($.n, $.n)"},
                           "End": true}}},
        "End": true}}})
}

fn items() -> Value {
    json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]})
}

#[test]
fn list_executions_lists_a_map_runs_children() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let sm = create(e, "children", &definition("STANDARD"));
    let (parent, run) = run_to_map_run(e, &sm, items());
    let label_sm = format!("{ACCOUNT}:stateMachine:children/Items");

    let children = list(e, json!({"mapRunArn": run}));
    assert_eq!(children.len(), 4, "{children:?}");
    let mut inputs = Vec::new();
    for c in &children {
        let arn = c["executionArn"].as_str().unwrap();
        let name = c["name"].as_str().unwrap();
        // `arn:aws:states:<region>:<account>:execution:<state machine>/<label>:<uuid>`.
        assert_eq!(arn, format!("{ACCOUNT}:execution:children/Items:{name}"));
        assert_eq!(name.len(), 36, "{name}");
        assert_eq!(c["stateMachineArn"], json!(label_sm));
        assert_eq!(c["mapRunArn"], json!(run));
        assert_eq!(c["itemCount"], 1);
        assert_eq!(c["redriveCount"], 0);
        let start = c["startDate"].as_f64().unwrap();
        let stop = c["stopDate"].as_f64().unwrap();
        assert!(start <= stop, "{c}");
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "executionArn",
                "itemCount",
                "mapRunArn",
                "name",
                "redriveCount",
                "startDate",
                "stateMachineArn",
                "status",
                "stopDate"
            ]
        );
        let d = ok(e, "DescribeExecution", json!({"executionArn": arn}));
        inputs.push(d["input"].as_str().unwrap().to_string());
        let expected = if d["input"] == json!(r#"{"n":3}"#) {
            "FAILED"
        } else {
            "SUCCEEDED"
        };
        assert_eq!(c["status"], expected, "{c}");
    }
    // Newest first: the children started in item order (one at a time).
    assert_eq!(
        inputs,
        [r#"{"n":4}"#, r#"{"n":3}"#, r#"{"n":2}"#, r#"{"n":1}"#]
    );

    // The state machine's own listing has the parent only.
    let own = list(e, json!({"stateMachineArn": sm}));
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["executionArn"], json!(parent));
    assert!(own[0].get("mapRunArn").is_none());
    assert!(own[0].get("itemCount").is_none());

    // statusFilter.
    let failed = list(e, json!({"mapRunArn": run, "statusFilter": "FAILED"}));
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["executionArn"], children[1]["executionArn"]);
    let succeeded = list(e, json!({"mapRunArn": run, "statusFilter": "SUCCEEDED"}));
    assert_eq!(succeeded.len(), 3);
    assert!(list(e, json!({"mapRunArn": run, "statusFilter": "RUNNING"})).is_empty());
    assert_eq!(
        list(
            e,
            json!({"mapRunArn": run, "redriveFilter": "NOT_REDRIVEN"})
        )
        .len(),
        4
    );

    // Paging, one at a time, in the same order.
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"mapRunArn": run, "maxResults": 1});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = ok(e, "ListExecutions", body);
        let got = page["executions"].as_array().unwrap();
        assert_eq!(got.len(), 1, "{page}");
        paged.push(got[0]["executionArn"].clone());
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    let all: Vec<Value> = children.iter().map(|c| c["executionArn"].clone()).collect();
    assert_eq!(paged, all);

    // DescribeExecution of a failed child.
    let bad = children[1]["executionArn"].as_str().unwrap();
    let d = ok(e, "DescribeExecution", json!({"executionArn": bad}));
    assert_eq!(d["executionArn"], json!(bad));
    assert_eq!(d["stateMachineArn"], json!(label_sm));
    assert_eq!(d["name"], children[1]["name"]);
    assert_eq!(d["status"], "FAILED");
    assert_eq!(d["error"], "Bad");
    assert_eq!(d["cause"], "three");
    assert_eq!(d["mapRunArn"], json!(run));
    assert_eq!(d["input"], r#"{"n":3}"#);
    assert_eq!(d["inputDetails"], json!({"included": true}));
    assert!(d.get("output").is_none());
    assert_eq!(d["startDate"], children[1]["startDate"]);
    assert_eq!(d["stopDate"], children[1]["stopDate"]);
    assert_eq!(d["redriveCount"], 0);
    assert_eq!(d["redriveStatus"], "REDRIVABLE_BY_MAP_RUN");
    assert!(d.get("redriveStatusReason").is_none());
    // ... and of one that succeeded.
    let good = children[3]["executionArn"].as_str().unwrap();
    let d = ok(e, "DescribeExecution", json!({"executionArn": good}));
    assert_eq!(d["status"], "SUCCEEDED");
    assert_eq!(d["output"], r#"{"double":2}"#);
    assert_eq!(d["outputDetails"], json!({"included": true}));
    assert_eq!(d["mapRunArn"], json!(run));
    assert_eq!(d["redriveStatus"], "NOT_REDRIVABLE");
    assert_eq!(
        d["redriveStatusReason"],
        "Execution is SUCCEEDED and cannot be redriven"
    );

    // Their histories, each its own from event 1.
    let events = ok(e, "GetExecutionHistory", json!({"executionArn": good}))["events"]
        .as_array()
        .unwrap()
        .clone();
    let outline: Vec<String> = events
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["id"],
                v["previousEventId"],
                v["type"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        outline,
        [
            "1 0 ExecutionStarted",
            "2 1 ChoiceStateEntered",
            "3 2 ChoiceStateExited",
            "4 3 PassStateEntered",
            "5 4 PassStateExited",
            "6 5 ExecutionSucceeded",
        ]
    );
    assert_eq!(
        events[0]["executionStartedEventDetails"]["input"],
        r#"{"n":1}"#
    );
    assert_eq!(
        events[5]["executionSucceededEventDetails"]["output"],
        r#"{"double":2}"#
    );
    let events = ok(e, "GetExecutionHistory", json!({"executionArn": bad}))["events"]
        .as_array()
        .unwrap()
        .clone();
    let last = events.last().unwrap();
    assert_eq!(last["type"], "ExecutionFailed");
    assert_eq!(
        last["executionFailedEventDetails"],
        json!({"error": "Bad", "cause": "three"})
    );

    // The errors: a map run that does not exist, a malformed one, both or neither ARN.
    let missing = format!("{ACCOUNT}:mapRun:children/Items:00000000-0000-0000-0000-000000000000");
    let (ty, message) = error(e, "ListExecutions", json!({"mapRunArn": missing}));
    assert_eq!(ty, "ResourceNotFound");
    assert!(message.contains(&missing), "{message}");
    let (ty, _) = error(e, "ListExecutions", json!({"mapRunArn": sm}));
    assert_eq!(ty, "InvalidArn");
    let (ty, message) = error(
        e,
        "ListExecutions",
        json!({"mapRunArn": run, "stateMachineArn": sm}),
    );
    assert_eq!(ty, "ValidationException");
    assert!(message.contains("cannot both be given"), "{message}");
    let (ty, message) = error(e, "ListExecutions", json!({}));
    assert_eq!(ty, "ValidationException");
    assert!(message.contains("is required"), "{message}");
}

#[test]
fn express_children_are_listed_and_described_without_a_history() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let sm = create(e, "quick", &definition("EXPRESS"));
    let (_, run) = run_to_map_run(e, &sm, items());
    let run_id = run.rsplit(':').next().unwrap();
    let children = list(e, json!({"mapRunArn": run}));
    assert_eq!(children.len(), 4, "{children:?}");
    for c in &children {
        let name = c["name"].as_str().unwrap();
        assert_eq!(
            c["executionArn"],
            json!(format!("{ACCOUNT}:express:quick/Items:{run_id}:{name}"))
        );
    }
    let child = children[0]["executionArn"].as_str().unwrap();
    let d = ok(e, "DescribeExecution", json!({"executionArn": child}));
    assert_eq!(d["status"], "SUCCEEDED");
    assert_eq!(d["input"], r#"{"n":4}"#);
    assert_eq!(d["mapRunArn"], json!(run));
    // Step Functions keeps no history of an Express execution.
    let (ty, _) = error(e, "GetExecutionHistory", json!({"executionArn": child}));
    assert_eq!(ty, "InvalidArn");
}
