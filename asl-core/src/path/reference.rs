//! Reference Paths (ASL spec: a path that identifies a single node, made only of names and
//! integer indexes) and `ResultPath` application.

use serde_json::{Map, Value};

use super::parse::Segment;
use super::{JsonPath, PathSyntaxError, Root};
use crate::error::{StatesError, StatesResult, names};

/// A path limited to names and integer indexes, as required for `ResultPath` and a Choice
/// rule's `Variable`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencePath(JsonPath);

impl ReferencePath {
    /// Compiles `text` and rejects wildcards, slices, deep scans, filters, index or name lists
    /// and functions.
    pub fn parse(text: &str) -> Result<Self, PathSyntaxError> {
        let path = JsonPath::parse(text)?;
        let ok = path
            .segments()
            .iter()
            .all(|s| matches!(s, Segment::Property { .. } | Segment::Index(_)));
        if !ok {
            return Err(PathSyntaxError {
                text: text.to_owned(),
                position: 0,
                message: "A Reference Path may only contain names and integer indexes".to_owned(),
            });
        }
        Ok(ReferencePath(path))
    }

    /// The underlying (definite) path.
    pub fn as_path(&self) -> &JsonPath {
        &self.0
    }

    /// The original text.
    pub fn text(&self) -> &str {
        self.0.text()
    }
}

/// AWS's cause for a `ResultPath` that cannot be applied:
/// `Unable to apply ReferencePath $.a to input "text"` (the input as compact JSON).
pub fn result_path_failure_cause(path_text: &str, input: &Value) -> String {
    format!("Unable to apply ReferencePath {path_text} to input {input}")
}

/// Places `result` into `input` at `path` and returns the new document.
///
/// `$` replaces the input with the result. Otherwise missing object members along the way are
/// created as `{}`; an existing key keeps its position and a new key is appended (the maps keep
/// insertion order). Going through a value that is not an object (for a name) or not an array
/// (for an index), an index out of range, or a path that does not start at `$`, fails with
/// `States.ResultPathMatchFailure` and leaves nothing half-applied.
pub fn apply_result_path(
    path: &ReferencePath,
    mut input: Value,
    result: Value,
) -> StatesResult<Value> {
    let segs = path.0.segments();
    if *path.0.root() != Root::Input || !applicable(segs, &input) {
        return Err(StatesError::new(
            names::RESULT_PATH_MATCH_FAILURE,
            result_path_failure_cause(path.text(), &input),
        ));
    }
    let Some((last, inner)) = segs.split_last() else {
        return Ok(result);
    };
    let mut cur = &mut input;
    for seg in inner {
        cur = match (seg, cur) {
            (Segment::Property { name, .. }, Value::Object(m)) => m
                .entry(name.to_string())
                .or_insert_with(|| Value::Object(Map::new())),
            (Segment::Index(n), Value::Array(a)) => match index_of(a.len(), *n) {
                Some(i) => &mut a[i],
                None => unreachable_failure()?,
            },
            _ => unreachable_failure()?,
        };
    }
    match (last, cur) {
        (Segment::Property { name, .. }, Value::Object(m)) => {
            m.insert(name.to_string(), result);
        }
        (Segment::Index(n), Value::Array(a)) => match index_of(a.len(), *n) {
            Some(i) => a[i] = result,
            None => unreachable_failure()?,
        },
        _ => unreachable_failure()?,
    }
    Ok(input)
}

/// Checked by [`applicable`] beforehand; kept as an error rather than a panic.
fn unreachable_failure<T>() -> StatesResult<T> {
    Err(StatesError::new(
        names::RESULT_PATH_MATCH_FAILURE,
        "Unable to apply ReferencePath",
    ))
}

fn index_of(len: usize, n: i64) -> Option<usize> {
    let len_i = i64::try_from(len).ok()?;
    let eff = if n < 0 { len_i + n } else { n };
    usize::try_from(eff).ok().filter(|&i| i < len)
}

/// Whether [`apply_result_path`] can place a value at `segs` in `input` without failing.
fn applicable(segs: &[Segment], input: &Value) -> bool {
    let mut cur = Some(input);
    for seg in segs {
        cur = match (seg, cur) {
            // A member created on the way: only names can continue from it.
            (Segment::Property { .. }, None) => None,
            (Segment::Property { name, .. }, Some(Value::Object(m))) => m.get(&**name),
            (Segment::Index(n), Some(Value::Array(a))) => match index_of(a.len(), *n) {
                Some(i) => Some(&a[i]),
                None => return false,
            },
            _ => return false,
        };
    }
    true
}
