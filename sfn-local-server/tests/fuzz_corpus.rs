//! Replays the seed corpora of the fuzz targets (`fuzz/corpus/<target>/`) through the same
//! entry points the targets call, on stable Rust: every parser meets every seed, hostile ones
//! included, in the test suite. Runs under the `sfn-local` allocator, so the JSONata memory
//! limit holds as in the server.

use std::path::PathBuf;

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    for seed in seeds {
        let data = std::fs::read(&seed).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{} panicked", seed.display());
    }
}

#[test]
fn definition_seeds() {
    replay("definition", asl_core::fuzz::definition);
}

#[test]
fn jsonpath_seeds() {
    replay("jsonpath", asl_core::fuzz::jsonpath);
}

#[test]
fn jsonata_seeds() {
    // Endless seeds stop at the time limit: a short one keeps the test quick.
    asl_core::jsonata::budget::set_thread_limits(Some(asl_core::jsonata::budget::JsonataLimits {
        timeout: std::time::Duration::from_millis(250),
        ..Default::default()
    }));
    replay("jsonata", asl_core::fuzz::jsonata);
    asl_core::jsonata::budget::set_thread_limits(None);
}

#[test]
fn intrinsic_seeds() {
    replay("intrinsic", asl_core::fuzz::intrinsic);
}

#[test]
fn validate_seeds() {
    replay("validate", |data| {
        let work = asl_validate::fuzz_input(data);
        assert!(work.is_proportional(), "{work:?}");
    });
}

#[test]
fn api_request_seeds() {
    replay("api_request", sfn_local_server::api::fuzz_request);
}

#[test]
fn filter_pattern_seeds() {
    replay("filter_pattern", sfn_local_server::logs::fuzz_pattern);
}
