//! `ASL003` Choice without `Default` (warning).
//!
//! **What**: a Choice state with no `Default` and no rule that always holds.
//!
//! **Why**: an input that matches no rule fails the execution with `States.NoChoiceMatched`,
//! which is rarely what was meant; a `Default` (even to a Fail state) makes the case explicit.
//!
//! **Example**: `"Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}]` and
//! nothing for `false`.

use asl_core::StateKind;
use asl_core::model::Condition;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx.states() {
        let StateKind::Choice(choice) = &state.kind else {
            continue;
        };
        if choice.default.is_some() || choice.choices.iter().any(|r| always(&r.condition)) {
            continue;
        }
        out.push(Diagnostic::new(
            Code::ChoiceMayMiss,
            state.pointer.clone(),
            format!(
                "Choice state '{}' has no Default: an input that matches no rule fails with States.NoChoiceMatched",
                state.name
            ),
        ));
    }
}

fn always(c: &Condition) -> bool {
    match c {
        Condition::Jsonata(e) => e.source().trim() == "true",
        _ => false,
    }
}
