//! `SCHEMA_VALIDATION_FAILED` (error): a state asks for JSONPath in a JSONata state machine.
//!
//! **Why**: a state may opt into JSONata inside a JSONPath machine, but not the other way
//! round: once the top-level `QueryLanguage` is `JSONata`, every state uses JSONata, and AWS
//! refuses a state that sets `"QueryLanguage": "JSONPath"`.
//!
//! **Example**: `{"QueryLanguage": "JSONata", "States": {"A": {"QueryLanguage": "JSONPath", ...}}}`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `SCHEMA_VALIDATION_FAILED`; the documented behaviour behind it is cited by
//! `asl-validate --explain SCHEMA_VALIDATION_FAILED` (`explain.rs`).

use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    if root.get("QueryLanguage").and_then(Value::as_str) != Some("JSONata") {
        return;
    }
    for s in states {
        if s.value.get("QueryLanguage").and_then(Value::as_str) == Some("JSONPath") {
            out.push(Diagnostic::new(
                Code::SchemaValidationFailed,
                format!("{}/QueryLanguage", s.pointer),
                "The state machine's QueryLanguage is JSONata, so a state cannot use JSONPath",
            ));
        }
    }
}
