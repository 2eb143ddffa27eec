//! Shared set-up and history helpers. Every app runs in virtual time from [`t0`].

#![allow(dead_code)]

use asl_interpreter::HistoryEvent;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use task_generation::ai::MockAi;
use task_generation::db::{Database, NewGoal};
use task_generation::{Config, TaskGeneration, TimeMode};

/// The virtual start of every test.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap()
}

/// An app with the given goals: `(goal id, user id, number of actions)`.
pub fn app(goals: &[(&str, &str, usize)]) -> TaskGeneration {
    let db = Database::open_in_memory().expect("in-memory database");
    for (id, user, n) in goals {
        db.create_goal(&NewGoal::with_actions(id, user, *n))
            .expect("goal created");
    }
    let config = Config {
        time: TimeMode::Virtual { start: t0() },
        ..Config::default()
    };
    TaskGeneration::new(db, MockAi::new(), config).expect("workflow loads")
}

/// Seconds since [`t0`].
pub fn secs(t: DateTime<Utc>) -> f64 {
    (t - t0()).num_milliseconds() as f64 / 1000.0
}

/// Every history of an execution: the main one, then its batches'.
pub fn histories(app: &TaskGeneration, arn: &str) -> Vec<Vec<HistoryEvent>> {
    let mut all = vec![app.history(arn).expect("tracked execution")];
    all.extend(
        app.batches(arn)
            .into_iter()
            .map(|c| c.outcome.history.clone()),
    );
    all
}

/// One invocation of a Task: when it was scheduled, how and when it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub scheduled: f64,
    pub end: String,
    pub ended: f64,
    pub parameters: Value,
}

/// A string member of an event's details.
fn detail(e: &HistoryEvent, field: &str) -> Option<String> {
    e.details.as_ref()?.get_str(field)
}

/// The invocations of `function` whose payload mentions `needle` (an action id), in order.
pub fn attempts(app: &TaskGeneration, arn: &str, function: &str, needle: &str) -> Vec<Attempt> {
    let mut out = Vec::new();
    for h in histories(app, arn) {
        for e in h.iter().filter(|e| e.event_type == "TaskScheduled") {
            let Some(text) = detail(e, "parameters") else {
                continue;
            };
            let params: Value = serde_json::from_str(&text).expect("parameters are JSON");
            if params["FunctionName"] != function || !text.contains(needle) {
                continue;
            }
            let started = h.iter().find(|x| x.previous_event_id == e.id);
            let end = started.and_then(|s| h.iter().find(|x| x.previous_event_id == s.id));
            let (end, ended) = end.map_or(("none".to_string(), f64::NAN), |x| {
                (x.event_type.to_string(), secs(x.timestamp))
            });
            out.push(Attempt {
                scheduled: secs(e.timestamp),
                end,
                ended,
                parameters: params,
            });
        }
    }
    out.sort_by(|a, b| a.scheduled.total_cmp(&b.scheduled));
    out
}

/// The results (`Payload`) a function returned, over every history of an execution.
pub fn results_of(app: &TaskGeneration, arn: &str, function: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for h in histories(app, arn) {
        for e in h.iter().filter(|e| e.event_type == "TaskScheduled") {
            let is_fn = detail(e, "parameters")
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|p| p["FunctionName"] == function);
            if !is_fn {
                continue;
            }
            let started = h.iter().find(|x| x.previous_event_id == e.id);
            let end = started.and_then(|s| h.iter().find(|x| x.previous_event_id == s.id));
            if let Some(x) = end.filter(|x| x.event_type == "TaskSucceeded") {
                let text = detail(x, "output").unwrap_or_else(|| "{}".into());
                let v: Value = serde_json::from_str(&text).expect("output is JSON");
                out.push(v["Payload"].clone());
            }
        }
    }
    out
}

/// Event types of a history, in order.
pub fn types(h: &[HistoryEvent]) -> Vec<&str> {
    h.iter().map(|e| e.event_type.as_ref()).collect()
}

/// Whether a state of that name was entered.
pub fn entered(h: &[HistoryEvent], state: &str) -> bool {
    h.iter().any(|e| {
        e.event_type.ends_with("StateEntered") && detail(e, "name").is_some_and(|n| n == state)
    })
}

/// `id prev +seconds type [name]` per event, for snapshots.
pub fn outline(h: &[HistoryEvent]) -> String {
    let start = h.first().map(|e| e.timestamp).unwrap_or_else(t0);
    h.iter()
        .map(|e| {
            let off = (e.timestamp - start).num_milliseconds() as f64 / 1000.0;
            let name = detail(e, "name")
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            format!(
                "{:>3} {:>3} +{off:<6} {}{name}",
                e.id, e.previous_event_id, e.event_type
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
