//! TestState over HTTP: `context`, `stateConfiguration`, `inspectionData` and request checks.

mod common;

use common::{call, ok, spawn};
use serde_json::{Value, json};

fn test_state(endpoint: &str, body: Value) -> Value {
    ok(endpoint, "TestState", body)
}

const LAMBDA: &str = "arn:aws:states:::lambda:invoke";

#[test]
fn context_replaces_the_context_object() {
    let p = spawn(&["--in-memory"]);
    let definition = json!({
        "Type": "Task", "Resource": LAMBDA,
        "Parameters": {"FunctionName": "f", "Payload": {"Input.$": "$"}},
        "ResultSelector": {"Ctx.$": "$$.Execution.Input", "Out.$": "$"},
        "ResultPath": "$.r",
        "End": true
    });
    let out = test_state(
        &p.endpoint,
        json!({"definition": definition.to_string(), "input": "{\"a\":1}",
               "inspectionLevel": "DEBUG",
               "context": "{\"Execution\":{\"Input\":{\"from\":\"context\"}}}",
               "mock": {"result": "{\"x\":2}"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    let want = json!({"a": 1, "r": {"Ctx": {"from": "context"}, "Out": {"x": 2}}});
    assert_eq!(
        serde_json::from_str::<Value>(out["output"].as_str().unwrap()).unwrap(),
        want
    );
    let data = &out["inspectionData"];
    assert_eq!(data["input"], "{\"a\":1}");
    assert_eq!(data["afterInputPath"], "{\"a\":1}");
    assert_eq!(
        data["afterResultSelector"],
        "{\"Ctx\":{\"from\":\"context\"},\"Out\":{\"x\":2}}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(data["afterResultPath"].as_str().unwrap()).unwrap(),
        want
    );

    // An empty context is `$$` = {} (as AWS recorded).
    let definition = json!({"Type": "Task", "Resource": LAMBDA,
        "Parameters": {"FunctionName": "f"}, "ResultSelector": {"c.$": "$$"}, "End": true});
    let out = test_state(
        &p.endpoint,
        json!({"definition": definition.to_string(), "context": "{}",
               "mock": {"result": "{}"}}),
    );
    assert_eq!(out["output"], "{\"c\":{}}", "{out}");

    // Rejected contexts and mocks.
    for (body, message) in [
        (
            json!({"definition": definition.to_string(), "context": "{\"Map\":{}}",
                   "mock": {"result": "{}"}}),
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object",
        ),
        (
            json!({"definition": definition.to_string(), "context": "{\"Task\":{\"Token\":\"t\"}}",
                   "mock": {"result": "{}"}}),
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
        ),
        (
            json!({"definition": "{\"Type\":\"Pass\",\"End\":true}", "mock": {"result": "{}"}}),
            "State type 'Pass' is not supported when a mock is specified",
        ),
        (
            json!({"definition": definition.to_string(),
                   "mock": {"result": "{}", "errorOutput": {"error": "E"}}}),
            "A test mock should have only one of the following fields: [result, errorOutput].",
        ),
        (
            json!({"definition": definition.to_string(), "revealSecrets": true,
                   "mock": {"result": "{}"}}),
            "TestState does not support RevealSecrets when a mock is specified.",
        ),
    ] {
        let (status, err) = call(&p.endpoint, "TestState", body);
        assert_eq!(status, 400, "{err}");
        assert!(
            err["__type"]
                .as_str()
                .unwrap()
                .ends_with("#ValidationException")
        );
        assert_eq!(err["message"], message);
    }
}

#[test]
fn retrier_retry_count_decides_retriable_failed_or_caught() {
    let p = spawn(&["--in-memory"]);
    let retry = json!({"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5,
                   "BackoffRate": 2.0}],
        "End": true});
    let mock = json!({"errorOutput": {"error": "MockException", "cause": "c"}});
    let run = |def: &Value, count: i64| {
        test_state(
            &p.endpoint,
            json!({"definition": def.to_string(), "inspectionLevel": "DEBUG", "mock": mock,
                   "stateConfiguration": {"retrierRetryCount": count}}),
        )
    };
    let out = run(&retry, 4);
    assert_eq!(out["status"], "RETRIABLE", "{out}");
    assert_eq!(
        (&out["error"], &out["cause"]),
        (&json!("MockException"), &json!("c"))
    );
    assert_eq!(
        out["inspectionData"]["errorDetails"],
        json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 16})
    );
    let out = run(&retry, 5);
    assert_eq!(out["status"], "FAILED", "{out}");
    assert_eq!(
        out["inspectionData"]["errorDetails"],
        json!({"retryIndex": 0})
    );

    let mut caught = retry.clone();
    caught["Catch"] = json!([{"ErrorEquals": ["Other"], "Next": "A"},
                             {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}]);
    let out = run(&caught, 5);
    assert_eq!(out["status"], "CAUGHT_ERROR", "{out}");
    assert_eq!(out["nextState"], "B");
    assert_eq!(
        out["inspectionData"]["errorDetails"],
        json!({"retryIndex": 0, "catchIndex": 1})
    );

    let (status, err) = call(
        &p.endpoint,
        "TestState",
        json!({"definition": retry.to_string(), "mock": mock,
               "stateConfiguration": {"retrierRetryCount": -1}}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["message"],
        "1 validation error detected: Value '-1' at 'stateConfiguration.retrierRetryCount' failed to satisfy constraint: Member must have value greater than or equal to 0"
    );
}

/// `stateName` finds a state wherever it is in a whole definition: at the top, in a
/// Parallel branch, in a Map's processor, nested deeper; a name that is nowhere is refused.
#[test]
fn state_name_finds_nested_states() {
    let p = spawn(&["--in-memory"]);
    let definition = json!({"StartAt": "Top", "States": {
        "Top": {"Type": "Pass", "Result": "top", "Next": "Fan"},
        "Fan": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "InBranch", "States": {
                "InBranch": {"Type": "Pass", "Result": "branch", "Next": "Each"},
                "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "InMap", "States": {
                    "InMap": {"Type": "Pass", "Result": "map", "Next": "Deepest"},
                    "Deepest": {"Type": "Pass", "Result": "deep", "End": true}}}}}}]}}});
    for (name, want, next) in [
        ("Top", "top", Some("Fan")),
        ("InBranch", "branch", Some("Each")),
        ("InMap", "map", Some("Deepest")),
        ("Deepest", "deep", None),
    ] {
        let out = test_state(
            &p.endpoint,
            json!({"definition": definition.to_string(), "stateName": name, "input": "{}"}),
        );
        assert_eq!(out["status"], "SUCCEEDED", "{name}: {out}");
        assert_eq!(out["output"], json!(format!("\"{want}\"")), "{name}");
        assert_eq!(out.get("nextState").and_then(Value::as_str), next, "{name}");
    }
    let (status, v) = call(
        &p.endpoint,
        "TestState",
        json!({"definition": definition.to_string(), "stateName": "Nowhere", "input": "{}"}),
    );
    assert_eq!(status, 400, "{v}");
}

/// Map and Parallel states under TestState, as AWS answers them: a mock is required and is
/// their whole result (no iteration or branch runs), its shape is checked, and
/// `mapIterationFailureCount` is measured against the Map's declared tolerance.
#[test]
fn mocked_map_and_parallel_states() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let map = |extra: Value| {
        let mut m = json!({"Type": "Map", "ItemsPath": "$.values", "ResultPath": "$.out",
            "ItemProcessor": {"StartAt": "Call", "States": {"Call": {"Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:does-not-exist", "End": true}}},
            "Next": "After"});
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        m.to_string()
    };
    let parallel = json!({"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]})
    .to_string();
    let refused = |body: Value, code: &str, message: &str| {
        let (status, v) = call(e, "TestState", body.clone());
        assert_eq!(status, 400, "{body}: {v}");
        assert!(v["__type"].as_str().unwrap().ends_with(code), "{body}: {v}");
        assert_eq!(v["message"], message, "{body}");
    };
    let no_map = "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]";
    refused(
        json!({"definition": map(json!({}))}),
        "InvalidDefinition",
        no_map,
    );
    refused(json!({"definition": parallel}), "InvalidDefinition", no_map);
    refused(
        json!({"definition": json!({"Type": "Task", "Resource": LAMBDA, "End": true}).to_string()}),
        "ValidationException",
        "RoleArn must be specified when testing a Task state",
    );
    refused(
        json!({"definition": map(json!({})), "mock": {"result": "not json"}}),
        "ValidationException",
        "Mocked result must be valid JSON",
    );
    refused(
        json!({"definition": map(json!({})), "mock": {"result": "{}"}}),
        "ValidationException",
        "Mocked result must be an array.",
    );
    refused(
        json!({"definition": map(json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "b", "Prefix": "p"}}})), "mock": {"result": "[1]"}}),
        "ValidationException",
        "Mocked result must be a JSON object.",
    );
    refused(
        json!({"definition": parallel, "mock": {"result": "[1]"}}),
        "ValidationException",
        "Mocked result must contain the same number of items as number of Parallel branches.",
    );

    // The mock is the Map's result: its iterations (which would fail) do not run.
    let out = test_state(
        e,
        json!({"definition": map(json!({})), "input": "{\"values\":[1,2,3]}",
               "inspectionLevel": "DEBUG", "mock": {"result": "[1,4,9]"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(out["nextState"], "After");
    assert_eq!(
        serde_json::from_str::<Value>(out["output"].as_str().unwrap()).unwrap(),
        json!({"values": [1, 2, 3], "out": [1, 4, 9]})
    );
    let data = &out["inspectionData"];
    assert_eq!(data["afterItemsPath"], "[1,2,3]", "{data}");
    assert_eq!(data["maxConcurrency"], 0);
    assert!(
        data.get("afterParameters").is_none() && data.get("result").is_none(),
        "{data}"
    );

    // Failed iterations against the declared tolerance.
    let tolerant = map(json!({"ToleratedFailureCount": 1, "Catch": [
        {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Handle"}]}));
    for (failures, status) in [(0, "SUCCEEDED"), (1, "SUCCEEDED"), (2, "CAUGHT_ERROR")] {
        let out = test_state(
            e,
            json!({"definition": tolerant, "input": "{\"values\":[1,2,3]}",
                   "inspectionLevel": "DEBUG", "mock": {"result": "[1,4,9]"},
                   "stateConfiguration": {"mapIterationFailureCount": failures}}),
        );
        assert_eq!(out["status"], status, "{failures}: {out}");
        if status == "CAUGHT_ERROR" {
            assert_eq!(out["error"], "States.ExceedToleratedFailureThreshold");
            assert_eq!(
                out["cause"],
                "The specified tolerated failure threshold was exceeded"
            );
            assert_eq!(out["nextState"], "Handle");
            assert_eq!(
                out["inspectionData"]["errorDetails"],
                json!({"catchIndex": 0})
            );
            assert_eq!(out["inspectionData"]["toleratedFailureCount"], 1);
        }
    }
    let out = test_state(
        e,
        json!({"definition": map(json!({})), "input": "{\"values\":[1,2,3]}",
               "mock": {"result": "[1,4,9]"}, "stateConfiguration": {"mapIterationFailureCount": 2}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "no tolerance declared: {out}");

    // A Parallel's mock is one result per branch; a mocked error is the state's own.
    let out = test_state(
        e,
        json!({"definition": parallel, "mock": {"result": "[\"a\",\"b\"]"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(out["output"], "[\"a\",\"b\"]");
    let out = test_state(
        e,
        json!({"definition": parallel, "mock": {"errorOutput": {"error": "Boom", "cause": "branch B"}},
               "stateConfiguration": {"errorCausedByState": "B"}}),
    );
    assert_eq!(out["status"], "FAILED", "{out}");
    assert_eq!(
        (&out["error"], &out["cause"]),
        (&json!("Boom"), &json!("branch B"))
    );
    assert!(out.get("output").is_none() && out.get("nextState").is_none());
}

/// Without `context`, the state sees the context object TestState builds on AWS.
#[test]
fn the_default_context_object_is_aws_s() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let pass = json!({"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": true}).to_string();
    let out = test_state(e, json!({"definition": pass, "input": "{\"a\":1}"}));
    let ctx = &serde_json::from_str::<Value>(out["output"].as_str().unwrap()).unwrap()["ctx"];
    let id = ctx["Execution"]["Id"].as_str().unwrap();
    assert!(
        id.starts_with("arn:aws:states:us-east-1:123456789012:express:"),
        "{ctx}"
    );
    assert_eq!(id.split(':').count(), 8, "express:MACHINE:EXECUTION: {id}");
    assert_eq!(ctx["Execution"]["Input"], json!({"a": 1}));
    assert_eq!(ctx["Execution"]["RoleArn"], Value::Null);
    assert_eq!(ctx["State"]["Name"], "StateName");
    assert!(ctx["State"].get("RetryCount").is_none(), "{ctx}");
    assert!(ctx.get("RedriveCount").is_none() && ctx["Execution"].get("RedriveCount").is_none());
    assert!(
        ctx["StateMachine"]["Id"]
            .as_str()
            .unwrap()
            .contains(":stateMachine:")
    );
    let task = json!({"Type": "Task", "Resource": LAMBDA, "Parameters": {"ctx.$": "$$"},
        "ResultSelector": {"state.$": "$$.State", "role.$": "$$.Execution.RoleArn"}, "End": true})
    .to_string();
    let out = test_state(
        e,
        json!({"definition": task, "roleArn": "arn:aws:iam::123456789012:role/r",
               "mock": {"result": "{}"}}),
    );
    let got = serde_json::from_str::<Value>(out["output"].as_str().unwrap()).unwrap();
    assert_eq!(got["state"]["RetryCount"], 0, "{got}");
    assert_eq!(got["role"], "arn:aws:iam::123456789012:role/r");
}

/// `fieldValidationMode` over HTTP: STRICT (the default) wants the API's required members,
/// PRESENT only checks what is there, NONE nothing.
#[test]
fn mocked_results_are_checked_against_the_api_s_shape() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let start = json!({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"},
        "End": true})
    .to_string();
    let (status, v) = call(
        e,
        "TestState",
        json!({"definition": start, "mock": {"result": "{\"executionArn\":\"x\"}"}}),
    );
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        v["message"],
        "Mock result schema validation error: Required field 'ExecutionArn' is missing"
    );
    let out = test_state(
        e,
        json!({"definition": start, "mock": {"result": "{}", "fieldValidationMode": "PRESENT"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    let (status, v) = call(
        e,
        "TestState",
        json!({"definition": start, "mock": {"result": "{\"ExecutionArn\":\"x\",\"StartDate\":true}",
               "fieldValidationMode": "PRESENT"}}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        v["message"],
        "Mock result schema validation error: Field 'StartDate' must be a string"
    );
    let out = test_state(
        e,
        json!({"definition": start, "mock": {"result": "{\"ExecutionArn\":\"x\",\"StartDate\":true}",
               "fieldValidationMode": "NONE"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");

    // An `aws-sdk` integration's mock is checked against that API's response, its members in
    // PascalCase (DynamoDB's AttributeValue inside an item, SSM's enum).
    for (resource, result, message) in [
        (
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json!({"Item": {"id": {"S": 7}}}),
            "Field 'S' must be a string",
        ),
        (
            "arn:aws:states:::aws-sdk:ssm:getParameter",
            json!({"Parameter": {"Name": "p", "Type": "Plain"}}),
            "Field 'Type' is not an expected value",
        ),
        (
            "arn:aws:states:::aws-sdk:sfn:startExecution",
            json!({"StartDate": "2025-01-01T00:00:00Z"}),
            "Required field 'ExecutionArn' is missing",
        ),
    ] {
        let task = json!({"Type": "Task", "Resource": resource, "End": true}).to_string();
        let (status, v) = call(
            e,
            "TestState",
            json!({"definition": task, "mock": {"result": result.to_string()}}),
        );
        assert_eq!(status, 400, "{resource}: {v}");
        assert_eq!(
            v["message"],
            format!("Mock result schema validation error: {message}"),
            "{resource}"
        );
        let out = test_state(
            e,
            json!({"definition": task, "mock": {"result": result.to_string(), "fieldValidationMode": "NONE"}}),
        );
        assert_eq!(out["status"], "SUCCEEDED", "{out}");
    }
}

/// A Wait state is tested without waiting (TestState runs in virtual time).
#[test]
fn a_wait_state_does_not_wait() {
    let p = spawn(&["--in-memory"]);
    let wait = json!({"Type": "Wait", "Seconds": 86400, "Next": "Later"}).to_string();
    let out = test_state(
        &p.endpoint,
        json!({"definition": wait, "input": "{\"a\":1}"}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(out["nextState"], "Later");
    assert_eq!(out["output"], "{\"a\":1}");
}

/// At DEBUG a mocked Map shows its items after the ItemSelector and in their batches, as its
/// run would build them: from its input, or from `mapItemReaderData` through its ItemReader.
#[test]
fn a_mocked_map_shows_its_item_pipeline() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let map = json!({"Type": "Map", "ItemsPath": "$.xs",
        "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index", "k.$": "$.k"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true})
    .to_string();
    let out = test_state(
        e,
        json!({"definition": map, "input": "{\"xs\": [\"a\", \"b\"], \"k\": 7}",
               "mock": {"result": "[1, 2]"}, "inspectionLevel": "DEBUG"}),
    );
    let data = &out["inspectionData"];
    assert_eq!(data["afterItemsPath"], r#"["a","b"]"#, "{out}");
    assert_eq!(
        data["afterItemSelector"], r#"[{"v":"a","i":0,"k":7},{"v":"b","i":1,"k":7}]"#,
        "{out}"
    );
    assert!(data.get("afterItemBatcher").is_none(), "{out}");

    // JSONata: Items and an ItemSelector expression.
    let map = json!({"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.xs %}",
        "ItemSelector": {"v": "{% $uppercase($states.context.Map.Item.Value) %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true})
    .to_string();
    let out = test_state(
        e,
        json!({"definition": map, "input": "{\"xs\": [\"a\", \"b\"]}",
               "mock": {"result": "[1, 2]"}, "inspectionLevel": "DEBUG"}),
    );
    assert_eq!(
        out["inspectionData"]["afterItemSelector"], r#"[{"v":"A"},{"v":"B"}]"#,
        "{out}"
    );

    // A Distributed Map over a CSV file given as `mapItemReaderData`, in batches of two.
    let map = json!({"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "b", "Key": "rows.csv"}},
        "ItemSelector": {"name.$": "$$.Map.Item.Value.name"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": "r1"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true})
    .to_string();
    let out = test_state(
        e,
        json!({"definition": map, "mock": {"result": "[]"}, "inspectionLevel": "DEBUG",
               "stateConfiguration": {"mapItemReaderData": "name,age\nann,3\nbob,4\ncy,5\n"}}),
    );
    let data = &out["inspectionData"];
    assert_eq!(
        data["afterItemSelector"], r#"[{"name":"ann"},{"name":"bob"},{"name":"cy"}]"#,
        "{out}"
    );
    assert_eq!(
        data["afterItemBatcher"],
        r#"[{"BatchInput":{"run":"r1"},"Items":[{"name":"ann"},{"name":"bob"}]},{"BatchInput":{"run":"r1"},"Items":[{"name":"cy"}]}]"#,
        "{out}"
    );
    // INFO shows none of it.
    let out = test_state(
        e,
        json!({"definition": map, "mock": {"result": "[]"},
               "stateConfiguration": {"mapItemReaderData": "name\nann\n"}}),
    );
    assert!(out.get("inspectionData").is_none(), "{out}");
}

/// Hostile `mapItemReaderData` for a mocked Map's inspection: malformed, huge (a 250 KB CSV
/// of 125,000 rows, past the history quota of its inline run), deep JSON. The state is still
/// tested; only the item pipeline's inspection is left out.
#[test]
fn hostile_reader_data_leaves_the_item_inspection_out() {
    let p = spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let map = |input_type: &str| {
        json!({"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": input_type, "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "b", "Key": "k"}},
            "ItemSelector": {"v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true})
        .to_string()
    };
    let huge = format!("h\n{}", "x\n".repeat(125_000));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    // (reader, data, whether the inspection is shown: the CSV reader reads an unclosed
    // quote to the end, as the csv crate does)
    for (input_type, data, shown) in [
        ("CSV", "a,b\n\"unclosed,1\n".to_string(), true),
        ("CSV", huge, false),
        ("JSON", "{not json".to_string(), false),
        ("JSON", deep, false),
    ] {
        let out = test_state(
            e,
            json!({"definition": map(input_type), "mock": {"result": "[1]"}, "inspectionLevel": "DEBUG",
                   "stateConfiguration": {"mapItemReaderData": data}}),
        );
        assert_eq!(out["status"], "SUCCEEDED", "{input_type}: {out}");
        assert_eq!(
            out["inspectionData"].get("afterItemSelector").is_some(),
            shown,
            "{input_type}: {out}"
        );
    }
}

/// A Map with an ItemReader is tested on `mapItemReaderData` and its mock: nothing reads S3.
#[test]
fn map_item_reader_data_stands_for_the_reader() {
    let p = spawn(&["--in-memory"]);
    let map = json!({"Type": "Map", "QueryLanguage": "JSONata",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
            "Arguments": {"Bucket": "no-such-bucket", "Key": "items.json"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true})
    .to_string();
    let out = test_state(
        &p.endpoint,
        json!({"definition": map, "mock": {"result": "[1, 4, 9]"},
               "stateConfiguration": {"mapItemReaderData": "[1, 2, 3]"}}),
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(
        serde_json::from_str::<Value>(out["output"].as_str().unwrap()).unwrap(),
        json!([1, 4, 9])
    );
}
