//! State machine aliases: weighted routes to versions.

use std::sync::Arc;

use asl_core::arn::MachineRef;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, check_name, parse_machine_arn};
use super::machines::machine_rec;
use super::tags::tags_of;
use crate::service::{Service, epoch, now_ms};
use crate::store::AliasRec;

fn routing_of(
    svc: &Service,
    req: &Req<'_>,
    sm: Option<&str>,
) -> ApiResult<Option<(String, Value)>> {
    let Some(routes) = req.opt_list("routingConfiguration")? else {
        return Ok(None);
    };
    if routes.is_empty() || routes.len() > 2 {
        return Err(ApiError::validation(
            "routingConfiguration",
            &Value::Array(routes.clone()).to_string(),
            "Member must have length less than or equal to 2",
        ));
    }
    let mut total = 0;
    let mut owner: Option<String> = sm.map(str::to_string);
    let mut out = Vec::new();
    for r in routes {
        let v = r
            .get("stateMachineVersionArn")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let w = r.get("weight").and_then(Value::as_i64).unwrap_or(-1);
        if !(0..=100).contains(&w) {
            return Err(ApiError::validation(
                "routingConfiguration.member.weight",
                &w.to_string(),
                "Member must have value between 0 and 100",
            ));
        }
        let MachineRef::Version(base, _) = parse_machine_arn(v)? else {
            return Err(ApiError::invalid_arn(v));
        };
        if let Some(o) = &owner
            && o != &base
        {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "Routing configuration must contain state machine version ARNs of the same state machine",
            ));
        }
        owner = Some(base);
        if svc.store.version(v)?.is_none() {
            return Err(ApiError::no_resource(v));
        }
        if out
            .iter()
            .any(|o: &Value| o["stateMachineVersionArn"] == json!(v))
        {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "Routing configuration must contain distinct state machine version ARNs",
            ));
        }
        total += w;
        out.push(json!({"stateMachineVersionArn": v, "weight": w}));
    }
    if total != 100 {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "Sum of routing configuration weights must be equal to 100",
        ));
    }
    Ok(owner.map(|o| (o, Value::Array(out))))
}

fn alias_rec(svc: &Service, arn: &str) -> ApiResult<AliasRec> {
    let MachineRef::Alias(..) = parse_machine_arn(arn)? else {
        return Err(ApiError::invalid_arn(arn));
    };
    svc.store
        .alias(arn)?
        .ok_or_else(|| ApiError::no_resource(arn))
}

pub(crate) fn create(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let name = req.str("name")?;
    check_name(name)?;
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid_name(name));
    }
    let description = req.opt_str_max("description", 256)?;
    let Some((sm, routing)) = routing_of(svc, req, None)? else {
        return Err(ApiError::validation(
            "routingConfiguration",
            "null",
            "Member must not be null",
        ));
    };
    if svc.store.state_machine(&sm)?.is_none() {
        return Err(ApiError::no_resource(&sm));
    }
    let arn = asl_core::arn::alias(&sm, name);
    if let Some(existing) = svc.store.alias(&arn)? {
        if existing.routing == routing && existing.description.as_deref() == description {
            return Ok(
                json!({"stateMachineAliasArn": arn, "creationDate": epoch(existing.created)}),
            );
        }
        return Err(ApiError::new(
            ErrorCode::ConflictException,
            format!("Alias already exists with a different configuration: '{arn}'"),
        ));
    }
    let now = now_ms();
    let a = AliasRec {
        arn: arn.clone(),
        sm_arn: sm,
        name: name.to_string(),
        description: description.map(str::to_string),
        routing,
        created: now,
        updated: now,
    };
    svc.store.put_alias(&a)?;
    let tags = tags_of(req)?;
    if !tags.is_empty() {
        svc.store.tag(&arn, &tags)?;
    }
    Ok(json!({"stateMachineAliasArn": arn, "creationDate": epoch(now)}))
}

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let a = alias_rec(svc, req.str("stateMachineAliasArn")?)?;
    let mut out = json!({"stateMachineAliasArn": a.arn, "name": a.name,
        "routingConfiguration": a.routing, "creationDate": epoch(a.created),
        "updateDate": epoch(a.updated)});
    if let Some(d) = a.description {
        out["description"] = json!(d);
    }
    Ok(out)
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let r = machine_rec(svc, arn)?;
    let pages = req.pages("ListStateMachineAliases")?;
    let (items, next) = pages.page(svc.store.aliases(&r.arn)?);
    let items: Vec<Value> = items
        .iter()
        .map(|a| json!({"stateMachineAliasArn": a.arn, "creationDate": epoch(a.created)}))
        .collect();
    let mut out = json!({"stateMachineAliases": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn update(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let mut a = alias_rec(svc, req.str("stateMachineAliasArn")?)?;
    let description = req.opt_str_max("description", 256)?;
    let routing = routing_of(svc, req, Some(&a.sm_arn))?;
    if description.is_none() && routing.is_none() {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "Either the description or the RoutingConfiguration must be specified",
        ));
    }
    if let Some(d) = description {
        a.description = Some(d.to_string());
    }
    if let Some((_, r)) = routing {
        a.routing = r;
    }
    a.updated = now_ms();
    svc.store.put_alias(&a)?;
    Ok(json!({"updateDate": epoch(a.updated)}))
}

pub(crate) fn delete(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineAliasArn")?;
    // A missing alias is `ResourceNotFound`: the one resource this operation names, and the
    // one error of its list (API reference, DeleteStateMachineAlias) that fits.
    alias_rec(svc, arn)?;
    svc.store.delete_alias(arn)?;
    Ok(json!({}))
}
