//! Time, injected: a virtual clock for tests and embedded runs, a real (optionally scaled) one
//! for the server.
//!
//! The virtual clock advances only when the execution's root future is pending *and* no task
//! handler is in flight (see [`drive`]): Wait states, retry backoffs and timeouts then complete
//! at once, while a handler doing real I/O never sees time jump under it.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

/// A boxed sleep future.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time for executions.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// A future that completes after `d` of this clock's time.
    fn sleep(&self, d: Duration) -> Sleep;
    /// Marks a handler invocation in flight until the guard is dropped (virtual time does not
    /// advance meanwhile).
    fn busy(&self) -> BusyGuard;
    /// A sleep taken *inside* a handler: on a virtual clock the handler stops counting as busy
    /// while it sleeps, so simulated slow work lets time (and timeouts) advance.
    fn idle_sleep(&self, d: Duration) -> Sleep {
        self.sleep(d)
    }
    /// For a virtual clock: advance to the next timer if nothing is busy; true if it did.
    fn try_advance(&self) -> bool {
        false
    }
}

/// Keeps a clock "busy" while alive.
pub struct BusyGuard(Option<Arc<AtomicUsize>>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Wall-clock time, optionally scaled (`scale` 0.1 makes a 10 s wait take 1 s).
#[derive(Debug, Clone)]
pub struct RealClock {
    scale: f64,
}

impl RealClock {
    /// Real time at normal speed.
    pub fn new() -> Self {
        RealClock { scale: 1.0 }
    }

    /// Real time with waits multiplied by `scale` (as Step Functions Local's `WAIT_TIME_SCALE`).
    pub fn scaled(scale: f64) -> Self {
        RealClock {
            scale: if scale.is_finite() && scale >= 0.0 {
                scale
            } else {
                1.0
            },
        }
    }
}

impl Default for RealClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for RealClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, d: Duration) -> Sleep {
        let d = d.mul_f64(self.scale);
        Box::pin(tokio::time::sleep(d))
    }

    fn busy(&self) -> BusyGuard {
        BusyGuard(None)
    }
}

/// Deterministic time that moves only when every branch waits on a timer.
#[derive(Clone)]
pub struct VirtualClock {
    inner: Arc<VirtualInner>,
}

struct VirtualInner {
    busy: Arc<AtomicUsize>,
    state: Mutex<VirtualState>,
}

struct VirtualState {
    now_ms: i64,
    seq: u64,
    timers: BTreeMap<(i64, u64), Option<Waker>>,
}

impl VirtualClock {
    /// A virtual clock starting at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            inner: Arc::new(VirtualInner {
                busy: Arc::new(AtomicUsize::new(0)),
                state: Mutex::new(VirtualState {
                    now_ms: start.timestamp_millis(),
                    seq: 0,
                    timers: BTreeMap::new(),
                }),
            }),
        }
    }

    /// A virtual clock starting at the current wall-clock time.
    pub fn starting_now() -> Self {
        Self::new(Utc::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VirtualState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves time forward by `d` (for tests that advance explicitly), firing due timers.
    pub fn advance(&self, d: Duration) {
        let mut st = self.lock();
        st.now_ms += i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        fire_due(&mut st);
    }

    /// Number of pending timers.
    pub fn pending_timers(&self) -> usize {
        self.lock().timers.len()
    }
}

fn fire_due(st: &mut VirtualState) {
    let now = st.now_ms;
    let due: Vec<(i64, u64)> = st
        .timers
        .range(..=(now, u64::MAX))
        .map(|(k, _)| *k)
        .collect();
    for k in due {
        if let Some(Some(w)) = st.timers.remove(&k) {
            w.wake();
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.lock().now_ms;
        Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
    }

    fn sleep(&self, d: Duration) -> Sleep {
        let mut st = self.lock();
        let deadline = st
            .now_ms
            .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2));
        st.seq += 1;
        let key = (deadline, st.seq);
        drop(st);
        Box::pin(VirtualSleep {
            clock: self.clone(),
            key,
            registered: false,
        })
    }

    fn busy(&self) -> BusyGuard {
        self.inner.busy.fetch_add(1, Ordering::SeqCst);
        BusyGuard(Some(self.inner.busy.clone()))
    }

    fn idle_sleep(&self, d: Duration) -> Sleep {
        /// Counts the handler as busy again when the sleep ends or is cancelled.
        struct Restore(Arc<AtomicUsize>);
        impl Drop for Restore {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let busy = self.inner.busy.clone();
        let sleep = self.sleep(d);
        Box::pin(async move {
            busy.fetch_sub(1, Ordering::SeqCst);
            let _restore = Restore(busy);
            sleep.await;
        })
    }

    fn try_advance(&self) -> bool {
        if self.inner.busy.load(Ordering::SeqCst) > 0 {
            return false;
        }
        let mut st = self.lock();
        let Some((&(deadline, _), _)) = st.timers.iter().next() else {
            return false;
        };
        if deadline > st.now_ms {
            st.now_ms = deadline;
        }
        fire_due(&mut st);
        true
    }
}

struct VirtualSleep {
    clock: VirtualClock,
    key: (i64, u64),
    registered: bool,
}

impl Future for VirtualSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let clock = self.clock.clone();
        let mut st = clock.lock();
        if st.now_ms >= self.key.0 {
            st.timers.remove(&self.key);
            return Poll::Ready(());
        }
        st.timers.insert(self.key, Some(cx.waker().clone()));
        drop(st);
        self.registered = true;
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        if self.registered {
            self.clock.lock().timers.remove(&self.key);
        }
    }
}

/// Polls `fut` to completion, advancing a virtual clock whenever `fut` is pending with no
/// handler in flight. With a real clock it is a plain await.
pub async fn drive<F: Future>(clock: Arc<dyn Clock>, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(v);
            }
            if !clock.try_advance() {
                return Poll::Pending;
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_sleeps_complete_in_order_without_waiting() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let clock = VirtualClock::new(start);
        let c: Arc<dyn Clock> = Arc::new(clock.clone());
        let wall = std::time::Instant::now();
        let c2 = c.clone();
        let order = drive(c.clone(), async move {
            let a = c2.sleep(Duration::from_secs(900));
            let b = c2.sleep(Duration::from_secs(2));
            let mut done = Vec::new();
            tokio::select! {
                _ = a => done.push("a"),
                _ = b => done.push("b"),
            }
            done.push("end");
            (done, c2.now())
        })
        .await;
        assert_eq!(order.0, ["b", "end"]);
        assert_eq!(order.1, start + chrono::Duration::seconds(2));
        assert!(wall.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn busy_handlers_hold_time_still() {
        let clock = VirtualClock::new(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
        let guard = clock.busy();
        let _timer = clock.sleep(Duration::from_secs(1));
        assert!(!clock.try_advance());
        drop(guard);
    }
}
