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

/// Whether a Retry or Catch whose `ErrorEquals` lists `error_equals` handles `error`: the one
/// rule for Retry, Catch and the engine's state runner.
///
/// - A terminal error (see [`is_terminal`]) is handled by nothing, not even by its own name.
/// - `States.ALL` handles every other error.
/// - `States.TaskFailed` handles every other error except `States.Timeout`.
/// - Any other name handles exactly that error.
pub fn error_equals_matches<S: AsRef<str>>(error_equals: &[S], error: &str) -> bool {
    if is_terminal(error) {
        return false;
    }
    error_equals.iter().any(|e| match e.as_ref() {
        names::ALL => true,
        names::TASK_FAILED => error != names::TIMEOUT,
        other => other == error,
    })
}

/// Whether `error` ends the execution whatever the state's `Retry` and `Catch` say.
///
/// AWS's error-handling page ("Handling errors in Step Functions workflows",
/// <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>) says
/// `States.ALL` cannot catch the `States.Runtime` error type nor the terminal
/// `States.DataLimitExceeded`. Recorded executions refine it:
/// - `States.Runtime` is not caught even by a Catch that names it (`ErrorEquals:
///   ["States.Runtime"]`: the execution fails with no `<Type>StateExited`), and never retried.
/// - A task's `States.DataLimitExceeded` (a result over the payload quota) *is* caught, by
///   `States.ALL` as by its own name, so it is not terminal here: where the page and recorded
///   executions disagree, the recorded behaviour wins.
pub fn is_terminal(error: &str) -> bool {
    error == names::RUNTIME
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `(error, ErrorEquals, handled)`.
    const CASES: &[(&str, &[&str], bool)] = &[
        // A custom error: its name, States.ALL and States.TaskFailed.
        ("Custom.Error", &["Custom.Error"], true),
        ("Custom.Error", &["Other.Error"], false),
        ("Custom.Error", &[names::ALL], true),
        ("Custom.Error", &[names::TASK_FAILED], true),
        ("Custom.Error", &["Other.Error", "Custom.Error"], true),
        // States.Timeout: everything but States.TaskFailed.
        (names::TIMEOUT, &[names::TIMEOUT], true),
        (names::TIMEOUT, &[names::ALL], true),
        (names::TIMEOUT, &[names::TASK_FAILED], false),
        (names::HEARTBEAT_TIMEOUT, &[names::TASK_FAILED], true),
        // States.Runtime is terminal: not even its own name handles it.
        (names::RUNTIME, &[names::RUNTIME], false),
        (names::RUNTIME, &[names::ALL], false),
        (names::RUNTIME, &[names::TASK_FAILED], false),
        (names::RUNTIME, &[names::RUNTIME, names::ALL], false),
        // A task's States.DataLimitExceeded is caught, as recorded on AWS.
        (
            names::DATA_LIMIT_EXCEEDED,
            &[names::DATA_LIMIT_EXCEEDED],
            true,
        ),
        (names::DATA_LIMIT_EXCEEDED, &[names::ALL], true),
        (names::DATA_LIMIT_EXCEEDED, &[names::TASK_FAILED], true),
        // Other predefined errors.
        (names::BRANCH_FAILED, &[names::ALL], true),
        (names::NO_CHOICE_MATCHED, &[names::NO_CHOICE_MATCHED], true),
        (names::QUERY_EVALUATION_ERROR, &[names::ALL], true),
        // Names match exactly (case included).
        ("custom.error", &["Custom.Error"], false),
        ("", &[names::ALL], true),
        ("", &["Custom.Error"], false),
    ];

    #[test]
    fn error_equals_table() {
        for (error, equals, handled) in CASES {
            assert_eq!(
                error_equals_matches(equals, error),
                *handled,
                "{error} against {equals:?}"
            );
        }
    }

    #[test]
    fn only_states_runtime_is_terminal() {
        assert!(is_terminal(names::RUNTIME));
        for e in [
            names::DATA_LIMIT_EXCEEDED,
            names::TIMEOUT,
            names::ALL,
            "Custom",
        ] {
            assert!(!is_terminal(e), "{e}");
        }
    }
}
