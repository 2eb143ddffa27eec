//! Execution logs and the CloudWatch Logs API: what each `loggingConfiguration` logs (levels,
//! `includeExecutionData`, Standard and Express), the records' shape against the execution's
//! own history, the Logs API's answers and errors, and the real AWS CLI v2 (`aws logs tail`,
//! bounded `--follow`, `filter-log-events` with a term, an execution ARN and a JSON pattern,
//! `describe-log-streams`) and `sfn-local logs` reading them.
//!
//! The AWS CLI v2 is Debian's `awscli` package (`.ci/run` installs it); without it the CLI
//! test is skipped, unless `SFN_LOCAL_REQUIRE_AWS_CLI_V2` is set.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{logs_call, logs_ok, ok, spawn, wait_closed};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn group_arn(group: &str) -> String {
    format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}:*")
}

/// Creates a state machine that logs to `group` at `level`.
fn create_logged(e: &str, name: &str, kind: &str, level: &str, data: bool, group: &str) -> String {
    let definition = json!({"StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Choices": [
            {"Variable": "$.end", "StringEquals": "fail", "Next": "Broke"}], "Default": "Done"},
        "Broke": {"Type": "Fail", "Error": "Broke", "Cause": "it broke"},
        "Done": {"Type": "Pass", "Result": {"done": true}, "End": true}}});
    ok(
        e,
        "CreateStateMachine",
        json!({"name": name, "type": kind, "roleArn": ROLE, "definition": definition.to_string(),
               "loggingConfiguration": {"level": level, "includeExecutionData": data,
                   "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn(group)}}]}}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every record of `group` logged by `execution`, once its end (any `Execution*` end
/// event, or `n` records) is there.
fn records_of(e: &str, group: &str, execution: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = logs_ok(
            e,
            "FilterLogEvents",
            json!({"logGroupName": group, "filterPattern": format!("\"{execution}\"")}),
        );
        let records: Vec<Value> = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ev| {
                let rec: Value = serde_json::from_str(ev["message"].as_str().unwrap()).unwrap();
                assert_eq!(
                    rec["event_timestamp"].as_str().unwrap(),
                    ev["timestamp"].to_string(),
                    "the log event's time is the history event's"
                );
                rec
            })
            .collect();
        if records.len() >= n || Instant::now() > deadline {
            return records;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn types(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect()
}

fn start(e: &str, sm: &str, end: &str) -> String {
    common::start(e, sm, &json!({"end": end}))
}

#[test]
fn each_logging_configuration_logs_what_aws_logs() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();

    // ALL with data: every history event, as the history has it.
    let all = create_logged(
        e,
        "all",
        "STANDARD",
        "ALL",
        true,
        "/aws/vendedlogs/states/all",
    );
    let x = start(e, &all, "ok");
    wait_closed(e, &x);
    let history = ok(e, "GetExecutionHistory", json!({"executionArn": x}))["events"].clone();
    let history = history.as_array().unwrap();
    let records = records_of(e, "/aws/vendedlogs/states/all", &x, history.len());
    assert_eq!(records.len(), history.len(), "{records:#?}");
    for (rec, ev) in records.iter().zip(history) {
        let keys: Vec<&str> = rec
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "type",
                "details",
                "previous_event_id",
                "event_timestamp",
                "execution_arn",
                "redrive_count"
            ]
        );
        assert_eq!(rec["id"], json!(ev["id"].to_string()));
        assert_eq!(rec["type"], ev["type"]);
        assert_eq!(
            rec["previous_event_id"],
            json!(ev["previousEventId"].to_string())
        );
        assert_eq!(rec["execution_arn"], json!(x));
        assert_eq!(rec["redrive_count"], json!("0"));
        let details = ev
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .map_or(json!({}), |(_, v)| v.clone());
        assert_eq!(rec["details"], details, "{}", rec["type"]);
    }
    assert_eq!(records[0]["details"]["roleArn"], json!(ROLE));
    // The stream AWS makes when logging is configured, and the execution's own.
    let streams = logs_ok(
        e,
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/vendedlogs/states/all"}),
    );
    let names: Vec<&str> = streams["logStreams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["logStreamName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{streams}");
    assert_eq!(
        names[0],
        "log_stream_created_by_aws_to_validate_log_delivery_subscriptions"
    );
    let ours = names[1];
    let parts: Vec<&str> = ours.split('/').collect();
    assert_eq!(parts[..2], ["states", "all"], "{ours}");
    assert_eq!(parts[2].len(), "2026-12-07-15-52".len(), "{ours}");
    assert_eq!(parts[3].len(), 8, "{ours}");

    // ERROR: the failures and the Fail state; nothing of a success.
    let error = create_logged(e, "error", "STANDARD", "ERROR", true, "/g/error");
    let good = start(e, &error, "ok");
    let bad = start(e, &error, "fail");
    wait_closed(e, &good);
    wait_closed(e, &bad);
    let failed = records_of(e, "/g/error", &bad, 2);
    assert_eq!(types(&failed), ["FailStateEntered", "ExecutionFailed"]);
    assert_eq!(
        failed[1]["details"],
        json!({"error": "Broke", "cause": "it broke"})
    );
    assert_eq!(
        (&failed[0]["id"], &failed[0]["previous_event_id"]),
        (&json!("4"), &json!("3")),
        "the history's ids"
    );
    assert_eq!(failed[1]["id"], json!("5"));
    assert!(records_of(e, "/g/error", &good, 0).is_empty());

    // FATAL: the execution's failed end only.
    let fatal = create_logged(e, "fatal", "STANDARD", "FATAL", true, "/g/fatal");
    let bad = start(e, &fatal, "fail");
    wait_closed(e, &bad);
    assert_eq!(
        types(&records_of(e, "/g/fatal", &bad, 1)),
        ["ExecutionFailed"]
    );

    // includeExecutionData false: no inputs or outputs, the rest stays.
    let nodata = create_logged(e, "nodata", "STANDARD", "ALL", false, "/g/nodata");
    let x = start(e, &nodata, "ok");
    wait_closed(e, &x);
    let records = records_of(e, "/g/nodata", &x, 6);
    assert_eq!(records[0]["details"], json!({"roleArn": ROLE}));
    assert_eq!(records.last().unwrap()["details"], json!({}));
    for r in &records {
        for member in ["input", "inputDetails", "output", "outputDetails"] {
            assert!(r["details"].get(member).is_none(), "{r}");
        }
    }
    assert_eq!(records[1]["details"], json!({"name": "Pick"}));

    // EXPRESS: no history, but the logs show the whole run.
    let express = create_logged(e, "express", "EXPRESS", "ALL", true, "/g/express");
    let run = ok(
        e,
        "StartSyncExecution",
        json!({"stateMachineArn": express, "input": "{\"end\":\"ok\"}"}),
    );
    let x = run["executionArn"].as_str().unwrap();
    assert!(x.contains(":express:"), "{x}");
    let records = records_of(e, "/g/express", x, 6);
    assert_eq!(
        types(&records),
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        records[5]["details"]["output"],
        json!("{\"done\":true}"),
        "{records:#?}"
    );

    // A redriven execution's records carry its redrive count.
    let redriven = start(e, &all, "fail");
    wait_closed(e, &redriven);
    ok(e, "RedriveExecution", json!({"executionArn": redriven}));
    wait_closed(e, &redriven);
    let records = records_of(e, "/aws/vendedlogs/states/all", &redriven, 6);
    assert_eq!(records.first().unwrap()["redrive_count"], json!("0"));
    assert_eq!(records.last().unwrap()["redrive_count"], json!("1"));
    assert_eq!(records.last().unwrap()["type"], json!("ExecutionFailed"));

    // Turning logging off stops it.
    ok(
        e,
        "UpdateStateMachine",
        json!({"stateMachineArn": fatal, "loggingConfiguration": {"level": "OFF"}}),
    );
    let quiet = start(e, &fatal, "fail");
    wait_closed(e, &quiet);
    std::thread::sleep(Duration::from_millis(200));
    assert!(records_of(e, "/g/fatal", &quiet, 0).is_empty());
}

#[test]
fn the_logs_api_answers_as_aws_does() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let err = |op: &str, body: Value| {
        let (status, v) = logs_call(e, op, body);
        assert_eq!(status, 400, "{op}: {v}");
        (
            v["__type"].as_str().unwrap().to_string(),
            v["message"].as_str().unwrap().to_string(),
        )
    };
    logs_ok(
        e,
        "CreateLogGroup",
        json!({"logGroupName": "/app/one", "tags": {"team": "a"}}),
    );
    assert_eq!(
        err("CreateLogGroup", json!({"logGroupName": "/app/one"})),
        (
            "ResourceAlreadyExistsException".into(),
            "The specified log group already exists".into()
        )
    );
    assert_eq!(
        err("DescribeLogStreams", json!({"logGroupName": "/nothere"})).0,
        "ResourceNotFoundException"
    );
    assert_eq!(
        err("DeleteLogGroup", json!({"logGroupName": "/nothere"})).1,
        "The specified log group does not exist."
    );
    assert_eq!(
        err("CreateLogGroup", json!({"logGroupName": "bad name!"})).0,
        "InvalidParameterException"
    );
    assert_eq!(
        err("CreateLogGroup", json!({"logGroupName": "a".repeat(513)})).1,
        "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
    );
    assert_eq!(
        err(
            "FilterLogEvents",
            json!({"logGroupName": "/app/one", "limit": 10001})
        )
        .1,
        "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"
    );
    assert_eq!(
        err(
            "FilterLogEvents",
            json!({"logGroupName": "/app/one", "filterPattern": "{ $.a = 1"})
        )
        .1,
        "If a filter pattern starts with '{' it must end with '}'"
    );
    assert_eq!(
        err(
            "FilterLogEvents",
            json!({"logGroupName": "/app/one", "nextToken": "garbage!"})
        )
        .1,
        "The specified nextToken is invalid."
    );

    // Writing and reading back, paged.
    logs_ok(
        e,
        "CreateLogStream",
        json!({"logGroupName": "/app/one", "logStreamName": "s1"}),
    );
    assert_eq!(
        err(
            "CreateLogStream",
            json!({"logGroupName": "/app/one", "logStreamName": "s1"})
        )
        .1,
        "The specified log stream already exists"
    );
    let now = chrono_now();
    let events: Vec<Value> = (0..25)
        .map(|i| json!({"timestamp": now + i, "message": format!("line {i} {}", if i % 5 == 0 { "ERROR" } else { "INFO" })}))
        .collect();
    logs_ok(
        e,
        "PutLogEvents",
        json!({"logGroupName": "/app/one", "logStreamName": "s1", "logEvents": events}),
    );
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"logGroupName": "/app/one", "limit": 7});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = logs_ok(e, "FilterLogEvents", body);
        for ev in page["events"].as_array().unwrap() {
            seen.push(ev["message"].as_str().unwrap().to_string());
            assert_eq!(ev["logStreamName"], "s1");
            assert!(ev["eventId"].is_string());
        }
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[24], "line 24 INFO");
    let errors = logs_ok(
        e,
        "FilterLogEvents",
        json!({"logGroupName": "/app/one", "filterPattern": "ERROR",
               "startTime": now + 1, "endTime": now + 20}),
    );
    assert_eq!(errors["events"].as_array().unwrap().len(), 4, "{errors}");

    // GetLogEvents: the latest by default, the first from the head, tokens that repeat at the end.
    let latest = logs_ok(
        e,
        "GetLogEvents",
        json!({"logGroupName": "/app/one", "logStreamName": "s1", "limit": 3}),
    );
    let msgs: Vec<&str> = latest["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, ["line 22 INFO", "line 23 INFO", "line 24 INFO"]);
    let fwd = latest["nextForwardToken"].as_str().unwrap();
    let again = logs_ok(
        e,
        "GetLogEvents",
        json!({"logGroupName": "/app/one", "logStreamName": "s1", "nextToken": fwd, "startFromHead": true}),
    );
    assert!(again["events"].as_array().unwrap().is_empty());
    assert_eq!(again["nextForwardToken"], json!(fwd));
    let head = logs_ok(
        e,
        "GetLogEvents",
        json!({"logGroupName": "/app/one", "logStreamName": "s1", "limit": 2, "startFromHead": true}),
    );
    assert_eq!(head["events"][0]["message"], "line 0 ERROR");

    // Groups, tags and retention.
    let groups = logs_ok(
        e,
        "DescribeLogGroups",
        json!({"logGroupNamePrefix": "/app"}),
    );
    let g = &groups["logGroups"][0];
    assert_eq!(g["logGroupName"], "/app/one");
    assert_eq!(
        g["arn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/app/one:*"
    );
    assert_eq!(
        g["logGroupArn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/app/one"
    );
    assert!(g["storedBytes"].as_i64().unwrap() > 0);
    logs_ok(
        e,
        "TagResource",
        json!({"resourceArn": g["logGroupArn"], "tags": {"env": "dev"}}),
    );
    let tags = logs_ok(e, "ListTagsLogGroup", json!({"logGroupName": "/app/one"}));
    assert_eq!(tags["tags"], json!({"env": "dev", "team": "a"}));
    logs_ok(
        e,
        "PutRetentionPolicy",
        json!({"logGroupName": "/app/one", "retentionInDays": 7}),
    );
    assert_eq!(
        err(
            "PutRetentionPolicy",
            json!({"logGroupName": "/app/one", "retentionInDays": 8})
        )
        .0,
        "InvalidParameterException"
    );
    let groups = logs_ok(e, "DescribeLogGroups", json!({}));
    assert_eq!(groups["logGroups"][0]["retentionInDays"], 7);
    logs_ok(e, "DeleteLogGroup", json!({"logGroupName": "/app/one"}));
    assert_eq!(
        err(
            "GetLogEvents",
            json!({"logGroupName": "/app/one", "logStreamName": "s1"})
        )
        .1,
        "The specified log group does not exist."
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The AWS CLI v2, if installed.
fn aws_cli_v2() -> Option<PathBuf> {
    for candidate in ["/usr/bin/aws", "/usr/local/bin/aws"] {
        let version = Command::new(candidate).arg("--version").output();
        if let Ok(out) = version
            && String::from_utf8_lossy(&out.stdout).starts_with("aws-cli/2")
        {
            return Some(PathBuf::from(candidate));
        }
    }
    assert!(
        std::env::var_os("SFN_LOCAL_REQUIRE_AWS_CLI_V2").is_none(),
        "SFN_LOCAL_REQUIRE_AWS_CLI_V2 is set but no AWS CLI v2 is installed"
    );
    None
}

fn aws(cli: &PathBuf, endpoint: &str, args: &[&str]) -> Command {
    let mut c = Command::new(cli);
    c.args(args)
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_PAGER", "")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    c
}

fn output(mut c: Command) -> String {
    let out = c.output().expect("run the command");
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Reads `child`'s stdout lines until one contains every needle (or 60 s pass); kills it.
fn follow_until(mut c: Command, needles: &[&str], meanwhile: impl FnOnce()) -> String {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the follower");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Let it make its first round before anything happens.
    std::thread::sleep(Duration::from_millis(1500));
    meanwhile();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut all = String::new();
    let found = loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let hit = needles.iter().all(|n| line.contains(n));
                all.push_str(&line);
                all.push('\n');
                if hit {
                    break true;
                }
            }
            Err(_) if Instant::now() > deadline => break false,
            Err(_) => {}
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "no line with {needles:?} in:\n{all}");
    all
}

#[test]
fn the_aws_cli_and_sfn_local_logs_read_execution_logs() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let group = "/aws/states/TaskGenerationWorkflow";
    let sm = create_logged(e, "TaskGenerationWorkflow", "STANDARD", "ALL", true, group);
    let good = start(e, &sm, "ok");
    let bad = start(e, &sm, "fail");
    wait_closed(e, &good);
    wait_closed(e, &bad);
    records_of(e, group, &bad, 5);

    // sfn-local logs: the same lines as aws logs tail, filtered.
    let mut c = Command::new(env!("CARGO_BIN_EXE_sfn-local"));
    c.args([
        "logs",
        group,
        "--endpoint",
        e,
        "--filter",
        "{ $.type = \"ExecutionFailed\" }",
    ]);
    let out = output(c);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains(&bad) && out.contains("\"type\":\"ExecutionFailed\""),
        "{out}"
    );
    let mut c = Command::new(env!("CARGO_BIN_EXE_sfn-local"));
    c.args(["logs", group, "--endpoint", e, "--format", "short"]);
    let out = output(c);
    assert_eq!(
        out.lines().count(),
        12,
        "two executions of 5 and 6 events, and the validation message:\n{out}"
    );
    let mut c = Command::new(env!("CARGO_BIN_EXE_sfn-local"));
    c.args(["logs", "/nothere", "--endpoint", e]);
    let failed = c.output().unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("ResourceNotFoundException"));

    // sfn-local logs --follow sees an execution started after it.
    let mut follow = Command::new(env!("CARGO_BIN_EXE_sfn-local"));
    follow.args(["logs", group, "--endpoint", e, "--follow"]);
    let mut later = String::new();
    follow_until(follow, &["ExecutionSucceeded", "later-local"], || {
        later = ok(
            e,
            "StartExecution",
            json!({"stateMachineArn": sm, "name": "later-local", "input": "{\"end\":\"ok\"}"}),
        )["executionArn"]
            .as_str()
            .unwrap()
            .to_string();
    });

    let Some(cli) = aws_cli_v2() else {
        eprintln!("skipped the AWS CLI v2 part: no AWS CLI v2 installed");
        return;
    };
    // aws logs tail (not following): every event of the last 10 minutes, one line each.
    let out = output(aws(&cli, e, &["logs", "tail", group]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 12, "{out}");
    let first: Vec<&str> = lines[0].splitn(3, ' ').collect();
    assert!(first[0].ends_with("+00:00"), "{}", lines[0]);
    assert!(
        out.contains(&format!("\"execution_arn\":\"{good}\"")),
        "{out}"
    );

    // filter-log-events: a term, an execution ARN as the operations guide writes it, a JSON pattern.
    let events = |pattern: &str| -> Vec<Value> {
        let out = output(aws(
            &cli,
            e,
            &[
                "logs",
                "filter-log-events",
                "--log-group-name",
                group,
                "--filter-pattern",
                pattern,
                "--output",
                "json",
            ],
        ));
        let v: Value = serde_json::from_str(&out).unwrap();
        v["events"].as_array().unwrap().clone()
    };
    let failures = events("ExecutionFailed");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(events(&bad).len(), 5);
    assert_eq!(events(&format!("\"{good}\"")).len(), 6);
    let json_pattern = events("{ $.type = \"ExecutionFailed\" && $.details.error = \"Broke\" }");
    assert_eq!(json_pattern.len(), 1);
    assert!(json_pattern[0]["message"].as_str().unwrap().contains(&bad));
    assert_eq!(events("?ExecutionFailed ?ExecutionSucceeded").len(), 3);

    // describe-log-streams: the validation stream and one per execution.
    let out = output(aws(
        &cli,
        e,
        &[
            "logs",
            "describe-log-streams",
            "--log-group-name",
            group,
            "--output",
            "json",
        ],
    ));
    let streams: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        streams["logStreams"].as_array().unwrap().len(),
        4,
        "{streams}"
    );
    let out = output(aws(
        &cli,
        e,
        &["logs", "describe-log-groups", "--output", "json"],
    ));
    assert!(out.contains(group), "{out}");

    // aws logs tail --follow sees an execution started after it (it polls every 5 s).
    follow_until(
        aws(&cli, e, &["logs", "tail", group, "--follow"]),
        &["ExecutionSucceeded", "later-cli"],
        || {
            ok(
                e,
                "StartExecution",
                json!({"stateMachineArn": sm, "name": "later-cli", "input": "{\"end\":\"ok\"}"}),
            );
        },
    );
}

/// Every operation with hostile bodies: an answer in AWS's error shape, never a 5xx.
#[test]
fn hostile_logs_requests_get_aws_shaped_refusals() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    logs_ok(e, "CreateLogGroup", json!({"logGroupName": "/h"}));
    logs_ok(
        e,
        "CreateLogStream",
        json!({"logGroupName": "/h", "logStreamName": "s"}),
    );
    let deep = (0..100).fold(json!(1), |v, _| json!([v]));
    let bodies = [
        json!({}),
        json!({"logGroupName": 5}),
        json!({"logGroupName": "/h", "logStreamName": "s", "limit": -1}),
        json!({"logGroupName": "/h", "logStreamName": "s", "limit": 1e300}),
        json!({"logGroupName": "/h", "logStreamName": "s", "startTime": -5, "endTime": i64::MAX}),
        json!({"logGroupName": "/h", "logStreamName": "s", "nextToken": "f/x/y"}),
        json!({"logGroupName": "/h", "logStreamName": "s", "nextToken": "\u{0}\u{ffff}"}),
        json!({"logGroupName": "/h", "filterPattern": "{ ".repeat(600)}),
        json!({"logGroupName": "/h", "filterPattern": "%(a+)+$%"}),
        json!({"logGroupName": "/h", "logStreamNames": []}),
        json!({"logGroupName": "/h", "logStreamNames": ["s"], "logStreamNamePrefix": "s"}),
        json!({"logGroupName": "/h", "logStreamName": "s", "logEvents": [{"timestamp": "x", "message": "m"}]}),
        json!({"logGroupName": "/h", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": ""}]}),
        json!({"logGroupName": "/h", "logStreamName": "s", "logEvents": deep}),
        json!({"logGroupName": "/h", "tags": {"k": 1}}),
        json!({"logGroupName": "/h", "tags": {"": "v"}}),
        json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:1:log-group:/h", "logGroupName": "/h"}),
        json!({"logGroupIdentifier": "x".repeat(3000)}),
        json!({"resourceArn": "arn:aws:logs:us-east-1:1:log-group:/h:*", "tags": {"a": "b"}}),
        json!({"logGroupName": "/h", "retentionInDays": "7"}),
        json!({"logGroupName": "/h", "orderBy": "LastEventTime", "logStreamNamePrefix": "s"}),
        json!({"logGroupName": "/h", "orderBy": "Size"}),
    ];
    for op in [
        "CreateLogGroup",
        "DeleteLogStream",
        "DescribeLogGroups",
        "DescribeLogStreams",
        "FilterLogEvents",
        "GetLogEvents",
        "ListTagsForResource",
        "PutLogEvents",
        "PutRetentionPolicy",
        "TagLogGroup",
        "TagResource",
        "UntagResource",
        "NoSuchOperation",
    ] {
        for body in &bodies {
            let (status, v) = logs_call(e, op, body.clone());
            assert!(status == 200 || status == 400, "{op} {body}: {status} {v}");
            if status == 400 {
                assert!(
                    v["__type"].is_string() && v["message"].is_string(),
                    "{op}: {v}"
                );
            }
        }
    }
    // The group is still there, and the server still answers.
    logs_ok(e, "DescribeLogStreams", json!({"logGroupName": "/h"}));
}

/// A page of GetLogEvents holds at most 1 MB (AWS: "as many log events as can fit in a
/// response size of 1 MB"), from the head or from the tail, and the tokens reach the rest.
#[test]
fn get_log_events_pages_hold_at_most_a_megabyte() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    logs_ok(e, "CreateLogGroup", json!({"logGroupName": "/big"}));
    logs_ok(
        e,
        "CreateLogStream",
        json!({"logGroupName": "/big", "logStreamName": "s"}),
    );
    let now = chrono_now();
    let big = "x".repeat(60_000);
    for batch in 0..2 {
        let events: Vec<Value> = (0..15)
            .map(|i| json!({"timestamp": now + batch * 15 + i, "message": format!("{:02}{big}", batch * 15 + i)}))
            .collect();
        logs_ok(
            e,
            "PutLogEvents",
            json!({"logGroupName": "/big", "logStreamName": "s", "logEvents": events}),
        );
    }
    let page = |body: Value| {
        let v = logs_ok(e, "GetLogEvents", body);
        let events = v["events"].as_array().unwrap().clone();
        let bytes: usize = events
            .iter()
            .map(|x| x["message"].as_str().unwrap().len() + 26)
            .sum();
        assert!(bytes <= 1_048_576, "{bytes} bytes in one page");
        (events, v)
    };
    let (head, v) =
        page(json!({"logGroupName": "/big", "logStreamName": "s", "startFromHead": true}));
    assert!(!head.is_empty() && head.len() < 30, "{}", head.len());
    assert!(head[0]["message"].as_str().unwrap().starts_with("00"));
    let (rest, _) = page(json!({"logGroupName": "/big", "logStreamName": "s",
        "startFromHead": true, "nextToken": v["nextForwardToken"]}));
    assert_eq!(head.len() + rest.len(), 30);
    let (tail, _) = page(json!({"logGroupName": "/big", "logStreamName": "s"}));
    assert!(
        tail.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("29")
    );
    assert!(tail.len() < 30);
}
