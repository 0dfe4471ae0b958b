//! The compiled model of one variant: compact arrays the engine walks in its inner loop.
//!
//! - CSR adjacency: the outgoing links of person `p` are `arcs[offsets[p]..offsets[p + 1]]`,
//!   sorted by receiver; a two-way link becomes two arcs.
//! - Each arc carries its receiver (`u32`), its channel index, its kind index (ordinary,
//!   priority from a mandated community manager, involvement-gated) and its identity key for
//!   common random numbers.
//! - Per person: role index, identity key, target membership.

use crate::dist::Dist;
use crate::error::{InputError, InputErrorKind};
use crate::org::{Direction, PersonIdx};
use rayon::prelude::*;

use crate::rng::identity_key;
use crate::scenario::{ChannelId, MandateEffect, Variant};

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

/// The compiled model of one variant.
#[derive(Debug, Clone)]
pub struct Model {
    /// The variant's name.
    pub name: String,
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
    /// Channel parameters by channel index.
    pub channels: Vec<ChannelParams>,
    /// Role parameters by role index.
    pub roles: Vec<RoleParams>,
    /// Link kinds by kind index (`kinds[0]` is the ordinary link).
    pub kinds: Vec<LinkKind>,
    /// Where the item appears (processed at time 0).
    pub sources: Vec<PersonIdx>,
    /// Size of the target group.
    pub target_size: u32,
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

const ORDINARY: LinkKind = LinkKind { priority: None, gate: None };

impl Model {
    /// Compiles a validated variant. `file` is the scenario (for the size-limit error).
    pub fn compile(v: &Variant, horizon_hours: f64, file: &std::path::Path) -> Result<Model, InputError> {
        let org = &v.org;
        let n = org.len();
        let cm = v.community_manager.as_ref().filter(|c| c.mandate);
        // The link kinds in use: ordinary, the manager's priority links, involvement-gated links.
        let priority = cm.map(|m| m.effect);
        let gate = |on_sender| v.involvement.as_ref().map(|inv| Gate { fraction: inv.fraction, on_sender });
        let mut kinds = vec![
            ORDINARY,
            LinkKind { priority, gate: None },
            LinkKind { priority: None, gate: gate(false) },
            LinkKind { priority: None, gate: gate(true) },
            LinkKind { priority, gate: gate(true) },
        ];
        const PRIORITY: u16 = 1;
        const GATED_RECEIVER: u16 = 2;
        const GATED_SENDER: u16 = 3;
        // (sender, receiver, channel, kind) for every directed link: 12 bytes each, so a million
        // people with ten million directed links compile within a few hundred MB.
        let mut directed: Vec<(PersonIdx, PersonIdx, ChannelId, u16)> = Vec::with_capacity(org.links.len() * 2);
        let mut push = |s: PersonIdx, t: PersonIdx, c: ChannelId, kind: u16| {
            let kind = match (cm.is_some_and(|m| m.person == s), kind) {
                (false, k) => k,
                (true, 0) => PRIORITY,
                (true, GATED_SENDER) => 4,
                (true, k) => k,
            };
            directed.push((s, t, c, kind));
        };
        for l in &org.links {
            let c = v.org_channel[l.channel as usize];
            push(l.source, l.target, c, 0);
            if l.direction == Direction::Both {
                push(l.target, l.source, c, 0);
            }
        }
        for l in &v.extra_links {
            push(l.source, l.target, l.channel, 0);
            if l.direction == Direction::Both {
                push(l.target, l.source, l.channel, 0);
            }
        }
        if let Some(inv) = &v.involvement {
            for &p in &inv.group {
                for &c in inv.community.iter().filter(|&&c| c != p) {
                    push(c, p, inv.channel, GATED_RECEIVER);
                    if inv.direction == Direction::Both {
                        push(p, c, inv.channel, GATED_SENDER);
                    }
                }
            }
        }
        if directed.len() >= u32::MAX as usize {
            return Err(InputError::new(file, InputErrorKind::Invalid("more than 4 billion directed links".into())));
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
            let merged = LinkKind {
                priority: a.priority.or(b.priority),
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
        let channel_names: Vec<&str> = v.channels.iter().map(|c| c.name.as_str()).collect();
        let arcs: Vec<Arc> = directed
            .par_iter()
            .map(|&(s, t, c, kind)| Arc {
                to: t,
                channel: c,
                kind,
                key: identity_key(&[&org.people[s as usize].id, &org.people[t as usize].id, channel_names[c as usize]]),
            })
            .collect();
        drop(directed);
        let mut in_target = vec![false; n];
        for &p in &v.target {
            in_target[p as usize] = true;
        }
        let target_size = v.target.len() as u32;
        let k = threshold_rank(v.threshold, target_size as usize) as u32;
        let model = Model {
            name: v.name.clone(),
            offsets,
            arcs,
            person_role: org.people.iter().map(|p| p.role as u16).collect(),
            person_key: org.people.iter().map(|p| identity_key(&[&p.id])).collect(),
            in_target,
            channels: v
                .channels
                .iter()
                .map(|c| ChannelParams { transmit: c.transmit, notice: c.notice, delay: c.delay.clone() })
                .collect(),
            roles: v
                .roles
                .iter()
                .map(|r| RoleParams { notice: r.notice, processing: r.processing.clone(), window: r.window.clone() })
                .collect(),
            kinds,
            sources: v.sources.clone(),
            target_size,
            k,
            horizon_hours,
        };
        debug_assert_eq!(*model.offsets.last().unwrap() as usize, model.arcs.len());
        debug_assert!(model.arcs.iter().all(|a| (a.to as usize) < n));
        Ok(model)
    }

    /// Number of people.
    pub fn people(&self) -> usize {
        self.person_role.len()
    }

    /// The sender of link `arc` (an index into `arcs`), by binary search in the CSR offsets.
    pub fn sender_of(&self, arc: u32) -> PersonIdx {
        debug_assert!((arc as usize) < self.arcs.len());
        (self.offsets.partition_point(|&o| o <= arc) - 1) as PersonIdx
    }

    /// The largest number of outgoing links of any person.
    pub fn max_out_degree(&self) -> usize {
        self.offsets.windows(2).map(|w| (w[1] - w[0]) as usize).max().unwrap_or(0)
    }

    /// The outgoing links of person `p`.
    #[inline]
    pub fn arcs_of(&self, p: PersonIdx) -> &[Arc] {
        &self.arcs[self.offsets[p as usize] as usize..self.offsets[p as usize + 1] as usize]
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
