//! `variableReferences` of DescribeStateMachine and DescribeStateMachineForExecution: "A map
//! of state name to a list of variables referenced by that state. States that do not use
//! variable references will not be shown in the response."
//!
//! Read from the definition's JSON: in JSONPath states, the paths and intrinsic functions of
//! `.$` fields and `*Path`/`Variable` fields that start from `$name`; in JSONata, the
//! workflow variables of `{% ... %}` expressions as asl-core's compiled expression lists them
//! (not function calls, `$states`, or names the expression binds itself: `$x := ...`,
//! `function($x)`). Nested states (Parallel branches,
//! Map item processors) are listed under their own names. Each state's variables come in the
//! order they first appear; AWS documents no order.

use serde_json::{Map, Value};

/// The `variableReferences` member for `definition`, or `None` when no state references a
/// variable (the member is then left out).
pub(crate) fn of(definition: &str) -> Option<Value> {
    let machine: Value = serde_json::from_str(definition).ok()?;
    let mut out = Map::new();
    machine_states(&machine, &mut out);
    (!out.is_empty()).then_some(Value::Object(out))
}

fn machine_states(machine: &Value, out: &mut Map<String, Value>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let mut names = Vec::new();
        if let Some(fields) = state.as_object() {
            for (key, value) in fields {
                match key.as_str() {
                    "Branches" => {
                        for b in value.as_array().into_iter().flatten() {
                            machine_states(b, out);
                        }
                    }
                    "ItemProcessor" | "Iterator" => machine_states(value, out),
                    _ => field(key, value, &mut names),
                }
            }
        }
        if !names.is_empty() {
            out.insert(
                name.clone(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
    }
}

/// The variables a field's value references (its key tells a path from a plain string).
fn field(key: &str, value: &Value, names: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(expr) = s
                .trim()
                .strip_prefix("{%")
                .and_then(|r| r.strip_suffix("%}"))
            {
                jsonata(expr, names);
            } else if key.ends_with(".$") || key.ends_with("Path") || key == "Variable" {
                path(s, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| field(key, v, names)),
        Value::Object(m) => m.iter().for_each(|(k, v)| field(k, v, names)),
        _ => {}
    }
}

fn add(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `$name...` tokens outside quoted literals.
fn dollar_names(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '$' => {
                let start = i + 1;
                let end = text[start..]
                    .find(|c: char| !is_name_char(c))
                    .map_or(text.len(), |n| start + n);
                // `$$` (context object), `$` alone, `$.x` and `$[0]` are not variables.
                let preceded = i > 0 && text[..i].ends_with(|c: char| is_name_char(c) || c == '$');
                if end > start
                    && !preceded
                    && text[start..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                {
                    found.push(&text[start..end]);
                }
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    found
}

/// A JSONPath (or intrinsic function) string: every `$name` root in it.
fn path(text: &str, names: &mut Vec<String>) {
    for name in dollar_names(text) {
        add(names, name);
    }
}

/// A JSONata expression: the workflow variables its AST reads (asl-core's walk, which
/// leaves out function calls, `$states` and the names the expression binds); nothing for an
/// expression that does not compile (the definition's validation reports it).
fn jsonata(expr: &str, names: &mut Vec<String>) {
    if let Ok(e) = asl_core::jsonata::Expression::compile(expr) {
        for name in e.workflow_references() {
            add(names, name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jsonpath_and_jsonata_references() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.y"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"a.$": "$x", "b.$": "States.Format('{} $q', $y.z, $$.Execution.Id)",
                  "c": {"d.$": "$x"}}, "InputPath": "$.in", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$flag", "BooleanEquals": true, "Next": "D"}],
                  "Default": "D"},
            "D": {"Type": "Parallel", "Next": "E", "Branches": [{"StartAt": "In", "States": {
                "In": {"Type": "Pass", "QueryLanguage": "JSONata",
                       "Output": "{% $sum($items) & $states.input.a & $w %}", "End": true}}}]},
            "E": {"Type": "Pass", "QueryLanguage": "JSONata",
                  "Output": "{% ($t := $u; $map($v, function($e) { $e + $t })) %}", "End": true}
        }})
        .to_string();
        assert_eq!(
            of(&def),
            Some(json!({"B": ["x", "y"], "C": ["flag"], "In": ["items", "w"], "E": ["u", "v"]}))
        );
    }

    #[test]
    fn none_without_variables() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Parameters": {"a.$": "$.a", "b.$": "$$.Execution.Id", "c": "$x"}, "End": true}}})
        .to_string();
        assert_eq!(of(&def), None);
    }
}
