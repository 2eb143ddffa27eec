use super::fields::DAYS;
use super::*;
use proptest::prelude::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn next(expr: &str, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
    expr.parse::<Schedule>().unwrap().next_after(from)
}

#[test]
fn seed_daily_17_utc_fires_seven_times_in_a_week() {
    let s: Schedule = "cron(0 17 * * ? *)".parse().unwrap();
    let monday = utc(2026, 11, 2, 0, 0);
    assert_eq!(monday.weekday(), chrono::Weekday::Mon);
    let end = monday + Duration::days(7);
    let fires: Vec<_> = s
        .upcoming(monday, 100)
        .into_iter()
        .take_while(|t| *t < end)
        .collect();
    assert_eq!(fires.len(), 7);
    for (i, t) in fires.iter().enumerate() {
        assert_eq!(*t, utc(2026, 11, 2 + i as u32, 17, 0));
    }
}

#[test]
fn strictly_after() {
    assert_eq!(
        next("cron(0 17 * * ? *)", utc(2026, 1, 1, 17, 0)),
        Some(utc(2026, 1, 2, 17, 0))
    );
    let just_before = utc(2026, 1, 1, 16, 59) + Duration::seconds(59);
    assert_eq!(
        next("cron(0 17 * * ? *)", just_before),
        Some(utc(2026, 1, 1, 17, 0))
    );
}

#[test]
fn rejects_what_aws_rejects() {
    let bad = [
        "cron(0 17 * * * *)", // both day fields given
        "cron(0 17 ? * ? *)", // both `?`
        "cron(0 0 1 * MON *)",
        "cron(0 0 ?,1 * ? *)", // `?` is the whole field
        "cron(L * * * ? *)",   // L only in the day fields
        "cron(0 1W * * ? *)",  // W only in day-of-month
        "cron(0 0 1#2 * ? *)", // # only in day-of-week
        "cron(0 0 ? * 2W *)",
        "cron(0 ? 1 * ? *)", // ? only in the day fields
        "cron(0 0 1 * ? L)",
        "cron(0 0 * * ? * *)", // seven fields (croner would take seconds)
        "cron(@daily)",        // croner's nicknames are not AWS's
        "cron(0 17 * * ?)",    // five fields
        "cron(60 17 * * ? *)", // minute out of range
        "cron(0 24 * * ? *)",
        "cron(0 0 0 * ? *)",
        "cron(0 0 * 13 ? *)",
        "cron(0 0 ? * 8 *)",
        "cron(0 0 ? * 0 *)", // day-of-week is 1-7
        "cron(0 0 * * ? 1969)",
        "cron(0 0 * * ? 2200)",
        "cron(0 0 ? * 3#1,6#3 *)", // `#` with another expression
        "cron(0 0 ? * 3#6 *)",
        "cron(0 0 ? * */2 *)", // no `/` in day-of-week
        "cron(0/0 * * * ? *)",
        "cron(a * * * ? *)",
        "cron(0 0 32W * ? *)",
        "cron(0 0 L-31 * ? *)",
        "cron(0 0 ? * FOO *)",
        "cron(0 0 * * ? *",
        "every day",
        "",
    ];
    for b in bad {
        assert!(b.parse::<Schedule>().is_err(), "{b} should be rejected");
    }
    let msg = "cron(0 17 * * * *)"
        .parse::<Schedule>()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("exactly one of day-of-month and day-of-week"),
        "{msg}"
    );
    let msg = "cron(61 17 * * ? *)"
        .parse::<Schedule>()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("minutes field") && msg.contains("out of range 0-59"),
        "{msg}"
    );
}

#[test]
fn rate_expressions() {
    let ok = [
        ("rate(1 minute)", 1),
        ("rate(5 minutes)", 5),
        ("rate(1 hour)", 60),
        ("rate(12 hours)", 720),
        ("rate(1 day)", 1440),
        ("rate(7 days)", 10080),
    ];
    for (e, m) in ok {
        assert_eq!(
            e.parse::<Schedule>().unwrap(),
            Schedule::Rate {
                every: Duration::minutes(m)
            },
            "{e}"
        );
        assert_eq!(e.parse::<Schedule>().unwrap().to_string(), e);
    }
    // AWS: rate(1 hours) and rate(5 hour) are invalid
    for e in [
        "rate(1 hours)",
        "rate(5 hour)",
        "rate(0 minutes)",
        "rate(-1 minutes)",
        "rate(1.5 hours)",
        "rate(5 weeks)",
        "rate(5)",
        "rate(5 minutes extra)",
        "rate(99999999999999999999 days)",
    ] {
        assert!(e.parse::<Schedule>().is_err(), "{e} should be rejected");
    }
}

#[test]
fn rate_next_counts_from_the_anchor() {
    let s: Schedule = "rate(5 minutes)".parse().unwrap();
    let anchor = utc(2026, 1, 1, 0, 2);
    assert_eq!(
        s.next_after_from(anchor, utc(2026, 1, 1, 0, 0)),
        Some(anchor)
    );
    assert_eq!(
        s.next_after_from(anchor, anchor),
        Some(utc(2026, 1, 1, 0, 7))
    );
    assert_eq!(
        s.next_after_from(anchor, utc(2026, 1, 1, 0, 8)),
        Some(utc(2026, 1, 1, 0, 12))
    );
    assert_eq!(
        s.next_after(utc(2026, 1, 1, 0, 3)),
        Some(utc(2026, 1, 1, 0, 5))
    );
    assert_eq!(
        s.upcoming_from(anchor, anchor, 3),
        vec![
            utc(2026, 1, 1, 0, 7),
            utc(2026, 1, 1, 0, 12),
            utc(2026, 1, 1, 0, 17)
        ]
    );
}

#[test]
fn at_fires_once() {
    let s: Schedule = "at(2026-11-03T17:00:00)".parse().unwrap();
    assert_eq!(
        s.upcoming(utc(2026, 1, 1, 0, 0), 5),
        vec![utc(2026, 11, 3, 17, 0)]
    );
    assert_eq!(s.next_after(utc(2026, 11, 3, 17, 0)), None);
    assert_eq!(s.to_string(), "at(2026-11-03T17:00:00)");
    assert!("at(2026-13-03T17:00:00)".parse::<Schedule>().is_err());
    assert!("at(tomorrow)".parse::<Schedule>().is_err());
}

/// One row per form: `expression | start | its next fire times`, in UTC; `end` when no fire
/// follows the last one listed.
const FORMS: &str = "
# The examples of AWS's cron page.
cron(0 10 * * ? *)             | 2026-03-04 12:00 | 2026-03-05 10:00
cron(15 10 * * ? *)            | 2026-03-04 12:00 | 2026-03-05 10:15
cron(15 12 * * ? *)            | 2026-03-04 12:00 | 2026-03-04 12:15
cron(0 18 ? * MON-FRI *)       | 2026-03-04 12:00 | 2026-03-04 18:00
cron(0 18 ? * MON-FRI *)       | 2026-03-06 18:00 | 2026-03-09 18:00
cron(0 8 1 * ? *)              | 2026-03-04 12:00 | 2026-04-01 08:00, 2026-05-01 08:00
cron(0/15 * * * ? *)           | 2026-03-04 12:50 | 2026-03-04 13:00, 2026-03-04 13:15
cron(0/10 * ? * MON-FRI *)     | 2026-03-04 12:00 | 2026-03-04 12:10
cron(0/10 * ? * MON-FRI *)     | 2026-03-06 23:55 | 2026-03-09 00:00
cron(0/5 8-17 ? * MON-FRI *)   | 2026-03-06 17:55 | 2026-03-09 08:00
cron(0 9 ? * 2#1 *)            | 2026-03-04 12:00 | 2026-04-06 09:00, 2026-05-04 09:00
# `*` in either day field, `?` in the other.
cron(0 0 * * ? *)              | 2026-03-04 00:00 | 2026-03-05 00:00, 2026-03-06 00:00
cron(0 0 ? * * *)              | 2026-03-04 00:00 | 2026-03-05 00:00, 2026-03-06 00:00
# `1/10` in minutes: 1, 11, 21, ...
cron(1/10 * * * ? *)           | 2026-03-04 12:00 | 2026-03-04 12:01, 2026-03-04 12:11
# `,` `-` `*` `/` in every field that takes them; month and day names in any case.
cron(5,35 1-2 * JAN,MAR ? 2027/2) | 2026-01-01 00:00 | 2027-01-01 01:05, 2027-01-01 01:35, 2027-01-01 02:05
cron(0 0 10-12/2 * ? *)        | 2026-01-10 00:00 | 2026-01-12 00:00, 2026-02-10 00:00
cron(0 0 ? * sat,SUN *)        | 2026-03-04 00:00 | 2026-03-07 00:00, 2026-03-08 00:00
cron(0 0 1 jan,jul ? 2027)     | 2026-01-01 00:00 | 2027-01-01 00:00, 2027-07-01 00:00, end
# Ranges that wrap around.
cron(0 0 ? * FRI-MON *)        | 2026-01-01 01:00 | 2026-01-02 00:00
cron(30 22-2 * * ? *)          | 2026-01-01 03:00 | 2026-01-01 22:30, 2026-01-01 23:30, 2026-01-02 00:30
# Day-of-week numbers: 1 is Sunday (2026-03-08), 7 Saturday.
cron(0 0 ? * 1 *)              | 2026-03-04 00:00 | 2026-03-08 00:00
cron(0 0 ? * 7 *)              | 2026-03-04 00:00 | 2026-03-07 00:00
# `L` in day-of-month: the last day; alone in day-of-week: Saturday; `nL`: the last weekday n
# (the last Friday of February 2024 is the 23rd).
cron(0 0 L * ? *)              | 2024-02-01 00:00 | 2024-02-29 00:00, 2024-03-31 00:00
cron(0 0 L * ? *)              | 2026-02-01 00:00 | 2026-02-28 00:00
cron(0 0 ? * L *)              | 2024-02-01 00:00 | 2024-02-03 00:00
cron(0 0 ? * 6L *)             | 2024-02-01 00:00 | 2024-02-23 00:00
cron(0 0 ? * FRIL *)           | 2024-02-01 00:00 | 2024-02-23 00:00
cron(0 0 ? * 2L *)             | 2026-03-01 00:00 | 2026-03-30 00:00
# `W`: the nearest weekday, never in another month. 2024-06-15 is a Saturday (Friday the
# 14th), 2024-09-01 a Sunday (Monday the 2nd), 2022-10-01 a Saturday (Monday the 3rd, not
# September 30th). `LW`: the last weekday (2024-03-31 is a Sunday: Friday the 29th).
cron(0 0 15W * ? *)            | 2024-06-01 00:00 | 2024-06-14 00:00
cron(0 0 1W * ? *)             | 2024-08-31 00:00 | 2024-09-02 00:00
cron(0 0 1W * ? *)             | 2022-09-15 00:00 | 2022-10-03 00:00
cron(0 0 LW * ? *)             | 2024-03-01 00:00 | 2024-03-29 00:00
# `#`: the k-th weekday n of the month; a 5th Monday only in months that have one.
cron(0 0 ? * 3#2 *)            | 2024-02-01 00:00 | 2024-02-13 00:00
cron(0 12 ? * 6#3 *)           | 2026-03-01 00:00 | 2026-03-20 12:00
cron(0 0 ? * MON#5 *)          | 2024-02-01 00:00 | 2024-04-29 00:00
# Quartz forms AWS's syntax comes from: `L-n`, and `L` with `LW` in one field.
cron(0 0 L-2 * ? *)            | 2024-02-01 00:00 | 2024-02-27 00:00
cron(0 0 L-1,1 * ? *)          | 2026-02-02 00:00 | 2026-02-27 00:00, 2026-03-01 00:00, 2026-03-30 00:00
cron(0 0 L,LW * ? *)           | 2026-05-01 00:00 | 2026-05-29 00:00, 2026-05-31 00:00
# Years: no fire after the last one named, none on days that never occur.
cron(0 0 1 1 ? 2027-2028)      | 2026-06-01 00:00 | 2027-01-01 00:00, 2028-01-01 00:00, end
cron(0 0 1 1 ? 1970-2199/100)  | 2026-01-01 00:00 | 2070-01-01 00:00, 2170-01-01 00:00, end
cron(0 0 1 1 ? 2025)           | 2026-01-01 00:00 | end
cron(0 0 31 FEB ? *)           | 2026-01-01 00:00 | end
cron(59 23 31 12 ? 2199)       | 2199-12-31 23:59 | end
";

fn at(text: &str) -> DateTime<Utc> {
    let t = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").unwrap();
    Utc.from_utc_datetime(&t)
}

#[test]
fn each_form() {
    let rows = FORMS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for row in rows {
        let [expr, from, fires] = row.split('|').collect::<Vec<_>>()[..] else {
            panic!("bad row {row}");
        };
        let mut fires: Vec<&str> = fires.split(',').map(str::trim).collect();
        let ends = fires.last() == Some(&"end");
        if ends {
            fires.pop();
        }
        let want: Vec<DateTime<Utc>> = fires.into_iter().map(at).collect();
        let s: Schedule = expr.trim().parse().unwrap();
        let n = want.len() + usize::from(ends);
        assert_eq!(s.upcoming(at(from), n), want, "{row}");
        let Schedule::Cron(c) = &s else { panic!() };
        assert!(want.iter().all(|t| c.matches(*t)), "{row}");
    }
}

// ---- property test: the search agrees with a minute-by-minute scan ----

fn item(min: u32, max: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        (min..=max).prop_map(|v| v.to_string()),
        (min..=max, min..=max).prop_map(|(a, b)| format!("{a}-{b}")),
        (min..=max, 1..=(max - min + 1)).prop_map(|(a, s)| format!("{a}/{s}")),
        (1..=(max - min + 1)).prop_map(|s| format!("*/{s}")),
    ]
}

fn list(min: u32, max: u32) -> impl Strategy<Value = String> {
    prop::collection::vec(item(min, max), 1..3).prop_map(|v| v.join(","))
}

fn dom() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => list(1, 31),
        1 => Just("L".to_string()),
        1 => (0u32..5).prop_map(|n| format!("L-{n}")),
        1 => (1u32..=31).prop_map(|n| format!("{n}W")),
        1 => Just("LW".to_string()),
        1 => (1u32..=31).prop_map(|n| format!("{n},L")),
    ]
}

fn dow() -> impl Strategy<Value = String> {
    let plain = prop::collection::vec(
        prop_oneof![
            Just("*".to_string()),
            (1u32..=7).prop_map(|v| v.to_string()),
            (1u32..=7, 1u32..=7).prop_map(|(a, b)| format!("{a}-{b}")),
            (0usize..7).prop_map(|i| DAYS[i].to_string()),
            (1u32..=7).prop_map(|v| format!("{v}L")),
        ],
        1..3,
    )
    .prop_map(|v| v.join(","));
    prop_oneof![
        3 => plain,
        1 => Just("L".to_string()),
        1 => (1u32..=7, 1u32..=5).prop_map(|(d, k)| format!("{d}#{k}")),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let days = prop_oneof![
        dom().prop_map(|d| (d, "?".to_string())),
        dow().prop_map(|w| ("?".to_string(), w)),
    ];
    let years = prop_oneof![
        Just("*".to_string()),
        (2020u32..2032).prop_map(|y| y.to_string()),
        (2020u32..2032, 2020u32..2032).prop_map(|(a, b)| format!("{a}-{b}")),
    ];
    (list(0, 59), list(0, 23), days, list(1, 12), years)
        .prop_map(|(m, h, (dm, dw), mo, y)| format!("{m} {h} {dm} {mo} {dw} {y}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn next_after_agrees_with_brute_force(
        e in expr(),
        start_min in 0i64..(12 * 366 * 1440),
        secs in 0u32..60,
    ) {
        let cron: Cron = e.parse().unwrap();
        let t = utc(2020, 1, 1, 0, 0) + Duration::minutes(start_min) + Duration::seconds(secs as i64);
        let fast = cron.next_after(t);
        // Scan up to 45 days minute by minute.
        let mut m = t.with_second(0).unwrap() + Duration::minutes(1);
        let end = t + Duration::days(45);
        let mut brute = None;
        while m <= end {
            if cron.matches(m) {
                brute = Some(m);
                break;
            }
            m += Duration::minutes(1);
        }
        match brute {
            Some(b) => prop_assert_eq!(fast, Some(b), "{}", e),
            None => prop_assert!(fast.is_none_or(|f| f > end), "{} gave {:?}", e, fast),
        }
        if let Some(f) = fast {
            prop_assert!(cron.matches(f) && f > t);
        }
    }
}
