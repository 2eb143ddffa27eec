//! Runs a sequence of states (the top level, a Parallel branch or a Map iteration), and the
//! states that need no concurrency: Pass, Choice, Wait, Succeed, Fail.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_core::dataflow::{self, Oversized, to_json_text};
use asl_core::error::names;
use asl_core::jsonata::{self, StatesBinding};
use asl_core::model::{
    Catcher, Condition, Io, NumberField, PathField, QueryLanguage, StringField, Template,
    Transition, Wait,
};
use asl_core::{Scope, State, StateKind, StateMachine, StatesError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use super::{ExecutionConfig, ExecutionType, Inner, Outcome, Status, Vars, details_io, iso};
use crate::history::{DetailsWriter, EventDetails, History, NOT_TRUNCATED};

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
    /// The recorded history, when resuming.
    pub replay: Option<super::replay::Replay>,
    /// Where the execution timeout counts from (the start, or the last redrive).
    pub timeout_from: DateTime<Utc>,
    /// Set when the history has room for the execution's last event only.
    pub history_full: std::sync::atomic::AtomicBool,
    /// Wakes the execution driver when `history_full` is set.
    pub history_full_notify: tokio::sync::Notify,
}

impl Exec {
    pub fn new(
        inner: Arc<Inner>,
        machine: Arc<StateMachine>,
        config: ExecutionConfig,
        history: History,
        replay: Option<super::replay::Replay>,
    ) -> Self {
        let start = replay
            .as_ref()
            .and_then(|r| r.timestamp(1))
            .unwrap_or_else(|| inner.clock.now());
        let execution_arn = config.execution_arn();
        let state_machine_arn = config.state_machine_arn();
        let input: Value = serde_json::from_str(&config.input_text).unwrap_or(Value::Null);
        let mut context_base = Map::new();
        context_base.insert(
            "Execution".into(),
            json!({
                "Id": execution_arn,
                "Input": input,
                "StartTime": iso(start),
                "Name": config.name,
                "RoleArn": config.role_arn,
                "RedriveCount": 0,
            }),
        );
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
            input: Mutex::new(Some(input)),
            start,
            invocations: Mutex::new(HashMap::new()),
            context_base,
            replay,
            timeout_from: start,
            history_full: Default::default(),
            history_full_notify: tokio::sync::Notify::new(),
        }
    }

    /// Whether the history has reached the quota (only the execution's last event fits).
    pub fn history_is_full(&self) -> bool {
        self.history_full.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The failure of an execution whose history reached the quota.
    pub fn history_quota_failure(&self) -> Failure {
        Failure::new(
            names::RUNTIME,
            format!(
                "The execution reached the maximum number of history events ({}).",
                self.inner.limits.max_history_events
            ),
        )
    }

    /// Marks the execution as redriven `count` times, the last at `at`.
    pub fn redriven(&mut self, count: u32, at: DateTime<Utc>) {
        if let Some(e) = self
            .context_base
            .get_mut("Execution")
            .and_then(Value::as_object_mut)
        {
            e.insert("RedriveCount".into(), json!(count));
        }
        self.timeout_from = at;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Appends an event after `th`'s cursor and moves the cursor to it.
    pub fn emit(
        &self,
        th: &Thread,
        ty: impl Into<Cow<'static, str>>,
        details: Option<(&'static str, Value)>,
    ) -> u64 {
        self.emit_details(th, ty, details.map(|(k, v)| EventDetails::new(k, &v)))
    }

    /// [`Exec::emit`] with details already written.
    pub fn emit_details(
        &self,
        th: &Thread,
        ty: impl Into<Cow<'static, str>>,
        details: Option<EventDetails>,
    ) -> u64 {
        let mut t = th.lock();
        let id = self.emit_after_details(t.cursor, ty, details);
        t.cursor = id;
        id
    }

    /// Appends an event with an explicit previous id, leaving the cursor alone.
    pub fn emit_after(
        &self,
        prev: u64,
        ty: impl Into<Cow<'static, str>>,
        details: Option<(&'static str, Value)>,
    ) -> u64 {
        self.emit_after_details(prev, ty, details.map(|(k, v)| EventDetails::new(k, &v)))
    }

    /// [`Exec::emit_after`] with details already written. When resuming, an event that was
    /// recorded is not appended again: its recorded id is reused.
    pub fn emit_after_details(
        &self,
        prev: u64,
        ty: impl Into<Cow<'static, str>>,
        details: Option<EventDetails>,
    ) -> u64 {
        let ty = ty.into();
        if let Some(r) = &self.replay
            && let Some(id) = r.take(prev, &ty, details.as_ref())
        {
            return id;
        }
        // AWS's quota: an execution's history never holds more than `max_history_events`
        // events, the last being the execution's end. Once only that one fits, other events
        // are dropped and the execution fails (see `run_execution`).
        let cap = if ty.starts_with("Execution") {
            usize::MAX
        } else {
            self.inner.limits.max_history_events.saturating_sub(1)
        };
        match self.history.push_within(cap, prev, self.now(), ty, details) {
            Some(id) => id,
            None => {
                if !self
                    .history_full
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    self.history_full_notify.notify_one();
                }
                prev
            }
        }
    }

    /// Sleeps `d` that started right after event `after`. When resuming, a sleep whose end
    /// is recorded is skipped, and one that was under way sleeps only what is left of it.
    pub async fn sleep_after(&self, after: u64, d: Duration) {
        if let Some(r) = &self.replay {
            if r.next_after(after, |_| true).is_some() {
                return;
            }
            if let Some(began) = r.timestamp(after) {
                let end = after_duration(began, d);
                let left = (end - self.now()).to_std().unwrap_or_default();
                self.inner.clock.sleep(left).await;
                return;
            }
        }
        self.inner.clock.sleep(d).await;
    }

    /// Tells the map-run listener, if any.
    pub fn report_map_run(&self, report: &super::MapRunReport) {
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

    /// The context object for a state.
    pub fn context(
        &self,
        state: &str,
        entered: DateTime<Utc>,
        retry: Option<u32>,
        extra: &Map<String, Value>,
    ) -> Value {
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
        m.insert(
            "State".into(),
            match retry {
                Some(r) => json!({"EnteredTime": iso(entered), "Name": state, "RetryCount": r}),
                None => json!({"EnteredTime": iso(entered), "Name": state}),
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

/// The event chain of one branch: the last event id, and the state in flight (for aborts).
#[derive(Clone, Default)]
pub(crate) struct Thread(Arc<Mutex<ThreadState>>);

#[derive(Default)]
pub(crate) struct ThreadState {
    pub cursor: u64,
    pub inflight: Option<&'static str>,
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

/// A failure leaving a state or branch.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(e: impl Into<String>, c: impl Into<String>) -> Self {
        Failure {
            error: Some(e.into()),
            cause: Some(c.into()),
        }
    }
    pub fn error_name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }
    pub fn error_output(&self) -> Value {
        json!({"Error": self.error, "Cause": self.cause})
    }
}

impl From<StatesError> for Failure {
    fn from(e: StatesError) -> Self {
        Failure::new(e.error, e.cause)
    }
}

/// Where a finished state goes.
pub(crate) enum Next {
    State(String, Value),
    End(Value),
}

/// Everything a state's body needs.
pub(crate) struct StateRun<'a> {
    pub exec: &'a Arc<Exec>,
    pub state: &'a State,
    pub thread: &'a Thread,
    pub vars: &'a mut Vars,
    pub input: Value,
    pub entered_id: u64,
    pub entered_prev: u64,
    pub entered_at: DateTime<Utc>,
    /// Extra context members (`Map.Item` inside an ItemSelector, `Task.Token`, ...).
    pub context_extra: Map<String, Value>,
}

/// An error inside a state, before Catch is considered.
pub(crate) enum StateError {
    /// A data-flow error: the cause gets the state prefix; JSONata errors add an
    /// `EvaluationFailed` event with the field as location.
    Eval(StatesError, Option<String>),
    /// A failure with its cause as is (task failures, branch failures).
    Plain(Failure),
}

impl From<StatesError> for StateError {
    fn from(e: StatesError) -> Self {
        StateError::Eval(e, None)
    }
}

impl StateRun<'_> {
    /// The context object; `State.RetryCount` appears only for Task states.
    pub fn context(&self, retry: u32) -> Value {
        if !self.state.uses_context && !matches!(self.state.kind, StateKind::Task(_)) {
            return Value::Null;
        }
        let retry = matches!(self.state.kind, StateKind::Task(_)).then_some(retry);
        self.exec.context(
            &self.state.name,
            self.entered_at,
            retry,
            &self.context_extra,
        )
    }

    pub fn ql(&self) -> QueryLanguage {
        self.state.query_language
    }

    /// Prefixes AWS's state location to a data-flow cause.
    pub fn prefixed(&self, cause: &str) -> String {
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
            self.state.name, self.entered_id, cause
        )
    }

    /// Turns a state error into the failure that leaves the state, emitting `EvaluationFailed`
    /// for JSONata errors.
    pub fn fail(&self, e: StateError) -> Failure {
        match e {
            StateError::Plain(f) => f,
            StateError::Eval(e, location) => {
                let cause = self.prefixed(&e.cause);
                if e.error == names::QUERY_EVALUATION_ERROR {
                    let mut d = Map::new();
                    d.insert("error".into(), json!(e.error));
                    d.insert("cause".into(), json!(cause));
                    if let Some(l) = location {
                        d.insert("location".into(), json!(nested_location(&e.cause, &l)));
                    }
                    d.insert("state".into(), json!(self.state.name));
                    let id = self.exec.emit_after(
                        self.entered_prev,
                        "EvaluationFailed",
                        Some(("evaluationFailedEventDetails", Value::Object(d))),
                    );
                    self.thread.set_cursor(id);
                }
                Failure::new(e.error, cause)
            }
        }
    }

    /// Evaluates a template of either language; `input` is `$` / `$states.input`.
    pub fn eval_template(
        &self,
        t: &Template,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        match t {
            Template::Payload(p) => {
                let ctx = self.context(0);
                let scope = Scope::new(input, &ctx, self.vars);
                Ok(dataflow::eval_payload(p, &scope)?)
            }
            Template::Jsonata(j) => self.jsonata_on(j, input, result, error_output, field),
        }
    }

    /// Evaluates a JSONata template for the state (`$states.input` is the raw input).
    pub fn eval_jsonata(
        &self,
        t: &jsonata::Template,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        self.jsonata_on(t, &self.input, result, error_output, field)
    }

    /// Evaluates a JSONata template with `$states.input` bound to `input`.
    fn jsonata_on(
        &self,
        t: &jsonata::Template,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        let ctx = self.context(0);
        let b = StatesBinding {
            input,
            context: &ctx,
            result,
            error_output,
        };
        t.evaluate(&b, self.vars, field)
            .map_err(|e| StateError::Eval(e, Some(field.to_string())))
    }

    pub fn eval_expression(
        &self,
        e: &jsonata::Expression,
        field: &str,
    ) -> Result<Value, StateError> {
        let ctx = self.context(0);
        let b = StatesBinding {
            input: &self.input,
            context: &ctx,
            result: None,
            error_output: None,
        };
        match jsonata::evaluate(e, &b, self.vars, field) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(StateError::Eval(
                jsonata::undefined_error(e, field),
                Some(field.to_string()),
            )),
            Err(err) => Err(StateError::Eval(err, Some(field.to_string()))),
        }
    }

    /// `InputPath` for JSONPath states; the raw input for JSONata.
    /// The input after `InputPath` (JSONPath), borrowed when that is the whole input.
    pub fn effective_input(&self) -> Result<Cow<'_, Value>, StateError> {
        match (self.ql(), &self.state.io.input_path) {
            (QueryLanguage::JsonPath, f @ (PathField::Null | PathField::Path(_))) => {
                Ok(Cow::Owned(self.select_path(f, &self.input)?))
            }
            _ => Ok(Cow::Borrowed(&self.input)),
        }
    }

    /// `doc` through an `OutputPath`-like field.
    pub fn apply_path(&self, f: &PathField, doc: Value) -> Result<Value, StateError> {
        match f {
            PathField::Whole => Ok(doc),
            _ => self.select_path(f, &doc),
        }
    }

    fn select_path(&self, f: &PathField, doc: &Value) -> Result<Value, StateError> {
        let ctx = self.context(0);
        Ok(dataflow::apply_path_field(
            f,
            &Scope::new(doc, &ctx, self.vars),
        )?)
    }

    /// Evaluates `Assign` (not yet applied) against `$` = `doc` (JSONPath) or the bindings.
    pub fn eval_assign(
        &self,
        assign: Option<&Template>,
        doc: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
    ) -> Result<Option<Map<String, Value>>, StateError> {
        let Some(t) = assign else { return Ok(None) };
        let v = match t {
            Template::Payload(_) => self.eval_template(t, doc, None, None, "Assign")?,
            Template::Jsonata(j) => self.eval_jsonata(j, result, error_output, "Assign")?,
        };
        match v {
            Value::Object(m) => Ok(Some(m)),
            _ => Ok(Some(Map::new())),
        }
    }

    /// The standard JSONPath tail: ResultSelector -> Assign -> ResultPath -> OutputPath.
    /// JSONata: Assign and Output with `$states.result`.
    pub fn finish(
        &self,
        io: &Io,
        result: Value,
        default_output_is_input: bool,
    ) -> Result<(Value, Option<Map<String, Value>>), StateError> {
        match self.ql() {
            QueryLanguage::JsonPath => {
                let selected = match &io.result_selector {
                    Some(sel) => {
                        let ctx = self.context(0);
                        dataflow::eval_payload(sel, &Scope::new(&result, &ctx, self.vars))?
                    }
                    None => result,
                };
                let assigned =
                    self.eval_assign(self.state.assign.as_ref(), &selected, None, None)?;
                let combined = dataflow::apply_result_path(&io.result_path, &self.input, selected)?;
                let out = self.apply_path(&io.output_path, combined)?;
                Ok((out, assigned))
            }
            QueryLanguage::Jsonata => {
                let res = if default_output_is_input {
                    None
                } else {
                    Some(&result)
                };
                let assigned =
                    self.eval_assign(self.state.assign.as_ref(), &self.input, res, None)?;
                let out = match &io.output {
                    Some(o) => self.eval_jsonata(o, res, None, "Output")?,
                    None if default_output_is_input => self.input.clone(),
                    None => result,
                };
                Ok((out, assigned))
            }
        }
    }

    /// Emits `<Type>StateExited`, applies the variables and picks the next state. An output
    /// over the payload limit fails the state instead (`States.DataLimitExceeded`).
    pub fn exit(
        &mut self,
        output: Value,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) -> Result<Next, StateError> {
        let mut d = DetailsWriter::new();
        if let Some(a) = assigned.as_ref().filter(|a| !a.is_empty()) {
            d.json_texts("assignedVariables", a)
                .raw("assignedVariablesDetails", NOT_TRUNCATED);
        }
        d.str("name", &self.state.name);
        if d.json_text("output", &output) > self.exec.inner.limits.max_payload_bytes {
            return Err(StateError::Plain(
                dataflow::data_limit_exceeded(&self.state.name, Oversized::Result).into(),
            ));
        }
        d.raw("outputDetails", NOT_TRUNCATED);
        self.exec.emit_details(
            self.thread,
            event_type(&self.state.kind, false),
            Some(d.finish("stateExitedEventDetails")),
        );
        self.thread.lock().inflight = None;
        if let Some(a) = assigned {
            self.vars.assign(a);
        }
        Ok(match next {
            Some(n) => Next::State(n.to_string(), output),
            None => match &self.state.transition {
                Transition::Next(n) => Next::State(n.clone(), output),
                _ => Next::End(output),
            },
        })
    }

    /// Applies the first matching catcher, or returns the failure.
    pub fn catch(&mut self, failure: Failure, catchers: &[Catcher]) -> Result<Next, Failure> {
        let Some(c) = catchers
            .iter()
            .find(|c| c.error_equals.matches(failure.error_name()))
        else {
            return Err(failure);
        };
        let err_out = failure.error_output();
        let attempt = (|| -> Result<(Value, Option<Map<String, Value>>), StateError> {
            match self.ql() {
                QueryLanguage::JsonPath => {
                    let assigned = self.eval_assign(c.assign.as_ref(), &err_out, None, None)?;
                    let out =
                        dataflow::apply_result_path(&c.result_path, &self.input, err_out.clone())?;
                    Ok((out, assigned))
                }
                QueryLanguage::Jsonata => {
                    let assigned =
                        self.eval_assign(c.assign.as_ref(), &self.input, None, Some(&err_out))?;
                    let out = match &c.output {
                        Some(o) => self.eval_jsonata(o, None, Some(&err_out), "Output")?,
                        None => err_out.clone(),
                    };
                    Ok((out, assigned))
                }
            }
        })();
        match attempt {
            Ok((out, assigned)) => self
                .exit(out, assigned, Some(&c.next))
                .map_err(|e| self.fail(e)),
            Err(e) => Err(self.fail(e)),
        }
    }
}

/// Runs one execution to its end, racing the execution timeout and StopExecution.
pub(crate) async fn run_execution(
    exec: Arc<Exec>,
    mut stop: watch::Receiver<Option<(Option<String>, Option<String>)>>,
) -> Outcome {
    let mut d = Map::new();
    d.insert("input".into(), json!(exec.config.input_text));
    d.insert("inputDetails".into(), json!({"truncated": false}));
    d.insert("roleArn".into(), json!(exec.config.role_arn));
    if exec.replay.is_none() {
        exec.history.push(
            0,
            exec.start,
            "ExecutionStarted",
            Some(EventDetails::new(
                "executionStartedEventDetails",
                &Value::Object(d),
            )),
        );
    }
    let thread = Thread::starting_at(0);
    let machine = exec.machine.clone();
    let input = exec
        .input
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .unwrap_or(Value::Null);
    let mut vars = Vars::default();
    // Counted from the start, also across a resume. An Express execution runs for at most
    // five minutes, whatever its definition says (AWS's quota for Express workflows).
    let timeout_seconds = match exec.config.execution_type {
        ExecutionType::Express => Some(
            machine
                .timeout_seconds
                .map_or(EXPRESS_MAX_SECONDS, |s| s.min(EXPRESS_MAX_SECONDS)),
        ),
        ExecutionType::Standard => machine.timeout_seconds,
    };
    let timeout = timeout_seconds.map(|s| {
        let end = after_duration(exec.timeout_from, Duration::from_secs(s));
        let left = (end - exec.now()).to_std().unwrap_or_default();
        exec.inner.clock.sleep(left)
    });
    let run = run_machine(&exec, &machine, input, &mut vars, &thread, Map::new());
    let stopped = async {
        loop {
            if let Some(v) = stop.borrow_and_update().clone() {
                return v;
            }
            if stop.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    let timeout = async {
        match timeout {
            Some(t) => t.await,
            None => std::future::pending().await,
        }
    };
    let history_full = async {
        while !exec.history_is_full() {
            exec.history_full_notify.notified().await;
        }
    };
    enum End {
        Done(Result<Value, Failure>),
        TimedOut,
        Stopped(Option<String>, Option<String>),
    }
    // Stop and the timeout are polled before the run: when the timeout and the last state's
    // timer fall on the same instant, the execution times out, as it does on AWS, where the
    // transitions after a timer take time of their own.
    let end = tokio::select! {
        biased;
        (e, c) = stopped => End::Stopped(e, c),
        _ = timeout => End::TimedOut,
        _ = history_full => End::Done(Err(exec.history_quota_failure())),
        r = run => End::Done(r),
    };
    let cursor = thread.cursor();
    let (status, output, error, cause) = match end {
        // The last state's output was held to the payload limit when it exited.
        End::Done(Ok(out)) => {
            exec.emit_details(
                &thread,
                "ExecutionSucceeded",
                details_io("executionSucceededEventDetails", "output", &out),
            );
            (Status::Succeeded, Some(to_json_text(&out)), None, None)
        }
        End::Done(Err(f)) => {
            let mut d = Map::new();
            if let Some(e) = &f.error {
                d.insert("error".into(), json!(e));
            }
            if let Some(c) = &f.cause {
                d.insert("cause".into(), json!(c));
            }
            exec.emit(
                &thread,
                "ExecutionFailed",
                Some(("executionFailedEventDetails", Value::Object(d))),
            );
            (Status::Failed, None, f.error, f.cause)
        }
        End::TimedOut => {
            exec.emit_after(
                cursor,
                "ExecutionTimedOut",
                Some((
                    "executionTimedOutEventDetails",
                    json!({"error": names::TIMEOUT}),
                )),
            );
            (
                Status::TimedOut,
                None,
                Some(names::TIMEOUT.to_string()),
                None,
            )
        }
        End::Stopped(e, c) => {
            let inflight = thread.lock().inflight;
            let mut prev = cursor;
            if let Some(ty) = inflight
                && !exec.history_is_full()
            {
                prev = exec.emit_after(cursor, format!("{ty}StateAborted"), None);
            }
            let mut d = Map::new();
            if let Some(e) = &e {
                d.insert("error".into(), json!(e));
            }
            if let Some(c) = &c {
                d.insert("cause".into(), json!(c));
            }
            exec.emit_after(
                prev,
                "ExecutionAborted",
                Some(("executionAbortedEventDetails", Value::Object(d))),
            );
            (Status::Aborted, None, e, c)
        }
    };
    let history = if exec.config.execution_type == ExecutionType::Express {
        Vec::new()
    } else {
        exec.history.take_or_snapshot()
    };
    Outcome {
        status,
        execution_arn: exec.execution_arn.clone(),
        state_machine_arn: exec.state_machine_arn.clone(),
        name: exec.config.name.clone(),
        input: exec.config.input_text.clone(),
        output,
        error,
        cause,
        start_date: exec.start,
        stop_date: exec.now(),
        history,
    }
}

/// Runs states from `StartAt` until one ends the branch.
pub(crate) async fn run_machine(
    exec: &Arc<Exec>,
    machine: &StateMachine,
    input: Value,
    vars: &mut Vars,
    thread: &Thread,
    context_extra: Map<String, Value>,
) -> Result<Value, Failure> {
    let mut name = machine.start_at.clone();
    let mut input = input;
    let mut transitions = 0usize;
    loop {
        let Some(state) = machine.states.get(&name) else {
            return Err(Failure::new(
                names::RUNTIME,
                format!("The state '{name}' does not exist"),
            ));
        };
        transitions += 1;
        if exec.history_is_full() {
            return Err(exec.history_quota_failure());
        }
        // Let other branches run between states, as AWS interleaves them.
        if transitions.is_multiple_of(64) {
            crate::clock::yield_now().await;
        }
        match run_state(exec, state, input, vars, thread, &context_extra).await? {
            Next::State(n, out) => {
                name = n;
                input = out;
            }
            Next::End(out) => return Ok(out),
        }
    }
}

async fn run_state(
    exec: &Arc<Exec>,
    state: &State,
    input: Value,
    vars: &mut Vars,
    thread: &Thread,
    context_extra: &Map<String, Value>,
) -> Result<Next, Failure> {
    let entered_prev = thread.cursor();
    let entered_at = exec.now();
    let mut d = DetailsWriter::new();
    d.str("name", &state.name);
    d.json_text("input", &input);
    d.raw("inputDetails", NOT_TRUNCATED);
    let entered_id = exec.emit_details(
        thread,
        event_type(&state.kind, true),
        Some(d.finish("stateEnteredEventDetails")),
    );
    thread.lock().inflight = Some(state.type_name());
    let mut run = StateRun {
        exec,
        state,
        thread,
        vars,
        input,
        entered_id,
        entered_prev,
        entered_at,
        context_extra: context_extra.clone(),
    };
    let result = match &state.kind {
        StateKind::Pass(p) => pass(&mut run, p.result.as_ref()),
        StateKind::Succeed => succeed(&mut run),
        StateKind::Fail(f) => {
            run.thread.lock().inflight = None;
            return Err(fail(&run, f));
        }
        StateKind::Choice(c) => choice(&mut run, c),
        // The states that wait are boxed: their futures are large, and inline they would make
        // every branch's future (one per Map iteration) as large as the largest of them.
        StateKind::Wait(w) => Box::pin(wait(&mut run, w)).await,
        StateKind::Task(t) => Box::pin(super::task::task(&mut run, t)).await,
        StateKind::Parallel(p) => Box::pin(super::parallel::parallel(&mut run, p)).await,
        StateKind::Map(m) => Box::pin(super::parallel::map(&mut run, m)).await,
    };
    match result {
        Ok(next) => Ok(next),
        Err(e) => {
            let failure = run.fail(e);
            if failure.error_name() == names::RUNTIME {
                return Err(failure);
            }
            let catchers = state.catch();
            run.catch(failure, catchers)
        }
    }
}

/// `<Type>StateEntered` or `<Type>StateExited`.
fn event_type(kind: &StateKind, entered: bool) -> &'static str {
    match (kind, entered) {
        (StateKind::Pass(_), true) => "PassStateEntered",
        (StateKind::Pass(_), false) => "PassStateExited",
        (StateKind::Task(_), true) => "TaskStateEntered",
        (StateKind::Task(_), false) => "TaskStateExited",
        (StateKind::Choice(_), true) => "ChoiceStateEntered",
        (StateKind::Choice(_), false) => "ChoiceStateExited",
        (StateKind::Wait(_), true) => "WaitStateEntered",
        (StateKind::Wait(_), false) => "WaitStateExited",
        (StateKind::Succeed, true) => "SucceedStateEntered",
        (StateKind::Succeed, false) => "SucceedStateExited",
        (StateKind::Fail(_), true) => "FailStateEntered",
        (StateKind::Fail(_), false) => "FailStateExited",
        (StateKind::Parallel(_), true) => "ParallelStateEntered",
        (StateKind::Parallel(_), false) => "ParallelStateExited",
        (StateKind::Map(_), true) => "MapStateEntered",
        (StateKind::Map(_), false) => "MapStateExited",
    }
}

fn pass(run: &mut StateRun<'_>, result: Option<&Value>) -> Result<Next, StateError> {
    let state = run.state;
    match run.ql() {
        QueryLanguage::JsonPath => {
            let effective = run.effective_input()?;
            let r = match (result, &state.io.parameters) {
                (Some(r), _) => r.clone(),
                (None, Some(p)) => run.eval_template(p, &effective, None, None, "Parameters")?,
                (None, None) => effective.into_owned(),
            };
            let (out, assigned) = run.finish(&state.io, r, false)?;
            run.exit(out, assigned, None)
        }
        QueryLanguage::Jsonata => {
            let (out, assigned) = run.finish(&state.io, Value::Null, true)?;
            run.exit(out, assigned, None)
        }
    }
}

fn succeed(run: &mut StateRun<'_>) -> Result<Next, StateError> {
    let state = run.state;
    let out = match run.ql() {
        QueryLanguage::JsonPath => {
            let effective = run.effective_input()?;
            run.apply_path(&state.io.output_path, effective.into_owned())?
        }
        QueryLanguage::Jsonata => match &state.io.output {
            Some(o) => run.eval_jsonata(o, None, None, "Output")?,
            None => run.input.clone(),
        },
    };
    run.exit(out, None, None)
}

fn fail(run: &StateRun<'_>, f: &asl_core::model::Fail) -> Failure {
    let field = |sf: &Option<StringField>,
                 name: &str,
                 path_name: &str|
     -> Result<Option<String>, StateError> {
        Ok(match sf {
            None => None,
            Some(StringField::Literal(s)) => Some(s.clone()),
            Some(StringField::Path(node)) => {
                let ctx = run.context(0);
                let scope = Scope::new(&run.input, &ctx, run.vars);
                let v = dataflow::eval_node(node, &scope, &path_name)?;
                Some(match v {
                    Value::String(s) => s,
                    other => to_json_text(&other),
                })
            }
            Some(StringField::Expression(e)) => match run.eval_expression(e, name)? {
                Value::String(s) => Some(s),
                other => {
                    return Err(StateError::Eval(
                        jsonata::unexpected_type_error(e, name, "string", &other),
                        Some(name.to_string()),
                    ));
                }
            },
        })
    };
    let error = field(&f.error, "Error", "ErrorPath");
    let cause = field(&f.cause, "Cause", "CausePath");
    match (error, cause) {
        (Ok(error), Ok(cause)) => Failure { error, cause },
        (Err(e), _) | (_, Err(e)) => run.fail(e),
    }
}

fn choice(run: &mut StateRun<'_>, c: &asl_core::model::Choice) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let ctx = run.context(0);
    let mut matched = None;
    for rule in &c.choices {
        let hit = match &rule.condition {
            Condition::Jsonata(e) => {
                let v = run.eval_expression(e, "Condition")?;
                match v {
                    Value::Bool(b) => b,
                    other => {
                        return Err(StateError::Eval(
                            jsonata::unexpected_type_error(e, "Condition", "boolean", &other),
                            Some("Condition".into()),
                        ));
                    }
                }
            }
            cond => asl_core::choice::evaluate(cond, &Scope::new(&effective, &ctx, run.vars))
                .map_err(|e| StateError::Eval(e, None))?,
        };
        if hit {
            matched = Some(rule);
            break;
        }
    }
    let (next, assign, output) = match matched {
        Some(rule) => (
            rule.next.clone(),
            rule.assign.as_ref(),
            rule.output.as_ref(),
        ),
        None => match &c.default {
            Some(d) => (d.clone(), state.assign.as_ref(), state.io.output.as_ref()),
            None => {
                return Err(StateError::Plain(Failure::new(
                    names::NO_CHOICE_MATCHED,
                    format!("No Matches! for state '{}'", state.name),
                )));
            }
        },
    };
    let (out, assigned) = match run.ql() {
        QueryLanguage::JsonPath => {
            let assigned = run.eval_assign(assign, &effective, None, None)?;
            (
                run.apply_path(&state.io.output_path, effective.into_owned())?,
                assigned,
            )
        }
        QueryLanguage::Jsonata => {
            let assigned = run.eval_assign(assign, &run.input, None, None)?;
            let out = match output.or(state.io.output.as_ref()) {
                Some(o) => run.eval_jsonata(o, None, None, "Output")?,
                None => run.input.clone(),
            };
            (out, assigned)
        }
    };
    run.exit(out, assigned, Some(&next))
}

/// The value a Wait's `SecondsPath` or `TimestampPath` points at.
fn wait_path(
    run: &StateRun<'_>,
    p: &asl_core::path::ReferencePath,
    effective: &Value,
    field: &str,
) -> Result<Value, StatesError> {
    let ctx = run.context(0);
    p.as_path()
        .evaluate(&Scope::new(effective, &ctx, run.vars))
        .map_err(|_| {
            StatesError::runtime(format!(
                "The {field} parameter does not reference an input value: {}",
                p.as_path().text()
            ))
        })
}

async fn wait(run: &mut StateRun<'_>, w: &Wait) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let entered = run.thread.cursor();
    let now = run.exec.entered_at(entered);
    let until: DateTime<Utc> = match w {
        Wait::Seconds(NumberField::Literal(v)) => after_seconds(
            now,
            v.as_i64()
                .or_else(|| v.as_u64().map(|_| i64::MAX))
                .unwrap_or(0),
        ),
        Wait::Seconds(NumberField::Path(p)) => {
            let v = wait_path(run, p, &effective, "SecondsPath")?;
            let secs = match &v {
                Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                Value::Number(n) => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.as_path().text(),
                        n
                    ))
                    .into());
                }
                other => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.as_path().text(),
                        plain(other)
                    ))
                    .into());
                }
            };
            if secs < 0 {
                return Err(StatesError::runtime(format!(
                    "The SecondsPath parameter references a negative value: {} == {}",
                    p.as_path().text(),
                    secs
                ))
                .into());
            }
            after_seconds(now, secs)
        }
        Wait::Seconds(NumberField::Expression(e)) => {
            let v = run.eval_expression(e, "Seconds")?;
            match v.as_i64() {
                Some(s) if s >= 0 => after_seconds(now, s),
                _ => {
                    return Err(StateError::Eval(
                        jsonata::unexpected_type_error(e, "Seconds", "integer", &v),
                        Some("Seconds".into()),
                    ));
                }
            }
        }
        Wait::Timestamp(s) => parse_ts(s).unwrap_or(now),
        Wait::TimestampExpression(e) => {
            let v = run.eval_expression(e, "Timestamp")?;
            match v.as_str().and_then(parse_ts) {
                Some(t) => t,
                None => {
                    return Err(StateError::Eval(
                        StatesError::query_evaluation(format!(
                            "The JSONata expression '{}' specified for the field 'Timestamp' returned an invalid timestamp: {}",
                            e.source(),
                            to_json_text(&v)
                        )),
                        Some("Timestamp".into()),
                    ));
                }
            }
        }
        Wait::TimestampPath(p) => {
            let v = wait_path(run, p, &effective, "TimestampPath")?;
            match v.as_str().and_then(parse_ts) {
                Some(t) => t,
                None => {
                    return Err(StatesError::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.as_path().text(),
                        plain(&v)
                    ))
                    .into());
                }
            }
        }
    };
    if until > now {
        let d = (until - now).to_std().unwrap_or_default();
        run.exec.sleep_after(entered, d).await;
    }
    let (out, assigned) = match run.ql() {
        QueryLanguage::JsonPath => {
            let assigned = run.eval_assign(state.assign.as_ref(), &effective, None, None)?;
            (
                run.apply_path(&state.io.output_path, effective.into_owned())?,
                assigned,
            )
        }
        QueryLanguage::Jsonata => run.finish(&state.io, Value::Null, true)?,
    };
    run.exit(out, assigned, None)
}

/// A value as Java's `toString` would show it in a cause (strings unquoted).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => to_json_text(other),
    }
}

/// The longest a Wait waits, in seconds: a longer one waits this long.
pub(crate) const MAX_WAIT_SECONDS: i64 = 99_999_999;

/// How long an Express execution may run (AWS: five minutes).
const EXPRESS_MAX_SECONDS: u64 = 300;

/// `t` plus `secs` seconds of a Wait, held to `0..=MAX_WAIT_SECONDS`.
fn after_seconds(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    after_duration(
        t,
        Duration::from_secs(secs.clamp(0, MAX_WAIT_SECONDS) as u64),
    )
}

/// `t` plus `d`, or the last representable instant when that lies beyond it.
pub(crate) fn after_duration(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::TimeDelta::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    asl_core::choice::parse_timestamp(s).map(|t| t.with_timezone(&Utc))
}

/// Reads a numeric field (literal, path or expression) of a state.
pub(crate) fn number_field(
    run: &StateRun<'_>,
    f: &NumberField,
    doc: &Value,
    field: &str,
) -> Result<Value, StateError> {
    match f {
        NumberField::Literal(v) => Ok(v.clone()),
        NumberField::Path(p) => {
            let ctx = run.context(0);
            p.as_path()
                .evaluate(&Scope::new(doc, &ctx, run.vars))
                .map_err(|e| {
                    StatesError::runtime(asl_core::path::invalid_path_cause(p.as_path().text(), &e))
                        .into()
                })
        }
        NumberField::Expression(e) => run.eval_expression(e, field),
    }
}

/// AWS reports the nested field (`Output/result`) that the JSONata cause names.
fn nested_location(cause: &str, field: &str) -> String {
    let marker = "specified for the field '";
    cause
        .find(marker)
        .map(|i| &cause[i + marker.len()..])
        .and_then(|rest| rest.split_once('\'').map(|(f, _)| f))
        .filter(|f| f.split('/').next() == Some(field))
        .unwrap_or(field)
        .to_string()
}
