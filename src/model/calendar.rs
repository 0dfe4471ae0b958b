//! Working calendars: a time zone, working days, working hours and holidays, compiled into a
//! [`WorkClock`] that maps working hours onto elapsed clock hours since a start moment.
//!
//! Time zones come from jiff with its bundled copy of the IANA time zone database
//! (`tzdb-bundle-always`), so results do not depend on the machine's `/usr/share/zoneinfo`, and
//! daylight-saving changes count the real elapsed time. No table is written by hand.
//!
//! A calendar never changes a random draw: the engine draws a duration (a delay, a processing
//! time) as before and the clock only places it: [`WorkClock::advance`] is the first moment
//! after `t` by which `d` working hours have passed. It is non-decreasing in `t` (first in, first
//! out), which keeps the first-passage pass exact.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// Minutes in a day; `24:00` is the end of a day.
const DAY_MINUTES: u16 = 24 * 60;

/// Why a calendar's settings are invalid (the message names what is wrong; the caller adds the
/// key).
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarError {
    /// Not an IANA time zone name.
    UnknownTimeZone(String),
    /// `days` does not parse.
    Days(String),
    /// `hours` does not parse, a span is reversed or empty, or spans overlap.
    Hours(String),
    /// A holiday is not a date `YYYY-MM-DD`.
    Holiday(String),
    /// No working day or no working hours.
    NoWorkingTime,
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalendarError::UnknownTimeZone(z) => {
                write!(f, "unknown time zone \"{z}\"; use an IANA name such as \"Europe/Berlin\" or \"Asia/Kolkata\"")
            }
            CalendarError::Days(m) | CalendarError::Hours(m) | CalendarError::Holiday(m) => f.write_str(m),
            CalendarError::NoWorkingTime => {
                f.write_str("the calendar has no working time (no working day or no hours)")
            }
        }
    }
}

/// A validated working calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The IANA name, e.g. `Europe/Berlin`.
    pub timezone_name: String,
    timezone: TimeZone,
    /// Working weekdays, Monday first.
    pub days: [bool; 7],
    /// Working spans of a working day in minutes `[start, end)`, sorted, not overlapping.
    pub spans: Vec<(u16, u16)>,
    /// Days off, sorted.
    pub holidays: Vec<Date>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn weekday_index(s: &str) -> Option<usize> {
    WEEKDAYS.iter().position(|d| d.eq_ignore_ascii_case(s.trim()))
}

/// Parses `"Mon-Fri"`, `"Mon,Wed,Fri"` or a mix (`"Mon-Wed,Fri"`); a range may wrap (`"Sun-Thu"`).
pub(crate) fn parse_days(s: &str) -> Result<[bool; 7], CalendarError> {
    let bad =
        || CalendarError::Days(format!("\"{s}\" is not a list of weekdays such as \"Mon-Fri\" or \"Mon,Wed,Fri\""));
    let mut days = [false; 7];
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (weekday_index(a).ok_or_else(bad)?, weekday_index(b).ok_or_else(bad)?);
                let mut d = a;
                loop {
                    days[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[weekday_index(part).ok_or_else(bad)?] = true,
        }
    }
    Ok(days)
}

/// Parses `"HH:MM"` into minutes of the day; `24:00` is allowed (the end of the day).
fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let t = h.checked_mul(60)? + m;
    (m < 60 && t <= DAY_MINUTES && h.to_string().len() <= 2).then_some(t)
}

/// Parses working-hour spans such as `"09:00-17:00"` (several allowed, e.g. a lunch break as
/// `["09:00-12:30", "13:30-17:30"]`): each must go forwards, and they must not overlap.
pub(crate) fn parse_hours(spans: &[String]) -> Result<Vec<(u16, u16)>, CalendarError> {
    let mut out = Vec::new();
    for s in spans {
        let (a, b) = s
            .split_once('-')
            .and_then(|(a, b)| Some((parse_clock(a)?, parse_clock(b)?)))
            .ok_or_else(|| CalendarError::Hours(format!("\"{s}\" is not a span of hours such as \"09:00-17:00\"")))?;
        if a >= b {
            return Err(CalendarError::Hours(format!(
                "\"{s}\" ends before it starts (a span cannot cross midnight; give two spans)"
            )));
        }
        out.push((a, b));
    }
    out.sort_unstable();
    if let Some(w) = out.windows(2).find(|w| w[1].0 < w[0].1) {
        let f = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        return Err(CalendarError::Hours(format!(
            "the spans {}-{} and {}-{} overlap",
            f(w[0].0),
            f(w[0].1),
            f(w[1].0),
            f(w[1].1)
        )));
    }
    Ok(out)
}

impl Calendar {
    /// A calendar from its settings: IANA `timezone`, `days` (`"Mon-Fri"`), `hours` spans and
    /// `holidays` (`YYYY-MM-DD`).
    pub fn new(timezone: &str, days: &str, hours: &[String], holidays: &[String]) -> Result<Calendar, CalendarError> {
        let tz = TimeZone::get(timezone).map_err(|_| CalendarError::UnknownTimeZone(timezone.to_string()))?;
        let days = parse_days(days)?;
        let spans = parse_hours(hours)?;
        let mut hol = Vec::new();
        for h in holidays {
            let d: Date = h
                .trim()
                .parse()
                .map_err(|_| CalendarError::Holiday(format!("\"{h}\" is not a date such as \"2026-12-24\"")))?;
            hol.push(d);
        }
        hol.sort_unstable();
        if !days.contains(&true) || spans.is_empty() {
            return Err(CalendarError::NoWorkingTime);
        }
        Ok(Calendar { timezone_name: timezone.to_string(), timezone: tz, days, spans, holidays: hol })
    }

    /// The time zone.
    pub fn timezone(&self) -> &TimeZone {
        &self.timezone
    }

    fn works_on(&self, d: Date) -> bool {
        self.days[d.weekday().to_monday_zero_offset() as usize] && self.holidays.binary_search(&d).is_err()
    }
}

/// Hours from `origin` to `ts` (negative before it).
fn hours_since(origin: Timestamp, ts: Timestamp) -> f64 {
    (ts.as_nanosecond() - origin.as_nanosecond()) as f64 / 3.6e12
}

/// A calendar's working time over a stretch of time, as elapsed hours since a start moment:
/// sorted, disjoint, non-adjacent intervals with the working hours before each.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkClock {
    start: Vec<f64>,
    end: Vec<f64>,
    before: Vec<f64>,
}

impl WorkClock {
    /// The working time of `cal` from `origin` for `span_hours` elapsed hours.
    pub fn new(cal: &Calendar, origin: Timestamp, span_hours: f64) -> WorkClock {
        let tz = cal.timezone();
        let first = tz.to_datetime(origin).date().yesterday().unwrap_or(Date::MIN);
        let last_ts = origin.checked_add(jiff::SignedDuration::from_secs_f64(span_hours.min(1e7) * 3600.0));
        let last = last_ts.map_or(Date::MAX, |t| tz.to_datetime(t).date().tomorrow().unwrap_or(Date::MAX));
        let at = |d: Date, minute: u16| -> Option<f64> {
            let dt = if minute == DAY_MINUTES {
                d.tomorrow().ok()?.to_datetime(Time::midnight())
            } else {
                d.to_datetime(Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?)
            };
            let ts = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
            Some(hours_since(origin, ts))
        };
        let (mut start, mut end): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut d = first;
        while d <= last {
            if cal.works_on(d) {
                for &(a, b) in &cal.spans {
                    let (Some(s), Some(e)) = (at(d, a), at(d, b)) else { continue };
                    let (s, e) = (s.max(0.0), e.min(span_hours));
                    if e <= s {
                        continue;
                    }
                    // Merge with the previous interval when they touch (midnight spans, all-hours
                    // calendars), so that an all-hours clock maps d to exactly t + d.
                    match end.last_mut() {
                        Some(last_end) if s <= *last_end => *last_end = last_end.max(e),
                        _ => {
                            start.push(s);
                            end.push(e);
                        }
                    }
                }
            }
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        let mut before = Vec::with_capacity(start.len());
        let mut acc = 0.0;
        for (s, e) in start.iter().zip(&end) {
            before.push(acc);
            acc += e - s;
        }
        WorkClock { start, end, before }
    }

    /// Working hours between the start and clock time `clock_hours` (elapsed hours since it).
    pub fn worked(&self, clock_hours: f64) -> f64 {
        // The last interval starting at or before the clock time.
        let k = self.start.partition_point(|&s| s <= clock_hours);
        if k == 0 {
            return 0.0;
        }
        let k = k - 1;
        self.before[k] + (clock_hours.min(self.end[k]) - self.start[k])
    }

    /// The first clock time (elapsed hours) at or after `clock_hours` by which `working_hours`
    /// working hours have passed since it (`clock_hours` itself when `working_hours` is 0);
    /// infinite when the clock's stretch ends first. Non-decreasing in both arguments.
    pub fn advance(&self, clock_hours: f64, working_hours: f64) -> f64 {
        let t = clock_hours;
        if working_hours <= 0.0 {
            return t;
        }
        let goal = self.worked(t) + working_hours;
        let k = self.before.partition_point(|&b| b < goal);
        // Interval k - 1 starts with less than the goal done: the goal is reached inside it, if
        // at all.
        if k == 0 {
            return f64::INFINITY;
        }
        let i = k - 1;
        let at = self.start[i] + (goal - self.before[i]);
        if at <= self.end[i] { at.max(t) } else { f64::INFINITY }
    }
}

/// Parses `"Mon 10:00"` into (weekday, Monday = 0; minute of the day).
pub(crate) fn parse_occurrence(s: &str) -> Option<(usize, u16)> {
    let (d, t) = s.trim().split_once(' ')?;
    let t = parse_clock(t)?;
    (t < DAY_MINUTES).then_some((weekday_index(d)?, t))
}

/// The occurrences at weekly times `at` (weekday, minute) in `cal`'s time zone, on days that are
/// not holidays, as elapsed hours since `origin`, from 0 to `span_hours`, sorted.
pub(crate) fn occurrences(cal: &Calendar, origin: Timestamp, span_hours: f64, at: &[(usize, u16)]) -> Vec<f64> {
    let tz = cal.timezone();
    let first = tz.to_datetime(origin).date().yesterday().unwrap_or(Date::MIN);
    let end = origin.checked_add(jiff::SignedDuration::from_secs_f64(span_hours.min(1e7) * 3600.0));
    let last = end.map_or(Date::MAX, |t| tz.to_datetime(t).date().tomorrow().unwrap_or(Date::MAX));
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        if cal.holidays.binary_search(&d).is_err() {
            for &(_, m) in at.iter().filter(|(w, _)| *w == d.weekday().to_monday_zero_offset() as usize) {
                let Ok(time) = Time::new((m / 60) as i8, (m % 60) as i8, 0, 0) else { continue };
                if let Ok(ts) = tz.to_ambiguous_timestamp(d.to_datetime(time)).compatible() {
                    let h = hours_since(origin, ts);
                    if (0.0..=span_hours).contains(&h) {
                        out.push(h);
                    }
                }
            }
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out.sort_by(f64::total_cmp);
    out
}

/// The compiled calendars of a model: a work clock per calendar, each person's calendar, and
/// when the item appears.
#[derive(Debug, Clone)]
pub struct CalendarSetup {
    /// Calendar names, by index.
    pub names: Vec<String>,
    /// Their IANA time zone names, by index.
    pub timezones: Vec<String>,
    /// The scenario-wide calendar (index), or the first one.
    pub default: u16,
    /// The work clocks, by calendar index, in elapsed hours since `origin`.
    pub clocks: Vec<WorkClock>,
    /// Calendar index per person.
    pub person_calendar: Vec<u16>,
    /// The moment the clocks start: the item's appearance, or (weekly start) a Monday 00:00 UTC
    /// from which the appearance is drawn uniformly over the week per replication.
    pub origin: Timestamp,
    /// The appearance is drawn uniformly over the week after `origin` per replication.
    pub weekly: bool,
    /// Per channel id: the occurrences of a channel with `at` (elapsed hours since `origin`).
    pub schedules: Vec<Vec<f64>>,
    /// Each calendar's working time in words, by index ("Mon-Fri 09:00-17:00, 2 holidays"),
    /// for the report's assumptions.
    pub described: Vec<String>,
    /// Per channel id: a channel with `at` in words ("Mon 10:00, Thu 10:00 on calendar
    /// munich"), else empty; for the report's assumptions.
    pub schedules_described: Vec<String>,
    /// Each calendar's working hours in one working day (the sum of its spans), by index.
    pub day_hours: Vec<f64>,
}

/// The identity key of the start-of-week draw (purpose `Start`).
const START_KEY: u64 = 0x3c6e_f372_fe94_f82b;

/// Hours in a week.
pub(crate) const WEEK_HOURS: f64 = 168.0;

impl CalendarSetup {
    /// Hours from `origin` to the item's appearance in this replication.
    #[inline]
    pub fn offset(&self, stream: &crate::random::rng::ReplicationStream) -> f64 {
        if self.weekly {
            WEEK_HOURS * stream.entity(START_KEY).uniform(crate::random::rng::Purpose::Start)
        } else {
            0.0
        }
    }

    #[inline]
    fn clock(&self, p: usize) -> &WorkClock {
        &self.clocks[self.person_calendar[p] as usize]
    }

    /// The clock time (hours since the appearance) at which `working_hours` working hours of
    /// person `p` have passed after clock time `clock_hours`; `offset` is the clock hours from
    /// the clocks' origin to the appearance ([`CalendarSetup::offset`]).
    #[inline]
    pub fn advance(&self, p: usize, offset: f64, clock_hours: f32, working_hours: f32) -> f32 {
        (self.clock(p).advance(offset + f64::from(clock_hours), f64::from(working_hours)) - offset) as f32
    }

    /// The first occurrence of channel `channel`'s `at` schedule at or after `t` (hours since
    /// the appearance); infinite after the last one.
    #[inline]
    pub fn next_scheduled(&self, channel: usize, offset: f64, t: f32) -> f32 {
        let occ = &self.schedules[channel];
        let abs = offset + f64::from(t);
        let i = occ.partition_point(|&o| o < abs);
        occ.get(i).map_or(f32::INFINITY, |&o| ((o - offset) as f32).max(t))
    }

    /// Working hours of person `p` between clock times `t0` and `t1` (hours since the appearance).
    #[inline]
    pub fn worked_between(&self, p: usize, offset: f64, t0: f32, t1: f32) -> f32 {
        let c = self.clock(p);
        (c.worked(offset + f64::from(t1)) - c.worked(offset + f64::from(t0))) as f32
    }
}

/// The moment `hours` after `start` (RFC 3339) in `timezone`, as "Tuesday 11:00"; `None` if
/// either does not parse.
pub(crate) fn moment_after(start: &str, timezone: &str, hours: f64) -> Option<String> {
    let start: Timestamp = start.parse().ok()?;
    let tz = TimeZone::get(timezone).ok()?;
    let t = start.checked_add(jiff::SignedDuration::from_secs_f64((hours * 3600.0).round())).ok()?;
    let dt = tz.to_datetime(t);
    const NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let day = NAMES[dt.date().weekday().to_monday_zero_offset() as usize];
    Some(format!("{day} {} {:02}:{:02}", dt.date(), dt.hour(), dt.minute()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(tz: &str, holidays: &[&str]) -> Calendar {
        let hol: Vec<String> = holidays.iter().map(|s| s.to_string()).collect();
        Calendar::new(tz, "Mon-Fri", &["09:00-17:00".to_string()], &hol).unwrap()
    }

    fn start() -> Timestamp {
        // Friday 2026-11-27 16:30 Berlin time (UTC+1).
        "2026-11-27T16:30:00+01:00".parse().unwrap()
    }

    /// The known answer: A (Berlin) is the source at Friday 16:30; link A→B, fixed
    /// 1 h delay in B's working hours (Kolkata, Mon–Fri 09:00–17:00), no processing: B has it
    /// on Monday 10:00 Kolkata = 61.0 h after the start; with Monday a holiday, Tuesday 10:00 =
    /// 85.0 h.
    #[test]
    fn berlin_to_kolkata_over_a_weekend_and_a_holiday() {
        let b = WorkClock::new(&cal("Asia/Kolkata", &[]), start(), 500.0);
        assert_eq!(b.advance(0.0, 1.0), 61.0);
        let b = WorkClock::new(&cal("Asia/Kolkata", &["2026-11-30"]), start(), 500.0);
        assert_eq!(b.advance(0.0, 1.0), 85.0);
    }

    /// Across the switch to summer time (Berlin, 2026-03-29: 02:00 → 03:00) working hours count
    /// the real elapsed time: from Saturday 12:00 to Monday 10:00 local is 45 h, not 46.
    #[test]
    fn daylight_saving_counts_real_hours() {
        let origin: Timestamp = "2026-03-28T12:00:00+01:00".parse().unwrap();
        let c = WorkClock::new(&cal("Europe/Berlin", &[]), origin, 500.0);
        assert_eq!(c.advance(0.0, 1.0), 45.0);
        // An all-hours calendar across the change: d working hours are d elapsed hours.
        let all = Calendar::new("Europe/Berlin", "Mon-Sun", &["00:00-24:00".into()], &[]).unwrap();
        let c = WorkClock::new(&all, origin, 500.0);
        for (t, d) in [(0.0, 1.0), (10.0, 20.5), (13.25, 0.125), (3.0, 100.0)] {
            assert_eq!(c.advance(t, d), t + d);
        }
    }

    #[test]
    fn all_hours_utc_is_the_identity() {
        let all = Calendar::new("UTC", "Mon-Sun", &["00:00-24:00".into()], &[]).unwrap();
        let c = WorkClock::new(&all, start(), 2000.0);
        assert_eq!(c.start.len(), 1);
        for i in 0..1000 {
            let (t, d) = (i as f64 * 1.37, (i % 17) as f64 * 0.731);
            assert_eq!(c.advance(t, d), t + d);
        }
    }

    /// Advance is non-decreasing in the send time (first in, first out) and in the duration.
    #[test]
    fn advance_is_fifo() {
        let c = WorkClock::new(&cal("Asia/Kolkata", &["2026-12-25"]), start(), 1000.0);
        let mut last = 0.0;
        for i in 0..20_000 {
            let t = i as f64 * 0.037;
            let a = c.advance(t, 2.5);
            assert!(a >= last && a >= t, "advance({t}) = {a} < {last}");
            assert!(c.advance(t, 3.0) >= a);
            last = a;
        }
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(matches!(
            Calendar::new("Mars/Olympus", "Mon-Fri", &["09:00-17:00".into()], &[]),
            Err(CalendarError::UnknownTimeZone(_))
        ));
        assert!(matches!(parse_hours(&["17:00-09:00".into()]), Err(CalendarError::Hours(_))));
        assert!(matches!(parse_hours(&["09:00-13:00".into(), "12:00-17:00".into()]), Err(CalendarError::Hours(_))));
        assert!(matches!(parse_hours(&["9am-5pm".into()]), Err(CalendarError::Hours(_))));
        assert!(matches!(parse_days("Mon-Fry"), Err(CalendarError::Days(_))));
        assert!(matches!(Calendar::new("UTC", "Mon-Fri", &[], &[]), Err(CalendarError::NoWorkingTime)));
        assert!(matches!(
            Calendar::new("UTC", "Mon", &["09:00-10:00".into()], &["2026-13-01".into()]),
            Err(CalendarError::Holiday(_))
        ));
        assert_eq!(parse_days("Sun-Tue").unwrap(), [true, true, false, false, false, false, true]);
    }
}
