//! `permeate discover`: scenario discovery over a results folder's worlds. It reads what a run
//! with worlds wrote — `worlds.csv` (each world's factor values), `replications.csv` and
//! `summary.json` — marks each world as a *case* or not by an outcome, and finds with PRIM
//! ([`crate::analysis::discovery::prim`]) the box of factor ranges in which the cases are dense,
//! with each restricted factor's significance. Like `merge`, it reads only permeate's own output.

use std::path::Path;

use serde::Serialize;

use crate::analysis::discovery::{PrimBox, prim};
use crate::analysis::stats::paired;
use crate::error::{Error, InputError, InputErrorKind};

/// What makes a world a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The point reaches the threshold in more than half of the world's replications.
    Reached,
    /// The point meets the scenario's `[goal]` in the world: T ≤ the goal's time in at least the
    /// goal's share of the world's replications.
    Goal,
    /// The named variant is faster than the reference (`compare_to`, else the baseline) in more
    /// than half of the world's replications (paired: same replication, same draws).
    Delta(String),
}

impl Outcome {
    /// Parses `reached`, `goal` or `delta:VARIANT`.
    pub fn parse(s: &str) -> Result<Outcome, String> {
        match s {
            "reached" => Ok(Outcome::Reached),
            "goal" => Ok(Outcome::Goal),
            _ => match s.strip_prefix("delta:") {
                Some(v) if !v.is_empty() => Ok(Outcome::Delta(v.to_string())),
                _ => Err(format!("--outcome must be reached, goal or delta:VARIANT (e.g. delta:mandate), got \"{s}\"")),
            },
        }
    }
}

/// A restricted factor's significance: how unlikely the box's density would be if the box did
/// not restrict this factor.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FactorSignificance {
    /// The factor's name (a `worlds.csv` column).
    pub factor: String,
    /// The one-sided binomial p-value of the box's cases among its worlds, at the density of the
    /// box without this factor's restriction (EMA Workbench's "quasi-p" value). Small: the
    /// restriction matters.
    pub p_value: f64,
}

/// `discover.json`: the outcome, the cases and the box.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Discovery {
    /// The outcome in words.
    pub outcome: String,
    /// The design point judged (`delta`: the variant compared with the reference).
    pub point: String,
    /// Worlds in the folder.
    pub worlds: usize,
    /// Worlds that are cases.
    pub cases: usize,
    /// The PRIM box, if the cases can be told apart by the factors (`None`: see `reason`).
    pub prim_box: Option<PrimBox>,
    /// Per restricted factor of the box, its significance.
    pub significance: Vec<FactorSignificance>,
    /// Why there is no box, if there is none.
    pub reason: Option<String>,
}

/// The version of `discover.json`'s layout.
pub const DISCOVER_SCHEMA_VERSION: u32 = 1;

fn bad(path: &Path, message: String) -> Error {
    Error::from(InputError::new(path, InputErrorKind::Invalid(message)))
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        bad(
            path,
            format!(
                "cannot read it ({e}); give a results folder that `permeate run` wrote for a scenario with [uncertain]"
            ),
        )
    })
}

/// Reads `folder` (a results folder with worlds) and discovers on what `outcome` of `point`
/// (default: the baseline; for `delta`, the variant) hinges.
pub fn discover(folder: &Path, outcome: &Outcome, point: Option<&str>) -> Result<Discovery, Error> {
    let summary_path = folder.join("summary.json");
    let summary: serde_json::Value = serde_json::from_str(&read(&summary_path)?)
        .map_err(|e| bad(&summary_path, format!("is not the JSON permeate writes: {e}")))?;
    let names: Vec<String> = summary["variants"]
        .as_array()
        .map(|v| v.iter().filter_map(|p| p["name"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Err(bad(&summary_path, "has no variants: is it a permeate results folder?".into()));
    }
    let reference = summary["reference"].as_str().unwrap_or("baseline").to_string();
    let judged = match (outcome, point) {
        (Outcome::Delta(v), _) => v.clone(),
        (_, Some(p)) => p.to_string(),
        _ => "baseline".to_string(),
    };
    if !names.contains(&judged) {
        return Err(Error::from(
            InputError::new(&summary_path, InputErrorKind::UnknownName { what: "variant", name: judged, known: names })
                .at_key("variants"),
        ));
    }
    let worlds_path = folder.join("worlds.csv");
    let worlds_text = read(&worlds_path)?;
    let mut r = csv::Reader::from_reader(worlds_text.as_bytes());
    let header: Vec<String> =
        r.headers().map_err(|e| bad(&worlds_path, e.to_string()))?.iter().map(String::from).collect();
    if header.first().map(String::as_str) != Some("world") || header.len() < 2 {
        return Err(bad(&worlds_path, "the header must be `world` and one column per factor".into()));
    }
    let factors: Vec<String> = header[1..].to_vec();
    let mut x: Vec<Vec<f64>> = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(|e| bad(&worlds_path, e.to_string()))?;
        let line = i + 2;
        if row.get(0) != Some(i.to_string().as_str()) || row.len() != header.len() {
            return Err(Error::from(
                InputError::new(
                    &worlds_path,
                    InputErrorKind::Invalid(format!("expected world {i} with {} values", factors.len())),
                )
                .at_line(line),
            ));
        }
        let values: Result<Vec<f64>, _> = row.iter().skip(1).map(str::parse::<f64>).collect();
        x.push(values.map_err(|e| {
            Error::from(
                InputError::new(&worlds_path, InputErrorKind::Invalid(format!("not a number: {e}"))).at_line(line),
            )
        })?);
    }
    let worlds = x.len();
    let per_world = summary["replications"].as_u64().unwrap_or(0) as usize;
    let t = |name: &str| -> Result<Vec<Option<f64>>, Error> { replications(folder, name, worlds, per_world) };
    let judged_t = t(&judged)?;
    let chunks =
        |v: &[Option<f64>]| -> Vec<Vec<Option<f64>>> { v.chunks(per_world.max(1)).map(<[_]>::to_vec).collect() };
    let (label, y): (String, Vec<bool>) = match outcome {
        Outcome::Reached => (
            format!("\"{judged}\" reaches the threshold in more than half of the world's replications"),
            chunks(&judged_t).iter().map(|w| 2 * w.iter().filter(|t| t.is_some()).count() > w.len()).collect(),
        ),
        Outcome::Goal => {
            let goal = &summary["goal"];
            let (Some(hours), Some(p)) = (goal["t_hours"].as_f64(), goal["probability"].as_f64()) else {
                return Err(bad(&summary_path, "has no [goal]: --outcome goal needs a scenario with a [goal]".into()));
            };
            (
                format!(
                    "\"{judged}\" meets the goal (T ≤ {hours} h in at least {:.0}% of the world's replications)",
                    100.0 * p
                ),
                chunks(&judged_t)
                    .iter()
                    .map(|w| w.iter().filter(|t| t.is_some_and(|t| t <= hours)).count() as f64 >= p * w.len() as f64)
                    .collect(),
            )
        }
        Outcome::Delta(v) => {
            let base = chunks(&t(&reference)?);
            (
                format!("\"{v}\" is faster than \"{reference}\" in more than half of the world's replications"),
                chunks(&judged_t).iter().zip(&base).map(|(w, b)| paired(b, w).p_faster > 0.5).collect(),
            )
        }
    };
    let cases = y.iter().filter(|&&c| c).count();
    let prim_box = prim(&x, &y, &factors);
    let reason = prim_box.is_none().then(|| {
        if worlds < 20 {
            format!("{worlds} worlds are too few for PRIM (at least 20)")
        } else if cases * 20 < worlds || cases * 20 > 19 * worlds {
            format!("the outcome hardly varies across the worlds ({cases} of {worlds} are cases): it hinges on none of the factors")
        } else {
            "no box of factor ranges holds the cases densely enough (80%)".to_string()
        }
    });
    let significance = prim_box.as_ref().map(|b| significance(&x, &y, b)).unwrap_or_default();
    Ok(Discovery { outcome: label, point: judged, worlds, cases, prim_box, significance, reason })
}

/// `replications.csv`'s T of `name`, world-major, checked to have `worlds` × `per_world` rows.
fn replications(folder: &Path, name: &str, worlds: usize, per_world: usize) -> Result<Vec<Option<f64>>, Error> {
    let path = folder.join("replications.csv");
    let text = read(&path)?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().map_err(|e| bad(&path, e.to_string()))?.iter().map(String::from).collect();
    if header != ["variant", "world", "replication", "t_threshold", "reached"] {
        return Err(bad(&path, "has no `world` column: the run had no worlds".into()));
    }
    let mut t = Vec::with_capacity(worlds * per_world);
    for row in r.records() {
        let row = row.map_err(|e| bad(&path, e.to_string()))?;
        if &row[0] == name {
            t.push(if row[3].is_empty() { None } else { row[3].parse::<f64>().ok() });
        }
    }
    if t.len() != worlds * per_world {
        return Err(bad(&path, format!("has {} rows of \"{name}\", expected {worlds} worlds × {per_world}", t.len())));
    }
    Ok(t)
}

/// Per restricted factor of `b`: the one-sided binomial p-value of the box's cases at the
/// density of the box without that factor's restriction.
fn significance(x: &[Vec<f64>], y: &[bool], b: &PrimBox) -> Vec<FactorSignificance> {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let inside = |w: &[f64], skip: Option<usize>| {
        b.limits.iter().enumerate().all(|(i, l)| {
            Some(i) == skip || (l.low.is_none_or(|lo| w[l.factor] >= lo) && l.high.is_none_or(|hi| w[l.factor] <= hi))
        })
    };
    let count = |skip: Option<usize>| {
        x.iter().zip(y).filter(|(w, _)| inside(w, skip)).fold((0u64, 0u64), |(c, n), (_, &y)| (c + u64::from(y), n + 1))
    };
    let (k, n) = count(None);
    (0..b.limits.len())
        .map(|i| {
            let (c0, n0) = count(Some(i));
            let p0 = if n0 == 0 { 0.0 } else { c0 as f64 / n0 as f64 };
            let p_value = match Binomial::new(p0.clamp(0.0, 1.0), n) {
                Ok(d) if k > 0 => 1.0 - d.cdf(k - 1),
                _ => 1.0,
            };
            FactorSignificance { factor: b.limits[i].name.clone(), p_value }
        })
        .collect()
}

/// `discover.json`: the layout version and the discovery, flattened.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DiscoverDoc<'a> {
    /// The layout version of `discover.json` (raised when a field changes meaning).
    pub schema_version: u32,
    /// The outcome, the boxes and their factors.
    #[serde(flatten)]
    pub discovery: &'a Discovery,
}

/// `discover.json`.
pub fn discover_json(d: &Discovery) -> String {
    serde_json::to_string_pretty(&DiscoverDoc { schema_version: DISCOVER_SCHEMA_VERSION, discovery: d })
        .expect("plain data")
        + "\n"
}

/// `discover.csv`: one row per restricted factor of the box: `factor,low,high,p_value`, then the
/// box's `coverage`, `density`, `mass` on every row (empty bounds: not restricted that way).
pub fn discover_csv(d: &Discovery) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["factor", "low", "high", "p_value", "coverage", "density", "mass"]);
    if let Some(b) = &d.prim_box {
        for (l, s) in b.limits.iter().zip(&d.significance) {
            let o = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let _ = w.write_record([
                l.name.clone(),
                o(l.low),
                o(l.high),
                s.p_value.to_string(),
                b.coverage.to_string(),
                b.density.to_string(),
                b.mass.to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The box in one sentence for the terminal.
pub fn discover_text(d: &Discovery) -> String {
    match &d.prim_box {
        None => {
            format!("{} in {} of {} worlds; {}.\n", d.outcome, d.cases, d.worlds, d.reason.clone().unwrap_or_default())
        }
        Some(b) => {
            let ranges: Vec<String> = b
                .limits
                .iter()
                .zip(&d.significance)
                .map(|(l, s)| {
                    let range = match (l.low, l.high) {
                        (Some(lo), Some(hi)) => format!("{lo:.3} ≤ {} ≤ {hi:.3}", l.name),
                        (Some(lo), None) => format!("{} ≥ {lo:.3}", l.name),
                        (None, Some(hi)) => format!("{} ≤ {hi:.3}", l.name),
                        (None, None) => l.name.clone(),
                    };
                    format!("{range} (p = {:.2})", s.p_value)
                })
                .collect();
            format!(
                "{}: in {:.0}% of the worlds where {}, and in {:.0}% of the others ({} of {} worlds are cases; the box holds {:.0}% of them).\n",
                d.outcome,
                100.0 * b.density,
                ranges.join(" and "),
                100.0 * b.density_outside,
                d.cases,
                d.worlds,
                100.0 * b.coverage
            )
        }
    }
}
