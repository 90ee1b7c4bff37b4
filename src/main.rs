//! The `policykg` binary: parse the arguments, run the command, map the
//! outcome to an exit code (0 success, 1 error, 2 bad usage — clap's own,
//! 3 built but some documents were skipped as bad).

use clap::Parser;
use policykg::cli::{Cli, Command};
use policykg::commands;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // The command runs on a thread with a stack sized for the deepest query
    // policykg accepts (see policykg::sparql::check_size).
    let command = std::thread::Builder::new()
        .name("policykg".to_owned())
        .stack_size(policykg::sparql::STACK_BYTES)
        .spawn(run);
    match command.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    commands::set_quiet(cli.quiet);
    if !cli.wide && io::IsTerminal::is_terminal(&io::stdout()) {
        policykg::table::limit_cells(Some(60));
    }
    // `serve` never writes to standard output, but its query workers, the
    // same program, answer the server there: the lock is not taken for it.
    let result = if let Command::Serve(args) = &cli.command {
        commands::serve::run(args).map(|()| 0)
    } else {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        match &cli.command {
            Command::Build(args) => commands::build::run(args),
            Command::Check(args) => commands::check::run(args, &mut out),
            Command::Query(args) => commands::query::run(args, &mut out).map(|()| 0),
            Command::List(args) => commands::documents::list(args, &mut out).map(|()| 0),
            Command::Remove(args) => commands::documents::remove(args).map(|()| 0),
            Command::Report(args) => commands::report::run(args, &mut out).map(|()| 0),
            Command::Network(args) => commands::network::run(args, &mut out).map(|()| 0),
            Command::Export(args) => commands::export::run(args, &mut out).map(|()| 0),
            Command::Serve(args) => commands::serve::run(args).map(|()| 0),
            Command::Push(args) => commands::push::run(args).map(|()| 0),
        }
        .and_then(|code| out.flush().map(|()| code).map_err(Into::into))
    };
    match result {
        Ok(code) => ExitCode::from(code),
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
