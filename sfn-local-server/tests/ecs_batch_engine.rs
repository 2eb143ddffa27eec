//! The scheduled ECS batch workflow of issue 6, end to end through the interpreter: a real
//! process behind `ecs:runTask.sync`, Retry on launch failures, Catch -> `sns:publish` -> Fail;
//! and a `sqs:sendMessage.waitForTaskToken` callback answered by a worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{ExecutionConfig, Handlers, Interpreter, Outcome, Status};
use serde_json::{Value, json};
use sfn_local_server::integrations::ecs::{self, EcsConfig, TaskDefinition};
use sfn_local_server::integrations::sinks::Recorder;

const DEFINITION: &str = r#"{
  "StartAt": "RunBatch",
  "States": {
    "RunBatch": {
      "Type": "Task",
      "Resource": "arn:aws:states:::ecs:runTask.sync",
      "Parameters": {
        "Cluster": "batch-cluster",
        "TaskDefinition": "sample-batch",
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-a"], "SecurityGroups": ["sg-a"], "AssignPublicIp": "DISABLED"}},
        "Overrides": {"ContainerOverrides": [{"Name": "api", "Command.$": "$.command", "Environment": [{"Name": "RUN_DATE", "Value.$": "$.date"}]}]}
      },
      "Retry": [{"ErrorEquals": ["ECS.AmazonECSException"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2.0}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify"}],
      "End": true
    },
    "Notify": {
      "Type": "Task",
      "Resource": "arn:aws:states:::sns:publish",
      "Parameters": {
        "TopicArn": "arn:aws:sns:ap-northeast-1:123456789012:batch-alerts",
        "Subject": "sample-batch failed",
        "Message": {"Error.$": "$.error.Error", "Cause.$": "$.error.Cause"}
      },
      "ResultPath": null,
      "Next": "Failed"
    },
    "Failed": {"Type": "Fail", "Error": "BatchFailed", "Cause": "see the SNS notification"}
  }
}"#;

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wf-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct World {
    interpreter: Interpreter,
    ecs: ecs::EcsHandler,
    sinks: Recorder,
}

fn world(dir: &Path, launch_failure_error: Option<&str>) -> World {
    let config = EcsConfig {
        task_definitions: [(
            "sample-batch".to_string(),
            TaskDefinition {
                working_dir: dir.to_path_buf(),
                command: vec!["/bin/sh".into(), "batch.sh".into()],
                environment: vec![("DATABASE_URL".into(), "sqlite:///db".into())],
                container_name: "api".into(),
                timeout: None,
            },
        )]
        .into_iter()
        .collect(),
        log_dir: dir.join("logs"),
        region: "ap-northeast-1".into(),
        account: "123456789012".into(),
        launch_failure_error: launch_failure_error.map(str::to_string),
    };
    let ecs = ecs::handler(Arc::new(config));
    let sinks = Recorder::new();
    let handlers = sinks.register(ecs.register(Handlers::new()));
    World {
        interpreter: Interpreter::builder().handlers(handlers).build(),
        ecs,
        sinks,
    }
}

async fn run(w: &World, input: Value) -> Outcome {
    let sm = Arc::new(StateMachine::from_str(DEFINITION).unwrap());
    let config = ExecutionConfig {
        input_text: input.to_string(),
        ..ExecutionConfig::default()
    };
    w.interpreter.run(sm, config).await
}

fn events<'a>(o: &'a Outcome, ty: &str) -> Vec<&'a asl_interpreter::HistoryEvent> {
    o.history.iter().filter(|e| e.event_type == ty).collect()
}

#[tokio::test]
async fn a_successful_run_returns_the_ecs_task_description() {
    let dir = scratch("ok");
    std::fs::write(
        dir.join("batch.sh"),
        "echo \"aggregating $RUN_DATE into $DATABASE_URL\"\n",
    )
    .unwrap();
    let w = world(&dir, None);
    let o = run(
        &w,
        json!({"command": ["/bin/sh", "batch.sh"], "date": "2026-11-02"}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?} {:?}", o.error, o.cause);
    let out: Value = serde_json::from_str(o.output.as_deref().unwrap()).unwrap();
    assert_eq!(out["LastStatus"], "STOPPED");
    assert_eq!(out["Containers"][0]["ExitCode"], 0);
    assert_eq!(events(&o, "TaskSucceeded").len(), 1);
    let log = w.ecs.read_log(out["TaskArn"].as_str().unwrap()).unwrap();
    assert_eq!(log, "aggregating 2026-11-02 into sqlite:///db\n");
    assert!(w.sinks.is_empty());
}

#[tokio::test]
async fn a_failing_script_is_caught_and_notified_once() {
    let dir = scratch("fail");
    std::fs::write(
        dir.join("batch.sh"),
        "echo 'no such table: sales' >&2\nexit 1\n",
    )
    .unwrap();
    let w = world(&dir, Some("ECS.AmazonECSException"));
    let o = run(
        &w,
        json!({"command": ["/bin/sh", "batch.sh"], "date": "2026-11-02"}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("BatchFailed"));
    // A non-zero exit is not a launch failure: no retry.
    assert_eq!(
        events(&o, "TaskScheduled").len(),
        2,
        "RunBatch once, Notify once"
    );
    let sns = w.sinks.list(Some("sns"));
    assert_eq!(sns.len(), 1);
    let message = &sns[0].payload["Message"];
    assert_eq!(message["Error"], "States.TaskFailed");
    let task: Value = serde_json::from_str(message["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(task["Containers"][0]["ExitCode"], 1);
    let log = w.ecs.read_log(task["TaskArn"].as_str().unwrap()).unwrap();
    assert_eq!(log, "no such table: sales\n");
}

#[tokio::test]
async fn a_launch_failure_is_retried_three_times_with_backoff_then_caught() {
    let dir = scratch("launch");
    let w = world(&dir, Some("ECS.AmazonECSException"));
    let o = run(
        &w,
        json!({"command": ["./missing-batch.py"], "date": "2026-11-02"}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    let failed = events(&o, "TaskFailed");
    // Four RunBatch attempts fail (1 + 3 retries); Notify succeeds.
    assert_eq!(failed.len(), 4);
    for e in &failed {
        let d = &e.details.as_ref().unwrap().value();
        assert_eq!(d["error"], "ECS.AmazonECSException");
        assert!(
            d["cause"]
                .as_str()
                .unwrap()
                .starts_with("CannotStartContainerError:")
        );
    }
    let scheduled: Vec<_> = events(&o, "TaskScheduled")
        .into_iter()
        .filter(|e| e.details.as_ref().unwrap().value()["resource"] == "runTask.sync")
        .map(|e| e.timestamp)
        .collect();
    let gaps: Vec<i64> = scheduled
        .windows(2)
        .map(|w| (w[1] - w[0]).num_seconds())
        .collect();
    assert_eq!(gaps, [10, 20, 40], "exponential backoff in virtual time");
    assert_eq!(w.sinks.list(Some("sns")).len(), 1);
}

#[tokio::test]
async fn sqs_callback_is_answered_by_a_worker() {
    let sinks = Recorder::new();
    let interpreter = Arc::new(
        Interpreter::builder()
            .handlers(sinks.register(Handlers::new()))
            .build(),
    );
    let sm = Arc::new(
        StateMachine::from_str(
            r#"{"StartAt": "Ask", "States": {"Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                               "MessageBody": {"TaskToken.$": "$$.Task.Token", "Order.$": "$.order"}},
                "End": true}}}"#,
        )
        .unwrap(),
    );
    let config = ExecutionConfig {
        input_text: r#"{"order": 7}"#.into(),
        ..ExecutionConfig::default()
    };
    let handle = interpreter.start(sm, config);
    // The worker: wait for the message, answer with its token.
    let mut token = None;
    for _ in 0..1000 {
        if let Some(r) = sinks.list(Some("sqs")).first() {
            token = r.payload["MessageBody"]["TaskToken"]
                .as_str()
                .map(str::to_string);
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let token = token.expect("the message was recorded");
    interpreter
        .send_task_success(&token, json!({"approved": true}))
        .unwrap();
    let o = handle.outcome().await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output.as_deref(), Some(r#"{"approved":true}"#));
}
