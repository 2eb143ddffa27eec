//! Wait: until a number of seconds or a timestamp, from a literal, a path or an expression.
//! The seconds are read as every run-time number is ([`numbers::WAIT_SECONDS`]).

use std::time::Duration;

use asl_core::dataflow::to_json_text;
use asl_core::jsonata;
use asl_core::model::{QueryLanguage, Wait};
use asl_core::{Scope, StatesError};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::engine::exec::after_duration;
use crate::engine::kernel::{Next, StateError, StateRun, plain};
use crate::engine::numbers;

/// The value a Wait's `TimestampPath` points at. A path that selects nothing fails as
/// `SecondsPath`'s does on record (`logs.test_logs.*wait_seconds_path*`: "The SecondsPath
/// parameter does not reference an input value: $.p"); inferred for `TimestampPath`.
fn timestamp_path(
    run: &StateRun<'_>,
    p: &asl_core::path::ReferencePath,
    effective: &Value,
) -> Result<Value, StatesError> {
    let ctx = run.context(0);
    p.as_path()
        .evaluate(&Scope::new(effective, &ctx, run.vars))
        .map_err(|_| {
            StatesError::runtime(format!(
                "The TimestampPath parameter does not reference an input value: {}",
                p.as_path().text()
            ))
        })
}

pub(super) async fn wait(run: &mut StateRun<'_>, w: &Wait) -> Result<Next, StateError> {
    let state = run.state;
    let effective = run.effective_input()?;
    let entered = run.thread.cursor();
    let now = run.exec.entered_at(entered);
    let until: DateTime<Utc> = match w {
        Wait::Seconds(f) => after_seconds(
            now,
            numbers::read(run, &numbers::WAIT_SECONDS, f, &effective)? as i64,
        ),
        Wait::Timestamp(s) => parse_ts(s).unwrap_or(now),
        Wait::TimestampExpression(e) => {
            let v = run.eval_expression(e, "Timestamp")?;
            timestamp(&v, &TimestampSource::Expression(e))?
        }
        Wait::TimestampPath(p) => {
            let v = timestamp_path(run, p, &effective)?;
            timestamp(&v, &TimestampSource::Path(p.as_path().text()))?
        }
    };
    if until > now {
        let d = (until - now).to_std().unwrap_or_default();
        run.exec.sleep_after(entered, d).await;
    }
    let (out, assigned) = match run.ql() {
        QueryLanguage::JsonPath => {
            let assigned = run.eval_assign(state.assign.as_ref(), &effective, None, None)?;
            (
                run.apply_path(&state.io.output_path, effective.into_owned())?,
                assigned,
            )
        }
        QueryLanguage::Jsonata => run.finish(&state.io, None)?,
    };
    run.exit(out, assigned, None)
}
/// The longest a Wait waits, in seconds: a longer one waits this long.
pub(crate) const MAX_WAIT_SECONDS: i64 = 99_999_999;

/// `t` plus `secs` seconds of a Wait, held to `0..=MAX_WAIT_SECONDS`.
fn after_seconds(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    after_duration(
        t,
        Duration::from_secs(secs.clamp(0, MAX_WAIT_SECONDS) as u64),
    )
}

/// Where a Wait's timestamp came from.
enum TimestampSource<'a> {
    Path(&'a str),
    Expression(&'a jsonata::Expression),
}

/// A Wait's timestamp from a path or an expression: a string in RFC 3339's profile of ISO 8601
/// (state-wait page).
/// - `TimestampPath`: anything else fails with `States.Runtime` "The TimestampPath parameter
///   does not reference a valid ISO-8601 extended offset date-time format string: $.p == v"
///   (`test_wait_timestamp_path__{INVALID_DATE,INVALID_ISO,INVALID_TIME,NO_T,NO_Z}`).
/// - `Timestamp` (JSONata): a result that is not a string fails with AWS's JSONata type error,
///   "returned an unexpected result type. Expected 'string' ..." (the wording AWS gives every
///   JSONata field of the wrong type, recorded for `Items`: `test_map_state_items_eval_jsonata_fail__*`);
///   a string that is not a timestamp, with "returned an invalid timestamp" (inferred).
fn timestamp(v: &Value, source: &TimestampSource) -> Result<DateTime<Utc>, StateError> {
    if let Some(t) = v.as_str().and_then(parse_ts) {
        return Ok(t);
    }
    Err(match source {
        TimestampSource::Path(p) => StatesError::runtime(format!(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
            plain(v)
        ))
        .into(),
        TimestampSource::Expression(e) if !v.is_string() => StateError::Eval(
            jsonata::unexpected_type_error(e, "Timestamp", "string", v),
            Some("Timestamp".into()),
        ),
        TimestampSource::Expression(e) => StateError::Eval(
            StatesError::query_evaluation(format!(
                "The JSONata expression '{}' specified for the field 'Timestamp' returned an invalid timestamp: {}",
                e.source(),
                to_json_text(v)
            )),
            Some("Timestamp".into()),
        ),
    })
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    asl_core::choice::parse_timestamp(s).map(|t| t.with_timezone(&Utc))
}
