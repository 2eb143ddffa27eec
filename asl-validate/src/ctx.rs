//! What a rule sees: the typed model, every nested workflow in it, and the raw JSON.

use asl_core::{State, StateKind, StateMachine};
use serde_json::Value;

use crate::diagnostic::escape;

/// The definition under validation, read once and shared by every model rule.
pub(crate) struct Ctx<'a> {
    /// The definition as JSON (for fields the model does not keep as written).
    pub raw: &'a Value,
    /// The top-level workflow, then every Parallel branch and Map processor, depth first.
    pub scopes: Vec<&'a StateMachine>,
}

impl<'a> Ctx<'a> {
    pub fn new(machine: &'a StateMachine, raw: &'a Value) -> Self {
        let mut scopes = Vec::new();
        collect(machine, &mut scopes);
        Ctx { raw, scopes }
    }

    /// Every state of every scope.
    pub fn states(&self) -> impl Iterator<Item = &'a State> + '_ {
        self.scopes.iter().flat_map(|m| m.states.values())
    }

    /// The raw JSON of a model node.
    pub fn raw_at(&self, pointer: &str) -> Option<&'a Value> {
        self.raw.pointer(pointer)
    }
}

fn collect<'a>(m: &'a StateMachine, out: &mut Vec<&'a StateMachine>) {
    out.push(m);
    for state in m.states.values() {
        match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| collect(b, out)),
            StateKind::Map(map) => collect(&map.processor, out),
            _ => {}
        }
    }
}

/// Where each state goes next: `Next`, Choice targets and `Default`, Catch targets.
pub(crate) fn successors(state: &State) -> Vec<&str> {
    let mut out = Vec::new();
    if let asl_core::model::Transition::Next(n) = &state.transition {
        out.push(n.as_str());
    }
    if let StateKind::Choice(c) = &state.kind {
        out.extend(c.choices.iter().map(|r| r.next.as_str()));
        out.extend(c.default.as_deref());
    }
    out.extend(state.catch().iter().map(|c| c.next.as_str()));
    out
}

/// Whether a state ends its workflow (`End: true`, Succeed, Fail).
pub(crate) fn is_terminal(state: &State) -> bool {
    matches!(state.transition, asl_core::model::Transition::End)
        || matches!(state.kind, StateKind::Succeed | StateKind::Fail(_))
}

/// One state found in raw JSON, for the rules that must work even when the model cannot be built.
pub(crate) struct RawState<'a> {
    pub name: &'a str,
    pub pointer: String,
    pub value: &'a Value,
    /// Whether the state's effective query language is JSONata.
    pub jsonata: bool,
}

/// Every state object of the raw definition, nested workflows included, with the pointer of
/// the `States` object that holds it.
pub(crate) fn raw_states(raw: &Value) -> Vec<RawState<'_>> {
    let mut out = Vec::new();
    let top = raw.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    raw_machine(raw, "", top, &mut out, 0);
    out
}

fn raw_machine<'a>(
    m: &'a Value,
    ptr: &str,
    inherited: bool,
    out: &mut Vec<RawState<'a>>,
    depth: usize,
) {
    // Nesting is bounded by serde_json's recursion limit, but keep the walk bounded anyway.
    if depth > 64 {
        return;
    }
    let Some(states) = m.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, value) in states {
        let pointer = format!("{ptr}/States/{}", escape(name));
        let jsonata = match value.get("QueryLanguage").and_then(Value::as_str) {
            Some(ql) => ql == "JSONata",
            None => inherited,
        };
        out.push(RawState {
            name,
            pointer: pointer.clone(),
            value,
            jsonata,
        });
        if let Some(branches) = value.get("Branches").and_then(Value::as_array) {
            for (i, b) in branches.iter().enumerate() {
                raw_machine(
                    b,
                    &format!("{pointer}/Branches/{i}"),
                    jsonata,
                    out,
                    depth + 1,
                );
            }
        }
        for field in ["ItemProcessor", "Iterator"] {
            if let Some(p) = value.get(field) {
                raw_machine(p, &format!("{pointer}/{field}"), jsonata, out, depth + 1);
            }
        }
    }
}
