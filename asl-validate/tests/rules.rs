//! Every rule against its fixtures in `fixtures/validate/<CODE>/`: each `invalid*.json` triggers
//! the code (at the location in the table below), `valid.json` does not, and the findings of
//! every fixture are pinned by a snapshot.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use asl_core::parse::{line_col_at, locate};
use asl_validate::{Code, validate};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/validate")
}

/// `(code, fixture, location AWS would report)`.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("INVALID_JSON_DESCRIPTION", "invalid.json", "/"),
    ("MISSING_DESCRIPTION", "invalid.json", "/"),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid.json",
        "/States/A/Resource",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_path.json",
        "/States/A/InputPath",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_intrinsic.json",
        "/States/A/Parameters",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_jsonata.json",
        "/States/A/Output",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_query_language_field.json",
        "/States/A/Parameters",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_query_language_mix.json",
        "/States/A/QueryLanguage",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_states_all.json",
        "/States/A/Retry/0",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_states_all_not_alone.json",
        "/States/A/Catch/0/ErrorEquals",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_map_inline_reader.json",
        "/States/M/ItemReader",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_map_batcher.json",
        "/States/M/ItemBatcher/MaxItemsPerBatch",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_map_distributed.json",
        "/States/M/ToleratedFailurePercentage",
    ),
    ("INVALID_RESOURCE", "invalid.json", "/States/A/Resource"),
    (
        "INVALID_RESOURCE",
        "invalid_not_arn.json",
        "/States/A/Resource",
    ),
    (
        "INVALID_RESOURCE",
        "invalid_action.json",
        "/States/A/Resource",
    ),
    (
        "INVALID_RESOURCE",
        "invalid_pattern.json",
        "/States/A/Resource",
    ),
    ("MISSING_END_STATE", "invalid.json", "/States"),
    (
        "MISSING_END_STATE",
        "invalid_branch.json",
        "/States/P/Branches/0/States",
    ),
    ("DUPLICATE_STATE_NAME", "invalid.json", "/States/A"),
    (
        "DUPLICATE_STATE_NAME",
        "invalid_nested.json",
        "/States/Done",
    ),
    (
        "INVALID_STATE_NAME",
        "invalid.json",
        "/States/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
    ),
    (
        "MISSING_TRANSITION_TARGET",
        "invalid.json",
        "/States/A/Next",
    ),
    (
        "MISSING_TRANSITION_TARGET",
        "invalid_choice_default.json",
        "/States/C/Default",
    ),
    (
        "MISSING_TRANSITION_TARGET",
        "invalid_unreachable.json",
        "/States/Finished Choice",
    ),
    ("DUPLICATE_LABEL_NAME", "invalid.json", "/States/M2/Label"),
    ("INVALID_LABEL_NAME", "invalid.json", "/States/M/Label"),
    ("TOO_DEEPLY_NESTED", "invalid.json", "/"),
    (
        "NO_DOLLAR",
        "invalid.json",
        "/States/A/Parameters/Payload/id",
    ),
    ("NO_PATH", "invalid.json", "/States/F/Error"),
    (
        "NO_PATH",
        "invalid_choice.json",
        "/States/C/Choices/0/StringEquals",
    ),
    (
        "PASS_RESULT_IS_STATIC",
        "invalid.json",
        "/States/A/Result/id.$",
    ),
    ("ASL001", "invalid.json", "/States/Poll"),
    ("ASL002", "invalid.json", "/States/Poll"),
    ("ASL003", "invalid.json", "/States/C"),
    ("ASL004", "invalid.json", "/States/A/Retry/1"),
    ("ASL004", "invalid_catch.json", "/States/A/Catch/1"),
    ("ASL005", "invalid.json", "/States/A/Catch/0"),
    ("ASL006", "invalid.json", "/States/A/Parameters/item.$"),
    (
        "ASL007",
        "invalid.json",
        "/States/Spanish/Parameters/items.$",
    ),
    (
        "INVALID_RESOURCE",
        "invalid_unclosed_placeholder.json",
        "/States/Call/Resource",
    ),
    (
        "SCHEMA_VALIDATION_FAILED",
        "invalid_result_path_variable.json",
        "/States/Call/ResultPath",
    ),
];

fn read(code: &str, file: &str) -> String {
    std::fs::read_to_string(fixtures().join(code).join(file)).unwrap()
}

#[test]
fn every_code_has_fixtures_both_ways() {
    for code in Code::ALL {
        let dir = fixtures().join(code.as_str());
        assert!(dir.join("valid.json").exists(), "{code}: no valid.json");
        assert!(
            EXPECTED.iter().any(|(c, _, _)| *c == code.as_str()),
            "{code}: no invalid fixture in the table"
        );
    }
}

#[test]
fn invalid_fixtures_trigger_their_code_at_the_location() {
    for (code, file, location) in EXPECTED {
        let diags = validate(&read(code, file));
        assert!(
            diags
                .iter()
                .any(|d| d.code.as_str() == *code && d.location() == *location),
            "{code}/{file}: expected at {location}, got {diags:#?}"
        );
    }
}

#[test]
fn valid_fixtures_do_not_trigger_their_code() {
    for code in Code::ALL {
        let diags = validate(&read(code.as_str(), "valid.json"));
        assert!(
            !diags.iter().any(|d| d.code == *code),
            "{code}/valid.json: {diags:#?}"
        );
    }
}

/// All findings of every fixture, with line:column, pinned in one snapshot per code.
#[test]
fn snapshots() {
    for code in Code::ALL {
        let dir = fixtures().join(code.as_str());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut out = String::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let _ = writeln!(out, "# {}", f.file_name().unwrap().to_string_lossy());
            for d in validate(&text) {
                let at = d
                    .offset
                    .map(|o| line_col_at(&text, o))
                    .or_else(|| locate(&text, &d.pointer));
                let at = at
                    .map(|a| format!("{}:{}", a.line, a.column))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{at} {} {} {}: {}",
                    d.severity().as_str(),
                    d.code,
                    d.location(),
                    d.message
                );
            }
        }
        insta::assert_snapshot!(code.as_str(), out);
    }
}
