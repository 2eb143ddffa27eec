//! Small CLI commands around the server: recorded messages, schedules, ECS task logs.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::config::FileConfig;
use crate::integrations::ecs::EcsHandler;
use crate::scheduler::Scheduled;
use crate::store::Store;

/// `sfn-local metrics`.
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// The server's data directory.
    #[arg(long, env = "SFN_LOCAL_DATA_DIR", default_value = ".sfn-local")]
    pub data_dir: PathBuf,
}

/// Prints the execution metrics of each state machine as a table: how many started, ended
/// each way, and the share that failed or timed out (what the operations guide's alarms
/// watch), from the counters the server keeps in its store.
pub fn metrics(args: &MetricsArgs) -> i32 {
    let path = args.data_dir.join("sfn-local.db");
    if !path.exists() {
        eprintln!("sfn-local: no store at {}", path.display());
        return 2;
    }
    let counters = match Store::open(Some(&path)).and_then(|s| s.metrics()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sfn-local: {e}");
            return 1;
        }
    };
    print!("{}", metrics_table(&counters));
    0
}

/// The table `sfn-local metrics` prints, from the stored counters.
pub fn metrics_table(counters: &[(String, f64)]) -> String {
    const COLUMNS: [&str; 6] = [
        "ExecutionsStarted",
        "ExecutionsSucceeded",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
        "ExecutionsRedriven",
    ];
    let mut rows: std::collections::BTreeMap<String, [f64; 6]> = Default::default();
    for (key, value) in counters {
        let Some((name, labels)) = key.split_once('{') else {
            continue;
        };
        let Some(col) = COLUMNS.iter().position(|c| *c == name) else {
            continue;
        };
        let arn = labels
            .strip_prefix("StateMachineArn=\"")
            .and_then(|l| l.strip_suffix("\"}"))
            .unwrap_or(labels);
        rows.entry(arn.to_string()).or_insert([0.0; 6])[col] += value;
    }
    let mut out = String::from(
        "state machine                             started  succeeded  failed  timed out  aborted  redriven  failed %\n",
    );
    for (arn, c) in &rows {
        let name = arn.rsplit(':').next().unwrap_or(arn);
        let ended = c[1] + c[2] + c[3] + c[4];
        let failing = if ended > 0.0 {
            format!("{:.1}", 100.0 * (c[2] + c[3]) / ended)
        } else {
            "-".to_string()
        };
        out.push_str(&format!(
            "{name:<40} {:>8} {:>10} {:>7} {:>10} {:>8} {:>9} {:>9}\n",
            c[0], c[1], c[2], c[3], c[4], c[5], failing
        ));
    }
    out
}

/// `sfn-local messages`.
#[derive(Debug, Clone, Args)]
pub struct MessagesArgs {
    /// The server's data directory.
    #[arg(long, env = "SFN_LOCAL_DATA_DIR", default_value = ".sfn-local")]
    pub data_dir: PathBuf,
    /// Only this service: `sns`, `sqs` or `events`.
    #[arg(long)]
    pub service: Option<String>,
}

/// Prints the recorded SNS/SQS/EventBridge messages as JSON lines, oldest first.
pub fn messages(args: &MessagesArgs) -> i32 {
    let path = args.data_dir.join("sfn-local.db");
    if !path.exists() {
        eprintln!("sfn-local: no store at {}", path.display());
        return 2;
    }
    let store = match Store::open(Some(&path)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sfn-local: {e}");
            return 1;
        }
    };
    match store.records(args.service.as_deref()) {
        Ok(records) => {
            for r in records {
                println!("{}", r.payload);
            }
            0
        }
        Err(e) => {
            eprintln!("sfn-local: {e}");
            1
        }
    }
}

/// `sfn-local schedules`.
#[derive(Debug, Clone, Args)]
pub struct SchedulesArgs {
    /// The configuration file.
    #[arg(long, env = "SFN_LOCAL_CONFIG")]
    pub config: PathBuf,
    /// The environment whose overrides apply.
    #[arg(long, env = "SFN_LOCAL_ENV")]
    pub env: Option<String>,
    /// How many fire times to list per schedule.
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// List fire times after this instant (RFC 3339; default now).
    #[arg(long)]
    pub from: Option<DateTime<Utc>>,
}

/// Prints each schedule with its next fire times (JSON lines).
pub fn schedules(args: &SchedulesArgs) -> i32 {
    let file = match FileConfig::load(&args.config, args.env.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sfn-local: bad configuration: {e}");
            return 2;
        }
    };
    let all = match Scheduled::parse_all(&file.schedules) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sfn-local: bad configuration: {e}");
            return 2;
        }
    };
    let from = args.from.unwrap_or_else(Utc::now);
    for s in &all {
        println!("{}", s.summary(from, args.count));
    }
    0
}

/// `sfn-local ecs-log`.
#[derive(Debug, Clone, Args)]
pub struct EcsLogArgs {
    /// The task ARN or id.
    pub task: String,
    /// The configuration file (its `ecs.logDir`).
    #[arg(long, env = "SFN_LOCAL_CONFIG")]
    pub config: PathBuf,
    /// The environment whose overrides apply.
    #[arg(long, env = "SFN_LOCAL_ENV")]
    pub env: Option<String>,
}

/// Prints the log (stdout and stderr) of one ECS task.
pub fn ecs_log(args: &EcsLogArgs) -> i32 {
    let file = match FileConfig::load(&args.config, args.env.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sfn-local: bad configuration: {e}");
            return 2;
        }
    };
    let Some(ecs) = file.ecs else {
        eprintln!("sfn-local: the configuration has no `ecs` section");
        return 2;
    };
    match EcsHandler::new(Arc::new(ecs)).read_log(&args.task) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("sfn-local: no log for {}: {e}", args.task);
            1
        }
    }
}
