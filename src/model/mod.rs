//! The compiled model of one design point: compact arrays the engine walks in its inner loop.
//!
//! A model is a [`Structure`] — who is linked to whom over which channel, identity keys, the
//! target — compiled once and shared, plus [`Params`] — channel and role behaviour, the mandate's
//! effect, the involvement fraction, the threshold — which a new design point patches cheaply
//! ([`Model::with_params`]): no re-parse, no re-validation, no rehash of links.
//!
//! - CSR adjacency: the outgoing links of person `p` are `arcs[offsets[p]..offsets[p + 1]]`,
//!   sorted by receiver; a two-way link becomes two arcs.
//! - Each arc carries its receiver (`u32`), its channel index, its kind index (ordinary,
//!   priority from a mandated community manager, involvement-gated) and its identity key for
//!   common random numbers.
//! - Per person: role index, identity key, target membership.
//!
//! The model knows the organisation's data ([`crate::org`]) but not the scenario layer: the
//! scenario lowers a validated variant into a [`StructureSpec`] and [`Params`].

pub(crate) mod calendar;
pub(crate) mod patch;

use std::sync::Arc;

use crate::org::{DEFAULT_LINK_WEIGHT, Direction, Organisation, PersonIdx};
use crate::random::dist::Dist;
use rayon::prelude::*;

use crate::random::rng::{IdentityKey, identity_key};

/// Index of a channel in a model's channel list.
pub type ChannelId = u16;

/// What an internal mandate changes for messages the community manager sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MandateEffect {
    /// Receivers notice the manager's messages with at least this probability.
    pub notice: f64,
    /// Processing delays of the manager's messages are multiplied by this factor (0–1].
    pub processing_factor: f64,
}

/// A directed or two-way link beyond the organisation's own (added by settings or variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSpec {
    /// Sender (one end, for two-way links).
    pub source: PersonIdx,
    /// Receiver (other end).
    pub target: PersonIdx,
    /// The channel.
    pub channel: ChannelId,
    /// One-way or both ways.
    pub direction: Direction,
    /// Its meeting group (index into `Organisation::groups`) or `org::NO_LINK_GROUP`.
    pub group: u32,
}

/// Who follows the community, structurally: the group, the community node(s), the channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvolvementSpec<'a> {
    /// The group whose members may be involved.
    pub group: &'a [PersonIdx],
    /// The community node(s) they follow.
    pub community: &'a [PersonIdx],
    /// The community-feed channel.
    pub channel: ChannelId,
    /// `Forward`: community → person only; `Both`: they also post to the community.
    pub direction: Direction,
}

/// Everything that fixes a model's structure: compiled once per distinct structure. Two equal
/// specs (the same organisation, by identity, and equal everything else) compile to the same
/// structure, so one may serve both.
#[derive(Debug, Clone, Copy)]
pub struct StructureSpec<'a> {
    /// The organisation: people (ids, roles) and links.
    pub org: &'a Organisation,
    /// For each channel name of the organisation (`org.channels`), the model's channel id.
    pub org_channel: &'a [ChannelId],
    /// Channel names by channel id (part of the links' identity keys).
    pub channel_names: &'a [&'a str],
    /// Links beyond the organisation's own.
    pub extra_links: &'a [LinkSpec],
    /// Involvement, if any (its fraction is a parameter).
    pub involvement: Option<InvolvementSpec<'a>>,
    /// The `[[watchers]]` groups, in file order (their shares are parameters,
    /// `Params::watcher_shares`; `Watchers::share` is not part of the structure).
    pub watchers: &'a [Watchers],
    /// The community managers with a mandate: their links carry priority (the effect of the
    /// `i`-th is the parameter `Params::priority[i]`). Distinct people.
    pub priority_senders: &'a [PersonIdx],
    /// Where the item appears (processed at time 0).
    pub sources: &'a [PersonIdx],
    /// The target group.
    pub target: &'a [PersonIdx],
}

impl PartialEq for StructureSpec<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.org, other.org)
            && self.org_channel == other.org_channel
            && self.channel_names == other.channel_names
            && self.extra_links == other.extra_links
            && self.involvement == other.involvement
            && self.watchers.len() == other.watchers.len()
            && self.watchers.iter().zip(other.watchers).all(|(a, b)| a.same_structure(b))
            && self.priority_senders == other.priority_senders
            && self.sources == other.sources
            && self.target == other.target
    }
}

/// The parameters of a model: what a new design point may change without recompiling.
#[derive(Debug, Clone)]
pub struct Params {
    /// Channel behaviour by channel id.
    pub channels: Vec<ChannelParams>,
    /// Role behaviour by role index of the organisation.
    pub roles: Vec<RoleParams>,
    /// What each mandated community manager's mandate changes, in the order of the structure's
    /// `priority_senders` (empty without one).
    pub priority: Vec<MandateEffect>,
    /// Share of the involvement group that is involved, 0–1 (used only where the structure has
    /// involvement).
    pub involvement_fraction: Option<f64>,
    /// Share of each `[[watchers]]` group that watches the community, 0–1, in the order of the
    /// structure's `watchers`.
    pub watcher_shares: Vec<f64>,
    /// Share of the target that must have processed the item, in (0, 1].
    pub threshold: f64,
    /// Processing after this many hours counts as never.
    pub horizon_hours: f64,
    /// Working calendars, if the scenario has any (delays and processing in the receiver's
    /// working hours, the window in the sender's).
    pub calendar: Option<Arc<crate::model::calendar::CalendarSetup>>,
}

/// The most community managers with a mandate a model holds (each adds two link kinds, and
/// kinds are 16-bit indices).
pub const MAX_PRIORITY_SENDERS: usize = 10_000;

/// Why a model could not be compiled or patched.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// More directed links than the engine's 32-bit indices hold.
    TooManyLinks,
    /// The parameters do not fit the structure (channel, role or mandate counts differ).
    ParamsDoNotFit,
    /// More mandated community managers than [`MAX_PRIORITY_SENDERS`].
    TooManyManagers,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::TooManyLinks => write!(f, "more than 4 billion directed links"),
            ModelError::ParamsDoNotFit => write!(f, "the parameters do not fit the compiled structure"),
            ModelError::TooManyManagers => {
                write!(f, "more than {MAX_PRIORITY_SENDERS} community managers with a mandate")
            }
        }
    }
}

/// One directed link as the engine sees it from its sender's adjacency (16 bytes): an *arc* of
/// the compiled graph. (Named so it does not hide `std::sync::Arc`.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutLink {
    /// The receiver.
    pub to: PersonIdx,
    /// Index into [`Model::channels`].
    pub channel: ChannelId,
    /// Index into [`Model::kinds`].
    pub kind: u16,
    /// Identity key of (sender id, receiver id, channel name): the seed of this link's draws.
    pub key: u64,
}

/// What the pass reads about a person it processes, packed so that one cache line holds it all
/// (16 bytes; on organisations of a million people each of these reads misses the cache).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonRecord {
    /// Identity key of the person id: the seed of the person's draws.
    pub key: u64,
    /// The person's first arc (their CSR offset): their arcs are
    /// `arcs[first_arc..next.first_arc]`.
    pub first_arc: u32,
    /// Role index.
    pub role: u16,
    /// Whether the person belongs to the target.
    pub in_target: bool,
}

/// What is special about a link beyond its channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkKind {
    /// The sender is a community manager with a mandate: priority work for the receiver.
    pub priority: Option<MandateEffect>,
    /// The link exists only in replications where the involved person is drawn as involved.
    pub gate: Option<Gate>,
}

/// Gating of a link by a nested random share of a group (involvement, or a `[[watchers]]`
/// group): active iff the gated person's uniform for `purpose` is below `fraction`, so a larger
/// fraction always contains the people of a smaller one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    /// Share of the group that is in, 0–1.
    pub fraction: f64,
    /// True when the gated person is the sender (they post to the community), false when the
    /// receiver (they follow it).
    pub on_sender: bool,
    /// The draw: [`crate::random::rng::Purpose::Involvement`] or
    /// [`crate::random::rng::Purpose::Watching`].
    pub purpose: crate::random::rng::Purpose,
}

/// A `[[watchers]]` group: a nested random share of a group watches the community node(s),
/// drawn per person and replication (purpose [`crate::random::rng::Purpose::Watching`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Watchers {
    /// Share of the group that watches in a replication, 0–1 (the baseline's; the model uses
    /// `Params::watcher_shares`).
    pub share: f64,
    /// The group.
    pub group: Vec<PersonIdx>,
    /// The community node(s) they watch.
    pub community: Vec<PersonIdx>,
    /// The channel of the links.
    pub channel: ChannelId,
    /// `Forward`: community → person only; `Both`: also person → community.
    pub direction: Direction,
}

impl Watchers {
    /// Same links (everything but the share).
    fn same_structure(&self, other: &Watchers) -> bool {
        self.group == other.group
            && self.community == other.community
            && self.channel == other.channel
            && self.direction == other.direction
    }
}

/// How a channel's links time their deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Timing {
    /// Every link draws its own delay (v1).
    #[default]
    PerLink,
    /// One delay per (sender, channel, replication), shared by all of that sender's links on
    /// the channel (a digest e-mail, a mailing list).
    Broadcast,
    /// Recurring occurrences every `every` hours with a phase uniform on `[0, every)` per
    /// meeting group and replication; an item sent at `t` arrives at the first occurrence at
    /// or after `t`, plus the channel's delay drawn per link.
    Scheduled {
        /// Hours between occurrences, > 0.
        every: f64,
    },
    /// Occurrences at set weekly times of a calendar (`at`), compiled into the model's
    /// `crate::model::calendar::CalendarSetup::schedules`; arrival at the first at or after the send,
    /// plus the channel's delay.
    At,
    /// The replayed message log (`[organisation] events`): an item sent at `t` arrives at the
    /// first carrying message of the pair at or after `t` (see `crate::engine`), none after the
    /// log's end.
    Replay,
}

/// The first occurrence at or after `t` of a schedule with occurrences at `phase + m × every`
/// (m = 0, 1, …), in hours. Non-decreasing in `t` (first in, first out).
#[inline]
pub fn next_occurrence(t: f64, phase: f64, every: f64) -> f64 {
    if t <= phase { phase } else { phase + ((t - phase) / every).ceil() * every }
}

/// The probability that a link of strength `weight` carries the item, for a channel that passes
/// it on with probability `transmit`: 1 − (1 − transmit)^weight, `weight` independent chances.
/// Exactly `transmit` for weight 1 (v1), and non-decreasing in both `transmit` and `weight` (a
/// stronger link is never less likely to carry the item than a weight-1 one, even by a rounding
/// error).
#[inline]
pub fn weighted_transmit(transmit: f64, weight: f32) -> f64 {
    if weight == 1.0 || transmit >= 1.0 {
        return transmit;
    }
    let p = 1.0 - (1.0 - transmit).powf(f64::from(weight));
    if weight > 1.0 { p.max(transmit) } else { p.min(transmit) }
}

/// A channel's parameters, ready for the inner loop.
#[derive(Debug, Clone)]
pub struct ChannelParams {
    /// Probability to pass the item on over a link.
    pub transmit: f64,
    /// Overrides the receiver's notice probability, if set.
    pub notice: Option<f64>,
    /// Delay in hours (for a scheduled channel: added after the occurrence, per link).
    pub delay: Dist,
    /// How the links of this channel time their deliveries.
    pub timing: Timing,
}

/// A role's parameters, ready for the inner loop.
#[derive(Debug, Clone)]
pub struct RoleParams {
    /// Probability that a delivery is noticed.
    pub notice: f64,
    /// Processing delay in hours.
    pub processing: Dist,
    /// Spreading window in hours; `None` = unlimited.
    pub window: Option<Dist>,
    /// Probability that a person of this role is away for the whole horizon in a replication
    /// (neither notices nor relays), 0–1.
    pub absent: f64,
}

/// A link kind as the structure knows it: whether it carries priority (from which mandated
/// manager) and how it is gated; the values (the mandate's effect, the involvement fraction)
/// come from [`Params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct KindTemplate {
    /// `Some(i)`: the sender is the `i`-th mandated manager.
    priority: Option<u16>,
    /// `Some((on_sender, 0))` for an involvement-gated link, `Some((on_sender, i + 1))` for one
    /// gated by the `i`-th watchers group.
    gate: Option<(bool, u16)>,
}

/// The replayed log as the compiled structure holds it.
#[derive(Debug)]
pub struct ReplayArcs {
    /// The log (shared with the organisation).
    pub log: Arc<crate::org::replay::ReplayLog>,
    /// Per arc, the index of its pair in `log.pairs`, or `NO_GROUP`.
    pub arc_pair: Vec<u32>,
}

/// The compiled structure of a model: shared by every design point with the same structure.
#[derive(Debug)]
pub struct Structure {
    /// CSR offsets, `people + 1` entries.
    pub offsets: Vec<u32>,
    /// The directed links, grouped by sender.
    pub arcs: Vec<OutLink>,
    /// Role index per person.
    pub person_role: Vec<u16>,
    /// Unit index per person (for the bottlenecks by unit).
    pub person_unit: Vec<u32>,
    /// Number of units the people belong to.
    pub unit_count: usize,
    /// Site group per person (see `Organisation::site_group_of`), `NO_GROUP` for none; empty
    /// when nobody has a site or calendar.
    pub person_site: Vec<u32>,
    /// Number of site groups (`Organisation::site_groups`).
    pub site_count: usize,
    /// Number of those that are `people.csv` sites (the rest are the organisation's calendars,
    /// replaced by the scenario's resolved calendars when it has any: see [`Model::site_of`]).
    pub own_site_count: usize,
    /// Per person, what the pass reads when it processes them, in one 16-byte record (one
    /// cache line access per processed person instead of four): identity key, first arc, role
    /// and target flag; `people + 1` records, the last one's `first_arc` the number of arcs.
    pub person: Vec<PersonRecord>,
    /// Where the item appears (processed at time 0).
    pub sources: Vec<PersonIdx>,
    /// Size of the target group.
    pub target_size: u32,
    /// Per arc, its meeting group (index into `group_keys`), or `NO_GROUP` for the channel's
    /// default group; empty when no link has a group (every arc is in its channel's group).
    pub arc_group: Vec<u32>,
    /// Per arc, its strength `w` (see [`weighted_transmit`]); empty when every link has weight 1.
    pub arc_weight: Vec<f32>,
    /// Identity keys of the meeting groups named by links (group name and channel name).
    pub group_keys: Vec<u64>,
    /// Identity key per channel id (the channel name): its default meeting group, and part of
    /// the key of a sender's broadcast on it.
    pub channel_keys: Vec<u64>,
    /// The replayed message log and, per arc, its pair in the log (`NO_GROUP` for arcs that are
    /// not replayed), if the organisation has one.
    pub replay: Option<ReplayArcs>,
    /// Number of channels the arcs refer to.
    channel_count: usize,
    /// Number of roles the people refer to.
    role_count: usize,
    /// Number of mandated community managers (priority senders).
    priority_count: usize,
    /// The link kinds by kind index, without their values.
    kinds: Vec<KindTemplate>,
}

/// The compiled model of one design point: a shared structure and its parameters.
#[derive(Debug, Clone)]
pub struct Model {
    /// The structure (links, people, target), shared between points.
    pub structure: Arc<Structure>,
    /// Channel parameters by channel index.
    pub channels: Vec<ChannelParams>,
    /// Role parameters by role index.
    pub roles: Vec<RoleParams>,
    /// Link kinds by kind index (`kinds[0]` is the ordinary link).
    pub kinds: Vec<LinkKind>,
    /// Per arc, the probability that it carries the item (its channel's `transmit` mapped
    /// through the arc's weight, [`weighted_transmit`]); empty when no link has a weight other
    /// than 1 (then it is the channel's `transmit`). Computed once per design point, so that the
    /// inner loop does no power per link.
    pub arc_transmit: Arc<Vec<f64>>,
    /// `ceil(threshold × target_size)`: the rank whose processing time is T_threshold.
    pub k: u32,
    /// Processing after this many hours counts as never.
    pub horizon_hours: f64,
    /// Working calendars, if any.
    pub calendar: Option<Arc<crate::model::calendar::CalendarSetup>>,
}

/// `k = ceil(threshold × target_size)`, the rank whose processing time is T_threshold, computed
/// so that products that are whole numbers in decimal (0.55 × 100) are not pushed up by binary
/// rounding. At least 1, at most the target size.
pub fn threshold_rank(threshold: f64, target_size: usize) -> usize {
    let x = threshold * target_size as f64;
    let k = if (x - x.round()).abs() < 1e-9 * x.max(1.0) { x.round() } else { x.ceil() };
    (k as usize).clamp(1, target_size.max(1))
}

/// `Structure::arc_group` of a link in its channel's default group.
pub const NO_GROUP: u32 = crate::org::NO_LINK_GROUP;
/// A link that is a meeting of its two people ([`crate::org::PAIR_GROUP`]).
pub const PAIR_GROUP: u32 = crate::org::PAIR_GROUP;
/// The first part of a pair meeting's identity key (with the two ids in order and the channel),
/// so that it differs from any named group's key.
const PAIR_GROUP_KEY: &str = "meeting of two";

/// The identity key of a sender's broadcast on a channel: from the sender's and the channel's
/// identity keys (so that it needs no string in the inner loop).
#[inline(always)]
pub fn broadcast_key(person_key: u64, channel_key: u64) -> u64 {
    crate::random::rng::fmix64(person_key ^ channel_key.rotate_left(29) ^ 0x243f_6a88_85a3_08d3)
}

const ORDINARY: KindTemplate = KindTemplate { priority: None, gate: None };
/// The kind of a community link whose receiver must be drawn as involved.
const GATED_RECEIVER: u16 = 1;
/// The kind of a community link whose sender must be drawn as involved.
const GATED_SENDER: u16 = 2;

/// One directed link while compiling: (sender, receiver, channel, kind, group, weight as f32
/// bits). Never stored as such: [`Structure::compile`] places each straight into its sender's
/// slots of the arc array, with (group, weight) in the arc's key field until the keys are
/// computed, so compiling holds 16 bytes per arc (and 4 per person) beyond the organisation.
/// (The bits of positive floats sort like the floats.)
type Directed = (PersonIdx, PersonIdx, ChannelId, u16, u32, u32);

/// The (group, weight bits) of a [`Directed`] in an arc's key field while compiling.
fn pack_group_weight(group: u32, weight: u32) -> u64 {
    (u64::from(group) << 32) | u64::from(weight)
}

/// The meeting group of an arc whose key field holds [`pack_group_weight`].
fn packed_group(arc: &OutLink) -> u32 {
    (arc.key >> 32) as u32
}

/// The weight bits of an arc whose key field holds [`pack_group_weight`].
fn packed_weight(arc: &OutLink) -> u32 {
    arc.key as u32
}

/// Calls `f(p, arcs of p)` for every person `p` of the CSR (`arcs` split at `offsets`), in
/// parallel over about 64 runs of consecutive people.
fn par_per_sender(arcs: &mut [OutLink], offsets: &[u32], f: impl Fn(usize, &mut [OutLink]) + Sync) {
    let n = offsets.len() - 1;
    let step = n.div_ceil(64).max(1);
    let mut runs = Vec::new();
    let mut rest = arcs;
    let mut first = 0;
    while first < n {
        let last = (first + step).min(n);
        let (run, tail) = rest.split_at_mut((offsets[last] - offsets[first]) as usize);
        runs.push((first, last, run));
        rest = tail;
        first = last;
    }
    runs.into_par_iter().for_each(|(first, last, run)| {
        let base = offsets[first];
        for p in first..last {
            f(p, &mut run[(offsets[p] - base) as usize..(offsets[p + 1] - base) as usize]);
        }
    });
}

impl Structure {
    /// The identity key of person `p`.
    #[inline(always)]
    pub fn person_key(&self, p: usize) -> u64 {
        self.person[p].key
    }

    /// Whether person `p` belongs to the target.
    #[inline(always)]
    pub fn in_target(&self, p: usize) -> bool {
        self.person[p].in_target
    }

    /// Compiles a structure: the CSR adjacency with identity keys, people and target.
    ///
    /// Memory: the arcs are counted per sender, then written once into their final array (16
    /// bytes each) and sorted and merged there; nothing else per arc is held beyond the
    /// organisation, and the per-arc groups and weights only when some link has one.
    pub fn compile(spec: &StructureSpec<'_>) -> Result<Structure, ModelError> {
        let org = spec.org;
        let n = org.len();
        let (mut kinds, mandated) = link_kinds(spec.priority_senders)?;
        // Count the arcs per sender (with duplicates) ...
        let mut offsets = vec![0u32; n + 1];
        let mut total = 0u64;
        for_each_directed(spec, &mandated, &mut kinds, |(s, ..)| {
            offsets[s as usize + 1] = offsets[s as usize + 1].saturating_add(1);
            total += 1;
        })?;
        if total >= u64::from(u32::MAX) {
            return Err(ModelError::TooManyLinks);
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        // ... place each in its sender's slots ...
        let mut arcs = vec![OutLink { to: 0, channel: 0, kind: 0, key: 0 }; total as usize];
        let mut next = offsets.clone();
        for_each_directed(spec, &mandated, &mut kinds, |(s, t, c, kind, group, weight)| {
            let slot = &mut next[s as usize];
            arcs[*slot as usize] = OutLink { to: t, channel: c, kind, key: pack_group_weight(group, weight) };
            *slot += 1;
        })?;
        drop(next);
        // ... sort each sender's by (receiver, channel, kind, group, weight), merge duplicates.
        par_per_sender(&mut arcs, &offsets, |_, own| {
            own.sort_unstable_by_key(|a| (a.to, a.channel, a.kind, a.key));
        });
        merge_duplicates(&mut arcs, &mut offsets, &mut kinds);
        let names = spec.channel_names;
        let replay = replay_arcs(spec, &arcs, &offsets);
        let (group_keys, arc_group) = meeting_groups(&arcs, &offsets, org, names);
        let arc_weight = link_weights(&arcs);
        // The identity keys replace the groups and weights.
        par_per_sender(&mut arcs, &offsets, |p, own| {
            // The sender's id is hashed once for all of its arcs (a tenth of a 1M-person run's
            // CPU went to these keys).
            let sender = IdentityKey::new().then(&org.people[p].id);
            for a in own {
                a.key = sender.then(&org.people[a.to as usize].id).then(names[a.channel as usize]).finish();
            }
        });
        let mut person: Vec<PersonRecord> = org
            .people
            .iter()
            .zip(&offsets)
            .map(|(p, &first_arc)| PersonRecord {
                key: identity_key(&[&p.id]),
                first_arc,
                role: p.role as u16,
                in_target: false,
            })
            .collect();
        person.push(PersonRecord { key: 0, first_arc: offsets[n], role: 0, in_target: false });
        for &p in spec.target {
            person[p as usize].in_target = true;
        }
        let structure = Structure {
            offsets,
            arcs,
            person_role: org.people.iter().map(|p| p.role as u16).collect(),
            person_unit: org.people.iter().map(|p| p.unit).collect(),
            unit_count: org.units.len(),
            person_site: if org.person_site.is_empty() && org.person_calendar.is_empty() {
                Vec::new()
            } else {
                (0..n as PersonIdx).map(|p| org.site_group_of(p).map_or(NO_GROUP, |s| s as u32)).collect()
            },
            site_count: org.sites.len() + org.calendars.len(),
            own_site_count: org.sites.len(),
            person,
            sources: spec.sources.to_vec(),
            target_size: spec.target.len() as u32,
            arc_group,
            arc_weight,
            group_keys,
            channel_keys: names.iter().map(|c| identity_key(&[c])).collect(),
            replay,
            channel_count: names.len(),
            role_count: org.roles.len(),
            priority_count: spec.priority_senders.len(),
            kinds,
        };
        debug_assert_eq!(*structure.offsets.last().unwrap() as usize, structure.arcs.len());
        debug_assert!(structure.arcs.iter().all(|a| (a.to as usize) < n));
        Ok(structure)
    }
}

/// The link kinds in use: ordinary, involvement-gated links, and per mandated manager its
/// priority links (plain, and gated where the manager posts to the community); with the first
/// of its two kinds for each mandated manager.
fn link_kinds(
    priority_senders: &[PersonIdx],
) -> Result<(Vec<KindTemplate>, std::collections::HashMap<PersonIdx, u16>), ModelError> {
    let mut kinds = vec![
        ORDINARY,
        KindTemplate { priority: None, gate: Some((false, 0)) },
        KindTemplate { priority: None, gate: Some((true, 0)) },
    ];
    let mut mandated = std::collections::HashMap::new();
    for (i, &p) in priority_senders.iter().enumerate() {
        if i >= MAX_PRIORITY_SENDERS {
            return Err(ModelError::TooManyManagers);
        }
        mandated.insert(p, kinds.len() as u16);
        kinds.push(KindTemplate { priority: Some(i as u16), gate: None });
        kinds.push(KindTemplate { priority: Some(i as u16), gate: Some((true, 0)) });
    }
    Ok((kinds, mandated))
}

/// Every directed link of the point, given to `emit`: the organisation's (both directions of a
/// two-way link), the variant's extra links and involvement's community links, a mandated
/// sender's links given its priority kind, and the watchers groups' gated links (their kinds
/// added to `kinds` as they are first used, so a second call gives the same kinds). In input
/// order, with duplicates.
fn for_each_directed(
    spec: &StructureSpec<'_>,
    mandated: &std::collections::HashMap<PersonIdx, u16>,
    kinds: &mut Vec<KindTemplate>,
    mut emit: impl FnMut(Directed),
) -> Result<(), ModelError> {
    let org = spec.org;
    let unit_weight = (DEFAULT_LINK_WEIGHT as f32).to_bits();
    let mut push = |s: PersonIdx, t: PersonIdx, c: ChannelId, kind: u16, group: u32, weight: u32| {
        let kind = match (mandated.get(&s), kind) {
            (None, k) => k,
            (Some(&m), 0) => m,
            (Some(&m), GATED_SENDER) => m + 1,
            (Some(_), k) => k,
        };
        emit((s, t, c, kind, group, weight));
    };
    for (i, l) in org.links.iter().enumerate() {
        let c = spec.org_channel[l.channel as usize];
        let g = org.link_group.get(i).copied().unwrap_or(NO_GROUP);
        let w = (org.weight_of(i) as f32).to_bits();
        push(l.source, l.target, c, 0, g, w);
        if l.direction == Direction::Both {
            push(l.target, l.source, c, 0, g, w);
        }
    }
    for l in spec.extra_links {
        push(l.source, l.target, l.channel, 0, l.group, unit_weight);
        if l.direction == Direction::Both {
            push(l.target, l.source, l.channel, 0, l.group, unit_weight);
        }
    }
    if let Some(inv) = &spec.involvement {
        for &p in inv.group {
            for &c in inv.community.iter().filter(|&&c| c != p) {
                push(c, p, inv.channel, GATED_RECEIVER, NO_GROUP, unit_weight);
                if inv.direction == Direction::Both {
                    push(p, c, inv.channel, GATED_SENDER, NO_GROUP, unit_weight);
                }
            }
        }
    }
    if spec.watchers.is_empty() {
        return Ok(());
    }
    // Watchers: the kinds by template, the sender's priority kept where the gated person sends
    // (as for involvement's posts to the community).
    let mut index: std::collections::HashMap<KindTemplate, u16> =
        kinds.iter().enumerate().map(|(i, k)| (*k, i as u16)).collect();
    let mut kind_of = |s: PersonIdx, gate: (bool, u16)| -> Result<u16, ModelError> {
        let priority = if gate.0 { mandated.get(&s).and_then(|&m| kinds[m as usize].priority) } else { None };
        let t = KindTemplate { priority, gate: Some(gate) };
        if let Some(&i) = index.get(&t) {
            return Ok(i);
        }
        let i = u16::try_from(kinds.len()).map_err(|_| ModelError::TooManyManagers)?;
        kinds.push(t);
        index.insert(t, i);
        Ok(i)
    };
    for (w, group) in spec.watchers.iter().enumerate() {
        let w = u16::try_from(w + 1).map_err(|_| ModelError::TooManyManagers)?;
        for &p in &group.group {
            for &c in group.community.iter().filter(|&&c| c != p) {
                emit((c, p, group.channel, kind_of(c, (false, w))?, NO_GROUP, unit_weight));
                if group.direction == Direction::Both {
                    emit((p, c, group.channel, kind_of(p, (true, w))?, NO_GROUP, unit_weight));
                }
            }
        }
    }
    Ok(())
}

/// Merges duplicates of (sender, receiver, channel) in the per-sender sorted `arcs` (key fields
/// holding [`pack_group_weight`]) into one link of the most permissive kind: an ungated link
/// beats a gated one, priority is kept if either has it. (Two differently gated copies can only
/// arise for a community node inside its own involvement group, which is excluded; the first
/// gate is kept.) Of duplicates in different meeting groups, the first in sort order is kept. Of
/// different weights, the largest is kept (a link given twice is one link, as in v1, with its
/// strongest weight). Kinds made by merging are appended to `kinds`; `offsets` become the merged
/// arcs' offsets.
fn merge_duplicates(arcs: &mut Vec<OutLink>, offsets: &mut [u32], kinds: &mut Vec<KindTemplate>) {
    let mut merged_kinds: Vec<KindTemplate> = Vec::new();
    let n = offsets.len() - 1;
    let mut kept = 0usize;
    let mut start = offsets[0] as usize;
    for p in 0..n {
        let end = offsets[p + 1] as usize;
        let first = kept;
        offsets[p] = first as u32;
        for r in start..end {
            let later = arcs[r];
            let dup = kept > first && {
                let k = &arcs[kept - 1];
                (k.to, k.channel) == (later.to, later.channel)
            };
            if !dup {
                arcs[kept] = later;
                kept += 1;
                continue;
            }
            let k = &mut arcs[kept - 1];
            let weight = packed_weight(k).max(packed_weight(&later));
            k.key = pack_group_weight(packed_group(k), weight);
            let kind =
                |i: u16| kinds.get(i as usize).copied().unwrap_or_else(|| merged_kinds[i as usize - kinds.len()]);
            let (a, b) = (kind(k.kind), kind(later.kind));
            let merged = KindTemplate {
                priority: a.priority.or(b.priority),
                gate: if a.gate.is_some() && b.gate.is_some() { a.gate } else { None },
            };
            k.kind = match kinds.iter().chain(&merged_kinds).position(|x| *x == merged) {
                Some(i) => i as u16,
                None => {
                    merged_kinds.push(merged);
                    (kinds.len() + merged_kinds.len() - 1) as u16
                }
            };
        }
        start = end;
    }
    offsets[n] = kept as u32;
    if kept < arcs.len() {
        arcs.truncate(kept);
        arcs.shrink_to_fit();
    }
    kinds.extend(merged_kinds);
}

/// The (sender, arc) pairs of the CSR `arcs` in order.
fn with_senders<'a>(arcs: &'a [OutLink], offsets: &'a [u32]) -> impl Iterator<Item = (PersonIdx, &'a OutLink)> + 'a {
    offsets
        .windows(2)
        .enumerate()
        .flat_map(move |(p, w)| arcs[w[0] as usize..w[1] as usize].iter().map(move |a| (p as PersonIdx, a)))
}

/// Meeting groups: one per (group name, channel) that links use, and one per (pair of people,
/// channel) for links that are a meeting of their two people (both directions of such a link
/// share it). Returns the groups' identity keys and each link's group ([`NO_GROUP`] for none);
/// both empty when no link is in a group.
fn meeting_groups(arcs: &[OutLink], offsets: &[u32], org: &Organisation, names: &[&str]) -> (Vec<u64>, Vec<u32>) {
    let mut group_keys = Vec::new();
    if !arcs.iter().any(|a| packed_group(a) != NO_GROUP) {
        return (group_keys, Vec::new());
    }
    let mut index: std::collections::HashMap<(u32, ChannelId), u32> = std::collections::HashMap::new();
    let mut pairs: std::collections::HashMap<(PersonIdx, PersonIdx, ChannelId), u32> = std::collections::HashMap::new();
    let arc_group = with_senders(arcs, offsets)
        .map(|(s, a)| {
            let (t, c, g) = (a.to, a.channel, packed_group(a));
            if g == NO_GROUP {
                return NO_GROUP;
            }
            if g == PAIR_GROUP {
                return *pairs.entry((s.min(t), s.max(t), c)).or_insert_with(|| {
                    let (a, b) = (&org.people[s as usize].id, &org.people[t as usize].id);
                    let (a, b) = if a <= b { (a, b) } else { (b, a) };
                    group_keys.push(identity_key(&[PAIR_GROUP_KEY, a, b, names[c as usize]]));
                    (group_keys.len() - 1) as u32
                });
            }
            *index.entry((g, c)).or_insert_with(|| {
                group_keys.push(identity_key(&[&org.groups[g as usize], names[c as usize]]));
                (group_keys.len() - 1) as u32
            })
        })
        .collect();
    (group_keys, arc_group)
}

/// The replayed log's pair of each arc over the organisation's replay channel (other arcs, and
/// arcs a variant adds over it between people without messages, get `NO_GROUP`: they never
/// carry); `None` without a log.
fn replay_arcs(spec: &StructureSpec<'_>, arcs: &[OutLink], offsets: &[u32]) -> Option<ReplayArcs> {
    let log = spec.org.replay.as_ref()?;
    let channel = spec.org.channels.iter().position(|c| c == crate::org::replay::REPLAY_CHANNEL)?;
    let channel = spec.org_channel[channel];
    let arc_pair = with_senders(arcs, offsets)
        .map(|(s, a)| if a.channel == channel { log.pair(s, a.to).unwrap_or(NO_GROUP) } else { NO_GROUP })
        .collect();
    Some(ReplayArcs { log: log.clone(), arc_pair })
}

/// Link weights, kept only when some link's differs from 1 (then the engine maps each link's
/// transmit probability through it); empty otherwise.
fn link_weights(arcs: &[OutLink]) -> Vec<f32> {
    let unit_weight = (DEFAULT_LINK_WEIGHT as f32).to_bits();
    if arcs.iter().any(|a| packed_weight(a) != unit_weight) {
        arcs.iter().map(|a| f32::from_bits(packed_weight(a))).collect()
    } else {
        Vec::new()
    }
}

impl Model {
    /// Compiles a structure and applies `params`.
    pub fn compile(spec: &StructureSpec<'_>, params: &Params) -> Result<Model, ModelError> {
        Model::with_params(Arc::new(Structure::compile(spec)?), params)
    }

    /// A model of `structure` (shared, not copied) with `params`: the cheap patch for a new
    /// design point with the same structure.
    pub fn with_params(structure: Arc<Structure>, params: &Params) -> Result<Model, ModelError> {
        if params.channels.len() != structure.channel_count
            || params.roles.len() != structure.role_count
            || params.priority.len() != structure.priority_count
        {
            return Err(ModelError::ParamsDoNotFit);
        }
        use crate::random::rng::Purpose;
        let gate = |(on_sender, group): (bool, u16)| match group {
            0 => {
                params.involvement_fraction.map(|fraction| Gate { fraction, on_sender, purpose: Purpose::Involvement })
            }
            w => params.watcher_shares.get(usize::from(w) - 1).map(|&fraction| Gate {
                fraction,
                on_sender,
                purpose: Purpose::Watching,
            }),
        };
        let kinds = structure
            .kinds
            .iter()
            .map(|t| LinkKind {
                priority: t.priority.and_then(|i| params.priority.get(usize::from(i)).copied()),
                gate: t.gate.and_then(gate),
            })
            .collect();
        let arc_transmit = if structure.arc_weight.is_empty() {
            Vec::new()
        } else {
            structure
                .arcs
                .par_iter()
                .zip(&structure.arc_weight)
                .map(|(arc, &w)| weighted_transmit(params.channels[arc.channel as usize].transmit, w))
                .collect()
        };
        Ok(Model {
            arc_transmit: Arc::new(arc_transmit),
            k: threshold_rank(params.threshold, structure.target_size as usize) as u32,
            channels: params.channels.clone(),
            roles: params.roles.clone(),
            kinds,
            horizon_hours: params.horizon_hours,
            calendar: params.calendar.clone(),
            structure,
        })
    }

    /// The site of person `p` for the bottleneck counts: their `people.csv` site, else their
    /// working calendar — with calendars, the calendar they work on (their own or the
    /// scenario-wide default), else the organisation's `calendar` column — else none. Indices
    /// run over [`Model::site_count`]: the sites, then the calendars.
    pub fn site_of(&self, p: PersonIdx) -> Option<usize> {
        let st = &self.structure;
        let own = st.person_site.get(p as usize).copied().filter(|&s| s != NO_GROUP).map(|s| s as usize);
        match (&self.calendar, own) {
            (_, Some(s)) if s < st.own_site_count => Some(s),
            (Some(c), _) => c.person_calendar.get(p as usize).map(|&c| st.own_site_count + usize::from(c)),
            (None, own) => own,
        }
    }

    /// How many site indices [`Model::site_of`] can give.
    pub fn site_count(&self) -> usize {
        match &self.calendar {
            Some(c) => self.structure.own_site_count + c.names.len(),
            None => self.structure.site_count,
        }
    }

    /// Number of roles the people refer to.
    pub fn role_count(&self) -> usize {
        self.structure.role_count
    }

    /// Size of the target group.
    pub fn target_size(&self) -> u32 {
        self.structure.target_size
    }

    /// Number of people.
    pub fn people(&self) -> usize {
        self.structure.person_role.len()
    }

    /// The sender of link `arc` (an index into `arcs`), by binary search in the CSR offsets.
    pub fn sender_of(&self, arc: u32) -> PersonIdx {
        debug_assert!((arc as usize) < self.structure.arcs.len());
        (self.structure.offsets.partition_point(|&o| o <= arc) - 1) as PersonIdx
    }

    /// The largest number of outgoing links of any person.
    pub fn max_out_degree(&self) -> usize {
        self.structure.offsets.windows(2).map(|w| (w[1] - w[0]) as usize).max().unwrap_or(0)
    }

    /// The identity key of the meeting group of arc `arc` (an index into `arcs`).
    #[inline]
    pub fn meeting_key(&self, arc: u32) -> u64 {
        let s = &*self.structure;
        match s.arc_group.get(arc as usize) {
            Some(&g) if g != NO_GROUP => s.group_keys[g as usize],
            _ => s.channel_keys[s.arcs[arc as usize].channel as usize],
        }
    }

    /// The outgoing links of person `p`.
    #[inline]
    pub fn arcs_of(&self, p: PersonIdx) -> &[OutLink] {
        let s = &*self.structure;
        &s.arcs[s.person[p as usize].first_arc as usize..s.person[p as usize + 1].first_arc as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::threshold_rank;

    #[test]
    fn threshold_rank_is_ceiling_without_binary_rounding_artifacts() {
        assert_eq!(threshold_rank(0.8, 1000), 800);
        assert_eq!(threshold_rank(0.55, 100), 55);
        assert_eq!(threshold_rank(0.28, 25), 7);
        assert_eq!(threshold_rank(0.07, 100), 7);
        assert_eq!(threshold_rank(0.5, 3), 2);
        assert_eq!(threshold_rank(0.001, 10), 1);
        assert_eq!(threshold_rank(1.0, 72), 72);
    }
}
