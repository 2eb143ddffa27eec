//! The HTTP front: AWS JSON 1.0 on `POST /` (any path), operation in `X-Amz-Target`.
//!
//! Any SigV4 signature (or none) is accepted, and any `Host` (SDKs prepend `sync-` for
//! StartSyncExecution and TestState).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::service::Service;

const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The router.
pub fn router(svc: Arc<Service>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        .with_state(svc)
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

fn error_response(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    respond(status, &e.body(), Some(e.code))
}

async fn handle(
    State(svc): State<Arc<Service>>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != axum::http::Method::POST {
        return error_response(&ApiError::new(
            "UnknownOperationException",
            "Only POST requests with an X-Amz-Target header are served",
        ));
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(op) = target.strip_prefix("AWSStepFunctions.") else {
        return error_response(&ApiError::new(
            "UnknownOperationException",
            format!("Unknown operation target: '{target}'"),
        ));
    };
    let parsed: Result<Value, _> = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(&body)
    };
    let body = match parsed {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return error_response(&ApiError::new(
                "SerializationException",
                "The request body must be a JSON object",
            ));
        }
        Err(e) => {
            return error_response(&ApiError::new(
                "SerializationException",
                format!("Malformed JSON request body: {e}"),
            ));
        }
    };
    match api::dispatch(&svc, op, &body).await {
        Ok(v) => respond(StatusCode::OK, &v, None),
        Err(e) => {
            tracing::debug!(operation = op, error = e.code, message = %e.message, "request failed");
            error_response(&e)
        }
    }
}
