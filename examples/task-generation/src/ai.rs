//! The mock AI service: per-action scripted behaviour, so tests and the demo can make any
//! action succeed, fail transiently or for good, answer too slowly or answer nonsense —
//! without paying for a single AI call.
//!
//! Latency is simulated with [`TaskRequest::sleep`], which lets virtual time advance (a 150 s
//! answer costs no wall time and still hits the Task's 120 s timeout).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use asl_interpreter::TaskRequest;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// Longer than the AI Task's `TimeoutSeconds` (120).
pub const TOO_SLOW: Duration = Duration::from_secs(150);

/// What one call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// `n` well-formed tasks.
    Tasks(usize),
    /// `AI.Throttled` (transient: the workflow retries it).
    Throttled,
    /// `AI.ContentRejected` (permanent: not retried).
    Rejected,
    /// A response of the wrong shape (the Lambda reports `AI.InvalidResponse`).
    Invalid,
}

/// One scripted call: wait `latency`, then answer `reply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Simulated processing time.
    pub latency: Duration,
    /// The answer.
    pub reply: Reply,
}

/// An action's script: call `k` plays step `k`; the last step repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    steps: Vec<Step>,
}

impl Behaviour {
    /// Any script (an empty one answers 3 tasks).
    pub fn script(steps: Vec<Step>) -> Self {
        Behaviour { steps }
    }

    /// Answers `tasks` tasks at once.
    pub fn succeed(tasks: usize) -> Self {
        Self::script(vec![step(Reply::Tasks(tasks))])
    }

    /// Throttled `failures` times, then `tasks` tasks.
    pub fn transient(failures: usize, tasks: usize) -> Self {
        let mut steps = vec![step(Reply::Throttled); failures];
        steps.push(step(Reply::Tasks(tasks)));
        Self::script(steps)
    }

    /// Always rejected (not retried).
    pub fn permanent() -> Self {
        Self::script(vec![step(Reply::Rejected)])
    }

    /// The first `times` calls take [`TOO_SLOW`] (beyond the 2-minute timeout), then `tasks`
    /// tasks at once.
    pub fn too_slow(times: usize, tasks: usize) -> Self {
        let mut steps = vec![
            Step {
                latency: TOO_SLOW,
                reply: Reply::Tasks(tasks),
            };
            times
        ];
        steps.push(step(Reply::Tasks(tasks)));
        Self::script(steps)
    }

    /// Always answers a malformed response.
    pub fn invalid() -> Self {
        Self::script(vec![step(Reply::Invalid)])
    }

    /// Every step without a latency of its own takes `latency`.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        for s in &mut self.steps {
            if s.latency.is_zero() {
                s.latency = latency;
            }
        }
        self
    }

    /// The step of call `k` (0-based).
    pub fn step(&self, k: usize) -> Step {
        self.steps
            .get(k)
            .or(self.steps.last())
            .copied()
            .unwrap_or(step(Reply::Tasks(3)))
    }

    /// Whether some call eventually answers tasks (within `calls` calls).
    pub fn succeeds_within(&self, calls: usize) -> bool {
        (0..calls).any(|k| {
            let s = self.step(k);
            matches!(s.reply, Reply::Tasks(n) if n > 0) && s.latency < Duration::from_secs(120)
        })
    }
}

fn step(reply: Reply) -> Step {
    Step {
        latency: Duration::ZERO,
        reply,
    }
}

/// One call the service received.
#[derive(Debug, Clone, PartialEq)]
pub struct AiCall {
    /// The action.
    pub action_id: String,
    /// 0 for the action's first call, then 1, 2, ...
    pub call: usize,
    /// When it arrived (the execution's clock).
    pub at: DateTime<Utc>,
    /// The scripted answer.
    pub reply: Reply,
}

/// A failed AI call: the error name the Lambda raises and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiFailure {
    /// `AI.Throttled`, `AI.ContentRejected`.
    pub error: &'static str,
    /// The message.
    pub message: String,
}

/// Holds an action's AI call until opened, with the clock still (for mid-run tests).
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<GateInner>,
}

#[derive(Default)]
struct GateInner {
    reached: AtomicBool,
    reached_notify: Notify,
    open: AtomicBool,
    open_notify: Notify,
}

async fn wait_flag(flag: &AtomicBool, notify: &Notify) {
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if flag.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }
}

impl Gate {
    /// Waits until a call has arrived at the gate.
    pub async fn reached(&self) {
        wait_flag(&self.inner.reached, &self.inner.reached_notify).await;
    }

    /// Lets the held call (and later ones) through.
    pub fn open(&self) {
        self.inner.open.store(true, Ordering::SeqCst);
        self.inner.open_notify.notify_waiters();
    }

    async fn pass(&self) {
        self.inner.reached.store(true, Ordering::SeqCst);
        self.inner.reached_notify.notify_waiters();
        wait_flag(&self.inner.open, &self.inner.open_notify).await;
    }
}

#[derive(Default)]
struct AiState {
    default: Option<Behaviour>,
    per_action: HashMap<String, Behaviour>,
    calls: HashMap<String, usize>,
    log: Vec<AiCall>,
    gates: HashMap<String, Gate>,
    pace: Duration,
}

/// The mock AI service. Cheap to clone (shared state).
#[derive(Clone, Default)]
pub struct MockAi {
    state: Arc<Mutex<AiState>>,
}

impl std::fmt::Debug for MockAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockAi")
    }
}

impl MockAi {
    /// Every action succeeds with 3 tasks until told otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, AiState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The behaviour of actions without one of their own.
    pub fn set_default(&self, b: Behaviour) {
        self.lock().default = Some(b);
    }

    /// An action's behaviour (its call count starts again from 0).
    pub fn set(&self, action_id: &str, b: Behaviour) {
        let mut st = self.lock();
        st.per_action.insert(action_id.to_string(), b);
        st.calls.remove(action_id);
    }

    /// Real (wall-clock) time every call takes on top of its scripted latency, while virtual
    /// time stands still: it slows a virtual-time run down enough to watch (the demo).
    pub fn set_wall_pace(&self, pace: Duration) {
        self.lock().pace = pace;
    }

    /// A gate that holds `action_id`'s next calls until opened.
    pub fn gate(&self, action_id: &str) -> Gate {
        self.lock()
            .gates
            .entry(action_id.to_string())
            .or_default()
            .clone()
    }

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<AiCall> {
        self.lock().log.clone()
    }

    /// The calls for one action.
    pub fn calls_for(&self, action_id: &str) -> Vec<AiCall> {
        self.lock()
            .log
            .iter()
            .filter(|c| c.action_id == action_id)
            .cloned()
            .collect()
    }

    /// Generates tasks for an action: the raw response body, as the AI service would send it.
    pub async fn generate(
        &self,
        req: &TaskRequest,
        action_id: &str,
        title: &str,
    ) -> Result<Value, AiFailure> {
        let (step, gate, pace) = {
            let mut st = self.lock();
            let k = {
                let c = st.calls.entry(action_id.to_string()).or_insert(0);
                *c += 1;
                *c - 1
            };
            let b = st
                .per_action
                .get(action_id)
                .or(st.default.as_ref())
                .cloned()
                .unwrap_or_else(|| Behaviour::succeed(3));
            let step = b.step(k);
            st.log.push(AiCall {
                action_id: action_id.to_string(),
                call: k,
                at: req.clock.now(),
                reply: step.reply,
            });
            (step, st.gates.get(action_id).cloned(), st.pace)
        };
        if let Some(g) = gate {
            g.pass().await;
        }
        if !pace.is_zero() {
            tokio::time::sleep(pace).await;
        }
        if !step.latency.is_zero() {
            req.sleep(step.latency).await;
        }
        match step.reply {
            Reply::Tasks(n) => Ok(json!({
                "model": "mock-ai-1",
                "tasks": (0..n).map(|i| sample_task(title, i)).collect::<Vec<_>>(),
            })),
            Reply::Throttled => Err(AiFailure {
                error: "AI.Throttled",
                message: "Rate exceeded, try again later".into(),
            }),
            Reply::Rejected => Err(AiFailure {
                error: "AI.ContentRejected",
                message: format!("The model refused to plan '{title}'"),
            }),
            Reply::Invalid => {
                Ok(json!({"model": "mock-ai-1", "tasks": [{"name": title, "minutes": "soon"}]}))
            }
        }
    }
}

fn sample_task(title: &str, i: usize) -> Value {
    let habit = i % 3 == 2;
    json!({
        "title": format!("{title}: step {}", i + 1),
        "description": format!("Step {} towards '{title}'", i + 1),
        "type": if habit { "habit" } else { "execution" },
        "estimatedMinutes": 15 * (1 + i % 4),
    })
}
