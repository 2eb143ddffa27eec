//! The HTTP front: AWS JSON 1.0 on `POST /` (any path), operation in `X-Amz-Target`
//! (`AWSStepFunctions.*`, and CloudWatch Logs' `Logs_20140328.*` in JSON 1.1, [`crate::logs`]); the
//! console ([`crate::console`]) on `GET /` and `GET /console/...`.
//!
//! Any SigV4 signature (or none) is accepted, and not verified. The region a request is
//! signed for (its credential scope, `Credential=AKID/20261207/us-west-2/states/aws4_request`
//! in the `Authorization` header) is the region it is answered in, as AWS answers in the
//! region of the endpoint the client signed for; an unsigned request is answered in the
//! configured region. Every answer, refusals included, is a JSON body with AWS's `__type` and
//! `message`.
//!
//! **Hosts.** Bound to a loopback address, the server answers only requests whose `Host` is a
//! loopback name (`127.0.0.1`, `localhost`, `[::1]`, `*.localhost`, each also with the `sync-`
//! prefix SDKs add for StartSyncExecution and TestState) or one of the names given with
//! `--allowed-host`: a web page cannot rebind its own name to 127.0.0.1 and drive the API from
//! the user's browser. Bound to another address, the user chose to expose it, and any `Host` is
//! served.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::{self, ApiError, ErrorCode};
use crate::logs;
use crate::service::Service;

const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The largest request body read. The largest legal request is a `CreateStateMachine` with a
/// definition of 1,048,576 characters, each up to 6 bytes once JSON-escaped, plus its other
/// members; anything larger is refused before it is read whole.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Which `Host` headers are served.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// Any host (the server is bound to a non-loopback address).
    pub any: bool,
    /// Names served besides the loopback ones (lowercase, without port).
    pub extra: Vec<String>,
}

impl HostPolicy {
    /// The policy for a server bound to `addr` with `extra` names allowed.
    pub fn for_bind(addr: std::net::SocketAddr, extra: &[String]) -> HostPolicy {
        HostPolicy {
            any: !addr.ip().is_loopback(),
            extra: extra
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a request with this `Host` header (if any) is served.
    pub fn allows(&self, host: Option<&str>) -> bool {
        if self.any {
            return true;
        }
        // HTTP/1.0 clients may send no Host; browsers always send one.
        let Some(host) = host else { return true };
        let name = host_name(host).to_ascii_lowercase();
        let name = name.strip_prefix("sync-").unwrap_or(&name);
        is_loopback_name(name) || self.extra.iter().any(|e| e == name)
    }
}

/// The name part of a `Host` header: without the port, IPv6 brackets kept.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The region in a SigV4 `Authorization` header's credential scope
/// (`AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=...`);
/// `None` without one, or when it is not a region name (lowercase letters, digits, `-`).
pub(crate) fn signed_region(authorization: &str) -> Option<&str> {
    let credential = authorization
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    // The access key id may hold no '/', the date none: the region is the third part.
    let region = credential.split('/').nth(2)?;
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(region)
}

/// The router.
pub fn router(svc: Arc<Service>, hosts: HostPolicy) -> Router {
    Router::new()
        .fallback(handle)
        .with_state((svc, Arc::new(hosts)))
}

fn respond(status: StatusCode, body: &Value, error: Option<&str>) -> Response {
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("x-amzn-requestid", id);
    }
    if let Some(e) = error.and_then(|e| HeaderValue::from_str(e).ok()) {
        h.insert("x-amzn-errortype", e);
    }
    r
}

/// A body larger than any legal request: 413, as JSON.
fn too_large() -> Response {
    let e = ApiError::new(
        ErrorCode::RequestEntityTooLargeException,
        format!("Request must be smaller than {MAX_BODY_BYTES} bytes"),
    );
    error_response(&e)
}

/// A body that could not be read: too large, or broken off.
fn body_error(e: &axum::Error) -> Response {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return too_large();
        }
        source = err.source();
    }
    error_response(&ApiError::new(
        ErrorCode::SerializationException,
        format!("The request body could not be read: {e}"),
    ))
}

/// An API error as AWS answers it: its status, `__type` and `message`, `x-amzn-errortype`.
pub(crate) fn error_response(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    respond(status, &e.body(), Some(e.code.as_str()))
}

async fn handle(
    State((svc, hosts)): State<(Arc<Service>, Arc<HostPolicy>)>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let (method, headers, uri) = (parts.method, parts.headers, parts.uri);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !hosts.allows(host) || (headers.contains_key(header::HOST) && host.is_none()) {
        let e = ApiError::new(
            ErrorCode::AccessDeniedException,
            format!(
                "Host '{}' is not served: sfn-local listens on a loopback address and serves \
                 loopback host names only; start it with --allowed-host NAME to serve another",
                host.unwrap_or("(not text)")
            ),
        );
        return error_response(&e);
    }
    if method == axum::http::Method::GET && uri.path() == "/metrics" {
        let mut r = (StatusCode::OK, svc.metrics_text()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return r;
    }
    if svc.settings.console
        && method == axum::http::Method::GET
        && let Some(page) = crate::console::get(&svc, &uri).await
    {
        return page;
    }
    // Refused before reading when the announced length is too large; a chunked body is cut
    // off once it passes the limit.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return body_error(&e),
    };
    if method != axum::http::Method::POST {
        return error_response(&ApiError::new(
            ErrorCode::UnknownOperationException,
            "Only POST requests with an X-Amz-Target header are served",
        ));
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let region = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(signed_region);
    if let Some(op) = target.strip_prefix(logs::api::TARGET_PREFIX) {
        return logs_operation(&svc, region, op, &body);
    }
    let Some(op) = target.strip_prefix("AWSStepFunctions.") else {
        return error_response(&ApiError::new(
            ErrorCode::UnknownOperationException,
            format!("Unknown operation target: '{target}'"),
        ));
    };
    let body = match api::decode_body(&body) {
        Ok(m) => m,
        Err(e) => return error_response(&e),
    };
    match api::dispatch_in(&svc, region, op, &body).await {
        Ok(v) => respond(StatusCode::OK, &v, None),
        Err(e) => {
            tracing::debug!(operation = op, error = e.code.as_str(), message = %e.message, "request failed");
            error_response(&e)
        }
    }
}

/// A CloudWatch Logs operation (AWS JSON 1.1): its answer, or its error as that API writes it.
fn logs_operation(svc: &Service, region: Option<&str>, op: &str, body: &[u8]) -> Response {
    let answer = api::decode_body(body)
        .map_err(|e| logs::api::LogsError {
            code: e.code.as_str(),
            message: e.message,
        })
        .and_then(|body| logs::api::dispatch(svc, &svc.settings.arns_in(region), op, &body));
    let (status, body, error) = match &answer {
        Ok(v) => (StatusCode::OK, v.clone(), None),
        Err(e) => {
            tracing::debug!(operation = op, error = e.code, message = %e.message, "request failed");
            (
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
                e.body(),
                Some(e.code),
            )
        }
    };
    let mut r = respond(status, &body, error);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(logs::api::CONTENT_TYPE),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::signed_region;

    #[test]
    fn the_region_is_the_credential_scope_s() {
        for (header, region) in [
            (
                "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-west-2/states/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc",
                Some("us-west-2"),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKID/20261207/cn-northwest-1/states/aws4_request,SignedHeaders=host,Signature=abc",
                Some("cn-northwest-1"),
            ),
            (
                "AWS4-HMAC-SHA256 SignedHeaders=host, Credential=K/20261207/us-isob-east-1/states/aws4_request",
                Some("us-isob-east-1"),
            ),
            ("AWS4-HMAC-SHA256 Credential=AKID/20261207", None),
            (
                "AWS4-HMAC-SHA256 Credential=AKID/20261207/US WEST/states/aws4_request",
                None,
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKID/20261207//states/aws4_request",
                None,
            ),
            ("Bearer token", None),
            ("", None),
        ] {
            assert_eq!(signed_region(header), region, "{header}");
        }
    }
}
