//! `cargo +nightly fuzz run jsonata`: see [`asl_core::fuzz::jsonata`]. Runs under the
//! `sfn-local` allocator, so the JSONata memory limit holds as in the server.
#![no_main]

#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

libfuzzer_sys::fuzz_target!(|data: &[u8]| asl_core::fuzz::jsonata(data));
