//! JSONata as Step Functions runs it (`QueryLanguage: "JSONata"`).
//!
//! A string field value of the form `"{% expr %}"` is a JSONata expression; every other string
//! is a literal. Fields such as `Arguments`, `Output` and `Assign` are *templates*: JSON values
//! whose strings may be expressions at any depth ([`Template`]).
//!
//! Expressions see `$states` (`input`, `context`, and where the field allows it `result` and
//! `errorOutput`), the workflow variables as `$name`, JSONata's built-in functions except
//! `$eval`, and the functions Step Functions adds (`$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`).
//!
//! Every failure is a `States.QueryEvaluationError` whose cause is the tail of the text AWS
//! gives (`The JSONata expression '...' specified for the field '...' ...`); the interpreter
//! prefixes the state part.

pub mod budget;
mod convert;
mod errors;
mod functions;
mod template;

#[cfg(test)]
mod tests;

pub use template::Template;

use crate::error::{StatesError, StatesResult};
use crate::scope::Variables;
use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage};
use jsonata_core::evaluator::{Context, Evaluator};
use jsonata_core::value::JValue;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Whether a field's string value is a JSONata expression rather than a literal.
///
/// AWS requires the delimiters at the very start and end of the string: `" {% 1 %}"` is a
/// literal.
pub fn is_expression(s: &str) -> bool {
    expression_body(s).is_some()
}

/// The text between `{%` and `%}` if `s` is an expression string, for [`Expression::compile`].
pub fn expression_body(s: &str) -> Option<&str> {
    if s.len() >= 4 {
        s.strip_prefix("{%")?.strip_suffix("%}")
    } else {
        None
    }
}

/// An expression that JSONata cannot parse (or that uses syntax newer than the JSONata 2.0.6
/// Step Functions runs). Definition validation reports it; it never reaches evaluation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonataSyntaxError {
    /// The expression text, trimmed, as AWS quotes it.
    pub expression: String,
    /// `CODE: message` from the parser, in jsonata-js wording where known.
    pub message: String,
}

/// A parsed expression, compiled once per definition and shared freely between executions
/// and threads (the AST is plain data behind an `Arc`; evaluation state is per call).
#[derive(Clone)]
pub struct Expression(Arc<Compiled>);

struct Compiled {
    /// Trimmed source, quoted in error causes.
    source: String,
    ast: AstNode,
    /// `$name` references that may be workflow variables (everything but `$`, `$states`).
    variables: Box<[String]>,
    /// The workflow variables the expression reads, in the order they first appear: its
    /// `$name`s less `$states` and the names it binds itself (`$x := ...`, `function($x)`).
    workflow_references: Box<[String]>,
    /// Step Functions functions the expression names, registered per evaluation.
    functions: Box<[&'static str]>,
    /// The members of `$states` to build (none when `$states` is not referenced).
    states: StatesFields,
}

/// A set of `$states` members, so evaluation converts only what an expression reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StatesFields(u8);

impl StatesFields {
    const INPUT: u8 = 1;
    const CONTEXT: u8 = 2;
    const RESULT: u8 = 4;
    const ERROR_OUTPUT: u8 = 8;
    const ALL: StatesFields = StatesFields(31);

    fn add(&mut self, member: &str) {
        self.0 |= match member {
            "input" => Self::INPUT,
            "context" => Self::CONTEXT,
            "result" => Self::RESULT,
            "errorOutput" => Self::ERROR_OUTPUT,
            // Any other member is undefined; `$states` itself must still exist.
            _ => 0,
        };
        self.0 |= 16;
    }

    fn any(self) -> bool {
        self.0 != 0
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.0.source).finish()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.0.source == other.0.source
    }
}

impl Expression {
    /// Parses the text between the delimiters (surrounding whitespace is ignored).
    pub fn compile(source_without_delimiters: &str) -> Result<Expression, JsonataSyntaxError> {
        let source = source_without_delimiters.trim();
        let syntax_error = |message: String| JsonataSyntaxError {
            expression: source.to_string(),
            message,
        };
        if budget::too_deep(source) {
            return Err(syntax_error(format!(
                "The expression nests brackets more than {} levels deep",
                budget::MAX_EXPRESSION_NESTING
            )));
        }
        let parsed = catch_unwind(|| jsonata_core::parser::parse(source))
            .map_err(|panic| syntax_error(panic_message(&panic)))?;
        let mut ast =
            parsed.map_err(|e| syntax_error(errors::normalize_message(&e.to_string())))?;
        let mut refs = References::default();
        refs.walk(&mut ast);
        if refs.newer_operator {
            // `??` and `?:` arrived in JSONata 2.1; the 2.0.6 parser reads the second `?`
            // as a prefix operator.
            return Err(syntax_error(
                "S0211: The symbol ? cannot be used as a unary operator".to_string(),
            ));
        }
        refs.variables.retain(|v| !v.is_empty() && v != "states");
        let mut workflow_references: Vec<String> = Vec::new();
        for v in &refs.variables {
            let identifier = v.starts_with(|c: char| c.is_alphabetic() || c == '_');
            if identifier && !refs.bound.contains(v) && !workflow_references.contains(v) {
                workflow_references.push(v.clone());
            }
        }
        refs.variables.sort();
        refs.variables.dedup();
        let functions: Vec<&'static str> = functions::NAMES
            .iter()
            .copied()
            .filter(|f| {
                refs.functions.iter().any(|n| n == f) || refs.variables.iter().any(|n| n == f)
            })
            .collect();
        Ok(Expression(Arc::new(Compiled {
            source: source.to_string(),
            ast,
            variables: refs.variables.into_boxed_slice(),
            workflow_references: workflow_references.into_boxed_slice(),
            functions: functions.into_boxed_slice(),
            states: refs.states,
        })))
    }

    /// The workflow variables the expression reads (`variableReferences`), in the order they
    /// first appear: its `$name`s less `$states` and the names it binds itself.
    pub fn workflow_references(&self) -> &[String] {
        &self.0.workflow_references
    }

    /// The trimmed expression text, as quoted in error causes.
    pub fn source(&self) -> &str {
        &self.0.source
    }

    /// The expression as a definition writes it, between `{%` and `%}`.
    pub fn delimited(&self) -> String {
        format!("{{% {} %}}", self.0.source)
    }

    /// Evaluates with a `$states` value that is built at most once per template evaluation,
    /// naming `field` in error causes.
    fn run(
        &self,
        states_value: &mut StatesCache<'_>,
        vars: &dyn Variables,
        field: &str,
    ) -> StatesResult<Option<Value>> {
        self.run_raw(states_value, vars)
            .map_err(|failure| failure.into_error(self.source(), field))
    }

    /// Evaluates without formatting errors, so a template builds the nested field path only
    /// when something fails.
    fn run_raw(
        &self,
        states_value: &mut StatesCache<'_>,
        vars: &dyn Variables,
    ) -> Result<Option<Value>, Failure> {
        let compiled = &*self.0;
        let mut context = Context::new();
        if compiled.states.any() {
            context.bind("states".to_string(), states_value.get(compiled.states));
        }
        for name in compiled.variables.iter() {
            if let Some(value) = vars.get(name) {
                context.bind(name.clone(), convert::to_jvalue(value));
            }
        }
        let metered = budget::Metered::start();
        let mut evaluator = Evaluator::with_options(context, metered.options());
        for name in compiled.functions.iter() {
            functions::register(&mut evaluator, name)
                .map_err(|e| Failure::Threw(e.message().to_string()))?;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            evaluator.evaluate(&compiled.ast, &JValue::Undefined)
        }));
        let result = match outcome {
            _ if metered.over_memory() => return Err(Failure::Threw(metered.memory_message())),
            Ok(Ok(value)) => value,
            Ok(Err(e)) => return Err(Failure::Threw(errors::evaluator_message(&e))),
            Err(panic) => return Err(Failure::Threw(panic_message(&panic))),
        };
        drop(evaluator);
        let converted = convert::from_jvalue(&result);
        if metered.over_memory() {
            return Err(Failure::Threw(metered.memory_message()));
        }
        converted.map_err(|e| match e {
            convert::OutputError::Unsupported => Failure::Unsupported,
            convert::OutputError::NonFinite(n) => Failure::Threw(format!(
                "D1001: Number out of range: {}",
                convert::js_non_finite(n)
            )),
            convert::OutputError::TooDeep => Failure::Threw(format!(
                "The result is nested more than {} levels deep",
                convert::MAX_RESULT_DEPTH
            )),
        })
    }
}

/// How an evaluation failed, before the field name is known.
pub(crate) enum Failure {
    /// JSONata raised an error (message already in `CODE: text` form).
    Threw(String),
    /// The result was a function or regex.
    Unsupported,
}

impl Failure {
    pub(crate) fn into_error(self, source: &str, field: &str) -> StatesError {
        match self {
            Failure::Threw(message) => errors::threw(source, field, &message),
            Failure::Unsupported => errors::unsupported(source, field),
        }
    }
}

/// The values `$states` exposes. `result` and `errorOutput` exist only in the fields AWS
/// allows them (e.g. a Task's `Output` after success, a Catcher's fields after failure).
#[derive(Debug, Clone, Copy)]
pub struct StatesBinding<'a> {
    /// `$states.input`: the state's input.
    pub input: &'a Value,
    /// `$states.context`: the context object.
    pub context: &'a Value,
    /// `$states.result`: the task/branch/iteration result, where available.
    pub result: Option<&'a Value>,
    /// `$states.errorOutput`: the caught error (`{Error, Cause}`), in a Catcher.
    pub error_output: Option<&'a Value>,
}

impl<'a> StatesBinding<'a> {
    /// Input and context only, the common case.
    pub fn new(input: &'a Value, context: &'a Value) -> Self {
        StatesBinding {
            input,
            context,
            result: None,
            error_output: None,
        }
    }
}

/// The members of `$states`, each converted to a JSONata value on first use and then shared
/// by the expressions of one template.
pub(crate) struct StatesCache<'a> {
    binding: &'a StatesBinding<'a>,
    input: Option<JValue>,
    context: Option<JValue>,
    result: Option<JValue>,
    error_output: Option<JValue>,
}

impl<'a> StatesCache<'a> {
    pub(crate) fn new(binding: &'a StatesBinding<'a>) -> Self {
        StatesCache {
            binding,
            input: None,
            context: None,
            result: None,
            error_output: None,
        }
    }

    /// `$states` with the members in `fields` (members absent from the binding stay absent).
    fn get(&mut self, fields: StatesFields) -> JValue {
        fn member(slot: &mut Option<JValue>, source: &Value) -> JValue {
            slot.get_or_insert_with(|| convert::to_jvalue(source))
                .clone()
        }
        let binding = self.binding;
        let mut map = Vec::with_capacity(4);
        if fields.has(StatesFields::INPUT) {
            map.push(("input".to_string(), member(&mut self.input, binding.input)));
        }
        if fields.has(StatesFields::CONTEXT) {
            map.push((
                "context".to_string(),
                member(&mut self.context, binding.context),
            ));
        }
        if fields.has(StatesFields::RESULT)
            && let Some(result) = binding.result
        {
            map.push(("result".to_string(), member(&mut self.result, result)));
        }
        if fields.has(StatesFields::ERROR_OUTPUT)
            && let Some(error_output) = binding.error_output
        {
            map.push((
                "errorOutput".to_string(),
                member(&mut self.error_output, error_output),
            ));
        }
        JValue::object(map.into_iter().collect())
    }
}

/// Evaluates one expression. `Ok(None)` means the result is undefined; whether that is an
/// error depends on the field (a Choice `Condition` or template member makes it one), so the
/// caller decides, using [`undefined_error`] for AWS's text.
///
/// `field` names the field in error causes (`Output`, `Arguments/FunctionName`, ...).
pub fn evaluate(
    expr: &Expression,
    states: &StatesBinding,
    vars: &dyn Variables,
    field: &str,
) -> StatesResult<Option<Value>> {
    expr.run(&mut StatesCache::new(states), vars, field)
}

/// The error AWS raises when an expression in `field` evaluates to nothing.
pub fn undefined_error(expr: &Expression, field: &str) -> StatesError {
    errors::undefined(expr.source(), field)
}

/// The error AWS raises when an expression's result has the wrong JSON type for its field
/// (e.g. Map `Items` that is not an array): `expected` is `array`, `object`, `string`,
/// `number`, `boolean` or `null`.
pub fn unexpected_type_error(
    expr: &Expression,
    field: &str,
    expected: &str,
    value: &Value,
) -> StatesError {
    errors::unexpected_type(expr.source(), field, expected, value)
}

/// The JSONata type name AWS uses for a value in type errors.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".to_string());
    format!("Internal error in the JSONata engine: {detail}")
}

/// Names an AST refers to, gathered once at compile time so evaluation binds only the
/// variables and functions the expression can see (`Variables` cannot be enumerated).
#[derive(Default)]
struct References {
    variables: Vec<String>,
    /// Names the expression binds itself: `$x := ...` and lambda parameters.
    bound: Vec<String>,
    functions: Vec<String>,
    newer_operator: bool,
    /// Which members of `$states` the expression reads.
    states: StatesFields,
}

impl References {
    /// Gathers what `node` refers to, and sends its `$distinct` calls to the linear one:
    /// jsonata's compares every item with every item kept so far and checks no time limit
    /// meanwhile (a million items held a thread for minutes); see `functions::distinct`.
    fn walk(&mut self, node: &mut AstNode) {
        match node {
            AstNode::Variable(name) => {
                if name == "states" {
                    self.states = StatesFields::ALL;
                }
                self.variables.push(name.clone());
            }
            AstNode::Path { steps } => {
                // `$states.input...` needs only `input` converted; bare `$states` needs all.
                if let [first, second, ..] = steps.as_slice()
                    && matches!(&first.node, AstNode::Variable(v) if v == "states")
                    && first.stages.is_empty()
                    && first.focus.is_none()
                    && first.index_var.is_none()
                    && let AstNode::Name(member) = &second.node
                {
                    self.states.add(member);
                    steps[1..].iter_mut().for_each(|s| self.step(s));
                } else {
                    steps.iter_mut().for_each(|s| self.step(s));
                }
            }
            AstNode::Binary { op, lhs, rhs } => {
                if matches!(op, BinaryOp::Coalesce | BinaryOp::Default) {
                    self.newer_operator = true;
                }
                if let (BinaryOp::ColonEqual, AstNode::Variable(name)) = (&*op, &**lhs) {
                    self.bound.push(name.clone());
                }
                self.walk(lhs);
                self.walk(rhs);
            }
            AstNode::Unary { operand, .. } => self.walk(operand),
            AstNode::Function { name, args, .. } => {
                if name == "distinct" {
                    *name = functions::DISTINCT.to_string();
                }
                self.functions.push(name.clone());
                args.iter_mut().for_each(|a| self.walk(a));
            }
            AstNode::Call { procedure, args } => {
                self.walk(procedure);
                args.iter_mut().for_each(|a| self.walk(a));
            }
            AstNode::Lambda { params, body, .. } => {
                self.bound.extend(params.iter().cloned());
                self.walk(body)
            }
            AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
                items.iter_mut().for_each(|i| self.walk(i))
            }
            AstNode::Object(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                self.walk(k);
                self.walk(v);
            }),
            AstNode::ObjectTransform { input, pattern } => {
                self.walk(input);
                pattern.iter_mut().for_each(|(k, v)| {
                    self.walk(k);
                    self.walk(v);
                });
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                self.walk(condition);
                self.walk(then_branch);
                if let Some(e) = else_branch {
                    self.walk(e);
                }
            }
            AstNode::FunctionApplication(inner) => self.walk(inner),
            AstNode::Sort { input, terms } => {
                self.walk(input);
                terms.iter_mut().for_each(|(t, _)| self.walk(t));
            }
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                self.walk(location);
                self.walk(update);
                if let Some(d) = delete {
                    self.walk(d);
                }
            }
            AstNode::String(_)
            | AstNode::Name(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::ParentVariable(_)
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
        }
    }

    fn step(&mut self, step: &mut PathStep) {
        self.walk(&mut step.node);
        for stage in &mut step.stages {
            if let Stage::Filter(node) = stage {
                self.walk(node);
            }
        }
    }
}
