//! YAML -> [`serde_json::Value`], keeping the line and column of every node.
//!
//! CloudFormation and SAM templates are mostly YAML, and a report must point into the YAML
//! file. The event parser gives positions; this module builds the value and a map from JSON
//! pointer to position in one pass. CloudFormation's short tags (`!Sub`, `!Ref`, `!GetAtt`,
//! ...) become their long forms (`{"Fn::Sub": ...}`), as CloudFormation reads them.

use std::collections::HashMap;

use asl_core::parse::LineCol;
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostic::escape;

/// A YAML document as JSON, with where each node is.
#[derive(Debug, Default)]
pub(crate) struct YamlDoc {
    pub value: Value,
    /// Pointer -> position; for an object member, its key's position.
    pub positions: HashMap<String, LineCol>,
    /// Pointer of a scalar value -> where the scalar itself starts, and how it is written.
    pub scalars: HashMap<String, (LineCol, TScalarStyle)>,
}

/// Parses the first document of `text`.
pub(crate) fn parse(text: &str) -> Result<YamlDoc, String> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, false).map_err(|e| e.to_string())?;
    Ok(YamlDoc {
        value: b.root.unwrap_or(Value::Null),
        positions: b.positions,
        scalars: b.scalars,
    })
}

enum Frame {
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        pointer: String,
        tag: Option<Tag>,
    },
    Seq {
        items: Vec<Value>,
        pointer: String,
        tag: Option<Tag>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    positions: HashMap<String, LineCol>,
    scalars: HashMap<String, (LineCol, TScalarStyle)>,
    done: bool,
}

impl Builder {
    /// The pointer of the next value, and records its position when it is an array item.
    fn child_pointer(&mut self, mark: Marker) -> String {
        match self.stack.last() {
            Some(Frame::Map { pointer, key, .. }) => {
                format!("{pointer}/{}", escape(key.as_deref().unwrap_or_default()))
            }
            Some(Frame::Seq { items, pointer, .. }) => {
                let p = format!("{pointer}/{}", items.len());
                self.positions.insert(p.clone(), pos(mark));
                p
            }
            None => {
                self.positions.insert(String::new(), pos(mark));
                String::new()
            }
        }
    }

    fn push_value(&mut self, v: Value) {
        match self.stack.last_mut() {
            Some(Frame::Map { map, key, .. }) => {
                if let Some(k) = key.take() {
                    map.insert(k, v);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(v),
            None => {
                self.root = Some(v);
                self.done = true;
            }
        }
    }
}

fn pos(mark: Marker) -> LineCol {
    LineCol {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        match ev {
            Event::Scalar(text, style, _, tag) => {
                if let Some(Frame::Map {
                    map, key, pointer, ..
                }) = self.stack.last_mut()
                    && key.is_none()
                {
                    // A block mapping inside a sequence is marked late; its first key is
                    // where a reader sees it start.
                    if map.is_empty()
                        && let Some(at) = self.positions.get_mut(pointer.as_str())
                        && pos(mark) < *at
                    {
                        *at = pos(mark);
                    }
                    self.positions
                        .insert(format!("{pointer}/{}", escape(&text)), pos(mark));
                    *key = Some(text);
                    return;
                }
                let pointer = tagged(self.child_pointer(mark), tag.as_ref());
                self.scalars.insert(pointer, (pos(mark), style));
                let v = if style == TScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text)
                };
                let v = with_tag(tag, v);
                self.push_value(v);
            }
            Event::MappingStart(_, tag) => {
                let pointer = tagged(self.child_pointer(mark), tag.as_ref());
                self.stack.push(Frame::Map {
                    map: Map::new(),
                    key: None,
                    pointer,
                    tag,
                });
            }
            Event::SequenceStart(_, tag) => {
                let pointer = tagged(self.child_pointer(mark), tag.as_ref());
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    pointer,
                    tag,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let v = match self.stack.pop() {
                    Some(Frame::Map { map, tag, .. }) => with_tag(tag, Value::Object(map)),
                    Some(Frame::Seq { items, tag, .. }) => with_tag(tag, Value::Array(items)),
                    None => return,
                };
                self.push_value(v);
            }
            Event::Alias(_) => {
                self.child_pointer(mark);
                self.push_value(Value::Null);
            }
            _ => {}
        }
    }
}

/// A plain scalar under YAML 1.2's core schema.
fn plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = s.parse::<i64>() {
                return Value::Number(i.into());
            }
            if s.chars().any(|c| c.is_ascii_digit())
                && let Ok(f) = s.parse::<f64>()
                && let Some(n) = Number::from_f64(f)
            {
                return Value::Number(n);
            }
            Value::String(s.to_string())
        }
    }
}

/// The long-form key of a CloudFormation short-form tag (`!Sub` -> `Fn::Sub`).
fn tag_key(tag: Option<&Tag>) -> Option<String> {
    let tag = tag.filter(|t| t.handle == "!")?;
    let name = tag.suffix.as_str();
    Some(match name {
        "Ref" | "Condition" => name.to_string(),
        _ => format!("Fn::{name}"),
    })
}

/// The pointer of a tagged node's content: a tag wraps its node in `{"Fn::X": ...}`.
fn tagged(pointer: String, tag: Option<&Tag>) -> String {
    match tag_key(tag) {
        Some(key) => format!("{pointer}/{}", escape(&key)),
        None => pointer,
    }
}

/// CloudFormation's short-form tags as their long forms.
fn with_tag(tag: Option<Tag>, v: Value) -> Value {
    let Some(key) = tag_key(tag.as_ref()) else {
        return v;
    };
    let v = match (key.as_str(), v) {
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
            None => Value::String(s),
        },
        (_, v) => v,
    };
    let mut m = Map::new();
    m.insert(key, v);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(doc.positions["/a/b"], LineCol { line: 2, column: 3 });
        assert_eq!(doc.positions["/a/d/0/k"], LineCol { line: 5, column: 7 });
    }

    #[test]
    fn tagged_content_and_scalars() {
        let doc =
            parse("a: !Join\n  - ''\n  - - x\n    - !GetAtt F.Arn\nb: !Sub |\n  {}\n").unwrap();
        assert_eq!(
            doc.positions["/a/Fn::Join/1/0"],
            LineCol { line: 3, column: 7 }
        );
        assert_eq!(
            doc.scalars["/a/Fn::Join/1/0"],
            (LineCol { line: 3, column: 7 }, TScalarStyle::Plain)
        );
        assert!(doc.scalars.contains_key("/a/Fn::Join/1/1/Fn::GetAtt"));
        assert_eq!(doc.scalars["/b/Fn::Sub"].1, TScalarStyle::Literal);
        // A literal block is marked where its content starts.
        assert_eq!(doc.scalars["/b/Fn::Sub"].0, LineCol { line: 6, column: 3 });
    }
}
