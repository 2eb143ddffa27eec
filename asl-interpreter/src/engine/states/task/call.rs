//! One attempt of a task: through the mock or the handler, racing its timeout, waiting for
//! a callback (`.waitForTaskToken`, activities) with its heartbeat; or, when resuming, its
//! recorded end.

use std::time::Duration;

use asl_core::dataflow::to_json_text;
use asl_core::error::names;
use serde_json::{Value, json};

use super::{Invocation, ResourceKind};
use crate::engine::kernel::StateRun;
use crate::engine::tokens::{Callback, TokenGuard};
use crate::handler::{TaskFailure, TaskRequest};
use crate::history::{EventDetails, EventType};
use crate::mock::MockResponse;

/// Whether the invocation's submission is already recorded (resuming a `.sync` or callback
/// task that had been submitted): its `TaskSubmitted` is not recorded twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Submission {
    NotRecorded,
    Recorded,
}

/// What the record says of the task invocation that follows the thread's cursor (when
/// resuming).
pub(super) enum Recorded {
    /// It ended so.
    Ended(Result<Value, TaskFailure>),
    /// It was submitted (its `TaskSubmitted` is matched), not ended: run it again without
    /// recording a second submission.
    Submitted,
    /// Nothing (or not resuming).
    Nothing,
}

/// The recorded end of the task invocation that follows the thread's cursor, if any. Its
/// `ActivityStarted` or `TaskSubmitted` is matched on the way.
pub(super) fn recorded_outcome(run: &StateRun<'_>, kind: &ResourceKind) -> Recorded {
    let Some(replay) = run.exec.replay.as_ref() else {
        return Recorded::Nothing;
    };
    let mut after = run.thread.cursor();
    let mut submitted = false;
    if matches!(kind, ResourceKind::Activity) {
        let Some(started) = replay.next_after(after, |t| t == EventType::ActivityStarted) else {
            return Recorded::Nothing;
        };
        if replay
            .next_after(started.id, EventType::is_task_end)
            .is_none()
        {
            return Recorded::Nothing;
        }
        let details = started.details.clone();
        after = run
            .exec
            .emit_details(run.thread, EventType::ActivityStarted, details);
    } else if let Some(sub) = replay.next_after(after, |t| t == EventType::TaskSubmitted) {
        let details = sub.details.clone();
        after = run
            .exec
            .emit_details(run.thread, EventType::TaskSubmitted, details);
        submitted = true;
    }
    let Some(end) = replay.next_after(after, EventType::is_task_end) else {
        return if submitted {
            Recorded::Submitted
        } else {
            Recorded::Nothing
        };
    };
    let d = end.details.as_ref().map(EventDetails::value);
    let field = |k: &str| d.as_ref().and_then(|d| d.get(k)).and_then(Value::as_str);
    Recorded::Ended(if end.event_type.is_success() {
        Ok(field("output")
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or(Value::Null))
    } else {
        Err(TaskFailure {
            error: field("error").map(str::to_string),
            cause: field("cause").map(str::to_string),
        })
    })
}

/// Calls the mock or the handler, racing the timeout (and heartbeat for callbacks).
pub(super) async fn call(
    run: &StateRun<'_>,
    inv: &Invocation<'_>,
    attempt: u32,
    token: Option<String>,
    submission: Submission,
) -> Result<Value, TaskFailure> {
    let parameters = &inv.parameters;
    let activity = matches!(inv.kind, ResourceKind::Activity);
    let exec = run.exec;
    let state = &run.state.name;
    let invocation = exec.next_invocation(state);
    if let (Some(mock), Some(case)) = (&exec.inner.mock, &exec.config.test_case)
        && let Some(resp) = mock.response(&exec.config.state_machine_name, case, state, invocation)
    {
        return match resp {
            Ok(MockResponse::Return(v)) => Ok(v),
            Ok(MockResponse::Throw(f)) => Err(f),
            Err(cause) => Err(TaskFailure::new(names::RUNTIME, cause)),
        };
    }
    let Some(handler) = exec.inner.handlers.find(&inv.resource, parameters) else {
        return Err(crate::service_errors::unanswered(
            &inv.resource,
            parameters,
            state,
        ));
    };
    let request = TaskRequest {
        resource: inv.resource.to_string(),
        parameters: parameters.clone(),
        context: run.handler_context(attempt),
        task_token: token.clone(),
        state_name: state.clone(),
        attempt,
        execution_arn: exec.execution_arn.clone(),
        test_case: exec.config.test_case.clone(),
        invocation,
        clock: exec.inner.clock.clone(),
        function_name: None,
        submitted: None,
    };
    let mut request = request;
    let service = match &inv.kind {
        ResourceKind::Service {
            resource_type,
            resource,
        } => Some((resource_type, resource)),
        _ => None,
    };
    let sync = inv.resource.ends_with(".sync") || inv.resource.ends_with(".sync:2");
    let (sub_tx, mut sub_rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    if sync && service.is_some() {
        request.submitted = Some(sub_tx);
    }
    let mut submitted_once = submission == Submission::Recorded;
    let emit_submitted = |v: &Value| {
        if let Some((resource_type, resource)) = &service {
            let details = json!({"resourceType": resource_type, "resource": resource,
                   "output": to_json_text(v), "outputDetails": {"truncated": false}});
            exec.emit(run.thread, EventType::TaskSubmitted, Some(&details));
        }
    };
    let clock = exec.inner.clock.clone();
    // The token is open before the handler runs: a worker may answer before the handler's
    // future is polled again.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let guard = token.map(|token| TokenGuard::open(&exec.inner.tokens, token, tx));
    let work = async {
        let submitted = {
            let _busy = clock.busy();
            let call = handler.call(request);
            tokio::pin!(call);
            loop {
                tokio::select! {
                    r = &mut call => break r?,
                    Some(v) = sub_rx.recv() => {
                        if !submitted_once {
                            submitted_once = true;
                            emit_submitted(&v);
                        }
                    }
                }
            }
        };
        if guard.is_none() {
            return Ok(submitted);
        }
        // A callback task: the request went out (SQS, SNS, ...); its answer is recorded.
        if !activity && !submitted_once {
            emit_submitted(&submitted);
        }
        if activity {
            let worker = submitted.get("workerName").cloned();
            let details = worker.map(|w| json!({"workerName": w}));
            exec.emit(run.thread, EventType::ActivityStarted, details.as_ref());
        }
        // Wait for the callback (heartbeats reset their timer).
        loop {
            let hb = async {
                match inv.heartbeat {
                    Some(s) => clock.sleep(Duration::from_secs(s)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                cb = rx.recv() => match cb {
                    Some(Callback::Success(v)) => return Ok(v),
                    Some(Callback::Failure(f)) => return Err(f),
                    Some(Callback::Heartbeat) => continue,
                    None => return Err(TaskFailure::new(names::RUNTIME, "The task token was dropped")),
                },
                _ = hb => return Err(TaskFailure { error: Some(names::HEARTBEAT_TIMEOUT.into()), cause: None }),
            }
        }
    };
    let limit = async {
        match inv.timeout {
            Some(s) => clock.sleep(Duration::from_secs(s)).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = work => r,
        _ = limit => Err(TaskFailure { error: Some(names::TIMEOUT.into()), cause: None }),
    }
}
