//! The execution history, serialised exactly as `GetExecutionHistory` returns it.

use std::borrow::Cow;
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
    pub event_type: Cow<'static, str>,
    /// The `<type>EventDetails` member, if the type has one.
    pub details: Option<EventDetails>,
}

/// An event's `<type>EventDetails` member: its key, and its object kept as the JSON text it is
/// written as. An event is written (to stdout, to the store, in API responses) far more often
/// than it is read, so its text is made once, with the event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDetails {
    key: &'static str,
    json: String,
}

impl EventDetails {
    /// Details with this key and object.
    pub fn new(key: &'static str, value: &Value) -> Self {
        EventDetails {
            key,
            json: value.to_string(),
        }
    }

    /// The member name, e.g. `stateEnteredEventDetails`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The object as compact JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The object as a JSON value.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }

    /// One member of the object.
    pub fn get(&self, field: &str) -> Option<Value> {
        match self.value() {
            Value::Object(mut m) => m.remove(field),
            _ => None,
        }
    }

    /// The `name` member (a state's or a Map's), read without building the rest.
    pub fn name(&self) -> Option<String> {
        self.identity().and_then(|i| i.name).map(Cow::into_owned)
    }

    /// The members that tell apart events of one type following one event: the state's
    /// `name`, or a Map iteration's `index`.
    pub(crate) fn identity(&self) -> Option<Identity<'_>> {
        serde_json::from_str(&self.json).ok()
    }

    /// One string member of the object.
    pub fn get_str(&self, field: &str) -> Option<String> {
        match self.get(field)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// An event's identity (see [`EventDetails::identity`]); the other members are skipped unread.
#[derive(Debug, PartialEq, serde::Deserialize)]
pub(crate) struct Identity<'a> {
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    pub index: Option<u64>,
}

/// Writes a details object member by member, exactly as `serde_json` writes the same object
/// compactly, without building it as a [`Value`] first (the engine's per-state events).
pub(crate) struct DetailsWriter {
    buf: Vec<u8>,
}

impl DetailsWriter {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(96);
        buf.push(b'{');
        DetailsWriter { buf }
    }

    fn key(&mut self, k: &str) {
        // The first member of an object follows its `{`; the others follow a value.
        if self.buf.last() != Some(&b'{') {
            self.buf.push(b',');
        }
        write_str(&mut self.buf, k);
        self.buf.push(b':');
    }

    /// `"k": "v"`.
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        write_str(&mut self.buf, v);
        self
    }

    /// `"k": n`.
    pub fn num(&mut self, k: &str, n: u64) -> &mut Self {
        self.key(k);
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, &n);
        self
    }

    /// `"k": <raw JSON>`.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(json.as_bytes());
        self
    }

    /// `"k": "<v as JSON text>"`, the document written as a string in one pass. Returns the
    /// size of the document's text (what AWS's payload limits count).
    pub fn json_text(&mut self, k: &str, v: &Value) -> usize {
        self.key(k);
        self.buf.push(b'"');
        let start = self.buf.len();
        let mut extra = 0;
        let mut ser =
            serde_json::Serializer::with_formatter(&mut self.buf, InString { extra: &mut extra });
        // Writing to a Vec cannot fail, and a Value always serialises.
        let _ = v.serialize(&mut ser);
        let size = self.buf.len() - start - extra;
        self.buf.push(b'"');
        size
    }

    /// `"k": {"name": "<JSON text>", ...}`: variables and their values as JSON text.
    pub fn json_texts(&mut self, k: &str, vars: &Map<String, Value>) -> &mut Self {
        self.key(k);
        self.buf.push(b'{');
        for (name, v) in vars {
            self.json_text(name, v);
        }
        self.buf.push(b'}');
        self
    }

    pub fn finish(mut self, key: &'static str) -> EventDetails {
        self.buf.push(b'}');
        let json = String::from_utf8(self.buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        EventDetails { key, json }
    }
}

/// Epoch milliseconds as the seconds number AWS writes (`1700000000.123`), digit for digit what
/// `serde_json` writes for `ms as f64 / 1000.0`, without formatting a float: below 4 * 10^12 s
/// (doubles there are closer than 0.0005 apart) the shortest decimal of that float is the
/// exact decimal, trailing zeros dropped.
fn write_epoch_seconds(out: &mut Vec<u8>, ms: i64) {
    if !(0..4_000_000_000_000_000).contains(&ms) {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &(ms as f64 / 1000.0));
        return;
    }
    let _ = serde_json::to_writer(&mut *out, &(ms / 1000));
    let frac = ms % 1000;
    let digits = [
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ];
    let keep = match frac {
        0 => 1,
        f if f % 100 == 0 => 1,
        f if f % 10 == 0 => 2,
        _ => 3,
    };
    out.push(b'.');
    out.extend_from_slice(&digits[..keep]);
}

/// A JSON string literal, escaped as `serde_json` escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(out, s);
}

/// Writes compact JSON text already escaped for use inside a JSON string, in one pass: the text
/// of a string value is written with its quotes and escapes escaped again; nothing else in
/// compact JSON needs escaping. `extra` counts the bytes the second escaping added.
struct InString<'a> {
    extra: &'a mut usize,
}

impl serde_json::ser::Formatter for InString<'_> {
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        *self.extra += 1;
        w.write_all(b"\\\"")
    }

    fn end_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        *self.extra += 1;
        w.write_all(b"\\\"")
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape;
        let c = match escape {
            CharEscape::Quote => "\\\"",
            CharEscape::ReverseSolidus => "\\\\",
            CharEscape::Solidus => "/",
            CharEscape::Backspace => "b",
            CharEscape::FormFeed => "f",
            CharEscape::LineFeed => "n",
            CharEscape::CarriageReturn => "r",
            CharEscape::Tab => "t",
            CharEscape::AsciiControl(byte) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                *self.extra += 1;
                return w.write_all(&[
                    b'\\',
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ]);
            }
        };
        // `\x` becomes `\\x`; a quote or backslash escape also has its own character escaped:
        // one more byte per byte of `c`.
        *self.extra += c.len();
        w.write_all(b"\\\\")?;
        w.write_all(c.as_bytes())
    }
}

impl HistoryEvent {
    /// The event as AWS's JSON (`timestamp` in epoch seconds).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "timestamp".into(),
            json!(self.timestamp.timestamp_millis() as f64 / 1000.0),
        );
        m.insert("type".into(), Value::String(self.event_type.to_string()));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some(d) = &self.details {
            m.insert(d.key.to_string(), d.value());
        }
        Value::Object(m)
    }

    /// Appends the JSON of [`HistoryEvent::to_json`] to `out`, with no intermediate value.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"timestamp\":");
        write_epoch_seconds(out, self.timestamp.timestamp_millis());
        out.extend_from_slice(b",\"type\":");
        write_str(out, &self.event_type);
        out.extend_from_slice(b",\"id\":");
        let _ = serde_json::to_writer(&mut *out, &self.id);
        out.extend_from_slice(b",\"previousEventId\":");
        let _ = serde_json::to_writer(&mut *out, &self.previous_event_id);
        if let Some(d) = &self.details {
            out.push(b',');
            write_str(out, d.key);
            out.push(b':');
            out.extend_from_slice(d.json.as_bytes());
        }
        out.push(b'}');
    }

    /// [`HistoryEvent::write_json`] as a string.
    pub fn to_json_text(&self) -> String {
        let mut out = Vec::with_capacity(96 + self.details.as_ref().map_or(0, |d| d.json.len()));
        self.write_json(&mut out);
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
        let event_type = Cow::Owned(m.get("type")?.as_str()?.to_string());
        let details = m.iter().find_map(|(k, v)| {
            let key = DETAIL_KEYS.iter().find(|d| **d == k.as_str())?;
            Some(EventDetails::new(key, v))
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
    /// The same JSON as [`HistoryEvent::to_json`] (prefer [`HistoryEvent::write_json`], which
    /// copies the details' text instead of reading it back).
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
        if let Some(d) = &self.details {
            m.serialize_entry(d.key, &d.value())?;
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
        event_type: impl Into<Cow<'static, str>>,
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
        event_type: impl Into<Cow<'static, str>>,
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
            event_type: event_type.into(),
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
pub(crate) const NOT_TRUNCATED: &str = r#"{"truncated":false}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn events_read_back_from_json() {
        let e = HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            event_type: "TaskStateEntered".into(),
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
            let mut out = Vec::new();
            write_epoch_seconds(&mut out, ms);
            let expected = serde_json::to_string(&(ms as f64 / 1000.0)).unwrap();
            prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
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
            let written = d.finish("stateExitedEventDetails");
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
