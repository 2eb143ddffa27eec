//! One accepted SNS, SQS or EventBridge call: its checks, its record and the response the
//! integration (optimized or AWS SDK) answers with.

use crate::integrations::sdk_metadata::aws_answer;
use asl_interpreter::{TaskFailure, TaskRequest};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::MAX_MESSAGE_BYTES;
use super::digest::{md5_hex, md5_of_attributes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Service {
    Sns,
    Sqs,
    Events,
}

impl Service {
    /// Its error prefixes.
    fn names(self) -> &'static ServiceNames {
        match self {
            Service::Sns => &service_errors::SNS,
            Service::Sqs => &service_errors::SQS,
            Service::Events => &service_errors::EVENTBRIDGE,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Service::Sns => "sns",
            Service::Sqs => "sqs",
            Service::Events => "events",
        }
    }
}

/// Optimized integration or AWS SDK integration: error names and response metadata differ.
pub(super) use asl_interpreter::service_errors::Api;
use asl_interpreter::service_errors::{self, ServiceNames};

pub(super) struct Call {
    pub api: Api,
    pub now: DateTime<Utc>,
}

/// `(record id, target, payload, response)`.
pub(super) type Accepted = (String, String, Value, Value);

impl Call {
    /// A service error: `SNS.InvalidParameterException` (optimized) or
    /// `Sns.InvalidParameterException` (SDK), with the matching cause shape. `v1_class` is the
    /// v1 SDK's exception class (`AmazonSQSException` for a code it does not model, which the
    /// v2 SDK names after the code).
    fn error(&self, service: Service, v1_class: &str, code: &str, message: &str) -> TaskFailure {
        let (prefix, sdk_service) = service.names().for_api(self.api);
        let class = match self.api {
            Api::Sdk if v1_class.starts_with("Amazon") => service_errors::exception_class(code),
            _ => v1_class.to_string(),
        };
        let id = uuid::Uuid::new_v4().to_string();
        TaskFailure::new(
            format!("{prefix}.{class}"),
            service_errors::cause(self.api, sdk_service, code, message, 400, Some(&id)),
        )
    }

    /// The response as the task sees it: sorted keys, plus HTTP metadata for optimized SNS
    /// and SQS calls.
    fn response(&self, body: Map<String, Value>, content_type: &str) -> Value {
        if self.api == Api::Optimized {
            let len = Value::Object(body.clone()).to_string().len();
            return aws_answer(body, false, len, self.now, content_type);
        }
        let mut entries: Vec<(String, Value)> = body.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Object(entries.into_iter().collect())
    }

    /// SNS `Publish` (<https://docs.aws.amazon.com/sns/latest/api/API_Publish.html>).
    pub(super) fn sns_publish(&self, p: &Map<String, Value>) -> Result<Accepted, TaskFailure> {
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
    pub(super) fn sqs_send_message(&self, p: &Map<String, Value>) -> Result<Accepted, TaskFailure> {
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
    pub(super) fn put_events(
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
                .or_else(|| asl_core::arn::state_machine_of_execution(&req.execution_arn))
                .unwrap_or_else(|| req.execution_arn.clone());
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
