//! The `permeate` command line: parses arguments, calls the library, renders errors once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use permeate::scenario::MAX_REPLICATIONS;
use permeate::{Error, Scenario, outdir, report, simulate};

/// How long until customer-community feedback reaches 80% of the developers — and what changes it.
#[derive(Parser, Debug)]
#[command(name = "permeate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write the results folder.
    Run(RunArgs),
    /// Validate a scenario and its files and print the organisation's summary.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Replications per variant (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    replications: Option<u64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: results/<scenario file stem>/].
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// No progress bar and no table on stdout.
    #[arg(short, long)]
    quiet: bool,
    /// Refuse runs estimated to need more memory than this (e.g. 8G, 512M) [default: 75% of the
    /// machine's memory].
    #[arg(long, value_name = "SIZE", value_parser = permeate::budget::parse_size)]
    max_memory: Option<u64>,
}

/// A failure to report: the message and the exit status.
struct Failure(String, u8);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e.to_string(), e.exit_status() as u8)
    }
}

fn usage(msg: &str) -> Failure {
    Failure(format!("invalid argument: {msg}"), 2)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check { scenario } => check(scenario),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, status)) => {
            eprintln!("error: {msg}");
            ExitCode::from(status)
        }
    }
}

/// On SIGINT or SIGTERM: undo a results write in progress (no temporary folders left, the old
/// results back in place), then exit with 128 + the signal's number, as the shell expects.
/// (signal-hook: handlers run on an ordinary thread, so the cleanup may take locks and do I/O.)
fn install_signal_cleanup() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    outdir::abandon_pending_write();
                    std::process::exit(128 + signal);
                }
            });
        }
    }
}

fn load(path: &std::path::Path) -> Result<Scenario, Failure> {
    Scenario::load(path).map_err(|e| Failure::from(Error::from(e)))
}

fn check(path: PathBuf) -> Result<(), Failure> {
    let scenario = load(&path)?;
    print!("{}", scenario.summary());
    println!("ok: the scenario is valid");
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    if let Some(n) = args.replications.filter(|n| !(1..=MAX_REPLICATIONS).contains(n)) {
        return Err(usage(&format!("--replications must be 1 to {MAX_REPLICATIONS}, got {n}")));
    }
    if args.threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    let (threads, note) = permeate::budget::worker_threads(args.threads);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let max_memory = args.max_memory.unwrap_or_else(permeate::budget::default_max_memory);
    permeate::budget::set_max_memory(max_memory);
    let mut scenario = load(&args.scenario)?;
    if let Some(n) = args.replications {
        scenario.replications = n;
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let stem =
            args.scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
        PathBuf::from("results").join(stem)
    });
    outdir::check_output_folder(&out)?;
    permeate::budget::check_run(&scenario, threads, max_memory)?;
    install_signal_cleanup();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if args.threads.is_some() {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build().map_err(|e| Failure(format!("cannot start worker threads: {e}"), 1))?;

    let total = scenario.replications.saturating_mul(scenario.variants.len() as u64);
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {bar:30} {pos}/{len} replications, eta {eta}")
                .expect("valid template"),
        );
        bar
    };
    let results = pool.install(|| simulate::simulate(&scenario, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    report::write_results(&scenario, &results, &out)?;
    if !args.quiet {
        print!("{}", report::headline_text(&scenario, &results));
        println!("results written to {}/", out.display());
    }
    Ok(())
}
