//! The HTTP Task (`arn:aws:states:::http:invoke`) against a real endpoint, as AWS's "Call
//! HTTPS APIs" documents it:
//!
//! - **Request**: `Method` (GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD) to `ApiEndpoint` with
//!   `QueryParameters` appended, `Headers`, and `RequestBody` sent as JSON
//!   (`Content-Type: application/json; charset=UTF-8` unless set) or, with `Transform:
//!   {"RequestBodyEncoding": "URL_ENCODED"}`, as form data (`a[b]=c`, arrays by
//!   `RequestEncodingOptions.ArrayFormat`: `INDICES` `a[0]=x`, `REPEAT` `a=x&a=y`, `COMMAS`
//!   `a=x,y`, `BRACKETS` `a[]=x`). Step Functions' own headers are added (`User-Agent:
//!   Amazon|StepFunctions|HttpInvoke|REGION`, `Range: bytes=0-262144`); a header AWS forbids
//!   (`Authorization`, `Host`, `x-amz-*`, ...) fails the task with `States.Runtime`.
//! - **Connection** (`Authentication.ConnectionArn` or `InvocationConfig.ConnectionArn`): the
//!   config file's `connections`, keyed by the connection's ARN or name, in EventBridge's
//!   `CreateConnection` shape (`AuthorizationType` `API_KEY` / `BASIC` /
//!   `OAUTH_CLIENT_CREDENTIALS`, `AuthParameters` with `InvocationHttpParameters`). Its
//!   headers, query and body parameters are merged over the task's (the connection's win); a
//!   string `RequestBody` with connection body parameters is `States.Runtime`. OAuth tokens
//!   come from `AuthorizationEndpoint` (a form with `grant_type=client_credentials`,
//!   `client_id`, `client_secret` and the connection's OAuth parameters), are kept until they
//!   expire, and are dropped after a 401 or 407 so that a retry gets a fresh one. A connection
//!   the config does not name sends no credentials.
//! - **Result**: `{"Headers": {name: [values]}, "ResponseBody", "StatusCode", "StatusText"}`,
//!   the body parsed when it is JSON, else text; a binary body (`application/octet-stream`,
//!   `image/*`, `audio/*`, `video/*`) is `States.Runtime`, one over 256 KiB
//!   `States.DataLimitExceeded`.
//! - **Errors**: a status outside 2xx is `States.Http.StatusCode.NNN` with the status text as
//!   cause (AWS keeps neither body nor headers); no answer within 60 s, or no connection, is
//!   `States.Http.Socket`.
//!
//! Only `http://` endpoints are called: sfn-local has no TLS client, and an `https://`
//! endpoint fails with `States.Http.Socket` saying so (point `ApiEndpoint` at a local mock, or
//! mock the state).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{TaskFailure, TaskHandler, TaskRequest};
use base64::Engine;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::outbound::{self, percent_encode};

/// The resource, in the `aws` partition (every partition's is registered).
pub const RESOURCE: &str = "arn:aws:states:::http:invoke";

/// AWS's hard limit on an HTTP Task's request and response.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The largest response body (the 256 KiB payload quota; AWS sends `Range: bytes=0-262144`).
pub const MAX_RESPONSE_BYTES: usize = 262_144;

/// Headers an HTTP Task may not set (AWS: "the definition fails with States.Runtime").
const FORBIDDEN_HEADERS: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];
const FORBIDDEN_PREFIXES: &[&str] = &["x-forwarded-", "x-amz-", "x-amzn-"];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// An EventBridge connection, as `CreateConnection` (or `AWS::Events::Connection`) takes it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Connection {
    /// `API_KEY`, `BASIC` or `OAUTH_CLIENT_CREDENTIALS`.
    pub authorization_type: String,
    /// The credentials and the parameters added to every request.
    #[serde(default)]
    pub auth_parameters: AuthParameters,
}

/// `AuthParameters`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AuthParameters {
    #[serde(default)]
    pub api_key_auth_parameters: Option<ApiKey>,
    #[serde(default)]
    pub basic_auth_parameters: Option<Basic>,
    #[serde(default, rename = "OAuthParameters")]
    pub oauth_parameters: Option<OAuth>,
    #[serde(default)]
    pub invocation_http_parameters: HttpParameters,
}

/// `ApiKeyAuthParameters`: the header and its value.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ApiKey {
    pub api_key_name: String,
    pub api_key_value: String,
}

/// `BasicAuthParameters`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Basic {
    pub username: String,
    pub password: String,
}

/// `OAuthParameters`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct OAuth {
    pub authorization_endpoint: String,
    #[serde(default = "post")]
    pub http_method: String,
    pub client_parameters: ClientParameters,
    #[serde(default, rename = "OAuthHttpParameters")]
    pub oauth_http_parameters: HttpParameters,
}

fn post() -> String {
    "POST".into()
}

/// `ClientParameters`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ClientParameters {
    #[serde(rename = "ClientID")]
    pub client_id: String,
    #[serde(rename = "ClientSecret")]
    pub client_secret: String,
}

/// `ConnectionHttpParameters`: lists of `{Key, Value}`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct HttpParameters {
    #[serde(default)]
    pub header_parameters: Vec<KeyValue>,
    #[serde(default)]
    pub query_string_parameters: Vec<KeyValue>,
    #[serde(default)]
    pub body_parameters: Vec<KeyValue>,
}

/// One parameter.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub is_value_secret: bool,
}

/// The HTTP Task handler: the configured connections and the OAuth tokens they got.
#[derive(Clone, Default)]
pub struct HttpTask {
    connections: Arc<HashMap<String, Connection>>,
    tokens: Arc<Mutex<HashMap<String, (String, Instant)>>>,
}

impl HttpTask {
    /// The handler with these connections (by ARN or name).
    pub fn new(connections: HashMap<String, Connection>) -> HttpTask {
        HttpTask {
            connections: Arc::new(connections),
            tokens: Arc::default(),
        }
    }

    /// Registers the handler for the resource in every partition.
    pub fn register(&self, handlers: asl_interpreter::Handlers) -> asl_interpreter::Handlers {
        asl_core::arn::PARTITION_NAMES
            .iter()
            .fold(handlers, |h, p| {
                h.resource(format!("arn:{p}:states:::http:invoke"), self.clone())
            })
    }

    /// The connection an ARN names: by the whole ARN, or by its name
    /// (`arn:aws:events:REGION:ACCOUNT:connection/NAME/ID`).
    fn connection(&self, arn: &str) -> Option<&Connection> {
        self.connections.get(arn).or_else(|| {
            let name = arn.split_once(":connection/")?.1.split('/').next()?;
            self.connections.get(name)
        })
    }
}

impl TaskHandler for HttpTask {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let me = self.clone();
        Box::pin(async move { me.invoke(&req).await })
    }
}

/// TestState's TRACE view of HTTP Task calls: the executions being traced, with their
/// `revealSecrets`, and the last call each made, as AWS's `InspectionDataRequest` and
/// `InspectionDataResponse` (every member a string; headers as `[Name: value, ...]`, a format
/// AWS does not document). Only executions registered by a [`Trace`] are recorded, and a
/// `Trace` removes its entry when dropped, so the table holds only TestState calls in flight.
pub mod trace {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex, MutexGuard};

    use serde_json::{Map, Value, json};

    use crate::integrations::outbound::Answer;

    /// One call's `request` or `response`.
    type Shown = Option<Map<String, Value>>;

    /// Execution ARN -> (revealSecrets, request, response).
    type Table = HashMap<String, (bool, Shown, Shown)>;

    static TRACED: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

    fn table() -> MutexGuard<'static, Table> {
        TRACED.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One execution's HTTP calls traced while this lives.
    pub struct Trace(String);

    impl Trace {
        /// Starts tracing the HTTP calls of `execution_arn`.
        pub fn start(execution_arn: &str, reveal_secrets: bool) -> Trace {
            table().insert(execution_arn.to_string(), (reveal_secrets, None, None));
            Trace(execution_arn.to_string())
        }

        /// The last call's `request` and `response`, if any was made.
        pub fn take(&self) -> (Shown, Shown) {
            table()
                .get_mut(&self.0)
                .map(|(_, q, a)| (q.take(), a.take()))
                .unwrap_or_default()
        }
    }

    impl Drop for Trace {
        fn drop(&mut self) {
            table().remove(&self.0);
        }
    }

    /// `Some(revealSecrets)` when the execution's calls are traced.
    pub(super) fn watching(execution_arn: &str) -> Option<bool> {
        table().get(execution_arn).map(|(r, _, _)| *r)
    }

    pub(super) fn record(
        execution_arn: &str,
        request: Map<String, Value>,
        response: Option<Map<String, Value>>,
    ) {
        if let Some(entry) = table().get_mut(execution_arn) {
            entry.1 = Some(request);
            entry.2 = response;
        }
    }

    fn protocol(url: &str) -> &str {
        url.split_once("://").map_or("http", |(p, _)| p)
    }

    fn header_text<'a>(headers: impl Iterator<Item = (&'a str, String)>) -> String {
        let all: Vec<String> = headers.map(|(n, v)| format!("{n}: {v}")).collect();
        format!("[{}]", all.join(", "))
    }

    pub(super) fn request(
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Map<String, Value> {
        let headers = header_text(headers.iter().map(|(n, v)| (n.as_str(), v.clone())));
        let m = json!({"protocol": protocol(url), "method": method, "url": url,
            "headers": headers, "body": body.unwrap_or_default()});
        m.as_object().cloned().unwrap_or_default()
    }

    pub(super) fn response(url: &str, answer: &Answer) -> Map<String, Value> {
        let headers = header_text(answer.headers.iter().map(|(n, v)| {
            (
                n.as_str(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        }));
        let body = match &answer.body {
            Ok(b) => String::from_utf8_lossy(b).into_owned(),
            Err(_) => String::new(),
        };
        let m = json!({"protocol": protocol(url), "statusCode": answer.status.as_u16().to_string(),
            "statusMessage": answer.status.canonical_reason().unwrap_or_default(),
            "headers": headers, "body": body});
        m.as_object().cloned().unwrap_or_default()
    }
}

fn runtime(cause: impl Into<String>) -> TaskFailure {
    TaskFailure::new("States.Runtime", cause)
}

fn socket(cause: impl Into<String>) -> TaskFailure {
    TaskFailure::new("States.Http.Socket", cause)
}

/// A scalar as form or query text.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Form pairs of `value` under `key` (`a[b]`, arrays by `format`).
fn form_pairs(key: &str, value: &Value, format: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let k = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}[{k}]")
                };
                form_pairs(&k, v, format, out);
            }
        }
        Value::Array(items)
            if format == "COMMAS" && items.iter().all(|v| !v.is_object() && !v.is_array()) =>
        {
            let joined = items.iter().map(scalar_text).collect::<Vec<_>>().join(",");
            out.push((key.to_string(), joined));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let k = match format {
                    "REPEAT" | "COMMAS" => key.to_string(),
                    "BRACKETS" => format!("{key}[]"),
                    _ => format!("{key}[{i}]"),
                };
                form_pairs(&k, v, format, out);
            }
        }
        scalar => out.push((key.to_string(), scalar_text(scalar))),
    }
}

/// `k=v&...`, percent-encoded (a `COMMAS` list keeps its commas).
fn encode_form(pairs: &[(String, String)], format: &str) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v = if format == "COMMAS" {
                v.split(',')
                    .map(percent_encode)
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                percent_encode(v)
            };
            format!("{}={v}", percent_encode(k))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A parameter member that must be an object of strings, lists of strings or other JSON.
fn object_member<'a>(p: &'a Value, k: &str) -> Result<Option<&'a Map<String, Value>>, TaskFailure> {
    match p.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(runtime(format!(
            "The HTTP Task's {k} must be a JSON object, not {}",
            asl_core::jsonata::json_type_name(other)
        ))),
    }
}

/// A request as built from the task's parameters: headers, URL with its query, body.
struct Prepared {
    headers: Vec<(String, String)>,
    url: String,
    body: Option<String>,
}

/// The request from the task's parameters with a connection's `invocation` parameters merged
/// over them (the connection's win).
fn prepare(
    p: &Value,
    endpoint: &str,
    invocation: &HttpParameters,
) -> Result<Prepared, TaskFailure> {
    // Headers: the task's, checked, then the connection's over them.
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(h) = object_member(p, "Headers")? {
        for (name, v) in h {
            let lower = name.to_ascii_lowercase();
            if FORBIDDEN_HEADERS.contains(&lower.as_str())
                || FORBIDDEN_PREFIXES.iter().any(|x| lower.starts_with(x))
            {
                return Err(runtime(format!(
                    "The header '{name}' cannot be set in an HTTP Task"
                )));
            }
            match v {
                Value::Array(values) => {
                    headers.extend(values.iter().map(|v| (name.clone(), scalar_text(v))))
                }
                v => headers.push((name.clone(), scalar_text(v))),
            }
        }
    }
    for kv in &invocation.header_parameters {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&kv.key));
        headers.push((kv.key.clone(), kv.value.clone()));
    }

    // Query: the task's, then the connection's over them.
    let mut query = match object_member(p, "QueryParameters")? {
        Some(q) => q.clone(),
        None => Map::new(),
    };
    for kv in &invocation.query_string_parameters {
        query.insert(kv.key.clone(), Value::String(kv.value.clone()));
    }
    let mut pairs = Vec::new();
    form_pairs("", &Value::Object(query), "REPEAT", &mut pairs);
    let mut url = endpoint.to_string();
    if !pairs.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encode_form(&pairs, "REPEAT"));
    }

    // Body: the task's, merged with the connection's, then encoded.
    let transform = p.get("Transform");
    let url_encoded = transform
        .and_then(|t| t.get("RequestBodyEncoding"))
        .and_then(Value::as_str)
        == Some("URL_ENCODED");
    let array_format = transform
        .and_then(|t| t.get("RequestEncodingOptions"))
        .and_then(|o| o.get("ArrayFormat"))
        .and_then(Value::as_str)
        .unwrap_or("INDICES");
    let params = &invocation.body_parameters;
    let body = match p.get("RequestBody") {
        None | Some(Value::Null) if params.is_empty() => None,
        Some(Value::String(s)) => {
            if !params.is_empty() {
                return Err(runtime(
                    "A string RequestBody cannot be merged with the connection's body parameters",
                ));
            }
            Some(s.clone())
        }
        other => {
            let mut v = match other {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(v) => v.clone(),
            };
            if !params.is_empty() {
                let Value::Object(m) = &mut v else {
                    return Err(runtime(
                        "A RequestBody that is not an object cannot be merged with the connection's body parameters",
                    ));
                };
                for kv in params {
                    m.insert(kv.key.clone(), Value::String(kv.value.clone()));
                }
            }
            Some(if url_encoded {
                let mut pairs = Vec::new();
                form_pairs("", &v, array_format, &mut pairs);
                encode_form(&pairs, array_format)
            } else {
                v.to_string()
            })
        }
    };
    Ok(Prepared { headers, url, body })
}

impl HttpTask {
    async fn invoke(&self, req: &TaskRequest) -> Result<Value, TaskFailure> {
        let p = &req.parameters;
        let endpoint = p
            .get("ApiEndpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| runtime("The HTTP Task needs an ApiEndpoint (a URL string)"))?;
        let method = p
            .get("Method")
            .and_then(Value::as_str)
            .filter(|m| METHODS.contains(m))
            .ok_or_else(|| {
                runtime(format!(
                    "The HTTP Task's Method must be one of {}",
                    METHODS.join(", ")
                ))
            })?;
        let connection_arn = ["Authentication", "InvocationConfig"]
            .iter()
            .find_map(|k| p.get(*k)?.get("ConnectionArn")?.as_str());
        let connection = connection_arn.and_then(|a| self.connection(a));
        let invocation = connection
            .map(|c| c.auth_parameters.invocation_http_parameters.clone())
            .unwrap_or_default();
        let prepared = prepare(p, endpoint, &invocation)?;
        // TestState at TRACE: what the request shows, without the connection's parameters
        // and credentials unless `revealSecrets` (AWS: "a secret includes the data that an
        // EventBridge connection adds to modify the HTTP request headers, query parameters,
        // and body").
        let trace = trace::watching(&req.execution_arn).map(|reveal| {
            let shown = if reveal {
                None
            } else {
                prepare(p, endpoint, &HttpParameters::default()).ok()
            };
            (reveal, shown)
        });
        self.send(req, method, prepared, connection, connection_arn, trace)
            .await
    }

    async fn send(
        &self,
        req: &TaskRequest,
        method: &str,
        prepared: Prepared,
        connection: Option<&Connection>,
        connection_arn: Option<&str>,
        trace: Option<(bool, Option<Prepared>)>,
    ) -> Result<Value, TaskFailure> {
        let Prepared { headers, url, body } = prepared;
        let url = url.as_str();
        if url.starts_with("https://") {
            return Err(socket(format!(
                "sfn-local calls http:// endpoints only (it has no TLS client): {url}. Point ApiEndpoint at a local http:// server, or mock the state."
            )));
        }
        let region = super::region_of(req);
        // Step Functions' own headers first, then the task's and the connection's.
        let own = |body: &Option<String>, headers: &[(String, String)]| {
            let mut all = vec![
                (
                    header::USER_AGENT.to_string(),
                    format!("Amazon|StepFunctions|HttpInvoke|{region}"),
                ),
                (header::RANGE.to_string(), "bytes=0-262144".to_string()),
            ];
            if body.is_some()
                && !headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                all.push((
                    header::CONTENT_TYPE.to_string(),
                    "application/json; charset=UTF-8".to_string(),
                ));
            }
            all.extend(headers.iter().cloned());
            all
        };
        let mut sent = own(&body, &headers);
        if let (Some(c), Some(arn)) = (connection, connection_arn) {
            sent.extend(self.authorization(c, arn).await?);
        }
        let mut builder = Request::builder().method(method).uri(url);
        for (n, v) in &sent {
            builder = builder.header(n.as_str(), v.as_str());
        }
        let traced = trace.map(|(_, shown)| match shown {
            Some(p) => trace::request(method, &p.url, &own(&p.body, &p.headers), p.body.as_deref()),
            None => trace::request(method, url, &sent, body.as_deref()),
        });
        if let Some(t) = &traced {
            trace::record(&req.execution_arn, t.clone(), None);
        }
        let request = builder
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| runtime(format!("The HTTP Task's request is not valid: {e}")))?;
        let answer = match tokio::time::timeout(
            TIMEOUT,
            outbound::send(request, MAX_RESPONSE_BYTES),
        )
        .await
        {
            Err(_) => {
                return Err(socket(format!(
                    "The HTTP Task got no answer from {url} within {} seconds",
                    TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) => return Err(socket(format!("{url}: {e}"))),
            Ok(Ok(a)) => a,
        };
        let status = answer.status;
        if let Some(t) = traced {
            trace::record(&req.execution_arn, t, Some(trace::response(url, &answer)));
        }
        if matches!(status.as_u16(), 401 | 407)
            && let Some(arn) = connection_arn
        {
            // The next attempt gets a fresh token.
            self.tokens().remove(arn);
        }
        let text = status.canonical_reason().unwrap_or_default().to_string();
        if !status.is_success() {
            return Err(TaskFailure::new(
                format!("States.Http.StatusCode.{}", status.as_u16()),
                text,
            ));
        }
        let bytes = answer.body.map_err(|_| {
            TaskFailure::new(
                "States.DataLimitExceeded",
                format!("The HTTP Task's response is larger than {MAX_RESPONSE_BYTES} bytes"),
            )
        })?;
        let content_type = answer
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let binary = content_type.starts_with("application/octet-stream")
            || ["image/", "audio/", "video/"]
                .iter()
                .any(|p| content_type.starts_with(p));
        let Ok(text_body) = String::from_utf8(bytes) else {
            return Err(runtime("The HTTP Task's response body is not text"));
        };
        if binary {
            return Err(runtime(format!(
                "The HTTP Task's response has the unsupported content type {content_type}"
            )));
        }
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let json_type = essence == "application/json" || essence.ends_with("+json");
        let response_body = if json_type {
            serde_json::from_str(&text_body).unwrap_or(Value::String(text_body))
        } else {
            Value::String(text_body)
        };
        let mut out_headers: Map<String, Value> = Map::new();
        for (name, value) in &answer.headers {
            let v = Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned());
            if let Value::Array(a) = out_headers
                .entry(name.as_str().to_string())
                .or_insert_with(|| json!([]))
            {
                a.push(v);
            }
        }
        Ok(json!({
            "Headers": out_headers,
            "ResponseBody": response_body,
            "StatusCode": status.as_u16(),
            "StatusText": text,
        }))
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Instant)>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The headers a connection authorizes a request with.
    async fn authorization(
        &self,
        c: &Connection,
        arn: &str,
    ) -> Result<Vec<(String, String)>, TaskFailure> {
        let a = &c.auth_parameters;
        match c.authorization_type.as_str() {
            "API_KEY" => Ok(a
                .api_key_auth_parameters
                .iter()
                .map(|k| (k.api_key_name.clone(), k.api_key_value.clone()))
                .collect()),
            "BASIC" => Ok(a
                .basic_auth_parameters
                .iter()
                .map(|b| {
                    let token = base64::engine::general_purpose::STANDARD
                        .encode(format!("{}:{}", b.username, b.password));
                    ("Authorization".to_string(), format!("Basic {token}"))
                })
                .collect()),
            "OAUTH_CLIENT_CREDENTIALS" => {
                let Some(o) = &a.oauth_parameters else {
                    return Ok(Vec::new());
                };
                let cached = self
                    .tokens()
                    .get(arn)
                    .filter(|(_, until)| *until > Instant::now())
                    .map(|(t, _)| t.clone());
                let token = match cached {
                    Some(t) => t,
                    None => {
                        let (t, lifetime) = fetch_token(o).await?;
                        self.tokens()
                            .insert(arn.to_string(), (t.clone(), Instant::now() + lifetime));
                        t
                    }
                };
                Ok(vec![("Authorization".into(), format!("Bearer {token}"))])
            }
            other => Err(TaskFailure::new(
                "Events.ConnectionResource.InvalidConnectionState",
                format!("The connection {arn} has an unknown AuthorizationType '{other}'"),
            )),
        }
    }
}

/// The client-credentials grant: the access token and how long it lasts (a minute less than
/// `expires_in`, or an hour when the answer does not say).
async fn fetch_token(o: &OAuth) -> Result<(String, Duration), TaskFailure> {
    let failed = |why: String| {
        TaskFailure::new(
            "Events.ConnectionResource.AuthInProgress",
            format!(
                "The OAuth token request to {} failed: {why}",
                o.authorization_endpoint
            ),
        )
    };
    let mut form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        (
            "client_id".to_string(),
            o.client_parameters.client_id.clone(),
        ),
        (
            "client_secret".to_string(),
            o.client_parameters.client_secret.clone(),
        ),
    ];
    let extra = &o.oauth_http_parameters;
    for kv in &extra.body_parameters {
        form.retain(|(k, _)| k != &kv.key);
        form.push((kv.key.clone(), kv.value.clone()));
    }
    let mut url = o.authorization_endpoint.clone();
    if !extra.query_string_parameters.is_empty() {
        let q: Vec<(String, String)> = extra
            .query_string_parameters
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone()))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encode_form(&q, "REPEAT"));
    }
    let body = encode_form(&form, "REPEAT");
    let (url, body) = if o.http_method.eq_ignore_ascii_case("GET") {
        let sep = if url.contains('?') { '&' } else { '?' };
        (format!("{url}{sep}{body}"), String::new())
    } else {
        (url, body)
    };
    if url.starts_with("https://") {
        return Err(failed("sfn-local calls http:// endpoints only".into()));
    }
    let mut builder = Request::builder()
        .method(o.http_method.to_ascii_uppercase().as_str())
        .uri(&url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for kv in &extra.header_parameters {
        builder = builder.header(kv.key.as_str(), kv.value.as_str());
    }
    let request = builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| failed(e.to_string()))?;
    let answer = tokio::time::timeout(TIMEOUT, outbound::send(request, MAX_RESPONSE_BYTES))
        .await
        .map_err(|_| failed("no answer within 60 seconds".into()))?
        .map_err(failed)?;
    if !answer.status.is_success() {
        return Err(failed(format!("it answered {}", answer.status)));
    }
    let v: Value = answer
        .body
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| failed("the answer is not JSON".into()))?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| failed("the answer has no access_token".into()))?;
    let lifetime = v
        .get("expires_in")
        .and_then(Value::as_u64)
        .map_or(Duration::from_secs(3600), |s| {
            Duration::from_secs(s.saturating_sub(60))
        });
    Ok((token.to_string(), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented encodings of `{"array": ["a","b","c","d"]}` for each ArrayFormat, and
    /// its nested-object example.
    #[test]
    fn form_encoding_follows_each_array_format() {
        let body = json!({"array": ["a", "b", "c", "d"]});
        for (format, want) in [
            (
                "INDICES",
                "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d",
            ),
            ("REPEAT", "array=a&array=b&array=c&array=d"),
            ("COMMAS", "array=a,b,c,d"),
            (
                "BRACKETS",
                "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d",
            ),
        ] {
            let mut pairs = Vec::new();
            form_pairs("", &body, format, &mut pairs);
            assert_eq!(encode_form(&pairs, format), want, "{format}");
        }
        let nested = json!({"description": "Monthly subscription",
            "metadata": {"order_details": "monthly report data"}, "n": 3, "ok": true, "none": null});
        let mut pairs = Vec::new();
        form_pairs("", &nested, "INDICES", &mut pairs);
        assert_eq!(
            encode_form(&pairs, "INDICES"),
            "description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data&n=3&ok=true&none="
        );
    }

    #[test]
    fn connections_are_found_by_arn_or_name() {
        let c: Connection = serde_json::from_value(json!({
            "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"}}
        }))
        .unwrap();
        let t = HttpTask::new(HashMap::from([("Stripe".to_string(), c.clone())]));
        assert_eq!(
            t.connection("arn:aws:events:us-east-2:123456789012:connection/Stripe/81210c42"),
            Some(&c)
        );
        assert_eq!(
            t.connection("arn:aws:events:us-east-2:1:connection/Other/1"),
            None
        );
    }
}
