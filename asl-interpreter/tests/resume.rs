//! Resuming from a recorded history: for every point a crash could leave the history at, the
//! resumed execution ends as the uninterrupted one did, its history stays valid, and no task
//! whose end was recorded runs again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use asl_core::StateMachine;
use asl_interpreter::{
    ExecutionConfig, Handlers, HistoryEvent, Interpreter, Outcome, Status, TaskFailure,
    TaskRequest, VirtualClock,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

/// A deterministic service: a `"flaky": true` input fails on its first attempt.
#[derive(Clone, Default)]
struct Service {
    total: Arc<AtomicUsize>,
}

impl Service {
    fn handlers(&self) -> Handlers {
        let me = self.clone();
        Handlers::new().function("work", move |req: TaskRequest| {
            let me = me.clone();
            async move {
                me.total.fetch_add(1, Ordering::SeqCst);
                if req.parameters["flaky"] == json!(true) && req.attempt == 0 {
                    return Err(TaskFailure::new("Work.Flaky", "first try fails"));
                }
                Ok(json!({"done": req.parameters["n"]}))
            }
        })
    }
}

fn config() -> ExecutionConfig {
    ExecutionConfig {
        name: "exec".into(),
        state_machine_name: "sm".into(),
        input_text: r#"{"items": [{"n": 1}, {"n": 2, "flaky": true}, {"n": 3}]}"#.into(),
        ..ExecutionConfig::default()
    }
}

fn interpreter(svc: &Service) -> Interpreter {
    Interpreter::builder()
        .handlers(svc.handlers())
        .clock(Arc::new(VirtualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        )))
        .build()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn run(def: &Value, recorded: Vec<HistoryEvent>, svc: &Service) -> Outcome {
    let m = Arc::new(StateMachine::from_value(def).unwrap());
    let interp = interpreter(svc);
    block_on(async move {
        if recorded.is_empty() {
            interp.start(m, config()).outcome().await
        } else {
            interp.resume(m, config(), recorded).outcome().await
        }
    })
}

fn assert_valid(h: &[HistoryEvent]) {
    for (i, e) in h.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id, "{e:?}");
    }
    let terminal = |e: &HistoryEvent| {
        e.event_type.starts_with("Execution") && e.event_type != "ExecutionStarted"
    };
    assert_eq!(h.iter().filter(|e| terminal(e)).count(), 1);
    assert!(terminal(h.last().unwrap()));
}

fn counts(h: &[HistoryEvent]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for e in h {
        *m.entry(e.event_type.to_string()).or_insert(0) += 1;
    }
    m
}

/// Task ends recorded in the first `k` events.
fn ended_tasks(h: &[HistoryEvent]) -> usize {
    h.iter()
        .filter(|e| {
            e.event_type.starts_with("Task")
                && (e.event_type.ends_with("Succeeded") || e.event_type.ends_with("Failed"))
                && !e.event_type.contains("State")
        })
        .count()
}

fn check_every_cut(def: Value) {
    let full_svc = Service::default();
    let full = run(&def, Vec::new(), &full_svc);
    assert_eq!(full.status, Status::Succeeded, "{full:?}");
    assert_valid(&full.history);
    let total_calls = full_svc.total.load(Ordering::SeqCst);
    for k in 1..full.history.len() {
        let prefix: Vec<HistoryEvent> = full.history[..k].to_vec();
        let svc = Service::default();
        let before = svc.total.load(Ordering::SeqCst);
        let resumed = run(&def, prefix.clone(), &svc);
        assert_eq!(resumed.status, Status::Succeeded, "cut {k}: {resumed:?}");
        assert_eq!(resumed.output, full.output, "cut {k}");
        assert_valid(&resumed.history);
        assert_eq!(
            &resumed.history[..k],
            &prefix[..],
            "cut {k}: the record is kept as is"
        );
        assert_eq!(counts(&resumed.history), counts(&full.history), "cut {k}");
        let rerun = svc.total.load(Ordering::SeqCst) - before;
        assert!(
            rerun <= total_calls - ended_tasks(&prefix),
            "cut {k}: {rerun} calls, but only {} tasks had not ended",
            total_calls - ended_tasks(&prefix)
        );
    }
}

#[test]
fn sequence_with_wait_and_retry_resumes_at_every_cut() {
    check_every_cut(
        json!({"StartAt": "First", "TimeoutSeconds": 600, "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "work", "Payload": {"n": 0}},
            "ResultSelector": {"n.$": "$.Payload.done"}, "ResultPath": "$.first", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 30, "Next": "Second"},
        "Second": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "Parameters": {"n": 9, "flaky": true},
            "Retry": [{"ErrorEquals": ["Work.Flaky"], "IntervalSeconds": 2, "BackoffRate": 2}],
            "ResultPath": "$.second", "End": true}}}),
    );
}

#[test]
fn map_and_parallel_resume_at_every_cut() {
    check_every_cut(json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
            "ItemProcessor": {"StartAt": "Do", "States": {
                "Do": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}], "Next": "Rest"},
                "Rest": {"Type": "Wait", "Seconds": 5, "End": true}}},
            "Next": "Both"},
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "Parameters": {"n": 10}, "End": true}}},
            {"StartAt": "R", "States": {"R": {"Type": "Wait", "Seconds": 3, "End": true}}}],
            "End": true}}}));
}

#[test]
fn a_callback_waits_on_the_same_token_after_a_resume() {
    let def = json!({"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}});
    let m = Arc::new(StateMachine::from_value(&def).unwrap());
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let s2 = sent.clone();
    let handlers = Handlers::new().prefix("arn:aws:states:::sqs:", move |req: TaskRequest| {
        let s = s2.clone();
        async move {
            s.lock().unwrap().push(req.task_token.clone().unwrap());
            Ok(json!({}))
        }
    });
    // First process: the message goes out, then the process "crashes".
    let first = Interpreter::builder()
        .handlers(handlers.clone())
        .clock(Arc::new(asl_interpreter::RealClock::new()))
        .build();
    let recorded = block_on(async {
        let h = first.start(m.clone(), config());
        while sent.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        h.history()
    });
    let token = sent.lock().unwrap()[0].clone();
    // Second process: resumed; the worker answers with the token it got the first time.
    let second = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(asl_interpreter::RealClock::new()))
        .build();
    let out = block_on(async {
        let h = second.resume(m, config(), recorded);
        while second
            .send_task_success(&token, json!({"ok": true}))
            .is_err()
        {
            tokio::task::yield_now().await;
        }
        h.outcome().await
    });
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(out.output.as_deref(), Some(r#"{"ok":true}"#));
    assert_valid(&out.history);
}

/// A redrive re-runs what failed and replays what had succeeded; the history keeps growing
/// from `ExecutionFailed` through `ExecutionRedriven` to a new end.
#[test]
fn a_redrive_reruns_only_what_failed() {
    let def = json!({"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "Parameters": {"n": 1}, "ResultPath": "$.first", "Next": "Second"},
        "Second": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "Parameters": {"n": 2, "broken": true}, "ResultPath": "$.second", "End": true}}});
    let fixed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = Arc::new(Mutex::new(Vec::<i64>::new()));
    let (f2, c2) = (fixed.clone(), calls.clone());
    let handlers = Handlers::new().function("work", move |req: TaskRequest| {
        let (fixed, calls) = (f2.clone(), c2.clone());
        async move {
            calls
                .lock()
                .unwrap()
                .push(req.parameters["n"].as_i64().unwrap());
            if req.parameters["broken"] == json!(true) && !fixed.load(Ordering::SeqCst) {
                return Err(TaskFailure::new("Work.Broken", "not yet"));
            }
            Ok(json!(req.parameters["n"]))
        }
    });
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        )))
        .build();
    let m = Arc::new(StateMachine::from_value(&def).unwrap());
    let failed = block_on(async { interp.start(m.clone(), config()).outcome().await });
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(*calls.lock().unwrap(), [1, 2]);
    fixed.store(true, Ordering::SeqCst);
    let redriven = block_on(async {
        interp
            .redrive(m, config(), failed.history.clone(), 1)
            .outcome()
            .await
    });
    assert_eq!(redriven.status, Status::Succeeded, "{redriven:?}");
    assert_eq!(*calls.lock().unwrap(), [1, 2, 2], "First is not run again");
    let out: Value = serde_json::from_str(redriven.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        (out["first"].clone(), out["second"].clone()),
        (json!(1), json!(2))
    );
    let h = &redriven.history;
    assert_eq!(&h[..failed.history.len()], &failed.history[..]);
    let types: Vec<&str> = h[failed.history.len()..]
        .iter()
        .map(|e| e.event_type.as_ref())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionRedriven",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    for (i, e) in h.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
    }
}

/// Runs (or resumes from `recorded`) `def` on a real clock, where the task with `"i": 0` takes
/// 60 ms and the others none: what ran first ends last.
fn run_slow_first(def: &Value, recorded: Vec<HistoryEvent>) -> Outcome {
    let handlers = Handlers::new().function("work", |req: TaskRequest| async move {
        if req.parameters["i"] == json!(0) {
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        }
        Ok(req.parameters.clone())
    });
    let m = Arc::new(StateMachine::from_value(def).unwrap());
    let interp = Interpreter::builder().handlers(handlers).build();
    block_on(async move {
        if recorded.is_empty() {
            interp.start(m, config()).outcome().await
        } else {
            interp.resume(m, config(), recorded).outcome().await
        }
    })
}

/// Iterations that end out of order (the first is slow): the iteration a freed slot starts
/// is chained to the one that ended, and a resume must start it from the same place, however
/// its own in-flight iterations end this time. At every cut, each iteration starts once and
/// each state of it is entered once.
#[test]
fn map_iterations_that_ended_out_of_order_resume_at_every_cut() {
    let def = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "MaxConcurrency": 2, "ItemSelector": {"i.$": "$$.Map.Item.Index"},
        "ItemProcessor": {"StartAt": "Nap", "States": {
            "Nap": {"Type": "Wait", "Seconds": 0, "Next": "Do"},
            "Do": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                   "Parameters": {"i.$": "$.i"}, "End": true}}},
        "End": true}}});
    let run = |recorded| run_slow_first(&def, recorded);
    let full = run(Vec::new());
    assert_eq!(full.status, Status::Succeeded, "{full:?}");
    let index_of = |e: &HistoryEvent| {
        e.details
            .as_ref()
            .map(|d| d.value())
            .and_then(|d| d.get("index").and_then(Value::as_u64))
    };
    let succeeded: Vec<Option<u64>> = full
        .history
        .iter()
        .filter(|e| e.event_type == "MapIterationSucceeded")
        .map(index_of)
        .collect();
    assert_eq!(
        succeeded,
        [Some(1), Some(2), Some(0)],
        "the first one ends last"
    );
    for k in 1..full.history.len() {
        let resumed = run(full.history[..k].to_vec());
        assert_eq!(resumed.status, Status::Succeeded, "cut {k}: {resumed:?}");
        assert_valid(&resumed.history);
        assert_eq!(counts(&resumed.history), counts(&full.history), "cut {k}");
    }
}

/// The same for Parallel branches: the first branch ends last, and its end is where the
/// state ends at every cut.
#[test]
fn parallel_branches_that_ended_out_of_order_resume_at_every_cut() {
    let task = |i: u64| {
        json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
               "Parameters": {"i": i}, "End": true})
    };
    let def = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "Slow", "States": {"Slow": task(0)}},
                     {"StartAt": "Fast", "States": {"Fast": task(1)}}]}}});
    let run = |recorded| run_slow_first(&def, recorded);
    let full = run(Vec::new());
    assert_eq!(full.status, Status::Succeeded, "{full:?}");
    for k in 1..full.history.len() {
        let resumed = run(full.history[..k].to_vec());
        assert_eq!(resumed.status, Status::Succeeded, "cut {k}: {resumed:?}");
        assert_valid(&resumed.history);
        assert_eq!(counts(&resumed.history), counts(&full.history), "cut {k}");
        assert_eq!(resumed.output, full.output, "cut {k}");
    }
}
