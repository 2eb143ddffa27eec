//! A RunTask request read into a plan, and the task descriptions Step Functions returns for it
//! (PascalCase keys in alphabetical order, timestamps in epoch milliseconds).

use asl_interpreter::TaskFailure;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::config::{EcsConfig, TaskDefinition, family_of, revision_of};

/// `StartedBy` of tasks Step Functions starts.
const STARTED_BY: &str = "AWS Step Functions";

/// What one RunTask request asks for, after validation.
pub(crate) struct Plan {
    pub task_id: String,
    pub family: String,
    pub definition: TaskDefinition,
    pub container_name: String,
    /// Program and arguments.
    pub program: Vec<String>,
    /// Task definition environment, then overrides.
    pub env: Vec<(String, String)>,
    /// The task as RunTask returns it (PROVISIONING or PENDING), unsorted.
    pub base: Map<String, Value>,
}

/// A rejected RunTask call, with the v1 Java SDK's message shape that Step Functions puts in
/// the cause of optimized-integration errors.
pub(crate) fn api_error(exception: &str, message: &str) -> TaskFailure {
    TaskFailure::new(
        format!("ECS.{exception}"),
        format!(
            "{message} (Service: AmazonECS; Status Code: 400; Error Code: {exception}; Request ID: {}; Proxy: null)",
            uuid::Uuid::new_v4()
        ),
    )
}

/// Parameters Step Functions cannot turn into a RunTask call (`States.Runtime`).
fn bad_parameters(parameters: &Value, problem: &str) -> TaskFailure {
    TaskFailure::new(
        "States.Runtime",
        format!("The Parameters '{parameters}' could not be used to start the Task: [{problem}]"),
    )
}

/// Sorts object keys recursively, as Step Functions serializes service responses.
pub(crate) fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

pub(crate) fn millis(t: DateTime<Utc>) -> Value {
    json!(t.timestamp_millis())
}

/// The RunTask response: the task plus the HTTP metadata the v1 Java SDK attaches, as Step
/// Functions includes it in optimized-integration outputs.
pub(crate) fn run_task_response(task: Value, now: DateTime<Utc>) -> Value {
    let len = task.to_string().len() + 26;
    let mut body = serde_json::Map::new();
    body.insert("Failures".into(), json!([]));
    body.insert("Tasks".into(), json!([task]));
    crate::integrations::sdk_metadata::aws_answer(
        body,
        false,
        len,
        now,
        "application/x-amz-json-1.1",
    )
}

/// An optional string parameter.
fn opt_str<'a>(p: &'a Value, field: &str) -> Result<Option<&'a str>, TaskFailure> {
    match p.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_parameters(
            p,
            &format!("The value for the field '{field}' must be a STRING"),
        )),
    }
}

/// Reads a RunTask request (`Cluster`, `TaskDefinition`, `LaunchType`, `Overrides`, ...)
/// against the configuration.
pub(crate) fn plan(cfg: &EcsConfig, p: &Value, now: DateTime<Utc>) -> Result<Plan, TaskFailure> {
    if !p.is_object() {
        return Err(bad_parameters(p, "The parameters must be an object"));
    }
    // The RunTask API requires taskDefinition.
    let td_name = opt_str(p, "TaskDefinition")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            api_error(
                "InvalidParameterException",
                "TaskDefinition can not be blank.",
            )
        })?;
    let (key, td) = cfg
        .task_definition(td_name)
        .ok_or_else(|| api_error("InvalidParameterException", "TaskDefinition not found."))?;
    let family = family_of(key).to_string();
    let revision = revision_of(td_name).or(revision_of(key)).unwrap_or(1);
    let container_name = if td.container_name.is_empty() {
        family.clone()
    } else {
        td.container_name.clone()
    };
    let cluster = opt_str(p, "Cluster")?.unwrap_or("default");
    let (cluster_name, cluster_arn) = match cluster.rsplit_once(":cluster/") {
        Some((_, name)) => (name.to_string(), cluster.to_string()),
        None => (cluster.to_string(), cfg.arn(&format!("cluster/{cluster}"))),
    };
    let launch_type = opt_str(p, "LaunchType")?;
    let mut program = td.command.clone();
    let mut env = td.environment.clone();
    let overrides = apply_overrides(p, &container_name, &mut program, &mut env)?;

    let task_id = uuid::Uuid::new_v4().simple().to_string();
    let task_arn = cfg.arn(&format!("task/{cluster_name}/{task_id}"));
    let fargate = launch_type == Some("FARGATE");
    let mut attachments = Vec::new();
    if let Some(subnet) = p
        .pointer("/NetworkConfiguration/AwsvpcConfiguration/Subnets/0")
        .and_then(Value::as_str)
    {
        let eni = &uuid::Uuid::new_v4().simple().to_string()[..17];
        attachments.push(json!({
            "Details": [
                {"Name": "subnetId", "Value": subnet},
                {"Name": "networkInterfaceId", "Value": format!("eni-{eni}")}
            ],
            "Id": uuid::Uuid::new_v4().to_string(),
            "Status": "PRECREATED",
            "Type": "eni"
        }));
    }
    let container_arn = cfg.arn(&format!(
        "container/{cluster_name}/{task_id}/{}",
        uuid::Uuid::new_v4()
    ));
    let param_or = |k: &str, default: Value| p.get(k).cloned().unwrap_or(default);
    let base = json!({
        "Attachments": attachments,
        "Attributes": [],
        "AvailabilityZone": format!("{}a", cfg.region),
        "ClusterArn": cluster_arn,
        "Containers": [{
            "ContainerArn": container_arn,
            "Cpu": "0",
            "GpuIds": [],
            "LastStatus": "PENDING",
            "Name": container_name,
            "NetworkBindings": [],
            "NetworkInterfaces": [],
            "TaskArn": task_arn,
        }],
        "CreatedAt": millis(now),
        "DesiredStatus": "RUNNING",
        "Group": param_or("Group", json!(format!("family:{family}"))),
        "LastStatus": if fargate { "PROVISIONING" } else { "PENDING" },
        "Overrides": overrides,
        "StartedBy": param_or("StartedBy", json!(STARTED_BY)),
        "Tags": param_or("Tags", json!([])),
        "TaskArn": task_arn,
        "TaskDefinitionArn": cfg.arn(&format!("task-definition/{family}:{revision}")),
        "Version": 1
    });
    let mut base = match base {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    if let Some(lt) = launch_type {
        base.insert("LaunchType".into(), json!(lt));
    }
    if fargate {
        let version = p
            .get("PlatformVersion")
            .filter(|v| v.as_str() != Some("LATEST"))
            .cloned()
            .unwrap_or_else(|| json!("1.4.0"));
        base.insert("PlatformVersion".into(), version);
    }
    Ok(Plan {
        task_id,
        family,
        definition: td.clone(),
        container_name,
        program,
        env,
        base,
    })
}

/// Applies `Overrides.ContainerOverrides[]` (the command replaces the default, the
/// environment adds to it) and returns `Overrides` as the task description shows it.
fn apply_overrides(
    p: &Value,
    container_name: &str,
    program: &mut Vec<String>,
    env: &mut Vec<(String, String)>,
) -> Result<Value, TaskFailure> {
    let mut overrides = Map::new();
    let mut container_overrides = Vec::new();
    let o = match p.get("Overrides") {
        None => &Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => {
            return Err(bad_parameters(
                p,
                "The value for the field 'Overrides' must be an OBJECT",
            ));
        }
    };
    for (k, v) in o {
        if k != "ContainerOverrides" {
            overrides.insert(k.clone(), v.clone());
        }
    }
    let list = match o.get("ContainerOverrides") {
        None => &Vec::new(),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(bad_parameters(
                p,
                "The value for the field 'ContainerOverrides' must be an ARRAY",
            ));
        }
    };
    for co in list {
        let Some(co) = co.as_object() else {
            return Err(bad_parameters(
                p,
                "The elements of 'ContainerOverrides' must be OBJECTs",
            ));
        };
        let name = co.get("Name").and_then(Value::as_str).unwrap_or_default();
        if name != container_name {
            return Err(api_error(
                "InvalidParameterException",
                &format!(
                    "Override for container named {name} is not a container in the TaskDefinition."
                ),
            ));
        }
        let mut shown = co.clone();
        match co.get("Command") {
            None => {
                shown.insert("Command".into(), json!([]));
            }
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                if !a.is_empty() {
                    *program = a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                }
            }
            Some(_) => {
                return Err(bad_parameters(
                    p,
                    "The value for the field 'Command' must be a STRING_ARRAY",
                ));
            }
        }
        match co.get("Environment") {
            None => {
                shown.insert("Environment".into(), json!([]));
            }
            Some(Value::Array(a)) => {
                for kv in a {
                    let name = kv.get("Name").and_then(Value::as_str);
                    let value = kv.get("Value").and_then(Value::as_str);
                    let (Some(name), Some(value)) = (name, value) else {
                        return Err(bad_parameters(
                            p,
                            "The elements of 'Environment' must have a STRING 'Name' and 'Value'",
                        ));
                    };
                    env.push((name.to_string(), value.to_string()));
                }
            }
            Some(_) => {
                return Err(bad_parameters(
                    p,
                    "The value for the field 'Environment' must be an ARRAY",
                ));
            }
        }
        shown.entry("EnvironmentFiles").or_insert_with(|| json!([]));
        shown
            .entry("ResourceRequirements")
            .or_insert_with(|| json!([]));
        container_overrides.push(Value::Object(shown));
    }
    overrides.insert(
        "ContainerOverrides".into(),
        Value::Array(container_overrides),
    );
    overrides
        .entry("InferenceAcceleratorOverrides")
        .or_insert_with(|| json!([]));
    Ok(Value::Object(overrides))
}

fn container_mut(task: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    task.get_mut("Containers")?.get_mut(0)?.as_object_mut()
}

fn set_attachment_status(task: &mut Map<String, Value>, status: &str) {
    if let Some(Value::Array(a)) = task.get_mut("Attachments") {
        for att in a.iter_mut().filter_map(Value::as_object_mut) {
            att.insert("Status".into(), json!(status));
        }
    }
}

/// The task once its process has started (`pid` becomes the container's runtime id).
pub(crate) fn running(
    task: &Map<String, Value>,
    task_id: &str,
    pid: Option<u32>,
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let mut t = task.clone();
    t.insert("LastStatus".into(), json!("RUNNING"));
    for k in [
        "StartedAt",
        "PullStartedAt",
        "PullStoppedAt",
        "ConnectivityAt",
    ] {
        t.insert(k.into(), millis(now));
    }
    t.insert("Connectivity".into(), json!("CONNECTED"));
    set_attachment_status(&mut t, "ATTACHED");
    if let Some(c) = container_mut(&mut t) {
        c.insert("LastStatus".into(), json!("RUNNING"));
        if let Some(pid) = pid {
            c.insert("RuntimeId".into(), json!(format!("{task_id}-{pid}")));
        }
    }
    t
}

/// Why a task stopped.
pub(crate) enum Stop {
    /// The essential container exited with this code.
    Exited(i64),
    /// The task was stopped (timeout, state ended); the container was killed.
    Stopped(String),
    /// The task never started.
    FailedToStart(String),
}

/// The exit code Docker reports for a container killed with SIGKILL.
pub(crate) const EXIT_KILLED: i64 = 137;

/// The description of a stopped task.
pub(crate) fn stopped(task: &Map<String, Value>, now: DateTime<Utc>, stop: Stop) -> Value {
    let mut t = task.clone();
    let (code, reason, exit, container_reason) = match stop {
        Stop::Exited(e) => (
            "EssentialContainerExited",
            "Essential container in task exited".to_string(),
            Some(e),
            None,
        ),
        Stop::Stopped(r) => ("UserInitiated", r, Some(EXIT_KILLED), None),
        Stop::FailedToStart(r) => ("TaskFailedToStart", r.clone(), None, Some(r)),
    };
    for (k, v) in [
        ("LastStatus", json!("STOPPED")),
        ("DesiredStatus", json!("STOPPED")),
        ("StopCode", json!(code)),
        ("StoppedReason", json!(reason)),
        ("StoppingAt", millis(now)),
        ("StoppedAt", millis(now)),
        ("ExecutionStoppedAt", millis(now)),
        ("Version", json!(3)),
    ] {
        t.insert(k.into(), v);
    }
    set_attachment_status(&mut t, "DELETED");
    if let Some(c) = container_mut(&mut t) {
        c.insert("LastStatus".into(), json!("STOPPED"));
        if let Some(e) = exit {
            c.insert("ExitCode".into(), json!(e));
        }
        if let Some(r) = container_reason {
            c.insert("Reason".into(), json!(r));
        }
    }
    sorted(Value::Object(t))
}
