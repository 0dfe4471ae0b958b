//! The calibration's report page: prior against posterior per factor, the pair plots of the
//! factors that trade off against each other, and the posterior-predictive check of the adoption
//! curve, with the plain sentence on what the data pinned down. Charts are SVG from plotters
//! (whose SVG backend escapes every text it writes); the page is a maud template in the report's
//! style, which escapes every name it writes.

use maud::html;
use plotters::prelude::*;

use super::charts::Chart;
use super::markup::{document, figure};
use crate::error::Error;
use crate::study::calibrate::{Calibration, posterior, prior_cdf};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 420;
const FONT: &str = "sans-serif";
const BINS: usize = 30;
const PRIOR: RGBColor = RGBColor(0x70, 0x70, 0x70);
const POSTERIOR: RGBColor = RGBColor(0x00, 0x72, 0xb2);
const OBSERVED: RGBColor = RGBColor(0xd5, 0x5e, 0x00);

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
            p.recommendation { (c.sentence) }
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
