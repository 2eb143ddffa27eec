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
    ///
    /// AWS places a malformed value inside a payload template (a bad path or intrinsic call
    /// under `Parameters`, a bad expression inside `Output`, ...) at the template field itself
    /// (`... must be a valid JSONPath or a valid intrinsic function call at
    /// /States/A/Parameters`), so such a schema error's location stops there; its
    /// [`pointer`](Self::pointer) still names the exact node, for line and column.
    pub fn location(&self) -> &str {
        if self.pointer.is_empty() {
            return "/";
        }
        if self.code == Code::SchemaValidationFailed
            && let Some(end) = template_field_end(&self.pointer)
        {
            return &self.pointer[..end];
        }
        &self.pointer
    }
}

/// The fields of a state whose value is a payload template (JSONPath) or may hold JSONata
/// expressions at any depth.
const TEMPLATE_FIELDS: &[&str] = &[
    "Parameters",
    "ResultSelector",
    "ItemSelector",
    "Arguments",
    "Output",
    "Assign",
];

/// Where the template field ends in `pointer`, when the pointer goes inside one:
/// `/States/A/Parameters/x.$` -> the length of `/States/A/Parameters`. Nested workflows
/// (`Branches/N`, `ItemProcessor`, `Iterator`) are walked through.
fn template_field_end(pointer: &str) -> Option<usize> {
    let tokens: Vec<&str> = pointer.strip_prefix('/')?.split('/').collect();
    let mut i = 0;
    while tokens.get(i) == Some(&"States") {
        let field = *tokens.get(i + 2)?;
        match field {
            "Branches" => i += 4,
            "ItemProcessor" | "Iterator" => i += 3,
            _ if TEMPLATE_FIELDS.contains(&field) && tokens.len() > i + 3 => {
                return Some(tokens[..=i + 2].iter().map(|t| t.len() + 1).sum());
            }
            _ => return None,
        }
    }
    None
}

/// What one rule may still spend on diagnostics whose pointers can be as long as the input.
///
/// A rule that walks arbitrary JSON (a payload template, the keys of a text) can find an error
/// under every key of an object whose own key is a megabyte long; each diagnostic repeats that
/// key in its pointer. Such a rule stops reporting after
/// [`MAX_DIAGNOSTIC_BYTES`](asl_core::limits::MAX_DIAGNOSTIC_BYTES) of pointers and messages,
/// which no real definition comes near.
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    pub fn new() -> Self {
        Budget {
            left: asl_core::limits::MAX_DIAGNOSTIC_BYTES,
        }
    }

    /// Takes `bytes` if they are left.
    pub fn take(&mut self, bytes: usize) -> bool {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                true
            }
            None => {
                self.left = 0;
                false
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_location_of_template_errors() {
        let at = |code, p: &str| Diagnostic::new(code, p, "").location().to_string();
        let schema = Code::SchemaValidationFailed;
        assert_eq!(
            at(schema, "/States/A/Parameters/x.$"),
            "/States/A/Parameters"
        );
        assert_eq!(at(schema, "/States/A/Output/a/0"), "/States/A/Output");
        assert_eq!(at(schema, "/States/A/Output"), "/States/A/Output");
        assert_eq!(
            at(schema, "/States/M/ItemProcessor/States/B/Arguments/k"),
            "/States/M/ItemProcessor/States/B/Arguments"
        );
        assert_eq!(
            at(schema, "/States/A/Retry/0/ErrorEquals"),
            "/States/A/Retry/0/ErrorEquals"
        );
        assert_eq!(
            at(Code::NoDollar, "/States/A/Parameters/id"),
            "/States/A/Parameters/id"
        );
        assert_eq!(at(schema, ""), "/");
        assert_eq!(
            at(
                schema,
                "/States/P/Branches/1/States/Parameters/Parameters/States"
            ),
            "/States/P/Branches/1/States/Parameters/Parameters"
        );
    }
}
