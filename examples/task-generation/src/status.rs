//! What a status query answers: state, progress and the estimated time remaining.

use std::time::Duration;

use asl_interpreter::Status;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::db::{ActionOutcome, ActionResult, ExecutionRecord, GoalStatus};

/// An execution's status, with Step Functions' names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionState {
    /// Running.
    Running,
    /// Ended normally (some actions may have failed: see the goal's status).
    Succeeded,
    /// Ended by the error path.
    Failed,
    /// Ran out of its 15 minutes.
    TimedOut,
    /// Cancelled.
    Aborted,
}

impl ExecutionState {
    /// The stored (and Step Functions') spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionState::Running => "RUNNING",
            ExecutionState::Succeeded => "SUCCEEDED",
            ExecutionState::Failed => "FAILED",
            ExecutionState::TimedOut => "TIMED_OUT",
            ExecutionState::Aborted => "ABORTED",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "RUNNING" => ExecutionState::Running,
            "SUCCEEDED" => ExecutionState::Succeeded,
            "FAILED" => ExecutionState::Failed,
            "TIMED_OUT" => ExecutionState::TimedOut,
            "ABORTED" => ExecutionState::Aborted,
            _ => return None,
        })
    }
}

impl From<Status> for ExecutionState {
    fn from(s: Status) -> Self {
        match s {
            Status::Running => ExecutionState::Running,
            Status::Succeeded => ExecutionState::Succeeded,
            Status::Failed => ExecutionState::Failed,
            Status::TimedOut => ExecutionState::TimedOut,
            Status::Aborted => ExecutionState::Aborted,
        }
    }
}

impl std::fmt::Display for ExecutionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer to a status query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionStatus {
    /// The execution.
    pub execution_arn: String,
    /// Its goal.
    pub goal_id: String,
    /// The execution's state.
    pub state: ExecutionState,
    /// The goal's status now.
    pub goal_status: GoalStatus,
    /// Actions with an outcome.
    pub processed: u32,
    /// Actions in all.
    pub total: u32,
    /// `processed / total`, in whole percent (rounded down).
    pub percent: u8,
    /// Actions that got their tasks.
    pub succeeded: u32,
    /// Actions that failed so far.
    pub failed: u32,
    /// The failed actions (the final list once the execution ended).
    pub failed_actions: Vec<String>,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time.
    pub finished_at: Option<DateTime<Utc>>,
    /// Time since the start (until the end, once ended).
    pub elapsed: Duration,
    /// Remaining time at the pace so far (`None` until an action is processed; zero once
    /// ended).
    pub estimated_remaining: Option<Duration>,
    /// The aggregated result.
    pub result_summary: Option<Value>,
    /// The error, if any.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
}

impl ExecutionStatus {
    pub(crate) fn new(
        rec: ExecutionRecord,
        results: &[ActionResult],
        goal_status: GoalStatus,
        now: DateTime<Utc>,
    ) -> Self {
        let elapsed = (rec.finished_at.unwrap_or(now) - rec.started_at)
            .to_std()
            .unwrap_or_default();
        let succeeded = results
            .iter()
            .filter(|r| r.outcome == ActionOutcome::Succeeded)
            .count() as u32;
        let failed_so_far: Vec<String> = results
            .iter()
            .filter(|r| r.outcome == ActionOutcome::Failed)
            .map(|r| r.action_id.clone())
            .collect();
        let running = rec.state == ExecutionState::Running;
        let failed_actions = if running {
            failed_so_far
        } else {
            rec.failed_actions.clone()
        };
        let estimated_remaining = estimate_remaining(running, elapsed, rec.processed, rec.total);
        ExecutionStatus {
            percent: percent(rec.processed, rec.total),
            failed: failed_actions.len() as u32,
            failed_actions,
            succeeded,
            estimated_remaining,
            elapsed,
            execution_arn: rec.execution_arn,
            goal_id: rec.goal_id,
            state: rec.state,
            goal_status,
            processed: rec.processed,
            total: rec.total,
            started_at: rec.started_at,
            finished_at: rec.finished_at,
            result_summary: rec.result_summary,
            error: rec.error,
            cause: rec.cause,
        }
    }
}

/// Whole percent, rounded down (100 only when everything is processed).
pub fn percent(processed: u32, total: u32) -> u8 {
    if total == 0 {
        return 100;
    }
    (u64::from(processed.min(total)) * 100 / u64::from(total)) as u8
}

/// The time the remaining actions take at the average pace so far.
pub fn estimate_remaining(
    running: bool,
    elapsed: Duration,
    processed: u32,
    total: u32,
) -> Option<Duration> {
    if !running || processed >= total {
        return Some(Duration::ZERO);
    }
    if processed == 0 {
        return None;
    }
    Some(elapsed.mul_f64(f64::from(total - processed) / f64::from(processed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_down_and_reaches_100_only_at_the_end() {
        assert_eq!(percent(0, 64), 0);
        assert_eq!(percent(63, 64), 98);
        assert_eq!(percent(64, 64), 100);
        assert_eq!(percent(1, 3), 33);
    }

    #[test]
    fn remaining_time_follows_the_pace() {
        let ten = Duration::from_secs(10);
        assert_eq!(estimate_remaining(true, ten, 0, 8), None);
        assert_eq!(
            estimate_remaining(true, ten, 2, 8),
            Some(Duration::from_secs(30))
        );
        assert_eq!(estimate_remaining(false, ten, 2, 8), Some(Duration::ZERO));
    }
}
