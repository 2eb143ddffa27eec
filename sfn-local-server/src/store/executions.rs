//! Executions (their rows, including map run children), their history events, and the
//! resumption counts of the executions a crash interrupted.

use asl_interpreter::{EventType, ExecutionType, HistoryEvent, Status};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{Result, Store, enum_col, json_col};
use crate::kinds::ApiEnum;

/// An execution.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRec {
    pub arn: String,
    pub sm_arn: String,
    pub name: String,
    pub status: Status,
    /// Standard or Express (a map run's Express children).
    pub kind: ExecutionType,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub start: i64,
    pub stop: Option<i64>,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    /// The state machine or version ARN whose definition runs.
    pub definition_arn: String,
    pub trace_header: Option<String>,
    pub test_case: Option<String>,
    pub redrive_count: u32,
    pub redrive_date: Option<i64>,
    /// The map run that started this child workflow execution (`None`: not a child).
    pub map_run_arn: Option<String>,
    /// The number of items a child workflow execution processes.
    pub item_count: Option<u32>,
}

impl Store {
    /// Inserts an execution unless one with its ARN exists, in one step (two concurrent
    /// starts of one name cannot both insert): the existing one, if any.
    pub fn insert_execution_unless_exists(&self, e: &ExecutionRec) -> Result<Option<ExecutionRec>> {
        let db = self.db();
        let existing = db
            .query_row(
                "SELECT * FROM executions WHERE arn = ?1",
                [&e.arn],
                execution_row,
            )
            .optional()?;
        if existing.is_none() {
            execute_with(&db, INSERT_EXECUTION, e)?;
        }
        Ok(existing)
    }

    /// Records that an execution whose history ends at event `at_event` is resumed, and
    /// whether the process ended while running its code (`suspect`): how many times in a row
    /// that happened at this same event (0 when it did not happen this time, or after
    /// progress). Committed before the execution runs again, so a crash still counts.
    pub fn count_resume(&self, arn: &str, at_event: u64, suspect: bool) -> Result<u32> {
        let db = self.db();
        let attempts: u32 = db.query_row(
            "INSERT INTO resume_attempts VALUES (?1, ?3, ?2)
             ON CONFLICT (arn) DO UPDATE SET
                 attempts = CASE WHEN ?3 = 0 THEN 0
                                 WHEN at_event = excluded.at_event THEN attempts + 1
                                 ELSE 1 END,
                 at_event = excluded.at_event
             RETURNING attempts",
            params![arn, at_event as i64, suspect as i64],
            |r| r.get(0),
        )?;
        Ok(attempts)
    }

    /// Forgets the resumption counts (a clean shutdown interrupts executions without a crash).
    pub fn clear_resume_counts(&self) -> Result<()> {
        self.db().execute("DELETE FROM resume_attempts", [])?;
        Ok(())
    }

    /// One execution.
    pub fn execution(&self, arn: &str) -> Result<Option<ExecutionRec>> {
        Ok(self
            .db()
            .query_row(
                "SELECT * FROM executions WHERE arn = ?1",
                [arn],
                execution_row,
            )
            .optional()?)
    }

    /// A state machine's executions (all its versions and aliases), newest first.
    pub fn executions(&self, sm_arn: &str, status: Option<Status>) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE sm_arn = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC",
        )?;
        let rows = st.query_map(params![sm_arn, status.map(Status::as_str)], execution_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Executions in a status (on start-up: the ones that were running), map run children
    /// aside (their map run runs them, see [`Store::close_interrupted_children`]).
    pub fn executions_in(&self, status: Status) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE status = ?1 AND map_run_arn IS NULL ORDER BY seq",
        )?;
        let rows = st.query_map([status.api_name()], execution_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A map run's child workflow executions, newest first, optionally in one status.
    pub fn map_run_executions(
        &self,
        map_run_arn: &str,
        status: Option<Status>,
    ) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE map_run_arn = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC",
        )?;
        let rows = st.query_map(
            params![map_run_arn, status.map(Status::as_str)],
            execution_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// On start-up: closes the map run children that were running when the process ended as
    /// ABORTED, with an `ExecutionAborted` event that ends their history (a resumed execution
    /// runs its Distributed Map as a new map run). Returns how many there were.
    pub fn close_interrupted_children(&self, now: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let arns: Vec<(String, Option<i64>)> = {
            let mut st = tx.prepare(
                "SELECT arn, (SELECT MAX(id) FROM events WHERE execution_arn = arn) FROM executions
                 WHERE status = 'RUNNING' AND map_run_arn IS NOT NULL",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let error = "SfnLocal.Interrupted";
        let cause = "sfn-local stopped while this child workflow execution was running.";
        for (arn, last) in &arns {
            if let Some(last) = last {
                let last = *last as u64;
                let event = HistoryEvent::with_error(
                    last + 1,
                    last,
                    chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
                    EventType::ExecutionAborted,
                    Some(error),
                    Some(cause),
                );
                tx.execute(
                    "INSERT OR REPLACE INTO events VALUES (?1, ?2, ?3)",
                    params![arn, event.id as i64, event.to_json_text()],
                )?;
            }
            tx.execute(
                "UPDATE executions SET status = 'ABORTED', error = ?2, cause = ?3, stop = ?4 WHERE arn = ?1",
                params![arn, error, cause, now],
            )?;
        }
        tx.commit()?;
        Ok(arns.len())
    }

    /// The stored history of an execution, in id order.
    pub fn events(&self, arn: &str) -> Result<Vec<Value>> {
        let db = self.db();
        let mut st = db.prepare("SELECT event FROM events WHERE execution_arn = ?1 ORDER BY id")?;
        let rows = st.query_map([arn], |r| r.get::<_, String>(0))?;
        Ok(rows
            .map(|r| r.map(json_col))
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The highest stored event id of an execution (0 for none).
    pub fn last_event_id(&self, arn: &str) -> Result<u64> {
        let id: Option<i64> = self.db().query_row(
            "SELECT MAX(id) FROM events WHERE execution_arn = ?1",
            [arn],
            |r| r.get(0),
        )?;
        Ok(id.unwrap_or(0) as u64)
    }

    /// Updates the redrive fields and status of an execution.
    pub fn redrive_execution(&self, arn: &str, count: u32, date: i64) -> Result<()> {
        self.db().execute(
            "UPDATE executions SET status = 'RUNNING', stop = NULL, error = NULL, cause = NULL, redrive_count = ?2, redrive_date = ?3 WHERE arn = ?1",
            params![arn, count, date],
        )?;
        Ok(())
    }
}

/// Inserts an [`ExecutionRec`] (with [`execute_with`]), numbered after the others.
pub(super) const INSERT_EXECUTION: &str =
    "INSERT INTO executions (arn, seq, sm_arn, name, status, type,
    input, output, error, cause, start, stop, version_arn, alias_arn, definition_arn,
    trace_header, test_case, redrive_count, redrive_date, map_run_arn, item_count)
    VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions), ?2, ?3, ?4, ?5, ?6, ?7, ?8,
    ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

/// Runs `sql` (an [`INSERT_EXECUTION`]) with an execution's 20 values.
pub(super) fn execute_with(db: &Connection, sql: &str, e: &ExecutionRec) -> rusqlite::Result<()> {
    db.execute(
        sql,
        params![
            e.arn,
            e.sm_arn,
            e.name,
            e.status.api_name(),
            e.kind.api_name(),
            e.input,
            e.output,
            e.error,
            e.cause,
            e.start,
            e.stop,
            e.version_arn,
            e.alias_arn,
            e.definition_arn,
            e.trace_header,
            e.test_case,
            e.redrive_count,
            e.redrive_date,
            e.map_run_arn,
            e.item_count,
        ],
    )?;
    Ok(())
}

fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExecutionRec> {
    Ok(ExecutionRec {
        arn: r.get(0)?,
        sm_arn: r.get(2)?,
        name: r.get(3)?,
        status: enum_col(r, 4)?,
        kind: enum_col(r, 5)?,
        input: r.get(6)?,
        output: r.get(7)?,
        error: r.get(8)?,
        cause: r.get(9)?,
        start: r.get(10)?,
        stop: r.get(11)?,
        version_arn: r.get(12)?,
        alias_arn: r.get(13)?,
        definition_arn: r.get(14)?,
        trace_header: r.get(15)?,
        test_case: r.get(16)?,
        redrive_count: r.get(17)?,
        redrive_date: r.get(18)?,
        map_run_arn: r.get(19)?,
        item_count: r.get(20)?,
    })
}

/// For DeleteStateMachine (api/machines.rs): a deleted state machine's executions go with it.
impl Store {
    /// Deletes the executions of the state machine `sm_arn` (with those of its versions and
    /// aliases, and the child workflow executions of its map runs: `sm_arn/label`), their
    /// history events, map runs, resumption counts and tags, in one transaction.
    pub fn delete_executions_of(&self, sm_arn: &str) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let children = format!("{sm_arn}/");
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS doomed_executions (arn TEXT PRIMARY KEY)",
            [],
        )?;
        tx.execute("DELETE FROM doomed_executions", [])?;
        tx.execute(
            "INSERT INTO doomed_executions SELECT arn FROM executions
             WHERE sm_arn = ?1 OR substr(sm_arn, 1, length(?2)) = ?2",
            params![sm_arn, children],
        )?;
        for sql in [
            "DELETE FROM events WHERE execution_arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM map_runs WHERE execution_arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM resume_attempts WHERE arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM doomed_executions)",
        ] {
            tx.execute(sql, [])?;
        }
        let n = tx.execute(
            "DELETE FROM executions WHERE arn IN (SELECT arn FROM doomed_executions)",
            [],
        )?;
        tx.execute("DELETE FROM doomed_executions", [])?;
        tx.commit()?;
        Ok(n)
    }
}

/// For StopExecution (issue 16, family 12): a stopped execution's Distributed Map runs stop
/// with it.
impl Store {
    /// Closes the map runs of `execution_arn` still RUNNING as ABORTED (their running items
    /// counted as aborted, `stopDate` now), and their child workflow executions still RUNNING
    /// as ABORTED with an `ExecutionAborted` event ending their history, in one transaction.
    /// Returns how many map runs there were.
    pub fn abort_map_runs_of(&self, execution_arn: &str, now: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let runs: Vec<(String, String)> = {
            let mut st = tx.prepare("SELECT arn, run FROM map_runs WHERE execution_arn = ?1")?;
            let rows = st.query_map([execution_arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut aborted = 0;
        for (arn, run) in runs {
            let mut run = json_col(run);
            if run["status"] != "RUNNING" {
                continue;
            }
            aborted += 1;
            run["status"] = "ABORTED".into();
            run["stopDate"] = serde_json::json!(now as f64 / 1000.0);
            for counts in ["itemCounts", "executionCounts"] {
                if let Some(c) = run.get_mut(counts).and_then(Value::as_object_mut) {
                    let running = c.get("running").and_then(Value::as_u64).unwrap_or(0);
                    let before = c.get("aborted").and_then(Value::as_u64).unwrap_or(0);
                    c.insert("running".into(), 0.into());
                    c.insert("aborted".into(), (before + running).into());
                }
            }
            tx.execute(
                "UPDATE map_runs SET run = ?2 WHERE arn = ?1",
                params![arn, run.to_string()],
            )?;
            let children: Vec<(String, Option<i64>)> = {
                let mut st = tx.prepare(
                    "SELECT arn, (SELECT MAX(id) FROM events WHERE execution_arn = arn)
                     FROM executions WHERE status = 'RUNNING' AND map_run_arn = ?1",
                )?;
                let rows = st.query_map([&arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for (child, last) in children {
                if let Some(last) = last {
                    let last = last as u64;
                    let event = HistoryEvent::with_error(
                        last + 1,
                        last,
                        chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
                        EventType::ExecutionAborted,
                        None,
                        None,
                    );
                    tx.execute(
                        "INSERT OR REPLACE INTO events VALUES (?1, ?2, ?3)",
                        params![child, event.id as i64, event.to_json_text()],
                    )?;
                }
                tx.execute(
                    "UPDATE executions SET status = 'ABORTED', stop = ?2 WHERE arn = ?1",
                    params![child, now],
                )?;
            }
        }
        tx.commit()?;
        Ok(aborted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteOp;

    #[test]
    fn a_database_from_before_map_run_children_gets_their_columns() {
        let path =
            std::env::temp_dir().join(format!("sfn-local-migrate-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        {
            // The executions table as first released, with one row.
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE executions (
                    arn TEXT PRIMARY KEY, seq INTEGER NOT NULL, sm_arn TEXT NOT NULL, name TEXT NOT NULL,
                    status TEXT NOT NULL, type TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT,
                    cause TEXT, start INTEGER NOT NULL, stop INTEGER, version_arn TEXT, alias_arn TEXT,
                    definition_arn TEXT NOT NULL, trace_header TEXT, test_case TEXT,
                    redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date INTEGER
                );
                INSERT INTO executions (arn, seq, sm_arn, name, status, type, input, start, definition_arn)
                VALUES ('arn:e', 1, 'arn:sm', 'e', 'SUCCEEDED', 'STANDARD', '{}', 5, 'arn:sm');",
            )
            .unwrap();
        }
        for _ in 0..2 {
            // Opening again finds the columns there.
            let s = Store::open(Some(&path)).unwrap();
            let e = s.execution("arn:e").unwrap().unwrap();
            assert_eq!((e.map_run_arn, e.item_count), (None, None));
        }
        let s = Store::open(Some(&path)).unwrap();
        let mut child = s.execution("arn:e").unwrap().unwrap();
        child.arn = "arn:child".into();
        child.status = Status::Running;
        child.map_run_arn = Some("arn:run".into());
        child.item_count = Some(2);
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        child.status = Status::Failed;
        child.stop = Some(9);
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        assert_eq!(
            s.map_run_executions("arn:run", None).unwrap(),
            [child.clone()]
        );
        assert!(
            s.map_run_executions("arn:run", Some(Status::Running))
                .unwrap()
                .is_empty()
        );
        // Map run children are not resumed.
        child.status = Status::Running;
        child.stop = None;
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        assert!(s.executions_in(Status::Running).unwrap().is_empty());
        assert_eq!(s.close_interrupted_children(10).unwrap(), 1);
        let closed = s.execution("arn:child").unwrap().unwrap();
        assert_eq!((closed.status, closed.stop), (Status::Aborted, Some(10)));
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
