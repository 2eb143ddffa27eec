//! TestState's request: the members AWS checks before running anything (lengths, `context`,
//! `stateConfiguration`), and how the state's Retry and Catch would treat an error.

use asl_core::model::JitterStrategy;
use serde_json::{Map, Value};

use super::MAX_PAYLOAD;
use crate::api::error::{ApiError, ApiResult, ErrorCode};
use crate::api::input::Req;

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidDefinition, message)
}

pub(super) fn parse_json_member(req: &Req<'_>, field: &str) -> ApiResult<Option<Value>> {
    match req.opt_str(field)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
            ApiError::new(
                if field == "input" {
                    ErrorCode::InvalidExecutionInput
                } else {
                    ErrorCode::ValidationException
                },
                format!("Invalid {field}: '{e}'"),
            )
        }),
    }
}

/// A string member's length bounds, as AWS's model states them.
pub(super) fn check_len(req: &Req<'_>, field: &str, min: usize, max: usize) -> ApiResult<()> {
    if let Some(v) = req.opt_str_max(field, max)?
        && v.chars().count() < min
    {
        return Err(ApiError::validation(
            field,
            v,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    Ok(())
}

/// `stateConfiguration`: only `retrierRetryCount` changes what this emulator computes; the
/// `errorCausedByState` is checked against the model and otherwise not used (see the module
/// doc).
#[derive(Debug, Default)]
pub(super) struct StateConfiguration {
    pub retrier_retry_count: u64,
    /// Failed iterations of a mocked Map (`None`: not given).
    pub map_iteration_failure_count: Option<u64>,
    /// What a Distributed Map's ItemReader reads, as in its source (a CSV or JSON file).
    pub map_item_reader_data: Option<String>,
}

impl StateConfiguration {
    pub fn read(req: &Req<'_>) -> ApiResult<Self> {
        let Some(c) = req.opt_obj("stateConfiguration")? else {
            return Ok(Self::default());
        };
        let c = req.nested(c);
        let count = |f: &str| -> ApiResult<u64> {
            match c.opt_int(f)? {
                Some(n) if n < 0 => Err(ApiError::validation(
                    &format!("stateConfiguration.{f}"),
                    &n.to_string(),
                    "Member must have value greater than or equal to 0",
                )),
                n => Ok(n.unwrap_or(0).unsigned_abs()),
            }
        };
        let retrier_retry_count = count("retrierRetryCount")?;
        let map_iteration_failure_count = c
            .opt_int("mapIterationFailureCount")?
            .is_some()
            .then(|| count("mapIterationFailureCount"))
            .transpose()?;
        for (f, min, max) in [
            ("errorCausedByState", 1, 80),
            ("mapItemReaderData", 0, MAX_PAYLOAD),
        ] {
            check_len(&c, f, min, max).map_err(|mut e| {
                e.message = e.message.replace(
                    &format!("at '{f}'"),
                    &format!("at 'stateConfiguration.{f}'"),
                );
                e
            })?;
        }
        Ok(StateConfiguration {
            retrier_retry_count,
            map_iteration_failure_count,
            map_item_reader_data: c.opt_str("mapItemReaderData")?.map(str::to_string),
        })
    }
}

/// The `context` member: the whole of `$$`, checked field by field as AWS does.
pub(super) fn check_context(v: Value) -> ApiResult<Map<String, Value>> {
    let bad = |m: String| {
        ApiError::new(
            ErrorCode::ValidationException,
            format!("Invalid Context object provided: {m}"),
        )
    };
    let Value::Object(obj) = v else {
        return Err(bad("the Context object must be a JSON object".into()));
    };
    for (k, v) in &obj {
        let fields: &[&str] = match k.as_str() {
            "Execution" => &[
                "Id",
                "Input",
                "Name",
                "RoleArn",
                "StartTime",
                "RedriveCount",
                "RedriveTime",
            ],
            "State" => &["EnteredTime", "Name", "RetryCount"],
            "StateMachine" => &["Id", "Name"],
            "Task" => &["Token"],
            "Map" => {
                return Err(bad(
                    "'Map' field is not supported when mocking a Context object".into(),
                ));
            }
            other => return Err(bad(format!("Field '{other}' is not allowed"))),
        };
        let Some(inner) = v.as_object() else {
            return Err(bad(format!("{k} must be an object")));
        };
        for (f, fv) in inner {
            if !fields.contains(&f.as_str()) {
                return Err(bad(format!("Field '{f}' is not allowed")));
            }
            let text = !matches!(f.as_str(), "Input" | "RetryCount" | "RedriveCount");
            if text && !fv.is_string() {
                return Err(bad(format!("{k}.{f} must be a string")));
            }
        }
    }
    Ok(obj)
}

/// Whether a state is a Task with a `.sync` or `.waitForTaskToken` integration, the only
/// kind AWS lets a `context` carry `Task` for.
pub(super) fn waits_for_task(state: &Map<String, Value>) -> bool {
    let resource = state
        .get("Resource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    state.get("Type").and_then(Value::as_str) == Some("Task")
        && (resource.contains(".sync") || resource.ends_with(".waitForTaskToken"))
}

/// How the state's Retry and Catch treat its error, given the retries already spent.
#[derive(Debug, Default, PartialEq)]
pub(super) struct ErrorHandling {
    /// The retrier that matches the error.
    pub retry_index: Option<usize>,
    /// Whether that retrier has attempts left.
    pub retriable: bool,
    /// The delay before the next attempt (not given with full jitter: it is random).
    pub backoff_seconds: Option<u64>,
    /// The catcher that handles the error once no retry is left.
    pub catch_index: Option<usize>,
}

/// AWS's TestState does not retry: with `retrierRetryCount` retries spent, the first
/// matching retrier either has an attempt left (RETRIABLE, with its backoff) or is exhausted
/// and the error goes on to Catch.
pub(super) fn handle_error(
    state: &asl_core::State,
    error: &str,
    retries_spent: u64,
) -> ErrorHandling {
    let mut out = ErrorHandling::default();
    if let Some(i) = state
        .retry()
        .iter()
        .position(|r| r.error_equals.matches(error))
    {
        let r = &state.retry()[i];
        out.retry_index = Some(i);
        if let Some(d) = r.next_delay(retries_spent, 1.0) {
            out.retriable = true;
            out.backoff_seconds = (r.jitter == JitterStrategy::None).then_some(d.as_secs());
            return out;
        }
    }
    out.catch_index = state
        .catch()
        .iter()
        .position(|c| c.error_equals.matches(error));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(extra: Value) -> asl_core::State {
        let mut t =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
        t.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let sm = asl_core::StateMachine::from_value(&json!({"StartAt": "T", "States": {"T": t}}))
            .unwrap();
        sm.start_state().clone()
    }

    #[test]
    fn retrier_with_attempts_left_is_retriable_with_its_backoff() {
        // AWS's recorded answer: IntervalSeconds 1, BackoffRate 2, 4 retries spent -> 16 s.
        let s = task(json!({"Retry": [
            {"ErrorEquals": ["Other"]},
            {"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0}
        ]}));
        let h = handle_error(&s, "MockException", 4);
        assert_eq!(
            h,
            ErrorHandling {
                retry_index: Some(1),
                retriable: true,
                backoff_seconds: Some(16),
                catch_index: None
            }
        );
        let exhausted = handle_error(&s, "MockException", 5);
        assert_eq!(
            (exhausted.retry_index, exhausted.retriable),
            (Some(1), false)
        );
    }

    #[test]
    fn exhausted_or_unmatched_retry_goes_to_catch() {
        let s = task(json!({
            "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["X"], "Next": "T"}, {"ErrorEquals": ["States.ALL"], "Next": "T"}]
        }));
        let h = handle_error(&s, "E", 2);
        assert_eq!((h.retry_index, h.catch_index), (Some(0), Some(1)));
        assert_eq!(handle_error(&s, "X", 0).catch_index, Some(0));
        assert!(!handle_error(&s, "States.Runtime", 0).retriable);
        assert_eq!(handle_error(&s, "States.Runtime", 0).catch_index, None);
    }

    #[test]
    fn full_jitter_gives_no_backoff() {
        let s = task(json!({"Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}]}));
        let h = handle_error(&s, "E", 0);
        assert!(h.retriable);
        assert_eq!(h.backoff_seconds, None);
    }

    #[test]
    fn context_fields_are_checked_as_aws_does() {
        let msg = |v: Value| check_context(v).unwrap_err().message;
        // Messages as AWS recorded them.
        assert_eq!(
            msg(json!({"Execution": {"Id": 1}})),
            "Invalid Context object provided: Execution.Id must be a string"
        );
        assert_eq!(
            msg(json!({"Map": {}})),
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"
        );
        assert_eq!(
            msg(json!({"Execution": {"pokemon": "squirtle"}})),
            "Invalid Context object provided: Field 'pokemon' is not allowed"
        );
        assert_eq!(
            msg(json!({"Pokedex": {}})),
            "Invalid Context object provided: Field 'Pokedex' is not allowed"
        );
        assert!(check_context(json!({})).is_ok());
        assert!(
            check_context(json!({"Execution": {"Input": {"a": 1}, "Id": "x"},
                                 "State": {"RetryCount": 0}, "Task": {"Token": "t"}}))
            .is_ok()
        );
    }

    #[test]
    fn task_context_needs_a_waiting_integration() {
        let t = |r: &str| {
            json!({"Type": "Task", "Resource": r})
                .as_object()
                .unwrap()
                .clone()
        };
        assert!(waits_for_task(&t(
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        )));
        assert!(waits_for_task(&t(
            "arn:aws:states:::states:startExecution.sync:2"
        )));
        assert!(!waits_for_task(&t("arn:aws:states:::lambda:invoke")));
    }
}
