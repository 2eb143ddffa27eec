//! `aws-sdk:sfn:*` served by sfn-local itself: a workflow starts another (its JSON `Input`
//! serialised implicitly), describes it and lists it, with PascalCase members both ways, and
//! catches `Sfn.ExecutionDoesNotExistException` for an execution that is not there.

mod common;

use common::{create, ok, spawn, wait_closed};
use serde_json::{Value, json};

#[test]
fn aws_sdk_sfn_actions_are_answered_by_the_server() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let target = create(
        e,
        "target",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    let sm = create(
        e,
        "caller",
        &json!({"StartAt": "Start", "States": {
            "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
                "Parameters": {"StateMachineArn": target, "Name": "child-1", "Input": {"key": "value"}},
                "ResultPath": "$.started", "Next": "Describe"},
            "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
                "Parameters": {"ExecutionArn.$": "$.started.ExecutionArn"},
                "ResultPath": "$.described", "Next": "Missing"},
            "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
                "Parameters": {"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:target:nope"},
                "Catch": [{"ErrorEquals": ["Sfn.ExecutionDoesNotExistException"], "ResultPath": "$.missing", "Next": "Done"}],
                "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let x = common::start(e, &sm, &json!({}));
    let d = wait_closed(e, &x);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    let child = "arn:aws:states:us-east-1:123456789012:execution:target:child-1";
    assert_eq!(out["started"]["ExecutionArn"], child);
    assert!(out["started"]["StartDate"].is_number(), "{out}");
    assert_eq!(out["described"]["Name"], "child-1");
    assert_eq!(out["described"]["Input"], "{\"key\":\"value\"}");
    assert_eq!(out["described"]["StateMachineArn"], target);
    assert_eq!(
        out["missing"]["Error"], "Sfn.ExecutionDoesNotExistException",
        "{out}"
    );
    assert!(out["missing"]["Cause"].as_str().unwrap().contains("nope"));
    assert_eq!(wait_closed(e, child)["status"], "SUCCEEDED");
    let listed = ok(e, "ListExecutions", json!({"stateMachineArn": target}));
    assert_eq!(listed["executions"].as_array().unwrap().len(), 1);
}

/// A map's keys are data: `VariableReferences` keeps the state names as they are written.
#[test]
fn map_members_keep_their_keys_through_aws_sdk_sfn() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let target = create(
        e,
        "uses-vars",
        &json!({"QueryLanguage": "JSONata", "StartAt": "setX", "States": {
            "setX": {"Type": "Pass", "Assign": {"x": 1}, "Next": "useX"},
            "useX": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}),
    );
    let sm = create(
        e,
        "describer",
        &json!({"StartAt": "D", "States": {"D": {"Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sfn:describeStateMachine",
            "Parameters": {"StateMachineArn": target}, "End": true}}}),
    );
    let out = common::succeeded_output(e, &sm, &json!({}));
    assert_eq!(out["Name"], "uses-vars", "{out}");
    assert_eq!(out["VariableReferences"], json!({"useX": ["x"]}), "{out}");
}
