//! `SCHEMA_VALIDATION_FAILED` (error): a JSONPath state's `ResultPath` (or a Catcher's) that is
//! a Reference Path, but not one into the state's input (`"$foo"`, `"$$.x"`).
//!
//! **Why**: `ResultPath` says where the result goes *in the state's input*; the developer
//! guide ("Specifying state output using ResultPath") limits it to a Reference Path rooted at
//! `$`. `$foo` reads as the variable `foo` and `$$` as the context object, neither of which a
//! state can write through `ResultPath` (variables are written with `Assign`).
//!
//! **AWS check**: `CreateStateMachine` / `ValidateStateMachineDefinition` refuse it as an
//! invalid `ResultPath` (`SCHEMA_VALIDATION_FAILED`).
//!
//! **Example**: `"ResultPath": "$foo"` (meant: `"$.foo"`).

use asl_core::path::{ReferencePath, Root};
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    for s in states.iter().filter(|s| !s.jsonata) {
        field(s.value, &format!("{}/ResultPath", s.pointer), out);
        if let Some(catchers) = s.value.get("Catch").and_then(Value::as_array) {
            for (i, c) in catchers.iter().enumerate() {
                field(c, &format!("{}/Catch/{i}/ResultPath", s.pointer), out);
            }
        }
    }
}

fn field(holder: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
    let Some(text) = holder.get("ResultPath").and_then(Value::as_str) else {
        return;
    };
    // A path that does not compile is reported by the parser.
    let Ok(path) = ReferencePath::parse(text) else {
        return;
    };
    let what = match path.as_path().root() {
        Root::Input => return,
        Root::Context => "the context object ($$)".to_string(),
        Root::Variable(name) => format!("the variable ${name}"),
    };
    out.push(Diagnostic::new(
        Code::SchemaValidationFailed,
        pointer,
        format!(
            "The value for the field 'ResultPath' must be a valid ReferencePath into the state input (starting with '$.' or '$['): '{text}' names {what}"
        ),
    ));
}
