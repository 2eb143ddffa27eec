//! Human output: `file:line:col: severity[CODE] message`, the line, and a caret under the
//! problem, then a one-line summary.

use std::fmt::Write;
use std::sync::Arc;

use asl_core::parse::{LineCol, LineIndex};

use crate::codes::Severity;
use crate::source::Report;

pub(crate) fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    // The lines of the file being shown, indexed once (the reports of one file share its text).
    let mut index: Option<(Arc<str>, LineIndex<'_>)> = None;
    for r in reports {
        if !index
            .as_ref()
            .is_some_and(|(s, _)| Arc::ptr_eq(s, &r.source))
        {
            index = Some((r.source.clone(), LineIndex::new(&r.source)));
        }
        for l in &r.diagnostics {
            let d = &l.diag;
            match d.severity() {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            let sev = match d.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let place = match l.at {
                Some(at) => format!("{}:{}:{}", r.file, at.line, at.column),
                None => r.file.clone(),
            };
            let _ = writeln!(out, "{place}: {sev}[{}] {}", d.code, d.message);
            let within = r
                .definition
                .as_deref()
                .map(|n| format!(" (in {n})"))
                .unwrap_or_default();
            let _ = writeln!(out, "  --> {}{within}", d.location());
            if let Some(at) = l.at
                && let Some((_, lines)) = &index
                && let Some(line) = lines.line(at.line)
            {
                let gutter = " ".repeat(at.line.to_string().len());
                let line = line.trim_end();
                let start = lines.offset(LineCol {
                    line: at.line,
                    column: 1,
                });
                let byte = match (start, lines.offset(at)) {
                    (Some(start), Some(o)) => (o - start).min(line.len()),
                    _ => line.len(),
                };
                let width = token_width(&line[byte..]);
                let (shown, column) = window(line, byte);
                let width = width.min(shown.chars().count().saturating_sub(column - 1).max(1));
                let _ = writeln!(out, "{gutter} |");
                let _ = writeln!(out, "{} | {shown}", at.line);
                let _ = writeln!(
                    out,
                    "{gutter} | {}{}",
                    " ".repeat(column - 1),
                    "^".repeat(width)
                );
            }
            out.push('\n');
        }
    }
    let defs = reports.len();
    let _ = writeln!(
        out,
        "{} in {defs} definition{}.",
        match (errors, warnings) {
            (0, 0) => "No problems".to_string(),
            _ => format!(
                "{errors} error{}, {warnings} warning{}",
                s(errors),
                s(warnings)
            ),
        },
        s(defs)
    );
    out
}

/// The longest source line shown whole; a longer one (a CDK template keeps a whole definition on
/// one line) is cut to a window around the column, marked with `...`.
const MAX_LINE: usize = 120;

/// The part of `line` to show, and where byte `at` of it is in it (a column, from 1). Only the
/// characters around `at` are looked at, so a megabyte-long line costs no more than a short one.
fn window(line: &str, at: usize) -> (String, usize) {
    let column = line[..at].chars().rev().take(MAX_LINE + 1).count() + 1;
    if line.chars().nth(MAX_LINE).is_none() {
        return (line.to_string(), column);
    }
    let start = line[..at]
        .char_indices()
        .rev()
        .take(MAX_LINE / 3)
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .nth(MAX_LINE)
        .map_or(line.len(), |(i, _)| start + i);
    let mut shown = String::new();
    if start > 0 {
        shown.push_str("...");
    }
    shown.push_str(&line[start..end]);
    if end < line.len() {
        shown.push_str("...");
    }
    let lead = if start > 0 { 3 } else { 0 };
    (shown, line[start..at].chars().count() + lead + 1)
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// How many characters the caret should cover: the quoted key or the bare token that `rest`
/// starts with (no more than a shown line).
fn token_width(rest: &str) -> usize {
    let rest: Vec<char> = rest.chars().take(MAX_LINE + 1).collect();
    let n = match rest.first() {
        Some('"') => {
            let mut i = 1;
            while i < rest.len() && rest[i] != '"' {
                i += if rest[i] == '\\' { 2 } else { 1 };
            }
            (i + 1).min(rest.len())
        }
        Some(_) => rest
            .iter()
            .take_while(|c| !matches!(c, ':' | ',' | '}' | ']' | ' ' | '{' | '['))
            .count(),
        None => 1,
    };
    n.max(1)
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        assert_eq!(window("short", 2), ("short".to_string(), 3));
        let line = format!("{}X{}", "é".repeat(300), "b".repeat(300));
        let (shown, column) = window(&line, 600);
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
        assert!(shown.chars().count() <= 126);
    }
}
