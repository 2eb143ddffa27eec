//! Bad input: each answered with AWS's error name, and the SDK maps it to the modeled error.

use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineError;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_sdk_sfn::types::ExecutionStatus;

use crate::common::{Env, LONG_WAIT, PASS, ROLE, expect_error, show};

const MISSING_SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:missing";
const MISSING_EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:missing:nope";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arns_and_names() {
    let env = Env::start().await;
    let sfn = &env.sfn;

    let r = sfn
        .describe_state_machine()
        .state_machine_arn("not-an-arn")
        .send()
        .await;
    // The modeled error, not just a code: the SDK recognised `__type`.
    match &r {
        Err(e) => assert!(
            matches!(
                e.as_service_error(),
                Some(DescribeStateMachineError::InvalidArn(_))
            ),
            "{}",
            show(e)
        ),
        Ok(_) => panic!("DescribeStateMachine accepted a bad ARN"),
    }
    expect_error(r, "InvalidArn");
    // An execution ARN where a state machine ARN is expected.
    let r = sfn
        .describe_state_machine()
        .state_machine_arn(MISSING_EXEC)
        .send()
        .await;
    expect_error(r, "InvalidArn");
    let r = sfn
        .describe_execution()
        .execution_arn("arn:aws:states:::nothing")
        .send()
        .await;
    expect_error(r, "InvalidArn");

    let r = sfn
        .create_state_machine()
        .name("has space")
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await;
    expect_error(r, "InvalidName");
    let r = sfn.create_activity().name("a/b").send().await;
    expect_error(r, "InvalidName");
    let sm = env.machine("names", PASS).await;
    // Forbidden characters are InvalidName; a name over its length limit breaks the model's
    // constraint, a ValidationException, as AWS answers it.
    let r = sfn
        .start_execution()
        .state_machine_arn(&sm)
        .name("has space")
        .send()
        .await;
    expect_error(r, "InvalidName");
    let r = sfn
        .start_execution()
        .state_machine_arn(&sm)
        .name("x".repeat(81))
        .send()
        .await;
    expect_error(r, "ValidationException");
    let r = sfn
        .create_state_machine()
        .name("roles")
        .definition(PASS)
        .role_arn("arn:aws:iam::123456789012:policy/not-a-role")
        .send()
        .await;
    expect_error(r, "InvalidArn");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_definitions() {
    let env = Env::start().await;
    for definition in [
        r#"{"StartAt":"Nowhere","States":{"P":{"Type":"Pass","End":true}}}"#,
        r#"{"StartAt":"P","States":{"P":{"Type":"Teleport","End":true}}}"#,
        "{ this is not JSON",
    ] {
        let r = env
            .sfn
            .create_state_machine()
            .name("bad")
            .definition(definition)
            .role_arn(ROLE)
            .send()
            .await;
        expect_error(r, "InvalidDefinition");
    }
    let sm = env.machine("good", PASS).await;
    let r = env
        .sfn
        .update_state_machine()
        .state_machine_arn(&sm)
        .definition(r#"{"States":{}}"#)
        .send()
        .await;
    expect_error(r, "InvalidDefinition");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_resources() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let r = sfn
        .describe_state_machine()
        .state_machine_arn(MISSING_SM)
        .send()
        .await;
    match &r {
        Err(e) => assert!(
            matches!(
                e.as_service_error(),
                Some(DescribeStateMachineError::StateMachineDoesNotExist(_))
            ),
            "{}",
            show(e)
        ),
        Ok(_) => panic!("described a missing state machine"),
    }
    expect_error(r, "StateMachineDoesNotExist");
    let r = sfn
        .start_execution()
        .state_machine_arn(MISSING_SM)
        .send()
        .await;
    expect_error(r, "StateMachineDoesNotExist");
    let r = sfn
        .list_executions()
        .state_machine_arn(MISSING_SM)
        .send()
        .await;
    expect_error(r, "StateMachineDoesNotExist");

    let r = sfn
        .describe_execution()
        .execution_arn(MISSING_EXEC)
        .send()
        .await;
    expect_error(r, "ExecutionDoesNotExist");
    let r = sfn
        .get_execution_history()
        .execution_arn(MISSING_EXEC)
        .send()
        .await;
    expect_error(r, "ExecutionDoesNotExist");
    let r = sfn
        .stop_execution()
        .execution_arn(MISSING_EXEC)
        .send()
        .await;
    expect_error(r, "ExecutionDoesNotExist");
    let r = sfn
        .describe_activity()
        .activity_arn("arn:aws:states:us-east-1:123456789012:activity:missing")
        .send()
        .await;
    expect_error(r, "ActivityDoesNotExist");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_execution_input() {
    let env = Env::start().await;
    let sm = env.machine("inputs", PASS).await;
    let r = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .input("{ not json")
        .send()
        .await;
    match &r {
        Err(e) => assert!(
            matches!(
                e.as_service_error(),
                Some(StartExecutionError::InvalidExecutionInput(_))
            ),
            "{}",
            show(e)
        ),
        Ok(_) => panic!("StartExecution accepted malformed input"),
    }
    expect_error(r, "InvalidExecutionInput");

    // 256 KiB is the limit; one byte over is a ValidationException.
    let filler = "x".repeat(262_144 - r#"{"a":""}"#.len() + 1);
    let oversized = format!(r#"{{"a":"{filler}"}}"#);
    assert_eq!(oversized.len(), 262_145);
    let r = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .input(&oversized)
        .send()
        .await;
    expect_error(r, "ValidationException");
    // Exactly at the limit is accepted.
    let at_limit = &format!(r#"{{"a":"{}"}}"#, &filler[1..]);
    assert_eq!(at_limit.len(), 262_144);
    let started = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .input(at_limit)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartExecution with 256 KiB input: {}", show(&e)));
    // Its output (input + result) is over the limit: AWS fails the execution with
    // States.DataLimitExceeded rather than refuse it.
    let d = env.wait_closed(started.execution_arn()).await;
    assert_eq!(d.status(), &ExecutionStatus::Failed, "{:?}", d.error());
    assert_eq!(d.error(), Some("States.DataLimitExceeded"));
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redrive() {
    let env = Env::start().await;
    let fails = env
        .machine(
            "fails",
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}"#,
        )
        .await;
    let exec = env.start_execution(&fails, "f", "{}").await;
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Failed);
    // AWS redrives a FAILED Standard execution; its Fail state fails again.
    let out = env
        .sfn
        .redrive_execution()
        .execution_arn(&exec)
        .send()
        .await
        .unwrap_or_else(|e| panic!("RedriveExecution: {}", show(&e)));
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Failed);
    assert_eq!(d.redrive_count(), Some(1));
    assert!(
        d.redrive_date()
            .is_some_and(|r| r.secs() >= out.redrive_date().secs())
    );
    let events = env
        .sfn
        .get_execution_history()
        .execution_arn(&exec)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetExecutionHistory: {}", show(&e)));
    let types: Vec<String> = events
        .events()
        .iter()
        .map(|e| e.r#type().as_str().to_string())
        .collect();
    assert!(types.iter().any(|t| t == "ExecutionRedriven"), "{types:?}");

    // A SUCCEEDED execution is never redrivable.
    let ok = env.machine("ok", PASS).await;
    let exec = env.start_execution(&ok, "s", "{}").await;
    env.wait_closed(&exec).await;
    let r = env
        .sfn
        .redrive_execution()
        .execution_arn(&exec)
        .send()
        .await;
    expect_error(r, "ExecutionNotRedrivable");

    // Nor is a RUNNING one.
    let waits = env.machine("waits", LONG_WAIT).await;
    let exec = env.start_execution(&waits, "r", "{}").await;
    let r = env
        .sfn
        .redrive_execution()
        .execution_arn(&exec)
        .send()
        .await;
    expect_error(r, "ExecutionNotRedrivable");
    env.sfn
        .stop_execution()
        .execution_arn(&exec)
        .send()
        .await
        .expect("stop");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_state_answers() {
    let env = Env::start().await;
    // TestState is sent to `sync-HOST` like StartSyncExecution (see common::SyncHostPrefix).
    let r = env
        .sfn
        .test_state()
        .definition(r#"{"Type":"Pass","Result":{"ok":true},"End":true}"#)
        .role_arn(ROLE)
        .input("{}")
        .send()
        .await;
    match r {
        Ok(out) => {
            eprintln!("TestState: {out:?}");
            assert_eq!(out.output(), Some(r#"{"ok":true}"#));
        }
        // Not implemented yet in sfn-local: any AWS-shaped service error is accepted for now.
        Err(e) => {
            let s = e
                .as_service_error()
                .unwrap_or_else(|| panic!("TestState: not a service error: {}", show(&e)));
            eprintln!("TestState: {}", show(&e));
            assert!(s.code().is_some_and(|c| !c.is_empty()));
        }
    }
    env.stop().await;
}
