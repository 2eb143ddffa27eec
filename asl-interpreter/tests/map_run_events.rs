//! Issue 17, class 4: how the events that close a Distributed Map after its Map Run chain
//! (`previousEventId`), in every mode and nesting.
//!
//! Rules (and where AWS shows them; no AWS page documents `previousEventId`s, so all come
//! from the recordings in `conformance/cases` with `MapRunStarted`, 38 of them):
//! - `MapStateStarted` follows `MapStateEntered`; `MapRunStarted` follows `MapStateStarted`;
//!   `MapRunSucceeded`/`MapRunFailed` follow `MapRunStarted`; `MapStateSucceeded`/
//!   `MapStateFailed` follow the run's end (all 38).
//! - After a failed run the next event (the execution's end, a Catch's `MapStateExited`, a
//!   retried attempt's `MapStateStarted`) follows `MapStateFailed`
//!   (`test_map_item_reader_csv_max_items_paths__-1`, `..._json_no_json_list_object`; a caught
//!   Map, inline: `scenarios...test_map_state_catch`).
//! - `MapStateExited` after a succeeded run follows `MapRunStarted`, in every position and
//!   language: AWS as recorded since November 2024
//!   (`test_map_state_config_distributed_item_selector_parameters`,
//!   `..._items_path_from_previous`, `test_map_item_reader_base_json_max_items_jsonata`); the
//!   recordings up to August 2024 follow `MapRunSucceeded` (see engine/states/map/run.rs).
//! - Inside a Parallel branch or a Map iteration the Map's entry follows the branch's or
//!   iteration's start, never 0.

use std::collections::HashMap;

use asl_interpreter::{EventType, Handlers, HistoryEvent, Outcome};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;

fn run(def: Value) -> Outcome {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    common::run_at(start, Handlers::new(), def, r#"{"items": [1, 2]}"#)
}

/// How the run's children end.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Children {
    Succeed,
    /// They fail, and the run fails.
    Fail,
    /// They fail, within `ToleratedFailureCount`.
    FailTolerated,
}

/// How the Map handles its failure.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Handling {
    None,
    Catch,
    /// One retry (which fails again).
    Retry,
}

/// Where the Map sits.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Nesting {
    /// The execution's first state.
    First,
    /// After a Pass state.
    AfterPass,
    /// In a Parallel branch.
    InParallel,
    /// In an inline Map's iteration.
    InInlineMap,
}

fn distributed_map(ql: &str, children: Children, handling: Handling) -> Value {
    let child = if children == Children::Succeed {
        json!({"Type": "Pass", "End": true})
    } else {
        json!({"Type": "Fail", "Error": "Child", "Cause": "failed"})
    };
    let mut m = json!({
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "C", "States": {"C": child}},
        "Label": "run",
        "End": true
    });
    if ql == "JSONata" {
        m["Items"] = json!("{% $states.input.items %}");
    } else {
        m["ItemsPath"] = json!("$.items");
    }
    if children == Children::FailTolerated {
        m["ToleratedFailureCount"] = json!(5);
    }
    match handling {
        Handling::None => {}
        Handling::Catch => {
            m["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]);
            m.as_object_mut().unwrap().remove("End");
            m["Next"] = json!("Caught");
        }
        Handling::Retry => {
            m["Retry"] = json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}]);
        }
    }
    m
}

fn definition(ql: &str, nesting: Nesting, children: Children, handling: Handling) -> Value {
    let mut inner = serde_json::Map::new();
    inner.insert("D".into(), distributed_map(ql, children, handling));
    if handling == Handling::Catch {
        inner.insert("Caught".into(), json!({"Type": "Pass", "End": true}));
    }
    let inner = json!({"StartAt": "D", "States": inner});
    let top = match nesting {
        Nesting::First => inner,
        Nesting::AfterPass => {
            let mut states = inner["States"].clone();
            states["Before"] = json!({"Type": "Pass", "Next": "D"});
            json!({"StartAt": "Before", "States": states})
        }
        Nesting::InParallel => json!({"StartAt": "P", "States": {"P": {
            "Type": "Parallel", "Branches": [inner], "End": true}}}),
        Nesting::InInlineMap => {
            let items = if ql == "JSONata" {
                json!({"Items": "{% [$states.input] %}"})
            } else {
                json!({"ItemsPath": "$$.Execution.Input.wrapped"})
            };
            let mut m = json!({"Type": "Map", "MaxConcurrency": 1,
                "ItemProcessor": inner, "End": true});
            for (k, v) in items.as_object().unwrap() {
                m[k] = v.clone();
            }
            if ql != "JSONata" {
                m["ItemSelector"] = json!({"items.$": "$$.Map.Item.Value.items"});
                m["ItemsPath"] = json!("$.wrapped");
                let wrap = json!({"Type": "Pass", "Parameters": {"wrapped.$": "States.Array($)"}, "Next": "Outer"});
                return json!({"StartAt": "Wrap", "States": {"Wrap": wrap, "Outer": m}});
            }
            json!({"QueryLanguage": ql, "StartAt": "Outer", "States": {"Outer": m}})
        }
    };
    let mut top = top;
    top["QueryLanguage"] = json!(ql);
    top
}

/// `previousEventId` as the type of the event it points to.
fn follows<'h>(by_id: &HashMap<u64, &'h HistoryEvent>, e: &HistoryEvent) -> &'h str {
    by_id
        .get(&e.previous_event_id)
        .map_or("none", |p| p.event_type.as_ref())
}

#[test]
fn the_events_closing_a_map_run_chain_as_aws_records_them() {
    let nestings = [
        Nesting::First,
        Nesting::AfterPass,
        Nesting::InParallel,
        Nesting::InInlineMap,
    ];
    let outcomes = [
        (Children::Succeed, Handling::None),
        (Children::FailTolerated, Handling::None),
        (Children::Fail, Handling::None),
        (Children::Fail, Handling::Catch),
        (Children::Fail, Handling::Retry),
    ];
    for ql in ["JSONPath", "JSONata"] {
        for nesting in nestings {
            for (children, handling) in outcomes {
                let case = format!("{ql} {nesting:?} {children:?} {handling:?}");
                let out = run(definition(ql, nesting, children, handling));
                let h = &out.history;
                let by_id: HashMap<u64, &HistoryEvent> = h.iter().map(|e| (e.id, e)).collect();
                for (i, e) in h.iter().enumerate() {
                    assert_eq!(e.id, i as u64 + 1, "{case}");
                    assert!(e.previous_event_id < e.id, "{case}: event {}", e.id);
                }
                let succeeded_run = children != Children::Fail;
                let mut entered_prev = None;
                let mut runs = 0;
                for e in h {
                    let after = follows(&by_id, e);
                    match e.event_type {
                        EventType::MapStateEntered
                            if e.details.as_ref().and_then(|d| d.name()).as_deref()
                                == Some("D") =>
                        {
                            entered_prev = Some(e.previous_event_id);
                        }
                        EventType::MapRunStarted => {
                            runs += 1;
                            assert_eq!(after, "MapStateStarted", "{case}");
                        }
                        EventType::MapRunSucceeded | EventType::MapRunFailed => {
                            assert_eq!(after, "MapRunStarted", "{case}")
                        }
                        EventType::MapStateSucceeded
                            if by_id[&e.previous_event_id].event_type
                                == EventType::MapRunSucceeded => {}
                        EventType::MapStateSucceeded => {
                            // The inline Map around it ends after its last iteration.
                            assert_eq!(nesting, Nesting::InInlineMap, "{case}");
                        }
                        // The inline Map around it fails after its iteration's failure.
                        EventType::MapStateFailed if after != "MapRunFailed" => {
                            assert_eq!(nesting, Nesting::InInlineMap, "{case}: {after}");
                        }
                        EventType::MapStateExited
                            if e.details.as_ref().and_then(|d| d.name()).as_deref()
                                == Some("D") =>
                        {
                            if !succeeded_run {
                                // Caught: the exit follows the failure, as an inline Map's
                                // does (scenarios...test_map_state_catch).
                                assert_eq!(handling, Handling::Catch, "{case}");
                                assert_eq!(after, "MapStateFailed", "{case}");
                                continue;
                            }
                            assert_eq!(after, "MapRunStarted", "{case}");
                            if nesting != Nesting::First {
                                assert_ne!(
                                    entered_prev,
                                    Some(0),
                                    "{case}: entered after something"
                                );
                            }
                        }
                        _ => {}
                    }
                    // Only `MapStateFailed` follows `MapRunFailed`; the rest follows it.
                    if after == "MapRunFailed" {
                        assert_eq!(e.event_type, EventType::MapStateFailed, "{case}");
                    }
                }
                let expected_runs = if handling == Handling::Retry && !succeeded_run {
                    2
                } else {
                    1
                };
                assert_eq!(runs, expected_runs, "{case}");
                if !succeeded_run {
                    let failed: Vec<&HistoryEvent> = h
                        .iter()
                        .filter(|e| e.event_type == EventType::MapStateFailed)
                        .collect();
                    assert!(!failed.is_empty(), "{case}");
                    let next = h.iter().find(|e| e.previous_event_id == failed[0].id);
                    assert!(next.is_some(), "{case}: something follows MapStateFailed");
                }
            }
        }
    }
}
