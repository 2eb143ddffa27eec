//! The Step Functions API: one function per operation of the service model, dispatched on the
//! `X-Amz-Target` header's operation name. Each handler reads its request body (checked
//! against the service model first, `model.rs`), calls the service, and writes AWS's JSON.
//!
//! One file per operation group: `machines.rs` (state machines, versions, definition
//! validation, with `express.rs` for what EXPRESS machines cannot run and
//! `variable_references.rs` for `variableReferences`), `aliases.rs`, `executions.rs`,
//! `map_runs.rs`, `activities.rs` (activities and task callbacks), `tags.rs`, `test_state/`.

mod activities;
mod aliases;
mod error;
mod executions;
pub(crate) use executions::event_rows;
mod express;
mod input;
mod machines;
mod map_runs;
mod model;
mod tags;
mod test_state;
mod variable_references;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use error::{ApiError, ApiResult, ErrorCode};
use input::Req;
pub(crate) use input::{check_name, parse_arn, parse_machine_arn, serialization};
pub(crate) use model::validate_strings;

/// AWS's payload limit for inputs and outputs (256 KiB).
pub use crate::service::MAX_PAYLOAD;

use crate::service::Service;

/// Every operation of the Step Functions service model (37).
pub const OPERATIONS: &[&str] = &[
    "CreateActivity",
    "CreateStateMachine",
    "CreateStateMachineAlias",
    "DeleteActivity",
    "DeleteStateMachine",
    "DeleteStateMachineAlias",
    "DeleteStateMachineVersion",
    "DescribeActivity",
    "DescribeExecution",
    "DescribeMapRun",
    "DescribeStateMachine",
    "DescribeStateMachineAlias",
    "DescribeStateMachineForExecution",
    "GetActivityTask",
    "GetExecutionHistory",
    "ListActivities",
    "ListExecutions",
    "ListMapRuns",
    "ListStateMachineAliases",
    "ListStateMachineVersions",
    "ListStateMachines",
    "ListTagsForResource",
    "PublishStateMachineVersion",
    "RedriveExecution",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "SendTaskSuccess",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "TagResource",
    "TestState",
    "UntagResource",
    "UpdateMapRun",
    "UpdateStateMachine",
    "UpdateStateMachineAlias",
    "ValidateStateMachineDefinition",
];

/// A request body as the HTTP front reads it: a JSON object (an empty or blank body is `{}`),
/// anything else a `SerializationException`.
pub fn decode_body(body: &[u8]) -> ApiResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(
            ErrorCode::SerializationException,
            "The request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::SerializationException,
            format!("Malformed JSON request body: {e}"),
        )),
    }
}

/// For fuzzing: `data`'s first byte picks an operation, the rest is its body, read and checked
/// against the service model as every request is before its operation runs. Any answer is
/// fine; a panic is a finding.
pub fn fuzz_request(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let op = OPERATIONS[pick as usize % OPERATIONS.len()];
    if let Ok(body) = decode_body(body) {
        let _ = model::validate(op, &body);
        let scope = asl_core::arn::Scope::new("us-east-1", "123456789012");
        let req = Req::new(&body, &scope);
        let _ = req.pages(op);
    }
}

/// Runs one operation in the configured region, once its request has passed the service
/// model's checks (types, required members, lengths, ranges, patterns, enums: see
/// `api/model.rs`).
pub async fn dispatch(svc: &Arc<Service>, op: &str, body: &Map<String, Value>) -> ApiResult {
    dispatch_in(svc, None, op, body).await
}

/// Runs one operation as a request signed for `region` (`None`: the configured one) would:
/// the state machines and activities it creates are made in that region, with its partition
/// ([`asl_core::arn::partition_of`]), and its List operations list that region's only.
pub async fn dispatch_in(
    svc: &Arc<Service>,
    region: Option<&str>,
    op: &str,
    body: &Map<String, Value>,
) -> ApiResult {
    model::validate(op, body)?;
    let scope = svc.settings.arns_in(region);
    let req = Req::new(body, &scope);
    let r = &req;
    match op {
        "CreateActivity" => activities::create(svc, r),
        "CreateStateMachine" => machines::create(svc, r),
        "CreateStateMachineAlias" => aliases::create(svc, r),
        "DeleteActivity" => activities::delete(svc, r),
        "DeleteStateMachine" => machines::delete(svc, r).await,
        "DeleteStateMachineAlias" => aliases::delete(svc, r),
        "DeleteStateMachineVersion" => machines::delete_version(svc, r),
        "DescribeActivity" => activities::describe(svc, r),
        "DescribeExecution" => executions::describe(svc, r).await,
        "DescribeMapRun" => map_runs::describe(svc, r),
        "DescribeStateMachine" => machines::describe(svc, r),
        "DescribeStateMachineAlias" => aliases::describe(svc, r),
        "DescribeStateMachineForExecution" => executions::describe_for_execution(svc, r),
        "GetActivityTask" => activities::get_task(svc, r).await,
        "GetExecutionHistory" => executions::history(svc, r),
        "ListActivities" => activities::list(svc, r),
        "ListExecutions" => executions::list(svc, r),
        "ListMapRuns" => map_runs::list(svc, r),
        "ListStateMachineAliases" => aliases::list(svc, r),
        "ListStateMachineVersions" => machines::list_versions(svc, r),
        "ListStateMachines" => machines::list(svc, r),
        "ListTagsForResource" => tags::list(svc, r),
        "PublishStateMachineVersion" => machines::publish_version(svc, r),
        "RedriveExecution" => executions::redrive(svc, r).await,
        "SendTaskFailure" => activities::send_failure(svc, r),
        "SendTaskHeartbeat" => activities::send_heartbeat(svc, r),
        "SendTaskSuccess" => activities::send_success(svc, r),
        "StartExecution" => executions::start(svc, r),
        "StartSyncExecution" => executions::start_sync(svc, r).await,
        "StopExecution" => executions::stop(svc, r).await,
        "TagResource" => tags::tag(svc, r),
        "TestState" => test_state::test_state(svc, r).await,
        "UntagResource" => tags::untag(svc, r),
        "UpdateMapRun" => map_runs::update(svc, r),
        "UpdateStateMachine" => machines::update(svc, r),
        "UpdateStateMachineAlias" => aliases::update(svc, r),
        "ValidateStateMachineDefinition" => machines::validate(svc, r),
        _ => Err(ApiError::new(
            ErrorCode::UnknownOperationException,
            format!("Unknown operation: {op}"),
        )),
    }
}
