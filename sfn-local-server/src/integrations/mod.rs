//! Service integrations the server answers locally: Lambda functions (local commands or a
//! Lambda endpoint), nested executions, ECS RunTask as a local process, recorded SNS/SQS/
//! EventBridge messages, the HTTP Task against real endpoints (`http_task.rs`), and a local S3 for `getObject`/`listObjectsV2`/
//! `putObject` (Map `ItemReader`s and `ResultWriter`s).

pub mod ecs;
pub mod endpoints;
pub mod http_task;
pub mod lambda;
pub(crate) mod member_case;
pub(crate) mod nested;
pub(crate) mod outbound;
pub mod s3;
pub(crate) mod sdk_metadata;
pub(crate) mod sdk_sfn;
pub mod sinks;

/// The service a built-in handler serves from, while it runs (`States.Runtime` once it is
/// stopping).
pub(crate) fn running_service(
    svc: &std::sync::Weak<crate::service::Service>,
) -> Result<std::sync::Arc<crate::service::Service>, asl_interpreter::TaskFailure> {
    svc.upgrade()
        .ok_or_else(|| asl_interpreter::TaskFailure::new("States.Runtime", "sfn-local is stopping"))
}

/// The region a task's call goes to: its execution's (the configured default when the ARN has
/// none, as for a Distributed Map's children).
pub(crate) fn region_of(req: &asl_interpreter::TaskRequest) -> String {
    asl_core::arn::Scope::of_arn(&req.execution_arn)
        .map_or_else(|| "us-east-1".to_string(), |s| s.region)
}

/// The action a service integration's resource names, without its pattern:
/// `arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken` -> `getObject`.
pub(crate) fn action_of(resource: &str) -> String {
    let routed = asl_core::resource::routing_form(resource);
    routed
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string()
}
