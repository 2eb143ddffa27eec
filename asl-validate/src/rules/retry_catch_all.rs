//! `SCHEMA_VALIDATION_FAILED` (error) for `States.ALL` misuse in `Retry` and `Catch`.
//!
//! **Why**: `States.ALL` matches every error, so AWS requires it to stand alone in its
//! `ErrorEquals` and to be in the last retrier or catcher: anything after it could never be used.
//!
//! **Example**: `"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}, {"ErrorEquals": ["X"], "Next": "B"}]`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `SCHEMA_VALIDATION_FAILED`; the documented behaviour behind it is cited by
//! `asl-validate --explain SCHEMA_VALIDATION_FAILED` (`explain.rs`).

use asl_core::error::names;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx.states() {
        let retry = state
            .retry()
            .iter()
            .map(|r| (&r.error_equals.errors, &r.pointer));
        let catch = state
            .catch()
            .iter()
            .map(|c| (&c.error_equals.errors, &c.pointer));
        for (field, entries) in [
            ("Retry", retry.collect::<Vec<_>>()),
            ("Catch", catch.collect()),
        ] {
            let last = entries.len().saturating_sub(1);
            for (i, (errors, pointer)) in entries.iter().enumerate() {
                if !errors.iter().any(|e| e == names::ALL) {
                    continue;
                }
                if errors.len() > 1 {
                    out.push(Diagnostic::new(
                        Code::SchemaValidationFailed,
                        format!("{pointer}/ErrorEquals"),
                        "States.ALL must appear alone in ErrorEquals",
                    ));
                }
                if i != last {
                    out.push(Diagnostic::new(
                        Code::SchemaValidationFailed,
                        pointer.to_string(),
                        format!("The {field} entry with States.ALL must be the last one"),
                    ));
                }
            }
        }
    }
}
