//! The database schema, and how a database made by an earlier release is brought up to it
//! (columns added since, an index replaced, AUTOINCREMENT taken out of `records`).

use rusqlite::{Connection, OptionalExtension};

use super::executions::{event_id_fits, event_key};

pub(super) const SCHEMA: &str = "
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
-- Each list and scan reads one index range (store/pages.rs): numbering a new execution
-- (MAX(seq)), a status filter, a version's or an alias's executions, the running ones at
-- start-up, and the finished ones retention expires.
CREATE INDEX IF NOT EXISTS executions_by_seq ON executions (seq);
CREATE INDEX IF NOT EXISTS executions_by_version ON executions (version_arn, seq)
    WHERE version_arn IS NOT NULL;
CREATE INDEX IF NOT EXISTS executions_by_alias ON executions (alias_arn, seq)
    WHERE alias_arn IS NOT NULL;
-- A status filter reads `executions_running` or `executions_by_sm_status` (INDEXES, below).
CREATE INDEX IF NOT EXISTS executions_by_stop ON executions (stop) WHERE stop IS NOT NULL;
CREATE TABLE IF NOT EXISTS resume_attempts (
    arn TEXT PRIMARY KEY, attempts INTEGER NOT NULL, at_event INTEGER NOT NULL
);
-- History events, keyed by their execution's `seq` times 2^24 plus their id (store/executions.rs,
-- INSERT_EVENT and event_keys): a new execution's events go after every stored one, on the last
-- page, which SQLite fills whole before it adds the next (keyed by the execution's ARN, each
-- execution's landed on a page among all the others, which split as it filled; keyed by
-- `(seq, id)` in an index tree, each append that filled the last page rebalanced it with its
-- neighbours: three or four pages written per short execution).
CREATE TABLE IF NOT EXISTS events (key INTEGER PRIMARY KEY, event TEXT NOT NULL);
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
CREATE TABLE IF NOT EXISTS metrics (key TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID;
-- `seq` orders the records (a new one is numbered after every one there is); no AUTOINCREMENT,
-- whose `sqlite_sequence` row was one more page written with every record.
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, service TEXT NOT NULL,
    target TEXT NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL,
    execution_arn TEXT, state_name TEXT
);
-- CloudWatch Logs (store/logs.rs): a group's events are read by (time, seq), a stream's too.
CREATE TABLE IF NOT EXISTS log_groups (
    name TEXT PRIMARY KEY, created INTEGER NOT NULL, retention INTEGER,
    tags TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_streams (
    group_name TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,
    first_event INTEGER, last_event INTEGER, last_ingestion INTEGER,
    bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_name, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_events (
    seq INTEGER PRIMARY KEY, group_name TEXT NOT NULL, stream TEXT NOT NULL,
    time INTEGER NOT NULL, ingestion INTEGER NOT NULL, message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_name, time, seq);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (group_name, stream, time, seq);
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
DROP INDEX IF EXISTS executions_by_status;
CREATE INDEX IF NOT EXISTS executions_by_map_run ON executions (map_run_arn, seq)
    WHERE map_run_arn IS NOT NULL;
";

/// Indexes whose definition changed since a release: made when missing, made again when a
/// database holds an older definition (compared as SQLite keeps it in `sqlite_master`).
///
/// A status filter reads one of two: the running executions (`executions_running`, which an
/// execution enters when it starts and leaves when it ends, on the same few pages), and the
/// ended ones (`executions_by_sm_status`, which an execution enters when it ends). When the
/// running ones were in the second, a start wrote one more page, and an end two (out of the
/// RUNNING range, into another); a `(status, seq)` index was one more still. A query names the
/// status as a literal (`store/pages.rs`): the planner uses a partial index only when the query
/// says what the index's `WHERE` says.
const INDEXES: &[(&str, &str)] = &[
    (
        "executions_running",
        "CREATE INDEX executions_running ON executions (sm_arn, seq) WHERE status = 'RUNNING'",
    ),
    (
        "executions_by_sm_status",
        "CREATE INDEX executions_by_sm_status ON executions (sm_arn, status, seq) WHERE status != 'RUNNING'",
    ),
];

/// A database made when `records.seq` was AUTOINCREMENT gets the table without it (the rows
/// and their order kept): SQLite cannot drop AUTOINCREMENT from a table in place.
const RECORDS_WITHOUT_AUTOINCREMENT: &str = "
CREATE TABLE records_plain (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, service TEXT NOT NULL,
    target TEXT NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL,
    execution_arn TEXT, state_name TEXT
);
INSERT INTO records_plain (seq, id, service, target, payload, time, execution_arn, state_name)
    SELECT seq, id, service, target, payload, time, execution_arn, state_name FROM records;
DROP TABLE records;
ALTER TABLE records_plain RENAME TO records;
";

/// A database made when events were keyed by their execution's ARN (or, briefly, by
/// `(execution_seq, id)`) gets them keyed as [`SCHEMA`] says; the events of executions no
/// longer stored are dropped. `{rows}` is the query of the old rows' keys and texts.
const EVENTS_BY_KEY: &str = "
CREATE TABLE events_by_key (key INTEGER PRIMARY KEY, event TEXT NOT NULL);
INSERT INTO events_by_key (key, event) {rows};
DROP TABLE events;
ALTER TABLE events_by_key RENAME TO events;
";

/// Adds the [`ADDED_COLUMNS`] a database does not have yet, takes AUTOINCREMENT out of
/// `records` ([`RECORDS_WITHOUT_AUTOINCREMENT`]) and keys events as they are now
/// ([`EVENTS_BY_KEY`]).
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let records: String = conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'records'",
        [],
        |r| r.get(0),
    )?;
    if records.contains("AUTOINCREMENT") {
        conn.execute_batch(&format!("BEGIN;{RECORDS_WITHOUT_AUTOINCREMENT}COMMIT;"))?;
    }
    let old_rows = if has_column(conn, "events", "execution_arn")? {
        Some(concat!(
            "SELECT ",
            event_key!("x.seq", "e.id"),
            ", e.event FROM events e JOIN executions x ON x.arn = e.execution_arn WHERE ",
            event_id_fits!("e.id"),
            " ORDER BY 1"
        ))
    } else if has_column(conn, "events", "execution_seq")? {
        Some(concat!(
            "SELECT ",
            event_key!("execution_seq", "id"),
            ", event FROM events WHERE ",
            event_id_fits!("id"),
            " ORDER BY 1"
        ))
    } else {
        None
    };
    if let Some(rows) = old_rows {
        let sql = EVENTS_BY_KEY.replace("{rows}", rows);
        conn.execute_batch(&format!("BEGIN;{sql}COMMIT;"))?;
    }
    for (table, column, ty) in ADDED_COLUMNS {
        if !has_column(conn, table, column)? {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))?;
        }
    }
    conn.execute_batch(AFTER_ADDED_COLUMNS)?;
    for (name, sql) in INDEXES {
        let stored: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if stored.as_deref() != Some(*sql) {
            conn.execute_batch(&format!(
                "BEGIN; DROP INDEX IF EXISTS {name}; {sql}; COMMIT;"
            ))?;
        }
    }
    Ok(())
}

/// Whether `table` has `column`.
fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |r| r.get(0),
    )
}
