//! # task-generation: goal -> actions -> tasks, on Step Functions, offline
//!
//! The mandala-chart app's task-generation workflow, run by sfn-local's interpreter with Rust
//! handlers, a real SQLite database and a mock AI service: the same ASL files that would be
//! deployed (`workflow/`), testable on a laptop in virtual time.
//!
//! ## Layout
//! - `workflow/task-generation.asl.json`: validate -> get actions -> batches of 8 -> a Map of
//!   nested batch executions (3 at a time) -> aggregate -> goal status; errors -> HandleError.
//! - `workflow/task-generation-batch.asl.json`: one batch, bounded to 5 minutes by its
//!   `TimeoutSeconds`: a Map over its actions (8 at a time) -> AI (120 s, retries 2/4/8 s) ->
//!   save (one transaction) -> progress.
//! - [`workflow`]: the definitions and function names; `lambdas`: the Lambda functions;
//!   `nested`: `startExecution.sync:2`.
//! - [`db`]: goals (optimistic locking), actions, tasks, executions, progress, log.
//! - [`ai`]: the mock AI service with per-action behaviour.
//! - [`TaskGeneration`]: start, status, cancel, retry the failed actions (embedded);
//!   `lifecycle`: the bookkeeping around an execution, shared with [`server`].
//! - [`server`]: the same handlers and bookkeeping for an sfn-local server driven through the
//!   Step Functions API (`tests/server.rs`).
//!
//! ```
//! use task_generation::{Config, TaskGeneration, ai::{Behaviour, MockAi}, db::{Database, NewGoal, GoalStatus}};
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! let db = Database::open_in_memory().unwrap();
//! db.create_goal(&NewGoal::with_actions("g1", "alice", 10)).unwrap();
//! let ai = MockAi::new();
//! ai.set("g1-a03", Behaviour::permanent());
//! let app = TaskGeneration::new(db, ai, Config::default()).unwrap();
//! let arn = app.start("g1", "alice").await.unwrap();
//! let status = app.wait(&arn).await.unwrap();
//! assert_eq!(status.goal_status, GoalStatus::Partial);
//! assert_eq!(status.failed_actions, ["g1-a03"]);
//! # });
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ai;
mod app;
pub mod db;
mod lambdas;
mod lifecycle;
mod nested;
pub mod server;
mod status;
pub mod workflow;

pub use app::{AppError, Config, TaskGeneration, TimeMode};
pub use nested::ChildExecution;
pub use status::{ExecutionState, ExecutionStatus, estimate_remaining, percent};
