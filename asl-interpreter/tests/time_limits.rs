//! Times out of any range: a Wait or a timeout of 2^63 seconds, a path or expression giving
//! one, a retry backoff that overflows. None may panic; a Wait waits at most 99,999,999
//! seconds, and an Express execution runs for at most five minutes (AWS's quota).

mod common;

use asl_interpreter::{Handlers, Status};
use chrono::{DateTime, Utc};
use serde_json::json;

fn start() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

#[test]
fn waits_of_any_length_end_without_a_panic() {
    let max = i64::MAX.to_string();
    for (wait, input) in [
        (
            json!({"Type": "Wait", "Seconds": 9223372036854775807u64, "End": true}),
            "{}".to_string(),
        ),
        (
            json!({"Type": "Wait", "Seconds": 18446744073709551615u64, "End": true}),
            "{}".to_string(),
        ),
        (
            json!({"Type": "Wait", "SecondsPath": "$.s", "End": true}),
            format!("{{\"s\": {max}}}"),
        ),
        (
            json!({"Type": "Wait", "SecondsPath": "$.s", "End": true}),
            "{\"s\": 18446744073709551615}".to_string(),
        ),
        (
            json!({"Type": "Wait", "Timestamp": "9999-12-31T23:59:59Z", "End": true}),
            "{}".to_string(),
        ),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": wait}});
        let o = common::run_at(start(), Handlers::new(), def.clone(), &input);
        assert_eq!(o.status, Status::Succeeded, "{def}: {:?}", o.cause);
        let waited = o.stop_date - o.start_date;
        assert!(
            waited.num_seconds() <= 99_999_999 || def["States"]["W"].get("Timestamp").is_some(),
            "{def}: {waited}"
        );
    }
}

#[test]
fn a_wait_longer_than_the_limit_waits_the_limit() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 9223372036854775807u64, "End": true}}});
    let o = common::run_at(start(), Handlers::new(), def, "{}");
    assert_eq!((o.stop_date - o.start_date).num_seconds(), 99_999_999);
}

#[test]
fn timeouts_of_any_length_do_not_panic() {
    for timeout in [9223372036854775807u64, 18446744073709551615u64, 99_999_999] {
        let def = json!({"TimeoutSeconds": timeout, "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}});
        let o = common::run_at(start(), Handlers::new(), def, "{}");
        assert_eq!(o.status, Status::Succeeded, "{timeout}");
    }
}

#[test]
fn retries_whose_backoff_overflows_do_not_panic() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "missing"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99999999, "BackoffRate": 1e308, "MaxAttempts": 5}],
        "End": true}}});
    let o = common::run_at(start(), Handlers::new(), def, "{}");
    assert_eq!(o.status, Status::Failed);
}

#[test]
fn an_express_execution_times_out_after_five_minutes() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "End": true}}});
    let interp = asl_interpreter::Interpreter::builder()
        .clock(std::sync::Arc::new(asl_interpreter::VirtualClock::new(
            start(),
        )))
        .build();
    let mut config = common::config("{}");
    config.execution_type = asl_interpreter::ExecutionType::Express;
    let o = common::block_on(interp.run(common::machine(def.clone()), config.clone()));
    assert_eq!(o.status, Status::TimedOut);
    assert_eq!((o.stop_date - o.start_date).num_seconds(), 300);
    // Under five minutes it finishes; a shorter TimeoutSeconds still applies.
    let short =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 299, "End": true}}});
    let o = common::block_on(interp.run(common::machine(short), config.clone()));
    assert_eq!(o.status, Status::Succeeded);
    let tight = json!({"TimeoutSeconds": 60, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 200, "End": true}}});
    let o = common::block_on(interp.run(common::machine(tight), config));
    assert_eq!(o.status, Status::TimedOut);
    assert_eq!((o.stop_date - o.start_date).num_seconds(), 60);
}
