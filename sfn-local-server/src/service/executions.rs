//! The execution operations, typed: what the API handlers, nested executions and the
//! scheduler call. Each takes a request type and answers a Rust value or the [`ApiError`]
//! AWS would answer; the JSON is the API handlers' business.

use std::sync::Arc;
use std::time::Duration;

use asl_core::arn::{MachineRef, ResourceType};
use asl_interpreter::{ExecutionType, Outcome, Status};
use serde_json::Value;

use super::{Service, now_ms};
use crate::api::{ApiError, ApiResult, ErrorCode};
use crate::store::ExecutionRec;

/// AWS's payload limit for inputs and outputs (256 KiB).
pub const MAX_PAYLOAD: usize = 262_144;

/// How long StopExecution waits for the abort to be stored before it answers anyway.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// `StartExecution` and `StartSyncExecution`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartExecution {
    /// A state machine, version or alias ARN, optionally with Step Functions Local's
    /// `#TestCase` after it.
    pub state_machine_arn: String,
    /// The execution name (a UUID when absent).
    pub name: Option<String>,
    /// The input JSON text (`{}` when absent).
    pub input: Option<String>,
    /// The X-Ray trace header.
    pub trace_header: Option<String>,
}

impl StartExecution {
    /// A request made inside the server (a nested execution, a schedule fire), checked
    /// against the service model as the API checks a request body before the operation.
    pub fn checked(
        state_machine_arn: Option<&str>,
        name: Option<&str>,
        input: Option<String>,
    ) -> ApiResult<StartExecution> {
        crate::api::validate_strings(
            "StartExecution",
            &[
                ("stateMachineArn", state_machine_arn),
                ("name", name),
                ("input", input.as_deref()),
            ],
        )?;
        Ok(StartExecution {
            state_machine_arn: state_machine_arn.unwrap_or_default().to_string(),
            name: name.map(str::to_string),
            input,
            trace_header: None,
        })
    }
}

/// A started execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Its ARN.
    pub execution_arn: String,
    /// When it started (epoch milliseconds).
    pub start_date: i64,
}

/// A `StartSyncExecution` that ran to its end.
#[derive(Debug, Clone)]
pub struct SyncRun {
    /// The execution as it started (ARN, name, input, trace header).
    pub execution: ExecutionRec,
    /// How it ended.
    pub outcome: Outcome,
}

/// `StopExecution`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopExecution {
    /// The execution.
    pub execution_arn: String,
    /// The error of its `ExecutionAborted` event.
    pub error: Option<String>,
    /// The cause of its `ExecutionAborted` event.
    pub cause: Option<String>,
}

/// What a `stateMachineArn` resolves to for a new execution.
struct Target {
    sm_arn: String,
    sm_name: String,
    kind: ExecutionType,
    definition_arn: String,
    revision: String,
    definition: String,
    version_arn: Option<String>,
    alias_arn: Option<String>,
}

/// Picks a version from an alias's weighted routes.
fn pick_route(routing: &Value) -> Option<String> {
    let routes = routing.as_array()?;
    let roll = (uuid::Uuid::new_v4().as_u128() % 100) as i64;
    let mut acc = 0;
    for r in routes {
        acc += r.get("weight").and_then(Value::as_i64).unwrap_or(0);
        if roll < acc {
            return r
                .get("stateMachineVersionArn")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    routes
        .last()?
        .get("stateMachineVersionArn")?
        .as_str()
        .map(str::to_string)
}

/// The execution input checked (its size, then its JSON), as the value the engine runs with.
fn check_input(input: &str) -> ApiResult<Value> {
    if input.len() > MAX_PAYLOAD {
        return Err(ApiError::validation(
            "input",
            &input.chars().take(100).collect::<String>(),
            &format!("Member must have length less than or equal to {MAX_PAYLOAD}"),
        ));
    }
    serde_json::from_str::<Value>(input).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidExecutionInput,
            format!("Invalid State Machine Execution Input: '{e}'"),
        )
    })
}

/// Splits Step Functions Local's `arn#TestCase`.
fn split_test_case(arn: &str) -> (&str, Option<&str>) {
    match arn.split_once('#') {
        Some((a, case)) if !case.is_empty() => (a, Some(case)),
        _ => (arn, None),
    }
}

impl Service {
    fn resolve(&self, arn: &str) -> ApiResult<Target> {
        let r = crate::api::parse_machine_arn(arn)?;
        let sm = self
            .store
            .state_machine(r.machine_arn())?
            .ok_or_else(|| ApiError::no_state_machine(arn))?;
        let mut t = Target {
            sm_arn: sm.arn.clone(),
            sm_name: sm.name.clone(),
            kind: sm.kind,
            definition_arn: sm.arn.clone(),
            revision: sm.revision_id.clone(),
            definition: sm.definition.clone(),
            version_arn: None,
            alias_arn: None,
        };
        let version_arn = match &r {
            MachineRef::Machine(_) => None,
            MachineRef::Version(..) => Some(arn.to_string()),
            MachineRef::Alias(..) => {
                let a = self
                    .store
                    .alias(arn)?
                    .ok_or_else(|| ApiError::no_resource(arn))?;
                t.alias_arn = Some(arn.to_string());
                Some(pick_route(&a.routing).ok_or_else(|| ApiError::no_resource(arn))?)
            }
        };
        if let Some(v) = version_arn {
            let v = self
                .store
                .version(&v)?
                .ok_or_else(|| ApiError::no_state_machine(&v))?;
            t.definition_arn = v.arn.clone();
            t.revision = v.revision_id.clone();
            t.definition = v.definition.clone();
            t.version_arn = Some(v.arn);
        }
        Ok(t)
    }

    /// The row of a new execution (not stored yet), with what it runs and its input's value
    /// (parsed once, to check it, and handed to the engine).
    fn new_execution(&self, req: &StartExecution) -> ApiResult<(ExecutionRec, Target, Value)> {
        let (arn, test_case) = split_test_case(&req.state_machine_arn);
        let t = self.resolve(arn)?;
        let name = match &req.name {
            Some(n) => {
                crate::api::check_name(n)?;
                n.clone()
            }
            None => uuid::Uuid::new_v4().to_string(),
        };
        let input = req.input.as_deref().unwrap_or("{}");
        let value = check_input(input)?;
        if let Some(mock) = &self.settings.mock
            && let Some(case) = test_case
            && !mock.has_test_case(&t.sm_name, case)
        {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "Test case '{case}' is not defined for state machine '{}' in the mock configuration",
                    t.sm_name
                ),
            ));
        }
        // An execution lives where its state machine does.
        let arns = asl_core::arn::Scope::of_arn(&t.sm_arn).unwrap_or_else(|| self.settings.arns());
        let exec_arn = match t.kind {
            ExecutionType::Express => {
                arns.express_execution(&t.sm_name, &name, &uuid::Uuid::new_v4().to_string())
            }
            ExecutionType::Standard => arns.execution(&t.sm_name, &name),
        };
        let rec = ExecutionRec {
            arn: exec_arn,
            sm_arn: t.sm_arn.clone(),
            name,
            status: Status::Running,
            kind: t.kind,
            input: input.to_string(),
            output: None,
            error: None,
            cause: None,
            start: now_ms(),
            stop: None,
            version_arn: t.version_arn.clone(),
            alias_arn: t.alias_arn.clone(),
            definition_arn: t.definition_arn.clone(),
            trace_header: req.trace_header.clone(),
            test_case: test_case.map(str::to_string),
            redrive_count: 0,
            redrive_date: None,
            map_run_arn: None,
            item_count: None,
        };
        Ok((rec, t, value))
    }

    fn parsed(&self, t: &Target) -> ApiResult<Arc<asl_core::StateMachine>> {
        self.machine(&t.definition_arn, &t.revision, &t.definition)
            .map_err(|e| ApiError::new(ErrorCode::InvalidDefinition, e))
    }

    /// `StartExecution`: a Standard execution is stored and launched; an Express one runs
    /// unstored. Idempotent for a Standard execution still running with the same name and
    /// input; `ExecutionAlreadyExists` for any other reuse of its name.
    pub fn start_execution(self: &Arc<Self>, req: &StartExecution) -> ApiResult<Started> {
        let (rec, t, input) = self.new_execution(req)?;
        let machine = self.parsed(&t)?;
        let started = Started {
            execution_arn: rec.arn.clone(),
            start_date: rec.start,
        };
        if rec.kind == ExecutionType::Express {
            let me = self.clone();
            tokio::spawn(async move {
                let o = me.run_express(&rec, machine, input).await;
                tracing::info!(execution = %rec.arn, status = o.status.as_str(), "express execution ended");
            });
            return Ok(started);
        }
        if let Some(existing) = self.store.insert_execution_unless_exists(&rec)? {
            if existing.status == Status::Running && existing.input == rec.input {
                return Ok(Started {
                    execution_arn: existing.arn,
                    start_date: existing.start,
                });
            }
            return Err(ApiError::new(
                ErrorCode::ExecutionAlreadyExists,
                format!("Execution Already Exists: '{}'", rec.arn),
            ));
        }
        self.launch(&rec, machine, Vec::new(), Some(input));
        tracing::info!(execution = %rec.arn, "execution started");
        Ok(started)
    }

    /// `StartSyncExecution`: an Express execution run to its end.
    pub async fn start_sync_execution(&self, req: &StartExecution) -> ApiResult<SyncRun> {
        let (execution, t, input) = self.new_execution(req)?;
        if t.kind != ExecutionType::Express {
            return Err(ApiError::new(
                ErrorCode::StateMachineTypeNotSupported,
                "This operation is not supported by this type of state machine",
            ));
        }
        let machine = self.parsed(&t)?;
        let outcome = self.run_express(&execution, machine, input).await;
        Ok(SyncRun { execution, outcome })
    }

    /// The stored row of a Standard execution, or the AWS error for the ARN.
    pub fn execution(&self, arn: &str) -> ApiResult<ExecutionRec> {
        let a = crate::api::parse_arn(arn)?;
        match a.resource {
            ResourceType::Execution if a.parts.len() == 2 => {}
            ResourceType::Express => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArn,
                    format!(
                        "Invalid Arn: 'Resource type not valid in this context: express' ({arn})"
                    ),
                ));
            }
            _ => return Err(ApiError::invalid_arn(arn)),
        }
        self.store
            .execution(arn)?
            .ok_or_else(|| ApiError::no_execution(arn))
    }

    /// `DescribeExecution`: a Standard execution, or any child workflow execution of a map
    /// run (AWS describes an Express execution only when a map run dispatched it).
    ///
    /// An execution that has ended is described as ended: one whose end is decided but not
    /// stored yet (the writer commits it a moment later) is awaited, so a client polling for
    /// the end sees it on the first call after it, and what it reads next (the history, the
    /// list) agrees.
    pub async fn describe_execution(&self, arn: &str) -> ApiResult<ExecutionRec> {
        if crate::api::parse_arn(arn)?.resource == ResourceType::Express
            && let Some(rec) = self.store.execution(arn)?
            && rec.map_run_arn.is_some()
        {
            return Ok(rec);
        }
        let rec = self.execution(arn)?;
        if rec.status == Status::Running
            && let Some(end) = self.running.decided_end_of(arn)
            && end.within(STOP_WAIT).await
        {
            return self.execution(arn);
        }
        Ok(rec)
    }

    /// `StopExecution`: stops a running execution and answers once its abort is stored (so
    /// a Describe right after sees ABORTED). The stop date (epoch ms).
    pub async fn stop_execution(&self, req: &StopExecution) -> ApiResult<i64> {
        let arn = req.execution_arn.as_str();
        let rec = self.execution(arn)?;
        if let Some(control) = self.running.control(arn) {
            let end = self.running.end_of(arn);
            control.stop(req.error.clone(), req.cause.clone());
            if let Some(end) = end {
                end.within(STOP_WAIT).await;
            }
            let after = self.store.execution(arn)?.unwrap_or(rec);
            return Ok(after.stop.unwrap_or_else(now_ms));
        }
        Ok(rec.stop.unwrap_or_else(now_ms))
    }

    /// Waits until the Standard execution `arn` has ended and its end is stored: its row
    /// then. One that ended already answers at once; one the store says is running but
    /// that is not launched yet (it resumes after a restart) is awaited too.
    pub async fn execution_end(&self, arn: &str) -> ApiResult<ExecutionRec> {
        let mut launches = self.running.launches();
        loop {
            launches.borrow_and_update();
            if let Some(end) = self.running.end_of(arn) {
                end.wait().await;
                continue;
            }
            match self.store.execution(arn)? {
                Some(r) if r.status != Status::Running => return Ok(r),
                // Not launched yet (or not stored yet): the next launch may be it.
                _ => {
                    if launches.changed().await.is_err() {
                        return Err(ApiError::internal("sfn-local is stopping"));
                    }
                }
            }
        }
    }

    /// `RedriveExecution`: the redrive date (epoch ms).
    ///
    /// The stored status decides. An execution's end is stored before its watcher lets go of
    /// it, so one the store says has ended may still be in the running set for a moment: that
    /// moment is awaited (the redrive would otherwise answer RUNNING to a client that has just
    /// read FAILED). Two redrives at once are told apart by the store: only the first moves
    /// the row back to RUNNING.
    pub async fn redrive_execution(self: &Arc<Self>, arn: &str) -> ApiResult<i64> {
        let rec = self.execution(arn)?;
        if let Redrive::NotRedrivable(reason) = Redrive::of(&rec) {
            return Err(ApiError::new(ErrorCode::ExecutionNotRedrivable, reason));
        }
        if let Some(end) = self.running.end_of(arn)
            && !end.within(STOP_WAIT).await
        {
            return Err(not_redrivable_running());
        }
        match self.redrive(&rec) {
            Ok(Some(at)) => Ok(at),
            Ok(None) => Err(not_redrivable_running()),
            Err(e) => Err(ApiError::new(ErrorCode::ExecutionNotRedrivable, e)),
        }
    }

    /// Whether an execution is running here (its history is then read live).
    pub(crate) fn control(&self, arn: &str) -> Option<asl_interpreter::ExecutionControl> {
        self.running.control(arn)
    }
}

/// RedriveExecution's answer for an execution that is running: the reason DescribeExecution
/// gives for it (`redriveStatusReason`).
fn not_redrivable_running() -> ApiError {
    ApiError::new(
        ErrorCode::ExecutionNotRedrivable,
        Redrive::not_redrivable_reason(Status::Running),
    )
}

/// An execution's `redriveStatus`.
pub(crate) enum Redrive {
    /// `NOT_REDRIVABLE`, with the reason.
    NotRedrivable(String),
    /// `REDRIVABLE_BY_MAP_RUN`: a map run's child, redriven by its map run (when its parent is
    /// redriven).
    ByMapRun,
    /// `REDRIVABLE`.
    Redrivable,
}

impl Redrive {
    /// The status of `rec`.
    pub(crate) fn of(rec: &ExecutionRec) -> Redrive {
        match rec.status {
            Status::Running | Status::Succeeded => {
                Redrive::NotRedrivable(Redrive::not_redrivable_reason(rec.status))
            }
            _ if rec.map_run_arn.is_some() => Redrive::ByMapRun,
            _ => Redrive::Redrivable,
        }
    }

    /// Why an execution of `status` (RUNNING or SUCCEEDED) cannot be redriven, as AWS words it
    /// (recorded: "Execution is SUCCEEDED and cannot be redriven").
    fn not_redrivable_reason(status: Status) -> String {
        format!("Execution is {} and cannot be redriven", status.as_str())
    }

    /// The API's spelling.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Redrive::NotRedrivable(_) => "NOT_REDRIVABLE",
            Redrive::ByMapRun => "REDRIVABLE_BY_MAP_RUN",
            Redrive::Redrivable => "REDRIVABLE",
        }
    }
}
