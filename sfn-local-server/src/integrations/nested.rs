//! Nested executions: `arn:aws:states:::states:startExecution` (and `.sync`, `.sync:2`,
//! `.waitForTaskToken`), started on this server like any other execution (the service's
//! typed StartExecution); a `.sync` task awaits the child's end.

use std::sync::{Arc, Weak};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Status, TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Map, Value, json};

use crate::api::{ApiError, serialization};
use crate::service::{Service, StartExecution};
use crate::store::ExecutionRec;

/// The resource prefix this handler serves.
pub const PREFIX: &str = "arn:aws:states:::states:startExecution";

/// Starts child executions.
pub struct NestedExecutions(pub Weak<Service>);

impl TaskHandler for NestedExecutions {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let svc = self.0.clone();
        Box::pin(async move {
            let svc = super::running_service(&svc)?;
            start_child(&svc, &req).await
        })
    }
}

fn service_error(e: &ApiError) -> TaskFailure {
    TaskFailure::new(
        format!(
            "StepFunctions.{}Exception",
            e.code.as_str().trim_end_matches("Exception")
        ),
        format!(
            "{} (Service: Sfn, Status Code: {}, Request ID: {})",
            e.message,
            e.status(),
            uuid::Uuid::new_v4()
        ),
    )
}

/// A string parameter of the task (`None` when absent or null); another JSON type is the
/// `SerializationException` the API answers for the member `api_name`.
fn string_parameter<'a>(
    p: &'a Value,
    key: &str,
    api_name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(serialization(api_name, "a string")),
    }
}

/// The task's parameters as a StartExecution request; `Input` may be any JSON (a string is
/// the input text itself).
fn start_request(p: &Value) -> Result<StartExecution, ApiError> {
    let arn = string_parameter(p, "StateMachineArn", "stateMachineArn")?;
    let name = string_parameter(p, "Name", "name")?;
    let input = match p.get("Input") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => Some(asl_core::dataflow::to_json_text(v)),
    };
    StartExecution::checked(arn, name, input)
}

async fn start_child(svc: &Arc<Service>, req: &TaskRequest) -> Result<Value, TaskFailure> {
    let started = start_request(&req.parameters)
        .and_then(|start| svc.start_execution(&start))
        .map_err(|e| service_error(&e))?;
    let arn = started.execution_arn;
    let resource = req.resource.as_str();
    let sync = resource.ends_with(".sync") || resource.ends_with(".sync:2");
    // The start date as the API's epoch seconds read back in milliseconds (as it was when
    // this went through the JSON API; the round trip can lose a millisecond).
    let start_ms = (epoch_seconds(started.start_date) * 1000.0) as i64;
    if !sync {
        return Ok(json!({"ExecutionArn": arn, "StartDate": start_ms}));
    }
    // AWS records the StartExecution response, with the SDK's HTTP metadata, as the
    // `TaskSubmitted` of a `.sync` task as soon as the child has started.
    req.report_submitted(submitted(&arn, started.start_date, start_ms));
    // If this task is cancelled (the parent stopped, timed out or failed elsewhere), the
    // child it waits on is stopped too, as AWS stops the child of a `.sync` task.
    let mut child = StopChildOnDrop {
        svc: Arc::downgrade(svc),
        arn: Some(arn.clone()),
    };
    let rec = svc
        .execution_end(&arn)
        .await
        .map_err(|e| TaskFailure::new("States.Runtime", e.message))?;
    child.arn = None;
    let described = describe(&rec, resource.ends_with(".sync:2"));
    if rec.status == Status::Succeeded {
        Ok(described)
    } else {
        Err(TaskFailure::new(
            "States.TaskFailed",
            asl_core::dataflow::to_json_text(&described),
        ))
    }
}

/// The StartExecution response as a `.sync` task's `TaskSubmitted` shows it: `ExecutionArn`
/// and `StartDate` (epoch milliseconds) with the v1 Java SDK's `SdkHttpMetadata` and
/// `SdkResponseMetadata`, keys sorted, as recorded on AWS (conformance case
/// `callback.test_callback.TestCallback.test_start_execution_sync`).
fn submitted(arn: &str, start: i64, start_ms: i64) -> Value {
    let now = chrono::DateTime::from_timestamp_millis(start).unwrap_or_default();
    // The length of the JSON body the API answered.
    let len = json!({"executionArn": arn, "startDate": epoch_seconds(start)})
        .to_string()
        .len();
    let mut body = Map::new();
    body.insert("ExecutionArn".into(), json!(arn));
    body.insert("StartDate".into(), json!(start_ms));
    crate::integrations::sdk_metadata::aws_answer(
        body,
        true,
        len,
        now,
        "application/x-amz-json-1.0",
    )
}

fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Stops a child execution still running when the task waiting on it goes away.
struct StopChildOnDrop {
    svc: Weak<Service>,
    arn: Option<String>,
}

impl Drop for StopChildOnDrop {
    fn drop(&mut self) {
        if let (Some(svc), Some(arn)) = (self.svc.upgrade(), self.arn.take())
            && let Some(control) = svc.control(&arn)
        {
            control.stop(
                Some("States.Aborted".into()),
                Some("The parent execution's task was cancelled".into()),
            );
        }
    }
}

/// DescribeExecution as the `.sync` integrations return it (PascalCase; `.sync:2` parses
/// input and output as JSON).
fn describe(r: &ExecutionRec, parsed: bool) -> Value {
    let text = |s: &str| -> Value {
        if parsed {
            serde_json::from_str(s).unwrap_or_else(|_| json!(s))
        } else {
            json!(s)
        }
    };
    let mut m = Map::new();
    m.insert("ExecutionArn".into(), json!(r.arn));
    m.insert("Input".into(), text(&r.input));
    m.insert("InputDetails".into(), json!({"Included": true}));
    m.insert("Name".into(), json!(r.name));
    if let Some(o) = &r.output {
        m.insert("Output".into(), text(o));
        m.insert("OutputDetails".into(), json!({"Included": true}));
    }
    if let Some(e) = &r.error {
        m.insert("Error".into(), json!(e));
    }
    if let Some(c) = &r.cause {
        m.insert("Cause".into(), json!(c));
    }
    m.insert("RedriveCount".into(), json!(r.redrive_count));
    m.insert("StartDate".into(), json!(r.start));
    m.insert(
        "StateMachineArn".into(),
        json!(r.version_arn.clone().unwrap_or_else(|| r.sm_arn.clone())),
    );
    m.insert("Status".into(), json!(r.status.as_str()));
    if let Some(s) = r.stop {
        m.insert("StopDate".into(), json!(s));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::{Map, Value, json};

    use crate::api::dispatch;
    use crate::server::{Server, Storage};
    use crate::service::Settings;

    async fn call(server: &Server, op: &str, body: Value) -> Value {
        let Value::Object(body) = body else {
            panic!("an object")
        };
        dispatch(&server.service, op, &body)
            .await
            .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
    }

    async fn start(dir: &std::path::Path) -> Server {
        let storage = Storage::Dir(dir.to_path_buf());
        Server::start(
            "127.0.0.1:0",
            storage,
            Settings::default(),
            Default::default(),
        )
        .await
        .unwrap()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn status_of(server: &Server, arn: &str) -> Value {
        call(server, "DescribeExecution", json!({"executionArn": arn})).await["status"].clone()
    }

    /// The parent of a `.sync` child and the child both resume after a restart, in whatever
    /// order: the parent's task finds the child running again (or not yet resumed) and
    /// awaits its end.
    #[test]
    fn a_sync_parent_awaits_its_child_across_a_restart() {
        let dir = std::env::temp_dir().join(format!("sfn-local-nested-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let child_def = json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": {"ok": true}, "End": true}}});
        let parent_def = json!({"StartAt": "Run", "States": {
            "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn.$": "$.child", "Name": "the-child"},
                "OutputPath": "$.Output", "End": true}}});
        let role = "arn:aws:iam::123456789012:role/r";
        let (parent_arn, child_arn) = runtime().block_on(async {
            let server = start(&dir).await;
            let mut arns = Map::new();
            for (name, def) in [("child", &child_def), ("parent", &parent_def)] {
                let created = call(
                    &server,
                    "CreateStateMachine",
                    json!({"name": name, "definition": def.to_string(), "roleArn": role}),
                )
                .await;
                arns.insert(name.into(), created["stateMachineArn"].clone());
            }
            let input = json!({"child": arns["child"]}).to_string();
            let started = call(
                &server,
                "StartExecution",
                json!({"stateMachineArn": arns["parent"], "input": input}),
            )
            .await;
            let parent = started["executionArn"].as_str().unwrap().to_string();
            let child = server
                .service
                .settings
                .arns()
                .execution("child", "the-child");
            let deadline = Instant::now() + Duration::from_secs(30);
            while server.service.store.execution(&child).unwrap().is_none() {
                assert!(Instant::now() < deadline, "the child never started");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            server.shutdown().await;
            (parent, child)
        });
        // The first runtime is gone with every task it ran: both executions are stored as
        // running, as after a crash.
        runtime().block_on(async {
            let server = start(&dir).await;
            let end = tokio::time::timeout(
                Duration::from_secs(30),
                server.service.execution_end(&parent_arn),
            )
            .await
            .expect("the parent ends")
            .unwrap();
            assert_eq!(end.output.as_deref(), Some(r#"{"ok":true}"#));
            assert_eq!(status_of(&server, &parent_arn).await, "SUCCEEDED");
            assert_eq!(status_of(&server, &child_arn).await, "SUCCEEDED");
            server.shutdown().await;
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
