//! `ASL005` Catch without `ResultPath` (warning, JSONPath states).
//!
//! **What**: a Catch entry with no `ResultPath`, so the error output (`Error`, `Cause`)
//! replaces the whole state input for the fallback state.
//!
//! **Why**: the fallback usually needs the original input too (to report which order failed);
//! `"ResultPath": "$.error"` keeps both. Write `"ResultPath": "$"` to replace on purpose.
//!
//! **Example**: `"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify"}]`.

use asl_core::QueryLanguage;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx
        .states()
        .filter(|s| s.query_language == QueryLanguage::JsonPath)
    {
        for c in state.catch() {
            let written = ctx
                .raw_at(&c.pointer)
                .and_then(|v| v.get("ResultPath"))
                .is_some();
            if !written {
                out.push(Diagnostic::new(
                    Code::CatchReplacesInput,
                    c.pointer.clone(),
                    format!(
                        "Without ResultPath, the error output replaces the whole input of '{}'; use \"ResultPath\": \"$.error\" to keep the input",
                        c.next
                    ),
                ));
            }
        }
    }
}
