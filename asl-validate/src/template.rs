//! State machine definitions inside CloudFormation, SAM and CDK (`cdk.out`) templates.
//!
//! - `AWS::StepFunctions::StateMachine`: `Definition` (an object), or `DefinitionString` (a
//!   string, `Fn::Sub` or `Fn::Join` of literal parts, as CDK writes it).
//! - `AWS::Serverless::StateMachine`: `Definition`, or `DefinitionUri` naming a local file.
//!
//! `DefinitionSubstitutions` and the pseudo parameters are applied where their values are
//! literals; what only CloudFormation can resolve (`Ref`, `Fn::GetAtt`, ...) stays a `${...}`
//! placeholder, which the rules treat as "unknown until deploy" rather than as a mistake.

use serde_json::{Map, Value};

use crate::diagnostic::escape;

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
    /// A definition assembled as JSON text.
    Text(String),
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
        let subs = substitutions(props.get("DefinitionSubstitutions"));
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
                match text(s) {
                    Some(t) => FoundKind::Text(substitute(&t, &subs)),
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

fn substitutions(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The text of a `DefinitionString`: a string, `Fn::Sub` or `Fn::Join`.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            lookup(m["Ref"].as_str()?, &Map::new())
        }
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            match k.as_str() {
                "Fn::Sub" => match arg {
                    Value::String(s) => Some(s.clone()),
                    Value::Array(a) => {
                        let s = a.first()?.as_str()?;
                        Some(substitute(s, &substitutions(a.get(1))))
                    }
                    _ => None,
                },
                "Fn::Join" => {
                    let a = arg.as_array()?;
                    let sep = a.first()?.as_str()?;
                    let parts = a.get(1)?.as_array()?;
                    let texts: Vec<String> = parts
                        .iter()
                        .map(|p| text(p).unwrap_or_else(|| token(p)))
                        .collect();
                    Some(texts.join(sep))
                }
                _ => None,
            }
        }
        _ => None,
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
fn substitute(s: &str, subs: &Map<String, Value>) -> String {
    if !s.contains("${") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match lookup(name, subs) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + 3 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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

fn substitute_all(v: &mut Value, subs: &Map<String, Value>) {
    match v {
        Value::String(s) => *s = substitute(s, subs),
        Value::Array(a) => a.iter_mut().for_each(|x| substitute_all(x, subs)),
        Value::Object(m) => m.values_mut().for_each(|x| substitute_all(x, subs)),
        _ => {}
    }
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
                FoundKind::Text(t) => t.as_str(),
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
}
