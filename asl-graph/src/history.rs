//! Reading a history: which state each event is about, and what happened to each entry
//! into a state.
//!
//! ## Matching events to states
//! Events name states only by name, and names repeat across the branches of a Parallel or
//! the processors of nested Maps. Each event is therefore read in the *context* of the event
//! its `previousEventId` points at (the event before it in the array when it has none):
//! - an event entering a state right after `ParallelStateStarted`, `MapStateStarted`,
//!   `MapIterationStarted` or `MapRunStarted` looks the name up in that state's clusters (the
//!   branch whose `StartAt` it is first, then any branch holding it);
//! - any other state entered is looked up in the workflow of the event it follows, then among
//!   the clusters of the state that event is about, then in the enclosing workflows outwards;
//! - failing that, the first state of that name (and type) in definition order.
//!
//! A state's name must match the type of the event (`TaskStateEntered` names a Task).
//! Events within a state (`TaskFailed`, `MapIterationStarted`, ...) are about the state of the
//! entry they follow; `Parallel*` and `Map*` events climb from there to the nearest Parallel
//! or Map entry, since they may follow the last event of a branch.
//!
//! The iterations of a distributed Map run as child executions with their own histories: the
//! states of its processor stay [`Outcome::NotReached`](crate::Outcome::NotReached) here.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::graph::{ClusterId, EdgeId, EdgeKind, Graph, NodeId, NodeKind};
use crate::overlay::{ExecutionStatus, Failure, Outcome, OverlayError};

/// One entry into a state, and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub node: NodeId,
    /// The Parallel/Map entry whose branch or iteration this entry is in.
    parent: Option<usize>,
    exited: bool,
    aborted: bool,
    /// The last attempt failed (and no success followed).
    failing: bool,
    failures: u32,
    pub failure: Option<Failure>,
}

impl Entry {
    /// The outcome of this entry; `ended`: the execution has ended.
    pub fn outcome(&self, ended: bool) -> Outcome {
        match (self.exited, self.failing) {
            _ if self.aborted => Outcome::Cancelled,
            (true, true) => Outcome::Caught,
            (true, false) if self.failures > 0 => Outcome::Retried,
            (true, false) => Outcome::Succeeded,
            (false, true) => Outcome::Failed,
            (false, false) if ended => Outcome::Cancelled,
            (false, false) => Outcome::InProgress,
        }
    }
}

/// What [`replay`] found.
#[derive(Debug)]
pub(crate) struct Replay {
    pub entries: Vec<Entry>,
    pub edges: Vec<u32>,
    pub status: ExecutionStatus,
    pub failure: Option<Failure>,
    pub started: bool,
    pub unmatched: Vec<String>,
}

/// Where an event stands: its workflow, the entry it is about, and the Parallel/Map entry
/// whose clusters a following `...StateEntered` enters.
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    workflow: Option<ClusterId>,
    entry: Option<usize>,
    children_of: Option<usize>,
}

/// One event, read.
struct Event<'a> {
    id: u64,
    previous: Option<u64>,
    ty: &'a str,
    details: Option<&'a Map<String, Value>>,
}

/// Replays `events` over `graph`.
pub(crate) fn replay(graph: &Graph, events: &[Value]) -> Result<Replay, OverlayError> {
    let events = read_events(events)?;
    let mut r = Replayer {
        graph,
        out: Replay {
            entries: Vec::new(),
            edges: vec![0; graph.edges.len()],
            status: ExecutionStatus::Running,
            failure: None,
            started: false,
            unmatched: Vec::new(),
        },
        contexts: HashMap::new(),
    };
    let mut last = Ctx::default();
    for event in &events {
        let before = match event.previous {
            Some(0) => Ctx::default(),
            Some(id) => r.contexts.get(&id).copied().unwrap_or(last),
            None => last,
        };
        last = r.apply(event, before);
        r.contexts.insert(event.id, last);
    }
    Ok(r.out)
}

/// The events in `id` order (AWS lists them newest first when asked to).
fn read_events(events: &[Value]) -> Result<Vec<Event<'_>>, OverlayError> {
    let mut out = Vec::with_capacity(events.len());
    for (index, v) in events.iter().enumerate() {
        let o = v.as_object().ok_or(OverlayError::BadEvent { index })?;
        let ty = o
            .get("type")
            .and_then(Value::as_str)
            .ok_or(OverlayError::BadEvent { index })?;
        let details = o
            .iter()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .and_then(|(_, v)| v.as_object());
        out.push(Event {
            id: o.get("id").and_then(number).unwrap_or(index as u64 + 1),
            previous: o.get("previousEventId").and_then(number),
            ty,
            details,
        });
    }
    out.sort_by_key(|e| e.id);
    Ok(out)
}

/// An id given as a number or as a string of digits.
fn number(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

struct Replayer<'g> {
    graph: &'g Graph,
    out: Replay,
    contexts: HashMap<u64, Ctx>,
}

impl Replayer<'_> {
    /// Applies one event read in context `before`; returns its own context.
    fn apply(&mut self, e: &Event<'_>, before: Ctx) -> Ctx {
        let text = |key: &str| e.details.and_then(|d| d.get(key)).and_then(Value::as_str);
        if let Some(ty) = e.ty.strip_suffix("StateEntered") {
            return self.entered(before, ty, text("name").unwrap_or_default());
        }
        if e.ty.ends_with("StateExited") {
            return self.exited(before, text("name").unwrap_or_default());
        }
        let failure = || Failure {
            error: text("error").map(str::to_string),
            cause: text("cause").map(str::to_string),
        };
        if let Some(rest) = e.ty.strip_prefix("Execution") {
            self.execution(before, rest, failure());
            return before;
        }
        let nesting = ["Parallel", "Map"]
            .into_iter()
            .find(|p| e.ty.starts_with(p));
        let ctx = match nesting.and_then(|ty| self.enclosing(before.entry, ty)) {
            Some(entry) => self.context_of(entry),
            None => before,
        };
        let Some(entry) = ctx.entry else {
            return ctx;
        };
        if e.ty.ends_with("StateAborted") || e.ty == "MapRunAborted" {
            self.out.entries[entry].aborted = true;
        } else if nesting.is_some() && e.ty.ends_with("Started") {
            return Ctx {
                children_of: Some(entry),
                ..ctx
            };
        } else if (e.ty.ends_with("Failed") || e.ty.ends_with("TimedOut"))
            && !e.ty.starts_with("MapIteration")
        {
            let en = &mut self.out.entries[entry];
            en.failing = true;
            en.failures += 1;
            en.failure = Some(failure());
        } else if e.ty.ends_with("Succeeded") && !e.ty.starts_with("MapIteration") {
            self.out.entries[entry].failing = false;
        }
        ctx
    }

    /// `<Type>StateEntered`: a new entry, and the edge that led to it.
    fn entered(&mut self, before: Ctx, ty: &str, name: &str) -> Ctx {
        let Some((node, entering)) = self.resolve(before, ty, name) else {
            self.out.unmatched.push(name.to_string());
            return before;
        };
        let parent = self.parent_for(before, node);
        let index = self.out.entries.len();
        self.out.entries.push(Entry {
            node,
            parent,
            exited: false,
            aborted: false,
            failing: false,
            failures: 0,
            failure: None,
        });
        if entering {
            let owner = before.children_of.map(|p| self.out.entries[p].node);
            self.take(owner, node, |k| k == EdgeKind::Enter, None);
        } else if let Some(prev) = before.entry.filter(|p| self.out.entries[*p].exited) {
            self.take_transition(prev, node);
        } else if before.entry.is_none() && self.graph.node(node).cluster.is_none() {
            self.out.started = true;
            self.take(
                Some(crate::graph::START),
                node,
                |k| k == EdgeKind::Start,
                None,
            );
        }
        if ty == "Fail" {
            let fail = &mut self.out.entries[index];
            fail.failing = true;
            let error = self.graph.node(node).fail_error.clone();
            fail.failure = error.map(|e| Failure {
                error: Some(e),
                cause: None,
            });
            self.take_end(node);
        }
        self.context_of(index)
    }

    /// `<Type>StateExited`: the entry it closes (the one it follows, or an enclosing one of
    /// that name).
    fn exited(&mut self, before: Ctx, name: &str) -> Ctx {
        let mut at = before.entry;
        while let Some(i) = at {
            if self.graph.node(self.out.entries[i].node).name == name {
                let entry = &mut self.out.entries[i];
                entry.exited = true;
                let (node, failing) = (entry.node, entry.failing);
                if !failing {
                    self.take_end(node);
                }
                return self.context_of(i);
            }
            at = self.out.entries[i].parent;
        }
        self.out.unmatched.push(name.to_string());
        before
    }

    /// `Execution<rest>`: the status; a failure also fails the entries it follows.
    fn execution(&mut self, before: Ctx, rest: &str, failure: Failure) {
        let status = match rest {
            "Started" => {
                self.out.started = true;
                return;
            }
            "Succeeded" => ExecutionStatus::Succeeded,
            "Failed" => ExecutionStatus::Failed,
            "TimedOut" => ExecutionStatus::TimedOut,
            "Aborted" => ExecutionStatus::Aborted,
            _ => return,
        };
        self.out.status = status;
        if status == ExecutionStatus::Succeeded {
            return;
        }
        let has_failure = failure.error.is_some() || failure.cause.is_some();
        if status == ExecutionStatus::Failed {
            let mut at = before.entry;
            while let Some(i) = at {
                let entry = &mut self.out.entries[i];
                if !entry.exited && !entry.aborted {
                    entry.failing = true;
                    if entry.failure.is_none() && has_failure {
                        entry.failure = Some(failure.clone());
                    }
                }
                at = entry.parent;
            }
        }
        self.out.failure = has_failure.then_some(failure);
    }

    /// The state named `name` of type `ty` the event enters, and whether it enters the
    /// clusters of the entry `before` points at (see the module documentation).
    fn resolve(&self, before: Ctx, ty: &str, name: &str) -> Option<(NodeId, bool)> {
        let g = self.graph;
        let typed = |n: NodeId| match g.node(n).kind {
            NodeKind::State(t) => t.as_str() == ty,
            _ => false,
        };
        let in_children = |entry: usize| {
            let owner = g.node(self.out.entries[entry].node);
            let starts = owner.children.iter().filter_map(|c| g.cluster(*c).start);
            let start = starts
                .filter(|n| g.node(*n).name == name)
                .find(|n| typed(*n));
            start.or_else(|| {
                let any = owner.children.iter().filter_map(|c| g.find(Some(*c), name));
                any.into_iter().find(|n| typed(*n))
            })
        };
        if let Some(found) = before.children_of.and_then(in_children) {
            return Some((found, true));
        }
        let mut workflow = before.workflow;
        if let Some(n) = g.find(workflow, name).filter(|n| typed(*n)) {
            return Some((n, false));
        }
        if let Some(found) = before.entry.and_then(in_children) {
            return Some((found, false));
        }
        while let Some(c) = workflow {
            workflow = g.cluster(c).parent;
            if let Some(n) = g.find(workflow, name).filter(|n| typed(*n)) {
                return Some((n, false));
            }
        }
        let first = (0..g.nodes.len())
            .map(NodeId)
            .find(|n| g.node(*n).name == name && typed(*n));
        first.map(|n| (n, false))
    }

    /// The entry, among `before` and its parents, of the Parallel/Map state running the
    /// cluster `node` is in.
    fn parent_for(&self, before: Ctx, node: NodeId) -> Option<usize> {
        let owner = self.graph.cluster(self.graph.node(node).cluster?).owner;
        let mut at = before.children_of.or(before.entry);
        while let Some(i) = at {
            if self.out.entries[i].node == owner {
                return Some(i);
            }
            at = self.out.entries[i].parent;
        }
        None
    }

    /// The nearest entry from `entry` outwards whose state is of type `ty`.
    fn enclosing(&self, mut entry: Option<usize>, ty: &str) -> Option<usize> {
        while let Some(i) = entry {
            let e = &self.out.entries[i];
            if matches!(self.graph.node(e.node).kind, NodeKind::State(t) if t.as_str() == ty) {
                return Some(i);
            }
            entry = e.parent;
        }
        None
    }

    fn context_of(&self, entry: usize) -> Ctx {
        Ctx {
            workflow: self.graph.node(self.out.entries[entry].node).cluster,
            entry: Some(entry),
            children_of: None,
        }
    }

    /// Counts the edge from the state of entry `prev` to `to`: a catcher's (the first whose
    /// `ErrorEquals` matches the error) when the entry was failing, else `Next`, a Choice
    /// rule or `Default` (the first in definition order when several lead to `to`).
    fn take_transition(&mut self, prev: usize, to: NodeId) {
        let entry = &self.out.entries[prev];
        let from = Some(self.graph.exit_of(entry.node));
        if entry.failing {
            let error = entry.failure.as_ref().and_then(|f| f.error.clone());
            let catches = |k| matches!(k, EdgeKind::Catch(_));
            if !self.take(from, to, catches, error.as_deref()) {
                self.take(from, to, catches, None);
            }
        } else if !self.take(from, to, |k| !matches!(k, EdgeKind::Catch(_)), None) {
            self.take(from, to, |_| true, None);
        }
    }

    /// Counts the `End` edge of `node`, if it has one.
    fn take_end(&mut self, node: NodeId) {
        let from = self.graph.exit_of(node);
        let end = self
            .graph
            .out_edges(from)
            .find(|(_, e)| e.kind == EdgeKind::End);
        if let Some((EdgeId(i), _)) = end {
            self.out.edges[i] += 1;
        }
    }

    /// Counts the first edge from `from` to `to` whose kind passes `kind` (and, with `error`,
    /// whose `ErrorEquals` matches it). Whether there was one.
    fn take(
        &mut self,
        from: Option<NodeId>,
        to: NodeId,
        kind: impl Fn(EdgeKind) -> bool,
        error: Option<&str>,
    ) -> bool {
        let Some(from) = from else {
            return false;
        };
        let matches = |errors: &[String]| {
            error.is_none_or(|e| asl_core::error::error_equals_matches(errors, e))
        };
        let edge = self
            .graph
            .out_edges(from)
            .find(|(_, e)| e.to == to && kind(e.kind) && matches(&e.errors));
        if let Some((EdgeId(i), _)) = edge {
            self.out.edges[i] += 1;
        }
        edge.is_some()
    }
}
