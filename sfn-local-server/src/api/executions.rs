//! Executions: start (async and sync), stop, describe, list, history, redrive.

use std::sync::Arc;

use asl_core::arn::MachineRef;
use asl_interpreter::Status;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, parse_machine_arn};
use crate::kinds::ApiEnum;
use crate::service::{Redrive, Service, StartExecution, StopExecution, SyncRun, epoch};
use crate::store::{EventQuery, ExecutionQuery, Parent};

/// A `StartExecution` or `StartSyncExecution` body as its typed request.
fn start_request(req: &Req<'_>) -> ApiResult<StartExecution> {
    Ok(StartExecution {
        state_machine_arn: req.str("stateMachineArn")?.to_string(),
        name: req.opt_str("name")?.map(str::to_string),
        input: req.opt_str("input")?.map(str::to_string),
        trace_header: req.opt_str("traceHeader")?.map(str::to_string),
    })
}

pub(crate) fn start(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let started = svc.start_execution(&start_request(req)?)?;
    Ok(json!({"executionArn": started.execution_arn, "startDate": epoch(started.start_date)}))
}

pub(crate) async fn start_sync(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let SyncRun {
        execution: rec,
        outcome: o,
    } = svc.start_sync_execution(&start_request(req)?).await?;
    let mut out = Map::new();
    out.insert("executionArn".into(), json!(rec.arn));
    out.insert("stateMachineArn".into(), json!(rec.sm_arn));
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

pub(crate) async fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let rec = svc.describe_execution(req.str("executionArn")?).await?;
    let included = req.opt_str("includedData")?.unwrap_or("ALL_DATA") == "ALL_DATA";
    let mut m = Map::new();
    m.insert("executionArn".into(), json!(rec.arn));
    m.insert(
        "stateMachineArn".into(),
        json!(rec.version_arn.clone().unwrap_or(rec.sm_arn.clone())),
    );
    m.insert("name".into(), json!(rec.name));
    m.insert("status".into(), json!(rec.status.as_str()));
    m.insert("startDate".into(), epoch(rec.start));
    if let Some(s) = rec.stop {
        m.insert("stopDate".into(), epoch(s));
    }
    if included {
        m.insert("input".into(), json!(rec.input));
    }
    m.insert("inputDetails".into(), json!({"included": included}));
    if rec.status == Status::Succeeded {
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
    let redrive = Redrive::of(&rec);
    m.insert("redriveStatus".into(), json!(redrive.as_str()));
    if let Redrive::NotRedrivable(reason) = redrive {
        m.insert("redriveStatusReason".into(), json!(reason));
    }
    Ok(Value::Object(m))
}

pub(crate) fn list(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    // Exactly one of them (AWS: "You can specify either a mapRunArn or a stateMachineArn, but
    // not both").
    let arn = match (req.opt_str("stateMachineArn")?, req.opt_str("mapRunArn")?) {
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "1 validation error detected: stateMachineArn and mapRunArn cannot both be given",
            ));
        }
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "1 validation error detected: one of stateMachineArn and mapRunArn is required",
            ));
        }
        (None, Some(map_run)) => return super::map_runs::list_children(svc, req, map_run),
        (Some(arn), None) => arn,
    };
    let r = parse_machine_arn(arn)?;
    if svc.store.state_machine(r.machine_arn())?.is_none() {
        return Err(ApiError::no_state_machine(arn));
    }
    let (version_arn, alias_arn) = match &r {
        MachineRef::Machine(_) => (None, None),
        MachineRef::Version(..) => (Some(arn), None),
        MachineRef::Alias(..) => (None, Some(arn)),
    };
    execution_page(
        svc,
        req,
        Parent::Machine(r.machine_arn()),
        version_arn,
        alias_arn,
    )
}

/// A `ListExecutions` answer (newest first) for a state machine or a map run: the filters
/// (`statusFilter`, `redriveFilter`, the version or alias) and the page are one read of the
/// store (`store/pages.rs`); each item has `mapRunArn` and `itemCount` for a map run's
/// children.
pub(super) fn execution_page(
    svc: &Arc<Service>,
    req: &Req<'_>,
    parent: Parent<'_>,
    version_arn: Option<&str>,
    alias_arn: Option<&str>,
) -> ApiResult {
    let status = match status_filter(req)? {
        StatusFilter::Any => None,
        StatusFilter::Only(s) => Some(s),
        StatusFilter::NeverHeld => return Ok(json!({"executions": []})),
    };
    let redriven = match req.opt_str("redriveFilter")? {
        Some("REDRIVEN") => Some(true),
        Some("NOT_REDRIVEN") => Some(false),
        _ => None,
    };
    let pages = req.pages("ListExecutions")?;
    let rows = svc.store.execution_page(&ExecutionQuery {
        parent,
        status,
        version_arn,
        alias_arn,
        redriven,
        before: pages.cursor(),
        limit: pages.max() + 1,
    })?;
    let (items, next) = pages.keyset(rows, |e| e.seq);
    let map_run = match parent {
        Parent::MapRun(arn) => Some(arn),
        Parent::Machine(_) => None,
    };
    let items: Vec<Value> = items
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("executionArn".into(), json!(e.arn));
            m.insert("stateMachineArn".into(), json!(e.sm_arn));
            m.insert("name".into(), json!(e.name));
            m.insert("status".into(), json!(e.status.as_str()));
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

/// `statusFilter`, checked: `Err` outside the API's enum.
fn status_filter(req: &Req<'_>) -> ApiResult<StatusFilter> {
    let Some(s) = req.opt_str("statusFilter")? else {
        return Ok(StatusFilter::Any);
    };
    if let Some(status) = Status::parse(s) {
        return Ok(StatusFilter::Only(status));
    }
    if s == "PENDING_REDRIVE" {
        return Ok(StatusFilter::NeverHeld);
    }
    Err(ApiError::validation(
        "statusFilter",
        s,
        "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    ))
}

/// Which executions a `statusFilter` keeps.
enum StatusFilter {
    /// No filter.
    Any,
    /// Those in one status.
    Only(Status),
    /// A status of the API that no execution here is ever in (`PENDING_REDRIVE`).
    NeverHeld,
}

pub(crate) async fn stop(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let stop = StopExecution {
        execution_arn: req.str("executionArn")?.to_string(),
        error: req.opt_str_max("error", 256)?.map(str::to_string),
        cause: req.opt_str_max("cause", 32768)?.map(str::to_string),
    };
    let at = svc.stop_execution(&stop).await?;
    Ok(json!({"stopDate": epoch(at)}))
}

/// The ids of a page of `limit` events of a history of `len` (ids 1..=len), after the cursor
/// or, newest first, before it: `(first, last)`, empty when `first > last`.
fn history_ids(reverse: bool, cursor: Option<i64>, limit: i64, len: i64) -> (i64, i64) {
    if reverse {
        let last = cursor.map_or(len, |c| c - 1).min(len);
        (last - limit + 1, last)
    } else {
        let first = cursor.map_or(1, |c| c + 1);
        (first, first + limit - 1)
    }
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

/// Up to `limit` events of the execution `arn` (id and JSON) after the event id `cursor`, or
/// before it newest first (`reverse`). A page is a range of event ids (1, 2, ... with no gap):
/// a running execution's events become JSON only for that range, and a stored history is read
/// only for it. GetExecutionHistory's pages and the console's live events both read here.
pub(crate) fn event_rows(
    svc: &Arc<Service>,
    arn: &str,
    reverse: bool,
    cursor: Option<i64>,
    limit: usize,
) -> ApiResult<Vec<(i64, Value)>> {
    Ok(match svc.control(arn) {
        Some(c) => {
            let (first, last) = history_ids(reverse, cursor, limit as i64, c.history_len() as i64);
            let mut events: Vec<(i64, Value)> = c
                .history_ids(first.max(1) as u64..=last.max(0) as u64)
                .iter()
                .map(|e| (e.id as i64, e.to_json()))
                .collect();
            if reverse {
                events.reverse();
            }
            events
        }
        None => svc.store.event_page(&EventQuery {
            execution_arn: arn,
            reverse,
            from: cursor,
            limit,
        })?,
    })
}

pub(crate) fn history(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    let rec = svc.execution(arn)?;
    let reverse = req.opt_bool("reverseOrder")?.unwrap_or(false);
    let include = req.opt_bool("includeExecutionData")?.unwrap_or(true);
    let pages = req.pages("GetExecutionHistory")?;
    let rows = event_rows(svc, &rec.arn, reverse, pages.cursor(), pages.max() + 1)?;
    let (items, next) = pages.keyset(rows, |(id, _)| *id);
    let items: Vec<Value> = items.into_iter().map(|(_, e)| e).collect();
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
    let rec = svc.execution(req.str("executionArn")?)?;
    let r = if let Some(v) = svc.store.version(&rec.definition_arn)? {
        super::machines::version_as_machine(v)
    } else if let Some(s) = svc.store.state_machine(&rec.definition_arn)? {
        s
    } else {
        return Err(ApiError::no_state_machine(&rec.sm_arn));
    };
    Ok(super::machines::for_execution_json(&r))
}

pub(crate) async fn redrive(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    req.opt_str_max("clientToken", 64)?;
    let at = svc.redrive_execution(arn).await?;
    Ok(json!({"redriveDate": epoch(at)}))
}
