//! The `sfn-local` command line.

use clap::{Parser, Subcommand};

/// mimalloc: a long loop or a big Map spends most of its time allocating small JSON values,
/// and glibc's allocator is much slower at it (w2: 51 -> 28 ms; W5 unchanged). It reports to
/// the JSONata memory meter (see `sfn_local_server::alloc`).
#[global_allocator]
static GLOBAL: sfn_local_server::alloc::Allocator = sfn_local_server::alloc::ALLOCATOR;

/// sfn-local: run AWS Step Functions state machines locally.
#[derive(Parser)]
#[command(name = "sfn-local", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Step Functions API (the default): point the AWS CLI or any SDK at it with
    /// `--endpoint-url http://127.0.0.1:8083`.
    Serve(Box<sfn_local_server::serve::ServeArgs>),
    /// Run one execution to completion in virtual time and print its result and history as JSON.
    Run(Box<sfn_local_server::run::RunArgs>),
    /// Draw a definition (and an execution over it) as Mermaid, Graphviz DOT or SVG.
    Graph(sfn_local_server::graph::GraphArgs),
    /// Print the execution metrics of each state machine (started, ended each way, failed %).
    Metrics(sfn_local_server::tools::MetricsArgs),
    /// Print a log group's events (execution logs), as `aws logs tail` does; `--follow` keeps
    /// printing.
    Logs(sfn_local_server::logs::tail::LogsArgs),
    /// List the SNS, SQS and EventBridge messages executions sent (JSON lines).
    Messages(sfn_local_server::tools::MessagesArgs),
    /// List the configured schedules and their next fire times.
    Schedules(sfn_local_server::tools::SchedulesArgs),
    /// Print the log of an ECS task run locally.
    EcsLog(sfn_local_server::tools::EcsLogArgs),
    /// Validate definitions (files, folders, globs, CloudFormation/SAM/CDK templates); the same
    /// engine and flags as `asl-validate` (try `sfn-local validate --help`).
    #[command(disable_help_flag = true)]
    Validate {
        /// Arguments passed to the validator.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        None => sfn_local_server::serve::serve(Default::default()),
        Some(Command::Serve(args)) => sfn_local_server::serve::serve(*args),
        Some(Command::Run(args)) => sfn_local_server::run::run(*args),
        Some(Command::Graph(a)) => sfn_local_server::graph::graph(&a),
        Some(Command::Metrics(a)) => sfn_local_server::tools::metrics(&a),
        Some(Command::Logs(a)) => sfn_local_server::logs::tail::logs(&a),
        Some(Command::Messages(a)) => sfn_local_server::tools::messages(&a),
        Some(Command::Schedules(a)) => sfn_local_server::tools::schedules(&a),
        Some(Command::EcsLog(a)) => sfn_local_server::tools::ecs_log(&a),
        Some(Command::Validate { args }) => asl_validate::run_cli(
            std::iter::once(std::ffi::OsString::from("sfn-local validate")).chain(args),
        ),
    };
    std::process::exit(code);
}
