//! One pass over the JSON text for what the parsed value can no longer tell: how deep it
//! nests, and which state names appear twice in one `States` object (serde_json keeps only one).
//!
//! The pass does a bounded amount of work per byte, whatever the shape of the text: it keeps
//! one frame per open container (and none past [`MAX_JSON_DEPTH`], where only the depth is
//! counted), remembers the keys of `States` objects only, and writes no JSON pointer while it
//! reads. A pointer is a chain of shared tokens, written out when a diagnostic is made.

use std::collections::HashSet;
use std::rc::Rc;

use asl_core::limits::MAX_JSON_DEPTH;
use asl_core::parse::work;

/// What the text scan found.
#[derive(Debug, Default)]
pub(crate) struct TextFacts {
    /// The deepest nesting of objects and arrays.
    pub max_depth: usize,
    /// Every key that repeats within a `States` object.
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// A key written twice in one `States` object.
#[derive(Debug)]
pub(crate) struct DuplicateKey {
    /// The object.
    pub object: Path,
    pub key: String,
}

/// The pointer of a container: its parent's and one token, shared by every descendant.
#[derive(Debug, Clone, Default)]
pub(crate) struct Path(Option<Rc<Link>>);

#[derive(Debug)]
struct Link {
    parent: Path,
    token: Token,
    /// Bytes of the rendered pointer.
    len: usize,
}

#[derive(Debug)]
enum Token {
    Key(String),
    Index(usize),
}

impl Path {
    fn child(&self, token: Token) -> Path {
        let token_len = match &token {
            Token::Key(k) => k.len() + k.bytes().filter(|b| matches!(b, b'~' | b'/')).count(),
            Token::Index(i) => i.to_string().len(),
        };
        Path(Some(Rc::new(Link {
            parent: self.clone(),
            len: self.len() + 1 + token_len,
            token,
        })))
    }

    /// Bytes of the rendered pointer.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |l| l.len)
    }

    /// The pointer (`""` for the document).
    pub fn render(&self) -> String {
        let mut tokens = Vec::new();
        let mut at = &self.0;
        while let Some(link) = at {
            tokens.push(&link.token);
            at = &link.parent.0;
        }
        let mut out = String::with_capacity(self.len());
        for t in tokens.iter().rev() {
            out.push('/');
            match t {
                Token::Key(k) => out.push_str(&crate::diagnostic::escape(k)),
                Token::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

enum Frame {
    Object {
        path: Path,
        /// The keys seen so far, for a `States` object only.
        keys: Option<HashSet<String>>,
        /// The key whose value is being read.
        key: Option<String>,
    },
    Array {
        path: Path,
        index: usize,
    },
}

impl Frame {
    /// The path of a container about to be read inside this one.
    fn child(&self) -> Path {
        match self {
            Frame::Object { path, key, .. } => {
                path.child(Token::Key(key.clone().unwrap_or_default()))
            }
            Frame::Array { path, index } => path.child(Token::Index(*index)),
        }
    }
}

/// Scans `text`; on malformed JSON it stops quietly with what it has (the JSON parser reports
/// the syntax error).
pub(crate) fn scan(text: &str) -> TextFacts {
    let b = text.as_bytes();
    let mut facts = TextFacts::default();
    let mut stack: Vec<Frame> = Vec::new();
    // Containers open, including those past the limit that have no frame.
    let mut depth = 0usize;
    let mut i = 0;
    // In an object, a string is a key when it follows `{` or `,`.
    let mut expect_key = false;
    while i < b.len() {
        match b[i] {
            c @ (b'{' | b'[') => {
                depth += 1;
                facts.max_depth = facts.max_depth.max(depth);
                // Past the limit the definition is refused: only the depth matters.
                if depth <= MAX_JSON_DEPTH {
                    let path = stack.last().map(Frame::child).unwrap_or_default();
                    stack.push(if c == b'{' {
                        let states = matches!(
                            stack.last(),
                            Some(Frame::Object { key: Some(k), .. }) if k == "States"
                        );
                        Frame::Object {
                            path,
                            keys: states.then(HashSet::new),
                            key: None,
                        }
                    } else {
                        Frame::Array { path, index: 0 }
                    });
                }
                expect_key = c == b'{';
                i += 1;
            }
            b'}' | b']' => {
                if depth > 0 {
                    if depth <= MAX_JSON_DEPTH {
                        stack.pop();
                    }
                    depth -= 1;
                }
                expect_key = false;
                i += 1;
            }
            b',' => {
                if depth <= MAX_JSON_DEPTH {
                    match stack.last_mut() {
                        Some(Frame::Array { index, .. }) => *index += 1,
                        Some(Frame::Object { .. }) => expect_key = true,
                        None => {}
                    }
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
                if expect_key
                    && depth <= MAX_JSON_DEPTH
                    && let Some(Frame::Object { path, keys, key }) = stack.last_mut()
                {
                    let raw = text.get(start..i.min(text.len())).unwrap_or("\"\"");
                    let k: String = if raw.contains('\\') {
                        serde_json::from_str(raw).unwrap_or_default()
                    } else {
                        raw.trim_matches('"').to_string()
                    };
                    if let Some(keys) = keys
                        && !keys.insert(k.clone())
                    {
                        facts.duplicate_keys.push(DuplicateKey {
                            object: path.clone(),
                            key: k.clone(),
                        });
                    }
                    *key = Some(k);
                    expect_key = false;
                }
            }
            _ => i += 1,
        }
    }
    work::count(b.len());
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicates(text: &str) -> Vec<(String, String)> {
        scan(text)
            .duplicate_keys
            .iter()
            .map(|d| (d.object.render(), d.key.clone()))
            .collect()
    }

    #[test]
    fn finds_depth_and_duplicates() {
        let facts = scan(r#"{"States": {"A": {"x": [1, {"y": 2}]}, "A": {}}, "k": "a\"b"}"#);
        assert_eq!(facts.max_depth, 5);
        assert_eq!(
            duplicates(r#"{"States": {"A": {"x": [1, {"y": 2}]}, "A": {}}, "k": "a\"b"}"#),
            [("/States".to_string(), "A".to_string())]
        );
        // Only `States` objects are looked at; escaped keys are decoded.
        assert_eq!(
            duplicates(r#"{"a": {"x": 1, "x": 2}, "b": [{"S\u0074ates": {"a/b": 1, "a\/b": 2}}]}"#),
            [("/b/0/States".to_string(), "a/b".to_string())]
        );
        let p = &scan(r#"{"a/b": [{"States": {"A": 1, "A": 2}}]}"#).duplicate_keys[0].object;
        assert_eq!(p.render(), "/a~1b/0/States");
        assert_eq!(p.len(), p.render().len());
    }

    #[test]
    fn deep_text_is_counted_not_stacked() {
        let text = "{".repeat(1 << 20);
        let (facts, steps) = work::measure(|| scan(&text));
        assert_eq!(facts.max_depth, 1 << 20);
        assert!(steps < 4 << 20, "{steps}");
        let text = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(scan(&text).max_depth, 200);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in ".{0,200}") {
            let _ = scan(&text);
        }
    }
}
