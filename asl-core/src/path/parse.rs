//! The compiler: JSONPath text to a list of [`Segment`]s, following Jayway's `PathCompiler`
//! tokenisation rules (which are what AWS Step Functions runs).
//!
//! Notable Jayway rules reproduced here, because they decide which AWS paths are valid:
//! * a dot name runs until a space, `.`, `[` or `(`; so `$.delivery-partner` or `$.a:b` are plain
//!   names, and a space inside a dot name is an error ("use bracket notation");
//! * `$.[0]` means `$[0]` (a `.` directly before a bracket is ignored);
//! * inside a quoted bracket name a backslash protects the next character from ending the
//!   name, but is kept literally (AWS matched the key `Test\""Name"` with `$['Test\""Name"']`);
//! * slices take `from:to` only; a third (step) part is ignored, `[:]` is an error;
//! * `name(...)` at the end of a path is a function call (`length()`, `min()`, ...).

use super::filter::{self, Expr};
use super::{PathSyntaxError, Root};

/// One step of a compiled path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    /// `.name` or `['name']`: the quote is kept only for the normalised form.
    Property {
        /// The key.
        name: Box<str>,
        /// `'` or `"`, as Jayway prints it back.
        quote: char,
    },
    /// `['a','b']`: at the end of a path Jayway merges them into one object (definite);
    /// elsewhere each present key is followed in turn (indefinite).
    Properties {
        /// The keys, in path order.
        names: Vec<Box<str>>,
        /// `'` or `"`.
        quote: char,
    },
    /// `[n]`, negative counts from the end.
    Index(i64),
    /// `[n,m,...]`: indefinite.
    Indexes(Vec<i64>),
    /// `[from:to]`, either bound optional (not both).
    Slice {
        /// Start (inclusive).
        from: Option<i64>,
        /// End (exclusive).
        to: Option<i64>,
    },
    /// `.*` or `[*]`.
    Wildcard,
    /// `..`: the next segment is applied at every depth.
    DeepScan,
    /// `[?(...)]`.
    Filter(Box<Expr>),
    /// `.name()` at the end of the path.
    Function(Function),
}

/// The Jayway path functions (only the ones that take no argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    /// `length()` / `size()`: element count of an array or object, length of a string.
    Length,
    /// `min()` of the numbers of an array.
    Min,
    /// `max()`.
    Max,
    /// `avg()`.
    Avg,
    /// `sum()`.
    Sum,
    /// `stddev()` (population standard deviation, as Jayway computes it).
    StdDev,
    /// `first()` element of an array.
    First,
    /// `last()` element of an array.
    Last,
    /// `keys()` of an object, as an array of strings.
    Keys,
}

impl Function {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "length" | "size" => Function::Length,
            "min" => Function::Min,
            "max" => Function::Max,
            "avg" => Function::Avg,
            "sum" => Function::Sum,
            "stddev" => Function::StdDev,
            "first" => Function::First,
            "last" => Function::Last,
            "keys" => Function::Keys,
            _ => return None,
        })
    }

    /// The name used in the normalised form.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::Length => "length",
            Function::Min => "min",
            Function::Max => "max",
            Function::Avg => "avg",
            Function::Sum => "sum",
            Function::StdDev => "stddev",
            Function::First => "first",
            Function::Last => "last",
            Function::Keys => "keys",
        }
    }
}

impl Segment {
    /// Whether this step alone can select at most one value (Jayway's `isTokenDefinite`), given
    /// whether it is the last step.
    pub(crate) fn is_definite(&self, is_leaf: bool) -> bool {
        match self {
            Segment::Property { .. } | Segment::Index(_) | Segment::Function(_) => true,
            Segment::Properties { .. } => is_leaf,
            _ => false,
        }
    }

    /// Appends Jayway's normalised fragment (e.g. `['a']`, `[0]`, `[*]`, `..`, `[?]`).
    pub(crate) fn write_fragment(&self, out: &mut String) {
        use std::fmt::Write;
        match self {
            Segment::Property { name, quote } => {
                let _ = write!(out, "[{quote}{name}{quote}]");
            }
            Segment::Properties { names, quote } => {
                out.push('[');
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{quote}{n}{quote}");
                }
                out.push(']');
            }
            Segment::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Segment::Indexes(v) => {
                out.push('[');
                for (k, i) in v.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{i}");
                }
                out.push(']');
            }
            Segment::Slice { from, to } => {
                out.push('[');
                if let Some(f) = from {
                    let _ = write!(out, "{f}");
                }
                out.push(':');
                if let Some(t) = to {
                    let _ = write!(out, "{t}");
                }
                out.push(']');
            }
            Segment::Wildcard => out.push_str("[*]"),
            Segment::DeepScan => out.push_str(".."),
            Segment::Filter(_) => out.push_str("[?]"),
            Segment::Function(f) => {
                let _ = write!(out, ".{}()", f.name());
            }
        }
    }
}

/// A cursor over the path text (byte positions; all syntax characters are ASCII).
pub(crate) struct Cursor<'t> {
    pub(crate) text: &'t str,
    pub(crate) pos: usize,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(crate) fn skip_blanks(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn err(&self, message: impl Into<String>) -> PathSyntaxError {
        PathSyntaxError {
            text: self.text.to_owned(),
            position: self.pos,
            message: message.into(),
        }
    }
}

/// Parses the root (`$`, `$$`, `$name`) of a top-level path.
pub(crate) fn parse_root(c: &mut Cursor<'_>) -> Result<Root, PathSyntaxError> {
    if !c.eat(b'$') {
        return Err(c.err("Path must start with '$'"));
    }
    if c.eat(b'$') {
        return Ok(Root::Context);
    }
    let start = c.pos;
    let rest = &c.text[start..];
    let len: usize = rest
        .char_indices()
        .find(|&(_, ch)| !(ch == '_' || ch.is_alphanumeric()))
        .map_or(rest.len(), |(i, _)| i);
    if len == 0 {
        return Ok(Root::Input);
    }
    let name = &rest[..len];
    if name.starts_with(|ch: char| ch.is_ascii_digit()) {
        return Err(c.err(format!("Invalid variable name '{name}'")));
    }
    c.pos += len;
    Ok(Root::Variable(name.to_owned()))
}

/// Parses the segments after the root.
///
/// With `embedded` (a path inside a filter) parsing stops before the first character that
/// cannot continue a path (a relational operator, a space, `)`, `&`, `|`, `,`), and dot names
/// also end at those characters, as Jayway's filter compiler cuts the path text there.
pub(crate) fn parse_segments(
    c: &mut Cursor<'_>,
    embedded: bool,
    depth: usize,
) -> Result<Vec<Segment>, PathSyntaxError> {
    let mut segs = Vec::new();
    while let Some(b) = c.peek() {
        if embedded && b != b'.' && b != b'[' && is_embedded_stop(Some(b)) {
            break;
        }
        if matches!(segs.last(), Some(Segment::Function(_))) {
            return Err(c.err("A function must be the last element of a path"));
        }
        match b {
            b'.' => {
                c.pos += 1;
                if c.peek() == Some(b'.') {
                    c.pos += 1;
                    segs.push(Segment::DeepScan);
                    if c.at_end() || (embedded && is_embedded_stop(c.peek())) {
                        return Err(c.err("Path must not end with a '.' or '..'"));
                    }
                    if c.peek() == Some(b'.') {
                        return Err(
                            c.err(format!("Character '.' on position {} is not valid.", c.pos))
                        );
                    }
                    if c.peek() == Some(b'[') {
                        continue;
                    }
                    parse_dot_member(c, &mut segs, embedded)?;
                } else {
                    if c.at_end() || (embedded && is_embedded_stop(c.peek())) {
                        return Err(c.err("Path must not end with a '.' or '..'"));
                    }
                    if c.peek() == Some(b'[') {
                        continue; // `$.[0]` == `$[0]`
                    }
                    parse_dot_member(c, &mut segs, embedded)?;
                }
            }
            b'[' => segs.push(parse_bracket(c, depth)?),
            b'*' => {
                c.pos += 1;
                segs.push(Segment::Wildcard);
            }
            _ if !embedded && segs.is_empty() => {
                return Err(c.err(format!(
                    "Illegal character at position {}: expected '.' or '['",
                    c.pos
                )));
            }
            _ => {
                return Err(c.err(format!(
                    "Could not parse token starting at position {}",
                    c.pos
                )));
            }
        }
    }
    Ok(segs)
}

fn is_embedded_stop(b: Option<u8>) -> bool {
    matches!(
        b,
        Some(b' ' | b')' | b'<' | b'>' | b'=' | b'!' | b'~' | b'&' | b'|' | b',' | b']')
    )
}

/// After a `.`: `*`, a name, or a function call.
fn parse_dot_member(
    c: &mut Cursor<'_>,
    segs: &mut Vec<Segment>,
    embedded: bool,
) -> Result<(), PathSyntaxError> {
    if c.peek() == Some(b'*') {
        c.pos += 1;
        segs.push(Segment::Wildcard);
        return Ok(());
    }
    if c.peek() == Some(b' ') {
        return Err(c.err(format!(
            "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
            c.pos
        )));
    }
    let start = c.pos;
    while let Some(b) = c.peek() {
        match b {
            b' ' if !embedded => {
                return Err(c.err(format!(
                    "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
                    c.pos
                )));
            }
            b'.' | b'[' | b'(' => break,
            _ if embedded && is_embedded_stop(Some(b)) => break,
            _ => c.pos += 1,
        }
    }
    let name = &c.text[start..c.pos];
    if name.is_empty() {
        return Err(c.err(format!(
            "Could not parse token starting at position {}",
            c.pos
        )));
    }
    if c.peek() == Some(b'(') {
        c.pos += 1;
        c.skip_blanks();
        if !c.eat(b')') {
            return Err(c.err(format!(
                "Function '{name}' takes no parameters in this implementation"
            )));
        }
        let f = Function::from_name(name)
            .ok_or_else(|| c.err(format!("Function with name: {name} does not exist.")))?;
        segs.push(Segment::Function(f));
        return Ok(());
    }
    segs.push(Segment::Property {
        name: name.into(),
        quote: '\'',
    });
    Ok(())
}

/// `[...]`: quoted names, indexes, slices, `*` or a filter.
fn parse_bracket(c: &mut Cursor<'_>, depth: usize) -> Result<Segment, PathSyntaxError> {
    let open = c.pos;
    c.pos += 1; // '['
    c.skip_blanks();
    match c.peek() {
        Some(q @ (b'\'' | b'"')) => parse_quoted_names(c, q),
        Some(b'*') => {
            c.pos += 1;
            c.skip_blanks();
            if !c.eat(b']') {
                return Err(c.err(format!(
                    "Expected wildcard token to end with ']' on position {}",
                    c.pos
                )));
            }
            Ok(Segment::Wildcard)
        }
        Some(b'?') => {
            c.pos += 1;
            c.skip_blanks();
            if !c.eat(b'(') {
                return Err(c.err(format!(
                    "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
                )));
            }
            if depth > 32 {
                return Err(c.err("Filters nested too deeply"));
            }
            let expr = filter::parse_expr(c, depth + 1)?;
            c.skip_blanks();
            if !c.eat(b')') {
                return Err(c.err(format!("Expected ')' at position {}", c.pos)));
            }
            c.skip_blanks();
            if !c.eat(b']') {
                return Err(c.err(format!("Expected ']' at position {}", c.pos)));
            }
            Ok(Segment::Filter(Box::new(expr)))
        }
        _ => parse_array_op(c, open),
    }
}

/// `['a']`, `["a"]`, `['a','b']`.
fn parse_quoted_names(c: &mut Cursor<'_>, quote: u8) -> Result<Segment, PathSyntaxError> {
    let mut names: Vec<Box<str>> = Vec::new();
    loop {
        c.skip_blanks();
        if !c.eat(quote) {
            return Err(c.err(format!(
                "Property must be separated by comma or Property must be terminated close square bracket at index {}",
                c.pos
            )));
        }
        let start = c.pos;
        let mut escaped = false;
        loop {
            let Some(b) = c.peek() else {
                return Err(c.err("Property has not been closed - missing closing quote"));
            };
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == quote {
                break;
            }
            c.pos += 1;
        }
        names.push(c.text[start..c.pos].into());
        c.pos += 1; // closing quote
        c.skip_blanks();
        match c.peek() {
            Some(b',') => c.pos += 1,
            Some(b']') => {
                c.pos += 1;
                break;
            }
            _ => {
                return Err(c.err(format!(
                    "Property must be separated by comma or Property must be terminated close square bracket at index {}",
                    c.pos
                )));
            }
        }
    }
    let quote = quote as char;
    Ok(if names.len() == 1 {
        Segment::Property {
            name: names.pop().unwrap_or_default(),
            quote,
        }
    } else {
        Segment::Properties { names, quote }
    })
}

/// `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[:2]`, `[-2:]`.
fn parse_array_op(c: &mut Cursor<'_>, open: usize) -> Result<Segment, PathSyntaxError> {
    let start = c.pos;
    let Some(rel_end) = c.text[start..].find(']') else {
        return Err(c.err(format!(
            "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
        )));
    };
    let body = c.text[start..start + rel_end].trim_matches(' ');
    let fail = |c: &Cursor<'_>| {
        c.err(format!(
            "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
        ))
    };
    if body.is_empty() {
        return Err(fail(c));
    }
    let parse_int = |s: &str| -> Result<i64, PathSyntaxError> {
        let s = s.trim_matches(' ');
        s.parse::<i32>()
            .map(i64::from)
            .map_err(|_| c.err(format!("Failed to parse array index: '{s}'")))
    };
    let seg = if body.contains(':') {
        if !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b':')
        {
            return Err(c.err(format!("Failed to parse SliceOperation: {body}")));
        }
        let mut parts = body.split(':');
        let read = |p: Option<&str>| -> Result<Option<i64>, PathSyntaxError> {
            match p {
                None | Some("") => Ok(None),
                Some(s) => parse_int(s).map(Some),
            }
        };
        let from = read(parts.next())?;
        let to = read(parts.next())?;
        if from.is_none() && to.is_none() {
            return Err(c.err(format!("Failed to parse SliceOperation: {body}")));
        }
        Segment::Slice { from, to }
    } else {
        if !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b',' || b == b' ')
        {
            return Err(fail(c));
        }
        let mut idx = body
            .split(',')
            .map(parse_int)
            .collect::<Result<Vec<_>, _>>()?;
        if idx.len() == 1 {
            Segment::Index(idx.pop().unwrap_or_default())
        } else {
            Segment::Indexes(idx)
        }
    };
    c.pos = start + rel_end + 1;
    Ok(seg)
}
