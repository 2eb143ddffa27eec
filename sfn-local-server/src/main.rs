//! The `sfn-local` command line.

use clap::{Parser, Subcommand};

/// sfn-local: run AWS Step Functions state machines locally.
#[derive(Parser)]
#[command(name = "sfn-local", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one execution to completion in virtual time and print its result and history as JSON.
    Run(sfn_local_server::run::RunArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => sfn_local_server::run::run(args),
    };
    std::process::exit(code);
}
