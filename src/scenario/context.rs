//! Where validation errors point ([`Ctx`], [`Place`]) and the small checks every section uses
//! (distributions, probabilities): shared by the section validators in `validate`, `timing` and
//! `calendars`, so that none of them imports another.

use std::path::Path;

use super::locate::{has_key, line_of_key};
use super::probability;
use super::raw::RawDist;
use crate::error::{InputError, InputErrorKind};
use crate::random::dist::Dist;

/// Which part of the scenario file a variant comes from (for error locations).
#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// The baseline: keys are located in the file.
    Baseline,
    /// `[[variants]]` number `.0` named `.1`.
    Listed(usize, String),
    /// The `[sweep]` table itself.
    Sweep,
    /// A point of the sweep, by its generated name.
    SweepPoint(String),
}

/// Where validation errors point.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub dir: &'a Path,
    pub text: &'a str,
    pub place: Place,
    pub seed: u64,
}

impl Clone for Ctx<'_> {
    fn clone(&self) -> Self {
        Ctx { place: self.place.clone(), ..*self }
    }
}

impl<'a> Ctx<'a> {
    /// An error at dotted `key` of this variant.
    pub(super) fn err(&self, key: &str, kind: InputErrorKind) -> InputError {
        self.locate(InputError::new(self.file, kind).at_key(key))
    }

    /// Names this context's variant (if any) in `e`, leaving its file and line as they are: for
    /// errors in other files (CSV) that the variant caused.
    pub(super) fn name_variant(&self, mut e: InputError) -> InputError {
        if let Place::Listed(_, v) | Place::SweepPoint(v) = &self.place {
            e.variant = Some(v.clone());
        }
        e
    }

    /// Fills in the line and variant of `e` from its key and this context.
    pub(super) fn locate(&self, mut e: InputError) -> InputError {
        let key = e.key.clone().unwrap_or_default();
        match &self.place {
            Place::Baseline => {
                if e.line.is_none() {
                    let segs: Vec<&str> = key.split('.').collect();
                    e.line = line_of_key(self.text, &segs);
                }
            }
            Place::Listed(i, name) => {
                let i = i.to_string();
                e.line = match key.strip_prefix("set.") {
                    Some(path) => line_of_key(self.text, &["variants", &i, "set", path]),
                    None => set_line_for(self.text, &i, &key)
                        .or_else(|| line_of_key(self.text, &["variants", &i, key.split('.').next().unwrap_or("name")])),
                }
                .or_else(|| line_of_key(self.text, &["variants", &i]));
                e.variant = Some(name.clone());
            }
            Place::Sweep => e.line = line_of_key(self.text, &["sweep"]),
            Place::SweepPoint(name) => {
                e.line = line_of_key(self.text, &["sweep"]);
                e.variant = Some(name.clone());
            }
        }
        e
    }
}

/// The line of the `set` entry of variant `i` whose path is `key` or its longest prefix (the
/// override that produced a value failing validation at `key`).
fn set_line_for(text: &str, i: &str, key: &str) -> Option<usize> {
    let segs: Vec<&str> = key.split('.').collect();
    (1..=segs.len()).rev().find_map(|n| {
        let path = segs[..n].join(".");
        let at = ["variants", i, "set", path.as_str()];
        if has_key(text, &at) { line_of_key(text, &at) } else { None }
    })
}

pub(crate) fn dist(raw: &RawDist, key: &str, ctx: &Ctx<'_>) -> Result<Dist, InputError> {
    let d = match *raw {
        RawDist::Empirical { ref quantiles, ref file } => {
            return empirical(quantiles.as_deref(), file.as_deref(), key, ctx);
        }
        RawDist::Exponential { rate: Some(r), mean: None } => Dist::exponential(r),
        RawDist::Exponential { rate: None, mean: Some(m) } => Dist::exponential_mean(m),
        RawDist::Exponential { .. } => {
            return Err(ctx.err(
                key,
                InputErrorKind::Invalid(
                    "an exponential needs exactly one of `rate` (per hour) or `mean` (hours)".into(),
                ),
            ));
        }
        RawDist::Lognormal { median, sigma } => Dist::lognormal(median, sigma),
        RawDist::Gamma { shape, scale } => Dist::gamma(shape, scale),
        RawDist::Weibull { shape, scale } => Dist::weibull(shape, scale),
        RawDist::Uniform { min, max } => Dist::uniform(min, max),
        RawDist::Fixed { value } => Dist::fixed(value),
    };
    d.map_err(|e| ctx.err(key, InputErrorKind::Dist(e)))
}

/// The column of an empirical distribution's file that holds the quantiles.
pub(crate) const EMPIRICAL_COLUMN: &str = "hours";

/// `{ dist = "empirical", quantiles = [...] }` or `{ dist = "empirical", file = "waits.csv" }`.
fn empirical(quantiles: Option<&[f64]>, file: Option<&str>, key: &str, ctx: &Ctx<'_>) -> Result<Dist, InputError> {
    match (quantiles, file) {
        (Some(q), None) => Dist::empirical(q).map_err(|e| ctx.err(key, InputErrorKind::Dist(e))),
        (None, Some(f)) => {
            let path = ctx.dir.join(f);
            let q = read_quantiles(&path)?;
            Dist::empirical(&q.iter().map(|(x, _)| *x).collect::<Vec<_>>()).map_err(|e| {
                // Point at the row of the offending quantile where there is one.
                let row = match &e {
                    crate::random::dist::DistError::BadQuantile { index, .. }
                    | crate::random::dist::DistError::QuantilesDecrease { index, .. } => q.get(index - 1).map(|r| r.1),
                    _ => None,
                };
                let err = InputError::new(&path, InputErrorKind::Dist(e)).at_key(EMPIRICAL_COLUMN);
                ctx.name_variant(match row {
                    Some(l) => err.at_line(l),
                    None => err,
                })
            })
        }
        _ => Err(ctx.err(
            key,
            InputErrorKind::Invalid(
                "an empirical distribution needs exactly one of `quantiles` (evenly spaced quantiles in hours, e.g. [0.5, 2.0, 30.0]) or `file` (a CSV file with a `hours` column, e.g. \"waits.csv\")".into(),
            ),
        )),
    }
}

/// The quantiles of an empirical distribution's file, each with its line: a CSV file with a
/// header holding a column `hours`, one quantile per row in ascending order of probability;
/// lines starting with `#` are comments.
pub(crate) fn read_quantiles(path: &Path) -> Result<Vec<(f64, usize)>, InputError> {
    let text = crate::org::csv_input_read_text(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| {
        let mut err = InputError::new(path, InputErrorKind::Csv(e.to_string()));
        err.line = e.position().map(|p| p.line() as usize);
        err
    };
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let Some(col) = headers.iter().position(|h| h == EMPIRICAL_COLUMN) else {
        return Err(InputError::new(
            path,
            InputErrorKind::Invalid(format!(
                "no column `{EMPIRICAL_COLUMN}` in the header ({}); the file holds one quantile in hours per row under the header `{EMPIRICAL_COLUMN}`, e.g. \"hours\\n0.5\\n2\\n30\"",
                headers.iter().collect::<Vec<_>>().join(",")
            )),
        )
        .at_line(1));
    };
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if out.len() >= crate::random::dist::MAX_QUANTILES {
            return Err(InputError::new(
                path,
                InputErrorKind::Dist(crate::random::dist::DistError::TooManyQuantiles { given: out.len() + 1 }),
            )
            .at_line(line));
        }
        let cell = record.get(col).unwrap_or("");
        let x: f64 = cell.parse().map_err(|_| {
            InputError::new(path, InputErrorKind::Invalid(format!("\"{cell}\" is not a number of hours; e.g. 2.5")))
                .at_line(line)
                .at_key(EMPIRICAL_COLUMN)
        })?;
        out.push((x, line));
    }
    Ok(out)
}

pub(crate) fn prob(v: f64, key: &str, ctx: &Ctx<'_>) -> Result<f64, InputError> {
    probability(v).map_err(|k| ctx.err(key, k))
}

// ---- Conventions and defaults of the scenario format (docs/scenario-format.md) ----
