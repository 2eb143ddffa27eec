//! `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use std::borrow::Cow;

use serde_json::Value;

use super::{Args, Function, invalid_args, str_arg};
use crate::error::StatesResult;

/// `States.StringToJson(string)`: the parsed JSON; blank text gives `null`, as on AWS.
pub(super) fn string_to_json(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::StringToJson;
    let [text] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let text = str_arg(text, f)?.trim_matches(|c: char| c <= ' ');
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let mut value: Value = serde_json::from_str(text).map_err(|_| invalid_args(f))?;
    if text.contains("-0") {
        positive_zero(&mut value);
    }
    Ok(value)
}

/// serde_json reads the integer `-0` as the float `-0.0`; AWS (Jackson) reads it as the integer
/// `0`. A `-0.0` written as a float also becomes `0`, a difference no recorded case shows.
/// (`0.0` stays a float.)
fn positive_zero(value: &mut Value) {
    match value {
        Value::Number(n) if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) => {
            *value = Value::from(0);
        }
        Value::Array(items) => items.iter_mut().for_each(positive_zero),
        Value::Object(map) => map.values_mut().for_each(positive_zero),
        _ => {}
    }
}

/// `States.JsonToString(value)`: compact JSON text with key order preserved, as AWS writes it.
pub(super) fn json_to_string(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::JsonToString;
    let [value] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    Ok(Value::String(value.to_string()))
}

/// `States.JsonMerge(a, b, false)`: a shallow merge where `b`'s keys replace `a`'s in place and
/// new keys follow. AWS only supports shallow merging, so the flag must be the boolean `false`.
pub(super) fn json_merge(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::JsonMerge;
    let [a, b, deep] = <[_; 3]>::try_from(args).map_err(|_| invalid_args(f))?;
    if *deep != Value::Bool(false) || !b.is_object() {
        return Err(invalid_args(f));
    }
    let mut merged = match a {
        Cow::Owned(Value::Object(map)) => map,
        Cow::Borrowed(Value::Object(map)) => map.clone(),
        _ => return Err(invalid_args(f)),
    };
    match b {
        Cow::Owned(Value::Object(map)) => merged.extend(map),
        Cow::Borrowed(Value::Object(map)) => {
            merged.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        _ => return Err(invalid_args(f)),
    }
    Ok(Value::Object(merged))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn string_to_json_table() {
        let bad = || Err(invalid(Function::StringToJson));
        let s = "States.StringToJson($)";
        check(&[
            // Recorded AWS cases.
            (s, json!(""), Ok(json!(null))),
            (s, json!(" "), Ok(json!(null))),
            (s, json!("null"), Ok(json!(null))),
            (s, json!("-0"), Ok(json!(0))),
            (
                s,
                json!("[-0, {\"a\": -0}, 0.0]"),
                Ok(json!([0, {"a": 0}, 0.0])),
            ),
            (s, json!("1"), Ok(json!(1))),
            (s, json!("1.1"), Ok(json!(1.1))),
            (s, json!("true"), Ok(json!(true))),
            (s, json!("\"HelloWorld\""), Ok(json!("HelloWorld"))),
            (
                s,
                json!("[1, 2, \"HelloWorld\"]"),
                Ok(json!([1, 2, "HelloWorld"])),
            ),
            (
                s,
                json!("{\"Arg1\": 1, \"Arg2\": []}"),
                Ok(json!({"Arg1": 1, "Arg2": []})),
            ),
            (s, json!(" {\"a\": 1}\n"), Ok(json!({"a": 1}))),
            (
                r#"States.StringToJson('{"text":"An \"escaped\" quote"}')"#,
                json!({}),
                Ok(json!({"text": "An \"escaped\" quote"})),
            ),
            (
                "States.StringToJson(States.JsonToString($))",
                json!({"b": [1, {"c": null}]}),
                Ok(json!({"b": [1, {"c": null}]})),
            ),
            (s, json!("{"), bad()),
            (s, json!("{\"a\": 1} x"), bad()),
            (s, json!("nope"), bad()),
            (s, json!(1), bad()),
            (s, json!({"a": 1}), bad()),
            (s, json!(null), bad()),
        ]);
    }

    #[test]
    fn json_to_string_table() {
        let s = "States.JsonToString($)";
        check(&[
            (s, json!(null), Ok(json!("null"))),
            (s, json!(0), Ok(json!("0"))),
            (s, json!(1.1), Ok(json!("1.1"))),
            (s, json!(true), Ok(json!("true"))),
            (s, json!("HelloWorld"), Ok(json!("\"HelloWorld\""))),
            (
                s,
                json!([1, 2, "HelloWorld"]),
                Ok(json!("[1,2,\"HelloWorld\"]")),
            ),
            (
                s,
                json!({"Arg1": 1, "Arg2": []}),
                Ok(json!("{\"Arg1\":1,\"Arg2\":[]}")),
            ),
            (
                s,
                json!({"z": 1, "a": {"y": "é\n"}}),
                Ok(json!("{\"z\":1,\"a\":{\"y\":\"é\\n\"}}")),
            ),
            ("States.JsonToString('x')", json!({}), Ok(json!("\"x\""))),
        ]);
    }

    #[test]
    fn json_merge_table() {
        let bad = || Err(invalid(Function::JsonMerge));
        let m = "States.JsonMerge($.a, $.b, false)";
        check(&[
            (
                m,
                json!({"a": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}, "b": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}}),
                Ok(json!({"a": {"a3": 1, "a4": 2}, "b": 2, "d": 4, "c": 3})),
            ),
            (m, json!({"a": {}, "b": {}}), Ok(json!({}))),
            (m, json!({"a": {"x": 1}, "b": {}}), Ok(json!({"x": 1}))),
            (
                "States.JsonMerge($.a, States.StringToJson('{\"y\": 2}'), false)",
                json!({"a": {"x": 1}}),
                Ok(json!({"x": 1, "y": 2})),
            ),
            (
                "States.JsonMerge($.a, $.b, true)",
                json!({"a": {}, "b": {}}),
                bad(),
            ),
            (
                "States.JsonMerge($.a, $.b, 'false')",
                json!({"a": {}, "b": {}}),
                bad(),
            ),
            (
                "States.JsonMerge($.a, $.b, null)",
                json!({"a": {}, "b": {}}),
                bad(),
            ),
            (m, json!({"a": [], "b": {}}), bad()),
            (m, json!({"a": {}, "b": "x"}), bad()),
            (m, json!({"a": null, "b": null}), bad()),
        ]);
    }

    #[test]
    fn merge_keeps_first_object_key_order() {
        let merged = super::super::testutil::eval(
            "States.JsonMerge($.a, $.b, false)",
            json!({"a": {"a": 1, "b": 2, "d": 3}, "b": {"c": 3, "a": 9}}),
        )
        .unwrap();
        let keys: Vec<&str> = merged
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["a", "b", "d", "c"]);
    }
}
