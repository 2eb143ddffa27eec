//! The limits a user can change on the command line of `serve` and `run`: those of JSONata
//! evaluations ([`asl_core::jsonata::budget`]). The others are AWS's and fixed (see the
//! README's "Limits").

use std::time::Duration;

use asl_core::jsonata::budget::{self, JsonataLimits};

/// JSONata limits, each defaulting to [`JsonataLimits::default`].
#[derive(Debug, Clone, Default, clap::Args)]
pub struct JsonataArgs {
    /// Longest one JSONata evaluation may run, in milliseconds [default: 5000].
    #[arg(long, value_name = "MS", env = "SFN_LOCAL_JSONATA_TIMEOUT_MS")]
    pub jsonata_timeout_ms: Option<u64>,
    /// Memory one JSONata evaluation may hold, in MiB [default: 128].
    #[arg(long, value_name = "MIB", env = "SFN_LOCAL_JSONATA_MAX_MEMORY_MIB")]
    pub jsonata_max_memory_mib: Option<usize>,
    /// Deepest nesting of JSONata evaluation steps [default: 10000].
    #[arg(long, value_name = "N", env = "SFN_LOCAL_JSONATA_MAX_DEPTH")]
    pub jsonata_max_depth: Option<usize>,
    /// Most items in one JSONata sequence [default: 1000000].
    #[arg(long, value_name = "N", env = "SFN_LOCAL_JSONATA_MAX_SEQUENCE")]
    pub jsonata_max_sequence: Option<usize>,
}

impl JsonataArgs {
    /// The limits these arguments give.
    pub fn limits(&self) -> JsonataLimits {
        let d = JsonataLimits::default();
        JsonataLimits {
            timeout: self
                .jsonata_timeout_ms
                .map_or(d.timeout, Duration::from_millis),
            max_depth: self.jsonata_max_depth.unwrap_or(d.max_depth),
            max_sequence: self.jsonata_max_sequence.unwrap_or(d.max_sequence),
            max_memory: self
                .jsonata_max_memory_mib
                .map_or(d.max_memory, |m| m.saturating_mul(1024 * 1024)),
        }
    }

    /// Puts them in force for the whole process.
    pub fn apply(&self) {
        budget::set_limits(self.limits());
    }
}
