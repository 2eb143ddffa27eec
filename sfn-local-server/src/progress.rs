//! Live progress of `sfn-local run` on a terminal: one status line on stderr, redrawn at most
//! every 100 ms while the execution runs, then a one-line summary.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use asl_interpreter::{EventListener, HistoryEvent, Outcome};
use chrono::{DateTime, Utc};

const REDRAW: Duration = Duration::from_millis(100);

/// The status line's state.
pub struct Progress {
    inner: Mutex<Line>,
}

struct Line {
    started: Instant,
    last_draw: Instant,
    drawn: bool,
    events: u64,
    state: String,
    first: Option<DateTime<Utc>>,
}

impl Progress {
    pub fn new() -> Arc<Progress> {
        let now = Instant::now();
        Arc::new(Progress {
            inner: Mutex::new(Line {
                started: now,
                last_draw: now,
                drawn: false,
                events: 0,
                state: String::new(),
                first: None,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Line> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A listener that counts events and redraws the line when it is due.
    pub fn listener(self: &Arc<Self>) -> EventListener {
        let me = self.clone();
        Arc::new(move |_, e: &HistoryEvent| me.event(e))
    }

    fn event(&self, e: &HistoryEvent) {
        let mut l = self.lock();
        l.events += 1;
        let first = *l.first.get_or_insert(e.timestamp);
        if e.event_type.is_state_entered()
            && let Some(name) = e.details.as_ref().and_then(|d| d.name())
        {
            l.state = name;
        }
        let now = Instant::now();
        if now.duration_since(l.last_draw) < REDRAW {
            return;
        }
        l.last_draw = now;
        l.drawn = true;
        let line = format!(
            "sfn-local: {} events · {} · virtual +{}",
            l.events,
            if l.state.is_empty() { "-" } else { &l.state },
            span(e.timestamp - first)
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Replaces the status line with a summary of the outcome.
    pub fn finish(&self, outcome: &Outcome) {
        let l = self.lock();
        let mut err = std::io::stderr().lock();
        if l.drawn {
            let _ = write!(err, "\r\x1b[2K");
        }
        let _ = writeln!(
            err,
            "sfn-local: {} · {} events · virtual {} · wall {} ms",
            outcome.status.as_str(),
            outcome.history.len(),
            span(outcome.stop_date - outcome.start_date),
            l.started.elapsed().as_millis()
        );
    }
}

/// `1h 2m 3.5s`, `4m 0s`, `0.25s`.
fn span(d: chrono::TimeDelta) -> String {
    let ms = d.num_milliseconds().max(0);
    let (h, m, s) = (
        ms / 3_600_000,
        ms / 60_000 % 60,
        (ms % 60_000) as f64 / 1000.0,
    );
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_hours_minutes_seconds() {
        let d = chrono::TimeDelta::milliseconds;
        assert_eq!(span(d(250)), "0.25s");
        assert_eq!(span(d(14_000)), "14s");
        assert_eq!(span(d(240_000)), "4m 0s");
        assert_eq!(span(d(3_723_500)), "1h 2m 3.5s");
        assert_eq!(span(d(-5)), "0s");
    }
}
