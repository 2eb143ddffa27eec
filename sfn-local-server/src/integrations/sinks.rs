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

use std::sync::{Arc, Mutex};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

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

    /// Adds records loaded from storage, without calling the hook.
    pub fn restore(&self, records: impl IntoIterator<Item = Record>) {
        self.lock().extend(records);
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

    fn store(&self, record: Record) {
        self.lock().push(record.clone());
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Sns,
    Sqs,
    Events,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Sns => "sns",
            Service::Sqs => "sqs",
            Service::Events => "events",
        }
    }
}

/// Optimized integration or AWS SDK integration: error names and response metadata differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Optimized,
    Sdk,
}

struct Call {
    api: Api,
    now: DateTime<Utc>,
}

/// `(record id, target, payload, response)`.
type Accepted = (String, String, Value, Value);

impl Call {
    /// A service error: `SNS.InvalidParameterException` (optimized) or
    /// `Sns.InvalidParameterException` (SDK), with the matching cause shape.
    fn error(&self, service: Service, class: &str, code: &str, message: &str) -> TaskFailure {
        match self.api {
            Api::Optimized => {
                let (prefix, sdk_service) = match service {
                    Service::Sns => ("SNS", "AmazonSNS"),
                    Service::Sqs => ("SQS", "AmazonSQS"),
                    Service::Events => ("EventBridge", "AmazonEventBridge"),
                };
                TaskFailure::new(
                    format!("{prefix}.{class}"),
                    format!(
                        "{message} (Service: {sdk_service}; Status Code: 400; Error Code: {code}; Request ID: {}; Proxy: null)",
                        uuid::Uuid::new_v4()
                    ),
                )
            }
            Api::Sdk => {
                let (prefix, sdk_service) = match service {
                    Service::Sns => ("Sns", "Sns"),
                    Service::Sqs => ("Sqs", "Sqs"),
                    Service::Events => ("EventBridge", "EventBridge"),
                };
                let class = if class.starts_with("Amazon") {
                    format!("{code}Exception")
                } else {
                    class.to_string()
                };
                TaskFailure::new(
                    format!("{prefix}.{class}"),
                    format!(
                        "{message} (Service: {sdk_service}, Status Code: 400, Request ID: {})",
                        uuid::Uuid::new_v4()
                    ),
                )
            }
        }
    }

    /// The response as the task sees it: sorted keys, plus HTTP metadata for optimized SNS
    /// and SQS calls.
    fn response(&self, mut body: Map<String, Value>, content_type: &str) -> Value {
        if self.api == Api::Optimized {
            let len = Value::Object(body.clone()).to_string().len();
            let id = uuid::Uuid::new_v4().to_string();
            let date = self.now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            body.insert(
                "SdkHttpMetadata".into(),
                json!({
                    "AllHttpHeaders": {
                        "x-amzn-RequestId": [id], "Content-Length": [len.to_string()],
                        "Date": [date], "Content-Type": [content_type]
                    },
                    "HttpHeaders": {
                        "Content-Length": len.to_string(), "Content-Type": content_type,
                        "Date": date, "x-amzn-RequestId": id
                    },
                    "HttpStatusCode": 200
                }),
            );
            body.insert("SdkResponseMetadata".into(), json!({"RequestId": id}));
        }
        let mut entries: Vec<(String, Value)> = body.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Object(entries.into_iter().collect())
    }

    /// SNS `Publish` (<https://docs.aws.amazon.com/sns/latest/api/API_Publish.html>).
    fn sns_publish(&self, p: &Map<String, Value>) -> Result<Accepted, TaskFailure> {
        let invalid = |what: &str| {
            self.error(
                Service::Sns,
                "InvalidParameterException",
                "InvalidParameter",
                &format!("Invalid parameter: {what}"),
            )
        };
        let target = ["TopicArn", "TargetArn", "PhoneNumber"]
            .iter()
            .find_map(|k| p.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
            .ok_or_else(|| {
                invalid("TopicArn or TargetArn Reason: no value for required parameter")
            })?;
        // Step Functions turns a JSON `Message` into its text. A missing Message is the
        // service's InvalidParameter here (exact class for that case not documented).
        let message = match p.get("Message") {
            None | Some(Value::Null) => return Err(invalid("Message")),
            Some(v) => text_of(v),
        };
        if message.is_empty() {
            return Err(invalid("Empty message"));
        }
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(invalid("Message too long"));
        }
        if p.get("MessageStructure").and_then(Value::as_str) == Some("json") {
            let parsed: Option<Map<String, Value>> = serde_json::from_str(&message).ok();
            match parsed {
                None => {
                    return Err(invalid(
                        "Message Structure - JSON message body failed to parse",
                    ));
                }
                Some(m) if !m.contains_key("default") => {
                    return Err(invalid(
                        "Message Structure - No default entry in JSON message body",
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(subject) = p.get("Subject") {
            // At most 100 printable ASCII characters, no line breaks, not empty.
            let ok = subject.as_str().is_some_and(|s| {
                !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| (0x20..0x7f).contains(&b))
            });
            if !ok {
                return Err(invalid("Subject"));
            }
        }
        let fifo = target.ends_with(".fifo");
        let group = p.get("MessageGroupId").and_then(Value::as_str);
        if fifo && group.is_none() {
            return Err(invalid(
                "The MessageGroupId parameter is required for FIFO topics",
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut body = Map::new();
        body.insert("MessageId".into(), json!(id));
        if fifo {
            body.insert("SequenceNumber".into(), json!(sequence_number(self.now)));
        }
        let response = self.response(body, "text/xml");
        Ok((id, target.to_string(), Value::Object(p.clone()), response))
    }

    /// SQS `SendMessage` (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html>).
    fn sqs_send_message(&self, p: &Map<String, Value>) -> Result<Accepted, TaskFailure> {
        // MissingParameter and InvalidParameterValue are service error codes the v1 SDK does
        // not model: AmazonSQSException (optimized), SqsException-style names (SDK).
        let missing = |name: &str| {
            self.error(
                Service::Sqs,
                "AmazonSQSException",
                "MissingParameter",
                &format!("The request must contain the parameter {name}."),
            )
        };
        let invalid_value = |message: String| {
            self.error(
                Service::Sqs,
                "AmazonSQSException",
                "InvalidParameterValue",
                &message,
            )
        };
        let queue = p
            .get("QueueUrl")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("QueueUrl"))?;
        let body = match p.get("MessageBody") {
            None | Some(Value::Null) => return Err(missing("MessageBody")),
            Some(v) => text_of(v),
        };
        if body.is_empty() {
            return Err(missing("MessageBody"));
        }
        if body.len() > MAX_MESSAGE_BYTES {
            return Err(invalid_value(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {MAX_MESSAGE_BYTES} bytes."
            )));
        }
        if let Some(bad) = body.chars().find(|c| !sqs_allowed(*c)) {
            return Err(self.error(
                Service::Sqs,
                "InvalidMessageContentsException",
                "InvalidMessageContents",
                &format!(
                    "Invalid binary character '#x{:X}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                    u32::from(bad)
                ),
            ));
        }
        if let Some(d) = p.get("DelaySeconds")
            && d.as_u64().is_none_or(|d| d > 900)
        {
            return Err(invalid_value(format!(
                "Value {d} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided."
            )));
        }
        let fifo = queue.ends_with(".fifo");
        if fifo && p.get("MessageGroupId").and_then(Value::as_str).is_none() {
            return Err(missing("MessageGroupId"));
        }
        let mut out = Map::new();
        if let Some(attrs) = p.get("MessageAttributes") {
            let digest = md5_of_attributes(attrs).map_err(invalid_value)?;
            if let Some(d) = digest {
                out.insert("MD5OfMessageAttributes".into(), json!(d));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        out.insert("MD5OfMessageBody".into(), json!(md5_hex(body.as_bytes())));
        out.insert("MessageId".into(), json!(id));
        if fifo {
            out.insert("SequenceNumber".into(), json!(sequence_number(self.now)));
        }
        let response = self.response(out, "text/xml");
        Ok((id, queue.to_string(), Value::Object(p.clone()), response))
    }

    /// EventBridge `PutEvents` (<https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html>).
    fn put_events(
        &self,
        p: &Map<String, Value>,
        req: &TaskRequest,
    ) -> Result<Accepted, TaskFailure> {
        // A malformed request as a whole is the API's ValidationException (not modeled by the
        // v1 SDK, hence AmazonEventBridgeException for the optimized integration).
        let validation = |message: &str| {
            self.error(
                Service::Events,
                "AmazonEventBridgeException",
                "ValidationException",
                message,
            )
        };
        let entries = match p.get("Entries") {
            Some(Value::Array(a)) if !a.is_empty() && a.len() <= 10 => a,
            Some(Value::Array(a)) if a.len() > 10 => {
                return Err(validation(
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
                ));
            }
            _ => {
                return Err(validation(
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
                ));
            }
        };
        let appended: Vec<Value> = if self.api == Api::Optimized {
            let sm = req
                .context
                .pointer("/StateMachine/Id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| state_machine_arn(&req.execution_arn));
            vec![json!(req.execution_arn), json!(sm)]
        } else {
            Vec::new()
        };
        let mut payload_entries = Vec::new();
        let mut results = Vec::new();
        let mut failed = 0;
        let mut buses: Vec<String> = Vec::new();
        for e in entries {
            let mut entry = e.as_object().cloned().unwrap_or_default();
            if !appended.is_empty() {
                let mut resources = match entry.get("Resources") {
                    Some(Value::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                resources.extend(appended.iter().cloned());
                entry.insert("Resources".into(), Value::Array(resources));
            }
            let bus = entry
                .get("EventBusName")
                .and_then(Value::as_str)
                .map(|b| b.rsplit('/').next().unwrap_or(b))
                .unwrap_or("default")
                .to_string();
            match check_entry(&entry) {
                Ok(()) => {
                    results.push(json!({"EventId": uuid::Uuid::new_v4().to_string()}));
                    if !buses.contains(&bus) {
                        buses.push(bus);
                    }
                }
                Err((code, message)) => {
                    failed += 1;
                    results.push(json!({"ErrorCode": code, "ErrorMessage": message}));
                }
            }
            payload_entries.push(Value::Object(entry));
        }
        let mut payload = p.clone();
        payload.insert("Entries".into(), Value::Array(payload_entries));
        // No HTTP metadata: the optimized EventBridge integration is documented to return
        // the PutEvents response (Entries, FailedEntryCount).
        let mut body = Map::new();
        body.insert("Entries".into(), Value::Array(results));
        body.insert("FailedEntryCount".into(), json!(failed));
        let id = uuid::Uuid::new_v4().to_string();
        let target = if buses.is_empty() {
            "default".to_string()
        } else {
            buses.join(",")
        };
        Ok((id, target, Value::Object(payload), Value::Object(body)))
    }
}

/// An entry PutEvents would reject: `(ErrorCode, ErrorMessage)`.
fn check_entry(entry: &Map<String, Value>) -> Result<(), (&'static str, String)> {
    for field in ["Source", "DetailType", "Detail"] {
        if entry
            .get(field)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
        {
            return Err((
                "InvalidArgument",
                format!("Parameter {field} is not valid. Reason: {field} is a required argument."),
            ));
        }
    }
    // Detail is a JSON object, given as one or as its text.
    let detail_ok = match &entry["Detail"] {
        Value::Object(_) => true,
        Value::String(s) => serde_json::from_str::<Map<String, Value>>(s).is_ok(),
        _ => false,
    };
    if !detail_ok {
        return Err(("MalformedDetail", "Detail is malformed.".to_string()));
    }
    Ok(())
}

/// `arn:aws:states:r:a:execution:sm:name` -> `arn:aws:states:r:a:stateMachine:sm`.
fn state_machine_arn(execution_arn: &str) -> String {
    let parts: Vec<&str> = execution_arn.split(':').collect();
    match parts.as_slice() {
        [a, b, c, r, acct, _, sm, ..] => format!("{a}:{b}:{c}:{r}:{acct}:stateMachine:{sm}"),
        _ => execution_arn.to_string(),
    }
}

/// A string as is, anything else as its JSON text (as Step Functions serializes a JSON
/// `Message`/`MessageBody`).
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Characters SQS accepts in a message body.
fn sqs_allowed(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// A 20-digit FIFO sequence number, increasing with time.
fn sequence_number(now: DateTime<Utc>) -> String {
    let micros = now.timestamp_micros().max(0);
    format!("{:020}", micros)
}

/// The MD5 of `bytes` in lowercase hex (SQS's MD5OfMessageBody, S3's ETag).
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SQS's MD5 of message attributes: for each attribute by name, the length-prefixed name,
/// data type, a transport byte (1 string, 2 binary) and the length-prefixed value
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html>).
/// `Ok(None)` for no attributes.
fn md5_of_attributes(attrs: &Value) -> Result<Option<String>, String> {
    let Some(attrs) = attrs.as_object() else {
        return Err("MessageAttributes must be an object".into());
    };
    if attrs.is_empty() {
        return Ok(None);
    }
    let mut names: Vec<&String> = attrs.keys().collect();
    names.sort();
    let put = |buf: &mut Vec<u8>, bytes: &[u8]| {
        buf.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        buf.extend_from_slice(bytes);
    };
    let mut buf = Vec::new();
    for name in names {
        let a = &attrs[name];
        let data_type = a
            .get("DataType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (transport, value) = if data_type.starts_with("String")
            || data_type.starts_with("Number")
        {
            let v = a
                .get("StringValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (1u8, v.as_bytes().to_vec())
        } else if data_type.starts_with("Binary") {
            let v = a
                .get("BinaryValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (
                2u8,
                base64_decode(v).unwrap_or_else(|| v.as_bytes().to_vec()),
            )
        } else {
            return Err(format!(
                "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
            ));
        };
        if value.is_empty() {
            return Err(format!(
                "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
            ));
        }
        put(&mut buf, name.as_bytes());
        put(&mut buf, data_type.as_bytes());
        buf.push(transport);
        put(&mut buf, &value);
    }
    Ok(Some(md5_hex(&buf)))
}

/// A `BinaryValue` blob as the service decodes it (Java's basic decoder): standard alphabet,
/// padding optional, unused bits of the last character ignored; `None` when malformed (a
/// character outside the alphabet, text after the padding, a length no encoding has).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const BLOB: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    BLOB.decode(s).ok()
}

#[cfg(test)]
mod tests;
