//! Pictures of definitions and executions: Mermaid and DOT snapshots for every state type
//! and for executions that succeed, fail, catch, retry, loop and map (run by the engine on a
//! virtual clock, so the histories are the engine's own); the SVG parsed as XML with every
//! state present; hostile names escaped in every format.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use asl_core::StateMachine;
use asl_graph::{Format, Graph, Outcome, Overlay, render};
use asl_interpreter::{
    ExecutionConfig, Handlers, Interpreter, TaskFailure, TaskRequest, VirtualClock,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

fn graph(def: &Value) -> (StateMachine, Graph) {
    let sm = StateMachine::from_value(def).expect("a valid definition");
    let g = Graph::from_machine(&sm);
    (sm, g)
}

/// Runs `def` on `input` and returns its `sfn-local run`-shaped JSON (status and events).
fn run(def: &Value, input: Value, handlers: Handlers) -> Value {
    let interp = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(VirtualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        )))
        .build();
    let machine = Arc::new(StateMachine::from_value(def).unwrap());
    let config = ExecutionConfig {
        name: "exec".into(),
        state_machine_name: "sm".into(),
        input_text: input.to_string(),
        ..ExecutionConfig::default()
    };
    let out = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(interp.run(machine, config));
    out.to_json(true)
}

/// Checks the SVG is well-formed XML, and holds one shape per state of the graph.
fn check_svg<'a>(svg: &'a str, g: &Graph) -> roxmltree::Document<'a> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(!svg.contains("<script"), "{svg}");
    for n in &g.nodes {
        if matches!(n.kind, asl_graph::graph::NodeKind::State(_)) {
            let found = doc
                .descendants()
                .any(|d| d.attribute("data-id") == Some(n.id.as_str()));
            assert!(found, "no shape for {} in\n{svg}", n.id);
        }
    }
    doc
}

/// The outcome class each state's shape has in the SVG.
fn svg_outcomes(svg: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let mut out: Vec<(String, String)> = doc
        .descendants()
        .filter_map(|d| {
            let name = d.attribute("data-state")?;
            let class = d.attribute("class")?;
            let outcome = Outcome::ALL
                .iter()
                .find(|o| class.split(' ').any(|c| c == o.as_str()))?;
            Some((name.to_string(), outcome.as_str().to_string()))
        })
        .collect();
    out.sort();
    out
}

fn every_state_type() -> Value {
    json!({
      "Comment": "every state type",
      "StartAt": "Pick",
      "States": {
        "Pick": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"And": [{"Variable": "$.s", "IsPresent": true}, {"Variable": "$.s", "StringMatches": "a*"}], "Next": "Wait"}
          ], "Default": "Work"},
        "Big": {"Type": "Pass", "Result": {"big": true}, "Next": "Work"},
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f"},
          "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
          "Next": "Both"},
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}},
            {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "Item", "States": {
                "Item": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:item", "End": true}}},
              "End": true}}}
          ], "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Broken": {"Type": "Fail", "Error": "Work.Broken", "Cause": "it broke"}
      }
    })
}

#[test]
fn every_state_type_in_each_format() {
    let (_, g) = graph(&every_state_type());
    insta::assert_snapshot!("every_state_type.mmd", render(&g, None, Format::Mermaid));
    insta::assert_snapshot!("every_state_type.dot", render(&g, None, Format::Dot));
    let svg = render(&g, None, Format::Svg);
    let doc = check_svg(&svg, &g);
    // Clusters for the Parallel's branches and the Map's processor.
    let clusters = doc
        .descendants()
        .filter(|d| d.attribute("class") == Some("cluster"))
        .count();
    assert_eq!(clusters, 3, "{svg}");
    // The Catch edge is drawn apart from normal flow.
    assert!(svg.contains(r#"class="edge catch""#), "{svg}");
    // The same input gives the same bytes.
    assert_eq!(render(&g, None, Format::Svg), svg);
}

/// One case of an execution over its definition.
struct Case {
    name: &'static str,
    def: Value,
    input: Value,
    handlers: fn() -> Handlers,
    /// The outcome of each state that ran.
    outcomes: &'static [(&'static str, &'static str)],
}

fn flaky_then_ok() -> Handlers {
    let calls = Arc::new(AtomicU32::new(0));
    Handlers::new().function("f", move |_req: TaskRequest| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Err(TaskFailure::new("Flaky", "first call"))
            } else {
                Ok(json!({"ok": true}))
            }
        }
    })
}

fn always_fails() -> Handlers {
    Handlers::new().function("f", |_req: TaskRequest| async move {
        Err(TaskFailure::new("Boom", "always <fails> & \"quotes\""))
    })
}

const F: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "succeeds",
            def: json!({"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Next": "Pick"},
                "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Yes"}], "Default": "No"},
                "Yes": {"Type": "Succeed"},
                "No": {"Type": "Fail", "Error": "Nope"}}}),
            input: json!({"go": true}),
            handlers: Handlers::new,
            outcomes: &[
                ("A", "succeeded"),
                ("No", "not-reached"),
                ("Pick", "succeeded"),
                ("Yes", "succeeded"),
            ],
        },
        Case {
            name: "fails",
            def: json!({"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": F, "Next": "After"},
                "After": {"Type": "Pass", "End": true}}}),
            input: json!({}),
            handlers: always_fails,
            outcomes: &[("After", "not-reached"), ("T", "failed")],
        },
        Case {
            name: "catches",
            def: json!({"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": F, "Next": "After",
                      "Catch": [{"ErrorEquals": ["Boom"], "Next": "Recover"}]},
                "After": {"Type": "Pass", "End": true},
                "Recover": {"Type": "Pass", "End": true}}}),
            input: json!({}),
            handlers: always_fails,
            outcomes: &[
                ("After", "not-reached"),
                ("Recover", "succeeded"),
                ("T", "caught"),
            ],
        },
        Case {
            name: "retries",
            def: json!({"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": F, "End": true,
                      "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 3}]}}}),
            input: json!({}),
            handlers: flaky_then_ok,
            outcomes: &[("T", "retried")],
        },
        Case {
            name: "loops",
            def: json!({"StartAt": "Init", "States": {
                "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Step"},
                "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "More"},
                "More": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 3, "Next": "Step"}], "Default": "Done"},
                "Done": {"Type": "Succeed"}}}),
            input: json!({}),
            handlers: Handlers::new,
            outcomes: &[
                ("Done", "succeeded"),
                ("Init", "succeeded"),
                ("More", "succeeded"),
                ("Step", "succeeded"),
            ],
        },
        Case {
            name: "maps",
            def: json!({"StartAt": "Each", "States": {
                "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
                  "ItemProcessor": {"StartAt": "Check", "States": {
                    "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Good"},
                    "Good": {"Type": "Pass", "End": true},
                    "Bad": {"Type": "Fail", "Error": "Two"}}}}}}),
            input: json!({"items": [1, 2, 3]}),
            handlers: Handlers::new,
            outcomes: &[
                ("Bad", "failed"),
                ("Check", "succeeded"),
                ("Each", "failed"),
                ("Good", "succeeded"),
            ],
        },
    ]
}

#[test]
fn executions_over_their_definitions() {
    for case in cases() {
        let (_, g) = graph(&case.def);
        let history = run(&case.def, case.input.clone(), (case.handlers)());
        let overlay = Overlay::from_history(&g, &history)
            .unwrap_or_else(|e| panic!("{}: {e}\n{history}", case.name));
        assert!(
            overlay.unmatched.is_empty(),
            "{}: {:?}",
            case.name,
            overlay.unmatched
        );
        insta::assert_snapshot!(
            format!("{}.mmd", case.name),
            render(&g, Some(&overlay), Format::Mermaid)
        );
        insta::assert_snapshot!(
            format!("{}.dot", case.name),
            render(&g, Some(&overlay), Format::Dot)
        );
        let svg = render(&g, Some(&overlay), Format::Svg);
        check_svg(&svg, &g);
        let expected: Vec<(String, String)> = case
            .outcomes
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(svg_outcomes(&svg), expected, "{}", case.name);
    }
}

#[test]
fn a_loop_counts_its_entries() {
    let case = cases().into_iter().find(|c| c.name == "loops").unwrap();
    let (_, g) = graph(&case.def);
    let history = run(&case.def, case.input, Handlers::new());
    let overlay = Overlay::from_history(&g, &history).unwrap();
    let step = g.find(None, "Step").unwrap();
    assert_eq!(overlay.node(step).entries, 3);
    let each = cases().into_iter().find(|c| c.name == "maps").unwrap();
    let (_, g) = graph(&each.def);
    let history = run(&each.def, each.input, Handlers::new());
    let overlay = Overlay::from_history(&g, &history).unwrap();
    let check = g.find(
        g.node(g.find(None, "Each").unwrap())
            .children
            .first()
            .copied(),
        "Check",
    );
    // Item 2 fails the Map (no tolerance) before item 3 starts: two entries.
    assert_eq!(overlay.node(check.unwrap()).entries, 2);
}

/// Names, errors and causes are text in every format, never markup or syntax: escaped as
/// markup in Mermaid (whose labels are HTML) and SVG, as a quoted string in DOT.
#[test]
fn hostile_names_are_escaped_everywhere() {
    let evil = "<script>alert(\"x\")</script>&'|]\"};\\";
    let def = json!({"StartAt": evil, "States": {
        evil: {"Type": "Task", "Resource": F, "Next": "B"},
        "B": {"Type": "Pass", "End": true}}});
    let (_, g) = graph(&def);
    let history = run(&def, json!({"x": "<script>"}), always_fails());
    let overlay = Overlay::from_history(&g, &history).unwrap();
    // Mermaid and SVG are read as markup; DOT labels are plain text in quotes.
    for format in [Format::Mermaid, Format::Svg] {
        let text = render(&g, Some(&overlay), format);
        assert!(!text.contains("<script>"), "{format:?}: {text}");
    }
    let svg = render(&g, Some(&overlay), Format::Svg);
    let doc = check_svg(&svg, &g);
    let shape = doc
        .descendants()
        .find(|d| d.attribute("data-state") == Some(evil))
        .expect("the state, by its name as text");
    assert!(shape.attribute("class").unwrap().contains("failed"));
    let dot = render(&g, Some(&overlay), Format::Dot);
    assert!(dot.contains(r#"<script>alert(\"x\")</script>"#), "{dot}");
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// A chain of states of random types, some Choices jumping back, some Parallels and
    /// Maps nesting a smaller chain.
    fn chain(depth: u32) -> impl Strategy<Value = Vec<(u8, u8)>> {
        let _ = depth;
        prop::collection::vec((0u8..6, 0u8..8), 1..12)
    }

    fn states(prefix: &str, spec: &[(u8, u8)], depth: u32) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        let name = |i: usize| format!("{prefix}{i}");
        for (i, (kind, target)) in spec.iter().enumerate() {
            let last = i + 1 == spec.len();
            let next = |s: &mut Value| {
                if last {
                    s["End"] = json!(true);
                } else {
                    s["Next"] = json!(name(i + 1));
                }
            };
            let mut s = match kind {
                0 => json!({"Type": "Pass"}),
                1 => json!({"Type": "Wait", "Seconds": 1}),
                2 => json!({"Type": "Task", "Resource": F,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": name((*target as usize) % spec.len())}]}),
                3 if !last => {
                    let back = name((*target as usize) % spec.len());
                    json!({"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": back}],
                        "Default": name(i + 1)})
                }
                4 if depth < 2 => {
                    let inner = Value::Object(states(
                        &format!("{prefix}{i}p"),
                        &spec[..spec.len().min(3)],
                        depth + 1,
                    ));
                    json!({"Type": "Parallel", "Branches": [
                        {"StartAt": format!("{prefix}{i}p0"), "States": inner}]})
                }
                5 if depth < 2 => {
                    let inner = Value::Object(states(
                        &format!("{prefix}{i}m"),
                        &spec[..spec.len().min(3)],
                        depth + 1,
                    ));
                    json!({"Type": "Map", "ItemProcessor": {"StartAt": format!("{prefix}{i}m0"), "States": inner}})
                }
                _ => json!({"Type": "Pass"}),
            };
            if s["Type"] != "Choice" {
                next(&mut s);
            }
            out.insert(name(i), s);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the shape, every format renders, the SVG is well-formed with every state
        /// in it, and rendering is deterministic.
        #[test]
        fn any_shape_renders(spec in chain(0)) {
            let def = json!({"StartAt": "s0", "States": Value::Object(states("s", &spec, 0))});
            let Ok(sm) = StateMachine::from_value(&def) else { return Ok(()); };
            let g = Graph::from_machine(&sm);
            let svg = render(&g, None, Format::Svg);
            check_svg(&svg, &g);
            prop_assert_eq!(render(&g, None, Format::Svg), svg);
            for format in [Format::Mermaid, Format::Dot] {
                let text = render(&g, None, format);
                for n in &g.nodes {
                    prop_assert!(text.contains(&n.key), "{} missing in {:?}", n.key, format);
                }
            }
        }
    }
}
