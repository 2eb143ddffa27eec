//! Nested executions: `arn:aws:states:::states:startExecution` (and `.sync`, `.sync:2`,
//! `.waitForTaskToken`), started on this server like any other execution.

use std::sync::{Arc, Weak};
use std::time::Duration;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Map, Value, json};

use crate::service::Service;
use crate::store::ExecutionRec;

/// The resource prefix this handler serves.
pub const PREFIX: &str = "arn:aws:states:::states:startExecution";

/// Starts child executions.
pub struct NestedExecutions(pub Weak<Service>);

impl TaskHandler for NestedExecutions {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let svc = self.0.clone();
        Box::pin(async move {
            let svc = svc
                .upgrade()
                .ok_or_else(|| TaskFailure::new("States.Runtime", "sfn-local is stopping"))?;
            start_child(&svc, &req).await
        })
    }
}

fn service_error(e: &crate::api::ApiError) -> TaskFailure {
    TaskFailure::new(
        format!(
            "StepFunctions.{}Exception",
            e.code.trim_end_matches("Exception")
        ),
        format!(
            "{} (Service: Sfn, Status Code: {}, Request ID: {})",
            e.message,
            e.status,
            uuid::Uuid::new_v4()
        ),
    )
}

async fn start_child(svc: &Arc<Service>, req: &TaskRequest) -> Result<Value, TaskFailure> {
    let p = &req.parameters;
    let mut body = Map::new();
    if let Some(a) = p.get("StateMachineArn") {
        body.insert("stateMachineArn".into(), a.clone());
    }
    if let Some(n) = p.get("Name") {
        body.insert("name".into(), n.clone());
    }
    match p.get("Input") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            body.insert("input".into(), json!(s));
        }
        Some(v) => {
            body.insert("input".into(), json!(asl_core::dataflow::to_json_text(v)));
        }
    }
    let started = crate::api::dispatch(svc, "StartExecution", &body)
        .await
        .map_err(|e| service_error(&e))?;
    let arn = started["executionArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let start_ms = started["startDate"]
        .as_f64()
        .map_or(0, |s| (s * 1000.0) as i64);
    let resource = req.resource.as_str();
    let sync = resource.ends_with(".sync") || resource.ends_with(".sync:2");
    if !sync {
        return Ok(json!({"ExecutionArn": arn, "StartDate": start_ms}));
    }
    // If this task is cancelled (the parent stopped, timed out or failed elsewhere), the
    // child it waits on is stopped too, as AWS stops the child of a `.sync` task.
    let mut child = StopChildOnDrop {
        svc: Arc::downgrade(svc),
        arn: Some(arn.clone()),
    };
    let rec = loop {
        match svc.store.execution(&arn) {
            Ok(Some(r)) if r.status != "RUNNING" && svc.running(&arn).is_none() => break r,
            Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            Err(e) => return Err(TaskFailure::new("States.Runtime", e.to_string())),
        }
    };
    child.arn = None;
    let described = describe(&rec, resource.ends_with(".sync:2"));
    if rec.status == "SUCCEEDED" {
        Ok(described)
    } else {
        Err(TaskFailure::new(
            "States.TaskFailed",
            asl_core::dataflow::to_json_text(&described),
        ))
    }
}

/// Stops a child execution still running when the task waiting on it goes away.
struct StopChildOnDrop {
    svc: Weak<Service>,
    arn: Option<String>,
}

impl Drop for StopChildOnDrop {
    fn drop(&mut self) {
        if let (Some(svc), Some(arn)) = (self.svc.upgrade(), self.arn.take())
            && let Some(control) = svc.running(&arn)
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
    m.insert("Status".into(), json!(r.status));
    if let Some(s) = r.stop {
        m.insert("StopDate".into(), json!(s));
    }
    Value::Object(m)
}
