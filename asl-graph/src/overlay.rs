//! An execution laid over a [`Graph`]: for every node how the execution fared there, for
//! every edge how often it was taken.
//!
//! The history is read by [`crate::history`]; this module turns what it found into one
//! [`NodeRun`] per node and says which outcome wins when a state was entered several times.

use std::fmt;

use serde_json::Value;

use crate::graph::{EdgeId, Graph, NodeId, NodeKind};
use crate::history::{self, Replay};

/// How the execution fared in a state, over all the times it entered it.
///
/// The variants are in increasing order of precedence: a state entered several times (a loop,
/// the iterations of a Map) shows the greatest outcome of its entries, so that one failed
/// iteration among many successful ones shows as [`Outcome::Failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Never entered.
    NotReached,
    /// Entered and left normally.
    Succeeded,
    /// Failed at least once, then succeeded on a retry.
    Retried,
    /// Failed, and a catcher took the execution elsewhere.
    Caught,
    /// Entered, not left, and the execution is still running.
    InProgress,
    /// Entered, not left, and the execution (or the iteration or branch) was stopped or
    /// timed out meanwhile.
    Cancelled,
    /// Failed, and nothing caught it.
    Failed,
}

impl Outcome {
    /// Every outcome, in order of precedence.
    pub const ALL: [Outcome; 7] = [
        Outcome::NotReached,
        Outcome::Succeeded,
        Outcome::Retried,
        Outcome::Caught,
        Outcome::InProgress,
        Outcome::Cancelled,
        Outcome::Failed,
    ];

    /// A lowercase identifier (`in-progress`), used as a CSS class name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotReached => "not-reached",
            Outcome::Succeeded => "succeeded",
            Outcome::Retried => "retried",
            Outcome::Caught => "caught",
            Outcome::InProgress => "in-progress",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }

    /// The words shown in a legend.
    pub fn title(self) -> &'static str {
        match self {
            Outcome::NotReached => "not reached",
            Outcome::Succeeded => "succeeded",
            Outcome::Retried => "retried",
            Outcome::Caught => "caught",
            Outcome::InProgress => "in progress",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }

    /// Fill and stroke colours for formats without style sheets (DOT, Mermaid).
    pub fn colors(self) -> (&'static str, &'static str) {
        match self {
            Outcome::NotReached => ("#f4f4f5", "#a1a1aa"),
            Outcome::Succeeded => ("#dcfce7", "#16a34a"),
            Outcome::Retried => ("#fef9c3", "#ca8a04"),
            Outcome::Caught => ("#ffedd5", "#ea580c"),
            Outcome::InProgress => ("#dbeafe", "#2563eb"),
            Outcome::Cancelled => ("#e5e7eb", "#4b5563"),
            Outcome::Failed => ("#fee2e2", "#dc2626"),
        }
    }
}

/// An error and its cause, as a history records them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// The error name (`States.TaskFailed`).
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
}

/// How the execution fared at one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRun {
    /// The outcome (see [`Outcome`] for several entries).
    pub outcome: Outcome,
    /// How many times the state was entered (per loop turn, per Map iteration).
    pub entries: u32,
    /// The error of the entry the outcome comes from, when it failed.
    pub failure: Option<Failure>,
}

/// The status of the execution, from its last `Execution*` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// No event ends it (yet).
    Running,
    /// `ExecutionSucceeded`.
    Succeeded,
    /// `ExecutionFailed`.
    Failed,
    /// `ExecutionTimedOut`.
    TimedOut,
    /// `ExecutionAborted`.
    Aborted,
}

impl ExecutionStatus {
    /// AWS's name (`SUCCEEDED`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        }
    }

    /// The status named `name` (AWS's spelling).
    pub fn parse(name: &str) -> Option<ExecutionStatus> {
        [
            ExecutionStatus::Running,
            ExecutionStatus::Succeeded,
            ExecutionStatus::Failed,
            ExecutionStatus::TimedOut,
            ExecutionStatus::Aborted,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// A history that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverlayError {
    /// The value is neither an array of events nor an object with an `events` array.
    NoEvents,
    /// The event at this index is not an object with a string `type`.
    BadEvent {
        /// Its index in the array.
        index: usize,
    },
}

impl fmt::Display for OverlayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverlayError::NoEvents => {
                write!(
                    f,
                    "expected an array of history events or an object with \"events\""
                )
            }
            OverlayError::BadEvent { index } => {
                write!(
                    f,
                    "history event {index} is not an object with a string \"type\""
                )
            }
        }
    }
}

impl std::error::Error for OverlayError {}

/// An execution laid over a graph. Build it with [`Overlay::from_history`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    /// The execution's status.
    pub status: ExecutionStatus,
    /// The execution's error, when it failed, timed out or was stopped.
    pub failure: Option<Failure>,
    /// State names in the history that name no state of the graph (another definition's
    /// history, a state of a distributed Map's child execution, ...).
    pub unmatched: Vec<String>,
    nodes: Vec<NodeRun>,
    edges: Vec<u32>,
}

impl Overlay {
    /// Reads a history: an array of events in the shape of `GetExecutionHistory`, or an object
    /// holding them in `events` (`GetExecutionHistory`'s answer, `sfn-local run`'s output,
    /// whose `status` is used when no event ends the execution).
    ///
    /// How events are matched to states is described in [`crate::history`].
    pub fn from_history(graph: &Graph, history: &Value) -> Result<Overlay, OverlayError> {
        let (events, status) = match history {
            Value::Array(events) => (events, None),
            Value::Object(o) => match o.get("events") {
                Some(Value::Array(events)) => (events, o.get("status").and_then(Value::as_str)),
                _ => return Err(OverlayError::NoEvents),
            },
            _ => return Err(OverlayError::NoEvents),
        };
        let mut replay = history::replay(graph, events)?;
        if replay.status == ExecutionStatus::Running {
            replay.status = status
                .and_then(ExecutionStatus::parse)
                .unwrap_or(ExecutionStatus::Running);
        }
        Ok(Overlay::summarise(graph, replay))
    }

    /// How the execution fared at `node`.
    pub fn node(&self, node: NodeId) -> &NodeRun {
        &self.nodes[node.0]
    }

    /// How many times the execution took `edge`.
    pub fn taken(&self, edge: EdgeId) -> u32 {
        self.edges[edge.0]
    }

    /// The outcomes some node has, in order of precedence (for a legend).
    pub fn outcomes(&self) -> Vec<Outcome> {
        Outcome::ALL
            .into_iter()
            .filter(|o| self.nodes.iter().any(|n| n.outcome == *o))
            .collect()
    }

    /// One [`NodeRun`] per node from the entries the replay found.
    fn summarise(graph: &Graph, replay: Replay) -> Overlay {
        let ended = replay.status != ExecutionStatus::Running;
        let mut nodes: Vec<NodeRun> = (0..graph.nodes.len())
            .map(|_| NodeRun {
                outcome: Outcome::NotReached,
                entries: 0,
                failure: None,
            })
            .collect();
        for entry in &replay.entries {
            let outcome = entry.outcome(ended);
            let run = &mut nodes[entry.node.0];
            run.entries += 1;
            if outcome > run.outcome || (outcome == run.outcome && entry.failure.is_some()) {
                run.outcome = outcome;
                run.failure = entry.failure.clone();
            }
        }
        for (i, node) in graph.nodes.iter().enumerate() {
            nodes[i] = match node.kind {
                NodeKind::Join => node.owner.map_or(nodes[i].clone(), |o| nodes[o.0].clone()),
                NodeKind::Start => terminal_run(replay.started, Outcome::Succeeded),
                NodeKind::End => end_run(replay.status, &replay.failure),
                NodeKind::State(_) => nodes[i].clone(),
            };
        }
        Overlay {
            status: replay.status,
            failure: replay.failure,
            unmatched: replay.unmatched,
            nodes,
            edges: replay.edges,
        }
    }
}

fn terminal_run(reached: bool, outcome: Outcome) -> NodeRun {
    NodeRun {
        outcome: if reached {
            outcome
        } else {
            Outcome::NotReached
        },
        entries: u32::from(reached),
        failure: None,
    }
}

/// The End node shows how the execution ended.
fn end_run(status: ExecutionStatus, failure: &Option<Failure>) -> NodeRun {
    let outcome = match status {
        ExecutionStatus::Running => Outcome::NotReached,
        ExecutionStatus::Succeeded => Outcome::Succeeded,
        ExecutionStatus::Failed => Outcome::Failed,
        ExecutionStatus::TimedOut | ExecutionStatus::Aborted => Outcome::Cancelled,
    };
    NodeRun {
        failure: if outcome == Outcome::Succeeded {
            None
        } else {
            failure.clone()
        },
        ..terminal_run(status != ExecutionStatus::Running, outcome)
    }
}
