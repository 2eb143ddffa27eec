//! Schedule expressions of EventBridge rules and EventBridge Scheduler: `cron(...)`,
//! `rate(...)` and one-shot `at(...)`, with their fire times evaluated in UTC.
//!
//! Sources (behaviour, not text):
//! - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>
//!   (fields, per-field wildcards, the `?` rule, `#` only alone in day-of-week)
//! - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html>
//!   (singular unit for 1, plural otherwise)
//! - <https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>
//!   (`at(yyyy-mm-ddThh:mm:ss)`, 60-second precision)
//!
//! Where the AWS pages are silent, the Quartz-style meaning that the AWS syntax comes from is
//! used: `L` alone in day-of-week is Saturday, `nW` never leaves the month, `L-n` is n days
//! before the last day, a range whose start is after its end wraps around (`FRI-MON`).
//!
//! A cron expression is read here, by AWS's rules (six fields, which wildcards each field takes,
//! the ranges, day-of-week 1-7 = SUN-SAT, `?` in exactly one day field, `#` alone), and its fire
//! times are found by the `croner` crate. Each field goes to croner as the ranges of values it
//! names plus its `L`, `W`, `LW`, `nL` and `n#k` items, which croner evaluates as AWS does. What
//! croner cannot take stays here:
//! - a range that wraps (`FRI-MON`, `22-2`) and `a/n` (from `a` to the end of the field), which
//!   croner refuses, are handed over as the values they name;
//! - `L` alone in day-of-week, which croner reads as no day, is handed over as Saturday (7);
//! - `L-n` in day-of-month has no croner form: those days are found here, month by month, and
//!   croner says which minutes of them fire (so does `L` when `LW` is in the same field, as
//!   croner then reads only `LW`).
//!
//! ```
//! use sfn_local_server::scheduler::cron::Schedule;
//! use chrono::{TimeZone, Utc};
//!
//! let s: Schedule = "cron(0 17 * * ? *)".parse().unwrap();
//! let t = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
//! assert_eq!(s.next_after(t), Some(Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0).unwrap()));
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use croner::parser::{CronParser, Seconds, Year};

use fields::{HOURS, MINUTES, MONTH, YEARS, day_of_month, day_of_week, plain_field};

mod fields;

/// The first and last year a cron expression can name.
const YEAR_MIN: i32 = 1970;
const YEAR_MAX: i32 = 2199;

/// A parsed schedule expression.
// A schedule is parsed once per configured rule; boxing the cron variant would only make
// matching on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// `cron(minutes hours day-of-month month day-of-week year)`.
    Cron(Cron),
    /// `rate(value unit)`: every `every`, counted from an anchor (see
    /// [`Schedule::next_after_from`]).
    Rate {
        /// The period.
        every: Duration,
    },
    /// `at(yyyy-mm-ddThh:mm:ss)`: once, at this instant (the expression is read as UTC).
    At(DateTime<Utc>),
}

/// Why a schedule expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Not `cron(...)`, `rate(...)` or `at(...)`.
    #[error(
        "invalid schedule expression `{0}`: expected cron(fields), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)"
    )]
    UnknownForm(String),
    /// A cron expression that does not have exactly six fields.
    #[error(
        "invalid cron expression: expected 6 fields (minutes hours day-of-month month day-of-week year), found {0}"
    )]
    FieldCount(usize),
    /// One cron field is malformed.
    #[error("invalid cron expression: {field} field `{text}`: {reason}")]
    Field {
        /// The field's name.
        field: CronField,
        /// The field as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The day-of-month / day-of-week pair breaks AWS's rule that exactly one is `?`.
    #[error(
        "invalid cron expression: exactly one of day-of-month and day-of-week must be `?` (found `{dom}` and `{dow}`)"
    )]
    DayFields {
        /// The day-of-month field as written.
        dom: String,
        /// The day-of-week field as written.
        dow: String,
    },
    /// croner refused the expression as it was handed over (not expected: every field is
    /// checked here first).
    #[error("invalid cron expression: {0}")]
    Unsupported(String),
    /// A malformed rate expression.
    #[error("invalid rate expression `{expr}`: {reason}")]
    Rate {
        /// The expression.
        expr: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A malformed one-time expression.
    #[error("invalid at expression `{expr}`: {reason}")]
    At {
        /// The expression.
        expr: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let inner = |prefix: &str| {
            s.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
        };
        if let Some(body) = inner("cron(") {
            Ok(Schedule::Cron(body.parse()?))
        } else if let Some(body) = inner("rate(") {
            parse_rate(s, body)
        } else if let Some(body) = inner("at(") {
            parse_at(s, body)
        } else {
            Err(ScheduleError::UnknownForm(s.to_string()))
        }
    }
}

fn parse_rate(expr: &str, body: &str) -> Result<Schedule, ScheduleError> {
    let err = |reason: &str| ScheduleError::Rate {
        expr: expr.to_string(),
        reason: reason.to_string(),
    };
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(err("expected `rate(value unit)`"));
    };
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("the value must be a positive integer"));
    }
    let n: i64 = value.parse().map_err(|_| err("the value is too large"))?;
    if n == 0 {
        return Err(err("the value must be a positive integer"));
    }
    let (minutes_per_unit, singular) = match unit {
        "minute" => (1, true),
        "minutes" => (1, false),
        "hour" => (60, true),
        "hours" => (60, false),
        "day" => (1440, true),
        "days" => (1440, false),
        _ => return Err(err("the unit must be minute(s), hour(s) or day(s)")),
    };
    // AWS: "If the value is equal to 1, then the unit must be singular. If the value is greater
    // than 1, the unit must be plural."
    if (n == 1) != singular {
        return Err(err(if n == 1 {
            "a value of 1 takes a singular unit (minute, hour, day)"
        } else {
            "a value greater than 1 takes a plural unit (minutes, hours, days)"
        }));
    }
    let minutes = n
        .checked_mul(minutes_per_unit)
        .and_then(Duration::try_minutes)
        .ok_or_else(|| err("the value is too large"))?;
    Ok(Schedule::Rate { every: minutes })
}

fn parse_at(expr: &str, body: &str) -> Result<Schedule, ScheduleError> {
    let t = NaiveDateTime::parse_from_str(body.trim(), "%Y-%m-%dT%H:%M:%S").map_err(|e| {
        ScheduleError::At {
            expr: expr.to_string(),
            reason: format!("expected yyyy-mm-ddThh:mm:ss ({e})"),
        }
    })?;
    Ok(Schedule::At(Utc.from_utc_datetime(&t)))
}

impl Schedule {
    /// The first fire time strictly after `t`, or `None` when there is none (a cron expression
    /// past its last year, an `at` in the past). A rate schedule counts from the Unix epoch, so
    /// `rate(1 hour)` fires on the hour; use [`Schedule::next_after_from`] for another anchor.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_after_from(DateTime::<Utc>::UNIX_EPOCH, t)
    }

    /// Like [`Schedule::next_after`], with a rate schedule firing at `anchor + k * every` for
    /// every integer `k` (so the anchor itself is a fire time: pass creation time + period for
    /// an EventBridge rule, which fires one period after it is created, or the `StartDate` of
    /// a Scheduler schedule). Cron and `at` schedules ignore the anchor.
    pub fn next_after_from(
        &self,
        anchor: DateTime<Utc>,
        t: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Cron(c) => c.next_after(t),
            Schedule::At(at) => (*at > t).then_some(*at),
            Schedule::Rate { every } => {
                let period = every.num_milliseconds();
                if period <= 0 {
                    return None;
                }
                let since = t.signed_duration_since(anchor).num_milliseconds();
                // The smallest k with anchor + k * period > t.
                let k = since.div_euclid(period).checked_add(1)?;
                anchor.checked_add_signed(Duration::try_milliseconds(k.checked_mul(period)?)?)
            }
        }
    }

    /// The next `n` fire times strictly after `from` (fewer when the schedule ends).
    pub fn upcoming(&self, from: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        self.upcoming_from(DateTime::<Utc>::UNIX_EPOCH, from, n)
    }

    /// [`Schedule::upcoming`] with a rate anchor (see [`Schedule::next_after_from`]).
    pub fn upcoming_from(
        &self,
        anchor: DateTime<Utc>,
        from: DateTime<Utc>,
        n: usize,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut t = from;
        while out.len() < n {
            match self.next_after_from(anchor, t) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Cron(c) => write!(f, "cron({})", c.source),
            Schedule::Rate { every } => {
                let m = every.num_minutes();
                let (n, unit) = if m % 1440 == 0 {
                    (m / 1440, "day")
                } else if m % 60 == 0 {
                    (m / 60, "hour")
                } else {
                    (m, "minute")
                };
                write!(f, "rate({n} {unit}{})", if n == 1 { "" } else { "s" })
            }
            Schedule::At(t) => write!(f, "at({})", t.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// The six fields of a cron expression, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    /// Minutes, 0-59.
    Minutes,
    /// Hours, 0-23.
    Hours,
    /// Day-of-month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or JAN-DEC.
    Month,
    /// Day-of-week, 1-7 (1 = Sunday) or SUN-SAT.
    DayOfWeek,
    /// Year, 1970-2199.
    Year,
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CronField::Minutes => "minutes",
            CronField::Hours => "hours",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        })
    }
}

/// A parsed AWS cron expression (the text between `cron(` and `)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    source: String,
    /// Every field as croner reads it; `None` when day-of-month has only `L-n` items.
    main: Option<croner::Cron>,
    /// The `L-n` items of day-of-month (their `n`), with the expression that says which
    /// minutes of those days fire (day-of-month `*`).
    last_minus: Option<(Vec<u32>, croner::Cron)>,
}

impl FromStr for Cron {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        let [mi, h, dom, mo, dow, y] = fields[..] else {
            return Err(ScheduleError::FieldCount(fields.len()));
        };
        let minutes = plain_field(mi, &MINUTES)?;
        let hours = plain_field(h, &HOURS)?;
        let months = plain_field(mo, &MONTH)?;
        let years = plain_field(y, &YEARS)?;
        let (dom, dow, last_minus) = match (dom == "?", dow == "?") {
            (false, true) => {
                let (items, last_minus) = day_of_month(dom)?;
                (items, "?".to_string(), last_minus)
            }
            (true, false) => ("?".to_string(), day_of_week(dow)?, Vec::new()),
            _ => {
                return Err(ScheduleError::DayFields {
                    dom: dom.to_string(),
                    dow: dow.to_string(),
                });
            }
        };
        // Seconds are always 0: AWS schedules have a one-minute resolution.
        let compile = |dom: &str| {
            CronParser::builder()
                .seconds(Seconds::Required)
                .year(Year::Required)
                .alternative_weekdays(true)
                .build()
                .parse(&format!("0 {minutes} {hours} {dom} {months} {dow} {years}"))
                .map_err(|e| ScheduleError::Unsupported(e.to_string()))
        };
        let main = if dom.is_empty() {
            None
        } else {
            Some(compile(&dom)?)
        };
        let last_minus = if last_minus.is_empty() {
            None
        } else {
            Some((last_minus, compile("*")?))
        };
        Ok(Cron {
            source: fields.join(" "),
            main,
            last_minus,
        })
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The first fire of `c` strictly after `t`, within AWS's years.
fn next_of(c: &croner::Cron, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    c.find_next_occurrence(&t, false)
        .ok()
        .filter(|n| n.year() <= YEAR_MAX)
}

/// Midnight (UTC) starting `year`-`month`-`day`, or of the first day of the next month when
/// `day` is past the month's end.
fn midnight(year: i32, month: u32, day: u32) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(year, month, day).or_else(|| {
        NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(chrono::Months::new(1))
    })?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

impl Cron {
    /// Whether the expression fires in the minute containing `t`.
    ///
    /// Checked on the minute alone (no search), so it doubles as the reference that
    /// [`Cron::next_after`] is tested against.
    pub fn matches(&self, t: DateTime<Utc>) -> bool {
        let Some(t) = t.with_second(0).and_then(|t| t.with_nanosecond(0)) else {
            return false;
        };
        let fires = |c: &croner::Cron| c.is_time_matching(&t).unwrap_or(false);
        self.main.as_ref().is_some_and(fires)
            || self
                .last_minus
                .as_ref()
                .is_some_and(|(offsets, every_day)| {
                    let last = days_in_month(t.year(), t.month());
                    fires(every_day)
                        && offsets
                            .iter()
                            .any(|n| last.checked_sub(*n) == Some(t.day()))
                })
    }

    /// The first minute strictly after `t` on which the expression fires, or `None` when it
    /// never fires again (its years are over, or it names days that never occur, like
    /// `cron(0 0 31 FEB ? *)`).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let main = self.main.as_ref().and_then(|c| next_of(c, t));
        let last = self
            .last_minus
            .as_ref()
            .and_then(|(offsets, every_day)| next_last_minus(offsets, every_day, t));
        match (main, last) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The first minute strictly after `t` that `every_day` fires on, on a day `n` days before
/// the last of its month for some `n` of `offsets`. Each step moves to the next such day of
/// the month or to the next month, so the search ends with AWS's years.
fn next_last_minus(
    offsets: &[u32],
    every_day: &croner::Cron,
    t: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut from = t;
    loop {
        let c = next_of(every_day, from)?;
        let (y, m, d) = (c.year(), c.month(), c.day());
        let last = days_in_month(y, m);
        let days = offsets.iter().filter_map(|n| last.checked_sub(*n));
        if days.clone().any(|x| x == d) {
            return Some(c);
        }
        // The next such day this month, else the month after (its midnight is a fire time
        // to consider: search from just before it).
        let next_day = days.filter(|x| *x > d).min().unwrap_or(last + 1);
        from = midnight(y, m, next_day)? - Duration::seconds(1);
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests;
