//! Machine output: a JSON array, one object per finding, with AWS's field names
//! (`severity`, `code`, `message`, `location`) plus the file position.

use serde_json::{Value, json};

use crate::source::Report;

pub(crate) fn render(reports: &[Report]) -> String {
    let items: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |l| {
                json!({
                    "file": r.file,
                    "definition": r.definition,
                    "line": l.at.map(|a| a.line),
                    "column": l.at.map(|a| a.column),
                    "severity": l.diag.severity().as_str(),
                    "code": l.diag.code.as_str(),
                    "message": l.diag.message,
                    "location": l.diag.location(),
                })
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_default();
    s.push('\n');
    s
}
