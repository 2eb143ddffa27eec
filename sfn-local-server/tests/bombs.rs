//! Hostile definitions: JSONata expressions that would exhaust time, stack or memory, run under
//! the `sfn-local` allocator. Each fails its state with `States.QueryEvaluationError` and a
//! cause that names the limit, and a `Catch` handles it like any other error; the process
//! stays up. Limits are asserted as errors, never as timings.

use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{ExecutionConfig, Interpreter, Outcome, Status, VirtualClock};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

fn run(def: Value) -> Outcome {
    let sm = Arc::new(StateMachine::from_value(&def).expect("valid definition"));
    let interp = Interpreter::builder()
        .clock(Arc::new(VirtualClock::new(chrono::Utc::now())))
        .build();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(interp.run(
            sm,
            ExecutionConfig {
                input_text: "{}".into(),
                ..Default::default()
            },
        ))
}

/// A JSONata machine whose one Pass state outputs `expr`.
fn pass(expr: &str) -> Value {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Bomb",
        "States": {"Bomb": {"Type": "Pass", "Output": format!("{{% {expr} %}}"), "End": true}}
    })
}

/// The same, with a Catch on `States.QueryEvaluationError` leading to a Pass that keeps the
/// error output.
fn caught(expr: &str) -> Value {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Bomb",
        "States": {
            "Bomb": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": format!("{{% {expr} %}}")},
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Handled",
                           "Output": "{% $states.errorOutput %}"}],
                "End": true},
            "Handled": {"Type": "Pass", "End": true}
        }
    })
}

fn assert_query_error(o: &Outcome, needle: &str) {
    assert_eq!(o.status, Status::Failed, "{o:?}");
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
    let cause = o.cause.as_deref().unwrap_or_default();
    assert!(cause.contains(needle), "cause {cause:?} lacks {needle:?}");
}

#[test]
fn a_string_doubled_forty_times_hits_the_memory_limit() {
    let o = run(pass(
        r#"$reduce([1..40], function($acc, $i){ $acc & $acc }, "xxxxxxxxxxxxxxxx")"#,
    ));
    assert_query_error(&o, "U1004");
    assert!(o.cause.unwrap().contains("bytes of memory"));
}

#[test]
fn nested_ranges_hit_the_sequence_limit() {
    let o = run(pass("$map([1..1000], function($i){ [1..10000000] })"));
    assert_query_error(&o, "D2015");
}

#[test]
fn huge_ranges_hit_a_limit() {
    // JSONata's own bound on one range (10,000,000 items; AWS runs jsonata-js).
    let o = run(pass("$count([1..100000000])"));
    assert_query_error(&o, "D2014");
    // Below it, the sequence limit (1,000,000 items).
    let o = run(pass("$count([1..5000000])"));
    assert_query_error(&o, "D2015");
}

#[test]
fn deep_recursion_hits_the_depth_limit() {
    let o = run(pass(
        "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200000))",
    ));
    assert_query_error(&o, "D1011");
}

#[test]
fn a_self_applying_function_hits_a_limit() {
    asl_core::jsonata::budget::set_thread_limits(Some(asl_core::jsonata::budget::JsonataLimits {
        timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    }));
    let o = run(pass("(function($f){ $f($f) })(function($f){ $f($f) })"));
    asl_core::jsonata::budget::set_thread_limits(None);
    assert_eq!(o.status, Status::Failed, "{o:?}");
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
}

#[test]
fn an_endless_tail_call_loop_hits_the_time_limit() {
    // The engine runs on this thread (a current-thread runtime).
    asl_core::jsonata::budget::set_thread_limits(Some(asl_core::jsonata::budget::JsonataLimits {
        timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    }));
    let o = run(pass("($f := function($n){ $f($n + 1) }; $f(0))"));
    asl_core::jsonata::budget::set_thread_limits(None);
    assert_eq!(o.status, Status::Failed, "{o:?}");
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
    let cause = o.cause.unwrap();
    assert!(
        cause.contains("D1012") || cause.contains("D1011"),
        "{cause}"
    );
}

#[test]
fn brackets_five_thousand_deep_are_refused_at_definition_time() {
    let expr = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let err = StateMachine::from_value(&pass(&expr)).unwrap_err();
    assert!(
        err.to_string().contains("more than 200 levels deep"),
        "{err}"
    );
}

#[test]
fn the_limits_are_catchable_errors() {
    for expr in [
        r#"$reduce([1..40], function($acc, $i){ $acc & $acc }, "xxxxxxxxxxxxxxxx")"#,
        "$map([1..1000], function($i){ [1..10000000] })",
        "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200000))",
    ] {
        let o = run(caught(expr));
        assert_eq!(o.status, Status::Succeeded, "{expr}: {o:?}");
        let out: Value = serde_json::from_str(o.output.as_deref().unwrap()).unwrap();
        assert_eq!(out["Error"], "States.QueryEvaluationError", "{expr}");
    }
}

#[test]
fn memory_is_accounted_per_evaluation() {
    // Many evaluations that each stay under the limit never add up to a failure.
    let o = run(json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Loop"},
            "Loop": {"Type": "Pass",
                "Output": "{% $reduce([1..20], function($acc, $i){ $acc & $acc }, \"xxxxxxxx\") ~> $length %}",
                "Assign": {"n": "{% $n + 1 %}"},
                "Next": "Again"},
            "Again": {"Type": "Choice",
                "Choices": [{"Condition": "{% $n < 50 %}", "Next": "Loop"}],
                "Default": "Done"},
            "Done": {"Type": "Succeed"}
        }
    }));
    assert_eq!(o.status, Status::Succeeded, "{o:?}");
    assert_eq!(o.output.as_deref(), Some("8388608"));
}

#[test]
fn a_huge_pad_is_refused_before_it_is_built() {
    for expr in [
        "$pad('x', 1000000000)",
        "$pad('x', -1000000000)",
        "$pad('x', 9007199254740993, 'ab')",
    ] {
        assert_query_error(&run(pass(expr)), "U1004");
    }
}

#[test]
fn a_doubling_append_hits_a_limit() {
    let o = run(pass(
        "$reduce([1..64], function($a, $v){ $append($a, $a) }, [1])",
    ));
    assert_eq!(o.status, Status::Failed, "{o:?}");
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
    let cause = o.cause.unwrap();
    assert!(
        cause.contains("D2015") || cause.contains("U1004"),
        "{cause}"
    );
}
