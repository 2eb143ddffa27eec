//! State machine definitions inside CloudFormation, SAM and CDK (`cdk.out`) templates.
//!
//! - `AWS::StepFunctions::StateMachine`: `Definition` (an object), or `DefinitionString` (a
//!   string, `Fn::Sub` or `Fn::Join` of literal parts, as CDK writes it).
//! - `AWS::Serverless::StateMachine`: `Definition`, or `DefinitionUri` naming a local file.
//!
//! `DefinitionSubstitutions` and the pseudo parameters are applied where their values are
//! literals, or a `Ref` to a template parameter that has a `Default`. Intrinsic functions
//! inside a `Definition` object (`Resource: !GetAtt Fn.Arn`) are resolved the same way. What
//! only CloudFormation can resolve (`Ref`, `Fn::GetAtt`, ...) becomes a `${...}` placeholder:
//! the resource rule skips it, and where the schema wants a number or a boolean
//! (`TimeoutSeconds: !Ref Timeout`, `Seconds: ${WaitSeconds}`) it is taken as one, see
//! [`validate_definition`].
//!
//! **Substitution comes before validation.** CloudFormation replaces the placeholders in the
//! definition text, and Step Functions validates what results: a number or boolean field may be
//! written `${Name}` (`"Seconds": ${Wait}` in a `DefinitionString`, `Seconds: ${Wait}` in a
//! YAML `Definition`). When the template gives the value, the value is checked
//! (`MaxConcurrency: ${Max}` with `Max: -1` is refused, as on AWS); when it does not, any
//! scalar is accepted in its place. A placeholder written bare in a `DefinitionString`, which
//! is no JSON until it is replaced, is read as a string placeholder.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, escape};
use crate::origin::Assembled;

/// A definition found in a template.
#[derive(Debug)]
pub(crate) struct Found {
    /// The resource's logical id.
    pub name: String,
    /// Where the definition is in the template (pointer).
    pub pointer: String,
    /// What it is.
    pub kind: FoundKind,
}

#[derive(Debug)]
pub(crate) enum FoundKind {
    /// A definition written as an object (its pointer is the definition's root).
    Value(Value),
    /// A definition assembled as JSON text, with where its bytes are in the template.
    Text(Assembled),
    /// A definition in another file, relative to the template.
    File(String),
    /// A definition that cannot be read statically.
    Unreadable(String),
}

/// Whether `value` looks like a template.
pub(crate) fn is_template(value: &Value) -> bool {
    value.get("Resources").is_some_and(Value::is_object)
}

/// Every state machine definition of a template, in resource order.
pub(crate) fn definitions(template: &Value) -> Vec<Found> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let params = parameter_defaults(template);
    let mut out = Vec::new();
    for (id, res) in resources {
        let ty = res.get("Type").and_then(Value::as_str);
        let sam = ty == Some("AWS::Serverless::StateMachine");
        if ty != Some("AWS::StepFunctions::StateMachine") && !sam {
            continue;
        }
        let props_ptr = format!("/Resources/{}/Properties", escape(id));
        let Some(props) = res.get("Properties").and_then(Value::as_object) else {
            continue;
        };
        let subs = substitutions(props.get("DefinitionSubstitutions"), &params);
        let found = |field: &str, kind| Found {
            name: id.clone(),
            pointer: format!("{props_ptr}/{field}"),
            kind,
        };
        if let Some(def) = props.get("Definition") {
            let mut def = def.clone();
            substitute_all(&mut def, &subs);
            out.push(found("Definition", FoundKind::Value(def)));
        } else if let Some(s) = props.get("DefinitionString").filter(|_| !sam) {
            out.push(found(
                "DefinitionString",
                match text(s, &format!("{props_ptr}/DefinitionString"), &params) {
                    Some(t) => FoundKind::Text(quote_bare_placeholders(&substitute(&t, &subs))),
                    None => FoundKind::Unreadable(
                        "DefinitionString is built from values only CloudFormation can resolve"
                            .into(),
                    ),
                },
            ));
        } else if let Some(uri) = props.get("DefinitionUri").filter(|_| sam) {
            out.push(found(
                "DefinitionUri",
                match uri.as_str() {
                    Some(path) if !path.starts_with("s3://") => FoundKind::File(path.to_string()),
                    _ => FoundKind::Unreadable(
                        "DefinitionUri points to S3, not to a local file".into(),
                    ),
                },
            ));
        }
    }
    out
}

/// The template's parameters that have a `Default`, by name: what a `Ref` to them gives when
/// the stack is deployed without overriding them. CloudFormation passes every parameter value
/// as a string (a `Number` parameter too), and so are these.
fn parameter_defaults(template: &Value) -> Map<String, Value> {
    let Some(params) = template.get("Parameters").and_then(Value::as_object) else {
        return Map::new();
    };
    params
        .iter()
        .filter_map(|(name, p)| {
            let v = match p.get("Default")? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((name.clone(), Value::String(v)))
        })
        .collect()
}

/// `DefinitionSubstitutions` with their values resolved where the template says what they are:
/// literals, `Ref`s to parameters with a default (`params`) and to pseudo parameters. Others
/// (`Fn::GetAtt`, ...) are left out: their placeholders stay.
fn substitutions(v: Option<&Value>, params: &Map<String, Value>) -> Map<String, Value> {
    let Some(m) = v.and_then(Value::as_object) else {
        return params.clone();
    };
    let mut out = params.clone();
    for (k, v) in m {
        let resolved = match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(v.clone()),
            Value::Object(o) if o.len() == 1 => o
                .get("Ref")
                .and_then(Value::as_str)
                .and_then(|r| lookup(r, params))
                .map(Value::String),
            _ => None,
        };
        match resolved {
            Some(r) => {
                out.insert(k.clone(), r);
            }
            // The substitution hides any parameter of the same name.
            None => {
                out.remove(k);
            }
        }
    }
    out
}

/// The text of a `DefinitionString` at `pointer`: a string, `Fn::Sub` or `Fn::Join`.
fn text(v: &Value, pointer: &str, params: &Map<String, Value>) -> Option<Assembled> {
    if let Value::String(s) = v {
        return Some(Assembled::literal(s, pointer.to_string()));
    }
    let mut out = Assembled::default();
    text_into(v, pointer, params, &mut out).then_some(out)
}

/// `a` with every `${...}` that is outside a JSON string (`"Seconds": ${Wait}`, left there
/// because the template does not say what `Wait` is) put in quotes, so that the text is JSON
/// and the placeholder is read as any placeholder is (see [`validate_definition`]).
fn quote_bare_placeholders(a: &Assembled) -> Assembled {
    let s = a.text.as_str();
    let bytes = s.as_bytes();
    let mut out = Assembled::default();
    let (mut copied, mut i, mut in_string) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'$' if !in_string && bytes.get(i + 1) == Some(&b'{') => {
                // No `}` after this one: none after any later `${` either.
                let Some(len) = s[i + 2..].find('}') else {
                    break;
                };
                let end = i + 2 + len + 1;
                out.push(a, copied..i);
                out.push_plain("\"");
                out.push(a, i..end);
                out.push_plain("\"");
                copied = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if copied == 0 {
        return a.clone();
    }
    out.push(a, copied..s.len());
    out
}

/// Appends the text of `v` to `out`; false, with nothing appended, when it cannot be known.
///
/// Nested `Fn::Join`s append to the same text, so that each byte is copied once however deep
/// they nest (the template nests at most `MAX_JSON_DEPTH` levels, which bounds the recursion).
fn text_into(v: &Value, pointer: &str, params: &Map<String, Value>, out: &mut Assembled) -> bool {
    match v {
        Value::String(s) => {
            out.push_literal(s, pointer.to_string());
            true
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            match m["Ref"].as_str().and_then(|r| lookup(r, params)) {
                Some(t) => {
                    out.push_plain(&t);
                    true
                }
                None => false,
            }
        }
        Value::Object(m) if m.len() == 1 => {
            let Some((k, arg)) = m.iter().next() else {
                return false;
            };
            let pointer = format!("{pointer}/{}", escape(k));
            match k.as_str() {
                "Fn::Sub" => match arg {
                    Value::String(s) => {
                        out.push_all(&substitute(&Assembled::literal(s, pointer), params));
                        true
                    }
                    Value::Array(a) => {
                        let Some(s) = a.first().and_then(Value::as_str) else {
                            return false;
                        };
                        let literal = Assembled::literal(s, format!("{pointer}/0"));
                        out.push_all(&substitute(&literal, &substitutions(a.get(1), params)));
                        true
                    }
                    _ => false,
                },
                "Fn::Join" => {
                    let Some(a) = arg.as_array() else {
                        return false;
                    };
                    let (Some(sep), Some(parts)) = (
                        a.first().and_then(Value::as_str),
                        a.get(1).and_then(Value::as_array),
                    ) else {
                        return false;
                    };
                    for (i, p) in parts.iter().enumerate() {
                        if i > 0 {
                            out.push_plain(sep);
                        }
                        if !text_into(p, &format!("{pointer}/1/{i}"), params, out) {
                            out.push_plain(&token(p));
                        }
                    }
                    true
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// A placeholder for a value only CloudFormation knows (`${Ref:X}`, `${GetAtt:X.Arn}`).
fn token(v: &Value) -> String {
    let describe = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("."),
        _ => "?".into(),
    };
    match v.as_object().and_then(|m| m.iter().next()) {
        Some((k, arg)) => format!("${{{}:{}}}", k.trim_start_matches("Fn::"), describe(arg)),
        None => "${?}".into(),
    }
}

/// Applies `${Name}` substitutions with literal values, and the pseudo parameters.
fn substitute(a: &Assembled, subs: &Map<String, Value>) -> Assembled {
    let s = a.text.as_str();
    let mut out = Assembled::default();
    let mut i = 0;
    while let Some(found) = s[i..].find("${") {
        let start = i + found;
        let Some(len) = s[start + 2..].find('}') else {
            break;
        };
        let end = start + 2 + len + 1;
        out.push(a, i..start);
        match lookup(&s[start + 2..end - 1], subs) {
            Some(v) => out.push_plain(&v),
            None => out.push(a, start..end),
        }
        i = end;
    }
    out.push(a, i..s.len());
    out
}

/// [`substitute`] for a string that came from no particular place.
fn substitute_str(s: &str, subs: &Map<String, Value>) -> String {
    if s.contains("${") {
        substitute(&Assembled::plain(s), subs).text
    } else {
        s.to_string()
    }
}

fn lookup(name: &str, subs: &Map<String, Value>) -> Option<String> {
    if let Some(literal) = name.strip_prefix('!') {
        return Some(format!("${{{literal}}}"));
    }
    match subs.get(name) {
        Some(Value::String(s)) => return Some(s.clone()),
        Some(Value::Number(n)) => return Some(n.to_string()),
        Some(Value::Bool(b)) => return Some(b.to_string()),
        _ => {}
    }
    Some(
        match name {
            "AWS::Region" => "us-east-1",
            "AWS::AccountId" => "123456789012",
            "AWS::Partition" => "aws",
            "AWS::URLSuffix" => "amazonaws.com",
            _ => return None,
        }
        .to_string(),
    )
}

/// Applies the substitutions to every string of a `Definition` object, and turns its
/// intrinsic functions into strings (their value when it is known, a placeholder otherwise).
fn substitute_all(v: &mut Value, subs: &Map<String, Value>) {
    if is_intrinsic(v) {
        let resolved = text(v, "", subs).map_or_else(|| token(v), |t| t.text);
        *v = Value::String(resolved);
    }
    match v {
        Value::String(s) => *s = substitute_str(s, subs),
        Value::Array(a) => a.iter_mut().for_each(|x| substitute_all(x, subs)),
        Value::Object(m) => m.values_mut().for_each(|x| substitute_all(x, subs)),
        _ => {}
    }
}

/// `{"Ref": ...}` or `{"Fn::...": ...}`: CloudFormation replaces it before AWS sees it.
fn is_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
    })
}

/// Whether the node at `pointer` of a template's definition is a value only CloudFormation
/// knows (a whole `${...}` placeholder).
fn unknown_until_deploy(definition: &Value, pointer: &str) -> bool {
    definition
        .pointer(pointer)
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1)
}

/// The number or boolean a substituted string stands for where the schema wants one
/// (`"10"`, `"true"`), as the substitution wrote it into the definition's text.
fn typed(definition: &Value, pointer: &str) -> Option<Value> {
    let s = definition.pointer(pointer)?.as_str()?;
    match s {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ if s.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
            serde_json::from_str::<serde_json::Number>(s)
                .ok()
                .map(Value::Number)
        }
        _ => None,
    }
}

/// Validates a template's definition object. Substitution happens before AWS validates (see
/// the module doc), so a schema finding about a substituted value is retried with the value
/// read as the substitution wrote it into the text: a number or boolean given by the template
/// (`Seconds: ${Wait}` with `Wait: 10`) is checked as that number; a placeholder the template
/// does not resolve (`TimeoutSeconds: !Ref Timeout`) is tried as a number, then as a boolean,
/// so that the definition still reaches the other rules, and no finding about the placeholder
/// itself is reported.
pub(crate) fn validate_definition(definition: &Value) -> Vec<Diagnostic> {
    let mut def = definition.clone();
    let mut guessed: HashSet<String> = HashSet::new();
    let about_unknown = |d: &Diagnostic, def: &Value, guessed: &HashSet<String>| {
        d.code == Code::SchemaValidationFailed
            && (guessed.contains(&d.pointer) || unknown_until_deploy(def, &d.pointer))
    };
    // Substituted numbers and booleans first: they are values, checked as such.
    let diags = crate::validate_value(&def);
    let mut retyped = false;
    for d in diags
        .iter()
        .filter(|d| d.code == Code::SchemaValidationFailed)
    {
        if let Some(v) = typed(&def, &d.pointer)
            && let Some(slot) = def.pointer_mut(&d.pointer)
        {
            *slot = v;
            retyped = true;
        }
    }
    if !retyped && !diags.iter().any(|d| about_unknown(d, &def, &guessed)) {
        return diags;
    }
    for guess in [Value::from(1), Value::Bool(true)] {
        let diags = crate::validate_value(&def);
        let unknown: Vec<String> = diags
            .iter()
            .filter(|d| about_unknown(d, &def, &guessed))
            .map(|d| d.pointer.clone())
            .collect();
        if unknown.is_empty() {
            return diags;
        }
        for p in unknown {
            if let Some(slot) = def.pointer_mut(&p) {
                *slot = guess.clone();
                guessed.insert(p);
            }
        }
    }
    let mut diags = crate::validate_value(&def);
    diags.retain(|d| !about_unknown(d, &def, &guessed));
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_and_sub() {
        let t = json!({"Resources": {
            "A": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Join": ["", [
                "{\"Resource\":\"", {"Fn::GetAtt": ["Fn", "Arn"]}, "\",\"R\":\"arn:", {"Ref": "AWS::Partition"}, "\"}"]]}}},
            "B": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionString": {"Fn::Sub": "{\"x\": \"${AWS::Region}/${Bucket}/${Other}\"}"},
                "DefinitionSubstitutions": {"Bucket": "b"}}}
        }});
        let found = definitions(&t);
        let texts: Vec<_> = found
            .iter()
            .map(|f| match &f.kind {
                FoundKind::Text(t) => t.text.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(
            texts,
            [
                r#"{"Resource":"${GetAtt:Fn.Arn}","R":"arn:aws"}"#,
                r#"{"x": "us-east-1/b/${Other}"}"#
            ]
        );
        assert_eq!(found[1].pointer, "/Resources/B/Properties/DefinitionString");
    }

    #[test]
    fn intrinsics_inside_a_definition_object() {
        let t = json!({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "Definition": {"States": {"A": {
                "Resource": {"Fn::GetAtt": ["Fn", "Arn"]},
                "Seconds": {"Ref": "Wait"},
                "Topic": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:t"},
                "Data": {"Ref": "x", "Other": 1},
            }}},
        }}}});
        let FoundKind::Value(def) = &definitions(&t)[0].kind else {
            panic!("not an object")
        };
        let a = &def["States"]["A"];
        assert_eq!(a["Resource"], "${GetAtt:Fn.Arn}");
        assert_eq!(a["Topic"], "arn:aws:sns:us-east-1:123456789012:t");
        assert_eq!(a["Data"], json!({"Ref": "x", "Other": 1}));
        assert!(unknown_until_deploy(def, "/States/A/Seconds"));
        assert!(!unknown_until_deploy(def, "/States/A/Topic"));
    }

    /// A placeholder in every number and boolean field: accepted when the template does not
    /// say its value, checked when it does (a literal, or a `Ref` to a parameter's default).
    #[test]
    fn substitution_before_types() {
        let fields: &[(&str, &str)] = &[
            (
                "/States/W",
                r#"{"Type": "Wait", "Seconds": "${V}", "Next": "T"}"#,
            ),
            (
                "/States/T",
                r#"{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": "${V}", "Next": "M"}"#,
            ),
            (
                "/States/T",
                r#"{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "HeartbeatSeconds": "${V}", "Next": "M"}"#,
            ),
            (
                "/States/T",
                r#"{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": "${V}", "IntervalSeconds": "${V}"}], "Next": "M"}"#,
            ),
            (
                "/States/M",
                r#"{"Type": "Map", "MaxConcurrency": "${V}", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "Next": "E"}"#,
            ),
            ("/States/E", r#"{"Type": "Pass", "End": "${B}"}"#),
        ];
        for (at, state) in fields {
            for (subs, errors) in [
                (json!({}), false),
                (json!({"V": 5, "B": true}), false),
                (json!({"V": "7", "B": "true"}), false),
                (json!({"V": {"Ref": "Max"}, "B": {"Ref": "Flag"}}), false),
                (
                    json!({"V": {"Fn::GetAtt": ["X", "Y"]}, "B": {"Fn::GetAtt": ["X", "Z"]}}),
                    false,
                ),
                (json!({"V": "soon", "B": "maybe"}), true),
            ] {
                let mut states = json!({
                    "W": {"Type": "Pass", "Next": "T"},
                    "T": {"Type": "Pass", "Next": "M"},
                    "M": {"Type": "Pass", "Next": "E"},
                    "E": {"Type": "Pass", "End": true},
                });
                *states.pointer_mut(&at["/States".len()..]).unwrap() =
                    serde_json::from_str(state).unwrap();
                let t = json!({
                    "Parameters": {"Max": {"Type": "Number", "Default": 3}, "Flag": {"Type": "String", "Default": "true"}},
                    "Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                        "DefinitionSubstitutions": subs,
                        "Definition": {"StartAt": "W", "States": states}}}}});
                let FoundKind::Value(def) = &definitions(&t)[0].kind else {
                    panic!("not an object")
                };
                let diags = validate_definition(def);
                let has_error = diags.iter().any(|d| d.severity() == crate::Severity::Error);
                assert_eq!(has_error, errors, "{state} with {subs}: {diags:?}");
            }
        }
    }

    #[test]
    fn bare_placeholders_in_definition_strings() {
        let t = json!({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "DefinitionString": "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":${Wait},\"Comment\":\"${Wait} s\",\"End\":${Last}}}}",
            "DefinitionSubstitutions": {"Last": true}}}}});
        let FoundKind::Text(text) = &definitions(&t)[0].kind else {
            panic!("not text")
        };
        assert_eq!(
            text.text,
            r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"${Wait}","Comment":"${Wait} s","End":true}}}"#
        );
        let diags = crate::validate::validate_text_with(&text.text, validate_definition);
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn placeholders_take_the_type_the_schema_wants() {
        let def = json!({"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": "${GetAtt:Fn.Arn}", "TimeoutSeconds": "${Ref:Timeout}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}], "End": true},
            "B": {"Type": "Wait", "Seconds": "${Ref:Wait}", "End": "${Ref:Flag}"}}});
        let codes: Vec<&str> = validate_definition(&def)
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        // The model rules ran: the Catch without ResultPath is seen.
        assert_eq!(codes, ["ASL005"]);
    }
}

/// A state machine definition read from a file: its name in a template (`None` for a file
/// that is the definition), and the definition.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedDefinition {
    /// The template resource's logical id.
    pub name: Option<String>,
    /// The definition, with the template's substitutions applied where they are known.
    pub definition: Value,
}

/// The definitions of a file as `asl-validate` finds them: the file itself when it is one
/// (JSON or YAML), or each state machine of a CloudFormation/SAM/CDK template, a SAM
/// `DefinitionUri` read relative to `path`'s folder. `Err` when the text is neither, or a
/// definition cannot be read statically (the message says which and why).
pub fn definitions_in(
    path: Option<&std::path::Path>,
    text: &str,
) -> Result<Vec<NamedDefinition>, String> {
    let value = parse_file(path, text)?;
    if !is_template(&value) {
        return Ok(vec![NamedDefinition {
            name: None,
            definition: value,
        }]);
    }
    let mut out = Vec::new();
    for found in definitions(&value) {
        let definition = match found.kind {
            FoundKind::Value(v) => v,
            FoundKind::Text(t) => serde_json::from_str(&t.text)
                .map_err(|e| format!("{}: DefinitionString is not JSON: {e}", found.name))?,
            FoundKind::File(rel) => {
                let base = path
                    .and_then(std::path::Path::parent)
                    .unwrap_or(std::path::Path::new(""));
                let target = base.join(&rel);
                let text = std::fs::read_to_string(&target)
                    .map_err(|e| format!("{}: DefinitionUri '{rel}': {e}", found.name))?;
                // The file is the definition (a template there is not followed).
                parse_file(Some(&target), &text)?
            }
            FoundKind::Unreadable(why) => return Err(format!("{}: {why}", found.name)),
        };
        out.push(NamedDefinition {
            name: Some(found.name),
            definition,
        });
    }
    Ok(out)
}

/// A file's JSON or YAML (by its extension; without a path, YAML unless it starts as JSON).
fn parse_file(path: Option<&std::path::Path>, text: &str) -> Result<Value, String> {
    if is_yaml(path, text) {
        Ok(crate::yaml::parse(text)
            .map_err(|e| match e {
                crate::yaml::YamlError::TooDeep => "the YAML is nested too deeply".to_string(),
                crate::yaml::YamlError::Syntax(e) => format!("invalid YAML: {e}"),
            })?
            .value)
    } else {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
    }
}

/// Whether a file is YAML: by its extension (`.yaml`, `.yml`); stdin, which has none, when it
/// does not start as JSON does.
pub(crate) fn is_yaml(path: Option<&std::path::Path>, text: &str) -> bool {
    match path {
        Some(p) => matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")),
        None => !text.trim_start().starts_with(['{', '[']) && !text.trim().is_empty(),
    }
}
