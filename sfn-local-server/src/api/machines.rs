//! State machines, their versions, and definition validation.

use std::sync::Arc;

use asl_core::arn::{MachineRef, ResourceType};
use asl_interpreter::ExecutionType;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, check_name, parse_machine_arn};
use super::tags::tags_of;
use crate::kinds::ApiEnum;
use crate::service::{Service, epoch, now_ms};
use crate::store::{StateMachineRec, VersionRec};

fn default_logging() -> Value {
    json!({"level": "OFF", "includeExecutionData": false})
}

fn default_tracing() -> Value {
    json!({"enabled": false})
}

fn default_encryption() -> Value {
    json!({"type": "AWS_OWNED_KEY"})
}

/// Checks a definition the way CreateStateMachine does: `InvalidDefinition` with AWS's
/// message form (`CODE: message at /location`) for every error.
///
/// Its length (1 to 1,048,576 characters) was checked with the service model's constraints
/// before the operation ran (`api/model.rs`).
pub(crate) fn check_definition(definition: &str) -> ApiResult<()> {
    let errors: Vec<String> = asl_validate::validate(definition)
        .into_iter()
        .filter(|d| d.code.is_aws() && d.severity() == asl_validate::Severity::Error)
        .map(|d| {
            let at = if d.pointer.is_empty() {
                "null"
            } else {
                d.location()
            };
            format!("{}: {} at {}", d.code.as_str(), d.message, at)
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            format!("Invalid State Machine Definition: '{}'", errors.join(", ")),
        ));
    }
    if let Err(e) = asl_core::StateMachine::from_str(definition) {
        return Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            format!("Invalid State Machine Definition: '{e}'"),
        ));
    }
    Ok(())
}

/// A `roleArn` that is not an IAM role's ARN: `InvalidArn`, `Invalid Role Arn: '...'`, as AWS
/// answers CreateStateMachine. Its length (1 to 256) was checked with the model's constraints.
fn check_role(role: &str) -> ApiResult<()> {
    if asl_core::arn::is_iam_role(role) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidArn,
            format!("Invalid Role Arn: '{role}'"),
        ))
    }
}

fn logging_of(req: &Req<'_>) -> ApiResult<Option<Value>> {
    let Some(l) = req.opt_obj("loggingConfiguration")? else {
        return Ok(None);
    };
    let level = l.get("level").and_then(Value::as_str).unwrap_or("OFF");
    if !matches!(level, "ALL" | "ERROR" | "FATAL" | "OFF") {
        return Err(ApiError::validation(
            "loggingConfiguration.level",
            level,
            "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]",
        ));
    }
    let mut out = Map::new();
    out.insert("level".into(), json!(level));
    out.insert(
        "includeExecutionData".into(),
        json!(
            l.get("includeExecutionData")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ),
    );
    if let Some(d) = l.get("destinations") {
        out.insert("destinations".into(), d.clone());
    }
    Ok(Some(Value::Object(out)))
}

fn tracing_of(req: &Req<'_>) -> ApiResult<Option<Value>> {
    Ok(req
        .opt_obj("tracingConfiguration")?
        .map(|t| json!({"enabled": t.get("enabled").and_then(Value::as_bool).unwrap_or(false)})))
}

fn encryption_of(req: &Req<'_>) -> ApiResult<Option<Value>> {
    Ok(req
        .opt_obj("encryptionConfiguration")?
        .map(|e| Value::Object(e.clone())))
}

/// The state machine behind a plain state machine ARN.
pub(crate) fn machine_rec(svc: &Service, arn: &str) -> ApiResult<StateMachineRec> {
    match parse_machine_arn(arn)? {
        MachineRef::Machine(a) => svc
            .store
            .state_machine(&a)?
            .ok_or_else(|| ApiError::no_state_machine(arn)),
        _ => Err(ApiError::invalid_arn(arn)),
    }
}

fn publish(
    svc: &Service,
    sm: &StateMachineRec,
    description: Option<&str>,
) -> ApiResult<VersionRec> {
    // Publishing an unchanged revision returns the version that already has it.
    if let Some(v) = svc.store.versions(&sm.arn)?.into_iter().next()
        && v.revision_id == sm.revision_id
    {
        return Ok(v);
    }
    let v = VersionRec {
        arn: asl_core::arn::version(&sm.arn, sm.next_version),
        sm_arn: sm.arn.clone(),
        version: sm.next_version,
        name: sm.name.clone(),
        kind: sm.kind,
        definition: sm.definition.clone(),
        role_arn: sm.role_arn.clone(),
        created: now_ms(),
        revision_id: sm.revision_id.clone(),
        description: description.map(str::to_string),
        logging: sm.logging.clone(),
        tracing: sm.tracing.clone(),
        encryption: sm.encryption.clone(),
    };
    svc.store.put_version(&v)?;
    Ok(v)
}

pub(crate) fn create(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let name = req.str("name")?;
    check_name(name)?;
    let definition = req.str("definition")?;
    let role = req.str("roleArn")?;
    check_role(role)?;
    let type_name = req.opt_str("type")?.unwrap_or("STANDARD");
    let Some(kind) = ExecutionType::parse(type_name) else {
        return Err(ApiError::validation(
            "type",
            type_name,
            "Member must satisfy enum value set: [STANDARD, EXPRESS]",
        ));
    };
    let description = req.opt_str_max("versionDescription", 256)?;
    let publish_now = req.opt_bool("publish")?.unwrap_or(false);
    if description.is_some() && !publish_now {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "Version description can only be set when publish is true",
        ));
    }
    check_definition(definition)?;
    let logging = logging_of(req)?.unwrap_or_else(default_logging);
    let tracing = tracing_of(req)?.unwrap_or_else(default_tracing);
    let encryption = encryption_of(req)?.unwrap_or_else(default_encryption);
    let tags = tags_of(req)?;
    let arn = req.scope().state_machine(name);
    if let Some(existing) = svc.store.state_machine(&arn)? {
        // Idempotent for the same configuration; a conflict otherwise.
        let same = existing.definition == definition
            && existing.role_arn == role
            && existing.kind == kind
            && existing.logging == logging
            && existing.tracing == tracing;
        if !same {
            return Err(ApiError::new(
                ErrorCode::StateMachineAlreadyExists,
                format!("State Machine Already Exists: '{arn}'"),
            ));
        }
        let mut out = json!({"stateMachineArn": arn, "creationDate": epoch(existing.created)});
        if publish_now {
            let v = publish(svc, &existing, description)?;
            out["stateMachineVersionArn"] = json!(v.arn);
        }
        return Ok(out);
    }
    let rec = StateMachineRec {
        arn: arn.clone(),
        name: name.to_string(),
        kind,
        definition: definition.to_string(),
        role_arn: role.to_string(),
        created: now_ms(),
        updated: None,
        revision_id: uuid::Uuid::new_v4().to_string(),
        description: None,
        logging,
        tracing,
        encryption,
        next_version: 1,
    };
    svc.store.put_state_machine(&rec)?;
    if !tags.is_empty() {
        svc.store.tag(&arn, &tags)?;
    }
    let mut out = json!({"stateMachineArn": arn, "creationDate": epoch(rec.created)});
    if publish_now {
        let v = publish(svc, &rec, description)?;
        out["stateMachineVersionArn"] = json!(v.arn);
    }
    Ok(out)
}

/// A version seen as a state machine record (the fields DescribeStateMachine shows).
pub(crate) fn version_as_machine(v: VersionRec) -> StateMachineRec {
    StateMachineRec {
        arn: v.arn,
        name: v.name,
        kind: v.kind,
        definition: v.definition,
        role_arn: v.role_arn,
        created: v.created,
        updated: None,
        revision_id: v.revision_id,
        description: v.description,
        logging: v.logging,
        tracing: v.tracing,
        encryption: v.encryption,
        next_version: 0,
    }
}

fn describe_json(r: &StateMachineRec) -> Value {
    let mut m = Map::new();
    m.insert("stateMachineArn".into(), json!(r.arn));
    m.insert("name".into(), json!(r.name));
    m.insert("status".into(), json!("ACTIVE"));
    m.insert("definition".into(), json!(r.definition));
    m.insert("roleArn".into(), json!(r.role_arn));
    m.insert("type".into(), json!(r.kind.api_name()));
    m.insert("creationDate".into(), epoch(r.created));
    m.insert("loggingConfiguration".into(), r.logging.clone());
    m.insert("tracingConfiguration".into(), r.tracing.clone());
    m.insert("revisionId".into(), json!(r.revision_id));
    if let Some(d) = &r.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("encryptionConfiguration".into(), r.encryption.clone());
    Value::Object(m)
}

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    match parse_machine_arn(arn)? {
        MachineRef::Machine(a) => {
            let r = svc
                .store
                .state_machine(&a)?
                .ok_or_else(|| ApiError::no_state_machine(arn))?;
            Ok(describe_json(&r))
        }
        MachineRef::Version(..) => {
            let v = svc
                .store
                .version(arn)?
                .ok_or_else(|| ApiError::no_state_machine(arn))?;
            Ok(describe_json(&version_as_machine(v)))
        }
        MachineRef::Alias(..) => Err(ApiError::invalid_arn(arn)),
    }
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let pages = req.pages("ListStateMachines")?;
    let all = svc
        .store
        .state_machines(&req.scope().prefix(ResourceType::StateMachine))?;
    let (items, next) = pages.page(all);
    let items: Vec<Value> = items
        .iter()
        .map(|r| {
            json!({"stateMachineArn": r.arn, "name": r.name, "type": r.kind.api_name(),
                   "creationDate": epoch(r.created)})
        })
        .collect();
    let mut out = json!({"stateMachines": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn update(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let mut r = machine_rec(svc, arn)?;
    let definition = req.opt_str("definition")?;
    let role = req.opt_str("roleArn")?;
    if let Some(role) = role {
        check_role(role)?;
    }
    let logging = logging_of(req)?;
    let tracing = tracing_of(req)?;
    let encryption = encryption_of(req)?;
    let publish_now = req.opt_bool("publish")?.unwrap_or(false);
    let description = req.opt_str_max("versionDescription", 256)?;
    if definition.is_none()
        && role.is_none()
        && logging.is_none()
        && tracing.is_none()
        && encryption.is_none()
    {
        return Err(ApiError::new(
            ErrorCode::MissingRequiredParameter,
            "Either the definition, the roleArn, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified",
        ));
    }
    if description.is_some() && !publish_now {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "Version description can only be set when publish is true",
        ));
    }
    if let Some(d) = definition {
        check_definition(d)?;
    }
    if let Some(role) = role {
        check_role(role)?;
    }
    let before = (r.definition.clone(), r.role_arn.clone());
    if let Some(d) = definition {
        r.definition = d.to_string();
    }
    if let Some(role) = role {
        r.role_arn = role.to_string();
    }
    if let Some(l) = logging {
        r.logging = l;
    }
    if let Some(t) = tracing {
        r.tracing = t;
    }
    if let Some(e) = encryption {
        r.encryption = e;
    }
    if before != (r.definition.clone(), r.role_arn.clone()) {
        r.revision_id = uuid::Uuid::new_v4().to_string();
    }
    let now = now_ms();
    r.updated = Some(now);
    svc.store.put_state_machine(&r)?;
    let mut out = json!({"updateDate": epoch(now), "revisionId": r.revision_id});
    if publish_now {
        let v = publish(svc, &r, description)?;
        out["stateMachineVersionArn"] = json!(v.arn);
    }
    Ok(out)
}

pub(crate) fn delete(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    match parse_machine_arn(arn)? {
        // Deleting one that does not exist succeeds, as on AWS.
        MachineRef::Machine(a) => svc.store.delete_state_machine(&a)?,
        _ => return Err(ApiError::invalid_arn(arn)),
    }
    Ok(json!({}))
}

pub(crate) fn publish_version(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let r = machine_rec(svc, arn)?;
    if let Some(rev) = req.opt_str("revisionId")?
        && rev != r.revision_id
    {
        return Err(ApiError::new(
            ErrorCode::ConflictException,
            format!(
                "Failed to publish the State Machine version for revision {rev}. The current State Machine revision is {}.",
                r.revision_id
            ),
        ));
    }
    let description = req.opt_str_max("description", 256)?;
    let v = publish(svc, &r, description)?;
    Ok(json!({"creationDate": epoch(v.created), "stateMachineVersionArn": v.arn}))
}

pub(crate) fn list_versions(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let r = machine_rec(svc, arn)?;
    let pages = req.pages("ListStateMachineVersions")?;
    let (items, next) = pages.page(svc.store.versions(&r.arn)?);
    let items: Vec<Value> = items
        .iter()
        .map(|v| json!({"stateMachineVersionArn": v.arn, "creationDate": epoch(v.created)}))
        .collect();
    let mut out = json!({"stateMachineVersions": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn delete_version(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineVersionArn")?;
    let MachineRef::Version(sm, _) = parse_machine_arn(arn)? else {
        return Err(ApiError::invalid_arn(arn));
    };
    for a in svc.store.aliases(&sm)? {
        let routes = a.routing.as_array().cloned().unwrap_or_default();
        if routes
            .iter()
            .any(|r| r.get("stateMachineVersionArn").and_then(Value::as_str) == Some(arn))
        {
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                    a.name
                ),
            ));
        }
    }
    svc.store.delete_version(arn)?;
    Ok(json!({}))
}

pub(crate) fn validate(_svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let definition = req.str("definition")?;
    let severity = req.opt_str("severity")?.unwrap_or("ERROR");
    let include_warnings = match severity {
        "ERROR" => false,
        "WARNING" => true,
        other => {
            return Err(ApiError::validation(
                "severity",
                other,
                "Member must satisfy enum value set: [ERROR, WARNING]",
            ));
        }
    };
    let max = match req.opt_int("maxResults")? {
        None | Some(0) => 100,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::validation(
                "maxResults",
                &n.to_string(),
                "Member must have value less than or equal to 100",
            ));
        }
    };
    let diags: Vec<Value> = asl_validate::validate(definition)
        .into_iter()
        .filter(|d| d.code.is_aws())
        .filter(|d| include_warnings || d.severity() == asl_validate::Severity::Error)
        .map(|d| {
            let mut m = json!({"severity": d.severity().as_str(), "code": d.code.as_str(),
                               "message": d.message});
            if !d.pointer.is_empty() {
                m["location"] = json!(d.location());
            }
            m
        })
        .collect();
    let failed = diags.iter().any(|d| d["severity"] == "ERROR");
    let truncated = diags.len() > max;
    let diags: Vec<Value> = diags.into_iter().take(max).collect();
    Ok(
        json!({"result": if failed { "FAIL" } else { "OK" }, "diagnostics": diags,
              "truncated": truncated}),
    )
}
