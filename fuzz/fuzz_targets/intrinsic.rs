//! `cargo +nightly fuzz run intrinsic`: see [`asl_core::fuzz::intrinsic`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| asl_core::fuzz::intrinsic(data));
