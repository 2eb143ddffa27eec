//! Tags of state machines, versions, aliases and activities.

use rusqlite::params;

use super::{Result, Store};

impl Store {
    /// A resource's tags in key order.
    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        let db = self.db();
        let mut st =
            db.prepare_cached("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY key")?;
        let rows = st.query_map([arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds or overwrites tags.
    pub fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for (k, v) in tags {
            tx.prepare_cached("INSERT OR REPLACE INTO tags VALUES (?1, ?2, ?3)")?
                .execute(params![arn, k, v])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes tags.
    pub fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for k in keys {
            tx.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2")?
                .execute(params![arn, k])?;
        }
        tx.commit()?;
        Ok(())
    }
}
