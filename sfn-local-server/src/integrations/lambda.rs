//! Lambda functions for the server: a local command (the event on stdin, the result on
//! stdout) or a Lambda-compatible endpoint (`LAMBDA_ENDPOINT`, e.g. `sam local start-lambda`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{TaskFailure, TaskHandler, TaskRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A function run as a local command.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionCommand {
    /// Program and arguments (no shell).
    pub command: Vec<String>,
    /// Working directory.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// Extra environment variables.
    #[serde(default)]
    pub environment: HashMap<String, String>,
    /// Seconds before the process is killed (Lambda's default: 3).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// The function error AWS reports for a function that failed with `errorType`/`errorMessage`.
fn function_error(error_type: &str, message: &str) -> TaskFailure {
    TaskFailure::new(
        error_type,
        json!({"errorMessage": message, "errorType": error_type, "stackTrace": []}).to_string(),
    )
}

/// A failure payload (`{"errorType", "errorMessage"}`) as the function wrote it.
fn failure_from_payload(text: &str) -> Option<TaskFailure> {
    let v: Value = serde_json::from_str(text).ok()?;
    let t = v.get("errorType")?.as_str()?;
    Some(TaskFailure::new(t, text.trim()))
}

/// Runs a function as a local process.
pub struct CommandFunction(pub FunctionCommand);

impl TaskHandler for CommandFunction {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let cfg = self.0.clone();
        Box::pin(async move { run_command(&cfg, &req.parameters).await })
    }
}

async fn run_command(cfg: &FunctionCommand, event: &Value) -> Result<Value, TaskFailure> {
    let Some((program, args)) = cfg.command.split_first() else {
        return Err(function_error(
            "Lambda.ServiceException",
            "the function has an empty command",
        ));
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .envs(&cfg.environment)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(d) = &cfg.cwd {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().map_err(|e| {
        function_error(
            "Lambda.ServiceException",
            &format!("cannot start {program}: {e}"),
        )
    })?;
    let input = event.to_string();
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let work = async {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(input.as_bytes()).await;
        }
        drop(stdin.take());
        let mut out = String::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_string(&mut out).await;
        }
        let status = child.wait().await;
        (out, status)
    };
    let limit = Duration::from_secs(cfg.timeout_seconds.unwrap_or(3));
    let Ok((out, status)) = tokio::time::timeout(limit, work).await else {
        return Err(function_error(
            "Sandbox.Timedout",
            &format!("Task timed out after {:.2} seconds", limit.as_secs_f64()),
        ));
    };
    let code = status.map(|s| s.code()).ok().flatten();
    if code != Some(0) {
        if let Some(f) = failure_from_payload(&out) {
            return Err(f);
        }
        let why = code.map_or("signal".to_string(), |c| format!("exit status {c}"));
        return Err(function_error(
            "Runtime.ExitError",
            &format!("Runtime exited with error: {why}"),
        ));
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(trimmed).map_err(|_| {
        function_error(
            "Runtime.InvalidResponse",
            "the function wrote something that is not JSON on stdout",
        )
    })
}

/// Forwards every function to a Lambda-compatible endpoint (`http://host:port`).
pub struct EndpointFunctions {
    /// `http://host:port`.
    pub endpoint: String,
}

impl TaskHandler for EndpointFunctions {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let endpoint = self.endpoint.clone();
        Box::pin(async move {
            let name = req
                .function_name
                .as_deref()
                .map(asl_interpreter::handler::function_short_name)
                .unwrap_or_default()
                .to_string();
            invoke_endpoint(&endpoint, &name, &req.parameters).await
        })
    }
}

/// `POST /2015-03-31/functions/{name}/invocations` over plain HTTP/1.1.
async fn invoke_endpoint(endpoint: &str, name: &str, event: &Value) -> Result<Value, TaskFailure> {
    let unreachable = |e: String| {
        TaskFailure::new(
            "Lambda.SdkClientException",
            format!("Unable to execute HTTP request: {e} (LAMBDA_ENDPOINT {endpoint})"),
        )
    };
    let host = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| unreachable("only http:// endpoints are supported".into()))?
        .trim_end_matches('/');
    let body = event.to_string();
    let request = format!(
        "POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| unreachable("malformed HTTP response".into()))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let header = |n: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(n)
                .then(|| v.trim().to_string())
        })
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    if status == 404 {
        return Err(TaskFailure::new(
            "Lambda.ResourceNotFoundException",
            format!("Function not found: {name}"),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(TaskFailure::new(
            "Lambda.ServiceException",
            format!("The endpoint answered {status}: {}", body.trim()),
        ));
    }
    if header("x-amz-function-error").is_some() {
        return Err(failure_from_payload(&body)
            .unwrap_or_else(|| function_error("Lambda.Unknown", body.trim())));
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_str(trimmed).unwrap_or_else(|_| Value::String(trimmed.to_string())))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(args: &[&str]) -> FunctionCommand {
        FunctionCommand {
            command: args.iter().map(|s| s.to_string()).collect(),
            cwd: None,
            environment: HashMap::new(),
            timeout_seconds: Some(10),
        }
    }

    #[tokio::test]
    async fn a_command_gets_the_event_and_returns_json() {
        let f = cmd(&[
            "python3",
            "-c",
            "import json,sys; e=json.load(sys.stdin); print(json.dumps({'n': e['n']*2}))",
        ]);
        assert_eq!(
            run_command(&f, &json!({"n": 21})).await.unwrap(),
            json!({"n": 42})
        );
    }

    #[tokio::test]
    async fn failures_carry_the_function_error() {
        let f = cmd(&[
            "python3",
            "-c",
            "import json; print(json.dumps({'errorType': 'ValueError', 'errorMessage': 'bad'})); raise SystemExit(1)",
        ]);
        let e = run_command(&f, &json!({})).await.unwrap_err();
        assert_eq!(e.error.as_deref(), Some("ValueError"));
        let f = cmd(&["python3", "-c", "raise SystemExit(3)"]);
        let e = run_command(&f, &json!({})).await.unwrap_err();
        assert_eq!(e.error.as_deref(), Some("Runtime.ExitError"));
        assert!(e.cause.unwrap().contains("exit status 3"));
        let f = cmd(&["/nonexistent/program"]);
        let e = run_command(&f, &json!({})).await.unwrap_err();
        assert_eq!(e.error.as_deref(), Some("Lambda.ServiceException"));
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"), "{\"a\":1}");
    }
}
