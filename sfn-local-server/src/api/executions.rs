//! Executions: start (async and sync), stop, describe, list, history; map runs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::input::{MachineRef, Req, check_name, page, parse_arn, parse_machine_arn};
use crate::service::{Service, epoch, now_ms};
use crate::store::ExecutionRec;

/// AWS's payload limit for inputs and outputs (256 KiB).
pub const MAX_PAYLOAD: usize = 262_144;

/// What a `stateMachineArn` resolves to for a new execution.
struct Target {
    sm_arn: String,
    sm_name: String,
    kind: String,
    definition_arn: String,
    revision: String,
    definition: String,
    version_arn: Option<String>,
    alias_arn: Option<String>,
}

fn resolve(svc: &Service, arn: &str) -> ApiResult<Target> {
    let r = parse_machine_arn(arn)?;
    let sm = svc
        .store
        .state_machine(r.machine_arn())?
        .ok_or_else(|| ApiError::no_state_machine(arn))?;
    let mut t = Target {
        sm_arn: sm.arn.clone(),
        sm_name: sm.name.clone(),
        kind: sm.kind.clone(),
        definition_arn: sm.arn.clone(),
        revision: sm.revision_id.clone(),
        definition: sm.definition.clone(),
        version_arn: None,
        alias_arn: None,
    };
    let version_arn = match &r {
        MachineRef::Machine(_) => None,
        MachineRef::Version(..) => Some(arn.to_string()),
        MachineRef::Alias(..) => {
            let a = svc
                .store
                .alias(arn)?
                .ok_or_else(|| ApiError::no_resource(arn))?;
            t.alias_arn = Some(arn.to_string());
            Some(pick_route(&a.routing).ok_or_else(|| ApiError::no_resource(arn))?)
        }
    };
    if let Some(v) = version_arn {
        let v = svc
            .store
            .version(&v)?
            .ok_or_else(|| ApiError::no_state_machine(&v))?;
        t.definition_arn = v.arn.clone();
        t.revision = v.revision_id.clone();
        t.definition = v.definition.clone();
        t.version_arn = Some(v.arn);
    }
    Ok(t)
}

/// Picks a version from an alias's weighted routes.
fn pick_route(routing: &Value) -> Option<String> {
    let routes = routing.as_array()?;
    let roll = (uuid::Uuid::new_v4().as_u128() % 100) as i64;
    let mut acc = 0;
    for r in routes {
        acc += r.get("weight").and_then(Value::as_i64).unwrap_or(0);
        if roll < acc {
            return r
                .get("stateMachineVersionArn")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    routes
        .last()?
        .get("stateMachineVersionArn")?
        .as_str()
        .map(str::to_string)
}

fn check_input(input: &str) -> ApiResult<()> {
    if input.len() > MAX_PAYLOAD {
        return Err(ApiError::validation(
            "input",
            &input.chars().take(100).collect::<String>(),
            &format!("Member must have length less than or equal to {MAX_PAYLOAD}"),
        ));
    }
    if let Err(e) = serde_json::from_str::<Value>(input) {
        return Err(ApiError::new(
            "InvalidExecutionInput",
            format!("Invalid State Machine Execution Input: '{e}'"),
        ));
    }
    Ok(())
}

/// Splits Step Functions Local's `arn#TestCase`.
fn split_test_case(arn: &str) -> (&str, Option<&str>) {
    match arn.split_once('#') {
        Some((a, case)) if !case.is_empty() => (a, Some(case)),
        _ => (arn, None),
    }
}

fn new_execution(svc: &Service, req: &Req<'_>) -> ApiResult<(ExecutionRec, Target)> {
    let raw = req.str("stateMachineArn")?;
    let (arn, test_case) = split_test_case(raw);
    let t = resolve(svc, arn)?;
    let name = match req.opt_str("name")? {
        Some(n) => {
            check_name(n)?;
            n.to_string()
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    let input = req.opt_str("input")?.unwrap_or("{}");
    check_input(input)?;
    if let Some(mock) = &svc.settings.mock
        && let Some(case) = test_case
        && !mock.has_test_case(&t.sm_name, case)
    {
        return Err(ApiError::new(
            "ValidationException",
            format!(
                "Test case '{case}' is not defined for state machine '{}' in the mock configuration",
                t.sm_name
            ),
        ));
    }
    let region = &svc.settings.region;
    let account = &svc.settings.account;
    let exec_arn = if t.kind == "EXPRESS" {
        format!(
            "arn:aws:states:{region}:{account}:express:{}:{name}:{}",
            t.sm_name,
            uuid::Uuid::new_v4()
        )
    } else {
        format!(
            "arn:aws:states:{region}:{account}:execution:{}:{name}",
            t.sm_name
        )
    };
    let rec = ExecutionRec {
        arn: exec_arn,
        sm_arn: t.sm_arn.clone(),
        name,
        status: "RUNNING".into(),
        kind: t.kind.clone(),
        input: input.to_string(),
        output: None,
        error: None,
        cause: None,
        start: now_ms(),
        stop: None,
        version_arn: t.version_arn.clone(),
        alias_arn: t.alias_arn.clone(),
        definition_arn: t.definition_arn.clone(),
        trace_header: req.opt_str("traceHeader")?.map(str::to_string),
        test_case: test_case.map(str::to_string),
        redrive_count: 0,
        redrive_date: None,
        map_run_arn: None,
        item_count: None,
    };
    Ok((rec, t))
}

pub(crate) fn start(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let (rec, t) = new_execution(svc, req)?;
    let machine = svc
        .machine(&t.definition_arn, &t.revision, &t.definition)
        .map_err(|e| ApiError::new("InvalidDefinition", e))?;
    if t.kind == "EXPRESS" {
        let svc2 = svc.clone();
        let r2 = rec.clone();
        tokio::spawn(async move {
            let o = svc2.run_express(&r2, machine).await;
            tracing::info!(execution = %r2.arn, status = o.status.as_str(), "express execution ended");
        });
        return Ok(json!({"executionArn": rec.arn, "startDate": epoch(rec.start)}));
    }
    if let Some(existing) = svc.store.insert_execution_unless_exists(&rec)? {
        // Idempotent while it runs with the same input; otherwise the name is taken.
        if existing.status == "RUNNING" && existing.input == rec.input {
            return Ok(json!({"executionArn": existing.arn, "startDate": epoch(existing.start)}));
        }
        return Err(ApiError::new(
            "ExecutionAlreadyExists",
            format!("Execution Already Exists: '{}'", rec.arn),
        ));
    }
    svc.launch(&rec, machine);
    tracing::info!(execution = %rec.arn, "execution started");
    Ok(json!({"executionArn": rec.arn, "startDate": epoch(rec.start)}))
}

pub(crate) async fn start_sync(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let (rec, t) = new_execution(svc, req)?;
    if t.kind != "EXPRESS" {
        return Err(ApiError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let machine = svc
        .machine(&t.definition_arn, &t.revision, &t.definition)
        .map_err(|e| ApiError::new("InvalidDefinition", e))?;
    let o = svc.run_express(&rec, machine).await;
    let mut out = Map::new();
    out.insert("executionArn".into(), json!(rec.arn));
    out.insert("stateMachineArn".into(), json!(t.sm_arn));
    out.insert("name".into(), json!(rec.name));
    out.insert(
        "startDate".into(),
        json!(o.start_date.timestamp_millis() as f64 / 1000.0),
    );
    out.insert(
        "stopDate".into(),
        json!(o.stop_date.timestamp_millis() as f64 / 1000.0),
    );
    out.insert("status".into(), json!(o.status.as_str()));
    if let Some(e) = &o.error {
        out.insert("error".into(), json!(e));
    }
    if let Some(c) = &o.cause {
        out.insert("cause".into(), json!(c));
    }
    out.insert("input".into(), json!(rec.input));
    out.insert("inputDetails".into(), json!({"included": true}));
    if let Some(output) = &o.output {
        out.insert("output".into(), json!(output));
        out.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(h) = &rec.trace_header {
        out.insert("traceHeader".into(), json!(h));
    }
    let ms = (o.stop_date - o.start_date).num_milliseconds().max(0) as u64;
    out.insert(
        "billingDetails".into(),
        json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": ms.div_ceil(100) * 100}),
    );
    Ok(Value::Object(out))
}

/// The stored row of a Standard execution, or the AWS error for the ARN.
pub(crate) fn execution_rec(svc: &Service, arn: &str) -> ApiResult<ExecutionRec> {
    let a = parse_arn(arn)?;
    match a.kind {
        "execution" if a.parts.len() == 2 => {}
        "express" => {
            return Err(ApiError::new(
                "InvalidArn",
                format!("Invalid Arn: 'Resource type not valid in this context: express' ({arn})"),
            ));
        }
        _ => return Err(ApiError::invalid_arn(arn)),
    }
    svc.store
        .execution(arn)?
        .ok_or_else(|| ApiError::no_execution(arn))
}

fn redrive_status(rec: &ExecutionRec) -> (&'static str, Option<String>) {
    match rec.status.as_str() {
        "RUNNING" | "SUCCEEDED" | "PENDING_REDRIVE" => (
            "NOT_REDRIVABLE",
            Some(format!(
                "Execution is {} and cannot be redriven",
                rec.status
            )),
        ),
        // A map run's child is redriven by its map run (when its parent is redriven).
        _ if rec.map_run_arn.is_some() => ("REDRIVABLE_BY_MAP_RUN", None),
        _ => ("REDRIVABLE", None),
    }
}

/// The execution DescribeExecution describes: a Standard execution, or any child workflow
/// execution of a map run (AWS describes an Express execution only when a map run
/// dispatched it).
fn described_rec(svc: &Service, arn: &str) -> ApiResult<ExecutionRec> {
    if parse_arn(arn)?.kind == "express"
        && let Some(rec) = svc.store.execution(arn)?
        && rec.map_run_arn.is_some()
    {
        return Ok(rec);
    }
    execution_rec(svc, arn)
}

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    let rec = described_rec(svc, arn)?;
    let included = req.opt_str("includedData")?.unwrap_or("ALL_DATA") == "ALL_DATA";
    let mut m = Map::new();
    m.insert("executionArn".into(), json!(rec.arn));
    m.insert(
        "stateMachineArn".into(),
        json!(rec.version_arn.clone().unwrap_or(rec.sm_arn.clone())),
    );
    m.insert("name".into(), json!(rec.name));
    m.insert("status".into(), json!(rec.status));
    m.insert("startDate".into(), epoch(rec.start));
    if let Some(s) = rec.stop {
        m.insert("stopDate".into(), epoch(s));
    }
    if included {
        m.insert("input".into(), json!(rec.input));
    }
    m.insert("inputDetails".into(), json!({"included": included}));
    if rec.status == "SUCCEEDED" {
        if included {
            m.insert("output".into(), json!(rec.output));
        }
        m.insert("outputDetails".into(), json!({"included": included}));
    }
    if let Some(h) = &rec.trace_header {
        m.insert("traceHeader".into(), json!(h));
    }
    if let Some(e) = &rec.error {
        m.insert("error".into(), json!(e));
    }
    if let Some(c) = &rec.cause {
        m.insert("cause".into(), json!(c));
    }
    if let Some(v) = &rec.version_arn {
        m.insert("stateMachineVersionArn".into(), json!(v));
    }
    if let Some(a) = &rec.alias_arn {
        m.insert("stateMachineAliasArn".into(), json!(a));
    }
    if let Some(r) = &rec.map_run_arn {
        m.insert("mapRunArn".into(), json!(r));
    }
    m.insert("redriveCount".into(), json!(rec.redrive_count));
    if let Some(d) = rec.redrive_date {
        m.insert("redriveDate".into(), epoch(d));
    }
    let (status, reason) = redrive_status(&rec);
    m.insert("redriveStatus".into(), json!(status));
    if let Some(r) = reason {
        m.insert("redriveStatusReason".into(), json!(r));
    }
    Ok(Value::Object(m))
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    // Exactly one of them (AWS: "You can specify either a mapRunArn or a stateMachineArn, but
    // not both").
    let arn = match (req.opt_str("stateMachineArn")?, req.opt_str("mapRunArn")?) {
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                "ValidationException",
                "1 validation error detected: stateMachineArn and mapRunArn cannot both be given",
            ));
        }
        (None, None) => {
            return Err(ApiError::new(
                "ValidationException",
                "1 validation error detected: one of stateMachineArn and mapRunArn is required",
            ));
        }
        (None, Some(map_run)) => return list_map_run_children(svc, req, map_run),
        (Some(arn), None) => arn,
    };
    let r = parse_machine_arn(arn)?;
    if svc.store.state_machine(r.machine_arn())?.is_none() {
        return Err(ApiError::no_state_machine(arn));
    }
    let status = status_filter(req)?;
    let all: Vec<ExecutionRec> = svc
        .store
        .executions(r.machine_arn(), status)?
        .into_iter()
        .filter(|e| match &r {
            MachineRef::Machine(_) => true,
            MachineRef::Version(..) => e.version_arn.as_deref() == Some(arn),
            MachineRef::Alias(..) => e.alias_arn.as_deref() == Some(arn),
        })
        .collect();
    execution_page(all, req, None)
}

/// A `ListExecutions` answer over `all` (newest first): `redriveFilter`, the page asked for,
/// and each item's members, with `mapRunArn` and `itemCount` for a map run's children.
fn execution_page(all: Vec<ExecutionRec>, req: &Req<'_>, map_run: Option<&str>) -> ApiResult {
    let redrive = req.opt_str("redriveFilter")?;
    let max = req.max_results()?;
    let start = req.page_start()?;
    let all: Vec<ExecutionRec> = all
        .into_iter()
        .filter(|e| match redrive {
            Some("REDRIVEN") => e.redrive_count > 0,
            Some("NOT_REDRIVEN") => e.redrive_count == 0,
            _ => true,
        })
        .collect();
    let (items, next) = page(all, start, max);
    let items: Vec<Value> = items
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("executionArn".into(), json!(e.arn));
            m.insert("stateMachineArn".into(), json!(e.sm_arn));
            m.insert("name".into(), json!(e.name));
            m.insert("status".into(), json!(e.status));
            m.insert("startDate".into(), epoch(e.start));
            if let Some(map_run) = map_run {
                m.insert("mapRunArn".into(), json!(map_run));
                m.insert("itemCount".into(), json!(e.item_count.unwrap_or(1)));
            }
            m.insert("redriveCount".into(), json!(e.redrive_count));
            if let Some(s) = e.stop {
                m.insert("stopDate".into(), epoch(s));
            }
            if let Some(v) = &e.version_arn {
                m.insert("stateMachineVersionArn".into(), json!(v));
            }
            if let Some(a) = &e.alias_arn {
                m.insert("stateMachineAliasArn".into(), json!(a));
            }
            if let Some(d) = e.redrive_date {
                m.insert("redriveDate".into(), epoch(d));
            }
            Value::Object(m)
        })
        .collect();
    let mut out = json!({"executions": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// `statusFilter`, checked.
fn status_filter<'a>(req: &Req<'a>) -> ApiResult<Option<&'a str>> {
    let status = req.opt_str("statusFilter")?;
    if let Some(s) = status
        && !matches!(
            s,
            "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE"
        )
    {
        return Err(ApiError::validation(
            "statusFilter",
            s,
            "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
        ));
    }
    Ok(status)
}

/// `ListExecutions(mapRunArn)`: the map run's child workflow executions, newest first, with
/// the members AWS adds for them (`mapRunArn`, `itemCount`).
fn list_map_run_children(svc: &Arc<Service>, req: &Req<'_>, map_run: &str) -> ApiResult {
    check_map_run_arn(map_run)?;
    if svc.store.map_run(map_run)?.is_none() {
        return Err(ApiError::no_resource(map_run));
    }
    let status = status_filter(req)?;
    let all = svc.store.map_run_executions(map_run, status)?;
    execution_page(all, req, Some(map_run))
}

pub(crate) async fn stop(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    let error = req.opt_str_max("error", 256)?;
    let cause = req.opt_str_max("cause", 32768)?;
    let rec = execution_rec(svc, arn)?;
    if let Some(control) = svc.running(arn) {
        control.stop(error.map(str::to_string), cause.map(str::to_string));
        // Answer once the abort is recorded, so a Describe right after sees ABORTED.
        for _ in 0..5000 {
            if svc.running(arn).is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let after = svc.store.execution(arn)?.unwrap_or(rec);
        return Ok(json!({"stopDate": epoch(after.stop.unwrap_or_else(now_ms))}));
    }
    Ok(json!({"stopDate": epoch(rec.stop.unwrap_or_else(now_ms))}))
}

fn strip_data(mut ev: Value) -> Value {
    if let Some(obj) = ev.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            if k.ends_with("EventDetails")
                && let Some(d) = v.as_object_mut()
            {
                for key in ["input", "output"] {
                    if d.remove(key).is_some() {
                        d.insert(format!("{key}Details"), json!({"truncated": false}));
                    }
                }
            }
        }
    }
    ev
}

pub(crate) fn history(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    let rec = execution_rec(svc, arn)?;
    let reverse = req.opt_bool("reverseOrder")?.unwrap_or(false);
    let include = req.opt_bool("includeExecutionData")?.unwrap_or(true);
    let max = req.max_results()?;
    let start = req.page_start()?;
    fn ordered<T>(mut events: Vec<T>, reverse: bool) -> Vec<T> {
        if reverse {
            events.reverse();
        }
        events
    }
    // A running execution's events become JSON only for the page asked for.
    let (items, next): (Vec<Value>, _) = match svc.running(&rec.arn) {
        Some(c) => {
            let (events, next) = page(ordered(c.history(), reverse), start, max);
            (events.iter().map(|e| e.to_json()).collect(), next)
        }
        None => page(ordered(svc.store.events(&rec.arn)?, reverse), start, max),
    };
    let items: Vec<Value> = if include {
        items
    } else {
        items.into_iter().map(strip_data).collect()
    };
    let mut out = json!({"events": items});
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub(crate) fn describe_for_execution(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    let rec = execution_rec(svc, arn)?;
    let r = if let Some(v) = svc.store.version(&rec.definition_arn)? {
        super::machines::version_as_machine(v)
    } else if let Some(s) = svc.store.state_machine(&rec.definition_arn)? {
        s
    } else {
        return Err(ApiError::no_state_machine(&rec.sm_arn));
    };
    Ok(
        json!({"stateMachineArn": r.arn, "name": r.name, "definition": r.definition,
        "roleArn": r.role_arn, "updateDate": epoch(r.updated.unwrap_or(r.created)),
        "loggingConfiguration": r.logging, "tracingConfiguration": r.tracing,
        "revisionId": r.revision_id, "encryptionConfiguration": r.encryption}),
    )
}

pub(crate) fn redrive(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    req.opt_str_max("clientToken", 64)?;
    let rec = execution_rec(svc, arn)?;
    let (status, reason) = redrive_status(&rec);
    if status == "NOT_REDRIVABLE" {
        return Err(ApiError::new(
            "ExecutionNotRedrivable",
            reason.unwrap_or_default(),
        ));
    }
    if svc.running(arn).is_some() {
        return Err(ApiError::new(
            "ExecutionNotRedrivable",
            format!("Execution is RUNNING and cannot be redriven: '{arn}'"),
        ));
    }
    let at = svc
        .redrive(&rec)
        .map_err(|e| ApiError::new("ExecutionNotRedrivable", e))?;
    Ok(json!({"redriveDate": epoch(at)}))
}

fn check_map_run_arn(arn: &str) -> ApiResult<()> {
    let a = parse_arn(arn)?;
    if a.kind != "mapRun" {
        return Err(ApiError::invalid_arn(arn));
    }
    Ok(())
}

pub(crate) fn describe_map_run(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("mapRunArn")?;
    check_map_run_arn(arn)?;
    let mut run = svc
        .store
        .map_run(arn)?
        .ok_or_else(|| ApiError::no_resource(arn))?;
    if let Some(m) = run.as_object_mut() {
        m.remove("stateMachineArn");
    }
    Ok(run)
}

pub(crate) fn update_map_run(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("mapRunArn")?;
    check_map_run_arn(arn)?;
    let mut run = svc
        .store
        .map_run(arn)?
        .ok_or_else(|| ApiError::no_resource(arn))?;
    if let Some(n) = req.opt_int("maxConcurrency")? {
        if !(0..=10_000).contains(&n) {
            return Err(ApiError::validation(
                "maxConcurrency",
                &n.to_string(),
                "Member must have value between 0 and 10000",
            ));
        }
        run["maxConcurrency"] = json!(n);
    }
    if let Some(n) = req.opt_int("toleratedFailureCount")? {
        run["toleratedFailureCount"] = json!(n.max(0));
    }
    if let Some(p) = req
        .0
        .get("toleratedFailurePercentage")
        .and_then(Value::as_f64)
    {
        if !(0.0..=100.0).contains(&p) {
            return Err(ApiError::validation(
                "toleratedFailurePercentage",
                &p.to_string(),
                "Member must have value between 0 and 100",
            ));
        }
        run["toleratedFailurePercentage"] = json!(p);
    }
    let execution = run["executionArn"].as_str().unwrap_or_default().to_string();
    svc.store.put_map_run(arn, &execution, &run)?;
    Ok(json!({}))
}

pub(crate) fn list_map_runs(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    execution_rec(svc, arn)?;
    let max = req.max_results()?;
    let start = req.page_start()?;
    let (items, next) = page(svc.store.map_runs(arn)?, start, max);
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
