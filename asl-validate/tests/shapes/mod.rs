//! Definitions of extreme shapes (long, wide, deeply nested, templates), shared by
//! `tests/bounds.rs` and `benches/validate.rs` (`#[path]`), so the bench times what the tests
//! pin.
#![allow(dead_code)]

/// `S0 -> S1 -> ... -> S{n-1}`, the last one ending (or going back to `S0`).
pub fn chain(n: usize, ends: bool) -> String {
    let mut s = String::from(r#"{"StartAt":"S0","States":{"#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let next = if i + 1 < n {
            format!(r#""Next":"S{}""#, i + 1)
        } else if ends {
            r#""End":true"#.to_string()
        } else {
            r#""Next":"S0""#.to_string()
        };
        s.push_str(&format!(r#""S{i}":{{"Type":"Pass",{next}}}"#));
    }
    s.push_str("}}");
    s
}

/// `n` states that all end: only the first is named by anything.
pub fn wide(n: usize) -> String {
    let states: Vec<String> = (0..n)
        .map(|i| format!(r#""S{i}":{{"Type":"Pass","End":true}}"#))
        .collect();
    format!(r#"{{"StartAt":"S0","States":{{{}}}}}"#, states.join(","))
}

/// A machine whose only state is a Parallel nesting `levels` more workflows, with states named
/// `name` + level.
pub fn nested_parallels(levels: usize, name: &str, width: usize) -> String {
    let mut m = r#"{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}"#.to_string();
    for level in 0..levels {
        let branches = vec![m; width].join(",");
        m = format!(
            r#"{{"StartAt":"{name}{level}","States":{{"{name}{level}":{{"Type":"Parallel","Branches":[{branches}],"End":true}}}}}}"#
        );
    }
    m
}

/// A CloudFormation template: one definition assembled from `parts` strings (`Fn::Join`), and
/// `resources` more definitions written as objects, each with a finding. The assembled one is
/// [`chain`]`(parts, ends)`.
pub fn template(parts: usize, resources: usize, ends: bool) -> String {
    let text = chain(parts, ends);
    let step = text.len().div_ceil(parts);
    let pieces: Vec<serde_json::Value> = text
        .as_bytes()
        .chunks(step)
        .map(|c| String::from_utf8_lossy(c).into_owned().into())
        .collect();
    let mut res = serde_json::Map::new();
    res.insert(
        "Joined".into(),
        serde_json::json!({"Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionString": {"Fn::Join": ["", pieces]}}}),
    );
    for i in 0..resources {
        res.insert(
            format!("M{i}"),
            serde_json::json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}}}),
        );
    }
    serde_json::json!({ "Resources": res }).to_string()
}
