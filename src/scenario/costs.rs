//! `[costs]`, a variant's `cost` and `[goal]`: validated once, and every design point's cost
//! computed from its own settings (see `docs/model.md`, "What it costs"):
//!
//! - involvement: `fraction × group size × costs.involvement`;
//! - mandate (when the point has one): `costs.mandate_manager + receivers ×
//!   costs.mandate_per_receiver`, receivers = everyone the community manager has a link to (not
//!   the community);
//! - each channel of `[costs.channels]` that someone receives over: `occurrences per month ×
//!   (per_occurrence + attendees × per_attendee)`, attendees = everyone who receives over it,
//!   occurrences from `occurrences_per_month` or, for a scheduled channel, `730.5 / every` with
//!   calendars (clock hours) and `173.9 / every` without (working hours);
//! - a variant's `cost`: added as stated.
//!
//! Also the levers `permeate optimise` may move ([`Scenario::lever`]).

use std::fmt::Write as _;
use std::path::Path;

use super::locate::line_of_key;
use super::raw::{RawChannelCost, RawScenario};
use super::validate::COMMUNITY_ROLE;
use super::{Scenario, Variant};
use crate::analysis::costs::{
    CLOCK_DAY_HOURS, CostPart, CostSettings, HOURS_PER_MONTH, PointCost, WORKING_DAY_HOURS, WORKING_HOURS_PER_MONTH,
    Worth,
};
use crate::analysis::goal::{DEFAULT_GOAL_PROBABILITY, Goal};
use crate::design::{Design, PointOrigin};
use crate::error::{InputError, InputErrorKind, num};
use crate::model::patch::ParamTarget;
use crate::model::{Params, Timing};
use crate::org::{Direction, PersonIdx};

/// The cost rates of one channel (`[costs.channels.NAME]`), hours.
#[derive(Debug, Clone, PartialEq)]
struct ChannelRate {
    name: String,
    per_occurrence: f64,
    per_attendee: f64,
    occurrences_per_month: Option<f64>,
}

/// The validated `[costs]` rates: hours of work per month per unit of each lever.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRates {
    involvement: f64,
    mandate_manager: f64,
    mandate_per_receiver: f64,
    channels: Vec<ChannelRate>,
    settings: CostSettings,
}

/// The costs of a scenario: the rates, the value of time and each design point's cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// The rates.
    pub rates: CostRates,
    /// Each design point's stated extra cost (`cost` of a variant), hours per month.
    pub stated: Vec<Option<f64>>,
    /// Each design point's cost, in design order.
    pub points: Vec<PointCost>,
}

impl CostRates {
    /// The money rate, currency and value of time.
    pub fn settings(&self) -> &CostSettings {
        &self.settings
    }
}

/// An error at `segs` of the scenario, located in `text`.
fn at(file: &Path, text: &str, segs: &[&str], message: String) -> InputError {
    let mut e = InputError::new(file, InputErrorKind::Invalid(message)).at_key(segs.join("."));
    e.line = line_of_key(text, segs);
    e
}

/// A non-negative number of hours (or other amount) at `segs`, 0 when not given.
fn amount(x: Option<f64>, segs: &[&str], example: &str, file: &Path, text: &str) -> Result<f64, InputError> {
    match x {
        None => Ok(0.0),
        Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Some(x) => Err(at(file, text, segs, format!("must be a number of at least 0, got {}; e.g. {example}", num(x)))),
    }
}

/// Validates `[costs]`, the variants' `cost` and `[goal]`, and computes every point's cost.
pub(super) fn load(
    raw: &RawScenario,
    design: &Design,
    variants: &[Variant],
    file: &Path,
    text: &str,
) -> Result<(Option<Costs>, Option<Goal>), InputError> {
    let goal = goal(raw, variants, file, text)?;
    let mut stated = Vec::with_capacity(design.points.len());
    for p in &design.points {
        let cost = match p.origin {
            PointOrigin::Variant(n) => raw.variants[n].cost,
            _ => None,
        };
        let c = match cost {
            Some(c) => {
                Some(amount(Some(c), &["cost"], "cost = 12.5 (hours per month)", file, text).map_err(|mut e| {
                    e.line = match p.origin {
                        PointOrigin::Variant(n) => line_of_key(text, &["variants", &n.to_string(), "cost"]),
                        _ => None,
                    };
                    e.in_variant(&p.name)
                })?)
            }
            None => None,
        };
        stated.push(c);
    }
    if raw.costs.is_none() && stated.iter().all(Option::is_none) {
        return Ok((None, goal));
    }
    let rates = rates(raw, variants, file, text)?;
    let mut points = Vec::with_capacity(variants.len());
    let mut cache: Vec<(usize, Counts)> = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let known = cache.iter().find(|(q, _)| variants[*q].same_structure(v)).map(|(_, c)| c.clone());
        let c = known.unwrap_or_else(|| {
            let c = counts(v, &rates);
            if cache.len() == COUNTS_CACHE {
                cache.remove(0);
            }
            cache.push((i, c.clone()));
            c
        });
        let cost = point_cost(v, &v.params(0.0), &rates, stated[i], &c).map_err(|(segs, m)| {
            let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
            let e = at(file, text, &segs, m);
            if i == 0 { e } else { e.in_variant(&v.name) }
        })?;
        points.push(cost);
    }
    Ok((Some(Costs { rates, stated, points }), goal))
}

fn rates(raw: &RawScenario, variants: &[Variant], file: &Path, text: &str) -> Result<CostRates, InputError> {
    let none = super::raw::RawCosts {
        involvement: None,
        mandate_manager: None,
        mandate_per_receiver: None,
        money_per_hour: None,
        currency: None,
        items_per_month: None,
        value_per_item_day: None,
        channels: Default::default(),
    };
    let c = raw.costs.as_ref().unwrap_or(&none);
    let a = |x: Option<f64>, key: &str, example: &str| amount(x, &["costs", key], example, file, text);
    let involvement = a(c.involvement, "involvement", "involvement = 2.0 (hours per involved person and month)")?;
    let mandate_manager = a(c.mandate_manager, "mandate_manager", "mandate_manager = 16.0 (hours per month)")?;
    let mandate_per_receiver =
        a(c.mandate_per_receiver, "mandate_per_receiver", "mandate_per_receiver = 0.5 (hours per receiver and month)")?;
    let money_per_hour = match c.money_per_hour {
        None => None,
        Some(m) if m.is_finite() && m > 0.0 => Some(m),
        Some(m) => {
            return Err(at(
                file,
                text,
                &["costs", "money_per_hour"],
                format!(
                    "must be a positive amount of money per hour of work, got {}; e.g. money_per_hour = 85.0",
                    num(m)
                ),
            ));
        }
    };
    if c.currency.is_some() && money_per_hour.is_none() {
        return Err(at(
            file,
            text,
            &["costs", "currency"],
            "a currency needs `money_per_hour`, e.g. money_per_hour = 85.0".into(),
        ));
    }
    if let Some(cur) = &c.currency {
        crate::error::check_name(cur, "currency").map_err(|k| InputError::new(file, k).at_key("costs.currency"))?;
    }
    let worth = match (c.items_per_month, c.value_per_item_day) {
        (None, None) => None,
        (Some(items), Some(value)) => {
            let items = a(Some(items), "items_per_month", "items_per_month = 20")?;
            let value = a(Some(value), "value_per_item_day", "value_per_item_day = 40.0")?;
            let calendars = variants[0].calendar.is_some();
            Some(Worth {
                items_per_month: items,
                value_per_item_day: value,
                day_hours: if calendars { CLOCK_DAY_HOURS } else { WORKING_DAY_HOURS },
            })
        }
        (Some(_), None) | (None, Some(_)) => {
            let missing = if c.items_per_month.is_none() { "items_per_month" } else { "value_per_item_day" };
            return Err(at(
                file,
                text,
                &["costs"],
                format!(
                    "the value of time needs both `items_per_month` and `value_per_item_day`; add `{missing}`, e.g. \
                     items_per_month = 20, value_per_item_day = 40.0"
                ),
            ));
        }
    };
    let mut channels = Vec::new();
    for (name, rc) in &c.channels {
        let RawChannelCost { per_occurrence, per_attendee, occurrences_per_month } = rc;
        if !variants[0].channels.iter().any(|ch| &ch.name == name) {
            let mut e = InputError::new(
                file,
                InputErrorKind::UnknownName {
                    what: "channel",
                    name: name.clone(),
                    known: variants[0].channels.iter().map(|c| c.name.clone()).collect(),
                },
            )
            .at_key(format!("costs.channels.{name}"));
            e.line = line_of_key(text, &["costs", "channels", name]);
            return Err(e);
        }
        let key = |k: &'static str| ["costs", "channels", name.as_str(), k];
        let occ = match occurrences_per_month {
            None => None,
            Some(o) => {
                Some(amount(Some(*o), &key("occurrences_per_month"), "occurrences_per_month = 4.35", file, text)?)
            }
        };
        channels.push(ChannelRate {
            name: name.clone(),
            per_occurrence: amount(
                *per_occurrence,
                &key("per_occurrence"),
                "per_occurrence = 2.0 (hours)",
                file,
                text,
            )?,
            per_attendee: amount(*per_attendee, &key("per_attendee"), "per_attendee = 0.25 (hours)", file, text)?,
            occurrences_per_month: occ,
        });
    }
    Ok(CostRates {
        involvement,
        mandate_manager,
        mandate_per_receiver,
        channels,
        settings: CostSettings { money_per_hour, currency: c.currency.clone(), worth },
    })
}

/// With calendars: the clock hours from the item's appearance until `days` working days of the
/// target's calendar have passed (days × that calendar's working hours a day, holidays and
/// weekends skipped), and the calendar's name. Refused when the item's start is drawn over the
/// week (the length would differ by replication), when the target spans several calendars
/// without `goal.calendar`, and when the days end after the horizon.
fn working_days_deadline(
    g: &super::raw::RawGoal,
    days: f64,
    b: &Variant,
    setup: &crate::model::calendar::CalendarSetup,
    raw: &RawScenario,
    file: &Path,
    text: &str,
) -> Result<(f64, String), InputError> {
    let key = ["goal", "t_threshold_working_days"];
    if !(days.is_finite() && days > 0.0) {
        return Err(at(
            file,
            text,
            &key,
            format!("must be a positive number of working days, got {}; e.g. 5", num(days)),
        ));
    }
    if setup.weekly {
        return Err(at(
            file,
            text,
            &key,
            "the item appears at a moment drawn over the week (`start = { weekly = \"uniform\" }`), so a number of \
             working days lasts a different number of clock hours in every replication; give a fixed `start` or \
             `t_threshold_hours`"
                .into(),
        ));
    }
    let calendar = match &g.calendar {
        Some(name) => match setup.names.iter().position(|n| n == name) {
            Some(c) => c,
            None => {
                let hint = crate::error::closest(name, setup.names.iter().map(String::as_str))
                    .map(|c| format!("; did you mean \"{c}\"?"))
                    .unwrap_or_default();
                return Err(at(
                    file,
                    text,
                    &["goal", "calendar"],
                    format!("\"{name}\" is not a calendar of the scenario{hint}"),
                ));
            }
        },
        None => {
            let mut used: Vec<u16> = b.target.iter().map(|&p| setup.person_calendar[p as usize]).collect();
            used.sort_unstable();
            used.dedup();
            match used.as_slice() {
                [c] => usize::from(*c),
                _ => {
                    let names: Vec<&str> = used.iter().map(|&c| setup.names[usize::from(c)].as_str()).collect();
                    return Err(at(
                        file,
                        text,
                        &key,
                        format!(
                            "the target's people work on {} calendars ({}), so a working day has no one length; say \
                             which counts, e.g. calendar = \"{}\" in [goal]",
                            names.len(),
                            names.join(", "),
                            names.first().copied().unwrap_or("NAME")
                        ),
                    ));
                }
            }
        }
    };
    let hours = setup.clocks[calendar].advance(0.0, days * setup.day_hours[calendar]);
    let horizon = raw.horizon_hours.unwrap_or(super::DEFAULT_HORIZON_HOURS);
    if !(hours.is_finite() && hours <= horizon) {
        return Err(at(
            file,
            text,
            &key,
            format!(
                "{} working days on calendar \"{}\" end after the horizon ({} h of clock time); raise horizon_hours",
                num(days),
                setup.names[calendar],
                num(horizon)
            ),
        ));
    }
    Ok((hours, setup.names[calendar].clone()))
}

fn goal(raw: &RawScenario, variants: &[Variant], file: &Path, text: &str) -> Result<Option<Goal>, InputError> {
    let Some(g) = &raw.goal else { return Ok(None) };
    let b = &variants[0];
    let mut working_days = None;
    if g.calendar.is_some() && (b.calendar.is_none() || g.t_threshold_working_days.is_none()) {
        return Err(at(
            file,
            text,
            &["goal", "calendar"],
            "`goal.calendar` names the calendar that counts `t_threshold_working_days`; it needs both calendars and \
             working days"
                .into(),
        ));
    }
    let t = match (g.t_threshold_hours, g.t_threshold_working_days) {
        (Some(h), None) => h,
        (None, Some(d)) => match &b.calendar {
            Some(setup) => {
                let (hours, calendar) = working_days_deadline(g, d, b, setup, raw, file, text)?;
                working_days = Some((d, calendar));
                hours
            }
            None => d * WORKING_DAY_HOURS,
        },
        (Some(_), Some(_)) => {
            return Err(at(
                file,
                text,
                &["goal", "t_threshold_working_days"],
                "give either `t_threshold_hours` or `t_threshold_working_days`, not both".into(),
            ));
        }
        (None, None) => {
            return Err(at(
                file,
                text,
                &["goal"],
                "a goal needs its time: `t_threshold_hours` (e.g. 40) or `t_threshold_working_days` (e.g. 5)".into(),
            ));
        }
    };
    let key = if g.t_threshold_hours.is_some() { "t_threshold_hours" } else { "t_threshold_working_days" };
    let probability = g.probability.unwrap_or(DEFAULT_GOAL_PROBABILITY);
    if !(probability > 0.0 && probability <= 1.0) {
        return Err(at(
            file,
            text,
            &["goal", "probability"],
            format!(
                "must be greater than 0 and at most 1 (the share of replications meeting the time), got {}; e.g. \
                 probability = 0.9",
                num(probability)
            ),
        ));
    }
    let mut goal =
        Goal::new(t, probability).map_err(|m| at(file, text, &["goal", key], format!("{m}; e.g. {key} = 5")))?;
    if let Some((days, calendar)) = working_days {
        goal = goal.on_calendar(days, calendar);
    }
    if let Some(th) = g.threshold
        && th != b.threshold
    {
        return Err(at(
            file,
            text,
            &["goal", "threshold"],
            format!(
                "the goal is for T{} but the target's threshold is {} (T{}); there is no matching target: set \
                 [target] threshold = {} or drop `goal.threshold`",
                num(100.0 * th),
                num(b.threshold),
                num(100.0 * b.threshold),
                num(th)
            ),
        ));
    }
    if let Some(v) = variants.iter().find(|v| v.threshold != b.threshold) {
        return Err(at(
            file,
            text,
            &["goal"],
            format!(
                "variant \"{}\" changes the target's threshold to {}, so the goal's T{} does not match its target; \
                 a goal needs one threshold for every variant",
                v.name,
                num(v.threshold),
                num(100.0 * b.threshold)
            ),
        ));
    }
    Ok(Some(goal))
}

/// Refuses a `[goal]` when an uncertain factor drives `target.threshold`: the goal's T would
/// then be judged at another threshold in every world (T30…T100), as a variant changing the
/// threshold is refused (issue 20, defect 15).
pub(super) fn refuse_uncertain_threshold(
    goal: Option<&Goal>,
    uncertainty: Option<&super::uncertain::Uncertainty>,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    let (Some(_), Some(u)) = (goal, uncertainty) else { return Ok(()) };
    let drives = |fi: usize| {
        u.targets
            .iter()
            .any(|point| point.iter().any(|&(f, t)| f == fi && t == crate::model::patch::ParamTarget::Threshold))
    };
    let Some(f) = (0..u.factors.len()).find(|&fi| drives(fi)).map(|fi| &u.factors[fi]) else { return Ok(()) };
    Err(at(
        file,
        text,
        &["goal"],
        format!(
            "uncertain factor \"{}\" changes the target's threshold in every world, so the goal's T does not match \
             its target; a goal needs one threshold: drop `target.threshold` from [uncertain] or drop [goal]",
            f.name
        ),
    ))
}

/// The distinct people `links` of `v` deliver to over channel `c` (`None`: any channel), both ends
/// of a two-way link, but not the community.
fn receivers(v: &Variant, mut keep: impl FnMut(PersonIdx, PersonIdx, u16) -> bool) -> usize {
    let mut seen = vec![false; v.org.len()];
    let mut count = 0;
    let mut add = |p: PersonIdx| {
        if !seen[p as usize] && v.org.role_of(p) != COMMUNITY_ROLE {
            seen[p as usize] = true;
            count += 1;
        }
    };
    let org_links = v.org.links.iter().map(|l| (l.source, l.target, v.org_channel[l.channel as usize], l.direction));
    let extra = v.extra_links.iter().map(|l| (l.source, l.target, l.channel, l.direction));
    for (s, t, c, d) in org_links.chain(extra) {
        if keep(s, t, c) {
            add(t);
        }
        if d == Direction::Both && keep(t, s, c) {
            add(s);
        }
    }
    count
}

fn hours(x: f64) -> String {
    format!("{} h", num(x))
}

/// The head counts the cost formulas need, which depend only on a point's structure (its links),
/// not on its parameters: counted once per structure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Counts {
    /// Per community manager with a mandate (in the order of `Variant::priority_senders`): the
    /// people they have a link to (not the community). Empty when the mandate costs nothing.
    mandate_receivers: Vec<usize>,
    /// Per entry of `rates.channels`: the people who receive over it (not the community).
    attendees: Vec<usize>,
}

/// The head counts of point `v` for `rates`.
pub(crate) fn counts(v: &Variant, rates: &CostRates) -> Counts {
    let costs_something = rates.mandate_manager > 0.0 || rates.mandate_per_receiver > 0.0;
    let mandate_receivers = if costs_something {
        v.priority_senders.iter().map(|&cm| receivers(v, |s, t, _| s == cm && t != cm)).collect()
    } else {
        Vec::new()
    };
    let attendees = rates
        .channels
        .iter()
        .map(|rate| match v.channels.iter().position(|ch| ch.name == rate.name) {
            Some(c) if rate.per_occurrence > 0.0 || rate.per_attendee > 0.0 => {
                receivers(v, |_, _, ch| ch as usize == c)
            }
            _ => 0,
        })
        .collect();
    Counts { mandate_receivers, attendees }
}

/// The most structures whose head counts `load` keeps for reuse.
const COUNTS_CACHE: usize = 64;

/// The cost of design point `v` with parameters `params` (its own, or patched by `optimise`)
/// and its structure's head counts: one part per lever, plus the stated `cost`. The error is the
/// dotted key that is missing and a message.
pub(crate) fn point_cost(
    v: &Variant,
    params: &Params,
    rates: &CostRates,
    stated: Option<f64>,
    counts: &Counts,
) -> Result<PointCost, (Vec<String>, String)> {
    let mut parts = Vec::new();
    if let Some(inv) = &v.involvement
        && rates.involvement > 0.0
    {
        let f = params.involvement_fraction.unwrap_or(inv.fraction);
        let n = inv.group.len();
        parts.push(CostPart {
            lever: "involvement".into(),
            hours_per_month: f * n as f64 * rates.involvement,
            formula: format!("{} × {n} people × {}", num(f), hours(rates.involvement)),
        });
    }
    // One part per manager with a mandate (the mandated managers are fixed by the structure).
    let several = counts.mandate_receivers.len() > 1;
    for (i, &r) in counts.mandate_receivers.iter().enumerate().take(params.priority.len()) {
        parts.push(CostPart {
            lever: if several {
                format!("mandate {}", v.org.people[v.priority_senders[i] as usize].id)
            } else {
                "mandate".into()
            },
            hours_per_month: rates.mandate_manager + r as f64 * rates.mandate_per_receiver,
            formula: format!(
                "{} + {r} receivers × {}",
                hours(rates.mandate_manager),
                hours(rates.mandate_per_receiver)
            ),
        });
    }
    for (rate, &attendees) in rates.channels.iter().zip(&counts.attendees) {
        let Some(c) = v.channels.iter().position(|ch| ch.name == rate.name) else { continue };
        if attendees == 0 {
            continue;
        }
        let occ = match (rate.occurrences_per_month, params.channels[c].timing) {
            (Some(o), _) => o,
            // `every` is in the model's hours: clock hours with calendars, working hours without.
            (None, Timing::Scheduled { every }) if v.calendar.is_some() => HOURS_PER_MONTH / every,
            (None, Timing::Scheduled { every }) => WORKING_HOURS_PER_MONTH / every,
            (None, _) => {
                return Err((
                    vec!["costs".into(), "channels".into(), rate.name.clone(), "occurrences_per_month".into()],
                    format!(
                        "channel \"{}\" is not scheduled with `every`, so its occurrences per month must be given, \
                         e.g. occurrences_per_month = 4.35 for weekly",
                        rate.name
                    ),
                ));
            }
        };
        parts.push(CostPart {
            lever: format!("channel {}", rate.name),
            hours_per_month: occ * (rate.per_occurrence + attendees as f64 * rate.per_attendee),
            formula: format!(
                "{} occurrences × ({} + {attendees} attendees × {})",
                crate::random::dist::fmt_num(occ),
                hours(rate.per_occurrence),
                hours(rate.per_attendee)
            ),
        });
    }
    if let Some(s) = stated {
        parts.push(CostPart { lever: "stated".into(), hours_per_month: s, formula: format!("{} as stated", hours(s)) });
    }
    finite_cost(PointCost::from_parts(parts, rates.settings.money_per_hour), rates)
}

/// `cost` if every part, the total and the money are finite; otherwise the key whose rate makes
/// them overflow and a message (issue 20, defect 1: an infinite cost made the cost chart's
/// axis infinite and the drawing hang after the simulation).
fn finite_cost(cost: PointCost, rates: &CostRates) -> Result<PointCost, (Vec<String>, String)> {
    let too_large = |what: &str, x: f64| {
        format!("makes {what} too large to compute ({}); costs are hours of work a month, e.g. 16.0", num(x))
    };
    for p in &cost.parts {
        if !p.hours_per_month.is_finite() {
            let key: Vec<String> = match p.lever.as_str() {
                "involvement" => vec!["costs".into(), "involvement".into()],
                "stated" => vec!["cost".into()],
                l if l.starts_with("mandate") => vec!["costs".into(), "mandate_manager".into()],
                l => match l.strip_prefix("channel ") {
                    Some(c) => vec!["costs".into(), "channels".into(), c.to_string()],
                    None => vec!["costs".into()],
                },
            };
            return Err((key, too_large(&format!("the cost of `{}`", p.lever), p.hours_per_month)));
        }
    }
    if !cost.hours_per_month.is_finite() {
        return Err((vec!["costs".into()], too_large("the sum of the costs", cost.hours_per_month)));
    }
    if let Some(m) = cost.money_per_month
        && !m.is_finite()
    {
        return Err((vec!["costs".into(), "money_per_hour".into()], too_large("the cost in money", m)));
    }
    if let Some(w) = &rates.settings.worth
        && !(w.items_per_month * w.value_per_item_day).is_finite()
    {
        return Err((
            vec!["costs".into(), "value_per_item_day".into()],
            too_large(
                "the value of time (items_per_month × value_per_item_day)",
                w.items_per_month * w.value_per_item_day,
            ),
        ));
    }
    Ok(cost)
}

/// The levers `permeate optimise` may move: paths whose increase can only make every
/// replication faster under common random numbers (see `docs/model.md`).
pub(crate) const MONOTONE_LEVERS: &str = "involvement.fraction, channels.NAME.transmit, channels.NAME.notice, roles.NAME.notice, \
                                   community_manager.mandate_effect.notice";

impl Scenario {
    /// The parameter that lever `path` moves in the baseline, if it is one of the
    /// `MONOTONE_LEVERS` and the baseline has it. The error (for exit status 2) names the path
    /// and says why it is refused.
    pub fn lever(&self, path: &str) -> Result<ParamTarget, InputError> {
        let refuse = |m: String| InputError::new(&self.file, InputErrorKind::Invalid(m)).at_key(path.to_string());
        let segs: Vec<&str> = path.split('.').collect();
        let allowed = matches!(
            segs.as_slice(),
            ["involvement", "fraction"]
                | ["channels", _, "transmit" | "notice"]
                | ["roles", _, "notice"]
                | ["community_manager", "mandate_effect", "notice"]
        );
        if !allowed {
            return Err(refuse(format!(
                "\"{path}\" is not a lever the optimiser can move: bisection needs a setting whose increase never \
                 makes any replication slower, and only these are: {MONOTONE_LEVERS} (an organisation generator's \
                 setting draws a different organisation, a delay or a schedule's `every` is not monotone in that \
                 sense); for other settings use a [sweep]"
            )));
        }
        let target = super::uncertain::target(self.baseline(), path)
            .map_err(refuse)?
            .ok_or_else(|| refuse(format!("the baseline has no \"{path}\" (no involvement, or no mandate)")))?;
        if matches!(target, ParamTarget::ChannelNotice(c) if self.baseline().channels[c as usize].notice.is_none()) {
            return Err(refuse(format!(
                "channel \"{}\" has no `notice` of its own (the receiver's applies); give it one to optimise it",
                segs[1]
            )));
        }
        if let Some(u) = &self.uncertainty
            && u.factors.iter().any(|f| f.paths.iter().any(|p| p == path))
        {
            return Err(refuse(format!(
                "\"{path}\" is an uncertain factor of [uncertain]; the optimiser moves a decision, not an assumption"
            )));
        }
        Ok(target)
    }

    /// The goal and every design point's cost, for `permeate check` (empty without them).
    pub fn costs_summary(&self) -> String {
        let mut s = String::new();
        if let Some(g) = &self.goal {
            let _ = writeln!(
                s,
                "goal: T{} at most {} h in at least {}% of replications{}",
                num(100.0 * self.baseline().threshold),
                num(g.t_hours()),
                num(100.0 * g.probability()),
                if self.uncertainty.is_some() { " and of plausible worlds" } else { "" }
            );
        }
        if let Some(c) = &self.costs {
            let _ = writeln!(s, "costs (hours of work a month):");
            for (v, cost) in self.variants.iter().zip(&c.points) {
                let parts: Vec<String> = cost.parts.iter().map(|p| format!("{}: {}", p.lever, p.formula)).collect();
                let parts = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join("; ")) };
                let _ = writeln!(s, "  {}: {} h{parts}", v.name, num(cost.hours_per_month));
            }
        }
        s
    }

    /// The cost of the baseline with its parameters replaced by `params` (`None` without
    /// `[costs]`).
    pub fn baseline_cost_with(&self, params: &Params) -> Option<PointCost> {
        let costs = self.costs.as_ref()?;
        let b = self.baseline();
        point_cost(b, params, &costs.rates, costs.stated[0], &counts(b, &costs.rates)).ok()
    }
}
