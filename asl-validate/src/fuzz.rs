//! One entry point for fuzzing: arbitrary bytes through everything that reads a definition.
//!
//! A `cargo fuzz` target calls [`fuzz_input`] with the bytes it was given and asserts
//! [`Work::is_proportional`]; a stable test replays a corpus the same way. A crash (a panic, a
//! stack overflow) or a disproportionate step count is a finding.
//!
//! ```
//! let work = asl_validate::fuzz_input(br#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#);
//! assert!(work.is_proportional(), "{work:?}");
//! ```

use std::path::Path;

use asl_core::StateMachine;
use asl_core::parse::work;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::render::{self, Format};
use crate::source::{self, Uris};
use crate::{validate, validate_value, validate_yaml};

/// What reading one input cost: its size, the size of what was found, and the steps counted
/// by [`asl_core::parse::work`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Bytes of the input.
    pub bytes: usize,
    /// Bytes of the diagnostics made (pointers and messages). Placing a diagnostic in its file
    /// costs its pointer's length; how much they hold is bounded by
    /// [`MAX_DIAGNOSTIC_BYTES`](asl_core::limits::MAX_DIAGNOSTIC_BYTES) per rule.
    pub diagnostic_bytes: usize,
    /// Steps the passes counted.
    pub steps: u64,
}

/// Steps any input may take, however short it is.
pub const BASE_STEPS: u64 = 10_000;

/// Steps per byte of input and of diagnostics that reading the input may take, on top of
/// [`BASE_STEPS`]. Every entry point of [`fuzz_input`] together, on every shape the tests try,
/// stays under it; a pass that is quadratic in some dimension of the input goes over it on a
/// few kilobytes.
pub const MAX_STEPS_PER_BYTE: u64 = 256;

impl Work {
    /// Whether the steps are within [`BASE_STEPS`] + [`MAX_STEPS_PER_BYTE`] per byte of input
    /// and of diagnostics.
    pub fn is_proportional(&self) -> bool {
        let bytes = (self.bytes + self.diagnostic_bytes) as u64;
        self.steps <= BASE_STEPS + MAX_STEPS_PER_BYTE * bytes
    }
}

/// Bytes of pointers and messages.
pub(crate) fn size(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .map(|d| d.pointer.len() + d.message.len())
        .sum()
}

/// Runs `bytes` through every entry point that reads a definition: [`validate`],
/// [`validate_yaml`] and asl-core's parser on the text, [`validate_value`] on the decoded JSON,
/// and the CLI's reader on the bytes as a `.json` file, a `.yaml` file and stdin (definitions and
/// templates; a template's `DefinitionUri` is not followed), with its findings rendered in every
/// output format. Returns the steps it took.
pub fn fuzz_input(bytes: &[u8]) -> Work {
    let (diagnostic_bytes, steps) = work::measure(|| {
        let mut found = 0;
        if let Ok(text) = std::str::from_utf8(bytes) {
            found += size(&validate(text));
            found += size(&validate_yaml(text));
            if let Err(e) = StateMachine::from_str(text) {
                found += e
                    .errors
                    .iter()
                    .map(|e| e.pointer.len() + e.message.len())
                    .sum::<usize>();
            }
        }
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            found += size(&validate_value(&value));
        }
        for (name, path) in [
            ("input.json", Some(Path::new("input.json"))),
            ("input.yaml", Some(Path::new("input.yaml"))),
            ("<stdin>", None),
        ] {
            let reports = source::check_bytes(name, path, bytes.to_vec(), true, Uris::Skip);
            for r in &reports {
                found += r
                    .diagnostics
                    .iter()
                    .map(|l| l.diag.pointer.len() + l.diag.message.len())
                    .sum::<usize>();
            }
            for format in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
                let _ = render::render(format, &reports);
            }
        }
        found
    });
    Work {
        bytes: bytes.len(),
        diagnostic_bytes,
        steps,
    }
}
