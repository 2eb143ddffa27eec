//! `Map`: inline and distributed.

use serde_json::Value;

use super::{Catcher, NumberField, PayloadTemplate, Retrier, StateMachine, Template};
use crate::jsonata;
use crate::path::JsonPath;

/// `ProcessorConfig.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessorMode {
    /// Iterations run inside the parent execution.
    #[default]
    Inline,
    /// Iterations run as child executions of a map run.
    Distributed,
}

/// `ItemProcessor.ProcessorConfig` (or `Iterator.ProcessorConfig`, which AWS honours too).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessorConfig {
    /// `Mode`.
    pub mode: ProcessorMode,
    /// `ExecutionType` (distributed only): `STANDARD` or `EXPRESS`.
    pub execution_type: Option<String>,
}

/// `ItemBatcher`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `MaxItemsPerBatchPath`.
    pub max_items_per_batch: Option<NumberField>,
    /// `MaxInputBytesPerBatch` / `MaxInputBytesPerBatchPath`.
    pub max_input_bytes_per_batch: Option<NumberField>,
    /// `BatchInput`: merged into every batch object.
    pub batch_input: Option<Template>,
}

/// Characters a Map `Label` may not hold (besides any whitespace and control characters): the
/// label becomes part of the Map Run's ARN and of its child executions' names.
pub const LABEL_FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";

/// Whether `label` is a Map `Label` AWS accepts: 1 to
/// [`MAX_MAP_LABEL_CHARS`](crate::limits::MAX_MAP_LABEL_CHARS) characters, no whitespace,
/// control characters or any of `< > { } [ ] ? * " # % \ ^ | ~ `` ` `` $ & , ; : /`
/// (state-map-distributed page, `Label`).
pub fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= crate::limits::MAX_MAP_LABEL_CHARS
        && !label
            .chars()
            .any(|c| LABEL_FORBIDDEN.contains(c) || c.is_control() || c.is_whitespace())
}

/// A `Map` state.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// `ItemProcessor` (or legacy `Iterator`): the states run for each item.
    pub processor: StateMachine,
    /// `ProcessorConfig`.
    pub config: ProcessorConfig,
    /// `ItemsPath` (JSONPath states).
    pub items_path: Option<JsonPath>,
    /// `Items` (JSONata states): an array or an expression.
    pub items: Option<jsonata::Template>,
    /// `ItemSelector` (or legacy `Parameters`), evaluated per item.
    pub item_selector: Option<Template>,
    /// `ItemReader`, kept as written (`Resource`, `ReaderConfig`, `Parameters`/`Arguments`).
    pub item_reader: Option<Value>,
    /// `ItemReader.Parameters` (JSONPath) or `ItemReader.Arguments` (JSONata), compiled.
    pub item_reader_parameters: Option<Template>,
    /// `ItemBatcher`.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter`, kept as written (`Resource`, `WriterConfig`, `Parameters`/`Arguments`).
    pub result_writer: Option<Value>,
    /// `ResultWriter.Parameters` (JSONPath) or `ResultWriter.Arguments` (JSONata), compiled.
    pub result_writer_parameters: Option<Template>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 or absent: unbounded).
    pub max_concurrency: Option<NumberField>,
    /// `ToleratedFailurePercentage` / `...Path`.
    pub tolerated_failure_percentage: Option<NumberField>,
    /// `ToleratedFailureCount` / `...Path`.
    pub tolerated_failure_count: Option<NumberField>,
    /// `Label`.
    pub label: Option<String>,
    /// `ResultSelector` is in [`super::Io`]; this keeps the legacy `Parameters` distinction.
    pub uses_legacy_parameters: bool,
    /// The processor was given as the legacy `Iterator` rather than `ItemProcessor` (the
    /// pointers inside it say so too).
    pub uses_legacy_iterator: bool,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

impl Map {
    /// The `ItemSelector` as a JSONPath payload template, if it is one.
    pub fn payload_selector(&self) -> Option<&PayloadTemplate> {
        match &self.item_selector {
            Some(Template::Payload(p)) => Some(p),
            _ => None,
        }
    }
}
