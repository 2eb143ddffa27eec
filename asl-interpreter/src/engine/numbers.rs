//! Numbers that arrive at run time: the one place a numeric field written as a reference path
//! (`MaxConcurrencyPath`), a variable (`"$limit"`) or a JSONata expression
//! (`"MaxConcurrency": "{% ... %}"`) becomes a number, or fails the state as AWS fails it.
//!
//! Each field is one [`Spec`] constant: whether it takes whole numbers only, whether a string
//! holding a number counts, its range, and the causes AWS writes when the path selects nothing,
//! when the value is not a number of the field's kind, and when it is out of range. The reading
//! itself ([`check`]) is pure; [`read`] evaluates the path or expression around it.
//!
//! AWS reads a value the way Java parses the value's text: a whole-number field refuses `1.5`
//! and `2.0` alike ("cannot be parsed as a long value", "not a valid integer"), and the Map's
//! fields read a string holding a number as that number (`MaxItemsPath` and
//! `MaxItemsPerBatchPath` pointing at `"2"` work on AWS). In a JSONata state a result of the
//! wrong JSON type fails with `States.QueryEvaluationError` ("returned an unexpected result
//! type. Expected 'integer' ..."), the type error AWS gives for every JSONata field; a number
//! of the right type but out of range fails with the field's own cause, as its path form does.
//!
//! Each rule names its source: a page of AWS's documentation, a recorded case of the
//! conformance corpus (`../shared/conformance/cases`), or "inferred" when neither shows it and
//! the rule follows the nearest recorded sibling.
//!
//! # The numeric fields
//!
//! Causes of `States.Runtime` carry AWS's state prefix ("An error occurred while executing the
//! state 'S' (entered at the event id #N). "); `p` is the path, `v` the value as text.
//!
//! | field | accepts | refuses with | fails at |
//! |---|---|---|---|
//! | Wait `SecondsPath` / `Seconds` | integers 0..; above 99,999,999 waits that long | not an integer (strings too): "The SecondsPath parameter cannot be parsed as a long value: p == v"; negative: "The SecondsPath parameter references a negative value: p == v"; no value: "The SecondsPath parameter does not reference an input value: p"; JSONata: type error (Expected 'integer'), negative too | after `WaitStateEntered` |
//! | Task `TimeoutSecondsPath`, `HeartbeatSecondsPath` / JSONata | integers 1.. | "The TimeoutSeconds field must be a positive integer, but was: <json>" (inferred); no value: "Invalid path 'p' : No results for path: $['x']"; JSONata: type error (Expected 'integer') | after `TaskStateEntered` |
//! | Map `MaxConcurrencyPath` / JSONata | integers 0.. and strings holding one (0: no limit) | "The MaxConcurrencyPath field refers to value \"v\" which is not a valid integer: p", "MaxConcurrency cannot be negative." (inferred) | after `MapStateStarted` |
//! | Map `ToleratedFailureCountPath` / JSONata | integers 0.. and strings holding one | "The ToleratedFailureCountPath field refers to value \"v\" which is not a valid integer: p", "ToleratedFailureCount cannot be negative." | after `MapStateStarted` |
//! | Map `ToleratedFailurePercentagePath` / JSONata | numbers 0..=100 and strings holding one | "The ToleratedFailurePercentagePath field refers to value \"v\" which is not a valid float: p", "ToleratedFailurePercentage must be between 0 and 100." | after `MapStateStarted` |
//! | `ReaderConfig.MaxItemsPath` / JSONata | integers 0.. and strings holding one (0: every item; above 100,000,000 reads 100,000,000) | negative: `States.ItemReaderFailed` "field MaxItems must be positive" (no prefix); not an integer: "The MaxItemsPath field refers to value \"v\" which is not a valid integer: p" (inferred) | before `MapStateStarted` (AWS: in the map run, see below) |
//! | `ItemBatcher.MaxItemsPerBatchPath`, `MaxInputBytesPerBatchPath` / JSONata | integers 1.. and strings holding one (bytes above 262,144 read 262,144) | "The MaxItemsPerBatch field must be a positive integer, but was: v" (inferred) | before `MapStateStarted` |
//!
//! In every JSONata form, a result of the wrong type fails with `States.QueryEvaluationError`
//! "The JSONata expression 'e' specified for the field 'F' returned an unexpected result type.
//! Expected 'integer' (or 'number'), but was 't' for value: v" and an `EvaluationFailed` event
//! located at the field; a result that is undefined, with "returned nothing (undefined)".
//!
//! Not done: AWS reads a distributed Map's items (and so its `MaxItems`) inside the map run, so
//! a reader failure follows `MapRunStarted` and ends with `MapRunFailed`
//! (`test_map_item_reader_csv_max_items_paths__-1`); sfn-local fails before `MapStateStarted`.
//!
//! # Audit: every field evaluated at run time
//!
//! | field (JSONPath / JSONata) | evaluated in | errors | pinned by |
//! |---|---|---|---|
//! | `InputPath` | `kernel::StateRun::effective_input` | `States.Runtime` "Invalid path ..." | conformance `test_invalid_jsonpath__*INPUTPATH` |
//! | `Parameters` / `Arguments` | `kernel::StateRun::eval_template` (task, pass, map reader/writer) | `States.Runtime` (path not found), `States.QueryEvaluationError` | conformance `test_undefined_reference__BASE_UNDEFINED_ARGUMENTS*` |
//! | `ResultSelector`, `ResultPath`, `OutputPath` / `Output` | `kernel::StateRun::finish`, `catch` | `States.Runtime`, `States.QueryEvaluationError` | conformance `test_invalid_jsonpath__*OUTPUTPATH`, `test_undefined_reference__BASE_UNDEFINED_OUTPUT*` |
//! | `Assign` | `kernel::StateRun::eval_assign` | `States.Runtime`, `States.QueryEvaluationError` | conformance `test_undefined_reference__BASE_UNDEFINED_ASSIGN` |
//! | Choice `Variable` / `Condition` | `states::choice` | `States.Runtime`, `States.QueryEvaluationError` (Expected 'boolean') | conformance `choice_*` |
//! | Fail `ErrorPath`, `CausePath` / `Error`, `Cause` | `states::simple` | `States.Runtime`, `States.QueryEvaluationError` (Expected 'string') | conformance `test_invalid_jsonpath__*ERRORPATH`, `*CAUSEPATH` |
//! | Wait `SecondsPath` / `Seconds` | `states::wait` through [`read`] ([`WAIT_SECONDS`]) | see the row | `tests/runtime_numbers.rs` |
//! | Wait `TimestampPath` / `Timestamp` | `states::wait::timestamp` | `States.Runtime`, `States.QueryEvaluationError` | `tests/runtime_numbers.rs` (`timestamps`), conformance `test_wait_timestamp_path__*` |
//! | Task `TimeoutSecondsPath`, `HeartbeatSecondsPath` / JSONata | `states::task` through [`read`] | see the rows | `tests/runtime_numbers.rs` |
//! | Task `Credentials` | `states::task` | `States.Runtime`, `States.QueryEvaluationError` | — |
//! | Map `ItemsPath` / `Items` | `states::map::items` | `States.Runtime`, `States.QueryEvaluationError` (Expected 'array') | conformance `test_map_state_items_*` |
//! | Map `ItemSelector`, `ItemBatcher.BatchInput` | `states::map::iterations` | `States.Runtime`, `States.QueryEvaluationError` | — |
//! | Map `MaxConcurrencyPath`, `ToleratedFailureCountPath`, `ToleratedFailurePercentagePath` / JSONata | `states::map` through [`read`], after `MapStateStarted` | see the rows | `tests/runtime_numbers.rs` |
//! | `ItemReader.ReaderConfig.MaxItemsPath` / JSONata | `states::map::reader` through [`read`] | see the row | `tests/runtime_numbers.rs` |
//! | `ItemBatcher.MaxItemsPerBatchPath`, `MaxInputBytesPerBatchPath` / JSONata | `states::map::iterations::batches` through [`read`] | see the rows | `tests/runtime_numbers.rs` |
//! | `ResultWriter` `Parameters` / `Arguments` | `states::map::writer` | `States.Runtime`, `States.QueryEvaluationError` | `tests/result_writer.rs` |
//!
//! A path that selects nothing fails with the field's `missing` cause; a JSONata expression
//! that returns nothing fails with "returned nothing (undefined)" as every JSONata field does.

use asl_core::dataflow::to_json_text;
use asl_core::error::names;
use asl_core::jsonata::{self, Expression};
use asl_core::model::NumberField;
use asl_core::{Scope, StatesError};
use serde_json::Value;

use super::TaskFailure;
use super::kernel::{StateError, StateRun, plain};

/// What a field does with a value above its greatest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Above {
    /// Fails with the field's `out_of_range` cause.
    Refuse,
    /// Is read as the greatest.
    Clamp,
}

/// What a cause names: the field's path form, the path (`None` for a literal or an
/// expression) and the value.
pub(crate) struct Named<'a> {
    pub path_field: &'static str,
    pub path: Option<&'a str>,
    pub value: &'a Value,
}

impl Named<'_> {
    /// `: $.path` after a cause, or nothing.
    fn suffix(&self) -> String {
        self.path.map(|p| format!(": {p}")).unwrap_or_default()
    }
}

/// How one field reads its number.
pub(crate) struct Spec {
    /// The field written with a number or an expression (`MaxConcurrency`).
    pub field: &'static str,
    /// Its reference-path form (`MaxConcurrencyPath`).
    pub path_field: &'static str,
    /// Whole numbers only.
    pub integer: bool,
    /// A string holding a number is read as that number.
    pub numeric_strings: bool,
    /// The least value accepted.
    pub min: f64,
    /// The greatest value, and what a greater one does.
    pub max: Option<(f64, Above)>,
    /// The error of an out-of-range value (`States.Runtime` unless the field says otherwise;
    /// only `States.Runtime` causes get the state prefix).
    pub range_error: &'static str,
    /// Cause when the path selects nothing; `None`: `Invalid path '$.x' : No results for
    /// path: $['x']`, as for `InputPath` (source:
    /// `test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH`,
    /// `..._IN_HEARTBEATSECONDSPATH`).
    pub missing: Option<fn(&str) -> String>,
    /// Cause when the value is not a number of the field's kind (JSONPath).
    pub not_a_number: fn(&Named) -> String,
    /// Cause when the value is out of range.
    pub out_of_range: fn(&Named) -> String,
    /// The type a JSONata result must have (`integer`, `number`).
    pub jsonata_type: &'static str,
    /// In a JSONata state an out-of-range value fails as a result of the wrong type.
    pub jsonata_range_is_type: bool,
}

/// A Wait's `SecondsPath` / `Seconds`. Integers from 0; a longer wait waits the longest
/// (`states::wait::MAX_WAIT_SECONDS`).
/// - Sources: `base.test_wait.TestSfnWait.test_base_wait_seconds_path__{-1.5,-1,0,1.5,1}` (float
///   and negative texts), `logs.test_logs.*wait_seconds_path*` (missing path); state-wait page
///   ("an integer value from 0 to 99999999"; JSONata "must evaluate to an integer in the stated
///   range").
/// - Numeric strings refused, and in JSONata a negative result failing as a type error
///   (Expected 'integer'): inferred (nothing recorded; the page asks for "an integer in the
///   stated range").
pub(crate) const WAIT_SECONDS: Spec = Spec {
    field: "Seconds",
    path_field: "SecondsPath",
    integer: true,
    numeric_strings: false,
    min: 0.0,
    max: Some((99_999_999.0, Above::Clamp)),
    range_error: names::RUNTIME,
    missing: Some(|p| format!("The SecondsPath parameter does not reference an input value: {p}")),
    not_a_number: |n| {
        format!(
            "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
            n.path.unwrap_or_default(),
            plain(n.value)
        )
    },
    out_of_range: |n| {
        format!(
            "The SecondsPath parameter references a negative value: {} == {}",
            n.path.unwrap_or_default(),
            plain(n.value)
        )
    },
    jsonata_type: "integer",
    jsonata_range_is_type: true,
};

/// "The <field> field must be a positive integer, but was: <json>": sfn-local's wording for a
/// task's timeouts (no recording shows AWS's); a positive integer per the state-task page
/// ("must select fields whose values are positive integers").
fn positive_task(field: &'static str, n: &Named) -> String {
    format!(
        "The {field} field must be a positive integer, but was: {}",
        to_json_text(n.value)
    )
}

/// A Task's `TimeoutSecondsPath` / `TimeoutSeconds`: a positive integer (state-task page).
/// Missing path: `test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH`. Other
/// causes: inferred.
pub(crate) const TIMEOUT_SECONDS: Spec = Spec {
    field: "TimeoutSeconds",
    path_field: "TimeoutSecondsPath",
    integer: true,
    numeric_strings: false,
    min: 1.0,
    max: None,
    range_error: names::RUNTIME,
    missing: None,
    not_a_number: |n| positive_task("TimeoutSeconds", n),
    out_of_range: |n| positive_task("TimeoutSeconds", n),
    jsonata_type: "integer",
    jsonata_range_is_type: false,
};

/// A Task's `HeartbeatSecondsPath` / `HeartbeatSeconds`: as [`TIMEOUT_SECONDS`].
/// Missing path: `test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_HEARTBEATSECONDSPATH`.
pub(crate) const HEARTBEAT_SECONDS: Spec = Spec {
    field: "HeartbeatSeconds",
    path_field: "HeartbeatSecondsPath",
    not_a_number: |n| positive_task("HeartbeatSeconds", n),
    out_of_range: |n| positive_task("HeartbeatSeconds", n),
    ..TIMEOUT_SECONDS
};

/// `The <X>Path field refers to value "<v>" which is not a valid <kind>: <path>`: the Map's
/// wording for a value that is not a number (recorded for the tolerated failures).
fn not_valid(kind: &str, n: &Named) -> String {
    format!(
        "The {} field refers to value \"{}\" which is not a valid {kind}{}",
        n.path_field,
        plain(n.value),
        n.suffix()
    )
}

/// A Map's `ToleratedFailureCountPath` / `ToleratedFailureCount`: an integer from 0.
/// - Sources: `test_map_state_tolerated_failure_count_path__{-1,0,1,NoNumber,
///   tolerated_failure_count_value0}` (causes, after `MapStateStarted`);
///   `test_base_map_from_input__TOLERATED_FAILURE_COUNT` (JSONata).
/// - Numeric strings read as numbers: inferred from "not a valid integer" (Java's parse of the
///   value's text, as `MaxItemsPath` does on record).
pub(crate) const TOLERATED_FAILURE_COUNT: Spec = Spec {
    field: "ToleratedFailureCount",
    path_field: "ToleratedFailureCountPath",
    integer: true,
    numeric_strings: true,
    min: 0.0,
    max: None,
    range_error: names::RUNTIME,
    missing: None,
    not_a_number: |n| not_valid("integer", n),
    out_of_range: |_| "ToleratedFailureCount cannot be negative.".into(),
    jsonata_type: "integer",
    jsonata_range_is_type: false,
};

/// A Map's `ToleratedFailurePercentagePath` / `ToleratedFailurePercentage`: a number from 0
/// to 100.
/// - Sources: `test_map_state_tolerated_failure_percentage_path__{-1.1,-1,0,1.1,1,100.1,100,
///   NoNumber,tolerated_failure_percentage_value0}`;
///   `test_base_map_from_input__TOLERATED_FAILURE_PERCENTAGE` (JSONata).
/// - Numeric strings: inferred, as [`TOLERATED_FAILURE_COUNT`].
pub(crate) const TOLERATED_FAILURE_PERCENTAGE: Spec = Spec {
    field: "ToleratedFailurePercentage",
    path_field: "ToleratedFailurePercentagePath",
    integer: false,
    numeric_strings: true,
    min: 0.0,
    max: Some((100.0, Above::Refuse)),
    range_error: names::RUNTIME,
    missing: None,
    not_a_number: |n| not_valid("float", n),
    out_of_range: |_| "ToleratedFailurePercentage must be between 0 and 100.".into(),
    jsonata_type: "number",
    jsonata_range_is_type: false,
};

/// A Map's `MaxConcurrencyPath` / `MaxConcurrency`: an integer from 0 (0: no limit).
/// - Sources: state-map page ("must select a field whose value is a non-negative integer");
///   `test_base_map_from_input__MAX_CONCURRENCY` (JSONata).
/// - Causes and numeric strings: inferred from the tolerated-failure siblings (nothing
///   recorded). Before, a bad value silently meant "no limit".
pub(crate) const MAX_CONCURRENCY: Spec = Spec {
    field: "MaxConcurrency",
    path_field: "MaxConcurrencyPath",
    integer: true,
    numeric_strings: true,
    min: 0.0,
    max: None,
    range_error: names::RUNTIME,
    missing: None,
    not_a_number: |n| not_valid("integer", n),
    out_of_range: |_| "MaxConcurrency cannot be negative.".into(),
    jsonata_type: "integer",
    jsonata_range_is_type: false,
};

/// `ItemReader.ReaderConfig.MaxItemsPath` / `MaxItems`: an integer from 0 (0: every item);
/// above 100,000,000 reads as 100,000,000.
/// - Sources: `test_map_item_reader_csv_max_items_paths__{-1,0,2,100000000,100000001}`
///   (`States.ItemReaderFailed` "field MaxItems must be positive", no state prefix);
///   `test_reference_in_map_state_max_items_path__MAP_STATE_REFERENCE_IN_MAX_ITEMS_PATH`
///   (a variable holding `"2"` reads 2); `test_map_item_reader_base_json_max_items_jsonata`;
///   state-map page (ReaderConfig "MaxItems": up to 100,000,000).
/// - Not a number: inferred from the Map's other path fields.
pub(crate) const MAX_ITEMS: Spec = Spec {
    field: "MaxItems",
    path_field: "MaxItemsPath",
    integer: true,
    numeric_strings: true,
    min: 0.0,
    max: Some((100_000_000.0, Above::Clamp)),
    range_error: names::ITEM_READER_FAILED,
    missing: None,
    not_a_number: |n| not_valid("integer", n),
    out_of_range: |_| "field MaxItems must be positive".into(),
    jsonata_type: "integer",
    jsonata_range_is_type: false,
};

/// "The <field> field must be a positive integer, but was: <v>": sfn-local's wording for the
/// batcher's limits (no recording shows AWS's).
fn positive_batch(field: &'static str, n: &Named) -> String {
    format!(
        "The {field} field must be a positive integer, but was: {}",
        plain(n.value)
    )
}

/// `ItemBatcher.MaxItemsPerBatchPath` / `MaxItemsPerBatch`: a positive integer.
/// - Sources: `test_reference_in_map_state_max_items_path__MAP_STATE_REFERENCE_IN_MAX_PER_BATCH_PATH`
///   (variables holding `"2"` and `"15000"` read as numbers);
///   `test_map_item_batching_base_json_max_per_batch_jsonata`; state-map page (ItemBatcher).
/// - Causes: inferred.
pub(crate) const MAX_ITEMS_PER_BATCH: Spec = Spec {
    field: "MaxItemsPerBatch",
    path_field: "MaxItemsPerBatchPath",
    integer: true,
    numeric_strings: true,
    min: 1.0,
    max: None,
    range_error: names::RUNTIME,
    missing: None,
    not_a_number: |n| positive_batch("MaxItemsPerBatch", n),
    out_of_range: |n| positive_batch("MaxItemsPerBatch", n),
    jsonata_type: "integer",
    jsonata_range_is_type: false,
};

/// `ItemBatcher.MaxInputBytesPerBatchPath` / `MaxInputBytesPerBatch`: a positive integer; a
/// batch holds 256 KiB at most (state-map page), so a greater limit reads as 262,144.
/// Sources as [`MAX_ITEMS_PER_BATCH`].
pub(crate) const MAX_INPUT_BYTES_PER_BATCH: Spec = Spec {
    field: "MaxInputBytesPerBatch",
    path_field: "MaxInputBytesPerBatchPath",
    max: Some((asl_core::limits::MAX_PAYLOAD_BYTES as f64, Above::Clamp)),
    not_a_number: |n| positive_batch("MaxInputBytesPerBatch", n),
    out_of_range: |n| positive_batch("MaxInputBytesPerBatch", n),
    ..MAX_ITEMS_PER_BATCH
};

/// Every field of the family.
#[cfg(test)]
const SPECS: [&Spec; 9] = [
    &WAIT_SECONDS,
    &TIMEOUT_SECONDS,
    &HEARTBEAT_SECONDS,
    &MAX_CONCURRENCY,
    &TOLERATED_FAILURE_COUNT,
    &TOLERATED_FAILURE_PERCENTAGE,
    &MAX_ITEMS,
    &MAX_ITEMS_PER_BATCH,
    &MAX_INPUT_BYTES_PER_BATCH,
];

/// Where a value came from.
pub(crate) enum Source<'a> {
    /// Written in the definition.
    Literal,
    /// Selected by this reference path (or variable).
    Path(&'a str),
    /// Returned by this JSONata expression.
    Expression(&'a Expression),
}

/// The number in `value` as `spec` reads it: Java's parse of the value's text. A whole-number
/// field refuses a fraction, and a float written `2.0` too.
fn number_in(spec: &Spec, value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) if spec.integer => n
            .as_i64()
            .map(|i| i as f64)
            .or_else(|| n.as_u64().map(|u| u as f64)),
        Value::Number(n) => n.as_f64(),
        Value::String(s) if spec.numeric_strings => {
            if spec.integer {
                s.parse::<i64>().ok().map(|i| i as f64)
            } else {
                s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
            }
        }
        _ => None,
    }
}

/// Reads `value` for `spec`: the number (clamped where the field clamps), or the failure AWS
/// gives. `Ok` values are whole for whole-number fields.
pub(crate) fn check(spec: &Spec, value: &Value, source: &Source) -> Result<f64, StatesError> {
    let named = Named {
        path_field: spec.path_field,
        path: match source {
            Source::Path(p) => Some(p),
            _ => None,
        },
        value,
    };
    let type_error =
        |e: &Expression| jsonata::unexpected_type_error(e, spec.field, spec.jsonata_type, value);
    let Some(n) = number_in(spec, value) else {
        return Err(match source {
            Source::Expression(e) => type_error(e),
            _ => StatesError::runtime((spec.not_a_number)(&named)),
        });
    };
    let above = spec.max.filter(|(max, _)| n > *max);
    if n < spec.min || matches!(above, Some((_, Above::Refuse))) {
        return Err(match source {
            Source::Expression(e) if spec.jsonata_range_is_type => type_error(e),
            _ => StatesError::new(spec.range_error, (spec.out_of_range)(&named)),
        });
    }
    Ok(match above {
        Some((max, Above::Clamp)) => max,
        _ => n,
    })
}

/// Evaluates a numeric field of the running state (against `doc`, the effective input, for a
/// path) and reads it for `spec`.
pub(crate) fn read(
    run: &StateRun<'_>,
    spec: &Spec,
    f: &NumberField,
    doc: &Value,
) -> Result<f64, StateError> {
    let (value, source) = match f {
        NumberField::Literal(v) => (v.clone(), Source::Literal),
        NumberField::Path(p) => {
            let ctx = run.context(0);
            let text = p.as_path().text();
            let v = p
                .as_path()
                .evaluate(&Scope::new(doc, &ctx, run.vars))
                .map_err(|e| {
                    StatesError::runtime(match spec.missing {
                        Some(cause) => cause(text),
                        None => asl_core::path::invalid_path_cause(text, &e),
                    })
                })?;
            (v, Source::Path(text))
        }
        NumberField::Expression(e) => (run.eval_expression(e, spec.field)?, Source::Expression(e)),
    };
    check(spec, &value, &source).map_err(|e| into_state_error(spec, e))
}

/// A refusal as the state's error: JSONata type errors carry the field as their location;
/// `States.Runtime` causes get the state prefix; other errors (`States.ItemReaderFailed`)
/// leave as written.
fn into_state_error(spec: &Spec, e: StatesError) -> StateError {
    match e.error.as_str() {
        names::QUERY_EVALUATION_ERROR => StateError::Eval(e, Some(spec.field.to_string())),
        names::RUNTIME => StateError::Eval(e, None),
        _ => StateError::Plain(TaskFailure::new(e.error, e.cause)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_spec_is_listed_once() {
        let mut names: Vec<_> = SPECS.iter().map(|s| s.path_field).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SPECS.len());
    }

    #[test]
    fn whole_number_fields_refuse_fractions_even_when_whole() {
        for spec in SPECS.iter().filter(|s| s.integer) {
            assert!(
                check(spec, &json!(2.0), &Source::Path("$.v")).is_err(),
                "{}",
                spec.field
            );
        }
    }

    #[test]
    fn clamped_fields_read_their_greatest() {
        let v = check(&MAX_ITEMS, &json!(100_000_001), &Source::Path("$.v")).unwrap();
        assert_eq!(v, 100_000_000.0);
        let v = check(&WAIT_SECONDS, &json!(u64::MAX), &Source::Literal).unwrap();
        assert_eq!(v, 99_999_999.0);
    }
}
