//! Compact JSON text, the one writer of it: byte for byte what `serde_json::to_writer` writes
//! for a [`Value`] (key order kept, the same escapes), and the same text written *inside* a
//! JSON string in one pass, as AWS's events carry documents (`"output": "{\"a\":1}"`).
//!
//! Every history event writes a few of these (its type, the state's name, the input or
//! output as text), so they are written straight into a byte buffer: `serde_json`'s writer
//! goes through `io::Write` three times per string, which cost more than the strings
//! themselves (a fifth of a 10,000-transition run).
//!
//! The escapes are serde_json's: `"` and `\` escaped with a backslash; the control characters
//! below U+0020 as `\b`, `\f`, `\n`, `\r`, `\t` or `\u00XX` (lower-case hex); nothing else
//! (not `/`, not DEL, not non-ASCII). A property test holds every function to serde_json.

use serde_json::Value;

/// What each byte becomes inside a JSON string: 0 for itself, else the character after the
/// backslash (`u` for `\u00XX`).
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `s` as a JSON string literal, quotes included.
pub fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    Writer { out, twice: false }.fragment(s);
    out.push('"');
}

/// `s`, which needs no escaping (a member or type name written in the code), as a JSON string
/// literal: the common case of [`write_str`] without looking at the bytes.
pub fn write_plain_str(out: &mut String, s: &'static str) {
    debug_assert!(s.bytes().all(|b| ESCAPE[usize::from(b)] == 0), "{s:?}");
    out.reserve(s.len() + 2);
    out.push('"');
    out.push_str(s);
    out.push('"');
}

/// `n` as JSON writes it.
pub fn write_u64(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `v` as compact JSON text.
pub fn write_value(out: &mut String, v: &Value) {
    Writer { out, twice: false }.value(v);
}

/// `v` as compact JSON text escaped for use inside a JSON string (without the string's own
/// quotes). Returns the size of the text itself, before the second escaping: what AWS's
/// payload limits count.
pub fn write_value_in_string(out: &mut String, v: &Value) -> usize {
    let mut w = Writer { out, twice: true };
    w.value(v)
}

/// `v` as compact JSON text.
pub fn to_string(v: &Value) -> String {
    let mut out = String::with_capacity(64);
    write_value(&mut out, v);
    out
}

struct Writer<'a> {
    out: &'a mut String,
    /// Inside a JSON string: every backslash and quote of the text is escaped again.
    twice: bool,
}

impl Writer<'_> {
    /// Writes `v`; returns the size of its text escaped once.
    fn value(&mut self, v: &Value) -> usize {
        match v {
            Value::Null => self.ascii("null"),
            Value::Bool(true) => self.ascii("true"),
            Value::Bool(false) => self.ascii("false"),
            Value::Number(n) => {
                let start = self.out.len();
                if let Some(u) = n.as_u64() {
                    self.out.push_str(itoa::Buffer::new().format(u));
                } else if let Some(i) = n.as_i64() {
                    self.out.push_str(itoa::Buffer::new().format(i));
                } else {
                    // Floats are rare in documents: serde_json's own formatting, which never
                    // needs escaping.
                    self.out.push_str(&n.to_string());
                }
                self.out.len() - start
            }
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.out.push('[');
                let mut size = 2;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                        size += 1;
                    }
                    size += self.value(item);
                }
                self.out.push(']');
                size
            }
            Value::Object(map) => {
                self.out.push('{');
                let mut size = 2;
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                        size += 1;
                    }
                    size += self.string(k);
                    self.out.push(':');
                    size += 1 + self.value(item);
                }
                self.out.push('}');
                size
            }
        }
    }

    fn ascii(&mut self, text: &str) -> usize {
        self.out.push_str(text);
        text.len()
    }

    /// A string value with its quotes; returns its size escaped once.
    fn string(&mut self, s: &str) -> usize {
        self.out.reserve(s.len() + 4);
        self.quote();
        let size = self.fragment(s);
        self.quote();
        size + 2
    }

    /// A string's quote (escaped inside a string).
    fn quote(&mut self) {
        if self.twice {
            self.out.push('\\');
        }
        self.out.push('"');
    }

    /// The escaped characters of `s` without quotes; returns their size escaped once. Clean
    /// runs are found eight bytes at a time and copied whole.
    fn fragment(&mut self, s: &str) -> usize {
        let bytes = s.as_bytes();
        // A short clean ASCII string (a member name, mostly): pushed byte by byte, cheaper
        // than a copy call for a few bytes.
        if bytes.len() < 8
            && bytes
                .iter()
                .all(|&b| b < 0x80 && ESCAPE[usize::from(b)] == 0)
        {
            for &b in bytes {
                self.out.push(char::from(b));
            }
            return bytes.len();
        }
        let mut size = bytes.len();
        // Bytes before `start` are written; bytes before `i` are looked at.
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let end = match bytes.get(i..i + 8) {
                Some(word) if !needs_escape(word) => {
                    i += 8;
                    continue;
                }
                Some(_) => i + 8,
                // The last few bytes: the word that ends with them, when the string has one.
                None if bytes.len() >= 8 && !needs_escape(&bytes[bytes.len() - 8..]) => break,
                None => bytes.len(),
            };
            while i < end {
                let b = bytes[i];
                let e = ESCAPE[usize::from(b)];
                if e != 0 {
                    // Escaped bytes are ASCII, so `start` and `i` are character boundaries.
                    self.out.push_str(&s[start..i]);
                    start = i + 1;
                    size += self.escape(b, e);
                }
                i += 1;
            }
        }
        self.out.push_str(&s[start..]);
        size
    }

    /// The escape of byte `b` (`e`: its [`ESCAPE`] entry); returns how many bytes longer than
    /// `b` it is, escaped once.
    fn escape(&mut self, b: u8, e: u8) -> usize {
        // One character at a time: short constant pushes, no copy calls (escapes are dense
        // in the text of a document, one per quote).
        if self.twice {
            self.out.push('\\');
        }
        self.out.push('\\');
        match e {
            b'"' | b'\\' => {
                if self.twice {
                    self.out.push('\\');
                }
                self.out.push(char::from(e));
                1
            }
            b'u' => {
                self.out.push('u');
                self.out.push('0');
                self.out.push('0');
                self.out.push(char::from(HEX[usize::from(b >> 4)]));
                self.out.push(char::from(HEX[usize::from(b & 0xF)]));
                5
            }
            _ => {
                self.out.push(char::from(e));
                1
            }
        }
    }
}

/// Whether any of these eight bytes needs escaping: a control character, `"` or `\`. The
/// classic word-at-a-time tests, exact for "any" (`has_less(x, n)` holds iff a byte of `x` is
/// below `n`, for n <= 128; `has_zero` iff a byte is 0).
#[inline]
fn needs_escape(word: &[u8]) -> bool {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 0x80;
    let mut w = [0u8; 8];
    w.copy_from_slice(word);
    let x = u64::from_le_bytes(w);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    (below_space | has_zero(x ^ (ONES * u64::from(b'"'))) | has_zero(x ^ (ONES * u64::from(b'\\'))))
        != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn text(v: &Value) -> String {
        to_string(v)
    }

    fn in_string(v: &Value) -> (String, usize) {
        let mut out = String::new();
        let size = write_value_in_string(&mut out, v);
        (out, size)
    }

    /// What the text inside a string must be: serde_json's string literal of serde_json's text,
    /// without its quotes.
    fn serde_in_string(v: &Value) -> String {
        let lit = serde_json::to_string(&serde_json::to_string(v).unwrap()).unwrap();
        lit[1..lit.len() - 1].to_owned()
    }

    #[test]
    fn every_escape_as_serde_json_writes_it() {
        let all: String = (0u8..0x80).map(char::from).collect();
        let cases = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
            json!(0.1),
            json!(""),
            json!(all),
            json!("é ✓ 😀 \u{7f} / \\ \""),
            json!({"a\"b": [1, "x\ny", {"": null}], "z": {}, "e": []}),
        ];
        for v in &cases {
            assert_eq!(text(v), serde_json::to_string(v).unwrap(), "{v:?}");
            let (s, size) = in_string(v);
            assert_eq!(s, serde_in_string(v), "{v:?}");
            assert_eq!(size, serde_json::to_string(v).unwrap().len(), "{v:?}");
        }
        let mut lit = String::new();
        write_str(&mut lit, "a\"\\\u{1}\t");
        assert_eq!(lit, r#""a\"\\\u0001\t""#);
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            // Escapes at every position of the eight-byte words.
            "[\\x00-\\x7f]{0,40}".prop_map(Value::String),
            "[ab\"\\\\\n\\x01\\x1f\\x7fé]{0,30}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn writes_what_serde_json_writes(v in any_value()) {
            let expected = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(text(&v), expected.clone());
            let (s, size) = in_string(&v);
            prop_assert_eq!(s, serde_in_string(&v));
            prop_assert_eq!(size, expected.len());
            let mut lit = String::new();
            write_str(&mut lit, &expected);
            prop_assert_eq!(lit, serde_json::to_string(&expected).unwrap());
        }
    }
}
