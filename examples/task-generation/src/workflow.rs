//! The two state machines (the deployable ASL files in `workflow/`) and the handlers that run
//! them locally.

use std::collections::HashMap;
use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::Handlers;

use crate::ai::MockAi;
use crate::db::Database;
use crate::lambdas::{self, Ctx};
use crate::nested::{ChildLog, START_EXECUTION_SYNC2, StartExecutionSync};

/// The main state machine's name.
pub const STATE_MACHINE_NAME: &str = "task-generation";
/// The batch state machine's name.
pub const BATCH_STATE_MACHINE_NAME: &str = "task-generation-batch";
/// The batch state machine's ARN, as the main definition names it.
pub const BATCH_STATE_MACHINE_ARN: &str =
    "arn:aws:states:us-east-1:123456789012:stateMachine:task-generation-batch";

/// `workflow/task-generation.asl.json`.
pub const DEFINITION: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/workflow/task-generation.asl.json"
));
/// `workflow/task-generation-batch.asl.json`.
pub const BATCH_DEFINITION: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/workflow/task-generation-batch.asl.json"
));

/// The Lambda function names the definitions invoke.
pub mod functions {
    /// Checks the input against the database.
    pub const VALIDATE_INPUT: &str = "task-generation-validate-input";
    /// Reads the actions with their context.
    pub const GET_ACTIONS: &str = "task-generation-get-actions";
    /// Calls the AI service and checks its answer.
    pub const GENERATE_TASKS: &str = "task-generation-generate-tasks";
    /// Saves one action's tasks in one transaction.
    pub const SAVE_TASKS: &str = "task-generation-save-tasks";
    /// Records one action's outcome (progress).
    pub const UPDATE_PROGRESS: &str = "task-generation-update-progress";
    /// Records the outcome of the actions of a batch that failed as a whole.
    pub const RECONCILE_BATCH: &str = "task-generation-reconcile-batch";
    /// Sets the goal's final status.
    pub const UPDATE_GOAL_STATUS: &str = "task-generation-update-goal-status";
    /// Records an error and marks the goal failed.
    pub const HANDLE_ERROR: &str = "task-generation-handle-error";
}

/// A definition that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DefinitionError {
    /// Which file.
    pub file: &'static str,
    /// The parser's message.
    pub message: String,
}

/// Both state machines, parsed.
#[derive(Clone)]
pub struct Workflow {
    /// task-generation.
    pub main: Arc<StateMachine>,
    /// task-generation-batch.
    pub batch: Arc<StateMachine>,
}

impl Workflow {
    /// Parses the two definitions.
    pub fn load() -> Result<Self, DefinitionError> {
        let parse = |file: &'static str, text: &str| {
            StateMachine::from_str(text)
                .map(Arc::new)
                .map_err(|e| DefinitionError {
                    file,
                    message: e.to_string(),
                })
        };
        Ok(Workflow {
            main: parse("task-generation.asl.json", DEFINITION)?,
            batch: parse("task-generation-batch.asl.json", BATCH_DEFINITION)?,
        })
    }

    /// Every handler the main state machine needs: the Lambda functions, and nested
    /// executions of the batch state machine (which uses the same functions).
    pub(crate) fn handlers(&self, db: &Database, ai: &MockAi, children: &ChildLog) -> Handlers {
        let ctx = Ctx {
            db: db.clone(),
            ai: ai.clone(),
        };
        let functions = lambdas::register(Handlers::new(), &ctx);
        let mut machines = HashMap::new();
        machines.insert(BATCH_STATE_MACHINE_ARN.to_string(), self.batch.clone());
        let nested = StartExecutionSync {
            machines: Arc::new(machines),
            handlers: functions.clone(),
            children: children.clone(),
        };
        functions.resource(START_EXECUTION_SYNC2, nested)
    }
}
