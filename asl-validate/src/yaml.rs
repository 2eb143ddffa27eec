//! YAML -> [`serde_json::Value`], keeping the line and column of every node.
//!
//! CloudFormation and SAM templates are mostly YAML, and a report must point into the YAML
//! file. The event parser gives positions; this module builds the value and a tree of positions
//! (one node per value, shaped like it) in one pass. CloudFormation's short tags (`!Sub`, `!Ref`,
//! `!GetAtt`, ...) become their long forms (`{"Fn::Sub": ...}`), as CloudFormation reads them.
//!
//! The events are pulled one at a time (yaml-rust2's own loader recurses once per level, so
//! a megabyte of `- ` would overflow the stack), and reading stops at the first node nested
//! deeper than [`MAX_JSON_DEPTH`]: no value deeper than a definition may be is ever built.

use std::collections::HashMap;

use asl_core::limits::MAX_JSON_DEPTH;
use asl_core::parse::{LineCol, work};
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML document as JSON, with where each node is.
#[derive(Debug, Default)]
pub(crate) struct YamlDoc {
    pub value: Value,
    root: Option<Node>,
}

/// Why a YAML text could not be read.
#[derive(Debug)]
pub(crate) enum YamlError {
    /// Not YAML: the parser's message.
    Syntax(String),
    /// Nested deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YamlError::Syntax(e) => f.write_str(e),
            YamlError::TooDeep => write!(f, "nested more than {MAX_JSON_DEPTH} levels deep"),
        }
    }
}

/// Where one node of the value is, and its children.
#[derive(Debug, Default)]
struct Node {
    /// For an object member, its key's position; for an array element or the document, the
    /// node's own. The content of a tag (`{"Fn::Sub": <content>}`) has none.
    at: Option<LineCol>,
    /// For a scalar: where it starts, and how it is written.
    scalar: Option<(LineCol, TScalarStyle)>,
    kids: Kids,
}

#[derive(Debug, Default)]
enum Kids {
    #[default]
    None,
    Keys(HashMap<String, Node>),
    Items(Vec<Node>),
}

impl YamlDoc {
    /// The node at `pointer`.
    fn node(&self, pointer: &str) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        if pointer.is_empty() {
            return Some(node);
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            node = child(node, raw)?;
        }
        Some(node)
    }

    /// Position of the node at `pointer` (for an object member, its key's).
    pub fn position(&self, pointer: &str) -> Option<LineCol> {
        self.node(pointer)?.at
    }

    /// Position of the node at `prefix` + `pointer`, or else of its nearest ancestor that has
    /// one, no higher than `prefix`.
    pub fn nearest(&self, prefix: &str, pointer: &str) -> Option<LineCol> {
        let mut node = self.node(prefix)?;
        let mut best = node.at;
        if let Some(rest) = pointer.strip_prefix('/') {
            for raw in rest.split('/') {
                let Some(next) = child(node, raw) else { break };
                node = next;
                best = node.at.or(best);
            }
        }
        best
    }

    /// Where the scalar at `pointer` starts, and how it is written.
    pub fn scalar(&self, pointer: &str) -> Option<(LineCol, TScalarStyle)> {
        self.node(pointer)?.scalar
    }
}

fn child<'a>(node: &'a Node, raw: &str) -> Option<&'a Node> {
    work::count(1 + raw.len());
    match &node.kids {
        Kids::Keys(keys) => {
            if raw.contains('~') {
                keys.get(&raw.replace("~1", "/").replace("~0", "~"))
            } else {
                keys.get(raw)
            }
        }
        Kids::Items(items) => items.get(raw.parse::<usize>().ok()?),
        Kids::None => None,
    }
}

/// Parses the first document of `text`.
pub(crate) fn parse(text: &str) -> Result<YamlDoc, YamlError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            // The scanner reads ahead, and stops at 255 nested flow collections itself.
            if e.info() == "recursion limit exceeded" {
                YamlError::TooDeep
            } else {
                YamlError::Syntax(e.to_string())
            }
        })?;
        work::count(1);
        match ev {
            Event::StreamEnd => break,
            // The first document is read up to its end (a syntax error before it counts).
            Event::DocumentEnd if b.done => break,
            ev => b.on_event(ev, mark)?,
        }
    }
    Ok(YamlDoc {
        value: b.root.unwrap_or(Value::Null),
        root: b.root_node,
    })
}

/// The value being read in a container, with its position node.
struct Frame {
    content: Content,
    tag: Option<Tag>,
    /// Where the container's slot is (see [`Node::at`]).
    at: Option<LineCol>,
    node: Node,
}

enum Content {
    Map {
        map: Map<String, Value>,
        /// The key whose value comes next, and its position.
        key: Option<(String, LineCol)>,
    },
    Seq(Vec<Value>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    root_node: Option<Node>,
    done: bool,
}

impl Builder {
    /// Where the next value's slot is: its key's position in a mapping, its own otherwise.
    fn slot(&self, mark: Marker) -> Option<LineCol> {
        match self.stack.last() {
            Some(Frame {
                content: Content::Map { key, .. },
                ..
            }) => key.as_ref().map(|(_, at)| *at),
            _ => Some(pos(mark)),
        }
    }

    /// Adds a finished value (and its position node) to the container being read.
    fn push_value(&mut self, v: Value, node: Node) {
        match self.stack.last_mut() {
            Some(Frame {
                content: Content::Map { map, key },
                node: parent,
                ..
            }) => {
                if let Some((k, _)) = key.take() {
                    if let Kids::Keys(keys) = &mut parent.kids {
                        keys.insert(k.clone(), node);
                    }
                    map.insert(k, v);
                }
            }
            Some(Frame {
                content: Content::Seq(items),
                node: parent,
                ..
            }) => {
                items.push(v);
                if let Kids::Items(nodes) = &mut parent.kids {
                    nodes.push(node);
                }
            }
            None => {
                self.root = Some(v);
                self.root_node = Some(node);
                self.done = true;
            }
        }
    }

    fn on_event(&mut self, ev: Event, mark: Marker) -> Result<(), YamlError> {
        if self.done {
            return Ok(());
        }
        let is_map = matches!(ev, Event::MappingStart(..));
        match ev {
            Event::Scalar(text, style, _, tag) => {
                if let Some(Frame {
                    content: Content::Map { map, key },
                    node,
                    ..
                }) = self.stack.last_mut()
                    && key.is_none()
                {
                    // A block mapping inside a sequence is marked late; its first key is
                    // where a reader sees it start.
                    if map.is_empty()
                        && let Some(at) = &mut node.at
                        && pos(mark) < *at
                    {
                        *at = pos(mark);
                    }
                    *key = Some((text, pos(mark)));
                    return Ok(());
                }
                let at = self.slot(mark);
                let content = Node {
                    at: None,
                    scalar: Some((pos(mark), style)),
                    kids: Kids::None,
                };
                let v = if style == TScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text)
                };
                let (v, node) = with_tag(tag, v, at, content);
                self.push_value(v, node);
            }
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag) => {
                if self.stack.len() >= MAX_JSON_DEPTH {
                    return Err(YamlError::TooDeep);
                }
                let at = self.slot(mark);
                let node = Node {
                    // The content of a tag has no position of its own.
                    at: if tag_key(tag.as_ref()).is_some() {
                        None
                    } else {
                        at
                    },
                    scalar: None,
                    kids: if is_map {
                        Kids::Keys(HashMap::new())
                    } else {
                        Kids::Items(Vec::new())
                    },
                };
                self.stack.push(Frame {
                    content: if is_map {
                        Content::Map {
                            map: Map::new(),
                            key: None,
                        }
                    } else {
                        Content::Seq(Vec::new())
                    },
                    tag,
                    at,
                    node,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let v = match frame.content {
                    Content::Map { map, .. } => Value::Object(map),
                    Content::Seq(items) => Value::Array(items),
                };
                let (v, node) = with_tag(frame.tag, v, frame.at, frame.node);
                self.push_value(v, node);
            }
            Event::Alias(_) => {
                let node = Node {
                    at: self.slot(mark),
                    ..Node::default()
                };
                self.push_value(Value::Null, node);
            }
            _ => {}
        }
        Ok(())
    }
}

fn pos(mark: Marker) -> LineCol {
    LineCol {
        line: mark.line(),
        column: mark.col() + 1,
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

/// CloudFormation's short-form tags as their long forms: the value, and its position node
/// (the slot at `at`, holding the content's node under the long-form key).
fn with_tag(tag: Option<Tag>, v: Value, at: Option<LineCol>, content: Node) -> (Value, Node) {
    let Some(key) = tag_key(tag.as_ref()) else {
        // A container's own node may have been moved to its first key (see `on_event`).
        let node = Node {
            at: content.at.or(at),
            ..content
        };
        return (v, node);
    };
    let v = match (key.as_str(), v) {
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
            None => Value::String(s),
        },
        (_, v) => v,
    };
    let mut m = Map::new();
    m.insert(key.clone(), v);
    let node = Node {
        at,
        scalar: None,
        kids: Kids::Keys(HashMap::from([(key, content)])),
    };
    (Value::Object(m), node)
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
        let doc =
            parse("a: !Join\n  - ''\n  - - x\n    - !GetAtt F.Arn\nb: !Sub |\n  {}\n").unwrap();
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
}
