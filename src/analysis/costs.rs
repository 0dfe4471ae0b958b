//! What the levers cost and what a shorter T buys: a design point's cost in hours of work per
//! month (computed per lever from the point's own settings by the scenario layer), the cheapest
//! point that meets the [`crate::analysis::goal::Goal`], the Pareto fronts of cost against median T and
//! against the goal probability, and the return of each point over the baseline when a value of
//! time is given.

use serde::{Deserialize, Serialize};

/// Clock hours in an average month (365.25 × 24 / 12): with calendars (where `every` is in
/// clock hours), a scheduled channel with `every` hours between occurrences has
/// `HOURS_PER_MONTH / every` occurrences per month.
pub(crate) const HOURS_PER_MONTH: f64 = 730.5;

/// Working hours in an average month (730.5 × 5/7 × 8/24 ≈ 173.9: 8 working hours on 5 days of
/// 7): without calendars the model's hours are working hours, so a scheduled channel has
/// `WORKING_HOURS_PER_MONTH / every` occurrences per month (weekly, `every = 40`: 4.35).
pub(crate) const WORKING_HOURS_PER_MONTH: f64 = HOURS_PER_MONTH * 5.0 / 7.0 * WORKING_DAY_HOURS / CLOCK_DAY_HOURS;

/// Hours of T in a working day without calendars (the model's hours are working hours): for
/// `goal.t_threshold_working_days`, the value of an item-day and the report's working days.
pub const WORKING_DAY_HOURS: f64 = 8.0;
/// Hours of T in a day with calendars (T is elapsed clock hours there).
pub(crate) const CLOCK_DAY_HOURS: f64 = 24.0;

/// What one design point costs per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointCost {
    /// Hours of work per month, all levers together.
    pub hours_per_month: f64,
    /// The same in money per month (`hours_per_month × money_per_hour`), when the scenario
    /// gives `costs.money_per_hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money_per_month: Option<f64>,
    /// Each lever that costs something here, with its formula.
    pub parts: Vec<CostPart>,
}

/// One lever's share of a point's cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CostPart {
    /// The lever: `involvement`, `mandate`, `channel NAME` or `stated` (a variant's `cost`).
    pub lever: String,
    /// Hours of work per month.
    pub hours_per_month: f64,
    /// How the hours come about, in numbers ("0.3 × 180 people × 2 h").
    pub formula: String,
}

impl PointCost {
    /// The cost made of `parts` (parts of zero hours are left out), with money at
    /// `money_per_hour` if given.
    pub fn from_parts(parts: Vec<CostPart>, money_per_hour: Option<f64>) -> PointCost {
        let parts: Vec<CostPart> = parts.into_iter().filter(|p| p.hours_per_month != 0.0).collect();
        // A fold from +0: `Iterator::sum` of no floats is -0.0, which writers print as `-0`.
        let hours_per_month = parts.iter().fold(0.0, |sum, p| sum + p.hours_per_month);
        PointCost { hours_per_month, money_per_month: money_per_hour.map(|m| m * hours_per_month), parts }
    }
}

/// The value of time: how many items a month and what a day's delay of one costs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Worth {
    /// Items of community feedback per month.
    pub items_per_month: f64,
    /// What one day's delay of one item costs (money with `money_per_hour`, else hours of work).
    pub value_per_item_day: f64,
    /// Hours of T in one day (8 working hours without calendars, 24 clock hours with them).
    pub day_hours: f64,
}

/// The scenario's cost settings, for the summary: the money rate and the value of time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CostSettings {
    /// Money per hour of work, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money_per_hour: Option<f64>,
    /// The currency's name, e.g. `EUR` (with `money_per_hour`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The value of time, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worth: Option<Worth>,
}

/// The return of a point over the baseline, per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointReturn {
    /// Hours of work per month beyond the baseline's (negative: it saves work).
    pub extra_hours_per_month: f64,
    /// Item-days of delay saved per month: items × (baseline's median T − this point's) / day
    /// (`null` where either median is never).
    pub item_days_saved_per_month: Option<f64>,
    /// What the saved item-days are worth per month, in the unit of `value_per_item_day`.
    pub value_per_month: Option<f64>,
    /// `value_per_month` minus the extra cost (in money with `money_per_hour`, else hours).
    pub net_per_month: Option<f64>,
    /// The value of one item-day at which the point breaks even (`null` unless it saves time).
    pub break_even_value_per_item_day: Option<f64>,
}

impl PointReturn {
    /// The return of a point with `cost` and median T `median` over a baseline with
    /// `base_cost` and `base_median` (hours; `None` = never).
    pub fn new(
        worth: &Worth,
        money_per_hour: Option<f64>,
        (base_cost, base_median): (f64, Option<f64>),
        (cost, median): (f64, Option<f64>),
    ) -> PointReturn {
        let extra = cost - base_cost;
        let extra_money = extra * money_per_hour.unwrap_or(1.0);
        let saved = match (base_median, median) {
            (Some(b), Some(m)) => Some(worth.items_per_month * (b - m) / worth.day_hours),
            _ => None,
        };
        let value = saved.map(|s| s * worth.value_per_item_day);
        PointReturn {
            extra_hours_per_month: extra,
            item_days_saved_per_month: saved,
            value_per_month: value,
            net_per_month: value.map(|v| v - extra_money),
            break_even_value_per_item_day: saved.filter(|s| *s > 0.0).map(|s| extra_money / s),
        }
    }
}

/// The cheapest route to the goal and the trade-offs, over the design's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Route {
    /// The cheapest point that meets the goal (ties: the higher goal probability, then design
    /// order); `null` when none does or there is no goal.
    pub cheapest: Option<String>,
    /// The points on the Pareto front of cost against median T (no other point is at most as
    /// costly and at most as slow, and better in one), cheapest first.
    pub front_median: Vec<String>,
    /// With a goal: the Pareto front of cost against the goal probability, cheapest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub front_goal: Vec<String>,
}

/// The indices of the Pareto front of `points` = (cost, badness), both to be minimised, ordered by
/// cost then badness then index. Equal points are all on the front.
pub(crate) fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let dominated = |i: usize| {
        let (c, b) = points[i];
        points.iter().any(|&(c2, b2)| c2 <= c && b2 <= b && (c2 < c || b2 < b))
    };
    let mut front: Vec<usize> = (0..points.len()).filter(|&i| !dominated(i)).collect();
    front.sort_by(|&a, &b| {
        points[a].0.total_cmp(&points[b].0).then(points[a].1.total_cmp(&points[b].1)).then(a.cmp(&b))
    });
    front
}

/// The cheapest of `candidates` = (index, cost, goal probability): the lowest cost, then the
/// highest probability, then the first.
pub(crate) fn cheapest(candidates: impl Iterator<Item = (usize, f64, f64)>) -> Option<usize> {
    candidates.min_by(|a, b| a.1.total_cmp(&b.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0))).map(|(i, ..)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20, "also seen": a point without cost parts costs +0 hours, never -0 (seen to fail
    /// with `Iterator::sum`, which starts at -0.0: summary.json said `-0.0`).
    #[test]
    fn no_cost_is_positive_zero() {
        let c = PointCost::from_parts(Vec::new(), Some(85.0));
        assert!(c.hours_per_month == 0.0 && c.hours_per_month.is_sign_positive());
        assert!(c.money_per_month.is_some_and(|m| m == 0.0 && m.is_sign_positive()));
        let zero = CostPart { lever: "channel digest".into(), hours_per_month: 0.0, formula: String::new() };
        assert!(PointCost::from_parts(vec![zero], None).hours_per_month.is_sign_positive());
    }

    #[test]
    fn a_working_day_is_the_reports_working_day() {
        assert_eq!(WORKING_DAY_HOURS, crate::report::WORKING_DAY_HOURS);
    }

    #[test]
    fn front_keeps_exactly_the_undominated_points() {
        // (cost, median T): 0 (0, 15), 1 (10, 13), 2 (50, 5), 3 (60, 5) dominated by 2,
        // 4 (10, 14) dominated by 1, 5 (5, inf) dominated by 0, 6 (50, 5) equal to 2: kept.
        let pts =
            [(0.0, 15.0), (10.0, 13.0), (50.0, 5.0), (60.0, 5.0), (10.0, 14.0), (5.0, f64::INFINITY), (50.0, 5.0)];
        assert_eq!(pareto_front(&pts), vec![0, 1, 2, 6]);
    }

    #[test]
    fn cheapest_prefers_lower_cost_then_higher_probability() {
        assert_eq!(cheapest([(0, 5.0, 0.9), (1, 3.0, 0.91), (2, 3.0, 0.95)].into_iter()), Some(2));
        assert_eq!(cheapest(std::iter::empty()), None);
    }

    #[test]
    fn return_is_value_of_saved_days_minus_extra_cost() {
        // 20 items a month, a day is 8 h, an item-day is worth 50 (money), 80 per hour of work:
        // median 40 h → 24 h saves 2 days per item, 40 item-days = 2000; extra 10 h = 800.
        let w = Worth { items_per_month: 20.0, value_per_item_day: 50.0, day_hours: 8.0 };
        let r = PointReturn::new(&w, Some(80.0), (5.0, Some(40.0)), (15.0, Some(24.0)));
        assert_eq!(r.extra_hours_per_month, 10.0);
        assert_eq!(r.item_days_saved_per_month, Some(40.0));
        assert_eq!(r.value_per_month, Some(2000.0));
        assert_eq!(r.net_per_month, Some(1200.0));
        assert_eq!(r.break_even_value_per_item_day, Some(20.0));
        let never = PointReturn::new(&w, None, (0.0, None), (1.0, Some(3.0)));
        assert_eq!((never.item_days_saved_per_month, never.net_per_month), (None, None));
    }
}
