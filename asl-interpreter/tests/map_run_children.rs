//! A Distributed Map's child workflow executions, as the map-run child listener is told of
//! them: each child's own history cut out of the map run's, and nothing for an inline Map.

use std::sync::{Arc, Mutex};

use asl_interpreter::{
    ExecutionType, Handlers, HistoryEvent, Interpreter, MapRunChildReport, Outcome, Status,
    VirtualClock,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;

/// Runs `def` with a child listener; the outcome and the reports in the order told.
fn run(def: Value, input: &str, with_listener: bool) -> (Outcome, Vec<MapRunChildReport>) {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    let seen: Arc<Mutex<Vec<MapRunChildReport>>> = Arc::default();
    let mut b = Interpreter::builder()
        .handlers(Handlers::new())
        .clock(Arc::new(VirtualClock::new(start)));
    if with_listener {
        let s = seen.clone();
        b = b.on_map_run_child(Arc::new(move |r| s.lock().unwrap().push(r.clone())));
    }
    let out = common::block_on(b.build().run(common::machine(def), common::config(input)));
    let seen = seen.lock().unwrap().clone();
    (out, seen)
}

fn distributed(processor: Value, extra: Value, execution_type: &str) -> Value {
    let mut processor = processor;
    processor["ProcessorConfig"] = json!({"Mode": "DISTRIBUTED", "ExecutionType": execution_type});
    let mut map = json!({"Type": "Map", "Label": "Items", "ItemProcessor": processor, "End": true});
    for (k, v) in extra.as_object().unwrap() {
        map[k] = v.clone();
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

/// Fails item `{"n": 3}`; the others go through a Parallel and a Pass.
fn processor() -> Value {
    json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 3, "Next": "Bad"}], "Default": "P"},
        "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "three"},
        "P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}})
}

/// `id prev type` per event.
fn outline(events: &[HistoryEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| format!("{} {} {}", e.id, e.previous_event_id, e.event_type))
        .collect()
}

/// The report of each child when it ended, by index (children are told in start order).
fn ends(reports: &[MapRunChildReport]) -> Vec<&MapRunChildReport> {
    let mut names: Vec<&str> = Vec::new();
    for r in reports {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    names
        .iter()
        .map(|n| {
            reports
                .iter()
                .rfind(|r| r.name == *n)
                .expect("a report per child")
        })
        .collect()
}

#[test]
fn each_child_is_told_with_its_own_history() {
    let def = distributed(
        processor(),
        json!({"ToleratedFailureCount": 1, "MaxConcurrency": 2}),
        "STANDARD",
    );
    let input = r#"[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]"#;
    let (out, reports) = run(def.clone(), input, true);
    assert_eq!(out.status, Status::Succeeded, "{:?}", out.cause);
    // A start and an end per child.
    assert_eq!(reports.len(), 8);
    let run_arn = reports[0].map_run_arn.clone();
    assert!(
        run_arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:sm/Items:"),
        "{run_arn}"
    );
    let started: Vec<&MapRunChildReport> = reports
        .iter()
        .filter(|r| r.status == Status::Running)
        .collect();
    assert_eq!(started.len(), 4);
    for r in &started {
        assert_eq!(outline(&r.events), ["1 0 ExecutionStarted"]);
        assert_eq!(r.stop, None);
    }
    let ends = ends(&reports);
    assert_eq!(ends.len(), 4);
    for (i, r) in ends.iter().enumerate() {
        assert_eq!(r.map_run_arn, run_arn);
        assert_eq!(
            r.execution_arn,
            format!(
                "arn:aws:states:us-east-1:123456789012:execution:sm/Items:{}",
                r.name
            )
        );
        assert!(uuid_like(&r.name), "{}", r.name);
        assert_eq!(
            r.state_machine_arn,
            "arn:aws:states:us-east-1:123456789012:stateMachine:sm/Items"
        );
        assert_eq!(r.execution_type, ExecutionType::Standard);
        assert_eq!(r.item_count, 1);
        let n = i + 1;
        assert_eq!(r.input, format!(r#"{{"n":{n}}}"#));
        assert!(r.stop.unwrap() >= r.start);
        if n == 3 {
            assert_eq!(r.status, Status::Failed);
            assert_eq!(r.error.as_deref(), Some("Bad"));
            assert_eq!(r.cause.as_deref(), Some("three"));
            assert_eq!(r.output, None);
            assert_eq!(
                outline(&r.events),
                [
                    "2 1 ChoiceStateEntered",
                    "3 2 ChoiceStateExited",
                    "4 3 FailStateEntered",
                    "5 4 ExecutionFailed",
                ]
            );
        } else {
            assert_eq!(r.status, Status::Succeeded);
            assert_eq!(
                r.output.as_deref(),
                Some(r#"[{"n":N},{"n":N}]"#.replace('N', &n.to_string()).as_str())
            );
            assert_eq!(
                outline(&r.events),
                [
                    "2 1 ChoiceStateEntered",
                    "3 2 ChoiceStateExited",
                    "4 3 ParallelStateEntered",
                    "5 4 ParallelStateStarted",
                    "6 5 PassStateEntered",
                    "7 6 PassStateExited",
                    "8 5 PassStateEntered",
                    "9 8 PassStateExited",
                    "10 9 ParallelStateSucceeded",
                    "11 9 ParallelStateExited",
                    "12 11 ExecutionSucceeded",
                ]
            );
            let last = r.events.last().unwrap().details.as_ref().unwrap();
            assert_eq!(
                last.value(),
                json!({"output": r.output.clone().unwrap(), "outputDetails": {"truncated": false}})
            );
        }
    }
    // The child listener changes nothing in the parent's history.
    let (plain, none) = run(def, input, false);
    assert!(none.is_empty());
    // (Each map run has an ARN of its own.)
    let text = |o: &Outcome| -> Vec<String> {
        let run = o.history[3]
            .details
            .as_ref()
            .unwrap()
            .get_str("mapRunArn")
            .unwrap();
        o.history
            .iter()
            .map(|e| e.to_json_text().replace(&run, "RUN"))
            .collect()
    };
    assert_eq!(text(&plain), text(&out));
}

#[test]
fn children_still_running_when_the_map_run_fails_are_aborted() {
    // Item 0 fails after a second; item 1 waits a minute, and is still running then.
    let processor = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 0, "Next": "Soon"}], "Default": "W"},
        "Soon": {"Type": "Wait", "Seconds": 1, "Next": "Bad"},
        "Bad": {"Type": "Fail", "Error": "Bad"},
        "W": {"Type": "Wait", "Seconds": 60, "End": true}}});
    let def = distributed(processor, json!({}), "STANDARD");
    let (out, reports) = run(def, r#"[{"n": 0}, {"n": 1}]"#, true);
    assert_eq!(out.status, Status::Failed);
    let ends = ends(&reports);
    assert_eq!(ends[0].status, Status::Failed);
    assert_eq!(ends[1].status, Status::Aborted);
    assert_eq!(
        outline(&ends[1].events),
        [
            "2 1 ChoiceStateEntered",
            "3 2 ChoiceStateExited",
            "4 3 WaitStateEntered",
            "5 4 ExecutionAborted",
        ]
    );
}

#[test]
fn express_children_and_batches_are_told_without_a_history() {
    let processor = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let def = distributed(
        processor,
        json!({"ItemBatcher": {"MaxItemsPerBatch": 2}}),
        "EXPRESS",
    );
    let (out, reports) = run(def, "[1, 2, 3]", true);
    assert_eq!(out.status, Status::Succeeded, "{:?}", out.cause);
    let ends = ends(&reports);
    assert_eq!(ends.len(), 2);
    for r in &reports {
        assert!(r.events.is_empty());
        assert_eq!(r.execution_type, ExecutionType::Express);
    }
    let run_id = ends[0].map_run_arn.rsplit(':').next().unwrap();
    assert_eq!(
        ends[0].execution_arn,
        format!(
            "arn:aws:states:us-east-1:123456789012:express:sm/Items:{run_id}:{}",
            ends[0].name
        )
    );
    assert_eq!([ends[0].item_count, ends[1].item_count], [2, 1]);
    assert_eq!(ends[1].input, r#"{"Items":[3]}"#);
    assert_eq!(ends[1].output.as_deref(), Some(r#"{"Items":[3]}"#));
}

#[test]
fn an_inline_map_tells_nothing() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let (out, reports) = run(def, "[1, 2]", true);
    assert_eq!(out.status, Status::Succeeded);
    assert!(reports.is_empty());
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
