//! Issue 17, class 5: the context object (`$$`, JSONata `$states.context`) per execution type.
//!
//! Rules (and where AWS states them):
//! - Shape, from AWS's context object page (input-output-contextobject): `Execution` {`Id`,
//!   `Input`, `Name`, `RoleArn`, `StartTime`, `RedriveCount`, `RedriveTime`}, `State`
//!   {`EnteredTime`, `Name`, `RetryCount`}, `StateMachine` {`Id`, `Name`}, `Task` {`Token`}.
//!   Key order as AWS writes them when `$$` is dumped whole
//!   (`base...test_query_context_object_values`, `assign...BASE_PATHS`,
//!   `context_object...test_input_path___89f040`, `outputdecl...BASE_EXPR`):
//!   `Execution` {Id, Input, StartTime, Name, RoleArn, RedriveCount}, `StateMachine`
//!   {Id, Name}, `State` {Name, EnteredTime}.
//! - `RedriveCount` is 0 until a redrive; `RedriveTime` only appears once the execution was
//!   redriven (the same page: "RedriveTime ... only available if you've redriven an
//!   execution"). Recordings made before redrive existed (October 2023:
//!   `test_lambda_invoke_with_retry_extended_input`) lack `RedriveCount`; today's do not.
//! - `State.RetryCount` only in Task states, from 0 (`test_lambda_invoke_with_retry_extended
//!   _input`: 0, 1, 2, 3 across retries); not in a Pass state (`test_query_context_object
//!   _values`).
//! - `Execution.Id` is the execution ARN, `...:express:SM:NAME:<uuid>` for EXPRESS (the
//!   conformance README's ARNs, the EXPRESS recordings).
//! - `Map.Item.Index`/`Map.Item.Value` in a Map's `ItemSelector` (state-map,
//!   input-output-itemselector: "`$$.Map.Item.Value` ... contains each individual data
//!   item"; `test_map_state_item_selector*`).
//! - A Distributed Map's child workflow execution has its own context: its own execution ARN
//!   and name, its input as `Execution.Input`, the map run's state machine
//!   (state-map-distributed: "Each child workflow execution has its own execution history").
//! - Both query languages see the same object (`$states.context` is `$$`: the context object
//!   page, "Accessing the Context object").

use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{
    ExecutionType, Handlers, Interpreter, Outcome, Status, TaskFailure, TaskRequest, VirtualClock,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

mod common;

fn interpreter(handlers: Handlers) -> Interpreter {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0).unwrap();
    Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::new(start)))
        .build()
}

fn run_as(ty: ExecutionType, def: Value, input: &str) -> Outcome {
    let mut config = common::config(input);
    config.execution_type = ty;
    common::block_on(interpreter(Handlers::new()).run(common::machine(def), config))
}

/// A one-state machine that outputs its context object, in `ql`.
fn dump(ql: &str) -> Value {
    let pass = if ql == "JSONata" {
        json!({"Type": "Pass", "Output": "{% $states.context %}", "End": true})
    } else {
        json!({"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "OutputPath": "$.ctx", "End": true})
    };
    json!({"QueryLanguage": ql, "StartAt": "Dump", "States": {"Dump": pass}})
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn output(out: &Outcome) -> Value {
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    serde_json::from_str(out.output.as_deref().unwrap()).unwrap()
}

#[test]
fn the_context_object_per_execution_type_and_query_language() {
    let express = ExecutionType::Express;
    let standard = ExecutionType::Standard;
    for (ty, arn_part) in [
        (standard, ":execution:sm:exec"),
        (express, ":express:sm:exec:"),
    ] {
        for ql in ["JSONPath", "JSONata"] {
            let case = format!("{ty:?} {ql}");
            let ctx = output(&run_as(ty, dump(ql), r#"{"a": 1}"#));
            assert_eq!(keys(&ctx), ["Execution", "StateMachine", "State"], "{case}");
            let e = &ctx["Execution"];
            assert_eq!(
                keys(e),
                [
                    "Id",
                    "Input",
                    "StartTime",
                    "Name",
                    "RoleArn",
                    "RedriveCount"
                ],
                "{case}"
            );
            assert!(e["Id"].as_str().unwrap().contains(arn_part), "{case}: {e}");
            assert_eq!(e["Input"], json!({"a": 1}), "{case}");
            assert_eq!(e["Name"], "exec", "{case}");
            assert_eq!(e["StartTime"], "2024-01-01T17:00:00.000Z", "{case}");
            assert_eq!(e["RedriveCount"], 0, "{case}");
            assert_eq!(keys(&ctx["StateMachine"]), ["Id", "Name"], "{case}");
            assert_eq!(ctx["StateMachine"]["Name"], "sm", "{case}");
            assert!(
                ctx["StateMachine"]["Id"]
                    .as_str()
                    .unwrap()
                    .ends_with(":stateMachine:sm")
            );
            assert_eq!(keys(&ctx["State"]), ["Name", "EnteredTime"], "{case}");
            assert_eq!(ctx["State"]["Name"], "Dump", "{case}");
        }
    }
}

#[test]
fn a_map_selector_sees_its_item() {
    for ql in ["JSONPath", "JSONata"] {
        let map = if ql == "JSONata" {
            json!({"Type": "Map", "Items": "{% $states.input %}",
                "ItemSelector": "{% $states.context.Map %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "End": true})
        } else {
            json!({"Type": "Map", "ItemSelector": {"m.$": "$$.Map"}, "ItemProcessor": {"StartAt": "P",
                "States": {"P": {"Type": "Pass", "OutputPath": "$.m", "End": true}}}, "End": true})
        };
        let def = json!({"QueryLanguage": ql, "StartAt": "M", "States": {"M": map}});
        let out = output(&run_as(ExecutionType::Standard, def, r#"["a", {"b": 2}]"#));
        assert_eq!(
            out,
            json!([{"Item": {"Index": 0, "Value": "a"}}, {"Item": {"Index": 1, "Value": {"b": 2}}}]),
            "{ql}"
        );
    }
}

/// A Task's `Parameters` are evaluated again for each attempt, with that attempt's
/// `State.RetryCount` (`test_lambda_invoke_with_retry_extended_input`: the scheduled inputs
/// carry 0, 1, 2, 3).
#[test]
fn a_task_sees_its_retry_count_in_each_attempt() {
    for ql in ["JSONPath", "JSONata"] {
        let task = if ql == "JSONata" {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Arguments": {"state": "{% $states.context.State %}"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}], "End": true})
        } else {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Parameters": {"state.$": "$$.State"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}], "End": true})
        };
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let handlers = Handlers::new().function("f", move |req: TaskRequest| {
            let seen = s2.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push(req.parameters["state"].clone());
                if seen.len() < 3 {
                    return Err(TaskFailure::new("Again", "not yet"));
                }
                Ok(json!({}))
            }
        });
        let def = json!({"QueryLanguage": ql, "StartAt": "T", "States": {"T": task}});
        let out =
            common::block_on(interpreter(handlers).run(common::machine(def), common::config("{}")));
        assert_eq!(out.status, Status::Succeeded, "{ql}: {out:?}");
        let seen = seen.lock().unwrap();
        for (n, state) in seen.iter().enumerate() {
            assert_eq!(keys(state), ["Name", "EnteredTime", "RetryCount"], "{ql}");
            assert_eq!(state["RetryCount"], n as u64, "{ql}");
        }
    }
}

/// `State.RetryCount` is there, from 0, in a Task state's context and only there
/// (`test_lambda_invoke_with_retry_extended_input`, `test_query_context_object_values`).
#[test]
fn a_task_sees_a_retry_count() {
    for ql in ["JSONPath", "JSONata"] {
        let task = if ql == "JSONata" {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Arguments": {"state": "{% $states.context.State %}"}, "End": true})
        } else {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Parameters": {"state.$": "$$.State"}, "End": true})
        };
        let handlers = Handlers::new().function("f", |req: TaskRequest| async move {
            Ok(req.parameters["state"].clone())
        });
        let def = json!({"QueryLanguage": ql, "StartAt": "T", "States": {"T": task}});
        let out =
            common::block_on(interpreter(handlers).run(common::machine(def), common::config("{}")));
        let state = output(&out);
        assert_eq!(keys(&state), ["Name", "EnteredTime", "RetryCount"], "{ql}");
        assert_eq!(state["RetryCount"], 0, "{ql}");
    }
}

#[test]
fn a_distributed_maps_children_see_their_own_execution() {
    let types = [
        ("STANDARD", ":execution:sm/lbl:"),
        ("EXPRESS", ":express:sm/lbl:"),
    ];
    for (ql, (child_type, arn_part)) in ["JSONPath", "JSONata"]
        .into_iter()
        .flat_map(|ql| types.map(|t| (ql, t)))
    {
        let child = if ql == "JSONata" {
            json!({"Type": "Pass", "Output": "{% $states.context %}", "End": true})
        } else {
            json!({"Type": "Pass", "Parameters": {"c.$": "$$"}, "OutputPath": "$.c", "End": true})
        };
        let mut map = json!({"Type": "Map", "Label": "lbl", "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": child_type},
            "StartAt": "C", "States": {"C": child}}, "End": true});
        if ql == "JSONata" {
            map["Items"] = json!("{% $states.input %}");
        }
        let def = json!({"QueryLanguage": ql, "StartAt": "M", "States": {"M": map}});
        let out = output(&run_as(ExecutionType::Standard, def, r#"[10, 20]"#));
        let children = out.as_array().unwrap();
        assert_eq!(children.len(), 2);
        let mut names = Vec::new();
        for (c, item) in children.iter().zip([10, 20]) {
            let e = &c["Execution"];
            assert_eq!(e["Input"], item, "{ql}: the child's own input");
            let id = e["Id"].as_str().unwrap();
            assert!(id.contains(arn_part), "{ql} {child_type}: {id}");
            assert!(id.ends_with(e["Name"].as_str().unwrap()), "{ql}: {id}");
            names.push(e["Name"].clone());
            assert_eq!(e["RedriveCount"], 0);
            assert!(
                c["StateMachine"]["Id"]
                    .as_str()
                    .unwrap()
                    .ends_with(":stateMachine:sm/lbl"),
                "{ql}: {c}"
            );
            assert_eq!(c["State"]["Name"], "C");
        }
        assert_ne!(names[0], names[1], "{ql}: each child is its own execution");
    }
}

#[test]
fn a_redriven_execution_carries_its_redrive_count_and_time() {
    for ql in ["JSONPath", "JSONata"] {
        // Fails until told otherwise; then dumps its context.
        let task = if ql == "JSONata" {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Arguments": {"ctx": "{% $states.context %}"}, "End": true})
        } else {
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Parameters": {"ctx.$": "$$"}, "End": true})
        };
        let def = json!({"QueryLanguage": ql, "StartAt": "T", "States": {"T": task}});
        let fixed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f2 = fixed.clone();
        let handlers = Handlers::new().function("f", move |req: TaskRequest| {
            let fixed = f2.clone();
            async move {
                if !fixed.load(std::sync::atomic::Ordering::SeqCst) {
                    let e = &req.parameters["ctx"]["Execution"];
                    assert_eq!(e["RedriveCount"], 0);
                    assert!(
                        e.get("RedriveTime").is_none(),
                        "no RedriveTime before a redrive"
                    );
                    return Err(TaskFailure::new("Broken", "not yet"));
                }
                Ok(req.parameters["ctx"]["Execution"].clone())
            }
        });
        let interp = interpreter(handlers);
        let m: Arc<StateMachine> = common::machine(def);
        let config = || common::config("{}");
        let failed = common::block_on(async { interp.start(m.clone(), config()).outcome().await });
        assert_eq!(failed.status, Status::Failed, "{ql}");
        fixed.store(true, std::sync::atomic::Ordering::SeqCst);
        for count in [1u32, 2] {
            let previous = failed.history.clone();
            let out = common::block_on(async {
                interp
                    .redrive(m.clone(), config(), previous, count)
                    .outcome()
                    .await
            });
            let e = output(&out);
            assert_eq!(e["RedriveCount"], count, "{ql}");
            let redriven = out
                .history
                .iter()
                .find(|ev| ev.event_type.as_ref() == "ExecutionRedriven")
                .unwrap();
            let when = redriven
                .timestamp
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(e["RedriveTime"], when, "{ql}: the redrive's time");
            assert_eq!(
                keys(&e),
                [
                    "Id",
                    "Input",
                    "StartTime",
                    "Name",
                    "RoleArn",
                    "RedriveCount",
                    "RedriveTime"
                ],
                "{ql}"
            );
        }
    }
}
