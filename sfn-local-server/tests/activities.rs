//! Activities as AWS answers them (issue 16, family 5).
//!
//! AWS's rules, from the Step Functions API reference:
//! - `CreateActivity`: "an idempotent API ... based on the activity name. If a following
//!   request has different tags values, Step Functions will ignore these differences ... tags
//!   will not be updated". The answer is the existing activity's ARN and creation date.
//! - `ActivityAlreadyExists` (400): "Activity already exists. EncryptionConfiguration may not
//!   be updated." — another create of the name with a different encryption configuration.
//! - `EncryptionConfiguration`: `type` one of `AWS_OWNED_KEY` / `CUSTOMER_MANAGED_KMS_KEY`,
//!   `kmsDataKeyReusePeriodSeconds` 60-900 (model constraints: `ValidationException`);
//!   `InvalidEncryptionConfiguration` when the type is `CUSTOMER_MANAGED_KMS_KEY` but
//!   `kmsKeyId` is null. AWS does not document that message's text; ours names the rule.
//! - `DescribeActivity` carries `encryptionConfiguration` (`{"type": "AWS_OWNED_KEY"}` when
//!   none was given).
//! - `DeleteActivity`'s only error is `InvalidArn`: deleting a missing activity succeeds.
//! - `GetActivityTask` / `DescribeActivity` of a missing activity: `ActivityDoesNotExist`.

mod common;

use common::{call, ok, spawn};
use serde_json::{Value, json};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn error(r: &(u16, Value)) -> (u16, &str, &str) {
    let t = r.1["__type"].as_str().unwrap_or_default();
    (
        r.0,
        t.rsplit('#').next().unwrap_or(t),
        r.1["message"].as_str().unwrap_or_default(),
    )
}

#[test]
fn create_is_idempotent_by_name_and_ignores_tags() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let first = ok(
        e,
        "CreateActivity",
        json!({"name": "a", "tags": [{"key": "k", "value": "1"}]}),
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    for again in [
        json!({"name": "a"}),
        json!({"name": "a", "tags": [{"key": "k", "value": "2"}, {"key": "other", "value": "x"}]}),
        json!({"name": "a", "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}),
    ] {
        assert_eq!(ok(e, "CreateActivity", again), first);
    }
    let tags = ok(
        e,
        "ListTagsForResource",
        json!({"resourceArn": first["activityArn"]}),
    );
    assert_eq!(tags["tags"], json!([{"key": "k", "value": "1"}]));
    let listed = ok(e, "ListActivities", json!({}));
    assert_eq!(listed["activities"].as_array().unwrap().len(), 1);
}

#[test]
fn a_different_encryption_configuration_is_activity_already_exists() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    ok(e, "CreateActivity", json!({"name": "plain"}));
    let cmk = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY,
        "kmsDataKeyReusePeriodSeconds": 120});
    ok(
        e,
        "CreateActivity",
        json!({"name": "cmk", "encryptionConfiguration": cmk}),
    );
    let cases = [
        ("plain", cmk.clone()),
        ("cmk", json!({"type": "AWS_OWNED_KEY"})),
        (
            "cmk",
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY,
                "kmsDataKeyReusePeriodSeconds": 300}),
        ),
    ];
    for (name, enc) in cases {
        let r = call(
            e,
            "CreateActivity",
            json!({"name": name, "encryptionConfiguration": enc}),
        );
        assert_eq!(
            error(&r),
            (
                400,
                "ActivityAlreadyExists",
                "Activity already exists. EncryptionConfiguration may not be updated."
            ),
            "{name} {enc}"
        );
    }
    // The same customer key again is the same activity.
    ok(
        e,
        "CreateActivity",
        json!({"name": "cmk", "encryptionConfiguration": cmk}),
    );
}

#[test]
fn encryption_configuration_is_validated() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let cases: [(Value, &str, &str); 5] = [
        (
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY"}),
            "InvalidEncryptionConfiguration",
            "kmsKeyId is required",
        ),
        (
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": null}),
            "InvalidEncryptionConfiguration",
            "kmsKeyId is required",
        ),
        (
            json!({"type": "SOME_KEY"}),
            "ValidationException",
            "Member must satisfy enum value set: [AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]",
        ),
        (
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY, "kmsDataKeyReusePeriodSeconds": 59}),
            "ValidationException",
            "Member must have value greater than or equal to 60",
        ),
        (
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY, "kmsDataKeyReusePeriodSeconds": 901}),
            "ValidationException",
            "Member must have value less than or equal to 900",
        ),
    ];
    for (i, (enc, kind, text)) in cases.into_iter().enumerate() {
        let r = call(
            e,
            "CreateActivity",
            json!({"name": format!("bad{i}"), "encryptionConfiguration": enc}),
        );
        let (status, t, message) = error(&r);
        assert_eq!((status, t), (400, kind), "{enc}: {}", r.1);
        assert!(message.contains(text), "{enc}: {message}");
    }
    // Nothing was created by a refused request.
    let listed = ok(e, "ListActivities", json!({}));
    assert_eq!(listed["activities"], json!([]));
}

#[test]
fn describe_shows_the_encryption_configuration() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let cases = [
        (json!(null), json!({"type": "AWS_OWNED_KEY"})),
        (
            json!({"type": "AWS_OWNED_KEY"}),
            json!({"type": "AWS_OWNED_KEY"}),
        ),
        (
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY, "kmsDataKeyReusePeriodSeconds": 60}),
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY, "kmsDataKeyReusePeriodSeconds": 60}),
        ),
    ];
    for (i, (given, described)) in cases.into_iter().enumerate() {
        let mut req = json!({"name": format!("a{i}")});
        if !given.is_null() {
            req["encryptionConfiguration"] = given;
        }
        let arn = ok(e, "CreateActivity", req)["activityArn"].clone();
        let d = ok(e, "DescribeActivity", json!({"activityArn": arn}));
        assert_eq!(d["encryptionConfiguration"], described);
        assert_eq!(d["name"], json!(format!("a{i}")));
    }
}

#[test]
fn missing_and_deleted_activities() {
    let p = spawn(&["--in-memory"]);
    let e = &p.endpoint;
    let missing = "arn:aws:states:us-east-1:123456789012:activity:never";
    // Deleting what does not exist succeeds.
    assert_eq!(
        ok(e, "DeleteActivity", json!({"activityArn": missing})),
        json!({})
    );
    let arn = ok(e, "CreateActivity", json!({"name": "gone"}))["activityArn"]
        .as_str()
        .unwrap()
        .to_string();
    ok(e, "DeleteActivity", json!({"activityArn": arn}));
    ok(e, "DeleteActivity", json!({"activityArn": arn}));
    for a in [missing, arn.as_str()] {
        for op in ["GetActivityTask", "DescribeActivity"] {
            let r = call(e, op, json!({"activityArn": a}));
            assert_eq!(
                error(&r),
                (
                    400,
                    "ActivityDoesNotExist",
                    format!("Activity Does Not Exist: '{a}'").as_str()
                ),
                "{op} {a}"
            );
        }
    }
    // A deleted name can be created again, as a new activity without the old tags.
    let again = ok(e, "CreateActivity", json!({"name": "gone"}));
    assert_eq!(again["activityArn"], json!(arn));
    let tags = ok(e, "ListTagsForResource", json!({"resourceArn": arn}));
    assert_eq!(tags["tags"], json!([]));
    // An ARN that is not an activity's is InvalidArn.
    let r = call(
        e,
        "DeleteActivity",
        json!({"activityArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}),
    );
    assert_eq!(error(&r).1, "InvalidArn");
}
