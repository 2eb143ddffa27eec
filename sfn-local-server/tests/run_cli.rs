//! The `sfn-local run` contract: JSON on stdout, exit codes, input text kept as given.

use std::process::Command;

mod common;
use common::TempDir;

fn sfn_local(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn succeeded_execution_prints_describe_and_history() {
    let d = TempDir::new("run-ok");
    let def = write(
        &d,
        "def.json",
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$.a"},"End":true}}}"#,
    );
    let input = write(&d, "in.json", r#"{"a": ["x", "y"]}"#);
    let (code, stdout, _) = sfn_local(&[
        "run",
        &def,
        "--input-file",
        &input,
        "--name",
        "e1",
        "--state-machine-name",
        "sm",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["input"], r#"{"a": ["x", "y"]}"#);
    assert_eq!(v["output"], r#"{"v":["x","y"]}"#);
    assert_eq!(
        v["executionArn"],
        "arn:aws:states:us-east-1:123456789012:execution:sm:e1"
    );
    assert_eq!(
        v["events"][0]["executionStartedEventDetails"]["input"],
        r#"{"a": ["x", "y"]}"#
    );
    assert_eq!(v["events"].as_array().unwrap().len(), 4);
}

#[test]
fn failed_execution_exits_one_with_error_and_cause() {
    let d = TempDir::new("run-fail");
    let def = write(
        &d,
        "def.json",
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}"#,
    );
    let (code, stdout, _) = sfn_local(&["run", &def]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            v["status"].as_str(),
            v["error"].as_str(),
            v["cause"].as_str()
        ),
        (Some("FAILED"), Some("E"), Some("C"))
    );
}

#[test]
fn invalid_definition_exits_two_with_located_message() {
    let d = TempDir::new("run-bad");
    let def = write(
        &d,
        "def.json",
        "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\"}}}",
    );
    let (code, stdout, stderr) = sfn_local(&["run", &def]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("2:13: SCHEMA_VALIDATION_FAILED"),
        "{stderr}"
    );
}

#[test]
fn mock_config_answers_tasks_by_invocation() {
    let d = TempDir::new("run-mock");
    let def = write(
        &d,
        "def.json",
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":5}],"End":true}}}"#,
    );
    let mock = write(
        &d,
        "mock.json",
        r#"{"StateMachines":{"sm":{"TestCases":{"T1":{"T":"R"}}}},"MockedResponses":{"R":{"0-1":{"Throw":{"Error":"Lambda.TooManyRequestsException","Cause":"slow down"}},"2":{"Return":{"StatusCode":200,"Payload":{"ok":true}}}}}}"#,
    );
    let (code, stdout, stderr) = sfn_local(&[
        "run",
        &def,
        "--state-machine-name",
        "sm",
        "--mock-config",
        &mock,
        "--test-case",
        "T1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["output"], r#"{"StatusCode":200,"Payload":{"ok":true}}"#);
    assert_eq!(
        v["stopDate"].as_f64().unwrap() - v["startDate"].as_f64().unwrap(),
        15.0
    );
}

#[test]
fn s3_dir_serves_item_readers_and_result_writers() {
    let d = TempDir::new("run-s3");
    let bucket = d.join("s3").join("data");
    std::fs::create_dir_all(&bucket).unwrap();
    std::fs::write(bucket.join("items.json"), r#"[{"n": 1}, {"n": 2}]"#).unwrap();
    let def = write(
        &d,
        "def.json",
        r#"{"StartAt":"M","States":{"M":{"Type":"Map",
            "ItemReader":{"Resource":"arn:aws:states:::s3:getObject",
                          "ReaderConfig":{"InputType":"JSON"},
                          "Parameters":{"Bucket":"data","Key":"items.json"}},
            "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
                             "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
            "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject",
                            "Parameters":{"Bucket":"data","Prefix":"out"}},
            "End":true}}}"#,
    );
    let s3 = d.join("s3").to_string_lossy().into_owned();
    let (code, stdout, stderr) = sfn_local(&["run", &def, "--s3-dir", &s3]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let output: serde_json::Value = serde_json::from_str(v["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["ResultWriterDetails"]["Bucket"], "data");
    let key = output["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert!(
        key.starts_with("out/") && key.ends_with("/manifest.json"),
        "{key}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bucket.join(key)).unwrap()).unwrap();
    let file = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .unwrap();
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bucket.join(file)).unwrap()).unwrap();
    let outputs: Vec<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Output"].as_str().unwrap())
        .collect();
    assert_eq!(outputs, [r#"{"n":1}"#, r#"{"n":2}"#]);

    // Without a local S3 the reader's bucket is one the account does not have (as the local
    // S3 answers for a bucket it lacks).
    let (code, stdout, _) = sfn_local(&["run", &def]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["error"], "S3.NoSuchBucketException");
}
