//! `mock.fieldValidationMode`: a mocked result checked against the response shape of the API
//! the Task integrates with, as TestState checks it (AWS: STRICT, the default, "All required
//! fields must be present, and all present fields must conform to the API's schema"; PRESENT
//! "All present fields must conform"; NONE no check). Members the shape does not know are
//! ignored; a failure is a `ValidationException` "Mock result schema validation error: ..."
//! naming the member (never its path), with AWS's wording per kind: `Required field 'X' is
//! missing`, `Field 'X' must be a string` (timestamps too), `... a number`, `... a boolean`,
//! `... an array`, `... an object`, `Field 'X' is not an expected value` (an enum's).
//!
//! The shapes are `mock_shapes.json` beside this file, the output shapes of botocore's models
//! for the services listed in `mock_shapes.py` (which regenerates it), member names in
//! PascalCase as an `aws-sdk` result has them. Checked: every `aws-sdk:SERVICE:action` of
//! those services, and the request-response optimized integrations, whose result is the
//! same API's response (`lambda:invoke`, `states:startExecution`, `events:putEvents`,
//! `sqs:sendMessage`, `sns:publish`, DynamoDB's item actions, `ecs:runTask`). Not checked: a
//! resource of another service, and `.sync` and `.waitForTaskToken`, whose result is not the
//! API's response. The model is read on the first check.

use std::collections::HashMap;
use std::sync::LazyLock;

use asl_interpreter::service_errors::service_of;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The output shapes.
const SHAPES_JSON: &str = include_str!("mock_shapes.json");

#[derive(Deserialize)]
struct Model {
    services: HashMap<String, Service>,
}

#[derive(Deserialize)]
struct Service {
    /// `aws-sdk` action -> its output shape.
    operations: HashMap<String, usize>,
    shapes: Vec<Shape>,
}

#[derive(Deserialize)]
struct Shape {
    /// s string, n number, b boolean, t timestamp, a any, l list, m map, o structure.
    t: char,
    #[serde(default)]
    members: Map<String, Value>,
    #[serde(default)]
    req: Vec<String>,
    #[serde(default)]
    r#enum: Vec<String>,
    member: Option<usize>,
    value: Option<usize>,
}

static MODEL: LazyLock<Model> =
    LazyLock::new(|| serde_json::from_str(SHAPES_JSON).expect("mock_shapes.json is valid"));

/// The service model and output shape of a Task's resource (`None`: not checked).
fn shape_of(resource: &str) -> Option<(&'static Service, usize)> {
    let routed = asl_core::resource::routing_form(resource);
    let action = routed.rsplit(':').next()?;
    if action.contains('.') {
        return None;
    }
    // `aws-sdk:ssm:getParameter`, or an optimized integration's service by its `aws-sdk` name
    // (`events` is `eventbridge`, `states` is `sfn`).
    let name = match routed.strip_prefix("arn:aws:states:::aws-sdk:") {
        Some(rest) => rest.split(':').next()?,
        None => service_of(&routed)?.0.sdk_name,
    };
    let service = MODEL.services.get(name)?;
    service.operations.get(action).map(|s| (service, *s))
}

/// Checks `result`, the mock of a Task on `resource`, in `mode` (`STRICT`, `PRESENT`,
/// `NONE`); `Err` is the message after "Mock result schema validation error: ".
pub(super) fn check(resource: &str, mode: &str, result: &Value) -> Result<(), String> {
    if mode == "NONE" {
        return Ok(());
    }
    let Some((service, shape)) = shape_of(resource) else {
        return Ok(());
    };
    Check {
        service,
        strict: mode == "STRICT",
    }
    .object(shape, result)
}

struct Check {
    service: &'static Service,
    strict: bool,
}

impl Check {
    fn shape(&self, i: usize) -> Option<&'static Shape> {
        self.service.shapes.get(i)
    }

    fn object(&self, shape: usize, v: &Value) -> Result<(), String> {
        let (Some(m), Some(shape)) = (v.as_object(), self.shape(shape)) else {
            return Ok(());
        };
        for (name, member) in &shape.members {
            let Some(member) = member.as_u64().and_then(|i| usize::try_from(i).ok()) else {
                continue;
            };
            match m.get(name) {
                None if self.strict && shape.req.iter().any(|r| r == name) => {
                    return Err(format!("Required field '{name}' is missing"));
                }
                None => {}
                Some(x) => self.value(name, member, x)?,
            }
        }
        Ok(())
    }

    fn value(&self, name: &str, shape: usize, v: &Value) -> Result<(), String> {
        let Some(s) = self.shape(shape) else {
            return Ok(());
        };
        if v.is_null() {
            return Ok(());
        }
        let must = |what: &str| Err(format!("Field '{name}' must be {what}"));
        match s.t {
            's' | 't' if !v.is_string() => must("a string"),
            's' if !s.r#enum.is_empty() && !s.r#enum.iter().any(|e| v == e.as_str()) => {
                Err(format!("Field '{name}' is not an expected value"))
            }
            'n' if !v.is_number() => must("a number"),
            'b' if !v.is_boolean() => must("a boolean"),
            'o' | 'm' if !v.is_object() => must("an object"),
            'o' => self.object(shape, v),
            'm' => match (v.as_object(), s.value) {
                (Some(entries), Some(value)) => {
                    for x in entries.values() {
                        self.value(name, value, x)?;
                    }
                    Ok(())
                }
                _ => Ok(()),
            },
            'l' => {
                let Some(items) = v.as_array() else {
                    return must("an array");
                };
                if let Some(member) = s.member {
                    for x in items {
                        self.value(name, member, x)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The model names a shape for every operation, and every shape it refers to exists.
    #[test]
    fn the_model_is_whole() {
        for (name, service) in &MODEL.services {
            assert!(service.operations.len() > 5, "{name}");
            let n = service.shapes.len();
            for (op, s) in &service.operations {
                assert!(*s < n, "{name} {op}");
            }
            for s in &service.shapes {
                for m in s.members.values() {
                    assert!(m.as_u64().is_some_and(|i| (i as usize) < n), "{name}");
                }
                assert!(s.member.is_none_or(|i| i < n) && s.value.is_none_or(|i| i < n));
                assert!("snbtalmo".contains(s.t), "{name}");
            }
        }
    }

    /// Each kind of mismatch, in each mode, with AWS's wording.
    #[test]
    fn mocks_are_checked_as_each_mode_says() {
        let start = "arn:aws:states:::states:startExecution";
        let events = "arn:aws:states:::events:putEvents";
        let lambda = "arn:aws:states:::lambda:invoke";
        for (resource, mode, result, want) in [
            (
                start,
                "STRICT",
                json!({"executionArn": "x"}),
                Err("Required field 'ExecutionArn' is missing"),
            ),
            (start, "PRESENT", json!({}), Ok(())),
            (
                start,
                "STRICT",
                json!({"ExecutionArn": "x", "StartDate": true}),
                Err("Field 'StartDate' must be a string"),
            ),
            (
                start,
                "NONE",
                json!({"ExecutionArn": "x", "StartDate": true}),
                Ok(()),
            ),
            (
                start,
                "STRICT",
                json!({"ExecutionArn": "x", "StartDate": "2025-01-01T00:00:00Z"}),
                Ok(()),
            ),
            (events, "STRICT", json!({"random": "json"}), Ok(())),
            (
                events,
                "STRICT",
                json!({"Entries": {}}),
                Err("Field 'Entries' must be an array"),
            ),
            (
                events,
                "PRESENT",
                json!({"Entries": [{"EventId": "a"}, {"EventId": 2}]}),
                Err("Field 'EventId' must be a string"),
            ),
            (
                lambda,
                "STRICT",
                json!({"StatusCode": "200"}),
                Err("Field 'StatusCode' must be a number"),
            ),
            (
                lambda,
                "STRICT",
                json!({"Payload": {"any": ["thing"]}, "SdkHttpMetadata": {}}),
                Ok(()),
            ),
            (
                "arn:aws:states:::dynamodb:getItem",
                "STRICT",
                json!({"ConsumedCapacity": {"CapacityUnits": "1"}}),
                Err("Field 'CapacityUnits' must be a number"),
            ),
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                "STRICT",
                json!({"Body": 1}),
                Ok(()),
            ),
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                "STRICT",
                json!({"Body": "x", "DeleteMarker": "no"}),
                Err("Field 'DeleteMarker' must be a boolean"),
            ),
            // `aws-sdk` results: PascalCase members whatever the service's own case.
            (
                "arn:aws:states:::aws-sdk:sfn:startExecution",
                "STRICT",
                json!({"executionArn": "x"}),
                Err("Required field 'ExecutionArn' is missing"),
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:describeExecution",
                "PRESENT",
                json!({"Status": "DONE"}),
                Err("Field 'Status' is not an expected value"),
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:describeExecution",
                "PRESENT",
                json!({"Status": "SUCCEEDED"}),
                Ok(()),
            ),
            (
                "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "STRICT",
                json!({"Item": {"id": {"S": 1}}}),
                Err("Field 'S' must be a string"),
            ),
            (
                "arn:aws:states:::dynamodb:getItem",
                "STRICT",
                json!({"Item": {"id": {"S": "1"}, "n": {"N": "2"}}}),
                Ok(()),
            ),
            (
                "arn:aws:states:::aws-sdk:sqs:receiveMessage",
                "STRICT",
                json!({"Messages": {}}),
                Err("Field 'Messages' must be an array"),
            ),
            (
                "arn:aws:states:::aws-sdk:ssm:getParameter",
                "PRESENT",
                json!({"Parameter": {"Name": "p", "Type": "Text"}}),
                Err("Field 'Type' is not an expected value"),
            ),
            (
                "arn:aws:states:::ecs:runTask",
                "STRICT",
                json!({"Tasks": [{"TaskArn": 1}]}),
                Err("Field 'TaskArn' must be a string"),
            ),
            // Not the API's response, or a service without a model here: not checked.
            (
                "arn:aws:states:::ecs:runTask.sync",
                "STRICT",
                json!({"Tasks": [{"TaskArn": 1}]}),
                Ok(()),
            ),
            (
                "arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken",
                "STRICT",
                json!({"MessageId": 1}),
                Ok(()),
            ),
            (
                "arn:aws:states:::aws-sdk:athena:getQueryExecution",
                "STRICT",
                json!({"QueryExecution": 1}),
                Ok(()),
            ),
        ] {
            assert_eq!(
                check(resource, mode, &result),
                want.map_err(str::to_string),
                "{resource} {mode} {result}"
            );
        }
    }
}
