//! A local S3 for `arn:aws:states:::s3:getObject`, `s3:listObjectsV2` and `s3:putObject` (Map
//! `ItemReader`s and `ResultWriter`s) and for Task states' `aws-sdk:s3:getObject`,
//! `putObject`, `listObjectsV2` and `deleteObject`: bucket `B`, key `K` is the file
//! `<root>/B/K`. Buckets are the folders already there; keys never leave their bucket's
//! folder. Another `aws-sdk:s3` action fails as one the local S3 does not serve.

use std::path::{Component, Path, PathBuf};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Value, json};

/// `s3:getObject`.
pub const GET_OBJECT: &str = "arn:aws:states:::s3:getObject";
/// `s3:listObjectsV2`.
pub const LIST_OBJECTS: &str = "arn:aws:states:::s3:listObjectsV2";
/// `s3:putObject`.
pub const PUT_OBJECT: &str = "arn:aws:states:::s3:putObject";
/// Task states' S3 actions.
pub const SDK_PREFIX: &str = "arn:aws:states:::aws-sdk:s3:";

/// Buckets as folders under a root.
#[derive(Debug, Clone)]
pub struct LocalS3 {
    root: PathBuf,
}

fn s3_error(code: &str, message: &str, status: u16) -> TaskFailure {
    use asl_interpreter::service_errors::{Api, S3, named_failure};
    let id = uuid::Uuid::new_v4().simple().to_string();
    named_failure(Api::Sdk, S3.sdk, code, message, status, Some(&id))
}

/// `getObject`'s answer: the body as text, or in base64 when the engine asked for the bytes
/// ([`asl_interpreter::BINARY_BODY_PARAMETER`], a Parquet ItemReader).
pub(crate) fn body_answer(p: &Value, bytes: &[u8], content_type: &str) -> Value {
    if p.get(asl_interpreter::BINARY_BODY_PARAMETER).is_some() {
        use base64::Engine;
        return json!({
            "Body": base64::engine::general_purpose::STANDARD.encode(bytes),
            "BodyEncoding": "base64",
            "ContentLength": bytes.len(),
            "ContentType": content_type,
        });
    }
    json!({
        "Body": String::from_utf8_lossy(bytes),
        "ContentLength": bytes.len(),
        "ContentType": content_type,
    })
}

/// A bucket or key as a relative path with no `..`, or `None`.
fn safe(part: &str) -> Option<&Path> {
    let p = Path::new(part);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(p)
}

impl LocalS3 {
    /// Buckets under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalS3 { root: root.into() }
    }

    /// Registers `getObject`, `listObjectsV2` and `putObject`.
    pub fn register(&self, handlers: Handlers) -> Handlers {
        handlers
            .resource(GET_OBJECT, self.clone())
            .resource(LIST_OBJECTS, self.clone())
            .resource(PUT_OBJECT, self.clone())
            .prefix(SDK_PREFIX, self.clone())
    }

    fn bucket(&self, p: &Value) -> Result<PathBuf, TaskFailure> {
        let b = p.get("Bucket").and_then(Value::as_str).unwrap_or_default();
        let dir = safe(b)
            .filter(|_| !b.is_empty())
            .map(|b| self.root.join(b))
            .ok_or_else(|| {
                s3_error(
                    "InvalidBucketName",
                    "The specified bucket is not valid.",
                    400,
                )
            })?;
        if !dir.is_dir() {
            return Err(s3_error(
                "NoSuchBucket",
                "The specified bucket does not exist",
                404,
            ));
        }
        Ok(dir)
    }

    fn get(&self, p: &Value) -> Result<Value, TaskFailure> {
        let dir = self.bucket(p)?;
        let key = p.get("Key").and_then(Value::as_str).unwrap_or_default();
        let path = safe(key)
            .filter(|_| !key.is_empty())
            .map(|k| dir.join(k))
            .ok_or_else(|| s3_error("NoSuchKey", "The specified key does not exist.", 404))?;
        let bytes = std::fs::read(&path)
            .map_err(|_| s3_error("NoSuchKey", "The specified key does not exist.", 404))?;
        Ok(body_answer(p, &bytes, "application/octet-stream"))
    }

    /// Writes the object's file (its folders too) and answers as S3's PutObject does. A
    /// `Body` that is not text is written as its JSON text, as the S3 integration sends it.
    fn put(&self, p: &Value) -> Result<Value, TaskFailure> {
        let dir = self.bucket(p)?;
        let key = p.get("Key").and_then(Value::as_str).unwrap_or_default();
        let path = safe(key)
            .filter(|_| !key.is_empty())
            .map(|k| dir.join(k))
            .ok_or_else(|| {
                s3_error(
                    "InvalidArgument",
                    &format!(
                        "The key '{key}' is not supported by the local S3: a key must not be empty, start with '/' or have '..' segments."
                    ),
                    400,
                )
            })?;
        let body = match p.get("Body") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => asl_core::dataflow::to_json_text(other),
        };
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &body));
        if let Err(e) = written {
            return Err(s3_error(
                "InternalError",
                &format!("The object could not be written to {}: {e}", path.display()),
                500,
            ));
        }
        let etag = super::sinks::md5_hex(body.as_bytes());
        Ok(json!({"ETag": format!("\"{etag}\"")}))
    }

    /// Removes the object's file; a key that is not there is no error, as in S3.
    fn delete(&self, p: &Value) -> Result<Value, TaskFailure> {
        let dir = self.bucket(p)?;
        let key = p.get("Key").and_then(Value::as_str).unwrap_or_default();
        if let Some(path) = safe(key).filter(|_| !key.is_empty()).map(|k| dir.join(k))
            && path.is_file()
            && let Err(e) = std::fs::remove_file(&path)
        {
            return Err(s3_error(
                "InternalError",
                &format!(
                    "The object could not be removed from {}: {e}",
                    path.display()
                ),
                500,
            ));
        }
        Ok(json!({}))
    }

    fn list(&self, p: &Value) -> Result<Value, TaskFailure> {
        let dir = self.bucket(p)?;
        let prefix = p.get("Prefix").and_then(Value::as_str).unwrap_or_default();
        let mut keys = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(&dir) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    if key.starts_with(prefix) {
                        let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                        keys.push((key, size));
                    }
                }
            }
        }
        keys.sort();
        let contents: Vec<Value> = keys
            .into_iter()
            .map(|(k, size)| json!({"Key": k, "Size": size, "StorageClass": "STANDARD"}))
            .collect();
        Ok(json!({"KeyCount": contents.len(), "Contents": contents, "IsTruncated": false}))
    }
}

impl TaskHandler for LocalS3 {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let me = self.clone();
        Box::pin(async move {
            let action = super::action_of(&req.resource);
            match action.as_str() {
                "listObjectsV2" => me.list(&req.parameters),
                "putObject" => me.put(&req.parameters),
                "getObject" => me.get(&req.parameters),
                "deleteObject" => me.delete(&req.parameters),
                other => Err(TaskFailure::new(
                    "States.TaskFailed",
                    format!(
                        "The local S3 of sfn-local serves getObject, putObject, listObjectsV2 and deleteObject, not {other} (state '{}'): mock the state, or point S3_ENDPOINT at an S3.",
                        req.state_name
                    ),
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_files_and_paths_cannot_escape() {
        let root =
            std::env::temp_dir().join(format!("sfn-local-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join("b/in")).unwrap();
        std::fs::write(root.join("b/in/items.json"), "[1,2]").unwrap();
        let s3 = LocalS3::new(&root);
        let got = s3
            .get(&json!({"Bucket": "b", "Key": "in/items.json"}))
            .unwrap();
        assert_eq!(got["Body"], "[1,2]");
        let listed = s3.list(&json!({"Bucket": "b", "Prefix": "in/"})).unwrap();
        assert_eq!(listed["Contents"][0]["Key"], "in/items.json");
        let e = s3
            .get(&json!({"Bucket": "b", "Key": "../../etc/passwd"}))
            .unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.NoSuchKeyException"));
        let e = s3.get(&json!({"Bucket": "nope", "Key": "k"})).unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.NoSuchBucketException"));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn put_object_writes_files_inside_the_bucket_only() {
        let root =
            std::env::temp_dir().join(format!("sfn-local-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join("b")).unwrap();
        let s3 = LocalS3::new(&root);
        let got = s3
            .put(&json!({"Bucket": "b", "Key": "out/run/SUCCEEDED_0.json", "Body": "hello"}))
            .unwrap();
        // md5("hello"), quoted as S3 answers it.
        assert_eq!(got, json!({"ETag": "\"5d41402abc4b2a76b9719d911017c592\""}));
        assert_eq!(
            std::fs::read_to_string(root.join("b/out/run/SUCCEEDED_0.json")).unwrap(),
            "hello"
        );
        let read = s3
            .get(&json!({"Bucket": "b", "Key": "out/run/SUCCEEDED_0.json"}))
            .unwrap();
        assert_eq!(read["Body"], "hello");
        s3.put(&json!({"Bucket": "b", "Key": "doc.json", "Body": {"a": [1]}}))
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("b/doc.json")).unwrap(),
            r#"{"a":[1]}"#
        );
        for key in ["../escape.txt", "a/../../escape.txt", "/etc/escape.txt", ""] {
            let e = s3
                .put(&json!({"Bucket": "b", "Key": key, "Body": "x"}))
                .unwrap_err();
            assert_eq!(
                e.error.as_deref(),
                Some("S3.InvalidArgumentException"),
                "{key}"
            );
        }
        assert!(!root.join("escape.txt").exists());
        let e = s3
            .put(&json!({"Bucket": "nope", "Key": "k", "Body": "x"}))
            .unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.NoSuchBucketException"));
        let e = s3
            .put(&json!({"Bucket": "..", "Key": "k", "Body": "x"}))
            .unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.InvalidBucketNameException"));
        let _ = std::fs::remove_dir_all(&root);
    }

    /// Task states' `aws-sdk:s3` actions reach the same files through the handler table.
    #[tokio::test]
    async fn aws_sdk_s3_tasks_use_the_local_folders() {
        let root =
            std::env::temp_dir().join(format!("sfn-local-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join("b")).unwrap();
        let handlers = LocalS3::new(&root).register(Handlers::new());
        let call = |action: &str, p: Value| {
            let resource = format!("{SDK_PREFIX}{action}");
            let h = handlers.find(&resource, &p).expect("a handler");
            let resource = resource.clone();
            h.call(TaskRequest {
                resource,
                parameters: p,
                context: Value::Null,
                task_token: None,
                state_name: "S".into(),
                attempt: 0,
                execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
                test_case: None,
                invocation: 0,
                clock: std::sync::Arc::new(asl_interpreter::VirtualClock::starting_now()),
                function_name: None,
                submitted: None,
            })
        };
        call(
            "putObject",
            json!({"Bucket": "b", "Key": "k.txt", "Body": "hi"}),
        )
        .await
        .unwrap();
        let got = call("getObject", json!({"Bucket": "b", "Key": "k.txt"}))
            .await
            .unwrap();
        assert_eq!(got["Body"], "hi");
        call("deleteObject", json!({"Bucket": "b", "Key": "k.txt"}))
            .await
            .unwrap();
        call("deleteObject", json!({"Bucket": "b", "Key": "k.txt"}))
            .await
            .unwrap();
        let e = call("getObject", json!({"Bucket": "b", "Key": "k.txt"}))
            .await
            .unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.NoSuchKeyException"));
        let e = call("getObject", json!({"Bucket": "nope", "Key": "k"}))
            .await
            .unwrap_err();
        assert_eq!(e.error.as_deref(), Some("S3.NoSuchBucketException"));
        let e = call("copyObject", json!({"Bucket": "b"}))
            .await
            .unwrap_err();
        assert!(e.cause.unwrap().contains("copyObject"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
