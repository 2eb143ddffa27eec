//! Running the workflow on an sfn-local server (`sfn_local_server::server::Server`), driven
//! through the Step Functions API like the deployed one.
//!
//! The server runs `startExecution.sync:2` itself (as executions of its own), so it only needs
//! the Lambda functions: [`handlers`]. What [`crate::TaskGeneration`] does around an execution
//! is then the caller's job, as it would be the backend's on AWS:
//! 1. create both state machines: the batch one as `task-generation-batch` in the server's
//!    region and account, since the main definition names it by ARN
//!    ([`crate::workflow::BATCH_STATE_MACHINE_ARN`]);
//! 2. pick the execution's name, [`begin`] with its ARN (the goal becomes `processing` for
//!    it: `ValidateInput` refuses any other execution), then StartExecution with that name and
//!    the input [`begin`] returns;
//! 3. to cancel, [`request_cancel`] then StopExecution;
//! 4. once DescribeExecution says it closed, [`finish`] (an aborted or timed-out execution's
//!    tasks are deleted and its goal settled, as an EventBridge rule would do on AWS).

use asl_interpreter::{ExecutionConfig, Handlers};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::ai::MockAi;
use crate::app::AppError;
use crate::db::{Database, GoalStatus};
use crate::lambdas::{self, Ctx};
use crate::lifecycle::{self, Start};
use crate::workflow::{STATE_MACHINE_NAME, Workflow};

pub use crate::lifecycle::Ended;

/// The workflow's Lambda functions, for `Server::start`.
pub fn handlers(db: &Database, ai: &MockAi) -> Handlers {
    let ctx = Ctx {
        db: db.clone(),
        ai: ai.clone(),
    };
    lambdas::register(Handlers::new(), &ctx)
}

/// The ARN the server gives an execution of `task-generation` named `name`.
pub fn execution_arn(region: &str, account: &str, name: &str) -> String {
    ExecutionConfig {
        name: name.into(),
        state_machine_name: STATE_MACHINE_NAME.into(),
        region: region.into(),
        account: account.into(),
        ..ExecutionConfig::default()
    }
    .execution_arn()
}

/// Before StartExecution: checks the goal (a `draft` or `failed` one of `user_id`), makes it
/// `processing` for `execution_arn` and records the execution. Returns the input to start it
/// with (every action of the goal).
pub fn begin(
    db: &Database,
    goal_id: &str,
    user_id: &str,
    execution_arn: &str,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let start = Start {
        goal_id,
        user_id,
        only: None,
        retry_of: None,
        allowed: &[GoalStatus::Draft, GoalStatus::Failed],
    };
    lifecycle::begin(db, start, execution_arn, now)
}

/// Before StopExecution: the execution's saves are refused from now on (a save in flight
/// cannot undo the clean-up), and who cancelled and why is logged. Fails when the execution
/// is not running.
pub fn request_cancel(
    db: &Database,
    execution_arn: &str,
    who: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if lifecycle::request_cancel(db, execution_arn, who, why, now)? {
        return Ok(());
    }
    let state = db
        .execution(execution_arn)?
        .ok_or_else(|| AppError::ExecutionNotFound(execution_arn.into()))?
        .state;
    Err(AppError::WrongExecutionState {
        arn: execution_arn.into(),
        state,
    })
}

/// After the execution closed: records how it ended; an aborted or timed-out execution's tasks
/// are deleted and its goal goes back to `draft` (aborted) or `failed` (timed out).
pub fn finish(db: &Database, execution_arn: &str, ended: &Ended) -> Result<(), AppError> {
    let timeout = Workflow::load()?.main.timeout_seconds.unwrap_or(0);
    Ok(lifecycle::finish(db, timeout, execution_arn, ended)?)
}
