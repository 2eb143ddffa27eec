//! What the HTTP tests share: a bare HTTP/1.1 client for the API, and `sfn-local serve`
//! started on a free port and killed (SIGKILL) when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// One API call over plain HTTP/1.1, or `None` if the server does not answer.
pub fn try_call(endpoint: &str, op: &str, body: &Value) -> Option<(u16, Value)> {
    try_call_with(endpoint, op, body, &[])
}

/// [`try_call`] with more headers (`("Authorization", "...")`).
pub fn try_call_with(
    endpoint: &str,
    op: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Option<(u16, Value)> {
    let target = format!("AWSStepFunctions.{op}");
    try_post(
        endpoint,
        &target,
        "application/x-amz-json-1.0",
        body,
        headers,
    )
}

/// One CloudWatch Logs call (`Logs_20140328.OP`, JSON 1.1): its HTTP status and body.
pub fn logs_call(endpoint: &str, op: &str, body: Value) -> (u16, Value) {
    let target = format!("Logs_20140328.{op}");
    try_post(endpoint, &target, "application/x-amz-json-1.1", &body, &[])
        .expect("the server answers")
}

/// One CloudWatch Logs call that must succeed: its body.
pub fn logs_ok(endpoint: &str, op: &str, body: Value) -> Value {
    let (status, v) = logs_call(endpoint, op, body);
    assert_eq!(status, 200, "{op}: {v}");
    v
}

/// One POST of a JSON protocol request to `target`.
fn try_post(
    endpoint: &str,
    target: &str,
    content_type: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Option<(u16, Value)> {
    let host = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).ok()?;
    let body = body.to_string();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {target}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// One API call: its HTTP status and body.
pub fn call(endpoint: &str, op: &str, body: Value) -> (u16, Value) {
    try_call(endpoint, op, &body).expect("the server answers")
}

/// The `Authorization` header of a request SigV4-signed for `region` (the signature itself
/// is not checked).
pub fn signed_for(region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/{region}/states/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"
    )
}

/// One API call signed for `region`: its HTTP status and body.
pub fn call_in(endpoint: &str, region: &str, op: &str, body: Value) -> (u16, Value) {
    let auth = signed_for(region);
    try_call_with(endpoint, op, &body, &[("Authorization", &auth)]).expect("the server answers")
}

/// One API call signed for `region` that must succeed: its body.
pub fn ok_in(endpoint: &str, region: &str, op: &str, body: Value) -> Value {
    let (status, v) = call_in(endpoint, region, op, body);
    assert_eq!(status, 200, "{op} in {region}: {v}");
    v
}

/// One API call that must succeed: its body.
pub fn ok(endpoint: &str, op: &str, body: Value) -> Value {
    let (status, v) = call(endpoint, op, body);
    assert_eq!(status, 200, "{op}: {v}");
    v
}

/// Creates a state machine `name` (STANDARD unless the definition says otherwise) and returns
/// its ARN.
pub fn create(endpoint: &str, name: &str, definition: &Value) -> String {
    ok(
        endpoint,
        "CreateStateMachine",
        serde_json::json!({"name": name, "definition": definition.to_string(),
               "roleArn": "arn:aws:iam::123456789012:role/r"}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Starts an execution of `sm` with `input`, waits for its end, and returns its output,
/// asserting that it SUCCEEDED.
pub fn succeeded_output(endpoint: &str, sm: &str, input: &Value) -> Value {
    let x = start(endpoint, sm, input);
    let d = wait_closed(endpoint, &x);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    serde_json::from_str(d["output"].as_str().expect("an output")).expect("JSON output")
}

/// DescribeExecution once the execution is no longer RUNNING (or after 120 s).
pub fn wait_closed(endpoint: &str, arn: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let d = ok(
            endpoint,
            "DescribeExecution",
            serde_json::json!({"executionArn": arn}),
        );
        if d["status"] != "RUNNING" || std::time::Instant::now() > deadline {
            return d;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A running `sfn-local serve`, SIGKILLed when dropped.
pub struct Proc {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Proc {
    /// Stops the server as `docker stop` or a service manager would (SIGTERM) and waits for
    /// its exit: it finishes what it was doing and flushes its store.
    #[allow(dead_code)]
    pub fn terminate(mut self) {
        let pid = self.child.id();
        let sent = Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .expect("sh");
        assert!(sent.success(), "kill -TERM {pid}");
        let status = self.child.wait().expect("the server's exit");
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sfn-local serve --port 0 ARGS` and waits until it listens.
pub fn spawn(args: &[&str]) -> Proc {
    spawn_with_env(args, &[])
}

/// [`spawn`] with these environment variables set.
pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfn-local"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sfn-local");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the first line");
    let endpoint = line
        .trim()
        .strip_prefix("sfn-local listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    Proc { child, endpoint }
}

/// A fresh, empty folder under the system's temporary folder, removed when dropped (declare it
/// before the server that uses it, so the server goes first).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sfn-local-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }

    /// The folder as a string, for command-line arguments.
    pub fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A raw `GET path` with this `Host` (the endpoint's when `None`): (status, headers in lowercase, body).
pub fn http_get(endpoint: &str, path: &str, host: Option<&str>) -> (u16, String, String) {
    let addr = endpoint.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    let host = host.unwrap_or(addr);
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_ascii_lowercase(), body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// StartExecution of `sm` with this input; the execution's ARN.
pub fn start(endpoint: &str, sm: &str, input: &Value) -> String {
    ok(
        endpoint,
        "StartExecution",
        serde_json::json!({"stateMachineArn": sm, "input": input.to_string()}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `s` percent-encoded for a query value or a URL fragment (every byte outside RFC 3986's
/// unreserved set).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Serves `app` on a free loopback port from its own thread (a stand-in service for a
/// test); returns its base URL.
pub fn serve_router(app: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}
