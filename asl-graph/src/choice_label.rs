//! Choice rules written compactly for an edge label: `$.x == 3`, `$.s matches "a*"`,
//! `$.b is present`, `and($.a > 1, not($.b is null))`, a JSONata `Condition` as its text.

use std::fmt::Write;

use asl_core::model::{Comparator, Comparison, Condition, Operand};

use crate::label::{MAX_LABEL_CHARS, truncate};

/// The label of a condition, at most [`MAX_LABEL_CHARS`] characters (longer ones end in `…`).
pub fn condition_label(condition: &Condition) -> String {
    let mut out = String::new();
    write_condition(condition, &mut out);
    truncate(&out)
}

/// Enough text to fill a label: writing stops past this many bytes, so that a huge `And`
/// costs no more than a small one.
const BUDGET: usize = MAX_LABEL_CHARS * 4 + 4;

fn write_condition(condition: &Condition, out: &mut String) {
    if out.len() > BUDGET {
        return;
    }
    match condition {
        Condition::And(all) => write_call("and", all, out),
        Condition::Or(any) => write_call("or", any, out),
        Condition::Not(inner) => {
            out.push_str("not(");
            write_condition(inner, out);
            out.push(')');
        }
        Condition::Compare(c) => write_comparison(c, out),
        Condition::Jsonata(e) => out.push_str(e.source()),
    }
}

fn write_call(name: &str, conditions: &[Condition], out: &mut String) {
    out.push_str(name);
    out.push('(');
    for (i, c) in conditions.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_condition(c, out);
        if out.len() > BUDGET {
            return;
        }
    }
    out.push(')');
}

fn write_comparison(c: &Comparison, out: &mut String) {
    let variable = c.variable.text();
    let operand = operand_text(&c.operand);
    let _ = match type_test(c.comparator) {
        Some(what) => {
            let negated = matches!(c.operand, Operand::Value(serde_json::Value::Bool(false)));
            let is = if negated { "is not" } else { "is" };
            write!(out, "{variable} {is} {what}")
        }
        None => write!(out, "{variable} {} {operand}", operator(c.comparator)),
    };
}

/// The word of an `Is...` comparator (`present`), `None` for the others.
fn type_test(comparator: Comparator) -> Option<&'static str> {
    Some(match comparator {
        Comparator::IsNull => "null",
        Comparator::IsPresent => "present",
        Comparator::IsNumeric => "numeric",
        Comparator::IsString => "string",
        Comparator::IsBoolean => "boolean",
        Comparator::IsTimestamp => "timestamp",
        _ => return None,
    })
}

/// The operator of a comparison. Timestamps are told apart from strings by a `t` suffix
/// (`<t`), since both compare quoted text.
fn operator(comparator: Comparator) -> &'static str {
    use Comparator::*;
    match comparator {
        StringEquals | NumericEquals | BooleanEquals => "==",
        StringLessThan | NumericLessThan => "<",
        StringGreaterThan | NumericGreaterThan => ">",
        StringLessThanEquals | NumericLessThanEquals => "<=",
        StringGreaterThanEquals | NumericGreaterThanEquals => ">=",
        TimestampEquals => "==t",
        TimestampLessThan => "<t",
        TimestampGreaterThan => ">t",
        TimestampLessThanEquals => "<=t",
        TimestampGreaterThanEquals => ">=t",
        StringMatches => "matches",
        IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => "is",
    }
}

fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Value(v) => v.to_string(),
        Operand::Path(p) => p.text().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl_core::{StateKind, StateMachine};

    /// The labels of the Choice state `C` whose `Choices` are `choices`.
    fn labels(choices: &str, jsonata: bool) -> Vec<String> {
        let ql = if jsonata {
            r#""QueryLanguage":"JSONata","#
        } else {
            ""
        };
        let def = format!(
            r#"{{{ql}"StartAt":"C","States":{{"C":{{"Type":"Choice","Choices":{choices},"Default":"D"}},"D":{{"Type":"Succeed"}}}}}}"#
        );
        let m = StateMachine::from_str(&def).unwrap();
        let StateKind::Choice(c) = &m.state("C").unwrap().kind else {
            panic!("not a Choice")
        };
        c.choices
            .iter()
            .map(|r| condition_label(&r.condition))
            .collect()
    }

    #[test]
    fn comparisons() {
        let got = labels(
            r#"[{"Variable":"$.x","NumericEquals":3,"Next":"D"},
                {"Variable":"$.s","StringMatches":"a*","Next":"D"},
                {"Variable":"$.b","IsPresent":true,"Next":"D"},
                {"Variable":"$.b","IsNull":false,"Next":"D"},
                {"Variable":"$.a","NumericLessThanPath":"$.b","Next":"D"},
                {"Variable":"$.t","TimestampGreaterThan":"2020-01-01T00:00:00Z","Next":"D"},
                {"Variable":"$.s","StringEquals":"x","Next":"D"}]"#,
            false,
        );
        assert_eq!(
            got,
            [
                "$.x == 3",
                "$.s matches \"a*\"",
                "$.b is present",
                "$.b is not null",
                "$.a < $.b",
                "$.t >t \"2020-01-01T00:00:00Z\"",
                "$.s == \"x\"",
            ]
        );
    }

    #[test]
    fn combinators() {
        let got = labels(
            r#"[{"And":[{"Variable":"$.a","NumericGreaterThan":1},
                        {"Not":{"Variable":"$.b","BooleanEquals":true}}],"Next":"D"},
                {"Or":[{"Variable":"$.a","IsString":true},{"Variable":"$.a","IsNumeric":true}],"Next":"D"}]"#,
            false,
        );
        assert_eq!(
            got,
            [
                "and($.a > 1, not($.b == true))",
                "or($.a is string, $.a is numeric)"
            ]
        );
    }

    #[test]
    fn jsonata_condition_is_its_text() {
        let got = labels(
            r#"[{"Condition":"{% $states.input.n > 3 %}","Next":"D"}]"#,
            true,
        );
        assert_eq!(got, ["$states.input.n > 3"]);
    }

    #[test]
    fn long_labels_are_truncated() {
        let many: Vec<String> = (0..40)
            .map(|i| format!(r#"{{"Variable":"$.field{i}","IsPresent":true}}"#))
            .collect();
        let got = labels(
            &format!(r#"[{{"And":[{}],"Next":"D"}}]"#, many.join(",")),
            false,
        );
        assert_eq!(got[0].chars().count(), MAX_LABEL_CHARS);
        assert!(got[0].ends_with('…'));
    }
}
