//! Uncertain assumptions: factors with a distribution of plausible values, and the **worlds** —
//! parameter points — drawn from them.
//!
//! A factor drives one or more dotted paths of the scenario (`mode = "set"`: each path takes the
//! value; `mode = "scale"`: each path's value is multiplied by it). The value of a factor in
//! world `w` is a pure function of (seed, w, factor name) — the inverse CDF of the factor's
//! distribution at a uniform drawn from those — so world values do not depend on threads, shards
//! or the other factors. Worlds never touch the replications' random streams: replication `r` of
//! every world uses the streams of replication `r` of a plain run (common random numbers across
//! worlds as well as across variants).
//!
//! For a variance-based sensitivity study the worlds come instead from a Saltelli design
//! ([`saltelli_worlds`]) over an Owen-scrambled Sobol sequence, or from Morris trajectories
//! ([`morris_worlds`]).

use serde::{Deserialize, Serialize};

use crate::random::rng::{fmix64, identity_key, to_open_unit};

/// Default number of worlds a run with `[uncertain]` draws.
pub const DEFAULT_WORLDS: u32 = 200;
/// The most worlds a run may draw.
pub const MAX_WORLDS: u32 = 1_000_000;
/// The most factors (the Saltelli design uses two Sobol dimensions per factor, of 256).
pub const MAX_FACTORS: usize = 64;

/// The distribution of a factor's plausible values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum FactorDist {
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lowest plausible value.
        min: f64,
        /// Highest plausible value.
        max: f64,
    },
    /// Triangular between `min` and `max` with its peak at `mode`.
    Triangular {
        /// Lowest plausible value.
        min: f64,
        /// Most plausible value.
        mode: f64,
        /// Highest plausible value.
        max: f64,
    },
    /// Log-uniform between `min` and `max` (both > 0): every factor of ten equally plausible.
    LogUniform {
        /// Lowest plausible value (> 0).
        min: f64,
        /// Highest plausible value.
        max: f64,
    },
    /// Beta with the given `mean` and standard deviation `sd`, for probabilities (0–1).
    Beta {
        /// Mean, in (0, 1).
        mean: f64,
        /// Standard deviation, > 0 and below √(mean·(1 − mean)).
        sd: f64,
    },
    /// One of `values`, with `weights` (default equal).
    Choice {
        /// The possible values.
        values: Vec<f64>,
        /// Relative weights, one per value (default all 1).
        weights: Vec<f64>,
    },
}

impl FactorDist {
    /// Checks the parameters; the message says what is wrong, for a person.
    pub fn check(&self) -> Result<(), String> {
        let finite = |name: &str, x: f64| {
            if x.is_finite() { Ok(()) } else { Err(format!("`{name}` must be a finite number, got {x}")) }
        };
        match *self {
            FactorDist::Uniform { min, max } | FactorDist::LogUniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                if min > max {
                    return Err(format!("`min` ({min}) must not be greater than `max` ({max})"));
                }
                if matches!(self, FactorDist::LogUniform { .. }) && min <= 0.0 {
                    return Err(format!("a loguniform needs `min` > 0, got {min}"));
                }
            }
            FactorDist::Triangular { min, mode, max } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min <= mode && mode <= max) {
                    return Err(format!("a triangular needs min ≤ mode ≤ max, got {min}, {mode}, {max}"));
                }
            }
            FactorDist::Beta { mean, sd } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if !(mean > 0.0 && mean < 1.0) {
                    return Err(format!("a beta needs a `mean` strictly between 0 and 1, got {mean}"));
                }
                let limit = (mean * (1.0 - mean)).sqrt();
                if !(sd > 0.0 && sd < limit) {
                    return Err(format!(
                        "a beta with mean {mean} needs `sd` greater than 0 and below {limit:.4} (√(mean·(1−mean))), got {sd}"
                    ));
                }
            }
            FactorDist::Choice { ref values, ref weights } => {
                if values.is_empty() {
                    return Err("a choice needs at least one value, e.g. values = [0.5, 1.0]".into());
                }
                for &v in values {
                    finite("values", v)?;
                }
                if weights.len() != values.len() {
                    return Err(format!(
                        "`weights` must have one weight per value: {} values, {} weights",
                        values.len(),
                        weights.len()
                    ));
                }
                if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().sum::<f64>() <= 0.0 {
                    return Err("`weights` must be non-negative numbers, not all 0".into());
                }
            }
        }
        Ok(())
    }

    /// The value at quantile `u` in [0, 1] (the inverse CDF; monotone in `u`).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            FactorDist::Uniform { min, max } => min + u * (max - min),
            FactorDist::Triangular { min, mode, max } => {
                if max == min {
                    return min;
                }
                let fc = (mode - min) / (max - min);
                if u < fc {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            FactorDist::LogUniform { min, max } => (min.ln() + u * (max.ln() - min.ln())).exp().clamp(min, max),
            FactorDist::Beta { mean, sd } => {
                use statrs::distribution::{Beta, ContinuousCDF};
                let nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
                match Beta::new(mean * nu, (1.0 - mean) * nu) {
                    Ok(b) => b.inverse_cdf(u).clamp(0.0, 1.0),
                    Err(_) => mean,
                }
            }
            FactorDist::Choice { ref values, ref weights } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w;
                    if u * total < acc {
                        return *v;
                    }
                }
                *values.iter().zip(weights).rev().find(|(_, w)| **w > 0.0).map(|(v, _)| v).unwrap_or(&values[0])
            }
        }
    }

    /// The lowest and highest value the factor can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            FactorDist::Choice { values, .. } => {
                values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
            }
            _ => (self.quantile(0.0), self.quantile(1.0)),
        }
    }

    /// The distribution in words, e.g. "uniform 0.3–0.7".
    pub fn describe(&self) -> String {
        let n = crate::random::dist::fmt_num;
        match self {
            FactorDist::Uniform { min, max } => format!("uniform {}–{}", n(*min), n(*max)),
            FactorDist::Triangular { min, mode, max } => {
                format!("triangular {}–{} (most plausible {})", n(*min), n(*max), n(*mode))
            }
            FactorDist::LogUniform { min, max } => format!("log-uniform {}–{}", n(*min), n(*max)),
            FactorDist::Beta { mean, sd } => format!("beta, mean {}, sd {}", n(*mean), n(*sd)),
            FactorDist::Choice { values, weights } => {
                let equal = weights.windows(2).all(|w| w[0] == w[1]);
                let v: Vec<String> = values.iter().map(|x| n(*x)).collect();
                if equal {
                    format!("one of {}", v.join(", "))
                } else {
                    let w: Vec<String> = weights.iter().map(|x| n(*x)).collect();
                    format!("one of {} (weights {})", v.join(", "), w.join(", "))
                }
            }
        }
    }
}

/// How a factor's value acts on its paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every path takes the value.
    Set,
    /// Every path's value (in the design point) is multiplied by it.
    Scale,
}

/// One uncertain factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Factor {
    /// Its name (the path itself for a single-path entry).
    pub name: String,
    /// Its plausible values.
    pub dist: FactorDist,
    /// The dotted paths it drives.
    pub paths: Vec<String>,
    /// Set or scale.
    pub mode: Mode,
}

/// Where a run's worlds come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum WorldDesign {
    /// `count` worlds drawn independently from the factors' distributions.
    Random {
        /// How many.
        count: u32,
    },
    /// Saltelli's design for Sobol indices with `samples` base samples: `samples · (k + 2)`
    /// worlds.
    Saltelli {
        /// Base samples N.
        samples: u32,
    },
    /// Morris elementary-effect trajectories: `trajectories · (k + 1)` worlds.
    Morris {
        /// Trajectories r.
        trajectories: u32,
    },
    /// `count` worlds from a calibration's posterior (`run --posterior`), resampled to equal
    /// weights; their values come from `posterior.csv`, not from the seed.
    Posterior {
        /// How many.
        count: u32,
    },
}

impl WorldDesign {
    /// How many worlds this design has for `factors` factors.
    pub fn count(&self, factors: usize) -> u64 {
        let k = factors as u64;
        match *self {
            WorldDesign::Random { count } | WorldDesign::Posterior { count } => u64::from(count),
            WorldDesign::Saltelli { samples } => u64::from(samples) * (k + 2),
            WorldDesign::Morris { trajectories } => u64::from(trajectories) * (k + 1),
        }
    }

    /// The factor values of this design's worlds (row = world). A posterior's worlds are not a
    /// function of the seed: it has none here (see `Scenario::use_world_values`).
    pub fn values(&self, seed: u64, factors: &[Factor]) -> Vec<Vec<f64>> {
        match *self {
            WorldDesign::Posterior { .. } => Vec::new(),
            WorldDesign::Random { count } => random_worlds(seed, count, factors),
            WorldDesign::Saltelli { samples } => saltelli_worlds(seed, samples, factors),
            WorldDesign::Morris { trajectories } => morris_worlds(seed, trajectories, factors),
        }
    }
}

/// The worlds of a run: their design and the factor values of each (row = world, column =
/// factor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WorldSet {
    /// Where they come from.
    pub design: WorldDesign,
    /// The factor values per world.
    pub values: Vec<Vec<f64>>,
}

/// A uniform in (0, 1) for factor `name` in world `world`: a pure function of the three.
pub fn world_uniform(seed: u64, world: u64, name: &str) -> f64 {
    let h = fmix64(fmix64(seed ^ 0x3c6e_f372_fe94_f82b) ^ world.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    to_open_unit(fmix64(h ^ identity_key(&[name])))
}

/// The factor values of `worlds` worlds drawn independently (row = world, column = factor).
pub fn random_worlds(seed: u64, worlds: u32, factors: &[Factor]) -> Vec<Vec<f64>> {
    (0..u64::from(worlds))
        .map(|w| factors.iter().map(|f| f.dist.quantile(world_uniform(seed, w, &f.name))).collect())
        .collect()
}

/// The Sobol-sequence seed of a scenario seed.
fn sobol_seed(seed: u64) -> u32 {
    (fmix64(seed ^ 0xbb67_ae85_84ca_a73b) >> 32) as u32
}

/// The unit-cube coordinates of Saltelli's design with `n` base samples and `k` factors: per
/// base sample `j`, the rows A_j, B_j, then AB_j^(i) for each factor `i` (A_j with coordinate `i`
/// from B_j): `n·(k + 2)` rows. A and B are the first and second `k` dimensions of an
/// Owen-scrambled Sobol sequence (skipping its first point).
pub fn saltelli_unit(seed: u64, n: u32, k: usize) -> Vec<Vec<f64>> {
    let s = sobol_seed(seed);
    let coord = |j: u32, d: usize| f64::from(sobol_burley::sample(j + 1, d as u32, s));
    let mut rows = Vec::with_capacity(n as usize * (k + 2));
    for j in 0..n {
        let a: Vec<f64> = (0..k).map(|i| coord(j, i)).collect();
        let b: Vec<f64> = (0..k).map(|i| coord(j, k + i)).collect();
        rows.push(a.clone());
        rows.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            rows.push(ab);
        }
    }
    rows
}

/// The factor values of Saltelli's design (see [`saltelli_unit`]).
pub fn saltelli_worlds(seed: u64, n: u32, factors: &[Factor]) -> Vec<Vec<f64>> {
    to_values(saltelli_unit(seed, n, factors.len()), factors)
}

/// Per Morris trajectory and step: the factor that moved and the signed step in unit-cube
/// coordinates.
pub type MorrisSteps = Vec<Vec<(usize, f64)>>;

/// Levels of the Morris grid.
pub const MORRIS_LEVELS: u32 = 4;

/// The unit-cube coordinates of `r` Morris trajectories over `k` factors on a grid of
/// [`MORRIS_LEVELS`] levels: each trajectory is `k + 1` points, each moving one factor (in a
/// random order) by Δ = levels / (2 (levels − 1)). Also returns, per trajectory and step, the
/// factor that moved and the signed step.
pub fn morris_unit(seed: u64, r: u32, k: usize) -> (Vec<Vec<f64>>, MorrisSteps) {
    let p = f64::from(MORRIS_LEVELS);
    let delta = p / (2.0 * (p - 1.0));
    let u = |t: u32, what: &str, i: usize| world_uniform(seed ^ 0x6d6f_7272_6973, u64::from(t), &format!("{what}{i}"));
    let mut rows = Vec::new();
    let mut steps = Vec::new();
    for t in 0..r {
        // Start on the grid's lower half so that a step of +Δ stays inside; then go down where
        // the start is high (a random direction per factor).
        let mut x: Vec<f64> = (0..k)
            .map(|i| {
                let lower = (u(t, "x", i) * (p / 2.0)).floor().min(p / 2.0 - 1.0);
                lower / (p - 1.0)
            })
            .collect();
        let up: Vec<bool> = (0..k).map(|i| u(t, "d", i) < 0.5).collect();
        for i in 0..k {
            if !up[i] {
                x[i] += delta;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| u(t, "o", a).total_cmp(&u(t, "o", b)));
        rows.push(x.clone());
        let mut trajectory = Vec::with_capacity(k);
        for &i in &order {
            let step = if up[i] { delta } else { -delta };
            x[i] += step;
            rows.push(x.clone());
            trajectory.push((i, step));
        }
        steps.push(trajectory);
    }
    (rows, steps)
}

fn to_values(unit: Vec<Vec<f64>>, factors: &[Factor]) -> Vec<Vec<f64>> {
    unit.into_iter().map(|row| row.iter().zip(factors).map(|(&u, f)| f.dist.quantile(u)).collect()).collect()
}

/// The quantile of a Morris grid coordinate `x` in {0, 1/(p−1), …, 1}: the centre of its level's
/// cell, (i + ½)/p, so that no world sits at a distribution's impossible extreme (a beta's 0 or 1).
pub fn morris_quantile(x: f64) -> f64 {
    let p = f64::from(MORRIS_LEVELS);
    (x * (p - 1.0) + 0.5) / p
}

/// One Morris step in quantile units (see [`morris_quantile`]).
pub fn morris_quantile_step(step: f64) -> f64 {
    let p = f64::from(MORRIS_LEVELS);
    step * (p - 1.0) / p
}

/// The factor values of the Morris design (see [`morris_unit`]), at the cell centres of the
/// grid's levels.
pub fn morris_worlds(seed: u64, r: u32, factors: &[Factor]) -> Vec<Vec<f64>> {
    let unit = morris_unit(seed, r, factors.len()).0;
    to_values(unit.into_iter().map(|row| row.into_iter().map(morris_quantile).collect()).collect(), factors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_closed_forms() {
        let u = FactorDist::Uniform { min: 2.0, max: 4.0 };
        assert_eq!((u.quantile(0.0), u.quantile(0.25), u.quantile(1.0)), (2.0, 2.5, 4.0));
        let t = FactorDist::Triangular { min: 0.0, mode: 1.0, max: 2.0 };
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12);
        assert!((t.quantile(0.125) - 0.5).abs() < 1e-12, "F(0.5) = 0.125");
        let l = FactorDist::LogUniform { min: 1.0, max: 100.0 };
        assert!((l.quantile(0.5) - 10.0).abs() < 1e-9);
        let c = FactorDist::Choice { values: vec![0.5, 1.0], weights: vec![1.0, 3.0] };
        assert_eq!((c.quantile(0.2), c.quantile(0.3), c.quantile(0.99)), (0.5, 1.0, 1.0));
        let b = FactorDist::Beta { mean: 0.3, sd: 0.1 };
        // The mean of the quantile function over a fine grid is the distribution's mean.
        let m: f64 = (0..2000).map(|i| b.quantile((i as f64 + 0.5) / 2000.0)).sum::<f64>() / 2000.0;
        assert!((m - 0.3).abs() < 1e-3, "{m}");
        assert!(b.check().is_ok());
        assert!(FactorDist::Beta { mean: 0.5, sd: 0.6 }.check().is_err());
        assert!(FactorDist::Uniform { min: 1.0, max: 0.0 }.check().is_err());
    }

    #[test]
    fn world_values_are_pure_functions_of_seed_world_and_name() {
        let f = |name: &str| Factor {
            name: name.into(),
            dist: FactorDist::Uniform { min: 0.0, max: 1.0 },
            paths: vec![],
            mode: Mode::Set,
        };
        let both = random_worlds(7, 50, &[f("a"), f("b")]);
        let only_b = random_worlds(7, 50, &[f("b")]);
        for w in 0..50 {
            assert_eq!(both[w][1], only_b[w][0], "another factor does not shift b's values");
        }
        assert_ne!(random_worlds(8, 1, &[f("a")])[0][0], both[0][0]);
        // Roughly uniform: the mean of 50 values is near 0.5 (sd 0.04).
        let mean = both.iter().map(|r| r[0]).sum::<f64>() / 50.0;
        assert!((mean - 0.5).abs() < 0.2, "{mean}");
    }

    #[test]
    fn saltelli_rows_share_coordinates_as_the_estimators_need() {
        let rows = saltelli_unit(3, 8, 3);
        assert_eq!(rows.len(), 8 * 5);
        for j in 0..8 {
            let (a, b) = (&rows[j * 5], &rows[j * 5 + 1]);
            for i in 0..3 {
                let ab = &rows[j * 5 + 2 + i];
                for d in 0..3 {
                    assert_eq!(ab[d], if d == i { b[d] } else { a[d] });
                }
            }
        }
    }

    #[test]
    fn morris_steps_move_one_factor_by_delta() {
        let (rows, steps) = morris_unit(5, 6, 4);
        assert_eq!(rows.len(), 6 * 5);
        for (t, traj) in steps.iter().enumerate() {
            for (s, &(i, step)) in traj.iter().enumerate() {
                let (x, y) = (&rows[t * 5 + s], &rows[t * 5 + s + 1]);
                for d in 0..4 {
                    let want = if d == i { x[d] + step } else { x[d] };
                    assert!((y[d] - want).abs() < 1e-12);
                    assert!((0.0..=1.0).contains(&y[d]));
                }
            }
        }
    }
}
