//! Execution logs as Step Functions writes them to CloudWatch Logs: a state machine's
//! `loggingConfiguration` decides, when an execution starts (or is redriven, or resumes after
//! a restart), which of its history events are logged, where, and with what.
//!
//! **Level** (AWS's "Log levels" table): `ALL` logs every event; `ERROR` the failures:
//! every event whose type ends in `Failed`, `TimedOut` or `Aborted` (the table lists 19 of
//! them, from `ExecutionFailed` to `WaitStateAborted`; later types such as `MapRunFailed`
//! follow the same rule) and `FailStateEntered`; `FATAL` only the execution's own end,
//! `ExecutionFailed`, `ExecutionTimedOut` and `ExecutionAborted`; `OFF` nothing.
//!
//! **Record** (the message of each log event, as AWS writes it, compact JSON in this order):
//! `id`, `type`, `details` (the event's `*EventDetails` object as GetExecutionHistory gives
//! it, `{}` for an event without one), `previous_event_id`, `event_timestamp` (epoch ms), `execution_arn`,
//! `redrive_count`, every number as a string. The log event's own timestamp is the event's.
//! Ids and previous ids are the history's: a filtered level leaves gaps.
//!
//! **`includeExecutionData: false`** removes the members that carry the execution's data
//! from `details` (`input`, `output`, `parameters`, `assignedVariables` and their `*Details`);
//! `name`, `roleArn`, `error`, `cause` and the others stay. With it, an input or output
//! longer than 248 KB is cut to that size and its `truncated` flag set (AWS: "If escaped
//! input or escaped output sent to CloudWatch Logs exceeds 248KB, it will be truncated").
//!
//! **Where**: the log group named by the only destination's `logGroupArn`
//! (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`), made when missing; the stream
//! `states/STATE_MACHINE/YYYY-MM-DD-HH-MM/XXXXXXXX` (the minute the execution started and 8
//! hex digits), one per execution run here (AWS shares streams between executions; readers
//! filter by `execution_arn`). Standard and Express executions alike; the child executions
//! of a Distributed Map run are not logged.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use asl_interpreter::{EventType, HistoryEvent};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::store::{LogEventRec, Store, WriteOp, Writer};

/// What AWS cuts logged inputs and outputs to.
pub const MAX_LOGGED_DATA: usize = 248 * 1024;

/// Members of an event's details that carry execution data.
const DATA_MEMBERS: &[&str] = &[
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "parameters",
    "assignedVariables",
    "assignedVariablesDetails",
];

/// The stream AWS makes in a log group when logging to it is configured, with its one message.
pub const VALIDATION_STREAM: &str =
    "log_stream_created_by_aws_to_validate_log_delivery_subscriptions";
/// The message in [`VALIDATION_STREAM`].
pub const VALIDATION_MESSAGE: &str = "Permissions are set correctly to allow AWS CloudWatch Logs to write into your logs while creating a subscription.";

/// `loggingConfiguration.level`, when it logs anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Every event.
    All,
    /// Failures.
    Error,
    /// The execution's failed end.
    Fatal,
}

impl Level {
    /// Whether an event of type `ty` is logged at this level.
    pub fn logs(self, ty: EventType) -> bool {
        match self {
            Level::All => true,
            Level::Error => ty.is_failure() || ty == EventType::FailStateEntered,
            Level::Fatal => matches!(
                ty,
                EventType::ExecutionFailed
                    | EventType::ExecutionTimedOut
                    | EventType::ExecutionAborted
            ),
        }
    }
}

/// Where and how one state machine logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// The level (never `OFF`: that is no config).
    pub level: Level,
    /// `includeExecutionData`.
    pub include_data: bool,
    /// The log group's name.
    pub group: String,
}

impl LogConfig {
    /// The config of a stored `loggingConfiguration` (`None` when it logs nothing).
    pub fn of(logging: &Value) -> Option<LogConfig> {
        let level = match logging.get("level").and_then(Value::as_str)? {
            "ALL" => Level::All,
            "ERROR" => Level::Error,
            "FATAL" => Level::Fatal,
            _ => return None,
        };
        let arn = logging
            .get("destinations")?
            .get(0)?
            .get("cloudWatchLogsLogGroup")?
            .get("logGroupArn")?
            .as_str()?;
        Some(LogConfig {
            level,
            include_data: logging
                .get("includeExecutionData")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            group: log_group_name(arn)?.to_string(),
        })
    }
}

/// The name in a log group's ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME` with or
/// without `:*`).
pub fn log_group_name(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":log-group:")?;
    if !head.starts_with("arn:") || head.split(':').nth(2) != Some("logs") {
        return None;
    }
    let name = name.strip_suffix(":*").unwrap_or(name);
    (!name.is_empty() && !name.contains(':')).then_some(name)
}

/// The stream an execution that started at `start` logs to.
pub fn stream_name(state_machine: &str, start: DateTime<Utc>) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "states/{state_machine}/{}/{}",
        start.format("%Y-%m-%d-%H-%M"),
        &id[..8]
    )
}

/// What AWS does when a state machine's logging to a group is configured: in the group, a
/// stream [`VALIDATION_STREAM`] with its one message. Here the group is made too when it
/// does not exist (AWS requires it to exist; here nothing else would make it).
pub fn prepare_group(store: &Store, logging: &Value, now: i64) -> crate::store::Result<()> {
    let Some(config) = LogConfig::of(logging) else {
        return Ok(());
    };
    if store
        .log_stream(&config.group, VALIDATION_STREAM)?
        .is_none()
    {
        store.put_log_events(
            &[LogEventRec {
                group: config.group,
                stream: VALIDATION_STREAM.into(),
                time: now,
                message: VALIDATION_MESSAGE.into(),
            }],
            now,
        )?;
    }
    Ok(())
}

/// One execution's logging, while it runs.
#[derive(Debug, Clone)]
pub struct LogTarget {
    /// Where and how.
    pub config: LogConfig,
    /// Its stream.
    pub stream: String,
    /// Its redrive count, in every record.
    pub redrive_count: u32,
}

impl LogTarget {
    /// The record of `ev`, an event of `execution_arn` (whatever the level).
    pub fn record(&self, execution_arn: &str, ev: &HistoryEvent) -> String {
        let details = match &ev.details {
            None => "{}".to_string(),
            Some(d) if self.config.include_data && d.json().len() <= MAX_LOGGED_DATA => {
                d.json().to_string()
            }
            Some(d) => {
                let mut m = match d.value() {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                if self.config.include_data {
                    truncate_data(&mut m);
                } else {
                    for k in DATA_MEMBERS {
                        m.remove(*k);
                    }
                }
                Value::Object(m).to_string()
            }
        };
        let mut out = String::with_capacity(details.len() + execution_arn.len() + 128);
        out.push_str("{\"id\":\"");
        out.push_str(&ev.id.to_string());
        out.push_str("\",\"type\":\"");
        out.push_str(ev.event_type.as_str());
        out.push_str("\",\"details\":");
        out.push_str(&details);
        out.push_str(",\"previous_event_id\":\"");
        out.push_str(&ev.previous_event_id.to_string());
        out.push_str("\",\"event_timestamp\":\"");
        out.push_str(&ev.timestamp.timestamp_millis().to_string());
        out.push_str("\",\"execution_arn\":");
        out.push_str(&Value::from(execution_arn).to_string());
        out.push_str(",\"redrive_count\":\"");
        out.push_str(&self.redrive_count.to_string());
        out.push_str("\"}");
        out
    }
}

/// Cuts `input` and `output` to [`MAX_LOGGED_DATA`] bytes, marking them truncated.
fn truncate_data(m: &mut Map<String, Value>) {
    for (data, details) in [("input", "inputDetails"), ("output", "outputDetails")] {
        let Some(Value::String(s)) = m.get_mut(data) else {
            continue;
        };
        if s.len() <= MAX_LOGGED_DATA {
            continue;
        }
        let mut cut = MAX_LOGGED_DATA;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        m.insert(details.into(), serde_json::json!({"truncated": true}));
    }
}

/// The executions that log, by ARN, and the writer their records go to. The history
/// listener asks it about every event; with no execution logging that costs one atomic read.
pub struct ExecutionLogs {
    targets: RwLock<HashMap<Arc<str>, Arc<LogTarget>>>,
    active: AtomicUsize,
    writer: Writer,
}

impl ExecutionLogs {
    /// Logs nothing until an execution [`begin`](Self::begin)s.
    pub fn new(writer: Writer) -> ExecutionLogs {
        ExecutionLogs {
            targets: RwLock::default(),
            active: AtomicUsize::new(0),
            writer,
        }
    }

    /// `execution_arn` logs to `target` from now on.
    pub fn begin(&self, execution_arn: &str, target: LogTarget) {
        let mut t = self.targets.write().unwrap_or_else(|p| p.into_inner());
        t.insert(execution_arn.into(), Arc::new(target));
        self.active.store(t.len(), Ordering::Release);
    }

    /// `execution_arn` has ended: it logs no more.
    pub fn end(&self, execution_arn: &str) {
        if self.active.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut t = self.targets.write().unwrap_or_else(|p| p.into_inner());
        t.remove(execution_arn);
        self.active.store(t.len(), Ordering::Release);
    }

    /// Logs `ev` when its execution logs at a level that includes it.
    pub fn event(&self, execution_arn: &str, ev: &HistoryEvent) {
        if self.active.load(Ordering::Acquire) == 0 {
            return;
        }
        let target = {
            let t = self.targets.read().unwrap_or_else(|p| p.into_inner());
            match t.get(execution_arn) {
                Some(target) if target.config.level.logs(ev.event_type) => target.clone(),
                _ => return,
            }
        };
        self.writer.send(WriteOp::Log(LogEventRec {
            group: target.config.group.clone(),
            stream: target.stream.clone(),
            time: ev.timestamp.timestamp_millis(),
            message: target.record(execution_arn, ev),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl_interpreter::EventDetails;
    use serde_json::json;

    /// The event types of AWS's "Log levels" table, with the levels that log them.
    #[test]
    fn each_level_logs_the_types_of_aws_table() {
        let fatal = ["ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"];
        let error_only = [
            "FailStateEntered",
            "LambdaFunctionFailed",
            "LambdaFunctionScheduleFailed",
            "LambdaFunctionStartFailed",
            "LambdaFunctionTimedOut",
            "MapIterationAborted",
            "MapIterationFailed",
            "MapStateAborted",
            "MapStateFailed",
            "ParallelStateAborted",
            "ParallelStateFailed",
            "TaskFailed",
            "TaskStartFailed",
            "TaskStateAborted",
            "TaskSubmitFailed",
            "TaskTimedOut",
            "WaitStateAborted",
            // Not in the table (newer than it), errors by the same rule.
            "MapRunFailed",
            "MapRunAborted",
            "ActivityFailed",
            "ActivityTimedOut",
            "EvaluationFailed",
        ];
        let all_only = [
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "ExecutionStarted",
            "ExecutionSucceeded",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "MapIterationStarted",
            "MapIterationSucceeded",
            "MapStateEntered",
            "MapStateExited",
            "MapStateStarted",
            "MapStateSucceeded",
            "ParallelStateEntered",
            "ParallelStateExited",
            "ParallelStateStarted",
            "ParallelStateSucceeded",
            "PassStateEntered",
            "PassStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "TaskScheduled",
            "TaskStarted",
            "TaskStateEntered",
            "TaskStateExited",
            "TaskSubmitted",
            "TaskSucceeded",
            "WaitStateEntered",
            "WaitStateExited",
            "ExecutionRedriven",
            "MapRunStarted",
        ];
        let ty = |n: &str| EventType::parse(n).unwrap_or_else(|| panic!("{n}"));
        for n in fatal {
            assert!(
                Level::Fatal.logs(ty(n)) && Level::Error.logs(ty(n)) && Level::All.logs(ty(n)),
                "{n}"
            );
        }
        for n in error_only {
            assert!(
                !Level::Fatal.logs(ty(n)) && Level::Error.logs(ty(n)) && Level::All.logs(ty(n)),
                "{n}"
            );
        }
        for n in all_only {
            assert!(
                !Level::Fatal.logs(ty(n)) && !Level::Error.logs(ty(n)) && Level::All.logs(ty(n)),
                "{n}"
            );
        }
    }

    #[test]
    fn a_config_reads_level_data_and_group() {
        let c = LogConfig::of(&json!({
            "level": "ERROR", "includeExecutionData": true,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/M-Logs:*"}}]
        }))
        .unwrap();
        assert_eq!(c.level, Level::Error);
        assert!(c.include_data);
        assert_eq!(c.group, "/aws/vendedlogs/states/M-Logs");
        assert_eq!(
            LogConfig::of(&json!({"level": "OFF", "includeExecutionData": false})),
            None
        );
        for arn in [
            "arn:aws:logs:us-east-1:1:log-group:g",
            "arn:aws-cn:logs:cn-north-1:1:log-group:g:*",
        ] {
            assert_eq!(log_group_name(arn), Some("g"), "{arn}");
        }
        for arn in [
            "g",
            "arn:aws:s3:::log-group:g",
            "arn:aws:logs:r:1:log-group:",
            "arn:aws:logs:r:1:log-group:a:b",
        ] {
            assert_eq!(log_group_name(arn), None, "{arn}");
        }
    }

    fn event(ty: EventType, details: Value) -> HistoryEvent {
        HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp: DateTime::from_timestamp_millis(1_716_992_192_441).unwrap(),
            event_type: ty,
            details: EventDetails::of(ty, &details),
        }
    }

    fn target(include_data: bool) -> LogTarget {
        LogTarget {
            config: LogConfig {
                level: Level::All,
                include_data,
                group: "/g".into(),
            },
            stream: "states/M/2024-05-29-14-16/0a1b2c3d".into(),
            redrive_count: 1,
        }
    }

    #[test]
    fn a_record_is_aws_s_shape_with_or_without_data() {
        let ev = event(
            EventType::PassStateExited,
            json!({"name": "P", "output": "{\"a\":1}", "outputDetails": {"truncated": false}}),
        );
        let arn = "arn:aws:states:us-east-1:123456789012:execution:M:e";
        assert_eq!(
            target(true).record(arn, &ev),
            r#"{"id":"3","type":"PassStateExited","details":{"name":"P","output":"{\"a\":1}","outputDetails":{"truncated":false}},"previous_event_id":"2","event_timestamp":"1716992192441","execution_arn":"arn:aws:states:us-east-1:123456789012:execution:M:e","redrive_count":"1"}"#
        );
        assert_eq!(
            target(false).record(arn, &ev),
            r#"{"id":"3","type":"PassStateExited","details":{"name":"P"},"previous_event_id":"2","event_timestamp":"1716992192441","execution_arn":"arn:aws:states:us-east-1:123456789012:execution:M:e","redrive_count":"1"}"#
        );
        let failed = event(
            EventType::ExecutionFailed,
            json!({"error": "E", "cause": "C"}),
        );
        let rec: Value = serde_json::from_str(&target(false).record(arn, &failed)).unwrap();
        assert_eq!(rec["details"], json!({"error": "E", "cause": "C"}));
        let none = event(EventType::MapStateSucceeded, Value::Null);
        let rec: Value = serde_json::from_str(&target(true).record(arn, &none)).unwrap();
        assert_eq!(rec["details"], json!({}));
    }

    #[test]
    fn data_over_248_kb_is_cut_and_marked() {
        let big = "é".repeat(MAX_LOGGED_DATA); // two bytes each
        let ev = event(
            EventType::TaskStateEntered,
            json!({"name": "T", "input": big, "inputDetails": {"truncated": false}}),
        );
        let rec: Value = serde_json::from_str(&target(true).record("arn:x", &ev)).unwrap();
        let input = rec["details"]["input"].as_str().unwrap();
        assert!(input.len() <= MAX_LOGGED_DATA && input.len() > MAX_LOGGED_DATA - 2);
        assert_eq!(rec["details"]["inputDetails"], json!({"truncated": true}));
    }

    #[test]
    fn stream_names_are_aws_s_form() {
        let t = DateTime::from_timestamp_millis(1_668_095_539_607).unwrap();
        let s = stream_name("M", t);
        assert!(s.starts_with("states/M/2022-11-10-15-52/"), "{s}");
        let id = s.rsplit('/').next().unwrap();
        assert_eq!(id.len(), 8);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
