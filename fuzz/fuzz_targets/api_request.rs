//! `cargo +nightly fuzz run api_request`: request decoding and the service model's checks,
//! for the operation the first byte picks. See [`sfn_local_server::api::fuzz_request`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sfn_local_server::api::fuzz_request(data));
