//! Strategies for the leaves of a model: paths, expressions, intrinsic calls, templates, and
//! the fields built from them.

use asl_core::QueryLanguage;
use asl_core::intrinsics::{Arg, Function, IntrinsicCall, PathArg};
use asl_core::jsonata::{self, Expression};
use asl_core::model::{NumberField, PayloadNode, PayloadTemplate, StringField, Template};
use asl_core::path::{JsonPath, ReferencePath};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

const PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.a.b[0]",
    "$['k y'].z",
    "$.items[*].id",
    "$..deep",
    "$.list[1:3]",
    "$.a[?(@.b > 1)]",
    "$$.Execution.Id",
    "$$.Map.Item.Value",
    "$v",
    "$v.x[2]",
];
const REFERENCE_PATHS: &[&str] = &[
    "$.a",
    "$.a.b",
    "$.list[2]",
    "$['q r']",
    "$$.Execution.Input",
];
const EXPRESSIONS: &[&str] = &[
    "$states.input",
    "$states.context.Execution.Id",
    "$x + 1",
    "$count($states.input.items)",
    "'%}'",
    "{'a': [1, $v]}",
    "true",
];
pub(crate) const TIMESTAMPS: &[&str] = &[
    "2024-01-02T03:04:05Z",
    "2016-03-14T01:59:00+01:00",
    "2030-12-31T23:59:59.123Z",
];
pub(crate) const ERRORS: &[&str] = &[
    "States.ALL",
    "States.Timeout",
    "States.TaskFailed",
    "MyError",
];
const FUNCTIONS: &[Function] = &[
    Function::Format,
    Function::Array,
    Function::JsonToString,
    Function::MathAdd,
    Function::Hash,
    Function::Uuid,
];

pub(crate) fn json_path() -> impl Strategy<Value = JsonPath> {
    select(PATHS).prop_map(|p| JsonPath::parse(p).unwrap())
}

pub(crate) fn reference_path() -> impl Strategy<Value = ReferencePath> {
    select(REFERENCE_PATHS).prop_map(|p| ReferencePath::parse(p).unwrap())
}

pub(crate) fn expression() -> impl Strategy<Value = Expression> {
    select(EXPRESSIONS).prop_map(|e| Expression::compile(e).unwrap())
}

/// An expression as a field writes it, with some spacing inside the delimiters.
fn expression_text() -> impl Strategy<Value = String> {
    (select(EXPRESSIONS), "[ \n]{0,2}", " {0,2}").prop_map(|(e, a, b)| format!("{{%{a}{e}{b}%}}"))
}

/// Free text: no `{%`, so never an expression, but sometimes `$` and quotes.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 _.-]{0,10}",
        "\\PC{0,8}".prop_filter("not an expression", |s| !jsonata::is_expression(s)),
        Just(" {% 1 %}".to_string()),
    ]
}

pub(crate) fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..100_000).prop_map(Value::from),
        (-1000i64..0).prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
    ]
}

pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec(("[a-z]{1,4}", inner), 0..3)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn intrinsic() -> impl Strategy<Value = IntrinsicCall> {
    let literal = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        "\\PC{0,8}".prop_map(Value::from),
    ];
    let arg = prop_oneof![
        literal.prop_map(Arg::Literal),
        select(PATHS).prop_map(|p| Arg::Path(PathArg::new(p))),
    ];
    let leaf = (select(FUNCTIONS), vec(arg.clone(), 0..3))
        .prop_map(|(function, args)| IntrinsicCall { function, args });
    leaf.prop_recursive(2, 6, 3, move |inner| {
        let arg = prop_oneof![arg.clone(), inner.prop_map(|c| Arg::Call(Box::new(c)))];
        (select(FUNCTIONS), vec(arg, 0..3))
            .prop_map(|(function, args)| IntrinsicCall { function, args })
    })
}

/// A `"key.$"` value: a path or an intrinsic call.
fn dynamic_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(PATHS).prop_map(str::to_string),
        intrinsic().prop_map(|c| c.to_string()),
    ]
}

/// A JSONPath payload template object: literal fields, `"key.$"` fields, nested templates.
pub(crate) fn payload_object() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        ("[a-z]{1,4}", json_value()),
        ("[a-z]{1,4}", dynamic_text()).prop_map(|(k, v)| (format!("{k}.$"), Value::from(v))),
    ];
    let leaf = vec(field, 0..4).prop_map(|fields| Value::Object(fields.into_iter().collect()));
    leaf.prop_recursive(2, 8, 3, |inner| {
        vec(
            prop_oneof![
                ("[a-z]{1,4}", inner.clone()),
                ("[a-z]{1,4}", vec(inner, 0..2).prop_map(Value::Array)),
                ("[a-z]{1,4}", dynamic_text()).prop_map(|(k, v)| (format!("{k}.$"), v.into())),
            ],
            0..3,
        )
        .prop_map(|fields| Value::Object(fields.into_iter().collect()))
    })
}

/// A JSONata template: JSON whose strings may be expressions at any depth.
fn jsonata_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![json_value(), expression_text().prop_map(Value::from)];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec(("[a-z]{1,4}", inner), 0..3)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

pub(crate) fn jsonata_template() -> impl Strategy<Value = jsonata::Template> {
    jsonata_value().prop_map(|v| jsonata::Template::compile(&v).unwrap())
}

pub(crate) fn payload(source: Value) -> PayloadTemplate {
    PayloadTemplate::compile(&source).unwrap()
}

/// A template in `ql`; JSONPath ones are objects unless `any_value` (as `Parameters` may be).
pub(crate) fn template(ql: QueryLanguage, any_value: bool) -> BoxedStrategy<Template> {
    match ql {
        QueryLanguage::JsonPath if any_value => prop_oneof![payload_object(), json_value()]
            .prop_map(|v| Template::Payload(payload(v)))
            .boxed(),
        QueryLanguage::JsonPath => payload_object()
            .prop_map(|v| Template::Payload(payload(v)))
            .boxed(),
        QueryLanguage::Jsonata => jsonata_template().prop_map(Template::Jsonata).boxed(),
    }
}

/// An object template (`Assign`, `Credentials`, `ItemSelector`, ...).
pub(crate) fn object_template(ql: QueryLanguage) -> BoxedStrategy<Template> {
    match ql {
        QueryLanguage::JsonPath => template(ql, false),
        QueryLanguage::Jsonata => vec(("[a-z]{1,4}", jsonata_value()), 0..3)
            .prop_map(|fields| {
                let v = Value::Object(fields.into_iter().collect());
                Template::Jsonata(jsonata::Template::compile(&v).unwrap())
            })
            .boxed(),
    }
}

pub(crate) fn number_field(ql: QueryLanguage) -> BoxedStrategy<NumberField> {
    match ql {
        QueryLanguage::JsonPath => prop_oneof![
            number().prop_map(NumberField::Literal),
            reference_path().prop_map(NumberField::Path),
        ]
        .boxed(),
        QueryLanguage::Jsonata => prop_oneof![
            number().prop_map(NumberField::Literal),
            expression().prop_map(NumberField::Expression),
        ]
        .boxed(),
    }
}

pub(crate) fn string_field(ql: QueryLanguage) -> BoxedStrategy<StringField> {
    match ql {
        QueryLanguage::JsonPath => prop_oneof![
            text().prop_map(StringField::Literal),
            json_path().prop_map(|p| StringField::Path(PayloadNode::Path(p))),
            intrinsic().prop_map(|c| StringField::Path(PayloadNode::Intrinsic(Box::new(c)))),
        ]
        .boxed(),
        QueryLanguage::Jsonata => prop_oneof![
            text().prop_map(StringField::Literal),
            expression().prop_map(StringField::Expression),
        ]
        .boxed(),
    }
}

/// `None` when the field is not allowed, else maybe a value.
pub(crate) fn maybe<T: std::fmt::Debug + Clone + 'static>(
    allowed: bool,
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if allowed {
        of(s).boxed()
    } else {
        Just(None).boxed()
    }
}
