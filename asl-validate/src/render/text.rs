//! Human output: `file:line:col: severity[CODE] message`, the line, and a caret under the
//! problem, then a one-line summary.

use std::fmt::Write;

use crate::codes::Severity;
use crate::source::Report;

pub(crate) fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    for r in reports {
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
                && let Some(line) = r.source.lines().nth(at.line - 1)
            {
                let gutter = " ".repeat(at.line.to_string().len());
                let line = line.trim_end();
                let width = token_width(line, at.column);
                let (shown, column) = window(line, at.column);
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

/// The part of `line` to show, and where `column` is in it.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_LINE {
        return (line.to_string(), column.max(1));
    }
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(MAX_LINE / 3);
    let end = (start + MAX_LINE).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push_str("...");
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    let lead = if start > 0 { 3 } else { 0 };
    (shown, at - start + lead + 1)
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// How many characters the caret should cover: the quoted key or the bare token at `column`.
fn token_width(line: &str, column: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(column.saturating_sub(1)).collect();
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
        assert_eq!(window("short", 3), ("short".to_string(), 3));
        let line = format!("{}X{}", "a".repeat(300), "b".repeat(300));
        let (shown, column) = window(&line, 301);
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
        assert!(shown.chars().count() <= 126);
    }
}
