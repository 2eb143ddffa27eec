//! Wait: until a number of seconds or a timestamp, from a literal, a path or an expression.

use std::time::Duration;

use asl_core::dataflow::to_json_text;
use asl_core::jsonata;
use asl_core::model::{NumberField, QueryLanguage, Wait};
use asl_core::{Scope, StatesError};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::engine::exec::after_duration;
use crate::engine::kernel::{Next, StateError, StateRun, plain};

/// The value a Wait's `SecondsPath` or `TimestampPath` points at.
fn wait_path(
    run: &StateRun<'_>,
    p: &asl_core::path::ReferencePath,
    effective: &Value,
    field: &str,
) -> Result<Value, StatesError> {
    let ctx = run.context(0);
    p.as_path()
        .evaluate(&Scope::new(effective, &ctx, run.vars))
        .map_err(|_| {
            StatesError::runtime(format!(
                "The {field} parameter does not reference an input value: {}",
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
        Wait::Seconds(NumberField::Literal(v)) => after_seconds(
            now,
            v.as_i64()
                .or_else(|| v.as_u64().map(|_| i64::MAX))
                .unwrap_or(0),
        ),
        Wait::Seconds(NumberField::Path(p)) => {
            let v = wait_path(run, p, &effective, "SecondsPath")?;
            let secs = match &v {
                Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                Value::Number(n) => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.as_path().text(),
                        n
                    ))
                    .into());
                }
                other => {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.as_path().text(),
                        plain(other)
                    ))
                    .into());
                }
            };
            if secs < 0 {
                return Err(StatesError::runtime(format!(
                    "The SecondsPath parameter references a negative value: {} == {}",
                    p.as_path().text(),
                    secs
                ))
                .into());
            }
            after_seconds(now, secs)
        }
        Wait::Seconds(NumberField::Expression(e)) => {
            let v = run.eval_expression(e, "Seconds")?;
            match v.as_i64() {
                Some(s) if s >= 0 => after_seconds(now, s),
                _ => {
                    return Err(StateError::Eval(
                        jsonata::unexpected_type_error(e, "Seconds", "integer", &v),
                        Some("Seconds".into()),
                    ));
                }
            }
        }
        Wait::Timestamp(s) => parse_ts(s).unwrap_or(now),
        Wait::TimestampExpression(e) => {
            let v = run.eval_expression(e, "Timestamp")?;
            match v.as_str().and_then(parse_ts) {
                Some(t) => t,
                None => {
                    return Err(StateError::Eval(
                        StatesError::query_evaluation(format!(
                            "The JSONata expression '{}' specified for the field 'Timestamp' returned an invalid timestamp: {}",
                            e.source(),
                            to_json_text(&v)
                        )),
                        Some("Timestamp".into()),
                    ));
                }
            }
        }
        Wait::TimestampPath(p) => {
            let v = wait_path(run, p, &effective, "TimestampPath")?;
            match v.as_str().and_then(parse_ts) {
                Some(t) => t,
                None => {
                    return Err(StatesError::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.as_path().text(),
                        plain(&v)
                    ))
                    .into());
                }
            }
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

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    asl_core::choice::parse_timestamp(s).map(|t| t.with_timezone(&Utc))
}
