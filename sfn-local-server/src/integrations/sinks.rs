//! SNS publish, SQS send-message and EventBridge put-events, recorded instead of sent, so that
//! notification and callback workflows (`sqs:sendMessage.waitForTaskToken` plus a worker that
//! calls `SendTaskSuccess`) run offline.
//!
//! Every accepted call becomes a [`Record`] in a [`Recorder`] and is answered with the
//! response Step Functions would give:
//! - optimized integrations (`arn:aws:states:::sns:publish`, `sqs:sendMessage`): the service
//!   response plus `SdkHttpMetadata`/`SdkResponseMetadata`, keys in alphabetical order, as
//!   Step Functions' v1-Java-SDK-based integrations return them;
//!   `events:putEvents`: `Entries` and `FailedEntryCount`, with the execution and state
//!   machine ARNs appended to each entry's `Resources`, and `EventBridge.FailedEntry` when
//!   an entry fails (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html>);
//! - AWS SDK integrations (`arn:aws:states:::aws-sdk:sns:publish`, `aws-sdk:sqs:sendMessage`,
//!   `aws-sdk:eventbridge:putEvents`): the bare API response, and errors named
//!   `<Service>.<Code>Exception` in PascalCase (`Sns.InvalidParameterException`)
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html>).
//!
//! Each resource also accepts `.waitForTaskToken`: the call is recorded and answered the same
//! way; the engine then waits for the token.
//!
//! Errors of optimized integrations carry the v1 Java SDK's exception class under the
//! service's prefix (`SNS.InvalidParameterException`, as seen in real executions) and its
//! message shape (`... (Service: AmazonSNS; Status Code: 400; Error Code: ...)`). Where the
//! exact class AWS raises is not documented (a missing SQS `MessageBody` is the service error
//! `MissingParameter`, which the v1 SDK does not model, hence `SQS.AmazonSQSException`), the
//! name follows that convention and says so beside the check.
//!
//! Here: the resources, the [`Recorder`] and its routing; `call`: each service's checks and
//! response; `digest`: the MD5s SQS answers with (S3's ETag uses the same).

use std::sync::{Arc, Mutex};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `arn:aws:states:::sns:publish`.
pub const SNS_PUBLISH: &str = "arn:aws:states:::sns:publish";
/// `arn:aws:states:::sqs:sendMessage`.
pub const SQS_SEND_MESSAGE: &str = "arn:aws:states:::sqs:sendMessage";
/// `arn:aws:states:::events:putEvents`.
pub const EVENTS_PUT_EVENTS: &str = "arn:aws:states:::events:putEvents";
/// `arn:aws:states:::aws-sdk:sns:publish`.
pub const SDK_SNS_PUBLISH: &str = "arn:aws:states:::aws-sdk:sns:publish";
/// `arn:aws:states:::aws-sdk:sqs:sendMessage`.
pub const SDK_SQS_SEND_MESSAGE: &str = "arn:aws:states:::aws-sdk:sqs:sendMessage";
/// `arn:aws:states:::aws-sdk:eventbridge:putEvents`.
pub const SDK_EVENTBRIDGE_PUT_EVENTS: &str = "arn:aws:states:::aws-sdk:eventbridge:putEvents";

const WAIT_FOR_TOKEN: &str = ".waitForTaskToken";

/// The largest SNS message or SQS body (256 KiB).
const MAX_MESSAGE_BYTES: usize = 262_144;

/// Every resource this module answers: the six above, each also with `.waitForTaskToken`.
pub fn resources() -> Vec<String> {
    [
        SNS_PUBLISH,
        SQS_SEND_MESSAGE,
        EVENTS_PUT_EVENTS,
        SDK_SNS_PUBLISH,
        SDK_SQS_SEND_MESSAGE,
        SDK_EVENTBRIDGE_PUT_EVENTS,
    ]
    .into_iter()
    .flat_map(|r| [r.to_string(), format!("{r}{WAIT_FOR_TOKEN}")])
    .collect()
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The message id (SNS, SQS) or a fresh id (EventBridge, whose events have their own ids
    /// in `response`).
    pub id: String,
    /// `sns`, `sqs` or `events`.
    pub service: String,
    /// Topic/target ARN or phone number, queue URL, or event bus name(s) (comma-separated when
    /// the entries name several).
    pub target: String,
    /// The call's parameters (for EventBridge's optimized integration, with the ARNs it
    /// appends to `Resources`).
    pub payload: Value,
    /// What the task received.
    pub response: Value,
    /// When the call was made, on the execution's clock.
    pub time: DateTime<Utc>,
    /// The calling execution.
    pub execution_arn: String,
    /// The calling state.
    pub state_name: String,
    /// The resource as written in the state machine.
    pub resource: String,
}

/// A hook called after each record is stored (the server persists records with it).
pub type OnRecord = Arc<dyn Fn(&Record) + Send + Sync>;

/// The recorded calls, and the [`TaskHandler`] that records them.
#[derive(Clone, Default)]
pub struct Recorder {
    records: Arc<Mutex<Vec<Record>>>,
    on_record: Option<OnRecord>,
    /// Whether records are only handed to the hook, not kept (the server stores them).
    keeps_none: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("records", &self.len())
            .field("on_record", &self.on_record.is_some())
            .finish()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps no record in memory: each only goes to the hook (the server stores them, and
    /// lists them from its store, so that memory does not grow with every message).
    pub fn keeping_none(mut self) -> Self {
        self.keeps_none = true;
        self
    }

    /// Calls `hook` after each new record is stored (outside the recorder's lock).
    pub fn with_on_record(mut self, hook: impl Fn(&Record) + Send + Sync + 'static) -> Self {
        self.on_record = Some(Arc::new(hook));
        self
    }

    /// The records, oldest first, of one service (`sns`, `sqs`, `events`) or of all.
    pub fn list(&self, service: Option<&str>) -> Vec<Record> {
        self.lock()
            .iter()
            .filter(|r| service.is_none_or(|s| r.service == s))
            .cloned()
            .collect()
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every record.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Registers this recorder for every resource in [`resources`].
    pub fn register(&self, handlers: Handlers) -> Handlers {
        resources()
            .into_iter()
            .fold(handlers, |h, r| h.resource(r, self.clone()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Record>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a message that no task sent (an execution's status change that Step Functions
    /// sends to EventBridge itself), as the tasks' messages are recorded: stored, and the hook
    /// called.
    pub fn record(&self, record: Record) {
        self.store(record);
    }

    fn store(&self, record: Record) {
        if !self.keeps_none {
            self.lock().push(record.clone());
        }
        if let Some(hook) = &self.on_record {
            hook(&record);
        }
    }

    /// Answers one call: validates it, records it, and returns the response.
    pub fn handle(&self, req: &TaskRequest) -> Result<Value, TaskFailure> {
        let base = req
            .resource
            .strip_suffix(WAIT_FOR_TOKEN)
            .unwrap_or(&req.resource);
        let (service, api) = match base {
            SNS_PUBLISH => (Service::Sns, Api::Optimized),
            SQS_SEND_MESSAGE => (Service::Sqs, Api::Optimized),
            EVENTS_PUT_EVENTS => (Service::Events, Api::Optimized),
            SDK_SNS_PUBLISH => (Service::Sns, Api::Sdk),
            SDK_SQS_SEND_MESSAGE => (Service::Sqs, Api::Sdk),
            SDK_EVENTBRIDGE_PUT_EVENTS => (Service::Events, Api::Sdk),
            other => {
                return Err(TaskFailure::new(
                    "States.Runtime",
                    format!("The resource '{other}' is not a recorded messaging integration"),
                ));
            }
        };
        let Some(params) = req.parameters.as_object() else {
            return Err(TaskFailure::new(
                "States.Runtime",
                format!(
                    "The Parameters '{}' could not be used to start the Task: [The parameters must be an object]",
                    req.parameters
                ),
            ));
        };
        let now = req.clock.now();
        let call = Call { api, now };
        let (id, target, payload, response) = match service {
            Service::Sns => call.sns_publish(params)?,
            Service::Sqs => call.sqs_send_message(params)?,
            Service::Events => call.put_events(params, req)?,
        };
        self.store(Record {
            id,
            service: service.name().into(),
            target,
            payload,
            response: response.clone(),
            time: now,
            execution_arn: req.execution_arn.clone(),
            state_name: req.state_name.clone(),
            resource: req.resource.clone(),
        });
        if api == Api::Optimized
            && service == Service::Events
            && response["FailedEntryCount"].as_u64().unwrap_or(0) > 0
        {
            return Err(TaskFailure::new(
                "EventBridge.FailedEntry",
                response.to_string(),
            ));
        }
        Ok(response)
    }
}

impl TaskHandler for Recorder {
    fn call(&self, request: TaskRequest) -> HandlerFuture {
        let result = self.handle(&request);
        Box::pin(async move { result })
    }
}

mod call;
mod digest;

use call::{Api, Call, Service};
pub(crate) use digest::md5_hex;

#[cfg(test)]
mod tests;
