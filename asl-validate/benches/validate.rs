//! `cargo bench -p asl-validate`: how long a thousand definitions take to validate.
//!
//! Uses the conformance definitions when `../shared/conformance/cases` is there (cycled up to
//! 1,000), otherwise a generated machine with every state type.

use std::time::Instant;

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
