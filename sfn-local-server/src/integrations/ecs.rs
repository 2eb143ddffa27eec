//! `arn:aws:states:::ecs:runTask[.sync|.waitForTaskToken]` run as a local process.
//!
//! A task definition in the configuration maps to a working directory, a default command, a
//! base environment and a container name. RunTask's `Overrides.ContainerOverrides[]` replace
//! the command and add environment variables; the process runs without a shell, in the working
//! directory, with stdout and stderr captured into `log_dir/<task id>.log` (the CloudWatch Logs
//! stand-in, see [`EcsHandler::read_log`]).
//!
//! What Step Functions returns, and how it fails, follows AWS:
//! - Request-response and `.waitForTaskToken`: the RunTask response (`Tasks`, `Failures`, plus
//!   `SdkHttpMetadata`/`SdkResponseMetadata` as every optimized integration built on the v1
//!   Java SDK adds), while the process keeps running in the background.
//!   <https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html>
//! - `.sync`: the task description once it has stopped — PascalCase keys in alphabetical
//!   order, timestamps as epoch milliseconds, `StartedBy: "AWS Step Functions"`,
//!   `StopCode: EssentialContainerExited`, `StoppedReason: "Essential container in task
//!   exited"`, even when the exit code is 0. Shape taken from a real execution output kept in
//!   aws-samples/aws-autonomous-driving-data-lake-ros-bag-scene-detection-pipeline.
//! - A `.sync` task whose container exits non-zero, or that never starts, fails with
//!   `States.TaskFailed` and the task description (JSON text) as the cause; workflows parse it
//!   with `States.StringToJson` and branch on `StoppedReason`/`StopCode` (as in public
//!   production definitions), and AWS's copilot team observed `States.TaskFailed` for both a
//!   non-zero exit and a container that fails to come up
//!   (<https://github.com/aws/copilot-cli/issues/3160>).
//! - A RunTask *call* that ECS rejects fails with `ECS.<Exception>` (for example
//!   `ECS.InvalidParameterException` for an unknown task definition; `ECS.AmazonECSException`
//!   is the generic service error that definitions retry on for capacity/throttling).
//!
//! Locally, a missing working directory stands for an image that cannot be pulled
//! (`CannotPullContainerError`) and a command that cannot be executed for a container that
//! cannot start (`CannotStartContainerError`): both stop the task with
//! `StopCode: TaskFailedToStart`. Because AWS gives those the same error name as a non-zero
//! exit, [`EcsConfig::launch_failure_error`] can name them differently (e.g.
//! `ECS.AmazonECSException`) so that a `Retry` can target launch failures alone; the RunTask
//! call then fails with that error in every integration pattern.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Clock, Handlers, TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Map, Value};

mod config;
mod task;

pub use config::{EcsConfig, TaskDefinition};
use task::{EXIT_KILLED, Plan, Stop};

/// The request-response resource.
pub const RUN_TASK: &str = "arn:aws:states:::ecs:runTask";
/// The run-a-job resource: waits for the task to stop.
pub const RUN_TASK_SYNC: &str = "arn:aws:states:::ecs:runTask.sync";
/// The callback resource: starts the task, the engine waits for the token.
pub const RUN_TASK_WAIT_FOR_TOKEN: &str = "arn:aws:states:::ecs:runTask.waitForTaskToken";

/// `States.TaskFailed`: a `.sync` task that stopped with a non-zero exit or never started.
pub const TASK_FAILED: &str = "States.TaskFailed";
/// The error of a RunTask call ECS rejects as invalid (unknown task definition, override for a
/// container the task definition does not have).
pub const INVALID_PARAMETER: &str = "ECS.InvalidParameterException";

/// Runs RunTask requests as local processes and keeps their descriptions and logs.
#[derive(Clone)]
pub struct EcsHandler {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<EcsConfig>,
    /// Task descriptions by task id, updated as tasks stop.
    tasks: Mutex<HashMap<String, Value>>,
}

/// The handler for [`RUN_TASK`], [`RUN_TASK_SYNC`] and [`RUN_TASK_WAIT_FOR_TOKEN`].
pub fn handler(config: Arc<EcsConfig>) -> EcsHandler {
    EcsHandler::new(config)
}

/// A task that RunTask accepted: its RunTask response, and its end.
pub struct RunningTask {
    /// The task's ARN.
    pub task_arn: String,
    /// The RunTask response as Step Functions returns it (`TaskSubmitted` output in `.sync`).
    pub response: Value,
    end: End,
}

enum End {
    /// The process runs; the future yields the stopped task's description.
    Running(Pin<Box<dyn Future<Output = Value> + Send>>),
    /// The task never started; its stopped description.
    FailedToStart(Value),
}

impl RunningTask {
    /// Waits for the task to stop (`.sync`): its description if the essential container
    /// exited 0, otherwise `States.TaskFailed` with the description as the cause. Dropping
    /// the future stops the task (as Step Functions stops a `.sync` task whose state times
    /// out or whose execution ends).
    pub async fn wait(self) -> Result<Value, TaskFailure> {
        let description = match self.end {
            End::Running(f) => f.await,
            End::FailedToStart(d) => d,
        };
        let exit = description
            .pointer("/Containers/0/ExitCode")
            .and_then(Value::as_i64);
        if exit == Some(0) {
            Ok(description)
        } else {
            Err(TaskFailure::new(TASK_FAILED, description.to_string()))
        }
    }

    /// Lets the process run to its end in the background (request-response and callback
    /// patterns). Needs a Tokio runtime; without one the process is stopped.
    pub fn detach(self) {
        if let End::Running(f) = self.end
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(f);
        }
    }
}

/// How the resource's integration pattern treats the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    RequestResponse,
    Sync,
    Callback,
}

impl EcsHandler {
    /// A handler over `config`.
    pub fn new(config: Arc<EcsConfig>) -> Self {
        EcsHandler {
            inner: Arc::new(Inner {
                config,
                tasks: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EcsConfig {
        &self.inner.config
    }

    /// Registers this handler for the three RunTask resources.
    pub fn register(&self, handlers: Handlers) -> Handlers {
        handlers
            .resource(RUN_TASK, self.clone())
            .resource(RUN_TASK_SYNC, self.clone())
            .resource(RUN_TASK_WAIT_FOR_TOKEN, self.clone())
    }

    /// The current description of a task this handler started (by ARN or id).
    pub fn describe_task(&self, task_arn_or_id: &str) -> Option<Value> {
        let id = task_id(task_arn_or_id)?;
        self.lock().get(id).cloned()
    }

    /// The ids of the tasks with a log, this process's and earlier ones', newest first.
    pub fn task_ids(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.inner.config.log_dir) else {
            return Vec::new();
        };
        let mut found: Vec<(std::time::SystemTime, String)> = dir
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let id = name
                    .strip_suffix(".log")
                    .filter(|id| task_id(id).is_some())?;
                let id = id.to_string();
                let at = e.metadata().and_then(|m| m.modified()).ok()?;
                Some((at, id))
            })
            .collect();
        found.sort_by(|a, b| b.cmp(a));
        found.into_iter().map(|(_, id)| id).collect()
    }

    /// Where a task's log is written.
    pub fn log_path(&self, task_arn_or_id: &str) -> io::Result<PathBuf> {
        let id = task_id(task_arn_or_id).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{task_arn_or_id}` is not an ECS task ARN or task id"),
            )
        })?;
        Ok(self.inner.config.log_dir.join(format!("{id}.log")))
    }

    /// The task's stdout and stderr so far (the CloudWatch Logs stand-in). Works for tasks
    /// started by an earlier process too, as long as the log directory is the same.
    pub fn read_log(&self, task_arn_or_id: &str) -> io::Result<String> {
        let bytes = std::fs::read(self.log_path(task_arn_or_id)?)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Value>> {
        self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, id: &str, description: &Value) {
        self.lock().insert(id.to_string(), description.clone());
    }

    /// Submits a RunTask request: validates it, starts the process and returns the RunTask
    /// response with a handle on the task's end. Fails only when the RunTask call itself would
    /// (or when [`EcsConfig::launch_failure_error`] is set and the process cannot start).
    pub async fn run_task(&self, req: &TaskRequest) -> Result<RunningTask, TaskFailure> {
        let clock = req.clock.clone();
        let created = clock.now();
        let plan = task::plan(&self.inner.config, &req.parameters, created)?;
        let task_arn = plan.base["TaskArn"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let submitted = task::sorted(Value::Object(plan.base.clone()));
        let response = task::run_task_response(submitted.clone(), created);
        let id = plan.task_id.clone();
        self.store(&id, &submitted);
        let end = match self.launch(&plan) {
            Ok(child) => {
                let running = task::running(&plan.base, &id, child.id(), clock.now());
                self.store(&id, &task::sorted(Value::Object(running.clone())));
                let timeout = plan.definition.timeout;
                End::Running(Box::pin(
                    self.clone().supervise(id, timeout, running, child, clock),
                ))
            }
            Err(reason) => {
                if let Some(name) = &self.inner.config.launch_failure_error {
                    self.lock().remove(&id);
                    return Err(TaskFailure::new(name.clone(), reason));
                }
                let d = task::stopped(&plan.base, clock.now(), Stop::FailedToStart(reason));
                self.store(&id, &d);
                End::FailedToStart(d)
            }
        };
        Ok(RunningTask {
            task_arn,
            response,
            end,
        })
    }

    /// Starts the process, or says why it cannot start (as ECS's stopped reasons do).
    fn launch(&self, plan: &Plan) -> Result<tokio::process::Child, String> {
        let cfg = &self.inner.config;
        let wd = &plan.definition.working_dir;
        if let Err(e) = std::fs::create_dir_all(&cfg.log_dir) {
            return Err(format!(
                "ResourceInitializationError: failed to create the log directory {}: {e}",
                cfg.log_dir.display()
            ));
        }
        let log_path = cfg.log_dir.join(format!("{}.log", plan.task_id));
        let log = std::fs::File::create(&log_path).map_err(|e| {
            format!(
                "ResourceInitializationError: failed to create the log file {}: {e}",
                log_path.display()
            )
        })?;
        if !wd.is_dir() {
            return Err(format!(
                "CannotPullContainerError: the working directory {} of task definition {} does not exist",
                wd.display(),
                plan.family
            ));
        }
        let Some((program, args)) = plan.program.split_first() else {
            return Err(format!(
                "CannotStartContainerError: container {} has no command (the task definition has none and no override gave one)",
                plan.container_name
            ));
        };
        let program_path = resolve_program(program, wd);
        let err_log = log
            .try_clone()
            .map_err(|e| format!("ResourceInitializationError: {e}"))?;
        let mut cmd = tokio::process::Command::new(&program_path);
        cmd.args(args)
            .current_dir(wd)
            .envs(plan.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err_log))
            .kill_on_drop(true);
        cmd.spawn().map_err(|e| {
            format!(
                "CannotStartContainerError: failed to start {:?} in {}: {e}",
                program,
                wd.display()
            )
        })
    }

    /// Waits for the process and records the stopped task. The guard exists before the
    /// future is first polled, so dropping it at any point stops the task.
    fn supervise(
        self,
        id: String,
        timeout: Option<Duration>,
        running: Map<String, Value>,
        mut child: tokio::process::Child,
        clock: Arc<dyn Clock>,
    ) -> impl Future<Output = Value> + Send + 'static {
        let mut guard = StopOnDrop {
            handler: self.clone(),
            id: id.clone(),
            running: Some(running.clone()),
            clock: clock.clone(),
        };
        async move {
            let status = match timeout {
                Some(limit) => match tokio::time::timeout(limit, child.wait()).await {
                    Ok(s) => s.map_err(|e| e.to_string()),
                    Err(_) => {
                        // kill() also reaps the process.
                        let _ = child.kill().await;
                        Err(format!(
                            "Task stopped by sfn-local: the task definition's timeout of {}s was exceeded",
                            limit.as_secs_f64()
                        ))
                    }
                },
                None => child.wait().await.map_err(|e| e.to_string()),
            };
            guard.disarm();
            let now = clock.now();
            let d = match status {
                Ok(s) => task::stopped(&running, now, Stop::Exited(exit_code(s))),
                Err(reason) => task::stopped(&running, now, Stop::Stopped(reason)),
            };
            self.store(&id, &d);
            d
        }
    }
}

/// Marks a running task stopped when its supervising future is dropped before the process
/// ends (the process itself is killed by `kill_on_drop`).
struct StopOnDrop {
    handler: EcsHandler,
    id: String,
    running: Option<Map<String, Value>>,
    clock: Arc<dyn Clock>,
}

impl StopOnDrop {
    /// The process ended on its own: nothing to stop.
    fn disarm(&mut self) {
        self.running = None;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let reason = "Task stopped by AWS Step Functions: the state ended before the task";
            let d = task::stopped(&running, self.clock.now(), Stop::Stopped(reason.into()));
            self.handler.store(&self.id, &d);
        }
    }
}

/// A program with a `/` but not absolute is relative to the working directory.
fn resolve_program(program: &str, wd: &Path) -> PathBuf {
    let p = Path::new(program);
    if program.contains('/') && p.is_relative() {
        wd.join(p)
    } else {
        p.to_path_buf()
    }
}

/// The exit code as Docker reports it: the code, or 128 + the signal.
fn exit_code(s: ExitStatus) -> i64 {
    if let Some(c) = s.code() {
        return c.into();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return 128 + i64::from(sig);
        }
    }
    EXIT_KILLED
}

/// The task id in a task ARN (`.../task/cluster/id`) or the id itself; only hex ids are
/// accepted, so a path can never be built from anything else.
fn task_id(task_arn_or_id: &str) -> Option<&str> {
    let id = task_arn_or_id.rsplit('/').next()?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

impl TaskHandler for EcsHandler {
    fn call(&self, request: TaskRequest) -> HandlerFuture {
        let this = self.clone();
        Box::pin(async move {
            let pattern = if request.resource.ends_with(".sync") {
                Pattern::Sync
            } else if request.resource.ends_with(".waitForTaskToken") {
                Pattern::Callback
            } else {
                Pattern::RequestResponse
            };
            let task = this.run_task(&request).await?;
            match pattern {
                Pattern::Sync => {
                    request.report_submitted(task.response.clone());
                    task.wait().await
                }
                Pattern::RequestResponse | Pattern::Callback => {
                    let response = task.response.clone();
                    task.detach();
                    Ok(response)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests;
