//! boto3 and the AWS CLI against an in-process sfn-local: runs `clients/boto3_suite.py` and
//! `clients/awscli_suite.sh` with the venv `clients/setup_venv.sh` makes (under the target
//! directory, on first run: needs python3 and PyPI once). A machine that cannot make the venv
//! fails these tests; they never skip.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long one suite may run (the CLI suite makes ~100 CLI calls of ~0.5 s each).
const SUITE_DEADLINE: Duration = Duration::from_secs(600);

/// Environment variables that would point the clients elsewhere or change how they behave.
const CLEARED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SFN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_DISABLE_HOST_PREFIX_INJECTION",
    "AWS_PAGER",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The venv's bin directory, made once per test process (both tests wait for it).
fn venv_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let script = sfn_local_tests::clients_dir().join("setup_venv.sh");
        let out = Command::new("bash")
            .arg(&script)
            .env("CARGO_TARGET_DIR", sfn_local_tests::target_dir())
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed ({}): the client tests need python3 and, on first run, PyPI; \
             its messages are above",
            script.display(),
            out.status
        );
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(
            bin.join("python").exists() && bin.join("aws").exists(),
            "setup_venv.sh printed {bin:?}, which has no python and aws"
        );
        bin
    })
}

/// Runs one suite against a fresh in-process server; panics with its output unless it
/// exits 0.
fn run_suite(name: &str, program: &Path, script: &str) {
    let bin = venv_bin();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(sfn_local_tests::start_server());

    let logs = sfn_local_tests::target_dir().join("client-logs");
    std::fs::create_dir_all(&logs).expect("log dir");
    let out_path = logs.join(format!("{name}.out"));
    let err_path = logs.join(format!("{name}.err"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(program);
    cmd.arg(sfn_local_tests::clients_dir().join(script))
        .arg(server.endpoint())
        .env("PATH", path)
        .env("AWS_ACCESS_KEY_ID", "AKIDSFNLOCALTESTS")
        .env("AWS_SECRET_ACCESS_KEY", "sfn-local-tests-secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        // Never read the developer's ~/.aws.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"));
    for var in CLEARED {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > SUITE_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    rt.block_on(server.shutdown());

    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    println!("{stdout}");
    match status {
        Some(s) if s.success() => {}
        Some(s) => panic!(
            "{name} failed ({s}) after {:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            start.elapsed()
        ),
        None => panic!(
            "{name} did not finish in {SUITE_DEADLINE:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        ),
    }
}

#[test]
fn boto3_suite() {
    let python = venv_bin().join("python");
    run_suite("boto3_suite", &python, "boto3_suite.py");
}

#[test]
fn awscli_suite() {
    run_suite("awscli_suite", Path::new("bash"), "awscli_suite.sh");
}
