//! The limits every JSONata evaluation runs under, so that no expression can take the process
//! down: time, evaluation depth, sequence length, nesting of the expression text, and the
//! memory its values take.
//!
//! | limit | default | exceeded |
//! |---|---|---|
//! | [`JsonataLimits::timeout`] | 5 s | `D1012: Evaluation timeout after N milliseconds...` |
//! | [`JsonataLimits::max_depth`] | 10,000 nested evaluation steps (about 3,000 recursive calls) | `D1011: Stack overflow error...` |
//! | [`JsonataLimits::max_sequence`] | 1,000,000 items | `D2015: The maximum sequence length of N was exceeded.` |
//! | [`JsonataLimits::max_memory`] | 128 MiB live per evaluation | `U1004: ...memory limit...` |
//! | [`MAX_EXPRESSION_NESTING`] | 200 brackets deep | a syntax error at definition time |
//!
//! Each failure is a `States.QueryEvaluationError` like any other JSONata error, with the limit
//! named in its cause, so `Catch` handles it. The limits are process-wide
//! ([`set_limits`]): the server takes them from its command line.
//!
//! The memory limit needs a global allocator that reports to [`note_alloc`] and
//! [`note_dealloc`] (the `sfn-local` binary installs one). Without it the other limits still
//! hold. Accounting is per thread, while an evaluation runs on it: an evaluation never awaits,
//! so everything the thread allocates meanwhile is the evaluation's. When the live total passes
//! the limit, the evaluation is cancelled at its next step; one step can at most double a
//! value, so the process never holds much more than twice the limit for it.

use std::cell::{Cell, RefCell};
use std::sync::RwLock;
use std::time::Duration;

use jsonata_core::evaluator::{CancelToken, EvaluatorOptions};

/// Deepest bracket nesting (`(`, `[`, `{`) an expression may have. jsonata's parser recurses
/// once per level; AWS documents no bound, and no real expression comes near this.
pub const MAX_EXPRESSION_NESTING: usize = 200;

/// The limits of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonataLimits {
    /// Wall-clock time for one evaluation.
    pub timeout: Duration,
    /// Nested evaluation steps (recursive function calls count one or more each).
    pub max_depth: usize,
    /// Items in one sequence (ranges, maps, filters, ...).
    pub max_sequence: usize,
    /// Bytes the evaluation may hold at once.
    pub max_memory: usize,
}

impl Default for JsonataLimits {
    fn default() -> Self {
        JsonataLimits {
            timeout: Duration::from_secs(5),
            max_depth: 10_000,
            max_sequence: 1_000_000,
            max_memory: 128 * 1024 * 1024,
        }
    }
}

static LIMITS: RwLock<Option<JsonataLimits>> = RwLock::new(None);

/// Sets the limits for every evaluation from now on, in the whole process.
pub fn set_limits(limits: JsonataLimits) {
    *LIMITS.write().unwrap_or_else(|e| e.into_inner()) = Some(limits);
}

/// The limits in force on this thread: its own ([`set_thread_limits`]), or the process's.
pub fn limits() -> JsonataLimits {
    if let Some(own) = THREAD_LIMITS.with(Cell::get) {
        return own;
    }
    LIMITS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_default()
}

/// Sets limits for the evaluations on this thread only (`None`: the process's again). For
/// tests and embedders that run one execution per thread.
pub fn set_thread_limits(limits: Option<JsonataLimits>) {
    THREAD_LIMITS.with(|l| l.set(limits));
}

thread_local! {
    /// This thread's own limits, if set.
    static THREAD_LIMITS: Cell<Option<JsonataLimits>> = const { Cell::new(None) };
    /// Bytes allocated minus bytes freed on this thread since the evaluation began.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The memory limit of the evaluation running on this thread; 0 when none runs.
    static LIMIT: Cell<usize> = const { Cell::new(0) };
    /// Set once the evaluation on this thread went over its memory limit.
    static TRIPPED: Cell<bool> = const { Cell::new(false) };
    /// Cancels the evaluation running on this thread.
    static TOKEN: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Reports an allocation of `size` bytes on this thread. For a global allocator: it never
/// allocates, and does nothing unless an evaluation runs on this thread.
#[inline]
pub fn note_alloc(size: usize) {
    let Ok(limit) = LIMIT.try_with(Cell::get) else {
        return;
    };
    if limit == 0 {
        return;
    }
    let live = LIVE.with(|l| {
        let v = l.get().saturating_add(size as isize);
        l.set(v);
        v
    });
    if live > limit as isize && !TRIPPED.with(Cell::get) {
        TRIPPED.with(|t| t.set(true));
        // Borrowed only while the evaluation starts or ends, when this thread is not inside
        // the allocator for the same evaluation.
        let _ = TOKEN.try_with(|t| {
            if let Ok(token) = t.try_borrow()
                && let Some(token) = token.as_ref()
            {
                token.cancel();
            }
        });
    }
}

/// Reports that `size` bytes were freed on this thread (see [`note_alloc`]).
#[inline]
pub fn note_dealloc(size: usize) {
    let Ok(limit) = LIMIT.try_with(Cell::get) else {
        return;
    };
    if limit != 0 {
        LIVE.with(|l| l.set(l.get().saturating_sub(size as isize)));
    }
}

/// One evaluation's hold on this thread's accounting; dropping it ends the evaluation.
pub(crate) struct Metered {
    limits: JsonataLimits,
    token: CancelToken,
    /// Inside another evaluation on this thread: the account is the outer one's.
    nested: bool,
    /// The outer evaluation's token, back in place when this one ends.
    outer_token: Option<CancelToken>,
}

impl Metered {
    /// Starts metering an evaluation on this thread. An evaluation inside another (a host
    /// function evaluating again) keeps the outer one's account.
    pub(crate) fn start() -> Metered {
        let limits = limits();
        let token = CancelToken::new();
        let nested = LIMIT.with(Cell::get) != 0;
        let outer_token = TOKEN.with(|t| t.borrow_mut().replace(token.clone()));
        if !nested {
            LIVE.with(|l| l.set(0));
            TRIPPED.with(|t| t.set(false));
            LIMIT.with(|l| l.set(limits.max_memory.max(1)));
        }
        Metered {
            limits,
            token,
            nested,
            outer_token,
        }
    }

    /// The evaluator options for these limits.
    pub(crate) fn options(&self) -> EvaluatorOptions {
        EvaluatorOptions {
            timeout_ms: Some(self.limits.timeout.as_millis().min(u64::MAX as u128) as u64),
            cancel: Some(self.token.clone()),
            max_stack_depth: Some(self.limits.max_depth),
            max_sequence_length: Some(self.limits.max_sequence),
        }
    }

    /// Whether the evaluation went over its memory limit.
    pub(crate) fn over_memory(&self) -> bool {
        TRIPPED.with(Cell::get)
    }

    /// The cause text for an evaluation stopped by the memory limit.
    pub(crate) fn memory_message(&self) -> String {
        format!(
            "U1004: The expression used more than {} bytes of memory, the limit of a JSONata evaluation",
            self.limits.max_memory
        )
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        // A nested evaluation leaves the account (and a trip) to the outer one.
        if !self.nested {
            LIMIT.with(|l| l.set(0));
            LIVE.with(|l| l.set(0));
        }
        let token =
            TOKEN.with(|t| std::mem::replace(&mut *t.borrow_mut(), self.outer_token.take()));
        drop(token);
    }
}

/// Whether an expression's brackets nest deeper than [`MAX_EXPRESSION_NESTING`]. Brackets
/// inside string literals, names in backquotes and comments do not count.
pub(crate) fn too_deep(source: &str) -> bool {
    let b = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_EXPRESSION_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings() {
        let deep = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert!(!too_deep(&deep(MAX_EXPRESSION_NESTING)));
        assert!(too_deep(&deep(MAX_EXPRESSION_NESTING + 1)));
        let quoted = format!("\"{}\" & '{}'", "(".repeat(5000), "[".repeat(5000));
        assert!(!too_deep(&quoted));
        let commented = format!("/* {} */ 1", "{".repeat(5000));
        assert!(!too_deep(&commented));
        assert!(too_deep(&"[".repeat(5000)));
    }

    #[test]
    fn metering_is_per_evaluation_and_nests() {
        let outer = Metered::start();
        note_alloc(100);
        assert!(!outer.over_memory());
        {
            let inner = Metered::start();
            note_alloc(outer.limits.max_memory);
            assert!(inner.over_memory());
        }
        assert!(outer.over_memory());
        drop(outer);
        let next = Metered::start();
        assert!(!next.over_memory());
        note_dealloc(1 << 40);
        note_alloc(1);
        assert!(!next.over_memory());
    }
}
