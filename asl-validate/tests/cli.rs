//! The `asl-validate` binary on the fixtures in `fixtures/validate-cli/`: a plain definition,
//! a CDK `cdk.out` folder, a SAM template with an inline definition and a `DefinitionUri`, a
//! CloudFormation YAML template with short tags (`!Sub |`, `!Join`, `!GetAtt`), stdin, and every
//! output format.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/validate-cli");
    let mut child = Command::new(env!("CARGO_BIN_EXE_asl-validate"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

macro_rules! cli {
    ($name:ident, [$($arg:expr),*], $code:expr) => {
        #[test]
        fn $name() {
            let (code, stdout, _) = run(&[$($arg),*], None);
            assert_eq!(code, $code, "{stdout}");
            insta::assert_snapshot!(stdout);
        }
    };
}

cli!(text_with_carets, ["bad.asl.json", "good.asl.json"], 1);
cli!(json_format, ["bad.asl.json", "--format", "json"], 1);
cli!(sarif_format, ["bad.asl.json", "--format", "sarif"], 1);
cli!(github_format, ["bad.asl.json", "--format", "github"], 1);
cli!(cdk_out_folder, ["cdk.out"], 1);
cli!(sam_template, ["sam"], 1);
cli!(
    glob_and_severity_filter,
    ["sam/**/*.yaml", "--severity", "error"],
    1
);
cli!(
    aws_only,
    ["bad.asl.json", "--aws-only", "--format", "github"],
    1
);
cli!(clean_file, ["good.asl.json"], 0);
cli!(cloudformation_yaml_short_tags, ["cfn/template.yaml"], 1);

#[test]
fn stdin_is_read_with_a_dash() {
    let (code, stdout, _) = run(
        &["-", "-f", "github"],
        Some(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#),
    );
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "::error file=<stdin>,line=1,col=51,title=MISSING_TRANSITION_TARGET::Missing 'Next' target: B (at /States/A/Next)\n"
    );
}

#[test]
fn stdin_takes_yaml_too() {
    let (code, stdout, _) = run(
        &["-", "-f", "github"],
        Some("StartAt: A\nStates:\n  A: {Type: Pass, Next: B}\n"),
    );
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "::error file=<stdin>,line=3,col=19,title=MISSING_TRANSITION_TARGET::Missing 'Next' target: B (at /States/A/Next)\n"
    );
}

/// Bytes that are not UTF-8 cannot be a definition: reported when the file was named (or is
/// called `*.asl.json`), skipped quietly when a folder walk comes across them.
#[test]
fn files_that_are_not_utf8() {
    let dir = std::env::temp_dir().join(format!("asl-validate-utf8-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("walk")).unwrap();
    std::fs::write(dir.join("walk/blob.json"), b"\xff\xfe{}").unwrap();
    std::fs::write(
        dir.join("walk/ok.asl.json"),
        b"{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}",
    )
    .unwrap();
    std::fs::write(dir.join("named.json"), b"{\"StartAt\": \"\xe9\"}").unwrap();
    let (code, stdout, _) = run(&[dir.join("walk").to_str().unwrap()], None);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "No problems in 1 definition.\n")
    );
    let (code, stdout, _) = run(
        &[dir.join("named.json").to_str().unwrap(), "-f", "json"],
        None,
    );
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(code, 1);
    assert_eq!(found[0]["code"], "INVALID_JSON_DESCRIPTION");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(1), Some(14))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn usage_and_io_problems_exit_2() {
    assert_eq!(run(&["no-such-file.json"], None).0, 2);
    assert_eq!(run(&["nothing/**/*.json"], None).0, 2);
    assert_eq!(run(&[], None).0, 2);
    assert_eq!(run(&["good.asl.json", "--format", "xml"], None).0, 2);
}

#[test]
fn run_cli_is_the_library_entry_point() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/validate-cli/good.asl.json");
    let code = asl_validate::run_cli(["asl-validate", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, 0);
}

#[test]
fn explain_prints_the_aws_check_behind_a_code() {
    for code in ["INVALID_RESOURCE", "schema_validation_failed", "ASL007"] {
        let (status, stdout, _) = run(&["--explain", code], None);
        assert_eq!(status, 0, "{code}");
        assert!(stdout.starts_with(&code.to_ascii_uppercase()), "{stdout}");
        for section in ["What it checks:", "AWS:", "Documented in:"] {
            assert!(stdout.contains(section), "{code}: {stdout}");
        }
    }
    let (status, stdout, stderr) = run(&["--explain", "NOPE"], None);
    assert_eq!(status, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("unknown code 'NOPE'") && stderr.contains("MISSING_END_STATE"),
        "{stderr}"
    );
}
