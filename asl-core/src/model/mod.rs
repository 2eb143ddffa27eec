//! The typed model of a state machine: one type per ASL concept.
//!
//! Every node keeps its JSON pointer (`/States/Name/Field`) so that the validator and the
//! interpreter can point at the definition; line and column are computed only when an error is
//! rendered (see [`crate::parse::locate`]).

pub(crate) mod choice;
mod map;
mod retry;
mod successors;
mod template;
mod write;

pub(crate) use crate::choice::operand_ok as choice_operand_ok;
pub use choice::{ChoiceRule, Comparator, Comparison, Condition, Operand};
pub use map::{ItemBatcher, LABEL_FORBIDDEN, Map, ProcessorConfig, ProcessorMode, is_valid_label};
pub use retry::{Catcher, ErrorMatcher, JitterStrategy, Retrier};
pub use successors::{Edge, EdgeKind};
pub use template::{PayloadNode, PayloadTemplate, Template};

use indexmap::IndexMap;
use serde_json::Value;

use crate::jsonata;
use crate::path::{JsonPath, ReferencePath};

/// Which language a state's fields are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    /// `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`, `OutputPath`, intrinsics.
    #[default]
    JsonPath,
    /// `Arguments`, `Output`, `{% ... %}` expressions.
    Jsonata,
}

impl QueryLanguage {
    /// The name used in definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

/// A whole definition, or a branch of a Parallel / the processor of a Map (same shape).
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    /// `Comment`.
    pub comment: Option<String>,
    /// `StartAt`.
    pub start_at: String,
    /// `States`, in definition order.
    pub states: IndexMap<String, State>,
    /// `TimeoutSeconds` of the whole execution (top level only).
    pub timeout_seconds: Option<u64>,
    /// `Version`.
    pub version: Option<String>,
    /// `QueryLanguage` declared at this level (the top level's is the default for all states).
    pub query_language: QueryLanguage,
    /// JSON pointer of this object (`""` for the top level).
    pub pointer: String,
}

impl StateMachine {
    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.get(name)
    }

    /// The `StartAt` state. The parser guarantees it exists.
    pub fn start_state(&self) -> &State {
        &self.states[&self.start_at]
    }
}

/// Where a state goes when it completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `Next`.
    Next(String),
    /// `End: true`.
    End,
    /// Choice, Succeed and Fail decide for themselves.
    Terminal,
}

/// One state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The state's name (its key in `States`).
    pub name: String,
    /// JSON pointer of the state object.
    pub pointer: String,
    /// `Comment`.
    pub comment: Option<String>,
    /// The effective query language (the state's own or the enclosing machine's).
    pub query_language: QueryLanguage,
    /// Input/output processing for this state.
    pub io: Io,
    /// `Assign`.
    pub assign: Option<Template>,
    /// `Next` / `End`.
    pub transition: Transition,
    /// What kind of state this is, with its own fields.
    pub kind: StateKind,
    /// Whether any field mentions the context object (`$$` or `$states.context`), so the
    /// interpreter can skip building it for the (many) states that never read it.
    pub uses_context: bool,
    /// Whether one of the state's own fields (not its nested workflows') may read the
    /// execution's input through the context object: `$$.Execution.Input`, `$$` or
    /// `$$.Execution` whole, or `$states` in a form that can reach them. The interpreter
    /// leaves the input (a copy of it) out of the context object of the other states.
    pub reads_execution_input: bool,
}

impl State {
    /// The ASL `Type` name.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }

    /// The state's retriers (Task, Parallel, Map).
    pub fn retry(&self) -> &[Retrier] {
        match &self.kind {
            StateKind::Task(t) => &t.retry,
            StateKind::Parallel(p) => &p.retry,
            StateKind::Map(m) => &m.retry,
            _ => &[],
        }
    }

    /// The state's catchers (Task, Parallel, Map).
    pub fn catch(&self) -> &[Catcher] {
        match &self.kind {
            StateKind::Task(t) => &t.catch,
            StateKind::Parallel(p) => &p.catch,
            StateKind::Map(m) => &m.catch,
            _ => &[],
        }
    }
}

/// The eight state types.
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    /// `Pass`.
    Pass(Pass),
    /// `Task`.
    Task(Box<Task>),
    /// `Choice`.
    Choice(Choice),
    /// `Wait`.
    Wait(Wait),
    /// `Succeed`.
    Succeed,
    /// `Fail`.
    Fail(Fail),
    /// `Parallel`.
    Parallel(Box<Parallel>),
    /// `Map`.
    Map(Box<Map>),
}

impl StateKind {
    /// The ASL `Type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass(_) => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// The input/output pipeline fields. Which ones may be set depends on the query language
/// and the state type; the parser enforces that, so the interpreter can simply apply them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Io {
    /// `InputPath` (JSONPath only).
    pub input_path: PathField,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata).
    pub parameters: Option<Template>,
    /// `ResultSelector` (JSONPath only).
    pub result_selector: Option<PayloadTemplate>,
    /// `ResultPath` (JSONPath only).
    pub result_path: ResultPath,
    /// `OutputPath` (JSONPath only).
    pub output_path: PathField,
    /// `Output` (JSONata only).
    pub output: Option<jsonata::Template>,
}

/// `InputPath` / `OutputPath`: absent means `$`, `null` means an empty object.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PathField {
    /// Field absent: the whole document.
    #[default]
    Whole,
    /// `null`: `{}`.
    Null,
    /// A path.
    Path(JsonPath),
}

/// `ResultPath`: absent means the result replaces the input, `null` discards the result.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ResultPath {
    /// Field absent (or `"$"`): the result is the output.
    #[default]
    Replace,
    /// `null`: the input passes through unchanged.
    Discard,
    /// A reference path where the result is written into the input.
    Path(ReferencePath),
}

/// A numeric field that may be a literal, a `...Path` reference, or a JSONata expression.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberField {
    /// A literal number (kept as the JSON value given, AWS checks ranges at run time for some).
    Literal(Value),
    /// `FieldPath`: a reference path into the state input.
    Path(ReferencePath),
    /// A `{% ... %}` expression (JSONata states).
    Expression(jsonata::Expression),
}

/// A string field of a Fail state: `Error`/`ErrorPath`, `Cause`/`CausePath`.
#[derive(Debug, Clone, PartialEq)]
pub enum StringField {
    /// A literal.
    Literal(String),
    /// `ErrorPath`/`CausePath`: a JSONPath or an intrinsic function.
    Path(PayloadNode),
    /// A `{% ... %}` expression (JSONata states).
    Expression(jsonata::Expression),
}

/// `Pass`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pass {
    /// `Result`.
    pub result: Option<Value>,
}

/// `Task`.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// `Resource`: the ARN of the service integration, Lambda function or activity.
    pub resource: String,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout: Option<NumberField>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: Option<NumberField>,
    /// `Credentials` (kept as given; templates inside are evaluated by the interpreter).
    pub credentials: Option<Template>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// `Choice`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// `Choices`, in order.
    pub choices: Vec<ChoiceRule>,
    /// `Default`.
    pub default: Option<String>,
}

/// `Wait`: exactly one of its four forms.
#[derive(Debug, Clone, PartialEq)]
pub enum Wait {
    /// `Seconds` (a number, or a JSONata expression) or `SecondsPath`.
    Seconds(NumberField),
    /// `Timestamp` (an ISO-8601 string).
    Timestamp(String),
    /// `Timestamp` given as a JSONata expression.
    TimestampExpression(jsonata::Expression),
    /// `TimestampPath`.
    TimestampPath(ReferencePath),
}

/// `Fail`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fail {
    /// `Error` / `ErrorPath`.
    pub error: Option<StringField>,
    /// `Cause` / `CausePath`.
    pub cause: Option<StringField>,
}

/// `Parallel`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parallel {
    /// `Branches`.
    pub branches: Vec<StateMachine>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}
