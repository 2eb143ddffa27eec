//! The JSONPath input/output pipeline as pure functions:
//! `InputPath -> Parameters -> (task) -> ResultSelector -> ResultPath -> OutputPath`.
//!
//! Causes are the tail AWS gives; the interpreter prefixes them with the state's name.

use serde_json::{Map, Value};

use crate::error::{StatesError, StatesResult, names};
use crate::intrinsics::PathArg;
use crate::model::{PathField, PayloadNode, PayloadTemplate, ResultPath};
use crate::path::{self, JsonPath};
use crate::scope::Scope;

/// Evaluates a JSONPath payload template against `scope` (`$` is `scope.input`).
pub fn eval_payload(template: &PayloadTemplate, scope: &Scope) -> StatesResult<Value> {
    eval_node(&template.root, scope, &"")
}

/// Evaluates one node; `field` names the `key.$` being evaluated, for error messages (it is
/// only written out for one).
pub fn eval_node(
    node: &PayloadNode,
    scope: &Scope,
    field: &dyn std::fmt::Display,
) -> StatesResult<Value> {
    match node {
        PayloadNode::Literal(v) => Ok(v.clone()),
        PayloadNode::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (name, child) in fields {
                let v = match child {
                    PayloadNode::Path(_) | PayloadNode::Intrinsic(_) => {
                        eval_node(child, scope, &format_args!("{name}.$"))?
                    }
                    _ => eval_node(child, scope, name)?,
                };
                out.insert(name.clone(), v);
            }
            Ok(Value::Object(out))
        }
        PayloadNode::Array(items) => items
            .iter()
            .map(|n| eval_node(n, scope, field))
            .collect::<StatesResult<Vec<_>>>()
            .map(Value::Array),
        PayloadNode::Path(p) => select_field(p, scope, field),
        PayloadNode::Intrinsic(call) => call.evaluate(scope, &resolve_intrinsic_path),
    }
}

/// A `key.$` path: AWS reports a missing node with the field name and the input.
pub fn select_field(
    p: &JsonPath,
    scope: &Scope,
    field: &dyn std::fmt::Display,
) -> StatesResult<Value> {
    p.evaluate(scope).map_err(|_| {
        StatesError::runtime(format!(
            "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
            p.text(),
            field,
            to_json_text(scope.input)
        ))
    })
}

/// Path arguments of intrinsic functions.
pub fn resolve_intrinsic_path(arg: &PathArg, scope: &Scope) -> StatesResult<Value> {
    let p = arg
        .compiled()
        .map_err(|e| StatesError::intrinsic(format!("Invalid path '{}': {e}", arg.text())))?;
    p.evaluate(scope).map_err(|e| {
        StatesError::runtime(format!(
            "The JSONPath '{}' could not be found in the input '{}': {e}",
            p.text(),
            to_json_text(scope.input)
        ))
    })
}

/// `InputPath` / `OutputPath`.
pub fn apply_path_field(field: &PathField, scope: &Scope) -> StatesResult<Value> {
    match field {
        PathField::Whole => Ok(scope.input.clone()),
        PathField::Null => Ok(Value::Object(Map::new())),
        PathField::Path(p) => p
            .evaluate(scope)
            .map_err(|e| StatesError::runtime(path::invalid_path_cause(p.text(), &e))),
    }
}

/// `ResultPath`: combines the state input with the result. The input is copied only when the
/// result goes into it or is discarded.
pub fn apply_result_path(rp: &ResultPath, input: &Value, result: Value) -> StatesResult<Value> {
    match rp {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(input.clone()),
        ResultPath::Path(p) => path::apply_result_path(p, input.clone(), result),
    }
}

/// Serialises a value the way AWS prints JSON documents (compact, key order kept).
pub fn to_json_text(v: &Value) -> String {
    crate::json_text::to_string(v)
}

/// Size in bytes of a document as AWS counts it for the payload limit
/// ([`MAX_PAYLOAD_BYTES`](crate::limits::MAX_PAYLOAD_BYTES): UTF-8 text).
pub fn payload_size(v: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Counter(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// What was over the payload limit, as AWS words `States.DataLimitExceeded`'s cause.
#[derive(Debug, Clone, Copy)]
pub enum Oversized {
    /// A state's output or a task's result.
    Result,
    /// A task's parameters.
    Parameters,
}

/// The `States.DataLimitExceeded` error for a payload over the limit; `subject` is the state's
/// name, or a task's resource for its result.
pub fn data_limit_exceeded(subject: &str, what: Oversized) -> StatesError {
    let did = match what {
        Oversized::Result => "returned a result",
        Oversized::Parameters => "provided parameters",
    };
    StatesError::new(
        names::DATA_LIMIT_EXCEEDED,
        format!(
            "The state/task '{subject}' {did} with a size exceeding the maximum number of bytes service limit."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::NoVariables;
    use serde_json::json;

    fn template(v: Value) -> PayloadTemplate {
        let sm = crate::StateMachine::from_value(&json!({
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": v, "End": true}}
        }))
        .unwrap();
        match &sm.start_state().io.parameters {
            Some(crate::model::Template::Payload(p)) => p.clone(),
            other => panic!("not a payload: {other:?}"),
        }
    }

    #[test]
    fn payload_copies_literals_and_strips_suffix() {
        let t =
            template(json!({"a": 1, "b.$": "$.x", "c": {"d.$": "$.y", "e": [1, {"f.$": "$"}]}}));
        let input = json!({"x": "X", "y": [1]});
        let ctx = json!({});
        let out = eval_payload(&t, &Scope::new(&input, &ctx, &NoVariables)).unwrap();
        assert_eq!(
            out,
            json!({"a": 1, "b": "X", "c": {"d": [1], "e": [1, {"f": {"x": "X", "y": [1]}}]}})
        );
    }

    #[test]
    fn missing_payload_path_names_the_field() {
        let t = template(json!({"value.$": "$.no_such"}));
        let input = json!({"a": 1});
        let ctx = json!({});
        let err = eval_payload(&t, &Scope::new(&input, &ctx, &NoVariables)).unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert_eq!(
            err.cause,
            "The JSONPath '$.no_such' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"
        );
    }

    #[test]
    fn result_path_modes() {
        let input = json!({"a": 1});
        assert_eq!(
            apply_result_path(&ResultPath::Replace, &input, json!(2)).unwrap(),
            json!(2)
        );
        assert_eq!(
            apply_result_path(&ResultPath::Discard, &input, json!(2)).unwrap(),
            input
        );
    }

    #[test]
    fn payload_size_counts_compact_bytes() {
        assert_eq!(payload_size(&json!({"a": [1, 2]})), 11);
        assert_eq!(payload_size(&json!("é")), 4);
    }
}
