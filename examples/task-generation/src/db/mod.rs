//! The app's database: a real embedded SQLite (rusqlite), shared by the handlers and the API.
//!
//! One connection behind a mutex: every operation is a short synchronous transaction, so a
//! handler never holds the lock across an `.await`, and the transactions of concurrent
//! executions are serialised by SQLite's own rules, as they would be on a server database.
//! Goals use optimistic locking (`version`): an update that finds a newer version re-reads
//! the goal and decides again ([`Database::update_goal`]).

mod executions;
mod goals;
mod tasks;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

pub use executions::{
    ActionOutcome, ActionResult, ExecutionFilter, ExecutionRecord, LogEntry, NewExecution,
};
pub use goals::{
    Action, GOAL_UPDATE_ATTEMPTS, Goal, GoalChange, GoalStatus, NewAction, NewGoal, action_id,
};
pub use tasks::{NewTask, Task, TaskType};

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused the operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A failure injected by a test or the demo ([`Database::inject_save_failures`]).
    #[error("injected database failure while saving the tasks of {0}")]
    Injected(String),
    /// No such row.
    #[error("{kind} '{id}' does not exist")]
    NotFound {
        /// `goal`, `execution`, ...
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// The goal kept changing under us: optimistic locking gave up.
    #[error("goal '{goal}' was modified concurrently {attempts} times in a row")]
    Conflict {
        /// The goal.
        goal: String,
        /// How many times the update was tried.
        attempts: u32,
    },
    /// The execution was cancelled or has ended: its writes are refused.
    #[error("execution '{0}' is no longer running")]
    NotRunning(String),
    /// A stored value could not be read back.
    #[error("invalid stored data: {0}")]
    Corrupt(String),
}

/// Where an injected save failure strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFault {
    /// Before anything is written (the database is unreachable).
    BeforeWrite,
    /// After the batch insert, before the commit (the transaction is rolled back).
    BeforeCommit,
}

#[derive(Default)]
struct Faults {
    saves: HashMap<String, (u32, SaveFault)>,
    goal_conflicts: HashMap<String, u32>,
}

/// The database. Cheap to clone (one shared connection).
#[derive(Clone)]
pub struct Database {
    conn: Arc<Mutex<Connection>>,
    faults: Arc<Mutex<Faults>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Database")
    }
}

impl Database {
    /// A private in-memory database (tests, the demo).
    pub fn open_in_memory() -> Result<Self, DbError> {
        Self::init(Connection::open_in_memory()?)
    }

    /// A database file (WAL journal), created if needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::init(conn)
    }

    fn init(conn: Connection) -> Result<Self, DbError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(include_str!("schema.sql"))?;
        Ok(Database {
            conn: Arc::new(Mutex::new(conn)),
            faults: Arc::new(Mutex::new(Faults::default())),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes the next `times` saves of `action_id`'s tasks fail at `at` (simulated database
    /// errors; the workflow retries them 3 times).
    pub fn inject_save_failures(&self, action_id: &str, times: u32, at: SaveFault) {
        self.faults()
            .saves
            .insert(action_id.to_string(), (times, at));
    }

    /// Makes the next `times` updates of `goal_id` meet a concurrent writer (a real version
    /// bump between the read and the conditional write).
    pub fn inject_goal_conflicts(&self, goal_id: &str, times: u32) {
        self.faults()
            .goal_conflicts
            .insert(goal_id.to_string(), times);
    }

    fn take_save_fault(&self, action_id: &str) -> Option<SaveFault> {
        let mut f = self.faults();
        let (left, at) = f.saves.get_mut(action_id)?;
        if *left == 0 {
            return None;
        }
        *left -= 1;
        Some(*at)
    }

    fn take_goal_conflict(&self, goal_id: &str) -> bool {
        let mut f = self.faults();
        match f.goal_conflicts.get_mut(goal_id) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Timestamps are stored as RFC 3339 text with milliseconds (sortable, readable).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DbError::Corrupt(format!("timestamp '{s}': {e}")))
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(e.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap()
    }

    fn db_with_goal() -> Database {
        let db = Database::open_in_memory().unwrap();
        db.create_goal(&NewGoal::with_actions("g", "u", 2)).unwrap();
        db
    }

    #[test]
    fn goal_updates_retry_with_fresh_data_then_give_up() {
        let db = db_with_goal();
        db.inject_goal_conflicts("g", 2);
        let mut seen = Vec::new();
        let (goal, changed) = db
            .update_goal("g", now(), |g| {
                seen.push(g.version);
                Ok(Some(GoalChange {
                    status: GoalStatus::Processing,
                    current_execution_arn: Some("arn".into()),
                }))
            })
            .unwrap();
        // Each retry saw the version the concurrent writer left.
        assert_eq!(seen, [0, 1, 2]);
        assert!(changed);
        assert_eq!((goal.version, goal.status), (3, GoalStatus::Processing));
        assert_eq!(db.goal("g").unwrap().unwrap(), goal);

        db.inject_goal_conflicts("g", GOAL_UPDATE_ATTEMPTS);
        let err = db
            .update_goal("g", now(), |g| {
                Ok(Some(GoalChange {
                    status: GoalStatus::Active,
                    current_execution_arn: g.current_execution_arn.clone(),
                }))
            })
            .unwrap_err();
        assert!(matches!(err, DbError::Conflict { attempts: 5, .. }));
        assert_eq!(
            db.goal("g").unwrap().unwrap().status,
            GoalStatus::Processing
        );
    }

    #[test]
    fn saves_are_refused_once_the_execution_stops_running() {
        let db = db_with_goal();
        let ids = vec!["g-a00".to_string(), "g-a01".to_string()];
        db.insert_execution(&NewExecution {
            execution_arn: "arn",
            goal_id: "g",
            user_id: "u",
            action_ids: &ids,
            started_at: now(),
            retry_of: None,
        })
        .unwrap();
        let task = NewTask {
            title: "t".into(),
            description: "d".into(),
            task_type: TaskType::Execution,
            estimated_minutes: 10,
        };
        assert_eq!(
            db.save_tasks("arn", "g", "g-a00", &[task.clone(), task.clone()], now())
                .unwrap(),
            2
        );
        // Saving again replaces the action's tasks.
        db.save_tasks("arn", "g", "g-a00", std::slice::from_ref(&task), now())
            .unwrap();
        assert_eq!(db.tasks_of_action("g-a00").unwrap().len(), 1);
        // Another goal's action is refused.
        assert!(matches!(
            db.save_tasks("arn", "other", "g-a01", std::slice::from_ref(&task), now()),
            Err(DbError::NotFound { .. })
        ));
        assert!(db.request_cancel("arn").unwrap());
        assert!(matches!(
            db.save_tasks("arn", "g", "g-a01", &[task], now()),
            Err(DbError::NotRunning(_))
        ));
        assert!(db.tasks_of_action("g-a01").unwrap().is_empty());
    }
}
