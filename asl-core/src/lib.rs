//! # asl-core: the Amazon States Language
//!
//! The language half of sfn-local: a typed model of state machine definitions, a parser that
//! checks their shape the way AWS does, and the data-flow functions every state uses, as pure
//! functions over [`serde_json::Value`].
//!
//! ## Layout
//! The pipeline: text -> [`parse`] -> [`model`] -> the data-flow functions the engine calls
//! for each state ([`dataflow`], [`path`], [`intrinsics`], [`jsonata`], [`choice`]).
//! - [`model`]: one type per ASL concept ([`StateMachine`], [`State`], [`model::Retrier`], ...),
//!   and [`State::successors`], every transition out of a state (the parser, the validator and
//!   TestState all read transitions there).
//! - [`parse`]: `&str -> StateMachine`, with AWS-style errors carrying JSON pointers;
//!   [`State::from_value`] reads one state on its own. [`StateMachine::to_value`] writes a
//!   model back as ASL JSON.
//! - [`limits`]: every AWS quota asl-core knows (the 1,048,576-character definition, 80-character
//!   names, 256 KiB payloads, 25,000 history events, the intrinsics' limits), each with its AWS
//!   page, and the bounds of our own that keep reading a definition proportional to its size.
//! - [`path`]: JSONPath in AWS's dialect, Reference Paths, `ResultPath`.
//! - [`resource`]: a Task's `Resource` in the form the engine routes on.
//! - [`arn`]: Step Functions ARNs, built and read in one place.
//! - [`intrinsics`]: the `States.*` intrinsic functions.
//! - [`jsonata`]: JSONata expressions with `$states` and Step Functions' extra functions.
//! - [`choice`]: Choice rule evaluation.
//! - [`dataflow`]: payload templates and the input/output pipeline.
//! - [`json_text`]: compact JSON text as serde_json writes it, also inside a JSON string.
//! - [`scope`]: what an expression sees (input, context object, variables).
//! - [`error`]: [`StatesError`], the ASL error name and cause every data-flow function returns.
//! - [`fuzz`]: one entry point per parser for arbitrary bytes, for `cargo fuzz` and the tests.
//!
//! ```
//! use asl_core::StateMachine;
//! let sm = StateMachine::from_str(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#).unwrap();
//! assert_eq!(sm.start_state().type_name(), "Pass");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod arn;
pub mod choice;
pub mod dataflow;
pub mod error;
pub mod fuzz;
pub mod intrinsics;
pub mod json_text;
pub mod jsonata;
pub mod limits;
pub mod model;
pub mod parse;
pub mod path;
pub mod resource;
pub mod scope;

pub use error::{StatesError, StatesResult};
pub use model::{QueryLanguage, State, StateKind, StateMachine};
pub use parse::{ParseError, ParseErrors};
pub use scope::{NoVariables, Scope, Variables};
