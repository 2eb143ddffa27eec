//! Lambda functions forwarded to a Lambda-compatible endpoint (`--lambda-endpoint`): a fake
//! endpoint on 127.0.0.1 records every raw request it gets and answers as scripted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_interpreter::{RealClock, TaskFailure, TaskRequest};
use serde_json::{Value, json};
use sfn_local_server::config::FileConfig;
use sfn_local_server::integrations::lambda::MAX_RESPONSE_BYTES;
use sfn_local_server::serve::handlers_for;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the endpoint read it.
#[derive(Debug, Clone)]
struct Seen {
    /// Which connection (0, 1, ...) it came on.
    connection: usize,
    /// The request line and headers, exactly as sent.
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn request_line(&self) -> &str {
        self.head.split("\r\n").next().unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// What the endpoint writes back: pieces written (and flushed) apart, so a client reads them
/// in separate reads.
type Reply = Vec<Vec<u8>>;

struct Fake {
    endpoint: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<Mutex<usize>>,
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

/// A Lambda endpoint answering every request with `reply(request)`.
async fn fake(reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let reply = Arc::new(reply);
    let (s, c) = (seen.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let connection = {
                let mut n = c.lock().unwrap();
                *n += 1;
                *n - 1
            };
            tokio::spawn(serve(stream, connection, s.clone(), reply.clone()));
        }
    });
    Fake {
        endpoint: format!("http://{addr}"),
        seen,
        connections,
    }
}

async fn serve(
    mut stream: TcpStream,
    connection: usize,
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<impl Fn(&Seen) -> Reply + Send + Sync>,
) {
    let mut buf = Vec::new();
    loop {
        // The head, then Content-Length bytes of body.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end - 4]).into_owned();
        let mut request = Seen {
            connection,
            head,
            body: Vec::new(),
        };
        let length: usize = request
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        request.body = buf[end..end + length].to_vec();
        buf.drain(..end + length);
        seen.lock().unwrap().push(request.clone());
        let pieces = reply(&request);
        let close = pieces
            .first()
            .is_some_and(|p| String::from_utf8_lossy(p).contains("Connection: close"));
        for p in pieces {
            if stream.write_all(&p).await.is_err() || stream.flush().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if close {
            return;
        }
    }
}

/// `200` with a JSON body and a Content-Length (kept alive).
fn ok(body: &str) -> Reply {
    vec![
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    ]
}

/// `status` with extra header lines and a body (kept alive).
fn answer(status: &str, headers: &str, body: &str) -> Reply {
    vec![
        format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    ]
}

fn request(resource: &str, parameters: Value, function_name: Option<&str>) -> TaskRequest {
    TaskRequest {
        resource: resource.into(),
        parameters,
        context: json!({}),
        task_token: None,
        state_name: "Invoke".into(),
        attempt: 0,
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:sm:e".into(),
        test_case: None,
        invocation: 0,
        clock: Arc::new(RealClock::new()),
        function_name: function_name.map(str::to_string),
        submitted: None,
    }
}

/// `arn:aws:states:::lambda:invoke` with this `FunctionName`, through the server's handlers:
/// the service response.
async fn invoke(endpoint: &str, function: &str, payload: Value) -> Result<Value, TaskFailure> {
    let resource = "arn:aws:states:::lambda:invoke";
    let parameters = json!({"FunctionName": function, "Payload": payload});
    let handlers = handlers_for(&FileConfig::default(), Some(endpoint));
    let h = handlers
        .find(resource, &parameters)
        .expect("the endpoint handles functions");
    h.call(request(resource, parameters, None)).await
}

/// A function ARN as the `Resource`, through the server's handlers: the function's result.
async fn invoke_arn(endpoint: &str, arn: &str, event: Value) -> Result<Value, TaskFailure> {
    let handlers = handlers_for(&FileConfig::default(), Some(endpoint));
    let h = handlers
        .find(arn, &event)
        .expect("the endpoint handles functions");
    h.call(request(arn, event, None)).await
}

fn error(f: &TaskFailure) -> &str {
    f.error.as_deref().unwrap()
}

fn cause(f: &TaskFailure) -> &str {
    f.cause.as_deref().unwrap()
}

#[tokio::test]
async fn names_lambda_refuses_never_reach_the_endpoint() {
    let f = fake(|_| ok("{}")).await;
    let bad = [
        "f\r\nX-Injected: 1",
        "f HTTP/1.1\r\nHost: x\r\n\r\nPOST /2015-03-31/functions/other/invocations",
        "f\nX-Injected: 1",
        "../other",
        "../../admin",
        "my function",
        "a/b",
        "f?Qualifier=x",
        "f#x",
        "f%0D%0A",
        "fé",
        "",
        "arn:aws:lambda:us-east-1:123456789012:function:f:v1/../x",
    ];
    for name in bad {
        let e = invoke(&f.endpoint, name, json!({})).await.unwrap_err();
        assert_eq!(error(&e), "Lambda.AWSLambdaException", "{name:?}: {e:?}");
        assert!(
            cause(&e).contains(" at 'functionName' failed to satisfy constraint: ")
                && cause(&e).contains(
                    "(Service: AWSLambda; Status Code: 400; Error Code: ValidationException; "
                ),
            "{name:?}: {e:?}"
        );
        let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
        let e = invoke_arn(&f.endpoint, &arn, json!({})).await.unwrap_err();
        assert_eq!(error(&e), "Lambda.AWSLambdaException", "{arn:?}: {e:?}");
    }
    let e = invoke(&f.endpoint, &"x".repeat(65), json!({}))
        .await
        .unwrap_err();
    assert_eq!(error(&e), "Lambda.AWSLambdaException");
    assert!(cause(&e).contains("Member must have length less than or equal to 64"));
    // `.` and `..` pass Lambda's pattern; no function has that name.
    for name in [".", "..", "123456789012:function:.."] {
        let e = invoke(&f.endpoint, name, json!({})).await.unwrap_err();
        assert_eq!(error(&e), "Lambda.ResourceNotFoundException", "{name}");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(f.connections(), 0);
    assert!(f.seen().is_empty(), "{:?}", f.seen());
}

#[tokio::test]
async fn names_and_arns_reach_their_url() {
    let f = fake(|_| ok(r#"{"ok":true}"#)).await;
    let cases = [
        ("my-fn", "/2015-03-31/functions/my-fn/invocations"),
        ("my_fn.v2", "/2015-03-31/functions/my_fn.v2/invocations"),
        (
            "123456789012:function:my-fn",
            "/2015-03-31/functions/my-fn/invocations",
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn",
            "/2015-03-31/functions/my-fn/invocations",
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST",
            "/2015-03-31/functions/my-fn/invocations",
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod",
            "/2015-03-31/functions/my-fn/invocations?Qualifier=prod",
        ),
        (
            "my-fn:7",
            "/2015-03-31/functions/my-fn/invocations?Qualifier=7",
        ),
    ];
    for (name, _) in cases {
        let out = invoke(&f.endpoint, name, json!({"n": 1})).await.unwrap();
        assert_eq!(out["Payload"], json!({"ok": true}), "{name}");
        assert_eq!(out["StatusCode"], json!(200));
        // Time for the connection to go back to the pool.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = f.seen();
    assert_eq!(seen.len(), cases.len());
    for (s, (name, path)) in seen.iter().zip(cases) {
        assert_eq!(s.request_line(), format!("POST {path} HTTP/1.1"), "{name}");
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.header("x-amz-invocation-type"), Some("RequestResponse"));
        assert_eq!(s.header("x-amz-log-type"), Some("None"));
        assert_eq!(
            s.header("host"),
            Some(f.endpoint.trim_start_matches("http://"))
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&s.body).unwrap(),
            json!({"n": 1})
        );
    }
    // A function ARN as the Resource: the event is the state's input, the result bare.
    let out = invoke_arn(
        &f.endpoint,
        "arn:aws:lambda:us-east-1:123456789012:function:other:live",
        json!({"x": "é"}),
    )
    .await
    .unwrap();
    assert_eq!(out, json!({"ok": true}));
    let last = f.seen().pop().unwrap();
    assert_eq!(
        last.request_line(),
        "POST /2015-03-31/functions/other/invocations?Qualifier=live HTTP/1.1"
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&last.body).unwrap(),
        json!({"x": "é"})
    );
    // One pooled client: every call went over the first connection.
    assert_eq!(f.connections(), 1);
    assert!(f.seen().iter().all(|s| s.connection == 0));
}

#[tokio::test]
async fn sam_local_refusing_the_qualifier_gets_the_call_without_it() {
    // `sam local start-lambda` answers any query parameter so.
    let f = fake(|s| {
        if s.request_line().contains('?') {
            answer(
                "400 BAD REQUEST",
                "x-amzn-errortype: InvalidRequestContentException\r\nContent-Type: application/json\r\n",
                r#"{"Type": "User", "Message": "Query Parameters are not supported"}"#,
            )
        } else {
            ok(r#""done""#)
        }
    })
    .await;
    let out = invoke(&f.endpoint, "my-fn:live", json!({})).await.unwrap();
    assert_eq!(out["Payload"], json!("done"));
    let lines: Vec<String> = f
        .seen()
        .iter()
        .map(|s| s.request_line().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "POST /2015-03-31/functions/my-fn/invocations?Qualifier=live HTTP/1.1",
            "POST /2015-03-31/functions/my-fn/invocations HTTP/1.1"
        ]
    );
    // Any other 400 is the endpoint's answer.
    let f = fake(|_| answer("400 Bad Request", "", r#"{"Message": "no"}"#)).await;
    let e = invoke(&f.endpoint, "my-fn:live", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error(&e), "Lambda.ServiceException");
    assert_eq!(cause(&e), r#"The endpoint answered 400: {"Message": "no"}"#);
    assert_eq!(f.seen().len(), 1);
}

/// A chunked `200` whose chunks are these byte runs.
fn chunked(chunks: &[&[u8]], headers: &str) -> Reply {
    let mut pieces = vec![
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{headers}Transfer-Encoding: chunked\r\n\r\n")
            .into_bytes(),
    ];
    for c in chunks {
        let mut p = format!("{:x}\r\n", c.len()).into_bytes();
        p.extend_from_slice(c);
        p.extend_from_slice(b"\r\n");
        pieces.push(p);
    }
    pieces.push(b"0\r\n\r\n".to_vec());
    pieces
}

#[tokio::test]
async fn a_chunk_boundary_inside_a_character_decodes() {
    let body = r#"{"s":"é😀ü"}"#.as_bytes().to_vec();
    let e = body.iter().position(|&b| b == 0xC3).unwrap();
    let emoji = body.iter().position(|&b| b == 0xF0).unwrap();
    let f = fake(move |_| {
        let b = body.as_slice();
        // Split after the first byte of `é`, then two bytes into the emoji, then inside `ü`.
        let u = b.len() - 3;
        chunked(
            &[&b[..e + 1], &b[e + 1..emoji + 2], &b[emoji + 2..u], &b[u..]],
            "",
        )
    })
    .await;
    let out = invoke(&f.endpoint, "my-fn", json!({})).await.unwrap();
    assert_eq!(out["Payload"], json!({"s": "é😀ü"}));
    // Byte by byte, with the function error header.
    let f = fake(|_| {
        let b = r#"{"errorType":"Ünïcode","errorMessage":"∞ 😀"}"#.as_bytes();
        let bytes: Vec<&[u8]> = b.chunks(1).collect();
        chunked(&bytes, "X-Amz-Function-Error: Unhandled\r\n")
    })
    .await;
    let e = invoke(&f.endpoint, "my-fn", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Ünïcode");
    assert_eq!(
        cause(&e),
        r#"{"errorType":"Ünïcode","errorMessage":"∞ 😀"}"#
    );
}

#[tokio::test]
async fn function_errors_and_statuses_map_as_before() {
    let f = fake(|s| {
        let path = s.request_line().split(' ').nth(1).unwrap().to_string();
        let fe = "X-Amz-Function-Error: Unhandled\r\n";
        match path.as_str() {
            "/2015-03-31/functions/typed/invocations" => answer(
                "200 OK",
                fe,
                "{\"errorType\":\"ValueError\",\"errorMessage\":\"bad\",\"trace\":[]}\n",
            ),
            "/2015-03-31/functions/untyped/invocations" => answer("200 OK", fe, " oops \n"),
            "/2015-03-31/functions/missing/invocations" => answer(
                "404 NOT FOUND",
                "x-amzn-errortype: ResourceNotFound\r\n",
                r#"{"Type": "User", "Message": "Function not found"}"#,
            ),
            "/2015-03-31/functions/broken/invocations" => {
                answer("500 INTERNAL SERVER ERROR", "", " boom ")
            }
            "/2015-03-31/functions/text/invocations" => ok(" not json "),
            "/2015-03-31/functions/empty/invocations" => ok(""),
            _ => answer("202 Accepted", "", "12"),
        }
    })
    .await;
    let e = invoke(&f.endpoint, "typed", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "ValueError");
    assert_eq!(
        cause(&e),
        r#"{"errorType":"ValueError","errorMessage":"bad","trace":[]}"#
    );
    let e = invoke(&f.endpoint, "untyped", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Lambda.Unknown");
    assert_eq!(
        serde_json::from_str::<Value>(cause(&e)).unwrap(),
        json!({"errorMessage": "oops", "errorType": "Lambda.Unknown", "stackTrace": []})
    );
    let e = invoke(
        &f.endpoint,
        "arn:aws:lambda:us-east-1:123456789012:function:missing",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(error(&e), "Lambda.ResourceNotFoundException");
    assert_eq!(cause(&e), "Function not found: missing");
    let e = invoke(&f.endpoint, "broken", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Lambda.ServiceException");
    assert_eq!(cause(&e), "The endpoint answered 500: boom");
    let out = invoke(&f.endpoint, "text", json!({})).await.unwrap();
    assert_eq!(out["Payload"], json!("not json"));
    let out = invoke(&f.endpoint, "empty", json!({})).await.unwrap();
    assert_eq!(out["Payload"], Value::Null);
    let out = invoke(&f.endpoint, "other", json!({})).await.unwrap();
    assert_eq!(out["Payload"], json!(12));
}

#[tokio::test]
async fn an_oversized_response_is_refused() {
    // Declared too large: refused before the body is read.
    let f = fake(|_| {
        vec![b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7000000\r\n\r\n\"aaaa".to_vec()]
    })
    .await;
    let e = invoke(&f.endpoint, "big", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Function.ResponseSizeTooLarge");
    assert_eq!(
        serde_json::from_str::<Value>(cause(&e)).unwrap()["errorMessage"],
        json!(
            "Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes)."
        )
    );
    // Chunked, no size given: refused once the limit is passed.
    let f = fake(|_| {
        let mut pieces = vec![
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\"\r\n"
                .to_vec(),
        ];
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..8 {
            let mut p = format!("{:x}\r\n", chunk.len()).into_bytes();
            p.extend_from_slice(&chunk);
            p.extend_from_slice(b"\r\n");
            pieces.push(p);
        }
        pieces.push(b"1\r\n\"\r\n0\r\n\r\n".to_vec());
        pieces
    })
    .await;
    let e = invoke(&f.endpoint, "big", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Function.ResponseSizeTooLarge");
    assert_eq!(
        serde_json::from_str::<Value>(cause(&e)).unwrap()["errorMessage"],
        json!("Response payload size exceeded maximum allowed payload size (6291556 bytes).")
    );
    // Exactly at the limit is fine.
    let f = fake(|_| {
        let body = format!("\"{}\"", "a".repeat(MAX_RESPONSE_BYTES - 2));
        ok(&body)
    })
    .await;
    let out = invoke(&f.endpoint, "big", json!({})).await.unwrap();
    assert_eq!(
        out["Payload"].as_str().unwrap().len(),
        MAX_RESPONSE_BYTES - 2
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_reads_as_before() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    drop(listener);
    // What connecting there says, as the hand-written client reported it.
    let refused = TcpStream::connect(addr).await.unwrap_err();
    let endpoint = format!("http://{addr}");
    let e = invoke(&endpoint, "my-fn", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Lambda.SdkClientException");
    assert_eq!(
        cause(&e),
        format!("Unable to execute HTTP request: {refused} (LAMBDA_ENDPOINT {endpoint})")
    );
    let e = invoke("https://127.0.0.1:1", "my-fn", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error(&e), "Lambda.SdkClientException");
    assert_eq!(
        cause(&e),
        "Unable to execute HTTP request: only http:// endpoints are supported (LAMBDA_ENDPOINT https://127.0.0.1:1)"
    );
    // An endpoint that hangs up without answering.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
        }
    });
    let endpoint = format!("http://{addr}/");
    let e = invoke(&endpoint, "my-fn", json!({})).await.unwrap_err();
    assert_eq!(error(&e), "Lambda.SdkClientException");
    assert!(
        cause(&e).starts_with("Unable to execute HTTP request: ")
            && cause(&e).ends_with(&format!("(LAMBDA_ENDPOINT {endpoint})")),
        "{e:?}"
    );
}
