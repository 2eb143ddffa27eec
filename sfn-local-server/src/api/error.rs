//! API errors as AWS returns them: `{"__type": ..., "message": ...}` with an HTTP status.

use serde_json::{Value, json};

/// The namespace AWS Step Functions puts before its error names in `__type`.
const NAMESPACE: &str = "com.amazonaws.swf.service.v2.model#";

/// One API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error shape's name (`InvalidArn`, `ValidationException`, ...).
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// HTTP status (400 for client errors).
    pub status: u16,
    /// `reason` for ValidationException.
    pub reason: Option<&'static str>,
}

/// API result.
pub type ApiResult<T = Value> = Result<T, ApiError>;

impl ApiError {
    /// A 400 error.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            status: 400,
            reason: None,
        }
    }

    /// The response body.
    pub fn body(&self) -> Value {
        let mut b = json!({"__type": format!("{NAMESPACE}{}", self.code), "message": self.message});
        if let Some(r) = self.reason {
            b["reason"] = json!(r);
        }
        b
    }

    /// `ValidationException` in AWS's "1 validation error detected" form.
    pub fn validation(field: &str, value: &str, constraint: &str) -> Self {
        ApiError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    /// `InvalidArn`.
    pub fn invalid_arn(arn: &str) -> Self {
        ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'"))
    }

    /// `InvalidName`.
    pub fn invalid_name(name: &str) -> Self {
        ApiError::new("InvalidName", format!("Invalid Name: '{name}'"))
    }

    /// `StateMachineDoesNotExist`.
    pub fn no_state_machine(arn: &str) -> Self {
        ApiError::new(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    /// `ExecutionDoesNotExist`.
    pub fn no_execution(arn: &str) -> Self {
        ApiError::new(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        )
    }

    /// `ActivityDoesNotExist`.
    pub fn no_activity(arn: &str) -> Self {
        ApiError::new(
            "ActivityDoesNotExist",
            format!("Activity Does Not Exist: '{arn}'"),
        )
    }

    /// `ResourceNotFound`.
    pub fn no_resource(arn: &str) -> Self {
        ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'"))
    }

    /// A 500.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            code: "InternalFailure",
            message: message.into(),
            status: 500,
            reason: None,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(e.to_string())
    }
}
