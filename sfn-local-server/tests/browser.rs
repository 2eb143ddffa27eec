//! The console in a real browser (Debian's headless Chromium, driven over WebDriver by
//! `fantoccini` through `chromedriver`): find a state machine, open an execution that is still
//! running and watch it finish without a reload, start one from the form and stop it, and a
//! hostile state name and input that stay text. Screenshots of the pages go to the test's
//! target folder (`console-*.png`).
//!
//! `.ci/run` installs `chromium` and `chromium-driver` and sets `SFN_LOCAL_REQUIRE_BROWSER`, so
//! CI fails when the browser is missing; elsewhere the test says it skipped and passes.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{create, ok, spawn, start, urlencode};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const EVIL: &str = "<img src=x onerror=\"window.__pwned=1\">";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn chromedriver() -> Option<(Driver, String)> {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((driver, format!("http://127.0.0.1:{port}")))
}

async fn browser(webdriver: &str) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900"]
        }
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session")
}

/// The text of the execution page's status, once there is one.
async fn status(c: &Client) -> String {
    match c.find(Locator::Css("main h1 + p .status")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn wait_status(c: &Client, want: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let s = status(c).await;
        if s == want || Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many states the embedded graph shows, once it has loaded (0 if it never does).
async fn wait_graph(c: &Client) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = c
            .execute(
                "const o = document.querySelector('.graph object'); \
                 const d = o && o.contentDocument; \
                 return d ? d.querySelectorAll('[data-state]').length : 0;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if n > 0 || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the element `at` once it is there (within 20 s).
async fn click(c: &Client, at: Locator<'_>) {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(at)
        .await
        .unwrap_or_else(|e| panic!("{at:?} never appeared: {e}"))
        .click()
        .await
        .unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("a screenshot");
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("console-{name}.png"));
    std::fs::write(&path, png).expect("write the screenshot");
    eprintln!("screenshot: {}", path.display());
}

#[test]
fn the_console_in_a_real_browser() {
    let Some((_driver, webdriver)) = chromedriver() else {
        assert!(
            std::env::var_os("SFN_LOCAL_REQUIRE_BROWSER").is_none(),
            "chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromedriver is not installed");
        return;
    };
    let server = spawn(&["--in-memory"]);
    let e = server.endpoint.clone();
    // The execution waits in Nap (an activity's task) until the test lets it go: however long
    // the browser takes to start, the page first shows it running (a 3-second Wait was not
    // always long enough on a loaded machine).
    let nap = ok(&e, "CreateActivity", json!({"name": "console-demo-nap"}))["activityArn"]
        .as_str()
        .unwrap()
        .to_string();
    let demo = create(
        &e,
        "console-demo",
        &json!({"StartAt": EVIL, "States": {
            EVIL: {"Type": "Pass", "Next": "Nap"},
            "Nap": {"Type": "Task", "Resource": nap, "ResultPath": null, "Next": "Pick"},
            "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}], "Default": "Broken"},
            "Done": {"Type": "Succeed"},
            "Broken": {"Type": "Fail", "Error": "Demo.Broken", "Cause": EVIL}}}),
    );
    let waiter = create(
        &e,
        "waiter",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
    );
    let running = start(&e, &demo, &json!({"ok": true, "note": EVIL}));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(&webdriver).await;
        // The list of state machines, then one.
        c.goto(&format!("{e}/")).await.unwrap();
        click(&c, Locator::LinkText("console-demo")).await;
        let link = c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("a[href^='#/execution/']"))
            .await
            .expect("its execution is listed");
        // The picture is drawn: the embedded SVG has the state machine's states.
        let states = wait_graph(&c).await;
        assert!(states >= 5, "{states} states drawn");
        screenshot(&c, "state-machine").await;
        link.click().await.unwrap();
        // Still running; it finishes in place: a marker set now survives.
        assert_eq!(
            wait_status(&c, "RUNNING", Duration::from_secs(20)).await,
            "RUNNING"
        );
        c.execute("window.__marker = 42;", vec![]).await.unwrap();
        let task = ok(&e, "GetActivityTask", json!({"activityArn": nap}));
        let token = task["taskToken"].as_str().expect("Nap's task").to_string();
        ok(
            &e,
            "SendTaskSuccess",
            json!({"taskToken": token, "output": "{}"}),
        );
        assert_eq!(
            wait_status(&c, "SUCCEEDED", Duration::from_secs(30)).await,
            "SUCCEEDED"
        );
        let marker = c.execute("return window.__marker;", vec![]).await.unwrap();
        assert_eq!(marker, json!(42), "the page was not reloaded");
        // The hostile name and input are text: nothing ran, and the text is on the page.
        let pwned = c
            .execute("return window.__pwned === undefined;", vec![])
            .await
            .unwrap();
        assert_eq!(pwned, json!(true), "a value ran as markup");
        let page = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(EVIL), "{page}");
        let images = c.find_all(Locator::Css("main img")).await.unwrap();
        assert!(images.is_empty(), "a value became an element");
        assert!(wait_graph(&c).await >= 5);
        let coloured = c
            .execute(
                "const d = document.querySelector('.graph object').contentDocument; \
                 return d.querySelectorAll('[data-state].succeeded').length;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            coloured.as_u64().unwrap_or(0) >= 3,
            "states coloured: {coloured}"
        );
        screenshot(&c, "execution").await;

        // Start one from the form, then stop it.
        c.goto(&format!("{e}/#/machine/{}", urlencode(&waiter)))
            .await
            .unwrap();
        click(&c, Locator::Css("button.primary")).await;
        assert_eq!(
            wait_status(&c, "RUNNING", Duration::from_secs(20)).await,
            "RUNNING"
        );
        click(&c, Locator::Css("button.danger")).await;
        assert_eq!(
            wait_status(&c, "ABORTED", Duration::from_secs(20)).await,
            "ABORTED"
        );
        c.close().await.unwrap();
    });
    let done = ok(&e, "DescribeExecution", json!({"executionArn": running}));
    assert_eq!(done["status"], "SUCCEEDED");
    let started = ok(&e, "ListExecutions", json!({"stateMachineArn": waiter}));
    assert_eq!(started["executions"][0]["status"], "ABORTED", "{started}");
}
