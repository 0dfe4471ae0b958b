//! Statistics of T_threshold across replications: quantiles that count "not reached" as never,
//! the mean over the replications that reached, 95% intervals, paired differences between a
//! variant and the baseline, and the adoption curve from its accumulated counts.

use serde::{Deserialize, Serialize};

use crate::engine::outcome::CurveAccumulator;
use crate::random::dist::standard_normal_quantile;

/// Summary of one variant's T_threshold distribution (hours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TSummary {
    /// Mean over the replications that reached; `None` if none did.
    pub mean: Option<f64>,
    /// Median, counting "not reached" as never; `None` where it falls among those.
    pub median: Option<f64>,
    /// 10% quantile (same convention).
    pub p10: Option<f64>,
    /// 90% quantile (same convention).
    pub p90: Option<f64>,
    /// 95% t-interval of the mean (over reached replications; needs two).
    pub ci95_mean: Option<[f64; 2]>,
    /// Distribution-free 95% interval of the median (order statistics); a bound is `None` where
    /// it falls among the replications that did not reach.
    pub ci95_median: [Option<f64>; 2],
}

/// Replications sorted ascending, "not reached" as +∞ at the end.
fn sorted_with_never(t: &[Option<f64>]) -> Vec<f64> {
    let mut v: Vec<f64> = t.iter().map(|x| x.unwrap_or(f64::INFINITY)).collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Quantile `p` of sorted values by linear interpolation between order statistics (Hyndman and
/// Fan type 7, as numpy's default); `None` when it involves an infinite value.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    debug_assert!((0.0..=1.0).contains(&p));
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let a = sorted[lo];
    let x = if frac == 0.0 { a } else { a + frac * (sorted[lo + 1] - a) };
    x.is_finite().then_some(x)
}

/// Mean and 95% t-interval of `x`; the interval needs at least two values.
pub fn mean_ci95(x: &[f64]) -> (Option<f64>, Option<[f64; 2]>) {
    let n = x.len();
    if n == 0 {
        return (None, None);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let half = student_t_quantile(0.975, (n - 1) as u64) * (var / n as f64).sqrt();
    (Some(mean), Some([mean - half, mean + half]))
}

/// Distribution-free 95% interval for the median of sorted values: order statistics
/// `x_(j)`, `x_(k)` with `j, k = n/2 ∓ 1.96·√n/2` (normal approximation to the binomial).
fn median_ci95_sorted(sorted: &[f64]) -> [Option<f64>; 2] {
    let n = sorted.len();
    if n == 0 {
        return [None, None];
    }
    let half = 1.959_963_984_540_054 * (n as f64).sqrt() / 2.0;
    let j = ((n as f64 / 2.0 - half).floor().max(1.0) as usize).min(n); // 1-based
    let k = ((n as f64 / 2.0 + half).ceil().max(1.0) as usize + 1).min(n);
    let finite = |x: f64| x.is_finite().then_some(x);
    [finite(sorted[j - 1]), finite(sorted[k - 1])]
}

/// Share of replications that reached the threshold (`None` = not reached); 0 for none.
pub fn reached_fraction(t: &[Option<f64>]) -> f64 {
    if t.is_empty() { 0.0 } else { t.iter().flatten().count() as f64 / t.len() as f64 }
}

/// Summarises T_threshold per replication (`None` = not reached).
pub fn summarize(t: &[Option<f64>]) -> TSummary {
    let sorted = sorted_with_never(t);
    let reached: Vec<f64> = t.iter().flatten().copied().collect();
    let (mean, ci95_mean) = mean_ci95(&reached);
    TSummary {
        mean,
        median: quantile_sorted(&sorted, 0.5),
        p10: quantile_sorted(&sorted, 0.1),
        p90: quantile_sorted(&sorted, 0.9),
        ci95_mean,
        ci95_median: median_ci95_sorted(&sorted),
    }
}

/// A variant compared with the baseline replication by replication (common random numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Paired {
    /// Mean of (variant − baseline) over replications where both reached, hours.
    pub mean_delta: Option<f64>,
    /// 95% t-interval of `mean_delta`.
    pub ci95_mean_delta: Option<[f64; 2]>,
    /// Median of the paired differences, where a replication reached by only one side counts as
    /// −∞ (variant reached) or +∞ (baseline reached), and by neither as 0; `None` if infinite.
    pub median_delta: Option<f64>,
    /// Share of replications where the variant is strictly faster (not reached is slower than
    /// any reached).
    pub p_faster: f64,
    /// Share of replications where the variant is strictly slower.
    pub p_slower: f64,
    /// Number of replications where both reached.
    pub both_reached: u64,
    /// 10% quantile of the paired differences (same convention as `median_delta`), hours.
    pub delta_p10: Option<f64>,
    /// 90% quantile of the paired differences, hours.
    pub delta_p90: Option<f64>,
    /// Across plausible worlds (with `[uncertain]`): the distribution of the per-world median
    /// paired difference and how often the variant is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worlds: Option<PairedWorlds>,
}

/// A paired comparison across plausible worlds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairedWorlds {
    /// Quantiles across worlds of the per-world median paired difference (hours; `null` where
    /// infinite: one side did not reach in most replications of those worlds).
    pub median_delta: Spread3,
    /// Share of worlds in which the variant's median T is strictly lower than the reference's.
    pub p_better_worlds: f64,
}

/// The 10%, 50% and 90% quantiles of a quantity across worlds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Spread3 {
    /// 10% quantile.
    pub p10: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90% quantile.
    pub p90: Option<f64>,
}

/// The 5%, 10%, 50%, 90% and 95% quantiles of a quantity across worlds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Spread5 {
    /// 5% quantile.
    pub p5: Option<f64>,
    /// 10% quantile.
    pub p10: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90% quantile.
    pub p90: Option<f64>,
    /// 95% quantile.
    pub p95: Option<f64>,
}

/// Sorts `values` (`None` = never, after every number) for the spreads below.
fn sorted_never_last(values: &[Option<f64>]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().map(|x| x.unwrap_or(f64::INFINITY)).collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// The [`Spread3`] of `values` (`None` = never).
pub fn spread3(values: &[Option<f64>]) -> Spread3 {
    let s = sorted_never_last(values);
    Spread3 { p10: quantile_sorted(&s, 0.1), p50: quantile_sorted(&s, 0.5), p90: quantile_sorted(&s, 0.9) }
}

/// The [`Spread5`] of `values` (`None` = never).
pub fn spread5(values: &[Option<f64>]) -> Spread5 {
    let s = sorted_never_last(values);
    Spread5 {
        p5: quantile_sorted(&s, 0.05),
        p10: quantile_sorted(&s, 0.1),
        p50: quantile_sorted(&s, 0.5),
        p90: quantile_sorted(&s, 0.9),
        p95: quantile_sorted(&s, 0.95),
    }
}

/// Paired comparison of `variant` against `baseline` (same replications, same order).
pub fn paired(baseline: &[Option<f64>], variant: &[Option<f64>]) -> Paired {
    assert_eq!(baseline.len(), variant.len(), "paired replications");
    let n = baseline.len().max(1) as f64;
    let mut both = Vec::new();
    let mut all = Vec::with_capacity(baseline.len());
    let (mut faster, mut slower) = (0u64, 0u64);
    for (b, v) in baseline.iter().zip(variant) {
        let d = match (b, v) {
            (Some(b), Some(v)) => {
                both.push(v - b);
                v - b
            }
            (None, Some(_)) => f64::NEG_INFINITY,
            (Some(_), None) => f64::INFINITY,
            (None, None) => 0.0,
        };
        faster += u64::from(d < 0.0);
        slower += u64::from(d > 0.0);
        all.push(d);
    }
    all.sort_unstable_by(f64::total_cmp);
    let (mean_delta, ci95_mean_delta) = mean_ci95(&both);
    Paired {
        mean_delta,
        ci95_mean_delta,
        median_delta: if all.is_empty() { None } else { quantile_sorted(&all, 0.5) },
        p_faster: faster as f64 / n,
        p_slower: slower as f64 / n,
        both_reached: both.len() as u64,
        delta_p10: quantile_sorted(&all, 0.1),
        delta_p90: quantile_sorted(&all, 0.9),
        worlds: None,
    }
}

/// Above this many degrees of freedom the t quantile is the Cornish–Fisher expansion around the
/// normal quantile: statrs's `StudentsT::inverse_cdf` loses accuracy for large `df` (measured at
/// p = 0.975: error 7e-7 at 3·10⁴, 1e-4 at 10⁶, 0.13 at 10⁷), while four terms of the expansion
/// are accurate to about 1e-13 beyond 1,000.
const T_EXPANSION_DF: u64 = 1000;

/// Quantile `p` (> 0.5) of Student's t distribution with `df` degrees of freedom: statrs up to
/// `T_EXPANSION_DF`, the Cornish–Fisher expansion beyond (Abramowitz and Stegun 26.7.5).
pub fn student_t_quantile(p: f64, df: u64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    debug_assert!(p > 0.5 && p < 1.0 && df >= 1);
    let z = standard_normal_quantile(p);
    if df > T_EXPANSION_DF {
        let v = df as f64;
        let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
        return z
            + (z3 + z) / (4.0 * v)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
            + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * v.powi(4));
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(z, |t| t.inverse_cdf(p))
}

/// One time point of the adoption curve (shares of the target, 0–1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CurvePoint {
    /// Hours since the item appeared.
    pub hours: f64,
    /// Mean share of the target processed by then.
    pub mean: f64,
    /// 10% quantile of that share across replications.
    pub p10: f64,
    /// 90% quantile of that share across replications.
    pub p90: f64,
}

/// The adoption curve from its accumulated counts: mean share and 10–90% band at each grid time.
pub fn curve_points(acc: &CurveAccumulator) -> Vec<CurvePoint> {
    let stride = acc.bins as usize + 1;
    let n = acc.replications.max(1);
    let quantile = |row: &[u32], q: f64| -> f64 {
        let need = ((q * n as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (b, &c) in row.iter().enumerate() {
            seen += u64::from(c);
            if seen >= need {
                return b as f64 / f64::from(acc.bins);
            }
        }
        1.0
    };
    (0..acc.grid.points as usize)
        .map(|g| {
            let row = &acc.hist[g * stride..(g + 1) * stride];
            CurvePoint {
                hours: g as f64 * acc.grid.step,
                mean: acc.sums[g] as f64 / (n as f64 * f64::from(acc.target_size)),
                p10: quantile(row, 0.1),
                p90: quantile(row, 0.9),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_count_not_reached_as_never() {
        let t = [Some(1.0), Some(2.0), None, Some(3.0), None];
        let s = summarize(&t);
        assert_eq!(reached_fraction(&t), 0.6);
        assert_eq!(s.median, Some(3.0));
        assert_eq!(s.p90, None);
        assert_eq!(s.p10, Some(1.4));
        assert_eq!(s.mean, Some(2.0));
        let none = summarize(&[None, None]);
        assert_eq!((none.median, none.mean, none.ci95_mean), (None, None, None));
    }

    /// Known 97.5% quantiles of Student's t (by bisection on the exact series of Abramowitz and
    /// Stegun 26.7.3–4, computed apart in Python; Cornish–Fisher at 10⁷), and the normal's
    /// as the degrees of freedom grow. A broken version (the two-sided 95% point used for p,
    /// i.e. `qt(0.9875)`) fails.
    #[test]
    fn t_quantile_known_values() {
        for (df, q) in [
            (1u64, 12.706_204_736_174_7),
            (2, 4.302_652_729_749_46),
            (5, 2.570_581_835_636_3),
            (10, 2.228_138_851_986_27),
            (30, 2.042_272_456_301_24),
            (200, 1.971_896_223_633_914_6),
            (1000, 1.962_339_080_826_423),
            (1001, 1.962_336_705_280_900_4),
            (10_000_000, 1.959_964_221_767_205),
        ] {
            let ours = student_t_quantile(0.975, df);
            assert!((ours - q).abs() < 1e-8 * q, "df={df}: {ours} vs {q}");
        }
    }

    #[test]
    fn paired_identical_is_exactly_zero() {
        let t = [Some(1.0), None, Some(5.0)];
        let p = paired(&t, &t);
        assert_eq!(p.mean_delta, Some(0.0));
        assert_eq!(p.ci95_mean_delta, Some([0.0, 0.0]));
        assert_eq!(p.median_delta, Some(0.0));
        assert_eq!((p.p_faster, p.p_slower), (0.0, 0.0));
    }

    #[test]
    fn paired_counts_not_reached_as_slower() {
        let b = [Some(4.0), None, Some(2.0), Some(1.0)];
        let v = [Some(3.0), Some(9.0), None, Some(1.0)];
        let p = paired(&b, &v);
        assert_eq!(p.p_faster, 0.5);
        assert_eq!(p.p_slower, 0.25);
        assert_eq!(p.both_reached, 2);
        assert_eq!(p.mean_delta, Some(-0.5));
    }

    #[test]
    fn curve_accumulator_merges_exactly() {
        let grid = crate::engine::outcome::CurveGrid::new(3, 2.0);
        let mut a = CurveAccumulator::new(&grid, 4);
        let mut b = CurveAccumulator::new(&grid, 4);
        a.add_replication(&[1, 1, 0, 2]);
        b.add_replication(&[1, 3, 0, 0]);
        assert!(a.merge(&b));
        let p = curve_points(&a);
        assert_eq!(p[0].mean, 0.25);
        assert_eq!(p[1].mean, (2.0 + 4.0) / 8.0);
        assert_eq!(p[1].p10, 0.5);
        assert_eq!(p[1].p90, 1.0);
    }
}
