//! API errors as AWS returns them: `{"__type": ..., "message": ...}` with an HTTP status.

use serde_json::{Value, json};

/// The namespace AWS Step Functions puts before its error names in `__type`.
const NAMESPACE: &str = "com.amazonaws.swf.service.v2.model#";

/// The AWS exception names this server answers with (the `__type` after the namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is the AWS exception of the same name
pub enum ErrorCode {
    AccessDeniedException,
    ActivityAlreadyExists,
    ActivityDoesNotExist,
    ConflictException,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InternalFailure,
    InvalidArn,
    InvalidDefinition,
    InvalidEncryptionConfiguration,
    InvalidExecutionInput,
    InvalidLoggingConfiguration,
    InvalidName,
    InvalidOutput,
    InvalidToken,
    MissingRequiredParameter,
    RequestEntityTooLargeException,
    ResourceNotFound,
    SerializationException,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    TaskTimedOut,
    TooManyTags,
    UnknownOperationException,
    ValidationException,
}

impl ErrorCode {
    /// The exception's name as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AccessDeniedException => "AccessDeniedException",
            ErrorCode::ActivityAlreadyExists => "ActivityAlreadyExists",
            ErrorCode::ActivityDoesNotExist => "ActivityDoesNotExist",
            ErrorCode::ConflictException => "ConflictException",
            ErrorCode::ExecutionAlreadyExists => "ExecutionAlreadyExists",
            ErrorCode::ExecutionDoesNotExist => "ExecutionDoesNotExist",
            ErrorCode::ExecutionNotRedrivable => "ExecutionNotRedrivable",
            ErrorCode::InternalFailure => "InternalFailure",
            ErrorCode::InvalidArn => "InvalidArn",
            ErrorCode::InvalidDefinition => "InvalidDefinition",
            ErrorCode::InvalidEncryptionConfiguration => "InvalidEncryptionConfiguration",
            ErrorCode::InvalidExecutionInput => "InvalidExecutionInput",
            ErrorCode::InvalidLoggingConfiguration => "InvalidLoggingConfiguration",
            ErrorCode::InvalidName => "InvalidName",
            ErrorCode::InvalidOutput => "InvalidOutput",
            ErrorCode::InvalidToken => "InvalidToken",
            ErrorCode::MissingRequiredParameter => "MissingRequiredParameter",
            ErrorCode::RequestEntityTooLargeException => "RequestEntityTooLargeException",
            ErrorCode::ResourceNotFound => "ResourceNotFound",
            ErrorCode::SerializationException => "SerializationException",
            ErrorCode::StateMachineAlreadyExists => "StateMachineAlreadyExists",
            ErrorCode::StateMachineDoesNotExist => "StateMachineDoesNotExist",
            ErrorCode::StateMachineTypeNotSupported => "StateMachineTypeNotSupported",
            ErrorCode::TaskTimedOut => "TaskTimedOut",
            ErrorCode::TooManyTags => "TooManyTags",
            ErrorCode::UnknownOperationException => "UnknownOperationException",
            ErrorCode::ValidationException => "ValidationException",
        }
    }
}

impl ErrorCode {
    /// The HTTP status AWS answers it with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::AccessDeniedException => 403,
            ErrorCode::RequestEntityTooLargeException => 413,
            ErrorCode::InternalFailure => 500,
            _ => 400,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error shape's name (`InvalidArn`, `ValidationException`, ...).
    pub code: ErrorCode,
    /// The message.
    pub message: String,
    /// `reason` for ValidationException.
    pub reason: Option<&'static str>,
}

/// API result.
pub type ApiResult<T = Value> = Result<T, ApiError>;

impl ApiError {
    /// An error with its message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            reason: None,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.code.http_status()
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
            ErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    /// `InvalidArn`.
    pub fn invalid_arn(arn: &str) -> Self {
        ApiError::new(ErrorCode::InvalidArn, format!("Invalid Arn: '{arn}'"))
    }

    /// `InvalidName`.
    pub fn invalid_name(name: &str) -> Self {
        ApiError::new(ErrorCode::InvalidName, format!("Invalid Name: '{name}'"))
    }

    /// `StateMachineDoesNotExist`.
    pub fn no_state_machine(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::StateMachineDoesNotExist,
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    /// `ExecutionDoesNotExist`.
    pub fn no_execution(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ExecutionDoesNotExist,
            format!("Execution Does Not Exist: '{arn}'"),
        )
    }

    /// `ActivityDoesNotExist`.
    pub fn no_activity(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ActivityDoesNotExist,
            format!("Activity Does Not Exist: '{arn}'"),
        )
    }

    /// `ResourceNotFound`.
    pub fn no_resource(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("Resource not found: '{arn}'"),
        )
    }

    /// A 500.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InternalFailure, message)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(e.to_string())
    }
}
