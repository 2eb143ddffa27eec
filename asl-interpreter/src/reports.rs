//! What the listeners an embedder registers are told: map runs, their child executions, and
//! the polls of running executions.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::execution::{ExecutionType, Status};
use crate::history::HistoryEvent;

/// A Distributed Map's map run, as the map-run listener sees it when it starts and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunReport {
    /// `arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>`.
    pub map_run_arn: String,
    /// The execution that runs it.
    pub execution_arn: String,
    /// The state machine of its child workflows.
    pub state_machine_arn: String,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: &'static str,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub stop: Option<DateTime<Utc>>,
    /// Items in all.
    pub total: usize,
    /// Items whose iteration succeeded.
    pub succeeded: usize,
    /// Items whose iteration failed.
    pub failed: usize,
    /// `MaxConcurrency` (0: unbounded).
    pub max_concurrency: usize,
    /// `ToleratedFailurePercentage`.
    pub tolerated_failure_percentage: f64,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: u64,
}

/// Called when a map run starts and when it ends.
pub type MapRunListener = Arc<dyn Fn(&MapRunReport) + Send + Sync>;

/// One child workflow execution of a Distributed Map's map run (an item, or a batch of items),
/// as the map-run child listener sees it when it starts and when it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunChildReport {
    /// The map run that started it.
    pub map_run_arn: String,
    /// `arn:aws:states:<region>:<account>:execution:<state machine>/<label>:<name>` (an
    /// Express child: `...:express:<state machine>/<label>:<map run id>:<name>`).
    pub execution_arn: String,
    /// Its name (a UUID, the one a `ResultWriter` writes for it).
    pub name: String,
    /// The map run's state machine (`...:stateMachine:<state machine>/<label>`).
    pub state_machine_arn: String,
    /// The map run's `ProcessorConfig.ExecutionType`.
    pub execution_type: ExecutionType,
    /// `Running` when it starts; `Succeeded`, `Failed` or `Aborted` (the map run ended
    /// first) when it ends.
    pub status: Status,
    /// Its input as JSON text.
    pub input: String,
    /// Its output as JSON text (`Succeeded` only).
    pub output: Option<String>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause it failed with.
    pub cause: Option<String>,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended.
    pub stop: Option<DateTime<Utc>>,
    /// How many items it processes (a batch's size; 1 without an `ItemBatcher`).
    pub item_count: usize,
    /// Its own history's events not reported before, numbered from 1 as its history: its
    /// `ExecutionStarted` when it starts, the others when it ends. Always empty for an
    /// Express child (Step Functions keeps no history of Express executions).
    pub events: Vec<HistoryEvent>,
}

/// Called when a child workflow execution of a map run starts and when it ends.
pub type MapRunChildListener = Arc<dyn Fn(&MapRunChildReport) + Send + Sync>;

/// Told, on the thread that polls it, when a started execution begins running
/// (`Some(execution ARN)`) and stops running (`None`) for one poll: what the server needs to
/// know which executions were running code when the process died.
pub type PollListener = Arc<dyn Fn(Option<&str>) + Send + Sync>;
