//! A distributed Map's map run.

use std::sync::Arc;

use serde_json::{Value, json};

use super::MapPlan;
use super::child_log::ChildLog;
use super::iterations::{Iterating, concurrency_limit, run_iterations};
use super::writer::{Child, MapRunIds, Writer};
use crate::engine::TaskFailure;
use crate::engine::exec::{Exec, execution_context};
use crate::engine::kernel::StateRun;
use crate::history::{EventDetails, EventType, History};
use crate::reports::MapRunReport;

/// A Distributed Map: a map run (`MapRunStarted` ... `MapRunSucceeded`/`MapRunFailed`) whose
/// iterations are child workflows with histories of their own, not the parent's. Reported to
/// the interpreter's map-run listener as it starts and ends, and each child to the map-run
/// child listener as it starts and ends (see [`ChildLog`]). A `ResultWriter` writes the
/// results before the run ends, whether it succeeded or not; the state's result is then what
/// the writer gives.
pub(super) async fn map_run(
    run: &StateRun<'_>,
    plan: &MapPlan<'_>,
    writer: Option<&Writer>,
) -> Result<Value, (TaskFailure, u64)> {
    let (m, items) = (plan.m, plan.items);
    let exec = run.exec;
    let label = m
        .label
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let run_id = uuid::Uuid::new_v4().to_string();
    let config = &exec.config;
    let (scope, machine) = (config.scope(), config.state_machine_name.as_str());
    let map_run_arn = scope.map_run(machine, &label, &run_id);
    let run_started = exec.emit(
        run.thread,
        EventType::MapRunStarted,
        Some(&json!({"mapRunArn": map_run_arn})),
    );
    let mut report = MapRunReport {
        map_run_arn: map_run_arn.clone(),
        execution_arn: exec.execution_arn.clone(),
        state_machine_arn: format!("{}/{label}", exec.state_machine_arn),
        status: "RUNNING",
        start: exec.now(),
        stop: None,
        total: items.len(),
        succeeded: 0,
        failed: 0,
        max_concurrency: plan.max_concurrency,
        tolerated_failure_percentage: 0.0,
        tolerated_failure_count: plan.tolerated.map_or(0, |t| t.max(0.0) as u64),
    };
    exec.report_map_run(&report);
    let mut child_config = config.clone();
    // The children's state machine is `<machine>/<label>`.
    let children_machine = format!("{machine}/{label}");
    child_config.arn = Some(scope.execution(&children_machine, &run_id));
    let child = Arc::new(Exec::new(
        exec.inner.clone(),
        exec.machine.clone(),
        child_config,
        History::new(),
        None,
    ));
    let express = m.config.execution_type.as_deref() == Some("EXPRESS");
    let children_arn = report.state_machine_arn.clone();
    let ids = MapRunIds {
        map_run_arn: &map_run_arn,
        map_run_id: &run_id,
        state_machine_arn: &children_arn,
        express,
        // A child's ARN is this prefix, `:` and its name.
        execution_arn_prefix: if express {
            let prefix = scope.prefix(asl_core::arn::ResourceType::Express);
            format!("{prefix}{children_machine}:{run_id}")
        } else {
            scope.prefix(asl_core::arn::ResourceType::Execution) + &children_machine
        },
    };
    let mut children: Option<Vec<Option<Child>>> = writer.map(|_| vec![None; items.len()]);
    // Each child workflow execution is told to the child listener, if there is one.
    let mut log = exec
        .inner
        .map_run_children
        .clone()
        .map(|listener| ChildLog::new(listener, &ids, &config.role_arn));
    let child_context = |index: usize, input: &Value| {
        let name = ids.child_name(index);
        let mut extra = serde_json::Map::new();
        extra.insert(
            "Execution".into(),
            execution_context(
                &ids.child_arn(&name),
                input,
                child.now(),
                &name,
                &config.role_arn,
            ),
        );
        extra.insert(
            "StateMachine".into(),
            json!({
                "Id": children_arn,
                "Name": format!("{}/{label}", config.state_machine_name),
            }),
        );
        extra
    };
    let how = Iterating {
        exec: &child,
        limit: concurrency_limit(true, plan.max_concurrency),
        started: 0,
        children: children.as_mut(),
        log: log.as_mut(),
        child_context: Some(&child_context),
    };
    let outcome = run_iterations(run, plan, how).await;
    if let Some(log) = log.as_mut() {
        // Still running when the run ended (it failed): aborted now.
        log.abort_open(&child.history, exec.now());
    }
    let (outcome, failures) = match outcome {
        Ok((results, _, failures)) => (Ok(results), failures),
        Err((f, _, failures)) => (Err(f), failures),
    };
    // A run whose children all ended as tolerated can still fail when its results cannot be
    // written; its counts stay those of the children.
    let run_failed = outcome.is_err();
    let outcome = match (writer, children) {
        (Some(w), Some(children)) => {
            let now = exec.now();
            let children: Vec<Child> = children
                .into_iter()
                .enumerate()
                .map(|(i, c)| match c {
                    // Still running when the run ended: aborted now.
                    Some(c) => Child {
                        stop: c.stop.or(Some(now)),
                        ..c
                    },
                    None => Child::pending(plan.pending_input(run, i)),
                })
                .collect();
            match outcome {
                Ok(_) => w.finish(run, &ids, &children).await,
                // What there is goes out all the same; the run's own failure is the one told.
                Err(f) => {
                    let _ = w.export(run, &ids, &children).await;
                    Err(f)
                }
            }
        }
        _ => outcome.map(Value::Array),
    };
    report.stop = Some(exec.now());
    match outcome {
        Ok(result) => {
            report.status = "SUCCEEDED";
            report.failed = failures;
            report.succeeded = items.len() - failures;
            exec.report_map_run(&report);
            let done = exec.emit_after(run_started, EventType::MapRunSucceeded, None);
            exec.emit_after(done, EventType::MapStateSucceeded, None);
            // Where the `MapStateExited` of a Map whose run succeeded points: to `MapRunStarted`.
            // `MapRunStarted`, `MapRunSucceeded`/`MapRunFailed` and
            // `MapStateSucceeded`/`MapStateFailed` each follow the one before; only the exit is
            // chained elsewhere, and no AWS page says where.
            //
            // Source: the recordings (38 map runs in `conformance/cases`), which split by the date
            // they were recorded, not by anything in the definition. The 7 recorded since November
            // 2024 point to `MapRunStarted`, JSONPath or JSONata, first state or not
            // (`test_map_state_config_distributed_item_selector_parameters`,
            // `..._items_path_from_previous`, `test_map_item_reader_base_json_max_items_jsonata`,
            // `local_mocking ... test_map_state_lambda` of October 2025); the 24 recorded up to
            // August 2024 point to `MapRunSucceeded`, wherever the Map sits. sfn-local follows AWS
            // as it is today, so the older recordings of a succeeded Distributed Map do not match
            // exactly (their outcome does).
            run.thread.set_cursor(run_started);
            Ok(result)
        }
        Err(f) => {
            report.status = "FAILED";
            if run_failed {
                report.failed = failures.max(1);
                report.succeeded = 0;
            } else {
                report.failed = failures;
                report.succeeded = items.len() - failures;
            }
            exec.report_map_run(&report);
            let ty = EventType::MapRunFailed;
            let details = EventDetails::error_cause(ty, Some(f.error_name()), f.cause.as_deref());
            let failed = exec.emit_after_details(run_started, ty, details);
            let id = exec.emit_after(failed, EventType::MapStateFailed, None);
            run.thread.set_cursor(id);
            Err((f, id))
        }
    }
}
