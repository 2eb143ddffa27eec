//! What an expression can see: the state input, the context object and the variables.

use serde_json::{Map, Value};

/// Read access to the variables visible to a state.
///
/// Variables are scoped: a Map iteration or Parallel branch sees the variables of its
/// enclosing states plus its own, so the interpreter implements this over a chain of scopes
/// instead of copying maps.
pub trait Variables {
    /// The value of `$name` (without the `$`), if it is defined.
    fn get(&self, name: &str) -> Option<&Value>;
}

impl Variables for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        Map::get(self, name)
    }
}

/// No variables at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariables;

impl Variables for NoVariables {
    fn get(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// The roots a JSONPath or intrinsic argument can start from.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// `$`: the current document (state input, task result, ... depending on the field).
    pub input: &'a Value,
    /// `$$`: the context object.
    pub context: &'a Value,
    /// `$name`: variables.
    pub vars: &'a dyn Variables,
}

impl<'a> Scope<'a> {
    /// A scope over `input` with the given context and variables.
    pub fn new(input: &'a Value, context: &'a Value, vars: &'a dyn Variables) -> Self {
        Scope {
            input,
            context,
            vars,
        }
    }

    /// The same context and variables over another `$` document.
    pub fn with_input(self, input: &'a Value) -> Self {
        Scope { input, ..self }
    }
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("input", self.input)
            .field("context", self.context)
            .finish_non_exhaustive()
    }
}
