//! TestState: one state run in isolation, in virtual time.
//!
//! The state is wrapped in a small machine: optional variables are assigned by a Pass state
//! before it, and every state it can transition to becomes a `Succeed` stub of the same name,
//! so the next state is read off the history. A `mock` answers every Task call; without one,
//! Task states call the server's handlers as executions do (an HTTP Task its endpoint, a
//! service its configured endpoint).
//!
//! `context` becomes the whole of `$$` (AWS uses it as given). The status follows AWS's
//! TestState, which never retries: the first retrier matching the state's error either has an
//! attempt left after `stateConfiguration.retrierRetryCount` (RETRIABLE, with its backoff) or
//! hands the error to Catch.
//!
//! Map and Parallel states need a mock, and do not run their iterations or branches: the mock
//! is their whole result (an array; a JSON object for a Map with a `ResultWriter`; one item per
//! Parallel branch), through the state's own ResultSelector, ResultPath, OutputPath, Retry and
//! Catch. `mapIterationFailureCount` above the Map's declared tolerance fails it with
//! `States.ExceedToleratedFailureThreshold`; a mocked error is the Map's or Parallel's own
//! (`errorCausedByState` names where it came from); `mapItemReaderData` stands for what the
//! ItemReader would read, which nothing reads here. At DEBUG and TRACE a mocked Map shows
//! `afterItemSelector` and `afterItemBatcher` from an inline run of its item pipeline alone
//! ([`map_inspection`]). A Task without a mock needs a `roleArn`.
//! A mocked Task result is checked against its API's response shape as
//! `fieldValidationMode` says (`mock_shapes.rs`). The messages of every refusal are AWS's
//! (recorded against AWS).

use std::sync::Arc;

use asl_core::dataflow::{self, to_json_text};
use asl_core::model::NumberField;
use asl_core::{NoVariables, QueryLanguage, Scope, StateKind, Variables};
use asl_interpreter::{
    ExecutionConfig, Handlers, HistoryEvent, Interpreter, Status, TaskFailure, TaskRequest,
    VirtualClock,
};
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult, ErrorCode};
use super::input::Req;
use crate::service::Service;

mod mock_shapes;
mod request;

use request::{
    ErrorHandling, StateConfiguration, check_context, check_len, handle_error, invalid,
    parse_json_member, waits_for_task,
};

const VARS_STATE: &str = "sfn-local:TestState:variables";

/// The payload limit AWS puts on `input`, `variables`, `context` and `mapItemReaderData`.
const MAX_PAYLOAD: usize = asl_core::limits::MAX_PAYLOAD_BYTES;

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
        let state = find_state(states, &name, 0).cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::ValidationException,
                "State not found in definition",
            )
        })?;
        return Ok((name, state, obj.get("QueryLanguage").cloned()));
    }
    let name = state_name.unwrap_or("TestState").to_string();
    Ok((name, obj.clone(), None))
}

/// The state named `name` in `states` or, when it is not there, in a Parallel state's
/// branches or a Map state's processor (state names are unique in a whole definition).
fn find_state<'a>(
    states: &'a Map<String, Value>,
    name: &str,
    depth: usize,
) -> Option<&'a Map<String, Value>> {
    if let Some(s) = states.get(name).and_then(Value::as_object) {
        return Some(s);
    }
    if depth >= asl_core::limits::MAX_JSON_DEPTH {
        return None;
    }
    states.values().filter_map(Value::as_object).find_map(|s| {
        let branches = s.get("Branches").and_then(Value::as_array);
        let processor = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
        branches
            .into_iter()
            .flatten()
            .chain(processor)
            .filter_map(|b| b.get("States").and_then(Value::as_object))
            .find_map(|inner| find_state(inner, name, depth + 1))
    })
}

/// The context object TestState gives a state when the request brings none (recorded on
/// AWS): an EXPRESS-style `Execution.Id` (`...:express:MACHINE:EXECUTION`), the request's
/// role (or null), `State.Name` the literal `"StateName"`, `State.RetryCount` 0 for the states
/// that retry (Task, Map, Parallel) only, and no `RedriveCount`.
fn default_context(
    scope: &asl_core::arn::Scope,
    kind: &str,
    input: &Value,
    role: Option<&str>,
) -> Map<String, Value> {
    let execution = uuid::Uuid::new_v4().to_string();
    let machine = format!(
        "TestState-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let arn = |kind: &str, rest: &str| {
        format!(
            "arn:{}:states:{}:{}:{kind}:{rest}",
            scope.partition, scope.region, scope.account
        )
    };
    let mut state = json!({"Name": "StateName", "EnteredTime": now});
    if matches!(kind, "Task" | "Map" | "Parallel") {
        state["RetryCount"] = json!(0);
    }
    let ctx = json!({
        "Execution": {
            "Id": arn("express", &format!("{machine}:{execution}")),
            "Input": input,
            "Name": execution,
            "RoleArn": role,
            "StartTime": now,
        },
        "StateMachine": {"Id": arn("stateMachine", &machine), "Name": machine},
        "State": state,
    });
    match ctx {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The resource a mocked Map or Parallel state runs as.
const MOCKED_AGGREGATE: &str = "arn:aws:states:::sfn-local:testState.mockedState";

/// The members of `state` named in `keys`.
fn kept(state: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    state
        .iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A Map or Parallel state as a Task with its own data flow (InputPath, ResultSelector,
/// ResultPath, OutputPath, Output, Assign), handlers and transitions, whose result is the mock.
fn mocked_as_task(state: &Map<String, Value>) -> Map<String, Value> {
    const KEPT: &[&str] = &[
        "Comment",
        "InputPath",
        "ResultSelector",
        "ResultPath",
        "OutputPath",
        "Output",
        "Assign",
        "Retry",
        "Catch",
        "Next",
        "End",
        "QueryLanguage",
    ];
    let mut task = kept(state, KEPT);
    task.insert("Type".into(), json!("Task"));
    task.insert("Resource".into(), json!(MOCKED_AGGREGATE));
    task
}

/// The Map as TestState inspects it: an inline run of its item pipeline alone (ItemReader on
/// `mapItemReaderData`, ItemsPath/Items, ItemSelector, ItemBatcher, one iteration at a time)
/// whose iterations are a single Pass state, so that each iteration's input, as the engine
/// builds it, is read off the history: `afterItemSelector` (every item after the
/// ItemSelector) and `afterItemBatcher` (the batches). `None`s when the pipeline fails or
/// the state has neither.
async fn map_inspection(
    state: &Map<String, Value>,
    query_language: Option<&Value>,
    input_text: &str,
    context: Option<&Map<String, Value>>,
    variables: Option<&Value>,
    reader_data: Option<&str>,
) -> (Option<Value>, Option<Value>) {
    let selector = state.contains_key("ItemSelector") || state.contains_key("Parameters");
    let batcher = state.contains_key("ItemBatcher");
    if !selector && !batcher {
        return (None, None);
    }
    const KEPT: &[&str] = &[
        "InputPath",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "ItemBatcher",
        "ItemReader",
        "QueryLanguage",
    ];
    let mut map = kept(state, KEPT);
    map.insert("Type".into(), json!("Map"));
    map.insert("MaxConcurrency".into(), json!(1));
    map.insert("End".into(), json!(true));
    map.insert(
        "ItemProcessor".into(),
        json!({"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item",
            "States": {"Item": {"Type": "Pass", "End": true}}}),
    );
    let mut states = Map::new();
    let start = match variables.and_then(Value::as_object) {
        Some(v) if !v.is_empty() => {
            states.insert(
                VARS_STATE.into(),
                json!({"Type": "Pass", "Assign": v, "Next": "Map"}),
            );
            VARS_STATE
        }
        _ => "Map",
    };
    states.insert("Map".into(), Value::Object(map));
    let mut machine = json!({"StartAt": start, "States": states});
    if let Some(q) = query_language {
        machine["QueryLanguage"] = q.clone();
    }
    let Ok(parsed) = asl_core::StateMachine::from_value(&machine) else {
        return (None, None);
    };
    // The reader gets the data as its object's body (or, for a listing, its `Contents`).
    let data = reader_data.unwrap_or_default().to_string();
    let reader = move |req: TaskRequest| {
        let data = data.clone();
        async move {
            if req.resource.ends_with("listObjectsV2") {
                let contents: Value = serde_json::from_str(&data).unwrap_or_else(|_| json!([]));
                Ok(json!({"Contents": contents}))
            } else {
                Ok(json!({"Body": data}))
            }
        }
    };
    let interp = Interpreter::builder()
        .handlers(Handlers::new().prefix("", reader))
        .clock(Arc::new(VirtualClock::starting_now()))
        .build();
    let config = ExecutionConfig {
        input_text: input_text.to_string(),
        context: context.cloned(),
        ..ExecutionConfig::default()
    };
    let outcome = interp.run(Arc::new(parsed), config).await;
    if outcome.status != Status::Succeeded {
        return (None, None);
    }
    let inputs: Vec<Value> = outcome
        .history
        .iter()
        .filter(|e| e.event_type.is_state_entered() && state_name(e).as_deref() == Some("Item"))
        .filter_map(|e| details(e, "input"))
        .filter_map(|t| serde_json::from_str(t.as_str()?).ok())
        .collect();
    let selected: Vec<Value> = if batcher {
        inputs
            .iter()
            .filter_map(|b| b.get("Items").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect()
    } else {
        inputs.clone()
    };
    (
        selector.then(|| json!(to_json_text(&Value::Array(selected)))),
        batcher.then(|| json!(to_json_text(&Value::Array(inputs)))),
    )
}

/// AWS's checks of a mocked Map's or Parallel's result: a Map's is an array (an object with a
/// ResultWriter), a Parallel's an array with one item per branch.
fn check_mocked_shape(kind: &str, state: &Map<String, Value>, result: &Value) -> ApiResult<()> {
    let refuse = |m: &str| Err(ApiError::new(ErrorCode::ValidationException, m));
    match kind {
        "Map" if state.contains_key("ResultWriter") && !result.is_object() => {
            return refuse("Mocked result must be a JSON object.");
        }
        "Map" if !state.contains_key("ResultWriter") && !result.is_array() => {
            return refuse("Mocked result must be an array.");
        }
        "Parallel" => {
            let Some(items) = result.as_array() else {
                return refuse("Mocked result must be an array.");
            };
            let branches = state
                .get("Branches")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if items.len() != branches {
                return refuse(
                    "Mocked result must contain the same number of items as number of Parallel branches.",
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// `stateConfiguration.mapIterationFailureCount` against a mocked Map's declared tolerance:
/// more failures than `ToleratedFailureCount` (or than `ToleratedFailurePercentage` of the
/// mocked items) is `States.ExceedToleratedFailureThreshold`. A Map that declares no tolerance
/// is not failed by a count (AWS's recordings).
fn exceeded_threshold(
    kind: &str,
    model: &asl_core::State,
    result: &Value,
    failures: Option<u64>,
) -> Option<TaskFailure> {
    let (Some(failures), "Map", StateKind::Map(map)) = (failures, kind, &model.kind) else {
        return None;
    };
    let count = literal_number(map.tolerated_failure_count.as_ref()).and_then(|v| v.as_f64());
    let percentage =
        literal_number(map.tolerated_failure_percentage.as_ref()).and_then(|v| v.as_f64());
    let items = result.as_array().map_or(0, Vec::len);
    let over_count = count.is_some_and(|c| failures as f64 > c);
    let over_percentage =
        percentage.is_some_and(|p| items > 0 && failures as f64 * 100.0 / items as f64 > p);
    (over_count || over_percentage).then(|| {
        TaskFailure::new(
            "States.ExceedToleratedFailureThreshold",
            "The specified tolerated failure threshold was exceeded",
        )
    })
}

fn state_name(e: &HistoryEvent) -> Option<String> {
    e.details.as_ref()?.name()
}

fn details(e: &HistoryEvent, key: &str) -> Option<Value> {
    e.details.as_ref().and_then(|d| d.get(key))
}

/// What the run showed, for `inspectionData`.
struct Seen<'a> {
    input_text: &'a str,
    input: &'a Value,
    /// The task's parameters (after Parameters/Arguments), as JSON text.
    parameters: Option<Value>,
    /// The task's result, as JSON text.
    result: Option<Value>,
    /// The state's output, when it left normally or through a catcher.
    exited_output: Option<Value>,
    assigned: Option<Value>,
    context: Option<&'a Map<String, Value>>,
    variables: Option<&'a Map<String, Value>>,
}

fn literal_number(f: Option<&NumberField>) -> Option<Value> {
    match f {
        Some(NumberField::Literal(v)) if v.is_number() => Some(v.clone()),
        _ => None,
    }
}

/// `inspectionData` for DEBUG and TRACE: each step of the data flow that the run showed or
/// that asl-core's pure functions give from the state's definition. A step whose value would
/// need the engine's own `$$` (when no `context` was given) is left out rather than guessed.
fn inspect(
    state: &Map<String, Value>,
    model: Option<&asl_core::State>,
    seen: &Seen<'_>,
) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("input".into(), json!(seen.input_text));
    let ctx = seen.context.cloned().map_or(Value::Null, Value::Object);
    let vars: &dyn Variables = match seen.variables {
        Some(v) => v,
        None => &NoVariables,
    };
    let jsonpath = model.filter(|m| m.query_language == QueryLanguage::JsonPath);
    let context_known = model.is_some_and(|m| !m.uses_context) || seen.context.is_some();
    let scope = Scope::new(seen.input, &ctx, vars);
    let after_input =
        jsonpath.and_then(|m| dataflow::apply_path_field(&m.io.input_path, &scope).ok());
    if let Some(v) = &after_input {
        data.insert("afterInputPath".into(), json!(to_json_text(v)));
    }
    if let Some(p) = &seen.parameters {
        let key = if state.contains_key("Arguments") {
            "afterArguments"
        } else {
            "afterParameters"
        };
        data.insert(key.into(), p.clone());
    }
    if let Some(r) = &seen.result {
        data.insert("result".into(), r.clone());
    }
    let result: Option<Value> = seen
        .result
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|t| serde_json::from_str(t).ok());
    let after_selector = match (jsonpath, result) {
        (Some(m), Some(r)) if matches!(m.kind, StateKind::Task(_)) => match &m.io.result_selector {
            None => Some(r),
            Some(t) if context_known => dataflow::eval_payload(t, &scope.with_input(&r)).ok(),
            Some(_) => None,
        },
        _ => None,
    };
    let after_result_path = match (jsonpath, &after_selector) {
        (Some(m), Some(r)) => {
            data.insert("afterResultSelector".into(), json!(to_json_text(r)));
            dataflow::apply_result_path(&m.io.result_path, seen.input, r.clone())
                .ok()
                .map(|v| json!(to_json_text(&v)))
        }
        // Without a result of our own, the state's output is the ResultPath step's value
        // only when no OutputPath follows it.
        _ => seen
            .exited_output
            .clone()
            .filter(|_| !state.contains_key("OutputPath")),
    };
    if let Some(o) = after_result_path {
        data.insert("afterResultPath".into(), o);
    }
    if let Some(StateKind::Map(map)) = model.map(|m| &m.kind) {
        if let (Some(p), Some(doc)) = (&map.items_path, &after_input)
            && let Ok(items) = p.evaluate(&scope.with_input(doc))
        {
            data.insert("afterItemsPath".into(), json!(to_json_text(&items)));
        }
        let max = match &map.max_concurrency {
            None => Some(json!(0)),
            f => literal_number(f.as_ref()),
        };
        if let Some(m) = max {
            data.insert("maxConcurrency".into(), m);
        }
        if let Some(n) = literal_number(map.tolerated_failure_count.as_ref()) {
            data.insert("toleratedFailureCount".into(), n);
        }
        if let Some(n) = literal_number(map.tolerated_failure_percentage.as_ref()) {
            data.insert("toleratedFailurePercentage".into(), n);
        }
    }
    if let Some(vars) = &seen.assigned {
        data.insert("variables".into(), json!(vars.to_string()));
    }
    data
}

pub(crate) async fn test_state(svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let definition_text = req.str("definition")?;
    check_len(req, "definition", 1, asl_core::limits::MAX_DEFINITION_CHARS)?;
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
    check_len(req, "roleArn", 1, 256)?;
    check_len(req, "stateName", 1, 80)?;
    for field in ["input", "variables", "context"] {
        check_len(req, field, 0, MAX_PAYLOAD)?;
    }
    let reveal_secrets = req.opt_bool("revealSecrets")?.unwrap_or(false);
    let state_config = StateConfiguration::read(req)?;
    let input_text = req.opt_str("input")?.unwrap_or("{}").to_string();
    let input = parse_json_member(req, "input")?.unwrap_or_else(|| json!({}));
    let variables = parse_json_member(req, "variables")?;
    let mock = req.opt_obj("mock")?;
    if mock.is_some() && reveal_secrets {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "TestState does not support RevealSecrets when a mock is specified.",
        ));
    }
    let context = match parse_json_member(req, "context")? {
        None => None,
        Some(_) if mock.is_none() => {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "Invalid Context object provided: a Context object can only be specified together with a mock",
            ));
        }
        Some(c) => Some(check_context(c)?),
    };
    let (name, mut state, query_language) = pick_state(&definition, req.opt_str("stateName")?)?;
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = kind.as_str();
    if mock.is_some() && !matches!(kind, "Task" | "Map" | "Parallel") {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            format!("State type '{kind}' is not supported when a mock is specified"),
        ));
    }
    if mock.is_none() && matches!(kind, "Map" | "Parallel") {
        return Err(invalid(
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ));
    }
    let activity = state
        .get("Resource")
        .and_then(Value::as_str)
        .is_some_and(|r| r.contains(":activity:"));
    if mock.is_none() && (waits_for_task(&state) || activity) {
        // AWS requires a mock here; its message for the missing one is not recorded: ours.
        return Err(invalid(
            "TestState needs a mock to test an Activity task or a .sync or .waitForTaskToken service integration pattern",
        ));
    }
    if mock.is_none() && kind == "Task" && req.opt_str("roleArn")?.is_none() {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "RoleArn must be specified when testing a Task state",
        ));
    }
    if let Some(c) = &context
        && c.contains_key("Task")
        && !waits_for_task(&state)
    {
        return Err(ApiError::new(
            ErrorCode::ValidationException,
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
        ));
    }
    let open_ended = !state.contains_key("Next") && !state.contains_key("End");
    if open_ended && !matches!(kind, "Choice" | "Succeed" | "Fail") {
        state.insert("End".into(), json!(true));
    }
    // The state on its own first, for where it can go: each target becomes a Succeed stub.
    let ql = match query_language.as_ref().and_then(Value::as_str) {
        Some("JSONata") => QueryLanguage::Jsonata,
        _ => QueryLanguage::JsonPath,
    };
    let alone = asl_core::State::from_value(&name, &Value::Object(state.clone()), ql)
        .map_err(|e| invalid(format!("Invalid State Machine Definition: '{e}'")))?;
    // A mocked Map or Parallel state does not run its iterations or branches: the mock is its
    // whole result (AWS's recordings), so it runs here as a Task with the state's own data flow
    // and handlers, the mock answering.
    let run_state = if matches!(kind, "Map" | "Parallel") {
        mocked_as_task(&state)
    } else {
        state.clone()
    };
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
    states.insert(name.clone(), Value::Object(run_state));
    for t in alone.successors().map(|e| e.target) {
        if t != name {
            states.insert(t.to_string(), json!({"Type": "Succeed"}));
        }
    }
    let mut machine = json!({"StartAt": start, "States": states});
    if let Some(q) = &query_language {
        machine["QueryLanguage"] = q.clone();
    }
    let parsed_machine = Arc::new(
        asl_core::StateMachine::from_value(&machine)
            .map_err(|e| invalid(format!("Invalid State Machine Definition: '{e}'")))?,
    );

    let handlers = match mock {
        Some(mock) => {
            if mock.contains_key("result") && mock.contains_key("errorOutput") {
                return Err(ApiError::new(
                    ErrorCode::ValidationException,
                    "A test mock should have only one of the following fields: [result, errorOutput].",
                ));
            }
            let answer: Result<Value, TaskFailure> = if let Some(r) = mock.get("result") {
                let text = r.as_str().unwrap_or_default();
                let result: Value = serde_json::from_str(text).map_err(|_| {
                    ApiError::new(
                        ErrorCode::ValidationException,
                        "Mocked result must be valid JSON",
                    )
                })?;
                check_mocked_shape(kind, &state, &result)?;
                if kind == "Task" {
                    let mode = mock
                        .get("fieldValidationMode")
                        .and_then(Value::as_str)
                        .unwrap_or("STRICT");
                    let resource = state
                        .get("Resource")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    mock_shapes::check(resource, mode, &result).map_err(|m| {
                        ApiError::new(
                            ErrorCode::ValidationException,
                            format!("Mock result schema validation error: {m}"),
                        )
                    })?;
                }
                match exceeded_threshold(
                    kind,
                    &alone,
                    &result,
                    state_config.map_iteration_failure_count,
                ) {
                    Some(f) => Err(f),
                    None => Ok(result),
                }
            } else if let Some(e) = mock.get("errorOutput") {
                Err(TaskFailure {
                    error: e.get("error").and_then(Value::as_str).map(str::to_string),
                    cause: e.get("cause").and_then(Value::as_str).map(str::to_string),
                })
            } else {
                return Err(ApiError::new(
                    ErrorCode::ValidationException,
                    "A mock must have a result or an errorOutput",
                ));
            };
            let h = move |_req: TaskRequest| {
                let a = answer.clone();
                async move { a }
            };
            Handlers::new().prefix("", h)
        }
        // Without a mock, a Task calls what an execution's would (AWS calls the service).
        None => svc.task_handlers.clone(),
    };
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::starting_now()))
        .build();
    let context = Some(context.unwrap_or_else(|| {
        default_context(
            req.scope(),
            kind,
            &input,
            req.opt_str("roleArn").ok().flatten(),
        )
    }));
    let scope = req.scope();
    let config = ExecutionConfig {
        name: "TestState".into(),
        state_machine_name: "TestState".into(),
        input_text: input_text.clone(),
        context: context.clone(),
        // Its own ARN, in the request's region: the calls it makes are told apart by it.
        arn: Some(format!(
            "arn:{}:states:{}:{}:execution:TestState:{}",
            scope.partition,
            scope.region,
            scope.account,
            uuid::Uuid::new_v4()
        )),
        region: scope.region.clone(),
        account: scope.account.clone(),
        ..ExecutionConfig::default()
    };
    // TRACE shows an HTTP Task's request and response.
    let http_trace = (level == "TRACE" && mock.is_none() && kind == "Task")
        .then_some(config.arn.as_deref())
        .flatten()
        .map(|arn| crate::integrations::http_task::trace::Trace::start(arn, reveal_secrets));
    let outcome = interp.run(parsed_machine.clone(), config).await;
    let aggregate = matches!(kind, "Map" | "Parallel");
    let model = if aggregate {
        Some(&alone)
    } else {
        parsed_machine.state(&name)
    };
    let h = &outcome.history;

    // Our state's slice of the history: from its Entered event to the next state's entry.
    let entered = h.iter().position(|e| {
        e.event_type.is_state_entered() && state_name(e).as_deref() == Some(name.as_str())
    });
    let next_entered = entered.and_then(|i| {
        h[i + 1..]
            .iter()
            .find(|e| e.event_type.is_state_entered())
            .and_then(|e| e.details.as_ref()?.name())
    });
    let exited = h.iter().find(|e| {
        e.event_type.is_state_exited() && state_name(e).as_deref() == Some(name.as_str())
    });
    // The error that left our state, if any: its first failure (a mocked Map or Parallel runs
    // as a task, so it too fails with its task's error).
    let failure = h
        .iter()
        .find(|e| e.event_type.ends_with("Failed") || e.event_type.ends_with("TimedOut"));
    let error_of =
        |e: &HistoryEvent| details(e, "error").or_else(|| outcome.error.as_ref().map(|x| json!(x)));
    let cause_of =
        |e: &HistoryEvent| details(e, "cause").or_else(|| outcome.cause.as_ref().map(|x| json!(x)));
    let handling = match (failure.and_then(error_of), model) {
        (Some(Value::String(err)), Some(m)) => {
            handle_error(m, &err, state_config.retrier_retry_count)
        }
        _ => ErrorHandling::default(),
    };

    let mut out = Map::new();
    let status;
    if handling.retriable
        && let Some(f) = failure
    {
        status = "RETRIABLE";
        if let Some(e) = error_of(f) {
            out.insert("error".into(), e);
        }
        if let Some(c) = cause_of(f) {
            out.insert("cause".into(), c);
        }
    } else if let Some(next) = next_entered.clone().filter(|_| {
        failure.is_some() && handling.catch_index.is_some() && outcome.status == Status::Succeeded
    }) {
        status = "CAUGHT_ERROR";
        out.insert("nextState".into(), json!(next));
        if let Some(f) = failure {
            if let Some(e) = error_of(f) {
                out.insert("error".into(), e);
            }
            if let Some(c) = cause_of(f) {
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
        let scheduled = h.iter().find(|e| e.event_type.ends_with("Scheduled"));
        let succeeded = h
            .iter()
            .find(|e| e.event_type.ends_with("Succeeded") && e.event_type != "ExecutionSucceeded");
        let seen = Seen {
            input_text: &input_text,
            input: &input,
            parameters: scheduled
                .filter(|_| !aggregate)
                .and_then(|e| details(e, "parameters").or_else(|| details(e, "input"))),
            result: succeeded
                .filter(|_| !aggregate)
                .and_then(|e| details(e, "output")),
            exited_output: exited
                .and_then(|e| details(e, "output"))
                .filter(|_| matches!(status, "SUCCEEDED" | "CAUGHT_ERROR")),
            assigned: exited.and_then(|e| details(e, "assignedVariables")),
            context: context.as_ref(),
            variables: variables.as_ref().and_then(Value::as_object),
        };
        let mut data = inspect(&state, model, &seen);
        if kind == "Map" {
            let (selected, batched) = map_inspection(
                &state,
                query_language.as_ref(),
                &input_text,
                context.as_ref(),
                variables.as_ref(),
                state_config.map_item_reader_data.as_deref(),
            )
            .await;
            if let Some(v) = selected {
                data.insert("afterItemSelector".into(), v);
            }
            if let Some(v) = batched {
                data.insert("afterItemBatcher".into(), v);
            }
        }
        let mut errors = Map::new();
        if let Some(i) = handling.retry_index {
            errors.insert("retryIndex".into(), json!(i));
        }
        if let (true, Some(b)) = (handling.retriable, handling.backoff_seconds) {
            errors.insert("retryBackoffIntervalSeconds".into(), json!(b));
        }
        if let (Some(i), "CAUGHT_ERROR") = (handling.catch_index, status) {
            errors.insert("catchIndex".into(), json!(i));
        }
        if !errors.is_empty() {
            data.insert("errorDetails".into(), Value::Object(errors));
        }
        if let Some(t) = &http_trace {
            let (request, response) = t.take();
            if let Some(r) = request {
                data.insert("request".into(), Value::Object(r));
            }
            if let Some(r) = response {
                data.insert("response".into(), Value::Object(r));
            }
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Ok(Value::Object(out))
}
