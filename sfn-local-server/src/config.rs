//! The configuration file (`--config`, JSON): integrations and schedules, with per-environment
//! overrides selected by `--env`.
//!
//! ```json
//! {
//!   "lambda": {
//!     "endpoint": "http://127.0.0.1:3001",
//!     "functions": {"resize": {"command": ["python3", "resize.py"], "timeoutSeconds": 30}}
//!   },
//!   "ecs": {"logDir": ".sfn-local/ecs-logs", "taskDefinitions": {"batch": {
//!     "workingDir": "batch", "command": ["python3", "sample_batch.py"]}}},
//!   "schedules": [{"name": "nightly", "expression": "cron(0 17 * * ? *)",
//!                  "stateMachine": "batch", "input": {}, "enabled": false}],
//!   "connections": {"Stripe": {"AuthorizationType": "API_KEY", "AuthParameters": {
//!     "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "local"}}}},
//!   "endpoints": {"dynamodb": "http://127.0.0.1:8000", "sqs": "http://127.0.0.1:9324"},
//!   "environments": {"prod": {"lambda": {"endpoint": "http://127.0.0.1:3002"}}}
//! }
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::integrations::ecs::EcsConfig;
use crate::integrations::lambda::FunctionCommand;
use crate::scheduler::ScheduleConfig;

/// Lambda settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LambdaConfig {
    /// A Lambda-compatible endpoint for every function without a command.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Functions run as local commands, by name.
    #[serde(default)]
    pub functions: HashMap<String, FunctionCommand>,
}

/// The local S3.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Config {
    /// Buckets are folders under it.
    pub root: std::path::PathBuf,
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileConfig {
    /// Lambda.
    #[serde(default)]
    pub lambda: LambdaConfig,
    /// ECS RunTask as local processes.
    #[serde(default)]
    pub ecs: Option<EcsConfig>,
    /// Schedules that start executions.
    #[serde(default)]
    pub schedules: Vec<ScheduleConfig>,
    /// The local S3's folder (default: `s3` in the data directory).
    #[serde(default)]
    pub s3: Option<S3Config>,
    /// EventBridge connections for HTTP Tasks, by ARN or name, in `CreateConnection`'s shape
    /// (see [`crate::integrations::http_task`]).
    #[serde(default)]
    pub connections: HashMap<String, crate::integrations::http_task::Connection>,
    /// Service endpoints by service (`dynamodb`, `sqs`, `eventbridge`, `sfn`, `ecs`, `glue`,
    /// `sagemaker`; see [`crate::integrations::endpoints`]); the `*_ENDPOINT` environment
    /// variables win over them.
    #[serde(default)]
    pub endpoints: HashMap<String, String>,
    /// Overrides per environment name, merged over the rest with `--env`.
    #[serde(default)]
    pub environments: HashMap<String, Value>,
}

/// Merges `over` into `base` (objects key by key, anything else replaced).
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

impl FileConfig {
    /// Parses the file's text, applying the overrides of `env`.
    pub fn parse(text: &str, env: Option<&str>) -> Result<FileConfig, String> {
        let mut v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(env) = env {
            let over = v
                .get("environments")
                .and_then(|e| e.get(env))
                .cloned()
                .ok_or_else(|| format!("no environment '{env}' in the configuration"))?;
            merge(&mut v, &over);
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    /// Reads and parses a file.
    pub fn load(path: &Path, env: Option<&str>) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text, env).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_override_the_base() {
        let text = r#"{"lambda": {"endpoint": "http://a", "functions": {"f": {"command": ["x"]}}},
            "environments": {"prod": {"lambda": {"endpoint": "http://b"}}}}"#;
        let dev = FileConfig::parse(text, None).unwrap();
        assert_eq!(dev.lambda.endpoint.as_deref(), Some("http://a"));
        let prod = FileConfig::parse(text, Some("prod")).unwrap();
        assert_eq!(prod.lambda.endpoint.as_deref(), Some("http://b"));
        assert_eq!(prod.lambda.functions["f"].command, ["x"]);
        assert!(
            FileConfig::parse(text, Some("qa"))
                .unwrap_err()
                .contains("qa")
        );
        assert!(FileConfig::parse(r#"{"lamda": {}}"#, None).is_err());
    }
}
