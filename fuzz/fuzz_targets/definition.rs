//! `cargo +nightly fuzz run definition`: see [`asl_core::fuzz::definition`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| asl_core::fuzz::definition(data));
