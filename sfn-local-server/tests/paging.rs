//! Paging of every List operation (issue 16, family 8), as the API reference describes it for
//! each (ListStateMachines, ListExecutions, ListActivities, ListMapRuns,
//! ListStateMachineVersions, ListStateMachineAliases, GetExecutionHistory; ListTagsForResource
//! does not page):
//!
//! - "If `nextToken` is returned, there are more results available": a `nextToken` only when
//!   there is a next page, none on the last page (also when the last page is exactly full).
//! - `maxResults`: "The default is 100 and the maximum allowed page size is 1000. A value of
//!   0 uses the default." Valid range 0 to 1000 (the model's `PageSize`): out of it a
//!   `ValidationException`.
//! - `nextToken`: length 1 to 1024 (3096 for ListExecutions), a `ValidationException`
//!   outside; "Keep all other arguments unchanged ... Using an expired pagination token will
//!   return an HTTP 400 InvalidToken error": a token that is not one of this list's is
//!   `InvalidToken`.

mod common;

use common::{call, call_in, ok, ok_in, spawn, wait_closed};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn pass() -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string()
}

/// Three distributed Map states in a row: three map runs.
fn three_map_runs() -> String {
    let map = |inner: &str, next: Option<&str>| {
        let mut m = json!({"Type": "Map", "ItemsPath": "$.items", "ResultPath": null,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": inner, "States": {inner: {"Type": "Pass", "End": true}}}});
        match next {
            Some(n) => m["Next"] = json!(n),
            None => m["End"] = json!(true),
        }
        m
    };
    json!({"StartAt": "M1", "States": {"M1": map("P1", Some("M2")), "M2": map("P2", Some("M3")),
        "M3": map("P3", None)}})
    .to_string()
}

/// One List operation: its name, a body naming what to list, where the items are, and how
/// many there are.
struct List {
    op: &'static str,
    body: Value,
    items: &'static str,
    region: &'static str,
}

/// Every List operation over a handful of items, each in a region of its own (so
/// ListStateMachines and ListActivities see only theirs).
fn lists(e: &str) -> Vec<List> {
    let region = "eu-west-3";
    let create = |name: &str, definition: &str| -> String {
        ok_in(
            e,
            region,
            "CreateStateMachine",
            json!({"name": name, "definition": definition, "roleArn": ROLE}),
        )["stateMachineArn"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let run = |sm: &str, input: Value| -> String {
        let exec = ok_in(
            e,
            region,
            "StartExecution",
            json!({"stateMachineArn": sm, "input": input.to_string()}),
        )["executionArn"]
            .as_str()
            .unwrap()
            .to_string();
        let done = wait_closed(e, &exec);
        assert_eq!(done["status"], "SUCCEEDED", "{done}");
        exec
    };
    // ListStateMachines (the machines below are made in eu-west-3; these three alone here).
    for n in 1..=3 {
        ok_in(
            e,
            "ap-south-2",
            "CreateStateMachine",
            json!({"name": format!("m{n}"), "definition": pass(), "roleArn": ROLE}),
        );
    }
    for n in 1..=3 {
        ok_in(
            e,
            "ap-south-2",
            "CreateActivity",
            json!({"name": format!("a{n}")}),
        );
    }
    let sm = create("paged", &pass());
    let mut last = String::new();
    for _ in 0..3 {
        last = run(&sm, json!({}));
    }
    // Three versions: published on creation, then by two updates.
    let versioned = ok_in(
        e,
        region,
        "CreateStateMachine",
        json!({"name": "versioned", "definition": pass(), "roleArn": ROLE, "publish": true}),
    );
    let versioned_arn = versioned["stateMachineArn"].as_str().unwrap().to_string();
    for comment in ["two", "three"] {
        let def = json!({"Comment": comment, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}});
        ok_in(
            e,
            region,
            "UpdateStateMachine",
            json!({"stateMachineArn": versioned_arn, "definition": def.to_string(), "publish": true}),
        );
    }
    for name in ["a1", "a2", "a3"] {
        ok_in(
            e,
            region,
            "CreateStateMachineAlias",
            json!({"name": name, "routingConfiguration": [
                {"stateMachineVersionArn": versioned["stateMachineVersionArn"], "weight": 100}]}),
        );
    }
    let maps = create("maps", &three_map_runs());
    let with_maps = run(&maps, json!({"items": [1, 2]}));
    vec![
        List {
            op: "ListStateMachines",
            body: json!({}),
            items: "stateMachines",
            region: "ap-south-2",
        },
        List {
            op: "ListActivities",
            body: json!({}),
            items: "activities",
            region: "ap-south-2",
        },
        List {
            op: "ListExecutions",
            body: json!({"stateMachineArn": sm}),
            items: "executions",
            region,
        },
        List {
            op: "ListStateMachineVersions",
            body: json!({"stateMachineArn": versioned_arn}),
            items: "stateMachineVersions",
            region,
        },
        List {
            op: "ListStateMachineAliases",
            body: json!({"stateMachineArn": versioned_arn}),
            items: "stateMachineAliases",
            region,
        },
        List {
            op: "ListMapRuns",
            body: json!({"executionArn": with_maps}),
            items: "mapRuns",
            region,
        },
        List {
            op: "GetExecutionHistory",
            body: json!({"executionArn": last}),
            items: "events",
            region,
        },
    ]
}

fn with(body: &Value, extra: Value) -> Value {
    let mut b = body.clone();
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

#[test]
fn every_list_operation_pages_as_aws() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let mut other_token = None;
    for list in lists(e) {
        let List {
            op,
            body,
            items,
            region,
        } = list;
        let get = |extra: Value| ok_in(e, region, op, with(&body, extra));
        let ids = |v: &Value| -> Vec<String> {
            v[items]
                .as_array()
                .unwrap()
                .iter()
                .map(Value::to_string)
                .collect()
        };
        // No paging: everything, no token (also with maxResults 0, the default of 100).
        let all = get(json!({}));
        let n = ids(&all).len();
        assert!((3..100).contains(&n), "{op}: {all}");
        assert!(all.get("nextToken").is_none(), "{op}: {all}");
        assert_eq!(ids(&get(json!({"maxResults": 0}))), ids(&all), "{op}");
        assert_eq!(ids(&get(json!({"maxResults": 1000}))), ids(&all), "{op}");
        // Exactly one full page: no token.
        let exact = get(json!({"maxResults": n}));
        assert_eq!(ids(&exact), ids(&all), "{op}");
        assert!(exact.get("nextToken").is_none(), "{op}: {exact}");
        // Pages of n - 1: a token, then the last page (one item) without one.
        let first = get(json!({"maxResults": n - 1}));
        let token = first["nextToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{op}: {first}"));
        let last = get(json!({"maxResults": n - 1, "nextToken": token}));
        assert!(last.get("nextToken").is_none(), "{op}: {last}");
        let mut paged = ids(&first);
        paged.extend(ids(&last));
        assert_eq!(paged, ids(&all), "{op}: the pages are the whole list");
        // Pages of one: n pages, the last without a token.
        let mut paged = Vec::new();
        let mut next: Option<String> = None;
        for page in 1..=n {
            let mut extra = json!({"maxResults": 1});
            if let Some(t) = &next {
                extra["nextToken"] = json!(t);
            }
            let v = get(extra);
            paged.extend(ids(&v));
            next = v["nextToken"].as_str().map(str::to_string);
            assert_eq!(next.is_some(), page < n, "{op} page {page}: {v}");
        }
        assert_eq!(paged, ids(&all), "{op}");

        // Bad tokens.
        let expect = |extra: Value, code: &str, message: &str| {
            let (status, v) = call_in(e, region, op, with(&body, extra));
            assert_eq!(status, 400, "{op}: {v}");
            assert_eq!(
                v["__type"],
                format!("com.amazonaws.swf.service.v2.model#{code}"),
                "{op}: {v}"
            );
            assert_eq!(v["message"], message, "{op}");
        };
        expect(
            json!({"nextToken": "garbage"}),
            "InvalidToken",
            "Invalid Token: 'garbage'",
        );
        // Another list's token.
        if let Some(t) = &other_token {
            expect(
                json!({"nextToken": t}),
                "InvalidToken",
                &format!("Invalid Token: '{t}'"),
            );
        }
        // The same list in another region.
        let (status, v) = call_in(
            e,
            "sa-east-1",
            op,
            with(&body, json!({"maxResults": n - 1, "nextToken": token})),
        );
        assert_eq!(
            (status, v["__type"].as_str()),
            (400, Some("com.amazonaws.swf.service.v2.model#InvalidToken")),
            "{op}: {v}"
        );
        let max_token = if op == "ListExecutions" { 3096 } else { 1024 };
        let long = "x".repeat(max_token + 1);
        expect(
            json!({"nextToken": long}),
            "ValidationException",
            &format!(
                "1 validation error detected: Value '{long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to {max_token}"
            ),
        );
        expect(
            json!({"nextToken": ""}),
            "ValidationException",
            "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
        for (max, constraint) in [
            (1001, "Member must have value less than or equal to 1000"),
            (-1, "Member must have value greater than or equal to 0"),
        ] {
            expect(
                json!({"maxResults": max}),
                "ValidationException",
                &format!(
                    "1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: {constraint}"
                ),
            );
        }
        other_token = Some(token.to_string());
    }
}

#[test]
fn list_tags_for_resource_does_not_page() {
    let p = spawn(&["--in-memory"]);
    let sm = common::create(
        &p.endpoint,
        "tagged",
        &serde_json::from_str(&pass()).unwrap(),
    );
    // At most 50 tags a resource (AWS's quota): all of them in one answer.
    let tags: Vec<Value> = (0..50)
        .map(|n| json!({"key": format!("k{n}"), "value": "v"}))
        .collect();
    ok(
        &p.endpoint,
        "TagResource",
        json!({"resourceArn": sm, "tags": tags}),
    );
    let v = ok(
        &p.endpoint,
        "ListTagsForResource",
        json!({"resourceArn": sm}),
    );
    assert_eq!(v["tags"].as_array().unwrap().len(), 50);
    assert!(v.get("nextToken").is_none(), "{v}");
    // A nextToken is not a member of its request: ignored, as every unknown member.
    let (status, _) = call(
        &p.endpoint,
        "ListTagsForResource",
        json!({"resourceArn": sm, "nextToken": "garbage"}),
    );
    assert_eq!(status, 200);
}

/// A page token names where the last page ended, not an offset: executions started between
/// two pages neither repeat nor push an item off the next page (they are newer than the
/// list being walked, which goes from the newest down), and a status filter pages the same.
#[test]
fn pages_stay_put_while_executions_are_started() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let sm = ok(
        e,
        "CreateStateMachine",
        json!({"name": "steady", "definition": pass(), "roleArn": ROLE}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let run = |name: &str| {
        let arn = ok(
            e,
            "StartExecution",
            json!({"stateMachineArn": sm, "name": name}),
        )["executionArn"]
            .as_str()
            .unwrap()
            .to_string();
        wait_closed(e, &arn);
    };
    for i in 0..7 {
        run(&format!("before-{i}"));
    }
    let names = |page: &Value| -> Vec<String> {
        page["executions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    for filter in [None, Some("SUCCEEDED")] {
        let mut body = json!({"stateMachineArn": sm, "maxResults": 3});
        if let Some(f) = filter {
            body["statusFilter"] = json!(f);
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut round = 0;
        loop {
            let mut b = body.clone();
            if let Some(t) = &token {
                b["nextToken"] = json!(t);
            }
            let page = ok(e, "ListExecutions", b);
            seen.extend(names(&page));
            // New executions between every two pages.
            run(&format!("during-{}-{round}", filter.unwrap_or("all")));
            round += 1;
            match page["nextToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        let during: Vec<&String> = seen.iter().filter(|n| n.starts_with("during")).collect();
        let before: Vec<String> = seen
            .iter()
            .filter(|n| n.starts_with("before"))
            .cloned()
            .collect();
        let expected: Vec<String> = (0..7).rev().map(|i| format!("before-{i}")).collect();
        // The second walk starts after the first one's executions: they come first in it.
        assert_eq!(before, expected, "{filter:?}: {seen:?}");
        assert_eq!(
            during.len(),
            if filter.is_none() { 0 } else { 3 },
            "{filter:?}: {seen:?}"
        );
    }
}
