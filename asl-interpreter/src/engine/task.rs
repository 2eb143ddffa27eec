//! Task states: parameters, invocation through a mock or a handler, timeouts, retries.

use std::time::Duration;

use asl_core::dataflow::{self, Oversized, to_json_text};
use asl_core::error::names;
use asl_core::model::{Retrier, Task};
use serde_json::{Map, Value, json};

use super::branch::{Failure, Next, StateError, StateRun, number_field};
use super::details_io;
use crate::handler::{TaskFailure, TaskRequest, function_short_name};
use crate::history::{DetailsWriter, EventDetails, NOT_TRUNCATED};
use crate::mock::MockResponse;

/// How a resource shows in the history.
pub(crate) enum ResourceKind {
    /// A Lambda function ARN: `LambdaFunction*` events.
    Lambda,
    /// An activity ARN: `Activity*` events.
    Activity,
    /// A service integration: `Task*` events with type and action.
    Service {
        resource_type: String,
        resource: String,
    },
}

impl ResourceKind {
    pub fn of(arn: &str) -> ResourceKind {
        if arn.starts_with("arn:aws:lambda:") && arn.contains(":function:") {
            return ResourceKind::Lambda;
        }
        if arn.contains(":activity:") {
            return ResourceKind::Activity;
        }
        // arn:aws:states:::service:action[.pattern] or arn:aws:states:::aws-sdk:service:action
        let tail = arn.splitn(6, ':').nth(5).unwrap_or(arn);
        // The type is the service (`aws-sdk:<service>` for SDK integrations); the resource is
        // the rest, pattern and version included (`startExecution.sync:2`).
        let split = match tail.strip_prefix("aws-sdk:") {
            Some(rest) => rest
                .split_once(':')
                .map(|(svc, action)| (format!("aws-sdk:{svc}"), action.to_string())),
            None => tail
                .split_once(':')
                .map(|(t, r)| (t.to_string(), r.to_string())),
        };
        let (resource_type, resource) =
            split.unwrap_or_else(|| (tail.to_string(), tail.to_string()));
        ResourceKind::Service {
            resource_type,
            resource,
        }
    }
}

/// Counts retries per retrier, as AWS does.
pub(crate) struct RetryState {
    counts: Vec<u64>,
}

impl RetryState {
    pub fn new(n: usize) -> Self {
        RetryState { counts: vec![0; n] }
    }

    /// The delay before the next attempt, or `None` when the failure is not retried.
    pub fn next(&mut self, retriers: &[Retrier], error: &str) -> Option<Duration> {
        if error == names::RUNTIME {
            return None;
        }
        let i = retriers
            .iter()
            .position(|r| r.error_equals.matches(error))?;
        let d = retriers[i].next_delay(self.counts[i], rand_unit())?;
        self.counts[i] += 1;
        Some(d)
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().sum::<u64>() as u32
    }
}

fn rand_unit() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

pub(crate) async fn task(run: &mut StateRun<'_>, t: &Task) -> Result<Next, StateError> {
    let state = run.state;
    // Owned: the state's context changes below.
    let effective = run.effective_input()?.into_owned();
    let ctx_token = if t.resource.ends_with(".waitForTaskToken") {
        let token = super::replay::stable_token(
            &run.exec.execution_arn,
            run.thread.cursor(),
            "waitForTaskToken",
        );
        run.context_extra
            .insert("Task".into(), json!({"Token": token}));
        Some(token)
    } else {
        None
    };
    let parameters = match &state.io.parameters {
        Some(p) => run.eval_template(p, &effective, None, None, "Arguments")?,
        None => effective.clone(),
    };
    if dataflow::payload_size(&parameters) > run.exec.inner.limits.max_payload_bytes {
        return Err(StateError::Plain(
            dataflow::data_limit_exceeded(&state.name, Oversized::Parameters).into(),
        ));
    }
    let timeout = match &t.timeout {
        Some(f) => Some(positive(run, f, &effective, "TimeoutSeconds")?),
        None => None,
    };
    let heartbeat = match &t.heartbeat {
        Some(f) => Some(positive(run, f, &effective, "HeartbeatSeconds")?),
        None => None,
    };
    let credentials = match &t.credentials {
        Some(c) => Some(run.eval_template(c, &effective, None, None, "Credentials")?),
        None => None,
    };
    let kind = ResourceKind::of(&t.resource);
    let mut retries = RetryState::new(t.retry.len());
    let result = loop {
        let attempt = retries.total();
        match invoke(
            run,
            t,
            &kind,
            &parameters,
            timeout,
            heartbeat,
            credentials.as_ref(),
            attempt,
            ctx_token.clone(),
        )
        .await
        {
            Ok(v) => break v,
            Err(f) => {
                if let Some(d) = retries.next(&t.retry, f.error_name()) {
                    run.exec.sleep_after(run.thread.cursor(), d).await;
                    continue;
                }
                return Err(StateError::Plain(f));
            }
        }
    };
    let (out, assigned) = run.finish(&state.io, result, false)?;
    run.exit(out, assigned, None)
}

fn positive(
    run: &StateRun<'_>,
    f: &asl_core::model::NumberField,
    doc: &Value,
    field: &str,
) -> Result<u64, StateError> {
    let v = number_field(run, f, doc, field)?;
    match v.as_u64() {
        Some(n) if n > 0 => Ok(n),
        _ => Err(asl_core::StatesError::runtime(format!(
            "The {field} field must be a positive integer, but was: {}",
            to_json_text(&v)
        ))
        .into()),
    }
}

/// `resource`, `input` and `timeoutInSeconds`: what Lambda and activity scheduling share.
fn scheduled_details(t: &Task, parameters: &Value, timeout: Option<u64>) -> DetailsWriter {
    let mut d = DetailsWriter::new();
    d.str("resource", &t.resource);
    d.json_text("input", parameters);
    d.raw("inputDetails", NOT_TRUNCATED);
    if let Some(s) = timeout {
        d.num("timeoutInSeconds", s);
    }
    d
}

#[allow(clippy::too_many_arguments)]
async fn invoke(
    run: &StateRun<'_>,
    t: &Task,
    kind: &ResourceKind,
    parameters: &Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    credentials: Option<&Value>,
    attempt: u32,
    token: Option<String>,
) -> Result<Value, Failure> {
    let exec = run.exec;
    let th = run.thread;
    // Scheduled + Started.
    match kind {
        ResourceKind::Lambda => {
            let d = scheduled_details(t, parameters, timeout);
            exec.emit_details(
                th,
                "LambdaFunctionScheduled",
                Some(d.finish("lambdaFunctionScheduledEventDetails")),
            );
            exec.emit(th, "LambdaFunctionStarted", None);
        }
        ResourceKind::Activity => {
            let mut d = scheduled_details(t, parameters, timeout);
            if let Some(s) = heartbeat {
                d.num("heartbeatInSeconds", s);
            }
            exec.emit_details(
                th,
                "ActivityScheduled",
                Some(d.finish("activityScheduledEventDetails")),
            );
        }
        ResourceKind::Service {
            resource_type,
            resource,
        } => {
            let mut d = DetailsWriter::new();
            d.str("resourceType", resource_type)
                .str("resource", resource)
                .str("region", &exec.config.region);
            d.json_text("parameters", parameters);
            if let Some(s) = timeout {
                d.num("timeoutInSeconds", s);
            }
            if let Some(s) = heartbeat {
                d.num("heartbeatInSeconds", s);
            }
            if let Some(c) = credentials {
                let role = c.get("RoleArn").cloned().unwrap_or(Value::Null);
                d.raw("taskCredentials", &json!({"roleArn": role}).to_string());
            }
            exec.emit_details(
                th,
                "TaskScheduled",
                Some(d.finish("taskScheduledEventDetails")),
            );
            let mut d = DetailsWriter::new();
            d.str("resourceType", resource_type)
                .str("resource", resource);
            exec.emit_details(th, "TaskStarted", Some(d.finish("taskStartedEventDetails")));
        }
    }
    // An activity is handed to a worker with a token of its own; its handler returns once a
    // worker has taken the task (`{"workerName": ...}`), and the token brings the result.
    let (token, activity) = match kind {
        ResourceKind::Activity => (
            Some(token.unwrap_or_else(|| {
                super::replay::stable_token(&exec.execution_arn, th.cursor(), "activity")
            })),
            true,
        ),
        _ => (token, false),
    };
    // Resuming: a task whose end is recorded is not run again.
    let outcome = match recorded_outcome(run, activity) {
        Recorded::Ended(o) => {
            exec.next_invocation(&run.state.name);
            o
        }
        Recorded::Submitted => {
            let again = true;
            call(
                run, t, parameters, attempt, token, timeout, heartbeat, activity, again,
            )
            .await
        }
        Recorded::Nothing => {
            call(
                run, t, parameters, attempt, token, timeout, heartbeat, activity, false,
            )
            .await
        }
    };
    let outcome = outcome.and_then(|v| {
        if dataflow::payload_size(&v) > exec.inner.limits.max_payload_bytes {
            let e = dataflow::data_limit_exceeded(&t.resource, Oversized::Result);
            Err(TaskFailure::new(e.error, e.cause))
        } else {
            Ok(v)
        }
    });
    let timed_out = matches!(&outcome, Err(f) if f.error.as_deref() == Some(names::TIMEOUT) || f.error.as_deref() == Some(names::HEARTBEAT_TIMEOUT));
    match (kind, outcome) {
        (ResourceKind::Lambda, Ok(v)) => {
            exec.emit_details(
                th,
                "LambdaFunctionSucceeded",
                details_io("lambdaFunctionSucceededEventDetails", "output", &v),
            );
            Ok(v)
        }
        (ResourceKind::Activity, Ok(v)) => {
            exec.emit_details(
                th,
                "ActivitySucceeded",
                details_io("activitySucceededEventDetails", "output", &v),
            );
            Ok(v)
        }
        (
            ResourceKind::Service {
                resource_type,
                resource,
            },
            Ok(v),
        ) => {
            let mut d = DetailsWriter::new();
            d.str("resourceType", resource_type)
                .str("resource", resource);
            d.json_text("output", &v);
            d.raw("outputDetails", NOT_TRUNCATED);
            exec.emit_details(
                th,
                "TaskSucceeded",
                Some(d.finish("taskSucceededEventDetails")),
            );
            Ok(v)
        }
        (kind, Err(f)) => {
            let mut d = Map::new();
            let (ty, key) = match (kind, timed_out) {
                (ResourceKind::Lambda, true) => (
                    "LambdaFunctionTimedOut",
                    "lambdaFunctionTimedOutEventDetails",
                ),
                (ResourceKind::Lambda, false) => {
                    ("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails")
                }
                (ResourceKind::Activity, true) => {
                    ("ActivityTimedOut", "activityTimedOutEventDetails")
                }
                (ResourceKind::Activity, false) => ("ActivityFailed", "activityFailedEventDetails"),
                (
                    ResourceKind::Service {
                        resource_type,
                        resource,
                    },
                    t,
                ) => {
                    d.insert("resourceType".into(), json!(resource_type));
                    d.insert("resource".into(), json!(resource));
                    if t {
                        ("TaskTimedOut", "taskTimedOutEventDetails")
                    } else {
                        ("TaskFailed", "taskFailedEventDetails")
                    }
                }
            };
            if let Some(e) = &f.error {
                d.insert("error".into(), json!(e));
            }
            if let Some(c) = &f.cause {
                d.insert("cause".into(), json!(c));
            }
            exec.emit(th, ty, Some((key, Value::Object(d))));
            Err(Failure {
                error: f.error,
                cause: f.cause,
            })
        }
    }
}

/// What the record says of the task invocation that follows the thread's cursor (when
/// resuming).
enum Recorded {
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
fn recorded_outcome(run: &StateRun<'_>, activity: bool) -> Recorded {
    let Some(replay) = run.exec.replay.as_ref() else {
        return Recorded::Nothing;
    };
    let mut after = run.thread.cursor();
    let mut submitted = false;
    if activity {
        let Some(started) = replay.next_after(after, |t| t == "ActivityStarted") else {
            return Recorded::Nothing;
        };
        if replay
            .next_after(started.id, super::replay::is_task_end)
            .is_none()
        {
            return Recorded::Nothing;
        }
        let details = started.details.clone();
        after = run
            .exec
            .emit_details(run.thread, "ActivityStarted", details);
    } else if let Some(sub) = replay.next_after(after, |t| t == "TaskSubmitted") {
        let details = sub.details.clone();
        after = run.exec.emit_details(run.thread, "TaskSubmitted", details);
        submitted = true;
    }
    let Some(end) = replay.next_after(after, super::replay::is_task_end) else {
        return if submitted {
            Recorded::Submitted
        } else {
            Recorded::Nothing
        };
    };
    let d = end.details.as_ref().map(EventDetails::value);
    let field = |k: &str| d.as_ref().and_then(|d| d.get(k)).and_then(Value::as_str);
    Recorded::Ended(if end.event_type.ends_with("Succeeded") {
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
#[allow(clippy::too_many_arguments)]
async fn call(
    run: &StateRun<'_>,
    t: &Task,
    parameters: &Value,
    attempt: u32,
    token: Option<String>,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    activity: bool,
    already_submitted: bool,
) -> Result<Value, TaskFailure> {
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
    let Some(handler) = exec.inner.handlers.find(&t.resource, parameters) else {
        return Err(no_handler(&t.resource, parameters, state));
    };
    let request = TaskRequest {
        resource: t.resource.clone(),
        parameters: parameters.clone(),
        context: run.context(attempt),
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
    let service = match ResourceKind::of(&t.resource) {
        ResourceKind::Service {
            resource_type,
            resource,
        } => Some((resource_type, resource)),
        _ => None,
    };
    let sync = t.resource.ends_with(".sync") || t.resource.ends_with(".sync:2");
    let (sub_tx, mut sub_rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    if sync && service.is_some() {
        request.submitted = Some(sub_tx);
    }
    let mut submitted_once = already_submitted;
    let emit_submitted = |v: &Value| {
        if let Some((resource_type, resource)) = &service {
            exec.emit(
                run.thread,
                "TaskSubmitted",
                Some((
                    "taskSubmittedEventDetails",
                    json!({"resourceType": resource_type, "resource": resource,
                           "output": to_json_text(v), "outputDetails": {"truncated": false}}),
                )),
            );
        }
    };
    let clock = exec.inner.clock.clone();
    // The token is open before the handler runs: a worker may answer before the handler's
    // future is polled again.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let guard = token.map(|token| {
        exec.inner.tokens.lock().insert(token.clone(), tx);
        TokenGuard(&exec.inner.tokens, token)
    });
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
            let details = worker.map(|w| ("activityStartedEventDetails", json!({"workerName": w})));
            exec.emit(run.thread, "ActivityStarted", details);
        }
        // Wait for the callback (heartbeats reset their timer).
        loop {
            let hb = async {
                match heartbeat {
                    Some(s) => clock.sleep(Duration::from_secs(s)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                cb = rx.recv() => match cb {
                    Some(super::Callback::Success(v)) => return Ok(v),
                    Some(super::Callback::Failure(f)) => return Err(f),
                    Some(super::Callback::Heartbeat) => continue,
                    None => return Err(TaskFailure::new(names::RUNTIME, "The task token was dropped")),
                },
                _ = hb => return Err(TaskFailure { error: Some(names::HEARTBEAT_TIMEOUT.into()), cause: None }),
            }
        }
    };
    let limit = async {
        match timeout {
            Some(s) => clock.sleep(Duration::from_secs(s)).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = work => r,
        _ = limit => Err(TaskFailure { error: Some(names::TIMEOUT.into()), cause: None }),
    }
}

struct TokenGuard<'a>(&'a super::Tokens, String);

impl Drop for TokenGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

/// The failure AWS would give for a resource nobody answers.
fn no_handler(resource: &str, parameters: &Value, state: &str) -> TaskFailure {
    let function = if resource.starts_with("arn:aws:states:::lambda:invoke") {
        parameters.get("FunctionName").and_then(Value::as_str)
    } else if resource.contains(":function:") {
        Some(resource)
    } else {
        None
    };
    if let Some(f) = function {
        return TaskFailure::new(
            "Lambda.ResourceNotFoundException",
            format!(
                "Function not found: {f} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null). No handler or mock is configured for function '{}' in sfn-local (state '{state}').",
                uuid::Uuid::new_v4(),
                function_short_name(f)
            ),
        );
    }
    TaskFailure::new(
        names::TASK_FAILED,
        format!(
            "No handler or mock is configured in sfn-local for resource '{resource}' (state '{state}')."
        ),
    )
}
