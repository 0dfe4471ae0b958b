//! The `permeate` command line: `args` (clap's raw arguments) → `context` (the one command
//! context: threads, memory, signals, output, progress) → `commands` (short handlers that
//! plan, call the library and print). `src/main.rs` only calls [`main`].

mod args;
mod commands;
mod context;
mod schemas;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Parses the command line, runs the subcommand and renders its error once: exit status 0 on
/// success, 2 for invalid input, 1 for any other failure (see [`crate::Error::exit_status`]).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => commands::run(args),
        Command::Check(args) => commands::check(args),
        Command::Merge(args) => commands::merge(args),
        Command::Calibrate(args) => commands::calibrate(args),
        Command::Sensitivity(args) => commands::sensitivity(args),
        Command::Import(args) => commands::import(args),
        Command::Optimise(args) => commands::optimise(args),
        Command::Discover(args) => commands::discover(args),
        Command::Serve(args) => commands::serve(args),
        Command::Schema(args) => commands::print(&args.of.schema()),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut <Cli as clap::CommandFactory>::command(), "permeate", &mut out);
            commands::print(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| crate::Error::Internal(format!("rendering the man page: {e}")))
                .and_then(|()| commands::print(&String::from_utf8_lossy(&out)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let red = anstyle::Style::new().bold().fg_color(Some(anstyle::AnsiColor::Red.into()));
            anstream::eprintln!("{red}error:{red:#} {e}");
            ExitCode::from(e.exit_status() as u8)
        }
    }
}
