//! "What it costs": the cheapest route to the goal, one sentence per design point (its cost and
//! whether it meets the goal), the Pareto front and the return, for `summary.md` and the HTML
//! report. Empty for results without `[costs]` or `[goal]`, so their files do not change.

use crate::random::dist::{fmt_decimals, fmt_fixed, fmt_pct};
use std::fmt::Write as _;

use super::WORKING_DAY_HOURS;
use maud::{Markup, html};

use super::markup::figure;
use crate::analysis::results::{Results, VariantResults};

/// The T label, e.g. `T80`.
fn t_name(results: &Results) -> String {
    format!("T{:.0}", 100.0 * results.threshold)
}

/// "40 h (5 working days)" without calendars, "40 h" with them.
fn hours_text(results: &Results, h: f64) -> String {
    if results.variants[0].clock.is_some() {
        format!("{} h", fmt_decimals(h, 1))
    } else {
        format!("{} h ({} working days)", fmt_decimals(h, 1), fmt_decimals(h / WORKING_DAY_HOURS, 1))
    }
}

/// "36 hours a month" or "36 hours a month (3,060 EUR)".
fn cost_text(results: &Results, v: &VariantResults) -> String {
    let Some(c) = &v.cost else { return "no cost".into() };
    let money = match (c.money_per_month, results.costs.as_ref().and_then(|s| s.currency.as_deref())) {
        (Some(m), Some(cur)) => format!(" ({} {cur})", fmt_fixed(m, 0)),
        (Some(m), None) => format!(" ({} in money)", fmt_fixed(m, 0)),
        _ => String::new(),
    };
    if c.hours_per_month == 0.0 {
        return format!("nothing extra{money}");
    }
    format!("≈ {} hours a month{money}", fmt_decimals(c.hours_per_month, 1))
}

/// The goal in words: "T80 ≤ 40 h (5 working days) in at least 90% of replications".
pub(crate) fn goal_text(results: &Results) -> Option<String> {
    let g = results.goal.as_ref()?;
    let worlds = if results.uncertain.is_some() { " and of plausible worlds" } else { "" };
    let time = match g.working_days() {
        Some((days, calendar)) => format!(
            "{} working days on calendar {} ({} h of clock time from the item's appearance)",
            fmt_decimals(days, 1),
            calendar,
            fmt_decimals(g.t_hours(), 1)
        ),
        None => hours_text(results, g.t_hours()),
    };
    Some(format!("{} ≤ {time} in at least {} of replications{worlds}", t_name(results), fmt_pct(g.probability())))
}

/// One sentence per design point: what it costs and whether it meets the goal.
pub(crate) fn point_sentence(results: &Results, v: &VariantResults) -> String {
    let parts = v
        .cost
        .as_ref()
        .filter(|c| !c.parts.is_empty())
        .map(|c| {
            let p: Vec<String> = c.parts.iter().map(|p| format!("{}: {}", p.lever, p.formula)).collect();
            format!(" [{}]", p.join("; "))
        })
        .unwrap_or_default();
    let goal = match &v.goal {
        None => match v.t_threshold.median {
            Some(m) => format!(", median {} {}", t_name(results), hours_text(results, m)),
            None => format!(", median {} not reached", t_name(results)),
        },
        Some(g) => match &g.worlds {
            Some(w) => format!(
                " and {} the goal: it meets it in {} of plausible worlds (95% interval {}–{})",
                if g.meets { "meets" } else { "does not meet" },
                fmt_pct(w.share),
                w.interval[0].map_or("?".into(), fmt_pct),
                w.interval[1].map_or("?".into(), fmt_pct)
            ),
            None => format!(
                " and {} the goal: {} of replications meet it (95% interval {}–{}, Monte Carlo)",
                if g.meets { "meets" } else { "does not meet" },
                fmt_pct(g.probability),
                g.interval[0].map_or("?".into(), fmt_pct),
                g.interval[1].map_or("?".into(), fmt_pct)
            ),
        },
    };
    if v.cost.is_none() {
        // A goal without costs: only whether the point meets it.
        return format!("“{}”{}.", v.name, goal.trim_start_matches(" and"));
    }
    format!("“{}” costs {}{parts}{goal}.", v.name, cost_text(results, v))
}

/// The headline: the cheapest point that meets the goal, or that none does.
pub(crate) fn route_sentence(results: &Results) -> Option<String> {
    let route = results.route.as_ref()?;
    let goal = goal_text(results)?;
    Some(match &route.cheapest {
        Some(name) => {
            let v = results.variants.iter().find(|v| &v.name == name)?;
            format!(
                "The cheapest way to the goal ({goal}) among the variants is “{name}”, at {}.",
                cost_text(results, v)
            )
        }
        None => format!("No variant meets the goal ({goal})."),
    })
}

/// With a one-path sweep: the smallest swept value that meets the goal, in a sentence, and the
/// point's name.
fn sweep_sentence(results: &Results) -> Option<(String, String)> {
    let sw = results.sweep.as_ref().filter(|sw| sw.paths.len() == 1)?;
    let best = sw
        .points
        .iter()
        .filter(|p| results.variants[p.point].goal.as_ref().is_some_and(|g| g.meets))
        .filter_map(|p| p.values[0].number.map(|x| (x, p)))
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    let v = &results.variants[best.1.point];
    let sentence = format!(
        "Of the sweep over {}, the smallest value that meets the goal is {}, at {}.",
        sw.paths[0],
        best.1.values[0].text,
        cost_text(results, v)
    );
    Some((sentence, v.name.clone()))
}

/// The answer in two or three sentences: the cheapest point meeting the goal (or that none
/// does), what it returns (with a value of time) and, with a one-path sweep, its smallest
/// value meeting the goal.
pub(crate) fn headline(results: &Results) -> Option<String> {
    let mut s = route_sentence(results)?;
    let route = results.route.as_ref()?;
    if let Some(v) = route.cheapest.as_ref().and_then(|n| results.variants.iter().find(|v| &v.name == n))
        && v.name != results.variants[0].name
        && let Some(r) = return_clause(results, v)
    {
        s += &format!(" What it returns: {r}");
    }
    if let Some((sw, point)) = sweep_sentence(results)
        && route.cheapest.as_ref() != Some(&point)
    {
        s += &format!(" {sw}");
    }
    Some(s)
}

/// The return of a point over the baseline, in a sentence (with a value of time).
pub(crate) fn return_sentence(results: &Results, v: &VariantResults) -> Option<String> {
    Some(format!("“{}”: {}", v.name, return_clause(results, v)?))
}

/// The return of a point without its name: "28 hours a month more than the baseline save …".
fn return_clause(results: &Results, v: &VariantResults) -> Option<String> {
    let r = v.return_.as_ref()?;
    let settings = results.costs.as_ref()?;
    let unit = match (settings.money_per_hour, settings.currency.as_deref()) {
        (Some(_), Some(c)) => c.to_string(),
        (Some(_), None) => "in money".to_string(),
        (None, _) => "hours".to_string(),
    };
    let extra = format!("{} hours a month more than the baseline", fmt_decimals(r.extra_hours_per_month, 1));
    Some(match (r.item_days_saved_per_month, r.net_per_month) {
        (Some(saved), Some(net)) if saved > 0.0 => format!(
            "{extra} save {} item-days of delay a month, worth {} {unit}; net {}{} {unit} a month; it breaks \
             even at {} {unit} per item-day.",
            fmt_decimals(saved, 1),
            fmt_fixed(r.value_per_month.unwrap_or(0.0), 0),
            if net >= 0.0 { "+" } else { "" },
            fmt_fixed(net, 0),
            fmt_fixed(r.break_even_value_per_item_day.unwrap_or(0.0), 0)
        ),
        (Some(saved), _) => format!("{extra} and saves no delay ({} item-days a month).", fmt_decimals(saved, 1)),
        (None, _) => format!("{extra}; its median {} is not reached, so no return is stated.", t_name(results)),
    })
}

/// "The goal" for results with a goal but no costs: whether each point meets it.
fn goal_only_md(results: &Results) -> String {
    let Some(goal) = goal_text(results) else { return String::new() };
    let mut s = format!("\n## The goal\n\nThe goal: {goal}.\n\n");
    for v in &results.variants {
        let _ = writeln!(s, "- {}", point_sentence(results, v));
    }
    s
}

/// The section of `summary.md`: "What it costs" with `[costs]`, "The goal" with only a goal,
/// else empty.
pub(crate) fn costs_md(results: &Results) -> String {
    let Some(route) = &results.route else { return goal_only_md(results) };
    let mut s = String::from("\n## What it costs\n\n");
    if let Some(r) = headline(results) {
        let _ = writeln!(s, "{r}\n");
    }
    for v in &results.variants {
        let _ = writeln!(s, "- {}", point_sentence(results, v));
    }
    let _ = writeln!(
        s,
        "\nOn the front of cost against median {} (no point is both cheaper and faster): {}.",
        t_name(results),
        route.front_median.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ")
    );
    if !route.front_goal.is_empty() {
        let _ = writeln!(
            s,
            "On the front of cost against the goal probability: {}.",
            route.front_goal.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ")
        );
    }
    let returns: Vec<String> = results.variants.iter().skip(1).filter_map(|v| return_sentence(results, v)).collect();
    if !returns.is_empty() {
        if let Some(c) = &results.costs
            && let Some(w) = c.worth
        {
            let unit = match (c.money_per_hour, c.currency.as_deref()) {
                (Some(_), Some(cur)) => format!(" {cur}"),
                (Some(_), None) => " (money)".into(),
                (None, _) => " hours of work".into(),
            };
            let _ = writeln!(
                s,
                "\n**Return** ({} items a month, an item-day of delay worth {}{unit}; a day is {} h of {}):\n",
                fmt_decimals(w.items_per_month, 1),
                fmt_decimals(w.value_per_item_day, 1),
                fmt_decimals(w.day_hours, 1),
                t_name(results)
            );
        }
        for r in returns {
            let _ = writeln!(s, "- {r}");
        }
    }
    s += "\nCosts are hours of work per month computed per lever from each variant's own settings (see \
          docs/model.md, \"What it costs\"); the goal's interval is the Monte Carlo uncertainty of the replications, \
          not of the assumptions.\n";
    s
}

/// The section of the HTML report (empty without costs), with the cost chart if drawn.
pub(crate) fn costs_html(results: &Results, chart: Option<&super::charts::Chart>) -> Markup {
    if results.route.is_none() {
        let Some(goal) = goal_text(results) else { return Markup::default() };
        return html! {
            section #goal {
                h2 { "The goal" }
                p { "The goal: " (goal) "." }
                ul.answers {
                    @for v in &results.variants { li { (point_sentence(results, v)) } }
                }
            }
        };
    }
    let sweep_points = results.sweep_points();
    let returns: Vec<(usize, String)> = results
        .variants
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(k, v)| Some((k, return_sentence(results, v)?)))
        .collect();
    html! {
        section #costs {
            h2 { "What it costs" }
            @if let Some(r) = headline(results) { p.answer { (r) } }
            @if let Some(c) = chart { (figure(c)) }
            ul.answers {
                @for (k, v) in results.variants.iter().enumerate() {
                    li class=[sweep_points.contains(&k).then_some("sweeppoint")] { (point_sentence(results, v)) }
                }
            }
            @if !returns.is_empty() {
                h3 { "Return" }
                ul {
                    @for (k, r) in &returns { li class=[sweep_points.contains(k).then_some("sweeppoint")] { (r) } }
                }
            }
        }
    }
}
