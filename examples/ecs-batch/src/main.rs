//! `ecs-batch`: runs the configured schedules' fires over a simulated window, in virtual time,
//! with the real batch script; prints one JSON line per execution and per SNS message.
//!
//! ```sh
//! cargo run -- --env prod --from 2026-11-16 --days 7
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

const USAGE: &str = "usage: ecs-batch [--env dev|prod] [--from YYYY-MM-DD|RFC3339] [--days N]";

struct Args {
    env: String,
    from: DateTime<Utc>,
    days: i64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        env: "prod".into(),
        from: Utc::now(),
        days: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--env" => args.env = value()?,
            "--from" => {
                let v = value()?;
                args.from = match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                    Ok(d) => d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
                    Err(_) => DateTime::parse_from_rfc3339(&v)
                        .map_err(|e| format!("--from {v}: {e}"))?
                        .to_utc(),
                };
            }
            "--days" => {
                let v = value()?;
                args.days = v.parse().map_err(|e| format!("--days {v}: {e}"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

async fn run(args: Args) -> Result<(), String> {
    let config = ecs_batch::load_config(Some(&args.env))?;
    let local = ecs_batch::Local::new(&config)?;
    let to = args.from + chrono::Duration::days(args.days);
    for run in local.simulate(args.from, to).await {
        let o = &run.outcome;
        let task_arn = o
            .output
            .as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .and_then(|v| v["TaskArn"].as_str().map(str::to_string));
        println!(
            "{}",
            json!({"schedule": run.schedule, "at": run.at.to_rfc3339(), "execution": o.name,
                   "status": o.status.as_str(), "error": o.error, "taskArn": task_arn})
        );
    }
    for r in local.recorder.list(Some("sns")) {
        println!("{}", json!({"sns": r.target, "payload": r.payload}));
    }
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    if let Err(e) = rt.block_on(run(args)) {
        eprintln!("ecs-batch: {e}");
        std::process::exit(1);
    }
}
