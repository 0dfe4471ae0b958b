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

use std::sync::Arc as Shared;

use crate::dist::Dist;
use crate::org::{Direction, Organisation, PersonIdx};
use rayon::prelude::*;

use crate::rng::identity_key;

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

/// Everything that fixes a model's structure: compiled once per distinct structure.
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
    /// A community manager with a mandate: their links carry priority (the effect is a
    /// parameter).
    pub priority_sender: Option<PersonIdx>,
    /// Where the item appears (processed at time 0).
    pub sources: &'a [PersonIdx],
    /// The target group.
    pub target: &'a [PersonIdx],
}

/// The parameters of a model: what a new design point may change without recompiling.
#[derive(Debug, Clone)]
pub struct Params {
    /// Channel behaviour by channel id.
    pub channels: Vec<ChannelParams>,
    /// Role behaviour by role index of the organisation.
    pub roles: Vec<RoleParams>,
    /// What the community manager's mandate changes (used only where the structure has a
    /// mandated manager).
    pub priority: Option<MandateEffect>,
    /// Share of the involvement group that is involved, 0–1 (used only where the structure has
    /// involvement).
    pub involvement_fraction: Option<f64>,
    /// Share of the target that must have processed the item, in (0, 1].
    pub threshold: f64,
    /// Processing after this many hours counts as never.
    pub horizon_hours: f64,
}

/// Why a model could not be compiled or patched.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// More directed links than the engine's 32-bit indices hold.
    TooManyLinks,
    /// The parameters do not fit the structure (channel or role counts differ).
    ParamsDoNotFit,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::TooManyLinks => write!(f, "more than 4 billion directed links"),
            ModelError::ParamsDoNotFit => write!(f, "the parameters do not fit the compiled structure"),
        }
    }
}

/// One directed link as the engine sees it (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    /// The receiver.
    pub to: PersonIdx,
    /// Index into [`Model::channels`].
    pub channel: ChannelId,
    /// Index into [`Model::kinds`].
    pub kind: u16,
    /// Identity key of (sender id, receiver id, channel name): the seed of this link's draws.
    pub key: u64,
}

/// What is special about a link beyond its channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkKind {
    /// The sender is a community manager with a mandate: priority work for the receiver.
    pub priority: Option<MandateEffect>,
    /// The link exists only in replications where the involved person is drawn as involved.
    pub gate: Option<Gate>,
}

/// Involvement gating of a link: active iff the involved person's involvement uniform is below
/// `fraction`, so a larger fraction always contains the people of a smaller one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    /// Share of the group that is involved, 0–1.
    pub fraction: f64,
    /// True when the involved person is the sender (they post to the community), false when the
    /// receiver (they follow it).
    pub on_sender: bool,
}

/// A channel's parameters, ready for the inner loop.
#[derive(Debug, Clone)]
pub struct ChannelParams {
    /// Probability to pass the item on over a link.
    pub transmit: f64,
    /// Overrides the receiver's notice probability, if set.
    pub notice: Option<f64>,
    /// Delay in hours.
    pub delay: Dist,
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
}

/// A link kind as the structure knows it: whether it carries priority and how it is gated;
/// the values (the mandate's effect, the involvement fraction) come from [`Params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KindTemplate {
    priority: bool,
    /// `Some(on_sender)` for an involvement-gated link.
    gate: Option<bool>,
}

/// The compiled structure of a model: shared by every design point with the same structure.
#[derive(Debug)]
pub struct Structure {
    /// CSR offsets, `people + 1` entries.
    pub offsets: Vec<u32>,
    /// The directed links, grouped by sender.
    pub arcs: Vec<Arc>,
    /// Role index per person.
    pub person_role: Vec<u16>,
    /// Identity key per person.
    pub person_key: Vec<u64>,
    /// Whether each person belongs to the target.
    pub in_target: Vec<bool>,
    /// Where the item appears (processed at time 0).
    pub sources: Vec<PersonIdx>,
    /// Size of the target group.
    pub target_size: u32,
    /// Number of channels the arcs refer to.
    channel_count: usize,
    /// Number of roles the people refer to.
    role_count: usize,
    /// The link kinds by kind index, without their values.
    kinds: Vec<KindTemplate>,
}

/// The compiled model of one design point: a shared structure and its parameters.
#[derive(Debug, Clone)]
pub struct Model {
    /// The structure (links, people, target), shared between points.
    pub structure: Shared<Structure>,
    /// Channel parameters by channel index.
    pub channels: Vec<ChannelParams>,
    /// Role parameters by role index.
    pub roles: Vec<RoleParams>,
    /// Link kinds by kind index (`kinds[0]` is the ordinary link).
    pub kinds: Vec<LinkKind>,
    /// `ceil(threshold × target_size)`: the rank whose processing time is T_threshold.
    pub k: u32,
    /// Processing after this many hours counts as never.
    pub horizon_hours: f64,
}

/// `k = ceil(threshold × target_size)`, the rank whose processing time is T_threshold, computed
/// so that products that are whole numbers in decimal (0.55 × 100) are not pushed up by binary
/// rounding. At least 1, at most the target size.
pub fn threshold_rank(threshold: f64, target_size: usize) -> usize {
    let x = threshold * target_size as f64;
    let k = if (x - x.round()).abs() < 1e-9 * x.max(1.0) { x.round() } else { x.ceil() };
    (k as usize).clamp(1, target_size.max(1))
}

const ORDINARY: KindTemplate = KindTemplate { priority: false, gate: None };

impl Structure {
    /// Compiles a structure: the CSR adjacency with identity keys, people and target.
    pub fn compile(spec: &StructureSpec<'_>) -> Result<Structure, ModelError> {
        let org = spec.org;
        let n = org.len();
        let mandated = spec.priority_sender;
        // The link kinds in use: ordinary, the manager's priority links, involvement-gated links.
        let mut kinds = vec![
            ORDINARY,
            KindTemplate { priority: true, gate: None },
            KindTemplate { priority: false, gate: Some(false) },
            KindTemplate { priority: false, gate: Some(true) },
            KindTemplate { priority: true, gate: Some(true) },
        ];
        const PRIORITY: u16 = 1;
        const GATED_RECEIVER: u16 = 2;
        const GATED_SENDER: u16 = 3;
        // (sender, receiver, channel, kind) for every directed link: 12 bytes each, so a million
        // people with ten million directed links compile within a few hundred MB.
        let mut directed: Vec<(PersonIdx, PersonIdx, ChannelId, u16)> = Vec::with_capacity(org.links.len() * 2);
        let mut push = |s: PersonIdx, t: PersonIdx, c: ChannelId, kind: u16| {
            let kind = match (mandated == Some(s), kind) {
                (false, k) => k,
                (true, 0) => PRIORITY,
                (true, GATED_SENDER) => 4,
                (true, k) => k,
            };
            directed.push((s, t, c, kind));
        };
        for l in &org.links {
            let c = spec.org_channel[l.channel as usize];
            push(l.source, l.target, c, 0);
            if l.direction == Direction::Both {
                push(l.target, l.source, c, 0);
            }
        }
        for l in spec.extra_links {
            push(l.source, l.target, l.channel, 0);
            if l.direction == Direction::Both {
                push(l.target, l.source, l.channel, 0);
            }
        }
        if let Some(inv) = &spec.involvement {
            for &p in inv.group {
                for &c in inv.community.iter().filter(|&&c| c != p) {
                    push(c, p, inv.channel, GATED_RECEIVER);
                    if inv.direction == Direction::Both {
                        push(p, c, inv.channel, GATED_SENDER);
                    }
                }
            }
        }
        if directed.len() >= u32::MAX as usize {
            return Err(ModelError::TooManyLinks);
        }
        directed.par_sort_unstable();
        // Merge duplicates of (sender, receiver, channel) into one link of the most permissive
        // kind: an ungated link beats a gated one, priority is kept if either has it.
        // (Two differently gated copies can only arise for a community node inside its own
        // involvement group, which is excluded; the first gate is kept.)
        let mut merged_kinds = Vec::new();
        directed.dedup_by(|later, kept| {
            if (later.0, later.1, later.2) != (kept.0, kept.1, kept.2) {
                return false;
            }
            let kind =
                |i: u16| kinds.get(i as usize).copied().unwrap_or_else(|| merged_kinds[i as usize - kinds.len()]);
            let (a, b) = (kind(kept.3), kind(later.3));
            let merged = KindTemplate {
                priority: a.priority || b.priority,
                gate: if a.gate.is_some() && b.gate.is_some() { a.gate } else { None },
            };
            kept.3 = match kinds.iter().chain(&merged_kinds).position(|k| *k == merged) {
                Some(i) => i as u16,
                None => {
                    merged_kinds.push(merged);
                    (kinds.len() + merged_kinds.len() - 1) as u16
                }
            };
            true
        });
        kinds.extend(merged_kinds);
        let mut offsets = vec![0u32; n + 1];
        for &(s, ..) in &directed {
            offsets[s as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let names = spec.channel_names;
        let arcs: Vec<Arc> = directed
            .par_iter()
            .map(|&(s, t, c, kind)| Arc {
                to: t,
                channel: c,
                kind,
                key: identity_key(&[&org.people[s as usize].id, &org.people[t as usize].id, names[c as usize]]),
            })
            .collect();
        drop(directed);
        let mut in_target = vec![false; n];
        for &p in spec.target {
            in_target[p as usize] = true;
        }
        let structure = Structure {
            offsets,
            arcs,
            person_role: org.people.iter().map(|p| p.role as u16).collect(),
            person_key: org.people.iter().map(|p| identity_key(&[&p.id])).collect(),
            in_target,
            sources: spec.sources.to_vec(),
            target_size: spec.target.len() as u32,
            channel_count: names.len(),
            role_count: org.roles.len(),
            kinds,
        };
        debug_assert_eq!(*structure.offsets.last().unwrap() as usize, structure.arcs.len());
        debug_assert!(structure.arcs.iter().all(|a| (a.to as usize) < n));
        Ok(structure)
    }
}

impl Model {
    /// Compiles a structure and applies `params`.
    pub fn compile(spec: &StructureSpec<'_>, params: &Params) -> Result<Model, ModelError> {
        Model::with_params(Shared::new(Structure::compile(spec)?), params)
    }

    /// A model of `structure` (shared, not copied) with `params`: the cheap patch for a new
    /// design point with the same structure.
    pub fn with_params(structure: Shared<Structure>, params: &Params) -> Result<Model, ModelError> {
        if params.channels.len() != structure.channel_count || params.roles.len() != structure.role_count {
            return Err(ModelError::ParamsDoNotFit);
        }
        let gate = |on_sender| params.involvement_fraction.map(|fraction| Gate { fraction, on_sender });
        let kinds = structure
            .kinds
            .iter()
            .map(|t| LinkKind {
                priority: if t.priority { params.priority } else { None },
                gate: t.gate.and_then(gate),
            })
            .collect();
        Ok(Model {
            k: threshold_rank(params.threshold, structure.target_size as usize) as u32,
            channels: params.channels.clone(),
            roles: params.roles.clone(),
            kinds,
            horizon_hours: params.horizon_hours,
            structure,
        })
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

    /// The outgoing links of person `p`.
    #[inline]
    pub fn arcs_of(&self, p: PersonIdx) -> &[Arc] {
        let s = &*self.structure;
        &s.arcs[s.offsets[p as usize] as usize..s.offsets[p as usize + 1] as usize]
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
