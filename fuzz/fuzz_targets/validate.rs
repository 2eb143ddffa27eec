//! `cargo +nightly fuzz run validate`: every reader of a definition in asl-validate (JSON,
//! YAML, templates, the CLI's formats) on the bytes, in work proportional to their size. See
//! [`asl_validate::fuzz_input`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let work = asl_validate::fuzz_input(data);
    assert!(work.is_proportional(), "{work:?}");
});
