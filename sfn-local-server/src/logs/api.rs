//! The CloudWatch Logs API on the Step Functions endpoint: AWS JSON 1.1, `X-Amz-Target:
//! Logs_20140328.<Operation>`, members and limits as the service model has them, errors as
//! `{"__type": "ResourceNotFoundException", "message": "..."}` with AWS's messages. Enough
//! for the AWS CLI (`aws logs tail`, `filter-log-events`, `get-log-events`,
//! `describe-log-groups`/`-streams`) and the SDKs to read execution logs, and to write their
//! own (`CreateLogStream`, `PutLogEvents`).
//!
//! Operations: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy,
//! DeleteRetentionPolicy, CreateLogStream, DeleteLogStream, DescribeLogStreams, PutLogEvents,
//! GetLogEvents, FilterLogEvents, TagResource, UntagResource, ListTagsForResource,
//! TagLogGroup, UntagLogGroup, ListTagsLogGroup. Log groups live in one namespace whatever
//! region a request is signed for; their ARNs name the request's region.

use std::collections::BTreeMap;

use asl_core::arn::Scope;
use serde_json::{Map, Value, json};

use super::pattern::FilterPattern;
use crate::service::{Service, now_ms};
use crate::store::{LogEventQuery, LogEventRec, LogEventRow, LogGroupRec, StreamFilter};

/// The `X-Amz-Target` prefix of the CloudWatch Logs operations.
pub const TARGET_PREFIX: &str = "Logs_20140328.";

/// The content type of its answers.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Every operation served.
pub const OPERATIONS: &[&str] = &[
    "CreateLogGroup",
    "CreateLogStream",
    "DeleteLogGroup",
    "DeleteLogStream",
    "DeleteRetentionPolicy",
    "DescribeLogGroups",
    "DescribeLogStreams",
    "FilterLogEvents",
    "GetLogEvents",
    "ListTagsForResource",
    "ListTagsLogGroup",
    "PutLogEvents",
    "PutRetentionPolicy",
    "TagLogGroup",
    "TagResource",
    "UntagLogGroup",
    "UntagResource",
];

/// The retention periods AWS accepts (`PutRetentionPolicy`), in days.
const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// At most this many events are read to answer one FilterLogEvents page, matched or not:
/// a pattern that matches little answers with a `nextToken` rather than reading the group
/// whole (as AWS may answer a page with no events and a token).
const SCAN_PER_PAGE: usize = 20_000;

/// The most a page of events carries (AWS: 1 MB), counting each event as its message plus
/// the 26 bytes CloudWatch Logs adds per event.
const MAX_PAGE_BYTES: usize = 1_048_576;
const EVENT_OVERHEAD: usize = 26;

/// Events read from the store at a time while a page fills.
const READ_CHUNK: usize = 100;

/// A CloudWatch Logs error: its shape name and message (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsError {
    /// The error shape (`ResourceNotFoundException`, ...).
    pub code: &'static str,
    /// Its message.
    pub message: String,
}

impl LogsError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        LogsError {
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        LogsError::new("InvalidParameterException", message)
    }

    fn no_group() -> Self {
        LogsError::new(
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        )
    }

    fn no_stream() -> Self {
        LogsError::new(
            "ResourceNotFoundException",
            "The specified log stream does not exist.",
        )
    }

    /// The HTTP status (`ServiceUnavailableException`, a store failure, is a 500).
    pub fn status(&self) -> u16 {
        if self.code == "ServiceUnavailableException" {
            500
        } else {
            400
        }
    }

    /// The response body.
    pub fn body(&self) -> Value {
        json!({"__type": self.code, "message": self.message})
    }
}

impl From<crate::store::StoreError> for LogsError {
    fn from(e: crate::store::StoreError) -> Self {
        LogsError::new("ServiceUnavailableException", e.to_string())
    }
}

type LogsResult = Result<Value, LogsError>;

/// A request's members, read with the service model's constraints.
struct Req<'a>(&'a Map<String, Value>);

/// "1 validation error detected: ..." as AWS writes it.
fn constraint(field: &str, value: &dyn std::fmt::Display, what: &str) -> LogsError {
    LogsError::invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {what}"
    ))
}

impl Req<'_> {
    fn str(&self, k: &str) -> Result<Option<&str>, LogsError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(LogsError::new(
                "SerializationException",
                format!("'{k}' must be a string"),
            )),
        }
    }

    fn req_str(&self, k: &str) -> Result<&str, LogsError> {
        self.str(k)?
            .ok_or_else(|| constraint(k, &"null", "Member must not be null"))
    }

    fn int(&self, k: &str) -> Result<Option<i64>, LogsError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                LogsError::new(
                    "SerializationException",
                    format!("'{k}' must be an integer"),
                )
            }),
        }
    }

    fn bool(&self, k: &str) -> Result<Option<bool>, LogsError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(LogsError::new(
                "SerializationException",
                format!("'{k}' must be a boolean"),
            )),
        }
    }

    fn limit(&self, max: i64) -> Result<Option<usize>, LogsError> {
        match self.int("limit")? {
            None => Ok(None),
            Some(n) if n < 1 => Err(constraint(
                "limit",
                &n,
                "Member must have value greater than or equal to 1",
            )),
            Some(n) if n > max => Err(constraint(
                "limit",
                &n,
                &format!("Member must have value less than or equal to {max}"),
            )),
            Some(n) => Ok(Some(n as usize)),
        }
    }

    fn strings(&self, k: &str) -> Result<Option<Vec<String>>, LogsError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        LogsError::new("SerializationException", format!("'{k}' must hold strings"))
                    })
                })
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(LogsError::new(
                "SerializationException",
                format!("'{k}' must be a list"),
            )),
        }
    }

    fn tags(&self, k: &str) -> Result<Option<BTreeMap<String, String>>, LogsError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => {
                let mut out = BTreeMap::new();
                for (key, v) in m {
                    let v = v.as_str().ok_or_else(|| {
                        LogsError::new("SerializationException", "tag values must be strings")
                    })?;
                    check_tag(key, v)?;
                    out.insert(key.clone(), v.to_string());
                }
                Ok(Some(out))
            }
            Some(_) => Err(LogsError::new(
                "SerializationException",
                format!("'{k}' must be a map"),
            )),
        }
    }

    /// The log group a request names, by `logGroupName` or `logGroupIdentifier` (a name or
    /// an ARN), and its record.
    fn group(&self, svc: &Service) -> Result<LogGroupRec, LogsError> {
        let name = self.str("logGroupName")?;
        let id = self.str("logGroupIdentifier")?;
        let name = match (name, id) {
            (Some(_), Some(_)) => {
                return Err(LogsError::new(
                    "ValidationException",
                    "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
                ));
            }
            (Some(n), None) => {
                check_group_name("logGroupName", n)?;
                n
            }
            (None, Some(i)) => {
                if i.is_empty() || i.chars().count() > 2048 {
                    return Err(constraint(
                        "logGroupIdentifier",
                        &i,
                        "Member must have length less than or equal to 2048",
                    ));
                }
                if i.starts_with("arn:") {
                    super::execution_logs::log_group_name(i).ok_or_else(LogsError::no_group)?
                } else {
                    i
                }
            }
            (None, None) => {
                return Err(LogsError::invalid(
                    "Should provide either logGroupName or logGroupIdentifier.",
                ));
            }
        };
        svc.store.log_group(name)?.ok_or_else(LogsError::no_group)
    }
}

/// A log group's or stream's name: 1 to 512 characters (AWS's own message past 512), each
/// one `allowed`, else the model's `pattern` constraint.
fn check_name(
    field: &str,
    name: &str,
    allowed: fn(char) -> bool,
    pattern: &str,
) -> Result<(), LogsError> {
    if name.is_empty() {
        return Err(constraint(
            field,
            &name,
            "Member must have length greater than or equal to 1",
        ));
    }
    if name.chars().count() > 512 {
        return Err(LogsError::invalid(
            "Invalid LogGroup or LogStream, both must have length less than or equal to 512.",
        ));
    }
    if !name.chars().all(allowed) {
        return Err(constraint(
            field,
            &name,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ));
    }
    Ok(())
}

fn check_group_name(field: &str, name: &str) -> Result<(), LogsError> {
    check_name(
        field,
        name,
        |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#'),
        "[\\.\\-_/#A-Za-z0-9]+",
    )
}

fn check_stream_name(field: &str, name: &str) -> Result<(), LogsError> {
    check_name(field, name, |c| c != ':' && c != '*', "[^:*]*")
}

fn check_tag(key: &str, value: &str) -> Result<(), LogsError> {
    let ok = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
    };
    if key.is_empty() || key.chars().count() > 128 || !ok(key) {
        return Err(constraint(
            "tags",
            &key,
            "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$",
        ));
    }
    if value.chars().count() > 256 || !ok(value) {
        return Err(constraint(
            "tags",
            &value,
            "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
        ));
    }
    Ok(())
}

/// A log group's ARN (without `:*`).
fn group_arn(scope: &Scope, name: &str) -> String {
    format!(
        "arn:{}:logs:{}:{}:log-group:{name}",
        scope.partition, scope.region, scope.account
    )
}

/// Runs one CloudWatch Logs operation.
pub fn dispatch(svc: &Service, scope: &Scope, op: &str, body: &Map<String, Value>) -> LogsResult {
    let r = Req(body);
    match op {
        "CreateLogGroup" => create_group(svc, &r),
        "DeleteLogGroup" => delete_group(svc, &r),
        "DescribeLogGroups" => describe_groups(svc, scope, &r),
        "PutRetentionPolicy" => put_retention(svc, &r),
        "DeleteRetentionPolicy" => {
            let g = r.group(svc)?;
            svc.store.set_log_retention(&g.name, None)?;
            Ok(json!({}))
        }
        "CreateLogStream" => create_stream(svc, &r),
        "DeleteLogStream" => {
            let g = r.group(svc)?;
            let s = r.req_str("logStreamName")?;
            check_stream_name("logStreamName", s)?;
            if !svc.store.delete_log_stream(&g.name, s)? {
                return Err(LogsError::no_stream());
            }
            Ok(json!({}))
        }
        "DescribeLogStreams" => describe_streams(svc, scope, &r),
        "PutLogEvents" => put_events(svc, &r),
        "GetLogEvents" => get_events(svc, &r),
        "FilterLogEvents" => filter_events(svc, &r),
        "ListTagsLogGroup" => {
            let g = r.group(svc)?;
            Ok(json!({"tags": g.tags}))
        }
        "TagLogGroup" => {
            let g = r.group(svc)?;
            let tags = r
                .tags("tags")?
                .ok_or_else(|| constraint("tags", &"null", "Member must not be null"))?;
            add_tags(svc, g, tags)
        }
        "UntagLogGroup" => {
            let g = r.group(svc)?;
            let keys = r
                .strings("tags")?
                .ok_or_else(|| constraint("tags", &"null", "Member must not be null"))?;
            remove_tags(svc, g, &keys)
        }
        "ListTagsForResource" | "TagResource" | "UntagResource" => {
            let arn = r.req_str("resourceArn")?;
            let g = super::execution_logs::log_group_name(arn)
                .filter(|_| !arn.ends_with(":*"))
                .and_then(|name| svc.store.log_group(name).transpose())
                .transpose()?
                .ok_or_else(|| {
                    LogsError::new(
                        "ResourceNotFoundException",
                        format!("The specified resource does not exist: {arn}"),
                    )
                })?;
            match op {
                "ListTagsForResource" => Ok(json!({"tags": g.tags})),
                "TagResource" => {
                    let tags = r
                        .tags("tags")?
                        .ok_or_else(|| constraint("tags", &"null", "Member must not be null"))?;
                    add_tags(svc, g, tags)
                }
                _ => {
                    let keys = r
                        .strings("tagKeys")?
                        .ok_or_else(|| constraint("tagKeys", &"null", "Member must not be null"))?;
                    remove_tags(svc, g, &keys)
                }
            }
        }
        _ => Err(LogsError::new(
            "UnknownOperationException",
            format!("Unknown operation: {op}"),
        )),
    }
}

fn add_tags(svc: &Service, g: LogGroupRec, tags: BTreeMap<String, String>) -> LogsResult {
    let mut all = g.tags;
    all.extend(tags);
    if all.len() > 50 {
        return Err(LogsError::new(
            "TooManyTagsException",
            format!(
                "A log group can have at most 50 tags: {} would have {}",
                g.name,
                all.len()
            ),
        ));
    }
    svc.store.set_log_group_tags(&g.name, &all)?;
    Ok(json!({}))
}

fn remove_tags(svc: &Service, g: LogGroupRec, keys: &[String]) -> LogsResult {
    let mut all = g.tags;
    for k in keys {
        all.remove(k);
    }
    svc.store.set_log_group_tags(&g.name, &all)?;
    Ok(json!({}))
}

fn create_group(svc: &Service, r: &Req<'_>) -> LogsResult {
    let name = r.req_str("logGroupName")?;
    check_group_name("logGroupName", name)?;
    let tags = r.tags("tags")?.unwrap_or_default();
    if tags.len() > 50 {
        return Err(constraint(
            "tags",
            &tags.len(),
            "Member must have length less than or equal to 50",
        ));
    }
    if !svc.store.create_log_group(name, now_ms(), &tags)? {
        return Err(LogsError::new(
            "ResourceAlreadyExistsException",
            "The specified log group already exists",
        ));
    }
    Ok(json!({}))
}

fn delete_group(svc: &Service, r: &Req<'_>) -> LogsResult {
    let name = r.req_str("logGroupName")?;
    check_group_name("logGroupName", name)?;
    if !svc.store.delete_log_group(name)? {
        return Err(LogsError::no_group());
    }
    Ok(json!({}))
}

fn put_retention(svc: &Service, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let days = r
        .int("retentionInDays")?
        .ok_or_else(|| constraint("retentionInDays", &"null", "Member must not be null"))?;
    if !RETENTION_DAYS.contains(&days) {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: {RETENTION_DAYS:?}"
        )));
    }
    svc.store.set_log_retention(&g.name, Some(days))?;
    Ok(json!({}))
}

/// A page token: the last item's keys, as text (`nextToken`s are opaque to clients).
fn token_of(parts: &[&str]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

fn parse_token(token: &str) -> Result<Vec<String>, LogsError> {
    use base64::Engine;
    let bad = || LogsError::invalid("The specified nextToken is invalid.");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    Ok(text.split('\n').map(str::to_string).collect())
}

fn describe_groups(svc: &Service, scope: &Scope, r: &Req<'_>) -> LogsResult {
    let prefix = r.str("logGroupNamePrefix")?;
    let pattern = r.str("logGroupNamePattern")?;
    if prefix.is_some() && pattern.is_some() {
        return Err(LogsError::invalid(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        ));
    }
    if let Some(p) = prefix {
        check_group_name("logGroupNamePrefix", p)?;
    }
    let limit = r.limit(50)?.unwrap_or(50);
    let after = match r.str("nextToken")? {
        Some(t) => parse_token(t)?.into_iter().next(),
        None => None,
    };
    let mut groups = svc
        .store
        .log_groups(prefix, pattern, after.as_deref(), limit + 1)?;
    let more = groups.len() > limit;
    groups.truncate(limit);
    let mut out = json!({
        "logGroups": groups.iter().map(|g| {
            let arn = group_arn(scope, &g.name);
            let mut v = json!({
                "logGroupName": g.name,
                "creationTime": g.created,
                "metricFilterCount": 0,
                "arn": format!("{arn}:*"),
                "storedBytes": g.stored_bytes,
                "logGroupClass": "STANDARD",
                "logGroupArn": arn,
                "deletionProtectionEnabled": false,
            });
            if let Some(d) = g.retention_days {
                v["retentionInDays"] = json!(d);
            }
            v
        }).collect::<Vec<_>>()
    });
    if more && let Some(last) = groups.last() {
        out["nextToken"] = json!(token_of(&[&last.name]));
    }
    Ok(out)
}

fn create_stream(svc: &Service, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let s = r.req_str("logStreamName")?;
    check_stream_name("logStreamName", s)?;
    if !svc.store.create_log_stream(&g.name, s, now_ms())? {
        return Err(LogsError::new(
            "ResourceAlreadyExistsException",
            "The specified log stream already exists",
        ));
    }
    Ok(json!({}))
}

fn describe_streams(svc: &Service, scope: &Scope, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let prefix = r.str("logStreamNamePrefix")?;
    if let Some(p) = prefix {
        check_stream_name("logStreamNamePrefix", p)?;
    }
    let by_time = match r.str("orderBy")? {
        None | Some("LogStreamName") => false,
        Some("LastEventTime") => true,
        Some(o) => {
            return Err(constraint(
                "orderBy",
                &o,
                "Member must satisfy enum value set: [LogStreamName, LastEventTime]",
            ));
        }
    };
    if by_time && prefix.is_some() {
        return Err(LogsError::invalid(
            "Cannot order by LastEventTime with a logStreamNamePrefix.",
        ));
    }
    let descending = r.bool("descending")?.unwrap_or(false);
    let limit = r.limit(50)?.unwrap_or(50);
    let after = match r.str("nextToken")? {
        Some(t) => {
            let parts = parse_token(t)?;
            match parts.as_slice() {
                [time, name] => Some((
                    time.parse::<i64>()
                        .map_err(|_| LogsError::invalid("The specified nextToken is invalid."))?,
                    name.clone(),
                )),
                _ => return Err(LogsError::invalid("The specified nextToken is invalid.")),
            }
        }
        None => None,
    };
    let mut streams = svc.store.log_streams(
        &g.name,
        prefix,
        by_time,
        descending,
        after.as_ref().map(|(t, n)| (*t, n.as_str())),
        limit + 1,
    )?;
    let more = streams.len() > limit;
    streams.truncate(limit);
    let arn = group_arn(scope, &g.name);
    let mut out = json!({
        "logStreams": streams.iter().map(|s| {
            let mut v = json!({
                "logStreamName": s.name,
                "creationTime": s.created,
                "arn": format!("{arn}:log-stream:{}", s.name),
                "storedBytes": 0,
            });
            if let (Some(first), Some(last), Some(ingested)) = (s.first_event, s.last_event, s.last_ingestion) {
                v["firstEventTimestamp"] = json!(first);
                v["lastEventTimestamp"] = json!(last);
                v["lastIngestionTime"] = json!(ingested);
                v["uploadSequenceToken"] = json!("1");
            }
            v
        }).collect::<Vec<_>>()
    });
    if more && let Some(last) = streams.last() {
        out["nextToken"] = json!(token_of(&[
            &last.last_event.unwrap_or(0).to_string(),
            &last.name
        ]));
    }
    Ok(out)
}

fn put_events(svc: &Service, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let stream = r.req_str("logStreamName")?;
    check_stream_name("logStreamName", stream)?;
    if svc.store.log_stream(&g.name, stream)?.is_none() {
        return Err(LogsError::no_stream());
    }
    let Some(Value::Array(events)) = body_member(r, "logEvents") else {
        return Err(constraint("logEvents", &"null", "Member must not be null"));
    };
    if events.is_empty() || events.len() > 10_000 {
        return Err(constraint(
            "logEvents",
            &events.len(),
            "Member must have length between 1 and 10000",
        ));
    }
    let now = now_ms();
    let mut batch = Vec::with_capacity(events.len());
    let mut bytes = 0usize;
    let (mut too_new, mut too_old) = (None, None);
    let mut last = i64::MIN;
    for (i, e) in events.iter().enumerate() {
        let (Some(time), Some(message)) = (
            e.get("timestamp").and_then(Value::as_i64),
            e.get("message").and_then(Value::as_str),
        ) else {
            return Err(LogsError::invalid(
                "Each log event needs a 'timestamp' (epoch milliseconds) and a 'message'.",
            ));
        };
        if message.is_empty() {
            return Err(constraint(
                &format!("logEvents.{}.member.message", i + 1),
                &message,
                "Member must have length greater than or equal to 1",
            ));
        }
        if time < last {
            return Err(LogsError::invalid(
                "Log events in a single PutLogEvents request must be in chronological order.",
            ));
        }
        last = time;
        bytes += message.len() + EVENT_OVERHEAD;
        if bytes > MAX_PAGE_BYTES {
            return Err(LogsError::invalid(
                "Upload too large: the log events exceed 1,048,576 bytes.",
            ));
        }
        if time > now + 2 * 3_600_000 {
            too_new.get_or_insert(i);
            continue;
        }
        if time < now - 14 * 86_400_000 {
            too_old = Some(i + 1);
            continue;
        }
        batch.push(LogEventRec {
            group: g.name.clone(),
            stream: stream.to_string(),
            time,
            message: message.to_string(),
        });
    }
    svc.store.put_log_events(&batch, now)?;
    let mut out = json!({"nextSequenceToken": "1"});
    if too_new.is_some() || too_old.is_some() {
        let mut info = Map::new();
        if let Some(i) = too_new {
            info.insert("tooNewLogEventStartIndex".into(), json!(i));
        }
        if let Some(i) = too_old {
            info.insert("tooOldLogEventEndIndex".into(), json!(i));
        }
        out["rejectedLogEventsInfo"] = Value::Object(info);
    }
    Ok(out)
}

fn body_member<'a>(r: &Req<'a>, k: &str) -> Option<&'a Value> {
    r.0.get(k)
}

fn time_range(r: &Req<'_>) -> Result<(Option<i64>, Option<i64>), LogsError> {
    let start = r.int("startTime")?;
    let end = r.int("endTime")?;
    for (k, v) in [("startTime", start), ("endTime", end)] {
        if let Some(v) = v
            && v < 0
        {
            return Err(constraint(
                k,
                &v,
                "Member must have value greater than or equal to 0",
            ));
        }
    }
    Ok((start, end))
}

fn output_event(e: &LogEventRow) -> Value {
    json!({"timestamp": e.time, "message": e.message, "ingestionTime": e.ingestion})
}

fn get_events(svc: &Service, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let stream = r.req_str("logStreamName")?;
    check_stream_name("logStreamName", stream)?;
    if svc.store.log_stream(&g.name, stream)?.is_none() {
        return Err(LogsError::no_stream());
    }
    let (start, end) = time_range(r)?;
    let limit = r.limit(10_000)?.unwrap_or(10_000);
    let from_head = r.bool("startFromHead")?.unwrap_or(false);
    // `f/TIME/SEQ`: after that event; `b/TIME/SEQ`: before it.
    let (forward, from) = match r.str("nextToken")? {
        Some(t) => {
            let bad = || LogsError::invalid("The specified nextToken is invalid.");
            let mut parts = t.splitn(3, '/');
            let dir = parts.next().ok_or_else(bad)?;
            let time = parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)?;
            let seq = parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)?;
            match dir {
                "f" => (true, Some((time, seq))),
                "b" => (false, Some((time, seq))),
                _ => return Err(bad()),
            }
        }
        None => (from_head, None),
    };
    // AWS answers "as many log events as can fit in a response size of 1 MB (up to 10,000)":
    // read in small chunks, so that a stream of large events is never loaded whole.
    let mut events = Vec::new();
    let mut bytes = 0usize;
    let mut cursor = from;
    'chunks: loop {
        let want = (limit - events.len()).min(READ_CHUNK);
        let q = LogEventQuery {
            start,
            end,
            after: cursor,
            streams: StreamFilter::All,
        };
        let chunk = svc
            .store
            .stream_log_events(&g.name, stream, &q, forward, want)?;
        let read = chunk.len();
        // Nearest the cursor first: forward from the oldest, backward from the newest.
        let ordered: Box<dyn Iterator<Item = LogEventRow>> = if forward {
            Box::new(chunk.into_iter())
        } else {
            Box::new(chunk.into_iter().rev())
        };
        for e in ordered {
            let size = e.message.len() + EVENT_OVERHEAD;
            if !events.is_empty() && bytes + size > MAX_PAGE_BYTES {
                break 'chunks;
            }
            bytes += size;
            cursor = Some((e.time, e.seq));
            events.push(e);
        }
        if events.len() >= limit || read < want {
            break;
        }
    }
    if !forward {
        events.reverse();
    }
    // At either end, the token given comes back (AWS: "it returns the same token you passed in").
    let (fwd, back) = match (events.first(), events.last()) {
        (Some(first), Some(last)) => (
            format!("f/{}/{}", last.time, last.seq),
            format!("b/{}/{}", first.time, first.seq),
        ),
        _ => {
            let here = from.unwrap_or(if forward {
                (i64::MIN, i64::MIN)
            } else {
                (i64::MAX, i64::MAX)
            });
            (
                format!("f/{}/{}", here.0, here.1),
                format!("b/{}/{}", here.0, here.1),
            )
        }
    };
    Ok(json!({
        "events": events.iter().map(output_event).collect::<Vec<_>>(),
        "nextForwardToken": fwd,
        "nextBackwardToken": back,
    }))
}

fn filter_events(svc: &Service, r: &Req<'_>) -> LogsResult {
    let g = r.group(svc)?;
    let names = r.strings("logStreamNames")?;
    let prefix = r.str("logStreamNamePrefix")?;
    let streams = match (names, prefix) {
        (Some(_), Some(_)) => {
            return Err(LogsError::invalid(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
            ));
        }
        (Some(n), None) => {
            if n.is_empty() || n.len() > 100 {
                return Err(constraint(
                    "logStreamNames",
                    &n.len(),
                    "Member must have length between 1 and 100",
                ));
            }
            StreamFilter::Names(n)
        }
        (None, Some(p)) => {
            check_stream_name("logStreamNamePrefix", p)?;
            StreamFilter::Prefix(p.to_string())
        }
        (None, None) => StreamFilter::All,
    };
    let (start, end) = time_range(r)?;
    let pattern_text = r.str("filterPattern")?.unwrap_or_default();
    if pattern_text.chars().count() > super::pattern::MAX_PATTERN_LEN {
        return Err(constraint(
            "filterPattern",
            &pattern_text,
            "Member must have length less than or equal to 1024",
        ));
    }
    let pattern = FilterPattern::parse(pattern_text).map_err(|e| {
        tracing::debug!(pattern = pattern_text, reason = %e, "invalid filter pattern");
        if pattern_text.trim_start().starts_with('{') && !pattern_text.trim_end().ends_with('}') {
            LogsError::invalid("If a filter pattern starts with '{' it must end with '}'")
        } else {
            LogsError::invalid("Invalid filter pattern")
        }
    })?;
    let limit = r.limit(10_000)?.unwrap_or(10_000);
    let after = match r.str("nextToken")? {
        Some(t) => match parse_token(t)?.as_slice() {
            [time, seq] => Some((
                time.parse::<i64>()
                    .map_err(|_| LogsError::invalid("The specified nextToken is invalid."))?,
                seq.parse::<i64>()
                    .map_err(|_| LogsError::invalid("The specified nextToken is invalid."))?,
            )),
            _ => return Err(LogsError::invalid("The specified nextToken is invalid.")),
        },
        None => None,
    };
    let mut q = LogEventQuery {
        start,
        end: end.map(|e| e.saturating_add(1)),
        after,
        streams,
    };
    let mut matched = Vec::new();
    let mut scanned = 0usize;
    let mut bytes = 0usize;
    let mut next = None;
    'pages: loop {
        let chunk = READ_CHUNK.min(SCAN_PER_PAGE - scanned).max(1);
        let rows = svc.store.group_log_events(&g.name, &q, chunk)?;
        let exhausted = rows.len() < chunk;
        for e in rows {
            scanned += 1;
            q.after = Some((e.time, e.seq));
            if pattern.matches(&e.message) {
                bytes += e.message.len() + EVENT_OVERHEAD;
                matched.push(e);
                // AWS answers at most `limit` events or 1 MB, whichever comes first.
                if matched.len() >= limit || bytes >= MAX_PAGE_BYTES {
                    next = q.after;
                    break 'pages;
                }
            }
            if scanned >= SCAN_PER_PAGE {
                next = q.after;
                break 'pages;
            }
        }
        if exhausted {
            break;
        }
    }
    // A page that stopped exactly at the end says so only on the next call (an empty page
    // without a token), as AWS may.
    let mut out = json!({
        "events": matched.iter().map(|e| json!({
            "logStreamName": e.stream,
            "timestamp": e.time,
            "message": e.message,
            "ingestionTime": e.ingestion,
            "eventId": e.seq.to_string(),
        })).collect::<Vec<_>>(),
        "searchedLogStreams": [],
    });
    if let Some((time, seq)) = next {
        out["nextToken"] = json!(token_of(&[&time.to_string(), &seq.to_string()]));
    }
    Ok(out)
}
