//! Metrics as Step Functions publishes them to CloudWatch (namespace `AWS/States`), counted by
//! the server and written at `GET /metrics` in the Prometheus text format: the metric's AWS
//! name, its dimension as a label (`StateMachineArn`), durations in AWS's unit (milliseconds)
//! as histograms. The counters live in the store and survive a restart.
//!
//! Counted today, from each status change of a Standard execution (see `status_events.rs`):
//! `ExecutionsStarted`, `ExecutionsSucceeded`, `ExecutionsFailed`, `ExecutionsTimedOut`,
//! `ExecutionsAborted`, `ExecutionsRedriven`, the `RedrivenExecutions*` of each end, and
//! `ExecutionTime` (from start to close).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use asl_interpreter::Status;

use crate::store::{ExecutionRec, Store, WriteOp, Writer};

/// A metric family: its name, type and help text.
struct Family {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "ExecutionsStarted",
        kind: "counter",
        help: "The number of executions started (AWS/States, Count).",
    },
    Family {
        name: "ExecutionsSucceeded",
        kind: "counter",
        help: "The number of executions that succeeded (AWS/States, Count).",
    },
    Family {
        name: "ExecutionsFailed",
        kind: "counter",
        help: "The number of executions that failed (AWS/States, Count).",
    },
    Family {
        name: "ExecutionsTimedOut",
        kind: "counter",
        help: "The number of executions that timed out (AWS/States, Count).",
    },
    Family {
        name: "ExecutionsAborted",
        kind: "counter",
        help: "The number of executions aborted or stopped (AWS/States, Count).",
    },
    Family {
        name: "ExecutionsRedriven",
        kind: "counter",
        help: "The number of executions redriven (AWS/States, Count).",
    },
    Family {
        name: "RedrivenExecutionsSucceeded",
        kind: "counter",
        help: "The number of redriven executions that succeeded (AWS/States, Count).",
    },
    Family {
        name: "RedrivenExecutionsFailed",
        kind: "counter",
        help: "The number of redriven executions that failed (AWS/States, Count).",
    },
    Family {
        name: "RedrivenExecutionsTimedOut",
        kind: "counter",
        help: "The number of redriven executions that timed out (AWS/States, Count).",
    },
    Family {
        name: "RedrivenExecutionsAborted",
        kind: "counter",
        help: "The number of redriven executions aborted (AWS/States, Count).",
    },
    Family {
        name: "ExecutionTime",
        kind: "histogram",
        help: "The interval between the start of an execution and its close, in milliseconds (AWS/States, Milliseconds).",
    },
];

/// The upper bounds of `ExecutionTime`'s buckets, in milliseconds.
const TIME_BUCKETS: &[f64] = &[
    10.0,
    50.0,
    100.0,
    500.0,
    1_000.0,
    5_000.0,
    10_000.0,
    60_000.0,
    300_000.0,
    3_600_000.0,
];

/// The counters, keyed by name and labels as the text format writes them.
pub(crate) struct Metrics(Mutex<BTreeMap<String, f64>>);

impl Metrics {
    /// The counters stored by earlier runs.
    pub fn load(store: &Store) -> Metrics {
        let stored = store.metrics().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the stored metrics");
            Vec::new()
        });
        Metrics(Mutex::new(stored.into_iter().collect()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, f64>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a status change of `rec` (as it is now).
    pub fn status_changed(&self, rec: &ExecutionRec, writer: &Writer) {
        let labels = format!("StateMachineArn=\"{}\"", label_value(&rec.sm_arn));
        let redriven = rec.redrive_count > 0;
        let mut adds: Vec<(String, f64)> = Vec::new();
        let mut count = |name: &str| adds.push((format!("{name}{{{labels}}}"), 1.0));
        let end = match rec.status {
            Status::Running if redriven => {
                count("ExecutionsRedriven");
                None
            }
            Status::Running => {
                count("ExecutionsStarted");
                None
            }
            Status::Succeeded => Some("Succeeded"),
            Status::Failed => Some("Failed"),
            Status::TimedOut => Some("TimedOut"),
            Status::Aborted => Some("Aborted"),
        };
        if let Some(end) = end {
            count(&format!("Executions{end}"));
            if redriven {
                count(&format!("RedrivenExecutions{end}"));
            }
            if let Some(stop) = rec.stop {
                let ms = (stop - rec.start).max(0) as f64;
                for le in TIME_BUCKETS {
                    if ms <= *le {
                        adds.push((format!("ExecutionTime_bucket{{{labels},le=\"{le}\"}}"), 1.0));
                    }
                }
                adds.push((format!("ExecutionTime_bucket{{{labels},le=\"+Inf\"}}"), 1.0));
                adds.push((format!("ExecutionTime_sum{{{labels}}}"), ms));
                adds.push((format!("ExecutionTime_count{{{labels}}}"), 1.0));
            }
        }
        {
            let mut m = self.lock();
            for (key, amount) in &adds {
                *m.entry(key.clone()).or_insert(0.0) += amount;
            }
        }
        writer.send(WriteOp::Metrics(adds));
    }

    /// The Prometheus text format of every counter, each family with its `HELP` and `TYPE`.
    pub fn render(&self) -> String {
        let m = self.lock();
        let mut out = String::new();
        for f in FAMILIES {
            let series: Vec<(&String, &f64)> =
                m.iter().filter(|(k, _)| family_of(k) == f.name).collect();
            if series.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
            let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
            for (k, v) in series {
                let _ = writeln!(out, "{k} {v}");
            }
        }
        out
    }
}

/// The family of a series key: `ExecutionTime` for `ExecutionTime_bucket{...}`.
fn family_of(key: &str) -> &str {
    let name = key.split('{').next().unwrap_or(key);
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

/// A label value in the text format: `\`, `"` and line feeds escaped.
fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
