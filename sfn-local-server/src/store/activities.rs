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
    /// Creates an activity with its tags unless one with its ARN exists, in one transaction
    /// (two concurrent creates of one name cannot both insert): the existing one, if any,
    /// which is left as it is (its tags too).
    pub fn create_activity(
        &self,
        a: &ActivityRec,
        tags: &[(String, String)],
    ) -> Result<Option<ActivityRec>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let existing = tx
            .prepare_cached("SELECT * FROM activities WHERE arn = ?1")?
            .query_row([&a.arn], activity_row)
            .optional()?;
        if existing.is_none() {
            tx.prepare_cached("INSERT INTO activities VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![a.arn, a.name, a.created, a.encryption.to_string()])?;
            for (k, v) in tags {
                tx.prepare_cached("INSERT OR REPLACE INTO tags VALUES (?1, ?2, ?3)")?
                    .execute(params![a.arn, k, v])?;
            }
        }
        tx.commit()?;
        Ok(existing)
    }

    /// One activity.
    pub fn activity(&self, arn: &str) -> Result<Option<ActivityRec>> {
        Ok(self
            .db()
            .prepare_cached("SELECT * FROM activities WHERE arn = ?1")?
            .query_row([arn], activity_row)
            .optional()?)
    }

    /// The activities whose ARN starts with `prefix` (one region's, an account's), oldest
    /// first.
    pub fn activities(&self, prefix: &str) -> Result<Vec<ActivityRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(
            "SELECT * FROM activities WHERE substr(arn, 1, length(?1)) = ?1 ORDER BY created, arn",
        )?;
        let rows = st.query_map([prefix], activity_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes an activity and its tags (nothing when there is none).
    pub fn delete_activity(&self, arn: &str) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("DELETE FROM activities WHERE arn = ?1")?
            .execute([arn])?;
        tx.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1")?
            .execute([arn])?;
        tx.commit()?;
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
