//! Map runs: describe, update, list, and the child workflow executions of one.

use std::sync::Arc;

use asl_core::arn::ResourceType;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::executions::execution_page;
use super::input::{Req, parse_arn};
use crate::service::Service;
use crate::store::Parent;

fn check_arn(arn: &str) -> ApiResult<()> {
    if parse_arn(arn)?.resource != ResourceType::MapRun {
        return Err(ApiError::invalid_arn(arn));
    }
    Ok(())
}

/// The request's `mapRunArn` and the map run's stored DescribeMapRun JSON.
fn stored<'a>(svc: &Service, req: &Req<'a>) -> ApiResult<(&'a str, Value)> {
    let arn = req.str("mapRunArn")?;
    check_arn(arn)?;
    let run = svc
        .store
        .map_run(arn)?
        .ok_or_else(|| ApiError::no_resource(arn))?;
    Ok((arn, run))
}

/// `value`, or AWS's ValidationException when it is outside `lo..=hi`.
fn between<T: PartialOrd + Copy + std::fmt::Display>(
    field: &str,
    value: T,
    lo: T,
    hi: T,
) -> ApiResult<T> {
    if !(lo..=hi).contains(&value) {
        return Err(ApiError::validation(
            field,
            &value.to_string(),
            &format!("Member must have value between {lo} and {hi}"),
        ));
    }
    Ok(value)
}

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let (_, mut run) = stored(svc, req)?;
    if let Some(m) = run.as_object_mut() {
        m.remove("stateMachineArn");
    }
    Ok(run)
}

pub(crate) fn update(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let (arn, mut run) = stored(svc, req)?;
    if let Some(n) = req.opt_int("maxConcurrency")? {
        run["maxConcurrency"] = json!(between("maxConcurrency", n, 0, 10_000)?);
    }
    if let Some(n) = req.opt_int("toleratedFailureCount")? {
        run["toleratedFailureCount"] = json!(n.max(0));
    }
    if let Some(p) = req.opt_f64("toleratedFailurePercentage")? {
        run["toleratedFailurePercentage"] =
            json!(between("toleratedFailurePercentage", p, 0.0, 100.0)?);
    }
    let execution = run["executionArn"].as_str().unwrap_or_default().to_string();
    svc.store.put_map_run(arn, &execution, &run)?;
    Ok(json!({}))
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    svc.execution(arn)?;
    let pages = req.pages("ListMapRuns")?;
    let (items, next) = pages.page(svc.store.map_runs(arn)?);
    let items: Vec<Value> = items
        .iter()
        .map(|r| {
            let mut m = json!({"executionArn": r["executionArn"], "mapRunArn": r["mapRunArn"],
                "stateMachineArn": r["stateMachineArn"], "startDate": r["startDate"]});
            if let Some(s) = r.get("stopDate") {
                m["stopDate"] = s.clone();
            }
            m
        })
        .collect();
    let mut out = json!({"mapRuns": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// `ListExecutions(mapRunArn)`: the map run's child workflow executions, newest first, with
/// the members AWS adds for them (`mapRunArn`, `itemCount`).
pub(super) fn list_children(svc: &Arc<Service>, req: &Req<'_>, map_run: &str) -> ApiResult {
    check_arn(map_run)?;
    if svc.store.map_run(map_run)?.is_none() {
        return Err(ApiError::no_resource(map_run));
    }
    execution_page(svc, req, Parent::MapRun(map_run), None, None)
}
