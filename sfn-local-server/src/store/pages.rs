//! Pages of the long lists — a state machine's or a map run's executions, an execution's
//! history — read straight from the database: each page is one indexed range read that starts
//! where the previous page ended (a keyset, never an offset), so a page costs the same on an
//! empty store and on one with 100,000 executions, and executions started between two pages
//! neither repeat nor go missing.
//!
//! Only the columns a list shows are read: an execution's input and output (up to 256 KiB
//! each) stay on disk.

use asl_interpreter::Status;
use serde_json::Value;

use super::executions::{event_id, event_key, event_keys, seq_of_arn};
use super::{Result, Store, enum_col, json_col};
use crate::kinds::ApiEnum;

/// Whose executions a page lists.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// A state machine's, with its versions' and aliases' (its ARN without qualifier).
    Machine(&'a str),
    /// A map run's child workflow executions.
    MapRun(&'a str),
}

/// Which executions a page lists, newest first.
#[derive(Debug, Clone, Copy)]
pub struct ExecutionQuery<'a> {
    /// Whose.
    pub parent: Parent<'a>,
    /// Only in this status.
    pub status: Option<Status>,
    /// Only those started through this version ARN.
    pub version_arn: Option<&'a str>,
    /// Only those started through this alias ARN.
    pub alias_arn: Option<&'a str>,
    /// Only those redriven at least once (`true`) or never (`false`).
    pub redriven: Option<bool>,
    /// Only those older than this position (the previous page's last).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: usize,
}

impl<'a> ExecutionQuery<'a> {
    /// All of `parent`'s executions, newest first, with no filter.
    pub fn all(parent: Parent<'a>) -> Self {
        ExecutionQuery {
            parent,
            status: None,
            version_arn: None,
            alias_arn: None,
            redriven: None,
            before: None,
            limit: i64::MAX as usize,
        }
    }
}

/// What a list shows of an execution.
#[allow(missing_docs)] // the fields are the API members of the same names
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionSummary {
    /// The execution's position among all executions (the page cursor).
    pub seq: i64,
    pub arn: String,
    pub sm_arn: String,
    pub name: String,
    pub status: Status,
    pub start: i64,
    pub stop: Option<i64>,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    pub redrive_count: u32,
    pub redrive_date: Option<i64>,
    pub item_count: Option<u32>,
}

/// Which events of a history a page holds.
#[derive(Debug, Clone, Copy)]
pub struct EventQuery<'a> {
    /// The execution.
    pub execution_arn: &'a str,
    /// Newest first.
    pub reverse: bool,
    /// Only events after this id (before it, newest first).
    pub from: Option<i64>,
    /// At most this many.
    pub limit: usize,
}

impl Store {
    /// One page of executions: `q.limit` at most, newest first.
    pub fn execution_page(&self, q: &ExecutionQuery<'_>) -> Result<Vec<ExecutionSummary>> {
        let (sql, args) = page_statement(q);
        let db = self.db();
        let mut st = db.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(ExecutionSummary {
                seq: r.get(0)?,
                arn: r.get(1)?,
                sm_arn: r.get(2)?,
                name: r.get(3)?,
                status: enum_col(r, 4)?,
                start: r.get(5)?,
                stop: r.get(6)?,
                version_arn: r.get(7)?,
                alias_arn: r.get(8)?,
                redrive_count: r.get(9)?,
                redrive_date: r.get(10)?,
                item_count: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One page of a stored history: `q.limit` events at most, each with its id.
    pub fn event_page(&self, q: &EventQuery<'_>) -> Result<Vec<(i64, Value)>> {
        // One execution's range of keys, from the cursor (`?3`) when there is one.
        macro_rules! page {
            ($from:expr, $order:literal) => {
                concat!(
                    "SELECT ",
                    event_id!(),
                    ", event FROM events WHERE ",
                    event_keys!(seq_of_arn!()),
                    $from,
                    " ORDER BY key ",
                    $order,
                    " LIMIT ?2"
                )
            };
        }
        let sql = match (q.reverse, q.from.is_some()) {
            (false, false) => page!("", "ASC"),
            (false, true) => page!(
                concat!(" AND key > ", event_key!(seq_of_arn!(), "?3")),
                "ASC"
            ),
            (true, false) => page!("", "DESC"),
            (true, true) => page!(
                concat!(" AND key < ", event_key!(seq_of_arn!(), "?3")),
                "DESC"
            ),
        };
        let db = self.db();
        let mut st = db.prepare_cached(sql)?;
        let limit = q.limit as i64;
        let map = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, json_col(r.get(1)?)));
        let rows: Vec<(i64, Value)> = match q.from {
            Some(from) => st
                .query_map(rusqlite::params![q.execution_arn, limit, from], map)?
                .collect::<rusqlite::Result<_>>()?,
            None => st
                .query_map(rusqlite::params![q.execution_arn, limit], map)?
                .collect::<rusqlite::Result<_>>()?,
        };
        Ok(rows)
    }
}

/// The statement that reads a page of executions, and its arguments.
fn page_statement(q: &ExecutionQuery<'_>) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from(
        "SELECT seq, arn, sm_arn, name, status, start, stop, version_arn, alias_arn,
         redrive_count, redrive_date, item_count FROM executions WHERE ",
    );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let status = q.status.map(Status::api_name);
    let limit = q.limit as i64;
    match &q.parent {
        Parent::Machine(arn) => {
            sql.push_str("sm_arn = ?");
            args.push(arn.to_string().into());
        }
        Parent::MapRun(arn) => {
            sql.push_str("map_run_arn = ?");
            args.push(arn.to_string().into());
        }
    }
    // Each filter is its own equality, so the planner picks the index it matches. The
    // status is written as a literal (one of the API's names), with the condition of the
    // partial index that holds it (`store/schema.rs`, INDEXES).
    match status {
        Some("RUNNING") => sql.push_str(" AND status = 'RUNNING'"),
        Some(s) => {
            sql.push_str(" AND status = '");
            sql.push_str(s);
            sql.push_str("' AND status != 'RUNNING'");
        }
        None => {}
    }
    if let Some(v) = &q.version_arn {
        sql.push_str(" AND version_arn = ?");
        args.push(v.to_string().into());
    }
    if let Some(a) = &q.alias_arn {
        sql.push_str(" AND alias_arn = ?");
        args.push(a.to_string().into());
    }
    match q.redriven {
        Some(true) => sql.push_str(" AND redrive_count > 0"),
        Some(false) => sql.push_str(" AND redrive_count = 0"),
        None => {}
    }
    if let Some(b) = &q.before {
        sql.push_str(" AND seq < ?");
        args.push((*b).into());
    }
    sql.push_str(" ORDER BY seq DESC LIMIT ?");
    args.push(limit.into());
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ExecutionRec;
    use crate::store::executions::test_rec;

    fn rec(i: usize, status: Status, redrives: u32) -> ExecutionRec {
        ExecutionRec {
            start: i as i64,
            version_arn: i.is_multiple_of(3).then(|| "arn:sm:1".to_string()),
            redrive_count: redrives,
            ..test_rec(&format!("arn:e{i}"), "arn:sm", status)
        }
    }

    fn query(before: Option<i64>) -> ExecutionQuery<'static> {
        ExecutionQuery {
            before,
            limit: 4,
            ..ExecutionQuery::all(Parent::Machine("arn:sm"))
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats_and_filters_hold() {
        let s = Store::open(None).unwrap();
        for i in 0..10 {
            let status = if i % 2 == 0 {
                Status::Succeeded
            } else {
                Status::Failed
            };
            s.insert_execution_unless_exists(&rec(i, status, (i % 4 == 1) as u32))
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = s.execution_page(&query(before)).unwrap();
            if page.is_empty() {
                break;
            }
            before = page.last().map(|e| e.seq);
            seen.extend(page.into_iter().map(|e| e.name));
        }
        let all: Vec<String> = (0..10).rev().map(|i| format!("e{i}")).collect();
        assert_eq!(seen, all);

        let failed = ExecutionQuery {
            status: Some(Status::Failed),
            limit: 100,
            ..query(None)
        };
        let names: Vec<String> = s
            .execution_page(&failed)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["e9", "e7", "e5", "e3", "e1"]);
        let redriven = ExecutionQuery {
            redriven: Some(true),
            limit: 100,
            ..query(None)
        };
        let names: Vec<String> = s
            .execution_page(&redriven)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["e9", "e5", "e1"]);
        let version = ExecutionQuery {
            version_arn: Some("arn:sm:1"),
            redriven: Some(false),
            limit: 100,
            ..query(None)
        };
        let names: Vec<String> = s
            .execution_page(&version)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["e6", "e3", "e0"]);
    }

    /// Every page reads one index range: a machine's executions, its running ones, its ended
    /// ones in a status, a map run's children; never a scan of the table.
    #[test]
    fn every_page_searches_the_index_its_filter_matches() {
        let s = Store::open(None).unwrap();
        let plan = |q: &ExecutionQuery<'_>| -> String {
            let (sql, args) = page_statement(q);
            let db = s.db();
            let mut st = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            st.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap()
                .join("; ")
        };
        let mut cases = vec![(None, "executions_by_sm ")];
        for status in Status::ALL.iter().copied() {
            let index = if status == Status::Running {
                "executions_running "
            } else {
                "executions_by_sm_status "
            };
            cases.push((Some(status), index));
        }
        for (status, index) in cases {
            for before in [None, Some(40)] {
                let q = ExecutionQuery {
                    status,
                    before,
                    limit: 100,
                    ..ExecutionQuery::all(Parent::Machine("arn:sm"))
                };
                let p = plan(&q);
                assert!(
                    p.starts_with("SEARCH executions USING INDEX "),
                    "{status:?}: {p}"
                );
                assert!(p.contains(index), "{status:?}: {p}");
                for filtered in [
                    ExecutionQuery {
                        version_arn: Some("arn:sm:1"),
                        ..q
                    },
                    ExecutionQuery {
                        alias_arn: Some("arn:sm:a"),
                        ..q
                    },
                    ExecutionQuery {
                        redriven: Some(true),
                        ..q
                    },
                    ExecutionQuery {
                        parent: Parent::MapRun("arn:run"),
                        ..q
                    },
                ] {
                    let p = plan(&filtered);
                    assert!(
                        p.starts_with("SEARCH executions USING "),
                        "{filtered:?}: {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn event_pages_run_both_ways_from_a_cursor() {
        let s = Store::open(None).unwrap();
        // Its neighbours' events are not its own.
        for arn in ["arn:before", "arn:e", "arn:after"] {
            s.insert_execution_unless_exists(&test_rec(arn, "arn:sm", Status::Running))
                .unwrap();
            let db = s.db();
            for id in 1..=7 {
                db.prepare_cached(crate::store::executions::INSERT_EVENT)
                    .unwrap()
                    .execute(rusqlite::params![arn, id, format!("{{\"id\":{id}}}")])
                    .unwrap();
            }
        }
        let ids = |reverse, from| -> Vec<i64> {
            s.event_page(&EventQuery {
                execution_arn: "arn:e",
                reverse,
                from,
                limit: 3,
            })
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect()
        };
        assert_eq!(ids(false, None), [1, 2, 3]);
        assert_eq!(ids(false, Some(3)), [4, 5, 6]);
        assert_eq!(ids(false, Some(6)), [7]);
        assert_eq!(ids(true, None), [7, 6, 5]);
        assert_eq!(ids(true, Some(5)), [4, 3, 2]);
        assert_eq!(ids(true, Some(2)), [1]);
    }
}
