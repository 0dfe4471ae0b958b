//! The scenario file as written: serde structs that mirror the TOML one to one. Unknown keys are
//! errors (`deny_unknown_fields`). Nothing here is validated beyond types; `validate`
//! turns these into a typed [`super::Variant`].

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// The whole scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: String,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub replications: Option<u64>,
    pub horizon_hours: Option<f64>,
    pub organisation: RawOrganisation,
    #[serde(default)]
    pub channels: IndexMap<String, RawChannel>,
    #[serde(default)]
    pub roles: IndexMap<String, RawRole>,
    pub source: Option<RawSelector>,
    pub target: Option<RawTarget>,
    pub community_manager: Option<RawManagers>,
    pub involvement: Option<RawInvolvement>,
    /// `[[watchers]]`: nested random shares of groups that watch the community.
    #[serde(default)]
    pub watchers: Vec<RawWatchers>,
    pub output: Option<RawOutput>,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    #[schemars(with = "Option<IndexMap<String, Vec<serde_json::Value>>>")]
    pub sweep: Option<IndexMap<String, Vec<toml::Value>>>,
    /// `[uncertain]`: read by `super::uncertain` (its keys are dotted paths).
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub uncertain: Option<toml::Value>,
    /// The reference variant of the paired comparisons (default the baseline).
    pub compare_to: Option<String>,
    /// `strict = true`: a role without a `[roles.NAME]` table is an error instead of a warning.
    pub strict: Option<bool>,
    // Absence: the scenario-wide default of `roles.*.absent` (`timing.rs`).
    pub absent: Option<f64>,
    // Calendars (`calendars.rs`).
    #[serde(default)]
    pub calendars: IndexMap<String, RawCalendar>,
    pub calendar: Option<String>,
    pub start: Option<RawStart>,
    // Costs, worth and the goal (`costs.rs`).
    pub costs: Option<RawCosts>,
    pub goal: Option<RawGoal>,
}

/// `[costs]`: hours per month per unit of each lever, and the value of time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCosts {
    pub involvement: Option<f64>,
    pub mandate_manager: Option<f64>,
    pub mandate_per_receiver: Option<f64>,
    pub money_per_hour: Option<f64>,
    pub currency: Option<String>,
    pub items_per_month: Option<f64>,
    pub value_per_item_day: Option<f64>,
    #[serde(default)]
    pub channels: IndexMap<String, RawChannelCost>,
}

/// `[costs.channels.NAME]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannelCost {
    pub per_occurrence: Option<f64>,
    pub per_attendee: Option<f64>,
    pub occurrences_per_month: Option<f64>,
}

/// `[goal]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGoal {
    pub t_threshold_hours: Option<f64>,
    pub t_threshold_working_days: Option<f64>,
    pub probability: Option<f64>,
    pub threshold: Option<f64>,
    pub calendar: Option<String>,
}

/// `[calendars.NAME]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendar {
    pub timezone: String,
    pub days: Option<String>,
    pub hours: Option<OneOrMany>,
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// `start`: a moment (RFC 3339 with offset) or `{ weekly = "uniform" }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RawStart {
    At(String),
    Weekly { weekly: String },
}

/// `[organisation]`: CSV files or a generator.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOrganisation {
    pub people: Option<String>,
    pub links: Option<String>,
    pub generate: Option<RawGenerate>,
    /// Replay mode: a time-stamped message log (CSV `time,sender,recipient`, path relative to
    /// the scenario) whose real messages are the organisation's links, over the channel `replay`.
    pub events: Option<String>,
    /// `[organisation.replay]`: how the `events` log is read and replayed.
    pub replay: Option<RawReplay>,
    /// Recurring meetings with their members (CSV `meeting,channel,members`, path relative to
    /// the scenario): each becomes the links among its members in one meeting group.
    pub meetings: Option<String>,
}

/// `[organisation.replay]`: how the `events` log is read and replayed (`super::replay`).
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReplay {
    /// `"csv"` (a header names the columns; the default) or `"edgelist"` (headerless
    /// `sender recipient seconds` lines separated by spaces or tabs).
    pub format: Option<String>,
    /// How times are written: `"rfc3339"` (with an offset; the default for CSV) or `"unix"`
    /// (seconds; the default for an edge list).
    pub time: Option<String>,
    /// The header of the time column (default `time`).
    pub time_column: Option<String>,
    /// The header of the sender column (default `sender`).
    pub sender: Option<String>,
    /// The header of the recipients column (default `recipient`; several ids separated by `;`).
    pub recipient: Option<String>,
    /// `false` for contact data: each row counts both ways (default `true`).
    pub directed: Option<bool>,
    /// The probability that one message from an informed person carries the item, in (0, 1]
    /// (default 1).
    pub per_message: Option<f64>,
    /// When the item appears, in hours after the log's first message: fixed (`12`) or drawn
    /// uniformly per replication from a window (`[0, 168]`); default the whole log.
    pub start: Option<RawReplayStart>,
    /// `"error"` (the default) or `"skip"`: rows naming a person not in the people file.
    pub unknown_people: Option<String>,
}

/// `organisation.replay.start`: hours after the log's first message, fixed or a window.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RawReplayStart {
    At(f64),
    Window(Vec<f64>),
}

/// `[organisation.generate]`.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGenerate {
    pub management: Option<u32>,
    pub management_role: Option<String>,
    pub cross_team_ties: Option<f64>,
    pub community: Option<bool>,
    pub community_id: Option<String>,
    pub units: Vec<RawUnit>,
    pub channels: Option<RawGenChannels>,
    #[serde(default)]
    pub bridges: Vec<RawBridge>,
}

/// `[[organisation.generate.bridges]]`: random links from people of one unit/role to another.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBridge {
    pub from_unit: String,
    pub from_role: Option<String>,
    pub to_unit: String,
    pub to_role: Option<String>,
    pub channel: String,
    pub per_person: Option<u32>,
}

/// `[[organisation.generate.units]]`.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUnit {
    pub name: String,
    pub teams: u32,
    pub team_size: u32,
    pub member_role: Option<String>,
    pub lead_role: Option<String>,
    pub head_role: Option<String>,
    pub coordination_channel: Option<String>,
    #[serde(default)]
    pub specialists: IndexMap<String, u32>,
    // The unit's working calendar (`calendars.rs`).
    pub calendar: Option<String>,
}

/// `[organisation.generate.channels]`: which channel each relation uses.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGenChannels {
    pub team: Option<String>,
    pub lead: Option<String>,
    pub heads: Option<String>,
    pub management: Option<String>,
    pub cross: Option<String>,
}

/// `[channels.NAME]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    // Documentation for the reader of the file; accepted (so it is not an unknown key) and unused.
    #[allow(dead_code)]
    pub description: Option<String>,
    /// Required unless `timing = "scheduled"` (see `timing.rs`).
    pub delay: Option<RawDist>,
    pub transmit: Option<f64>,
    pub notice: Option<f64>,
    // Channel timing (`timing.rs`).
    pub timing: Option<String>,
    pub every: Option<f64>,
    pub at: Option<Vec<String>>,
    pub calendar: Option<String>,
}

/// `[roles.NAME]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRole {
    // Documentation for the reader of the file; accepted (so it is not an unknown key) and unused.
    #[allow(dead_code)]
    pub description: Option<String>,
    pub notice: Option<f64>,
    pub processing: Option<RawDist>,
    pub window: Option<RawDist>,
    // Absence (`timing.rs`).
    pub absent: Option<f64>,
}

/// A distribution table, `{ dist = "...", ... }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum RawDist {
    Exponential {
        rate: Option<f64>,
        mean: Option<f64>,
    },
    Lognormal {
        median: f64,
        sigma: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Fixed {
        value: f64,
    },
    /// Exactly one of `quantiles` (hours, evenly spaced) or `file` (a CSV with a `hours` column).
    Empirical {
        quantiles: Option<Vec<f64>>,
        file: Option<String>,
    },
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize, PartialEq, JsonSchema)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names as a list.
    pub(crate) fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A selection of people: `id`, or `role` and/or `unit`, or `all = true`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSelector {
    pub id: Option<OneOrMany>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub all: Option<bool>,
}

/// `[target]`: a selector and the threshold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub id: Option<OneOrMany>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub all: Option<bool>,
    pub threshold: Option<f64>,
}

/// `[community_manager]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommunityManager {
    pub id: Option<String>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub watch_channel: Option<String>,
    pub mandate: Option<bool>,
    #[serde(default)]
    pub reach: Vec<RawReach>,
    pub mandate_effect: Option<RawMandateEffect>,
}

/// `[community_manager]` (one manager) or `[[community_manager]]` (a list of managers).
#[derive(Debug, Clone)]
pub(crate) enum RawManagers {
    /// The single-table form, `[community_manager]`.
    One(Box<RawCommunityManager>),
    /// The list form, `[[community_manager]]`.
    Many(Vec<RawCommunityManager>),
}

impl RawManagers {
    /// Each manager with the dotted key that names it in messages and variants' `set` paths:
    /// `community_manager` for the single table, `community_manager.N` (from 0) in a list.
    pub(crate) fn each(&self) -> Vec<(&RawCommunityManager, String)> {
        match self {
            RawManagers::One(m) => vec![(m.as_ref(), "community_manager".to_string())],
            RawManagers::Many(v) => v.iter().enumerate().map(|(i, m)| (m, format!("community_manager.{i}"))).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for RawManagers {
    /// A table or a list of tables, each read with `RawCommunityManager`'s own checks (unknown
    /// keys, types), so that errors keep their key and position.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Managers;
        impl<'de> serde::de::Visitor<'de> for Managers {
            type Value = RawManagers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table [community_manager] or a list of tables [[community_manager]]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawManagers, A::Error> {
                RawCommunityManager::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|m| RawManagers::One(Box::new(m)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<RawManagers, A::Error> {
                Vec::<RawCommunityManager>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(RawManagers::Many)
            }
        }
        d.deserialize_any(Managers)
    }
}

impl JsonSchema for RawManagers {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CommunityManagers".into()
    }

    /// A table or a list of tables, as [`RawManagers`] reads them.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = generator.subschema_for::<RawCommunityManager>();
        schemars::json_schema!({ "anyOf": [one, { "type": "array", "items": one }] })
    }
}

/// One entry of `community_manager.reach`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReach {
    pub id: Option<OneOrMany>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub all: Option<bool>,
    pub channel: String,
    /// `both` (default) or `forward`: from the manager to the reached people only.
    pub direction: Option<String>,
}

/// `[community_manager.mandate_effect]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMandateEffect {
    pub notice: Option<f64>,
    pub processing_factor: Option<f64>,
    pub joins_channel: Option<String>,
}

/// `[involvement]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInvolvement {
    pub fraction: f64,
    pub id: Option<OneOrMany>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub all: Option<bool>,
    pub channel: Option<String>,
    pub direction: Option<String>,
}

/// One `[[watchers]]` group.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWatchers {
    pub share: f64,
    pub id: Option<OneOrMany>,
    pub role: Option<OneOrMany>,
    pub unit: Option<OneOrMany>,
    pub all: Option<bool>,
    pub channel: Option<String>,
    pub direction: Option<String>,
}

/// `[output]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutput {
    pub curve_points: Option<u32>,
    pub curve_hours: Option<f64>,
}

/// `[[variants]]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub set: IndexMap<String, toml::Value>,
    #[serde(default)]
    pub add_links: Vec<RawLink>,
    /// People this variant adds (after everybody else, so nobody's draws change).
    #[serde(default)]
    pub add_people: Vec<RawPerson>,
    /// Hours per month this variant costs beyond its computed levers (`costs.rs`).
    pub cost: Option<f64>,
}

/// One person of `add_people`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPerson {
    pub id: String,
    pub unit: String,
    pub role: String,
    pub name: Option<String>,
    pub site: Option<String>,
}

/// One link of `add_links`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLink {
    pub source: String,
    pub target: String,
    pub channel: String,
    pub direction: Option<String>,
}
