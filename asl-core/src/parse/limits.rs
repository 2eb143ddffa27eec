//! How big a definition may be, and how deeply it may nest.
//!
//! AWS publishes one of these limits (the length of a definition); the others are bounds of our
//! own, generous for real definitions, that keep every pass over a definition (reading, checking,
//! locating) proportional to its size and off the stack's edge, whatever its shape:
//!
//! | limit | value | past it |
//! |---|---|---|
//! | [`MAX_DEFINITION_CHARS`] | 1,048,576 characters | refused before it is read |
//! | [`MAX_JSON_DEPTH`] | 127 nested objects and arrays | `TOO_DEEPLY_NESTED` (validator), a schema error (parser) |
//! | [`MAX_WORKFLOW_NESTING`] | 16 Parallel / Map levels | a schema error at the nested workflow |
//! | [`MAX_DIAGNOSTIC_BYTES`] | 4 MiB of error text | further errors are counted, not listed |
//!
//! The server refuses a longer definition with the same constant, as AWS does.

use serde_json::Value;

use super::work;

/// The longest definition AWS accepts, in characters: the `definition` member of
/// `CreateStateMachine`, `UpdateStateMachine` and `ValidateStateMachineDefinition` has a length
/// of 1 to 1,048,576 in the service model (Smithy counts a string's length in characters).
pub const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// The deepest nesting of JSON objects and arrays a definition may have. serde_json refuses
/// the 128th level of text (its default recursion limit), so a definition read from text can
/// never be deeper; the same bound is applied to a value built by a caller.
pub const MAX_JSON_DEPTH: usize = 127;

/// How many workflows (Parallel branches, Map processors) may be nested in each other below
/// the top-level one. AWS does not publish a limit; real definitions nest a few levels, and 16
/// keeps the JSON pointer of every state (which holds its ancestors' names) short.
pub const MAX_WORKFLOW_NESTING: usize = 16;

/// The error text (JSON pointers and messages) kept for one definition. Errors past it are
/// counted, and one last error says how many were left out: a pointer can be as long as the
/// definition (a long key), so listing every error under such a key would cost the key's
/// length times the number of errors.
pub const MAX_DIAGNOSTIC_BYTES: usize = 4 << 20;

/// The length of `text` in characters, when it is over [`MAX_DEFINITION_CHARS`].
///
/// Characters are counted only when the bytes are over the limit (a text has at least as many
/// bytes as characters), so a definition of the usual size costs nothing here.
pub fn definition_too_long(text: &str) -> Option<usize> {
    if text.len() <= MAX_DEFINITION_CHARS {
        return None;
    }
    work::count(text.len());
    let chars = text.chars().count();
    (chars > MAX_DEFINITION_CHARS).then_some(chars)
}

/// The children of an object or an array.
enum Children<'a> {
    Array(std::slice::Iter<'a, Value>),
    Object(serde_json::map::Values<'a>),
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Value;

    fn next(&mut self) -> Option<&'a Value> {
        match self {
            Children::Array(items) => items.next(),
            Children::Object(values) => values.next(),
        }
    }
}

fn children(v: &Value) -> Option<Children<'_>> {
    match v {
        Value::Array(items) => Some(Children::Array(items.iter())),
        Value::Object(map) => Some(Children::Object(map.values())),
        _ => None,
    }
}

/// How deeply `value` nests objects and arrays (`{}` and `[1]` are 1, a scalar 0), looking no
/// further than `cap + 1` levels: a deeper value answers `cap + 1`.
///
/// Iterative, so that a value built by a caller, however deep, is measured without recursion.
pub fn json_depth(value: &Value, cap: usize) -> usize {
    let Some(top) = children(value) else {
        return 0;
    };
    let mut stack = vec![top];
    let mut max = 1;
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(child) => {
                work::count(1);
                if let Some(grandchildren) = children(child) {
                    if stack.len() >= cap {
                        return cap + 1;
                    }
                    stack.push(grandchildren);
                    max = max.max(stack.len());
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_of_values() {
        assert_eq!(json_depth(&json!(1), 10), 0);
        assert_eq!(json_depth(&json!({}), 10), 1);
        assert_eq!(json_depth(&json!([1, {"a": [[]]}]), 10), 4);
        assert_eq!(json_depth(&json!([1, {"a": [[]]}]), 2), 3);
    }

    #[test]
    fn a_value_deeper_than_the_stack_is_measured() {
        let mut v = json!(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(json_depth(&v, usize::MAX), 100_000);
        assert_eq!(json_depth(&v, MAX_JSON_DEPTH), MAX_JSON_DEPTH + 1);
        // Dropping it recursively would overflow the stack: take it apart first.
        let mut v = Some(v);
        while let Some(Value::Array(mut items)) = v {
            v = items.pop();
        }
    }

    #[test]
    fn long_definitions() {
        assert_eq!(definition_too_long("{}"), None);
        let text = "a".repeat(MAX_DEFINITION_CHARS);
        assert_eq!(definition_too_long(&text), None);
        // Bytes over the limit, characters not.
        let text = "é".repeat(MAX_DEFINITION_CHARS);
        assert_eq!(definition_too_long(&text), None);
        let text = "a".repeat(MAX_DEFINITION_CHARS + 1);
        assert_eq!(definition_too_long(&text), Some(MAX_DEFINITION_CHARS + 1));
    }
}
