//! Every definition AWS accepted (the recorded conformance cases) validates without an error.

use std::path::Path;

use asl_validate::{Severity, validate};
use serde_json::Value;

/// Values the conformance runner substitutes before a definition reaches AWS.
fn fill_placeholders(v: &mut Value, placeholders: &serde_json::Map<String, Value>) {
    match v {
        Value::String(s) if placeholders.contains_key(s.as_str()) && s.ends_with("_arn") => {
            *s = "arn:aws:states:us-east-1:123456789012:activity:placeholder".into();
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| fill_placeholders(x, placeholders)),
        Value::Object(m) => m
            .values_mut()
            .for_each(|x| fill_placeholders(x, placeholders)),
        _ => {}
    }
}

#[test]
fn conformance_definitions_have_no_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(def) = case.get("definition") else {
            continue;
        };
        let mut def = def.clone();
        if let Some(p) = case.get("placeholders").and_then(Value::as_object) {
            fill_placeholders(&mut def, p);
        }
        let text = serde_json::to_string_pretty(&def).unwrap();
        checked += 1;
        for d in validate(&text) {
            if d.severity() == Severity::Error {
                failures.push(format!(
                    "{}: {} {} at {}",
                    path.file_name().unwrap().to_string_lossy(),
                    d.code,
                    d.message,
                    d.location()
                ));
            }
        }
    }
    eprintln!("{checked} conformance definitions checked");
    assert!(
        failures.is_empty(),
        "{} errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 0);
}
