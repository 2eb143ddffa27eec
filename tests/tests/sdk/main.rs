//! The AWS SDK for Rust (`aws-sdk-sfn`) against an in-process sfn-local, one module per API
//! area, plus raw HTTP requests that no SDK sends. Every successful call also checks that the
//! SDK deserializes our response: a field of the wrong type fails the call.
//!
//! Tests marked `SERVER BUG` assert AWS's behaviour where sfn-local does not match it yet.

mod callbacks;
mod common;
mod errors;
mod executions;
mod machines;
mod map_runs;
mod raw_http;
mod versions;
