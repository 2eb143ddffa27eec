//! Templates: JSON values whose `"{% %}"` strings are expressions, at any depth.

use super::{Expression, JsonataSyntaxError, StatesBinding, StatesCache, errors, expression_body};
use crate::error::StatesResult;
use crate::scope::Variables;
use serde_json::{Map, Value};

/// A field value such as `Arguments`, `Output` or an `Assign` entry, compiled once.
///
/// Subtrees without expressions are kept as plain JSON and cloned on evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Template(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Literal(Value),
    Expr(Expression),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// One step of the path from the field to a nested value, for error causes
/// (`Output/result`, `Arguments/items/0`).
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

impl Template {
    /// Compiles every expression string in `value`; the first syntax error fails the whole
    /// template.
    pub fn compile(value: &Value) -> Result<Template, JsonataSyntaxError> {
        Ok(Template(compile_node(value)?))
    }

    /// Whether the template contains no expression (its value never changes).
    pub fn is_literal(&self) -> bool {
        matches!(self.0, Node::Literal(_))
    }

    /// The expression when the whole field is one `"{% %}"` string, for fields whose result
    /// type the caller checks (see [`super::unexpected_type_error`]).
    pub fn as_expression(&self) -> Option<&Expression> {
        match &self.0 {
            Node::Expr(e) => Some(e),
            _ => None,
        }
    }

    /// The template as JSON, each expression written back as a `"{% ... %}"` string; compiling
    /// it gives an equal template.
    pub fn to_value(&self) -> Value {
        node_value(&self.0)
    }

    /// Evaluates the template. An expression that yields nothing, at any depth, is an error
    /// naming its position (`Output`, `Output/result`), as AWS reports it.
    pub fn evaluate(
        &self,
        states: &StatesBinding,
        vars: &dyn Variables,
        field: &str,
    ) -> StatesResult<Value> {
        let mut cache = StatesCache::new(states);
        let mut path = Vec::new();
        eval_node(&self.0, &mut cache, vars, field, &mut path)
    }
}

fn compile_node(value: &Value) -> Result<Node, JsonataSyntaxError> {
    Ok(match value {
        Value::String(s) => match expression_body(s) {
            Some(body) => Node::Expr(Expression::compile(body)?),
            None => Node::Literal(value.clone()),
        },
        Value::Array(items) => {
            let nodes = items
                .iter()
                .map(compile_node)
                .collect::<Result<Vec<_>, _>>()?;
            if nodes.iter().all(|n| matches!(n, Node::Literal(_))) {
                Node::Literal(value.clone())
            } else {
                Node::Array(nodes)
            }
        }
        Value::Object(map) => {
            let mut nodes = Vec::with_capacity(map.len());
            for (k, v) in map {
                nodes.push((k.clone(), compile_node(v)?));
            }
            if nodes.iter().all(|(_, n)| matches!(n, Node::Literal(_))) {
                Node::Literal(value.clone())
            } else {
                Node::Object(nodes)
            }
        }
        other => Node::Literal(other.clone()),
    })
}

fn node_value(node: &Node) -> Value {
    match node {
        Node::Literal(v) => v.clone(),
        Node::Expr(e) => Value::String(e.delimited()),
        Node::Array(items) => Value::Array(items.iter().map(node_value).collect()),
        Node::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, n)| (k.clone(), node_value(n)))
                .collect(),
        ),
    }
}

fn field_path(field: &str, path: &[Segment]) -> String {
    let mut out = field.to_string();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(k) => out.push_str(k),
            Segment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn eval_node<'n>(
    node: &'n Node,
    cache: &mut StatesCache<'_>,
    vars: &dyn Variables,
    field: &str,
    path: &mut Vec<Segment<'n>>,
) -> StatesResult<Value> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Expr(expr) => {
            // The full field path is only built for an error cause.
            match expr.run_raw(cache, vars) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(errors::undefined(expr.source(), &field_path(field, path))),
                Err(failure) => Err(failure.into_error(expr.source(), &field_path(field, path))),
            }
        }
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                let v = eval_node(item, cache, vars, field, path);
                path.pop();
                out.push(v?);
            }
            Ok(Value::Array(out))
        }
        Node::Object(entries) => {
            let mut out = Map::with_capacity(entries.len());
            for (k, item) in entries {
                path.push(Segment::Key(k));
                let v = eval_node(item, cache, vars, field, path);
                path.pop();
                out.insert(k.clone(), v?);
            }
            Ok(Value::Object(out))
        }
    }
}
