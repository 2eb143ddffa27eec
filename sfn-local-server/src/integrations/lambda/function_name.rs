//! A Lambda `FunctionName` checked as Lambda's Invoke checks it, before anything is sent.
//!
//! Lambda accepts a name (`my-function`), a partial ARN (`123456789012:function:my-function`)
//! or a full ARN (`arn:aws:lambda:us-west-2:123456789012:function:my-function`), each with an
//! optional `:qualifier` (a version, `$LATEST` or an alias). Its pattern, matched against the
//! whole value:
//!
//! ```text
//! (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?
//! ```
//!
//! No part of it holds a `:`, so the value is matched as its `:`-separated parts, each
//! optional group tried present before absent as a regex engine would. The name itself holds
//! at most 64 characters (the longest a function can be given), the whole value at most 170.

/// Lambda's pattern for `FunctionName` (Invoke), as its validation errors quote it.
pub const PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";

/// The longest `FunctionName` (a qualified ARN).
pub const MAX_LEN: usize = 170;

/// The longest function name.
pub const MAX_NAME_LEN: usize = 64;

/// A `FunctionName` that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionName<'a> {
    /// The function's name: `[a-zA-Z0-9-_.]{1,64}`.
    pub name: &'a str,
    /// The version or alias, if one was given (`$LATEST` included).
    pub qualifier: Option<&'a str>,
}

/// Checks `value` as Lambda does. The error is the message of Lambda's `ValidationException`
/// (`1 validation error detected: Value '...' at 'functionName' failed to satisfy ...`).
pub fn parse(value: Option<&str>) -> Result<FunctionName<'_>, String> {
    let Some(value) = value else {
        return Err(violations(&[
            "Value null at 'functionName' failed to satisfy constraint: Member must not be null"
                .to_string(),
        ]));
    };
    let at = |constraint: &str| {
        format!("Value '{value}' at 'functionName' failed to satisfy constraint: {constraint}")
    };
    let mut errors = Vec::new();
    let len = value.chars().count();
    if len < 1 {
        errors.push(at("Member must have length greater than or equal to 1"));
    }
    if len > MAX_LEN {
        errors.push(at(&format!(
            "Member must have length less than or equal to {MAX_LEN}"
        )));
    }
    let parsed = matches(value);
    if parsed.is_none() && len >= 1 {
        errors.push(at(&format!(
            "Member must satisfy regular expression pattern: {PATTERN}"
        )));
    }
    if let Some(f) = &parsed
        && f.name.len() > MAX_NAME_LEN
    {
        errors.push(format!(
            "Value '{}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to {MAX_NAME_LEN}",
            f.name
        ));
    }
    match parsed {
        Some(f) if errors.is_empty() => Ok(f),
        _ => Err(violations(&errors)),
    }
}

fn violations(errors: &[String]) -> String {
    let n = errors.len();
    let s = if n == 1 { "" } else { "s" };
    format!("{n} validation error{s} detected: {}", errors.join("; "))
}

/// The parts of `value` if the whole of it matches [`PATTERN`].
fn matches(value: &str) -> Option<FunctionName<'_>> {
    let parts: Vec<&str> = value.split(':').collect();
    // The optional groups before the name: `arn:...:lambda:` (3 parts), region, account,
    // `function`; then the name and an optional qualifier. Present is tried before absent.
    for arn in [true, false] {
        for region in [true, false] {
            for account in [true, false] {
                for function in [true, false] {
                    for qualifier in [true, false] {
                        let prefix = 3 * usize::from(arn)
                            + usize::from(region)
                            + usize::from(account)
                            + usize::from(function);
                        if parts.len() != prefix + 1 + usize::from(qualifier) {
                            continue;
                        }
                        let mut p = parts.iter().copied();
                        let mut next = || p.next().unwrap_or_default();
                        let ok = (!arn
                            || (next() == "arn" && is_partition(next()) && next() == "lambda"))
                            && (!region || is_region(next()))
                            && (!account || is_account(next()))
                            && (!function || next() == "function");
                        if !ok {
                            continue;
                        }
                        let name = next();
                        if !is_name(name) {
                            continue;
                        }
                        let q = qualifier.then(&mut next);
                        if q.is_some_and(|q| !is_qualifier(q)) {
                            continue;
                        }
                        return Some(FunctionName { name, qualifier: q });
                    }
                }
            }
        }
    }
    None
}

/// `(aws[a-zA-Z-]*)?`
fn is_partition(s: &str) -> bool {
    s.is_empty()
        || s.strip_prefix("aws")
            .is_some_and(|r| r.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
}

/// `[a-z]{2}(-gov)?-[a-z]+-\d{1}`
fn is_region(s: &str) -> bool {
    let lower = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase());
    let parts: Vec<&str> = s.split('-').collect();
    let (cc, rest) = match parts.as_slice() {
        [cc, "gov", area, n] => (*cc, [*area, *n]),
        [cc, area, n] => (*cc, [*area, *n]),
        _ => return false,
    };
    let [area, n] = rest;
    cc.len() == 2
        && lower(cc)
        && lower(area)
        && n.len() == 1
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// `\d{12}`
fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `[a-zA-Z0-9-_\.]+`
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `\$LATEST|[a-zA-Z0-9-_]+`
fn is_qualifier(s: &str) -> bool {
    s == "$LATEST"
        || (!s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever is given, what passes is made of URL-safe characters only.
        #[test]
        fn what_passes_is_url_safe(v in "[a-z0-9:$/. \\r\\n%?#-]{0,40}|\\PC{0,20}") {
            if let Ok(f) = parse(Some(&v)) {
                prop_assert!(is_name(f.name) && f.name.len() <= MAX_NAME_LEN);
                prop_assert!(f.qualifier.is_none_or(is_qualifier));
                let qualified = [f.name, ":"].concat();
                prop_assert!(v.ends_with(f.name) || v.contains(&qualified));
            }
        }
    }

    fn ok(v: &str) -> (&str, Option<&str>) {
        let f = parse(Some(v)).unwrap_or_else(|e| panic!("{v}: {e}"));
        (f.name, f.qualifier)
    }

    #[test]
    fn the_three_forms_with_and_without_a_qualifier() {
        assert_eq!(ok("my-function"), ("my-function", None));
        assert_eq!(ok("my_Function-2"), ("my_Function-2", None));
        assert_eq!(ok("my-function:v1"), ("my-function", Some("v1")));
        assert_eq!(ok("my-function:$LATEST"), ("my-function", Some("$LATEST")));
        assert_eq!(
            ok("123456789012:function:my-function"),
            ("my-function", None)
        );
        assert_eq!(
            ok("123456789012:function:my-function:7"),
            ("my-function", Some("7"))
        );
        assert_eq!(
            ok("arn:aws:lambda:us-west-2:123456789012:function:my-function"),
            ("my-function", None)
        );
        assert_eq!(
            ok("arn:aws:lambda:us-west-2:123456789012:function:my-function:prod"),
            ("my-function", Some("prod"))
        );
        assert_eq!(
            ok("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST"),
            ("f", Some("$LATEST"))
        );
        assert_eq!(
            ok("arn:aws-cn:lambda:cn-north-1:123456789012:function:f"),
            ("f", None)
        );
        // What the pattern lets through besides.
        assert_eq!(ok("function:f"), ("f", None));
        assert_eq!(ok("us-east-1:f"), ("f", None));
        assert_eq!(ok("a.b"), ("a.b", None));
        assert_eq!(
            ok("arn:aws:lambda:us-west-2:123456789012:layer:f"),
            ("layer", Some("f"))
        );
        assert_eq!(ok(&"x".repeat(64)), (&*"x".repeat(64), None));
    }

    #[test]
    fn what_lambda_refuses() {
        for bad in [
            "",
            "my function",
            "my-function\r\nX-Injected: 1",
            "f\nPOST /2015-03-31/functions/other/invocations HTTP/1.1",
            "../other",
            "a/b",
            "f?Qualifier=x",
            "f#x",
            "f%2F",
            "f:",
            ":f",
            "f:a:b",
            "f:v.1",
            "f:$latest",
            "é",
            "arn:aws:lambda:us-west-2:123456789012:function:",
            "arn:aws:s3:us-west-2:123456789012:function:f",
            "arn:aws:lambda:us-west-22:123456789012:function:f",
            "arn:aws:lambda:us-west-2:12345678901:function:f",
        ] {
            let e = parse(Some(bad)).expect_err(bad);
            assert!(e.starts_with("1 validation error detected: "), "{bad}: {e}");
        }
        let e = parse(Some("my function")).unwrap_err();
        assert_eq!(
            e,
            format!(
                "1 validation error detected: Value 'my function' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: {PATTERN}"
            )
        );
        let e = parse(Some(&"x".repeat(65))).unwrap_err();
        assert!(
            e.ends_with("Member must have length less than or equal to 64"),
            "{e}"
        );
        let e = parse(Some(&format!("{} x", "x".repeat(170)))).unwrap_err();
        assert!(e.starts_with("2 validation errors detected: "), "{e}");
        assert!(e.contains("less than or equal to 170; "), "{e}");
        let e = parse(None).unwrap_err();
        assert!(e.ends_with("Member must not be null"), "{e}");
    }
}
