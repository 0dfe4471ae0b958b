//! Scenarios: the TOML file is parsed into raw serde structs (`raw`), each variant's overrides
//! are applied to the TOML table (`overrides`), and every variant is validated into a typed
//! [`Variant`] (`validate`). Nothing after this module sees raw input.

mod calendars;
mod context;
pub(crate) mod costs;
mod facts;
pub(crate) mod locate;
mod overrides;
pub(crate) mod raw;
mod replay;
mod summary;
mod timing;
pub(crate) mod uncertain;
mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::design::Design;
use crate::error::{InputError, InputErrorKind};
use crate::model::{ChannelParams, InvolvementSpec, Params, RoleParams, StructureSpec};
use crate::org::{Direction, Organisation, PersonIdx, read_scenario_text};
use crate::random::dist::Dist;

pub use crate::analysis::facts::ordinal_suffix;
pub use crate::model::{ChannelId, MandateEffect, Timing};

/// Default number of replications when the scenario does not say.
pub const DEFAULT_REPLICATIONS: u64 = 1000;
/// The most replications a scenario may ask for per variant (memory: about 16 bytes each per
/// variant for the results, 40 while a variant runs).
pub const MAX_REPLICATIONS: u64 = 10_000_000;
/// Default horizon in hours (250 working days of 8 hours).
pub const DEFAULT_HORIZON_HOURS: f64 = 2000.0;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default share of the target that must have processed the item.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Default number of time points of the adoption curve.
pub const DEFAULT_CURVE_POINTS: u32 = 201;
pub use crate::engine::outcome::MAX_CURVE_POINTS;

/// A validated scenario: shared settings and its variants, baseline first.
#[derive(Debug)]
pub struct Scenario {
    /// The scenario's name (`name`).
    pub(crate) name: String,
    /// Free text (`description`).
    pub(crate) description: Option<String>,
    /// The scenario file.
    pub(crate) file: PathBuf,
    /// A stable hash of the scenario file's text (part of a study's fingerprint).
    pub(crate) source_hash: u64,
    /// Seed of all random draws (`seed`); a [`crate::study::plan::Plan`] may run another.
    pub(crate) seed: u64,
    /// Replications per variant (`replications`); a plan may run another count.
    pub(crate) replications: u64,
    /// Simulated time in hours; later processing counts as never (`horizon_hours`).
    pub(crate) horizon_hours: f64,
    /// Points of the adoption curve's time grid (`output.curve_points`).
    pub(crate) curve_points: u32,
    /// The curve's time grid ends here, in hours (`output.curve_hours`).
    pub(crate) curve_hours: f64,
    /// What the command line changed (`--set`, `--variant`), recorded in the results.
    pub(crate) overrides: Overrides,
    /// The experiment design: baseline, variants and sweep points as dotted-path values.
    pub(crate) design: Design,
    /// Each design point validated (same order as `design.points`); `variants[0]` is the
    /// baseline.
    pub(crate) variants: Vec<Variant>,
    /// The sweep's dotted paths and its points (each point is a variant), if any.
    pub(crate) sweep: Option<Sweep>,
    /// `[uncertain]`: the factors and where they act, if any.
    pub(crate) uncertainty: Option<uncertain::Uncertainty>,
    /// The reference of the paired comparisons (`compare_to`): an index into `variants`, 0 = the
    /// baseline.
    pub(crate) reference: usize,
    /// `[costs]` and the variants' `cost`: the rates and every design point's cost, if any.
    pub(crate) costs: Option<costs::Costs>,
    /// `[goal]`: the time T must meet and with what probability, if any.
    pub(crate) goal: Option<crate::analysis::goal::Goal>,
}

/// Read access: a loaded scenario is immutable (a study's own seed and replications are the
/// [`crate::study::plan::Plan`]'s).
impl Scenario {
    /// The scenario's name (`name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Free text (`description`).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The scenario file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A stable hash of the scenario file's text (part of a study's fingerprint).
    pub fn source_hash(&self) -> u64 {
        self.source_hash
    }

    /// Seed of all random draws (`seed`); a [`crate::study::plan::Plan`] may run another.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Replications per variant (`replications`); a plan may run another count.
    pub fn replications(&self) -> u64 {
        self.replications
    }

    /// Simulated time in hours; later processing counts as never (`horizon_hours`).
    pub fn horizon_hours(&self) -> f64 {
        self.horizon_hours
    }

    /// Points of the adoption curve's time grid (`output.curve_points`).
    pub fn curve_points(&self) -> u32 {
        self.curve_points
    }

    /// The curve's time grid ends here, in hours (`output.curve_hours`).
    pub fn curve_hours(&self) -> f64 {
        self.curve_hours
    }

    /// What the command line changed (`--set`, `--variant`).
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// The experiment design: baseline, variants and sweep points as dotted-path values.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Each design point validated (same order as the design's points); the first is the baseline.
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }

    /// The sweep's dotted paths and its points, if any.
    pub fn sweep(&self) -> Option<&Sweep> {
        self.sweep.as_ref()
    }

    /// `[uncertain]`: the factors and where they act, if any.
    pub fn uncertainty(&self) -> Option<&uncertain::Uncertainty> {
        self.uncertainty.as_ref()
    }

    /// The reference of the paired comparisons (`compare_to`): an index into the variants, 0 = the baseline.
    pub fn reference(&self) -> usize {
        self.reference
    }

    /// `[costs]` and the variants' `cost`, if any.
    pub fn costs(&self) -> Option<&costs::Costs> {
        self.costs.as_ref()
    }

    /// `[goal]`: the time T must meet and with what probability, if any.
    pub fn goal(&self) -> Option<&crate::analysis::goal::Goal> {
        self.goal.as_ref()
    }
}

/// One point of a sweep: the values of the swept paths and the index of the variant running it.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// The values, in the order of [`Sweep::paths`], as TOML values.
    pub values: Vec<toml::Value>,
    /// Index into [`Scenario::variants`].
    pub variant: usize,
}

/// A `[sweep]`: the swept dotted paths and which variant runs each point.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The swept dotted paths, in file order.
    pub paths: Vec<String>,
    /// One entry per point of the grid.
    pub points: Vec<SweepPoint>,
}

/// One variant of a scenario, fully validated: what the model compiler needs.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `baseline` or the variant's `name`.
    pub name: String,
    /// The variant's `description`.
    pub description: Option<String>,
    /// The organisation (shared between variants that do not change it).
    pub org: Arc<Organisation>,
    /// The channels, by [`ChannelId`].
    pub channels: Vec<Channel>,
    /// For each channel name of the organisation (`org.channels`), the channel's id.
    pub org_channel: Vec<ChannelId>,
    /// Role behaviour, indexed like `org.roles`.
    pub roles: Vec<Role>,
    /// Links added by the variant (`add_links`) or by the community manager's settings.
    pub extra_links: Vec<ExtraLink>,
    /// Where the item appears (processed at time 0).
    pub sources: Vec<PersonIdx>,
    /// The target group whose processing is measured.
    pub target: Vec<PersonIdx>,
    /// How the target was selected, for people ("role developer", "everyone", ...).
    pub target_label: String,
    /// Share of the target that must have processed the item, in (0, 1].
    pub threshold: f64,
    /// The community managers, in file order (none, one `[community_manager]`, or a list
    /// `[[community_manager]]`).
    pub community_managers: Vec<CommunityManager>,
    /// The people of `community_managers` with a mandate, in the same order: their messages are
    /// priority work (the effect of the `i`-th is `params().priority[i]`).
    pub priority_senders: Vec<PersonIdx>,
    /// Cross-functional involvement, if the scenario has it.
    pub involvement: Option<Involvement>,
    /// The `[[watchers]]` groups, in file order.
    pub watchers: Vec<crate::model::Watchers>,
    /// Working calendars and the start, if the scenario has `[calendars]`.
    pub calendar: Option<Arc<crate::model::calendar::CalendarSetup>>,
}

/// A communication channel's behaviour.
#[derive(Debug, Clone)]
pub struct Channel {
    /// The channel's name, e.g. `chat`.
    pub name: String,
    /// Time for a message to travel and be seen, hours.
    pub delay: Dist,
    /// Probability that a sender passes the item on over a link of this channel.
    pub transmit: f64,
    /// If set, replaces the receiver's notice probability for deliveries over this channel.
    pub notice: Option<f64>,
    /// How the channel's links time their deliveries (`timing`, `every`).
    pub timing: Timing,
}

/// A role's behaviour.
#[derive(Debug, Clone)]
pub struct Role {
    /// The role's name, e.g. `developer`.
    pub name: String,
    /// Probability that a delivered message is perceived and taken up.
    pub notice: f64,
    /// Hours from a noticed delivery to "processed".
    pub processing: Dist,
    /// Hours after processing during which the person passes the item on; `None` = unlimited.
    pub window: Option<Dist>,
    /// Probability that a person of this role is away for the whole horizon, 0–1.
    pub absent: f64,
    /// False when the role had no `[roles.*]` table and uses the defaults.
    pub defined: bool,
}

/// A link that does not come from the organisation's links (`add_links`, or the community
/// manager's settings).
pub type ExtraLink = crate::model::LinkSpec;

/// The community manager and their internal effect.
#[derive(Debug, Clone)]
pub struct CommunityManager {
    /// Who it is.
    pub person: PersonIdx,
    /// Whether the manager has an internal mandate.
    pub mandate: bool,
    /// What the mandate changes.
    pub effect: MandateEffect,
    /// The dotted key of the manager's table: `community_manager`, or `community_manager.N`
    /// (from 0) in a list; its mandate is toggled by `KEY.mandate`.
    pub key: String,
}

/// Cross-functional involvement: a nested random share of a group follows the community.
#[derive(Debug, Clone)]
pub struct Involvement {
    /// Share of the group that is involved in a replication, 0–1.
    pub fraction: f64,
    /// The group (by default the developers).
    pub group: Vec<PersonIdx>,
    /// The community node(s) they follow.
    pub community: Vec<PersonIdx>,
    /// The community-feed channel.
    pub channel: ChannelId,
    /// `Forward`: community → person only; `Both`: they also post to the community.
    pub direction: Direction,
}

/// Caches organisations so that variants share them (and CSV files are read once).
#[derive(Debug, Default, Clone)]
pub(crate) struct OrgCache {
    csv: HashMap<(PathBuf, PathBuf), Arc<Organisation>>,
    generated: Vec<(crate::org::generate::GeneratorSpec, Arc<Organisation>)>,
    replay: Vec<(replay::CacheKey, Arc<Organisation>)>,
    /// People and links files with a meetings file (people, links, meetings).
    meetings: Vec<((PathBuf, PathBuf, PathBuf), Arc<Organisation>)>,
}

/// Changes the command line makes to a scenario file as it is loaded: `--set PATH=VALUE`
/// (applied to the baseline, as if written into the file: variants and sweep points that set the
/// same path keep their own value) and `--variant NAME` (run only these points; the baseline and
/// the `compare_to` reference always). Empty = the file as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// (dotted path, value) in command-line order; validated like a variant's `set`.
    pub set: Vec<(String, toml::Value)>,
    /// The names of the variants (or sweep points) to run; empty = all.
    pub variants: Vec<String>,
}

impl Overrides {
    /// Whether the file is loaded as written.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.variants.is_empty()
    }

    /// The `--set` entries as `PATH=VALUE` with the value in TOML syntax (`0.2`, `"text"`), for
    /// the results and the report.
    pub fn set_text(&self) -> Vec<String> {
        self.set.iter().map(|(p, v)| format!("{p}={v}")).collect()
    }
}

/// Parses a command-line `--set` argument `PATH=VALUE`: VALUE in TOML syntax (`0.2`, `true`,
/// `"text"`, `[1, 2]`, `{ dist = "fixed", value = 4 }`), or else a bare word taken as a string
/// (`scheduled`). The path is checked when the scenario is loaded.
pub fn parse_set_argument(arg: &str) -> Result<(String, toml::Value), String> {
    let example = "e.g. --set involvement.fraction=0.2 or --set channels.chat.notice=0.5";
    let Some((path, value)) = arg.split_once('=') else {
        return Err(format!("--set {arg}: give PATH=VALUE, {example}"));
    };
    let (path, value) = (path.trim(), value.trim());
    if path.is_empty() || value.is_empty() {
        return Err(format!("--set {arg}: both the path and the value are needed, {example}"));
    }
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .filter(|t| t.len() == 1)
        .and_then(|mut t| t.remove("v"));
    match parsed {
        Some(v) => Ok((path.to_string(), v)),
        None if value.chars().all(|c| c.is_alphanumeric() || "-_.:+ ".contains(c)) => {
            Ok((path.to_string(), toml::Value::String(value.to_string())))
        }
        None => {
            Err(format!("--set {arg}: the value is not a TOML value; quote text (--set 'PATH=\"text\"'), {example}"))
        }
    }
}

/// The JSON Schema (draft 7) of the scenario file, made from the raw types the loader reads
/// (so it has every key, and `additionalProperties: false` where the loader refuses unknown
/// keys). `[uncertain]` and the values of `set` and `[sweep]` are described loosely (any
/// table or value): their checks depend on the paths they name. Pretty JSON with a final
/// newline; committed as `docs/scenario.schema.json`.
pub fn json_schema() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<raw::RawScenario>();
    schema.insert("title".into(), "permeate scenario".into());
    schema.insert(
        "description".into(),
        "A permeate scenario file (TOML): the organisation, channels, roles, variants and study settings; see docs/scenario-format.md.".into(),
    );
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}

impl Scenario {
    /// Reads, parses and validates the scenario file at `path` with all its variants.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        Scenario::load_with(path, &Overrides::default())
    }

    /// Like [`Scenario::load`], with the command line's changes applied.
    pub fn load_with(path: &Path, overrides: &Overrides) -> Result<Scenario, InputError> {
        let text = read_scenario_text(path)?;
        overrides::load(path, &text, overrides)
    }

    /// Parses and validates scenario `text` as if read from `path` (the files it names are
    /// relative to `path`'s folder). For tools and fuzzers that hold the text already.
    pub fn from_text(path: &Path, text: &str) -> Result<Scenario, InputError> {
        overrides::load(path, text, &Overrides::default())
    }

    /// Like [`Scenario::from_text`], with `overrides` applied (as [`Scenario::load_with`]).
    pub fn from_text_with(path: &Path, text: &str, overrides: &Overrides) -> Result<Scenario, InputError> {
        overrides::load(path, text, overrides)
    }

    /// Like [`Scenario::from_text_with`], sharing the organisations of `cache` and adding
    /// those it builds (workshop mode loads each request's point this way: the organisation is
    /// generated or read once, at start).
    pub(crate) fn from_text_cached(
        path: &Path,
        text: &str,
        overrides: &Overrides,
        cache: &mut OrgCache,
    ) -> Result<Scenario, InputError> {
        overrides::load_cached(path, text, overrides, cache)
    }

    /// The baseline variant.
    pub fn baseline(&self) -> &Variant {
        &self.variants[0]
    }

    /// Warnings for people: every role of the baseline (but the community's) that has no
    /// `[roles.NAME]` table and so acts with the defaults, and every variant or uncertain factor
    /// name that a spreadsheet would take for a formula, said in words.
    pub fn default_warnings(&self) -> Vec<String> {
        let b = self.baseline();
        let mut people = vec![0usize; b.org.roles.len()];
        for p in &b.org.people {
            people[p.role as usize] += 1;
        }
        let mut warnings: Vec<String> = b
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.defined && r.name != validate::COMMUNITY_ROLE)
            .map(|(i, r)| {
                format!(
                    "role \"{}\" has no [roles.{}] table, so its {} people act with the defaults: they notice every \
                     message (notice 1), process it at once (no processing time) and pass it on for as long as the \
                     horizon (no window); add a table if that is not what you mean, or set strict = true to make this \
                     an error",
                    r.name,
                    r.name,
                    people.get(i).copied().unwrap_or(0)
                )
            })
            .collect();
        // Names that reach the first cells of the data files (issue 20, defect 19).
        let formula = crate::error::starts_like_a_formula;
        for v in self.variants.iter().filter(|v| formula(&v.name)) {
            warnings.push(crate::error::formula_warning("variant name", &v.name));
        }
        for f in self.uncertainty.iter().flat_map(|u| &u.factors).filter(|f| formula(&f.name)) {
            warnings.push(crate::error::formula_warning("uncertain factor name", &f.name));
        }
        warnings
    }
}

impl Variant {
    /// The structure of this variant's model; `channel_names` are its channels' names in
    /// channel-id order (see [`Variant::channel_names`]).
    pub fn structure_spec<'a>(&'a self, channel_names: &'a [&'a str]) -> StructureSpec<'a> {
        StructureSpec {
            org: &self.org,
            org_channel: &self.org_channel,
            channel_names,
            extra_links: &self.extra_links,
            involvement: self.involvement.as_ref().map(|inv| InvolvementSpec {
                group: &inv.group,
                community: &inv.community,
                channel: inv.channel,
                direction: inv.direction,
            }),
            watchers: &self.watchers,
            priority_senders: &self.priority_senders,
            sources: &self.sources,
            target: &self.target,
        }
    }

    /// Compiles this variant's model from scratch (structure and parameters).
    pub fn compile(&self, horizon_hours: f64) -> Result<crate::model::Model, crate::model::ModelError> {
        let names = self.channel_names();
        crate::model::Model::compile(&self.structure_spec(&names), &self.params(horizon_hours))
    }

    /// The channel names in channel-id order.
    pub fn channel_names(&self) -> Vec<&str> {
        self.channels.iter().map(|c| c.name.as_str()).collect()
    }

    /// The parameters of this variant's model.
    pub fn params(&self, horizon_hours: f64) -> Params {
        Params {
            channels: self
                .channels
                .iter()
                .map(|c| ChannelParams {
                    transmit: c.transmit,
                    notice: c.notice,
                    delay: c.delay.clone(),
                    timing: c.timing,
                })
                .collect(),
            roles: self
                .roles
                .iter()
                .map(|r| RoleParams {
                    notice: r.notice,
                    processing: r.processing.clone(),
                    window: r.window.clone(),
                    absent: r.absent,
                })
                .collect(),
            priority: self.community_managers.iter().filter(|c| c.mandate).map(|c| c.effect).collect(),
            involvement_fraction: self.involvement.as_ref().map(|i| i.fraction),
            watcher_shares: self.watchers.iter().map(|w| w.share).collect(),
            threshold: self.threshold,
            horizon_hours,
            calendar: self.calendar.clone(),
        }
    }

    /// Whether this variant's model has the same structure as `other`'s, so that one compiled
    /// structure serves both (only parameters differ).
    pub fn same_structure(&self, other: &Variant) -> bool {
        let (a, b) = (self.channel_names(), other.channel_names());
        self.structure_spec(&a) == other.structure_spec(&b)
    }
}

pub(crate) fn probability(v: f64) -> Result<f64, InputErrorKind> {
    if (0.0..=1.0).contains(&v) { Ok(v) } else { Err(InputErrorKind::Probability(v)) }
}
