//! Tags: TagResource, UntagResource, ListTagsForResource, and the `tags` member of the
//! create operations.

use std::sync::Arc;

use asl_core::arn::{MachineRef, ResourceType};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, parse_arn, parse_machine_arn};
use crate::service::Service;

/// The most tags one resource may carry.
const MAX_TAGS: usize = 50;

/// The `tags` member of a create request, checked.
pub(crate) fn tags_of(req: &Req<'_>) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for t in req.opt_list("tags")?.into_iter().flatten() {
        let k = t.get("key").and_then(Value::as_str).unwrap_or_default();
        let v = t.get("value").and_then(Value::as_str).unwrap_or_default();
        if k.is_empty() || k.chars().count() > 128 {
            return Err(ApiError::validation(
                "tags.member.key",
                k,
                "Member must have length between 1 and 128",
            ));
        }
        if v.chars().count() > 256 {
            return Err(ApiError::validation(
                "tags.member.value",
                v,
                "Member must have length less than or equal to 256",
            ));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// The ARN kinds that can carry tags.
fn taggable(svc: &Service, arn: &str) -> ApiResult<bool> {
    let a = parse_arn(arn).map_err(|_| ApiError::no_resource(arn))?;
    Ok(match a.resource {
        ResourceType::StateMachine => match parse_machine_arn(arn)? {
            MachineRef::Machine(m) => svc.store.state_machine(&m)?.is_some(),
            MachineRef::Version(..) => svc.store.version(arn)?.is_some(),
            MachineRef::Alias(..) => svc.store.alias(arn)?.is_some(),
        },
        ResourceType::Activity => svc.store.activity(arn)?.is_some(),
        _ => false,
    })
}

/// The request's `resourceArn`: a resource that exists and can carry tags.
fn resource<'a>(svc: &Service, req: &Req<'a>) -> ApiResult<&'a str> {
    let arn = req.str("resourceArn")?;
    if !taggable(svc, arn)? {
        return Err(ApiError::no_resource(arn));
    }
    Ok(arn)
}

pub(crate) fn tag(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = resource(svc, req)?;
    let tags = tags_of(req)?;
    let existing = svc.store.tags(arn)?;
    let mut keys: Vec<&str> = existing.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(tags.iter().map(|(k, _)| k.as_str()));
    keys.sort_unstable();
    keys.dedup();
    if keys.len() > MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::TooManyTags,
            format!(
                "Too many tags: resource '{arn}' would have {} tags (at most 50)",
                keys.len()
            ),
        ));
    }
    svc.store.tag(arn, &tags)?;
    Ok(json!({}))
}

pub(crate) fn untag(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = resource(svc, req)?;
    let keys: Vec<String> = req
        .opt_list("tagKeys")?
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    svc.store.untag(arn, &keys)?;
    Ok(json!({}))
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = resource(svc, req)?;
    let tags: Vec<Value> = svc
        .store
        .tags(arn)?
        .into_iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    Ok(json!({"tags": tags}))
}
