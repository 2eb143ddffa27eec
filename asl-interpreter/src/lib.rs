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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod engine;
pub mod handler;
pub mod history;
pub mod mock;

pub use clock::{Clock, RealClock, VirtualClock};
pub use engine::{
    ExecutionConfig, ExecutionControl, ExecutionHandle, ExecutionType, Interpreter,
    InterpreterBuilder, InvalidToken, Limits, MapRunChildListener, MapRunChildReport,
    MapRunListener, MapRunReport, Outcome, PollListener, Status,
};
pub use handler::{Handlers, TaskFailure, TaskHandler, TaskRequest};
pub use history::{EventDetails, EventListener, History, HistoryEvent};
pub use mock::{MockConfig, MockConfigError, MockResponse};
