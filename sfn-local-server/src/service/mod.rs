//! The running service: a hub over its parts. The API handlers ([`crate::api`]), nested
//! executions and the scheduler call its typed operations ([`StartExecution`] and the
//! others in `executions.rs`).
//!
//! - `settings.rs`: [`Settings`].
//! - `wiring.rs`: the interpreter with its task handlers and the listeners that store what
//!   executions do.
//! - `launch.rs`: starting, resuming, redriving and watching executions; parsed definitions.
//! - `running.rs`: the executions in flight, and awaiting their end.
//! - `executions.rs`: the typed execution operations.
//! - `recovery.rs`: resuming after a crash.
//! - `activities.rs`: activity task queues.
//! - `retention.rs`: closed executions expiring after [`Settings::retention`].
//! - `status_events.rs`: the EventBridge event of each status change of an execution;
//!   `metrics.rs`: the CloudWatch metrics of them, for `GET /metrics`.

mod activities;
mod executions;
mod launch;
mod metrics;
mod recovery;
mod retention;
mod running;
mod settings;
mod status_events;
mod wiring;

use std::sync::{Arc, Weak};

use asl_interpreter::{Handlers, Interpreter, PollListener};
use serde_json::{Value, json};

pub(crate) use executions::Redrive;
pub use executions::{MAX_PAYLOAD, StartExecution, Started, StopExecution, SyncRun};
pub use recovery::MAX_RESUMES_WITHOUT_PROGRESS;
pub use settings::{AWS_RETENTION, Settings};

use crate::integrations::ecs::EcsHandler;
use crate::integrations::sinks::{Record, Recorder};
use crate::logs::ExecutionLogs;
use crate::store::{Store, Writer};

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
    running: running::Running,
    definitions: launch::Definitions,
    metrics: Arc<metrics::Metrics>,
    activities: activities::Activities,
    execution_logs: Arc<ExecutionLogs>,
    /// The handlers executions call, for TestState's unmocked Tasks.
    pub(crate) task_handlers: Handlers,
    /// Started executions whose status change to RUNNING waits for their `ExecutionStarted`
    /// event (see [`Service::launch`]).
    starting: std::sync::Mutex<std::collections::HashMap<String, crate::store::ExecutionRec>>,
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
        polls: Option<PollListener>,
    ) -> Arc<Service> {
        Arc::new_cyclic(|me: &Weak<Service>| {
            let writer = Writer::start(store.clone());
            let recorder = wiring::recorder(&writer);
            let ecs = settings.ecs.clone().map(|c| EcsHandler::new(Arc::new(c)));
            let handlers = wiring::handlers(extra, &settings, me, &recorder, ecs.as_ref());
            let task_handlers = handlers.clone();
            recovery::close_interrupted_children(&store);
            let execution_logs = Arc::new(ExecutionLogs::new(writer.clone()));
            let metrics = Arc::new(metrics::Metrics::load(&store));
            let listeners = wiring::Listeners {
                writer: writer.clone(),
                logs: execution_logs.clone(),
                metrics: metrics.clone(),
                service: me.clone(),
            };
            let interp = wiring::interpreter(&settings, handlers, listeners, polls);
            Service {
                settings,
                store,
                writer,
                interp,
                recorder,
                ecs,
                running: running::Running::new(),
                definitions: Default::default(),
                metrics,
                activities: Default::default(),
                execution_logs,
                task_handlers,
                starting: Default::default(),
            }
        })
    }

    /// Number of executions in flight.
    pub fn running_count(&self) -> usize {
        self.running.len()
    }

    /// The newest `limit` recorded messages (SNS, SQS, EventBridge), of one service or all,
    /// newest first, from the store.
    pub fn messages(&self, service: Option<&str>, limit: usize) -> Vec<Record> {
        match self.store.recent_records(service, limit) {
            Ok(rows) => rows
                .into_iter()
                .filter_map(|r| serde_json::from_value::<Record>(r.payload).ok())
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the recorded messages");
                Vec::new()
            }
        }
    }

    /// The metrics in the Prometheus text format (`GET /metrics`).
    pub fn metrics_text(&self) -> String {
        self.metrics.render()
    }

    /// Waits until every history event sent to the store so far is committed.
    pub async fn flush(&self) {
        self.writer.flush_async().await;
    }

    /// `GetActivityTask`'s wait: the oldest task waiting on `activity` (its token and
    /// input), or `None` when none came within the poll time.
    pub(crate) async fn poll_activity(
        &self,
        activity: &str,
        worker: &str,
    ) -> Option<(String, String)> {
        self.activities
            .poll(activity, worker, self.settings.activity_poll)
            .await
    }
}
