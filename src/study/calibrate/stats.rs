//! Summary statistics of the adoption curves and the distance between an observed and a
//! simulated data set (see `docs/model.md`, "Calibration").
//!
//! Per item in the per-person form, with the item's asked people and observation window `W`:
//! the **reached share** (processed within `W`), the **restricted mean time** (the mean of
//! `min(t, W)` over the people, divided by `W`: the area above the item's adoption curve up to
//! the window, so people not reached count as `W`, censoring-aware) and the **times to 20%, 50%
//! and 80%** of the people (divided by `W`; 1 where the share was not reached within the
//! window). Per item in the survey form: the share of the target processed at each survey time.
//! A data set's statistics are the means of these over its items (survey shares: per survey
//! time, over the items asked at that time).

use super::observations::{ItemData, Observations};

/// The shares of the asked people whose times are statistics (per-person form).
pub const TIME_SHARES: [f64; 3] = [0.2, 0.5, 0.8];

/// The names of a data set's statistics, in order.
pub fn names(obs: &Observations) -> Vec<String> {
    if obs.per_person() {
        let mut v = vec!["reached share".to_string(), "restricted mean time / window".to_string()];
        v.extend(TIME_SHARES.iter().map(|q| format!("time to {:.0}% / window", 100.0 * q)));
        v
    } else {
        survey_hours(obs).iter().map(|h| format!("share at {} h", crate::random::dist::fmt_num(*h))).collect()
    }
}

/// The distinct survey times of all items, ascending (survey form).
fn survey_hours(obs: &Observations) -> Vec<f64> {
    let mut hours: Vec<f64> = obs
        .items()
        .iter()
        .flat_map(|i| match &i.data {
            ItemData::Shares { points } => points.iter().map(|p| p.0).collect::<Vec<_>>(),
            ItemData::People { .. } => Vec::new(),
        })
        .collect();
    hours.sort_by(f64::total_cmp);
    hours.dedup();
    hours
}

/// The per-person statistics of one item: processing times `times` (hours, `None` = not
/// processed) of its people, observed for `window` hours.
pub fn person_item(times: impl Iterator<Item = Option<f64>>, window: f64) -> [f64; 2 + TIME_SHARES.len()] {
    let mut within: Vec<f64> = Vec::new();
    let mut n = 0usize;
    for t in times {
        n += 1;
        if let Some(t) = t.filter(|&t| t <= window) {
            within.push(t);
        }
    }
    let n = n.max(1);
    within.sort_by(f64::total_cmp);
    let mut out = [0.0; 2 + TIME_SHARES.len()];
    out[0] = within.len() as f64 / n as f64;
    out[1] = (within.iter().sum::<f64>() + (n - within.len()) as f64 * window) / (n as f64 * window);
    for (i, q) in TIME_SHARES.iter().enumerate() {
        let k = ((q * n as f64 - 1e-9).ceil() as usize).max(1);
        out[2 + i] = within.get(k - 1).map_or(1.0, |t| t / window);
    }
    out
}

/// The statistics of a data set: `item_times(i)` gives, for item `i`, the processing time
/// (hours, `None` = not processed) of every target member when `per_target` is asked for
/// (survey form), or of the item's asked people in their order (per-person form).
pub fn data_set(obs: &Observations, mut times_of: impl FnMut(usize) -> Vec<Option<f64>>) -> Vec<f64> {
    if obs.per_person() {
        let mut sums = [0.0; 2 + TIME_SHARES.len()];
        for (i, item) in obs.items().iter().enumerate() {
            let ItemData::People { window, .. } = item.data else { continue };
            let s = person_item(times_of(i).into_iter(), window);
            sums.iter_mut().zip(s).for_each(|(a, b)| *a += b);
        }
        let n = obs.items().len().max(1) as f64;
        sums.iter().map(|s| s / n).collect()
    } else {
        let hours = survey_hours(obs);
        let mut sums = vec![0.0; hours.len()];
        let mut counts = vec![0usize; hours.len()];
        for (i, item) in obs.items().iter().enumerate() {
            let ItemData::Shares { points } = &item.data else { continue };
            let times = times_of(i);
            let size = times.len().max(1) as f64;
            for &(h, _) in points {
                let at = hours.partition_point(|&x| x < h);
                sums[at] += times.iter().filter(|t| t.is_some_and(|t| t <= h)).count() as f64 / size;
                counts[at] += 1;
            }
        }
        sums.iter().zip(&counts).map(|(s, &c)| s / c.max(1) as f64).collect()
    }
}

/// The observed statistics of `obs` (what [`data_set`] gives for the observed times).
pub fn observed(obs: &Observations) -> Vec<f64> {
    if obs.per_person() {
        data_set(obs, |i| match &obs.items()[i].data {
            ItemData::People { times, .. } => times.clone(),
            ItemData::Shares { .. } => Vec::new(),
        })
    } else {
        let hours = survey_hours(obs);
        let mut sums = vec![0.0; hours.len()];
        let mut counts = vec![0usize; hours.len()];
        for item in obs.items() {
            if let ItemData::Shares { points } = &item.data {
                for &(h, s) in points {
                    let at = hours.partition_point(|&x| x < h);
                    sums[at] += s;
                    counts[at] += 1;
                }
            }
        }
        sums.iter().zip(&counts).map(|(s, &c)| s / c.max(1) as f64).collect()
    }
}

/// The scale of each statistic: its median absolute deviation over `samples` (simulated data
/// sets from the prior), times 1.4826 (the standard deviation for normal data); where that is
/// 0, the mean absolute deviation from the median; 0 (the statistic is left out) where the
/// statistic did not vary at all.
pub fn scales(samples: &[Vec<f64>], dims: usize) -> Vec<f64> {
    (0..dims)
        .map(|d| {
            let mut x: Vec<f64> = samples.iter().map(|s| s[d]).filter(|v| v.is_finite()).collect();
            if x.is_empty() {
                return 0.0;
            }
            let med = median(&mut x);
            let mut dev: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
            let mad = 1.4826 * median(&mut dev);
            if mad > 0.0 { mad } else { dev.iter().sum::<f64>() / dev.len() as f64 }
        })
        .collect()
}

/// The median of `x` (sorted in place), by the project's one quantile rule.
fn median(x: &mut [f64]) -> f64 {
    x.sort_by(f64::total_cmp);
    crate::analysis::stats::quantile_sorted(x, 0.5).unwrap_or(f64::NAN)
}

/// The distance of simulated statistics `sim` from the observed `obs`: the sum over statistics
/// of |sim − obs| / scale (statistics of scale 0 left out).
pub fn distance(sim: &[f64], obs: &[f64], scales: &[f64]) -> f64 {
    sim.iter().zip(obs).zip(scales).filter(|(_, s)| **s > 0.0).map(|((a, b), s)| (a - b).abs() / s).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_person_statistics_of_a_small_item() {
        // 5 people, window 10: times 1, 2, 4, not, 12 (after the window = not within).
        let s = person_item([Some(1.0), Some(2.0), Some(4.0), None, Some(12.0)].into_iter(), 10.0);
        assert_eq!(s[0], 3.0 / 5.0);
        assert!((s[1] - (1.0 + 2.0 + 4.0 + 10.0 + 10.0) / 50.0).abs() < 1e-12);
        // 20%: 1st person (1 h); 50%: ceil(2.5) = 3rd (4 h); 80%: 4th, not reached → 1.
        assert_eq!(&s[2..], &[0.1, 0.4, 1.0]);
    }

    #[test]
    fn scales_and_distance() {
        let samples: Vec<Vec<f64>> = (0..5).map(|i| vec![i as f64, 3.0]).collect();
        let s = scales(&samples, 2);
        assert!((s[0] - 1.4826).abs() < 1e-12);
        assert_eq!(s[1], 0.0);
        assert!((distance(&[2.0, 100.0], &[0.0, 3.0], &s) - 2.0 / 1.4826).abs() < 1e-12);
    }
}
