//! Duration distributions (all in hours): channel delays, processing delays and spreading windows.
//!
//! Every distribution has a fallible constructor that rejects parameters that are not finite or
//! out of range ([`DistError`]), and is sampled from a uniform in (0, 1) by its inverse CDF where
//! one exists in closed form. Inverse-CDF sampling makes a draw monotone in its uniform, which is
//! what common random numbers need. Gamma has no closed-form inverse; it is sampled by rand_distr's
//! rejection sampler from a generator seeded by the draw (still a pure function of the draw).

use std::sync::Arc;

use rand::distr::Distribution;
use thiserror::Error;

use crate::random::rng::SplitMix64;

/// A number for a message: as written for ordinary values (`0.7`, `1.5`), in scientific notation
/// when that would take more than a few digits (`1e300`, `5e-324`), never with 300 digits.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-6..1e15).contains(&a) { x.to_string() } else { format!("{x:e}") }
}

/// `x` rounded to six significant digits, for messages about computed values (a factor's draw
/// times a scale): `29.606791482556982` → `29.6068`. Values with fewer digits are unchanged.
pub(crate) fn round_sig(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // The exponent form with five decimals has exactly six significant digits.
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// Why a distribution's parameters were rejected. Fix the named parameter in the scenario.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DistError {
    /// A parameter is NaN or infinite. Give a finite number of hours (or a finite shape).
    #[error("`{param}` must be a finite number, got {}", num(*.value))]
    NotFinite {
        /// The parameter's key, e.g. `rate`.
        param: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A parameter that must be strictly positive is zero or negative.
    #[error("`{param}` must be greater than 0, got {}", num(*.value))]
    NotPositive {
        /// The parameter's key.
        param: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A duration that must not be negative is negative.
    #[error("`{param}` must not be negative, got {} (durations are hours >= 0)", num(*.value))]
    Negative {
        /// The parameter's key.
        param: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// An exponential `rate` so small that its mean `1 / rate` is infinite. Give a larger rate or
    /// a finite `mean`.
    #[error("`rate` {} is so small that the mean (1 / rate) is infinite; give a rate above 1e-300 per hour or a `mean` in hours", num(*.rate))]
    InfiniteMean {
        /// The rejected rate per hour.
        rate: f64,
    },
    /// An empirical distribution with fewer than [`MIN_QUANTILES`] quantiles.
    #[error(
        "`quantiles` needs at least {MIN_QUANTILES} values (the minimum and the maximum, in hours), got {given}; e.g. quantiles = [0.5, 2.0, 30.0]"
    )]
    TooFewQuantiles {
        /// How many were given.
        given: usize,
    },
    /// An empirical distribution with more than [`MAX_QUANTILES`] quantiles.
    #[error(
        "`quantiles` may hold at most {MAX_QUANTILES} values, got {given}; keep every k-th one (evenly spaced quantiles stay evenly spaced)"
    )]
    TooManyQuantiles {
        /// How many were given.
        given: usize,
    },
    /// A quantile that is NaN, infinite or negative.
    #[error("quantile {index} is {}: every quantile must be a finite number of hours >= 0", num(*.value))]
    BadQuantile {
        /// Its position, 1-based.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// A quantile smaller than the one before it.
    #[error("quantile {index} ({}) is smaller than quantile {} ({}): quantiles must not decrease", num(*.value), .index - 1, num(*.previous))]
    QuantilesDecrease {
        /// Its position, 1-based.
        index: usize,
        /// The rejected value.
        value: f64,
        /// The value before it.
        previous: f64,
    },
    /// A uniform distribution with `min` above `max`.
    #[error("`min` ({}) must not be greater than `max` ({})", num(*.min), num(*.max))]
    MinAboveMax {
        /// Lower bound in hours.
        min: f64,
        /// Upper bound in hours.
        max: f64,
    },
}

impl DistError {
    /// The same error with its numbers rounded to six significant digits ([`round_sig`]), for
    /// values that were computed rather than written by a person.
    pub fn rounded(self) -> Self {
        let r = round_sig;
        match self {
            Self::NotFinite { param, value } => Self::NotFinite { param, value: r(value) },
            Self::NotPositive { param, value } => Self::NotPositive { param, value: r(value) },
            Self::Negative { param, value } => Self::Negative { param, value: r(value) },
            Self::InfiniteMean { rate } => Self::InfiniteMean { rate: r(rate) },
            Self::BadQuantile { index, value } => Self::BadQuantile { index, value: r(value) },
            Self::QuantilesDecrease { index, value, previous } => {
                Self::QuantilesDecrease { index, value: r(value), previous: r(previous) }
            }
            Self::MinAboveMax { min, max } => Self::MinAboveMax { min: r(min), max: r(max) },
            other => other,
        }
    }
}

/// A probability distribution of a duration in hours, ready to sample.
#[derive(Debug, Clone)]
pub enum Dist {
    /// Exponential with `rate` events per hour (mean `1 / rate` hours).
    Exponential {
        /// Events per hour.
        rate: f64,
        /// `1 / rate` in hours as `f32`, for the engine's draw (a multiply instead of a divide).
        mean_f32: f32,
    },
    /// Log-normal: `median · exp(sigma · Z)` with `Z` standard normal.
    LogNormal {
        /// Median in hours.
        median: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Gamma with `shape` and `scale` (hours); mean `shape · scale`.
    Gamma {
        /// Shape parameter (dimensionless).
        shape: f64,
        /// Scale in hours.
        scale: f64,
        /// The ready sampler.
        sampler: rand_distr::Gamma<f64>,
    },
    /// Weibull with `shape` and `scale` (hours).
    Weibull {
        /// Shape parameter (dimensionless).
        shape: f64,
        /// Scale in hours.
        scale: f64,
    },
    /// Uniform between `min` and `max` hours.
    Uniform {
        /// Lower bound in hours.
        min: f64,
        /// Upper bound in hours.
        max: f64,
    },
    /// Always exactly `value` hours.
    Fixed {
        /// The duration in hours.
        value: f64,
    },
    /// Empirical: `quantiles[i]` is the quantile at probability `i / (n − 1)` (evenly spaced, the
    /// first the minimum and the last the maximum, hours), linearly interpolated in between — a
    /// density that is constant between neighbouring quantiles. Holds bursty, bimodal waiting
    /// times that no two-parameter law can.
    Empirical {
        /// The quantiles in hours, non-decreasing, at least [`MIN_QUANTILES`] of them.
        quantiles: Arc<[f64]>,
    },
}

/// The fewest quantiles of an empirical distribution: its minimum and its maximum.
pub(crate) const MIN_QUANTILES: usize = 2;
/// The most quantiles of an empirical distribution (one per 0.01 percentage point).
pub(crate) const MAX_QUANTILES: usize = 10_001;

fn finite(param: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() { Ok(value) } else { Err(DistError::NotFinite { param, value }) }
}

fn positive(param: &'static str, value: f64) -> Result<f64, DistError> {
    if finite(param, value)? > 0.0 { Ok(value) } else { Err(DistError::NotPositive { param, value }) }
}

fn non_negative(param: &'static str, value: f64) -> Result<f64, DistError> {
    if finite(param, value)? >= 0.0 { Ok(value) } else { Err(DistError::Negative { param, value }) }
}

impl Dist {
    /// Exponential with `rate` per hour (> 0).
    pub fn exponential(rate: f64) -> Result<Dist, DistError> {
        let rate = positive("rate", rate)?;
        if !(1.0 / rate).is_finite() {
            return Err(DistError::InfiniteMean { rate });
        }
        Ok(Dist::Exponential { rate, mean_f32: (1.0 / rate) as f32 })
    }

    /// Exponential with mean `mean` hours (> 0).
    pub fn exponential_mean(mean: f64) -> Result<Dist, DistError> {
        let mean = positive("mean", mean)?;
        Ok(Dist::Exponential { rate: 1.0 / mean, mean_f32: mean as f32 })
    }

    /// Log-normal with `median` hours (> 0) and log-standard-deviation `sigma` (> 0).
    pub fn lognormal(median: f64, sigma: f64) -> Result<Dist, DistError> {
        Ok(Dist::LogNormal { median: positive("median", median)?, sigma: positive("sigma", sigma)? })
    }

    /// Gamma with `shape` (> 0) and `scale` hours (> 0).
    pub fn gamma(shape: f64, scale: f64) -> Result<Dist, DistError> {
        let shape = positive("shape", shape)?;
        let scale = positive("scale", scale)?;
        let sampler = rand_distr::Gamma::new(shape, scale)
            .map_err(|_| DistError::NotPositive { param: "shape", value: shape })?;
        Ok(Dist::Gamma { shape, scale, sampler })
    }

    /// Weibull with `shape` (> 0) and `scale` hours (> 0).
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, DistError> {
        Ok(Dist::Weibull { shape: positive("shape", shape)?, scale: positive("scale", scale)? })
    }

    /// Uniform on [`min`, `max`] hours, `0 <= min <= max`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        let min = non_negative("min", min)?;
        let max = non_negative("max", max)?;
        if min > max {
            return Err(DistError::MinAboveMax { min, max });
        }
        Ok(Dist::Uniform { min, max })
    }

    /// Always `value` hours (>= 0).
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        Ok(Dist::Fixed { value: non_negative("value", value)? })
    }

    /// Empirical with evenly spaced `quantiles` in hours (see [`Dist::Empirical`]): at least
    /// [`MIN_QUANTILES`], at most [`MAX_QUANTILES`], each finite and >= 0, none smaller than the
    /// one before.
    pub fn empirical(quantiles: &[f64]) -> Result<Dist, DistError> {
        if quantiles.len() < MIN_QUANTILES {
            return Err(DistError::TooFewQuantiles { given: quantiles.len() });
        }
        if quantiles.len() > MAX_QUANTILES {
            return Err(DistError::TooManyQuantiles { given: quantiles.len() });
        }
        for (i, &q) in quantiles.iter().enumerate() {
            if !(q.is_finite() && q >= 0.0) {
                return Err(DistError::BadQuantile { index: i + 1, value: q });
            }
            if i > 0 && q < quantiles[i - 1] {
                return Err(DistError::QuantilesDecrease { index: i + 1, value: q, previous: quantiles[i - 1] });
            }
        }
        Ok(Dist::Empirical { quantiles: quantiles.into() })
    }

    /// Draws a duration in hours from the uniform `u` in (0, 1) (and, for gamma only, the raw
    /// bits `bits` of the same draw that seed its rejection sampler).
    ///
    /// For every kind but gamma this is the inverse CDF, so it is non-decreasing in `u`. The
    /// engine's [`Dist::draw`] uses it for every kind but exponential.
    #[inline]
    pub fn sample(&self, u: f64, bits: u64) -> f64 {
        debug_assert!(u > 0.0 && u < 1.0);
        let x = match *self {
            Dist::Exponential { rate, .. } => -(1.0 - u).ln() / rate,
            Dist::LogNormal { median, sigma } => median * (sigma * standard_normal_quantile(u)).exp(),
            Dist::Gamma { ref sampler, .. } => sampler.sample(&mut SplitMix64::new(bits)),
            Dist::Weibull { shape, scale } => scale * (-(1.0 - u).ln()).powf(1.0 / shape),
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::Fixed { value } => value,
            Dist::Empirical { ref quantiles } => empirical_quantile(quantiles, u),
        };
        debug_assert!(x >= 0.0 && !x.is_nan());
        x
    }

    /// The engine's draw: a duration in hours as `f32` from 64 random bits. Exponential delays
    /// are `exp1_f32(bits) · mean` (ziggurat; the hot path of SIR-like scenarios); the others are
    /// computed in `f64` by [`Dist::sample`] at the bits' uniform and rounded, so they are
    /// non-decreasing in that uniform (except gamma).
    #[inline(always)]
    pub fn draw(&self, bits: u64) -> f32 {
        match *self {
            Dist::Exponential { mean_f32, .. } => exp1_f32(bits) * mean_f32,
            Dist::Fixed { value } => value as f32,
            _ => self.draw_by_sample(bits),
        }
    }

    /// The `f64` path of [`Dist::draw`], kept out of line so the fast cases inline.
    #[inline(never)]
    fn draw_by_sample(&self, bits: u64) -> f32 {
        self.sample(crate::random::rng::to_open_unit(bits), bits) as f32
    }

    /// The mean in hours (for summaries).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Exponential { rate, .. } => 1.0 / rate,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale, .. } => shape * scale,
            Dist::Weibull { shape, scale } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Fixed { value } => value,
            Dist::Empirical { ref quantiles } => {
                // The mean of a piecewise-uniform law: the average of each segment's midpoint.
                let n = (quantiles.len() - 1) as f64;
                quantiles.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / n
            }
        }
    }

    /// True when every draw is exactly zero hours (processing "instantly").
    pub fn is_zero(&self) -> bool {
        matches!(*self, Dist::Fixed { value } if value == 0.0)
    }

    /// A short human description, e.g. `exponential(mean 4 h)`.
    pub fn describe(&self) -> String {
        match *self {
            Dist::Exponential { rate, .. } => format!("exponential (mean {} h)", fmt_num(1.0 / rate)),
            Dist::LogNormal { median, sigma } => {
                format!("lognormal (median {} h, sigma {})", fmt_num(median), fmt_num(sigma))
            }
            Dist::Gamma { shape, scale, .. } => {
                format!("gamma (shape {}, scale {} h)", fmt_num(shape), fmt_num(scale))
            }
            Dist::Weibull { shape, scale } => {
                format!("weibull (shape {}, scale {} h)", fmt_num(shape), fmt_num(scale))
            }
            Dist::Uniform { min, max } => format!("uniform ({}–{} h)", fmt_num(min), fmt_num(max)),
            Dist::Fixed { value } => format!("fixed {} h", fmt_num(value)),
            Dist::Empirical { ref quantiles } => format!(
                "empirical ({} quantiles, median {} h, {}–{} h)",
                quantiles.len(),
                fmt_num(empirical_quantile(quantiles, 0.5)),
                fmt_num(quantiles[0]),
                fmt_num(quantiles[quantiles.len() - 1])
            ),
        }
    }
}

/// The inverse CDF of an empirical distribution at `u` in [0, 1]: with `n + 1` evenly spaced
/// quantiles, `u · n` falls in segment `i`, interpolated linearly between `q[i]` and `q[i + 1]`.
/// Clamped to the segment's end, so rounding can never make it exceed the next segment's start:
/// non-decreasing in `u`.
#[inline]
fn empirical_quantile(q: &[f64], u: f64) -> f64 {
    let n = q.len() - 1;
    let x = u * n as f64;
    let i = (x as usize).min(n - 1);
    let frac = x - i as f64;
    (q[i] + frac * (q[i + 1] - q[i])).min(q[i + 1])
}

/// A standard exponential variate (mean 1, no unit) from 64 random bits, by the ziggurat method
/// of `rand_distr::Exp1`: on its fast path (about 99% of draws) the bits alone decide the draw;
/// the rare slow path goes on with a [`SplitMix64`] stream seeded by the same bits, so the draw
/// stays a pure function of the bits (common random numbers hold).
///
/// Why not the inverse CDF `−ln(1 − u)`: the logarithm's latency sat between every link's
/// random bits and the engine's decision about that link, 13% of an SIR replication. The
/// ziggurat is not monotone in the bits, but an exponential draw is `exp1 · mean`, so for the
/// same bits it is still monotone in the mean — what the coupling of variants relies on.
#[inline(always)]
pub(crate) fn exp1_f32(bits: u64) -> f32 {
    let x: f64 = rand_distr::Exp1.sample(&mut crate::random::rng::BitsFirst::new(bits));
    x as f32
}

/// Formats a number with at most 3 significant decimals and no trailing zeros.
pub(crate) fn fmt_num(x: f64) -> String {
    fmt_decimals(x, 3)
}

/// Formats a number rounded to `decimals` decimals without trailing zeros (`12.50` → `12.5`,
/// `3.000` → `3`); a value that rounds to zero is `0`, never `-0`. The one number format of the
/// result files and reports.
pub(crate) fn fmt_decimals(x: f64, decimals: usize) -> String {
    if let Some(e) = exponent_form(x) {
        return e;
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s.as_str() };
    if s.is_empty() || s == "-0" { "0".into() } else { s.to_string() }
}

/// Below this magnitude a non-zero rounded number ([`fmt_decimals`], [`fmt_fixed`]) is written
/// in exponent form (`5e-324`), not as `0`. Far below any rounding noise of values in the normal
/// range (a difference of two hours that should be equal is about 1e-15), so no rounded figure
/// of the bundled results changes; messages ([`num`]) use 1e-6.
const EXPONENT_BELOW: f64 = 1e-100;
/// From this magnitude on a number is written in exponent form (`1.6e308`), never with hundreds
/// of digits; the same bound as [`num`].
const EXPONENT_FROM: f64 = 1e15;
/// Significant digits of the exponent form.
const EXPONENT_DIGITS: usize = 4;

/// `x` in exponent form with at most [`EXPONENT_DIGITS`] significant digits (`1.6e308`,
/// `5e-324`), if it is finite, not zero and outside [`EXPONENT_BELOW`] to [`EXPONENT_FROM`];
/// else `None` (issue 20, defect 18).
pub(crate) fn exponent_form(x: f64) -> Option<String> {
    let a = x.abs();
    if !a.is_finite() || a == 0.0 || (EXPONENT_BELOW..EXPONENT_FROM).contains(&a) {
        return None;
    }
    // The shortest form that reads back as `x` where it is short (`5e-324`, not the subnormal's
    // exact `4.941e-324`), else rounded to EXPONENT_DIGITS significant digits.
    let shortest = format!("{x:e}");
    let digits = shortest.split_once('e').map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let s = if digits <= EXPONENT_DIGITS { shortest } else { format!("{x:.prec$e}", prec = EXPONENT_DIGITS - 1) };
    let (mantissa, exp) = s.split_once('e')?;
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    Some(format!("{mantissa}e{exp}"))
}

/// `x` with exactly `decimals` decimals (`12.0` with one), as `format!("{x:.1}")` writes it
/// (but never `-0.0`), in exponent form beyond the bounds of [`fmt_decimals`] (`1.6e308`,
/// `5e-324`): the one formatter for fixed-decimal numbers in reports, charts and messages.
pub(crate) fn fmt_fixed(x: f64, decimals: usize) -> String {
    exponent_form(x).unwrap_or_else(|| {
        let s = format!("{x:.decimals$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    })
}

/// `x` with exactly `decimals` decimals and always a sign, as `format!("{x:+.1}")` writes it
/// (`+1.5`, `-0.3`), in exponent form beyond the bounds of [`fmt_fixed`] (`+1e300`).
pub(crate) fn fmt_signed(x: f64, decimals: usize) -> String {
    match exponent_form(x) {
        Some(e) if e.starts_with('-') => e,
        Some(e) => format!("+{e}"),
        None => format!("{x:+.decimals$}"),
    }
}

/// A share 0–1 as a whole percentage, e.g. `0.834` → `83%`.
pub(crate) fn fmt_pct(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

/// The quantile function of the standard normal distribution for `p` in (0, 1): statrs's
/// inverse complementary error function (Boost's rational approximations, relative accuracy
/// about 1e-16), `Φ⁻¹(p) = −√2 · erfc⁻¹(2p)`.
#[inline]
pub(crate) fn standard_normal_quantile(p: f64) -> f64 {
    debug_assert!(p > 0.0 && p < 1.0);
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_trimmed_and_never_negative_zero() {
        assert_eq!(fmt_decimals(12.5, 1), "12.5");
        assert_eq!(fmt_decimals(12.0, 1), "12");
        assert_eq!(fmt_decimals(100.0, 0), "100");
        assert_eq!(fmt_decimals(0.1234567, 6), "0.123457");
        assert_eq!(fmt_decimals(-0.00001, 4), "0");
        assert_eq!(fmt_decimals(0.0, 6), "0");
        assert_eq!(fmt_pct(0.834), "83%");
    }

    /// Issue 20, defect 18: huge and tiny numbers in exponent form, never 300 digits or `0`.
    /// Seen to fail with `exponent_form` returning `None` (309 digits, and `0` for 5e-324).
    #[test]
    fn huge_and_tiny_numbers_are_written_in_exponent_form() {
        assert_eq!(fmt_decimals(1e300, 1), "1e300");
        assert_eq!(fmt_decimals(1.6e308, 0), "1.6e308");
        assert_eq!(fmt_decimals(5e-324, 3), "5e-324");
        assert_eq!(fmt_decimals(-1.23456e20, 3), "-1.235e20");
        assert_eq!(fmt_num(5e-324), "5e-324");
        assert_eq!(fmt_fixed(1e300, 1), "1e300");
        assert_eq!(fmt_fixed(12.0, 1), "12.0");
        assert_eq!(fmt_fixed(-0.01, 1), "0.0");
        assert_eq!(fmt_fixed(-2.26, 1), "-2.3");
        assert_eq!(fmt_fixed(999_999_999_999_999.0, 0), "999999999999999");
        assert_eq!(fmt_fixed(f64::INFINITY, 1), "inf");
        // The normal range is unchanged: rounding noise still rounds to 0.
        assert_eq!(fmt_decimals(-1.4e-14, 1), "0");
        assert_eq!(fmt_decimals(3e-7, 3), "0");
        assert_eq!(fmt_decimals(123_456.789, 1), "123456.8");
        assert_eq!(num(5e-324), "5e-324");
        assert_eq!(num(1e300), "1e300");
        assert_eq!(fmt_signed(-0.01, 1), "-0.0");
        assert_eq!(fmt_signed(2.26, 1), "+2.3");
        assert_eq!(fmt_signed(1e300, 1), "+1e300");
        assert_eq!(fmt_signed(-1.5e300, 0), "-1.5e300");
    }

    #[test]
    fn constructors_reject_bad_parameters() {
        assert!(matches!(Dist::exponential(0.0), Err(DistError::NotPositive { param: "rate", .. })));
        assert!(matches!(Dist::exponential(f64::NAN), Err(DistError::NotFinite { .. })));
        assert!(matches!(Dist::exponential_mean(f64::INFINITY), Err(DistError::NotFinite { .. })));
        assert!(matches!(Dist::lognormal(1.0, -1.0), Err(DistError::NotPositive { param: "sigma", .. })));
        assert!(matches!(Dist::gamma(-2.0, 1.0), Err(DistError::NotPositive { param: "shape", .. })));
        assert!(matches!(Dist::weibull(1.0, 0.0), Err(DistError::NotPositive { param: "scale", .. })));
        assert!(matches!(Dist::uniform(3.0, 2.0), Err(DistError::MinAboveMax { .. })));
        assert!(matches!(Dist::uniform(-1.0, 2.0), Err(DistError::Negative { param: "min", .. })));
        assert!(matches!(Dist::fixed(-0.5), Err(DistError::Negative { .. })));
        assert!(Dist::fixed(0.0).unwrap().is_zero());
    }

    #[test]
    fn inverse_cdfs_match_closed_forms() {
        // Exponential median = ln 2 / rate.
        let e = Dist::exponential(2.0).unwrap();
        assert!((e.sample(0.5, 0) - std::f64::consts::LN_2 / 2.0).abs() < 1e-15);
        // Weibull quantile at 1 - 1/e is the scale.
        let w = Dist::weibull(3.0, 5.0).unwrap();
        assert!((w.sample(1.0 - (-1.0f64).exp(), 0) - 5.0).abs() < 1e-12);
        // Lognormal median.
        let l = Dist::lognormal(4.0, 0.7).unwrap();
        assert!((l.sample(0.5, 0) - 4.0).abs() < 1e-12);
        let u = Dist::uniform(2.0, 6.0).unwrap();
        assert_eq!(u.sample(0.25, 0), 3.0);
        // Monotone in u.
        for d in [e, w, l, u] {
            let mut last = 0.0;
            for i in 1..1000 {
                let x = d.sample(i as f64 / 1000.0, 0);
                assert!(x >= last);
                last = x;
            }
        }
    }

    #[test]
    fn exp1_has_the_standard_exponential_moments() {
        // 400,000 draws from distinct bits: mean 1 (sd of the mean 0.00158), second moment 2 (sd
        // of its mean sqrt(24 - 4)/sqrt(4e5) = 0.00707), P(X > 3) = e^-3 (sd 0.000344). 6 sd
        // bounds: a correct sampler fails with probability below 1e-8 each.
        let n = 400_000u64;
        let (mut m1, mut m2, mut tail) = (0.0, 0.0, 0u64);
        for i in 0..n {
            let x = f64::from(exp1_f32(crate::random::rng::fmix64(i)));
            assert!(x >= 0.0 && x.is_finite());
            m1 += x;
            m2 += x * x;
            tail += u64::from(x > 3.0);
        }
        let nf = n as f64;
        assert!((m1 / nf - 1.0).abs() < 6.0 * 0.00158, "mean {}", m1 / nf);
        assert!((m2 / nf - 2.0).abs() < 6.0 * 0.00707, "second moment {}", m2 / nf);
        assert!((tail as f64 / nf - (-3.0f64).exp()).abs() < 6.0 * 0.000344, "tail {}", tail as f64 / nf);
    }

    /// Known values of Φ⁻¹ (from Python's `statistics.NormalDist().inv_cdf`, an independent implementation),
    /// symmetry, and monotonicity across the whole open interval. A broken version (the sign
    /// flipped, or `erfc_inv(p)` instead of `erfc_inv(2p)`) fails.
    #[test]
    fn normal_quantile_known_values() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.001, -3.090_232_306_167_814),
            (0.8413447460685429, 1.0),
            (1e-12, -7.034_483_825_301_132),
            (1e-300, -37.047_096_299_361_2),
        ] {
            let ours = standard_normal_quantile(p);
            assert!((ours - z).abs() <= 1e-12 * z.abs().max(1.0), "p={p}: {ours} vs {z}");
        }
        let mut last = f64::NEG_INFINITY;
        for k in 1..10_000 {
            let p = k as f64 / 10_000.0;
            let z = standard_normal_quantile(p);
            assert!(z > last, "not increasing at {p}");
            assert!((z + standard_normal_quantile(1.0 - p)).abs() < 1e-12, "not symmetric at {p}");
            last = z;
        }
    }

    #[test]
    fn gamma_mean_and_weibull_mean() {
        let g = Dist::gamma(2.5, 1.5).unwrap();
        let n = 200_000;
        let mut s = 0.0;
        for i in 0..n {
            s += g.sample(0.5, crate::random::rng::fmix64(i));
        }
        // sd of the mean = sqrt(2.5)*1.5/sqrt(2e5) = 0.00531; 6 sd bound (false failure < 1e-8).
        assert!((s / n as f64 - 3.75).abs() < 0.032, "{}", s / n as f64);
        assert!((Dist::weibull(1.0, 3.0).unwrap().mean() - 3.0).abs() < 1e-12);
        assert!((Dist::weibull(2.0, 1.0).unwrap().mean() - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-12);
    }

    /// The largest distance between the empirical CDF of `xs` (sorted here) and `cdf`: the
    /// Kolmogorov–Smirnov statistic.
    fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        xs.iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = cdf(x);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max)
    }

    /// `n` draws of `d` through the engine's own path (`Dist::draw`, 64 bits → uniform → inverse
    /// CDF) from a fixed stream of bits.
    fn draws(d: &Dist, n: u64) -> Vec<f64> {
        (0..n).map(|i| f64::from(d.draw(crate::random::rng::fmix64(i ^ 0x5eed_0e3b)))).collect()
    }

    /// The Dvoretzky–Kiefer–Wolfowitz bound: a correct sampler's KS statistic over `n` draws
    /// exceeds this with probability below 1e-6 (2·exp(−2nε²) = 1e-6).
    fn ks_bound(n: u64) -> f64 {
        ((2.0f64 / 1e-6).ln() / (2.0 * n as f64)).sqrt()
    }

    /// Known answer: evenly spaced quantiles of U(2, 6) give exactly U(2, 6), and quantiles
    /// [0, 1, 10] give the piecewise law with CDF x/2 on [0, 1], then 1/2 + (x − 1)/18 up to 10. KS over 40,000 draws against the DKW bound at a
    /// false-failure rate of 1e-6 (0.0135); the seed is fixed, so the test is deterministic.
    /// (The piecewise law is [0, 1, 10]: half on [0, 1], half on [1, 10], mean 3.)
    ///
    /// Broken versions tried, each fails: no interpolation (`q[i]`, a step law: KS 0.25 for the
    /// uniform); segment index from `u · (n + 1)` (shifted: KS 0.2); mean over the quantiles
    /// instead of the segment midpoints (11/3 instead of 3).
    #[test]
    fn empirical_quantiles_reproduce_known_laws() {
        let n = 40_000;
        let u = Dist::empirical(&[2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let d = ks(draws(&u, n), |x| ((x - 2.0) / 4.0).clamp(0.0, 1.0));
        assert!(d < ks_bound(n), "uniform KS {d} >= {}", ks_bound(n));
        assert!((u.mean() - 4.0).abs() < 1e-12);
        let p = Dist::empirical(&[0.0, 1.0, 10.0]).unwrap();
        let cdf = |x: f64| if x < 1.0 { x / 2.0 } else { (0.5 + (x - 1.0) / 18.0).min(1.0) };
        let d = ks(draws(&p, n), cdf);
        assert!(d < ks_bound(n), "piecewise KS {d} >= {}", ks_bound(n));
        assert!((p.mean() - 3.0).abs() < 1e-12, "mean {}", p.mean());
        // The quantiles themselves are reproduced exactly at their probabilities.
        assert_eq!(p.sample(0.5, 0), 1.0);
        assert_eq!(u.sample(0.75, 0), 5.0);
        assert!(p.describe().starts_with("empirical (3 quantiles, median 1 h"), "{}", p.describe());
    }

    /// Inverse-CDF sampling keeps the monotone coupling: a larger uniform never gives a shorter
    /// draw, also across segment borders and flat stretches, and ends stay inside [min, max].
    #[test]
    fn empirical_draws_are_monotone_in_the_uniform() {
        let d = Dist::empirical(&[0.1, 0.1, 0.3, 7.0, 7.0, 1e6]).unwrap();
        let mut last = 0.0;
        for i in 1..100_000 {
            let x = d.sample(i as f64 / 100_000.0, 0);
            assert!(x >= last && (0.1..=1e6).contains(&x), "{i}: {x} after {last}");
            last = x;
        }
        assert!(d.sample(f64::MIN_POSITIVE, 0) >= 0.1);
        assert!(d.sample(1.0 - f64::EPSILON / 2.0, 0) <= 1e6);
    }

    #[test]
    fn empirical_constructor_rejects_bad_quantiles() {
        assert!(matches!(Dist::empirical(&[1.0]), Err(DistError::TooFewQuantiles { given: 1 })));
        assert!(matches!(Dist::empirical(&[]), Err(DistError::TooFewQuantiles { given: 0 })));
        assert!(matches!(Dist::empirical(&vec![1.0; MAX_QUANTILES + 1]), Err(DistError::TooManyQuantiles { .. })));
        assert!(matches!(Dist::empirical(&[1.0, f64::NAN]), Err(DistError::BadQuantile { index: 2, .. })));
        assert!(matches!(Dist::empirical(&[-1.0, 2.0]), Err(DistError::BadQuantile { index: 1, .. })));
        assert!(matches!(Dist::empirical(&[1.0, f64::INFINITY]), Err(DistError::BadQuantile { .. })));
        let e = Dist::empirical(&[1.0, 3.0, 2.0]).unwrap_err();
        assert!(matches!(e, DistError::QuantilesDecrease { index: 3, .. }));
        assert!(e.to_string().contains("quantile 3 (2) is smaller than quantile 2 (3)"), "{e}");
        assert!(Dist::empirical(&[2.0, 2.0]).is_ok());
    }

    /// Value stability of the samplers (see rng.rs). Changing these is a "results change".
    #[test]
    fn samples_are_value_stable() {
        let g = Dist::gamma(2.0, 3.0).unwrap();
        let got = g.sample(0.5, 12345);
        assert_eq!(got.to_bits(), 2.1074434889074825f64.to_bits(), "gamma sample {got}");
        // The engine's f32 draws (exponential: the ziggurat of `exp1_f32`).
        let e = Dist::exponential(0.5).unwrap().draw(0x9e37_79b9_7f4a_7c15);
        assert_eq!(e.to_bits(), 5.120_215_f32.to_bits(), "exponential draw {e}");
        let sum: f64 =
            (0..1000u64).map(|i| f64::from(Dist::exponential(0.5).unwrap().draw(crate::random::rng::fmix64(i)))).sum();
        assert_eq!(sum.to_bits(), 1928.891692093457f64.to_bits(), "sum of 1000 exponential draws {sum}");
        let l = Dist::lognormal(2.0, 0.5).unwrap().sample(0.3, 0);
        // Pin moved by 1 ULP when the normal quantile became statrs's (CHANGELOG, results change).
        assert_eq!(l.to_bits(), 1.5387138793285178f64.to_bits(), "lognormal sample {l}");
    }
}
