//! Running executions: starting, resuming and redriving a stored Standard execution, running
//! an Express one, and recording each end; the parsed definitions they run, cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use asl_core::StateMachine;
use asl_interpreter::{
    ExecutionConfig, ExecutionHandle, ExecutionType, HistoryEvent, Outcome, Status,
};
use serde_json::Value;

use super::{Service, now_ms};
use crate::logs::execution_logs::stream_name;
use crate::logs::{LogConfig, LogTarget};
use crate::store::{ExecutionRec, WriteOp};

/// Parsed definitions by state machine or version ARN, with the revision they were parsed
/// from.
#[derive(Default)]
pub(crate) struct Definitions(Mutex<HashMap<String, (String, Arc<StateMachine>)>>);

impl Service {
    /// The parsed definition stored under `arn` (a state machine or version) at `revision`.
    pub(crate) fn machine(
        &self,
        arn: &str,
        revision: &str,
        definition: &str,
    ) -> Result<Arc<StateMachine>, String> {
        let cache = || self.definitions.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((rev, m)) = cache().get(arn)
            && rev == revision
        {
            return Ok(m.clone());
        }
        let m = Arc::new(StateMachine::from_str(definition).map_err(|e| e.to_string())?);
        cache().insert(arn.to_string(), (revision.to_string(), m.clone()));
        Ok(m)
    }

    /// The parsed definition an execution runs.
    pub(crate) fn definition_of(&self, rec: &ExecutionRec) -> Option<Arc<StateMachine>> {
        let (revision, definition) = match self.store.version(&rec.definition_arn).ok()? {
            Some(v) => (v.revision_id, v.definition),
            None => {
                let sm = self.store.state_machine(&rec.definition_arn).ok()??;
                (sm.revision_id, sm.definition)
            }
        };
        self.machine(&rec.definition_arn, &revision, &definition)
            .ok()
    }

    /// Starts (`recorded` empty) or resumes a Standard execution whose row is stored; `input`
    /// is the value of its input when the caller has it (parsed from the row otherwise).
    pub(crate) fn launch(
        self: &Arc<Self>,
        rec: &ExecutionRec,
        machine: Arc<StateMachine>,
        recorded: Vec<HistoryEvent>,
        input: Option<Value>,
    ) {
        let mut config = self.config_for(rec, ExecutionType::Standard);
        config.input = input;
        let handle = if recorded.is_empty() {
            // Its status changes to RUNNING with its first event, in its first poll: the
            // status-change record then reaches the store with its first events, in one commit
            // (sent from here, it was a commit of its own).
            self.starting().insert(rec.arn.clone(), rec.clone());
            self.interp.start(machine, config)
        } else {
            // A resumed execution's status did not change: it was RUNNING all along.
            self.interp.resume(machine, config, recorded)
        };
        self.watch(rec, handle);
    }

    fn starting(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, ExecutionRec>> {
        self.starting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An execution's `ExecutionStarted` event: a started execution's status changes to
    /// RUNNING now (a resumed or redriven one's has, or had, its own moment).
    pub(super) fn started(&self, arn: &str) {
        let rec = self.starting().remove(arn);
        if let Some(rec) = rec {
            self.status_changed(&rec);
        }
    }

    /// Redrives a closed execution: its row goes back to RUNNING with one more redrive, and
    /// the interpreter re-runs what failed. Returns the redrive time (epoch ms), or `None` when
    /// `rec` is no longer what the store holds (another redrive came first).
    pub(crate) fn redrive(self: &Arc<Self>, rec: &ExecutionRec) -> Result<Option<i64>, String> {
        let machine = self
            .definition_of(rec)
            .ok_or_else(|| "the state machine definition is no longer available".to_string())?;
        let mut events = Vec::new();
        for v in self.store.events(&rec.arn).map_err(|e| e.to_string())? {
            match HistoryEvent::from_json(&v) {
                Some(e) if e.id == events.len() as u64 + 1 => events.push(e),
                _ => return Err("the execution's history is incomplete".into()),
            }
        }
        let now = now_ms();
        let count = rec.redrive_count + 1;
        let moved = self
            .store
            .redrive_execution(&rec.arn, rec.redrive_count, now)
            .map_err(|e| e.to_string())?;
        if !moved {
            return Ok(None);
        }
        let mut rec = rec.clone();
        rec.status = Status::Running;
        rec.redrive_count = count;
        rec.redrive_date = Some(now);
        rec.output = None;
        rec.error = None;
        rec.cause = None;
        rec.stop = None;
        self.status_changed(&rec);
        let config = self.config_for(&rec, ExecutionType::Standard);
        let handle = self.interp.redrive(machine, config, events, count);
        self.watch(&rec, handle);
        Ok(Some(now))
    }

    /// Registers a started execution and records its end.
    fn watch(self: &Arc<Self>, rec: &ExecutionRec, handle: ExecutionHandle) {
        let launch = self.running.insert(&rec.arn, handle.control());
        let me = self.clone();
        let mut rec = rec.clone();
        tokio::spawn(async move {
            let outcome = handle.outcome().await;
            me.running.mark_ended(&rec.arn, launch);
            me.execution_logs.end(&rec.arn);
            apply_outcome(&mut rec, &outcome);
            if rec.status == Status::Aborted {
                // A stopped execution's map runs stop with it, once what their children wrote
                // is stored, and before the execution's own end is.
                me.writer.commit_async().await;
                if let Err(e) = me.store.abort_map_runs_of(&rec.arn, now_ms()) {
                    tracing::warn!(execution = %rec.arn, error = %e, "could not abort its map runs");
                }
            }
            // The end, its status-change record and the Ack go to the writer as one message.
            let committed = {
                let _held = me.writer.hold();
                me.writer.send(WriteOp::Finish(rec.clone()));
                me.status_changed(&rec);
                me.writer.acked(false)
            };
            let _ = committed.await;
            // Its end is stored: whoever awaits it may read it now.
            me.running.remove(&rec.arn, launch);
            tracing::info!(execution = %rec.arn, status = %rec.status.as_str(), "execution ended");
        });
    }

    /// Runs an Express execution, whose input is `input`, to its end (nothing is stored:
    /// Express has no history).
    pub(crate) async fn run_express(
        &self,
        rec: &ExecutionRec,
        machine: Arc<StateMachine>,
        input: Value,
    ) -> Outcome {
        let mut config = self.config_for(rec, ExecutionType::Express);
        config.input = Some(input);
        let outcome = self.interp.start(machine, config).outcome().await;
        self.execution_logs.end(&rec.arn);
        outcome
    }

    /// The configuration `rec` runs with; from now on it also logs as its state machine's
    /// `loggingConfiguration` says (see [`crate::logs::execution_logs`]). One read of the state
    /// machine serves both, and a version is read only for an execution of one.
    fn config_for(&self, rec: &ExecutionRec, kind: ExecutionType) -> ExecutionConfig {
        let machine = self.store.state_machine(&rec.sm_arn).ok().flatten();
        // The role of the definition that runs (a version keeps the role it was published with).
        let version = (rec.definition_arn != rec.sm_arn)
            .then(|| self.store.version(&rec.definition_arn).ok().flatten())
            .flatten();
        let role_arn = match (version, &machine) {
            (Some(v), _) => v.role_arn,
            (None, Some(m)) => m.role_arn.clone(),
            (None, None) => String::new(),
        };
        if let Some(m) = &machine
            && let Some(config) = LogConfig::of(&m.logging)
        {
            let start =
                chrono::DateTime::from_timestamp_millis(rec.redrive_date.unwrap_or(rec.start))
                    .unwrap_or_default();
            self.execution_logs.begin(
                &rec.arn,
                LogTarget {
                    config,
                    stream: stream_name(&m.name, start),
                    redrive_count: rec.redrive_count,
                },
            );
        }
        // The region and account of the execution's own ARN (`$$.Execution.Id`, map run ARNs).
        let scope = asl_core::arn::Scope::of_arn(&rec.arn).unwrap_or_else(|| self.settings.arns());
        ExecutionConfig {
            name: rec.name.clone(),
            state_machine_name: asl_core::arn::state_machine_name(&rec.sm_arn).to_string(),
            role_arn,
            execution_type: kind,
            test_case: rec.test_case.clone(),
            input_text: rec.input.clone(),
            input: None,
            region: scope.region,
            account: scope.account,
            arn: Some(rec.arn.clone()),
            context: None,
        }
    }
}

/// Copies an outcome's end state into the execution's row.
fn apply_outcome(rec: &mut ExecutionRec, o: &Outcome) {
    rec.status = o.status;
    rec.output = o.output.clone();
    rec.error = o.error.clone();
    rec.cause = o.cause.clone();
    rec.stop = Some(o.stop_date.timestamp_millis());
}
