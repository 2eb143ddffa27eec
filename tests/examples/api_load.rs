//! W5 with the AWS SDK for Rust: sequential StartExecution + DescribeExecution (until
//! SUCCEEDED) of a one-state machine against any Step Functions endpoint on loopback, so
//! servers can be compared on the same client loop (see ../shared/bench W5).
//!
//! `cargo run --release -p sfn-local-tests --example api_load -- http://127.0.0.1:8083 500`
//! (then a label, and a log level: `... 500 sfn-local ALL` makes the machine log every event
//! with its data to CloudWatch Logs, to measure what logging costs).

use std::time::Instant;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::types::{
    CloudWatchLogsLogGroup, ExecutionStatus, LogDestination, LogLevel, LoggingConfiguration,
};

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

/// Logging at `level` (with the execution data) to one log group, or none for `OFF`.
fn logging(level: &str) -> Result<LoggingConfiguration, Box<dyn std::error::Error>> {
    let mut c = LoggingConfiguration::builder().level(LogLevel::from(level));
    if level != "OFF" {
        c = c.include_execution_data(true).destinations(
            LogDestination::builder()
                .cloud_watch_logs_log_group(
                    CloudWatchLogsLogGroup::builder()
                        .log_group_arn(format!(
                            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/hello-rs-{}:*",
                            std::process::id()
                        ))
                        .build(),
                )
                .build(),
        );
    }
    Ok(c.build())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let k = ((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[k]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8083".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(500);
    let label = args.next().unwrap_or_else(|| "sfn-local".into());
    let level = args.next().unwrap_or_else(|| "OFF".into());
    if !endpoint.starts_with("http://127.0.0.1") && !endpoint.starts_with("http://localhost") {
        return Err("refusing a non-loopback endpoint".into());
    }
    let sfn = client(&endpoint);
    let definition = r#"{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":{"hello":"world"},"End":true}}}"#;
    let arn = sfn
        .create_state_machine()
        .name(format!("hello-rs-{}", std::process::id()))
        .definition(definition)
        .role_arn("arn:aws:iam::123456789012:role/bench")
        .logging_configuration(logging(&level)?)
        .send()
        .await?
        .state_machine_arn()
        .to_string();
    let mut latencies = Vec::with_capacity(n);
    let mut describes = 0u64;
    let all = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let exec = sfn
            .start_execution()
            .state_machine_arn(&arn)
            .name(format!("e{i}"))
            .input("{}")
            .send()
            .await?
            .execution_arn()
            .to_string();
        loop {
            describes += 1;
            let d = sfn.describe_execution().execution_arn(&exec).send().await?;
            if d.status() == &ExecutionStatus::Succeeded && d.output().is_some() {
                break;
            }
            if d.status() != &ExecutionStatus::Running {
                return Err(format!("{exec}: {:?}", d.status()).into());
            }
        }
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = all.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "{{\"workload\": \"w5-rust-sdk\", \"label\": \"{label}\", \"executions\": {n}, \"elapsed_s\": {elapsed:.3}, \"executions_per_s\": {:.1}, \"roundtrip_p50_ms\": {:.2}, \"roundtrip_p99_ms\": {:.2}, \"describes_per_execution\": {:.2}}}",
        n as f64 / elapsed,
        pct(&latencies, 50.0),
        pct(&latencies, 99.0),
        describes as f64 / n as f64
    );
    Ok(())
}
