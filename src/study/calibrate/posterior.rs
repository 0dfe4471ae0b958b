//! `posterior.csv`: the calibration's particles (one column per factor, named as in
//! `sensitivity.csv`, and `weight`), written by `permeate calibrate` and read by
//! `permeate run --posterior`, which resamples them to equal weights as worlds.

use std::path::Path;

use super::Calibration;
use crate::design::worlds::{Factor, FactorDist};
use crate::error::{InputError, InputErrorKind};
use crate::random::rng::fmix64;

/// The weight column's name.
pub const WEIGHT: &str = "weight";
/// The largest posterior file read (bytes).
pub const MAX_POSTERIOR_BYTES: u64 = 256 << 20;

/// The CSV text of the posterior: a header of the factors' names and `weight`, one row per
/// particle (numbers in the shortest form that reads back exactly).
pub fn posterior_csv(c: &Calibration) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = c.factor_defs.iter().map(|f| f.name.as_str()).collect();
    header.push(WEIGHT);
    let _ = w.write_record(&header);
    for (row, weight) in c.values.iter().zip(&c.weights) {
        let mut rec: Vec<String> = row.iter().map(|x| format!("{x}")).collect();
        rec.push(format!("{weight}"));
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `count` indices drawn from `weights` by systematic resampling (one uniform offset, a pure
/// function of `seed`): each particle appears about `count · weight` times.
pub fn systematic_resample(weights: &[f64], count: usize, seed: u64) -> Vec<usize> {
    let scaled = finite_sum_weights(weights);
    let weights = scaled.as_deref().unwrap_or(weights);
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || count == 0 || total.is_nan() || total <= 0.0 {
        return Vec::new();
    }
    let offset = crate::random::rng::to_open_unit(fmix64(seed ^ 0x7265_7361_6d70_6c65));
    let mut out = Vec::with_capacity(count);
    let mut acc = weights[0] / total;
    let mut i = 0;
    for j in 0..count {
        let point = (j as f64 + offset) / count as f64;
        while point > acc && i + 1 < weights.len() {
            i += 1;
            acc += weights[i] / total;
        }
        out.push(i);
    }
    out
}

/// `weights` divided by the largest when their sum overflows to infinity (`1e308` three times):
/// the same proportions with a finite sum, so resampling follows them instead of giving every
/// draw to the last particle (issue 20, defect 17). `None` when the sum is finite (the weights
/// stay as they are, so existing results do not change) or a weight is not finite.
fn finite_sum_weights(weights: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = weights.iter().sum();
    if !total.is_infinite() || weights.iter().any(|w| !w.is_finite()) {
        return None;
    }
    let max = weights.iter().copied().fold(0.0f64, f64::max);
    Some(weights.iter().map(|w| w / max).collect())
}

/// Reads `path` as a posterior of `factors`: its columns must be the factors' names (any order)
/// and `weight`; values within each factor's range, weights ≥ 0 and not all 0. Returns the
/// particles' factor values (in the factors' order) and weights.
pub fn read(path: &Path, factors: &[Factor]) -> Result<(Vec<Vec<f64>>, Vec<f64>), InputError> {
    let err = |kind: InputErrorKind| InputError::new(path, kind);
    let meta = std::fs::metadata(path).map_err(|e| err(InputErrorKind::Unreadable(e.to_string())))?;
    if !meta.is_file() {
        return Err(err(InputErrorKind::NotRegularFile("a posterior file")));
    }
    if meta.len() > MAX_POSTERIOR_BYTES {
        return Err(err(InputErrorKind::TooLarge { what: "a posterior file", limit: MAX_POSTERIOR_BYTES }));
    }
    let bytes = std::fs::read(path).map_err(|e| err(InputErrorKind::Unreadable(e.to_string())))?;
    let text = String::from_utf8(bytes).map_err(|_| err(InputErrorKind::NotUtf8))?;
    if text.trim().is_empty() {
        return Err(err(InputErrorKind::Empty));
    }
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| {
        let mut ie = err(InputErrorKind::Csv(e.to_string()));
        ie.line = e.position().map(|p| p.line() as usize);
        ie
    };
    let headers: Vec<String> = rdr.headers().map_err(csv_err)?.iter().map(str::to_string).collect();
    crate::org::refuse_duplicate_columns(path, headers.iter().map(String::as_str), 1)?;
    let expected = {
        let mut v: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
        v.push(WEIGHT);
        v.join(",")
    };
    let mut columns = Vec::with_capacity(factors.len());
    for h in &headers {
        if h != WEIGHT && !factors.iter().any(|f| &f.name == h) {
            return Err(err(InputErrorKind::Invalid(format!(
                "column \"{h}\" is not a factor of the scenario's [uncertain] section; a posterior of this scenario has \
                 the columns {expected} (calibrate against this scenario with `permeate calibrate`)"
            )))
            .at_line(1)
            .at_key(h.clone()));
        }
    }
    for f in factors.iter().map(|f| f.name.as_str()).chain([WEIGHT]) {
        match headers.iter().position(|h| h == f) {
            Some(i) => columns.push(i),
            None => {
                return Err(err(InputErrorKind::Invalid(format!(
                    "the column \"{f}\" is missing; a posterior of this scenario has the columns {expected}"
                )))
                .at_line(1)
                .at_key(f.to_string()));
            }
        }
    }
    let mut values = Vec::new();
    let mut weights = Vec::new();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        let mut row = Vec::with_capacity(factors.len());
        for (c, &i) in columns.iter().enumerate() {
            let name = if c < factors.len() { factors[c].name.as_str() } else { WEIGHT };
            let v = record.get(i).unwrap_or("");
            let bad = |m: String| err(InputErrorKind::Invalid(m)).at_line(line).at_key(name.to_string());
            let x: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| bad(format!("`{v}` is not a number; expected e.g. 0.5")))?;
            if c < factors.len() {
                let (lo, hi) = factors[c].dist.support();
                if !(lo..=hi).contains(&x) {
                    return Err(bad(format!(
                        "{} is outside the factor's range ({}) in the scenario",
                        crate::error::num(x),
                        factors[c].dist.describe()
                    )));
                }
                // A `choice` factor takes only its values (issue 20, defect 22).
                if let FactorDist::Choice { values, .. } = &factors[c].dist
                    && !values.contains(&x)
                {
                    return Err(bad(format!(
                        "{} is not a value the factor can take ({} in the scenario); e.g. {}",
                        crate::error::num(x),
                        factors[c].dist.describe(),
                        crate::error::num(values[0])
                    )));
                }
                row.push(x);
            } else {
                if x < 0.0 {
                    return Err(bad(format!("{} is negative; a weight is ≥ 0, e.g. 0.25", crate::error::num(x))));
                }
                weights.push(x);
            }
        }
        values.push(row);
        if values.len() > crate::design::worlds::MAX_WORLDS as usize {
            return Err(err(InputErrorKind::Invalid(format!(
                "more than {} particles",
                crate::design::worlds::MAX_WORLDS
            )))
            .at_line(line));
        }
    }
    if let Some(w) = finite_sum_weights(&weights) {
        weights = w;
    }
    let total: f64 = weights.iter().sum();
    if values.is_empty() || total.is_nan() || total <= 0.0 {
        return Err(
            err(InputErrorKind::Invalid("the posterior has no particle with a positive weight".into())).at_key(WEIGHT)
        );
    }
    Ok((values, weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systematic_resampling_follows_the_weights() {
        let picks = systematic_resample(&[0.5, 0.0, 0.25, 0.25], 8, 3);
        let count = |i| picks.iter().filter(|&&p| p == i).count();
        assert_eq!((count(0), count(1), count(2), count(3)), (4, 0, 2, 2));
        assert!(picks.windows(2).all(|w| w[0] <= w[1]));
    }

    /// Issue 20, defect 17: weights whose sum overflows (`1e308` three times) keep their
    /// proportions; before, every draw went to the last particle. Seen to fail with
    /// `finite_sum_weights` returning `None` (counts (0, 0, 9)).
    #[test]
    fn weights_whose_sum_overflows_are_resampled_by_their_proportions() {
        let picks = systematic_resample(&[1e308, 1e308, 1e308], 9, 3);
        let count = |i| picks.iter().filter(|&&p| p == i).count();
        assert_eq!((count(0), count(1), count(2)), (3, 3, 3));
        let picks = systematic_resample(&[1.7e308, 0.85e308, 0.85e308], 8, 5);
        let count = |i| picks.iter().filter(|&&p| p == i).count();
        assert_eq!((count(0), count(1), count(2)), (4, 2, 2));
        assert_eq!(finite_sum_weights(&[0.5, 0.25]), None);
    }
}
