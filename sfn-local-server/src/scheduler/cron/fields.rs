//! The six fields of an AWS cron expression, read by AWS's rules and written out the way croner
//! reads them: plain values as ranges, `L`, `W`, `LW`, `nL` and `n#k` as they are, and `L-n`
//! kept apart (croner has no such form).

use std::collections::BTreeSet;

use super::{CronField, ScheduleError, YEAR_MAX, YEAR_MIN};

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// Day-of-week names, from 1 (Sunday).
pub(super) const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// What a field accepts (the six are the constants below).
pub(super) struct Spec {
    field: CronField,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    step: bool,
}

impl Spec {
    const fn new(field: CronField, min: u32, max: u32, names: &'static [&'static str]) -> Self {
        Spec {
            field,
            min,
            max,
            names,
            step: true,
        }
    }
}

pub(super) const MINUTES: Spec = Spec::new(CronField::Minutes, 0, 59, &[]);
pub(super) const HOURS: Spec = Spec::new(CronField::Hours, 0, 23, &[]);
const DAY_OF_MONTH: Spec = Spec::new(CronField::DayOfMonth, 1, 31, &[]);
pub(super) const MONTH: Spec = Spec::new(CronField::Month, 1, 12, &MONTHS);
/// The AWS table lists `, - * ? L #` for day-of-week: no `/`.
const DAY_OF_WEEK: Spec = Spec {
    step: false,
    ..Spec::new(CronField::DayOfWeek, 1, 7, &DAYS)
};
pub(super) const YEARS: Spec = Spec::new(CronField::Year, YEAR_MIN as u32, YEAR_MAX as u32, &[]);

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

/// A field of plain items (no `L`, `W`, `#`), as croner's ranges of the values it names.
pub(super) fn plain_field(text: &str, spec: &Spec) -> Result<String, ScheduleError> {
    let mut values = BTreeSet::new();
    for item in text.split(',') {
        values.extend(plain_item(item, text, spec)?);
    }
    Ok(ranges(&values))
}

/// `{1, 2, 3, 7}` as `1-3,7`.
fn ranges(values: &BTreeSet<u32>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &v in values {
        run = match run {
            Some((a, b)) if v == b + 1 => Some((a, v)),
            Some((a, b)) => {
                out.push(range_text(a, b));
                Some((v, v))
            }
            None => Some((v, v)),
        };
    }
    out.extend(run.map(|(a, b)| range_text(a, b)));
    out.join(",")
}

fn range_text(a: u32, b: u32) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// Day-of-month as croner's items (empty when there are none), and the `n` of its `L-n` items.
pub(super) fn day_of_month(text: &str) -> Result<(String, Vec<u32>), ScheduleError> {
    let spec = &DAY_OF_MONTH;
    let mut values = BTreeSet::new();
    let mut special = Vec::new();
    let mut last_minus = Vec::new();
    let mut last = false;
    let mut last_weekday = false;
    for item in text.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            last = true;
        } else if upper == "LW" {
            last_weekday = true;
        } else if let Some(off) = upper.strip_prefix("L-") {
            match off.parse::<u32>() {
                Ok(n) if n <= 30 && off.bytes().all(|b| b.is_ascii_digit()) => last_minus.push(n),
                _ => {
                    return Err(field_err(
                        spec.field,
                        text,
                        format!("`{item}`: L-n takes an offset from 0 to 30"),
                    ));
                }
            }
        } else if let Some(day) = upper.strip_suffix('W') {
            special.push(format!("{}W", value(day, text, spec)?));
        } else {
            values.extend(plain_item(item, text, spec)?);
        }
    }
    if last_weekday {
        special.push("LW".to_string());
    }
    if last {
        // croner reads `L` and `LW` in one field as `LW` alone: `L` is then `L-0`, found here.
        if last_weekday {
            last_minus.push(0);
        } else {
            special.push("L".to_string());
        }
    }
    last_minus.sort_unstable();
    last_minus.dedup();
    let plain = ranges(&values);
    let items: Vec<&str> = std::iter::once(plain.as_str())
        .filter(|p| !p.is_empty())
        .chain(special.iter().map(String::as_str))
        .collect();
    Ok((items.join(","), last_minus))
}

/// Day-of-week as croner's items (1 = Sunday, croner's "alternative weekdays").
pub(super) fn day_of_week(text: &str) -> Result<String, ScheduleError> {
    let spec = &DAY_OF_WEEK;
    let mut values = BTreeSet::new();
    let mut special = Vec::new();
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
            let d = value(day, text, spec)?;
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
            special.push(format!("{d}#{k}"));
        } else if upper == "L" {
            // `L` alone is the last day of the week: Saturday.
            values.insert(7);
        } else if let Some(day) = upper.strip_suffix('L') {
            special.push(format!("{}L", value(day, text, spec)?));
        } else {
            values.extend(plain_item(item, text, spec)?);
        }
    }
    let plain = ranges(&values);
    Ok(std::iter::once(plain)
        .filter(|p| !p.is_empty())
        .chain(special)
        .collect::<Vec<_>>()
        .join(","))
}
