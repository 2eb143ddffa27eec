use super::*;
use crate::NoVariables;
use serde_json::json;

/// `cmp!(name, Comparator, value, operand, expected)`.
macro_rules! cmp {
    ($name:ident, $c:ident, $v:tt, $o:tt, $expected:expr) => {
        #[test]
        fn $name() {
            assert_eq!(test(Comparator::$c, &json!($v), &json!($o)), $expected);
        }
    };
}

cmp!(string_equals, StringEquals, "a", "a", true);
cmp!(string_equals_other, StringEquals, "a", "b", false);
cmp!(string_equals_number_is_false, StringEquals, 1, "1", false);
cmp!(string_less, StringLessThan, "a", "b", true);
cmp!(string_less_equal, StringLessThanEquals, "b", "b", true);
cmp!(string_greater, StringGreaterThan, "b", "a", true);
cmp!(
    string_greater_equals,
    StringGreaterThanEquals,
    "a",
    "b",
    false
);
cmp!(string_case_sensitive, StringLessThan, "B", "a", true);
cmp!(numeric_equals_int_float, NumericEquals, 1, 1.0, true);
cmp!(numeric_equals_string_false, NumericEquals, "1", 1, false);
cmp!(numeric_less, NumericLessThan, 1, 2, true);
cmp!(numeric_less_equals, NumericLessThanEquals, 2.5, 2.5, true);
cmp!(numeric_greater, NumericGreaterThan, (-1), (-2), true);
cmp!(
    numeric_greater_equals,
    NumericGreaterThanEquals,
    1,
    2,
    false
);
cmp!(boolean_equals, BooleanEquals, true, true, true);
cmp!(
    boolean_equals_string_false,
    BooleanEquals,
    "true",
    true,
    false
);
cmp!(
    timestamp_equals_offsets,
    TimestampEquals,
    "2016-03-14T01:59:00Z",
    "2016-03-14T02:59:00+01:00",
    true
);
cmp!(
    timestamp_less,
    TimestampLessThan,
    "2016-03-14T01:59:00Z",
    "2016-03-14T01:59:01Z",
    true
);
cmp!(
    timestamp_greater,
    TimestampGreaterThan,
    "2017-01-01T00:00:00Z",
    "2016-03-14T01:59:01Z",
    true
);
cmp!(
    timestamp_lte,
    TimestampLessThanEquals,
    "2016-03-14T01:59:00Z",
    "2016-03-14T01:59:00Z",
    true
);
cmp!(
    timestamp_gte,
    TimestampGreaterThanEquals,
    "2016-03-14T01:59:00Z",
    "2016-03-14T01:59:01Z",
    false
);
cmp!(
    timestamp_lowercase_t_is_not,
    TimestampEquals,
    "2016-03-14t01:59:00Z",
    "2016-03-14T01:59:00Z",
    false
);
cmp!(
    timestamp_not_string,
    TimestampEquals,
    5,
    "2016-03-14T01:59:00Z",
    false
);
cmp!(is_null_true, IsNull, null, true, true);
cmp!(is_null_false, IsNull, 0, true, false);
cmp!(is_null_negated, IsNull, 0, false, true);
cmp!(is_numeric, IsNumeric, 1.5, true, true);
cmp!(is_string, IsString, "x", true, true);
cmp!(is_boolean, IsBoolean, "true", true, false);
cmp!(
    is_timestamp,
    IsTimestamp,
    "2016-03-14T01:59:00Z",
    true,
    true
);
cmp!(
    is_timestamp_no_zone,
    IsTimestamp,
    "2016-03-14T01:59:00",
    true,
    false
);
cmp!(
    matches_star,
    StringMatches,
    "log-2024.txt",
    "log-*.txt",
    true
);
cmp!(
    matches_star_none,
    StringMatches,
    "log.txt",
    "log-*.txt",
    false
);
cmp!(matches_escaped_star, StringMatches, "a*b", "a\\*b", true);
cmp!(
    matches_escaped_star_literal_only,
    StringMatches,
    "axb",
    "a\\*b",
    false
);
cmp!(matches_backslash, StringMatches, "a\\b", "a\\\\b", true);
cmp!(matches_many_stars, StringMatches, "abcabc", "*b*c", true);
cmp!(matches_empty, StringMatches, "", "*", true);

fn rule(v: serde_json::Value) -> Condition {
    let sm = crate::StateMachine::from_value(&json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [ {"Next": "D"} ], "Default": "D"},
            "D": {"Type": "Succeed"}
        }
    }));
    drop(sm);
    let mut r = v;
    r["Next"] = json!("D");
    let sm = crate::StateMachine::from_value(&json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [r], "Default": "D"},
            "D": {"Type": "Succeed"}
        }
    }))
    .unwrap();
    match &sm.start_state().kind {
        crate::StateKind::Choice(c) => c.choices[0].condition.clone(),
        _ => unreachable!(),
    }
}

fn eval(cond: &Condition, input: serde_json::Value) -> StatesResult<bool> {
    let ctx = json!({});
    evaluate(cond, &Scope::new(&input, &ctx, &NoVariables))
}

#[test]
fn and_or_not_combine() {
    let c = rule(json!({"And": [
        {"Variable": "$.a", "NumericGreaterThan": 1},
        {"Or": [{"Variable": "$.b", "StringEquals": "x"}, {"Not": {"Variable": "$.c", "BooleanEquals": true}}]}
    ]}));
    assert!(eval(&c, json!({"a": 2, "b": "y", "c": false})).unwrap());
    assert!(!eval(&c, json!({"a": 2, "b": "y", "c": true})).unwrap());
    assert!(!eval(&c, json!({"a": 1, "b": "x", "c": true})).unwrap());
}

#[test]
fn path_operands_compare_two_fields() {
    let c = rule(json!({"Variable": "$.a", "NumericLessThanPath": "$.b"}));
    assert!(eval(&c, json!({"a": 1, "b": 2})).unwrap());
    assert!(!eval(&c, json!({"a": 3, "b": 2})).unwrap());
}

#[test]
fn is_present_tolerates_missing_variable() {
    let c = rule(json!({"Variable": "$.nope", "IsPresent": false}));
    assert!(eval(&c, json!({})).unwrap());
    let c = rule(json!({"Variable": "$.a", "IsPresent": true}));
    assert!(eval(&c, json!({"a": null})).unwrap());
}

#[test]
fn missing_variable_is_a_runtime_error() {
    let c = rule(json!({"Variable": "$.nope", "StringEquals": "x"}));
    let e = eval(&c, json!({})).unwrap_err();
    assert_eq!(e.error, "States.Runtime");
    assert_eq!(
        e.cause,
        "Invalid path '$.nope': The choice state's condition path references an invalid value."
    );
}
