//! `PASS_RESULT_IS_STATIC` (warning): a Pass state's `Result` has a `"key.$"` field.
//!
//! **Why**: `Result` is copied as written, never evaluated, so `"x.$": "$.y"` yields the key
//! `x.$` with the text `$.y`. `Parameters` is the field that evaluates paths.
//!
//! **Example**: `{"Type": "Pass", "Result": {"id.$": "$.id"}, "End": true}`.

use asl_core::parse::Trail;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::{Budget, Diagnostic};

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    let mut budget = Budget::new();
    for s in states {
        if s.value.get("Type").and_then(Value::as_str) != Some("Pass") {
            continue;
        }
        if let Some(result) = s.value.get("Result") {
            let state = Trail::start(&s.pointer);
            walk(result, &state.key("Result"), &mut budget, out);
        }
    }
}

/// Recursive: the definition nests at most `MAX_JSON_DEPTH` levels.
fn walk(v: &Value, at: &Trail, budget: &mut Budget, out: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_at = at.key(k);
                if k.ends_with(".$") {
                    let message = format!(
                        "'{k}' is in a Pass state's Result, which is never evaluated; use Parameters to evaluate a path"
                    );
                    if budget.take(child_at.len() + message.len()) {
                        out.push(Diagnostic::new(
                            Code::PassResultIsStatic,
                            child_at.render(),
                            message,
                        ));
                    }
                } else {
                    walk(child, &child_at, budget, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &at.index(i), budget, out);
            }
        }
        _ => {}
    }
}
