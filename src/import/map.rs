//! The import map (TOML): which HR columns hold what, how titles become roles, which channels
//! the created links use, and the thresholds for message counts. Every key has a default
//! (documented in `docs/import.md`); unknown keys are errors.

use std::path::Path;

use serde::Deserialize;

use crate::error::{InputError, InputErrorKind};
use crate::scenario::locate::{line_of_key, toml_error};

/// Default role of a person whose title matches no `[[roles]]` rule.
pub(crate) const DEFAULT_ROLE: &str = "employee";
/// The smallest `[messages] weight_reference`: with it, `count / weight_reference` is finite for
/// every count below 1e8 (a messages file has fewer rows than that).
pub(crate) const MIN_WEIGHT_REFERENCE: f64 = 1e-300;

/// Default channel of manager ↔ direct report links.
pub(crate) const DEFAULT_MANAGER_CHANNEL: &str = "one_on_one";
/// Default channel of links within a team.
pub(crate) const DEFAULT_TEAM_CHANNEL: &str = "team_chat";
/// Default channel of pairs whose message count reaches the strong threshold.
pub(crate) const DEFAULT_STRONG_CHANNEL: &str = "chat_strong";
/// Default channel of pairs whose message count reaches only the weak threshold.
pub(crate) const DEFAULT_WEAK_CHANNEL: &str = "chat_weak";
/// Default strong threshold: about once a week over 90 days.
pub(crate) const DEFAULT_STRONG: u64 = 13;
/// Default weak threshold: about once a month over 90 days.
pub(crate) const DEFAULT_WEAK: u64 = 3;
/// Teams up to this size get a link between every pair of members.
pub(crate) const DEFAULT_ALL_PAIRS_UP_TO: u32 = 12;
/// In larger teams each member is linked to this many neighbours on each side of a ring.
pub(crate) const DEFAULT_RING_NEIGHBOURS: u32 = 3;
/// Id of the community node import adds.
pub(crate) const DEFAULT_COMMUNITY_ID: &str = "community";
/// Unit of the community node.
pub(crate) const DEFAULT_COMMUNITY_UNIT: &str = "external";
/// Channel between the community node and the people who watch it.
pub(crate) const DEFAULT_COMMUNITY_CHANNEL: &str = "community_watch";
/// Roles whose people are linked to the community node.
pub(crate) const DEFAULT_WATCHER_ROLE: &str = "community_manager";
/// The role of the community node (the scenario convention).
pub(crate) const COMMUNITY_ROLE: &str = "community";
/// The default target role of the skeleton (the scenario convention).
pub(crate) const DEFAULT_TARGET_ROLE: &str = "developer";
/// The default scenario name of the skeleton.
pub(crate) const DEFAULT_SCENARIO_NAME: &str = "Imported organisation";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    default_role: Option<String>,
    #[serde(default)]
    columns: RawColumns,
    #[serde(default)]
    roles: Vec<RawRule>,
    #[serde(default)]
    channels: RawChannels,
    #[serde(default)]
    teams: RawTeams,
    #[serde(default)]
    messages: RawMessages,
    #[serde(default)]
    community: RawCommunity,
    #[serde(default)]
    scenario: RawScenario,
    #[serde(default)]
    events: RawEvents,
    #[serde(default)]
    hr: RawFile,
    #[serde(default)]
    sites: indexmap::IndexMap<String, RawSite>,
}

/// A column named by its header, or by its 1-based position (`header = false`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ColumnRef {
    Name(String),
    Position(i64),
}

/// `[hr]`: how the HR export is written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    header: Option<bool>,
    delimiter: Option<String>,
}

/// `[sites.NAME]`: what a site's people get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    calendar: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvents {
    format: Option<String>,
    header: Option<bool>,
    delimiter: Option<String>,
    time_column: Option<ColumnRef>,
    sender: Option<ColumnRef>,
    recipient: Option<ColumnRef>,
    channel: Option<ColumnRef>,
    time: Option<String>,
    directed: Option<bool>,
    per_message: Option<f64>,
    unknown_people: Option<String>,
    horizon_hours: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    id: Option<ColumnRef>,
    manager: Option<ColumnRef>,
    unit: Option<ColumnRef>,
    team: Option<ColumnRef>,
    site: Option<ColumnRef>,
    name: Option<ColumnRef>,
    title: Option<ColumnRef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    pattern: String,
    role: String,
    unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannels {
    manager: Option<String>,
    team: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeams {
    all_pairs_up_to: Option<u32>,
    ring_neighbours: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessages {
    header: Option<bool>,
    delimiter: Option<String>,
    sender: Option<ColumnRef>,
    receiver: Option<ColumnRef>,
    count: Option<ColumnRef>,
    pairs: Option<String>,
    weight_cap_percentile: Option<f64>,
    strong: Option<u64>,
    weak: Option<u64>,
    strong_channel: Option<String>,
    weak_channel: Option<String>,
    unknown_people: Option<String>,
    weight_reference: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommunity {
    id: Option<String>,
    unit: Option<String>,
    channel: Option<String>,
    watchers: Option<Vec<String>>,
    watcher_shares: Option<indexmap::IndexMap<String, f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    target_role: Option<String>,
    calendar: Option<String>,
}

/// One HR column the map refers to: its header name, and whether the map named it explicitly
/// (then it must exist) or it is the default (then a missing column turns the feature off).
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The header name in the HR export.
    pub header: String,
    /// True when the map sets it; a missing column is then an error.
    pub explicit: bool,
    /// The map key, e.g. `columns.team`, for error messages.
    pub key: &'static str,
}

/// A title pattern: alternatives separated by `|`, each a case-insensitive substring, anchored
/// at the start of the title by a leading `^` and at the end by a trailing `$`.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    alternatives: Vec<(String, bool, bool)>,
}

impl Pattern {
    /// Parses a pattern; `Err` says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<Pattern, String> {
        let mut alternatives = Vec::new();
        for alt in text.split('|') {
            let alt = alt.trim();
            let (start, rest) = match alt.strip_prefix('^') {
                Some(r) => (true, r),
                None => (false, alt),
            };
            let (end, rest) = match rest.strip_suffix('$') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            if rest.is_empty() && !(start && end) {
                return Err(format!(
                    "the pattern \"{text}\" has an empty alternative; write alternatives separated by `|`, e.g. \"developer|engineer\""
                ));
            }
            alternatives.push((rest.to_lowercase(), start, end));
        }
        Ok(Pattern { alternatives })
    }

    /// True when the (already lower-cased) `title` matches any alternative.
    pub(crate) fn matches(&self, title: &str) -> bool {
        self.alternatives.iter().any(|(s, start, end)| match (start, end) {
            (true, true) => title == s,
            (true, false) => title.starts_with(s.as_str()),
            (false, true) => title.ends_with(s.as_str()),
            (false, false) => title.contains(s.as_str()),
        })
    }
}

/// One `[[roles]]` rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// The title pattern as written.
    pub text: String,
    /// The parsed pattern.
    pub pattern: Pattern,
    /// The role given to matching people.
    pub role: String,
    /// Only people of this unit (compared case-insensitively), if given.
    pub unit: Option<String>,
}

/// How message counts are aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pairs {
    /// Counts of both directions are summed; links are two-way.
    Unordered,
    /// Counts per direction; links are one-way (`forward`).
    Ordered,
}

/// The `[messages]` settings.
#[derive(Debug, Clone)]
pub(crate) struct MessagesMap {
    /// Column of the sender's id.
    pub sender: Column,
    /// Column of the receiver's id.
    pub receiver: Column,
    /// Column of the message count.
    pub count: Column,
    /// Aggregation per ordered or unordered pair.
    pub pairs: Pairs,
    /// Count at or above which a pair gets a strong link.
    pub strong: u64,
    /// Count at or above which a pair gets a weak link.
    pub weak: u64,
    /// Channel of strong links.
    pub strong_channel: String,
    /// Channel of weak links.
    pub weak_channel: String,
    /// Skip rows naming an unknown person (instead of refusing the file).
    pub skip_unknown: bool,
    /// If set, the message count that is one unit of link strength: each message link gets the
    /// weight `count / weight_reference` (links.csv column `weight`); if not, weight 1.
    pub weight_reference: Option<f64>,
    /// Counts above this percentile (nearest rank, over the pairs that get a link) are cut to it
    /// before the weight is computed; 100 cuts nothing.
    pub weight_cap_percentile: f64,
    /// Header and delimiter of the messages file.
    pub dialect: Dialect,
}

pub(crate) use crate::org::events::{EventsFormat, TimeFormat};

/// The default `[messages] weight_cap_percentile`: with fewer than 100 linked pairs the 99th
/// percentile (nearest rank) is the largest count, so small files are never cut.
pub(crate) const DEFAULT_WEIGHT_CAP_PERCENTILE: f64 = 99.0;

/// Default horizon of the waiting-time estimate and the skeleton, in hours.
pub(crate) const DEFAULT_EVENTS_HORIZON_HOURS: f64 = 2000.0;

/// The `[events]` settings (used with `--events`).
#[derive(Debug, Clone)]
pub(crate) struct EventsMap {
    /// CSV with a header, or a headerless edge list.
    pub format: EventsFormat,
    /// Header and delimiter of the CSV format.
    pub dialect: Dialect,
    /// Column of the time.
    pub time_column: Column,
    /// Column of the sender's id.
    pub sender: Column,
    /// Column of the recipients' ids (several separated by `;`).
    pub recipient: Column,
    /// Optional column of the channel (chat, e-mail, meeting); links are classed per channel.
    pub channel: Column,
    /// How times are written.
    pub time: TimeFormat,
    /// False for contact data: each event counts in both directions.
    pub directed: bool,
    /// The probability that one message carries the item (0 < p ≤ 1), thinning the messages.
    pub per_message: f64,
    /// Skip rows naming an unknown person (instead of refusing the file).
    pub skip_unknown: bool,
    /// The horizon in hours: waits longer than this count as "not carried"; also the skeleton's
    /// `horizon_hours`.
    pub horizon_hours: f64,
}

/// A validated import map.
#[derive(Debug, Clone)]
pub(crate) struct Map {
    /// Role of people matched by no rule.
    pub default_role: String,
    /// Header and delimiter of the HR export (`[hr]`).
    pub hr_dialect: Dialect,
    /// `[sites]`: site name → the calendar its people get, in the map's order.
    pub sites: Vec<(String, String)>,
    /// The scenario-wide calendar with `[sites]` (`[scenario] calendar`, else the first site's).
    pub calendar: Option<String>,
    /// HR column of the employee id.
    pub id: Column,
    /// HR column of the manager's employee id.
    pub manager: Column,
    /// HR column of the unit (department).
    pub unit: Column,
    /// HR column of the team.
    pub team: Column,
    /// HR column of the site.
    pub site: Column,
    /// HR column of the display name.
    pub name: Column,
    /// HR column of the job title.
    pub title: Column,
    /// Ordered title → role rules; the first match wins.
    pub rules: Vec<Rule>,
    /// Channel of manager ↔ report links.
    pub manager_channel: String,
    /// Channel of links within a team.
    pub team_channel: String,
    /// Teams up to this size get every pair.
    pub all_pairs_up_to: u32,
    /// Ring neighbours on each side in larger teams.
    pub ring_neighbours: u32,
    /// Message settings.
    pub messages: MessagesMap,
    /// Id of the community node.
    pub community_id: String,
    /// Unit of the community node.
    pub community_unit: String,
    /// Channel between the community node and its watchers.
    pub community_channel: String,
    /// Roles linked to the community node.
    pub watchers: Vec<String>,
    /// Roles of which a share watches the community node in each replication (the skeleton's
    /// `[[watchers]]`), with the share 0–1, in map order.
    pub watcher_shares: Vec<(String, f64)>,
    /// Name of the skeleton scenario.
    pub scenario_name: String,
    /// Target role of the skeleton scenario.
    pub target_role: String,
    /// Events settings.
    pub events: EventsMap,
}

fn column(value: Option<ColumnRef>, default: &str, key: &'static str) -> Column {
    match value {
        Some(ColumnRef::Name(h)) => Column { header: h.trim().to_string(), explicit: true, key },
        Some(ColumnRef::Position(n)) => Column { header: n.to_string(), explicit: true, key },
        None => Column { header: default.to_string(), explicit: false, key },
    }
}

pub(crate) use crate::org::events::Dialect;

/// Validates a file's `header` and `delimiter` and, with `header = false`, that every column the
/// map names is a position and every `required` one is named (`table` is the map table).
fn dialect(
    header: Option<bool>,
    delimiter: Option<String>,
    table: &str,
    columns: &[(&Column, bool)],
    err: &dyn Fn(&[&str], String) -> InputError,
) -> Result<Dialect, InputError> {
    let delimiter = match delimiter.as_deref() {
        None => None,
        Some(",") => Some(b','),
        Some("\t") | Some("tab") => Some(b'\t'),
        Some(";") => Some(b';'),
        Some("|") => Some(b'|'),
        Some(other) => {
            return Err(err(
                &[table, "delimiter"],
                format!("must be \",\", \"\\t\" (a tab), \";\" or \"|\", got {}", crate::error::quoted(other)),
            ));
        }
    };
    let header = header.unwrap_or(true);
    if !header {
        for (c, required) in columns {
            let key: Vec<&str> = c.key.split('.').collect();
            if !c.explicit && *required {
                return Err(err(
                    &[table, "header"],
                    format!(
                        "with header = false, give the position of every column, e.g. {} = 1 (`{}` is missing)",
                        key[1], c.key
                    ),
                ));
            }
            if c.explicit && !c.header.parse::<u32>().is_ok_and(|n| n >= 1) {
                return Err(err(
                    &key,
                    format!(
                        "with header = false (in [{table}]) a column is a position from 1, e.g. {} = 2, got {}",
                        key[1],
                        crate::error::quoted(&c.header)
                    ),
                ));
            }
        }
    }
    Ok(Dialect { header, delimiter })
}

/// Validates `[events]`; `err` builds an error at a map key.
fn events_map(e: RawEvents, err: &dyn Fn(&[&str], String) -> InputError) -> Result<EventsMap, InputError> {
    let format = match e.format.as_deref().map(str::trim) {
        None | Some("csv") => EventsFormat::Csv,
        Some("edgelist") => EventsFormat::EdgeList,
        Some(other) => {
            return Err(err(
                &["events", "format"],
                format!(
                    "must be \"csv\" (a header names the columns) or \"edgelist\" (headerless `sender recipient seconds` lines), got \"{other}\""
                ),
            ));
        }
    };
    let time = match e.time.as_deref().map(str::trim) {
        None | Some("rfc3339") => {
            if format == EventsFormat::EdgeList {
                TimeFormat::Unix
            } else {
                TimeFormat::Rfc3339
            }
        }
        Some("unix") => TimeFormat::Unix,
        Some(other) => {
            return Err(err(
                &["events", "time"],
                format!(
                    "must be \"rfc3339\" (e.g. 2026-03-02T09:15:00+01:00) or \"unix\" (seconds, e.g. 1772439300), got \"{other}\""
                ),
            ));
        }
    };
    let per_message = e.per_message.unwrap_or(1.0);
    if !(per_message.is_finite() && per_message > 0.0 && per_message <= 1.0) {
        return Err(err(
            &["events", "per_message"],
            format!(
                "must be a probability above 0 and at most 1 (the chance that one message carries the item), got {}; e.g. 0.3",
                crate::error::num(per_message)
            ),
        ));
    }
    let horizon_hours = e.horizon_hours.unwrap_or(DEFAULT_EVENTS_HORIZON_HOURS);
    if !(horizon_hours.is_finite() && horizon_hours > 0.0) {
        return Err(err(
            &["events", "horizon_hours"],
            format!("must be a positive number of hours, got {}; e.g. 2000", crate::error::num(horizon_hours)),
        ));
    }
    let skip_unknown = match e.unknown_people.as_deref().map(str::trim) {
        None | Some("error") => false,
        Some("skip") => true,
        Some(other) => {
            return Err(err(&["events", "unknown_people"], format!("must be \"error\" or \"skip\", got \"{other}\"")));
        }
    };
    let time_column = column(e.time_column, "time", "events.time_column");
    let sender = column(e.sender, "sender", "events.sender");
    let recipient = column(e.recipient, "recipient", "events.recipient");
    let channel = column(e.channel, "channel", "events.channel");
    let dialect = dialect(
        e.header,
        e.delimiter,
        "events",
        &[(&time_column, true), (&sender, true), (&recipient, true), (&channel, false)],
        err,
    )?;
    Ok(EventsMap {
        format,
        dialect,
        time_column,
        sender,
        recipient,
        channel,
        time,
        directed: e.directed.unwrap_or(true),
        per_message,
        skip_unknown,
        horizon_hours,
    })
}

impl Map {
    /// The map with every default (as if the map file were empty).
    #[cfg(test)]
    pub(crate) fn defaults() -> Map {
        Map::from_raw(RawMap::default(), Path::new("map.toml"), "").expect("the defaults are valid")
    }

    /// Reads and validates the map file.
    pub(crate) fn load(path: &Path) -> Result<Map, InputError> {
        let text = match std::fs::read(path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => String::new(),
            _ => crate::org::csv_input_read_text(path)?,
        };
        let raw: RawMap = toml::from_str(&text).map_err(|e| toml_error(path, Some(&text), &e))?;
        Map::from_raw(raw, path, &text)
    }

    fn from_raw(raw: RawMap, path: &Path, text: &str) -> Result<Map, InputError> {
        let err = |key: &[&str], msg: String| {
            let mut e = InputError::new(path, InputErrorKind::Invalid(msg)).at_key(key.join("."));
            e.line = line_of_key(text, key);
            e
        };
        let name = |value: Option<String>, default: &str, key: &[&str], what: &str| -> Result<String, InputError> {
            let v = value.unwrap_or_else(|| default.to_string()).trim().to_string();
            if v.is_empty() {
                return Err(err(key, format!("an empty {what} name; give one, e.g. \"{default}\"")));
            }
            // The loader's name rules, so that import never writes what `check` refuses
            // (issue 20, defect 13).
            crate::error::check_name(&v, "the name").map_err(|k| {
                let mut e = err(key, String::new());
                e.kind = k;
                e
            })?;
            if v.contains('.') {
                return Err(err(
                    key,
                    format!(
                        "the {what} name \"{v}\" contains a dot, which scenario paths cannot address; e.g. \"{}\"",
                        v.replace('.', "_")
                    ),
                ));
            }
            Ok(v)
        };
        let default_role = name(raw.default_role, DEFAULT_ROLE, &["default_role"], "role")?;
        let c = raw.columns;
        let mut rules = Vec::new();
        for (i, r) in raw.roles.into_iter().enumerate() {
            let index = i.to_string();
            let pattern = Pattern::parse(&r.pattern).map_err(|m| err(&["roles", index.as_str(), "pattern"], m))?;
            let role = name(Some(r.role), "developer", &["roles", index.as_str(), "role"], "role")?;
            rules.push(Rule { text: r.pattern, pattern, role, unit: r.unit.map(|u| u.trim().to_lowercase()) });
        }
        for (i, rule) in rules.iter().enumerate() {
            if rule.role == COMMUNITY_ROLE {
                return Err(err(
                    &["roles", i.to_string().as_str(), "role"],
                    "the role \"community\" is reserved for the community node import adds; choose another, e.g. \"community_manager\"".into(),
                ));
            }
        }
        if default_role == COMMUNITY_ROLE {
            return Err(err(
                &["default_role"],
                "the role \"community\" is reserved for the community node; choose another, e.g. \"employee\"".into(),
            ));
        }
        let ch = raw.channels;
        let manager_channel = name(ch.manager, DEFAULT_MANAGER_CHANNEL, &["channels", "manager"], "channel")?;
        let team_channel = name(ch.team, DEFAULT_TEAM_CHANNEL, &["channels", "team"], "channel")?;
        let all_pairs_up_to = raw.teams.all_pairs_up_to.unwrap_or(DEFAULT_ALL_PAIRS_UP_TO);
        if !(1..=1000).contains(&all_pairs_up_to) {
            return Err(err(
                &["teams", "all_pairs_up_to"],
                format!("must be a team size from 1 to 1000, got {all_pairs_up_to}; e.g. {DEFAULT_ALL_PAIRS_UP_TO}"),
            ));
        }
        let ring_neighbours = raw.teams.ring_neighbours.unwrap_or(DEFAULT_RING_NEIGHBOURS);
        if !(1..=500).contains(&ring_neighbours) {
            return Err(err(
                &["teams", "ring_neighbours"],
                format!("must be from 1 to 500, got {ring_neighbours}; e.g. {DEFAULT_RING_NEIGHBOURS}"),
            ));
        }
        let m = raw.messages;
        let pairs = match m.pairs.as_deref().map(str::trim) {
            None | Some("unordered") => Pairs::Unordered,
            Some("ordered") => Pairs::Ordered,
            Some(other) => {
                return Err(err(
                    &["messages", "pairs"],
                    format!("must be \"unordered\" or \"ordered\", got \"{other}\""),
                ));
            }
        };
        let skip_unknown = match m.unknown_people.as_deref().map(str::trim) {
            None | Some("error") => false,
            Some("skip") => true,
            Some(other) => {
                return Err(err(
                    &["messages", "unknown_people"],
                    format!("must be \"error\" or \"skip\", got \"{other}\""),
                ));
            }
        };
        let strong = m.strong.unwrap_or(DEFAULT_STRONG);
        let weak = m.weak.unwrap_or(DEFAULT_WEAK.min(strong));
        if weak == 0 {
            return Err(err(&["messages", "weak"], "must be at least 1 message, e.g. 3".into()));
        }
        if weak > strong {
            return Err(err(
                &["messages", "weak"],
                format!("the weak threshold ({weak}) is above the strong one ({strong}); e.g. weak = 3, strong = 13"),
            ));
        }
        let weight_reference = match m.weight_reference {
            // At least 1e-300, so that count / weight_reference stays finite for any count a
            // messages file can hold (1e-320 gave weight `inf`; issue 20, defect 13).
            Some(r) if !(r.is_finite() && r >= MIN_WEIGHT_REFERENCE) => {
                return Err(err(
                    &["messages", "weight_reference"],
                    format!(
                        "must be a positive number of messages of at least 1e-300 (the count that is weight 1), e.g. 13, got {}",
                        crate::error::num(r)
                    ),
                ));
            }
            r => r,
        };
        let weight_cap_percentile = m.weight_cap_percentile.unwrap_or(DEFAULT_WEIGHT_CAP_PERCENTILE);
        if !(weight_cap_percentile > 0.0 && weight_cap_percentile <= 100.0) {
            return Err(err(
                &["messages", "weight_cap_percentile"],
                format!(
                    "must be a percentile above 0 and at most 100 (100 cuts no count), got {}; e.g. 99",
                    crate::error::num(weight_cap_percentile)
                ),
            ));
        }
        let (sender, receiver, count) = (
            column(m.sender, "sender", "messages.sender"),
            column(m.receiver, "receiver", "messages.receiver"),
            column(m.count, "count", "messages.count"),
        );
        let messages_dialect =
            dialect(m.header, m.delimiter, "messages", &[(&sender, true), (&receiver, true), (&count, true)], &err)?;
        let messages = MessagesMap {
            weight_reference,
            weight_cap_percentile,
            dialect: messages_dialect,
            sender,
            receiver,
            count,
            pairs,
            strong,
            weak,
            strong_channel: name(m.strong_channel, DEFAULT_STRONG_CHANNEL, &["messages", "strong_channel"], "channel")?,
            weak_channel: name(m.weak_channel, DEFAULT_WEAK_CHANNEL, &["messages", "weak_channel"], "channel")?,
            skip_unknown,
        };
        let co = raw.community;
        let community_id = co.id.unwrap_or_else(|| DEFAULT_COMMUNITY_ID.into()).trim().to_string();
        if community_id.is_empty() {
            return Err(err(&["community", "id"], "an empty id; give one, e.g. \"community\"".into()));
        }
        let community_unit = name(co.unit, DEFAULT_COMMUNITY_UNIT, &["community", "unit"], "unit")?;
        let community_channel = name(co.channel, DEFAULT_COMMUNITY_CHANNEL, &["community", "channel"], "channel")?;
        let watchers = co.watchers.unwrap_or_else(|| vec![DEFAULT_WATCHER_ROLE.into()]);
        let watchers: Vec<String> = watchers.into_iter().map(|w| w.trim().to_string()).collect();
        let mut watcher_shares = Vec::new();
        for (role, share) in co.watcher_shares.unwrap_or_default() {
            let role = role.trim().to_string();
            if !(0.0..=1.0).contains(&share) {
                return Err(err(
                    &["community", "watcher_shares", &role],
                    format!(
                        "must be a share between 0 and 1 (the probability that one person of the role watches the community in a replication), got {}; e.g. 0.3",
                        crate::error::num(share)
                    ),
                ));
            }
            if watchers.contains(&role) {
                return Err(err(
                    &["community", "watcher_shares", &role],
                    format!(
                        "\"{role}\" is also in `community.watchers` (everybody of it watches); give the role in one of the two"
                    ),
                ));
            }
            watcher_shares.push((role, share));
        }
        let events = events_map(raw.events, &err)?;
        let scenario_name = raw.scenario.name.unwrap_or_else(|| DEFAULT_SCENARIO_NAME.into());
        crate::error::check_name(&scenario_name, "the scenario name").map_err(|k| {
            let mut e = err(&["scenario", "name"], String::new());
            e.kind = k;
            e
        })?;
        let target_role = name(raw.scenario.target_role, DEFAULT_TARGET_ROLE, &["scenario", "target_role"], "role")?;
        let mut sites = Vec::new();
        for (site, r) in raw.sites {
            let calendar = name(Some(r.calendar), "oslo", &["sites", site.as_str(), "calendar"], "calendar")?;
            sites.push((site.trim().to_string(), calendar));
        }
        let calendar = match raw.scenario.calendar {
            Some(c) => {
                let c = name(Some(c), "oslo", &["scenario", "calendar"], "calendar")?;
                if !sites.iter().any(|(_, k)| *k == c) {
                    return Err(err(
                        &["scenario", "calendar"],
                        format!(
                            "the calendar \"{c}\" is no site's calendar in [sites]; give one of them, or map a site to it"
                        ),
                    ));
                }
                Some(c)
            }
            None => sites.first().map(|(_, c)| c.clone()),
        };
        let (id, manager, unit, team, site, person_name, title) = (
            column(c.id, "id", "columns.id"),
            column(c.manager, "manager_id", "columns.manager"),
            column(c.unit, "unit", "columns.unit"),
            column(c.team, "team", "columns.team"),
            column(c.site, "site", "columns.site"),
            column(c.name, "name", "columns.name"),
            column(c.title, "title", "columns.title"),
        );
        let hr_dialect = dialect(
            raw.hr.header,
            raw.hr.delimiter,
            "hr",
            &[
                (&id, true),
                (&manager, false),
                (&unit, true),
                (&team, false),
                (&site, false),
                (&person_name, false),
                (&title, false),
            ],
            &err,
        )?;
        Ok(Map {
            default_role,
            hr_dialect,
            sites,
            calendar,
            id,
            manager,
            unit,
            team,
            site,
            name: person_name,
            title,
            rules,
            manager_channel,
            team_channel,
            all_pairs_up_to,
            ring_neighbours,
            messages,
            community_id,
            community_unit,
            community_channel,
            watchers,
            watcher_shares,
            scenario_name,
            target_role,
            events,
        })
    }

    /// The role for a person with `title` in `unit`, and the index of the rule that gave it.
    pub(crate) fn role_for(&self, title: &str, unit: &str) -> (&str, Option<usize>) {
        let title = title.to_lowercase();
        let unit_lower = unit.to_lowercase();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.unit.as_ref().is_some_and(|u| *u != unit_lower) {
                continue;
            }
            if rule.pattern.matches(&title) {
                return (&rule.role, Some(i));
            }
        }
        (&self.default_role, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_substrings_and_anchors() {
        let p = Pattern::parse("developer|Engineer").unwrap();
        assert!(p.matches("senior software engineer"));
        assert!(p.matches("developer"));
        assert!(!p.matches("designer"));
        let p = Pattern::parse("^head|lead$").unwrap();
        assert!(p.matches("head of sales"));
        assert!(!p.matches("deputy head"));
        assert!(p.matches("team lead"));
        assert!(!p.matches("lead developer"));
        let p = Pattern::parse("^ceo$").unwrap();
        assert!(p.matches("ceo") && !p.matches("ceo office"));
        assert!(Pattern::parse("a||b").is_err());
        assert!(Pattern::parse("").is_err());
    }

    #[test]
    fn first_rule_wins_and_unit_restricts() {
        let text = r#"
default_role = "staff"
[[roles]]
pattern = "engineer"
unit = "Support"
role = "support_agent"
[[roles]]
pattern = "engineer|developer"
role = "developer"
"#;
        let raw: RawMap = toml::from_str(text).unwrap();
        let map = Map::from_raw(raw, Path::new("m.toml"), text).unwrap();
        assert_eq!(map.role_for("Support Engineer", "support").0, "support_agent");
        assert_eq!(map.role_for("Software Engineer", "Development").0, "developer");
        assert_eq!(map.role_for("Accountant", "Finance"), ("staff", None));
    }

    #[test]
    fn defaults_are_documented_values() {
        let m = Map::defaults();
        assert_eq!(m.id.header, "id");
        assert_eq!(m.manager.header, "manager_id");
        assert_eq!((m.messages.weak, m.messages.strong), (3, 13));
        assert_eq!(m.watchers, vec!["community_manager".to_string()]);
    }
}
