//! `cargo bench -p sfn-local-server --bench w5`: W5 of `../shared/bench` against the `sfn-local`
//! binary this package builds, over loopback HTTP: create a one-Pass state machine, then N times
//! StartExecution + DescribeExecution until it is SUCCEEDED, one request at a time on one
//! keep-alive connection. Once in memory (`--in-memory`) and once on the durable SQLite store
//! (a temporary folder); prints executions per second and the p50 and p99 of a round trip.
//!
//! `W5_EXECUTIONS` (default 2,000) and `W5_ROUNDS` (default 3; the two servers alternate, so a
//! noisy moment of the machine hits both). The client is a plain hyper client, lighter than
//! any AWS SDK: this measures the server. `W5_BINARIES=old,new` runs the same rounds against
//! several builds in one run (before and after a change). The README's side-by-side figures use the AWS SDK
//! for Rust (`api_load`) and boto3.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Server {
    child: Child,
    url: String,
    _dir: Option<tempdir::Dir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch folder, removed when dropped.
mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!("sfn-local-w5-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&p).expect("a scratch folder");
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn start(binary: &str, in_memory: bool) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut cmd = Command::new(binary);
    cmd.args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let dir = if in_memory {
        cmd.arg("--in-memory");
        None
    } else {
        let d = tempdir::Dir::new();
        cmd.arg("--data-dir").arg(&d.0);
        Some(d)
    };
    Server {
        child: cmd.spawn().expect("sfn-local starts"),
        url: format!("http://127.0.0.1:{port}/"),
        _dir: dir,
    }
}

async fn call(client: &HttpClient, url: &str, op: &str, body: &Value) -> Option<Value> {
    let req = hyper::Request::post(url)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AWSStepFunctions.{op}"))
        .body(Full::new(Bytes::from(body.to_string())))
        .ok()?;
    let resp = client.request(req).await.ok()?;
    let ok = resp.status().is_success();
    let bytes = resp.into_body().collect().await.ok()?.to_bytes();
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    assert!(ok, "{op}: {v}");
    Some(v)
}

async fn ready(client: &HttpClient, url: &str) {
    for _ in 0..500 {
        if call(client, url, "ListStateMachines", &json!({}))
            .await
            .is_some()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("sfn-local did not answer at {url}");
}

/// One round: executions per second, p50 and p99 round trip in ms, describes per execution.
async fn round(client: &HttpClient, url: &str, n: usize, tag: usize) -> (f64, f64, f64, f64) {
    let def = json!({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass",
        "Result": {"greeting": "hello"}, "ResultPath": "$.out", "End": true}}});
    let created = call(
        client,
        url,
        "CreateStateMachine",
        &json!({"name": format!("w5-{tag}"), "definition": def.to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/w5"}),
    )
    .await
    .expect("created");
    let arn = created["stateMachineArn"].clone();
    let mut trips = Vec::with_capacity(n);
    let mut describes = 0usize;
    let t0 = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let started = call(
            client,
            url,
            "StartExecution",
            &json!({"stateMachineArn": arn, "name": format!("e{i}"), "input": "{\"name\":\"bench\"}"}),
        )
        .await
        .expect("started");
        let exec = json!({"executionArn": started["executionArn"]});
        loop {
            describes += 1;
            let d = call(client, url, "DescribeExecution", &exec)
                .await
                .expect("described");
            match d["status"].as_str() {
                Some("SUCCEEDED") => break,
                Some("RUNNING") => {}
                other => panic!("execution ended {other:?}"),
            }
        }
        trips.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let per_s = n as f64 / t0.elapsed().as_secs_f64();
    trips.sort_by(f64::total_cmp);
    let pct = |p: f64| trips[((trips.len() as f64 - 1.0) * p).round() as usize];
    (per_s, pct(0.5), pct(0.99), describes as f64 / n as f64)
}

fn main() {
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (n, rounds) = (env("W5_EXECUTIONS", 2000), env("W5_ROUNDS", 3));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // W5_BINARIES=a,b: the same rounds against other builds too, side by side in one run
    // (before / after a change); each is named by its path in the table.
    let binaries: Vec<String> = std::env::var("W5_BINARIES")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_else(|_| vec![env!("CARGO_BIN_EXE_sfn-local").to_string()]);
    let named = binaries.len() > 1;
    let servers: Vec<(String, Server)> = binaries
        .iter()
        .flat_map(|b| {
            let label = |store: &str| match named {
                true => format!("{b} {store}"),
                false => store.to_string(),
            };
            [
                (label("in memory"), start(b, true)),
                (label("SQLite store"), start(b, false)),
            ]
        })
        .collect();
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let w = servers
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0)
        .max(6);
    println!(
        "{:<w$} {:>6} {:>14} {:>8} {:>8} {:>10}",
        "server", "round", "executions/s", "p50 ms", "p99 ms", "describes"
    );
    rt.block_on(async {
        for (_, s) in &servers {
            ready(&client, &s.url).await;
        }
        for r in 0..rounds {
            for (name, s) in &servers {
                let (per_s, p50, p99, d) = round(&client, &s.url, n, r).await;
                println!("{name:<w$} {r:>6} {per_s:>14.0} {p50:>8.3} {p99:>8.3} {d:>10.2}");
            }
        }
    });
}
