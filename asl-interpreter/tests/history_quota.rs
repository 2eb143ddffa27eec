//! AWS's history quota: an execution's history never holds more than `max_history_events`
//! events, and an execution that reaches it fails with `States.Runtime`, its last event being
//! `ExecutionFailed`, whatever it was doing (a loop, a Map's iterations, a Parallel's branches).

mod common;

use std::sync::Arc;

use asl_interpreter::{Handlers, Interpreter, Limits, Outcome, Status, VirtualClock};
use serde_json::{Value, json};

fn run_limited(max: usize, def: Value, input: &str) -> Outcome {
    let interp = Interpreter::builder()
        .handlers(Handlers::new())
        .clock(Arc::new(VirtualClock::new(chrono::Utc::now())))
        .limits(Limits {
            max_history_events: max,
            ..Limits::default()
        })
        .build();
    common::block_on(interp.run(common::machine(def), common::config(input)))
}

fn assert_quota(o: &Outcome, max: usize) {
    assert_eq!(o.status, Status::Failed, "{:?}", o.error);
    assert_eq!(o.error.as_deref(), Some("States.Runtime"));
    assert!(
        o.cause
            .as_deref()
            .unwrap()
            .contains(&format!("maximum number of history events ({max})")),
        "{:?}",
        o.cause
    );
    assert_eq!(o.history.len(), max, "exactly the quota");
    let last = o.history.last().unwrap();
    assert_eq!(last.event_type, "ExecutionFailed");
    for (i, e) in o.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id);
    }
}

#[test]
fn an_endless_loop_ends_at_the_quota() {
    let def = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}],
                  "Default": "A"}
        }
    });
    for max in [2, 3, 10, 51, 100, 1000] {
        assert_quota(&run_limited(max, def.clone(), r#"{"x":0}"#), max);
    }
}

#[test]
fn a_wide_map_ends_at_the_quota() {
    let def = json!({
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0,
                  "ItemProcessor": {"StartAt": "P", "States": {
                      "P": {"Type": "Pass", "Next": "Q"},
                      "Q": {"Type": "Pass", "End": true}}},
                  "End": true}
        }
    });
    let items: Vec<u32> = (0..500).collect();
    let input = json!({ "items": items }).to_string();
    for max in [20, 101, 777] {
        assert_quota(&run_limited(max, def.clone(), &input), max);
    }
}

#[test]
fn parallel_branches_end_at_the_quota() {
    let branch = json!({"StartAt": "L", "States": {
        "L": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "L"}],
              "Default": "L"}}});
    let def = json!({
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": [branch.clone(), branch], "End": true}}
    });
    for max in [30, 333] {
        assert_quota(&run_limited(max, def.clone(), r#"{"x":0}"#), max);
    }
}

#[test]
fn a_history_under_the_quota_is_untouched() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let o = run_limited(4, def, "{}");
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.history.len(), 4);
}
