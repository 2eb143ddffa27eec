//! `Retry` and `Catch`: which errors they handle and how long to wait between attempts.

use std::time::Duration;

use super::Template;
use crate::jsonata;
use crate::model::ResultPath;

/// `ErrorEquals`: the list of error names a retrier or catcher handles.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorMatcher {
    /// The names as written.
    pub errors: Vec<String>,
}

impl ErrorMatcher {
    /// Whether `error` is handled: see [`crate::error::error_equals_matches`], the one rule
    /// (terminal errors, `States.ALL`, `States.TaskFailed`).
    pub fn matches(&self, error: &str) -> bool {
        crate::error::error_equals_matches(&self.errors, error)
    }
}

/// `JitterStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JitterStrategy {
    /// No jitter: the exact backoff.
    #[default]
    None,
    /// Full jitter: a random delay in `[0, backoff]`.
    Full,
}

/// One element of `Retry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: ErrorMatcher,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3; 0 means never retry).
    pub max_attempts: u64,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy`.
    pub jitter: JitterStrategy,
    /// `Comment`.
    pub comment: Option<String>,
    /// JSON pointer of this retrier.
    pub pointer: String,
}

impl Default for Retrier {
    fn default() -> Self {
        Retrier {
            error_equals: ErrorMatcher { errors: Vec::new() },
            interval_seconds: 1,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: None,
            jitter: JitterStrategy::None,
            comment: None,
            pointer: String::new(),
        }
    }
}

impl Retrier {
    /// The delay before retry number `attempt` (0 for the first retry), or `None` when the
    /// retrier is exhausted.
    ///
    /// The delay is `IntervalSeconds * BackoffRate^attempt`, capped by `MaxDelaySeconds`.
    /// With full jitter, `unit` (a number in `[0, 1)`) scales the delay; without jitter it is
    /// ignored, so the function stays pure and tests can pin the random draw.
    pub fn next_delay(&self, attempt: u64, unit: f64) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let mut secs = self.interval_seconds as f64 * self.backoff_rate.powi(exp);
        if let Some(max) = self.max_delay_seconds {
            secs = secs.min(max as f64);
        }
        if !secs.is_finite() {
            secs = 31_622_400.0;
        }
        if self.jitter == JitterStrategy::Full {
            secs *= unit.clamp(0.0, 1.0);
        }
        Some(Duration::from_secs_f64(secs.clamp(0.0, 31_622_400.0)))
    }
}

/// One element of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: ErrorMatcher,
    /// `Next`.
    pub next: String,
    /// `ResultPath` (JSONPath states).
    pub result_path: ResultPath,
    /// `Output` (JSONata states).
    pub output: Option<jsonata::Template>,
    /// `Assign`.
    pub assign: Option<Template>,
    /// `Comment`.
    pub comment: Option<String>,
    /// JSON pointer of this catcher.
    pub pointer: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_delays_follow_the_policy() {
        let r = Retrier {
            interval_seconds: 2,
            max_attempts: 3,
            backoff_rate: 2.0,
            ..Retrier::default()
        };
        let delays: Vec<_> = (0..4).map(|a| r.next_delay(a, 0.5)).collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::from_secs(2)),
                Some(Duration::from_secs(4)),
                Some(Duration::from_secs(8)),
                None
            ]
        );
    }

    #[test]
    fn max_delay_caps_and_zero_attempts_never_retry() {
        let r = Retrier {
            interval_seconds: 3,
            max_attempts: 10,
            backoff_rate: 3.0,
            max_delay_seconds: Some(10),
            ..Retrier::default()
        };
        assert_eq!(r.next_delay(5, 0.0), Some(Duration::from_secs(10)));
        let none = Retrier {
            max_attempts: 0,
            ..Retrier::default()
        };
        assert_eq!(none.next_delay(0, 0.0), None);
    }

    #[test]
    fn full_jitter_scales_the_delay() {
        let r = Retrier {
            interval_seconds: 4,
            jitter: JitterStrategy::Full,
            ..Retrier::default()
        };
        assert_eq!(r.next_delay(0, 0.25), Some(Duration::from_secs(1)));
    }

    proptest::proptest! {
        #[test]
        fn delays_never_exceed_max_delay(interval in 1u64..100, rate in 1.0f64..5.0, attempt in 0u64..20, max in 1u64..1000, unit in 0.0f64..1.0, full in proptest::bool::ANY) {
            let r = Retrier { interval_seconds: interval, backoff_rate: rate, max_attempts: 100, max_delay_seconds: Some(max), jitter: if full { JitterStrategy::Full } else { JitterStrategy::None }, ..Retrier::default() };
            let d = r.next_delay(attempt, unit).unwrap();
            proptest::prop_assert!(d <= Duration::from_secs(max));
            if !full {
                let expected = (interval as f64 * rate.powi(attempt as i32)).min(max as f64);
                proptest::prop_assert!((d.as_secs_f64() - expected).abs() < 1e-6);
            }
        }
    }
}
