//! # sfn-local
//!
//! The `sfn-local` binary's library: the one-shot `run` command today; the Step Functions HTTP
//! API and its storage come next (see the README's status section).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod run;
