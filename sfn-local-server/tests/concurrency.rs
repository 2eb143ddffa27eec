//! The same request many times at once answers what AWS answers once (issue 16, family 9).
//!
//! AWS's rules, from the Step Functions API reference:
//! - `StartExecution`: "If StartExecution is called with the same name and input as a running
//!   execution, the call succeeds and return the same response as the original request. If the
//!   execution is closed or if the input is different, it returns a 400
//!   ExecutionAlreadyExists error" (Standard executions; names are unique for 90 days).
//! - `CreateStateMachine`: idempotent when the name, definition, type, logging and tracing
//!   configuration are the same; `StateMachineAlreadyExists` otherwise.
//! - `CreateActivity`: idempotent by name.
//! - `RedriveExecution`: a redrive moves a FAILED, TIMED_OUT or ABORTED execution back to
//!   RUNNING; one that is RUNNING "cannot be redriven" (ExecutionNotRedrivable).
//! - `PublishStateMachineVersion`: publishing a revision that is already the newest version
//!   answers that version ("idempotent API ... returns the existing version").
//!
//! The store decides (one transaction checks and inserts), so N threads released together
//! by a barrier must see exactly one resource created and each get the answer a lone request
//! would get.

mod common;

use std::sync::{Arc, Barrier};

use common::{call, ok, spawn};
use serde_json::{Value, json};

const N: usize = 16;
/// Rounds of each scenario, each with a new name: a race lost once in a while still shows.
const ROUNDS: usize = 10;
const ROLE: &str = "arn:aws:iam::123456789012:role/r";

/// `N` calls released at once; call `i`'s body is `body(i)`.
fn at_once(endpoint: &str, op: &'static str, body: impl Fn(usize) -> Value) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(N));
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let (b, e, req) = (barrier.clone(), endpoint.to_string(), body(i));
            std::thread::spawn(move || {
                b.wait();
                call(&e, op, req)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn error_type(v: &Value) -> &str {
    let t = v["__type"].as_str().unwrap_or_default();
    t.rsplit('#').next().unwrap_or(t)
}

fn waiting() -> String {
    json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}})
        .to_string()
}

#[test]
fn start_execution_with_one_name_starts_one() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let sm = common::create(e, "m", &serde_json::from_str(&waiting()).unwrap());
    // The same input: every call answers the one execution.
    let same = at_once(
        e,
        "StartExecution",
        |_| json!({"stateMachineArn": sm, "name": "once", "input": "{\"a\":1}"}),
    );
    let first = &same[0].1;
    for (status, body) in &same {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["executionArn"], first["executionArn"]);
        assert_eq!(body["startDate"], first["startDate"]);
    }
    // Two inputs: the calls with the stored input succeed, the others are refused.
    let mixed = at_once(
        e,
        "StartExecution",
        |i| json!({"stateMachineArn": sm, "name": "twice", "input": format!("{{\"i\":{}}}", i % 2)}),
    );
    let listed = ok(e, "ListExecutions", json!({"stateMachineArn": sm}));
    let runs = listed["executions"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{listed}");
    let twice = runs.iter().find(|r| r["name"] == "twice").unwrap();
    let d = ok(
        e,
        "DescribeExecution",
        json!({"executionArn": twice["executionArn"]}),
    );
    let stored = d["input"].as_str().unwrap().to_string();
    for (i, (status, body)) in mixed.iter().enumerate() {
        if format!("{{\"i\":{}}}", i % 2) == stored {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["executionArn"], twice["executionArn"]);
        } else {
            assert_eq!(*status, 400, "{body}");
            assert_eq!(error_type(body), "ExecutionAlreadyExists");
            assert_eq!(
                body["message"],
                json!(format!(
                    "Execution Already Exists: '{}'",
                    twice["executionArn"].as_str().unwrap()
                ))
            );
        }
    }
}

#[test]
fn create_state_machine_with_one_name_creates_one() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    for round in 0..ROUNDS {
        let same = at_once(
            e,
            "CreateStateMachine",
            |_| json!({"name": format!("m{round}"), "definition": waiting(), "roleArn": ROLE}),
        );
        let first = &same[0].1;
        for (status, body) in &same {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body, first);
        }
    }
    // Two definitions: one wins, the other's calls are StateMachineAlreadyExists.
    let def = |i: usize| {
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": i % 2, "End": true}}})
            .to_string()
    };
    let mixed = at_once(
        e,
        "CreateStateMachine",
        |i| json!({"name": "two", "definition": def(i), "roleArn": ROLE}),
    );
    let listed = ok(e, "ListStateMachines", json!({}));
    assert_eq!(
        listed["stateMachines"].as_array().unwrap().len(),
        ROUNDS + 1
    );
    let arn = mixed.iter().find(|r| r.0 == 200).unwrap().1["stateMachineArn"].clone();
    let d = ok(e, "DescribeStateMachine", json!({"stateMachineArn": arn}));
    let won = d["definition"].as_str().unwrap();
    for (i, (status, body)) in mixed.iter().enumerate() {
        if def(i) == won {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["creationDate"], d["creationDate"]);
        } else {
            assert_eq!(*status, 400, "{body}");
            assert_eq!(error_type(body), "StateMachineAlreadyExists");
        }
    }
}

#[test]
fn publishing_one_revision_at_once_publishes_one_version() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    for round in 0..ROUNDS {
        let definition = serde_json::from_str(&waiting()).unwrap();
        let sm = common::create(e, &format!("m{round}"), &definition);
        let answers = at_once(
            e,
            "PublishStateMachineVersion",
            |_| json!({"stateMachineArn": sm}),
        );
        for (status, body) in &answers {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["stateMachineVersionArn"], json!(format!("{sm}:1")));
        }
        let versions = ok(
            e,
            "ListStateMachineVersions",
            json!({"stateMachineArn": sm}),
        );
        assert_eq!(
            versions["stateMachineVersions"].as_array().unwrap().len(),
            1,
            "{versions}"
        );
    }
}

#[test]
fn create_activity_with_one_name_creates_one() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    for round in 0..ROUNDS {
        let answers = at_once(
            e,
            "CreateActivity",
            |i| json!({"name": format!("a{round}"), "tags": [{"key": "k", "value": i.to_string()}]}),
        );
        let first = &answers[0].1;
        for (status, body) in &answers {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body, first);
        }
        let tags = ok(
            e,
            "ListTagsForResource",
            json!({"resourceArn": first["activityArn"]}),
        );
        assert_eq!(tags["tags"].as_array().unwrap().len(), 1, "{tags}");
    }
}

/// Redrives released together the moment DescribeExecution reads FAILED: at least one is
/// accepted (the end is stored a moment before the execution leaves the running set, and that
/// moment must not answer RUNNING), and each accepted one is one redrive of an ended
/// execution: never two interpreters at once. The others are told the execution is RUNNING.
/// (A redriven Fail state fails again at once, so a later call may redrive it again.) On the
/// durable store too, where an end takes a commit.
#[test]
fn redrives_right_after_the_failure_redrive_one_at_a_time() {
    let dir = std::env::temp_dir().join(format!("sfn-local-redrive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.to_str().unwrap().to_string();
    for args in [vec!["--in-memory"], vec!["--data-dir", data.as_str()]] {
        let p = spawn(&args);
        let e = &p.endpoint;
        let fails = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broke"}}});
        let sm = common::create(e, "fails", &fails);
        for round in 0..ROUNDS {
            let arn = common::start(e, &sm, &json!({"round": round}));
            assert_eq!(common::wait_closed(e, &arn)["status"], "FAILED");
            let answers = at_once(e, "RedriveExecution", |_| json!({"executionArn": arn}));
            let accepted = answers.iter().filter(|(s, _)| *s == 200).count();
            assert!(accepted >= 1, "{args:?} round {round}: {answers:?}");
            for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
                assert_eq!(*status, 400, "{body}");
                assert_eq!(error_type(body), "ExecutionNotRedrivable", "{body}");
                assert_eq!(
                    body["message"], "Execution is RUNNING and cannot be redriven",
                    "{body}"
                );
            }
            let d = common::wait_closed(e, &arn);
            assert_eq!(d["status"], "FAILED", "{d}");
            assert_eq!(d["redriveCount"], accepted, "{d}");
            let history = ok(e, "GetExecutionHistory", json!({"executionArn": arn}));
            let types: Vec<&str> = history["events"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, ev)| {
                    assert_eq!(ev["id"], i + 1, "{history}");
                    ev["type"].as_str().unwrap()
                })
                .collect();
            // One run at a time: each redrive follows the previous run's failure, and each
            // run ends in one failure.
            let count = |t: &str| types.iter().filter(|x| **x == t).count();
            assert_eq!(count("ExecutionRedriven"), accepted, "{history}");
            assert_eq!(count("ExecutionFailed"), accepted + 1, "{history}");
            assert_eq!(types.last(), Some(&"ExecutionFailed"), "{history}");
            for (i, t) in types.iter().enumerate() {
                if *t == "ExecutionRedriven" {
                    assert_eq!(types[i - 1], "ExecutionFailed", "{history}");
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
