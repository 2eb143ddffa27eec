//! The execution history, serialised exactly as `GetExecutionHistory` returns it.
//!
//! [`EventType`] names the events and knows their details member; [`HistoryEvent::write_json`]
//! is the one serializer of an event (`to_json`, `to_json_text` and `Serialize` go through it).

mod details;
mod event_type;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use asl_core::json_text;
pub use details::EventDetails;
use details::write_epoch_seconds;
pub(crate) use details::{
    DetailsWriter, Identity, InString, NOT_TRUNCATED, execution_started, output_details,
};
pub use event_type::{EventType, UnknownEventType};

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
    pub event_type: EventType,
    /// The `<type>EventDetails` member, if the type has one.
    pub details: Option<EventDetails>,
}

impl HistoryEvent {
    /// An event; `details` is its details object, kept when the type has a details member.
    pub fn new(
        id: u64,
        previous_event_id: u64,
        timestamp: DateTime<Utc>,
        event_type: EventType,
        details: Option<&Value>,
    ) -> Self {
        HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            event_type,
            details: details.and_then(|d| EventDetails::of(event_type, d)),
        }
    }

    /// An event whose details are `{"error": ..., "cause": ...}` (the members given): what a
    /// server records itself to close an execution the engine no longer runs
    /// (`ExecutionAborted` for a stopped one, `ExecutionFailed`).
    pub fn with_error(
        id: u64,
        previous_event_id: u64,
        timestamp: DateTime<Utc>,
        event_type: EventType,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Self {
        let details = EventDetails::error_cause(event_type, error, cause);
        HistoryEvent {
            details,
            ..Self::new(id, previous_event_id, timestamp, event_type, None)
        }
    }

    /// Appends the event's JSON, as `GetExecutionHistory` returns it (`timestamp` in epoch
    /// seconds), to `out`: the one serializer of an event.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"timestamp\":");
        write_epoch_seconds(out, self.timestamp.timestamp_millis());
        out.push_str(self.event_type.type_and_id_members());
        json_text::write_u64(out, self.id);
        out.push_str(",\"previousEventId\":");
        json_text::write_u64(out, self.previous_event_id);
        if let Some(d) = &self.details {
            out.push(',');
            json_text::write_plain_str(out, d.key());
            out.push(':');
            out.push_str(d.json());
        }
        out.push('}');
    }

    /// [`HistoryEvent::write_json`] as a string.
    pub fn to_json_text(&self) -> String {
        let mut out =
            String::with_capacity(96 + self.details.as_ref().map_or(0, |d| d.json().len()));
        self.write_json(&mut out);
        out
    }

    /// [`HistoryEvent::write_json`] as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.to_json_text()).unwrap_or(Value::Null)
    }

    /// Reads an event back from its JSON (as [`HistoryEvent::write_json`] wrote it); `None` for
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
        let event_type = EventType::parse(m.get("type")?.as_str()?)?;
        let details = event_type
            .details_key()
            .and_then(|key| Some(EventDetails::new(key, m.get(key)?)));
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
    /// The JSON of [`HistoryEvent::write_json`] (prefer that: this reads the text back first).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
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
        event_type: EventType,
        details: Option<EventDetails>,
    ) -> u64 {
        self.push_within(usize::MAX, previous, timestamp, event_type, details)
            .unwrap_or_default()
    }

    /// [`History::push`] while the history holds fewer than `cap` events; `None` (nothing
    /// appended) once it holds that many.
    pub fn push_within(
        &self,
        cap: usize,
        previous: u64,
        timestamp: DateTime<Utc>,
        event_type: EventType,
        details: Option<EventDetails>,
    ) -> Option<u64> {
        let mut ev = self.lock();
        if ev.len() >= cap {
            return None;
        }
        let id = ev.len() as u64 + 1;
        ev.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp,
            event_type,
            details,
        });
        if let (Some((arn, listener)), Some(last)) = (&self.listener, ev.last()) {
            listener(arn, last);
        }
        Some(id)
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

    /// A copy of the events with these ids (1-based), as far as there are any: what a page of
    /// a long history costs, without copying the rest.
    pub fn snapshot_ids(&self, ids: std::ops::RangeInclusive<u64>) -> Vec<HistoryEvent> {
        let events = self.lock();
        let len = events.len() as u64;
        let first = (*ids.start()).max(1);
        let last = (*ids.end()).min(len);
        if first > last {
            return Vec::new();
        }
        events[(first - 1) as usize..last as usize].to_vec()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, json};

    #[test]
    fn events_read_back_from_json() {
        let e = HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            event_type: EventType::TaskStateEntered,
            details: Some(EventDetails::new(
                "stateEnteredEventDetails",
                &json!({"name": "T", "input": "{}"}),
            )),
        };
        assert_eq!(HistoryEvent::from_json(&e.to_json()), Some(e.clone()));
        assert_eq!(e.to_json_text(), e.to_json().to_string());
        assert_eq!(HistoryEvent::from_json(&json!({"id": "x"})), None);
    }

    #[test]
    fn a_server_builds_its_own_closing_event() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_500).unwrap();
        let e = HistoryEvent::with_error(7, 6, at, EventType::ExecutionAborted, Some("E"), None);
        assert_eq!(
            e.to_json_text(),
            r#"{"timestamp":1700000000.5,"type":"ExecutionAborted","id":7,"previousEventId":6,"executionAbortedEventDetails":{"error":"E"}}"#
        );
        assert_eq!(e.event_type.terminal_status(), Some(crate::Status::Aborted));
        assert_eq!(HistoryEvent::from_json(&e.to_json()), Some(e.clone()));
        let p = HistoryEvent::new(8, 7, at, EventType::ParallelStateStarted, Some(&json!({})));
        assert_eq!(p.details, None, "a type without details keeps none");
    }

    #[test]
    fn identity_reads_name_and_index_only() {
        let it = EventDetails::new(
            "mapIterationStartedEventDetails",
            &json!({"index": 3, "name": "M"}),
        );
        let id = it.identity().unwrap();
        assert_eq!((id.name.as_deref(), id.index), (Some("M"), Some(3)));
        // A "name" inside the input text is not the state's.
        let entered = EventDetails::new(
            "stateEnteredEventDetails",
            &json!({"name": "A \"q\"", "input": "{\"name\":\"B\"}", "inputDetails": {"truncated": false}}),
        );
        assert_eq!(entered.name().as_deref(), Some("A \"q\""));
        assert_eq!(entered.identity().unwrap().index, None);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::String),
            "[\"\\\\/\u{0}-\u{1f}\u{7f}é😀a]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Event timestamps read exactly as serde_json writes the same number as a float.
        #[test]
        fn epoch_seconds_match_the_float_text(ms in prop_oneof![
            0i64..4_000_000_000_000,
            3_000_000_000_000_000i64..5_000_000_000_000_000,
            any::<i64>(),
            Just(0i64),
            Just(1_700_000_000_000i64),
        ]) {
            let mut out = String::new();
            write_epoch_seconds(&mut out, ms);
            let expected = serde_json::to_string(&(ms as f64 / 1000.0)).unwrap();
            prop_assert_eq!(out, expected);
        }

        /// The details writer writes what serde_json writes for the same object, and counts
        /// a document's size as the length of its JSON text.
        #[test]
        fn details_writer_matches_serde_json(
            name in any::<String>(),
            doc in json_value(),
            vars in prop::collection::vec((any::<String>(), json_value()), 0..3),
        ) {
            let vars: Map<String, Value> = vars.into_iter().collect();
            let text = doc.to_string();
            let mut d = DetailsWriter::new();
            d.json_texts("assignedVariables", &vars).str("name", &name);
            let size = d.json_text("output", &doc);
            d.raw("outputDetails", r#"{"truncated":false}"#);
            let written = d.finish(EventType::PassStateExited).unwrap();
            let texts: Map<String, Value> = vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                .collect();
            let expected = json!({
                "assignedVariables": texts,
                "name": name,
                "output": text,
                "outputDetails": {"truncated": false},
            });
            prop_assert_eq!(written.json(), expected.to_string());
            prop_assert_eq!(size, text.len());
        }
    }
}
