//! The app's bookkeeping around one execution, wherever it runs (the embedded interpreter or
//! an sfn-local server): before it starts, the goal becomes `processing` for its ARN and the
//! execution is recorded; when it has ended, its status is recorded and an aborted or timed-out
//! execution is cleaned up.

use asl_interpreter::Outcome;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::app::AppError;
use crate::db::{ActionOutcome, Database, DbError, GoalChange, GoalStatus, NewExecution};
use crate::status::ExecutionState;

/// What to start.
pub(crate) struct Start<'a> {
    pub goal_id: &'a str,
    pub user_id: &'a str,
    /// Only these actions (a retry), or every action of the goal.
    pub only: Option<Vec<String>>,
    pub retry_of: Option<&'a str>,
    /// The goal statuses a start is allowed from.
    pub allowed: &'a [GoalStatus],
}

/// Checks the goal, makes it `processing` for `arn` and records the execution; returns the
/// execution's input. The ARN must be known before the execution starts: `ValidateInput`
/// refuses an execution the goal is not processing for.
pub(crate) fn begin(
    db: &Database,
    start: Start<'_>,
    arn: &str,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let Start {
        goal_id,
        user_id,
        only,
        retry_of,
        allowed,
    } = start;
    let goal = db
        .goal(goal_id)?
        .ok_or_else(|| AppError::GoalNotFound(goal_id.into()))?;
    if goal.user_id != user_id {
        return Err(AppError::Forbidden {
            goal: goal_id.into(),
            user: user_id.into(),
        });
    }
    let action_ids = match only {
        Some(ids) => ids,
        None => db.actions(goal_id)?.into_iter().map(|a| a.id).collect(),
    };
    if action_ids.is_empty() {
        return Err(AppError::NoActions(goal_id.into()));
    }
    let input = json!({"goalId": goal_id, "userId": user_id, "actionIds": action_ids});
    let (goal, changed) = db.update_goal(goal_id, now, |g| {
        Ok(allowed.contains(&g.status).then(|| GoalChange {
            status: GoalStatus::Processing,
            current_execution_arn: Some(arn.to_string()),
        }))
    })?;
    if !changed {
        return Err(AppError::InvalidGoalState {
            goal: goal_id.into(),
            status: goal.status,
        });
    }
    db.insert_execution(&NewExecution {
        execution_arn: arn,
        goal_id,
        user_id,
        action_ids: &action_ids,
        started_at: now,
        retry_of,
    })?;
    db.log(arn, now, "started", Some(user_id), &input.to_string())?;
    Ok(input)
}

/// Marks a running execution as being cancelled, before it is stopped: its saves are refused
/// from then on. False when it is not running.
pub(crate) fn request_cancel(
    db: &Database,
    arn: &str,
    who: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if !db.request_cancel(arn)? {
        return Ok(false);
    }
    db.log(arn, now, "cancel_requested", Some(who), why)?;
    Ok(true)
}

/// How an execution ended: what the engine's outcome or DescribeExecution says.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub state: ExecutionState,
    /// When it stopped.
    pub stop_date: DateTime<Utc>,
    /// Its error, if it did not succeed.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
}

impl From<&Outcome> for Ended {
    fn from(o: &Outcome) -> Self {
        Ended {
            state: o.status.into(),
            stop_date: o.stop_date,
            error: o.error.clone(),
            cause: o.cause.clone(),
        }
    }
}

/// Records the final status. Timed-out and aborted executions are cleaned up: their tasks are
/// deleted (an execution that did not finish leaves nothing half-done), every action is listed
/// as failed, and the goal returns to `draft` (aborted) or `failed` (timed out) — or to what the
/// tasks of earlier executions still make it. This is what an EventBridge rule on Step
/// Functions' status-change events would trigger on AWS.
pub(crate) fn finish(
    db: &Database,
    timeout_seconds: u64,
    arn: &str,
    end: &Ended,
) -> Result<(), DbError> {
    let state = end.state;
    let now = end.stop_date;
    let Some(rec) = db.execution(arn)? else {
        return Err(DbError::NotFound {
            kind: "execution",
            id: arn.into(),
        });
    };
    let cause = match (state, &end.cause) {
        (_, Some(c)) => Some(c.clone()),
        (ExecutionState::TimedOut, None) => Some(format!(
            "The execution did not finish within its {timeout_seconds} seconds"
        )),
        _ => None,
    };
    db.finish_execution(arn, state, now, end.error.as_deref(), cause.as_deref())?;
    let cleanup = matches!(state, ExecutionState::TimedOut | ExecutionState::Aborted);
    if cleanup {
        let deleted = db.delete_tasks_of_execution(arn)?;
        db.set_execution_error(
            arn,
            end.error.as_deref().unwrap_or(state.as_str()),
            cause.as_deref().unwrap_or(""),
            &rec.action_ids,
        )?;
        db.log(
            arn,
            now,
            if state == ExecutionState::Aborted {
                "aborted"
            } else {
                "timed_out"
            },
            None,
            &format!("deleted {deleted} partially generated tasks"),
        )?;
    }
    if state == ExecutionState::Failed && rec.failed_actions.is_empty() {
        // Failed outside the error handler (an uncatchable States.Runtime).
        let ok: Vec<String> = db
            .action_results(arn)?
            .into_iter()
            .filter(|r| r.outcome == ActionOutcome::Succeeded)
            .map(|r| r.action_id)
            .collect();
        let failed: Vec<String> = rec
            .action_ids
            .iter()
            .filter(|a| !ok.contains(a))
            .cloned()
            .collect();
        db.set_execution_error(
            arn,
            end.error.as_deref().unwrap_or("States.Runtime"),
            cause.as_deref().unwrap_or(""),
            &failed,
        )?;
    }
    let (with_tasks, total) = db.goal_coverage(&rec.goal_id)?;
    let settled = match state {
        ExecutionState::Aborted if with_tasks == 0 => GoalStatus::Draft,
        _ => GoalStatus::from_coverage(with_tasks, total),
    };
    let (goal, changed) = db.update_goal(&rec.goal_id, now, |g| {
        let ours =
            g.status == GoalStatus::Processing && g.current_execution_arn.as_deref() == Some(arn);
        Ok(ours.then(|| GoalChange {
            status: settled,
            current_execution_arn: g.current_execution_arn.clone(),
        }))
    })?;
    let succeeded = db
        .action_results(arn)?
        .iter()
        .filter(|r| r.outcome == ActionOutcome::Succeeded)
        .count();
    db.log(
        arn,
        now,
        "finished",
        None,
        &format!(
            "{}; {succeeded} of {} actions succeeded; goal {}{}",
            state.as_str(),
            rec.total,
            goal.status,
            if changed { "" } else { " (unchanged)" }
        ),
    )?;
    Ok(())
}
