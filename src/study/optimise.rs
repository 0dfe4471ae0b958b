//! `permeate optimise`: the smallest setting of one monotone lever at which the baseline meets
//! the scenario's `Goal`, by bisection.
//!
//! Bisection is exact here because of common random numbers: every draw is a pure function of
//! (seed, replication, identity, purpose), and a lever of the allow-list
//! (`crate::scenario::costs::MONOTONE_LEVERS`) enters only through comparisons `u < value` on
//! per-entity uniforms. Raising it can only add deliveries, noticed messages or involved people,
//! so no replication gets slower, the count of replications meeting the goal never falls, and
//! the set of settings that meet the goal is an interval `[v*, max]`. Every setting tried runs
//! the same replications, so the answer is the same whatever order the settings are tried in.

use serde::{Deserialize, Serialize};

use super::Plan;
use crate::analysis::costs::PointCost;
use crate::analysis::goal::{Goal, GoalResult};
use crate::engine::outcome::CurveGrid;
use crate::error::{Error, InputError, InputErrorKind};
use crate::model::{Model, Params};

/// The default resolution of the bisection: it stops when the interval is this narrow.
pub const DEFAULT_RESOLUTION: f64 = 0.001;
/// The most bisection steps (a resolution finer than the range / 2^60 is not useful).
pub const MAX_STEPS: u32 = 60;

/// What `permeate optimise` found (`optimise.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Optimum {
    /// The scenario's name.
    pub scenario: String,
    /// The lever's dotted path, e.g. `involvement.fraction`.
    pub lever: String,
    /// The smallest setting tried that meets the goal (within `resolution` of the true smallest
    /// on the same replications); `null` when even `max` does not.
    pub value: Option<f64>,
    /// The share of replications meeting the goal at `value` (at `max` when none meets it).
    pub probability: f64,
    /// The whole goal check at `value` (at `max` when none meets it).
    pub goal_result: GoalResult,
    /// The baseline's cost with the lever at `value` (`null` without `[costs]`).
    pub cost: Option<PointCost>,
    /// The goal: T at most `t_hours` in at least `probability` of replications.
    pub goal: Goal,
    /// The searched range.
    pub min: f64,
    /// The searched range.
    pub max: f64,
    /// The bisection stopped when the interval was at most this wide.
    pub resolution: f64,
    /// Seed of all random draws.
    pub seed: u64,
    /// Replications per setting tried.
    pub replications: u64,
    /// Every setting tried with its share meeting the goal, in the order tried.
    pub steps: Vec<Step>,
}

/// One setting the bisection tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step {
    /// The lever's value.
    pub value: f64,
    /// Share of replications meeting the goal.
    pub probability: f64,
    /// Whether the goal is met there.
    pub meets: bool,
}

/// What to search.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The lever's dotted path.
    pub lever: String,
    /// The lowest setting, default 0.
    pub min: f64,
    /// The highest setting, default 1.
    pub max: f64,
    /// Stop when the interval is this narrow.
    pub resolution: f64,
}

/// Finds the smallest setting of `search.lever` in `[min, max]` at which the baseline of the
/// plan's scenario meets its goal, over the plan's worlds, seed and replications. Errors: no
/// `[goal]`, a lever that is not monotone or not in the baseline, a range outside what the lever
/// allows (all input errors, exit status 2).
pub fn optimise(plan: &Plan<'_>, search: &Search, progress: &(dyn Fn() + Sync)) -> Result<Optimum, Error> {
    let scenario = plan.scenario();
    let bad =
        |key: &str, m: String| Error::from(InputError::new(&scenario.file, InputErrorKind::Invalid(m)).at_key(key));
    let goal = scenario.goal.clone().ok_or_else(|| {
        bad(
            "goal",
            "optimise needs a [goal] in the scenario, e.g.\n  [goal]\n  t_threshold_working_days = 5\n  probability = 0.9"
                .into(),
        )
    })?;
    let target = scenario.lever(&search.lever)?;
    let (min, max) = (search.min, search.max);
    if !(min.is_finite() && max.is_finite() && min < max) {
        return Err(bad(&search.lever, format!("--min {min} must be below --max {max}")));
    }
    if !(search.resolution.is_finite() && search.resolution > 0.0) {
        return Err(bad(&search.lever, format!("--resolution must be positive, got {}", search.resolution)));
    }
    let base = scenario.baseline();
    let compiled = base.compile(scenario.horizon_hours).map_err(|e| bad(&search.lever, e.to_string()))?;
    let grid = CurveGrid::new(scenario.curve_points, scenario.curve_hours);
    let world_params: Vec<Params> = match (plan.worlds(), &scenario.uncertainty) {
        (Some(w), Some(u)) => w
            .values
            .iter()
            .map(|row| u.world_params(base, 0, row, scenario.horizon_hours))
            .collect::<Result<_, _>>()
            .map_err(|e| bad("uncertain", e.message))?,
        _ => vec![base.params(scenario.horizon_hours)],
    };
    let with_worlds = plan.worlds().is_some();
    let replications = plan.replications();
    let params_at = |x: f64| -> Result<Vec<Params>, Error> {
        world_params
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.set(target, x).map_err(|m| bad(&search.lever, format!("cannot set it to {x}: {m}")))?;
                Ok(p)
            })
            .collect()
    };
    // Check both ends before running anything: a range the lever does not allow is an input error.
    params_at(min)?;
    params_at(max)?;
    let mut steps = Vec::new();
    let mut evaluate = |x: f64| -> Result<GoalResult, Error> {
        let mut t = Vec::with_capacity((replications as usize).saturating_mul(world_params.len()));
        for p in params_at(x)? {
            let model = Model::with_params(std::sync::Arc::clone(&compiled.structure), &p)
                .map_err(|e| Error::Internal(format!("optimising {}: {e}", search.lever)))?;
            t.extend(crate::engine::run_model(&model, plan.seed(), 0..replications, &grid, progress).t_threshold);
        }
        let r = goal.check(&t, replications, with_worlds);
        steps.push(Step { value: x, probability: r.probability, meets: r.meets });
        Ok(r)
    };
    let at_max = evaluate(max)?;
    let (value, result) = if !at_max.meets {
        (None, at_max)
    } else {
        let at_min = evaluate(min)?;
        if at_min.meets {
            (Some(min), at_min)
        } else {
            // Invariant: `lo` does not meet the goal, `hi` does.
            let (mut lo, mut hi, mut best) = (min, max, at_max);
            for _ in 0..MAX_STEPS {
                if hi - lo <= search.resolution {
                    break;
                }
                let mid = lo + 0.5 * (hi - lo);
                let r = evaluate(mid)?;
                if r.meets {
                    hi = mid;
                    best = r;
                } else {
                    lo = mid;
                }
            }
            (Some(hi), best)
        }
    };
    // The cost of the decision, with the baseline's own assumptions (not a world's).
    let cost = match value {
        Some(v) => {
            let mut p = base.params(scenario.horizon_hours);
            p.set(target, v).map_err(|m| bad(&search.lever, m))?;
            scenario.baseline_cost_with(&p)
        }
        None => None,
    };
    Ok(Optimum {
        scenario: scenario.name.clone(),
        lever: search.lever.clone(),
        value,
        probability: result.probability,
        goal_result: result,
        cost,
        goal,
        min,
        max,
        resolution: search.resolution,
        seed: plan.seed(),
        replications,
        steps,
    })
}

/// `optimise.json`: the optimum, pretty-printed.
pub fn optimise_json(o: &Optimum) -> String {
    serde_json::to_string_pretty(o).expect("an optimum serialises") + "\n"
}
