//! Choice: the first rule whose condition holds picks the next state, else `Default`.

use std::borrow::Cow;

use asl_core::Scope;
use asl_core::error::names;
use asl_core::jsonata;
use asl_core::model::Condition;
use serde_json::Value;

use crate::engine::TaskFailure;
use crate::engine::kernel::{Next, StateError, StateRun};

pub(super) fn choice(
    run: &mut StateRun<'_>,
    c: &asl_core::model::Choice,
) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let ctx = run.context(0);
    let mut matched = None;
    for rule in &c.choices {
        let hit = match &rule.condition {
            Condition::Jsonata(e) => {
                let v = run.eval_expression(e, "Condition")?;
                match v {
                    Value::Bool(b) => b,
                    other => {
                        return Err(StateError::Eval(
                            jsonata::unexpected_type_error(e, "Condition", "boolean", &other),
                            Some("Condition".into()),
                        ));
                    }
                }
            }
            cond => asl_core::choice::evaluate(cond, &Scope::new(&effective, &ctx, run.vars))
                .map_err(|e| StateError::Eval(e, None))?,
        };
        if hit {
            matched = Some(rule);
            break;
        }
    }
    let (next, assign, output) = match matched {
        Some(rule) => (
            rule.next.clone(),
            rule.assign.as_ref(),
            rule.output.as_ref(),
        ),
        None => match &c.default {
            Some(d) => (d.clone(), state.assign.as_ref(), state.io.output.as_ref()),
            None => {
                return Err(StateError::Plain(TaskFailure::new(
                    names::NO_CHOICE_MATCHED,
                    format!("No Matches! for state '{}'", state.name),
                )));
            }
        },
    };
    // JSONPath: against the input after InputPath; JSONata has no InputPath (`effective` is
    // the input).
    let assigned = run.eval_assign(assign, &effective, None, None)?;
    let selected = match effective {
        Cow::Owned(v) => Some(v),
        Cow::Borrowed(_) => None,
    };
    let output = output.or(state.io.output.as_ref());
    run.exit_through_output(selected, output, assigned, Some(&next))
}
