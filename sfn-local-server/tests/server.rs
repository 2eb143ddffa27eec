//! The server end to end over HTTP: durability across SIGKILL, nested executions, Lambda
//! functions as local commands. (The SDK and CLI suites live in the `tests/` crate.)

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{TempDir, call, create, ok, spawn, wait_closed};
use serde_json::{Value, json};

fn history(endpoint: &str, arn: &str) -> Vec<Value> {
    ok(
        endpoint,
        "GetExecutionHistory",
        json!({"executionArn": arn, "maxResults": 1000}),
    )["events"]
        .as_array()
        .unwrap()
        .clone()
}

/// Ids 1..n, each previousEventId earlier than its event, exactly one terminal event, last.
fn assert_valid_history(events: &[Value]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["id"], json!(i as u64 + 1), "{e}");
        assert!(e["previousEventId"].as_u64().unwrap() < e["id"].as_u64().unwrap());
    }
    let terminal = |e: &Value| {
        let t = e["type"].as_str().unwrap();
        t.starts_with("Execution") && t != "ExecutionStarted"
    };
    assert_eq!(events.iter().filter(|e| terminal(e)).count(), 1);
    assert!(terminal(events.last().unwrap()));
}

#[test]
fn sigkill_loses_nothing_acknowledged() {
    let dir = TempDir::new("restart");
    let data = dir.arg();
    let p = spawn(&["--data-dir", data]);
    let quick = create(
        &p.endpoint,
        "quick",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 7, "End": true}}}),
    );
    let slow = create(
        &p.endpoint,
        "slow",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    );
    ok(
        &p.endpoint,
        "TagResource",
        json!({"resourceArn": quick, "tags": [{"key": "team", "value": "a"}]}),
    );
    ok(&p.endpoint, "CreateActivity", json!({"name": "review"}));
    let done = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": quick, "name": "done"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(wait_closed(&p.endpoint, &done)["status"], "SUCCEEDED");
    let waiting = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": slow, "name": "waiting"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    // Let the Wait state be entered and recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    while history(&p.endpoint, &waiting).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    drop(p); // SIGKILL

    let p = spawn(&["--data-dir", data]);
    let machines = ok(&p.endpoint, "ListStateMachines", json!({}));
    assert_eq!(machines["stateMachines"].as_array().unwrap().len(), 2);
    let tags = ok(
        &p.endpoint,
        "ListTagsForResource",
        json!({"resourceArn": quick}),
    );
    assert_eq!(tags["tags"], json!([{"key": "team", "value": "a"}]));
    assert_eq!(
        ok(&p.endpoint, "ListActivities", json!({}))["activities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let d = ok(
        &p.endpoint,
        "DescribeExecution",
        json!({"executionArn": done}),
    );
    assert_eq!(
        (d["status"].clone(), d["output"].clone()),
        (json!("SUCCEEDED"), json!("7"))
    );
    let h = history(&p.endpoint, &done);
    assert_valid_history(&h);
    assert_eq!(h.len(), 4);
    // The interrupted execution resumed where it was: still in its Wait, nothing re-run.
    let d = ok(
        &p.endpoint,
        "DescribeExecution",
        json!({"executionArn": waiting}),
    );
    assert_eq!(d["status"], "RUNNING");
    let h = history(&p.endpoint, &waiting);
    let types: Vec<&str> = h.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ExecutionStarted", "WaitStateEntered"]);
    ok(
        &p.endpoint,
        "StopExecution",
        json!({"executionArn": waiting, "error": "Done"}),
    );
    let d = ok(
        &p.endpoint,
        "DescribeExecution",
        json!({"executionArn": waiting}),
    );
    assert_eq!(
        (d["status"].clone(), d["error"].clone()),
        (json!("ABORTED"), json!("Done"))
    );
    let h = history(&p.endpoint, &waiting);
    assert_valid_history(&h);
    assert_eq!(h.len(), 4, "{h:?}"); // + WaitStateAborted, ExecutionAborted
    drop(p);
}

#[test]
fn a_wait_resumes_with_the_time_it_had_left() {
    let dir = TempDir::new("resume");
    let data = dir.arg();
    let p = spawn(&["--data-dir", data]);
    let sm = create(
        &p.endpoint,
        "napper",
        &json!({"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "rested", "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    while history(&p.endpoint, &arn).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    drop(p); // SIGKILL in the middle of the Wait
    let p = spawn(&["--data-dir", data]);
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(
        (d["status"].clone(), d["output"].clone()),
        (json!("SUCCEEDED"), json!("\"rested\""))
    );
    // Measured from the original start: the Wait was not started over.
    let took = d["stopDate"].as_f64().unwrap() - d["startDate"].as_f64().unwrap();
    assert!(took >= 2.0, "{took}");
    let h = history(&p.endpoint, &arn);
    assert_valid_history(&h);
    let entered = h.iter().filter(|e| e["type"] == "WaitStateEntered").count();
    assert_eq!((entered, h.len()), (1, 6));
    drop(p);
}

#[test]
fn nested_sync_executions_return_the_child_description() {
    let p = spawn(&["--in-memory"]);
    let child = create(
        &p.endpoint,
        "child",
        &json!({"StartAt": "C", "States": {"C": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true}}}),
    );
    let failing = create(
        &p.endpoint,
        "failing",
        &json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Child.Broke", "Cause": "on purpose"}}}),
    );
    let parent = create(
        &p.endpoint,
        "parent",
        &json!({"StartAt": "Run", "States": {
        "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": child, "Input": {"n.$": "$.n"}},
            "OutputPath": "$.Output", "Next": "Fails"},
        "Fails": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": failing},
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.caught", "Next": "Done"}],
            "End": true},
        "Done": {"Type": "Pass", "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": parent, "input": "{\"n\": 21}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(out["doubled"], 42);
    assert_eq!(out["caught"]["Error"], "States.TaskFailed");
    let cause: Value = serde_json::from_str(out["caught"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Status"], "FAILED");
    assert_eq!(cause["Error"], "Child.Broke");
    let children = ok(
        &p.endpoint,
        "ListExecutions",
        json!({"stateMachineArn": child}),
    );
    assert_eq!(children["executions"].as_array().unwrap().len(), 1);
}

#[test]
fn lambda_functions_run_as_local_commands() {
    let dir = TempDir::new("lambda");
    let config = dir.join("config.json");
    std::fs::write(&config, json!({"lambda": {"functions": {
        "greet": {"command": ["python3", "-c", "import json,sys; e=json.load(sys.stdin); print(json.dumps({'greeting': 'hello ' + e['name']}))"]},
        "crash": {"command": ["python3", "-c", "raise SystemExit(2)"]}}}}).to_string()).unwrap();
    let p = spawn(&["--in-memory", "--config", config.to_str().unwrap()]);
    let sm = create(
        &p.endpoint,
        "greeter",
        &json!({"StartAt": "Greet", "States": {
        "Greet": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "greet", "Payload.$": "$"}, "OutputPath": "$.Payload", "Next": "Crash"},
        "Crash": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:crash", "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{\"name\": \"sfn\"}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(d["status"], "FAILED");
    assert_eq!(d["error"], "Runtime.ExitError");
    let h = history(&p.endpoint, &arn);
    let greeted = h.iter().find(|e| e["type"] == "TaskStateExited").unwrap();
    assert_eq!(
        greeted["stateExitedEventDetails"]["output"],
        json!(r#"{"greeting":"hello sfn"}"#)
    );
    assert!(h.iter().any(|e| e["type"] == "LambdaFunctionFailed"));
}

#[test]
fn sqs_callbacks_work_out_of_the_box_and_messages_are_listed() {
    let dir = TempDir::new("sqs");
    let data = dir.arg();
    let p = spawn(&["--data-dir", data]);
    let sm = create(
        &p.endpoint,
        "approval",
        &json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
            "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:done", "Message.$": "$.approved"},
            "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{\"order\": 42}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    // The worker: read the queued message through the CLI, answer with its token.
    let deadline = Instant::now() + Duration::from_secs(60);
    let message = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
            .args(["messages", "--service", "sqs", "--data-dir", data])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        if let Some(line) = text.lines().next() {
            break serde_json::from_str::<Value>(line).unwrap();
        }
        assert!(Instant::now() < deadline, "no SQS message recorded");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        message["target"],
        "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"
    );
    let body = &message["payload"]["MessageBody"];
    assert_eq!(body["order"], 42);
    let token = body["token"].as_str().unwrap();
    ok(
        &p.endpoint,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{\"approved\": \"yes\"}"}),
    );
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let (status, e) = call(
        &p.endpoint,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{}"}),
    );
    assert_eq!(
        (
            status,
            e["__type"].as_str().unwrap().ends_with("#TaskTimedOut")
        ),
        (400, true),
        "{e}"
    );
    drop(p);
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["messages", "--service", "sns", "--data-dir", data])
        .output()
        .unwrap();
    let sns: Value = serde_json::from_str(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(sns["payload"]["Message"], "yes");
}

#[test]
fn a_distributed_map_reads_its_items_from_the_local_s3_and_writes_its_results_there() {
    let dir = TempDir::new("s3");
    std::fs::create_dir_all(dir.join("s3/orders/2026")).unwrap();
    std::fs::write(
        dir.join("s3/orders/2026/orders.csv"),
        "id,total\n1,10\n2,20\n3,\"3,5\"\n",
    )
    .unwrap();
    let p = spawn(&["--data-dir", dir.arg()]);
    let sm = create(
        &p.endpoint,
        "orders",
        &json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 3},
            "Parameters": {"Bucket": "orders", "Key.$": "$.key"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"order.$": "$.id"}, "End": true}}},
        "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{\"key\": \"2026/orders.csv\"}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    assert_eq!(
        d["output"],
        json!(r#"[{"order":"1"},{"order":"2"},{"order":"3"}]"#)
    );
    let runs = ok(&p.endpoint, "ListMapRuns", json!({"executionArn": arn}));
    let run = runs["mapRuns"][0]["mapRunArn"]
        .as_str()
        .unwrap()
        .to_string();
    let described = ok(&p.endpoint, "DescribeMapRun", json!({"mapRunArn": run}));
    assert_eq!(described["itemCounts"]["succeeded"], 3);
    // A ResultWriter puts the results and a manifest under <Prefix>/<map run id>/.
    let writer = create(
        &p.endpoint,
        "orders-export",
        &json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
        "ItemsPath": "$.orders",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "orders", "Prefix.$": "$.prefix"}},
        "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": writer, "input": r#"{"prefix": "results", "orders": [1, 2]}"#}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    let run = out["MapRunArn"].as_str().unwrap();
    let run_id = run.rsplit(':').next().unwrap();
    let key = format!("results/{run_id}/manifest.json");
    assert_eq!(
        out["ResultWriterDetails"],
        json!({"Bucket": "orders", "Key": key})
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s3/orders").join(&key)).unwrap())
            .unwrap();
    let succeeded = format!("results/{run_id}/SUCCEEDED_0.json");
    let written = std::fs::read_to_string(dir.join("s3/orders").join(&succeeded)).unwrap();
    assert_eq!(
        manifest,
        json!({"DestinationBucket": "orders", "MapRunArn": run, "ResultFiles": {
            "FAILED": [], "PENDING": [],
            "SUCCEEDED": [{"Key": succeeded, "Size": written.len()}]}})
    );
    let entries: Vec<Value> = serde_json::from_str(&written).unwrap();
    let outputs: Vec<&Value> = entries.iter().map(|e| &e["Output"]).collect();
    assert_eq!(outputs, [&json!("1"), &json!("2")]);
    // A key that is not there fails the Map with S3's error.
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{\"key\": \"nope.csv\"}"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = wait_closed(&p.endpoint, &arn);
    assert_eq!(
        (d["status"].clone(), d["error"].clone()),
        (json!("FAILED"), json!("S3.NoSuchKeyException")),
        "{d}"
    );
    drop(p);
}

#[test]
fn a_running_execution_s_history_pages_in_both_orders() {
    let p = spawn(&["--in-memory"]);
    let sm = create(
        &p.endpoint,
        "waits",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    );
    let arn = ok(
        &p.endpoint,
        "StartExecution",
        json!({"stateMachineArn": sm}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let page = |body: Value| ok(&p.endpoint, "GetExecutionHistory", body);
    let ids = |v: &Value| -> Vec<u64> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_u64().unwrap())
            .collect()
    };
    // ExecutionStarted, WaitStateEntered: the execution is waiting (once it got there).
    let mut latest = Value::Null;
    for _ in 0..500 {
        latest = page(json!({"executionArn": arn, "maxResults": 1, "reverseOrder": true}));
        if latest["events"][0]["id"] == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(latest["events"][0]["type"], "WaitStateEntered");
    let first = page(json!({"executionArn": arn, "maxResults": 1}));
    assert_eq!(ids(&first), [1]);
    let second = page(json!({"executionArn": arn, "maxResults": 1,
                             "nextToken": first["nextToken"]}));
    assert_eq!(ids(&second), [2]);
    assert_eq!(second["events"][0]["type"], "WaitStateEntered");
    assert!(second.get("nextToken").is_none(), "{second}");
    let status = ok(
        &p.endpoint,
        "DescribeExecution",
        json!({"executionArn": arn}),
    );
    assert_eq!(status["status"], "RUNNING");
}
