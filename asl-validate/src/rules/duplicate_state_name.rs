//! `DUPLICATE_STATE_NAME` (error): two states share a name.
//!
//! **Why**: state names must be unique in the whole state machine, Parallel branches and Map
//! processors included: history events, `$$.State.Name` and redrive identify a state by its
//! name alone. A key written twice in one `States` object is caught too, although a JSON reader
//! silently keeps only one of them.
//!
//! **Example**: a Parallel branch with a state `Done` in a machine that has its own `Done`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `DUPLICATE_STATE_NAME`; the documented behaviour behind it is cited by
//! `asl-validate --explain DUPLICATE_STATE_NAME` (`explain.rs`).

use std::collections::HashMap;

use serde_json::Value;

use crate::codes::Code;
use crate::ctx::RawState;
use crate::diagnostic::{Budget, Diagnostic, escape};
use crate::scan::TextFacts;

/// Names repeated inside one `States` object (found in the text).
pub(crate) fn check_text(facts: &TextFacts, out: &mut Vec<Diagnostic>) {
    let mut budget = Budget::new();
    for d in &facts.duplicate_keys {
        if !budget.take(d.object.len() + 2 * d.key.len() + 30) {
            break;
        }
        out.push(Diagnostic::new(
            Code::DuplicateStateName,
            format!("{}/{}", d.object.render(), escape(&d.key)),
            format!("Duplicate State name: {}", d.key),
        ));
    }
}

/// Names repeated across workflows of one machine.
pub(crate) fn check(_root: &Value, states: &[RawState<'_>], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for s in states {
        if let Some(first) = seen.insert(s.name, &s.pointer) {
            seen.insert(s.name, first);
            out.push(Diagnostic::new(
                Code::DuplicateStateName,
                s.pointer.clone(),
                format!("Duplicate State name: {} (also at {first})", s.name),
            ));
        }
    }
}
