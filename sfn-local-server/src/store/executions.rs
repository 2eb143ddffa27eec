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
            .prepare_cached("SELECT * FROM executions WHERE arn = ?1")?
            .query_row([&e.arn], execution_row)
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
        let attempts: u32 = db
            .prepare_cached(
                "INSERT INTO resume_attempts VALUES (?1, ?3, ?2)
             ON CONFLICT (arn) DO UPDATE SET
                 attempts = CASE WHEN ?3 = 0 THEN 0
                                 WHEN at_event = excluded.at_event THEN attempts + 1
                                 ELSE 1 END,
                 at_event = excluded.at_event
             RETURNING attempts",
            )?
            .query_row(params![arn, at_event as i64, suspect as i64], |r| r.get(0))?;
        Ok(attempts)
    }

    /// Forgets the resumption counts (a clean shutdown interrupts executions without a crash).
    pub fn clear_resume_counts(&self) -> Result<()> {
        self.db()
            .prepare_cached("DELETE FROM resume_attempts")?
            .execute([])?;
        Ok(())
    }

    /// One execution.
    pub fn execution(&self, arn: &str) -> Result<Option<ExecutionRec>> {
        Ok(self
            .db()
            .prepare_cached("SELECT * FROM executions WHERE arn = ?1")?
            .query_row([arn], execution_row)
            .optional()?)
    }

    /// The statement of [`Store::running_executions`]: the planner would rather walk the
    /// whole table in `seq` order than sort what the running index holds.
    const RUNNING_EXECUTIONS: &str = "SELECT * FROM executions INDEXED BY executions_running
        WHERE status = 'RUNNING' AND map_run_arn IS NULL ORDER BY seq";

    /// The executions that are running (on start-up: the ones that were), map run children
    /// aside (their map run runs them, see [`Store::close_interrupted_children`]). Read from
    /// the `executions_running` index, which holds only them.
    pub fn running_executions(&self) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(Self::RUNNING_EXECUTIONS)?;
        let rows = st.query_map([], execution_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// On start-up: closes the map run children that were running when the process ended as
    /// ABORTED, with an `ExecutionAborted` event that ends their history (a resumed execution
    /// runs its Distributed Map as a new map run). Returns how many there were.
    pub fn close_interrupted_children(&self, now: i64) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let arns: Vec<(String, Option<i64>)> = {
            let mut st = tx.prepare_cached(
                // The running index: without statistics, the planner would walk every map
                // run child there ever was.
                concat!(
                    "SELECT arn, (SELECT MAX(",
                    event_id!(),
                    ") FROM events WHERE ",
                    event_keys!("seq"),
                    ")
                 FROM executions INDEXED BY executions_running
                 WHERE status = 'RUNNING' AND map_run_arn IS NOT NULL"
                ),
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
                tx.prepare_cached(INSERT_EVENT)?.execute(params![
                    arn,
                    event.id as i64,
                    event.to_json_text()
                ])?;
            }
            tx.prepare_cached(
                "UPDATE executions SET status = 'ABORTED', error = ?2, cause = ?3, stop = ?4 WHERE arn = ?1")?.execute(
                params![arn, error, cause, now],
            )?;
        }
        tx.commit()?;
        Ok(arns.len())
    }

    /// The stored history of an execution, in id order.
    pub fn events(&self, arn: &str) -> Result<Vec<Value>> {
        let db = self.db();
        let mut st = db.prepare_cached(concat!(
            "SELECT event FROM events WHERE ",
            event_keys!(seq_of_arn!()),
            " ORDER BY key"
        ))?;
        let rows = st.query_map([arn], |r| r.get::<_, String>(0))?;
        Ok(rows
            .map(|r| r.map(json_col))
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The highest stored event id of an execution (0 for none).
    pub fn last_event_id(&self, arn: &str) -> Result<u64> {
        let id: Option<i64> = self
            .db()
            .prepare_cached(concat!(
                "SELECT MAX(",
                event_id!(),
                ") FROM events WHERE ",
                event_keys!(seq_of_arn!())
            ))?
            .query_row([arn], |r| r.get(0))?;
        Ok(id.unwrap_or(0) as u64)
    }

    /// Moves an ended execution back to RUNNING with one more redrive (`count` is the number
    /// it had), dated `date`. False when the row is not that ended execution any more (another
    /// redrive came first).
    pub fn redrive_execution(&self, arn: &str, count: u32, date: i64) -> Result<bool> {
        let moved = self.db().prepare_cached(
            "UPDATE executions SET status = 'RUNNING', stop = NULL, error = NULL, cause = NULL, redrive_count = ?2 + 1, redrive_date = ?3 WHERE arn = ?1 AND status != 'RUNNING' AND redrive_count = ?2")?.execute(
            params![arn, count, date],
        )?;
        Ok(moved == 1)
    }
}

/// An event's key, as SQL: its execution's `seq` times 2^24 plus its id (both SQL), so that an
/// execution's events are one range of keys ([`event_keys`]), appended after every stored one.
/// Every statement on `events` writes its keys with these macros.
macro_rules! event_key {
    ($seq:expr, $id:expr) => {
        concat!($seq, " * 16777216 + ", $id)
    };
}

/// Whether an event id (SQL) fits in a key: past 2^24 - 1 it would fall among the next
/// execution's (AWS's quota is 25,000 events).
macro_rules! event_id_fits {
    ($id:expr) => {
        concat!($id, " BETWEEN 0 AND 16777215")
    };
}

/// An event's id from its key, as SQL.
macro_rules! event_id {
    () => {
        "key % 16777216"
    };
}

/// The `seq` of the execution whose ARN is `?1`, as SQL.
macro_rules! seq_of_arn {
    () => {
        "(SELECT seq FROM executions WHERE arn = ?1)"
    };
}

/// The condition on `key` that holds one execution's events, whose `seq` is the given SQL.
macro_rules! event_keys {
    ($seq:expr) => {
        concat!(
            "key BETWEEN ",
            $crate::store::executions::event_key!($seq, "0"),
            " AND ",
            $crate::store::executions::event_key!($seq, "16777215")
        )
    };
}
pub(super) use {event_id, event_id_fits, event_key, event_keys, seq_of_arn};

/// Stores one history event, or replaces it: of the execution whose ARN is `?1`, its id `?2`
/// and its JSON text `?3`. Nothing is stored for an execution the store does not hold (one
/// deleted while its last events were queued), nor an id that does not fit a key.
pub(super) const INSERT_EVENT: &str = concat!(
    "INSERT INTO events (key, event) SELECT ",
    event_key!("seq", "?2"),
    ", ?3 FROM executions WHERE arn = ?1 AND ",
    event_id_fits!("?2"),
    " ON CONFLICT (key) DO UPDATE SET event = excluded.event"
);

/// Inserts an [`ExecutionRec`] (with [`execute_with`]), numbered after the others.
pub(super) const INSERT_EXECUTION: &str =
    "INSERT INTO executions (arn, seq, sm_arn, name, status, type,
    input, output, error, cause, start, stop, version_arn, alias_arn, definition_arn,
    trace_header, test_case, redrive_count, redrive_date, map_run_arn, item_count)
    VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions), ?2, ?3, ?4, ?5, ?6, ?7, ?8,
    ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

/// Runs `sql` (an [`INSERT_EXECUTION`]) with an execution's 20 values.
pub(super) fn execute_with(db: &Connection, sql: &str, e: &ExecutionRec) -> rusqlite::Result<()> {
    db.prepare_cached(sql)?.execute(params![
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
    ])?;
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

/// Executions leave the store in one place: with their state machine (DeleteStateMachine,
/// api/machines.rs) and when they expire (retention, [`crate::service::Settings::retention`]).
/// Either way an execution goes with everything that hangs off it: its history events, map
/// runs, the child workflow executions of those map runs (and theirs), resumption counts and
/// tags, in one transaction.
impl Store {
    /// Deletes the executions of the state machine `sm_arn` (with those of its versions and
    /// aliases, and the child workflow executions of its map runs: `sm_arn/label`).
    pub fn delete_executions_of(&self, sm_arn: &str) -> Result<usize> {
        let children = format!("{sm_arn}/");
        self.delete_executions_where(
            "SELECT arn FROM executions WHERE sm_arn = ?1 OR substr(sm_arn, 1, length(?2)) = ?2",
            params![sm_arn, children],
        )
    }

    /// Deletes up to `limit` executions that closed before `cutoff` (ms since the epoch),
    /// oldest first, and the records (messages, schedules, ECS logs) made before it. Only
    /// executions started by a caller count: a map run's children go with their parent, never
    /// before it. Returns how many executions went (fewer than `limit`: none is left).
    pub fn expire_closed_before(&self, cutoff: i64, limit: usize) -> Result<usize> {
        let n = self.delete_executions_where(
            "SELECT arn FROM executions
             WHERE stop IS NOT NULL AND stop < ?1 AND status != 'RUNNING' AND map_run_arn IS NULL
             ORDER BY stop LIMIT ?2",
            params![cutoff, limit as i64],
        )?;
        self.db()
            .prepare_cached(
                "DELETE FROM records WHERE seq IN
             (SELECT seq FROM records WHERE time < ?1 ORDER BY seq LIMIT ?2)",
            )?
            .execute(params![cutoff, limit as i64])?;
        Ok(n)
    }

    /// Deletes the executions `select` (one column of ARNs) names and all that hangs off
    /// them. Returns how many `select` named.
    fn delete_executions_where(
        &self,
        select: &str,
        params: impl rusqlite::Params,
    ) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached(
            "CREATE TEMP TABLE IF NOT EXISTS doomed_executions (arn TEXT PRIMARY KEY)",
        )?
        .execute([])?;
        tx.prepare_cached("DELETE FROM doomed_executions")?
            .execute([])?;
        let named = tx.execute(&format!("INSERT INTO doomed_executions {select}"), params)?;
        // The children of their map runs, level by level (a child's own Distributed Map).
        loop {
            let added = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO doomed_executions
                 SELECT e.arn FROM executions e JOIN map_runs m ON e.map_run_arn = m.arn
                 WHERE m.execution_arn IN (SELECT arn FROM doomed_executions)",
                )?
                .execute([])?;
            if added == 0 {
                break;
            }
        }
        // Each execution's events are one range of keys.
        let seqs: Vec<i64> = {
            let mut st = tx.prepare_cached(
                "SELECT seq FROM executions WHERE arn IN (SELECT arn FROM doomed_executions)",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for seq in seqs {
            tx.prepare_cached(concat!("DELETE FROM events WHERE ", event_keys!("?1")))?
                .execute([seq])?;
        }
        for sql in [
            "DELETE FROM tags WHERE resource_arn IN
             (SELECT arn FROM map_runs WHERE execution_arn IN (SELECT arn FROM doomed_executions))",
            "DELETE FROM map_runs WHERE execution_arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM resume_attempts WHERE arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM executions WHERE arn IN (SELECT arn FROM doomed_executions)",
            "DELETE FROM doomed_executions",
        ] {
            tx.execute(sql, [])?;
        }
        tx.commit()?;
        Ok(named)
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
            let mut st =
                tx.prepare_cached("SELECT arn, run FROM map_runs WHERE execution_arn = ?1")?;
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
            tx.prepare_cached("UPDATE map_runs SET run = ?2 WHERE arn = ?1")?
                .execute(params![arn, run.to_string()])?;
            let children: Vec<(String, Option<i64>)> = {
                let mut st = tx.prepare_cached(concat!(
                    "SELECT arn, (SELECT MAX(",
                    event_id!(),
                    ") FROM events WHERE ",
                    event_keys!("seq"),
                    ")
                     FROM executions WHERE status = 'RUNNING' AND map_run_arn = ?1"
                ))?;
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
                    tx.prepare_cached(INSERT_EVENT)?.execute(params![
                        child,
                        event.id as i64,
                        event.to_json_text()
                    ])?;
                }
                tx.prepare_cached(
                    "UPDATE executions SET status = 'ABORTED', stop = ?2 WHERE arn = ?1",
                )?
                .execute(params![child, now])?;
            }
        }
        tx.commit()?;
        Ok(aborted)
    }
}

/// Event `id` of `arn`'s history, `{}`, for the store's tests.
#[cfg(test)]
pub(super) fn test_event(arn: &str, id: u64) -> super::WriteOp {
    super::WriteOp::Event {
        execution_arn: arn.into(),
        id,
        event: "{}".into(),
        closes: false,
    }
}

/// A Standard execution of `sm_arn` named after the last part of `arn`, started at 0, for
/// the store's tests to adjust.
#[cfg(test)]
pub(super) fn test_rec(arn: &str, sm_arn: &str, status: Status) -> ExecutionRec {
    ExecutionRec {
        arn: arn.into(),
        sm_arn: sm_arn.into(),
        name: arn.rsplit(':').next().unwrap_or(arn).into(),
        status,
        kind: ExecutionType::Standard,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        start: 0,
        stop: None,
        version_arn: None,
        alias_arn: None,
        definition_arn: sm_arn.into(),
        trace_header: None,
        test_case: None,
        redrive_count: 0,
        redrive_date: None,
        map_run_arn: None,
        item_count: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RecordRec, ScratchDb, WriteOp};

    fn closed(arn: &str, sm: &str, status: Status, stop: Option<i64>) -> ExecutionRec {
        ExecutionRec {
            stop,
            ..test_rec(arn, sm, status)
        }
    }

    /// Retention: what closed before the cutoff goes with everything that hangs off it (events,
    /// map runs and their tags, children and grandchildren, tags, resumption counts, records);
    /// what closed after it, what still runs, and a child whose parent stays, stay.
    #[test]
    fn expiry_takes_closed_executions_with_all_that_hangs_off_them() {
        let s = Store::open(None).unwrap();
        let old = closed("arn:old", "arn:sm", Status::Succeeded, Some(100));
        let young = closed("arn:young", "arn:sm", Status::Failed, Some(300));
        let running = closed("arn:running", "arn:sm", Status::Running, None);
        for e in [&old, &young, &running] {
            s.insert_execution_unless_exists(e).unwrap();
        }
        let mut child = closed("arn:child", "arn:sm/M", Status::Succeeded, Some(50));
        child.map_run_arn = Some("arn:run".into());
        let mut grandchild = closed("arn:grandchild", "arn:sm/M/N", Status::Succeeded, Some(40));
        grandchild.map_run_arn = Some("arn:run2".into());
        // A child of the young execution closed long ago: it waits for its parent.
        let mut kept_child = closed("arn:kept-child", "arn:sm/M", Status::Succeeded, Some(10));
        kept_child.map_run_arn = Some("arn:run3".into());
        let record = |id: &str, time| RecordRec {
            id: id.into(),
            service: "sqs".into(),
            target: "q".into(),
            payload: Value::Null,
            time,
            execution_arn: None,
            state_name: None,
        };
        s.apply(&[
            WriteOp::Child(child),
            WriteOp::Child(grandchild),
            WriteOp::Child(kept_child),
            s_map_run("arn:run", "arn:old"),
            s_map_run("arn:run2", "arn:child"),
            s_map_run("arn:run3", "arn:young"),
            test_event("arn:old", 1),
            test_event("arn:child", 1),
            test_event("arn:grandchild", 1),
            test_event("arn:young", 1),
            WriteOp::Record(record("r-old", 100)),
            WriteOp::Record(record("r-young", 300)),
        ])
        .unwrap();
        for arn in ["arn:old", "arn:run", "arn:young"] {
            s.tag(arn, &[("k".into(), "v".into())]).unwrap();
        }
        s.count_resume("arn:old", 1, false).unwrap();

        assert_eq!(s.expire_closed_before(200, 500).unwrap(), 1);
        for gone in ["arn:old", "arn:child", "arn:grandchild"] {
            assert!(s.execution(gone).unwrap().is_none(), "{gone}");
            assert!(s.events(gone).unwrap().is_empty(), "{gone}");
        }
        for stays in ["arn:young", "arn:running", "arn:kept-child"] {
            assert!(s.execution(stays).unwrap().is_some(), "{stays}");
        }
        assert!(s.map_run("arn:run").unwrap().is_none());
        assert!(s.map_run("arn:run2").unwrap().is_none());
        assert!(s.map_run("arn:run3").unwrap().is_some());
        assert!(s.tags("arn:old").unwrap().is_empty());
        assert!(s.tags("arn:run").unwrap().is_empty());
        assert_eq!(s.tags("arn:young").unwrap().len(), 1);
        assert_eq!(s.events("arn:young").unwrap().len(), 1);
        let ids: Vec<String> = s.records(None).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["r-young"]);
        // Nothing else is old enough; later everything closed goes, never what runs.
        assert_eq!(s.expire_closed_before(200, 500).unwrap(), 0);
        assert_eq!(s.expire_closed_before(1_000, 500).unwrap(), 1);
        assert!(s.execution("arn:kept-child").unwrap().is_none());
        assert!(s.execution("arn:running").unwrap().is_some());
    }

    /// A sweep goes in batches, oldest first.
    #[test]
    fn expiry_goes_in_batches_oldest_first() {
        let s = Store::open(None).unwrap();
        for i in 0..7 {
            let e = closed(
                &format!("arn:e{i}"),
                "arn:sm",
                Status::Succeeded,
                Some(10 - i),
            );
            s.insert_execution_unless_exists(&e).unwrap();
        }
        assert_eq!(s.expire_closed_before(100, 3).unwrap(), 3);
        for oldest in ["arn:e6", "arn:e5", "arn:e4"] {
            assert!(s.execution(oldest).unwrap().is_none(), "{oldest}");
        }
        assert_eq!(s.expire_closed_before(100, 3).unwrap(), 3);
        assert_eq!(s.expire_closed_before(100, 3).unwrap(), 1);
        assert_eq!(s.expire_closed_before(100, 3).unwrap(), 0);
    }

    fn s_map_run(arn: &str, execution_arn: &str) -> WriteOp {
        WriteOp::MapRun {
            arn: arn.into(),
            execution_arn: execution_arn.into(),
            run: "{}".into(),
        }
    }

    /// A database made with the `(status, seq)` index loses it on open, and its indexes of
    /// the running executions and of a machine's by status get their present definitions
    /// (the running ones apart from the ended ones); the start-up reads and the status filters
    /// go through them.
    #[test]
    fn a_database_with_the_status_index_gets_the_running_index() {
        let db = ScratchDb::new("running");
        let path = db.0.clone();
        {
            let s = Store::open(Some(&path)).unwrap();
            for e in [
                test_rec("arn:run", "arn:sm", Status::Running),
                test_rec("arn:done", "arn:sm", Status::Succeeded),
            ] {
                s.insert_execution_unless_exists(&e).unwrap();
            }
            s.db()
                .execute_batch(
                    "DROP INDEX executions_running;
                     DROP INDEX executions_by_sm_status;
                     CREATE INDEX executions_by_status ON executions (status, seq);
                     CREATE INDEX executions_running ON executions (seq) WHERE status = 'RUNNING';
                     CREATE INDEX executions_by_sm_status ON executions (sm_arn, status, seq);",
                )
                .unwrap();
        }
        let s = Store::open(Some(&path)).unwrap();
        let indexes: Vec<String> = s
            .db()
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            indexes.iter().any(|i| i == "executions_running"),
            "{indexes:?}"
        );
        assert!(
            !indexes.iter().any(|i| i == "executions_by_status"),
            "{indexes:?}"
        );
        let running: Vec<String> = s
            .running_executions()
            .unwrap()
            .into_iter()
            .map(|e| e.arn)
            .collect();
        assert_eq!(running, ["arn:run"]);
        let plan: String = s
            .db()
            .query_row(
                &format!("EXPLAIN QUERY PLAN {}", Store::RUNNING_EXECUTIONS),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("executions_running"), "{plan}");
        let definition = |name: &str| -> String {
            s.db()
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert!(
            definition("executions_running").contains("(sm_arn, seq)"),
            "{}",
            definition("executions_running")
        );
        assert!(
            definition("executions_by_sm_status").ends_with("WHERE status != 'RUNNING'"),
            "{}",
            definition("executions_by_sm_status")
        );
        for (status, rows) in [
            (Status::Running, ["arn:run"]),
            (Status::Succeeded, ["arn:done"]),
        ] {
            let page: Vec<String> = s
                .execution_page(&crate::store::ExecutionQuery {
                    status: Some(status),
                    ..crate::store::ExecutionQuery::all(crate::store::Parent::Machine("arn:sm"))
                })
                .unwrap()
                .into_iter()
                .map(|e| e.arn)
                .collect();
            assert_eq!(page, rows);
        }
        drop(s);
    }

    #[test]
    fn a_database_from_before_map_run_children_gets_their_columns() {
        let db = ScratchDb::new("migrate");
        let path = db.0.clone();
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
        let children = |status| {
            s.execution_page(&crate::store::ExecutionQuery {
                status,
                ..crate::store::ExecutionQuery::all(crate::store::Parent::MapRun("arn:run"))
            })
            .unwrap()
            .into_iter()
            .map(|e| (e.arn, e.status, e.stop, e.item_count))
            .collect::<Vec<_>>()
        };
        assert_eq!(
            children(None),
            [("arn:child".to_string(), Status::Failed, Some(9), Some(2))]
        );
        assert!(children(Some(Status::Running)).is_empty());
        // Map run children are not resumed.
        child.status = Status::Running;
        child.stop = None;
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        assert!(s.running_executions().unwrap().is_empty());
        assert_eq!(s.close_interrupted_children(10).unwrap(), 1);
        let closed = s.execution("arn:child").unwrap().unwrap();
        assert_eq!((closed.status, closed.stop), (Status::Aborted, Some(10)));
        drop(s);
    }

    /// A database whose events were keyed by their execution's ARN, or by `(seq, id)`, gets
    /// them keyed as now, every stored execution's history kept in order (the events of an
    /// execution no longer stored go), and new events are stored after them.
    #[test]
    fn a_database_with_events_keyed_otherwise_gets_them_keyed_as_now() {
        let old_tables = [
            r#"CREATE TABLE events (
                execution_arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL,
                PRIMARY KEY (execution_arn, id)
            ) WITHOUT ROWID;
            INSERT INTO events VALUES ('arn:b', 2, '{"b":2}'), ('arn:a', 1, '{"a":1}'),
                ('arn:b', 1, '{"b":1}'), ('arn:gone', 1, '{"gone":1}'),
                ('arn:a', 2, '{"a":2}');"#,
            r#"CREATE TABLE events (
                execution_seq INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL,
                PRIMARY KEY (execution_seq, id)
            ) WITHOUT ROWID;
            INSERT INTO events VALUES (2, 2, '{"b":2}'), (1, 1, '{"a":1}'), (2, 1, '{"b":1}'),
                (1, 2, '{"a":2}');"#,
        ];
        for old in old_tables {
            let db = ScratchDb::new("events-keyed");
            let path = db.0.clone();
            {
                let s = Store::open(Some(&path)).unwrap();
                for arn in ["arn:a", "arn:b"] {
                    s.insert_execution_unless_exists(&test_rec(arn, "arn:sm", Status::Succeeded))
                        .unwrap();
                }
                s.db()
                    .execute_batch(&format!("DROP TABLE events; {old}"))
                    .unwrap();
            }
            let s = Store::open(Some(&path)).unwrap();
            let columns: Vec<String> = s
                .db()
                .prepare("SELECT name FROM pragma_table_info('events')")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(columns, ["key", "event"]);
            assert_eq!(
                s.events("arn:a").unwrap(),
                [serde_json::json!({"a": 1}), serde_json::json!({"a": 2})]
            );
            assert_eq!(
                s.events("arn:b").unwrap(),
                [serde_json::json!({"b": 1}), serde_json::json!({"b": 2})]
            );
            let total: i64 = s
                .db()
                .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
                .unwrap();
            assert_eq!(total, 4, "{old}");
            s.apply(&[test_event("arn:a", 3)]).unwrap();
            assert_eq!(s.last_event_id("arn:a").unwrap(), 3);
            assert_eq!(s.last_event_id("arn:b").unwrap(), 2);
            drop(s);
        }
    }

    /// An execution's events are one range of keys: an id that would fall in the next
    /// execution's range is not stored, and deleting an execution takes its range only.
    #[test]
    fn an_executions_events_stay_in_its_own_range() {
        let s = Store::open(None).unwrap();
        for arn in ["arn:a", "arn:b"] {
            s.insert_execution_unless_exists(&test_rec(arn, "arn:sm", Status::Succeeded))
                .unwrap();
        }
        s.apply(&[
            test_event("arn:a", 1),
            test_event("arn:a", 16_777_215),
            test_event("arn:a", 16_777_216),
            test_event("arn:b", 1),
        ])
        .unwrap();
        assert_eq!(s.last_event_id("arn:a").unwrap(), 16_777_215);
        assert_eq!(s.events("arn:a").unwrap().len(), 2);
        assert_eq!(
            s.events("arn:b").unwrap().len(),
            1,
            "arn:a's last id is not arn:b's"
        );
        s.db()
            .execute_batch("UPDATE executions SET stop = 1 WHERE arn = 'arn:a'")
            .unwrap();
        assert_eq!(s.expire_closed_before(100, 10).unwrap(), 1);
        assert!(s.events("arn:a").unwrap().is_empty());
        assert_eq!(s.events("arn:b").unwrap().len(), 1);
    }

    /// An event of an execution the store does not hold (deleted while its last events were
    /// queued) is not stored, and the rest of its batch is; an event written again replaces
    /// the first.
    #[test]
    fn events_of_an_unknown_execution_are_dropped_and_the_batch_kept() {
        let s = Store::open(None).unwrap();
        s.insert_execution_unless_exists(&test_rec("arn:known", "arn:sm", Status::Running))
            .unwrap();
        s.apply(&[
            test_event("arn:known", 1),
            test_event("arn:unknown", 1),
            WriteOp::Event {
                execution_arn: "arn:known".into(),
                id: 1,
                event: r#"{"again":true}"#.into(),
                closes: false,
            },
            test_event("arn:known", 2),
        ])
        .unwrap();
        assert_eq!(
            s.events("arn:known").unwrap(),
            [serde_json::json!({"again": true}), serde_json::json!({})]
        );
        assert!(s.events("arn:unknown").unwrap().is_empty());
        assert_eq!(s.last_event_id("arn:unknown").unwrap(), 0);
    }
}
