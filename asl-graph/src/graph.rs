//! The graph of a definition: one node per state, one edge per transition, one cluster per
//! nested workflow (a Parallel's branch, a Map's item processor).
//!
//! Everything is stored in flat vectors indexed by [`NodeId`], [`EdgeId`] and [`ClusterId`], so
//! that an [`crate::Overlay`] is just as flat: one entry per node and per edge, and renderers
//! read both side by side.
//!
//! Shape of the graph:
//! - a synthetic Start node goes to the top-level `StartAt`; every state that ends the
//!   top-level workflow (`End: true`, Succeed, Fail) goes to the one End node;
//! - a Parallel or Map state is two nodes: the state itself, which enters each of its clusters
//!   (at their `StartAt`), and its *exit* (a [`NodeKind::Join`]), where the states ending those
//!   clusters arrive and from which the state's own `Next`, `Catch` and `End` edges leave. The
//!   graph stays acyclic around nested workflows, which keeps the layout simple.

use std::collections::HashMap;

use asl_core::model::{EdgeKind as CoreEdge, StringField};
use asl_core::{State, StateKind, StateMachine};

use crate::choice_label::condition_label;
use crate::label::{resource_label, truncate};

/// Index of a node in [`Graph::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// Index of an edge in [`Graph::edges`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(pub usize);

/// Index of a cluster in [`Graph::clusters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterId(pub usize);

/// The ASL state types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateType {
    /// `Pass`.
    Pass,
    /// `Task`.
    Task,
    /// `Choice`.
    Choice,
    /// `Wait`.
    Wait,
    /// `Succeed`.
    Succeed,
    /// `Fail`.
    Fail,
    /// `Parallel`.
    Parallel,
    /// `Map`.
    Map,
}

impl StateType {
    fn of(kind: &StateKind) -> StateType {
        match kind {
            StateKind::Pass(_) => StateType::Pass,
            StateKind::Task(_) => StateType::Task,
            StateKind::Choice(_) => StateType::Choice,
            StateKind::Wait(_) => StateType::Wait,
            StateKind::Succeed => StateType::Succeed,
            StateKind::Fail(_) => StateType::Fail,
            StateKind::Parallel(_) => StateType::Parallel,
            StateKind::Map(_) => StateType::Map,
        }
    }

    /// The ASL `Type` name (`"Task"`), which is also the prefix of its history events
    /// (`TaskStateEntered`).
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Where the execution starts.
    Start,
    /// Where the top-level workflow ends.
    End,
    /// A state.
    State(StateType),
    /// The exit of a Parallel or Map state (see the module documentation); its
    /// [`Node::owner`] is the state.
    Join,
}

/// One retrier, as shown on its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryInfo {
    /// `ErrorEquals`.
    pub errors: Vec<String>,
    /// `MaxAttempts`.
    pub max_attempts: u64,
}

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// A unique path: the state name at the top level, `Outer/Branch0/Name` inside the first
    /// branch of the Parallel `Outer`, `Outer/ItemProcessor/Name` inside a Map; `(start)`,
    /// `(end)` and `State/(exit)` for the synthetic nodes.
    pub id: String,
    /// A unique identifier made of ASCII letters, digits and `_`, used by every renderer.
    pub key: String,
    /// The state name (for synthetic nodes, what they are called).
    pub name: String,
    /// What the node stands for.
    pub kind: NodeKind,
    /// The cluster the node is in (`None` at the top level).
    pub cluster: Option<ClusterId>,
    /// Task: a short form of `Resource` (`lambda:invoke`, `function:name`).
    pub resource: Option<String>,
    /// The state's retriers.
    pub retry: Vec<RetryInfo>,
    /// Fail: `Error` when it is a literal.
    pub fail_error: Option<String>,
    /// Parallel / Map: the clusters it runs. Join: none.
    pub children: Vec<ClusterId>,
    /// Parallel / Map: its exit node. Join: the state it is the exit of.
    pub owner: Option<NodeId>,
}

/// Which field of the definition an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// From Start to the top-level `StartAt`.
    Start,
    /// `Next`.
    Next,
    /// The Choice rule at this index of `Choices`.
    Choice(usize),
    /// A Choice state's `Default`.
    Default,
    /// The catcher at this index of `Catch`.
    Catch(usize),
    /// From a Parallel or Map state into the `StartAt` of one of its clusters.
    Enter,
    /// From a state ending its workflow to the End node or to the exit of the enclosing
    /// Parallel/Map state.
    End,
}

/// One edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Where it starts.
    pub from: NodeId,
    /// Where it goes.
    pub to: NodeId,
    /// Which field it stands for.
    pub kind: EdgeKind,
    /// What to write on it: the Choice rule, `Default`, the caught errors.
    pub label: Option<String>,
    /// Catch: `ErrorEquals` (to tell, in an execution, which catcher took the error).
    pub errors: Vec<String>,
}

/// A nested workflow: a branch of a Parallel or the item processor of a Map.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// A unique path (`Outer/Branch0`, `Outer/ItemProcessor`).
    pub id: String,
    /// A unique identifier (see [`Node::key`]).
    pub key: String,
    /// Its caption (`Branch 1`, `ItemProcessor (inline)`).
    pub label: String,
    /// The enclosing cluster (`None` when the owner is at the top level).
    pub parent: Option<ClusterId>,
    /// The Parallel or Map state running it.
    pub owner: NodeId,
    /// Its `StartAt` state.
    pub start: Option<NodeId>,
}

/// The indentation of a text renderer's line at `depth` (four spaces a level).
pub(crate) fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

/// One step of [`Graph::nesting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nest {
    /// A node, at this depth.
    Node(NodeId, usize),
    /// A cluster opens (its nodes follow, one level deeper).
    Open(ClusterId, usize),
    /// The cluster opened last at this depth closes.
    Close(usize),
}

/// The graph of a definition. Build it with [`Graph::from_machine`].
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// Every node, states in definition order (depth first), Start and End first.
    pub nodes: Vec<Node>,
    /// Every edge, in definition order per state.
    pub edges: Vec<Edge>,
    /// Every cluster, each after its parent.
    pub clusters: Vec<Cluster>,
    /// `(workflow, state name) -> node`.
    names: HashMap<(Option<ClusterId>, String), NodeId>,
    /// Keys given so far, to keep them unique.
    keys: HashMap<String, usize>,
}

/// The node of the synthetic Start.
pub const START: NodeId = NodeId(0);
/// The node of the synthetic End.
pub const END: NodeId = NodeId(1);

impl Graph {
    /// The graph of a parsed definition.
    pub fn from_machine(machine: &StateMachine) -> Graph {
        let mut g = Graph {
            nodes: Vec::new(),
            edges: Vec::new(),
            clusters: Vec::new(),
            names: HashMap::new(),
            keys: HashMap::new(),
        };
        g.add_node("(start)", "__start", "Start", NodeKind::Start, None);
        g.add_node("(end)", "__end", "End", NodeKind::End, None);
        if let Some(first) = g.add_workflow(machine, None, "", END) {
            g.add_edge(START, first, EdgeKind::Start, None, Vec::new());
        }
        g.keys = HashMap::new();
        g
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// The cluster with this id.
    pub fn cluster(&self, id: ClusterId) -> &Cluster {
        &self.clusters[id.0]
    }

    /// The state called `name` in `workflow` (`None`: the top level).
    pub fn find(&self, workflow: Option<ClusterId>, name: &str) -> Option<NodeId> {
        self.names.get(&(workflow, name.to_string())).copied()
    }

    /// The node whose [`Node::id`] is `id`.
    pub fn by_id(&self, id: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.id == id).map(NodeId)
    }

    /// The edges leaving `node`, in order.
    pub fn out_edges(&self, node: NodeId) -> impl Iterator<Item = (EdgeId, &Edge)> {
        self.edges
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.from == node)
            .map(|(i, e)| (EdgeId(i), e))
    }

    /// The nodes directly in each workflow: index 0 for the top level, `c + 1` for cluster
    /// `c`, in node order.
    pub(crate) fn members(&self) -> Vec<Vec<NodeId>> {
        let mut levels = vec![Vec::new(); self.clusters.len() + 1];
        for (i, n) in self.nodes.iter().enumerate() {
            levels[n.cluster.map_or(0, |c| c.0 + 1)].push(NodeId(i));
        }
        levels
    }

    /// The graph as text renderers nest it: each node of a workflow in order, each
    /// Parallel/Map followed by its clusters (opened, their own nesting, closed); `depth` 1 at
    /// the top level. Mermaid and DOT write their subgraphs from it.
    pub(crate) fn nesting(&self) -> Vec<Nest> {
        fn level(
            g: &Graph,
            members: &[Vec<NodeId>],
            at: Option<ClusterId>,
            depth: usize,
            out: &mut Vec<Nest>,
        ) {
            for &node in &members[at.map_or(0, |c| c.0 + 1)] {
                out.push(Nest::Node(node, depth));
                for &c in &g.node(node).children {
                    out.push(Nest::Open(c, depth));
                    level(g, members, Some(c), depth + 1, out);
                    out.push(Nest::Close(depth));
                }
            }
        }
        let mut out = Vec::new();
        level(self, &self.members(), None, 1, &mut out);
        out
    }

    /// The node a state's outgoing transitions leave from: its exit for Parallel and Map.
    pub fn exit_of(&self, node: NodeId) -> NodeId {
        match self.node(node).kind {
            NodeKind::State(StateType::Parallel | StateType::Map) => {
                self.node(node).owner.unwrap_or(node)
            }
            _ => node,
        }
    }

    /// Adds the states of `machine` (in `cluster`), their edges and their nested workflows;
    /// states ending it go to `exit`. Returns the node of `StartAt`.
    fn add_workflow(
        &mut self,
        machine: &StateMachine,
        cluster: Option<ClusterId>,
        prefix: &str,
        exit: NodeId,
    ) -> Option<NodeId> {
        let mut nodes = Vec::with_capacity(machine.states.len());
        for state in machine.states.values() {
            let node = self.add_state(state, cluster, prefix);
            self.names.insert((cluster, state.name.clone()), node);
            nodes.push(node);
        }
        for (state, node) in machine.states.values().zip(nodes) {
            self.add_nested(state, node, cluster);
            self.add_transitions(state, node, cluster, exit);
        }
        self.find(cluster, &machine.start_at)
    }

    /// Adds the node of `state` (and the exit of a Parallel or Map right after it).
    fn add_state(&mut self, state: &State, cluster: Option<ClusterId>, prefix: &str) -> NodeId {
        let id = format!("{prefix}{}", state.name);
        let kind = NodeKind::State(StateType::of(&state.kind));
        let node = self.add_node(&id, &format!("s_{id}"), &state.name, kind, cluster);
        let n = &mut self.nodes[node.0];
        n.retry = state
            .retry()
            .iter()
            .map(|r| RetryInfo {
                errors: r.error_equals.errors.clone(),
                max_attempts: r.max_attempts,
            })
            .collect();
        match &state.kind {
            StateKind::Task(t) => n.resource = Some(resource_label(&t.resource)),
            StateKind::Fail(f) => {
                if let Some(StringField::Literal(error)) = &f.error {
                    n.fail_error = Some(truncate(error));
                }
            }
            StateKind::Parallel(_) | StateKind::Map(_) => {
                let join = self.add_node(
                    &format!("{id}/(exit)"),
                    &format!("j_{id}"),
                    &state.name,
                    NodeKind::Join,
                    cluster,
                );
                self.nodes[join.0].owner = Some(node);
                self.nodes[node.0].owner = Some(join);
            }
            _ => {}
        }
        node
    }

    /// Adds the clusters of a Parallel or Map state and the edges into and out of them.
    fn add_nested(&mut self, state: &State, node: NodeId, parent: Option<ClusterId>) {
        let Some(join) = self.node(node).owner else {
            return;
        };
        let id = self.node(node).id.clone();
        let workflows: Vec<(String, String, &StateMachine)> = match &state.kind {
            StateKind::Parallel(p) => p
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("{id}/Branch{i}"), format!("Branch {}", i + 1), b))
                .collect(),
            StateKind::Map(m) => {
                let mode = match m.config.mode {
                    asl_core::model::ProcessorMode::Inline => "inline",
                    asl_core::model::ProcessorMode::Distributed => "distributed",
                };
                let label = format!("ItemProcessor ({mode})");
                vec![(format!("{id}/ItemProcessor"), label, &m.processor)]
            }
            _ => Vec::new(),
        };
        for (cluster_id, label, machine) in workflows {
            let c = ClusterId(self.clusters.len());
            let key = self.unique_key(&format!("c_{cluster_id}"));
            self.clusters.push(Cluster {
                id: cluster_id.clone(),
                key,
                label,
                parent,
                owner: node,
                start: None,
            });
            self.nodes[node.0].children.push(c);
            let start = self.add_workflow(machine, Some(c), &format!("{cluster_id}/"), join);
            self.clusters[c.0].start = start;
            if let Some(start) = start {
                self.add_edge(node, start, EdgeKind::Enter, None, Vec::new());
            }
        }
    }

    /// Adds the edges of a state's `Next`, Choice rules, `Default`, catchers and end.
    fn add_transitions(
        &mut self,
        state: &State,
        node: NodeId,
        cluster: Option<ClusterId>,
        exit: NodeId,
    ) {
        let from = self.exit_of(node);
        for edge in state.successors() {
            let Some(to) = self.find(cluster, edge.target) else {
                continue;
            };
            let (kind, label, errors) = match edge.kind {
                CoreEdge::Next => (EdgeKind::Next, None, Vec::new()),
                CoreEdge::Choice(i) => (EdgeKind::Choice(i), choice_rule_label(state, i), vec![]),
                CoreEdge::Default => (EdgeKind::Default, Some("Default".to_string()), vec![]),
                CoreEdge::Catch(i) => {
                    let errors = state
                        .catch()
                        .get(i)
                        .map(|c| c.error_equals.errors.clone())
                        .unwrap_or_default();
                    (
                        EdgeKind::Catch(i),
                        Some(truncate(&errors.join(", "))),
                        errors,
                    )
                }
            };
            self.add_edge(from, to, kind, label, errors);
        }
        let ends = matches!(state.transition, asl_core::model::Transition::End)
            || matches!(state.kind, StateKind::Succeed | StateKind::Fail(_));
        if ends {
            self.add_edge(from, exit, EdgeKind::End, None, Vec::new());
        }
    }

    fn add_node(
        &mut self,
        id: &str,
        key: &str,
        name: &str,
        kind: NodeKind,
        cluster: Option<ClusterId>,
    ) -> NodeId {
        let key = self.unique_key(key);
        self.nodes.push(Node {
            id: id.to_string(),
            key,
            name: name.to_string(),
            kind,
            cluster,
            resource: None,
            retry: Vec::new(),
            fail_error: None,
            children: Vec::new(),
            owner: None,
        });
        NodeId(self.nodes.len() - 1)
    }

    fn add_edge(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
        label: Option<String>,
        errors: Vec<String>,
    ) {
        self.edges.push(Edge {
            from,
            to,
            kind,
            label,
            errors,
        });
    }

    /// `raw` made of ASCII letters, digits and `_` (anything else becomes `_`), with a numeric
    /// suffix when it is already taken: the one rule for identifiers in every output format.
    fn unique_key(&mut self, raw: &str) -> String {
        let base: String = raw
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut key = base.clone();
        let mut n = 1;
        while self.keys.contains_key(&key) {
            n += 1;
            key = format!("{base}_{n}");
        }
        self.keys.insert(key.clone(), 1);
        key
    }
}

/// The label of Choice rule `i` of `state`.
fn choice_rule_label(state: &State, i: usize) -> Option<String> {
    match &state.kind {
        StateKind::Choice(c) => c.choices.get(i).map(|r| condition_label(&r.condition)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(def: &str) -> Graph {
        Graph::from_machine(&StateMachine::from_str(def).unwrap())
    }

    fn edges(g: &Graph) -> Vec<String> {
        g.edges
            .iter()
            .map(|e| format!("{} -> {} {:?}", g.node(e.from).id, g.node(e.to).id, e.kind))
            .collect()
    }

    #[test]
    fn chain_with_start_and_end() {
        let g = graph(
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}"#,
        );
        assert_eq!(
            edges(&g),
            ["A -> B Next", "B -> (end) End", "(start) -> A Start"]
        );
    }

    #[test]
    fn parallel_branches_are_clusters_between_state_and_exit() {
        let g = graph(
            r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},
            {"StartAt":"X","States":{"X":{"Type":"Fail","Error":"E"}}}]}}}"#,
        );
        assert_eq!(
            edges(&g),
            [
                "P/Branch0/X -> P/(exit) End",
                "P -> P/Branch0/X Enter",
                "P/Branch1/X -> P/(exit) End",
                "P -> P/Branch1/X Enter",
                "P/(exit) -> (end) End",
                "(start) -> P Start",
            ]
        );
        assert_eq!(g.clusters.len(), 2);
        let x1 = g.find(Some(ClusterId(1)), "X").unwrap();
        assert_eq!(g.node(x1).fail_error.as_deref(), Some("E"));
        assert_eq!(g.node(g.by_id("P").unwrap()).children.len(), 2);
    }

    #[test]
    fn keys_are_unique_identifiers() {
        let g = graph(
            r#"{"StartAt":"a b","States":{"a b":{"Type":"Pass","Next":"a_b"},"a_b":{"Type":"Succeed"}}}"#,
        );
        let keys: Vec<&str> = g.nodes.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["__start", "__end", "s_a_b", "s_a_b_2"]);
    }
}
