//! Numbers that arrive at run time (issue 17, class 1), and JSONata results of the wrong type
//! (class 2): every numeric field x both query languages x every kind of value, against the
//! rule the field follows. `engine/numbers.rs` names each rule's source (an AWS documentation
//! page or a recorded conformance case); the rows here restate them as outcomes.

mod common;

use asl_interpreter::{Handlers, Outcome, Status, TaskRequest};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn start() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ql {
    JsonPath,
    Jsonata,
}

/// The items every Map reads (from the input, or from the reader's object).
const ITEMS: [i64; 3] = [1, 2, 3];

/// A JSONPath state reads `$.<key>`; a JSONata state `{% $states.input.<key> %}`.
fn reference(ql: Ql, key: &str) -> String {
    match ql {
        Ql::JsonPath => format!("$.{key}"),
        Ql::Jsonata => format!("{{% $states.input.{key} %}}"),
    }
}

/// The numeric field under test, written in `ql` to read `key`, and its state.
fn field_entry(ql: Ql, field: &str, key: &str) -> (String, Value) {
    let name = match ql {
        Ql::JsonPath => format!("{field}Path"),
        Ql::Jsonata => field.to_string(),
    };
    (name, json!(reference(ql, key)))
}

fn machine(ql: Ql, state: Value) -> Value {
    let mut def = json!({"StartAt": "S", "States": {"S": state}});
    if ql == Ql::Jsonata {
        def["QueryLanguage"] = json!("JSONata");
    }
    def
}

fn with(mut state: Value, (name, v): (String, Value)) -> Value {
    state[name] = v;
    state
}

fn wait(ql: Ql, key: &str) -> Value {
    let s = json!({"Type": "Wait", "End": true});
    machine(ql, with(s, field_entry(ql, "Seconds", key)))
}

fn task(field: &'static str) -> impl Fn(Ql, &str) -> Value {
    move |ql, key| {
        let args = match ql {
            Ql::JsonPath => "Parameters",
            Ql::Jsonata => "Arguments",
        };
        let mut s =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
        s[args] = json!({"FunctionName": "f"});
        machine(ql, with(s, field_entry(ql, field, key)))
    }
}

fn map_state(ql: Ql, distributed: bool) -> Value {
    let mut s = json!({"Type": "Map", "End": true, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}});
    if distributed {
        s["ItemProcessor"]["ProcessorConfig"] =
            json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
    }
    match ql {
        Ql::JsonPath => s["ItemsPath"] = json!("$.items"),
        Ql::Jsonata => s["Items"] = json!("{% $states.input.items %}"),
    }
    s
}

fn map(field: &'static str, distributed: bool) -> impl Fn(Ql, &str) -> Value {
    move |ql, key| {
        machine(
            ql,
            with(map_state(ql, distributed), field_entry(ql, field, key)),
        )
    }
}

fn reader(ql: Ql, key: &str) -> Value {
    let mut s = map_state(ql, true);
    let o = s.as_object_mut().unwrap();
    o.remove("ItemsPath");
    o.remove("Items");
    let (name, v) = field_entry(ql, "MaxItems", key);
    let mut config = json!({"InputType": "JSON"});
    config[name] = v;
    let args = match ql {
        Ql::JsonPath => "Parameters",
        Ql::Jsonata => "Arguments",
    };
    let mut r = json!({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config});
    r[args] = json!({"Bucket": "b", "Key": "k"});
    s["ItemReader"] = r;
    machine(ql, s)
}

fn batcher(field: &'static str) -> impl Fn(Ql, &str) -> Value {
    move |ql, key| {
        let mut s = map_state(ql, true);
        let (name, v) = field_entry(ql, field, key);
        s["ItemBatcher"] = json!({name: v});
        machine(ql, s)
    }
}

fn handlers() -> Handlers {
    Handlers::new()
        .resource("arn:aws:states:::lambda:invoke", |_r: TaskRequest| {
            std::future::ready(Ok(json!({"ok": true})))
        })
        .resource("arn:aws:states:::s3:getObject", |_r: TaskRequest| {
            std::future::ready(Ok(json!({"Body": serde_json::to_string(&ITEMS).unwrap()})))
        })
}

/// Runs `def` on `{"v": value, "items": [1, 2, 3]}` (`value` `None`: no `v`).
fn run(def: Value, value: Option<&Value>) -> Outcome {
    let mut input = json!({"items": ITEMS});
    if let Some(v) = value {
        input["v"] = v.clone();
    }
    common::run_at(start(), handlers(), def, &input.to_string())
}

/// What a row expects.
#[derive(Debug)]
enum Expect {
    /// Succeeds, having read this number.
    Reads(f64),
    /// Fails with this error, and a cause ending with this text (after AWS's state prefix).
    Fails(&'static str, String),
}
use Expect::*;

const RUNTIME: &str = "States.Runtime";
const QUERY: &str = "States.QueryEvaluationError";
const TIMEOUT: &str = "States.Timeout";

fn type_error(field: &str, expected: &str, value: &str) -> Expect {
    let kind = match serde_json::from_str::<Value>(value).unwrap() {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    Fails(
        QUERY,
        format!(
            "The JSONata expression '$states.input.v' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{kind}' for value: {value}"
        ),
    )
}

fn undefined(field: &str) -> Expect {
    Fails(
        QUERY,
        format!(
            "The JSONata expression '$states.input.nope' specified for the field '{field}' returned nothing (undefined)."
        ),
    )
}

fn invalid_path() -> Expect {
    Fails(
        RUNTIME,
        "Invalid path '$.nope' : No results for path: $['nope']".into(),
    )
}

/// A definition whose field under test reads the input's `key`.
type Definition = Box<dyn Fn(Ql, &str) -> Value>;

/// One field of the family.
struct Field {
    name: &'static str,
    def: Definition,
    /// Checks that a successful run used the number it read.
    effect: fn(&Outcome, f64),
    /// A value above the field's range (or far above any sensible one).
    too_big: Value,
    /// The expectation for each kind of value, per language.
    expect: fn(Ql, Kind) -> Expect,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Int,
    NumericString,
    Fraction,
    WholeFloat,
    Negative,
    Zero,
    TooBig,
    Null,
    Missing,
    NotANumber,
    Object,
}

const KINDS: [Kind; 11] = [
    Kind::Int,
    Kind::NumericString,
    Kind::Fraction,
    Kind::WholeFloat,
    Kind::Negative,
    Kind::Zero,
    Kind::TooBig,
    Kind::Null,
    Kind::Missing,
    Kind::NotANumber,
    Kind::Object,
];

fn value_of(kind: Kind, too_big: &Value) -> Option<Value> {
    Some(match kind {
        Kind::Int => json!(2),
        Kind::NumericString => json!("2"),
        Kind::Fraction => json!(2.5),
        Kind::WholeFloat => json!(2.0),
        Kind::Negative => json!(-1),
        Kind::Zero => json!(0),
        Kind::TooBig => too_big.clone(),
        Kind::Null => Value::Null,
        Kind::Missing => return None,
        Kind::NotANumber => json!("abc"),
        Kind::Object => json!({}),
    })
}

fn events(o: &Outcome) -> Vec<Value> {
    o.to_json(true)["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn no_effect(_: &Outcome, _: f64) {}

fn waited(o: &Outcome, n: f64) {
    assert_eq!((o.stop_date - o.start_date).num_seconds() as f64, n);
}

fn scheduled(key: &'static str) -> fn(&Outcome, f64) {
    fn check(o: &Outcome, n: f64, key: &str) {
        let e = events(o);
        let d = e
            .iter()
            .find_map(|e| e.get("taskScheduledEventDetails"))
            .expect("TaskScheduled");
        assert_eq!(d[key].as_f64(), Some(n), "{d}");
    }
    match key {
        "timeoutInSeconds" => |o, n| check(o, n, "timeoutInSeconds"),
        _ => |o, n| check(o, n, "heartbeatInSeconds"),
    }
}

fn output(o: &Outcome) -> Value {
    serde_json::from_str(o.output.as_deref().unwrap()).unwrap()
}

fn items_read(o: &Outcome, n: f64) {
    let want = if n == 0.0 { 3 } else { (n as usize).min(3) };
    assert_eq!(output(o).as_array().unwrap().len(), want);
}

fn batches_of_items(o: &Outcome, n: f64) {
    let batches = output(o).as_array().unwrap().len();
    assert_eq!(batches, 3usize.div_ceil(n as usize));
}

fn one_batch(o: &Outcome, _: f64) {
    assert_eq!(output(o).as_array().unwrap().len(), 1);
}

/// The rows common to the integer fields of the Map (`MaxConcurrency`,
/// `ToleratedFailureCount`, `MaxItems`): Java's integer parse of the value's text (numeric
/// strings read; `2.5` and `2.0` not valid), and the JSONata type error in JSONata states.
fn map_integer(field: &'static str, ql: Ql, kind: Kind, negative: Expect, too_big: f64) -> Expect {
    let path = format!("{field}Path");
    let not_valid = |v: &str| {
        Fails(
            RUNTIME,
            format!("The {path} field refers to value \"{v}\" which is not a valid integer: $.v"),
        )
    };
    match (ql, kind) {
        (_, Kind::Int | Kind::NumericString) => Reads(2.0),
        (_, Kind::Negative) => negative,
        (_, Kind::Zero) => Reads(0.0),
        (_, Kind::TooBig) => Reads(too_big),
        (Ql::JsonPath, Kind::Fraction) => not_valid("2.5"),
        (Ql::JsonPath, Kind::WholeFloat) => not_valid("2.0"),
        (Ql::JsonPath, Kind::Null) => not_valid("null"),
        (Ql::JsonPath, Kind::Missing) => invalid_path(),
        (Ql::JsonPath, Kind::NotANumber) => not_valid("abc"),
        (Ql::JsonPath, Kind::Object) => not_valid("{}"),
        // JSONata's numbers are JavaScript's: 2.0 is 2.
        (Ql::Jsonata, Kind::WholeFloat) => Reads(2.0),
        (Ql::Jsonata, Kind::Fraction) => type_error(field, "integer", "2.5"),
        (Ql::Jsonata, Kind::Null) => type_error(field, "integer", "null"),
        (Ql::Jsonata, Kind::Missing) => undefined(field),
        (Ql::Jsonata, Kind::NotANumber) => type_error(field, "integer", "\"abc\""),
        (Ql::Jsonata, Kind::Object) => type_error(field, "integer", "{}"),
    }
}

/// A task's timeouts: positive integers (state-task page); no numeric strings.
fn task_seconds(field: &'static str, ql: Ql, kind: Kind) -> Expect {
    let positive = |v: &str| {
        Fails(
            RUNTIME,
            format!("The {field} field must be a positive integer, but was: {v}"),
        )
    };
    match (ql, kind) {
        (_, Kind::Int) => Reads(2.0),
        (_, Kind::TooBig) => Reads(100_000_000.0),
        (_, Kind::Negative) => positive("-1"),
        (_, Kind::Zero) => positive("0"),
        (Ql::JsonPath, Kind::NumericString) => positive("\"2\""),
        (Ql::JsonPath, Kind::Fraction) => positive("2.5"),
        (Ql::JsonPath, Kind::WholeFloat) => positive("2.0"),
        (Ql::JsonPath, Kind::Null) => positive("null"),
        (Ql::JsonPath, Kind::Missing) => invalid_path(),
        (Ql::JsonPath, Kind::NotANumber) => positive("\"abc\""),
        (Ql::JsonPath, Kind::Object) => positive("{}"),
        (Ql::Jsonata, Kind::WholeFloat) => Reads(2.0),
        (Ql::Jsonata, Kind::NumericString) => type_error(field, "integer", "\"2\""),
        (Ql::Jsonata, Kind::Fraction) => type_error(field, "integer", "2.5"),
        (Ql::Jsonata, Kind::Null) => type_error(field, "integer", "null"),
        (Ql::Jsonata, Kind::Missing) => undefined(field),
        (Ql::Jsonata, Kind::NotANumber) => type_error(field, "integer", "\"abc\""),
        (Ql::Jsonata, Kind::Object) => type_error(field, "integer", "{}"),
    }
}

/// The batcher's limits: positive integers; numeric strings read (recorded through
/// variables).
fn batch_limit(field: &'static str, ql: Ql, kind: Kind, too_big: f64) -> Expect {
    let positive = |v: &str| {
        Fails(
            RUNTIME,
            format!("The {field} field must be a positive integer, but was: {v}"),
        )
    };
    match (ql, kind) {
        (_, Kind::Int | Kind::NumericString) => Reads(2.0),
        (_, Kind::TooBig) => Reads(too_big),
        (_, Kind::Negative) => positive("-1"),
        (_, Kind::Zero) => positive("0"),
        (Ql::JsonPath, Kind::Fraction) => positive("2.5"),
        (Ql::JsonPath, Kind::WholeFloat) => positive("2.0"),
        (Ql::JsonPath, Kind::Null) => positive("null"),
        (Ql::JsonPath, Kind::Missing) => invalid_path(),
        (Ql::JsonPath, Kind::NotANumber) => positive("abc"),
        (Ql::JsonPath, Kind::Object) => positive("{}"),
        (Ql::Jsonata, Kind::WholeFloat) => Reads(2.0),
        (Ql::Jsonata, Kind::Fraction) => type_error(field, "integer", "2.5"),
        (Ql::Jsonata, Kind::Null) => type_error(field, "integer", "null"),
        (Ql::Jsonata, Kind::Missing) => undefined(field),
        (Ql::Jsonata, Kind::NotANumber) => type_error(field, "integer", "\"abc\""),
        (Ql::Jsonata, Kind::Object) => type_error(field, "integer", "{}"),
    }
}

fn fields() -> Vec<Field> {
    vec![
        Field {
            name: "Seconds",
            def: Box::new(wait),
            effect: waited,
            too_big: json!(100_000_000),
            // base.test_wait.TestSfnWait.test_base_wait_seconds_path__*, logs.*wait_seconds_path*;
            // state-wait page (0..=99999999; JSONata "must evaluate to an integer").
            expect: |ql, kind| {
                let long = |v: &str| {
                    Fails(
                        RUNTIME,
                        format!(
                            "The SecondsPath parameter cannot be parsed as a long value: $.v == {v}"
                        ),
                    )
                };
                match (ql, kind) {
                    (_, Kind::Int) => Reads(2.0),
                    (_, Kind::Zero) => Reads(0.0),
                    // Longer than a Standard execution may run (one year, AWS's service
                    // quota): the execution times out before the Wait ends.
                    (_, Kind::TooBig) => Fails(TIMEOUT, String::new()),
                    (Ql::JsonPath, Kind::Negative) => Fails(
                        RUNTIME,
                        "The SecondsPath parameter references a negative value: $.v == -1".into(),
                    ),
                    (Ql::JsonPath, Kind::NumericString) => long("2"),
                    (Ql::JsonPath, Kind::Fraction) => long("2.5"),
                    (Ql::JsonPath, Kind::WholeFloat) => long("2.0"),
                    (Ql::JsonPath, Kind::Null) => long("null"),
                    (Ql::JsonPath, Kind::Missing) => Fails(
                        RUNTIME,
                        "The SecondsPath parameter does not reference an input value: $.nope"
                            .into(),
                    ),
                    (Ql::JsonPath, Kind::NotANumber) => long("abc"),
                    (Ql::JsonPath, Kind::Object) => long("{}"),
                    (Ql::Jsonata, Kind::WholeFloat) => Reads(2.0),
                    (Ql::Jsonata, Kind::Negative) => type_error("Seconds", "integer", "-1"),
                    (Ql::Jsonata, Kind::NumericString) => type_error("Seconds", "integer", "\"2\""),
                    (Ql::Jsonata, Kind::Fraction) => type_error("Seconds", "integer", "2.5"),
                    (Ql::Jsonata, Kind::Null) => type_error("Seconds", "integer", "null"),
                    (Ql::Jsonata, Kind::Missing) => undefined("Seconds"),
                    (Ql::Jsonata, Kind::NotANumber) => type_error("Seconds", "integer", "\"abc\""),
                    (Ql::Jsonata, Kind::Object) => type_error("Seconds", "integer", "{}"),
                }
            },
        },
        Field {
            name: "TimeoutSeconds",
            def: Box::new(task("TimeoutSeconds")),
            effect: scheduled("timeoutInSeconds"),
            too_big: json!(100_000_000),
            expect: |ql, kind| task_seconds("TimeoutSeconds", ql, kind),
        },
        Field {
            name: "HeartbeatSeconds",
            def: Box::new(task("HeartbeatSeconds")),
            effect: scheduled("heartbeatInSeconds"),
            too_big: json!(100_000_000),
            expect: |ql, kind| task_seconds("HeartbeatSeconds", ql, kind),
        },
        Field {
            name: "MaxConcurrency",
            def: Box::new(map("MaxConcurrency", false)),
            effect: no_effect,
            too_big: json!(100_000_000),
            // Inferred from the tolerated-failure siblings; state-map page (non-negative).
            expect: |ql, kind| {
                let negative = Fails(RUNTIME, "MaxConcurrency cannot be negative.".into());
                map_integer("MaxConcurrency", ql, kind, negative, 100_000_000.0)
            },
        },
        Field {
            name: "ToleratedFailureCount",
            def: Box::new(map("ToleratedFailureCount", true)),
            effect: no_effect,
            too_big: json!(100_000_000),
            // test_map_state_tolerated_failure_count_path__*.
            expect: |ql, kind| {
                let negative = Fails(RUNTIME, "ToleratedFailureCount cannot be negative.".into());
                map_integer("ToleratedFailureCount", ql, kind, negative, 100_000_000.0)
            },
        },
        Field {
            name: "ToleratedFailurePercentage",
            def: Box::new(map("ToleratedFailurePercentage", true)),
            effect: no_effect,
            too_big: json!(100.1),
            // test_map_state_tolerated_failure_percentage_path__*.
            expect: |ql, kind| {
                let range = || {
                    Fails(
                        RUNTIME,
                        "ToleratedFailurePercentage must be between 0 and 100.".into(),
                    )
                };
                let not_valid = |v: &str| {
                    Fails(
                        RUNTIME,
                        format!(
                            "The ToleratedFailurePercentagePath field refers to value \"{v}\" which is not a valid float: $.v"
                        ),
                    )
                };
                let f = "ToleratedFailurePercentage";
                match (ql, kind) {
                    (_, Kind::Int | Kind::NumericString | Kind::WholeFloat) => Reads(2.0),
                    (_, Kind::Fraction) => Reads(2.5),
                    (_, Kind::Zero) => Reads(0.0),
                    (_, Kind::Negative | Kind::TooBig) => range(),
                    (Ql::JsonPath, Kind::Null) => not_valid("null"),
                    (Ql::JsonPath, Kind::Missing) => invalid_path(),
                    (Ql::JsonPath, Kind::NotANumber) => not_valid("abc"),
                    (Ql::JsonPath, Kind::Object) => not_valid("{}"),
                    (Ql::Jsonata, Kind::Null) => type_error(f, "number", "null"),
                    (Ql::Jsonata, Kind::Missing) => undefined(f),
                    (Ql::Jsonata, Kind::NotANumber) => type_error(f, "number", "\"abc\""),
                    (Ql::Jsonata, Kind::Object) => type_error(f, "number", "{}"),
                }
            },
        },
        Field {
            name: "MaxItems",
            def: Box::new(reader),
            effect: items_read,
            too_big: json!(100_000_001),
            // test_map_item_reader_csv_max_items_paths__*: negative -> States.ItemReaderFailed,
            // no state prefix; 0 reads every item; above 100,000,000 accepted.
            expect: |ql, kind| {
                let negative = Fails(
                    "States.ItemReaderFailed",
                    "field MaxItems must be positive".into(),
                );
                map_integer("MaxItems", ql, kind, negative, 100_000_000.0)
            },
        },
        Field {
            name: "MaxItemsPerBatch",
            def: Box::new(batcher("MaxItemsPerBatch")),
            effect: batches_of_items,
            too_big: json!(100_000_000),
            expect: |ql, kind| batch_limit("MaxItemsPerBatch", ql, kind, 100_000_000.0),
        },
        Field {
            name: "MaxInputBytesPerBatch",
            def: Box::new(batcher("MaxInputBytesPerBatch")),
            effect: one_batch,
            too_big: json!(300_000),
            // A batch holds 256 KiB at most (state-map page): a greater limit reads as that.
            expect: |ql, kind| batch_limit("MaxInputBytesPerBatch", ql, kind, 262_144.0),
        },
    ]
}

/// Checks one row; `Err` says how it differs.
fn check_row(f: &Field, ql: Ql, kind: Kind) -> Result<(), String> {
    let key = if kind == Kind::Missing { "nope" } else { "v" };
    let def = (f.def)(ql, key);
    let value = value_of(kind, &f.too_big);
    let o = run(def, value.as_ref());
    match (f.expect)(ql, kind) {
        Reads(n) => {
            if o.status != Status::Succeeded {
                return Err(format!("expected success, got {:?} {:?}", o.error, o.cause));
            }
            // MaxItemsPerBatch above the items' count: one batch.
            let n = if f.name == "MaxItemsPerBatch" {
                n.min(3.0)
            } else {
                n
            };
            // A byte limit of 2 holds one item per batch.
            if f.name == "MaxInputBytesPerBatch" && n == 2.0 {
                assert_eq!(output(&o).as_array().unwrap().len(), 3);
                return Ok(());
            }
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (f.effect)(&o, n)))
                .map_err(|_| format!("did not use {n}"))
        }
        Fails(error, cause) => {
            let got = (o.error.as_deref(), o.cause.as_deref().unwrap_or_default());
            let prefixed = got
                .1
                .starts_with("An error occurred while executing the state 'S'");
            let ok = got.0 == Some(error)
                && got.1.ends_with(cause.as_str())
                && (prefixed || got.1 == cause);
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "expected {error}: {cause}\n      got {:?}: {}",
                    got.0, got.1
                ))
            }
        }
    }
}

#[test]
fn every_numeric_field_reads_every_kind_of_value_as_aws_does() {
    let mut failures = Vec::new();
    let mut rows = 0;
    for f in fields() {
        for ql in [Ql::JsonPath, Ql::Jsonata] {
            for kind in KINDS {
                rows += 1;
                if let Err(e) = check_row(&f, ql, kind) {
                    failures.push(format!("{} {ql:?} {kind:?}: {e}", f.name));
                }
            }
        }
    }
    assert_eq!(rows, 9 * 2 * 11);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A refused number fails where AWS fails it: a Wait or a Task right after its
/// `...StateEntered` (test_base_wait_seconds_path__-1,
/// test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH); a Map's limits after
/// `MapStateStarted` (test_map_state_tolerated_failure_count_path__-1).
#[test]
fn refusals_fail_at_the_recorded_event() {
    let types = |o: &Outcome| -> Vec<String> {
        events(o)
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect()
    };
    let o = run(wait(Ql::JsonPath, "v"), Some(&json!(-1)));
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "WaitStateEntered", "ExecutionFailed"]
    );
    let o = run(task("TimeoutSeconds")(Ql::JsonPath, "nope"), None);
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    );
    for field in ["MaxConcurrency", "ToleratedFailureCount"] {
        let o = run(map(field, true)(Ql::JsonPath, "v"), Some(&json!(-1)));
        assert_eq!(
            types(&o),
            [
                "ExecutionStarted",
                "MapStateEntered",
                "MapStateStarted",
                "ExecutionFailed"
            ],
            "{field}"
        );
    }
    // A JSONata type error adds its EvaluationFailed event, located at the field.
    let o = run(wait(Ql::Jsonata, "v"), Some(&json!("abc")));
    let e = events(&o);
    assert_eq!(e[2]["type"], "EvaluationFailed");
    assert_eq!(e[2]["evaluationFailedEventDetails"]["location"], "Seconds");
}

/// Class 2 for the Wait's timestamp: a JSONata result that is not a string fails with AWS's
/// JSONata type error; a string that is no timestamp, and a `TimestampPath` value that is
/// none, with their own causes (test_wait_timestamp_path__*).
#[test]
fn timestamps() {
    let def = |ql: Ql, key: &str| {
        let s = json!({"Type": "Wait", "End": true});
        machine(ql, with(s, field_entry(ql, "Timestamp", key)))
    };
    let cause = |o: &Outcome| {
        let c = o.cause.clone().unwrap_or_default();
        c.split_once("). ").map(|(_, c)| c.to_string()).unwrap_or(c)
    };
    let ok = run(def(Ql::Jsonata, "v"), Some(&json!("2026-01-01T00:00:05Z")));
    assert_eq!(ok.status, Status::Succeeded);
    assert_eq!((ok.stop_date - ok.start_date).num_seconds(), 5);
    let o = run(def(Ql::Jsonata, "v"), Some(&json!(5)));
    assert_eq!(o.error.as_deref(), Some(QUERY));
    assert_eq!(
        cause(&o),
        "The JSONata expression '$states.input.v' specified for the field 'Timestamp' returned an unexpected result type. Expected 'string', but was 'number' for value: 5"
    );
    let o = run(def(Ql::Jsonata, "v"), Some(&json!("2016-13-05T21:29:29Z")));
    assert_eq!(
        cause(&o),
        "The JSONata expression '$states.input.v' specified for the field 'Timestamp' returned an invalid timestamp: \"2016-13-05T21:29:29Z\""
    );
    let o = run(def(Ql::JsonPath, "v"), Some(&json!(5)));
    assert_eq!(o.error.as_deref(), Some(RUNTIME));
    assert_eq!(
        cause(&o),
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.v == 5"
    );
    let o = run(def(Ql::JsonPath, "nope"), None);
    assert_eq!(
        cause(&o),
        "The TimestampPath parameter does not reference an input value: $.nope"
    );
}
