//! The state kernel: what every state goes through, whatever its type. A state's body gets a
//! [`StateRun`] (its input, context, variables) and uses its pipeline (`InputPath`, templates,
//! `ResultSelector`, `ResultPath`, `OutputPath`, `Assign`, or JSONata's `Output`), then
//! [`StateRun::exit`]s to the [`Next`] state or fails with a [`StateError`], which
//! [`StateRun::fail`] turns into the [`TaskFailure`] that [`StateRun::catch`] may catch.

use std::borrow::Cow;
use std::sync::Arc;

use asl_core::dataflow::{self, Oversized, to_json_text};
use asl_core::error::names;
use asl_core::jsonata::{self, StatesBinding};
use asl_core::model::{Catcher, Io, PathField, QueryLanguage, Template, Transition};
use asl_core::{Scope, State, StateKind, StatesError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::exec::{Exec, Thread};
use super::{TaskFailure, Vars};
use crate::history::{DetailsWriter, EventType, InString, NOT_TRUNCATED};

/// Where a finished state goes.
pub(crate) enum Next {
    State(String, Value),
    End(Value),
}

/// Everything a state's body needs.
pub(crate) struct StateRun<'a> {
    pub exec: &'a Arc<Exec>,
    pub state: &'a State,
    pub thread: &'a Thread,
    pub vars: &'a mut Vars,
    pub input: Value,
    pub entered_id: u64,
    pub entered_prev: u64,
    pub entered_at: DateTime<Utc>,
    /// Extra context members (`Map.Item` inside an ItemSelector, `Task.Token`, ...).
    pub context_extra: Map<String, Value>,
    /// The state's retries so far: `$$.State.RetryCount` in a Task state.
    pub retry_count: u32,
    /// A Map's context object, built for its first item and given each next item's
    /// `Map.Item` in place: building it anew for every item copied the execution's input
    /// (`$$.Execution.Input`) once per item.
    pub item_context: std::sync::Mutex<Option<Value>>,
    /// The text of `input` as its entered event shows it, when kept (see [`InString`]).
    pub input_text: Option<InString>,
    /// The text of the output [`StateRun::exit`] left with: the next state's input text.
    pub output_text: Option<InString>,
}

/// An error inside a state, before Catch is considered.
pub(crate) enum StateError {
    /// A data-flow error: the cause gets the state prefix; JSONata errors add an
    /// `EvaluationFailed` event with the field as location.
    Eval(StatesError, Option<String>),
    /// A failure with its cause as is (task failures, branch failures).
    Plain(TaskFailure),
}

impl From<StatesError> for StateError {
    fn from(e: StatesError) -> Self {
        StateError::Eval(e, None)
    }
}

impl StateRun<'_> {
    /// The context object as the state's fields see it (`Null` for a state whose fields never
    /// mention it); `State.RetryCount` appears only for Task states.
    pub fn context(&self, retry: u32) -> Value {
        if !self.state.uses_context {
            return Value::Null;
        }
        self.build_context(retry, self.state.reads_execution_input)
    }

    /// The whole context object, as a handler gets it (`TaskRequest::context`).
    pub fn handler_context(&self, retry: u32) -> Value {
        self.build_context(retry, true)
    }

    fn build_context(&self, retry: u32, with_input: bool) -> Value {
        let task = matches!(self.state.kind, StateKind::Task(_));
        let retry = task.then_some(retry.max(self.retry_count));
        self.exec.context(
            &self.state.name,
            self.entered_at,
            retry,
            &self.context_extra,
            with_input,
        )
    }

    pub fn ql(&self) -> QueryLanguage {
        self.state.query_language
    }

    /// Prefixes AWS's state location to a data-flow cause.
    pub fn prefixed(&self, cause: &str) -> String {
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
            self.state.name, self.entered_id, cause
        )
    }

    /// Turns a state error into the failure that leaves the state, emitting `EvaluationFailed`
    /// for JSONata errors.
    pub fn fail(&self, e: StateError) -> TaskFailure {
        match e {
            StateError::Plain(f) => f,
            StateError::Eval(e, location) => {
                let cause = self.prefixed(&e.cause);
                if e.error == names::QUERY_EVALUATION_ERROR {
                    let mut d = Map::new();
                    d.insert("error".into(), json!(e.error));
                    d.insert("cause".into(), json!(cause));
                    if let Some(l) = location {
                        d.insert("location".into(), json!(nested_location(&e.cause, &l)));
                    }
                    d.insert("state".into(), json!(self.state.name));
                    let id = self.exec.emit_after(
                        self.entered_prev,
                        EventType::EvaluationFailed,
                        Some(&Value::Object(d)),
                    );
                    self.thread.set_cursor(id);
                }
                TaskFailure::new(e.error, cause)
            }
        }
    }

    /// Evaluates a template of either language; `input` is `$` / `$states.input`.
    pub fn eval_template(
        &self,
        t: &Template,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        match t {
            Template::Payload(p) => {
                let ctx = self.context(0);
                let scope = Scope::new(input, &ctx, self.vars);
                Ok(dataflow::eval_payload(p, &scope)?)
            }
            Template::Jsonata(j) => self.jsonata_on(j, input, result, error_output, field),
        }
    }

    /// Evaluates a JSONata template for the state (`$states.input` is the raw input).
    pub fn eval_jsonata(
        &self,
        t: &jsonata::Template,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        self.jsonata_on(t, &self.input, result, error_output, field)
    }

    /// Evaluates a JSONata template with `$states.input` bound to `input`.
    fn jsonata_on(
        &self,
        t: &jsonata::Template,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        field: &str,
    ) -> Result<Value, StateError> {
        let ctx = self.context(0);
        let b = StatesBinding {
            input,
            context: &ctx,
            result,
            error_output,
        };
        t.evaluate(&b, self.vars, field)
            .map_err(|e| StateError::Eval(e, Some(field.to_string())))
    }

    pub fn eval_expression(
        &self,
        e: &jsonata::Expression,
        field: &str,
    ) -> Result<Value, StateError> {
        let ctx = self.context(0);
        let b = StatesBinding {
            input: &self.input,
            context: &ctx,
            result: None,
            error_output: None,
        };
        match jsonata::evaluate(e, &b, self.vars, field) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(StateError::Eval(
                jsonata::undefined_error(e, field),
                Some(field.to_string()),
            )),
            Err(err) => Err(StateError::Eval(err, Some(field.to_string()))),
        }
    }

    /// `InputPath` for JSONPath states; the raw input for JSONata.
    /// The input after `InputPath` (JSONPath), borrowed when that is the whole input.
    pub fn effective_input(&self) -> Result<Cow<'_, Value>, StateError> {
        match (self.ql(), &self.state.io.input_path) {
            (QueryLanguage::JsonPath, f @ (PathField::Null | PathField::Path(_))) => {
                Ok(Cow::Owned(self.select_path(f, &self.input)?))
            }
            _ => Ok(Cow::Borrowed(&self.input)),
        }
    }

    /// `doc` through an `OutputPath`-like field.
    pub fn apply_path(&self, f: &PathField, doc: Value) -> Result<Value, StateError> {
        match f {
            PathField::Whole => Ok(doc),
            _ => self.select_path(f, &doc),
        }
    }

    fn select_path(&self, f: &PathField, doc: &Value) -> Result<Value, StateError> {
        let ctx = self.context(0);
        Ok(dataflow::apply_path_field(
            f,
            &Scope::new(doc, &ctx, self.vars),
        )?)
    }

    /// Evaluates `Assign` (not yet applied) against `$` = `doc` (JSONPath) or the bindings.
    pub fn eval_assign(
        &self,
        assign: Option<&Template>,
        doc: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
    ) -> Result<Option<Map<String, Value>>, StateError> {
        let Some(t) = assign else { return Ok(None) };
        let v = match t {
            Template::Payload(_) => self.eval_template(t, doc, None, None, "Assign")?,
            Template::Jsonata(j) => self.eval_jsonata(j, result, error_output, "Assign")?,
        };
        match v {
            Value::Object(m) => Ok(Some(m)),
            _ => Ok(Some(Map::new())),
        }
    }

    /// The standard JSONPath tail: ResultSelector -> Assign -> ResultPath -> OutputPath.
    /// JSONata: Assign and Output with `$states.result`. A state with no result (`None`: a
    /// JSONata Pass or Wait) has no `$states.result`, and its output is its input.
    pub fn finish(
        &self,
        io: &Io,
        result: Option<Value>,
    ) -> Result<(Value, Option<Map<String, Value>>), StateError> {
        match self.ql() {
            QueryLanguage::JsonPath => {
                let result = result.unwrap_or(Value::Null);
                let selected = match &io.result_selector {
                    Some(sel) => {
                        let ctx = self.context(0);
                        dataflow::eval_payload(sel, &Scope::new(&result, &ctx, self.vars))?
                    }
                    None => result,
                };
                let assigned =
                    self.eval_assign(self.state.assign.as_ref(), &selected, None, None)?;
                let combined = dataflow::apply_result_path(&io.result_path, &self.input, selected)?;
                let out = self.apply_path(&io.output_path, combined)?;
                Ok((out, assigned))
            }
            QueryLanguage::Jsonata => {
                let res = result.as_ref();
                let assigned =
                    self.eval_assign(self.state.assign.as_ref(), &self.input, res, None)?;
                let out = match &io.output {
                    Some(o) => self.eval_jsonata(o, res, None, "Output")?,
                    None => result.unwrap_or_else(|| self.input.clone()),
                };
                Ok((out, assigned))
            }
        }
    }

    /// Emits `<Type>StateExited`, applies the variables and picks the next state. An output
    /// over the payload limit fails the state instead (`States.DataLimitExceeded`).
    pub fn exit(
        &mut self,
        output: Value,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) -> Result<Next, StateError> {
        self.exit_with(output, None, assigned, next)
    }

    /// [`StateRun::exit`] with the state's input, unchanged, as its output (a Choice without
    /// paths): the text its entered event showed is shown again, not written anew.
    pub fn exit_with_input(
        &mut self,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) -> Result<Next, StateError> {
        let output = std::mem::take(&mut self.input);
        let text = self.input_text.take();
        self.exit_with(output, text, assigned, next)
    }

    /// Leaves with the state's input as its output, through `OutputPath` (JSONPath:
    /// `selected` is the input after `InputPath` when that is not the whole input) or through
    /// JSONata's `Output` (`output`): the pipeline of a state whose result is its input (Choice,
    /// Succeed). Unchanged, the input is moved out and its entered text shown again.
    pub fn exit_through_output(
        &mut self,
        selected: Option<Value>,
        output: Option<&jsonata::Template>,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) -> Result<Next, StateError> {
        match self.ql() {
            QueryLanguage::JsonPath => match (selected, &self.state.io.output_path) {
                (None, PathField::Whole) => self.exit_with_input(assigned, next),
                (selected, path) => {
                    // Moved out of the state, not copied: nothing reads its input after this.
                    let doc = selected.unwrap_or_else(|| std::mem::take(&mut self.input));
                    let out = self.apply_path(path, doc)?;
                    self.exit(out, assigned, next)
                }
            },
            QueryLanguage::Jsonata => match output {
                Some(o) => {
                    let out = self.eval_jsonata(o, None, None, "Output")?;
                    self.exit(out, assigned, next)
                }
                None => self.exit_with_input(assigned, next),
            },
        }
    }

    fn exit_with(
        &mut self,
        output: Value,
        text: Option<InString>,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) -> Result<Next, StateError> {
        let mut d = DetailsWriter::new();
        if let Some(a) = assigned.as_ref().filter(|a| !a.is_empty()) {
            d.json_texts("assignedVariables", a)
                .raw("assignedVariablesDetails", NOT_TRUNCATED);
        }
        d.str("name", &self.state.name);
        let next = match next {
            Some(n) => Some(n.to_string()),
            None => match &self.state.transition {
                Transition::Next(n) => Some(n.clone()),
                _ => None,
            },
        };
        // The text is kept for the next state's entered event; a branch's end has none.
        let (size, text) = match text {
            Some(t) => {
                debug_assert!(t.is_text_of(&output), "a kept text apart from its value");
                (d.known_json_text("output", &t), Some(t))
            }
            None if next.is_some() => {
                let t = d.json_text_kept("output", &output);
                (t.size(), Some(t))
            }
            None => (d.json_text("output", &output), None),
        };
        if size > self.exec.inner.limits.max_payload_bytes {
            return Err(StateError::Plain(
                dataflow::data_limit_exceeded(&self.state.name, Oversized::Result).into(),
            ));
        }
        d.raw("outputDetails", NOT_TRUNCATED);
        let exited = EventType::state_exited(&self.state.kind);
        self.exec
            .emit_details(self.thread, exited, d.finish(exited));
        self.thread.lock().inflight = None;
        if let Some(a) = assigned {
            self.vars.assign(a);
        }
        self.output_text = text;
        Ok(match next {
            Some(n) => Next::State(n, output),
            None => Next::End(output),
        })
    }

    /// Applies the first matching catcher, or returns the failure.
    pub fn catch(
        &mut self,
        failure: TaskFailure,
        catchers: &[Catcher],
    ) -> Result<Next, TaskFailure> {
        let Some(c) = catchers
            .iter()
            .find(|c| c.error_equals.matches(failure.error_name()))
        else {
            return Err(failure);
        };
        let err_out = failure.error_output();
        let attempt = (|| -> Result<(Value, Option<Map<String, Value>>), StateError> {
            match self.ql() {
                QueryLanguage::JsonPath => {
                    let assigned = self.eval_assign(c.assign.as_ref(), &err_out, None, None)?;
                    let out =
                        dataflow::apply_result_path(&c.result_path, &self.input, err_out.clone())?;
                    Ok((out, assigned))
                }
                QueryLanguage::Jsonata => {
                    let assigned =
                        self.eval_assign(c.assign.as_ref(), &self.input, None, Some(&err_out))?;
                    let out = match &c.output {
                        Some(o) => self.eval_jsonata(o, None, Some(&err_out), "Output")?,
                        None => err_out.clone(),
                    };
                    Ok((out, assigned))
                }
            }
        })();
        match attempt {
            Ok((out, assigned)) => self
                .exit(out, assigned, Some(&c.next))
                .map_err(|e| self.fail(e)),
            Err(e) => Err(self.fail(e)),
        }
    }
}
/// A value as Java's `toString` would show it in a cause (strings unquoted).
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => to_json_text(other),
    }
}
/// AWS reports the nested field (`Output/result`) that the JSONata cause names.
fn nested_location(cause: &str, field: &str) -> String {
    let marker = "specified for the field '";
    cause
        .find(marker)
        .map(|i| &cause[i + marker.len()..])
        .and_then(|rest| rest.split_once('\'').map(|(f, _)| f))
        .filter(|f| f.split('/').next() == Some(field))
        .unwrap_or(field)
        .to_string()
}
