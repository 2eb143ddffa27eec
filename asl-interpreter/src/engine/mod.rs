//! The engine: runs a [`StateMachine`] to completion, recording the history as it goes.

mod branch;
mod parallel;
mod reader;
mod replay;
mod task;
mod vars;
mod writer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use asl_core::StateMachine;
use asl_core::error::names;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::{oneshot, watch};

use crate::clock::{Clock, VirtualClock, drive};
use crate::handler::{Handlers, TaskFailure};
use crate::history::{
    DetailsWriter, EventDetails, EventListener, History, HistoryEvent, NOT_TRUNCATED,
};
use crate::mock::MockConfig;
pub(crate) use vars::Vars;

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Still running.
    Running,
    /// Completed.
    Succeeded,
    /// A state failed with no Catch.
    Failed,
    /// The execution's `TimeoutSeconds` elapsed.
    TimedOut,
    /// Stopped (`StopExecution`).
    Aborted,
}

impl Status {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// `STANDARD` or `EXPRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionType {
    /// Standard workflow: full history.
    #[default]
    Standard,
    /// Express workflow.
    Express,
}

/// Limits AWS enforces, configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum history events per execution (AWS: 25,000).
    pub max_history_events: usize,
    /// Maximum size of a state's input or output in bytes (AWS: 256 KiB).
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_history_events: 25_000,
            max_payload_bytes: 262_144,
        }
    }
}

/// Identity and options of one execution.
#[derive(Debug, Clone)]
pub struct ExecutionConfig {
    /// The execution's name (default: a UUID).
    pub name: String,
    /// The state machine's name.
    pub state_machine_name: String,
    /// The execution role.
    pub role_arn: String,
    /// Standard or Express.
    pub execution_type: ExecutionType,
    /// The mock test case to answer Task states from.
    pub test_case: Option<String>,
    /// The input exactly as given (AWS keeps the text).
    pub input_text: String,
    /// Region for ARNs.
    pub region: String,
    /// Account for ARNs.
    pub account: String,
    /// The execution ARN to use instead of deriving one (a server that must answer with the
    /// ARN before the execution runs).
    pub arn: Option<String>,
    /// A context object to use for `$$` instead of the one the execution builds: TestState's
    /// `context` member, which AWS uses as given (an empty object gives `$$` = `{}`).
    pub context: Option<Map<String, Value>>,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        ExecutionConfig {
            name: uuid::Uuid::new_v4().to_string(),
            state_machine_name: "StateMachine".into(),
            role_arn: "arn:aws:iam::123456789012:role/sfn-local".into(),
            execution_type: ExecutionType::Standard,
            test_case: None,
            input_text: "{}".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            arn: None,
            context: None,
        }
    }
}

impl ExecutionConfig {
    /// The state machine ARN.
    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            self.region, self.account, self.state_machine_name
        )
    }

    /// The execution ARN.
    pub fn execution_arn(&self) -> String {
        if let Some(arn) = &self.arn {
            return arn.clone();
        }
        match self.execution_type {
            ExecutionType::Standard => format!(
                "arn:aws:states:{}:{}:execution:{}:{}",
                self.region, self.account, self.state_machine_name, self.name
            ),
            ExecutionType::Express => format!(
                "arn:aws:states:{}:{}:express:{}:{}:{}",
                self.region,
                self.account,
                self.state_machine_name,
                self.name,
                uuid::Uuid::new_v4()
            ),
        }
    }
}

/// The result of an execution: DescribeExecution's fields plus the history.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Final status.
    pub status: Status,
    /// The execution ARN.
    pub execution_arn: String,
    /// The state machine ARN.
    pub state_machine_arn: String,
    /// The execution name.
    pub name: String,
    /// The input text.
    pub input: String,
    /// The output as JSON text (SUCCEEDED only).
    pub output: Option<String>,
    /// The error name (FAILED/TIMED_OUT/ABORTED).
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// Start time.
    pub start_date: DateTime<Utc>,
    /// Stop time.
    pub stop_date: DateTime<Utc>,
    /// The whole history.
    pub history: Vec<HistoryEvent>,
}

impl Outcome {
    /// DescribeExecution's JSON plus `events`, as `sfn-local run` prints it.
    pub fn to_json(&self, with_events: bool) -> Value {
        let mut m = Map::new();
        m.insert("executionArn".into(), json!(self.execution_arn));
        m.insert("stateMachineArn".into(), json!(self.state_machine_arn));
        m.insert("name".into(), json!(self.name));
        m.insert("status".into(), json!(self.status.as_str()));
        m.insert("startDate".into(), json!(epoch(self.start_date)));
        m.insert("stopDate".into(), json!(epoch(self.stop_date)));
        m.insert("input".into(), json!(self.input));
        m.insert("inputDetails".into(), json!({"included": true}));
        if let Some(o) = &self.output {
            m.insert("output".into(), json!(o));
            m.insert("outputDetails".into(), json!({"included": true}));
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), json!(e));
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), json!(c));
        }
        if with_events {
            m.insert(
                "events".into(),
                Value::Array(self.history.iter().map(HistoryEvent::to_json).collect()),
            );
        }
        Value::Object(m)
    }

    /// Writes [`Outcome::to_json`]'s JSON to `w` without building the events' JSON first.
    pub fn write_json(&self, with_events: bool, mut w: impl std::io::Write) -> std::io::Result<()> {
        let Value::Object(base) = self.to_json(false) else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(64 * 1024);
        buf.push(b'{');
        for (i, (k, v)) in base.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            serde_json::to_writer(&mut buf, k)?;
            buf.push(b':');
            serde_json::to_writer(&mut buf, v)?;
        }
        if with_events {
            buf.extend_from_slice(b",\"events\":[");
            for (i, e) in self.history.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                e.write_json(&mut buf);
                if buf.len() >= 60 * 1024 {
                    w.write_all(&buf)?;
                    buf.clear();
                }
            }
            buf.push(b']');
        }
        buf.push(b'}');
        w.write_all(&buf)
    }
}

fn epoch(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

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

/// A Distributed Map's map run, as the map-run listener sees it when it starts and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunReport {
    /// `arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>`.
    pub map_run_arn: String,
    /// The execution that runs it.
    pub execution_arn: String,
    /// The state machine of its child workflows.
    pub state_machine_arn: String,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: &'static str,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub stop: Option<DateTime<Utc>>,
    /// Items in all.
    pub total: usize,
    /// Items whose iteration succeeded.
    pub succeeded: usize,
    /// Items whose iteration failed.
    pub failed: usize,
    /// `MaxConcurrency` (0: unbounded).
    pub max_concurrency: usize,
    /// `ToleratedFailurePercentage`.
    pub tolerated_failure_percentage: f64,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: u64,
}

/// Called when a map run starts and when it ends.
pub type MapRunListener = Arc<dyn Fn(&MapRunReport) + Send + Sync>;

/// One child workflow execution of a Distributed Map's map run (an item, or a batch of items),
/// as the map-run child listener sees it when it starts and when it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunChildReport {
    /// The map run that started it.
    pub map_run_arn: String,
    /// `arn:aws:states:<region>:<account>:execution:<state machine>/<label>:<name>` (an
    /// Express child: `...:express:<state machine>/<label>:<map run id>:<name>`).
    pub execution_arn: String,
    /// Its name (a UUID, the one a `ResultWriter` writes for it).
    pub name: String,
    /// The map run's state machine (`...:stateMachine:<state machine>/<label>`).
    pub state_machine_arn: String,
    /// The map run's `ProcessorConfig.ExecutionType`.
    pub execution_type: ExecutionType,
    /// `Running` when it starts; `Succeeded`, `Failed` or `Aborted` (the map run ended
    /// first) when it ends.
    pub status: Status,
    /// Its input as JSON text.
    pub input: String,
    /// Its output as JSON text (`Succeeded` only).
    pub output: Option<String>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause it failed with.
    pub cause: Option<String>,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub stop: Option<DateTime<Utc>>,
    /// How many items it processes (a batch's size; 1 without an `ItemBatcher`).
    pub item_count: usize,
    /// Its own history's events not reported before, numbered from 1 as its history: its
    /// `ExecutionStarted` when it starts, the others when it ends. Always empty for an
    /// Express child (Step Functions keeps no history of Express executions).
    pub events: Vec<HistoryEvent>,
}

/// Called when a child workflow execution of a map run starts and when it ends.
pub type MapRunChildListener = Arc<dyn Fn(&MapRunChildReport) + Send + Sync>;

/// Told, on the thread that polls it, when a started execution begins running
/// (`Some(execution ARN)`) and stops running (`None`) for one poll: what the server needs to
/// know which executions were running code when the process died.
pub type PollListener = Arc<dyn Fn(Option<&str>) + Send + Sync>;

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
        let r = this.fut.as_mut().poll(cx);
        (this.listener)(None);
        r
    }
}

/// What a callback delivers to a waiting `.waitForTaskToken` task.
#[derive(Debug)]
pub(crate) enum Callback {
    Success(Value),
    Failure(TaskFailure),
    Heartbeat,
}

/// Open task tokens, shared by all executions of an interpreter.
#[derive(Clone, Default)]
pub(crate) struct Tokens {
    inner: Arc<Mutex<HashMap<String, tokio::sync::mpsc::UnboundedSender<Callback>>>>,
}

impl Tokens {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, tokio::sync::mpsc::UnboundedSender<Callback>>>
    {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
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
        let keep = replay::redrivable(&recorded);
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
                .rposition(|e| e.event_type == "ExecutionRedriven");
            let (replay, redriven) = match last_redrive {
                Some(i) => {
                    let mut r = replay::redrivable(&recorded[..i]);
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
                    h.push(
                        last,
                        now,
                        "ExecutionRedriven",
                        Some(EventDetails::new(
                            "executionRedrivenEventDetails",
                            &json!({"redriveCount": count}),
                        )),
                    );
                    redrive = Some((count, now));
                } else {
                    redrive = r.redriven;
                }
                (h, Some(replay::Replay::new(r.replay)))
            }
        };
        let mut exec =
            branch::Exec::new(self.inner.clone(), machine, config, history.clone(), replay);
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
        let fut = drive(clock, branch::run_execution(exec, stop_rx));
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

/// ISO-8601 with milliseconds, as the context object shows times.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn details_io(key: &'static str, field: &str, v: &Value) -> Option<EventDetails> {
    let mut d = DetailsWriter::new();
    d.json_text(field, v);
    d.raw(&format!("{field}Details"), NOT_TRUNCATED);
    Some(d.finish(key))
}
