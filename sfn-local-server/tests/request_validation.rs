//! The service model's checks over HTTP, for every operation: each constrained member broken
//! once (exact error type, status and message), wrong JSON types, missing required members,
//! several errors at once, unknown members, and a body that is not an object. A last test
//! checks that the table below covers every constrained member of `src/api/model.json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{call, ok, spawn};
use serde_json::{Map, Value, json};
use sfn_local_server::api::OPERATIONS;

const MODEL: &str = include_str!("../src/api/model.json");

const ROLE: &str = "arn:aws:iam::123456789012:role/r";
const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere";
const VERSION: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere:1";
const ALIAS: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere:prod";
const EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:nowhere:e";
const ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:nowhere";
const MAP_RUN: &str = "arn:aws:states:us-east-1:123456789012:mapRun:nowhere/m:r";
const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const PASS_STATE: &str = r#"{"Type":"Pass","End":true}"#;

/// A body with every required member present and valid.
fn base(op: &str) -> Value {
    match op {
        "CreateActivity" => json!({"name": "a"}),
        "CreateStateMachine" => json!({"name": "m", "definition": PASS, "roleArn": ROLE}),
        "CreateStateMachineAlias" => json!({"name": "prod",
            "routingConfiguration": [{"stateMachineVersionArn": VERSION, "weight": 100}]}),
        "DeleteActivity" | "DescribeActivity" | "GetActivityTask" => {
            json!({"activityArn": ACTIVITY})
        }
        "DeleteStateMachine"
        | "DescribeStateMachine"
        | "ListExecutions"
        | "ListStateMachineAliases"
        | "ListStateMachineVersions"
        | "PublishStateMachineVersion"
        | "StartExecution"
        | "StartSyncExecution"
        | "UpdateStateMachine" => json!({"stateMachineArn": SM}),
        "DeleteStateMachineAlias" | "DescribeStateMachineAlias" | "UpdateStateMachineAlias" => {
            json!({"stateMachineAliasArn": ALIAS})
        }
        "DeleteStateMachineVersion" => json!({"stateMachineVersionArn": VERSION}),
        "DescribeExecution"
        | "DescribeStateMachineForExecution"
        | "GetExecutionHistory"
        | "ListMapRuns"
        | "RedriveExecution"
        | "StopExecution" => json!({"executionArn": EXEC}),
        "DescribeMapRun" | "UpdateMapRun" => json!({"mapRunArn": MAP_RUN}),
        "ListActivities" | "ListStateMachines" => json!({}),
        "ListTagsForResource" => json!({"resourceArn": SM}),
        "SendTaskFailure" | "SendTaskHeartbeat" => json!({"taskToken": "t"}),
        "SendTaskSuccess" => json!({"taskToken": "t", "output": "{}"}),
        "TagResource" => json!({"resourceArn": SM, "tags": []}),
        "UntagResource" => json!({"resourceArn": SM, "tagKeys": []}),
        "TestState" => json!({"definition": PASS_STATE}),
        "ValidateStateMachineDefinition" => json!({"definition": PASS}),
        other => panic!("no base body for {other}"),
    }
}

/// `base(op)` with `patch`'s members set (a `null` removes the member).
fn with(op: &str, patch: Value) -> Value {
    let mut b = base(op);
    let m = b.as_object_mut().unwrap();
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            m.remove(k);
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    b
}

fn x(n: usize) -> String {
    "x".repeat(n)
}

/// `Value 'v' at 'path' failed to satisfy constraint: c` (`v` = `None` for a sensitive value).
fn at(value: Option<&str>, path: &str, constraint: &str) -> String {
    match value {
        Some(v) => format!("Value '{v}' at '{path}' failed to satisfy constraint: {constraint}"),
        None => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
    }
}

fn null(path: &str) -> String {
    format!("Value null at '{path}' failed to satisfy constraint: Member must not be null")
}

fn le(n: u64) -> String {
    format!("Member must have length less than or equal to {n}")
}

fn ge(n: u64) -> String {
    format!("Member must have length greater than or equal to {n}")
}

fn value_le(n: u64) -> String {
    format!("Member must have value less than or equal to {n}")
}

fn value_ge(n: u64) -> String {
    format!("Member must have value greater than or equal to {n}")
}

fn one(e: String) -> String {
    format!("1 validation error detected: {e}")
}

fn many(es: &[String]) -> String {
    format!("{} validation errors detected: {}", es.len(), es.join("; "))
}

const ALIAS_NAME: &str = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$";

/// (operation, body, message) for a `ValidationException`: one broken constraint each, for
/// every constrained member of every operation.
fn validation_cases() -> Vec<(&'static str, Value, String)> {
    let mut c: Vec<(&'static str, Value, String)> = Vec::new();
    let mut add = |op: &'static str, patch: Value, message: String| {
        c.push((op, with(op, patch), message));
    };
    let enc = |e: Value| json!({"encryptionConfiguration": e});
    let route = |v: &str, w: i64| json!({"stateMachineVersionArn": v, "weight": w});

    for op in ["CreateActivity", "CreateStateMachine"] {
        add(op, json!({"name": ""}), one(at(Some(""), "name", &ge(1))));
        add(
            op,
            json!({"name": x(81)}),
            one(at(Some(&x(81)), "name", &le(80))),
        );
        add(
            op,
            json!({"tags": [{"key": "", "value": "v"}]}),
            one(at(Some(""), "tags.1.member.key", &ge(1))),
        );
        add(
            op,
            json!({"tags": [{"key": "k", "value": "v"}, {"key": x(129)}]}),
            one(at(Some(&x(129)), "tags.2.member.key", &le(128))),
        );
        add(
            op,
            json!({"tags": [{"key": "k", "value": x(257)}]}),
            one(at(Some(&x(257)), "tags.1.member.value", &le(256))),
        );
        add(
            op,
            enc(json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": ""})),
            one(at(Some(""), "encryptionConfiguration.kmsKeyId", &ge(1))),
        );
        add(
            op,
            enc(json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": x(2049)})),
            one(at(
                Some(&x(2049)),
                "encryptionConfiguration.kmsKeyId",
                &le(2048),
            )),
        );
        add(
            op,
            enc(json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k",
                       "kmsDataKeyReusePeriodSeconds": 59})),
            one(at(
                Some("59"),
                "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
                &value_ge(60),
            )),
        );
        add(
            op,
            enc(json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k",
                       "kmsDataKeyReusePeriodSeconds": 901})),
            one(at(
                Some("901"),
                "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
                &value_le(900),
            )),
        );
        add(
            op,
            enc(json!({"type": "PLAIN"})),
            one(at(
                Some("PLAIN"),
                "encryptionConfiguration.type",
                "Member must satisfy enum value set: [AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]",
            )),
        );
        add(
            op,
            enc(json!({})),
            one(null("encryptionConfiguration.type")),
        );
    }

    for op in ["CreateStateMachine", "UpdateStateMachine"] {
        add(
            op,
            json!({"definition": ""}),
            one(at(None, "definition", &ge(1))),
        );
        add(
            op,
            json!({"definition": x(1_048_577)}),
            one(at(None, "definition", &le(1_048_576))),
        );
        add(
            op,
            json!({"roleArn": ""}),
            one(at(Some(""), "roleArn", &ge(1))),
        );
        add(
            op,
            json!({"roleArn": x(257)}),
            one(at(Some(&x(257)), "roleArn", &le(256))),
        );
        add(
            op,
            json!({"loggingConfiguration": {"level": "LOUD"}}),
            one(at(
                Some("LOUD"),
                "loggingConfiguration.level",
                "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]",
            )),
        );
        add(
            op,
            json!({"loggingConfiguration": {"level": "ALL", "destinations": [
                {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:1:log-group:g:*"}},
                {"cloudWatchLogsLogGroup": {"logGroupArn": ""}}]}}),
            one(at(
                Some(""),
                "loggingConfiguration.destinations.2.member.cloudWatchLogsLogGroup.logGroupArn",
                &ge(1),
            )),
        );
        add(
            op,
            json!({"versionDescription": x(257), "publish": true}),
            one(at(None, "versionDescription", &le(256))),
        );
    }
    add(
        "CreateStateMachine",
        json!({"type": "BATCH"}),
        one(at(
            Some("BATCH"),
            "type",
            "Member must satisfy enum value set: [STANDARD, EXPRESS]",
        )),
    );
    for (k, v) in [
        ("kmsKeyId", json!("")),
        ("kmsDataKeyReusePeriodSeconds", json!(901)),
        ("type", json!("PLAIN")),
    ] {
        let mut e = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"});
        e[k] = v.clone();
        let msg = match k {
            "kmsKeyId" => at(Some(""), "encryptionConfiguration.kmsKeyId", &ge(1)),
            "type" => at(
                Some("PLAIN"),
                "encryptionConfiguration.type",
                "Member must satisfy enum value set: [AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]",
            ),
            _ => at(
                Some("901"),
                "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
                &value_le(900),
            ),
        };
        add("UpdateStateMachine", enc(e), one(msg));
    }
    add(
        "UpdateStateMachine",
        enc(json!({"kmsKeyId": "k"})),
        one(null("encryptionConfiguration.type")),
    );

    // Aliases.
    add(
        "CreateStateMachineAlias",
        json!({"name": "a b"}),
        one(at(
            Some("a b"),
            "name",
            &format!("Member must satisfy regular expression pattern: {ALIAS_NAME}"),
        )),
    );
    add(
        "CreateStateMachineAlias",
        json!({"name": "123"}),
        one(at(
            Some("123"),
            "name",
            &format!("Member must satisfy regular expression pattern: {ALIAS_NAME}"),
        )),
    );
    add(
        "CreateStateMachineAlias",
        json!({"name": ""}),
        many(&[
            at(Some(""), "name", &ge(1)),
            at(
                Some(""),
                "name",
                &format!("Member must satisfy regular expression pattern: {ALIAS_NAME}"),
            ),
        ]),
    );
    add(
        "CreateStateMachineAlias",
        json!({"name": x(81)}),
        one(at(Some(&x(81)), "name", &le(80))),
    );
    for op in ["CreateStateMachineAlias", "UpdateStateMachineAlias"] {
        add(
            op,
            json!({"description": x(257)}),
            one(at(None, "description", &le(256))),
        );
        add(
            op,
            json!({"routingConfiguration": []}),
            one(at(Some("[]"), "routingConfiguration", &ge(1))),
        );
        let three = json!([route(VERSION, 50), route(VERSION, 25), route(VERSION, 25)]);
        add(
            op,
            json!({"routingConfiguration": three}),
            one(at(Some(&three.to_string()), "routingConfiguration", &le(2))),
        );
        add(
            op,
            json!({"routingConfiguration": [{"weight": 100}]}),
            one(null("routingConfiguration.1.member.stateMachineVersionArn")),
        );
        add(
            op,
            json!({"routingConfiguration": [route(VERSION, 50), {"stateMachineVersionArn": VERSION}]}),
            one(null("routingConfiguration.2.member.weight")),
        );
        add(
            op,
            json!({"routingConfiguration": [route("", 100)]}),
            one(at(
                Some(""),
                "routingConfiguration.1.member.stateMachineVersionArn",
                &ge(1),
            )),
        );
        add(
            op,
            json!({"routingConfiguration": [route(&x(257), 100)]}),
            one(at(
                Some(&x(257)),
                "routingConfiguration.1.member.stateMachineVersionArn",
                &le(256),
            )),
        );
        add(
            op,
            json!({"routingConfiguration": [route(VERSION, 101)]}),
            one(at(
                Some("101"),
                "routingConfiguration.1.member.weight",
                &value_le(100),
            )),
        );
        add(
            op,
            json!({"routingConfiguration": [route(VERSION, 100), route(VERSION, -1)]}),
            one(at(
                Some("-1"),
                "routingConfiguration.2.member.weight",
                &value_ge(0),
            )),
        );
    }

    // ARNs: 1..256 characters, or 1..2000 for the long ones.
    for (op, member, max) in [
        ("DeleteActivity", "activityArn", 256),
        ("DeleteStateMachine", "stateMachineArn", 256),
        ("DeleteStateMachineAlias", "stateMachineAliasArn", 256),
        ("DeleteStateMachineVersion", "stateMachineVersionArn", 2000),
        ("DescribeActivity", "activityArn", 256),
        ("DescribeExecution", "executionArn", 256),
        ("DescribeMapRun", "mapRunArn", 2000),
        ("DescribeStateMachine", "stateMachineArn", 256),
        ("DescribeStateMachineAlias", "stateMachineAliasArn", 256),
        ("DescribeStateMachineForExecution", "executionArn", 256),
        ("GetActivityTask", "activityArn", 256),
        ("GetExecutionHistory", "executionArn", 256),
        ("ListExecutions", "stateMachineArn", 256),
        ("ListExecutions", "mapRunArn", 2000),
        ("ListMapRuns", "executionArn", 256),
        ("ListStateMachineAliases", "stateMachineArn", 256),
        ("ListStateMachineVersions", "stateMachineArn", 256),
        ("ListTagsForResource", "resourceArn", 256),
        ("PublishStateMachineVersion", "stateMachineArn", 256),
        ("RedriveExecution", "executionArn", 256),
        ("StartExecution", "stateMachineArn", 256),
        ("StartSyncExecution", "stateMachineArn", 256),
        ("StopExecution", "executionArn", 256),
        ("TagResource", "resourceArn", 256),
        ("TestState", "roleArn", 256),
        ("UntagResource", "resourceArn", 256),
        ("UpdateMapRun", "mapRunArn", 2000),
        ("UpdateStateMachine", "stateMachineArn", 256),
        ("UpdateStateMachineAlias", "stateMachineAliasArn", 256),
    ] {
        let long = x(max + 1);
        add(
            op,
            json!({ member: long }),
            one(at(Some(&long), member, &le(max as u64))),
        );
        add(op, json!({ member: "" }), one(at(Some(""), member, &ge(1))));
    }

    // Enums.
    for op in [
        "DescribeExecution",
        "DescribeStateMachine",
        "DescribeStateMachineForExecution",
        "StartSyncExecution",
    ] {
        add(
            op,
            json!({"includedData": "SOME_DATA"}),
            one(at(
                Some("SOME_DATA"),
                "includedData",
                "Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]",
            )),
        );
    }
    add(
        "ListExecutions",
        json!({"statusFilter": "DONE"}),
        one(at(
            Some("DONE"),
            "statusFilter",
            "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
        )),
    );
    add(
        "ListExecutions",
        json!({"redriveFilter": "SOMETIMES"}),
        one(at(
            Some("SOMETIMES"),
            "redriveFilter",
            "Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]",
        )),
    );

    // Paging.
    for (op, token_max) in [
        ("GetExecutionHistory", 1024),
        ("ListActivities", 1024),
        ("ListExecutions", 3096),
        ("ListMapRuns", 1024),
        ("ListStateMachineAliases", 1024),
        ("ListStateMachineVersions", 1024),
        ("ListStateMachines", 1024),
    ] {
        add(
            op,
            json!({"maxResults": 1001}),
            one(at(Some("1001"), "maxResults", &value_le(1000))),
        );
        add(
            op,
            json!({"maxResults": -1}),
            one(at(Some("-1"), "maxResults", &value_ge(0))),
        );
        add(
            op,
            json!({"nextToken": ""}),
            one(at(Some(""), "nextToken", &ge(1))),
        );
        let long = x(token_max + 1);
        add(
            op,
            json!({"nextToken": long}),
            one(at(Some(&long), "nextToken", &le(token_max as u64))),
        );
    }

    add(
        "GetActivityTask",
        json!({"workerName": ""}),
        one(at(Some(""), "workerName", &ge(1))),
    );
    add(
        "GetActivityTask",
        json!({"workerName": x(81)}),
        one(at(Some(&x(81)), "workerName", &le(80))),
    );
    add(
        "PublishStateMachineVersion",
        json!({"description": x(257)}),
        one(at(None, "description", &le(256))),
    );
    add(
        "RedriveExecution",
        json!({"clientToken": x(65)}),
        one(at(Some(&x(65)), "clientToken", &le(64))),
    );
    add(
        "RedriveExecution",
        json!({"clientToken": "a b"}),
        one(at(
            Some("a b"),
            "clientToken",
            "Member must satisfy regular expression pattern: [!-~]+",
        )),
    );
    add(
        "RedriveExecution",
        json!({"clientToken": ""}),
        many(&[
            at(Some(""), "clientToken", &ge(1)),
            at(
                Some(""),
                "clientToken",
                "Member must satisfy regular expression pattern: [!-~]+",
            ),
        ]),
    );

    // Task tokens, errors and causes: sensitive, so the value is left out.
    for op in ["SendTaskFailure", "SendTaskHeartbeat", "SendTaskSuccess"] {
        add(
            op,
            json!({"taskToken": ""}),
            one(at(None, "taskToken", &ge(1))),
        );
        add(
            op,
            json!({"taskToken": x(2049)}),
            one(at(None, "taskToken", &le(2048))),
        );
    }
    for op in ["SendTaskFailure", "StopExecution"] {
        add(
            op,
            json!({"error": x(257)}),
            one(at(None, "error", &le(256))),
        );
        add(
            op,
            json!({"cause": x(32769)}),
            one(at(None, "cause", &le(32768))),
        );
    }
    add(
        "SendTaskSuccess",
        json!({"output": x(262_145)}),
        one(at(None, "output", &le(262_144))),
    );

    // Executions.
    for op in ["StartExecution", "StartSyncExecution"] {
        add(op, json!({"name": ""}), one(at(Some(""), "name", &ge(1))));
        add(
            op,
            json!({"input": x(262_145)}),
            one(at(None, "input", &le(262_144))),
        );
        add(
            op,
            json!({"traceHeader": x(257)}),
            one(at(Some(&x(257)), "traceHeader", &le(256))),
        );
        add(
            op,
            json!({"traceHeader": "Root=é"}),
            one(at(
                Some("Root=é"),
                "traceHeader",
                r"Member must satisfy regular expression pattern: \p{ASCII}*",
            )),
        );
    }
    add(
        "StartExecution",
        json!({"name": x(81)}),
        one(at(Some(&x(81)), "name", &le(80))),
    );
    add(
        "StartSyncExecution",
        json!({"name": x(81)}),
        one(at(Some(&x(81)), "name", &le(80))),
    );

    // Tags.
    add(
        "TagResource",
        json!({"tags": [{"key": "k", "value": "v"}, {"key": "", "value": "v"}]}),
        one(at(Some(""), "tags.2.member.key", &ge(1))),
    );
    add(
        "TagResource",
        json!({"tags": [{"key": "k", "value": x(257)}]}),
        one(at(Some(&x(257)), "tags.1.member.value", &le(256))),
    );
    add(
        "UntagResource",
        json!({"tagKeys": ["k", ""]}),
        one(at(
            Some(r#"["k",""]"#),
            "tagKeys",
            "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
        )),
    );

    // TestState.
    add(
        "TestState",
        json!({"definition": ""}),
        one(at(None, "definition", &ge(1))),
    );
    add(
        "TestState",
        json!({"definition": x(1_048_577)}),
        one(at(None, "definition", &le(1_048_576))),
    );
    for member in ["input", "variables", "context"] {
        add(
            "TestState",
            json!({ member: x(262_145) }),
            one(at(None, member, &le(262_144))),
        );
    }
    add(
        "TestState",
        json!({"inspectionLevel": "ALL"}),
        one(at(
            Some("ALL"),
            "inspectionLevel",
            "Member must satisfy enum value set: [INFO, DEBUG, TRACE]",
        )),
    );
    add(
        "TestState",
        json!({"stateName": ""}),
        one(at(None, "stateName", &ge(1))),
    );
    add(
        "TestState",
        json!({"stateName": x(81)}),
        one(at(None, "stateName", &le(80))),
    );
    add(
        "TestState",
        json!({"mock": {"result": x(262_145)}}),
        one(at(None, "mock.result", &le(262_144))),
    );
    add(
        "TestState",
        json!({"mock": {"errorOutput": {"error": x(257), "cause": "c"}}}),
        one(at(None, "mock.errorOutput.error", &le(256))),
    );
    add(
        "TestState",
        json!({"mock": {"errorOutput": {"error": "e", "cause": x(32769)}}}),
        one(at(None, "mock.errorOutput.cause", &le(32768))),
    );
    add(
        "TestState",
        json!({"mock": {"result": "{}", "fieldValidationMode": "LAX"}}),
        one(at(
            Some("LAX"),
            "mock.fieldValidationMode",
            "Member must satisfy enum value set: [STRICT, PRESENT, NONE]",
        )),
    );
    add(
        "TestState",
        json!({"stateConfiguration": {"retrierRetryCount": -1}}),
        one(at(
            Some("-1"),
            "stateConfiguration.retrierRetryCount",
            &value_ge(0),
        )),
    );
    add(
        "TestState",
        json!({"stateConfiguration": {"mapIterationFailureCount": -2}}),
        one(at(
            Some("-2"),
            "stateConfiguration.mapIterationFailureCount",
            &value_ge(0),
        )),
    );
    add(
        "TestState",
        json!({"stateConfiguration": {"errorCausedByState": ""}}),
        one(at(None, "stateConfiguration.errorCausedByState", &ge(1))),
    );
    add(
        "TestState",
        json!({"stateConfiguration": {"errorCausedByState": x(81)}}),
        one(at(None, "stateConfiguration.errorCausedByState", &le(80))),
    );
    add(
        "TestState",
        json!({"stateConfiguration": {"mapItemReaderData": x(262_145)}}),
        one(at(
            None,
            "stateConfiguration.mapItemReaderData",
            &le(262_144),
        )),
    );

    // Map runs.
    add(
        "UpdateMapRun",
        json!({"maxConcurrency": -1}),
        one(at(Some("-1"), "maxConcurrency", &value_ge(0))),
    );
    add(
        "UpdateMapRun",
        json!({"toleratedFailurePercentage": 100.5}),
        one(at(
            Some("100.5"),
            "toleratedFailurePercentage",
            &value_le(100),
        )),
    );
    add(
        "UpdateMapRun",
        json!({"toleratedFailurePercentage": -0.5}),
        one(at(Some("-0.5"), "toleratedFailurePercentage", &value_ge(0))),
    );
    add(
        "UpdateMapRun",
        json!({"toleratedFailureCount": -1}),
        one(at(Some("-1"), "toleratedFailureCount", &value_ge(0))),
    );

    // ValidateStateMachineDefinition.
    add(
        "ValidateStateMachineDefinition",
        json!({"definition": ""}),
        one(at(None, "definition", &ge(1))),
    );
    add(
        "ValidateStateMachineDefinition",
        json!({"definition": x(1_048_577)}),
        one(at(None, "definition", &le(1_048_576))),
    );
    add(
        "ValidateStateMachineDefinition",
        json!({"type": "BATCH"}),
        one(at(
            Some("BATCH"),
            "type",
            "Member must satisfy enum value set: [STANDARD, EXPRESS]",
        )),
    );
    add(
        "ValidateStateMachineDefinition",
        json!({"severity": "INFO"}),
        one(at(
            Some("INFO"),
            "severity",
            "Member must satisfy enum value set: [ERROR, WARNING]",
        )),
    );
    add(
        "ValidateStateMachineDefinition",
        json!({"maxResults": 101}),
        one(at(Some("101"), "maxResults", &value_le(100))),
    );
    add(
        "ValidateStateMachineDefinition",
        json!({"maxResults": -1}),
        one(at(Some("-1"), "maxResults", &value_ge(0))),
    );
    c
}

/// The model's required members of each operation's input (top level).
fn required(model: &Value, op: &str) -> Vec<String> {
    let input = model["operations"][op].as_str().unwrap();
    model["shapes"][input]["required"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn expect(endpoint: &str, op: &str, body: &Value, code: &str, message: &str) {
    let (status, err) = call(endpoint, op, body.clone());
    let shown = |v: &Value| {
        let s = v.to_string();
        if s.len() > 300 {
            format!("{}...", &s[..300])
        } else {
            s
        }
    };
    assert_eq!(status, 400, "{op} {}: {}", shown(body), shown(&err));
    assert_eq!(
        err["__type"],
        format!("com.amazonaws.swf.service.v2.model#{code}"),
        "{op} {}: {}",
        shown(body),
        shown(&err)
    );
    assert_eq!(err["message"], message, "{op} {}", shown(body));
}

#[test]
fn every_constraint_of_every_operation() {
    let p = spawn(&["--in-memory"]);
    let cases = validation_cases();
    for (op, body, message) in &cases {
        expect(&p.endpoint, op, body, "ValidationException", message);
    }
    let ops: BTreeSet<&str> = cases.iter().map(|(op, ..)| *op).collect();
    // ListTagsForResource and the others with only an ARN are in the ARN rows; every
    // operation has at least one row.
    for op in OPERATIONS {
        assert!(ops.contains(op), "no case for {op}");
    }
}

#[test]
fn missing_required_members() {
    let p = spawn(&["--in-memory"]);
    let model: Value = serde_json::from_str(MODEL).unwrap();
    let mut checked = 0;
    for op in OPERATIONS {
        let required = required(&model, op);
        for member in &required {
            // Absent, and JSON null, are the same.
            for as_null in [true, false] {
                let mut body = base(op);
                let m = body.as_object_mut().unwrap();
                if as_null {
                    m.insert(member.clone(), Value::Null);
                } else {
                    m.remove(member);
                }
                expect(
                    &p.endpoint,
                    op,
                    &body,
                    "ValidationException",
                    &one(null(member)),
                );
                checked += 1;
            }
        }
        if required.len() > 1 {
            expect(
                &p.endpoint,
                op,
                &json!({}),
                "ValidationException",
                &many(&required.iter().map(|m| null(m)).collect::<Vec<_>>()),
            );
        }
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn several_errors_in_one_answer() {
    let p = spawn(&["--in-memory"]);
    expect(
        &p.endpoint,
        "CreateStateMachine",
        &json!({"name": x(81), "roleArn": "", "type": "BATCH",
                "tags": [{"key": "", "value": x(257)}]}),
        "ValidationException",
        &many(&[
            at(Some(&x(81)), "name", &le(80)),
            null("definition"),
            at(Some(""), "roleArn", &ge(1)),
            at(
                Some("BATCH"),
                "type",
                "Member must satisfy enum value set: [STANDARD, EXPRESS]",
            ),
            at(Some(""), "tags.1.member.key", &ge(1)),
            at(Some(&x(257)), "tags.1.member.value", &le(256)),
        ]),
    );
    expect(
        &p.endpoint,
        "SendTaskFailure",
        &json!({"taskToken": "", "error": x(257), "cause": x(32769)}),
        "ValidationException",
        &many(&[
            at(None, "taskToken", &ge(1)),
            at(None, "error", &le(256)),
            at(None, "cause", &le(32768)),
        ]),
    );
}

#[test]
fn wrong_types_are_serialization_errors() {
    let p = spawn(&["--in-memory"]);
    for (op, patch, message) in [
        (
            "CreateStateMachine",
            json!({"name": 5}),
            "Member 'name' must be a string",
        ),
        (
            "CreateStateMachine",
            json!({"publish": "yes"}),
            "Member 'publish' must be a boolean",
        ),
        (
            "CreateStateMachine",
            json!({"loggingConfiguration": "ALL"}),
            "Member 'loggingConfiguration' must be a structure",
        ),
        (
            "CreateStateMachine",
            json!({"tags": [{"key": ["k"]}]}),
            "Member 'tags.1.member.key' must be a string",
        ),
        (
            "CreateActivity",
            json!({"encryptionConfiguration": {"type": "AWS_OWNED_KEY",
                                                "kmsDataKeyReusePeriodSeconds": "60"}}),
            "Member 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' must be an integer",
        ),
        (
            "ListActivities",
            json!({"maxResults": "10"}),
            "Member 'maxResults' must be an integer",
        ),
        (
            "ListActivities",
            json!({"maxResults": 2.5}),
            "Member 'maxResults' must be an integer",
        ),
        (
            "GetExecutionHistory",
            json!({"reverseOrder": 1}),
            "Member 'reverseOrder' must be a boolean",
        ),
        (
            "TagResource",
            json!({"tags": {"key": "k"}}),
            "Member 'tags' must be a list",
        ),
        (
            "UntagResource",
            json!({"tagKeys": ["k", 5]}),
            "Member 'tagKeys.2.member' must be a string",
        ),
        (
            "UpdateMapRun",
            json!({"toleratedFailurePercentage": "5"}),
            "Member 'toleratedFailurePercentage' must be a number",
        ),
        (
            "UpdateStateMachineAlias",
            json!({"routingConfiguration": [{"stateMachineVersionArn": VERSION, "weight": "100"}]}),
            "Member 'routingConfiguration.1.member.weight' must be an integer",
        ),
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": 5}),
            "Member 'stateMachineArn' must be a string",
        ),
        (
            "TestState",
            json!({"mock": {"errorOutput": "boom"}}),
            "Member 'mock.errorOutput' must be a structure",
        ),
        // A wrong type wins over any broken constraint, wherever it is.
        (
            "CreateStateMachine",
            json!({"name": x(81), "tags": [{"key": "k", "value": false}]}),
            "Member 'tags.1.member.value' must be a string",
        ),
    ] {
        expect(
            &p.endpoint,
            op,
            &with(op, patch),
            "SerializationException",
            message,
        );
    }
}

#[test]
fn unknown_members_are_ignored_and_a_body_must_be_an_object() {
    let p = spawn(&["--in-memory"]);
    let (status, err) = call(
        &p.endpoint,
        "DescribeStateMachine",
        json!({"stateMachineArn": SM, "bogus": {"x": [1, 2]}, "includeData": 7}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"], "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
        "{err}"
    );
    let out = ok(&p.endpoint, "ListStateMachines", json!({"whatever": true}));
    assert_eq!(out["stateMachines"], json!([]));
    for body in [json!([1, 2]), json!("a string"), json!(5), json!(null)] {
        let (status, err) = call(&p.endpoint, "ListStateMachines", body.clone());
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            err["__type"], "com.amazonaws.swf.service.v2.model#SerializationException",
            "{body}: {err}"
        );
    }
}

#[test]
fn every_base_body_passes_the_model() {
    let p = spawn(&["--in-memory"]);
    for op in OPERATIONS {
        let (_, v) = call(&p.endpoint, op, base(op));
        let t = v["__type"].as_str().unwrap_or_default();
        let m = v["message"].as_str().unwrap_or_default();
        assert!(
            !t.ends_with("#SerializationException") && !m.contains("validation error"),
            "{op}: {v}"
        );
    }
}

/// Which error for which bad name or role: a length out of the model's bounds is a constraint
/// violation (`ValidationException`), a name of allowed length with a character AWS forbids
/// is `InvalidName` (API reference, CreateStateMachine/CreateActivity/StartExecution
/// `name`: "must not contain white space, brackets, wildcard characters, special characters,
/// control characters"), a role that is not an IAM role ARN is `InvalidArn` (`Invalid Role
/// Arn: '...'`, as AWS answers CreateStateMachine).
#[test]
fn names_and_roles() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let sm = common::create(e, "names", &serde_json::from_str::<Value>(PASS).unwrap());
    let express = ok(
        e,
        "CreateStateMachine",
        json!({"name": "names-express", "definition": PASS, "roleArn": ROLE, "type": "EXPRESS"}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_string();
    let body = |op: &str, name: &str| match op {
        "CreateStateMachine" => json!({"name": name, "definition": PASS, "roleArn": ROLE}),
        "CreateActivity" => json!({"name": name}),
        "StartExecution" => json!({"stateMachineArn": sm, "name": name}),
        _ => json!({"stateMachineArn": express, "name": name}),
    };
    let ops = [
        "CreateStateMachine",
        "CreateActivity",
        "StartExecution",
        "StartSyncExecution",
    ];
    for op in ops {
        for name in [x(81), String::new()] {
            let constraint = if name.is_empty() { ge(1) } else { le(80) };
            expect(
                e,
                op,
                &body(op, &name),
                "ValidationException",
                &one(at(Some(&name), "name", &constraint)),
            );
        }
        for name in [
            "has space",
            "a/b",
            "a:b",
            "a{b",
            "a*b",
            "a\u{7}b",
            "tab\there",
        ] {
            expect(
                e,
                op,
                &body(op, name),
                "InvalidName",
                &format!("Invalid Name: '{name}'"),
            );
        }
        let (status, v) = call(e, op, body(op, &x(80)));
        assert_eq!(status, 200, "{op} with an 80-character name: {v}");
    }
    // Both broken: the constraint wins (the model is checked before the operation runs).
    let long_bad = format!("{} ", x(80));
    expect(
        e,
        "CreateActivity",
        &json!({"name": long_bad}),
        "ValidationException",
        &one(at(Some(&long_bad), "name", &le(80))),
    );
    // Alias names have a pattern in the model: a constraint violation, not InvalidName.
    expect(
        e,
        "CreateStateMachineAlias",
        &with("CreateStateMachineAlias", json!({"name": "has space"})),
        "ValidationException",
        &one(at(
            Some("has space"),
            "name",
            &format!("Member must satisfy regular expression pattern: {ALIAS_NAME}"),
        )),
    );

    for role in [
        "not-an-arn",
        "arn:aws:iam::123456789012:policy/p",
        "arn:aws:iam::aws:policy/AWSBatchFullAccess",
        "arn:aws:s3:::bucket",
        "arn:aws:iam:us-east-1:123456789012:role/r",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::12345:role/r",
        "arn:nope:iam::123456789012:role/r",
        "arn:aws:iam::123456789012:role/has space",
    ] {
        let message = format!("Invalid Role Arn: '{role}'");
        expect(
            e,
            "CreateStateMachine",
            &json!({"name": "roles", "definition": PASS, "roleArn": role}),
            "InvalidArn",
            &message,
        );
        expect(
            e,
            "UpdateStateMachine",
            &json!({"stateMachineArn": sm, "roleArn": role}),
            "InvalidArn",
            &message,
        );
    }
    for role in [
        ROLE,
        "arn:aws:iam::123456789012:role/service-role/StepFunctions-x_y+z=,.@-1",
        "arn:aws-cn:iam::123456789012:role/r",
        "arn:aws-us-gov:iam::123456789012:role/r",
        "arn:aws-iso-b:iam::123456789012:role/r",
    ] {
        ok(
            e,
            "UpdateStateMachine",
            json!({"stateMachineArn": sm, "roleArn": role}),
        );
    }

    // What the model lets through is still the operation's to answer.
    let (status, err) = call(
        e,
        "StartExecution",
        json!({"stateMachineArn": sm, "input": "{ not json"}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"], "com.amazonaws.swf.service.v2.model#InvalidExecutionInput",
        "{err}"
    );
}

/// Every member of the model with a constraint (length, value, pattern, enum, required) has a
/// row in `validation_cases` or is a required member of `missing_required_members`.
#[test]
fn the_table_covers_the_model() {
    let model: Value = serde_json::from_str(MODEL).unwrap();
    let shapes = model["shapes"].as_object().unwrap();
    let constrained = |s: &Value| {
        ["min", "max", "pattern", "enum"]
            .iter()
            .any(|k| s.get(*k).is_some())
    };
    // (operation, path without list indices)
    let mut want: BTreeSet<(String, String)> = BTreeSet::new();
    fn walk(
        shapes: &Map<String, Value>,
        shape: &str,
        path: &str,
        nested: bool,
        out: &mut Vec<(String, bool)>,
        constrained: &dyn Fn(&Value) -> bool,
    ) {
        let s = &shapes[shape];
        let required: Vec<&str> = s["required"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, member) in s["members"].as_object().unwrap() {
            let p = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let m = &shapes[member.as_str().unwrap()];
            // Top-level required members are covered by `missing_required_members`.
            if constrained(m) || (nested && required.contains(&name.as_str())) {
                out.push((p.clone(), true));
            }
            match m["type"].as_str().unwrap() {
                "structure" => walk(shapes, member.as_str().unwrap(), &p, true, out, constrained),
                "list" => {
                    let entry = m["member"].as_str().unwrap();
                    if shapes[entry]["type"] == "structure" {
                        walk(
                            shapes,
                            entry,
                            &format!("{p}.member"),
                            true,
                            out,
                            constrained,
                        );
                    } else if constrained(&shapes[entry]) {
                        out.push((p.clone(), true));
                    }
                }
                _ => {}
            }
        }
    }
    for (op, input) in model["operations"].as_object().unwrap() {
        let mut out = Vec::new();
        walk(
            shapes,
            input.as_str().unwrap(),
            "",
            false,
            &mut out,
            &constrained,
        );
        for (p, _) in out {
            want.insert((op.clone(), p));
        }
    }
    let mut have: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (op, _, message) in validation_cases() {
        for part in message.split(" at '").skip(1) {
            let path = part.split('\'').next().unwrap();
            let path: Vec<&str> = path
                .split('.')
                .filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
                .collect();
            *have.entry((op.to_string(), path.join("."))).or_default() += 1;
        }
    }
    assert!(
        want.len() > 100,
        "only {} constrained members found",
        want.len()
    );
    let missing: Vec<_> = want.iter().filter(|k| !have.contains_key(*k)).collect();
    assert!(missing.is_empty(), "no case for {missing:?}");
    let ops: BTreeSet<&str> = model["operations"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(ops, OPERATIONS.iter().copied().collect::<BTreeSet<_>>());
}
