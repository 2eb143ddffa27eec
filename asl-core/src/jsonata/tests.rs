//! Behaviour of the public API against what AWS does.

use super::*;
use crate::error::names;
use crate::scope::NoVariables;
use serde_json::{Map, json};

fn compile(src: &str) -> Expression {
    Expression::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn eval_with(src: &str, input: &Value, vars: &dyn Variables) -> StatesResult<Option<Value>> {
    let context = json!({"Execution": {"Id": "arn:x"}});
    evaluate(
        &compile(src),
        &StatesBinding::new(input, &context),
        vars,
        "Output",
    )
}

fn eval(src: &str, input: Value) -> StatesResult<Option<Value>> {
    eval_with(src, &input, &NoVariables)
}

fn ok(src: &str, input: Value) -> Value {
    eval(src, input)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .unwrap_or_else(|| panic!("{src}: undefined"))
}

fn cause(src: &str, input: Value) -> String {
    let err = eval(src, input).expect_err(src);
    assert_eq!(err.error, names::QUERY_EVALUATION_ERROR);
    err.cause
}

#[test]
fn shareable_between_threads() {
    fn check<T: Clone + std::fmt::Debug + Send + Sync>() {}
    check::<Expression>();
    check::<Template>();
}

#[test]
fn expression_strings() {
    let table = [
        ("{% 1 %}", true),
        ("{%1%}", true),
        ("{%%}", true),
        ("{%}", false),
        ("{% 1 %} ", false),
        (" {% 1 %}", false),
        ("{% 1", false),
        ("1 %}", false),
        ("", false),
        ("$.a", false),
        ("{%", false),
    ];
    for (s, expected) in table {
        assert_eq!(is_expression(s), expected, "{s:?}");
    }
    assert_eq!(expression_body("{% $x %}"), Some(" $x "));
    assert_eq!(compile("  $states.input  ").source(), "$states.input");
}

#[test]
fn syntax_errors() {
    let table = [
        ("", "S0207: Unexpected end of expression"),
        ("   ", "S0207: Unexpected end of expression"),
        ("1 +", "S0207: Unexpected end of expression"),
        (
            "1 ?? 2",
            "S0211: The symbol ? cannot be used as a unary operator",
        ),
        (
            "1 ?: 2",
            "S0211: The symbol ? cannot be used as a unary operator",
        ),
    ];
    for (src, message) in table {
        let err = Expression::compile(src).expect_err(src);
        assert_eq!(err.message, message, "{src}");
        assert_eq!(err.expression, src.trim());
    }
    assert!(Expression::compile("'unterminated").is_err());
    assert!(Expression::compile("{").is_err());
}

#[test]
fn states_bindings() {
    let input = json!({"a": 1, "list": [1, 2, 3]});
    let context = json!({"State": {"Name": "S"}});
    let result = json!({"Payload": 7});
    let error_output = json!({"Error": "E", "Cause": "C"});
    let all = StatesBinding {
        input: &input,
        context: &context,
        result: Some(&result),
        error_output: Some(&error_output),
    };
    let run = |src: &str, states: &StatesBinding| {
        evaluate(&compile(src), states, &NoVariables, "Output").unwrap()
    };
    assert_eq!(run("$states.input.a + 1", &all), Some(json!(2)));
    assert_eq!(run("$states.context.State.Name", &all), Some(json!("S")));
    assert_eq!(run("$states.result.Payload", &all), Some(json!(7)));
    assert_eq!(run("$states.errorOutput.Error", &all), Some(json!("E")));
    assert_eq!(run("$sum($states.input.list)", &all), Some(json!(6)));
    let only = StatesBinding::new(&input, &context);
    assert_eq!(run("$states.result", &only), None);
    assert_eq!(run("$states.errorOutput", &only), None);
    assert_eq!(
        run("$keys($states)", &only),
        Some(json!(["input", "context"]))
    );
    assert_eq!(
        run("$keys($states)", &all),
        Some(json!(["input", "context", "result", "errorOutput"]))
    );
}

#[test]
fn workflow_variables() {
    let mut vars = Map::new();
    vars.insert("x".into(), json!(41));
    vars.insert("obj".into(), json!({"f": [1, 2]}));
    vars.insert("states".into(), json!("must not shadow $states"));
    vars.insert("one".into(), json!([1]));
    let input = json!({"a": 1});
    let table: &[(&str, Option<Value>)] = &[
        ("$x + 1", Some(json!(42))),
        ("$obj.f[1]", Some(json!(2))),
        ("$states.input.a", Some(json!(1))),
        ("$missing", None),
        ("($x := 5; $x)", Some(json!(5))),
        (
            "$map([1, 2], function($v) { $v + $x })",
            Some(json!([42, 43])),
        ),
        ("$obj.f[$ > 1]", Some(json!(2))),
        ("$one", Some(json!([1]))),
    ];
    for (src, expected) in table {
        assert_eq!(&eval_with(src, &input, &vars).unwrap(), expected, "{src}");
    }
}

#[test]
fn results_and_numbers() {
    let table: &[(&str, Value)] = &[
        ("1", json!(1)),
        ("1.0", json!(1)),
        ("3.0 * 1", json!(3)),
        ("0.1 + 0.2", json!(0.30000000000000004)),
        ("10 / 4", json!(2.5)),
        ("-0", json!(0)),
        ("1e3", json!(1000)),
        ("'s'", json!("s")),
        ("true", json!(true)),
        ("null", Value::Null),
        ("[]", json!([])),
        ("{}", json!({})),
        ("{'a': [1, {'b': 2.0}]}", json!({"a": [1, {"b": 2}]})),
        ("[1, 2, 3][$ > 1]", json!([2, 3])),
        ("[1, 2, 3][$ > 2]", json!(3)),
        ("$contains(\"hello$world\", /^hello\\$/)", json!(true)),
        ("$string(1/3)", json!("0.333333333333333")),
        ("{'a': $states.input.nothing, 'b': 1}", json!({"b": 1})),
        ("$states.input.items[0]", json!("x")),
        ("$states.input.one", json!([1])),
        ("$states.input.objs.a", json!(1)),
        ("$states.input.objs[0]", json!({"a": 1})),
    ];
    for (src, expected) in table {
        let input = json!({"items": ["x", "y"], "one": [1], "objs": [{"a": 1}]});
        assert_eq!(&ok(src, input), expected, "{src}");
    }
}

#[test]
fn states_members_are_built_on_demand() {
    let table: &[(&str, u8)] = &[
        ("1", 0),
        ("$states.input.a", StatesFields::INPUT | 16),
        ("$states.context", StatesFields::CONTEXT | 16),
        (
            "$states.result.x + $states.errorOutput.y",
            StatesFields::RESULT | StatesFields::ERROR_OUTPUT | 16,
        ),
        ("$states", 31),
        ("$keys($states)", 31),
        ("$states[0].input", 31),
        ("$states.other", 16),
    ];
    for (src, bits) in table {
        assert_eq!(compile(src).0.states, StatesFields(*bits), "{src}");
    }
    assert_eq!(eval("$states.other", json!({})).unwrap(), None);
    assert_eq!(ok("$exists($states)", json!({})), json!(true));
}

#[test]
fn undefined_results() {
    for src in ["$doesNotExist", "$states.input.nope", "[1,2][$ > 5]", "()"] {
        assert_eq!(eval(src, json!({})).unwrap(), None, "{src}");
    }
    assert_eq!(
        undefined_error(&compile("$doesNotExist"), "Output").cause,
        "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
    );
}

#[test]
fn evaluation_error_causes() {
    let table = [
        (
            "$randomSeeded($states.input.x)",
            "The JSONata expression '$randomSeeded($states.input.x)' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function",
        ),
        (
            "'a' + 1",
            "The JSONata expression ''a' + 1' specified for the field 'Output' threw an error during evaluation. T2001: The left side of the + operator must evaluate to a number",
        ),
        (
            "$eval('1 + 1')",
            "The JSONata expression '$eval('1 + 1')' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function",
        ),
        (
            "1 / 0",
            "The JSONata expression '1 / 0' specified for the field 'Output' threw an error during evaluation. D1001: Number out of range: Infinity",
        ),
        (
            "$fn := function($x){$x}",
            "The JSONata expression '$fn := function($x){$x}' specified for the field 'Output' returned an unsupported result type.",
        ),
        (
            "$sum",
            "The JSONata expression '$sum' specified for the field 'Output' returned an unsupported result type.",
        ),
        (
            "[function(){1}]",
            "The JSONata expression '[function(){1}]' specified for the field 'Output' returned an unsupported result type.",
        ),
    ];
    for (src, expected) in table {
        assert_eq!(cause(src, json!({"x": 1})), expected, "{src}");
    }
}

#[test]
fn type_errors_for_typed_fields() {
    let table: &[(&str, Value, &str)] = &[
        (
            "'string'",
            json!("string"),
            "Expected 'array', but was 'string' for value: \"string\"",
        ),
        (
            "1",
            json!(1),
            "Expected 'array', but was 'number' for value: 1",
        ),
        (
            "null",
            Value::Null,
            "Expected 'array', but was 'null' for value: null",
        ),
        (
            "true",
            json!(true),
            "Expected 'array', but was 'boolean' for value: true",
        ),
        (
            "{'foo': 'bar'}",
            json!({"foo": "bar"}),
            "Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}",
        ),
    ];
    for (src, value, tail) in table {
        let expr = compile(src);
        assert_eq!(&ok(src, json!({})), value);
        let err = unexpected_type_error(&expr, "Items", "array", value);
        assert_eq!(
            err.cause,
            format!(
                "The JSONata expression '{src}' specified for the field 'Items' returned an unexpected result type. {tail}"
            )
        );
    }
}

#[test]
fn step_functions_functions() {
    let table: &[(&str, Value)] = &[
        ("$partition([1,2,3,4,5], 2)", json!([[1, 2], [3, 4], [5]])),
        ("$partition([0], 1)", json!([[0]])),
        ("$partition($states.input.list, 3)", json!([[0, 1, 2], [3]])),
        ("$range(0, 10, 2)", json!([0, 2, 4, 6, 8, 10])),
        ("$range(0, 10, 3)", json!([0, 3, 6, 9])),
        ("$range(1, 9, 9)", json!(1)),
        ("$range(3, 1, -1)", json!([3, 2, 1])),
        ("$count($range(1, 3, 1))", json!(3)),
        (
            "$hash('hello', 'MD5')",
            json!("5d41402abc4b2a76b9719d911017c592"),
        ),
        ("$parse('{\"a\": [1, 2.0]}')", json!({"a": [1, 2]})),
        ("$parse($states.input.text).k", json!("v")),
        ("$random(7) = $random(7)", json!(true)),
        ("$random() < 1", json!(true)),
        ("$length($uuid())", json!(36)),
        ("$uuid() != $uuid()", json!(true)),
        (
            "$map([1, 2], function($v) { $hash($string($v), 'SHA-1') })[0]",
            json!("356a192b7913b04c54574d18c28d46e6395428ab"),
        ),
    ];
    let input = json!({"list": [0, 1, 2, 3], "text": "{\"k\": \"v\"}"});
    for (src, expected) in table {
        assert_eq!(&ok(src, input.clone()), expected, "{src}");
    }
    assert_eq!(eval("$range(5, 1, 1)", json!({})).unwrap(), None);
    assert!(cause("$hash('x', 'SHA-3')", json!({})).contains("threw an error during evaluation."));
    assert!(cause("$partition([1], 0)", json!({})).contains("threw an error during evaluation."));
    assert!(cause("$parse('{')", json!({})).contains("threw an error during evaluation."));
    assert!(cause("$random('a')", json!({})).contains("T0410"));
}

#[test]
fn templates() {
    let input = json!({"a": 1, "name": "n"});
    let context = json!({});
    let states = StatesBinding::new(&input, &context);
    let mut vars = Map::new();
    vars.insert("v".into(), json!("var"));
    let table: &[(Value, Value)] = &[
        (json!("literal"), json!("literal")),
        (json!(" {% 1 %}"), json!(" {% 1 %}")),
        (json!(5), json!(5)),
        (json!("{% $states.input.a %}"), json!(1)),
        (
            json!({"x": "{% $states.input.a + 1 %}", "lit": "$.a", "n": null, "deep": {"arr": [1, "{% $v %}", {"k": "{% $states.input.name %}"}]}}),
            json!({"x": 2, "lit": "$.a", "n": null, "deep": {"arr": [1, "var", {"k": "n"}]}}),
        ),
        (json!(["{% 'a' %}", "b"]), json!(["a", "b"])),
        (json!({"k.$": "{% 1 %}"}), json!({"k.$": 1})),
    ];
    for (template, expected) in table {
        let t = Template::compile(template).unwrap();
        assert_eq!(
            &t.evaluate(&states, &vars, "Output").unwrap(),
            expected,
            "{template}"
        );
    }
    assert!(
        Template::compile(&json!({"a": "lit"}))
            .unwrap()
            .is_literal()
    );
    assert!(
        Template::compile(&json!("{% 1 %}"))
            .unwrap()
            .as_expression()
            .is_some()
    );
    assert!(Template::compile(&json!({"a": ["{% 1 + %}"]})).is_err());
}

#[test]
fn template_undefined_and_error_paths() {
    let input = json!({});
    let context = json!({});
    let states = StatesBinding::new(&input, &context);
    let table: &[(Value, &str, &str)] = &[
        (
            json!("{% $doesNotExist %}"),
            "Output",
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined).",
        ),
        (
            json!({"result": "{% $doesNotExist %}"}),
            "Output",
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",
        ),
        (
            json!({"FunctionName": "{% $doesNotExist %}"}),
            "Arguments",
            "The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' returned nothing (undefined).",
        ),
        (
            json!({"a": {"b": [0, "{% $x() %}"]}}),
            "Output",
            "The JSONata expression '$x()' specified for the field 'Output/a/b/1' threw an error during evaluation. T1006: Attempted to invoke a non-function",
        ),
        (
            json!({"f": "{% $sum %}"}),
            "Output",
            "The JSONata expression '$sum' specified for the field 'Output/f' returned an unsupported result type.",
        ),
    ];
    for (template, field, expected) in table {
        let t = Template::compile(template).unwrap();
        let err = t.evaluate(&states, &NoVariables, field).unwrap_err();
        assert_eq!(err.error, names::QUERY_EVALUATION_ERROR);
        assert_eq!(err.cause, *expected, "{template}");
    }
}

#[test]
fn deep_and_hostile_inputs_do_not_panic() {
    for src in [
        "(".repeat(10_000),
        "[".repeat(10_000) + &"]".repeat(10_000),
        "$f := function($x){$f($x)}; $f(1)".to_string(),
        "$reduce([1..100000], function($a, $b){$a + $b})".to_string(),
        "[1..100000000]".to_string(),
        "$string(function(){1})".to_string(),
        "$states.input.a.b.c.d[0][1]".to_string(),
        "/(/".to_string(),
        "$match('a', /(a/)".to_string(),
        "$reduce([1..5000], function($a, $b){ [$a] }, [])".to_string(),
        "$reduce([1..5000], function($a, $b){ {'a': $a} }, {})".to_string(),
    ] {
        if let Ok(expr) = Expression::compile(&src) {
            let input = json!({"a": {"b": 1}});
            let _ = evaluate(
                &expr,
                &StatesBinding::new(&input, &input),
                &NoVariables,
                "Output",
            );
        }
    }
}

#[test]
#[ignore = "timing measurement; run with --ignored --nocapture"]
fn measure_evaluation_speed() {
    use std::time::Instant;
    let expr = compile("$states.input.a + 1");
    let input = json!({"a": 1, "b": "text", "c": [1, 2, 3]});
    let context = json!({"Execution": {"Id": "x"}, "State": {"Name": "S"}});
    let states = StatesBinding::new(&input, &context);
    let n = 200_000;
    for _ in 0..1000 {
        evaluate(&expr, &states, &NoVariables, "Output").unwrap();
    }
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(evaluate(&expr, &states, &NoVariables, "Output").unwrap());
    }
    let per = start.elapsed() / n;
    println!("evaluate('$states.input.a + 1'): {per:?} per call");

    let template = Template::compile(&json!({
        "x": "{% $states.input.a + 1 %}",
        "y": "{% $states.input.b %}",
        "z": [1, "{% $v %}"],
        "lit": {"k": "v"}
    }))
    .unwrap();
    let mut vars = Map::new();
    vars.insert("v".into(), json!(5));
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(template.evaluate(&states, &vars, "Output").unwrap());
    }
    println!(
        "template with 3 expressions: {:?} per call",
        start.elapsed() / n
    );

    let start = Instant::now();
    for _ in 0..20_000 {
        std::hint::black_box(Expression::compile("$states.input.a + 1").unwrap());
    }
    println!("compile: {:?} per call", start.elapsed() / 20_000);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn expression_text() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "$states",
            ".input",
            ".a",
            "$x",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "'s'",
            "1",
            "2.5",
            "+",
            "-",
            "*",
            "/",
            "%",
            "&",
            "=",
            "!=",
            "<",
            ">",
            "and",
            "or",
            "?",
            ":",
            ";",
            ",",
            "..",
            "$sum(",
            "$partition(",
            "$range(",
            "$hash(",
            "$parse(",
            "$random(",
            "$uuid(",
            "$string(",
            "$map(",
            "function($v){",
            "$v",
            "~>",
            ":=",
            "@",
            "#",
            "^(",
            "**",
            "*.",
            "`",
            "\"",
            "/re/",
            "$eval(",
            "$$",
            "$",
            "in",
            "null",
            "true",
            " ",
        ]);
        prop_oneof![
            prop::collection::vec(atoms, 0..16).prop_map(|v| v.concat()),
            ".{0,24}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn compile_and_evaluate_never_panic(src in expression_text(), input in json_value()) {
            if let Ok(expr) = Expression::compile(&src) {
                let mut vars = Map::new();
                vars.insert("x".to_string(), input.clone());
                let states = StatesBinding::new(&input, &input);
                let _ = evaluate(&expr, &states, &vars, "Output");
            }
        }

        #[test]
        fn input_round_trips(input in json_value()) {
            let got = ok("$states.input", input.clone());
            // Numbers pass through doubles, as in JavaScript.
            let expected = convert::from_jvalue(&convert::to_jvalue(&input)).unwrap().unwrap();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn templates_never_panic(template in json_value(), input in json_value()) {
            let template = match template {
                Value::String(s) => Value::String(format!("{{% {s} %}}")),
                other => other,
            };
            if let Ok(t) = Template::compile(&template) {
                let _ = t.evaluate(&StatesBinding::new(&input, &input), &NoVariables, "Output");
            }
        }
    }
}

#[test]
fn workflow_references_leave_out_what_the_expression_binds() {
    for (expr, want) in [
        ("$sum($items) & $states.input.a & $w", vec!["items", "w"]),
        (
            "($t := $u; $map($v, function($e) { $e + $t }))",
            vec!["u", "v"],
        ),
        ("$b & $a & $b", vec!["b", "a"]),
        ("'$quoted' & $.x & $", vec![]),
    ] {
        let e = Expression::compile(expr).unwrap();
        assert_eq!(e.workflow_references(), want.as_slice(), "{expr}");
    }
}
