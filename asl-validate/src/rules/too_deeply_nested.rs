//! `TOO_DEEPLY_NESTED` (error): objects and arrays nest deeper than can be processed.
//!
//! **Why**: AWS caps how deeply a definition may nest. It does not publish the number; we use
//! the depth our JSON reader accepts (128), so every definition we can read at all is checked by
//! the other rules, and a deeper one is reported with this code rather than as broken JSON.
//!
//! **Example**: a `Parameters` value made of 200 nested arrays.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// The deepest nesting accepted.
pub(crate) const MAX_DEPTH: usize = 127;

/// True (and reported) when `depth` is over the limit.
pub(crate) fn check_depth(depth: usize, out: &mut Vec<Diagnostic>) -> bool {
    let over = depth > MAX_DEPTH;
    if over {
        out.push(Diagnostic::new(
            Code::TooDeeplyNested,
            "",
            format!("The definition nests {depth} levels deep; at most {MAX_DEPTH} are supported"),
        ));
    }
    over
}
