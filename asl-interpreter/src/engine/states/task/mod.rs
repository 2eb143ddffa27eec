//! Task: its parameters and timeouts, evaluated once; then attempts (through a mock or a
//! handler, see [`call`]) and their events, retried as its `Retry` says.

mod call;

use asl_core::dataflow::{self, Oversized};
use asl_core::error::names;
use asl_core::model::Task;
use serde_json::{Map, Value, json};

use crate::engine::TaskFailure;
use crate::engine::kernel::{Next, StateError, StateRun};
use crate::engine::numbers::{self, HEARTBEAT_SECONDS, TIMEOUT_SECONDS};
use crate::engine::replay::stable_token;
use crate::engine::retry::RetryState;
use crate::history::{DetailsWriter, EventType, NOT_TRUNCATED, output_details};
use call::{Recorded, Submission, call, recorded_outcome};

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
        if asl_core::resource::is_lambda_function(arn) {
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

/// What every attempt of a task sends, evaluated once before the first.
pub(super) struct Invocation<'a> {
    pub t: &'a Task,
    /// The `Resource` as it is routed: a service integration written with a region and an
    /// account (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listObjectsV2`) or in another
    /// partition in its documented `aws` form (see [`asl_core::resource::routing_form`]).
    pub resource: std::borrow::Cow<'a, str>,
    pub kind: ResourceKind,
    /// `Parameters`/`Arguments`, or the effective input.
    pub parameters: Value,
    pub timeout: Option<u64>,
    pub heartbeat: Option<u64>,
    pub credentials: Option<Value>,
    /// The `.waitForTaskToken` token (`$$.Task.Token`).
    pub token: Option<String>,
}

pub(super) async fn task(run: &mut StateRun<'_>, t: &Task) -> Result<Next, StateError> {
    let state = run.state;
    // Owned: the state's context changes below.
    let effective = run.effective_input()?.into_owned();
    let token = if t.resource.ends_with(".waitForTaskToken") {
        let token = stable_token(
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
    let parameters = eval_parameters(run, &effective)?;
    let timeout = match &t.timeout {
        Some(f) => Some(numbers::read(run, &TIMEOUT_SECONDS, f, &effective)? as u64),
        None => None,
    };
    let heartbeat = match &t.heartbeat {
        Some(f) => Some(numbers::read(run, &HEARTBEAT_SECONDS, f, &effective)? as u64),
        None => None,
    };
    let credentials = match &t.credentials {
        Some(c) => Some(run.eval_template(c, &effective, None, None, "Credentials")?),
        None => None,
    };
    let resource = asl_core::resource::routing_form(&t.resource);
    let mut inv = Invocation {
        t,
        kind: ResourceKind::of(&resource),
        resource,
        parameters,
        timeout,
        heartbeat,
        credentials,
        token,
    };
    let mut retries = RetryState::new(t.retry.len());
    let result = loop {
        let attempt = retries.total();
        run.retry_count = attempt;
        // Each attempt evaluates `Parameters` again, with its own `$$.State.RetryCount`
        // (test_lambda_invoke_with_retry_extended_input: the scheduled inputs carry 0, 1, 2, 3).
        if attempt > 0 && state.uses_context {
            inv.parameters = eval_parameters(run, &effective)?;
        }
        match invoke(run, &inv, attempt).await {
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
    let (out, assigned) = run.finish(&state.io, Some(result))?;
    run.exit(out, assigned, None)
}

/// `Parameters`/`Arguments` (or the effective input), within the payload quota.
fn eval_parameters(run: &StateRun<'_>, effective: &Value) -> Result<Value, StateError> {
    let state = run.state;
    let parameters = match &state.io.parameters {
        Some(p) => run.eval_template(p, effective, None, None, "Arguments")?,
        None => effective.clone(),
    };
    if dataflow::payload_size(&parameters) > run.exec.inner.limits.max_payload_bytes {
        return Err(StateError::Plain(
            dataflow::data_limit_exceeded(&state.name, Oversized::Parameters).into(),
        ));
    }
    Ok(parameters)
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

/// One attempt: its events (scheduled, started, then succeeded, failed or timed out, as the
/// resource kind names them) around the call.
async fn invoke(
    run: &StateRun<'_>,
    inv: &Invocation<'_>,
    attempt: u32,
) -> Result<Value, TaskFailure> {
    let exec = run.exec;
    let th = run.thread;
    let t = inv.t;
    // Scheduled + Started.
    match &inv.kind {
        ResourceKind::Lambda => {
            let d = scheduled_details(t, &inv.parameters, inv.timeout);
            let ty = EventType::LambdaFunctionScheduled;
            exec.emit_details(th, ty, d.finish(ty));
            exec.emit(th, EventType::LambdaFunctionStarted, None);
        }
        ResourceKind::Activity => {
            let mut d = scheduled_details(t, &inv.parameters, inv.timeout);
            if let Some(s) = inv.heartbeat {
                d.num("heartbeatInSeconds", s);
            }
            let ty = EventType::ActivityScheduled;
            exec.emit_details(th, ty, d.finish(ty));
        }
        ResourceKind::Service {
            resource_type,
            resource,
        } => {
            let mut d = DetailsWriter::new();
            d.str("resourceType", resource_type)
                .str("resource", resource)
                .str("region", &exec.config.region);
            d.json_text("parameters", &inv.parameters);
            if let Some(s) = inv.timeout {
                d.num("timeoutInSeconds", s);
            }
            if let Some(s) = inv.heartbeat {
                d.num("heartbeatInSeconds", s);
            }
            if let Some(c) = &inv.credentials {
                let role = c.get("RoleArn").cloned().unwrap_or(Value::Null);
                d.raw("taskCredentials", &json!({"roleArn": role}).to_string());
            }
            let ty = EventType::TaskScheduled;
            exec.emit_details(th, ty, d.finish(ty));
            let mut d = DetailsWriter::new();
            d.str("resourceType", resource_type)
                .str("resource", resource);
            let ty = EventType::TaskStarted;
            exec.emit_details(th, ty, d.finish(ty));
        }
    }
    // An activity is handed to a worker with a token of its own; its handler returns once a
    // worker has taken the task (`{"workerName": ...}`), and the token brings the result.
    let token = match inv.kind {
        ResourceKind::Activity => Some(
            inv.token
                .clone()
                .unwrap_or_else(|| stable_token(&exec.execution_arn, th.cursor(), "activity")),
        ),
        _ => inv.token.clone(),
    };
    // Resuming: a task whose end is recorded is not run again.
    let outcome = match recorded_outcome(run, &inv.kind) {
        Recorded::Ended(o) => {
            exec.next_invocation(&run.state.name);
            o
        }
        Recorded::Submitted => call(run, inv, attempt, token, Submission::Recorded).await,
        Recorded::Nothing => call(run, inv, attempt, token, Submission::NotRecorded).await,
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
    match (&inv.kind, outcome) {
        (ResourceKind::Lambda, Ok(v)) => {
            let ty = EventType::LambdaFunctionSucceeded;
            exec.emit_details(th, ty, output_details(ty, &v));
            Ok(v)
        }
        (ResourceKind::Activity, Ok(v)) => {
            let ty = EventType::ActivitySucceeded;
            exec.emit_details(th, ty, output_details(ty, &v));
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
            let ty = EventType::TaskSucceeded;
            exec.emit_details(th, ty, d.finish(ty));
            Ok(v)
        }
        (kind, Err(f)) => {
            let mut d = Map::new();
            let ty = match (kind, timed_out) {
                (ResourceKind::Lambda, true) => EventType::LambdaFunctionTimedOut,
                (ResourceKind::Lambda, false) => EventType::LambdaFunctionFailed,
                (ResourceKind::Activity, true) => EventType::ActivityTimedOut,
                (ResourceKind::Activity, false) => EventType::ActivityFailed,
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
                        EventType::TaskTimedOut
                    } else {
                        EventType::TaskFailed
                    }
                }
            };
            if let Some(e) = &f.error {
                d.insert("error".into(), json!(e));
            }
            if let Some(c) = &f.cause {
                d.insert("cause".into(), json!(c));
            }
            exec.emit(th, ty, Some(&Value::Object(d)));
            Err(f)
        }
    }
}
