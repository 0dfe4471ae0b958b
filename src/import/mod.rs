//! `permeate import`: turns a client's HR export (and, optionally, message counts) into an
//! organisation folder — `people.csv`, `links.csv`, `people-details.csv` and a commented
//! `scenario.toml` skeleton — following a map file. See `docs/import.md`.
//!
//! Stages: [`map::Map::load`] → [`hr::read`] (ids, managers, cycles, roles) →
//! [`messages::read`] (counts per pair) → links (manager, team, messages, community) → files.

pub(crate) mod calendar;
pub(crate) mod events;
pub(crate) mod hr;
pub(crate) mod map;
pub(crate) mod messages;
pub(crate) mod pseudonym;
pub(crate) mod waits;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, InputError, InputErrorKind};
use crate::scenario::locate::line_of_key;
use hr::Employee;
use map::{COMMUNITY_ROLE, Map, Pairs};

/// One created link: endpoints as indices into the people list (0 is the community node), the
/// channel (index into [`Links::names`]), and whether it is one-way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NewLink {
    source: usize,
    target: usize,
    channel: usize,
    forward: bool,
}

/// The links created so far, without duplicates, and the channels they use.
#[derive(Default)]
struct Links {
    links: Vec<NewLink>,
    /// Per link, its strength (1 unless set from message counts).
    weights: Vec<f64>,
    seen: HashSet<(usize, usize, usize, bool)>,
    /// Channel names, indexed by `NewLink::channel`.
    names: Vec<String>,
    /// Per channel: what created its links, how many, and the placeholder delay.
    channels: Vec<(String, ChannelUse)>,
}

impl Links {
    /// The index of channel `name`, noting `what` creates links over it.
    fn channel(&mut self, name: &str, what: &str, delay: &str) -> usize {
        match self.names.iter().position(|n| n == name) {
            Some(i) => {
                let u = &mut self.channels[i].1;
                if !u.what.split("; ").any(|w| w == what) {
                    u.what = format!("{}; {what}", u.what);
                }
                i
            }
            None => {
                self.names.push(name.to_string());
                self.channels.push((
                    name.to_string(),
                    ChannelUse { what: what.to_string(), links: 0, delay: delay.to_string(), estimated: None },
                ));
                self.names.len() - 1
            }
        }
    }

    /// Adds a link unless the same one (same ends, channel and direction) exists.
    /// Adds a link of weight 1 unless it is there already.
    fn add(&mut self, source: usize, target: usize, channel: usize, forward: bool) {
        self.add_weighted(source, target, channel, forward, crate::org::DEFAULT_LINK_WEIGHT);
    }

    /// Adds a link of strength `weight` unless it is there already.
    fn add_weighted(&mut self, source: usize, target: usize, channel: usize, forward: bool, weight: f64) {
        let (a, b) = if forward { (source, target) } else { (source.min(target), source.max(target)) };
        if self.seen.insert((a, b, channel, forward)) {
            self.links.push(NewLink { source, target, channel, forward });
            self.weights.push(weight);
            self.channels[channel].1.links += 1;
        }
    }
}

/// What import produced: the files of the organisation folder and the report to print.
#[derive(Debug, Clone)]
pub(crate) struct Imported {
    /// `(file name, content)` for each file of the folder.
    pub files: Vec<(&'static str, String)>,
    /// Counts per unit, site and role, links per channel, and the people without a manager.
    pub report: String,
}

/// Why a kind of channel exists, for the skeleton's comments and placeholders.
struct ChannelUse {
    what: String,
    links: usize,
    /// The placeholder delay (TOML inline table).
    delay: String,
    /// Set for channels estimated from a message log: their measured `transmit` and delay.
    estimated: Option<Estimated>,
}

/// A channel's numbers estimated from the events: what the skeleton writes instead of placeholders.
struct Estimated {
    /// The share of moments with a carrying message within the horizon.
    transmit: f64,
    /// Evenly spaced quantiles of the residual wait, hours.
    quantiles: Vec<f64>,
    /// One comment line on what was measured.
    note: String,
}

/// Reads the HR export, the map, the optional messages file and the optional time-stamped
/// message log (`--events`, whose links get waiting times estimated from the log,
/// [`waits::estimate`]) and builds the organisation folder's files in memory. Nothing is written.
///
/// The steps: read the map and the HR export and check the target role; the links from the
/// org chart (managers, teams); from message counts; from the message log; the community node;
/// then the files and the summary.
pub(crate) fn import_with(hr_path: &Path, map_path: &Path, options: &Options<'_>) -> Result<Imported, InputError> {
    let (messages_path, events_path) = (options.messages, options.events);
    let map = Map::load(map_path)?;
    let mut employees = hr::read(hr_path, &map, map_path)?;
    check_target_role(&employees, &map, map_path)?;
    check_sites(&employees, &map, map_path)?;

    let mut links = Links::default();
    let teams = org_chart_links(&mut links, &employees, &map);
    let message_stats = match messages_path {
        Some(mp) => Some(message_links(&mut links, &employees, &map, map_path, mp)?),
        None => None,
    };
    let (events_report, log) = match events_path {
        Some(ep) => {
            let (report, log) = event_links(&mut links, &employees, &map, map_path, ep)?;
            (Some(report), Some(log))
        }
        None => (None, None),
    };
    let traces = log.as_ref().map(|log| Traces::new(log, &employees, &map));
    let watchers = community_links(&mut links, &employees, &map);
    // Every link is made (the files' ids were matched); from here on the employees carry their
    // pseudonyms, so that no written file and no summary line names anybody.
    if let Some(p) = options.pseudonymise {
        p.apply(&mut employees).map_err(|(a, b)| {
            InputError::new(
                hr_path,
                InputErrorKind::Invalid(format!(
                    "the employee ids {} and {} get the same pseudonym with this salt (a chance of about 1 in 10^19 per pair); choose another salt",
                    crate::error::quoted(&a),
                    crate::error::quoted(&b)
                )),
            )
        })?;
    }

    let uses: Vec<(String, ChannelUse)> = links.channels.drain(..).filter(|(_, u)| u.links > 0).collect();
    let channel_names: Vec<String> = links.names.clone();
    let weights = links.weights;
    let links = links.links;
    let mut files = vec![
        ("people.csv", people_csv(&employees, &map, hr_path)),
        ("links.csv", links_csv(&links, &weights, &channel_names, &employees, &map)),
        ("people-details.csv", details_csv(&employees)),
        ("scenario.toml", skeleton(&employees, &map, &uses, &watchers, hr_path, map_path, options, traces.as_ref())),
    ];
    if let Some(t) = &traces {
        files.insert(3, ("presence.csv", presence_csv(&employees, t)));
    }
    let report = summary(&Summary {
        employees: &employees,
        map: &map,
        hr_path,
        links: links.len(),
        uses: &uses,
        teams,
        messages: message_stats.as_ref(),
        events: events_report.as_deref(),
        watchers: &watchers,
        pseudonymised: options.pseudonymise.is_some(),
        traces: traces.as_ref(),
        min_presence: options.min_presence,
    });
    Ok(Imported { files, report })
}

/// The skeleton's `description` of a pseudonymised import (shown by the report).
const PSEUDONYMISED_DESCRIPTION: &str = "Imported pseudonymised (permeate import --pseudonymise): people's ids, names, titles and teams are keyed hashes; units, sites and roles are as written.";

/// What `import` reads beside the HR export and the map, and how.
#[derive(Default)]
pub(crate) struct Options<'a> {
    /// Message counts per pair (`--messages`).
    pub messages: Option<&'a Path>,
    /// A time-stamped message log (`--events`).
    pub events: Option<&'a Path>,
    /// Replace ids and names by keyed hashes (`--pseudonymise SALT`).
    pub pseudonymise: Option<&'a pseudonym::Pseudonymiser>,
    /// People seen on less than this share (0–1) of the log's working days are listed in the
    /// summary (`--min-presence`).
    pub min_presence: f64,
}

/// The default of `--min-presence`: people seen on fewer than 10% of the working days.
pub(crate) const DEFAULT_MIN_PRESENCE: f64 = 0.1;

/// A site gets its own estimated calendar when its people sent at least this many messages.
const SITE_CALENDAR_MESSAGES: usize = 100;

/// What a message log tells beside the links: a working calendar for the organisation (and for
/// each site with enough messages) and who was seen when.
struct Traces {
    /// The calendar of the whole organisation, and the messages it rests on.
    calendar: calendar::EstimatedCalendar,
    messages: usize,
    /// Per site (sorted by name): its calendar from the messages its people sent, and how many.
    sites: Vec<(String, calendar::EstimatedCalendar, usize)>,
    presence: calendar::Presence,
}

impl Traces {
    fn new(log: &events::Events, employees: &[Employee], map: &Map) -> Traces {
        let calendar = calendar::estimate(&log.events);
        let mut by_site: BTreeMap<&str, Vec<events::Event>> = BTreeMap::new();
        for e in &log.events {
            let site = employees[e.sender].site.as_str();
            if !site.is_empty() {
                by_site.entry(site).or_default().push(*e);
            }
        }
        let sites = by_site
            .into_iter()
            .filter(|(_, ev)| ev.len() >= SITE_CALENDAR_MESSAGES)
            .map(|(site, ev)| (site.to_string(), calendar::estimate(&ev), ev.len()))
            .collect();
        let presence = calendar::presence(&log.events, &calendar, employees.len(), map.events.directed);
        Traces { calendar, messages: log.events.len(), sites, presence }
    }
}

/// People are the community node first (index 0), then the employees in the HR file's order:
/// the person index of employee `i`.
fn person(i: usize) -> usize {
    i + 1
}

/// Refuses an import in which nobody has the skeleton's target role.
fn check_target_role(employees: &[Employee], map: &Map, map_path: &Path) -> Result<(), InputError> {
    if employees.iter().any(|e| e.role == map.target_role) {
        return Ok(());
    }
    let mut roles: Vec<&str> = employees.iter().map(|e| e.role.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    let mut e = InputError::new(
        map_path,
        InputErrorKind::Invalid(format!(
            "nobody got the target role \"{}\" (roles created: {}); map some titles to it in [[roles]], e.g. {{ pattern = \"developer|engineer\", role = \"{}\" }}, or set `scenario.target_role` to one of the roles created",
            map.target_role,
            roles.join(", "),
            map.target_role
        )),
    )
    .at_key("scenario.target_role");
    e.line = std::fs::read_to_string(map_path).ok().and_then(|t| line_of_key(&t, &["scenario", "target_role"]));
    Err(e)
}

/// Refuses a `[sites]` entry that names no site of the export (a typo would leave its people on
/// the scenario-wide calendar silently).
fn check_sites(employees: &[Employee], map: &Map, map_path: &Path) -> Result<(), InputError> {
    for (site, _) in &map.sites {
        if employees.iter().any(|e| e.site == *site) {
            continue;
        }
        let mut known: Vec<&str> = employees.iter().map(|e| e.site.as_str()).filter(|s| !s.is_empty()).collect();
        known.sort_unstable();
        known.dedup();
        let hint = crate::error::closest(site, known.iter().copied())
            .map(|s| format!("; did you mean \"{s}\"?"))
            .unwrap_or_default();
        let mut e = InputError::new(
            map_path,
            InputErrorKind::Invalid(format!(
                "no employee is at the site {} (sites in the export: {}){hint}",
                crate::error::quoted(site),
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )),
        )
        .at_key(format!("sites.{site}"));
        e.line = std::fs::read_to_string(map_path).ok().and_then(|t| line_of_key(&t, &["sites", site.as_str()]));
        return Err(e);
    }
    Ok(())
}

/// How the teams were linked: small ones with every pair, large ones as a ring.
#[derive(Debug, Clone, Copy, Default)]
struct TeamCounts {
    /// Teams with every pair linked.
    small: usize,
    /// Teams linked as a ring lattice.
    large: usize,
}

/// The links of the org chart: manager ↔ direct report, and within a team every pair up to
/// `all_pairs_up_to` members, else a ring lattice. Creates the manager and team channels first
/// (in this order, whether or not they get links).
fn org_chart_links(links: &mut Links, employees: &[Employee], map: &Map) -> TeamCounts {
    let manager_ch = links.channel(&map.manager_channel, "manager <-> direct report", DELAY_MANAGER);
    let team_ch = links.channel(&map.team_channel, "within a team", DELAY_TEAM);

    for (i, e) in employees.iter().enumerate() {
        if let Some(m) = e.manager {
            links.add(person(m), person(i), manager_ch, false);
        }
    }

    let mut teams: Vec<Vec<usize>> = Vec::new();
    let mut team_index: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, e) in employees.iter().enumerate() {
        if e.team.is_empty() {
            continue;
        }
        let t = *team_index.entry((e.unit.as_str(), e.team.as_str())).or_insert_with(|| {
            teams.push(Vec::new());
            teams.len() - 1
        });
        teams[t].push(i);
    }
    let mut counts = TeamCounts::default();
    let h = map.ring_neighbours as usize;
    for members in &teams {
        let n = members.len();
        if n <= map.all_pairs_up_to as usize || 2 * h + 1 >= n {
            counts.small += 1;
            for a in 0..n {
                for b in a + 1..n {
                    links.add(person(members[a]), person(members[b]), team_ch, false);
                }
            }
        } else {
            counts.large += 1;
            for a in 0..n {
                for d in 1..=h {
                    links.add(person(members[a]), person(members[(a + d) % n]), team_ch, false);
                }
            }
        }
    }
    counts
}

/// What the messages file gave, for the summary.
struct MessageStats {
    path: std::path::PathBuf,
    rows: usize,
    pairs: usize,
    strong: usize,
    weak: usize,
    below: usize,
    self_rows: usize,
    unknown: usize,
    /// The count weights are cut to (`weight_cap_percentile` of the linked pairs), if any pair
    /// got a link.
    cap: Option<u64>,
    /// The pairs above the cap, most messages first: (count, a, b) with employee indices.
    outliers: Vec<(u64, usize, usize)>,
}

/// The links from message counts: strong and weak channels by the map's thresholds, weights
/// from `weight_reference` when set.
fn message_links(
    links: &mut Links,
    employees: &[Employee],
    map: &Map,
    map_path: &Path,
    mp: &Path,
) -> Result<MessageStats, InputError> {
    let ids: Vec<&str> = employees.iter().map(|e| e.id.as_str()).collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let counts = messages::read(mp, map, map_path, &ids, &index)?;
    let mut pairs: Vec<((usize, usize), u64)> = counts.pairs.iter().map(|(&k, &v)| (k, v)).collect();
    pairs.sort_unstable();
    let m = &map.messages;
    let forward = m.pairs == Pairs::Ordered;
    let strong_ch = links.channel(&m.strong_channel, &format!("at least {} messages per pair", m.strong), DELAY_STRONG);
    let weak_ch = if m.weak < m.strong {
        links.channel(&m.weak_channel, &format!("{} to {} messages per pair", m.weak, m.strong - 1), DELAY_WEAK)
    } else {
        strong_ch
    };
    // The cap: the weight_cap_percentile-th percentile (nearest rank) of the linked pairs' counts.
    let mut linked: Vec<u64> = pairs.iter().map(|&(_, c)| c).filter(|&c| c >= m.weak).collect();
    linked.sort_unstable();
    let cap = (!linked.is_empty()).then(|| {
        let rank = (m.weight_cap_percentile / 100.0 * linked.len() as f64).ceil() as usize;
        linked[rank.clamp(1, linked.len()) - 1]
    });
    let mut outliers: Vec<(u64, usize, usize)> =
        pairs.iter().filter(|&&(_, c)| cap.is_some_and(|cap| c > cap)).map(|&((a, b), c)| (c, a, b)).collect();
    outliers.sort_unstable_by(|x, y| y.cmp(x));
    let (mut strong, mut weak, mut below) = (0usize, 0usize, 0usize);
    for ((a, b), c) in pairs {
        let channel = if c >= m.strong {
            strong += 1;
            strong_ch
        } else if c >= m.weak {
            weak += 1;
            weak_ch
        } else {
            below += 1;
            continue;
        };
        let capped = cap.map_or(c, |cap| c.min(cap));
        let weight = m.weight_reference.map_or(crate::org::DEFAULT_LINK_WEIGHT, |r| capped as f64 / r);
        if !weight.is_finite() {
            let mut e = InputError::new(
                map_path,
                InputErrorKind::Invalid(format!(
                    "{c} messages / weight_reference {} is too large a link weight; give a reference of at \
                     least 1, e.g. weight_reference = 13",
                    crate::error::num(m.weight_reference.unwrap_or(1.0))
                )),
            )
            .at_key("messages.weight_reference");
            e.line =
                std::fs::read_to_string(map_path).ok().and_then(|t| line_of_key(&t, &["messages", "weight_reference"]));
            return Err(e);
        }
        links.add_weighted(person(a), person(b), channel, forward, weight);
    }
    Ok(MessageStats {
        path: mp.to_path_buf(),
        rows: counts.rows,
        pairs: counts.pairs.len(),
        strong,
        weak,
        below,
        self_rows: counts.self_rows,
        unknown: counts.unknown_rows,
        cap,
        outliers,
    })
}

/// The links from a message log: one channel per class of activity, with estimated waiting
/// times. Returns the summary's lines on the log, and the log.
fn event_links(
    links: &mut Links,
    employees: &[Employee],
    map: &Map,
    map_path: &Path,
    ep: &Path,
) -> Result<(String, events::Events), InputError> {
    let ids: Vec<&str> = employees.iter().map(|e| e.id.as_str()).collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let ev = events::read(ep, map, map_path, &ids, &index)?;
    let e = &map.events;
    let settings =
        waits::WaitSettings { directed: e.directed, per_message: e.per_message, horizon_hours: e.horizon_hours };
    let est = waits::estimate(&ev.events, &ev.channels, settings);
    for c in &est.classes {
        let ch = links.channel(&c.name, &c.what, "");
        let note = format!(
            "median gap {} h, median residual wait {} h, burstiness {}; {} messages, {} links dropped (never carrying within {} h)",
            c.median_gap.map_or("-".into(), crate::random::dist::fmt_num),
            crate::random::dist::fmt_num(c.median_wait),
            c.burstiness.map_or("-".into(), |b| crate::random::dist::fmt_decimals(b, 2)),
            c.messages,
            c.dropped,
            crate::random::dist::fmt_num(e.horizon_hours)
        );
        links.channels[ch].1.estimated = Some(Estimated { transmit: c.transmit, quantiles: c.quantiles.clone(), note });
        for &(a, b) in &c.links {
            links.add(person(a), person(b), ch, e.directed);
        }
    }
    Ok((events_summary(ep, &ev, &est, e), ev))
}

/// The community node's links to the people whose role watches it; returns the watchers
/// (indices into the employees).
fn community_links(links: &mut Links, employees: &[Employee], map: &Map) -> Vec<usize> {
    let community_ch = links.channel(&map.community_channel, "community <-> watchers", DELAY_COMMUNITY);
    let mut watchers = Vec::new();
    for (i, e) in employees.iter().enumerate() {
        if map.watchers.contains(&e.role) {
            watchers.push(i);
            links.add(0, person(i), community_ch, false);
        }
    }
    watchers
}

/// Everything the printed summary draws on.
struct Summary<'a> {
    employees: &'a [Employee],
    map: &'a Map,
    hr_path: &'a Path,
    /// Links created in all.
    links: usize,
    uses: &'a [(String, ChannelUse)],
    teams: TeamCounts,
    messages: Option<&'a MessageStats>,
    /// The lines on the message log, if any.
    events: Option<&'a str>,
    watchers: &'a [usize],
    /// Whether ids and names were replaced by pseudonyms.
    pseudonymised: bool,
    traces: Option<&'a Traces>,
    min_presence: f64,
}

/// The summary import prints: counts per unit, site and role, links per channel, the teams,
/// the messages and the message log, and the people without a manager.
fn summary(s: &Summary<'_>) -> String {
    let (employees, map) = (s.employees, s.map);
    let mut report = String::new();
    let _ = writeln!(
        report,
        "imported {} employees from {} (+ the community node \"{}\"), {} links",
        employees.len(),
        s.hr_path.display(),
        map.community_id,
        s.links
    );
    let tally = |f: &dyn Fn(&Employee) -> &str| -> BTreeMap<String, usize> {
        let mut t = BTreeMap::new();
        for e in employees {
            let k = f(e);
            *t.entry(if k.is_empty() { "(none)".to_string() } else { k.to_string() }).or_insert(0) += 1;
        }
        t
    };
    for (what, t) in [
        ("unit", tally(&|e| e.unit.as_str())),
        ("site", tally(&|e| e.site.as_str())),
        ("role", tally(&|e| e.role.as_str())),
    ] {
        let _ = writeln!(report, "per {what}:");
        for (k, c) in t {
            let _ = writeln!(report, "  {k:<28} {c:>7}");
        }
    }
    let _ = writeln!(report, "links per channel:");
    for (c, u) in s.uses {
        let _ = writeln!(report, "  {c:<28} {:>7}  ({})", u.links, u.what);
    }
    let _ = writeln!(
        report,
        "teams: {} with every pair linked (up to {} people), {} larger ones as a ring ({} neighbours each side)",
        s.teams.small, map.all_pairs_up_to, s.teams.large, map.ring_neighbours
    );
    if let Some(m) = s.messages {
        let _ = writeln!(
            report,
            "messages ({}): {} rows, {} pairs: {} strong (>= {}), {} weak (>= {}), {} below the weak threshold; {} rows to oneself ignored, {} rows with unknown people skipped",
            m.path.display(),
            m.rows,
            m.pairs,
            m.strong,
            map.messages.strong,
            m.weak,
            map.messages.weak,
            m.below,
            m.self_rows,
            m.unknown
        );
        if let (Some(cap), false) = (m.cap, m.outliers.is_empty()) {
            const LISTED: usize = 10;
            let _ = writeln!(
                report,
                "  {} pairs above {cap} messages (the {}th percentile of the linked pairs){}:",
                m.outliers.len(),
                crate::random::dist::fmt_num(map.messages.weight_cap_percentile),
                if map.messages.weight_reference.is_some() {
                    format!(", their weights cut to {cap} messages (`messages.weight_cap_percentile`)")
                } else {
                    String::new()
                }
            );
            for &(c, a, b) in m.outliers.iter().take(LISTED) {
                let _ = writeln!(report, "    {} – {}: {c} messages", employees[a].id, employees[b].id);
            }
            if m.outliers.len() > LISTED {
                let _ = writeln!(report, "    … and {} more", m.outliers.len() - LISTED);
            }
        }
    }
    if let Some(r) = s.events {
        report.push_str(r);
    }
    if let Some(t) = s.traces {
        traces_summary(&mut report, t, employees, s.min_presence);
    }
    let roots: Vec<&Employee> = employees.iter().filter(|e| e.manager.is_none()).collect();
    let _ = writeln!(report, "people without a manager: {}", roots.len());
    const LISTED: usize = 100;
    for e in roots.iter().take(LISTED) {
        let _ = writeln!(
            report,
            "  {} (line {}{})",
            e.id,
            e.line,
            if e.title.is_empty() { String::new() } else { format!(", {}", e.title) }
        );
    }
    if roots.len() > LISTED {
        let _ = writeln!(
            report,
            "  … and {} more (all of them have an empty manager in people-details.csv)",
            roots.len() - LISTED
        );
    }
    if s.pseudonymised {
        let _ = writeln!(
            report,
            "pseudonymised: ids, manager ids, names, titles and teams are keyed hashes (HMAC-SHA256 with the salt); units, sites and roles are as written"
        );
        for (what, t) in [("unit", tally(&|e| e.unit.as_str())), ("site", tally(&|e| e.site.as_str()))] {
            let small: Vec<String> = t
                .iter()
                .filter(|(k, c)| **c < pseudonym::SMALL_GROUP && k.as_str() != "(none)")
                .map(|(k, c)| format!("{k} ({c})"))
                .collect();
            if !small.is_empty() {
                let _ = writeln!(
                    report,
                    "  warning: {} {what}s of fewer than {} people can single someone out: {}",
                    small.len(),
                    pseudonym::SMALL_GROUP,
                    small.join(", ")
                );
            }
        }
    }
    if s.watchers.is_empty() {
        let _ = writeln!(
            report,
            "note: nobody has a watcher role ({}), so the community node has no links; add them in the map (`community.watchers`) or in the scenario",
            map.watchers.join(", ")
        );
    }
    report
}

/// The summary's lines on the estimated calendar and on presence.
fn traces_summary(report: &mut String, t: &Traces, employees: &[Employee], min_presence: f64) {
    use crate::random::dist::fmt_decimals;
    let line = |c: &calendar::EstimatedCalendar| {
        format!(
            "{} {} at {} ({}), {}% of the working days' messages in those hours",
            c.days_text(),
            c.hours_text(),
            c.offset_text(),
            c.timezone.as_deref().unwrap_or("no IANA zone for this offset"),
            fmt_decimals(100.0 * c.share, 1)
        )
    };
    let _ = writeln!(
        report,
        "calendar estimated from {} messages: {} (commented in scenario.toml)",
        t.messages,
        line(&t.calendar)
    );
    for (site, c, n) in &t.sites {
        let _ = writeln!(report, "  site {site} ({n} messages sent): {}", line(c));
    }
    let p = &t.presence;
    let low: Vec<usize> = (0..employees.len()).filter(|&i| p.share(i) < min_presence).collect();
    let never = (0..employees.len()).filter(|&i| p.people[i].is_none()).count();
    let _ = writeln!(
        report,
        "presence (presence.csv): {} of {} people seen (sending) on fewer than {}% of the period's {} working days (--min-presence {}), {} of them never",
        low.len(),
        employees.len(),
        fmt_decimals(100.0 * min_presence, 1),
        p.working_days,
        crate::random::dist::fmt_num(min_presence),
        never
    );
    const LISTED: usize = 100;
    for &i in low.iter().take(LISTED) {
        let e = &employees[i];
        let _ = writeln!(
            report,
            "  {} ({}): {}",
            e.id,
            e.unit,
            match &p.people[i] {
                None => "never sent a message".to_string(),
                Some(x) => format!(
                    "{} of {} working days, {} to {}",
                    x.days_seen,
                    p.working_days,
                    local_time(x.first, t.calendar.offset),
                    local_time(x.last, t.calendar.offset)
                ),
            }
        );
    }
    if low.len() > LISTED {
        let _ = writeln!(report, "  … and {} more (presence.csv has everybody)", low.len() - LISTED);
    }
}

/// A time in seconds as RFC 3339 at `offset` seconds from UTC, e.g. `2026-03-02T09:15:00+01:00`
/// (whole seconds; the raw seconds for a time jiff cannot represent).
fn local_time(seconds: f64, offset: i32) -> String {
    let zoned = jiff::Timestamp::from_second(seconds.floor() as i64).ok().and_then(|t| {
        let o = jiff::tz::Offset::from_seconds(offset).ok()?;
        Some(t.to_zoned_datetime(jiff::tz::TimeZone::fixed(o)))
    });
    match zoned {
        Some(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => crate::random::dist::fmt_num(seconds),
    }
}

/// `presence.csv`: per employee (in the export's order) their first and last message sent, the
/// working days they were seen and that as a share of the period's working days.
fn presence_csv(employees: &[Employee], t: &Traces) -> String {
    let p = &t.presence;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Written by permeate import from the message log: seen = sent a message (docs/import.md). {} working days ({} {}) from {} to {}.",
        p.working_days,
        t.calendar.days_text(),
        t.calendar.offset_text(),
        local_time(p.period.0, t.calendar.offset),
        local_time(p.period.1, t.calendar.offset)
    );
    s.push_str("id,first_seen,last_seen,working_days_seen,share\n");
    for (i, e) in employees.iter().enumerate() {
        let (first, last, days) = match &p.people[i] {
            Some(x) => (local_time(x.first, t.calendar.offset), local_time(x.last, t.calendar.offset), x.days_seen),
            None => (String::new(), String::new(), 0),
        };
        let _ =
            writeln!(s, "{},{first},{last},{days},{}", field(&e.id), crate::random::dist::fmt_decimals(p.share(i), 4));
    }
    s
}

/// The skeleton's `[calendars.NAME]` for the map's `[sites]`: the calendar estimated from the
/// messages of the first site mapped to it, if the log had enough of them, else placeholders.
fn site_calendars(s: &mut String, map: &Map, traces: Option<&Traces>) {
    s.push_str("# ---- Working calendars: one per calendar of the map's [sites] ----\n\n");
    let mut done: Vec<&str> = Vec::new();
    for (_, name) in &map.sites {
        if done.contains(&name.as_str()) {
            continue;
        }
        done.push(name);
        let sites: Vec<&str> = map.sites.iter().filter(|(_, c)| c == name).map(|(s, _)| s.as_str()).collect();
        let estimated = traces.and_then(|t| t.sites.iter().find(|(site, _, _)| sites.contains(&site.as_str())));
        let _ = writeln!(s, "# Sites {}.", comment(&sites.join(", ")));
        let _ = writeln!(s, "[calendars.{}]", key(name));
        match estimated {
            Some((site, c, n)) if c.timezone.is_some() => {
                let _ = writeln!(
                    s,
                    "# ESTIMATED from the {n} messages sent at {} (UTC{}; write the real zone if you know it).",
                    comment(site),
                    c.offset_text()
                );
                let _ = writeln!(s, "timezone = {}", toml_string(c.timezone.as_deref().unwrap_or("UTC")));
                let _ =
                    writeln!(s, "days = {}\nhours = {}\n", toml_string(&c.days_text()), toml_string(&c.hours_text()));
            }
            _ => {
                s.push_str(
                    "timezone = \"UTC\"   # ESTIMATE — replace, e.g. \"Europe/Oslo\"\n\
                     days = \"Mon-Fri\"   # ESTIMATE — replace\n\
                     hours = \"09:00-17:00\"   # ESTIMATE — replace\n\n",
                );
            }
        }
    }
}

/// The skeleton's block on the estimated calendars: commented out, because the channels' waits
/// are clock hours measured over the whole week.
fn calendar_block(s: &mut String, t: &Traces) {
    s.push_str(
        "# ---- Working calendar ESTIMATED from the message log (commented out) ----\n\
         # Working days: weekdays with at least 20% of the busiest weekday's messages; hours: the\n\
         # shortest span of whole hours holding 90% of those days' messages; time zone: the most\n\
         # common UTC offset as a fixed-offset zone (an offset names no region: write the real zone,\n\
         # e.g. \"Europe/Berlin\", if you know it). The waits of the channels above are clock hours\n\
         # measured over the whole week, nights and weekends included: turn a calendar on only with\n\
         # delays in working hours, or they count the nights twice. Presence: presence.csv.\n",
    );
    let block = |s: &mut String, name: &str, c: &calendar::EstimatedCalendar, n: usize| {
        let per_day: Vec<String> = c.per_day.iter().map(usize::to_string).collect();
        let _ = writeln!(
            s,
            "# {n} messages; per weekday Mon..Sun: {}; {}% of the working days' messages in the hours.",
            per_day.join(", "),
            crate::random::dist::fmt_decimals(100.0 * c.share, 1)
        );
        let _ = writeln!(s, "# [calendars.{}]", key(name));
        match &c.timezone {
            Some(z) => {
                let _ = writeln!(s, "# timezone = {}   # UTC{}", toml_string(z), c.offset_text());
            }
            None => {
                let _ = writeln!(
                    s,
                    "# timezone = ?   # UTC{}: no IANA zone has this fixed offset; write the real zone",
                    c.offset_text()
                );
            }
        }
        let _ = writeln!(s, "# days = {}\n# hours = {}\n#", toml_string(&c.days_text()), toml_string(&c.hours_text()));
    };
    block(s, "estimated", &t.calendar, t.messages);
    for (site, c, n) in &t.sites {
        let _ = writeln!(s, "# Site {}: the messages its people sent.", comment(site));
        block(s, site, c, *n);
    }
    s.push('\n');
}

/// The report's lines on a message log: rows, links, and per class the median gap next to the
/// median residual wait, with the warning that gaps are not delays.
fn events_summary(path: &Path, ev: &events::Events, est: &waits::Waits, e: &map::EventsMap) -> String {
    use crate::random::dist::{fmt_decimals, fmt_num};
    let mut r = String::new();
    let links: usize = est.classes.iter().map(|c| c.links.len()).sum();
    let _ = writeln!(
        r,
        "events ({}): {} rows, {} messages between known people over {} days; {} links in {} classes, {} links dropped (no carrying message within {} h); {} messages to oneself ignored, {} rows with unknown people skipped",
        path.display(),
        ev.rows,
        ev.events.len(),
        fmt_decimals(est.period_hours / 24.0, 1),
        links,
        est.classes.len(),
        est.dropped,
        fmt_num(e.horizon_hours),
        ev.self_pairs,
        ev.unknown_rows
    );
    let _ = writeln!(
        r,
        "waiting times (per_message = {}, moments over the first {} h): per class, the gap between messages next to the wait from a random moment",
        fmt_num(e.per_message),
        fmt_num(est.moments_hours)
    );
    let _ = writeln!(
        r,
        "  {:<20} {:>7} {:>10} {:>12} {:>12} {:>10} {:>9}",
        "class", "links", "messages", "median gap", "median wait", "burstiness", "transmit"
    );
    for c in &est.classes {
        let _ = writeln!(
            r,
            "  {:<20} {:>7} {:>10} {:>12} {:>12} {:>10} {:>9}",
            c.name,
            c.links.len(),
            c.messages,
            c.median_gap.map_or("-".into(), |g| format!("{} h", fmt_num(g))),
            format!("{} h", fmt_num(c.median_wait)),
            c.burstiness.map_or("-".into(), |b| fmt_decimals(b, 2)),
            fmt_decimals(c.transmit, 3)
        );
    }
    r.push_str(
        "note: gaps between messages are not delays. An item arrives at a random moment and waits for the next message that carries it; in bursty traffic that wait is far longer than the typical gap. The channels' delays are these waits (empirical, in scenario.toml).\n",
    );
    r
}

const DELAY_MANAGER: &str = "{ dist = \"uniform\", min = 0.0, max = 40.0 }";
const DELAY_TEAM: &str = "{ dist = \"lognormal\", median = 2.0, sigma = 1.0 }";
const DELAY_STRONG: &str = "{ dist = \"lognormal\", median = 1.0, sigma = 1.0 }";
const DELAY_WEAK: &str = "{ dist = \"lognormal\", median = 8.0, sigma = 1.2 }";
const DELAY_COMMUNITY: &str = "{ dist = \"exponential\", mean = 8.0 }";

/// A CSV field, quoted where the permeate reader needs it: separators, quotes, line breaks, a
/// leading `#` (a comment line otherwise) or surrounding spaces (trimmed otherwise).
fn field(s: &str) -> String {
    let needs = s.contains([',', '"', '\n', '\r']) || s.starts_with('#') || s.trim() != s;
    if needs { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A text safe in a one-line comment.
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn file_name(p: &Path) -> String {
    comment(&p.file_name().unwrap_or_default().to_string_lossy())
}

fn people_csv(employees: &[Employee], map: &Map, hr_path: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Written by permeate import from {}. One row per person; the community node first.",
        file_name(hr_path)
    );
    // Display names and sites, where the export has them (shown in reports; ids stay the key).
    let names = employees.iter().any(|e| !e.name.is_empty());
    let sites = employees.iter().any(|e| !e.site.is_empty());
    // A calendar per person from `[sites]`: their site's, else empty (the scenario-wide one).
    let calendars = !map.sites.is_empty();
    let extra = |name: &str, site: &str| {
        let mut x = String::new();
        if names {
            x += &format!(",{}", field(name));
        }
        if sites {
            x += &format!(",{}", field(site));
        }
        if calendars {
            let c = map.sites.iter().find(|(s, _)| s == site).map_or("", |(_, c)| c.as_str());
            x += &format!(",{}", field(c));
        }
        x
    };
    let _ = writeln!(
        s,
        "id,unit,role{}{}{}",
        if names { ",name" } else { "" },
        if sites { ",site" } else { "" },
        if calendars { ",calendar" } else { "" }
    );
    let _ =
        writeln!(s, "{},{},{}{}", field(&map.community_id), field(&map.community_unit), COMMUNITY_ROLE, extra("", ""));
    for e in employees {
        let _ = writeln!(s, "{},{},{}{}", field(&e.id), field(&e.unit), field(&e.role), extra(&e.name, &e.site));
    }
    s
}

fn details_csv(employees: &[Employee]) -> String {
    use crate::error::spreadsheet_text;
    let mut s = String::from("id,name,title,site,team,manager\n");
    for e in employees {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            // Made to be opened in a spreadsheet: a cell that starts like a formula is shown
            // as text (OWASP's `'` prefix; issue 20, defect 19).
            field(&spreadsheet_text(&e.id)),
            field(&spreadsheet_text(&e.name)),
            field(&spreadsheet_text(&e.title)),
            field(&spreadsheet_text(&e.site)),
            field(&spreadsheet_text(&e.team)),
            field(&spreadsheet_text(&e.manager_id))
        );
    }
    s
}

fn links_csv(links: &[NewLink], weights: &[f64], channels: &[String], employees: &[Employee], map: &Map) -> String {
    let id = |p: usize| if p == 0 { map.community_id.as_str() } else { employees[p - 1].id.as_str() };
    let mut s = String::from(
        "# Written by permeate import: manager <-> report, within teams, from message counts, community <-> watchers.\n",
    );
    // A weight column only when message counts set weights (`[messages] weight_reference`).
    let weighted =
        map.messages.weight_reference.is_some() && weights.iter().any(|&w| w != crate::org::DEFAULT_LINK_WEIGHT);
    s.push_str(if weighted { "source,target,channel,direction,weight\n" } else { "source,target,channel,direction\n" });
    for (l, w) in links.iter().zip(weights) {
        let _ = write!(
            s,
            "{},{},{},{}",
            field(id(l.source)),
            field(id(l.target)),
            field(&channels[l.channel]),
            if l.forward { "forward" } else { "both" }
        );
        if weighted {
            let _ = write!(s, ",{w}");
        }
        s.push('\n');
    }
    s
}

/// A TOML key: bare where allowed, else a quoted string.
fn key(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        s.to_string()
    } else {
        toml_string(s)
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[allow(clippy::too_many_arguments)]
fn skeleton(
    employees: &[Employee],
    map: &Map,
    uses: &[(String, ChannelUse)],
    watchers: &[usize],
    hr_path: &Path,
    map_path: &Path,
    options: &Options<'_>,
    traces: Option<&Traces>,
) -> String {
    let (messages_path, events_path) = (options.messages, options.events);
    let mut s = String::new();
    let mut from = file_name(hr_path);
    for p in [messages_path, events_path].into_iter().flatten() {
        from = format!("{from} and {}", file_name(p));
    }
    let _ = writeln!(
        s,
        "# Scenario skeleton written by `permeate import` from {from} with the map {}.",
        file_name(map_path)
    );
    s.push_str(
        "# It is valid as is (`permeate check scenario.toml`), but every number marked ESTIMATE is a\n\
         # placeholder: replace it with what you know about the client before you trust a result.\n\
         # Every key is described in docs/scenario-format.md. Once you edit a file here, import\n\
         # no longer replaces this folder: re-import into another one.\n",
    );
    if options.pseudonymise.is_some() {
        s.push_str(
            "# PSEUDONYMISED (`--pseudonymise`): ids, manager ids, names, titles and teams are keyed\n\
             # hashes (HMAC-SHA256 with the salt, which is not stored here); units, sites and roles\n\
             # are as written. The same salt gives the same pseudonyms (docs/import.md).\n",
        );
    }
    s.push('\n');
    let _ = writeln!(s, "name = {}", toml_string(&map.scenario_name));
    if options.pseudonymise.is_some() {
        // The description is shown at the top of report.html and in summary.md and summary.json:
        // the report says the people are pseudonyms without a field of its own.
        let _ = writeln!(s, "description = {}", toml_string(PSEUDONYMISED_DESCRIPTION));
    }
    if events_path.is_some() {
        let _ = writeln!(
            s,
            "seed = 1\nreplications = 1000\nhorizon_hours = {}        # the horizon of the waiting-time estimate (map `events.horizon_hours`)\n",
            map.events.horizon_hours
        );
    } else {
        s.push_str("seed = 1\nreplications = 1000\nhorizon_hours = 2000        # ESTIMATE — replace (hours; 2000 = 250 working days of 8 h)\n\n");
    }
    if let Some(c) = &map.calendar {
        let _ = writeln!(
            s,
            "# Working calendars from the map's [sites] (see [calendars.*] below): with calendars, a delay\n\
             # or processing time is working hours of the receiver's calendar.\n\
             calendar = {}   # people at no mapped site, and the community node\n\
             start = {{ weekly = \"uniform\" }}   # ESTIMATE — replace (when items appear)\n",
            toml_string(c)
        );
    } else if traces.is_some() {
        s.push_str(
            "# The working calendar ESTIMATED from the message log, commented out (see [calendars.estimated]\n\
             # below for why):\n# calendar = \"estimated\"\n# start = { weekly = \"uniform\" }\n\n",
        );
    }
    s.push_str("[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\n");
    s.push_str("# The item appears in the community node that import added.\n");
    let _ = writeln!(s, "[source]\nid = {}\n", toml_string(&map.community_id));
    let target_n = employees.iter().filter(|e| e.role == map.target_role).count();
    let _ = writeln!(s, "# T80: the time until 80% of the {target_n} people of this role have processed the item.");
    let _ = writeln!(s, "[target]\nrole = {}\nthreshold = 0.8\n", toml_string(&map.target_role));

    s.push_str("# ---- Channels: one per kind of link import created ----\n\n");
    for (name, u) in uses {
        let _ = writeln!(s, "# {}: {} links.", comment(&u.what), u.links);
        let _ = writeln!(s, "[channels.{}]", key(name));
        match &u.estimated {
            None => {
                let _ = writeln!(s, "delay = {}   # ESTIMATE — replace", u.delay);
                s.push_str("transmit = 1.0   # ESTIMATE — replace\n\n");
            }
            Some(e) => {
                let _ = writeln!(s, "# ESTIMATED from the message log: {}.", comment(&e.note));
                let _ = writeln!(
                    s,
                    "# transmit: the share of random moments with a carrying message within the horizon;\n# delay: the residual wait from such a moment to that message (0%, 1%, …, 100% quantiles, hours)."
                );
                let _ = writeln!(s, "transmit = {}", crate::random::dist::fmt_decimals(e.transmit, 4));
                let q: Vec<String> = e.quantiles.iter().map(|&x| crate::random::dist::fmt_decimals(x, 3)).collect();
                let _ = writeln!(s, "delay = {{ dist = \"empirical\", quantiles = [{}] }}\n", q.join(", "));
            }
        }
    }

    if !map.sites.is_empty() {
        site_calendars(&mut s, map, traces);
    }
    if let Some(t) = traces {
        calendar_block(&mut s, t);
    }
    s.push_str("# ---- Roles: one per role import assigned ----\n\n");
    let mut roles: Vec<(&str, usize)> = vec![(COMMUNITY_ROLE, 1)];
    for e in employees {
        match roles.iter_mut().find(|(r, _)| *r == e.role) {
            Some(r) => r.1 += 1,
            None => roles.push((&e.role, 1)),
        }
    }
    for (role, n) in roles {
        let origin = if role == COMMUNITY_ROLE {
            format!("the community node \"{}\"", comment(&map.community_id))
        } else {
            let patterns: Vec<String> = map
                .rules
                .iter()
                .filter(|r| r.role == role)
                .map(|r| match &r.unit {
                    Some(u) => format!("\"{}\" in unit \"{}\"", comment(&r.text), comment(u)),
                    None => format!("\"{}\"", comment(&r.text)),
                })
                .collect();
            let mut o =
                if patterns.is_empty() { String::new() } else { format!("titles matching {}", patterns.join(", ")) };
            if role == map.default_role {
                o = if o.is_empty() {
                    "no title rule matched (default_role)".into()
                } else {
                    format!("{o}, or no rule matched")
                };
            }
            o
        };
        let _ =
            writeln!(s, "# {role}: {n} {} ({origin}).", if n == 1 { "person" } else { "people" }, role = comment(role));
        let _ = writeln!(s, "[roles.{}]", key(role));
        s.push_str("notice = 1.0   # ESTIMATE — replace\n");
        if role != COMMUNITY_ROLE {
            s.push_str("processing = { dist = \"lognormal\", median = 4.0, sigma = 0.8 }   # ESTIMATE — replace\n");
        }
        s.push('\n');
    }

    s.push_str("# ---- Community manager (optional) ----\n");
    let managers: Vec<&str> =
        employees.iter().filter(|e| e.role == map::DEFAULT_WATCHER_ROLE).map(|e| e.id.as_str()).collect();
    if let [only] = managers.as_slice() {
        s.push_str("# Uncomment to model the community manager's mandate and internal reach:\n");
        let _ = writeln!(s, "# [community_manager]\n# id = {}\n# mandate = false", comment(&toml_string(only)));
    } else {
        s.push_str("# To model a community manager's mandate and reach, add a [community_manager] table\n");
        s.push_str("# with their id (docs/scenario-format.md).\n");
    }
    let _ = writeln!(
        s,
        "# {} people are linked to the community node over {} (roles {}).",
        watchers.len(),
        comment(&map.community_channel),
        comment(&map.watchers.join(", "))
    );
    watcher_shares(&mut s, employees, map);
    s
}

/// The map's `community.watcher_shares` as `[[watchers]]` tables (last in the skeleton: an array
/// of tables takes every key after it); a role nobody has is a comment.
fn watcher_shares(s: &mut String, employees: &[Employee], map: &Map) {
    for (role, share) in &map.watcher_shares {
        let n = employees.iter().filter(|e| &e.role == role).count();
        if n == 0 {
            let _ = writeln!(
                s,
                "# community.watcher_shares: nobody has the role {}; no [[watchers]] for it.",
                comment(role)
            );
            continue;
        }
        let _ = writeln!(
            s,
            "\n# A share of the {n} {} people watches the community in each replication (map `community.watcher_shares`,\n# drawn per person and replication, nested: docs/scenario-format.md#watchers).",
            comment(role)
        );
        let _ = writeln!(
            s,
            "[[watchers]]\nrole = {}\nshare = {}   # ESTIMATE — replace\nchannel = {}",
            toml_string(role),
            crate::random::dist::fmt_decimals(*share, 4),
            toml_string(&map.community_channel)
        );
    }
}

/// Writes the imported files whole or not at all, with their checksummed marker
/// ([`crate::outdir::IMPORT_MARKER`]; the one folder
/// writer, [`crate::outdir::write_folder`]).
pub(crate) fn write_folder(out: &Path, imported: &Imported) -> Result<(), Error> {
    let files: Vec<(&str, String)> = imported.files.iter().map(|(n, c)| (*n, c.clone())).collect();
    crate::outdir::write_folder(out, &files, crate::outdir::Policy::Import)
}
