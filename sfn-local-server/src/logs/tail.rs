//! `sfn-local logs GROUP [--follow] [--filter P] [--since 10m]`: a log group's events, as
//! `aws logs tail` prints them (`TIMESTAMP STREAM MESSAGE`, or `--format short`:
//! `TIMESTAMP MESSAGE`), read from a running server with `FilterLogEvents`. With `--follow`
//! it asks again every second from the newest time it has printed, and never prints an
//! event twice.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::{Value, json};

/// Options of `sfn-local logs`.
#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// The log group (`/aws/vendedlogs/states/NAME-Logs`, ...).
    pub group: String,
    /// Keep printing new events until interrupted.
    #[arg(long)]
    pub follow: bool,
    /// Only events that match this filter pattern (CloudWatch Logs syntax: `ERROR`,
    /// `"a phrase"`, `?A ?B`, `{ $.type = "ExecutionFailed" }`, ...).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// From how long ago: `30s`, `10m`, `2h`, `1d`, `1w`, or an RFC 3339 time.
    #[arg(long, default_value = "10m")]
    pub since: String,
    /// Only streams whose names start so.
    #[arg(long, value_name = "PREFIX")]
    pub stream_prefix: Option<String>,
    /// `detailed` (time, stream, message) or `short` (time, message).
    #[arg(long, default_value = "detailed", value_parser = ["detailed", "short"])]
    pub format: String,
    /// The server.
    #[arg(
        long,
        env = "SFN_LOCAL_ENDPOINT",
        default_value = "http://127.0.0.1:8083"
    )]
    pub endpoint: String,
}

/// Runs the command; returns the exit code (0, 2 bad arguments, 1 the server refused).
pub fn logs(args: &LogsArgs) -> i32 {
    let start = match since(&args.since, Utc::now()) {
        Some(t) => t,
        None => {
            eprintln!(
                "sfn-local: --since: '{}' is neither an amount (30s, 10m, 2h, 1d, 1w) nor an RFC 3339 time",
                args.since
            );
            return 2;
        }
    };
    match crate::client::block_on(tail(args, start)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sfn-local: {e}");
            1
        }
    }
}

/// The start time `--since` stands for, at `now` (epoch ms).
pub fn since(text: &str, now: DateTime<Utc>) -> Option<i64> {
    let t = text.trim();
    let unit = match t.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => {
            return DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.timestamp_millis());
        }
    };
    let amount: i64 = t[..t.len() - 1].parse().ok().filter(|n| *n >= 0)?;
    Some(now.timestamp_millis() - amount.checked_mul(unit * 1000)?)
}

/// One printed line.
pub fn line(event: &Value, format: &str) -> String {
    let ms = event["timestamp"].as_i64().unwrap_or_default();
    let time = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let message = event["message"].as_str().unwrap_or_default().trim_end();
    if format == "short" {
        format!("{} {message}", time.format("%Y-%m-%dT%H:%M:%S"))
    } else {
        format!(
            "{} {} {message}",
            time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00"),
            event["logStreamName"].as_str().unwrap_or_default()
        )
    }
}

async fn tail(args: &LogsArgs, mut start: i64) -> Result<(), String> {
    let target = format!("{}FilterLogEvents", super::api::TARGET_PREFIX);
    // The ids printed at the newest time printed: the next round starts at that time.
    let mut seen: HashSet<String> = HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"logGroupName": args.group, "startTime": start});
        if let Some(f) = &args.filter {
            body["filterPattern"] = json!(f);
        }
        if let Some(p) = &args.stream_prefix {
            body["logStreamNamePrefix"] = json!(p);
        }
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = crate::client::call(&args.endpoint, &target, &body).await?;
        let mut out = String::new();
        for e in page["events"].as_array().into_iter().flatten() {
            let id = e["eventId"].as_str().unwrap_or_default().to_string();
            let time = e["timestamp"].as_i64().unwrap_or_default();
            if time > start {
                start = time;
                seen.clear();
            }
            if time == start && !seen.insert(id) {
                continue;
            }
            out.push_str(&line(e, &args.format));
            out.push('\n');
        }
        if !out.is_empty() {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                // The reader went away (`| head`).
                return Ok(());
            }
        }
        token = page["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            if !args.follow {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_amounts_and_times() {
        let now = DateTime::from_timestamp_millis(1_000_000_000_000).unwrap();
        for (text, want) in [
            ("10m", Some(1_000_000_000_000 - 600_000)),
            ("30s", Some(1_000_000_000_000 - 30_000)),
            ("2h", Some(1_000_000_000_000 - 7_200_000)),
            ("1d", Some(1_000_000_000_000 - 86_400_000)),
            ("1w", Some(1_000_000_000_000 - 604_800_000)),
            ("2024-05-29T14:16:32Z", Some(1_716_992_192_000)),
            ("5h30m", None),
            ("-5m", None),
            ("m", None),
            ("", None),
            ("99999999999999999999d", None),
        ] {
            assert_eq!(since(text, now), want, "{text}");
        }
    }

    #[test]
    fn lines_are_aws_logs_tail_s() {
        let e = json!({"timestamp": 1_716_992_192_441i64, "logStreamName": "states/M/x", "message": "{\"id\":\"1\"}\n"});
        assert_eq!(
            line(&e, "detailed"),
            "2024-05-29T14:16:32.441000+00:00 states/M/x {\"id\":\"1\"}"
        );
        assert_eq!(line(&e, "short"), "2024-05-29T14:16:32 {\"id\":\"1\"}");
    }
}
