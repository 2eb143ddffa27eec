//! Activities.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Result, Store, json_col};

/// An activity.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRec {
    pub arn: String,
    pub name: String,
    pub created: i64,
    pub encryption: Value,
}

impl Store {
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

    /// The activities whose ARN starts with `prefix` (one region's, an account's), oldest
    /// first.
    pub fn activities(&self, prefix: &str) -> Result<Vec<ActivityRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM activities WHERE substr(arn, 1, length(?1)) = ?1 ORDER BY created, arn",
        )?;
        let rows = st.query_map([prefix], activity_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes an activity and its tags.
    pub fn delete_activity(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM activities WHERE arn = ?1", [arn])?;
        db.execute("DELETE FROM tags WHERE resource_arn = ?1", [arn])?;
        Ok(())
    }
}

fn activity_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityRec> {
    Ok(ActivityRec {
        arn: r.get(0)?,
        name: r.get(1)?,
        created: r.get(2)?,
        encryption: json_col(r.get(3)?),
    })
}
