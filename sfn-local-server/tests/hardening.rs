//! The server as a hostile or careless client meets it: Host headers from a rebinding page,
//! bodies too large to read, many starts of one execution name at once, and an execution that
//! keeps ending the process. Every refusal is JSON with AWS's `__type`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{TempDir, call, create, ok, spawn};
use serde_json::{Value, json};

/// A raw request: status and body (JSON, or `Value::Null` if not JSON).
fn raw(endpoint: &str, head: &str, body: &[u8]) -> (u16, Value) {
    let addr = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before it has read everything.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = body.rsplit_once('\n').map_or(body, |(_, last)| last);
    (
        status,
        serde_json::from_str(body.trim()).unwrap_or(Value::Null),
    )
}

fn list_with_host(endpoint: &str, host: &str) -> (u16, Value) {
    raw(
        endpoint,
        &format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        ),
        b"{}",
    )
}

fn aws_type(v: &Value) -> &str {
    v["__type"].as_str().unwrap_or_default()
}

#[test]
fn loopback_servers_answer_loopback_host_names_only() {
    let server = spawn(&["--in-memory", "--allowed-host", "sfn.internal"]);
    let e = &server.endpoint;
    for host in [
        "127.0.0.1",
        "127.0.0.1:8083",
        "localhost",
        "localhost:8083",
        "sync-localhost:8083",
        "sync-127.0.0.1:8083",
        "[::1]:8083",
        "[::1]",
        "app.localhost",
        "LOCALHOST",
        "sfn.internal:8083",
        "sync-sfn.internal",
    ] {
        let (status, body) = list_with_host(e, host);
        assert_eq!(status, 200, "{host}: {body}");
    }
    for host in [
        "evil.example.com",
        "evil.example.com:8083",
        "127.0.0.1.evil.example.com",
        "localhost.evil.example.com",
        "sync-evil.example.com",
        "10.0.0.1",
    ] {
        let (status, body) = list_with_host(e, host);
        assert_eq!(status, 403, "{host}: {body}");
        assert!(
            aws_type(&body).ends_with("#AccessDeniedException"),
            "{body}"
        );
        assert!(body["message"].as_str().unwrap().contains("--allowed-host"));
    }
}

#[test]
fn bodies_larger_than_any_legal_request_are_refused_before_they_are_read() {
    let server = spawn(&["--in-memory"]);
    // Announced too large: refused without reading a byte of it.
    let (status, body) = raw(
        &server.endpoint,
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n",
        b"{",
    );
    assert_eq!(status, 413, "{body}");
    assert!(
        aws_type(&body).ends_with("#RequestEntityTooLargeException"),
        "{body}"
    );
    // Chunked, so only reading tells: refused once the limit is passed.
    let mut chunked = Vec::new();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..9 {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = raw(
        &server.endpoint,
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Type: application/x-amz-json-1.0\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        &chunked,
    );
    assert_eq!(status, 413, "{body}");
    assert!(
        aws_type(&body).ends_with("#RequestEntityTooLargeException"),
        "{body}"
    );
    // The server is still there.
    ok(&server.endpoint, "ListStateMachines", json!({}));
}

/// A machine whose one state waits an hour.
fn waiting() -> Value {
    json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}})
}

#[test]
fn concurrent_starts_of_one_name_start_it_once() {
    let server = spawn(&["--in-memory"]);
    let sm = create(&server.endpoint, "many", &waiting());
    // Same name, same input: every start answers the one execution (AWS is idempotent while
    // it runs with the same input).
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|_| {
                s.spawn(|| {
                    call(
                        &server.endpoint,
                        "StartExecution",
                        json!({"stateMachineArn": sm, "name": "once", "input": "{}"}),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
    }
    let arns: std::collections::BTreeSet<_> = answers
        .iter()
        .map(|(_, b)| b["executionArn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(arns.len(), 1);
    // Same name, different inputs: one starts, the others find the name taken.
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let sm = &sm;
                let e = &server.endpoint;
                s.spawn(move || {
                    call(
                        e,
                        "StartExecution",
                        json!({"stateMachineArn": sm, "name": "taken", "input": format!("{{\"i\":{i}}}")}),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let started = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(started, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 400, "{body}");
        assert!(
            aws_type(body).ends_with("#ExecutionAlreadyExists"),
            "{body}"
        );
    }
    let listed = ok(
        &server.endpoint,
        "ListExecutions",
        json!({"stateMachineArn": sm}),
    );
    assert_eq!(listed["executions"].as_array().unwrap().len(), 2);
}

/// Writes `arn` in the first thread slot of `<dir>/inflight`, as the process does while it
/// runs an execution's code: what the file holds when the process dies in the middle of it.
fn died_while_running(dir: &std::path::Path, arn: &str) {
    std::fs::write(dir.join("inflight"), format!("{arn}\n")).unwrap();
}

#[test]
fn an_execution_that_keeps_ending_the_process_fails_instead_of_looping() {
    let dir = TempDir::new("crash-loop");
    let (execution, waiting) = {
        let server = spawn(&["--data-dir", dir.arg()]);
        let sm = create(&server.endpoint, "looping", &waiting());
        let start = |name: &str| {
            ok(
                &server.endpoint,
                "StartExecution",
                json!({"stateMachineArn": sm, "name": name}),
            )["executionArn"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let pair = (start("stuck"), start("waiting"));
        // Let the Wait states' entries reach the store, then kill the process.
        std::thread::sleep(Duration::from_millis(300));
        pair
    };
    // The process dies three more times while running `stuck`, each time at the same point
    // (`waiting` is only killed while it waits): each restart still resumes both.
    for _ in 0..3 {
        died_while_running(&dir, &execution);
        let server = spawn(&["--data-dir", dir.arg()]);
        for arn in [&execution, &waiting] {
            let d = ok(
                &server.endpoint,
                "DescribeExecution",
                json!({"executionArn": arn}),
            );
            assert_eq!(d["status"], "RUNNING", "{d}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // The fourth time is one too many: `stuck` fails instead of resuming; `waiting` resumes.
    died_while_running(&dir, &execution);
    let server = spawn(&["--data-dir", dir.arg()]);
    let d = ok(
        &server.endpoint,
        "DescribeExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(d["status"], "FAILED", "{d}");
    assert_eq!(d["error"], "States.Runtime");
    assert!(
        d["cause"].as_str().unwrap().contains("not resumed again"),
        "{d}"
    );
    let h = ok(
        &server.endpoint,
        "GetExecutionHistory",
        json!({"executionArn": execution, "reverseOrder": true, "maxResults": 1}),
    );
    assert_eq!(h["events"][0]["type"], "ExecutionFailed", "{h}");
    let d = ok(
        &server.endpoint,
        "DescribeExecution",
        json!({"executionArn": waiting}),
    );
    assert_eq!(d["status"], "RUNNING", "{d}");
}
