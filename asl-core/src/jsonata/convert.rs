//! Conversions between `serde_json::Value` (what the interpreter stores) and jsonata-core's
//! `JValue` (what the evaluator works on), with JavaScript number semantics on the way out.

use jsonata_core::value::JValue;
use serde_json::{Map, Number, Value};

/// Why a JSONata result cannot become a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OutputError {
    /// A function (lambda, built-in reference) or a regex: AWS reports an unsupported result type.
    Unsupported,
    /// `Infinity` or `NaN`: JSON has no representation for them.
    NonFinite(f64),
    /// Nested deeper than [`MAX_RESULT_DEPTH`].
    TooDeep,
}

/// Deepest result accepted. JSONata can build arbitrarily deep values (`$reduce`, recursion);
/// `serde_json::Value` drops and serializes recursively, so an unbounded depth could overflow
/// the stack of whoever holds the result.
pub(crate) const MAX_RESULT_DEPTH: usize = 1000;

/// Converts a JSON value to a jsonata-core value without cloning the source first.
pub(crate) fn to_jvalue(value: &Value) -> JValue {
    match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        // Every JSON number becomes an IEEE double, as in JavaScript.
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::string(s.as_str()),
        Value::Array(items) => {
            jsonata_core::value::with_stack(|| JValue::array(items.iter().map(to_jvalue).collect()))
        }
        Value::Object(map) => jsonata_core::value::with_stack(|| {
            JValue::object(map.iter().map(|(k, v)| (k.clone(), to_jvalue(v))).collect())
        }),
    }
}

/// The JSON number JavaScript would print for `n`: integral values become integers (`3.0` ->
/// `3`, `-0` -> `0`), others stay doubles. `None` for non-finite values.
pub(crate) fn js_number(n: f64) -> Option<Number> {
    if !n.is_finite() {
        return None;
    }
    if n == 0.0 {
        return Some(Number::from(0u8));
    }
    if n.fract() == 0.0 {
        // 2^63 and 2^64 are exact doubles, so these bounds are exact.
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        if (-TWO_63..TWO_63).contains(&n) {
            return Some(Number::from(n as i64));
        }
        if (TWO_63..TWO_64).contains(&n) {
            return Some(Number::from(n as u64));
        }
    }
    Number::from_f64(n)
}

/// Converts an evaluation result to JSON. `Ok(None)` means the result is undefined.
///
/// Inside arrays and objects, undefined members are dropped (JSONata sequences never hold
/// them, and an object constructor omits undefined values), while functions anywhere make
/// the whole result unsupported.
pub(crate) fn from_jvalue(value: &JValue) -> Result<Option<Value>, OutputError> {
    match value {
        JValue::Undefined => Ok(None),
        other => to_json(other, 0).map(Some),
    }
}

fn to_json(value: &JValue, depth: usize) -> Result<Value, OutputError> {
    if depth > MAX_RESULT_DEPTH {
        return Err(OutputError::TooDeep);
    }
    Ok(match value {
        JValue::Null | JValue::Undefined => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => Value::Number(js_number(*n).ok_or(OutputError::NonFinite(*n))?),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                if !item.is_undefined() {
                    out.push(to_json(item, depth + 1)?);
                }
            }
            Value::Array(out)
        }
        JValue::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map.iter() {
                if !v.is_undefined() {
                    out.insert(k.clone(), to_json(v, depth + 1)?);
                }
            }
            Value::Object(out)
        }
        _ => return Err(OutputError::Unsupported),
    })
}

/// The JavaScript spelling of a non-finite number, for error messages.
pub(crate) fn js_non_finite(n: f64) -> &'static str {
    if n.is_nan() {
        "NaN"
    } else if n > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_follow_javascript() {
        let cases: &[(f64, &str)] = &[
            (3.0, "3"),
            (-0.0, "0"),
            (0.0, "0"),
            (1.5, "1.5"),
            (-2.0, "-2"),
            (0.1 + 0.2, "0.30000000000000004"),
            (9007199254740993.0, "9007199254740992"),
            (1e18, "1000000000000000000"),
            (-(2f64.powi(63)), "-9223372036854775808"),
            (1.8e19, "18000000000000000000"),
            (1e300, "1e+300"),
        ];
        for (n, text) in cases {
            assert_eq!(js_number(*n).unwrap().to_string(), *text, "{n}");
        }
        assert!(js_number(f64::NAN).is_none());
        assert!(js_number(f64::INFINITY).is_none());
        assert!(js_number(f64::NEG_INFINITY).is_none());
    }

    #[test]
    fn round_trip() {
        let v = json!({"a": [1, 2.5, "x", null, true, {"b": []}], "c": {}});
        assert_eq!(from_jvalue(&to_jvalue(&v)).unwrap(), Some(v));
    }

    #[test]
    fn undefined_and_functions() {
        assert_eq!(from_jvalue(&JValue::Undefined).unwrap(), None);
        assert_eq!(
            from_jvalue(&JValue::builtin("sum")),
            Err(OutputError::Unsupported)
        );
        let arr = JValue::array(vec![JValue::Undefined, JValue::from(1i64)]);
        assert_eq!(from_jvalue(&arr).unwrap(), Some(json!([1])));
        let nested = JValue::array(vec![JValue::builtin("sum")]);
        assert_eq!(from_jvalue(&nested), Err(OutputError::Unsupported));
        assert!(matches!(
            from_jvalue(&JValue::Number(f64::INFINITY)),
            Err(OutputError::NonFinite(_))
        ));
    }

    #[test]
    fn depth_limit() {
        let mut v = JValue::array(vec![]);
        for _ in 0..MAX_RESULT_DEPTH {
            v = JValue::array(vec![v]);
        }
        assert!(from_jvalue(&v).is_ok());
        let v = JValue::array(vec![v]);
        assert_eq!(from_jvalue(&v), Err(OutputError::TooDeep));
    }

    #[test]
    fn non_finite_names() {
        assert_eq!(js_non_finite(f64::NAN), "NaN");
        assert_eq!(js_non_finite(f64::INFINITY), "Infinity");
        assert_eq!(js_non_finite(f64::NEG_INFINITY), "-Infinity");
    }
}
