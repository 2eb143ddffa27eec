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

/// Whether an expression (a JSONPath, an intrinsic call, a JSONata expression) may read the
/// execution's input through the context object. Conservative: only references that name a
/// member other than the input are known not to: `$$.State...`, `$$.Map...`, `$$.Task...`,
/// `$$.StateMachine...`, `$$.Execution.Id` (`Name`, `StartTime`, `RoleArn`, `RedriveCount`,
/// `RedriveTime`), the same under `$states.context`, and `$states.input`, `.result`,
/// `.errorOutput`. Anything else that mentions `$$` or `$states` (the whole context, the whole
/// `Execution`, a bracket, a computed lookup) may.
pub fn may_read_execution_input(text: &str) -> bool {
    const CONTEXT_MEMBERS: &[&str] = &["State", "Map", "Task", "StateMachine"];
    const EXECUTION_MEMBERS: &[&str] = &[
        "Id",
        "Name",
        "StartTime",
        "RoleArn",
        "RedriveCount",
        "RedriveTime",
    ];
    const STATES_MEMBERS: &[&str] = &["input", "result", "errorOutput"];
    /// The identifier after a `.` at the start of `rest`, and what follows it.
    fn member(rest: &str) -> Option<(&str, &str)> {
        let rest = rest.strip_prefix('.')?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| (&rest[..end], &rest[end..]))
    }
    /// Whether a reference to the context object whose members follow in `rest` is safe.
    fn context_is_safe(rest: &str) -> bool {
        match member(rest) {
            Some((m, _)) if CONTEXT_MEMBERS.contains(&m) => true,
            Some(("Execution", after)) => {
                matches!(member(after), Some((m, _)) if EXECUTION_MEMBERS.contains(&m))
            }
            _ => false,
        }
    }
    let mut i = 0;
    while let Some(at) = text[i..].find('$') {
        let start = i + at;
        let rest = &text[start..];
        if let Some(after) = rest.strip_prefix("$$") {
            if !context_is_safe(after) {
                return true;
            }
        } else if let Some(after) = rest.strip_prefix("$states") {
            let safe = match member(after) {
                Some((m, _)) if STATES_MEMBERS.contains(&m) => true,
                Some(("context", more)) => context_is_safe(more),
                // `$statesX`: another name altogether.
                _ => after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'),
            };
            if !safe {
                return true;
            }
        }
        i = start + 1;
        // `$$`: skip its second `$`.
        if text[start..].starts_with("$$") {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::may_read_execution_input as reads;

    #[test]
    fn references_that_may_reach_the_execution_input() {
        for text in [
            "$$.Execution.Input",
            "$$.Execution.Input.a",
            "$$",
            "$$.Execution",
            "$$['Execution']",
            "States.Format('{}', $$.Execution.Input)",
            "{% $states.context.Execution.Input %}",
            "{% $states.context %}",
            "{% $states.context.Execution %}",
            "{% $states %}",
            "{% $lookup($states, 'context') %}",
            "{% $states.context.Execution.Id & $states.context.Execution.Input %}",
            "$$.Map.Item.Value and $$",
        ] {
            assert!(reads(text), "{text}");
        }
        for text in [
            "$.a",
            "$$.Execution.Id",
            "$$.Execution.Name",
            "$$.Execution.StartTime",
            "$$.Execution.RedriveCount",
            "$$.State.EnteredTime",
            "$$.Map.Item.Value.id",
            "$$.Task.Token",
            "$$.StateMachine.Id",
            "States.Format('{}-{}', $$.Execution.Id, $.x)",
            "{% $states.input.a %}",
            "{% $states.result %}",
            "{% $states.errorOutput.Cause %}",
            "{% $states.context.Map.Item.Index %}",
            "{% $states.context.Execution.Name & $statesOther %}",
            "{% $x + 1 %}",
            "plain text",
        ] {
            assert!(!reads(text), "{text}");
        }
    }
}
