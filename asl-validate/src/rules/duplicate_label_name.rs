//! `DUPLICATE_LABEL_NAME` (error): two Map states have the same `Label`.
//!
//! **Why**: a Distributed Map's label names its Map Runs; two Map states with one label would
//! make their runs indistinguishable, so AWS requires labels to be unique in a machine.
//!
//! **Example**: two Map states, both with `"Label": "Items"`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `DUPLICATE_LABEL_NAME`; the documented behaviour behind it is cited by
//! `asl-validate --explain DUPLICATE_LABEL_NAME` (`explain.rs`).

use std::collections::HashMap;

use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for s in states {
        if s.value.get("Type").and_then(Value::as_str) != Some("Map") {
            continue;
        }
        let Some(label) = s.value.get("Label").and_then(Value::as_str) else {
            continue;
        };
        if let Some(first) = seen.get(label) {
            out.push(Diagnostic::new(
                Code::DuplicateLabelName,
                format!("{}/Label", s.pointer),
                format!("Duplicate Label '{label}' (also used by {first})"),
            ));
        } else {
            seen.insert(label, s.name);
        }
    }
}
