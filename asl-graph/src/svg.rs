//! A self-contained SVG: laid out by [`crate::layout`] (no external program), styled by an
//! embedded style sheet that follows the system's light or dark setting, with no script, no
//! external font and no link. Every text from a definition or a history is escaped, so a
//! state named `<script>` is drawn as those characters.
//!
//! Each state is a `<g class="node ...">` with `data-state` (its name) and `data-id` (its
//! place in the definition: `States.A`, `States.M.ItemProcessor.States.B`), so that a page
//! embedding the picture can find a state's shape; with an execution each also has the
//! outcome's class (`succeeded`, `failed`, ...) and a legend lists the outcomes present.

use std::fmt::Write;

use crate::graph::{EdgeKind, Graph, NodeId, NodeKind, StateType};
use crate::label::{LineKind, node_lines};
use crate::layout::{self, Point, Rect, Size};
use crate::overlay::{Outcome, Overlay};

/// Width of a character of the node font (12 px sans-serif), on average, generously.
const CHAR_W: f64 = 7.4;
/// Width of a character of the edge-label font (11 px).
const LABEL_CHAR_W: f64 = 6.2;
/// Height of a line of text.
const LINE_H: f64 = 16.0;
/// Space between a node's border and its text.
const NODE_PAD: f64 = 10.0;
/// Diameter of the start and end circles.
const TERMINAL: f64 = 22.0;
/// Diameter of a Parallel's or Map's exit.
const JOIN: f64 = 10.0;

const STYLE: &str = r#"
svg { font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
.bg { fill: #ffffff; }
.node rect, .node polygon, .node circle { fill: #ffffff; stroke: #52525b; stroke-width: 1.2; }
.node .title { font-size: 12px; font-weight: 600; fill: #18181b; }
.node .detail { font-size: 11px; fill: #52525b; }
.node .error { font-size: 11px; fill: #b91c1c; }
.terminal circle { fill: #27272a; stroke: #27272a; }
.join circle { fill: #a1a1aa; stroke: #a1a1aa; }
.cluster rect { fill: none; stroke: #a1a1aa; stroke-dasharray: 5 3; }
.cluster text { font-size: 11px; fill: #71717a; }
.edge path { fill: none; stroke: #71717a; stroke-width: 1.2; }
.edge.catch path { stroke-dasharray: 5 3; stroke: #ea580c; }
.edge.taken path { stroke: #16a34a; stroke-width: 2.4; }
.edge.untaken path { stroke: #d4d4d8; }
.edge text { font-size: 11px; fill: #3f3f46; }
.edge rect { fill: #ffffff; opacity: 0.9; }
.arrow { fill: #71717a; }
.succeeded rect, .succeeded polygon { fill: #dcfce7; stroke: #16a34a; }
.retried rect, .retried polygon { fill: #fef9c3; stroke: #ca8a04; }
.caught rect, .caught polygon { fill: #ffedd5; stroke: #ea580c; }
.in-progress rect, .in-progress polygon { fill: #dbeafe; stroke: #2563eb; }
.cancelled rect, .cancelled polygon { fill: #e5e7eb; stroke: #4b5563; }
.failed rect, .failed polygon { fill: #fee2e2; stroke: #dc2626; stroke-width: 2; }
.not-reached rect, .not-reached polygon { fill: #fafafa; stroke: #d4d4d8; }
.not-reached .title, .not-reached .detail { fill: #a1a1aa; }
.legend text { font-size: 11px; fill: #3f3f46; }
@media (prefers-color-scheme: dark) {
  .bg { fill: #18181b; }
  .node rect, .node polygon, .node circle { fill: #27272a; stroke: #a1a1aa; }
  .node .title { fill: #f4f4f5; }
  .node .detail { fill: #a1a1aa; }
  .node .error { fill: #fca5a5; }
  .terminal circle { fill: #e4e4e7; stroke: #e4e4e7; }
  .edge path { stroke: #a1a1aa; }
  .edge.untaken path { stroke: #3f3f46; }
  .edge text, .legend text, .cluster text { fill: #d4d4d8; }
  .edge rect { fill: #18181b; }
  .arrow { fill: #a1a1aa; }
  .succeeded rect, .succeeded polygon { fill: #14532d; stroke: #4ade80; }
  .retried rect, .retried polygon { fill: #713f12; stroke: #facc15; }
  .caught rect, .caught polygon { fill: #7c2d12; stroke: #fb923c; }
  .in-progress rect, .in-progress polygon { fill: #1e3a8a; stroke: #60a5fa; }
  .cancelled rect, .cancelled polygon { fill: #374151; stroke: #9ca3af; }
  .failed rect, .failed polygon { fill: #7f1d1d; stroke: #f87171; }
  .not-reached rect, .not-reached polygon { fill: #18181b; stroke: #3f3f46; }
}
"#;

/// The SVG text of `graph` (with `overlay`).
pub fn render(graph: &Graph, overlay: Option<&Overlay>) -> String {
    let lines: Vec<Vec<(LineKind, String)>> = (0..graph.nodes.len())
        .map(|i| node_lines(graph, NodeId(i), overlay))
        .collect();
    let sizes: Vec<Size> = graph
        .nodes
        .iter()
        .zip(&lines)
        .map(|(n, text)| node_size(n.kind, text))
        .collect();
    let labels: Vec<Option<Size>> = graph
        .edges
        .iter()
        .map(|e| e.label.as_deref().map(label_size))
        .collect();
    let geometry = layout::layout(graph, &sizes, &labels);
    let legend: Vec<Outcome> = overlay.map(Overlay::outcomes).unwrap_or_default();
    let legend_h = if legend.is_empty() { 0.0 } else { 28.0 };
    let width = geometry
        .size
        .w
        .max(legend_width(&legend) + 2.0 * layout::MARGIN);
    let height = geometry.size.h + legend_h;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">"#,
        w = num(width),
        h = num(height)
    );
    let title = match overlay {
        Some(o) => format!("state machine, execution {}", o.status.as_str()),
        None => "state machine".to_string(),
    };
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrow\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n",
    );
    let _ = writeln!(
        out,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/>"#,
        num(width),
        num(height)
    );
    for (i, c) in graph.clusters.iter().enumerate() {
        let r = geometry.clusters[i];
        let _ = writeln!(
            out,
            r#"<g class="cluster" data-id="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="8"/><text x="{}" y="{}">{}</text></g>"#,
            escape(&c.id),
            num(r.at.x),
            num(r.at.y),
            num(r.size.w),
            num(r.size.h),
            num(r.at.x + 8.0),
            num(r.at.y + 14.0),
            escape(&c.label)
        );
    }
    for (i, e) in graph.edges.iter().enumerate() {
        let points = &geometry.edges[i];
        if points.len() < 2 {
            continue;
        }
        let mut class = String::from("edge");
        if matches!(e.kind, EdgeKind::Catch(_)) {
            class.push_str(" catch");
        }
        if let Some(o) = overlay {
            class.push_str(if o.taken(crate::graph::EdgeId(i)) > 0 {
                " taken"
            } else {
                " untaken"
            });
        }
        let _ = write!(
            out,
            r#"<g class="{class}"><path d="{}" marker-end="url(#arrow)"/>"#,
            path(points)
        );
        if let (Some(text), Some(at)) = (&e.label, geometry.labels[i]) {
            let s = label_size(text);
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3"/><text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(at.x - s.w / 2.0),
                num(at.y - s.h / 2.0),
                num(s.w),
                num(s.h),
                num(at.x),
                num(at.y + 4.0),
                escape(text)
            );
        }
        out.push_str("</g>\n");
    }
    for (i, n) in graph.nodes.iter().enumerate() {
        let rect = Rect {
            at: geometry.nodes[i].at,
            size: sizes[i],
        };
        node(
            &mut out,
            n.kind,
            &n.name,
            &n.id,
            rect,
            &lines[i],
            overlay.map(|o| o.node(NodeId(i)).outcome),
        );
    }
    if !legend.is_empty() {
        let y = geometry.size.h + 8.0;
        let mut x = layout::MARGIN;
        out.push_str("<g class=\"legend\">");
        for o in legend {
            let _ = write!(
                out,
                r#"<g class="node {}"><rect x="{}" y="{}" width="12" height="12" rx="2"/></g><text x="{}" y="{}">{}</text>"#,
                o.as_str(),
                num(x),
                num(y),
                num(x + 16.0),
                num(y + 10.0),
                o.title()
            );
            x += legend_item_width(o);
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// One node's shape and text.
fn node(
    out: &mut String,
    kind: NodeKind,
    name: &str,
    id: &str,
    r: Rect,
    lines: &[(LineKind, String)],
    outcome: Option<Outcome>,
) {
    let (class, shape) = match kind {
        NodeKind::Start => ("terminal start", Shape::Circle),
        NodeKind::End => ("terminal end", Shape::Circle),
        NodeKind::Join => ("join", Shape::Circle),
        NodeKind::State(StateType::Choice) => ("state choice", Shape::Hexagon),
        NodeKind::State(t) => (state_class(t), Shape::Box),
    };
    let outcome = match (kind, outcome) {
        (NodeKind::State(_), Some(o)) => format!(" {}", o.as_str()),
        _ => String::new(),
    };
    let _ = write!(
        out,
        r#"<g class="node {class}{outcome}" data-state="{}" data-id="{}">"#,
        escape(name),
        escape(id)
    );
    let tooltip: Vec<&str> = lines.iter().map(|(_, t)| t.as_str()).collect();
    let _ = write!(out, "<title>{}</title>", escape(&tooltip.join("\n")));
    let (x, y, w, h) = (r.at.x, r.at.y, r.size.w, r.size.h);
    match shape {
        Shape::Circle => {
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="{}"/>"#,
                num(x + w / 2.0),
                num(y + h / 2.0),
                num(w / 2.0)
            );
        }
        Shape::Box => {
            let radius = if matches!(kind, NodeKind::State(StateType::Task)) {
                3.0
            } else {
                10.0
            };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{radius}"/>"#,
                num(x),
                num(y),
                num(w),
                num(h)
            );
            if matches!(kind, NodeKind::State(StateType::Succeed | StateType::Fail)) {
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="7"/>"#,
                    num(x + 3.0),
                    num(y + 3.0),
                    num(w - 6.0),
                    num(h - 6.0)
                );
            }
        }
        Shape::Hexagon => {
            let k = 10.0;
            let _ = write!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}"/>"#,
                num(x + k),
                num(y),
                num(x + w - k),
                num(y),
                num(x + w),
                num(y + h / 2.0),
                num(x + w - k),
                num(y + h),
                num(x + k),
                num(y + h),
                num(x),
                num(y + h / 2.0)
            );
        }
    }
    if matches!(kind, NodeKind::State(_)) {
        for (i, (line, text)) in lines.iter().enumerate() {
            let class = match line {
                LineKind::Title => "title",
                LineKind::Detail => "detail",
                LineKind::Error => "error",
            };
            let _ = write!(
                out,
                r#"<text class="{class}" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(x + w / 2.0),
                num(y + NODE_PAD + LINE_H * (i as f64 + 1.0) - 4.0),
                escape(text)
            );
        }
    }
    out.push_str("</g>\n");
}

enum Shape {
    Circle,
    Box,
    Hexagon,
}

fn state_class(t: StateType) -> &'static str {
    match t {
        StateType::Task => "state task",
        StateType::Pass => "state pass",
        StateType::Wait => "state wait",
        StateType::Choice => "state choice",
        StateType::Succeed => "state succeed",
        StateType::Fail => "state fail",
        StateType::Parallel => "state parallel",
        StateType::Map => "state map",
    }
}

/// A node's size from its kind and text.
fn node_size(kind: NodeKind, lines: &[(LineKind, String)]) -> Size {
    match kind {
        NodeKind::Start | NodeKind::End => Size {
            w: TERMINAL,
            h: TERMINAL,
        },
        NodeKind::Join => Size { w: JOIN, h: JOIN },
        NodeKind::State(t) => {
            let chars = lines
                .iter()
                .map(|(_, t)| t.chars().count())
                .max()
                .unwrap_or(0);
            let extra = if t == StateType::Choice { 20.0 } else { 0.0 };
            Size {
                w: (chars as f64 * CHAR_W + 2.0 * NODE_PAD + extra).max(80.0),
                h: lines.len() as f64 * LINE_H + 2.0 * NODE_PAD - 4.0,
            }
        }
    }
}

/// An edge label's box.
fn label_size(text: &str) -> Size {
    Size {
        w: text.chars().count() as f64 * LABEL_CHAR_W + 8.0,
        h: LINE_H,
    }
}

fn legend_item_width(o: Outcome) -> f64 {
    16.0 + o.title().len() as f64 * LABEL_CHAR_W + 18.0
}

fn legend_width(legend: &[Outcome]) -> f64 {
    legend.iter().map(|o| legend_item_width(*o)).sum()
}

/// An SVG path through `points`.
fn path(points: &[Point]) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{},{}",
            if i == 0 { "M" } else { " L" },
            num(p.x),
            num(p.y)
        );
    }
    d
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `text` safe in SVG (XML) text and attribute values; control characters become spaces
/// (XML 1.0 cannot hold most of them at all).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1}b\nc"), "a b&#10;c");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(3.04), "3");
        assert_eq!(num(3.25), "3.3");
        assert_eq!(num(-0.5), "-0.5");
    }
}
