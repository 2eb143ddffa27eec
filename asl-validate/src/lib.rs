//! # asl-validate: static checks of Amazon States Language definitions
//!
//! The same verdicts as AWS's `ValidateStateMachineDefinition` (its codes, severities and
//! `/States/X/Field` locations), plus lints of our own (`ASL001`...), and a CLI made for CI
//! that finds definitions in files, folders, globs and CloudFormation / SAM / CDK templates.
//!
//! ## Layout
//! - [`validate()`]: `&str -> Vec<Diagnostic>`. It reads the text with asl-core's parser (which
//!   checks the schema) and runs every rule in `rules/` (one file per rule, with its doc).
//!   [`validate_value`] and [`validate_yaml`] take a decoded value and YAML text.
//! - `ctx`: what a rule sees: the typed model, every nested workflow with its transitions as a
//!   graph (built from asl-core's `State::successors`), and the raw JSON by pointer.
//! - `scan`: one pass over the text for what the parsed value no longer tells (depth,
//!   duplicate state names).
//! - [`Diagnostic`] (`diagnostic`): a code, a message and a JSON pointer; line and column are
//!   computed when it is rendered.
//! - Every pass does work in proportion to the size of the definition, whatever its shape,
//!   within the limits of [`asl_core::limits`] (AWS's 1,048,576 characters, 127 levels of
//!   JSON, 16 levels of nested workflows). [`fuzz_input`] runs any bytes through every entry
//!   point and counts the steps taken, for a fuzzer and for tests.
//! - [`Code`] / [`Severity`]: every code in one table (`codes`); `explain` says what each
//!   checks and which AWS behaviour backs it (`asl-validate --explain CODE`).
//! - `source`, `template`, `yaml`, `origin`: finding definitions on disk (also inside
//!   templates, as objects or assembled strings), with locations in their files.
//! - `render/`: text (with carets), JSON, SARIF 2.1.0 and GitHub annotations.
//! - [`run_cli`]: the `asl-validate` command; `sfn-local validate` calls it too.
//!
//! ```
//! use asl_validate::{validate, Code, Severity};
//! let diags = validate(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}"#);
//! assert_eq!(diags[0].code, Code::MissingEndState);
//! assert_eq!(diags[0].severity(), Severity::Error);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;
mod codes;
mod ctx;
mod diagnostic;
mod explain;
mod fuzz;
mod origin;
mod render;
mod rules;
mod scan;
mod source;
mod template;
mod validate;
mod yaml;

pub use cli::run_cli;
pub use codes::{Code, Severity};
pub use diagnostic::Diagnostic;
pub use fuzz::{BASE_STEPS, MAX_STEPS_PER_BYTE, Work, fuzz_input};
pub use template::{NamedDefinition, definitions_in};
pub use validate::{validate, validate_value, validate_yaml};
