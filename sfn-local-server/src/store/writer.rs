//! The writer thread: history events, execution ends, map runs, recorded messages, logs and
//! metric counters, queued while executions run and committed in batches.
//!
//! Fewer commits write fewer pages (each commit rewrites every page it touches), so writes
//! travel together: what one poll of an execution writes is held on its thread and sent as one
//! message when the poll ends, and so are an execution's end and the `Ack` its watcher awaits
//! ([`Writer::hold`]); after an execution's closing event the writer waits a moment for that
//! end ([`END_WAIT`]); metric counters are summed and stored on a rhythm of their own
//! ([`COUNTERS_EVERY`]); the WAL is checkpointed from here, between batches.

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
        /// Whether it ends the execution: its stored end follows at once ([`WriteOp::Finish`]
        /// and an `Ack`), and the writer waits a moment for them to commit all in one.
        closes: bool,
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
    /// The writer thread sums them over its batches and stores the sums every
    /// `COUNTERS_EVERY` at most (and when flushed): the counters are served from memory, the
    /// store only keeps them over a restart.
    Metrics(Vec<(String, f64)>),
    /// Signals once everything queued before it is committed; the metric counters too when
    /// `counters` (otherwise they may wait for their rhythm).
    Ack {
        /// Signalled.
        done: tokio::sync::oneshot::Sender<()>,
        /// Whether the counters summed so far are stored as well.
        counters: bool,
    },
}

/// How often the writer thread stores the metric counters it summed at most: every commit
/// rewrote the counters' page (one of the 20 pages a W5 execution wrote); a crash loses what
/// was counted since.
const COUNTERS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// How long the writer waits at most, after an execution's closing event, for the execution's
/// end to be queued ([`WriteOp::Finish`] and the `Ack` its watcher awaits), so that they
/// commit together: the end comes from another task a few microseconds later, and committed
/// apart, its commit rewrote pages the events' had just written.
const END_WAIT: std::time::Duration = std::time::Duration::from_millis(1);

/// The most writes committed together (a poll's writes come whole).
const BATCH: usize = 4096;

/// The batch that starts with `first`: what the queue holds, up to [`BATCH`] writes; then,
/// when it holds an execution's closing event and no `Ack`, what comes within `end_wait`
/// ([`END_WAIT`]) until an `Ack`.
fn gather(rx: &mpsc::Receiver<Sent>, first: Sent, end_wait: std::time::Duration) -> Vec<WriteOp> {
    let mut batch = Vec::new();
    first.into_batch(&mut batch);
    while batch.len() < BATCH {
        match rx.try_recv() {
            Ok(sent) => sent.into_batch(&mut batch),
            Err(_) => break,
        }
    }
    let closes = |ops: &[WriteOp]| {
        ops.iter()
            .any(|op| matches!(op, WriteOp::Event { closes: true, .. }))
    };
    let acks = |ops: &[WriteOp]| ops.iter().any(|op| matches!(op, WriteOp::Ack { .. }));
    if closes(&batch) && !acks(&batch) {
        let deadline = std::time::Instant::now() + end_wait;
        while batch.len() < BATCH {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(sent) = rx.recv_timeout(left) else {
                break;
            };
            let from = batch.len();
            sent.into_batch(&mut batch);
            if acks(&batch[from..]) {
                break;
            }
        }
    }
    batch
}

/// When the writer thread checkpoints and stores its counters.
struct Rhythm {
    /// A checkpoint every this at most...
    checkpoint_every: std::time::Duration,
    /// ...or at once when the WAL is larger than this, in bytes.
    wal_limit: u64,
    /// The summed metric counters stored every this at most.
    counters_every: std::time::Duration,
}

/// What [`Writer::hold`] returns: the writes stay held until it goes.
pub struct Holding<'a> {
    writer: &'a Writer,
    /// Neither `Send` nor `Sync`: the writes are held per thread.
    _per_thread: std::marker::PhantomData<*const ()>,
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.writer.end_holding();
    }
}

/// Metric counters summed over batches, not stored yet.
type Counters = std::collections::BTreeMap<String, f64>;

/// How often the writer thread checkpoints the WAL at most when it stays under `WAL_LIMIT`
/// (SQLite's own default was every 1,000 pages, 4 MB, which W5 writes several times a second).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// The writer thread: drains the queue and commits what it finds in one transaction, so a
/// burst of events costs one commit.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Sent>,
    /// Tells this writer's held writes from another's (see [`HELD`]).
    id: usize,
}

/// What goes down the writer's queue: one write, or what one poll of an execution wrote.
// One write is the common message: boxing it would allocate for each.
#[allow(clippy::large_enum_variant)]
enum Sent {
    One(WriteOp),
    Many(Vec<WriteOp>),
}

impl Sent {
    fn into_batch(self, batch: &mut Vec<WriteOp>) {
        match self {
            Sent::One(op) => batch.push(op),
            Sent::Many(ops) => batch.extend(ops),
        }
    }
}

/// The writes held on this thread while it polls an execution: sent down the queue together
/// when the poll ends ([`Writer::poll_listener`]). A short execution's events, records and
/// counters were each a message that woke the writer thread, which committed the first alone
/// and the others in one or two more commits, each rewriting the pages they share.
struct Held {
    writer: usize,
    /// Its queue.
    tx: mpsc::Sender<Sent>,
    /// Polls begun and not ended (a poll within a poll keeps holding).
    depth: usize,
    ops: Vec<WriteOp>,
}

thread_local! {
    static HELD: std::cell::RefCell<Option<Held>> = const { std::cell::RefCell::new(None) };
}

static NEXT_WRITER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store) -> Writer {
        Self::start_with(
            store,
            Rhythm {
                checkpoint_every: CHECKPOINT_EVERY,
                wal_limit: super::WAL_LIMIT,
                counters_every: COUNTERS_EVERY,
            },
        )
    }

    /// [`Writer::start`] with another [`Rhythm`].
    fn start_with(store: Store, rhythm: Rhythm) -> Writer {
        let Rhythm {
            checkpoint_every: every,
            wal_limit: limit,
            counters_every,
        } = rhythm;
        let (tx, rx) = mpsc::channel::<Sent>();
        std::thread::Builder::new()
            .name("sfn-local-writer".into())
            .spawn(move || {
                let checkpointer = store.checkpointer();
                let wal = store.wal_path();
                let mut last_checkpoint = std::time::Instant::now();
                let mut counters = Counters::new();
                let mut counted = std::time::Instant::now();
                loop {
                    // Summed counters are stored when due, even when nothing else comes.
                    let first = if counters.is_empty() {
                        rx.recv().map_err(|_| ())
                    } else {
                        let left = counters_every.saturating_sub(counted.elapsed());
                        match rx.recv_timeout(left) {
                            Ok(op) => Ok(op),
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                commit(&store, &[], &mut counters, &mut counted, true);
                                continue;
                            }
                            Err(mpsc::RecvTimeoutError::Disconnected) => Err(()),
                        }
                    };
                    let Ok(first) = first else {
                        commit(&store, &[], &mut counters, &mut counted, true);
                        break;
                    };
                    let batch = gather(&rx, first, END_WAIT);
                    let due = counted.elapsed() >= counters_every;
                    commit(&store, &batch, &mut counters, &mut counted, due);
                    for op in batch {
                        if let WriteOp::Ack { done, .. } = op {
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
        Writer {
            tx,
            id: NEXT_WRITER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Queues a write; held while this thread holds this writer's writes (polling an
    /// execution, [`Writer::hold`]). An `Ack` is never held: it goes at once, with what was
    /// held before it, in one message.
    pub fn send(&self, op: WriteOp) {
        let ack = matches!(op, WriteOp::Ack { .. });
        let unheld = HELD.with(|h| match &mut *h.borrow_mut() {
            Some(held) if held.writer == self.id => {
                held.ops.push(op);
                if ack {
                    let _ = held.tx.send(Sent::Many(std::mem::take(&mut held.ops)));
                }
                None
            }
            _ => Some(op),
        });
        if let Some(op) = unheld {
            let _ = self.tx.send(Sent::One(op));
        }
    }

    /// Holds this writer's writes on this thread until the guard goes, then sends them in one
    /// message (one wake-up of the writer thread instead of one per write). The guard cannot
    /// cross an `.await`: the writes are held per thread.
    pub fn hold(&self) -> Holding<'_> {
        self.begin_holding();
        Holding {
            writer: self,
            _per_thread: std::marker::PhantomData,
        }
    }

    fn begin_holding(&self) {
        HELD.with(|h| {
            let mut h = h.borrow_mut();
            match &mut *h {
                Some(held) if held.writer == self.id => held.depth += 1,
                other => {
                    // Another writer's holding on this thread that did not end (it cannot
                    // happen): what it held goes to its queue first.
                    if let Some(held) = other.take()
                        && !held.ops.is_empty()
                    {
                        let _ = held.tx.send(Sent::Many(held.ops));
                    }
                    *other = Some(Held {
                        writer: self.id,
                        tx: self.tx.clone(),
                        depth: 1,
                        ops: Vec::new(),
                    });
                }
            }
        });
    }

    fn end_holding(&self) {
        let ended = HELD.with(|h| {
            let mut h = h.borrow_mut();
            match &mut *h {
                Some(held) if held.writer == self.id && held.depth > 1 => {
                    held.depth -= 1;
                    None
                }
                Some(held) if held.writer == self.id => h.take(),
                _ => None,
            }
        });
        if let Some(held) = ended
            && !held.ops.is_empty()
        {
            let _ = held.tx.send(Sent::Many(held.ops));
        }
    }

    /// Told around every poll of an execution (`Some` as it begins, `None` as it ends): holds
    /// the writes made during the poll and sends them together as it ends.
    pub fn poll_listener(&self) -> impl Fn(Option<&str>) + Send + Sync + 'static {
        let w = self.clone();
        move |polling| match polling {
            Some(_) => w.begin_holding(),
            None => w.end_holding(),
        }
    }

    /// Waits until everything queued so far is committed, the metric counters too (from a
    /// plain thread).
    pub fn flush(&self) {
        let _ = self.acked(true).blocking_recv();
    }

    /// Waits until everything queued so far is committed, the metric counters too.
    pub async fn flush_async(&self) {
        let _ = self.acked(true).await;
    }

    /// Waits until everything queued so far is committed but the metric counters, which keep
    /// their rhythm (an execution's end, awaited before anyone may read it).
    pub async fn commit_async(&self) {
        let _ = self.acked(false).await;
    }

    /// Queues an `Ack` now (with what this thread holds for the writer, see [`Writer::send`]),
    /// and returns what signals once everything queued before it is committed; the metric
    /// counters too when `counters`.
    pub fn acked(&self, counters: bool) -> tokio::sync::oneshot::Receiver<()> {
        let (done, rx) = tokio::sync::oneshot::channel();
        self.send(WriteOp::Ack { done, counters });
        rx
    }
}

/// Commits `batch`, with the counters summed so far when `due` or when the batch asks for them
/// (resetting the rhythm); logs a failure.
fn commit(
    store: &Store,
    batch: &[WriteOp],
    counters: &mut Counters,
    counted: &mut std::time::Instant,
    due: bool,
) {
    let asked = batch
        .iter()
        .any(|op| matches!(op, WriteOp::Ack { counters: true, .. }));
    let write = due || asked;
    if batch.is_empty() && (counters.is_empty() || !write) {
        return;
    }
    if let Err(e) = store.apply_summing(batch, counters, write) {
        tracing::error!(error = %e, "history write failed");
    }
    if write {
        *counted = std::time::Instant::now();
    }
}

impl Store {
    /// Applies a batch of writes in one transaction, its metric counters too.
    pub fn apply(&self, ops: &[WriteOp]) -> Result<()> {
        self.apply_summing(ops, &mut Counters::new(), true)
    }

    /// Applies a batch of writes in one transaction. Its metric counters are added to
    /// `counters` (one update per counter, however many executions they came from), which are
    /// stored and emptied when `store_counters`.
    fn apply_summing(
        &self,
        ops: &[WriteOp],
        counters: &mut Counters,
        store_counters: bool,
    ) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        for op in ops {
            match op {
                WriteOp::Event {
                    execution_arn,
                    id,
                    event,
                    ..
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
                        match counters.get_mut(key) {
                            Some(sum) => *sum += amount,
                            None => {
                                counters.insert(key.clone(), *amount);
                            }
                        }
                    }
                }
                WriteOp::Log(_) | WriteOp::Ack { .. } => {}
            }
        }
        let logs = ops.iter().filter_map(|op| match op {
            WriteOp::Log(e) => Some(e),
            _ => None,
        });
        if ops.iter().any(|op| matches!(op, WriteOp::Log(_))) {
            insert_log_events(&tx, logs, chrono::Utc::now().timestamp_millis())?;
        }
        if store_counters && !counters.is_empty() {
            let mut st = tx.prepare_cached(
                "INSERT INTO metrics VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
            )?;
            for (key, amount) in counters.iter() {
                st.execute(params![key, amount])?;
            }
        }
        tx.commit()?;
        if store_counters {
            counters.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::executions::{test_event as ev, test_rec};
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
                closes: false,
            });
        }
        w.flush();
        let ev = s.events("arn:e").unwrap();
        assert_eq!(ev.len(), 100);
        assert_eq!(ev[99], json!({"id": 100}));
        assert_eq!(s.last_event_id("arn:e").unwrap(), 100);
    }

    fn rhythm(counters_every: std::time::Duration) -> Rhythm {
        Rhythm {
            checkpoint_every: CHECKPOINT_EVERY,
            wal_limit: crate::store::WAL_LIMIT,
            counters_every,
        }
    }

    fn stored_counters(s: &Store) -> Vec<(String, f64)> {
        s.metrics().unwrap()
    }

    /// Metric counters are summed over batches and stored on their rhythm: not with an
    /// execution's end (`commit_async`), but when flushed, summed once per counter.
    #[tokio::test]
    async fn counters_wait_for_their_rhythm_or_a_flush() {
        let s = Store::open(None).unwrap();
        s.insert_execution_unless_exists(&test_rec("arn:e", "arn:sm", Status::Running))
            .unwrap();
        let w = Writer::start_with(s.clone(), rhythm(std::time::Duration::from_secs(3600)));
        w.send(WriteOp::Metrics(vec![("a".into(), 1.0)]));
        w.flush_async().await;
        assert_eq!(stored_counters(&s), [("a".to_string(), 1.0)]);
        for id in 1..=3 {
            w.send(WriteOp::Event {
                execution_arn: "arn:e".into(),
                id,
                event: "{}".into(),
                closes: false,
            });
            w.send(WriteOp::Metrics(vec![("a".into(), 1.0), ("b".into(), 2.0)]));
            w.commit_async().await;
        }
        assert_eq!(
            s.last_event_id("arn:e").unwrap(),
            3,
            "the rows are committed"
        );
        assert_eq!(
            stored_counters(&s),
            [("a".to_string(), 1.0)],
            "the counters wait"
        );
        w.flush_async().await;
        assert_eq!(
            stored_counters(&s),
            [("a".to_string(), 4.0), ("b".to_string(), 6.0)]
        );
    }

    /// Counters left summed are stored when their time comes, even when nothing else is
    /// written.
    #[tokio::test]
    async fn summed_counters_are_stored_when_due_without_other_writes() {
        let s = Store::open(None).unwrap();
        let w = Writer::start_with(s.clone(), rhythm(std::time::Duration::from_millis(20)));
        w.send(WriteOp::Metrics(vec![("a".into(), 1.0)]));
        w.commit_async().await;
        w.send(WriteOp::Metrics(vec![("a".into(), 1.0)]));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while stored_counters(&s) != [("a".to_string(), 2.0)] {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                stored_counters(&s)
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    fn store_with(arns: &[&str]) -> Store {
        let s = Store::open(None).unwrap();
        for arn in arns {
            s.insert_execution_unless_exists(&test_rec(arn, "arn:sm", Status::Running))
                .unwrap();
        }
        s
    }

    /// What a poll of an execution writes is held on its thread and sent when the poll ends:
    /// a flush from another thread in the meantime does not see it; a poll within the poll
    /// keeps holding until the outer one ends.
    #[test]
    fn writes_during_a_poll_are_held_until_it_ends() {
        let s = store_with(&["arn:e"]);
        let w = Writer::start(s.clone());
        let polls = w.poll_listener();
        polls(Some("arn:e"));
        w.send(ev("arn:e", 1));
        polls(Some("arn:e"));
        w.send(ev("arn:e", 2));
        polls(None);
        let other = w.clone();
        std::thread::spawn(move || other.flush()).join().unwrap();
        assert_eq!(s.last_event_id("arn:e").unwrap(), 0, "held");
        w.send(ev("arn:e", 3));
        polls(None);
        let other = w.clone();
        std::thread::spawn(move || other.flush()).join().unwrap();
        assert_eq!(
            s.events("arn:e").unwrap().len(),
            3,
            "sent as the poll ended"
        );
        // Not polling any more: sent at once.
        w.send(ev("arn:e", 4));
        let other = w.clone();
        std::thread::spawn(move || other.flush()).join().unwrap();
        assert_eq!(s.last_event_id("arn:e").unwrap(), 4);
    }

    /// A flush during a poll sends what the poll held first, so it waits for it too; another
    /// writer's writes on the same thread are not held.
    #[test]
    fn a_flush_during_a_poll_sends_what_it_held_and_other_writers_are_not_held() {
        let s = store_with(&["arn:e"]);
        let w = Writer::start(s.clone());
        let t = store_with(&["arn:t"]);
        let other = Writer::start(t.clone());
        let polls = w.poll_listener();
        polls(Some("arn:e"));
        w.send(ev("arn:e", 1));
        other.send(ev("arn:t", 1));
        let o = other.clone();
        std::thread::spawn(move || o.flush()).join().unwrap();
        assert_eq!(t.last_event_id("arn:t").unwrap(), 1, "another writer's");
        w.flush();
        assert_eq!(
            s.last_event_id("arn:e").unwrap(),
            1,
            "flushed with what it held"
        );
        w.send(ev("arn:e", 2));
        polls(None);
        w.flush();
        assert_eq!(s.last_event_id("arn:e").unwrap(), 2);
        // Held by a guard, the same: the Ack goes with what was held before it.
        let done = {
            let _held = w.hold();
            w.send(ev("arn:e", 3));
            w.acked(false)
        };
        done.blocking_recv().unwrap();
        assert_eq!(s.last_event_id("arn:e").unwrap(), 3);
    }

    fn closing(id: u64) -> WriteOp {
        WriteOp::Event {
            execution_arn: "arn:e".into(),
            id,
            event: "{}".into(),
            closes: true,
        }
    }

    fn kinds(batch: &[WriteOp]) -> Vec<&'static str> {
        batch
            .iter()
            .map(|op| match op {
                WriteOp::Event { closes: true, .. } => "closing",
                WriteOp::Event { .. } => "event",
                WriteOp::Finish(_) => "finish",
                WriteOp::Ack { .. } => "ack",
                _ => "other",
            })
            .collect()
    }

    /// A batch holding an execution's closing event waits for its end (its Finish and the Ack
    /// its watcher awaits) and stops at the Ack; one without does not wait.
    #[test]
    fn a_closing_event_waits_for_the_end_to_commit_with_it() {
        let (tx, rx) = mpsc::channel::<Sent>();
        let wait = std::time::Duration::from_secs(30);
        tx.send(Sent::Many(vec![ev("arn:e", 1), closing(2)]))
            .unwrap();
        let late = tx.clone();
        let (done, _rx) = tokio::sync::oneshot::channel();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let rec = test_rec("arn:e", "arn:sm", Status::Succeeded);
            late.send(Sent::One(WriteOp::Finish(rec))).unwrap();
            late.send(Sent::One(WriteOp::Ack {
                done,
                counters: false,
            }))
            .unwrap();
            late.send(Sent::One(ev("arn:next", 1))).unwrap();
        });
        let first = rx.recv().unwrap();
        let batch = gather(&rx, first, wait);
        assert_eq!(kinds(&batch), ["event", "closing", "finish", "ack"]);
        sender.join().unwrap();
        // Without a closing event, only what is queued.
        let first = rx.recv().unwrap();
        assert_eq!(kinds(&gather(&rx, first, wait)), ["event"]);
        // A closing event whose end never comes waits no longer than the wait.
        tx.send(Sent::One(closing(3))).unwrap();
        let first = rx.recv().unwrap();
        let batch = gather(&rx, first, std::time::Duration::from_millis(1));
        assert_eq!(kinds(&batch), ["closing"]);
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
        let w = Writer::start_with(
            s.clone(),
            Rhythm {
                checkpoint_every: std::time::Duration::from_secs(3600),
                wal_limit: limit,
                counters_every: COUNTERS_EVERY,
            },
        );
        let arn: Arc<str> = "arn:e".into();
        let payload = "x".repeat(10_000);
        for batch in 0..32u64 {
            for i in 0..100 {
                w.send(WriteOp::Event {
                    execution_arn: arn.clone(),
                    id: batch * 100 + i + 1,
                    event: format!("{{\"p\":\"{payload}\"}}"),
                    closes: false,
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
