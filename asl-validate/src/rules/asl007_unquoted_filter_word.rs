//! `ASL007` (warning): a JSONPath filter compares with an unquoted word
//! (`$.items[?(@.type == es)]`).
//!
//! **Why**: AWS creates the state machine (published AWS samples do this), but the word is no
//! operand of the JSONPath dialect AWS documents, and what AWS's engine does with it at run time
//! is not documented. sfn-local reads it as the string it spells (see asl-core's
//! `path::filter`); quoting it (`'es'`) means the same on AWS and here, for certain.
//!
//! **AWS check**: none; AWS accepts it, so this is a warning.
//!
//! **Example**: `"spanish.$": "$.items[?(@.lang == es)]"` (meant: `@.lang == 'es'`).

use asl_core::path::JsonPath;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::{Diagnostic, escape};

/// Fields whose contents belong to other states or are never evaluated.
const SKIP: &[&str] = &["Branches", "ItemProcessor", "Iterator", "Result", "States"];

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    for s in states.iter().filter(|s| !s.jsonata) {
        walk(s.value, &s.pointer, out);
    }
}

fn walk(v: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if SKIP.contains(&k.as_str()) {
                    continue;
                }
                let at = format!("{pointer}/{}", escape(k));
                let is_path = k.ends_with(".$") || k.ends_with("Path") || k == "Variable";
                match child {
                    Value::String(text) if is_path => word(text, &at, out),
                    _ => walk(child, &at, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn word(text: &str, pointer: &str, out: &mut Vec<Diagnostic>) {
    let Ok(path) = JsonPath::parse(text) else {
        return;
    };
    for w in path.bare_filter_words() {
        out.push(Diagnostic::new(
            Code::UnquotedFilterWord,
            pointer,
            format!(
                "The filter in '{text}' compares with the unquoted word {w}; AWS accepts it, but its run-time meaning is undocumented (sfn-local reads it as the string '{w}'): write '{w}'"
            ),
        ));
    }
}
