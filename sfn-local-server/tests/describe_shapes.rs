//! What DescribeStateMachine and DescribeStateMachineForExecution answer, member by member
//! (issue 16, families 6 and 10), and the state machine checks of family 11, as the API
//! reference describes them:
//!
//! - DescribeStateMachine: `loggingConfiguration` (`level` OFF, `includeExecutionData` false
//!   when none was given), `tracingConfiguration` (`enabled` false), `encryptionConfiguration`
//!   (`AWS_OWNED_KEY`), `status` ACTIVE; `description` only for a version ("The description of
//!   the state machine version"); `label` only for a Distributed Map's qualified ARN.
//! - `revisionId`: "The first revision ID when you create the state machine is null"
//!   (DescribeStateMachineForExecution): absent until an update makes one; UpdateStateMachine
//!   answers the new one.
//! - LoggingConfiguration `destinations`: "Limited to size 1. Required, if your log level is
//!   not set to OFF": `InvalidLoggingConfiguration` otherwise (message ours).
//! - EXPRESS workflows "only support Request Response integrations" (developer guide,
//!   "Discover service integration patterns") and no activities: CreateStateMachine with type
//!   EXPRESS refuses `.sync`, `.waitForTaskToken` and activity resources as
//!   `InvalidDefinition`; ValidateStateMachineDefinition with `type` EXPRESS reports them as
//!   errors (`SCHEMA_VALIDATION_FAILED`, texts ours).
//! - `variableReferences`: "A map of state name to a list of variables referenced by that
//!   state. States that do not use variable references will not be shown in the response."
//! - ListStateMachines: oldest first (AWS documents no order; creation order is ours).

mod common;

use common::{call, ok, spawn, wait_closed};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";
const LOG_GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:g:*";

fn pass() -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string()
}

fn task(resource: &str) -> String {
    json!({"StartAt": "T", "States": {
    "T": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "In", "States": {"In": {"Type": "Task", "Resource": resource, "End": true}}}
    ]}}})
    .to_string()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn describe_members_by_default_and_after_an_update() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let sm = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "shape", "definition": pass(), "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": sm}));
    assert_eq!(
        keys(&d),
        [
            "creationDate",
            "definition",
            "encryptionConfiguration",
            "loggingConfiguration",
            "name",
            "roleArn",
            "stateMachineArn",
            "status",
            "tracingConfiguration",
            "type"
        ]
    );
    assert_eq!(
        d["loggingConfiguration"],
        json!({"level": "OFF", "includeExecutionData": false})
    );
    assert_eq!(d["tracingConfiguration"], json!({"enabled": false}));
    assert_eq!(
        d["encryptionConfiguration"],
        json!({"type": "AWS_OWNED_KEY"})
    );
    assert_eq!(d["status"], "ACTIVE");
    assert_eq!(d["type"], "STANDARD");

    // DescribeStateMachineForExecution of an execution of the first revision: no revisionId.
    let e = ok(ep, "StartExecution", json!({"stateMachineArn": sm}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    wait_closed(ep, &e);
    let f = ok(
        ep,
        "DescribeStateMachineForExecution",
        json!({"executionArn": e}),
    );
    assert!(f.get("revisionId").is_none(), "{f}");
    assert_eq!(f["stateMachineArn"], json!(sm));

    // An update that changes only the logging is a new revision too.
    let u = ok(
        ep,
        "UpdateStateMachine",
        json!({"stateMachineArn": sm, "loggingConfiguration": {"level": "ERROR",
               "includeExecutionData": true,
               "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]}}),
    );
    let rev = u["revisionId"].as_str().expect("revisionId").to_string();
    let d = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": sm}));
    assert_eq!(d["revisionId"], json!(rev));
    assert_eq!(d["loggingConfiguration"]["level"], "ERROR");
    assert_eq!(
        d["loggingConfiguration"]["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"],
        LOG_GROUP
    );
    // An update that changes nothing keeps the revision.
    let same = ok(
        ep,
        "UpdateStateMachine",
        json!({"stateMachineArn": sm, "definition": pass()}),
    );
    assert_eq!(same["revisionId"], json!(rev));

    // Executions of a version: the version's ARN and revision.
    let v = ok(
        ep,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": sm}),
    )["stateMachineVersionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let e = ok(ep, "StartExecution", json!({"stateMachineArn": v}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    wait_closed(ep, &e);
    let f = ok(
        ep,
        "DescribeStateMachineForExecution",
        json!({"executionArn": e}),
    );
    assert_eq!(f["stateMachineArn"], json!(v));
    assert_eq!(f["revisionId"], json!(rev));
}

#[test]
fn list_state_machines_oldest_first() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    for name in ["zeta", "alpha", "mid"] {
        ok(
            ep,
            "CreateStateMachine",
            json!({"name": name, "definition": pass(), "roleArn": ROLE}),
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let l = ok(ep, "ListStateMachines", json!({}));
    let names: Vec<&str> = l["stateMachines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    assert_eq!(
        keys(&l["stateMachines"][0]),
        ["creationDate", "name", "stateMachineArn", "type"]
    );
}

#[test]
fn logging_configuration_rules() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let dest = json!({"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}});
    let bad = "Invalid Logging Configuration: Must specify exactly one Log Destination.";
    // (loggingConfiguration, expected error: None = accepted)
    let cases: Vec<(Value, Option<&str>)> = vec![
        (json!({"level": "OFF"}), None),
        (json!({"level": "OFF", "destinations": [dest]}), None),
        (json!({"level": "ALL", "destinations": [dest]}), None),
        (json!({"level": "ALL"}), Some(bad)),
        (json!({"level": "ERROR", "destinations": []}), Some(bad)),
        (json!({"level": "FATAL"}), Some(bad)),
        (
            json!({"level": "ALL", "destinations": [dest, dest]}),
            Some(bad),
        ),
        (
            json!({"level": "OFF", "destinations": [dest, dest]}),
            Some(bad),
        ),
    ];
    let sm = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "base", "definition": pass(), "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    for (i, (logging, want)) in cases.iter().enumerate() {
        let create = call(
            ep,
            "CreateStateMachine",
            json!({"name": format!("l{i}"), "definition": pass(), "roleArn": ROLE,
                   "loggingConfiguration": logging}),
        );
        let update = call(
            ep,
            "UpdateStateMachine",
            json!({"stateMachineArn": sm, "loggingConfiguration": logging}),
        );
        for (op, (status, v)) in [("create", create), ("update", update)] {
            match want {
                None => assert_eq!(status, 200, "{op} {logging}: {v}"),
                Some(msg) => {
                    assert_eq!(status, 400, "{op} {logging}: {v}");
                    assert!(
                        v["__type"]
                            .as_str()
                            .unwrap()
                            .ends_with("#InvalidLoggingConfiguration"),
                        "{v}"
                    );
                    assert_eq!(v["message"], *msg);
                }
            }
        }
    }
}

#[test]
fn express_refuses_what_it_cannot_run() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let at = "/States/T/Branches/0/States/In/Resource";
    // (resource, refused by EXPRESS with this message)
    let cases: Vec<(&str, Option<&str>)> = vec![
        ("arn:aws:states:::lambda:invoke", None),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", None),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            Some("Express state machine does not support '.waitForTaskToken' service integration"),
        ),
        (
            "arn:aws:states:::states:startExecution.sync",
            Some("Express state machine does not support '.sync' service integration"),
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            Some("Express state machine does not support '.sync' service integration"),
        ),
        (
            "arn:aws:states:us-east-1:123456789012:activity:a",
            Some("Express state machine does not support Activity ARN"),
        ),
    ];
    for (i, (resource, refused)) in cases.iter().enumerate() {
        let def = task(resource);
        // STANDARD takes them all.
        ok(
            ep,
            "CreateStateMachine",
            json!({"name": format!("s{i}"), "definition": def, "roleArn": ROLE}),
        );
        let (status, v) = call(
            ep,
            "CreateStateMachine",
            json!({"name": format!("x{i}"), "definition": def, "roleArn": ROLE,
                   "type": "EXPRESS"}),
        );
        let check = ok(
            ep,
            "ValidateStateMachineDefinition",
            json!({"definition": def, "type": "EXPRESS"}),
        );
        let standard = ok(
            ep,
            "ValidateStateMachineDefinition",
            json!({"definition": def, "type": "STANDARD"}),
        );
        assert_eq!(standard["result"], "OK", "{resource}: {standard}");
        match refused {
            None => {
                assert_eq!(status, 200, "{resource}: {v}");
                assert_eq!(check["result"], "OK", "{resource}: {check}");
            }
            Some(why) => {
                assert_eq!(status, 400, "{resource}: {v}");
                assert!(
                    v["__type"]
                        .as_str()
                        .unwrap()
                        .ends_with("#InvalidDefinition")
                );
                assert_eq!(
                    v["message"],
                    format!(
                        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {why} at {at}'"
                    )
                );
                assert_eq!(check["result"], "FAIL", "{resource}: {check}");
                assert_eq!(
                    check["diagnostics"],
                    json!([{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                            "message": why, "location": at}])
                );
            }
        }
    }
    // An EXPRESS machine updated to such a definition: refused too.
    let x = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "xu", "definition": pass(), "roleArn": ROLE, "type": "EXPRESS"}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, v) = call(
        ep,
        "UpdateStateMachine",
        json!({"stateMachineArn": x,
               "definition": task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")}),
    );
    assert_eq!(status, 400, "{v}");
    assert!(
        v["__type"]
            .as_str()
            .unwrap()
            .ends_with("#InvalidDefinition")
    );
}

#[test]
fn variable_references_in_both_describes() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let def = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Use"},
        "Use": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($a, $b)"}, "Next": "Late"},
        "Late": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $a & $states.input %}",
                 "End": true}}})
    .to_string();
    let want = json!({"Use": ["a", "b"], "Late": ["a"]});
    let sm = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "vars", "definition": def, "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": sm}));
    assert_eq!(d["variableReferences"], want);
    let e = ok(ep, "StartExecution", json!({"stateMachineArn": sm}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(wait_closed(ep, &e)["status"], "SUCCEEDED");
    let f = ok(
        ep,
        "DescribeStateMachineForExecution",
        json!({"executionArn": e}),
    );
    assert_eq!(f["variableReferences"], want);
    // None without variables: the member is left out (checked by the default shape test too).
    let plain = ok(
        ep,
        "CreateStateMachine",
        json!({"name": "plain", "definition": pass(), "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let d = ok(
        ep,
        "DescribeStateMachine",
        json!({"stateMachineArn": plain}),
    );
    assert!(d.get("variableReferences").is_none(), "{d}");
}
