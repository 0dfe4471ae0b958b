//! The public results of a study: one owned type that `summary.json` serialises (with a
//! [`SCHEMA_VERSION`]) and that every writer reads, and the summary step that makes it from the
//! study's [`Facts`] and its merged [`PointOutcome`]s.
//!
//! Reading a `summary.json` back gives the same value (per-replication times and the curve are
//! not in `summary.json`: they are in `replications.csv` and `curve.csv`).

use serde::{Deserialize, Serialize};

use crate::analysis::facts::{Facts, SweepFacts};
use crate::analysis::stats::{
    CurvePoint, Paired, PairedWorlds, Spread5, TSummary, curve_points, paired, reached_fraction, spread3, spread5,
    summarize,
};
use crate::engine::outcome::{NamedAttribution, PointOutcome};

/// The version of the results schema (`summary.json`'s `schema_version`). Raised when a field
/// changes meaning or disappears; adding a field keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// How many people, links and channels the bottleneck lists keep.
pub const BOTTLENECK_TOP: usize = 10;

/// The results of a study: the headline numbers of every design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The uncertain assumptions and the worlds, if the scenario has `[uncertain]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<UncertainSummary>,
    /// With `compare_to`: the name of the reference variant of the paired comparisons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Why an improvement can be slower than the baseline in a single replication: the scheduled
    /// channels over which somebody with a window sends, and `calendars` when calendars meet
    /// windows (see [`crate::analysis::facts::Assumptions::coupling_exceptions`]). Absent when every
    /// improvement is never slower in any replication by construction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupling_exceptions: Vec<String>,
    /// `[goal]`: T at most `t_hours` in at least `probability` of replications (and worlds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<crate::analysis::goal::Goal>,
    /// With `[costs]`: the money rate and the value of time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<crate::analysis::costs::CostSettings>,
    /// With `[costs]`: the cheapest point meeting the goal and the Pareto fronts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<crate::analysis::costs::Route>,
    /// What the command line set for this study (`--set PATH=VALUE`, the value in TOML syntax):
    /// absent when the scenario file ran as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_line_set: Vec<String>,
}

/// The uncertain assumptions behind a study's worlds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UncertainSummary {
    /// How many worlds ran.
    pub worlds: u32,
    /// Where the worlds come from.
    pub design: crate::design::worlds::WorldDesign,
    /// The factors.
    pub factors: Vec<FactorSummary>,
}

/// One uncertain factor, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FactorSummary {
    /// Its name.
    pub name: String,
    /// The dotted paths it drives.
    pub paths: Vec<String>,
    /// Set or scale.
    pub mode: crate::design::worlds::Mode,
    /// Its plausible values in words.
    pub plausible: String,
}

/// A design point's results across plausible worlds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WorldStats {
    /// Quantiles across worlds of the per-world median T (hours; `null` where never).
    pub median: Spread5,
    /// Quantiles across worlds of the per-world reached fraction.
    pub reached_fraction: Spread5,
}

/// The results of one design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The paired comparison with the baseline (`None` for the baseline, and for a point whose
    /// target group differs from the baseline's: it is not paired).
    pub vs_baseline: Option<Paired>,
    /// With `compare_to`: the paired comparison with the reference (`None` — written `null`,
    /// like `vs_baseline` — without `compare_to`, for the reference itself and where the target
    /// groups differ).
    #[serde(default)]
    pub vs_reference: Option<Paired>,
    /// Where the item gets stuck.
    pub bottlenecks: Bottlenecks,
    /// Across plausible worlds (with `[uncertain]`): the per-world median T and reached fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worlds: Option<WorldStats>,
    /// With `[uncertain]`: the share of worlds in which this point has the lowest median T
    /// (ties share the world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_best: Option<f64>,
    /// T_threshold per replication (hours; `None` = not reached), world-major with worlds. In
    /// `replications.csv`, not in `summary.json`.
    #[serde(skip)]
    pub replications: Vec<Option<f64>>,
    /// The adoption curve. In `curve.csv`, not in `summary.json`.
    #[serde(skip)]
    pub curve: Vec<CurvePoint>,
    /// With calendars: how to state times on the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<crate::analysis::facts::ClockFacts>,
    /// With `[costs]`: what the point costs per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::analysis::costs::PointCost>,
    /// With `[goal]`: whether the point meets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<crate::analysis::goal::GoalResult>,
    /// With `[costs]` and a value of time: the return over the baseline.
    #[serde(default, rename = "return", skip_serializing_if = "Option::is_none")]
    pub return_: Option<crate::analysis::costs::PointReturn>,
}

/// A named share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Share {
    /// A channel name.
    pub name: String,
    /// The share, 0–1 (see the field it appears in for the denominator).
    pub share: f64,
}

/// A person with a share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PersonShare {
    /// The person's id.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their unit.
    pub unit: String,
    /// Their display name (`people.csv` column `name`), if any; `name` stays the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Their site (`people.csv` column `site`, else their calendar), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Share of the replications that reached whose critical path passes through them.
    pub share: f64,
}

/// A link with a share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LinkShare {
    /// Sender id.
    pub source: String,
    /// Receiver id.
    pub target: String,
    /// Channel name.
    pub channel: String,
    /// The sender's display name (`people.csv` column `name`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The receiver's display name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// Share of the replications that reached whose critical path uses this link.
    pub share: f64,
}

/// How a person appears in reports: "Name (id)" when they have a display name, else the id.
pub fn person_label(id: &str, display_name: Option<&str>) -> String {
    match display_name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    }
}

impl PersonShare {
    /// "Name (id)", or the id for a person without a display name.
    pub fn label(&self) -> String {
        person_label(&self.name, self.display_name.as_deref())
    }
}

impl LinkShare {
    /// The sender as reports show them ("Name (id)" or the id).
    pub fn source_label(&self) -> String {
        person_label(&self.source, self.source_name.as_deref())
    }

    /// The receiver as reports show them.
    pub fn target_label(&self) -> String {
        person_label(&self.target, self.target_name.as_deref())
    }
}

/// Where the item gets stuck. The critical path of a replication is the chain of deliveries
/// from the source to the target member whose processing completed the threshold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Units on the critical path: share of reached replications whose path passes through at
    /// least one person of the unit (between source and end).
    #[serde(default)]
    pub units: Vec<Share>,
    /// Roles on the critical path, likewise.
    #[serde(default)]
    pub roles: Vec<Share>,
    /// Sites on the critical path, likewise (people.csv `site`, else the person's calendar;
    /// empty, and not written, when nobody has either).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Share>,
    /// The unit → unit flow: for each (sender's unit, receiver's unit) pair, the reached
    /// replications whose critical path uses at least one link between them (pairs that never
    /// occur left out), by unit names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_flows: Vec<UnitFlowCount>,
    /// When each unit's members processed the item, over all replications (by unit name; the
    /// organisation picture colours units by it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_times: Vec<UnitTime>,
    /// When each person processed the item (organisations of at most
    /// [`PERSON_TIMES_MAX_PEOPLE`] people, else empty), for the per-person picture; not in
    /// `summary.json` (the units' times are).
    ///
    /// [`PERSON_TIMES_MAX_PEOPLE`]: crate::engine::outcome::PERSON_TIMES_MAX_PEOPLE
    #[serde(skip)]
    #[schemars(skip)]
    pub person_times: Vec<PersonTime>,
    /// Every link on a critical path, with its share of reached replications (between two
    /// people), when `person_times` is counted; the picture draws them. Not in `summary.json`
    /// (its `links` are the top ones).
    #[serde(skip)]
    #[schemars(skip)]
    pub path_links: Vec<(String, String, f64)>,
}

/// When one person processed the item, over the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonTime {
    /// The person's id.
    pub id: String,
    /// Their unit.
    pub unit: String,
    /// Their role.
    pub role: String,
    /// The share (0–1) of replications in which they processed the item by the horizon.
    pub processed_share: f64,
    /// Their median processing time in hours, as the upper edge of its histogram bin (see
    /// [`UnitTime::median_hours`]); `None` when they never processed it in at least half the
    /// replications.
    pub median_hours: Option<f64>,
}

/// When a unit's members processed the item, over every (member, replication) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnitTime {
    /// The unit.
    pub unit: String,
    /// Its members times the replications: the denominator of the share.
    pub member_replications: u64,
    /// The share (0–1) of member-replications in which the member processed the item by the
    /// horizon.
    pub processed_share: f64,
    /// The median processing time over the member-replications, in hours, as the upper edge of
    /// the histogram bin that holds it (bins are at most 25% wide: the true median lies within
    /// 20% below this); `None` when at least half never processed it by the horizon.
    pub median_hours: Option<f64>,
}

impl UnitTime {
    /// The summary of `unit`'s processing-time histogram (`bins`: [`TIME_BINS`] counts, the
    /// last the member-replications that never processed it).
    ///
    /// [`TIME_BINS`]: crate::engine::outcome::TIME_BINS
    pub fn of_bins(unit: &str, bins: &[u64]) -> UnitTime {
        use crate::engine::outcome::{NEVER_BIN, time_bin_upper_hours};
        let total: u64 = bins.iter().sum();
        let processed: u64 = bins[..NEVER_BIN.min(bins.len())].iter().sum();
        // The median member-replication: the first bin whose running count reaches half.
        let mut running = 0u64;
        let median_bin = bins.iter().position(|&c| {
            running += c;
            2 * running >= total && total > 0
        });
        UnitTime {
            unit: unit.to_string(),
            member_replications: total,
            processed_share: if total == 0 { 0.0 } else { processed as f64 / total as f64 },
            median_hours: median_bin.and_then(time_bin_upper_hours),
        }
    }
}

/// Critical paths between two units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnitFlowCount {
    /// The sender's unit.
    pub from_unit: String,
    /// The receiver's unit.
    pub to_unit: String,
    /// Reached replications whose critical path uses at least one link from `from_unit` to
    /// `to_unit`.
    pub critical_paths: u64,
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
                .map(|(p, share)| PersonShare {
                    name: p.id.clone(),
                    role: p.role.clone(),
                    unit: p.unit.clone(),
                    display_name: p.display_name.clone(),
                    site: p.site.clone(),
                    share,
                })
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
                source_name: l.source_name.clone(),
                target_name: l.target_name.clone(),
                share,
            })
            .collect(),
            channels: shares(&a.channels, a.reached),
            first_heard_via: shares(&a.first_heard, heard_total),
            units: shares(&a.units, a.reached),
            roles: shares(&a.roles, a.reached),
            sites: shares(&a.sites, a.reached),
            unit_flows: a
                .unit_flows
                .iter()
                .filter(|&(_, &c)| c > 0)
                .map(|((f, t), &c)| UnitFlowCount { from_unit: f.clone(), to_unit: t.clone(), critical_paths: c })
                .collect(),
            unit_times: a.unit_times.iter().map(|(unit, bins)| UnitTime::of_bins(unit, bins)).collect(),
            person_times: a
                .person_times
                .iter()
                .map(|(p, bins)| {
                    let t = UnitTime::of_bins(&p.id, bins);
                    PersonTime {
                        id: p.id.clone(),
                        unit: p.unit.clone(),
                        role: p.role.clone(),
                        processed_share: t.processed_share,
                        median_hours: t.median_hours,
                    }
                })
                .collect(),
            path_links: if a.person_times.is_empty() || a.reached == 0 {
                Vec::new()
            } else {
                let mut by_pair: std::collections::BTreeMap<(&str, &str), u64> = std::collections::BTreeMap::new();
                for (l, &c) in &a.links {
                    *by_pair.entry((l.source.as_str(), l.target.as_str())).or_default() += c;
                }
                by_pair
                    .into_iter()
                    .map(|((f, t), c)| (f.to_string(), t.to_string(), (c as f64 / a.reached as f64).min(1.0)))
                    .collect()
            },
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

/// The median of the paired differences `variant − reference` (not reached = never, so ±∞ where
/// one side reaches in fewer than half the replications).
fn median_paired_difference(reference: &[Option<f64>], variant: &[Option<f64>]) -> f64 {
    let mut d: Vec<f64> = reference
        .iter()
        .zip(variant)
        .map(|(b, v)| match (b, v) {
            (Some(b), Some(v)) => v - b,
            (None, Some(_)) => f64::NEG_INFINITY,
            (Some(_), None) => f64::INFINITY,
            (None, None) => 0.0,
        })
        .collect();
    d.sort_unstable_by(f64::total_cmp);
    match d.len() {
        0 => 0.0,
        n if n % 2 == 1 => d[n / 2],
        n => {
            // The mean of the middle two; −∞ and +∞ together count as no difference.
            let m = 0.5 * (d[n / 2 - 1] + d[n / 2]);
            if m.is_nan() { 0.0 } else { m }
        }
    }
}

/// What the summary keeps of one design point while the cells arrive.
#[derive(Debug)]
struct PointAcc {
    /// T per replication, pooled over worlds (world-major).
    t: Vec<Option<f64>>,
    /// The adoption curve, pooled over worlds (until the point's last world)...
    curve: Option<crate::engine::outcome::CurveAccumulator>,
    /// ... then summarised, and the counts dropped.
    curve_points: Vec<CurvePoint>,
    /// Critical paths, pooled over worlds.
    attribution: NamedAttribution,
    /// Per world: the median T (`None` = never) and the reached fraction.
    world_median: Vec<Option<f64>>,
    world_reached: Vec<Option<f64>>,
}

/// The summary step, cell by cell: each (world, design point) outcome is summarised as it
/// arrives (world-major, in design order) and then dropped; only pooled counts and per-world
/// figures are kept.
#[derive(Debug)]
pub struct Summariser<'f> {
    facts: &'f Facts,
    next: usize,
    points: Vec<PointAcc>,
}

impl<'f> Summariser<'f> {
    /// A summariser for the study with `facts`.
    pub fn new(facts: &'f Facts) -> Self {
        let points = facts
            .points
            .iter()
            .map(|_| PointAcc {
                t: Vec::new(),
                curve: None,
                curve_points: Vec::new(),
                attribution: NamedAttribution::default(),
                world_median: Vec::new(),
                world_reached: Vec::new(),
            })
            .collect();
        Summariser { facts, next: 0, points }
    }

    /// Summarises the next cell's outcome (world-major, design order), which must cover every
    /// replication.
    pub fn add(&mut self, o: &PointOutcome) -> Result<(), SummaryError> {
        let n = self.facts.points.len();
        let (w, p) = (self.next / n.max(1), self.next % n.max(1));
        let with_worlds = self.facts.uncertain.is_some();
        let ok = self.next < self.facts.cells()
            && o.point == p
            && o.world == with_worlds.then_some(w as u32)
            && o.first_replication == 0
            && o.t_threshold.len() as u64 == self.facts.replications;
        if !ok {
            return Err(SummaryError::Incomplete { point: p });
        }
        self.next += 1;
        let acc = &mut self.points[p];
        acc.t.extend_from_slice(&o.t_threshold);
        match &mut acc.curve {
            None => acc.curve = Some(o.curve.clone()),
            Some(c) => {
                if !c.merge(&o.curve) {
                    return Err(SummaryError::Incomplete { point: p });
                }
            }
        }
        if w + 1 == self.facts.world_count() {
            // The point's last cell: summarise its curve and free the counts, so that a study of
            // many points holds one point's curve counts at a time.
            acc.curve_points = acc.curve.take().map(|c| curve_points(&c)).unwrap_or_default();
        }
        acc.attribution.merge(&o.attribution);
        acc.world_median.push(summarize(&o.t_threshold).median);
        acc.world_reached.push(Some(reached_fraction(&o.t_threshold)));
        Ok(())
    }

    /// The results, once every cell was added.
    pub fn finish(self) -> Result<Results, SummaryError> {
        let facts = self.facts;
        if self.next != facts.cells() {
            return Err(SummaryError::Incomplete { point: self.next % facts.points.len().max(1) });
        }
        let worlds = facts.world_count();
        let with_worlds = facts.uncertain.is_some();
        // p_best: per world, the design points with the lowest median share the credit.
        // p_best: per world, among the points comparable with the baseline (the same target
        // and threshold), the ones with the lowest median share the world; a world in which no
        // point reaches gives no credit.
        let comparable: Vec<usize> =
            (0..facts.points.len()).filter(|&p| facts.points[p].target_key == facts.points[0].target_key).collect();
        let mut best = vec![0.0; facts.points.len()];
        if with_worlds {
            for w in 0..worlds {
                let key = |p: usize| self.points[p].world_median[w].unwrap_or(f64::INFINITY);
                let low = comparable.iter().map(|&p| key(p)).fold(f64::INFINITY, f64::min);
                if low.is_infinite() {
                    continue;
                }
                let winners: Vec<usize> = comparable.iter().copied().filter(|&p| key(p) == low).collect();
                for p in &winners {
                    best[*p] += 1.0 / winners.len() as f64;
                }
            }
            best.iter_mut().for_each(|b| *b = (*b / worlds as f64).min(1.0));
        }
        // The paired comparison of point `i` with point `r`: only where their targets are the same
        // people (else there is nothing to pair), with the spread across worlds where there are
        // worlds.
        let compare = |i: usize, r: usize| -> Option<Paired> {
            if i == r || facts.points[i].target_key != facts.points[r].target_key {
                return None;
            }
            let (acc, reference) = (&self.points[i], &self.points[r]);
            let mut pr = paired(&reference.t, &acc.t);
            if with_worlds {
                // One statistic for both: per world, the median of the paired differences (a
                // side that does not reach counts as never, so the median may be ±∞).
                let deltas: Vec<f64> = (0..worlds)
                    .map(|w| {
                        let span = w * facts.replications as usize..(w + 1) * facts.replications as usize;
                        median_paired_difference(&reference.t[span.clone()], &acc.t[span])
                    })
                    .collect();
                let better = deltas.iter().filter(|d| **d < 0.0).count();
                let finite: Vec<Option<f64>> = deltas.iter().map(|d| d.is_finite().then_some(*d)).collect();
                pr.worlds = Some(PairedWorlds {
                    median_delta: spread3(&finite),
                    p_better_worlds: better as f64 / worlds as f64,
                });
                // Replications are reused in every world, so the pooled values are not
                // independent: no interval of the pooled mean difference is given.
                pr.ci95_mean_delta = None;
            }
            Some(pr)
        };
        let mut variants: Vec<VariantResults> = facts
            .points
            .iter()
            .zip(&self.points)
            .enumerate()
            .map(|(i, (p, acc))| {
                let vs_baseline = compare(i, 0);
                let vs_reference = (facts.reference != 0).then(|| compare(i, facts.reference)).flatten();
                VariantResults {
                    name: p.name.clone(),
                    description: p.description.clone(),
                    target_size: p.target_size,
                    target_label: p.target_label.clone(),
                    threshold: p.threshold,
                    reached_fraction: reached_fraction(&acc.t),
                    t_threshold: {
                        let mut s = summarize(&acc.t);
                        if with_worlds {
                            // The same replication streams run in every world: pooled values are
                            // not independent, and an interval over them would be far too narrow.
                            // The spread across worlds (below) carries the uncertainty instead.
                            s.ci95_mean = None;
                            s.ci95_median = [None, None];
                        }
                        s
                    },
                    vs_baseline,
                    vs_reference,
                    bottlenecks: Bottlenecks::from_attribution(&acc.attribution),
                    worlds: with_worlds.then(|| WorldStats {
                        median: spread5(&acc.world_median),
                        reached_fraction: spread5(&acc.world_reached),
                    }),
                    p_best: with_worlds.then_some(best[i]),
                    replications: acc.t.clone(),
                    curve: acc.curve_points.clone(),
                    clock: p.clock.clone(),
                    cost: p.cost.clone(),
                    goal: facts.goal.as_ref().map(|g| g.check(&acc.t, facts.replications, with_worlds)),
                    return_: None,
                }
            })
            .collect();
        let b = &facts.points[0];
        let route = costs_and_route(&mut variants, facts);
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
            variants,
            sweep: facts.sweep.clone(),
            reference: (facts.reference != 0).then(|| facts.points[facts.reference].name.clone()),
            coupling_exceptions: facts.assumptions.coupling_exceptions.clone(),
            command_line_set: facts.command_line_set.clone(),
            uncertain: facts.uncertain.as_ref().map(|u| UncertainSummary {
                worlds: u.worlds.values.len() as u32,
                design: u.worlds.design,
                factors: u
                    .factors
                    .iter()
                    .map(|f| FactorSummary {
                        name: f.name.clone(),
                        paths: f.paths.clone(),
                        mode: f.mode,
                        plausible: f.dist.describe(),
                    })
                    .collect(),
            }),
            goal: facts.goal.clone(),
            costs: facts.costs.clone(),
            route,
        })
    }
}

/// With `[costs]`: each point's return over the baseline (with a value of time), and the route:
/// the cheapest point meeting the goal and the Pareto fronts of cost against median T and
/// against the goal probability.
fn costs_and_route(variants: &mut [VariantResults], facts: &Facts) -> Option<crate::analysis::costs::Route> {
    use crate::analysis::costs::{PointReturn, Route, cheapest, pareto_front};
    let settings = facts.costs.as_ref()?;
    let cost = |v: &VariantResults| v.cost.as_ref().map_or(0.0, |c| c.hours_per_month);
    let median = |v: &VariantResults| v.t_threshold.median;
    if let (Some(worth), Some(base)) = (&settings.worth, variants.first()) {
        let base = (cost(base), median(base));
        for v in variants.iter_mut() {
            v.return_ = Some(PointReturn::new(worth, settings.money_per_hour, base, (cost(v), median(v))));
        }
    }
    let names = |idx: Vec<usize>| idx.into_iter().map(|i| variants[i].name.clone()).collect::<Vec<_>>();
    let by_median: Vec<(f64, f64)> = variants.iter().map(|v| (cost(v), median(v).unwrap_or(f64::INFINITY))).collect();
    let goal = |v: &VariantResults| v.goal.as_ref().map(|g| g.worlds.as_ref().map_or(g.probability, |w| w.share));
    let front_goal = if facts.goal.is_some() {
        let by_goal: Vec<(f64, f64)> = variants.iter().map(|v| (cost(v), -goal(v).unwrap_or(0.0))).collect();
        names(pareto_front(&by_goal))
    } else {
        vec![]
    };
    let meeting = variants
        .iter()
        .enumerate()
        .filter(|(_, v)| v.goal.as_ref().is_some_and(|g| g.meets))
        .map(|(i, v)| (i, cost(v), goal(v).unwrap_or(0.0)));
    Some(Route {
        cheapest: cheapest(meeting).map(|i| variants[i].name.clone()),
        front_median: names(pareto_front(&by_median)),
        front_goal,
    })
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
