//! CloudWatch Logs filter patterns (`FilterLogEvents`' `filterPattern`, `aws logs tail
//! --filter-pattern`, `sfn-local logs --filter`), as AWS documents them in "Filter pattern
//! syntax for metric filters, subscription filters, and filter log events":
//!
//! | pattern | matches a message that |
//! | --- | --- |
//! | (empty) | always |
//! | `ERROR` | contains the term (case-sensitive) |
//! | `ERROR Exception` | contains every term |
//! | `"Failed to process"` | contains the phrase (quotes let a term hold any character) |
//! | `?ERROR ?WARN` | contains at least one of the `?` terms |
//! | `ERROR -Retrying` | contains `ERROR` and not `Retrying` |
//! | `%ERR(OR)?%` | matches the regular expression |
//! | `{ $.type = "ExecutionFailed" }` | is a JSON object whose selected value equals the string (`*` at its start or end is a wildcard) |
//! | `{ $.latency = * }` | has the member |
//! | `{ $.n != 3 }`, `{ $.n >= 1.5 }` | holds a number that compares so (`=`, `!=`, `<`, `<=`, `>`, `>=`) |
//! | `{ $.a IS NULL }`, `{ $.a NOT EXISTS }`, `{ $.a IS TRUE }` | holds `null` / lacks the member / holds `true` (`IS FALSE`) |
//! | `{ ($.a = 1 && $.b = "x") \|\| $.c[0] = "y" }` | the conditions combined with `&&`, `\|\|` and parentheses |
//!
//! A selector walks members (`$.a.b`) and array indexes (`$.a[0]`). A condition on a member
//! that is not there does not match (`NOT EXISTS` aside), `!=` included. Space-delimited
//! patterns (`[ip, user, ...]`) are not read: they are refused as invalid, not misread.

use regex::Regex;
use serde_json::Value;

/// The longest filter pattern (`FilterLogEvents`: `filterPattern` is at most 1,024 characters).
pub const MAX_PATTERN_LEN: usize = 1024;
/// The deepest nesting of parentheses read.
const MAX_DEPTH: usize = 32;

/// A parsed filter pattern.
#[derive(Debug, Clone)]
pub enum FilterPattern {
    /// The empty pattern: every message.
    All,
    /// Terms of an unstructured pattern.
    Terms(Terms),
    /// `%regex%`.
    Regex(Regex),
    /// `{ ... }`.
    Json(Cond),
}

/// The terms of an unstructured pattern.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    required: Vec<String>,
    any: Vec<String>,
    excluded: Vec<String>,
}

/// A condition of a JSON pattern.
#[derive(Debug, Clone)]
pub enum Cond {
    /// Both.
    And(Box<Cond>, Box<Cond>),
    /// Either.
    Or(Box<Cond>, Box<Cond>),
    /// A comparison of the selected value.
    Compare(Selector, Op, Operand),
    /// `IS NULL`.
    IsNull(Selector),
    /// `NOT EXISTS`.
    NotExists(Selector),
    /// `IS TRUE` / `IS FALSE`.
    IsBool(Selector, bool),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// What a selected value is compared with.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A number (the selected value must be a number).
    Number(f64),
    /// A string, `*` a wildcard (the selected value must be a string).
    Text(String),
}

/// A JSON selector: `$` then members and indexes.
#[derive(Debug, Clone, Default)]
pub struct Selector(Vec<Step>);

#[derive(Debug, Clone)]
enum Step {
    Member(String),
    Index(usize),
}

/// Why a pattern is refused (`InvalidParameterException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(why: impl Into<String>) -> PatternError {
    PatternError(why.into())
}

impl FilterPattern {
    /// Parses a pattern.
    pub fn parse(text: &str) -> Result<FilterPattern, PatternError> {
        if text.chars().count() > MAX_PATTERN_LEN {
            return Err(invalid(format!(
                "the filter pattern is longer than {MAX_PATTERN_LEN} characters"
            )));
        }
        let t = text.trim();
        if t.is_empty() {
            return Ok(FilterPattern::All);
        }
        if t.starts_with('{') {
            let inner = t
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .ok_or_else(|| invalid("a JSON pattern must end with '}'"))?;
            let mut p = CondParser::new(inner);
            let c = p.or(0)?;
            p.skip_ws();
            if !p.at_end() {
                return Err(invalid(format!(
                    "unexpected '{}' in the JSON pattern",
                    p.rest()
                )));
            }
            return Ok(FilterPattern::Json(c));
        }
        if t.starts_with('[') {
            return Err(invalid(
                "space-delimited filter patterns ([...]) are not supported by sfn-local",
            ));
        }
        if t.len() >= 2 && t.starts_with('%') && t.ends_with('%') {
            let re = regex::RegexBuilder::new(&t[1..t.len() - 1])
                .size_limit(1 << 20)
                .build()
                .map_err(|e| invalid(format!("invalid regular expression: {e}")))?;
            return Ok(FilterPattern::Regex(re));
        }
        terms(t).map(FilterPattern::Terms)
    }

    /// Whether `message` matches.
    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::All => true,
            FilterPattern::Terms(t) => t.matches(message),
            FilterPattern::Regex(re) => re.is_match(message),
            FilterPattern::Json(c) => match serde_json::from_str::<Value>(message) {
                Ok(v) => c.holds(&v),
                Err(_) => false,
            },
        }
    }
}

/// Reads the terms of an unstructured pattern.
fn terms(t: &str) -> Result<Terms, PatternError> {
    let mut out = Terms::default();
    let mut chars = t.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let kind = match first {
            '?' | '-' => {
                chars.next();
                first
            }
            _ => ' ',
        };
        let mut term = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => term.extend(chars.next()),
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => term.push(c),
                }
            }
            if !closed {
                return Err(invalid("a quoted term is not closed"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                term.push(c);
                chars.next();
            }
        }
        if term.is_empty() {
            return Err(invalid(format!("'{kind}' must be followed by a term")));
        }
        match kind {
            '?' => out.any.push(term),
            '-' => out.excluded.push(term),
            _ => out.required.push(term),
        }
    }
    Ok(out)
}

impl Terms {
    fn matches(&self, m: &str) -> bool {
        self.required.iter().all(|t| m.contains(t.as_str()))
            && (self.any.is_empty() || self.any.iter().any(|t| m.contains(t.as_str())))
            && !self.excluded.iter().any(|t| m.contains(t.as_str()))
    }
}

impl Cond {
    fn holds(&self, v: &Value) -> bool {
        match self {
            Cond::And(a, b) => a.holds(v) && b.holds(v),
            Cond::Or(a, b) => a.holds(v) || b.holds(v),
            Cond::IsNull(s) => s.select(v).is_some_and(Value::is_null),
            Cond::NotExists(s) => s.select(v).is_none(),
            Cond::IsBool(s, b) => s.select(v).and_then(Value::as_bool) == Some(*b),
            Cond::Compare(s, op, operand) => {
                let Some(x) = s.select(v) else { return false };
                // `{ $.latency = * }`: the member is there, whatever it holds.
                if let Operand::Text(t) = operand
                    && t == "*"
                {
                    return *op == Op::Eq;
                }
                match operand {
                    Operand::Number(n) => match x.as_f64() {
                        Some(x) => compare(x, *op, *n),
                        // `= 200` also matches the string "200" written as text.
                        None => match (x, op) {
                            (Value::String(s), Op::Eq | Op::Ne) => {
                                (s.parse::<f64>().ok() == Some(*n)) == (*op == Op::Eq)
                            }
                            _ => false,
                        },
                    },
                    Operand::Text(t) => {
                        let Value::String(x) = x else {
                            // A bare word compared with a boolean: `{ $.ok = true }`.
                            return match (x, *op) {
                                (Value::Bool(b), Op::Eq) => t == &b.to_string(),
                                (Value::Bool(b), Op::Ne) => t != &b.to_string(),
                                _ => false,
                            };
                        };
                        match op {
                            Op::Eq => wildcard(t, x),
                            Op::Ne => !wildcard(t, x),
                            _ => false,
                        }
                    }
                }
            }
        }
    }
}

fn compare(x: f64, op: Op, n: f64) -> bool {
    match op {
        Op::Eq => x == n,
        Op::Ne => x != n,
        Op::Lt => x < n,
        Op::Le => x <= n,
        Op::Gt => x > n,
        Op::Ge => x >= n,
    }
}

/// Whether `text` matches `pattern`, where a `*` at its start or its end stands for any run of
/// characters (`*Event`, `Event*`, `*Event*`); a `*` elsewhere is itself (`Ev*ent`).
fn wildcard(pattern: &str, text: &str) -> bool {
    let (any_start, p) = match pattern.strip_prefix('*') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let (any_end, p) = match p.strip_suffix('*') {
        Some(p) => (true, p),
        None => (false, p),
    };
    match (any_start, any_end) {
        (false, false) => text == p,
        (true, false) => text.ends_with(p),
        (false, true) => text.starts_with(p),
        (true, true) => text.contains(p),
    }
}

impl Selector {
    fn select<'v>(&self, mut v: &'v Value) -> Option<&'v Value> {
        for step in &self.0 {
            v = match step {
                Step::Member(m) => v.as_object()?.get(m)?,
                Step::Index(i) => v.as_array()?.get(*i)?,
            };
        }
        Some(v)
    }
}

/// The recursive-descent reader of a JSON pattern's conditions.
struct CondParser<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> CondParser<'a> {
    fn new(s: &'a str) -> Self {
        CondParser { s, at: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn at_end(&self) -> bool {
        self.at >= self.s.len()
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.at += r.len() - r.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// A keyword (`IS`, `NULL`, ...), case-insensitive, followed by a word boundary.
    fn eat_word(&mut self, word: &str) -> bool {
        self.skip_ws();
        let r = self.rest();
        let ok = r.len() >= word.len()
            && r.is_char_boundary(word.len())
            && r[..word.len()].eq_ignore_ascii_case(word)
            && !r[word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if ok {
            self.at += word.len();
        }
        ok
    }

    fn or(&mut self, depth: usize) -> Result<Cond, PatternError> {
        let mut c = self.and(depth)?;
        while self.eat("||") {
            c = Cond::Or(Box::new(c), Box::new(self.and(depth)?));
        }
        Ok(c)
    }

    fn and(&mut self, depth: usize) -> Result<Cond, PatternError> {
        let mut c = self.unary(depth)?;
        while self.eat("&&") {
            c = Cond::And(Box::new(c), Box::new(self.unary(depth)?));
        }
        Ok(c)
    }

    fn unary(&mut self, depth: usize) -> Result<Cond, PatternError> {
        if self.eat("(") {
            if depth >= MAX_DEPTH {
                return Err(invalid("the JSON pattern is nested too deeply"));
            }
            let c = self.or(depth + 1)?;
            if !self.eat(")") {
                return Err(invalid("a '(' is not closed"));
            }
            return Ok(c);
        }
        let sel = self.selector()?;
        if self.eat_word("IS") {
            if self.eat_word("NULL") {
                return Ok(Cond::IsNull(sel));
            }
            if self.eat_word("TRUE") {
                return Ok(Cond::IsBool(sel, true));
            }
            if self.eat_word("FALSE") {
                return Ok(Cond::IsBool(sel, false));
            }
            return Err(invalid("IS must be followed by NULL, TRUE or FALSE"));
        }
        if self.eat_word("NOT") {
            if self.eat_word("EXISTS") {
                return Ok(Cond::NotExists(sel));
            }
            return Err(invalid("NOT must be followed by EXISTS"));
        }
        let op = if self.eat("!=") {
            Op::Ne
        } else if self.eat("<=") {
            Op::Le
        } else if self.eat(">=") {
            Op::Ge
        } else if self.eat("=") {
            Op::Eq
        } else if self.eat("<") {
            Op::Lt
        } else if self.eat(">") {
            Op::Gt
        } else {
            return Err(invalid(format!(
                "expected a comparison after the selector, found '{}'",
                self.rest().trim()
            )));
        };
        let operand = self.operand()?;
        if let (Operand::Text(_), Op::Lt | Op::Le | Op::Gt | Op::Ge) = (&operand, op) {
            return Err(invalid("only numbers compare with <, <=, > and >="));
        }
        Ok(Cond::Compare(sel, op, operand))
    }

    fn selector(&mut self) -> Result<Selector, PatternError> {
        if !self.eat("$") {
            return Err(invalid(format!(
                "expected a selector starting with '$', found '{}'",
                self.rest().trim()
            )));
        }
        let mut steps = Vec::new();
        loop {
            let r = self.rest();
            if let Some(after) = r.strip_prefix('.') {
                let len = after
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '@'))
                    .unwrap_or(after.len());
                if len == 0 {
                    return Err(invalid("a '.' in a selector must be followed by a name"));
                }
                steps.push(Step::Member(after[..len].to_string()));
                self.at += 1 + len;
            } else if let Some(after) = r.strip_prefix('[') {
                let end = after
                    .find(']')
                    .ok_or_else(|| invalid("a '[' in a selector is not closed"))?;
                let index = after[..end]
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| invalid("an array index must be a number"))?;
                steps.push(Step::Index(index));
                self.at += end + 2;
            } else {
                break;
            }
        }
        Ok(Selector(steps))
    }

    fn operand(&mut self) -> Result<Operand, PatternError> {
        self.skip_ws();
        let r = self.rest();
        if let Some(after) = r.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = after.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            text.push(n);
                        }
                    }
                    '"' => {
                        self.at += 1 + i + 1;
                        return Ok(Operand::Text(text));
                    }
                    c => text.push(c),
                }
            }
            return Err(invalid("a quoted value is not closed"));
        }
        let len = r
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '&' | '|'))
            .unwrap_or(r.len());
        if len == 0 {
            return Err(invalid("a comparison needs a value"));
        }
        let word = &r[..len];
        self.at += len;
        Ok(match word.parse::<f64>() {
            Ok(n) if n.is_finite() => Operand::Number(n),
            _ => Operand::Text(word.to_string()),
        })
    }
}

/// For fuzzing: parses `data` as a pattern and matches it against itself and a record.
pub fn fuzz_pattern(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = FilterPattern::parse(&text) {
        let _ = p.matches(&text);
        let _ = p.matches(r#"{"id":"1","type":"ExecutionFailed","details":{"a":[1,null,true]}}"#);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = r#"{"id":"7","type":"ExecutionFailed","details":{"error":"States.TaskFailed","cause":"boom"},"previous_event_id":"6","redrive_count":"0","n":42,"ok":true,"none":null,"list":["a",{"b":2}]}"#;
    const STARTED: &str = r#"{"id":"1","type":"ExecutionStarted","details":{"input":"{}"},"previous_event_id":"0","n":3,"ok":false}"#;

    /// Every form of the syntax: (pattern, matches FAILED, matches STARTED).
    #[test]
    fn each_form_matches_as_documented() {
        let table: &[(&str, bool, bool)] = &[
            ("", true, true),
            ("   ", true, true),
            ("ExecutionFailed", true, false),
            ("Execution", true, true),
            ("executionfailed", false, false),
            ("ExecutionFailed boom", true, false),
            ("ExecutionFailed nothere", false, false),
            ("?ExecutionFailed ?ExecutionStarted", true, true),
            ("?nothere ?ExecutionStarted", false, true),
            ("Execution -boom", false, true),
            ("\"States.TaskFailed\"", true, false),
            ("\"cause\\\":\\\"boom\"", true, false),
            ("%Execution(Failed|Aborted)%", true, false),
            ("%^\\{\"id\":\"1\"%", false, true),
            ("{ $.type = \"ExecutionFailed\" }", true, false),
            ("{$.type=ExecutionFailed}", true, false),
            ("{ $.type = \"Execution*\" }", true, true),
            ("{ $.type = \"*Failed\" }", true, false),
            ("{ $.type = \"*cutionFail*\" }", true, false),
            ("{ $.type = \"Exec*Failed\" }", false, false),
            ("{ $.n = * }", true, true),
            ("{ $.nothere = * }", false, false),
            ("{ $.list = \"a\" }", false, false),
            ("{ $.list != \"a\" }", false, false),
            ("{ $.type != \"ExecutionFailed\" }", false, true),
            ("{ $.details.error = \"States.TaskFailed\" }", true, false),
            ("{ $.details.nothere = \"x\" }", false, false),
            ("{ $.details.nothere != \"x\" }", false, false),
            ("{ $.n = 42 }", true, false),
            ("{ $.n > 10 }", true, false),
            ("{ $.n >= 3 }", true, true),
            ("{ $.n < 3.5 }", false, true),
            ("{ $.n <= 3 }", false, true),
            ("{ $.n != 42 }", false, true),
            ("{ $.id = 7 }", true, false),
            ("{ $.none IS NULL }", true, false),
            ("{ $.n IS NULL }", false, false),
            ("{ $.none NOT EXISTS }", false, true),
            ("{ $.ok IS TRUE }", true, false),
            ("{ $.ok IS FALSE }", false, true),
            ("{ $.ok = true }", true, false),
            ("{ $.list[0] = \"a\" }", true, false),
            ("{ $.list[1].b = 2 }", true, false),
            ("{ $.list[5] = \"a\" }", false, false),
            ("{ $.type = \"ExecutionFailed\" && $.n = 42 }", true, false),
            ("{ $.type = \"ExecutionFailed\" && $.n = 3 }", false, false),
            ("{ $.type = \"ExecutionFailed\" || $.n = 3 }", true, true),
            ("{ ($.n = 3 || $.n = 42) && $.ok IS TRUE }", true, false),
        ];
        for (pattern, failed, started) in table {
            let p = FilterPattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(p.matches(FAILED), *failed, "{pattern} on FAILED");
            assert_eq!(p.matches(STARTED), *started, "{pattern} on STARTED");
        }
    }

    #[test]
    fn a_json_pattern_never_matches_text_that_is_not_json() {
        let p = FilterPattern::parse("{ $.type = \"x\" }").unwrap();
        assert!(!p.matches("type x"));
        assert!(!p.matches(""));
    }

    #[test]
    fn invalid_patterns_are_refused() {
        let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(40), ")".repeat(40));
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        for bad in [
            "{ $.type = \"x\" ",
            "{ type = \"x\" }",
            "{ $.type }",
            "{ $.type = }",
            "{ $.type = \"x }",
            "{ $.type > \"x\" }",
            "{ ($.a = 1 }",
            "{ $.a = 1 && }",
            "{ $.a IS MAYBE }",
            "{ $.a NOT THERE }",
            "{ $.a[x] = 1 }",
            "{ $. = 1 }",
            "{ $.a = 1 } extra",
            "\"unclosed",
            "?",
            "ERROR -",
            "%(%",
            "[ip, user]",
            deep.as_str(),
            long.as_str(),
        ] {
            assert!(FilterPattern::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn wildcards_anchor_at_both_ends() {
        for (p, t, ok) in [
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("*b*", "abc", true),
            ("a*c", "abc", false),
            ("a*c", "a*c", true),
            ("*", "", true),
            ("**", "x", true),
            ("abc", "abc", true),
            ("abc", "abcd", false),
        ] {
            assert_eq!(wildcard(p, t), ok, "{p} on {t}");
        }
    }

    proptest::proptest! {
        /// Any text either parses or is refused, and matching never panics.
        #[test]
        fn any_text_parses_or_is_refused(text in "\\PC{0,80}") {
            fuzz_pattern(text.as_bytes());
        }

        /// A literal term matches exactly the messages that contain it.
        #[test]
        fn a_quoted_term_is_a_substring_test(term in "[a-zA-Z0-9 .:]{1,12}", msg in "[a-zA-Z0-9 .:]{0,40}") {
            let p = FilterPattern::parse(&format!("\"{term}\"")).unwrap();
            proptest::prop_assert_eq!(p.matches(&msg), msg.contains(&term));
        }
    }
}
