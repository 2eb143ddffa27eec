//! Tables for the YAML reader: values, positions, short forms, YAML 1.1 as CloudFormation
//! reads it, and bounds.

use super::*;

#[test]
fn values_positions_and_tags() {
    let doc =
        parse("a:\n  b: [1, 'x', true]\n  c: !Sub 'arn:${AWS::Region}'\n  d:\n    - k: 2.5\n")
            .unwrap();
    assert_eq!(
        doc.value,
        serde_json::json!({"a": {"b": [1, "x", true], "c": {"Fn::Sub": "arn:${AWS::Region}"}, "d": [{"k": 2.5}]}})
    );
    assert_eq!(doc.position("/a/b"), Some(LineCol { line: 2, column: 3 }));
    assert_eq!(
        doc.position("/a/d/0/k"),
        Some(LineCol { line: 5, column: 7 })
    );
    // The mapping in the sequence starts at its first key.
    assert_eq!(doc.position("/a/d/0"), Some(LineCol { line: 5, column: 7 }));
    assert_eq!(
        doc.nearest("/a", "/d/0/missing"),
        Some(LineCol { line: 5, column: 7 })
    );
}

#[test]
fn tagged_content_and_scalars() {
    let doc = parse("a: !Join\n  - ''\n  - - x\n    - !GetAtt F.Arn\nb: !Sub |\n  {}\n").unwrap();
    assert_eq!(
        doc.position("/a/Fn::Join/1/0"),
        Some(LineCol { line: 3, column: 7 })
    );
    assert_eq!(
        doc.scalar("/a/Fn::Join/1/0"),
        Some((LineCol { line: 3, column: 7 }, TScalarStyle::Plain))
    );
    assert!(doc.scalar("/a/Fn::Join/1/1/Fn::GetAtt").is_some());
    assert_eq!(doc.position("/a/Fn::Join"), None);
    assert_eq!(doc.scalar("/b/Fn::Sub").unwrap().1, TScalarStyle::Literal);
    // A literal block is marked where its content starts.
    assert_eq!(
        doc.scalar("/b/Fn::Sub").unwrap().0,
        LineCol { line: 6, column: 3 }
    );
}

/// Every CloudFormation short form, after a key, in a sequence and with a mapping or a
/// sequence as its content: the long form, as CloudFormation reads it.
#[test]
fn short_forms_in_every_position() {
    use serde_json::json;
    for (yaml, value) in [
        (
            "a: !Sub 'x-${AWS::Region}'",
            json!({"a": {"Fn::Sub": "x-${AWS::Region}"}}),
        ),
        (
            "a: !Sub ['x-${N}', {N: !Ref P}]",
            json!({"a": {"Fn::Sub": ["x-${N}", {"N": {"Ref": "P"}}]}}),
        ),
        (
            "a: !GetAtt F.Arn",
            json!({"a": {"Fn::GetAtt": ["F", "Arn"]}}),
        ),
        (
            "a: !GetAtt [F, Arn]",
            json!({"a": {"Fn::GetAtt": ["F", "Arn"]}}),
        ),
        ("a: !Ref P", json!({"a": {"Ref": "P"}})),
        ("a: !If [C, 1, 2]", json!({"a": {"Fn::If": ["C", 1, 2]}})),
        (
            "a: !Join ['', [a, !Ref P]]",
            json!({"a": {"Fn::Join": ["", ["a", {"Ref": "P"}]]}}),
        ),
        (
            "a: !Select [0, !GetAZs '']",
            json!({"a": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}),
        ),
        (
            "a: !FindInMap [M, K, V]",
            json!({"a": {"Fn::FindInMap": ["M", "K", "V"]}}),
        ),
        ("a: !Base64 x", json!({"a": {"Fn::Base64": "x"}})),
        (
            "a: !Split [',', 'a,b']",
            json!({"a": {"Fn::Split": [",", "a,b"]}}),
        ),
        (
            "a: !ImportValue shared",
            json!({"a": {"Fn::ImportValue": "shared"}}),
        ),
        (
            "a: !GetAZs {Ref: 'AWS::Region'}",
            json!({"a": {"Fn::GetAZs": {"Ref": "AWS::Region"}}}),
        ),
        (
            "a: !Equals [!Ref E, prod]",
            json!({"a": {"Fn::Equals": [{"Ref": "E"}, "prod"]}}),
        ),
        (
            "a: !Not [!Condition C]",
            json!({"a": {"Fn::Not": [{"Condition": "C"}]}}),
        ),
        (
            "a: !And [!Condition A, !Condition B]",
            json!({"a": {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}}),
        ),
        (
            "a: !Or [!Condition A, !Condition B]",
            json!({"a": {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}}),
        ),
        (
            "a: !Cidr [10.0.0.0/16, 4, 8]",
            json!({"a": {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}}),
        ),
        (
            "a: !Transform {Name: X, Parameters: {}}",
            json!({"a": {"Fn::Transform": {"Name": "X", "Parameters": {}}}}),
        ),
        (
            "- !Ref A\n- !GetAtt B.Arn",
            json!([{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}]),
        ),
        (
            "a: !If\n  - C\n  - {x: 1}\n  - [2]",
            json!({"a": {"Fn::If": ["C", {"x": 1}, [2]]}}),
        ),
    ] {
        assert_eq!(parse(yaml).unwrap().value, value, "{yaml}");
    }
}

/// Plain scalars as PyYAML (YAML 1.1) resolves them, and flow collections indented less
/// than their key.
#[test]
fn yaml_11_as_cloudformation_reads_it() {
    use serde_json::json;
    for (yaml, value) in [
        (
            "[yes, No, ON, off, true, False]",
            json!([true, false, true, false, true, false]),
        ),
        (
            "[~, null, '', 1_000, 0x1F, 010, 0b11, -7]",
            json!([null, null, "", 1000, 31, 8, 3, -7]),
        ),
        (
            "[1.5, -2., 6.8e+5, 1e3, .5, 1.2.3, 12:30]",
            json!([1.5, -2.0, 680000.0, "1e3", ".5", "1.2.3", "12:30"]),
        ),
        ("a:\n  b: [1,\n2]\n", json!({"a": {"b": [1, 2]}})),
        ("- - [1,\n 2]\n- x - [y\n", json!([[[1, 2]], "x - [y"])),
        (
            "a:\n    r: [ {e: [ x\n  ], m: 2} ]\n    n: 1\n",
            json!({"a": {"r": [{"e": ["x"], "m": 2}], "n": 1}}),
        ),
        (
            "a:\n  - {k: 1,\n v: \"two\n words\"}\n",
            json!({"a": [{"k": 1, "v": "two words"}]}),
        ),
        (
            "a:\n  b: !Join [',', [x,\ny]]\n",
            json!({"a": {"b": {"Fn::Join": [",", ["x", "y"]]}}}),
        ),
    ] {
        assert_eq!(parse(yaml).unwrap().value, value, "{yaml}");
    }
    // Anchors and aliases, as PyYAML resolves them; copies stay bounded.
    let doc = parse("r: &r [{e: [X], m: 2}]\na: *r\nb: {k: &s v, l: *s}\n").unwrap();
    assert_eq!(
        doc.value,
        json!({"r": [{"e": ["X"], "m": 2}], "a": [{"e": ["X"], "m": 2}], "b": {"k": "v", "l": "v"}})
    );
    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let laughs = laughs.replace("*a0", "*a");
    assert!(parse(&laughs).is_err());
    // Positions still point into the text as written.
    let doc = parse("a:\n  b: [1,\n{c: 2}]\n").unwrap();
    assert_eq!(
        doc.position("/a/b/1/c"),
        Some(LineCol { line: 3, column: 2 })
    );
}

#[test]
fn deep_documents_stop_at_the_limit() {
    for text in [
        "- ".repeat(1 << 19),
        "? ".repeat(1 << 19),
        "[".repeat(1 << 20),
        format!("{}1{}", "{a: ".repeat(200), "}".repeat(200)),
    ] {
        let (result, steps) = work::measure(|| parse(&text));
        assert!(result.is_err(), "{:?}", result.map(|d| d.value));
        assert!(steps < 10_000, "{steps} steps");
    }
    let nested = format!(
        "{}1{}",
        "[".repeat(MAX_JSON_DEPTH),
        "]".repeat(MAX_JSON_DEPTH)
    );
    assert!(parse(&nested).is_ok());
}
