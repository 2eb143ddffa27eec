//! A count of the elementary steps that reading and checking a definition took, on this thread.
//!
//! Every pass over a definition (the parser, the validator's text scan, its rules, the locator)
//! adds what it does: one per node or edge visited, one per byte scanned or copied into a JSON
//! pointer. Writing out a diagnostic's pointer is not counted: what diagnostics hold is bounded
//! by [`MAX_DIAGNOSTIC_BYTES`](crate::limits::MAX_DIAGNOSTIC_BYTES) instead. Tests compare the count with the size of the input, which says what timings cannot
//! say reliably: that the work grows in proportion to the input, whatever its shape (a lint
//! that is quadratic in the number of states counts `n²` here, on any machine).
//!
//! The counter is a thread-local integer; counting costs an addition.
//!
//! ```
//! use asl_core::{StateMachine, parse::work};
//! let (parsed, steps) = work::measure(|| {
//!     StateMachine::from_str(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)
//! });
//! assert!(parsed.is_ok());
//! assert!(steps > 0);
//! ```

use std::cell::Cell;

thread_local! {
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// Adds `steps` to this thread's count.
#[inline]
pub fn count(steps: usize) {
    STEPS.with(|s| s.set(s.get().wrapping_add(steps as u64)));
}

/// Runs `f` and returns its result with the steps counted while it ran.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = STEPS.with(Cell::get);
    let out = f();
    let after = STEPS.with(Cell::get);
    (out, after.wrapping_sub(before))
}
