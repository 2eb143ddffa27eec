//! A Distributed Map's `ResultWriter`: the children's results formatted as its `WriterConfig`
//! says and, with a `Resource`, exported through the handler registered for it
//! (`arn:aws:states:::s3:putObject`) as AWS lays them out:
//!
//! ```text
//! <Prefix>/<map run id>/SUCCEEDED_0.json   FAILED_0.json   PENDING_0.json   manifest.json
//! ```
//!
//! Each file goes to the handler as one `putObject` request (`Bucket`, `Key`, `Body`); the Map
//! state's result is then `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`, the key
//! being the manifest's. With `WriterConfig` alone nothing is exported and the result is the
//! formatted results themselves.
//!
//! Choices where AWS's documentation says nothing:
//! - AWS starts a new `<STATUS>_<n>.json` every 5 GB; one file per status is written here.
//! - A file is written only for a status with entries, and the manifest lists only the files
//!   written (an empty list for the others, as AWS's own manifests show for `FAILED` and
//!   `PENDING`).
//! - `OutputType: JSONL` keeps the `.json` names: AWS documents only those.
//! - Entries are in item order.
//! - A child still running when the map run failed is `ABORTED` (in `FAILED_0.json`, without
//!   `Error`/`Cause`); an item never started is `PENDING`: its `Input` and `Status` only.
//! - A `WriterConfig` without `Transformation` means `NONE` when exporting and `COMPACT`
//!   otherwise; without `OutputType`, `JSON`. `OutputType` only shapes the files.
//! - A `Prefix`'s trailing `/` is dropped (no `//` in the keys).
//! - When a failed map run's results cannot be written either, the run's failure is reported.

use asl_core::StatesError;
use asl_core::dataflow::to_json_text;
use asl_core::error::names;
use asl_core::model::Map as MapState;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::call_integration;
use crate::engine::TaskFailure;
use crate::engine::exec::iso;
use crate::engine::kernel::{StateError, StateRun};
use crate::engine::replay::stable_token;

/// `WriterConfig.Transformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transformation {
    /// Each child's metadata, its input and output as JSON text.
    None,
    /// The children's outputs.
    Compact,
    /// The children's outputs, those that are arrays merged into one array.
    Flatten,
}

/// `WriterConfig.OutputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputType {
    /// A JSON array.
    Json,
    /// One JSON document per line.
    Jsonl,
}

/// Where the results go: the resource and the evaluated `Bucket` and `Prefix`.
#[derive(Debug)]
struct Export {
    resource: String,
    bucket: String,
    prefix: String,
}

/// A `ResultWriter`, checked and its parameters evaluated, before the map run starts.
#[derive(Debug)]
pub(crate) struct Writer {
    transformation: Transformation,
    output_type: OutputType,
    export: Option<Export>,
}

/// What became of one item of a map run.
#[derive(Debug, Clone)]
pub(crate) struct Child {
    /// The child's input (the item after `ItemSelector` or batching).
    pub input: Value,
    /// When it started; `None` for an item never started.
    pub start: Option<DateTime<Utc>>,
    /// When it ended.
    pub stop: Option<DateTime<Utc>>,
    /// Its output or failure; `None` while running (aborted, if the run ended).
    pub result: Option<Result<Value, TaskFailure>>,
}

impl Child {
    /// An item that was never started.
    pub fn pending(input: Value) -> Child {
        Child {
            input,
            start: None,
            stop: None,
            result: None,
        }
    }

    /// A child started at `at`.
    pub fn started(input: Value, at: DateTime<Utc>) -> Child {
        Child {
            input,
            start: Some(at),
            stop: None,
            result: None,
        }
    }

    fn status(&self) -> &'static str {
        match (&self.start, &self.result) {
            (None, _) => "PENDING",
            (Some(_), Some(Ok(_))) => "SUCCEEDED",
            (Some(_), Some(Err(_))) => "FAILED",
            (Some(_), None) => "ABORTED",
        }
    }
}

/// The names a map run gives its children.
pub(crate) struct MapRunIds<'a> {
    /// The map run's ARN; the children's names derive from it.
    pub map_run_arn: &'a str,
    /// The part of the ARN after its last `:`.
    pub map_run_id: &'a str,
    /// The children's state machine (`<state machine>/<label>`).
    pub state_machine_arn: &'a str,
    /// The children run as Express executions (no history of their own).
    pub express: bool,
    /// The children's ARN up to their name.
    pub execution_arn_prefix: String,
}

impl MapRunIds<'_> {
    /// A child's name: stable for a map run and item, like the engine's task tokens.
    pub fn child_name(&self, index: usize) -> String {
        stable_token(self.map_run_arn, index as u64, "map-run-child")
    }

    /// A child's execution ARN: its name after [`MapRunIds::execution_arn_prefix`].
    pub fn child_arn(&self, name: &str) -> String {
        format!("{}:{name}", self.execution_arn_prefix)
    }
}

fn one_of<T: Copy>(
    config: Option<&Map<String, Value>>,
    field: &str,
    choices: &[(&str, T)],
    default: T,
) -> Result<T, StatesError> {
    let Some(v) = config.and_then(|c| c.get(field)) else {
        return Ok(default);
    };
    choices
        .iter()
        .find(|(name, _)| v.as_str() == Some(name))
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            StatesError::runtime(format!(
                "The value for the field 'ResultWriter.WriterConfig.{field}' must be one of [{}], but was: {}",
                names.join(", "),
                to_json_text(v)
            ))
        })
}

fn writer_failed(cause: impl Into<String>) -> StateError {
    StateError::Plain(TaskFailure::new(names::RESULT_WRITER_FAILED, cause))
}

impl Writer {
    /// Checks the `ResultWriter` and evaluates its `Parameters`/`Arguments` against the
    /// state's effective input.
    pub fn prepare(
        run: &StateRun<'_>,
        m: &MapState,
        raw: &Value,
        effective: &Value,
    ) -> Result<Writer, StateError> {
        let resource = match raw.get("Resource") {
            None => None,
            Some(Value::String(r)) => Some(r.clone()),
            Some(other) => {
                return Err(StatesError::runtime(format!(
                    "The value for the field 'ResultWriter.Resource' must be a string, but was: {}",
                    to_json_text(other)
                ))
                .into());
            }
        };
        let config = match raw.get("WriterConfig") {
            None => None,
            Some(Value::Object(c)) => Some(c),
            Some(other) => {
                return Err(StatesError::runtime(format!(
                    "The value for the field 'ResultWriter.WriterConfig' must be an object, but was: {}",
                    to_json_text(other)
                ))
                .into());
            }
        };
        if resource.is_none() && config.is_none() {
            return Err(StatesError::runtime(
                "The ResultWriter field cannot be empty: it needs a Resource with Parameters, a WriterConfig, or both",
            )
            .into());
        }
        // Exporting without a WriterConfig writes NONE; without a ResultWriter (or with an
        // incomplete WriterConfig and no export) results are COMPACT, as AWS documents.
        let transformation = one_of(
            config,
            "Transformation",
            &[
                ("NONE", Transformation::None),
                ("COMPACT", Transformation::Compact),
                ("FLATTEN", Transformation::Flatten),
            ],
            if resource.is_some() {
                Transformation::None
            } else {
                Transformation::Compact
            },
        )?;
        let output_type = one_of(
            config,
            "OutputType",
            &[("JSON", OutputType::Json), ("JSONL", OutputType::Jsonl)],
            OutputType::Json,
        )?;
        let export = match resource {
            None => None,
            Some(resource) => {
                let parameters = match &m.result_writer_parameters {
                    Some(t) => run.eval_template(t, effective, None, None, "ResultWriter")?,
                    None => Value::Object(Map::new()),
                };
                let bucket = match parameters.get("Bucket") {
                    Some(Value::String(b)) if !b.is_empty() => b.clone(),
                    other => {
                        return Err(writer_failed(format!(
                            "The ResultWriter's Bucket must be a non-empty string, but was: {}",
                            other.map_or("absent".into(), to_json_text)
                        )));
                    }
                };
                let prefix = match parameters.get("Prefix") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(p)) => p.trim_end_matches('/').to_string(),
                    Some(other) => {
                        return Err(writer_failed(format!(
                            "The ResultWriter's Prefix must be a string, but was: {}",
                            to_json_text(other)
                        )));
                    }
                };
                Some(Export {
                    resource,
                    bucket,
                    prefix,
                })
            }
        };
        Ok(Writer {
            transformation,
            output_type,
            export,
        })
    }

    /// The Map state's result after a map run that succeeded: the export's pointer, or the
    /// formatted results when nothing is exported.
    pub async fn finish(
        &self,
        run: &StateRun<'_>,
        ids: &MapRunIds<'_>,
        children: &[Child],
    ) -> Result<Value, TaskFailure> {
        match self.export(run, ids, children).await? {
            Some(pointer) => Ok(pointer),
            None => Ok(self.output(ids, children)),
        }
    }

    /// The results as the state's output (`WriterConfig` alone). A failed child shows as its
    /// metadata whatever the transformation, as AWS documents.
    fn output(&self, ids: &MapRunIds<'_>, children: &[Child]) -> Value {
        let values = children.iter().enumerate().map(|(i, c)| match &c.result {
            Some(Ok(v)) if self.transformation != Transformation::None => v.clone(),
            _ => entry(ids, i, c),
        });
        Value::Array(match self.transformation {
            Transformation::Flatten => flatten(values),
            _ => values.collect(),
        })
    }

    /// Writes the result files and the manifest, when there is somewhere to write them;
    /// returns the manifest's pointer.
    pub async fn export(
        &self,
        run: &StateRun<'_>,
        ids: &MapRunIds<'_>,
        children: &[Child],
    ) -> Result<Option<Value>, TaskFailure> {
        let Some(export) = &self.export else {
            return Ok(None);
        };
        let folder = if export.prefix.is_empty() {
            format!("{}/", ids.map_run_id)
        } else {
            format!("{}/{}/", export.prefix, ids.map_run_id)
        };
        let entries = |statuses: &[&str]| -> Vec<Value> {
            children
                .iter()
                .enumerate()
                .filter(|(_, c)| statuses.contains(&c.status()))
                .map(|(i, c)| entry(ids, i, c))
                .collect()
        };
        let outputs = children.iter().filter_map(|c| match &c.result {
            Some(Ok(v)) => Some(v.clone()),
            _ => None,
        });
        let succeeded = match self.transformation {
            Transformation::None => entries(&["SUCCEEDED"]),
            Transformation::Compact => outputs.collect(),
            Transformation::Flatten => flatten(outputs),
        };
        let files = [
            ("FAILED", entries(&["FAILED", "ABORTED"])),
            ("PENDING", entries(&["PENDING"])),
            ("SUCCEEDED", succeeded),
        ];
        let mut listed = Map::new();
        for (status, values) in &files {
            let mut written = Vec::new();
            if !values.is_empty() {
                let key = format!("{folder}{status}_0.json");
                let size = self.put(run, export, &key, self.body(values)).await?;
                written.push(json!({"Key": key, "Size": size}));
            }
            listed.insert((*status).to_string(), Value::Array(written));
        }
        let manifest = json!({
            "DestinationBucket": export.bucket,
            "MapRunArn": ids.map_run_arn,
            "ResultFiles": listed,
        });
        let key = format!("{folder}manifest.json");
        self.put(run, export, &key, to_json_text(&manifest)).await?;
        Ok(Some(json!({
            "MapRunArn": ids.map_run_arn,
            "ResultWriterDetails": {"Bucket": export.bucket, "Key": key},
        })))
    }

    fn body(&self, values: &[Value]) -> String {
        match self.output_type {
            OutputType::Json => to_json_text(&Value::Array(values.to_vec())),
            OutputType::Jsonl => values.iter().map(|v| to_json_text(v) + "\n").collect(),
        }
    }

    /// One `putObject`; returns the body's size in bytes.
    async fn put(
        &self,
        run: &StateRun<'_>,
        export: &Export,
        key: &str,
        body: String,
    ) -> Result<usize, TaskFailure> {
        let size = body.len();
        let parameters = json!({"Bucket": export.bucket, "Key": key, "Body": body});
        match call_integration(run, &export.resource, &parameters).await {
            None => Err(TaskFailure::new(
                names::RESULT_WRITER_FAILED,
                crate::service_errors::missing_resource(&export.resource, &parameters)
                    .and_then(|f| f.cause)
                    .unwrap_or_else(|| format!(
                        "No handler is configured in sfn-local for the ResultWriter resource '{}' (state '{}').",
                        export.resource, run.state.name
                    )),
            )),
            Some(Err(f)) => Err(TaskFailure::new(
                names::RESULT_WRITER_FAILED,
                f.cause.or(f.error).unwrap_or_default(),
            )),
            Some(Ok(_)) => Ok(size),
        }
    }
}

/// A child as AWS's `NONE` transformation writes it, its fields in alphabetical order.
fn entry(ids: &MapRunIds<'_>, index: usize, c: &Child) -> Value {
    let mut o = Map::new();
    let status = c.status();
    let Some(start) = c.start else {
        o.insert("Input".into(), json!(to_json_text(&c.input)));
        o.insert("InputDetails".into(), json!({"Included": true}));
        o.insert("Status".into(), json!(status));
        return Value::Object(o);
    };
    if let Some(Err(f)) = &c.result {
        if let Some(cause) = &f.cause {
            o.insert("Cause".into(), json!(cause));
        }
        if let Some(error) = &f.error {
            o.insert("Error".into(), json!(error));
        }
    }
    let name = ids.child_name(index);
    o.insert("ExecutionArn".into(), json!(ids.child_arn(&name)));
    o.insert("Input".into(), json!(to_json_text(&c.input)));
    o.insert("InputDetails".into(), json!({"Included": true}));
    o.insert("Name".into(), json!(name));
    if let Some(Ok(v)) = &c.result {
        o.insert("Output".into(), json!(to_json_text(v)));
    }
    o.insert("OutputDetails".into(), json!({"Included": true}));
    o.insert("RedriveCount".into(), json!(0));
    if status == "SUCCEEDED" {
        o.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
        o.insert(
            "RedriveStatusReason".into(),
            json!("Execution is SUCCEEDED and cannot be redriven"),
        );
    } else {
        o.insert("RedriveStatus".into(), json!("REDRIVABLE_BY_MAP_RUN"));
    }
    o.insert("StartDate".into(), json!(iso(start)));
    o.insert("StateMachineArn".into(), json!(ids.state_machine_arn));
    o.insert("Status".into(), json!(status));
    o.insert("StopDate".into(), json!(iso(c.stop.unwrap_or(start))));
    Value::Object(o)
}

/// Values that are arrays give their elements; others stay as they are.
fn flatten(values: impl Iterator<Item = Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for v in values {
        match v {
            Value::Array(a) => out.extend(a),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_merges_arrays_only() {
        let got = flatten([json!([1, 2]), json!(3), json!([]), json!([[4]])].into_iter());
        assert_eq!(got, [json!(1), json!(2), json!(3), json!([4])]);
    }
}
