//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Assign` and the JSONata
//! equivalents, compiled once when the definition is parsed.

use serde_json::Value;

use crate::intrinsics::IntrinsicCall;
use crate::jsonata;
use crate::path::JsonPath;

/// A template in either query language.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A JSONPath payload template (`"key.$"` fields).
    Payload(PayloadTemplate),
    /// A JSONata template (`"{% ... %}"` strings anywhere).
    Jsonata(jsonata::Template),
}

/// A JSONPath-style payload template: `"key.$": "$.path"` or `"key.$": "States.Fn(...)"`
/// fields are evaluated, all others are copied.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadTemplate {
    /// The compiled tree.
    pub root: PayloadNode,
    /// The template as written, for serialisation and diagnostics.
    pub source: Value,
}

/// One node of a compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub enum PayloadNode {
    /// A value copied as is.
    Literal(Value),
    /// An object whose fields are evaluated in order; keys have their `.$` suffix removed.
    Object(Vec<(String, PayloadNode)>),
    /// An array whose items are evaluated (arrays can hold objects with `.$` fields).
    Array(Vec<PayloadNode>),
    /// A JSONPath (`$.x`, `$$.x`, `$var`).
    Path(JsonPath),
    /// An intrinsic function call.
    Intrinsic(Box<IntrinsicCall>),
}

impl PayloadNode {
    /// True when the node contains nothing to evaluate.
    pub fn is_static(&self) -> bool {
        match self {
            PayloadNode::Literal(_) => true,
            PayloadNode::Object(fields) => fields.iter().all(|(_, n)| n.is_static()),
            PayloadNode::Array(items) => items.iter().all(PayloadNode::is_static),
            PayloadNode::Path(_) | PayloadNode::Intrinsic(_) => false,
        }
    }
}
