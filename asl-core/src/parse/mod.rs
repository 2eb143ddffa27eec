//! `&str` / `serde_json::Value` -> [`StateMachine`], checking the shape as AWS does.
//!
//! The parser collects every problem it finds instead of stopping at the first one, so that
//! the validator can report them all. Semantic checks beyond what the model needs (reachability,
//! lints) live in `asl-validate`.

mod error;
mod fields;
pub mod location;
mod states;
mod trail;
pub mod work;

pub use error::{ErrorCode, ParseError, ParseErrors};
pub use location::{Found, LineCol, LineIndex, line_col_at, locate, locate_all, locate_offset};
pub use trail::Trail;

use indexmap::IndexMap;
use serde_json::Value;

use crate::limits::{
    MAX_DEFINITION_CHARS, MAX_STATE_NAME_CHARS, MAX_WORKFLOW_NESTING, definition_too_long,
};
use crate::model::{QueryLanguage, State, StateMachine};
use fields::{Obj, Sink, check_depth, escape};

impl StateMachine {
    /// Parses a definition from its JSON text.
    ///
    /// A text longer than [`crate::limits::MAX_DEFINITION_CHARS`] is refused unread, as AWS refuses it.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(source: &str) -> Result<StateMachine, ParseErrors> {
        if let Some(chars) = definition_too_long(source) {
            return Err(ParseErrors {
                errors: vec![ParseError::schema(
                    "",
                    format!(
                        "The definition is {chars} characters long; at most {MAX_DEFINITION_CHARS} are accepted"
                    ),
                )],
            });
        }
        let value: Value = serde_json::from_str(source).map_err(|e| ParseErrors {
            errors: vec![ParseError {
                code: ErrorCode::InvalidJsonDescription,
                pointer: String::new(),
                message: format!("Invalid JSON: {e}"),
                position: Some(LineCol {
                    line: e.line().max(1),
                    column: e.column().max(1),
                }),
            }],
        })?;
        Self::from_value(&value)
    }

    /// Parses a definition already decoded as JSON.
    ///
    /// A value nested deeper than [`crate::limits::MAX_JSON_DEPTH`] (which text read by serde_json
    /// never is, but a value built by a caller can be) is refused before it is read, and
    /// workflows nested deeper than [`crate::limits::MAX_WORKFLOW_NESTING`] are refused where they
    /// start: reading a definition never recurses deeper than these bounds.
    pub fn from_value(value: &Value) -> Result<StateMachine, ParseErrors> {
        let mut sink = Sink::default();
        if !check_depth(value, &mut sink) {
            return Err(sink.finish());
        }
        let machine = machine(value, "", QueryLanguage::JsonPath, 0, &mut sink);
        match machine {
            Some(m) if !sink.failed() => Ok(m),
            _ => {
                if !sink.failed() {
                    sink.schema("", "Invalid state machine definition");
                }
                Err(sink.finish())
            }
        }
    }
}

impl State {
    /// Parses one state on its own, as the state `name` of a top-level machine whose
    /// `QueryLanguage` is `query_language` (its pointers are `/States/<name>/...`).
    ///
    /// Its transition targets are not checked, as there is no machine to hold them: TestState
    /// reads them from the result ([`State::successors`]) to build one.
    pub fn from_value(
        name: &str,
        value: &Value,
        query_language: QueryLanguage,
    ) -> Result<State, ParseErrors> {
        let mut sink = Sink::default();
        if !check_depth(value, &mut sink) {
            return Err(sink.finish());
        }
        let ptr = format!("/States/{}", escape(name));
        let state = if check_state_name(name, &ptr, &mut sink) {
            states::state(name, value, &ptr, query_language, 0, &mut sink)
        } else {
            None
        };
        match state {
            Some(s) if !sink.failed() => Ok(s),
            _ => {
                if !sink.failed() {
                    sink.schema(&ptr, "Invalid state definition");
                }
                Err(sink.finish())
            }
        }
    }
}

impl std::str::FromStr for StateMachine {
    type Err = ParseErrors;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StateMachine::from_str(s)
    }
}

const TOP_FIELDS: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
];
const BRANCH_FIELDS: &[&str] = &["Comment", "StartAt", "States", "ProcessorConfig"];

/// Reads a machine (`nesting` 0), a Parallel branch or a Map processor (the number of
/// workflows it is nested in).
pub(crate) fn machine(
    value: &Value,
    ptr: &str,
    inherited: QueryLanguage,
    nesting: usize,
    sink: &mut Sink,
) -> Option<StateMachine> {
    if nesting > MAX_WORKFLOW_NESTING {
        sink.schema(
            ptr,
            format!(
                "Parallel and Map states may nest workflows at most {MAX_WORKFLOW_NESTING} levels deep"
            ),
        );
        return None;
    }
    let top = nesting == 0;
    let obj = Obj::new(value, ptr, sink)?;
    obj.only(if top { TOP_FIELDS } else { BRANCH_FIELDS }, sink);
    let complete = obj.required(&["StartAt", "States"], sink);
    let query_language = if top {
        query_language(&obj, inherited, sink)
    } else {
        inherited
    };
    let comment = obj.string("Comment", sink).map(str::to_string);
    let version = obj.string("Version", sink).map(str::to_string);
    if let Some(v) = &version
        && v != "1.0"
    {
        sink.schema(
            &obj.at("Version"),
            "The value for the field 'Version' must be '1.0'",
        );
    }
    let timeout_seconds = obj.uint("TimeoutSeconds", sink);
    if timeout_seconds == Some(0) {
        sink.schema(
            &obj.at("TimeoutSeconds"),
            "The value for the field 'TimeoutSeconds' must be a positive integer",
        );
    }
    let start_at = obj.string("StartAt", sink).unwrap_or_default().to_string();
    let mut states = IndexMap::new();
    if let Some(v) = obj.get("States") {
        let sptr = obj.at("States");
        if let Some(sobj) = Obj::new(v, &sptr, sink) {
            if sobj.map.is_empty() {
                sink.schema(&sptr, "The field 'States' must have at least one state");
            }
            for (name, sv) in sobj.map {
                let state_ptr = format!("{sptr}/{}", escape(name));
                if !check_state_name(name, &state_ptr, sink) {
                    continue;
                }
                if let Some(state) =
                    states::state(name, sv, &state_ptr, query_language, nesting, sink)
                {
                    states.insert(name.clone(), state);
                }
            }
        }
    }
    if !complete {
        return None;
    }
    let m = StateMachine {
        comment,
        start_at,
        states,
        timeout_seconds,
        version,
        query_language,
        pointer: ptr.to_string(),
    };
    check_targets(&m, value, sink);
    Some(m)
}

/// AWS's rule on state names: 1 to [`MAX_STATE_NAME_CHARS`] characters. False when the state's
/// body must not be read: every pointer inside it would repeat an overlong name, so its errors
/// could cost the name's length each.
fn check_state_name(name: &str, ptr: &str, sink: &mut Sink) -> bool {
    let too_long = name.chars().count() > MAX_STATE_NAME_CHARS;
    if name.is_empty() || too_long {
        sink.push(ParseError {
            code: ErrorCode::InvalidStateName,
            pointer: ptr.to_string(),
            message: format!(
                "State names must be 1 to {MAX_STATE_NAME_CHARS} characters long: '{name}'"
            ),
            position: None,
        });
    }
    !too_long
}

fn query_language(obj: &Obj, inherited: QueryLanguage, sink: &mut Sink) -> QueryLanguage {
    match obj.string("QueryLanguage", sink) {
        None => inherited,
        Some("JSONPath") => QueryLanguage::JsonPath,
        Some("JSONata") => QueryLanguage::Jsonata,
        Some(other) => {
            sink.schema(
                &obj.at("QueryLanguage"),
                format!("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata], got '{other}'"),
            );
            inherited
        }
    }
}

/// Every `StartAt`, `Next`, `Default` and Catch `Next` must name a state of the same machine.
fn check_targets(m: &StateMachine, raw: &Value, sink: &mut Sink) {
    let raw_states = raw.get("States").and_then(Value::as_object);
    let exists = |name: &str| raw_states.is_some_and(|s| s.contains_key(name));
    let mut missing = |ptr: String, name: &str, field: &str| {
        sink.push(ParseError {
            code: ErrorCode::MissingTransitionTarget,
            pointer: ptr,
            message: format!("Missing '{field}' target: {name}"),
            position: None,
        })
    };
    if !exists(&m.start_at) {
        missing(format!("{}/StartAt", m.pointer), &m.start_at, "StartAt");
    }
    for state in m.states.values() {
        work::count(1);
        for edge in state.successors() {
            if !exists(edge.target) {
                missing(edge.pointer(), edge.target, edge.field());
            }
        }
    }
}

#[cfg(test)]
mod bounds_tests;
#[cfg(test)]
mod tests;
