//! Executions: start (named, idempotent), describe, list (status filter, pagination), history
//! (reverse order, pagination, without data), stop, StartSyncExecution on Express.

use aws_sdk_sfn::types::{
    ExecutionStatus, HistoryEventType, StateMachineType, SyncExecutionStatus,
};

use crate::common::{Env, LONG_WAIT, PASS, SHORT_WAIT, TWO_PASSES, expect_error, show};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_describe_succeeded() {
    let env = Env::start().await;
    let sm = env.machine("starts", PASS).await;
    let arn = env.start_execution(&sm, "first", r#"{"n":1}"#).await;
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:execution:starts:first"
    );
    let d = env.wait_closed(&arn).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.execution_arn(), arn);
    assert_eq!(d.state_machine_arn(), sm);
    assert_eq!(d.name(), Some("first"));
    assert_eq!(d.input(), Some(r#"{"n":1}"#));
    let output: serde_json::Value =
        serde_json::from_str(d.output().expect("output")).expect("output is JSON");
    assert_eq!(output, serde_json::json!({"n": 1, "result": "done"}));
    assert!(d.stop_date().is_some());
    assert!(d.stop_date().unwrap().secs() >= d.start_date().secs());

    // A closed execution's name cannot be reused, even with the same input.
    let r = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .name("first")
        .input(r#"{"n":1}"#)
        .send()
        .await;
    expect_error(r, "ExecutionAlreadyExists");

    // Without a name, the service picks one; without input, the input is {}.
    let started = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartExecution without name: {}", show(&e)));
    let d = env.wait_closed(started.execution_arn()).await;
    assert_eq!(d.input(), Some("{}"));
    assert!(!d.name().unwrap_or_default().is_empty());

    let sm_for = env
        .sfn
        .describe_state_machine_for_execution()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStateMachineForExecution: {}", show(&e)));
    assert_eq!(sm_for.state_machine_arn(), sm);
    assert_eq!(sm_for.definition(), PASS);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_start_and_stop() {
    let env = Env::start().await;
    let sm = env.machine("waits", LONG_WAIT).await;
    let arn = env.start_execution(&sm, "long", r#"{"a":1}"#).await;

    // Same name and input while it runs: the same execution.
    let again = env.start_execution(&sm, "long", r#"{"a":1}"#).await;
    assert_eq!(again, arn);
    // Same name, other input: the name is taken.
    let r = env
        .sfn
        .start_execution()
        .state_machine_arn(&sm)
        .name("long")
        .input(r#"{"a":2}"#)
        .send()
        .await;
    expect_error(r, "ExecutionAlreadyExists");

    let running = env
        .sfn
        .list_executions()
        .state_machine_arn(&sm)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListExecutions RUNNING: {}", show(&e)));
    let arns: Vec<_> = running
        .executions()
        .iter()
        .map(|e| e.execution_arn())
        .collect();
    assert_eq!(arns, [arn.as_str()]);

    let stopped = env
        .sfn
        .stop_execution()
        .execution_arn(&arn)
        .error("Operator.Stop")
        .cause("stopped by the test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("StopExecution: {}", show(&e)));
    let d = env.wait_closed(&arn).await;
    assert_eq!(d.status(), &ExecutionStatus::Aborted);
    assert_eq!(d.error(), Some("Operator.Stop"));
    assert_eq!(d.cause(), Some("stopped by the test"));
    assert_eq!(d.stop_date(), Some(stopped.stop_date()));

    let history = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .reverse_order(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetExecutionHistory: {}", show(&e)));
    let last = history.events().first().expect("events");
    assert_eq!(last.r#type(), &HistoryEventType::ExecutionAborted);
    let details = last
        .execution_aborted_event_details()
        .expect("executionAbortedEventDetails");
    assert_eq!(details.error(), Some("Operator.Stop"));
    assert_eq!(details.cause(), Some("stopped by the test"));

    let aborted = env
        .sfn
        .list_executions()
        .state_machine_arn(&sm)
        .status_filter(ExecutionStatus::Aborted)
        .send()
        .await
        .expect("ListExecutions ABORTED");
    assert_eq!(aborted.executions().len(), 1);
    let running = env
        .sfn
        .list_executions()
        .state_machine_arn(&sm)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .expect("ListExecutions RUNNING");
    assert!(running.executions().is_empty());
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_executions_paginates() {
    let env = Env::start().await;
    let sm = env.machine("many", PASS).await;
    let mut started = Vec::new();
    for i in 0..5 {
        started.push(env.start_execution(&sm, &format!("run-{i}"), "{}").await);
    }
    for arn in &started {
        env.wait_closed(arn).await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let page = env
            .sfn
            .list_executions()
            .state_machine_arn(&sm)
            .status_filter(ExecutionStatus::Succeeded)
            .max_results(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListExecutions page: {}", show(&e)));
        assert!(page.executions().len() <= 2);
        for e in page.executions() {
            assert_eq!(e.status(), &ExecutionStatus::Succeeded);
            assert_eq!(e.state_machine_arn(), sm);
            seen.push(e.execution_arn().to_string());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    seen.sort();
    started.sort();
    assert_eq!(seen, started);

    let failed = env
        .sfn
        .list_executions()
        .state_machine_arn(&sm)
        .status_filter(ExecutionStatus::Failed)
        .send()
        .await
        .expect("ListExecutions FAILED");
    assert!(failed.executions().is_empty());
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history() {
    let env = Env::start().await;
    let sm = env.machine("history", TWO_PASSES).await;
    let arn = env.start_execution(&sm, "h", r#"{"secret":"x"}"#).await;
    env.wait_closed(&arn).await;

    let full = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetExecutionHistory: {}", show(&e)));
    let types: Vec<_> = full.events().iter().map(|e| e.r#type().as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    // Ids count from 1; each event points at the one before it, except that AWS gives the
    // first state's entry, like ExecutionStarted, previousEventId 0.
    let previous: Vec<_> = full
        .events()
        .iter()
        .map(|e| (e.id(), e.previous_event_id()))
        .collect();
    assert_eq!(previous, [(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (6, 5)]);
    let started = full.events()[0]
        .execution_started_event_details()
        .expect("executionStartedEventDetails");
    assert_eq!(started.input(), Some(r#"{"secret":"x"}"#));
    let role = started.role_arn().map(str::to_string);
    let entered = full.events()[1]
        .state_entered_event_details()
        .expect("stateEnteredEventDetails");
    assert_eq!(entered.name(), "A");

    let reversed = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .reverse_order(true)
        .send()
        .await
        .expect("GetExecutionHistory reverseOrder");
    let ids: Vec<_> = reversed.events().iter().map(|e| e.id()).collect();
    assert_eq!(ids, [6, 5, 4, 3, 2, 1]);

    // Pages of 4: ids 1-4, then 5-6.
    let first = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .max_results(4)
        .send()
        .await
        .expect("GetExecutionHistory page 1");
    assert_eq!(first.events().len(), 4);
    let token = first.next_token().expect("nextToken after page 1");
    let second = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .max_results(4)
        .next_token(token)
        .send()
        .await
        .expect("GetExecutionHistory page 2");
    let ids: Vec<_> = second.events().iter().map(|e| e.id()).collect();
    assert_eq!(ids, [5, 6]);
    assert!(second.next_token().is_none());

    let bare = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .include_execution_data(false)
        .send()
        .await
        .expect("GetExecutionHistory includeExecutionData=false");
    assert_eq!(bare.events().len(), 6);
    let started = bare.events()[0]
        .execution_started_event_details()
        .expect("executionStartedEventDetails");
    assert_eq!(started.input(), None, "no input without execution data");
    let succeeded = bare.events()[5]
        .execution_succeeded_event_details()
        .expect("executionSucceededEventDetails");
    assert_eq!(succeeded.output(), None, "no output without execution data");

    // SERVER BUG: sfn-local sends "roleArn": "" in executionStartedEventDetails; AWS sends
    // the state machine's role.
    assert_eq!(role.as_deref(), Some(crate::common::ROLE));
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_state_closes() {
    let env = Env::start().await;
    let sm = env.machine("short-wait", SHORT_WAIT).await;
    let arn = env.start_execution(&sm, "w", r#"{"k":"v"}"#).await;
    let d = env.wait_closed(&arn).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.output(), Some(r#"{"k":"v"}"#));
    let h = env
        .sfn
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .expect("history");
    assert!(
        h.events()
            .iter()
            .any(|e| e.r#type() == &HistoryEventType::WaitStateExited)
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_sync_execution_on_express() {
    let env = Env::start().await;
    let express = env
        .machine_of_type("express", PASS, StateMachineType::Express)
        .await;
    let out = env
        .sfn
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-one")
        .input(r#"{"x":true}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartSyncExecution: {}", show(&e)));
    assert_eq!(out.status(), &SyncExecutionStatus::Succeeded);
    assert_eq!(out.state_machine_arn(), Some(express.as_str()));
    assert_eq!(out.name(), Some("sync-one"));
    assert!(
        out.execution_arn()
            .starts_with("arn:aws:states:us-east-1:123456789012:express:express:sync-one:"),
        "{}",
        out.execution_arn()
    );
    let output: serde_json::Value =
        serde_json::from_str(out.output().expect("output")).expect("output is JSON");
    assert_eq!(output, serde_json::json!({"x": true, "result": "done"}));
    assert!(out.billing_details().is_some());

    // A failing Express execution is still a 200, with status FAILED.
    let failing = env
        .machine_of_type(
            "express-fails",
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}"#,
            StateMachineType::Express,
        )
        .await;
    let out = env
        .sfn
        .start_sync_execution()
        .state_machine_arn(&failing)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartSyncExecution (fails): {}", show(&e)));
    assert_eq!(out.status(), &SyncExecutionStatus::Failed);
    assert_eq!(out.error(), Some("Boom"));
    assert_eq!(out.cause(), Some("on purpose"));

    // StartExecution on Express answers at once.
    let started = env
        .sfn
        .start_execution()
        .state_machine_arn(&express)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartExecution on Express: {}", show(&e)));
    assert!(started.execution_arn().contains(":express:"));

    // StartSyncExecution on a Standard machine.
    let standard = env.machine("standard", PASS).await;
    let r = env
        .sfn
        .start_sync_execution()
        .state_machine_arn(&standard)
        .send()
        .await;
    expect_error(r, "StateMachineTypeNotSupported");
    env.stop().await;
}
