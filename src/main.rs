//! The `policykg` binary: parse the arguments, run the command, map the
//! outcome to an exit code (0 success, 1 error, 2 bad usage — clap's own).

use clap::Parser;
use policykg::cli::{Cli, Command};
use policykg::commands;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match &cli.command {
        Command::Build(args) => commands::build::run(args),
        Command::Query(args) => commands::query::run(args, &mut out),
        Command::Report(args) => commands::report::run(args, &mut out),
        Command::Network(args) => commands::network::run(args, &mut out),
        Command::Export(args) => commands::export::run(args, &mut out),
    }
    .and_then(|()| out.flush().map_err(Into::into));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `policykg query … | head` closes our stdout early: not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
