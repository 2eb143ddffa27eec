//! The same workflow on the sfn-local server (in process, real clock): a schedule fire starts
//! the execution once, SNS messages are persisted where `sfn-local messages` reads them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use sfn_local_server::api::dispatch;
use sfn_local_server::scheduler::{Scheduled, fire};
use sfn_local_server::server::{Server, Storage};
use sfn_local_server::service::{Service, Settings};
use sfn_local_server::store::Store;

use crate::common::Sandbox;

async fn call(svc: &Arc<Service>, op: &str, body: Value) -> Value {
    let Value::Object(body) = body else {
        panic!("a body object")
    };
    dispatch(svc, op, &body)
        .await
        .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
}

/// A server with the example's prod configuration and the state machine the schedule names.
async fn start(
    sandbox: &Sandbox,
    tweak: impl FnOnce(&mut Map<String, Value>),
) -> (Server, Scheduled) {
    let mut config = sandbox.config("prod", |_| {});
    if let Some(Value::Object(input)) = &mut config.schedules[0].input {
        tweak(input);
    }
    let settings = Settings {
        region: "ap-northeast-1".into(),
        ecs: config.ecs.clone(),
        ..Settings::default()
    };
    let storage = Storage::Dir(sandbox.dir.join("sfn-local"));
    let server = Server::start("127.0.0.1:0", storage, settings, Default::default())
        .await
        .unwrap();
    let definition = std::fs::read_to_string(ecs_batch::definition_path()).unwrap();
    call(
        &server.service,
        "CreateStateMachine",
        json!({"name": "sample-app-prod-batch", "definition": definition,
               "roleArn": "arn:aws:iam::123456789012:role/sample-app-prod-sfn"}),
    )
    .await;
    let scheduled = Scheduled::parse_all(&config.schedules).unwrap().remove(0);
    (server, scheduled)
}

/// The latest fire of a daily schedule up to now (what the scheduler fired last).
fn last_fire(s: &Scheduled) -> DateTime<Utc> {
    s.schedule
        .next_after(Utc::now() - chrono::Duration::days(1))
        .unwrap()
}

async fn wait_closed(svc: &Arc<Service>, arn: &str) -> Value {
    // Generous: the batch is a short Python process; the bound only stops a hung test.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let d = call(svc, "DescribeExecution", json!({"executionArn": arn})).await;
        if d["status"] != "RUNNING" {
            return d;
        }
        assert!(Instant::now() < deadline, "still running: {d}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn history_types(svc: &Arc<Service>, arn: &str) -> Vec<String> {
    let h = call(
        svc,
        "GetExecutionHistory",
        json!({"executionArn": arn, "maxResults": 1000}),
    )
    .await;
    h["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_fire_starts_one_execution_that_aggregates_yesterday_jst() {
    let sandbox = Sandbox::new("server-ok");
    // One sale on each of the JST days around today: whichever day the run aggregates, it has
    // exactly one sale, whose amount tells the day.
    let jst = FixedOffset::east_opt(9 * 3600).unwrap();
    let today = Utc::now().with_timezone(&jst).date_naive();
    let days: Vec<_> = (-2..=1)
        .map(|d| today + chrono::Duration::days(d))
        .collect();
    let sales: Vec<(String, i64)> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let noon =
                jst.from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap()));
            (
                noon.unwrap()
                    .to_utc()
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
                100 + i as i64,
            )
        })
        .collect();
    let rows: Vec<(&str, i64)> = sales.iter().map(|(t, a)| (t.as_str(), *a)).collect();
    sandbox.seed_sales(&rows);
    let (server, scheduled) = start(&sandbox, |_| {}).await;
    let svc = server.service.clone();

    let at = last_fire(&scheduled);
    let arn = fire(&svc, &scheduled, at).await.unwrap().expect("started");
    assert!(arn.ends_with(&scheduled.execution_name(at)), "{arn}");
    // Firing the same instant again never starts a second execution: while the first runs,
    // StartExecution with the same name and input answers with its ARN (as AWS does).
    let again = fire(&svc, &scheduled, at).await.unwrap();
    assert!(
        again.is_none() || again.as_deref() == Some(arn.as_str()),
        "{again:?}"
    );

    let d = wait_closed(&svc, &arn).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let input: Value = serde_json::from_str(d["input"].as_str().unwrap()).unwrap();
    assert_eq!(&input, scheduled.config.input.as_ref().unwrap());
    let task: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(task["Containers"][0]["ExitCode"], 0);
    // Once it has closed, the same fire is refused (ExecutionAlreadyExists).
    assert_eq!(fire(&svc, &scheduled, at).await.unwrap(), None);
    let list = call(
        &svc,
        "ListExecutions",
        json!({"stateMachineArn": d["stateMachineArn"]}),
    )
    .await;
    assert_eq!(list["executions"].as_array().unwrap().len(), 1, "{list}");
    let types = history_types(&svc, &arn).await;
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );

    // The day before the execution's start, in JST.
    let started =
        DateTime::from_timestamp_millis((d["startDate"].as_f64().unwrap() * 1000.0) as i64)
            .unwrap();
    let target = started.with_timezone(&jst).date_naive() - chrono::Duration::days(1);
    let i = days.iter().position(|d| *d == target).unwrap();
    let name = scheduled.execution_name(at);
    assert_eq!(
        sandbox.summary(),
        [(target.to_string(), 1, 100 + i as i64, Some(name))]
    );
    let log = svc
        .ecs
        .as_ref()
        .unwrap()
        .read_log(task["TaskArn"].as_str().unwrap())
        .unwrap();
    assert!(log.contains("inserted daily_sales_summary"), "{log}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_is_notified_and_the_message_is_persisted() {
    let sandbox = Sandbox::new("server-fail");
    // An empty database: the batch fails on `SELECT ... FROM sales`.
    let (server, scheduled) = start(&sandbox, |input| {
        input.insert("environment".into(), json!("prod-rehearsal"));
    })
    .await;
    let svc = server.service.clone();
    let at = last_fire(&scheduled);
    let arn = fire(&svc, &scheduled, at).await.unwrap().unwrap();
    let d = wait_closed(&svc, &arn).await;
    assert_eq!(d["status"], "FAILED", "{d}");
    assert_eq!(d["error"], "States.TaskFailed");
    let types = history_types(&svc, &arn).await;
    assert_eq!(types.iter().filter(|t| *t == "TaskFailed").count(), 1);
    assert_eq!(types.last().unwrap(), "ExecutionFailed");

    let sns = svc.messages(Some("sns"), 100);
    assert_eq!(sns.len(), 1);
    assert_eq!(
        sns[0].payload["Subject"],
        "[prod-rehearsal] sample_batch failed"
    );
    assert_eq!(sns[0].payload["Message"]["Error"], "States.TaskFailed");
    assert_eq!(sns[0].payload["Message"]["Cause"], d["cause"]);
    assert_eq!(sns[0].execution_arn, arn);
    let task: Value = serde_json::from_str(d["cause"].as_str().unwrap()).unwrap();
    let log = svc
        .ecs
        .as_ref()
        .unwrap()
        .read_log(task["TaskArn"].as_str().unwrap())
        .unwrap();
    assert!(log.contains("no such table: sales"), "{log}");
    server.shutdown().await;

    // What `sfn-local messages --service sns --data-dir <dir>` lists after the server stopped.
    let store = Store::open(Some(&sandbox.dir.join("sfn-local/sfn-local.db"))).unwrap();
    let records = store.records(Some("sns")).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].payload["payload"]["Message"]["Error"],
        "States.TaskFailed"
    );
}
