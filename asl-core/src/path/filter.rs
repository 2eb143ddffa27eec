//! Filter expressions `[?(...)]`, with Jayway's `FilterCompiler` grammar and its evaluators'
//! semantics:
//!
//! * `@.x` alone is an *existence* test (true even when the value is `false` or `null`);
//!   `!@.x` is its negation;
//! * `==` coerces between numbers and strings depending on the left side (number on the left:
//!   the string is read as a number; string on the left: the number is compared as text);
//!   `===`/`!==` do not coerce; `!=` is the negation of `==` (so a missing value is `!=`
//!   anything);
//! * `<`, `<=`, `>`, `>=` compare numbers with numbers and strings with strings (Java
//!   `String.compareTo`, UTF-16 order); anything else is false;
//! * `in`, `nin`, `subsetof`, `anyof`, `noneof`, `contains`, `size`, `empty`, `=~ /re/flags`
//!   (a whole-string match, as Java's `Matcher.matches()`).
//!
//! **Unquoted words** (`[?(@.type == es)]`): Jayway's grammar has no such operand, yet AWS
//! creates state machines that use one (published AWS samples do), so AWS's definition-time
//! check accepts it. What AWS's engine does with it at run time is not documented and not
//! recorded in our behaviour records. We read the word as the string it spells, the reading
//! every author of such a filter intends, and asl-validate warns about it (`ASL007`) so that
//! the author quotes it and does not depend on this choice. [`Expr::bare_words`] lists them.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::PathSyntaxError;
use super::eval;
use super::parse::{self, Cursor, Segment};
use super::regex::Regex;

/// A boolean filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// `a || b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a && b`.
    And(Box<Expr>, Box<Expr>),
    /// `!a`.
    Not(Box<Expr>),
    /// `@.x` alone: the path selects something.
    Exists(FilterPath),
    /// `left op right`.
    Compare(Operand, Op, Operand),
}

/// A path inside a filter, relative to the current item (`@`) or to the document root (`$`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterPath {
    absolute: bool,
    segments: Vec<Segment>,
    definite: bool,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// `@...` or `$...`.
    Path(FilterPath),
    /// A string, number, boolean, null, array or object literal.
    Literal(Value),
    /// `/pattern/flags`.
    Regex(Box<Regex>),
    /// An unquoted word (`es` in `@.type == es`), compared as the string it spells; see the
    /// module doc.
    Word(Value),
}

/// A relational operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
    Contains,
}

/// Parses the expression between `[?(` and `)]`; the cursor is left on the closing `)`.
pub(crate) fn parse_expr(c: &mut Cursor<'_>, depth: usize) -> Result<Expr, PathSyntaxError> {
    if depth > 32 {
        return Err(c.err("Filter nested too deeply"));
    }
    let mut left = parse_and(c, depth)?;
    loop {
        c.skip_blanks();
        if c.peek() == Some(b'|') && c.peek_at(1) == Some(b'|') {
            c.pos += 2;
            let right = parse_and(c, depth)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        } else {
            return Ok(left);
        }
    }
}

fn parse_and(c: &mut Cursor<'_>, depth: usize) -> Result<Expr, PathSyntaxError> {
    let mut left = parse_unary(c, depth)?;
    loop {
        c.skip_blanks();
        if c.peek() == Some(b'&') && c.peek_at(1) == Some(b'&') {
            c.pos += 2;
            let right = parse_unary(c, depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        } else {
            return Ok(left);
        }
    }
}

fn parse_unary(c: &mut Cursor<'_>, depth: usize) -> Result<Expr, PathSyntaxError> {
    c.skip_blanks();
    match c.peek() {
        Some(b'!') if c.peek_at(1) != Some(b'=') => {
            c.pos += 1;
            let inner = parse_unary(c, depth + 1)?;
            Ok(Expr::Not(Box::new(inner)))
        }
        Some(b'(') => {
            c.pos += 1;
            let e = parse_expr(c, depth + 1)?;
            c.skip_blanks();
            if !c.eat(b')') {
                return Err(c.err(format!("Expected ')' at position {}", c.pos)));
            }
            Ok(e)
        }
        _ => parse_relational(c, depth),
    }
}

fn parse_relational(c: &mut Cursor<'_>, depth: usize) -> Result<Expr, PathSyntaxError> {
    let left = parse_operand(c, depth)?;
    c.skip_blanks();
    let ends = match c.peek() {
        None | Some(b')') => true,
        Some(b'&') => c.peek_at(1) == Some(b'&'),
        Some(b'|') => c.peek_at(1) == Some(b'|'),
        _ => false,
    };
    if ends {
        return match left {
            Operand::Path(p) => Ok(Expr::Exists(p)),
            _ => Err(c.err(format!(
                "Expected a relational operator at position {}",
                c.pos
            ))),
        };
    }
    let op = parse_op(c)?;
    let right = parse_operand(c, depth)?;
    Ok(Expr::Compare(left, op, right))
}

fn parse_op(c: &mut Cursor<'_>) -> Result<Op, PathSyntaxError> {
    let start = c.pos;
    while matches!(c.peek(), Some(b'<' | b'>' | b'=' | b'~' | b'!')) {
        c.pos += 1;
    }
    if c.pos == start {
        while c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            c.pos += 1;
        }
    }
    let op = match &c.text[start..c.pos] {
        "==" => Op::Eq,
        "!=" => Op::Ne,
        "===" => Op::StrictEq,
        "!==" => Op::StrictNe,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "=~" => Op::Regex,
        "in" | "IN" => Op::In,
        "nin" | "NIN" => Op::Nin,
        "subsetof" | "SUBSETOF" => Op::SubsetOf,
        "anyof" | "ANYOF" => Op::AnyOf,
        "noneof" | "NONEOF" => Op::NoneOf,
        "size" | "SIZE" => Op::Size,
        "empty" | "EMPTY" => Op::Empty,
        "contains" | "CONTAINS" => Op::Contains,
        other => {
            return Err(PathSyntaxError {
                text: c.text.to_owned(),
                position: start,
                message: format!("Filter operator {other} is not supported!"),
            });
        }
    };
    Ok(op)
}

fn parse_operand(c: &mut Cursor<'_>, depth: usize) -> Result<Operand, PathSyntaxError> {
    c.skip_blanks();
    match c.peek() {
        Some(r @ (b'@' | b'$')) => {
            c.pos += 1;
            let segments = parse::parse_segments(c, true, depth)?;
            let definite = super::all_definite(&segments);
            Ok(Operand::Path(FilterPath {
                absolute: r == b'$',
                segments,
                definite,
            }))
        }
        Some(b'/') => {
            c.pos += 1;
            let start = c.pos;
            let mut escaped = false;
            loop {
                let Some(b) = c.peek() else {
                    return Err(c.err("Pattern not closed"));
                };
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'/' {
                    break;
                }
                c.pos += 1;
            }
            let pattern = &c.text[start..c.pos];
            c.pos += 1;
            let fstart = c.pos;
            while c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
                c.pos += 1;
            }
            let re = Regex::new(pattern, &c.text[fstart..c.pos]).map_err(|m| c.err(m))?;
            Ok(Operand::Regex(Box::new(re)))
        }
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
            let rest = &c.text[c.pos..];
            let len = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.')))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            if matches!(word, "true" | "false" | "null") {
                return Ok(Operand::Literal(parse_literal(c, depth)?));
            }
            c.pos += len;
            Ok(Operand::Word(Value::String(word.to_owned())))
        }
        _ => Ok(Operand::Literal(parse_literal(c, depth)?)),
    }
}

/// A literal: strings in either quote (unescaped), numbers, `true`/`false`/`null`, and JSON-like
/// arrays and objects whose strings may also be single-quoted (json-smart is that lenient).
fn parse_literal(c: &mut Cursor<'_>, depth: usize) -> Result<Value, PathSyntaxError> {
    if depth > 64 {
        return Err(c.err("Literal nested too deeply"));
    }
    c.skip_blanks();
    match c.peek() {
        Some(q @ (b'\'' | b'"')) => {
            c.pos += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = c.text[c.pos..].chars().next() else {
                    return Err(c.err("String literal not closed"));
                };
                c.pos += ch.len_utf8();
                if ch as u32 == u32::from(q) {
                    break;
                }
                if ch == '\\' {
                    let Some(e) = c.text[c.pos..].chars().next() else {
                        return Err(c.err("String literal not closed"));
                    };
                    c.pos += e.len_utf8();
                    match e {
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        'r' => s.push('\r'),
                        'b' => s.push('\x08'),
                        'f' => s.push('\x0C'),
                        'u' => {
                            let hex = c.text.get(c.pos..c.pos + 4).unwrap_or("");
                            let code = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| c.err("Invalid unicode escape"))?;
                            c.pos += 4;
                            s.push(code);
                        }
                        other => s.push(other),
                    }
                } else {
                    s.push(ch);
                }
            }
            Ok(Value::String(s))
        }
        Some(b'[') => {
            c.pos += 1;
            let mut items = Vec::new();
            c.skip_blanks();
            if c.eat(b']') {
                return Ok(Value::Array(items));
            }
            loop {
                items.push(parse_literal(c, depth + 1)?);
                c.skip_blanks();
                if c.eat(b',') {
                    continue;
                }
                if c.eat(b']') {
                    return Ok(Value::Array(items));
                }
                return Err(c.err(format!("Expected ',' or ']' at position {}", c.pos)));
            }
        }
        Some(b'{') => {
            c.pos += 1;
            let mut map = Map::new();
            c.skip_blanks();
            if c.eat(b'}') {
                return Ok(Value::Object(map));
            }
            loop {
                c.skip_blanks();
                let Value::String(k) = parse_literal(c, depth + 1)? else {
                    return Err(c.err("Object keys must be strings"));
                };
                c.skip_blanks();
                if !c.eat(b':') {
                    return Err(c.err(format!("Expected ':' at position {}", c.pos)));
                }
                let v = parse_literal(c, depth + 1)?;
                map.insert(k, v);
                c.skip_blanks();
                if c.eat(b',') {
                    continue;
                }
                if c.eat(b'}') {
                    return Ok(Value::Object(map));
                }
                return Err(c.err(format!("Expected ',' or '}}' at position {}", c.pos)));
            }
        }
        Some(b) if b == b'-' || b.is_ascii_digit() => {
            let start = c.pos;
            while c.peek().is_some_and(|b| {
                b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
            }) {
                c.pos += 1;
            }
            let text = &c.text[start..c.pos];
            parse_number(text)
                .map(Value::Number)
                .ok_or_else(|| c.err(format!("Invalid number literal '{text}'")))
        }
        Some(_) => {
            for (word, v) in [
                ("true", Value::Bool(true)),
                ("false", Value::Bool(false)),
                ("null", Value::Null),
            ] {
                if c.text[c.pos..].starts_with(word) {
                    c.pos += word.len();
                    return Ok(v);
                }
            }
            Err(c.err(format!(
                "Could not parse filter operand at position {}",
                c.pos
            )))
        }
        None => Err(c.err("Unexpected end of filter")),
    }
}

/// Parses a number the way `BigDecimal` would accept it (digits required, no `inf`/`NaN`).
fn parse_number(text: &str) -> Option<Number> {
    let digits = text.trim_start_matches(['-', '+']);
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Number::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Number::from(u));
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// A resolved operand.
enum Resolved<'a, 'r> {
    /// A path that selected nothing (Jayway's `UNDEFINED`).
    Undefined,
    Value(Cow<'a, Value>),
    Regex(&'r Regex),
}

impl FilterPath {
    fn resolve<'a>(&self, item: &'a Value, root: &'a Value) -> Option<Cow<'a, Value>> {
        let start = if self.absolute { root } else { item };
        if self.definite {
            eval::walk_definite(&self.segments, start, "").ok()
        } else {
            Some(Cow::Owned(Value::Array(
                eval::collect_all(&self.segments, start, root)
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect(),
            )))
        }
    }
}

impl Expr {
    /// The unquoted words this filter (and the filters of its paths) compares with.
    pub(crate) fn bare_words<'s>(&'s self, out: &mut Vec<&'s str>) {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.bare_words(out);
                b.bare_words(out);
            }
            Expr::Not(a) => a.bare_words(out),
            Expr::Exists(p) => segment_words(&p.segments, out),
            Expr::Compare(l, _, r) => {
                for o in [l, r] {
                    match o {
                        Operand::Word(Value::String(w)) => out.push(w),
                        Operand::Path(p) => segment_words(&p.segments, out),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Whether `item` passes the filter; `root` is the document the whole path runs on.
    pub(crate) fn matches(&self, item: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(a, b) => a.matches(item, root) || b.matches(item, root),
            Expr::And(a, b) => a.matches(item, root) && b.matches(item, root),
            Expr::Not(a) => !a.matches(item, root),
            Expr::Exists(p) => p.resolve(item, root).is_some(),
            Expr::Compare(l, op, r) => {
                let l = resolve(l, item, root);
                let r = resolve(r, item, root);
                compare(&l, *op, &r)
            }
        }
    }
}

/// The unquoted words of the filters among `segments`.
pub(crate) fn segment_words<'s>(segments: &'s [Segment], out: &mut Vec<&'s str>) {
    for s in segments {
        if let Segment::Filter(e) = s {
            e.bare_words(out);
        }
    }
}

fn resolve<'a, 'r>(o: &'r Operand, item: &'a Value, root: &'a Value) -> Resolved<'a, 'r>
where
    'r: 'a,
{
    match o {
        Operand::Path(p) => match p.resolve(item, root) {
            Some(v) => Resolved::Value(v),
            None => Resolved::Undefined,
        },
        Operand::Literal(v) | Operand::Word(v) => Resolved::Value(Cow::Borrowed(v)),
        Operand::Regex(r) => Resolved::Regex(r),
    }
}

fn compare(l: &Resolved<'_, '_>, op: Op, r: &Resolved<'_, '_>) -> bool {
    use Resolved as R;
    match op {
        Op::Ne => return !compare(l, Op::Eq, r),
        Op::StrictNe => return !compare(l, Op::StrictEq, r),
        Op::Nin => return !compare(l, Op::In, r),
        Op::Regex => {
            return match (l, r) {
                (R::Regex(re), R::Value(v)) | (R::Value(v), R::Regex(re)) => regex_input(re, v),
                _ => false,
            };
        }
        _ => {}
    }
    let (R::Value(a), R::Value(b)) = (l, r) else {
        return false;
    };
    let (a, b) = (a.as_ref(), b.as_ref());
    match op {
        Op::Eq => loose_eq(a, b),
        Op::StrictEq => strict_eq(a, b),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ord = match (a, b) {
                (Value::Number(x), Value::Number(y)) => num_cmp(x, y),
                (Value::String(x), Value::String(y)) => {
                    Some(x.encode_utf16().cmp(y.encode_utf16()))
                }
                _ => None,
            };
            ord.is_some_and(|o| match op {
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        Op::In => match b {
            Value::Array(items) => items.iter().any(|x| loose_eq(a, x)),
            _ => false,
        },
        Op::SubsetOf | Op::AnyOf | Op::NoneOf => match (a, b) {
            (Value::Array(xs), Value::Array(ys)) => {
                let inr = |x: &Value| ys.iter().any(|y| loose_eq(x, y));
                match op {
                    Op::SubsetOf => xs.iter().all(inr),
                    Op::AnyOf => xs.iter().any(inr),
                    _ => !xs.iter().any(inr),
                }
            }
            _ => false,
        },
        Op::Contains => match (a, b) {
            (Value::String(x), Value::String(y)) => x.contains(y.as_str()),
            (Value::Array(xs), y) => xs.iter().any(|x| loose_eq(x, y)),
            _ => false,
        },
        Op::Size => {
            let Value::Number(n) = b else { return false };
            let Some(want) = n.as_f64().map(|f| f.trunc() as i64) else {
                return false;
            };
            let len = match a {
                Value::String(s) => s.encode_utf16().count(),
                Value::Array(v) => v.len(),
                Value::Object(m) => m.len(),
                _ => return false,
            };
            i64::try_from(len).is_ok_and(|l| l == want)
        }
        Op::Empty => {
            let Value::Bool(want) = b else { return false };
            let empty = match a {
                Value::String(s) => s.is_empty(),
                Value::Array(v) => v.is_empty(),
                Value::Object(m) => m.is_empty(),
                _ => return false,
            };
            empty == *want
        }
        Op::Ne | Op::StrictNe | Op::Nin | Op::Regex => false,
    }
}

fn regex_input(re: &Regex, v: &Value) -> bool {
    match v {
        Value::String(s) => re.full_match(s),
        Value::Number(n) => re.full_match(&n.to_string()),
        Value::Bool(b) => re.full_match(if *b { "true" } else { "false" }),
        Value::Array(items) => items.iter().any(|i| regex_input(re, i)),
        _ => re.full_match(""),
    }
}

/// Exact numeric comparison: integers as integers, otherwise as doubles.
pub(crate) fn num_cmp(x: &Number, y: &Number) -> Option<std::cmp::Ordering> {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(x), int(y)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
    }
}

/// Jayway's `==`: numbers numerically; number vs string converts the right side to the left
/// side's type; containers structurally.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y).is_some_and(|o| o.is_eq()),
        (Value::Number(x), Value::String(s)) => {
            parse_number(s.trim()).is_some_and(|y| num_cmp(x, &y).is_some_and(|o| o.is_eq()))
        }
        (Value::String(s), Value::Number(y)) => *s == y.to_string(),
        _ => strict_eq(a, b),
    }
}

fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y).is_some_and(|o| o.is_eq()),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| strict_eq(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| strict_eq(x, y)))
        }
        _ => a == b,
    }
}
