//! Entry points for fuzzing: each takes arbitrary bytes, runs one parser (and what follows
//! from a successful parse) and checks the invariants that must hold for any input. They panic
//! only when an invariant breaks; any input that merely fails to parse is fine.
//!
//! The `cargo fuzz` targets in `fuzz/` call these, and `tests/fuzz_corpus.rs` replays their
//! seed corpora on stable Rust in the test suite.

use serde_json::{Value, json};

use crate::intrinsics;
use crate::jsonata::{self, StatesBinding};
use crate::path::JsonPath;
use crate::{NoVariables, Scope, StateMachine};

/// The document paths and intrinsics are evaluated against.
fn document() -> Value {
    json!({
        "a": {"b": [1, 2, {"c": "d"}], "e": null, "f": true},
        "items": [{"id": 1, "type": "x", "price": 10.5}, {"id": 2, "type": "y", "price": 3}],
        "s": "hello, world",
        "n": 42,
        "arr": [3, 1, 2, 3]
    })
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A definition: parsed, and if it parses, written back and parsed again to an equal model.
pub fn definition(data: &[u8]) {
    let Some(source) = text(data) else { return };
    if let Ok(machine) = StateMachine::from_str(source) {
        let written = machine.to_string();
        let again = StateMachine::from_str(&written)
            .unwrap_or_else(|e| panic!("a written model does not parse: {e}\n{written}"));
        assert_eq!(again, machine, "the model does not round-trip");
    }
}

/// A JSONPath: parsed, and evaluated against a fixed document.
pub fn jsonpath(data: &[u8]) {
    let Some(source) = text(data) else { return };
    if let Ok(path) = JsonPath::parse(source) {
        let doc = document();
        let context = json!({"Execution": {"Id": "x"}});
        let scope = Scope::new(&doc, &context, &NoVariables);
        let _ = path.evaluate(&scope);
        let _ = path.normalized();
    }
}

/// A JSONata expression: compiled, and evaluated with `$states.input` the fixed document
/// (under the process's JSONata limits).
pub fn jsonata(data: &[u8]) {
    let Some(source) = text(data) else { return };
    if let Ok(expr) = jsonata::Expression::compile(source) {
        let doc = document();
        let context = json!({"Execution": {"Id": "x"}});
        let states = StatesBinding::new(&doc, &context);
        let _ = jsonata::evaluate(&expr, &states, &NoVariables, "Output");
    }
}

/// An intrinsic function call: parsed, printed back to the same call, and evaluated.
pub fn intrinsic(data: &[u8]) {
    let Some(source) = text(data) else { return };
    if let Ok(call) = intrinsics::parse(source) {
        let printed = call.to_string();
        let again = intrinsics::parse(&printed)
            .unwrap_or_else(|e| panic!("a printed call does not parse: {e}\n{printed}"));
        assert_eq!(again.to_string(), printed, "the call does not print back");
        let doc = document();
        let context = json!({});
        let scope = Scope::new(&doc, &context, &NoVariables);
        let resolve = |p: &intrinsics::PathArg, s: &Scope| -> crate::StatesResult<Value> {
            p.compiled()
                .map_err(|e| crate::StatesError::runtime(e.to_owned()))?
                .evaluate(s)
                .map_err(|e| crate::StatesError::runtime(format!("{e:?}")))
        };
        let _ = call.evaluate(&scope, &resolve);
    }
}
