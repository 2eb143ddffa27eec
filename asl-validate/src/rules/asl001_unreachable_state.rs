//! `ASL001` unreachable state (warning).
//!
//! **What**: a state that some transition names, but that no path from `StartAt` leads to
//! (through `Next`, Choice rules, `Default` or Catch): it is named only by states that are
//! themselves unreachable, such as two leftovers that point at each other.
//!
//! A state that nothing names at all is refused by AWS and reported as
//! `MISSING_TRANSITION_TARGET` (see `state_not_reachable`), not here.
//!
//! **Why**: it is dead code: usually a branch cut off by an edit, or a leftover.
//!
//! **Example**: `StartAt: A`, `A` ends, and states `B -> C -> B` that only name each other.

use std::collections::HashSet;

use asl_core::StateMachine;

use crate::codes::Code;
use crate::ctx::{Ctx, successors};
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in &ctx.scopes {
        let seen = reachable(m);
        let named: HashSet<&str> = m.states.values().flat_map(successors).collect();
        for (name, state) in &m.states {
            if !seen.contains(name.as_str()) && named.contains(name.as_str()) {
                out.push(Diagnostic::new(
                    Code::UnreachableState,
                    state.pointer.clone(),
                    format!(
                        "State '{name}' is not reachable from StartAt '{}': only unreachable states lead to it",
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
