//! # sfn-local-tests
//!
//! Client test suites: real Step Functions clients driving a real `sfn-local` server.
//!
//! ## Layout
//! - `tests/sdk/` — the AWS SDK for Rust (`aws-sdk-sfn`) against an in-process server, one
//!   file per API area, plus `raw_http.rs`: hand-written HTTP/1.1 requests for what no SDK
//!   sends (malformed JSON, unknown targets, garbage headers, a `sync-` Host header).
//! - `tests/clients.rs` — runs `clients/boto3_suite.py` and `clients/awscli_suite.sh` against
//!   an in-process server, with the Python venv that `clients/setup_venv.sh` makes under the
//!   target directory on first run.
//!
//! This library only holds what both test binaries share: starting a server.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use sfn_local_server::server::{Server, Storage};
pub use sfn_local_server::service::Settings;

/// How long `GetActivityTask` waits for a task in these tests (AWS: 60 s). Short, so a worker
/// that polls an empty activity comes back quickly, yet long enough for a task that is being
/// scheduled to be handed out by the poll that waits for it.
pub const ACTIVITY_POLL: Duration = Duration::from_secs(2);

/// The settings the suites run with: AWS's defaults (us-east-1, account 123456789012, real
/// time) except a short activity poll.
pub fn settings() -> Settings {
    Settings {
        activity_poll: ACTIVITY_POLL,
        ..Settings::default()
    }
}

/// Starts an in-memory server on a free port of 127.0.0.1.
pub async fn start_server() -> Server {
    Server::start(
        "127.0.0.1:0",
        Storage::InMemory,
        settings(),
        asl_interpreter::Handlers::new(),
    )
    .await
    .expect("sfn-local starts on 127.0.0.1:0")
}

/// The `clients/` folder with the boto3 and AWS CLI suites.
pub fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("clients")
}

/// The target directory this test binary was built into (`<target>/debug/deps/NAME`), where
/// the client venv lives. Derived from the binary's path rather than `CARGO_TARGET_DIR` so
/// that a relative `CARGO_TARGET_DIR`, or none, gives the same answer.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("the test binary lives in <target>/<profile>/deps")
}
