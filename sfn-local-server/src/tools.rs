//! Small CLI commands around the server: recorded messages, schedules, ECS task logs.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::config::FileConfig;
use crate::integrations::ecs::EcsHandler;
use crate::scheduler::Scheduled;
use crate::store::Store;

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
