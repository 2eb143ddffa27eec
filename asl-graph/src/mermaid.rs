//! Mermaid: a `flowchart TD`, clusters as `subgraph`s, Catch edges dashed, and with an
//! execution a `classDef` per outcome and the edges taken drawn thick.

use std::fmt::Write;

use crate::graph::{EdgeId, EdgeKind, Graph, Nest, NodeId, NodeKind, StateType, indent};
use crate::label::{LineKind, node_lines};
use crate::overlay::{Outcome, Overlay};

/// The Mermaid text of `graph` (with `overlay`).
pub fn render(graph: &Graph, overlay: Option<&Overlay>) -> String {
    let mut out = String::from("flowchart TD\n");
    if let Some(o) = overlay {
        let _ = writeln!(out, "    %% execution: {}", o.status.as_str());
    }
    write_nodes(graph, overlay, &mut out);
    for e in &graph.edges {
        let arrow = if matches!(e.kind, EdgeKind::Catch(_)) {
            "-.->"
        } else {
            "-->"
        };
        let label = match &e.label {
            Some(l) => format!("|\"{}\"|", escape(l)),
            None => String::new(),
        };
        let (from, to) = (&graph.node(e.from).key, &graph.node(e.to).key);
        let _ = writeln!(out, "    {from} {arrow}{label} {to}");
    }
    if let Some(o) = overlay {
        write_overlay(graph, o, &mut out);
    }
    out
}

/// The nodes, each Parallel/Map followed by the subgraphs of its clusters.
fn write_nodes(graph: &Graph, overlay: Option<&Overlay>, out: &mut String) {
    for step in graph.nesting() {
        match step {
            Nest::Node(node, depth) => {
                let _ = writeln!(out, "{}{}", indent(depth), node_text(graph, overlay, node));
            }
            Nest::Open(c, depth) => {
                let cluster = graph.cluster(c);
                let _ = writeln!(
                    out,
                    "{}subgraph {}[\"{}\"]\n{}    direction TB",
                    indent(depth),
                    cluster.key,
                    escape(&cluster.label),
                    indent(depth)
                );
            }
            Nest::Close(depth) => {
                let _ = writeln!(out, "{}end", indent(depth));
            }
        }
    }
}

/// `key<open>"label"<close>`, the shape telling the type.
fn node_text(graph: &Graph, overlay: Option<&Overlay>, node: NodeId) -> String {
    let n = graph.node(node);
    let (open, close) = match n.kind {
        NodeKind::Start => ("((", "))"),
        NodeKind::End => ("(((", ")))"),
        NodeKind::Join => return format!("{}((\" \"))", n.key),
        NodeKind::State(StateType::Choice) => ("{", "}"),
        NodeKind::State(StateType::Pass) => ("(", ")"),
        NodeKind::State(StateType::Wait) => ("[/", "/]"),
        NodeKind::State(StateType::Succeed | StateType::Fail) => ("([", "])"),
        NodeKind::State(StateType::Parallel | StateType::Map) => ("[[", "]]"),
        NodeKind::State(StateType::Task) => ("[", "]"),
    };
    let lines: Vec<String> = node_lines(graph, node, overlay)
        .into_iter()
        .map(|(kind, text)| match kind {
            LineKind::Title => format!("<b>{}</b>", escape(&text)),
            LineKind::Detail => format!("<small>{}</small>", escape(&text)),
            LineKind::Error => format!("<i>{}</i>", escape(&text)),
        })
        .collect();
    format!("{}{open}\"{}\"{close}", n.key, lines.join("<br/>"))
}

/// `classDef`s, the class of every node reached, and the edges taken.
fn write_overlay(graph: &Graph, overlay: &Overlay, out: &mut String) {
    for outcome in Outcome::ALL {
        let keys: Vec<&str> = (0..graph.nodes.len())
            .map(NodeId)
            .filter(|n| overlay.node(*n).outcome == outcome)
            .map(|n| graph.node(n).key.as_str())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let (fill, stroke) = outcome.colors();
        let class = class_name(outcome);
        let _ = writeln!(
            out,
            "    classDef {class} fill:{fill},stroke:{stroke},color:#111"
        );
        let _ = writeln!(out, "    class {} {class}", keys.join(","));
    }
    let taken: Vec<String> = (0..graph.edges.len())
        .filter(|i| overlay.taken(EdgeId(*i)) > 0)
        .map(|i| i.to_string())
        .collect();
    if !taken.is_empty() {
        let (_, stroke) = Outcome::Succeeded.colors();
        let _ = writeln!(
            out,
            "    linkStyle {} stroke:{stroke},stroke-width:3px",
            taken.join(",")
        );
    }
}

/// The class of an outcome (`in_progress`).
fn class_name(outcome: Outcome) -> String {
    outcome.as_str().replace('-', "_")
}

/// `text` safe inside a quoted Mermaid label: every character Mermaid or its HTML labels read
/// specially becomes an entity code (`#quot;`, `#35;`, ...).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' | '[' | ']' | '{' | '}' | '(' | ')' | '|' | '`' | ';' | '\'' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape(r#"<script>&"'#[x]{y}(z)|`;"#),
            "#lt;script#gt;#amp;#quot;#39;#35;#91;x#93;#123;y#125;#40;z#41;#124;#96;#59;"
        );
        assert_eq!(escape("a\nb"), "a b");
    }
}
