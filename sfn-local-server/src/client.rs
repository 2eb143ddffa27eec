//! The commands' client of a running server (`sfn-local graph --execution`, `sfn-local
//! logs`): one call of an operation over AWS's JSON protocol, unsigned (sfn-local does not
//! check signatures).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Runs a command's requests to completion on a runtime of its own.
pub fn block_on<T>(
    work: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?
        .block_on(work)
}

/// Calls `target` (`AWSStepFunctions.GetExecutionHistory`, `Logs_20140328.FilterLogEvents`)
/// at `endpoint` with `body`; an error answer becomes `Operation: Type: message`.
pub async fn call(endpoint: &str, target: &str, body: &Value) -> Result<Value, String> {
    let content_type = if target.starts_with(crate::logs::api::TARGET_PREFIX) {
        crate::logs::api::CONTENT_TYPE
    } else {
        "application/x-amz-json-1.0"
    };
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = hyper::Request::post(endpoint)
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| format!("bad endpoint {endpoint}: {e}"))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?
        .to_bytes();
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        let op = target.rsplit('.').next().unwrap_or(target);
        let kind = answer["__type"].as_str().unwrap_or("error");
        let kind = kind.rsplit('#').next().unwrap_or(kind);
        let message = answer["message"].as_str().unwrap_or_default();
        return Err(format!("{op}: {kind}: {message}"));
    }
    Ok(answer)
}
