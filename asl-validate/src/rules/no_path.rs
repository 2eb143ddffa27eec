//! `NO_PATH` (warning): a field's value looks like a path, but the field is the literal one;
//! its `...Path` sibling was probably meant.
//!
//! **Why**: `"Cause": "$.error"` makes every failure say `$.error`; `"StringEquals": "$.other"`
//! compares with the text `$.other`. Both are valid, so the mistake shows only at run time.
//!
//! **Example**: a Fail state with `"Error": "$.code"` (meant: `"ErrorPath": "$.code"`).

use serde_json::Value;

use super::no_dollar::looks_like_path;
use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    for s in states.iter().filter(|s| !s.jsonata) {
        match s.value.get("Type").and_then(Value::as_str) {
            Some("Fail") => {
                for field in ["Error", "Cause"] {
                    literal(s.value, &s.pointer, field, &format!("{field}Path"), out);
                }
            }
            Some("Choice") => {
                if let Some(rules) = s.value.get("Choices").and_then(Value::as_array) {
                    for (i, r) in rules.iter().enumerate() {
                        rule(r, &format!("{}/Choices/{i}", s.pointer), out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn rule(r: &Value, ptr: &str, out: &mut Vec<Diagnostic>) {
    let Some(map) = r.as_object() else { return };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("And" | "Or", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    rule(item, &format!("{ptr}/{k}/{i}"), out);
                }
            }
            ("Not", inner) => rule(inner, &format!("{ptr}/Not"), out),
            _ => {
                if let Some((c, false)) = asl_core::model::Comparator::from_field(k)
                    && let Some(path_name) = c.path_name()
                {
                    literal(r, ptr, k, path_name, out);
                }
            }
        }
    }
}

fn literal(obj: &Value, ptr: &str, field: &str, path_field: &str, out: &mut Vec<Diagnostic>) {
    if let Some(s) = obj.get(field).and_then(Value::as_str)
        && looks_like_path(s)
    {
        out.push(Diagnostic::new(
            Code::NoPath,
            format!("{ptr}/{field}"),
            format!(
                "The value of '{field}' looks like a path, but '{field}' takes a literal; use '{path_field}' to read it from the input"
            ),
        ));
    }
}
