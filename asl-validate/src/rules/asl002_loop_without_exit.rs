//! `ASL002` loop without exit (warning).
//!
//! **What**: states that can be entered but from which no path leads to a terminal state
//! (`End`, Succeed, Fail).
//!
//! **Why**: an execution that gets there runs until its timeout (a year for a Standard
//! workflow) or the history limit, costing a transition each time around.
//!
//! **Example**: `Poll -> Wait -> Poll` with no Choice that leaves the loop.

use std::collections::HashSet;

use super::asl001_unreachable_state::reachable;
use crate::codes::Code;
use crate::ctx::{Ctx, is_terminal, successors};
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in &ctx.scopes {
        if !m.states.values().any(is_terminal) {
            continue; // MISSING_END_STATE says it already.
        }
        // States that can finish: terminals, then anything with a successor that can finish.
        let mut can_finish: HashSet<&str> = HashSet::new();
        loop {
            let before = can_finish.len();
            for (name, state) in &m.states {
                if is_terminal(state) || successors(state).iter().any(|s| can_finish.contains(s)) {
                    can_finish.insert(name.as_str());
                }
            }
            if can_finish.len() == before {
                break;
            }
        }
        let entered = reachable(m);
        let stuck: Vec<&str> = m
            .states
            .keys()
            .map(String::as_str)
            .filter(|n| entered.contains(n) && !can_finish.contains(n))
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
