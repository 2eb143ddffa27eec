//! The web console on `GET /`: its page and assets with a policy that runs no inline script,
//! the pictures of definitions and executions (hostile names, inputs and causes escaped),
//! live events by long polling, the recorded messages, the host check, and `--no-console`.

mod common;

use common::{create, http_get as get, ok, spawn, urlencode, wait_closed};
use serde_json::{Value, json};

const EVIL: &str = "<script>alert(1)</script>";

#[test]
fn the_page_and_its_assets_run_no_inline_script() {
    let p = spawn(&["--in-memory"]);
    let (status, head, body) = get(&p.endpoint, "/", None);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'; script-src 'self';"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    // Only external scripts and styles: nothing inline a value could break into.
    assert!(
        body.contains(r#"<script src="/console/app.js" defer></script>"#),
        "{body}"
    );
    assert_eq!(body.matches("<script").count(), 1, "{body}");
    assert!(
        !body.contains("<style") && !body.contains("style="),
        "{body}"
    );
    for (path, kind) in [
        ("/console/app.js", "text/javascript"),
        ("/console/app.css", "text/css"),
    ] {
        let (status, head, body) = get(&p.endpoint, path, None);
        assert_eq!(status, 200, "{path}");
        assert!(head.contains(kind), "{path}: {head}");
        assert!(body.len() > 1000, "{path}");
    }
    // The page writes values as text only.
    let (_, _, js) = get(&p.endpoint, "/console/app.js", None);
    assert!(
        !js.contains("innerHTML") && !js.contains("insertAdjacentHTML") && !js.contains("eval(")
    );
    // Paths the console does not serve answer as the API does.
    let (status, _, body) = get(&p.endpoint, "/nothing-here", None);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("UnknownOperationException"), "{body}");
}

#[test]
fn the_console_answers_only_the_hosts_the_api_serves_and_can_be_turned_off() {
    let p = spawn(&["--in-memory"]);
    let (status, _, body) = get(&p.endpoint, "/", Some("evil.example"));
    assert_eq!(status, 403, "{body}");
    let (status, _, _) = get(&p.endpoint, "/", Some("localhost"));
    assert_eq!(status, 200);
    drop(p);
    let p = spawn(&["--in-memory", "--no-console"]);
    let (status, _, body) = get(&p.endpoint, "/", None);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("UnknownOperationException"), "{body}");
    // The API is still there.
    ok(&p.endpoint, "ListStateMachines", json!({}));
}

#[test]
fn pictures_escape_names_inputs_and_causes() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "evil",
        &json!({"StartAt": EVIL, "States": {EVIL: {"Type": "Pass", "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": EVIL, "Cause": EVIL}}}),
    );
    let (status, head, svg) = get(
        e,
        &format!("/console/graph.svg?stateMachineArn={}", urlencode(&sm)),
        None,
    );
    assert_eq!(status, 200, "{svg}");
    assert!(
        head.contains("image/svg+xml") && !head.contains("script-src"),
        "{head}"
    );
    assert!(svg.starts_with("<svg") && !svg.contains("<script"), "{svg}");
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{svg}"
    );
    let exec = ok(
        e,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": json!({"x": EVIL}).to_string()}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_closed(e, &exec);
    assert_eq!(done["status"], "FAILED");
    let (status, _, svg) = get(
        e,
        &format!("/console/graph.svg?executionArn={}", urlencode(&exec)),
        None,
    );
    assert_eq!(status, 200, "{svg}");
    assert!(!svg.contains("<script"), "{svg}");
    assert!(
        svg.contains(" failed\""),
        "the failing state is coloured: {svg}"
    );
    // An unknown execution answers as the API would.
    let (status, _, body) = get(
        e,
        "/console/graph.svg?executionArn=arn%3Aaws%3Astates%3Aus-east-1%3A123456789012%3Aexecution%3Aevil%3Anope",
        None,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("ExecutionDoesNotExist"), "{body}");
    let (status, _, body) = get(e, "/console/graph.svg", None);
    assert_eq!(status, 400, "{body}");
}

#[test]
fn events_arrive_by_long_polling_and_page_by_id() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "slow",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
            "P": {"Type": "Pass", "End": true}}}),
    );
    let exec = ok(e, "StartExecution", json!({"stateMachineArn": sm}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let read = |after: u64, extra: &str| -> Value {
        let (status, _, body) = get(
            e,
            &format!(
                "/console/events?executionArn={}&after={after}{extra}",
                urlencode(&exec)
            ),
            None,
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    let mut seen: Vec<u64> = Vec::new();
    let mut after = 0;
    loop {
        let page = read(after, "&wait=10");
        for ev in page["events"].as_array().unwrap() {
            seen.push(ev["id"].as_u64().unwrap());
        }
        after = seen.last().copied().unwrap_or(0);
        if page["status"] != "RUNNING" && page["more"] == false {
            let rest = read(after, "");
            if rest["events"].as_array().unwrap().is_empty() {
                break;
            }
        }
    }
    let expected: Vec<u64> = (1..=seen.len() as u64).collect();
    assert_eq!(seen, expected, "every event once, in order");
    let types: Vec<String> = ok(e, "GetExecutionHistory", json!({"executionArn": exec}))["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types.len(), seen.len());
    // Pages of a closed history.
    let page = read(2, "&limit=2");
    let ids: Vec<u64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_u64().unwrap())
        .collect();
    assert_eq!((ids, page["more"].clone()), (vec![3, 4], json!(true)));
    let (status, _, body) = get(
        e,
        &format!("/console/events?executionArn={}&after=x", urlencode(&exec)),
        None,
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn messages_are_listed_newest_first() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "sends",
        &json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                  "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "first"}, "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                  "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": EVIL}, "End": true}}}),
    );
    let exec = ok(e, "StartExecution", json!({"stateMachineArn": sm}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    wait_closed(e, &exec);
    let (status, head, body) = get(e, "/console/messages", None);
    assert_eq!(status, 200);
    assert!(head.contains("application/json"), "{head}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let sent: Vec<&Value> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["service"] == "sqs")
        .collect();
    let bodies: Vec<&str> = sent
        .iter()
        .map(|m| m["payload"]["MessageBody"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, [EVIL, "first"]);
    // With the execution's status changes, newest first.
    let kinds: Vec<String> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| match m["service"].as_str().unwrap() {
            "events" => format!(
                "events {}",
                m["payload"]["detail"]["status"].as_str().unwrap()
            ),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(kinds, ["events SUCCEEDED", "sqs", "sqs", "events RUNNING"]);
}

/// The schedules of the configuration with their next fire times, and the ECS tasks run
/// locally with their logs (a hostile output stays text: the log is served as plain text).
#[test]
fn schedules_and_ecs_tasks_with_their_logs() {
    let dir = common::TempDir::new("console-ecs");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        json!({
            "ecs": {"logDir": dir.join("logs"), "taskDefinitions": {"batch": {
                "workingDir": dir.to_str().unwrap(), "containerName": "app", "command": ["sh", "-c", "echo 'done <b>bold</b>'"]}}},
            "schedules": [{"name": "hourly", "expression": "rate(1 hour)", "stateMachine": "runs",
                           "enabled": true, "input": {}}]
        })
        .to_string(),
    )
    .unwrap();
    let p = spawn(&["--in-memory", "--config", config.to_str().unwrap()]);
    let e = p.endpoint.as_str();
    let (status, _, body) = get(e, "/console/schedules", None);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schedules"][0]["name"], "hourly", "{v}");
    assert_eq!(
        v["schedules"][0]["next"].as_array().unwrap().len(),
        5,
        "{v}"
    );

    let sm = create(
        e,
        "runs",
        &json!({"StartAt": "Run", "States": {"Run": {"Type": "Task",
            "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {"Cluster": "c", "TaskDefinition": "batch"}, "End": true}}}),
    );
    let exec = ok(e, "StartExecution", json!({"stateMachineArn": sm}))["executionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_closed(e, &exec);
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let (status, _, body) = get(e, "/console/ecs", None);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let id = v["tasks"][0]["id"].as_str().expect("a task").to_string();
    let (status, head, log) = get(e, &format!("/console/ecs-log?task={id}"), None);
    assert_eq!(status, 200, "{log}");
    assert!(
        head.contains("text/plain") && head.contains("nosniff"),
        "{head}"
    );
    assert!(log.contains("done <b>bold</b>"), "{log}");
    for bad in ["../../etc/passwd", "zz", ""] {
        let (status, _, body) = get(
            e,
            &format!("/console/ecs-log?task={}", urlencode(bad)),
            None,
        );
        assert_eq!(status, 400, "{bad}: {body}");
    }
}
