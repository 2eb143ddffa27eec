//! Issue 17, class 3: the order of Map iterations under a concurrency limit.
//!
//! Rules (and where AWS states them):
//! - At most N iterations are in flight (between their `MapIterationStarted` and their
//!   `MapIterationSucceeded`/`MapIterationFailed`) when the effective `MaxConcurrency` is N,
//!   whatever its source: a literal, `MaxConcurrencyPath` (a path into the input or a
//!   variable), or a JSONata expression (input or variable). AWS's Map page (state-map,
//!   "MaxConcurrency": "the upper bound on the number of iterations that may run in
//!   parallel").
//! - An inline Map with `MaxConcurrency` 0 or absent runs up to 40 at once, and never more than
//!   40 (state-map-inline: "supports up to 40 concurrent iterations").
//! - Iterations start in item order, and the next starts as soon as a slot frees, after the
//!   last event of the iteration that freed it (recordings with `MaxConcurrency` 1:
//!   `scenarios...test_map_state`, `test_map_state_item_selector*`, `BASE_SCOPE_MAP`: `S0 S0
//!   S1 S1 ...`).
//! - When the Map fails, the iterations still in flight are aborted, in item order: the state
//!   each is in gets `<Type>StateAborted`, then the iteration `MapIterationAborted` (AWS's
//!   `HistoryEvent` reference lists `mapIterationAbortedEventDetails`; a failing Parallel
//!   aborts its other branches the same way: `test_parallel_catch_error__*`). No recording
//!   shows a Map failing with several iterations in flight: the order is the engine's.
//! - Every event follows an earlier one, and an iteration's end follows its own start: walking
//!   `previousEventId` back from `MapIterationSucceeded(i)` meets `MapIterationStarted(i)`
//!   before the Map's `MapStateStarted` (every recording with Map iterations).

use std::collections::HashMap;

use asl_interpreter::{EventType, Handlers, HistoryEvent, Outcome, Status};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;

fn run(def: Value, input: &Value) -> Outcome {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    common::run_at(start, Handlers::new(), def, &input.to_string())
}

fn index_of(e: &HistoryEvent) -> Option<u64> {
    e.details.as_ref()?.get("index")?.as_u64()
}

/// The most iterations in flight at once, checking on the way that each starts once, in item
/// order, and ends once.
fn max_in_flight(h: &[HistoryEvent]) -> usize {
    let (mut open, mut max, mut next) = (Vec::<u64>::new(), 0, 0u64);
    for e in h {
        match e.event_type {
            EventType::MapIterationStarted => {
                let i = index_of(e).unwrap();
                assert_eq!(i, next, "iterations start in item order");
                next += 1;
                open.push(i);
                max = max.max(open.len());
            }
            EventType::MapIterationSucceeded
            | EventType::MapIterationFailed
            | EventType::MapIterationAborted => {
                let i = index_of(e).unwrap();
                let at = open
                    .iter()
                    .position(|&o| o == i)
                    .expect("ends once, after its start");
                open.remove(at);
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "every started iteration ended");
    max
}

/// Engine invariants on any history: ids 1..n in order; every `previousEventId` is an earlier
/// event; an iteration's end chains back to its own start before its Map's start.
fn assert_chained(h: &[HistoryEvent]) {
    let by_id: HashMap<u64, &HistoryEvent> = h.iter().map(|e| (e.id, e)).collect();
    for (i, e) in h.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id, "{} follows a later event", e.id);
        if matches!(
            e.event_type,
            EventType::MapIterationSucceeded
                | EventType::MapIterationFailed
                | EventType::MapIterationAborted
        ) {
            let index = index_of(e);
            let mut at = e.previous_event_id;
            loop {
                let p = by_id[&at];
                match p.event_type {
                    EventType::MapIterationStarted if index_of(p) == index => break,
                    EventType::MapStateStarted => panic!("event {} leaves its iteration", e.id),
                    _ => at = p.previous_event_id,
                }
            }
        }
    }
}

/// A Map over `items` (each `{"w": seconds}`, waited in the iteration) with the limit given as
/// `limit` says, in `ql`.
fn map_def(ql: &str, limit: Value, assign_n: Option<u64>) -> Value {
    let jsonata = ql == "JSONata";
    let mut map = json!({
        "Type": "Map",
        "ItemProcessor": {"StartAt": "W", "States": {"W": if jsonata {
            json!({"Type": "Wait", "Seconds": "{% $states.input.w %}", "End": true})
        } else {
            json!({"Type": "Wait", "SecondsPath": "$.w", "End": true})
        }}},
        "End": true
    });
    if jsonata {
        map["Items"] = json!("{% $states.input.items %}");
    } else {
        map["ItemsPath"] = json!("$.items");
    }
    for (k, v) in limit.as_object().unwrap() {
        map[k] = v.clone();
    }
    let mut states = serde_json::Map::new();
    let start = if let Some(n) = assign_n {
        states.insert(
            "Set".into(),
            json!({"Type": "Pass", "Assign": {"n": n}, "Next": "M"}),
        );
        "Set"
    } else {
        "M"
    };
    states.insert("M".into(), map);
    json!({"QueryLanguage": ql, "StartAt": start, "States": states})
}

/// Each way of giving the limit `n`: (label, query language, Map fields, variable to assign).
fn limit_sources(n: u64) -> Vec<(&'static str, &'static str, Value, Option<u64>)> {
    vec![
        ("literal", "JSONPath", json!({"MaxConcurrency": n}), None),
        ("literal", "JSONata", json!({"MaxConcurrency": n}), None),
        (
            "path into input",
            "JSONPath",
            json!({"MaxConcurrencyPath": "$.n"}),
            None,
        ),
        (
            "path to variable",
            "JSONPath",
            json!({"MaxConcurrencyPath": "$n"}),
            Some(n),
        ),
        (
            "jsonata input",
            "JSONata",
            json!({"MaxConcurrency": "{% $states.input.n %}"}),
            None,
        ),
        (
            "jsonata variable",
            "JSONata",
            json!({"MaxConcurrency": "{% $n %}"}),
            Some(n),
        ),
    ]
}

#[test]
fn at_most_n_iterations_in_flight_whatever_the_limits_source() {
    // Waits of different lengths so that iterations end out of order.
    let waits = [3, 1, 2, 1, 4, 1];
    for n in [1u64, 2, 3] {
        for (label, ql, limit, assign) in limit_sources(n) {
            let items: Vec<Value> = waits.iter().map(|w| json!({"w": w})).collect();
            let input = json!({"items": items, "n": n});
            let out = run(map_def(ql, limit, assign), &input);
            assert_eq!(out.status, Status::Succeeded, "{label} {ql} n={n}: {out:?}");
            assert_chained(&out.history);
            assert_eq!(
                max_in_flight(&out.history),
                n as usize,
                "{label} {ql}: n={n} in flight at most, and as many as n"
            );
        }
    }
}

#[test]
fn a_limit_of_one_runs_iterations_one_after_another() {
    for (label, ql, limit, assign) in limit_sources(1) {
        let input = json!({"items": [{"w": 2}, {"w": 1}, {"w": 1}], "n": 1});
        let out = run(map_def(ql, limit, assign), &input);
        let order: Vec<String> = out
            .history
            .iter()
            .filter(|e| e.event_type.as_ref().starts_with("MapIteration"))
            .map(|e| format!("{}{}", &e.event_type.as_ref()[12..13], index_of(e).unwrap()))
            .collect();
        // As recorded with MaxConcurrency 1 (scenarios...test_map_state): S0 S0 S1 S1 ...
        assert_eq!(order, ["S0", "S0", "S1", "S1", "S2", "S2"], "{label} {ql}");
    }
}

#[test]
fn an_inline_map_runs_at_most_40_at_once() {
    // state-map-inline: "supports up to 40 concurrent iterations"; 0 or absent means that.
    let items: Vec<Value> = (0..45).map(|_| json!({"w": 1})).collect();
    for limit in [
        json!({}),
        json!({"MaxConcurrency": 0}),
        json!({"MaxConcurrency": 100}),
    ] {
        for ql in ["JSONPath", "JSONata"] {
            let out = run(
                map_def(ql, limit.clone(), None),
                &json!({"items": items.clone()}),
            );
            assert_eq!(out.status, Status::Succeeded);
            assert_chained(&out.history);
            assert_eq!(max_in_flight(&out.history), 40, "{ql} {limit}");
        }
    }
}

#[test]
fn a_failing_map_aborts_the_iterations_in_flight() {
    for ql in ["JSONPath", "JSONata"] {
        let jsonata = ql == "JSONata";
        let wait = if jsonata {
            json!({"Type": "Wait", "Seconds": "{% $states.input.w %}", "Next": "C"})
        } else {
            json!({"Type": "Wait", "SecondsPath": "$.w", "Next": "C"})
        };
        let choice = if jsonata {
            json!({"Type": "Choice", "Choices": [{"Condition": "{% $states.input.fail %}",
                "Next": "F"}], "Default": "D"})
        } else {
            json!({"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true,
                "Next": "F"}], "Default": "D"})
        };
        let mut map = json!({"Type": "Map", "MaxConcurrency": 3, "ItemProcessor": {
            "StartAt": "W", "States": {"W": wait, "C": choice,
                "F": {"Type": "Fail", "Error": "Boom", "Cause": "c"},
                "D": {"Type": "Succeed"}}}, "End": true});
        if jsonata {
            map["Items"] = json!("{% $states.input.items %}");
        } else {
            map["ItemsPath"] = json!("$.items");
        }
        let def = json!({"QueryLanguage": ql, "StartAt": "M", "States": {"M": map}});
        let items = json!([{"w": 5, "fail": false}, {"w": 1, "fail": true}, {"w": 5, "fail": false}, {"w": 1, "fail": false}]);
        let out = run(def, &json!({"items": items}));
        assert_eq!(out.status, Status::Failed, "{ql}");
        assert_chained(&out.history);
        let tail: Vec<String> = out
            .history
            .iter()
            .skip_while(|e| e.event_type != EventType::MapIterationFailed)
            .map(|e| match index_of(e) {
                Some(i) => format!("{} {i}", e.event_type.as_ref()),
                None => e.event_type.as_ref().to_string(),
            })
            .collect();
        assert_eq!(
            tail,
            [
                "MapIterationFailed 1",
                "WaitStateAborted",
                "MapIterationAborted 0",
                "WaitStateAborted",
                "MapIterationAborted 2",
                "MapStateFailed",
                "ExecutionFailed"
            ],
            "{ql}"
        );
        // Items not started yet (3) never start.
        assert_eq!(max_in_flight(&out.history), 3, "{ql}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Invariants of any Map under any limit: at most `limit` in flight (40 when none),
    /// iterations start in item order and end once, every event follows an earlier one of its
    /// own iteration, and the results keep item order.
    #[test]
    fn iterations_respect_the_limit_and_their_chain(
        waits in prop::collection::vec(0u64..4, 1..12),
        limit in 0u64..5,
        jsonata in any::<bool>(),
    ) {
        let ql = if jsonata { "JSONata" } else { "JSONPath" };
        let items: Vec<Value> = waits.iter().enumerate().map(|(i, w)| json!({"w": w, "i": i})).collect();
        let out = run(map_def(ql, json!({"MaxConcurrency": limit}), None), &json!({"items": items}));
        prop_assert_eq!(out.status, Status::Succeeded);
        assert_chained(&out.history);
        let bound = if limit == 0 { 40 } else { limit as usize };
        prop_assert_eq!(max_in_flight(&out.history), bound.min(waits.len()));
        let result: Value = serde_json::from_str(out.output.as_deref().unwrap()).unwrap();
        prop_assert_eq!(result, Value::Array(items));
    }
}
