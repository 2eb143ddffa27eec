//! The `sfn-local run` contract: JSON on stdout, exit codes, input text kept as given.

use std::process::Command;

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

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sfn-local-run-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn succeeded_execution_prints_describe_and_history() {
    let d = tempdir("ok");
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
    let d = tempdir("fail");
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
    let d = tempdir("bad");
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
    let d = tempdir("mock");
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
