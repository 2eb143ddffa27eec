//! Service integrations the server answers locally: Lambda functions (local commands or a
//! Lambda endpoint), nested executions, ECS RunTask as a local process, recorded SNS/SQS/
//! EventBridge messages, the HTTP Task against real endpoints (`http_task.rs`), and a local S3 for `getObject`/`listObjectsV2`/
//! `putObject` (Map `ItemReader`s and `ResultWriter`s).

pub mod ecs;
pub mod endpoints;
pub mod http_task;
pub mod lambda;
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
