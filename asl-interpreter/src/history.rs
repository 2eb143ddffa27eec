//! The execution history, serialised exactly as `GetExecutionHistory` returns it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// One history event.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// 1-based, contiguous.
    pub id: u64,
    /// The event this one follows from (0 for none).
    pub previous_event_id: u64,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// `ExecutionStarted`, `TaskStateEntered`, ...
    pub event_type: String,
    /// The `<type>EventDetails` member (its key and value), if the type has one.
    pub details: Option<(&'static str, Value)>,
}

impl HistoryEvent {
    /// The event as AWS's JSON (`timestamp` in epoch seconds).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "timestamp".into(),
            json!(self.timestamp.timestamp_millis() as f64 / 1000.0),
        );
        m.insert("type".into(), Value::String(self.event_type.clone()));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some((k, v)) = &self.details {
            m.insert((*k).to_string(), v.clone());
        }
        Value::Object(m)
    }
}

/// The detail member names AWS uses, so events read back from JSON keep `&'static` keys.
const DETAIL_KEYS: &[&str] = &[
    "activityFailedEventDetails",
    "activityScheduleFailedEventDetails",
    "activityScheduledEventDetails",
    "activityStartedEventDetails",
    "activitySucceededEventDetails",
    "activityTimedOutEventDetails",
    "evaluationFailedEventDetails",
    "executionAbortedEventDetails",
    "executionFailedEventDetails",
    "executionRedrivenEventDetails",
    "executionStartedEventDetails",
    "executionSucceededEventDetails",
    "executionTimedOutEventDetails",
    "lambdaFunctionFailedEventDetails",
    "lambdaFunctionScheduleFailedEventDetails",
    "lambdaFunctionScheduledEventDetails",
    "lambdaFunctionStartFailedEventDetails",
    "lambdaFunctionSucceededEventDetails",
    "lambdaFunctionTimedOutEventDetails",
    "mapIterationAbortedEventDetails",
    "mapIterationFailedEventDetails",
    "mapIterationStartedEventDetails",
    "mapIterationSucceededEventDetails",
    "mapRunFailedEventDetails",
    "mapRunRedrivenEventDetails",
    "mapRunStartedEventDetails",
    "mapStateStartedEventDetails",
    "stateEnteredEventDetails",
    "stateExitedEventDetails",
    "taskFailedEventDetails",
    "taskScheduledEventDetails",
    "taskStartFailedEventDetails",
    "taskStartedEventDetails",
    "taskSubmitFailedEventDetails",
    "taskSubmittedEventDetails",
    "taskSucceededEventDetails",
    "taskTimedOutEventDetails",
];

impl HistoryEvent {
    /// Reads an event back from its JSON (as [`HistoryEvent::to_json`] wrote it); `None` for
    /// anything that is not one.
    pub fn from_json(v: &Value) -> Option<HistoryEvent> {
        let m = v.as_object()?;
        let id = m.get("id")?.as_u64()?;
        let previous_event_id = m
            .get("previousEventId")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let secs = m.get("timestamp")?.as_f64()?;
        let timestamp = DateTime::from_timestamp_millis((secs * 1000.0).round() as i64)?;
        let event_type = m.get("type")?.as_str()?.to_string();
        let details = m.iter().find_map(|(k, v)| {
            let key = DETAIL_KEYS.iter().find(|d| **d == k.as_str())?;
            Some((*key, v.clone()))
        });
        Some(HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            event_type,
            details,
        })
    }
}

impl Serialize for HistoryEvent {
    /// The same JSON as [`HistoryEvent::to_json`], written without building it first.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4 + usize::from(self.details.is_some())))?;
        m.serialize_entry(
            "timestamp",
            &(self.timestamp.timestamp_millis() as f64 / 1000.0),
        )?;
        m.serialize_entry("type", &self.event_type)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let Some((k, v)) = &self.details {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Called with every event as it is appended, in order (the execution ARN, the event). The
/// server uses it to persist histories while executions run; it must not block.
pub type EventListener = Arc<dyn Fn(&str, &HistoryEvent) + Send + Sync>;

/// The history of one execution, shared by its branches.
#[derive(Clone, Default)]
pub struct History {
    events: Arc<Mutex<Vec<HistoryEvent>>>,
    listener: Option<(Arc<str>, EventListener)>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("events", &self.len())
            .finish()
    }
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty history whose events are also given to `listener` as they are appended.
    pub fn with_listener(execution_arn: &str, listener: EventListener) -> Self {
        History {
            events: Arc::default(),
            listener: Some((execution_arn.into(), listener)),
        }
    }

    /// A history that continues from `events` (a resumed execution).
    pub fn resume(events: Vec<HistoryEvent>, listener: Option<(&str, EventListener)>) -> Self {
        History {
            events: Arc::new(Mutex::new(events)),
            listener: listener.map(|(a, l)| (a.into(), l)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<HistoryEvent>> {
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an event following `previous`; returns its id.
    pub fn push(
        &self,
        previous: u64,
        timestamp: DateTime<Utc>,
        event_type: impl Into<String>,
        details: Option<(&'static str, Value)>,
    ) -> u64 {
        let mut ev = self.lock();
        let id = ev.len() as u64 + 1;
        ev.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp,
            event_type: event_type.into(),
            details,
        });
        if let (Some((arn, listener)), Some(last)) = (&self.listener, ev.last()) {
            listener(arn, last);
        }
        id
    }

    /// Number of events so far.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the events so far.
    pub fn snapshot(&self) -> Vec<HistoryEvent> {
        self.lock().clone()
    }

    /// The events, moved out when nobody else holds this history (an execution run to its end
    /// with no handle), copied otherwise.
    pub fn take_or_snapshot(&self) -> Vec<HistoryEvent> {
        if Arc::strong_count(&self.events) == 1 {
            std::mem::take(&mut *self.lock())
        } else {
            self.snapshot()
        }
    }

    /// Events from index `from` on (for live streaming).
    pub fn since(&self, from: usize) -> Vec<HistoryEvent> {
        let ev = self.lock();
        ev.get(from..)
            .map(<[HistoryEvent]>::to_vec)
            .unwrap_or_default()
    }
}

/// `{"truncated": false}`: we never truncate (payloads over the limit fail the state instead).
pub(crate) fn not_truncated() -> Value {
    json!({"truncated": false})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_back_from_json() {
        let e = HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            event_type: "TaskStateEntered".into(),
            details: Some((
                "stateEnteredEventDetails",
                json!({"name": "T", "input": "{}"}),
            )),
        };
        assert_eq!(HistoryEvent::from_json(&e.to_json()), Some(e));
        assert_eq!(HistoryEvent::from_json(&json!({"id": "x"})), None);
    }
}
