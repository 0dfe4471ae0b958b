//! The `permeate` command line: parses arguments, calls the library, renders errors once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use permeate::scenario::MAX_REPLICATIONS;
use permeate::study::Shard;
use permeate::study::shard;
use permeate::{Error, Scenario, outdir, report, study};

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
    /// Which uncertain assumption matters: a variance-based (Sobol) or screening (Morris)
    /// sensitivity study over the scenario's `[uncertain]` factors. Writes the results over the
    /// study's worlds plus `sensitivity.csv` and `sensitivity.json`.
    Sensitivity(SensitivityArgs),
    /// Calibrate the scenario's `[uncertain]` factors (the prior) to measured processing times or
    /// survey shares: writes posterior.csv, calibration.json and report.html (see
    /// docs/measuring.md); `run --posterior DIR/posterior.csv` then runs over the posterior.
    Calibrate(CalibrateArgs),
    /// Merge the partial results folders of a sharded run (`run --shard I/N`) into one results
    /// folder, the same byte for byte as a single run.
    Merge(MergeArgs),
    /// Turn a client's HR export (and message counts) into an organisation folder: people.csv,
    /// links.csv, people-details.csv and a commented scenario skeleton (see docs/import.md).
    Import(ImportArgs),
    /// The smallest setting of one monotone lever (e.g. involvement.fraction) at which the
    /// baseline meets the scenario's [goal], by bisection; writes optimise.json.
    Optimise(OptimiseArgs),
}

#[derive(clap::Args, Debug)]
struct OptimiseArgs {
    /// The scenario file (TOML), with a [goal].
    scenario: PathBuf,
    /// The lever's dotted path: involvement.fraction, channels.NAME.transmit,
    /// channels.NAME.notice, roles.NAME.notice or community_manager.mandate_effect.notice.
    #[arg(long, value_name = "PATH")]
    lever: String,
    /// The lowest setting to consider.
    #[arg(long, default_value_t = 0.0)]
    min: f64,
    /// The highest setting to consider.
    #[arg(long, default_value_t = 1.0)]
    max: f64,
    /// Stop when the remaining interval is at most this wide.
    #[arg(long, default_value_t = permeate::study::optimise::DEFAULT_RESOLUTION)]
    resolution: f64,
    /// Replications per setting tried (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    replications: Option<u64>,
    /// Output folder [default: results/<scenario file stem>-optimise/].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// No answer on stdout.
    #[arg(short, long)]
    quiet: bool,
}

fn optimise(args: OptimiseArgs) -> Result<(), Failure> {
    use permeate::study::optimise::{Search, optimise, optimise_json};
    if let Some(n) = args.replications.filter(|n| !(1..=MAX_REPLICATIONS).contains(n)) {
        return Err(usage(&format!("--replications must be 1 to {MAX_REPLICATIONS}, got {n}")));
    }
    if args.threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    let mut scenario = load(&args.scenario)?;
    warn_defaults(&scenario);
    if let Some(n) = args.replications {
        scenario.replications = n;
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, "-optimise"));
    outdir::check_output_folder(&out)?;
    install_signal_cleanup();
    let pool = thread_pool(args.threads)?;
    let search = Search { lever: args.lever.clone(), min: args.min, max: args.max, resolution: args.resolution };
    let found = pool.install(|| optimise(&scenario, &search, &|| {}))?;
    outdir::write_folder_atomically(&out, &[("optimise.json", optimise_json(&found))])?;
    if !args.quiet {
        let goal = found.goal;
        match found.value {
            Some(v) => println!(
                "{} = {} is the smallest setting in [{}, {}] that meets the goal (T ≤ {} h in {:.0}% of replications): \
                 {:.1}% meet it{}",
                found.lever,
                to_resolution(v, found.resolution),
                found.min,
                found.max,
                goal.t_hours(),
                100.0 * goal.probability(),
                100.0 * found.probability,
                found.cost.as_ref().map_or(String::new(), |c| format!(", at {:.1} hours a month", c.hours_per_month))
            ),
            None => println!(
                "even {} = {} does not meet the goal (T ≤ {} h in {:.0}% of replications): {:.1}% meet it",
                found.lever,
                found.max,
                goal.t_hours(),
                100.0 * goal.probability(),
                100.0 * found.probability
            ),
        }
        println!("written to {}/", out.display());
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// The HR export (CSV): one row per employee.
    #[arg(long, value_name = "EXPORT.csv")]
    hr: PathBuf,
    /// The map (TOML): which columns hold what, titles to roles, channels, thresholds.
    #[arg(long, value_name = "MAP.toml")]
    map: PathBuf,
    /// Message counts per pair (CSV), e.g. from chat or e-mail metadata over 90 days.
    #[arg(long, value_name = "MESSAGES.csv")]
    messages: Option<PathBuf>,
    /// Output folder for the organisation (written whole or not at all).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// No counts on stdout.
    #[arg(short, long)]
    quiet: bool,
}

fn import(args: ImportArgs) -> Result<(), Failure> {
    use permeate::import;
    import::check_output_folder(&args.out)?;
    let imported = import::import(&args.hr, &args.map, args.messages.as_deref()).map_err(Error::from)?;
    import::write_folder(&args.out, &imported)?;
    if !args.quiet {
        print!("{}", imported.report);
        println!(
            "written to {}/; next: permeate check {}",
            args.out.display(),
            args.out.join("scenario.toml").display()
        );
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
struct SensitivityArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Base samples N of a Sobol study (N·(k+2) worlds for k factors) or trajectories r of a
    /// Morris study (r·(k+1) worlds) [default: 256 for Sobol, 20 for Morris].
    #[arg(long)]
    samples: Option<u32>,
    /// `sobol` (first- and total-order indices with bootstrap intervals) or `morris` (μ*, σ
    /// screening, for many factors).
    #[arg(long, default_value = "sobol")]
    method: String,
}

#[derive(clap::Args, Debug)]
struct CalibrateArgs {
    /// The scenario file (TOML) with an `[uncertain]` section.
    scenario: PathBuf,
    /// The observations (CSV): `item,person,processed_hours[,observed_hours]` or
    /// `item,hours,share`.
    observations: PathBuf,
    /// Output folder [default: results/<scenario file stem>-calibration/].
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Observation window in hours of items without an `observed_hours` value.
    #[arg(long, value_name = "HOURS")]
    observed_hours: Option<f64>,
    /// Most simulated data sets (each one replication per observed item).
    #[arg(long, default_value_t = permeate::study::calibrate::DEFAULT_BUDGET)]
    budget: u64,
    /// Particles per population.
    #[arg(long, default_value_t = permeate::study::calibrate::abc::DEFAULT_PARTICLES)]
    particles: usize,
    /// Stop once the ABC tolerance (distance) is at or below this [default: no such stop].
    #[arg(long)]
    tolerance: Option<f64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Nothing on stdout.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(clap::Args, Debug)]
struct MergeArgs {
    /// The partial results folders, one per shard, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Output folder for the merged results.
    #[arg(short, long)]
    out: PathBuf,
    /// No table on stdout.
    #[arg(short, long)]
    quiet: bool,
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
    #[arg(long, value_name = "SIZE", value_parser = permeate::engine::budget::parse_size)]
    max_memory: Option<u64>,
    /// With `[uncertain]`: how many plausible worlds to draw (overrides the scenario's
    /// `uncertain.worlds`, default 200).
    #[arg(long)]
    worlds: Option<u32>,
    /// Run over the worlds of a calibration's posterior (its posterior.csv, resampled to equal
    /// weights; as many worlds as particles, or --worlds) instead of the prior's.
    #[arg(long, value_name = "POSTERIOR.csv")]
    posterior: Option<PathBuf>,
    /// Run only shard I of N of the study (e.g. 3/8) and write a partial results folder for
    /// `permeate merge` [default output: results/<scenario file stem>-shard-I-of-N/].
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
}

/// A failure to report: the message and the exit status.
struct Failure(String, u8);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e.to_string(), e.exit_status() as u8)
    }
}

/// `v` with as many decimals as `resolution` needs (0.4462890625 at 0.001 → "0.4463"); the
/// full value is in optimise.json.
fn to_resolution(v: f64, resolution: f64) -> String {
    let decimals = (-resolution.log10()).ceil().clamp(0.0, 15.0) as usize + 1;
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// `results/STEM{suffix}`: the default output folder of a command on `scenario`.
fn default_out(scenario: &std::path::Path, suffix: &str) -> PathBuf {
    let stem = scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    PathBuf::from("results").join(format!("{stem}{suffix}"))
}

/// The worker threads: `threads` of them, or rayon's default (one per core).
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t);
    }
    pool.build().map_err(|e| Failure(format!("cannot start worker threads: {e}"), 1))
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
        Command::Merge(args) => merge(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Sensitivity(args) => sensitivity(args),
        Command::Import(args) => import(args),
        Command::Optimise(args) => optimise(args),
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

/// Says every default that acts silently (a role without a table), on stderr.
fn warn_defaults(scenario: &Scenario) {
    for w in scenario.default_warnings() {
        eprintln!("warning: {}: {w}", scenario.file.display());
    }
}

fn check(path: PathBuf) -> Result<(), Failure> {
    let scenario = load(&path)?;
    warn_defaults(&scenario);
    print!("{}", scenario.summary());
    println!("ok: the scenario is valid");
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    study(args, None, "")
}

fn sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    use permeate::analysis::sensitivity::{DEFAULT_MORRIS_TRAJECTORIES, DEFAULT_SOBOL_SAMPLES};
    use permeate::design::worlds::WorldDesign;
    if args.run.worlds.is_some() {
        return Err(usage("--worlds is for `run`; a sensitivity study sets its worlds by --samples"));
    }
    let design = match args.method.as_str() {
        "sobol" => WorldDesign::Saltelli { samples: args.samples.unwrap_or(DEFAULT_SOBOL_SAMPLES) },
        "morris" => WorldDesign::Morris { trajectories: args.samples.unwrap_or(DEFAULT_MORRIS_TRAJECTORIES) },
        other => return Err(usage(&format!("--method must be sobol or morris, got \"{other}\""))),
    };
    if args.samples.is_some_and(|s| !(2..=100_000).contains(&s)) {
        return Err(usage("--samples must be 2 to 100000"));
    }
    study(args.run, Some(design), "-sensitivity")
}

/// `run` and `sensitivity`: the study of a scenario, whole or one shard, over its default worlds
/// or those of `design`; the default output folder's name gets `suffix`.
fn study(args: RunArgs, design: Option<permeate::design::worlds::WorldDesign>, suffix: &str) -> Result<(), Failure> {
    if let Some(n) = args.replications.filter(|n| !(1..=MAX_REPLICATIONS).contains(n)) {
        return Err(usage(&format!("--replications must be 1 to {MAX_REPLICATIONS}, got {n}")));
    }
    if args.threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    let (threads, note) = permeate::engine::budget::worker_threads(args.threads);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let max_memory = args.max_memory.unwrap_or_else(permeate::engine::budget::default_max_memory);
    permeate::engine::budget::set_max_memory(max_memory);
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text).map_err(|m| usage(&format!("--shard {m}")))?),
        None => None,
    };
    let mut scenario = load(&args.scenario)?;
    warn_defaults(&scenario);
    if let Some(n) = args.replications {
        scenario.replications = n;
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(w) = args.worlds.filter(|w| !(1..=permeate::design::worlds::MAX_WORLDS).contains(w)) {
        return Err(usage(&format!("--worlds must be 1 to {}, got {w}", permeate::design::worlds::MAX_WORLDS)));
    }
    if args.worlds.is_some() && scenario.uncertainty.is_none() {
        return Err(usage("--worlds needs an [uncertain] section in the scenario"));
    }
    if args.posterior.is_some() && design.is_some() {
        return Err(usage("--posterior is for `run`; a sensitivity study draws its own worlds"));
    }
    match design {
        None if args.posterior.is_some() => {
            let path = args.posterior.as_deref().unwrap_or(std::path::Path::new(""));
            let Some(u) = &scenario.uncertainty else {
                return Err(usage(&format!(
                    "--posterior needs an [uncertain] section in {} (the factors the posterior is over)",
                    args.scenario.display()
                )));
            };
            let (values, weights) = permeate::study::calibrate::posterior::read(path, &u.factors)
                .map_err(|e| Failure::from(Error::from(e)))?;
            let count = args.worlds.map_or(values.len(), |w| w as usize);
            let picks = permeate::study::calibrate::posterior::systematic_resample(&weights, count, scenario.seed);
            let rows = picks.iter().map(|&i| values[i].clone()).collect();
            let design = permeate::design::worlds::WorldDesign::Posterior { count: count as u32 };
            scenario.use_world_values(design, rows).map_err(|e| Failure::from(Error::from(e)))?;
        }
        Some(d) => {
            if scenario.uncertainty.is_none() {
                return Err(usage(&format!(
                    "{} has no [uncertain] section: a sensitivity study needs uncertain factors, e.g.\n  [uncertain]\n  \"channels.chat.transmit\" = {{ dist = \"uniform\", min = 0.3, max = 0.7 }}",
                    args.scenario.display()
                )));
            }
            let worlds = d.count(scenario.uncertainty.as_ref().map_or(0, |u| u.factors.len()));
            if worlds > u64::from(permeate::design::worlds::MAX_WORLDS) {
                return Err(usage(&format!(
                    "this design would run {worlds} worlds, more than the limit of {}; use fewer --samples",
                    permeate::design::worlds::MAX_WORLDS
                )));
            }
            scenario.use_worlds(d).map_err(|e| Failure::from(Error::from(e)))?;
        }
        None => scenario.use_random_worlds(args.worlds).map_err(|e| Failure::from(Error::from(e)))?,
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let stem =
            args.scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
        let stem = format!("{stem}{suffix}");
        match shard {
            Some(s) => PathBuf::from("results").join(format!("{stem}-shard-{}-of-{}", s.index, s.count)),
            None => PathBuf::from("results").join(stem),
        }
    });
    outdir::check_output_folder(&out)?;
    permeate::scenario::memory::check_run(&scenario, threads, max_memory)?;
    install_signal_cleanup();
    let pool = thread_pool(args.threads.map(|_| threads))?;

    let part = shard.unwrap_or(Shard::WHOLE);
    let work = part.work(study::total_work(&scenario));
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(work.end - work.start), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {bar:30} {pos}/{len} replications, eta {eta}")
                .expect("valid template"),
        );
        bar
    };
    let facts = scenario.facts();
    if let Some(shard) = shard {
        let outcomes = pool.install(|| study::run(&scenario, part, &|| bar.inc(1)))?;
        bar.finish_and_clear();
        let files = shard::partial_files(&facts, &study::fingerprint(&scenario), shard, &outcomes);
        outdir::write_folder_atomically(&out, &files.iter().map(|(n, c)| (*n, c.clone())).collect::<Vec<_>>())?;
        if !args.quiet {
            println!(
                "shard {shard} of {}: replications {}..{} of {} written to {}/; merge all {} shards with `permeate merge`",
                scenario.name,
                work.start,
                work.end,
                study::total_work(&scenario),
                out.display(),
                shard.count
            );
        }
        return Ok(());
    }
    let results = pool.install(|| study::results(&scenario, &facts, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    report::write_results(&results, &facts, &out)?;
    if !args.quiet {
        print!("{}", report::headline_text(&results));
        println!("results written to {}/", out.display());
    }
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    use permeate::study::calibrate::{self, Options, observations::Observations};
    if args.threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    let max_particles = permeate::study::calibrate::abc::MAX_PARTICLES;
    if !(2..=max_particles).contains(&args.particles) {
        return Err(usage(&format!("--particles must be 2 to {max_particles}, got {}", args.particles)));
    }
    if args.budget < args.particles as u64 {
        return Err(usage(&format!(
            "--budget {} is less than one population of --particles {}; give at least ten times the particles, e.g. --budget {}",
            args.budget,
            args.particles,
            10 * args.particles
        )));
    }
    if let Some(t) = args.tolerance.filter(|t| !(t.is_finite() && *t >= 0.0)) {
        return Err(usage(&format!("--tolerance must be a number ≥ 0, got {t}")));
    }
    if let Some(h) = args.observed_hours.filter(|h| !(h.is_finite() && *h > 0.0)) {
        return Err(usage(&format!("--observed-hours must be a number of hours > 0, e.g. 160, got {h}")));
    }
    let mut scenario = load(&args.scenario)?;
    warn_defaults(&scenario);
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let obs = Observations::load(&args.observations, &scenario, args.observed_hours)
        .map_err(|e| Failure::from(Error::from(e)))?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, "-calibration"));
    outdir::check_output_folder(&out)?;
    install_signal_cleanup();
    let pool = thread_pool(args.threads)?;
    let options = Options {
        particles: args.particles,
        budget: args.budget,
        tolerance: args.tolerance.unwrap_or(0.0),
        ..Options::default()
    };
    let name = args.observations.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let show = !args.quiet && std::io::stderr().is_terminal();
    let progress = |g: &calibrate::abc::Generation| {
        if show {
            match g.epsilon {
                None => eprintln!("generation 0: {} simulations from the prior", g.simulations),
                Some(e) => eprintln!(
                    "generation: tolerance {e:.4}, {} simulations, {:.1}% accepted",
                    g.simulations,
                    100.0 * g.acceptance
                ),
            }
        }
    };
    let result = pool.install(|| calibrate::calibrate_with_progress(&scenario, &obs, &name, &options, &progress))?;
    calibrate::write_folder(&result, &out)?;
    if !args.quiet {
        println!("{}", result.sentence);
        println!(
            "{} particles after {} simulated data sets; written to {}/ (run over the posterior with `permeate run {} --posterior {}`)",
            result.particles,
            result.simulations,
            out.display(),
            args.scenario.display(),
            out.join("posterior.csv").display()
        );
    }
    Ok(())
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    outdir::check_output_folder(&args.out)?;
    let (facts, results) = shard::merge(&args.shards)?;
    report::write_results(&results, &facts, &args.out)?;
    if !args.quiet {
        print!("{}", report::headline_text(&results));
        println!("merged {} shards into {}/", args.shards.len(), args.out.display());
    }
    Ok(())
}
