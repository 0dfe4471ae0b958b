//! The subcommands' handlers: each turns its arguments into a [`Plan`] (or the command's own
//! options), gets its safety from the [`Context`], calls the library and prints a line or two.

use std::path::{Path, PathBuf};

use super::args::{
    CalibrateArgs, CheckArgs, ImportArgs, MergeArgs, OptimiseArgs, RunArgs, SensitivityArgs, ServeArgs, SetArgs,
    VariantArgs,
};
use super::context::Context;
use crate::analysis::sensitivity::{DEFAULT_MORRIS_TRAJECTORIES, DEFAULT_SOBOL_SAMPLES};
use crate::design::worlds::WorldDesign;
use crate::error::Error;
use crate::outdir::Policy;
use crate::scenario::{Overrides, parse_set_argument};
use crate::study::{Plan, PlanOptions, Shard, WorldChoice};
use crate::{Scenario, analysis, outdir, report, study};

/// Bytes of memory per byte of an import's input files: the text, its parsed records, the
/// people and links built from them and the files written.
const IMPORT_BYTES_PER_INPUT_BYTE: u64 = 16;
/// Bytes of memory per byte of the shards' files that `merge` reads: the text, the parsed
/// outcomes and the merged results.
const MERGE_BYTES_PER_INPUT_BYTE: u64 = 8;
/// The most base samples or trajectories of a sensitivity study.
const MAX_SAMPLES: u32 = 100_000;

/// `results/STEM{suffix}`: the default output folder of a command on `scenario`.
fn default_out(scenario: &Path, suffix: &str) -> PathBuf {
    let stem = scenario.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    PathBuf::from("results").join(format!("{stem}{suffix}"))
}

/// Loads and validates a scenario and says every default that acts silently, on stderr.
/// Loads the scenario with the command line's `--set` and `--variant`: a `--set` entry that
/// does not parse, or that the scenario refuses, is named as the argument it came from.
fn load(path: &Path, set: &SetArgs, points: &VariantArgs) -> Result<Scenario, Error> {
    let mut overrides = Overrides { set: Vec::new(), variants: points.variant.clone() };
    for arg in &set.set {
        overrides.set.push(parse_set_argument(arg).map_err(Error::Argument)?);
    }
    let scenario = Scenario::load_with(path, &overrides).map_err(|e| {
        let caused = overrides.set.iter().zip(&set.set).find(|((p, _), _)| {
            e.key.as_deref().is_some_and(|k| {
                let k = k.strip_prefix("set.").unwrap_or(k);
                k == p || k.starts_with(&format!("{p}.")) || p.starts_with(&format!("{k}."))
            })
        });
        match caused {
            Some((_, arg)) => {
                let within = e.variant.as_ref().map(|v| format!(" (in variant \"{v}\")")).unwrap_or_default();
                let hint = e.kind.hint().map(|h| format!("; {h}")).unwrap_or_default();
                Error::Argument(format!("--set {arg}{within}: {}{hint}", e.kind))
            }
            None => Error::from(e),
        }
    })?;
    for w in scenario.default_warnings() {
        print_warning(&scenario.file, &w);
    }
    Ok(scenario)
}

/// Prints `warning: FILE: MESSAGE` on stderr (`warning:` in bold yellow on a terminal).
fn print_warning(file: &Path, message: &str) {
    let yellow = anstyle::Style::new().bold().fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    anstream::eprintln!("{yellow}warning:{yellow:#} {}: {message}", file.display());
}

/// Writes `text` to stdout; a closed pipe (`permeate schema | head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Internal(format!("writing to stdout: {e}"))),
        _ => Ok(()),
    }
}

/// `permeate discover`: PRIM over a results folder's worlds, written to its own folder.
pub(crate) fn discover(args: super::args::DiscoverArgs) -> Result<(), Error> {
    let ctx = Context::new(&args.common)?;
    let outcome = study::discover::Outcome::parse(&args.outcome).map_err(Error::Argument)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name =
            args.results.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "results".into());
        args.results.with_file_name(format!("{name}-discover"))
    });
    refuse_overlap(&out, std::slice::from_ref(&args.results))?;
    ctx.output(&out, Policy::Results)?;
    let files: Vec<PathBuf> =
        ["replications.csv", "worlds.csv", "summary.json"].iter().map(|f| args.results.join(f)).collect();
    ctx.check_input_memory(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>(), DISCOVER_BYTES_PER_INPUT_BYTE)?;
    let d = ctx.install(|| study::discover::discover(&args.results, &outcome, args.variant.as_deref()))?;
    let files =
        [("discover.json", study::discover::discover_json(&d)), ("discover.csv", study::discover::discover_csv(&d))];
    outdir::write_folder(&out, &files, Policy::Results)?;
    ctx.say(&study::discover::discover_text(&d));
    ctx.say(&format!("written to {}/", out.display()));
    Ok(())
}

/// Peak memory of `discover` per byte of its input files (the text, its parsed rows and the
/// per-world values: a generous upper bound).
const DISCOVER_BYTES_PER_INPUT_BYTE: u64 = 8;

/// `permeate check`: the scenario, its plan and its memory estimate, validated; the summary.
pub(crate) fn check(args: CheckArgs) -> Result<(), Error> {
    let ctx = Context::new(&json_is_quiet(&args.common, args.json))?;
    let scenario = load(&args.scenario, &args.overrides, &args.points)?;
    let plan = Plan::of(&scenario)?;
    ctx.check_memory(&plan)?;
    if args.json {
        let estimate = study::memory::estimate_run(&plan, ctx.threads());
        let check = CheckJson {
            schema_version: CHECK_SCHEMA_VERSION,
            valid: true,
            file: scenario.file.display().to_string(),
            warnings: scenario.default_warnings(),
            memory_estimate_bytes: u64::try_from(estimate.total()).unwrap_or(u64::MAX),
            study: plan.facts(),
        };
        println!("{}", serde_json::to_string_pretty(&check).map_err(|e| Error::Internal(e.to_string()))?);
        return Ok(());
    }
    ctx.say(&scenario.summary());
    ctx.say("ok: the scenario is valid");
    Ok(())
}

/// The version of `check --json`'s layout (documented in docs/toolbox.md).
const CHECK_SCHEMA_VERSION: u32 = 1;

/// `permeate check --json`: the validated scenario as plain data.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct CheckJson {
    /// [`CHECK_SCHEMA_VERSION`].
    schema_version: u32,
    /// Always true: an invalid scenario exits 2 with its message on stderr instead.
    valid: bool,
    /// The scenario file as given.
    file: String,
    /// Roles acting with defaults, in words.
    warnings: Vec<String>,
    /// The run's estimated peak memory in bytes (what `--max-memory` is checked against).
    memory_estimate_bytes: u64,
    /// The study's facts: design points, the organisation and assumptions, uncertain factors and
    /// worlds, goal and costs (the same as in a results folder's `shard.json`).
    study: crate::analysis::facts::Facts,
}

/// With `--json`, stdout carries the JSON alone: the context is quiet (no headline, no
/// progress).
fn json_is_quiet(common: &super::args::CommonArgs, json: bool) -> super::args::CommonArgs {
    super::args::CommonArgs { quiet: common.quiet || json, ..common.clone() }
}

/// `permeate run`.
pub(crate) fn run(args: RunArgs) -> Result<(), Error> {
    let ctx = Context::new(&json_is_quiet(&args.common, args.json))?;
    let shard = parse_shard(args.shard.as_deref())?;
    if args.json && shard.is_some() {
        return Err(Error::Argument(
            "--json prints a whole study's summary.json, and a shard has none: merge the shards, then read the merged folder's summary.json".into(),
        ));
    }
    let scenario = load(&args.scenario, &args.overrides, &args.points)?;
    let worlds = match (&args.posterior, args.worlds) {
        (Some(path), count) => {
            let Some(u) = &scenario.uncertainty else {
                return Err(Error::Argument(format!(
                    "--posterior needs an [uncertain] section in {} (the factors the posterior is over)",
                    args.scenario.display()
                )));
            };
            let (values, weights) = study::calibrate::posterior::read(path, &u.factors).map_err(Error::from)?;
            WorldChoice::Weighted { values, weights, count }
        }
        (None, Some(count)) => WorldChoice::PriorCount(count),
        (None, None) => WorldChoice::Prior,
    };
    let options = PlanOptions { seed: args.seed, replications: args.replications, worlds, shard };
    let out = args.out.clone().unwrap_or_else(|| study_out(&args.scenario, "", shard));
    execute(&ctx, &scenario, options, &out, args.json)
}

/// `permeate sensitivity`: a study over a Saltelli or Morris design of worlds.
pub(crate) fn sensitivity(args: SensitivityArgs) -> Result<(), Error> {
    let ctx = Context::new(&args.common)?;
    let design = match args.method.as_str() {
        "sobol" => WorldDesign::Saltelli { samples: args.samples.unwrap_or(DEFAULT_SOBOL_SAMPLES) },
        "morris" => WorldDesign::Morris { trajectories: args.samples.unwrap_or(DEFAULT_MORRIS_TRAJECTORIES) },
        other => return Err(Error::Argument(format!("--method must be sobol or morris, got \"{other}\""))),
    };
    if args.samples.is_some_and(|s| !(2..=MAX_SAMPLES).contains(&s)) {
        return Err(Error::Argument(format!("--samples must be 2 to {MAX_SAMPLES}")));
    }
    let shard = parse_shard(args.shard.as_deref())?;
    let scenario = load(&args.scenario, &args.overrides, &args.points)?;
    let options =
        PlanOptions { seed: args.seed, replications: args.replications, worlds: WorldChoice::Design(design), shard };
    let out = args.out.clone().unwrap_or_else(|| study_out(&args.scenario, "-sensitivity", shard));
    execute(&ctx, &scenario, options, &out, false)
}

/// `--shard I/N`, checked.
fn parse_shard(text: Option<&str>) -> Result<Option<Shard>, Error> {
    text.map(|t| Shard::parse(t).map_err(|m| Error::Argument(format!("--shard {m}")))).transpose()
}

/// The default output folder of a study: `results/STEM{suffix}`, or its shard's folder.
fn study_out(scenario: &Path, suffix: &str, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(s) => default_out(scenario, &format!("{suffix}-shard-{}-of-{}", s.index, s.count)),
        None => default_out(scenario, suffix),
    }
}

/// Plans and runs a study (`run`, `sensitivity`): the whole study into a results folder, or one
/// shard into a partial folder for `merge`.
fn execute(ctx: &Context, scenario: &Scenario, options: PlanOptions, out: &Path, json: bool) -> Result<(), Error> {
    let shard = options.shard;
    let plan = Plan::new(scenario, options)?;
    ctx.output(out, Policy::Results)?;
    ctx.check_memory(&plan)?;
    let work = plan.work();
    let bar = ctx.progress(work.end - work.start, "replications");
    let facts = plan.facts();
    if let Some(shard) = shard {
        let outcomes = ctx.install(|| study::run(&plan, &|| bar.inc(1)))?;
        bar.finish_and_clear();
        let files = study::shard::partial_files(&facts, &study::fingerprint(&plan), shard, &outcomes);
        outdir::write_folder_atomically(out, &files.iter().map(|(n, c)| (*n, c.clone())).collect::<Vec<_>>())?;
        ctx.say(&format!(
            "shard {shard} of {}: replications {}..{} of {} written to {}/; merge all {} shards with `permeate merge`",
            scenario.name,
            work.start,
            work.end,
            plan.total_work(),
            out.display(),
            shard.count
        ));
        return Ok(());
    }
    let results = ctx.install(|| study::results(&plan, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let analyses = ctx.install(|| analysis::analyse(&results, &facts));
    report::write_results(&results, &facts, &analyses, out)?;
    if json {
        print!("{}", report::summary_json(&results));
    }
    match &analyses.sensitivity {
        Some(s) => ctx.say(&report::sensitivity_text(s)),
        None => ctx.say(&report::headline_text(&results)),
    }
    ctx.say(&format!("results written to {}/", out.display()));
    Ok(())
}

/// `permeate calibrate`.
pub(crate) fn calibrate(args: CalibrateArgs) -> Result<(), Error> {
    use crate::study::calibrate::{self, Options, abc, observations::Observations};
    let ctx = Context::new(&args.common)?;
    let max_particles = abc::MAX_PARTICLES;
    if !(2..=max_particles).contains(&args.particles) {
        return Err(Error::Argument(format!("--particles must be 2 to {max_particles}, got {}", args.particles)));
    }
    if args.budget < args.particles as u64 {
        return Err(Error::Argument(format!(
            "--budget {} is less than one population of --particles {}; give at least ten times the particles, e.g. --budget {}",
            args.budget,
            args.particles,
            10 * args.particles
        )));
    }
    if let Some(t) = args.tolerance.filter(|t| !(t.is_finite() && *t >= 0.0)) {
        return Err(Error::Argument(format!("--tolerance must be a number ≥ 0, got {t}")));
    }
    if let Some(h) = args.observed_hours.filter(|h| !(h.is_finite() && *h > 0.0)) {
        return Err(Error::Argument(format!("--observed-hours must be a number of hours > 0, e.g. 160, got {h}")));
    }
    let scenario = load(&args.scenario, &args.overrides, &VariantArgs::default())?;
    ctx.check_input_memory(&[&args.observations], calibrate::BYTES_PER_OBSERVATION_BYTE)?;
    let obs = Observations::load(&args.observations, &scenario, args.observed_hours).map_err(Error::from)?;
    for w in obs.warnings() {
        print_warning(&args.observations, w);
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, "-calibration"));
    ctx.output(&out, Policy::Results)?;
    // The calibration's memory: one simulated replication per item at a time per thread, and the
    // particles; the organisation as a plan of the baseline counts it.
    ctx.check_memory(&Plan::new(&scenario, PlanOptions { replications: Some(1), ..PlanOptions::default() })?)?;
    // The predicted T runs the baseline over `--worlds` worlds of `-n` replications (as `run`
    // would); their ranges are checked here, before the sampler's minutes. Its memory is a few
    // numbers per world beside the workspaces counted above.
    let worlds = match args.worlds {
        Some(w) => WorldChoice::PriorCount(w),
        None => WorldChoice::Prior,
    };
    Plan::new(&scenario, PlanOptions { seed: args.seed, replications: args.replications, worlds, shard: None })?;
    let options = Options {
        particles: args.particles,
        budget: args.budget,
        tolerance: args.tolerance.unwrap_or(0.0),
        seed: args.seed,
        predict_worlds: args.worlds,
        predict_replications: args.replications,
        ..Options::default()
    };
    let name = args.observations.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let show = ctx.shows_progress();
    let progress = |g: &abc::Generation| {
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
    let result = ctx.install(|| calibrate::calibrate_with_progress(&scenario, &obs, &name, &options, &progress))?;
    report::calibration::write_folder(&result, &out)?;
    ctx.say(&report::calibration::predicted_sentence(&result.predicted));
    ctx.say(&result.sentence);
    ctx.say(&format!(
        "{} particles after {} simulated data sets; written to {}/ (run over the posterior with `permeate run {} --posterior {}`)",
        result.particles,
        result.simulations,
        out.display(),
        args.scenario.display(),
        out.join("posterior.csv").display()
    ));
    Ok(())
}

/// `permeate merge`.
pub(crate) fn merge(args: MergeArgs) -> Result<(), Error> {
    let ctx = Context::new(&args.common)?;
    refuse_overlap(&args.out, &args.shards)?;
    ctx.output(&args.out, Policy::Results)?;
    let files: Vec<PathBuf> = args
        .shards
        .iter()
        .flat_map(|s| [s.join(study::shard::MANIFEST_FILE), s.join(study::shard::OUTCOME_FILE)])
        .collect();
    ctx.check_input_memory(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>(), MERGE_BYTES_PER_INPUT_BYTE)?;
    let (facts, results) = ctx.install(|| study::shard::merge(&args.shards))?;
    let analyses = ctx.install(|| analysis::analyse(&results, &facts));
    report::write_results(&results, &facts, &analyses, &args.out)?;
    ctx.say(&report::headline_text(&results));
    ctx.say(&format!("merged {} shards into {}/", args.shards.len(), args.out.display()));
    Ok(())
}

/// Refuses an output folder that is, is inside, or contains one of the `inputs`: writing it
/// would replace the input (`merge s1 s2 -o s1` used to destroy shard 1).
fn refuse_overlap(out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    // The output may not exist yet: compare its nearest existing ancestor, resolved, plus the rest.
    let resolve = |p: &Path| -> PathBuf {
        let mut missing = Vec::new();
        let mut at = p.to_path_buf();
        loop {
            if let Ok(real) = std::fs::canonicalize(&at) {
                return missing.iter().rev().fold(real, |acc: PathBuf, part: &std::ffi::OsString| acc.join(part));
            }
            match (at.file_name().map(|n| n.to_os_string()), at.parent()) {
                (Some(name), Some(parent)) => {
                    missing.push(name);
                    at = if parent.as_os_str().is_empty() { PathBuf::from(".") } else { parent.to_path_buf() };
                }
                _ => return p.to_path_buf(),
            }
        }
    };
    let out_real = resolve(out);
    for input in inputs {
        let real = resolve(input);
        if out_real.starts_with(&real) || real.starts_with(&out_real) {
            return Err(Error::Argument(format!(
                "-o {} is (or is inside, or contains) the input {}: merging into it would replace the shard; \
                 give a new folder, e.g. -o results/merged",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// `permeate import`.
pub(crate) fn import(args: ImportArgs) -> Result<(), Error> {
    use crate::import;
    let ctx = Context::new(&args.common)?;
    ctx.output(&args.out, Policy::Import)?;
    let mut inputs = vec![args.hr.as_path(), args.map.as_path()];
    inputs.extend(args.messages.as_deref());
    inputs.extend(args.events.as_deref());
    ctx.check_input_memory(&inputs, IMPORT_BYTES_PER_INPUT_BYTE)?;
    if !(0.0..=1.0).contains(&args.min_presence) {
        return Err(Error::Argument(format!(
            "--min-presence must be a share from 0 to 1 of the log's working days, got {}; e.g. 0.1",
            crate::error::num(args.min_presence)
        )));
    }
    let pseudonymiser = match &args.pseudonymise {
        Some(salt) => Some(
            import::pseudonym::Pseudonymiser::new(salt).map_err(|m| Error::Argument(format!("--pseudonymise: {m}")))?,
        ),
        None => None,
    };
    let options = import::Options {
        messages: args.messages.as_deref(),
        events: args.events.as_deref(),
        pseudonymise: pseudonymiser.as_ref(),
        min_presence: args.min_presence,
    };
    let imported = import::import_with(&args.hr, &args.map, &options).map_err(Error::from)?;
    import::write_folder(&args.out, &imported)?;
    ctx.say(&imported.report);
    ctx.say(&format!(
        "written to {}/; next: permeate check {}",
        args.out.display(),
        args.out.join("scenario.toml").display()
    ));
    Ok(())
}

/// `permeate optimise`.
pub(crate) fn optimise(args: OptimiseArgs) -> Result<(), Error> {
    use crate::study::optimise::{Search, optimise, optimise_json};
    let ctx = Context::new(&args.common)?;
    let scenario = load(&args.scenario, &args.overrides, &VariantArgs::default())?;
    let plan = Plan::new(
        &scenario,
        PlanOptions { seed: args.seed, replications: args.replications, ..PlanOptions::default() },
    )?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, "-optimise"));
    ctx.output(&out, Policy::Results)?;
    ctx.check_memory(&plan)?;
    let search = Search { lever: args.lever.clone(), min: args.min, max: args.max, resolution: args.resolution };
    let found = ctx.install(|| optimise(&plan, &search, &|| {}))?;
    outdir::write_folder_atomically(&out, &[("optimise.json", optimise_json(&found))])?;
    let steps: Vec<(f64, f64)> = found.steps.iter().map(|s| (s.value, s.probability)).collect();
    let range = [found.min, found.max];
    ctx.say(&crate::report::decision::optimise_sentence(&crate::report::decision::OptimumWords {
        lever: &found.lever,
        value: found.value,
        range,
        goal_hours: found.goal.t_hours(),
        goal_probability: found.goal.probability(),
        probability: found.probability,
        probability_interval: found.goal_result.interval,
        setting_interval: crate::analysis::decision::optimum_interval(
            &steps,
            found.replications,
            found.goal.probability(),
            range,
        ),
        cost_hours_per_month: found.cost.as_ref().map(|c| c.hours_per_month),
    }));
    ctx.say(&format!("written to {}/", out.display()));
    Ok(())
}

/// `permeate serve`: checks the host and token before anything, loads the scenario, checks the
/// memory of the largest request (baseline and one point at the request limit), then serves until
/// SIGINT/SIGTERM and exits 128 + the signal after a graceful shutdown.
pub(crate) fn serve(args: ServeArgs) -> Result<(), Error> {
    use crate::serve::http::{ServeOptions, is_loopback};
    let ctx = Context::serving(&args.common)?;
    if !is_loopback(args.host) && args.token.as_deref().is_none_or(str::is_empty) {
        return Err(Error::Argument(format!(
            "--host {} is reachable from other machines: give --token T (every /api request then needs \
             `Authorization: Bearer T`), or bind 127.0.0.1",
            args.host
        )));
    }
    let workshop = crate::serve::Workshop::load(&args.scenario)?;
    for w in workshop.scenario().default_warnings() {
        print_warning(&args.scenario, &w);
    }
    // The largest request (the baseline and one point at the request limit) with the kept
    // outcomes of the baseline (and a `compare_to` reference) for every kept (replications,
    // worlds, pins).
    let point = workshop.memory_scenario().map_err(|e| Error::Internal(e.to_string()))?;
    let largest = PlanOptions { replications: Some(workshop.max_replications()), ..PlanOptions::default() };
    ctx.check_memory(&Plan::new(&point, largest)?)?;
    let options =
        ServeOptions { host: args.host, port: args.port, token: args.token, open: args.open, quiet: args.common.quiet };
    let signal = crate::serve::http::serve(workshop, options, ctx.shared_pool())?;
    std::process::exit(128 + signal);
}
