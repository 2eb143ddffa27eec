//! YAML -> [`serde_json::Value`], keeping the line and column of every node.
//!
//! CloudFormation and SAM templates are mostly YAML, and a report must point into the YAML
//! file. The event parser gives positions; this module builds the value and a tree of positions
//! (one node per value, shaped like it) in one pass. CloudFormation's short tags (`!Sub`, `!Ref`,
//! `!GetAtt`, ...) become their long forms (`{"Fn::Sub": ...}`), as CloudFormation reads them,
//! in any position (a scalar, a sequence or a mapping after the tag).
//!
//! Templates are YAML as CloudFormation reads it, which follows PyYAML (YAML 1.1): flow
//! collections whose lines are indented less than their key are accepted (see [`flow`]), and
//! plain scalars resolve with YAML 1.1's rules (`yes`/`no`/`on`/`off` are booleans, `1_000`
//! and `0x1F` are integers, `1e3` without a dot is a string), see [`plain`].
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

mod flow;

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
    let mut b = Builder {
        alias_budget: text.len() + 1024,
        ..Builder::default()
    };
    let reindented = flow::reindent(text);
    let text = match &reindented {
        Some((padded, pads)) => {
            b.pads = pads.clone();
            padded.as_str()
        }
        None => text,
    };
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
    /// The anchor (`&name`) the container is given, 0 for none.
    anchor: usize,
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
    /// Blanks added in front of each line (see [`flow::reindent`]), taken off columns again.
    pads: Vec<usize>,
    /// Anchored values (`&name`), for their aliases (`*name`), as PyYAML resolves them.
    anchors: HashMap<usize, Value>,
    /// Nodes that aliases may still copy: copies stay proportional to the text (no "billion
    /// laughs"), see [`parse`].
    alias_budget: usize,
}

impl Builder {
    /// Where the next value's slot is: its key's position in a mapping, its own otherwise.
    fn slot(&self, mark: Marker) -> Option<LineCol> {
        match self.stack.last() {
            Some(Frame {
                content: Content::Map { key, .. },
                ..
            }) => key.as_ref().map(|(_, at)| *at),
            _ => Some(self.pos(mark)),
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
            Event::Scalar(text, style, anchor, tag) => {
                let here = self.pos(mark);
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
                        && here < *at
                    {
                        *at = here;
                    }
                    *key = Some((text, here));
                    return Ok(());
                }
                let at = self.slot(mark);
                let content = Node {
                    at: None,
                    scalar: Some((self.pos(mark), style)),
                    kids: Kids::None,
                };
                let v = if style == TScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text)
                };
                let (v, node) = with_tag(tag, v, at, content);
                self.anchor(anchor, &v);
                self.push_value(v, node);
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
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
                    anchor,
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
                self.anchor(frame.anchor, &v);
                self.push_value(v, node);
            }
            Event::Alias(id) => {
                let node = Node {
                    at: self.slot(mark),
                    ..Node::default()
                };
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                let size = nodes_within(&v, self.alias_budget);
                if size > self.alias_budget {
                    return Err(YamlError::Syntax(
                        "aliases copy more than the document holds".into(),
                    ));
                }
                self.alias_budget -= size;
                self.push_value(v, node);
            }
            _ => {}
        }
        Ok(())
    }
}

/// How many nodes `v` has, counting no further than just past `limit`.
fn nodes_within(v: &Value, limit: usize) -> usize {
    let mut count = 0;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        count += 1;
        if count > limit {
            break;
        }
        match v {
            Value::Array(a) => todo.extend(a),
            Value::Object(m) => todo.extend(m.values()),
            _ => {}
        }
    }
    count
}

impl Builder {
    /// Remembers `v` under `anchor` (0: none) for the aliases that follow.
    fn anchor(&mut self, anchor: usize, v: &Value) {
        if anchor > 0 {
            work::count(1);
            self.anchors.insert(anchor, v.clone());
        }
    }

    /// Where `mark` is in the text as written.
    fn pos(&self, mark: Marker) -> LineCol {
        let pad = mark
            .line()
            .checked_sub(1)
            .and_then(|i| self.pads.get(i))
            .copied()
            .unwrap_or(0);
        LineCol {
            line: mark.line(),
            column: mark.col().saturating_sub(pad) + 1,
        }
    }
}

/// A plain scalar under YAML 1.1's resolvers, as PyYAML (and so CloudFormation) reads it.
fn plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Value::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        _ => int_11(s)
            .or_else(|| float_11(s))
            .unwrap_or_else(|| Value::String(s.to_string())),
    }
}

/// YAML 1.1 integers: decimal, `0b`, `0x` and `0`-led octal, with `_` separators.
fn int_11(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || body.starts_with('_') {
        return None;
    }
    let digits = body.replace('_', "");
    let parsed = if let Some(b) = digits.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if let Some(x) = digits.strip_prefix("0x") {
        i64::from_str_radix(x, 16).ok()
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    }?;
    Some(Value::Number(if neg { -parsed } else { parsed }.into()))
}

/// YAML 1.1 floats: digits, a dot, optional digits and exponent (`1.5`, `1.`, `6.8e+5`); a
/// number without a dot (`1e3`) is a string there.
fn float_11(s: &str) -> Option<Value> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, rest) = body.split_once('.')?;
    let frac_end = rest.find(['e', 'E']).unwrap_or(rest.len());
    let ok = (!int.is_empty() && int.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
        && rest[..frac_end]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'_');
    if !ok {
        return None;
    }
    let f: f64 = s.replace('_', "").parse().ok()?;
    Number::from_f64(f).map(Value::Number)
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
mod tests;
