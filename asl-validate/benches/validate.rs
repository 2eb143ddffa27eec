//! `cargo bench -p asl-validate`: how long a thousand definitions take to validate, then how
//! long definitions of extreme shapes take (deep, wide, long, a mebibyte of one byte, YAML).
//!
//! Uses the conformance definitions when `../shared/conformance/cases` is there (cycled up to
//! 1,000), otherwise a generated machine with every state type.

use std::time::{Duration, Instant};

use asl_validate::{Diagnostic, fuzz_input, validate, validate_yaml};

fn main() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    );
    let mut defs: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .filter_map(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .filter_map(|v| serde_json::to_string_pretty(v.get("definition")?).ok())
                .collect()
        })
        .unwrap_or_default();
    if defs.is_empty() {
        defs.push(SAMPLE.to_string());
    }
    let corpus: Vec<&String> = defs.iter().cycle().take(1000).collect();
    let bytes: usize = corpus.iter().map(|d| d.len()).sum();
    // Warm up once, then take the best of five runs.
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..6 {
        let start = Instant::now();
        found = corpus
            .iter()
            .map(|d| asl_validate::validate(d).len())
            .sum::<usize>();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "validate: 1000 definitions ({} distinct, {:.1} MB) in {:.1} ms (best of 5), {} findings",
        defs.len(),
        bytes as f64 / 1e6,
        best * 1e3,
        found
    );
    corpus_rate();
    shapes();
}

/// Definitions per second on the plain definitions of the real-world corpus
/// (`tests/corpus/**/*.asl.json`), the figure the README quotes.
fn corpus_rate() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with(".asl.json")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                out.push(t);
            }
        }
    }
    let mut defs = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus")),
        &mut defs,
    );
    if defs.is_empty() {
        return;
    }
    let rounds = 20;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..rounds {
            for d in &defs {
                std::hint::black_box(validate(d));
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let n = defs.len() * rounds;
    println!(
        "corpus: {} plain definitions x {rounds} in {:.1} ms (best of 5): {:.0} definitions/s",
        defs.len(),
        best * 1e3,
        n as f64 / best
    );
}

#[path = "../tests/shapes/mod.rs"]
mod shapes;

use shapes::{chain, nested_parallels, template, wide};

const MIB: usize = 1 << 20;

/// An entry point: [`validate`] or [`validate_yaml`].
type Entry = fn(&str) -> Vec<Diagnostic>;

/// The best of a few runs of `f` on `text`, and the codes it found.
fn time(f: Entry, text: &str) -> (Duration, Vec<Diagnostic>) {
    let mut best = Duration::MAX;
    let mut found = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        found = f(text);
        best = best.min(start.elapsed());
    }
    (best, found)
}

fn shapes() {
    let cases: Vec<(&str, Entry, String)> = vec![
        ("chain of 6,000 states", validate, chain(6_000, true)),
        ("chain of 16,000 states", validate, chain(16_000, true)),
        ("16,000 states, none named", validate, wide(16_000)),
        ("Parallel 16 deep", validate, nested_parallels(16, "P", 1)),
        (
            "Parallel 12 deep, 2 branches each",
            validate,
            nested_parallels(12, "P", 2),
        ),
        (
            "20,000 nested objects",
            validate,
            format!("{}1{}", r#"{"a":"#.repeat(20_000), "}".repeat(20_000)),
        ),
        (
            "20,000 nested arrays",
            validate,
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)),
        ),
        ("1 MiB of `{`", validate, "{".repeat(MIB)),
        ("1 MiB of `[`", validate, "[".repeat(MIB)),
        (
            "`\"` and 1 MiB of `a`",
            validate,
            format!("\"{}", "a".repeat(MIB)),
        ),
        (
            "`\"` and 1 MiB - 1 of `a`",
            validate,
            format!("\"{}", "a".repeat(MIB - 1)),
        ),
        (
            "YAML: chain of 16,000 states",
            validate_yaml,
            chain(16_000, true),
        ),
        ("YAML: 1 MiB of `- `", validate_yaml, "- ".repeat(MIB / 2)),
        ("YAML: 1 MiB of `[`", validate_yaml, "[".repeat(MIB)),
        (
            "YAML: 1,400 indented levels",
            validate_yaml,
            (0..1400)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect(),
        ),
    ];
    for (name, f, text) in &cases {
        let (f, text) = (*f, text.as_str());
        let (took, found) = time(f, text);
        let mut codes: Vec<&str> = found.iter().map(|d| d.code.as_str()).collect();
        codes.dedup();
        println!(
            "{name}: {:.1} KB in {:.2} ms (best of 5), {} findings {codes:?}",
            text.len() as f64 / 1e3,
            took.as_secs_f64() * 1e3,
            found.len()
        );
    }
    // Every entry point at once (the CLI reader, as JSON, YAML and stdin, with the findings
    // placed in the file and rendered in every format): what a fuzzer runs.
    let templates = [
        ("chain of 16,000 states", chain(16_000, true)),
        ("16,000 states, none named", wide(16_000)),
        (
            "template: 4,000 joined parts, 2,000 definitions",
            template(4_000, 2_000, true),
        ),
    ];
    for (name, text) in templates {
        let start = Instant::now();
        let work = fuzz_input(text.as_bytes());
        println!(
            "fuzz_input, {name}: {:.1} KB in {:.0} ms, {:.1} steps per byte in and out",
            text.len() as f64 / 1e3,
            start.elapsed().as_secs_f64() * 1e3,
            work.steps as f64 / (work.bytes + work.diagnostic_bytes) as f64
        );
    }
}

const SAMPLE: &str = r#"{
  "StartAt": "Check",
  "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Work"}], "Default": "Done"},
    "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "States.Format('{}', $.n)"},
             "Retry": [{"ErrorEquals": ["States.TaskFailed"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "Next": "Both"},
    "Both": {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}], "Next": "Done"},
    "Failed": {"Type": "Fail", "Error": "E"},
    "Done": {"Type": "Succeed"}
  }
}"#;
