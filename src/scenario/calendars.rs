//! Validation of working calendars: `[calendars.NAME]`, the scenario-wide `calendar`, the
//! `calendar` column of `people.csv` and `start`, compiled into a [`CalendarSetup`]. Kept apart
//! from `validate.rs`, which calls [`calendar_setup`] once per variant.

use std::sync::Arc;

use jiff::Timestamp;

use super::DEFAULT_HORIZON_HOURS;
use super::context::Ctx;
use super::raw::{OneOrMany, RawScenario, RawStart};
use crate::error::{InputError, InputErrorKind};
use crate::model::calendar::{Calendar, CalendarError, CalendarSetup, WEEK_HOURS, WorkClock};
use crate::org::{NO_LINK_GROUP, Organisation};

/// Default working days of a calendar.
pub(super) const DEFAULT_DAYS: &str = "Mon-Fri";
/// Default working hours of a calendar.
pub(super) const DEFAULT_HOURS: &str = "09:00-17:00";
/// The Monday (00:00 UTC) from which `start = { weekly = "uniform" }` draws the appearance.
pub(super) const WEEKLY_ORIGIN: &str = "2026-01-05T00:00:00Z";
/// Hours the work clocks run beyond the horizon (so that the horizon's last day is whole).
const CLOCK_MARGIN_HOURS: f64 = 48.0;
/// The last year the calendars (and their time-zone rules) know.
const LAST_YEAR: i64 = 9999;
/// The last moment a period may reach: two days before the last moment the time library
/// represents (9999-12-30T22:00Z), so that a day in any time zone is whole.
const LAST_MOMENT: &str = "9999-12-28T00:00:00Z";

fn invalid(ctx: &Ctx<'_>, key: &str, message: String) -> InputError {
    ctx.err(key, InputErrorKind::Invalid(message))
}

/// The compiled calendars of a variant, or `None` when the scenario has no `[calendars]`.
pub(crate) fn calendar_setup(
    raw: &RawScenario,
    org: &Organisation,
    ctx: &Ctx<'_>,
) -> Result<Option<Arc<CalendarSetup>>, InputError> {
    if raw.calendars.is_empty() {
        if let Some((name, _)) = raw.channels.iter().find(|(_, c)| c.at.is_some()) {
            return Err(invalid(
                ctx,
                &format!("channels.{name}.at"),
                "`at` gives times in a calendar, and the scenario has no `[calendars.NAME]`; add one or use `every` (hours)".into(),
            ));
        }
        for (key, given) in [
            ("calendar", raw.calendar.is_some()),
            ("start", raw.start.is_some()),
            ("organisation.people", !org.person_calendar.is_empty()),
        ] {
            if given {
                return Err(invalid(
                    ctx,
                    key,
                    "names a calendar or a start, but the scenario has no `[calendars.NAME]` section".into(),
                ));
            }
        }
        return Ok(None);
    }
    let mut names = Vec::new();
    let mut calendars = Vec::new();
    let mut described = Vec::new();
    let mut day_hours = Vec::new();
    for (name, c) in &raw.calendars {
        let key = format!("calendars.{name}");
        let hours = c.hours.clone().unwrap_or(OneOrMany::One(DEFAULT_HOURS.into())).to_vec();
        described.push(format!(
            "{} {}{}",
            c.days.as_deref().unwrap_or(DEFAULT_DAYS),
            hours.join(", "),
            match c.holidays.len() {
                0 => String::new(),
                1 => format!(", 1 holiday ({})", c.holidays[0]),
                n => format!(", {n} holidays ({} … {})", c.holidays[0], c.holidays[n - 1]),
            }
        ));
        let cal = Calendar::new(&c.timezone, c.days.as_deref().unwrap_or(DEFAULT_DAYS), &hours, &c.holidays).map_err(
            |e| {
                let sub = match e {
                    CalendarError::UnknownTimeZone(_) => ".timezone",
                    CalendarError::Days(_) => ".days",
                    CalendarError::Hours(_) => ".hours",
                    CalendarError::Holiday(_) => ".holidays",
                    CalendarError::NoWorkingTime => "",
                };
                invalid(ctx, &format!("{key}{sub}"), e.to_string())
            },
        )?;
        names.push(name.clone());
        day_hours.push(cal.spans.iter().map(|&(a, b)| f64::from(b - a) / 60.0).sum::<f64>());
        calendars.push(cal);
    }
    let find = |name: &str, key: &str| -> Result<u16, InputError> {
        names.iter().position(|n| n == name).map(|i| i as u16).ok_or_else(|| {
            ctx.err(key, InputErrorKind::UnknownName { what: "calendar", name: name.to_string(), known: names.clone() })
        })
    };
    let default = raw.calendar.as_deref().map(|c| find(c, "calendar")).transpose()?;
    let mut person_calendar = Vec::with_capacity(org.len());
    for (p, person) in org.people.iter().enumerate() {
        let c = match org.person_calendar.get(p).copied().filter(|&c| c != NO_LINK_GROUP) {
            Some(c) => find(&org.calendars[c as usize], "organisation.people")?,
            None => default.ok_or_else(|| {
                invalid(
                    ctx,
                    "calendar",
                    format!(
                        "\"{}\" has no calendar: give everybody one in the `calendar` column of people.csv, or a scenario-wide `calendar = \"NAME\"`",
                        person.id
                    ),
                )
            })?,
        };
        person_calendar.push(c);
    }
    let (origin, weekly) = match &raw.start {
        None => {
            return Err(invalid(
                ctx,
                "start",
                "with calendars, say when the item appears: `start = \"2026-11-27T16:30:00+01:00\"` or `start = { weekly = \"uniform\" }`".into(),
            ));
        }
        Some(RawStart::At(s)) => {
            let t: Timestamp = s.parse().map_err(|_| {
                // A moment past the last one the calendars know is not a malformed one (issue 20,
                // defect 21).
                let year: Option<i64> = s.trim_start_matches('+').split('-').next().and_then(|y| y.parse().ok());
                let message = if year.is_some_and(|y| y >= LAST_YEAR) {
                    format!(
                        "\"{s}\" is beyond the last moment the calendars know ({LAST_MOMENT}); \
                         give a moment before it, such as \"2026-11-27T16:30:00+01:00\""
                    )
                } else {
                    format!("\"{s}\" is not a moment with its UTC offset, such as \"2026-11-27T16:30:00+01:00\"")
                };
                invalid(ctx, "start", message)
            })?;
            (t, false)
        }
        Some(RawStart::Weekly { weekly }) if weekly == "uniform" => {
            (WEEKLY_ORIGIN.parse().expect("a valid moment"), true)
        }
        Some(RawStart::Weekly { weekly }) => {
            return Err(invalid(
                ctx,
                "start.weekly",
                format!("the only weekly start is \"uniform\", got \"{weekly}\""),
            ));
        }
    };
    let horizon = raw.horizon_hours.unwrap_or(DEFAULT_HORIZON_HOURS);
    let span = horizon + if weekly { WEEK_HOURS } else { 0.0 } + CLOCK_MARGIN_HOURS;
    // The calendars end with the year 9999: a period past it would silently be closed time.
    let last = LAST_MOMENT.parse::<Timestamp>();
    let end = origin.checked_add(jiff::SignedDuration::from_secs_f64(span.min(1e9) * 3600.0)).ok();
    if !matches!((end, last), (Some(e), Ok(l)) if e < l) {
        return Err(invalid(
            ctx,
            "start",
            format!(
                "the item's period (`start` plus `horizon_hours` = {} h, and two days' margin) ends after {LAST_MOMENT}, \
                 the last moment the calendars know; give an earlier start, such as \"2026-11-27T16:30:00+01:00\"",
                crate::random::dist::fmt_num(horizon)
            ),
        ));
    }
    let clocks = calendars.iter().map(|c| WorkClock::new(c, origin, span)).collect();
    // Channels with `at`: their occurrences in the channel's calendar (else the scenario's).
    let mut schedules = Vec::with_capacity(raw.channels.len());
    let mut schedules_described = Vec::with_capacity(raw.channels.len());
    for (name, c) in &raw.channels {
        let Some(at) = &c.at else {
            schedules.push(Vec::new());
            schedules_described.push(String::new());
            continue;
        };
        let key = format!("channels.{name}");
        let cal = match (&c.calendar, default) {
            (Some(n), _) => find(n, &format!("{key}.calendar"))?,
            (None, Some(d)) => d,
            (None, None) => {
                return Err(invalid(
                    ctx,
                    &format!("{key}.calendar"),
                    "a channel with `at` needs a calendar: `calendar = \"NAME\"` here or scenario-wide".into(),
                ));
            }
        };
        let mut times = Vec::new();
        for s in at {
            times.push(crate::model::calendar::parse_occurrence(s).ok_or_else(|| {
                invalid(ctx, &format!("{key}.at"), format!("\"{s}\" is not a weekly time such as \"Mon 10:00\""))
            })?);
        }
        if times.is_empty() {
            return Err(invalid(
                ctx,
                &format!("{key}.at"),
                "an empty list: give at least one time such as \"Mon 10:00\"".into(),
            ));
        }
        schedules.push(crate::model::calendar::occurrences(&calendars[cal as usize], origin, span, &times));
        schedules_described.push(format!("{} on calendar {}", at.join(", "), names[cal as usize]));
    }
    let timezones = calendars.iter().map(|c| c.timezone_name.clone()).collect();
    Ok(Some(Arc::new(CalendarSetup {
        names,
        timezones,
        default: default.unwrap_or(0),
        clocks,
        person_calendar,
        origin,
        weekly,
        schedules,
        described,
        schedules_described,
        day_hours,
    })))
}

/// How the report states moments for these calendars: in the time zone of the scenario-wide
/// calendar (else the first one), from the fixed start if there is one.
pub(crate) fn clock_facts(c: &CalendarSetup) -> crate::analysis::facts::ClockFacts {
    let i = c.default as usize;
    crate::analysis::facts::ClockFacts {
        start: (!c.weekly).then(|| c.origin.to_string()),
        timezone: c.timezones[i].clone(),
        calendar: c.names[i].clone(),
    }
}
