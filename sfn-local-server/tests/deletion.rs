//! DeleteStateMachine (issue 16, family 7), as the API reference describes it: "It sets the
//! state machine's status to DELETING and begins the deletion process. A state machine is
//! deleted only when all its executions are completed. On the next state transition, the state
//! machine's executions are terminated ... This API action also deletes all versions and
//! aliases associated with a state machine."
//!
//! Here the deletion is done when the call returns: the running executions are stopped, and
//! the executions with their histories, the versions, the aliases and the tags are gone, so a
//! state machine created again with the same name lists none of the old executions (and a
//! restart does not bring them back). Deleting a state machine that does not exist succeeds;
//! "a qualified state machine ARN that refers to a Distributed Map state" is a
//! `ValidationException`; a version's or an alias's ARN is `InvalidArn` (AWS documents only
//! that the operation takes the state machine's ARN).

mod common;

use common::{TempDir, call, ok, spawn, wait_closed};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn definition(wait: bool) -> String {
    if wait {
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100000, "End": true}}})
    } else {
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})
    }
    .to_string()
}

fn error_type(v: &Value) -> &str {
    v["__type"]
        .as_str()
        .unwrap_or_default()
        .rsplit('#')
        .next()
        .unwrap()
}

fn start(ep: &str, arn: &str, name: &str) -> String {
    ok(
        ep,
        "StartExecution",
        json!({"stateMachineArn": arn, "name": name}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn deleting_a_state_machine_takes_its_executions_versions_and_aliases() {
    let dir = TempDir::new("deletion");
    let mut p = spawn(&["--data-dir", dir.arg()]);
    let ep = p.endpoint.clone();
    let ep = ep.as_str();
    let sm = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "gone", "definition": definition(true), "roleArn": ROLE,
               "publish": true, "tags": [{"key": "k", "value": "v"}]}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let v1 = format!("{sm}:1");
    let alias = ok(
        ep,
        "CreateStateMachineAlias",
        json!({"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": v1, "weight": 100}]}),
    )["stateMachineAliasArn"]
        .as_str()
        .unwrap()
        .to_string();
    let running = start(ep, &sm, "running");
    let through_alias = start(ep, &alias, "through-alias");
    let stopped = start(ep, &sm, "stopped");
    ok(ep, "StopExecution", json!({"executionArn": stopped}));
    assert_eq!(wait_closed(ep, &stopped)["status"], "ABORTED");
    assert_eq!(
        ok(ep, "DescribeExecution", json!({"executionArn": running}))["status"],
        "RUNNING"
    );

    ok(ep, "DeleteStateMachine", json!({"stateMachineArn": sm}));

    // (operation, body, error type) after the deletion.
    let gone: Vec<(&str, Value, &str)> = vec![
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": sm}),
            "StateMachineDoesNotExist",
        ),
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": v1}),
            "StateMachineDoesNotExist",
        ),
        (
            "DescribeStateMachineAlias",
            json!({"stateMachineAliasArn": alias}),
            "ResourceNotFound",
        ),
        (
            "ListExecutions",
            json!({"stateMachineArn": sm}),
            "StateMachineDoesNotExist",
        ),
        (
            "StartExecution",
            json!({"stateMachineArn": sm}),
            "StateMachineDoesNotExist",
        ),
        (
            "ListTagsForResource",
            json!({"resourceArn": sm}),
            "ResourceNotFound",
        ),
    ];
    let check_gone = |ep: &str| {
        for (op, body, ty) in &gone {
            let (status, v) = call(ep, op, body.clone());
            assert_eq!(status, 400, "{op} {body}: {v}");
            assert_eq!(error_type(&v), *ty, "{op} {body}: {v}");
        }
        for e in [&running, &through_alias, &stopped] {
            for op in [
                "DescribeExecution",
                "GetExecutionHistory",
                "DescribeStateMachineForExecution",
            ] {
                let (status, v) = call(ep, op, json!({"executionArn": e}));
                assert_eq!(status, 400, "{op} {e}: {v}");
                assert_eq!(error_type(&v), "ExecutionDoesNotExist", "{op} {e}: {v}");
            }
        }
    };
    check_gone(ep);
    // Deleting again (or one that never existed) succeeds.
    ok(ep, "DeleteStateMachine", json!({"stateMachineArn": sm}));

    // A restart brings nothing back.
    drop(p);
    p = spawn(&["--data-dir", dir.arg()]);
    let ep = p.endpoint.as_str();
    check_gone(ep);

    // Created again with the same name: no executions, no versions, no aliases, and the old
    // execution names are free.
    let again = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "gone", "definition": definition(false), "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(again, sm);
    let l = ok(ep, "ListExecutions", json!({"stateMachineArn": sm}));
    assert_eq!(l["executions"], json!([]), "{l}");
    let l = ok(
        ep,
        "ListStateMachineVersions",
        json!({"stateMachineArn": sm}),
    );
    assert_eq!(l["stateMachineVersions"], json!([]), "{l}");
    let l = ok(
        ep,
        "ListStateMachineAliases",
        json!({"stateMachineArn": sm}),
    );
    assert_eq!(l["stateMachineAliases"], json!([]), "{l}");
    let l = ok(ep, "ListTagsForResource", json!({"resourceArn": sm}));
    assert_eq!(l["tags"], json!([]), "{l}");
    let e = start(ep, &sm, "running");
    assert_eq!(e, running);
    assert_eq!(wait_closed(ep, &e)["status"], "SUCCEEDED");
    // Publishing starts again at version 1.
    let v = ok(
        ep,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": sm}),
    );
    assert_eq!(v["stateMachineVersionArn"], json!(v1));
}

#[test]
fn deleting_one_that_does_not_exist_and_qualified_arns() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let sm = "arn:aws:states:us-east-1:123456789012:stateMachine:never";
    ok(ep, "DeleteStateMachine", json!({"stateMachineArn": sm}));
    // (qualified ARN, error type)
    let cases = [
        (format!("{sm}:1"), "InvalidArn"),
        (format!("{sm}:live"), "InvalidArn"),
        (format!("{sm}/mapLabel"), "ValidationException"),
    ];
    for (arn, ty) in cases {
        let (status, v) = call(ep, "DeleteStateMachine", json!({"stateMachineArn": arn}));
        assert_eq!(status, 400, "{v}");
        assert_eq!(error_type(&v), ty, "{arn}: {v}");
    }
}
