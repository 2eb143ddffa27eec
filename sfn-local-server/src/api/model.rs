//! Request validation from the service model: every operation's input checked against its
//! shapes the way AWS checks it before the operation runs, in one pass for all 37 operations.
//!
//! The table is `model.json` beside this file: the input shapes of botocore's
//! `stepfunctions/2016-11-23/service-2.json`, trimmed by `model.py` to types, `required`,
//! `min`/`max`, `pattern`, `enum` and `sensitive`. Regenerate it with
//!
//! ```text
//! python3 -m venv /tmp/bcvenv && /tmp/bcvenv/bin/pip install botocore
//! /tmp/bcvenv/bin/python sfn-local-server/src/api/model.py
//! ```
//!
//! What AWS answers, and so what this answers:
//! - A member of the wrong JSON type: `SerializationException` (`Member 'x' must be a
//!   string`, the texts of [`super::input`]), before any constraint is looked at.
//! - Members the model does not know: ignored. JSON `null` is an absent member.
//! - Every constraint broken, in one `ValidationException`: `1 validation error detected:
//!   Value 'v' at 'path' failed to satisfy constraint: Member must ...`, or `N validation
//!   errors detected: ...; ...`. A missing required member is `Value null at 'path'`. The
//!   value of a `sensitive` shape is left out (`Value at 'cause'`), as AWS's answer for an
//!   over-long `SendTaskFailure.cause` shows; other values are shown whole, as given (a list
//!   or structure as its JSON text).
//! - Paths are Coral's: `tags.1.member.key` (list entries counted from 1),
//!   `routingConfiguration.1.member.weight`, `map.key` for a map's values.
//! - A list of strings or numbers whose entries break their shape's constraints is one error
//!   at the list: `Member must satisfy constraint: [Member must have length less than or equal
//!   to 128, Member must have length greater than or equal to 1]`, every constraint of the
//!   entry's shape listed (max, min, pattern, enum, as AWS lists them); a map's keys and
//!   values likewise (`Map keys must satisfy constraint: [...]`).
//! - Order: members in the model's order, and for one member length (or value), then
//!   pattern, then enum. (AWS's own order is not documented.)
//!
//! Strings are measured in characters (Unicode scalar values), lists and maps in entries.
//! The operations' own errors (`InvalidName`, `InvalidArn`, `InvalidDefinition`,
//! `InvalidExecutionInput`, ...) come after, from the operations, for what the model lets
//! through: a name of 81 characters is a `ValidationException` on every operation (AWS, as
//! reported for StartExecution and CreateStateMachine), a name of allowed length with a
//! forbidden character is `InvalidName`.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::error::{ApiError, ErrorCode};
use super::input::serialization;

/// The trimmed service model.
const MODEL_JSON: &str = include_str!("model.json");

/// A shape's JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Integer,
    Long,
    Float,
    Boolean,
    Timestamp,
    Blob,
    Structure,
    List,
    Map,
}

/// One shape of the model.
#[derive(Debug)]
struct Shape {
    kind: Kind,
    required: Vec<String>,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    values: Option<Vec<String>>,
    sensitive: bool,
    /// A structure's members (name, shape) in the model's order.
    members: Vec<(String, String)>,
    /// A list's entry shape.
    member: Option<String>,
    /// A map's key and value shapes.
    key: Option<String>,
    value: Option<String>,
}

/// The model: each operation's input shape, and the shapes by name.
#[derive(Debug)]
struct Model {
    operations: HashMap<String, String>,
    shapes: HashMap<String, Shape>,
}

static MODEL: LazyLock<Model> = LazyLock::new(|| parse(MODEL_JSON));

fn parse(text: &str) -> Model {
    let v: Value = serde_json::from_str(text).expect("model.json is JSON");
    let names = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let text_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let operations = v["operations"]
        .as_object()
        .expect("operations")
        .iter()
        .map(|(k, s)| (k.clone(), s.as_str().expect("input shape").to_string()))
        .collect();
    let shapes = v["shapes"]
        .as_object()
        .expect("shapes")
        .iter()
        .map(|(name, s)| {
            let kind = match s["type"].as_str().unwrap_or_default() {
                "string" => Kind::String,
                "integer" => Kind::Integer,
                "long" => Kind::Long,
                "float" | "double" => Kind::Float,
                "boolean" => Kind::Boolean,
                "timestamp" => Kind::Timestamp,
                "blob" => Kind::Blob,
                "structure" => Kind::Structure,
                "list" => Kind::List,
                "map" => Kind::Map,
                other => panic!("model.json: shape {name} has type {other:?}"),
            };
            let members = s
                .get("members")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let shape = Shape {
                kind,
                required: names(s.get("required")),
                min: s.get("min").and_then(Value::as_i64),
                max: s.get("max").and_then(Value::as_i64),
                pattern: text_of(s, "pattern"),
                values: s.get("enum").map(|e| names(Some(e))),
                sensitive: s.get("sensitive").and_then(Value::as_bool) == Some(true),
                members,
                member: text_of(s, "member"),
                key: text_of(s, "key"),
                value: text_of(s, "value"),
            };
            (name.clone(), shape)
        })
        .collect();
    Model { operations, shapes }
}

/// Checks a request body against the operation's input shape. An operation the model does
/// not know is let through (the dispatcher answers it).
pub(crate) fn validate(op: &str, body: &Map<String, Value>) -> Result<(), ApiError> {
    let model = &*MODEL;
    let Some(input) = model.operations.get(op) else {
        return Ok(());
    };
    let mut w = Walk {
        model,
        errors: Vec::new(),
        type_error: None,
    };
    w.structure(w.shape(input), body, "");
    if let Some(e) = w.type_error {
        return Err(e);
    }
    match w.errors.len() {
        0 => Ok(()),
        1 => Err(ApiError::new(
            ErrorCode::ValidationException,
            format!("1 validation error detected: {}", w.errors[0]),
        )),
        n => Err(ApiError::new(
            ErrorCode::ValidationException,
            format!("{n} validation errors detected: {}", w.errors.join("; ")),
        )),
    }
}

/// Checks string members of `op`'s input as [`validate`] checks them in a body: for requests
/// the server makes itself (a nested execution, a schedule fire) from other values.
pub(crate) fn validate_strings(op: &str, members: &[(&str, Option<&str>)]) -> Result<(), ApiError> {
    let body: Map<String, Value> = members
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::String(v.to_string()))))
        .collect();
    validate(op, &body)
}

struct Walk<'m> {
    model: &'m Model,
    errors: Vec<String>,
    /// The first member of the wrong type: it wins over every constraint.
    type_error: Option<ApiError>,
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

/// How a value is shown in a message: a string as it is, anything else as its JSON text.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'m> Walk<'m> {
    fn shape(&self, name: &str) -> &'m Shape {
        self.model
            .shapes
            .get(name)
            .unwrap_or_else(|| panic!("model.json: no shape {name}"))
    }

    fn wrong_type(&mut self, path: &str, expected: &str) {
        if self.type_error.is_none() {
            self.type_error = Some(serialization(path, expected));
        }
    }

    fn fail(&mut self, shape: &Shape, value: Option<&Value>, path: &str, constraint: &str) {
        let at = match value {
            None => "Value null at".to_string(),
            Some(_) if shape.sensitive => "Value at".to_string(),
            Some(v) => format!("Value '{}' at", show(v)),
        };
        self.errors.push(format!(
            "{at} '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn structure(&mut self, shape: &'m Shape, obj: &Map<String, Value>, path: &str) {
        for (name, member) in &shape.members {
            let p = join(path, name);
            let m = self.shape(member);
            match obj.get(name) {
                None | Some(Value::Null) => {
                    if shape.required.contains(name) {
                        self.fail(m, None, &p, "Member must not be null");
                    }
                }
                Some(v) => self.value(m, v, &p),
            }
        }
    }

    /// Checks one present (non-null) value.
    fn value(&mut self, shape: &'m Shape, v: &Value, path: &str) {
        match shape.kind {
            Kind::Structure => match v {
                Value::Object(o) => self.structure(shape, o, path),
                _ => self.wrong_type(path, "a structure"),
            },
            Kind::List => match v {
                Value::Array(items) => self.list(shape, v, items, path),
                _ => self.wrong_type(path, "a list"),
            },
            Kind::Map => match v {
                Value::Object(o) => self.map(shape, v, o, path),
                _ => self.wrong_type(path, "a map"),
            },
            _ => {
                if let Some(expected) = type_mismatch(shape.kind, v) {
                    self.wrong_type(path, expected);
                    return;
                }
                for c in broken(shape, v) {
                    self.fail(shape, Some(v), path, &c);
                }
            }
        }
    }

    fn list(&mut self, shape: &'m Shape, v: &Value, items: &[Value], path: &str) {
        self.count(shape, v, items.len(), path);
        let entry = self.shape(shape.member.as_deref().expect("a list's member shape"));
        let mut entries_broken = false;
        for (i, item) in items.iter().enumerate() {
            if item.is_null() {
                continue;
            }
            let p = format!("{path}.{}.member", i + 1);
            if is_aggregate(entry.kind) {
                self.value(entry, item, &p);
            } else if let Some(expected) = type_mismatch(entry.kind, item) {
                self.wrong_type(&p, expected);
            } else {
                entries_broken |= !broken(entry, item).is_empty();
            }
        }
        if entries_broken {
            let c = format!(
                "Member must satisfy constraint: [{}]",
                all(entry).join(", ")
            );
            self.fail(shape, Some(v), path, &c);
        }
    }

    fn map(&mut self, shape: &'m Shape, v: &Value, obj: &Map<String, Value>, path: &str) {
        self.count(shape, v, obj.len(), path);
        let key = self.shape(shape.key.as_deref().expect("a map's key shape"));
        let value = self.shape(shape.value.as_deref().expect("a map's value shape"));
        if obj
            .keys()
            .any(|k| !broken(key, &Value::String(k.clone())).is_empty())
        {
            let c = format!(
                "Map keys must satisfy constraint: [{}]",
                all(key).join(", ")
            );
            self.fail(shape, Some(v), path, &c);
        }
        let mut values_broken = false;
        for (k, item) in obj {
            if item.is_null() {
                continue;
            }
            let p = join(path, k);
            if is_aggregate(value.kind) {
                self.value(value, item, &p);
            } else if let Some(expected) = type_mismatch(value.kind, item) {
                self.wrong_type(&p, expected);
            } else {
                values_broken |= !broken(value, item).is_empty();
            }
        }
        if values_broken {
            let c = format!(
                "Map value must satisfy constraint: [{}]",
                all(value).join(", ")
            );
            self.fail(shape, Some(v), path, &c);
        }
    }

    /// A list's or map's number of entries against `min`/`max`.
    fn count(&mut self, shape: &Shape, v: &Value, n: usize, path: &str) {
        let n = n as i64;
        if let Some(min) = shape.min
            && n < min
        {
            let c = format!("Member must have length greater than or equal to {min}");
            self.fail(shape, Some(v), path, &c);
        }
        if let Some(max) = shape.max
            && n > max
        {
            let c = format!("Member must have length less than or equal to {max}");
            self.fail(shape, Some(v), path, &c);
        }
    }
}

fn is_aggregate(kind: Kind) -> bool {
    matches!(kind, Kind::Structure | Kind::List | Kind::Map)
}

/// `Some(what was expected)` when a scalar value is not of the shape's JSON type.
fn type_mismatch(kind: Kind, v: &Value) -> Option<&'static str> {
    let ok = match kind {
        Kind::String | Kind::Blob => v.is_string(),
        // Java's int: a JSON integer that fits 32 bits.
        Kind::Integer => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Kind::Long => v.as_i64().is_some(),
        Kind::Float => v.is_number(),
        Kind::Boolean => v.is_boolean(),
        Kind::Timestamp => v.is_number() || v.is_string(),
        Kind::Structure | Kind::List | Kind::Map => true,
    };
    if ok {
        return None;
    }
    Some(match kind {
        Kind::String => "a string",
        Kind::Blob => "a blob",
        Kind::Integer | Kind::Long => "an integer",
        Kind::Float => "a number",
        Kind::Boolean => "a boolean",
        Kind::Timestamp => "a timestamp",
        Kind::Structure => "a structure",
        Kind::List => "a list",
        Kind::Map => "a map",
    })
}

/// The constraints a scalar value of the right type breaks, in the order they are reported.
fn broken(shape: &Shape, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::String(s) => {
            let len = s.chars().count() as i64;
            if let Some(min) = shape.min
                && len < min
            {
                out.push(format!(
                    "Member must have length greater than or equal to {min}"
                ));
            }
            if let Some(max) = shape.max
                && len > max
            {
                out.push(format!(
                    "Member must have length less than or equal to {max}"
                ));
            }
            if let Some(p) = &shape.pattern
                && matches_pattern(p, s) == Some(false)
            {
                out.push(format!(
                    "Member must satisfy regular expression pattern: {p}"
                ));
            }
            if let Some(values) = &shape.values
                && !values.iter().any(|e| e == s)
            {
                out.push(format!(
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                ));
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            if let Some(min) = shape.min
                && x < min as f64
            {
                out.push(format!(
                    "Member must have value greater than or equal to {min}"
                ));
            }
            if let Some(max) = shape.max
                && x > max as f64
            {
                out.push(format!(
                    "Member must have value less than or equal to {max}"
                ));
            }
        }
        _ => {}
    }
    out
}

/// Every constraint of a scalar shape, as AWS lists them for a list's entries or a map's keys
/// and values: max, min, pattern, enum.
fn all(shape: &Shape) -> Vec<String> {
    let numeric = matches!(shape.kind, Kind::Integer | Kind::Long | Kind::Float);
    let what = if numeric { "value" } else { "length" };
    let mut out = Vec::new();
    if let Some(max) = shape.max {
        out.push(format!(
            "Member must have {what} less than or equal to {max}"
        ));
    }
    if let Some(min) = shape.min {
        out.push(format!(
            "Member must have {what} greater than or equal to {min}"
        ));
    }
    if let Some(p) = &shape.pattern {
        out.push(format!(
            "Member must satisfy regular expression pattern: {p}"
        ));
    }
    if let Some(values) = &shape.values {
        out.push(format!(
            "Member must satisfy enum value set: [{}]",
            values.join(", ")
        ));
    }
    out
}

/// Whether `s` matches the model's `pattern` as a whole (Java's `Pattern.matches`), for the
/// patterns the Step Functions model uses; `None` for any other (then not checked, and the
/// `every_pattern_is_known` test fails, so a regenerated model with a new pattern is noticed).
/// No regular expression crate is a dependency, and the name pattern needs a lookahead.
fn matches_pattern(pattern: &str, s: &str) -> Option<bool> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    Some(match pattern {
        // CharacterRestrictedName (alias names): those characters, not digits alone.
        r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$" => {
            !s.is_empty() && s.chars().all(name_char) && s.chars().any(|c| !c.is_ascii_digit())
        }
        // ClientToken: one or more printable ASCII characters, no space.
        "[!-~]+" => !s.is_empty() && s.chars().all(|c| ('!'..='~').contains(&c)),
        // TraceHeader: ASCII.
        r"\p{ASCII}*" => s.is_ascii(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(op: &str, body: Value) -> Result<(), ApiError> {
        validate(op, body.as_object().expect("an object"))
    }

    fn message(op: &str, body: Value) -> (String, &'static str) {
        let e = check(op, body).expect_err("an error");
        (e.message, e.code.as_str())
    }

    #[test]
    fn every_operation_has_an_input_shape() {
        for op in super::super::OPERATIONS {
            let input = MODEL.operations.get(*op).unwrap_or_else(|| panic!("{op}"));
            assert_eq!(MODEL.shapes[input].kind, Kind::Structure, "{op}");
        }
        assert_eq!(MODEL.operations.len(), super::super::OPERATIONS.len());
    }

    #[test]
    fn every_shape_reference_resolves() {
        for (name, s) in &MODEL.shapes {
            let refs = s
                .members
                .iter()
                .map(|(_, m)| m)
                .chain(&s.member)
                .chain(&s.key)
                .chain(&s.value);
            for r in refs {
                assert!(MODEL.shapes.contains_key(r), "{name} -> {r}");
            }
        }
    }

    #[test]
    fn every_pattern_is_known() {
        for (name, s) in &MODEL.shapes {
            if let Some(p) = &s.pattern {
                assert!(matches_pattern(p, "x").is_some(), "{name}: {p}");
            }
        }
    }

    #[test]
    fn patterns() {
        let name = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$";
        for (s, ok) in [
            ("prod", true),
            ("v-1.2_x", true),
            ("123", false),
            ("", false),
            ("a b", false),
            ("ü", false),
        ] {
            assert_eq!(matches_pattern(name, s), Some(ok), "{s:?}");
        }
        assert_eq!(matches_pattern("[!-~]+", "abc-123"), Some(true));
        assert_eq!(matches_pattern("[!-~]+", "a b"), Some(false));
        assert_eq!(matches_pattern(r"\p{ASCII}*", ""), Some(true));
        assert_eq!(matches_pattern(r"\p{ASCII}*", "é"), Some(false));
    }

    #[test]
    fn unknown_operations_and_members_pass() {
        assert!(check("NoSuchOperation", json!({"x": 1})).is_ok());
        assert!(
            check(
                "ListActivities",
                json!({"whatever": [1, 2], "maxResults": null})
            )
            .is_ok()
        );
    }

    #[test]
    fn one_error() {
        let (m, code) = message("CreateActivity", json!({"name": "x".repeat(81)}));
        assert_eq!(code, "ValidationException");
        assert_eq!(
            m,
            format!(
                "1 validation error detected: Value '{}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80",
                "x".repeat(81)
            )
        );
    }

    #[test]
    fn several_errors_in_model_order() {
        let (m, _) = message(
            "CreateStateMachine",
            json!({"type": "BATCH", "loggingConfiguration": {"level": "LOUD"}}),
        );
        assert_eq!(
            m,
            "5 validation errors detected: \
             Value null at 'name' failed to satisfy constraint: Member must not be null; \
             Value null at 'definition' failed to satisfy constraint: Member must not be null; \
             Value null at 'roleArn' failed to satisfy constraint: Member must not be null; \
             Value 'BATCH' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]; \
             Value 'LOUD' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
        );
    }

    #[test]
    fn a_type_error_wins() {
        let (m, code) = message("CreateActivity", json!({"name": "", "tags": [{"key": 5}]}));
        assert_eq!(code, "SerializationException");
        assert_eq!(m, "Member 'tags.1.member.key' must be a string");
        let (m, code) = message("ListActivities", json!({"maxResults": 1.5}));
        assert_eq!(
            (m.as_str(), code),
            (
                "Member 'maxResults' must be an integer",
                "SerializationException"
            )
        );
        let (m, _) = message("ListActivities", json!({"maxResults": 4_294_967_296_i64}));
        assert_eq!(m, "Member 'maxResults' must be an integer");
        let (m, _) = message(
            "UpdateMapRun",
            json!({"mapRunArn": "a", "toleratedFailurePercentage": "5"}),
        );
        assert_eq!(m, "Member 'toleratedFailurePercentage' must be a number");
    }

    #[test]
    fn sensitive_values_are_left_out() {
        let (m, _) = message(
            "SendTaskFailure",
            json!({"taskToken": "t", "cause": "c".repeat(32769)}),
        );
        assert_eq!(
            m,
            "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768"
        );
    }

    #[test]
    fn lists_of_strings_answer_at_the_list() {
        let (m, _) = message(
            "UntagResource",
            json!({"resourceArn": "arn", "tagKeys": ["ok", ""]}),
        );
        assert_eq!(
            m,
            "1 validation error detected: Value '[\"ok\",\"\"]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"
        );
    }

    #[test]
    fn nested_required_members_and_ranges() {
        let (m, _) = message(
            "CreateStateMachineAlias",
            json!({"name": "prod", "routingConfiguration": [{"stateMachineVersionArn": "a"}, {"stateMachineVersionArn": "b", "weight": 101}]}),
        );
        assert_eq!(
            m,
            "2 validation errors detected: \
             Value null at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must not be null; \
             Value '101' at 'routingConfiguration.2.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100"
        );
    }

    #[test]
    fn over_long_names_are_constraint_violations_everywhere() {
        for op in ["StartExecution", "StartSyncExecution"] {
            let (m, code) = message(op, json!({"stateMachineArn": "a", "name": "x".repeat(81)}));
            assert_eq!(code, "ValidationException", "{op}");
            assert!(
                m.ends_with("Member must have length less than or equal to 80"),
                "{m}"
            );
        }
        assert!(
            check(
                "StartSyncExecution",
                json!({"stateMachineArn": "a", "name": "x".repeat(81)})
            )
            .is_err()
        );
    }

    #[test]
    fn maps_are_checked_by_keys_and_values() {
        // The Step Functions model has no map in its inputs: a made-up one.
        let model = parse(
            r#"{"operations": {"Op": "In"}, "shapes": {
                "In": {"type": "structure", "members": {"m": "M", "s": "S"}},
                "M": {"type": "map", "key": "K", "value": "V", "max": 1},
                "S": {"type": "map", "key": "K", "value": "In"},
                "K": {"type": "string", "min": 1, "max": 3},
                "V": {"type": "integer", "min": 0}}}"#,
        );
        let mut w = Walk {
            model: &model,
            errors: Vec::new(),
            type_error: None,
        };
        let body = json!({"m": {"long": -1, "": 2}, "s": {"k": {"m": {"a": -5}}}});
        w.structure(&model.shapes["In"], body.as_object().unwrap(), "");
        assert!(w.type_error.is_none());
        assert_eq!(
            w.errors,
            [
                "Value '{\"long\":-1,\"\":2}' at 'm' failed to satisfy constraint: Member must have length less than or equal to 1",
                "Value '{\"long\":-1,\"\":2}' at 'm' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 3, Member must have length greater than or equal to 1]",
                "Value '{\"long\":-1,\"\":2}' at 'm' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value greater than or equal to 0]",
                "Value '{\"a\":-5}' at 's.k.m' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value greater than or equal to 0]",
            ]
        );
    }
}
