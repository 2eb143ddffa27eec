//! The `asl-validate` binary on the fixtures in `fixtures/validate-cli/`: a plain definition,
//! a CDK `cdk.out` folder, a SAM template with an inline definition and a `DefinitionUri`,
//! stdin, and every output format.

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
