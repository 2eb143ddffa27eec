//! One pass over the JSON text for what the parsed value can no longer tell: how deep it
//! nests, and which object keys appear twice (serde_json keeps only one of them).

use std::collections::HashSet;

use crate::diagnostic::escape;

/// What the text scan found.
#[derive(Debug, Default)]
pub(crate) struct TextFacts {
    /// The deepest nesting of objects and arrays.
    pub max_depth: usize,
    /// `(pointer of the object, key)` for every key that repeats within its object.
    pub duplicate_keys: Vec<(String, String)>,
}

enum Frame {
    Object {
        pointer: String,
        keys: HashSet<String>,
        key: Option<String>,
    },
    Array {
        pointer: String,
        index: usize,
    },
}

impl Frame {
    /// The pointer of the value about to be read inside this container.
    fn child(&self) -> String {
        match self {
            Frame::Object { pointer, key, .. } => {
                format!("{pointer}/{}", escape(key.as_deref().unwrap_or_default()))
            }
            Frame::Array { pointer, index } => format!("{pointer}/{index}"),
        }
    }
}

/// Scans `text`; on malformed JSON it stops quietly with what it has (the JSON parser reports
/// the syntax error).
pub(crate) fn scan(text: &str) -> TextFacts {
    let b = text.as_bytes();
    let mut facts = TextFacts::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // In an object, a string is a key when it follows `{` or `,`.
    let mut expect_key = false;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => {
                let pointer = stack.last().map(Frame::child).unwrap_or_default();
                stack.push(if b[i] == b'{' {
                    Frame::Object {
                        pointer,
                        keys: HashSet::new(),
                        key: None,
                    }
                } else {
                    Frame::Array { pointer, index: 0 }
                });
                facts.max_depth = facts.max_depth.max(stack.len());
                expect_key = b[i] == b'{';
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Array { index, .. }) => *index += 1,
                    Some(Frame::Object { .. }) => expect_key = true,
                    None => {}
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                if expect_key && let Some(Frame::Object { pointer, keys, key }) = stack.last_mut() {
                    let raw = text.get(start..i.min(text.len())).unwrap_or("\"\"");
                    let k: String = serde_json::from_str(raw).unwrap_or_default();
                    if !keys.insert(k.clone()) {
                        facts.duplicate_keys.push((pointer.clone(), k.clone()));
                    }
                    *key = Some(k);
                    expect_key = false;
                }
            }
            _ => i += 1,
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_depth_and_duplicates() {
        let facts = scan(r#"{"States": {"A": {"x": [1, {"y": 2}]}, "A": {}}, "k": "a\"b"}"#);
        assert_eq!(facts.max_depth, 5);
        assert_eq!(
            facts.duplicate_keys,
            vec![("/States".to_string(), "A".to_string())]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in ".{0,200}") {
            let _ = scan(&text);
        }
    }
}
