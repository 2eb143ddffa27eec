//! The validator never panics, whatever it is given.

use asl_validate::{validate, validate_value};
use proptest::prelude::*;
use serde_json::Value;

const SEED: &str = r#"{"StartAt": "A", "QueryLanguage": "JSONPath", "States": {
  "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"x.$": "States.Format('{}', $.a)"},
        "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["E"], "Next": "C"}], "Next": "C"},
  "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "M"}], "Default": "P"},
  "M": {"Type": "Map", "Label": "L", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "Next": "P"},
  "P": {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}], "Next": "F"},
  "F": {"Type": "Fail", "Error": "$.e"}
}}"#;

/// Arbitrary JSON, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[A-Za-z$.(){}%' ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("Type".to_string()),
                        Just("Next".to_string()),
                        Just("States".to_string()),
                        "[A-Za-z.$]{1,8}"
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Replaces the node at a random path of the seed with `new`.
fn mutate(v: &mut Value, path: &[usize], new: Value) {
    let Some((&i, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let k = m.keys().nth(i % m.len()).unwrap().clone();
            mutate(m.get_mut(&k).unwrap(), rest, new);
        }
        Value::Array(a) if !a.is_empty() => {
            let n = a.len();
            mutate(&mut a[i % n], rest, new);
        }
        _ => *v = new,
    }
}

proptest! {
    #[test]
    fn arbitrary_text(text in ".{0,300}") {
        let _ = validate(&text);
    }

    #[test]
    fn arbitrary_json(v in json()) {
        let _ = validate_value(&v);
        let _ = validate(&v.to_string());
    }

    #[test]
    fn mutated_definitions(path in prop::collection::vec(0usize..16, 0..6), new in json()) {
        let mut v: Value = serde_json::from_str(SEED).unwrap();
        mutate(&mut v, &path, new);
        let _ = validate(&serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn truncated_definitions(cut in 0usize..1200) {
        let cut = cut.min(SEED.len());
        if SEED.is_char_boundary(cut) {
            let _ = validate(&SEED[..cut]);
        }
    }
}
