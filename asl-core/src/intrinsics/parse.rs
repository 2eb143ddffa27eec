//! The parser of intrinsic calls: `States.Name(arg, ...)` with literal, path and call arguments.
//!
//! Grammar (whitespace is allowed around arguments and around the whole call):
//!
//! ```text
//! call    = "States." name "(" [ arg { "," arg } ] ")"
//! arg     = string | number | "true" | "false" | "null" | path | call
//! string  = "'" { char | "\'" | "\\" | "\{" | "\}" } "'"
//! number  = [ "-" ] digits [ "." digits ] [ ("e" | "E") [ "+" | "-" ] digits ]
//! path    = "$" ...   (up to the next "," or ")" outside brackets)
//! ```
//!
//! In a string, `\'` is a quote and `\\` a backslash. `\{` and `\}` are kept as written, because
//! they only mean something to `States.Format` (a literal brace instead of a placeholder), which
//! has to tell them apart from `{}`. Any other backslash is an ordinary character.

use std::fmt::{self, Write};

use serde_json::{Number, Value};

use super::{Arg, Function, IntrinsicCall, PathArg};
use crate::limits::MAX_INTRINSIC_NESTING;

/// Why a text is not a valid intrinsic call, and where (byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid intrinsic function call at character {position}: {message}")]
pub struct IntrinsicSyntaxError {
    /// What is wrong, for a person reading a validation report.
    pub message: String,
    /// Byte offset in the parsed text where the problem was found.
    pub position: usize,
}

/// Parses the text of a `"key.$"` value into a call tree, once, so evaluation never re-reads it.
///
/// Function names are case-sensitive and must be one of the 18 functions; argument counts are
/// not checked here because AWS accepts them at creation and fails at run time.
pub fn parse(text: &str) -> Result<IntrinsicCall, IntrinsicSyntaxError> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_ws();
    let call = parser.call(1)?;
    parser.skip_ws();
    if parser.pos != text.len() {
        return Err(parser.error("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

/// Writes the call in the grammar above, so that [`parse()`] reads it back as an equal call:
/// strings are quoted with `'`, each `'` and `\` escaped by a backslash; arguments are separated by
/// `", "`.
impl fmt::Display for IntrinsicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.function)?;
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match arg {
                Arg::Literal(Value::String(s)) => {
                    f.write_char('\'')?;
                    for c in s.chars() {
                        if matches!(c, '\'' | '\\') {
                            f.write_char('\\')?;
                        }
                        f.write_char(c)?;
                    }
                    f.write_char('\'')?;
                }
                Arg::Literal(v) => write!(f, "{v}")?,
                Arg::Path(p) => f.write_str(p.text())?,
                Arg::Call(call) => write!(f, "{call}")?,
            }
        }
        f.write_char(')')
    }
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn error(&self, message: impl Into<String>) -> IntrinsicSyntaxError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, position: usize, message: impl Into<String>) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError {
            message: message.into(),
            position,
        }
    }

    fn call(&mut self, depth: usize) -> Result<IntrinsicCall, IntrinsicSyntaxError> {
        let start = self.pos;
        let Some(after_prefix) = self.rest().strip_prefix("States.") else {
            return Err(self.error("expected an intrinsic function such as States.Format(...)"));
        };
        let name_len = "States.".len()
            + after_prefix
                .bytes()
                .take_while(u8::is_ascii_alphanumeric)
                .count();
        let name = &self.text[start..start + name_len];
        let function = Function::from_name(name)
            .ok_or_else(|| self.error_at(start, format!("unknown intrinsic function '{name}'")))?;
        if depth > MAX_INTRINSIC_NESTING {
            return Err(self.error_at(
                start,
                format!("intrinsic functions are nested more than {MAX_INTRINSIC_NESTING} deep"),
            ));
        }
        self.pos += name_len;
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(self.error(format!("expected '(' after {name}")));
        }
        self.pos += 1;
        self.skip_ws();
        let mut args = Vec::new();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(IntrinsicCall { function, args });
        }
        loop {
            self.skip_ws();
            args.push(self.arg(depth)?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(')') => return Ok(IntrinsicCall { function, args }),
                Some(c) => {
                    return Err(self.error_at(
                        self.pos - c.len_utf8(),
                        format!("expected ',' or ')' but found '{c}'"),
                    ));
                }
                None => return Err(self.error(format!("missing ')' to close {name}("))),
            }
        }
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, IntrinsicSyntaxError> {
        match self.peek() {
            Some('\'') => self.string().map(|s| Arg::Literal(Value::String(s))),
            Some('$') => self.path().map(|p| Arg::Path(PathArg::new(p))),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number().map(Arg::Literal),
            Some(_) if self.rest().starts_with("States.") => {
                self.call(depth + 1).map(|call| Arg::Call(Box::new(call)))
            }
            Some(c) if c.is_ascii_alphabetic() => self.keyword(),
            Some(c) => Err(self.error(format!("expected an argument but found '{c}'"))),
            None => Err(self.error("expected an argument but the text ended")),
        }
    }

    fn string(&mut self) -> Result<String, IntrinsicSyntaxError> {
        let start = self.pos;
        self.pos += 1; // the opening quote
        let mut value = String::new();
        loop {
            match self.bump() {
                Some('\'') => return Ok(value),
                Some('\\') => match self.peek() {
                    Some(c @ ('\'' | '\\')) => {
                        self.pos += 1;
                        value.push(c);
                    }
                    // Kept escaped for States.Format; see the module documentation.
                    _ => value.push('\\'),
                },
                Some(c) => value.push(c),
                None => return Err(self.error_at(start, "string literal is missing its closing '")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, IntrinsicSyntaxError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let digits = |from: usize| {
            bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let mut end = start + usize::from(bytes[start] == b'-');
        let int_digits = digits(end);
        if int_digits == 0 {
            return Err(self.error_at(start, "expected digits after '-'"));
        }
        end += int_digits;
        let mut is_float = false;
        if bytes.get(end) == Some(&b'.') {
            let frac = digits(end + 1);
            if frac == 0 {
                return Err(self.error_at(end, "expected digits after '.'"));
            }
            end += 1 + frac;
            is_float = true;
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut exp_start = end + 1;
            if matches!(bytes.get(exp_start), Some(b'+' | b'-')) {
                exp_start += 1;
            }
            let exp = digits(exp_start);
            if exp == 0 {
                return Err(self.error_at(end, "expected digits in the exponent"));
            }
            end = exp_start + exp;
            is_float = true;
        }
        if bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.')
        {
            return Err(self.error_at(end, "malformed number"));
        }
        let text = &self.text[start..end];
        self.pos = end;
        if !is_float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::from(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Value::from(u));
            }
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| self.error_at(start, format!("number {text} is out of range")))
    }

    fn keyword(&mut self) -> Result<Arg, IntrinsicSyntaxError> {
        let start = self.pos;
        let len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
            .count();
        let word = &self.text[start..start + len];
        let value = match word {
            "null" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(self.error_at(
                    start,
                    format!(
                        "unexpected '{word}': an argument is a 'string', a number, true, false, \
                         null, a path starting with $ or a States. call"
                    ),
                ));
            }
        };
        self.pos += len;
        Ok(Arg::Literal(value))
    }

    /// A path runs to the next `,` or `)` (or whitespace) outside brackets and quotes, so that
    /// `$.a['x, y']` and filters such as `$.a[?(@.b == 1)]` stay whole.
    fn path(&mut self) -> Result<String, IntrinsicSyntaxError> {
        let start = self.pos;
        let mut closers: Vec<char> = Vec::new();
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                if c == '\\' {
                    self.pos += 1;
                    if self.bump().is_none() {
                        break;
                    }
                    continue;
                }
                if c == q {
                    quote = None;
                }
            } else {
                match c {
                    '\'' | '"' if !closers.is_empty() => quote = Some(c),
                    '[' => closers.push(']'),
                    '(' => closers.push(')'),
                    ']' | ')' if closers.last() == Some(&c) => {
                        closers.pop();
                    }
                    ',' | ')' if closers.is_empty() => break,
                    ']' | ')' => {
                        return Err(self.error_at(start, "unbalanced brackets or quotes in path"));
                    }
                    c if c.is_whitespace() && closers.is_empty() => break,
                    _ => {}
                }
            }
            self.pos += c.len_utf8();
        }
        if quote.is_some() || !closers.is_empty() {
            return Err(self.error_at(start, "unbalanced brackets or quotes in path"));
        }
        Ok(self.text[start..self.pos].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn lit(v: Value) -> Arg {
        Arg::Literal(v)
    }

    fn path(p: &str) -> Arg {
        Arg::Path(PathArg::new(p))
    }

    fn call(function: Function, args: Vec<Arg>) -> IntrinsicCall {
        IntrinsicCall { function, args }
    }

    #[test]
    fn parses_literals_paths_and_calls() {
        let cases: Vec<(&str, IntrinsicCall)> = vec![
            ("States.UUID()", call(Function::Uuid, vec![])),
            ("  States.UUID( )  ", call(Function::Uuid, vec![])),
            (
                "States.Array('a', 1, -2, 1.5, -0.25, 1e3, 2E-2, true, false, null)",
                call(
                    Function::Array,
                    vec![
                        lit(json!("a")),
                        lit(json!(1)),
                        lit(json!(-2)),
                        lit(json!(1.5)),
                        lit(json!(-0.25)),
                        lit(json!(1000.0)),
                        lit(json!(0.02)),
                        lit(json!(true)),
                        lit(json!(false)),
                        lit(json!(null)),
                    ],
                ),
            ),
            (
                "States.Array($, $.a.b, $$.Execution.Id, $var.x, $.a[0], $.a['x, y'], $.a[?(@.b == 1)])",
                call(
                    Function::Array,
                    vec![
                        path("$"),
                        path("$.a.b"),
                        path("$$.Execution.Id"),
                        path("$var.x"),
                        path("$.a[0]"),
                        path("$.a['x, y']"),
                        path("$.a[?(@.b == 1)]"),
                    ],
                ),
            ),
            (
                "States.Format('{}',States.MathAdd($.a,1))",
                call(
                    Function::Format,
                    vec![
                        lit(json!("{}")),
                        Arg::Call(Box::new(call(
                            Function::MathAdd,
                            vec![path("$.a"), lit(json!(1))],
                        ))),
                    ],
                ),
            ),
            (
                "States.Array(9223372036854775807, 18446744073709551615, 18446744073709551616)",
                call(
                    Function::Array,
                    vec![
                        lit(json!(i64::MAX)),
                        lit(json!(u64::MAX)),
                        lit(json!(18446744073709551616.0)),
                    ],
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn string_escapes() {
        for (text, expected) in [
            (r"States.Array('it\'s')", "it's"),
            (r"States.Array('a\\b')", r"a\b"),
            (r"States.Array('\{\}')", r"\{\}"),
            (r"States.Array('a\nb')", r"a\nb"),
            ("States.Array('line\nbreak')", "line\nbreak"),
            ("States.Array('a, b)')", "a, b)"),
            ("States.Array('')", ""),
            ("States.Array('\"')", "\""),
        ] {
            assert_eq!(
                parse(text),
                Ok(call(Function::Array, vec![lit(json!(expected))])),
                "{text}"
            );
        }
    }

    #[test]
    fn syntax_errors() {
        for (text, message, position) in [
            (
                "",
                "expected an intrinsic function such as States.Format(...)",
                0,
            ),
            (
                "$.a",
                "expected an intrinsic function such as States.Format(...)",
                0,
            ),
            (
                "States.format('x')",
                "unknown intrinsic function 'States.format'",
                0,
            ),
            (
                "States.Nope()",
                "unknown intrinsic function 'States.Nope'",
                0,
            ),
            ("States.UUID", "expected '(' after States.UUID", 11),
            ("States.Array(1", "missing ')' to close States.Array(", 14),
            ("States.Array(1,)", "expected an argument but found ')'", 15),
            ("States.Array(,1)", "expected an argument but found ','", 13),
            ("States.Array(1 2)", "expected ',' or ')' but found '2'", 15),
            (
                "States.Array('abc)",
                "string literal is missing its closing '",
                13,
            ),
            (
                r"States.Array('abc\')",
                "string literal is missing its closing '",
                13,
            ),
            ("States.Array(-)", "expected digits after '-'", 13),
            ("States.Array(1.)", "expected digits after '.'", 14),
            ("States.Array(1e)", "expected digits in the exponent", 14),
            ("States.Array(12abc)", "malformed number", 15),
            ("States.Array(1e999)", "number 1e999 is out of range", 13),
            (
                "States.Array(nul)",
                "unexpected 'nul': an argument is a 'string', a number, true, false, null, a path starting with $ or a States. call",
                13,
            ),
            (
                "States.Array(True)",
                "unexpected 'True': an argument is a 'string', a number, true, false, null, a path starting with $ or a States. call",
                13,
            ),
            (
                "States.Array(\"x\")",
                "expected an argument but found '\"'",
                13,
            ),
            (
                "States.Array($.a[0)",
                "unbalanced brackets or quotes in path",
                13,
            ),
            (
                "States.Array(1) x",
                "unexpected text after the closing parenthesis",
                16,
            ),
            (
                "States.Array(1))",
                "unexpected text after the closing parenthesis",
                15,
            ),
        ] {
            assert_eq!(
                parse(text),
                Err(IntrinsicSyntaxError {
                    message: message.to_owned(),
                    position
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn nesting_is_limited_to_ten() {
        let nest = |n: usize| {
            let mut text = "1".to_owned();
            for _ in 0..n {
                text = format!("States.Array({text})");
            }
            text
        };
        assert!(parse(&nest(10)).is_ok());
        let err = parse(&nest(11)).unwrap_err();
        assert_eq!(
            err.message,
            "intrinsic functions are nested more than 10 deep"
        );
    }

    #[test]
    fn display_names_the_position() {
        let err = parse("States.Array(").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid intrinsic function call at character 13: expected an argument but the text ended"
        );
    }

    #[test]
    fn display_writes_what_parse_reads() {
        for text in [
            "States.UUID()",
            "States.Array('a', 1, -2, 1.5, 1000.0, 1e300, true, false, null)",
            "States.Format('{} \\{\\} it\\'s a\\\\b', $.a['x, y'], $$.Execution.Id, $var.x)",
            "States.Format('{}', States.MathAdd($.a, States.ArrayLength($.b)))",
            "States.Array(9223372036854775807, 18446744073709551615, 18446744073709551616)",
        ] {
            let call = parse(text).unwrap();
            assert_eq!(parse(&call.to_string()), Ok(call.clone()), "{text}");
        }
        assert_eq!(
            parse(r"States.Array( 'it\'s' ,$.a,States.UUID( ) )")
                .unwrap()
                .to_string(),
            r"States.Array('it\'s', $.a, States.UUID())"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,64}") {
            let _ = parse(&text);
        }

        #[test]
        fn display_round_trips_strings_and_numbers(s in "\\PC{0,24}", n in proptest::num::f64::NORMAL, i in any::<i64>()) {
            let original = call(Function::Array, vec![lit(json!(s)), lit(json!(n)), lit(json!(i))]);
            prop_assert_eq!(parse(&original.to_string()), Ok(original));
        }

        #[test]
        fn parse_never_panics_on_call_like_text(body in "[-$.,()'\\\\{} a-z0-9\\[\\]?@=e]{0,48}") {
            let _ = parse(&format!("States.Array({body}"));
            let _ = parse(&format!("States.Format({body})"));
        }
    }
}
