//! # sfn-local
//!
//! The `sfn-local` binary's library: the Step Functions HTTP API ([`server::Server`]) over an
//! embedded SQLite store, and the one-shot `run` command.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod config;
pub mod http;
pub mod integrations;
mod progress;
pub mod run;
pub mod scheduler;
pub mod serve;
pub mod server;
pub mod service;
pub mod store;
pub mod tools;
