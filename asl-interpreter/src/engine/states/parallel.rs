//! Parallel: its branches run concurrently, each a state machine of its own; the first
//! failure aborts the others.

use asl_core::model::Parallel;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value};

use crate::engine::TaskFailure;
use crate::engine::driver::run_machine;
use crate::engine::exec::{AbortOnStop, Exec, Thread};
use crate::engine::kernel::{Next, StateError, StateRun};
use crate::engine::retry::RetryState;
use crate::history::EventType;

pub(super) async fn parallel(run: &mut StateRun<'_>, p: &Parallel) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let branch_input = match &state.io.parameters {
        Some(t) => run.eval_template(t, &effective, None, None, "Arguments")?,
        None => effective.into_owned(),
    };
    let mut retries = RetryState::new(p.retry.len());
    let results = loop {
        let started = run
            .exec
            .emit(run.thread, EventType::ParallelStateStarted, None);
        let threads: Vec<Thread> = p
            .branches
            .iter()
            .map(|_| Thread::starting_at(started))
            .collect();
        // Declared before the branches' futures, so dropped after them.
        let _on_stop = AbortOnStop {
            exec: run.exec.clone(),
            abort: {
                let threads = threads.clone();
                move |exec: &Exec| abort_threads(exec, &threads, 0)
            },
        };
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
        let mut failed: Option<(usize, TaskFailure)> = None;
        let mut last = started;
        while let Some((i, r)) = futs.next().await {
            match r {
                Ok(v) => {
                    results[i] = v;
                    // The branch that ended last ends the state: the greatest end, which
                    // is also the recorded one when a resume replays them in another order.
                    last = last.max(threads[i].cursor());
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
                run.exec
                    .emit_after(last, EventType::ParallelStateSucceeded, None);
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
                    .emit_after(failing_cursor, EventType::ParallelStateFailed, None);
                run.thread.set_cursor(id);
                return Err(StateError::Plain(f));
            }
        }
    };
    let (out, assigned) = run.finish(&state.io, Some(Value::Array(results)))?;
    run.exit(out, assigned, None)
}

/// Emits `<Type>StateAborted` for every branch still inside a state, the failing one first.
fn abort_inflight(run: &StateRun<'_>, threads: &[Thread], failing: usize) {
    abort_threads(run.exec, threads, failing);
}

/// [`abort_inflight`] on an execution.
fn abort_threads(exec: &Exec, threads: &[Thread], failing: usize) {
    let order = std::iter::once(failing).chain((0..threads.len()).filter(|&j| j != failing));
    for j in order {
        let (inflight, cursor) = {
            let t = threads[j].lock();
            (t.inflight, t.cursor)
        };
        if let Some(ty) = inflight {
            let id = exec.emit_after(cursor, ty, None);
            let mut t = threads[j].lock();
            t.cursor = id;
            t.inflight = None;
        }
    }
}
