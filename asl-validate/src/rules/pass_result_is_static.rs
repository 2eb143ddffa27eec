//! `PASS_RESULT_IS_STATIC` (warning): a Pass state's `Result` has a `"key.$"` field.
//!
//! **Why**: `Result` is copied as written, never evaluated, so `"x.$": "$.y"` yields the key
//! `x.$` with the text `$.y`. `Parameters` is the field that evaluates paths.
//!
//! **Example**: `{"Type": "Pass", "Result": {"id.$": "$.id"}, "End": true}`.

use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::{Diagnostic, escape};

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    for s in states {
        if s.value.get("Type").and_then(Value::as_str) != Some("Pass") {
            continue;
        }
        if let Some(result) = s.value.get("Result") {
            walk(result, &format!("{}/Result", s.pointer), out);
        }
    }
}

fn walk(v: &Value, ptr: &str, out: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_ptr = format!("{ptr}/{}", escape(k));
                if k.ends_with(".$") {
                    out.push(Diagnostic::new(
                        Code::PassResultIsStatic,
                        child_ptr,
                        format!(
                            "'{k}' is in a Pass state's Result, which is never evaluated; use Parameters to evaluate a path"
                        ),
                    ));
                } else {
                    walk(child, &child_ptr, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}
