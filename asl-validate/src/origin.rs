//! Text put together from the strings of a template, and where each byte of it came from.
//!
//! A `DefinitionString` is JSON assembled by CloudFormation (`Fn::Join` of literal parts and
//! `Fn::GetAtt`s, `Fn::Sub` with substitutions). The rules see the assembled text; a report
//! must point into the template. [`Assembled`] keeps, for every run of bytes copied from a
//! template string, the pointer of that string and the offset in it, and
//! [`json_string_offset`] / [`yaml_scalar_position`] turn such an offset into a place in the
//! template file.

use std::ops::Range;

use asl_core::parse::{LineCol, locate_offset};
use yaml_rust2::scanner::TScalarStyle;

/// JSON text, with the template strings its bytes were copied from.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Assembled {
    pub text: String,
    /// Runs of `text` copied from a template string, in order.
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    /// Where the run starts in the assembled text.
    at: usize,
    len: usize,
    /// Pointer of the template string it was copied from.
    pointer: String,
    /// Where the run starts in that string's value.
    from: usize,
}

impl Assembled {
    /// A template string, whole.
    pub fn literal(s: &str, pointer: String) -> Self {
        Assembled {
            text: s.to_string(),
            pieces: vec![Piece {
                at: 0,
                len: s.len(),
                pointer,
                from: 0,
            }],
        }
    }

    /// Text from nowhere in the template (a resolved value, a placeholder).
    pub fn plain(s: impl Into<String>) -> Self {
        Assembled {
            text: s.into(),
            pieces: Vec::new(),
        }
    }

    /// Appends `other.text[range]`, keeping where its bytes came from.
    pub fn push(&mut self, other: &Assembled, range: Range<usize>) {
        let base = self.text.len();
        self.text.push_str(&other.text[range.clone()]);
        for p in &other.pieces {
            let start = p.at.max(range.start);
            let end = (p.at + p.len).min(range.end);
            if start < end {
                self.pieces.push(Piece {
                    at: base + start - range.start,
                    len: end - start,
                    pointer: p.pointer.clone(),
                    from: p.from + start - p.at,
                });
            }
        }
    }

    /// Appends all of `other`.
    pub fn push_all(&mut self, other: &Assembled) {
        self.push(other, 0..other.text.len());
    }

    /// Appends text from nowhere in the template.
    pub fn push_plain(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// The template string byte `offset` was copied from, and the offset in its value. A byte
    /// from nowhere (inside a substituted value) answers with the nearest copied byte before it.
    pub fn origin(&self, offset: usize) -> Option<(&str, usize)> {
        let p = self.pieces.iter().rev().find(|p| p.at <= offset)?;
        let within = (offset - p.at).min(p.len.saturating_sub(1));
        Some((&p.pointer, p.from + within))
    }
}

/// Byte offset, in the JSON file `source`, of byte `offset` of the value of the string at
/// `pointer` (escapes are counted as the bytes they stand for).
pub(crate) fn json_string_offset(source: &str, pointer: &str, offset: usize) -> Option<usize> {
    let b = source.as_bytes();
    let mut i = locate_offset(source, pointer)?;
    // An object member is located at its key: step over it to the value.
    if b.get(i) == Some(&b'"') {
        let after_key = skip_string(b, i)?;
        let j = skip_ws(b, after_key);
        if b.get(j) == Some(&b':') {
            i = skip_ws(b, j + 1);
        }
    }
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    let mut decoded = 0;
    while decoded < offset {
        match *b.get(i)? {
            b'"' => return None,
            b'\\' => {
                let (len, width) = match *b.get(i + 1)? {
                    b'u' => {
                        let hex = source.get(i + 2..i + 6)?;
                        let unit = u32::from_str_radix(hex, 16).ok()?;
                        if (0xD800..0xDC00).contains(&unit) {
                            (12, 4)
                        } else {
                            (6, char::from_u32(unit).map_or(3, char::len_utf8))
                        }
                    }
                    _ => (2, 1),
                };
                i += len;
                decoded += width;
            }
            _ => {
                i += 1;
                decoded += 1;
            }
        }
    }
    Some(i)
}

fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Position, in the YAML file `source`, of byte `offset` of a scalar's value, given where the
/// scalar starts (`at`) and its style. Literal blocks (`|`, the usual way to write JSON in YAML)
/// map line by line; single-line scalars map by column; anything else answers `None`.
pub(crate) fn yaml_scalar_position(
    source: &str,
    at: LineCol,
    style: TScalarStyle,
    value: &str,
    offset: usize,
) -> Option<LineCol> {
    let lines: Vec<&str> = source.lines().collect();
    let before = value.get(..offset)?;
    let line_in_value = before.matches('\n').count();
    let column_in_value = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count();
    match style {
        TScalarStyle::Literal => {
            // The scanner marks a literal block where its content starts (the line after the
            // `|`); every line of the value is a line of the file, after the block's indent.
            let indent = lines
                .iter()
                .skip(at.line.checked_sub(1)?)
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())?;
            Some(LineCol {
                line: at.line + line_in_value,
                column: indent + column_in_value + 1,
            })
        }
        TScalarStyle::Plain | TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
            if !value.contains('\n') =>
        {
            let line = lines.get(at.line.checked_sub(1)?)?;
            let rest: Vec<char> = line.chars().skip(at.column.saturating_sub(1)).collect();
            let quoted = style != TScalarStyle::Plain;
            let mut i = usize::from(quoted);
            for _ in 0..column_in_value {
                i += match (style, rest.get(i)?) {
                    (TScalarStyle::SingleQuoted, '\'') => 2,
                    (TScalarStyle::DoubleQuoted, '\\') => match rest.get(i + 1)? {
                        'x' => 4,
                        'u' => 6,
                        'U' => 10,
                        _ => 2,
                    },
                    _ => 1,
                };
            }
            Some(LineCol {
                line: at.line,
                column: at.column + i,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_survive_copies() {
        let a = Assembled::literal("{\"a\": 1}", "/p/0".into());
        let mut b = Assembled::plain("xx");
        b.push(&a, 2..8);
        assert_eq!(b.text, "xxa\": 1}");
        assert_eq!(b.origin(2), Some(("/p/0", 2)));
        assert_eq!(b.origin(7), Some(("/p/0", 7)));
        assert_eq!(b.origin(0), None);
    }

    #[test]
    fn json_string_offsets_count_escapes() {
        let src = r#"{"k": "a\"b\u00e9c", "l": ["x\\y"]}"#;
        let at = |p, o| json_string_offset(src, p, o).map(|i| &src[i..i + 1]);
        assert_eq!(at("/k", 0), Some("a"));
        assert_eq!(at("/k", 2), Some("b"));
        assert_eq!(at("/k", 5), Some("c"));
        assert_eq!(at("/l/0", 2), Some("y"));
    }

    #[test]
    fn yaml_literal_blocks_map_by_line() {
        let src = "k: |\n  {\n    \"a\": 1\n  }\n";
        let at = LineCol { line: 2, column: 3 };
        let value = "{\n  \"a\": 1\n}\n";
        let pos = yaml_scalar_position(src, at, TScalarStyle::Literal, value, 4);
        assert_eq!(pos, Some(LineCol { line: 3, column: 5 }));
    }
}
