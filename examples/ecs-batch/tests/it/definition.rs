//! The deployable definition and the configuration, read statically.

use asl_validate::Severity;
use serde_json::{Value, json};

fn definition() -> Value {
    let text = std::fs::read_to_string(ecs_batch::definition_path()).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_definition_passes_asl_validate_and_parses() {
    let text = std::fs::read_to_string(ecs_batch::definition_path()).unwrap();
    let diags = asl_validate::validate(&text);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(diags.is_empty(), "no warnings either: {diags:#?}");
    ecs_batch::definition().unwrap();
}

#[test]
fn run_task_is_a_sync_fargate_task_with_the_batch_command() {
    let d = definition();
    let run = &d["States"]["RunSampleBatch"];
    assert_eq!(d["StartAt"], "RunSampleBatch");
    assert_eq!(run["Resource"], "arn:aws:states:::ecs:runTask.sync");
    let p = &run["Parameters"];
    assert_eq!(p["LaunchType"], "FARGATE");
    for key in ["Cluster.$", "TaskDefinition.$"] {
        assert!(p[key].is_string(), "{key}");
    }
    let vpc = &p["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(vpc["Subnets.$"], "$.subnets");
    assert_eq!(vpc["SecurityGroups.$"], "$.securityGroups");
    assert_eq!(vpc["AssignPublicIp"], "DISABLED");
    let container = &p["Overrides"]["ContainerOverrides"][0];
    assert_eq!(container["Command"], json!(["python3", "sample_batch.py"]));
    assert_eq!(
        container["Environment"][0],
        json!({"Name": "BATCH_RUN_AT", "Value.$": "$$.Execution.StartTime"})
    );
}

#[test]
fn launch_errors_are_retried_three_times_and_everything_is_caught_into_sns() {
    let d = definition();
    let run = &d["States"]["RunSampleBatch"];
    let retry = run["Retry"].as_array().unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0]["MaxAttempts"], 3);
    assert_eq!(retry[0]["IntervalSeconds"], 10);
    assert_eq!(retry[0]["BackoffRate"], 2.0);
    let retried: Vec<&str> = retry[0]["ErrorEquals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // A script failure (States.TaskFailed) must not run the batch again.
    assert!(!retried.contains(&"States.TaskFailed") && !retried.contains(&"States.ALL"));
    // Locally, launch failures carry the configured error: the Retry must name it.
    for env in ["dev", "prod"] {
        let cfg = ecs_batch::load_config(Some(env)).unwrap();
        let name = cfg.ecs.unwrap().launch_failure_error.unwrap();
        assert!(retried.contains(&name.as_str()), "{env}: {name}");
    }
    assert_eq!(
        run["Catch"],
        json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "NotifyFailure"}])
    );
    let notify = &d["States"]["NotifyFailure"];
    assert_eq!(notify["Resource"], "arn:aws:states:::sns:publish");
    assert_eq!(notify["Parameters"]["TopicArn.$"], "$.topicArn");
    assert_eq!(notify["Parameters"]["Message"]["Error.$"], "$.error.Error");
    assert_eq!(notify["Parameters"]["Message"]["Cause.$"], "$.error.Cause");
    assert_eq!(notify["Next"], "BatchFailed");
    assert_eq!(d["States"]["BatchFailed"]["Type"], "Fail");
}

#[test]
fn dev_and_prod_differ_only_where_they_should() {
    let mut clusters = Vec::new();
    for (env, enabled) in [("dev", false), ("prod", true)] {
        let cfg = ecs_batch::load_config(Some(env)).unwrap();
        assert_eq!(cfg.schedules.len(), 1, "{env}");
        let s = &cfg.schedules[0];
        assert_eq!(s.expression, "cron(0 17 * * ? *)");
        assert_eq!(s.enabled, enabled, "{env}");
        let input = s.input.as_ref().unwrap();
        assert_eq!(input["environment"], env);
        for key in ["cluster", "taskDefinition", "topicArn"] {
            assert!(input[key].as_str().unwrap().contains(env), "{env} {key}");
        }
        assert!(!input["subnets"].as_array().unwrap().is_empty());
        // The task definition the input names is configured, with the container it overrides,
        // and its working directory (the image) is this example's batch folder.
        let ecs = cfg.ecs.unwrap();
        let (_, td) = ecs
            .task_definition(input["taskDefinition"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{env}: no task definition"));
        assert_eq!(td.container_name, input["containerName"].as_str().unwrap());
        assert_eq!(td.working_dir, ecs_batch::root().join("batch"));
        assert!(td.working_dir.join("sample_batch.py").is_file());
        assert!(td.environment.iter().any(|(k, _)| k == "DATABASE_URL"));
        clusters.push(input["cluster"].clone());
    }
    assert_ne!(clusters[0], clusters[1]);
    // Without an environment there is nothing to run.
    let base = ecs_batch::load_config(None).unwrap();
    assert!(base.schedules.is_empty());
    assert!(ecs_batch::load_config(Some("staging")).is_err());
}
