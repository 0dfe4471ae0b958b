//! Goals: "80% of the developers within five working days in at least 90% of replications" — and,
//! with plausible worlds, "in at least 90% of the worlds" for that share. A [`Goal`] is checked
//! against a design point's T per replication; a replication that does not reach the threshold
//! does not meet the goal.

use serde::{Deserialize, Serialize};

/// `goal.probability` when not given: the share of replications (and of worlds) that must meet
/// the time.
pub(crate) const DEFAULT_GOAL_PROBABILITY: f64 = 0.9;
/// The normal quantile of a two-sided 95% interval (the Wilson interval's `z`).
pub(crate) const Z95: f64 = 1.959_963_984_540_054;

/// A validated goal: T at most `t_hours` with at least `probability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Goal {
    /// The time T must not exceed, hours (the model's hours; elapsed clock hours with calendars).
    t_hours: f64,
    /// The share of replications (and, with worlds, of worlds) that must meet it, in (0, 1].
    probability: f64,
    /// With calendars, when the goal was given in working days: the days and the calendar that
    /// counts them (`t_hours` is then the clock hours they take from the item's appearance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    working_days: Option<(f64, String)>,
}

impl Goal {
    /// A goal of T ≤ `t_hours` in at least `probability` of replications. `t_hours` must be a
    /// positive finite number of hours and `probability` in (0, 1]; the message says which is
    /// wrong.
    pub fn new(t_hours: f64, probability: f64) -> Result<Goal, String> {
        if !(t_hours.is_finite() && t_hours > 0.0) {
            return Err(format!("the time must be a positive number of hours, got {t_hours}"));
        }
        if !(probability > 0.0 && probability <= 1.0) {
            return Err(format!("the probability must be greater than 0 and at most 1, got {probability}"));
        }
        Ok(Goal { t_hours, probability, working_days: None })
    }

    /// The same goal, stated as `days` working days of calendar `calendar` (whose clock hours
    /// from the item's appearance are `t_hours`).
    pub fn on_calendar(mut self, days: f64, calendar: String) -> Goal {
        self.working_days = Some((days, calendar));
        self
    }

    /// With calendars, the working days and the calendar the goal was given in.
    pub fn working_days(&self) -> Option<(f64, &str)> {
        self.working_days.as_ref().map(|(d, c)| (*d, c.as_str()))
    }

    /// The time T must not exceed, hours.
    pub fn t_hours(&self) -> f64 {
        self.t_hours
    }

    /// The share of replications (and of worlds) that must meet the time, in (0, 1].
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// Whether one replication's T meets the goal (`None`, not reached, does not).
    pub fn met_by(&self, t: Option<f64>) -> bool {
        t.is_some_and(|t| t <= self.t_hours)
    }

    /// How many of `t` meet the goal.
    pub fn successes(&self, t: &[Option<f64>]) -> u64 {
        t.iter().filter(|&&t| self.met_by(t)).count() as u64
    }

    /// The goal checked on one design point's T per replication: one block of `replications`
    /// per plausible world (world-major) when `with_worlds`, else one block.
    pub fn check(&self, t: &[Option<f64>], replications: u64, with_worlds: bool) -> GoalResult {
        let n = t.len() as u64;
        let ok = self.successes(t);
        let probability = if n == 0 { 0.0 } else { ok as f64 / n as f64 };
        if !with_worlds {
            return GoalResult {
                probability,
                interval: wilson(ok, n),
                meets: n > 0 && probability >= self.probability,
                worlds: None,
            };
        }
        let r = replications.max(1) as usize;
        let shares: Vec<f64> =
            t.chunks(r).map(|world| self.successes(world) as f64 / world.len().max(1) as f64).collect();
        let count = shares.len() as u64;
        let good = shares.iter().filter(|&&s| s >= self.probability).count() as u64;
        let share = if count == 0 { 0.0 } else { good as f64 / count as f64 };
        GoalResult {
            probability,
            // Pooled over worlds that reuse the same replication streams: no interval (see the
            // worlds' share instead).
            interval: [None, None],
            meets: count > 0 && share >= self.probability,
            worlds: Some(GoalWorlds { share, interval: wilson(good, count), worlds: count as u32 }),
        }
    }
}

/// Whether a design point meets the goal, and how surely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GoalResult {
    /// Share of replications (pooled over worlds) whose T is at most the goal's time, 0–1.
    pub probability: f64,
    /// Wilson 95% interval of that share: Monte Carlo uncertainty of the replications only (not
    /// of the scenario's assumptions). `null` with worlds.
    pub interval: [Option<f64>; 2],
    /// Without worlds: `probability` ≥ the goal's probability. With worlds: the share of worlds
    /// meeting it ≥ the goal's probability.
    pub meets: bool,
    /// With `[uncertain]`: the share of plausible worlds in which the point meets the goal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worlds: Option<GoalWorlds>,
}

/// The goal across plausible worlds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GoalWorlds {
    /// Share of worlds whose own share of replications meeting the time is at least the goal's
    /// probability, 0–1.
    pub share: f64,
    /// Wilson 95% interval of that share over the drawn worlds (Monte Carlo of the world draw).
    pub interval: [Option<f64>; 2],
    /// How many worlds ran.
    pub worlds: u32,
}

/// The Wilson score 95% interval of a binomial share `successes / n` (`None` for `n = 0`).
pub(crate) fn wilson(successes: u64, n: u64) -> [Option<f64>; 2] {
    if n == 0 {
        return [None, None];
    }
    let (n, p) = (n as f64, successes as f64 / n as f64);
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    [Some((centre - half).max(0.0)), Some((centre + half).min(1.0))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_hand_computed_interval() {
        // 8 of 10, z = 1.96: centre (0.8 + 0.19208)/1.38415 = 0.716723, half
        // 1.96·sqrt(0.016 + 0.0096040)/1.38415 = 0.226612 → [0.4902, 0.9433].
        let [lo, hi] = wilson(8, 10);
        assert!((lo.unwrap() - 0.4902).abs() < 2e-4, "{lo:?}");
        assert!((hi.unwrap() - 0.9433).abs() < 2e-4, "{hi:?}");
        assert_eq!(wilson(0, 0), [None, None]);
        assert_eq!(wilson(5, 5)[1], Some(1.0));
    }

    #[test]
    fn not_reached_does_not_meet_and_worlds_count_separately() {
        let g = Goal::new(5.0, 0.5).unwrap();
        let t = [Some(1.0), Some(5.0), Some(5.1), None];
        assert_eq!(g.successes(&t), 2);
        let r = g.check(&t, 4, false);
        assert_eq!(r.probability, 0.5);
        assert!(r.meets);
        // Two worlds of two replications: world 0 has 2/2, world 1 has 0/2 → half the worlds.
        let r = g.check(&t, 2, true);
        let w = r.worlds.unwrap();
        assert_eq!((w.share, w.worlds), (0.5, 2));
        assert!(r.meets);
        let strict = Goal::new(5.0, 0.6).unwrap();
        assert!(!strict.check(&t, 2, true).meets);
    }

    #[test]
    fn bad_goals_are_refused() {
        assert!(Goal::new(0.0, 0.9).is_err());
        assert!(Goal::new(5.0, 0.0).is_err());
        assert!(Goal::new(5.0, 1.2).is_err());
        assert!(Goal::new(f64::NAN, 0.9).is_err());
        assert!(Goal::new(5.0, 1.0).is_ok());
    }
}
