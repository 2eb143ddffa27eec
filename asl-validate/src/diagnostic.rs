//! One finding: a code, a message and the JSON pointer of the node it is about.

use crate::codes::{Code, Severity};

/// A problem (or a possible problem) in a definition.
///
/// It keeps the JSON pointer only; line and column are computed when the diagnostic is rendered,
/// because the same definition may sit at the top of a file or deep inside a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem.
    pub code: Code,
    /// A sentence for a person.
    pub message: String,
    /// JSON pointer into the definition (`/States/A/Next`); `""` is the whole definition.
    pub pointer: String,
    /// For invalid JSON: the byte offset where the JSON parser stopped.
    pub offset: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic at `pointer`.
    pub fn new(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            pointer: pointer.into(),
            offset: None,
        }
    }

    /// The severity of its code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The `location` AWS reports: the pointer, or `/` for the whole definition.
    pub fn location(&self) -> &str {
        if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        }
    }
}

/// Escapes one JSON pointer token (`~` and `/`).
pub(crate) fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}
