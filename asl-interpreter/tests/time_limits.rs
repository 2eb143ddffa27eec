//! Times out of any range: a Wait or a timeout of 2^63 seconds, a path or expression giving
//! one, a retry backoff that overflows. None may panic. A Standard execution runs for at most
//! a year and an Express one for at most five minutes (AWS's quotas: "If an execution runs
//! for more than the 1-year maximum, it will fail with a States.Timeout error"; the state-wait
//! page: "the maximum wait time that you can specify for Standard Workflows and Express
//! workflows is one year and five minutes respectively"), so a longer Wait ends in
//! `ExecutionTimedOut` at that limit.

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
        assert_eq!(o.status, Status::TimedOut, "{def}: {:?}", o.cause);
        assert_eq!((o.stop_date - o.start_date).num_seconds(), YEAR, "{def}");
    }
}

/// 365 days, in seconds.
const YEAR: i64 = 365 * 24 * 60 * 60;

#[test]
fn a_wait_beyond_a_year_times_the_execution_out_at_a_year() {
    for wait in [
        json!({"Type": "Wait", "Seconds": YEAR + 1, "End": true}),
        json!({"Type": "Wait", "Seconds": 99_999_999, "End": true}),
        json!({"Type": "Wait", "Timestamp": "2027-01-01T00:00:01Z", "End": true}),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": wait}});
        let o = common::run_at(start(), Handlers::new(), def.clone(), "{}");
        assert_eq!(o.status, Status::TimedOut, "{def}");
        assert_eq!(o.error.as_deref(), Some("States.Timeout"));
        assert_eq!((o.stop_date - o.start_date).num_seconds(), YEAR);
        let types: Vec<String> = o.history.iter().map(|e| e.event_type.to_string()).collect();
        assert_eq!(
            types,
            ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"],
            "{def}"
        );
    }
    // Just under a year (2026 has 365 days) the Wait ends and the execution succeeds.
    for (wait, status) in [
        (
            json!({"Type": "Wait", "Seconds": YEAR - 1, "End": true}),
            Status::Succeeded,
        ),
        (
            json!({"Type": "Wait", "Timestamp": "2026-12-31T23:59:59Z", "End": true}),
            Status::Succeeded,
        ),
    ] {
        let def = json!({"StartAt": "W", "States": {"W": wait}});
        let o = common::run_at(start(), Handlers::new(), def.clone(), "{}");
        assert_eq!(o.status, status, "{def}");
    }
    // A TimeoutSeconds longer than a year is held to a year too.
    let def = json!({"TimeoutSeconds": 99_999_999, "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 99_999_999, "End": true}}});
    let o = common::run_at(start(), Handlers::new(), def, "{}");
    assert_eq!((o.stop_date - o.start_date).num_seconds(), YEAR);
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
    // The backoffs run past the year a Standard execution may last.
    assert_eq!(o.status, Status::TimedOut);
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
