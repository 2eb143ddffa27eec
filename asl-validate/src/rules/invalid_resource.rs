//! `INVALID_RESOURCE` (error): a Task's `Resource` is not an ARN Step Functions can run.
//!
//! **Why**: a Task runs an activity (`arn:aws:states:REGION:ACCOUNT:activity:NAME`), a Lambda
//! function (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`), an optimized
//! integration (`arn:aws:states:::SERVICE:ACTION`) or an SDK integration
//! (`arn:aws:states:::aws-sdk:SERVICE:ACTION`). An optimized integration offers a fixed set of
//! actions, each with its own integration patterns (`.sync`, `.sync:2`, `.waitForTaskToken`);
//! an SDK integration offers `.waitForTaskToken` but never `.sync`. Anything else is refused when
//! the machine is created ("The resource provided ... is not recognized").
//!
//! An integration written with a region and an account
//! (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2`, what
//! `!Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:...` gives) is the same
//! integration, and AWS creates and runs it: it is read through
//! [`asl_core::resource::integration_form`], as the engine routes it.
//!
//! Templates substitute `${...}` before AWS sees the definition, so a value with well-formed
//! placeholders is skipped. A `${` never closed (`"${lambdaArn"`) is left as written by the
//! substitution, and AWS refuses the text as an ARN: it is reported.
//!
//! **AWS check**: `CreateStateMachine` / `ValidateStateMachineDefinition` refuse the definition
//! (`InvalidDefinition`, "Resource ... is not a valid ARN" / "not recognized"), documented in
//! the developer guide's "Task workflow state" (Resource field) and "Integrating services".
//!
//! **Example**: `"Resource": "arn:aws:states:::lambda:invoke.sync"` (Lambda has no `.sync`),
//! `"arn:aws:states:::lambda:invok"` (a typo), `"${lambdaArn"` (an unclosed placeholder).

use asl_core::StateKind;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

/// The integration patterns an optimized action offers besides request-response.
#[derive(Debug, Clone, Copy)]
struct Patterns {
    sync: bool,
    sync2: bool,
    token: bool,
}

/// Request-response only.
const RR: Patterns = Patterns {
    sync: false,
    sync2: false,
    token: false,
};
/// Also Run a Job (`.sync`).
const SYNC: Patterns = Patterns { sync: true, ..RR };
/// Also Wait for Callback (`.waitForTaskToken`).
const TOKEN: Patterns = Patterns { token: true, ..RR };
/// Both `.sync` and `.waitForTaskToken`.
const SYNC_TOKEN: Patterns = Patterns {
    sync: true,
    token: true,
    ..RR
};

/// The optimized integrations: service, then each action with its patterns, as the Step
/// Functions developer guide lists them ("Integrating optimized services", and each service's
/// page). Where two pages of the guide disagree (EKS and callbacks), the permissive one wins:
/// a definition AWS accepts must never get an error here.
const OPTIMIZED: &[(&str, &[(&str, Patterns)])] = &[
    ("apigateway", &[("invoke", TOKEN)]),
    (
        "athena",
        &[
            ("startQueryExecution", SYNC),
            ("stopQueryExecution", RR),
            ("getQueryExecution", RR),
            ("getQueryResults", RR),
        ],
    ),
    ("batch", &[("submitJob", SYNC)]),
    (
        "bedrock",
        &[
            ("invokeModel", TOKEN),
            ("createModelCustomizationJob", SYNC_TOKEN),
        ],
    ),
    (
        "codebuild",
        &[
            ("startBuild", SYNC),
            ("stopBuild", RR),
            ("batchDeleteBuilds", RR),
            ("batchGetReports", RR),
            ("startBuildBatch", SYNC),
            ("stopBuildBatch", RR),
            ("retryBuildBatch", SYNC),
            ("deleteBuildBatch", RR),
        ],
    ),
    ("databrew", &[("startJobRun", SYNC)]),
    (
        "dynamodb",
        &[
            ("getItem", RR),
            ("putItem", RR),
            ("updateItem", RR),
            ("deleteItem", RR),
        ],
    ),
    ("ecs", &[("runTask", SYNC_TOKEN)]),
    (
        "eks",
        &[
            ("createCluster", SYNC_TOKEN),
            ("deleteCluster", SYNC_TOKEN),
            ("createFargateProfile", SYNC_TOKEN),
            ("deleteFargateProfile", SYNC_TOKEN),
            ("createNodegroup", SYNC_TOKEN),
            ("deleteNodegroup", SYNC_TOKEN),
            ("runJob", SYNC_TOKEN),
            ("call", TOKEN),
        ],
    ),
    (
        "elasticmapreduce",
        &[
            ("createCluster", SYNC),
            ("terminateCluster", SYNC),
            ("addStep", SYNC),
            ("cancelStep", RR),
            ("setClusterTerminationProtection", RR),
            ("modifyInstanceFleetByName", RR),
            ("modifyInstanceGroupByName", RR),
        ],
    ),
    (
        "emr-containers",
        &[
            ("createVirtualCluster", RR),
            ("deleteVirtualCluster", SYNC),
            ("startJobRun", SYNC),
        ],
    ),
    (
        "emr-serverless",
        &[
            ("createApplication", SYNC),
            ("startApplication", SYNC),
            ("stopApplication", SYNC),
            ("deleteApplication", SYNC),
            ("startJobRun", SYNC),
            ("cancelJobRun", SYNC),
        ],
    ),
    ("events", &[("putEvents", TOKEN)]),
    ("glue", &[("startJobRun", SYNC)]),
    ("http", &[("invoke", RR)]),
    ("lambda", &[("invoke", TOKEN)]),
    ("mediaconvert", &[("createJob", SYNC)]),
    (
        "sagemaker",
        &[
            ("createEndpoint", RR),
            ("createEndpointConfig", RR),
            ("createHyperParameterTuningJob", SYNC),
            ("createLabelingJob", SYNC),
            ("createModel", RR),
            ("createProcessingJob", SYNC),
            ("createTrainingJob", SYNC),
            ("createTransformJob", SYNC),
            ("updateEndpoint", RR),
        ],
    ),
    ("sns", &[("publish", TOKEN)]),
    ("sqs", &[("sendMessage", TOKEN)]),
    (
        "states",
        &[(
            "startExecution",
            Patterns {
                sync: true,
                sync2: true,
                token: true,
            },
        )],
    ),
];

/// The pattern suffixes, longest first.
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
pub(crate) fn problem(resource: &str) -> Option<String> {
    if resource.contains("${") {
        if unclosed_placeholder(resource) {
            return Some(
                "a '${' placeholder is never closed, so nothing replaces it and the text is not an ARN"
                    .into(),
            );
        }
        return problem(&with_sample_scope(resource)?);
    }
    let resource = &*asl_core::resource::integration_form(resource);
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return Some("not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)".into());
    }
    let (partition, service, region, account, rest) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if !(partition == "aws" || partition.starts_with("aws-")) {
        return Some("unknown partition".into());
    }
    match service {
        "states" if region.is_empty() && account.is_empty() => integration(rest),
        "states" => match rest.split_once(':') {
            Some(("activity", name))
                if !name.is_empty() && !region.is_empty() && !account.is_empty() =>
            {
                None
            }
            _ => Some(
                "a Step Functions resource with a region and account must be an activity".into(),
            ),
        },
        "lambda" => match rest.split(':').collect::<Vec<_>>().as_slice() {
            ["function", name] | ["function", name, _]
                if !name.is_empty() && !region.is_empty() && !account.is_empty() =>
            {
                None
            }
            _ => Some(
                "a Lambda resource must be arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME"
                    .into(),
            ),
        },
        _ => Some(
            "a Task can run activities, Lambda functions and arn:PARTITION:states:::SERVICE:ACTION integrations"
                .into(),
        ),
    }
}

/// `rest` is what follows `arn:PARTITION:states:::`.
fn integration(rest: &str) -> Option<String> {
    let (action, pattern) = PATTERNS
        .iter()
        .find_map(|p| Some((rest.strip_suffix(p)?, *p)))
        .unwrap_or((rest, ""));
    if action.contains('.') {
        return Some("the integration pattern must be .sync, .sync:2 or .waitForTaskToken".into());
    }
    let ok_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match action.split(':').collect::<Vec<_>>().as_slice() {
        ["aws-sdk", service, api] if ok_name(service) && ok_name(api) => {
            if pattern.starts_with(".sync") {
                Some(format!(
                    "SDK integrations do not support {pattern} (only request-response and .waitForTaskToken)"
                ))
            } else {
                None
            }
        }
        ["aws-sdk", ..] => {
            Some("an SDK integration must be arn:PARTITION:states:::aws-sdk:SERVICE:ACTION".into())
        }
        [service, api] => {
            let Some((_, actions)) = OPTIMIZED.iter().find(|(s, _)| s == service) else {
                return Some(format!(
                    "'{service}' has no optimized integration; an SDK integration is arn:PARTITION:states:::aws-sdk:SERVICE:ACTION"
                ));
            };
            let Some((_, offers)) = actions.iter().find(|(a, _)| a == api) else {
                let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
                return Some(format!(
                    "'{api}' is not an optimized {service} action (those are: {}); other actions are reached through arn:PARTITION:states:::aws-sdk:{service}:ACTION",
                    names.join(", ")
                ));
            };
            let supported = match pattern {
                "" => true,
                ".sync" => offers.sync,
                ".sync:2" => offers.sync2,
                _ => offers.token,
            };
            (!supported).then(|| {
                format!(
                    "{service}:{api} does not support {pattern} (it supports {})",
                    describe(*offers)
                )
            })
        }
        _ => Some("an integration must be arn:PARTITION:states:::SERVICE:ACTION".into()),
    }
}

/// `resource` with placeholders that stand for its partition, region or account
/// (`arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:...`) replaced by sample
/// values, so that the rest is checked; `None` when a placeholder stands for more (the whole
/// ARN, the service or the resource part), which only the substitution will tell.
fn with_sample_scope(resource: &str) -> Option<String> {
    const MARK: char = '\u{0}';
    let mut marked = String::with_capacity(resource.len());
    let mut rest = resource;
    while let Some(i) = rest.find("${") {
        let end = i + 2 + rest[i + 2..].find('}')? + 1;
        marked.push_str(&rest[..i]);
        marked.push(MARK);
        rest = &rest[end..];
    }
    marked.push_str(rest);
    let parts: Vec<&str> = marked.splitn(6, ':').collect();
    let [arn, partition, service, region, account, tail] = parts.as_slice() else {
        return None;
    };
    if [arn, service, tail].iter().any(|p| p.contains(MARK)) {
        return None;
    }
    let sample = |part: &str, value: &str| part.replace(MARK, value);
    Some(format!(
        "{arn}:{}:{service}:{}:{}:{tail}",
        sample(partition, "aws"),
        sample(region, "us-east-1"),
        sample(account, "123456789012"),
    ))
}

/// Whether some `${` of `s` has no `}` after it (DefinitionSubstitutions leaves it as written).
pub(crate) fn unclosed_placeholder(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        match rest[i + 2..].find('}') {
            Some(j) => rest = &rest[i + 2 + j + 1..],
            None => return true,
        }
    }
    false
}

fn describe(p: Patterns) -> String {
    let mut out = vec!["request-response"];
    if p.sync {
        out.push(".sync");
    }
    if p.sync2 {
        out.push(".sync:2");
    }
    if p.token {
        out.push(".waitForTaskToken");
    }
    out.join(", ")
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
            "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
            "arn:aws:states:::dynamodb:getItem",
            "arn:aws:states:::glue:startJobRun.sync",
            "arn:aws:states:::http:invoke",
            "arn:aws:states:::sagemaker:createTrainingJob.sync",
            "arn:aws:states:::eks:call",
            "arn:aws:states:::states:startExecution.waitForTaskToken",
            "${LambdaArn}",
            "arn:aws:states:${AWS::Region}:${AWS::AccountId}:activity:a",
            "arn:${AWS::Partition}:states:::lambda:invoke",
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:athena:startQueryExecution.sync",
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}",
            "arn:aws:states:::${Service}:${Action}",
            "${Prefix}:lambda:invoke",
            // Integrations written with a region and an account.
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2",
            "arn:aws:states:us-east-1:123456789012:athena:startQueryExecution.sync",
            "arn:aws:states:eu-west-1:123456789012:lambda:invoke",
            "arn:aws:states:us-east-1:123456789012:states:startExecution.sync:2",
            "arn:aws-us-gov:states:us-gov-west-1:123456789012:sqs:sendMessage.waitForTaskToken",
            "arn:aws:states:us-east-1::glue:startJobRun.sync",
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
            "arn:aws:states:::lambda:invok",
            "arn:aws:states:::lambda:invoke.sync",
            "arn:aws:states:::dynamodb:getItem.waitForTaskToken",
            "arn:aws:states:::sns:publish.sync",
            "arn:aws:states:::sqs:sendMessage.sync:2",
            "arn:aws:states:::glue:startJobRun.waitForTaskToken",
            "arn:aws:states:::aws-sdk:s3:listBuckets.sync",
            "arn:aws:states:::s3:getObject",
            "${lambdaArn",
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId:function:f",
            "${A}${B",
            // Placeholders for the scope only: the rest is still checked.
            "arn:${AWS::Partition}:states:::lambda:invoke.sync",
            "arn:aws:states:${AWS::Region}:${AWS::AccountId}:aws-sdk:s3:listBuckets.sync",
            // The same mistakes with a region and an account.
            "arn:aws:states:us-east-1:123456789012:lambda:invoke.sync",
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listBuckets.sync",
            "arn:aws:states:us-east-1:123456789012:nosuch:thing",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
