//! # asl-core: the Amazon States Language
//!
//! The language half of sfn-local: a typed model of state machine definitions, a parser that
//! checks their shape the way AWS does, and the data-flow functions every state uses, as pure
//! functions over [`serde_json::Value`].
//!
//! ## Layout
//! - [`model`]: one type per ASL concept ([`StateMachine`], [`State`], [`model::Retrier`], ...).
//! - [`parse`]: `&str -> StateMachine`, with AWS-style errors carrying JSON pointers.
//!   [`StateMachine::to_value`] writes a model back as ASL JSON.
//! - [`limits`]: how long and how deeply nested a definition may be (AWS's 1,048,576
//!   characters, and the bounds that keep reading it proportional to its size).
//! - [`path`]: JSONPath in AWS's dialect, Reference Paths, `ResultPath`.
//! - [`intrinsics`]: the `States.*` intrinsic functions.
//! - [`jsonata`]: JSONata expressions with `$states` and Step Functions' extra functions.
//! - [`choice`]: Choice rule evaluation.
//! - [`dataflow`]: payload templates and the input/output pipeline.
//!
//! ```
//! use asl_core::StateMachine;
//! let sm = StateMachine::from_str(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#).unwrap();
//! assert_eq!(sm.start_state().type_name(), "Pass");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod choice;
pub mod dataflow;
pub mod error;
pub mod fuzz;
pub mod intrinsics;
pub mod jsonata;
pub mod model;
pub mod parse;
pub mod path;
pub mod scope;

pub use error::{StatesError, StatesResult};
pub use model::{QueryLanguage, State, StateKind, StateMachine};
pub use parse::limits;
pub use parse::{ParseError, ParseErrors};
pub use scope::{NoVariables, Scope, Variables};
