//! A message log replayed as the organisation's real links (`[organisation] events`): per
//! ordered pair of people, the sorted times of the messages from one to the other, in CSR form,
//! so that the engine finds "the first carrying message at or after `t`" by a binary search and
//! a short scan.

use std::path::PathBuf;

use super::events::Event;
use super::{Direction, NO_LINK_GROUP, Organisation, PersonIdx};
use crate::random::rng::fmix64;

/// The channel of the replayed messages' links (reserved: no other link may use it).
pub const REPLAY_CHANNEL: &str = "replay";

/// Mixed into every message's identity key, so that message keys do not meet other entities'.
const MESSAGE_KEY_SALT: u64 = 0x7265_706c_6179_6d73;

/// The identity key of the carrying draw of message `index` (its position among the log's
/// (message, recipient) pairs in file order), `reversed` for the second direction of an
/// undirected contact. Stable across runs and thread counts.
#[inline]
pub fn message_key(index: u32, reversed: bool) -> u64 {
    fmix64((u64::from(index) << 1 | u64::from(reversed)) ^ MESSAGE_KEY_SALT)
}

/// The replayed log, ready for the engine.
#[derive(Debug, Clone)]
pub struct ReplayLog {
    /// The events file, for summaries.
    pub file: PathBuf,
    /// The ordered pairs (sender, recipient) with at least one message, sorted.
    pub pairs: Vec<(PersonIdx, PersonIdx)>,
    /// CSR offsets into `hours` and `keys`: pair `i`'s messages are `offsets[i]..offsets[i + 1]`
    /// (`pairs.len() + 1` entries).
    pub offsets: Vec<u32>,
    /// Per message, its time in hours after the log's first message, sorted within each pair.
    pub hours: Vec<f64>,
    /// Per message, the identity key of its carrying draw ([`message_key`]).
    pub keys: Vec<u64>,
    /// Hours from the log's first message to its last.
    pub span_hours: f64,
    /// The probability that one message from an informed person carries the item, (0, 1].
    pub per_message: f64,
    /// The window the item's start moment is drawn from, uniformly: hours after the log's first
    /// message, `from ≤ to` (equal for a fixed start).
    pub start: (f64, f64),
    /// The Unix time of the log's first message, in seconds.
    pub first_seconds: f64,
}

impl ReplayLog {
    /// The log of `events` (in file order; `directed = false` counts each contact both ways),
    /// with the carrying probability `per_message` and the start window `start` (hours after the
    /// first message; `None` = the whole log). `events` must not be empty.
    pub(crate) fn new(
        file: PathBuf,
        events: &[Event],
        directed: bool,
        per_message: f64,
        start: Option<(f64, f64)>,
    ) -> ReplayLog {
        let first = events.iter().map(|e| e.seconds).fold(f64::INFINITY, f64::min);
        let last = events.iter().map(|e| e.seconds).fold(f64::NEG_INFINITY, f64::max);
        let mut all: Vec<(PersonIdx, PersonIdx, f64, u64)> =
            Vec::with_capacity(events.len() * if directed { 1 } else { 2 });
        for (i, e) in events.iter().enumerate() {
            let h = (e.seconds - first) / 3600.0;
            let (s, r) = (e.sender as PersonIdx, e.recipient as PersonIdx);
            all.push((s, r, h, message_key(i as u32, false)));
            if !directed {
                all.push((r, s, h, message_key(i as u32, true)));
            }
        }
        // By pair, then time, then key (so equal times have a fixed order whatever the file's).
        all.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)).then(a.3.cmp(&b.3)));
        let mut pairs = Vec::new();
        let mut offsets = vec![0u32];
        for (k, m) in all.iter().enumerate() {
            if pairs.last() != Some(&(m.0, m.1)) {
                if k > 0 {
                    offsets.push(k as u32);
                }
                pairs.push((m.0, m.1));
            }
        }
        offsets.push(all.len() as u32);
        let span_hours = (last - first) / 3600.0;
        ReplayLog {
            file,
            pairs,
            offsets,
            hours: all.iter().map(|m| m.2).collect(),
            keys: all.iter().map(|m| m.3).collect(),
            span_hours,
            per_message,
            start: start.unwrap_or((0.0, span_hours)),
            first_seconds: first,
        }
    }

    /// The index of the pair (sender, recipient) in `pairs`, if they exchanged a message.
    pub fn pair(&self, sender: PersonIdx, recipient: PersonIdx) -> Option<u32> {
        self.pairs.binary_search(&(sender, recipient)).ok().map(|i| i as u32)
    }

    /// The messages of pair `pair`: their times (hours after the first message, sorted) and
    /// the keys of their carrying draws.
    #[inline]
    pub fn messages_of(&self, pair: u32) -> (&[f64], &[u64]) {
        let r = self.offsets[pair as usize] as usize..self.offsets[pair as usize + 1] as usize;
        (&self.hours[r.clone()], &self.keys[r])
    }

    /// The start moment for the uniform `u` in (0, 1): hours after the first message.
    #[inline]
    pub fn start_hours(&self, u: f64) -> f64 {
        let (from, to) = self.start;
        if from == to { from } else { from + u * (to - from) }
    }

    /// Number of replayed messages (per direction for contacts).
    pub fn messages(&self) -> usize {
        self.hours.len()
    }
}

impl Organisation {
    /// Adds the replayed log: one one-way link per ordered pair over [`REPLAY_CHANNEL`], and the
    /// log for the engine. `origin` is where the channel is named (the events file).
    pub(crate) fn add_replay(&mut self, log: ReplayLog, origin: super::NameOrigin) {
        let channel = self.channels.len() as u32;
        self.channels.push(REPLAY_CHANNEL.to_string());
        self.channel_origins.push(origin);
        for &(source, target) in &log.pairs {
            self.links.push(super::Link { source, target, channel, direction: Direction::Forward });
        }
        if !self.link_group.is_empty() {
            self.link_group.resize(self.links.len(), NO_LINK_GROUP);
        }
        if !self.link_weight.is_empty() {
            self.link_weight.resize(self.links.len(), super::DEFAULT_LINK_WEIGHT);
        }
        self.replay = Some(std::sync::Arc::new(log));
        self.distinct = std::sync::OnceLock::new();
    }
}
