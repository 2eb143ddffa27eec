use std::time::Duration;

use asl_interpreter::VirtualClock;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use super::*;

/// A fresh directory under the scratch tmp dir.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join("sfn-local-tests")
        .join(format!("ecs-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0).unwrap()
}

fn td(dir: &Path, command: &[&str]) -> TaskDefinition {
    TaskDefinition {
        working_dir: dir.to_path_buf(),
        command: command.iter().map(|s| s.to_string()).collect(),
        environment: vec![
            ("GREETING".into(), "base".into()),
            ("KEEP".into(), "kept".into()),
        ],
        container_name: "app".into(),
        timeout: None,
    }
}

fn handler_with(dir: &Path, defs: Vec<(&str, TaskDefinition)>, launch: Option<&str>) -> EcsHandler {
    handler(Arc::new(EcsConfig {
        task_definitions: defs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        log_dir: dir.join("logs"),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        launch_failure_error: launch.map(str::to_string),
    }))
}

fn request(resource: &str, parameters: Value) -> TaskRequest {
    TaskRequest {
        resource: resource.into(),
        parameters,
        context: json!({}),
        task_token: None,
        state_name: "RunBatch".into(),
        attempt: 0,
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:sm:e1".into(),
        test_case: None,
        invocation: 0,
        clock: Arc::new(VirtualClock::new(now())),
        function_name: None,
        submitted: None,
    }
}

fn params(command: Option<&[&str]>, env: &[(&str, &str)]) -> Value {
    let mut o = json!({"Name": "app"});
    if let Some(c) = command {
        o["Command"] = json!(c);
    }
    if !env.is_empty() {
        o["Environment"] = Value::Array(
            env.iter()
                .map(|(k, v)| json!({"Name": k, "Value": v}))
                .collect(),
        );
    }
    json!({
        "Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/batch",
        "TaskDefinition": "sample-batch",
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}},
        "Overrides": {"ContainerOverrides": [o]}
    })
}

async fn call(h: &EcsHandler, resource: &str, p: Value) -> Result<Value, TaskFailure> {
    h.call(request(resource, p)).await
}

fn cause_json(f: &TaskFailure) -> Value {
    serde_json::from_str(f.cause.as_deref().unwrap()).unwrap()
}

#[tokio::test]
async fn sync_success_is_the_stopped_task_description() {
    let dir = scratch("ok");
    write(
        &dir,
        "ok.sh",
        "echo \"hello $GREETING\"\necho oops >&2\nexit 0\n",
    );
    let h = handler_with(
        &dir,
        vec![("sample-batch", td(&dir, &["/bin/sh", "ok.sh"]))],
        None,
    );
    let out = call(&h, RUN_TASK_SYNC, params(None, &[])).await.unwrap();

    assert_eq!(out["LastStatus"], "STOPPED");
    assert_eq!(out["DesiredStatus"], "STOPPED");
    assert_eq!(out["StopCode"], "EssentialContainerExited");
    assert_eq!(out["StoppedReason"], "Essential container in task exited");
    assert_eq!(out["StartedBy"], "AWS Step Functions");
    assert_eq!(out["LaunchType"], "FARGATE");
    assert_eq!(out["Group"], "family:sample-batch");
    assert_eq!(
        out["ClusterArn"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/batch"
    );
    assert_eq!(
        out["TaskDefinitionArn"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/sample-batch:1"
    );
    assert_eq!(out["CreatedAt"], json!(now().timestamp_millis()));
    assert_eq!(out["StoppedAt"], json!(now().timestamp_millis()));
    let arn = out["TaskArn"].as_str().unwrap();
    let id = arn
        .strip_prefix("arn:aws:ecs:us-east-1:123456789012:task/batch/")
        .unwrap();
    assert_eq!(id.len(), 32);
    let c = &out["Containers"][0];
    assert_eq!(c["ExitCode"], 0);
    assert_eq!(c["LastStatus"], "STOPPED");
    assert_eq!(c["Name"], "app");
    assert_eq!(c["TaskArn"], arn);
    assert_eq!(out["Attachments"][0]["Status"], "DELETED");
    assert_eq!(
        out["Overrides"]["ContainerOverrides"][0]["Command"],
        json!([])
    );
    // Keys come in Step Functions' (alphabetical) order.
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    let mut sorted_keys = keys.clone();
    sorted_keys.sort();
    assert_eq!(keys, sorted_keys);

    assert_eq!(h.read_log(arn).unwrap(), "hello base\noops\n");
    assert_eq!(h.read_log(id).unwrap(), "hello base\noops\n");
    assert_eq!(h.describe_task(arn).unwrap(), out);
}

#[tokio::test]
async fn sync_nonzero_exit_fails_with_the_task_as_cause() {
    let dir = scratch("exit1");
    write(&dir, "fail.sh", "echo 'bad SQL'\nexit 3\n");
    let h = handler_with(
        &dir,
        vec![("sample-batch", td(&dir, &["/bin/sh", "fail.sh"]))],
        None,
    );
    let f = call(&h, RUN_TASK_SYNC, params(None, &[]))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    let cause = cause_json(&f);
    assert_eq!(cause["Containers"][0]["ExitCode"], 3);
    assert_eq!(cause["StopCode"], "EssentialContainerExited");
    assert_eq!(cause["LastStatus"], "STOPPED");
    let arn = cause["TaskArn"].as_str().unwrap();
    assert_eq!(h.read_log(arn).unwrap(), "bad SQL\n");
}

#[tokio::test]
async fn missing_executable_is_a_task_that_failed_to_start() {
    let dir = scratch("noexe");
    let h = handler_with(&dir, vec![("sample-batch", td(&dir, &["/bin/sh"]))], None);
    let p = params(Some(&["no-such-program-xyz", "--flag"]), &[]);
    let f = call(&h, RUN_TASK_SYNC, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    let cause = cause_json(&f);
    assert_eq!(cause["StopCode"], "TaskFailedToStart");
    let reason = cause["StoppedReason"].as_str().unwrap();
    assert!(reason.starts_with("CannotStartContainerError:"), "{reason}");
    assert!(reason.contains("no-such-program-xyz"), "{reason}");
    assert!(cause["Containers"][0].get("ExitCode").is_none());
    assert_eq!(cause["Containers"][0]["Reason"], reason);
    assert!(cause.get("StartedAt").is_none());
    // The log exists (empty): the container never wrote anything.
    assert_eq!(h.read_log(cause["TaskArn"].as_str().unwrap()).unwrap(), "");
}

#[tokio::test]
async fn missing_working_dir_is_a_task_that_failed_to_start() {
    let dir = scratch("nodir");
    let gone = dir.join("does-not-exist");
    let h = handler_with(
        &dir,
        vec![("sample-batch", td(&gone, &["/bin/sh", "-c", "true"]))],
        None,
    );
    let f = call(&h, RUN_TASK_SYNC, params(None, &[]))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    let cause = cause_json(&f);
    assert_eq!(cause["StopCode"], "TaskFailedToStart");
    let reason = cause["StoppedReason"].as_str().unwrap();
    assert!(reason.starts_with("CannotPullContainerError:"), "{reason}");
    assert!(reason.contains("does-not-exist"), "{reason}");
}

#[tokio::test]
async fn launch_failure_error_names_launch_failures_only() {
    let dir = scratch("launch");
    write(&dir, "fail.sh", "exit 1\n");
    let gone = dir.join("gone");
    let h = handler_with(
        &dir,
        vec![
            ("sample-batch", td(&dir, &["/bin/sh", "fail.sh"])),
            ("no-dir", td(&gone, &["/bin/sh", "fail.sh"])),
        ],
        Some("ECS.AmazonECSException"),
    );
    for resource in [RUN_TASK_SYNC, RUN_TASK] {
        let f = call(&h, resource, params(Some(&["./missing.sh"]), &[]))
            .await
            .unwrap_err();
        assert_eq!(
            f.error.as_deref(),
            Some("ECS.AmazonECSException"),
            "{resource}"
        );
        assert!(
            f.cause
                .as_deref()
                .unwrap()
                .starts_with("CannotStartContainerError:")
        );
    }
    let mut p = params(None, &[]);
    p["TaskDefinition"] = json!("no-dir");
    let f = call(&h, RUN_TASK_SYNC, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("ECS.AmazonECSException"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .starts_with("CannotPullContainerError:")
    );
    // A non-zero exit is still States.TaskFailed.
    let f = call(&h, RUN_TASK_SYNC, params(None, &[]))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
}

#[tokio::test]
async fn command_and_environment_overrides() {
    let dir = scratch("env");
    write(&dir, "env.sh", "echo \"$GREETING $KEEP $EXTRA $1\"\n");
    let h = handler_with(
        &dir,
        vec![("sample-batch", td(&dir, &["/bin/false"]))],
        None,
    );
    let p = params(
        Some(&["/bin/sh", "env.sh", "arg1"]),
        &[("GREETING", "override"), ("EXTRA", "x")],
    );
    let out = call(&h, RUN_TASK_SYNC, p).await.unwrap();
    assert_eq!(
        h.read_log(out["TaskArn"].as_str().unwrap()).unwrap(),
        "override kept x arg1\n"
    );
    let co = &out["Overrides"]["ContainerOverrides"][0];
    assert_eq!(co["Command"], json!(["/bin/sh", "env.sh", "arg1"]));
    assert_eq!(
        co["Environment"][0],
        json!({"Name": "GREETING", "Value": "override"})
    );
    assert_eq!(co["EnvironmentFiles"], json!([]));
    assert_eq!(out["Overrides"]["InferenceAcceleratorOverrides"], json!([]));
}

#[tokio::test]
async fn relative_program_paths_resolve_against_the_working_dir() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("rel");
    write(
        &dir,
        "run.sh",
        "#!/bin/sh\necho ran in \"$(basename \"$PWD\")\"\n",
    );
    std::fs::set_permissions(dir.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let h = handler_with(&dir, vec![("sample-batch", td(&dir, &["./run.sh"]))], None);
    let out = call(&h, RUN_TASK_SYNC, params(None, &[])).await.unwrap();
    let name = dir.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        h.read_log(out["TaskArn"].as_str().unwrap()).unwrap(),
        format!("ran in {name}\n")
    );
}

/// Blocks until `go` exists in the working directory, then writes `done`.
const GATED: &str = "while [ ! -f go ]; do sleep 0.02; done\necho finished\ntouch done\n";

/// Polls `f` until it is true; the bound only guards against a hang.
async fn eventually(mut f: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition never became true");
}

#[tokio::test]
async fn request_response_returns_while_the_process_runs() {
    for resource in [RUN_TASK, RUN_TASK_WAIT_FOR_TOKEN] {
        let dir = scratch("async");
        write(&dir, "gated.sh", GATED);
        let h = handler_with(
            &dir,
            vec![("sample-batch", td(&dir, &["/bin/sh", "gated.sh"]))],
            None,
        );
        // The process cannot end before `go` exists, so returning proves it did not wait.
        let out = call(&h, resource, params(None, &[])).await.unwrap();
        assert_eq!(out["Failures"], json!([]));
        assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
        assert!(out["SdkResponseMetadata"]["RequestId"].is_string());
        let task = &out["Tasks"][0];
        assert_eq!(task["LastStatus"], "PROVISIONING");
        assert_eq!(task["DesiredStatus"], "RUNNING");
        assert_eq!(task["Containers"][0]["LastStatus"], "PENDING");
        let arn = task["TaskArn"].as_str().unwrap().to_string();
        assert_eq!(h.describe_task(&arn).unwrap()["LastStatus"], "RUNNING");

        std::fs::write(dir.join("go"), "").unwrap();
        eventually(|| h.describe_task(&arn).unwrap()["LastStatus"] == "STOPPED").await;
        let d = h.describe_task(&arn).unwrap();
        assert_eq!(d["Containers"][0]["ExitCode"], 0);
        assert!(dir.join("done").exists());
        assert_eq!(h.read_log(&arn).unwrap(), "finished\n");
    }
}

#[tokio::test]
async fn dropping_a_sync_call_stops_the_task() {
    let dir = scratch("drop");
    write(&dir, "gated.sh", GATED);
    let h = handler_with(
        &dir,
        vec![("sample-batch", td(&dir, &["/bin/sh", "gated.sh"]))],
        None,
    );
    let running = h
        .run_task(&request(RUN_TASK_SYNC, params(None, &[])))
        .await
        .unwrap();
    let arn = running.task_arn.clone();
    let wait = tokio::spawn(running.wait());
    eventually(|| h.describe_task(&arn).unwrap()["LastStatus"] == "RUNNING").await;
    wait.abort();
    let _ = wait.await;
    let d = h.describe_task(&arn).unwrap();
    assert_eq!(d["LastStatus"], "STOPPED");
    assert_eq!(d["StopCode"], "UserInitiated");
    assert_eq!(d["Containers"][0]["ExitCode"], 137);
}

#[tokio::test]
async fn task_definition_timeout_kills_the_process() {
    let dir = scratch("timeout");
    write(&dir, "gated.sh", GATED);
    let mut def = td(&dir, &["/bin/sh", "gated.sh"]);
    def.timeout = Some(Duration::from_millis(100));
    let h = handler_with(&dir, vec![("sample-batch", def)], None);
    let f = call(&h, RUN_TASK_SYNC, params(None, &[]))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    let cause = cause_json(&f);
    assert_eq!(cause["Containers"][0]["ExitCode"], 137);
    assert_eq!(cause["StopCode"], "UserInitiated");
    assert!(cause["StoppedReason"].as_str().unwrap().contains("timeout"));
    assert!(!dir.join("done").exists());
}

#[tokio::test]
async fn rejected_run_task_calls() {
    let dir = scratch("reject");
    let h = handler_with(&dir, vec![("sample-batch", td(&dir, &["/bin/true"]))], None);

    let mut p = params(None, &[]);
    p["TaskDefinition"] = json!("unknown-family");
    let f = call(&h, RUN_TASK_SYNC, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("ECS.InvalidParameterException"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .starts_with("TaskDefinition not found. (Service: AmazonECS;")
    );

    let mut p = params(None, &[]);
    p["Overrides"]["ContainerOverrides"][0]["Name"] = json!("sidecar");
    let f = call(&h, RUN_TASK, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("ECS.InvalidParameterException"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .contains("Override for container named sidecar")
    );

    let mut p = params(None, &[]);
    p.as_object_mut().unwrap().remove("TaskDefinition");
    let f = call(&h, RUN_TASK, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("ECS.InvalidParameterException"));

    let mut p = params(None, &[]);
    p["Overrides"]["ContainerOverrides"][0]["Command"] = json!("python3 batch.py");
    let f = call(&h, RUN_TASK_SYNC, p).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .contains("'Command' must be a STRING_ARRAY")
    );

    let f = call(&h, RUN_TASK_SYNC, json!("not an object"))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
}

#[test]
fn task_definitions_are_found_by_family_revision_or_arn() {
    let dir = Path::new("/nonexistent");
    let cfg = EcsConfig {
        task_definitions: [
            ("batch:3".to_string(), td(dir, &["a"])),
            ("batch:7".to_string(), td(dir, &["b"])),
            (
                "arn:aws:ecs:us-east-1:1:task-definition/api:2".to_string(),
                td(dir, &["c"]),
            ),
        ]
        .into_iter()
        .collect(),
        log_dir: dir.into(),
        region: "us-east-1".into(),
        account: "1".into(),
        launch_failure_error: None,
    };
    let cmd = |name: &str| cfg.task_definition(name).map(|(_, t)| t.command[0].clone());
    assert_eq!(cmd("batch:7").as_deref(), Some("b"));
    assert_eq!(
        cmd("arn:aws:ecs:us-east-1:123:task-definition/batch:7").as_deref(),
        Some("b")
    );
    assert_eq!(cmd("batch").as_deref(), Some("a"));
    assert_eq!(cmd("batch:9").as_deref(), Some("a"));
    assert_eq!(cmd("api").as_deref(), Some("c"));
    assert_eq!(cmd("api:2").as_deref(), Some("c"));
    assert_eq!(cmd("other"), None);
}

#[tokio::test]
async fn arn_revision_is_echoed() {
    let dir = scratch("rev");
    let h = handler_with(&dir, vec![("sample-batch", td(&dir, &["/bin/true"]))], None);
    let mut p = params(None, &[]);
    p["TaskDefinition"] =
        json!("arn:aws:ecs:us-east-1:123456789012:task-definition/sample-batch:12");
    let out = call(&h, RUN_TASK_SYNC, p).await.unwrap();
    assert_eq!(
        out["TaskDefinitionArn"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/sample-batch:12"
    );
}

#[test]
fn config_loads_from_json() {
    let cfg: EcsConfig = serde_json::from_value(json!({
        "logDir": "/var/log/sfn",
        "taskDefinitions": {
            "sample-batch": {
                "workingDir": "examples/ecs-batch/batch",
                "command": ["python3", "sample_batch.py"],
                "environment": {"DATABASE_URL": "sqlite:///tmp/db.sqlite", "MODE": "dev"},
                "containerName": "api",
                "timeoutSeconds": 1.5
            },
            "listed": {
                "workingDir": ".",
                "environment": [["A", "1"], {"Name": "B", "Value": "2"}]
            }
        }
    }))
    .unwrap();
    assert_eq!(cfg.region, "us-east-1");
    assert_eq!(cfg.account, "123456789012");
    let td = &cfg.task_definitions["sample-batch"];
    assert_eq!(td.timeout, Some(Duration::from_millis(1500)));
    assert_eq!(
        td.environment,
        vec![
            (
                "DATABASE_URL".to_string(),
                "sqlite:///tmp/db.sqlite".to_string()
            ),
            ("MODE".to_string(), "dev".to_string())
        ]
    );
    let listed = &cfg.task_definitions["listed"];
    assert_eq!(listed.environment[1], ("B".to_string(), "2".to_string()));
    assert!(listed.command.is_empty() && listed.timeout.is_none());

    let round: EcsConfig = serde_json::from_value(serde_json::to_value(&cfg).unwrap()).unwrap();
    assert_eq!(
        round.task_definitions["sample-batch"].environment,
        td.environment
    );

    let err = serde_json::from_value::<EcsConfig>(json!({
        "logDir": "x", "taskDefinitions": {"a": {"workingDir": ".", "timeoutSeconds": -1}}
    }))
    .unwrap_err();
    assert!(err.to_string().contains("timeoutSeconds"), "{err}");
    let err = serde_json::from_value::<EcsConfig>(json!({
        "logDir": "x", "taskDefinitions": {"a": {"workingDir": ".", "enviroment": {}}}
    }))
    .unwrap_err();
    assert!(err.to_string().contains("enviroment"), "{err}");
}

#[test]
fn read_log_accepts_only_task_ids() {
    let h = handler_with(Path::new("/nonexistent"), vec![], None);
    for bad in ["../../etc/passwd", "", "arn:aws:ecs:r:a:task/c/", "zz"] {
        let e = h.read_log(bad).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad}");
    }
    let e = h.read_log("0123456789abcdef0123456789abcdef").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
}
