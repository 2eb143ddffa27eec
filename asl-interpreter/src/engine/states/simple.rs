//! The states with no behaviour of their own beyond the pipeline: Pass, Succeed and Fail.

use std::borrow::Cow;

use asl_core::Scope;
use asl_core::dataflow::{self, to_json_text};
use asl_core::jsonata;
use asl_core::model::{QueryLanguage, StringField};
use serde_json::Value;

use crate::engine::TaskFailure;
use crate::engine::kernel::{Next, StateError, StateRun};

pub(super) fn pass(run: &mut StateRun<'_>, result: Option<&Value>) -> Result<Next, StateError> {
    let state = run.state;
    match run.ql() {
        QueryLanguage::JsonPath => {
            let effective = run.effective_input()?;
            let r = match (result, &state.io.parameters) {
                (Some(r), _) => r.clone(),
                (None, Some(p)) => run.eval_template(p, &effective, None, None, "Parameters")?,
                (None, None) => effective.into_owned(),
            };
            let (out, assigned) = run.finish(&state.io, Some(r))?;
            run.exit(out, assigned, None)
        }
        QueryLanguage::Jsonata => {
            let (out, assigned) = run.finish(&state.io, None)?;
            run.exit(out, assigned, None)
        }
    }
}

pub(super) fn succeed(run: &mut StateRun<'_>) -> Result<Next, StateError> {
    let selected = match run.effective_input()? {
        Cow::Owned(v) => Some(v),
        Cow::Borrowed(_) => None,
    };
    let output = run.state.io.output.as_ref();
    run.exit_through_output(selected, output, None, None)
}

pub(super) fn fail(run: &StateRun<'_>, f: &asl_core::model::Fail) -> TaskFailure {
    let field = |sf: &Option<StringField>,
                 name: &str,
                 path_name: &str|
     -> Result<Option<String>, StateError> {
        Ok(match sf {
            None => None,
            Some(StringField::Literal(s)) => Some(s.clone()),
            Some(StringField::Path(node)) => {
                let ctx = run.context(0);
                let scope = Scope::new(&run.input, &ctx, run.vars);
                let v = dataflow::eval_node(node, &scope, &path_name)?;
                Some(match v {
                    Value::String(s) => s,
                    other => to_json_text(&other),
                })
            }
            Some(StringField::Expression(e)) => match run.eval_expression(e, name)? {
                Value::String(s) => Some(s),
                other => {
                    return Err(StateError::Eval(
                        jsonata::unexpected_type_error(e, name, "string", &other),
                        Some(name.to_string()),
                    ));
                }
            },
        })
    };
    let error = field(&f.error, "Error", "ErrorPath");
    let cause = field(&f.cause, "Cause", "CausePath");
    match (error, cause) {
        (Ok(error), Ok(cause)) => TaskFailure { error, cause },
        (Err(e), _) | (_, Err(e)) => run.fail(e),
    }
}
