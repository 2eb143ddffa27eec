//! The `asl-validate` command, as a function so that `sfn-local validate` runs the same code.

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use crate::codes::{Code, Severity};
use crate::render::{self, Format};
use crate::source::{self, Report};

/// Validate Amazon States Language definitions, alone or inside CloudFormation, SAM and CDK
/// templates, with the verdicts of AWS's ValidateStateMachineDefinition.
///
/// Exit status: 0 when no error was found, 1 when errors were found, 2 on a usage or I/O problem.
#[derive(Debug, Parser)]
#[command(name = "asl-validate", version)]
struct Args {
    /// Files, folders (searched recursively) or globs (`'**/*.asl.json'`); `-` reads stdin.
    #[arg(required_unless_present = "explain")]
    paths: Vec<String>,
    /// Print what the rule with this code checks, which AWS check it mirrors and the AWS
    /// documentation behind it, then exit.
    #[arg(long, value_name = "CODE", conflicts_with = "paths")]
    explain: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Report only findings at least this severe.
    #[arg(long, value_enum, default_value_t = Level::Warning)]
    severity: Level,
    /// Report only what AWS's ValidateStateMachineDefinition reports (no ASL lints).
    #[arg(long)]
    aws_only: bool,
}

/// `--explain CODE`: 0 with the explanation on stdout, 2 with the known codes on stderr.
fn explain(name: &str) -> i32 {
    match Code::from_name(&name.trim().to_ascii_uppercase()) {
        Some(code) => {
            print!("{}", crate::explain::render(code));
            0
        }
        None => {
            let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            eprintln!(
                "asl-validate: unknown code '{name}'. Known codes: {}",
                known.join(", ")
            );
            2
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Level {
    Warning,
    Error,
}

/// Runs the command with `args` (the first one is the program name), printing to stdout and
/// stderr, and returns the exit status.
pub fn run_cli<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if let Some(name) = &args.explain {
        return explain(name);
    }
    let files = match source::expand(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("asl-validate: {e}");
            return 2;
        }
    };
    let mut reports: Vec<Report> = Vec::new();
    for (display, path, explicit) in files {
        let bytes = match &path {
            Some(p) => std::fs::File::open(p).and_then(source::read_limited),
            None => source::read_limited(std::io::stdin().lock()),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                eprintln!("asl-validate: {display}: {e}");
                return 2;
            }
        };
        reports.extend(source::check_bytes(
            &display,
            path.as_deref(),
            bytes,
            explicit,
            source::Uris::Read,
        ));
    }
    // A definition reached twice (a folder walk and a template's DefinitionUri) counts once.
    let mut seen = std::collections::HashSet::new();
    reports.retain(|r| seen.insert((r.file.clone(), r.definition.clone())));
    if reports.is_empty() {
        eprintln!("asl-validate: no state machine definition found");
        return 2;
    }
    let min = match args.severity {
        Level::Warning => Severity::Warning,
        Level::Error => Severity::Error,
    };
    for r in &mut reports {
        r.diagnostics
            .retain(|l| l.diag.severity() >= min && (!args.aws_only || l.diag.code.is_aws()));
        r.diagnostics
            .sort_by_key(|l| l.at.map(|a| (a.line, a.column)).unwrap_or_default());
    }
    let failed = reports.iter().any(|r| {
        r.diagnostics
            .iter()
            .any(|l| l.diag.severity() == Severity::Error)
    });
    let out = render::render(args.format, &reports);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return 2;
    }
    i32::from(failed)
}
