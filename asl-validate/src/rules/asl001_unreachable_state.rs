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

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (m, graph) in ctx.scopes.iter().zip(&ctx.graphs) {
        let seen = graph.reachable();
        let named = graph.named();
        for (i, (name, state)) in m.states.iter().enumerate() {
            if !seen[i] && named[i] {
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
