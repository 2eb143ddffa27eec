//! Status-change events (and the metrics counted from them, `metrics.rs`): Step Functions sends EventBridge a "Step Functions Execution Status
//! Change" event (source `aws.states`) on the default event bus whenever a Standard
//! execution's status changes: when it starts or is redriven (`RUNNING`) and when it ends
//! (`SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`). Express executions send none. Here each
//! event is recorded in the EventBridge sink (`sfn-local messages --service events`, the
//! console's messages), so a consumer of these events can be tested against what AWS sends.
//!
//! The event's `detail` carries the execution as DescribeExecution does, with AWS's
//! spelling for the event: dates in epoch milliseconds, absent members as `null`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Redrive, Service, now_ms};
use crate::integrations::sinks::Record;
use crate::store::ExecutionRec;

/// The `detail-type` of the event.
pub const DETAIL_TYPE: &str = "Step Functions Execution Status Change";

impl Service {
    /// Records the status-change event of `rec` as it is now.
    pub(crate) fn status_changed(&self, rec: &ExecutionRec) {
        self.metrics.status_changed(rec, &self.writer);
        let now = now_ms();
        let event = status_change_event(rec, now, &self.settings.region, &self.settings.account);
        self.recorder.record(Record {
            id: event["id"].as_str().unwrap_or_default().to_string(),
            service: "events".into(),
            target: "default".into(),
            payload: event,
            response: Value::Null,
            time: DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default(),
            execution_arn: rec.arn.clone(),
            state_name: String::new(),
            resource: "aws.states".into(),
        });
    }
}

/// The event AWS sends for `rec`'s current status, at `now` (epoch ms).
pub(crate) fn status_change_event(
    rec: &ExecutionRec,
    now: i64,
    region: &str,
    account: &str,
) -> Value {
    let succeeded = rec.status == asl_interpreter::Status::Succeeded;
    let redrive = Redrive::of(rec);
    let reason = match &redrive {
        Redrive::NotRedrivable(r) => json!(r),
        _ => Value::Null,
    };
    let time = DateTime::<Utc>::from_timestamp_millis(now)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": DETAIL_TYPE,
        "source": "aws.states",
        "account": account,
        "time": time,
        "region": region,
        "resources": [rec.arn],
        "detail": {
            "executionArn": rec.arn,
            "stateMachineArn": rec.version_arn.clone().unwrap_or_else(|| rec.sm_arn.clone()),
            "name": rec.name,
            "status": rec.status.as_str(),
            "startDate": rec.start,
            "stopDate": rec.stop,
            "input": rec.input,
            "output": if succeeded { json!(rec.output) } else { Value::Null },
            "inputDetails": {"included": true},
            "outputDetails": if succeeded { json!({"included": true}) } else { Value::Null },
            "error": rec.error,
            "cause": rec.cause,
            "redriveCount": rec.redrive_count,
            "redriveDate": rec.redrive_date,
            "redriveStatus": redrive.as_str(),
            "redriveStatusReason": reason,
        }
    })
}
