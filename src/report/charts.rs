//! The report's charts as standalone SVG documents, drawn with plotters' SVG backend into
//! strings: the distribution of T_threshold per variant (ECDF), the adoption curve with its
//! 10–90% band, the paired differences with the baseline, and the sweep.
//!
//! Sized for a projector: 1200 px wide, labels of about 19 px, thick lines, a colour-blind-safe
//! palette and legends. Names from the scenario are passed to plotters as they are: its SVG
//! backend XML-escapes every text it writes (`&`, `<`, `>`, `"`, `'`), which the report tests
//! check.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::analysis::facts::SweepValue;
use crate::analysis::results::{Results, VariantResults};
use crate::random::dist::{fmt_fixed, fmt_signed};

/// One chart: its file name under `charts/`, its title, a one-line caption on how to read it
/// (plain text), and the SVG document.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    /// File name under `charts/`, e.g. `ecdf.svg`.
    pub file: String,
    /// The chart's title (also drawn in the SVG).
    pub title: String,
    /// How to read the chart, in one or two plain sentences.
    pub caption: String,
    /// The standalone SVG document.
    pub svg: String,
}

/// Width of every chart in pixels.
const WIDTH: u32 = 1200;
/// Font family: generic, so no font needs to be installed or fetched.
const FONT: &str = "sans-serif";
/// plotters' text sizes; the SVG backend writes `font-size = size / 1.24`.
const TITLE_SIZE: f64 = 36.0;
const LABEL_SIZE: f64 = 24.0;
const DESC_SIZE: f64 = 26.0;
/// Stroke width of the data lines.
const LINE: u32 = 4;
/// The most variants drawn as lines in one chart (one colour each).
pub(crate) const MAX_LINES: usize = 8;

/// Okabe–Ito colours (colour-blind safe; yellow left out, too pale on white), baseline black.
const PALETTE: [RGBColor; MAX_LINES] = [
    RGBColor(0x1a, 0x1a, 0x1a),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x8c, 0x6d, 0x31),
];
/// The colours variants get by their name (colour-blind-safe Okabe–Ito first, then Tol's muted
/// ones); the baseline is black ([`PALETTE`]'s first).
const NAMED: [RGBColor; 11] = [
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x8c, 0x6d, 0x31),
    RGBColor(0x11, 0x77, 0x33),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x33, 0x22, 0x88),
    RGBColor(0x99, 0x99, 0x33),
];

/// The colour of a variant named `name` (`baseline`: true for the study's baseline): black for
/// the baseline, else a stable hash of the name (64-bit FNV-1a) into [`NAMED`], so a variant has
/// the same colour in every report, chart and SVG of a scenario family, whatever its position.
pub(crate) fn colour_of_name(name: &str, baseline: bool) -> RGBColor {
    if baseline {
        return PALETTE[0];
    }
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let h = name.bytes().fold(FNV_OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME));
    NAMED[(h % NAMED.len() as u64) as usize]
}

/// The colour of design point `i` of `results` ([`colour_of_name`]).
fn colour_of(results: &Results, i: usize) -> RGBColor {
    colour_of_name(&results.variants[i].name, i == 0)
}

/// Colour of variants that are not drawn as lines (sweep points in the differences chart).
const OTHER: RGBColor = RGBColor(0x3b, 0x5b, 0x92);
const GRID_LIGHT: RGBColor = RGBColor(0xf4, 0xf4, 0xf4);
const GRID_BOLD: RGBColor = RGBColor(0xd0, 0xd0, 0xd0);
const GREY: RGBColor = RGBColor(0x70, 0x70, 0x70);

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draws into a new white SVG of `size` and returns the document.
fn render(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A chart area in the report's style (title, margins, label areas) over `x` × `y`.
fn frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_area: u32,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>, Box<dyn std::error::Error>> {
    Ok(ChartBuilder::on(root)
        .caption(title, (FONT, TITLE_SIZE))
        .margin(24)
        .x_label_area_size(90)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(bounded(x), bounded(y))?)
}

/// The largest magnitude an axis end may have: far above any real value (hours, costs), and
/// small enough that plotters' tick arithmetic (differences, steps of a tenth) stays finite.
const AXIS_LIMIT: f64 = 1e300;

/// `r` unchanged when both ends are finite numbers within ±[`AXIS_LIMIT`] and it is not empty;
/// otherwise clamped to that: an axis over an infinite range made plotters' tick search loop
/// forever (issue 20, defect 1).
fn bounded(r: std::ops::Range<f64>) -> std::ops::Range<f64> {
    let end = |x: f64| if x.is_nan() { 0.0 } else { x.clamp(-AXIS_LIMIT, AXIS_LIMIT) };
    let (lo, hi) = (end(r.start), end(r.end));
    if hi > lo {
        lo..hi
    } else if lo < 0.0 {
        lo..0.0
    } else {
        0.0..AXIS_LIMIT.min(lo.max(1.0))
    }
}

/// The mesh of a chart in the house style (fonts, grid lines); callers add the axis texts.
fn mesh<'a, 'c, 'b>(
    chart: &'c mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> MeshStyle<'a, 'c, RangedCoordf64, RangedCoordf64, SVGBackend<'b>> {
    let mut m = chart.configure_mesh();
    m.label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .light_line_style(GRID_LIGHT)
        .max_light_lines(2)
        .bold_line_style(GRID_BOLD);
    m
}

/// The grid and axes of a chart of shares (0–100%) over hours (0 to `x_max`).
fn share_mesh(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    x_desc: &str,
    y_desc: &str,
    x_max: f64,
) -> DrawResult {
    mesh(chart)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|x| hours_tick(*x, x_max))
        .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
        .draw()?;
    Ok(())
}

/// The variants drawn as lines in the ECDF and curve charts: the baseline and the
/// `[[variants]]` (not the sweep points, which have their own chart), at most [`MAX_LINES`].
/// Also returns how many variants were left out.
pub(crate) fn line_variants(results: &Results) -> (Vec<usize>, usize) {
    let sweep_points = results.sweep_points();
    let candidates: Vec<usize> = (0..results.variants.len()).filter(|i| *i == 0 || !sweep_points.contains(i)).collect();
    let shown: Vec<usize> = candidates.iter().copied().take(MAX_LINES).collect();
    (shown.clone(), results.variants.len() - shown.len())
}

/// The description of an axis in hours: working hours without calendars, clock time with them
/// (where T is elapsed time and a day has 24 h).
fn hours_axis(results: &Results) -> String {
    if results.variants.first().is_some_and(|v| v.clock.is_some()) {
        "hours since the item appeared (clock time: 24 h = 1 calendar day)".into()
    } else {
        "working hours since the item appeared (8 h = 1 working day)".into()
    }
}

/// Tick label for hours: no decimals on long axes.
fn hours_tick(x: f64, span: f64) -> String {
    if span >= 20.0 { fmt_fixed(x, 0) } else { fmt_fixed(x, 1) }
}

fn t_label(v: &VariantResults) -> String {
    format!("T{:.0}", 100.0 * v.threshold)
}

fn series_legend<'a, 'b>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    at: SeriesLabelPosition,
) -> DrawResult
where
    'b: 'a,
{
    chart
        .configure_series_labels()
        .position(at)
        .margin(16)
        .legend_area_size(44)
        .label_font((FONT, LABEL_SIZE))
        .background_style(WHITE.mix(0.92))
        .border_style(GREY)
        .draw()?;
    Ok(())
}

/// (a) The distribution of T_threshold per variant as empirical CDFs.
fn ecdf(results: &Results, shown: &[usize]) -> Result<Chart, String> {
    let base = &results.variants[0];
    let t = t_label(base);
    let x_max =
        shown.iter().flat_map(|&i| results.variants[i].replications.iter().flatten().copied()).fold(0.0f64, f64::max);
    let x_max = if x_max > 0.0 { (x_max * 1.05).min(results.horizon_hours.max(x_max)) } else { results.horizon_hours };
    let title = format!("How long until {:.0}% of the target have processed the item ({t})", 100.0 * base.threshold);
    let svg = render((WIDTH, 720), |root| {
        let mut chart = frame(root, &title, 0f64..x_max, 0f64..1.0, 110)?;
        share_mesh(
            &mut chart,
            &format!("{} ({t} per replication)", hours_axis(results)),
            &format!("replications with {t} ≤ x"),
            x_max,
        )?;
        chart.draw_series(DashedLineSeries::new([(0.0, 0.5), (x_max, 0.5)], 10, 8, GREY.stroke_width(2)))?;
        for &i in shown {
            let v = &results.variants[i];
            let colour = colour_of(results, i);
            let style = colour.stroke_width(LINE);
            chart
                .draw_series(LineSeries::new(ecdf_steps(&v.replications, x_max), style))?
                .label(v.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
        }
        series_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })?;
    let caption = format!(
        "Each line is one variant: the share of replications in which {:.0}% of the target had processed the item \
         by the time on the horizontal axis. Further left is faster; where a line crosses the dashed 50% line is \
         its median. A line that stays below 100% did not reach the threshold within the horizon ({} h) in the \
         remaining replications: those never reach 1.",
        100.0 * base.threshold,
        results.horizon_hours
    );
    Ok(Chart { file: "ecdf.svg".into(), title, caption, svg })
}

/// The steps of the empirical CDF of `t` (not reached = never) up to `x_max`, thinned to at
/// most about 1000 steps (a step per 0.1% of the replications at most).
fn ecdf_steps(t: &[Option<f64>], x_max: f64) -> Vec<(f64, f64)> {
    let n = t.len().max(1) as f64;
    let mut reached: Vec<f64> = t.iter().flatten().copied().collect();
    reached.sort_unstable_by(f64::total_cmp);
    let m = reached.len();
    let mut pts = vec![(0.0, 0.0)];
    if m > 0 {
        let steps = (m - 1).min(1000);
        let mut last_y = 0.0;
        for j in 0..=steps {
            // Every ((m - 1) / steps)-th order statistic; all of them when there are few.
            let r = (j * (m - 1)).checked_div(steps).unwrap_or(m - 1);
            let x = reached[r].min(x_max);
            let y = (r + 1) as f64 / n;
            pts.push((x, last_y));
            pts.push((x, y));
            last_y = y;
        }
        pts.push((x_max, m as f64 / n));
    } else {
        pts.push((x_max, 0.0));
    }
    pts
}

/// Where a curve stops changing: the first grid time after which mean, p10 and p90 stay within
/// 0.2 percentage points of their final values.
fn settled_hours(v: &VariantResults) -> f64 {
    let Some(last) = v.curve.last() else { return 0.0 };
    let close = |a: f64, b: f64| (a - b).abs() <= 0.002;
    let mut settle = last.hours;
    for p in v.curve.iter().rev() {
        if close(p.mean, last.mean) && close(p.p10, last.p10) && close(p.p90, last.p90) {
            settle = p.hours;
        } else {
            break;
        }
    }
    settle
}

/// (b) The adoption curve: mean share of the target processed over time, with the 10–90% band.
fn curve(results: &Results, shown: &[usize]) -> Result<Chart, String> {
    let base = &results.variants[0];
    let end = shown.iter().filter_map(|&i| results.variants[i].curve.last().map(|p| p.hours)).fold(0.0f64, f64::max);
    let settled = shown.iter().map(|&i| settled_hours(&results.variants[i])).fold(0.0f64, f64::max);
    let x_max = if end > 0.0 { (settled * 1.25).clamp(end.min(1.0), end) } else { 1.0 };
    let cut = x_max < end;
    let title = "Share of the target that has processed the item over time".to_string();
    let threshold = base.threshold;
    let svg = render((WIDTH, 720), |root| {
        let mut chart = frame(root, &title, 0f64..x_max, 0f64..1.0, 110)?;
        share_mesh(
            &mut chart,
            &hours_axis(results),
            &format!("share of the target ({} people)", base.target_size),
            x_max,
        )?;
        for &i in shown {
            let v = &results.variants[i];
            let pts: Vec<_> = v.curve.iter().filter(|p| p.hours <= x_max * 1.0001).collect();
            let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.hours, p.p90)).collect();
            band.extend(pts.iter().rev().map(|p| (p.hours, p.p10)));
            chart.draw_series(std::iter::once(Polygon::new(band, colour_of(results, i).mix(0.14).filled())))?;
        }
        chart.draw_series(DashedLineSeries::new(
            [(0.0, threshold), (x_max, threshold)],
            12,
            8,
            GREY.stroke_width(3),
        ))?;
        chart.draw_series(std::iter::once(Text::new(
            format!("{:.0}% threshold", 100.0 * threshold),
            (x_max * 0.01, threshold),
            (FONT, LABEL_SIZE).into_font().color(&GREY).pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))?;
        for &i in shown {
            let v = &results.variants[i];
            let style = colour_of(results, i).stroke_width(LINE);
            let pts = v.curve.iter().filter(|p| p.hours <= x_max * 1.0001).map(|p| (p.hours, p.mean));
            chart
                .draw_series(LineSeries::new(pts, style))?
                .label(v.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
        }
        series_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })?;
    let mut caption = format!(
        "The line is the mean share of the target that has processed the item; the shaded band holds the middle \
         80% of replications (from the 10% to the 90% quantile). The dashed line is the {:.0}% threshold: \
         where a line crosses it is roughly the typical {}.",
        100.0 * threshold,
        t_label(base)
    );
    if cut {
        caption += &format!(
            " The chart ends at {} h; after that the curves no longer change (curve.csv has them to {} h).",
            fmt_fixed(x_max, 0),
            fmt_fixed(end, 0)
        );
    }
    Ok(Chart { file: "curve.svg".into(), title, caption, svg })
}

/// Mean paired difference with its interval, as text ("−49.3 h (−55.1 … −43.6)").
fn delta_text(results: &Results, v: &VariantResults) -> String {
    if let Some((m, [lo, hi])) = world_bar(results, v) {
        return format!("{m:+.1} h (10–90% of worlds {lo:+.1} … {hi:+.1})");
    }
    if results.uncertain.is_some() {
        // Not the pooled mean: the chart shows medians across worlds only.
        return "no bar: in some worlds only one side reaches".into();
    }
    match super::comparison(results, v).and_then(|p| p.mean_delta.map(|m| (m, p.ci95_mean_delta))) {
        Some((m, Some([lo, hi]))) => {
            format!("{} h (95% CI {} … {})", fmt_signed(m, 1), fmt_signed(lo, 1), fmt_signed(hi, 1))
        }
        Some((m, None)) => format!("{} h", fmt_signed(m, 1)),
        None => "no replication where both reached".into(),
    }
}

/// With worlds: the per-world median paired difference (median across worlds, and its 10–90%
/// range across worlds), where all three are finite.
fn world_bar(results: &Results, v: &VariantResults) -> Option<(f64, [f64; 2])> {
    let w = super::comparison(results, v)?.worlds.as_ref()?;
    Some((w.median_delta.p50?, [w.median_delta.p10?, w.median_delta.p90?]))
}

/// (c) The paired differences with the baseline: mean delta and its 95% interval per variant
/// (with worlds: the per-world median difference and its spread across worlds).
fn differences(results: &Results, shown: &[usize]) -> Result<Option<Chart>, String> {
    let reference_at =
        results.reference.as_ref().and_then(|r| results.variants.iter().position(|v| &v.name == r)).unwrap_or(0);
    let rows: Vec<usize> = (0..results.variants.len()).filter(|&i| i != reference_at).collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let t = t_label(&results.variants[0]);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for &i in &rows {
        if let Some((m, [a, b])) = world_bar(results, &results.variants[i]) {
            for x in [m, a, b] {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        } else if results.uncertain.is_none()
            && let Some(p) = super::comparison(results, &results.variants[i])
        {
            for x in p.mean_delta.into_iter().chain(p.ci95_mean_delta.into_iter().flatten()) {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    let pad = ((hi - lo) * 0.08).max(1.0);
    let (x_lo, x_hi) = (lo - pad, hi + pad);
    let n = rows.len();
    let row_px = 84u32;
    let height = 250 + row_px * n as u32;
    let reference = results.reference.clone().unwrap_or_else(|| "the baseline".into());
    let title = if results.uncertain.is_some() {
        format!("Difference in {t} from {reference} across plausible worlds (paired)")
    } else {
        format!("Difference in {t} from {reference} (paired, mean and 95% CI)")
    };
    let colour_of = |i: usize| if shown.contains(&i) { colour_of(results, i) } else { OTHER };
    let svg = render((WIDTH, height), |root| {
        let mut chart = frame(root, &title, x_lo..x_hi, 0f64..n as f64, 16)?;
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(format!("hours: variant minus {reference} ({t}; left of 0 = faster)"))
            .x_label_formatter(&|x| if x.abs() < 0.5 { "0".into() } else { format!("{x:+.0}") })
            .draw()?;
        chart.draw_series(LineSeries::new([(0.0, 0.0), (0.0, n as f64)], BLACK.stroke_width(3)))?;
        let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
        let (unit_x, unit_y) = ((x_hi - x_lo) / plot_w.max(1) as f64, n as f64 / plot_h.max(1) as f64);
        for (k, &i) in rows.iter().enumerate() {
            let v = &results.variants[i];
            let y = (n - k) as f64 - 0.62;
            let colour = colour_of(i);
            // The label sits above its bar on a white ground that hides the grid and zero line
            // behind it (its width estimated from the number of characters).
            let label = format!("{}: {}", v.name, delta_text(results, v));
            let font_px = LABEL_SIZE / 1.24;
            let width_px = 0.62 * font_px * label.chars().count() as f64 + 8.0;
            let x_text = x_lo + 8.0 * unit_x;
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (x_text - 4.0 * unit_x, y + 0.2 - 4.0 * unit_y),
                    ((x_text + width_px * unit_x).min(x_hi), y + 0.2 + 1.35 * font_px * unit_y),
                ],
                WHITE.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                label,
                (x_text, y + 0.2),
                (FONT, LABEL_SIZE).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
            let (m, [a, b]) = match world_bar(results, v) {
                Some(bar) => bar,
                None if results.uncertain.is_some() => continue,
                None => {
                    let Some(p) = super::comparison(results, v) else { continue };
                    let Some(m) = p.mean_delta else { continue };
                    (m, p.ci95_mean_delta.unwrap_or([m, m]))
                }
            };
            chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                y,
                a,
                m,
                b,
                colour.filled().stroke_width(LINE),
                22,
            )))?;
        }
        Ok(())
    })?;
    let caption = if results.uncertain.is_some() {
        format!(
            "Each row compares one variant with {reference} replication by replication (same random draws) in each \
             plausible world: the dot is the median across worlds of the per-world median difference in {t}, the \
             bar its range over 10–90% of the worlds (the uncertainty of the assumptions). Left of the black zero \
             line the variant is faster."
        )
    } else {
        format!(
            "Each row compares one variant with {reference} replication by replication (same random draws): the dot \
             is the mean difference in {t} over the replications where both reached, the bar its 95% confidence \
             interval. Left of the black zero line the variant is faster; a bar that crosses zero shows no clear \
             difference."
        )
    };
    Ok(Some(Chart { file: "differences.svg".into(), title, caption, svg }))
}

/// (d) The sweep: median T_threshold against the first swept path, one line per combination of
/// the other paths' values, with the 95% intervals of the medians as error bars.
fn sweep(results: &Results) -> Result<Option<Chart>, String> {
    let Some(sw) = &results.sweep else { return Ok(None) };
    if sw.points.is_empty() {
        return Ok(None);
    }
    let t = t_label(&results.variants[0]);
    let mut firsts: Vec<&SweepValue> = Vec::new();
    let mut seconds: Vec<&[SweepValue]> = Vec::new();
    for p in &sw.points {
        if !firsts.contains(&&p.values[0]) {
            firsts.push(&p.values[0]);
        }
        let s = &p.values[1..];
        if !seconds.contains(&s) {
            seconds.push(s);
        }
    }
    // A numeric axis needs finite values whose span is finite too (plotters cannot place ticks on
    // an infinite range); otherwise the points are placed by index and labelled.
    let numeric = firsts.iter().all(|v| v.number.is_some_and(|x| x.is_finite() && x.abs() < 1e15));
    let x_of = |v: &SweepValue| -> f64 {
        if numeric { v.number.unwrap_or(0.0) } else { firsts.iter().position(|f| *f == v).unwrap_or(0) as f64 }
    };
    let (x_lo, x_hi) = if numeric {
        let (a, b) =
            firsts.iter().map(|v| x_of(v)).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        let pad = if b > a { (b - a) * 0.05 } else { 1.0 };
        (a - pad, b + pad)
    } else {
        (-0.5, firsts.len() as f64 - 0.5)
    };
    let mut y_max = 0.0f64;
    let mut any_open = false;
    for p in &sw.points {
        let s = &results.variants[p.point].t_threshold;
        for x in [s.median, s.ci95_median[1]].into_iter().flatten() {
            y_max = y_max.max(x);
        }
        any_open |= s.median.is_some() && s.ci95_median[1].is_none();
    }
    let y_max = if y_max > 0.0 { y_max * 1.12 } else { results.horizon_hours };
    let dodge_step = (x_hi - x_lo) * 0.006;
    let labels: Vec<String> = firsts.iter().map(|v| v.text.clone()).collect();
    let title = format!("Median {t} across the sweep (with 95% CI)");
    let missing = sw.points.iter().filter(|p| results.variants[p.point].t_threshold.median.is_none()).count();
    let svg = render((WIDTH, 760), |root| {
        let mut chart = frame(root, &title, x_lo..x_hi, 0f64..y_max, 110)?;
        let index_label = |x: &f64| {
            let r = x.round();
            if (x - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < labels.len() {
                labels[r as usize].clone()
            } else {
                String::new()
            }
        };
        let mut mesh = mesh(&mut chart);
        mesh.x_desc(sw.paths[0].as_str())
            .y_desc(format!("median {t} (hours)"))
            .y_label_formatter(&|y| fmt_fixed(*y, 0));
        if !numeric {
            mesh.x_labels(labels.len() * 2 + 1).x_label_formatter(&index_label).disable_x_mesh();
        }
        mesh.draw()?;
        let count = seconds.len();
        for (s, second) in seconds.iter().enumerate() {
            let colour = if count == 1 { PALETTE[2] } else { PALETTE[(s % (MAX_LINES - 1)) + 1] };
            let dodge = dodge_step * (s as f64 - (count as f64 - 1.0) / 2.0);
            let mut line: Vec<(f64, f64)> = Vec::new();
            let mut bars = Vec::new();
            for p in sw.points.iter().filter(|p| &p.values[1..] == *second) {
                let summary = &results.variants[p.point].t_threshold;
                let Some(m) = summary.median else { continue };
                let x = x_of(&p.values[0]) + dodge;
                line.push((x, m));
                let lo = summary.ci95_median[0].unwrap_or(m);
                let hi = summary.ci95_median[1].unwrap_or(y_max);
                bars.push(ErrorBar::new_vertical(x, lo, m, hi, colour.filled().stroke_width(3), 18));
            }
            let style = colour.stroke_width(LINE);
            let label = if second.is_empty() {
                format!("median {t}")
            } else {
                sw.paths[1..]
                    .iter()
                    .zip(second.iter())
                    .map(|(p, v)| format!("{p} = {}", v.text))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            chart
                .draw_series(LineSeries::new(line, style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
            chart.draw_series(bars)?;
        }
        series_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })?;
    let mut caption = match sw.paths.len() {
        2.. => format!(
            "Median {t} in hours for each point of the sweep over {} (horizontal axis), one line per value of \
             {}; the vertical bars are the 95% intervals of the medians.",
            sw.paths[0],
            sw.paths[1..].join(" and ")
        ),
        _ => format!(
            "Median {t} in hours for each point of the sweep over {} (horizontal axis); the vertical bars are \
             the 95% intervals of the medians.",
            sw.paths[0]
        ),
    };
    if missing > 0 {
        caption += &format!(
            " {missing} point(s) are missing: their median was not reached within the horizon ({} h).",
            results.horizon_hours
        );
    }
    if any_open {
        caption += " A bar that runs to the top has an upper bound that was not reached within the horizon.";
    }
    Ok(Some(Chart { file: "sweep.svg".into(), title, caption, svg }))
}

/// (e) Which assumption matters: per sensitivity output, the factors' total-order indices (bars
/// with their 95% intervals) and first-order indices (dots), or Morris μ* (bars) and σ (dots).
pub(crate) fn sensitivity(s: &crate::analysis::sensitivity::Sensitivity) -> Result<Vec<Chart>, String> {
    let mut out = Vec::new();
    for (n, o) in s.outputs.iter().enumerate() {
        let sobol = s.method == "sobol";
        let rows: Vec<(String, f64, [f64; 2], f64)> = o
            .factors
            .iter()
            .map(|f| match (f.sobol, f.morris) {
                (Some(x), _) => (f.factor.clone(), x.st, x.st_ci, x.s1),
                (None, Some(m)) => (f.factor.clone(), m.mu_star, [m.mu_star, m.mu_star], m.sigma),
                _ => (f.factor.clone(), 0.0, [0.0, 0.0], 0.0),
            })
            .collect();
        let k = rows.len().max(1);
        let x_hi = if sobol { 1.05 } else { rows.iter().map(|r| r.1.max(r.3)).fold(0.0f64, f64::max).max(1e-9) * 1.1 };
        let title = format!("Which assumption matters: {}", o.output);
        let height = 220 + 70 * k as u32;
        let svg = render((WIDTH, height), |root| {
            let mut chart = frame(root, &title, 0f64..x_hi, 0f64..k as f64, 16)?;
            mesh(&mut chart)
                .disable_y_mesh()
                .y_labels(0)
                .x_desc(if sobol {
                    "share of the output's variance (bar: total-order index with 95% CI; dot: first-order)"
                } else {
                    "hours (bar: Morris μ*; dot: σ)"
                })
                .x_label_formatter(&|x| if sobol { format!("{:.0}%", 100.0 * x) } else { fmt_fixed(*x, 1) })
                .draw()?;
            for (i, (name, bar, ci, dot)) in rows.iter().enumerate() {
                let y = (k - i) as f64 - 0.5;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.18), (bar.clamp(0.0, x_hi), y + 0.18)],
                    PALETTE[1].mix(0.85).filled(),
                )))?;
                if sobol {
                    chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                        y,
                        ci[0].clamp(0.0, x_hi),
                        bar.clamp(0.0, x_hi),
                        ci[1].clamp(0.0, x_hi),
                        BLACK.stroke_width(2),
                        14,
                    )))?;
                }
                chart.draw_series(std::iter::once(Circle::new((dot.clamp(0.0, x_hi), y), 7, BLACK.filled())))?;
                chart.draw_series(std::iter::once(Text::new(
                    name.clone(),
                    (x_hi * 0.01, y + 0.22),
                    (FONT, LABEL_SIZE).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))?;
            }
            Ok(())
        })?;
        let caption = if sobol {
            format!(
                "How much of the uncertainty in {} each assumption explains across {} plausible worlds: the bar is the \
                 total-order Sobol index (with everything it interacts with) and its 95% bootstrap interval, the dot \
                 the first-order index (alone). Measuring the assumption with the longest bar narrows the answer most.",
                o.output, s.worlds
            )
        } else {
            format!(
                "Morris screening of {} across {} plausible worlds: the bar is μ*, the mean absolute change of the \
                 output when the assumption moves over its plausible range; the dot is σ (non-linearity or \
                 interactions).",
                o.output, s.worlds
            )
        };
        out.push(Chart { file: format!("sensitivity-{}.svg", n + 1), title, caption, svg });
    }
    Ok(out)
}

/// What the line charts leave out, as a sentence for their captions ("" if nothing).
fn left_out_note(results: &Results, shown: &[usize]) -> String {
    let sweep_points = results.sweep.as_ref().map_or(0, |s| s.points.len());
    let others = results.variants.len() - sweep_points - shown.len();
    let mut note = String::new();
    if others > 0 {
        note += &format!(" Only the first {} variants are drawn; the table above has all of them.", shown.len());
    }
    if sweep_points > 0 {
        note += &format!(" The {sweep_points} sweep points are not drawn here: see the sweep chart.");
    }
    note
}

/// Every chart of the report, in the report's order. Fails only if plotters does.
pub(crate) fn all(results: &Results) -> Result<Vec<Chart>, (&'static str, String)> {
    let (shown, _) = line_variants(results);
    let note = left_out_note(results, &shown);
    let mut out = vec![ecdf(results, &shown).map_err(|e| ("ecdf.svg", e))?];
    out.push(curve(results, &shown).map_err(|e| ("curve.svg", e))?);
    for c in &mut out {
        c.caption += &note;
    }
    out.extend(differences(results, &shown).map_err(|e| ("differences.svg", e))?);
    out.extend(sweep(results).map_err(|e| ("sweep.svg", e))?);
    out.extend(costs(results).map_err(|e| (COSTS_CHART, e))?);
    Ok(out)
}

/// The file of the cost chart (shown in the report's "What it costs" section).
pub(crate) const COSTS_CHART: &str = "costs.svg";

/// (f) What it costs: every design point's cost (hours a month) against its median T, the Pareto
/// front as a line, the goal's time as a dashed line and the cheapest point meeting it ringed.
/// `None` without `[costs]`.
fn costs(results: &Results) -> Result<Option<Chart>, String> {
    let Some(route) = &results.route else { return Ok(None) };
    let t = t_label(&results.variants[0]);
    let cost = |v: &VariantResults| v.cost.as_ref().map_or(0.0, |c| c.hours_per_month);
    let points: Vec<(f64, f64, &VariantResults)> =
        results.variants.iter().filter_map(|v| v.t_threshold.median.map(|m| (cost(v), m, v))).collect();
    let goal = results.goal.as_ref().map(|g| g.t_hours());
    // Ranges and points clamped to the axis limit: a cost or goal near the top of the f64 range
    // made the axis infinite and plotters loop (issue 20, defect 1).
    let x_max = (points.iter().map(|p| p.0).fold(0.0f64, f64::max).max(1.0) * 1.25).min(AXIS_LIMIT);
    let y_max = (points.iter().map(|p| p.1).chain(goal).fold(0.0f64, f64::max).max(1.0) * 1.15).min(AXIS_LIMIT);
    let goal_label = goal;
    let goal = goal.map(|g| g.min(y_max));
    let points: Vec<(f64, f64, &VariantResults)> =
        points.into_iter().map(|(x, y, v)| (x.clamp(0.0, x_max), y.clamp(0.0, y_max), v)).collect();
    let front: Vec<(f64, f64)> =
        route.front_median.iter().filter_map(|n| points.iter().find(|p| &p.2.name == n).map(|p| (p.0, p.1))).collect();
    let cheapest = route.cheapest.as_ref().and_then(|n| points.iter().find(|p| &p.2.name == n)).map(|p| (p.0, p.1));
    let title = format!("What it costs: median {t} against hours of work a month");
    let meets = |v: &VariantResults| v.goal.as_ref().is_some_and(|g| g.meets);
    let svg = render((WIDTH, 760), |root| {
        let mut chart = frame(root, &title, 0f64..x_max, 0f64..y_max, 110)?;
        mesh(&mut chart)
            .x_desc("cost (hours of work a month)")
            .x_label_formatter(&|x| fmt_fixed(*x, 0))
            .y_desc(format!("median {t} (hours)"))
            .y_label_formatter(&|y| fmt_fixed(*y, 0))
            .draw()?;
        let front_style = PALETTE[2].stroke_width(LINE);
        chart
            .draw_series(LineSeries::new(front.clone(), front_style))?
            .label("front: no point is cheaper and faster")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], front_style));
        if let Some(g) = goal {
            let style = PALETTE[4].stroke_width(3);
            chart
                .draw_series(DashedLineSeries::new(vec![(0.0, g), (x_max, g)], 14, 10, style))?
                .label(format!("goal: {t} ≤ {} h", fmt_fixed(goal_label.unwrap_or(g), 0)))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
        }
        let met = PALETTE[3];
        chart.draw_series(points.iter().map(|&(x, y, v)| {
            let colour = if meets(v) { met } else { GREY };
            Circle::new((x, y), 9, colour.filled())
        }))?;
        if results.goal.is_some() {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label("meets the goal")
                .legend(move |(x, y)| Circle::new((x + 18, y), 9, met.filled()));
        }
        if let Some(c) = cheapest {
            chart
                .draw_series(std::iter::once(Circle::new(c, 17, PALETTE[0].stroke_width(3))))?
                .label("cheapest that meets the goal")
                .legend(move |(x, y)| Circle::new((x + 18, y), 12, PALETTE[0].stroke_width(3)));
        }
        // Names of the front's points (and the cheapest), alternately above and below their dot
        // so that neighbours do not overwrite each other.
        let label_style = (FONT, LABEL_SIZE * 0.8).into_font().color(&PALETTE[0]);
        let labelled = points
            .iter()
            .filter(|p| route.front_median.contains(&p.2.name) || route.cheapest.as_ref() == Some(&p.2.name));
        for (i, &(x, y, v)) in labelled.enumerate() {
            let dy = if i % 2 == 0 { -34 } else { 14 };
            let text = EmptyElement::at((x, y)) + Text::new(v.name.clone(), (12, dy), label_style.clone());
            chart.draw_series(std::iter::once(text))?;
        }
        series_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })?;
    let missing = results.variants.len() - points.len();
    let mut caption = format!(
        "Each dot is a variant: its cost in hours of work a month (horizontal) and its median {t} (vertical);          green dots meet the goal. The line joins the front: for each point on it no other is both cheaper and faster."
    );
    if goal.is_some() {
        caption += " The dashed line is the goal's time; the ringed dot is the cheapest variant that meets the goal.";
    }
    if missing > 0 {
        caption += &format!(" {missing} variant(s) are not drawn: their median was not reached within the horizon.");
    }
    Ok(Some(Chart { file: COSTS_CHART.into(), title, caption, svg }))
}

/// The file of the decision chart (shown in the report's first section).
pub(crate) const DECISION_CHART: &str = "decision.svg";
/// Width in pixels of the decision chart's column of names.
const NAMES_PX: u32 = 430;
/// Height in pixels of one row of the decision chart.
const ROW_PX: u32 = 52;
/// The longest name the decision chart writes whole (longer ones end in "…").
const MAX_LABEL_CHARS: usize = 36;

/// (0) The decision chart: one row per design point, best first, with the median T (dot) and its
/// 10–90% band across plausible worlds (across replications without worlds), the goal line with
/// `[goal]`, and under each name how often it reaches the threshold at all, is best, meets the
/// goal and what it costs a month. Axis in the report's one unit ([`super::units::TimeUnit`]).
pub(crate) fn decision(results: &Results, d: &crate::analysis::decision::Decision) -> Result<Chart, String> {
    use crate::analysis::decision::Across;
    let unit = super::units::TimeUnit::of(results);
    let t = t_label(&results.variants[0]);
    let goal = results.goal.as_ref().map(|g| g.t_hours() / unit.hours());
    let finite = d.rows.iter().flat_map(|r| [r.median, r.band[0], r.band[1]]).flatten().map(|h| h / unit.hours());
    let hi = finite.chain(goal).fold(0.0f64, f64::max);
    let x_max = if hi > 0.0 { hi * 1.12 } else { results.horizon_hours / unit.hours() };
    let n = d.rows.len();
    let height = 190 + ROW_PX * n as u32;
    let across = match d.across {
        Across::Worlds => "10–90% of plausible worlds",
        Across::Replications => "10–90% of replications",
    };
    let title = format!("The decision: median {t} per variant, best first");
    let svg = render((WIDTH, height), |root| {
        let (names, plot) = root.split_horizontally(NAMES_PX);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&title, (FONT, TITLE_SIZE))
            .margin(24)
            .x_label_area_size(80)
            .y_label_area_size(0)
            .build_cartesian_2d(0f64..x_max, 0f64..n as f64)?;
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(format!("{t} in {}", unit.axis()))
            .x_label_formatter(&|x| hours_tick(*x, x_max))
            .draw()?;
        if let Some(g) = goal {
            chart.draw_series(DashedLineSeries::new([(g, 0.0), (g, n as f64)], 12, 8, GREY.stroke_width(3)))?;
            chart.draw_series(std::iter::once(Text::new(
                "goal",
                (g, n as f64),
                (FONT, LABEL_SIZE).into_font().color(&GREY).pos(Pos::new(HPos::Left, VPos::Top)),
            )))?;
        }
        let small = (FONT, LABEL_SIZE * 0.82).into_font().color(&GREY);
        for (k, row) in d.rows.iter().enumerate() {
            let y = (n - k) as f64 - 0.5;
            let colour = colour_of(results, row.point);
            let lo = row.band[0].map_or(x_max, |h| h / unit.hours());
            let hi = row.band[1].map_or(x_max, |h| h / unit.hours());
            chart.draw_series(std::iter::once(PathElement::new(vec![(lo, y), (hi, y)], colour.stroke_width(10))))?;
            match row.median {
                Some(m) => {
                    let m = m / unit.hours();
                    chart.draw_series(std::iter::once(Circle::new((m, y), 11, colour.filled())))?;
                    chart.draw_series(std::iter::once(Circle::new((m, y), 11, WHITE.stroke_width(2))))?;
                }
                None => {
                    chart.draw_series(std::iter::once(Text::new(
                        "not reached →",
                        (x_max, y + 0.18),
                        (FONT, LABEL_SIZE).into_font().color(&colour).pos(Pos::new(HPos::Right, VPos::Bottom)),
                    )))?;
                }
            }
            // The name and its figures in the left column, on the row's height.
            let (_, py) = chart.backend_coord(&(0.0, y));
            let mut facts = vec![format!("reaches in {}", super::decision::pct(row.reached))];
            if let Some(w) = row.worlds_reaching {
                facts[0] = format!("reaches in {} of worlds", super::decision::pct(w));
            }
            if let Some(b) = row.p_best {
                facts.push(format!("best in {}", super::decision::pct(b)));
            }
            if let Some(m) = row.meets_goal {
                facts.push(if m { "meets goal".into() } else { "misses goal".into() });
            }
            if let Some(c) = row.cost_hours_per_month {
                facts.push(format!("{} h/month", crate::random::dist::fmt_decimals(c, 0)));
            }
            let label = super::decision::short_label(results, row.point);
            let label = if label.chars().count() > MAX_LABEL_CHARS {
                label.chars().take(MAX_LABEL_CHARS - 1).collect::<String>() + "…"
            } else {
                label
            };
            names.draw(&Text::new(
                label,
                (12, py - 4),
                (FONT, LABEL_SIZE).into_font().color(&colour_or_ink(colour)).pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))?;
            names.draw(&Text::new(
                facts.join(" · "),
                (12, py + 2),
                small.clone().pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        Ok(())
    })?;
    let mut caption = format!(
        "One row per variant, the fastest first. The dot is the median {t}, the bar holds {across}; a bar that runs \
         to the right edge is not reached within the horizon there. Under each name: how often it reaches the \
         threshold at all"
    );
    if d.across == Across::Worlds {
        caption += " and in how many plausible worlds it is the fastest";
    }
    if results.goal.is_some() {
        caption += "; the dashed line is the goal";
    }
    if results.costs.is_some() {
        caption += "; the hours of work it costs a month";
    }
    caption += ".";
    Ok(Chart { file: DECISION_CHART.into(), title, caption, svg })
}

/// The file of the tipping-point chart.
pub(crate) const TIPPING_CHART: &str = "tipping.svg";
/// Height of the tipping-point chart, pixels.
const TIPPING_HEIGHT: u32 = 720;

/// Each plausible world's share of replications reaching the threshold for `point`, in world
/// order (`replications` per world, world-major).
fn world_reached_shares(v: &VariantResults, replications: usize) -> Vec<f64> {
    v.replications
        .chunks(replications.max(1))
        .map(|w| w.iter().filter(|t| t.is_some()).count() as f64 / w.len().max(1) as f64)
        .collect()
}

/// (0b) Where it tips: with worlds and a PRIM box (the decision "hinges on" a factor), one dot
/// per plausible world — the factor the box restricts first on the x axis, the share of that
/// world's replications reaching the threshold on the y axis — for the recommended point
/// (filled) and the reference (hollow), with the box's bounds dashed and the 50% line (a world
/// counts as reaching when more than half its replications do). `None` without a box or worlds.
pub(crate) fn tipping(
    results: &Results,
    d: &crate::analysis::decision::Decision,
    world_values: &[Vec<f64>],
) -> Result<Option<Chart>, String> {
    let Some(b) = &d.hinges else { return Ok(None) };
    let Some(limit) = b.limits.first() else { return Ok(None) };
    let xs: Vec<f64> = world_values.iter().filter_map(|w| w.get(limit.factor).copied()).collect();
    let reps = results.replications as usize;
    let shown = [d.reference, d.recommended];
    let ys: Vec<Vec<f64>> = shown.iter().map(|&p| world_reached_shares(&results.variants[p], reps)).collect();
    if xs.is_empty() || ys.iter().any(|y| y.len() != xs.len()) {
        return Ok(None);
    }
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), &x| (a.min(x), c.max(x)));
    if !(lo.is_finite() && hi.is_finite()) {
        return Ok(None);
    }
    let pad = if hi > lo { (hi - lo) * 0.04 } else { lo.abs().max(1.0) * 0.05 };
    let (x_lo, x_hi) = (lo - pad, hi + pad);
    let threshold = format!("{:.0}%", 100.0 * results.threshold);
    let title = format!("Where it tips: how often {threshold} is reached per plausible world, against {}", limit.name);
    let same = d.reference == d.recommended;
    let svg = render((WIDTH, TIPPING_HEIGHT), |root| {
        let mut chart = frame(root, &title, x_lo..x_hi, 0f64..1.04, 130)?;
        mesh(&mut chart)
            .x_desc(limit.name.clone())
            .y_desc("share of the world's replications reaching")
            .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
            .draw()?;
        chart.draw_series(DashedLineSeries::new([(x_lo, 0.5), (x_hi, 0.5)], 8, 8, GREY.stroke_width(2)))?;
        for bound in [limit.low, limit.high].into_iter().flatten() {
            chart.draw_series(DashedLineSeries::new([(bound, 0.0), (bound, 1.04)], 12, 8, BLACK.stroke_width(2)))?;
        }
        for (k, &p) in shown.iter().enumerate() {
            if same && k == 1 {
                break;
            }
            let colour = colour_of(results, p);
            let dots = xs.iter().zip(&ys[k]).map(|(&x, &y)| (x, y));
            let name = results.variants[p].name.clone();
            if k == 0 && !same {
                chart
                    .draw_series(dots.map(|c| Circle::new(c, 11, colour.stroke_width(3))))?
                    .label(name)
                    .legend(move |(x, y)| Circle::new((x + 10, y), 11, colour.stroke_width(3)));
            } else {
                chart
                    .draw_series(dots.map(|c| Circle::new(c, 6, colour.filled())))?
                    .label(name)
                    .legend(move |(x, y)| Circle::new((x + 10, y), 6, colour.filled()));
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .label_font((FONT, LABEL_SIZE))
            .position(SeriesLabelPosition::LowerRight)
            .draw()?;
        Ok(())
    })?;
    let caption = format!(
        "One dot per plausible world: its value of {} (x) and the share of its replications that reach {threshold} \
         (y){}. The dashed vertical line{} the range scenario discovery (PRIM) found; the grey line is 50%: a world \
         counts as reaching when more than half its replications do.",
        limit.name,
        if same { String::new() } else { " — filled for the recommendation, hollow for the reference".to_string() },
        if limit.low.is_some() && limit.high.is_some() { "s bound" } else { " bounds" },
    );
    Ok(Some(Chart { file: TIPPING_CHART.into(), title, caption, svg }))
}

/// Text in a variant's colour, darkened to ink for the pale ones.
fn colour_or_ink(c: RGBColor) -> RGBColor {
    let luminance = 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
    if luminance > 150.0 { RGBColor(0x1a, 0x1a, 0x1a) } else { c }
}
