//! The pipeline: text -> JSON -> [`asl_core::StateMachine`] -> diagnostics.
//!
//! Rules run in three layers, so that a broken definition still gets every finding that can be
//! made about it: text rules (length, empty input, nesting, duplicate keys), raw JSON rules
//! (labels, state names across workflows) and, once the model builds, model rules.
//!
//! Every layer does work in proportion to the size of the definition, whatever its shape: the
//! text is measured (length, then depth) before anything recursive reads it, see
//! [`asl_core::limits`]; the work is counted by [`asl_core::parse::work`].

use std::collections::HashSet;

use asl_core::StateMachine;
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::{Ctx, raw_states};
use crate::diagnostic::Diagnostic;
use crate::yaml::{self, YamlError};
use crate::{rules, scan};

/// Validates a definition given as JSON text.
///
/// ```
/// let diags = asl_validate::validate(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#);
/// assert_eq!(diags[0].code.as_str(), "MISSING_TRANSITION_TARGET");
/// assert_eq!(diags[0].location(), "/States/A/Next");
/// ```
///
/// A text longer than AWS accepts ([`asl_core::limits::MAX_DEFINITION_CHARS`]) gets one
/// `SCHEMA_VALIDATION_FAILED` and is not read further; one nested deeper than
/// [`asl_core::limits::MAX_JSON_DEPTH`] gets `TOO_DEEPLY_NESTED`.
pub fn validate(source: &str) -> Vec<Diagnostic> {
    validate_text_with(source, validate_value)
}

/// [`validate`], with `value_rules` in place of [`validate_value`] once the text is JSON (a
/// template's definition text is validated with its substitutions in mind).
pub(crate) fn validate_text_with(
    source: &str,
    value_rules: impl FnOnce(&Value) -> Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules::definition_too_long::check_text(source, &mut out)
        || rules::missing_description::check_text(source, &mut out)
    {
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
    out.extend(value_rules(&value));
    out
}

/// Validates a definition already decoded (from YAML, or from inside a template).
///
/// Keys repeated within one object cannot be seen here (the decoder kept one of them); use
/// [`validate`] on text to have them reported.
///
/// A value nested deeper than [`asl_core::limits::MAX_JSON_DEPTH`] (which text read by serde_json
/// never is, but a value built otherwise can be) gets `TOO_DEEPLY_NESTED`; it is measured without
/// recursion.
pub fn validate_value(value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules::missing_description::check_value(value, &mut out)
        || rules::too_deeply_nested::check_value(value, &mut out)
    {
        return out;
    }
    let states = raw_states(value);
    for rule in rules::RAW_RULES {
        rule(value, &states, &mut out);
    }
    match StateMachine::from_value(value) {
        Ok(machine) => {
            let ctx = Ctx::new(&machine, value, &states);
            for rule in rules::MODEL_RULES {
                rule(&ctx, &mut out);
            }
        }
        Err(errors) => rules::parse_errors::report(&errors, &mut out),
    }
    // asl-core reports a bad Map `Label` as a schema error; AWS has its own code for it, which
    // the label rule reports, so the schema copy is dropped.
    let labels: HashSet<String> = out
        .iter()
        .filter(|d| d.code == Code::InvalidLabelName)
        .map(|d| d.pointer.clone())
        .collect();
    if !labels.is_empty() {
        out.retain(|d| d.code != Code::SchemaValidationFailed || !labels.contains(&d.pointer));
    }
    out
}

/// Validates a definition written as YAML (JSON is YAML too), as the CLI reads a `.yaml` file.
///
/// The same limits hold as for [`validate`]: a text longer than a definition may be is not
/// read, and the reader stops at the first node nested too deeply.
///
/// ```
/// let diags = asl_validate::validate_yaml("StartAt: A\nStates:\n  A: {Type: Pass, Next: B}\n");
/// assert_eq!(diags[0].code.as_str(), "MISSING_TRANSITION_TARGET");
/// ```
pub fn validate_yaml(source: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if rules::definition_too_long::check_text(source, &mut out)
        || rules::missing_description::check_text(source, &mut out)
    {
        return out;
    }
    match yaml::parse(source) {
        Ok(doc) => validate_value(&doc.value),
        Err(YamlError::TooDeep) => {
            rules::too_deeply_nested::report_yaml(&mut out);
            out
        }
        Err(YamlError::Syntax(e)) => {
            out.push(Diagnostic::new(
                Code::InvalidJsonDescription,
                "",
                format!("Invalid YAML: {e}"),
            ));
            out
        }
    }
}
