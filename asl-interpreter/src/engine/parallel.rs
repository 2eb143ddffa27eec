//! Parallel and Map: concurrent branches with AWS's event order and failure semantics.

use std::sync::Arc;

use asl_core::error::names;
use asl_core::jsonata::StatesBinding;
use asl_core::model::{
    Map as MapState, NumberField, Parallel, ProcessorMode, QueryLanguage, Template,
};
use asl_core::{Scope, StatesError};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value, json};

use super::branch::{Exec, Failure, Next, StateError, StateRun, Thread, number_field, run_machine};
use super::task::RetryState;
use super::writer::{Child, MapRunIds, Writer};
use super::{
    ExecutionType, MapRunChildListener, MapRunChildReport, MapRunReport, Status, details_io,
};
use crate::history::{DetailsWriter, EventDetails, History, HistoryEvent};

pub(crate) async fn parallel(run: &mut StateRun<'_>, p: &Parallel) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let branch_input = match &state.io.parameters {
        Some(t) => run.eval_template(t, &effective, None, None, "Arguments")?,
        None => effective.into_owned(),
    };
    let mut retries = RetryState::new(p.retry.len());
    let results = loop {
        let started = run.exec.emit(run.thread, "ParallelStateStarted", None);
        let threads: Vec<Thread> = p
            .branches
            .iter()
            .map(|_| Thread::starting_at(started))
            .collect();
        let mut futs = FuturesUnordered::new();
        for (i, branch) in p.branches.iter().enumerate() {
            let exec = run.exec.clone();
            let th = threads[i].clone();
            let input = branch_input.clone();
            let mut vars = run.vars.child();
            futs.push(async move {
                let r = run_machine(&exec, branch, input, &mut vars, &th, Map::new()).await;
                (i, r)
            });
        }
        let mut results = vec![Value::Null; p.branches.len()];
        let mut failed: Option<(usize, Failure)> = None;
        let mut last = started;
        while let Some((i, r)) = futs.next().await {
            match r {
                Ok(v) => {
                    results[i] = v;
                    last = threads[i].cursor();
                }
                Err(f) => {
                    failed = Some((i, f));
                    break;
                }
            }
        }
        drop(futs);
        match failed {
            None => {
                run.exec.emit_after(last, "ParallelStateSucceeded", None);
                run.thread.set_cursor(last);
                break results;
            }
            Some((i, f)) => {
                let failing_cursor = threads[i].cursor();
                abort_inflight(run, &threads, i);
                // A retried attempt follows the failure itself: AWS records
                // `ParallelStateFailed` only when the state fails for good.
                if let Some(d) = retries.next(&p.retry, f.error_name()) {
                    run.thread.set_cursor(failing_cursor);
                    run.exec.sleep_after(failing_cursor, d).await;
                    continue;
                }
                let id = run
                    .exec
                    .emit_after(failing_cursor, "ParallelStateFailed", None);
                run.thread.set_cursor(id);
                return Err(StateError::Plain(f));
            }
        }
    };
    let (out, assigned) = run.finish(&state.io, Value::Array(results), false)?;
    run.exit(out, assigned, None)
}

/// Emits `<Type>StateAborted` for every branch still inside a state, the failing one first.
fn abort_inflight(run: &StateRun<'_>, threads: &[Thread], failing: usize) {
    let order = std::iter::once(failing).chain((0..threads.len()).filter(|&j| j != failing));
    for j in order {
        let (inflight, cursor) = {
            let t = threads[j].lock();
            (t.inflight, t.cursor)
        };
        if let Some(ty) = inflight {
            let id = run
                .exec
                .emit_after(cursor, format!("{ty}StateAborted"), None);
            let mut t = threads[j].lock();
            t.cursor = id;
            t.inflight = None;
        }
    }
}

fn as_count(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

pub(crate) async fn map(run: &mut StateRun<'_>, m: &MapState) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    // Items: from the ItemReader, or from the input.
    let read = match &m.item_reader {
        Some(reader) => Some(super::reader::read_items(run, m, reader, &effective).await),
        None => None,
    };
    let items_value = match read {
        Some(Ok(items)) => Value::Array(items),
        Some(Err(e)) => return Err(map_failed(run, e)),
        None => match run.ql() {
            QueryLanguage::JsonPath => match &m.items_path {
                Some(p) => {
                    let ctx = run.context(0);
                    p.evaluate(&Scope::new(&effective, &ctx, run.vars))
                        .map_err(|e| {
                            StateError::from(StatesError::runtime(
                                asl_core::path::invalid_path_cause(p.text(), &e),
                            ))
                        })?
                }
                None => (*effective).clone(),
            },
            QueryLanguage::Jsonata => match &m.items {
                Some(t) => match run.eval_jsonata(t, None, None, "Items") {
                    Ok(v) => v,
                    Err(e) => return Err(map_failed(run, e)),
                },
                None => (*effective).clone(),
            },
        },
    };
    let items = match items_value {
        Value::Array(a) => a,
        other => {
            let err = match run.ql() {
                QueryLanguage::Jsonata if m.items.is_some() => {
                    let src = m
                        .items
                        .as_ref()
                        .and_then(|t| t.as_expression())
                        .map(|e| e.source().to_string());
                    match src {
                        Some(src) => StatesError::query_evaluation(format!(
                            "The JSONata expression '{src}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {}",
                            asl_core::jsonata::json_type_name(&other),
                            asl_core::dataflow::to_json_text(&other)
                        )),
                        None => StatesError::query_evaluation(format!(
                            "Map state input must be an array but was: {}",
                            asl_core::dataflow::to_json_text(&other)
                        )),
                    }
                }
                QueryLanguage::Jsonata => StatesError::query_evaluation(format!(
                    "Map state input must be an array but was: {}",
                    asl_core::dataflow::to_json_text(&other)
                )),
                QueryLanguage::JsonPath => StatesError::runtime(format!(
                    "Map state input must be an array but was: {}",
                    asl_core::dataflow::to_json_text(&other)
                )),
            };
            let location = if m.items.is_some() {
                Some("Items".to_string())
            } else {
                None
            };
            return Err(map_failed(run, StateError::Eval(err, location)));
        }
    };
    let max_concurrency = match &m.max_concurrency {
        Some(f) => as_count(&number_field(run, f, &effective, "MaxConcurrency")?)
            .unwrap_or(0)
            .max(0) as usize,
        None => 0,
    };
    // With an ItemBatcher each iteration gets a batch: `{"Items": [...], "BatchInput": ...}`,
    // its items already through the ItemSelector.
    let (items, prepared) = match &m.item_batcher {
        Some(b) => (batches(run, m, b, &items, &effective)?, true),
        None => (items, false),
    };
    let mut retries = RetryState::new(m.retry.len());
    let distributed = matches!(m.config.mode, ProcessorMode::Distributed);
    // Only a map run has results to write (AWS refuses a ResultWriter on an inline Map).
    let writer = match &m.result_writer {
        Some(raw) if distributed => Some(Writer::prepare(run, m, raw, &effective)?),
        _ => None,
    };
    let results = loop {
        // Items an ItemReader reads are not counted up front.
        let length = if m.item_reader.is_some() {
            0
        } else {
            items.len()
        };
        let started = run.exec.emit(
            run.thread,
            "MapStateStarted",
            Some(("mapStateStartedEventDetails", json!({"length": length}))),
        );
        let tolerated = tolerance(run, m, &effective, items.len())?;
        if distributed {
            match map_run(
                run,
                m,
                &items,
                &effective,
                max_concurrency,
                tolerated,
                prepared,
                writer.as_ref(),
            )
            .await
            {
                Ok(results) => break results,
                Err((f, id)) => {
                    if let Some(d) = retries.next(&m.retry, f.error_name()) {
                        run.exec.sleep_after(id, d).await;
                        continue;
                    }
                    return Err(StateError::Plain(f));
                }
            }
        }
        // An inline Map runs at most 40 iterations at a time, whatever MaxConcurrency asks.
        let inline_limit = match max_concurrency {
            0 => INLINE_MAX_CONCURRENCY,
            n => n.min(INLINE_MAX_CONCURRENCY),
        };
        match run_iterations(
            run,
            run.exec,
            m,
            &items,
            &effective,
            inline_limit,
            started,
            tolerated,
            prepared,
            None,
            None,
        )
        .await
        {
            Ok((results, last, _)) => {
                run.exec.emit_after(last, "MapStateSucceeded", None);
                run.thread.set_cursor(last);
                break Value::Array(results);
            }
            Err((f, last, _)) => {
                // As with Parallel: no `MapStateFailed` before a retried attempt, whose
                // `MapStateStarted` follows the failure itself.
                if let Some(d) = retries.next(&m.retry, f.error_name()) {
                    run.thread.set_cursor(last);
                    run.exec.sleep_after(last, d).await;
                    continue;
                }
                let id = run.exec.emit_after(last, "MapStateFailed", None);
                run.thread.set_cursor(id);
                return Err(StateError::Plain(f));
            }
        }
    };
    let (out, assigned) = run.finish(&state.io, results, false)?;
    run.exit(out, assigned, None)
}

/// The Map state fails before any iteration: the failure's events, then `MapStateFailed`
/// (AWS records it whether reading or evaluating the items failed).
fn map_failed(run: &StateRun<'_>, e: StateError) -> StateError {
    let f = run.fail(e);
    let id = run.exec.emit(run.thread, "MapStateFailed", None);
    run.thread.set_cursor(id);
    StateError::Plain(f)
}

/// A Distributed Map: a map run (`MapRunStarted` ... `MapRunSucceeded`/`MapRunFailed`) whose
/// iterations are child workflows with histories of their own, not the parent's. Reported to
/// the interpreter's map-run listener as it starts and ends, and each child to the map-run
/// child listener as it starts and ends (see [`ChildLog`]). A `ResultWriter` writes the
/// results before the run ends, whether it succeeded or not; the state's result is then what
/// the writer gives.
#[allow(clippy::too_many_arguments)]
async fn map_run(
    run: &StateRun<'_>,
    m: &MapState,
    items: &[Value],
    effective: &Value,
    max_concurrency: usize,
    tolerated: Option<f64>,
    prepared: bool,
    writer: Option<&Writer>,
) -> Result<Value, (Failure, u64)> {
    let exec = run.exec;
    let label = m
        .label
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let run_id = uuid::Uuid::new_v4().to_string();
    let config = &exec.config;
    let map_run_arn = format!(
        "arn:aws:states:{}:{}:mapRun:{}/{label}:{run_id}",
        config.region, config.account, config.state_machine_name
    );
    let run_started = exec.emit(
        run.thread,
        "MapRunStarted",
        Some((
            "mapRunStartedEventDetails",
            json!({"mapRunArn": map_run_arn}),
        )),
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
        max_concurrency,
        tolerated_failure_percentage: 0.0,
        tolerated_failure_count: tolerated.map_or(0, |t| t.max(0.0) as u64),
    };
    exec.report_map_run(&report);
    let mut child_config = config.clone();
    child_config.arn = Some(format!(
        "arn:aws:states:{}:{}:execution:{}/{label}:{run_id}",
        config.region, config.account, config.state_machine_name
    ));
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
        execution_arn_prefix: if express {
            format!(
                "arn:aws:states:{}:{}:express:{}/{label}:{run_id}",
                config.region, config.account, config.state_machine_name
            )
        } else {
            format!(
                "arn:aws:states:{}:{}:execution:{}/{label}",
                config.region, config.account, config.state_machine_name
            )
        },
    };
    let mut children: Option<Vec<Option<Child>>> = writer.map(|_| vec![None; items.len()]);
    // Each child workflow execution is told to the child listener, if there is one.
    let mut log = exec
        .inner
        .map_run_children
        .clone()
        .map(|listener| ChildLog::new(listener, &ids, express, prepared, &config.role_arn));
    let outcome = run_iterations(
        run,
        &child,
        m,
        items,
        effective,
        max_concurrency,
        0,
        tolerated,
        prepared,
        children.as_mut(),
        log.as_mut(),
    )
    .await;
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
                    None => {
                        Child::pending(pending_input(run, m, effective, prepared, i, &items[i]))
                    }
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
            let done = exec.emit_after(run_started, "MapRunSucceeded", None);
            exec.emit_after(done, "MapStateSucceeded", None);
            // As AWS records it: the state's exit follows the run's end, or its start when an
            // ItemReader fed it.
            let exit_after = if m.item_reader.is_some() {
                run_started
            } else {
                done
            };
            run.thread.set_cursor(exit_after);
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
            let mut d = Map::new();
            d.insert("error".into(), json!(f.error_name()));
            if let Some(c) = &f.cause {
                d.insert("cause".into(), json!(c));
            }
            let failed = exec.emit_after(
                run_started,
                "MapRunFailed",
                Some(("mapRunFailedEventDetails", Value::Object(d))),
            );
            let id = exec.emit_after(failed, "MapStateFailed", None);
            run.thread.set_cursor(id);
            Err((f, id))
        }
    }
}

/// The input an item never started would have had (the item itself if its selector fails).
fn pending_input(
    run: &StateRun<'_>,
    m: &MapState,
    effective: &Value,
    prepared: bool,
    index: usize,
    item: &Value,
) -> Value {
    if prepared {
        return item.clone();
    }
    iteration_input(run, m, effective, index, item).unwrap_or_else(|_| item.clone())
}

/// The number of failed items tolerated (`None`: any failure fails the map).
fn tolerance(
    run: &StateRun<'_>,
    m: &MapState,
    doc: &Value,
    n: usize,
) -> Result<Option<f64>, StateError> {
    let mut tolerated: Option<f64> = None;
    if let Some(f) = &m.tolerated_failure_count {
        let v = number_field(run, f, doc, "ToleratedFailureCount")?;
        let Some(c) = v.as_f64().filter(|_| v.is_number()) else {
            return Err(StatesError::runtime(format!(
                "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer{}",
                plain(&v),
                path_suffix(f)
            ))
            .into());
        };
        if c < 0.0 {
            return Err(StatesError::runtime("ToleratedFailureCount cannot be negative.").into());
        }
        tolerated = Some(c);
    }
    if let Some(f) = &m.tolerated_failure_percentage {
        let v = number_field(run, f, doc, "ToleratedFailurePercentage")?;
        let Some(p) = v.as_f64().filter(|_| v.is_number()) else {
            return Err(StatesError::runtime(format!(
                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float{}",
                plain(&v),
                path_suffix(f)
            ))
            .into());
        };
        if !(0.0..=100.0).contains(&p) {
            return Err(StatesError::runtime(
                "ToleratedFailurePercentage must be between 0 and 100.",
            )
            .into());
        }
        let c = p / 100.0 * n as f64;
        tolerated = Some(tolerated.map_or(c, |t| t.max(c)));
    }
    Ok(tolerated)
}

/// `: $.path`, the path AWS names after a `...Path` field's bad value.
fn path_suffix(f: &NumberField) -> String {
    match f {
        NumberField::Path(p) => format!(": {}", p.as_path().text()),
        _ => String::new(),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => asl_core::dataflow::to_json_text(other),
    }
}

/// `{"index": i, "name": "<Map state>"}`, a Map iteration event's details.
fn iteration_details(key: &'static str, index: usize, name: &str) -> Option<EventDetails> {
    let mut d = DetailsWriter::new();
    d.num("index", index as u64).str("name", name);
    Some(d.finish(key))
}

/// How many iterations an inline Map runs at once at most, as AWS documents.
const INLINE_MAX_CONCURRENCY: usize = 40;

/// What a run of iterations ended with: results, the last event, the failures tolerated.
type Iterations = Result<(Vec<Value>, u64, usize), (Failure, u64, usize)>;

/// Runs the iterations, their events in `exec`'s history (the execution's own for an inline
/// Map; a map run's for a distributed one). With `children`, what becomes of each item is
/// recorded there too (for a `ResultWriter`); with `log`, each is told to the map-run child
/// listener as a child workflow execution.
#[allow(clippy::too_many_arguments)]
async fn run_iterations(
    run: &StateRun<'_>,
    exec: &Arc<Exec>,
    m: &MapState,
    items: &[Value],
    effective: &Value,
    max_concurrency: usize,
    started: u64,
    tolerated: Option<f64>,
    prepared: bool,
    mut children: Option<&mut Vec<Option<Child>>>,
    mut log: Option<&mut ChildLog<'_>>,
) -> Iterations {
    let name = &run.state.name;
    let limit = if max_concurrency == 0 {
        usize::MAX
    } else {
        max_concurrency
    };
    let mut results = vec![Value::Null; items.len()];
    let mut futs = FuturesUnordered::new();
    let mut next = 0usize;
    let mut cursor = started;
    let mut last = started;
    let mut failures = 0usize;
    loop {
        while next < items.len() && futs.len() < limit {
            let index = next;
            next += 1;
            let id = exec.emit_after_details(
                cursor,
                "MapIterationStarted",
                iteration_details("mapIterationStartedEventDetails", index, name),
            );
            let input = if prepared {
                Ok(items[index].clone())
            } else {
                iteration_input(run, m, effective, index, &items[index])
            };
            let input = match input {
                Ok(v) => v,
                Err(e) => return Err((run.fail(e), id, failures)),
            };
            if let Some(c) = children.as_deref_mut() {
                c[index] = Some(Child::started(input.clone(), exec.now()));
            }
            if let Some(l) = log.as_deref_mut() {
                l.started(index, id, &input, exec.now());
            }
            let th = Thread::starting_at(id);
            let mut vars = run.vars.child();
            let exec = exec.clone();
            let processor = &m.processor;
            futs.push(async move {
                let r = run_machine(&exec, processor, input, &mut vars, &th, Map::new()).await;
                (index, r, th)
            });
        }
        let Some((index, r, th)) = futs.next().await else {
            break;
        };
        let end = th.cursor();
        if let Some(c) = children.as_deref_mut().and_then(|c| c[index].as_mut()) {
            c.stop = Some(exec.now());
            c.result = Some(r.clone());
        }
        if let Some(l) = log.as_deref_mut() {
            l.ended(index, end, &r, exec.now(), &exec.history);
        }
        match r {
            Ok(v) => {
                last = exec.emit_after_details(
                    end,
                    "MapIterationSucceeded",
                    iteration_details("mapIterationSucceededEventDetails", index, name),
                );
                results[index] = v;
            }
            Err(f) => {
                last = exec.emit_after_details(
                    end,
                    "MapIterationFailed",
                    iteration_details("mapIterationFailedEventDetails", index, name),
                );
                failures += 1;
                let exceeded = match tolerated {
                    None => true,
                    Some(t) => failures as f64 > t,
                };
                if exceeded {
                    let f = if tolerated.is_some() {
                        Failure::new(
                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        )
                    } else {
                        f
                    };
                    return Err((f, end, failures));
                }
                results[index] = f.error_output();
            }
        }
        cursor = end;
    }
    Ok((results, last, failures))
}

/// Groups the (selected) items into batches as an `ItemBatcher` asks: at most
/// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes of items each, order kept.
fn batches(
    run: &StateRun<'_>,
    m: &MapState,
    b: &asl_core::model::ItemBatcher,
    items: &[Value],
    effective: &Value,
) -> Result<Vec<Value>, StateError> {
    let positive = |f: &Option<asl_core::model::NumberField>,
                    field: &str|
     -> Result<Option<usize>, StateError> {
        let Some(f) = f else {
            return Ok(None);
        };
        let v = number_field(run, f, effective, field)?;
        match as_count(&v) {
            Some(n) if n > 0 => Ok(Some(n as usize)),
            _ => Err(StatesError::runtime(format!(
                "The {field} field must be a positive integer, but was: {}",
                plain(&v)
            ))
            .into()),
        }
    };
    let max_items = positive(&b.max_items_per_batch, "MaxItemsPerBatch")?.unwrap_or(usize::MAX);
    let max_bytes =
        positive(&b.max_input_bytes_per_batch, "MaxInputBytesPerBatch")?.unwrap_or(262_144);
    let batch_input = match &b.batch_input {
        Some(t) => Some(run.eval_template(t, effective, None, None, "BatchInput")?),
        None => None,
    };
    let mut out = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut bytes = 2; // []
    let close = |current: &mut Vec<Value>, out: &mut Vec<Value>| {
        let mut o = Map::new();
        if let Some(bi) = &batch_input {
            o.insert("BatchInput".into(), bi.clone());
        }
        o.insert("Items".into(), Value::Array(std::mem::take(current)));
        out.push(Value::Object(o));
    };
    for (index, item) in items.iter().enumerate() {
        let selected = iteration_input(run, m, effective, index, item)?;
        let size = asl_core::dataflow::to_json_text(&selected).len() + 1;
        if !current.is_empty() && (current.len() >= max_items || bytes + size > max_bytes) {
            close(&mut current, &mut out);
            bytes = 2;
        }
        bytes += size;
        current.push(selected);
    }
    if !current.is_empty() {
        close(&mut current, &mut out);
    }
    Ok(out)
}

fn iteration_input(
    run: &StateRun<'_>,
    m: &MapState,
    effective: &Value,
    index: usize,
    item: &Value,
) -> Result<Value, StateError> {
    let Some(sel) = &m.item_selector else {
        return Ok(item.clone());
    };
    let mut extra = run.context_extra.clone();
    extra.insert(
        "Map".into(),
        json!({"Item": {"Index": index, "Value": item}}),
    );
    let ctx = run
        .exec
        .context(&run.state.name, run.entered_at, None, &extra);
    match sel {
        Template::Payload(p) => Ok(asl_core::dataflow::eval_payload(
            p,
            &Scope::new(effective, &ctx, run.vars),
        )?),
        Template::Jsonata(j) => {
            let b = StatesBinding {
                input: effective,
                context: &ctx,
                result: None,
                error_output: None,
            };
            j.evaluate(&b, run.vars, "ItemSelector")
                .map_err(|e| StateError::Eval(e, Some("ItemSelector".into())))
        }
    }
}

/// The child workflow executions of one map run, as the map-run child listener is told of
/// them. The children run in one shared history (the map run's); each child's own history is
/// cut out of it as it ends: its events are those whose `previousEventId` chain leads back to
/// its `MapIterationStarted`, renumbered from 2 after an `ExecutionStarted`, and closed by its
/// `ExecutionSucceeded`/`Failed`/`Aborted`. The shared history is read once, in order, as
/// children end: a map run's cost grows by one copy of its events, an inline Map's not at all.
pub(crate) struct ChildLog<'a> {
    listener: MapRunChildListener,
    ids: &'a MapRunIds<'a>,
    express: bool,
    /// Each child's input is a batch (`{"Items": [...]}`).
    batched: bool,
    role_arn: &'a str,
    /// The shared history's events read so far.
    scanned: usize,
    /// By shared event id - 1: the index + 1 of the child the event belongs to (0: none).
    owner: Vec<u32>,
    /// `MapIterationStarted` ids not read yet, and the child each starts.
    roots: std::collections::HashMap<u64, usize>,
    /// The children running, by index.
    open: std::collections::BTreeMap<usize, OpenChild>,
}

/// A child still running.
struct OpenChild {
    root: u64,
    report: MapRunChildReport,
    /// Shared event id -> the child's own id (its `MapIterationStarted` is its event 1).
    ids: std::collections::HashMap<u64, u64>,
    /// Its own id for the next event.
    next_id: u64,
}

impl OpenChild {
    /// The child's own id for shared event `shared` (its last event's for one it never saw).
    fn own_id(&self, shared: u64) -> u64 {
        if shared == self.root {
            return 1;
        }
        self.ids.get(&shared).copied().unwrap_or(self.next_id - 1)
    }

    fn push(&mut self, shared: Option<u64>, e: HistoryEvent) {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(s) = shared {
            self.ids.insert(s, id);
        }
        self.report.events.push(HistoryEvent { id, ..e });
    }
}

impl<'a> ChildLog<'a> {
    pub fn new(
        listener: MapRunChildListener,
        ids: &'a MapRunIds<'a>,
        express: bool,
        batched: bool,
        role_arn: &'a str,
    ) -> Self {
        ChildLog {
            listener,
            ids,
            express,
            batched,
            role_arn,
            scanned: 0,
            owner: Vec::new(),
            roots: Default::default(),
            open: Default::default(),
        }
    }

    /// Item `index` started at shared event `root` (its `MapIterationStarted`).
    pub fn started(
        &mut self,
        index: usize,
        root: u64,
        input: &Value,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        let name = self.ids.child_name(index);
        let input_text = asl_core::dataflow::to_json_text(input);
        let item_count = match input.get("Items") {
            Some(Value::Array(a)) if self.batched => a.len(),
            _ => 1,
        };
        let mut report = MapRunChildReport {
            map_run_arn: self.ids.map_run_arn.to_string(),
            execution_arn: self.ids.child_arn(&name),
            name,
            state_machine_arn: self.ids.state_machine_arn.to_string(),
            execution_type: if self.express {
                ExecutionType::Express
            } else {
                ExecutionType::Standard
            },
            status: Status::Running,
            input: input_text,
            output: None,
            error: None,
            cause: None,
            start: at,
            stop: None,
            item_count,
            events: Vec::new(),
        };
        if !self.express {
            let mut d = Map::new();
            d.insert("input".into(), json!(report.input));
            d.insert("inputDetails".into(), json!({"truncated": false}));
            d.insert("roleArn".into(), json!(self.role_arn));
            report.events.push(HistoryEvent {
                id: 1,
                previous_event_id: 0,
                timestamp: at,
                event_type: "ExecutionStarted".into(),
                details: Some(EventDetails::new(
                    "executionStartedEventDetails",
                    &Value::Object(d),
                )),
            });
            self.roots.insert(root, index);
        }
        (self.listener)(&report);
        report.events.clear();
        self.open.insert(
            index,
            OpenChild {
                root,
                report,
                ids: Default::default(),
                next_id: 2,
            },
        );
    }

    /// Reads the shared history's new events into the running children's histories.
    fn scan(&mut self, history: &History) {
        if self.express {
            return;
        }
        for e in history.since(self.scanned) {
            self.scanned += 1;
            let owner = match self.roots.remove(&e.id) {
                Some(index) => index + 1,
                None => match e.previous_event_id.checked_sub(1) {
                    Some(p) => self.owner.get(p as usize).copied().unwrap_or(0) as usize,
                    None => 0,
                },
            };
            // Ids are contiguous: the event's slot is its id - 1.
            self.owner.push(owner as u32);
            let Some(child) = owner.checked_sub(1).and_then(|i| self.open.get_mut(&i)) else {
                continue;
            };
            if e.id == child.root {
                continue;
            }
            let prev = child.own_id(e.previous_event_id);
            let shared = e.id;
            child.push(
                Some(shared),
                HistoryEvent {
                    previous_event_id: prev,
                    ..e
                },
            );
        }
    }

    /// Item `index` ended at shared event `end` with `result`.
    pub fn ended(
        &mut self,
        index: usize,
        end: u64,
        result: &Result<Value, Failure>,
        at: chrono::DateTime<chrono::Utc>,
        history: &History,
    ) {
        self.scan(history);
        let Some(mut child) = self.open.remove(&index) else {
            return;
        };
        let prev = child.own_id(end);
        let (status, ty, details) = match result {
            Ok(v) => {
                child.report.output = Some(asl_core::dataflow::to_json_text(v));
                (
                    Status::Succeeded,
                    "ExecutionSucceeded",
                    details_io("executionSucceededEventDetails", "output", v),
                )
            }
            Err(f) => {
                child.report.error = f.error.clone();
                child.report.cause = f.cause.clone();
                (
                    Status::Failed,
                    "ExecutionFailed",
                    Some(failure_details("executionFailedEventDetails", f)),
                )
            }
        };
        self.close(child, status, ty, prev, details, at);
    }

    /// The children still running when their map run ended: aborted at `at`.
    pub fn abort_open(&mut self, history: &History, at: chrono::DateTime<chrono::Utc>) {
        self.scan(history);
        for (_, child) in std::mem::take(&mut self.open) {
            let prev = child.next_id - 1;
            let details = Some(EventDetails::new(
                "executionAbortedEventDetails",
                &json!({}),
            ));
            self.close(
                child,
                Status::Aborted,
                "ExecutionAborted",
                prev,
                details,
                at,
            );
        }
    }

    fn close(
        &self,
        mut child: OpenChild,
        status: Status,
        ty: &'static str,
        prev: u64,
        details: Option<EventDetails>,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        child.report.status = status;
        child.report.stop = Some(at);
        if !self.express {
            child.push(
                None,
                HistoryEvent {
                    id: 0,
                    previous_event_id: prev,
                    timestamp: at,
                    event_type: ty.into(),
                    details,
                },
            );
        }
        (self.listener)(&child.report);
    }
}

/// `{"error": ..., "cause": ...}`, the members a failure has.
fn failure_details(key: &'static str, f: &Failure) -> EventDetails {
    let mut d = Map::new();
    if let Some(e) = &f.error {
        d.insert("error".into(), json!(e));
    }
    if let Some(c) = &f.cause {
        d.insert("cause".into(), json!(c));
    }
    EventDetails::new(key, &Value::Object(d))
}
