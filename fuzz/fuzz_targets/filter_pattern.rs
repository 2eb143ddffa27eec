//! `cargo +nightly fuzz run filter_pattern`: CloudWatch Logs filter patterns, parsed and
//! matched (see [`sfn_local_server::logs::fuzz_pattern`]).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sfn_local_server::logs::fuzz_pattern(data));
