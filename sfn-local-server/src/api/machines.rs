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
use crate::store::{
    ExecutionQuery, Parent, StateMachineRec, VersionRec, api_revision, initial_revision,
};

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

/// A logging level other than `OFF` sends logs to exactly one CloudWatch Logs log group
/// (`LoggingConfiguration.destinations`: "An array of objects that describes where your
/// execution history events will be logged. Limited to size 1."), or
/// `InvalidLoggingConfiguration`; the message is ours, as AWS does not document it.
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
    let destinations = l
        .get("destinations")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if destinations > 1 || (level != "OFF" && destinations == 0) {
        return Err(ApiError::new(
            ErrorCode::InvalidLoggingConfiguration,
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
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

/// Publishes the state machine's current revision, or answers the version that already has
/// it; the store decides in one transaction, so two requests at once publish one version.
fn publish(
    svc: &Service,
    sm: &StateMachineRec,
    description: Option<&str>,
) -> ApiResult<VersionRec> {
    let made = svc
        .store
        .publish_current(&sm.arn, |m| VersionRec::next_of(m, now_ms(), description))?;
    made.map(|(v, _)| v)
        .ok_or_else(|| ApiError::no_state_machine(&sm.arn))
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
    super::express::check(kind, definition)?;
    let logging = logging_of(req)?.unwrap_or_else(default_logging);
    let tracing = tracing_of(req)?.unwrap_or_else(default_tracing);
    let encryption = encryption_of(req)?.unwrap_or_else(default_encryption);
    let tags = tags_of(req)?;
    let arn = req.scope().state_machine(name);
    let rec = StateMachineRec {
        arn: arn.clone(),
        name: name.to_string(),
        kind,
        definition: definition.to_string(),
        role_arn: role.to_string(),
        created: now_ms(),
        updated: None,
        revision_id: initial_revision(),
        description: None,
        logging,
        tracing,
        encryption,
        next_version: 1,
    };
    // The store creates it unless it exists, in one transaction: of two requests at once,
    // one creates and the other sees what it created.
    let machine = match svc.store.create_state_machine(&rec, &tags)? {
        None => rec,
        Some(existing) => {
            // Idempotent for the same configuration; a conflict otherwise.
            let same = existing.definition == rec.definition
                && existing.role_arn == rec.role_arn
                && existing.kind == rec.kind
                && existing.logging == rec.logging
                && existing.tracing == rec.tracing;
            if !same {
                return Err(ApiError::new(
                    ErrorCode::StateMachineAlreadyExists,
                    format!("State Machine Already Exists: '{arn}'"),
                ));
            }
            existing
        }
    };
    crate::logs::execution_logs::prepare_group(&svc.store, &machine.logging, now_ms())?;
    let mut out = json!({"stateMachineArn": arn, "creationDate": epoch(machine.created)});
    if publish_now {
        let v = publish(svc, &machine, description)?;
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
    if let Some(rev) = api_revision(&r.revision_id) {
        m.insert("revisionId".into(), json!(rev));
    }
    if let Some(d) = &r.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("encryptionConfiguration".into(), r.encryption.clone());
    if let Some(refs) = super::variable_references::of(&r.definition) {
        m.insert("variableReferences".into(), refs);
    }
    Value::Object(m)
}

/// DescribeStateMachineForExecution's answer for the state machine (or version) an execution
/// runs: `revisionId` only once the state machine has one ("The first revision ID when you
/// create the state machine is null").
pub(crate) fn for_execution_json(r: &StateMachineRec) -> Value {
    let mut m = Map::new();
    m.insert("stateMachineArn".into(), json!(r.arn));
    m.insert("name".into(), json!(r.name));
    m.insert("definition".into(), json!(r.definition));
    m.insert("roleArn".into(), json!(r.role_arn));
    m.insert("updateDate".into(), epoch(r.updated.unwrap_or(r.created)));
    m.insert("loggingConfiguration".into(), r.logging.clone());
    m.insert("tracingConfiguration".into(), r.tracing.clone());
    if let Some(rev) = api_revision(&r.revision_id) {
        m.insert("revisionId".into(), json!(rev));
    }
    m.insert("encryptionConfiguration".into(), r.encryption.clone());
    if let Some(refs) = super::variable_references::of(&r.definition) {
        m.insert("variableReferences".into(), refs);
    }
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
        super::express::check(r.kind, d)?;
    }
    let before = r.clone();
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
    // Every change of definition or configuration is a new revision; an update that changes
    // nothing keeps the revision it had.
    if before != r {
        r.revision_id = uuid::Uuid::new_v4().to_string();
    }
    let now = now_ms();
    r.updated = Some(now);
    svc.store.put_state_machine(&r)?;
    if before.logging != r.logging {
        crate::logs::execution_logs::prepare_group(&svc.store, &r.logging, now)?;
    }
    let mut out = json!({"updateDate": epoch(now)});
    if let Some(rev) = api_revision(&r.revision_id) {
        out["revisionId"] = json!(rev);
    }
    if publish_now {
        let v = publish(svc, &r, description)?;
        out["stateMachineVersionArn"] = json!(v.arn);
    }
    Ok(out)
}

/// How long DeleteStateMachine waits for its running executions to stop.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// DeleteStateMachine: "A state machine is deleted only when all its executions are completed.
/// On the next state transition, the state machine's executions are terminated", with "all
/// versions and aliases associated with a state machine" (API reference). Here the running
/// Standard executions are stopped at once and awaited, then the executions, their histories,
/// the versions, aliases and tags go with the state machine, so a state machine created again
/// with the same name starts with none. (AWS answers while the machine is `DELETING`; here the
/// deletion is over when the call returns.) Running EXPRESS executions are left to end, as
/// AWS documents for them.
pub(crate) async fn delete(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let a = match parse_machine_arn(arn)? {
        // "If you provide a qualified state machine ARN that refers to a Distributed Map
        // state, the request fails with ValidationException" (the message is ours).
        MachineRef::Machine(a) if asl_core::arn::state_machine_name(&a).contains('/') => {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "Unsupported ARN: a Distributed Map state's ARN cannot be deleted: '{arn}'"
                ),
            ));
        }
        MachineRef::Machine(a) => a,
        _ => return Err(ApiError::invalid_arn(arn)),
    };
    // Deleting one that does not exist succeeds, as on AWS.
    let Some(sm) = svc.store.state_machine(&a)? else {
        return Ok(json!({}));
    };
    let running = svc.store.execution_page(&ExecutionQuery {
        status: Some(asl_interpreter::Status::Running),
        ..ExecutionQuery::all(Parent::Machine(&sm.arn))
    })?;
    for e in &running {
        if let Some(control) = svc.control(&e.arn) {
            control.stop(
                Some("States.Runtime".into()),
                Some(format!("State machine {} has been deleted.", sm.name)),
            );
        }
    }
    for e in &running {
        let _ = tokio::time::timeout(STOP_WAIT, svc.execution_end(&e.arn)).await;
    }
    svc.writer.flush_async().await;
    svc.store.delete_executions_of(&sm.arn)?;
    svc.store.delete_state_machine(&sm.arn)?;
    Ok(json!({}))
}

pub(crate) fn publish_version(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("stateMachineArn")?;
    let r = machine_rec(svc, arn)?;
    // `INITIAL` names the revision of a state machine never updated (which has no id).
    let current = api_revision(&r.revision_id);
    if let Some(rev) = req.opt_str("revisionId")?
        && Some(rev) != current
        && !(rev == "INITIAL" && current.is_none())
    {
        return Err(ApiError::new(
            ErrorCode::ConflictException,
            format!(
                "Failed to publish the State Machine version for revision {rev}. The current State Machine revision is {}.",
                current.unwrap_or("INITIAL")
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
    let express = req.opt_str("type")? == Some("EXPRESS");
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
    let mut diags: Vec<Value> = asl_validate::validate(definition)
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
    // With `type` EXPRESS, what CreateStateMachine refuses for an EXPRESS machine.
    if express {
        diags.extend(
            super::express::unsupported(definition)
                .into_iter()
                .map(|(at, why)| {
                    json!({"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": why,
                   "location": at})
                }),
        );
    }
    let failed = diags.iter().any(|d| d["severity"] == "ERROR");
    let truncated = diags.len() > max;
    let diags: Vec<Value> = diags.into_iter().take(max).collect();
    Ok(
        json!({"result": if failed { "FAIL" } else { "OK" }, "diagnostics": diags,
              "truncated": truncated}),
    )
}
