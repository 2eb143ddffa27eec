//! Finds where a JSON pointer points in the source text, without building a second tree.
//!
//! The model stores pointers only; when a diagnostic is rendered, this small scanner walks the
//! text to the node. It tolerates any input: on malformed text it returns `None`.

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// Line and column of byte `offset` in `source`.
pub fn line_col_at(source: &str, offset: usize) -> LineCol {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line,
        column: before[line_start..].chars().count() + 1,
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Line and column of the node at `pointer`. For an object member, the position of its key
/// (that is where editors point for "this field"); for an array element, the element itself.
pub fn locate(source: &str, pointer: &str) -> Option<LineCol> {
    locate_offset(source, pointer).map(|o| line_col_at(source, o))
}

/// Byte offset of the node at `pointer` (see [`locate`]).
pub fn locate_offset(source: &str, pointer: &str) -> Option<usize> {
    let mut s = Scanner {
        b: source.as_bytes(),
        i: 0,
    };
    s.ws();
    if pointer.is_empty() {
        return Some(s.i);
    }
    let tokens: Vec<String> = pointer
        .strip_prefix('/')?
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut at_key = None;
    for token in &tokens {
        s.ws();
        match s.peek()? {
            b'{' => {
                s.i += 1;
                loop {
                    s.ws();
                    if s.peek()? == b'}' {
                        return None;
                    }
                    let key_start = s.i;
                    let key = s.string()?;
                    s.ws();
                    s.expect(b':')?;
                    s.ws();
                    if key == *token {
                        at_key = Some(key_start);
                        break;
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.i += 1;
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                s.i += 1;
                for _ in 0..index {
                    s.ws();
                    s.skip_value()?;
                    s.ws();
                    s.expect(b',')?;
                }
                s.ws();
                at_key = Some(s.i);
            }
            _ => return None,
        }
    }
    at_key
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Reads a string token and returns its decoded value.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.expect(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
        let raw = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
        serde_json::from_str(raw).ok()
    }

    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                loop {
                    self.ws();
                    if self.peek()? == close {
                        self.i += 1;
                        break;
                    }
                    if open == b'{' {
                        self.string()?;
                        self.ws();
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                    self.ws();
                    if self.peek()? == b',' {
                        self.i += 1;
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    self.i += 1;
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n    \"a/b\": [1, {\"x\": 2}]\n  }\n}";

    #[test]
    fn finds_keys_and_elements() {
        assert_eq!(locate(SRC, ""), Some(LineCol { line: 1, column: 1 }));
        assert_eq!(
            locate(SRC, "/StartAt"),
            Some(LineCol { line: 2, column: 3 })
        );
        assert_eq!(
            locate(SRC, "/States/A/Next"),
            Some(LineCol {
                line: 4,
                column: 27
            })
        );
        assert_eq!(
            locate(SRC, "/States/a~1b/1/x"),
            Some(LineCol {
                line: 5,
                column: 17
            })
        );
        assert_eq!(locate(SRC, "/States/Missing"), None);
        assert_eq!(locate(SRC, "/States/a~1b/7"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(src in ".{0,200}", ptr in "(/[a-z0-9~]{0,3}){0,4}") {
            let _ = locate(&src, &ptr);
        }
    }
}
