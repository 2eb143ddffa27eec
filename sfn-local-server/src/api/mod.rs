//! The Step Functions API: one function per operation of the service model, dispatched on the
//! `X-Amz-Target` header's operation name.

pub mod error;
mod executions;
pub mod input;
mod machines;
mod model;
mod tasks;
mod test_state;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use error::{ApiError, ApiResult};
pub use executions::MAX_PAYLOAD;
use input::Req;

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
            "SerializationException",
            "The request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            "SerializationException",
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
        let req = Req(&body);
        let _ = (req.max_results(), req.page_start());
    }
}

/// Runs one operation, once its request has passed the service model's checks (types,
/// required members, lengths, ranges, patterns, enums: see `api/model.rs`).
pub async fn dispatch(svc: &Arc<Service>, op: &str, body: &Map<String, Value>) -> ApiResult {
    model::validate(op, body)?;
    let req = Req(body);
    let r = &req;
    match op {
        "CreateActivity" => tasks::create_activity(svc, r),
        "CreateStateMachine" => machines::create(svc, r),
        "CreateStateMachineAlias" => machines::create_alias(svc, r),
        "DeleteActivity" => tasks::delete_activity(svc, r),
        "DeleteStateMachine" => machines::delete(svc, r),
        "DeleteStateMachineAlias" => machines::delete_alias(svc, r),
        "DeleteStateMachineVersion" => machines::delete_version(svc, r),
        "DescribeActivity" => tasks::describe_activity(svc, r),
        "DescribeExecution" => executions::describe(svc, r),
        "DescribeMapRun" => executions::describe_map_run(svc, r),
        "DescribeStateMachine" => machines::describe(svc, r),
        "DescribeStateMachineAlias" => machines::describe_alias(svc, r),
        "DescribeStateMachineForExecution" => executions::describe_for_execution(svc, r),
        "GetActivityTask" => tasks::get_activity_task(svc, r).await,
        "GetExecutionHistory" => executions::history(svc, r),
        "ListActivities" => tasks::list_activities(svc, r),
        "ListExecutions" => executions::list(svc, r),
        "ListMapRuns" => executions::list_map_runs(svc, r),
        "ListStateMachineAliases" => machines::list_aliases(svc, r),
        "ListStateMachineVersions" => machines::list_versions(svc, r),
        "ListStateMachines" => machines::list(svc, r),
        "ListTagsForResource" => tasks::list_tags(svc, r),
        "PublishStateMachineVersion" => machines::publish_version(svc, r),
        "RedriveExecution" => executions::redrive(svc, r),
        "SendTaskFailure" => tasks::send_failure(svc, r),
        "SendTaskHeartbeat" => tasks::send_heartbeat(svc, r),
        "SendTaskSuccess" => tasks::send_success(svc, r),
        "StartExecution" => executions::start(svc, r),
        "StartSyncExecution" => executions::start_sync(svc, r).await,
        "StopExecution" => executions::stop(svc, r).await,
        "TagResource" => tasks::tag(svc, r),
        "TestState" => test_state::test_state(svc, r).await,
        "UntagResource" => tasks::untag(svc, r),
        "UpdateMapRun" => executions::update_map_run(svc, r),
        "UpdateStateMachine" => machines::update(svc, r),
        "UpdateStateMachineAlias" => machines::update_alias(svc, r),
        "ValidateStateMachineDefinition" => machines::validate(svc, r),
        _ => Err(ApiError::new(
            "UnknownOperationException",
            format!("Unknown operation: {op}"),
        )),
    }
}
