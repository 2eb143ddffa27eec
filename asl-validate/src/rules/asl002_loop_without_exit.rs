//! `ASL002` loop without exit (warning).
//!
//! **What**: states that can be entered but from which no path leads to a terminal state
//! (`End`, Succeed, Fail).
//!
//! **Why**: an execution that gets there runs until its timeout (a year for a Standard
//! workflow) or the history limit, costing a transition each time around.
//!
//! **Example**: `Poll -> Wait -> Poll` with no Choice that leaves the loop.

use crate::codes::Code;
use crate::ctx::{Ctx, is_terminal};
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (m, graph) in ctx.scopes.iter().zip(&ctx.graphs) {
        let terminal: Vec<bool> = m.states.values().map(is_terminal).collect();
        if !terminal.contains(&true) {
            continue; // MISSING_END_STATE says it already.
        }
        // States that can finish: terminals, and every state with a successor that can.
        let can_finish = graph.can_reach(terminal);
        let entered = graph.reachable();
        let stuck: Vec<&str> = m
            .states
            .keys()
            .enumerate()
            .filter(|&(i, _)| entered[i] && !can_finish[i])
            .map(|(_, name)| name.as_str())
            .collect();
        if let Some(first) = stuck.first() {
            out.push(Diagnostic::new(
                Code::LoopWithoutExit,
                m.states[*first].pointer.clone(),
                format!(
                    "No path from here reaches a terminal state; these states loop forever: {}",
                    stuck.join(", ")
                ),
            ));
        }
    }
}
