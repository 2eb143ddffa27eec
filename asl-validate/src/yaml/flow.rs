//! Flow collections indented as PyYAML (and so CloudFormation) accepts them.
//!
//! YAML 1.2 wants every line of a flow collection (`[ … ]`, `{ … }`) indented more than the
//! block node that holds it; yaml-rust2 enforces that. PyYAML, which CloudFormation's YAML
//! reading follows (YAML 1.1), ignores indentation inside flow collections ("in the flow
//! context, indentation is ignored", its scanner says), so templates such as
//!
//! ```yaml
//!     Retry: [ {ErrorEquals: [ "States.ALL"
//!   ], MaxAttempts: 2} ]
//! ```
//!
//! deploy. [`reindent`] pads such continuation lines (and continuation lines of multi-line
//! quoted scalars, which fold their leading blanks away) to the column of the bracket (or
//! quote) that opened the collection, which changes no value, and says how far each line
//! moved, so that positions still point into the file as written.

/// The text to parse, and the padding added to each line (index 0 is line 1); `None` when no
/// line needs it.
pub(crate) fn reindent(text: &str) -> Option<(String, Vec<usize>)> {
    let mut s = Scan::default();
    let mut out = String::with_capacity(text.len() + 64);
    let mut pads = Vec::new();
    let mut any = false;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line[indent..].trim_end_matches(['\n', '\r']);
        if let Some(parent) = s.block_scalar {
            if content.is_empty() || indent > parent {
                out.push_str(line);
                pads.push(0);
                continue;
            }
            s.block_scalar = None;
        }
        let continuing = s.depth > 0 || s.quote.is_some();
        let pad = if continuing && !content.is_empty() && !content.starts_with('#') {
            s.required.saturating_sub(indent)
        } else {
            0
        };
        any |= pad > 0;
        // Padding is at most as long as the text again: a deeply indented opening line above
        // many short lines would otherwise make the text grow quadratically. Such a file is
        // read as written (and refused where yaml-rust2 refuses it).
        if out.len() + pad + line.len() > 2 * text.len() + 1024 {
            return None;
        }
        out.extend(std::iter::repeat_n(' ', pad));
        out.push_str(line);
        pads.push(pad);
        s.line(content, indent + pad);
    }
    any.then_some((out, pads))
}

#[derive(Default)]
struct Scan {
    /// Open flow collections.
    depth: usize,
    /// The column continuation lines need while `depth > 0` or a quote is open: that of the
    /// outermost open bracket or quote, right of every block node that holds it.
    required: usize,
    /// The open quoted scalar's quote.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) whose parent line has this indentation.
    block_scalar: Option<usize>,
}

impl Scan {
    fn line(&mut self, content: &str, indent: usize) {
        let b = content.as_bytes();
        // Whether the next character starts a node (only blanks or an indicator before it).
        let mut at_node = true;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if let Some(q) = self.quote {
                if q == b'\'' && c == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    self.quote = None;
                    at_node = false;
                }
                i += 1;
                continue;
            }
            let blank_before = i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t';
            match c {
                b'#' if blank_before => return,
                b' ' | b'\t' => {}
                b'\'' | b'"' if at_node || (self.depth > 0 && opens_flow_node(b, i)) => {
                    if self.depth == 0 {
                        self.required = indent + i;
                    }
                    self.quote = Some(c);
                }
                b'[' | b'{' if self.depth > 0 || at_node => {
                    if self.depth == 0 {
                        self.required = indent + i;
                    }
                    self.depth += 1;
                    at_node = true;
                    i += 1;
                    continue;
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    at_node = false;
                }
                b',' if self.depth > 0 => {
                    at_node = true;
                    i += 1;
                    continue;
                }
                // `- ` and `? ` start a node only where one may start; `: ` ends a key.
                b'-' | b'?' if at_node && b.get(i + 1).is_none_or(|n| *n == b' ') => {
                    i += 1;
                    continue;
                }
                b':' if b.get(i + 1).is_none_or(|n| *n == b' ') => {
                    at_node = true;
                    i += 1;
                    continue;
                }
                b'!' | b'&' | b'*' if at_node => {
                    // A tag or anchor: the node starts after it.
                    while i < b.len() && b[i] != b' ' {
                        i += 1;
                    }
                    continue;
                }
                b'|' | b'>' if at_node && self.depth == 0 => {
                    let rest = content[i + 1..].trim_start_matches([
                        '+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9',
                    ]);
                    let rest = rest.trim_start();
                    if rest.is_empty() || rest.starts_with('#') {
                        self.block_scalar = Some(indent);
                        return;
                    }
                    at_node = false;
                }
                _ => at_node = false,
            }
            i += 1;
        }
    }
}

/// Inside a flow collection, whether the quote at `i` starts a scalar (after `[`, `{`, `,` or
/// `:`, blanks aside) rather than sitting inside a plain one.
fn opens_flow_node(b: &[u8], i: usize) -> bool {
    b[..i]
        .iter()
        .rev()
        .find(|c| **c != b' ' && **c != b'\t')
        .is_none_or(|c| matches!(c, b'[' | b'{' | b',' | b':'))
}

#[cfg(test)]
mod tests {
    use super::reindent;

    #[test]
    fn pads_only_under_indented_flow_lines() {
        for (text, padded) in [
            ("a:\n  b: [1,\n2]\n", Some("a:\n  b: [1,\n     2]\n")),
            (
                "a:\n    r: [ {e: [ \"x\"\n  ], m: 2} ]\n    n: 1\n",
                Some("a:\n    r: [ {e: [ \"x\"\n       ], m: 2} ]\n    n: 1\n"),
            ),
            (
                "a:\n  - {k: 1,\n v: 2}\n",
                Some("a:\n  - {k: 1,\n    v: 2}\n"),
            ),
            (
                "a:\n  b: !Join [\",\", [x,\ny]]\n",
                Some("a:\n  b: !Join [\",\", [x,\n           y]]\n"),
            ),
            // Already indented, or not flow at all: unchanged.
            ("a:\n  b: [1,\n     2]\n", None),
            ("a: x[0]\nb: {c: 1}\n", None),
            ("a: |\n  [\nb: 1\n", None),
            ("a: 'it''s [' # [\nb: 1\n", None),
            ("a: x - [y\nb: 1\n", None),
            ("- - [1,\n 2]\n", Some("- - [1,\n    2]\n")),
        ] {
            let got = reindent(text);
            assert_eq!(got.as_ref().map(|(t, _)| t.as_str()), padded, "{text:?}");
        }
        let (_, pads) = reindent("a:\n  b: [1,\n2]\n").unwrap();
        assert_eq!(pads, [0, 0, 5]);
        // Padding never more than doubles the text.
        let wide = format!("{}a: [\n{}]\n", " ".repeat(100_000), "1,\n".repeat(100_000));
        assert!(reindent(&wide).is_none());
    }
}
