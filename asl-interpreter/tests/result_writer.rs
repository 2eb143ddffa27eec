//! A Distributed Map's `ResultWriter`: the files it puts through `s3:putObject`, the manifest,
//! the state's result, `WriterConfig` alone, and how writing fails.

use std::sync::{Arc, Mutex};

use asl_interpreter::{Handlers, Outcome, Status, TaskFailure, TaskRequest};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;

const PUT_OBJECT: &str = "arn:aws:states:::s3:putObject";

/// One `putObject` the writer made.
#[derive(Debug, Clone)]
struct Put {
    bucket: String,
    key: String,
    body: String,
}

/// Records every `putObject` and answers as S3 does.
fn recorder() -> (Handlers, Arc<Mutex<Vec<Put>>>) {
    let puts = Arc::new(Mutex::new(Vec::new()));
    let seen = puts.clone();
    let handlers = Handlers::new().resource(PUT_OBJECT, move |req: TaskRequest| {
        let p = &req.parameters;
        let text = |f: &str| p[f].as_str().unwrap_or_default().to_string();
        seen.lock().unwrap().push(Put {
            bucket: text("Bucket"),
            key: text("Key"),
            body: text("Body"),
        });
        std::future::ready(Ok(json!({"ETag": "\"etag\""})))
    });
    (handlers, puts)
}

fn run(handlers: Handlers, def: Value, input: &str) -> Outcome {
    let start = Utc.with_ymd_and_hms(2025, 2, 4, 1, 49, 50).unwrap();
    common::run_at(start, handlers, def, input)
}

/// A Distributed Map over `$.items` whose children run `processor`, with these extra fields.
fn distributed(processor: Value, extra: Value) -> Value {
    let mut map = json!({"Type": "Map", "Label": "Lbl", "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Child", "States": processor},
        "End": true});
    for (k, v) in extra.as_object().unwrap() {
        map[k] = v.clone();
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

/// Children that fail on `{"fail": true}`, wait `wait` seconds if given, and otherwise return
/// `{"v": <item>}`.
fn failing_children() -> Value {
    json!({
        "Child": {"Type": "Choice", "Choices": [
            {"Variable": "$.fail", "IsPresent": true, "Next": "Boom"},
            {"Variable": "$.wait", "IsPresent": true, "Next": "Slow"}],
            "Default": "Ok"},
        "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "bad item"},
        "Slow": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Ok"},
        "Ok": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": true}
    })
}

fn output(out: &Outcome) -> Value {
    serde_json::from_str(out.output.as_deref().expect("an output")).unwrap()
}

fn map_run_id(out: &Value) -> String {
    let arn = out["MapRunArn"].as_str().expect("a MapRunArn");
    arn.rsplit(':').next().unwrap().to_string()
}

/// The file's JSON with the map run's id and the children's names (both random per run) as
/// placeholders, for snapshots.
fn redacted(body: &str, run_id: &str) -> Value {
    let mut text = body.replace(run_id, "<map-run-id>");
    let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
    for (i, e) in entries.iter().enumerate() {
        if let Some(name) = e["Name"].as_str() {
            text = text.replace(name, &format!("<name-{i}>"));
        }
    }
    serde_json::from_str(&text).unwrap()
}

fn keys(e: &Value) -> Vec<&str> {
    e.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn export_writes_the_results_and_a_manifest_and_returns_where() {
    let (handlers, puts) = recorder();
    let def = distributed(
        json!({"Child": {"Type": "Wait", "Seconds": 2, "Next": "Out"},
               "Out": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": true}}),
        json!({"ResultWriter": {"Resource": PUT_OBJECT,
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "exports"}},
               "ResultPath": "$.written"}),
    );
    let out = run(
        handlers,
        def,
        r#"{"bucket": "results", "items": [1, {"a": "x"}]}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    let written = &output(&out)["written"];
    let run_id = map_run_id(written);
    assert_eq!(
        *written,
        json!({"MapRunArn": format!("arn:aws:states:us-east-1:123456789012:mapRun:sm/Lbl:{run_id}"),
               "ResultWriterDetails": {"Bucket": "results", "Key": format!("exports/{run_id}/manifest.json")}})
    );

    let puts = puts.lock().unwrap().clone();
    let keys_written: Vec<&str> = puts.iter().map(|p| p.key.as_str()).collect();
    let succeeded = format!("exports/{run_id}/SUCCEEDED_0.json");
    assert_eq!(
        keys_written,
        [
            succeeded.as_str(),
            &format!("exports/{run_id}/manifest.json")
        ]
    );
    assert!(puts.iter().all(|p| p.bucket == "results"));
    let manifest: Value = serde_json::from_str(&puts[1].body).unwrap();
    assert_eq!(
        manifest,
        json!({"DestinationBucket": "results", "MapRunArn": written["MapRunArn"],
            "ResultFiles": {"FAILED": [], "PENDING": [],
                "SUCCEEDED": [{"Key": succeeded, "Size": puts[0].body.len()}]}})
    );
    let entries: Vec<Value> = serde_json::from_str(&puts[0].body).unwrap();
    assert_eq!(
        keys(&entries[0]),
        [
            "ExecutionArn",
            "Input",
            "InputDetails",
            "Name",
            "Output",
            "OutputDetails",
            "RedriveCount",
            "RedriveStatus",
            "RedriveStatusReason",
            "StartDate",
            "StateMachineArn",
            "Status",
            "StopDate"
        ]
    );
    assert_eq!(
        entries[0]["ExecutionArn"],
        format!(
            "arn:aws:states:us-east-1:123456789012:execution:sm/Lbl:{}",
            entries[0]["Name"].as_str().unwrap()
        )
    );
    assert_ne!(entries[0]["Name"], entries[1]["Name"]);
    insta::assert_json_snapshot!(redacted(&puts[0].body, &run_id));
}

#[test]
fn failed_children_go_to_the_failed_file_and_tolerated_failures_succeed() {
    let (handlers, puts) = recorder();
    let def = distributed(
        failing_children(),
        json!({"ToleratedFailureCount": 1,
               "ResultWriter": {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "b"}}}),
    );
    let out = run(handlers, def, r#"{"items": [{"n": 1}, {"fail": true}]}"#);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    let run_id = map_run_id(&output(&out));
    let puts = puts.lock().unwrap().clone();
    let keys_written: Vec<&str> = puts.iter().map(|p| p.key.as_str()).collect();
    // No Prefix: the keys start at the map run's id.
    assert_eq!(
        keys_written,
        [
            format!("{run_id}/FAILED_0.json"),
            format!("{run_id}/SUCCEEDED_0.json"),
            format!("{run_id}/manifest.json")
        ]
    );
    let failed: Vec<Value> = serde_json::from_str(&puts[0].body).unwrap();
    assert_eq!(
        keys(&failed[0]),
        [
            "Cause",
            "Error",
            "ExecutionArn",
            "Input",
            "InputDetails",
            "Name",
            "OutputDetails",
            "RedriveCount",
            "RedriveStatus",
            "StartDate",
            "StateMachineArn",
            "Status",
            "StopDate"
        ]
    );
    insta::assert_json_snapshot!(redacted(&puts[0].body, &run_id));
    let manifest: Value = serde_json::from_str(&puts[2].body).unwrap();
    assert_eq!(
        manifest["ResultFiles"],
        json!({"FAILED": [{"Key": format!("{run_id}/FAILED_0.json"), "Size": puts[0].body.len()}],
               "PENDING": [],
               "SUCCEEDED": [{"Key": format!("{run_id}/SUCCEEDED_0.json"), "Size": puts[1].body.len()}]})
    );
}

#[test]
fn a_failed_map_run_still_writes_what_it_has() {
    // One at a time: the first failure fails the run, and the items after it never start.
    let (handlers, puts) = recorder();
    let def = distributed(
        failing_children(),
        json!({"MaxConcurrency": 1,
               "ResultWriter": {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "b", "Prefix": "p"}}}),
    );
    let out = run(
        handlers,
        def,
        r#"{"items": [{"n": 1}, {"fail": true}, {"n": 3}]}"#,
    );
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("Item.Bad"));
    let puts = puts.lock().unwrap().clone();
    let names: Vec<&str> = puts
        .iter()
        .map(|p| p.key.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "FAILED_0.json",
            "PENDING_0.json",
            "SUCCEEDED_0.json",
            "manifest.json"
        ]
    );
    let pending: Value = serde_json::from_str(&puts[1].body).unwrap();
    assert_eq!(
        pending,
        json!([{"Input": "{\"n\":3}", "InputDetails": {"Included": true}, "Status": "PENDING"}])
    );
    let failed: Vec<Value> = serde_json::from_str(&puts[0].body).unwrap();
    assert_eq!(
        (&failed[0]["Status"], &failed[0]["Error"]),
        (&json!("FAILED"), &json!("Item.Bad"))
    );

    // Two at a time: the child still waiting when its sibling fails the run is aborted.
    let (handlers, puts) = recorder();
    let def = distributed(
        failing_children(),
        json!({"MaxConcurrency": 2,
               "ResultWriter": {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "b"}}}),
    );
    let out = run(
        handlers,
        def,
        r#"{"items": [{"wait": 60}, {"fail": true}]}"#,
    );
    assert_eq!(out.status, Status::Failed);
    let puts = puts.lock().unwrap().clone();
    let failed: Vec<Value> = serde_json::from_str(&puts[0].body).unwrap();
    let statuses: Vec<&Value> = failed.iter().map(|e| &e["Status"]).collect();
    assert_eq!(statuses, [&json!("ABORTED"), &json!("FAILED")]);
    assert!(failed[0].get("Error").is_none());
    assert_eq!(failed[0]["RedriveStatus"], "REDRIVABLE_BY_MAP_RUN");
}

#[test]
fn writer_config_alone_formats_the_output_and_writes_nothing() {
    let children = json!({"Child": {"Type": "Pass", "End": true}});
    let input = r#"{"items": [[1, 2], [3], 4]}"#;
    let cases = [
        ("COMPACT", json!([[1, 2], [3], 4])),
        ("FLATTEN", json!([1, 2, 3, 4])),
    ];
    for (transformation, expected) in cases {
        let (handlers, puts) = recorder();
        let def = distributed(
            children.clone(),
            json!({"ResultWriter": {"WriterConfig": {"Transformation": transformation, "OutputType": "JSON"}}}),
        );
        let out = run(handlers, def, input);
        assert_eq!(out.status, Status::Succeeded, "{out:?}");
        assert_eq!(output(&out), expected, "{transformation}");
        assert!(puts.lock().unwrap().is_empty());
    }
    // NONE: each child's metadata.
    let def = distributed(
        children,
        json!({"ResultWriter": {"WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}}),
    );
    let out = run(Handlers::new(), def, input);
    let entries = output(&out);
    let statuses: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["Status"])
        .collect();
    assert_eq!(statuses, [&json!("SUCCEEDED"); 3]);
    assert_eq!(entries[1]["Output"], "[3]");
}

#[test]
fn jsonl_puts_one_document_per_line() {
    let (handlers, puts) = recorder();
    let def = distributed(
        json!({"Child": {"Type": "Pass", "End": true}}),
        json!({"ResultWriter": {"Resource": PUT_OBJECT,
            "Parameters": {"Bucket": "b", "Prefix": "lines"},
            "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}}}),
    );
    let out = run(
        handlers,
        def,
        r#"{"items": [[{"a": 1}, {"a": 2}], {"a": 3}]}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    let puts = puts.lock().unwrap().clone();
    assert!(
        puts[0].key.ends_with("/SUCCEEDED_0.json"),
        "{}",
        puts[0].key
    );
    assert_eq!(puts[0].body, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    // The manifest stays one JSON document.
    let manifest: Value = serde_json::from_str(&puts[1].body).unwrap();
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Size"], 24);
}

#[test]
fn jsonata_arguments_name_the_bucket_and_prefix() {
    let (handlers, puts) = recorder();
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.items %}",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "Child", "States": {"Child": {"Type": "Pass", "End": true}}},
        "ResultWriter": {"Resource": PUT_OBJECT, "Arguments": {
            "Bucket": "{% $states.input.bucket %}", "Prefix": "{% 'runs/' & $states.input.day %}"}},
        "End": true}}});
    let out = run(
        handlers,
        def,
        r#"{"bucket": "b2", "day": "d1", "items": [1]}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    let result = output(&out);
    let run_id = map_run_id(&result);
    assert_eq!(
        result["ResultWriterDetails"],
        json!({"Bucket": "b2", "Key": format!("runs/d1/{run_id}/manifest.json")})
    );
    let puts = puts.lock().unwrap().clone();
    let entries: Vec<Value> = serde_json::from_str(&puts[0].body).unwrap();
    // Express children: `express:<state machine>/<label>:<map run id>:<name>`.
    let arn = entries[0]["ExecutionArn"].as_str().unwrap();
    let label = result["MapRunArn"]
        .as_str()
        .unwrap()
        .split_once("mapRun:sm/")
        .unwrap()
        .1;
    assert_eq!(
        arn,
        format!(
            "arn:aws:states:us-east-1:123456789012:express:sm/{label}:{}",
            entries[0]["Name"].as_str().unwrap()
        )
    );
}

#[test]
fn a_write_that_fails_fails_the_map_with_result_writer_failed() {
    let writer = json!({"ResultWriter": {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "b"}}});
    let child = json!({"Child": {"Type": "Pass", "End": true}});
    // No handler for s3:putObject: the bucket is one the account does not have.
    let out = run(
        Handlers::new(),
        distributed(child.clone(), writer.clone()),
        r#"{"items": [1]}"#,
    );
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.ResultWriterFailed"));
    assert!(
        out.cause
            .as_deref()
            .unwrap()
            .starts_with("The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket;"),
        "{:?}",
        out.cause
    );
    let failed = out
        .history
        .iter()
        .find(|e| e.event_type == "MapRunFailed")
        .expect("MapRunFailed");
    assert_eq!(
        failed.details.as_ref().unwrap().get_str("error").as_deref(),
        Some("States.ResultWriterFailed")
    );
    assert!(
        out.history
            .iter()
            .all(|e| e.event_type != "MapRunSucceeded")
    );

    // The handler's failure: its cause is the writer's; a Catch sees it.
    let refusing = Handlers::new().resource(PUT_OBJECT, |_req: TaskRequest| {
        std::future::ready(Err(TaskFailure::new(
            "S3.NoSuchBucketException",
            "The specified bucket does not exist",
        )))
    });
    let mut def = distributed(child, writer);
    def["States"]["M"]["Catch"] =
        json!([{"ErrorEquals": ["States.ResultWriterFailed"], "Next": "Caught"}]);
    def["States"]["M"].as_object_mut().unwrap().remove("End");
    def["States"]["M"]["Next"] = json!("Done");
    def["States"]["Done"] = json!({"Type": "Succeed"});
    def["States"]["Caught"] = json!({"Type": "Pass", "End": true});
    let out = run(refusing, def, r#"{"items": [1]}"#);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(
        output(&out),
        json!({"Error": "States.ResultWriterFailed", "Cause": "The specified bucket does not exist"})
    );
}

#[test]
fn an_empty_result_writer_fails_the_execution() {
    let def = distributed(
        json!({"Child": {"Type": "Pass", "End": true}}),
        json!({"ResultWriter": {}}),
    );
    let out = run(Handlers::new(), def, r#"{"items": [1]}"#);
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert!(
        out.cause.as_deref().unwrap().contains("ResultWriter"),
        "{:?}",
        out.cause
    );
    let bad = distributed(
        json!({"Child": {"Type": "Pass", "End": true}}),
        json!({"ResultWriter": {"WriterConfig": {"Transformation": "SQUASH"}}}),
    );
    let out = run(Handlers::new(), bad, r#"{"items": [1]}"#);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert!(out.cause.as_deref().unwrap().contains("SQUASH"));
}
