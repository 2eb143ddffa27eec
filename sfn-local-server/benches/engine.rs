//! `cargo bench -p sfn-local-server --bench engine`: the engine workloads of `../shared/bench`
//! in-process, as `sfn-local run` runs them (same allocator, a current-thread runtime, the
//! result and whole history written as JSON), without the process's start and exit: w1 (one
//! Pass), w2 (a 5,000-iteration Choice + Pass loop, 20,006 events), w3 (an inline Map over
//! 5,000 items, 20,006 events). Median of `ENGINE_RUNS` (default 21) runs each, the run and
//! the writing of its JSON timed apart.
//!
//! The whole-process figures in the README come from `hyperfine` over the release binary; this
//! bench says where inside a run the time goes, and is what to compare before and after a
//! change to the engine.

use std::sync::Arc;
use std::time::Instant;

use asl_core::StateMachine;
use asl_interpreter::{ExecutionConfig, Interpreter};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

fn workloads() -> Vec<(&'static str, Value, String)> {
    let w1 = json!({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass",
        "Result": {"greeting": "hello"}, "ResultPath": "$.out", "End": true}}});
    let w2 = json!({"QueryLanguage": "JSONPath", "StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Increment"}],
            "Default": "Done"},
        "Increment": {"Type": "Pass",
            "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "Check"},
        "Done": {"Type": "Succeed"}}});
    let w3 = json!({"QueryLanguage": "JSONPath", "StartAt": "Reshape", "States": {
        "Reshape": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Shape",
                "States": {"Shape": {"Type": "Pass",
                    "Parameters": {"k.$": "$.id", "t.$": "$.tag"}, "End": true}}},
            "End": true}}});
    let items: Vec<Value> = (0..5000).map(|i| json!({"id": i, "tag": i % 10})).collect();
    vec![
        ("w1: one Pass", w1, r#"{"name":"bench"}"#.to_owned()),
        (
            "w2: 5,000-iteration loop",
            w2,
            r#"{"i":0,"n":5000}"#.to_owned(),
        ),
        (
            "w3: inline Map, 5,000 items",
            w3,
            json!({ "items": items }).to_string(),
        ),
    ]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("ENGINE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(21);
    println!(
        "{:<30} {:>10} {:>10} {:>8} {:>10}",
        "workload", "run ms", "write ms", "events", "MB written"
    );
    for (name, definition, input) in workloads() {
        let machine = Arc::new(StateMachine::from_value(&definition).expect("a workload"));
        let (mut run_ms, mut write_ms) = (Vec::new(), Vec::new());
        let (mut events, mut bytes) = (0, 0);
        for _ in 0..runs {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let config = ExecutionConfig {
                input_text: input.clone(),
                ..ExecutionConfig::default()
            };
            let interp = Interpreter::builder().build();
            let t = Instant::now();
            let outcome = rt.block_on(interp.run(machine.clone(), config));
            run_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let mut out = Vec::with_capacity(1 << 22);
            let t = Instant::now();
            outcome.write_json(true, &mut out).expect("written");
            write_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(outcome.status.as_str(), "SUCCEEDED", "{name}");
            events = outcome.history.len();
            bytes = out.len();
        }
        println!(
            "{name:<30} {:>10.3} {:>10.3} {events:>8} {:>10.2}",
            median(run_ms),
            median(write_ms),
            bytes as f64 / 1e6
        );
    }
}
