//! An event's details member, written once as the JSON text it is stored and sent as.

use std::borrow::Cow;

use asl_core::json_text;
use serde_json::{Map, Value};

use super::EventType;

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
            json: json_text::to_string(value),
        }
    }

    /// The details of an event of type `ty` (`None` for a type without details).
    pub fn of(ty: EventType, value: &Value) -> Option<Self> {
        Some(Self::new(ty.details_key()?, value))
    }

    /// `{"error": ..., "cause": ...}`, with the members given, for an event of type `ty`
    /// (`ExecutionFailed`, `ExecutionAborted`, `MapRunFailed`, ...).
    pub fn error_cause(ty: EventType, error: Option<&str>, cause: Option<&str>) -> Option<Self> {
        let mut d = DetailsWriter::new();
        if let Some(e) = error {
            d.str("error", e);
        }
        if let Some(c) = cause {
            d.str("cause", c);
        }
        d.finish(ty)
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

/// A document's JSON text as an event's string member holds it (escaped), and the size of the
/// text itself (what AWS's payload limits count). A state's output is the next state's input,
/// and a Choice's output its input: the text is written once and copied into each event that
/// shows the same document. It travels with its value, moved, never apart from it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InString {
    escaped: String,
    size: usize,
}

impl InString {
    /// The size of the document's JSON text.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Whether this is the text of `v` (for debug assertions).
    pub(crate) fn is_text_of(&self, v: &Value) -> bool {
        let mut s = String::new();
        let size = json_text::write_value_in_string(&mut s, v);
        s == self.escaped && size == self.size
    }
}

/// Writes a details object member by member, exactly as `serde_json` writes the same object
/// compactly, without building it as a [`Value`] first (the engine's per-state events).
pub(crate) struct DetailsWriter {
    buf: String,
}

impl DetailsWriter {
    /// An empty object.
    pub fn new() -> Self {
        let mut buf = String::with_capacity(96);
        buf.push('{');
        DetailsWriter { buf }
    }

    /// A member's name, written in the code (so without escapes).
    fn key(&mut self, k: &'static str) {
        self.separator();
        json_text::write_plain_str(&mut self.buf, k);
        self.buf.push(':');
    }

    /// The first member of an object follows its `{`; the others follow a value.
    fn separator(&mut self) {
        if !self.buf.ends_with('{') {
            self.buf.push(',');
        }
    }

    /// `"k": "v"`.
    pub fn str(&mut self, k: &'static str, v: &str) -> &mut Self {
        self.key(k);
        json_text::write_str(&mut self.buf, v);
        self
    }

    /// `"k": n`.
    pub fn num(&mut self, k: &'static str, n: u64) -> &mut Self {
        self.key(k);
        json_text::write_u64(&mut self.buf, n);
        self
    }

    /// `"k": <raw JSON>`.
    pub fn raw(&mut self, k: &'static str, json: &str) -> &mut Self {
        self.key(k);
        self.buf.push_str(json);
        self
    }

    /// `"k": "<v as JSON text>"`, the document written as a string in one pass. Returns the
    /// size of the document's text (what AWS's payload limits count).
    pub fn json_text(&mut self, k: &'static str, v: &Value) -> usize {
        self.key(k);
        self.text_value(v)
    }

    /// [`DetailsWriter::json_text`], keeping the text written (for the next event that shows
    /// the same document, see [`InString`]).
    pub fn json_text_kept(&mut self, k: &'static str, v: &Value) -> InString {
        self.key(k);
        self.buf.push('"');
        let start = self.buf.len();
        let size = json_text::write_value_in_string(&mut self.buf, v);
        let escaped = self.buf[start..].to_string();
        self.buf.push('"');
        InString { escaped, size }
    }

    /// `"k": "<JSON text>"` from a text kept earlier; returns the size of the document's text.
    pub fn known_json_text(&mut self, k: &'static str, t: &InString) -> usize {
        self.key(k);
        self.buf.push('"');
        self.buf.push_str(&t.escaped);
        self.buf.push('"');
        t.size
    }

    /// `"<v as JSON text>"`; returns the size of the text.
    fn text_value(&mut self, v: &Value) -> usize {
        self.buf.push('"');
        let size = json_text::write_value_in_string(&mut self.buf, v);
        self.buf.push('"');
        size
    }

    /// `"k": {"name": "<JSON text>", ...}`: variables and their values as JSON text.
    pub fn json_texts(&mut self, k: &'static str, vars: &Map<String, Value>) -> &mut Self {
        self.key(k);
        self.buf.push('{');
        for (name, v) in vars {
            self.separator();
            json_text::write_str(&mut self.buf, name);
            self.buf.push(':');
            self.text_value(v);
        }
        self.buf.push('}');
        self
    }

    /// The details of an event of type `ty` (`None` for a type without details).
    pub fn finish(mut self, ty: EventType) -> Option<EventDetails> {
        self.buf.push('}');
        Some(EventDetails {
            key: ty.details_key()?,
            json: self.buf,
        })
    }
}

/// Epoch milliseconds as the seconds number AWS writes (`1700000000.123`), digit for digit what
/// `serde_json` writes for `ms as f64 / 1000.0`, without formatting a float: below 4 * 10^12 s
/// (doubles there are closer than 0.0005 apart) the shortest decimal of that float is the
/// exact decimal, trailing zeros dropped.
pub(super) fn write_epoch_seconds(out: &mut String, ms: i64) {
    if !(0..4_000_000_000_000_000).contains(&ms) {
        json_text::write_value(out, &Value::from(ms as f64 / 1000.0));
        return;
    }
    json_text::write_u64(out, (ms / 1000) as u64);
    let frac = ms % 1000;
    let digits = [
        char::from(b'0' + (frac / 100) as u8),
        char::from(b'0' + (frac / 10 % 10) as u8),
        char::from(b'0' + (frac % 10) as u8),
    ];
    let keep = match frac {
        0 => 1,
        f if f % 100 == 0 => 1,
        f if f % 10 == 0 => 2,
        _ => 3,
    };
    out.push('.');
    for &d in &digits[..keep] {
        out.push(d);
    }
}

/// `ExecutionStarted`'s details: the input text as given, and the role.
pub(crate) fn execution_started(input_text: &str, role_arn: &str) -> Option<EventDetails> {
    let mut d = DetailsWriter::new();
    d.str("input", input_text)
        .raw("inputDetails", NOT_TRUNCATED)
        .str("roleArn", role_arn);
    d.finish(EventType::ExecutionStarted)
}

/// `{"output": "<JSON text>", "outputDetails": {"truncated": false}}` for an event of type
/// `ty` (a task's or an execution's success).
pub(crate) fn output_details(ty: EventType, v: &Value) -> Option<EventDetails> {
    let mut d = DetailsWriter::new();
    d.json_text("output", v);
    d.raw("outputDetails", NOT_TRUNCATED);
    d.finish(ty)
}

/// `{"truncated": false}`: we never truncate (payloads over the limit fail the state instead).
pub(crate) const NOT_TRUNCATED: &str = r#"{"truncated":false}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A kept text writes what writing the value writes, and shows it again byte for byte.
    #[test]
    fn a_kept_text_is_written_as_the_value_is() {
        for v in [
            json!({"i": 1, "n": 5000}),
            json!("quote \" backslash \\ newline \n control \u{1} é 😀"),
            json!([1.5, -2, null, true, {"k": [{}]}]),
            json!(null),
        ] {
            let ty = EventType::PassStateExited;
            let mut plain = DetailsWriter::new();
            let size = plain.json_text("output", &v);
            let mut kept = DetailsWriter::new();
            let text = kept.json_text_kept("output", &v);
            let mut again = DetailsWriter::new();
            assert_eq!(again.known_json_text("output", &text), size);
            assert_eq!(text.size(), size);
            assert!(text.is_text_of(&v));
            assert!(!text.is_text_of(&json!({"other": 1})));
            let (plain, kept, again) = (plain.finish(ty), kept.finish(ty), again.finish(ty));
            assert_eq!(plain, kept);
            assert_eq!(plain, again);
            let want = json!({"output": serde_json::to_string(&v).unwrap()});
            assert_eq!(plain.unwrap().value(), want);
        }
    }
}
