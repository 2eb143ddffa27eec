//! `MISSING_DESCRIPTION` (error): the definition is empty, blank or `null`.
//!
//! **Why**: AWS refuses a missing definition before looking at anything else; a template whose
//! `DefinitionString` resolved to nothing usually shows up here.
//!
//! **Example**: an empty file, or the text `null`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `MISSING_DESCRIPTION`; the documented behaviour behind it is cited by
//! `asl-validate --explain MISSING_DESCRIPTION` (`explain.rs`).

use serde_json::Value;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

const MESSAGE: &str = "The state machine definition is empty";

/// True (and reported) when the text holds no definition at all.
pub(crate) fn check_text(source: &str, out: &mut Vec<Diagnostic>) -> bool {
    let t = source.trim();
    let missing = t.is_empty() || t == "null";
    if missing {
        out.push(Diagnostic::new(Code::MissingDescription, "", MESSAGE));
    }
    missing
}

/// True (and reported) when the decoded value is `null`.
pub(crate) fn check_value(value: &Value, out: &mut Vec<Diagnostic>) -> bool {
    if value.is_null() {
        out.push(Diagnostic::new(Code::MissingDescription, "", MESSAGE));
    }
    value.is_null()
}
