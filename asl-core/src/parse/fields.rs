//! Reading one JSON object's fields with pointers, type checks and error collection.

use serde_json::{Map, Value};

use super::trail::Trail;
use super::{ErrorCode, ParseError, ParseErrors, work};
use crate::intrinsics;
use crate::jsonata;
use crate::limits::{MAX_DIAGNOSTIC_BYTES, MAX_JSON_DEPTH, json_depth};
use crate::model::{
    NumberField, PathField, PayloadNode, PayloadTemplate, QueryLanguage, ResultPath, StringField,
    Template,
};
use crate::path::{JsonPath, ReferencePath};

/// Escapes one JSON pointer token.
pub(crate) fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// Collects errors while a definition is read, up to [`MAX_DIAGNOSTIC_BYTES`] of them.
#[derive(Default)]
pub(crate) struct Sink {
    errors: Vec<ParseError>,
    /// Bytes of pointers and messages kept.
    bytes: usize,
    /// Errors found past the budget.
    dropped: usize,
}

impl Sink {
    pub fn schema(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(ParseError::schema(pointer, message));
    }

    /// A schema error at a trail: its pointer is written only if the error is kept.
    pub fn schema_at(&mut self, at: &Trail, message: String) {
        if self.fits(at.len() + message.len()) {
            self.errors.push(ParseError::schema(&at.render(), message));
        }
    }

    pub fn push(&mut self, e: ParseError) {
        if self.fits(e.pointer.len() + e.message.len()) {
            self.errors.push(e);
        }
    }

    fn fits(&mut self, bytes: usize) -> bool {
        if self.bytes + bytes > MAX_DIAGNOSTIC_BYTES {
            self.dropped += 1;
            return false;
        }
        self.bytes += bytes;
        true
    }

    /// Whether any error was found (kept or not).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.dropped > 0
    }

    /// The errors, with one more saying how many were left out.
    pub fn finish(mut self) -> ParseErrors {
        if self.dropped > 0 {
            self.errors.push(ParseError::schema(
                "",
                format!(
                    "{} more problems were found and are not listed (the list stops after {MAX_DIAGNOSTIC_BYTES} bytes)",
                    self.dropped
                ),
            ));
        }
        ParseErrors {
            errors: self.errors,
        }
    }
}

/// Refuses a value nested deeper than [`MAX_JSON_DEPTH`] before any recursive walk reads it.
pub(crate) fn check_depth(value: &Value, sink: &mut Sink) -> bool {
    let depth = json_depth(value, MAX_JSON_DEPTH);
    if depth > MAX_JSON_DEPTH {
        sink.push(ParseError {
            code: ErrorCode::SchemaValidationFailed,
            pointer: String::new(),
            message: format!(
                "The definition nests objects and arrays more than {MAX_JSON_DEPTH} levels deep"
            ),
            position: None,
        });
        return false;
    }
    true
}

/// One JSON object being read.
pub(crate) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub ptr: String,
}

impl<'a> Obj<'a> {
    pub fn new(value: &'a Value, ptr: &str, sink: &mut Sink) -> Option<Self> {
        work::count(1 + ptr.len());
        match value {
            Value::Object(map) => Some(Obj {
                map,
                ptr: ptr.to_string(),
            }),
            _ => {
                sink.schema(ptr, "Expected value of type: Object");
                None
            }
        }
    }

    pub fn at(&self, field: &str) -> String {
        work::count(1 + self.ptr.len() + field.len());
        format!("{}/{}", self.ptr, escape(field))
    }

    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// Reports every field not in `allowed`.
    pub fn only(&self, allowed: &[&str], sink: &mut Sink) {
        work::count(self.map.len());
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) {
                sink.schema(
                    &self.at(key),
                    format!("The field '{key}' is not supported by Step Functions"),
                );
            }
        }
    }

    /// Reports fields that exist in ASL but not for this query language.
    pub fn not_for(&self, fields: &[&str], ql: QueryLanguage, sink: &mut Sink) {
        for f in fields {
            if self.has(f) {
                sink.schema(
                    &self.at(f),
                    format!(
                        "The field '{f}' is not supported when the query language is {}",
                        ql.as_str()
                    ),
                );
            }
        }
    }

    pub fn required(&self, fields: &[&str], sink: &mut Sink) -> bool {
        let missing: Vec<&str> = fields.iter().copied().filter(|f| !self.has(f)).collect();
        if missing.is_empty() {
            return true;
        }
        sink.schema(
            &self.ptr,
            format!("These fields are required: [{}]", missing.join(", ")),
        );
        false
    }

    pub fn string(&self, field: &str, sink: &mut Sink) -> Option<&'a str> {
        match self.get(field)? {
            Value::String(s) => Some(s),
            _ => {
                sink.schema(&self.at(field), "Expected value of type: String");
                None
            }
        }
    }

    pub fn bool(&self, field: &str, sink: &mut Sink) -> Option<bool> {
        match self.get(field)? {
            Value::Bool(b) => Some(*b),
            _ => {
                sink.schema(&self.at(field), "Expected value of type: Boolean");
                None
            }
        }
    }

    /// A non-negative integer.
    pub fn uint(&self, field: &str, sink: &mut Sink) -> Option<u64> {
        match self.get(field)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            Value::Number(n) if n.as_f64().is_some_and(|f| f >= 0.0 && f.fract() == 0.0) => {
                n.as_f64().map(|f| f as u64)
            }
            _ => {
                sink.schema(
                    &self.at(field),
                    "Expected value of type: Integer (a non-negative whole number)",
                );
                None
            }
        }
    }

    pub fn number(&self, field: &str, sink: &mut Sink) -> Option<f64> {
        match self.get(field)? {
            Value::Number(n) => n.as_f64(),
            _ => {
                sink.schema(&self.at(field), "Expected value of type: Number");
                None
            }
        }
    }

    pub fn array(&self, field: &str, sink: &mut Sink) -> Option<&'a Vec<Value>> {
        match self.get(field)? {
            Value::Array(a) => Some(a),
            _ => {
                sink.schema(&self.at(field), "Expected value of type: Array");
                None
            }
        }
    }

    /// A JSONPath field (`InputPath`, `ItemsPath`, `Variable`, ...).
    pub fn path(&self, field: &str, sink: &mut Sink) -> Option<JsonPath> {
        let s = self.string(field, sink)?;
        parse_path(s, &self.at(field), field, sink)
    }

    /// A Reference Path field (`ResultPath`, `SecondsPath`, ...).
    pub fn reference_path(&self, field: &str, sink: &mut Sink) -> Option<ReferencePath> {
        let s = self.string(field, sink)?;
        match ReferencePath::parse(s) {
            Ok(p) => Some(p),
            Err(e) => {
                sink.schema(
                    &self.at(field),
                    format!("The value for the field '{field}' must be a valid ReferencePath: {e}"),
                );
                None
            }
        }
    }

    /// `InputPath` / `OutputPath`.
    pub fn path_field(&self, field: &str, sink: &mut Sink) -> PathField {
        match self.get(field) {
            None => PathField::Whole,
            Some(Value::Null) => PathField::Null,
            Some(_) => self
                .path(field, sink)
                .map_or(PathField::Whole, PathField::Path),
        }
    }

    /// `ResultPath`.
    pub fn result_path(&self, field: &str, sink: &mut Sink) -> ResultPath {
        match self.get(field) {
            None => ResultPath::Replace,
            Some(Value::Null) => ResultPath::Discard,
            Some(Value::String(s)) if s == "$" => ResultPath::Replace,
            Some(_) => self
                .reference_path(field, sink)
                .map_or(ResultPath::Replace, ResultPath::Path),
        }
    }

    /// A JSONPath payload template (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`).
    pub fn payload(&self, field: &str, sink: &mut Sink) -> Option<PayloadTemplate> {
        let v = self.get(field)?;
        let ptr = self.at(field);
        if !v.is_object() && field != "Parameters" {
            sink.schema(&ptr, "Expected value of type: Object");
            return None;
        }
        Some(PayloadTemplate {
            root: payload_root(v, &ptr, sink),
            source: v.clone(),
        })
    }

    /// A JSONata template (`Arguments`, `Output`, `Items`, `Assign`, ...).
    pub fn jsonata(&self, field: &str, sink: &mut Sink) -> Option<jsonata::Template> {
        let v = self.get(field)?;
        match jsonata::Template::compile(v) {
            Ok(t) => Some(t),
            Err(e) => {
                sink.schema(&self.at(field), format!("Invalid JSONata expression: {e}"));
                None
            }
        }
    }

    /// A template in the state's query language.
    pub fn template(&self, field: &str, ql: QueryLanguage, sink: &mut Sink) -> Option<Template> {
        match ql {
            QueryLanguage::JsonPath => self.payload(field, sink).map(Template::Payload),
            QueryLanguage::Jsonata => self.jsonata(field, sink).map(Template::Jsonata),
        }
    }

    /// A JSONata expression string field (`Condition`, `Timestamp` as expression).
    pub fn expression(&self, field: &str, sink: &mut Sink) -> Option<jsonata::Expression> {
        let s = self.string(field, sink)?;
        expression(s, &self.at(field), sink)
    }

    /// A number that may also be given as `FieldPath` (JSONPath) or an expression (JSONata).
    pub fn number_field(
        &self,
        field: &str,
        path_field: Option<&str>,
        ql: QueryLanguage,
        sink: &mut Sink,
    ) -> Option<NumberField> {
        if let Some(pf) = path_field.filter(|pf| self.has(pf)) {
            if self.has(field) {
                sink.schema(
                    &self.ptr,
                    format!("The fields '{field}' and '{pf}' are mutually exclusive"),
                );
            }
            if ql == QueryLanguage::Jsonata {
                self.not_for(&[pf], ql, sink);
                return None;
            }
            return self.reference_path(pf, sink).map(NumberField::Path);
        }
        match self.get(field)? {
            Value::String(s) if ql == QueryLanguage::Jsonata && jsonata::is_expression(s) => {
                expression(s, &self.at(field), sink).map(NumberField::Expression)
            }
            v @ Value::Number(_) => Some(NumberField::Literal(v.clone())),
            _ => {
                sink.schema(&self.at(field), "Expected value of type: Integer");
                None
            }
        }
    }

    /// A Fail state's `Error`/`Cause` with its `...Path` alternative.
    pub fn string_field(
        &self,
        field: &str,
        path_field: &str,
        ql: QueryLanguage,
        sink: &mut Sink,
    ) -> Option<StringField> {
        if self.has(path_field) {
            if self.has(field) {
                sink.schema(
                    &self.ptr,
                    format!("The fields '{field}' and '{path_field}' are mutually exclusive"),
                );
            }
            let s = self.string(path_field, sink)?;
            let ptr = self.at(path_field);
            return if intrinsics::is_intrinsic(s) {
                intrinsic(s, &ptr, path_field, sink).map(StringField::Path)
            } else {
                parse_path(s, &ptr, path_field, sink)
                    .map(|p| StringField::Path(PayloadNode::Path(p)))
            };
        }
        let s = self.string(field, sink)?;
        if ql == QueryLanguage::Jsonata && jsonata::is_expression(s) {
            return expression(s, &self.at(field), sink).map(StringField::Expression);
        }
        Some(StringField::Literal(s.to_string()))
    }
}

pub(crate) fn parse_path(s: &str, ptr: &str, field: &str, sink: &mut Sink) -> Option<JsonPath> {
    match JsonPath::parse(s) {
        Ok(p) => Some(p),
        Err(e) => {
            sink.schema(
                ptr,
                format!("The value for the field '{field}' must be a valid JSONPath: {e}"),
            );
            None
        }
    }
}

fn intrinsic(s: &str, ptr: &str, field: &str, sink: &mut Sink) -> Option<PayloadNode> {
    intrinsic_at(s, &Trail::start(ptr), field, sink)
}

fn intrinsic_at(s: &str, at: &Trail, field: &str, sink: &mut Sink) -> Option<PayloadNode> {
    match intrinsics::parse(s) {
        Ok(call) => Some(PayloadNode::Intrinsic(Box::new(call))),
        Err(e) => {
            sink.schema_at(
                at,
                format!(
                    "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call: {e}"
                ),
            );
            None
        }
    }
}

/// Strips `{% %}` and compiles.
pub(crate) fn expression(s: &str, ptr: &str, sink: &mut Sink) -> Option<jsonata::Expression> {
    let Some(inner) = jsonata::expression_body(s) else {
        sink.schema(
            ptr,
            "The value must be a JSONata expression enclosed in {% %}",
        );
        return None;
    };
    match jsonata::Expression::compile(inner) {
        Ok(e) => Some(e),
        Err(e) => {
            sink.schema(ptr, format!("Invalid JSONata expression: {e}"));
            None
        }
    }
}

impl PayloadTemplate {
    /// Compiles a JSONPath payload template (a `Parameters`, `ResultSelector`, ... value) on its
    /// own; error pointers are relative to the template.
    pub fn compile(source: &Value) -> Result<PayloadTemplate, ParseErrors> {
        let mut sink = Sink::default();
        if !check_depth(source, &mut sink) {
            return Err(sink.finish());
        }
        let root = payload_root(source, "", &mut sink);
        if sink.failed() {
            Err(sink.finish())
        } else {
            Ok(PayloadTemplate {
                root,
                source: source.clone(),
            })
        }
    }
}

/// Compiles a JSONPath payload template whose value is at `ptr`.
///
/// The template has been checked to nest at most [`MAX_JSON_DEPTH`] levels, which bounds the
/// recursion.
pub(crate) fn payload_root(v: &Value, ptr: &str, sink: &mut Sink) -> PayloadNode {
    payload_node(v, &Trail::start(ptr), sink).unwrap_or_else(|| PayloadNode::Literal(v.clone()))
}

/// Compiles one node of a JSONPath payload template; `None` when nothing in it is evaluated,
/// so that a static subtree is copied once, by the nearest ancestor that is not static (each
/// level copying its own subtree would copy the deepest node once per level).
fn payload_node(v: &Value, at: &Trail, sink: &mut Sink) -> Option<PayloadNode> {
    work::count(1);
    match v {
        Value::Object(map) => {
            // (key in the result, value, compiled; a `.$` field that failed is a null literal).
            let mut fields: Vec<(&str, &Value, Option<PayloadNode>, bool)> =
                Vec::with_capacity(map.len());
            for (k, child) in map {
                let child_at = at.key(k);
                if let Some(name) = k.strip_suffix(".$") {
                    let node = match child {
                        Value::String(s) if intrinsics::is_intrinsic(s) => {
                            intrinsic_at(s, &child_at, k, sink)
                        }
                        Value::String(s) => match JsonPath::parse(s) {
                            Ok(p) => Some(PayloadNode::Path(p)),
                            Err(e) => {
                                sink.schema_at(
                                    &child_at,
                                    format!(
                                        "The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call: {e}"
                                    ),
                                );
                                None
                            }
                        },
                        _ => {
                            sink.schema_at(
                                &child_at,
                                format!(
                                    "The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call"
                                ),
                            );
                            None
                        }
                    };
                    let failed = node.is_none();
                    fields.push((name, child, node, failed));
                } else {
                    let node = payload_node(child, &child_at, sink);
                    fields.push((k, child, node, false));
                }
            }
            if fields.iter().all(|(_, _, node, _)| node.is_none()) {
                return None;
            }
            Some(PayloadNode::Object(
                fields
                    .into_iter()
                    .map(|(key, child, node, failed)| {
                        let node = match node {
                            Some(n) => n,
                            None if failed => PayloadNode::Literal(Value::Null),
                            None => PayloadNode::Literal(child.clone()),
                        };
                        (key.to_string(), node)
                    })
                    .collect(),
            ))
        }
        Value::Array(items) => {
            let nodes: Vec<Option<PayloadNode>> = items
                .iter()
                .enumerate()
                .map(|(i, item)| payload_node(item, &at.index(i), sink))
                .collect();
            if nodes.iter().all(Option::is_none) {
                return None;
            }
            Some(PayloadNode::Array(
                nodes
                    .into_iter()
                    .zip(items)
                    .map(|(node, item)| node.unwrap_or_else(|| PayloadNode::Literal(item.clone())))
                    .collect(),
            ))
        }
        _ => None,
    }
}
