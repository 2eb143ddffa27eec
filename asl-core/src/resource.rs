//! A Task's `Resource`, read the way AWS reads it before routing it.
//!
//! A service integration is documented as `arn:PARTITION:states:::SERVICE:ACTION[.PATTERN]`,
//! with empty region and account. AWS also creates, and runs, state machines whose integrations
//! carry a region and an account (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2`,
//! `arn:aws:states:eu-west-1:123456789012:athena:startQueryExecution.sync`), which is what a
//! template gets from `!Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:...`.
//! The region and account of such an ARN select nothing: the integration is the same one.
//!
//! [`integration_form`] turns every such ARN into the documented form, so that the validator
//! and the engine (which routes on `arn:aws:states:::SERVICE:ACTION`) agree on what it is.
//! ARNs of Step Functions' own resources (`activity`, `stateMachine`, ...) keep their region
//! and account: they name one resource in one account.
//!
//! ```
//! use asl_core::resource::integration_form;
//! assert_eq!(
//!     integration_form("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2"),
//!     "arn:aws:states:::aws-sdk:s3:listObjectsV2"
//! );
//! assert_eq!(
//!     integration_form("arn:aws:states:us-east-1:123456789012:activity:work"),
//!     "arn:aws:states:us-east-1:123456789012:activity:work"
//! );
//! ```

use std::borrow::Cow;

/// The resource types of Step Functions' own ARNs (see [`crate::arn`]): an ARN with one of
/// these after its account is not an integration.
const OWN_TYPES: &[&str] = &[
    "activity",
    "stateMachine",
    "execution",
    "express",
    "mapRun",
    "stateMachineVersion",
    "stateMachineAlias",
];

/// The documented form (`arn:PARTITION:states:::SERVICE:ACTION[.PATTERN]`) of a service
/// integration ARN written with a region and/or an account; any other text unchanged.
pub fn integration_form(resource: &str) -> Cow<'_, str> {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let [arn, partition, "states", region, account, rest] = parts.as_slice() else {
        return Cow::Borrowed(resource);
    };
    let kind = rest.split(':').next().unwrap_or_default();
    if *arn != "arn"
        || (region.is_empty() && account.is_empty())
        || !rest.contains(':')
        || OWN_TYPES.contains(&kind)
    {
        return Cow::Borrowed(resource);
    }
    Cow::Owned(format!("arn:{partition}:states:::{rest}"))
}

/// The form a Task's resource is routed by: the documented integration form
/// ([`integration_form`]) in the `aws` partition, whatever partition it was written in
/// (`arn:aws-cn:states:::lambda:invoke` is the same integration as
/// `arn:aws:states:::lambda:invoke`). Other ARNs (a Lambda function's, an activity's) are
/// unchanged: they name one resource.
pub fn routing_form(resource: &str) -> Cow<'_, str> {
    let form = integration_form(resource);
    let other_partition = form
        .strip_prefix("arn:")
        .and_then(|r| r.split_once(":states:::"))
        .filter(|(partition, _)| *partition != "aws" && !partition.contains(':'));
    match other_partition {
        Some((_, rest)) => Cow::Owned(format!("arn:aws:states:::{rest}")),
        None => form,
    }
}

/// Whether `resource` is a Lambda function's ARN, in any partition:
/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`. The name is Lambda's to
/// check (an empty or malformed one is Lambda's `ValidationException`).
pub fn is_lambda_function(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(7, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "lambda", _, _, "function", _]
            if partition.starts_with("aws")
    )
}

#[cfg(test)]
mod tests {
    use super::{integration_form, is_lambda_function, routing_form};

    #[test]
    fn routing_is_in_the_aws_partition() {
        for (written, routed) in [
            (
                "arn:aws:states:::lambda:invoke",
                "arn:aws:states:::lambda:invoke",
            ),
            (
                "arn:aws-cn:states:::lambda:invoke",
                "arn:aws:states:::lambda:invoke",
            ),
            (
                "arn:aws-us-gov:states:us-gov-west-1:123456789012:sns:publish",
                "arn:aws:states:::sns:publish",
            ),
            (
                "arn:aws-iso-b:states:::aws-sdk:s3:listObjectsV2",
                "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            ),
            // Resources of one account keep everything.
            (
                "arn:aws-cn:states:cn-north-1:123456789012:activity:a",
                "arn:aws-cn:states:cn-north-1:123456789012:activity:a",
            ),
            (
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            ),
        ] {
            assert_eq!(routing_form(written), routed, "{written}");
        }
    }

    #[test]
    fn lambda_functions_in_every_partition() {
        for (arn, is) in [
            ("arn:aws:lambda:us-east-1:123456789012:function:f", true),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
                true,
            ),
            ("arn:aws-cn:lambda:cn-north-1:123456789012:function:f", true),
            ("arn:aws-us-gov:lambda:us-gov-west-1:1:function:f", true),
            ("arn:aws:lambda:us-east-1:123456789012:layer:l", false),
            ("arn:aws:lambda:us-east-1:123456789012:function:", true),
            ("arn:aws:states:::lambda:invoke", false),
            ("function:f", false),
        ] {
            assert_eq!(is_lambda_function(arn), is, "{arn}");
        }
    }

    #[test]
    fn integrations_lose_region_and_account() {
        for (written, form) in [
            (
                "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2",
                "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            ),
            (
                "arn:aws:states:eu-west-1:123456789012:athena:startQueryExecution.sync",
                "arn:aws:states:::athena:startQueryExecution.sync",
            ),
            (
                "arn:aws-cn:states:cn-north-1:1:lambda:invoke.waitForTaskToken",
                "arn:aws-cn:states:::lambda:invoke.waitForTaskToken",
            ),
            (
                "arn:aws:states:us-east-1::states:startExecution.sync:2",
                "arn:aws:states:::states:startExecution.sync:2",
            ),
            (
                "arn:aws:states::123456789012:sqs:sendMessage",
                "arn:aws:states:::sqs:sendMessage",
            ),
            // Unchanged: already documented, Step Functions' own resources, not ARNs.
            (
                "arn:aws:states:::lambda:invoke",
                "arn:aws:states:::lambda:invoke",
            ),
            (
                "arn:aws:states:us-east-1:1:activity:a",
                "arn:aws:states:us-east-1:1:activity:a",
            ),
            (
                "arn:aws:states:us-east-1:1:stateMachine:m",
                "arn:aws:states:us-east-1:1:stateMachine:m",
            ),
            (
                "arn:aws:lambda:us-east-1:1:function:f",
                "arn:aws:lambda:us-east-1:1:function:f",
            ),
            (
                "arn:aws:states:us-east-1:1:x",
                "arn:aws:states:us-east-1:1:x",
            ),
            ("lambda", "lambda"),
        ] {
            assert_eq!(integration_form(written), form, "{written}");
        }
    }
}
