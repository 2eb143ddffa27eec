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

#[cfg(test)]
mod tests {
    use super::integration_form;

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
