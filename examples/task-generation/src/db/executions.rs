//! Workflow executions: status, progress, result summary, per-action results and a log.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::{Database, DbError, corrupt, parse_ts, ts};
use crate::ExecutionState;

/// A workflow execution as the app records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionRecord {
    /// The execution ARN.
    pub execution_arn: String,
    /// The goal.
    pub goal_id: String,
    /// Who started it.
    pub user_id: String,
    /// Its status (Step Functions' names).
    pub state: ExecutionState,
    /// The actions it processes, in order.
    pub action_ids: Vec<String>,
    /// Actions with a recorded outcome.
    pub processed: u32,
    /// Actions in all.
    pub total: u32,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time.
    pub finished_at: Option<DateTime<Utc>>,
    /// The aggregated result (counts, failed actions), when the workflow got that far.
    pub result_summary: Option<Value>,
    /// The actions without tasks at the end.
    pub failed_actions: Vec<String>,
    /// The error, for FAILED / TIMED_OUT / ABORTED.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
    /// A cancellation was requested.
    pub cancel_requested: bool,
    /// The execution whose failed actions this one retries.
    pub retry_of: Option<String>,
}

/// A new execution row.
#[derive(Debug, Clone)]
pub struct NewExecution<'a> {
    /// The ARN.
    pub execution_arn: &'a str,
    /// The goal.
    pub goal_id: &'a str,
    /// The user.
    pub user_id: &'a str,
    /// The actions, in order.
    pub action_ids: &'a [String],
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// The execution retried.
    pub retry_of: Option<&'a str>,
}

/// Did an action get its tasks?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionOutcome {
    /// Tasks generated and saved.
    Succeeded,
    /// No tasks.
    Failed,
}

/// The recorded outcome of one action in one execution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionResult {
    /// The action.
    pub action_id: String,
    /// Succeeded or failed.
    pub outcome: ActionOutcome,
    /// Tasks saved.
    pub task_count: u32,
    /// The error, when failed.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
}

/// Filters for [`Database::executions`] (all optional).
#[derive(Debug, Clone, Default)]
pub struct ExecutionFilter {
    /// Only this goal.
    pub goal_id: Option<String>,
    /// Only this status.
    pub state: Option<ExecutionState>,
    /// Started at or after.
    pub started_after: Option<DateTime<Utc>>,
    /// Started before.
    pub started_before: Option<DateTime<Utc>>,
}

/// One line of an execution's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What (`started`, `cancelled`, `timed_out`, ...).
    pub event: String,
    /// Who, when a person did it.
    pub actor: Option<String>,
    /// Details.
    pub detail: String,
}

const EXECUTION_COLUMNS: &str = "execution_arn, goal_id, user_id, status, action_ids, processed, total, started_at, finished_at, result_summary, failed_actions, error, cause, cancel_requested, retry_of";

fn json_list(s: &str) -> Result<Vec<String>, DbError> {
    serde_json::from_str(s).map_err(corrupt)
}

type RawExecution = (
    [String; 5],
    u32,
    u32,
    String,
    Option<String>,
    Option<String>,
    String,
    [Option<String>; 2],
    bool,
    Option<String>,
);

fn raw_execution(r: &Row<'_>) -> rusqlite::Result<RawExecution> {
    Ok((
        [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        [r.get(11)?, r.get(12)?],
        r.get(13)?,
        r.get(14)?,
    ))
}

fn execution_from_raw(raw: RawExecution) -> Result<ExecutionRecord, DbError> {
    let (
        [execution_arn, goal_id, user_id, status, action_ids],
        processed,
        total,
        started,
        finished,
        summary,
        failed,
        [error, cause],
        cancel_requested,
        retry_of,
    ) = raw;
    Ok(ExecutionRecord {
        state: ExecutionState::parse(&status)
            .ok_or_else(|| corrupt(format!("execution status '{status}'")))?,
        action_ids: json_list(&action_ids)?,
        processed,
        total,
        started_at: parse_ts(&started)?,
        finished_at: finished.as_deref().map(parse_ts).transpose()?,
        result_summary: summary
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(corrupt)?,
        failed_actions: json_list(&failed)?,
        execution_arn,
        goal_id,
        user_id,
        error,
        cause,
        cancel_requested,
        retry_of,
    })
}

impl Database {
    /// Records a new RUNNING execution.
    pub fn insert_execution(&self, e: &NewExecution<'_>) -> Result<(), DbError> {
        let ids = serde_json::to_string(e.action_ids).map_err(corrupt)?;
        self.lock().execute(
            "INSERT INTO workflow_executions (execution_arn, goal_id, user_id, status, action_ids, total, started_at, retry_of)
             VALUES (?1, ?2, ?3, 'RUNNING', ?4, ?5, ?6, ?7)",
            params![
                e.execution_arn,
                e.goal_id,
                e.user_id,
                ids,
                e.action_ids.len() as i64,
                ts(e.started_at),
                e.retry_of
            ],
        )?;
        Ok(())
    }

    /// An execution by ARN.
    pub fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, DbError> {
        let raw = self
            .lock()
            .query_row(
                &format!(
                    "SELECT {EXECUTION_COLUMNS} FROM workflow_executions WHERE execution_arn = ?1"
                ),
                [arn],
                raw_execution,
            )
            .optional()?;
        raw.map(execution_from_raw).transpose()
    }

    /// Executions matching `filter`, oldest first.
    pub fn executions(&self, filter: &ExecutionFilter) -> Result<Vec<ExecutionRecord>, DbError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {EXECUTION_COLUMNS} FROM workflow_executions
             WHERE (?1 IS NULL OR goal_id = ?1) AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR started_at >= ?3) AND (?4 IS NULL OR started_at < ?4)
             ORDER BY started_at, rowid"
        ))?;
        let rows = stmt.query_map(
            params![
                filter.goal_id,
                filter.state.map(ExecutionState::as_str),
                filter.started_after.map(ts),
                filter.started_before.map(ts),
            ],
            raw_execution,
        )?;
        let raws: Vec<RawExecution> = rows.collect::<Result<_, _>>()?;
        raws.into_iter().map(execution_from_raw).collect()
    }

    /// Records an action's outcome (idempotent: the last report wins) and returns the
    /// execution's (processed, total). Refused once the execution has ended.
    pub fn record_action_result(
        &self,
        arn: &str,
        result: &ActionResult,
        now: DateTime<Utc>,
    ) -> Result<(u32, u32), DbError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let status: Option<String> = tx
            .query_row(
                "SELECT status FROM workflow_executions WHERE execution_arn = ?1",
                [arn],
                |r| r.get(0),
            )
            .optional()?;
        if status.as_deref() != Some("RUNNING") {
            return Err(DbError::NotRunning(arn.to_string()));
        }
        tx.execute(
            "INSERT INTO action_results (execution_arn, action_id, status, task_count, error, cause, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (execution_arn, action_id) DO UPDATE SET
               status = excluded.status, task_count = excluded.task_count, error = excluded.error,
               cause = excluded.cause, recorded_at = excluded.recorded_at",
            params![
                arn,
                result.action_id,
                match result.outcome {
                    ActionOutcome::Succeeded => "succeeded",
                    ActionOutcome::Failed => "failed",
                },
                result.task_count,
                result.error,
                result.cause,
                ts(now)
            ],
        )?;
        tx.execute(
            "UPDATE workflow_executions SET processed =
               (SELECT COUNT(*) FROM action_results WHERE execution_arn = ?1)
             WHERE execution_arn = ?1",
            [arn],
        )?;
        let counts = tx.query_row(
            "SELECT processed, total FROM workflow_executions WHERE execution_arn = ?1",
            [arn],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.commit()?;
        Ok(counts)
    }

    /// The recorded action outcomes of an execution.
    pub fn action_results(&self, arn: &str) -> Result<Vec<ActionResult>, DbError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT action_id, status, task_count, error, cause FROM action_results
             WHERE execution_arn = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([arn], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (action_id, status, task_count, error, cause) = row?;
            let outcome = match status.as_str() {
                "succeeded" => ActionOutcome::Succeeded,
                "failed" => ActionOutcome::Failed,
                other => return Err(corrupt(format!("action result '{other}'"))),
            };
            Ok(ActionResult {
                action_id,
                outcome,
                task_count,
                error,
                cause,
            })
        })
        .collect()
    }

    /// Stores the aggregated result and the failed actions.
    pub fn set_result_summary(
        &self,
        arn: &str,
        summary: &Value,
        failed_actions: &[String],
    ) -> Result<(), DbError> {
        let n = self.lock().execute(
            "UPDATE workflow_executions SET result_summary = ?2, failed_actions = ?3 WHERE execution_arn = ?1",
            params![
                arn,
                summary.to_string(),
                serde_json::to_string(failed_actions).map_err(corrupt)?
            ],
        )?;
        not_found_if_zero(n, arn)
    }

    /// Stores an error and the failed actions (the error handler, timeouts).
    pub fn set_execution_error(
        &self,
        arn: &str,
        error: &str,
        cause: &str,
        failed_actions: &[String],
    ) -> Result<(), DbError> {
        let n = self.lock().execute(
            "UPDATE workflow_executions SET error = ?2, cause = ?3, failed_actions = ?4 WHERE execution_arn = ?1",
            params![
                arn,
                error,
                cause,
                serde_json::to_string(failed_actions).map_err(corrupt)?
            ],
        )?;
        not_found_if_zero(n, arn)
    }

    /// Records the final status; an error already recorded (by the error handler) is kept
    /// when the outcome has none.
    pub fn finish_execution(
        &self,
        arn: &str,
        state: ExecutionState,
        finished_at: DateTime<Utc>,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<(), DbError> {
        let n = self.lock().execute(
            "UPDATE workflow_executions SET status = ?2, finished_at = ?3,
               error = COALESCE(?4, error), cause = COALESCE(?5, cause)
             WHERE execution_arn = ?1",
            params![arn, state.as_str(), ts(finished_at), error, cause],
        )?;
        not_found_if_zero(n, arn)
    }

    /// Marks a running execution as being cancelled (its saves are refused from now on);
    /// false when it is not running.
    pub fn request_cancel(&self, arn: &str) -> Result<bool, DbError> {
        let n = self.lock().execute(
            "UPDATE workflow_executions SET cancel_requested = 1 WHERE execution_arn = ?1 AND status = 'RUNNING'",
            [arn],
        )?;
        Ok(n == 1)
    }

    /// Appends to an execution's log.
    pub fn log(
        &self,
        arn: &str,
        at: DateTime<Utc>,
        event: &str,
        actor: Option<&str>,
        detail: &str,
    ) -> Result<(), DbError> {
        self.lock().execute(
            "INSERT INTO workflow_log (execution_arn, at, event, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![arn, ts(at), event, actor, detail],
        )?;
        Ok(())
    }

    /// An execution's log, oldest first.
    pub fn log_entries(&self, arn: &str) -> Result<Vec<LogEntry>, DbError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT at, event, actor, detail FROM workflow_log WHERE execution_arn = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([arn], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (at, event, actor, detail) = row?;
            Ok(LogEntry {
                at: parse_ts(&at)?,
                event,
                actor,
                detail,
            })
        })
        .collect()
    }
}

fn not_found_if_zero(n: usize, arn: &str) -> Result<(), DbError> {
    if n == 0 {
        Err(DbError::NotFound {
            kind: "execution",
            id: arn.to_string(),
        })
    } else {
        Ok(())
    }
}
