//! The local stand-ins for ECS task definitions, as the server's configuration file gives them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where task definitions live locally, loaded from the server's configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EcsConfig {
    /// Task definitions by family (`batch`), `family:revision` or full ARN; a request finds
    /// its definition by exact key first, then by family.
    pub task_definitions: HashMap<String, TaskDefinition>,
    /// Directory of the task logs (`<task id>.log`), created on first use.
    pub log_dir: PathBuf,
    /// Region of the ARNs (default `us-east-1`).
    #[serde(default = "default_region")]
    pub region: String,
    /// Account of the ARNs (default `123456789012`).
    #[serde(default = "default_account")]
    pub account: String,
    /// When set, a task that cannot start (missing working directory or command) makes the
    /// RunTask call fail with this error name instead of stopping with
    /// `StopCode: TaskFailedToStart` (which AWS surfaces as `States.TaskFailed` in `.sync`).
    #[serde(default)]
    pub launch_failure_error: Option<String>,
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_account() -> String {
    "123456789012".into()
}

/// One local task definition: what the (single, essential) container runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskDefinition {
    /// The process's working directory (stands for the container image).
    pub working_dir: PathBuf,
    /// The default command (program and arguments), replaced by a `Command` override. A
    /// relative program path containing `/` is resolved against `working_dir`.
    #[serde(default)]
    pub command: Vec<String>,
    /// Base environment, added to the server's own environment; overrides are added on top.
    /// In JSON either an object (`{"K": "V"}`) or a list of `[k, v]` / `{"Name", "Value"}`.
    #[serde(default, with = "env_format")]
    pub environment: Vec<(String, String)>,
    /// The container's name, which `ContainerOverrides[].Name` must match (default: the
    /// family).
    #[serde(default)]
    pub container_name: String,
    /// Kills the process after this long (JSON: `timeoutSeconds`, a number); the task then
    /// stops with exit code 137.
    #[serde(default, rename = "timeoutSeconds", with = "opt_secs")]
    pub timeout: Option<Duration>,
}

mod env_format {
    use std::fmt;

    use serde::de::{self, MapAccess, SeqAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, val) in v {
            m.serialize_entry(k, val)?;
        }
        m.end()
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Pair(String, String),
        #[serde(rename_all = "PascalCase")]
        Named {
            name: String,
            value: String,
        },
    }

    struct EnvVisitor;

    impl<'de> Visitor<'de> for EnvVisitor {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(r#"an object of strings, or a list of ["NAME", "value"] or {"Name": ..., "Value": ...}"#)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                out.push((k, v));
            }
            Ok(out)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(e) = seq.next_element::<Entry>()? {
                out.push(match e {
                    Entry::Pair(k, v) | Entry::Named { name: k, value: v } => (k, v),
                });
            }
            Ok(out)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        d.deserialize_any(EnvVisitor)
            .map_err(|e: D::Error| de::Error::custom(format!("environment: {e}")))
    }
}

mod opt_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_f64(d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<f64>::deserialize(d)? {
            None => Ok(None),
            Some(s) => Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .map(Some)
                .ok_or_else(|| {
                    de::Error::custom(format!(
                        "timeoutSeconds: {s} is not a positive number of seconds"
                    ))
                }),
        }
    }
}

/// `arn:...:task-definition/family:3`, `family:3` or `family` -> `family`.
pub(crate) fn family_of(name: &str) -> &str {
    let tail = name
        .rsplit_once(":task-definition/")
        .map_or(name, |(_, t)| t);
    tail.split(':').next().unwrap_or(tail)
}

/// The revision in `family:3` or an ARN ending in `:3`.
pub(crate) fn revision_of(name: &str) -> Option<u32> {
    let tail = name
        .rsplit_once(":task-definition/")
        .map_or(name, |(_, t)| t);
    tail.split_once(':').and_then(|(_, r)| r.parse().ok())
}

impl EcsConfig {
    /// The task definition a request names (family, `family:revision` or ARN), with the key
    /// it is configured under.
    pub fn task_definition(&self, name: &str) -> Option<(&str, &TaskDefinition)> {
        if let Some((k, td)) = self.task_definitions.get_key_value(name) {
            return Some((k.as_str(), td));
        }
        let family = family_of(name);
        let mut matches: Vec<(&String, &TaskDefinition)> = self
            .task_definitions
            .iter()
            .filter(|(k, _)| family_of(k) == family)
            .collect();
        matches.sort_by(|a, b| a.0.cmp(b.0));
        let wanted = revision_of(name);
        matches
            .iter()
            .find(|(k, _)| wanted.is_some() && revision_of(k) == wanted)
            .or_else(|| matches.first())
            .map(|(k, td)| (k.as_str(), *td))
    }

    pub(crate) fn arn(&self, rest: &str) -> String {
        format!("arn:aws:ecs:{}:{}:{rest}", self.region, self.account)
    }
}
