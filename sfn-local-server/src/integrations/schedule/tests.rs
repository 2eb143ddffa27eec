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
fn aws_doc_examples() {
    let t = utc(2026, 3, 4, 12, 0); // a Wednesday
    // 10:15 UTC every day
    assert_eq!(
        next("cron(15 10 * * ? *)", t),
        Some(utc(2026, 3, 5, 10, 15))
    );
    // 18:00 Monday through Friday
    assert_eq!(
        next("cron(0 18 ? * MON-FRI *)", t),
        Some(utc(2026, 3, 4, 18, 0))
    );
    // 8:00 on the first day of the month
    assert_eq!(next("cron(0 8 1 * ? *)", t), Some(utc(2026, 4, 1, 8, 0)));
    // every 10 minutes on weekdays
    assert_eq!(
        next("cron(0/10 * ? * MON-FRI *)", t),
        Some(utc(2026, 3, 4, 12, 10))
    );
    // every 5 minutes between 8:00 and 17:55 weekdays
    assert_eq!(
        next("cron(0/5 8-17 ? * MON-FRI *)", utc(2026, 3, 6, 17, 55)),
        Some(utc(2026, 3, 9, 8, 0))
    );
    // 9:00 on the first Monday of each month
    assert_eq!(next("cron(0 9 ? * 2#1 *)", t), Some(utc(2026, 4, 6, 9, 0)));
    // `1/10` in minutes: 1, 11, 21, ...
    assert_eq!(
        next("cron(1/10 * * * ? *)", t),
        Some(utc(2026, 3, 4, 12, 1))
    );
}

#[test]
fn l_w_and_hash() {
    let t = utc(2024, 2, 1, 0, 0);
    assert_eq!(next("cron(0 0 L * ? *)", t), Some(utc(2024, 2, 29, 0, 0)));
    assert_eq!(next("cron(0 0 L-2 * ? *)", t), Some(utc(2024, 2, 27, 0, 0)));
    // last Friday of Feb 2024: the 23rd
    assert_eq!(next("cron(0 0 ? * 6L *)", t), Some(utc(2024, 2, 23, 0, 0)));
    assert_eq!(
        next("cron(0 0 ? * FRIL *)", t),
        Some(utc(2024, 2, 23, 0, 0))
    );
    // `L` alone in day-of-week: Saturdays
    assert_eq!(next("cron(0 0 ? * L *)", t), Some(utc(2024, 2, 3, 0, 0)));
    // 2024-06-15 is a Saturday -> Friday 14th; 2024-09-01 is a Sunday -> Monday 2nd
    assert_eq!(
        next("cron(0 0 15W * ? *)", utc(2024, 6, 1, 0, 0)),
        Some(utc(2024, 6, 14, 0, 0))
    );
    assert_eq!(
        next("cron(0 0 1W * ? *)", utc(2024, 8, 31, 0, 0)),
        Some(utc(2024, 9, 2, 0, 0))
    );
    // 2022-10-01 is a Saturday: 1W is Monday the 3rd, not September 30th
    assert_eq!(
        next("cron(0 0 1W * ? *)", utc(2022, 9, 15, 0, 0)),
        Some(utc(2022, 10, 3, 0, 0))
    );
    // LW: the last weekday; 2024-03-31 is a Sunday -> Friday 29th
    assert_eq!(
        next("cron(0 0 LW * ? *)", utc(2024, 3, 1, 0, 0)),
        Some(utc(2024, 3, 29, 0, 0))
    );
    // the second Tuesday (3#2)
    assert_eq!(next("cron(0 0 ? * 3#2 *)", t), Some(utc(2024, 2, 13, 0, 0)));
    // a 5th Monday only in months that have one: Jan 2024 has 29th, next is Apr 29
    assert_eq!(
        next("cron(0 0 ? * MON#5 *)", t),
        Some(utc(2024, 4, 29, 0, 0))
    );
}

#[test]
fn names_years_and_wrapping_ranges() {
    let t = utc(2026, 1, 1, 0, 0);
    assert_eq!(
        next("cron(0 0 1 jan,jul ? 2027)", t),
        Some(utc(2027, 1, 1, 0, 0))
    );
    assert_eq!(
        next("cron(0 0 ? * FRI-MON *)", utc(2026, 1, 1, 1, 0)),
        Some(utc(2026, 1, 2, 0, 0))
    );
    assert_eq!(
        next("cron(30 22-2 * * ? *)", utc(2026, 1, 1, 3, 0)),
        Some(utc(2026, 1, 1, 22, 30))
    );
    assert_eq!(next("cron(0 0 1 1 ? 2025)", t), None);
    assert_eq!(next("cron(0 0 31 FEB ? *)", t), None);
    assert_eq!(
        next("cron(0 0 1 1 ? 1970-2199/100)", t),
        Some(utc(2070, 1, 1, 0, 0))
    );
    assert_eq!(
        next("cron(59 23 31 12 ? 2199)", utc(2199, 12, 31, 23, 59)),
        None
    );
}

#[test]
fn rejects_what_aws_rejects() {
    let bad = [
        "cron(0 17 * * * *)",  // both day fields given
        "cron(0 17 ? * ? *)",  // both `?`
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
