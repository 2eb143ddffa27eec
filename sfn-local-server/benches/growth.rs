//! `cargo bench -p sfn-local-server --bench growth`: what each API operation costs as the store
//! fills with finished executions, each figure against the empty store (std timing, the
//! durable store in a temporary folder, the API called in-process: no HTTP).
//!
//! Sizes: `GROWTH_SIZES` (default `0,1000,10000,100000`). At each size it measures, median of
//! 21 calls: `ListExecutions` (first page, a status filter that matches 1%, the last full page),
//! `DescribeExecution`, `GetExecutionHistory` of a 1,000-event execution (first and last page),
//! `StartExecution`; the disk per execution, the RSS, and the time the server takes to start on
//! that store. Then `WAITING` (default 10,000) executions wait at once: RSS per waiting
//! execution.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use sfn_local_server::api::dispatch;
use sfn_local_server::server::{Server, Storage};
use sfn_local_server::service::{Service, Settings};

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

const CALLS: usize = 21;

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("bodies are objects"),
    }
}

async fn call(svc: &Arc<Service>, op: &str, v: Value) -> Value {
    match dispatch(svc, op, &body(v)).await {
        Ok(v) => v,
        Err(e) => panic!("{op}: {e:?}"),
    }
}

/// The median time of `CALLS` runs of `f`, in milliseconds.
async fn median<F, Fut>(mut f: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let t = Instant::now();
        f(i).await;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[CALLS / 2]
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn disk_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

async fn create(svc: &Arc<Service>, name: &str, definition: Value) -> String {
    let r = call(
        svc,
        "CreateStateMachine",
        json!({"name": name, "definition": definition.to_string(),
               "roleArn": "arn:aws:iam::123456789012:role/bench"}),
    )
    .await;
    r["stateMachineArn"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until `arn` is no longer RUNNING.
async fn finished(svc: &Arc<Service>, arn: &str) {
    loop {
        let d = call(svc, "DescribeExecution", json!({"executionArn": arn})).await;
        if d["status"] != "RUNNING" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The token of the last full page of a list, walked `page` at a time (not timed): a late
/// page of the same size as the first, so the two compare.
async fn last_page_token(svc: &Arc<Service>, op: &str, req: &Value, page: usize) -> Option<String> {
    let key = if op == "ListExecutions" {
        "executions"
    } else {
        "events"
    };
    let mut token: Option<String> = None;
    let mut last_full = None;
    loop {
        let mut r = req.clone();
        r["maxResults"] = json!(page);
        if let Some(t) = &token {
            r["nextToken"] = json!(t);
        }
        let out = call(svc, op, r).await;
        if out[key].as_array().map_or(0, Vec::len) == page {
            last_full = token.clone();
        }
        match out["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return last_full,
        }
    }
}

struct Row {
    size: usize,
    figures: Vec<(&'static str, f64)>,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("GROWTH_SIZES")
        .unwrap_or_else(|_| "0,1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let waiting: usize = std::env::var("WAITING")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("sfn-local-growth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rows = rt.block_on(fill_and_measure(&dir, &sizes, waiting));
    let _ = std::fs::remove_dir_all(&dir);
    print_table(&rows);
}

async fn start(dir: &std::path::Path) -> Server {
    Server::start(
        "127.0.0.1:0",
        Storage::Dir(dir.to_path_buf()),
        Settings::default(),
        asl_interpreter::Handlers::new(),
    )
    .await
    .expect("server")
}

async fn fill_and_measure(dir: &std::path::Path, sizes: &[usize], waiting: usize) -> Vec<Row> {
    let mut server = start(dir).await;
    let svc = server.service.clone();
    // One Pass, or a Fail for 1% of the inputs.
    let pass = create(
        &svc,
        "pass",
        json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "F"}], "Default": "P"},
            "P": {"Type": "Pass", "End": true},
            "F": {"Type": "Fail", "Error": "E"}}}),
    )
    .await;
    // 250 Map iterations: 1,007 events.
    let long = create(
        &svc,
        "long",
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
    )
    .await;
    let items: Vec<u32> = (0..250).collect();
    let long_exec = call(
        &svc,
        "StartExecution",
        json!({"stateMachineArn": long, "input": serde_json::to_string(&items).unwrap()}),
    )
    .await["executionArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    finished(&svc, &long_exec).await;

    let mut rows = Vec::new();
    let mut count = 0usize;
    let mut svc = svc;
    for &size in sizes {
        let mut last = String::new();
        while count < size {
            let input = if count % 100 == 99 {
                r#"{"fail": true}"#
            } else {
                "{}"
            };
            let r = call(
                &svc,
                "StartExecution",
                json!({"stateMachineArn": pass, "input": input}),
            )
            .await;
            last = r["executionArn"].as_str().unwrap_or_default().to_string();
            count += 1;
        }
        if !last.is_empty() {
            finished(&svc, &last).await;
        }
        svc.flush().await;
        let middle = {
            let page = call(
                &svc,
                "ListExecutions",
                json!({"stateMachineArn": pass, "maxResults": 1}),
            )
            .await;
            page["executions"][0]["executionArn"]
                .as_str()
                .unwrap_or(&long_exec)
                .to_string()
        };
        let mut figures = Vec::new();
        let list = json!({"stateMachineArn": pass, "maxResults": 100});
        figures.push((
            "ListExecutions first page",
            median(|_| {
                let (svc, list) = (&svc, list.clone());
                async move {
                    call(svc, "ListExecutions", list).await;
                }
            })
            .await,
        ));
        let failed = json!({"stateMachineArn": pass, "maxResults": 100, "statusFilter": "FAILED"});
        figures.push((
            "ListExecutions FAILED (1%)",
            median(|_| {
                let (svc, failed) = (&svc, failed.clone());
                async move {
                    call(svc, "ListExecutions", failed).await;
                }
            })
            .await,
        ));
        let late = last_page_token(&svc, "ListExecutions", &list, 100).await;
        let late_req = {
            let mut r = list.clone();
            if let Some(t) = &late {
                r["nextToken"] = json!(t);
            }
            r
        };
        figures.push((
            "ListExecutions last page",
            median(|_| {
                let (svc, r) = (&svc, late_req.clone());
                async move {
                    call(svc, "ListExecutions", r).await;
                }
            })
            .await,
        ));
        figures.push((
            "DescribeExecution",
            median(|_| {
                let (svc, arn) = (&svc, middle.clone());
                async move {
                    call(svc, "DescribeExecution", json!({"executionArn": arn})).await;
                }
            })
            .await,
        ));
        let history = json!({"executionArn": long_exec, "maxResults": 100});
        figures.push((
            "GetExecutionHistory first page",
            median(|_| {
                let (svc, r) = (&svc, history.clone());
                async move {
                    call(svc, "GetExecutionHistory", r).await;
                }
            })
            .await,
        ));
        let token = last_page_token(&svc, "GetExecutionHistory", &history, 100).await;
        let last_history = {
            let mut r = history.clone();
            if let Some(t) = &token {
                r["nextToken"] = json!(t);
            }
            r
        };
        figures.push((
            "GetExecutionHistory last page",
            median(|_| {
                let (svc, r) = (&svc, last_history.clone());
                async move {
                    call(svc, "GetExecutionHistory", r).await;
                }
            })
            .await,
        ));
        figures.push((
            "StartExecution",
            median(|_| {
                let (svc, pass) = (&svc, pass.clone());
                async move {
                    call(svc, "StartExecution", json!({"stateMachineArn": pass})).await;
                }
            })
            .await,
        ));
        count += CALLS;
        tokio::time::sleep(Duration::from_millis(200)).await;
        svc.flush().await;
        let disk = disk_bytes(dir) as f64 / (count.max(1) as f64) / 1024.0;
        figures.push(("disk per execution (KB)", disk));
        figures.push(("RSS (MB)", rss_mb()));
        drop(svc);
        // Start-up: the median of three restarts on the same store.
        let mut startups = Vec::new();
        for _ in 0..3 {
            server.shutdown().await;
            let t = Instant::now();
            server = start(dir).await;
            startups.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        startups.sort_by(f64::total_cmp);
        figures.push(("start-up (ms)", startups[1]));
        svc = server.service.clone();
        rows.push(Row { size, figures });
        eprintln!("measured at {size}");
    }

    // Executions waiting at once.
    let wait = create(
        &svc,
        "wait",
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    )
    .await;
    let before = rss_mb();
    for _ in 0..waiting {
        call(&svc, "StartExecution", json!({"stateMachineArn": wait})).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per = (rss_mb() - before) * 1024.0 / waiting.max(1) as f64;
    rows.push(Row {
        size: waiting,
        figures: vec![("RSS per waiting execution (KB)", per)],
    });
    drop(svc);
    server.shutdown().await;
    rows
}

fn print_table(rows: &[Row]) {
    let measured: Vec<&Row> = rows.iter().filter(|r| r.figures.len() > 1).collect();
    let Some(first) = measured.first() else {
        return;
    };
    print!("| figure (ms unless said) |");
    for r in &measured {
        print!(" {} executions |", r.size);
    }
    println!(" last / first | last / second |");
    print!("|---|");
    for _ in &measured {
        print!("---|");
    }
    println!("---|---|");
    for (i, (name, _)) in first.figures.iter().enumerate() {
        print!("| {name} |");
        for r in &measured {
            print!(" {:.3} |", r.figures[i].1);
        }
        let a = first.figures[i].1;
        let b = measured[measured.len() - 1].figures[i].1;
        let ratio = if a > 0.0 { b / a } else { f64::NAN };
        // An empty store answers an empty page: the second size is the first full one.
        let s = measured.get(1).map_or(f64::NAN, |r| r.figures[i].1);
        let second = if s > 0.0 { b / s } else { f64::NAN };
        println!(" {ratio:.2}x | {second:.2}x |");
    }
    for r in rows.iter().filter(|r| r.figures.len() == 1) {
        println!(
            "\n{} ({} executions waiting): {:.2}",
            r.figures[0].0, r.size, r.figures[0].1
        );
    }
}
