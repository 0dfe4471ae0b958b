//! A working calendar proposed from a message log's time-of-week histogram (issue 25 item 4):
//! the working days, the hours that hold most of the messages on those days, and the time zone
//! from the offsets the times were written with. One calendar for the whole organisation.

use super::events::Event;

/// A weekday is a working day when it has at least this share of the busiest weekday's messages.
pub(crate) const WORKING_DAY_SHARE: f64 = 0.2;
/// The working hours are the shortest span of whole hours that holds at least this share of the
/// working days' messages.
pub(crate) const HOURS_SHARE: f64 = 0.9;
/// Weekday names from Monday, as the scenario format writes them.
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// 1970-01-01 (day 0 of Unix time) was a Thursday: weekday index 3 from Monday.
const EPOCH_WEEKDAY: i64 = 3;
/// Seconds per day.
const DAY: i64 = 86_400;

/// The proposed calendar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EstimatedCalendar {
    /// The IANA zone for the most common offset (`UTC`, or `Etc/GMT-1` for +01:00: the IANA
    /// `Etc` zones count the other way round); `None` for an offset that is not whole hours.
    pub(crate) timezone: Option<String>,
    /// The most common UTC offset, seconds.
    pub(crate) offset: i32,
    /// Working weekdays, Monday = 0.
    pub(crate) days: Vec<usize>,
    /// Working hours `[start, end)`, whole hours of local time.
    pub(crate) hours: (u32, u32),
    /// The share of the working days' messages within those hours.
    pub(crate) share: f64,
    /// Messages per weekday (local time), Monday first.
    pub(crate) per_day: [usize; 7],
}

impl EstimatedCalendar {
    /// The days as the scenario format writes them, e.g. `Mon,Tue,Wed,Thu,Fri`.
    pub(crate) fn days_text(&self) -> String {
        self.days.iter().map(|&d| DAYS[d]).collect::<Vec<_>>().join(",")
    }

    /// The hours as the scenario format writes them, e.g. `09:00-17:00`.
    pub(crate) fn hours_text(&self) -> String {
        format!("{:02}:00-{:02}:00", self.hours.0, self.hours.1)
    }

    /// The offset as `+01:00`.
    pub(crate) fn offset_text(&self) -> String {
        let o = self.offset.abs();
        format!("{}{:02}:{:02}", if self.offset < 0 { '-' } else { '+' }, o / 3600, o % 3600 / 60)
    }
}

/// Proposes a calendar from `events` (at least one). Local time is each event's time shifted by
/// the most common offset (ties: the smallest), so one calendar serves everybody.
pub(crate) fn estimate(events: &[Event]) -> EstimatedCalendar {
    let mut offsets: Vec<i32> = events.iter().map(|e| e.offset).collect();
    offsets.sort_unstable();
    let (mut offset, mut best, mut run) = (offsets[0], 0usize, 0usize);
    for (i, &o) in offsets.iter().enumerate() {
        run = if i > 0 && offsets[i - 1] == o { run + 1 } else { 1 };
        if run > best {
            best = run;
            offset = o;
        }
    }
    let mut per_day = [0usize; 7];
    let mut per_hour = [[0usize; 24]; 7];
    for e in events {
        let local = e.seconds.floor() as i64 + i64::from(offset);
        let day = local.div_euclid(DAY);
        let weekday = (day + EPOCH_WEEKDAY).rem_euclid(7) as usize;
        let hour = (local.rem_euclid(DAY) / 3600) as usize;
        per_day[weekday] += 1;
        per_hour[weekday][hour] += 1;
    }
    let busiest = *per_day.iter().max().unwrap_or(&0) as f64;
    let days: Vec<usize> = (0..7).filter(|&d| per_day[d] as f64 >= WORKING_DAY_SHARE * busiest).collect();
    let mut hours = [0usize; 24];
    for &d in &days {
        for (h, n) in per_hour[d].iter().enumerate() {
            hours[h] += n;
        }
    }
    let total: usize = hours.iter().sum();
    // The shortest span [a, b) holding HOURS_SHARE of the working days' messages; the earliest
    // among the shortest.
    let mut span = (0u32, 24u32, total);
    'len: for len in 1..=24usize {
        for a in 0..=24 - len {
            let n: usize = hours[a..a + len].iter().sum();
            if n as f64 >= HOURS_SHARE * total as f64 {
                span = (a as u32, (a + len) as u32, n);
                break 'len;
            }
        }
    }
    let timezone = (offset % 3600 == 0).then(|| match offset / 3600 {
        0 => "UTC".to_string(),
        // IANA's Etc/GMT+N is N hours *behind* UTC.
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    });
    EstimatedCalendar {
        timezone,
        offset,
        days,
        hours: (span.0, span.1),
        share: if total == 0 { 0.0 } else { span.2 as f64 / total as f64 },
        per_day,
    }
}

/// The local day (days since 1970-01-01 in the calendar's offset) of a time in seconds.
fn local_day(seconds: f64, offset: i32) -> i64 {
    (seconds.floor() as i64 + i64::from(offset)).div_euclid(DAY)
}

/// The weekday (Monday = 0) of a local day.
fn weekday(day: i64) -> usize {
    (day + EPOCH_WEEKDAY).rem_euclid(7) as usize
}

/// Working days of `calendar` from local day `first` to `last`, both included.
fn working_days_between(calendar: &EstimatedCalendar, first: i64, last: i64) -> u64 {
    if last < first {
        return 0;
    }
    let n = (last - first + 1) as u64;
    let (weeks, rest) = (n / 7, n % 7);
    let mut count = weeks * calendar.days.len() as u64;
    for k in 0..rest as i64 {
        if calendar.days.contains(&weekday(first + k)) {
            count += 1;
        }
    }
    count
}

/// When one person was seen in the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PersonPresence {
    /// The first message they sent, seconds.
    pub(crate) first: f64,
    /// The last message they sent, seconds.
    pub(crate) last: f64,
    /// Working days (local time of the calendar) on which they sent at least one message.
    pub(crate) days_seen: u64,
}

/// Who was seen when: a person is *seen* on a day they sent a message (both ends of a contact
/// when `directed` is false). Receiving is not presence: mail arrives during a holiday too.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Presence {
    /// The log's first and last message, seconds.
    pub(crate) period: (f64, f64),
    /// Working days of the calendar in the log's period (local days, first and last included).
    pub(crate) working_days: u64,
    /// Per employee (index as in the events), `None` if never seen.
    pub(crate) people: Vec<Option<PersonPresence>>,
}

impl Presence {
    /// The share of the period's working days on which employee `i` was seen (0 if never).
    pub(crate) fn share(&self, i: usize) -> f64 {
        match &self.people[i] {
            Some(p) if self.working_days > 0 => p.days_seen as f64 / self.working_days as f64,
            _ => 0.0,
        }
    }
}

/// Each of `people` employees' presence in `events` (at least one), with the working days of
/// `calendar` (local days in its offset).
pub(crate) fn presence(events: &[Event], calendar: &EstimatedCalendar, people: usize, directed: bool) -> Presence {
    let offset = calendar.offset;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut out: Vec<Option<PersonPresence>> = vec![None; people];
    let mut seen_days: Vec<(usize, i64)> = Vec::new();
    for e in events {
        lo = lo.min(e.seconds);
        hi = hi.max(e.seconds);
        let ends: &[usize] = if directed { &[e.sender] } else { &[e.sender, e.recipient] };
        for &p in ends {
            let slot = &mut out[p];
            match slot {
                None => *slot = Some(PersonPresence { first: e.seconds, last: e.seconds, days_seen: 0 }),
                Some(x) => {
                    x.first = x.first.min(e.seconds);
                    x.last = x.last.max(e.seconds);
                }
            }
            let day = local_day(e.seconds, offset);
            if calendar.days.contains(&weekday(day)) {
                seen_days.push((p, day));
            }
        }
    }
    seen_days.sort_unstable();
    seen_days.dedup();
    for (p, _) in seen_days {
        if let Some(x) = &mut out[p] {
            x.days_seen += 1;
        }
    }
    let working_days = working_days_between(calendar, local_day(lo, offset), local_day(hi, offset));
    Presence { period: (lo, hi), working_days, people: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answer: a log written on a known calendar — Monday to Friday, 09:00–17:00 at
    /// UTC+01:00, times spread evenly over the working hours (a fixed low-discrepancy sequence),
    /// with 3% of the messages at random other moments of the week and a few written with
    /// another offset — gives back Mon–Fri, 09:00–17:00 and `Etc/GMT-1`. (7 hours would hold
    /// only 7/8 of the 97%, below 90%; 8 hours at any other start hold less than 9–17.)
    ///
    /// Broken versions tried, each fails: the offset ignored (hours 08:00–16:00), the epoch's
    /// weekday taken as Monday (days shifted to Thu–Mon), the span search allowed to exceed
    /// the share by one hour (09:00–18:00).
    #[test]
    fn a_log_on_a_known_calendar_gives_back_its_days_hours_and_zone() {
        let golden = 0.618_033_988_749_894_9;
        // Monday 2026-03-02 00:00 at +01:00 is 2026-03-01T23:00Z = 1772406000.
        let monday = 1_772_406_000.0;
        let mut events = Vec::new();
        for i in 0..20_000 {
            let u = (i as f64 * golden).fract();
            let seconds = if i % 100 < 3 {
                monday + u * 7.0 * 86_400.0 // noise anywhere in the week
            } else {
                let week = (i % 4) as f64;
                let day = (i / 4 % 5) as f64;
                monday + week * 7.0 * 86_400.0 + day * 86_400.0 + 9.0 * 3600.0 + u * 8.0 * 3600.0
            };
            let offset = if i % 50 == 7 { 0 } else { 3600 };
            events.push(Event { seconds, offset, sender: 0, recipient: 1, channel: 0 });
        }
        let c = estimate(&events);
        assert_eq!(c.offset, 3600);
        assert_eq!(c.timezone.as_deref(), Some("Etc/GMT-1"));
        assert_eq!(c.days_text(), "Mon,Tue,Wed,Thu,Fri", "per day {:?}", c.per_day);
        assert_eq!(c.hours_text(), "09:00-17:00");
        assert!(c.share >= HOURS_SHARE && c.share < 1.0, "share {}", c.share);
        assert_eq!(c.offset_text(), "+01:00");
    }
}
