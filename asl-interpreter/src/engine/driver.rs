//! The execution driver: runs an execution to its end ([`run_execution`]: racing its timeout,
//! `StopExecution` and the history quota) and a sequence of states ([`run_machine`]: the top
//! level, a Parallel branch, a Map iteration), each state through the kernel and its body.

use std::sync::Arc;
use std::time::Duration;

use asl_core::dataflow::to_json_text;
use asl_core::error::names;
use asl_core::{State, StateKind, StateMachine};
use serde_json::{Map, Value};
use tokio::sync::watch;

use super::exec::{Exec, Thread, after_duration};
use super::kernel::{Next, StateRun};
use super::states::{self, Body};
use super::{TaskFailure, Vars};
use crate::execution::{ExecutionType, Outcome, Status};
use crate::history::{
    DetailsWriter, EventDetails, EventType, InString, NOT_TRUNCATED, execution_started,
    output_details,
};

/// How long an Express execution may run (AWS: five minutes).
const EXPRESS_MAX_SECONDS: u64 = 300;

/// The longest a Standard execution runs: one year (365 days). AWS's quota ("Maximum
/// execution time: 1 year. If an execution runs for more than the 1-year maximum, it will fail
/// with a States.Timeout error", Step Functions service quotas); it is also why a Wait cannot
/// wait longer than a year (state-wait page): a later timestamp ends in `ExecutionTimedOut`.
/// Enforced on the execution's timeout and on its sleeps (`Exec::sleep_after`).
pub(crate) const STANDARD_MAX_SECONDS: u64 = 365 * 24 * 60 * 60;

/// Runs one execution to its end, racing the execution timeout and StopExecution.
pub(crate) async fn run_execution(
    exec: Arc<Exec>,
    mut stop: watch::Receiver<Option<(Option<String>, Option<String>)>>,
) -> Outcome {
    if exec.replay.is_none() {
        let ty = EventType::ExecutionStarted;
        let details = execution_started(&exec.config.input_text, &exec.config.role_arn);
        exec.history.push(0, exec.start, ty, details);
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
    // five minutes, a Standard one for at most a year, whatever its definition says (AWS's
    // quotas).
    let timeout_seconds = match exec.config.execution_type {
        ExecutionType::Express => Some(
            machine
                .timeout_seconds
                .map_or(EXPRESS_MAX_SECONDS, |s| s.min(EXPRESS_MAX_SECONDS)),
        ),
        ExecutionType::Standard => machine.timeout_seconds.map(|s| s.min(STANDARD_MAX_SECONDS)),
    };
    let timeout = timeout_seconds.map(|s| {
        let end = after_duration(exec.timeout_from, Duration::from_secs(s));
        let left = (end - exec.now()).to_std().unwrap_or_default();
        exec.inner.clock.sleep(left)
    });
    let mut run = Box::pin(run_machine(
        &exec,
        &machine,
        input,
        &mut vars,
        &thread,
        Map::new(),
    ));
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
    let out_of_time = async {
        while !exec.out_of_time.load(std::sync::atomic::Ordering::SeqCst) {
            exec.out_of_time_notify.notified().await;
        }
    };
    enum End {
        Done(Result<Value, TaskFailure>),
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
        _ = out_of_time => End::TimedOut,
        _ = history_full => End::Done(Err(exec.history_quota_failure())),
        r = &mut run => End::Done(r),
    };
    if matches!(end, End::Stopped(..)) {
        // The branches the run drops record their aborts (see `AbortOnStop`).
        exec.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    drop(run);
    let cursor = thread.cursor();
    let (status, output, error, cause) = match end {
        // The last state's output was held to the payload limit when it exited.
        End::Done(Ok(out)) => {
            let ty = EventType::ExecutionSucceeded;
            exec.emit_details(&thread, ty, output_details(ty, &out));
            (Status::Succeeded, Some(to_json_text(&out)), None, None)
        }
        End::Done(Err(f)) => {
            let ty = EventType::ExecutionFailed;
            exec.emit_details(&thread, ty, f.details(ty));
            (Status::Failed, None, f.error, f.cause)
        }
        End::TimedOut => {
            let ty = EventType::ExecutionTimedOut;
            let details = EventDetails::error_cause(ty, Some(names::TIMEOUT), None);
            exec.emit_after_details(cursor, ty, details);
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
                prev = exec.emit_after(cursor, ty, None);
            }
            let ty = EventType::ExecutionAborted;
            let details = EventDetails::error_cause(ty, e.as_deref(), c.as_deref());
            exec.emit_after_details(prev, ty, details);
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
) -> Result<Value, TaskFailure> {
    let mut name = machine.start_at.clone();
    let mut input = input;
    // The text of `input` when the previous state's exit wrote it (see `InString`).
    let mut input_text = None;
    let mut transitions = 0usize;
    loop {
        let Some(state) = machine.states.get(&name) else {
            return Err(TaskFailure::new(
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
        let (next, text) =
            run_state(exec, state, input, input_text, vars, thread, &context_extra).await?;
        match next {
            Next::State(n, out) => {
                name = n;
                input = out;
                input_text = text;
            }
            Next::End(out) => return Ok(out),
        }
    }
}

/// Runs one state: its entry, its body, then Catch for a failure it ends with. `input_text`
/// is the input's text when the previous state's exit wrote it; the output's text comes back
/// with the next state.
async fn run_state(
    exec: &Arc<Exec>,
    state: &State,
    input: Value,
    input_text: Option<InString>,
    vars: &mut Vars,
    thread: &Thread,
    context_extra: &Map<String, Value>,
) -> Result<(Next, Option<InString>), TaskFailure> {
    let entered_prev = thread.cursor();
    let entered_at = exec.now();
    let mut d = DetailsWriter::new();
    d.str("name", &state.name);
    let input_text = match input_text {
        Some(t) => {
            debug_assert!(t.is_text_of(&input), "a kept text apart from its value");
            d.known_json_text("input", &t);
            Some(t)
        }
        // Kept only for a state that may show its input again as its output.
        None if matches!(state.kind, StateKind::Choice(_) | StateKind::Succeed) => {
            Some(d.json_text_kept("input", &input))
        }
        None => {
            d.json_text("input", &input);
            None
        }
    };
    d.raw("inputDetails", NOT_TRUNCATED);
    let entered = EventType::state_entered(&state.kind);
    let entered_id = exec.emit_details(thread, entered, d.finish(entered));
    thread.lock().inflight = Some(EventType::state_aborted(&state.kind));
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
        retry_count: 0,
        item_context: Default::default(),
        input_text,
        output_text: None,
    };
    match states::run(&mut run).await {
        Body::Done(Ok(next)) => Ok((next, run.output_text.take())),
        Body::Done(Err(e)) => {
            let failure = run.fail(e);
            let next = run.catch(failure, state.catch())?;
            Ok((next, run.output_text.take()))
        }
        Body::Failed(f) => {
            run.thread.lock().inflight = None;
            Err(f)
        }
    }
}
