//! "The decision": the report's first section — the decision chart and one recommendation
//! sentence (which lever, how sure, what it costs and returns, what to measure next), worded
//! from the [`Decision`] that `analysis::decision` computed. One unit of time ([`TimeUnit`])
//! throughout.

use crate::analysis::decision::{Across, Basis, Decision, DecisionRow, MeasureNext, Versus};
use crate::analysis::results::{Results, VariantResults};
use crate::random::dist::fmt_fixed;

use maud::{Markup, html};

use super::markup::figure;
use super::units::{TimeUnit, count, decimals_for};

/// A share as a whole percentage that never rounds a part away: "under 1%" for a share above 0
/// that rounds to 0%, "over 99%" for one below 1 that rounds to 100%.
pub(crate) fn pct(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "under 1%".into()
    } else if (0.995..1.0).contains(&share) {
        "over 99%".into()
    } else {
        format!("{:.0}%", 100.0 * share)
    }
}

/// A range of shares, "40–70%" ("under 1%–70%" where the low end rounds a part away).
fn pct_range(low: f64, high: f64) -> String {
    let (low, high) = (pct(low), pct(high));
    let plain = low.strip_suffix('%').filter(|n| n.chars().all(|c| c.is_ascii_digit()));
    match plain {
        Some(n) if high.chars().next().is_some_and(|c| c.is_ascii_digit()) => format!("{n}–{high}"),
        _ => format!("{low}–{high}"),
    }
}

/// The decimals of a row's figures: what the 95% interval of its median supports (without
/// worlds), else a quarter of its band.
fn row_decimals(results: &Results, row: &DecisionRow, unit: TimeUnit) -> usize {
    let v = &results.variants[row.point];
    let width = match (v.t_threshold.ci95_median, &v.worlds) {
        ([Some(a), Some(b)], None) => Some(b - a),
        _ => super::units::band_quarter(row.band[0], row.band[1]),
    };
    decimals_for(width.map(|w| w / unit.hours()))
}

/// With a fixed start: the moment `hours` after it, "Friday 2026-12-04 09:00 Europe/Berlin".
pub(crate) fn moment_words(v: &VariantResults, hours: f64) -> Option<String> {
    let c = v.clock.as_ref()?;
    let at = crate::model::calendar::moment_after(c.start.as_ref()?, &c.timezone, hours)?;
    Some(format!("{at} {}", c.timezone))
}

/// A time, with a fixed start also as the moment on the calendar: "3 calendar days (by Friday
/// 2026-12-04 09:00 Europe/Berlin)".
pub(crate) fn time_words(v: &VariantResults, hours: f64, unit: TimeUnit, decimals: usize) -> String {
    let s = unit.with_name(hours, decimals);
    match moment_words(v, hours) {
        Some(at) => format!("{s} (by {at})"),
        None => s,
    }
}

/// "10–90% of worlds: 2.1–4.8" (a bound that is never: "not reached").
fn band_text(across: Across, band: [Option<f64>; 2], unit: TimeUnit, decimals: usize) -> String {
    let b = |x: Option<f64>| x.map_or_else(|| "not reached".to_string(), |h| unit.number(h, decimals));
    let what = match across {
        Across::Worlds => "plausible worlds",
        Across::Replications => "replications",
    };
    format!("10–90% of {what}: {}–{}", b(band[0]), b(band[1]))
}

/// The share of the target that has processed the item by the horizon: the adoption curve's
/// point at the horizon (mean and 10–90% band across replications, all worlds pooled), if the
/// curve reaches the horizon (`[output] curve_hours` may end it earlier).
fn share_by_horizon(results: &Results, v: &VariantResults) -> Option<crate::analysis::stats::CurvePoint> {
    let last = v.curve.iter().rev().find(|c| c.hours <= results.horizon_hours * (1.0 + 1e-9))?;
    ((results.horizon_hours - last.hours).abs() <= 1e-9 * results.horizon_hours).then_some(*last)
}

/// A share by the horizon as its mean ("55%") and its band ("10–90% of replications: 40–70%").
fn share_words(c: &crate::analysis::stats::CurvePoint, across: Across) -> (String, String) {
    let what = match across {
        Across::Worlds => "replications, all plausible worlds pooled",
        Across::Replications => "replications",
    };
    (pct(c.mean), format!("10–90% of {what}: {}", pct_range(c.p10, c.p90)))
}

/// A short label for a design point: for sweep points the swept values with the last part of
/// each path ("fraction 0.1, mandate true"), else its name.
pub(crate) fn short_label(results: &Results, point: usize) -> String {
    if let Some(sw) = &results.sweep
        && let Some(p) = sw.points.iter().find(|p| p.point == point)
    {
        return sw
            .paths
            .iter()
            .zip(&p.values)
            .map(|(path, v)| format!("{} {}", path.rsplit('.').next().unwrap_or(path), v.text))
            .collect::<Vec<_>>()
            .join(", ");
    }
    results.variants[point].name.clone()
}

/// How the point compares unit by unit: "faster in 12 of 40 worlds, never slower, and neither
/// reaches in 28" — the four kinds apart.
pub(crate) fn versus_words(v: &Versus, across: Across, reference: &str) -> String {
    let (one, many) = match across {
        Across::Worlds => ("plausible world", "plausible worlds"),
        Across::Replications => ("replication", "replications"),
    };
    let n = |k: u64| match across {
        Across::Worlds => k.to_string(),
        Across::Replications => pct(k as f64 / v.total.max(1) as f64),
    };
    let of = match across {
        Across::Worlds => format!(" of {}", count(v.total, one, many)),
        Across::Replications => format!(" of {many}"),
    };
    let mut parts = vec![format!("faster than {reference} in {}{of}", n(v.faster))];
    parts.push(if v.slower == 0 { "never slower".into() } else { format!("slower in {}", n(v.slower)) });
    if v.same > 0 {
        parts.push(format!("the same in {}", n(v.same)));
    }
    if v.neither > 0 {
        parts.push(format!("neither reaches the threshold in {}", n(v.neither)));
    }
    let last = parts.pop().unwrap_or_default();
    if parts.len() == 1 { format!("{} and {last}", parts[0]) } else { format!("{}, and {last}", parts.join(", ")) }
}

/// What the point costs, in a clause: "it costs about 36 hours of work a month (3,060 EUR)".
fn cost_text(results: &Results, v: &VariantResults) -> Option<String> {
    let c = v.cost.as_ref()?;
    let money = match (c.money_per_month, results.costs.as_ref().and_then(|s| s.currency.as_deref())) {
        (Some(m), Some(cur)) => format!(" ({} {cur})", fmt_fixed(m, 0)),
        (Some(m), None) => format!(" ({} in money)", fmt_fixed(m, 0)),
        _ => String::new(),
    };
    if c.hours_per_month == 0.0 {
        return Some("it costs no extra work".into());
    }
    let h = crate::random::dist::fmt_decimals(c.hours_per_month, if c.hours_per_month >= 10.0 { 0 } else { 1 });
    let mut s = format!("it costs about {h} hours of work a month{money}");
    if let Some(r) = &v.return_
        && let (Some(saved), Some(value), Some(net)) = (r.item_days_saved_per_month, r.value_per_month, r.net_per_month)
        && saved > 0.0
    {
        let unit = results.costs.as_ref().and_then(|s| s.currency.clone()).unwrap_or_else(|| "hours".into());
        s += &format!(
            " and saves {} item-days of delay a month, worth {} {unit} ({} {unit} a month after its cost)",
            crate::random::dist::fmt_decimals(saved, 1),
            fmt_fixed(value, 0),
            crate::random::dist::fmt_signed(net, 0)
        );
    }
    Some(s)
}

/// The recommendation in one paragraph: which lever (or to keep today's setup), what it gives
/// (its median T against the reference's, and how often each reaches the threshold at all),
/// how sure (best in how many worlds, faster/slower/same/neither), what it costs and returns,
/// and what to measure next.
pub(crate) fn recommendation(results: &Results, d: &Decision) -> String {
    let unit = TimeUnit::of(results);
    let threshold = format!("{:.0}% of the target", 100.0 * results.threshold);
    let reference_name = &results.variants[d.reference].name;
    let today = results.reference.as_ref().map_or_else(|| "today".to_string(), |r| format!("\"{r}\""));
    let r = d.row(d.reference);
    let many = match d.across {
        Across::Worlds => "plausible worlds",
        Across::Replications => "replications",
    };
    let horizon = unit.horizon_words(results.horizon_hours);
    let reached_at = |row: &DecisionRow| match d.across {
        Across::Worlds => pct(row.worlds_reaching.unwrap_or(0.0)),
        Across::Replications => pct(row.reached),
    };
    let keep = d.basis == Basis::KeepReference || d.recommended == d.reference;
    let mut s = if keep {
        let why = if d.basis == Basis::CheapestMeetingGoal {
            format!("it already meets the goal ({})", super::costs::goal_text(results).unwrap_or_default())
        } else {
            format!("no variant is faster than {today} or reaches {threshold} more often")
        };
        format!(
            "Recommended: keep {} (\"{reference_name}\"): {why}.",
            if results.reference.is_some() { "it" } else { "today's setup" }
        )
    } else {
        let name = &results.variants[d.recommended].name;
        match d.basis {
            Basis::CheapestMeetingGoal => format!(
                "Recommended: \"{name}\", the cheapest variant that meets the goal ({}).",
                super::costs::goal_text(results).unwrap_or_default()
            ),
            _ => format!("Recommended: \"{name}\"."),
        }
    };
    let p = d.row(d.recommended);
    let pv = &results.variants[p.point];
    let rv = &results.variants[r.point];
    let dec = row_decimals(results, p, unit).min(row_decimals(results, r, unit));
    let median_words = match d.across {
        Across::Worlds => "in the median plausible world",
        Across::Replications => "in the median",
    };
    // What it gives.
    let gives = match (keep, p.median, r.median) {
        (true, Some(m), _) => format!(
            " {} have processed an item after {} {median_words} ({}).",
            cap(&threshold),
            time_words(rv, m, unit, dec),
            band_text(d.across, r.band, unit, dec)
        ),
        (true, None, _) => {
            let by = share_by_horizon(results, rv).map_or(String::new(), |c| {
                let (mean, band) = share_words(&c, d.across);
                format!(" By then, {mean} of the target have processed it on average ({band}).")
            });
            format!(" {} is not reached within the horizon ({horizon}) in most {many}.{by}", cap(&threshold))
        }
        (false, Some(m), Some(rm)) => format!(
            " With it, {threshold} have processed an item after {} {median_words} ({}), against {} {today}.",
            time_words(pv, m, unit, dec),
            band_text(d.across, p.band, unit, dec),
            time_words(rv, rm, unit, dec)
        ),
        (false, Some(m), None) => {
            let setup = if results.reference.is_some() { format!("with {today}") } else { "today".to_string() };
            let by = share_by_horizon(results, rv).map_or(String::new(), |c| {
                let (mean, band) = share_words(&c, d.across);
                format!(" By then, {mean} of the target have processed it {setup} on average ({band}).")
            });
            format!(
                " With it, {threshold} have processed an item after {} {median_words} ({}); {today} that is not \
                 reached within the horizon ({horizon}) in most {many}.{by}",
                time_words(pv, m, unit, dec),
                band_text(d.across, p.band, unit, dec)
            )
        }
        (false, None, _) => {
            let by = match (share_by_horizon(results, pv), share_by_horizon(results, rv)) {
                (Some(c), Some(rc)) => {
                    let setup = if results.reference.is_some() { format!("with {today}") } else { "today".to_string() };
                    let ((mean, band), (ref_mean, ref_band)) = (share_words(&c, d.across), share_words(&rc, d.across));
                    format!(
                        " By then, {mean} of the target have processed it with it on average ({band}), {ref_mean} \
                         {setup} ({ref_band})."
                    )
                }
                _ => String::new(),
            };
            format!(" Even with it, {threshold} is not reached within the horizon ({horizon}) in most {many}.{by}")
        }
    };
    s += &gives;
    // Reaching at all.
    if !keep && reached_at(p) != reached_at(r) {
        s += &format!(" It reaches {threshold} at all in {} of {many} instead of {}.", reached_at(p), reached_at(r));
    } else if keep && r.reached < 1.0 {
        s += &format!(" It is reached in {} of {many}.", reached_at(r));
    }
    // How sure.
    if !keep && let Some(v) = &p.versus {
        let best = p
            .p_best
            .map_or(String::new(), |b| format!("It is the fastest variant in {} of plausible worlds; ", pct(b)));
        let vs = versus_words(v, d.across, &today);
        s += &if best.is_empty() { format!(" It is {vs}.") } else { format!(" {best}it is {vs}.") };
    }
    // What it hinges on.
    if let Some(b) = &d.hinges {
        let limits = hinge_limits(b);
        s += &format!(
            " It hinges on {limits}: {threshold} is reached in {} of the plausible worlds where {limits} and in {} of \
             the others.",
            pct(b.density),
            pct(b.density_outside)
        );
    }
    // What it costs.
    if let Some(c) = cost_text(results, pv) {
        s += &format!(" {}.", cap(&c));
    }
    // What to measure next.
    match &d.measure_next {
        Some(MeasureNext::Factor { name, total, interval }) => {
            s += &format!(
                " Measure \"{name}\" next: it explains about {} of the uncertainty in this decision (95% interval {:.0}–{}).",
                pct(*total),
                100.0 * interval[0],
                pct(interval[1])
            );
        }
        Some(MeasureNext::NotEnoughSamples) => {
            s += " What to measure next: the sensitivity study has not enough samples to tell.";
        }
        None => {}
    }
    s
}

/// What `permeate optimise` found, for a person.
pub(crate) struct OptimumWords<'a> {
    /// The lever's dotted path.
    pub(crate) lever: &'a str,
    /// The smallest setting tried that meets the goal (`None`: even the range's end does not).
    pub(crate) value: Option<f64>,
    /// The searched range.
    pub(crate) range: [f64; 2],
    /// The goal: T at most these hours ...
    pub(crate) goal_hours: f64,
    /// ... in at least this share of replications.
    pub(crate) goal_probability: f64,
    /// The share of replications meeting the goal at `value` (at the range's end without one).
    pub(crate) probability: f64,
    /// Its 95% interval.
    pub(crate) probability_interval: [Option<f64>; 2],
    /// Where the smallest setting lies as far as the replications can tell
    /// ([`crate::analysis::decision::optimum_interval`]).
    pub(crate) setting_interval: [f64; 2],
    /// Hours of work a month at `value`, with `[costs]`.
    pub(crate) cost_hours_per_month: Option<f64>,
}

/// The optimum in one sentence: the setting to the precision its interval supports, with the
/// interval, and the share meeting the goal with its interval.
pub(crate) fn optimise_sentence(o: &OptimumWords<'_>) -> String {
    let f = |x: f64, d: usize| crate::random::dist::fmt_decimals(x, d);
    let share = |x: Option<f64>| x.map_or_else(|| "?".to_string(), |x| format!("{:.0}", 100.0 * x));
    let goal = format!("T ≤ {} h in {} of replications", f(o.goal_hours, 1), pct(o.goal_probability));
    let meet = format!(
        "{} of replications meet it there (95% interval {}–{}%)",
        pct(o.probability),
        share(o.probability_interval[0]),
        share(o.probability_interval[1])
    );
    match o.value {
        Some(v) => {
            let [a, b] = o.setting_interval;
            let d = decimals_for(Some(b - a)).max(1);
            let cost = o
                .cost_hours_per_month
                .map_or(String::new(), |c| format!("; it costs about {} hours of work a month", f(c, 0)));
            format!(
                "{} ≈ {} is the smallest setting in [{}, {}] that meets the goal ({goal}): {meet}; with that \
                 uncertainty the smallest setting lies between {} and {}{cost}.",
                o.lever,
                f(v, d),
                f(o.range[0], 4),
                f(o.range[1], 4),
                f(a, d + 1),
                f(b, d + 1)
            )
        }
        None => format!("Even {} = {} does not meet the goal ({goal}): {meet}.", o.lever, f(o.range[1], 4)),
    }
}

/// A factor value with two significant digits.
fn factor_value(x: f64) -> String {
    let d = if x == 0.0 { 0 } else { (1.0 - x.abs().log10().floor()).clamp(0.0, 6.0) as usize };
    crate::random::dist::fmt_decimals(x, d)
}

/// A PRIM box's limits in words: "developer notice ≥ 0.62 and chat delay ≤ 4.1".
fn hinge_limits(b: &crate::analysis::discovery::PrimBox) -> String {
    let one = |l: &crate::analysis::discovery::Limit| match (l.low, l.high) {
        (Some(a), Some(c)) => format!("{} between {} and {}", l.name, factor_value(a), factor_value(c)),
        (Some(a), None) => format!("{} ≥ {}", l.name, factor_value(a)),
        (None, Some(c)) => format!("{} ≤ {}", l.name, factor_value(c)),
        (None, None) => l.name.clone(),
    };
    b.limits.iter().map(one).collect::<Vec<_>>().join(" and ")
}

/// The first letter in upper case.
fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// The decision section of `report.html`: the recommendation, the decision chart and (when the
/// answer hinges on a factor) the tipping-point chart.
pub(crate) fn section<'c>(
    results: &Results,
    d: &Decision,
    charts: impl IntoIterator<Item = &'c super::charts::Chart>,
) -> Markup {
    html! {
        section #decision {
            h2 { "The decision" }
            p.recommendation { (recommendation(results, d)) }
            @for c in charts { (figure(c)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::decision::decide;
    use crate::analysis::facts::{ClockFacts, SweepFacts, SweepPointFacts, SweepValue};
    use crate::analysis::results::{Bottlenecks, UncertainSummary, WorldStats};
    use crate::analysis::sensitivity::{FactorIndices, OutputIndices, Sensitivity, SobolIndex};
    use crate::analysis::stats::{PairedWorlds, paired, reached_fraction, spread3, spread5, summarize};

    /// Hours of the horizon in these tests (60 working days).
    const HORIZON: f64 = 480.0;

    /// Results of design points with T per replication (world-major with `worlds`), made as the
    /// summary step makes them (the pooled summary, the paired comparison with the first, per
    /// world the medians and the share of worlds in which each point is fastest).
    fn results(worlds: Option<usize>, points: &[(&str, Vec<Option<f64>>)], clock: Option<ClockFacts>) -> Results {
        let reps = worlds.map_or(points[0].1.len(), |w| points[0].1.len() / w);
        let world_medians: Vec<Vec<Option<f64>>> =
            points.iter().map(|(_, t)| t.chunks(reps).map(|w| summarize(w).median).collect()).collect();
        let variants = points
            .iter()
            .enumerate()
            .map(|(i, (name, t))| {
                let mut s = summarize(t);
                #[allow(clippy::needless_range_loop)] // k indexes the worlds of every point.
                let p_best = worlds.map(|w| {
                    let mut best = 0.0;
                    #[allow(clippy::needless_range_loop)] // k indexes every point's medians, not one list
                    for k in 0..w {
                        let key = |p: usize| world_medians[p][k].unwrap_or(f64::INFINITY);
                        let low = (0..points.len()).map(key).fold(f64::INFINITY, f64::min);
                        let winners = (0..points.len()).filter(|&p| key(p) == low).count();
                        if low.is_finite() && key(i) == low {
                            best += 1.0 / winners as f64;
                        }
                    }
                    best / w as f64
                });
                if worlds.is_some() {
                    s.ci95_mean = None;
                    s.ci95_median = [None, None];
                }
                VariantResults {
                    name: name.to_string(),
                    description: None,
                    target_size: 10,
                    target_label: "role developer".into(),
                    threshold: 0.8,
                    reached_fraction: reached_fraction(t),
                    t_threshold: s,
                    vs_baseline: (i > 0).then(|| {
                        let mut p = paired(&points[0].1, t);
                        if let Some(w) = worlds {
                            let key = |p: usize, k: usize| world_medians[p][k].unwrap_or(f64::INFINITY);
                            let better = (0..w).filter(|&k| key(i, k) < key(0, k)).count();
                            let deltas: Vec<Option<f64>> =
                                (0..w).map(|k| Some(key(i, k) - key(0, k)).filter(|d| d.is_finite())).collect();
                            p.worlds = Some(PairedWorlds {
                                median_delta: spread3(&deltas),
                                p_better_worlds: better as f64 / w as f64,
                            });
                        }
                        p
                    }),
                    vs_reference: None,
                    bottlenecks: Bottlenecks::default(),
                    worlds: worlds.map(|_| WorldStats {
                        median: spread5(&world_medians[i]),
                        reached_fraction: spread5(
                            &t.chunks(reps).map(|w| Some(reached_fraction(w))).collect::<Vec<_>>(),
                        ),
                    }),
                    p_best,
                    replications: t.clone(),
                    curve: vec![],
                    clock: clock.clone(),
                    cost: None,
                    goal: None,
                    return_: None,
                }
            })
            .collect();
        Results {
            schema_version: crate::analysis::results::SCHEMA_VERSION,
            scenario: "test".into(),
            description: None,
            seed: 1,
            replications: reps as u64,
            threshold: 0.8,
            horizon_hours: HORIZON,
            target_size: 10,
            permeate_version: "test".into(),
            variants,
            sweep: None,
            uncertain: worlds.map(|w| UncertainSummary {
                worlds: w as u32,
                design: crate::design::worlds::WorldDesign::Random { count: w as u32 },
                factors: vec![],
            }),
            reference: None,
            coupling_exceptions: vec![],
            goal: None,
            costs: None,
            route: None,
            command_line_set: vec![],
        }
    }

    /// 11 replications, sorted 32…48 h: p10 34 h, median 40 h (5 working days), p90 46 h, and
    /// the median's 95% interval 34–46 h (12 h wide: whole working days).
    fn spread(shift: f64, scale: f64) -> Vec<Option<f64>> {
        [32.0, 34.0, 36.0, 38.0, 40.0, 40.0, 40.0, 42.0, 44.0, 46.0, 48.0]
            .iter()
            .map(|h| Some(h * scale + shift))
            .collect()
    }

    /// `n` worlds of 3 replications each at `t` (hours, `None` = not reached).
    fn worlds_of(blocks: &[(usize, Option<f64>)]) -> Vec<Option<f64>> {
        blocks.iter().flat_map(|&(n, t)| std::iter::repeat_n(t, 3 * n)).collect()
    }

    fn sobol(name: &str, s1: f64, st: f64, st_ci: [f64; 2]) -> FactorIndices {
        FactorIndices {
            factor: name.into(),
            sobol: Some(SobolIndex { s1, s1_ci: [s1 - 0.1, s1 + 0.1], st, st_ci }),
            morris: None,
        }
    }

    fn study(factors: Vec<FactorIndices>) -> Sensitivity {
        Sensitivity {
            method: "sobol".into(),
            samples: 16,
            worlds: 64,
            replications: 11,
            outputs: vec![OutputIndices {
                output: "median difference: faster − baseline".into(),
                variant: "faster".into(),
                decision: true,
                variance: 4.0,
                factors,
            }],
            advice: vec![],
        }
    }

    /// The answer sentences (one per variant) where the issue found them misleading, word for word.
    const ANSWERS: [(&str, &str, &str); 3] = [
        (
            "the baseline never reaches",
            "mandate",
            "With \"mandate\", 80% of the target (10 people, role developer) have processed an item after 4 working days \
             (median, 95% interval 3–4; reached in 100% of replications); today reaches it in 18.2% of replications and \
             its median is not reached within the horizon.",
        ),
        (
            "both never reach in some worlds",
            "mandate",
            "With \"mandate\", 80% of the target (10 people, role developer) have NOT processed an item within the \
             horizon of 60 working days in most replications (reached in 40% of replications); it is faster than today \
             in 4 of 10 plausible worlds, never slower, and neither reaches the threshold in 6; it reaches the threshold \
             in 40% of plausible worlds, today in 20%.",
        ),
        (
            "calendars with a fixed start",
            "faster",
            "With \"faster\", 80% of the target (10 people, role developer) have processed an item after 3 calendar days \
             (median, 95% interval 2–4; reached in 100% of replications), by Friday 2026-12-04 09:00 Europe/Berlin, 2 \
             calendar days sooner than today in the median (paired: mean difference -2.0 calendar days with 95% CI \
             -2.0…-2.0; in 80% of replications the difference is -2.0…-2.0 calendar days).",
        ),
    ];

    const ALL_REACH: &str = "Recommended: \"faster\". With it, 80% of the target have processed an item after 3 \
        working days in the median (10–90% of replications: 2–4), against 5 working days today. It is faster than \
        today in 100% of replications and never slower.";

    /// The recommendation in every regime of issue 21, word for word. Each expected text was
    /// worked out by hand from the data (quantiles of 11 sorted values are the 2nd, 6th and 10th;
    /// of 10 worlds' medians by linear interpolation; decimals from the width of the median's
    /// 95% interval). Broken versions seen to fail: counting worlds where neither reaches as
    /// slower (regimes "both never reach in some worlds" and "bimodal worlds"); ignoring the
    /// calendars when choosing the unit (both calendar regimes: "working days"); naming the
    /// factor with the largest total index although an index is outside [0, 1] (the small
    /// study with a negative index); the answer across worlds from the pooled paired comparison
    /// instead of the worlds counted apart ("both never reach in some worlds", its answer).
    /// Sorting by position instead of the median fails
    /// `rows_are_sorted_and_the_chart_has_every_point`.
    #[test]
    fn the_recommendation_is_right_in_every_regime() {
        let fixed = ClockFacts {
            start: Some("2026-12-01T09:00:00+01:00".into()),
            timezone: "Europe/Berlin".into(),
            calendar: "munich".into(),
        };
        let random = ClockFacts { start: None, ..fixed.clone() };
        let never = vec![None; 11];
        let mut only_two = vec![Some(50.0), Some(60.0)];
        only_two.extend(vec![None; 9]);
        let factors_clear =
            vec![sobol("developer notice", 0.6, 0.7, [0.55, 0.85]), sobol("chat delay", 0.1, 0.15, [0.05, 0.3])];
        let factors_negative =
            vec![sobol("developer notice", -0.2, 0.73, [0.3, 1.0]), sobol("chat delay", 0.1, 0.15, [0.05, 0.25])];
        let factors_straddle =
            vec![sobol("developer notice", 0.4, 0.5, [0.2, 0.8]), sobol("chat delay", 0.3, 0.4, [0.1, 0.7])];
        let regimes: Vec<(&str, Results, Option<Sensitivity>, String)> = vec![
            ("all reach", results(None, &[("baseline", spread(0.0, 1.0)), ("faster", spread(-16.0, 1.0))], None), None, ALL_REACH.into()),
            (
                "the baseline never reaches",
                results(None, &[("baseline", only_two.clone()), ("mandate", spread(-12.0, 1.0))], None),
                None,
                "Recommended: \"mandate\". With it, 80% of the target have processed an item after 4 working days in \
                 the median (10–90% of replications: 3–4); today that is not reached within the horizon (60 working \
                 days) in most replications. It reaches 80% of the target at all in 100% of replications instead of 18%. \
                 It is faster than today in 100% of replications and never slower."
                    .into(),
            ),
            (
                "a variant never reaches",
                results(
                    None,
                    &[("baseline", spread(0.0, 1.0)), ("never", never.clone()), ("faster", spread(-16.0, 1.0))],
                    None,
                ),
                None,
                ALL_REACH.into(),
            ),
            (
                "the only variant never reaches",
                results(None, &[("baseline", spread(0.0, 1.0)), ("never", never.clone())], None),
                None,
                "Recommended: keep today's setup (\"baseline\"): no variant is faster than today or reaches 80% of the \
                 target more often. 80% of the target have processed an item after 5 working days in the median \
                 (10–90% of replications: 4–6)."
                    .into(),
            ),
            (
                "both never reach in some worlds",
                results(
                    Some(10),
                    &[
                        ("baseline", worlds_of(&[(8, None), (2, Some(40.0))])),
                        ("mandate", worlds_of(&[(6, None), (2, Some(40.0)), (2, Some(24.0))])),
                    ],
                    None,
                ),
                None,
                "Recommended: \"mandate\". Even with it, 80% of the target is not reached within the horizon (60 \
                 working days) in most plausible worlds. It reaches 80% of the target at all in 40% of plausible worlds \
                 instead of 20%. It is the fastest variant in 40% of plausible worlds; it is faster than today in 4 of \
                 10 plausible worlds, never slower, and neither reaches the threshold in 6."
                    .into(),
            ),
            (
                "bimodal worlds",
                results(
                    Some(10),
                    &[
                        ("baseline", worlds_of(&[(4, None), (6, Some(40.0))])),
                        ("digest", worlds_of(&[(4, None), (6, Some(16.0))])),
                    ],
                    None,
                ),
                None,
                "Recommended: \"digest\". With it, 80% of the target have processed an item after 2 working days in the \
                 median plausible world (10–90% of plausible worlds: 2–not reached), against 5 working days today. It \
                 is the fastest variant in 60% of plausible worlds; it is faster than today in 6 of 10 plausible \
                 worlds, never slower, and neither reaches the threshold in 4."
                    .into(),
            ),
            (
                "calendars with a fixed start",
                results(None, &[("baseline", spread(0.0, 3.0)), ("faster", spread(-48.0, 3.0))], Some(fixed)),
                None,
                "Recommended: \"faster\". With it, 80% of the target have processed an item after 3 calendar days (by \
                 Friday 2026-12-04 09:00 Europe/Berlin) in the median (10–90% of replications: 2–4), against 5 calendar \
                 days (by Sunday 2026-12-06 09:00 Europe/Berlin) today. It is faster than today in 100% of replications \
                 and never slower."
                    .into(),
            ),
            (
                "calendars with a random start",
                results(None, &[("baseline", spread(0.0, 3.0)), ("faster", spread(-48.0, 3.0))], Some(random)),
                None,
                "Recommended: \"faster\". With it, 80% of the target have processed an item after 3 calendar days in the \
                 median (10–90% of replications: 2–4), against 5 calendar days today. It is faster than today in 100% \
                 of replications and never slower."
                    .into(),
            ),
            (
                "a sensitivity study that tells",
                results(None, &[("baseline", spread(0.0, 1.0)), ("faster", spread(-16.0, 1.0))], None),
                Some(study(factors_clear)),
                format!(
                    "{ALL_REACH} Measure \"developer notice\" next: it explains about 70% of the uncertainty in this \
                     decision (95% interval 55–85%)."
                ),
            ),
            (
                "a small sensitivity study: an index outside [0, 1]",
                results(None, &[("baseline", spread(0.0, 1.0)), ("faster", spread(-16.0, 1.0))], None),
                Some(study(factors_negative)),
                format!("{ALL_REACH} What to measure next: the sensitivity study has not enough samples to tell."),
            ),
            (
                "a small sensitivity study: intervals that overlap",
                results(None, &[("baseline", spread(0.0, 1.0)), ("faster", spread(-16.0, 1.0))], None),
                Some(study(factors_straddle)),
                format!("{ALL_REACH} What to measure next: the sensitivity study has not enough samples to tell."),
            ),
        ];
        let mut wrong = Vec::new();
        for (regime, r, sens, expected) in &regimes {
            let d = decide(r, sens.as_ref());
            let got = recommendation(r, &d);
            let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
            if got != expected {
                wrong.push(format!("{regime}:\n  got      {got}\n  expected {expected}"));
            }
            for bad in ["NaN", "never…", "±never", "inf", "8 h = 1 working day", "--samples", "1 people"] {
                assert!(!got.contains(bad), "{regime}: {bad:?} in {got}");
            }
            if r.variants[0].clock.is_some() {
                assert!(!got.contains("working day"), "{regime}: working days with calendars: {got}");
            }
            for v in &r.variants {
                let answer = crate::report::answer_sentence(r, &d, v);
                for bad in ["NaN", "never…", "±never", "inf", "8 h = 1 working day", "1 people", " h;", " h)"] {
                    assert!(!answer.contains(bad), "{regime}: {bad:?} in the answer {answer}");
                }
                if r.variants[0].clock.is_some() {
                    assert!(!answer.contains("working day"), "{regime}: working days with calendars: {answer}");
                }
                if let Some(expected) = ANSWERS.iter().find(|(g, n, _)| g == regime && *n == v.name).map(|a| a.2) {
                    let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
                    if answer != expected {
                        wrong.push(format!(
                            "{regime}, answer for {}:\n  got      {answer}\n  expected {expected}",
                            v.name
                        ));
                    }
                }
            }
            if regime.starts_with("a small") {
                assert!(!got.contains("developer notice") && !got.contains("chat delay"), "{regime}: names a factor");
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Where the threshold is not reached in most replications, the recommendation says how much
    /// of the target has processed the item by the horizon (the adoption curve's point at the
    /// horizon), so "not reached" is not the whole story; word for word, in the three regimes
    /// where it applies. A curve that ends before the horizon (`curve_hours`) says nothing.
    /// Broken versions seen to fail: the curve's last point taken whatever its time (the short
    /// curve's 30% appears); the variant's share stated for today (the baseline-never regime).
    #[test]
    fn not_reached_says_how_far_it_got_by_the_horizon() {
        use crate::analysis::stats::CurvePoint;
        let curve = |mean: f64, p10: f64, p90: f64| {
            vec![
                CurvePoint { hours: HORIZON / 2.0, mean: mean / 2.0, p10: p10 / 2.0, p90: p90 / 2.0 },
                CurvePoint { hours: HORIZON, mean, p10, p90 },
            ]
        };
        let mut only_two = vec![Some(50.0), Some(60.0)];
        only_two.extend(vec![None; 9]);
        let mut baseline_never = results(None, &[("baseline", only_two), ("mandate", spread(-12.0, 1.0))], None);
        baseline_never.variants[0].curve = curve(0.55, 0.4, 0.7);
        baseline_never.variants[1].curve = curve(0.95, 0.9, 1.0);
        let mut nothing = results(None, &[("baseline", vec![None; 11]), ("digest", vec![None; 11])], None);
        nothing.variants[0].curve = curve(0.3, 0.2, 0.45);
        nothing.variants[1].curve = curve(0.3, 0.2, 0.45);
        let mut worlds = results(
            Some(10),
            &[
                ("baseline", worlds_of(&[(8, None), (2, Some(40.0))])),
                ("mandate", worlds_of(&[(7, None), (3, Some(24.0))])),
            ],
            None,
        );
        worlds.variants[0].curve = curve(0.62, 0.35, 0.85);
        worlds.variants[1].curve = curve(0.7, 0.41, 0.9);
        let mut short = nothing.clone();
        for v in &mut short.variants {
            v.curve.truncate(1);
        }
        let cases = [
            (
                &baseline_never,
                "Recommended: \"mandate\". With it, 80% of the target have processed an item after 4 working days in \
                 the median (10–90% of replications: 3–4); today that is not reached within the horizon (60 working \
                 days) in most replications. By then, 55% of the target have processed it today on average (10–90% of \
                 replications: 40–70%). It reaches 80% of the target at all in 100% of replications instead of 18%. It \
                 is faster than today in 100% of replications and never slower.",
            ),
            (
                &nothing,
                "Recommended: keep today's setup (\"baseline\"): no variant is faster than today or reaches 80% of the \
                 target more often. 80% of the target is not reached within the horizon (60 working days) in most \
                 replications. By then, 30% of the target have processed it on average (10–90% of replications: \
                 20–45%). It is reached in 0% of replications.",
            ),
            (
                &worlds,
                "Recommended: \"mandate\". Even with it, 80% of the target is not reached within the horizon (60 \
                 working days) in most plausible worlds. By then, 70% of the target have processed it with it on \
                 average (10–90% of replications, all plausible worlds pooled: 41–90%), 62% today (10–90% of \
                 replications, all plausible worlds pooled: 35–85%). It reaches 80% of the target at all in 30% of \
                 plausible worlds instead of 20%. It is the fastest variant in 30% of plausible worlds; it is faster \
                 than today in 3 of 10 plausible worlds, never slower, and neither reaches the threshold in 7.",
            ),
            (
                &short,
                "Recommended: keep today's setup (\"baseline\"): no variant is faster than today or reaches 80% of the \
                 target more often. 80% of the target is not reached within the horizon (60 working days) in most \
                 replications. It is reached in 0% of replications.",
            ),
        ];
        let mut wrong = Vec::new();
        for (r, expected) in cases {
            let got = recommendation(r, &decide(r, None));
            let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
            if got != expected {
                wrong.push(format!("  got      {got}\n  expected {expected}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// 10 worlds: in 4 neither the baseline nor "digest" reaches, in 6 both do (digest faster).
    fn bimodal_digest() -> Results {
        results(
            Some(10),
            &[
                ("baseline", worlds_of(&[(4, None), (6, Some(40.0))])),
                ("digest", worlds_of(&[(4, None), (6, Some(16.0))])),
            ],
            None,
        )
    }

    /// "It hinges on …": the PRIM box in words, with the share reaching inside and outside. Broken
    /// version tried: the box's coverage instead of the density outside ("in 95% of the others").
    #[test]
    fn the_recommendation_says_what_it_hinges_on() {
        let r = bimodal_digest();
        let mut d = decide(&r, None);
        d.hinges = Some(crate::analysis::discovery::PrimBox {
            limits: vec![crate::analysis::discovery::Limit {
                factor: 0,
                name: "developer notice".into(),
                low: Some(0.6213),
                high: None,
            }],
            coverage: 0.95,
            density: 0.9,
            mass: 0.6,
            density_outside: 0.04,
        });
        let got = recommendation(&r, &d);
        let want = "It hinges on developer notice ≥ 0.62: 80% of the target is reached in 90% of the plausible worlds \
                    where developer notice ≥ 0.62 and in 4% of the others.";
        assert!(got.contains(want), "{got}");
    }

    /// The tipping-point chart: one dot per plausible world at (its factor value, the share of its
    /// replications reaching), filled for the recommendation and hollow for the reference, drawn
    /// only when the decision hinges on a factor. Known answer: worlds 0–3 never reach (share 0),
    /// worlds 4–9 always do (share 1), factor value k/10 for world k, so the filled dots' x grows
    /// with the world and the reaching worlds' dots lie above the others. Broken version seen to
    /// fail: the x axis from the world's index instead of its factor value (the dots' x order
    /// breaks with shuffled values).
    #[test]
    fn the_tipping_chart_puts_each_world_at_its_factor_value_and_share() {
        let r = bimodal_digest();
        let mut d = decide(&r, None);
        assert!(crate::report::charts::tipping(&r, &d, &[]).unwrap().is_none(), "no box, no chart");
        d.hinges = Some(crate::analysis::discovery::PrimBox {
            limits: vec![crate::analysis::discovery::Limit {
                factor: 1,
                name: "developer notice".into(),
                low: Some(0.35),
                high: None,
            }],
            coverage: 1.0,
            density: 1.0,
            mass: 0.6,
            density_outside: 0.0,
        });
        // Factor 1 is the deciding one; its values are shuffled against the world order.
        let order = [3usize, 0, 2, 1, 7, 4, 9, 5, 8, 6];
        let values: Vec<Vec<f64>> = order.iter().map(|&k| vec![0.5, k as f64 / 10.0]).collect();
        let chart = crate::report::charts::tipping(&r, &d, &values).unwrap().expect("a chart");
        let doc = roxmltree::Document::parse(&chart.svg).expect("well-formed SVG");
        let circles: Vec<(f64, f64, bool)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|n| {
                let f = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
                (f("cx"), f("cy"), n.attribute("fill").is_some_and(|c| c != "none"))
            })
            .collect();
        // 10 per point plus one legend mark each.
        assert_eq!(circles.len(), 22, "{circles:?}");
        let filled: Vec<(f64, f64)> = circles.iter().filter(|c| c.2).map(|c| (c.0, c.1)).take(10).collect();
        assert_eq!(filled.len(), 10);
        for (w, &(x, y)) in filled.iter().enumerate() {
            for (v, &(x2, y2)) in filled.iter().enumerate() {
                if order[w] < order[v] {
                    assert!(x < x2, "world {w} (value {}) is right of world {v}", order[w]);
                }
                if w < 4 && v >= 4 {
                    assert!(y > y2, "the never-reaching world {w} is not below the reaching world {v}");
                }
            }
        }
        assert!(chart.caption.contains("One dot per plausible world"));
    }

    /// Optimise: the setting to the precision its interval supports, with the interval (the
    /// issue's 0.4013671875 with no uncertainty). Broken versions tried: the bisection's
    /// resolution as the precision (gives 0.401).
    #[test]
    fn the_optimum_is_stated_to_its_precision() {
        let o = OptimumWords {
            lever: "involvement.fraction",
            value: Some(0.4013671875),
            range: [0.0, 1.0],
            goal_hours: 40.0,
            goal_probability: 0.9,
            probability: 0.9,
            probability_interval: [Some(0.851), Some(0.934)],
            setting_interval: [0.35, 0.47],
            cost_hours_per_month: Some(144.4),
        };
        assert_eq!(
            optimise_sentence(&o),
            "involvement.fraction ≈ 0.4 is the smallest setting in [0, 1] that meets the goal (T ≤ 40 h in 90% of \
             replications): 90% of replications meet it there (95% interval 85–93%); with that uncertainty the \
             smallest setting lies between 0.35 and 0.47; it costs about 144 hours of work a month."
        );
        let none = OptimumWords { value: None, probability: 0.5, probability_interval: [Some(0.4), Some(0.6)], ..o };
        assert_eq!(
            optimise_sentence(&none),
            "Even involvement.fraction = 1 does not meet the goal (T ≤ 40 h in 90% of replications): 50% of replications \
             meet it there (95% interval 40–60%)."
        );
    }

    /// The decision's rows: best first, a point that never reaches last, every sweep point there
    /// with a short label from its swept values, and the chart drawing every row.
    #[test]
    fn rows_are_sorted_and_the_chart_has_every_point() {
        let mut r = results(
            None,
            &[
                ("baseline", spread(0.0, 1.0)),
                ("never", vec![None; 11]),
                ("involvement.fraction=0.1", spread(-8.0, 1.0)),
                ("involvement.fraction=0.3", spread(-16.0, 1.0)),
            ],
            None,
        );
        let value = |x: f64| SweepValue { text: x.to_string(), number: Some(x) };
        r.sweep = Some(SweepFacts {
            paths: vec!["involvement.fraction".into()],
            points: vec![
                SweepPointFacts { values: vec![value(0.1)], point: 2 },
                SweepPointFacts { values: vec![value(0.3)], point: 3 },
            ],
        });
        let d = decide(&r, None);
        let order: Vec<&str> = d.rows.iter().map(|row| row.name.as_str()).collect();
        assert_eq!(order, ["involvement.fraction=0.3", "involvement.fraction=0.1", "baseline", "never"]);
        let chart = crate::report::charts::decision(&r, &d).expect("draws");
        let doc = roxmltree::Document::parse(&chart.svg).expect("well-formed SVG");
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
        for label in [
            "fraction 0.3",
            "fraction 0.1",
            "baseline",
            "never",
            "not reached →",
            "working days since the item appeared",
        ] {
            assert!(texts.iter().any(|t| t.contains(label)), "the decision chart lacks {label:?}: {texts:?}");
        }
    }
}
