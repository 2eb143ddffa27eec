//! What asl-core's parser finds, under AWS's codes:
//!
//! - `SCHEMA_VALIDATION_FAILED` (error): an unknown field (or one of the other query language),
//!   a missing or mistyped field, `Next` with `End`, a malformed JSONPath, Reference Path,
//!   intrinsic call or JSONata expression, a Choice rule without exactly one comparator, ...
//!   **Example**: `{"Type": "Pass", "End": true, "Resource": "x"}`: a Pass has no Resource.
//! - `MISSING_TRANSITION_TARGET` (error): `StartAt`, `Next`, `Default` or a Catch's `Next` names
//!   a state that is not in the same workflow. **Example**: `"Next": "Typo"`.
//! - `INVALID_STATE_NAME` (error): a state name is empty or longer than 80 characters.
//!
//! **Why here**: the parser already reads every field to build the model; checking the shape
//! there keeps one definition of the ASL schema for the validator and the interpreter.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, `INVALID_STATE_NAME`; the documented behaviour behind it is cited by
//! `asl-validate --explain SCHEMA_VALIDATION_FAILED` (`explain.rs`).

use asl_core::ParseErrors;
use asl_core::parse::ErrorCode;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

pub(crate) fn report(errors: &ParseErrors, out: &mut Vec<Diagnostic>) {
    for e in &errors.errors {
        let code = match e.code {
            ErrorCode::InvalidJsonDescription => Code::InvalidJsonDescription,
            ErrorCode::SchemaValidationFailed => Code::SchemaValidationFailed,
            ErrorCode::MissingTransitionTarget => Code::MissingTransitionTarget,
            ErrorCode::InvalidStateName => Code::InvalidStateName,
        };
        out.push(Diagnostic::new(code, e.pointer.clone(), e.message.clone()));
    }
}
