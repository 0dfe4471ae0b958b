//! The scenario's [`Facts`]: what the summary and the report need to know about it, in words and
//! numbers, taken once from the validated scenario.

use crate::random::dist::{fmt_decimals, fmt_pct};
use rayon::slice::ParallelSliceMut as _;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Scenario, Variant};
use crate::analysis::facts::{
    Assumptions, CALENDARS_EXCEPTION, CalendarFacts, ChannelFacts, ChannelLinkFacts, Facts, InvolvementFacts,
    ManagerFacts, OrganisationFacts, PointFacts, RoleFacts, SweepFacts, SweepPointFacts, SweepValue, UncertainFacts,
    UnitFacts,
};
use crate::model::{ChannelId, Timing};
use crate::org::Direction;

/// How many ids a list of people shows before "and N more".
const LIST_PEOPLE: usize = 5;

impl Scenario {
    /// The facts of a study of this scenario for the summary and the report: run with `seed`,
    /// `replications` per point and world, over `worlds` (see [`crate::study::plan::Plan::facts`]).
    pub(crate) fn facts_for(
        &self,
        seed: u64,
        replications: u64,
        worlds: Option<&crate::design::worlds::WorldSet>,
    ) -> Facts {
        let b = self.baseline();
        Facts {
            scenario: self.name.clone(),
            description: self.description.clone(),
            file_name: self
                .file
                .file_name()
                .map_or_else(|| self.file.display().to_string(), |n| n.to_string_lossy().into_owned()),
            seed,
            replications,
            horizon_hours: self.horizon_hours,
            curve_points: self.curve_points,
            curve_hours: self.curve_hours,
            reference: self.reference,
            points: self
                .variants
                .iter()
                .enumerate()
                .map(|(i, v)| PointFacts {
                    name: v.name.clone(),
                    description: v.description.clone(),
                    target_size: v.target.len() as u32,
                    target_label: v.target_label.clone(),
                    threshold: v.threshold,
                    k: crate::model::threshold_rank(v.threshold, v.target.len()) as u32,
                    target_key: {
                        let mut ids: Vec<&str> =
                            v.target.iter().map(|&p| v.org.people[p as usize].id.as_str()).collect();
                        // In parallel: a million ids take a fifth of a second to sort on one
                        // thread (the order, and so the key, is the same either way).
                        ids.par_sort_unstable();
                        // The threshold too: T50 and T80 are not paired.
                        let threshold = v.threshold.to_bits().to_string();
                        ids.push(&threshold);
                        crate::random::rng::identity_key(&ids)
                    },
                    changes: if i == 0 { vec![] } else { changes_from_baseline(b, v) },
                    clock: v.calendar.as_deref().map(super::calendars::clock_facts),
                    cost: self.costs.as_ref().map(|c| c.points[i].clone()),
                })
                .collect(),
            sweep: self.sweep.as_ref().map(|sw| SweepFacts {
                paths: sw.paths.clone(),
                points: sw
                    .points
                    .iter()
                    .map(|p| SweepPointFacts { values: p.values.iter().map(sweep_value).collect(), point: p.variant })
                    .collect(),
            }),
            assumptions: Assumptions {
                warnings: self.default_warnings(),
                coupling_exceptions: self.coupling_exceptions(),
                ..assumptions(b)
            },
            uncertain: self
                .uncertainty
                .as_ref()
                .zip(worlds)
                .map(|(u, w)| UncertainFacts { factors: u.factors.clone(), worlds: w.clone() }),
            goal: self.goal.clone(),
            costs: self.costs.as_ref().map(|c| c.rates.settings().clone()),
            command_line_set: self.overrides.set_text(),
        }
    }
}

impl Scenario {
    /// Why an improvement can be slower in a single replication, over all design points (see
    /// [`Assumptions::coupling_exceptions`]): the scheduled channels over which a person whose
    /// role has a window sends, in name order, then `calendars` when a point has calendars and
    /// any role a window. The organisation's senders per scheduled channel are collected once
    /// per organisation, and only when a point has a scheduled channel, so a large sweep costs at
    /// most one pass over the links.
    pub fn coupling_exceptions(&self) -> Vec<String> {
        let mut found = std::collections::BTreeSet::new();
        let mut calendars = false;
        // Per distinct organisation: which (channel, sender role) pairs its links have, as a
        // table of the organisation's channel and role indices (computed only for variants with
        // a scheduled channel: one pass over the links, no names per link).
        let mut senders: Vec<(*const crate::org::Organisation, Vec<bool>)> = Vec::new();
        for v in &self.variants {
            let windowed = |role: u32| v.roles.get(role as usize).is_some_and(|r| r.window.is_some());
            if v.calendar.is_some() && v.roles.iter().any(|r| r.window.is_some()) {
                calendars = true;
            }
            let scheduled = |c: ChannelId| {
                v.channels.get(c as usize).is_some_and(|c| matches!(c.timing, Timing::Scheduled { .. } | Timing::At))
            };
            let any_scheduled = (0..v.channels.len()).any(|c| scheduled(c as ChannelId));
            let key = Arc::as_ptr(&v.org);
            let roles = v.org.roles.len();
            if any_scheduled && !senders.iter().any(|(k, _)| *k == key) {
                let mut table = vec![false; v.org.channels.len() * roles];
                for l in &v.org.links {
                    let row = l.channel as usize * roles;
                    table[row + v.org.people[l.source as usize].role as usize] = true;
                    if l.direction == Direction::Both {
                        table[row + v.org.people[l.target as usize].role as usize] = true;
                    }
                }
                senders.push((key, table));
            }
            if let Some((_, table)) = senders.iter().find(|(k, _)| *k == key) {
                for (i, _) in table.iter().enumerate().filter(|&(_, &used)| used) {
                    let (name, role) = (&v.org.channels[i / roles], (i % roles) as u32);
                    let c = v.channels.iter().position(|c| &c.name == name);
                    if c.is_some_and(|c| scheduled(c as ChannelId)) && windowed(role) {
                        found.insert(name.clone());
                    }
                }
            }
            for l in &v.extra_links {
                let mut ends = vec![l.source];
                if l.direction == Direction::Both {
                    ends.push(l.target);
                }
                for p in ends {
                    if scheduled(l.channel) && windowed(v.org.people[p as usize].role) {
                        found.insert(v.channels[l.channel as usize].name.clone());
                    }
                }
            }
        }
        let mut out: Vec<String> = found.into_iter().collect();
        if calendars {
            out.push(CALENDARS_EXCEPTION.into());
        }
        out
    }
}

fn sweep_value(v: &toml::Value) -> SweepValue {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        // Never 301 digits for 1e300 (issue 20, defect 18); the normal range as written.
        toml::Value::Float(x) => crate::random::dist::exponent_form(*x).unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    };
    let number = match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    };
    SweepValue { text, number }
}

/// The first few ids of `people` and how many more.
fn people_list(v: &Variant, people: &[u32]) -> String {
    let shown: Vec<&str> = people.iter().take(LIST_PEOPLE).map(|&p| v.org.people[p as usize].id.as_str()).collect();
    let more =
        if people.len() > LIST_PEOPLE { format!(" and {} more", people.len() - LIST_PEOPLE) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// "role, unit" of a person.
fn person_detail(v: &Variant, p: u32) -> String {
    let role_unit = format!("{}, {}", v.org.role_of(p), v.org.unit_of(p));
    match v.org.name_of(p) {
        Some(name) => format!("{name}, {role_unit}"),
        None => role_unit,
    }
}

/// Links that the scenario's settings add (community manager's watch, reach and mandate;
/// `add_links`), grouped by channel, sender role and receiver role.
fn extra_link_groups(v: &Variant) -> Vec<(String, String, String, bool, usize)> {
    extra_link_groups_of(v, |_| true)
}

/// [`extra_link_groups`] of the added links that `keep` keeps.
fn extra_link_groups_of(
    v: &Variant,
    keep: impl Fn(&super::ExtraLink) -> bool,
) -> Vec<(String, String, String, bool, usize)> {
    let mut groups: BTreeMap<(String, String, String, bool), usize> = BTreeMap::new();
    for l in v.extra_links.iter().filter(|l| keep(l)) {
        let key = (
            v.channels[l.channel as usize].name.clone(),
            v.org.role_of(l.source).to_string(),
            v.org.role_of(l.target).to_string(),
            l.direction == Direction::Both,
        );
        *groups.entry(key).or_default() += 1;
    }
    groups.into_iter().map(|((c, a, b, both), n)| (c, a, b, both, n)).collect()
}

/// "↔" for a two-way link, "→" for a one-way link.
fn arrow(both: bool) -> &'static str {
    if both { "↔" } else { "→" }
}

fn window_text(w: &Option<crate::random::dist::Dist>) -> String {
    w.as_ref().map_or_else(|| "unlimited".into(), |d| d.describe())
}

/// What a variant changes compared with the baseline, in short plain phrases.
fn changes_from_baseline(b: &Variant, v: &Variant) -> Vec<String> {
    let mut out = Vec::new();
    if !std::sync::Arc::ptr_eq(&b.org, &v.org)
        && (b.org.people.len() != v.org.people.len() || b.org.links.len() != v.org.links.len())
    {
        out.push(format!(
            "organisation: {} people, {} links (baseline {} and {})",
            v.org.people.len(),
            v.org.links.len(),
            b.org.people.len(),
            b.org.links.len()
        ));
    }
    for c in &v.channels {
        match b.channels.iter().find(|x| x.name == c.name) {
            None => out.push(format!("channel {} added", c.name)),
            Some(bc) => {
                if bc.delay.describe() != c.delay.describe() {
                    out.push(format!("{} delay: {} → {}", c.name, bc.delay.describe(), c.delay.describe()));
                }
                if bc.transmit != c.transmit {
                    out.push(format!(
                        "{} transmit: {} → {}",
                        c.name,
                        fmt_decimals(bc.transmit, 4),
                        fmt_decimals(c.transmit, 4)
                    ));
                }
                if bc.notice != c.notice {
                    let n = |x: Option<f64>| x.map_or_else(|| "receiver's".into(), |x| fmt_decimals(x, 4));
                    out.push(format!("{} notice: {} → {}", c.name, n(bc.notice), n(c.notice)));
                }
            }
        }
    }
    for r in &v.roles {
        if let Some(br) = b.roles.iter().find(|x| x.name == r.name) {
            if br.notice != r.notice {
                out.push(format!("{} notice: {} → {}", r.name, fmt_decimals(br.notice, 4), fmt_decimals(r.notice, 4)));
            }
            if br.processing.describe() != r.processing.describe() {
                out.push(format!("{} processing: {} → {}", r.name, br.processing.describe(), r.processing.describe()));
            }
            if window_text(&br.window) != window_text(&r.window) {
                out.push(format!("{} window: {} → {}", r.name, window_text(&br.window), window_text(&r.window)));
            }
        }
    }
    for c in &v.community_managers {
        // "community manager" alone for the single-table form, "community manager N" in a list.
        let who = match c.key.strip_prefix("community_manager.") {
            Some(n) => format!("community manager {n}"),
            None => "community manager".to_string(),
        };
        match b.community_managers.iter().find(|a| a.key == c.key) {
            Some(a) => {
                if a.mandate != c.mandate {
                    let yn = |m: bool| if m { "yes" } else { "no" };
                    out.push(format!("{who}'s mandate: {} → {}", yn(a.mandate), yn(c.mandate)));
                }
                if a.effect != c.effect {
                    out.push(format!(
                        "mandate effect: notice ≥ {}, processing × {}",
                        fmt_decimals(c.effect.notice, 4),
                        fmt_decimals(c.effect.processing_factor, 4)
                    ));
                }
                if a.person != c.person {
                    out.push(format!("{who}: {}", v.org.people[c.person as usize].id));
                }
            }
            None => out.push(format!("a {who}")),
        }
    }
    for a in &b.community_managers {
        if !v.community_managers.iter().any(|c| c.key == a.key) {
            out.push(if v.community_managers.is_empty() {
                "no community manager".into()
            } else {
                format!("no community manager {}", a.key.trim_start_matches("community_manager."))
            });
        }
    }
    match (&b.involvement, &v.involvement) {
        (Some(a), Some(c)) => {
            if a.fraction != c.fraction {
                out.push(format!("involvement: {} → {}", fmt_pct(a.fraction), fmt_pct(c.fraction)));
            }
            if a.group.len() != c.group.len() || a.channel != c.channel || a.direction != c.direction {
                out.push(format!("involvement: {} of {} people", fmt_pct(c.fraction), c.group.len()));
            }
        }
        (None, Some(c)) => out.push(format!("involvement: {} of {} people", fmt_pct(c.fraction), c.group.len())),
        (Some(_), None) => out.push("no involvement".into()),
        (None, None) => {}
    }
    for (i, c) in v.watchers.iter().enumerate() {
        match b.watchers.get(i) {
            Some(a) if a.share == c.share && a.group.len() == c.group.len() => {}
            Some(a) if a.group.len() == c.group.len() => {
                out.push(format!("watchers.{i}: {} → {}", fmt_pct(a.share), fmt_pct(c.share)));
            }
            _ => out.push(format!("watchers.{i}: {} of {} people", fmt_pct(c.share), c.group.len())),
        }
    }
    if v.watchers.len() < b.watchers.len() {
        out.push(format!("watchers: {} → {} groups", b.watchers.len(), v.watchers.len()));
    }
    if v.org.len() > b.org.len() && v.org.people[..b.org.len()].iter().zip(&b.org.people).all(|(x, y)| x.id == y.id) {
        let added: Vec<&str> = v.org.people[b.org.len()..].iter().map(|p| p.id.as_str()).collect();
        out.push(format!("people added: {}", added.join(", ")));
    }
    let (eb, ev) = (extra_link_groups(b), extra_link_groups(v));
    for g in &ev {
        let before = eb.iter().find(|x| (&x.0, &x.1, &x.2, x.3) == (&g.0, &g.1, &g.2, g.3)).map_or(0, |x| x.4);
        if before != g.4 {
            out.push(format!("links {} {} {} over {}: {} → {}", g.1, arrow(g.3), g.2, g.0, before, g.4));
        }
    }
    for g in &eb {
        if !ev.iter().any(|x| (&x.0, &x.1, &x.2, x.3) == (&g.0, &g.1, &g.2, g.3)) {
            out.push(format!("links {} {} {} over {}: {} → 0", g.1, arrow(g.3), g.2, g.0, g.4));
        }
    }
    if b.sources != v.sources {
        out.push(format!("source: {}", people_list(v, &v.sources)));
    }
    if b.target != v.target {
        out.push(format!("target: {} people ({})", v.target.len(), v.target_label));
    }
    if b.threshold != v.threshold {
        out.push(format!("threshold: {} → {}", fmt_decimals(b.threshold, 4), fmt_decimals(v.threshold, 4)));
    }
    out
}

/// The baseline's assumptions.
fn assumptions(b: &Variant) -> Assumptions {
    let org = &b.org;
    let mut managers = b.community_managers.iter().map(|cm| {
        let role = org.role_of(cm.person);
        ManagerFacts {
            id: org.people[cm.person as usize].id.to_string(),
            detail: person_detail(b, cm.person),
            mandate: cm.mandate,
            mandate_notice: cm.effect.notice,
            mandate_processing_factor: cm.effect.processing_factor,
            // The added links at this manager (with several managers of one role, each their own).
            reach: extra_link_groups_of(b, |l| l.source == cm.person || l.target == cm.person)
                .into_iter()
                .filter(|g| g.1 == role || g.2 == role)
                .map(|(c, a, t, both, n)| format!("{n} link(s) {a} {} {t} over {c}", arrow(both)))
                .collect(),
        }
    });
    let community_manager = managers.next();
    let other_community_managers: Vec<ManagerFacts> = managers.collect();
    let involvement = b.involvement.as_ref().map(|inv| InvolvementFacts {
        fraction: inv.fraction,
        group_size: inv.group.len(),
        channel: b.channels[inv.channel as usize].name.clone(),
        posts: inv.direction == Direction::Both,
    });
    let mut counts: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for p in &org.people {
        *counts.entry((p.unit, p.role)).or_default() += 1;
    }
    let units = org
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut roles: Vec<(String, usize)> = counts
                .iter()
                .filter(|((uu, _), _)| *uu == u as u32)
                .map(|((_, r), &c)| (org.roles[*r as usize].clone(), c))
                .collect();
            roles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            UnitFacts { name: unit.clone(), people: roles.iter().map(|r| r.1).sum(), roles }
        })
        .collect();
    let mut per_channel = vec![(0usize, 0usize); org.channels.len()];
    for l in &org.links {
        match l.direction {
            Direction::Both => per_channel[l.channel as usize].0 += 1,
            Direction::Forward => per_channel[l.channel as usize].1 += 1,
        }
    }
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    for g in extra_link_groups(b) {
        *added.entry(g.0).or_default() += g.4;
    }
    let mut channel_links: Vec<ChannelLinkFacts> = org
        .channels
        .iter()
        .enumerate()
        .map(|(c, name)| ChannelLinkFacts {
            name: name.clone(),
            both: per_channel[c].0,
            forward: per_channel[c].1,
            added: added.get(name).copied().unwrap_or(0),
        })
        .collect();
    for (name, n) in &added {
        if !org.channels.contains(name) {
            channel_links.push(ChannelLinkFacts { name: name.clone(), both: 0, forward: 0, added: *n });
        }
    }
    let mut role_people = vec![0usize; org.roles.len()];
    for p in &org.people {
        role_people[p.role as usize] += 1;
    }
    Assumptions {
        source: people_list(b, &b.sources),
        community_manager,
        other_community_managers,
        involvement,
        organisation: OrganisationFacts {
            people: org.people.len(),
            links: org.distinct_link_count(),
            origin: org.origin.clone(),
            units,
            channel_links,
        },
        channels: b
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| ChannelFacts {
                name: c.name.clone(),
                delay: c.delay.describe(),
                mean_delay: c.delay.mean(),
                // The wait for the next meeting is uniform on [0, every) (the phase is), in clock hours.
                mean_wait_hours: match c.timing {
                    Timing::Scheduled { every } => Some(every / 2.0),
                    _ => None,
                },
                transmit: c.transmit,
                notice: c.notice,
                timing: match c.timing {
                    Timing::PerLink => String::new(),
                    Timing::Broadcast => "one message per sender, shared by all their links".into(),
                    Timing::Scheduled { every } => {
                        format!(
                            "meets every {} h (the first meeting at a random moment, per replication)",
                            fmt_decimals(every, 4)
                        )
                    }
                    Timing::At => b
                        .calendar
                        .as_ref()
                        .and_then(|cal| cal.schedules_described.get(i))
                        .map_or_else(|| "meets at set times".into(), |t| format!("meets {t}")),
                    Timing::Replay => b.org.replay.as_ref().map_or_else(String::new, |log| {
                        format!(
                            "the real messages of {} replayed, each carrying with probability {}",
                            log.file.file_name().unwrap_or_default().to_string_lossy(),
                            fmt_decimals(log.per_message, 4)
                        )
                    }),
                },
            })
            .collect(),
        roles: b
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| RoleFacts {
                name: r.name.clone(),
                people: role_people.get(i).copied().unwrap_or(0),
                notice: r.notice,
                processing: r.processing.describe(),
                window: window_text(&r.window),
                defined: r.defined,
                absent: r.absent,
            })
            .collect(),
        calendars: b.calendar.as_ref().map_or_else(Vec::new, |cal| {
            (0..cal.names.len())
                .map(|i| CalendarFacts {
                    name: cal.names[i].clone(),
                    timezone: cal.timezones[i].clone(),
                    working_time: cal.described.get(i).cloned().unwrap_or_default(),
                    people: cal.person_calendar.iter().filter(|&&c| usize::from(c) == i).count(),
                })
                .collect()
        }),
        start: b.calendar.as_ref().map(|cal| {
            if cal.weekly {
                "a moment drawn uniformly over the week, per replication".into()
            } else {
                let tz = &cal.timezones[usize::from(cal.default)];
                match cal.origin.in_tz(tz) {
                    Ok(z) => format!("fixed: {} ({tz})", z.strftime("%A %Y-%m-%d %H:%M")),
                    Err(_) => format!("fixed: {}", cal.origin),
                }
            }
        }),
        warnings: Vec::new(),
        coupling_exceptions: Vec::new(),
    }
}
