//! `INVALID_LABEL_NAME` (error): a Map state's `Label` is too long or has forbidden characters.
//!
//! **Why**: the label becomes part of the Map Run ARN and of child execution names, so AWS
//! allows at most 40 characters and none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ `` ` ``
//! `$ & , ; : /` or control characters.
//!
//! **Example**: `"Label": "my label"`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `INVALID_LABEL_NAME`; the documented behaviour behind it is cited by
//! `asl-validate --explain INVALID_LABEL_NAME` (`explain.rs`).

use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::Diagnostic;

/// The longest label AWS accepts.
const MAX_LEN: usize = 40;
const FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";

pub(crate) fn is_valid(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= MAX_LEN
        && !label
            .chars()
            .any(|c| FORBIDDEN.contains(c) || c.is_control() || c.is_whitespace())
}

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    for s in states {
        if s.value.get("Type").and_then(Value::as_str) != Some("Map") {
            continue;
        }
        if let Some(label) = s.value.get("Label").and_then(Value::as_str)
            && !is_valid(label)
        {
            out.push(Diagnostic::new(
                Code::InvalidLabelName,
                format!("{}/Label", s.pointer),
                format!(
                    "Invalid Label '{label}': at most {MAX_LEN} characters, without whitespace or any of {FORBIDDEN}"
                ),
            ));
        }
    }
}
