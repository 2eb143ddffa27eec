//! The library API the app's backend calls: start, status, cancel, retry the failed actions.
//!
//! Every execution gets its own interpreter and clock. With virtual time that is what keeps
//! concurrent executions deterministic: a virtual clock advances when *its* execution waits,
//! and cannot be advanced by another execution's driver in the meantime.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use asl_interpreter::{
    Clock, ExecutionConfig, ExecutionControl, ExecutionHandle, Handlers, HistoryEvent, Interpreter,
    Outcome, RealClock, VirtualClock,
};
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::ai::MockAi;
use crate::db::{Database, DbError, ExecutionFilter, ExecutionRecord, GoalStatus};
use crate::lifecycle::{self, Ended, Start};
use crate::nested::{ChildExecution, ChildLog};
use crate::status::{ExecutionState, ExecutionStatus};
use crate::workflow::{DefinitionError, STATE_MACHINE_NAME, Workflow};

/// How executions tell time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeMode {
    /// Virtual time: waits, backoffs and timeouts cost no wall time. The first execution
    /// starts at `start`; later ones start when the latest finished one stopped.
    Virtual {
        /// The virtual start time.
        start: DateTime<Utc>,
    },
    /// Wall-clock time, with waits multiplied by `scale` (1.0: real speed).
    Real {
        /// The wait multiplier.
        scale: f64,
    },
}

/// Options of [`TaskGeneration`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Virtual (the default) or real time.
    pub time: TimeMode,
    /// Region of the ARNs.
    pub region: String,
    /// Account of the ARNs.
    pub account: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            time: TimeMode::Virtual { start: Utc::now() },
            region: "us-east-1".into(),
            account: "123456789012".into(),
        }
    }
}

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such goal.
    #[error("goal '{0}' does not exist")]
    GoalNotFound(String),
    /// The goal is someone else's.
    #[error("goal '{goal}' does not belong to user '{user}'")]
    Forbidden {
        /// The goal.
        goal: String,
        /// The caller.
        user: String,
    },
    /// The goal cannot start now (already processing, or done).
    #[error("goal '{goal}' is {status}; task generation cannot start")]
    InvalidGoalState {
        /// The goal.
        goal: String,
        /// Its status.
        status: GoalStatus,
    },
    /// The goal has no actions.
    #[error("goal '{0}' has no actions")]
    NoActions(String),
    /// No such execution.
    #[error("execution '{0}' does not exist")]
    ExecutionNotFound(String),
    /// The execution is not running (cancel) or still running (retry).
    #[error("execution '{arn}' is {state}")]
    WrongExecutionState {
        /// The execution.
        arn: String,
        /// Its state.
        state: ExecutionState,
    },
    /// The execution has no failed action.
    #[error("execution '{0}' has no failed actions to retry")]
    NothingToRetry(String),
    /// Not started by this process (or forgotten): it cannot be awaited or stopped.
    #[error("execution '{0}' is not tracked by this process")]
    NotTracked(String),
    /// A tokio runtime is required.
    #[error("task generation needs a tokio runtime")]
    NoRuntime,
    /// A definition did not parse.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One execution started by this process.
struct Run {
    control: ExecutionControl,
    clock: Arc<dyn Clock>,
    outcome: Mutex<Option<Arc<Outcome>>>,
    finalize_error: Mutex<Option<String>>,
    done: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Shared {
    db: Database,
    ai: MockAi,
    workflow: Workflow,
    handlers: Handlers,
    children: ChildLog,
    config: Config,
    virtual_now: Mutex<DateTime<Utc>>,
    runs: Mutex<HashMap<String, Arc<Run>>>,
}

/// Task generation for goals: the app-facing API. Cheap to clone.
#[derive(Clone)]
pub struct TaskGeneration {
    shared: Arc<Shared>,
}

impl TaskGeneration {
    /// Loads the workflow and wires its handlers to `db` and `ai`.
    pub fn new(db: Database, ai: MockAi, config: Config) -> Result<Self, AppError> {
        let workflow = Workflow::load()?;
        let children = ChildLog::default();
        let handlers = workflow.handlers(&db, &ai, &children);
        let start = match config.time {
            TimeMode::Virtual { start } => start,
            TimeMode::Real { .. } => Utc::now(),
        };
        Ok(TaskGeneration {
            shared: Arc::new(Shared {
                db,
                ai,
                workflow,
                handlers,
                children,
                config,
                virtual_now: Mutex::new(start),
                runs: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.shared.db
    }

    /// The mock AI service.
    pub fn ai(&self) -> &MockAi {
        &self.shared.ai
    }

    /// Starts generating tasks for every action of a `draft` (or `failed`) goal: the goal
    /// becomes `processing` and the execution ARN is stored and returned.
    pub async fn start(&self, goal_id: &str, user_id: &str) -> Result<String, AppError> {
        self.start_with(
            goal_id,
            user_id,
            None,
            None,
            &[GoalStatus::Draft, GoalStatus::Failed],
        )
    }

    /// Starts a new execution for only the actions that failed in `arn`.
    pub async fn retry_failed(&self, arn: &str) -> Result<String, AppError> {
        let rec = self.record(arn)?;
        if rec.state == ExecutionState::Running {
            return Err(AppError::WrongExecutionState {
                arn: arn.into(),
                state: rec.state,
            });
        }
        if rec.failed_actions.is_empty() {
            return Err(AppError::NothingToRetry(arn.into()));
        }
        self.start_with(
            &rec.goal_id,
            &rec.user_id,
            Some(rec.failed_actions.clone()),
            Some(arn),
            &[GoalStatus::Partial, GoalStatus::Failed],
        )
    }

    fn start_with(
        &self,
        goal_id: &str,
        user_id: &str,
        only: Option<Vec<String>>,
        retry_of: Option<&str>,
        allowed: &[GoalStatus],
    ) -> Result<String, AppError> {
        let rt = tokio::runtime::Handle::try_current().map_err(|_| AppError::NoRuntime)?;
        let sh = &self.shared;
        let mut config = ExecutionConfig {
            name: uuid::Uuid::new_v4().to_string(),
            state_machine_name: STATE_MACHINE_NAME.into(),
            region: sh.config.region.clone(),
            account: sh.config.account.clone(),
            ..ExecutionConfig::default()
        };
        let arn = config.execution_arn();
        let clock: Arc<dyn Clock> = match sh.config.time {
            TimeMode::Virtual { .. } => Arc::new(VirtualClock::new(*lock(&sh.virtual_now))),
            TimeMode::Real { scale } => Arc::new(RealClock::scaled(scale)),
        };
        let start = Start {
            goal_id,
            user_id,
            only,
            retry_of,
            allowed,
        };
        let input = lifecycle::begin(&sh.db, start, &arn, clock.now())?;
        config.input_text = input.to_string();
        let interpreter = Interpreter::builder()
            .handlers(sh.handlers.clone())
            .clock(clock.clone())
            .build();
        let _enter = rt.enter();
        let handle = interpreter.start(sh.workflow.main.clone(), config);
        let (done, _) = watch::channel(false);
        let run = Arc::new(Run {
            control: handle.control(),
            clock,
            outcome: Mutex::new(None),
            finalize_error: Mutex::new(None),
            done,
        });
        lock(&sh.runs).insert(arn.clone(), run.clone());
        rt.spawn(watch_run(self.shared.clone(), arn.clone(), run, handle));
        Ok(arn)
    }

    fn record(&self, arn: &str) -> Result<ExecutionRecord, AppError> {
        self.shared
            .db
            .execution(arn)?
            .ok_or_else(|| AppError::ExecutionNotFound(arn.into()))
    }

    fn run(&self, arn: &str) -> Option<Arc<Run>> {
        lock(&self.shared.runs).get(arn).cloned()
    }

    /// State, progress (processed/total and percent) and the estimated time remaining.
    pub fn status(&self, arn: &str) -> Result<ExecutionStatus, AppError> {
        let rec = self.record(arn)?;
        let results = self.shared.db.action_results(arn)?;
        let goal_status = self
            .shared
            .db
            .goal(&rec.goal_id)?
            .map(|g| g.status)
            .ok_or_else(|| AppError::GoalNotFound(rec.goal_id.clone()))?;
        let now = match (rec.finished_at, self.run(arn)) {
            (Some(t), _) => t,
            (None, Some(run)) => run.clock.now(),
            (None, None) => rec.started_at,
        };
        Ok(ExecutionStatus::new(rec, &results, goal_status, now))
    }

    /// Waits for an execution started by this process to end (and be recorded).
    pub async fn wait(&self, arn: &str) -> Result<ExecutionStatus, AppError> {
        let run = self
            .run(arn)
            .ok_or_else(|| AppError::NotTracked(arn.into()))?;
        let mut rx = run.done.subscribe();
        // The sender lives in `run`, so this only ends when `done` turns true.
        let _ = rx.wait_for(|d| *d).await;
        if let Some(e) = lock(&run.finalize_error).clone() {
            return Err(AppError::Db(DbError::Corrupt(e)));
        }
        self.status(arn)
    }

    /// Stops a running execution (ABORTED): its partial tasks are deleted, the goal goes
    /// back to `draft`, and who cancelled and why is logged.
    pub async fn cancel(
        &self,
        arn: &str,
        who: &str,
        why: &str,
    ) -> Result<ExecutionStatus, AppError> {
        let rec = self.record(arn)?;
        let run = self
            .run(arn)
            .ok_or_else(|| AppError::NotTracked(arn.into()))?;
        if !lifecycle::request_cancel(&self.shared.db, arn, who, why, run.clock.now())? {
            return Err(AppError::WrongExecutionState {
                arn: arn.into(),
                state: rec.state,
            });
        }
        run.control.stop(
            Some("ABORT".into()),
            Some(format!("Cancelled by {who}: {why}")),
        );
        let status = self.wait(arn).await?;
        if status.state != ExecutionState::Aborted {
            return Err(AppError::WrongExecutionState {
                arn: arn.into(),
                state: status.state,
            });
        }
        Ok(status)
    }

    /// The execution's history so far (the main state machine).
    pub fn history(&self, arn: &str) -> Option<Vec<HistoryEvent>> {
        let run = self.run(arn)?;
        if let Some(o) = lock(&run.outcome).as_ref() {
            return Some(o.history.clone());
        }
        Some(run.control.history())
    }

    /// The finished execution's outcome (status, output or error, history).
    pub fn outcome(&self, arn: &str) -> Option<Arc<Outcome>> {
        lock(&self.run(arn)?.outcome).clone()
    }

    /// The batch executions an execution started (those that ended), in the order they ended.
    pub fn batches(&self, arn: &str) -> Vec<ChildExecution> {
        self.shared.children.of(arn)
    }

    /// Recorded executions (the app's execution history), filtered.
    pub fn executions(&self, filter: &ExecutionFilter) -> Result<Vec<ExecutionRecord>, AppError> {
        Ok(self.shared.db.executions(filter)?)
    }
}

/// Awaits the execution's end and records the outcome (`cancel` stops it through the
/// execution's control meanwhile).
async fn watch_run(shared: Arc<Shared>, arn: String, run: Arc<Run>, handle: ExecutionHandle) {
    let outcome = Arc::new(handle.outcome().await);
    let timeout = shared.workflow.main.timeout_seconds.unwrap_or(0);
    if let Err(e) = lifecycle::finish(&shared.db, timeout, &arn, &Ended::from(&*outcome)) {
        *lock(&run.finalize_error) = Some(e.to_string());
    }
    if matches!(shared.config.time, TimeMode::Virtual { .. }) {
        let mut now = lock(&shared.virtual_now);
        *now = (*now).max(outcome.stop_date);
    }
    *lock(&run.outcome) = Some(outcome);
    run.done.send_replace(true);
}
