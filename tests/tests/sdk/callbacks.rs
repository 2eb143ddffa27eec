//! Activities and task callbacks: a worker polls GetActivityTask, heartbeats and answers with
//! SendTaskSuccess or SendTaskFailure.

use std::time::Instant;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};

use crate::common::{DEADLINE, Env, expect_error, show};

fn activity_machine(activity: &str) -> String {
    serde_json::json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "HeartbeatSeconds": 60,
                "TimeoutSeconds": 120,
                "End": true
            }
        }
    })
    .to_string()
}

/// Polls until a task arrives (each poll waits up to the server's short activity poll).
async fn next_task(sfn: &Client, activity: &str) -> (String, String) {
    let start = Instant::now();
    loop {
        let t = sfn
            .get_activity_task()
            .activity_arn(activity)
            .worker_name("sdk-worker")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetActivityTask: {}", show(&e)));
        if let Some(token) = t.task_token().filter(|t| !t.is_empty()) {
            return (token.to_string(), t.input().unwrap_or_default().to_string());
        }
        assert!(
            start.elapsed() < DEADLINE,
            "no activity task in {DEADLINE:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_worker_succeeds() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let created = sfn
        .create_activity()
        .name("resize")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateActivity: {}", show(&e)));
    let activity = created.activity_arn().to_string();
    assert_eq!(
        activity,
        "arn:aws:states:us-east-1:123456789012:activity:resize"
    );
    let d = sfn
        .describe_activity()
        .activity_arn(&activity)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeActivity: {}", show(&e)));
    assert_eq!(d.name(), "resize");
    let listed = sfn.list_activities().send().await.expect("ListActivities");
    assert!(
        listed
            .activities()
            .iter()
            .any(|a| a.activity_arn() == activity)
    );

    // Nothing scheduled yet: the poll comes back empty after the (short) poll time.
    let empty = sfn
        .get_activity_task()
        .activity_arn(&activity)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetActivityTask (empty): {}", show(&e)));
    assert!(empty.task_token().is_none_or(str::is_empty));

    let sm = env
        .machine("with-activity", &activity_machine(&activity))
        .await;
    let exec = env.start_execution(&sm, "job", r#"{"size":3}"#).await;

    let (token, input) = next_task(sfn, &activity).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&input).expect("task input is JSON"),
        serde_json::json!({"size": 3})
    );
    sfn.send_task_heartbeat()
        .task_token(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("SendTaskHeartbeat: {}", show(&e)));
    sfn.send_task_success()
        .task_token(&token)
        .output(r#"{"resized":true}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("SendTaskSuccess: {}", show(&e)));

    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.output(), Some(r#"{"resized":true}"#));

    let h = sfn
        .get_execution_history()
        .execution_arn(&exec)
        .send()
        .await
        .expect("history");
    let types: Vec<_> = h.events().iter().map(|e| e.r#type().clone()).collect();
    for t in [
        HistoryEventType::ActivityScheduled,
        HistoryEventType::ActivityStarted,
        HistoryEventType::ActivitySucceeded,
    ] {
        assert!(types.contains(&t), "{t:?} missing from {types:?}");
    }
    let started = h
        .events()
        .iter()
        .find_map(|e| e.activity_started_event_details())
        .expect("activityStartedEventDetails");
    assert_eq!(started.worker_name(), Some("sdk-worker"));

    sfn.delete_activity()
        .activity_arn(&activity)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteActivity: {}", show(&e)));
    let r = sfn.describe_activity().activity_arn(&activity).send().await;
    expect_error(r, "ActivityDoesNotExist");
    // The task is closed: its token no longer answers. AWS says TaskTimedOut ("Task Timed
    // Out: 'Provided task does not exist anymore'") for a token whose task has closed.
    let r = sfn
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await;
    // SERVER BUG: sfn-local answers TaskDoesNotExist (with TaskTimedOut's message).
    expect_error(r, "TaskTimedOut");

    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_worker_fails() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let activity = sfn
        .create_activity()
        .name("flaky")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateActivity: {}", show(&e)))
        .activity_arn()
        .to_string();
    let sm = env.machine("fails", &activity_machine(&activity)).await;
    let exec = env.start_execution(&sm, "job", "{}").await;
    let (token, _) = next_task(sfn, &activity).await;
    sfn.send_task_failure()
        .task_token(&token)
        .error("Worker.Crashed")
        .cause("disk full")
        .send()
        .await
        .unwrap_or_else(|e| panic!("SendTaskFailure: {}", show(&e)));
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Failed);
    assert_eq!(d.error(), Some("Worker.Crashed"));
    assert_eq!(d.cause(), Some("disk full"));

    let h = sfn
        .get_execution_history()
        .execution_arn(&exec)
        .reverse_order(true)
        .send()
        .await
        .expect("history");
    assert_eq!(h.events()[0].r#type(), &HistoryEventType::ExecutionFailed);
    let failed = h
        .events()
        .iter()
        .find_map(|e| e.activity_failed_event_details())
        .expect("activityFailedEventDetails");
    assert_eq!(failed.error(), Some("Worker.Crashed"));
    assert_eq!(failed.cause(), Some("disk full"));

    // A token that was never issued.
    let r = sfn
        .send_task_success()
        .task_token("not-a-token")
        .output("{}")
        .send()
        .await;
    expect_error(r, "InvalidToken");
    let r = sfn
        .send_task_heartbeat()
        .task_token("not-a-token")
        .send()
        .await;
    expect_error(r, "InvalidToken");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_task_success_rejects_bad_output() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let activity = sfn
        .create_activity()
        .name("strict")
        .send()
        .await
        .expect("CreateActivity")
        .activity_arn()
        .to_string();
    let sm = env.machine("strict", &activity_machine(&activity)).await;
    let exec = env.start_execution(&sm, "job", "{}").await;
    let (token, _) = next_task(sfn, &activity).await;
    let r = sfn
        .send_task_success()
        .task_token(&token)
        .output("{ not json")
        .send()
        .await;
    expect_error(r, "InvalidOutput");
    // The task is still open: a good answer closes it.
    sfn.send_task_success()
        .task_token(&token)
        .output("[1]")
        .send()
        .await
        .unwrap_or_else(|e| panic!("SendTaskSuccess after InvalidOutput: {}", show(&e)));
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.output(), Some("[1]"));
    env.stop().await;
}
