//! Lambda functions for the server: a local command (the event on stdin, the result on
//! stdout) or a Lambda-compatible endpoint (`LAMBDA_ENDPOINT`, e.g. `sam local start-lambda`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{TaskFailure, TaskHandler, TaskRequest};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub mod function_name;

use super::outbound::{self, percent_encode};

use function_name::FunctionName;

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
///
/// Each invocation is Lambda's `Invoke` (`POST /2015-03-31/functions/{name}/invocations`),
/// sent through one pooled HTTP client shared by every endpoint. The `FunctionName` is first
/// checked as Lambda checks it (a name, a partial or a full ARN, with an optional qualifier);
/// what fails is refused with Lambda's `ValidationException` and nothing is sent.
pub struct EndpointFunctions {
    /// `http://host:port`.
    pub endpoint: String,
}

impl TaskHandler for EndpointFunctions {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let endpoint = self.endpoint.clone();
        Box::pin(async move {
            let function =
                function_name::parse(req.function_name.as_deref()).map_err(validation_error)?;
            invoke_endpoint(&endpoint, &function, &req.parameters).await
        })
    }
}

/// The largest synchronous response Lambda returns: the size its error quotes.
pub const MAX_RESPONSE_BYTES: usize = 6_291_556;

/// The failure Step Functions reports for Lambda's `ValidationException` (a modeled error in
/// no SDK Step Functions uses, so `AWSLambdaException`).
fn validation_error(message: String) -> TaskFailure {
    TaskFailure::new(
        "Lambda.AWSLambdaException",
        format!(
            "{message} (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; Request ID: {}; Proxy: null)",
            uuid::Uuid::new_v4()
        ),
    )
}

fn not_found(name: &str) -> TaskFailure {
    TaskFailure::new(
        "Lambda.ResourceNotFoundException",
        format!("Function not found: {name}"),
    )
}

/// A Lambda endpoint's answer: status, whether it reports a function error, the body (or,
/// over [`MAX_RESPONSE_BYTES`], the size its `Content-Length` gave, if it gave one).
struct Answer {
    status: StatusCode,
    function_error: bool,
    body: Result<Vec<u8>, Option<u64>>,
}

/// `POST /2015-03-31/functions/{name}/invocations[?Qualifier=q]`.
async fn invoke_endpoint(
    endpoint: &str,
    function: &FunctionName<'_>,
    event: &Value,
) -> Result<Value, TaskFailure> {
    let unreachable = |e: String| {
        TaskFailure::new(
            "Lambda.SdkClientException",
            format!("Unable to execute HTTP request: {e} (LAMBDA_ENDPOINT {endpoint})"),
        )
    };
    let name = function.name;
    // `.` and `..` pass Lambda's pattern, but no function has that name; as a path segment
    // they would climb.
    if name.bytes().all(|b| b == b'.') {
        return Err(not_found(name));
    }
    let base = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| unreachable("only http:// endpoints are supported".into()))?
        .trim_end_matches('/');
    let uri = |qualifier: Option<&str>| {
        let query = qualifier.map_or(String::new(), |q| {
            format!("?Qualifier={}", percent_encode(q))
        });
        format!(
            "http://{base}/2015-03-31/functions/{}/invocations{query}",
            percent_encode(name)
        )
    };
    // `$LATEST` is what an unqualified call runs.
    let qualifier = function.qualifier.filter(|q| *q != "$LATEST");
    let body = Bytes::from(event.to_string());
    let mut answer = fetch(&uri(qualifier), body.clone(), &unreachable).await?;
    if qualifier.is_some() && refuses_query_parameters(&answer) {
        // `sam local start-lambda` refuses any query parameter (its functions have no
        // versions or aliases): the qualifier is dropped for it, as it always was.
        answer = fetch(&uri(None), body, &unreachable).await?;
    }
    let status = answer.status;
    if status == StatusCode::NOT_FOUND {
        return Err(not_found(name));
    }
    if !status.is_success() {
        let body = answer.body.as_ref().map_or_else(
            |_| format!("(a body over {MAX_RESPONSE_BYTES} bytes)"),
            |b| String::from_utf8_lossy(b).trim().to_string(),
        );
        return Err(TaskFailure::new(
            "Lambda.ServiceException",
            format!("The endpoint answered {}: {body}", status.as_u16()),
        ));
    }
    let payload = answer.body.map_err(|size| {
        let size = size.map_or(String::new(), |n| format!(" ({n} bytes)"));
        function_error(
            "Function.ResponseSizeTooLarge",
            &format!(
                "Response payload size{size} exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            ),
        )
    })?;
    if answer.function_error {
        let text = String::from_utf8_lossy(&payload);
        return Err(failure_from_payload(&text)
            .unwrap_or_else(|| function_error("Lambda.Unknown", text.trim())));
    }
    let trimmed = payload.trim_ascii();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_slice(trimmed)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&payload).trim().to_string())))
}

/// `sam local start-lambda`'s answer to a query parameter.
fn refuses_query_parameters(answer: &Answer) -> bool {
    answer.status == StatusCode::BAD_REQUEST
        && answer.body.as_ref().is_ok_and(|b| {
            serde_json::from_slice::<Value>(b).is_ok_and(|v| {
                v.get("Message").and_then(Value::as_str)
                    == Some("Query Parameters are not supported")
            })
        })
}

/// One invocation request; the answer's body read up to [`MAX_RESPONSE_BYTES`].
async fn fetch(
    uri: &str,
    body: Bytes,
    unreachable: &impl Fn(String) -> TaskFailure,
) -> Result<Answer, TaskFailure> {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Amz-Invocation-Type", "RequestResponse")
        .header("X-Amz-Log-Type", "None")
        .body(Full::new(body))
        .map_err(|e| unreachable(e.to_string()))?;
    let answer = outbound::send(request, MAX_RESPONSE_BYTES)
        .await
        .map_err(unreachable)?;
    Ok(Answer {
        status: answer.status,
        function_error: answer.headers.contains_key("x-amz-function-error"),
        body: answer.body,
    })
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
}
