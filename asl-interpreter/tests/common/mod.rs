//! What the engine's integration tests share: a definition, a config, and one run on a
//! virtual clock.
#![allow(dead_code)] // each test file uses its own part

use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{ExecutionConfig, Handlers, Interpreter, Outcome, VirtualClock};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub fn machine(v: Value) -> Arc<StateMachine> {
    Arc::new(StateMachine::from_value(&v).expect("valid definition"))
}

/// Execution `exec` of state machine `sm` with this input text.
pub fn config(input: &str) -> ExecutionConfig {
    ExecutionConfig {
        name: "exec".into(),
        state_machine_name: "sm".into(),
        input_text: input.into(),
        ..ExecutionConfig::default()
    }
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Runs `def` to its end on a virtual clock starting at `start`.
pub fn run_at(start: DateTime<Utc>, handlers: Handlers, def: Value, input: &str) -> Outcome {
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::new(start)))
        .build();
    block_on(interp.run(machine(def), config(input)))
}
