//! Parse errors: an AWS diagnostic code, a JSON pointer and a message.

use std::fmt;

use super::location::{LineCol, locate};

/// The diagnostic codes AWS's `ValidateStateMachineDefinition` uses for the problems the parser
/// finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The text is not JSON.
    InvalidJsonDescription,
    /// A field is unknown, has the wrong type, is missing, or a value is malformed.
    SchemaValidationFailed,
    /// `Next`, `Default` or `StartAt` names a state that does not exist.
    MissingTransitionTarget,
    /// A state name is empty or too long.
    InvalidStateName,
}

impl ErrorCode {
    /// The code as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            ErrorCode::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            ErrorCode::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            ErrorCode::InvalidStateName => "INVALID_STATE_NAME",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What kind of problem.
    pub code: ErrorCode,
    /// JSON pointer of the offending node (`/States/A/Next`); `""` is the document.
    pub pointer: String,
    /// The message, worded like AWS's.
    pub message: String,
    /// For invalid JSON, the position the JSON parser reported.
    pub position: Option<LineCol>,
}

impl ParseError {
    pub(crate) fn schema(pointer: &str, message: impl Into<String>) -> Self {
        ParseError {
            code: ErrorCode::SchemaValidationFailed,
            pointer: pointer.to_string(),
            message: message.into(),
            position: None,
        }
    }

    /// The location AWS reports: the pointer, or `/` for the document.
    pub fn location(&self) -> &str {
        if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        }
    }

    /// Line and column of the problem in `source` (1-based).
    pub fn line_col(&self, source: &str) -> Option<LineCol> {
        self.position.or_else(|| locate(source, &self.pointer))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} at {}", self.code, self.message, self.location())
    }
}

/// All problems found in a definition (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseErrors {
    /// The problems, in document order of discovery.
    pub errors: Vec<ParseError>,
}

impl ParseErrors {
    /// Render each error with its line and column in `source`.
    pub fn render(&self, source: &str) -> String {
        let mut out = String::new();
        for e in &self.errors {
            match e.line_col(source) {
                Some(lc) => out.push_str(&format!("{}:{}: {e}\n", lc.line, lc.column)),
                None => out.push_str(&format!("{e}\n")),
            }
        }
        out
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // AWS's InvalidDefinition message shape: "Invalid State Machine Definition: 'A, B'".
        let parts: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        write!(
            f,
            "Invalid State Machine Definition: '{}'",
            parts.join(", ")
        )
    }
}

impl std::error::Error for ParseErrors {}
