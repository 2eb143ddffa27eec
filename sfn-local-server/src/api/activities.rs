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

pub(crate) fn create(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let name = req.str("name")?;
    check_name(name)?;
    let arn = req.scope().activity(name);
    let tags = tags_of(req)?;
    // Idempotent: the same name gives the same activity.
    let rec = match svc.store.activity(&arn)? {
        Some(r) => r,
        None => {
            let r = ActivityRec {
                arn: arn.clone(),
                name: name.to_string(),
                created: now_ms(),
                encryption: req.opt_obj("encryptionConfiguration")?.map_or_else(
                    || json!({"type": "AWS_OWNED_KEY"}),
                    |e| Value::Object(e.clone()),
                ),
            };
            svc.store.put_activity(&r)?;
            r
        }
    };
    if !tags.is_empty() {
        svc.store.tag(&arn, &tags)?;
    }
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
