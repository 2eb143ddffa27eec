//! `INVALID_JSON_DESCRIPTION` (error): the definition is not JSON.
//!
//! **Why**: nothing else can be checked; the position is the one where the JSON reader stopped.
//!
//! **Example**: `{"StartAt": "A",}` (a trailing comma).
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `INVALID_JSON_DESCRIPTION`; the documented behaviour behind it is cited by
//! `asl-validate --explain INVALID_JSON_DESCRIPTION` (`explain.rs`).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

pub(crate) fn report(source: &str, e: &serde_json::Error, out: &mut Vec<Diagnostic>) {
    let mut d = Diagnostic::new(
        Code::InvalidJsonDescription,
        "",
        format!("Invalid JSON: {e}"),
    );
    d.offset = Some(offset_of(source, e.line(), e.column()));
    out.push(d);
}

/// Byte offset of serde_json's 1-based line and column (its column counts bytes).
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + column.saturating_sub(1)).min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
