//! The digests SQS and S3 answer with: MD5 in hex, and SQS's MD5 of message attributes.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use md5::{Digest, Md5};
use serde_json::Value;

/// The MD5 of `bytes` in lowercase hex (SQS's MD5OfMessageBody, S3's ETag).
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SQS's MD5 of message attributes: for each attribute by name, the length-prefixed name,
/// data type, a transport byte (1 string, 2 binary) and the length-prefixed value
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html>).
/// `Ok(None)` for no attributes.
pub(super) fn md5_of_attributes(attrs: &Value) -> Result<Option<String>, String> {
    let Some(attrs) = attrs.as_object() else {
        return Err("MessageAttributes must be an object".into());
    };
    if attrs.is_empty() {
        return Ok(None);
    }
    let mut names: Vec<&String> = attrs.keys().collect();
    names.sort();
    let put = |buf: &mut Vec<u8>, bytes: &[u8]| {
        buf.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        buf.extend_from_slice(bytes);
    };
    let mut buf = Vec::new();
    for name in names {
        let a = &attrs[name];
        let data_type = a
            .get("DataType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (transport, value) = if data_type.starts_with("String")
            || data_type.starts_with("Number")
        {
            let v = a
                .get("StringValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (1u8, v.as_bytes().to_vec())
        } else if data_type.starts_with("Binary") {
            let v = a
                .get("BinaryValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (
                2u8,
                base64_decode(v).unwrap_or_else(|| v.as_bytes().to_vec()),
            )
        } else {
            return Err(format!(
                "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
            ));
        };
        if value.is_empty() {
            return Err(format!(
                "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
            ));
        }
        put(&mut buf, name.as_bytes());
        put(&mut buf, data_type.as_bytes());
        buf.push(transport);
        put(&mut buf, &value);
    }
    Ok(Some(md5_hex(&buf)))
}

/// A `BinaryValue` blob as the service decodes it (Java's basic decoder): standard alphabet,
/// padding optional, unused bits of the last character ignored; `None` when malformed (a
/// character outside the alphabet, text after the padding, a length no encoding has).
pub(super) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const BLOB: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    BLOB.decode(s).ok()
}
