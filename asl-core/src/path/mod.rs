//! JSONPath as AWS Step Functions runs it: the Jayway (Java) dialect, plus ASL Reference Paths
//! and `ResultPath` application.
//!
//! AWS compiles every `*Path` field and every `"key.$"` value with Jayway JsonPath, so its
//! tokenisation, its normalised path form (`$['a'][0]`) and its exception texts leak into
//! state-machine behaviour and error causes. This module reproduces them:
//!
//! * a *definite* path (only names and single indexes) yields one value or fails with Jayway's
//!   message, which AWS quotes: `Invalid path '$.x' : No results for path: $['x']` when the last
//!   step is missing, `Missing property in path $['no']` when an inner step is missing;
//! * an *indefinite* path (wildcard, slice, deep scan, filter, several indexes) yields a JSON
//!   array of every match, possibly empty, and never fails (AWS answers `[]` for
//!   `$.items[*]` on `{}`).
//!
//! Parsing happens once, when the state machine is loaded; evaluating a definite path borrows
//! from the document ([`JsonPath::select`]) and allocates nothing on success.

mod eval;
mod filter;
mod parse;
mod reference;
mod regex;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::scope::Scope;

pub use reference::{ReferencePath, apply_result_path, result_path_failure_cause};

use parse::{Cursor, Segment};

/// What a path starts from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Root {
    /// `$`: the current document (state input, task result, ... depending on the field).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: the ASL variable `name` (the name is stored without the `$`).
    Variable(String),
}

/// A compiled JSONPath.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    text: Box<str>,
    root: Root,
    /// The root as Jayway prints it in normalised paths (`$`, or `$name` for a variable).
    root_text: Box<str>,
    segments: Vec<Segment>,
    definite: bool,
}

/// A path that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid JSONPath '{text}': {message}")]
pub struct PathSyntaxError {
    /// The text that failed to compile.
    pub text: String,
    /// Byte offset in `text` where the problem was found.
    pub position: usize,
    /// What is wrong, in Jayway's wording where Jayway has one.
    pub message: String,
}

/// The JSON provider named in Jayway's "not a json object" message.
///
/// AWS's exact provider is not recorded in the conformance cases; Jackson is assumed.
pub const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JacksonJsonProvider";

/// Why a definite path selected nothing. `Display` gives Jayway's exception message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathEvalError {
    /// The last step was missing (or an index was out of range).
    #[error("No results for path: {path}")]
    NoResults {
        /// The whole path, normalised (`$['a']['b']`).
        path: String,
    },
    /// An inner property was missing.
    #[error("Missing property in path {path}")]
    MissingProperty {
        /// The path up to and including the missing property, normalised.
        path: String,
    },
    /// A property step met a value that is not an object.
    #[error(
        "Expected to find an object with property {fragment} in path {path} but found '{found}'. This is not a json object according to the JsonProvider: '{JSON_PROVIDER}'."
    )]
    NotAnObject {
        /// The property step, e.g. `['b']`.
        fragment: String,
        /// The path up to the non-object, normalised.
        path: String,
        /// The Java class Jayway reports for the value (`java.lang.String`, `null`, ...).
        found: &'static str,
    },
    /// An index step met `null`.
    #[error("The path {path} is null")]
    NullArray {
        /// The path up to the null, normalised.
        path: String,
    },
    /// An index step met a value that is not an array.
    #[error("Filter: {fragment} can only be applied to arrays. Current context is: {context}")]
    NotAnArray {
        /// The index step, e.g. `[0]`.
        fragment: String,
        /// The value met, as JSON.
        context: String,
    },
    /// `$name` where no variable `name` is visible.
    #[error("The variable '${name}' is not defined")]
    UndefinedVariable {
        /// The variable name without `$`.
        name: String,
    },
    /// A path function (`min()`, ...) could not compute its value.
    #[error("{message}")]
    Function {
        /// Jayway's message.
        message: String,
    },
}

/// AWS's cause for a path field (`InputPath`, `OutputPath`, `ItemsPath`, `*SecondsPath`, ...)
/// that selected nothing: `Invalid path '$.x' : No results for path: $['x']`.
pub fn invalid_path_cause(text: &str, err: &PathEvalError) -> String {
    format!("Invalid path '{text}' : {err}")
}

/// AWS's cause for a payload-template field (`"key.$": "$.x"`, `ErrorPath`, `CausePath`) whose
/// path selected nothing: `The JSONPath '$.x' specified for the field 'key.$' could not be found
/// in the input '<input as JSON>'`.
pub fn field_not_found_cause(text: &str, field: &str, input: &Value) -> String {
    format!(
        "The JSONPath '{text}' specified for the field '{field}' could not be found in the input '{input}'"
    )
}

/// `text` without the leading and trailing characters Java's `Character.isWhitespace` accepts
/// (Jayway's `CharacterIndex.trim`): ASCII blanks and controls `\t \n \x0B \x0C \r
/// \x1C-\x1F`, and Unicode space, line and paragraph separators except the no-break spaces.
pub fn trim_java_whitespace(text: &str) -> &str {
    text.trim_matches(is_java_whitespace)
}

fn is_java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{1C}'..='\u{1F}'
    ) || (c.is_whitespace()
        && !c.is_ascii_control()
        && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

/// True when no segment can select more than one value.
fn all_definite(segs: &[Segment]) -> bool {
    let n = segs.len();
    segs.iter()
        .enumerate()
        .all(|(i, s)| s.is_definite(i + 1 == n))
}

impl JsonPath {
    /// Compiles `text`: `$...`, `$$...` or `$name...`.
    ///
    /// Whitespace around the path is ignored, as Jayway's `PathCompiler` trims the text before
    /// reading it (`"$$.Execution.Name "` is accepted by AWS and selects the execution name);
    /// [`JsonPath::text`] keeps the text as written, which AWS quotes in its causes.
    pub fn parse(text: &str) -> Result<JsonPath, PathSyntaxError> {
        let trimmed = trim_java_whitespace(text);
        let lead = text.len() - text.trim_start_matches(is_java_whitespace).len();
        let mut c = Cursor::new(trimmed);
        let compiled = parse::parse_root(&mut c).and_then(|root| {
            let segments = parse::parse_segments(&mut c, false, 0)?;
            if c.at_end() {
                Ok((root, segments))
            } else {
                Err(c.err(format!("Unexpected character at position {}", c.pos)))
            }
        });
        let (root, segments) = compiled.map_err(|e| PathSyntaxError {
            text: text.to_owned(),
            position: e.position + lead,
            message: e.message,
        })?;
        let root_text: Box<str> = match &root {
            Root::Variable(name) => format!("${name}").into(),
            _ => "$".into(),
        };
        let definite = all_definite(&segments);
        Ok(JsonPath {
            text: text.into(),
            root,
            root_text,
            segments,
            definite,
        })
    }

    /// The text the path was compiled from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The root the path starts from.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True for a path that selects at most one value (no wildcard, slice, deep scan, filter
    /// or index list; a `['a','b']` list counts as definite only at the end, where Jayway
    /// merges the keys into one object).
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// True for the bare root (`$`, `$$`, `$name`).
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Evaluates the path; see [`JsonPath::select`] for the semantics.
    pub fn evaluate(&self, scope: &Scope<'_>) -> Result<Value, PathEvalError> {
        self.select(scope).map(Cow::into_owned)
    }

    /// Evaluates the path, borrowing from the scope when the path is definite.
    ///
    /// A definite path yields its value or the Jayway error; an indefinite path yields an
    /// array of all matches in document order (possibly empty) and never fails.
    pub fn select<'a>(&self, scope: &Scope<'a>) -> Result<Cow<'a, Value>, PathEvalError> {
        let start = match &self.root {
            Root::Input => scope.input,
            Root::Context => scope.context,
            Root::Variable(name) => scope
                .vars
                .get(name)
                .ok_or_else(|| PathEvalError::UndefinedVariable { name: name.clone() })?,
        };
        self.select_from(start)
    }

    /// Evaluates the path against `document`, whatever the root says (for callers that already
    /// resolved the root, e.g. a Map iteration item).
    pub fn select_from<'a>(&self, document: &'a Value) -> Result<Cow<'a, Value>, PathEvalError> {
        if self.definite {
            eval::walk_definite(&self.segments, document, &self.root_text)
        } else {
            let found = eval::collect_all(&self.segments, document, document);
            Ok(Cow::Owned(Value::Array(
                found.into_iter().map(Cow::into_owned).collect(),
            )))
        }
    }

    /// Jayway's normalised form, e.g. `$['a']['b'][0]` for `$.a.b[0]`.
    pub fn normalized(&self) -> String {
        eval::normalized(&self.root_text, &self.segments)
    }

    /// The unquoted words its filters compare with (`es` in `$.a[?(@.type == es)]`): AWS
    /// accepts them, and they are read as strings (the filter module's doc says why).
    pub fn bare_filter_words(&self) -> Vec<&str> {
        let mut out = Vec::new();
        filter::segment_words(&self.segments, &mut out);
        out
    }

    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for JsonPath {
    type Err = PathSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPath::parse(s)
    }
}
