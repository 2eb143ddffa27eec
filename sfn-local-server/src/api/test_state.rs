//! TestState: one state run in isolation, in virtual time.
//!
//! The state is wrapped in a small machine: optional variables are assigned by a Pass state
//! before it, and every state it can transition to becomes a `Succeed` stub of the same name,
//! so the next state is read off the history. A `mock` answers every Task call; without one,
//! Task states call the server's handlers as executions do.

use std::sync::Arc;

use asl_interpreter::{
    ExecutionConfig, Handlers, HistoryEvent, Interpreter, Status, TaskFailure, TaskRequest,
    VirtualClock,
};
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::input::Req;
use crate::service::Service;

const VARS_STATE: &str = "sfn-local:TestState:variables";

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidDefinition", message)
}

fn parse_json_member(req: &Req<'_>, field: &str) -> ApiResult<Option<Value>> {
    match req.opt_str(field)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
            ApiError::new(
                if field == "input" {
                    "InvalidExecutionInput"
                } else {
                    "ValidationException"
                },
                format!("Invalid {field}: '{e}'"),
            )
        }),
    }
}

/// The state to test and its name: a bare state, or a whole machine with `stateName`.
fn pick_state(
    definition: &Value,
    state_name: Option<&str>,
) -> ApiResult<(String, Map<String, Value>, Option<Value>)> {
    let Some(obj) = definition.as_object() else {
        return Err(invalid(
            "Invalid State Machine Definition: 'The definition must be a JSON object'",
        ));
    };
    if let Some(states) = obj.get("States").and_then(Value::as_object) {
        let name = state_name
            .map(str::to_string)
            .or_else(|| {
                obj.get("StartAt")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .ok_or_else(|| invalid("stateName is required for a state machine definition"))?;
        let state = states
            .get(&name)
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| invalid(format!("State '{name}' does not exist in the definition")))?;
        return Ok((name, state, obj.get("QueryLanguage").cloned()));
    }
    let name = state_name.unwrap_or("TestState").to_string();
    Ok((name, obj.clone(), None))
}

/// Every state name this state can transition to.
fn targets(state: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(s) = v.and_then(Value::as_str)
            && !out.iter().any(|o| o == s)
        {
            out.push(s.to_string());
        }
    };
    add(state.get("Next"));
    add(state.get("Default"));
    for key in ["Choices", "Catch"] {
        for c in state
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(c.get("Next"));
        }
    }
    out
}

fn state_name(e: &HistoryEvent) -> Option<String> {
    e.details.as_ref()?.name()
}

fn details(e: &HistoryEvent, key: &str) -> Option<Value> {
    e.details.as_ref().and_then(|d| d.get(key))
}

pub(crate) async fn test_state(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let definition_text = req.str("definition")?;
    let definition: Value = serde_json::from_str(definition_text).map_err(|e| {
        invalid(format!(
            "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {e}'"
        ))
    })?;
    let level = req.opt_str("inspectionLevel")?.unwrap_or("INFO");
    if !matches!(level, "INFO" | "DEBUG" | "TRACE") {
        return Err(ApiError::validation(
            "inspectionLevel",
            level,
            "Member must satisfy enum value set: [INFO, DEBUG, TRACE]",
        ));
    }
    let input_text = req.opt_str("input")?.unwrap_or("{}").to_string();
    let input = parse_json_member(req, "input")?.unwrap_or_else(|| json!({}));
    let variables = parse_json_member(req, "variables")?;
    let (name, mut state, query_language) = pick_state(&definition, req.opt_str("stateName")?)?;
    let stubs = targets(&state);
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let open_ended = !state.contains_key("Next") && !state.contains_key("End");
    if open_ended && !matches!(kind, "Choice" | "Succeed" | "Fail") {
        state.insert("End".into(), json!(true));
    }
    let mut states = Map::new();
    let start = match &variables {
        Some(Value::Object(v)) if !v.is_empty() => {
            states.insert(
                VARS_STATE.into(),
                json!({"Type": "Pass", "Assign": v, "Next": name}),
            );
            VARS_STATE.to_string()
        }
        _ => name.clone(),
    };
    states.insert(name.clone(), Value::Object(state.clone()));
    for t in &stubs {
        if t != &name {
            states.insert(t.clone(), json!({"Type": "Succeed"}));
        }
    }
    let mut machine = json!({"StartAt": start, "States": states});
    if let Some(q) = query_language {
        machine["QueryLanguage"] = q;
    }
    let parsed_machine = asl_core::StateMachine::from_value(&machine)
        .map_err(|e| invalid(format!("Invalid State Machine Definition: '{e}'")))?;

    let handlers = match req.opt_obj("mock")? {
        Some(mock) => {
            let answer: Result<Value, TaskFailure> = if let Some(r) = mock.get("result") {
                let text = r.as_str().unwrap_or_default();
                Ok(serde_json::from_str(text).map_err(|e| {
                    ApiError::new("ValidationException", format!("Invalid mock result: '{e}'"))
                })?)
            } else if let Some(e) = mock.get("errorOutput") {
                Err(TaskFailure {
                    error: e.get("error").and_then(Value::as_str).map(str::to_string),
                    cause: e.get("cause").and_then(Value::as_str).map(str::to_string),
                })
            } else {
                return Err(ApiError::new(
                    "ValidationException",
                    "A mock must have a result or an errorOutput",
                ));
            };
            let h = move |_req: TaskRequest| {
                let a = answer.clone();
                async move { a }
            };
            Handlers::new().prefix("", h)
        }
        None => Handlers::new(),
    };
    let _ = svc;
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::starting_now()))
        .build();
    let config = ExecutionConfig {
        name: "TestState".into(),
        state_machine_name: "TestState".into(),
        input_text: input_text.clone(),
        ..ExecutionConfig::default()
    };
    let outcome = interp.run(Arc::new(parsed_machine), config).await;
    let h = &outcome.history;

    // Our state's slice of the history: from its Entered event to the next state's entry.
    let entered = h.iter().position(|e| {
        e.event_type.ends_with("StateEntered") && state_name(e).as_deref() == Some(name.as_str())
    });
    let next_entered = entered.and_then(|i| {
        h[i + 1..]
            .iter()
            .find(|e| e.event_type.ends_with("StateEntered"))
            .and_then(|e| e.details.as_ref()?.name())
    });
    let exited = h.iter().find(|e| {
        e.event_type.ends_with("StateExited") && state_name(e).as_deref() == Some(name.as_str())
    });
    let failures: Vec<&HistoryEvent> = h
        .iter()
        .filter(|e| e.event_type.ends_with("Failed") || e.event_type.ends_with("TimedOut"))
        .collect();
    let retried = h
        .iter()
        .filter(|e| e.event_type.ends_with("Scheduled"))
        .count()
        > 1;

    let mut out = Map::new();
    let status;
    if retried && let Some(f) = failures.first() {
        status = "RETRIABLE";
        if let Some(e) = details(f, "error") {
            out.insert("error".into(), e);
        }
        if let Some(c) = details(f, "cause") {
            out.insert("cause".into(), c);
        }
    } else if let Some(next) = next_entered
        .clone()
        .filter(|_| !failures.is_empty() && outcome.status == Status::Succeeded)
    {
        status = "CAUGHT_ERROR";
        out.insert("nextState".into(), json!(next));
        if let Some(f) = failures.first() {
            if let Some(e) = details(f, "error") {
                out.insert("error".into(), e);
            }
            if let Some(c) = details(f, "cause") {
                out.insert("cause".into(), c);
            }
        }
        if let Some(o) = exited.and_then(|e| details(e, "output")) {
            out.insert("output".into(), o);
        }
    } else if outcome.status == Status::Succeeded {
        status = "SUCCEEDED";
        if let Some(n) = next_entered {
            out.insert("nextState".into(), json!(n));
        }
        let output = exited
            .and_then(|e| details(e, "output"))
            .or_else(|| outcome.output.clone().map(Value::String));
        if let Some(o) = output {
            out.insert("output".into(), o);
        }
    } else {
        status = "FAILED";
        if let Some(e) = &outcome.error {
            out.insert("error".into(), json!(e));
        }
        if let Some(c) = &outcome.cause {
            out.insert("cause".into(), json!(c));
        }
    }
    out.insert("status".into(), json!(status));

    if level != "INFO" {
        let mut data = Map::new();
        data.insert("input".into(), json!(input_text));
        if let Some(p) = state.get("InputPath").and_then(Value::as_str)
            && let Ok(path) = asl_core::path::JsonPath::parse(p)
            && let Ok(v) = path.select_from(&input)
        {
            let text = asl_core::dataflow::to_json_text(&v);
            data.insert("afterInputPath".into(), json!(text));
        }
        let scheduled = h.iter().find(|e| e.event_type.ends_with("Scheduled"));
        if let Some(p) =
            scheduled.and_then(|e| details(e, "parameters").or_else(|| details(e, "input")))
        {
            let key = if state.contains_key("Arguments") {
                "afterArguments"
            } else {
                "afterParameters"
            };
            data.insert(key.into(), p);
        }
        let succeeded = h
            .iter()
            .find(|e| e.event_type.ends_with("Succeeded") && e.event_type != "ExecutionSucceeded");
        if let Some(r) = succeeded.and_then(|e| details(e, "output")) {
            data.insert("result".into(), r.clone());
        }
        if let (Some(o), false) = (
            exited.and_then(|e| details(e, "output")),
            state.contains_key("OutputPath"),
        ) {
            data.insert("afterResultPath".into(), o);
        }
        if let Some(vars) = exited.and_then(|e| details(e, "assignedVariables")) {
            data.insert("variables".into(), json!(vars.to_string()));
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Ok(Value::Object(out))
}
