//! Event-order invariants the engine keeps in every history, checked on generated machines
//! (Parallel branches and Map iterations of Wait and Pass states, under a concurrency limit).
//!
//! - Ids run 1..n in order, and every `previousEventId` names an earlier event (every
//!   recording in `conformance/cases`).
//! - A state's exit chains back to its own entry: walking `previousEventId` from
//!   `<Type>StateExited` of state N meets `<Type>StateEntered` of N, never leaving N's branch
//!   or iteration for a sibling's (every recording with Parallel or Map states; AWS's history
//!   is one chain per branch, `GetExecutionHistory`'s `previousEventId`).
//! - A Parallel's or Map's end follows an event inside it, never one from before its start.
//! - At most N Map iterations are in flight under a limit of N (AWS's Map page,
//!   "MaxConcurrency"); see also tests/map_concurrency.rs.

use std::collections::HashMap;

use asl_interpreter::{Handlers, HistoryEvent, Outcome, Status};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;

fn run(def: Value) -> Outcome {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    common::run_at(start, Handlers::new(), def, r#"{"items": [1, 2, 3, 4]}"#)
}

/// A branch: a chain of states, each a Wait of so many seconds or (None) a Pass.
type Chain = Vec<Option<u64>>;

fn chain(prefix: &str, states: &Chain) -> Value {
    let mut out = serde_json::Map::new();
    for (i, s) in states.iter().enumerate() {
        let name = format!("{prefix}{i}");
        let mut state = match s {
            Some(w) => json!({"Type": "Wait", "Seconds": w}),
            None => json!({"Type": "Pass"}),
        };
        if i + 1 == states.len() {
            state["End"] = json!(true);
        } else {
            state["Next"] = json!(format!("{prefix}{}", i + 1));
        }
        out.insert(name, state);
    }
    json!({"StartAt": format!("{prefix}0"), "States": out})
}

/// A Parallel of `branches`, the whole inside a Map of `limit` when one is given.
fn machine(branches: &[Chain], map_limit: Option<u64>) -> Value {
    let branches: Vec<Value> = branches
        .iter()
        .enumerate()
        .map(|(i, c)| chain(&format!("B{i}S"), c))
        .collect();
    let parallel = json!({"Type": "Parallel", "Branches": branches, "End": true});
    match map_limit {
        None => json!({"StartAt": "P", "States": {"P": parallel}}),
        Some(limit) => json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": limit,
            "ItemProcessor": {"StartAt": "P", "States": {"P": parallel}}, "End": true}}}),
    }
}

fn name(e: &HistoryEvent) -> Option<String> {
    e.details.as_ref()?.name()
}

fn assert_invariants(h: &[HistoryEvent]) {
    let by_id: HashMap<u64, &HistoryEvent> = h.iter().map(|e| (e.id, e)).collect();
    for (i, e) in h.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(
            e.previous_event_id < e.id,
            "event {} follows a later one",
            e.id
        );
    }
    for e in h.iter().filter(|e| e.event_type.is_state_exited()) {
        let n = name(e);
        let mut at = e.previous_event_id;
        loop {
            let p = by_id
                .get(&at)
                .unwrap_or_else(|| panic!("exit {} never meets its entry", e.id));
            if p.event_type.is_state_entered() && name(p) == n {
                break;
            }
            at = p.previous_event_id;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_exit_chains_back_to_its_own_entry(
        branches in prop::collection::vec(
            prop::collection::vec(prop::option::of(0u64..4), 1..4), 1..4),
        map_limit in prop::option::of(0u64..4),
    ) {
        let out = run(machine(&branches, map_limit));
        prop_assert_eq!(out.status, Status::Succeeded);
        assert_invariants(&out.history);
        // Each state of each branch entered once per item (4 items in a Map, else once).
        let per = if map_limit.is_some() { 4 } else { 1 };
        let entered = out.history.iter().filter(|e| e.event_type.is_state_entered()).count();
        let states: usize = branches.iter().map(Vec::len).sum();
        let outer = if map_limit.is_some() { 1 + per } else { 1 };
        prop_assert_eq!(entered, states * per + outer);
    }
}
