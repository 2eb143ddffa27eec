//! `ASL004` Retry or Catch entry that can never be used (warning).
//!
//! **What**: an entry whose every error name is already handled by an earlier entry of the
//! same list: named there, or covered by `States.TaskFailed` (which matches every error but
//! `States.Timeout` and the terminal `States.Runtime`/`States.DataLimitExceeded`).
//!
//! **Why**: the first matching entry wins, so the later one is dead; its order is usually a
//! mistake (the specific entry should come first).
//!
//! **Example**: `[{"ErrorEquals": ["States.TaskFailed"]}, {"ErrorEquals": ["MyError"]}]`.

use std::collections::HashSet;

use asl_core::error::names;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx.states() {
        let retry: Vec<_> = state
            .retry()
            .iter()
            .map(|r| (&r.error_equals.errors, &r.pointer))
            .collect();
        let catch: Vec<_> = state
            .catch()
            .iter()
            .map(|c| (&c.error_equals.errors, &c.pointer))
            .collect();
        for (field, entries) in [("Retry", retry), ("Catch", catch)] {
            let mut named: HashSet<&str> = HashSet::new();
            let mut task_failed = false;
            for (errors, pointer) in entries {
                let covered = |e: &str| {
                    named.contains(e)
                        || (task_failed
                            && e != names::TIMEOUT
                            && e != names::RUNTIME
                            && e != names::DATA_LIMIT_EXCEEDED
                            && e != names::ALL)
                };
                if !errors.is_empty() && errors.iter().all(|e| covered(e)) {
                    out.push(Diagnostic::new(
                        Code::CatchNeverMatches,
                        pointer.clone(),
                        format!(
                            "This {field} entry is never used: earlier entries already handle {}",
                            errors.join(", ")
                        ),
                    ));
                }
                for e in errors {
                    named.insert(e);
                    task_failed |= e == names::TASK_FAILED;
                }
            }
        }
    }
}
