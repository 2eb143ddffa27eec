//! The writer thread: history events, execution ends, map runs and recorded messages, queued
//! while executions run and committed in batches.

use std::sync::{Arc, mpsc};

use rusqlite::params;

use super::executions::{INSERT_EVENT, INSERT_EXECUTION, execute_with};
use super::logs::insert_log_events;
use super::{ExecutionRec, LogEventRec, RecordRec, Result, Store};
use crate::kinds::ApiEnum;

/// A write queued for the writer thread.
#[derive(Debug)]
pub enum WriteOp {
    /// One history event (its JSON text).
    Event {
        /// The execution.
        execution_arn: Arc<str>,
        /// The event id.
        id: u64,
        /// The event's JSON text.
        event: String,
    },
    /// An execution's end.
    Finish(ExecutionRec),
    /// A map run's child workflow execution, inserted when it starts, updated when it ends.
    Child(ExecutionRec),
    /// A map run (its DescribeMapRun JSON text), inserted or replaced.
    MapRun {
        /// The map run.
        arn: String,
        /// The execution that runs it.
        execution_arn: String,
        /// Its DescribeMapRun JSON text.
        run: String,
    },
    /// A recorded message.
    Record(RecordRec),
    /// A log event (execution logs), its group and stream made when missing.
    Log(LogEventRec),
    /// Metric counters to add to (name and labels as `/metrics` writes them, the amount).
    Metrics(Vec<(String, f64)>),
    /// Signals once everything queued before it is committed.
    Ack(tokio::sync::oneshot::Sender<()>),
}

/// How often the writer thread checkpoints the WAL at most when it stays under `WAL_LIMIT`
/// (SQLite's own default was every 1,000 pages, 4 MB, which W5 writes several times a second).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// The writer thread: drains the queue and commits what it finds in one transaction, so a
/// burst of events costs one commit.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<WriteOp>,
}

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Writer {
        Self::start_checkpointing(store, CHECKPOINT_EVERY, super::WAL_LIMIT)
    }

    /// [`Writer::start`], checkpointing every `every` at most, or when the WAL is larger than
    /// `limit` bytes.
    fn start_checkpointing(store: Store, every: std::time::Duration, limit: u64) -> Writer {
        let (tx, rx) = mpsc::channel::<WriteOp>();
        std::thread::Builder::new()
            .name("sfn-local-writer".into())
            .spawn(move || {
                let checkpointer = store.checkpointer();
                let wal = store.wal_path();
                let mut last_checkpoint = std::time::Instant::now();
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < 4096 {
                        match rx.try_recv() {
                            Ok(op) => batch.push(op),
                            Err(_) => break,
                        }
                    }
                    if let Err(e) = store.apply(&batch) {
                        tracing::error!(error = %e, "history write failed");
                    }
                    for op in batch {
                        if let WriteOp::Ack(done) = op {
                            let _ = done.send(());
                        }
                    }
                    // The store's connection never checkpoints (see `Store::open`): the WAL is
                    // copied into the database from here, after a batch, while requests go on
                    // on the other connection: every CHECKPOINT_EVERY at most, or at once when
                    // the WAL has grown past WAL_LIMIT (thousands of small commits a second
                    // write tens of MB of pages between two timed checkpoints).
                    let grown = || {
                        wal.as_ref()
                            .and_then(|p| std::fs::metadata(p).ok())
                            .is_some_and(|m| m.len() > limit)
                    };
                    if let Some(c) = &checkpointer
                        && (last_checkpoint.elapsed() >= every || grown())
                    {
                        if let Err(e) =
                            c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        {
                            tracing::warn!(error = %e, "checkpoint failed");
                        }
                        last_checkpoint = std::time::Instant::now();
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the writer thread"));
        Writer { tx }
    }

    /// Queues a write.
    pub fn send(&self, op: WriteOp) {
        let _ = self.tx.send(op);
    }

    /// Waits until everything queued so far is committed (from a plain thread).
    pub fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(WriteOp::Ack(tx)).is_ok() {
            let _ = rx.blocking_recv();
        }
    }

    /// Waits until everything queued so far is committed.
    pub async fn flush_async(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(WriteOp::Ack(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

impl Store {
    /// Applies a batch of writes in one transaction.
    pub fn apply(&self, ops: &[WriteOp]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        // Metric counters are summed over the batch first: one update per counter, however
        // many executions the batch closes.
        let mut metrics: std::collections::BTreeMap<&str, f64> = Default::default();
        for op in ops {
            match op {
                WriteOp::Event {
                    execution_arn,
                    id,
                    event,
                } => {
                    tx.prepare_cached(INSERT_EVENT)?.execute(params![
                        execution_arn,
                        *id as i64,
                        event
                    ])?;
                }
                WriteOp::Finish(e) => {
                    tx.prepare_cached(
                        "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stop = ?6 WHERE arn = ?1")?.execute(
                        params![e.arn, e.status.api_name(), e.output, e.error, e.cause, e.stop],
                    )?;
                }
                WriteOp::Child(e) => {
                    let sql = format!(
                        "{INSERT_EXECUTION} ON CONFLICT (arn) DO UPDATE SET status = excluded.status,
                             output = excluded.output, error = excluded.error,
                             cause = excluded.cause, stop = excluded.stop"
                    );
                    execute_with(&tx, &sql, e)?;
                }
                WriteOp::MapRun {
                    arn,
                    execution_arn,
                    run,
                } => {
                    tx.prepare_cached("INSERT OR REPLACE INTO map_runs VALUES (?1, ?2, ?3)")?
                        .execute(params![arn, execution_arn, run])?;
                }
                WriteOp::Record(r) => {
                    tx.prepare_cached(
                        "INSERT INTO records (id, service, target, payload, time, execution_arn, state_name) VALUES (?1,?2,?3,?4,?5,?6,?7)")?.execute(
                        params![r.id, r.service, r.target, r.payload.to_string(), r.time, r.execution_arn, r.state_name],
                    )?;
                }
                WriteOp::Metrics(adds) => {
                    for (key, amount) in adds {
                        *metrics.entry(key.as_str()).or_insert(0.0) += amount;
                    }
                }
                WriteOp::Log(_) | WriteOp::Ack(_) => {}
            }
        }
        let logs = ops.iter().filter_map(|op| match op {
            WriteOp::Log(e) => Some(e),
            _ => None,
        });
        if ops.iter().any(|op| matches!(op, WriteOp::Log(_))) {
            insert_log_events(&tx, logs, chrono::Utc::now().timestamp_millis())?;
        }
        if !metrics.is_empty() {
            let mut st = tx.prepare_cached(
                "INSERT INTO metrics VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
            )?;
            for (key, amount) in metrics {
                st.execute(params![key, amount])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::executions::test_rec;
    use asl_interpreter::Status;
    use serde_json::json;

    #[test]
    fn writer_batches_and_flush_waits() {
        let s = Store::open(None).unwrap();
        s.insert_execution_unless_exists(&test_rec("arn:e", "arn:sm", Status::Running))
            .unwrap();
        let w = Writer::start(s.clone());
        let arn: Arc<str> = "arn:e".into();
        for id in 1..=100 {
            w.send(WriteOp::Event {
                execution_arn: arn.clone(),
                id,
                event: format!("{{\"id\":{id}}}"),
            });
        }
        w.flush();
        let ev = s.events("arn:e").unwrap();
        assert_eq!(ev.len(), 100);
        assert_eq!(ev[99], json!({"id": 100}));
        assert_eq!(s.last_event_id("arn:e").unwrap(), 100);
    }

    /// The store's own connection never checkpoints; the writer thread's does, here only
    /// because the WAL outgrew its limit (4 MB here; the timed checkpoint is an hour away).
    /// Without it the WAL would hold all 32 MB written here (43.7 MB of pages).
    #[test]
    fn the_writer_checkpoints_the_wal_from_its_own_connection() {
        let dir = std::env::temp_dir().join(format!("sfn-local-wal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sfn-local.db");
        let s = Store::open(Some(&path)).unwrap();
        let limit = 4 << 20;
        s.insert_execution_unless_exists(&test_rec("arn:e", "arn:sm", Status::Running))
            .unwrap();
        let w = Writer::start_checkpointing(s.clone(), std::time::Duration::from_secs(3600), limit);
        let arn: Arc<str> = "arn:e".into();
        let payload = "x".repeat(10_000);
        for batch in 0..32u64 {
            for i in 0..100 {
                w.send(WriteOp::Event {
                    execution_arn: arn.clone(),
                    id: batch * 100 + i + 1,
                    event: format!("{{\"p\":\"{payload}\"}}"),
                });
            }
            w.flush();
        }
        let wal = std::fs::metadata(dir.join("sfn-local.db-wal")).map_or(0, |m| m.len());
        assert!(wal < 2 * limit, "the WAL grew to {wal} bytes");
        assert_eq!(s.last_event_id("arn:e").unwrap(), 3200);
        drop(w);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
