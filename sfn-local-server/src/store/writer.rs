//! The writer thread: history events, execution ends, map runs and recorded messages, queued
//! while executions run and committed in batches.

use std::sync::{Arc, mpsc};

use rusqlite::params;

use super::executions::{INSERT_EXECUTION, execute_with};
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

/// The writer thread: drains the queue and commits what it finds in one transaction, so a
/// burst of events costs one commit.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<WriteOp>,
}

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Writer {
        let (tx, rx) = mpsc::channel::<WriteOp>();
        std::thread::Builder::new()
            .name("sfn-local-writer".into())
            .spawn(move || {
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
                    tx.prepare_cached("INSERT OR REPLACE INTO events VALUES (?1, ?2, ?3)")?
                        .execute(params![execution_arn, *id as i64, event])?;
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
    use serde_json::json;

    #[test]
    fn writer_batches_and_flush_waits() {
        let s = Store::open(None).unwrap();
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
}
