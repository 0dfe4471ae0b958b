//! Which assumption matters: variance-based global sensitivity (Sobol indices from Saltelli's
//! design, with bootstrap intervals) and Morris elementary-effect screening, over the worlds of a
//! study whose world design is [`WorldDesign::Saltelli`] or [`WorldDesign::Morris`].
//!
//! The outputs analysed, per world: each variant's **median T** (a replication that did not
//! reach counts as the horizon, so that every world has a number) and each variant's **median
//! paired difference** with the baseline (the decision; same convention). Estimators:
//! first-order S1 by Saltelli et al. (2010), total-order ST by Jansen (1999); 95% intervals by a
//! percentile bootstrap over the base samples. Morris: μ* (mean absolute elementary effect, in
//! hours per unit of the factor's quantile scale) and σ.

use serde::{Deserialize, Serialize};

use crate::analysis::facts::Facts;
use crate::analysis::results::Results;
use crate::design::worlds::{MorrisSteps, WorldDesign, morris_unit};
use crate::random::rng::SplitMix64;

/// Bootstrap resamples of the Sobol intervals.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;
/// Default base samples N of a Sobol study.
pub const DEFAULT_SOBOL_SAMPLES: u32 = 256;
/// Default trajectories of a Morris study.
pub const DEFAULT_MORRIS_TRAJECTORIES: u32 = 20;

/// Sobol indices of one factor for one output, with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SobolIndex {
    /// First-order index: the share of the output's variance the factor explains alone.
    pub s1: f64,
    /// 95% interval of `s1`.
    pub s1_ci: [f64; 2],
    /// Total-order index: the share it explains with all its interactions.
    pub st: f64,
    /// 95% interval of `st`.
    pub st_ci: [f64; 2],
}

/// Morris screening measures of one factor for one output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MorrisIndex {
    /// Mean absolute elementary effect (output units per unit of the factor's quantile scale).
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (non-linearity or interactions).
    pub sigma: f64,
}

/// The Sobol indices of every factor from outputs `y` in Saltelli order (per base sample `j`:
/// A_j, B_j, AB_j^(1..k)), with `n` base samples and `k` factors. Deterministic per `seed`.
pub fn sobol(y: &[f64], n: usize, k: usize, seed: u64) -> Vec<SobolIndex> {
    assert_eq!(y.len(), n * (k + 2), "Saltelli order");
    let a = |j: usize| y[j * (k + 2)];
    let b = |j: usize| y[j * (k + 2) + 1];
    let ab = |j: usize, i: usize| y[j * (k + 2) + 2 + i];
    let estimate = |rows: &[usize]| -> Vec<(f64, f64)> {
        // Centred on the mean of the A and B rows (as SALib does): the S1 estimator's sum is then
        // invariant to a shift of the output, which otherwise adds mean·mean(f_ABi − f_A)/Var
        // of noise. The variance is over the 2m values of A and B (divided by 2m).
        let m = rows.len() as f64;
        let mean = rows.iter().map(|&j| a(j) + b(j)).sum::<f64>() / (2.0 * m);
        let var = rows.iter().map(|&j| (a(j) - mean).powi(2) + (b(j) - mean).powi(2)).sum::<f64>() / (2.0 * m);
        (0..k)
            .map(|i| {
                if var <= 0.0 {
                    return (0.0, 0.0);
                }
                let s1 = rows.iter().map(|&j| (b(j) - mean) * (ab(j, i) - a(j))).sum::<f64>() / m / var;
                let st = rows.iter().map(|&j| (a(j) - ab(j, i)).powi(2)).sum::<f64>() / (2.0 * m) / var;
                (s1, st)
            })
            .collect()
    };
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(&all);
    let mut rng = SplitMix64::new(seed ^ 0x626f_6f74_7374_7270);
    let mut boot: Vec<Vec<(f64, f64)>> = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut rows = vec![0usize; n];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        for r in rows.iter_mut() {
            *r = (rand::Rng::next_u64(&mut rng) % n as u64) as usize;
        }
        boot.push(estimate(&rows));
    }
    let interval = |values: &mut Vec<f64>| -> [f64; 2] {
        values.sort_unstable_by(f64::total_cmp);
        let at = |q: f64| values[((q * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)];
        [at(0.025), at(0.975)]
    };
    (0..k)
        .map(|i| {
            let mut s1: Vec<f64> = boot.iter().map(|e| e[i].0).collect();
            let mut st: Vec<f64> = boot.iter().map(|e| e[i].1).collect();
            SobolIndex { s1: point[i].0, s1_ci: interval(&mut s1), st: point[i].1, st_ci: interval(&mut st) }
        })
        .collect()
}

/// Morris μ* and σ of every factor from outputs `y` in trajectory order (`k + 1` rows per
/// trajectory) and the trajectories' steps.
pub fn morris(y: &[f64], steps: &MorrisSteps, k: usize) -> Vec<MorrisIndex> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
    for (t, trajectory) in steps.iter().enumerate() {
        for (s, &(i, step)) in trajectory.iter().enumerate() {
            let (before, after) = (y[t * (k + 1) + s], y[t * (k + 1) + s + 1]);
            effects[i].push((after - before) / crate::design::worlds::morris_quantile_step(step));
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len().max(1) as f64;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let mean = e.iter().sum::<f64>() / n;
            let sigma =
                if e.len() > 1 { (e.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
            MorrisIndex { mu_star, sigma }
        })
        .collect()
}

/// The indices of one factor for one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FactorIndices {
    /// The factor's name.
    pub factor: String,
    /// Sobol indices (Sobol studies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sobol: Option<SobolIndex>,
    /// Morris measures (Morris studies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub morris: Option<MorrisIndex>,
}

/// The indices of every factor for one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OutputIndices {
    /// The output, e.g. `median T80: baseline` or `median difference: mandate − baseline`.
    pub output: String,
    /// The variant whose output it is.
    pub variant: String,
    /// True for a paired difference with the baseline (the decision), false for T itself.
    pub decision: bool,
    /// Variance of the output across the worlds (hours²).
    pub variance: f64,
    /// Per factor, in the factors' order.
    pub factors: Vec<FactorIndices>,
}

/// `sensitivity.json`: the study's sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Sensitivity {
    /// `sobol` or `morris`.
    pub method: String,
    /// Base samples N (Sobol) or trajectories r (Morris).
    pub samples: u32,
    /// Worlds run.
    pub worlds: u32,
    /// Replications per world and variant.
    pub replications: u64,
    /// One entry per output.
    pub outputs: Vec<OutputIndices>,
    /// The plain-language advice: which assumption to measure first.
    pub advice: Vec<String>,
}

/// Per world: the median of `t` with "not reached" as the horizon.
fn world_medians(t: &[Option<f64>], replications: usize, horizon: f64) -> Vec<f64> {
    t.chunks(replications.max(1))
        .map(|w| {
            let mut v: Vec<f64> = w.iter().map(|x| x.unwrap_or(horizon)).collect();
            v.sort_unstable_by(f64::total_cmp);
            crate::analysis::stats::quantile_sorted(&v, 0.5).unwrap_or(horizon)
        })
        .collect()
}

/// Per world: the median paired difference of `t` minus `base`, "not reached" as the horizon.
fn world_delta_medians(t: &[Option<f64>], base: &[Option<f64>], replications: usize, horizon: f64) -> Vec<f64> {
    t.chunks(replications.max(1))
        .zip(base.chunks(replications.max(1)))
        .map(|(v, b)| {
            let mut d: Vec<f64> = v.iter().zip(b).map(|(x, y)| x.unwrap_or(horizon) - y.unwrap_or(horizon)).collect();
            d.sort_unstable_by(f64::total_cmp);
            crate::analysis::stats::quantile_sorted(&d, 0.5).unwrap_or(0.0)
        })
        .collect()
}

/// Analyses a study whose worlds come from a Saltelli or Morris design; `None` otherwise.
pub fn analyse(results: &Results, facts: &Facts) -> Option<Sensitivity> {
    let u = facts.uncertain.as_ref()?;
    let k = u.factors.len();
    let (method, samples) = match u.worlds.design {
        WorldDesign::Saltelli { samples } => ("sobol", samples),
        WorldDesign::Morris { trajectories } => ("morris", trajectories),
        WorldDesign::Random { .. } | WorldDesign::Posterior { .. } => return None,
    };
    let reps = results.replications as usize;
    let horizon = results.horizon_hours;
    let t_label = format!("T{:.0}", 100.0 * results.threshold);
    let r = facts.reference;
    let base = &results.variants[r].replications;
    let steps = match u.worlds.design {
        WorldDesign::Morris { trajectories } => Some(morris_unit(facts.seed, trajectories, k).1),
        _ => None,
    };
    let expected = match u.worlds.design {
        WorldDesign::Saltelli { samples } => samples as usize * (k + 2),
        WorldDesign::Morris { trajectories } => trajectories as usize * (k + 1),
        WorldDesign::Random { .. } | WorldDesign::Posterior { .. } => 0,
    };
    if u.worlds.values.len() != expected || results.variants.iter().any(|v| v.replications.len() != expected * reps) {
        return None;
    }
    let index = |y: &[f64]| -> Vec<FactorIndices> {
        match &steps {
            None => sobol(y, samples as usize, k, facts.seed)
                .into_iter()
                .zip(&u.factors)
                .map(|(s, f)| FactorIndices { factor: f.name.clone(), sobol: Some(s), morris: None })
                .collect(),
            Some(st) => morris(y, st, k)
                .into_iter()
                .zip(&u.factors)
                .map(|(m, f)| FactorIndices { factor: f.name.clone(), sobol: None, morris: Some(m) })
                .collect(),
        }
    };
    let variance = |y: &[f64]| {
        let m = y.iter().sum::<f64>() / y.len().max(1) as f64;
        y.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (y.len().max(2) - 1) as f64
    };
    let mut outputs = Vec::new();
    for v in &results.variants {
        let y = world_medians(&v.replications, reps, horizon);
        outputs.push(OutputIndices {
            output: format!("median {t_label}: {}", v.name),
            variant: v.name.clone(),
            decision: false,
            variance: variance(&y),
            factors: index(&y),
        });
    }
    for (i, v) in results.variants.iter().enumerate() {
        // The decision: paired with the reference, where the targets are the same people.
        if i == r || facts.points[i].target_key != facts.points[r].target_key {
            continue;
        }
        let y = world_delta_medians(&v.replications, base, reps, horizon);
        outputs.push(OutputIndices {
            output: format!("median difference: {} − {}", v.name, results.variants[r].name),
            variant: v.name.clone(),
            decision: true,
            variance: variance(&y),
            factors: index(&y),
        });
    }
    let advice = advice(&outputs, method, &results.variants[r].name);
    Some(Sensitivity {
        method: method.into(),
        samples,
        worlds: u.worlds.values.len() as u32,
        replications: results.replications,
        outputs,
        advice,
    })
}

/// One sentence per output that has variance: the factor to measure first and how much of the
/// output's uncertainty it explains.
fn advice(outputs: &[OutputIndices], method: &str, reference: &str) -> Vec<String> {
    let mut out = Vec::new();
    for o in outputs {
        if o.variance <= 0.0 {
            out.push(format!("{}: the plausible ranges do not change it.", o.output));
            continue;
        }
        let what = if o.decision {
            format!("the effect of \"{}\" compared with \"{reference}\"", o.variant)
        } else {
            format!("{} of \"{}\"", o.output.split(':').next().unwrap_or("T"), o.variant)
        };
        if method == "sobol" {
            match leading_factor(o) {
                Some((f, st)) => out.push(format!(
                    "Measure \"{f}\" first: it explains about {:.0}% of the uncertainty in {what} (total-order index, \
                     95% interval {:.0}–{:.0}%).",
                    100.0 * st.st,
                    100.0 * st.st_ci[0],
                    100.0 * st.st_ci[1]
                )),
                None => out.push(format!(
                    "Which assumption matters most for {what}: the study has not enough samples to tell."
                )),
            }
        } else {
            let best = o
                .factors
                .iter()
                .filter_map(|f| f.morris.map(|m| (f, m)))
                .max_by(|a, b| a.1.mu_star.total_cmp(&b.1.mu_star));
            if let Some((f, m)) = best {
                out.push(format!(
                    "\"{}\" moves {what} the most (Morris μ* {} h over its plausible range, σ {} h): measure it first.",
                    f.factor,
                    crate::random::dist::fmt_fixed(m.mu_star, 1),
                    crate::random::dist::fmt_fixed(m.sigma, 1)
                ));
            }
        }
    }
    out
}

/// The factor that clearly explains the most of an output's variance in a Sobol study, with its
/// indices: `None` when the estimates cannot tell — an index (first- or total-order, of any
/// factor) outside [0, 1], the leading total-order interval reaching 0, or another factor's
/// total-order interval reaching the leader's.
pub fn leading_factor(o: &OutputIndices) -> Option<(&str, SobolIndex)> {
    let indices: Vec<(&str, SobolIndex)> =
        o.factors.iter().filter_map(|f| f.sobol.map(|s| (f.factor.as_str(), s))).collect();
    let outside = |x: f64| !(0.0..=1.0).contains(&x);
    if indices.iter().any(|(_, s)| outside(s.s1) || outside(s.st)) {
        return None;
    }
    let (name, top) = *indices.iter().max_by(|a, b| a.1.st.total_cmp(&b.1.st))?;
    let overlaps = indices.iter().any(|(n, s)| *n != name && s.st_ci[1] >= top.st_ci[0]);
    (top.st_ci[0] > 0.0 && !overlaps).then_some((name, top))
}

/// `sensitivity.csv`: `output,factor,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi` (Sobol) or
/// `output,factor,mu_star,sigma` (Morris).
pub fn csv(s: &Sensitivity) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let r = (|| -> csv::Result<()> {
        if s.method == "sobol" {
            w.write_record(["output", "factor", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"])?;
        } else {
            w.write_record(["output", "factor", "mu_star", "sigma"])?;
        }
        for o in &s.outputs {
            for f in &o.factors {
                let n = |x: f64| crate::random::dist::exponent_form(x).unwrap_or_else(|| format!("{x:.6}"));
                match (f.sobol, f.morris) {
                    (Some(x), _) => w.write_record([
                        o.output.clone(),
                        f.factor.clone(),
                        n(x.s1),
                        n(x.s1_ci[0]),
                        n(x.s1_ci[1]),
                        n(x.st),
                        n(x.st_ci[0]),
                        n(x.st_ci[1]),
                    ])?,
                    (None, Some(m)) => {
                        w.write_record([o.output.clone(), f.factor.clone(), n(m.mu_star), n(m.sigma)])?
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    })();
    r.expect("writing CSV to memory cannot fail");
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::worlds::saltelli_unit;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function() {
        let n = 4096;
        let pi = std::f64::consts::PI;
        let y: Vec<f64> = saltelli_unit(42, n as u32, 3)
            .iter()
            .map(|u| ishigami(&u.iter().map(|v| -pi + 2.0 * pi * v).collect::<Vec<_>>()))
            .collect();
        let idx = sobol(&y, n, 3, 1);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let e = idx[i];
            assert!((e.s1 - s1[i]).abs() < 0.03, "S1[{i}] = {} vs {}", e.s1, s1[i]);
            assert!((e.st - st[i]).abs() < 0.03, "ST[{i}] = {} vs {}", e.st, st[i]);
            assert!(e.s1_ci[0] <= s1[i] && s1[i] <= e.s1_ci[1], "S1[{i}] interval {:?}", e.s1_ci);
            assert!(e.st_ci[0] <= st[i] && st[i] <= e.st_ci[1], "ST[{i}] interval {:?}", e.st_ci);
        }
    }

    #[test]
    fn sobol_indices_do_not_move_when_the_output_is_shifted() {
        // Hours since the item appeared or since the week began: the same question. An
        // uncentred S1 estimator widens its intervals about 20-fold under this shift.
        let n = 1024;
        let pi = std::f64::consts::PI;
        let y: Vec<f64> = saltelli_unit(7, n as u32, 3)
            .iter()
            .map(|u| ishigami(&u.iter().map(|v| -pi + 2.0 * pi * v).collect::<Vec<_>>()))
            .collect();
        let shifted: Vec<f64> = y.iter().map(|v| v + 100.0).collect();
        let (a, b) = (sobol(&y, n, 3, 1), sobol(&shifted, n, 3, 1));
        for i in 0..3 {
            assert!((a[i].s1 - b[i].s1).abs() < 1e-9, "S1[{i}]: {} vs {}", a[i].s1, b[i].s1);
            assert!((a[i].st - b[i].st).abs() < 1e-9, "ST[{i}]");
            let width = |s: &SobolIndex| s.s1_ci[1] - s.s1_ci[0];
            assert!((width(&a[i]) - width(&b[i])).abs() < 1e-9, "S1[{i}] interval width");
        }
    }

    #[test]
    fn morris_ranks_a_linear_function_by_slope() {
        let (rows, steps) = morris_unit(3, 30, 3);
        // y is linear in the factors' quantiles: the elementary effects are the slopes.
        let q = crate::design::worlds::morris_quantile;
        let y: Vec<f64> = rows.iter().map(|x| 10.0 * q(x[0]) + 1.0 * q(x[1]) + 0.0 * q(x[2])).collect();
        let m = morris(&y, &steps, 3);
        assert!((m[0].mu_star - 10.0).abs() < 1e-9 && m[0].sigma < 1e-9);
        assert!((m[1].mu_star - 1.0).abs() < 1e-9);
        assert_eq!(m[2].mu_star, 0.0);
    }
}
