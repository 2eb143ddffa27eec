//! Messages the messaging integrations recorded (SNS, SQS, EventBridge).

use rusqlite::params;
use serde_json::Value;

use super::{Result, Store, json_col};

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

impl Store {
    /// Recorded messages, oldest first, optionally of one service.
    pub fn records(&self, service: Option<&str>) -> Result<Vec<RecordRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(
            "SELECT id, service, target, payload, time, execution_arn, state_name FROM records WHERE (?1 IS NULL OR service = ?1) ORDER BY seq",
        )?;
        let rows = st.query_map([service], record_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The newest messages, for the console and [`crate::service::Service::messages`].
impl Store {
    /// The newest `limit` records, of one service or all, newest first.
    pub fn recent_records(&self, service: Option<&str>, limit: usize) -> Result<Vec<RecordRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(
            "SELECT id, service, target, payload, time, execution_arn, state_name FROM records
             WHERE (?1 IS NULL OR service = ?1) ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![service, limit as i64], record_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The metric counters (`/metrics`), which survive a restart.
impl Store {
    /// Every counter: its key (name and labels) and value.
    pub fn metrics(&self) -> Result<Vec<(String, f64)>> {
        let db = self.db();
        let mut st = db.prepare_cached("SELECT key, value FROM metrics ORDER BY key")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRec> {
    Ok(RecordRec {
        id: r.get(0)?,
        service: r.get(1)?,
        target: r.get(2)?,
        payload: json_col(r.get(3)?),
        time: r.get(4)?,
        execution_arn: r.get(5)?,
        state_name: r.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::WriteOp;

    fn record(id: &str, time: i64) -> RecordRec {
        RecordRec {
            id: id.into(),
            service: "sqs".into(),
            target: "q".into(),
            payload: json!({"n": id}),
            time,
            execution_arn: None,
            state_name: None,
        }
    }

    /// A database whose `records.seq` was AUTOINCREMENT gets the plain table on open: the
    /// rows kept, in their order, and a new record after them.
    #[test]
    fn records_lose_autoincrement_and_keep_their_order() {
        let db = crate::store::ScratchDb::new("records");
        let path = db.0.clone();
        {
            let old = rusqlite::Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE records (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT NOT NULL,
                    target TEXT NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL,
                    execution_arn TEXT, state_name TEXT
                );
                INSERT INTO records (seq, id, service, target, payload, time)
                    VALUES (7, 'b', 'sqs', 'q', '{\"n\":\"b\"}', 2), (3, 'a', 'sqs', 'q', '{\"n\":\"a\"}', 1);",
            )
            .unwrap();
        }
        for _ in 0..2 {
            let s = Store::open(Some(&path)).unwrap();
            let sql: String = s
                .db()
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE name = 'records'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(!sql.contains("AUTOINCREMENT"), "{sql}");
            let ids: Vec<String> = s.records(None).unwrap().into_iter().map(|r| r.id).collect();
            assert_eq!(ids[..2], ["a", "b"]);
            s.apply(&[WriteOp::Record(record(&format!("new{}", ids.len()), 3))])
                .unwrap();
        }
        let s = Store::open(Some(&path)).unwrap();
        let ids: Vec<String> = s.records(None).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["a", "b", "new2", "new3"]);
        drop(s);
    }
}
