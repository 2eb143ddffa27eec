//! The error every data-flow function returns: an ASL error name plus the cause text AWS gives.

use std::fmt;

/// Predefined error names of the Amazon States Language.
///
/// They are data, not display text: a `Retry` or `Catch` matches on them by string equality.
pub mod names {
    /// Matches any error name (only valid alone and last in a Retry/Catch list).
    pub const ALL: &str = "States.ALL";
    /// The state ran longer than its `TimeoutSeconds`.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A task did not heartbeat within `HeartbeatSeconds`.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// Any task failure except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// The execution lacks permission for a task.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// A `ResultPath` could not be applied to the state input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A Parameters/ItemSelector field could not be evaluated.
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A Parallel branch failed.
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A payload or history limit was exceeded.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// A runtime error that no Retry can handle (e.g. an invalid path).
    pub const RUNTIME: &str = "States.Runtime";
    /// A JSONata expression failed to evaluate or returned a wrong type.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    /// A Map state's failures exceeded the tolerated threshold.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map ItemReader failed.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A Map ResultWriter failed.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
}

/// An ASL error: the `Error` name (e.g. `States.Runtime`) and the `Cause` text.
///
/// Data-flow functions return the cause AWS gives for the failing operation itself; the
/// interpreter adds the state prefix (`An error occurred while executing the state ...`) where
/// AWS adds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatesError {
    /// The error name, matched by `ErrorEquals`.
    pub error: String,
    /// The human-readable cause.
    pub cause: String,
}

impl StatesError {
    /// An error with any name.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime` with the given cause.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(names::RUNTIME, cause)
    }

    /// `States.IntrinsicFailure` with the given cause.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Self::new(names::INTRINSIC_FAILURE, cause)
    }

    /// `States.QueryEvaluationError` with the given cause.
    pub fn query_evaluation(cause: impl Into<String>) -> Self {
        Self::new(names::QUERY_EVALUATION_ERROR, cause)
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for StatesError {}

/// Result alias for data-flow functions.
pub type StatesResult<T> = Result<T, StatesError>;
