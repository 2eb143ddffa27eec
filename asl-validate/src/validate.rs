//! The pipeline: text -> JSON -> [`asl_core::StateMachine`] -> diagnostics.
//!
//! Rules run in three layers, so that a broken definition still gets every finding that can be
//! made about it: text rules (empty input, nesting, duplicate keys), raw JSON rules (labels,
//! state names across workflows) and, once the model builds, model rules.

use asl_core::StateMachine;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::{Ctx, raw_states};
use crate::diagnostic::Diagnostic;
use crate::{rules, scan};

/// Validates a definition given as JSON text.
///
/// ```
/// let diags = asl_validate::validate(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#);
/// assert_eq!(diags[0].code.as_str(), "MISSING_TRANSITION_TARGET");
/// assert_eq!(diags[0].location(), "/States/A/Next");
/// ```
pub fn validate(source: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules::missing_description::check_text(source, &mut out) {
        return out;
    }
    let facts = scan::scan(source);
    if rules::too_deeply_nested::check_depth(facts.max_depth, &mut out) {
        return out;
    }
    let value: Value = match serde_json::from_str(source) {
        Ok(v) => v,
        Err(e) => {
            rules::invalid_json_description::report(source, &e, &mut out);
            return out;
        }
    };
    rules::duplicate_state_name::check_text(&facts, &mut out);
    out.extend(validate_value(&value));
    out
}

/// Validates a definition already decoded (from YAML, or from inside a template).
///
/// Keys repeated within one object cannot be seen here (the decoder kept one of them); use
/// [`validate`] on text to have them reported.
pub fn validate_value(value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules::missing_description::check_value(value, &mut out)
        || rules::too_deeply_nested::check_depth(depth(value, 0), &mut out)
    {
        return out;
    }
    let states = raw_states(value);
    for rule in rules::RAW_RULES {
        rule(value, &states, &mut out);
    }
    match StateMachine::from_value(value) {
        Ok(machine) => {
            let ctx = Ctx::new(&machine, value);
            for rule in rules::MODEL_RULES {
                rule(&ctx, &mut out);
            }
        }
        Err(errors) => rules::parse_errors::report(&errors, &mut out),
    }
    // asl-core reports a bad Map `Label` as a schema error; AWS has its own code for it, which
    // the label rule reports, so the schema copy is dropped.
    let labels: Vec<String> = out
        .iter()
        .filter(|d| d.code == Code::InvalidLabelName)
        .map(|d| d.pointer.clone())
        .collect();
    out.retain(|d| d.code != Code::SchemaValidationFailed || !labels.contains(&d.pointer));
    out
}

fn depth(v: &Value, at: usize) -> usize {
    if at > rules::too_deeply_nested::MAX_DEPTH {
        return at;
    }
    match v {
        Value::Object(m) => m.values().map(|c| depth(c, at + 1)).max().unwrap_or(at + 1),
        Value::Array(a) => a.iter().map(|c| depth(c, at + 1)).max().unwrap_or(at + 1),
        _ => at,
    }
}
