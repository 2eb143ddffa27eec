//! The HTTP metadata Step Functions' optimized integrations add to a service's response (they
//! are built on the v1 Java SDK): `SdkHttpMetadata` (`AllHttpHeaders`, each header's values as
//! a list in the answer's order; `HttpHeaders`, one value each, sorted by name regardless of
//! case; `HttpStatusCode`) and `SdkResponseMetadata` (`RequestId`), the whole result's keys in
//! alphabetical order, as recorded on AWS. One home for every integration that answers so
//! (recorded SNS/SQS/EventBridge messages, ECS, nested executions, service endpoints).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// `body` with the metadata of an answer with these headers, status and request id.
pub fn with_sdk_metadata(
    mut body: Map<String, Value>,
    headers: &[(String, String)],
    status: u16,
    request_id: &str,
) -> Value {
    let mut all = Map::new();
    for (name, value) in headers {
        if let Value::Array(values) = all.entry(name.clone()).or_insert_with(|| json!([])) {
            values.push(json!(value));
        }
    }
    let mut sorted: Vec<&(String, String)> = headers.iter().collect();
    sorted.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let one: Map<String, Value> = sorted
        .into_iter()
        .map(|(n, v)| (n.clone(), json!(v)))
        .collect();
    body.insert(
        "SdkHttpMetadata".into(),
        json!({"AllHttpHeaders": all, "HttpHeaders": one, "HttpStatusCode": status}),
    );
    body.insert(
        "SdkResponseMetadata".into(),
        json!({"RequestId": request_id}),
    );
    let mut entries: Vec<(String, Value)> = body.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

/// The headers of an AWS answer of `len` bytes of `content_type` at `now`, in the order AWS's
/// recordings show them (`connection: keep-alive` where the service sends it).
pub fn aws_headers(
    request_id: &str,
    keep_alive: bool,
    len: usize,
    now: DateTime<Utc>,
    content_type: &str,
) -> Vec<(String, String)> {
    let mut h = vec![("x-amzn-RequestId".to_string(), request_id.to_string())];
    if keep_alive {
        h.push(("connection".into(), "keep-alive".into()));
    }
    h.push(("Content-Length".into(), len.to_string()));
    h.push((
        "Date".into(),
        now.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    ));
    h.push(("Content-Type".into(), content_type.to_string()));
    h
}

/// [`with_sdk_metadata`] for an answer AWS itself makes here: a 200 of `len` bytes.
pub fn aws_answer(
    body: Map<String, Value>,
    keep_alive: bool,
    len: usize,
    now: DateTime<Utc>,
    content_type: &str,
) -> Value {
    let id = uuid::Uuid::new_v4().to_string();
    let headers = aws_headers(&id, keep_alive, len, now, content_type);
    with_sdk_metadata(body, &headers, 200, &id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_has_aws_s_shape_and_order() {
        let now = DateTime::from_timestamp_millis(0).unwrap();
        let mut body = Map::new();
        body.insert("MessageId".into(), json!("m"));
        let v = with_sdk_metadata(body, &aws_headers("rid", true, 12, now, "ct"), 200, "rid");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
        );
        let m = &v["SdkHttpMetadata"];
        let all: Vec<&String> = m["AllHttpHeaders"].as_object().unwrap().keys().collect();
        assert_eq!(
            all,
            [
                "x-amzn-RequestId",
                "connection",
                "Content-Length",
                "Date",
                "Content-Type"
            ]
        );
        let one: Vec<&String> = m["HttpHeaders"].as_object().unwrap().keys().collect();
        assert_eq!(
            one,
            [
                "connection",
                "Content-Length",
                "Content-Type",
                "Date",
                "x-amzn-RequestId"
            ]
        );
        assert_eq!(
            m["AllHttpHeaders"]["Date"],
            json!(["Thu, 01 Jan 1970 00:00:00 GMT"])
        );
        assert_eq!(m["HttpHeaders"]["Content-Length"], "12");
        assert_eq!(m["HttpStatusCode"], 200);
        assert_eq!(v["SdkResponseMetadata"], json!({"RequestId": "rid"}));
    }
}
