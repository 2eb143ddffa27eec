//! Executions: start (async and sync), stop, describe, list, history, redrive.

use std::sync::Arc;

use asl_core::arn::MachineRef;
use asl_interpreter::Status;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::{Req, parse_machine_arn};
use crate::kinds::ApiEnum;
use crate::service::{Redrive, Service, StartExecution, StopExecution, SyncRun, epoch};
use crate::store::ExecutionRec;

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

pub(crate) fn describe(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let rec = svc.describe_execution(req.str("executionArn")?)?;
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
    let all: Vec<ExecutionRec> = status_filter(req)?
        .select(|status| svc.store.executions(r.machine_arn(), status))?
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
pub(super) fn execution_page(
    all: Vec<ExecutionRec>,
    req: &Req<'_>,
    map_run: Option<&str>,
) -> ApiResult {
    let redrive = req.opt_str("redriveFilter")?;
    let pages = req.pages("ListExecutions")?;
    let all: Vec<ExecutionRec> = all
        .into_iter()
        .filter(|e| match redrive {
            Some("REDRIVEN") => e.redrive_count > 0,
            Some("NOT_REDRIVEN") => e.redrive_count == 0,
            _ => true,
        })
        .collect();
    let (items, next) = pages.page(all);
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
pub(super) fn status_filter(req: &Req<'_>) -> ApiResult<StatusFilter> {
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
pub(super) enum StatusFilter {
    /// No filter.
    Any,
    /// Those in one status.
    Only(Status),
    /// A status of the API that no execution here is ever in (`PENDING_REDRIVE`).
    NeverHeld,
}

impl StatusFilter {
    /// The executions `read` finds for the status (`None`: any), or none at all.
    pub(super) fn select(
        self,
        read: impl FnOnce(Option<Status>) -> crate::store::Result<Vec<ExecutionRec>>,
    ) -> ApiResult<Vec<ExecutionRec>> {
        Ok(match self {
            StatusFilter::Any => read(None)?,
            StatusFilter::Only(s) => read(Some(s))?,
            StatusFilter::NeverHeld => Vec::new(),
        })
    }
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
    let rec = svc.execution(arn)?;
    let reverse = req.opt_bool("reverseOrder")?.unwrap_or(false);
    let include = req.opt_bool("includeExecutionData")?.unwrap_or(true);
    let pages = req.pages("GetExecutionHistory")?;
    fn ordered<T>(mut events: Vec<T>, reverse: bool) -> Vec<T> {
        if reverse {
            events.reverse();
        }
        events
    }
    // A running execution's events become JSON only for the page asked for.
    let (items, next): (Vec<Value>, _) = match svc.control(&rec.arn) {
        Some(c) => {
            let (events, next) = pages.page(ordered(c.history(), reverse));
            (events.iter().map(|e| e.to_json()).collect(), next)
        }
        None => pages.page(ordered(svc.store.events(&rec.arn)?, reverse)),
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

pub(crate) fn redrive(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let arn = req.str("executionArn")?;
    req.opt_str_max("clientToken", 64)?;
    let at = svc.redrive_execution(arn)?;
    Ok(json!({"redriveDate": epoch(at)}))
}
