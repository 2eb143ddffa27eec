//! `States.Format` and `States.StringSplit`.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::{Args, Function, invalid_args, str_arg};
use crate::error::StatesResult;

/// `States.Format(template, args...)`.
///
/// `{}` takes the next argument; `\{` and `\}` are literal braces; any other `{` or `}` is an
/// error, as is a placeholder count that differs from the argument count. Arguments are
/// rendered the way AWS's Java runtime prints them (see [`render`]).
pub(super) fn format(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::Format;
    let Some((template, values)) = args.split_first() else {
        return Err(invalid_args(f));
    };
    let template = str_arg(template, f)?;
    let mut out = String::with_capacity(template.len() + 16 * values.len());
    let mut values = values.iter();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let rest = chars.as_str();
                if rest.starts_with(['{', '}']) {
                    out.push_str(&rest[..1]);
                    chars.next();
                } else {
                    out.push('\\');
                }
            }
            '{' => {
                if !chars.as_str().starts_with('}') {
                    return Err(invalid_args(f));
                }
                chars.next();
                let value = values.next().ok_or_else(|| invalid_args(f))?;
                render(value, &mut out);
            }
            '}' => return Err(invalid_args(f)),
            c => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(invalid_args(f));
    }
    Ok(Value::String(out))
}

/// Appends `value` as Java's `toString` prints the equivalent object, which is what AWS shows
/// for a Format argument: strings without quotes, integers as digits, fractions as
/// `Double.toString`, arrays as `[a, b]` and objects as `{k=v, k2=v2}`.
pub(super) fn render(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => java_number(n, out),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                render(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON number as Java prints it: integers as digits, other numbers as `Double.toString`.
fn java_number(n: &Number, out: &mut String) {
    if n.is_f64() {
        java_double(n.as_f64().unwrap_or_default(), out);
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Java's `Double.toString`: shortest round-trip digits, plain between 10^-3 and 10^7
/// (`1.0`, `0.001`), computerized scientific notation outside it (`1.0E7`, `1.5E-4`).
fn java_double(d: f64, out: &mut String) {
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    if (1e-3..1e7).contains(&d.abs()) {
        let start = out.len();
        let _ = write!(out, "{d}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        return;
    }
    let sci = format!("{d:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    out.push('E');
    out.push_str(exponent);
}

/// `States.StringSplit(string, delimiters)`.
///
/// Every character of the second argument is a delimiter on its own, and empty tokens are
/// dropped (Java's `StringTokenizer`): `",, a,b"` split on `", "` is `["a", "b"]`.
pub(super) fn split(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::StringSplit;
    let [text, delimiters] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let text = str_arg(text, f)?;
    let delimiters = str_arg(delimiters, f)?;
    let tokens = text
        .split(|c| delimiters.contains(c))
        .filter(|token| !token.is_empty())
        .map(|token| Value::String(token.to_owned()))
        .collect();
    Ok(Value::Array(tokens))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn format_table() {
        let bad = || Err(invalid(Function::Format));
        check(&[
            (
                "States.Format('Hello {}', $.name)",
                json!({"name": "Ada"}),
                Ok(json!("Hello Ada")),
            ),
            (
                "States.Format('no placeholders')",
                json!({}),
                Ok(json!("no placeholders")),
            ),
            ("States.Format('')", json!({}), Ok(json!(""))),
            (
                "States.Format('{}{}', 'a', 'b')",
                json!({}),
                Ok(json!("ab")),
            ),
            (
                "States.Format('  {}  ', 'x')",
                json!({}),
                Ok(json!("  x  ")),
            ),
            (
                "States.Format($.t, $.n)",
                json!({"t": "Hi {}", "n": 1}),
                Ok(json!("Hi 1")),
            ),
            // Values as AWS renders them (recorded cases).
            ("States.Format('{}', $)", json!(null), Ok(json!("null"))),
            ("States.Format('{}', $)", json!(1), Ok(json!("1"))),
            ("States.Format('{}', $)", json!(1.1), Ok(json!("1.1"))),
            ("States.Format('{}', $)", json!(true), Ok(json!("true"))),
            ("States.Format('{}', $)", json!(""), Ok(json!(""))),
            (
                "States.Format('{}', $)",
                json!("{\"a\": 1}"),
                Ok(json!("{\"a\": 1}")),
            ),
            (
                "States.Format('{}', $)",
                json!({"Arg1": 1, "Arg2": []}),
                Ok(json!("{Arg1=1, Arg2=[]}")),
            ),
            (
                "States.Format('{}', $)",
                json!([1, "a", null, {"k": [true]}]),
                Ok(json!("[1, a, null, {k=[true]}]")),
            ),
            ("States.Format('{}', $)", json!({}), Ok(json!("{}"))),
            ("States.Format('{}', 2020)", json!({}), Ok(json!("2020"))),
            ("States.Format('{}', -7)", json!({}), Ok(json!("-7"))),
            ("States.Format('{}', 1.0)", json!({}), Ok(json!("1.0"))),
            ("States.Format('{}', 100.5)", json!({}), Ok(json!("100.5"))),
            ("States.Format('{}', 1e7)", json!({}), Ok(json!("1.0E7"))),
            (
                "States.Format('{}', 1.5e-4)",
                json!({}),
                Ok(json!("1.5E-4")),
            ),
            ("States.Format('{}', 0.001)", json!({}), Ok(json!("0.001"))),
            (
                "States.Format('{}', -2.5e20)",
                json!({}),
                Ok(json!("-2.5E20")),
            ),
            ("States.Format('{}', 0.0)", json!({}), Ok(json!("0.0"))),
            (
                "States.Format('{}', 9007199254740993)",
                json!({}),
                Ok(json!("9007199254740993")),
            ),
            (
                "States.Format('{}', 18446744073709551615)",
                json!({}),
                Ok(json!("18446744073709551615")),
            ),
            // Escapes: the intrinsic text `\{` is a literal brace, `\'` a quote.
            (r"States.Format('\{\}')", json!({}), Ok(json!("{}"))),
            (r"States.Format('\{{}\}', 'x')", json!({}), Ok(json!("{x}"))),
            (
                r"States.Format('Name: \'{}\'', 'Gabriel')",
                json!({}),
                Ok(json!("Name: 'Gabriel'")),
            ),
            (
                r"States.Format('a\\b {}', 1)",
                json!({}),
                Ok(json!(r"a\b 1")),
            ),
            (r"States.Format('a\nb')", json!({}), Ok(json!(r"a\nb"))),
            (
                "States.Format('{}', States.Format('{}', 'x'))",
                json!({}),
                Ok(json!("x")),
            ),
            // Errors.
            ("States.Format('{} {}', 'x')", json!({}), bad()),
            ("States.Format('{}', 'x', 'y')", json!({}), bad()),
            ("States.Format('x', 'y')", json!({}), bad()),
            ("States.Format('Hello {', 'x')", json!({}), bad()),
            ("States.Format('Hello {{}}', 'x')", json!({}), bad()),
            ("States.Format('}')", json!({}), bad()),
            ("States.Format('{x}', 1)", json!({}), bad()),
            ("States.Format(123)", json!({}), bad()),
            ("States.Format(null)", json!({}), bad()),
            ("States.Format($, 'x')", json!({"t": "{}"}), bad()),
        ]);
    }

    #[test]
    fn split_table() {
        let bad = || Err(invalid(Function::StringSplit));
        check(&[
            // Recorded AWS cases.
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": " ", "d": ","}),
                Ok(json!([" "])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": " , ", "d": ","}),
                Ok(json!([" ", " "])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": ", , ,", "d": ","}),
                Ok(json!([" ", " "])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": ",,,,", "d": ","}),
                Ok(json!([])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": "1,2,3,4,5", "d": ","}),
                Ok(json!(["1", "2", "3", "4", "5"])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": "This.is+a,test=string", "d": ".+,="}),
                Ok(json!(["This", "is", "a", "test", "string"])),
            ),
            (
                "States.StringSplit($.s, $.d)",
                json!({"s": "split on T and \nnew line", "d": "T\n"}),
                Ok(json!(["split on ", " and ", "new line"])),
            ),
            (
                "States.StringSplit('Hello\nWorld', '\n')",
                json!({}),
                Ok(json!(["Hello", "World"])),
            ),
            // Edges.
            ("States.StringSplit('', ',')", json!({}), Ok(json!([]))),
            (
                "States.StringSplit('abc', '')",
                json!({}),
                Ok(json!(["abc"])),
            ),
            (
                "States.StringSplit('a→b→c', '→')",
                json!({}),
                Ok(json!(["a", "b", "c"])),
            ),
            (
                "States.StringSplit('a1b2c', '0123456789')",
                json!({}),
                Ok(json!(["a", "b", "c"])),
            ),
            // Errors.
            ("States.StringSplit(1, ',')", json!({}), bad()),
            ("States.StringSplit('a,b', 1)", json!({}), bad()),
            ("States.StringSplit(null, ',')", json!({}), bad()),
            ("States.StringSplit($, ',')", json!(["a"]), bad()),
        ]);
    }
}
