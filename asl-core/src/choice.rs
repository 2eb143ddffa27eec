//! Evaluation of JSONPath Choice rules, with AWS's type rules: a comparator applied to a value
//! of the wrong type is false, never an error; a `Variable` that selects nothing is an error
//! except for `IsPresent`.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::error::{StatesError, StatesResult};
use crate::model::{Comparator, Comparison, Condition, Operand};
use crate::scope::Scope;

/// Evaluates a JSONPath condition. A JSONata `Condition` cannot be evaluated here (it needs the
/// `$states` bindings) and yields an error; the interpreter evaluates those itself.
pub fn evaluate(condition: &Condition, scope: &Scope) -> StatesResult<bool> {
    match condition {
        Condition::And(all) => {
            for c in all {
                if !evaluate(c, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(any) => {
            for c in any {
                if evaluate(c, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(c) => Ok(!evaluate(c, scope)?),
        Condition::Compare(cmp) => compare(cmp, scope),
        Condition::Jsonata(_) => Err(StatesError::runtime(
            "A JSONata Condition must be evaluated with the $states bindings",
        )),
    }
}

fn compare(cmp: &Comparison, scope: &Scope) -> StatesResult<bool> {
    let selected = cmp.variable.evaluate(scope);
    if cmp.comparator == Comparator::IsPresent {
        let present = match &selected {
            Ok(Value::Array(a)) if !cmp.variable.is_definite() => !a.is_empty(),
            Ok(_) => true,
            Err(_) => false,
        };
        return Ok(present == (cmp.operand == Operand::Value(Value::Bool(true))));
    }
    let value = selected.map_err(|_| {
        StatesError::runtime(format!(
            "Invalid path '{}': The choice state's condition path references an invalid value.",
            cmp.variable.text()
        ))
    })?;
    let operand = match &cmp.operand {
        Operand::Value(v) => std::borrow::Cow::Borrowed(v),
        Operand::Path(p) => std::borrow::Cow::Owned(p.evaluate(scope).map_err(|_| {
            StatesError::runtime(format!(
                "Invalid path '{}': The choice state's condition path references an invalid value.",
                p.text()
            ))
        })?),
    };
    Ok(test(cmp.comparator, &value, &operand))
}

/// Applies one comparator to a value and an operand (both already resolved).
pub fn test(comparator: Comparator, value: &Value, operand: &Value) -> bool {
    use Comparator::*;
    let expect = |b: bool| operand.as_bool() == Some(b);
    match comparator {
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (value.as_str(), operand.as_str()) {
            (Some(a), Some(b)) => ordering_holds(comparator, java_string_cmp(a, b)),
            _ => false,
        },
        StringMatches => match (value.as_str(), operand.as_str()) {
            (Some(a), Some(p)) => string_matches(a, p),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => match (value, operand) {
            (Value::Number(a), Value::Number(b)) => {
                number_cmp(a, b).is_some_and(|o| ordering_holds(comparator, o))
            }
            _ => false,
        },
        BooleanEquals => match (value, operand) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        },
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            match (
                value.as_str().and_then(parse_timestamp),
                operand.as_str().and_then(parse_timestamp),
            ) {
                (Some(a), Some(b)) => ordering_holds(comparator, a.cmp(&b)),
                _ => false,
            }
        }
        IsNull => expect(value.is_null()),
        IsPresent => expect(true),
        IsNumeric => expect(value.is_number()),
        IsString => expect(value.is_string()),
        IsBoolean => expect(value.is_boolean()),
        IsTimestamp => expect(value.as_str().and_then(parse_timestamp).is_some()),
    }
}

fn ordering_holds(comparator: Comparator, o: Ordering) -> bool {
    use Comparator::*;
    match comparator {
        StringEquals | NumericEquals | TimestampEquals => o == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => o == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => o == Ordering::Greater,
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            o != Ordering::Greater
        }
        _ => o != Ordering::Less,
    }
}

/// Java's `String.compareTo`: UTF-16 code unit order (differs from `str` order for characters
/// outside the Basic Multilingual Plane).
fn java_string_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

fn number_cmp(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a
/// literal backslash.
pub fn string_matches(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::with_capacity(pattern.len());
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Char(n)),
                None => toks.push(Tok::Char('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let chars: Vec<char> = s.chars().collect();
    // Classic greedy wildcard matching with backtracking to the last star.
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < chars.len() {
        match toks.get(pi) {
            Some(Tok::Char(c)) if *c == chars[si] => {
                si += 1;
                pi += 1;
            }
            Some(Tok::Star) => {
                star = Some((pi, si));
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    toks[pi..].iter().all(|t| *t == Tok::Star)
}

/// Parses an RFC 3339 timestamp as AWS accepts it: an uppercase `T` between date and time,
/// and `Z` or a numeric offset.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if s.as_bytes().get(10) != Some(&b'T') || s.ends_with('z') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// Whether a literal operand has the type its comparator needs (checked at parse time).
pub(crate) fn operand_ok(comparator: Comparator, value: &Value) -> bool {
    use crate::model::choice::OperandType;
    match comparator.operand_type() {
        OperandType::String => value.is_string(),
        OperandType::Timestamp => value.as_str().is_some_and(|s| parse_timestamp(s).is_some()),
        OperandType::Number => value.is_number(),
        OperandType::Boolean => value.is_boolean(),
    }
}

#[cfg(test)]
mod tests;
