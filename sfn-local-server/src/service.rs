//! The running service: the store, the interpreter, the executions in flight and the
//! activity queues. The API operations (in [`crate::api`]) are methods over this.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use asl_core::StateMachine;
use asl_interpreter::{
    ExecutionConfig, ExecutionControl, ExecutionType, Handlers, HistoryEvent, Interpreter,
    MockConfig, Outcome, RealClock, TaskFailure, TaskRequest,
};
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

use crate::integrations::ecs::{EcsConfig, EcsHandler};
use crate::integrations::sinks::{Record, Recorder};
use crate::store::{ExecutionRec, RecordRec, Store, WriteOp, Writer};

/// How the service is set up (from flags, the config file and the environment).
#[derive(Clone)]
pub struct Settings {
    /// Region in ARNs.
    pub region: String,
    /// Account in ARNs.
    pub account: String,
    /// Multiplies every wait (Step Functions Local's `WAIT_TIME_SCALE`).
    pub wait_time_scale: f64,
    /// How long `GetActivityTask` waits for a task (AWS: 60 s).
    pub activity_poll: Duration,
    /// MockConfigFile.
    pub mock: Option<MockConfig>,
    /// ECS task definitions run as local processes (`ecs:runTask` has no handler without).
    pub ecs: Option<EcsConfig>,
    /// The folder of the local S3 (bucket `B`, key `K` is `<s3_root>/B/K`).
    pub s3_root: Option<std::path::PathBuf>,
    /// Host names served besides the loopback ones (`--allowed-host`; see [`crate::http`]).
    pub allowed_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            wait_time_scale: 1.0,
            activity_poll: Duration::from_secs(60),
            mock: None,
            ecs: None,
            s3_root: None,
            allowed_hosts: Vec::new(),
        }
    }
}

/// How many times in a row an execution is resumed at the same point of its history (the
/// process ended each time before it recorded another event) before it fails instead: a
/// state that kills the process must not kill it again at every restart.
pub const MAX_RESUMES_WITHOUT_PROGRESS: u32 = 3;

/// How [`Service::close_interrupted`] ends an execution.
enum Closing {
    Aborted,
    Failed,
}

/// An execution in flight.
pub(crate) struct Running {
    pub control: ExecutionControl,
}

/// A task waiting for an activity worker.
struct PendingActivity {
    token: String,
    input: String,
    started: oneshot::Sender<String>,
}

#[derive(Default)]
struct ActivityQueue {
    pending: VecDeque<PendingActivity>,
    notify: Arc<Notify>,
}

/// The service.
pub struct Service {
    pub(crate) settings: Settings,
    pub(crate) store: Store,
    pub(crate) writer: Writer,
    pub(crate) interp: Interpreter,
    /// SNS, SQS and EventBridge messages the executions sent.
    pub recorder: Recorder,
    /// ECS tasks (their logs), when configured.
    pub ecs: Option<EcsHandler>,
    running: Mutex<HashMap<String, Running>>,
    machines: Mutex<HashMap<String, (String, Arc<StateMachine>)>>,
    activities: Mutex<HashMap<String, ActivityQueue>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Epoch seconds (as AWS's JSON protocol sends timestamps) from milliseconds.
pub fn epoch(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

impl Service {
    /// Builds the service over `store`, with `extra` task handlers added to the built-in ones.
    pub fn new(
        settings: Settings,
        store: Store,
        extra: Handlers,
        polls: Option<asl_interpreter::PollListener>,
    ) -> Arc<Service> {
        Arc::new_cyclic(|weak: &Weak<Service>| {
            let writer = Writer::start(store.clone());
            let w = writer.clone();
            let listener: asl_interpreter::EventListener = Arc::new(move |arn, ev| {
                if tracing::enabled!(tracing::Level::INFO)
                    && (ev.event_type.ends_with("StateEntered")
                        || ev.event_type.ends_with("StateExited"))
                {
                    let state = ev.details.as_ref().and_then(|d| d.name());
                    tracing::info!(execution = %arn, event = %ev.event_type, id = ev.id, state = state.unwrap_or_default(), "transition");
                } else {
                    tracing::debug!(execution = %arn, event = %ev.event_type, id = ev.id, "event");
                }
                // Step Functions keeps no history of Express executions (their ARNs'
                // resource type is `express`): nothing of theirs is stored.
                if arn.split(':').nth(5) == Some("express") {
                    return;
                }
                w.send(WriteOp::Event {
                    execution_arn: arn.into(),
                    id: ev.id,
                    event: ev.to_json_text(),
                });
            });
            let activity_prefix = format!(
                "arn:aws:states:{}:{}:activity:",
                settings.region, settings.account
            );
            let me = weak.clone();
            let activity = move |req: TaskRequest| {
                let me = me.clone();
                async move {
                    match me.upgrade() {
                        Some(s) => s.schedule_activity(req).await,
                        None => Err(TaskFailure::new("States.Runtime", "sfn-local is stopping")),
                    }
                }
            };
            let handlers = extra.prefix(activity_prefix, activity).prefix(
                crate::integrations::nested::PREFIX,
                crate::integrations::nested::NestedExecutions(weak.clone()),
            );
            let w = writer.clone();
            let recorder = Recorder::new().with_on_record(move |r: &Record| {
                w.send(WriteOp::Record(RecordRec {
                    id: r.id.clone(),
                    service: r.service.clone(),
                    target: r.target.clone(),
                    payload: serde_json::to_value(r).unwrap_or_default(),
                    time: r.time.timestamp_millis(),
                    execution_arn: Some(r.execution_arn.clone()),
                    state_name: Some(r.state_name.clone()),
                }));
            });
            match store.records(None) {
                Ok(saved) => recorder.restore(
                    saved
                        .into_iter()
                        .filter_map(|r| serde_json::from_value::<Record>(r.payload).ok()),
                ),
                Err(e) => tracing::error!(error = %e, "cannot load the recorded messages"),
            }
            let handlers = recorder.register(handlers);
            let handlers = match &settings.s3_root {
                Some(root) => crate::integrations::s3::LocalS3::new(root).register(handlers),
                None => handlers,
            };
            let ecs = settings.ecs.clone().map(|c| EcsHandler::new(Arc::new(c)));
            let handlers = match &ecs {
                Some(e) => e.register(handlers),
                None => handlers,
            };
            // Map runs and their children go through the writer, in order: a map run's end is
            // stored after its children's.
            let w = writer.clone();
            let map_runs: asl_interpreter::MapRunListener = Arc::new(move |r| {
                w.send(WriteOp::MapRun {
                    arn: r.map_run_arn.clone(),
                    execution_arn: r.execution_arn.clone(),
                    run: map_run_json(r).to_string(),
                });
            });
            let w = writer.clone();
            let map_run_children: asl_interpreter::MapRunChildListener =
                Arc::new(move |c| record_map_run_child(&w, c));
            match store.close_interrupted_children(now_ms()) {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    children = n,
                    "closed the map run children that were running"
                ),
                Err(e) => {
                    tracing::error!(error = %e, "cannot close the interrupted map run children")
                }
            }
            let mut builder = Interpreter::builder()
                .handlers(handlers)
                .clock(Arc::new(RealClock::scaled(settings.wait_time_scale)))
                .on_event(listener)
                .on_map_run(map_runs)
                .on_map_run_child(map_run_children);
            if let Some(p) = polls {
                builder = builder.on_poll(p);
            }
            if let Some(m) = &settings.mock {
                builder = builder.mock_config(m.clone());
            }
            Service {
                settings,
                store,
                writer,
                interp: builder.build(),
                recorder,
                ecs,
                running: Mutex::default(),
                machines: Mutex::default(),
                activities: Mutex::default(),
            }
        })
    }

    /// The parsed definition stored under `arn` (a state machine or version) at `revision`.
    pub(crate) fn machine(
        &self,
        arn: &str,
        revision: &str,
        definition: &str,
    ) -> Result<Arc<StateMachine>, String> {
        if let Some((rev, m)) = lock(&self.machines).get(arn)
            && rev == revision
        {
            return Ok(m.clone());
        }
        let m = Arc::new(StateMachine::from_str(definition).map_err(|e| e.to_string())?);
        lock(&self.machines).insert(arn.to_string(), (revision.to_string(), m.clone()));
        Ok(m)
    }

    /// Starts a Standard execution whose row is already stored.
    pub(crate) fn launch(self: &Arc<Self>, rec: &ExecutionRec, machine: Arc<StateMachine>) {
        self.launch_from(rec, machine, Vec::new());
    }

    /// Starts (`recorded` empty) or resumes a Standard execution whose row is stored.
    fn launch_from(
        self: &Arc<Self>,
        rec: &ExecutionRec,
        machine: Arc<StateMachine>,
        recorded: Vec<HistoryEvent>,
    ) {
        let config = self.config_for(rec, ExecutionType::Standard);
        let handle = if recorded.is_empty() {
            self.interp.start(machine, config)
        } else {
            self.interp.resume(machine, config, recorded)
        };
        self.watch(rec, handle);
    }

    /// Redrives a closed execution: its row goes back to RUNNING with one more redrive, and
    /// the interpreter re-runs what failed. Returns the redrive time (epoch ms).
    pub(crate) fn redrive(self: &Arc<Self>, rec: &ExecutionRec) -> Result<i64, String> {
        let machine = self
            .definition_of(rec)
            .ok_or_else(|| "the state machine definition is no longer available".to_string())?;
        let mut events = Vec::new();
        for v in self.store.events(&rec.arn).map_err(|e| e.to_string())? {
            match HistoryEvent::from_json(&v) {
                Some(e) if e.id == events.len() as u64 + 1 => events.push(e),
                _ => return Err("the execution's history is incomplete".into()),
            }
        }
        let now = now_ms();
        let count = rec.redrive_count + 1;
        self.store
            .redrive_execution(&rec.arn, count, now)
            .map_err(|e| e.to_string())?;
        let mut rec = rec.clone();
        rec.status = "RUNNING".into();
        rec.redrive_count = count;
        rec.redrive_date = Some(now);
        rec.output = None;
        rec.error = None;
        rec.cause = None;
        rec.stop = None;
        let config = self.config_for(&rec, ExecutionType::Standard);
        let handle = self.interp.redrive(machine, config, events, count);
        self.watch(&rec, handle);
        Ok(now)
    }

    /// Keeps a started execution's control and records its end.
    fn watch(self: &Arc<Self>, rec: &ExecutionRec, handle: asl_interpreter::ExecutionHandle) {
        lock(&self.running).insert(
            rec.arn.clone(),
            Running {
                control: handle.control(),
            },
        );
        let me = self.clone();
        let mut rec = rec.clone();
        tokio::spawn(async move {
            let outcome = handle.outcome().await;
            apply_outcome(&mut rec, &outcome);
            me.writer.send(WriteOp::Finish(rec.clone()));
            me.writer.flush_async().await;
            lock(&me.running).remove(&rec.arn);
            tracing::info!(execution = %rec.arn, status = %rec.status, "execution ended");
        });
    }

    /// Runs an Express execution to its end (nothing is stored: Express has no history).
    pub(crate) async fn run_express(
        &self,
        rec: &ExecutionRec,
        machine: Arc<StateMachine>,
    ) -> Outcome {
        let config = self.config_for(rec, ExecutionType::Express);
        self.interp.start(machine, config).outcome().await
    }

    fn config_for(&self, rec: &ExecutionRec, kind: ExecutionType) -> ExecutionConfig {
        let sm_name = rec
            .sm_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string();
        // The role of the definition that runs (a version keeps the role it was published with).
        let role_arn = match self.store.version(&rec.definition_arn) {
            Ok(Some(v)) => v.role_arn,
            _ => self
                .store
                .state_machine(&rec.definition_arn)
                .ok()
                .flatten()
                .map(|s| s.role_arn)
                .unwrap_or_default(),
        };
        ExecutionConfig {
            name: rec.name.clone(),
            state_machine_name: sm_name,
            role_arn,
            execution_type: kind,
            test_case: rec.test_case.clone(),
            input_text: rec.input.clone(),
            region: self.settings.region.clone(),
            account: self.settings.account.clone(),
            arn: Some(rec.arn.clone()),
            context: None,
        }
    }

    /// The live control of a running execution.
    pub(crate) fn running(&self, arn: &str) -> Option<ExecutionControl> {
        lock(&self.running).get(arn).map(|r| r.control.clone())
    }

    /// Number of executions in flight.
    pub fn running_count(&self) -> usize {
        lock(&self.running).len()
    }

    /// On start-up: every execution the store says was running when the process ended
    /// resumes from its recorded history (see `Interpreter::resume`). One whose history already
    /// ends is closed as its last event says; one whose definition is gone is closed as
    /// ABORTED with a cause that says why. Returns how many resumed.
    ///
    /// `suspects` are the executions the previous process was running code for when it ended
    /// ([`crate::inflight`]): one that was each time, at the same point of its history, more
    /// than [`MAX_RESUMES_WITHOUT_PROGRESS`] times in a row, fails instead of resuming.
    pub fn resume_interrupted(
        self: &Arc<Self>,
        suspects: &[String],
    ) -> crate::store::Result<usize> {
        let mut resumed = 0;
        for mut rec in self.store.executions_in("RUNNING")? {
            let mut events: Vec<HistoryEvent> = Vec::new();
            for v in self.store.events(&rec.arn)? {
                match HistoryEvent::from_json(&v) {
                    // Only a contiguous prefix is a history to continue.
                    Some(e) if e.id == events.len() as u64 + 1 => events.push(e),
                    _ => break,
                }
            }
            if let Some(last) = events.last()
                && let Some(status) = terminal_status(&last.event_type)
            {
                let d = last
                    .details
                    .as_ref()
                    .map(asl_interpreter::EventDetails::value)
                    .unwrap_or_default();
                rec.status = status.into();
                rec.output = d.get("output").and_then(Value::as_str).map(str::to_string);
                rec.error = d.get("error").and_then(Value::as_str).map(str::to_string);
                rec.cause = d.get("cause").and_then(Value::as_str).map(str::to_string);
                rec.stop = Some(last.timestamp.timestamp_millis());
                self.store.apply(&[WriteOp::Finish(rec)])?;
                continue;
            }
            let suspect = suspects.contains(&rec.arn);
            let attempts = self
                .store
                .count_resume(&rec.arn, events.len() as u64, suspect)?;
            if attempts > MAX_RESUMES_WITHOUT_PROGRESS {
                tracing::warn!(execution = %rec.arn, attempts, "not resumed again: the process ended while it ran, each time at the same point");
                let cause = format!(
                    "sfn-local ended {attempts} times while running this execution, each time at the same point of its history; it is not resumed again."
                );
                self.close_interrupted(rec, Closing::Failed, &cause)?;
                continue;
            }
            match self.definition_of(&rec) {
                Some(machine) => {
                    tracing::info!(execution = %rec.arn, events = events.len(), "resuming");
                    self.launch_from(&rec, machine, events);
                    resumed += 1;
                }
                None => self.close_interrupted(
                    rec,
                    Closing::Aborted,
                    "sfn-local stopped while this execution was running, and its definition is no longer there to resume it.",
                )?,
            }
        }
        Ok(resumed)
    }

    /// The parsed definition an execution runs.
    pub(crate) fn definition_of(&self, rec: &ExecutionRec) -> Option<Arc<StateMachine>> {
        let (revision, definition) = match self.store.version(&rec.definition_arn).ok()? {
            Some(v) => (v.revision_id, v.definition),
            None => {
                let sm = self.store.state_machine(&rec.definition_arn).ok()??;
                (sm.revision_id, sm.definition)
            }
        };
        self.machine(&rec.definition_arn, &revision, &definition)
            .ok()
    }

    /// Closes an execution that cannot resume, with an event that continues its history and
    /// a cause that says why: ABORTED when its definition is gone, FAILED with
    /// `States.Runtime` when resuming it keeps ending the process.
    fn close_interrupted(
        &self,
        mut rec: ExecutionRec,
        how: Closing,
        cause: &str,
    ) -> crate::store::Result<()> {
        let last = self.store.last_event_id(&rec.arn)?;
        let now = now_ms();
        let (status, event_type, details, error) = match how {
            Closing::Aborted => (
                "ABORTED",
                "ExecutionAborted",
                "executionAbortedEventDetails",
                "SfnLocal.Interrupted",
            ),
            Closing::Failed => (
                "FAILED",
                "ExecutionFailed",
                "executionFailedEventDetails",
                "States.Runtime",
            ),
        };
        let event = json!({
            "timestamp": now as f64 / 1000.0,
            "type": event_type,
            "id": last + 1,
            "previousEventId": last,
            details: {"error": error, "cause": cause},
        });
        rec.status = status.into();
        rec.error = Some(error.into());
        rec.cause = Some(cause.into());
        rec.stop = Some(now);
        self.store.apply(&[
            WriteOp::Event {
                execution_arn: rec.arn.as_str().into(),
                id: last + 1,
                event: event.to_string(),
            },
            WriteOp::Finish(rec),
        ])?;
        Ok(())
    }

    // --- activities -------------------------------------------------------------------

    async fn schedule_activity(&self, req: TaskRequest) -> Result<Value, TaskFailure> {
        let Some(token) = req.task_token.clone() else {
            return Err(TaskFailure::new(
                "States.Runtime",
                "activity task without a token",
            ));
        };
        let (tx, rx) = oneshot::channel();
        {
            let mut queues = lock(&self.activities);
            let q = queues.entry(req.resource.clone()).or_default();
            q.pending.push_back(PendingActivity {
                token,
                input: asl_core::dataflow::to_json_text(&req.parameters),
                started: tx,
            });
            q.notify.notify_one();
        }
        match rx.await {
            Ok(worker) => Ok(json!({"workerName": worker})),
            Err(_) => Err(TaskFailure::new(
                "States.Runtime",
                "the activity task was dropped",
            )),
        }
    }

    /// `GetActivityTask`: the oldest waiting task of `activity`, waiting up to the poll time.
    pub(crate) async fn poll_activity(
        &self,
        activity: &str,
        worker: &str,
    ) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + self.settings.activity_poll;
        loop {
            let notify = {
                let mut queues = lock(&self.activities);
                let q = queues.entry(activity.to_string()).or_default();
                while let Some(p) = q.pending.pop_front() {
                    if p.started.send(worker.to_string()).is_ok() {
                        return Some((p.token, p.input));
                    }
                }
                q.notify.clone()
            };
            if tokio::time::timeout_at(deadline, notify.notified())
                .await
                .is_err()
            {
                return None;
            }
        }
    }
}

/// DescribeMapRun's JSON for a map run.
fn map_run_json(r: &asl_interpreter::MapRunReport) -> Value {
    let running = usize::from(r.status == "RUNNING") * r.total;
    let counts = json!({
        "pending": 0, "running": running, "succeeded": r.succeeded, "failed": r.failed,
        "timedOut": 0, "aborted": 0, "total": r.total, "resultsWritten": r.succeeded,
        "failuresNotRedrivable": 0, "pendingRedrive": 0
    });
    let mut v = json!({
        "mapRunArn": r.map_run_arn,
        "executionArn": r.execution_arn,
        "stateMachineArn": r.state_machine_arn,
        "status": r.status,
        "startDate": epoch(r.start.timestamp_millis()),
        "maxConcurrency": r.max_concurrency,
        "toleratedFailurePercentage": r.tolerated_failure_percentage,
        "toleratedFailureCount": r.tolerated_failure_count,
        "itemCounts": counts,
        "executionCounts": counts,
        "redriveCount": 0,
    });
    if let Some(stop) = r.stop {
        v["stopDate"] = epoch(stop.timestamp_millis());
    }
    v
}

/// Stores a map run's child workflow execution as it starts and ends: its row (listed by
/// `ListExecutions(mapRunArn)`) and its history events.
fn record_map_run_child(w: &Writer, c: &asl_interpreter::MapRunChildReport) {
    let express = c.execution_type == ExecutionType::Express;
    w.send(WriteOp::Child(ExecutionRec {
        arn: c.execution_arn.clone(),
        sm_arn: c.state_machine_arn.clone(),
        name: c.name.clone(),
        status: c.status.as_str().to_string(),
        kind: if express { "EXPRESS" } else { "STANDARD" }.into(),
        input: c.input.clone(),
        output: c.output.clone(),
        error: c.error.clone(),
        cause: c.cause.clone(),
        start: c.start.timestamp_millis(),
        stop: c.stop.map(|t| t.timestamp_millis()),
        version_arn: None,
        alias_arn: None,
        // No stored definition: the child runs its map run's ItemProcessor.
        definition_arn: c.state_machine_arn.clone(),
        trace_header: None,
        test_case: None,
        redrive_count: 0,
        redrive_date: None,
        map_run_arn: Some(c.map_run_arn.clone()),
        item_count: Some(c.item_count as u32),
    }));
    if !c.events.is_empty() {
        let arn: Arc<str> = c.execution_arn.as_str().into();
        for ev in &c.events {
            w.send(WriteOp::Event {
                execution_arn: arn.clone(),
                id: ev.id,
                event: ev.to_json_text(),
            });
        }
    }
}

/// The execution status a terminal history event stands for.
fn terminal_status(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "ExecutionSucceeded" => "SUCCEEDED",
        "ExecutionFailed" => "FAILED",
        "ExecutionTimedOut" => "TIMED_OUT",
        "ExecutionAborted" => "ABORTED",
        _ => return None,
    })
}

/// Copies an outcome's end state into the execution's row.
pub(crate) fn apply_outcome(rec: &mut ExecutionRec, o: &Outcome) {
    rec.status = o.status.as_str().to_string();
    rec.output = o.output.clone();
    rec.error = o.error.clone();
    rec.cause = o.cause.clone();
    rec.stop = Some(o.stop_date.timestamp_millis());
}
