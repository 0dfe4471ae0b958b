//! Report writers: `summary.json`, `replications.csv`, `curve.csv`, `sweep.csv` (with a sweep),
//! `summary.md`, the workshop report `report.html` (`html`) and its charts as SVG files in
//! `charts/` (`charts`), written whole: everything goes to a temporary folder beside the output
//! folder, which then replaces it, so a failed run never leaves half-written results.

pub(crate) mod calibration;
pub(crate) mod charts;
pub(crate) mod costs;
pub(crate) mod decision;
pub(crate) mod html;
pub(crate) mod markup;
pub(crate) mod organisation;
pub(crate) mod units;

use crate::random::dist::{fmt_decimals, fmt_fixed, fmt_pct};
use std::fmt::Write as _;
use std::path::Path;

use crate::analysis::Analyses;
use crate::analysis::facts::Facts;
use crate::analysis::results::{Results, VariantResults};
use crate::error::Error;

/// Hours in a working day, for the plain-language figures (the one convention, shared with the
/// goals and the value of an item-day).
pub use crate::analysis::costs::WORKING_DAY_HOURS;

/// `summary.json` as a string: the results type, pretty-printed.
pub fn summary_json(results: &Results) -> String {
    serde_json::to_string_pretty(results).expect("plain data serialises") + "\n"
}

fn csv_string(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    write(&mut w).expect("writing CSV to memory cannot fail");
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("UTF-8 in, UTF-8 out")
}

/// `replications.csv`: `variant,replication,t_threshold,reached` — with uncertain assumptions
/// `variant,world,replication,t_threshold,reached`.
pub fn replications_csv(results: &Results) -> String {
    let per_world = results.replications.max(1) as usize;
    let worlds = results.uncertain.is_some();
    csv_string(|w| {
        if worlds {
            w.write_record(["variant", "world", "replication", "t_threshold", "reached"])?;
        } else {
            w.write_record(["variant", "replication", "t_threshold", "reached"])?;
        }
        for v in &results.variants {
            for (i, t) in v.replications.iter().enumerate() {
                // The engine computes times in f32: print its shortest exact form, not f64 noise.
                let t_text = t.map(|t| (t as f32).to_string()).unwrap_or_default();
                let reached = if t.is_some() { "true" } else { "false" };
                if worlds {
                    let (world, r) = ((i / per_world).to_string(), (i % per_world).to_string());
                    w.write_record([v.name.as_str(), &world, &r, &t_text, reached])?;
                } else {
                    w.write_record([v.name.as_str(), &i.to_string(), &t_text, reached])?;
                }
            }
        }
        Ok(())
    })
}

/// A number in a data CSV: its shortest exact form (`0.1`, `84.17376`), in exponent form far
/// from 1 (`1e300`, `5e-324`) so no cell holds hundreds of digits; empty for `None`.
fn cell(x: Option<f64>) -> String {
    x.map(data_number).unwrap_or_default()
}

/// `x` as [`cell`] writes it.
fn data_number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e16).contains(&x.abs()) { format!("{x:e}") } else { x.to_string() }
}

/// `summary.csv`: one tidy row per design point (`world` empty: over all replications) and,
/// with worlds, per point and world. Columns: `point,kind`, one per swept path, `world,
/// replications,threshold_share,target_size,reached_share`, `T_mean_hours, T_median_hours,
/// T_p10_hours, T_p90_hours, T_median_ci95_low_hours, T_median_ci95_high_hours` (T is `t80` when
/// every point has the 80% threshold, else `t_threshold`), and the paired difference from the
/// reference: `reference, delta_median_hours, delta_mean_hours, p_faster, p_slower`. An empty
/// statistic is one that falls among replications that never reached (or has no data).
pub fn summary_csv(tidy: &crate::analysis::tidy::Tidy) -> String {
    csv_string(|w| {
        let t = &tidy.t_name;
        let mut header: Vec<String> = vec!["point".into(), "kind".into()];
        header.extend(tidy.sweep_paths.iter().cloned());
        header.extend(["world", "replications", "threshold_share", "target_size", "reached_share"].map(String::from));
        for s in ["mean", "median", "p10", "p90", "median_ci95_low", "median_ci95_high"] {
            header.push(format!("{t}_{s}_hours"));
        }
        header
            .extend(["reference", "delta_median_hours", "delta_mean_hours", "p_faster", "p_slower"].map(String::from));
        w.write_record(&header)?;
        for r in &tidy.rows {
            let mut row: Vec<String> = vec![r.point.clone(), r.kind.to_string()];
            row.extend(r.swept.iter().cloned());
            row.push(r.world.map(|w| w.to_string()).unwrap_or_default());
            row.push(r.replications.to_string());
            row.push(data_number(r.threshold));
            row.push(r.target_size.to_string());
            row.push(data_number(r.reached_share));
            row.extend([r.t.mean, r.t.median, r.t.p10, r.t.p90, r.t.ci95_median[0], r.t.ci95_median[1]].map(cell));
            match &r.vs_reference {
                Some(d) => row.extend([
                    d.reference.clone(),
                    cell(d.median_hours),
                    cell(d.mean_hours),
                    data_number(d.p_faster),
                    data_number(d.p_slower),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 5)),
            }
            w.write_record(&row)?;
        }
        Ok(())
    })
}

/// `unit-flow.csv`: the unit → unit flow of the critical paths, one row per (point, sender's
/// unit, receiver's unit) that occurs: `variant` (the baseline, then the recommended point),
/// `from_unit, to_unit`, `critical_paths` (replications whose critical path uses at least one
/// link between them) and `share` (of all the point's replications, 0–1).
pub fn unit_flow_csv(flow: &crate::analysis::flow::UnitFlow) -> String {
    csv_string(|w| {
        w.write_record(["variant", "from_unit", "to_unit", "critical_paths", "share"])?;
        for p in &flow.points {
            for c in &p.cells {
                w.write_record([
                    p.variant.as_str(),
                    &c.from_unit,
                    &c.to_unit,
                    &c.critical_paths.to_string(),
                    &data_number(c.share),
                ])?;
            }
        }
        Ok(())
    })
}

/// `worlds.csv`: `world` and one column per uncertain factor (by its name), each world's values
/// as drawn: running a plain scenario with these values reproduces the world's replications.
pub fn worlds_csv(tidy: &crate::analysis::tidy::Tidy) -> String {
    csv_string(|w| {
        let mut header = vec!["world".to_string()];
        header.extend(tidy.factor_names.iter().cloned());
        w.write_record(&header)?;
        for (i, values) in tidy.world_values.iter().enumerate() {
            let mut row = vec![i.to_string()];
            row.extend(values.iter().map(|&v| data_number(v)));
            w.write_record(&row)?;
        }
        Ok(())
    })
}

/// `curve.csv`: `variant,hours,mean,p10,p90` (shares of the target, 0–1).
pub fn curve_csv(results: &Results) -> String {
    csv_string(|w| {
        w.write_record(["variant", "hours", "mean", "p10", "p90"])?;
        for v in &results.variants {
            for p in &v.curve {
                w.write_record([
                    v.name.clone(),
                    fmt_decimals(p.hours, 6),
                    fmt_decimals(p.mean, 6),
                    fmt_decimals(p.p10, 6),
                    fmt_decimals(p.p90, 6),
                ])?;
            }
        }
        Ok(())
    })
}

/// `sweep.csv`: the swept values, then median T_threshold with its 95% interval, the reached
/// fraction and the mean, per sweep point.
pub fn sweep_csv(results: &Results) -> Option<String> {
    let sweep = results.sweep.as_ref()?;
    Some(csv_string(|w| {
        let mut header: Vec<String> = sweep.paths.clone();
        header.extend(
            ["variant", "median", "ci95_median_low", "ci95_median_high", "reached_fraction", "mean"].map(String::from),
        );
        // With `[goal]` and `[costs]`, each point's goal share (and, with worlds, the share of
        // worlds meeting it), whether it meets the goal, and its cost.
        let goal = results.goal.is_some();
        let worlds = goal && results.variants.iter().any(|v| v.goal.as_ref().is_some_and(|g| g.worlds.is_some()));
        let costs = results.costs.is_some();
        if goal {
            header.extend(["goal_probability", "meets_goal"].map(String::from));
        }
        if worlds {
            header.push("goal_worlds_share".into());
        }
        if costs {
            header.push("cost_hours_per_month".into());
        }
        w.write_record(&header)?;
        for p in &sweep.points {
            let v = &results.variants[p.point];
            let mut row: Vec<String> = p.values.iter().map(|x| x.text.clone()).collect();
            let s = &v.t_threshold;
            row.extend([
                v.name.clone(),
                opt(s.median),
                opt(s.ci95_median[0]),
                opt(s.ci95_median[1]),
                fmt_decimals(v.reached_fraction, 6),
                opt(s.mean),
            ]);
            if goal {
                row.push(opt(v.goal.as_ref().map(|g| g.probability)));
                row.push(v.goal.as_ref().map_or(String::new(), |g| g.meets.to_string()));
            }
            if worlds {
                row.push(opt(v.goal.as_ref().and_then(|g| g.worlds.as_ref()).map(|w| w.share)));
            }
            if costs {
                row.push(opt(v.cost.as_ref().map(|c| c.hours_per_month)));
            }
            w.write_record(&row)?;
        }
        Ok(())
    }))
}

fn opt(x: Option<f64>) -> String {
    x.map(|x| fmt_decimals(x, 6)).unwrap_or_default()
}

/// Hours with one decimal, or "not reached".
pub fn hours(x: Option<f64>) -> String {
    x.map_or_else(|| "not reached".into(), |h| format!("{} h", fmt_fixed(h, 1)))
}

fn interval(ci: [Option<f64>; 2]) -> String {
    let b = |x: Option<f64>| x.map_or_else(|| "never".into(), |h| fmt_fixed(h, 1));
    format!("{}–{}", b(ci[0]), b(ci[1]))
}

fn signed(x: f64) -> String {
    crate::random::dist::fmt_signed(x, 1)
}

/// One row of the headline table: (variant, reached, median (CI), mean (CI), p10–p90, vs baseline).
/// The paired comparison the report shows for `v`: with the reference (`compare_to`) where one
/// is set, else with the baseline; `None` for the reference itself and where not paired.
pub fn comparison<'a>(results: &'a Results, v: &'a VariantResults) -> Option<&'a crate::analysis::stats::Paired> {
    if results.reference.is_some() { v.vs_reference.as_ref() } else { v.vs_baseline.as_ref() }
}

/// How the report names the reference in sentences: "today" for the baseline, else the
/// reference variant's name in quotes.
fn reference_words(results: &Results) -> String {
    results.reference.as_ref().map_or_else(|| "today".to_string(), |r| format!("\"{r}\""))
}

/// The name of the reference point (the baseline unless `compare_to` names another).
fn reference_name(results: &Results) -> &str {
    results.reference.as_deref().unwrap_or(&results.variants[0].name)
}

fn headline_row(results: &Results, v: &VariantResults) -> [String; 6] {
    let s = &v.t_threshold;
    let not_paired = || {
        if v.name == reference_name(results) {
            "—".to_string()
        } else {
            "not paired: another target group".to_string()
        }
    };
    if let Some(w) = &v.worlds {
        let range = |a: Option<f64>, b: Option<f64>| {
            let f = |x: Option<f64>| x.map_or_else(|| "never".into(), |h| fmt_fixed(h, 1));
            format!("{}–{}", f(a), f(b))
        };
        let vs = match comparison(results, v).and_then(|p| p.worlds.as_ref()) {
            None => not_paired(),
            Some(pw) => format!(
                "better in {:.0}% of worlds; per-world median difference {}",
                100.0 * pw.p_better_worlds,
                delta_range(pw.median_delta.p10, pw.median_delta.p90)
            ),
        };
        return [
            v.name.clone(),
            reached_pct(v.reached_fraction),
            format!("{} ({})", hours(s.median), range(w.median.p10, w.median.p90)),
            hours(s.mean),
            range(s.p10, s.p90),
            vs,
        ];
    }
    let vs = match comparison(results, v) {
        None => not_paired(),
        Some(p) => {
            let mean = match (p.mean_delta, p.ci95_mean_delta) {
                (Some(m), Some([lo, hi])) => {
                    format!("mean {} h ({}…{})", signed(m), signed(lo), signed(hi))
                }
                (Some(m), None) => format!("mean {} h", signed(m)),
                _ => "mean —".into(),
            };
            let median = p.median_delta.map_or_else(|| "median —".into(), |m| format!("median {} h", signed(m)));
            format!("{mean}; {median}; 80% of replications {}", delta_range(p.delta_p10, p.delta_p90))
        }
    };
    [
        v.name.clone(),
        reached_pct(v.reached_fraction),
        format!("{} ({})", hours(s.median), interval(s.ci95_median)),
        match (s.mean, s.ci95_mean) {
            (Some(m), Some([lo, hi])) => format!("{} h ({}–{})", fmt_fixed(m, 1), fmt_fixed(lo, 1), fmt_fixed(hi, 1)),
            (m, _) => hours(m),
        },
        format!(
            "{}–{}",
            s.p10.map_or("never".into(), |x| fmt_fixed(x, 1)),
            s.p90.map_or("never".into(), |x| fmt_fixed(x, 1))
        ),
        vs,
    ]
}

/// The headline table's columns with uncertain assumptions: the spreads are across worlds.
const HEADLINE_WORLDS: [&str; 6] = [
    "variant",
    "reached",
    "median T (10–90% of worlds)",
    "mean T (pooled)",
    "p10–p90 (h, pooled)",
    "vs baseline (across worlds)",
];

/// The headline table's columns for `results` (the last names the reference).
fn headline(results: &Results) -> [String; 6] {
    let mut h = if results.uncertain.is_some() { HEADLINE_WORLDS } else { HEADLINE }.map(String::from);
    if let Some(r) = &results.reference {
        h[5] = h[5].replace("vs baseline", &format!("vs {r}"));
    }
    h
}

const HEADLINE: [&str; 6] =
    ["variant", "reached", "median T (95% CI)", "mean T (95% CI)", "p10–p90 (h)", "vs baseline (paired)"];

/// The terminal's paired comparison: the median paired difference (without worlds) or the share
/// of worlds in which the point is better (with worlds); the full comparison is in `summary.md`.
fn compact_vs(results: &Results, v: &VariantResults) -> String {
    if v.name == reference_name(results) {
        return "—".into();
    }
    match comparison(results, v) {
        None => "not paired".into(),
        Some(p) => match &p.worlds {
            Some(pw) => format!("better in {:.0}% of worlds", 100.0 * pw.p_better_worlds),
            None => p.median_delta.map_or_else(|| "—".into(), |m| format!("{} h", signed(m))),
        },
    }
}

/// `text` broken into lines of at most `width` characters at spaces (a longer word keeps its
/// own line), each line ending in a newline.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out += &line;
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += word;
    }
    out += &line;
    out.push('\n');
    out
}

/// The headline table as aligned plain text for the terminal, at most [`TERMINAL_COLUMNS`]
/// wide: variant, reached, median T with its interval, p10–p90 and the paired comparison in
/// short (the whole table is in `summary.md`).
pub fn headline_text(results: &Results) -> String {
    let full: Vec<[String; 6]> = results.variants.iter().map(|v| headline_row(results, v)).collect();
    let mut rows: Vec<[String; 5]> = full
        .iter()
        .zip(&results.variants)
        .map(|(r, v)| [r[0].clone(), r[1].clone(), r[2].clone(), r[4].clone(), compact_vs(results, v)])
        .collect();
    let h = headline(results);
    let reference = reference_name(results);
    let vs_head = if results.uncertain.is_some() {
        format!("vs {}", fit(reference, 20))
    } else {
        format!("vs {} (median)", fit(reference, 20))
    };
    let head = [h[0].clone(), h[1].clone(), h[2].clone(), h[4].clone(), vs_head];
    let width_of = |col: usize, rows: &[[String; 5]]| {
        rows.iter().map(|r| r[col].chars().count()).chain([head[col].chars().count()]).max().unwrap_or(0)
    };
    let others: usize = (1..5).map(|c| width_of(c, &rows)).sum::<usize>() + 2 * 4;
    let name_width = TERMINAL_COLUMNS.saturating_sub(others).max(10);
    for r in &mut rows {
        r[0] = fit(&r[0], name_width);
    }
    let mut widths = [0usize; 5];
    for (c, w) in widths.iter_mut().enumerate() {
        *w = width_of(c, &rows);
    }
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let base = &results.variants[0];
    let title = format!(
        "{}: T{:.0} = time until {:.0}% of the target ({}, {}) have processed the item ({} replications, seed {})",
        results.scenario,
        100.0 * base.threshold,
        100.0 * base.threshold,
        units::count(u64::from(base.target_size), "person", "people"),
        base.target_label,
        results.replications,
        results.seed
    );
    let mut s = wrap(&title, TERMINAL_COLUMNS);
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}", w = w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
            + "\n"
    };
    s += &line(&head);
    for r in &rows {
        s += &line(r);
    }
    s
}

/// A reached fraction as a percentage that never rounds a miss away: "100%" only if all reached.
fn reached_pct(f: f64) -> String {
    if (0.9995..1.0).contains(&f) { "99.9%".to_string() } else { format!("{:.1}%", 100.0 * f).replace(".0%", "%") }
}

/// "1000 replications per variant", or with uncertain assumptions "100 replications per world and
/// variant in 200 plausible worlds".
pub fn replications_text(results: &Results) -> String {
    match &results.uncertain {
        None => format!("{} replications per variant", results.replications),
        Some(u) if matches!(u.design, crate::design::worlds::WorldDesign::Posterior { .. }) => format!(
            "{} replications per world and variant in {} plausible worlds (a calibration's posterior: the assumptions fitted to measurements)",
            results.replications, u.worlds
        ),
        Some(u) => {
            format!("{} replications per world and variant in {} plausible worlds", results.replications, u.worlds)
        }
    }
}

/// A range of paired differences in hours, "−12.0…+1.5 h"; where a bound is infinite (one side
/// reaches and the other does not in more than a tenth of the replications) it says so instead
/// of printing "never".
fn delta_range(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => format!("{}…{} h", signed(a), signed(b)),
        _ => "unbounded (only one side reaches in over 10% of them)".into(),
    }
}

/// A paired difference range in `unit`: "−8.4…−2.1 working days" or, unbounded, as
/// [`delta_range`] says.
fn unit_delta_range(lo: Option<f64>, hi: Option<f64>, unit: units::TimeUnit, decimals: usize) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => {
            let n = |x: f64| format!("{:+.decimals$}", x / unit.hours());
            format!("{}…{} {}", n(a), n(b), unit.name("2"))
        }
        _ => delta_range(lo, hi),
    }
}

/// The decimals of a variant's figures in `unit`: what the 95% interval of its median supports
/// (without worlds), else a quarter of its spread across worlds.
fn figure_decimals(v: &VariantResults, unit: units::TimeUnit) -> usize {
    let width = match (&v.worlds, v.t_threshold.ci95_median) {
        (None, [Some(a), Some(b)]) => Some(b - a),
        (Some(w), _) => units::band_quarter(w.median.p10, w.median.p90),
        _ => None,
    };
    units::decimals_for(width.map(|w| w / unit.hours()))
}

/// The answer for one variant in one plain sentence, in the report's one unit
/// (`units::TimeUnit`; with a fixed start also the moment on the calendar): its median T with
/// the 95% interval (or the spread across worlds), the reached share and, for variants, the
/// comparison with the reference — never "sooner" from a median that is not reached, and across
/// worlds with the worlds where neither reaches counted apart.
pub fn answer_sentence(results: &Results, d: &crate::analysis::decision::Decision, v: &VariantResults) -> String {
    let unit = units::TimeUnit::of(results);
    let today = reference_words(results);
    let s = &v.t_threshold;
    let who = format!(
        "{:.0}% of the target ({}, {})",
        100.0 * v.threshold,
        units::count(u64::from(v.target_size), "person", "people"),
        v.target_label
    );
    let is_baseline = std::ptr::eq(v, &results.variants[0]);
    let lead = if is_baseline { "Today".to_string() } else { format!("With \"{}\"", v.name) };
    let dec = figure_decimals(v, unit);
    let num = |h: Option<f64>| h.map_or_else(|| "not reached".to_string(), |h| unit.number(h, dec));
    let horizon = unit.horizon_words(results.horizon_hours);
    let point = results.variants.iter().position(|x| std::ptr::eq(x, v)).unwrap_or(0);
    let mut out = match s.median {
        Some(m) => {
            let spread = match &v.worlds {
                Some(w) => format!(
                    "median over all plausible worlds; {}–{} {} across plausible assumptions, 10–90% of worlds",
                    num(w.median.p10),
                    num(w.median.p90),
                    unit.name("2")
                ),
                None => format!("median, 95% interval {}–{}", num(s.ci95_median[0]), num(s.ci95_median[1])),
            };
            let by = decision::moment_words(v, m).map_or(String::new(), |at| format!(", by {at}"));
            format!(
                "{lead}, {who} have processed an item after {} ({spread}; reached in {} of replications){by}",
                unit.with_name(m, dec),
                reached_pct(v.reached_fraction)
            )
        }
        None => format!(
            "{lead}, {who} have NOT processed an item within the horizon of {horizon} in most replications (reached \
             in {} of replications)",
            reached_pct(v.reached_fraction)
        ),
    };
    if comparison(results, v).is_none() && v.name != reference_name(results) {
        out += &format!(
            "; not compared replication by replication with {today}: its target group differs, so compare the two \
             distributions side by side (chart of T)"
        );
    }
    let reference = &results.variants[d.reference];
    if let Some(p) = comparison(results, v) {
        if p.worlds.is_some() {
            if let Some(vs) = &d.row(point).versus {
                out += &format!("; it is {}", decision::versus_words(vs, d.across, &today));
                if let Some(w) = &p.worlds
                    && let (Some(a), Some(b)) = (w.median_delta.p10, w.median_delta.p90)
                {
                    let pd = units::decimals_for(Some((b - a).abs() / unit.hours() / 4.0));
                    out += &format!(
                        " (per-world median difference {} in 80% of plausible worlds)",
                        unit_delta_range(Some(a), Some(b), unit, pd)
                    );
                }
                let (a, b) = (d.row(point).worlds_reaching, d.row(d.reference).worlds_reaching);
                if let (Some(a), Some(b)) = (a, b)
                    && decision::pct(a) != decision::pct(b)
                {
                    out += &format!(
                        "; it reaches the threshold in {} of plausible worlds, {today} in {}",
                        decision::pct(a),
                        decision::pct(b)
                    );
                }
            }
        } else {
            match (s.median, reference.t_threshold.median, p.ci95_mean_delta) {
                (Some(m), Some(rm), Some([lo, hi])) if hi < 0.0 || lo > 0.0 => {
                    let word = if m < rm { "sooner" } else { "later" };
                    let pd = units::decimals_for(Some((hi - lo) / unit.hours()));
                    let n = |x: f64| format!("{:+.pd$}", x / unit.hours());
                    out += &format!(
                        ", {} {word} than {today} in the median (paired: mean difference {} {} with 95% CI {}…{}; in 80% \
                         of replications the difference is {})",
                        unit.with_name((m - rm).abs(), dec),
                        n(p.mean_delta.unwrap_or(0.0)),
                        unit.name("2"),
                        n(lo),
                        n(hi),
                        unit_delta_range(p.delta_p10, p.delta_p90, unit, pd)
                    );
                }
                (Some(_), Some(_), Some([lo, hi])) => {
                    let pd = units::decimals_for(Some((hi - lo) / unit.hours()));
                    let n = |x: f64| format!("{:+.pd$}", x / unit.hours());
                    out += &format!(
                        ", no clear difference from {today} (paired mean difference 95% CI {}…{} {})",
                        n(lo),
                        n(hi),
                        unit.name("2")
                    );
                }
                (_, None, _) if s.median.is_some() || v.reached_fraction != reference.reached_fraction => {
                    out += &format!(
                        "; {today} reaches it in {} of replications and its median is not reached within the horizon",
                        reached_pct(reference.reached_fraction)
                    );
                }
                (None, Some(_), _) => {
                    out +=
                        &format!("; {today} reaches it in {} of replications", reached_pct(reference.reached_fraction));
                }
                _ => {
                    out += &format!(
                        ", paired differences {} in 80% of replications",
                        unit_delta_range(p.delta_p10, p.delta_p90, unit, dec)
                    )
                }
            }
        }
    }
    out.push('.');
    if v.reached_fraction < 1.0 && s.median.is_some() {
        out += &format!(
            " In {:.1}% of replications the threshold was not reached within {horizon}.",
            100.0 * (1.0 - v.reached_fraction)
        );
    }
    out
}

/// `summary.md`: the headline table and how to read it.
/// The sentence on what the paired comparison can and cannot show: by construction an
/// improvement is never slower in a single replication, unless scheduled meetings or calendars
/// meet windows (`Results::coupling_exceptions`), in which case it can be.
pub fn coupling_note(results: &Results) -> String {
    let e = &results.coupling_exceptions;
    if e.is_empty() {
        return "That an improvement is never slower in any single replication holds by construction of the common \
                random numbers, so it is not evidence; the size of the differences is."
            .into();
    }
    let channels: Vec<&str> =
        e.iter().map(String::as_str).filter(|c| *c != crate::analysis::facts::CALENDARS_EXCEPTION).collect();
    let what = match (channels.is_empty(), channels.len() < e.len()) {
        (false, false) => format!("scheduled meetings ({})", channels.join(", ")),
        (false, true) => format!("scheduled meetings ({}) and working calendars", channels.join(", ")),
        _ => "working calendars".into(),
    };
    format!(
        "With {what}, people pass an item on only within their window, and the window includes the wait for the \
         next meeting or working hour, so someone who hears of it earlier can miss an occasion a later one would \
         reach: an improvement can be slower in single replications, and the differences above include that \
         (docs/model.md, \"When monotone coupling holds\")."
    )
}

/// `summary.md`: the headline, the comparison table, costs, where the item gets stuck and notes.
pub fn summary_md(results: &Results, decision: &crate::analysis::decision::Decision) -> String {
    let base = &results.variants[0];
    let pct = 100.0 * base.threshold;
    let mut s = format!("# {}\n\n", results.scenario);
    if !results.command_line_set.is_empty() {
        let sets: Vec<String> = results.command_line_set.iter().map(|s| format!("`--set {s}`")).collect();
        let _ = writeln!(s, "Run with {} (set on the command line, not in the scenario file).\n", sets.join(", "));
    }
    if let Some(d) = &results.description {
        let _ = writeln!(s, "{}\n", d.trim());
    }
    let _ = writeln!(
        s,
        "**T{pct:.0}** is the time until {pct:.0}% of the target ({}, {}) have perceived and processed an item \
         that appears at the source. {}, seed {}, horizon {} h; all variants share \
         common random numbers, so the comparison with the baseline is paired replication by replication.\n",
        units::count(u64::from(base.target_size), "person", "people"),
        base.target_label,
        replications_text(results),
        results.seed,
        results.horizon_hours
    );
    s += "## The answer\n\n";
    for v in &results.variants {
        let _ = writeln!(s, "- {}", answer_sentence(results, decision, v));
    }
    s += "\n## All variants\n\n";
    let head = headline(results);
    s += &format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(head.len()));
    for v in &results.variants {
        let r = headline_row(results, v);
        let _ = writeln!(s, "| {} |", r.map(|c| c.replace('|', "\\|")).join(" | "));
    }
    s += "\nHow to read this: *reached* is the share of replications in which the threshold was reached \
          before the horizon. Medians and quantiles count a replication that did not reach as \"never\"; \
          the mean and its interval are over the replications that reached. *vs baseline* compares each \
          replication with the same replication of the baseline: the mean difference (over replications \
          where both reached, negative = faster), the median difference, and the range of the middle 80% of the \
          paired differences (not reaching counts as slower than any time). ";
    s += &coupling_note(results);
    s += "\n";
    s += &costs::costs_md(results);
    s += &bottlenecks_md(results);
    for v in &results.variants {
        if v.reached_fraction < 1.0 {
            let _ = writeln!(
                s,
                "\n**Note:** in variant \"{}\" the threshold was not reached within {} h in {:.1}% of replications.",
                v.name,
                results.horizon_hours,
                100.0 * (1.0 - v.reached_fraction)
            );
        }
    }
    s
}

/// How many bottlenecks `summary.md` lists per variant.
pub const MD_TOP: usize = 5;

/// The "where it gets stuck" section of `summary.md`: per variant, the top people, links and
/// channels on the critical path and the first-heard channels.
fn bottlenecks_md(results: &Results) -> String {
    let mut s = String::from(
        "\n## Where the item gets stuck\n\nThe *critical path* of a replication is the chain of deliveries from the source \
         to the target member whose processing completed the threshold. Shares are of the replications that reached it; \
         *first heard via* is the share of processed target members who first processed the item over each channel.\n",
    );
    for v in &results.variants {
        let b = &v.bottlenecks;
        let _ = writeln!(s, "\n### {}\n", v.name);
        if b.reached_replications == 0 {
            s += "No replication reached the threshold, so there is no critical path.\n";
            continue;
        }
        let list = |items: Vec<String>| if items.is_empty() { "—".to_string() } else { items.join(", ") };
        let people: Vec<String> =
            b.people.iter().take(MD_TOP).map(|p| format!("{} ({})", p.label(), fmt_pct(p.share))).collect();
        let links: Vec<String> = b
            .links
            .iter()
            .take(MD_TOP)
            .map(|l| format!("{} → {} over {} ({})", l.source_label(), l.target_label(), l.channel, fmt_pct(l.share)))
            .collect();
        let channels: Vec<String> =
            b.channels.iter().take(MD_TOP).map(|c| format!("{} ({})", c.name, fmt_pct(c.share))).collect();
        let named = |v: &[crate::analysis::results::Share]| -> Vec<String> {
            v.iter().take(MD_TOP).map(|c| format!("{} ({})", c.name, fmt_pct(c.share))).collect()
        };
        let heard = named(&b.first_heard_via);
        let _ = writeln!(s, "- units on the critical path: {}", list(named(&b.units)));
        let _ = writeln!(s, "- roles on the critical path: {}", list(named(&b.roles)));
        if !b.sites.is_empty() {
            let _ = writeln!(s, "- sites on the critical path: {}", list(named(&b.sites)));
        }
        let _ = writeln!(s, "- people on the critical path: {}", list(people));
        let _ = writeln!(s, "- links on the critical path: {}", list(links));
        let _ = writeln!(s, "- channels on the critical path: {}", list(channels));
        let _ = writeln!(s, "- first heard via: {}", list(heard));
    }
    s
}

/// The widest a terminal table permeate prints may be, in characters.
pub const TERMINAL_COLUMNS: usize = 100;

/// `name` cut to `width` characters (with `…` when cut), so a table row fits the terminal.
fn fit(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        name.chars().take(width.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// What `permeate sensitivity` prints: the advice, then per output of the decision (each
/// variant's paired difference with the baseline; T itself without variants) the factors' indices
/// with their 95% bootstrap intervals (Sobol) or μ* and σ (Morris), at most
/// [`TERMINAL_COLUMNS`] wide. The complete tables are in `sensitivity.csv`.
pub fn sensitivity_text(s: &crate::analysis::sensitivity::Sensitivity) -> String {
    let mut out = String::new();
    for a in &s.advice {
        out += &wrap(a, TERMINAL_COLUMNS);
    }
    let decisions: Vec<_> = s.outputs.iter().filter(|o| o.decision).collect();
    let shown: Vec<_> = if decisions.is_empty() { s.outputs.iter().collect() } else { decisions };
    const NAME: usize = 40;
    for o in shown {
        let _ = writeln!(out, "\n{}", fit(&o.output, TERMINAL_COLUMNS));
        match s.method.as_str() {
            "morris" => {
                let _ = writeln!(out, "  {:<NAME$}  {:>12}  {:>12}", "factor", "mu* (h)", "sigma (h)");
                for f in &o.factors {
                    if let Some(m) = &f.morris {
                        let _ = writeln!(
                            out,
                            "  {:<NAME$}  {:>12}  {:>12}",
                            fit(&f.factor, NAME),
                            fmt_decimals(m.mu_star, 1),
                            fmt_decimals(m.sigma, 1)
                        );
                    }
                }
            }
            _ => {
                let _ = writeln!(out, "  {:<NAME$}  {:>22}  {:>22}", "factor", "first order [95%]", "total [95%]");
                for f in &o.factors {
                    if let Some(x) = &f.sobol {
                        let idx = |v: f64, ci: [f64; 2]| {
                            format!("{} [{}, {}]", fmt_decimals(v, 2), fmt_decimals(ci[0], 2), fmt_decimals(ci[1], 2))
                        };
                        let _ = writeln!(
                            out,
                            "  {:<NAME$}  {:>22}  {:>22}",
                            fit(&f.factor, NAME),
                            idx(x.s1, x.s1_ci),
                            idx(x.st, x.st_ci)
                        );
                    }
                }
            }
        }
    }
    out
}

/// All result files of a study, as (relative path, content): `summary.json`,
/// `replications.csv`, `curve.csv`, `summary.md`, `sweep.csv` (with a sweep), `report.html` and
/// `charts/*.svg`. Made from the results, the facts and the analyses handed in (see
/// [`crate::analysis::analyse`]); nothing is computed here.
pub fn result_files(results: &Results, facts: &Facts, analyses: &Analyses) -> Result<Vec<(String, String)>, String> {
    let mut files: Vec<(String, String)> = vec![
        ("summary.json".into(), summary_json(results)),
        ("replications.csv".into(), replications_csv(results)),
        ("curve.csv".into(), curve_csv(results)),
        ("summary.md".into(), markup::inert_markdown(&summary_md(results, &analyses.decision))),
    ];
    if let Some(sweep) = sweep_csv(results) {
        files.push(("sweep.csv".into(), sweep));
    }
    files.push(("summary.csv".into(), summary_csv(&analyses.tidy)));
    if !analyses.tidy.factor_names.is_empty() {
        files.push(("worlds.csv".into(), worlds_csv(&analyses.tidy)));
    }
    if !analyses.unit_flow.units.is_empty() {
        files.push(("unit-flow.csv".into(), unit_flow_csv(&analyses.unit_flow)));
    }
    let sensitivity = analyses.sensitivity.as_ref();
    if let Some(s) = sensitivity {
        files.push(("sensitivity.csv".into(), crate::analysis::sensitivity::csv(s)));
        files.push(("sensitivity.json".into(), serde_json::to_string_pretty(s).expect("plain data serialises") + "\n"));
    }
    let decision = &analyses.decision;
    let mut charts =
        vec![charts::decision(results, decision).map_err(|m| format!("drawing the chart decision.svg failed: {m}"))?];
    charts.extend(
        charts::tipping(results, decision, &analyses.tidy.world_values)
            .map_err(|m| format!("drawing the chart {} failed: {m}", charts::TIPPING_CHART))?,
    );
    charts
        .extend(charts::all(results).map_err(|(file, message)| format!("drawing the chart {file} failed: {message}"))?);
    charts.extend(
        organisation::chart(results, &analyses.unit_flow)
            .map_err(|m| format!("drawing the chart {} failed: {m}", organisation::ORGANISATION_CHART))?,
    );
    if let Some(s) = sensitivity {
        charts.extend(charts::sensitivity(s).map_err(|m| format!("drawing the sensitivity charts failed: {m}"))?);
    }
    files.push(("report.html".into(), html::page(results, facts, &charts, sensitivity, decision, &analyses.unit_flow)));
    for chart in charts {
        files.push((format!("charts/{}", chart.file), chart.svg));
    }
    Ok(files)
}

/// Writes all result files into `out`, replacing what was there, or nothing at all on failure.
pub fn write_results(results: &Results, facts: &Facts, analyses: &Analyses, out: &Path) -> Result<(), Error> {
    let files = result_files(results, facts, analyses)
        .map_err(|message| Error::Write { path: out.join("charts"), source: std::io::Error::other(message) })?;
    let files: Vec<(&str, String)> = files.iter().map(|(p, c)| (p.as_str(), c.clone())).collect();
    crate::outdir::write_folder_atomically(out, &files)
}
