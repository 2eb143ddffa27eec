//! The engine: runs a [`StateMachine`](asl_core::StateMachine) to completion, recording the
//! history as it goes.
//!
//! Each module imports only those listed before it, with one exception: the states and the
//! driver meet at one dispatch point, [`states::run`], and Parallel and Map re-enter the
//! driver through [`driver::run_machine`] for their branches and iterations.
//!
//! - [`vars`], [`tokens`], [`replay`]: variable scopes, task tokens, resuming from a recorded
//!   history.
//! - [`exec`]: what one execution's branches share ([`Exec`]: history, clock, context
//!   object, replay) and one branch's event chain ([`exec::Thread`]).
//! - [`kernel`]: what every state goes through ([`kernel::StateRun`]'s pipeline, exit, failure
//!   and Catch).
//! - [`numbers`]: numeric fields that arrive at run time (paths, variables, JSONata), read
//!   and refused as AWS does, with the audit of every field evaluated at run time.
//! - [`retry`]: the Retry state of one state ([`retry::RetryState`]).
//! - [`states`]: one body per state type.
//! - [`driver`]: an execution from start to end, and a sequence of states.

mod driver;
mod exec;
mod kernel;
mod numbers;
mod replay;
mod retry;
mod states;
mod tokens;
mod vars;

use std::sync::Arc;

use crate::clock::Clock;
use crate::execution::Limits;
use crate::handler::Handlers;
use crate::history::EventListener;
use crate::mock::MockConfig;
use crate::reports::{MapRunChildListener, MapRunListener, PollListener};

pub(crate) use driver::run_execution;
pub(crate) use exec::Exec;
pub(crate) use replay::{Replay, redrivable};
pub(crate) use tokens::{Callback, Tokens};
pub(crate) use vars::Vars;

/// The failure leaving a state, a branch or an execution: the one failure type, shared with
/// task handlers.
pub(crate) use crate::handler::TaskFailure;

/// What every execution of one interpreter shares: its handlers, mocks, clock, limits, open
/// task tokens and listeners.
pub(crate) struct Inner {
    pub handlers: Handlers,
    pub mock: Option<Arc<MockConfig>>,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    pub tokens: Tokens,
    pub listener: Option<EventListener>,
    pub map_runs: Option<MapRunListener>,
    pub map_run_children: Option<MapRunChildListener>,
    pub polls: Option<PollListener>,
}
