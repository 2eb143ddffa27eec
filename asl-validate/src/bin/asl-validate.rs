//! `asl-validate`: see `asl_validate::run_cli`.

fn main() {
    std::process::exit(asl_validate::run_cli(std::env::args_os()));
}
