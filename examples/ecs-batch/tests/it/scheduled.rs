//! The prod schedule fires at 17:00 UTC; the batch runs for real against SQLite; all in
//! virtual time from the fire instant.

use asl_interpreter::Status;
use chrono::{Duration, Timelike};
use ecs_batch::Local;
use serde_json::{Value, json};
use sfn_local_server::scheduler::{Scheduled, fires_between};

use crate::common::{Sandbox, details, events, json_field, monday, types, utc};

/// Sales around the JST day 2026-11-16 ([2026-11-15T15:00Z, 2026-11-16T15:00Z)).
const SALES_AROUND_16TH: &[(&str, i64)] = &[
    ("2026-11-15T14:59:59Z", 999),
    ("2026-11-15T15:00:00Z", 1200),
    ("2026-11-16T03:30:00Z", 800),
    ("2026-11-16T14:59:59Z", 450),
    ("2026-11-16T15:00:00Z", 7),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_17_00_utc_fire_runs_the_batch_and_records_the_ecs_task() {
    let sandbox = Sandbox::new("fire");
    sandbox.seed_sales(SALES_AROUND_16TH);
    let local = Local::new(&sandbox.config("prod", |_| {})).unwrap();

    // Monday's simulated day: exactly one fire, at 17:00 UTC (02:00 JST on Tuesday).
    let fires = fires_between(local.schedules(), monday(), monday() + Duration::days(1));
    assert_eq!(fires.len(), 1);
    let (i, at) = fires[0];
    assert_eq!(at, utc("2026-11-16T17:00:00Z"));
    let o = local.run_fire(&local.schedules()[i], at).await;

    assert_eq!(o.status, Status::Succeeded, "{:?} {:?}", o.error, o.cause);
    assert_eq!(o.name, "sample-app-prod-nightly-batch-20261116T170000Z");
    assert_eq!(o.start_date, at);
    // The previous JST day, boundaries included/excluded as JST midnight says.
    assert_eq!(
        sandbox.summary(),
        [("2026-11-16".to_string(), 3, 2450, Some(o.name.clone()))]
    );

    assert_eq!(
        types(&o),
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
    // TaskScheduled carries the RunTask request as Step Functions resolved it.
    let scheduled = events(&o, "TaskScheduled")[0];
    assert_eq!(details(scheduled)["resourceType"], "ecs");
    assert_eq!(details(scheduled)["resource"], "runTask.sync");
    assert_eq!(details(scheduled)["region"], "ap-northeast-1");
    let request = json_field(scheduled, "parameters");
    assert_eq!(request["Cluster"], "sample-app-prod-cluster");
    assert_eq!(request["TaskDefinition"], "sample-app-prod-api");
    assert_eq!(
        request["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"],
        json!(["subnet-0prod0000000000a1", "subnet-0prod0000000000c1"])
    );
    assert_eq!(
        request["Overrides"]["ContainerOverrides"][0],
        json!({"Name": "api", "Command": ["python3", "sample_batch.py"], "Environment": [
            {"Name": "BATCH_RUN_AT", "Value": "2026-11-16T17:00:00.000Z"},
            {"Name": "BATCH_EXECUTION_NAME", "Value": o.name}]})
    );

    // TaskSucceeded: the stopped task's description (DescribeTasks shape, PascalCase).
    let task = json_field(events(&o, "TaskSucceeded")[0], "output");
    let output: Value = serde_json::from_str(o.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, task, "the state's result is the execution's output");
    assert_eq!(task["LastStatus"], "STOPPED");
    assert_eq!(task["DesiredStatus"], "STOPPED");
    assert_eq!(task["StopCode"], "EssentialContainerExited");
    assert_eq!(task["StartedBy"], "AWS Step Functions");
    assert_eq!(task["LaunchType"], "FARGATE");
    assert_eq!(
        task["ClusterArn"],
        "arn:aws:ecs:ap-northeast-1:123456789012:cluster/sample-app-prod-cluster"
    );
    assert_eq!(
        task["TaskDefinitionArn"],
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/sample-app-prod-api:1"
    );
    assert_eq!(task["Containers"][0]["Name"], "api");
    assert_eq!(task["Containers"][0]["ExitCode"], 0);
    assert_eq!(task["Containers"][0]["LastStatus"], "STOPPED");

    // The task's log (CloudWatch Logs stand-in) is the script's stdout.
    let log = local
        .ecs
        .read_log(task["TaskArn"].as_str().unwrap())
        .unwrap();
    assert!(
        log.contains("read 3 sales rows of 2026-11-16 (JST), total 2450"),
        "{log}"
    );
    assert!(
        log.contains("inserted daily_sales_summary 2026-11-16: order_count=3 total_amount=2450"),
        "{log}"
    );
    assert!(local.recorder.is_empty(), "no notification on success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prod_schedule_fires_once_a_day_over_a_simulated_week() {
    let sandbox = Sandbox::new("week");
    let sales: Vec<(String, i64)> = (16..=22)
        .map(|d| (format!("2026-11-{d}T03:00:00Z"), d * 100))
        .collect();
    let rows: Vec<(&str, i64)> = sales.iter().map(|(t, a)| (t.as_str(), *a)).collect();
    sandbox.seed_sales(&rows);
    let local = Local::new(&sandbox.config("prod", |_| {})).unwrap();

    let runs = local.simulate(monday(), monday() + Duration::days(7)).await;

    let fired: Vec<String> = runs.iter().map(|r| r.at.to_rfc3339()).collect();
    let expected: Vec<String> = (16..=22)
        .map(|d| format!("2026-11-{d}T17:00:00+00:00"))
        .collect();
    assert_eq!(fired, expected);
    for r in &runs {
        assert_eq!(r.schedule, "sample-app-prod-nightly-batch");
        assert_eq!(r.outcome.status, Status::Succeeded, "{:?}", r.outcome.cause);
    }
    // One aggregate per JST day, each written by that day's execution.
    let summary = sandbox.summary();
    let expected: Vec<_> = (16..=22)
        .map(|d| {
            (
                format!("2026-11-{d}"),
                1,
                d * 100,
                Some(format!("sample-app-prod-nightly-batch-202611{d}T170000Z")),
            )
        })
        .collect();
    assert_eq!(summary, expected);

    // A second run for the same day (a manual re-run) updates the aggregate in place.
    let s = &local.schedules()[0];
    let again = local.run_fire(s, runs[0].at).await;
    assert_eq!(again.status, Status::Succeeded);
    assert_eq!(sandbox.summary(), expected);
}

#[test]
fn the_disabled_dev_schedule_never_fires() {
    let config = ecs_batch::load_config(Some("dev")).unwrap();
    let schedules = Scheduled::parse_all(&config.schedules).unwrap();
    assert_eq!(schedules.len(), 1);
    assert!(!schedules[0].config.enabled);
    // A week, and a whole year, of simulated time.
    for days in [7, 366] {
        let fires = fires_between(&schedules, monday(), monday() + Duration::days(days));
        assert!(fires.is_empty(), "{fires:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_workflow_simulated_for_a_week_runs_nothing() {
    let sandbox = Sandbox::new("dev");
    let local = Local::new(&sandbox.config("dev", |_| {})).unwrap();
    let runs = local.simulate(monday(), monday() + Duration::days(7)).await;
    assert!(runs.is_empty());
    assert!(!sandbox.db_path().exists(), "the batch never ran");
}

/// What `sfn-local schedules --config config/sfn-local.json --env prod` prints as `next`.
#[test]
fn prod_next_fire_times_are_at_17_00_utc_every_day() {
    let config = ecs_batch::load_config(Some("prod")).unwrap();
    let prod = &Scheduled::parse_all(&config.schedules).unwrap()[0];
    // From exactly a fire instant, the next one is the following day's.
    let next = prod.schedule.upcoming(utc("2026-11-16T17:00:00Z"), 5);
    let listed: Vec<String> = next.iter().map(|t| t.to_rfc3339()).collect();
    assert_eq!(
        listed,
        (17..=21)
            .map(|d| format!("2026-11-{d}T17:00:00+00:00"))
            .collect::<Vec<_>>()
    );
    // Across a month end and the JST date change, always 02:00 JST.
    let next = prod.schedule.upcoming(utc("2026-11-30T17:00:01Z"), 3);
    assert_eq!(next[0], utc("2026-12-01T17:00:00Z"));
    assert!(
        next.iter()
            .all(|t| t.hour() == 17 && t.minute() == 0 && t.second() == 0)
    );
    let jst = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    assert!(next.iter().all(|t| t.with_timezone(&jst).hour() == 2));
}

/// The outline of a successful history (types, previous ids, seconds since the start).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_history_outline() {
    let sandbox = Sandbox::new("outline");
    sandbox.seed_sales(SALES_AROUND_16TH);
    let local = Local::new(&sandbox.config("prod", |_| {})).unwrap();
    let s = &local.schedules()[0];
    let o = local.run_fire(s, utc("2026-11-16T17:00:00Z")).await;
    insta::assert_snapshot!(crate::outline(&o));
}

/// AWS records `TaskSubmitted` (the RunTask response) between `TaskStarted` and the end of a
/// `.sync` task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_history_records_task_submitted_with_the_run_task_response() {
    let sandbox = Sandbox::new("submitted");
    sandbox.seed_sales(SALES_AROUND_16TH);
    let local = Local::new(&sandbox.config("prod", |_| {})).unwrap();
    let o = local
        .run_fire(&local.schedules()[0], utc("2026-11-16T17:00:00Z"))
        .await;
    let t = types(&o);
    assert_eq!(
        t[2..6],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded"
        ]
    );
    let response: Value = json_field(events(&o, "TaskSubmitted")[0], "output");
    assert_eq!(response["Failures"], json!([]));
    assert_eq!(response["Tasks"][0]["LastStatus"], "PROVISIONING");
}
