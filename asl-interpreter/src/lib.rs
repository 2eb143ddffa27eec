//! # asl-interpreter: run Amazon States Language definitions offline
//!
//! An async engine that executes a [`asl_core::StateMachine`] with AWS Step Functions'
//! semantics: the input/output pipeline, Retry/Catch, timeouts, Map/Parallel, variables, and an
//! execution history shaped exactly like `GetExecutionHistory`. Time is injected: the default
//! [`VirtualClock`] makes a workflow with minutes of waits and backoffs finish in milliseconds.
//!
//! ```
//! use std::sync::Arc;
//! use asl_core::StateMachine;
//! use asl_interpreter::{ExecutionConfig, Interpreter, Status};
//!
//! let sm = StateMachine::from_str(r#"{"StartAt":"W","States":{
//!     "W":{"Type":"Wait","Seconds":600,"Next":"P"},
//!     "P":{"Type":"Pass","Result":{"done":true},"End":true}}}"#).unwrap();
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! let outcome = rt.block_on(Interpreter::builder().build().run(Arc::new(sm), ExecutionConfig::default()));
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output.as_deref(), Some(r#"{"done":true}"#));
//! ```
//!
//! ## Layout
//!
//! What an embedder uses:
//! - `interpreter`: [`Interpreter`] and its [`InterpreterBuilder`] (handlers, mocks, clock,
//!   limits, listeners); starting, resuming and redriving executions; [`ExecutionHandle`] and
//!   [`ExecutionControl`] to await, stop and observe one; task-token callbacks.
//! - `execution`: one execution's options ([`ExecutionConfig`], [`ExecutionType`],
//!   [`Limits`]) and result ([`Outcome`], [`Status`]).
//! - `reports`: what the map-run, map-run child and poll listeners are told.
//! - [`handler`]: the [`TaskHandler`] trait, [`Handlers`] by resource, [`TaskRequest`] and
//!   [`TaskFailure`] (also the engine's failure type).
//! - [`mock`]: Step Functions Local's MockConfigFile.
//! - [`clock`]: [`VirtualClock`] and [`RealClock`].
//! - [`service_errors`]: how Step Functions names a service's errors, and the failure of a
//!   call nothing serves (the service's "not found" for the resource it names).
//! - [`history`]: [`HistoryEvent`], [`EventType`] (every event type, its details member and
//!   predicates) and the history's one serializer.
//!
//! The engine (private): `engine::driver` runs an execution and its sequences of states;
//! `engine::kernel` is what every state goes through (input/output pipeline, exit, failure,
//! Catch); `engine::numbers` every numeric field that arrives at run time (paths, variables,
//! JSONata) and the audit of the fields evaluated at run time; `engine::retry` the Retry
//! state; `engine::states` one body per state type (Task, Choice, Wait, Parallel, Map with its
//! map run, batching, reader, writer and child log; Pass, Succeed and Fail together); `engine::exec` what an execution's branches share;
//! `engine::replay` resuming from a recorded history.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod engine;
mod execution;
pub mod handler;
pub mod history;
mod interpreter;
pub mod mock;
mod reports;
pub mod service_errors;

pub use clock::{Clock, RealClock, VirtualClock};
pub use execution::{ExecutionConfig, ExecutionType, Limits, Outcome, Status};
pub use handler::{BINARY_BODY_PARAMETER, Handlers, TaskFailure, TaskHandler, TaskRequest};
pub use history::{EventDetails, EventListener, EventType, History, HistoryEvent};
pub use interpreter::{
    ExecutionControl, ExecutionHandle, Interpreter, InterpreterBuilder, InvalidToken,
};
pub use mock::{MockConfig, MockConfigError, MockResponse};
pub use reports::{
    MapRunChildListener, MapRunChildReport, MapRunListener, MapRunReport, PollListener,
};
