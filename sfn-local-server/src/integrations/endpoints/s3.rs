//! S3 at a configured endpoint (`S3_ENDPOINT`, `endpoints.s3`): `getObject`, `putObject` and
//! `listObjectsV2`, optimized (`arn:aws:states:::s3:...`, also a Map `ItemReader`'s resource)
//! or through `aws-sdk:s3:`, in S3's REST-XML protocol with path-style URLs
//! (`ENDPOINT/BUCKET/KEY`), SigV4-signed with the payload's SHA-256. The results have the
//! SDK's member names (`Body`, `ContentLength`, `ETag`; `Contents` of `{Key, LastModified,
//! ETag, Size, StorageClass}`); an optimized `listObjectsV2` (an ItemReader's) follows every
//! page, an `aws-sdk` one answers one page with its `NextContinuationToken`. Errors are
//! `S3.<Code>Exception` (`S3.NoSuchBucketException`).

use asl_interpreter::{TaskFailure, TaskRequest};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use serde_json::{Map, Value, json};

use super::{Api, sign_request};
use crate::integrations::outbound::{self, percent_encode};

/// The largest object read (a Map's ItemReader reads at most 10 GB on AWS; a local test far
/// less).
const MAX_OBJECT_BYTES: usize = 256 << 20;

/// Keys listed by one optimized `listObjectsV2` at most.
const MAX_LISTED: usize = 1_000_000;

fn failure(api: Api, code: &str, message: &str, status: u16) -> TaskFailure {
    let names = asl_interpreter::service_errors::S3.for_api(api);
    super::named_failure(api, names, code, message, status, None)
}

fn param<'a>(p: &'a Value, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// One S3 call: `method` on `/bucket[/key][?query]`.
async fn send(
    url: &str,
    credentials: &(String, String),
    region: &str,
    api: Api,
    method: &str,
    path: &str,
    body: Vec<u8>,
) -> Result<(u16, hyper::HeaderMap, Vec<u8>), TaskFailure> {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{url}{path}"))
        .header(header::HOST, url.trim_start_matches("http://"))
        .body(Full::new(Bytes::from(body.clone())))
        .map_err(|e| TaskFailure::new("States.Runtime", format!("bad S3 request: {e}")))?;
    sign_request(&mut request, &body, credentials, region, "s3")?;
    let answer = outbound::send(request, MAX_OBJECT_BYTES)
        .await
        .map_err(|e| {
            failure(
                api,
                "SdkClient",
                &format!("Unable to execute HTTP request: {e} (S3_ENDPOINT {url})"),
                0,
            )
        })?;
    let bytes = answer.body.map_err(|_| {
        failure(
            api,
            "SdkClient",
            "The object is larger than sfn-local reads",
            0,
        )
    })?;
    let status = answer.status.as_u16();
    if !answer.status.is_success() {
        let text = String::from_utf8_lossy(&bytes);
        let doc = roxmltree::Document::parse(&text).ok();
        let field = |name: &str| {
            doc.as_ref()
                .and_then(|d| d.descendants().find(|n| n.has_tag_name(name)))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string()
        };
        let code = field("Code");
        let code = if code.is_empty() {
            answer
                .status
                .canonical_reason()
                .unwrap_or("Unknown")
                .replace(' ', "")
        } else {
            code
        };
        return Err(failure(api, &code, &field("Message"), status));
    }
    Ok((status, answer.headers, bytes))
}

/// The S3 call a task makes.
pub(super) async fn call(
    url: &str,
    credentials: &(String, String),
    region: &str,
    api: Api,
    action: &str,
    req: &TaskRequest,
) -> Result<Value, TaskFailure> {
    let p = &req.parameters;
    let bucket = param(p, "Bucket").ok_or_else(|| {
        failure(
            api,
            "InvalidBucketName",
            "The specified bucket is not valid.",
            400,
        )
    })?;
    let object_path = || {
        let key = param(p, "Key").unwrap_or_default();
        let key: Vec<String> = key.split('/').map(percent_encode).collect();
        format!("/{}/{}", percent_encode(bucket), key.join("/"))
    };
    match action {
        "getObject" => {
            let (_, headers, bytes) = send(
                url,
                credentials,
                region,
                api,
                "GET",
                &object_path(),
                Vec::new(),
            )
            .await?;
            let h = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = h("content-type").unwrap_or_else(|| "binary/octet-stream".into());
            let mut out = crate::integrations::s3::body_answer(p, &bytes, &content_type);
            if let Some(etag) = h("etag") {
                out["ETag"] = json!(etag);
            }
            Ok(out)
        }
        "putObject" => {
            let body = match p.get("Body") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => asl_core::dataflow::to_json_text(other),
            };
            let (_, headers, _) = send(
                url,
                credentials,
                region,
                api,
                "PUT",
                &object_path(),
                body.into_bytes(),
            )
            .await?;
            let etag = headers
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            Ok(json!({"ETag": etag}))
        }
        "listObjectsV2" => list(url, credentials, region, api, bucket, p).await,
        other => Err(TaskFailure::new(
            "States.Runtime",
            format!(
                "sfn-local does not send s3:{other} to an S3 endpoint (getObject, putObject and listObjectsV2 only)"
            ),
        )),
    }
}

async fn list(
    url: &str,
    credentials: &(String, String),
    region: &str,
    api: Api,
    bucket: &str,
    p: &Value,
) -> Result<Value, TaskFailure> {
    let mut token = param(p, "ContinuationToken").map(str::to_string);
    let mut contents: Vec<Value> = Vec::new();
    let mut last;
    loop {
        let mut query = vec![("list-type".to_string(), "2".to_string())];
        for (member, q) in [
            ("Prefix", "prefix"),
            ("Delimiter", "delimiter"),
            ("StartAfter", "start-after"),
        ] {
            if let Some(v) = param(p, member) {
                query.push((q.into(), v.into()));
            }
        }
        if let Some(n) = p.get("MaxKeys").and_then(Value::as_u64) {
            query.push(("max-keys".into(), n.to_string()));
        }
        if let Some(t) = &token {
            query.push(("continuation-token".into(), t.clone()));
        }
        query.sort();
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        let path = format!("/{}?{}", percent_encode(bucket), q.join("&"));
        let (_, _, bytes) = send(url, credentials, region, api, "GET", &path, Vec::new()).await?;
        let text = String::from_utf8_lossy(&bytes);
        let doc = roxmltree::Document::parse(&text).map_err(|e| {
            failure(
                api,
                "SdkClient",
                &format!("Unable to parse the listing: {e}"),
                200,
            )
        })?;
        let root = doc.root_element();
        last = Map::new();
        for child in root.children().filter(|n| n.is_element()) {
            let name = child.tag_name().name();
            let text = child.text().unwrap_or_default();
            match name {
                "Contents" => {
                    let mut item = Map::new();
                    for f in child.children().filter(|n| n.is_element()) {
                        let t = f.text().unwrap_or_default();
                        let v = match f.tag_name().name() {
                            "Size" => json!(t.parse::<u64>().unwrap_or_default()),
                            "LastModified" => chrono::DateTime::parse_from_rfc3339(t)
                                .map_or_else(|_| json!(t), |d| json!(d.timestamp())),
                            "Owner" => continue,
                            _ => json!(t),
                        };
                        item.insert(f.tag_name().name().to_string(), v);
                    }
                    contents.push(Value::Object(item));
                }
                "IsTruncated" => {
                    last.insert(name.into(), json!(text == "true"));
                }
                "KeyCount" | "MaxKeys" => {
                    last.insert(name.into(), json!(text.parse::<u64>().unwrap_or_default()));
                }
                "CommonPrefixes" => {}
                _ => {
                    last.insert(name.into(), json!(text));
                }
            }
        }
        let truncated = last.get("IsTruncated") == Some(&json!(true));
        token = last
            .get("NextContinuationToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        if api == Api::Sdk || !truncated || token.is_none() || contents.len() >= MAX_LISTED {
            break;
        }
    }
    if api == Api::Optimized {
        last.insert("IsTruncated".into(), json!(false));
        last.remove("NextContinuationToken");
        last.insert("KeyCount".into(), json!(contents.len()));
    }
    last.insert("Contents".into(), Value::Array(contents));
    Ok(Value::Object(last))
}
