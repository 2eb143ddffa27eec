//! Serialisation round trips: `StateMachine::from_value(&m.to_value()) == Ok(m)` for generated
//! models, and parse -> write -> parse for every recorded conformance definition.

mod leaves;
mod states;

use std::path::Path;

use asl_core::{QueryLanguage, StateKind, StateMachine};
use proptest::prelude::*;
use serde_json::Value;

use states::machine;

/// A whole definition in either query language, Map and Parallel states nested two deep.
fn state_machine() -> impl Strategy<Value = StateMachine> {
    prop_oneof![Just(QueryLanguage::JsonPath), Just(QueryLanguage::Jsonata)]
        .prop_flat_map(|ql| machine(ql, 2, true))
        .prop_map(|mut m| {
            finish(&mut m);
            m
        })
}

// ---- derived fields -------------------------------------------------------------------------

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Sets what the parser derives rather than reads: names, JSON pointers, and `uses_context`.
fn finish(m: &mut StateMachine) {
    set_pointers(m, "");
    let json = m.to_value();
    set_uses_context(m, &json);
}

fn set_pointers(m: &mut StateMachine, pointer: &str) {
    m.pointer = pointer.to_string();
    for (name, s) in &mut m.states {
        let sp = format!("{pointer}/States/{}", escape(name));
        s.name = name.clone();
        let (retry, catch) = match &mut s.kind {
            StateKind::Task(t) => (&mut t.retry, &mut t.catch),
            StateKind::Parallel(p) => {
                for (i, b) in p.branches.iter_mut().enumerate() {
                    set_pointers(b, &format!("{sp}/Branches/{i}"));
                }
                (&mut p.retry, &mut p.catch)
            }
            StateKind::Map(map) => {
                let field = if map.uses_legacy_iterator {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                set_pointers(&mut map.processor, &format!("{sp}/{field}"));
                (&mut map.retry, &mut map.catch)
            }
            StateKind::Choice(c) => {
                for (i, rule) in c.choices.iter_mut().enumerate() {
                    rule.pointer = format!("{sp}/Choices/{i}");
                }
                s.pointer = sp;
                continue;
            }
            _ => {
                s.pointer = sp;
                continue;
            }
        };
        for (i, r) in retry.iter_mut().enumerate() {
            r.pointer = format!("{sp}/Retry/{i}");
        }
        for (i, c) in catch.iter_mut().enumerate() {
            c.pointer = format!("{sp}/Catch/{i}");
        }
        s.pointer = sp;
    }
}

/// `uses_context` is defined on the state's JSON (any string mentioning `$$` or `$states`), so
/// it is computed from the written definition.
fn set_uses_context(m: &mut StateMachine, json: &Value) {
    fn mentions(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains("$$") || s.contains("$states"),
            Value::Array(a) => a.iter().any(mentions),
            Value::Object(o) => o.values().any(mentions),
            _ => false,
        }
    }
    fn reads_input(v: &Value) -> bool {
        match v {
            Value::String(s) => asl_core::scope::may_read_execution_input(s),
            Value::Array(a) => a.iter().any(reads_input),
            Value::Object(o) => o.values().any(reads_input),
            _ => false,
        }
    }
    for (name, s) in &mut m.states {
        let sj = &json["States"][name];
        s.uses_context = mentions(sj);
        // The state's own fields: its nested workflows answer for themselves.
        let nested = match &s.kind {
            StateKind::Parallel(_) => "Branches",
            StateKind::Map(map) if map.uses_legacy_iterator => "Iterator",
            StateKind::Map(_) => "ItemProcessor",
            _ => "",
        };
        s.reads_execution_input = s.uses_context
            && sj
                .as_object()
                .is_some_and(|o| o.iter().any(|(k, v)| k != nested && reads_input(v)));
        match &mut s.kind {
            StateKind::Parallel(p) => {
                for (i, b) in p.branches.iter_mut().enumerate() {
                    set_uses_context(b, &sj["Branches"][i]);
                }
            }
            StateKind::Map(map) => {
                let field = if map.uses_legacy_iterator {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                set_uses_context(&mut map.processor, &sj[field]);
            }
            _ => {}
        }
    }
}

// ---- properties -------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_models_round_trip(m in state_machine()) {
        prop_assert_eq!(StateMachine::from_value(&m.to_value()), Ok(m.clone()));
        prop_assert_eq!(StateMachine::from_str(&m.to_string()), Ok(m));
    }
}

// ---- conformance definitions ------------------------------------------------------------------

#[test]
fn every_conformance_definition_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // the shared folder is beside the repository in CI and development
    };
    let mut total = 0;
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        let definition = match &case["definition"] {
            Value::String(s) => serde_json::from_str(s).unwrap(),
            v => v.clone(),
        };
        let model = StateMachine::from_value(&definition).unwrap();
        let written = model.to_value();
        total += 1;
        match StateMachine::from_value(&written) {
            Ok(again) if again == model && again.to_value() == written => {}
            Ok(_) => failures.push(format!("{}: the model changed:\n{written:#}", case["id"])),
            Err(e) => failures.push(format!("{}: {e}\n{written:#}", case["id"])),
        }
    }
    eprintln!("{total} conformance definitions round-tripped");
    assert!(total > 0);
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
