//! Test helpers: a minimal path resolver (`$`, `$.a.b`, `$$.a`, `$var.a`) and one-line evaluation.

use serde_json::{Map, Value, json};

use super::{Function, PathArg, invalid_args, parse};
use crate::error::{StatesError, StatesResult};
use crate::scope::Scope;

/// Resolves `$`, `$.a.b`, `$$.a.b` and `$name.a.b` by plain key lookup; enough for unit tests.
pub(crate) fn resolve(path: &PathArg, scope: &Scope) -> StatesResult<Value> {
    let path = path.text();
    let not_found = || {
        StatesError::runtime(format!(
            "The JSONPath '{path}' could not be found in the input '{}'",
            scope.input
        ))
    };
    let (root, rest) = if let Some(rest) = path.strip_prefix("$$") {
        (Some(scope.context), rest)
    } else if let Some(rest) = path.strip_prefix('$') {
        if rest.is_empty() || rest.starts_with('.') {
            (Some(scope.input), rest)
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            (scope.vars.get(&rest[..end]), &rest[end..])
        }
    } else {
        (None, "")
    };
    let mut node = root.ok_or_else(not_found)?;
    for key in rest.split('.').filter(|k| !k.is_empty()) {
        node = match node {
            Value::Object(map) => map.get(key),
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or_else(not_found)?;
    }
    Ok(node.clone())
}

/// Parses and evaluates `text` against `input`, with `{"Execution": {"Name": "exec"}}` as the
/// context object and `{"var": {"x": 1}}` as the variables.
pub(crate) fn eval(text: &str, input: Value) -> StatesResult<Value> {
    let call = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let context = json!({"Execution": {"Name": "exec"}});
    let mut vars = Map::new();
    vars.insert("var".to_owned(), json!({"x": 1}));
    let scope = Scope::new(&input, &context, &vars);
    call.evaluate(&scope, &resolve)
}

/// The invalid-arguments error of `function`.
pub(crate) fn invalid(function: Function) -> StatesError {
    invalid_args(function)
}

/// Runs a table of `(expression, input, expected)` rows and reports every failing row at once.
pub(crate) fn check(rows: &[(&str, Value, StatesResult<Value>)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(text, input, expected)| {
            let actual = eval(text, input.clone());
            (&actual != expected).then(|| {
                format!("{text} on {input}\n  expected {expected:?}\n  actual   {actual:?}")
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn resolver_handles_roots() {
    assert_eq!(eval("States.Array($)", json!(1)), Ok(json!([1])));
    assert_eq!(
        eval("States.Array($.a.b)", json!({"a": {"b": 2}})),
        Ok(json!([2]))
    );
    assert_eq!(
        eval("States.Array($$.Execution.Name)", json!({})),
        Ok(json!(["exec"]))
    );
    assert_eq!(eval("States.Array($var.x)", json!({})), Ok(json!([1])));
    assert!(eval("States.Array($nope)", json!({})).is_err());
}
