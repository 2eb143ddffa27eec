//! Region and partition from the request (issue 16, family 1).
//!
//! AWS answers a request in the region its SigV4 signature's credential scope names
//! (`Credential=AKID/DATE/REGION/states/aws4_request`): the ARNs it hands out carry that region
//! and the region's partition (AWS General Reference, "Amazon Resource Names": `arn:partition:
//! service:region:account-id:...`, partitions `aws`, `aws-cn`, `aws-us-gov`, ...; botocore's
//! `partitions.json` for which region is in which partition), and resources are regional: a
//! state machine or activity created in one region is not listed in another, and the same
//! name may be used once per region. An unsigned request is answered in the configured region
//! (`--region`, `AWS_DEFAULT_REGION`). The account is the configured one.

mod common;

use common::{call, call_in, create, ok, ok_in, spawn, wait_closed};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/r";

/// A definition whose output names the execution and state machine as `$$` sees them.
fn ids() -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
        "Parameters": {"execution.$": "$$.Execution.Id", "machine.$": "$$.StateMachine.Id"}}}})
    .to_string()
}

#[test]
fn every_partition_s_arns() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    for (region, partition) in [
        ("us-east-1", "aws"),
        ("us-west-2", "aws"),
        ("eu-central-1", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ] {
        let scope = format!("arn:{partition}:states:{region}:{ACCOUNT}");
        let sm = ok_in(
            e,
            region,
            "CreateStateMachine",
            json!({"name": "m", "definition": ids(), "roleArn": ROLE}),
        )["stateMachineArn"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(sm, format!("{scope}:stateMachine:m"));
        let exec = ok_in(
            e,
            region,
            "StartExecution",
            json!({"stateMachineArn": sm, "name": "run"}),
        )["executionArn"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(exec, format!("{scope}:execution:m:run"));
        let done = wait_closed(e, &exec);
        assert_eq!(done["status"], "SUCCEEDED", "{region}: {done}");
        let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
        assert_eq!(output["execution"], json!(exec), "{region}");
        // `$$.StateMachine.Id` (and map run ARNs) are built by asl-interpreter, which writes
        // the `aws` partition whatever the region: right in `aws` only until it takes the
        // partition too.
        if partition == "aws" {
            assert_eq!(output["machine"], json!(sm), "{region}");
        }
        let activity = ok_in(e, region, "CreateActivity", json!({"name": "a"}));
        assert_eq!(activity["activityArn"], format!("{scope}:activity:a"));
        let listed = ok_in(e, region, "ListStateMachines", json!({}));
        assert_eq!(
            listed["stateMachines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["stateMachineArn"].clone())
                .collect::<Vec<_>>(),
            [json!(sm)],
            "{region}"
        );
    }
}

#[test]
fn two_regions_keep_their_own_resources() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let body = json!({"name": "orders", "definition": pass.to_string(), "roleArn": ROLE});
    // The same name in two regions: two state machines.
    let east = ok_in(e, "us-east-1", "CreateStateMachine", body.clone());
    let west = ok_in(e, "us-west-2", "CreateStateMachine", body.clone());
    let east = east["stateMachineArn"].as_str().unwrap().to_string();
    let west = west["stateMachineArn"].as_str().unwrap().to_string();
    assert_eq!(
        east,
        format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:orders")
    );
    assert_eq!(
        west,
        format!("arn:aws:states:us-west-2:{ACCOUNT}:stateMachine:orders")
    );
    // Once per region: the same request again is idempotent, a different one a conflict.
    let again = ok_in(e, "us-west-2", "CreateStateMachine", body.clone());
    assert_eq!(again["stateMachineArn"], west);
    let other = json!({"name": "orders", "definition": pass.to_string(),
        "roleArn": "arn:aws:iam::123456789012:role/other"});
    let (status, err) = call_in(e, "us-west-2", "CreateStateMachine", other);
    assert_eq!(status, 400);
    assert_eq!(
        err["message"],
        format!("State Machine Already Exists: '{west}'")
    );
    let only_west = ok_in(
        e,
        "us-west-2",
        "CreateStateMachine",
        json!({"name": "west-only",
        "definition": pass.to_string(), "roleArn": ROLE}),
    );
    let only_west = only_west["stateMachineArn"].as_str().unwrap().to_string();

    let names = |region: Option<&str>, op: &str, list: &str, key: &str| -> Vec<String> {
        let v = match region {
            Some(r) => ok_in(e, r, op, json!({})),
            None => ok(e, op, json!({})),
        };
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m[key].as_str().unwrap().to_string())
            .collect()
    };
    let machines = |r| names(r, "ListStateMachines", "stateMachines", "stateMachineArn");
    assert_eq!(machines(Some("us-east-1")), [east.as_str()]);
    assert_eq!(
        machines(Some("us-west-2")),
        [west.as_str(), only_west.as_str()]
    );
    // Unsigned: the configured region.
    assert_eq!(machines(None), [east.as_str()]);
    assert!(machines(Some("eu-west-1")).is_empty());

    // Activities likewise.
    let a_east = ok_in(e, "us-east-1", "CreateActivity", json!({"name": "work"}));
    let a_west = ok_in(e, "us-west-2", "CreateActivity", json!({"name": "work"}));
    assert_ne!(a_east["activityArn"], a_west["activityArn"]);
    let activities = |r| names(r, "ListActivities", "activities", "activityArn");
    assert_eq!(
        activities(Some("us-east-1")),
        [a_east["activityArn"].as_str().unwrap()]
    );
    assert_eq!(
        activities(Some("us-west-2")),
        [a_west["activityArn"].as_str().unwrap()]
    );

    // An activity of the other region runs its tasks too.
    let west_activity = a_west["activityArn"].as_str().unwrap().to_string();
    let uses = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": west_activity, "End": true}}});
    let sm = ok_in(
        e,
        "us-west-2",
        "CreateStateMachine",
        json!({"name": "uses-activity",
        "definition": uses.to_string(), "roleArn": ROLE}),
    );
    let exec = ok_in(
        e,
        "us-west-2",
        "StartExecution",
        json!({"stateMachineArn": sm["stateMachineArn"], "input": "{\"n\":1}"}),
    );
    let task = ok_in(
        e,
        "us-west-2",
        "GetActivityTask",
        json!({"activityArn": west_activity, "workerName": "w"}),
    );
    assert_eq!(task["input"], "{\"n\":1}", "{task}");
    ok_in(
        e,
        "us-west-2",
        "SendTaskSuccess",
        json!({"taskToken": task["taskToken"], "output": "{\"done\":true}"}),
    );
    let done = wait_closed(e, exec["executionArn"].as_str().unwrap());
    assert_eq!(done["status"], "SUCCEEDED", "{done}");

    // Deleting in one region leaves the other's.
    ok_in(
        e,
        "us-east-1",
        "DeleteStateMachine",
        json!({"stateMachineArn": east}),
    );
    assert!(machines(Some("us-east-1")).is_empty());
    assert_eq!(machines(Some("us-west-2")).len(), 3);
}

#[test]
fn the_configured_region_and_its_partition_answer_unsigned_requests() {
    let p = spawn(&["--in-memory", "--region", "cn-north-1"]);
    let sm = create(
        &p.endpoint,
        "m",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    assert_eq!(
        sm,
        format!("arn:aws-cn:states:cn-north-1:{ACCOUNT}:stateMachine:m")
    );
    let (status, v) = call(
        &p.endpoint,
        "DescribeStateMachine",
        json!({"stateMachineArn": sm}),
    );
    assert_eq!((status, v["name"].as_str()), (200, Some("m")), "{v}");
}
