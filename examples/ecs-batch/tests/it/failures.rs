//! A failing batch and a task that cannot launch: Retry, Catch -> SNS -> Fail.

use asl_interpreter::Status;
use ecs_batch::Local;
use serde_json::Value;

use crate::common::{Sandbox, details, events, types, utc};

const PROD_TOPIC: &str = "arn:aws:sns:ap-northeast-1:123456789012:sample-app-prod-alerts";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_script_is_caught_notified_once_and_its_log_is_readable() {
    let sandbox = Sandbox::new("bad-sql");
    sandbox.seed_sales(&[("2026-11-16T03:00:00Z", 100)]);
    // BATCH_FAIL=1 in the task definition's environment: the script runs invalid SQL.
    let config = sandbox.config("prod", |ecs| {
        for td in ecs.task_definitions.values_mut() {
            td.environment.push(("BATCH_FAIL".into(), "1".into()));
        }
    });
    let local = Local::new(&config).unwrap();
    let at = utc("2026-11-16T17:00:00Z");
    let o = local.run_fire(&local.schedules()[0], at).await;

    // The Fail state re-raises the batch's own error and cause.
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("States.TaskFailed"));
    let task: Value = serde_json::from_str(o.cause.as_deref().unwrap()).unwrap();
    assert_eq!(task["LastStatus"], "STOPPED");
    assert_eq!(task["StopCode"], "EssentialContainerExited");
    assert_eq!(task["Containers"][0]["ExitCode"], 1);
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskFailed",
            "TaskStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "FailStateEntered",
            "ExecutionFailed"
        ],
        "a script failure is not retried"
    );
    assert!(o.history.iter().all(|e| e.timestamp == at), "no waiting");

    // Exactly one notification, with the error and the cause.
    let sns = local.recorder.list(Some("sns"));
    assert_eq!(sns.len(), 1);
    assert_eq!(sns[0].target, PROD_TOPIC);
    assert_eq!(sns[0].state_name, "NotifyFailure");
    assert_eq!(sns[0].payload["Subject"], "[prod] sample_batch failed");
    let message = &sns[0].payload["Message"];
    assert_eq!(message["Error"], "States.TaskFailed");
    assert_eq!(message["Cause"], o.cause.as_deref().unwrap());
    assert_eq!(message["Execution"], o.execution_arn);
    assert_eq!(message["StartTime"], "2026-11-16T17:00:00.000Z");

    // The failed run's log says why.
    let log = local
        .ecs
        .read_log(task["TaskArn"].as_str().unwrap())
        .unwrap();
    assert!(log.contains("BATCH_FAIL is set"), "{log}");
    assert!(
        log.contains("ERROR sample_batch batch failed: OperationalError"),
        "{log}"
    );
    assert!(sandbox.summary().is_empty(), "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_fails_the_batch_without_a_retry() {
    // An empty database (the application's migrations never ran): `no such table: sales`.
    let sandbox = Sandbox::new("no-table");
    let local = Local::new(&sandbox.config("prod", |_| {})).unwrap();
    let o = local
        .run_fire(&local.schedules()[0], utc("2026-11-16T17:00:00Z"))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("States.TaskFailed"));
    assert_eq!(events(&o, "TaskFailed").len(), 1);
    let sns = local.recorder.list(Some("sns"));
    assert_eq!(sns.len(), 1);
    let task: Value =
        serde_json::from_str(sns[0].payload["Message"]["Cause"].as_str().unwrap()).unwrap();
    let log = local
        .ecs
        .read_log(task["TaskArn"].as_str().unwrap())
        .unwrap();
    assert!(log.contains("no such table: sales"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_failure_is_retried_three_times_with_exponential_backoff_then_caught() {
    let sandbox = Sandbox::new("launch");
    // The image cannot be pulled: the task definition's working directory is missing.
    let missing = sandbox.dir.join("no-such-image");
    let config = sandbox.config("prod", |ecs| {
        for td in ecs.task_definitions.values_mut() {
            td.working_dir = missing.clone();
        }
    });
    let local = Local::new(&config).unwrap();
    let at = utc("2026-11-16T17:00:00Z");
    let o = local.run_fire(&local.schedules()[0], at).await;

    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("AmazonECS.Unknown"));
    // 1 attempt + 3 retries of RunSampleBatch, each failing to launch.
    let failed = events(&o, "TaskFailed");
    assert_eq!(failed.len(), 4);
    for e in &failed {
        assert_eq!(details(e)["resource"], "runTask.sync");
        assert_eq!(details(e)["error"], "AmazonECS.Unknown");
        assert!(
            details(e)["cause"]
                .as_str()
                .unwrap()
                .starts_with("CannotPullContainerError:"),
            "{}",
            details(e)["cause"]
        );
    }
    // 10 s, 20 s, 40 s between the attempts, in the history's timestamps.
    let attempts: Vec<i64> = events(&o, "TaskScheduled")
        .iter()
        .filter(|e| details(e)["resource"] == "runTask.sync")
        .map(|e| (e.timestamp - at).num_seconds())
        .collect();
    assert_eq!(attempts, [0, 10, 30, 70]);
    assert_eq!((o.stop_date - at).num_seconds(), 70);

    // Then caught: one notification with the launch error.
    let sns = local.recorder.list(Some("sns"));
    assert_eq!(sns.len(), 1);
    assert_eq!(sns[0].payload["Message"]["Error"], "AmazonECS.Unknown");
    assert!(
        sns[0].payload["Message"]["Cause"]
            .as_str()
            .unwrap()
            .contains(&missing.display().to_string())
    );
    assert!(types(&o).ends_with(&["FailStateEntered", "ExecutionFailed"]));
    assert!(!sandbox.db_path().exists(), "the batch never ran");
    insta::assert_snapshot!(crate::outline(&o));
}

/// What AWS itself does with a task that stops before its container starts: `States.TaskFailed`
/// (StopCode TaskFailedToStart), the same error as a failing script, so this definition's
/// Retry does not apply. That is why the configuration names launch failures distinctly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_launch_failure_error_a_launch_failure_is_a_task_failure() {
    let sandbox = Sandbox::new("aws-launch");
    let missing = sandbox.dir.join("no-such-image");
    let config = sandbox.config("prod", |ecs| {
        ecs.launch_failure_error = None;
        for td in ecs.task_definitions.values_mut() {
            td.working_dir = missing.clone();
        }
    });
    let local = Local::new(&config).unwrap();
    let o = local
        .run_fire(&local.schedules()[0], utc("2026-11-16T17:00:00Z"))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("States.TaskFailed"));
    assert_eq!(events(&o, "TaskFailed").len(), 1, "not retried");
    let task: Value = serde_json::from_str(o.cause.as_deref().unwrap()).unwrap();
    assert_eq!(task["StopCode"], "TaskFailedToStart");
    assert!(
        task["StoppedReason"]
            .as_str()
            .unwrap()
            .starts_with("CannotPullContainerError:")
    );
    assert_eq!(local.recorder.list(Some("sns")).len(), 1);
}
