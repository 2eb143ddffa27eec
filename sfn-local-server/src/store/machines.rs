//! State machines, their published versions and their aliases.

use asl_interpreter::ExecutionType;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Result, Store, enum_col, json_col};
use crate::kinds::ApiEnum;

/// A state machine (its current revision).
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineRec {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: ExecutionType,
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
    pub kind: ExecutionType,
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

impl Store {
    /// Inserts or replaces a state machine.
    pub fn put_state_machine(&self, r: &StateMachineRec) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO state_machines VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![
                r.arn, r.name, r.kind.api_name(), r.definition, r.role_arn, r.created, r.updated,
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

    /// The state machines whose ARN starts with `prefix` (one region's, an account's), oldest
    /// first.
    pub fn state_machines(&self, prefix: &str) -> Result<Vec<StateMachineRec>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT * FROM state_machines WHERE substr(arn, 1, length(?1)) = ?1 ORDER BY created, arn",
        )?;
        let rows = st.query_map([prefix], sm_row)?;
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
                v.kind.api_name(),
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
}

fn sm_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StateMachineRec> {
    Ok(StateMachineRec {
        arn: r.get(0)?,
        name: r.get(1)?,
        kind: enum_col(r, 2)?,
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
        kind: enum_col(r, 4)?,
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub(in crate::store) fn sm(arn: &str) -> StateMachineRec {
        StateMachineRec {
            arn: arn.into(),
            name: "m".into(),
            kind: ExecutionType::Standard,
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
}
