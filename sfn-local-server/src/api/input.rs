//! Reading request members with AWS's validation errors, and the name/ARN rules.

use serde_json::{Map, Value};

use asl_core::arn::{Arn, MachineRef, Scope};

use super::error::{ApiError, ApiResult, ErrorCode};

/// A request: its body, and where it was sent (the partition, region and account its new
/// resources' ARNs are made in, and that its List operations list).
pub struct Req<'a> {
    body: &'a Map<String, Value>,
    scope: &'a Scope,
}

/// `SerializationException` for a member of the wrong JSON type (also the text of the
/// model's type check, [`super::model`]).
pub(crate) fn serialization(field: &str, expected: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SerializationException,
        format!("Member '{field}' must be {expected}"),
    )
}

impl<'a> Req<'a> {
    /// A request with this body, sent to `scope`.
    pub fn new(body: &'a Map<String, Value>, scope: &'a Scope) -> Req<'a> {
        Req { body, scope }
    }

    /// A member structure read as a request of its own (same scope).
    pub fn nested(&self, body: &'a Map<String, Value>) -> Req<'a> {
        Req::new(body, self.scope)
    }

    /// Where the request was sent.
    pub fn scope(&self) -> &'a Scope {
        self.scope
    }

    /// An optional string member.
    pub fn opt_str(&self, field: &str) -> ApiResult<Option<&'a str>> {
        match self.body.get(field) {
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
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(serialization(field, "a boolean")),
        }
    }

    /// An optional integer member.
    pub fn opt_int(&self, field: &str) -> ApiResult<Option<i64>> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| serialization(field, "an integer")),
        }
    }

    /// An optional number member.
    pub fn opt_f64(&self, field: &str) -> ApiResult<Option<f64>> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| serialization(field, "a number")),
        }
    }

    /// An optional object member.
    pub fn opt_obj(&self, field: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(serialization(field, "a structure")),
        }
    }

    /// An optional list member.
    pub fn opt_list(&self, field: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.body.get(field) {
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

    /// `maxResults`: 0..=1000 (0 means the default, 100). Its range was checked with the
    /// service model's constraints; out of it here only for requests the model did not see.
    pub fn max_results(&self) -> ApiResult<usize> {
        match self.opt_int("maxResults")? {
            None | Some(0) => Ok(DEFAULT_PAGE_SIZE),
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

    /// The page a List operation (`op`) is asked for: `maxResults`, and where `nextToken`
    /// starts. A token is good only for the request it was given for (the same operation,
    /// region and other members, `maxResults` aside: AWS's "Keep all other arguments
    /// unchanged"); any other token is `InvalidToken`.
    pub fn pages(&self, op: &str) -> ApiResult<Pages> {
        let max = self.max_results()?;
        let list = self.list_key(op);
        let start = match self.opt_str("nextToken")? {
            None => 0,
            Some(t) => decode_token(t, list).ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidToken, format!("Invalid Token: '{t}'"))
            })?,
        };
        Ok(Pages { list, start, max })
    }

    /// Which list a request asks for: a hash of the operation, the region and every member
    /// but the paging ones, in a stable order (FNV-1a: the same across builds, so a token
    /// outlives a restart).
    fn list_key(&self, op: &str) -> u64 {
        let members: std::collections::BTreeMap<&String, &Value> = self
            .body
            .iter()
            .filter(|(k, v)| !v.is_null() && !matches!(k.as_str(), "nextToken" | "maxResults"))
            .collect();
        let text = format!(
            "{op}\n{}\n{}",
            self.scope.prefix(asl_core::arn::ResourceType::StateMachine),
            serde_json::to_string(&members).unwrap_or_default()
        );
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
}

fn truncate(v: &str) -> String {
    v.chars().take(100).collect()
}

/// AWS's page size when `maxResults` is absent or 0.
const DEFAULT_PAGE_SIZE: usize = 100;

/// Where a page starts and how long it is, for one list ([`Req::pages`]).
#[derive(Debug, Clone, Copy)]
pub struct Pages {
    list: u64,
    start: usize,
    max: usize,
}

impl Pages {
    /// The page of `items`, and the token for the next one: only when there is one.
    pub fn page<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = items.len();
        let end = self.start.saturating_add(self.max).min(total);
        let next = (end < total).then(|| encode_token(self.list, end));
        let page = items.into_iter().skip(self.start).take(self.max).collect();
        (page, next)
    }

    /// The page size.
    pub fn max(&self) -> usize {
        self.max
    }

    /// For a list read a page at a time by a key (`store/pages.rs`): the key the page starts
    /// after, from the token (`None`: the first page).
    pub fn cursor(&self) -> Option<i64> {
        (self.start > 0).then_some(self.start as i64)
    }

    /// A keyset page: `items` were read `max() + 1` at most from the cursor on; the page is
    /// the first `max()`, and the token names the key of its last item when there are more.
    pub fn keyset<T>(
        &self,
        mut items: Vec<T>,
        key: impl Fn(&T) -> i64,
    ) -> (Vec<T>, Option<String>) {
        if items.len() <= self.max {
            return (items, None);
        }
        items.truncate(self.max);
        let next = items
            .last()
            .and_then(|last| usize::try_from(key(last)).ok())
            .filter(|k| *k > 0)
            .map(|k| encode_token(self.list, k));
        (items, next)
    }
}

const TOKEN_PREFIX: &str = "sfnlocal-page-";

fn encode_token(list: u64, offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_PREFIX}{list:016x}-{offset}"))
}

fn decode_token(t: &str, list: u64) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (key, offset) = s.strip_prefix(TOKEN_PREFIX)?.split_once('-')?;
    (key == format!("{list:016x}")).then_some(())?;
    offset.parse().ok()
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
    fn tokens_round_trip_and_belong_to_their_list() {
        let scope = Scope::new("us-east-1", "123456789012");
        let pages = |body: serde_json::Value, op: &str| {
            Req::new(body.as_object().unwrap(), &scope).pages(op)
        };
        let first = pages(serde_json::json!({"maxResults": 4}), "ListActivities").unwrap();
        let (p, next) = first.page((0..10).collect::<Vec<_>>());
        assert_eq!(p, [0, 1, 2, 3]);
        let next = next.unwrap();
        let body = serde_json::json!({"nextToken": next, "maxResults": 4});
        let second = pages(body.clone(), "ListActivities").unwrap();
        assert_eq!(second.page((0..10).collect::<Vec<_>>()).0, [4, 5, 6, 7]);
        let (last, none) = pages(
            serde_json::json!({"nextToken": encode_token(second.list, 8), "maxResults": 4}),
            "ListActivities",
        )
        .unwrap()
        .page((0..10).collect::<Vec<_>>());
        assert_eq!((last, none), (vec![8, 9], None));
        // Exactly one page: no token.
        let (all, none) = first.page((0..4).collect::<Vec<_>>());
        assert_eq!((all.len(), none), (4, None));
        for (body, op) in [
            (
                serde_json::json!({"nextToken": "garbage"}),
                "ListActivities",
            ),
            (body.clone(), "ListStateMachines"),
            (
                serde_json::json!({"nextToken": next, "stateMachineArn": "x"}),
                "ListActivities",
            ),
        ] {
            assert_eq!(
                pages(body, op).unwrap_err().code,
                ErrorCode::InvalidToken,
                "{op}"
            );
        }
    }
}
