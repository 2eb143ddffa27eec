//! `NO_DOLLAR` (warning): a payload template value looks like a JSONPath or an intrinsic call,
//! but its key does not end with `.$`, so it is copied as a literal string.
//!
//! **Why**: `"id": "$.order.id"` passes the text `$.order.id` along instead of the order id;
//! the definition is valid, so nothing fails until a downstream service chokes on the text.
//!
//! **Example**: `"Parameters": {"id": "$.order.id"}` (meant: `"id.$": "$.order.id"`).

use asl_core::parse::Trail;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::{Budget, Diagnostic};

/// The JSONPath fields that hold payload templates.
const TEMPLATE_FIELDS: &[&str] = &["Parameters", "ResultSelector", "ItemSelector", "Assign"];

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    let mut budget = Budget::new();
    for s in states.iter().filter(|s| !s.jsonata) {
        let state = Trail::start(&s.pointer);
        for field in TEMPLATE_FIELDS {
            if let Some(v) = s.value.get(*field) {
                walk(v, &state.key(field), &mut budget, out);
            }
        }
    }
}

/// Whether a literal string would be evaluated if its key ended with `.$`.
pub(crate) fn looks_like_path(s: &str) -> bool {
    s.starts_with("$.") || s.starts_with("$$.") || s.starts_with("$[")
}

/// Recursive: the definition nests at most `MAX_JSON_DEPTH` levels.
fn walk(v: &Value, at: &Trail, budget: &mut Budget, out: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k.ends_with(".$") {
                    continue;
                }
                let child_at = at.key(k);
                if let Value::String(s) = child
                    && (looks_like_path(s) || asl_core::intrinsics::is_intrinsic(s))
                {
                    let message = format!(
                        "The value of '{k}' looks like a JSONPath or intrinsic function, but the key does not end with '.$', so it is passed as a literal string"
                    );
                    if budget.take(child_at.len() + message.len()) {
                        out.push(Diagnostic::new(Code::NoDollar, child_at.render(), message));
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
