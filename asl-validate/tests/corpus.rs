//! The real-world corpus in `tests/corpus/` (written by `generate.py` there, from the patterns
//! of AWS's documentation): every file under `clean/` deploys on AWS, so `asl-validate` must
//! report no error on it; every file under `refused/CODE/` is refused by AWS, and must be
//! reported with `CODE`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) {
            out.push(p);
        }
    }
}

/// Runs the CLI on `path` (relative to the corpus) and returns its exit status and findings.
fn check(path: &str) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_asl-validate"))
        .args(["--format", "json", "--severity", "error", path])
        .current_dir(corpus())
        .output()
        .unwrap();
    let findings: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (
        out.status.code().unwrap(),
        findings.as_array().cloned().unwrap_or_default(),
    )
}

#[test]
fn corpus_is_large_enough() {
    let (mut clean, mut refused) = (Vec::new(), Vec::new());
    files(&corpus().join("clean"), &mut clean);
    files(&corpus().join("refused"), &mut refused);
    assert!(clean.len() >= 150, "{} clean files", clean.len());
    assert!(refused.len() >= 20, "{} refused files", refused.len());
}

#[test]
fn clean_definitions_and_templates_get_no_error() {
    let (status, findings) = check("clean");
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(status, 0);
}

#[test]
fn refused_forms_get_their_aws_code() {
    let mut refused = Vec::new();
    files(&corpus().join("refused"), &mut refused);
    let (status, findings) = check("refused");
    assert_eq!(status, 1);
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &findings {
        codes
            .entry(f["file"].as_str().unwrap().to_string())
            .or_default()
            .push(f["code"].as_str().unwrap().to_string());
    }
    for path in refused {
        let rel = path.strip_prefix(corpus()).unwrap();
        let code = rel.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let shown = rel.to_string_lossy();
        let got = codes.get(shown.as_ref()).cloned().unwrap_or_default();
        assert!(
            got.iter().any(|c| c == code),
            "{shown}: expected {code}, got {got:?}"
        );
    }
}
