//! Tidy tables for an analyst's tools (pandas, R, EMA Workbench): one row per design point —
//! and per point and world when there are worlds — with the swept values as columns and the
//! statistics in hours, for `summary.csv`; and the worlds' factor values, for `worlds.csv`.
//! Computed here from [`Results`] and [`Facts`]; the report only writes them.

use super::facts::Facts;
use super::results::Results;
use super::stats::{Paired, TSummary, paired, reached_fraction, summarize};

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The design point's name.
    pub point: String,
    /// `baseline`, `variant` or `sweep`.
    pub kind: &'static str,
    /// The swept values of a sweep point, one per swept path (as written); empty strings for
    /// other points.
    pub swept: Vec<String>,
    /// The world (from 0), or `None` for the row over all replications (pooled over the worlds).
    pub world: Option<usize>,
    /// Replications the row's statistics are over.
    pub replications: u64,
    /// The share of the target that must have processed the item (0–1).
    pub threshold: f64,
    /// The target group's size (people).
    pub target_size: u32,
    /// Share of the replications that reached the threshold within the horizon (0–1).
    pub reached_share: f64,
    /// T_threshold over the row's replications (hours; a quantile that falls among the
    /// replications that never reached is `None`).
    pub t: TSummary,
    /// The paired comparison with the reference point (`compare_to`, else the baseline):
    /// `None` for the reference itself and for a point with another target group.
    pub vs_reference: Option<RowDelta>,
}

/// A row's paired difference from the reference (this point − reference, hours).
#[derive(Debug, Clone, PartialEq)]
pub struct RowDelta {
    /// The reference point's name.
    pub reference: String,
    /// Median of the paired differences (`None` when infinite: one side never reached).
    pub median_hours: Option<f64>,
    /// Mean difference over replications where both reached (`None` if none did).
    pub mean_hours: Option<f64>,
    /// Share of replications where this point is strictly faster (0–1).
    pub p_faster: f64,
    /// Share of replications where it is strictly slower (0–1).
    pub p_slower: f64,
}

impl RowDelta {
    /// The row's part of the paired comparison `c` with the point named `reference`.
    fn of(reference: &str, c: &Paired) -> RowDelta {
        RowDelta {
            reference: reference.to_string(),
            median_hours: c.median_delta,
            mean_hours: c.mean_delta,
            p_faster: c.p_faster,
            p_slower: c.p_slower,
        }
    }
}

/// The tidy tables of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Tidy {
    /// The statistics' column prefix: `t80` when every point has the threshold 80%, else
    /// `t_threshold` (the row's `threshold` column says which share).
    pub t_name: String,
    /// The swept dotted paths (columns of `summary.csv`), in the sweep's order.
    pub sweep_paths: Vec<String>,
    /// The rows: per point, the pooled row, then (with worlds) one per world.
    pub rows: Vec<SummaryRow>,
    /// The uncertain factors' names (columns of `worlds.csv`); empty without worlds.
    pub factor_names: Vec<String>,
    /// Each world's factor values as drawn (one per factor).
    pub world_values: Vec<Vec<f64>>,
}

/// The tidy tables of `results` from the study described by `facts`.
pub fn tidy(results: &Results, facts: &Facts) -> Tidy {
    let same_threshold = results.variants.iter().all(|v| v.threshold == results.threshold);
    let t_name = if same_threshold && (results.threshold * 100.0).fract() == 0.0 {
        format!("t{}", (results.threshold * 100.0) as u32)
    } else {
        "t_threshold".to_string()
    };
    let sweep_paths = facts.sweep.as_ref().map(|s| s.paths.clone()).unwrap_or_default();
    let swept = |p: usize| -> Vec<String> {
        match facts.sweep.as_ref().and_then(|s| s.points.iter().find(|sp| sp.point == p)) {
            Some(sp) => sp.values.iter().map(|v| v.text.clone()).collect(),
            None => vec![String::new(); sweep_paths.len()],
        }
    };
    let world_values = facts.uncertain.as_ref().map(|u| u.worlds.values.clone()).unwrap_or_default();
    let worlds = world_values.len();
    let per_world = results.replications.max(1) as usize;
    let reference = facts.reference;
    let reference_name = &results.variants[reference].name;
    let mut rows = Vec::new();
    for (p, v) in results.variants.iter().enumerate() {
        let kind = match p {
            0 => "baseline",
            _ if facts.sweep.as_ref().is_some_and(|s| s.points.iter().any(|sp| sp.point == p)) => "sweep",
            _ => "variant",
        };
        let comparison = if reference == 0 { v.vs_baseline.as_ref() } else { v.vs_reference.as_ref() };
        rows.push(SummaryRow {
            point: v.name.clone(),
            kind,
            swept: swept(p),
            world: None,
            replications: v.replications.len() as u64,
            threshold: v.threshold,
            target_size: v.target_size,
            reached_share: v.reached_fraction,
            t: v.t_threshold.clone(),
            vs_reference: comparison.filter(|_| p != reference).map(|c| RowDelta::of(reference_name, c)),
        });
        let paired_with_reference = comparison.is_some() && p != reference;
        for w in 0..worlds {
            let range = w * per_world..((w + 1) * per_world).min(v.replications.len());
            let Some(t) = v.replications.get(range.clone()) else { continue };
            let delta = results.variants[reference]
                .replications
                .get(range)
                .filter(|_| paired_with_reference)
                .map(|base| RowDelta::of(reference_name, &paired(base, t)));
            rows.push(SummaryRow {
                point: v.name.clone(),
                kind,
                swept: swept(p),
                world: Some(w),
                replications: t.len() as u64,
                threshold: v.threshold,
                target_size: v.target_size,
                reached_share: reached_fraction(t),
                t: summarize(t),
                vs_reference: delta,
            });
        }
    }
    let factor_names =
        facts.uncertain.as_ref().map(|u| u.factors.iter().map(|f| f.name.clone()).collect()).unwrap_or_default();
    Tidy { t_name, sweep_paths, rows, factor_names, world_values }
}
