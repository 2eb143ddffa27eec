//! What an EXPRESS state machine cannot run, checked by CreateStateMachine, UpdateStateMachine
//! and ValidateStateMachineDefinition (with `type` EXPRESS).

use asl_interpreter::ExecutionType;
use serde_json::Value;

use super::error::{ApiError, ApiResult, ErrorCode};

/// What an EXPRESS state machine cannot run: "Express Workflows only support Request Response
/// integrations" (developer guide, "Discover service integration patterns"; activities are
/// listed among what Express Workflows do not support in "Choosing workflow type"). Each Task
/// whose `Resource` is a `.sync` or `.waitForTaskToken` integration or an activity, with the
/// JSON pointer of its `Resource`, in document order. The message texts are ours.
pub(crate) fn unsupported(definition: &str) -> Vec<(String, &'static str)> {
    fn walk(at: &str, machine: &Value, out: &mut Vec<(String, &'static str)>) {
        let Some(states) = machine.get("States").and_then(Value::as_object) else {
            return;
        };
        for (name, state) in states {
            let here = format!("{at}/States/{}", name.replace('~', "~0").replace('/', "~1"));
            if let Some(resource) = state.get("Resource").and_then(Value::as_str) {
                let why = if resource.contains(":activity:") {
                    Some("Express state machine does not support Activity ARN")
                } else if resource.ends_with(".waitForTaskToken") {
                    Some(
                        "Express state machine does not support '.waitForTaskToken' service integration",
                    )
                } else if resource.ends_with(".sync") || resource.contains(".sync:") {
                    Some("Express state machine does not support '.sync' service integration")
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push((format!("{here}/Resource"), why));
                }
            }
            if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
                for (i, b) in branches.iter().enumerate() {
                    walk(&format!("{here}/Branches/{i}"), b, out);
                }
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = state.get(key) {
                    walk(&format!("{here}/{key}"), p, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(machine) = serde_json::from_str::<Value>(definition) {
        walk("", &machine, &mut out);
    }
    out
}

/// [`unsupported`] as CreateStateMachine answers it: `InvalidDefinition`.
pub(crate) fn check(kind: ExecutionType, definition: &str) -> ApiResult<()> {
    if kind != ExecutionType::Express {
        return Ok(());
    }
    let errors: Vec<String> = unsupported(definition)
        .into_iter()
        .map(|(at, why)| format!("SCHEMA_VALIDATION_FAILED: {why} at {at}"))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::InvalidDefinition,
        format!("Invalid State Machine Definition: '{}'", errors.join(", ")),
    ))
}
