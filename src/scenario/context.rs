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

pub(crate) fn prob(v: f64, key: &str, ctx: &Ctx<'_>) -> Result<f64, InputError> {
    probability(v).map_err(|k| ctx.err(key, k))
}

// ---- Conventions and defaults of the scenario format (docs/scenario-format.md) ----
