//! The command line as clap parses it: raw arguments, nothing checked beyond their types. The
//! handlers in [`super::commands`] turn them into plans and options; the safety every command
//! shares (threads, memory, signals, output, progress) is in [`CommonArgs`] and
//! [`super::context::Context`].

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// How long until customer-community feedback reaches 80% of the developers — and what changes it.
#[derive(Parser, Debug)]
#[command(name = "permeate", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Run a scenario and write the results folder.
    Run(RunArgs),
    /// Validate a scenario and its files and print the organisation's summary.
    Check(CheckArgs),
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
    /// On what the answer hinges: PRIM scenario discovery over a results folder's worlds
    /// (`worlds.csv`): the box of factor ranges in which an outcome holds; writes discover.json
    /// and discover.csv.
    Discover(DiscoverArgs),
    /// Workshop mode: a local web page with the scenario's levers (sliders, toggles, the file's
    /// variants as presets) that answers every setting with its paired comparison to the
    /// baseline, and saves the settings tried as [[variants]] (see docs/serve.md).
    Serve(ServeArgs),
    /// Print a JSON Schema (draft 7) on stdout: of the scenario file (the default), for editors'
    /// TOML plugins (e.g. Even Better TOML / Taplo: a `#:schema PATH` first line in the
    /// scenario), or of a JSON document permeate writes (`--of summary`, ...).
    Schema(SchemaArgs),
    /// Print shell completions on stdout, e.g. `permeate completions bash > ~/.local/share/bash-completion/completions/permeate`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, e.g. `permeate man > permeate.1; man ./permeate.1`.
    Man,
}

/// `permeate serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// The port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8022)]
    pub(crate) port: u16,
    /// The address to bind. Other than loopback (127.0.0.1, ::1) it needs --token.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: std::net::IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// A bearer token every /api request must carry (`Authorization: Bearer T`); needed off
    /// loopback.
    #[arg(long, value_name = "T")]
    pub(crate) token: Option<String>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate schema`.
#[derive(clap::Args, Debug)]
pub(crate) struct SchemaArgs {
    /// Which document's schema: the scenario file or one of the JSON outputs.
    #[arg(long, value_enum, default_value = "scenario")]
    pub(crate) of: super::schemas::Document,
}

/// `permeate discover`.
#[derive(clap::Args, Debug)]
pub(crate) struct DiscoverArgs {
    /// A results folder of a run with worlds (`[uncertain]`, `--posterior` or a sensitivity
    /// study): it has `worlds.csv`.
    pub(crate) results: PathBuf,
    /// What makes a world a case: `reached` (the point reaches the threshold in more than half of
    /// the world's replications), `goal` (it meets the `[goal]` there) or `delta:VARIANT` (VARIANT
    /// is faster than the reference in more than half of them).
    #[arg(long, default_value = "reached")]
    pub(crate) outcome: String,
    /// The point judged by `reached` and `goal` [default: baseline].
    #[arg(long, value_name = "NAME")]
    pub(crate) variant: Option<String>,
    /// Output folder [default: the results folder's name with `-discover`, beside it].
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate completions`.
#[derive(clap::Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub(crate) shell: clap_complete::Shell,
}

/// What every subcommand takes: the one place the threads, the memory limit and the quiet flag
/// are declared, so a new subcommand cannot forget them.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct CommonArgs {
    /// Worker threads [default: all cores; at most 4 per core]. Results do not depend on it.
    #[arg(short = 'j', long)]
    pub(crate) threads: Option<usize>,
    /// Refuse work estimated to need more memory than this (e.g. 8G, 512M) [default: 75% of the
    /// memory this process may use: the machine's, its cgroup's `memory.max` or `ulimit -v`,
    /// whichever is smallest].
    #[arg(long, value_name = "SIZE", value_parser = crate::engine::budget::parse_size)]
    pub(crate) max_memory: Option<u64>,
    /// No progress on stderr and nothing on stdout (errors and warnings still go to stderr).
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// What the command line changes in the scenario file as it is loaded: `--set` (repeatable).
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct SetArgs {
    /// Set a dotted path of the baseline, as if written into the file (repeatable), e.g.
    /// `--set involvement.fraction=0.2`. The same paths and checks as a variant's `set`; variants
    /// that set the same path keep their own value. VALUE is TOML (`0.2`, `true`, `"text"`) or a
    /// bare word.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
}

/// `--variant` (repeatable): run only some design points.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct VariantArgs {
    /// Run only this variant or sweep point (repeatable); the baseline (and the `compare_to`
    /// reference) always run. Their numbers are the same as in a run of all points.
    #[arg(long = "variant", value_name = "NAME")]
    pub(crate) variant: Vec<String>,
}

/// `permeate check`.
#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// The scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// Print the organisation summary, design points, uncertain factors, warnings and memory estimate as JSON on stdout (nothing else there).
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) overrides: SetArgs,
    #[command(flatten)]
    pub(crate) points: VariantArgs,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate optimise`.
#[derive(clap::Args, Debug)]
pub(crate) struct OptimiseArgs {
    /// The scenario file (TOML), with a [goal].
    pub(crate) scenario: PathBuf,
    /// The lever's dotted path: involvement.fraction, channels.NAME.transmit,
    /// channels.NAME.notice, roles.NAME.notice or community_manager.mandate_effect.notice.
    #[arg(long, value_name = "PATH")]
    pub(crate) lever: String,
    /// The lowest setting to consider.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) min: f64,
    /// The highest setting to consider.
    #[arg(long, default_value_t = 1.0)]
    pub(crate) max: f64,
    /// Stop when the remaining interval is at most this wide.
    #[arg(long, default_value_t = crate::study::optimise::DEFAULT_RESOLUTION)]
    pub(crate) resolution: f64,
    /// Replications per setting tried (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    pub(crate) replications: Option<u64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Output folder [default: results/<scenario file stem>-optimise/].
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) overrides: SetArgs,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate import`.
#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    /// The HR export (CSV): one row per employee.
    #[arg(long, value_name = "EXPORT.csv")]
    pub(crate) hr: PathBuf,
    /// The map (TOML): which columns hold what, titles to roles, channels, thresholds.
    #[arg(long, value_name = "MAP.toml")]
    pub(crate) map: PathBuf,
    /// Message counts per pair (CSV), e.g. from chat or e-mail metadata over 90 days.
    #[arg(long, value_name = "MESSAGES.csv")]
    pub(crate) messages: Option<PathBuf>,
    /// A time-stamped message log (CSV, or an edge list): one row per message or contact; its
    /// links get waiting times estimated from the log (see docs/import.md).
    #[arg(long, value_name = "EVENTS.csv")]
    pub(crate) events: Option<PathBuf>,
    /// Replace employee ids, manager ids, names, titles and teams by keyed hashes (HMAC-SHA256
    /// with SALT as the key) in every file written; the same SALT gives the same pseudonyms.
    /// Keep SALT secret and out of the folder (see docs/import.md).
    #[arg(long, value_name = "SALT")]
    pub(crate) pseudonymise: Option<String>,
    /// With --events: list the people seen (sending) on fewer than this share (0–1) of the log's
    /// working days; presence.csv has everybody.
    #[arg(long, value_name = "SHARE", default_value_t = crate::import::DEFAULT_MIN_PRESENCE)]
    pub(crate) min_presence: f64,
    /// Output folder for the organisation (written whole or not at all).
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate sensitivity`.
#[derive(clap::Args, Debug)]
pub(crate) struct SensitivityArgs {
    /// The scenario file (TOML), with an `[uncertain]` section.
    pub(crate) scenario: PathBuf,
    /// Replications per world and variant (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    pub(crate) replications: Option<u64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Output folder [default: results/<scenario file stem>-sensitivity/].
    #[arg(short, long)]
    pub(crate) out: Option<PathBuf>,
    /// Run only shard I of N of the study (e.g. 3/8) and write a partial results folder for
    /// `permeate merge` [default output: results/<scenario file stem>-sensitivity-shard-I-of-N/].
    #[arg(long, value_name = "I/N")]
    pub(crate) shard: Option<String>,
    /// Base samples N of a Sobol study (N·(k+2) worlds for k factors) or trajectories r of a
    /// Morris study (r·(k+1) worlds) [default: 256 for Sobol, 20 for Morris].
    #[arg(long)]
    pub(crate) samples: Option<u32>,
    /// `sobol` (first- and total-order indices with bootstrap intervals) or `morris` (μ*, σ
    /// screening, for many factors).
    #[arg(long, default_value = "sobol")]
    pub(crate) method: String,
    #[command(flatten)]
    pub(crate) overrides: SetArgs,
    #[command(flatten)]
    pub(crate) points: VariantArgs,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate calibrate`.
#[derive(clap::Args, Debug)]
pub(crate) struct CalibrateArgs {
    /// The scenario file (TOML) with an `[uncertain]` section.
    pub(crate) scenario: PathBuf,
    /// The observations (CSV): `item,person,processed_hours[,observed_hours]` or
    /// `item,hours,share`.
    pub(crate) observations: PathBuf,
    /// Output folder [default: results/<scenario file stem>-calibration/].
    #[arg(short, long)]
    pub(crate) out: Option<PathBuf>,
    /// Observation window in hours of items without an `observed_hours` value.
    #[arg(long, value_name = "HOURS")]
    pub(crate) observed_hours: Option<f64>,
    /// Most simulated data sets (each one replication per observed item).
    #[arg(long, default_value_t = crate::study::calibrate::DEFAULT_BUDGET)]
    pub(crate) budget: u64,
    /// Particles per population.
    #[arg(long, default_value_t = crate::study::calibrate::abc::DEFAULT_PARTICLES)]
    pub(crate) particles: usize,
    /// Stop once the ABC tolerance (distance) is at or below this [default: no such stop].
    #[arg(long)]
    pub(crate) tolerance: Option<f64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Plausible worlds drawn from the prior and from the posterior for the predicted T (overrides
    /// the scenario's `uncertain.worlds`, default 200).
    #[arg(long)]
    pub(crate) worlds: Option<u32>,
    /// Replications per world of the predicted T (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    pub(crate) replications: Option<u64>,
    #[command(flatten)]
    pub(crate) overrides: SetArgs,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate merge`.
#[derive(clap::Args, Debug)]
pub(crate) struct MergeArgs {
    /// The partial results folders, one per shard, in any order.
    #[arg(required = true)]
    pub(crate) shards: Vec<PathBuf>,
    /// Output folder for the merged results.
    #[arg(short, long)]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `permeate run`.
#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// The scenario file (TOML).
    pub(crate) scenario: PathBuf,
    /// Replications per variant (overrides the scenario's `replications`).
    #[arg(short = 'n', long)]
    pub(crate) replications: Option<u64>,
    /// Seed of all random draws (overrides the scenario's `seed`).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Output folder [default: results/<scenario file stem>/].
    #[arg(short, long)]
    pub(crate) out: Option<PathBuf>,
    /// With `[uncertain]`: how many plausible worlds to draw (overrides the scenario's
    /// `uncertain.worlds`, default 200).
    #[arg(long)]
    pub(crate) worlds: Option<u32>,
    /// Run over the worlds of a calibration's posterior (its posterior.csv, resampled to equal
    /// weights; as many worlds as particles, or --worlds) instead of the prior's.
    #[arg(long, value_name = "POSTERIOR.csv")]
    pub(crate) posterior: Option<PathBuf>,
    /// Run only shard I of N of the study (e.g. 3/8) and write a partial results folder for
    /// `permeate merge` [default output: results/<scenario file stem>-shard-I-of-N/].
    #[arg(long, value_name = "I/N")]
    pub(crate) shard: Option<String>,
    /// Print summary.json on stdout when done (nothing else there; no progress).
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) overrides: SetArgs,
    #[command(flatten)]
    pub(crate) points: VariantArgs,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}
