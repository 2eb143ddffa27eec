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
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::{Diagnostic, escape};

/// Fields whose contents belong to other states or are never evaluated.
const SKIP: &[&str] = &["Branches", "ItemProcessor", "Iterator", "Result"];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx
        .states()
        .filter(|s| s.query_language == QueryLanguage::JsonPath)
    {
        let Some(Value::Object(map)) = ctx.raw_at(&state.pointer) else {
            continue;
        };
        for (k, v) in map.iter().filter(|(k, _)| !SKIP.contains(&k.as_str())) {
            let ptr = format!("{}/{}", state.pointer, escape(k));
            if matches!(k.as_str(), "ErrorPath" | "CausePath") {
                string(v, &ptr, out);
            } else {
                walk(v, &ptr, out);
            }
        }
    }
}

fn walk(v: &Value, ptr: &str, out: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_ptr = format!("{ptr}/{}", escape(k));
                if k.ends_with(".$") {
                    string(child, &child_ptr, out);
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

fn string(v: &Value, ptr: &str, out: &mut Vec<Diagnostic>) {
    if let Value::String(s) = v
        && intrinsics::is_intrinsic(s)
        && let Ok(call) = intrinsics::parse(s)
    {
        arity(&call, ptr, out);
    }
}

fn arity(call: &IntrinsicCall, ptr: &str, out: &mut Vec<Diagnostic>) {
    if !call.function.accepts_arg_count(call.args.len()) {
        out.push(Diagnostic::new(
            Code::IntrinsicArity,
            ptr.to_string(),
            format!(
                "{} does not accept {} argument(s); the state will fail with States.Runtime",
                call.function.name(),
                call.args.len()
            ),
        ));
    }
    for a in &call.args {
        if let Arg::Call(inner) = a {
            arity(inner, ptr, out);
        }
    }
}
