//! One body per state type, behind one dispatch point ([`run`]).

mod choice;
mod map;
mod parallel;
mod simple;
mod task;
mod wait;

use asl_core::StateKind;

use super::TaskFailure;
use super::kernel::{Next, StateError, StateRun};

/// What a state's body ended with: the next state, an error Catch may handle, or (a Fail
/// state) a failure that leaves the state as it is.
pub(super) enum Body {
    Done(Result<Next, StateError>),
    Failed(TaskFailure),
}

/// Runs the body of `run`'s state.
pub(super) async fn run(run: &mut StateRun<'_>) -> Body {
    let state = run.state;
    Body::Done(match &state.kind {
        StateKind::Pass(p) => simple::pass(run, p.result.as_ref()),
        StateKind::Succeed => simple::succeed(run),
        StateKind::Fail(f) => return Body::Failed(simple::fail(run, f)),
        StateKind::Choice(c) => choice::choice(run, c),
        // The states that wait are boxed: their futures are large, and inline they would make
        // every branch's future (one per Map iteration) as large as the largest of them.
        StateKind::Wait(w) => Box::pin(wait::wait(run, w)).await,
        StateKind::Task(t) => Box::pin(task::task(run, t)).await,
        StateKind::Parallel(p) => Box::pin(parallel::parallel(run, p)).await,
        StateKind::Map(m) => Box::pin(map::map(run, m)).await,
    })
}
