//! State machines, their published versions and their aliases.

use asl_interpreter::ExecutionType;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Result, Store, enum_col, json_col};
use crate::kinds::ApiEnum;

/// The prefix of the internal revision id a state machine gets when it is created.
///
/// AWS gives a state machine no `revisionId` until its first update ("The first revision ID
/// when you create the state machine is null", DescribeStateMachineForExecution), yet the
/// definition cache keys on a revision id, so the first revision gets a unique id that the
/// API does not show: [`api_revision`] reads it as none.
const INITIAL_REVISION: &str = "initial:";

/// A fresh internal id for a state machine's first revision.
pub fn initial_revision() -> String {
    format!("{INITIAL_REVISION}{}", uuid::Uuid::new_v4())
}

/// The `revisionId` the API shows for an internal revision id: none for a first revision.
pub fn api_revision(id: &str) -> Option<&str> {
    (!id.starts_with(INITIAL_REVISION)).then_some(id)
}

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

impl VersionRec {
    /// The next version of `m` as it is now (number `m.next_version`, its definition,
    /// revision and configuration), published at `created` (epoch milliseconds).
    pub fn next_of(m: &StateMachineRec, created: i64, description: Option<&str>) -> VersionRec {
        VersionRec {
            arn: asl_core::arn::version(&m.arn, m.next_version),
            sm_arn: m.arn.clone(),
            version: m.next_version,
            name: m.name.clone(),
            kind: m.kind,
            definition: m.definition.clone(),
            role_arn: m.role_arn.clone(),
            created,
            revision_id: m.revision_id.clone(),
            description: description.map(str::to_string),
            logging: m.logging.clone(),
            tracing: m.tracing.clone(),
            encryption: m.encryption.clone(),
        }
    }
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
        write_machine(&self.db(), r)?;
        Ok(())
    }

    /// One state machine.
    pub fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRec>> {
        Ok(self
            .db()
            .prepare_cached("SELECT * FROM state_machines WHERE arn = ?1")?
            .query_row([arn], sm_row)
            .optional()?)
    }

    /// The state machines whose ARN starts with `prefix` (one region's, an account's), oldest
    /// first.
    pub fn state_machines(&self, prefix: &str) -> Result<Vec<StateMachineRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(
            "SELECT * FROM state_machines WHERE substr(arn, 1, length(?1)) = ?1 ORDER BY created, arn",
        )?;
        let rows = st.query_map([prefix], sm_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a state machine with its versions, aliases and their tags.
    pub fn delete_state_machine(&self, arn: &str) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        // Its versions' and aliases' ARNs start with `arn:` (compared as text: `LIKE` would
        // read a `_` in the name as a wildcard).
        let qualified = format!("{arn}:");
        tx.prepare_cached("DELETE FROM state_machines WHERE arn = ?1")?
            .execute([arn])?;
        tx.prepare_cached("DELETE FROM versions WHERE sm_arn = ?1")?
            .execute([arn])?;
        tx.prepare_cached("DELETE FROM aliases WHERE sm_arn = ?1")?
            .execute([arn])?;
        tx.prepare_cached(
            "DELETE FROM tags WHERE resource_arn = ?1
             OR substr(resource_arn, 1, length(?2)) = ?2",
        )?
        .execute(params![arn, qualified])?;
        tx.commit()?;
        Ok(())
    }

    /// One version.
    pub fn version(&self, arn: &str) -> Result<Option<VersionRec>> {
        Ok(self
            .db()
            .prepare_cached("SELECT * FROM versions WHERE arn = ?1")?
            .query_row([arn], version_row)
            .optional()?)
    }

    /// A state machine's versions, newest first.
    pub fn versions(&self, sm_arn: &str) -> Result<Vec<VersionRec>> {
        let db = self.db();
        let mut st =
            db.prepare_cached("SELECT * FROM versions WHERE sm_arn = ?1 ORDER BY version DESC")?;
        let rows = st.query_map([sm_arn], version_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a version.
    pub fn delete_version(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.prepare_cached("DELETE FROM versions WHERE arn = ?1")?
            .execute([arn])?;
        db.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1")?
            .execute([arn])?;
        Ok(())
    }

    /// Inserts or replaces an alias.
    pub fn put_alias(&self, a: &AliasRec) -> Result<()> {
        self.db()
            .prepare_cached("INSERT OR REPLACE INTO aliases VALUES (?1,?2,?3,?4,?5,?6,?7)")?
            .execute(params![
                a.arn,
                a.sm_arn,
                a.name,
                a.description,
                a.routing.to_string(),
                a.created,
                a.updated
            ])?;
        Ok(())
    }

    /// One alias.
    pub fn alias(&self, arn: &str) -> Result<Option<AliasRec>> {
        Ok(self
            .db()
            .prepare_cached("SELECT * FROM aliases WHERE arn = ?1")?
            .query_row([arn], alias_row)
            .optional()?)
    }

    /// A state machine's aliases, newest first.
    pub fn aliases(&self, sm_arn: &str) -> Result<Vec<AliasRec>> {
        let db = self.db();
        let mut st = db
            .prepare_cached("SELECT * FROM aliases WHERE sm_arn = ?1 ORDER BY created DESC, arn")?;
        let rows = st.query_map([sm_arn], alias_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes an alias.
    pub fn delete_alias(&self, arn: &str) -> Result<()> {
        let db = self.db();
        db.prepare_cached("DELETE FROM aliases WHERE arn = ?1")?
            .execute([arn])?;
        db.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1")?
            .execute([arn])?;
        Ok(())
    }
}

/// Writes a state machine's whole row (a new one, or over an existing one).
fn write_machine(db: &rusqlite::Connection, r: &StateMachineRec) -> rusqlite::Result<usize> {
    db.prepare_cached(
        "INSERT OR REPLACE INTO state_machines VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    )?
    .execute(params![
        r.arn,
        r.name,
        r.kind.api_name(),
        r.definition,
        r.role_arn,
        r.created,
        r.updated,
        r.revision_id,
        r.description,
        r.logging.to_string(),
        r.tracing.to_string(),
        r.encryption.to_string(),
        r.next_version as i64
    ])
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

/// For concurrent requests (issue 16, family 9): the store decides which of two requests for
/// one name creates it, so two at once answer what one would.
impl Store {
    /// Creates a state machine with its tags unless one with its ARN exists, in one
    /// transaction: the existing one, if any, left as it is (CreateStateMachine then answers
    /// it when its configuration is the request's, `StateMachineAlreadyExists` otherwise).
    pub fn create_state_machine(
        &self,
        r: &StateMachineRec,
        tags: &[(String, String)],
    ) -> Result<Option<StateMachineRec>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let existing = tx
            .prepare_cached("SELECT * FROM state_machines WHERE arn = ?1")?
            .query_row([&r.arn], sm_row)
            .optional()?;
        if existing.is_none() {
            write_machine(&tx, r)?;
            for (k, v) in tags {
                tx.prepare_cached("INSERT OR REPLACE INTO tags VALUES (?1, ?2, ?3)")?
                    .execute(params![r.arn, k, v])?;
            }
        }
        tx.commit()?;
        Ok(existing)
    }

    /// Publishes the current revision of the state machine `sm_arn` as its next version, in
    /// one transaction: `make` builds the version from the machine as it is at that moment
    /// (its `next_version`, definition, revision). When the newest version already has that
    /// revision, nothing is published and that version is answered (`false`); `None` when the
    /// state machine does not exist.
    pub fn publish_current(
        &self,
        sm_arn: &str,
        make: impl FnOnce(&StateMachineRec) -> VersionRec,
    ) -> Result<Option<(VersionRec, bool)>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let Some(sm) = tx
            .prepare_cached("SELECT * FROM state_machines WHERE arn = ?1")?
            .query_row([sm_arn], sm_row)
            .optional()?
        else {
            return Ok(None);
        };
        let newest = tx
            .prepare_cached(
                "SELECT * FROM versions WHERE sm_arn = ?1 ORDER BY version DESC LIMIT 1",
            )?
            .query_row([sm_arn], version_row)
            .optional()?;
        if let Some(v) = newest
            && v.revision_id == sm.revision_id
        {
            return Ok(Some((v, false)));
        }
        let v = make(&sm);
        tx.prepare_cached(
            "INSERT INTO versions VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
        )?
        .execute(params![
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
        ])?;
        tx.prepare_cached("UPDATE state_machines SET next_version = ?2 WHERE arn = ?1")?
            .execute(params![v.sm_arn, v.version as i64 + 1])?;
        tx.commit()?;
        Ok(Some((v, true)))
    }
}

#[cfg(test)]
mod arbiter_tests {
    use std::sync::{Arc, Barrier};

    use super::tests::sm;
    use super::*;

    /// `n` threads at once, each running `f`.
    fn at_once<T: Send + 'static>(
        n: usize,
        f: impl Fn(usize) -> T + Send + Sync + 'static,
    ) -> Vec<T> {
        let (b, f) = (Arc::new(Barrier::new(n)), Arc::new(f));
        let hs: Vec<_> = (0..n)
            .map(|i| {
                let (b, f) = (b.clone(), f.clone());
                std::thread::spawn(move || {
                    b.wait();
                    f(i)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    }

    #[test]
    fn one_of_many_creates_inserts() {
        let s = Arc::new(Store::open(None).unwrap());
        let store = s.clone();
        let got = at_once(8, move |i| {
            let mut r = sm("arn:sm:a");
            r.created = i as i64;
            store.create_state_machine(&r, &[]).unwrap()
        });
        assert_eq!(got.iter().filter(|e| e.is_none()).count(), 1);
        let kept = s.state_machine("arn:sm:a").unwrap().unwrap();
        assert!(got.iter().flatten().all(|e| *e == kept));
    }

    #[test]
    fn one_of_many_publishes_inserts() {
        let s = Arc::new(Store::open(None).unwrap());
        s.put_state_machine(&sm("arn:sm:a")).unwrap();
        let store = s.clone();
        let got = at_once(8, move |_| {
            store
                .publish_current("arn:sm:a", |m| VersionRec::next_of(m, 1, None))
                .unwrap()
                .unwrap()
        });
        assert_eq!(got.iter().filter(|(_, new)| *new).count(), 1);
        assert!(got.iter().all(|(v, _)| v.arn == "arn:sm:a:1"));
        assert_eq!(s.versions("arn:sm:a").unwrap().len(), 1);
        assert_eq!(
            s.publish_current("arn:sm:none", |_| unreachable!())
                .unwrap(),
            None
        );
    }
}
