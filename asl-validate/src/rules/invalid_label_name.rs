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

use asl_core::limits::MAX_MAP_LABEL_CHARS as MAX_LEN;
use asl_core::model::LABEL_FORBIDDEN as FORBIDDEN;
/// The rule is asl-core's, shared with the parser.
pub(crate) use asl_core::model::is_valid_label as is_valid;

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
