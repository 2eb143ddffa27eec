//! A Map's `ItemReader`: the items come from the reader's resource (S3 `getObject` or
//! `listObjectsV2`), answered by the handler registered for it, and are parsed as the
//! `ReaderConfig` says (`JSON`, `JSONL`, `CSV`, `MANIFEST`; `CSVHeaderLocation`, `CSVHeaders`,
//! `CSVDelimiter`, `MaxItems`; `PARQUET`; manifests: `ManifestType` `S3_INVENTORY` (or the
//! older `InputType: MANIFEST`) and `ATHENA_DATA`; a `.gz` object is decompressed). CSV is read with the `csv` crate, Parquet with the
//! `parquet` crate's row reader (its bytes asked for in base64: [`crate::handler::BINARY_BODY_PARAMETER`]).
//!
//! The handler answers as the S3 integration does (`{"Body": text}` for `getObject`,
//! `{"Contents": [...]}` for `listObjectsV2`), or with the text or the items themselves. The
//! server answers both from a local folder.

use asl_core::error::names;
use asl_core::model::Map as MapState;
use serde_json::{Map, Value, json};

use super::call_integration;
use crate::engine::TaskFailure;
use crate::engine::kernel::{StateError, StateRun};
use crate::engine::numbers;

/// Reads and parses the items of a Map with an `ItemReader`.
pub(super) async fn read_items(
    run: &StateRun<'_>,
    m: &MapState,
    reader: &Value,
    effective: &Value,
) -> Result<Vec<Value>, StateError> {
    let resource = reader
        .get("Resource")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let parameters = match &m.item_reader_parameters {
        Some(t) => run.eval_template(t, effective, None, None, "ItemReader")?,
        None => Value::Object(Map::new()),
    };
    let config = reader
        .get("ReaderConfig")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let max = match max_items(&config) {
        Some(f) => Some(numbers::read(run, &numbers::MAX_ITEMS, &f, effective)? as usize),
        None => None,
    };
    let failed =
        |cause: String| StateError::Plain(TaskFailure::new(names::ITEM_READER_FAILED, cause));
    let manifest = config.get("ManifestType").and_then(Value::as_str);
    let input_type = config.get("InputType").and_then(Value::as_str);
    let mut items = if manifest == Some("S3_INVENTORY")
        || (manifest.is_none() && input_type == Some("MANIFEST"))
    {
        let got = fetch(run, &resource, parameters, false).await?;
        inventory_items(run, &resource, &got).await?
    } else if manifest == Some("ATHENA_DATA") {
        let got = fetch(run, &resource, parameters, false).await?;
        athena_items(run, &resource, &got, &config).await?
    } else {
        let binary = input_type == Some("PARQUET");
        let got = fetch(run, &resource, parameters, binary).await?;
        parse(&got, &config).map_err(failed)?
    };
    if let Some(n) = max.filter(|n| *n > 0) {
        items.truncate(n);
    }
    Ok(items)
}

/// Whether the object a reader reads is GZIP-compressed (its key ends in `.gz`, as AWS tells
/// compressed input files).
fn is_gzip(parameters: &Value) -> bool {
    parameters
        .get("Key")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with(".gz"))
}

/// One object from the reader's resource: the handler's answer, its body in base64 when
/// `binary` (then, for a `.gz` key, decompressed and given back as text or base64).
async fn fetch(
    run: &StateRun<'_>,
    resource: &str,
    mut parameters: Value,
    binary: bool,
) -> Result<Value, StateError> {
    let failed =
        |cause: String| StateError::Plain(TaskFailure::new(names::ITEM_READER_FAILED, cause));
    let gzip = is_gzip(&parameters);
    if (binary || gzip)
        && let Value::Object(p) = &mut parameters
    {
        p.insert(
            crate::handler::BINARY_BODY_PARAMETER.into(),
            json!("base64"),
        );
    }
    let Some(got) = call_integration(run, resource, &parameters).await else {
        if let Some(f) = crate::service_errors::missing_resource(resource, &parameters) {
            return Err(StateError::Plain(f));
        }
        return Err(failed(format!(
            "No handler is configured in sfn-local for the ItemReader resource '{resource}' (state '{}').",
            run.state.name
        )));
    };
    let mut got = got.map_err(StateError::Plain)?;
    if gzip && let Value::Object(o) = &mut got {
        let bytes = body_bytes(o).map_err(failed)?;
        let plain = gunzip(&bytes, MAX_DECOMPRESSED_BYTES).map_err(failed)?;
        let body = if binary {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&plain)
        } else {
            o.remove("BodyEncoding");
            String::from_utf8_lossy(&plain).into_owned()
        };
        o.insert("Body".into(), Value::String(body));
    }
    Ok(got)
}

/// The most a GZIP object is decompressed to: a small hostile file cannot take the memory.
const MAX_DECOMPRESSED_BYTES: u64 = 256 << 20;

/// `bytes` decompressed, refused past `limit` bytes.
fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut plain)
        .map_err(|e| format!("The GZIP object could not be decompressed: {e}"))?;
    if plain.len() as u64 > limit {
        return Err(format!(
            "The GZIP object decompresses to more than the {limit} bytes sfn-local reads"
        ));
    }
    Ok(plain)
}

/// An answer's body as bytes (decoded from base64 when it says so).
fn body_bytes(o: &Map<String, Value>) -> Result<Vec<u8>, String> {
    let body = o.get("Body").and_then(Value::as_str).unwrap_or_default();
    match o.get("BodyEncoding").and_then(Value::as_str) {
        Some("base64") => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| format!("The object's body is not base64: {e}"))
        }
        _ => Ok(body.as_bytes().to_vec()),
    }
}

/// An answer's body as text.
fn body_text(got: &Value) -> Result<String, String> {
    match got {
        Value::String(s) => Ok(s.clone()),
        Value::Object(o) => Ok(String::from_utf8_lossy(&body_bytes(o)?).into_owned()),
        _ => Err("The ItemReader resource answered no object body".into()),
    }
}

/// An S3 inventory (`manifest.json`): the rows of its CSV inventory files (GZIP, no header),
/// each an object of the manifest's `fileSchema` columns, every value a string. The files are
/// in the manifest's `destinationBucket`.
async fn inventory_items(
    run: &StateRun<'_>,
    resource: &str,
    got: &Value,
) -> Result<Vec<Value>, StateError> {
    let failed =
        |cause: String| StateError::Plain(TaskFailure::new(names::ITEM_READER_FAILED, cause));
    let manifest: Value = serde_json::from_str(&body_text(got).map_err(failed)?)
        .map_err(|e| failed(format!("The S3 inventory manifest is not JSON: {e}")))?;
    if let Some(format) = manifest.get("fileFormat").and_then(Value::as_str)
        && !format.eq_ignore_ascii_case("CSV")
    {
        return Err(failed(format!(
            "Only CSV S3 inventories can be read, not {format}"
        )));
    }
    let bucket = manifest
        .get("destinationBucket")
        .and_then(Value::as_str)
        .map(|b| b.rsplit(':').next().unwrap_or(b).to_string())
        .ok_or_else(|| failed("The S3 inventory manifest has no destinationBucket".into()))?;
    let schema: Vec<String> = manifest
        .get("fileSchema")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    let files: Vec<String> = manifest
        .get("files")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(|x| x.get("key").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut items = Vec::new();
    for key in files {
        let got = fetch(run, resource, json!({"Bucket": bucket, "Key": key}), false).await?;
        let text = body_text(&got).map_err(failed)?;
        for row in csv_rows(&text, b',').map_err(failed)? {
            let item: Map<String, Value> = schema
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), json!(row.get(i).cloned().unwrap_or_default())))
                .collect();
            items.push(Value::Object(item));
        }
    }
    Ok(items)
}

/// An Athena data manifest (the CSV list of data files an `UNLOAD` writes, one
/// `s3://bucket/key` per row): the items of every data file, read as `InputType` says.
async fn athena_items(
    run: &StateRun<'_>,
    resource: &str,
    got: &Value,
    config: &Value,
) -> Result<Vec<Value>, StateError> {
    let failed =
        |cause: String| StateError::Plain(TaskFailure::new(names::ITEM_READER_FAILED, cause));
    let text = body_text(got).map_err(failed)?;
    let binary = config.get("InputType").and_then(Value::as_str) == Some("PARQUET");
    let mut items = Vec::new();
    for row in csv_rows(&text, b',').map_err(failed)? {
        let Some(uri) = row.first().map(|u| u.trim()).filter(|u| !u.is_empty()) else {
            continue;
        };
        let (bucket, key) = uri
            .get(5..)
            .filter(|_| uri[..5].eq_ignore_ascii_case("s3://"))
            .and_then(|rest| rest.split_once('/'))
            .ok_or_else(|| {
                failed(format!(
                    "The Athena manifest lists '{uri}', not an s3:// URI"
                ))
            })?;
        let got = fetch(run, resource, json!({"Bucket": bucket, "Key": key}), binary).await?;
        items.extend(parse(&got, config).map_err(failed)?);
    }
    Ok(items)
}

/// `ReaderConfig.MaxItems` (a number, or a JSONata expression) or `MaxItemsPath`.
fn max_items(config: &Value) -> Option<asl_core::model::NumberField> {
    use asl_core::model::NumberField;
    if let Some(v) = config.get("MaxItems") {
        return match v {
            Value::String(s) => asl_core::jsonata::expression_body(s)
                .and_then(|b| asl_core::jsonata::Expression::compile(b).ok())
                .map(NumberField::Expression),
            other => Some(NumberField::Literal(other.clone())),
        };
    }
    let p = config.get("MaxItemsPath")?.as_str()?;
    asl_core::path::ReferencePath::parse(p)
        .ok()
        .map(NumberField::Path)
}

/// The items in what the reader's resource answered.
pub(crate) fn parse(got: &Value, config: &Value) -> Result<Vec<Value>, String> {
    let input_type = config
        .get("InputType")
        .and_then(Value::as_str)
        .unwrap_or("JSON");
    if input_type == "PARQUET"
        && let Value::Object(o) = got
        && let Some(Value::String(body)) = o.get("Body")
    {
        return parquet_items(body, o.get("BodyEncoding").and_then(Value::as_str));
    }
    let text = match got {
        Value::Array(items) => return Ok(items.clone()),
        Value::String(s) => s.as_str(),
        Value::Object(o) => {
            if let Some(Value::Array(contents)) = o.get("Contents") {
                return Ok(contents.clone());
            }
            match o.get("Body").and_then(Value::as_str) {
                Some(b) => b,
                None => return Err("The ItemReader resource answered no object body".into()),
            }
        }
        other => {
            return Err(format!(
                "The ItemReader resource answered {}, not an object's content",
                asl_core::jsonata::json_type_name(other)
            ));
        }
    };
    match input_type {
        "JSON" => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(a)) => Ok(a),
            Ok(_) => Err("Attempting to map over non-iterable node.".into()),
            Err(e) => Err(format!("The JSON object could not be parsed: {e}")),
        },
        "JSONL" => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| format!("A JSONL line could not be parsed: {e}"))
            })
            .collect(),
        "CSV" => csv_items(text, config),
        "PARQUET" => Err("A PARQUET ItemReader needs the object's body from s3:getObject".into()),
        "MANIFEST" => Err("A MANIFEST is read from s3:getObject".into()),
        other => Err(format!("Unknown InputType '{other}'")),
    }
}

/// The rows of a Parquet file (its bytes in base64, as the S3 handlers send a binary body), each
/// as a JSON object of its columns.
fn parquet_items(body: &str, encoding: Option<&str>) -> Result<Vec<Value>, String> {
    use base64::Engine;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let bytes = match encoding {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| format!("The Parquet object's body is not base64: {e}"))?,
        _ => body.as_bytes().to_vec(),
    };
    let bad = |e: parquet::errors::ParquetError| format!("The Parquet file could not be read: {e}");
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).map_err(bad)?;
    reader
        .get_row_iter(None)
        .map_err(bad)?
        .map(|row| row.map(|r| r.to_json_value()).map_err(bad))
        .collect()
}

fn csv_items(text: &str, config: &Value) -> Result<Vec<Value>, String> {
    let mut rows = csv_rows(text, delimiter(config)?)?;
    let given = config.get("CSVHeaderLocation").and_then(Value::as_str) == Some("GIVEN");
    let headers: Vec<String> = if given {
        config
            .get("CSVHeaders")
            .and_then(Value::as_array)
            .map(|h| {
                h.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .ok_or("CSVHeaders are required when CSVHeaderLocation is GIVEN")?
    } else {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        rows.remove(0)
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut o = Map::new();
            for (i, h) in headers.iter().enumerate() {
                o.insert(
                    h.clone(),
                    Value::String(row.get(i).cloned().unwrap_or_default()),
                );
            }
            Value::Object(o)
        })
        .collect())
}

/// The field delimiter `ReaderConfig.CSVDelimiter` names (`COMMA` when absent).
fn delimiter(config: &Value) -> Result<u8, String> {
    match config.get("CSVDelimiter") {
        None => Ok(b','),
        Some(Value::String(d)) => match d.as_str() {
            "COMMA" => Ok(b','),
            "PIPE" => Ok(b'|'),
            "SEMICOLON" => Ok(b';'),
            "SPACE" => Ok(b' '),
            "TAB" => Ok(b'\t'),
            other => Err(format!(
                "Unknown CSVDelimiter '{other}': it must be one of COMMA, PIPE, SEMICOLON, SPACE, TAB"
            )),
        },
        Some(other) => Err(format!("CSVDelimiter must be a string, not {other}")),
    }
}

/// RFC 4180 rows (quoted fields may hold delimiters, quotes doubled and newlines), split on
/// `delimiter`; rows may have any number of fields.
fn csv_rows(text: &str, delimiter: u8) -> Result<Vec<Vec<String>>, String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .records()
        .map(|row| {
            row.map(|r| r.iter().map(str::to_string).collect())
                .map_err(|e| format!("The CSV file could not be parsed: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_parse_json_jsonl_and_csv() {
        let json_cfg = json!({"InputType": "JSON"});
        assert_eq!(
            parse(&json!("[1, 2]"), &json_cfg).unwrap(),
            [json!(1), json!(2)]
        );
        assert!(parse(&json!("{}"), &json_cfg).is_err());
        let jsonl = json!({"InputType": "JSONL"});
        assert_eq!(
            parse(&json!("{\"a\":1}\n\n{\"a\":2}\n"), &jsonl).unwrap(),
            [json!({"a": 1}), json!({"a": 2})]
        );
        let csv = json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"});
        assert_eq!(
            parse(
                &json!("name,note\r\nann,\"a, \"\"quoted\"\"\nline\"\nbob,x\n"),
                &csv
            )
            .unwrap(),
            [
                json!({"name": "ann", "note": "a, \"quoted\"\nline"}),
                json!({"name": "bob", "note": "x"})
            ]
        );
        let given =
            json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"]});
        assert_eq!(
            parse(&json!("1,2"), &given).unwrap(),
            [json!({"x": "1", "y": "2"})]
        );
        assert_eq!(
            parse(&json!([{"Key": "k"}]), &json_cfg).unwrap(),
            [json!({"Key": "k"})]
        );
    }

    #[test]
    fn each_csv_delimiter_splits_its_fields() {
        for (name, sep) in [
            (None, ","),
            (Some("COMMA"), ","),
            (Some("PIPE"), "|"),
            (Some("SEMICOLON"), ";"),
            (Some("SPACE"), " "),
            (Some("TAB"), "\t"),
        ] {
            let mut cfg = json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"});
            if let Some(n) = name {
                cfg["CSVDelimiter"] = json!(n);
            }
            let text = format!("a{sep}b\n1{sep}\"x{sep}y\"\n2{sep}3\n");
            assert_eq!(
                parse(&json!(text), &cfg).unwrap(),
                [
                    json!({"a": "1", "b": format!("x{sep}y")}),
                    json!({"a": "2", "b": "3"})
                ],
                "{name:?}"
            );
        }
        let bad = json!({"InputType": "CSV", "CSVDelimiter": "COLON"});
        assert!(parse(&json!("a:b"), &bad).unwrap_err().contains("COLON"));
    }

    /// What is not a Parquet file is refused with a cause; the rows of real files are read in
    /// `sfn-local-server/tests/item_readers.rs` (a file written by the `parquet` crate).
    #[test]
    fn what_is_not_parquet_is_refused() {
        let cfg = json!({"InputType": "PARQUET"});
        let e = parse(
            &json!({"Body": "bm90IHBhcnF1ZXQ=", "BodyEncoding": "base64"}),
            &cfg,
        )
        .unwrap_err();
        assert!(e.contains("Parquet"), "{e}");
        assert!(parse(&json!({"Body": "%%%", "BodyEncoding": "base64"}), &cfg).is_err());
    }

    /// A GZIP object is read only up to its limit, whatever it claims; garbage is refused.
    #[test]
    fn gunzip_is_bounded() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 100_000]).unwrap();
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 1_000);
        assert_eq!(gunzip(&bomb, 100_000).unwrap().len(), 100_000);
        assert!(gunzip(&bomb, 99_999).unwrap_err().contains("more than"));
        assert!(gunzip(b"not gzip", 10).is_err());
    }
}
