//! Retention: a closed execution expires [`Settings::retention`] after its end, as on AWS
//! (90 days), so a long-lived server's store does not grow without bound. A sweep runs at
//! start-up and then every tenth of the period (at least every second, at most every hour);
//! each removes the expired executions in batches, oldest first, with all that hangs off them
//! ([`Store::expire_closed_before`]), and the recorded messages of the same age. The same
//! sweep removes the log events older than their log group's retention (`PutRetentionPolicy`;
//! a group without one keeps its events, as on AWS).
//!
//! [`Settings::retention`]: super::Settings::retention
//! [`Store::expire_closed_before`]: crate::store::Store::expire_closed_before

use std::sync::{Arc, Weak};
use std::time::Duration;

use super::{Service, now_ms};

/// Executions removed per transaction: a sweep never holds the store for long.
const BATCH: usize = 500;

impl Service {
    /// Removes what expired by `now` (ms since the epoch). Returns how many executions went.
    pub fn expire(&self, now: i64) -> crate::store::Result<usize> {
        // Log events older than their group's retention (`PutRetentionPolicy`), in batches.
        while self.store.expire_log_events(now)? > 0 {}
        let Some(period) = self.settings.retention else {
            return Ok(0);
        };
        let cutoff = now.saturating_sub(i64::try_from(period.as_millis()).unwrap_or(i64::MAX));
        let mut total = 0;
        loop {
            let n = self.store.expire_closed_before(cutoff, BATCH)?;
            total += n;
            if n < BATCH {
                break;
            }
        }
        Ok(total)
    }

    /// Starts the periodic sweep. It ends with the service.
    pub(crate) fn spawn_retention(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        // Without an execution retention, log groups with one are still swept, hourly.
        let period = self
            .settings
            .retention
            .unwrap_or(Duration::from_secs(36_000));
        let every = (period / 10).clamp(Duration::from_secs(1), Duration::from_secs(3600));
        let me: Weak<Service> = Arc::downgrade(self);
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(svc) = me.upgrade() else { return };
                let swept = tokio::task::spawn_blocking(move || svc.expire(now_ms())).await;
                match swept {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => tracing::info!(executions = n, "expired closed executions"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "retention sweep failed"),
                    Err(e) => tracing::warn!(error = %e, "retention sweep stopped"),
                }
            }
        }))
    }
}
