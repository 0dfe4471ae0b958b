//! The public results of a study: one owned type that `summary.json` serialises (with a
//! [`SCHEMA_VERSION`]) and that every writer reads, and the summary step that makes it from the
//! study's [`Facts`] and its merged [`PointOutcome`]s.
//!
//! Reading a `summary.json` back gives the same value (per-replication times and the curve are
//! not in `summary.json`: they are in `replications.csv` and `curve.csv`).

use serde::{Deserialize, Serialize};

use crate::facts::{Facts, SweepFacts};
use crate::outcome::{NamedAttribution, PointOutcome};
use crate::stats::{CurvePoint, Paired, TSummary, curve_points, paired, reached_fraction, summarize};

/// The version of the results schema (`summary.json`'s `schema_version`). Raised when a field
/// changes meaning or disappears; adding a field keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// How many people, links and channels the bottleneck lists keep.
pub const BOTTLENECK_TOP: usize = 10;

/// The results of a study: the headline numbers of every design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The results schema's version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's description.
    pub description: Option<String>,
    /// Seed of all random draws.
    pub seed: u64,
    /// Replications per variant.
    pub replications: u64,
    /// The baseline's threshold (share of the target).
    pub threshold: f64,
    /// Simulated hours; later processing counts as never.
    pub horizon_hours: f64,
    /// The baseline's target size.
    pub target_size: u32,
    /// The permeate version that made the results.
    pub permeate_version: String,
    /// Every design point, baseline first.
    pub variants: Vec<VariantResults>,
    /// The sweep, if the design has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepFacts>,
}

/// The results of one design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResults {
    /// `baseline`, a variant's name or a sweep point's `path=value, …`.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Size of the target group.
    pub target_size: u32,
    /// How the target was selected ("role developer").
    pub target_label: String,
    /// Share of the target that must have processed the item.
    pub threshold: f64,
    /// Share of replications that reached the threshold before the horizon.
    pub reached_fraction: f64,
    /// T_threshold across replications, hours.
    pub t_threshold: TSummary,
    /// The paired comparison with the baseline (`None` for the baseline).
    pub vs_baseline: Option<Paired>,
    /// Where the item gets stuck.
    pub bottlenecks: Bottlenecks,
    /// T_threshold per replication (hours; `None` = not reached). In `replications.csv`, not
    /// in `summary.json`.
    #[serde(skip)]
    pub replications: Vec<Option<f64>>,
    /// The adoption curve. In `curve.csv`, not in `summary.json`.
    #[serde(skip)]
    pub curve: Vec<CurvePoint>,
    /// With calendars: how to state times on the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<crate::facts::ClockFacts>,
}

/// A named share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// A channel name.
    pub name: String,
    /// The share, 0–1 (see the field it appears in for the denominator).
    pub share: f64,
}

/// A person with a share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonShare {
    /// The person's id.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their unit.
    pub unit: String,
    /// Share of the replications that reached whose critical path passes through them.
    pub share: f64,
}

/// A link with a share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkShare {
    /// Sender id.
    pub source: String,
    /// Receiver id.
    pub target: String,
    /// Channel name.
    pub channel: String,
    /// Share of the replications that reached whose critical path uses this link.
    pub share: f64,
}

/// Where the item gets stuck. The critical path of a replication is the chain of deliveries
/// from the source to the target member whose processing completed the threshold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bottlenecks {
    /// Replications that reached the threshold (the denominator of the path shares).
    pub reached_replications: u64,
    /// People most often on the critical path (between source and end), with the share of
    /// reached replications.
    pub people: Vec<PersonShare>,
    /// Links most often on the critical path.
    pub links: Vec<LinkShare>,
    /// Channels on the critical path: share of reached replications using the channel.
    pub channels: Vec<Share>,
    /// Over which channel target members first processed the item: share of all processed
    /// target members (`(source)` = they were where the item appeared).
    pub first_heard_via: Vec<Share>,
}

/// The `top` entries by count (descending; ties by name), as shares of `total`.
fn top_shares<'a, K: 'a>(
    counts: impl Iterator<Item = (&'a K, &'a u64)>,
    name: impl Fn(&K) -> String,
    total: u64,
    top: usize,
) -> Vec<(&'a K, f64)> {
    let mut v: Vec<(&K, String, u64)> = counts.filter(|&(_, &c)| c > 0).map(|(k, &c)| (k, name(k), c)).collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    v.truncate(top);
    v.into_iter().map(|(k, _, c)| (k, c as f64 / total.max(1) as f64)).collect()
}

impl Bottlenecks {
    /// Ranks a point's attribution counts: the top people and links, every channel.
    pub fn from_attribution(a: &NamedAttribution) -> Self {
        let heard_total: u64 = a.first_heard.values().sum();
        let shares = |m: &std::collections::BTreeMap<String, u64>, total: u64| {
            top_shares(m.iter(), |k: &String| k.clone(), total, usize::MAX)
                .into_iter()
                .map(|(name, share)| Share { name: name.clone(), share })
                .collect()
        };
        Bottlenecks {
            reached_replications: a.reached,
            people: top_shares(a.people.iter(), |p| p.id.clone(), a.reached, BOTTLENECK_TOP)
                .into_iter()
                .map(|(p, share)| PersonShare { name: p.id.clone(), role: p.role.clone(), unit: p.unit.clone(), share })
                .collect(),
            links: top_shares(
                a.links.iter(),
                |l| format!("{}\u{0}{}\u{0}{}", l.source, l.target, l.channel),
                a.reached,
                BOTTLENECK_TOP,
            )
            .into_iter()
            .map(|(l, share)| LinkShare {
                source: l.source.clone(),
                target: l.target.clone(),
                channel: l.channel.clone(),
                share,
            })
            .collect(),
            channels: shares(&a.channels, a.reached),
            first_heard_via: shares(&a.first_heard, heard_total),
        }
    }
}

/// Why outcomes could not be summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryError {
    /// A design point has no outcome, or an outcome of the wrong size.
    Incomplete {
        /// The design point.
        point: usize,
    },
}

impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SummaryError::Incomplete { point } => {
                write!(f, "design point {point} does not have the outcome of every replication")
            }
        }
    }
}

/// The summary step, one point at a time: each design point's complete outcome is summarised
/// as it arrives (in design order) and then dropped, so a study of many points never holds more
/// than one point's curve counts.
#[derive(Debug)]
pub struct Summariser<'f> {
    facts: &'f Facts,
    baseline: Vec<Option<f64>>,
    variants: Vec<VariantResults>,
}

impl<'f> Summariser<'f> {
    /// A summariser for the study with `facts`.
    pub fn new(facts: &'f Facts) -> Self {
        Summariser { facts, baseline: Vec::new(), variants: Vec::with_capacity(facts.points.len()) }
    }

    /// Summarises the next design point's outcome, which must cover every replication.
    pub fn add(&mut self, o: &PointOutcome) -> Result<(), SummaryError> {
        let i = self.variants.len();
        let ok = i < self.facts.points.len()
            && o.point == i
            && o.first_replication == 0
            && o.t_threshold.len() as u64 == self.facts.replications;
        if !ok {
            return Err(SummaryError::Incomplete { point: i });
        }
        if i == 0 {
            self.baseline = o.t_threshold.clone();
        }
        let p = &self.facts.points[i];
        self.variants.push(VariantResults {
            name: p.name.clone(),
            description: p.description.clone(),
            target_size: p.target_size,
            target_label: p.target_label.clone(),
            threshold: p.threshold,
            reached_fraction: reached_fraction(&o.t_threshold),
            t_threshold: summarize(&o.t_threshold),
            vs_baseline: (i > 0).then(|| paired(&self.baseline, &o.t_threshold)),
            bottlenecks: Bottlenecks::from_attribution(&o.attribution),
            replications: o.t_threshold.clone(),
            curve: curve_points(&o.curve),
            clock: p.clock.clone(),
        });
        Ok(())
    }

    /// The results, once every design point was added.
    pub fn finish(self) -> Result<Results, SummaryError> {
        let facts = self.facts;
        if self.variants.len() != facts.points.len() {
            return Err(SummaryError::Incomplete { point: self.variants.len() });
        }
        let b = &facts.points[0];
        Ok(Results {
            schema_version: SCHEMA_VERSION,
            scenario: facts.scenario.clone(),
            description: facts.description.clone(),
            seed: facts.seed,
            replications: facts.replications,
            threshold: b.threshold,
            horizon_hours: facts.horizon_hours,
            target_size: b.target_size,
            permeate_version: env!("CARGO_PKG_VERSION").to_string(),
            variants: self.variants,
            sweep: facts.sweep.clone(),
        })
    }
}

impl Results {
    /// The summary step: the results of a study from its facts and the complete outcome of
    /// every design point (in design order, each over replications `0..facts.replications`).
    pub fn summarise(facts: &Facts, outcomes: &[PointOutcome]) -> Result<Results, SummaryError> {
        let mut s = Summariser::new(facts);
        for o in outcomes {
            s.add(o)?;
        }
        s.finish()
    }

    /// The indices of the sweep's points (empty without a sweep).
    pub fn sweep_points(&self) -> Vec<usize> {
        self.sweep.as_ref().map(|s| s.points.iter().map(|p| p.point).collect()).unwrap_or_default()
    }
}
