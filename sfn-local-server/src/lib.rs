//! # sfn-local
//!
//! The `sfn-local` binary's library: the Step Functions HTTP API ([`server::Server`]) over an
//! embedded SQLite store, and the one-shot `run` command.
#![deny(unsafe_code)] // allowed in `alloc` alone (a `GlobalAlloc` impl)
#![warn(missing_docs)]

pub mod alloc;
pub mod api;
pub mod config;
pub mod http;
pub mod inflight;
pub mod integrations;
pub mod limits;
mod progress;
pub mod run;
pub mod scheduler;
pub mod serve;
pub mod server;
pub mod service;
pub mod store;
pub mod tools;
