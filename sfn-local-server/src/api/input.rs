//! Reading request members with AWS's validation errors, and the name/ARN rules.

use serde_json::{Map, Value};

use asl_core::arn::{Arn, MachineRef};

use super::error::{ApiError, ApiResult, ErrorCode};

/// A request body.
pub struct Req<'a>(pub &'a Map<String, Value>);

/// `SerializationException` for a member of the wrong JSON type (also the text of the
/// model's type check, [`super::model`]).
pub(crate) fn serialization(field: &str, expected: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SerializationException,
        format!("Member '{field}' must be {expected}"),
    )
}

impl<'a> Req<'a> {
    /// An optional string member.
    pub fn opt_str(&self, field: &str) -> ApiResult<Option<&'a str>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(serialization(field, "a string")),
        }
    }

    /// A required string member.
    pub fn str(&self, field: &str) -> ApiResult<&'a str> {
        self.opt_str(field)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
                ),
            )
        })
    }

    /// An optional boolean member.
    pub fn opt_bool(&self, field: &str) -> ApiResult<Option<bool>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(serialization(field, "a boolean")),
        }
    }

    /// An optional integer member.
    pub fn opt_int(&self, field: &str) -> ApiResult<Option<i64>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| serialization(field, "an integer")),
        }
    }

    /// An optional object member.
    pub fn opt_obj(&self, field: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(serialization(field, "a structure")),
        }
    }

    /// An optional list member.
    pub fn opt_list(&self, field: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(serialization(field, "a list")),
        }
    }

    /// A string member with a length bound.
    pub fn opt_str_max(&self, field: &str, max: usize) -> ApiResult<Option<&'a str>> {
        let s = self.opt_str(field)?;
        if let Some(v) = s
            && v.chars().count() > max
        {
            return Err(ApiError::validation(
                field,
                &truncate(v),
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
        Ok(s)
    }

    /// `maxResults`: 0..=1000 (0 means the default).
    pub fn max_results(&self) -> ApiResult<usize> {
        match self.opt_int("maxResults")? {
            None | Some(0) => Ok(100),
            Some(n) if (1..=1000).contains(&n) => Ok(n as usize),
            Some(n) => Err(ApiError::validation(
                "maxResults",
                &n.to_string(),
                if n < 0 {
                    "Member must have value greater than or equal to 0"
                } else {
                    "Member must have value less than or equal to 1000"
                },
            )),
        }
    }

    /// `nextToken` decoded to an offset.
    pub fn page_start(&self) -> ApiResult<usize> {
        match self.opt_str("nextToken")? {
            None => Ok(0),
            Some(t) => decode_token(t).ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidToken, format!("Invalid Token: '{t}'"))
            }),
        }
    }
}

fn truncate(v: &str) -> String {
    v.chars().take(100).collect()
}

/// One page of `items` and the token for the next.
pub fn page<T>(items: Vec<T>, start: usize, max: usize) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let end = start.saturating_add(max).min(total);
    let next = (end < total).then(|| encode_token(end));
    let page = items.into_iter().skip(start).take(max).collect();
    (page, next)
}

const TOKEN_PREFIX: &str = "sfnlocal-page-";

fn encode_token(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_PREFIX}{offset}"))
}

fn decode_token(t: &str) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let s = String::from_utf8(raw).ok()?;
    s.strip_prefix(TOKEN_PREFIX)?.parse().ok()
}

/// AWS's name rule (state machines, executions, activities, aliases): 1–80 characters, none
/// of whitespace, brackets, wildcards, special characters or control characters.
pub fn check_name(name: &str) -> ApiResult<()> {
    let bad = |c: char| {
        c.is_whitespace()
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
            || (c as u32) <= 0x1f
            || (0x7f..=0x9f).contains(&(c as u32))
    };
    let len = name.chars().count();
    if len == 0 || len > 80 || name.chars().any(bad) {
        return Err(ApiError::invalid_name(name));
    }
    Ok(())
}

/// Reads a Step Functions ARN ([`asl_core::arn::parse`]), or `InvalidArn`.
pub fn parse_arn(arn: &str) -> ApiResult<Arn<'_>> {
    asl_core::arn::parse(arn).map_err(|_| ApiError::invalid_arn(arn))
}

/// Reads a `stateMachine` ARN: plain, `:version` or `:alias` ([`asl_core::arn::parse_machine`]),
/// or `InvalidArn`.
pub fn parse_machine_arn(arn: &str) -> ApiResult<MachineRef> {
    asl_core::arn::parse_machine(arn).map_err(|_| ApiError::invalid_arn(arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_name("ok-name_1.x").is_ok());
        for bad in [
            "",
            "a b",
            "a/b",
            "a:b",
            "a{b",
            "a*b",
            "a\u{7}b",
            &"x".repeat(81),
        ] {
            assert_eq!(
                check_name(bad).unwrap_err().code,
                ErrorCode::InvalidName,
                "{bad:?}"
            );
        }
        assert!(check_name(&"x".repeat(80)).is_ok());
    }

    #[test]
    fn machine_arns() {
        let base = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
        assert_eq!(
            parse_machine_arn(base).unwrap(),
            MachineRef::Machine(base.into())
        );
        assert_eq!(
            parse_machine_arn(&format!("{base}:3")).unwrap(),
            MachineRef::Version(base.into(), 3)
        );
        assert_eq!(
            parse_machine_arn(&format!("{base}:prod")).unwrap(),
            MachineRef::Alias(base.into(), "prod".into())
        );
        for bad in [
            "nope",
            "arn:aws:states:us-east-1:123456789012:activity:a",
            "arn:aws:states:us-east-1:123456789012:stateMachine:",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ] {
            assert_eq!(
                parse_machine_arn(bad).unwrap_err().code,
                ErrorCode::InvalidArn,
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_round_trip_and_garbage_is_rejected() {
        let (p, next) = page((0..10).collect::<Vec<_>>(), 0, 4);
        assert_eq!(p, [0, 1, 2, 3]);
        let body = serde_json::json!({"nextToken": next.unwrap()});
        let start = Req(body.as_object().unwrap()).page_start().unwrap();
        assert_eq!(start, 4);
        let bad = serde_json::json!({"nextToken": "garbage"});
        assert_eq!(
            Req(bad.as_object().unwrap()).page_start().unwrap_err().code,
            ErrorCode::InvalidToken
        );
        let (last, none) = page((0..10).collect::<Vec<_>>(), 8, 4);
        assert_eq!((last, none), (vec![8, 9], None));
    }
}
