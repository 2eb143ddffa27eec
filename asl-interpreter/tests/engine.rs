//! End-to-end behaviour of the engine: histories, virtual time, retries, timeouts, Map/Parallel.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use asl_interpreter::{
    Clock, Handlers, HistoryEvent, Interpreter, Outcome, Status, TaskFailure, TaskRequest,
    VirtualClock,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;
use common::{block_on, config, machine};

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap()
}

fn run_with(handlers: Handlers, def: Value, input: &str) -> Outcome {
    common::run_at(start(), handlers, def, input)
}

/// `id prev type +seconds` per event, for readable snapshots.
fn outline(events: &[HistoryEvent]) -> String {
    events
        .iter()
        .map(|e| {
            let secs = (e.timestamp - start()).num_milliseconds() as f64 / 1000.0;
            format!(
                "{:>3} {:>3} +{secs:<6} {}",
                e.id, e.previous_event_id, e.event_type
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn times_of(events: &[HistoryEvent], ty: &str) -> Vec<i64> {
    events
        .iter()
        .filter(|e| e.event_type == ty)
        .map(|e| (e.timestamp - start()).num_seconds())
        .collect()
}

/// A handler failing `n` times, then returning its parameters.
fn flaky(
    n: usize,
    error: &'static str,
) -> impl Fn(TaskRequest) -> std::future::Ready<Result<Value, TaskFailure>> {
    let calls = Arc::new(AtomicUsize::new(0));
    move |req: TaskRequest| {
        let k = calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(if k < n {
            Err(TaskFailure::new(error, format!("attempt {k} failed")))
        } else {
            Ok(req.parameters)
        })
    }
}

#[test]
fn retry_backoff_is_exact_in_virtual_time() {
    let def = json!({
        "StartAt": "Generate",
        "TimeoutSeconds": 900,
        "States": {
            "Generate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "ai", "Payload.$": "$"},
                "TimeoutSeconds": 120,
                "Retry": [{"ErrorEquals": ["AI.Throttled"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}],
                "End": true
            }
        }
    });
    let wall = std::time::Instant::now();
    let out = run_with(
        Handlers::new().function("ai", flaky(3, "AI.Throttled")),
        def,
        r#"{"a": 1}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(times_of(&out.history, "TaskScheduled"), vec![0, 2, 6, 14]);
    // 14 virtual seconds; the bound is loose because a loaded CI machine is slow, not wrong.
    assert!(wall.elapsed() < Duration::from_secs(10));
    insta::assert_snapshot!(outline(&out.history));
}

#[test]
fn exhausted_retries_are_caught_with_error_output() {
    let def = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": true
            },
            "Handled": {"Type": "Pass", "End": true}
        }
    });
    let out = run_with(
        Handlers::new().function("f", flaky(10, "Boom")),
        def,
        r#"{"x":1}"#,
    );
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(
        out.output.as_deref(),
        Some(r#"{"x":1,"error":{"Error":"Boom","Cause":"attempt 2 failed"}}"#)
    );
    assert_eq!(
        times_of(&out.history, "LambdaFunctionScheduled"),
        vec![0, 1, 3]
    );
    insta::assert_snapshot!(outline(&out.history));
}

#[test]
fn parallel_branches_retry_with_backoff_in_milliseconds() {
    let branches: Vec<Value> = (0..10)
        .map(|i| {
            json!({"StartAt": "T", "States": {"T": {
                "Type": "Task",
                "Resource": format!("arn:aws:lambda:us-east-1:123456789012:function:f{i}"),
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}],
                "End": true}}})
        })
        .collect();
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}});
    let mut handlers = Handlers::new();
    for i in 0..10 {
        handlers = handlers.function(format!("f{i}"), flaky(2, "Transient"));
    }
    let out = run_with(handlers, def, "{}");
    assert_eq!(out.status, Status::Succeeded);
    let mut scheduled = times_of(&out.history, "LambdaFunctionScheduled");
    scheduled.sort();
    assert_eq!(scheduled, [vec![0; 10], vec![1; 10], vec![3; 10]].concat());
    assert_eq!(out.stop_date - out.start_date, chrono::Duration::seconds(3));
}

#[test]
fn execution_timeout_ends_timed_out() {
    let def = json!({"StartAt": "W", "TimeoutSeconds": 900, "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let out = run_with(Handlers::new(), def, "{}");
    assert_eq!(out.status, Status::TimedOut);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(
        out.stop_date - out.start_date,
        chrono::Duration::seconds(900)
    );
    insta::assert_snapshot!(outline(&out.history));
}

/// A function handler is the function: `lambda:invoke` hands it the `Payload` and wraps its
/// result in the service response; a function ARN gets and returns the bare payload.
#[test]
fn function_handlers_see_the_payload_and_invoke_wraps_the_result() {
    let def = json!({"StartAt": "Invoke", "States": {
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:double", "Payload": {"n.$": "$.n"}},
            "ResultSelector": {"n.$": "$.Payload.n", "code.$": "$.StatusCode", "v.$": "$.ExecutedVersion"},
            "Next": "Direct"},
        "Direct": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": true}}});
    let double = |req: TaskRequest| async move {
        Ok(json!({"n": req.parameters["n"].as_i64().unwrap_or(0) * 2}))
    };
    let out = run_with(
        Handlers::new().function("double", double),
        def,
        r#"{"n": 3}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(out.output.as_deref(), Some(r#"{"n":12}"#));
    let exited = out
        .history
        .iter()
        .find(|e| e.event_type == "TaskStateExited")
        .unwrap();
    assert_eq!(
        exited.details.as_ref().unwrap().value()["output"],
        json!(r#"{"n":6,"code":200,"v":"$LATEST"}"#)
    );
}

#[test]
fn slow_handler_hits_task_timeout_without_waiting() {
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "slow"}, "TimeoutSeconds": 120,
        "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 1}],
        "End": true}}});
    let slow = |req: TaskRequest| async move {
        req.sleep(Duration::from_secs(600)).await;
        Ok(json!("late"))
    };
    let wall = std::time::Instant::now();
    let out = run_with(Handlers::new().function("slow", slow), def, "{}");
    // 120 virtual seconds of timeout; the bound is loose for loaded CI machines.
    assert!(wall.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(times_of(&out.history, "TaskTimedOut"), vec![120, 242]);
}

#[test]
fn missing_handler_fails_like_a_missing_lambda() {
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:nope", "End": true}}});
    let out = run_with(Handlers::new(), def, "{}");
    assert_eq!(out.status, Status::Failed);
    assert_eq!(
        out.error.as_deref(),
        Some("Lambda.ResourceNotFoundException")
    );
}

/// `States.Runtime` is terminal: neither a Retry nor a Catch handles it, even one naming it
/// (as AWS recorded for a Catch on `["States.Runtime"]`).
#[test]
fn runtime_errors_are_neither_retried_nor_caught() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "OutputPath": "$.no.such.path",
              "Retry": [{"ErrorEquals": ["States.Runtime"]}, {"ErrorEquals": ["States.ALL"]}],
              "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "Caught"},
                        {"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
              "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let out = run_with(Handlers::new().function("f", flaky(0, "")), def, "{}");
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    let types: Vec<&str> = out.history.iter().map(|e| e.event_type.as_ref()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "ExecutionFailed"
        ]
    );
}

#[test]
fn runtime_errors_carry_the_state_prefix() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.missing", "End": true}}});
    let out = run_with(Handlers::new(), def, "{}");
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']"
        )
    );
}

#[test]
fn stop_aborts_a_waiting_execution() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}});
    let clock = Arc::new(VirtualClock::new(start()));
    let interp = Interpreter::builder().clock(clock.clone()).build();
    let out = block_on(async {
        // Hold the clock so the Wait cannot complete before the stop arrives.
        let busy = clock.busy();
        let handle = interp.start(machine(def), config("{}"));
        tokio::task::yield_now().await;
        handle.stop(Some("Cancelled".into()), Some("user pressed stop".into()));
        drop(busy);
        handle.outcome().await
    });
    assert_eq!(out.status, Status::Aborted);
    assert_eq!(out.error.as_deref(), Some("Cancelled"));
    let types: Vec<_> = out.history.iter().map(|e| e.event_type.as_ref()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateAborted",
            "ExecutionAborted"
        ]
    );
}

#[test]
fn wait_for_task_token_completes_by_callback() {
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}});
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let send = move |req: TaskRequest| {
        let tx = tx.clone();
        async move {
            let token = req.parameters["MessageBody"]["token"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(Some(&token), req.task_token.as_ref());
            tx.send(token).unwrap();
            Ok(json!({"MessageId": "1"}))
        }
    };
    let interp = Interpreter::builder()
        .handlers(Handlers::new().prefix("arn:aws:states:::sqs:", send))
        .clock(Arc::new(asl_interpreter::RealClock::new()))
        .build();
    let out = block_on(async {
        let handle = interp.start(machine(def), config("{}"));
        let token = rx.recv().await.unwrap();
        interp
            .send_task_success(&token, json!({"done": true}))
            .unwrap();
        assert!(interp.send_task_success(&token, json!(1)).is_err());
        handle.outcome().await
    });
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.output.as_deref(), Some(r#"{"done":true}"#));
}

/// An activity: the handler returns when a worker takes the task; the worker answers with the
/// token it was given, even before the engine polls again.
#[test]
fn activity_is_started_by_a_worker_and_answered_by_token() {
    let arn = "arn:aws:states:us-east-1:123456789012:activity:review";
    let def = json!({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": arn, "HeartbeatSeconds": 60, "End": true}}});
    let interp = Arc::new(std::sync::OnceLock::<Interpreter>::new());
    let i2 = interp.clone();
    let worker = move |req: TaskRequest| {
        let interp = i2.clone();
        async move {
            let token = req.task_token.clone().expect("activities get a token");
            // The worker answers at once, before the handler has returned.
            interp
                .get()
                .unwrap()
                .send_task_success(&token, json!({"reviewed": req.parameters["doc"]}))
                .unwrap();
            Ok(json!({"workerName": "reviewer-1"}))
        }
    };
    let built = Interpreter::builder()
        .handlers(Handlers::new().resource(arn, worker))
        .clock(Arc::new(asl_interpreter::RealClock::new()))
        .build();
    assert!(interp.set(built).is_ok());
    let out = block_on(
        interp
            .get()
            .unwrap()
            .run(machine(def), config(r#"{"doc": 7}"#)),
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(out.output.as_deref(), Some(r#"{"reviewed":7}"#));
    let types: Vec<&str> = out.history.iter().map(|e| e.event_type.as_ref()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let started = &out.history[3].details.as_ref().unwrap();
    assert_eq!(started.value(), json!({"workerName": "reviewer-1"}));
}

#[test]
fn variables_are_scoped_and_recorded() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"n": 2, "items": [1, 2, 3]}, "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $items %}", "ItemProcessor": {"StartAt": "X", "States": {
            "X": {"Type": "Pass", "Output": "{% $states.input * $n %}", "End": true}}},
            "Output": "{% $sum($states.result) %}", "End": true}}});
    let out = run_with(Handlers::new(), def, "{}");
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(out.output.as_deref(), Some("12"));
    let exited = out
        .history
        .iter()
        .find(|e| e.event_type == "PassStateExited")
        .unwrap();
    let details = &exited.details.as_ref().unwrap().value();
    assert_eq!(
        details["assignedVariables"],
        json!({"n": "2", "items": "[1,2,3]"})
    );
}

/// A timer that ends on the very instant of the execution timeout loses to the timeout.
#[test]
fn timeout_on_the_same_instant_as_a_wait_times_out() {
    for (timeout, wait) in [(30, 30), (1, 1), (5, 5)] {
        let def = json!({"StartAt": "P", "TimeoutSeconds": timeout, "States": {"P": {"Type": "Parallel",
            "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": wait, "End": true}}}],
            "End": true}}});
        let out = run_with(Handlers::new(), def, "{}");
        assert_eq!(
            out.status,
            Status::TimedOut,
            "timeout {timeout}, wait {wait}"
        );
        assert_eq!((out.stop_date - out.start_date).num_seconds(), timeout);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]

    /// Map keeps item order and never runs more iterations at once than MaxConcurrency.
    #[test]
    fn map_preserves_order_and_bounds_concurrency(n in 0usize..40, max in 0u64..6) {
        let def = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "MaxConcurrency": max,
            "ItemProcessor": {"StartAt": "T", "States": {"T": {
                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true}}},
            "End": true}}});
        let inflight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (i2, p2) = (inflight.clone(), peak.clone());
        let work = move |req: TaskRequest| {
            let (inflight, peak) = (i2.clone(), p2.clone());
            async move {
                let now = inflight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                req.sleep(Duration::from_secs(1)).await;
                inflight.fetch_sub(1, Ordering::SeqCst);
                Ok(req.parameters)
            }
        };
        let items: Vec<u64> = (0..n as u64).collect();
        let out = run_with(Handlers::new().function("work", work), def, &serde_json::to_string(&items).unwrap());
        proptest::prop_assert_eq!(out.status, Status::Succeeded);
        proptest::prop_assert_eq!(out.output.unwrap(), serde_json::to_string(&items).unwrap());
        if max > 0 {
            proptest::prop_assert!(peak.load(Ordering::SeqCst) <= max as usize);
        }
    }

    /// Whatever the branches do, a workflow timeout ends the execution TIMED_OUT at exactly
    /// the timeout.
    #[test]
    fn workflow_timeout_always_wins(timeout in 1u64..100, waits in proptest::collection::vec(0u64..300, 1..5)) {
        let longest = *waits.iter().max().unwrap();
        let branches: Vec<Value> = waits.iter().map(|w| json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": w, "End": true}}})).collect();
        let def = json!({"StartAt": "P", "TimeoutSeconds": timeout, "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}});
        let out = run_with(Handlers::new(), def, "{}");
        if longest < timeout {
            proptest::prop_assert_eq!(out.status, Status::Succeeded);
        } else {
            proptest::prop_assert_eq!(out.status, Status::TimedOut);
            proptest::prop_assert_eq!((out.stop_date - out.start_date).num_seconds(), timeout as i64);
        }
    }
}

/// Executions sharing one virtual clock: time moves only when all of them wait, so a short
/// one is not dragged along by a long one's timers.
#[test]
fn executions_on_one_virtual_clock_do_not_push_each_other_in_time() {
    let long = json!({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 10, "Next": "B"},
        "B": {"Type": "Wait", "Seconds": 100, "End": true}}});
    let short = json!({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 10, "Next": "B"},
        "B": {"Type": "Pass", "End": true}}});
    let interp = Interpreter::builder()
        .clock(Arc::new(VirtualClock::new(start())))
        .build();
    let (l, s) = block_on(async {
        let l = interp.start(machine(long), config("{}"));
        let s = interp.start(machine(short), config("{}"));
        (l.outcome().await, s.outcome().await)
    });
    assert_eq!((l.stop_date - l.start_date).num_seconds(), 110);
    assert_eq!((s.stop_date - s.start_date).num_seconds(), 10);
}

/// Work that is ready to run is never overtaken by time: a long Choice/Pass loop under a short
/// execution timeout finishes at +0 (it yields to the scheduler now and then, which is not
/// waiting), and nested Maps start all their Waits at once.
#[test]
fn time_does_not_move_while_work_is_runnable() {
    let mut states = serde_json::Map::new();
    states.insert(
        "Init".into(),
        json!({"Type": "Pass", "Result": {"i": 0}, "Next": "Loop"}),
    );
    states.insert("Loop".into(), json!({"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 100, "Next": "Inc"}], "Default": "Done"}));
    states.insert(
        "Inc".into(),
        json!({"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Loop"}),
    );
    states.insert("Done".into(), json!({"Type": "Succeed"}));
    let def = json!({"StartAt": "Init", "TimeoutSeconds": 10, "States": states});
    let out = run_with(Handlers::new(), def, "{}");
    assert_eq!(out.status, Status::Succeeded, "{:?}", out.error);
    assert_eq!((out.stop_date - out.start_date).num_seconds(), 0);

    let nested = json!({"StartAt": "Outer", "States": {"Outer": {"Type": "Map", "MaxConcurrency": 3,
        "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Map", "ItemsPath": "$.pair",
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}},
            "End": true}}}, "End": true}}});
    let input = json!([{"pair": [1, 2]}, {"pair": [1, 2]}, {"pair": [1, 2]}]).to_string();
    let out = run_with(Handlers::new(), nested, &input);
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!((out.stop_date - out.start_date).num_seconds(), 10);
    assert_eq!(times_of(&out.history, "WaitStateEntered"), vec![0; 6]);
}

/// ItemBatcher: each iteration gets `{"BatchInput", "Items"}` with at most MaxItemsPerBatch
/// items (through the ItemSelector), in order; MaxInputBytesPerBatch bounds a batch's size.
#[test]
fn item_batcher_groups_items_in_order() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "ItemBatcher": {"MaxItemsPerBatch": 3, "BatchInput": {"goal.$": "$.goal"}},
        "ItemsPath": "$.items", "End": true}}});
    let out = run_with(
        Handlers::new(),
        def,
        r#"{"goal": "g", "items": ["a","b","c","d","e","f","g","h"]}"#,
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    let v: Value = serde_json::from_str(out.output.as_deref().unwrap()).unwrap();
    let sizes: Vec<usize> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["Items"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [3, 3, 2]);
    assert_eq!(v[0]["BatchInput"], json!({"goal": "g"}));
    assert_eq!(
        v[2]["Items"],
        json!([{"v": "g", "i": 6}, {"v": "h", "i": 7}])
    );

    // Each item is 22 bytes of JSON: 50 bytes hold two.
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ItemBatcher": {"MaxInputBytesPerBatch": 50}, "End": true}}});
    let items = json!([{"name": "item-0001x"}, {"name": "item-0002x"}, {"name": "item-0003x"}]);
    let out = run_with(Handlers::new(), def, &items.to_string());
    let v: Value = serde_json::from_str(out.output.as_deref().unwrap()).unwrap();
    let sizes: Vec<usize> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["Items"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [2, 1]);
}

fn run_limited(handlers: Handlers, def: Value, input: &str, max_payload_bytes: usize) -> Outcome {
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::new(start())))
        .limits(asl_interpreter::Limits {
            max_payload_bytes,
            ..Default::default()
        })
        .build();
    block_on(interp.run(machine(def), config(input)))
}

#[test]
fn state_output_over_the_payload_limit_fails_the_state() {
    let def = json!({"StartAt": "Big", "States": {
        "Big": {"Type": "Pass", "Result": {"text": "x".repeat(100)}, "End": true}}});
    let out = run_limited(Handlers::new(), def, "{}", 64);
    assert_eq!(out.status, Status::Failed);
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit."
        )
    );
    let types: Vec<&str> = out.history.iter().map(|e| e.event_type.as_ref()).collect();
    assert_eq!(
        types,
        ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
    );

    // A Parallel's output is its branches' outputs together; named explicitly, a Catch
    // handles it.
    let branch = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": "x".repeat(30), "End": true}}});
    let caught = json!({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Branches": [branch.clone(), branch], "Next": "Never",
                 "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "ResultPath": null,
                            "Next": "Small"}]},
        "Never": {"Type": "Succeed"},
        "Small": {"Type": "Pass", "Result": "ok", "End": true}}});
    let out = run_limited(Handlers::new(), caught, "{}", 64);
    assert_eq!(
        out.status,
        Status::Succeeded,
        "{:?} {:?}",
        out.error,
        out.cause
    );
    assert_eq!(out.output.as_deref(), Some(r#""ok""#));
}

#[test]
fn task_parameters_over_the_payload_limit_fail_before_scheduling() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let handlers =
        Handlers::new().resource("arn:aws:states:::lambda:invoke", move |req: TaskRequest| {
            seen.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(req.parameters))
        });
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true}}});
    let input = json!({"blob": "y".repeat(200)}).to_string();
    let out = run_limited(handlers, def, &input, 128);
    assert_eq!(out.error.as_deref(), Some("States.DataLimitExceeded"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            "The state/task 'Call' provided parameters with a size exceeding the maximum number of bytes service limit."
        )
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(!out.history.iter().any(|e| e.event_type == "TaskScheduled"));
}
