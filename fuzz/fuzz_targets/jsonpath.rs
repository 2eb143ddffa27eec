//! `cargo +nightly fuzz run jsonpath`: see [`asl_core::fuzz::jsonpath`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| asl_core::fuzz::jsonpath(data));
