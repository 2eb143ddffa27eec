//! The text drawn on a node, shared by every renderer: the name, the type with a Task's
//! resource, the retriers, a Fail state's error, and, with an execution, the entry count and
//! the error that failed the state.

use crate::graph::{Graph, NodeId, NodeKind, StateType};
use crate::overlay::{Outcome, Overlay};

/// The longest label, in characters, including the final `…`.
pub const MAX_LABEL_CHARS: usize = 60;

/// `text` cut to [`MAX_LABEL_CHARS`] characters, ending in `…` when cut. Line breaks become
/// spaces: a label is one line.
pub fn truncate(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= MAX_LABEL_CHARS {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX_LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A Task's `Resource`, short: `lambda:invoke` for `arn:aws:states:::lambda:invoke`,
/// `function:f` for a Lambda function's ARN, `activity:a` for an activity's.
pub fn resource_label(resource: &str) -> String {
    let form = asl_core::resource::integration_form(resource);
    if let Some((_, rest)) = form.split_once(":states:::") {
        return truncate(rest);
    }
    for kind in [":function:", ":activity:"] {
        if let Some(at) = form.find(kind) {
            return truncate(&form[at + 1..]);
        }
    }
    truncate(&form)
}

/// What a line of a node's text says, for renderers that style them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The state name.
    Title,
    /// The type and resource, the retriers, a Fail state's error.
    Detail,
    /// With an execution: the error that failed the state.
    Error,
}

/// The lines of text of a node, first the title.
pub fn node_lines(
    graph: &Graph,
    node: NodeId,
    overlay: Option<&Overlay>,
) -> Vec<(LineKind, String)> {
    let n = graph.node(node);
    let mut lines = vec![(LineKind::Title, title(graph, node, overlay))];
    if let NodeKind::State(ty) = n.kind {
        let detail = match &n.resource {
            Some(r) => format!("{}: {r}", ty.as_str()),
            None => ty.as_str().to_string(),
        };
        lines.push((LineKind::Detail, detail));
        for r in &n.retry {
            let errors = truncate(&r.errors.join(", "));
            lines.push((
                LineKind::Detail,
                format!("retry {errors} (max {})", r.max_attempts),
            ));
        }
        if let (StateType::Fail, Some(e)) = (ty, &n.fail_error) {
            lines.push((LineKind::Detail, format!("error: {e}")));
        }
    }
    if let Some(error) = overlay.and_then(|o| failure_caption(o, node)) {
        lines.push((LineKind::Error, error));
    }
    lines
}

/// The name, with `×N` when an execution entered the state more than once.
fn title(graph: &Graph, node: NodeId, overlay: Option<&Overlay>) -> String {
    let n = graph.node(node);
    let name = match n.kind {
        NodeKind::Join => return String::new(),
        NodeKind::State(_) => truncate(&n.name),
        _ => n.name.clone(),
    };
    match overlay.map(|o| o.node(node).entries) {
        Some(count) if count > 1 => format!("{name} ×{count}"),
        _ => name,
    }
}

/// `error: cause` of a state that failed (or whose failure was caught).
fn failure_caption(overlay: &Overlay, node: NodeId) -> Option<String> {
    let run = overlay.node(node);
    if !matches!(run.outcome, Outcome::Failed | Outcome::Caught) {
        return None;
    }
    let failure = run.failure.as_ref()?;
    let text = match (&failure.error, &failure.cause) {
        (Some(e), Some(c)) if !c.is_empty() => format!("{e}: {c}"),
        (Some(e), _) => e.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => return None,
    };
    Some(truncate(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_shortened() {
        assert_eq!(
            resource_label("arn:aws:states:::lambda:invoke"),
            "lambda:invoke"
        );
        assert_eq!(
            resource_label("arn:aws:states:us-east-1:123456789012:ecs:runTask.sync"),
            "ecs:runTask.sync"
        );
        assert_eq!(
            resource_label("arn:aws:lambda:us-east-1:123456789012:function:f:1"),
            "function:f:1"
        );
        assert_eq!(
            resource_label("arn:aws:states:us-east-1:123456789012:activity:work"),
            "activity:work"
        );
        assert_eq!(resource_label("something else"), "something else");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("a\nb"), "a b");
        let long = "é".repeat(100);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), MAX_LABEL_CHARS);
        assert!(cut.ends_with('…'));
    }
}
