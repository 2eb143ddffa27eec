//! Graphviz DOT: a `digraph`, clusters as `subgraph cluster_N`, Catch edges dashed, and with
//! an execution a fill colour per outcome and the edges taken drawn thick.

use std::fmt::Write;

use crate::graph::{EdgeId, EdgeKind, Graph, Nest, NodeId, NodeKind, StateType, indent};
use crate::label::node_lines;
use crate::overlay::{Outcome, Overlay};

/// The DOT text of `graph` (with `overlay`).
pub fn render(graph: &Graph, overlay: Option<&Overlay>) -> String {
    let mut out = String::from("digraph \"state machine\" {\n");
    out.push_str("    graph [fontname=\"Helvetica\", fontsize=11, rankdir=TB];\n");
    out.push_str("    node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded\"];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    if let Some(o) = overlay {
        let _ = writeln!(
            out,
            "    label=\"execution: {}\";\n    labelloc=t;",
            o.status.as_str()
        );
    }
    write_nodes(graph, overlay, &mut out);
    for (i, e) in graph.edges.iter().enumerate() {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", escape(l)));
        }
        if matches!(e.kind, EdgeKind::Catch(_)) {
            attrs.push("style=dashed".to_string());
        }
        if let Some(o) = overlay {
            if o.taken(EdgeId(i)) > 0 {
                let (_, stroke) = Outcome::Succeeded.colors();
                attrs.push(format!("color=\"{stroke}\", penwidth=2.5"));
            } else {
                attrs.push("color=\"#a1a1aa\"".to_string());
            }
        }
        let (from, to) = (&graph.node(e.from).key, &graph.node(e.to).key);
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "    \"{from}\" -> \"{to}\"{attrs};");
    }
    out.push_str("}\n");
    out
}

/// The nodes, each Parallel/Map followed by the clusters it runs.
fn write_nodes(graph: &Graph, overlay: Option<&Overlay>, out: &mut String) {
    for step in graph.nesting() {
        match step {
            Nest::Node(node, depth) => {
                let _ = writeln!(out, "{}{}", indent(depth), node_text(graph, overlay, node));
            }
            Nest::Open(c, depth) => {
                let i = indent(depth);
                let _ = writeln!(
                    out,
                    "{i}subgraph cluster_{} {{\n{i}    label=\"{}\";\n{i}    style=\"rounded,dashed\";\n{i}    color=\"#71717a\";",
                    c.0,
                    escape(&graph.cluster(c).label)
                );
            }
            Nest::Close(depth) => {
                let _ = writeln!(out, "{}}}", indent(depth));
            }
        }
    }
}

/// `"key" [label=..., shape=...]`.
fn node_text(graph: &Graph, overlay: Option<&Overlay>, node: NodeId) -> String {
    let n = graph.node(node);
    let shape = match n.kind {
        NodeKind::Start => "shape=circle",
        NodeKind::End => "shape=doublecircle",
        NodeKind::Join => "shape=circle, width=0.15, fixedsize=true",
        NodeKind::State(StateType::Choice) => "shape=diamond",
        NodeKind::State(StateType::Wait) => "shape=parallelogram",
        NodeKind::State(StateType::Succeed | StateType::Fail) => "peripheries=2",
        NodeKind::State(StateType::Parallel | StateType::Map) => "shape=box3d",
        NodeKind::State(StateType::Task | StateType::Pass) => "",
    };
    let lines: Vec<String> = node_lines(graph, node, overlay)
        .into_iter()
        .map(|(_, text)| escape(&text))
        .collect();
    let mut attrs = vec![format!("label=\"{}\"", lines.join("\\n"))];
    if !shape.is_empty() {
        attrs.push(shape.to_string());
    }
    if let Some(o) = overlay {
        let (fill, stroke) = o.node(node).outcome.colors();
        let style = if n.kind == NodeKind::State(StateType::Task) {
            "filled"
        } else {
            "rounded,filled"
        };
        attrs.push(format!(
            "style=\"{style}\", fillcolor=\"{fill}\", color=\"{stroke}\""
        ));
    }
    format!("\"{}\" [{}];", n.key, attrs.join(", "))
}

/// `text` safe inside a DOT quoted string: `\` and `"` escaped (a backslash would otherwise
/// start one of Graphviz's label escapes), control characters as spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
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
    fn escapes_quotes_and_backslashes() {
        assert_eq!(escape(r#"a"b\n<c>"#), r#"a\"b\\n<c>"#);
        assert_eq!(escape("x\ny"), "x y");
    }
}
