//! # asl-graph: state machines as pictures
//!
//! Draws an Amazon States Language definition, and optionally one of its executions laid
//! over it, as Mermaid, Graphviz DOT or a self-contained SVG.
//!
//! ## Layout
//! The pipeline: [`asl_core::StateMachine`] -> [`Graph`] (+ a history -> [`Overlay`]) ->
//! [`render`] in a [`Format`].
//! - [`graph`]: the graph model (nodes, edges, clusters for nested workflows) built from the
//!   typed model; `choice_label` writes Choice rules compactly, `label` the text of nodes.
//! - [`overlay`]: an execution over the graph (outcome and entry count per state, edges taken),
//!   read from a `GetExecutionHistory`-shaped history by `history`.
//! - `mermaid`, `dot`, `svg`: one renderer per format; `layout` places nodes for the SVG
//!   (layered, Sugiyama-style, clusters laid out recursively as boxes).
//!
//! ```
//! use asl_core::StateMachine;
//! use asl_graph::{Format, Graph, Overlay, render};
//!
//! let sm = StateMachine::from_str(
//!     r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}"#,
//! )
//! .unwrap();
//! let graph = Graph::from_machine(&sm);
//! let history = serde_json::json!({"events": [
//!     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
//!     {"id": 2, "previousEventId": 1, "type": "PassStateEntered",
//!      "stateEnteredEventDetails": {"name": "A"}},
//! ]});
//! let overlay = Overlay::from_history(&graph, &history).unwrap();
//! let mermaid = render(&graph, Some(&overlay), Format::Mermaid);
//! assert!(mermaid.starts_with("flowchart TD"));
//! assert!(render(&graph, None, Format::Svg).starts_with("<svg"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod choice_label;
mod dot;
pub mod graph;
mod history;
mod label;
mod layout;
mod mermaid;
pub mod overlay;
mod svg;

use std::fmt;
use std::str::FromStr;

pub use graph::{Graph, NodeId};
pub use overlay::{ExecutionStatus, Failure, NodeRun, Outcome, Overlay, OverlayError};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid `flowchart TD`.
    Mermaid,
    /// A Graphviz `digraph`.
    Dot,
    /// A self-contained SVG image.
    Svg,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Mermaid, Format::Dot, Format::Svg];

    /// The usual file extension (`mmd`, `dot`, `svg`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mermaid => "mmd",
            Format::Dot => "dot",
            Format::Svg => "svg",
        }
    }

    /// The format a file name's extension suggests (`graph.svg`, `flow.mermaid`, `x.gv`).
    pub fn from_path(path: &str) -> Option<Format> {
        let (_, ext) = path.rsplit_once('.')?;
        ext.parse().ok()
    }
}

/// A format name nobody knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format {:?} (expected mermaid, dot or svg)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// A format by name or extension, in any case: `mermaid`/`mmd`/`md`, `dot`/`gv`/`graphviz`,
    /// `svg`.
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.to_ascii_lowercase().as_str() {
            "mermaid" | "mmd" | "md" => Ok(Format::Mermaid),
            "dot" | "gv" | "graphviz" => Ok(Format::Dot),
            "svg" => Ok(Format::Svg),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// `graph`, with `overlay` laid over it when given, in `format`.
///
/// The output depends only on the arguments: the same input gives the same bytes.
pub fn render(graph: &Graph, overlay: Option<&Overlay>, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid::render(graph, overlay),
        Format::Dot => dot::render(graph, overlay),
        Format::Svg => svg::render(graph, overlay),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_path() {
        assert_eq!("SVG".parse(), Ok(Format::Svg));
        assert_eq!("mermaid".parse(), Ok(Format::Mermaid));
        assert_eq!("gv".parse(), Ok(Format::Dot));
        assert!("png".parse::<Format>().is_err());
        assert_eq!(Format::from_path("out/flow.mmd"), Some(Format::Mermaid));
        assert_eq!(Format::from_path("a.b/graph.dot"), Some(Format::Dot));
        assert_eq!(Format::from_path("noext"), None);
        for f in Format::ALL {
            assert_eq!(f.extension().parse(), Ok(f));
        }
    }
}
