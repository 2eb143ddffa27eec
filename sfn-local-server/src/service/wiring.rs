//! What the interpreter is built with: the built-in task handlers around the embedder's, and
//! the listeners that send history events, map runs and recorded messages to the writer.

use std::sync::{Arc, Weak};

use asl_core::arn::ResourceType;
use asl_interpreter::{
    EventListener, EventType, Handlers, Interpreter, MapRunChildListener, MapRunChildReport,
    MapRunListener, MapRunReport, PollListener, RealClock, TaskFailure, TaskRequest,
};
use serde_json::{Value, json};

use super::metrics::Metrics;
use super::{Service, Settings, epoch};
use crate::integrations::ecs::EcsHandler;
use crate::integrations::nested::{self, NestedExecutions};
use crate::integrations::s3::LocalS3;
use crate::integrations::sdk_sfn::{self, SdkSfn};
use crate::integrations::sinks::{Record, Recorder};
use crate::logs::ExecutionLogs;
use crate::store::{ExecutionRec, RecordRec, WriteOp, Writer};

/// The interpreter: `handlers`, a real clock scaled as configured, and listeners that store
/// what executions do.
pub(super) fn interpreter(
    settings: &Settings,
    handlers: Handlers,
    listeners: Listeners,
    polls: Option<PollListener>,
) -> Interpreter {
    let writer = &listeners.writer.clone();
    let mut builder = Interpreter::builder()
        .handlers(handlers)
        .clock(Arc::new(RealClock::scaled(settings.wait_time_scale)))
        .on_event(history_listener(listeners))
        .on_map_run(map_run_listener(writer.clone()))
        .on_map_run_child(map_run_child_listener(writer.clone()));
    // What a poll of an execution writes goes to the writer together when the poll ends;
    // the durable store also notes which execution each thread is polling.
    let held = writer.poll_listener();
    let polls: PollListener = match polls {
        Some(inflight) => Arc::new(move |polling| {
            inflight(polling);
            held(polling);
        }),
        None => Arc::new(held),
    };
    builder = builder.on_poll(polls);
    if let Some(m) = &settings.mock {
        builder = builder.mock_config(m.clone());
    }
    builder.build()
}

/// The embedder's handlers (`extra`) with the built-in ones: activities and nested executions
/// and `aws-sdk:sfn:*` actions (served by the service itself), recorded messages, the local S3 and ECS when configured, and last the services configured with an endpoint.
pub(super) fn handlers(
    extra: Handlers,
    settings: &Settings,
    service: &Weak<Service>,
    recorder: &Recorder,
    ecs: Option<&EcsHandler>,
) -> Handlers {
    let me = service.clone();
    let activity = move |req: TaskRequest| {
        let me = me.clone();
        async move {
            if !is_activity(&req.resource) {
                return Err(asl_interpreter::service_errors::unanswered(
                    &req.resource,
                    &req.parameters,
                    &req.state_name,
                ));
            }
            match me.upgrade() {
                Some(s) => s.activities.schedule(req).await,
                None => Err(TaskFailure::new("States.Runtime", "sfn-local is stopping")),
            }
        }
    };
    let activity = Arc::new(activity);
    let mut handlers = extra;
    for prefix in regional_prefixes() {
        let a = activity.clone();
        handlers = handlers.prefix(prefix, move |req| a(req));
    }
    let handlers = handlers
        .prefix(nested::PREFIX, NestedExecutions(service.clone()))
        .prefix(sdk_sfn::PREFIX, SdkSfn(service.clone()));
    let handlers = recorder.register(handlers);
    let handlers = match &settings.s3_root {
        Some(root) => LocalS3::new(root).register(handlers),
        None => handlers,
    };
    let handlers = match ecs {
        Some(e) => e.register(handlers),
        None => handlers,
    };
    // Last: a service with an endpoint is sent there, whatever answered it before.
    settings.endpoints.register(handlers)
}

/// Whether a Task's resource is an activity's ARN.
fn is_activity(resource: &str) -> bool {
    asl_core::arn::parse(resource).is_ok_and(|a| a.resource == ResourceType::Activity)
}

/// Prefixes that together match every Step Functions ARN with a region, of every partition
/// (`arn:aws:states:u`, ...): activities live in the region they were created in, which
/// the request that created them chose, and the handler table matches prefixes only. Service
/// integrations have no region (`arn:aws:states:::sns:publish`) and are not matched.
fn regional_prefixes() -> impl Iterator<Item = String> {
    asl_core::arn::PARTITION_NAMES
        .iter()
        .flat_map(|p| ('a'..='z').map(move |first| format!("arn:{p}:states:{first}")))
}

/// The recorder of SNS, SQS and EventBridge messages: it stores each message through the
/// writer and keeps none in memory ([`super::Service::messages`] reads them back).
pub(super) fn recorder(writer: &Writer) -> Recorder {
    let w = writer.clone();
    Recorder::new()
        .keeping_none()
        .with_on_record(move |r: &Record| {
            w.send(WriteOp::Record(RecordRec {
                id: r.id.clone(),
                service: r.service.clone(),
                target: r.target.clone(),
                payload: serde_json::to_value(r).unwrap_or_default(),
                time: r.time.timestamp_millis(),
                execution_arn: Some(r.execution_arn.clone()),
                state_name: Some(r.state_name.clone()),
            }));
        })
}

/// What hears every history event.
pub(super) struct Listeners {
    /// Stores it.
    pub writer: Writer,
    /// Logs it to CloudWatch Logs when its execution logs.
    pub logs: Arc<ExecutionLogs>,
    /// Counts it when it is a task's.
    pub metrics: Arc<Metrics>,
    /// Told of each `ExecutionStarted` ([`Service::started`]).
    pub service: Weak<Service>,
}

/// Logs every history event (as a trace, and to CloudWatch Logs when its execution logs),
/// counts it, and stores it (Standard executions only).
fn history_listener(l: Listeners) -> EventListener {
    let Listeners {
        writer: w,
        logs,
        metrics,
        service,
    } = l;
    Arc::new(move |arn, ev| {
        if ev.event_type == EventType::ExecutionStarted
            && let Some(service) = service.upgrade()
        {
            service.started(arn);
        }
        if tracing::enabled!(tracing::Level::INFO)
            && (ev.event_type.is_state_entered() || ev.event_type.is_state_exited())
        {
            let state = ev.details.as_ref().and_then(|d| d.name());
            tracing::info!(execution = %arn, event = %ev.event_type, id = ev.id, state = state.unwrap_or_default(), "transition");
        } else {
            tracing::debug!(execution = %arn, event = %ev.event_type, id = ev.id, "event");
        }
        logs.event(arn, ev);
        metrics.event(arn, ev, &w);
        // Step Functions keeps no history of Express executions (their ARNs' resource type
        // is `express`): nothing of theirs is stored.
        if asl_core::arn::is_express_execution(arn) {
            return;
        }
        w.send(WriteOp::Event {
            execution_arn: arn.into(),
            id: ev.id,
            event: ev.to_json_text(),
            closes: ev.event_type.is_terminal(),
        });
    })
}

/// Map runs and their children go through the writer, in order: a map run's end is stored
/// after its children's.
fn map_run_listener(w: Writer) -> MapRunListener {
    Arc::new(move |r| {
        w.send(WriteOp::MapRun {
            arn: r.map_run_arn.clone(),
            execution_arn: r.execution_arn.clone(),
            run: map_run_json(r).to_string(),
        });
    })
}

fn map_run_child_listener(w: Writer) -> MapRunChildListener {
    Arc::new(move |c| record_map_run_child(&w, c))
}

/// DescribeMapRun's JSON for a map run.
fn map_run_json(r: &MapRunReport) -> Value {
    let running = usize::from(r.status == "RUNNING") * r.total;
    let counts = json!({
        "pending": 0, "running": running, "succeeded": r.succeeded, "failed": r.failed,
        "timedOut": 0, "aborted": 0, "total": r.total, "resultsWritten": r.succeeded,
        "failuresNotRedrivable": 0, "pendingRedrive": 0
    });
    let mut v = json!({
        "mapRunArn": r.map_run_arn,
        "executionArn": r.execution_arn,
        "stateMachineArn": r.state_machine_arn,
        "status": r.status,
        "startDate": epoch(r.start.timestamp_millis()),
        "maxConcurrency": r.max_concurrency,
        "toleratedFailurePercentage": r.tolerated_failure_percentage,
        "toleratedFailureCount": r.tolerated_failure_count,
        "itemCounts": counts,
        "executionCounts": counts,
        "redriveCount": 0,
    });
    if let Some(stop) = r.stop {
        v["stopDate"] = epoch(stop.timestamp_millis());
    }
    v
}

/// Stores a map run's child workflow execution as it starts and ends: its row (listed by
/// `ListExecutions(mapRunArn)`) and its history events.
fn record_map_run_child(w: &Writer, c: &MapRunChildReport) {
    w.send(WriteOp::Child(ExecutionRec {
        arn: c.execution_arn.clone(),
        sm_arn: c.state_machine_arn.clone(),
        name: c.name.clone(),
        status: c.status,
        kind: c.execution_type,
        input: c.input.clone(),
        output: c.output.clone(),
        error: c.error.clone(),
        cause: c.cause.clone(),
        start: c.start.timestamp_millis(),
        stop: c.stop.map(|t| t.timestamp_millis()),
        version_arn: None,
        alias_arn: None,
        // No stored definition: the child runs its map run's ItemProcessor.
        definition_arn: c.state_machine_arn.clone(),
        trace_header: None,
        test_case: None,
        redrive_count: 0,
        redrive_date: None,
        map_run_arn: Some(c.map_run_arn.clone()),
        item_count: Some(c.item_count as u32),
    }));
    if !c.events.is_empty() {
        let arn: Arc<str> = c.execution_arn.as_str().into();
        for ev in &c.events {
            w.send(WriteOp::Event {
                execution_arn: arn.clone(),
                id: ev.id,
                event: ev.to_json_text(),
                closes: false,
            });
        }
    }
}
