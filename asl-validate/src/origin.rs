//! Text put together from the strings of a template, and where each byte of it came from.
//!
//! A `DefinitionString` is JSON assembled by CloudFormation (`Fn::Join` of literal parts and
//! `Fn::GetAtt`s, `Fn::Sub` with substitutions). The rules see the assembled text; a report
//! must point into the template. [`Assembled`] keeps, for every run of bytes copied from a
//! template string, the pointer of that string and the offset in it, and
//! [`json_string_offsets`] / [`yaml_scalar_positions`] turn such offsets into a place in the
//! template file.

use std::ops::Range;

use asl_core::parse::{LineCol, LineIndex, work};
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
        // Pieces are in text order: only those from the first that ends after the range's start
        // can overlap it (appending piece by piece stays proportional to the text).
        let first = other
            .pieces
            .partition_point(|p| p.at + p.len <= range.start);
        for p in other.pieces[first..]
            .iter()
            .take_while(|p| p.at < range.end)
        {
            work::count(1);
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

    /// Appends a template string, whole (nothing for an empty one).
    pub fn push_literal(&mut self, s: &str, pointer: String) {
        if s.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            at: self.text.len(),
            len: s.len(),
            pointer,
            from: 0,
        });
        self.text.push_str(s);
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
        let p = &self.pieces[..self.pieces.partition_point(|p| p.at <= offset)].last()?;
        let within = (offset - p.at).min(p.len.saturating_sub(1));
        Some((&p.pointer, p.from + within))
    }
}

/// Byte offsets, in the JSON file `source`, of bytes of the value of the string whose node
/// starts at `node` (a member's key or an element), escapes counted as the bytes they stand
/// for. `offsets` are visited in order in one pass over the string.
pub(crate) fn json_string_offsets(
    source: &str,
    node: usize,
    offsets: &[usize],
) -> Vec<Option<usize>> {
    let b = source.as_bytes();
    let mut out = vec![None; offsets.len()];
    let mut i = node;
    // An object member is located at its key: step over it to the value.
    if b.get(i) == Some(&b'"')
        && let Some(after_key) = asl_core::parse::location::skip_string(b, i)
    {
        let j = skip_ws(b, after_key);
        if b.get(j) == Some(&b':') {
            i = skip_ws(b, j + 1);
        }
    }
    if b.get(i) != Some(&b'"') {
        return out;
    }
    i += 1;
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&k| offsets[k]);
    let mut decoded = 0;
    for k in order {
        while decoded < offsets[k] {
            let Some((len, width)) = step(source, i) else {
                return out;
            };
            i += len;
            decoded += width;
        }
        out[k] = Some(i);
    }
    work::count(i - node);
    out
}

/// The bytes of the string character at `i` and how many bytes of the value it stands for;
/// `None` at the end of the string.
fn step(source: &str, i: usize) -> Option<(usize, usize)> {
    let b = source.as_bytes();
    Some(match *b.get(i)? {
        b'"' => return None,
        b'\\' => match *b.get(i + 1)? {
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
        },
        _ => (1, 1),
    })
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Positions, in a YAML file (indexed by `lines`), of bytes of a scalar's value, given where
/// the scalar starts (`at`) and its style. Literal blocks (`|`, the usual way to write JSON in
/// YAML) map line by line; single-line scalars map by column; anything else answers `None`.
/// `offsets` are visited in order, in one pass over the value.
pub(crate) fn yaml_scalar_positions(
    lines: &LineIndex,
    at: LineCol,
    style: TScalarStyle,
    value: &str,
    offsets: &[usize],
) -> Vec<Option<LineCol>> {
    let mut out = vec![None; offsets.len()];
    let within = LineIndex::new(value);
    match style {
        TScalarStyle::Literal => {
            // The scanner marks a literal block where its content starts (the line after the
            // `|`); every line of the value is a line of the file, after the block's indent.
            let Some(indent) = (at.line.max(1)..)
                .map_while(|n| lines.line(n))
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
            else {
                return out;
            };
            for (k, &offset) in offsets.iter().enumerate() {
                if !value.is_char_boundary(offset) {
                    continue;
                }
                let lc = within.line_col(offset);
                out[k] = Some(LineCol {
                    line: at.line + lc.line - 1,
                    column: indent + lc.column,
                });
            }
        }
        TScalarStyle::Plain | TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
            if !value.contains('\n') =>
        {
            let Some(line) = at.line.checked_sub(1).and_then(|_| lines.line(at.line)) else {
                return out;
            };
            let mut rest = line.chars().skip(at.column.saturating_sub(1));
            let quoted = style != TScalarStyle::Plain;
            let mut order: Vec<usize> = (0..offsets.len()).collect();
            order.sort_by_key(|&k| offsets[k]);
            // `i`: characters of the line consumed; `column`: characters of the value.
            let mut i = usize::from(quoted);
            if quoted {
                rest.next();
            }
            let mut column = 0;
            for k in order {
                let offset = offsets[k];
                if !value.is_char_boundary(offset) {
                    continue;
                }
                let target = within.line_col(offset).column - 1;
                while column < target {
                    let Some(c) = rest.next() else { return out };
                    let width = match (style, c) {
                        (TScalarStyle::SingleQuoted, '\'') => 2,
                        (TScalarStyle::DoubleQuoted, '\\') => match rest.clone().next() {
                            Some('x') => 4,
                            Some('u') => 6,
                            Some('U') => 10,
                            Some(_) => 2,
                            None => return out,
                        },
                        _ => 1,
                    };
                    for _ in 1..width {
                        rest.next();
                    }
                    i += width;
                    column += 1;
                }
                out[k] = Some(LineCol {
                    line: at.line,
                    column: at.column + i,
                });
            }
        }
        _ => {}
    }
    out
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

    fn json_string_offset(src: &str, pointer: &str, offset: usize) -> Option<usize> {
        let node = asl_core::parse::locate_offset(src, pointer)?;
        json_string_offsets(src, node, &[offset])[0]
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
        let lines = LineIndex::new(src);
        let pos = yaml_scalar_positions(&lines, at, TScalarStyle::Literal, value, &[4, 0]);
        assert_eq!(
            pos,
            [
                Some(LineCol { line: 3, column: 5 }),
                Some(LineCol { line: 2, column: 3 })
            ]
        );
    }

    #[test]
    fn yaml_quoted_scalars_map_by_column_in_one_pass() {
        let src = "k: 'it''s a'\nj: \"a\\tb\\u00e9c\"\n";
        let lines = LineIndex::new(src);
        let at = LineCol { line: 1, column: 4 };
        let pos =
            yaml_scalar_positions(&lines, at, TScalarStyle::SingleQuoted, "it's a", &[5, 0, 3]);
        let cols: Vec<_> = pos.iter().map(|p| p.map(|p| p.column)).collect();
        // `'it''s a'`: the value's `a` is the file's column 11, `i` column 5, `s` column 9.
        assert_eq!(cols, [Some(11), Some(5), Some(9)]);
        let at = LineCol { line: 2, column: 4 };
        let pos = yaml_scalar_positions(&lines, at, TScalarStyle::DoubleQuoted, "a\tbéc", &[2, 5]);
        let cols: Vec<_> = pos.iter().map(|p| p.map(|p| p.column)).collect();
        assert_eq!(cols, [Some(8), Some(15)]);
    }
}
