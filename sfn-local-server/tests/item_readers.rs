//! Distributed Map `ItemReader`s over the local S3 (`<data-dir>/s3/BUCKET/KEY`), on files the
//! test writes: a Snappy-compressed Parquet file (`InputType: PARQUET`) and a pipe-delimited
//! CSV file (`CSVDelimiter: PIPE`).

mod common;

use std::sync::Arc;

use common::{TempDir, create, spawn, wait_closed};
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
    let sm = create(e, name, definition);
    let x = common::start(e, &sm, &json!({}));
    let d = wait_closed(e, &x);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    serde_json::from_str(d["output"].as_str().unwrap()).unwrap()
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
