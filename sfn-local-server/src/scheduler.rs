//! Schedules: `cron(...)`, `rate(...)` and `at(...)` expressions that start executions with a
//! fixed input, as EventBridge rules and EventBridge Scheduler do.
//!
//! Each fire starts an execution named after the schedule and the fire time
//! (`<schedule>-<yyyymmddThhmmssZ>`), so a fire can never start twice: a second attempt after a
//! restart is `ExecutionAlreadyExists` and is skipped. Fires missed while the server was down
//! are not made up (EventBridge does not backfill either).

pub mod cron;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiError, ErrorCode};
use crate::scheduler::cron::Schedule;
use crate::service::{Service, StartExecution};

/// One schedule in the configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Its name (used in execution names).
    pub name: String,
    /// `cron(0 17 * * ? *)`, `rate(5 minutes)` or `at(2026-01-01T00:00:00)`.
    pub expression: String,
    /// The state machine: a name or an ARN (a version or alias ARN too).
    pub state_machine: String,
    /// The input of every execution (default `{}`).
    #[serde(default)]
    pub input: Option<Value>,
    /// Whether it fires (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A schedule ready to run.
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// The configuration.
    pub config: ScheduleConfig,
    /// The parsed expression.
    pub schedule: Schedule,
}

impl Scheduled {
    /// What `sfn-local schedules` and the console show of a schedule: its name, expression,
    /// state machine, whether it is enabled, and its next `count` fire times from `from`.
    pub fn summary(&self, from: chrono::DateTime<chrono::Utc>, count: usize) -> serde_json::Value {
        let next: Vec<String> = if self.config.enabled {
            self.schedule
                .upcoming(from, count)
                .iter()
                .map(|t| t.to_rfc3339())
                .collect()
        } else {
            Vec::new()
        };
        serde_json::json!({"name": self.config.name, "expression": self.config.expression,
               "stateMachine": self.config.state_machine, "enabled": self.config.enabled,
               "next": next})
    }

    /// Parses every schedule of a configuration; the error names the bad one.
    pub fn parse_all(configs: &[ScheduleConfig]) -> Result<Vec<Scheduled>, String> {
        configs
            .iter()
            .map(|c| {
                let schedule: Schedule = c
                    .expression
                    .parse()
                    .map_err(|e| format!("schedule '{}': {e}", c.name))?;
                Ok(Scheduled {
                    config: c.clone(),
                    schedule,
                })
            })
            .collect()
    }

    /// The execution name of the fire at `t`.
    pub fn execution_name(&self, t: DateTime<Utc>) -> String {
        let stamp = t.format("%Y%m%dT%H%M%SZ").to_string();
        let keep = 80 - stamp.len() - 1;
        let name: String = self
            .config
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(keep)
            .collect();
        format!("{name}-{stamp}")
    }
}

/// Every fire of the enabled schedules in `(from, to]`, in time order.
pub fn fires_between(
    schedules: &[Scheduled],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(usize, DateTime<Utc>)> {
    let mut out = Vec::new();
    for (i, s) in schedules.iter().enumerate() {
        if !s.config.enabled {
            continue;
        }
        let mut t = from;
        while let Some(next) = s.schedule.next_after(t) {
            if next > to {
                break;
            }
            out.push((i, next));
            t = next;
        }
    }
    out.sort_by_key(|(i, t)| (*t, *i));
    out
}

/// Starts the execution of one fire. A fire that already started its execution starts no
/// other: the answer is that execution's ARN while it runs (StartExecution is idempotent for
/// the same name and input) and `Ok(None)` once it has closed.
pub async fn fire(
    svc: &Arc<Service>,
    s: &Scheduled,
    at: DateTime<Utc>,
) -> Result<Option<String>, ApiError> {
    let arn = if s.config.state_machine.starts_with("arn:") {
        s.config.state_machine.clone()
    } else {
        svc.settings.arns().state_machine(&s.config.state_machine)
    };
    let input = s.config.input.clone().unwrap_or_else(|| json!({}));
    let start = StartExecution::checked(
        Some(&arn),
        Some(&s.execution_name(at)),
        Some(asl_core::dataflow::to_json_text(&input)),
    )?;
    match svc.start_execution(&start) {
        Ok(started) => Ok(Some(started.execution_arn)),
        Err(e) if e.code == ErrorCode::ExecutionAlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// Fires the schedules on the wall clock until the server stops.
pub async fn run(svc: Arc<Service>, schedules: Vec<Scheduled>) {
    let mut from = Utc::now();
    loop {
        let next = schedules
            .iter()
            .enumerate()
            .filter(|(_, s)| s.config.enabled)
            .filter_map(|(i, s)| s.schedule.next_after(from).map(|t| (t, i)))
            .min();
        let Some((at, _)) = next else {
            return;
        };
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        for (i, t) in fires_between(&schedules, from, at) {
            let s = &schedules[i];
            match fire(&svc, s, t).await {
                Ok(Some(arn)) => {
                    tracing::info!(schedule = %s.config.name, execution = %arn, "schedule fired")
                }
                Ok(None) => tracing::info!(schedule = %s.config.name, "already fired"),
                Err(e) => {
                    tracing::warn!(schedule = %s.config.name, error = e.code.as_str(), message = %e.message, "schedule could not start its execution")
                }
            }
        }
        from = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sched(name: &str, expr: &str, enabled: bool) -> ScheduleConfig {
        ScheduleConfig {
            name: name.into(),
            expression: expr.into(),
            state_machine: "batch".into(),
            input: None,
            enabled,
        }
    }

    #[test]
    fn a_daily_cron_fires_once_a_day_and_disabled_ones_never() {
        let all = Scheduled::parse_all(&[
            sched("prod-nightly", "cron(0 17 * * ? *)", true),
            sched("dev-nightly", "cron(0 17 * * ? *)", false),
        ])
        .unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let fires = fires_between(&all, monday, monday + chrono::Duration::days(7));
        assert_eq!(fires.len(), 7);
        assert!(
            fires
                .iter()
                .all(|(i, t)| *i == 0 && t.format("%H:%M").to_string() == "17:00")
        );
        assert_eq!(
            all[0].execution_name(fires[0].1),
            "prod-nightly-20261116T170000Z"
        );
    }

    #[test]
    fn bad_expressions_name_their_schedule() {
        let e = Scheduled::parse_all(&[sched("x", "cron(0 17 * * * *)", true)]).unwrap_err();
        assert!(e.contains("schedule 'x'"), "{e}");
    }
}
