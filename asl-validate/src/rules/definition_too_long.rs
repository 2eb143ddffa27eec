//! `SCHEMA_VALIDATION_FAILED` (error): the definition is longer than AWS accepts.
//!
//! **Why**: the `definition` of `CreateStateMachine`, `UpdateStateMachine` and
//! `ValidateStateMachineDefinition` is at most [`MAX_DEFINITION_CHARS`] (1,048,576) characters;
//! AWS refuses a longer one before reading it, and so does the validator (and the CLI, for any
//! file: a template longer than that cannot be deployed either).
//!
//! **Example**: a definition that embeds a large lookup table in a Pass state's `Result`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `SCHEMA_VALIDATION_FAILED`; the documented behaviour behind it is cited by
//! `asl-validate --explain SCHEMA_VALIDATION_FAILED` (`explain.rs`).

use asl_core::limits::{MAX_DEFINITION_CHARS, definition_too_long};

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// True (and reported) when `source` is too long.
pub(crate) fn check_text(source: &str, out: &mut Vec<Diagnostic>) -> bool {
    match definition_too_long(source) {
        Some(chars) => {
            report(&chars.to_string(), out);
            true
        }
        None => false,
    }
}

/// Reports a text of `length` characters (or a description, for a file not read to its end).
pub(crate) fn report(length: &str, out: &mut Vec<Diagnostic>) {
    out.push(Diagnostic::new(
        Code::SchemaValidationFailed,
        "",
        format!(
            "The definition is {length} characters long; at most {MAX_DEFINITION_CHARS} are accepted"
        ),
    ));
}
