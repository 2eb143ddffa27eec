//! Service integrations the server answers locally: Lambda functions (local commands or a
//! Lambda endpoint), nested executions, ECS RunTask as a local process, recorded SNS/SQS/
//! EventBridge messages, and schedule expressions.

pub mod ecs;
pub mod lambda;
pub mod nested;
pub mod schedule;
pub mod sinks;
