//! The embedder's entry point: an [`Interpreter`] (built once by an [`InterpreterBuilder`],
//! shared) starts executions and hands back an [`ExecutionHandle`] to await, stop or observe.

use std::sync::Arc;

use asl_core::StateMachine;
use asl_core::error::names;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

use crate::clock::{Clock, VirtualClock, drive};
use crate::engine::{self, Callback, Exec, Inner, Tokens};
use crate::execution::{ExecutionConfig, Limits, Outcome, Status};
use crate::handler::{Handlers, TaskFailure};
use crate::history::{EventDetails, EventListener, EventType, History, HistoryEvent};
use crate::mock::MockConfig;
use crate::reports::{MapRunChildListener, MapRunListener, PollListener};

/// What a resumed or redriven execution starts from.
struct Restart {
    /// Its history so far (the new events follow it).
    history: Vec<HistoryEvent>,
    /// The events to replay (for a redrive, without the failure that ended it).
    replay: Vec<HistoryEvent>,
    /// Set for a redrive: the new redrive count.
    redrive_count: Option<u32>,
    /// Set when resuming a redriven execution: its redrive count and time.
    redriven: Option<(u32, DateTime<Utc>)>,
}

/// A future that tells a [`PollListener`] around each of its polls.
struct Observed<F> {
    fut: std::pin::Pin<Box<F>>,
    arn: String,
    listener: PollListener,
}

impl<F: std::future::Future> std::future::Future for Observed<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let this = &mut *self;
        (this.listener)(Some(&this.arn));
        // Told of the poll's end even when it panics (tokio keeps the thread).
        struct Ends<'a>(&'a PollListener);
        impl Drop for Ends<'_> {
            fn drop(&mut self) {
                (self.0)(None);
            }
        }
        let _ends = Ends(&this.listener);
        this.fut.as_mut().poll(cx)
    }
}

/// Why a callback could not be delivered (the API's `TaskDoesNotExist` / `TaskTimedOut`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Task Token does not exist or has already been completed: {0}")]
pub struct InvalidToken(pub String);

/// Runs state machines. Build once, share, start many executions.
#[derive(Clone)]
pub struct Interpreter {
    pub(crate) inner: Arc<Inner>,
}

/// Builds an [`Interpreter`].
pub struct InterpreterBuilder {
    handlers: Handlers,
    mock: Option<Arc<MockConfig>>,
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
    listener: Option<EventListener>,
    map_runs: Option<MapRunListener>,
    map_run_children: Option<MapRunChildListener>,
    polls: Option<PollListener>,
}

impl Interpreter {
    /// A builder with no handlers, a virtual clock and AWS's limits.
    pub fn builder() -> InterpreterBuilder {
        InterpreterBuilder {
            handlers: Handlers::new(),
            mock: None,
            clock: None,
            limits: Limits::default(),
            listener: None,
            map_runs: None,
            map_run_children: None,
            polls: None,
        }
    }

    /// The interpreter's clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// Runs one execution to completion (virtual time passes instantly).
    pub async fn run(&self, machine: Arc<StateMachine>, config: ExecutionConfig) -> Outcome {
        let (handle, fut) = self.prepare(machine, config, None);
        drop(handle);
        fut.await
    }

    /// Starts an execution on the current tokio runtime and returns a handle to it.
    pub fn start(&self, machine: Arc<StateMachine>, config: ExecutionConfig) -> ExecutionHandle {
        self.spawn(machine, config, Vec::new())
    }

    /// Resumes an execution from its recorded history (`recorded`: its events so far, ids
    /// 1..n, as a crashed process left them): what finished is replayed from the record, not
    /// run again, and the history continues from event n + 1. See [`History::resume`].
    pub fn resume(
        &self,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        recorded: Vec<HistoryEvent>,
    ) -> ExecutionHandle {
        self.spawn(machine, config, recorded)
    }

    /// Redrives a closed execution that failed, timed out or was aborted (its whole history in
    /// `recorded`): `ExecutionRedriven` is appended, the states that had succeeded are replayed
    /// from the record, and the ones that failed or were aborted run again. The history keeps
    /// growing from where it ended, as AWS's does.
    pub fn redrive(
        &self,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        recorded: Vec<HistoryEvent>,
        redrive_count: u32,
    ) -> ExecutionHandle {
        let keep = engine::redrivable(&recorded);
        let restart = Restart {
            history: recorded,
            replay: keep,
            redrive_count: Some(redrive_count),
            redriven: None,
        };
        self.spawn_restart(machine, config, Some(restart))
    }

    fn spawn(
        &self,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        recorded: Vec<HistoryEvent>,
    ) -> ExecutionHandle {
        let restart = (!recorded.is_empty()).then(|| {
            // A redriven execution replays its last redrive: the failure before it is not
            // part of the record to follow.
            let last_redrive = recorded
                .iter()
                .rposition(|e| e.event_type == EventType::ExecutionRedriven);
            let (replay, redriven) = match last_redrive {
                Some(i) => {
                    let mut r = engine::redrivable(&recorded[..i]);
                    r.extend(recorded[i + 1..].iter().cloned());
                    let e = &recorded[i];
                    let count = e
                        .details
                        .as_ref()
                        .and_then(|d| d.get("redriveCount"))
                        .and_then(|v| v.as_u64())
                        .unwrap_or(1) as u32;
                    (r, Some((count, e.timestamp)))
                }
                None => (recorded.clone(), None),
            };
            Restart {
                history: recorded,
                replay,
                redrive_count: None,
                redriven,
            }
        });
        self.spawn_restart(machine, config, restart)
    }

    fn spawn_restart(
        &self,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        restart: Option<Restart>,
    ) -> ExecutionHandle {
        let (mut handle, fut) = self.prepare(machine, config, restart);
        let (tx, rx) = oneshot::channel();
        match &self.inner.polls {
            Some(listener) => {
                let observed = Observed {
                    fut: Box::pin(fut),
                    arn: handle.execution_arn.clone(),
                    listener: listener.clone(),
                };
                tokio::spawn(async move {
                    let _ = tx.send(observed.await);
                });
            }
            None => {
                tokio::spawn(async move {
                    let _ = tx.send(fut.await);
                });
            }
        }
        handle.done = Some(rx);
        handle
    }

    fn prepare(
        &self,
        machine: Arc<StateMachine>,
        mut config: ExecutionConfig,
        restart: Option<Restart>,
    ) -> (
        ExecutionHandle,
        impl std::future::Future<Output = Outcome> + Send + 'static,
    ) {
        let (stop_tx, stop_rx) = watch::channel(None);
        // Fixed once: an Express ARN ends with a fresh UUID each time it is derived.
        let arn = config.execution_arn();
        config.arn = Some(arn.clone());
        let listener = self.inner.listener.clone();
        let mut redrive = None;
        let (history, replay) = match restart {
            None => {
                let h = match listener {
                    Some(l) => History::with_listener(&arn, l),
                    None => History::new(),
                };
                (h, None)
            }
            Some(r) => {
                let h = History::resume(
                    r.history,
                    listener.as_ref().map(|l| (arn.as_str(), l.clone())),
                );
                if let Some(count) = r.redrive_count {
                    let last = h.len() as u64;
                    let now = self.inner.clock.now();
                    let ty = EventType::ExecutionRedriven;
                    let details = EventDetails::of(ty, &json!({"redriveCount": count}));
                    h.push(last, now, ty, details);
                    redrive = Some((count, now));
                } else {
                    redrive = r.redriven;
                }
                (h, Some(engine::Replay::new(r.replay)))
            }
        };
        let mut exec = Exec::new(self.inner.clone(), machine, config, history.clone(), replay);
        if let Some((count, at)) = redrive {
            exec.redriven(count, at);
        }
        let exec = Arc::new(exec);
        let handle = ExecutionHandle {
            execution_arn: exec.execution_arn.clone(),
            history,
            stop: stop_tx,
            done: None,
            tokens: self.inner.tokens.clone(),
        };
        let clock = self.inner.clock.clone();
        let fut = drive(clock, engine::run_execution(exec, stop_rx));
        (handle, fut)
    }

    /// Completes a `.waitForTaskToken` task successfully.
    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), InvalidToken> {
        self.deliver(token, Callback::Success(output))
    }

    /// Fails a `.waitForTaskToken` task.
    pub fn send_task_failure(&self, token: &str, failure: TaskFailure) -> Result<(), InvalidToken> {
        self.deliver(token, Callback::Failure(failure))
    }

    /// Records a heartbeat for a task token.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), InvalidToken> {
        let tokens = self.inner.tokens.lock();
        match tokens.get(token) {
            Some(tx) if tx.send(Callback::Heartbeat).is_ok() => Ok(()),
            _ => Err(InvalidToken(token.to_string())),
        }
    }

    fn deliver(&self, token: &str, cb: Callback) -> Result<(), InvalidToken> {
        let tx = self.inner.tokens.lock().remove(token);
        match tx {
            Some(tx) if tx.send(cb).is_ok() => Ok(()),
            _ => Err(InvalidToken(token.to_string())),
        }
    }
}

impl InterpreterBuilder {
    /// Task handlers.
    pub fn handlers(mut self, handlers: Handlers) -> Self {
        self.handlers = handlers;
        self
    }

    /// A MockConfigFile to answer Task states from (selected per execution by test case).
    pub fn mock_config(mut self, mock: MockConfig) -> Self {
        self.mock = Some(Arc::new(mock));
        self
    }

    /// The clock (default: a virtual clock starting now).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Limits (default: AWS's).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// A listener given every history event of every execution as it is appended.
    pub fn on_event(mut self, listener: EventListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// A listener told when a Distributed Map's map run starts and ends.
    pub fn on_map_run(mut self, listener: MapRunListener) -> Self {
        self.map_runs = Some(listener);
        self
    }

    /// A listener told when a child workflow execution of a map run starts and ends (nothing
    /// is recorded for them without one).
    pub fn on_map_run_child(mut self, listener: MapRunChildListener) -> Self {
        self.map_run_children = Some(listener);
        self
    }

    /// A listener told around every poll of every started execution (see [`PollListener`]).
    pub fn on_poll(mut self, listener: PollListener) -> Self {
        self.polls = Some(listener);
        self
    }

    /// The interpreter.
    pub fn build(self) -> Interpreter {
        Interpreter {
            inner: Arc::new(Inner {
                handlers: self.handlers,
                mock: self.mock,
                clock: self
                    .clock
                    .unwrap_or_else(|| Arc::new(VirtualClock::starting_now())),
                limits: self.limits,
                tokens: Tokens::default(),
                listener: self.listener,
                map_runs: self.map_runs,
                map_run_children: self.map_run_children,
                polls: self.polls,
            }),
        }
    }
}

/// A running execution.
pub struct ExecutionHandle {
    /// Its ARN.
    pub execution_arn: String,
    history: History,
    stop: watch::Sender<Option<(Option<String>, Option<String>)>>,
    done: Option<oneshot::Receiver<Outcome>>,
    tokens: Tokens,
}

/// A cloneable view of a running execution: its history and its stop switch (what a server
/// keeps while another task awaits the outcome).
#[derive(Clone)]
pub struct ExecutionControl {
    history: History,
    stop: watch::Sender<Option<(Option<String>, Option<String>)>>,
}

impl ExecutionControl {
    /// The history so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.history.snapshot()
    }

    /// The events so far with these ids (ids are 1-based and contiguous).
    pub fn history_ids(&self, ids: std::ops::RangeInclusive<u64>) -> Vec<HistoryEvent> {
        self.history.snapshot_ids(ids)
    }

    /// The number of events so far.
    pub fn history_len(&self) -> u64 {
        self.history.len() as u64
    }

    /// Stops the execution (ABORTED) with an optional error and cause.
    pub fn stop(&self, error: Option<String>, cause: Option<String>) {
        let _ = self.stop.send(Some((error, cause)));
    }
}

impl ExecutionHandle {
    /// The history so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.history.snapshot()
    }

    /// A cloneable view with the history and the stop switch.
    pub fn control(&self) -> ExecutionControl {
        ExecutionControl {
            history: self.history.clone(),
            stop: self.stop.clone(),
        }
    }

    /// Stops the execution (ABORTED) with an optional error and cause.
    pub fn stop(&self, error: Option<String>, cause: Option<String>) {
        let _ = self.stop.send(Some((error, cause)));
    }

    /// Task tokens currently waiting for a callback (for tests and workers).
    pub fn open_task_tokens(&self) -> Vec<String> {
        self.tokens.lock().keys().cloned().collect()
    }

    /// Waits for the end of the execution.
    pub async fn outcome(self) -> Outcome {
        match self.done {
            Some(rx) => rx
                .await
                .unwrap_or_else(|_| panic_outcome(&self.execution_arn)),
            None => panic_outcome(&self.execution_arn),
        }
    }
}

fn panic_outcome(arn: &str) -> Outcome {
    let now = Utc::now();
    Outcome {
        status: Status::Failed,
        execution_arn: arn.to_string(),
        state_machine_arn: String::new(),
        name: String::new(),
        input: String::new(),
        output: None,
        error: Some(names::RUNTIME.into()),
        cause: Some("The execution task ended unexpectedly".into()),
        start_date: now,
        stop_date: now,
        history: Vec::new(),
    }
}
