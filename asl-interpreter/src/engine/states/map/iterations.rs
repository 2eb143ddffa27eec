//! The iterations of a Map: each item (or batch) through the `ItemSelector` and the item
//! processor, at most so many at a time, with AWS's event order and failure tolerance.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use asl_core::Scope;
use asl_core::error::names;
use asl_core::jsonata::StatesBinding;
use asl_core::model::{ItemBatcher, Map as MapState, NumberField, Template};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value, json};

use super::MapPlan;
use super::child_log::ChildLog;
use super::writer::Child;
use crate::engine::TaskFailure;
use crate::engine::driver::run_machine;
use crate::engine::exec::{AbortOnStop, Exec, Thread};
use crate::engine::kernel::{StateError, StateRun};
use crate::engine::numbers;
use crate::history::{DetailsWriter, EventDetails, EventType};

/// `{"index": i, "name": "<Map state>"}`, a Map iteration event's details.
fn iteration_details(ty: EventType, index: usize, name: &str) -> Option<EventDetails> {
    let mut d = DetailsWriter::new();
    d.num("index", index as u64).str("name", name);
    d.finish(ty)
}

/// What a run of iterations ended with: results, the last event, the failures tolerated.
pub(super) type Iterations = Result<(Vec<Value>, u64, usize), (TaskFailure, u64, usize)>;

/// Where and how the iterations run.
pub(super) struct Iterating<'a, 'l> {
    /// Whose history holds their events: the execution's own for an inline Map, a map run's
    /// for a distributed one.
    pub exec: &'a Arc<Exec>,
    /// How many run at once at most ([`concurrency_limit`]; 0 is taken as 1).
    pub limit: usize,
    /// The event the first iteration follows.
    pub started: u64,
    /// For a `ResultWriter`: what becomes of each item.
    pub children: Option<&'a mut Vec<Option<Child>>>,
    /// For the map-run child listener: each item as a child workflow execution.
    pub log: Option<&'a mut ChildLog<'l>>,
    /// For a distributed Map: the `$$` fields of iteration `index`'s own child workflow
    /// execution (its `Execution` and `StateMachine`), given its input.
    pub child_context: Option<&'a ChildContext<'a>>,
}

/// What `$$` says of the child workflow execution an iteration of a distributed Map is
/// ("Each child workflow execution has its own execution history, input and context": AWS's
/// Distributed Map page, state-map-distributed). The child's `Execution` is its own (ARN and
/// name as the map-run child listener reports them, the item as `Input`, its own start); its
/// `StateMachine` is the map run's (`<parent>/<label>`, as in the child's ARN).
pub(super) type ChildContext<'a> = dyn Fn(usize, &Value) -> Map<String, Value> + Sync + 'a;

/// How many iterations an inline Map runs at once at most, whatever `MaxConcurrency` asks:
/// "In this mode, the Map state supports up to 40 concurrent iterations" (AWS's Inline Map
/// page, state-map-inline).
pub(crate) const INLINE_MAX_CONCURRENCY: usize = 40;

/// How many child workflow executions a distributed Map runs at once when `MaxConcurrency`
/// is 0 or absent: "If you don't specify, Step Functions runs 10,000 parallel child workflow
/// executions" (AWS's Distributed Map page, state-map-distributed).
pub(crate) const DISTRIBUTED_DEFAULT_CONCURRENCY: usize = 10_000;

/// The number of iterations in flight at most, given the effective `MaxConcurrency` (0:
/// none given), whatever its source (a literal, `MaxConcurrencyPath`, a variable, JSONata).
/// Never 0: each iteration starts only once fewer than this many are between their
/// `MapIterationStarted` and their `MapIterationSucceeded`/`MapIterationFailed`.
pub(crate) fn concurrency_limit(distributed: bool, max_concurrency: usize) -> usize {
    match (distributed, max_concurrency) {
        (false, 0) => INLINE_MAX_CONCURRENCY,
        (false, n) => n.min(INLINE_MAX_CONCURRENCY),
        (true, 0) => DISTRIBUTED_DEFAULT_CONCURRENCY,
        (true, n) => n,
    }
}

/// Runs the iterations of `plan` as `how` says.
pub(super) async fn run_iterations(
    run: &StateRun<'_>,
    plan: &MapPlan<'_>,
    how: Iterating<'_, '_>,
) -> Iterations {
    let Iterating {
        exec,
        limit,
        started,
        mut children,
        mut log,
        child_context,
    } = how;
    let (m, items, tolerated) = (plan.m, plan.items, plan.tolerated);
    let name = &run.state.name;
    let limit = limit.max(1);
    let mut results = vec![Value::Null; items.len()];
    // The threads of the iterations in flight, to abort them when the Map fails or the
    // execution is stopped. Declared before the iterations' futures, so dropped after them.
    let in_flight: Arc<Mutex<BTreeMap<usize, Thread>>> = Arc::default();
    let _on_stop = AbortOnStop {
        exec: exec.clone(),
        abort: {
            let (in_flight, name, inline) =
                (in_flight.clone(), name.clone(), child_context.is_none());
            move |exec: &Exec| {
                // A distributed Map's children are executions of their own, stopped whole.
                if inline {
                    abort_in_flight(exec, &lock(&in_flight), &name);
                }
            }
        },
    };
    let mut futs = FuturesUnordered::new();
    let mut next = 0usize;
    let mut cursor = started;
    let mut last = started;
    let mut failures = 0usize;
    loop {
        while next < items.len() && futs.len() < limit {
            let index = next;
            next += 1;
            let ty = EventType::MapIterationStarted;
            let id = exec.emit_iteration_start(cursor, started, iteration_details(ty, index, name));
            let input = if plan.batched {
                Ok(items[index].clone())
            } else {
                iteration_input(run, m, plan.effective, index, &items[index])
            };
            let input = match input {
                Ok(v) => v,
                Err(e) => return Err((run.fail(e), id, failures)),
            };
            if let Some(c) = children.as_deref_mut() {
                c[index] = Some(Child::started(input.clone(), exec.now()));
            }
            if let Some(l) = log.as_deref_mut() {
                let item_count = match input.get("Items") {
                    Some(Value::Array(a)) if plan.batched => a.len(),
                    _ => 1,
                };
                l.started(index, id, &input, item_count, exec.now());
            }
            let th = Thread::starting_at(id);
            lock(&in_flight).insert(index, th.clone());
            let mut vars = run.vars.child();
            let exec = exec.clone();
            let processor = &m.processor;
            let extra = child_context.map_or_else(Map::new, |c| c(index, &input));
            futs.push(async move {
                let r = run_machine(&exec, processor, input, &mut vars, &th, extra).await;
                (index, r, th)
            });
        }
        let Some((index, r, th)) = futs.next().await else {
            break;
        };
        lock(&in_flight).remove(&index);
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
                let ty = EventType::MapIterationSucceeded;
                // The iteration that ended last ends the Map: the greatest id, which is also
                // the recorded one when a resume replays the iterations in another order.
                let id = exec.emit_after_details(end, ty, iteration_details(ty, index, name));
                last = last.max(id);
                results[index] = v;
            }
            Err(f) => {
                let ty = EventType::MapIterationFailed;
                let id = exec.emit_after_details(end, ty, iteration_details(ty, index, name));
                last = last.max(id);
                failures += 1;
                let exceeded = match tolerated {
                    None => true,
                    Some(t) => failures as f64 > t,
                };
                if exceeded {
                    let f = if tolerated.is_some() {
                        TaskFailure::new(
                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        )
                    } else {
                        f
                    };
                    drop(futs);
                    // A distributed Map's children are executions of their own, aborted
                    // whole (see `ChildLog::abort_open`).
                    if child_context.is_none() {
                        abort_in_flight(exec, &lock(&in_flight), name);
                    }
                    return Err((f, end, failures));
                }
                results[index] = f.error_output();
            }
        }
        cursor = end;
    }
    Ok((results, last, failures))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The iterations still running when the Map fails are aborted: the state each is in gets its
/// `<Type>StateAborted`, then the iteration its `MapIterationAborted` ("Contains details about
/// an iteration of a Map state that was aborted": AWS's `HistoryEvent` API reference), in
/// item order, as a failing Parallel aborts its other branches.
fn abort_in_flight(exec: &Exec, in_flight: &BTreeMap<usize, Thread>, name: &str) {
    for (&index, th) in in_flight {
        let (inflight, mut cursor) = {
            let t = th.lock();
            (t.inflight, t.cursor)
        };
        if let Some(ty) = inflight {
            cursor = exec.emit_after(cursor, ty, None);
        }
        let ty = EventType::MapIterationAborted;
        let id = exec.emit_after_details(cursor, ty, iteration_details(ty, index, name));
        let mut t = th.lock();
        t.cursor = id;
        t.inflight = None;
    }
}

/// Groups the (selected) items into batches as an `ItemBatcher` asks: at most
/// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes of items each, order kept.
pub(super) fn batches(
    run: &StateRun<'_>,
    m: &MapState,
    b: &ItemBatcher,
    items: &[Value],
    effective: &Value,
) -> Result<Vec<Value>, StateError> {
    let limit = |f: &Option<NumberField>, spec| -> Result<Option<usize>, StateError> {
        f.as_ref()
            .map(|f| numbers::read(run, spec, f, effective).map(|n| n as usize))
            .transpose()
    };
    let max_items =
        limit(&b.max_items_per_batch, &numbers::MAX_ITEMS_PER_BATCH)?.unwrap_or(usize::MAX);
    let max_bytes = limit(
        &b.max_input_bytes_per_batch,
        &numbers::MAX_INPUT_BYTES_PER_BATCH,
    )?
    .unwrap_or(asl_core::limits::MAX_PAYLOAD_BYTES);
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

pub(super) fn iteration_input(
    run: &StateRun<'_>,
    m: &MapState,
    effective: &Value,
    index: usize,
    item: &Value,
) -> Result<Value, StateError> {
    let Some(sel) = &m.item_selector else {
        return Ok(item.clone());
    };
    let mut cached = run.item_context.lock().unwrap_or_else(|p| p.into_inner());
    let ctx = cached.get_or_insert_with(|| {
        run.exec.context(
            &run.state.name,
            run.entered_at,
            None,
            &run.context_extra,
            run.state.reads_execution_input,
        )
    });
    // As `Exec::context` adds it: over the engine's context, or where a given one has none.
    let given_map = run
        .exec
        .config
        .context
        .as_ref()
        .is_some_and(|c| c.contains_key("Map"));
    if let (Value::Object(o), false) = (&mut *ctx, given_map) {
        o.insert(
            "Map".into(),
            json!({"Item": {"Index": index, "Value": item}}),
        );
    }
    let ctx = &*ctx;
    match sel {
        Template::Payload(p) => Ok(asl_core::dataflow::eval_payload(
            p,
            &Scope::new(effective, ctx, run.vars),
        )?),
        Template::Jsonata(j) => {
            let b = StatesBinding {
                input: effective,
                context: ctx,
                result: None,
                error_output: None,
            };
            j.evaluate(&b, run.vars, "ItemSelector")
                .map_err(|e| StateError::Eval(e, Some("ItemSelector".into())))
        }
    }
}

impl MapPlan<'_> {
    /// The input item `index`, never started, would have had (the item itself if its
    /// selector fails).
    pub fn pending_input(&self, run: &StateRun<'_>, index: usize) -> Value {
        let item = &self.items[index];
        if self.batched {
            return item.clone();
        }
        iteration_input(run, self.m, self.effective, index, item).unwrap_or_else(|_| item.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (distributed, effective MaxConcurrency, iterations in flight at most)
    const LIMITS: [(bool, usize, usize); 8] = [
        // state-map-inline: "supports up to 40 concurrent iterations".
        (false, 0, 40),
        (false, 1, 1),
        (false, 39, 39),
        (false, 41, 40),
        // state-map-distributed: "If you don't specify, Step Functions runs 10,000 parallel
        // child workflow executions".
        (true, 0, 10_000),
        (true, 1, 1),
        (true, 40, 40),
        (true, 20_000, 20_000),
    ];

    /// An ItemSelector that reads `$$` builds the context object (and its copy of the
    /// execution's input) once per Map state, not once per item: per item it made a Map over
    /// n items of an input of size n cost n², 2.5 s for 5,000 items of a 100 KB input.
    #[test]
    fn a_map_builds_its_items_context_once() {
        use crate::{ExecutionConfig, Interpreter, Status};
        let items: Vec<Value> = (0..500).map(|i| json!({"id": i})).collect();
        let sm = asl_core::StateMachine::from_str(
            r#"{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
                "ItemSelector":{"id.$":"$$.Map.Item.Value.id","at.$":"$$.Map.Item.Index"},
                "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
                "End":true}}}"#,
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let before = crate::engine::exec::CONTEXT_BUILDS.with(std::cell::Cell::get);
        let out = rt.block_on(Interpreter::builder().build().run(
            std::sync::Arc::new(sm),
            ExecutionConfig {
                input_text: json!({"items": items}).to_string(),
                ..ExecutionConfig::default()
            },
        ));
        let built = crate::engine::exec::CONTEXT_BUILDS.with(std::cell::Cell::get) - before;
        assert_eq!(out.status, Status::Succeeded);
        let output: Value = serde_json::from_str(out.output.as_deref().unwrap()).unwrap();
        assert_eq!(output[499], json!({"id": 499, "at": 499}));
        assert!(built <= 2, "{built} context objects for 500 items");
    }

    #[test]
    fn the_limit_follows_the_mode_and_the_number() {
        for (distributed, n, expected) in LIMITS {
            assert_eq!(
                concurrency_limit(distributed, n),
                expected,
                "distributed {distributed}, MaxConcurrency {n}"
            );
        }
    }
}
