//! Variable scopes: a branch sees its own variables and a snapshot of the enclosing ones.

use std::sync::Arc;

use asl_core::Variables;
use serde_json::{Map, Value};

/// The variables of one scope (the top level, a Parallel branch or a Map iteration).
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    local: Map<String, Value>,
    outer: Option<Arc<Map<String, Value>>>,
}

impl Vars {
    /// A nested scope reading the current values of `self`.
    pub fn child(&self) -> Vars {
        let outer = match (&self.outer, self.local.is_empty()) {
            (Some(o), true) => Some(o.clone()),
            (None, true) => None,
            (o, false) => {
                let mut flat = o.as_deref().cloned().unwrap_or_default();
                for (k, v) in &self.local {
                    flat.insert(k.clone(), v.clone());
                }
                Some(Arc::new(flat))
            }
        };
        Vars {
            local: Map::new(),
            outer,
        }
    }

    /// Sets variables (after a state's `Assign` was fully evaluated).
    pub fn assign(&mut self, values: Map<String, Value>) {
        for (k, v) in values {
            self.local.insert(k, v);
        }
    }
}

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.local
            .get(name)
            .or_else(|| self.outer.as_ref().and_then(|o| o.get(name)))
    }
}
