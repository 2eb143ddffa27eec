//! `TOO_DEEPLY_NESTED` (error): objects and arrays nest deeper than can be processed.
//!
//! **Why**: AWS caps how deeply a definition may nest. It does not publish the number; we use
//! the depth our JSON reader accepts ([`MAX_JSON_DEPTH`], 127), so every definition we can read
//! at all is checked by the other rules, and a deeper one is reported with this code rather than
//! as broken JSON. Text is measured before it is parsed, in one pass that counts brackets (a
//! megabyte of `[` costs a megabyte of steps); a decoded value is measured without recursion.
//!
//! **Example**: a `Parameters` value made of 200 nested arrays.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `TOO_DEEPLY_NESTED`; the documented behaviour behind it is cited by
//! `asl-validate --explain TOO_DEEPLY_NESTED` (`explain.rs`).

use asl_core::limits::{MAX_JSON_DEPTH, json_depth};
use serde_json::Value;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// True (and reported) when `depth`, measured in the text, is over the limit.
pub(crate) fn check_depth(depth: usize, out: &mut Vec<Diagnostic>) -> bool {
    let over = depth > MAX_JSON_DEPTH;
    if over {
        out.push(Diagnostic::new(
            Code::TooDeeplyNested,
            "",
            format!(
                "The definition nests {depth} levels deep; at most {MAX_JSON_DEPTH} are supported"
            ),
        ));
    }
    over
}

/// True (and reported) when a decoded value nests deeper than the limit.
pub(crate) fn check_value(value: &Value, out: &mut Vec<Diagnostic>) -> bool {
    let over = json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH;
    if over {
        out.push(Diagnostic::new(
            Code::TooDeeplyNested,
            "",
            format!(
                "The definition nests more than {MAX_JSON_DEPTH} levels deep; at most {MAX_JSON_DEPTH} are supported"
            ),
        ));
    }
    over
}

/// The message when a YAML reader stopped at the limit.
pub(crate) fn report_yaml(out: &mut Vec<Diagnostic>) {
    out.push(Diagnostic::new(
        Code::TooDeeplyNested,
        "",
        format!(
            "The document nests more than {MAX_JSON_DEPTH} levels deep; at most {MAX_JSON_DEPTH} are supported"
        ),
    ));
}
