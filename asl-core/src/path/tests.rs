//! Table tests for the JSONPath dialect, ResultPath application, and property tests.

use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;
use crate::error::names;
use crate::scope::{NoVariables, Scope};

fn eval(path: &str, input: &Value) -> Result<Value, PathEvalError> {
    let ctx = json!({"Execution": {"Id": "exec-1", "Input": {"k": 1}}, "State": {"Name": "S"}});
    let mut vars = Map::new();
    vars.insert("v".into(), json!({"x": [1, 2]}));
    let scope = Scope::new(input, &ctx, &vars);
    JsonPath::parse(path)
        .unwrap_or_else(|e| panic!("{path} should parse: {e}"))
        .evaluate(&scope)
}

/// `path!(name, "$.path", input, expected)` — the path evaluates to `expected`.
macro_rules! path {
    ($name:ident, $path:expr, $input:tt, $expected:tt) => {
        #[test]
        fn $name() {
            assert_eq!(
                eval($path, &json!($input)),
                Ok(json!($expected)),
                "{}",
                $path
            );
        }
    };
}

/// `fails!(name, "$.path", input, "message")` — evaluation fails with Jayway's message.
macro_rules! fails {
    ($name:ident, $path:expr, $input:tt, $message:expr) => {
        #[test]
        fn $name() {
            let err = eval($path, &json!($input)).expect_err($path);
            assert_eq!(err.to_string(), $message, "{}", $path);
        }
    };
}

/// `bad!(name, "text")` — the text does not compile.
macro_rules! bad {
    ($name:ident, $path:expr) => {
        #[test]
        fn $name() {
            assert!(
                JsonPath::parse($path).is_err(),
                "{} should not parse",
                $path
            );
        }
    };
}

// ---- roots --------------------------------------------------------------------------------
path!(root_input, "$", {"a": 1}, {"a": 1});
path!(root_context, "$$", {"a": 1}, {"Execution": {"Id": "exec-1", "Input": {"k": 1}}, "State": {"Name": "S"}});
path!(context_field, "$$.Execution.Input.k", {}, 1);
path!(variable_root, "$v", {}, {"x": [1, 2]});
path!(variable_field, "$v.x[1]", {}, 2);
fails!(
    variable_missing,
    "$nope.a",
    {},
    "The variable '$nope' is not defined"
);
fails!(
    variable_field_missing,
    "$v.y",
    {},
    "No results for path: $v['y']"
);

// ---- dot and bracket names ----------------------------------------------------------------
path!(dot, "$.a.b", {"a": {"b": 2}}, 2);
path!(dot_dash, "$.delivery-partner", {"delivery-partner": "UQS"}, "UQS");
path!(dot_odd_chars, "$.a:b$c", {"a:b$c": 1}, 1);
path!(bracket_single, "$['a b']", {"a b": 1}, 1);
path!(bracket_double, "$[\"x\"]", {"x": 1}, 1);
path!(bracket_spaces, "$[ 'a' ]", {"a": 1}, 1);
path!(bracket_dot_in_key, "$['a.b']", {"a.b": 3}, 3);
path!(bracket_backslash_kept, r#"$['Test\""Name"']"#, {"Test\\\"\"Name\"": "V"}, "V");
path!(dot_before_bracket, "$.[0]", [7, 8], 7);
path!(mixed, "$.a['b'][0].c", {"a": {"b": [{"c": true}]}}, true);
path!(null_value, "$.a", {"a": null}, null);
path!(unicode_key, "$.héllo", {"héllo": 1}, 1);
path!(union_merges_at_leaf, "$['a','b']", {"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2});
path!(union_missing_skipped, "$['a','z']", {"a": 1}, {"a": 1});
path!(union_inner_iterates, "$['a','b'].x", {"a": {"x": 1}, "b": {"x": 2}}, [1, 2]);

// ---- indexes and slices --------------------------------------------------------------------
path!(index0, "$.items[0]", {"items": [{"k": 0}, {"k": 1}]}, {"k": 0});
path!(index10, "$.items[10]", {"items": [0,1,2,3,4,5,6,7,8,9,10]}, 10);
path!(index_negative, "$[-1]", [1, 2, 3], 3);
path!(index_list, "$[0,2]", [1, 2, 3], [1, 3]);
path!(index_list_out_of_range, "$[0,9]", [1, 2, 3], [1]);
path!(slice_from, "$.a[1:]", {"a": [1, 2, 3]}, [2, 3]);
path!(slice_to, "$.a[:2]", {"a": [1, 2, 3]}, [1, 2]);
path!(slice_between, "$.a[1:3]", {"a": [1, 2, 3, 4]}, [2, 3]);
path!(slice_negative_from, "$.a[-2:]", {"a": [1, 2, 3]}, [2, 3]);
path!(slice_negative_to, "$.a[:-1]", {"a": [1, 2, 3]}, [1, 2]);
path!(slice_past_end, "$.a[1:10]", {"a": [1, 2, 3]}, [2, 3]);
path!(slice_step_ignored, "$.a[0:3:2]", {"a": [1, 2, 3]}, [1, 2, 3]);
path!(slice_jayway_negative_between, "$.a[-1:1]", {"a": [1, 2, 3]}, [3, 1]);
path!(slice_then_field, "$.items[1:].v", {"items": [{"v": 1}, {"v": 2}, {"w": 3}]}, [2]);
path!(slice_on_object, "$.a[1:]", {"a": {"b": 1}}, []);

// ---- indefinite paths on missing data (recorded AWS cases) -------------------------------
path!(aws_slice_missing_parent, "$.item.items[1:5]", {}, []);
path!(
    aws_slice_missing_field,
    "$.item.items[1:5].itemValue",
    {},
    []
);
path!(aws_wildcard_missing, "$.items[*]", {}, []);
path!(aws_wildcard_missing_field, "$.items[*].itemValue", {}, []);
path!(aws_root_wildcard_empty, "$[*]", {}, []);
path!(aws_slice_to_missing, "$.items[:1]", {}, []);

// ---- wildcards and deep scan ---------------------------------------------------------------
path!(wildcard_object, "$.*", {"a": 1, "b": [2]}, [1, [2]]);
path!(wildcard_bracket_array, "$.a[*].b", {"a": [{"b": 1}, {"c": 2}, {"b": 3}]}, [1, 3]);
path!(wildcard_scalar, "$.a.*", {"a": 1}, []);
path!(deep_name, "$..b", {"a": {"b": 1, "c": {"b": 2}}, "b": 3}, [3, 1, 2]);
path!(deep_star, "$..*", {"a": {"b": 1}, "c": 2}, [{"b": 1}, 2, 1]);
path!(deep_index, "$..[0]", {"a": [1, [2]]}, [1, 2]);
path!(deep_then_field, "$..book[0].title", {"store": {"book": [{"title": "T"}]}}, ["T"]);
path!(deep_filter, "$..[?(@.price < 10)]", {"book": [{"price": 8}, {"price": 12}]}, [{"price": 8}]);

// ---- filters ------------------------------------------------------------------------------
path!(aws_filter_eq, "$.users[?(@.status == 0)]",
      {"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]},
      [{"year": 1997, "status": 0}]);
path!(filter_lt, "$[?(@.p<10)].n", [{"p": 5, "n": "a"}, {"p": 10, "n": "b"}], ["a"]);
path!(filter_string, "$[?(@.a == 'x')]", [{"a": "x"}, {"a": "y"}], [{"a": "x"}]);
path!(filter_string_dq, "$[?(@.a == \"x\")]", [{"a": "x"}, {"a": "y"}], [{"a": "x"}]);
path!(filter_exists, "$[?(@.flag)]", [{"flag": false}, {"other": 1}, {"flag": null}], [{"flag": false}, {"flag": null}]);
path!(filter_not_exists, "$[?(!@.flag)]", [{"flag": false}, {"other": 1}], [{"other": 1}]);
path!(filter_and_or, "$[?(@.a == 1 && (@.b == 2 || @.c))]",
      [{"a": 1, "b": 2}, {"a": 1, "c": 0}, {"a": 1}, {"a": 2, "b": 2}],
      [{"a": 1, "b": 2}, {"a": 1, "c": 0}]);
path!(filter_not_group, "$[?(!(@.a == 1))]", [{"a": 1}, {"a": 2}], [{"a": 2}]);
path!(filter_number_float_eq, "$[?(@.a == 1.0)]", [{"a": 1}, {"a": 1.5}], [{"a": 1}]);
path!(filter_number_string_coercion, "$[?(@.a == '1')]", [{"a": 1}, {"a": "1"}], [{"a": 1}, {"a": "1"}]);
path!(filter_strict_eq, "$[?(@.a === '1')]", [{"a": 1}, {"a": "1"}], [{"a": "1"}]);
path!(filter_ne_missing, "$[?(@.a != 1)]", [{"a": 1}, {"b": 1}, {"a": 2}], [{"b": 1}, {"a": 2}]);
path!(filter_ge_strings, "$[?(@.s >= 'b')]", [{"s": "a"}, {"s": "b"}, {"s": "c"}], [{"s": "b"}, {"s": "c"}]);
path!(filter_lt_mixed_types, "$[?(@.s < 5)]", [{"s": "1"}, {"s": 1}], [{"s": 1}]);
path!(filter_regex, "$[?(@.n =~ /fo.*/i)]", [{"n": "Foo"}, {"n": "bar"}, {"n": "xfoo"}], [{"n": "Foo"}]);
path!(filter_in, "$[?(@.c in ['a','b'])]", [{"c": "a"}, {"c": "z"}], [{"c": "a"}]);
path!(filter_nin, "$[?(@.c nin [1, 2])]", [{"c": 1}, {"c": 3}], [{"c": 3}]);
path!(filter_size, "$[?(@.t size 2)]", [{"t": [1, 2]}, {"t": "ab"}, {"t": [1]}], [{"t": [1, 2]}, {"t": "ab"}]);
path!(filter_empty, "$[?(@.t empty true)]", [{"t": []}, {"t": ""}, {"t": [1]}], [{"t": []}, {"t": ""}]);
path!(filter_subsetof, "$[?(@.t subsetof [1, 2, 3])]", [{"t": [1, 2]}, {"t": [4]}], [{"t": [1, 2]}]);
path!(filter_anyof, "$[?(@.t anyof [3])]", [{"t": [1, 3]}, {"t": [4]}], [{"t": [1, 3]}]);
path!(filter_noneof, "$[?(@.t noneof [3])]", [{"t": [1, 3]}, {"t": [4]}], [{"t": [4]}]);
path!(filter_contains, "$[?(@.t contains 'bc')]", [{"t": "abcd"}, {"t": "x"}], [{"t": "abcd"}]);
path!(filter_root_ref, "$.a[?(@.v == $.want)]", {"want": 2, "a": [{"v": 1}, {"v": 2}]}, [{"v": 2}]);
path!(filter_on_object_itself, "$.o[?(@.v)]", {"o": {"v": 1}}, [{"v": 1}]);
path!(filter_nested_path, "$[?(@.a.b[0] == true)]", [{"a": {"b": [true]}}, {"a": {"b": [false]}}], [{"a": {"b": [true]}}]);
path!(filter_bracket_path, "$[?(@['k 1'] == 1)]", [{"k 1": 1}, {"k 1": 2}], [{"k 1": 1}]);
path!(filter_json_literal_eq, "$[?(@.t == [1,2])]", [{"t": [1, 2]}, {"t": [2, 1]}], [{"t": [1, 2]}]);
path!(filter_length_fn, "$[?(@.t.length() > 1)]", [{"t": [1, 2]}, {"t": [1]}], [{"t": [1, 2]}]);
path!(filter_on_scalars, "$.a[?(@ > 1)]", {"a": [1, 2, 3]}, [2, 3]);
path!(filter_then_field, "$.a[?(@.x)].x", {"a": [{"x": 1}, {"y": 2}]}, [1]);
path!(filter_primitive, "$.a[?(@.x)]", {"a": "str"}, []);

// ---- functions ----------------------------------------------------------------------------
path!(fn_length, "$.a.length()", {"a": [1, 2, 3]}, 3);
path!(fn_length_object, "$.length()", {"a": 1}, 1);
path!(fn_size, "$.a.size()", {"a": "abc"}, 3);
path!(fn_sum, "$.a.sum()", {"a": [1, 2]}, 3.0);
path!(fn_min_max_avg, "$.a.avg()", {"a": [1, 2, 3]}, 2.0);
path!(fn_max, "$.a.max()", {"a": [1, 5, 3]}, 5.0);
path!(fn_first_last, "$.a.last()", {"a": [1, 5, 3]}, 3);
path!(fn_keys, "$.keys()", {"a": 1, "b": 2}, ["a", "b"]);
fails!(fn_empty_aggregate, "$.a.min()", {"a": []}, "Aggregation function attempted to calculate value using empty array");

// ---- definite errors (Jayway messages, AWS-recorded where noted) --------------------------
fails!(
    aws_no_results_leaf,
    "$.NoSuchInputPath",
    {},
    "No results for path: $['NoSuchInputPath']"
);
fails!(
    aws_missing_inner,
    "$.no.such.result.path",
    {},
    "Missing property in path $['no']"
);
fails!(missing_inner_deeper, "$.a.b.c", {"a": {}}, "Missing property in path $['a']['b']");
fails!(missing_leaf_deeper, "$.a.b.c", {"a": {"b": {}}}, "No results for path: $['a']['b']['c']");
fails!(index_out_of_range, "$.a[5]", {"a": [1]}, "No results for path: $['a'][5]");
fails!(index_out_of_range_inner, "$.a[5].b", {"a": [1]}, "No results for path: $['a'][5]['b']");
fails!(negative_out_of_range, "$.a[-5]", {"a": [1]}, "No results for path: $['a'][-5]");
fails!(index_on_null, "$.a[0]", {"a": null}, "The path $['a'] is null");
fails!(index_on_object, "$.a[0]", {"a": {"b": 1}}, "Filter: [0] can only be applied to arrays. Current context is: {\"b\":1}");
fails!(property_on_string, "$.a.b", {"a": "s"},
       "Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.");
fails!(property_on_null, "$.a.b", {"a": null},
       "Expected to find an object with property ['b'] in path $['a'] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.");
fails!(
    property_on_array,
    "$.a",
    [1],
    "Expected to find an object with property ['a'] in path $ but found 'java.util.ArrayList'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
);
fails!(
    double_quote_normalized,
    "$[\"x\"]",
    {},
    "No results for path: $[\"x\"]"
);

// ---- syntax errors ------------------------------------------------------------------------
bad!(empty, "");
bad!(no_dollar, "a.b");
bad!(trailing_dot, "$.a.");
bad!(trailing_deep, "$..");
bad!(triple_dot, "$...a");
bad!(space_in_dot_name, "$.a b");
bad!(unclosed_bracket, "$['a'");
bad!(unclosed_quote, "$['a]");
bad!(empty_bracket, "$[]");
bad!(bad_index, "$[a]");
bad!(bad_slice, "$[:]");
bad!(step_only_slice, "$[::2]");
bad!(bad_wildcard, "$[*x]");
bad!(unknown_function, "$.a.nope()");
bad!(function_not_last, "$.a.length().b");
bad!(unclosed_filter, "$[?(@.a == 1]");
bad!(filter_bad_op, "$[?(@.a <> 1)]");
bad!(filter_literal_alone, "$[?(1)]");
bad!(filter_bad_regex, "$[?(@.a =~ /(/)]");
bad!(trailing_garbage, "$['a']x");
bad!(digit_variable, "$1a");
bad!(huge_index, "$[99999999999]");

// ---- API ----------------------------------------------------------------------------------
#[test]
fn normalized_forms() {
    let cases = [
        ("$", "$"),
        ("$.a.b[0]", "$['a']['b'][0]"),
        ("$['a b'][-1]", "$['a b'][-1]"),
        ("$.a[*]..b[1:3][:2][1:]", "$['a'][*]..['b'][1:3][:2][1:]"),
        ("$[0,1]['x','y']", "$[0,1]['x','y']"),
        ("$.a[?(@.b)]", "$['a'][?]"),
        ("$.a.length()", "$['a'].length()"),
        ("$$.Execution.Id", "$['Execution']['Id']"),
        ("$var.x", "$var['x']"),
    ];
    for (text, norm) in cases {
        assert_eq!(JsonPath::parse(text).unwrap().normalized(), norm, "{text}");
    }
}

#[test]
fn definiteness_and_roots() {
    for (text, definite) in [
        ("$", true),
        ("$.a[0]['b']", true),
        ("$['a','b']", true),
        ("$['a','b'].c", false),
        ("$.a.length()", true),
        ("$[*]", false),
        ("$[0,1]", false),
        ("$[1:]", false),
        ("$..a", false),
        ("$[?(@.a)]", false),
    ] {
        assert_eq!(
            JsonPath::parse(text).unwrap().is_definite(),
            definite,
            "{text}"
        );
    }
    assert_eq!(JsonPath::parse("$").unwrap().root(), &Root::Input);
    assert_eq!(JsonPath::parse("$$.a").unwrap().root(), &Root::Context);
    assert_eq!(
        JsonPath::parse("$my_var.a").unwrap().root(),
        &Root::Variable("my_var".into())
    );
    // AWS trims the path text (Jayway's `PathCompiler`), so a trailing blank is no error.
    assert!(JsonPath::parse("$.a ").is_ok());
    assert!(JsonPath::parse("$.a b").is_err());
}

// ---- whitespace around a path (Jayway trims it; AWS accepts and evaluates it) -------------
path!(trim_trailing_blank, "$.a ", {"a": 1}, 1);
path!(trim_leading_blank, " $.a", {"a": 1}, 1);
path!(trim_context, "$$.Execution.Id ", {}, "exec-1");
path!(trim_tab_newline, "\t$.a[0]\n", {"a": [5]}, 5);
path!(trim_variable, "$v.x ", {}, [1, 2]);
path!(trim_filter, " $.a[?(@.k == 1)] ", {"a": [{"k": 1}, {"k": 2}]}, [{"k": 1}]);
path!(trim_keeps_inner_brackets, "$['a b'] ", {"a b": 3}, 3);
bad!(blank_only, "  ");
path!(no_break_space_not_trimmed, "$.a\u{A0}", {"a\u{A0}": 1}, 1);

#[test]
fn trimmed_paths_keep_their_text() {
    let p = JsonPath::parse("$.a ").unwrap();
    assert_eq!(p.text(), "$.a ");
    assert_eq!(p.normalized(), "$['a']");
    let r = ReferencePath::parse(" $.x ").unwrap();
    assert_eq!(r.as_path().normalized(), "$['x']");
    let e = JsonPath::parse("  $.a b").unwrap_err();
    assert_eq!((e.text.as_str(), e.position), ("  $.a b", 5));
}

// ---- unquoted words in filters: read as the string they spell (see filter.rs) -------------
path!(word_operand_eq, "$.items[?(@.type==es)]", {"items": [{"type": "es"}, {"type": "en"}]}, [{"type": "es"}]);
path!(word_operand_spaced, "$.items[?(@.type == es)].id", {"items": [{"type": "es", "id": 1}]}, [1]);
path!(word_operand_ne, "$[?(@.t != es)]", [{"t": "es"}, {"t": "fr"}], [{"t": "fr"}]);
path!(word_operand_left, "$[?(es == @.t)]", [{"t": "es"}, {"t": "fr"}], [{"t": "es"}]);
path!(word_operand_and, "$[?(@.t == a_b-c.d && @.n > 1)]", [{"t": "a_b-c.d", "n": 2}, {"t": "a_b-c.d", "n": 0}], [{"t": "a_b-c.d", "n": 2}]);
path!(word_true_stays_boolean, "$[?(@.t == true)]", [{"t": true}, {"t": "true"}], [{"t": true}]);

#[test]
fn bare_filter_words_are_listed() {
    for (text, words) in [
        ("$.a[?(@.t == es)]", &["es"][..]),
        ("$.a[?(@.t == 'es')]", &[][..]),
        (
            "$.a[?(@.t == x || @.u == y)].b[?(@.c == z)]",
            &["x", "y", "z"][..],
        ),
        ("$.a[?(@.t == null)]", &[][..]),
    ] {
        assert_eq!(
            JsonPath::parse(text).unwrap().bare_filter_words(),
            words,
            "{text}"
        );
    }
}

#[test]
fn select_borrows_for_definite_paths() {
    let input = json!({"a": {"b": [1, 2]}});
    let ctx = json!({});
    let scope = Scope::new(&input, &ctx, &NoVariables);
    let got = JsonPath::parse("$.a.b").unwrap().select(&scope).unwrap();
    assert!(matches!(got, Cow::Borrowed(_)));
    assert!(std::ptr::eq(got.as_ref(), &input["a"]["b"]));
}

#[test]
fn causes_match_aws() {
    let input = json!({});
    let ctx = json!({});
    let scope = Scope::new(&input, &ctx, &NoVariables);
    let p = JsonPath::parse("$.NoSuchInputPath").unwrap();
    let err = p.evaluate(&scope).unwrap_err();
    assert_eq!(
        invalid_path_cause(p.text(), &err),
        "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    );
    let p = JsonPath::parse("$.no.such.result.path").unwrap();
    let err = p.evaluate(&scope).unwrap_err();
    assert_eq!(
        invalid_path_cause(p.text(), &err),
        "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
    );
    assert_eq!(
        field_not_found_cause("$.x", "value.$", &json!({"a": 1})),
        "The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"
    );
}

#[test]
fn path_is_send_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + PartialEq>() {}
    check::<JsonPath>();
    check::<ReferencePath>();
}

// ---- Reference Paths and ResultPath -------------------------------------------------------
fn rp(text: &str) -> ReferencePath {
    ReferencePath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn reference_path_accepts_names_and_indexes() {
    for ok in [
        "$",
        "$.a",
        "$.a.b[0]",
        "$['a b'][1]",
        "$$.Execution.Input",
        "$v.x",
    ] {
        assert!(ReferencePath::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "$.a[*]",
        "$..a",
        "$.a[1:]",
        "$[0,1]",
        "$['a','b']",
        "$[?(@.a)]",
        "$.a.length()",
        "a",
    ] {
        assert!(ReferencePath::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(rp("$.a").as_path().text(), "$.a");
}

#[test]
fn result_path_table() {
    let cases: Vec<(&str, Value, Value, Value)> = vec![
        ("$", json!({"a": 1}), json!("r"), json!("r")),
        ("$.r", json!({"a": 1}), json!(2), json!({"a": 1, "r": 2})),
        (
            "$.a",
            json!({"a": 1, "b": 2}),
            json!(9),
            json!({"a": 9, "b": 2}),
        ),
        (
            "$.x.y.z",
            json!({"a": 1}),
            json!(true),
            json!({"a": 1, "x": {"y": {"z": true}}}),
        ),
        (
            "$.x.y",
            json!({"x": {"k": 0}}),
            json!(1),
            json!({"x": {"k": 0, "y": 1}}),
        ),
        (
            "$.l[1]",
            json!({"l": [0, 0]}),
            json!(5),
            json!({"l": [0, 5]}),
        ),
        (
            "$.l[-1].k",
            json!({"l": [{}, {}]}),
            json!(5),
            json!({"l": [{}, {"k": 5}]}),
        ),
        ("$['a b']", json!({}), json!(1), json!({"a b": 1})),
    ];
    for (path, input, result, want) in cases {
        assert_eq!(
            apply_result_path(&rp(path), input, result),
            Ok(want),
            "{path}"
        );
    }
}

#[test]
fn result_path_key_order() {
    let input: Value = serde_json::from_str(r#"{"z": 1, "a": 2, "m": 3}"#).unwrap();
    let out = apply_result_path(&rp("$.a"), input, json!(0)).unwrap();
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        r#"{"z":1,"a":0,"m":3}"#
    );
    let out = apply_result_path(&rp("$.b"), out, json!(0)).unwrap();
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        r#"{"z":1,"a":0,"m":3,"b":0}"#
    );
}

#[test]
fn result_path_failures() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "$.a",
            json!("text"),
            r#"Unable to apply ReferencePath $.a to input "text""#,
        ),
        (
            "$.a.b",
            json!({"a": 1}),
            r#"Unable to apply ReferencePath $.a.b to input {"a":1}"#,
        ),
        (
            "$.a.b",
            json!({"a": null}),
            r#"Unable to apply ReferencePath $.a.b to input {"a":null}"#,
        ),
        (
            "$.l[3]",
            json!({"l": [1]}),
            r#"Unable to apply ReferencePath $.l[3] to input {"l":[1]}"#,
        ),
        (
            "$.l[0]",
            json!({}),
            r#"Unable to apply ReferencePath $.l[0] to input {}"#,
        ),
        (
            "$.a",
            json!([1]),
            r#"Unable to apply ReferencePath $.a to input [1]"#,
        ),
        (
            "$$.a",
            json!({}),
            r#"Unable to apply ReferencePath $$.a to input {}"#,
        ),
    ];
    for (path, input, cause) in cases {
        let err = apply_result_path(&rp(path), input, json!(1)).unwrap_err();
        assert_eq!(err.error, names::RESULT_PATH_MATCH_FAILURE, "{path}");
        assert_eq!(err.cause, cause, "{path}");
    }
}

// ---- property tests: never panic ----------------------------------------------------------
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-c ]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn arb_path() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        "[a-c]{1,2}".prop_map(|n| format!(".{n}")),
        "[a-c ]{1,2}".prop_map(|n| format!("['{n}']")),
        (-3i32..4).prop_map(|i| format!("[{i}]")),
        Just("[*]".to_owned()),
        Just(".*".to_owned()),
        Just("..a".to_owned()),
        Just("..*".to_owned()),
        Just("[1:]".to_owned()),
        Just("[:-1]".to_owned()),
        Just("[-2:3]".to_owned()),
        Just("[0,2]".to_owned()),
        Just("['a','b']".to_owned()),
        Just("[?(@.a)]".to_owned()),
        Just("[?(@.a > 1 || @.b == 'a')]".to_owned()),
        Just("[?(@ =~ /a.*/)]".to_owned()),
        Just(".length()".to_owned()),
        Just(".sum()".to_owned()),
    ];
    prop::collection::vec(seg, 0..5).prop_map(|s| format!("${}", s.concat()))
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = JsonPath::parse(&s);
        let _ = ReferencePath::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_path_like(s in "[$@.\\[\\]'\"?()*:,0-9a-c<>=!&| -]{0,30}") {
        let _ = JsonPath::parse(&s);
    }

    #[test]
    fn evaluate_never_panics(path in arb_path(), input in arb_json()) {
        if let Ok(p) = JsonPath::parse(&path) {
            let ctx = json!({});
            let scope = Scope::new(&input, &ctx, &NoVariables);
            match p.evaluate(&scope) {
                Ok(v) => if !p.is_definite() { prop_assert!(v.is_array()) },
                Err(_) => prop_assert!(p.is_definite()),
            }
        }
    }

    #[test]
    fn result_path_never_panics(path in arb_path(), input in arb_json(), result in arb_json()) {
        if let Ok(rp) = ReferencePath::parse(&path)
            && let Ok(out) = apply_result_path(&rp, input, result.clone())
        {
            // Reading the path back yields the result.
            let ctx = json!({});
            let scope = Scope::new(&out, &ctx, &NoVariables);
            prop_assert_eq!(rp.as_path().evaluate(&scope), Ok(result));
        }
    }
}

/// Rough timing, run with `cargo test --release -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing() {
    let input = json!({"a": {"b": 1, "c": [1, 2, 3]}, "d": "x"});
    let ctx = json!({});
    let scope = Scope::new(&input, &ctx, &NoVariables);
    for text in ["$.a.b", "$.a.c[2]", "$.a.c[*]"] {
        let p = JsonPath::parse(text).unwrap();
        let n = 1_000_000u32;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(p.select(std::hint::black_box(&scope)).ok());
        }
        eprintln!("{text}: {:?} per select", t.elapsed() / n);
    }
}
