//! Runs the recorded-AWS conformance suite (`../shared/conformance`) against the `sfn-local`
//! binary built for this test, and holds the outcome pass rate above 99% (the issue asks for
//! 95%; we stand at 99.8% and a regression should fail CI).

use std::path::Path;
use std::process::Command;

#[test]
fn conformance_outcome_rate_at_least_99_percent() {
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/run");
    if !runner.exists() {
        eprintln!(
            "conformance runner not found at {}; skipped",
            runner.display()
        );
        return;
    }
    let out = Command::new("python3")
        .arg(&runner)
        .args([
            "--bin",
            env!("CARGO_BIN_EXE_sfn-local"),
            "--summary",
            "--min-outcome",
            "99",
            "--timeout",
            "30",
        ])
        .output()
        .expect("python3 runs the conformance runner");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "conformance below 99% outcome:\n{stdout}"
    );
}
