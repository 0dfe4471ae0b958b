//! The picture of the organisation (`charts/organisation.svg`): its units as circles on a ring,
//! sized by their people and coloured by when their members processed the item (the median
//! over every member and replication), with arrows for the unit → unit flow of the critical
//! paths, thicker the more often the item travels that way. The baseline and the recommended
//! point side by side, the units in the same places, so what the recommendation changes is
//! seen as colours and arrows that change.
//!
//! The layout is deterministic: the units go clockwise from the top in the order the baseline
//! reaches them (median time, ties and never-reached units by name). Drawn with plotters' SVG
//! backend, which XML-escapes every text it writes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::Chart;
use super::units::TimeUnit;
use crate::analysis::flow::UnitFlow;
use crate::analysis::results::{PersonTime, Results, UnitTime};

/// The chart's file under `charts/`.
pub(crate) const ORGANISATION_CHART: &str = "organisation.svg";

/// Width and height of the picture in pixels (one panel per point, side by side).
const SIZE: (u32, u32) = (1200, 680);
/// The largest circle's radius in pixels (the largest unit).
const MAX_RADIUS: f64 = 58.0;
/// The smallest circle's radius in pixels, so a one-person unit stays visible.
const MIN_RADIUS: f64 = 9.0;
/// The most units named on the picture; beyond it only the largest are labelled.
const MAX_LABELS: usize = 14;
/// Flows below this share of replications are not drawn (they are in `unit-flow.csv`).
const MIN_FLOW_SHARE: f64 = 0.01;
/// The widest arrow in pixels (a flow on every critical path).
const MAX_STROKE: f64 = 14.0;
const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
const MUTED: RGBColor = RGBColor(0x4d, 0x4d, 0x4d);
/// The colour scale's span: its earliest time is the latest median divided by this (earlier
/// medians take its first colour).
const SCALE_SPAN: f64 = 64.0;
/// Units whose median member never processed the item by the horizon.
const NEVER: RGBColor = RGBColor(0xc8, 0xc8, 0xc8);
/// A sequential, colour-blind-safe scale from early (dark blue) to late (pale yellow): five
/// stops of viridis.
const SCALE: [RGBColor; 5] = [
    RGBColor(0x44, 0x01, 0x54),
    RGBColor(0x3b, 0x52, 0x8b),
    RGBColor(0x21, 0x90, 0x8c),
    RGBColor(0x5d, 0xc8, 0x63),
    RGBColor(0xfd, 0xe7, 0x25),
];

/// The colour of a median time `hours` on a logarithmic scale from `lo` to `hi` hours.
fn colour_of_time(hours: Option<f64>, lo: f64, hi: f64) -> RGBColor {
    let Some(h) = hours else { return NEVER };
    let x = if hi > lo { ((h.max(lo)).ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { 0.0 };
    let x = x.clamp(0.0, 1.0) * (SCALE.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x.fract());
    let (a, b) = (SCALE[i], SCALE[(i + 1).min(SCALE.len() - 1)]);
    let mix = |p: u8, q: u8| (f64::from(p) + f * (f64::from(q) - f64::from(p))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A median time (hours) as the picture writes it in the report's `unit`: "≤ 2.7", "< 0.1" or
/// "never" (the legend names the unit).
fn time_text(hours: Option<f64>, unit: TimeUnit) -> String {
    match hours {
        None => "never".into(),
        Some(h) if h / unit.hours() < 0.1 => "< 0.1".into(),
        Some(h) => format!("≤ {}", unit.number(h, if h / unit.hours() < 10.0 { 1 } else { 0 })),
    }
}

/// One panel's data: the point's name, its unit times and its flows (share of replications);
/// in small organisations its people's times and the links on its critical paths.
struct Panel<'a> {
    name: &'a str,
    times: &'a [UnitTime],
    flows: Vec<(&'a str, &'a str, f64)>,
    persons: &'a [PersonTime],
    links: &'a [(String, String, f64)],
}

/// Links on fewer than this share of the critical paths are not drawn in the per-person
/// picture.
const MIN_LINK_SHARE: f64 = 0.02;
/// The widest link in the per-person picture, in pixels (a link on every critical path).
const MAX_LINK_STROKE: f64 = 7.0;
/// The largest distance between neighbouring people in the per-person picture, in pixels.
const MAX_PERSON_SPACING: f64 = 11.0;
/// The golden angle in radians: people of a unit are placed on a sunflower spiral, the
/// earliest in the centre.
const GOLDEN_ANGLE: f64 = 2.399_963_229_728_653;

/// The picture of `flow`'s points (baseline, and the recommended point when it is another), or
/// `None` when the results have no unit times (outcomes from before they were counted) or a
/// single unit.
pub(crate) fn chart(results: &Results, flow: &UnitFlow) -> Result<Option<Chart>, String> {
    let panels: Vec<Panel<'_>> = flow
        .points
        .iter()
        .filter_map(|p| {
            let v = results.variants.iter().find(|v| v.name == p.variant)?;
            Some(Panel {
                name: &p.variant,
                times: &v.bottlenecks.unit_times,
                flows: p
                    .cells
                    .iter()
                    .filter(|c| c.from_unit != c.to_unit)
                    .map(|c| (c.from_unit.as_str(), c.to_unit.as_str(), c.share))
                    .collect(),
                persons: &v.bottlenecks.person_times,
                links: &v.bottlenecks.path_links,
            })
        })
        .collect();
    let Some(base) = panels.first() else { return Ok(None) };
    if base.times.len() < 2 {
        return Ok(None);
    }
    // The ring's order: the baseline's median times, never last, ties by name.
    let mut order: Vec<&UnitTime> = base.times.iter().collect();
    order.sort_by(|a, b| {
        let key = |t: &UnitTime| t.median_hours.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b)).then_with(|| a.unit.cmp(&b.unit))
    });
    let units: Vec<&str> = order.iter().map(|t| t.unit.as_str()).collect();
    let replications = (results.variants[0].replications.len() as u64).max(1);
    let people = |t: &UnitTime| t.member_replications as f64 / replications as f64;
    let max_people = order.iter().map(|t| people(t)).fold(1.0, f64::max);
    let medians = panels.iter().flat_map(|p| p.times.iter().filter_map(|t| t.median_hours));
    let (lo, hi) = medians.fold((f64::INFINITY, 0.0f64), |(lo, hi), h| (lo.min(h), hi.max(h)));
    // At most six doublings from the latest down: the source's unit (minutes) would otherwise
    // squash every other unit into the scale's last colours.
    let (lo, hi) = if lo.is_finite() { (lo.max(hi / SCALE_SPAN).max(0.0625), hi.max(lo)) } else { (1.0, 1.0) };
    let mut labelled: Vec<&UnitTime> = order.clone();
    labelled.sort_by(|a, b| people(b).total_cmp(&people(a)).then_with(|| a.unit.cmp(&b.unit)));
    labelled.truncate(MAX_LABELS);
    let labelled: Vec<&str> = labelled.iter().map(|t| t.unit.as_str()).collect();
    let unit = TimeUnit::of(results);
    if !base.persons.is_empty() {
        return people_chart(&panels, &units, (lo, hi), unit).map(Some);
    }

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (body, legend) = root.split_vertically(SIZE.1 - 70);
        let areas = body.split_evenly((1, panels.len()));
        for (area, panel) in areas.iter().zip(&panels) {
            draw_panel(area, panel, &units, &labelled, max_people, replications, (lo, hi), unit)
                .map_err(|e| e.to_string())?;
        }
        draw_legend(&legend, (lo, hi), unit).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let pair = if panels.len() > 1 {
        format!("\"{}\" (left) and \"{}\" (right), the units in the same places", panels[0].name, panels[1].name)
    } else {
        format!("\"{}\"", panels[0].name)
    };
    Ok(Some(Chart {
        file: ORGANISATION_CHART.into(),
        title: "The organisation: who processes the item when, and where it travels".into(),
        caption: format!(
            "Each circle is a unit, its area its people, its colour when its members processed the item (the median \
             over every member and replication, to within 20%; grey: at least half never did by the horizon). \
             Arrows: how often the critical path passes the item from one unit to another (thicker: more often; \
             under {:.0}% not drawn). {pair}. The complete counts are in unit-flow.csv and summary.json.",
            100.0 * MIN_FLOW_SHARE
        ),
        svg,
    }))
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Where each unit's people go: per unit (in `units`' order) its members' ids, the baseline's
/// earliest first (never last, ties by id), then those only a later panel has, by id.
fn members<'a>(panels: &[Panel<'a>], units: &[&str]) -> Vec<Vec<&'a str>> {
    units
        .iter()
        .map(|u| {
            let mut base: Vec<&PersonTime> = panels[0].persons.iter().filter(|p| p.unit == *u).collect();
            base.sort_by(|a, b| {
                let key = |p: &PersonTime| p.median_hours.unwrap_or(f64::INFINITY);
                key(a).total_cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
            });
            let mut ids: Vec<&str> = base.iter().map(|p| p.id.as_str()).collect();
            let mut later: Vec<&str> = panels[1..]
                .iter()
                .flat_map(|p| p.persons.iter().filter(|q| q.unit == *u).map(|q| q.id.as_str()))
                .filter(|id| !ids.contains(id))
                .collect();
            later.sort_unstable();
            later.dedup();
            ids.extend(later);
            ids
        })
        .collect()
}

/// The shelf layout of the units' sunflowers in a `w` × `h` box at spacing `s`: per unit its
/// centre and radius, left to right in `units`' order, wrapping into rows; `None` if it does
/// not fit.
fn shelves(sizes: &[usize], s: f64, w: f64, h: f64) -> Option<Vec<((f64, f64), f64)>> {
    const GAP: f64 = 26.0;
    const LABEL: f64 = 40.0;
    let radius = |n: usize| s * ((n.max(1)) as f64).sqrt() + s / 2.0;
    let mut placed = Vec::with_capacity(sizes.len());
    let (mut x, mut y, mut row) = (0.0f64, 0.0f64, 0.0f64);
    let mut rows: Vec<(usize, f64)> = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let r = radius(n);
        let d = (2.0 * r).max(60.0);
        if x > 0.0 && x + d > w {
            rows.push((i, x - GAP));
            y += row + LABEL;
            x = 0.0;
            row = 0.0;
        }
        placed.push(((x + d / 2.0, y + r), r));
        x += d + GAP;
        row = row.max(2.0 * r);
    }
    rows.push((sizes.len(), x - GAP));
    if y + row + LABEL > h {
        return None;
    }
    // Each row centred; the whole block centred vertically.
    let mut start = 0;
    for &(end, width) in &rows {
        let shift = ((w - width) / 2.0).max(0.0);
        placed[start..end].iter_mut().for_each(|((px, _), _)| *px += shift);
        start = end;
    }
    let down = ((h - (y + row + LABEL)) / 2.0).max(0.0);
    placed.iter_mut().for_each(|((_, py), _)| *py += down);
    Some(placed)
}

/// The per-person picture (organisations of at most `PERSON_TIMES_MAX_PEOPLE` people): each
/// person a dot in their unit's sunflower, coloured by their median time to processing, the
/// links on the critical paths drawn between them.
fn people_chart(panels: &[Panel<'_>], units: &[&str], (lo, hi): (f64, f64), unit: TimeUnit) -> Result<Chart, String> {
    let members = members(panels, units);
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (body, legend) = root.split_vertically(SIZE.1 - 70);
        let areas = body.split_evenly((1, panels.len()));
        for (area, panel) in areas.iter().zip(panels) {
            draw_people(area, panel, units, &members, &sizes, (lo, hi), unit).map_err(|e| e.to_string())?;
        }
        draw_legend(&legend, (lo, hi), unit).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let pair = if panels.len() > 1 {
        format!("\"{}\" (left) and \"{}\" (right), everyone in the same place", panels[0].name, panels[1].name)
    } else {
        format!("\"{}\"", panels[0].name)
    };
    Ok(Chart {
        file: ORGANISATION_CHART.into(),
        title: "The organisation: who processes the item when, and where it travels".into(),
        caption: format!(
            "Each dot is a person, grouped by unit (the earliest in the middle of their unit), coloured by when they \
             processed the item (their median over the replications, to within 20%; grey: in at least half of them \
             not by the horizon). Lines: links on the critical path in at least {:.0}% of the replications that \
             reached the threshold (thicker: more often). {pair}. The unit → unit counts are in unit-flow.csv and \
             summary.json.",
            100.0 * MIN_LINK_SHARE
        ),
        svg,
    })
}

/// One point's people and the links of its critical paths.
fn draw_people(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel<'_>,
    units: &[&str],
    members: &[Vec<&str>],
    sizes: &[usize],
    (lo, hi): (f64, f64),
    unit: TimeUnit,
) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let title = TextStyle::from((FONT, 30).into_font()).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(panel.name.to_string(), ((w / 2.0) as i32, 10), title))?;
    let (left, top) = (16.0, 56.0);
    let (bw, bh) = (w - 2.0 * left, h - top - 8.0);
    // The widest spacing at which the shelves fit (at least 3 px: very crowded units overlap).
    let mut s = MAX_PERSON_SPACING;
    let layout = loop {
        if let Some(l) = shelves(sizes, s, bw, bh) {
            break l;
        }
        if s <= 3.0 {
            break shelves(sizes, s, f64::INFINITY, f64::INFINITY).unwrap_or_default();
        }
        s *= 0.92;
    };
    let mut at: std::collections::HashMap<&str, (f64, f64)> = std::collections::HashMap::new();
    for (ids, &((cx, cy), _)) in members.iter().zip(&layout) {
        for (k, id) in ids.iter().enumerate() {
            let r = s * (k as f64 + 0.5).sqrt();
            let a = k as f64 * GOLDEN_ANGLE;
            at.insert(id, (left + cx + r * a.cos(), top + cy + r * a.sin()));
        }
    }
    let px = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    let mut links: Vec<&(String, String, f64)> = panel.links.iter().filter(|l| l.2 >= MIN_LINK_SHARE).collect();
    links.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    for (from, to, share) in links {
        let (Some(&p), Some(&q)) = (at.get(from.as_str()), at.get(to.as_str())) else { continue };
        let share = share.clamp(0.0, 1.0);
        let stroke = (MAX_LINK_STROKE * share).max(1.0);
        let colour = RGBColor(0x0b, 0x4f, 0x8a).mix(0.25 + 0.6 * share);
        area.draw(&PathElement::new(vec![px(p), px(q)], colour.stroke_width(stroke.round() as u32)))?;
    }
    let dot = (s * 0.42).max(1.5).round() as i32;
    for p in panel.persons {
        let Some(&c) = at.get(p.id.as_str()) else { continue };
        area.draw(&Circle::new(px(c), dot, colour_of_time(p.median_hours, lo, hi).filled()))?;
    }
    let name_style = TextStyle::from((FONT, 18).into_font()).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    let time_style = TextStyle::from((FONT, 16).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    for (u, &((cx, cy), r)) in units.iter().zip(&layout) {
        let median = panel.times.iter().find(|t| t.unit == *u).and_then(|t| t.median_hours);
        let below = px((left + cx, top + cy + r + 2.0));
        area.draw(&Text::new(u.to_string(), below, name_style.clone()))?;
        area.draw(&Text::new(time_text(median, unit), (below.0, below.1 + 19), time_style.clone()))?;
    }
    Ok(())
}

/// One point's ring of units and its flows.
#[allow(clippy::too_many_arguments)]
fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel<'_>,
    units: &[&str],
    labelled: &[&str],
    max_people: f64,
    replications: u64,
    (lo, hi): (f64, f64),
    unit: TimeUnit,
) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let title = TextStyle::from((FONT, 30).into_font()).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(panel.name.to_string(), ((w / 2.0) as i32, 10), title))?;
    // Below the title, with room for the bottom unit's two label lines.
    let (top, labels) = (50.0, 48.0);
    let (cx, cy) = (w / 2.0, top + (h - top - labels) / 2.0);
    let ring = ((h - top - labels) / 2.0).min(w / 2.0 - 10.0) - MAX_RADIUS;
    let ring = ring.max(40.0);
    let n = units.len() as f64;
    let place = |i: usize| {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n;
        (cx + ring * a.cos(), cy + ring * a.sin())
    };
    let time_of = |u: &str| panel.times.iter().find(|t| t.unit == u);
    let radius = |u: &str| {
        let people = time_of(u).map_or(0.0, |t| t.member_replications as f64 / replications as f64);
        (MAX_RADIUS * (people / max_people).sqrt()).max(MIN_RADIUS)
    };
    let at = |u: &str| units.iter().position(|x| *x == u).map(place);
    // Arrows first, under the circles: from edge to edge, the head at the receiver.
    let mut flows = panel.flows.clone();
    flows.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| (a.0, a.1).cmp(&(b.0, b.1))));
    for &(from, to, share) in flows.iter().filter(|f| f.2 >= MIN_FLOW_SHARE) {
        let (Some(p), Some(q)) = (at(from), at(to)) else { continue };
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let start = (p.0 + ux * radius(from), p.1 + uy * radius(from));
        let end = (q.0 - ux * (radius(to) + 4.0), q.1 - uy * (radius(to) + 4.0));
        let stroke = (MAX_STROKE * share.clamp(0.0, 1.0)).max(1.5);
        let colour = RGBColor(0x0b, 0x4f, 0x8a).mix(0.35 + 0.55 * share.clamp(0.0, 1.0));
        let px = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
        area.draw(&PathElement::new(
            vec![px(start.0, start.1), px(end.0 - ux * stroke, end.1 - uy * stroke)],
            colour.stroke_width(stroke.round() as u32),
        ))?;
        let head = 8.0 + stroke;
        let (nx, ny) = (-uy, ux);
        area.draw(&Polygon::new(
            vec![
                px(end.0, end.1),
                px(end.0 - ux * head + nx * head * 0.6, end.1 - uy * head + ny * head * 0.6),
                px(end.0 - ux * head - nx * head * 0.6, end.1 - uy * head - ny * head * 0.6),
            ],
            colour.filled(),
        ))?;
    }
    let name_style = TextStyle::from((FONT, 20).into_font()).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    let time_style = TextStyle::from((FONT, 18).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, u) in units.iter().enumerate() {
        let (x, y) = place(i);
        let r = radius(u);
        let median = time_of(u).and_then(|t| t.median_hours);
        let c = (x.round() as i32, y.round() as i32);
        area.draw(&Circle::new(c, r.round() as i32, colour_of_time(median, lo, hi).filled()))?;
        area.draw(&Circle::new(c, r.round() as i32, INK.stroke_width(1)))?;
        if labelled.contains(u) {
            let below = c.1 + r.round() as i32 + 4;
            area.draw(&Text::new(u.to_string(), (c.0, below), name_style.clone()))?;
            area.draw(&Text::new(time_text(median, unit), (c.0, below + 22), time_style.clone()))?;
        }
    }
    Ok(())
}

/// The colour scale under the panels, with its times.
fn draw_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, (lo, hi): (f64, f64), unit: TimeUnit) -> DrawResult {
    let (w, _) = area.dim_in_pixel();
    let (x0, x1, y) = (f64::from(w) * 0.2, f64::from(w) * 0.7, 24);
    let steps = 60;
    for i in 0..steps {
        let f = i as f64 / f64::from(steps);
        let h = (lo.ln() + f * (hi.ln() - lo.ln())).exp();
        let xa = x0 + f * (x1 - x0);
        let xb = x0 + (f + 1.0 / f64::from(steps)) * (x1 - x0);
        area.draw(&Rectangle::new(
            [(xa.round() as i32, y), (xb.round() as i32 + 1, y + 18)],
            colour_of_time(Some(h), lo, hi).filled(),
        ))?;
    }
    let text = TextStyle::from((FONT, 18).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    let left = TextStyle::from((FONT, 18).into_font()).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Top));
    let name = unit.name("2");
    area.draw(&Text::new(format!("median time to processing ({name})"), (x0 as i32, 0), left.clone()))?;
    let plain = |h: f64| time_text(Some(h), unit).replace("≤ ", "");
    area.draw(&Text::new(format!("{} or sooner", plain(lo)), (x0 as i32, y + 22), text.clone()))?;
    area.draw(&Text::new(plain(hi), (x1 as i32, y + 22), text.clone()))?;
    let nx = x1 as i32 + 40;
    area.draw(&Rectangle::new([(nx, y), (nx + 30, y + 18)], NEVER.filled()))?;
    area.draw(&Text::new("never (by the horizon)".to_string(), (nx + 38, y), left))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_run_from_early_to_late_and_never_is_grey() {
        assert_eq!(colour_of_time(Some(1.0), 1.0, 100.0), SCALE[0]);
        assert_eq!(colour_of_time(Some(100.0), 1.0, 100.0), SCALE[4]);
        assert_eq!(colour_of_time(Some(10.0), 1.0, 100.0), SCALE[2], "the scale is logarithmic");
        assert_eq!(colour_of_time(None, 1.0, 100.0), NEVER);
        assert_eq!(colour_of_time(Some(5.0), 5.0, 5.0), SCALE[0]);
        assert_eq!(time_text(Some(1.5), TimeUnit::Hours), "≤ 1.5");
        assert_eq!(time_text(Some(96.0), TimeUnit::WorkingDays), "≤ 12");
        assert_eq!(time_text(Some(36.0), TimeUnit::CalendarDays), "≤ 1.5");
        assert_eq!(time_text(Some(0.5), TimeUnit::WorkingDays), "< 0.1");
        assert_eq!(time_text(None, TimeUnit::Hours), "never");
    }
}
