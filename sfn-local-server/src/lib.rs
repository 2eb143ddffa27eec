//! # sfn-local
//!
//! The `sfn-local` binary's library: the Step Functions HTTP API ([`server::Server`]) over an
//! embedded SQLite store, and the one-shot `run` command.
//!
//! ## Layout
//! A request flows `http` -> `api` -> `service` -> `store`, and executions run in the
//! interpreter the service wires up with the `integrations`.
//!
//! - [`server`]: starting a server in process (store, recovery, listener, shutdown);
//!   [`serve`] is `sfn-local serve` around it, [`run`] is `sfn-local run`.
//! - `http`: the HTTP front: host policy, body limits, `X-Amz-Target` to an operation;
//!   `console`: the web console on `GET /` (its page, pictures and live events).
//! - [`api`]: one handler per operation, grouped by file (state machines, aliases,
//!   executions, map runs, activities, tags, TestState); [`api::ApiError`] with its
//!   [`api::ErrorCode`]; request checks from the service model.
//! - [`service`]: the [`service::Service`] hub and its typed operations
//!   ([`service::StartExecution`], ...): settings, wiring of the interpreter, running
//!   executions and awaiting their end, recovery after a crash, activity queues.
//! - [`store`]: the SQLite store, one file per concept, and its batching writer.
//! - [`integrations`]: task handlers answered locally (Lambda, nested executions, ECS, S3,
//!   SNS/SQS/EventBridge records).
//! - [`logs`]: CloudWatch Logs: execution logs per `loggingConfiguration`, the Logs API
//!   (`Logs_20140328.*`) on the same endpoint, filter patterns, `sfn-local logs`.
//! - [`graph`]: `sfn-local graph` and `run --graph`, pictures drawn by `asl-graph`;
//!   [`client`]: the commands' client of a running server.
//! - [`scheduler`]: schedules that start executions.
//! - `inflight`: which executions a crashed process was running code for.
//! - [`config`], [`limits`], [`tools`], [`alloc`]: the configuration file, JSONata limits,
//!   the `messages`/`schedules`/`ecs-log` commands, the allocator.
//!
//! ARNs are built and read by [`asl_core::arn`] only.
#![deny(unsafe_code)] // allowed in `alloc` alone (a `GlobalAlloc` impl)
#![warn(missing_docs)]

pub mod alloc;
pub mod api;
pub mod client;
pub mod config;
mod console;
pub mod graph;
mod http;
mod inflight;
pub mod integrations;
mod kinds;
pub mod limits;
pub mod logs;
mod progress;
pub mod run;
pub mod scheduler;
pub mod serve;
pub mod server;
pub mod service;
pub mod store;
pub mod tools;
