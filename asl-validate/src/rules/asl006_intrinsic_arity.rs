//! `ASL006` intrinsic function with the wrong number of arguments (warning).
//!
//! **What**: a call such as `States.ArrayGetItem($.list)` (it takes two arguments).
//!
//! **Why**: AWS accepts the definition and fails the execution with `States.Runtime` when the
//! state runs; it is cheaper to learn it now.
//!
//! **Example**: `"item.$": "States.ArrayGetItem($.list)"`.

use asl_core::QueryLanguage;
use asl_core::intrinsics::{self, Arg, IntrinsicCall};
use asl_core::parse::Trail;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::{Budget, Diagnostic};

/// Fields whose contents belong to other states or are never evaluated.
const SKIP: &[&str] = &["Branches", "ItemProcessor", "Iterator", "Result"];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut budget = Budget::new();
    for state in ctx
        .states()
        .filter(|s| s.query_language == QueryLanguage::JsonPath)
    {
        let Some(Value::Object(map)) = ctx.raw_at(&state.pointer) else {
            continue;
        };
        let state_at = Trail::start(&state.pointer);
        for (k, v) in map.iter().filter(|(k, _)| !SKIP.contains(&k.as_str())) {
            let at = state_at.key(k);
            if matches!(k.as_str(), "ErrorPath" | "CausePath") {
                string(v, &at, &mut budget, out);
            } else {
                walk(v, &at, &mut budget, out);
            }
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
                    string(child, &child_at, budget, out);
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

fn string(v: &Value, at: &Trail, budget: &mut Budget, out: &mut Vec<Diagnostic>) {
    if let Value::String(s) = v
        && intrinsics::is_intrinsic(s)
        && let Ok(call) = intrinsics::parse(s)
    {
        arity(&call, at, budget, out);
    }
}

/// Recursive: intrinsic calls nest at most a few levels (the intrinsic parser's limit).
fn arity(call: &IntrinsicCall, at: &Trail, budget: &mut Budget, out: &mut Vec<Diagnostic>) {
    if !call.function.accepts_arg_count(call.args.len()) {
        let message = format!(
            "{} does not accept {} argument(s); the state will fail with States.Runtime",
            call.function.name(),
            call.args.len()
        );
        if budget.take(at.len() + message.len()) {
            out.push(Diagnostic::new(Code::IntrinsicArity, at.render(), message));
        }
    }
    for a in &call.args {
        if let Arg::Call(inner) = a {
            arity(inner, at, budget, out);
        }
    }
}
