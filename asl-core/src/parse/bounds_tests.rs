//! The parser's bounds: definitions of any shape are read in work proportional to their size,
//! without recursing deeper than the documented limits.

use serde_json::{Value, json};

use super::work;
use super::*;
use crate::limits::{self, MAX_DEFINITION_CHARS, MAX_DIAGNOSTIC_BYTES, MAX_JSON_DEPTH};
use crate::model::StateKind;

fn pass_end() -> Value {
    json!({"Type": "Pass", "End": true})
}

/// A machine whose only state is a Parallel nesting `levels` more workflows.
fn nested_parallels(levels: usize) -> Value {
    let mut m = json!({"StartAt": "S", "States": {"S": pass_end()}});
    for _ in 0..levels {
        m = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [m], "End": true}}});
    }
    m
}

/// Takes a value apart without recursion (dropping a very deep value recurses).
fn dismantle(v: Value) {
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Array(items) => todo.extend(items),
            Value::Object(map) => todo.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

fn messages(e: &ParseErrors) -> Vec<String> {
    e.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn definitions_longer_than_aws_accepts_are_refused_unread() {
    let valid = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
    let at_limit = format!("{valid}{}", " ".repeat(MAX_DEFINITION_CHARS - valid.len()));
    assert!(StateMachine::from_str(&at_limit).is_ok());
    let over = format!("{at_limit} ");
    let e = StateMachine::from_str(&over).unwrap_err();
    assert_eq!(
        messages(&e),
        [
            "SCHEMA_VALIDATION_FAILED: The definition is 1048577 characters long; at most 1048576 are accepted at /"
        ]
    );
}

#[test]
fn values_deeper_than_the_json_limit_are_refused_before_reading() {
    // 127 levels is what serde_json reads from text: accepted.
    let mut result = json!(1);
    for _ in 0..MAX_JSON_DEPTH - 3 {
        result = json!([result]);
    }
    let ok =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": result, "End": true}}});
    assert_eq!(limits::json_depth(&ok, usize::MAX), MAX_JSON_DEPTH);
    assert!(StateMachine::from_value(&ok).is_ok());

    // A value a caller built, far deeper than the stack allows to recurse.
    let mut deep = json!(1);
    for _ in 0..200_000 {
        deep = Value::Array(vec![deep]);
    }
    // (Not through `json!`, which would copy it recursively.)
    let mut def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    def["States"]["A"]["Parameters"] = deep;
    let e = StateMachine::from_value(&def).unwrap_err();
    assert_eq!(
        messages(&e),
        [
            "SCHEMA_VALIDATION_FAILED: The definition nests objects and arrays more than 127 levels deep at /"
        ]
    );
    let e = crate::model::PayloadTemplate::compile(&def["States"]["A"]["Parameters"]).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    dismantle(def);
}

#[test]
fn workflows_nest_at_most_the_documented_depth() {
    let ok = nested_parallels(limits::MAX_WORKFLOW_NESTING);
    assert!(StateMachine::from_value(&ok).is_ok());
    let deep = nested_parallels(limits::MAX_WORKFLOW_NESTING + 1);
    let e = StateMachine::from_value(&deep).unwrap_err();
    let pointer = "/States/P/Branches/0".repeat(limits::MAX_WORKFLOW_NESTING + 1);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].pointer, pointer);
    assert!(e.errors[0].message.contains("at most 16 levels"));
    // Text nested as deeply as JSON allows: a Map per three levels.
    let mut m = json!({"StartAt": "S", "States": {"S": pass_end()}});
    for _ in 0..40 {
        m = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": m, "End": true}}});
    }
    let text = m.to_string();
    let e = StateMachine::from_str(&text).unwrap_err();
    assert_eq!(e.errors.len(), 1, "{e}");
}

#[test]
fn the_body_of_a_state_with_an_overlong_name_is_not_read() {
    let name = "N".repeat(100_000);
    let choices: Vec<Value> = (0..1000).map(|_| json!({"Bad": 1})).collect();
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": name},
        name.clone(): {"Type": "Choice", "Choices": choices}}});
    let (e, steps) = work::measure(|| StateMachine::from_value(&def).unwrap_err());
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].code, ErrorCode::InvalidStateName);
    assert!(steps < 2_000_000, "{steps} steps");
}

#[test]
fn errors_under_a_long_key_stop_at_the_budget() {
    let key = "k".repeat(300_000);
    let fields: serde_json::Map<String, Value> =
        (0..20_000).map(|i| (format!("f{i}.$"), json!(7))).collect();
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true,
        "Parameters": {key: fields}}}});
    let (e, steps) = work::measure(|| StateMachine::from_value(&def).unwrap_err());
    let bytes: usize = e
        .errors
        .iter()
        .map(|e| e.pointer.len() + e.message.len())
        .sum();
    assert!(bytes <= MAX_DIAGNOSTIC_BYTES + 200, "{bytes} bytes");
    let last = e.errors.last().unwrap();
    assert!(
        last.message
            .ends_with("are not listed (the list stops after 4194304 bytes)"),
        "{last}"
    );
    assert!(
        last.message
            .starts_with(&format!("{} more", 20_000 - (e.errors.len() - 1)))
    );
    // Steps are bounded by the input (about 500 KB) and the budget, not 20,000 × 300 KB.
    assert!(steps < 20_000_000, "{steps} steps");
}

#[test]
fn static_templates_are_copied_once() {
    // 120 levels of objects, each with a few literals: copying the subtree at every level
    // would count as many nodes as the depth times the size.
    let mut v = json!({"leaf": "x"});
    for i in 0..120 {
        v = json!({"a": 1, "b": [1, 2, 3], "c": "s", "d": v, "e": i});
    }
    let template = json!({"deep": v, "p.$": "$.x"});
    let (t, steps) = work::measure(|| crate::model::PayloadTemplate::compile(&template).unwrap());
    let crate::model::PayloadNode::Object(fields) = &t.root else {
        panic!("not an object: {:?}", t.root)
    };
    assert_eq!(fields[0].0, "deep");
    assert_eq!(fields[0].1, crate::model::PayloadNode::Literal(v.clone()));
    assert_eq!(fields[1].0, "p");
    let size = template.to_string().len() as u64;
    assert!(steps < 10 * size, "{steps} steps for {size} bytes");
}

/// The definition `uses_context` had before nested workflows were read once.
fn mentions(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("$$") || s.contains("$states"),
        Value::Array(a) => a.iter().any(mentions),
        Value::Object(m) => m.values().any(mentions),
        _ => false,
    }
}

#[test]
fn uses_context_is_the_whole_state_including_nested_workflows() {
    let inner = |leaf: Value| json!({"StartAt": "I", "Comment": "plain", "States": {"I": leaf, "J": pass_end()}});
    let uses = json!({"Type": "Pass", "Parameters": {"x.$": "$$.Execution.Id"}, "End": true});
    let cases = [
        json!({"Type": "Parallel", "Branches": [inner(pass_end()), inner(uses.clone())], "End": true}),
        json!({"Type": "Parallel", "Branches": [inner(pass_end())], "End": true}),
        json!({"Type": "Parallel", "Branches": [{"StartAt": "I", "Comment": "$$ in a comment",
            "States": {"I": pass_end()}}], "End": true}),
        json!({"Type": "Map", "ItemProcessor": inner(uses.clone()), "End": true}),
        json!({"Type": "Map", "Iterator": inner(pass_end()), "ItemSelector": {"a.$": "$$.Map.Item.Value"}, "End": true}),
        json!({"Type": "Map", "Iterator": inner(pass_end()), "End": true}),
        json!({"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
            "States": {"I": {"Type": "Parallel", "Branches": [inner(uses)], "End": true}}}, "End": true}),
    ];
    for (i, state) in cases.iter().enumerate() {
        let def = json!({"StartAt": "S", "States": {"S": state}});
        let m = StateMachine::from_value(&def).unwrap();
        assert_eq!(m.states["S"].uses_context, mentions(state), "case {i}");
        if let StateKind::Map(map) = &m.states["S"].kind {
            assert!(!map.processor.states.is_empty());
        }
    }
}
