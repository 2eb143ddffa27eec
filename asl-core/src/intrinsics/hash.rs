//! `States.Hash`, `States.Base64Encode`, `States.Base64Decode` and `States.UUID`.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{Args, Function, invalid_args, str_arg, utf16_len};
use crate::error::StatesResult;
use crate::limits::MAX_INTRINSIC_INPUT_CHARS;

/// Standard alphabet; padding optional on input, always written on output.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `States.Hash(data, algorithm)`: lowercase hex digest of the UTF-8 bytes.
///
/// The algorithm name is exact (`MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`). AWS hashes a
/// non-string `data` by its text instead of rejecting it; this uses its compact JSON text.
pub(super) fn hash(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::Hash;
    let [data, algorithm] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let text = match data.as_ref() {
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(other.to_string()),
    };
    if utf16_len(&text) > MAX_INTRINSIC_INPUT_CHARS {
        return Err(invalid_args(f));
    }
    let bytes = text.as_bytes();
    let digest = match str_arg(algorithm, f)? {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => return Err(invalid_args(f)),
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    Ok(Value::String(hex))
}

/// `States.Base64Encode(string)`: standard base64 of the UTF-8 bytes, padded.
pub(super) fn base64_encode(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::Base64Encode;
    let [text] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let text = str_arg(text, f)?;
    if utf16_len(text) > MAX_INTRINSIC_INPUT_CHARS {
        return Err(invalid_args(f));
    }
    Ok(Value::String(BASE64.encode(text)))
}

/// `States.Base64Decode(string)`: the decoded bytes as UTF-8 text.
///
/// Line breaks and spaces are skipped (AWS documents MIME base64) and padding is optional; bytes
/// that are not UTF-8 become U+FFFD, as Java's `new String(bytes, UTF_8)` does.
pub(super) fn base64_decode(args: Args<'_>) -> StatesResult<Value> {
    let f = Function::Base64Decode;
    let [text] = args.as_slice() else {
        return Err(invalid_args(f));
    };
    let text = str_arg(text, f)?;
    if utf16_len(text) > MAX_INTRINSIC_INPUT_CHARS {
        return Err(invalid_args(f));
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let bytes = BASE64.decode(compact).map_err(|_| invalid_args(f))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `States.UUID()`: a random version 4 UUID, lowercase and hyphenated.
pub(super) fn uuid(args: Args<'_>) -> StatesResult<Value> {
    if !args.is_empty() {
        return Err(invalid_args(Function::Uuid));
    }
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, eval, invalid};
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_table() {
        let bad = || Err(invalid(Function::Hash));
        let a = |n: usize| "a".repeat(n);
        check(&[
            (
                "States.Hash('hello', 'MD5')",
                json!({}),
                Ok(json!("5d41402abc4b2a76b9719d911017c592")),
            ),
            (
                "States.Hash('hello', 'SHA-1')",
                json!({}),
                Ok(json!("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")),
            ),
            (
                "States.Hash('hello', 'SHA-256')",
                json!({}),
                Ok(json!(
                    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
                )),
            ),
            (
                "States.Hash('hello', 'SHA-384')",
                json!({}),
                Ok(json!(
                    "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"
                )),
            ),
            (
                "States.Hash('hello', 'SHA-512')",
                json!({}),
                Ok(json!(
                    "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"
                )),
            ),
            (
                "States.Hash('', 'SHA-256')",
                json!({}),
                Ok(json!(
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                )),
            ),
            (
                "States.Hash($.s, 'SHA-256')",
                json!({"s": "Hash this string"}),
                Ok(json!(
                    "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"
                )),
            ),
            (
                "States.Hash($.s, $.a)",
                json!({"s": "input data", "a": "SHA-1"}),
                Ok(json!("aaff4a450a104cd177d28d18d74485e8cae074b7")),
            ),
            (
                "States.Hash($.s, 'MD5')",
                json!({"s": "Data to encode"}),
                Ok(json!("ca405671828a177e26947171bbe1e352")),
            ),
            (
                "States.Hash('🚀', 'SHA-256')",
                json!({}),
                Ok(json!(
                    "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"
                )),
            ),
            (
                "States.Hash($.s, 'MD5')",
                json!({"s": "abc\u{0}def"}),
                Ok(json!("a5e4d5963ae44c1f4bfb37b1a3d55a3c")),
            ),
            (
                "States.Hash(123, 'MD5')",
                json!({}),
                Ok(json!("202cb962ac59075b964b07152d234b70")),
            ),
            (
                "States.Hash($.s, 'MD5')",
                json!({"s": a(10_000)}),
                Ok(json!("0d0c9c4db6953fee9e03f528cafd7d3e")),
            ),
            ("States.Hash($.s, 'MD5')", json!({"s": a(10_001)}), bad()),
            (
                "States.Hash($.s, 'MD5')",
                json!({"s": "🚀".repeat(5_001)}),
                bad(),
            ),
            ("States.Hash('hello', 123)", json!({}), bad()),
            ("States.Hash('data', 'sha-256')", json!({}), bad()),
            ("States.Hash('data', 'SHA256')", json!({}), bad()),
            ("States.Hash('data', 'MD-5')", json!({}), bad()),
            ("States.Hash('data', '')", json!({}), bad()),
            ("States.Hash('data', 'SHA-257')", json!({}), bad()),
        ]);
    }

    #[test]
    fn base64_table() {
        let bad_enc = || Err(invalid(Function::Base64Encode));
        let bad_dec = || Err(invalid(Function::Base64Decode));
        check(&[
            ("States.Base64Encode($)", json!(""), Ok(json!(""))),
            (
                "States.Base64Encode($)",
                json!("Data to encode"),
                Ok(json!("RGF0YSB0byBlbmNvZGU=")),
            ),
            (
                "States.Base64Encode('Hello World')",
                json!({}),
                Ok(json!("SGVsbG8gV29ybGQ=")),
            ),
            ("States.Base64Encode('é')", json!({}), Ok(json!("w6k="))),
            (
                "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
                json!({}),
                Ok(json!("Data to encode")),
            ),
            (
                "States.Base64Decode('SGVsbG8gV29ybGQ=')",
                json!({}),
                Ok(json!("Hello World")),
            ),
            (
                "States.Base64Decode('SGVsbG8gV29ybGQ')",
                json!({}),
                Ok(json!("Hello World")),
            ),
            (
                "States.Base64Decode($)",
                json!("SGVs\r\nbG8="),
                Ok(json!("Hello")),
            ),
            ("States.Base64Decode('')", json!({}), Ok(json!(""))),
            (
                "States.Base64Decode('/w==')",
                json!({}),
                Ok(json!("\u{FFFD}")),
            ),
            (
                "States.Base64Decode(States.Base64Encode('round trip ✓'))",
                json!({}),
                Ok(json!("round trip ✓")),
            ),
            (
                "States.Base64Encode($)",
                json!("a".repeat(10_001)),
                bad_enc(),
            ),
            ("States.Base64Encode(1)", json!({}), bad_enc()),
            ("States.Base64Encode(null)", json!({}), bad_enc()),
            ("States.Base64Decode('not base64!')", json!({}), bad_dec()),
            ("States.Base64Decode('A')", json!({}), bad_dec()),
            (
                "States.Base64Decode($)",
                json!("A".repeat(10_004)),
                bad_dec(),
            ),
            ("States.Base64Decode(1)", json!({}), bad_dec()),
        ]);
    }

    #[test]
    fn uuid_is_v4() {
        let a = eval("States.UUID()", json!({})).unwrap();
        let b = eval("States.UUID()", json!({})).unwrap();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a.as_str().unwrap()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a.as_str().unwrap(), a.as_str().unwrap().to_lowercase());
        assert_eq!(a.as_str().unwrap().len(), 36);
    }
}
