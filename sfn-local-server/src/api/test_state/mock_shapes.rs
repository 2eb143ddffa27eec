//! `mock.fieldValidationMode`: a mocked result checked against the response shape of the API
//! the Task integrates with, as TestState checks it (AWS: STRICT, the default, "All required
//! fields must be present, and all present fields must conform to the API's schema"; PRESENT
//! "All present fields must conform"; NONE no check). Members the shape does not know are
//! ignored; a failure is a `ValidationException` "Mock result schema validation error: ..."
//! naming the member (never its path), with AWS's wording per kind: `Required field 'X' is
//! missing`, `Field 'X' must be a string` (timestamps too), `... a number`, `... an array`,
//! `... an object`. (The shapes here have no enum or range members; AWS's other messages,
//! `Field 'X' is not an expected value` and the length and range ones, do not arise.)
//!
//! Shapes are known for the request-response optimized integrations (Lambda `invoke`,
//! `states:startExecution`, `events:putEvents`, `sqs:sendMessage`, `sns:publish`, and
//! DynamoDB's item actions), from their service models; a resource without a known shape
//! (`aws-sdk:*`, `.sync`, `.waitForTaskToken`, whose result is not the API's response) is
//! not checked.

use serde_json::Value;

/// A member's type.
enum Ty {
    Str,
    /// A timestamp: a string in a mocked result.
    Timestamp,
    Num,
    List(&'static Ty),
    Obj(&'static [Field]),
    /// A map of any values (DynamoDB's items).
    Map,
    Any,
}

struct Field {
    name: &'static str,
    ty: Ty,
    required: bool,
}

const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn required(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const CONSUMED_CAPACITY: Ty = Ty::Obj(&[
    f("TableName", Ty::Str),
    f("CapacityUnits", Ty::Num),
    f("ReadCapacityUnits", Ty::Num),
    f("WriteCapacityUnits", Ty::Num),
    f("Table", Ty::Any),
    f("LocalSecondaryIndexes", Ty::Map),
    f("GlobalSecondaryIndexes", Ty::Map),
]);

const LAMBDA_INVOKE: &[Field] = &[
    f("StatusCode", Ty::Num),
    f("FunctionError", Ty::Str),
    f("LogResult", Ty::Str),
    f("Payload", Ty::Any),
    f("ExecutedVersion", Ty::Str),
];
const START_EXECUTION: &[Field] = &[
    required("ExecutionArn", Ty::Str),
    required("StartDate", Ty::Timestamp),
];
const PUT_EVENTS: &[Field] = &[
    f("FailedEntryCount", Ty::Num),
    f(
        "Entries",
        Ty::List(&Ty::Obj(&[
            f("EventId", Ty::Str),
            f("ErrorCode", Ty::Str),
            f("ErrorMessage", Ty::Str),
        ])),
    ),
];
const SEND_MESSAGE: &[Field] = &[
    f("MD5OfMessageBody", Ty::Str),
    f("MD5OfMessageAttributes", Ty::Str),
    f("MD5OfMessageSystemAttributes", Ty::Str),
    f("MessageId", Ty::Str),
    f("SequenceNumber", Ty::Str),
];
const PUBLISH: &[Field] = &[f("MessageId", Ty::Str), f("SequenceNumber", Ty::Str)];
const GET_ITEM: &[Field] = &[f("Item", Ty::Map), f("ConsumedCapacity", CONSUMED_CAPACITY)];
const WRITE_ITEM: &[Field] = &[
    f("Attributes", Ty::Map),
    f("ConsumedCapacity", CONSUMED_CAPACITY),
    f("ItemCollectionMetrics", Ty::Any),
];

/// The response shape of a Task's resource (`None`: not checked).
fn shape_of(resource: &str) -> Option<&'static [Field]> {
    let r = asl_core::resource::routing_form(resource);
    Some(match r.as_ref() {
        "arn:aws:states:::lambda:invoke" => LAMBDA_INVOKE,
        "arn:aws:states:::states:startExecution" => START_EXECUTION,
        "arn:aws:states:::events:putEvents" => PUT_EVENTS,
        "arn:aws:states:::sqs:sendMessage" => SEND_MESSAGE,
        "arn:aws:states:::sns:publish" => PUBLISH,
        "arn:aws:states:::dynamodb:getItem" => GET_ITEM,
        "arn:aws:states:::dynamodb:putItem"
        | "arn:aws:states:::dynamodb:updateItem"
        | "arn:aws:states:::dynamodb:deleteItem" => WRITE_ITEM,
        _ => return None,
    })
}

/// Checks `result`, the mock of a Task on `resource`, in `mode` (`STRICT`, `PRESENT`,
/// `NONE`); `Err` is the message after "Mock result schema validation error: ".
pub(super) fn check(resource: &str, mode: &str, result: &Value) -> Result<(), String> {
    if mode == "NONE" {
        return Ok(());
    }
    let Some(fields) = shape_of(resource) else {
        return Ok(());
    };
    check_object(fields, result, mode == "STRICT")
}

fn check_object(fields: &[Field], v: &Value, strict: bool) -> Result<(), String> {
    let Some(m) = v.as_object() else {
        return Ok(());
    };
    for field in fields {
        match m.get(field.name) {
            None if strict && field.required => {
                return Err(format!("Required field '{}' is missing", field.name));
            }
            None => {}
            Some(x) => check_value(field.name, &field.ty, x, strict)?,
        }
    }
    Ok(())
}

fn check_value(name: &str, ty: &Ty, v: &Value, strict: bool) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let must = |what: &str| Err(format!("Field '{name}' must be {what}"));
    match ty {
        Ty::Any => Ok(()),
        Ty::Str | Ty::Timestamp if !v.is_string() => must("a string"),
        Ty::Num if !v.is_number() => must("a number"),
        Ty::Map if !v.is_object() => must("an object"),
        Ty::Obj(_) if !v.is_object() => must("an object"),
        Ty::Obj(fields) => check_object(fields, v, strict),
        Ty::List(item) => {
            let Some(items) = v.as_array() else {
                return must("an array");
            };
            for x in items {
                check_value(name, item, x, strict)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        ] {
            assert_eq!(
                check(resource, mode, &result),
                want.map_err(str::to_string),
                "{resource} {mode} {result}"
            );
        }
    }
}
