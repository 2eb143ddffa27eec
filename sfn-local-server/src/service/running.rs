//! The executions in flight: their controls, and a way to await their end.
//!
//! Each entry holds a `watch` sender that nobody sends on: it is dropped with the entry, once
//! the execution's end is stored, and that wakes every receiver. A separate counter is bumped
//! at every launch and once recovery is done, for a waiter on an execution the store says is
//! running but that is not launched yet (it resumes after a restart).
//!
//! An execution's end is stored before its entry goes (so whoever is woken reads it), and a
//! redrive may launch it again in between: every launch is its own [`Launch`], and only that
//! launch's watcher removes it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use asl_interpreter::ExecutionControl;
use tokio::sync::watch;

/// The registry of executions in flight.
pub(crate) struct Running {
    executions: Mutex<HashMap<String, Entry>>,
    launches: watch::Sender<u64>,
    next_launch: AtomicU64,
}

/// One launch of an execution (a start, a redrive or a resumption), as [`Running::insert`]
/// registered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Launch(u64);

struct Entry {
    launch: Launch,
    /// The execution has ended; its end is being stored.
    ended: bool,
    control: ExecutionControl,
    /// Dropped with the entry: its receivers then see the channel closed.
    end: watch::Sender<()>,
}

/// The end of one execution, awaitable.
pub(crate) struct End(watch::Receiver<()>);

impl End {
    /// Returns once the execution has ended and its end is stored.
    pub(crate) async fn wait(mut self) {
        while self.0.changed().await.is_ok() {}
    }

    /// [`End::wait`] for at most `limit`; whether the end came.
    pub(crate) async fn within(self, limit: std::time::Duration) -> bool {
        tokio::time::timeout(limit, self.wait()).await.is_ok()
    }
}

impl Running {
    pub(crate) fn new() -> Running {
        Running {
            executions: Mutex::default(),
            launches: watch::Sender::new(0),
            next_launch: AtomicU64::new(0),
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.executions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a launched execution; the launch is what [`Running::remove`] takes.
    pub(crate) fn insert(&self, arn: &str, control: ExecutionControl) -> Launch {
        let end = watch::Sender::new(());
        let launch = Launch(self.next_launch.fetch_add(1, Ordering::Relaxed));
        self.map().insert(
            arn.to_string(),
            Entry {
                launch,
                ended: false,
                control,
                end,
            },
        );
        // After the entry is in: a waiter woken here finds it.
        self.changed();
        launch
    }

    /// Forgets the launch of an execution whose end is stored, waking whoever awaits it. A
    /// later launch of the same execution (a redrive) stays.
    pub(crate) fn remove(&self, arn: &str, launch: Launch) {
        let mut map = self.map();
        if map.get(arn).is_some_and(|e| e.launch == launch) {
            map.remove(arn);
        }
    }

    /// Notes that a launch has ended (its end is being stored).
    pub(crate) fn mark_ended(&self, arn: &str, launch: Launch) {
        if let Some(e) = self.map().get_mut(arn).filter(|e| e.launch == launch) {
            e.ended = true;
        }
    }

    /// The end of an execution that has ended but whose end is not stored yet (`None`:
    /// running, or not here).
    pub(crate) fn decided_end_of(&self, arn: &str) -> Option<End> {
        self.map()
            .get(arn)
            .filter(|e| e.ended)
            .map(|e| End(e.end.subscribe()))
    }

    /// Wakes the waiters on executions not launched yet (a launch, or recovery done).
    pub(crate) fn changed(&self) {
        self.launches.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The live control of a running execution.
    pub(crate) fn control(&self, arn: &str) -> Option<ExecutionControl> {
        self.map().get(arn).map(|e| e.control.clone())
    }

    /// The end of a running execution (`None`: not running here).
    pub(crate) fn end_of(&self, arn: &str) -> Option<End> {
        self.map().get(arn).map(|e| End(e.end.subscribe()))
    }

    /// A receiver that sees every later launch (and the end of recovery).
    pub(crate) fn launches(&self) -> watch::Receiver<u64> {
        self.launches.subscribe()
    }

    /// How many executions are in flight.
    pub(crate) fn len(&self) -> usize {
        self.map().len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use asl_interpreter::{ExecutionConfig, Interpreter};

    use super::*;

    /// A live control to register (a Pass machine's).
    fn control() -> ExecutionControl {
        let machine = asl_core::StateMachine::from_str(
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
        )
        .unwrap();
        Interpreter::builder()
            .build()
            .start(Arc::new(machine), ExecutionConfig::default())
            .control()
    }

    /// Whether `end` has come within a moment.
    async fn ended(end: End) -> bool {
        end.within(Duration::from_millis(50)).await
    }

    /// A launch is removed only by its own watcher: a redrive registered before the previous
    /// run's watcher lets go stays, and its end is still awaited.
    #[tokio::test]
    async fn a_launch_is_removed_only_by_its_own_watcher() {
        let running = Running::new();
        let first = running.insert("arn:e", control());
        let second = running.insert("arn:e", control());
        assert_ne!(first, second);
        running.remove("arn:e", first);
        assert!(
            running.control("arn:e").is_some(),
            "the redrive's entry went"
        );
        let end = running.end_of("arn:e").unwrap();
        running.remove("arn:e", second);
        assert!(running.control("arn:e").is_none());
        assert!(ended(end).await);
    }

    /// An execution's end is "decided" from the moment its launch is marked ended until its
    /// entry goes; a running one, or one marked for an older launch, has none.
    #[tokio::test]
    async fn a_decided_end_is_the_marked_launch_s_until_it_goes() {
        let running = Running::new();
        let old = running.insert("arn:e", control());
        assert!(running.decided_end_of("arn:e").is_none(), "running");
        let new = running.insert("arn:e", control());
        running.mark_ended("arn:e", old);
        assert!(
            running.decided_end_of("arn:e").is_none(),
            "an older launch's end"
        );
        running.mark_ended("arn:e", new);
        let end = running.decided_end_of("arn:e").expect("decided");
        assert!(
            !ended(running.decided_end_of("arn:e").unwrap()).await,
            "not stored yet"
        );
        running.remove("arn:e", new);
        assert!(ended(end).await);
        assert!(running.decided_end_of("arn:e").is_none());
    }
}
