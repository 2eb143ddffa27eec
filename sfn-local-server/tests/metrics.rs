//! `GET /metrics`: the Step Functions execution metrics in the Prometheus text format, read
//! with a Prometheus text parser after executions that succeed, fail, time out, are stopped
//! and are redriven; the counters survive a restart of the server on the same store.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{TempDir, create, http_get, ok, spawn, wait_closed};
use prometheus_parse::{Scrape, Value as Sample};
use serde_json::json;

fn scrape(endpoint: &str) -> Scrape {
    let (status, head, body) = http_get(endpoint, "/metrics", None);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).expect("the Prometheus text format")
}

/// The counters of one state machine, by metric name.
fn counters(s: &Scrape, sm: &str) -> HashMap<String, f64> {
    s.samples
        .iter()
        .filter(|x| x.labels.get("StateMachineArn") == Some(sm))
        .filter_map(|x| match &x.value {
            Sample::Counter(v) | Sample::Untyped(v) => Some((x.metric.clone(), *v)),
            _ => None,
        })
        .collect()
}

/// How many closes `ExecutionTime` counted for one state machine (its `+Inf` bucket).
fn time(s: &Scrape, sm: &str) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == "ExecutionTime" && x.labels.get("StateMachineArn") == Some(sm))
        .find_map(|x| match &x.value {
            Sample::Histogram(h) => Some(h.iter().map(|b| b.count).fold(0.0, f64::max)),
            _ => None,
        })
        .unwrap_or(0.0)
}

fn start(e: &str, sm: &str, end: &str) -> String {
    common::start(e, sm, &json!({"end": end}))
}

/// Waits until the metrics show `n` closed executions of `sm` (they are counted as each end is
/// stored).
fn settled(e: &str, sm: &str, n: f64) -> Scrape {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = scrape(e);
        if time(&s, sm) >= n || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn execution_metrics_count_every_end_and_survive_a_restart() {
    let dir = TempDir::new("metrics");
    let p = spawn(&["--data-dir", dir.arg()]);
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "measured",
        &json!({"StartAt": "Pick", "TimeoutSeconds": 1, "States": {
            "Pick": {"Type": "Choice", "Choices": [
                {"Variable": "$.end", "StringEquals": "fail", "Next": "Fail"},
                {"Variable": "$.end", "StringEquals": "wait", "Next": "Wait"}], "Default": "Done"},
            "Fail": {"Type": "Fail", "Error": "Broke"},
            "Wait": {"Type": "Wait", "Seconds": 30, "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let waits = create(
        e,
        "stopped",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}),
    );
    for end in ["ok", "ok", "fail", "wait"] {
        let x = start(e, &sm, end);
        wait_closed(e, &x);
    }
    let failed = start(e, &sm, "fail");
    wait_closed(e, &failed);
    ok(e, "RedriveExecution", json!({"executionArn": failed}));
    wait_closed(e, &failed);
    let stopped = start(e, &waits, "");
    ok(e, "StopExecution", json!({"executionArn": stopped}));
    wait_closed(e, &stopped);

    let s = settled(e, &sm, 6.0);
    let c = counters(&s, &sm);
    let expected = [
        ("ExecutionsStarted", 5.0),
        ("ExecutionsSucceeded", 2.0),
        ("ExecutionsFailed", 3.0),
        ("ExecutionsTimedOut", 1.0),
        ("ExecutionsRedriven", 1.0),
        ("RedrivenExecutionsFailed", 1.0),
    ];
    for (name, n) in expected {
        assert_eq!(c.get(name), Some(&n), "{name}: {c:?}");
    }
    assert_eq!(c.get("ExecutionsAborted"), None, "{c:?}");
    assert_eq!(time(&s, &sm), 6.0, "one ExecutionTime per close");
    let s = settled(e, &waits, 1.0);
    assert_eq!(counters(&s, &waits).get("ExecutionsAborted"), Some(&1.0));
    // Every family has its HELP and TYPE.
    let types: HashMap<&str, &str> = [
        ("ExecutionsStarted", "counter"),
        ("ExecutionTime", "histogram"),
    ]
    .into();
    for (name, _) in types {
        assert!(s.docs.contains_key(name), "{name}: {:?}", s.docs);
    }
    // Stopped, the server stores the counters (summed in memory, they are stored twice a
    // second: a crash loses what was counted since); a restart keeps them, and the next
    // execution adds to them.
    p.terminate();
    let p = spawn(&["--data-dir", dir.arg()]);
    let e = p.endpoint.as_str();
    let again = counters(&scrape(e), &sm);
    assert_eq!(again, c, "the counters survive a restart");
    let x = start(e, &sm, "ok");
    wait_closed(e, &x);
    let s = settled(e, &sm, 7.0);
    let c = counters(&s, &sm);
    assert_eq!(c.get("ExecutionsStarted"), Some(&6.0));
    assert_eq!(c.get("ExecutionsSucceeded"), Some(&3.0));
    p.terminate();

    // `sfn-local metrics`: one row per state machine; 3 failed + 1 timed out of 7 closes.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .args(["metrics", "--data-dir", dir.arg()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("measured "))
        .expect("a row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        ["measured", "6", "3", "3", "1", "0", "1", "57.1"],
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("stopped ")), "{text}");
}

/// The samples of metric `name` whose `label` is `value`: counters' values, histograms' counts.
fn samples_of(s: &Scrape, name: &str, label: &str, value: &str) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == name && x.labels.get(label) == Some(value))
        .map(|x| match &x.value {
            Sample::Counter(v) | Sample::Untyped(v) => *v,
            Sample::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
            _ => 0.0,
        })
        .sum()
}

#[test]
fn task_metrics_count_activities_and_service_integrations_by_resource() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let activity = ok(e, "CreateActivity", json!({"name": "work"}))["activityArn"]
        .as_str()
        .unwrap()
        .to_string();
    let sm = create(
        e,
        "tasks",
        &json!({"StartAt": "Publish", "States": {
            "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "hi"},
                "ResultPath": null, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 60, "End": true}}}),
    );
    let x = common::start(e, &sm, &json!({}));
    let task = ok(e, "GetActivityTask", json!({"activityArn": activity}));
    let token = task["taskToken"].as_str().expect("a task");
    ok(
        e,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{\"done\":true}"}),
    );
    assert_eq!(wait_closed(e, &x)["status"], "SUCCEEDED");
    let s = settled(e, &sm, 1.0);
    let sns = "arn:aws:states:::sns:publish";
    let dim = "ServiceIntegrationResourceArn";
    for (name, label, value, n) in [
        ("ServiceIntegrationsScheduled", dim, sns, 1.0),
        ("ServiceIntegrationsStarted", dim, sns, 1.0),
        ("ServiceIntegrationsSucceeded", dim, sns, 1.0),
        ("ServiceIntegrationsFailed", dim, sns, 0.0),
        ("ServiceIntegrationTime", dim, sns, 1.0),
        ("ServiceIntegrationRunTime", dim, sns, 1.0),
        ("ActivitiesScheduled", "ActivityArn", activity.as_str(), 1.0),
        ("ActivitiesStarted", "ActivityArn", activity.as_str(), 1.0),
        ("ActivitiesSucceeded", "ActivityArn", activity.as_str(), 1.0),
        (
            "ActivityScheduleTime",
            "ActivityArn",
            activity.as_str(),
            1.0,
        ),
        ("ActivityTime", "ActivityArn", activity.as_str(), 1.0),
    ] {
        assert_eq!(samples_of(&s, name, label, value), n, "{name}");
    }
    assert!(s.docs.contains_key("ActivityRunTime"), "{:?}", s.docs);
}
