//! AWS's quotas on what a definition and its data may hold, and the bounds of our own that keep
//! reading a definition proportional to its size: one home for every such number in asl-core.
//!
//! AWS's, each with the page that states it:
//!
//! | limit | value |
//! |---|---|
//! | [`MAX_DEFINITION_CHARS`] | 1,048,576 characters of definition |
//! | [`MAX_STATE_NAME_CHARS`] | 80 characters of state name |
//! | [`MAX_NAME_CHARS`] | 80 characters of state machine, execution, activity, alias or Map run name |
//! | [`MAX_MAP_LABEL_CHARS`] | 40 characters of a Map state's `Label` |
//! | [`MAX_PAYLOAD_BYTES`] | 256 KiB of input or output (UTF-8) |
//! | [`MAX_HISTORY_EVENTS`] | 25,000 events in an execution's history |
//! | [`MAX_INTRINSIC_NESTING`] | 10 intrinsic functions nested in one field |
//! | [`MAX_INTRINSIC_INPUT_CHARS`] | 10,000 characters into `States.Hash` / `Base64Encode` / `Base64Decode` |
//! | [`MAX_ARRAY_RANGE_ITEMS`] | 1,000 items out of `States.ArrayRange` |
//!
//! Ours, generous for real definitions, that keep every pass over a definition (reading,
//! checking, locating) proportional to its size and off the stack's edge, whatever its shape:
//!
//! | limit | value | past it |
//! |---|---|---|
//! | [`MAX_JSON_DEPTH`] | 127 nested objects and arrays | `TOO_DEEPLY_NESTED` (validator), a schema error (parser) |
//! | [`MAX_WORKFLOW_NESTING`] | 16 Parallel / Map levels | a schema error at the nested workflow |
//! | [`MAX_DIAGNOSTIC_BYTES`] | 4 MiB of error text | further errors are counted, not listed |
//!
//! The server refuses a longer definition with the same constant, as AWS does.

use serde_json::Value;

use crate::parse::work;

/// The longest definition AWS accepts, in characters: the `definition` member of
/// `CreateStateMachine`, `UpdateStateMachine` and `ValidateStateMachineDefinition` has a length
/// of 1 to 1,048,576 in the service model (Smithy counts a string's length in characters).
pub const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// The longest state name, in characters. Every history event detail that names a state has a
/// `name` of length 1 to 80 in the service model
/// (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html>).
pub const MAX_STATE_NAME_CHARS: usize = 80;

/// The longest name of a state machine, execution, activity, alias or Map run, in characters:
/// "Names of state machines, executions, and activity tasks must not exceed 80 characters"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>, general quotas).
pub const MAX_NAME_CHARS: usize = 80;

/// The longest `Label` of a Map state, in characters
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html>, `Label`:
/// "up to 40 characters").
pub const MAX_MAP_LABEL_CHARS: usize = 40;

/// The largest input or output of a task, state or execution: 256 KiB of UTF-8 text
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>, "Maximum input
/// or output size for a task, state, or execution"; `input`/`output` have a length of at most
/// 262,144 in the service model). [`crate::dataflow::payload_size`] measures a value this way.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// The most events an execution's history may hold
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>, "Maximum
/// execution history size": 25,000 events; past it a Standard execution fails).
pub const MAX_HISTORY_EVENTS: usize = 25_000;

/// How deeply intrinsic function calls may nest in one field: "You can nest up to 10 intrinsic
/// functions within a field"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>).
pub const MAX_INTRINSIC_NESTING: usize = 10;

/// The longest input of `States.Hash`, `States.Base64Encode` and `States.Base64Decode`, in
/// (UTF-16) characters: "up to 10,000 characters"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>).
pub const MAX_INTRINSIC_INPUT_CHARS: usize = 10_000;

/// The most items `States.ArrayRange` may produce: "The array is limited to 1000 items"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>).
pub const MAX_ARRAY_RANGE_ITEMS: usize = 1000;

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
