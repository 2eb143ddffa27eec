//! Distributed Map `ItemReader`s over the local S3 (`<data-dir>/s3/BUCKET/KEY`), on files the
//! test writes: a Snappy-compressed Parquet file (`InputType: PARQUET`), a pipe-delimited CSV
//! file (`CSVDelimiter: PIPE`), a GZIP JSON Lines file, an S3 inventory (`manifest.json` and
//! its GZIP CSV files) and an Athena data manifest over JSON Lines and Parquet files.

mod common;

use std::sync::Arc;

use common::{TempDir, create, spawn};
use serde_json::{Value, json};

fn parquet_file(rows: &[(i64, &str)]) -> Vec<u8> {
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(
            "message items { REQUIRED INT64 id; REQUIRED BYTE_ARRAY name (UTF8); }",
        )
        .unwrap(),
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut buf = Vec::new();
    let mut w = SerializedFileWriter::new(&mut buf, schema, props).unwrap();
    let mut group = w.next_row_group().unwrap();
    let mut col = group.next_column().unwrap().unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    col.typed::<Int64Type>()
        .write_batch(&ids, None, None)
        .unwrap();
    col.close().unwrap();
    let mut col = group.next_column().unwrap().unwrap();
    let names: Vec<ByteArray> = rows.iter().map(|r| ByteArray::from(r.1)).collect();
    col.typed::<ByteArrayType>()
        .write_batch(&names, None, None)
        .unwrap();
    col.close().unwrap();
    group.close().unwrap();
    w.close().unwrap();
    buf
}

fn map_over(reader_config: Value, key: &str) -> Value {
    json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": reader_config,
            "Parameters": {"Bucket": "data", "Key": key}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
        "End": true}}})
}

fn output(e: &str, name: &str, definition: &Value) -> Value {
    common::succeeded_output(e, &create(e, name, definition), &json!({}))
}

#[test]
fn parquet_and_delimited_files_feed_a_distributed_map() {
    let dir = TempDir::new("item-readers");
    let bucket = dir.join("s3/data");
    std::fs::create_dir_all(&bucket).unwrap();
    std::fs::write(
        bucket.join("people.parquet"),
        parquet_file(&[(1, "ann"), (2, "bob"), (3, "cy")]),
    )
    .unwrap();
    std::fs::write(bucket.join("people.psv"), "id|name\n1|ann\n2|\"b|ob\"\n").unwrap();
    let p = spawn(&["--data-dir", dir.to_str().unwrap()]);
    let e = p.endpoint.as_str();
    assert_eq!(
        output(
            e,
            "parquet",
            &map_over(
                json!({"InputType": "PARQUET", "MaxItems": 2}),
                "people.parquet"
            )
        ),
        json!([{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}])
    );
    assert_eq!(
        output(
            e,
            "pipes",
            &map_over(
                json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "PIPE"}),
                "people.psv"
            )
        ),
        json!([{"id": "1", "name": "ann"}, {"id": "2", "name": "b|ob"}])
    );
}

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[test]
fn manifests_and_compressed_files_feed_a_distributed_map() {
    let dir = TempDir::new("item-manifests");
    let data = dir.join("s3/data");
    let inv = dir.join("s3/inventory");
    std::fs::create_dir_all(data.join("unload")).unwrap();
    std::fs::create_dir_all(inv.join("data")).unwrap();
    std::fs::write(data.join("lines.jsonl.gz"), gzip("{\"n\":1}\n{\"n\":2}\n")).unwrap();
    // An S3 inventory: its manifest and two GZIP CSV files (quoted, no header).
    std::fs::write(
        inv.join("manifest.json"),
        json!({"sourceBucket": "data", "destinationBucket": "arn:aws:s3:::inventory",
               "version": "2016-11-30", "fileFormat": "CSV",
               "fileSchema": "Bucket, Key, Size, LastModifiedDate",
               "files": [{"key": "data/a.csv.gz", "size": 1, "MD5checksum": "x"},
                         {"key": "data/b.csv.gz", "size": 1, "MD5checksum": "y"}]})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        inv.join("data/a.csv.gz"),
        gzip("\"data\",\"k1\",\"10\",\"2025-01-01T00:00:00.000Z\"\n"),
    )
    .unwrap();
    std::fs::write(
        inv.join("data/b.csv.gz"),
        gzip("\"data\",\"k2\",\"20\",\"2025-01-02T00:00:00.000Z\"\n"),
    )
    .unwrap();
    // An Athena UNLOAD: its manifest lists the data files.
    std::fs::write(data.join("unload/part-1.jsonl"), "{\"id\":1}\n").unwrap();
    std::fs::write(
        data.join("unload/part-2.jsonl.gz"),
        gzip("{\"id\":2}\n{\"id\":3}\n"),
    )
    .unwrap();
    std::fs::write(
        data.join("unload/q1-manifest.csv"),
        "s3://data/unload/part-1.jsonl\ns3://data/unload/part-2.jsonl.gz\n",
    )
    .unwrap();
    let p = spawn(&["--data-dir", dir.to_str().unwrap()]);
    let e = p.endpoint.as_str();
    assert_eq!(
        output(
            e,
            "gz",
            &map_over(json!({"InputType": "JSONL"}), "lines.jsonl.gz")
        ),
        json!([{"n": 1}, {"n": 2}])
    );
    let inventory = |config: Value| {
        json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
                "Parameters": {"Bucket": "inventory", "Key": "manifest.json"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true}}})
    };
    let want = json!([
        {"Bucket": "data", "Key": "k1", "Size": "10", "LastModifiedDate": "2025-01-01T00:00:00.000Z"},
        {"Bucket": "data", "Key": "k2", "Size": "20", "LastModifiedDate": "2025-01-02T00:00:00.000Z"}
    ]);
    assert_eq!(
        output(
            e,
            "inventory",
            &inventory(json!({"ManifestType": "S3_INVENTORY"}))
        ),
        want
    );
    assert_eq!(
        output(
            e,
            "inventory-legacy",
            &inventory(json!({"InputType": "MANIFEST"}))
        ),
        want
    );
    assert_eq!(
        output(
            e,
            "athena",
            &map_over(
                json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}),
                "unload/q1-manifest.csv"
            )
        ),
        json!([{"id": 1}, {"id": 2}, {"id": 3}])
    );
}
