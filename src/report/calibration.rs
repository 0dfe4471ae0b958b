//! The calibration's report page: prior against posterior per factor, the pair plots of the
//! factors that trade off against each other, and the posterior-predictive check of the adoption
//! curve, with the plain sentence on what the data pinned down. Charts are SVG from plotters
//! (whose SVG backend escapes every text it writes); the page is a maud template in the report's
//! style, which escapes every name it writes.

use maud::html;
use plotters::prelude::*;

use super::charts::Chart;
use super::decision::pct;
use super::markup::{document, figure};
use super::units::{TimeUnit, band_quarter, decimals_for};
use crate::analysis::stats::Spread5;
use crate::error::Error;
use crate::study::calibrate::{Calibration, PredictedT, posterior, prior_cdf};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 420;
const FONT: &str = "sans-serif";
const BINS: usize = 30;
const PRIOR: RGBColor = RGBColor(0x70, 0x70, 0x70);
const POSTERIOR: RGBColor = RGBColor(0x00, 0x72, 0xb2);
const OBSERVED: RGBColor = RGBColor(0xd5, 0x5e, 0x00);

/// Two bands of the predicted T whose widths differ by less than this factor are "about as
/// wide"; beyond it one is narrower.
const NARROWER: f64 = 1.25;
/// Fewer worlds than this on each side make a rough 10–90% band, which the sentence says.
const ROUGH_WORLDS: u32 = 20;

/// The unit and the horizon's words of a calibration's predicted T.
fn predicted_unit(p: &PredictedT) -> (TimeUnit, String) {
    let longest = [p.prior.median.p50, p.posterior.median.p50].into_iter().flatten().fold(0.0f64, f64::max);
    let unit = TimeUnit::choose(p.clock, longest, p.horizon_hours);
    (unit, unit.horizon_words(p.horizon_hours))
}

/// The decimals of one side's figures: what a quarter of its 10–90% band supports.
fn side_decimals(s: &Spread5, unit: TimeUnit) -> usize {
    decimals_for(band_quarter(s.p10, s.p90).map(|w| w / unit.hours()))
}

/// What the measurements do to the predicted time to the threshold, in plain words: the
/// baseline's median T across plausible worlds with its 10–90% band, before the measurements
/// (the prior's worlds) and with them (the posterior's), and whether the band narrowed. Right
/// when a band reaches "never", when the median world never reaches, and when neither side does.
pub(crate) fn predicted_sentence(p: &PredictedT) -> String {
    let (unit, horizon) = predicted_unit(p);
    let threshold = format!("{:.0}% of the target", 100.0 * p.threshold);
    let side = |w: &crate::analysis::results::WorldStats| -> String {
        let s = &w.median;
        let dec = side_decimals(s, unit);
        match (s.p10, s.p50, s.p90) {
            (Some(a), Some(m), Some(b)) if unit.number(a, dec) == unit.number(b, dec) => {
                format!("{} in the median plausible world (the same in 10–90% of worlds)", unit.with_name(m, dec))
            }
            (Some(a), Some(m), Some(b)) => format!(
                "{} in the median plausible world (10–90% of worlds: {}–{})",
                unit.with_name(m, dec),
                unit.number(a, dec),
                unit.with_name(b, dec)
            ),
            (Some(a), Some(m), None) => format!(
                "{} in the median plausible world, but not reached within the horizon ({horizon}) in at least 10% of \
                 the worlds (10–90% of worlds: {} to not reached)",
                unit.with_name(m, dec),
                unit.number(a, dec)
            ),
            _ => format!(
                "not reached within the horizon ({horizon}) in most plausible worlds (in the median world {} of the \
                 replications reach it)",
                pct(w.reached_fraction.p50.unwrap_or(0.0))
            ),
        }
    };
    let (pr, po) = (&p.prior.median, &p.posterior.median);
    let what = format!("the predicted time until {threshold} have processed an item");
    let mut out = if pr.p50.is_none() && po.p50.is_none() {
        format!(
            "Neither before nor with the measurements is {threshold} reached within the horizon ({horizon}) in most \
             plausible worlds: in the median world {} of the replications reach it before them, {} with them.",
            pct(p.prior.reached_fraction.p50.unwrap_or(0.0)),
            pct(p.posterior.reached_fraction.p50.unwrap_or(0.0))
        )
    } else {
        let width = |s: &Spread5| match (s.p10, s.p90) {
            (Some(a), Some(b)) => b - a,
            _ => f64::INFINITY,
        };
        let (wp, wq) = (width(pr), width(po));
        let lead = if wp.is_finite() && wq.is_finite() {
            if wp > NARROWER * wq {
                if wq > 0.0 {
                    format!("The measurements narrow the band of {what} {:.1}-fold", wp / wq)
                } else {
                    format!("The measurements narrow the band of {what} to a single value")
                }
            } else if wq > NARROWER * wp {
                if wp > 0.0 {
                    format!("The measurements widen the band of {what} {:.1}-fold", wq / wp)
                } else {
                    format!("The measurements widen the band of {what}")
                }
            } else {
                format!("The measurements leave the band of {what} about as wide as it was")
            }
        } else if wq.is_finite() {
            format!("The measurements narrow the band of {what}")
        } else if wp.is_finite() {
            format!("The measurements widen the band of {what}")
        } else {
            format!("The measurements leave {what} undecided in at least 10% of the worlds")
        };
        format!("{lead}: before them, {}; with them, {}.", side(&p.prior), side(&p.posterior))
    };
    if p.worlds < ROUGH_WORLDS {
        out += &format!(" These bands come from only {} plausible worlds on each side, so they are rough.", p.worlds);
    }
    out
}

fn draw(
    file: String,
    title: String,
    caption: String,
    f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<Chart, String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        f(&area)?;
        area.present().map_err(|e| e.to_string())?;
    }
    Ok(Chart { file, title, caption, svg })
}

/// The charts: one per factor, one per ridge pair, and the posterior-predictive check.
pub(crate) fn charts(c: &Calibration) -> Result<Vec<Chart>, String> {
    let mut out = Vec::new();
    for (i, f) in c.factor_defs.iter().enumerate() {
        let (lo, hi) = f.dist.support();
        let width = (hi - lo) / BINS as f64;
        let mut post = vec![0.0; BINS];
        for (row, w) in c.values.iter().zip(&c.weights) {
            let b = (((row[i] - lo) / width).floor().max(0.0) as usize).min(BINS - 1);
            post[b] += w / width;
        }
        let prior: Vec<f64> = (0..BINS)
            .map(|b| {
                let (a, z) = (lo + b as f64 * width, lo + (b + 1) as f64 * width);
                (prior_cdf(&f.dist, z) - prior_cdf(&f.dist, a)) / width
            })
            .collect();
        let top = post.iter().chain(&prior).fold(0.0f64, |m, &x| m.max(x)).max(1e-9) * 1.1;
        let title = format!("{}: prior and posterior", f.name);
        out.push(draw(
            format!("factor-{}.svg", i + 1),
            title.clone(),
            format!(
                "Grey line: the prior ({}); blue bars: the posterior after the measurements. A posterior as wide as the prior means the data say little about this factor.",
                f.dist.describe()
            ),
            |area| {
                let mut chart = ChartBuilder::on(area)
                    .caption(&title, (FONT, 24))
                    .margin(12)
                    .x_label_area_size(40)
                    .y_label_area_size(60)
                    .build_cartesian_2d(lo..hi, 0.0..top)
                    .map_err(|e| e.to_string())?;
                chart
                    .configure_mesh()
                    .y_desc("density")
                    .x_desc(f.name.as_str())
                    .label_style((FONT, 16))
                    .draw()
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(post.iter().enumerate().map(|(b, &h)| {
                        let a = lo + b as f64 * width;
                        Rectangle::new([(a, 0.0), (a + width, h)], POSTERIOR.mix(0.6).filled())
                    }))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(LineSeries::new(
                        prior.iter().enumerate().map(|(b, &h)| (lo + (b as f64 + 0.5) * width, h)),
                        PRIOR.stroke_width(3),
                    ))
                    .map_err(|e| e.to_string())?;
                Ok(())
            },
        )?);
    }
    for (n, r) in c.ridges.iter().enumerate() {
        let idx = |name: &str| c.factor_defs.iter().position(|f| f.name == name).unwrap_or(0);
        let (a, b) = (idx(&r.factors[0]), idx(&r.factors[1]));
        let (xa, xb) = c.factor_defs[a].dist.support();
        let (ya, yb) = c.factor_defs[b].dist.support();
        let wmax = c.weights.iter().fold(0.0f64, |m, &w| m.max(w)).max(1e-300);
        let title = format!("{} against {}", r.factors[1], r.factors[0]);
        out.push(draw(
            format!("pair-{}.svg", n + 1),
            title.clone(),
            format!(
                "Each dot is a posterior particle (darker = more weight), over the prior's whole range. A band along a curve is a ridge: correlation {:.2}, the data fix a combination of the two.",
                r.correlation
            ),
            |area| {
                let mut chart = ChartBuilder::on(area)
                    .caption(&title, (FONT, 24))
                    .margin(12)
                    .x_label_area_size(40)
                    .y_label_area_size(60)
                    .build_cartesian_2d(xa..xb, ya..yb)
                    .map_err(|e| e.to_string())?;
                chart
                    .configure_mesh()
                    .x_desc(r.factors[0].as_str())
                    .y_desc(r.factors[1].as_str())
                    .label_style((FONT, 16))
                    .draw()
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(c.values.iter().zip(&c.weights).map(|(row, &w)| {
                        Circle::new((row[a], row[b]), 3, POSTERIOR.mix(0.15 + 0.85 * w / wmax).filled())
                    }))
                    .map_err(|e| e.to_string())?;
                Ok(())
            },
        )?);
    }
    let p = &c.predictive;
    let until = p.hours.last().copied().unwrap_or(1.0).max(1e-9);
    let title = "Posterior-predictive check: adoption curve".to_string();
    out.push(draw(
        "predictive.svg".into(),
        title.clone(),
        "Blue band: 10–90% of the mean adoption curve simulated over the posterior (line: its median); orange: what was measured. The measurement should lie inside the band.".into(),
        |area| {
            let mut chart = ChartBuilder::on(area)
                .caption(&title, (FONT, 24))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..until, 0.0..1.0)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc("hours after the item appeared")
                .y_desc("share processed")
                .label_style((FONT, 16))
                .draw()
                .map_err(|e| e.to_string())?;
            let pts = |k: usize| p.hours.iter().zip(&p.band).filter(move |(_, b)| b[k].is_finite()).map(move |(&h, b)| (h, b[k]));
            let mut poly: Vec<(f64, f64)> = pts(2).collect();
            poly.extend(pts(0).collect::<Vec<_>>().into_iter().rev());
            chart.draw_series(std::iter::once(Polygon::new(poly, POSTERIOR.mix(0.25).filled()))).map_err(|e| e.to_string())?;
            chart.draw_series(LineSeries::new(pts(1), POSTERIOR.stroke_width(3))).map_err(|e| e.to_string())?;
            if !p.observed.is_empty() {
                chart
                    .draw_series(LineSeries::new(
                        p.hours.iter().zip(&p.observed).filter(|(_, o)| o.is_finite()).map(|(&h, &o)| (h, o)),
                        OBSERVED.stroke_width(3),
                    ))
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(p.observed_points.iter().map(|&(h, s)| Circle::new((h, s), 6, OBSERVED.filled())))
                .map_err(|e| e.to_string())?;
            Ok(())
        },
    )?);
    Ok(out)
}

/// The report page, in the workshop report's style ([`super::markup`]): the answer first, the
/// table of factors, the summary statistics, the charts.
pub(crate) fn page(c: &Calibration, charts: &[Chart]) -> String {
    let n = crate::random::dist::fmt_num;
    let version = env!("CARGO_PKG_VERSION");
    let body = html! {
        header #title {
            h1 { (c.scenario) " — calibration" }
            p.meta {
                "Fitted to " (c.items) " observed items (" (c.observations) ") by approximate Bayesian computation \
                 (ABC-SMC): " (c.particles) " particles, " (c.simulations) " simulated data sets, "
                (c.generations.len()) " generations, seed " (c.seed) ". The posterior's worlds run with "
                code { "permeate run SCENARIO --posterior posterior.csv" } "."
            }
            nav {
                a href="#answer" { "The answer" }
                a href="#factors" { "Each factor" }
                a href="#statistics" { "Summary statistics" }
                a href="#charts" { "Charts" }
            }
        }
        section #answer {
            h2 { "The answer" }
            p.recommendation { (predicted_sentence(&c.predicted)) }
            p { (c.sentence) }
            (predicted_table(c))
        }
        section #factors {
            h2 { "What the data say about each factor" }
            table {
                thead {
                    tr {
                        th { "factor" } th.num { "prior median (90%)" } th.num { "posterior median (90%)" }
                        th.num { "width ratio" } th { "informed" }
                    }
                }
                tbody {
                    @for f in &c.factors {
                        tr {
                            td { (f.name) }
                            td.num { (n(f.prior.median)) " (" (n(f.prior.p05)) "–" (n(f.prior.p95)) ")" }
                            td.num {
                                (n(f.posterior.median)) " (" (n(f.posterior.p05)) "–" (n(f.posterior.p95)) ")"
                            }
                            td.num { (format!("{:.2}", f.width_ratio)) }
                            td { (if f.informed { "yes" } else { "no" }) }
                        }
                    }
                }
            }
        }
        section #statistics {
            h2 { "Summary statistics" }
            table {
                thead {
                    tr {
                        th { "statistic (mean over items)" } th.num { "observed" }
                        th.num { "posterior predictive 5–95%" }
                    }
                }
                tbody {
                    @for st in &c.statistics {
                        tr {
                            td { (st.name) }
                            td.num { (format!("{:.3}", st.observed)) }
                            td.num { (format!("{:.3}–{:.3}", st.predictive[0], st.predictive[2])) }
                        }
                    }
                }
            }
        }
        section #charts {
            h2 { "Charts" }
            p.howto {
                "The same charts are in the " code { "charts/" } " folder beside this page, as SVG files for slides."
            }
            @for chart in charts {
                h3 { (chart.title) }
                (figure(chart))
            }
        }
        footer {
            "Made by permeate " (version) " from " code { (c.observations) } " with seed " (c.seed)
            ". The numbers are in " code { "calibration.json" } " and " code { "posterior.csv" }
            " beside this page."
        }
    };
    document(&format!("{} — calibration", c.scenario), version, body).into_string()
}

/// The predicted T before and with the measurements as a table, with what its band covers and
/// the commands that give the same numbers.
fn predicted_table(c: &Calibration) -> maud::Markup {
    let p = &c.predicted;
    let (unit, _) = predicted_unit(p);
    let cell = |x: Option<f64>, dec: usize| x.map_or_else(|| "not reached".to_string(), |h| unit.number(h, dec));
    let rows = [("before the measurements (prior)", &p.prior), ("with them (posterior)", &p.posterior)];
    let name = unit.name("2");
    html! {
        table {
            caption {
                (format!("{:.0}", 100.0 * p.threshold)) "% of the target processed, in " (name)
                ": the baseline's median over " (p.replications) " replications in each plausible world, \
                 then quantiles across " (p.worlds) " worlds drawn from the prior and " (p.worlds)
                " from the posterior (the same replications in every world)."
            }
            thead {
                tr {
                    th { "T" (format!("{:.0}", 100.0 * p.threshold)) }
                    th.num { "10% of worlds" } th.num { "median world" } th.num { "90% of worlds" }
                    th.num { "replications reaching, median world" }
                }
            }
            tbody {
                @for (label, w) in rows {
                    @let dec = side_decimals(&w.median, unit);
                    tr {
                        td { (label) }
                        td.num { (cell(w.median.p10, dec)) }
                        td.num { (cell(w.median.p50, dec)) }
                        td.num { (cell(w.median.p90, dec)) }
                        td.num { (pct(w.reached_fraction.p50.unwrap_or(0.0))) }
                    }
                }
            }
        }
        p.howto {
            code { "permeate run SCENARIO --seed " (c.seed) " --worlds " (p.worlds) " -n " (p.replications) }
            " gives the prior's row for the baseline (and every variant's), the same with "
            code { "--posterior posterior.csv" } " the posterior's."
        }
    }
}

/// Writes the calibration's folder: `posterior.csv`, `calibration.json`, `report.html` and its
/// charts, whole or not at all (see [`crate::outdir`]).
pub(crate) fn write_folder(c: &Calibration, out: &std::path::Path) -> Result<(), Error> {
    let mut files: Vec<(String, String)> =
        vec![("posterior.csv".into(), posterior::posterior_csv(c)), ("calibration.json".into(), calibration_json(c))];
    let charts = charts(c).map_err(|m| Error::Write { path: out.to_path_buf(), source: std::io::Error::other(m) })?;
    files.push(("report.html".into(), page(c, &charts)));
    for chart in charts {
        files.push((format!("charts/{}", chart.file), chart.svg));
    }
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    crate::outdir::write_folder_atomically(out, &refs)
}

/// `calibration.json`: the whole calibration as pretty JSON.
pub(crate) fn calibration_json(c: &Calibration) -> String {
    let mut s = serde_json::to_string_pretty(c).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::results::WorldStats;

    /// A side of the predicted T: the per-world median's 10/50/90% across worlds (hours, `None`
    /// = never) and the median world's reached share.
    fn side(p10: Option<f64>, p50: Option<f64>, p90: Option<f64>, reached: f64) -> WorldStats {
        let spread = |p10, p50, p90| Spread5 { p5: p10, p10, p50, p90, p95: p90 };
        WorldStats {
            median: spread(p10, p50, p90),
            reached_fraction: spread(Some(reached), Some(reached), Some(reached)),
        }
    }

    fn predicted(prior: WorldStats, posterior: WorldStats, clock: bool, worlds: u32) -> PredictedT {
        PredictedT { worlds, replications: 100, threshold: 0.8, horizon_hours: 2000.0, clock, prior, posterior }
    }

    /// Each regime's exact wording. Broken versions seen to fail: the widths' ratio inverted
    /// (a narrowing called widening), a never-reaching median world printed as a time, the
    /// calendar's clock time in working days.
    #[test]
    fn the_predicted_t_is_worded_right_in_every_regime() {
        let s = Some;
        let wide = side(s(16.0), s(24.0), s(48.0), 0.9);
        let narrow = side(s(21.6), s(27.2), s(29.6), 0.95);
        let what = "the predicted time until 80% of the target have processed an item";
        let cases: Vec<(&str, PredictedT, String)> = vec![
            (
                "narrowed",
                predicted(wide.clone(), narrow.clone(), false, 200),
                format!(
                    "The measurements narrow the band of {what} 4.0-fold: before them, 3 working days in the median \
                     plausible world (10–90% of worlds: 2–6 working days); with them, 3.4 working days in the median \
                     plausible world (10–90% of worlds: 2.7–3.7 working days)."
                ),
            ),
            (
                "widened",
                predicted(narrow.clone(), wide.clone(), false, 200),
                format!(
                    "The measurements widen the band of {what} 4.0-fold: before them, 3.4 working days in the median \
                     plausible world (10–90% of worlds: 2.7–3.7 working days); with them, 3 working days in the median \
                     plausible world (10–90% of worlds: 2–6 working days)."
                ),
            ),
            (
                "about as wide",
                predicted(narrow.clone(), side(s(20.0), s(26.0), s(28.8), 0.95), false, 200),
                format!(
                    "The measurements leave the band of {what} about as wide as it was: before them, 3.4 working days \
                     in the median plausible world (10–90% of worlds: 2.7–3.7 working days); with them, 3.2 working \
                     days in the median plausible world (10–90% of worlds: 2.5–3.6 working days)."
                ),
            ),
            (
                "the prior's band reaches never",
                predicted(side(s(16.0), s(40.0), None, 0.7), narrow.clone(), false, 200),
                format!(
                    "The measurements narrow the band of {what}: before them, 5 working days in the median plausible \
                     world, but not reached within the horizon (250 working days) in at least 10% of the worlds \
                     (10–90% of worlds: 2 to not reached); with them, 3.4 working days in the median plausible world \
                     (10–90% of worlds: 2.7–3.7 working days)."
                ),
            ),
            (
                "the posterior's median world never reaches",
                predicted(wide.clone(), side(s(30.0), None, None, 0.3), false, 200),
                format!(
                    "The measurements widen the band of {what}: before them, 3 working days in the median plausible \
                     world (10–90% of worlds: 2–6 working days); with them, not reached within the horizon (250 \
                     working days) in most plausible worlds (in the median world 30% of the replications reach it)."
                ),
            ),
            (
                "neither side reaches",
                predicted(side(None, None, None, 0.004), side(s(30.0), None, None, 0.2), false, 200),
                "Neither before nor with the measurements is 80% of the target reached within the horizon (250 \
                 working days) in most plausible worlds: in the median world under 1% of the replications reach it \
                 before them, 20% with them."
                    .to_string(),
            ),
            (
                "both bands undecided",
                predicted(side(s(16.0), s(40.0), None, 0.7), side(s(20.0), s(30.0), None, 0.8), false, 200),
                format!(
                    "The measurements leave {what} undecided in at least 10% of the worlds: before them, 5 working \
                     days in the median plausible world, but not reached within the horizon (250 working days) in at \
                     least 10% of the worlds (10–90% of worlds: 2 to not reached); with them, 3.8 working days in the \
                     median plausible world, but not reached within the horizon (250 working days) in at least 10% of \
                     the worlds (10–90% of worlds: 2.5 to not reached)."
                ),
            ),
            (
                "a single value with them",
                predicted(wide.clone(), side(s(24.0), s(24.0), s(24.0), 1.0), false, 200),
                format!(
                    "The measurements narrow the band of {what} to a single value: before them, 3 working days in the \
                     median plausible world (10–90% of worlds: 2–6 working days); with them, 3 working days in the \
                     median plausible world (the same in 10–90% of worlds)."
                ),
            ),
            (
                "calendars: clock time in calendar days",
                predicted(side(s(48.0), s(96.0), s(240.0), 0.9), side(s(72.0), s(84.0), s(108.0), 0.9), true, 200),
                format!(
                    "The measurements narrow the band of {what} 5.3-fold: before them, 4 calendar days in the median \
                     plausible world (10–90% of worlds: 2–10 calendar days); with them, 3.5 calendar days in the median \
                     plausible world (10–90% of worlds: 3–4.5 calendar days)."
                ),
            ),
            (
                "short times in hours, few worlds",
                PredictedT {
                    horizon_hours: 40.0,
                    ..predicted(side(s(2.0), s(5.0), s(10.0), 1.0), side(s(4.0), s(5.0), s(6.0), 1.0), false, 12)
                },
                format!(
                    "The measurements narrow the band of {what} 4.0-fold: before them, 5 hours in the median plausible \
                     world (10–90% of worlds: 2–10 hours); with them, 5 hours in the median plausible world (10–90% \
                     of worlds: 4–6 hours). These bands come from only 12 plausible worlds on each side, so they \
                     are rough."
                ),
            ),
        ];
        for (regime, p, expected) in cases {
            assert_eq!(predicted_sentence(&p), expected, "regime: {regime}");
        }
    }
}
