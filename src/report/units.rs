//! One unit of time per page, chosen from the scenario — working days (of
//! [`WORKING_DAY_HOURS`]) or hours without calendars, calendar days (and dates with a fixed
//! start) with calendars, where T is elapsed clock time — numbers rounded to what their
//! uncertainty supports, and plurals.

use crate::analysis::costs::{CLOCK_DAY_HOURS, WORKING_DAY_HOURS};
use crate::analysis::results::Results;
use crate::random::dist::fmt_decimals;

/// Medians below this many hours are stated in hours (without calendars).
pub(crate) const HOURS_BELOW: f64 = 2.0 * WORKING_DAY_HOURS;
/// The most decimals a figure gets, however narrow its interval.
pub(crate) const MAX_DECIMALS: usize = 2;

/// The unit of time a report states T in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    /// Hours (short times without calendars).
    Hours,
    /// Working days of [`WORKING_DAY_HOURS`] (without calendars: T counts working hours).
    WorkingDays,
    /// Calendar days of 24 h (with calendars: T is elapsed clock time).
    CalendarDays,
}

impl TimeUnit {
    /// The unit for `results`: calendar days with calendars, else working days unless every
    /// reached median is below [`HOURS_BELOW`].
    pub(crate) fn of(results: &Results) -> TimeUnit {
        let clock = results.variants.first().is_some_and(|v| v.clock.is_some());
        let longest = results.variants.iter().filter_map(|v| v.t_threshold.median).fold(0.0f64, f64::max);
        TimeUnit::choose(clock, longest, results.horizon_hours)
    }

    /// The unit for T values whose longest reached median is `longest` hours under a horizon of
    /// `horizon` hours: calendar days when T is `clock` time, else as [`TimeUnit::of`].
    pub(crate) fn choose(clock: bool, longest: f64, horizon: f64) -> TimeUnit {
        if clock {
            return TimeUnit::CalendarDays;
        }
        if longest < HOURS_BELOW && horizon < 4.0 * HOURS_BELOW { TimeUnit::Hours } else { TimeUnit::WorkingDays }
    }

    /// Hours in one unit.
    pub(crate) fn hours(self) -> f64 {
        match self {
            TimeUnit::Hours => 1.0,
            TimeUnit::WorkingDays => WORKING_DAY_HOURS,
            TimeUnit::CalendarDays => CLOCK_DAY_HOURS,
        }
    }

    /// The unit's name for `n` of it ("1 working day", "2.5 working days").
    pub(crate) fn name(self, n: &str) -> &'static str {
        let one = n == "1";
        match (self, one) {
            (TimeUnit::Hours, true) => "hour",
            (TimeUnit::Hours, false) => "hours",
            (TimeUnit::WorkingDays, true) => "working day",
            (TimeUnit::WorkingDays, false) => "working days",
            (TimeUnit::CalendarDays, true) => "calendar day",
            (TimeUnit::CalendarDays, false) => "calendar days",
        }
    }

    /// A chart axis's description.
    pub(crate) fn axis(self) -> &'static str {
        match self {
            TimeUnit::Hours => "hours since the item appeared",
            TimeUnit::WorkingDays => "working days since the item appeared",
            TimeUnit::CalendarDays => "calendar days since the item appeared (clock time)",
        }
    }

    /// `hours` in this unit as a number with `decimals`.
    pub(crate) fn number(self, hours: f64, decimals: usize) -> String {
        fmt_decimals(hours / self.hours(), decimals)
    }

    /// The horizon of `hours` in this unit with its name, to a tenth of itself: "250 working
    /// days".
    pub(crate) fn horizon_words(self, hours: f64) -> String {
        self.with_name(hours, decimals_for(Some(hours / self.hours() / 10.0)))
    }

    /// `hours` in this unit with its name: "6.2 working days".
    pub(crate) fn with_name(self, hours: f64, decimals: usize) -> String {
        let n = self.number(hours, decimals);
        let name = self.name(&n);
        format!("{n} {name}")
    }
}

/// The decimals that an interval of `width` (in the unit stated) supports: down to the first
/// significant digit of the width, at most [`MAX_DECIMALS`]; one decimal when the width is not
/// known.
pub(crate) fn decimals_for(width: Option<f64>) -> usize {
    match width {
        Some(w) if w.is_finite() && w > 0.0 => (-w.log10().floor()).clamp(0.0, MAX_DECIMALS as f64) as usize,
        _ => 1,
    }
}

/// The width (hours) whose precision a 10–90% band from `low` to `high` hours supports: a
/// quarter of it; `None` when a bound is never.
pub(crate) fn band_quarter(low: Option<f64>, high: Option<f64>) -> Option<f64> {
    Some((high? - low?) / 4.0)
}

/// "1 person", "2 people": `n` with the right form.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Broken versions tried: `floor` without the minus (0 decimals for narrow intervals),
    /// plural by `n == 1.0` on the unrounded number ("1.0 working days" → "1 working days").
    #[test]
    fn rounding_follows_the_interval_and_plurals_are_right() {
        assert_eq!(decimals_for(Some(7.0)), 0);
        assert_eq!(decimals_for(Some(0.6)), 1);
        assert_eq!(decimals_for(Some(0.04)), 2);
        assert_eq!(decimals_for(Some(0.0001)), 2);
        assert_eq!(decimals_for(None), 1);
        assert_eq!(TimeUnit::WorkingDays.with_name(8.2, 0), "1 working day");
        assert_eq!(TimeUnit::WorkingDays.with_name(8.2, 1), "1 working day");
        assert_eq!(TimeUnit::WorkingDays.with_name(9.0, 1), "1.1 working days");
        assert_eq!(TimeUnit::CalendarDays.with_name(36.0, 1), "1.5 calendar days");
        assert_eq!(TimeUnit::Hours.with_name(1.0, 1), "1 hour");
        assert_eq!(count(1, "person", "people"), "1 person");
        assert_eq!(count(3, "world", "worlds"), "3 worlds");
    }
}
