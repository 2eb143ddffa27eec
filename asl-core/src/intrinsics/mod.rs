//! Intrinsic functions of JSONPath states (`States.Format(...)` and the 17 others).
//!
//! The pipeline is `&str -> IntrinsicCall -> Value`: [`parse()`] runs once, when the definition is
//! loaded, and [`IntrinsicCall::evaluate`] runs on every state entry. Evaluation is a table
//! lookup: each [`Function`] has an arity and an implementation in one of the family modules
//! (`array`, `string`, `math`, `hash`, `json`).
//!
//! Errors follow what AWS does at run time. A wrong argument (type, count, range, size limit)
//! fails with `States.Runtime` and the cause `Invalid arguments in States.<Name>`; the interpreter
//! prefixes it with `An error occurred while executing the state ...` as for every runtime error.
//! A path argument that cannot be resolved fails with whatever the path resolver returns.
//!
//! AWS coerces numeric arguments like Java does: `States.MathAdd` rounds half up
//! (`Math.round`), every other integer argument is truncated toward zero (`intValue()`), and all
//! of them must fit a 32-bit `int`.

mod array;
mod hash;
mod json;
mod math;
mod parse;
mod string;
#[cfg(test)]
mod testutil;

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{StatesError, StatesResult, names};
use crate::path::JsonPath;
use crate::scope::Scope;

pub use parse::{IntrinsicSyntaxError, parse};

/// A parsed intrinsic call such as `States.Format('Hello {}', $.name)`.
///
/// It is immutable and shareable, so the interpreter parses a definition's intrinsics once and
/// evaluates them concurrently from any number of executions.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicCall {
    /// Which of the 18 functions to call.
    pub function: Function,
    /// The arguments, in order; they are evaluated left to right before the call.
    pub args: Vec<Arg>,
}

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A constant: a `'string'` (escapes removed, see [`parse()`]), a number, `true`, `false` or
    /// `null`.
    Literal(Value),
    /// A JSONPath (`$.a`, `$`, `$$.Execution.Id`, `$var.x`), compiled once with the call and
    /// resolved by the caller's resolver.
    Path(PathArg),
    /// A nested call, whose result becomes the argument.
    Call(Box<IntrinsicCall>),
}

/// A path argument: its text, and its compiled form, made when the call is parsed rather than
/// on every evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct PathArg {
    text: String,
    /// The path, or why its text is not one (reported when the argument is evaluated, as AWS
    /// does).
    compiled: Result<JsonPath, String>,
}

impl PathArg {
    /// The argument with this text.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let compiled = JsonPath::parse(&text).map_err(|e| e.to_string());
        PathArg { text, compiled }
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The compiled path, or the reason the text is not a path.
    pub fn compiled(&self) -> Result<&JsonPath, &str> {
        self.compiled.as_ref().map_err(String::as_str)
    }
}

/// The 18 intrinsic functions of the Amazon States Language.
///
/// A closed enum rather than a name string, so that an unknown function is a parse error and
/// evaluation needs no string comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format(template, args...)`: fills each `{}` with an argument.
    Format,
    /// `States.StringToJson(string)`: parses JSON text.
    StringToJson,
    /// `States.JsonToString(value)`: compact JSON text.
    JsonToString,
    /// `States.Array(values...)`: an array of the arguments.
    Array,
    /// `States.ArrayPartition(array, size)`: chunks of `size` items.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`: whether `value` is an item.
    ArrayContains,
    /// `States.ArrayRange(first, last, step)`: at most 1000 integers.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`: one item.
    ArrayGetItem,
    /// `States.ArrayLength(array)`: the number of items.
    ArrayLength,
    /// `States.ArrayUnique(array)`: the items without duplicates, first occurrence kept.
    ArrayUnique,
    /// `States.Base64Encode(string)`: base64 of the UTF-8 bytes.
    Base64Encode,
    /// `States.Base64Decode(string)`: the decoded text.
    Base64Decode,
    /// `States.Hash(data, algorithm)`: hex digest (MD5, SHA-1, SHA-256, SHA-384, SHA-512).
    Hash,
    /// `States.JsonMerge(a, b, false)`: shallow merge, `b` wins.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`: an integer in `[start, end)`.
    MathRandom,
    /// `States.MathAdd(a, b)`: the sum of two integers.
    MathAdd,
    /// `States.StringSplit(string, delimiters)`: tokens between any of the delimiter characters.
    StringSplit,
    /// `States.UUID()`: a random version 4 UUID.
    Uuid,
}

/// The values of the evaluated arguments: borrowed for literals, owned for computed values, so
/// that a function can move an owned array instead of cloning it.
type Args<'a> = Vec<Cow<'a, Value>>;

/// One row of the function table.
struct Spec {
    function: Function,
    name: &'static str,
    min_args: usize,
    /// `None`: any number of arguments from `min_args` on.
    max_args: Option<usize>,
    run: fn(Args<'_>) -> StatesResult<Value>,
}

/// The function table, in the order of the [`Function`] variants (checked by a test).
const SPECS: [Spec; 18] = [
    spec(Function::Format, "States.Format", 1, None, string::format),
    spec(
        Function::StringToJson,
        "States.StringToJson",
        1,
        Some(1),
        json::string_to_json,
    ),
    spec(
        Function::JsonToString,
        "States.JsonToString",
        1,
        Some(1),
        json::json_to_string,
    ),
    spec(Function::Array, "States.Array", 0, None, array::array),
    spec(
        Function::ArrayPartition,
        "States.ArrayPartition",
        2,
        Some(2),
        array::partition,
    ),
    spec(
        Function::ArrayContains,
        "States.ArrayContains",
        2,
        Some(2),
        array::contains,
    ),
    spec(
        Function::ArrayRange,
        "States.ArrayRange",
        3,
        Some(3),
        array::range,
    ),
    spec(
        Function::ArrayGetItem,
        "States.ArrayGetItem",
        2,
        Some(2),
        array::get_item,
    ),
    spec(
        Function::ArrayLength,
        "States.ArrayLength",
        1,
        Some(1),
        array::length,
    ),
    spec(
        Function::ArrayUnique,
        "States.ArrayUnique",
        1,
        Some(1),
        array::unique,
    ),
    spec(
        Function::Base64Encode,
        "States.Base64Encode",
        1,
        Some(1),
        hash::base64_encode,
    ),
    spec(
        Function::Base64Decode,
        "States.Base64Decode",
        1,
        Some(1),
        hash::base64_decode,
    ),
    spec(Function::Hash, "States.Hash", 2, Some(2), hash::hash),
    spec(
        Function::JsonMerge,
        "States.JsonMerge",
        3,
        Some(3),
        json::json_merge,
    ),
    spec(
        Function::MathRandom,
        "States.MathRandom",
        2,
        Some(3),
        math::random,
    ),
    spec(Function::MathAdd, "States.MathAdd", 2, Some(2), math::add),
    spec(
        Function::StringSplit,
        "States.StringSplit",
        2,
        Some(2),
        string::split,
    ),
    spec(Function::Uuid, "States.UUID", 0, Some(0), hash::uuid),
];

const fn spec(
    function: Function,
    name: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    run: fn(Args<'_>) -> StatesResult<Value>,
) -> Spec {
    Spec {
        function,
        name,
        min_args,
        max_args,
        run,
    }
}

impl Function {
    /// Every function, in table order.
    pub const ALL: [Function; 18] = {
        let mut all = [Function::Format; 18];
        let mut i = 0;
        while i < 18 {
            all[i] = SPECS[i].function;
            i += 1;
        }
        all
    };

    /// The name as written in a definition (`States.Format`); names are case-sensitive.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The function called `name` (exact, case-sensitive match), if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        SPECS.iter().find(|s| s.name == name).map(|s| s.function)
    }

    /// Whether `count` arguments are accepted; AWS checks this at run time, not when the state
    /// machine is created.
    pub fn accepts_arg_count(self, count: usize) -> bool {
        let spec = self.spec();
        count >= spec.min_args && spec.max_args.is_none_or(|max| count <= max)
    }

    fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }
}

impl std::fmt::Display for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a `"key.$"` value is an intrinsic call rather than a path: `States.<Name>(`.
///
/// It only looks at the start, so that a malformed call still goes to [`parse()`] and gets a
/// precise error instead of being mistaken for a JSONPath.
pub fn is_intrinsic(s: &str) -> bool {
    let Some(rest) = s.trim_start().strip_prefix("States.") else {
        return false;
    };
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    name_len > 0 && rest[name_len..].trim_start().starts_with('(')
}

impl IntrinsicCall {
    /// Evaluates the call: arguments left to right (nested calls first), then the function.
    ///
    /// `resolve_path` evaluates a JSONPath argument against `scope`; its errors are returned
    /// unchanged, as AWS reports an unresolvable argument path like any other path.
    pub fn evaluate(
        &self,
        scope: &Scope,
        resolve_path: &dyn Fn(&PathArg, &Scope) -> StatesResult<Value>,
    ) -> StatesResult<Value> {
        let spec = self.function.spec();
        if !self.function.accepts_arg_count(self.args.len()) {
            return Err(invalid_args(self.function));
        }
        let args = self
            .args
            .iter()
            .map(|arg| match arg {
                Arg::Literal(value) => Ok(Cow::Borrowed(value)),
                Arg::Path(path) => resolve_path(path, scope).map(Cow::Owned),
                Arg::Call(call) => call.evaluate(scope, resolve_path).map(Cow::Owned),
            })
            .collect::<StatesResult<Args<'_>>>()?;
        (spec.run)(args)
    }
}

/// The error AWS gives for any argument a function rejects.
pub(crate) fn invalid_args(function: Function) -> StatesError {
    StatesError::new(
        names::RUNTIME,
        format!("Invalid arguments in {}", function.name()),
    )
}

/// An integer argument the way AWS reads it: a number truncated toward zero that fits an `int`.
fn int_arg(value: &Value, function: Function) -> StatesResult<i64> {
    let n = match value {
        Value::Number(n) => n,
        _ => return Err(invalid_args(function)),
    };
    let int = if let Some(i) = n.as_i64() {
        Some(i)
    } else {
        n.as_f64()
            .map(f64::trunc)
            .filter(|f| f.abs() < 1e18)
            .map(|f| f as i64)
    };
    int.filter(|i| i32::try_from(*i).is_ok())
        .ok_or_else(|| invalid_args(function))
}

/// A string argument, or the function's invalid-arguments error.
fn str_arg(value: &Value, function: Function) -> StatesResult<&str> {
    value.as_str().ok_or_else(|| invalid_args(function))
}

/// An array argument, moved out when it is owned.
fn array_arg(value: Cow<'_, Value>, function: Function) -> StatesResult<Cow<'_, [Value]>> {
    match value {
        Cow::Borrowed(Value::Array(items)) => Ok(Cow::Borrowed(items.as_slice())),
        Cow::Owned(Value::Array(items)) => Ok(Cow::Owned(items)),
        _ => Err(invalid_args(function)),
    }
}

/// The length of `s` in UTF-16 code units, which is what AWS's character limits count.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{eval, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn table_is_in_variant_order() {
        for (i, spec) in SPECS.iter().enumerate() {
            assert_eq!(spec.function as usize, i, "{}", spec.name);
            assert_eq!(Function::from_name(spec.name), Some(spec.function));
        }
        assert_eq!(Function::ALL.len(), 18);
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(Function::from_name("States.format"), None);
        assert_eq!(Function::from_name("states.Format"), None);
        assert_eq!(Function::from_name("States.Uuid"), None);
        assert_eq!(Function::from_name("States.UUID"), Some(Function::Uuid));
    }

    #[test]
    fn recognises_calls() {
        for (text, expected) in [
            ("States.Format('x')", true),
            ("  States.UUID()", true),
            ("States.Array ()", true),
            ("States.Nope(1)", true),
            ("States.Format", false),
            ("States.(1)", false),
            ("$.States.Format(1)", false),
            ("$.a", false),
            ("", false),
        ] {
            assert_eq!(is_intrinsic(text), expected, "{text}");
        }
    }

    #[test]
    fn arity_is_checked_at_evaluation() {
        for (text, function) in [
            ("States.Format()", Function::Format),
            ("States.StringToJson()", Function::StringToJson),
            ("States.StringToJson('1', '2')", Function::StringToJson),
            ("States.JsonToString(1, 2)", Function::JsonToString),
            (
                "States.ArrayPartition(States.Array())",
                Function::ArrayPartition,
            ),
            (
                "States.ArrayContains(States.Array())",
                Function::ArrayContains,
            ),
            ("States.ArrayRange(1, 2)", Function::ArrayRange),
            ("States.ArrayRange(1, 2, 3, 4)", Function::ArrayRange),
            (
                "States.ArrayGetItem(States.Array(1))",
                Function::ArrayGetItem,
            ),
            ("States.ArrayLength()", Function::ArrayLength),
            ("States.ArrayUnique()", Function::ArrayUnique),
            ("States.Base64Encode()", Function::Base64Encode),
            ("States.Base64Decode('', '')", Function::Base64Decode),
            ("States.Hash()", Function::Hash),
            ("States.Hash('a')", Function::Hash),
            ("States.Hash('a', 'MD5', 'x')", Function::Hash),
            ("States.JsonMerge($, $)", Function::JsonMerge),
            ("States.MathRandom(1)", Function::MathRandom),
            ("States.MathRandom(1, 2, 3, 4)", Function::MathRandom),
            ("States.MathAdd(1)", Function::MathAdd),
            ("States.MathAdd(1, 2, 3)", Function::MathAdd),
            ("States.StringSplit('a')", Function::StringSplit),
            ("States.UUID(1)", Function::Uuid),
        ] {
            assert_eq!(eval(text, json!({})), Err(invalid(function)), "{text}");
        }
    }

    #[test]
    fn error_text_matches_aws() {
        let err = invalid_args(Function::MathAdd);
        assert_eq!(err.error, "States.Runtime");
        assert_eq!(err.cause, "Invalid arguments in States.MathAdd");
    }

    #[test]
    fn path_errors_pass_through() {
        let err = eval("States.ArrayLength($.missing)", json!({})).unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert!(err.cause.contains("$.missing"), "{}", err.cause);
    }

    #[test]
    fn nested_calls_feed_their_results() {
        assert_eq!(
            eval(
                "States.ArrayGetItem(States.StringSplit($.arn, ':'), 3)",
                json!({"arn": "arn:aws:states:us-east-1:123:stateMachine:M"})
            ),
            Ok(json!("us-east-1"))
        );
        assert_eq!(
            eval(
                "States.Format('{}.{}', States.MathAdd($.a, 1), States.ArrayLength(States.Array(1, 2)))",
                json!({"a": 41})
            ),
            Ok(json!("42.2"))
        );
    }

    #[test]
    fn integer_arguments_truncate_and_fit_an_int() {
        let f = Function::ArrayGetItem;
        for (value, expected) in [
            (json!(3), Ok(3)),
            (json!(-3), Ok(-3)),
            (json!(2.9), Ok(2)),
            (json!(-2.9), Ok(-2)),
            (json!(2147483647), Ok(2147483647)),
            (json!(2147483648_i64), Err(invalid_args(f))),
            (json!(-2147483649_i64), Err(invalid_args(f))),
            (json!(1e300), Err(invalid_args(f))),
            (json!(u64::MAX), Err(invalid_args(f))),
            (json!("3"), Err(invalid_args(f))),
            (json!(null), Err(invalid_args(f))),
            (json!(true), Err(invalid_args(f))),
        ] {
            assert_eq!(int_arg(&value, f), expected, "{value}");
        }
    }

    #[test]
    fn utf16_length_counts_surrogate_pairs() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("🚀"), 2);
    }
}

#[cfg(test)]
mod fuzz {
    use super::testutil::resolve;
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, json};

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-3000i64..3000).prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            (-1e4f64..1e4).prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("MD5"),
                Just("SHA-1"),
                Just("SHA-256"),
                Just("SHA-384"),
                Just("SHA-512"),
                Just("{}"),
                Just("{} {}"),
                Just("\\{"),
                Just("SGVsbG8="),
                Just("[1,2]"),
                Just(",")
            ]
            .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-c]", inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_function_panics_on_any_arguments(
            index in 0usize..18,
            args in prop::collection::vec(any_value(), 0..5),
        ) {
            let function = Function::ALL[index];
            let call = IntrinsicCall {
                function,
                args: args.into_iter().map(Arg::Literal).collect(),
            };
            let input = json!({});
            let scope = Scope::new(&input, &input, &crate::scope::NoVariables);
            if let Err(e) = call.evaluate(&scope, &resolve) {
                prop_assert_eq!(e, invalid_args(function));
            }
        }

        #[test]
        fn nested_calls_never_panic(index in 0usize..18, inner in 0usize..18, value in any_value()) {
            let call = IntrinsicCall {
                function: Function::ALL[index],
                args: vec![
                    Arg::Call(Box::new(IntrinsicCall {
                        function: Function::ALL[inner],
                        args: vec![Arg::Path(PathArg::new("$")), Arg::Literal(value.clone())],
                    })),
                    Arg::Path(PathArg::new("$")),
                ],
            };
            let scope = Scope::new(&value, &value, &crate::scope::NoVariables);
            let _ = call.evaluate(&scope, &resolve);
        }
    }
}
