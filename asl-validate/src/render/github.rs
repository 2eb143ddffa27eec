//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use crate::codes::Severity;
use crate::source::Report;

pub(crate) fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        for l in &r.diagnostics {
            let d = &l.diag;
            let kind = match d.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = format!("file={}", property(&r.file));
            if let Some(at) = l.at {
                props.push_str(&format!(",line={},col={}", at.line, at.column));
            }
            props.push_str(&format!(",title={}", property(d.code.as_str())));
            let msg = format!("{} (at {})", d.message, d.location());
            out.push_str(&format!("::{kind} {props}::{}\n", data(&msg)));
        }
    }
    out
}

/// Escaping of the message part, as the runner expects it.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (`:` and `,` separate properties).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
