//! `ASL001` unreachable state (warning).
//!
//! **What**: a state that no path from `StartAt` leads to (through `Next`, Choice rules,
//! `Default` or Catch).
//!
//! **Why**: it is dead code: usually a forgotten `Next` after a rename, or a leftover.
//!
//! **Example**: `StartAt: A`, `A` ends, and a state `B` that nothing names.

use std::collections::HashSet;

use asl_core::StateMachine;

use crate::codes::Code;
use crate::ctx::{Ctx, successors};
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in &ctx.scopes {
        let seen = reachable(m);
        for (name, state) in &m.states {
            if !seen.contains(name.as_str()) {
                out.push(Diagnostic::new(
                    Code::UnreachableState,
                    state.pointer.clone(),
                    format!(
                        "State '{name}' is not reachable from StartAt '{}'",
                        m.start_at
                    ),
                ));
            }
        }
    }
}

/// Names of the states reachable from `StartAt`.
pub(crate) fn reachable(m: &StateMachine) -> HashSet<&str> {
    let mut seen = HashSet::new();
    let mut todo = vec![m.start_at.as_str()];
    while let Some(name) = todo.pop() {
        if let Some(state) = m.states.get(name)
            && seen.insert(name)
        {
            todo.extend(successors(state));
        }
    }
    seen
}
