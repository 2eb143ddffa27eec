//! CloudWatch Logs, as far as Step Functions writes to it and its readers read it.
//!
//! - `execution_logs.rs`: which history events an execution logs (its state machine's
//!   `loggingConfiguration`), the record AWS writes for each, its log group and stream.
//! - `api.rs`: the CloudWatch Logs API (`Logs_20140328.*`) on the same endpoint.
//! - `pattern.rs`: filter patterns (`FilterLogEvents`, `aws logs tail --filter-pattern`).
//! - `tail.rs`: `sfn-local logs GROUP [--follow] [--filter P]`, a client of that API.
//!
//! The groups, streams and events live in the store (`store/logs.rs`).

pub mod api;
pub mod execution_logs;
pub mod pattern;
pub mod tail;

pub use execution_logs::{ExecutionLogs, LogConfig, LogTarget};
pub use pattern::{FilterPattern, fuzz_pattern};
