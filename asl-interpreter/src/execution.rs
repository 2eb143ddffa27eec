//! One execution as an embedder sees it: its options ([`ExecutionConfig`], [`Limits`]), its
//! status and its [`Outcome`].

use asl_core::json_text;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::history::HistoryEvent;

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Still running.
    Running,
    /// Completed.
    Succeeded,
    /// A state failed with no Catch.
    Failed,
    /// The execution's `TimeoutSeconds` elapsed.
    TimedOut,
    /// Stopped (`StopExecution`).
    Aborted,
}

impl Status {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// `STANDARD` or `EXPRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionType {
    /// Standard workflow: full history.
    #[default]
    Standard,
    /// Express workflow.
    Express,
}

/// Limits AWS enforces, configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum history events per execution (AWS: 25,000).
    pub max_history_events: usize,
    /// Maximum size of a state's input or output in bytes (AWS: 256 KiB).
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_history_events: asl_core::limits::MAX_HISTORY_EVENTS,
            max_payload_bytes: asl_core::limits::MAX_PAYLOAD_BYTES,
        }
    }
}

/// Identity and options of one execution.
#[derive(Debug, Clone)]
pub struct ExecutionConfig {
    /// The execution's name (default: a UUID).
    pub name: String,
    /// The state machine's name.
    pub state_machine_name: String,
    /// The execution role.
    pub role_arn: String,
    /// Standard or Express.
    pub execution_type: ExecutionType,
    /// The mock test case to answer Task states from.
    pub test_case: Option<String>,
    /// The input exactly as given (AWS keeps the text).
    pub input_text: String,
    /// The value of `input_text`, when the caller has parsed it already (to check it): the
    /// engine then does not parse the text again. `None`: parsed from `input_text`.
    pub input: Option<Value>,
    /// Region for ARNs.
    pub region: String,
    /// Account for ARNs.
    pub account: String,
    /// The execution ARN to use instead of deriving one (a server that must answer with the
    /// ARN before the execution runs).
    pub arn: Option<String>,
    /// A context object to use for `$$` instead of the one the execution builds: TestState's
    /// `context` member, which AWS uses as given (an empty object gives `$$` = `{}`).
    pub context: Option<Map<String, Value>>,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        ExecutionConfig {
            name: uuid::Uuid::new_v4().to_string(),
            state_machine_name: "StateMachine".into(),
            role_arn: "arn:aws:iam::123456789012:role/sfn-local".into(),
            execution_type: ExecutionType::Standard,
            test_case: None,
            input_text: "{}".into(),
            input: None,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            arn: None,
            context: None,
        }
    }
}

impl ExecutionConfig {
    /// The partition, region and account its ARNs are made in (the partition is the
    /// region's: `cn-north-1` is in `aws-cn`).
    pub fn scope(&self) -> asl_core::arn::Scope {
        asl_core::arn::Scope::in_region(self.region.as_str(), self.account.as_str())
    }

    /// The state machine ARN.
    pub fn state_machine_arn(&self) -> String {
        self.scope().state_machine(&self.state_machine_name)
    }

    /// The execution ARN.
    pub fn execution_arn(&self) -> String {
        if let Some(arn) = &self.arn {
            return arn.clone();
        }
        let scope = self.scope();
        match self.execution_type {
            ExecutionType::Standard => scope.execution(&self.state_machine_name, &self.name),
            ExecutionType::Express => scope.express_execution(
                &self.state_machine_name,
                &self.name,
                &uuid::Uuid::new_v4().to_string(),
            ),
        }
    }
}

/// The result of an execution: DescribeExecution's fields plus the history.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Final status.
    pub status: Status,
    /// The execution ARN.
    pub execution_arn: String,
    /// The state machine ARN.
    pub state_machine_arn: String,
    /// The execution name.
    pub name: String,
    /// The input text.
    pub input: String,
    /// The output as JSON text (SUCCEEDED only).
    pub output: Option<String>,
    /// The error name (FAILED/TIMED_OUT/ABORTED).
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// Start time.
    pub start_date: DateTime<Utc>,
    /// Stop time.
    pub stop_date: DateTime<Utc>,
    /// The whole history.
    pub history: Vec<HistoryEvent>,
}

impl Outcome {
    /// DescribeExecution's JSON plus `events`, as `sfn-local run` prints it.
    pub fn to_json(&self, with_events: bool) -> Value {
        let mut m = Map::new();
        m.insert("executionArn".into(), json!(self.execution_arn));
        m.insert("stateMachineArn".into(), json!(self.state_machine_arn));
        m.insert("name".into(), json!(self.name));
        m.insert("status".into(), json!(self.status.as_str()));
        m.insert("startDate".into(), json!(epoch(self.start_date)));
        m.insert("stopDate".into(), json!(epoch(self.stop_date)));
        m.insert("input".into(), json!(self.input));
        m.insert("inputDetails".into(), json!({"included": true}));
        if let Some(o) = &self.output {
            m.insert("output".into(), json!(o));
            m.insert("outputDetails".into(), json!({"included": true}));
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), json!(e));
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), json!(c));
        }
        if with_events {
            m.insert(
                "events".into(),
                Value::Array(self.history.iter().map(HistoryEvent::to_json).collect()),
            );
        }
        Value::Object(m)
    }

    /// Writes [`Outcome::to_json`]'s JSON to `w` without building the events' JSON first.
    pub fn write_json(&self, with_events: bool, mut w: impl std::io::Write) -> std::io::Result<()> {
        let Value::Object(base) = self.to_json(false) else {
            return Ok(());
        };
        let mut buf = String::with_capacity(64 * 1024);
        json_text::write_value(&mut buf, &Value::Object(base));
        // The object's closing brace comes after the events.
        buf.pop();
        if with_events {
            buf.push_str(",\"events\":[");
            for (i, e) in self.history.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                e.write_json(&mut buf);
                if buf.len() >= 60 * 1024 {
                    w.write_all(buf.as_bytes())?;
                    buf.clear();
                }
            }
            buf.push(']');
        }
        buf.push('}');
        w.write_all(buf.as_bytes())
    }
}

fn epoch(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}
