//! Waiting times from a message log: for each class of links, the **residual waiting time** —
//! from a moment drawn uniformly over the period to the next message over the link that carries
//! the item — as an empirical distribution, and the probability that such a message comes within
//! the horizon (the channel's `transmit`). See `docs/import.md`, "Waiting times, not gaps".
//!
//! Why not the gaps between messages: an item arrives at a random moment of a link's life and
//! waits for the *next* message. A random moment falls into a long gap more often than into a
//! short one (in proportion to its length), so in a bursty log the residual wait is far longer
//! than the typical gap. A per-message probability `p` thins the messages: the item waits for a
//! later message, it does not fail.
//!
//! Classes: links are grouped by their channel (if the log has a channel column) and by their
//! activity, the number of messages over the link in the period, in powers of two (1, 2–3, 4–7,
//! …, [`TOP_CLASS_FROM`] and more). Links with similar activity have similar waits; one class per
//! link would make one channel per link.

use std::collections::HashMap;

use super::events::Event;
use crate::random::rng::{fmix64, to_open_unit};

/// Evenly spaced quantiles written per class (0%, 1%, …, 100%).
pub const WAIT_QUANTILES: usize = 101;
/// Random moments drawn per link (at least; small classes draw more, see [`MIN_CLASS_MOMENTS`]).
pub const MOMENTS_PER_LINK: usize = 64;
/// Random moments drawn per class at least, spread evenly over its links.
pub const MIN_CLASS_MOMENTS: usize = 20_000;
/// The activity class that holds every link with at least this many messages.
pub const TOP_CLASS_FROM: usize = 512;
/// Seconds per hour.
const SECONDS_PER_HOUR: f64 = 3600.0;
/// The fixed seed of the moments (the import is deterministic: the same log gives the same waits).
const MOMENT_SEED: u64 = 0x7761_6974_696d_6573; // "waitimes"

/// How the waits are estimated.
#[derive(Debug, Clone, Copy)]
pub struct WaitSettings {
    /// False: an event counts for both directions and links are two-way.
    pub directed: bool,
    /// The probability that one message carries the item, in (0, 1].
    pub per_message: f64,
    /// Waits longer than this many hours count as "not carried within the horizon".
    pub horizon_hours: f64,
}

/// One class of links and its estimated waiting time.
#[derive(Debug, Clone)]
pub struct WaitClass {
    /// The channel name for the scenario, e.g. `msg_4_7` or `email_4_7`.
    pub name: String,
    /// What the class holds, for comments: e.g. `4 to 7 messages per link`.
    pub what: String,
    /// The kept links: (from, to) employee indices; two-way when not directed.
    pub links: Vec<(usize, usize)>,
    /// Links of the class dropped because no drawn moment saw a carrying message within the horizon.
    pub dropped: usize,
    /// Messages over the class's links (kept and dropped).
    pub messages: usize,
    /// [`WAIT_QUANTILES`] evenly spaced quantiles of the residual wait in hours, given that it
    /// comes within the horizon.
    pub quantiles: Vec<f64>,
    /// The share of drawn moments whose carrying message comes within the horizon.
    pub transmit: f64,
    /// The median gap between consecutive messages of a link, hours (`None` without gaps).
    pub median_gap: Option<f64>,
    /// The median residual wait, hours.
    pub median_wait: f64,
    /// Burstiness of the gaps, (σ − μ) / (σ + μ): −1 periodic, 0 Poisson, towards 1 bursty.
    pub burstiness: Option<f64>,
}

/// The estimate over a whole log.
#[derive(Debug, Clone)]
pub struct Waits {
    /// The classes with at least one kept link, by channel then activity.
    pub classes: Vec<WaitClass>,
    /// The period covered by the log, hours (first to last event).
    pub period_hours: f64,
    /// The stretch over which moments are drawn, hours: the period minus the horizon, so that
    /// every moment's next `horizon_hours` are observed (the whole period if it is shorter than
    /// the horizon; then waits past its end count as not carried).
    pub moments_hours: f64,
    /// Links dropped in all classes.
    pub dropped: usize,
}

/// The activity class of a link with `n` ≥ 1 messages: ⌊log₂ n⌋, capped at the top class.
fn activity_class(n: usize) -> u32 {
    n.min(TOP_CLASS_FROM).ilog2()
}

/// The class's name suffix and description for class `k`.
fn class_label(k: u32) -> (String, String) {
    let lo = 1usize << k;
    if lo >= TOP_CLASS_FROM {
        (format!("{lo}_up"), format!("at least {lo} messages per link"))
    } else if lo == 1 {
        ("1".into(), "1 message per link".into())
    } else {
        let hi = 2 * lo - 1;
        (format!("{lo}_{hi}"), format!("{lo} to {hi} messages per link"))
    }
}

/// A uniform in (0, 1) for moment `k` of the link `key`, for `purpose` (0: the moment, 1: the
/// thinning).
fn uniform(key: (usize, usize, usize), k: usize, purpose: u64) -> f64 {
    let h = fmix64(MOMENT_SEED ^ key.0 as u64);
    let h = fmix64(h ^ (key.1 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let h = fmix64(h ^ (key.2 as u64).rotate_left(32));
    to_open_unit(fmix64(h ^ ((k as u64) << 1 | purpose)))
}

/// The value at probability `q` of sorted `xs` (linear between order statistics).
fn quantile(xs: &[f64], q: f64) -> f64 {
    let pos = q * (xs.len() - 1) as f64;
    let i = (pos as usize).min(xs.len() - 1);
    let j = (i + 1).min(xs.len() - 1);
    (xs[i] + (pos - i as f64) * (xs[j] - xs[i])).min(xs[j])
}

/// Estimates the waiting times of every class of links in `events`; `channels` are the log's
/// channel names (`""` when it has none).
pub fn estimate(events: &[Event], channels: &[String], s: WaitSettings) -> Waits {
    let t0 = events.iter().map(|e| e.seconds).fold(f64::INFINITY, f64::min);
    let t1 = events.iter().map(|e| e.seconds).fold(f64::NEG_INFINITY, f64::max);
    let period_hours = (t1 - t0) / SECONDS_PER_HOUR;
    let moments_hours = if period_hours > s.horizon_hours { period_hours - s.horizon_hours } else { period_hours };

    // Times per link, in hours from the first event.
    let mut per_link: HashMap<(usize, usize, usize), Vec<f64>> = HashMap::new();
    for e in events {
        let (a, b) =
            if s.directed { (e.sender, e.recipient) } else { (e.sender.min(e.recipient), e.sender.max(e.recipient)) };
        per_link.entry((a, b, e.channel)).or_default().push((e.seconds - t0) / SECONDS_PER_HOUR);
    }
    let mut keys: Vec<(usize, usize, usize)> = per_link.keys().copied().collect();
    keys.sort_unstable_by_key(|&(a, b, c)| (c, a, b));
    for times in per_link.values_mut() {
        times.sort_by(f64::total_cmp);
    }
    // Links per (channel, activity class), in that order.
    let mut by_class: Vec<((usize, u32), Vec<(usize, usize, usize)>)> = Vec::new();
    let mut class_of: HashMap<(usize, u32), usize> = HashMap::new();
    let mut sorted = keys.clone();
    sorted.sort_unstable_by_key(|k| (k.2, activity_class(per_link[k].len()), k.0, k.1));
    for k in sorted {
        let c = (k.2, activity_class(per_link[&k].len()));
        let i = *class_of.entry(c).or_insert_with(|| {
            by_class.push((c, Vec::new()));
            by_class.len() - 1
        });
        by_class[i].1.push(k);
    }

    let ln_miss = (1.0 - s.per_message).ln(); // −∞ for p = 1: never skip a message
    let mut classes = Vec::new();
    let mut dropped_total = 0;
    for ((channel, k), links) in by_class {
        let moments = MOMENTS_PER_LINK.max(MIN_CLASS_MOMENTS.div_ceil(links.len()));
        let (mut waits, mut drawn, mut kept, mut dropped, mut messages) = (Vec::new(), 0usize, Vec::new(), 0, 0);
        let mut gaps = Vec::new();
        for key in links {
            let times = &per_link[&key];
            messages += times.len();
            gaps.extend(times.windows(2).map(|w| w[1] - w[0]));
            let before = waits.len();
            for m in 0..moments {
                let at = uniform(key, m, 0) * moments_hours;
                let mut i = times.partition_point(|&t| t < at);
                if s.per_message < 1.0 {
                    // Messages skipped before the first that carries: geometric with success p.
                    let skip = (uniform(key, m, 1).ln() / ln_miss).floor();
                    i = i.saturating_add(if skip < times.len() as f64 { skip as usize } else { times.len() });
                }
                if let Some(&t) = times.get(i)
                    && t - at <= s.horizon_hours
                {
                    waits.push(t - at);
                }
            }
            if waits.len() == before {
                dropped += 1;
            } else {
                drawn += moments;
                kept.push((key.0, key.1));
            }
        }
        dropped_total += dropped;
        if kept.is_empty() {
            continue;
        }
        waits.sort_by(f64::total_cmp);
        gaps.sort_by(f64::total_cmp);
        let quantiles: Vec<f64> =
            (0..WAIT_QUANTILES).map(|i| quantile(&waits, i as f64 / (WAIT_QUANTILES - 1) as f64)).collect();
        let (suffix, what) = class_label(k);
        let prefix = if channels[channel].is_empty() { "msg".to_string() } else { channels[channel].clone() };
        let burstiness = (gaps.len() >= 2).then(|| {
            let n = gaps.len() as f64;
            let mean = gaps.iter().sum::<f64>() / n;
            let sd = (gaps.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>() / (n - 1.0)).sqrt();
            if sd + mean > 0.0 { (sd - mean) / (sd + mean) } else { -1.0 }
        });
        classes.push(WaitClass {
            name: format!("{prefix}_{suffix}"),
            what: if channels[channel].is_empty() { what } else { format!("{what} over {}", channels[channel]) },
            links: kept,
            dropped,
            messages,
            median_wait: quantile(&waits, 0.5),
            transmit: waits.len() as f64 / drawn as f64,
            quantiles,
            median_gap: (!gaps.is_empty()).then(|| quantile(&gaps, 0.5)),
            burstiness,
        });
    }
    Waits { classes, period_hours, moments_hours, dropped: dropped_total }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_classes_are_powers_of_two() {
        assert_eq!(activity_class(1), 0);
        assert_eq!(activity_class(3), 1);
        assert_eq!(activity_class(4), 2);
        assert_eq!(activity_class(100_000), 9);
        assert_eq!(class_label(0).0, "1");
        assert_eq!(class_label(2).0, "4_7");
        assert_eq!(class_label(9).0, "512_up");
    }
}
