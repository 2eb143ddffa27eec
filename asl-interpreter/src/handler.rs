//! Task handlers: what a Task state's `Resource` does, supplied by the embedder.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use asl_core::StatesError;

use crate::clock::Clock;
use crate::history::{EventDetails, EventType};

/// A failed task: an error name and a cause, as a Lambda or service error would carry.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFailure {
    /// The error name matched by `Retry`/`Catch` (`None` shows as `null`).
    pub error: Option<String>,
    /// The cause text.
    pub cause: Option<String>,
}

impl TaskFailure {
    /// A failure with both fields.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        TaskFailure {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }

    /// The error name `Retry` and `Catch` match (`""` for none).
    pub fn error_name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }

    /// `{"Error": ..., "Cause": ...}`: what a Catch passes on, and a tolerated Map item's
    /// result.
    pub(crate) fn error_output(&self) -> Value {
        serde_json::json!({"Error": self.error, "Cause": self.cause})
    }

    /// `{"error": ..., "cause": ...}` (the members it has) for an event of type `ty`.
    pub(crate) fn details(&self, ty: EventType) -> Option<EventDetails> {
        EventDetails::error_cause(ty, self.error.as_deref(), self.cause.as_deref())
    }
}

/// A data-flow error leaves the state as a failure with the same name and cause.
impl From<StatesError> for TaskFailure {
    fn from(e: StatesError) -> Self {
        TaskFailure::new(e.error, e.cause)
    }
}

/// Everything a handler gets for one invocation.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The `Resource` ARN as written.
    pub resource: String,
    /// The resolved parameters (`Parameters`/`Arguments`, or the effective input).
    pub parameters: Value,
    /// The context object (`$$`) of this invocation.
    pub context: Value,
    /// The task token, for `.waitForTaskToken` resources.
    pub task_token: Option<String>,
    /// The state's name.
    pub state_name: String,
    /// 0 for the first attempt, then 1, 2, ... for retries.
    pub attempt: u32,
    /// The execution ARN.
    pub execution_arn: String,
    /// The mock test case, if the execution was started with one.
    pub test_case: Option<String>,
    /// Invocation number of this state within the execution (0-based, retries included).
    pub invocation: u64,
    /// The execution's clock, for handlers that simulate slow work (see [`TaskRequest::sleep`]).
    pub clock: Arc<dyn Clock>,
    /// For function handlers: the function's name or ARN as the state gave it.
    pub function_name: Option<String>,
    /// For `.sync` resources: where to report that the job was submitted (see
    /// [`TaskRequest::report_submitted`]).
    pub submitted: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
}

impl TaskRequest {
    /// For `.sync` resources: the job was submitted (e.g. ECS accepted the RunTask) and this is
    /// the service's answer; the history records `TaskSubmitted` with it while the handler
    /// goes on waiting for the job to finish. Ignored for other resources.
    pub fn report_submitted(&self, response: Value) {
        if let Some(tx) = &self.submitted {
            let _ = tx.send(response);
        }
    }

    /// Sleeps in the execution's time. On a virtual clock this lets time advance (a simulated
    /// slow call can hit the state's `TimeoutSeconds` without any real waiting).
    pub fn sleep(&self, d: std::time::Duration) -> crate::clock::Sleep {
        self.clock.idle_sleep(d)
    }
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The future a handler returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Value, TaskFailure>> + Send>>;

/// Runs a Task's resource.
pub trait TaskHandler: Send + Sync + 'static {
    /// Invokes the resource. For `.waitForTaskToken` resources, the returned value is the
    /// submission result; the state then waits for the token's callback.
    fn call(&self, request: TaskRequest) -> HandlerFuture;
}

impl<F, Fut> TaskHandler for F
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, TaskFailure>> + Send + 'static,
{
    fn call(&self, request: TaskRequest) -> HandlerFuture {
        Box::pin(self(request))
    }
}

/// A parameter the engine adds to an `ItemReader`'s `s3:getObject` call when it needs the
/// object's bytes (a `PARQUET` file): a handler that sees it answers `Body` in base64, with
/// `"BodyEncoding": "base64"`, and does not pass the parameter on.
pub const BINARY_BODY_PARAMETER: &str = "sfn-local:BodyEncoding";

/// Handlers by resource: exact ARN, optimized integration + function name, or prefix pattern.
#[derive(Clone, Default)]
pub struct Handlers {
    exact: HashMap<String, Arc<dyn TaskHandler>>,
    functions: HashMap<String, Arc<dyn TaskHandler>>,
    any_function: Option<Arc<dyn TaskHandler>>,
    prefixes: Vec<(String, Arc<dyn TaskHandler>)>,
}

impl Handlers {
    /// No handlers.
    pub fn new() -> Self {
        Self::default()
    }

    /// A handler for exactly this `Resource` (e.g. a Lambda function ARN or
    /// `arn:aws:states:::ecs:runTask.sync`).
    pub fn resource(mut self, arn: impl Into<String>, h: impl TaskHandler) -> Self {
        self.exact.insert(arn.into(), Arc::new(h));
        self
    }

    /// A handler for a Lambda function, whether called by its ARN or through
    /// `arn:aws:states:::lambda:invoke` with `FunctionName` (name or ARN).
    ///
    /// The handler is the function: it gets the event (`Payload` for `lambda:invoke`, the
    /// parameters for a function ARN) and returns its result. For `lambda:invoke` the result is
    /// wrapped in the service response AWS gives (`Payload`, `StatusCode`, `ExecutedVersion`,
    /// `SdkHttpMetadata`, `SdkResponseMetadata`).
    pub fn function(mut self, name: impl Into<String>, h: impl TaskHandler) -> Self {
        self.functions
            .insert(name.into(), Arc::new(LambdaFunction(Arc::new(h))));
        self
    }

    /// The function handler for every Lambda function without a handler of its own (a
    /// forwarder to a Lambda endpoint, say); [`TaskRequest::function_name`] says which.
    pub fn any_function(mut self, h: impl TaskHandler) -> Self {
        self.any_function = Some(Arc::new(LambdaFunction(Arc::new(h))));
        self
    }

    /// A handler for every resource starting with `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>, h: impl TaskHandler) -> Self {
        self.prefixes.push((prefix.into(), Arc::new(h)));
        self
    }

    /// The handler for a request, if any.
    pub fn find(&self, resource: &str, parameters: &Value) -> Option<Arc<dyn TaskHandler>> {
        if let Some(h) = self.exact.get(resource) {
            return Some(h.clone());
        }
        if !self.functions.is_empty()
            && let Some(name) = function_of(resource, parameters)
            && let Some(h) = self
                .functions
                .get(name)
                .or_else(|| self.functions.get(function_short_name(name)))
        {
            return Some(h.clone());
        }
        let is_function =
            resource.starts_with(LAMBDA_INVOKE) || asl_core::resource::is_lambda_function(resource);
        if is_function && let Some(h) = &self.any_function {
            return Some(h.clone());
        }
        self.prefixes
            .iter()
            .filter(|(p, _)| resource.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, h)| h.clone())
    }
}

/// The `lambda:invoke` integration (with or without a pattern), as the engine routes it.
const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// The function a request calls: `FunctionName` of a `lambda:invoke` task, or the resource
/// itself when it is a function's ARN; `None` for any other resource.
pub(crate) fn function_of<'a>(resource: &'a str, parameters: &'a Value) -> Option<&'a str> {
    if resource.starts_with(LAMBDA_INVOKE) {
        parameters.get("FunctionName").and_then(Value::as_str)
    } else if resource.contains(":function:") {
        Some(resource)
    } else {
        None
    }
}

/// A function handler seen through the `lambda:invoke` integration.
struct LambdaFunction(Arc<dyn TaskHandler>);

impl TaskHandler for LambdaFunction {
    fn call(&self, mut req: TaskRequest) -> HandlerFuture {
        if !req.resource.starts_with(LAMBDA_INVOKE) {
            req.function_name = Some(req.resource.clone());
            return self.0.call(req);
        }
        req.function_name = req
            .parameters
            .get("FunctionName")
            .and_then(Value::as_str)
            .map(str::to_string);
        req.parameters = match req.parameters.get("Payload") {
            // A JSON text payload is the event itself.
            Some(Value::String(text)) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
            }
            Some(v) => v.clone(),
            None => Value::Object(Default::default()),
        };
        let inner = self.0.call(req);
        Box::pin(async move {
            let payload = inner.await?;
            Ok(lambda_invoke_response(payload))
        })
    }
}

/// The `lambda:invoke` service response around a function's result, shaped as AWS returns it.
pub fn lambda_invoke_response(payload: Value) -> Value {
    let length = serde_json::to_string(&payload)
        .map_or(0, |t| t.len())
        .to_string();
    let request_id = uuid::Uuid::new_v4().to_string();
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    serde_json::json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/json"]
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id
            },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200
    })
}

/// `arn:aws:lambda:r:a:function:name[:qualifier]` -> `name`.
pub fn function_short_name(name_or_arn: &str) -> &str {
    match name_or_arn.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => name_or_arn,
    }
}
