//! The HTTP Task against a real endpoint: a local API in the test records every request and
//! answers as told; `sfn-local serve --config` holds the connections (API key, basic, OAuth
//! client credentials). Checked: the request as AWS documents it (method, URL with query,
//! Step Functions' headers, the connection's parameters merged over the task's, JSON and
//! URL-encoded bodies), the result's shape, a 500 as `States.Http.StatusCode.500` caught, a
//! forbidden header as `States.Runtime`, a refused connection as `States.Http.Socket`.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use common::{TempDir, create, ok, spawn, wait_closed};
use serde_json::{Value, json};

/// One request the API got.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn api(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock().unwrap().push(seen);
    match parts.uri.path() {
        "/token" => (
            [("content-type", "application/json")],
            r#"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#,
        )
            .into_response(),
        "/broken" => (StatusCode::INTERNAL_SERVER_ERROR, "database down").into_response(),
        "/text" => ([("content-type", "text/plain")], "plain words").into_response(),
        "/image" => ([("content-type", "image/png")], "PNG").into_response(),
        _ => (
            [("content-type", "application/json"), ("x-custom", "1")],
            r#"{"ok":true,"items":[1,2]}"#,
        )
            .into_response(),
    }
}

/// Starts the API on a free port; returns its base URL and its request log.
fn start_api() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(api).with_state(log.clone());
    (common::serve_router(app), log)
}

fn task(params: Value) -> Value {
    json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Parameters": params,
        "Catch": [{"ErrorEquals": ["States.Http.StatusCode.500"], "ResultPath": "$.error", "Next": "Caught"}],
        "End": true},
        "Caught": {"Type": "Pass", "End": true}}})
}

fn run(e: &str, name: &str, params: Value) -> Value {
    let sm = create(e, name, &task(params));
    let x = common::start(e, &sm, &json!({"id": "cus 1"}));
    wait_closed(e, &x)
}

#[test]
fn http_tasks_call_the_api_as_aws_does() {
    let (base, log) = start_api();
    let dir = TempDir::new("http-task");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        json!({"connections": {
            "keyed": {"AuthorizationType": "API_KEY", "AuthParameters": {
                "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret-key"},
                "InvocationHttpParameters": {
                    "HeaderParameters": [{"Key": "Request-Id", "Value": "from-connection"}],
                    "QueryStringParameters": [{"Key": "limit", "Value": "5"}],
                    "BodyParameters": [{"Key": "source", "Value": "connection"}]}}},
            "arn:aws:events:us-east-1:123456789012:connection/basic/1": {
                "AuthorizationType": "BASIC",
                "AuthParameters": {"BasicAuthParameters": {"Username": "ann", "Password": "pw"}}},
            "oauth": {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {
                "OAuthParameters": {"AuthorizationEndpoint": format!("{base}/token"), "HttpMethod": "POST",
                    "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"},
                    "OAuthHttpParameters": {"BodyParameters": [{"Key": "audience", "Value": "api"}]}}}}
        }})
        .to_string(),
    )
    .unwrap();
    let p = spawn(&["--in-memory", "--config", config.to_str().unwrap()]);
    let e = p.endpoint.as_str();
    let conn = |name: &str| format!("arn:aws:events:us-east-1:123456789012:connection/{name}/1");

    // API key: JSON body, query and headers merged with the connection's (which win).
    let d = run(
        e,
        "keyed",
        json!({"ApiEndpoint": format!("{base}/customers"), "Method": "POST",
               "Authentication": {"ConnectionArn": conn("keyed")},
               "Headers": {"Request-Id": "from-task", "X-Trace": "t1"},
               "QueryParameters": {"currency": "usd", "limit": "100"},
               "RequestBody": {"customer.$": "$.id", "source": "task"}}),
    );
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["StatusText"], "OK");
    assert_eq!(out["ResponseBody"], json!({"ok": true, "items": [1, 2]}));
    assert_eq!(out["Headers"]["x-custom"], json!(["1"]));
    assert_eq!(out["Headers"]["content-type"], json!(["application/json"]));
    let seen = log.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.uri, "/customers?currency=usd&limit=5");
    assert_eq!(seen.header("x-api-key"), Some("secret-key"));
    assert_eq!(seen.header("request-id"), Some("from-connection"));
    assert_eq!(seen.header("x-trace"), Some("t1"));
    assert_eq!(
        seen.header("user-agent"),
        Some("Amazon|StepFunctions|HttpInvoke|us-east-1")
    );
    assert_eq!(seen.header("range"), Some("bytes=0-262144"));
    assert_eq!(
        seen.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    let body: Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(body, json!({"customer": "cus 1", "source": "connection"}));

    // Basic, found by ARN: a form body, arrays by ArrayFormat.
    for (format, want) in [
        (
            "INDICES",
            "tags%5B0%5D=a&tags%5B1%5D=b&who%5Bname%5D=ann%20b",
        ),
        (
            "BRACKETS",
            "tags%5B%5D=a&tags%5B%5D=b&who%5Bname%5D=ann%20b",
        ),
        ("REPEAT", "tags=a&tags=b&who%5Bname%5D=ann%20b"),
        ("COMMAS", "tags=a,b&who%5Bname%5D=ann%20b"),
    ] {
        let d = run(
            e,
            &format!("basic-{format}"),
            json!({"ApiEndpoint": format!("{base}/forms"), "Method": "PUT",
                   "InvocationConfig": {"ConnectionArn": conn("basic")},
                   "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
                   "RequestBody": {"tags": ["a", "b"], "who": {"name": "ann b"}},
                   "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                                 "RequestEncodingOptions": {"ArrayFormat": format}}}),
        );
        assert_eq!(d["status"], "SUCCEEDED", "{d}");
        let seen = log.lock().unwrap().last().cloned().unwrap();
        assert_eq!(seen.method, "PUT");
        assert_eq!(seen.body, want, "{format}");
        assert_eq!(seen.header("authorization"), Some("Basic YW5uOnB3"));
        assert_eq!(
            seen.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }

    // OAuth client credentials: a token first, then the call with it; the token is kept.
    for name in ["oauth-1", "oauth-2"] {
        let d = run(
            e,
            name,
            json!({"ApiEndpoint": format!("{base}/orders"), "Method": "GET",
                   "Authentication": {"ConnectionArn": conn("oauth")}}),
        );
        assert_eq!(d["status"], "SUCCEEDED", "{d}");
    }
    let all = log.lock().unwrap().clone();
    let tokens: Vec<&Seen> = all.iter().filter(|s| s.uri == "/token").collect();
    assert_eq!(tokens.len(), 1, "one token for both calls");
    assert_eq!(tokens[0].method, "POST");
    assert_eq!(
        tokens[0].body,
        "grant_type=client_credentials&client_id=cid&client_secret=csecret&audience=api"
    );
    let orders: Vec<&Seen> = all.iter().filter(|s| s.uri == "/orders").collect();
    assert_eq!(orders.len(), 2);
    assert!(
        orders
            .iter()
            .all(|s| s.header("authorization") == Some("Bearer tok-1"))
    );
    assert_eq!(orders[0].body, "", "no body for a GET without RequestBody");

    // A text answer is a string; a 500 is States.Http.StatusCode.500 with its status text.
    let d = run(
        e,
        "text",
        json!({"ApiEndpoint": format!("{base}/text"), "Method": "GET"}),
    );
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(out["ResponseBody"], "plain words");
    let d = run(
        e,
        "broken",
        json!({"ApiEndpoint": format!("{base}/broken"), "Method": "DELETE"}),
    );
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        out["error"],
        json!({"Error": "States.Http.StatusCode.500", "Cause": "Internal Server Error"})
    );

    // What fails: a forbidden header, a binary answer, nobody listening, https.
    for (name, params, error) in [
        (
            "forbidden",
            json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "Headers": {"Authorization": "Bearer mine"}}),
            "States.Runtime",
        ),
        (
            "image",
            json!({"ApiEndpoint": format!("{base}/image"), "Method": "GET"}),
            "States.Runtime",
        ),
        (
            "refused",
            json!({"ApiEndpoint": "http://127.0.0.1:9/x", "Method": "GET"}),
            "States.Http.Socket",
        ),
        (
            "tls",
            json!({"ApiEndpoint": "https://api.example.com/x", "Method": "GET"}),
            "States.Http.Socket",
        ),
        (
            "method",
            json!({"ApiEndpoint": format!("{base}/x"), "Method": "FETCH"}),
            "States.Runtime",
        ),
    ] {
        let d = run(e, name, params);
        assert_eq!(d["status"], "FAILED", "{name}: {d}");
        assert_eq!(d["error"], error, "{name}: {d}");
    }
    let history = ok(
        e,
        "ListExecutions",
        json!({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:keyed"}),
    );
    assert_eq!(history["executions"].as_array().unwrap().len(), 1);
}

/// TestState calls an unmocked HTTP Task's API as an execution would; an Activity or a
/// callback pattern without a mock is refused.
#[test]
fn test_state_calls_the_api_of_an_unmocked_http_task() {
    let (base, log) = start_api();
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let state = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": format!("{base}/items"), "Method": "GET"},
        "ResultSelector": {"body.$": "$.ResponseBody", "code.$": "$.StatusCode"}, "End": true});
    let out = ok(
        e,
        "TestState",
        json!({"definition": state.to_string(), "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    let got: Value = serde_json::from_str(out["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        got,
        json!({"body": {"ok": true, "items": [1, 2]}, "code": 200})
    );
    assert_eq!(log.lock().unwrap().last().unwrap().uri, "/items");
    for resource in [
        "arn:aws:states:us-east-1:123456789012:activity:work",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    ] {
        let (status, v) = common::call(
            e,
            "TestState",
            json!({"definition": json!({"Type": "Task", "Resource": resource, "End": true}).to_string(),
                   "roleArn": "arn:aws:iam::123456789012:role/r"}),
        );
        assert_eq!(status, 400, "{resource}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains("needs a mock"),
            "{v}"
        );
    }
}

/// TestState at TRACE shows the HTTP request and response; the connection's parameters and
/// credentials only with `revealSecrets`.
#[test]
fn test_state_traces_the_http_exchange() {
    let (base, _log) = start_api();
    let dir = TempDir::new("http-trace");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        json!({"connections": {"keyed": {"AuthorizationType": "API_KEY", "AuthParameters": {
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret-key"},
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "Conn-Header", "Value": "conn-value"}],
                "QueryStringParameters": [{"Key": "limit", "Value": "5"}],
                "BodyParameters": [{"Key": "source", "Value": "connection"}]}}}}})
        .to_string(),
    )
    .unwrap();
    let p = spawn(&["--in-memory", "--config", config.to_str().unwrap()]);
    let e = p.endpoint.as_str();
    let state = |path: &str| {
        json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": format!("{base}{path}"), "Method": "POST",
                "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/keyed/1"},
                "Headers": {"X-Trace": "t1"}, "QueryParameters": {"q": "a b"},
                "RequestBody": {"id": 1}},
            "End": true})
        .to_string()
    };
    let trace = |path: &str, level: &str, reveal: bool| {
        ok(
            e,
            "TestState",
            json!({"definition": state(path), "roleArn": "arn:aws:iam::123456789012:role/r",
                   "inspectionLevel": level, "revealSecrets": reveal}),
        )
    };

    let out = trace("/items", "TRACE", false);
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    let request = &out["inspectionData"]["request"];
    assert_eq!(request["protocol"], "http");
    assert_eq!(request["method"], "POST");
    assert_eq!(request["url"], format!("{base}/items?q=a%20b"));
    assert_eq!(request["body"], r#"{"id":1}"#);
    let headers = request["headers"].as_str().unwrap();
    assert!(headers.contains("X-Trace: t1"), "{headers}");
    assert!(
        headers.contains("user-agent: Amazon|StepFunctions|HttpInvoke|us-east-1"),
        "{headers}"
    );
    for secret in ["secret-key", "conn-value", "limit", "connection"] {
        assert!(
            !request.to_string().contains(secret),
            "{secret} in {request}"
        );
    }
    let response = &out["inspectionData"]["response"];
    assert_eq!(response["statusCode"], "200");
    assert_eq!(response["statusMessage"], "OK");
    assert_eq!(response["body"], r#"{"ok":true,"items":[1,2]}"#);
    assert!(
        response["headers"]
            .as_str()
            .unwrap()
            .contains("x-custom: 1"),
        "{response}"
    );

    // revealSecrets: what the connection added is shown.
    let out = trace("/items", "TRACE", true);
    let request = out["inspectionData"]["request"].to_string();
    for secret in [
        "x-api-key: secret-key",
        "Conn-Header: conn-value",
        "limit=5",
        "connection",
    ] {
        assert!(request.contains(secret), "{secret} not in {request}");
    }

    // A failing call is traced too; DEBUG shows no HTTP data.
    let out = trace("/broken", "TRACE", false);
    assert_eq!(out["status"], "FAILED", "{out}");
    assert_eq!(out["error"], "States.Http.StatusCode.500");
    assert_eq!(out["inspectionData"]["response"]["statusCode"], "500");
    assert_eq!(out["inspectionData"]["response"]["body"], "database down");
    let out = trace("/items", "DEBUG", false);
    assert!(out["inspectionData"].get("request").is_none(), "{out}");
}

/// Hostile HTTP Task parameters fail the task in AWS's error shape; none stops the server.
#[test]
fn hostile_http_task_parameters_fail_the_task_only() {
    let (base, _log) = start_api();
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let huge = "x".repeat(100_000);
    for (i, params) in [
        json!({"ApiEndpoint": "not a url", "Method": "GET"}),
        json!({"ApiEndpoint": "http://[::1", "Method": "GET"}),
        json!({"ApiEndpoint": "", "Method": "GET"}),
        json!({"ApiEndpoint": 5, "Method": "GET"}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "Headers": {"bad name": "v"}}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "Headers": {"X-Ok": "line\nbreak"}}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "Headers": "a string"}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "QueryParameters": {"q": huge, "n": {"deep": [1, {"x": null}]}}}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "POST", "RequestBody": [1, 2, {"a": "b"}],
               "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "NOPE"}}}),
        json!({"ApiEndpoint": format!("{base}/x"), "Method": "GET", "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/unknown/1"}}),
    ]
    .into_iter()
    .enumerate()
    {
        let d = run(e, &format!("hostile-{i}"), params.clone());
        assert!(
            matches!(d["status"].as_str(), Some("FAILED" | "SUCCEEDED")),
            "{params}: {d}"
        );
        if d["status"] == "FAILED" {
            let error = d["error"].as_str().unwrap();
            assert!(
                error.starts_with("States.Runtime") || error.starts_with("States.Http"),
                "{params}: {d}"
            );
        }
    }
    // Still serving.
    ok(e, "ListStateMachines", json!({}));
}
