//! `sfn-local run`: one execution, printed as DescribeExecution's JSON plus its history.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{
    ExecutionConfig, ExecutionType, Handlers, Interpreter, MockConfig, Outcome, Status,
};

use crate::integrations::s3::LocalS3;
use crate::progress::Progress;

/// Arguments of `sfn-local run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The state machine definition (ASL JSON).
    pub definition: PathBuf,
    /// The execution input (JSON); `{}` when omitted. Its text is kept byte for byte.
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// The execution input given inline.
    #[arg(long, conflicts_with = "input_file")]
    pub input: Option<String>,
    /// The execution name (default: a UUID).
    #[arg(long)]
    pub name: Option<String>,
    /// The state machine name used in ARNs and to select mock test cases.
    #[arg(long, default_value = "StateMachine")]
    pub state_machine_name: String,
    /// The execution role ARN.
    #[arg(long, default_value = "arn:aws:iam::123456789012:role/sfn-local")]
    pub role_arn: String,
    /// STANDARD or EXPRESS.
    #[arg(long = "type", default_value = "STANDARD", value_parser = ["STANDARD", "EXPRESS"])]
    pub execution_type: String,
    /// A MockConfigFile (AWS Step Functions Local format) answering Task states.
    #[arg(long, requires = "test_case")]
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock config to use.
    #[arg(long)]
    pub test_case: Option<String>,
    /// AWS region for ARNs.
    #[arg(long, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
    pub region: String,
    /// AWS account for ARNs.
    #[arg(long, env = "AWS_ACCOUNT_ID", default_value = "123456789012")]
    pub account: String,
    /// A local S3 for `s3:getObject`/`listObjectsV2`/`putObject` tasks, ItemReaders and
    /// ResultWriters: bucket B, key K is the file DIR/B/K (the bucket folder must exist).
    #[arg(long, value_name = "DIR")]
    pub s3_dir: Option<PathBuf>,
    /// Leave the history out of the printed JSON.
    #[arg(long)]
    pub no_history: bool,
    /// Also draw the run over its definition into FILE (SVG, Mermaid or DOT by the
    /// extension: `.svg`, `.mmd`, `.dot`), as `sfn-local graph --history` would.
    #[arg(long, value_name = "FILE")]
    pub graph: Option<PathBuf>,
    /// JSONata limits.
    #[command(flatten)]
    pub jsonata: crate::limits::JsonataArgs,
}

/// Runs the command; returns the process exit code (0 succeeded, 1 failed/timed out/aborted,
/// 2 invalid definition or arguments). On a terminal, stderr shows live progress.
pub fn run(args: RunArgs) -> i32 {
    use std::io::IsTerminal;
    args.jsonata.apply();
    let progress = std::io::stderr().is_terminal().then(Progress::new);
    match prepare(&args, progress.as_ref()) {
        Ok((interp, machine, config)) => {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("sfn-local: cannot start the runtime: {e}");
                    return 2;
                }
            };
            let machine_for_graph = machine.clone();
            let outcome = rt.block_on(interp.run(machine, config));
            if let Some(p) = &progress {
                p.finish(&outcome);
            }
            let written = write_outcome(&outcome, !args.no_history);
            if let Err(e) = written {
                eprintln!("sfn-local: cannot write the result: {e}");
            }
            if let Some(path) = &args.graph
                && let Err(e) = write_graph(path, &machine_for_graph, &outcome)
            {
                eprintln!("sfn-local: {e}");
                return 2;
            }
            let succeeded = outcome.status == Status::Succeeded;
            // The process ends right after: freeing every event one by one would only cost time.
            std::mem::forget(outcome);
            std::mem::forget(interp);
            std::mem::forget(rt);
            if succeeded { 0 } else { 1 }
        }
        Err(message) => {
            eprintln!("sfn-local: {message}");
            2
        }
    }
}

/// `--graph FILE`: the picture of the run, in the format FILE's extension names.
fn write_graph(path: &Path, machine: &StateMachine, outcome: &Outcome) -> Result<(), String> {
    let format = asl_graph::Format::from_path(&path.to_string_lossy()).ok_or_else(|| {
        format!(
            "--graph {}: name the file .svg, .mmd or .dot",
            path.display()
        )
    })?;
    let picture = crate::graph::picture_of(machine, Some(&outcome.to_json(true)), format)?;
    std::fs::write(path, picture).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn prepare(
    args: &RunArgs,
    progress: Option<&Arc<Progress>>,
) -> Result<(Interpreter, Arc<StateMachine>, ExecutionConfig), String> {
    let source = std::fs::read_to_string(&args.definition)
        .map_err(|e| format!("cannot read {}: {e}", args.definition.display()))?;
    let machine = StateMachine::from_str(&source).map_err(|e| {
        format!(
            "invalid definition {}:\n{}",
            args.definition.display(),
            e.render(&source)
        )
    })?;
    let input_text = match (&args.input_file, &args.input) {
        (Some(p), _) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?
        }
        (None, Some(s)) => s.clone(),
        (None, None) => "{}".to_string(),
    };
    // Parsed once, here (to check it), and handed to the engine.
    let input: serde_json::Value = serde_json::from_str(&input_text)
        .map_err(|e| format!("the input is not valid JSON: {e}"))?;
    let mut builder = Interpreter::builder();
    if let Some(dir) = &args.s3_dir {
        builder = builder.handlers(LocalS3::new(dir).register(Handlers::new()));
    }
    if let Some(p) = progress {
        builder = builder.on_event(p.listener());
    }
    if let Some(p) = &args.mock_config {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        builder = builder.mock_config(MockConfig::from_json(&text).map_err(|e| e.to_string())?);
    }
    let config = ExecutionConfig {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| ExecutionConfig::default().name),
        state_machine_name: args.state_machine_name.clone(),
        role_arn: args.role_arn.clone(),
        execution_type: if args.execution_type == "EXPRESS" {
            ExecutionType::Express
        } else {
            ExecutionType::Standard
        },
        test_case: args.test_case.clone(),
        input_text,
        input: Some(input),
        region: args.region.clone(),
        account: args.account.clone(),
        arn: None,
        context: None,
    };
    Ok((builder.build(), Arc::new(machine), config))
}

/// Prints the outcome and a newline on stdout. Written through a handle of its own (a
/// duplicate of the descriptor): Rust's stdout is line-buffered, and looking for a newline in
/// every chunk of a 4 MB history was 3.6% of a whole 5,000-iteration run (callgrind).
fn write_outcome(outcome: &asl_interpreter::Outcome, with_events: bool) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let stdout = std::io::stdout();
        stdout.lock().flush()?;
        if let Ok(fd) = stdout.as_fd().try_clone_to_owned() {
            let mut out = std::fs::File::from(fd);
            outcome.write_json(with_events, &mut out)?;
            return out.write_all(b"\n");
        }
    }
    let mut out = std::io::stdout().lock();
    outcome.write_json(with_events, &mut out)?;
    writeln!(out)?;
    out.flush()
}
