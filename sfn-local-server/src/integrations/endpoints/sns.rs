//! SNS at a configured endpoint (`SNS_ENDPOINT`, `endpoints.sns`), in SNS's query protocol:
//! `POST /` with a form body `Action=Publish&Version=2010-03-31&...`, SigV4-signed, the answer
//! read from its XML (`<PublishResult><MessageId>`). The task's parameters are flattened as the
//! query protocol flattens them: scalars as `Name=value`, lists as `Name.member.N`, maps as
//! `Name.entry.N.key`/`.value` (SNS's `MessageAttributes` as `.entry.N.Name`/`.Value.*`), a
//! JSON `Message` that is not a string as its text. The result is the `<ActionResult>` element
//! as JSON (elements with children as objects, `member` lists as arrays), with the v1 SDK's
//! metadata for the optimized `sns:publish`. Errors are `SNS.<Code>Exception` (optimized) or
//! `Sns.<Code>Exception` (`aws-sdk`).

use asl_interpreter::{TaskFailure, TaskRequest};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use serde_json::{Map, Value, json};

use super::{Api, sign_request};
use crate::integrations::outbound::{self, percent_encode};
use crate::integrations::sdk_metadata::with_sdk_metadata;

const MAX_RESPONSE_BYTES: usize = 1 << 20;

fn failure(api: Api, code: &str, message: &str, status: u16, request_id: &str) -> TaskFailure {
    let names = asl_interpreter::service_errors::SNS.for_api(api);
    super::named_failure(api, names, code, message, status, Some(request_id))
}

/// Query-protocol pairs of `value` under `name`.
fn flatten(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{name}.member.{}", i + 1), v, out);
            }
        }
        Value::Object(m) if name.ends_with("MessageAttributes") => {
            for (i, (k, v)) in m.iter().enumerate() {
                let entry = format!("{name}.entry.{}", i + 1);
                out.push((format!("{entry}.Name"), k.clone()));
                flatten(&format!("{entry}.Value"), v, out);
            }
        }
        Value::Object(m) if name.ends_with("Attributes") || name == "Tags" => {
            for (i, (k, v)) in m.iter().enumerate() {
                let entry = format!("{name}.entry.{}", i + 1);
                out.push((format!("{entry}.key"), k.clone()));
                flatten(&format!("{entry}.value"), v, out);
            }
        }
        Value::Object(m) => {
            for (k, v) in m {
                let key = if name.is_empty() {
                    k.clone()
                } else {
                    format!("{name}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => out.push((name.to_string(), s.clone())),
        other => out.push((name.to_string(), other.to_string())),
    }
}

/// An XML element as JSON: text, or an object of its children (`member` children a list).
fn element_json(node: roxmltree::Node<'_, '_>) -> Value {
    let children: Vec<_> = node.children().filter(|n| n.is_element()).collect();
    if children.is_empty() {
        return json!(node.text().unwrap_or_default());
    }
    if children.iter().all(|c| c.has_tag_name("member")) {
        return Value::Array(children.into_iter().map(element_json).collect());
    }
    let mut m = Map::new();
    for c in children {
        m.insert(c.tag_name().name().to_string(), element_json(c));
    }
    Value::Object(m)
}

/// The SNS call a task makes.
pub(super) async fn call(
    url: &str,
    credentials: &(String, String),
    region: &str,
    api: Api,
    action: &str,
    req: &TaskRequest,
) -> Result<Value, TaskFailure> {
    let op = crate::integrations::member_case::pascal(action);
    let mut params = req.parameters.clone();
    if let Some(m) = params.get_mut("Message")
        && !m.is_string()
        && !m.is_null()
    {
        *m = Value::String(asl_core::dataflow::to_json_text(m));
    }
    let mut pairs = vec![
        ("Action".to_string(), op.clone()),
        ("Version".to_string(), "2010-03-31".to_string()),
    ];
    flatten("", &params, &mut pairs);
    let body: String = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request = Request::post(format!("{url}/"))
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header(header::HOST, url.trim_start_matches("http://"))
        .body(Full::new(Bytes::from(body.clone())))
        .map_err(|e| TaskFailure::new("States.Runtime", format!("bad SNS request: {e}")))?;
    sign_request(&mut request, body.as_bytes(), credentials, region, "sns")?;
    let answer = outbound::send(request, MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| {
            failure(
                api,
                "SdkClient",
                &format!("Unable to execute HTTP request: {e} (SNS_ENDPOINT {url})"),
                0,
                "",
            )
        })?;
    let status = answer.status.as_u16();
    let bytes = answer.body.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let doc = roxmltree::Document::parse(&text).ok();
    let find = |name: &str| {
        doc.as_ref()
            .and_then(|d| d.descendants().find(|n| n.has_tag_name(name)))
    };
    let request_id = find("RequestId")
        .and_then(|n| n.text())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    if !answer.status.is_success() {
        let field = |name: &str| {
            find(name)
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string()
        };
        return Err(failure(
            api,
            &field("Code"),
            &field("Message"),
            status,
            &request_id,
        ));
    }
    let result = match find(&format!("{op}Result")).map(element_json) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    Ok(match api {
        Api::Sdk => Value::Object(result),
        Api::Optimized => {
            let headers = outbound::header_pairs(&answer.headers);
            with_sdk_metadata(result, &headers, status, &request_id)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_flatten_as_the_query_protocol_does() {
        let mut out = Vec::new();
        flatten(
            "",
            &json!({"TopicArn": "t", "Message": "m",
                "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "x"}},
                "Tags": [{"Key": "a", "Value": "b"}], "Skip": null, "N": 3}),
            &mut out,
        );
        let got: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("TopicArn", "t"),
                ("Message", "m"),
                ("MessageAttributes.entry.1.Name", "kind"),
                ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "x"),
                ("Tags.member.1.Key", "a"),
                ("Tags.member.1.Value", "b"),
                ("N", "3"),
            ]
        );
    }

    #[test]
    fn results_read_as_json() {
        let xml = r#"<ListTopicsResponse><ListTopicsResult><Topics><member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member></Topics><NextToken>n</NextToken></ListTopicsResult></ListTopicsResponse>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let r = doc
            .descendants()
            .find(|n| n.has_tag_name("ListTopicsResult"))
            .unwrap();
        assert_eq!(
            element_json(r),
            json!({"Topics": [{"TopicArn": "a"}, {"TopicArn": "b"}], "NextToken": "n"})
        );
    }
}
