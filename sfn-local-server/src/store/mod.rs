//! The embedded store: one SQLite database (WAL) holding everything the API acknowledged.
//!
//! Reads and single-row writes go straight to the connection; history events, which arrive
//! in bursts while executions run, go through a writer thread that commits them in batches
//! (see [`Writer`]). `--in-memory` uses the same schema on an in-memory database.
//!
//! One file per concept: the schema and its migrations (`schema.rs`), state machines with
//! their versions and aliases (`machines.rs`), executions with their history
//! (`executions.rs`) and the pages of their lists (`pages.rs`), `activities.rs`, `tags.rs`,
//! `map_runs.rs`, recorded messages (`records.rs`), CloudWatch Logs groups, streams and events
//! (`logs.rs`), and the writer (`writer.rs`).

mod activities;
mod executions;
mod logs;
mod machines;
mod map_runs;
mod pages;
mod records;
mod schema;
mod tags;
mod writer;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;
use serde_json::Value;

pub use activities::ActivityRec;
pub use executions::ExecutionRec;
pub use logs::{LogEventQuery, LogEventRec, LogEventRow, LogGroupRec, LogStreamRec, StreamFilter};
pub use machines::{AliasRec, StateMachineRec, VersionRec, api_revision, initial_revision};
pub use pages::{EventQuery, ExecutionQuery, ExecutionSummary, Parent};
pub use records::RecordRec;
pub use writer::{WriteOp, Writer};

use crate::kinds::ApiEnum;

/// A store failure (I/O, corruption): answered as a 500 `InternalFailure`.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(#[from] rusqlite::Error);

/// Store result.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// The database file (`None`: in memory).
    path: Option<std::path::PathBuf>,
}

fn json_col(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A text column holding an enum as the API spells it (`RUNNING`, `EXPRESS`).
fn enum_col<T: ApiEnum>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    T::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a known value: {text}").into(),
        )
    })
}

/// The WAL size past which the writer thread checkpoints at once (see `writer.rs`), and the
/// size the WAL file is cut back to after a checkpoint. Under W5 the WAL grows about 80 MB a
/// second (each small commit writes its whole pages); 8 MB here checkpointed so often that the
/// store's p99 went back to 7 ms, so the bound is on disk use, not a rhythm.
pub(crate) const WAL_LIMIT: u64 = 64 << 20;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

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
        // No checkpoint from this connection: one copies the WAL into the database and
        // fsyncs it (milliseconds), and this connection's mutex would be held the while, so
        // every request waiting for it got that as latency (W5's p99 on the store: 5.3 ->
        // 1.0 ms). The writer thread checkpoints from a connection of its own instead
        // ([`Store::checkpointer`]).
        if path.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            // The WAL file keeps its largest size unless told: cut back to this once reset.
            conn.pragma_update(None, "journal_size_limit", WAL_LIMIT as i64)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every statement is prepared once and kept (`prepare_cached`): parsing SQL was 15% of
        // the server's CPU on W5. Room for all of the store's statements, dynamic ones too.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(schema::SCHEMA)?;
        schema::migrate(&conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path: path.map(Path::to_path_buf),
        })
    }

    /// The WAL file, when the database is a file.
    pub(crate) fn wal_path(&self) -> Option<std::path::PathBuf> {
        let mut p = self.path.clone()?.into_os_string();
        p.push("-wal");
        Some(p.into())
    }

    /// A second connection to the database file, for checkpoints that do not hold up the
    /// store's own connection; `None` in memory.
    pub(crate) fn checkpointer(&self) -> Option<Connection> {
        let conn = Connection::open(self.path.as_ref()?).ok()?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).ok()?;
        Some(conn)
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A database file in the temporary folder, removed (with its WAL) before and after (tests).
#[cfg(test)]
pub(crate) struct ScratchDb(pub std::path::PathBuf);

#[cfg(test)]
impl ScratchDb {
    pub(crate) fn new(name: &str) -> ScratchDb {
        let path = std::env::temp_dir().join(format!("sfn-local-{name}-{}.db", std::process::id()));
        let db = ScratchDb(path);
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[cfg(test)]
impl Drop for ScratchDb {
    fn drop(&mut self) {
        self.remove();
    }
}
