//! `sfn-local graph` and `sfn-local run --graph`: the pictures of `asl-graph` from the
//! command line, for definition files, templates and histories.

mod common;

use std::process::Command;

use common::TempDir;
use serde_json::json;

fn sfn_local(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(args)
        .output()
        .expect("sfn-local")
}

fn def() -> serde_json::Value {
    json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Pick"},
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed"},
        "No": {"Type": "Fail", "Error": "Nope"}}})
}

#[test]
fn a_definition_in_each_format_and_a_run_over_it() {
    let dir = TempDir::new("graph-cli");
    let path = dir.join("flow.asl.json");
    std::fs::write(&path, def().to_string()).unwrap();
    let p = path.to_str().unwrap();
    let out = sfn_local(&["graph", p]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("flowchart TD"));
    let out = sfn_local(&["graph", p, "--format", "dot"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("digraph"),
        "{out:?}"
    );
    let svg = dir.join("flow.svg");
    let out = sfn_local(&["graph", p, "--out", svg.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    // A run, drawn beside its JSON, and the same JSON drawn by `graph --history`.
    let picture = dir.join("run.svg");
    let out = sfn_local(&[
        "run",
        p,
        "--input",
        r#"{"go": false}"#,
        "--graph",
        picture.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let drawn = std::fs::read_to_string(&picture).unwrap();
    assert!(
        drawn.contains(r#"data-state="No""#) && drawn.contains(" failed\""),
        "{drawn}"
    );
    let history = dir.join("run.json");
    std::fs::write(&history, &out.stdout).unwrap();
    let out = sfn_local(&[
        "graph",
        p,
        "--history",
        history.to_str().unwrap(),
        "--format",
        "mermaid",
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("classDef"),
        "{out:?}"
    );
}

#[test]
fn a_template_names_its_state_machines() {
    let dir = TempDir::new("graph-template");
    let template = json!({"Resources": {
        "One": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": def()}},
        "Two": {"Type": "AWS::Serverless::StateMachine", "Properties": {"Definition":
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}}}}});
    let path = dir.join("template.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let p = path.to_str().unwrap();
    let out = sfn_local(&["graph", p]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--name") && err.contains("One, Two"), "{err}");
    let out = sfn_local(&["graph", p, "--name", "Two"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("s_W"),
        "{out:?}"
    );
    let out = sfn_local(&["graph", p, "--name", "Three"]);
    assert_eq!(out.status.code(), Some(2));
    // Not a definition at all.
    std::fs::write(&path, "{ nope").unwrap();
    let out = sfn_local(&["graph", p]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
