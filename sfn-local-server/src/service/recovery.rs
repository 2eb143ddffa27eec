//! After a crash (or a clean stop with executions still running): every execution the store
//! says was running resumes from its recorded history, or is closed when it cannot.

use std::sync::Arc;

use asl_interpreter::{EventDetails, EventType, HistoryEvent, Status};
use serde_json::Value;

use super::{Service, now_ms};
use crate::store::{ExecutionRec, Store, WriteOp};

/// How many times in a row an execution is resumed at the same point of its history (the
/// process ended each time before it recorded another event) before it fails instead: a
/// state that kills the process must not kill it again at every restart.
pub const MAX_RESUMES_WITHOUT_PROGRESS: u32 = 3;

/// How [`Service::close_interrupted`] ends an execution.
enum Closing {
    Aborted,
    Failed,
}

/// On start-up, before anything runs: map run children that were running are closed (their
/// parent runs its Distributed Map as a new map run when it resumes).
pub(super) fn close_interrupted_children(store: &Store) {
    match store.close_interrupted_children(now_ms()) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            children = n,
            "closed the map run children that were running"
        ),
        Err(e) => {
            tracing::error!(error = %e, "cannot close the interrupted map run children")
        }
    }
}

/// The stored history of an execution up to its first gap (only a contiguous prefix is a
/// history to continue).
fn recorded_history(store: &Store, arn: &str) -> crate::store::Result<Vec<HistoryEvent>> {
    let mut events: Vec<HistoryEvent> = Vec::new();
    for v in store.events(arn)? {
        match HistoryEvent::from_json(&v) {
            Some(e) if e.id == events.len() as u64 + 1 => events.push(e),
            _ => break,
        }
    }
    Ok(events)
}

impl Service {
    /// On start-up: every execution the store says was running when the process ended
    /// resumes from its recorded history (see `Interpreter::resume`). One whose history already
    /// ends is closed as its last event says; one whose definition is gone is closed as
    /// ABORTED with a cause that says why. Returns how many resumed.
    ///
    /// `suspects` are the executions the previous process was running code for when it ended
    /// ([`crate::inflight`]): one that was each time, at the same point of its history, more
    /// than [`MAX_RESUMES_WITHOUT_PROGRESS`] times in a row, fails instead of resuming.
    pub fn resume_interrupted(
        self: &Arc<Self>,
        suspects: &[String],
    ) -> crate::store::Result<usize> {
        let resumed = self.resume_each(suspects);
        // Whoever waits on an execution that was not resumed (closed instead) reads it now.
        self.running.changed();
        resumed
    }

    fn resume_each(self: &Arc<Self>, suspects: &[String]) -> crate::store::Result<usize> {
        let mut resumed = 0;
        for mut rec in self.store.running_executions()? {
            let events = recorded_history(&self.store, &rec.arn)?;
            if let Some(last) = events.last()
                && let Some(status) = last.event_type.terminal_status()
            {
                let d = last
                    .details
                    .as_ref()
                    .map(EventDetails::value)
                    .unwrap_or_default();
                rec.status = status;
                rec.output = d.get("output").and_then(Value::as_str).map(str::to_string);
                rec.error = d.get("error").and_then(Value::as_str).map(str::to_string);
                rec.cause = d.get("cause").and_then(Value::as_str).map(str::to_string);
                rec.stop = Some(last.timestamp.timestamp_millis());
                self.store.apply(&[WriteOp::Finish(rec)])?;
                continue;
            }
            let suspect = suspects.contains(&rec.arn);
            let attempts = self
                .store
                .count_resume(&rec.arn, events.len() as u64, suspect)?;
            if attempts > MAX_RESUMES_WITHOUT_PROGRESS {
                tracing::warn!(execution = %rec.arn, attempts, "not resumed again: the process ended while it ran, each time at the same point");
                let cause = format!(
                    "sfn-local ended {attempts} times while running this execution, each time at the same point of its history; it is not resumed again."
                );
                self.close_interrupted(rec, Closing::Failed, &cause)?;
                continue;
            }
            match self.definition_of(&rec) {
                Some(machine) => {
                    tracing::info!(execution = %rec.arn, events = events.len(), "resuming");
                    self.launch(&rec, machine, events, None);
                    resumed += 1;
                }
                None => self.close_interrupted(
                    rec,
                    Closing::Aborted,
                    "sfn-local stopped while this execution was running, and its definition is no longer there to resume it.",
                )?,
            }
        }
        Ok(resumed)
    }

    /// Closes an execution that cannot resume, with an event that continues its history and
    /// a cause that says why: ABORTED when its definition is gone, FAILED with
    /// `States.Runtime` when resuming it keeps ending the process.
    fn close_interrupted(
        &self,
        mut rec: ExecutionRec,
        how: Closing,
        cause: &str,
    ) -> crate::store::Result<()> {
        let last = self.store.last_event_id(&rec.arn)?;
        let now = now_ms();
        let (status, event_type, error) = match how {
            Closing::Aborted => (
                Status::Aborted,
                EventType::ExecutionAborted,
                "SfnLocal.Interrupted",
            ),
            Closing::Failed => (Status::Failed, EventType::ExecutionFailed, "States.Runtime"),
        };
        let event = HistoryEvent::with_error(
            last + 1,
            last,
            chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
            event_type,
            Some(error),
            Some(cause),
        );
        rec.status = status;
        rec.error = Some(error.into());
        rec.cause = Some(cause.into());
        rec.stop = Some(now);
        self.store.apply(&[
            WriteOp::Event {
                execution_arn: rec.arn.as_str().into(),
                id: last + 1,
                event: event.to_json_text(),
                closes: false,
            },
            WriteOp::Finish(rec),
        ])?;
        Ok(())
    }
}
