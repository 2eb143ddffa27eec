//! Definitions of every shape are validated in work proportional to their size: deep, wide,
//! long, a mebibyte of one byte, YAML. Each shape's diagnostics are pinned here; the work is
//! counted (not timed) by `asl_core::parse::work`, and `cargo bench -p asl-validate` times them.

use std::io::Write;
use std::process::{Command, Stdio};

use asl_core::limits::{MAX_DEFINITION_CHARS, MAX_DIAGNOSTIC_BYTES, MAX_WORKFLOW_NESTING};
use asl_core::parse::work;
use asl_validate::{Diagnostic, fuzz_input, validate, validate_value, validate_yaml};
use proptest::prelude::*;
use shapes::{chain, nested_parallels, template, wide};

mod shapes;

const MIB: usize = 1 << 20;

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

fn messages(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{} {}: {}", d.code, d.location(), d.message))
        .collect()
}

/// Steps of `f` per byte of `text` and of the diagnostics.
fn steps_per_byte(text: &str, f: impl FnOnce(&str) -> Vec<Diagnostic>) -> (Vec<Diagnostic>, f64) {
    let (diags, steps) = work::measure(|| f(text));
    let out: usize = diags
        .iter()
        .map(|d| d.pointer.len() + d.message.len())
        .sum();
    (diags, steps as f64 / (text.len() + out) as f64)
}

#[test]
fn deep_objects() {
    let text = format!("{}1{}", r#"{"a":"#.repeat(20_000), "}".repeat(20_000));
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(
        messages(&diags),
        ["TOO_DEEPLY_NESTED /: The definition nests 20000 levels deep; at most 127 are supported"]
    );
    assert!(per_byte < 4.0, "{per_byte}");
}

#[test]
fn deep_arrays() {
    let text = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(codes(&diags), ["TOO_DEEPLY_NESTED"]);
    assert!(per_byte < 4.0, "{per_byte}");
}

#[test]
fn a_mebibyte_of_open_braces() {
    let text = "{".repeat(MIB);
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(
        messages(&diags),
        [
            "TOO_DEEPLY_NESTED /: The definition nests 1048576 levels deep; at most 127 are supported"
        ]
    );
    assert!(per_byte < 4.0, "{per_byte}");
}

#[test]
fn a_mebibyte_of_open_brackets() {
    let text = "[".repeat(MIB);
    let (diags, _) = steps_per_byte(&text, validate);
    assert_eq!(codes(&diags), ["TOO_DEEPLY_NESTED"]);
}

#[test]
fn a_mebibyte_long_string() {
    // One byte short of the limit: read, and not JSON.
    let text = format!("\"{}", "a".repeat(MIB - 1));
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(codes(&diags), ["INVALID_JSON_DESCRIPTION"]);
    assert!(
        diags[0].message.contains("EOF while parsing a string"),
        "{diags:?}"
    );
    assert!(per_byte < 4.0, "{per_byte}");
    // At the limit plus one: refused unread.
    let text = format!("\"{}", "a".repeat(MIB));
    assert_eq!(
        messages(&validate(&text)),
        [
            "SCHEMA_VALIDATION_FAILED /: The definition is 1048577 characters long; at most 1048576 are accepted"
        ]
    );
}

#[test]
fn definitions_longer_than_aws_accepts() {
    let text = chain(3, true);
    let padded = format!("{text}{}", " ".repeat(MAX_DEFINITION_CHARS - text.len()));
    assert_eq!(validate(&padded), []);
    // Characters count, not bytes: two-byte characters up to the limit are accepted.
    let comment = "é".repeat(MAX_DEFINITION_CHARS - text.len() - 13);
    let wide_chars = text.replacen('{', &format!(r#"{{"Comment":"{comment}","#), 1);
    assert_eq!(wide_chars.chars().count(), MAX_DEFINITION_CHARS);
    assert_eq!(validate(&wide_chars), []);
    let over = format!("{padded} ");
    assert_eq!(codes(&validate(&over)), ["SCHEMA_VALIDATION_FAILED"]);
    assert_eq!(codes(&validate_yaml(&over)), ["SCHEMA_VALIDATION_FAILED"]);
}

#[test]
fn long_chains() {
    let text = chain(16_000, true);
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(diags, []);
    assert!(per_byte < 8.0, "{per_byte}");
    // Looping back instead of ending: no terminal state at all.
    let text = chain(16_000, false);
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(
        messages(&diags),
        [
            "MISSING_END_STATE /States: No terminal state: the workflow needs a state with \"End\": true, or a Succeed or Fail state"
        ]
    );
    assert!(per_byte < 8.0, "{per_byte}");
}

#[test]
fn long_loop_without_exit() {
    // A terminal state only a leftover reaches, and a chain that loops: the lint lists the loop
    // once.
    let text = chain(8_000, false).replacen(
        r#""S0":"#,
        r#""Done":{"Type":"Succeed"},"Unused":{"Type":"Pass","Next":"Done"},"S0":"#,
        1,
    );
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(
        codes(&diags),
        ["MISSING_TRANSITION_TARGET", "ASL001", "ASL002"],
        "{:?}",
        messages(&diags)
    );
    assert_eq!(diags[0].pointer, "/States/Unused");
    assert_eq!(diags[1].pointer, "/States/Done");
    assert_eq!(diags[2].pointer, "/States/S0");
    assert!(diags[2].message.ends_with("S7998, S7999"));
    assert!(per_byte < 8.0, "{per_byte}");
}

#[test]
fn wide_states_maps() {
    let text = wide(16_000);
    let (diags, per_byte) = steps_per_byte(&text, validate);
    assert_eq!(diags.len(), 15_999);
    assert!(
        diags
            .iter()
            .all(|d| d.code.as_str() == "MISSING_TRANSITION_TARGET")
    );
    assert_eq!(diags[0].pointer, "/States/S1");
    assert_eq!(diags[15_998].pointer, "/States/S15999");
    assert!(per_byte < 8.0, "{per_byte}");
}

#[test]
fn deep_parallel_nesting() {
    let ok = nested_parallels(MAX_WORKFLOW_NESTING, "P", 1);
    assert_eq!(validate(&ok), []);
    let deep = nested_parallels(MAX_WORKFLOW_NESTING + 1, "P", 1);
    let diags = validate(&deep);
    assert_eq!(codes(&diags), ["SCHEMA_VALIDATION_FAILED"], "{diags:?}");
    let mut pointer = String::new();
    for level in (0..=MAX_WORKFLOW_NESTING).rev() {
        pointer.push_str(&format!("/States/P{level}/Branches/0"));
    }
    assert_eq!(diags[0].pointer, pointer);
    assert_eq!(
        diags[0].message,
        "Parallel and Map states may nest workflows at most 16 levels deep"
    );
    // As deep as JSON allows (a Parallel takes four levels): refused at the 17th workflow, and
    // nothing recurses past the limits.
    let deepest = nested_parallels(31, "P", 1);
    assert_eq!(codes(&validate(&deepest)), ["SCHEMA_VALIDATION_FAILED"]);
    assert_eq!(
        codes(&validate(&nested_parallels(32, "P", 1))),
        ["TOO_DEEPLY_NESTED"]
    );
}

#[test]
fn yaml_shapes() {
    let cases: [(&str, String, &str); 5] = [
        ("block sequences", "- ".repeat(MIB / 2), "TOO_DEEPLY_NESTED"),
        ("complex keys", "? ".repeat(MIB / 2), "TOO_DEEPLY_NESTED"),
        ("flow sequences", "[".repeat(MIB), "TOO_DEEPLY_NESTED"),
        (
            "indented mappings",
            (0..1400)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect(),
            "TOO_DEEPLY_NESTED",
        ),
        (
            "a long string",
            format!("'{}", "a".repeat(MIB - 1)),
            "INVALID_JSON_DESCRIPTION",
        ),
    ];
    for (name, text, code) in cases {
        let (diags, per_byte) = steps_per_byte(&text, validate_yaml);
        assert_eq!(codes(&diags), [code], "{name}: {diags:?}");
        assert!(per_byte < 4.0, "{name}: {per_byte}");
    }
    // JSON is YAML: the long chain and the nested workflows, read as YAML.
    let (diags, per_byte) = steps_per_byte(&chain(16_000, true), validate_yaml);
    assert_eq!(diags, []);
    assert!(per_byte < 8.0, "{per_byte}");
    let deep = nested_parallels(MAX_WORKFLOW_NESTING + 1, "P", 1);
    assert_eq!(codes(&validate_yaml(&deep)), ["SCHEMA_VALIDATION_FAILED"]);
    // A value built in memory, deeper than the stack allows to recurse.
    let mut v = serde_json::json!(1);
    for _ in 0..200_000 {
        v = serde_json::Value::Array(vec![v]);
    }
    assert_eq!(codes(&validate_value(&v)), ["TOO_DEEPLY_NESTED"]);
    let mut v = Some(v);
    while let Some(serde_json::Value::Array(mut items)) = v {
        v = items.pop();
    }
}

/// The deepest definitions the limits let through, validated on a thread with the stack a tokio
/// worker has (2 MiB): every walk that recurses is bounded by the limits, not by the input.
#[test]
fn the_deepest_definitions_fit_a_small_stack() {
    let levels = 120;
    let not = format!(
        "{}{}{}",
        r#"{"Not":"#.repeat(levels),
        r#"{"Variable":"$.a","BooleanEquals":true}"#,
        "}".repeat(levels)
    );
    let choice = format!(
        r#"{{"StartAt":"C","States":{{"C":{{"Type":"Choice","Choices":[{{"Next":"D",{}}}],"Default":"D"}},"D":{{"Type":"Succeed"}}}}}}"#,
        &not[1..not.len() - 1]
    );
    let template = format!(
        "{}{}{}",
        r#"{"a":["#.repeat(levels / 2 - 2),
        r#"{"b.$":"States.Array($.x)","c":"$.y","d":1}"#,
        "]}".repeat(levels / 2 - 2)
    );
    let parameters = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{template},"ResultSelector":{template},"End":true}}}}}}"#
    );
    let output = format!(
        r#"{{"QueryLanguage":"JSONata","StartAt":"P","States":{{"P":{{"Type":"Pass","Output":{},"End":true}}}}}}"#,
        template.replace("$.x", "{% $x %}")
    );
    let result = format!(
        r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","Result":{}1{},"End":true}}}}}}"#,
        "[".repeat(123),
        "]".repeat(123)
    );
    let cases = [
        choice,
        parameters,
        output,
        result,
        nested_parallels(31, "P", 1),
    ];
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for text in &cases {
                let diags = validate(text);
                assert!(
                    !codes(&diags).contains(&"TOO_DEEPLY_NESTED"),
                    "{:?}",
                    messages(&diags)
                );
                validate_yaml(text);
                let _ = asl_core::StateMachine::from_str(text);
                fuzz_input(text.as_bytes());
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The CLI reads stdin as JSON or YAML (YAML when it does not start like JSON).
#[test]
fn cli_reads_deep_input() {
    for (input, code) in [
        ("- ".repeat(MIB / 2), "TOO_DEEPLY_NESTED"),
        ("[".repeat(MIB), "TOO_DEEPLY_NESTED"),
        ("{".repeat(MIB), "TOO_DEEPLY_NESTED"),
        ("{".repeat(MIB + 1), "SCHEMA_VALIDATION_FAILED"),
        (chain(16_000, false), "MISSING_END_STATE"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asl-validate"))
            .args(["-", "--format", "github"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(stdout.contains(&format!("title={code}")), "{stdout}");
    }
}

#[test]
fn diagnostics_under_a_long_key_stop_at_the_budget() {
    let key = "k".repeat(200_000);
    let fields: Vec<String> = (0..20_000).map(|i| format!(r#""f{i}":"$.a""#)).collect();
    let text = format!(
        r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","End":true,"Parameters":{{"{key}":{{{}}}}}}}}}}}"#,
        fields.join(",")
    );
    let (diags, steps) = work::measure(|| validate(&text));
    let bytes: usize = diags
        .iter()
        .map(|d| d.pointer.len() + d.message.len())
        .sum();
    assert!(diags.iter().all(|d| d.code.as_str() == "NO_DOLLAR"));
    assert!(bytes <= MAX_DIAGNOSTIC_BYTES, "{bytes}");
    assert!(diags.len() > 10, "{}", diags.len());
    assert!(steps < 10 * text.len() as u64, "{steps}");
}

#[test]
fn fuzz_input_is_proportional_on_every_shape() {
    let shapes = [
        template(2_000, 1_000, false),
        chain(2_000, true),
        chain(2_000, false),
        wide(2_000),
        nested_parallels(MAX_WORKFLOW_NESTING + 2, &"N".repeat(79), 1),
        nested_parallels(10, "P", 2),
        "{".repeat(MIB / 8),
        "- ".repeat(MIB / 16),
        format!("\"{}", "a".repeat(MIB / 8)),
        "\u{0}\u{ff}".repeat(1000),
    ];
    for text in shapes {
        let work = fuzz_input(text.as_bytes());
        assert!(work.is_proportional(), "{work:?}");
    }
    assert!(fuzz_input(&[0xff; 100]).is_proportional());
}

/// A shape of definition, and how big.
#[derive(Debug, Clone)]
enum Shape {
    Chain(usize),
    Loop(usize),
    Wide(usize),
    Parallels {
        levels: usize,
        width: usize,
        name_len: usize,
    },
    DeepObject(usize),
    DeepArray(usize),
    Braces(usize),
    YamlDashes(usize),
    Template(usize),
}

impl Shape {
    fn text(&self) -> String {
        match *self {
            Shape::Chain(n) => chain(n, true),
            Shape::Loop(n) => {
                chain(n, false).replacen(r#""S0":"#, r#""Done":{"Type":"Succeed"},"S0":"#, 1)
            }
            Shape::Wide(n) => wide(n),
            Shape::Parallels {
                levels,
                width,
                name_len,
            } => nested_parallels(levels, &"N".repeat(name_len), width),
            Shape::DeepObject(n) => format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n)),
            Shape::DeepArray(n) => format!("{}{}", "[".repeat(n), "]".repeat(n)),
            Shape::Braces(n) => "{".repeat(n),
            Shape::YamlDashes(n) => "- ".repeat(n),
            Shape::Template(n) => {
                let parts: Vec<String> = (0..n)
                    .map(|i| format!(r#"{{"S{i}":{{"Type":"Pass","Next":"S{}"}}}}"#, i + 1))
                    .collect();
                format!(r#"{{"p":[{}]}}"#, parts.join(","))
            }
        }
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (1usize..4_000).prop_map(Shape::Chain),
        (1usize..4_000).prop_map(Shape::Loop),
        (1usize..4_000).prop_map(Shape::Wide),
        (1usize..20, 1usize..3, 1usize..80).prop_map(|(levels, width, name_len)| {
            Shape::Parallels {
                levels: levels.min(if width == 1 { 20 } else { 8 }),
                width,
                name_len,
            }
        }),
        (1usize..50_000).prop_map(Shape::DeepObject),
        (1usize..50_000).prop_map(Shape::DeepArray),
        (1usize..100_000).prop_map(Shape::Braces),
        (1usize..50_000).prop_map(Shape::YamlDashes),
        (1usize..2_000).prop_map(Shape::Template),
    ]
}

/// Steps a validation may take per byte of input and of diagnostics: the shapes above stay
/// under a third of it. A rule quadratic in the number of states takes `n²` steps for `n`
/// states of about 40 bytes each, so it goes over from about 1,300 states (the chains above go
/// to 4,000).
const STEPS_PER_BYTE: u64 = 32;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Small inputs of JSON's and YAML's punctuation, through every entry point.
    #[test]
    fn fuzz_input_is_proportional_on_small_inputs(
        text in "[\\[\\]{}\":, a-zA-Z0-9$.\\-?!&*|\n]{0,400}"
    ) {
        let work = fuzz_input(text.as_bytes());
        prop_assert!(work.is_proportional(), "{work:?}");
    }

    #[test]
    fn work_is_proportional_to_size(shape in shape()) {
        let text = shape.text();
        for (entry, f) in [
            ("validate", validate as fn(&str) -> Vec<Diagnostic>),
            ("validate_yaml", validate_yaml),
        ] {
            let (diags, steps) = work::measure(|| f(&text));
            let out: usize = diags.iter().map(|d| d.pointer.len() + d.message.len()).sum();
            let bound = 1_000 + STEPS_PER_BYTE * (text.len() + out) as u64;
            prop_assert!(
                steps <= bound,
                "{entry} on {shape:?}: {steps} steps for {} bytes in, {out} out", text.len()
            );
        }
    }
}
