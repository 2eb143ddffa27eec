//! Versions and aliases (issue 16, families 3 and 4, and the version/alias part of 11), as the
//! API reference describes them:
//!
//! - PublishStateMachineVersion: "an idempotent API. It doesn't create a duplicate state
//!   machine version if it already exists for the current revision ... If you don't specify a
//!   `revisionId`, Step Functions checks for a previously published version of the state
//!   machine's current revision." A `revisionId` that is not the current one: "the API returns
//!   `ConflictException`"; "To specify an initial revision ID for a state machine with no
//!   revision ID assigned, specify the string `INITIAL`".
//! - CreateStateMachine / UpdateStateMachine `publish`, `versionDescription` ("can only be set
//!   if `publish` is `true`").
//! - DescribeStateMachine: "returns the details for a state machine version if the
//!   `stateMachineArn` you specify is a state machine version ARN" (its definition, revision
//!   and description); a version that does not exist is `StateMachineDoesNotExist`.
//! - ListStateMachineVersions: newest first ("sorted in descending order of the version
//!   creation time").
//! - CreateStateMachineAlias / UpdateStateMachineAlias: "one or two versions of the same state
//!   machine", weights 0 to 100 (the model's `VersionWeight`) that sum to 100, 1 or 2 routes (the
//!   model's `RoutingConfigurationList`); versions that do not exist are `ResourceNotFound`.
//!   The texts of the sum, duplicate and same-machine errors are not documented (ours).
//! - DeleteStateMachineAlias of an alias that does not exist: `ResourceNotFound`, the one
//!   error of its documented list that fits (AWS's documentation is silent on the case).

mod common;

use common::{call, ok, spawn};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn pass(result: &str) -> String {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": true}}})
        .to_string()
}

fn create(ep: &str, name: &str, extra: Value) -> Value {
    let mut body = json!({"name": name, "definition": pass("a"), "roleArn": ROLE});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    ok(ep, "CreateStateMachine", body)
}

fn err(ep: &str, op: &str, body: Value) -> (String, String) {
    let (status, v) = call(ep, op, body);
    assert_eq!(status, 400, "{op}: {v}");
    let ty = v["__type"].as_str().unwrap_or_default();
    (
        ty.rsplit('#').next().unwrap().to_string(),
        v["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn publishing_versions() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();

    // publish=true on create: version 1, with its description.
    let c = create(
        ep,
        "v",
        json!({"publish": true, "versionDescription": "first"}),
    );
    let sm = c["stateMachineArn"].as_str().unwrap().to_string();
    let v1 = c["stateMachineVersionArn"].as_str().unwrap().to_string();
    assert_eq!(v1, format!("{sm}:1"));
    // No revision yet: publishing again (without a revisionId, or with INITIAL) is version 1.
    for body in [
        json!({"stateMachineArn": sm}),
        json!({"stateMachineArn": sm, "revisionId": "INITIAL"}),
        json!({"stateMachineArn": sm, "description": "other"}),
    ] {
        let p = ok(ep, "PublishStateMachineVersion", body);
        assert_eq!(p["stateMachineVersionArn"], json!(v1));
    }
    // A stale revisionId is a ConflictException.
    let (ty, msg) = err(
        ep,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": sm, "revisionId": "00000000-0000-0000-0000-000000000000"}),
    );
    assert_eq!(ty, "ConflictException");
    assert!(
        msg.contains("00000000-0000-0000-0000-000000000000"),
        "{msg}"
    );

    // An update with publish=true: a new revision, version 2.
    let u = ok(
        ep,
        "UpdateStateMachine",
        json!({"stateMachineArn": sm, "definition": pass("b"), "publish": true,
               "versionDescription": "second"}),
    );
    let rev = u["revisionId"]
        .as_str()
        .expect("a revision after an update")
        .to_string();
    let v2 = u["stateMachineVersionArn"].as_str().unwrap().to_string();
    assert_eq!(v2, format!("{sm}:2"));
    // Publishing the same revision again returns version 2, with or without its revisionId.
    for body in [
        json!({"stateMachineArn": sm}),
        json!({"stateMachineArn": sm, "revisionId": rev}),
    ] {
        let p = ok(ep, "PublishStateMachineVersion", body);
        assert_eq!(p["stateMachineVersionArn"], json!(v2));
    }
    // INITIAL once there is a revision: a conflict.
    let (ty, _) = err(
        ep,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": sm, "revisionId": "INITIAL"}),
    );
    assert_eq!(ty, "ConflictException");

    // A version describes as itself: its ARN, definition, revision and description.
    let d1 = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": v1}));
    assert_eq!(d1["stateMachineArn"], json!(v1));
    assert_eq!(d1["definition"], json!(pass("a")));
    assert_eq!(d1["description"], "first");
    assert!(d1.get("revisionId").is_none(), "{d1}");
    let d2 = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": v2}));
    assert_eq!(d2["definition"], json!(pass("b")));
    assert_eq!(d2["revisionId"], json!(rev));
    assert_eq!(d2["description"], "second");
    // The state machine itself has no description.
    let d = ok(ep, "DescribeStateMachine", json!({"stateMachineArn": sm}));
    assert!(d.get("description").is_none(), "{d}");
    assert_eq!(d["revisionId"], json!(rev));

    // Newest first.
    let l = ok(
        ep,
        "ListStateMachineVersions",
        json!({"stateMachineArn": sm}),
    );
    let arns: Vec<&str> = l["stateMachineVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["stateMachineVersionArn"].as_str().unwrap())
        .collect();
    assert_eq!(arns, [v2.as_str(), v1.as_str()]);
}

#[test]
fn version_errors() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let sm = create(ep, "e", json!({"publish": true}))["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let v1 = format!("{sm}:1");
    let missing = format!("{sm}:9");
    let cases: Vec<(&str, Value, &str, String)> = vec![
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": missing}),
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{missing}'"),
        ),
        (
            "CreateStateMachine",
            json!({"name": "d", "definition": pass("a"), "roleArn": ROLE,
                   "versionDescription": "x"}),
            "ValidationException",
            "Version description can only be set when publish is true".into(),
        ),
        // A version ARN where the state machine's is required.
        (
            "UpdateStateMachine",
            json!({"stateMachineArn": v1, "definition": pass("z")}),
            "InvalidArn",
            format!("Invalid Arn: '{v1}'"),
        ),
        (
            "PublishStateMachineVersion",
            json!({"stateMachineArn": v1}),
            "InvalidArn",
            format!("Invalid Arn: '{v1}'"),
        ),
        // The state machine's ARN where a version's is required.
        (
            "CreateStateMachineAlias",
            json!({"name": "a", "routingConfiguration": [
                {"stateMachineVersionArn": sm, "weight": 100}]}),
            "InvalidArn",
            format!("Invalid Arn: '{sm}'"),
        ),
        (
            "DeleteStateMachineVersion",
            json!({"stateMachineVersionArn": sm}),
            "InvalidArn",
            format!("Invalid Arn: '{sm}'"),
        ),
    ];
    for (op, body, ty, msg) in cases {
        assert_eq!(
            err(ep, op, body.clone()),
            (ty.to_string(), msg),
            "{op} {body}"
        );
    }
}

#[test]
fn alias_routing_rules() {
    let p = spawn(&["--in-memory"]);
    let ep = p.endpoint.as_str();
    let sm = create(ep, "r", json!({"publish": true}))["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let v1 = format!("{sm}:1");
    let v2 = ok(
        ep,
        "UpdateStateMachine",
        json!({"stateMachineArn": sm, "definition": pass("b"), "publish": true}),
    )["stateMachineVersionArn"]
        .as_str()
        .unwrap()
        .to_string();
    let other = create(ep, "o", json!({"publish": true}))["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let other1 = format!("{other}:1");
    let missing = format!("{sm}:7");
    let route = |v: &str, w: i64| json!({"stateMachineVersionArn": v, "weight": w});

    // (routes, error type, message fragment)
    let cases: Vec<(Value, &str, String)> = vec![
        (
            json!([]),
            "ValidationException",
            "length greater than or equal to 1".into(),
        ),
        (
            json!([route(&v1, 50), route(&v2, 25), route(&v1, 25)]),
            "ValidationException",
            "length less than or equal to 2".into(),
        ),
        (
            json!([route(&v1, 101)]),
            "ValidationException",
            "value less than or equal to 100".into(),
        ),
        (
            json!([route(&v1, -1), route(&v2, 101)]),
            "ValidationException",
            "validation errors detected".into(),
        ),
        (
            json!([route(&v1, 50), route(&v2, 40)]),
            "ValidationException",
            "Sum of routing configuration weights must be equal to 100".into(),
        ),
        (
            json!([route(&v1, 50), route(&v1, 50)]),
            "ValidationException",
            "distinct".into(),
        ),
        (
            json!([route(&v1, 50), route(&other1, 50)]),
            "ValidationException",
            "same state machine".into(),
        ),
        (
            json!([route(&missing, 100)]),
            "ResourceNotFound",
            format!("Resource not found: '{missing}'"),
        ),
    ];
    for (routes, ty, fragment) in &cases {
        let (t, m) = err(
            ep,
            "CreateStateMachineAlias",
            json!({"name": "live", "routingConfiguration": routes}),
        );
        assert_eq!(&t, ty, "{routes}: {m}");
        assert!(m.contains(fragment.as_str()), "{routes}: {m}");
    }

    // Valid: one version at 100, two at 0/100 and 30/70.
    let alias = ok(
        ep,
        "CreateStateMachineAlias",
        json!({"name": "live", "routingConfiguration": [route(&v1, 100)]}),
    )["stateMachineAliasArn"]
        .as_str()
        .unwrap()
        .to_string();
    for routes in [
        json!([route(&v1, 0), route(&v2, 100)]),
        json!([route(&v1, 30), route(&v2, 70)]),
    ] {
        ok(
            ep,
            "UpdateStateMachineAlias",
            json!({"stateMachineAliasArn": alias, "routingConfiguration": routes}),
        );
        let d = ok(
            ep,
            "DescribeStateMachineAlias",
            json!({"stateMachineAliasArn": alias}),
        );
        assert_eq!(d["routingConfiguration"], routes);
        assert!(d.get("description").is_none(), "{d}");
    }
    // The same rules on update, with a version of another machine.
    let (t, _) = err(
        ep,
        "UpdateStateMachineAlias",
        json!({"stateMachineAliasArn": alias, "routingConfiguration": [route(&other1, 100)]}),
    );
    assert_eq!(t, "ValidationException");
    // Neither description nor routing.
    assert_eq!(
        err(
            ep,
            "UpdateStateMachineAlias",
            json!({"stateMachineAliasArn": alias})
        ),
        (
            "ValidationException".into(),
            "Either the description or the RoutingConfiguration must be specified".into()
        )
    );
    // A version an alias routes to cannot be deleted.
    let (t, _) = err(
        ep,
        "DeleteStateMachineVersion",
        json!({"stateMachineVersionArn": v1}),
    );
    assert_eq!(t, "ConflictException");

    // Deleting: then describing or deleting again is ResourceNotFound.
    ok(
        ep,
        "DeleteStateMachineAlias",
        json!({"stateMachineAliasArn": alias}),
    );
    for op in ["DescribeStateMachineAlias", "DeleteStateMachineAlias"] {
        assert_eq!(
            err(ep, op, json!({"stateMachineAliasArn": alias})),
            (
                "ResourceNotFound".into(),
                format!("Resource not found: '{alias}'")
            ),
            "{op}"
        );
    }
}
