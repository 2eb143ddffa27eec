//! Map runs, each stored as its DescribeMapRun JSON.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Result, Store, json_col};

impl Store {
    /// Inserts or replaces a map run (its DescribeMapRun JSON).
    pub fn put_map_run(&self, arn: &str, execution_arn: &str, run: &Value) -> Result<()> {
        self.db()
            .prepare_cached("INSERT OR REPLACE INTO map_runs VALUES (?1, ?2, ?3)")?
            .execute(params![arn, execution_arn, run.to_string()])?;
        Ok(())
    }

    /// One map run.
    pub fn map_run(&self, arn: &str) -> Result<Option<Value>> {
        Ok(self
            .db()
            .prepare_cached("SELECT run FROM map_runs WHERE arn = ?1")?
            .query_row([arn], |r| r.get::<_, String>(0))
            .optional()?
            .map(json_col))
    }

    /// An execution's map runs, oldest first.
    pub fn map_runs(&self, execution_arn: &str) -> Result<Vec<Value>> {
        let db = self.db();
        let mut st =
            db.prepare_cached("SELECT run FROM map_runs WHERE execution_arn = ?1 ORDER BY rowid")?;
        let rows = st.query_map([execution_arn], |r| r.get::<_, String>(0))?;
        Ok(rows
            .map(|r| r.map(json_col))
            .collect::<rusqlite::Result<_>>()?)
    }
}
