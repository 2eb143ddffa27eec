//! `arn:aws:states:::states:startExecution.sync:2`: a nested execution, run by the same engine
//! on the parent's clock, answering what Step Functions answers (DescribeExecution with the
//! output as JSON; `States.TaskFailed` with that description as the cause when the child does
//! not succeed).
//!
//! The child runs *inside* the parent's handler call, on a clock that shares the parent's time
//! but never advances it: only the parent's driver moves virtual time, and only when the parent
//! and the child are both waiting on timers (see [`NestedClock`]). While it waits for its child,
//! the handler sleeps "idle" so the parent's driver does not count it as busy work.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use asl_core::StateMachine;
use asl_interpreter::clock::{BusyGuard, Sleep};
use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{
    Clock, ExecutionConfig, Handlers, Interpreter, Outcome, Status, TaskFailure, TaskHandler,
    TaskRequest,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The resource this module answers.
pub const START_EXECUTION_SYNC2: &str = "arn:aws:states:::states:startExecution.sync:2";

/// The parent's clock, minus the right to advance it.
pub(crate) struct NestedClock(pub Arc<dyn Clock>);

impl Clock for NestedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
    fn sleep(&self, d: Duration) -> Sleep {
        self.0.sleep(d)
    }
    fn busy(&self) -> BusyGuard {
        self.0.busy()
    }
    fn idle_sleep(&self, d: Duration) -> Sleep {
        self.0.idle_sleep(d)
    }
    fn try_advance(&self) -> bool {
        false
    }
}

/// A finished child execution, kept for inspection (tests, debugging).
#[derive(Debug, Clone)]
pub struct ChildExecution {
    /// The execution that started it.
    pub parent_arn: String,
    /// How it ended, with its history.
    pub outcome: Arc<Outcome>,
}

/// Child executions by parent, shared.
#[derive(Clone, Default)]
pub(crate) struct ChildLog(Arc<Mutex<Vec<ChildExecution>>>);

impl ChildLog {
    pub fn of(&self, parent: &str) -> Vec<ChildExecution> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|c| c.parent_arn == parent)
            .cloned()
            .collect()
    }

    fn push(&self, c: ChildExecution) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(c);
    }
}

/// The handler for [`START_EXECUTION_SYNC2`].
pub(crate) struct StartExecutionSync {
    pub machines: Arc<HashMap<String, Arc<StateMachine>>>,
    pub handlers: Handlers,
    pub children: ChildLog,
}

/// Longer than any execution may run (a year): the idle sleep only lends the handler's time.
const FOREVER: Duration = Duration::from_secs(365 * 24 * 3600);

impl TaskHandler for StartExecutionSync {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let machines = self.machines.clone();
        let handlers = self.handlers.clone();
        let children = self.children.clone();
        Box::pin(async move {
            let p = &req.parameters;
            let Some(arn) = p.get("StateMachineArn").and_then(Value::as_str) else {
                return Err(TaskFailure::new(
                    "StepFunctions.InvalidArnException",
                    "Invalid Arn: 'StateMachineArn' is missing",
                ));
            };
            let Some(machine) = machines.get(arn).cloned() else {
                return Err(TaskFailure::new(
                    "StepFunctions.StateMachineDoesNotExistException",
                    format!("State Machine Does Not Exist: '{arn}'"),
                ));
            };
            let input_text = match p.get("Input") {
                None => "{}".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            let parts: Vec<&str> = arn.split(':').collect();
            let config = ExecutionConfig {
                name: p
                    .get("Name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                state_machine_name: parts.get(6).copied().unwrap_or("child").to_string(),
                region: parts.get(3).copied().unwrap_or("us-east-1").to_string(),
                account: parts.get(4).copied().unwrap_or("123456789012").to_string(),
                input_text,
                ..ExecutionConfig::default()
            };
            let interp = Interpreter::builder()
                .handlers(handlers)
                .clock(Arc::new(NestedClock(req.clock.clone())))
                .build();
            let child = Settle(Box::pin(interp.run(machine, config)));
            let outcome = tokio::select! {
                biased;
                o = child => o,
                _ = req.sleep(FOREVER) => {
                    return Err(TaskFailure::new("States.Runtime", "The child execution never ended"));
                }
            };
            let description = describe(&outcome);
            let status = outcome.status;
            children.push(ChildExecution {
                parent_arn: req.execution_arn.clone(),
                outcome: Arc::new(outcome),
            });
            if status == Status::Succeeded {
                Ok(description)
            } else {
                Err(TaskFailure::new(
                    "States.TaskFailed",
                    description.to_string(),
                ))
            }
        })
    }
}

/// DescribeExecution as `.sync:2` returns it (input and output as JSON).
fn describe(o: &Outcome) -> Value {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::String(s.into()));
    let mut m = Map::new();
    m.insert("ExecutionArn".into(), json!(o.execution_arn));
    m.insert("Input".into(), parse(&o.input));
    m.insert("InputDetails".into(), json!({"Included": true}));
    m.insert("Name".into(), json!(o.name));
    if let Some(out) = &o.output {
        m.insert("Output".into(), parse(out));
        m.insert("OutputDetails".into(), json!({"Included": true}));
    }
    if let Some(e) = &o.error {
        m.insert("Error".into(), json!(e));
    }
    if let Some(c) = &o.cause {
        m.insert("Cause".into(), json!(c));
    }
    m.insert("RedriveCount".into(), json!(0));
    m.insert("StartDate".into(), json!(o.start_date.timestamp_millis()));
    m.insert("StateMachineArn".into(), json!(o.state_machine_arn));
    m.insert("Status".into(), json!(o.status.as_str()));
    m.insert("StopDate".into(), json!(o.stop_date.timestamp_millis()));
    Value::Object(m)
}

/// Polls a future again at once when it wakes itself while being polled, and keeps such wakes
/// from the caller.
///
/// Why: the engine's Map and Parallel poll their branches through `FuturesUnordered`, which
/// returns `Pending` early, waking itself, when two branches wake themselves or when it has
/// polled all its branches once. A child execution's inner Map does that; seen from the
/// parent's Map, every batch then "woke itself", the parent's Map stops before polling its
/// next batches, and the parent's virtual-clock driver, seeing `Pending` with no handler busy,
/// advances time: the third batch would start seconds late. Settling the child here keeps the
/// parent's batches starting together, as they do on AWS.
struct Settle<F>(Pin<Box<F>>);

/// How many immediate re-polls before giving the executor its turn.
const MAX_REPOLLS: usize = 256;

struct WakeFlag {
    polling: AtomicBool,
    woken: AtomicBool,
    outer: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if !self.polling.load(Ordering::SeqCst) {
            self.outer.wake_by_ref();
        }
    }
}

impl<F: Future> Future for Settle<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let flag = Arc::new(WakeFlag {
            polling: AtomicBool::new(true),
            woken: AtomicBool::new(false),
            outer: cx.waker().clone(),
        });
        let waker = Waker::from(flag.clone());
        let mut inner = Context::from_waker(&waker);
        for _ in 0..MAX_REPOLLS {
            flag.polling.store(true, Ordering::SeqCst);
            let r = self.0.as_mut().poll(&mut inner);
            flag.polling.store(false, Ordering::SeqCst);
            match r {
                Poll::Ready(v) => return Poll::Ready(v),
                // Woken during the poll (by itself, or just now): poll again.
                Poll::Pending if flag.woken.swap(false, Ordering::SeqCst) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
