//! The console: a web page served by `sfn-local serve` on `GET /` (off with `--no-console`),
//! behind the same host check as the API. The page (`index.html`, `app.js`, `app.css`, built
//! into the binary) reads everything through the API on `POST /`, and these `GET` endpoints:
//!
//! - `/console/graph.svg?stateMachineArn=ARN` or `?executionArn=ARN`: the picture of a
//!   definition, or of an execution over the definition it ran ([`asl_graph`]);
//! - `/console/events?executionArn=ARN&after=N[&limit=L][&wait=S]`: the events after id N, at
//!   most L (200 by default, 1,000 at most); with `wait`, held up to S seconds (25 at most)
//!   until there is one or the execution ends (long polling: a running execution updates in
//!   place);
//! - `/console/messages`: the newest 500 SNS, SQS and EventBridge messages executions sent;
//! - `/console/schedules`: the configured schedules and their next fire times;
//! - `/console/ecs`, `/console/ecs-log?task=ID`: the ECS tasks run locally, and one's log.
//!
//! **Safety.** The page loads no script but its own (a Content-Security-Policy without
//! inline scripts or styles), and `app.js` writes every value as text, never as markup; the
//! SVG escapes every name, error and cause. Requests are answered only for the hosts the API
//! serves, and the console's endpoints only read: every change goes through the API, whose
//! `X-Amz-Target` header a page of another origin cannot send without a preflight this server
//! never grants.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use asl_core::StateMachine;
use asl_graph::Format;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api::{self, ApiError, ErrorCode};
use crate::service::Service;

const INDEX: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const APP_CSS: &str = include_str!("app.css");

/// The page's policy: its own script and style sheet, its own requests, nothing inline.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; object-src 'self'; frame-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";
/// The policy of everything else the console serves (pictures, JSON, logs): a picture's own
/// embedded style sheet, and nothing that runs.
const DATA_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/// The most events an execution's picture reads (AWS's history quota).
const MAX_PICTURE_EVENTS: i64 = 25_000;
/// The most messages the console lists (the newest).
const MAX_MESSAGES: usize = 500;
/// The longest a long poll is held.
const MAX_WAIT: Duration = Duration::from_secs(25);

/// The answer to a `GET` for `uri`, or `None` when the console does not serve that path.
pub(crate) async fn get(svc: &Arc<Service>, uri: &Uri) -> Option<Response> {
    let query = query(uri);
    Some(match uri.path() {
        "/" | "/index.html" => asset(INDEX, "text/html; charset=utf-8", PAGE_POLICY),
        "/console/app.js" => asset(APP_JS, "text/javascript; charset=utf-8", PAGE_POLICY),
        "/console/app.css" => asset(APP_CSS, "text/css; charset=utf-8", PAGE_POLICY),
        "/console/graph.svg" => answer(
            graph(svc, &query)
                .await
                .map(|svg| asset(svg, "image/svg+xml; charset=utf-8", DATA_POLICY)),
        ),
        "/console/events" => answer(events(svc, &query).await.map(json_response)),
        "/console/messages" => json_response(messages(svc)),
        "/console/schedules" => answer(schedules(svc).map(json_response)),
        "/console/ecs" => json_response(ecs_tasks(svc)),
        "/console/ecs-log" => answer(ecs_log(svc, &query)),
        _ => return None,
    })
}

fn query(uri: &Uri) -> HashMap<String, String> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The response, or the error answered as the API answers it ([`crate::http::error_response`]).
fn answer(r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(|e| crate::http::error_response(&e))
}

/// A `200` with `body`, its type, the policy, and headers that keep it from being sniffed,
/// referred or cached.
fn asset(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    policy: &'static str,
) -> Response {
    let mut r = (StatusCode::OK, body.into()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn json_response(v: Value) -> Response {
    asset(v.to_string(), "application/json", DATA_POLICY)
}

fn required<'a>(query: &'a HashMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    query.get(name).map(String::as_str).ok_or_else(|| {
        ApiError::new(
            ErrorCode::ValidationException,
            format!("The query parameter '{name}' is required"),
        )
    })
}

async fn call(svc: &Arc<Service>, op: &str, body: Value) -> Result<Value, ApiError> {
    let body: Map<String, Value> = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    api::dispatch(svc, op, &body).await
}

fn definition(described: &Value) -> Result<StateMachine, ApiError> {
    let text = described["definition"].as_str().unwrap_or_default();
    StateMachine::from_str(text).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidDefinition,
            format!("The definition cannot be drawn: {e}"),
        )
    })
}

/// The picture of a state machine, or of an execution over its definition.
async fn graph(svc: &Arc<Service>, query: &HashMap<String, String>) -> Result<String, ApiError> {
    let picture = |machine: &StateMachine, history: Option<&Value>| {
        crate::graph::picture_of(machine, history, Format::Svg)
            .map_err(|e| ApiError::new(ErrorCode::ValidationException, e))
    };
    if let Some(arn) = query.get("executionArn") {
        let described = call(
            svc,
            "DescribeStateMachineForExecution",
            json!({"executionArn": arn}),
        )
        .await?;
        let machine = definition(&described)?;
        let rows = api::event_rows(svc, arn, false, None, MAX_PICTURE_EVENTS as usize)?;
        let events: Vec<Value> = rows.into_iter().map(|(_, e)| e).collect();
        return picture(&machine, Some(&json!({ "events": events })));
    }
    let arn = required(query, "stateMachineArn")?;
    let described = call(svc, "DescribeStateMachine", json!({"stateMachineArn": arn})).await?;
    picture(&definition(&described)?, None)
}

/// The events after `after`, waiting for one up to `wait` seconds while the execution runs.
async fn events(svc: &Arc<Service>, query: &HashMap<String, String>) -> Result<Value, ApiError> {
    let arn = required(query, "executionArn")?;
    let number = |name: &str, default: u64| -> Result<u64, ApiError> {
        match query.get(name) {
            None => Ok(default),
            Some(t) => t.parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::ValidationException,
                    format!("The query parameter '{name}' is not a whole number: '{t}'"),
                )
            }),
        }
    };
    let after = number("after", 0)?.min(i64::MAX as u64) as i64;
    let limit = number("limit", 200)?.clamp(1, 1000) as usize;
    let wait = Duration::from_secs(number("wait", 0)?).min(MAX_WAIT);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let status = svc.execution(arn)?.status;
        let mut rows = api::event_rows(svc, arn, false, Some(after), limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let running = status == asl_interpreter::Status::Running;
        if !rows.is_empty() || !running || tokio::time::Instant::now() >= deadline {
            let events: Vec<Value> = rows.into_iter().map(|(_, e)| e).collect();
            return Ok(json!({
                "events": events,
                "more": more,
                "status": status.as_str(),
            }));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The recorded messages, newest first.
fn messages(svc: &Arc<Service>) -> Value {
    json!({ "messages": svc.messages(None, MAX_MESSAGES) })
}

/// The configured schedules, each with its next five fire times.
fn schedules(svc: &Arc<Service>) -> Result<Value, ApiError> {
    let all = crate::scheduler::Scheduled::parse_all(&svc.settings.schedules)
        .map_err(|e| ApiError::new(ErrorCode::ValidationException, e))?;
    let now = chrono::Utc::now();
    let list: Vec<Value> = all.iter().map(|s| s.summary(now, 5)).collect();
    Ok(json!({ "schedules": list }))
}

/// The ECS tasks with a log, newest first, with their description when this process ran them.
fn ecs_tasks(svc: &Arc<Service>) -> Value {
    let Some(ecs) = &svc.ecs else {
        return json!({"configured": false, "tasks": []});
    };
    let tasks: Vec<Value> = ecs
        .task_ids()
        .into_iter()
        .map(|id| {
            let description = ecs.describe_task(&id).unwrap_or(Value::Null);
            json!({"id": id, "description": description})
        })
        .collect();
    json!({"configured": true, "tasks": tasks})
}

/// One ECS task's log, as plain text.
fn ecs_log(svc: &Arc<Service>, query: &HashMap<String, String>) -> Result<Response, ApiError> {
    let task = required(query, "task")?;
    let not_found = |why: String| ApiError::new(ErrorCode::ResourceNotFound, why);
    let ecs = svc
        .ecs
        .as_ref()
        .ok_or_else(|| not_found("ECS is not configured".into()))?;
    let text = ecs
        .read_log(task)
        .map_err(|e| not_found(format!("No log for the task '{task}': {e}")))?;
    Ok(asset(text, "text/plain; charset=utf-8", DATA_POLICY))
}
