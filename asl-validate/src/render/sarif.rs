//! SARIF 2.1.0: one run, the tool's rules (every code), and one result per finding.

use serde_json::{Value, json};

use crate::codes::{Code, Severity};
use crate::source::Report;

pub(crate) fn render(reports: &[Report]) -> String {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.summary()},
                "defaultConfiguration": {"level": level(c.severity())},
            })
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |l| {
                let mut physical = json!({"artifactLocation": {"uri": r.file.replace('\\', "/")}});
                if let Some(at) = l.at {
                    physical["region"] = json!({"startLine": at.line, "startColumn": at.column});
                }
                json!({
                    "ruleId": l.diag.code.as_str(),
                    "ruleIndex": Code::ALL.iter().position(|c| *c == l.diag.code),
                    "level": level(l.diag.severity()),
                    "message": {"text": l.diag.message},
                    "locations": [{
                        "physicalLocation": physical,
                        "logicalLocations": [{"fullyQualifiedName": l.diag.location(), "kind": "member"}],
                    }],
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "asl-validate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
