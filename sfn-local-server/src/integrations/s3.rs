//! A local S3 for `arn:aws:states:::s3:getObject` and `s3:listObjectsV2` (Task states and Map
//! `ItemReader`s): bucket `B`, key `K` is the file `<root>/B/K`.

use std::path::{Component, Path, PathBuf};

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Value, json};

/// `s3:getObject`.
pub const GET_OBJECT: &str = "arn:aws:states:::s3:getObject";
/// `s3:listObjectsV2`.
pub const LIST_OBJECTS: &str = "arn:aws:states:::s3:listObjectsV2";

/// Buckets as folders under a root.
#[derive(Debug, Clone)]
pub struct LocalS3 {
    root: PathBuf,
}

fn s3_error(code: &str, message: &str, status: u16) -> TaskFailure {
    TaskFailure::new(
        format!("S3.{code}Exception"),
        format!(
            "{message} (Service: S3, Status Code: {status}, Request ID: {})",
            uuid::Uuid::new_v4().simple()
        ),
    )
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

    /// Registers `getObject` and `listObjectsV2`.
    pub fn register(&self, handlers: Handlers) -> Handlers {
        handlers
            .resource(GET_OBJECT, self.clone())
            .resource(LIST_OBJECTS, self.clone())
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
        let body = std::fs::read_to_string(&path)
            .map_err(|_| s3_error("NoSuchKey", "The specified key does not exist.", 404))?;
        Ok(
            json!({"Body": body, "ContentLength": body.len(), "ContentType": "application/octet-stream"}),
        )
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
            if req.resource == LIST_OBJECTS {
                me.list(&req.parameters)
            } else {
                me.get(&req.parameters)
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
}
