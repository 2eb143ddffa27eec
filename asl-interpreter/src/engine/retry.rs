//! The Retry state of one state: how many times each retrier has retried, and whether (and
//! after how long) a failure is tried again.

use std::time::Duration;

use asl_core::model::Retrier;

/// Counts retries per retrier, as AWS does: each retrier has its own `MaxAttempts` and
/// backoff, counted across all the errors it matches.
pub(crate) struct RetryState {
    counts: Vec<u64>,
}

impl RetryState {
    /// No retries yet, for a state with `n` retriers.
    pub fn new(n: usize) -> Self {
        RetryState { counts: vec![0; n] }
    }

    /// The delay before the next attempt, or `None` when the failure is not retried: the
    /// first retrier whose `ErrorEquals` matches decides (terminal errors match none; see
    /// [`asl_core::error::error_equals_matches`]).
    pub fn next(&mut self, retriers: &[Retrier], error: &str) -> Option<Duration> {
        self.next_with(retriers, error, rand_unit())
    }

    /// [`RetryState::next`] with the jitter's random draw (in `[0, 1)`) given.
    fn next_with(&mut self, retriers: &[Retrier], error: &str, draw: f64) -> Option<Duration> {
        let i = retriers
            .iter()
            .position(|r| r.error_equals.matches(error))?;
        let d = retriers[i].next_delay(self.counts[i], draw)?;
        self.counts[i] += 1;
        Some(d)
    }

    /// Retries so far, all retriers together (a task's attempt number).
    pub fn total(&self) -> u32 {
        self.counts.iter().sum::<u64>() as u32
    }
}

/// A random number in `[0, 1)` for full jitter.
fn rand_unit() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl_core::model::ErrorMatcher;

    fn retrier(errors: &[&str], max_attempts: u64) -> Retrier {
        Retrier {
            error_equals: ErrorMatcher {
                errors: errors.iter().map(|e| e.to_string()).collect(),
            },
            interval_seconds: 1,
            max_attempts,
            backoff_rate: 2.0,
            ..Retrier::default()
        }
    }

    #[test]
    fn the_first_matching_retrier_counts_its_own_attempts() {
        let retriers = [retrier(&["A"], 2), retrier(&["States.ALL"], 1)];
        let mut r = RetryState::new(retriers.len());
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs());
        assert_eq!(secs(r.next_with(&retriers, "A", 0.0)), Some(1));
        assert_eq!(secs(r.next_with(&retriers, "B", 0.0)), Some(1));
        assert_eq!(secs(r.next_with(&retriers, "A", 0.0)), Some(2));
        // Both exhausted: "A" stops at its own retrier, not the next one.
        assert_eq!(r.next_with(&retriers, "A", 0.0), None);
        assert_eq!(r.next_with(&retriers, "B", 0.0), None);
        assert_eq!(r.total(), 3);
    }

    #[test]
    fn terminal_errors_are_never_retried() {
        let retriers = [retrier(&["States.Runtime"], 3), retrier(&["States.ALL"], 3)];
        let mut r = RetryState::new(retriers.len());
        assert_eq!(r.next_with(&retriers, "States.Runtime", 0.0), None);
        assert_eq!(r.total(), 0);
    }
}
