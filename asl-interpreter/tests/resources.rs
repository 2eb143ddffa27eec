//! A Task's `Resource` is routed in its documented form: a service integration written with a
//! region and an account (as `!Sub arn:${AWS::Partition}:states:${AWS::Region}:...` gives it),
//! or in another partition, reaches the same handler, with the same history, as
//! `arn:aws:states:::SERVICE:ACTION`.

use asl_interpreter::{Handlers, Status, TaskRequest};
use chrono::{TimeZone, Utc};
use serde_json::json;

mod common;

#[test]
fn integrations_with_region_and_account_route_as_documented() {
    // (written, the form a handler is registered for, resourceType, resource)
    let table = [
        (
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2",
            "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            "aws-sdk:s3",
            "listObjectsV2",
        ),
        (
            "arn:aws:states:eu-west-1:123456789012:sns:publish",
            "arn:aws:states:::sns:publish",
            "sns",
            "publish",
        ),
        (
            "arn:aws:states:us-west-2::sqs:sendMessage",
            "arn:aws:states:::sqs:sendMessage",
            "sqs",
            "sendMessage",
        ),
        (
            "arn:aws-cn:states:cn-north-1:123456789012:sqs:sendMessage",
            "arn:aws:states:::sqs:sendMessage",
            "sqs",
            "sendMessage",
        ),
        (
            "arn:aws-us-gov:states:::events:putEvents",
            "arn:aws:states:::events:putEvents",
            "events",
            "putEvents",
        ),
        (
            "arn:aws:states:::dynamodb:putItem",
            "arn:aws:states:::dynamodb:putItem",
            "dynamodb",
            "putItem",
        ),
    ];
    for (written, routed, resource_type, resource) in table {
        let expected = routed.to_string();
        let handler = move |req: TaskRequest| {
            let seen = req.resource.clone();
            let expected = expected.clone();
            async move {
                assert_eq!(seen, expected);
                Ok(json!({"ok": true}))
            }
        };
        let def = json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": written, "End": true}}});
        let out = common::run_at(
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            Handlers::new().resource(routed, handler),
            def,
            "{}",
        );
        assert_eq!(out.status, Status::Succeeded, "{written}: {out:?}");
        let scheduled = out
            .history
            .iter()
            .find(|e| e.event_type == "TaskScheduled")
            .unwrap_or_else(|| panic!("{written}: no TaskScheduled"))
            .to_json();
        let d = &scheduled["taskScheduledEventDetails"];
        assert_eq!(d["resourceType"], resource_type, "{written}");
        assert_eq!(d["resource"], resource, "{written}");
    }
}
