//! The `States.QueryEvaluationError` causes AWS gives for JSONata fields, and the mapping of
//! jsonata-core's error messages onto the texts of the reference JavaScript implementation
//! (which AWS runs and quotes in its causes).

use crate::error::StatesError;
use jsonata_core::evaluator::EvaluatorError;
use serde_json::Value;

/// `... returned nothing (undefined).`
pub(crate) fn undefined(source: &str, field: &str) -> StatesError {
    StatesError::query_evaluation(format!(
        "The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined)."
    ))
}

/// `... returned an unsupported result type.` (a function or regex value).
pub(crate) fn unsupported(source: &str, field: &str) -> StatesError {
    StatesError::query_evaluation(format!(
        "The JSONata expression '{source}' specified for the field '{field}' returned an unsupported result type."
    ))
}

/// `... threw an error during evaluation. CODE: message`.
pub(crate) fn threw(source: &str, field: &str, message: &str) -> StatesError {
    StatesError::query_evaluation(format!(
        "The JSONata expression '{source}' specified for the field '{field}' threw an error during evaluation. {message}"
    ))
}

/// `... returned an unexpected result type. Expected 'array', but was 'string' for value: "x"`.
pub(crate) fn unexpected_type(
    source: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> StatesError {
    StatesError::query_evaluation(format!(
        "The JSONata expression '{source}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
        super::json_type_name(value)
    ))
}

/// jsonata-js messages that carry no inserted value, by error code. jsonata-core sometimes
/// words these differently or appends details (`T1006: ...: $name`); AWS quotes the
/// reference texts, so these replace whatever jsonata-core said.
const FIXED_MESSAGES: &[(&str, &str)] = &[
    (
        "S0101",
        "String literal must be terminated by a matching quote",
    ),
    (
        "S0104",
        "The escape sequence \\u must be followed by 4 hex digits",
    ),
    (
        "S0105",
        "Quoted property name must be terminated with a backquote (`)",
    ),
    ("S0106", "Comment has no closing tag"),
    ("S0207", "Unexpected end of expression"),
    (
        "S0209",
        "A predicate cannot follow a grouping expression in a step",
    ),
    ("S0210", "Each step can only have one grouping expression"),
    (
        "S0212",
        "The left side of := must be a variable name (start with $)",
    ),
    (
        "S0215",
        "A context variable binding must precede any predicates on a step",
    ),
    (
        "S0216",
        "A context variable binding must precede the \"order-by\" clause on a step",
    ),
    (
        "S0217",
        "The object representing the \"parent\" cannot be derived from this expression",
    ),
    ("S0301", "Empty regular expressions are not allowed"),
    ("S0302", "No terminating / in regular expression"),
    ("D1004", "Regular expression matches zero length string"),
    ("T1006", "Attempted to invoke a non-function"),
    ("T1008", "Attempted to partially apply a non-function"),
    (
        "T2003",
        "The left side of the range operator (..) must evaluate to an integer",
    ),
    (
        "T2004",
        "The right side of the range operator (..) must evaluate to an integer",
    ),
    (
        "T2006",
        "The right side of the function application operator ~> must be a function",
    ),
    (
        "T2008",
        "The expressions within an order-by clause must evaluate to numeric or string values",
    ),
    (
        "D3001",
        "Attempting to invoke string function on Infinity or NaN",
    ),
    (
        "D3010",
        "Second argument of replace function cannot be an empty string",
    ),
    (
        "D3011",
        "Fourth argument of replace function must evaluate to a positive number",
    ),
    (
        "D3012",
        "Attempted to replace a matched string with a non-string value",
    ),
    (
        "D3020",
        "Third argument of split function must evaluate to a positive number",
    ),
    (
        "D3040",
        "Third argument of match function must evaluate to a positive number",
    ),
    (
        "D3050",
        "The second argument of reduce function must be a function with at least two arguments",
    ),
    (
        "D3070",
        "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
    ),
    (
        "D3138",
        "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    ),
    (
        "D3139",
        "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
    ),
];

/// `CODE: message` as jsonata-js would phrase it, from a jsonata-core message.
pub(crate) fn normalize_message(message: &str) -> String {
    let code = jsonata_core::evaluator::error_code_prefix(message);
    if let Some(code) = code
        && let Some((_, fixed)) = FIXED_MESSAGES.iter().find(|(c, _)| *c == code)
    {
        return format!("{code}: {fixed}");
    }
    message.to_string()
}

/// The message of an evaluation error, normalized.
pub(crate) fn evaluator_message(err: &EvaluatorError) -> String {
    normalize_message(err.message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_known_codes() {
        let table = [
            (
                "T1006: Attempted to invoke a non-function: $randomSeeded",
                "T1006: Attempted to invoke a non-function",
            ),
            (
                "T2001: The left side of the + operator must evaluate to a number",
                "T2001: The left side of the + operator must evaluate to a number",
            ),
            ("no code here", "no code here"),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(normalize_message(input), expected, "{input}");
        }
    }

    #[test]
    fn cause_texts() {
        assert_eq!(
            undefined("$doesNotExist", "Output").cause,
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
        );
        assert_eq!(
            unsupported("$fn := function($x){$x}", "Items").cause,
            "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type."
        );
        assert_eq!(
            threw(
                "$f()",
                "Output/FunctionResult",
                "T1006: Attempted to invoke a non-function"
            )
            .cause,
            "The JSONata expression '$f()' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
        );
        assert_eq!(
            unexpected_type("{'foo': 'bar'}", "Items", "array", &json!({"foo": "bar"})).cause,
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
        );
        assert_eq!(
            undefined("x", "y").error,
            crate::error::names::QUERY_EVALUATION_ERROR
        );
    }
}
