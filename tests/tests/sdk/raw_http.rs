//! Requests no SDK sends, over a hand-written HTTP/1.1 client: malformed bodies, unknown
//! targets, garbage headers, the `sync-` Host header. Each gets AWS's error shape (or, for a
//! request that is not HTTP, a 400 from the HTTP layer), and the server keeps answering.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::{Value, json};

/// One HTTP response.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Checks AWS's JSON 1.0 error shape: status 400, `__type` ending in `#code` (or equal
    /// to it), a `message`, the JSON 1.0 content type.
    fn expect_error(&self, code: &str) {
        assert_eq!(self.status, 400, "{code}: {self:?}");
        let body = self.json();
        let t = body["__type"]
            .as_str()
            .unwrap_or_else(|| panic!("no __type: {body}"));
        assert!(
            t == code || t.ends_with(&format!("#{code}")),
            "expected {code}, got {body}"
        );
        assert!(body["message"].is_string(), "no message: {body}");
        assert_eq!(
            self.header("content-type"),
            Some("application/x-amz-json-1.0"),
            "{self:?}"
        );
    }
}

/// Sends `request` as is on a new connection and reads the answer up to EOF. `None` when the
/// server closed the connection without answering.
fn exchange(addr: SocketAddr, request: &[u8]) -> Option<Response> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).expect("write");
    let mut raw = Vec::new();
    // A reset after a partial answer still leaves what was read.
    let _ = s.read_to_end(&mut raw);
    if raw.is_empty() {
        return None;
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A well-formed POST with `target` (no X-Amz-Target header when `None`).
fn post(addr: SocketAddr, host: &str, target: Option<&str>, body: &[u8]) -> Response {
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    )
    .into_bytes();
    if let Some(t) = target {
        req.extend_from_slice(format!("X-Amz-Target: {t}\r\n").as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    req.extend_from_slice(body);
    exchange(addr, &req).expect("an answer")
}

fn call(addr: SocketAddr, op: &str, body: &Value) -> Response {
    post(
        addr,
        &addr.to_string(),
        Some(&format!("AWSStepFunctions.{op}")),
        body.to_string().as_bytes(),
    )
}

#[test]
fn bad_requests_get_aws_errors_and_the_server_survives() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(sfn_local_tests::start_server());
    let addr = server.addr;
    let host = addr.to_string();
    let list = Some("AWSStepFunctions.ListStateMachines");

    // Malformed JSON.
    post(addr, &host, list, b"{\"maxResults\": ").expect_error("SerializationException");
    post(addr, &host, list, b"\xff\xfe\x00garbage").expect_error("SerializationException");
    // JSON that is not an object.
    post(addr, &host, list, b"[1, 2, 3]").expect_error("SerializationException");
    post(addr, &host, list, b"\"a string\"").expect_error("SerializationException");
    // A member of the wrong type.
    call(addr, "DescribeStateMachine", &json!({"stateMachineArn": 5}))
        .expect_error("SerializationException");

    // Missing, unknown and foreign targets.
    post(addr, &host, None, b"{}").expect_error("UnknownOperationException");
    post(addr, &host, Some("AWSStepFunctions.DoesNotExist"), b"{}")
        .expect_error("UnknownOperationException");
    post(addr, &host, Some("DynamoDB_20120810.ListTables"), b"{}")
        .expect_error("UnknownOperationException");
    post(addr, &host, Some(""), b"{}").expect_error("UnknownOperationException");

    // A target header that is not text.
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\nConnection: close\r\nX-Amz-Target: AWSStepFunctions."
    )
    .into_bytes();
    req.extend_from_slice(b"\xff\xfe\r\n\r\n{}");
    exchange(addr, &req)
        .expect("an answer")
        .expect_error("UnknownOperationException");

    // Garbage that is not HTTP, and an HTTP request with a broken header line: the HTTP layer
    // answers 400 (or closes), and nothing reaches the API.
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"\x00\x01\x02\x03\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nthis line has no colon\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n{}",
    ] {
        if let Some(r) = exchange(addr, garbage) {
            assert!(
                (400..500).contains(&r.status),
                "{:?} answered {r:?}",
                String::from_utf8_lossy(garbage)
            );
        }
    }

    // SDKs send StartSyncExecution and TestState to `sync-<host>`: a request with that Host
    // header, connected to 127.0.0.1, is served.
    let created = call(
        addr,
        "CreateStateMachine",
        &json!({"name": "raw-express", "type": "EXPRESS",
                "roleArn": "arn:aws:iam::123456789012:role/r",
                "definition": r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#}),
    );
    assert_eq!(created.status, 200, "{created:?}");
    let sm = created.json()["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let sync = post(
        addr,
        &format!("sync-{host}"),
        Some("AWSStepFunctions.StartSyncExecution"),
        json!({"stateMachineArn": sm, "input": "{\"v\":1}"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(sync.status, 200, "{sync:?}");
    assert_eq!(sync.json()["status"], "SUCCEEDED");
    assert_eq!(sync.json()["output"], "{\"v\":1}");
    let test_state = post(
        addr,
        &format!("sync-{host}"),
        Some("AWSStepFunctions.TestState"),
        json!({"definition": r#"{"Type":"Pass","End":true}"#,
               "roleArn": "arn:aws:iam::123456789012:role/r", "input": "{}"})
        .to_string()
        .as_bytes(),
    );
    // Any AWS-shaped answer (TestState may not be implemented yet).
    assert!(
        test_state.status == 200 || test_state.json()["__type"].is_string(),
        "{test_state:?}"
    );

    // After all that, the server still answers.
    let listed = call(addr, "ListStateMachines", &json!({}));
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.json()["stateMachines"][0]["name"], "raw-express");

    rt.block_on(server.shutdown());
}
