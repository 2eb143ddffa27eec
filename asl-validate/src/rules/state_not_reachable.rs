//! `MISSING_TRANSITION_TARGET` (error): a state that no transition names.
//!
//! **Why**: AWS refuses a state that nothing can lead to (`State "X" is not reachable.`, under
//! the code of a missing transition): neither `StartAt` nor any `Next`, Choice rule, `Default`
//! or Catch of its workflow names it. It is almost always a forgotten `Next` after a rename.
//!
//! A state that *is* named, but only by states that are themselves unreachable (two leftovers
//! pointing at each other), is not reported here: whether AWS refuses it is not established, so
//! it is left to our lint `ASL001`, which never fails a build.
//!
//! **Example**: `StartAt: A`, `A` ends, and a state `B` that nothing names.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `MISSING_TRANSITION_TARGET`; the documented behaviour behind it is cited by
//! `asl-validate --explain MISSING_TRANSITION_TARGET` (`explain.rs`).

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (m, graph) in ctx.scopes.iter().zip(&ctx.graphs) {
        let mut named = graph.named();
        if let Some(start) = graph.start {
            named[start] = true;
        }
        for ((name, state), named) in m.states.iter().zip(named) {
            if !named {
                out.push(Diagnostic::new(
                    Code::MissingTransitionTarget,
                    state.pointer.clone(),
                    format!(
                        "State \"{name}\" is not reachable: no StartAt, Next, Default or Catch names it"
                    ),
                ));
            }
        }
    }
}
