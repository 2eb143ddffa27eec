//! Map: its items (from the input, or an `ItemReader`), optionally batched, each run through
//! the item processor; inline in the execution's history, or (distributed) as a map run of
//! child workflow executions whose results a `ResultWriter` may export.
//!
//! - [`iterations`]: the iterations themselves, their inputs and batches.
//! - [`run`]: a distributed Map's map run; [`child_log`]: its children as the map-run child
//!   listener is told of them.
//! - [`reader`], [`writer`]: the `ItemReader` and `ResultWriter`.

mod child_log;
mod iterations;
mod reader;
mod run;
mod writer;

use std::borrow::Cow;

use asl_core::model::{Map as MapState, ProcessorMode, QueryLanguage};
use asl_core::path::Root;
use asl_core::{Scope, StatesError};
use serde_json::{Value, json};

use crate::engine::kernel::{Next, StateError, StateRun};
use crate::engine::numbers;
use crate::engine::retry::RetryState;
use crate::handler::{TaskFailure, TaskRequest};
use crate::history::EventType;
use iterations::{Iterating, batches, concurrency_limit, run_iterations};
use writer::Writer;

/// What the iterations of one Map attempt work from.
pub(super) struct MapPlan<'a> {
    pub m: &'a MapState,
    /// The items (or batches).
    pub items: &'a [Value],
    /// The state's effective input.
    pub effective: &'a Value,
    /// `MaxConcurrency` (0: unbounded).
    pub max_concurrency: usize,
    /// The number of failed items tolerated (`None`: any failure fails the map).
    pub tolerated: Option<f64>,
    /// The items are batches already through the `ItemSelector`.
    pub batched: bool,
}

pub(super) async fn map(run: &mut StateRun<'_>, m: &MapState) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let items = items(run, m, &effective).await?;
    // With an ItemBatcher each iteration gets a batch: `{"Items": [...], "BatchInput": ...}`,
    // its items already through the ItemSelector.
    let (items, batched) = match &m.item_batcher {
        Some(b) => (Cow::Owned(batches(run, m, b, &items, &effective)?), true),
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
            EventType::MapStateStarted,
            Some(&json!({"length": length})),
        );
        // AWS reads the map run's limits once the state has started (the tolerated failures
        // fail after `MapStateStarted` on record).
        let plan = MapPlan {
            m,
            items: &items,
            effective: &effective,
            max_concurrency: max_concurrency(run, m, &effective)?,
            tolerated: tolerance(run, m, &effective, items.len())?,
            batched,
        };
        let max_concurrency = plan.max_concurrency;
        if distributed {
            match run::map_run(run, &plan, writer.as_ref()).await {
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
        let limit = concurrency_limit(false, max_concurrency);
        let inline = Iterating {
            exec: run.exec,
            limit,
            started,
            children: None,
            log: None,
            child_context: None,
        };
        match run_iterations(run, &plan, inline).await {
            Ok((results, last, _)) => {
                run.exec
                    .emit_after(last, EventType::MapStateSucceeded, None);
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
                let id = run.exec.emit_after(last, EventType::MapStateFailed, None);
                run.thread.set_cursor(id);
                return Err(StateError::Plain(f));
            }
        }
    };
    let (out, assigned) = run.finish(&state.io, Some(results))?;
    run.exit(out, assigned, None)
}

/// The items: from the `ItemReader`, or from the input (`ItemsPath`, `Items`), borrowed from
/// the input where they are in it (each iteration copies its own item).
async fn items<'e>(
    run: &StateRun<'_>,
    m: &MapState,
    effective: &'e Value,
) -> Result<Cow<'e, [Value]>, StateError> {
    // Items: from the ItemReader, or from the input.
    let read = match &m.item_reader {
        Some(reader) => Some(reader::read_items(run, m, reader, effective).await),
        None => None,
    };
    let invalid_path = |p: &asl_core::path::JsonPath, e| {
        StateError::from(StatesError::runtime(asl_core::path::invalid_path_cause(
            p.text(),
            &e,
        )))
    };
    let items_value: Cow<'e, Value> = match read {
        Some(Ok(items)) => Cow::Owned(Value::Array(items)),
        Some(Err(e)) => return Err(map_failed(run, e)),
        None => match run.ql() {
            QueryLanguage::JsonPath => match &m.items_path {
                Some(p) if matches!(p.root(), Root::Input) => {
                    p.select_from(effective).map_err(|e| invalid_path(p, e))?
                }
                Some(p) => {
                    let ctx = run.context(0);
                    Cow::Owned(
                        p.evaluate(&Scope::new(effective, &ctx, run.vars))
                            .map_err(|e| invalid_path(p, e))?,
                    )
                }
                None => Cow::Borrowed(effective),
            },
            QueryLanguage::Jsonata => match &m.items {
                Some(t) => match run.eval_jsonata(t, None, None, "Items") {
                    Ok(v) => Cow::Owned(v),
                    Err(e) => return Err(map_failed(run, e)),
                },
                None => Cow::Borrowed(effective),
            },
        },
    };
    match items_value {
        Cow::Borrowed(Value::Array(a)) => Ok(Cow::Borrowed(a.as_slice())),
        Cow::Owned(Value::Array(a)) => Ok(Cow::Owned(a)),
        other => {
            let not_array = || {
                format!(
                    "Map state input must be an array but was: {}",
                    asl_core::dataflow::to_json_text(&other)
                )
            };
            let items_expression = m.items.as_ref().and_then(|t| t.as_expression());
            let err = match (run.ql(), items_expression) {
                (QueryLanguage::Jsonata, Some(expr)) => {
                    asl_core::jsonata::unexpected_type_error(expr, "Items", "array", &other)
                }
                (QueryLanguage::Jsonata, None) => StatesError::query_evaluation(not_array()),
                (QueryLanguage::JsonPath, _) => StatesError::runtime(not_array()),
            };
            let location = if m.items.is_some() {
                Some("Items".to_string())
            } else {
                None
            };
            Err(map_failed(run, StateError::Eval(err, location)))
        }
    }
}

/// The Map state fails before any iteration: the failure's events, then `MapStateFailed`
/// (AWS records it whether reading or evaluating the items failed).
fn map_failed(run: &StateRun<'_>, e: StateError) -> StateError {
    let f = run.fail(e);
    let id = run.exec.emit(run.thread, EventType::MapStateFailed, None);
    run.thread.set_cursor(id);
    StateError::Plain(f)
}

/// `MaxConcurrency` (0: no limit).
fn max_concurrency(run: &StateRun<'_>, m: &MapState, doc: &Value) -> Result<usize, StateError> {
    match &m.max_concurrency {
        Some(f) => Ok(numbers::read(run, &numbers::MAX_CONCURRENCY, f, doc)? as usize),
        None => Ok(0),
    }
}

/// The number of failed items tolerated (`None`: any failure fails the map): the greater of
/// the count and the percentage of `n` items.
fn tolerance(
    run: &StateRun<'_>,
    m: &MapState,
    doc: &Value,
    n: usize,
) -> Result<Option<f64>, StateError> {
    let count = match &m.tolerated_failure_count {
        Some(f) => Some(numbers::read(
            run,
            &numbers::TOLERATED_FAILURE_COUNT,
            f,
            doc,
        )?),
        None => None,
    };
    let percentage = match &m.tolerated_failure_percentage {
        Some(f) => Some(numbers::read(
            run,
            &numbers::TOLERATED_FAILURE_PERCENTAGE,
            f,
            doc,
        )?),
        None => None,
    };
    let by_percentage = percentage.map(|p| p / 100.0 * n as f64);
    Ok(match (count, by_percentage) {
        (Some(c), Some(p)) => Some(c.max(p)),
        (c, p) => c.or(p),
    })
}

/// Calls the handler of a resource the engine invokes itself, outside a Task state (an
/// `ItemReader`'s or a `ResultWriter`'s); `None` when no handler is registered for it.
pub(super) async fn call_integration(
    run: &StateRun<'_>,
    resource: &str,
    parameters: &Value,
) -> Option<Result<Value, TaskFailure>> {
    let exec = run.exec;
    let resource = asl_core::resource::routing_form(resource);
    let handler = exec.inner.handlers.find(&resource, parameters)?;
    let request = TaskRequest {
        resource: resource.into_owned(),
        parameters: parameters.clone(),
        context: run.handler_context(0),
        task_token: None,
        state_name: run.state.name.clone(),
        attempt: 0,
        execution_arn: exec.execution_arn.clone(),
        test_case: exec.config.test_case.clone(),
        invocation: 0,
        clock: exec.inner.clock.clone(),
        function_name: None,
        submitted: None,
    };
    let _busy = exec.inner.clock.busy();
    Some(handler.call(request).await)
}
