//! The embedded store: one SQLite database (WAL) holding everything the API acknowledged.
//!
//! Reads and single-row writes go straight to the connection; history events, which arrive
//! in bursts while executions run, go through a writer thread that commits them in batches
//! (see [`Writer`]). `--in-memory` uses the same schema on an in-memory database.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// A store failure (I/O, corruption): answered as a 500 `InternalFailure`.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(#[from] rusqlite::Error);

/// Store result.
pub type Result<T> = std::result::Result<T, StoreError>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS state_machines (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER, revision_id TEXT NOT NULL,
    description TEXT, logging TEXT NOT NULL, tracing TEXT NOT NULL, encryption TEXT NOT NULL,
    next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS versions (
    arn TEXT PRIMARY KEY, sm_arn TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
    type TEXT NOT NULL, definition TEXT NOT NULL, role_arn TEXT NOT NULL, created INTEGER NOT NULL,
    revision_id TEXT NOT NULL, description TEXT, logging TEXT NOT NULL, tracing TEXT NOT NULL,
    encryption TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_sm ON versions (sm_arn, version);
CREATE TABLE IF NOT EXISTS aliases (
    arn TEXT PRIMARY KEY, sm_arn TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    routing TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, seq INTEGER NOT NULL, sm_arn TEXT NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, type TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT,
    cause TEXT, start INTEGER NOT NULL, stop INTEGER, version_arn TEXT, alias_arn TEXT,
    definition_arn TEXT NOT NULL, trace_header TEXT, test_case TEXT,
    redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date INTEGER
);
CREATE INDEX IF NOT EXISTS executions_by_sm ON executions (sm_arn, seq);
CREATE TABLE IF NOT EXISTS resume_attempts (
    arn TEXT PRIMARY KEY, attempts INTEGER NOT NULL, at_event INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activities (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL, encryption TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);
CREATE TABLE IF NOT EXISTS map_runs (
    arn TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, run TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS map_runs_by_execution ON map_runs (execution_arn);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT NOT NULL,
    target TEXT NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL,
    execution_arn TEXT, state_name TEXT
);
";

/// Columns added to a table after its first release: `(table, column, type)`. A database
/// made before them gets them on open (`CREATE TABLE IF NOT EXISTS` leaves an existing table
/// as it is); they come after the table's first columns, in this order, in both.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // The map run that started a child workflow execution (NULL for the others), and the
    // number of items it processes.
    ("executions", "map_run_arn", "TEXT"),
    ("executions", "item_count", "INTEGER"),
];

/// What needs the [`ADDED_COLUMNS`].
const AFTER_ADDED_COLUMNS: &str = "
CREATE INDEX IF NOT EXISTS executions_by_map_run ON executions (map_run_arn, seq)
    WHERE map_run_arn IS NOT NULL;
";

/// Adds the [`ADDED_COLUMNS`] a database does not have yet.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, ty) in ADDED_COLUMNS {
        let exists: bool = conn.query_row(
            &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get(0),
        )?;
        if !exists {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))?;
        }
    }
    conn.execute_batch(AFTER_ADDED_COLUMNS)
}

/// A state machine (its current revision).
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineRec {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    pub definition: String,
    pub role_arn: String,
    /// Epoch milliseconds.
    pub created: i64,
    pub updated: Option<i64>,
    pub revision_id: String,
    pub description: Option<String>,
    pub logging: Value,
    pub tracing: Value,
    pub encryption: Value,
    pub next_version: u64,
}

/// A published version.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRec {
    pub arn: String,
    pub sm_arn: String,
    pub version: u64,
    pub name: String,
    pub kind: String,
    pub definition: String,
    pub role_arn: String,
    pub created: i64,
    pub revision_id: String,
    pub description: Option<String>,
    pub logging: Value,
    pub tracing: Value,
    pub encryption: Value,
}

/// An alias.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRec {
    pub arn: String,
    pub sm_arn: String,
    pub name: String,
    pub description: Option<String>,
    pub routing: Value,
    pub created: i64,
    pub updated: i64,
}

/// An execution.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRec {
    pub arn: String,
    pub sm_arn: String,
    pub name: String,
    pub status: String,
    pub kind: String,
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

/// An activity.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRec {
    pub arn: String,
    pub name: String,
    pub created: i64,
    pub encryption: Value,
}

/// A message recorded by a messaging integration (SNS, SQS, EventBridge).
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRec {
    pub id: String,
    pub service: String,
    pub target: String,
    pub payload: Value,
    pub time: i64,
    pub execution_arn: Option<String>,
    pub state_name: Option<String>,
}

/// The database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

fn json_col(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> Result<Store> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        // WAL + NORMAL: a commit survives the process being killed (the crash we promise to
        // survive); FULL would add an fsync per commit for power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    // --- state machines ---------------------------------------------------------------

    /// Inserts or replaces a state machine.
    pub fn put_state_machine(&self, r: &StateMachineRec) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO state_machines VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![
                r.arn, r.name, r.kind, r.definition, r.role_arn, r.created, r.updated,
                r.revision_id, r.description, r.logging.to_string(), r.tracing.to_string(),
                r.encryption.to_string(), r.next_version as i64
            ],
        )?;
        Ok(())
    }

    /// One state machine.
    pub fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRec>> {
        Ok(self
            .db()
            .query_row("SELECT * FROM state_machines WHERE arn = ?1", [arn], sm_row)
            .optional()?)
    }

    /// All state machines, oldest first.
    pub fn state_machines(&self) -> Result<Vec<StateMachineRec>> {
        let db = self.db();
        let mut st = db.prepare("SELECT * FROM state_machines ORDER BY created, arn")?;
        let rows = st.query_map([], sm_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a state machine with its versions, aliases and their tags.
    pub fn delete_state_machine(&self, arn: &str) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let like = format!("{arn}:%");
        tx.execute("DELETE FROM state_machines WHERE arn = ?1", [arn])?;
        tx.execute("DELETE FROM versions WHERE sm_arn = ?1", [arn])?;
        tx.execute("DELETE FROM aliases WHERE sm_arn = ?1", [arn])?;
        tx.execute(
            "DELETE FROM tags WHERE resource_arn = ?1 OR resource_arn LIKE ?2",
            params![arn, like],
        )?;
        tx.commit()?;
        Ok(())
    }

    // --- versions ---------------------------------------------------------------------

    /// Publishes a version and bumps the state machine's version counter, atomically.
    pub fn put_version(&self, v: &VersionRec) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT INTO versions VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![
                v.arn,
                v.sm_arn,
                v.version as i64,
                v.name,
                v.kind,
                v.definition,
                v.role_arn,
                v.created,
                v.revision_id,
                v.description,
                v.logging.to_string(),
                v.tracing.to_string(),
                v.encryption.to_string()
            ],
        )?;
        tx.execute(
            "UPDATE state_machines SET next_version = ?2 WHERE arn = ?1",
            params![v.sm_arn, v.version as i64 + 1],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One version.
    pub fn version(&self, arn: &str) -> Result<Option<VersionRec>> {
        Ok(self
            .db()
            .query_row("SELECT * FROM versions WHERE arn = ?1", [arn], version_row)
            .optional()?)
    }

    /// A state machine's versions, newest first.
    pub fn versions(&self, sm_arn: &str) -> Result<Vec<VersionRec>> {
        let db = self.db();
        let mut st =
            db.prepare("SELECT * FROM versions WHERE sm_arn = ?1 ORDER BY version DESC")?;
        let rows = st.query_map([sm_arn], version_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a version.
    pub fn delete_version(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM versions WHERE arn = ?1", [arn])?;
        db.execute("DELETE FROM tags WHERE resource_arn = ?1", [arn])?;
        Ok(())
    }

    // --- aliases ----------------------------------------------------------------------

    /// Inserts or replaces an alias.
    pub fn put_alias(&self, a: &AliasRec) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO aliases VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![
                a.arn,
                a.sm_arn,
                a.name,
                a.description,
                a.routing.to_string(),
                a.created,
                a.updated
            ],
        )?;
        Ok(())
    }

    /// One alias.
    pub fn alias(&self, arn: &str) -> Result<Option<AliasRec>> {
        Ok(self
            .db()
            .query_row("SELECT * FROM aliases WHERE arn = ?1", [arn], alias_row)
            .optional()?)
    }

    /// A state machine's aliases, newest first.
    pub fn aliases(&self, sm_arn: &str) -> Result<Vec<AliasRec>> {
        let db = self.db();
        let mut st =
            db.prepare("SELECT * FROM aliases WHERE sm_arn = ?1 ORDER BY created DESC, arn")?;
        let rows = st.query_map([sm_arn], alias_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes an alias.
    pub fn delete_alias(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM aliases WHERE arn = ?1", [arn])?;
        db.execute("DELETE FROM tags WHERE resource_arn = ?1", [arn])?;
        Ok(())
    }

    // --- executions -------------------------------------------------------------------

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
            insert_execution(&db, e)?;
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
    pub fn executions(&self, sm_arn: &str, status: Option<&str>) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE sm_arn = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC",
        )?;
        let rows = st.query_map(params![sm_arn, status], execution_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Executions in a status (on start-up: the ones that were running), map run children
    /// aside (their map run runs them, see [`Store::close_interrupted_children`]).
    pub fn executions_in(&self, status: &str) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE status = ?1 AND map_run_arn IS NULL ORDER BY seq",
        )?;
        let rows = st.query_map([status], execution_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A map run's child workflow executions, newest first, optionally in one status.
    pub fn map_run_executions(
        &self,
        map_run_arn: &str,
        status: Option<&str>,
    ) -> Result<Vec<ExecutionRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM executions WHERE map_run_arn = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC",
        )?;
        let rows = st.query_map(params![map_run_arn, status], execution_row)?;
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
                let event = serde_json::json!({
                    "timestamp": now as f64 / 1000.0,
                    "type": "ExecutionAborted",
                    "id": last + 1,
                    "previousEventId": last,
                    "executionAbortedEventDetails": {"error": error, "cause": cause},
                });
                tx.execute(
                    "INSERT OR REPLACE INTO events VALUES (?1, ?2, ?3)",
                    params![arn, last + 1, event.to_string()],
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

    /// Applies a batch of writes in one transaction.
    pub fn apply(&self, ops: &[WriteOp]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for op in ops {
            match op {
                WriteOp::Event {
                    execution_arn,
                    id,
                    event,
                } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO events VALUES (?1, ?2, ?3)",
                        params![execution_arn, *id as i64, event],
                    )?;
                }
                WriteOp::Finish(e) => {
                    tx.execute(
                        "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stop = ?6 WHERE arn = ?1",
                        params![e.arn, e.status, e.output, e.error, e.cause, e.stop],
                    )?;
                }
                WriteOp::Child(e) => {
                    tx.execute(
                        &format!(
                            "{INSERT_EXECUTION} ON CONFLICT (arn) DO UPDATE SET status = excluded.status,
                             output = excluded.output, error = excluded.error,
                             cause = excluded.cause, stop = excluded.stop"
                        ),
                        execution_params(e),
                    )?;
                }
                WriteOp::MapRun {
                    arn,
                    execution_arn,
                    run,
                } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO map_runs VALUES (?1, ?2, ?3)",
                        params![arn, execution_arn, run],
                    )?;
                }
                WriteOp::Record(r) => {
                    tx.execute(
                        "INSERT INTO records (id, service, target, payload, time, execution_arn, state_name) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                        params![r.id, r.service, r.target, r.payload.to_string(), r.time, r.execution_arn, r.state_name],
                    )?;
                }
                WriteOp::Ack(_) => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Updates the redrive fields and status of an execution.
    pub fn redrive_execution(&self, arn: &str, count: u32, date: i64) -> Result<()> {
        self.db().execute(
            "UPDATE executions SET status = 'RUNNING', stop = NULL, error = NULL, cause = NULL, redrive_count = ?2, redrive_date = ?3 WHERE arn = ?1",
            params![arn, count, date],
        )?;
        Ok(())
    }

    // --- activities -------------------------------------------------------------------

    /// Inserts an activity.
    pub fn put_activity(&self, a: &ActivityRec) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO activities VALUES (?1, ?2, ?3, ?4)",
            params![a.arn, a.name, a.created, a.encryption.to_string()],
        )?;
        Ok(())
    }

    /// One activity.
    pub fn activity(&self, arn: &str) -> Result<Option<ActivityRec>> {
        Ok(self
            .db()
            .query_row(
                "SELECT * FROM activities WHERE arn = ?1",
                [arn],
                activity_row,
            )
            .optional()?)
    }

    /// All activities, oldest first.
    pub fn activities(&self) -> Result<Vec<ActivityRec>> {
        let db = self.db();
        let mut st = db.prepare("SELECT * FROM activities ORDER BY created, arn")?;
        let rows = st.query_map([], activity_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes an activity and its tags.
    pub fn delete_activity(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM activities WHERE arn = ?1", [arn])?;
        db.execute("DELETE FROM tags WHERE resource_arn = ?1", [arn])?;
        Ok(())
    }

    // --- tags -------------------------------------------------------------------------

    /// A resource's tags in key order.
    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        let db = self.db();
        let mut st =
            db.prepare("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY key")?;
        let rows = st.query_map([arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds or overwrites tags.
    pub fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for (k, v) in tags {
            tx.execute(
                "INSERT OR REPLACE INTO tags VALUES (?1, ?2, ?3)",
                params![arn, k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes tags.
    pub fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for k in keys {
            tx.execute(
                "DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2",
                params![arn, k],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    // --- map runs ---------------------------------------------------------------------

    /// Inserts or replaces a map run (its DescribeMapRun JSON).
    pub fn put_map_run(&self, arn: &str, execution_arn: &str, run: &Value) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO map_runs VALUES (?1, ?2, ?3)",
            params![arn, execution_arn, run.to_string()],
        )?;
        Ok(())
    }

    /// One map run.
    pub fn map_run(&self, arn: &str) -> Result<Option<Value>> {
        Ok(self
            .db()
            .query_row("SELECT run FROM map_runs WHERE arn = ?1", [arn], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(json_col))
    }

    /// An execution's map runs, oldest first.
    pub fn map_runs(&self, execution_arn: &str) -> Result<Vec<Value>> {
        let db = self.db();
        let mut st =
            db.prepare("SELECT run FROM map_runs WHERE execution_arn = ?1 ORDER BY rowid")?;
        let rows = st.query_map([execution_arn], |r| r.get::<_, String>(0))?;
        Ok(rows
            .map(|r| r.map(json_col))
            .collect::<rusqlite::Result<_>>()?)
    }

    // --- recorded messages ------------------------------------------------------------

    /// Recorded messages, oldest first, optionally of one service.
    pub fn records(&self, service: Option<&str>) -> Result<Vec<RecordRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT id, service, target, payload, time, execution_arn, state_name FROM records WHERE (?1 IS NULL OR service = ?1) ORDER BY seq",
        )?;
        let rows = st.query_map([service], |r| {
            Ok(RecordRec {
                id: r.get(0)?,
                service: r.get(1)?,
                target: r.get(2)?,
                payload: json_col(r.get(3)?),
                time: r.get(4)?,
                execution_arn: r.get(5)?,
                state_name: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Inserts an [`ExecutionRec`] (with [`execution_params`]), numbered after the others.
const INSERT_EXECUTION: &str = "INSERT INTO executions (arn, seq, sm_arn, name, status, type,
    input, output, error, cause, start, stop, version_arn, alias_arn, definition_arn,
    trace_header, test_case, redrive_count, redrive_date, map_run_arn, item_count)
    VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions), ?2, ?3, ?4, ?5, ?6, ?7, ?8,
    ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

fn execution_params(e: &ExecutionRec) -> [&dyn rusqlite::ToSql; 20] {
    [
        &e.arn,
        &e.sm_arn,
        &e.name,
        &e.status,
        &e.kind,
        &e.input,
        &e.output,
        &e.error,
        &e.cause,
        &e.start,
        &e.stop,
        &e.version_arn,
        &e.alias_arn,
        &e.definition_arn,
        &e.trace_header,
        &e.test_case,
        &e.redrive_count,
        &e.redrive_date,
        &e.map_run_arn,
        &e.item_count,
    ]
}

fn insert_execution(db: &Connection, e: &ExecutionRec) -> rusqlite::Result<()> {
    db.execute(INSERT_EXECUTION, execution_params(e))?;
    Ok(())
}

fn sm_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StateMachineRec> {
    Ok(StateMachineRec {
        arn: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        definition: r.get(3)?,
        role_arn: r.get(4)?,
        created: r.get(5)?,
        updated: r.get(6)?,
        revision_id: r.get(7)?,
        description: r.get(8)?,
        logging: json_col(r.get(9)?),
        tracing: json_col(r.get(10)?),
        encryption: json_col(r.get(11)?),
        next_version: r.get::<_, i64>(12)? as u64,
    })
}

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionRec> {
    Ok(VersionRec {
        arn: r.get(0)?,
        sm_arn: r.get(1)?,
        version: r.get::<_, i64>(2)? as u64,
        name: r.get(3)?,
        kind: r.get(4)?,
        definition: r.get(5)?,
        role_arn: r.get(6)?,
        created: r.get(7)?,
        revision_id: r.get(8)?,
        description: r.get(9)?,
        logging: json_col(r.get(10)?),
        tracing: json_col(r.get(11)?),
        encryption: json_col(r.get(12)?),
    })
}

fn alias_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AliasRec> {
    Ok(AliasRec {
        arn: r.get(0)?,
        sm_arn: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        routing: json_col(r.get(4)?),
        created: r.get(5)?,
        updated: r.get(6)?,
    })
}

fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExecutionRec> {
    Ok(ExecutionRec {
        arn: r.get(0)?,
        sm_arn: r.get(2)?,
        name: r.get(3)?,
        status: r.get(4)?,
        kind: r.get(5)?,
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

fn activity_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityRec> {
    Ok(ActivityRec {
        arn: r.get(0)?,
        name: r.get(1)?,
        created: r.get(2)?,
        encryption: json_col(r.get(3)?),
    })
}

/// A write queued for the writer thread.
#[derive(Debug)]
pub enum WriteOp {
    /// One history event (its JSON text).
    Event {
        /// The execution.
        execution_arn: Arc<str>,
        /// The event id.
        id: u64,
        /// The event's JSON text.
        event: String,
    },
    /// An execution's end.
    Finish(ExecutionRec),
    /// A map run's child workflow execution, inserted when it starts, updated when it ends.
    Child(ExecutionRec),
    /// A map run (its DescribeMapRun JSON text), inserted or replaced.
    MapRun {
        /// The map run.
        arn: String,
        /// The execution that runs it.
        execution_arn: String,
        /// Its DescribeMapRun JSON text.
        run: String,
    },
    /// A recorded message.
    Record(RecordRec),
    /// Signals once everything queued before it is committed.
    Ack(tokio::sync::oneshot::Sender<()>),
}

/// The writer thread: drains the queue and commits what it finds in one transaction, so a
/// burst of events costs one commit.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<WriteOp>,
}

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Writer {
        let (tx, rx) = mpsc::channel::<WriteOp>();
        std::thread::Builder::new()
            .name("sfn-local-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < 4096 {
                        match rx.try_recv() {
                            Ok(op) => batch.push(op),
                            Err(_) => break,
                        }
                    }
                    if let Err(e) = store.apply(&batch) {
                        tracing::error!(error = %e, "history write failed");
                    }
                    for op in batch {
                        if let WriteOp::Ack(done) = op {
                            let _ = done.send(());
                        }
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the writer thread"));
        Writer { tx }
    }

    /// Queues a write.
    pub fn send(&self, op: WriteOp) {
        let _ = self.tx.send(op);
    }

    /// Waits until everything queued so far is committed (from a plain thread).
    pub fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(WriteOp::Ack(tx)).is_ok() {
            let _ = rx.blocking_recv();
        }
    }

    /// Waits until everything queued so far is committed.
    pub async fn flush_async(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(WriteOp::Ack(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sm(arn: &str) -> StateMachineRec {
        StateMachineRec {
            arn: arn.into(),
            name: "m".into(),
            kind: "STANDARD".into(),
            definition: "{}".into(),
            role_arn: "r".into(),
            created: 1,
            updated: None,
            revision_id: "rev".into(),
            description: None,
            logging: json!({"level": "OFF"}),
            tracing: json!({"enabled": false}),
            encryption: json!({"type": "AWS_OWNED_KEY"}),
            next_version: 1,
        }
    }

    #[test]
    fn state_machines_round_trip_and_delete_cascades() {
        let s = Store::open(None).unwrap();
        let a = sm("arn:sm:a");
        s.put_state_machine(&a).unwrap();
        assert_eq!(s.state_machine("arn:sm:a").unwrap(), Some(a.clone()));
        s.tag("arn:sm:a", &[("k".into(), "v".into())]).unwrap();
        s.tag("arn:sm:a:1", &[("k".into(), "v".into())]).unwrap();
        s.delete_state_machine("arn:sm:a").unwrap();
        assert_eq!(s.state_machine("arn:sm:a").unwrap(), None);
        assert!(s.tags("arn:sm:a").unwrap().is_empty());
        assert!(s.tags("arn:sm:a:1").unwrap().is_empty());
    }

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
        child.status = "RUNNING".into();
        child.map_run_arn = Some("arn:run".into());
        child.item_count = Some(2);
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        child.status = "FAILED".into();
        child.stop = Some(9);
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        assert_eq!(
            s.map_run_executions("arn:run", None).unwrap(),
            [child.clone()]
        );
        assert!(
            s.map_run_executions("arn:run", Some("RUNNING"))
                .unwrap()
                .is_empty()
        );
        // Map run children are not resumed.
        child.status = "RUNNING".into();
        child.stop = None;
        s.apply(&[WriteOp::Child(child.clone())]).unwrap();
        assert!(s.executions_in("RUNNING").unwrap().is_empty());
        assert_eq!(s.close_interrupted_children(10).unwrap(), 1);
        let closed = s.execution("arn:child").unwrap().unwrap();
        assert_eq!((closed.status.as_str(), closed.stop), ("ABORTED", Some(10)));
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn writer_batches_and_flush_waits() {
        let s = Store::open(None).unwrap();
        let w = Writer::start(s.clone());
        let arn: Arc<str> = "arn:e".into();
        for id in 1..=100 {
            w.send(WriteOp::Event {
                execution_arn: arn.clone(),
                id,
                event: format!("{{\"id\":{id}}}"),
            });
        }
        w.flush();
        let ev = s.events("arn:e").unwrap();
        assert_eq!(ev.len(), 100);
        assert_eq!(ev[99], json!({"id": 100}));
        assert_eq!(s.last_event_id("arn:e").unwrap(), 100);
    }
}
