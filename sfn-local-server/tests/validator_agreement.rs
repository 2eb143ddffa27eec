//! One engine: the same verdicts from `sfn-local validate` (the `asl-validate` CLI), the
//! `ValidateStateMachineDefinition` API and `CreateStateMachine`, on every plain definition of
//! asl-validate's real-world corpus (`asl-validate/tests/corpus/`, clean and refused).
//!
//! Files with `${...}` placeholders are left out: they are template fragments (a SAM
//! `DefinitionUri`), which the CLI reads with their substitutions to come, while the API is
//! given a definition as AWS would be, placeholders and all.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{call, spawn};
use serde_json::{Value, json};

fn definitions(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            definitions(&p, out);
        } else if p.to_string_lossy().ends_with(".asl.json") {
            out.push(p);
        }
    }
}

/// The error codes the CLI reports for `file`.
fn cli_errors(file: &Path) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args([
            "validate",
            "--format",
            "json",
            "--severity",
            "error",
            "--aws-only",
        ])
        .arg(file)
        .output()
        .unwrap();
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: BTreeSet<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        out.status.code(),
        Some(i32::from(!codes.is_empty())),
        "{}",
        file.display()
    );
    codes
}

fn has_errors(codes: &BTreeSet<String>) -> bool {
    !codes.is_empty()
}

#[test]
fn cli_validate_api_and_create_agree_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../asl-validate/tests/corpus");
    let mut files = Vec::new();
    definitions(&corpus, &mut files);
    files.sort();
    assert!(files.len() >= 150, "{} definitions", files.len());
    let mut compared = 0;
    let server = spawn(&["--in-memory"]);
    let mut disagreements = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let definition = std::fs::read_to_string(file).unwrap();
        if definition.contains("${") {
            continue;
        }
        let shown = file.strip_prefix(&corpus).unwrap().display().to_string();
        let cli = cli_errors(file);
        compared += 1;

        let (status, v) = call(
            &server.endpoint,
            "ValidateStateMachineDefinition",
            json!({"definition": definition}),
        );
        assert_eq!(status, 200, "{shown}: {v}");
        let api: BTreeSet<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "ERROR")
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect();
        let api_failed = v["result"] == "FAIL";

        let (status, created) = call(
            &server.endpoint,
            "CreateStateMachine",
            json!({"name": format!("corpus-{i}"), "definition": definition,
                   "roleArn": "arn:aws:iam::123456789012:role/r"}),
        );
        let create_refused = status != 200;
        let refusal = created["message"].as_str().unwrap_or_default();
        if create_refused {
            let kind = created["__type"].as_str().unwrap_or_default();
            assert!(kind.ends_with("InvalidDefinition"), "{shown}: {created}");
        }

        let agree = cli == api
            && api_failed == has_errors(&api)
            && create_refused == has_errors(&cli)
            && cli.iter().all(|c| refusal.contains(c.as_str()));
        if !agree {
            disagreements.push(format!(
                "{shown}: cli {cli:?}, validate {api:?} ({}), create {}",
                v["result"],
                if create_refused { refusal } else { "OK" }
            ));
        }
    }
    assert!(compared >= 150, "{compared} definitions compared");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
