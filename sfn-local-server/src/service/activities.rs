//! Activity queues: a task whose resource is an activity waits here until a worker's
//! `GetActivityTask` takes it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use asl_interpreter::{TaskFailure, TaskRequest};
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

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

/// The waiting tasks of every activity.
#[derive(Default)]
pub(crate) struct Activities {
    queues: Mutex<HashMap<String, ActivityQueue>>,
}

impl Activities {
    fn queues(&self) -> MutexGuard<'_, HashMap<String, ActivityQueue>> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The task handler's side: queues the task and waits until a worker takes it.
    pub(crate) async fn schedule(&self, req: TaskRequest) -> Result<Value, TaskFailure> {
        let Some(token) = req.task_token.clone() else {
            return Err(TaskFailure::new(
                "States.Runtime",
                "activity task without a token",
            ));
        };
        let (tx, rx) = oneshot::channel();
        {
            let mut queues = self.queues();
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

    /// `GetActivityTask`: the oldest waiting task of `activity` (its token and input),
    /// waiting up to `wait` for one.
    pub(crate) async fn poll(
        &self,
        activity: &str,
        worker: &str,
        wait: Duration,
    ) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notify = {
                let mut queues = self.queues();
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
