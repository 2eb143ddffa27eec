//! CloudWatch Logs: log groups, their streams, and the log events in them (execution logs as
//! Step Functions writes them, and whatever `PutLogEvents` sends).
//!
//! Events are numbered by one sequence over the whole store (`seq`), which is their
//! `eventId` and the keyset of every page: a group's events are read in `(time, seq)` order
//! from one index range, a stream's from another.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Result, Store};

/// A log group.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupRec {
    /// Its name.
    pub name: String,
    /// When it was made (epoch ms).
    pub created: i64,
    /// Days its events are kept (`None`: forever).
    pub retention_days: Option<i64>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// The bytes of its events' messages.
    pub stored_bytes: i64,
}

/// A log stream.
#[derive(Debug, Clone, PartialEq)]
pub struct LogStreamRec {
    /// Its name.
    pub name: String,
    /// When it was made (epoch ms).
    pub created: i64,
    /// Its first event's time.
    pub first_event: Option<i64>,
    /// Its last event's time.
    pub last_event: Option<i64>,
    /// When its last event was written.
    pub last_ingestion: Option<i64>,
    /// The bytes of its events' messages.
    pub stored_bytes: i64,
}

/// A log event to write.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEventRec {
    /// Its log group.
    pub group: String,
    /// Its stream.
    pub stream: String,
    /// Its time (epoch ms).
    pub time: i64,
    /// Its message.
    pub message: String,
}

/// A stored log event.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEventRow {
    /// Its number (its `eventId`).
    pub seq: i64,
    /// Its stream.
    pub stream: String,
    /// Its time.
    pub time: i64,
    /// When it was written.
    pub ingestion: i64,
    /// Its message.
    pub message: String,
}

/// Which streams of a group `FilterLogEvents` reads.
#[derive(Debug, Clone, Default)]
pub enum StreamFilter {
    /// All.
    #[default]
    All,
    /// These.
    Names(Vec<String>),
    /// Those whose names start so.
    Prefix(String),
}

/// One page of a group's events: the range and where the last page stopped.
#[derive(Debug, Clone, Default)]
pub struct LogEventQuery {
    /// Events at or after this time.
    pub start: Option<i64>,
    /// Events before this time.
    pub end: Option<i64>,
    /// Events after this `(time, seq)`.
    pub after: Option<(i64, i64)>,
    /// Which streams.
    pub streams: StreamFilter,
}

impl Store {
    /// Makes a log group; `false` when one of that name exists.
    pub fn create_log_group(
        &self,
        name: &str,
        created: i64,
        tags: &BTreeMap<String, String>,
    ) -> Result<bool> {
        let tags = serde_json::to_string(tags).unwrap_or_else(|_| "{}".into());
        let n = self
            .db()
            .prepare_cached(
                "INSERT OR IGNORE INTO log_groups (name, created, tags) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![name, created, tags])?;
        Ok(n == 1)
    }

    /// Removes a log group with its streams and events; `false` when there was none.
    pub fn delete_log_group(&self, name: &str) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let n = tx
            .prepare_cached("DELETE FROM log_groups WHERE name = ?1")?
            .execute([name])?;
        tx.prepare_cached("DELETE FROM log_streams WHERE group_name = ?1")?
            .execute([name])?;
        tx.prepare_cached("DELETE FROM log_events WHERE group_name = ?1")?
            .execute([name])?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// One log group.
    pub fn log_group(&self, name: &str) -> Result<Option<LogGroupRec>> {
        let db = self.db();
        Ok(db
            .query_row(
                &format!("{SELECT_GROUP} WHERE g.name = ?1"),
                [name],
                group_row,
            )
            .optional()?)
    }

    /// Log groups whose names start with `prefix` (or contain `pattern`), after `after`, by
    /// name.
    pub fn log_groups(
        &self,
        prefix: Option<&str>,
        pattern: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<LogGroupRec>> {
        let db = self.db();
        let mut st = db.prepare_cached(&format!(
            "{SELECT_GROUP} WHERE g.name > ?1 AND (?2 IS NULL OR substr(g.name, 1, length(?2)) = ?2)
               AND (?3 IS NULL OR instr(lower(g.name), lower(?3)) > 0)
             ORDER BY g.name LIMIT ?4"
        ))?;
        let rows = st.query_map(
            params![after.unwrap_or(""), prefix, pattern, limit as i64],
            group_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets (or, with `None`, removes) a group's retention; `false` when there is no group.
    pub fn set_log_retention(&self, name: &str, days: Option<i64>) -> Result<bool> {
        let n = self
            .db()
            .prepare_cached("UPDATE log_groups SET retention = ?2 WHERE name = ?1")?
            .execute(params![name, days])?;
        Ok(n == 1)
    }

    /// Replaces a group's tags; `false` when there is no group.
    pub fn set_log_group_tags(&self, name: &str, tags: &BTreeMap<String, String>) -> Result<bool> {
        let tags = serde_json::to_string(tags).unwrap_or_else(|_| "{}".into());
        let n = self
            .db()
            .prepare_cached("UPDATE log_groups SET tags = ?2 WHERE name = ?1")?
            .execute(params![name, tags])?;
        Ok(n == 1)
    }

    /// Makes a stream; `false` when the group has one of that name.
    pub fn create_log_stream(&self, group: &str, name: &str, created: i64) -> Result<bool> {
        let n = self
            .db()
            .prepare_cached(
                "INSERT OR IGNORE INTO log_streams (group_name, name, created) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![group, name, created])?;
        Ok(n == 1)
    }

    /// Removes a stream and its events; `false` when there was none.
    pub fn delete_log_stream(&self, group: &str, name: &str) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let n = tx
            .prepare_cached("DELETE FROM log_streams WHERE group_name = ?1 AND name = ?2")?
            .execute([group, name])?;
        tx.prepare_cached("DELETE FROM log_events WHERE group_name = ?1 AND stream = ?2")?
            .execute([group, name])?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// One stream.
    pub fn log_stream(&self, group: &str, name: &str) -> Result<Option<LogStreamRec>> {
        let db = self.db();
        Ok(db
            .query_row(
                &format!("{SELECT_STREAM} WHERE group_name = ?1 AND name = ?2"),
                [group, name],
                stream_row,
            )
            .optional()?)
    }

    /// A group's streams whose names start with `prefix`, by name (after `after`), or by
    /// last event time (`by_time`, keyset `(last_event, name)`), either way up or down.
    pub fn log_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        by_time: bool,
        descending: bool,
        after: Option<(i64, &str)>,
        limit: usize,
    ) -> Result<Vec<LogStreamRec>> {
        let (cmp, dir) = if descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let (key, keyset) = if by_time {
            (
                format!("COALESCE(last_event, 0) {dir}, name {dir}"),
                format!("(COALESCE(last_event, 0), name) {cmp} (?3, ?4)"),
            )
        } else {
            (format!("name {dir}"), format!("name {cmp} ?4"))
        };
        let keyset = if after.is_some() {
            keyset
        } else {
            "?3 IS NULL AND ?4 IS NULL".to_string()
        };
        let db = self.db();
        let mut st = db.prepare_cached(&format!(
            "{SELECT_STREAM} WHERE group_name = ?1
               AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2) AND {keyset}
             ORDER BY {key} LIMIT ?5"
        ))?;
        let (t, n) = match after {
            Some((t, n)) => (Some(t), Some(n)),
            None => (None, None),
        };
        let rows = st.query_map(params![group, prefix, t, n, limit as i64], stream_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes events now (`PutLogEvents`), making their group and streams if needed.
    pub fn put_log_events(&self, events: &[LogEventRec], now: i64) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        insert_log_events(&tx, events.iter(), now)?;
        tx.commit()?;
        Ok(())
    }

    /// Up to `limit` events of a group in `(time, seq)` order.
    pub fn group_log_events(
        &self,
        group: &str,
        q: &LogEventQuery,
        limit: usize,
    ) -> Result<Vec<LogEventRow>> {
        let (after_t, after_s) = q.after.unwrap_or((i64::MIN, i64::MIN));
        let (names, prefix) = match &q.streams {
            StreamFilter::All => (None, None),
            StreamFilter::Names(n) => (
                Some(serde_json::to_string(n).unwrap_or_else(|_| "[]".into())),
                None,
            ),
            StreamFilter::Prefix(p) => (None, Some(p.as_str())),
        };
        let db = self.db();
        let mut st = db.prepare_cached(
            "SELECT seq, stream, time, ingestion, message FROM log_events
             WHERE group_name = ?1 AND time >= ?2 AND time < ?3 AND (time, seq) > (?4, ?5)
               AND (?6 IS NULL OR stream IN (SELECT value FROM json_each(?6)))
               AND (?7 IS NULL OR substr(stream, 1, length(?7)) = ?7)
             ORDER BY time, seq LIMIT ?8",
        )?;
        let rows = st.query_map(
            params![
                group,
                q.start.unwrap_or(i64::MIN),
                q.end.unwrap_or(i64::MAX),
                after_t,
                after_s,
                names,
                prefix,
                limit as i64
            ],
            event_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Up to `limit` events of one stream in `(time, seq)` order within `q`'s `[start, end)`
    /// (its `streams` unused): forward from after `q.after`, or backward from before it
    /// (then returned oldest first too).
    pub fn stream_log_events(
        &self,
        group: &str,
        stream: &str,
        q: &LogEventQuery,
        forward: bool,
        limit: usize,
    ) -> Result<Vec<LogEventRow>> {
        let (start, end, from) = (q.start, q.end, q.after);
        let db = self.db();
        let (cmp, dir, from) = if forward {
            (">", "ASC", from.unwrap_or((i64::MIN, i64::MIN)))
        } else {
            ("<", "DESC", from.unwrap_or((i64::MAX, i64::MAX)))
        };
        let mut st = db.prepare_cached(&format!(
            "SELECT seq, stream, time, ingestion, message FROM log_events
             WHERE group_name = ?1 AND stream = ?2 AND time >= ?3 AND time < ?4
               AND (time, seq) {cmp} (?5, ?6)
             ORDER BY time {dir}, seq {dir} LIMIT ?7"
        ))?;
        let rows = st.query_map(
            params![
                group,
                stream,
                start.unwrap_or(i64::MIN),
                end.unwrap_or(i64::MAX),
                from.0,
                from.1,
                limit as i64
            ],
            event_row,
        )?;
        let mut out: Vec<LogEventRow> = rows.collect::<rusqlite::Result<_>>()?;
        if !forward {
            out.reverse();
        }
        Ok(out)
    }

    /// Removes the events older than their group's retention, at `now`; returns how many.
    pub fn expire_log_events(&self, now: i64) -> Result<usize> {
        let n = self
            .db()
            .prepare_cached(
                "DELETE FROM log_events WHERE seq IN (
                 SELECT e.seq FROM log_groups g JOIN log_events e ON e.group_name = g.name
                 WHERE g.retention IS NOT NULL AND e.time < ?1 - g.retention * 86400000
                 LIMIT 10000)",
            )?
            .execute([now])?;
        Ok(n)
    }
}

/// Inserts events, making their groups and streams when missing, and updating each stream's
/// first and last times and size once per stream.
pub(super) fn insert_log_events<'a>(
    tx: &Transaction<'_>,
    events: impl Iterator<Item = &'a LogEventRec>,
    now: i64,
) -> Result<()> {
    // (group, stream) -> (first, last, bytes)
    let mut streams: BTreeMap<(&str, &str), (i64, i64, i64)> = BTreeMap::new();
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO log_events (group_name, stream, time, ingestion, message)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for e in events {
            insert.execute(params![e.group, e.stream, e.time, now, e.message])?;
            let s = streams
                .entry((e.group.as_str(), e.stream.as_str()))
                .or_insert((e.time, e.time, 0));
            s.0 = s.0.min(e.time);
            s.1 = s.1.max(e.time);
            s.2 += e.message.len() as i64;
        }
    }
    let mut group = tx.prepare_cached(
        "INSERT OR IGNORE INTO log_groups (name, created, tags) VALUES (?1, ?2, '{}')",
    )?;
    let mut stream = tx.prepare_cached(
        "INSERT INTO log_streams (group_name, name, created, first_event, last_event, last_ingestion, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6)
         ON CONFLICT (group_name, name) DO UPDATE SET
             first_event = MIN(COALESCE(first_event, excluded.first_event), excluded.first_event),
             last_event = MAX(COALESCE(last_event, excluded.last_event), excluded.last_event),
             last_ingestion = excluded.last_ingestion, bytes = bytes + excluded.bytes",
    )?;
    let mut last_group = "";
    for ((g, s), (first, last, bytes)) in streams {
        if g != last_group {
            group.execute(params![g, now])?;
            last_group = g;
        }
        stream.execute(params![g, s, now, first, last, bytes])?;
    }
    Ok(())
}

const SELECT_GROUP: &str = "SELECT g.name, g.created, g.retention, g.tags,
    (SELECT COALESCE(SUM(bytes), 0) FROM log_streams s WHERE s.group_name = g.name)
    FROM log_groups g";

const SELECT_STREAM: &str =
    "SELECT name, created, first_event, last_event, last_ingestion, bytes FROM log_streams";

fn group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogGroupRec> {
    let tags: String = r.get(3)?;
    Ok(LogGroupRec {
        name: r.get(0)?,
        created: r.get(1)?,
        retention_days: r.get(2)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        stored_bytes: r.get(4)?,
    })
}

fn stream_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogStreamRec> {
    Ok(LogStreamRec {
        name: r.get(0)?,
        created: r.get(1)?,
        first_event: r.get(2)?,
        last_event: r.get(3)?,
        last_ingestion: r.get(4)?,
        stored_bytes: r.get(5)?,
    })
}

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogEventRow> {
    Ok(LogEventRow {
        seq: r.get(0)?,
        stream: r.get(1)?,
        time: r.get(2)?,
        ingestion: r.get(3)?,
        message: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(group: &str, stream: &str, time: i64, message: &str) -> LogEventRec {
        LogEventRec {
            group: group.into(),
            stream: stream.into(),
            time,
            message: message.into(),
        }
    }

    #[test]
    fn events_make_their_group_and_stream_and_page_by_time() {
        let s = Store::open(None).unwrap();
        s.put_log_events(
            &[
                ev("/g", "b", 30, "three"),
                ev("/g", "a", 10, "one"),
                ev("/g", "a", 20, "two"),
                ev("/other", "a", 15, "x"),
            ],
            100,
        )
        .unwrap();
        let g = s.log_group("/g").unwrap().unwrap();
        assert_eq!(g.created, 100);
        assert_eq!(g.stored_bytes, 11);
        let a = s.log_stream("/g", "a").unwrap().unwrap();
        assert_eq!(
            (a.first_event, a.last_event, a.stored_bytes),
            (Some(10), Some(20), 6)
        );

        let all = s
            .group_log_events("/g", &LogEventQuery::default(), 2)
            .unwrap();
        let msgs: Vec<_> = all.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, ["one", "two"]);
        let next = LogEventQuery {
            after: Some((all[1].time, all[1].seq)),
            ..Default::default()
        };
        let rest = s.group_log_events("/g", &next, 10).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].message, "three");

        let only_b = LogEventQuery {
            streams: StreamFilter::Names(vec!["b".into()]),
            ..Default::default()
        };
        assert_eq!(s.group_log_events("/g", &only_b, 10).unwrap().len(), 1);
        let ranged = LogEventQuery {
            start: Some(15),
            end: Some(30),
            ..Default::default()
        };
        assert_eq!(s.group_log_events("/g", &ranged, 10).unwrap().len(), 1);

        let back = s
            .stream_log_events("/g", "a", &LogEventQuery::default(), false, 1)
            .unwrap();
        assert_eq!(back[0].message, "two");
        assert!(s.delete_log_group("/g").unwrap());
        assert!(
            s.group_log_events("/g", &LogEventQuery::default(), 10)
                .unwrap()
                .is_empty()
        );
        assert!(s.log_stream("/g", "a").unwrap().is_none());
    }

    #[test]
    fn retention_removes_only_old_events_of_groups_that_have_one() {
        let s = Store::open(None).unwrap();
        let day = 86_400_000;
        s.put_log_events(
            &[ev("/kept", "s", 0, "old"), ev("/short", "s", 0, "old")],
            0,
        )
        .unwrap();
        s.put_log_events(&[ev("/short", "s", 5 * day, "new")], 5 * day)
            .unwrap();
        assert!(s.set_log_retention("/short", Some(1)).unwrap());
        assert_eq!(s.expire_log_events(5 * day).unwrap(), 1);
        let left = s
            .group_log_events("/short", &LogEventQuery::default(), 10)
            .unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].message, "new");
        assert_eq!(
            s.group_log_events("/kept", &LogEventQuery::default(), 10)
                .unwrap()
                .len(),
            1
        );
    }
}
