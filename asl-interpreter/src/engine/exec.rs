//! One execution's shared state ([`Exec`]: its history, clock, context object, replay) and the
//! event chain of one branch ([`Thread`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_core::StateMachine;
use asl_core::error::names;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::replay::Replay;
use super::{Inner, TaskFailure};
use crate::execution::ExecutionConfig;
use crate::history::{EventDetails, EventType, History};
use crate::reports::MapRunReport;

/// One execution: what all its branches share.
pub(crate) struct Exec {
    pub inner: Arc<Inner>,
    pub machine: Arc<StateMachine>,
    pub config: ExecutionConfig,
    pub history: History,
    pub execution_arn: String,
    pub state_machine_arn: String,
    /// The execution input, until the first state takes it.
    pub input: Mutex<Option<Value>>,
    pub start: DateTime<Utc>,
    /// Invocations per state name, for mock response numbering.
    pub invocations: Mutex<HashMap<String, u64>>,
    /// `$$.Execution` and `$$.StateMachine`, built once.
    pub context_base: Map<String, Value>,
    /// `$$.Execution.Input`, kept out of `context_base`: only the states that may read it
    /// (and Task states, whose handlers get the whole context object) get a copy. Read from
    /// the input text when one first does (most executions never do).
    execution_input: std::sync::OnceLock<Value>,
    /// The recorded history, when resuming.
    pub replay: Option<Replay>,
    /// Where the execution timeout counts from (the start, or the last redrive).
    pub timeout_from: DateTime<Utc>,
    /// Set when the history has room for the execution's last event only.
    pub history_full: AtomicBool,
    /// Wakes the execution driver when `history_full` is set.
    pub history_full_notify: tokio::sync::Notify,
    /// Set by the driver when StopExecution ends the run, before the run is dropped: the
    /// branches and iterations it drops then record their `...Aborted` events
    /// ([`AbortOnStop`]).
    pub stopping: AtomicBool,
    /// Set when a sleep reaches the longest a Standard execution may run: the execution times
    /// out. A sleep, not a timer of its own, so that a virtual clock jumps to that limit only
    /// when something waits beyond it (never while a task waits for an outside callback).
    pub out_of_time: AtomicBool,
    /// Wakes the execution driver when `out_of_time` is set.
    pub out_of_time_notify: tokio::sync::Notify,
}

impl Exec {
    pub fn new(
        inner: Arc<Inner>,
        machine: Arc<StateMachine>,
        mut config: ExecutionConfig,
        history: History,
        replay: Option<Replay>,
    ) -> Self {
        let start = replay
            .as_ref()
            .and_then(|r| r.timestamp(1))
            .unwrap_or_else(|| inner.clock.now());
        let execution_arn = config.execution_arn();
        let state_machine_arn = config.state_machine_arn();
        let input = config
            .input
            .take()
            .unwrap_or_else(|| serde_json::from_str(&config.input_text).unwrap_or(Value::Null));
        let mut context_base = Map::new();
        let mut execution = execution_context(
            &execution_arn,
            &Value::Null,
            start,
            &config.name,
            &config.role_arn,
        );
        if let Value::Object(e) = &mut execution {
            e.shift_remove("Input");
        }
        context_base.insert("Execution".into(), execution);
        context_base.insert(
            "StateMachine".into(),
            json!({"Id": state_machine_arn, "Name": config.state_machine_name}),
        );
        Exec {
            inner,
            machine,
            config,
            history,
            execution_arn,
            state_machine_arn,
            execution_input: std::sync::OnceLock::new(),
            input: Mutex::new(Some(input)),
            start,
            invocations: Mutex::new(HashMap::new()),
            context_base,
            replay,
            timeout_from: start,
            history_full: Default::default(),
            history_full_notify: tokio::sync::Notify::new(),
            stopping: AtomicBool::new(false),
            out_of_time: AtomicBool::new(false),
            out_of_time_notify: tokio::sync::Notify::new(),
        }
    }

    /// Whether the history has reached the quota (only the execution's last event fits).
    pub fn history_is_full(&self) -> bool {
        self.history_full.load(Ordering::Relaxed)
    }

    /// The failure of an execution whose history reached the quota.
    pub fn history_quota_failure(&self) -> TaskFailure {
        TaskFailure::new(
            names::RUNTIME,
            format!(
                "The execution reached the maximum number of history events ({}).",
                self.inner.limits.max_history_events
            ),
        )
    }

    /// Marks the execution as redriven `count` times, the last at `at`: `$$.Execution`
    /// carries `RedriveCount`, and `RedriveTime` once there was a redrive ("RedriveTime is
    /// only available if you've redriven an execution", AWS's context object page,
    /// input-output-contextobject).
    pub fn redriven(&mut self, count: u32, at: DateTime<Utc>) {
        if let Some(e) = self
            .context_base
            .get_mut("Execution")
            .and_then(Value::as_object_mut)
        {
            e.insert("RedriveCount".into(), json!(count));
            if count > 0 {
                e.insert("RedriveTime".into(), json!(iso(at)));
            } else {
                e.remove("RedriveTime");
            }
        }
        self.timeout_from = at;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Appends an event after `th`'s cursor and moves the cursor to it.
    pub fn emit(&self, th: &Thread, ty: EventType, details: Option<&Value>) -> u64 {
        self.emit_details(th, ty, details.and_then(|v| EventDetails::of(ty, v)))
    }

    /// [`Exec::emit`] with details already written.
    pub fn emit_details(&self, th: &Thread, ty: EventType, details: Option<EventDetails>) -> u64 {
        let mut t = th.lock();
        let id = self.emit_after_details(t.cursor, ty, details);
        t.cursor = id;
        id
    }

    /// Appends an event with an explicit previous id, leaving the cursor alone.
    pub fn emit_after(&self, prev: u64, ty: EventType, details: Option<&Value>) -> u64 {
        self.emit_after_details(prev, ty, details.and_then(|v| EventDetails::of(ty, v)))
    }

    /// [`Exec::emit_after`] with details already written. When resuming, an event that was
    /// recorded is not appended again: its recorded id is reused.
    /// Appends a Map iteration's `MapIterationStarted` after `prev` (the end of the iteration
    /// whose slot it takes, or the `MapStateStarted`/`MapRunStarted` `run_start`). When
    /// resuming, the recorded start of the same iteration in the same run is reused even if it
    /// followed another iteration's end ([`Replay::take_descendant`]).
    pub fn emit_iteration_start(
        &self,
        prev: u64,
        run_start: u64,
        details: Option<EventDetails>,
    ) -> u64 {
        let ty = EventType::MapIterationStarted;
        if let Some(r) = &self.replay
            && let Some(id) = r
                .take(prev, ty, details.as_ref())
                .or_else(|| r.take_descendant(run_start, ty, details.as_ref()))
        {
            return id;
        }
        self.emit_after_details(prev, ty, details)
    }

    pub fn emit_after_details(
        &self,
        prev: u64,
        ty: EventType,
        details: Option<EventDetails>,
    ) -> u64 {
        if let Some(r) = &self.replay
            && let Some(id) = r.take(prev, ty, details.as_ref())
        {
            return id;
        }
        // AWS's quota: an execution's history never holds more than `max_history_events`
        // events, the last being the execution's end. Once only that one fits, other events
        // are dropped and the execution fails (see `run_execution`).
        let cap = if ty.is_execution() {
            usize::MAX
        } else {
            self.inner.limits.max_history_events.saturating_sub(1)
        };
        match self.history.push_within(cap, prev, self.now(), ty, details) {
            Some(id) => id,
            None => {
                if !self.history_full.swap(true, Ordering::Relaxed) {
                    self.history_full_notify.notify_one();
                }
                prev
            }
        }
    }

    /// Sleeps `d` that started right after event `after`. When resuming, a sleep whose end
    /// is recorded is skipped, and one that was under way sleeps only what is left of it.
    /// A sleep that would end after the longest a Standard execution may run ends at that
    /// limit instead, and times the execution out ([`Exec::out_of_time`]).
    pub async fn sleep_after(&self, after: u64, d: Duration) {
        let mut left = d;
        if let Some(r) = &self.replay {
            if r.next_after(after, |_| true).is_some() {
                return;
            }
            if let Some(began) = r.timestamp(after) {
                let end = after_duration(began, d);
                left = (end - self.now()).to_std().unwrap_or_default();
            }
        }
        if let Some(limit) = self.max_end() {
            let end = after_duration(self.now(), left);
            if end > limit {
                let to_limit = (limit - self.now()).to_std().unwrap_or_default();
                self.inner.clock.sleep(to_limit).await;
                if !self.out_of_time.swap(true, Ordering::SeqCst) {
                    self.out_of_time_notify.notify_one();
                }
                return std::future::pending().await;
            }
        }
        self.inner.clock.sleep(left).await;
    }

    /// When a Standard execution has run as long as it may (AWS's quota, one year; see
    /// `driver::STANDARD_MAX_SECONDS`); `None` for an Express one, whose shorter limit is its
    /// timeout.
    fn max_end(&self) -> Option<DateTime<Utc>> {
        (self.config.execution_type == crate::execution::ExecutionType::Standard).then(|| {
            after_duration(
                self.timeout_from,
                Duration::from_secs(super::driver::STANDARD_MAX_SECONDS),
            )
        })
    }

    /// Tells the map-run listener, if any.
    pub fn report_map_run(&self, report: &MapRunReport) {
        if let Some(l) = &self.inner.map_runs {
            l(report);
        }
    }

    /// When the state whose entry is `entered` began (its recorded time when resuming).
    pub fn entered_at(&self, entered: u64) -> DateTime<Utc> {
        self.replay
            .as_ref()
            .and_then(|r| r.timestamp(entered))
            .unwrap_or_else(|| self.now())
    }

    /// The context object for a state; with `$$.Execution.Input` (a copy of the execution's
    /// input) only when `with_input`, for a state that may read it.
    pub fn context(
        &self,
        state: &str,
        entered: DateTime<Utc>,
        retry: Option<u32>,
        extra: &Map<String, Value>,
        with_input: bool,
    ) -> Value {
        #[cfg(test)]
        CONTEXT_BUILDS.with(|n| n.set(n.get() + 1));
        if let Some(given) = &self.config.context {
            // Fields the caller gave win; what the engine adds (a Map item, a task token)
            // fills only what they left out.
            let mut m = given.clone();
            for (k, v) in extra {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
            return Value::Object(m);
        }
        let mut m = self.context_base.clone();
        if with_input && let Some(Value::Object(e)) = m.get_mut("Execution") {
            // Where AWS writes it: after `Id`.
            let input = self.execution_input.get_or_init(|| {
                serde_json::from_str(&self.config.input_text).unwrap_or(Value::Null)
            });
            e.shift_insert(1, "Input".into(), input.clone());
        }
        // Key order as AWS writes `$$.State` (`$$` dumped whole in
        // test_query_context_object_values, test_lambda_invoke_with_retry_extended_input).
        m.insert(
            "State".into(),
            match retry {
                Some(r) => json!({"Name": state, "EnteredTime": iso(entered), "RetryCount": r}),
                None => json!({"Name": state, "EnteredTime": iso(entered)}),
            },
        );
        for (k, v) in extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    /// The next invocation number of `state` (0-based).
    pub fn next_invocation(&self, state: &str) -> u64 {
        let mut inv = self.invocations.lock().unwrap_or_else(|p| p.into_inner());
        let n = inv.entry(state.to_string()).or_insert(0);
        let cur = *n;
        *n += 1;
        cur
    }
}

/// Records, when an execution is stopped, the aborts of the branches (or Map iterations) a
/// Parallel or Map state was running: each branch's state in flight gets its
/// `<Type>StateAborted` (and each iteration its `MapIterationAborted`), as AWS records them
/// when a failing branch aborts its siblings (`TaskStateAborted` inside a Parallel:
/// `test_parallel_catch_error__*`). Dropped before its state's own `<Type>StateAborted` is
/// recorded by the enclosing branch (or the driver), so events keep their nesting order.
/// Does nothing unless the execution is stopping: a failure aborts explicitly, and a timeout
/// records no aborts.
pub(crate) struct AbortOnStop<F: FnMut(&Exec)> {
    pub exec: Arc<Exec>,
    pub abort: F,
}

impl<F: FnMut(&Exec)> Drop for AbortOnStop<F> {
    fn drop(&mut self) {
        if self.exec.stopping.load(Ordering::SeqCst) && !self.exec.history_is_full() {
            (self.abort)(&self.exec);
        }
    }
}

/// The event chain of one branch: the last event id, and the state in flight (for aborts).
#[derive(Clone, Default)]
pub(crate) struct Thread(Arc<Mutex<ThreadState>>);

#[derive(Default)]
pub(crate) struct ThreadState {
    pub cursor: u64,
    /// The `<Type>StateAborted` of the state in flight, if one is.
    pub inflight: Option<EventType>,
}

impl Thread {
    pub fn starting_at(cursor: u64) -> Thread {
        Thread(Arc::new(Mutex::new(ThreadState {
            cursor,
            inflight: None,
        })))
    }
    pub fn lock(&self) -> std::sync::MutexGuard<'_, ThreadState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn cursor(&self) -> u64 {
        self.lock().cursor
    }
    pub fn set_cursor(&self, c: u64) {
        self.lock().cursor = c;
    }
}

/// `$$.Execution` of a run that was never redriven, its keys in AWS's order (`$$` dumped whole
/// in test_query_context_object_values, test_base_cases__BASE_PATHS, ...):
/// `Id, Input, StartTime, Name, RoleArn, RedriveCount`. `RedriveCount` is 0 until a redrive
/// (AWS's context object page lists it; recordings made before redrive existed, October
/// 2023, lack it).
pub(crate) fn execution_context(
    id: &str,
    input: &Value,
    start: DateTime<Utc>,
    name: &str,
    role_arn: &str,
) -> Value {
    json!({
        "Id": id,
        "Input": input,
        "StartTime": iso(start),
        "Name": name,
        "RoleArn": role_arn,
        "RedriveCount": 0,
    })
}

/// ISO-8601 with milliseconds, as the context object shows times.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `t` plus `d`, or the last representable instant when that lies beyond it.
pub(crate) fn after_duration(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::TimeDelta::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
thread_local! {
    /// Context objects built on this thread (tests count them).
    pub(crate) static CONTEXT_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}
