//! What a rule sees: the typed model, every nested workflow in it (with its transitions as a
//! graph), and the raw JSON.

use std::collections::HashMap;

use asl_core::limits::{MAX_STATE_NAME_CHARS, MAX_WORKFLOW_NESTING};
use asl_core::parse::work;
use asl_core::{State, StateKind, StateMachine};
use serde_json::Value;

use crate::diagnostic::escape;

/// The definition under validation, read once and shared by every model rule.
pub(crate) struct Ctx<'a> {
    /// The definition as JSON (for fields the model does not keep as written).
    pub raw: &'a Value,
    /// The top-level workflow, then every Parallel branch and Map processor, depth first.
    pub scopes: Vec<&'a StateMachine>,
    /// The transitions of each scope.
    pub graphs: Vec<Graph>,
    /// The raw JSON of each state, by pointer.
    raw_states: HashMap<&'a str, &'a Value>,
}

impl<'a> Ctx<'a> {
    pub fn new(machine: &'a StateMachine, raw: &'a Value, states: &'a [RawState<'a>]) -> Self {
        let mut scopes = Vec::new();
        collect(machine, &mut scopes);
        let graphs = scopes.iter().map(|m| Graph::new(m)).collect();
        let raw_states = states
            .iter()
            .map(|s| (s.pointer.as_str(), s.value))
            .collect();
        Ctx {
            raw,
            scopes,
            graphs,
            raw_states,
        }
    }

    /// Every state of every scope.
    pub fn states(&self) -> impl Iterator<Item = &'a State> + '_ {
        self.scopes
            .iter()
            .flat_map(|m| m.states.values())
            .inspect(|_| work::count(1))
    }

    /// The raw JSON of a model node.
    pub fn raw_at(&self, pointer: &str) -> Option<&'a Value> {
        match self.raw_states.get(pointer) {
            Some(v) => Some(v),
            None => self.raw.pointer(pointer),
        }
    }
}

/// The transitions of one workflow, by the index of each state in its `States`: built once,
/// for the rules about reachability and termination, which then visit each state and each
/// transition a bounded number of times.
pub(crate) struct Graph {
    /// Where state `i` goes next is `edges[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    edges: Vec<usize>,
    /// `StartAt`, if it names a state.
    pub start: Option<usize>,
}

impl Graph {
    /// From each state's [`State::successors`]; transitions to a name that is not a state are
    /// left out (the parser refuses them).
    pub fn new(m: &StateMachine) -> Self {
        let mut starts = Vec::with_capacity(m.states.len() + 1);
        let mut edges = Vec::new();
        for state in m.states.values() {
            work::count(1);
            starts.push(edges.len());
            edges.extend(
                state
                    .successors()
                    .filter_map(|e| m.states.get_index_of(e.target)),
            );
        }
        starts.push(edges.len());
        work::count(edges.len());
        Graph {
            starts,
            edges,
            start: m.states.get_index_of(m.start_at.as_str()),
        }
    }

    /// Where state `i` goes next.
    pub fn next(&self, i: usize) -> &[usize] {
        &self.edges[self.starts[i]..self.starts[i + 1]]
    }

    /// The states reachable from `StartAt`.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.starts.len() - 1];
        let mut todo: Vec<usize> = self.start.into_iter().collect();
        while let Some(i) = todo.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                work::count(1);
                todo.extend(self.next(i).iter().filter(|&&n| !seen[n]));
            }
        }
        seen
    }

    /// The states some transition names (`StartAt` not counted).
    pub fn named(&self) -> Vec<bool> {
        let mut named = vec![false; self.starts.len() - 1];
        for &n in &self.edges {
            named[n] = true;
        }
        named
    }

    /// The states from which some state of `targets` can be reached, `targets` included:
    /// transitions walked backwards, each once.
    pub fn can_reach(&self, targets: Vec<bool>) -> Vec<bool> {
        let n = targets.len();
        // Predecessors, in the same layout as the successors.
        let mut counts = vec![0usize; n + 1];
        for &e in &self.edges {
            counts[e + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut back = vec![0; self.edges.len()];
        for i in 0..n {
            for &e in self.next(i) {
                back[fill[e]] = i;
                fill[e] += 1;
            }
        }
        let mut done = targets;
        let mut todo: Vec<usize> = (0..n).filter(|&i| done[i]).collect();
        while let Some(i) = todo.pop() {
            for &p in &back[counts[i]..counts[i + 1]] {
                work::count(1);
                if !std::mem::replace(&mut done[p], true) {
                    todo.push(p);
                }
            }
        }
        done
    }
}

/// Recursive: the parser refuses workflows nested deeper than [`MAX_WORKFLOW_NESTING`].
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
///
/// As the parser does, it reads no deeper than [`MAX_WORKFLOW_NESTING`] workflows, and not
/// inside a state whose name is too long: every pointer in there would repeat the name.
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
    if depth > MAX_WORKFLOW_NESTING {
        return;
    }
    let Some(states) = m.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, value) in states {
        let pointer = format!("{ptr}/States/{}", escape(name));
        work::count(1 + pointer.len());
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
        if name.chars().count() > MAX_STATE_NAME_CHARS {
            continue;
        }
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
