use asl_interpreter::VirtualClock;
use chrono::TimeZone;
use serde_json::json;

use super::digest::base64_decode;
use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0).unwrap()
}

fn request(resource: &str, parameters: Value) -> TaskRequest {
    TaskRequest {
        resource: resource.into(),
        parameters,
        context: json!({"StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:batch"}}),
        task_token: None,
        state_name: "Notify".into(),
        attempt: 0,
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:batch:run-1".into(),
        test_case: None,
        invocation: 0,
        clock: Arc::new(VirtualClock::new(now())),
        function_name: None,
        submitted: None,
    }
}

fn call(r: &Recorder, resource: &str, p: Value) -> Result<Value, TaskFailure> {
    r.handle(&request(resource, p))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:batch-alerts";
const QUEUE: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/work";

#[test]
fn sns_publish_is_recorded_and_answered_like_step_functions() {
    let r = Recorder::new();
    let p = json!({
        "TopicArn": TOPIC,
        "Subject": "Batch failed",
        "Message": {"Error": "States.TaskFailed", "Cause": "exit 1"},
        "MessageAttributes": {"env": {"DataType": "String", "StringValue": "prod"}}
    });
    let out = call(&r, SNS_PUBLISH, p.clone()).unwrap();
    assert_eq!(
        keys(&out),
        ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    );
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
    assert_eq!(
        out["SdkHttpMetadata"]["HttpHeaders"]["Date"],
        "Mon, 02 Nov 2026 17:00:00 GMT"
    );
    assert_eq!(
        out["SdkResponseMetadata"]["RequestId"],
        out["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    );
    let recs = r.list(Some("sns"));
    assert_eq!(recs.len(), 1);
    let rec = &recs[0];
    assert_eq!(rec.id, out["MessageId"].as_str().unwrap());
    assert_eq!(rec.target, TOPIC);
    assert_eq!(rec.payload, p);
    assert_eq!(rec.response, out);
    assert_eq!(rec.time, now());
    assert_eq!(rec.state_name, "Notify");
    assert_eq!(
        rec.execution_arn,
        "arn:aws:states:us-east-1:123456789012:execution:batch:run-1"
    );
    assert!(r.list(Some("sqs")).is_empty());
}

#[test]
fn sns_sdk_form_returns_the_bare_response() {
    let r = Recorder::new();
    let out = call(
        &r,
        SDK_SNS_PUBLISH,
        json!({"TopicArn": TOPIC, "Message": "hi"}),
    )
    .unwrap();
    assert_eq!(keys(&out), ["MessageId"]);
    let out = call(
        &r,
        SDK_SNS_PUBLISH,
        json!({"TopicArn": "arn:aws:sns:us-east-1:1:t.fifo", "Message": "hi", "MessageGroupId": "g"}),
    )
    .unwrap();
    assert_eq!(keys(&out), ["MessageId", "SequenceNumber"]);
    assert_eq!(out["SequenceNumber"].as_str().unwrap().len(), 20);
}

#[test]
fn sns_validation_errors() {
    let r = Recorder::new();
    let cases = [
        (
            json!({"Message": "m"}),
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        ),
        (json!({"TopicArn": TOPIC}), "Invalid parameter: Message"),
        (
            json!({"TopicArn": TOPIC, "Message": ""}),
            "Invalid parameter: Empty message",
        ),
        (
            json!({"TopicArn": TOPIC, "Message": "m", "Subject": "x".repeat(101)}),
            "Invalid parameter: Subject",
        ),
        (
            json!({"TopicArn": TOPIC, "Message": "m", "Subject": "two\nlines"}),
            "Invalid parameter: Subject",
        ),
        (
            json!({"TopicArn": format!("{TOPIC}.fifo"), "Message": "m"}),
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        ),
        (
            json!({"TopicArn": TOPIC, "Message": "{\"sms\": \"x\"}", "MessageStructure": "json"}),
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
    ];
    for (p, msg) in cases {
        let f = call(&r, SNS_PUBLISH, p.clone()).unwrap_err();
        assert_eq!(
            f.error.as_deref(),
            Some("SNS.InvalidParameterException"),
            "{p}"
        );
        let cause = f.cause.unwrap();
        assert!(cause.starts_with(msg), "{cause}");
        assert!(
            cause.contains("(Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter;"),
            "{cause}"
        );
    }
    let f = call(&r, SDK_SNS_PUBLISH, json!({"TopicArn": TOPIC})).unwrap_err();
    assert_eq!(f.error.as_deref(), Some("Sns.InvalidParameterException"));
    assert!(r.is_empty(), "rejected calls are not recorded");
    // TargetArn and PhoneNumber are targets too.
    call(
        &r,
        SNS_PUBLISH,
        json!({"PhoneNumber": "+15555550100", "Message": "m"}),
    )
    .unwrap();
    assert_eq!(r.list(None)[0].target, "+15555550100");
}

#[test]
fn sqs_send_message_md5s_and_fifo() {
    let r = Recorder::new();
    let out = call(
        &r,
        SQS_SEND_MESSAGE,
        json!({"QueueUrl": QUEUE, "MessageBody": "hello"}),
    )
    .unwrap();
    assert_eq!(
        keys(&out),
        [
            "MD5OfMessageBody",
            "MessageId",
            "SdkHttpMetadata",
            "SdkResponseMetadata"
        ]
    );
    assert_eq!(out["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");

    // A JSON body is sent as its text; attributes get SQS's attribute digest.
    let out = call(
        &r,
        SQS_SEND_MESSAGE,
        json!({
            "QueueUrl": format!("{QUEUE}.fifo"),
            "MessageBody": {"a": 1},
            "MessageGroupId": "g1",
            "MessageAttributes": {
                "b": {"DataType": "String", "StringValue": "x"},
                "a": {"DataType": "Number", "StringValue": "1"},
                "c": {"DataType": "Binary", "BinaryValue": "AQID"}
            }
        }),
    )
    .unwrap();
    assert_eq!(out["MD5OfMessageBody"], "bb6cb5c68df4652941caf652a366f2d8");
    assert_eq!(
        out["MD5OfMessageAttributes"],
        "81826f3cf29eee211657488446a1cbf0"
    );
    assert!(out["SequenceNumber"].is_string());
    assert_eq!(keys(&out)[0], "MD5OfMessageAttributes");
    let recs = r.list(Some("sqs"));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].target, format!("{QUEUE}.fifo"));
    assert_eq!(recs[1].id, out["MessageId"].as_str().unwrap());
}

#[test]
fn sqs_wait_for_task_token_records_the_token_message() {
    let r = Recorder::new();
    let resource = format!("{SQS_SEND_MESSAGE}.waitForTaskToken");
    let p = json!({"QueueUrl": QUEUE, "MessageBody": {"token": "abc", "input": {"n": 1}}});
    let out = call(&r, &resource, p.clone()).unwrap();
    assert!(out["MessageId"].is_string());
    let rec = &r.list(Some("sqs"))[0];
    assert_eq!(rec.payload["MessageBody"]["token"], "abc");
    assert_eq!(rec.resource, resource);
}

#[test]
fn sqs_validation_errors() {
    let r = Recorder::new();
    let cases = [
        (
            json!({"MessageBody": "m"}),
            "AmazonSQSException",
            "The request must contain the parameter QueueUrl.",
        ),
        (
            json!({"QueueUrl": QUEUE}),
            "AmazonSQSException",
            "The request must contain the parameter MessageBody.",
        ),
        (
            json!({"QueueUrl": QUEUE, "MessageBody": ""}),
            "AmazonSQSException",
            "The request must contain the parameter MessageBody.",
        ),
        (
            json!({"QueueUrl": format!("{QUEUE}.fifo"), "MessageBody": "m"}),
            "AmazonSQSException",
            "The request must contain the parameter MessageGroupId.",
        ),
        (
            json!({"QueueUrl": QUEUE, "MessageBody": "x".repeat(262_145)}),
            "AmazonSQSException",
            "One or more parameters are invalid.",
        ),
        (
            json!({"QueueUrl": QUEUE, "MessageBody": "m", "DelaySeconds": 901}),
            "AmazonSQSException",
            "Value 901 for parameter DelaySeconds",
        ),
        (
            json!({"QueueUrl": QUEUE, "MessageBody": "bell\u{7}"}),
            "InvalidMessageContentsException",
            "Invalid binary character '#x7'",
        ),
        (
            json!({"QueueUrl": QUEUE, "MessageBody": "m", "MessageAttributes": {"a": {"DataType": "Date", "StringValue": "x"}}}),
            "AmazonSQSException",
            "The type of message (user) attribute 'a' is invalid.",
        ),
    ];
    for (p, class, msg) in cases {
        let f = call(&r, SQS_SEND_MESSAGE, p.clone()).unwrap_err();
        assert_eq!(f.error.unwrap(), format!("SQS.{class}"), "{p}");
        let cause = f.cause.unwrap();
        assert!(cause.starts_with(msg), "{cause}");
    }
    let f = call(&r, SDK_SQS_SEND_MESSAGE, json!({"QueueUrl": QUEUE})).unwrap_err();
    assert_eq!(f.error.as_deref(), Some("Sqs.MissingParameterException"));
    assert!(r.is_empty());
}

#[test]
fn put_events_appends_arns_and_reports_failed_entries() {
    let r = Recorder::new();
    let p = json!({"Entries": [
        {"Source": "batch", "DetailType": "BatchDone", "Detail": {"rows": 3}, "EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/ops"},
        {"Source": "batch", "DetailType": "BatchDone", "Detail": "{\"rows\": 4}", "Resources": ["r1"]}
    ]});
    let out = call(&r, EVENTS_PUT_EVENTS, p).unwrap();
    assert_eq!(keys(&out), ["Entries", "FailedEntryCount"]);
    assert_eq!(out["FailedEntryCount"], 0);
    assert_eq!(out["Entries"].as_array().unwrap().len(), 2);
    assert!(out["Entries"][0]["EventId"].is_string());
    let rec = &r.list(Some("events"))[0];
    assert_eq!(rec.target, "ops,default");
    assert_eq!(
        rec.payload["Entries"][1]["Resources"],
        json!([
            "r1",
            "arn:aws:states:us-east-1:123456789012:execution:batch:run-1",
            "arn:aws:states:us-east-1:123456789012:stateMachine:batch"
        ])
    );

    // One bad entry fails the optimized task with EventBridge.FailedEntry; the call happened.
    let p = json!({"Entries": [
        {"Source": "batch", "DetailType": "X", "Detail": {}},
        {"Source": "batch", "Detail": {}},
        {"Source": "batch", "DetailType": "X", "Detail": "not json"}
    ]});
    let f = call(&r, EVENTS_PUT_EVENTS, p.clone()).unwrap_err();
    assert_eq!(f.error.as_deref(), Some("EventBridge.FailedEntry"));
    let resp: Value = serde_json::from_str(f.cause.as_deref().unwrap()).unwrap();
    assert_eq!(resp["FailedEntryCount"], 2);
    assert_eq!(resp["Entries"][1]["ErrorCode"], "InvalidArgument");
    assert_eq!(resp["Entries"][2]["ErrorCode"], "MalformedDetail");
    assert_eq!(r.list(Some("events")).len(), 2);

    // The SDK integration returns the same response without failing, and appends nothing.
    let out = call(&r, SDK_EVENTBRIDGE_PUT_EVENTS, p).unwrap();
    assert_eq!(out["FailedEntryCount"], 2);
    assert!(
        r.list(Some("events"))[2].payload["Entries"][0]
            .get("Resources")
            .is_none()
    );

    for bad in [
        json!({}),
        json!({"Entries": []}),
        json!({"Entries": vec![json!({}); 11]}),
    ] {
        let f = call(&r, EVENTS_PUT_EVENTS, bad).unwrap_err();
        assert_eq!(
            f.error.as_deref(),
            Some("EventBridge.AmazonEventBridgeException")
        );
    }
}

#[test]
fn hook_sees_each_record_and_restore_does_not_call_it() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let r = Recorder::new().with_on_record(move |rec| s.lock().unwrap().push(rec.id.clone()));
    call(&r, SNS_PUBLISH, json!({"TopicArn": TOPIC, "Message": "a"})).unwrap();
    call(
        &r,
        SQS_SEND_MESSAGE,
        json!({"QueueUrl": QUEUE, "MessageBody": "b"}),
    )
    .unwrap();
    let ids: Vec<String> = r.list(None).into_iter().map(|x| x.id).collect();
    assert_eq!(*seen.lock().unwrap(), ids);

    // A recorder that keeps none (the server's) still hands every record to its hook.
    let handed = Arc::new(Mutex::new(0));
    let h = handed.clone();
    let none = Recorder::new()
        .keeping_none()
        .with_on_record(move |_| *h.lock().unwrap() += 1);
    call(
        &none,
        SNS_PUBLISH,
        json!({"TopicArn": TOPIC, "Message": "a"}),
    )
    .unwrap();
    assert!(none.is_empty());
    assert_eq!(*handed.lock().unwrap(), 1);
    assert_eq!(seen.lock().unwrap().len(), 2);
    // Records survive a JSON round trip (the server persists them).
    let json = serde_json::to_string(&r.list(None)).unwrap();
    let back: Vec<Record> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r.list(None));
    r.clear();
    assert!(r.is_empty());
}

#[test]
fn resources_and_unknown_calls() {
    let all = resources();
    assert_eq!(all.len(), 12);
    assert!(all.contains(&"arn:aws:states:::events:putEvents.waitForTaskToken".to_string()));
    let r = Recorder::new();
    let f = call(&r, "arn:aws:states:::sns:publish.sync", json!({})).unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
    let f = call(&r, SNS_PUBLISH, json!([1])).unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
}

#[test]
fn base64_decoding() {
    let hell = Some(b"hell".to_vec());
    let hello = Some(b"hello".to_vec());
    let cases: &[(&str, Option<Vec<u8>>)] = &[
        ("AQID", Some(vec![1, 2, 3])),
        ("", Some(vec![])),
        // Padding is optional, and a short one is read as the end.
        ("aGVsbG8=", hello.clone()),
        ("aGVsbG8", hello.clone()),
        ("aGVsbA==", hell.clone()),
        ("aGVsbA=", hell.clone()),
        ("aGVsbA", hell.clone()),
        // Unused bits of the last character are ignored, as Java's decoder ignores them.
        ("aGVsbG9", hello),
        // Malformed: outside the alphabet (no line breaks or spaces either), text after the
        // padding, too much padding, a length no encoding has.
        ("a*b", None),
        ("aGVs bG8=", None),
        ("aGVsbA=x", None),
        ("aGVsbA===", None),
        ("AQIDB", None),
        ("=", None),
        ("aGVsbG8-", None),
    ];
    for (text, want) in cases {
        assert_eq!(base64_decode(text), *want, "{text:?}");
    }
}
