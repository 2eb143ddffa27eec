//! Activities, and the task callbacks (`SendTask*`) of tasks that wait for a token.

use std::sync::Arc;

use asl_core::arn::ResourceType;
use asl_interpreter::TaskFailure;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, check_name, parse_arn};
use super::tags::tags_of;
use crate::service::{Service, epoch, now_ms};
use crate::store::ActivityRec;

fn token<'a>(req: &Req<'a>) -> ApiResult<&'a str> {
    let t = req.str("taskToken")?;
    if t.is_empty() || t.len() > 2048 {
        return Err(ApiError::validation(
            "taskToken",
            t,
            "Member must have length between 1 and 2048",
        ));
    }
    Ok(t)
}

/// The error for a token that no task waits on: `InvalidToken` for one we never issued (not a
/// UUID); for one whose task is closed (answered, timed out, its execution ended), AWS's
/// `TaskTimedOut` with "Provided task does not exist anymore".
fn unknown_token(t: &str) -> ApiError {
    if uuid::Uuid::parse_str(t).is_err() {
        ApiError::new(ErrorCode::InvalidToken, format!("Invalid Token: '{t}'"))
    } else {
        ApiError::new(
            ErrorCode::TaskTimedOut,
            "Task Timed Out: 'Provided task does not exist anymore'",
        )
    }
}

pub(crate) fn send_success(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let t = token(req)?;
    let output = req.str("output")?;
    if output.len() > crate::service::MAX_PAYLOAD {
        return Err(ApiError::validation(
            "output",
            &output.chars().take(100).collect::<String>(),
            "Member must have length less than or equal to 262144",
        ));
    }
    let value: Value = serde_json::from_str(output).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidOutput,
            format!("Invalid State Machine Output: '{e}'"),
        )
    })?;
    svc.interp
        .send_task_success(t, value)
        .map_err(|_| unknown_token(t))?;
    Ok(json!({}))
}

pub(crate) fn send_failure(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let t = token(req)?;
    let error = req.opt_str_max("error", 256)?;
    let cause = req.opt_str_max("cause", 32768)?;
    let failure = TaskFailure {
        error: error.map(str::to_string),
        cause: cause.map(str::to_string),
    };
    svc.interp
        .send_task_failure(t, failure)
        .map_err(|_| unknown_token(t))?;
    Ok(json!({}))
}

pub(crate) fn send_heartbeat(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let t = token(req)?;
    svc.interp
        .send_task_heartbeat(t)
        .map_err(|_| unknown_token(t))?;
    Ok(json!({}))
}

fn activity_rec(svc: &Service, arn: &str) -> ApiResult<ActivityRec> {
    let a = parse_arn(arn)?;
    if a.resource != ResourceType::Activity || a.parts.len() != 1 {
        return Err(ApiError::invalid_arn(arn));
    }
    svc.store
        .activity(arn)?
        .ok_or_else(|| ApiError::no_activity(arn))
}

/// A request's `encryptionConfiguration` as stored and described: AWS's default
/// (`AWS_OWNED_KEY`) when absent. The model has already checked the type's enum and the reuse
/// period's range (60-900, a `ValidationException`); what is left is AWS's
/// `InvalidEncryptionConfiguration` for a customer managed key without its `kmsKeyId`
/// (API reference, `InvalidEncryptionConfiguration`).
pub(crate) fn encryption_of(req: &Req<'_>) -> ApiResult<Value> {
    let Some(e) = req.opt_obj("encryptionConfiguration")? else {
        return Ok(json!({"type": "AWS_OWNED_KEY"}));
    };
    let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
    let key = e.get("kmsKeyId").and_then(Value::as_str);
    if kind == "CUSTOMER_MANAGED_KMS_KEY" && key.is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidEncryptionConfiguration,
            "Invalid Encryption Configuration: kmsKeyId is required when the encryption type is CUSTOMER_MANAGED_KMS_KEY",
        ));
    }
    let members = e.iter().filter(|(_, v)| !v.is_null());
    Ok(Value::Object(
        members.map(|(k, v)| (k.clone(), v.clone())).collect(),
    ))
}

/// `CreateActivity`: idempotent by name. Another request for an existing name answers the
/// existing activity (its ARN and creation date) and leaves its tags as they are, whatever
/// tags it carries; one whose encryption configuration differs gets `ActivityAlreadyExists`
/// (API reference, `CreateActivity` and `ActivityAlreadyExists`).
pub(crate) fn create(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let name = req.str("name")?;
    check_name(name)?;
    let arn = req.scope().activity(name);
    let tags = tags_of(req)?;
    let rec = ActivityRec {
        arn: arn.clone(),
        name: name.to_string(),
        created: now_ms(),
        encryption: encryption_of(req)?,
    };
    let rec = match svc.store.create_activity(&rec, &tags)? {
        None => rec,
        Some(existing) if existing.encryption == rec.encryption => existing,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::ActivityAlreadyExists,
                "Activity already exists. EncryptionConfiguration may not be updated.",
            ));
        }
    };
    Ok(json!({"activityArn": arn, "creationDate": epoch(rec.created)}))
}

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let r = activity_rec(svc, req.str("activityArn")?)?;
    Ok(
        json!({"activityArn": r.arn, "name": r.name, "creationDate": epoch(r.created),
              "encryptionConfiguration": r.encryption}),
    )
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let pages = req.pages("ListActivities")?;
    let (items, next) = pages.page(svc.store.activities(&req.scope().activity_prefix())?);
    let items: Vec<Value> = items
        .iter()
        .map(|a| json!({"activityArn": a.arn, "name": a.name, "creationDate": epoch(a.created)}))
        .collect();
    let mut out = json!({"activities": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// `DeleteActivity`: succeeds for an activity that does not exist (its only error is
/// `InvalidArn`, API reference).
pub(crate) fn delete(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("activityArn")?;
    if parse_arn(arn)?.resource != ResourceType::Activity {
        return Err(ApiError::invalid_arn(arn));
    }
    svc.store.delete_activity(arn)?;
    Ok(json!({}))
}

pub(crate) async fn get_task(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("activityArn")?;
    activity_rec(svc, arn)?;
    let worker = req.opt_str_max("workerName", 80)?.unwrap_or_default();
    match svc.poll_activity(arn, worker).await {
        Some((token, input)) => Ok(json!({"taskToken": token, "input": input})),
        None => Ok(json!({})),
    }
}
