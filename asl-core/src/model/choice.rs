//! Choice rules: the comparators, `And`/`Or`/`Not`, and JSONata `Condition`s.

use serde_json::Value;

use super::Template;
use crate::jsonata;
use crate::path::JsonPath;

/// One element of `Choices`: a condition and where to go when it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    /// The test.
    pub condition: Condition,
    /// `Next`.
    pub next: String,
    /// `Assign` of this rule, applied when it matches.
    pub assign: Option<Template>,
    /// `Output` of this rule (JSONata), applied when it matches.
    pub output: Option<jsonata::Template>,
    /// `Comment` of this rule (those of nested `And`/`Or`/`Not` conditions are not kept).
    pub comment: Option<String>,
    /// JSON pointer of the rule.
    pub pointer: String,
}

/// A boolean expression over the state input.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `And`: every sub-condition holds.
    And(Vec<Condition>),
    /// `Or`: some sub-condition holds.
    Or(Vec<Condition>),
    /// `Not`.
    Not(Box<Condition>),
    /// `Variable` + comparator.
    Compare(Comparison),
    /// `Condition: "{% ... %}"` (JSONata states).
    Jsonata(jsonata::Expression),
}

/// `Variable` compared by one comparator.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// `Variable`: the path whose value is tested.
    pub variable: JsonPath,
    /// Which comparator.
    pub comparator: Comparator,
    /// What it is compared with (for `...Path` comparators, a path).
    pub operand: Operand,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal from the definition.
    Value(Value),
    /// A path (`...Path` comparators).
    Path(JsonPath),
}

macro_rules! comparators {
    ($($variant:ident => $name:literal, $path:literal;)*) => {
        /// Every Choice comparator, with and without its `Path` form.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Comparator {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Comparator {
            /// Every comparator, in a stable order.
            pub const ALL: &'static [Comparator] = &[$(Comparator::$variant),*];

            /// The field name used in definitions (without `Path`).
            pub fn name(self) -> &'static str {
                match self { $(Comparator::$variant => $name),* }
            }

            /// The `...Path` field name, when the comparator has one.
            pub fn path_name(self) -> Option<&'static str> {
                match self { $(Comparator::$variant => if $path.is_empty() { None } else { Some($path) }),* }
            }

            /// The comparator for a definition field name, and whether it was the `Path` form.
            pub fn from_field(field: &str) -> Option<(Comparator, bool)> {
                match field {
                    $($name => Some((Comparator::$variant, false)),)*
                    _ => Self::ALL.iter().find(|c| c.path_name() == Some(field)).map(|c| (*c, true)),
                }
            }
        }
    };
}

comparators! {
    StringEquals => "StringEquals", "StringEqualsPath";
    StringLessThan => "StringLessThan", "StringLessThanPath";
    StringGreaterThan => "StringGreaterThan", "StringGreaterThanPath";
    StringLessThanEquals => "StringLessThanEquals", "StringLessThanEqualsPath";
    StringGreaterThanEquals => "StringGreaterThanEquals", "StringGreaterThanEqualsPath";
    StringMatches => "StringMatches", "";
    NumericEquals => "NumericEquals", "NumericEqualsPath";
    NumericLessThan => "NumericLessThan", "NumericLessThanPath";
    NumericGreaterThan => "NumericGreaterThan", "NumericGreaterThanPath";
    NumericLessThanEquals => "NumericLessThanEquals", "NumericLessThanEqualsPath";
    NumericGreaterThanEquals => "NumericGreaterThanEquals", "NumericGreaterThanEqualsPath";
    BooleanEquals => "BooleanEquals", "BooleanEqualsPath";
    TimestampEquals => "TimestampEquals", "TimestampEqualsPath";
    TimestampLessThan => "TimestampLessThan", "TimestampLessThanPath";
    TimestampGreaterThan => "TimestampGreaterThan", "TimestampGreaterThanPath";
    TimestampLessThanEquals => "TimestampLessThanEquals", "TimestampLessThanEqualsPath";
    TimestampGreaterThanEquals => "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath";
    IsNull => "IsNull", "";
    IsPresent => "IsPresent", "";
    IsNumeric => "IsNumeric", "";
    IsString => "IsString", "";
    IsBoolean => "IsBoolean", "";
    IsTimestamp => "IsTimestamp", "";
}

/// What kind of literal a comparator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An RFC 3339 timestamp string.
    Timestamp,
}

impl Comparator {
    /// The type of literal operand the comparator expects.
    pub fn operand_type(self) -> OperandType {
        use Comparator::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => OperandType::String,
            NumericEquals
            | NumericLessThan
            | NumericGreaterThan
            | NumericLessThanEquals
            | NumericGreaterThanEquals => OperandType::Number,
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => OperandType::Timestamp,
            BooleanEquals | IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => {
                OperandType::Boolean
            }
        }
    }
}
