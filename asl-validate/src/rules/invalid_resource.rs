//! `INVALID_RESOURCE` (error): a Task's `Resource` is not an ARN Step Functions can run.
//!
//! **Why**: a Task runs an activity (`arn:aws:states:REGION:ACCOUNT:activity:NAME`), a Lambda
//! function (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`), an optimized
//! integration (`arn:aws:states:::SERVICE:ACTION`) or an SDK integration
//! (`arn:aws:states:::aws-sdk:SERVICE:ACTION`), optionally with a `.sync`, `.sync:2` or
//! `.waitForTaskToken` pattern. Anything else is refused when the machine is created.
//! Templates substitute `${...}` before AWS sees the definition, so such values are skipped.
//!
//! **Example**: `"Resource": "arn:aws:states:::lambda:invoke.async"`.

use asl_core::StateKind;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

/// Services with an optimized integration (`arn:aws:states:::SERVICE:ACTION`).
const OPTIMIZED: &[&str] = &[
    "apigateway",
    "athena",
    "batch",
    "bedrock",
    "codebuild",
    "databrew",
    "dynamodb",
    "ecs",
    "eks",
    "elasticmapreduce",
    "emr-containers",
    "emr-serverless",
    "events",
    "glue",
    "http",
    "lambda",
    "mediaconvert",
    "sagemaker",
    "sns",
    "sqs",
    "states",
];

const PATTERNS: &[&str] = &[".sync:2", ".sync", ".waitForTaskToken"];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx.states() {
        let StateKind::Task(task) = &state.kind else {
            continue;
        };
        if let Some(why) = problem(&task.resource) {
            out.push(Diagnostic::new(
                Code::InvalidResource,
                format!("{}/Resource", state.pointer),
                format!("The resource '{}' is not valid: {why}", task.resource),
            ));
        }
    }
}

/// Why `resource` cannot be run by a Task, if it cannot.
pub(crate) fn problem(resource: &str) -> Option<&'static str> {
    if resource.contains("${") {
        return None;
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return Some("not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)");
    }
    let (partition, service, region, account, rest) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if !(partition == "aws" || partition.starts_with("aws-")) {
        return Some("unknown partition");
    }
    match service {
        "states" if region.is_empty() && account.is_empty() => integration(rest),
        "states" => match rest.split_once(':') {
            Some(("activity", name))
                if !name.is_empty() && !region.is_empty() && !account.is_empty() =>
            {
                None
            }
            _ => Some("a Step Functions resource with a region and account must be an activity"),
        },
        "lambda" => match rest.split(':').collect::<Vec<_>>().as_slice() {
            ["function", name] | ["function", name, _]
                if !name.is_empty() && !region.is_empty() && !account.is_empty() =>
            {
                None
            }
            _ => {
                Some("a Lambda resource must be arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME")
            }
        },
        _ => Some(
            "a Task can run activities, Lambda functions and arn:PARTITION:states:::SERVICE:ACTION integrations",
        ),
    }
}

fn integration(rest: &str) -> Option<&'static str> {
    let action = PATTERNS
        .iter()
        .find_map(|p| rest.strip_suffix(p))
        .unwrap_or(rest);
    if action.contains('.') {
        return Some("the integration pattern must be .sync, .sync:2 or .waitForTaskToken");
    }
    let parts: Vec<&str> = action.split(':').collect();
    let ok_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match parts.as_slice() {
        ["aws-sdk", service, api] if ok_name(service) && ok_name(api) => None,
        ["aws-sdk", ..] => {
            Some("an SDK integration must be arn:PARTITION:states:::aws-sdk:SERVICE:ACTION")
        }
        [service, api] if OPTIMIZED.contains(service) && ok_name(api) => None,
        [service, _] if !OPTIMIZED.contains(service) => Some("unknown service integration"),
        _ => Some("an integration must be arn:PARTITION:states:::SERVICE:ACTION"),
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn resource_shapes() {
        for ok in [
            "arn:aws:states:::lambda:invoke",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::states:startExecution.sync:2",
            "arn:aws:states:::aws-sdk:s3:listBuckets",
            "arn:aws:states:::ecs:runTask.sync",
            "arn:aws:states:us-east-1:123456789012:activity:a",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:f:live",
            "arn:aws-cn:states:::sqs:sendMessage",
            "${LambdaArn}",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "lambda",
            "arn:aws:states:::lambda:invoke.async",
            "arn:aws:states:::nosuch:thing",
            "arn:aws:states:::aws-sdk:s3",
            "arn:aws:sns:us-east-1:123456789012:topic",
            "arn:aws:states:us-east-1:123456789012:stateMachine:x",
            "arn:aws:lambda:us-east-1:123456789012:layer:x",
            "arn:xyz:states:::lambda:invoke",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
