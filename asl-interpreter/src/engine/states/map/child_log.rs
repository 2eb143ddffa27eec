//! The child workflow executions of a map run, as the map-run child listener is told of them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::writer::MapRunIds;
use crate::engine::TaskFailure;
use crate::execution::{ExecutionType, Status};
use crate::history::{
    EventDetails, EventType, History, HistoryEvent, execution_started, output_details,
};
use crate::reports::{MapRunChildListener, MapRunChildReport};

/// The child workflow executions of one map run, as the map-run child listener is told of
/// them. The children run in one shared history (the map run's); each child's own history is
/// cut out of it as it ends: its events are those whose `previousEventId` chain leads back to
/// its `MapIterationStarted`, renumbered from 2 after an `ExecutionStarted`, and closed by its
/// `ExecutionSucceeded`/`Failed`/`Aborted`. The shared history is read once, in order, as
/// children end: a map run's cost grows by one copy of its events, an inline Map's not at all.
pub(crate) struct ChildLog<'a> {
    listener: MapRunChildListener,
    ids: &'a MapRunIds<'a>,
    role_arn: &'a str,
    /// The shared history's events read so far.
    scanned: usize,
    /// By shared event id - 1: the index + 1 of the child the event belongs to (0: none).
    owner: Vec<u32>,
    /// `MapIterationStarted` ids not read yet, and the child each starts.
    roots: HashMap<u64, usize>,
    /// The children running, by index.
    open: BTreeMap<usize, OpenChild>,
}

/// A child still running.
struct OpenChild {
    root: u64,
    report: MapRunChildReport,
    /// Shared event id -> the child's own id (its `MapIterationStarted` is its event 1).
    ids: HashMap<u64, u64>,
    /// Its own id for the next event.
    next_id: u64,
}

impl OpenChild {
    /// The child's own id for shared event `shared` (its last event's for one it never saw).
    fn own_id(&self, shared: u64) -> u64 {
        if shared == self.root {
            return 1;
        }
        self.ids.get(&shared).copied().unwrap_or(self.next_id - 1)
    }

    fn push(&mut self, shared: Option<u64>, e: HistoryEvent) {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(s) = shared {
            self.ids.insert(s, id);
        }
        self.report.events.push(HistoryEvent { id, ..e });
    }
}

impl<'a> ChildLog<'a> {
    pub fn new(listener: MapRunChildListener, ids: &'a MapRunIds<'a>, role_arn: &'a str) -> Self {
        ChildLog {
            listener,
            ids,
            role_arn,
            scanned: 0,
            owner: Vec::new(),
            roots: Default::default(),
            open: Default::default(),
        }
    }

    /// Item `index` (with `item_count` items: a batch's size, or 1) started at shared event
    /// `root` (its `MapIterationStarted`).
    pub fn started(
        &mut self,
        index: usize,
        root: u64,
        input: &Value,
        item_count: usize,
        at: DateTime<Utc>,
    ) {
        let name = self.ids.child_name(index);
        let input_text = asl_core::dataflow::to_json_text(input);
        let mut report = MapRunChildReport {
            map_run_arn: self.ids.map_run_arn.to_string(),
            execution_arn: self.ids.child_arn(&name),
            name,
            state_machine_arn: self.ids.state_machine_arn.to_string(),
            execution_type: if self.ids.express {
                ExecutionType::Express
            } else {
                ExecutionType::Standard
            },
            status: Status::Running,
            input: input_text,
            output: None,
            error: None,
            cause: None,
            start: at,
            stop: None,
            item_count,
            events: Vec::new(),
        };
        if !self.ids.express {
            report.events.push(HistoryEvent {
                id: 1,
                previous_event_id: 0,
                timestamp: at,
                event_type: EventType::ExecutionStarted,
                details: execution_started(&report.input, self.role_arn),
            });
            self.roots.insert(root, index);
        }
        (self.listener)(&report);
        report.events.clear();
        self.open.insert(
            index,
            OpenChild {
                root,
                report,
                ids: Default::default(),
                next_id: 2,
            },
        );
    }

    /// Reads the shared history's new events into the running children's histories.
    fn scan(&mut self, history: &History) {
        if self.ids.express {
            return;
        }
        for e in history.since(self.scanned) {
            self.scanned += 1;
            let owner = match self.roots.remove(&e.id) {
                Some(index) => index + 1,
                None => match e.previous_event_id.checked_sub(1) {
                    Some(p) => self.owner.get(p as usize).copied().unwrap_or(0) as usize,
                    None => 0,
                },
            };
            // Ids are contiguous: the event's slot is its id - 1.
            self.owner.push(owner as u32);
            let Some(child) = owner.checked_sub(1).and_then(|i| self.open.get_mut(&i)) else {
                continue;
            };
            if e.id == child.root {
                continue;
            }
            let prev = child.own_id(e.previous_event_id);
            let shared = e.id;
            child.push(
                Some(shared),
                HistoryEvent {
                    previous_event_id: prev,
                    ..e
                },
            );
        }
    }

    /// Item `index` ended at shared event `end` with `result`.
    pub fn ended(
        &mut self,
        index: usize,
        end: u64,
        result: &Result<Value, TaskFailure>,
        at: DateTime<Utc>,
        history: &History,
    ) {
        self.scan(history);
        let Some(mut child) = self.open.remove(&index) else {
            return;
        };
        let prev = child.own_id(end);
        let (status, details) = match result {
            Ok(v) => {
                child.report.output = Some(asl_core::dataflow::to_json_text(v));
                let ty = EventType::ExecutionSucceeded;
                (Status::Succeeded, output_details(ty, v))
            }
            Err(f) => {
                child.report.error = f.error.clone();
                child.report.cause = f.cause.clone();
                (Status::Failed, f.details(EventType::ExecutionFailed))
            }
        };
        self.close(child, status, prev, details, at);
    }

    /// The children still running when their map run ended: aborted at `at`.
    pub fn abort_open(&mut self, history: &History, at: DateTime<Utc>) {
        self.scan(history);
        for (_, child) in std::mem::take(&mut self.open) {
            let prev = child.next_id - 1;
            let details = EventDetails::error_cause(EventType::ExecutionAborted, None, None);
            self.close(child, Status::Aborted, prev, details, at);
        }
    }

    /// Ends a child with `status`: its last event (`Execution<status>`) and the report.
    fn close(
        &self,
        mut child: OpenChild,
        status: Status,
        prev: u64,
        details: Option<EventDetails>,
        at: DateTime<Utc>,
    ) {
        let ty = match status {
            Status::Succeeded => EventType::ExecutionSucceeded,
            Status::Aborted => EventType::ExecutionAborted,
            _ => EventType::ExecutionFailed,
        };
        child.report.status = status;
        child.report.stop = Some(at);
        if !self.ids.express {
            child.push(
                None,
                HistoryEvent {
                    id: 0,
                    previous_event_id: prev,
                    timestamp: at,
                    event_type: ty,
                    details,
                },
            );
        }
        (self.listener)(&child.report);
    }
}
