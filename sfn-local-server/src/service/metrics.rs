//! Metrics as Step Functions publishes them to CloudWatch (namespace `AWS/States`), counted by
//! the server and written at `GET /metrics` in the Prometheus text format: the metric's AWS
//! name, its dimension as a label, durations in AWS's unit (milliseconds) as histograms. The
//! counters live in the store and survive a restart.
//!
//! | metrics | dimension | counted from |
//! | --- | --- | --- |
//! | `ExecutionsStarted`, `ExecutionsSucceeded`, `ExecutionsFailed`, `ExecutionsTimedOut`, `ExecutionsAborted`, `ExecutionsRedriven`, `RedrivenExecutions{Succeeded,Failed,TimedOut,Aborted}`, `ExecutionTime` | `StateMachineArn` | each status change of a Standard execution (`status_events.rs`) |
//! | `ActivitiesScheduled`, `ActivitiesStarted`, `ActivitiesSucceeded`, `ActivitiesFailed`, `ActivitiesTimedOut`, `ActivitiesHeartbeatTimedOut`, `ActivityScheduleTime`, `ActivityRunTime`, `ActivityTime` | `ActivityArn` | `Activity*` history events |
//! | `LambdaFunctionsScheduled`, `...Started`, `...Succeeded`, `...Failed`, `...TimedOut`, `LambdaFunctionScheduleTime`, `...RunTime`, `...Time` | `LambdaFunctionArn` | `LambdaFunction*` events (a Task whose resource is a function's ARN) |
//! | `ServiceIntegrationsScheduled`, `...Started`, `...Succeeded`, `...Failed`, `...TimedOut`, `ServiceIntegrationScheduleTime`, `...RunTime`, `...Time` | `ServiceIntegrationResourceArn` (`arn:aws:states:::lambda:invoke`, ...) | `Task*` events |
//!
//! A task's times: `ScheduleTime` from scheduled to started, `RunTime` from started to its
//! end, `Time` from scheduled to its end. Failures to schedule, start or submit count as
//! failed. Events of Standard and Express executions alike.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;

use asl_interpreter::{EventType, HistoryEvent, Status};

use crate::store::{ExecutionRec, Store, WriteOp, Writer};

/// A metric family: its name, type and help text.
struct Family {
    name: String,
    kind: &'static str,
    help: String,
}

fn family(name: &str, kind: &'static str, help: &str, unit: &str) -> Family {
    Family {
        name: name.to_string(),
        kind,
        help: format!("{help} (AWS/States, {unit})."),
    }
}

/// Every family, in the order `/metrics` writes them.
fn families() -> Vec<Family> {
    let mut out = vec![
        family(
            "ExecutionsStarted",
            "counter",
            "The number of executions started",
            "Count",
        ),
        family(
            "ExecutionsSucceeded",
            "counter",
            "The number of executions that succeeded",
            "Count",
        ),
        family(
            "ExecutionsFailed",
            "counter",
            "The number of executions that failed",
            "Count",
        ),
        family(
            "ExecutionsTimedOut",
            "counter",
            "The number of executions that timed out",
            "Count",
        ),
        family(
            "ExecutionsAborted",
            "counter",
            "The number of executions aborted or stopped",
            "Count",
        ),
        family(
            "ExecutionsRedriven",
            "counter",
            "The number of executions redriven",
            "Count",
        ),
        family(
            "RedrivenExecutionsSucceeded",
            "counter",
            "The number of redriven executions that succeeded",
            "Count",
        ),
        family(
            "RedrivenExecutionsFailed",
            "counter",
            "The number of redriven executions that failed",
            "Count",
        ),
        family(
            "RedrivenExecutionsTimedOut",
            "counter",
            "The number of redriven executions that timed out",
            "Count",
        ),
        family(
            "RedrivenExecutionsAborted",
            "counter",
            "The number of redriven executions aborted",
            "Count",
        ),
        family(
            "ExecutionTime",
            "histogram",
            "The interval between the start of an execution and its close, in milliseconds",
            "Milliseconds",
        ),
    ];
    for k in TASK_KINDS {
        let (p, t, what) = (k.plural, k.singular, k.what);
        for (end, help) in [
            ("Scheduled", "scheduled"),
            ("Started", "started"),
            ("Succeeded", "that succeeded"),
            ("Failed", "that failed"),
            ("TimedOut", "that timed out"),
        ] {
            out.push(family(
                &format!("{p}{end}"),
                "counter",
                &format!("The number of {what} {help}"),
                "Count",
            ));
        }
        if k.plural == "Activities" {
            out.push(family(
                "ActivitiesHeartbeatTimedOut",
                "counter",
                "The number of activities that time out due to a heartbeat timeout",
                "Count",
            ));
        }
        for (time, help) in [
            (
                "ScheduleTime",
                "The time the task stays in the schedule state, in milliseconds",
            ),
            (
                "RunTime",
                "The time between the task's start and its close, in milliseconds",
            ),
            (
                "Time",
                "The time between the task's scheduling and its close, in milliseconds",
            ),
        ] {
            out.push(family(
                &format!("{t}{time}"),
                "histogram",
                &format!("{help} ({what})"),
                "Milliseconds",
            ));
        }
    }
    out
}

/// The kinds of task whose history events are counted.
struct TaskKind {
    /// Counter prefix: `Activities`.
    plural: &'static str,
    /// Time prefix: `Activity`.
    singular: &'static str,
    /// The dimension.
    dimension: &'static str,
    /// In help texts.
    what: &'static str,
}

const ACTIVITY: TaskKind = TaskKind {
    plural: "Activities",
    singular: "Activity",
    dimension: "ActivityArn",
    what: "activities",
};
const LAMBDA: TaskKind = TaskKind {
    plural: "LambdaFunctions",
    singular: "LambdaFunction",
    dimension: "LambdaFunctionArn",
    what: "Lambda functions",
};
const SERVICE: TaskKind = TaskKind {
    plural: "ServiceIntegrations",
    singular: "ServiceIntegration",
    dimension: "ServiceIntegrationResourceArn",
    what: "service integrations",
};
const TASK_KINDS: [&TaskKind; 3] = [&ACTIVITY, &LAMBDA, &SERVICE];

/// What a task event does to its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Scheduled,
    Started,
    /// Submitted and the like: the task goes on.
    Progress,
    Succeeded,
    Failed,
    TimedOut,
}

/// The kind and step of a task event (`None` for the other events).
fn task_event(ty: EventType) -> Option<(&'static TaskKind, Step)> {
    use EventType as E;
    Some(match ty {
        E::ActivityScheduled => (&ACTIVITY, Step::Scheduled),
        E::ActivityStarted => (&ACTIVITY, Step::Started),
        E::ActivitySucceeded => (&ACTIVITY, Step::Succeeded),
        E::ActivityFailed | E::ActivityScheduleFailed => (&ACTIVITY, Step::Failed),
        E::ActivityTimedOut => (&ACTIVITY, Step::TimedOut),
        E::LambdaFunctionScheduled => (&LAMBDA, Step::Scheduled),
        E::LambdaFunctionStarted => (&LAMBDA, Step::Started),
        E::LambdaFunctionSucceeded => (&LAMBDA, Step::Succeeded),
        E::LambdaFunctionFailed
        | E::LambdaFunctionScheduleFailed
        | E::LambdaFunctionStartFailed => (&LAMBDA, Step::Failed),
        E::LambdaFunctionTimedOut => (&LAMBDA, Step::TimedOut),
        E::TaskScheduled => (&SERVICE, Step::Scheduled),
        E::TaskStarted => (&SERVICE, Step::Started),
        E::TaskSubmitted => (&SERVICE, Step::Progress),
        E::TaskSucceeded => (&SERVICE, Step::Succeeded),
        E::TaskFailed | E::TaskStartFailed | E::TaskSubmitFailed => (&SERVICE, Step::Failed),
        E::TaskTimedOut => (&SERVICE, Step::TimedOut),
        _ => return None,
    })
}

/// A task in flight: its dimension's value and when it was scheduled and started (ms).
struct Pending {
    resource: String,
    scheduled: i64,
    started: Option<i64>,
}

/// The upper bounds of the time histograms' buckets, in milliseconds.
const TIME_BUCKETS: &[f64] = &[
    10.0,
    50.0,
    100.0,
    500.0,
    1_000.0,
    5_000.0,
    10_000.0,
    60_000.0,
    300_000.0,
    3_600_000.0,
];

/// The counters, keyed by name and labels as the text format writes them, and the tasks in
/// flight by execution and the id of their last event.
pub(crate) struct Metrics {
    counters: Mutex<BTreeMap<String, f64>>,
    pending: Mutex<HashMap<String, HashMap<u64, Pending>>>,
}

impl Metrics {
    /// The counters stored by earlier runs.
    pub fn load(store: &Store) -> Metrics {
        let stored = store.metrics().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the stored metrics");
            Vec::new()
        });
        Metrics {
            counters: Mutex::new(stored.into_iter().collect()),
            pending: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, f64>> {
        self.counters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a status change of `rec` (as it is now).
    pub fn status_changed(&self, rec: &ExecutionRec, writer: &Writer) {
        let labels = format!("StateMachineArn=\"{}\"", label_value(&rec.sm_arn));
        let redriven = rec.redrive_count > 0;
        let mut adds: Vec<(String, f64)> = Vec::new();
        let mut count = |name: &str| adds.push((format!("{name}{{{labels}}}"), 1.0));
        let end = match rec.status {
            Status::Running if redriven => {
                count("ExecutionsRedriven");
                None
            }
            Status::Running => {
                count("ExecutionsStarted");
                None
            }
            Status::Succeeded => Some("Succeeded"),
            Status::Failed => Some("Failed"),
            Status::TimedOut => Some("TimedOut"),
            Status::Aborted => Some("Aborted"),
        };
        if let Some(end) = end {
            count(&format!("Executions{end}"));
            if redriven {
                count(&format!("RedrivenExecutions{end}"));
            }
            if let Some(stop) = rec.stop {
                observe(&mut adds, "ExecutionTime", &labels, stop - rec.start);
            }
        }
        self.add(adds, writer);
    }

    /// Counts a task's history event (activities, Lambda functions, service integrations).
    pub fn event(&self, execution_arn: &str, ev: &HistoryEvent, writer: &Writer) {
        if ev.event_type.is_terminal() {
            self.pending().remove(execution_arn);
            return;
        }
        let Some((kind, step)) = task_event(ev.event_type) else {
            return;
        };
        let now = ev.timestamp.timestamp_millis();
        let scheduled =
            (step == Step::Scheduled).then(|| scheduled_resource(ev).unwrap_or_default());
        let task = {
            let mut pending = self.pending();
            if let Some(resource) = &scheduled {
                pending
                    .entry(execution_arn.to_string())
                    .or_default()
                    .insert(
                        ev.id,
                        Pending {
                            resource: resource.clone(),
                            scheduled: now,
                            started: None,
                        },
                    );
                None
            } else {
                // Each event of a task follows the one before it.
                let of_execution = pending.get_mut(execution_arn);
                let mut task = of_execution.and_then(|p| p.remove(&ev.previous_event_id));
                if let Some(t) = &mut task
                    && matches!(step, Step::Started | Step::Progress)
                {
                    if step == Step::Started {
                        t.started = Some(now);
                    }
                    let moved = Pending {
                        resource: t.resource.clone(),
                        scheduled: t.scheduled,
                        started: t.started,
                    };
                    pending
                        .entry(execution_arn.to_string())
                        .or_default()
                        .insert(ev.id, moved);
                }
                task
            }
        };
        let resource = match (&task, scheduled) {
            (Some(t), _) => t.resource.clone(),
            (None, Some(r)) => r,
            // An event of a task whose start was not seen (it began before a restart).
            (None, None) => return,
        };
        let labels = format!("{}=\"{}\"", kind.dimension, label_value(&resource));
        let (p, t) = (kind.plural, kind.singular);
        let mut adds: Vec<(String, f64)> = Vec::new();
        let mut count = |name: String| adds.push((format!("{name}{{{labels}}}"), 1.0));
        match step {
            Step::Scheduled => count(format!("{p}Scheduled")),
            Step::Started => count(format!("{p}Started")),
            Step::Progress => {}
            Step::Succeeded => count(format!("{p}Succeeded")),
            Step::Failed => count(format!("{p}Failed")),
            Step::TimedOut => {
                count(format!("{p}TimedOut"));
                let heartbeat = ev
                    .details
                    .as_ref()
                    .and_then(|d| d.get_str("error"))
                    .is_some_and(|e| e == "States.HeartbeatTimeout");
                if heartbeat && kind.plural == "Activities" {
                    count("ActivitiesHeartbeatTimedOut".into());
                }
            }
        }
        if let Some(task) = task {
            if step == Step::Started {
                observe(
                    &mut adds,
                    &format!("{t}ScheduleTime"),
                    &labels,
                    now - task.scheduled,
                );
            }
            if matches!(step, Step::Succeeded | Step::Failed | Step::TimedOut) {
                if let Some(started) = task.started {
                    observe(&mut adds, &format!("{t}RunTime"), &labels, now - started);
                }
                observe(
                    &mut adds,
                    &format!("{t}Time"),
                    &labels,
                    now - task.scheduled,
                );
            }
        }
        if !adds.is_empty() {
            self.add(adds, writer);
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<u64, Pending>>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds to the counters, here and in the store.
    fn add(&self, adds: Vec<(String, f64)>, writer: &Writer) {
        {
            let mut m = self.lock();
            for (key, amount) in &adds {
                *m.entry(key.clone()).or_insert(0.0) += amount;
            }
        }
        writer.send(WriteOp::Metrics(adds));
    }

    /// The Prometheus text format of every counter, each family with its `HELP` and `TYPE`.
    pub fn render(&self) -> String {
        let m = self.lock();
        let mut out = String::new();
        for f in families() {
            let series: Vec<(&String, &f64)> =
                m.iter().filter(|(k, _)| family_of(k) == f.name).collect();
            if series.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
            let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
            for (k, v) in series {
                let _ = writeln!(out, "{k} {v}");
            }
        }
        out
    }
}

/// The family of a series key: `ExecutionTime` for `ExecutionTime_bucket{...}`.
fn family_of(key: &str) -> &str {
    let name = key.split('{').next().unwrap_or(key);
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

/// A label value in the text format: `\`, `"` and line feeds escaped.
fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Adds one observation of `ms` to the histogram `name`.
fn observe(adds: &mut Vec<(String, f64)>, name: &str, labels: &str, ms: i64) {
    let ms = ms.max(0) as f64;
    for le in TIME_BUCKETS {
        if ms <= *le {
            adds.push((format!("{name}_bucket{{{labels},le=\"{le}\"}}"), 1.0));
        }
    }
    adds.push((format!("{name}_bucket{{{labels},le=\"+Inf\"}}"), 1.0));
    adds.push((format!("{name}_sum{{{labels}}}"), ms));
    adds.push((format!("{name}_count{{{labels}}}"), 1.0));
}

/// The dimension of a task from its scheduled event: an activity's or a function's ARN, or
/// a service integration's resource (`arn:aws:states:::RESOURCE_TYPE:RESOURCE`).
fn scheduled_resource(ev: &HistoryEvent) -> Option<String> {
    let d = ev.details.as_ref()?.value();
    let resource = d.get("resource")?.as_str()?;
    if ev.event_type == EventType::TaskScheduled {
        let ty = d.get("resourceType")?.as_str()?;
        return Some(format!("arn:aws:states:::{ty}:{resource}"));
    }
    Some(resource.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use serde_json::json;

    fn ev(
        id: u64,
        prev: u64,
        ms: i64,
        ty: &str,
        details: Option<serde_json::Value>,
    ) -> HistoryEvent {
        HistoryEvent::new(
            id,
            prev,
            DateTime::from_timestamp_millis(ms).unwrap(),
            EventType::parse(ty).unwrap(),
            details.as_ref(),
        )
    }

    /// Each kind of task through each end: the counters and times of its dimension.
    #[test]
    fn task_events_count_each_kind_with_its_dimension() {
        let store = Store::open(None).unwrap();
        let writer = Writer::start(store.clone());
        let m = Metrics::load(&store);
        let activity = "arn:aws:states:us-east-1:123456789012:activity:work";
        let function = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let x = "arn:aws:states:us-east-1:123456789012:execution:m:x";
        let events = [
            // An activity that succeeds: scheduled at 0, started at 100, done at 350.
            ev(
                2,
                1,
                0,
                "ActivityScheduled",
                Some(json!({"resource": activity})),
            ),
            ev(
                3,
                2,
                100,
                "ActivityStarted",
                Some(json!({"workerName": "w"})),
            ),
            ev(
                4,
                3,
                350,
                "ActivitySucceeded",
                Some(json!({"output": "{}"})),
            ),
            // One that misses its heartbeat.
            ev(
                5,
                4,
                400,
                "ActivityScheduled",
                Some(json!({"resource": activity})),
            ),
            ev(6, 5, 420, "ActivityStarted", Some(json!({}))),
            ev(
                7,
                6,
                1420,
                "ActivityTimedOut",
                Some(json!({"error": "States.HeartbeatTimeout"})),
            ),
            // A Lambda function that fails.
            ev(
                8,
                7,
                2000,
                "LambdaFunctionScheduled",
                Some(json!({"resource": function})),
            ),
            ev(9, 8, 2001, "LambdaFunctionStarted", None),
            ev(
                10,
                9,
                2051,
                "LambdaFunctionFailed",
                Some(json!({"error": "E"})),
            ),
            // A .sync integration: scheduled, started, submitted, succeeded.
            ev(
                11,
                10,
                3000,
                "TaskScheduled",
                Some(
                    json!({"resourceType": "ecs", "resource": "runTask.sync", "region": "us-east-1", "parameters": "{}"}),
                ),
            ),
            ev(
                12,
                11,
                3010,
                "TaskStarted",
                Some(json!({"resourceType": "ecs", "resource": "runTask.sync"})),
            ),
            ev(
                13,
                12,
                3020,
                "TaskSubmitted",
                Some(json!({"resourceType": "ecs", "resource": "runTask.sync", "output": "{}"})),
            ),
            ev(
                14,
                13,
                4010,
                "TaskSucceeded",
                Some(json!({"resourceType": "ecs", "resource": "runTask.sync", "output": "{}"})),
            ),
            // One that times out, one that never starts.
            ev(
                15,
                14,
                5000,
                "TaskScheduled",
                Some(
                    json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "region": "r", "parameters": "{}"}),
                ),
            ),
            ev(
                16,
                15,
                5001,
                "TaskStarted",
                Some(json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"})),
            ),
            ev(
                17,
                16,
                6001,
                "TaskTimedOut",
                Some(
                    json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "States.Timeout"}),
                ),
            ),
            ev(
                18,
                17,
                7000,
                "TaskScheduled",
                Some(
                    json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "region": "r", "parameters": "{}"}),
                ),
            ),
            ev(
                19,
                18,
                7001,
                "TaskStartFailed",
                Some(
                    json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "E"}),
                ),
            ),
            // An event of a task not seen scheduled (before a restart): not counted.
            ev(
                20,
                99,
                8000,
                "TaskSucceeded",
                Some(json!({"resourceType": "sns", "resource": "publish"})),
            ),
        ];
        for e in &events {
            m.event(x, e, &writer);
        }
        let text = m.render();
        let has = |line: &str| assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
        let a = format!("ActivityArn=\"{activity}\"");
        has(&format!("ActivitiesScheduled{{{a}}} 2"));
        has(&format!("ActivitiesStarted{{{a}}} 2"));
        has(&format!("ActivitiesSucceeded{{{a}}} 1"));
        has(&format!("ActivitiesTimedOut{{{a}}} 1"));
        has(&format!("ActivitiesHeartbeatTimedOut{{{a}}} 1"));
        has(&format!("ActivityScheduleTime_sum{{{a}}} 120"));
        has(&format!("ActivityRunTime_sum{{{a}}} 1250"));
        has(&format!("ActivityTime_sum{{{a}}} 1370"));
        has(&format!("ActivityTime_count{{{a}}} 2"));
        let l = format!("LambdaFunctionArn=\"{function}\"");
        has(&format!("LambdaFunctionsFailed{{{l}}} 1"));
        has(&format!("LambdaFunctionRunTime_sum{{{l}}} 50"));
        let ecs = "ServiceIntegrationResourceArn=\"arn:aws:states:::ecs:runTask.sync\"";
        has(&format!("ServiceIntegrationsSucceeded{{{ecs}}} 1"));
        has(&format!("ServiceIntegrationRunTime_sum{{{ecs}}} 1000"));
        has(&format!("ServiceIntegrationTime_sum{{{ecs}}} 1010"));
        let sqs =
            "ServiceIntegrationResourceArn=\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\"";
        has(&format!("ServiceIntegrationsScheduled{{{sqs}}} 2"));
        has(&format!("ServiceIntegrationsStarted{{{sqs}}} 1"));
        has(&format!("ServiceIntegrationsTimedOut{{{sqs}}} 1"));
        has(&format!("ServiceIntegrationsFailed{{{sqs}}} 1"));
        assert!(!text.contains("sns:publish"), "{text}");
        assert!(text.contains("# TYPE ServiceIntegrationTime histogram"));
        // The execution's end forgets what it had in flight.
        m.event(x, &ev(21, 20, 9000, "ExecutionSucceeded", None), &writer);
        assert!(m.pending().is_empty());
        writer.flush();
        let stored: BTreeMap<String, f64> = store.metrics().unwrap().into_iter().collect();
        assert_eq!(
            stored.get(&format!("ActivitiesScheduled{{{a}}}")),
            Some(&2.0)
        );
    }
}
