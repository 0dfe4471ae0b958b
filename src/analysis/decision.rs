//! The decision: the design points ranked for the workshop's question ("which lever?"), each with
//! its median T and 10–90% band (across plausible worlds, else across replications), how often it
//! reaches the threshold at all, how often it is best, its goal share and its cost — and the one
//! point to recommend, with how sure that is and what to measure next.
//!
//! Pure: computed from [`Results`] (and the sensitivity study when there is one) before anything
//! is written; the report only words it.
//!
//! "Reaching" a world means that the world's median T is reached within the horizon (the
//! threshold is reached in more than half of the world's replications). Comparisons with the
//! reference count worlds (or, without worlds, replications) in four kinds: faster, slower, the
//! same (both reach, equal T) and neither reaching — the last are counted apart, never as "not
//! better".

use serde::{Deserialize, Serialize};

use crate::analysis::results::{Results, VariantResults};
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::stats::{quantile_sorted, summarize};

/// The lower quantile of the bands (10%).
pub const BAND_LOW: f64 = 0.1;
/// The upper quantile of the bands (90%).
pub const BAND_HIGH: f64 = 0.9;

/// What the comparisons count: plausible worlds, or replications without worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Across {
    /// Plausible worlds (with `[uncertain]`): each world's median T.
    Worlds,
    /// Replications (without worlds): each replication's T.
    Replications,
}

/// A design point compared with the reference, unit by unit (world or replication).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Versus {
    /// Units compared.
    pub total: u64,
    /// Units in which the point is strictly faster (including those it reaches and the reference
    /// does not).
    pub faster: u64,
    /// Units in which it is strictly slower (including those the reference reaches and it does
    /// not).
    pub slower: u64,
    /// Units in which both reach at the same time.
    pub same: u64,
    /// Units in which neither reaches.
    pub neither: u64,
    /// Units in which the point reaches.
    pub point_reaches: u64,
    /// Units in which the reference reaches.
    pub reference_reaches: u64,
    /// Median over the units where both reach of the difference point − reference, hours.
    pub median_delta: Option<f64>,
}

/// One row of the decision chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DecisionRow {
    /// Index of the design point in [`Results::variants`].
    pub point: usize,
    /// Its name.
    pub name: String,
    /// Median T, hours (with worlds: the median across worlds of the per-world median); `None`
    /// = not reached within the horizon.
    pub median: Option<f64>,
    /// 10% and 90% quantiles, hours, across worlds (of the per-world median) or across
    /// replications; `None` = never.
    pub band: [Option<f64>; 2],
    /// Share of replications that reach the threshold (pooled over worlds).
    pub reached: f64,
    /// With worlds: share of worlds that reach (their median T is reached).
    pub worlds_reaching: Option<f64>,
    /// With worlds: share of worlds in which this point has the lowest median T.
    pub p_best: Option<f64>,
    /// With `[goal]`: the share of replications (with worlds: of worlds) meeting it.
    pub goal_share: Option<f64>,
    /// With `[goal]`: whether it meets the goal.
    pub meets_goal: Option<bool>,
    /// With `[costs]`: hours of work per month.
    pub cost_hours_per_month: Option<f64>,
    /// With `[costs]` and a money rate: money per month.
    pub money_per_month: Option<f64>,
    /// Compared with the reference (`None` for the reference and points not paired with it).
    pub versus: Option<Versus>,
}

/// Why the recommended point was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Basis {
    /// The cheapest point that meets the goal.
    CheapestMeetingGoal,
    /// The fastest point that beats the reference (or reaches more often).
    Fastest,
    /// No point beats the reference: keep it.
    KeepReference,
}

/// What to measure next, from the sensitivity study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum MeasureNext {
    /// The factor whose total-order index on the recommended decision is clearly the largest.
    Factor {
        /// Its name.
        name: String,
        /// Its total-order index (0–1).
        total: f64,
        /// The index's 95% interval.
        interval: [f64; 2],
    },
    /// The estimates leave it open: an index outside [0, 1], or intervals that overlap.
    NotEnoughSamples,
}

/// The decision: rows sorted best first, and the recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Decision {
    /// What the bands and comparisons are across.
    pub across: Across,
    /// Index of the reference point (the baseline unless `compare_to`).
    pub reference: usize,
    /// One row per design point, best first: lowest median (never last), then the higher reached
    /// share, then design order.
    pub rows: Vec<DecisionRow>,
    /// The recommended point (index into [`Results::variants`]); the reference itself with
    /// [`Basis::KeepReference`].
    pub recommended: usize,
    /// Why.
    pub basis: Basis,
    /// What to measure next, when a sensitivity study is at hand.
    pub measure_next: Option<MeasureNext>,
    /// With worlds whose answer flips: the PRIM box of the factors' values in which the
    /// recommended point reaches the threshold ([`crate::analysis::discovery::prim`]).
    pub hinges: Option<crate::analysis::discovery::PrimBox>,
}

/// Per world (one block of `replications`, world-major): the median T (`None` = never).
pub fn world_medians(t: &[Option<f64>], replications: usize) -> Vec<Option<f64>> {
    t.chunks(replications.max(1)).map(|w| summarize(w).median).collect()
}

/// Quantile `p` of `values` with `None` as never (after every number).
fn quantile_never_last(values: &[Option<f64>], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().map(|x| x.unwrap_or(f64::INFINITY)).collect();
    v.sort_unstable_by(f64::total_cmp);
    quantile_sorted(&v, p).filter(|x| x.is_finite())
}

/// Compares `point` with `reference` unit by unit (`None` = not reached).
pub fn versus(reference: &[Option<f64>], point: &[Option<f64>]) -> Versus {
    let mut v = Versus {
        total: reference.len().min(point.len()) as u64,
        faster: 0,
        slower: 0,
        same: 0,
        neither: 0,
        point_reaches: 0,
        reference_reaches: 0,
        median_delta: None,
    };
    let mut deltas = Vec::new();
    for (r, p) in reference.iter().zip(point) {
        v.point_reaches += u64::from(p.is_some());
        v.reference_reaches += u64::from(r.is_some());
        match (r, p) {
            (None, None) => v.neither += 1,
            (None, Some(_)) => v.faster += 1,
            (Some(_), None) => v.slower += 1,
            (Some(r), Some(p)) => {
                deltas.push(p - r);
                if p < r {
                    v.faster += 1;
                } else if p > r {
                    v.slower += 1;
                } else {
                    v.same += 1;
                }
            }
        }
    }
    deltas.sort_unstable_by(f64::total_cmp);
    v.median_delta = quantile_sorted(&deltas, 0.5);
    v
}

/// The sort key of a row: median (never = ∞), then the reached share, higher first.
fn better(a: &DecisionRow, b: &DecisionRow) -> std::cmp::Ordering {
    let m = |r: &DecisionRow| r.median.unwrap_or(f64::INFINITY);
    m(a).total_cmp(&m(b)).then(b.reached.total_cmp(&a.reached)).then(a.point.cmp(&b.point))
}

/// Whether `row` beats the reference: faster in more units than slower, or reaching in more.
fn beats_reference(row: &DecisionRow) -> bool {
    row.versus.as_ref().is_some_and(|v| v.faster > v.slower || v.point_reaches > v.reference_reaches)
}

/// What the sensitivity study says to measure next about `variant`'s decision (its paired
/// difference with the reference): the factor with the largest total-order index if the
/// estimates allow telling it apart, else [`MeasureNext::NotEnoughSamples`]. Morris studies and
/// outputs without variance give `None`.
pub fn measure_next(sensitivity: &Sensitivity, variant: &str) -> Option<MeasureNext> {
    if sensitivity.method != "sobol" {
        return None;
    }
    let output = sensitivity
        .outputs
        .iter()
        .find(|o| o.decision && o.variant == variant)
        .or_else(|| sensitivity.outputs.iter().find(|o| !o.decision && o.variant == variant))?;
    if output.variance <= 0.0 {
        return None;
    }
    Some(match crate::analysis::sensitivity::leading_factor(output) {
        Some((name, top)) => MeasureNext::Factor { name: name.to_string(), total: top.st, interval: top.st_ci },
        None => MeasureNext::NotEnoughSamples,
    })
}

/// The decision for `results`, with `sensitivity` when the study has one.
pub fn decide(results: &Results, sensitivity: Option<&Sensitivity>) -> Decision {
    let with_worlds = results.uncertain.is_some();
    let reps = results.replications as usize;
    let reference =
        results.reference.as_ref().and_then(|r| results.variants.iter().position(|v| &v.name == r)).unwrap_or(0);
    let units = |v: &VariantResults| -> Vec<Option<f64>> {
        if with_worlds { world_medians(&v.replications, reps) } else { v.replications.clone() }
    };
    let reference_units = units(&results.variants[reference]);
    let mut rows: Vec<DecisionRow> = results
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let u = units(v);
            let (median, band) = if with_worlds {
                (quantile_never_last(&u, 0.5), [quantile_never_last(&u, BAND_LOW), quantile_never_last(&u, BAND_HIGH)])
            } else {
                (v.t_threshold.median, [v.t_threshold.p10, v.t_threshold.p90])
            };
            let paired = if results.reference.is_some() { v.vs_reference.is_some() } else { v.vs_baseline.is_some() };
            DecisionRow {
                point: i,
                name: v.name.clone(),
                median,
                band,
                reached: v.reached_fraction,
                worlds_reaching: with_worlds
                    .then(|| u.iter().filter(|x| x.is_some()).count() as f64 / u.len().max(1) as f64),
                p_best: v.p_best,
                goal_share: v.goal.as_ref().map(|g| g.worlds.as_ref().map_or(g.probability, |w| w.share)),
                meets_goal: v.goal.as_ref().map(|g| g.meets),
                cost_hours_per_month: v.cost.as_ref().map(|c| c.hours_per_month),
                money_per_month: v.cost.as_ref().and_then(|c| c.money_per_month),
                versus: (i != reference && paired).then(|| versus(&reference_units, &u)),
            }
        })
        .collect();
    rows.sort_by(better);
    let cheapest = results
        .route
        .as_ref()
        .and_then(|r| r.cheapest.as_ref())
        .and_then(|n| results.variants.iter().position(|v| &v.name == n));
    let (recommended, basis) = match cheapest {
        Some(i) => (i, Basis::CheapestMeetingGoal),
        None => match rows.iter().find(|r| r.point != reference && beats_reference(r)) {
            Some(r) => (r.point, Basis::Fastest),
            None => (reference, Basis::KeepReference),
        },
    };
    let measure_next = sensitivity.and_then(|s| measure_next(s, &results.variants[recommended].name));
    Decision {
        across: if with_worlds { Across::Worlds } else { Across::Replications },
        reference,
        rows,
        recommended,
        basis,
        measure_next,
        hinges: None,
    }
}

/// What the answer hinges on: PRIM over the worlds' factor values (`facts`) for the worlds in
/// which `point` reaches the threshold (its world median is reached). `None` without worlds or
/// when the answer does not flip between worlds.
pub fn hinges(
    results: &Results,
    facts: &crate::analysis::facts::Facts,
    point: usize,
) -> Option<crate::analysis::discovery::PrimBox> {
    let u = facts.uncertain.as_ref()?;
    let v = results.variants.get(point)?;
    let y: Vec<bool> =
        world_medians(&v.replications, results.replications as usize).iter().map(Option::is_some).collect();
    let names: Vec<String> = u.factors.iter().map(|f| f.name.clone()).collect();
    crate::analysis::discovery::prim(&u.worlds.values, &y, &names)
}

impl Decision {
    /// The row of design point `point`.
    pub fn row(&self, point: usize) -> &DecisionRow {
        self.rows.iter().find(|r| r.point == point).expect("every point has a row")
    }
}

/// How precisely an optimum is known: the settings tried whose share meeting the goal is, by its
/// 95% Wilson interval over `replications`, clearly below the goal probability (the largest of
/// them, `low`) or clearly at or above it (the smallest, `high`). The smallest setting meeting the
/// goal lies in `[low, high]` as far as the replications can tell; `None` where no setting tried
/// is clearly on that side (then the searched range's end).
pub fn optimum_interval(steps: &[(f64, f64)], replications: u64, goal_probability: f64, range: [f64; 2]) -> [f64; 2] {
    let interval = |p: f64| crate::analysis::goal::wilson((p * replications as f64).round() as u64, replications);
    let low = steps
        .iter()
        .filter(|(_, p)| interval(*p)[1].is_some_and(|hi| hi < goal_probability))
        .map(|s| s.0)
        .fold(range[0], f64::max);
    let high = steps
        .iter()
        .filter(|(_, p)| interval(*p)[0].is_some_and(|lo| lo >= goal_probability))
        .map(|s| s.0)
        .fold(range[1], f64::min);
    [low, high.max(low)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answer: with 100 replications the Wilson interval of 80/100 is 71–87% and of 97/100
    /// is 91.5–99%; against a goal of 90%, 0.2 (80%) is clearly below and 0.6 (97%) clearly
    /// above, while 0.4 (90%, interval 82.6–94.5%) is neither: the optimum lies in [0.2, 0.6].
    /// Broken versions tried: the point estimates instead of the intervals (gives [0.2, 0.4]),
    /// the interval's wrong end (lower for "below": gives [0.4, 0.6]).
    #[test]
    fn optimum_interval_follows_the_monte_carlo_uncertainty() {
        let steps = [(0.5, 0.95), (0.2, 0.80), (0.4, 0.90), (0.6, 0.97), (0.1, 0.5)];
        assert_eq!(optimum_interval(&steps, 100, 0.9, [0.0, 1.0]), [0.2, 0.6]);
        // Nothing clearly above: up to the end of the range.
        assert_eq!(optimum_interval(&steps[..3], 100, 0.9, [0.0, 1.0]), [0.2, 1.0]);
    }

    /// Known answers of the unit-by-unit comparison, ties and "neither" counted apart. Broken
    /// versions tried: counting (None, None) as slower (fails `neither`), counting equal times
    /// as faster (fails `same`), the median over all units with never as ∞ (fails
    /// `median_delta`).
    #[test]
    fn versus_counts_each_kind_apart() {
        let r = [Some(10.0), Some(10.0), None, None, Some(5.0), Some(4.0)];
        let p = [Some(8.0), Some(10.0), None, Some(3.0), None, Some(1.0)];
        let v = versus(&r, &p);
        assert_eq!((v.total, v.faster, v.slower, v.same, v.neither), (6, 3, 1, 1, 1));
        assert_eq!((v.point_reaches, v.reference_reaches), (4, 4));
        // Both reach in units 0, 1, 5: differences −2, 0, −3 → median −2.
        assert_eq!(v.median_delta, Some(-2.0));
    }

    #[test]
    fn world_medians_are_per_block() {
        let t = [Some(1.0), Some(3.0), Some(2.0), None, None, Some(7.0)];
        assert_eq!(world_medians(&t, 3), vec![Some(2.0), None]);
    }
}
