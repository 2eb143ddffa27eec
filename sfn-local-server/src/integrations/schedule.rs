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
//! ```
//! use sfn_local_server::integrations::schedule::Schedule;
//! use chrono::{TimeZone, Utc};
//!
//! let s: Schedule = "cron(0 17 * * ? *)".parse().unwrap();
//! let t = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
//! assert_eq!(s.next_after(t), Some(Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0).unwrap()));
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

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

/// A set of small integers (at most 256: years are stored as offsets from 1970).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Bits([u64; 4]);

impl Bits {
    fn insert(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut((i / 64) as usize) {
            *w |= 1 << (i % 64);
        }
    }

    fn contains(&self, i: u32) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The smallest member >= `from`.
    fn next_from(&self, from: u32) -> Option<u32> {
        (from..256).find(|i| self.contains(*i))
    }
}

impl fmt::Debug for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries((0..256).filter(|i| self.contains(*i)))
            .finish()
    }
}

/// The day-of-month part of a cron expression.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct DomRule {
    days: Bits,
    /// `L` or `L-n`: the last day of the month minus each offset.
    last_minus: Vec<u32>,
    /// `nW`: the weekday nearest to day n, within the month.
    nearest_weekday: Vec<u32>,
    /// `LW`: the last weekday of the month.
    last_weekday: bool,
}

/// The day-of-week part of a cron expression (1 = Sunday ... 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct DowRule {
    days: Bits,
    /// `nL`: the last weekday n of the month.
    last_of: Vec<u32>,
    /// `n#k`: the k-th weekday n of the month.
    nth: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayRule {
    Dom(DomRule),
    Dow(DowRule),
}

/// A parsed AWS cron expression (the text between `cron(` and `)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    source: String,
    minutes: Bits,
    hours: Bits,
    months: Bits,
    /// Offsets from 1970.
    years: Bits,
    day: DayRule,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// What a field accepts.
struct Spec {
    field: CronField,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    step: bool,
}

impl FromStr for Cron {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        let [mi, h, dom, mo, dow, y] = fields[..] else {
            return Err(ScheduleError::FieldCount(fields.len()));
        };
        let spec = |field, min, max, names, step| Spec {
            field,
            min,
            max,
            names,
            step,
        };
        let minutes = parse_plain(mi, &spec(CronField::Minutes, 0, 59, &[], true))?;
        let hours = parse_plain(h, &spec(CronField::Hours, 0, 23, &[], true))?;
        let months = parse_plain(mo, &spec(CronField::Month, 1, 12, &MONTHS, true))?;
        // Years are stored as offsets from 1970 to fit the 256-bit set.
        let mut years = Bits::default();
        let year_spec = spec(CronField::Year, YEAR_MIN as u32, YEAR_MAX as u32, &[], true);
        for item in y.split(',') {
            for v in plain_item(item, y, &year_spec)? {
                years.insert(v - YEAR_MIN as u32);
            }
        }
        let day = match (dom == "?", dow == "?") {
            (false, true) => DayRule::Dom(parse_dom(dom)?),
            (true, false) => DayRule::Dow(parse_dow(dow)?),
            _ => {
                return Err(ScheduleError::DayFields {
                    dom: dom.to_string(),
                    dow: dow.to_string(),
                });
            }
        };
        Ok(Cron {
            source: fields.join(" "),
            minutes,
            hours,
            months,
            years,
            day,
        })
    }
}

fn field_err(field: CronField, text: &str, reason: impl Into<String>) -> ScheduleError {
    ScheduleError::Field {
        field,
        text: text.to_string(),
        reason: reason.into(),
    }
}

/// A number or (case-insensitive) name in `spec`'s range.
fn value(tok: &str, whole: &str, spec: &Spec) -> Result<u32, ScheduleError> {
    let upper = tok.to_ascii_uppercase();
    if let Some(i) = spec.names.iter().position(|n| *n == upper) {
        return Ok(spec.min + i as u32);
    }
    if tok.is_empty() || !tok.bytes().all(|b| b.is_ascii_digit()) {
        return Err(field_err(
            spec.field,
            whole,
            format!("`{tok}` is not a valid value"),
        ));
    }
    match tok.parse::<u32>() {
        Ok(v) if (spec.min..=spec.max).contains(&v) => Ok(v),
        _ => Err(field_err(
            spec.field,
            whole,
            format!("`{tok}` is out of range {}-{}", spec.min, spec.max),
        )),
    }
}

/// One list item: `*`, `v`, `a-b`, with an optional `/step`. Returns the members.
fn plain_item(item: &str, whole: &str, spec: &Spec) -> Result<Vec<u32>, ScheduleError> {
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => {
            if !spec.step {
                return Err(field_err(
                    spec.field,
                    whole,
                    "the `/` wildcard is not allowed in this field",
                ));
            }
            let step = match s.parse::<u32>() {
                Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => {
                    return Err(field_err(
                        spec.field,
                        whole,
                        format!("`{s}` is not a valid increment"),
                    ));
                }
            };
            (r, Some(step))
        }
        None => (item, None),
    };
    let (start, end) = if range == "*" {
        (spec.min, spec.max)
    } else if let Some((a, b)) = range.split_once('-') {
        (value(a, whole, spec)?, value(b, whole, spec)?)
    } else {
        let v = value(range, whole, spec)?;
        // `a/n` runs from a to the end of the range.
        (v, if step.is_some() { spec.max } else { v })
    };
    // A range whose start is after its end wraps around (`FRI-MON`, `22-2`).
    let span = spec.max - spec.min + 1;
    let len = if end >= start {
        end - start + 1
    } else {
        span - (start - end) + 1
    };
    let step = step.unwrap_or(1);
    Ok((0..len)
        .step_by(step as usize)
        .map(|k| spec.min + (start - spec.min + k) % span)
        .collect())
}

fn parse_plain(text: &str, spec: &Spec) -> Result<Bits, ScheduleError> {
    let mut bits = Bits::default();
    for item in text.split(',') {
        for v in plain_item(item, text, spec)? {
            bits.insert(v);
        }
    }
    Ok(bits)
}

fn parse_dom(text: &str) -> Result<DomRule, ScheduleError> {
    let spec = Spec {
        field: CronField::DayOfMonth,
        min: 1,
        max: 31,
        names: &[],
        step: true,
    };
    let mut rule = DomRule::default();
    for item in text.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            rule.last_minus.push(0);
        } else if upper == "LW" {
            rule.last_weekday = true;
        } else if let Some(off) = upper.strip_prefix("L-") {
            match off.parse::<u32>() {
                Ok(n) if n <= 30 && off.bytes().all(|b| b.is_ascii_digit()) => {
                    rule.last_minus.push(n)
                }
                _ => {
                    return Err(field_err(
                        spec.field,
                        text,
                        format!("`{item}`: L-n takes an offset from 0 to 30"),
                    ));
                }
            }
        } else if let Some(day) = upper.strip_suffix('W') {
            rule.nearest_weekday.push(value(day, text, &spec)?);
        } else {
            for v in plain_item(item, text, &spec)? {
                rule.days.insert(v);
            }
        }
    }
    Ok(rule)
}

fn parse_dow(text: &str) -> Result<DowRule, ScheduleError> {
    // The AWS table lists `, - * ? L #` for day-of-week: no `/`.
    let spec = Spec {
        field: CronField::DayOfWeek,
        min: 1,
        max: 7,
        names: &DAYS,
        step: false,
    };
    let mut rule = DowRule::default();
    let items: Vec<&str> = text.split(',').collect();
    for item in &items {
        let upper = item.to_ascii_uppercase();
        if let Some((day, nth)) = upper.split_once('#') {
            // "If you use the '#' character, you can define only one expression in the
            // day-of-week field."
            if items.len() > 1 {
                return Err(field_err(
                    spec.field,
                    text,
                    "a `#` expression must be the only one in the day-of-week field",
                ));
            }
            let d = value(day, text, &spec)?;
            let k = match nth.parse::<u32>() {
                Ok(k) if (1..=5).contains(&k) && nth.bytes().all(|b| b.is_ascii_digit()) => k,
                _ => {
                    return Err(field_err(
                        spec.field,
                        text,
                        format!("`{item}`: the occurrence after `#` must be 1-5"),
                    ));
                }
            };
            rule.nth = Some((d, k));
        } else if upper == "L" {
            // `L` alone is the last day of the week: Saturday.
            rule.days.insert(7);
        } else if let Some(day) = upper.strip_suffix('L') {
            rule.last_of.push(value(day, text, &spec)?);
        } else {
            for v in plain_item(item, text, &spec)? {
                rule.days.insert(v);
            }
        }
    }
    Ok(rule)
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

/// 1 = Sunday ... 7 = Saturday.
fn weekday(year: i32, month: u32, day: u32) -> u32 {
    NaiveDate::from_ymd_opt(year, month, day).map_or(0, |d| d.weekday().number_from_sunday())
}

/// The weekday (Mon-Fri) nearest to `day`, without leaving the month.
fn nearest_weekday(year: i32, month: u32, day: u32) -> Option<u32> {
    let last = days_in_month(year, month);
    if day > last {
        return None;
    }
    Some(match weekday(year, month, day) {
        7 if day == 1 => 3,          // Saturday the 1st: Monday the 3rd
        7 => day - 1,                // Saturday: the Friday before
        1 if day == last => day - 2, // Sunday the last day: the Friday before
        1 => day + 1,                // Sunday: the Monday after
        _ => day,
    })
}

impl Cron {
    /// The days of `year`-`month` this expression fires on, as a bitset (bit d = day d).
    fn days_of(&self, year: i32, month: u32) -> Bits {
        let last = days_in_month(year, month);
        let mut out = Bits::default();
        match &self.day {
            DayRule::Dom(r) => {
                for d in 1..=last {
                    if r.days.contains(d) {
                        out.insert(d);
                    }
                }
                for off in &r.last_minus {
                    if *off < last {
                        out.insert(last - off);
                    }
                }
                for d in &r.nearest_weekday {
                    if let Some(w) = nearest_weekday(year, month, *d) {
                        out.insert(w);
                    }
                }
                if r.last_weekday
                    && let Some(w) = nearest_weekday(year, month, last)
                {
                    out.insert(w);
                }
            }
            DayRule::Dow(r) => {
                let first = weekday(year, month, 1);
                // Day of the month of the first weekday `w`.
                let first_of = |w: u32| 1 + (w + 7 - first) % 7;
                for w in 1..=7 {
                    if r.days.contains(w) {
                        let mut d = first_of(w);
                        while d <= last {
                            out.insert(d);
                            d += 7;
                        }
                    }
                }
                for w in &r.last_of {
                    let d = first_of(*w);
                    out.insert(d + (last - d) / 7 * 7);
                }
                if let Some((w, k)) = r.nth {
                    let d = first_of(w) + (k - 1) * 7;
                    if d <= last {
                        out.insert(d);
                    }
                }
            }
        }
        out
    }

    /// Whether the expression fires in the minute containing `t`.
    ///
    /// Evaluated date by date (no search), so it doubles as the reference that
    /// [`Cron::next_after`] is tested against.
    pub fn matches(&self, t: DateTime<Utc>) -> bool {
        let (y, mo, d) = (t.year(), t.month(), t.day());
        if !(YEAR_MIN..=YEAR_MAX).contains(&y)
            || !self.years.contains((y - YEAR_MIN) as u32)
            || !self.months.contains(mo)
            || !self.hours.contains(t.hour())
            || !self.minutes.contains(t.minute())
        {
            return false;
        }
        let last = days_in_month(y, mo);
        let wd = weekday(y, mo, d);
        match &self.day {
            DayRule::Dom(r) => {
                r.days.contains(d)
                    || r.last_minus
                        .iter()
                        .any(|off| last.checked_sub(*off) == Some(d))
                    || r.nearest_weekday
                        .iter()
                        .any(|n| nearest_weekday(y, mo, *n) == Some(d))
                    || (r.last_weekday && nearest_weekday(y, mo, last) == Some(d))
            }
            DayRule::Dow(r) => {
                r.days.contains(wd)
                    || (r.last_of.contains(&wd) && d + 7 > last)
                    || r.nth.is_some_and(|(w, k)| w == wd && (d - 1) / 7 + 1 == k)
            }
        }
    }

    /// The first minute strictly after `t` on which the expression fires, or `None` when it
    /// never fires again (its years are over, or it names days that never occur, like
    /// `cron(0 0 31 FEB ? *)`).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = t
            .with_second(0)?
            .with_nanosecond(0)?
            .checked_add_signed(Duration::minutes(1))?;
        let (sy, sm, sd) = (start.year(), start.month(), start.day());
        for year in sy.max(YEAR_MIN)..=YEAR_MAX {
            if !self.years.contains((year - YEAR_MIN) as u32) {
                continue;
            }
            for month in 1..=12u32 {
                if (year, month) < (sy, sm) || !self.months.contains(month) {
                    continue;
                }
                let days = self.days_of(year, month);
                let mut day = if (year, month) == (sy, sm) { sd } else { 1 };
                while let Some(d) = days.next_from(day) {
                    day = d + 1;
                    let today = (year, month, d) == (sy, sm, sd);
                    let mut hour = if today { start.hour() } else { 0 };
                    while let Some(h) = self.hours.next_from(hour) {
                        if h > 23 {
                            break;
                        }
                        hour = h + 1;
                        let from = if today && h == start.hour() {
                            start.minute()
                        } else {
                            0
                        };
                        if let Some(m) = self.minutes.next_from(from).filter(|m| *m < 60) {
                            let date = NaiveDate::from_ymd_opt(year, month, d)?;
                            return Some(Utc.from_utc_datetime(&date.and_hms_opt(h, m, 0)?));
                        }
                    }
                }
            }
        }
        None
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests;
