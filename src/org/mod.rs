//! The organisation: people (id, unit, role) and the communication links between them, as read
//! from the client's CSV files or produced by the generator. Names are interned: a person's unit
//! and role, and a link's channel, are small indices into name tables.

mod csv_input;
pub(crate) mod events;
pub(crate) mod generate;
pub mod replay;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

pub(crate) use csv_input::refuse_duplicate_columns;
pub use csv_input::{
    InputFile, MAX_SCENARIO_BYTES, load_csv, org_from_csv_text, read_input, read_scenario_text,
    read_text as csv_input_read_text, text_of_bytes, with_meetings,
};

/// Index of a person in [`Organisation::people`].
pub type PersonIdx = u32;

/// One person of the organisation (or the external community node).
#[derive(Debug, Clone)]
pub struct Person {
    /// The unique id from the CSV or the generator, e.g. `dev-3-2`.
    pub id: compact_str::CompactString,
    /// Index into [`Organisation::units`].
    pub unit: u32,
    /// Index into [`Organisation::roles`].
    pub role: u32,
}

/// Whether a link carries the item both ways or only from source to target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Both ways (the default for a link given once).
    Both,
    /// Only from `source` to `target`.
    Forward,
}

impl Direction {
    /// Parses `both` / `forward`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim() {
            "both" | "" => Some(Direction::Both),
            "forward" => Some(Direction::Forward),
            _ => None,
        }
    }
}

/// A communication link between two people over a named channel.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// The sender (for a two-way link: one end).
    pub source: PersonIdx,
    /// The receiver (for a two-way link: the other end).
    pub target: PersonIdx,
    /// Index into [`Organisation::channels`] (the channel names the links use).
    pub channel: u32,
    /// One-way or both ways.
    pub direction: Direction,
}

/// `Organisation::link_group` of a link that is a meeting of its own two people (one-to-ones,
/// bridges and cross-team ties of the generator): no name is stored, so a large generated
/// organisation costs no memory per pair for it.
pub const PAIR_GROUP: u32 = u32::MAX - 1;
/// `Organisation::link_group` of a link without a group (its channel's default group).
pub const NO_LINK_GROUP: u32 = u32::MAX;

/// The weight of a link without one: one chance to pass the item on (v1).
pub const DEFAULT_LINK_WEIGHT: f64 = 1.0;

/// Where a channel name was first used, for error messages about unknown channels.
#[derive(Debug, Clone)]
pub struct NameOrigin {
    /// The file (links CSV or scenario).
    pub file: PathBuf,
    /// The 1-based line in that file, when known.
    pub line: Option<usize>,
    /// The scenario key that named the channel (generator), when not a CSV row.
    pub key: Option<String>,
}

/// A whole organisation.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    /// Everybody, including the community node(s).
    pub people: Vec<Person>,
    /// Unit names (interned).
    pub units: Vec<String>,
    /// Role names (interned).
    pub roles: Vec<String>,
    /// Channel names used by [`Organisation::links`] (interned).
    pub channels: Vec<String>,
    /// Where each channel name was first used.
    pub channel_origins: Vec<NameOrigin>,
    /// All links as given (a two-way link once).
    pub links: Vec<Link>,
    /// Meeting group names used by links (interned; `links.csv` column `group`, or the
    /// generator's teams and coordination channels).
    pub groups: Vec<String>,
    /// Per link, its group (index into `groups`) or [`NO_LINK_GROUP`]; empty when no link has a
    /// group.
    pub link_group: Vec<u32>,
    /// Calendar names used by people (interned; `people.csv` column `calendar`).
    pub calendars: Vec<String>,
    /// Per person, their calendar (index into `calendars`) or [`NO_LINK_GROUP`] for the
    /// scenario's default; empty when nobody has one.
    pub person_calendar: Vec<u32>,
    /// Per person, their display name (`people.csv` column `name`; empty text for none); empty
    /// when nobody has one. Ids stay the key; names are only shown.
    pub person_name: Vec<String>,
    /// Site names used by people (interned; `people.csv` column `site`).
    pub sites: Vec<String>,
    /// Per person, their site (index into `sites`) or [`NO_LINK_GROUP`] for none; empty when
    /// nobody has one.
    pub person_site: Vec<u32>,
    /// Per link, its strength `w` (`links.csv` column `weight`, a positive number; the link
    /// carries the item with probability 1 − (1 − transmit)^w); empty when every link has
    /// weight [`DEFAULT_LINK_WEIGHT`].
    pub link_weight: Vec<f64>,
    /// A message log replayed as links over [`replay::REPLAY_CHANNEL`] (`[organisation]
    /// events`), if any.
    pub replay: Option<std::sync::Arc<replay::ReplayLog>>,
    /// How the organisation came about (for summaries).
    pub origin: String,
    /// The id index: person indices, hashed by id (the id itself is read from `people`, so the
    /// index costs about 5 bytes per person instead of a second copy of every id).
    index: hashbrown::HashTable<PersonIdx>,
    /// The hasher of `index`.
    hasher: hashbrown::DefaultHashBuilder,
    /// [`Organisation::distinct_links_per_channel`], computed on first use (links are not
    /// changed after the organisation is built, except by `add_replay`, which resets it).
    distinct: std::sync::OnceLock<Vec<(usize, usize)>>,
}

/// The hash of a person id in [`Organisation`]'s index.
fn id_hash(hasher: &hashbrown::DefaultHashBuilder, id: &str) -> u64 {
    use std::hash::BuildHasher as _;
    hasher.hash_one(id)
}

fn intern(names: &mut Vec<String>, map: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&i) = map.get(name) {
        return i;
    }
    let i = names.len() as u32;
    names.push(name.to_string());
    map.insert(name.to_string(), i);
    i
}

/// Builds an [`Organisation`] person by person and link by link.
#[derive(Debug, Default)]
pub struct OrganisationBuilder {
    org: Organisation,
    units: HashMap<String, u32>,
    roles: HashMap<String, u32>,
    channels: HashMap<String, u32>,
    groups: HashMap<String, u32>,
    calendars: HashMap<String, u32>,
    sites: HashMap<String, u32>,
}

impl OrganisationBuilder {
    /// An empty organisation described by `origin` (e.g. "people.csv + links.csv").
    pub fn new(origin: impl Into<String>) -> Self {
        let mut b = OrganisationBuilder::default();
        b.org.origin = origin.into();
        b
    }

    /// Adds a person; returns `None` if the id is taken.
    pub fn add_person(&mut self, id: &str, unit: &str, role: &str) -> Option<PersonIdx> {
        let org = &mut self.org;
        let hash = id_hash(&org.hasher, id);
        let people = &org.people;
        let hasher = &org.hasher;
        let slot =
            match org.index.entry(hash, |&p| people[p as usize].id == id, |&p| id_hash(hasher, &people[p as usize].id))
            {
                hashbrown::hash_table::Entry::Occupied(_) => return None,
                hashbrown::hash_table::Entry::Vacant(v) => v,
            };
        let idx = org.people.len() as PersonIdx;
        slot.insert(idx);
        let unit = intern(&mut org.units, &mut self.units, unit);
        let role = intern(&mut org.roles, &mut self.roles, role);
        org.people.push(Person { id: id.into(), unit, role });
        Some(idx)
    }

    /// Room for `people` more people and `links` more links (a reader that knows its row
    /// counts avoids the vectors' doubling, which briefly holds one and a half copies).
    pub fn reserve(&mut self, people: usize, links: usize) {
        self.org.people.reserve_exact(people);
        let (people_vec, hasher) = (&self.org.people, &self.org.hasher);
        self.org.index.reserve(people, |&p| id_hash(hasher, &people_vec[p as usize].id));
        self.org.links.reserve_exact(links);
    }

    /// The index of the person with `id`, if added.
    pub fn find(&self, id: &str) -> Option<PersonIdx> {
        self.org.find(id)
    }

    /// Adds a link over the channel named `channel` (first used at `origin`).
    pub fn add_link(
        &mut self,
        source: PersonIdx,
        target: PersonIdx,
        channel: &str,
        direction: Direction,
        origin: impl FnOnce() -> NameOrigin,
    ) {
        let before = self.org.channels.len();
        let channel = intern(&mut self.org.channels, &mut self.channels, channel);
        if self.org.channels.len() > before {
            self.org.channel_origins.push(origin());
        }
        self.org.links.push(Link { source, target, channel, direction });
    }

    /// Makes the link added last a meeting of its own two people ([`PAIR_GROUP`]).
    pub fn set_last_link_pair_group(&mut self) {
        let n = self.org.links.len();
        self.org.link_group.resize(n, NO_LINK_GROUP);
        self.org.link_group[n - 1] = PAIR_GROUP;
    }

    /// Puts the link added last into the meeting group `group` (scheduled channels: the links
    /// of one group share their occurrences).
    pub fn set_last_link_group(&mut self, group: &str) {
        let g = intern(&mut self.org.groups, &mut self.groups, group);
        let n = self.org.links.len();
        self.org.link_group.resize(n, NO_LINK_GROUP);
        self.org.link_group[n - 1] = g;
    }

    /// Gives the person added last the display name `name` (shown in reports; ids stay the key).
    pub fn set_last_person_name(&mut self, name: &str) {
        let n = self.org.people.len();
        self.org.person_name.resize(n, String::new());
        self.org.person_name[n - 1] = name.to_string();
    }

    /// Puts the person added last at the site named `site` (bottlenecks by site).
    pub fn set_last_person_site(&mut self, site: &str) {
        let s = intern(&mut self.org.sites, &mut self.sites, site);
        let n = self.org.people.len();
        self.org.person_site.resize(n, NO_LINK_GROUP);
        self.org.person_site[n - 1] = s;
    }

    /// Gives the link added last the strength `weight` (positive and finite, checked by the
    /// caller).
    pub fn set_last_link_weight(&mut self, weight: f64) {
        if weight == DEFAULT_LINK_WEIGHT && self.org.link_weight.is_empty() {
            return;
        }
        let n = self.org.links.len();
        self.org.link_weight.resize(n, DEFAULT_LINK_WEIGHT);
        self.org.link_weight[n - 1] = weight;
    }

    /// Gives the person added last the calendar named `calendar`.
    pub fn set_last_person_calendar(&mut self, calendar: &str) {
        self.set_person_calendar(self.org.people.len() as PersonIdx - 1, calendar);
    }

    /// Gives person `p` the calendar named `calendar`.
    pub fn set_person_calendar(&mut self, p: PersonIdx, calendar: &str) {
        let c = intern(&mut self.org.calendars, &mut self.calendars, calendar);
        self.org.person_calendar.resize(self.org.people.len(), NO_LINK_GROUP);
        self.org.person_calendar[p as usize] = c;
    }

    /// Number of people so far.
    pub fn len(&self) -> usize {
        self.org.people.len()
    }

    /// True when nobody has been added.
    pub fn is_empty(&self) -> bool {
        self.org.people.is_empty()
    }

    /// The organisation built so far.
    pub fn peek(&self) -> &Organisation {
        &self.org
    }

    /// The finished organisation.
    pub fn finish(mut self) -> Organisation {
        if !self.org.link_group.is_empty() {
            self.org.link_group.resize(self.org.links.len(), NO_LINK_GROUP);
        }
        if !self.org.person_calendar.is_empty() {
            self.org.person_calendar.resize(self.org.people.len(), NO_LINK_GROUP);
        }
        if !self.org.person_name.is_empty() {
            self.org.person_name.resize(self.org.people.len(), String::new());
        }
        if !self.org.person_site.is_empty() {
            self.org.person_site.resize(self.org.people.len(), NO_LINK_GROUP);
        }
        if !self.org.link_weight.is_empty() {
            self.org.link_weight.resize(self.org.links.len(), DEFAULT_LINK_WEIGHT);
        }
        self.org
    }
}

impl Organisation {
    /// Adds a person to a finished organisation (a variant's `add_people`) after everybody
    /// else, so nobody's index changes (draws are keyed by ids anyway); with an optional display
    /// name and site. Works on the scenario's default calendar. Returns `None` if the id is taken.
    pub fn push_person(
        &mut self,
        id: &str,
        unit: &str,
        role: &str,
        name: Option<&str>,
        site: Option<&str>,
    ) -> Option<PersonIdx> {
        if self.find(id).is_some() {
            return None;
        }
        let intern_in = |names: &mut Vec<String>, name: &str| match names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                names.push(name.to_string());
                names.len() as u32 - 1
            }
        };
        let unit = intern_in(&mut self.units, unit);
        let role = intern_in(&mut self.roles, role);
        let idx = self.people.len() as PersonIdx;
        self.people.push(Person { id: id.into(), unit, role });
        let (people, hasher) = (&self.people, &self.hasher);
        self.index.insert_unique(id_hash(hasher, id), idx, |&p| id_hash(hasher, &people[p as usize].id));
        let n = self.people.len();
        if !self.person_calendar.is_empty() {
            self.person_calendar.resize(n, NO_LINK_GROUP);
        }
        if name.is_some() || !self.person_name.is_empty() {
            self.person_name.resize(n, String::new());
            self.person_name[n - 1] = name.unwrap_or_default().to_string();
        }
        if site.is_some() || !self.person_site.is_empty() {
            let s = site.map_or(NO_LINK_GROUP, |s| intern_in(&mut self.sites, s));
            self.person_site.resize(n, NO_LINK_GROUP);
            self.person_site[n - 1] = s;
        }
        Some(idx)
    }

    /// The index of the person with `id`.
    pub fn find(&self, id: &str) -> Option<PersonIdx> {
        let hash = id_hash(&self.hasher, id);
        self.index.find(hash, |&p| self.people[p as usize].id == id).copied()
    }

    /// Number of people (including community nodes).
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// True for an organisation without people.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The role name of person `p`.
    pub fn role_of(&self, p: PersonIdx) -> &str {
        &self.roles[self.people[p as usize].role as usize]
    }

    /// The display name of person `p` (`people.csv` column `name`), if they have one.
    pub fn name_of(&self, p: PersonIdx) -> Option<&str> {
        self.person_name.get(p as usize).map(String::as_str).filter(|n| !n.is_empty())
    }

    /// The site of person `p`, as an index into [`Organisation::site_groups`]: their `site`
    /// (people.csv), else their working calendar, else none.
    pub fn site_group_of(&self, p: PersonIdx) -> Option<usize> {
        let site = self.person_site.get(p as usize).copied().filter(|&s| s != NO_LINK_GROUP);
        match site {
            Some(s) => Some(s as usize),
            None => self
                .person_calendar
                .get(p as usize)
                .copied()
                .filter(|&c| c != NO_LINK_GROUP)
                .map(|c| self.sites.len() + c as usize),
        }
    }

    /// The names of the site groups of [`Organisation::site_group_of`]: the sites, then the
    /// calendars (for people without a site).
    pub fn site_groups(&self) -> Vec<String> {
        self.sites.iter().chain(&self.calendars).cloned().collect()
    }

    /// The strength of link `i` (an index into [`Organisation::links`]).
    pub fn weight_of(&self, i: usize) -> f64 {
        self.link_weight.get(i).copied().unwrap_or(DEFAULT_LINK_WEIGHT)
    }

    /// The unit name of person `p`.
    pub fn unit_of(&self, p: PersonIdx) -> &str {
        &self.units[self.people[p as usize].unit as usize]
    }

    /// Ids of all people, for "did you mean" suggestions (capped to keep errors cheap).
    pub fn ids_for_suggestions(&self) -> Vec<String> {
        if self.people.len() > 100_000 {
            return Vec::new();
        }
        self.people.iter().map(|p| p.id.to_string()).collect()
    }

    /// Distinct links per channel (index as [`Organisation::channels`]): `(two-way, one-way)`.
    /// A link given twice, or once each way, is one link, as the simulation merges them: a pair
    /// connected both ways over a channel is one two-way link, an arc without its reverse one
    /// one-way link.
    pub fn distinct_links_per_channel(&self) -> Vec<(usize, usize)> {
        self.distinct.get_or_init(|| self.count_distinct_links()).clone()
    }

    /// The counts of [`Organisation::distinct_links_per_channel`]: each link as its unordered
    /// pair of people and channel with the directions it carries (bit 1: from the lower index
    /// to the higher, bit 2: back), sorted; a pair whose directions together are both ways is
    /// one two-way link, any other one one-way link. One sort of 16 bytes per link, collected
    /// into one allocation (large enough to be handed back to the system when freed, not kept
    /// in the allocator's heap for the rest of the run).
    fn count_distinct_links(&self) -> Vec<(usize, usize)> {
        use rayon::prelude::*;
        let mut pairs: Vec<(u32, PersonIdx, PersonIdx, u8)> = self
            .links
            .par_iter()
            .map(|l| {
                let (a, b) = (l.source.min(l.target), l.source.max(l.target));
                let dirs = match l.direction {
                    // A link from a person to themselves (none pass the readers) is no link.
                    _ if a == b => 0,
                    Direction::Both => 3,
                    Direction::Forward if l.source < l.target => 1,
                    Direction::Forward => 2,
                };
                (l.channel, a, b, dirs)
            })
            .collect();
        pairs.par_sort_unstable();
        let mut counts = vec![(0usize, 0usize); self.channels.len()];
        for run in pairs.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
            let dirs = run.iter().fold(0, |d, x| d | x.3);
            let c = &mut counts[run[0].0 as usize];
            match dirs {
                0 => {}
                3 => c.0 += 1,
                _ => c.1 += 1,
            }
        }
        counts
    }

    /// The number of distinct links (see [`Organisation::distinct_links_per_channel`]).
    pub fn distinct_link_count(&self) -> usize {
        self.distinct_links_per_channel().iter().map(|(both, one)| both + one).sum()
    }

    /// A plain-text summary: people per unit and role, links per channel.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let per_channel = self.distinct_links_per_channel();
        let links: usize = per_channel.iter().map(|(both, one)| both + one).sum();
        let _ = writeln!(s, "organisation: {} people, {links} links ({})", self.people.len(), self.origin);
        let mut by_unit: Vec<(String, Vec<(String, usize)>)> = Vec::new();
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for p in &self.people {
            *counts.entry((p.unit, p.role)).or_default() += 1;
        }
        for (u, unit) in self.units.iter().enumerate() {
            let mut roles: Vec<(String, usize)> = self
                .roles
                .iter()
                .enumerate()
                .filter_map(|(r, role)| counts.get(&(u as u32, r as u32)).map(|&c| (role.clone(), c)))
                .collect();
            roles.sort();
            by_unit.push((unit.clone(), roles));
        }
        for (unit, roles) in by_unit {
            let total: usize = roles.iter().map(|r| r.1).sum();
            let list: Vec<String> = roles.iter().map(|(r, c)| format!("{c} {r}")).collect();
            let _ = writeln!(s, "  unit {unit:<14} {total:>6} people: {}", list.join(", "));
        }
        for (c, name) in self.channels.iter().enumerate() {
            let (both, fwd) = per_channel[c];
            let _ = writeln!(s, "  channel {name:<18} {both:>7} two-way, {fwd:>7} one-way links");
        }
        s
    }
}
