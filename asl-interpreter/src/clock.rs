//! Time, injected: a virtual clock for tests and embedded runs, a real (optionally scaled) one
//! for the server.
//!
//! The virtual clock advances only when every execution driven on it is idle (its root future
//! pending without having woken itself) *and* no task handler is in flight (see [`drive`]):
//! Wait states, retry backoffs and timeouts then complete at once, while a handler doing real
//! I/O, or another execution with work still to do, never sees time jump under it.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
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
    /// For a virtual clock: the count of drivers with work to do (time stands still while it
    /// is above zero). `None` for clocks that do not need it.
    fn active_drivers(&self) -> Option<Arc<AtomicUsize>> {
        None
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
        // Saturates: a scaled wait longer than any `Duration` waits as long as one can.
        let d = Duration::try_from_secs_f64(d.as_secs_f64() * self.scale).unwrap_or(Duration::MAX);
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
    active: Arc<AtomicUsize>,
    state: Mutex<VirtualState>,
}

struct VirtualState {
    now_ms: i64,
    /// `now_ms` as a date, made when time moves rather than at every reading.
    now: DateTime<Utc>,
    seq: u64,
    timers: BTreeMap<(i64, u64), Option<Waker>>,
}

impl VirtualClock {
    /// A virtual clock starting at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            inner: Arc::new(VirtualInner {
                busy: Arc::new(AtomicUsize::new(0)),
                active: Arc::new(AtomicUsize::new(0)),
                state: Mutex::new(VirtualState {
                    now_ms: start.timestamp_millis(),
                    // Whole milliseconds, as every later reading.
                    now: Utc
                        .timestamp_millis_opt(start.timestamp_millis())
                        .single()
                        .unwrap_or_default(),
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
        let to = st
            .now_ms
            .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2));
        st.set_now(to);
        fire_due(&mut st);
    }

    /// Number of pending timers.
    pub fn pending_timers(&self) -> usize {
        self.lock().timers.len()
    }
}

impl VirtualState {
    fn set_now(&mut self, ms: i64) {
        self.now_ms = ms;
        self.now = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
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
        self.lock().now
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
        // Checked under the lock: a driver woken by the previous advance counts as active
        // before that advance releases the lock, so two idle drivers never advance twice.
        let mut st = self.lock();
        if self.inner.busy.load(Ordering::SeqCst) > 0
            || self.inner.active.load(Ordering::SeqCst) > 0
        {
            return false;
        }
        let Some((&(deadline, _), _)) = st.timers.iter().next() else {
            return false;
        };
        if deadline > st.now_ms {
            st.set_now(deadline);
        }
        fire_due(&mut st);
        true
    }

    fn active_drivers(&self) -> Option<Arc<AtomicUsize>> {
        Some(self.inner.active.clone())
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

/// Gives other tasks a turn. Unlike `tokio::task::yield_now`, which wakes the task only after
/// its poll returns, this wakes it during the poll, so [`drive`] sees work still to do and
/// does not let virtual time move.
pub(crate) async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// One driver's standing with the clock: whether its future woke itself during a poll, and
/// whether it counts as active. Its waker forwards to the task's waker.
struct DriverWaker {
    woken: AtomicBool,
    idle: AtomicBool,
    active: Option<Arc<AtomicUsize>>,
    outer: Mutex<Option<Waker>>,
}

impl DriverWaker {
    fn set_idle(&self) {
        if !self.idle.swap(true, Ordering::SeqCst)
            && let Some(a) = &self.active
        {
            a.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Wake for DriverWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if self.idle.swap(false, Ordering::SeqCst)
            && let Some(a) = &self.active
        {
            a.fetch_add(1, Ordering::SeqCst);
        }
        let outer = self.outer.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(w) = outer {
            w.wake();
        }
    }
}

/// Leaves the clock's active count as it found it, however the driver ends.
struct DriverGuard(Arc<DriverWaker>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        self.0.set_idle();
    }
}

/// Polls `fut` to completion. On a virtual clock, time advances only when this future and
/// every other one driven on the same clock are idle — pending without having woken
/// themselves — and no handler is busy. With a real clock it is a plain await.
///
/// The driver counts as active from the moment this is called, not from its first poll, so
/// executions started together all get their first turn before time can move.
pub fn drive<F: Future>(clock: Arc<dyn Clock>, fut: F) -> impl Future<Output = F::Output> {
    let active = clock.active_drivers();
    if let Some(a) = &active {
        a.fetch_add(1, Ordering::SeqCst);
    }
    let state = Arc::new(DriverWaker {
        woken: AtomicBool::new(false),
        idle: AtomicBool::new(false),
        active,
        outer: Mutex::new(None),
    });
    let guard = DriverGuard(state.clone());
    async move {
        let _guard = guard;
        drive_inner(clock, state, fut).await
    }
}

async fn drive_inner<F: Future>(
    clock: Arc<dyn Clock>,
    state: Arc<DriverWaker>,
    fut: F,
) -> F::Output {
    let waker = Waker::from(state.clone());
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        *state.outer.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        loop {
            state.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(v) = fut.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(v);
            }
            if state.woken.load(Ordering::SeqCst) {
                // It has more to do right away: let other tasks run, then poll again.
                return Poll::Pending;
            }
            state.set_idle();
            if !clock.try_advance() || !state.woken.load(Ordering::SeqCst) {
                return Poll::Pending;
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_is_whole_milliseconds_from_the_start() {
        let start = Utc.timestamp_nanos(1_700_000_000_123_456_789);
        let clock = VirtualClock::new(start);
        assert_eq!(
            clock.now().timestamp_nanos_opt(),
            Some(1_700_000_000_123_000_000)
        );
        clock.advance(Duration::from_secs(10));
        assert_eq!(clock.now().timestamp_millis(), 1_700_000_010_123);
    }

    #[tokio::test]
    async fn virtual_sleeps_complete_in_order_without_waiting() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let clock = VirtualClock::new(start);
        let c: Arc<dyn Clock> = Arc::new(clock.clone());
        let wall = std::time::Instant::now();
        let c2 = c.clone();
        let order = drive(c.clone(), async move {
            let a = c2.sleep(Duration::from_secs(900));
            let b = c2.sleep(Duration::from_secs(60));
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
        assert_eq!(order.1, start + chrono::Duration::seconds(60));
        // A real sleep would take 60 s; the bound leaves room for a loaded machine.
        assert!(wall.elapsed() < Duration::from_secs(30));
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
