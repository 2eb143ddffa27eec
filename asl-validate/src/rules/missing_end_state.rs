//! `MISSING_END_STATE` (error): a workflow has no terminal state.
//!
//! **Why**: every workflow (the machine, each Parallel branch, each Map processor) needs a
//! state that can end it: `End: true`, a Succeed or a Fail. Without one, AWS refuses the
//! definition, because no execution could ever finish normally.
//!
//! **Example**: `A -> B -> A`, where both states use `Next`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `MISSING_END_STATE`; the documented behaviour behind it is cited by
//! `asl-validate --explain MISSING_END_STATE` (`explain.rs`).

use crate::codes::Code;
use crate::ctx::{Ctx, is_terminal};
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in &ctx.scopes {
        if !m.states.values().any(is_terminal) {
            out.push(Diagnostic::new(
                Code::MissingEndState,
                format!("{}/States", m.pointer),
                "No terminal state: the workflow needs a state with \"End\": true, or a Succeed or Fail state",
            ));
        }
    }
}
