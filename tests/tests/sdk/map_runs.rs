//! Map runs: ListMapRuns, DescribeMapRun, UpdateMapRun.

use aws_sdk_sfn::types::{ExecutionStatus, MapRunStatus};

use crate::common::{Env, PASS, expect_error, show};

const MISSING_MAP_RUN: &str =
    "arn:aws:states:us-east-1:123456789012:mapRun:m/Map:00000000-0000-0000-0000-000000000000";

const DISTRIBUTED: &str = r#"{"StartAt":"Map","States":{"Map":{"Type":"Map","Label":"Items",
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
    "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
  "End":true}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_run_operations_answer() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let sm = env.machine("no-map", PASS).await;
    let exec = env.start_execution(&sm, "e", "{}").await;
    env.wait_closed(&exec).await;
    let runs = sfn
        .list_map_runs()
        .execution_arn(&exec)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListMapRuns: {}", show(&e)));
    assert!(runs.map_runs().is_empty());

    let r = sfn
        .describe_map_run()
        .map_run_arn(MISSING_MAP_RUN)
        .send()
        .await;
    expect_error(r, "ResourceNotFound");
    let r = sfn
        .update_map_run()
        .map_run_arn(MISSING_MAP_RUN)
        .max_concurrency(2)
        .send()
        .await;
    expect_error(r, "ResourceNotFound");
    let r = sfn
        .describe_map_run()
        .map_run_arn("not-an-arn")
        .send()
        .await;
    expect_error(r, "InvalidArn");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_map_has_a_map_run() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let sm = env.machine("distributed", DISTRIBUTED).await;
    let exec = env.start_execution(&sm, "d", "[1, 2, 3]").await;
    let d = env.wait_closed(&exec).await;
    assert_eq!(
        d.status(),
        &ExecutionStatus::Succeeded,
        "{:?} {:?}",
        d.error(),
        d.cause()
    );
    assert_eq!(d.output(), Some("[1,2,3]"));

    // A Distributed Map state runs as a map run that ListMapRuns lists.
    let runs = sfn
        .list_map_runs()
        .execution_arn(&exec)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListMapRuns: {}", show(&e)));
    assert_eq!(runs.map_runs().len(), 1, "{runs:?}");
    let run = runs.map_runs()[0].map_run_arn().to_string();
    // `<state machine>/<Label>:<id>`, as AWS names map runs.
    assert!(run.contains(":mapRun:distributed/Items:"), "{run}");
    let described = sfn
        .describe_map_run()
        .map_run_arn(&run)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeMapRun: {}", show(&e)));
    assert_eq!(described.status(), &MapRunStatus::Succeeded);
    assert_eq!(described.execution_arn(), exec);
    assert_eq!(described.item_counts().map(|c| c.succeeded()), Some(3));
    env.stop().await;
}
