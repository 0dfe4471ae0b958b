//! Validation of one variant: raw serde structs → typed [`Variant`]. Every error names the file,
//! the line, the dotted key and (for variants) the variant.

use std::path::Path;
use std::sync::Arc;

use super::locate::{has_key, line_of_key};
use super::raw::{OneOrMany, RawDist, RawScenario, RawVariant};
use super::{
    Channel, ChannelId, CommunityManager, DEFAULT_THRESHOLD, ExtraLink, Involvement, MandateEffect, OrgCache, Role,
    Variant, probability,
};
use crate::dist::Dist;
use crate::error::{InputError, InputErrorKind};
use crate::org::generate::{BridgeSpec, GeneratorChannels, GeneratorSpec, UnitSpec, generate};
use crate::org::{Direction, NO_LINK_GROUP, NameOrigin, Organisation, PersonIdx, load_csv};

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
    pub fn err(&self, key: &str, kind: InputErrorKind) -> InputError {
        self.locate(InputError::new(self.file, kind).at_key(key))
    }

    /// Fills in the line and variant of `e` from its key and this context.
    pub fn locate(&self, mut e: InputError) -> InputError {
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

/// A selection of people by id, role, unit or everybody.
pub(crate) struct Selector<'s> {
    pub id: Option<&'s OneOrMany>,
    pub role: Option<&'s OneOrMany>,
    pub unit: Option<&'s OneOrMany>,
    pub all: Option<bool>,
}

/// The people a selector picks, in organisation order. `all = true` picks everybody except the
/// community node(s); `role` and `unit` together pick their intersection.
fn select(org: &Organisation, sel: &Selector<'_>, key: &str, ctx: &Ctx<'_>) -> Result<Vec<PersonIdx>, InputError> {
    let all = sel.all.unwrap_or(false);
    let given = [sel.id.is_some(), sel.role.is_some() || sel.unit.is_some(), all];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(ctx.err(
            key,
            InputErrorKind::Invalid("select people with exactly one of `id`, `role`/`unit`, or `all = true`".into()),
        ));
    }
    if let Some(ids) = sel.id {
        let ids = ids.to_vec();
        if ids.is_empty() {
            return Err(ctx.err(&format!("{key}.id"), InputErrorKind::EmptySelection("an empty list of ids".into())));
        }
        let mut picked = ids
            .iter()
            .map(|id| {
                org.find(id).ok_or_else(|| {
                    ctx.err(
                        &format!("{key}.id"),
                        InputErrorKind::UnknownName {
                            what: "person",
                            name: id.clone(),
                            known: org.ids_for_suggestions(),
                        },
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A person listed twice is one person (counting them twice would corrupt T).
        picked.sort_unstable();
        picked.dedup();
        return Ok(picked);
    }
    let names = |list: Option<&OneOrMany>,
                 known: &[String],
                 what: &'static str,
                 sub: &str|
     -> Result<Option<Vec<u32>>, InputError> {
        let Some(list) = list else { return Ok(None) };
        list.to_vec()
            .iter()
            .map(|n| {
                known.iter().position(|k| k == n).map(|i| i as u32).ok_or_else(|| {
                    ctx.err(
                        &format!("{key}.{sub}"),
                        InputErrorKind::UnknownName { what, name: n.clone(), known: known.to_vec() },
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    };
    let roles = names(sel.role, &org.roles, "role", "role")?;
    let units = names(sel.unit, &org.units, "unit", "unit")?;
    let picked: Vec<PersonIdx> = (0..org.len() as PersonIdx)
        .filter(|&p| {
            let person = &org.people[p as usize];
            if all {
                return org.role_of(p) != "community";
            }
            roles.as_ref().is_none_or(|r| r.contains(&person.role))
                && units.as_ref().is_none_or(|u| u.contains(&person.unit))
        })
        .collect();
    if picked.is_empty() {
        let what =
            [sel.role.map(|r| format!("role {:?}", r.to_vec())), sel.unit.map(|u| format!("unit {:?}", u.to_vec()))];
        let what: Vec<String> = what.into_iter().flatten().collect();
        return Err(ctx.err(key, InputErrorKind::EmptySelection(if all { "all".into() } else { what.join(" and ") })));
    }
    Ok(picked)
}

/// A short description of a selector for people: "role developer", "unit support", "everyone".
fn selector_label(sel: &Selector<'_>) -> String {
    if sel.all == Some(true) {
        return "everyone".into();
    }
    let join = |x: Option<&OneOrMany>, what: &str| x.map(|v| format!("{what} {}", v.to_vec().join(" or ")));
    let parts: Vec<String> =
        [join(sel.id, "id"), join(sel.role, "role"), join(sel.unit, "unit")].into_iter().flatten().collect();
    parts.join(", ")
}

fn channel_id(channels: &[Channel], name: &str, key: &str, ctx: &Ctx<'_>) -> Result<ChannelId, InputError> {
    channels.iter().position(|c| c.name == name).map(|i| i as ChannelId).ok_or_else(|| {
        ctx.err(
            key,
            InputErrorKind::UnknownName {
                what: "channel",
                name: name.to_string(),
                known: channels.iter().map(|c| c.name.clone()).collect(),
            },
        )
    })
}

fn direction(text: Option<&str>, key: &str, ctx: &Ctx<'_>) -> Result<Direction, InputError> {
    let text = text.unwrap_or("both");
    Direction::parse(text).filter(|_| !text.trim().is_empty()).ok_or_else(|| {
        ctx.err(
            key,
            InputErrorKind::UnknownName {
                what: "direction",
                name: text.to_string(),
                known: vec!["both".into(), "forward".into()],
            },
        )
    })
}

fn organisation(raw: &RawScenario, ctx: &Ctx<'_>, cache: &mut OrgCache) -> Result<Arc<Organisation>, InputError> {
    let o = &raw.organisation;
    match (&o.people, &o.links, &o.generate) {
        (Some(people), Some(links), None) => {
            let key = (ctx.dir.join(people), ctx.dir.join(links));
            if let Some(org) = cache.csv.get(&key) {
                return Ok(org.clone());
            }
            let org = Arc::new(load_csv(&key.0, &key.1)?);
            cache.csv.insert(key, org.clone());
            Ok(org)
        }
        (None, None, Some(g)) => {
            let spec = generator_spec(g, ctx)?;
            if let Some((_, org)) = cache.generated.iter().find(|(s, _)| *s == spec) {
                return Ok(org.clone());
            }
            let origin = NameOrigin {
                file: ctx.file.to_path_buf(),
                line: line_of_key(ctx.text, &["organisation", "generate"]),
                key: None,
            };
            let org = Arc::new(
                generate(&spec, ctx.seed, &origin)
                    .map_err(|m| ctx.err("organisation.generate", InputErrorKind::Invalid(m)))?,
            );
            cache.generated.push((spec, org.clone()));
            Ok(org)
        }
        (_, _, Some(_)) => Err(ctx.err(
            "organisation",
            InputErrorKind::Invalid("give either `people` and `links` or `generate`, not both".into()),
        )),
        (None, _, None) => Err(ctx.err("organisation", InputErrorKind::MissingKey("people".into()))),
        (_, None, None) => Err(ctx.err("organisation", InputErrorKind::MissingKey("links".into()))),
    }
}

fn generator_spec(g: &super::raw::RawGenerate, ctx: &Ctx<'_>) -> Result<GeneratorSpec, InputError> {
    let key = "organisation.generate";
    let ties = g.cross_team_ties.unwrap_or(1.0);
    if !(ties.is_finite() && ties >= 0.0) {
        return Err(ctx.err(
            &format!("{key}.cross_team_ties"),
            InputErrorKind::Invalid(format!("must be a number >= 0, got {ties}")),
        ));
    }
    if g.units.is_empty() {
        return Err(ctx.err(&format!("{key}.units"), InputErrorKind::Invalid("give at least one unit".into())));
    }
    let mut units = Vec::new();
    for (i, u) in g.units.iter().enumerate() {
        if u.name.trim().is_empty()
            || units.iter().any(|x: &UnitSpec| x.name == u.name)
            || u.name == "management"
            || u.name == "external"
        {
            return Err(ctx.err(
                &format!("{key}.units.{i}.name"),
                InputErrorKind::Invalid(format!(
                    "unit names must be unique, non-empty and not \"management\" or \"external\"; got \"{}\"",
                    u.name
                )),
            ));
        }
        units.push(UnitSpec {
            name: u.name.clone(),
            teams: u.teams,
            team_size: u.team_size,
            member_role: u.member_role.clone().unwrap_or_else(|| "member".into()),
            lead_role: u.lead_role.clone().unwrap_or_else(|| "team_lead".into()),
            head_role: u.head_role.clone().unwrap_or_else(|| "head".into()),
            coordination_channel: u.coordination_channel.clone(),
            specialists: u.specialists.iter().map(|(r, c)| (r.clone(), *c)).collect(),
            calendar: u.calendar.clone(),
        });
    }
    let c = g.channels.clone().unwrap_or(super::raw::RawGenChannels {
        team: None,
        lead: None,
        heads: None,
        management: None,
        cross: None,
    });
    let spec = GeneratorSpec {
        management: g.management.unwrap_or(3),
        management_role: g.management_role.clone().unwrap_or_else(|| "executive".into()),
        cross_team_ties: ties,
        community_id: if g.community.unwrap_or(true) {
            Some(g.community_id.clone().unwrap_or_else(|| "community".into()))
        } else {
            None
        },
        units,
        channels: GeneratorChannels {
            team: c.team.unwrap_or_else(|| "team_chat".into()),
            lead: c.lead.unwrap_or_else(|| "one_on_one".into()),
            heads: c.heads.unwrap_or_else(|| "leads_meeting".into()),
            management: c.management.unwrap_or_else(|| "management_meeting".into()),
            cross: c.cross.unwrap_or_else(|| "chat".into()),
        },
        bridges: g
            .bridges
            .iter()
            .map(|br| BridgeSpec {
                from_unit: br.from_unit.clone(),
                from_role: br.from_role.clone(),
                to_unit: br.to_unit.clone(),
                to_role: br.to_role.clone(),
                channel: br.channel.clone(),
                per_person: br.per_person.unwrap_or(1),
            })
            .collect(),
    };
    let unit_names: Vec<String> =
        std::iter::once("management".to_string()).chain(spec.units.iter().map(|u| u.name.clone())).collect();
    for (i, br) in spec.bridges.iter().enumerate() {
        for (side, unit) in [("from_unit", &br.from_unit), ("to_unit", &br.to_unit)] {
            if !unit_names.contains(unit) {
                return Err(ctx.err(
                    &format!("{key}.bridges.{i}.{side}"),
                    InputErrorKind::UnknownName { what: "unit", name: unit.clone(), known: unit_names.clone() },
                ));
            }
        }
    }
    // Bridges add at most per_person links per person of the organisation.
    let bridge_links: u128 = spec.bridges.iter().map(|b| u128::from(b.per_person) * spec.expected_people()).sum();
    if spec.expected_people() > 5_000_000 || spec.expected_structural_links() + bridge_links > 50_000_000 {
        return Err(ctx.err(
            key,
            InputErrorKind::Invalid(
                "the generator is for organisations up to 5 million people and 50 million links (team cliques grow with the square of team_size); import larger ones as CSV".into(),
            ),
        ));
    }
    Ok(spec)
}

/// Validates one variant (the baseline when `listed` is `None` and the place is the baseline).
pub(crate) fn variant(
    raw: &RawScenario,
    name: &str,
    listed: Option<&RawVariant>,
    ctx: &Ctx<'_>,
    cache: &mut OrgCache,
) -> Result<Variant, InputError> {
    let org = organisation(raw, ctx, cache)?;

    let mut channels = Vec::new();
    for (cname, c) in &raw.channels {
        let key = format!("channels.{cname}");
        let (timing, delay) = super::timing::channel_timing(c, &key, ctx)?;
        channels.push(Channel {
            name: cname.clone(),
            delay,
            transmit: prob(c.transmit.unwrap_or(1.0), &format!("{key}.transmit"), ctx)?,
            notice: c.notice.map(|n| prob(n, &format!("{key}.notice"), ctx)).transpose()?,
            timing,
        });
    }
    if channels.len() > usize::from(u16::MAX) {
        return Err(ctx.err("channels", InputErrorKind::Invalid("at most 65535 channels".into())));
    }
    let mut org_channel = Vec::new();
    for (i, cname) in org.channels.iter().enumerate() {
        match channels.iter().position(|c| &c.name == cname) {
            Some(c) => org_channel.push(c as ChannelId),
            None => {
                let origin = &org.channel_origins[i];
                let kind = InputErrorKind::UnknownName {
                    what: "channel",
                    name: cname.clone(),
                    known: channels.iter().map(|c| c.name.clone()).collect(),
                };
                let mut e = InputError::new(&origin.file, kind);
                e.line = origin.line;
                e.key = origin.key.clone().or_else(|| Some("channel".into()));
                if let Place::Listed(_, v) | Place::SweepPoint(v) = &ctx.place {
                    e.variant = Some(v.clone());
                }
                if e.line.is_none() {
                    return Err(ctx.locate(e));
                }
                return Err(e);
            }
        }
    }

    if org.roles.len() > usize::from(u16::MAX) {
        return Err(ctx.err(
            "organisation",
            InputErrorKind::Invalid(format!("at most 65535 distinct roles, the organisation has {}", org.roles.len())),
        ));
    }
    let mut roles = Vec::new();
    for rname in &org.roles {
        let role = match raw.roles.get(rname) {
            Some(r) => {
                let key = format!("roles.{rname}");
                Role {
                    name: rname.clone(),
                    notice: prob(r.notice.unwrap_or(1.0), &format!("{key}.notice"), ctx)?,
                    processing: match &r.processing {
                        Some(d) => dist(d, &format!("{key}.processing"), ctx)?,
                        None => Dist::Fixed { value: 0.0 },
                    },
                    window: r.window.as_ref().map(|d| dist(d, &format!("{key}.window"), ctx)).transpose()?,
                    absent: super::timing::role_absent(raw, Some(r), &key, ctx)?,
                    defined: true,
                }
            }
            None => Role {
                name: rname.clone(),
                notice: 1.0,
                processing: Dist::Fixed { value: 0.0 },
                window: None,
                absent: super::timing::role_absent(raw, None, &format!("roles.{rname}"), ctx)?,
                defined: false,
            },
        };
        roles.push(role);
    }
    for (rname, _) in &raw.roles {
        if !org.roles.contains(rname) {
            return Err(ctx.err(
                &format!("roles.{rname}"),
                InputErrorKind::UnknownName { what: "role", name: rname.clone(), known: org.roles.clone() },
            ));
        }
    }

    let default_source = OneOrMany::One("community".into());
    let sources = match &raw.source {
        Some(s) => select(
            &org,
            &Selector { id: s.id.as_ref(), role: s.role.as_ref(), unit: s.unit.as_ref(), all: s.all },
            "source",
            ctx,
        )?,
        None => {
            select(&org, &Selector { id: None, role: Some(&default_source), unit: None, all: None }, "source", ctx)?
        }
    };
    let default_target = OneOrMany::One("developer".into());
    let t = raw.target.clone().unwrap_or_default();
    let no_selector = t.id.is_none() && t.role.is_none() && t.unit.is_none() && t.all.is_none();
    let target_sel = Selector {
        id: t.id.as_ref(),
        role: if no_selector { Some(&default_target) } else { t.role.as_ref() },
        unit: t.unit.as_ref(),
        all: t.all,
    };
    let target = select(&org, &target_sel, "target", ctx)?;
    let target_label = selector_label(&target_sel);
    let threshold = t.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(ctx.err(
            "target.threshold",
            InputErrorKind::Invalid(format!("must be in (0, 1], e.g. 0.8 for 80%, got {threshold}")),
        ));
    }

    let mut extra_links = Vec::new();
    if let Some(v) = listed {
        for (i, l) in v.add_links.iter().enumerate() {
            let key = format!("add_links.{i}");
            let person = |id: &str, sub: &str| {
                org.find(id).ok_or_else(|| {
                    ctx.err(
                        &format!("{key}.{sub}"),
                        InputErrorKind::UnknownName {
                            what: "person",
                            name: id.to_string(),
                            known: org.ids_for_suggestions(),
                        },
                    )
                })
            };
            let (source, target) = (person(&l.source, "source")?, person(&l.target, "target")?);
            if source == target {
                return Err(ctx.err(&key, InputErrorKind::Invalid("a link from a person to themself".into())));
            }
            extra_links.push(ExtraLink {
                source,
                target,
                channel: channel_id(&channels, &l.channel, &format!("{key}.channel"), ctx)?,
                direction: direction(l.direction.as_deref(), &format!("{key}.direction"), ctx)?,
                group: NO_LINK_GROUP,
            });
        }
    }

    let community: Vec<PersonIdx> = (0..org.len() as PersonIdx).filter(|&p| org.role_of(p) == "community").collect();
    let community_manager = match &raw.community_manager {
        None => None,
        Some(cm) => {
            let key = "community_manager";
            let who = match (&cm.id, &cm.role, &cm.unit) {
                (Some(id), None, None) => select(
                    &org,
                    &Selector { id: Some(&OneOrMany::One(id.clone())), role: None, unit: None, all: None },
                    key,
                    ctx,
                )?,
                (None, None, None) => select(
                    &org,
                    &Selector {
                        id: None,
                        role: Some(&OneOrMany::One("community_manager".into())),
                        unit: None,
                        all: None,
                    },
                    key,
                    ctx,
                )?,
                (None, r, u) => {
                    select(&org, &Selector { id: None, role: r.as_ref(), unit: u.as_ref(), all: None }, key, ctx)?
                }
                _ => {
                    return Err(ctx.err(key, InputErrorKind::Invalid("give either `id` or `role`/`unit`".into())));
                }
            };
            if who.len() != 1 {
                return Err(ctx.err(
                    key,
                    InputErrorKind::Invalid(format!("must select exactly one person, selects {}", who.len())),
                ));
            }
            let person = who[0];
            if let Some(ch) = &cm.watch_channel {
                let ch = channel_id(&channels, ch, &format!("{key}.watch_channel"), ctx)?;
                if community.is_empty() {
                    return Err(ctx.err(
                        &format!("{key}.watch_channel"),
                        InputErrorKind::EmptySelection("no person has role \"community\"".into()),
                    ));
                }
                for &c in &community {
                    extra_links.push(ExtraLink {
                        source: c,
                        target: person,
                        channel: ch,
                        direction: Direction::Both,
                        group: NO_LINK_GROUP,
                    });
                }
            }
            for (i, r) in cm.reach.iter().enumerate() {
                let rkey = format!("{key}.reach.{i}");
                let ch = channel_id(&channels, &r.channel, &format!("{rkey}.channel"), ctx)?;
                let people = select(
                    &org,
                    &Selector { id: r.id.as_ref(), role: r.role.as_ref(), unit: r.unit.as_ref(), all: r.all },
                    &rkey,
                    ctx,
                )?;
                for p in people.into_iter().filter(|&p| p != person) {
                    extra_links.push(ExtraLink {
                        source: person,
                        target: p,
                        channel: ch,
                        direction: Direction::Both,
                        group: NO_LINK_GROUP,
                    });
                }
            }
            let mandate = cm.mandate.unwrap_or(false);
            let eff = cm.mandate_effect.clone();
            let ekey = format!("{key}.mandate_effect");
            let notice = prob(eff.as_ref().and_then(|e| e.notice).unwrap_or(0.95), &format!("{ekey}.notice"), ctx)?;
            let factor = eff.as_ref().and_then(|e| e.processing_factor).unwrap_or(0.5);
            if !(factor > 0.0 && factor <= 1.0) {
                return Err(ctx.err(
                    &format!("{ekey}.processing_factor"),
                    InputErrorKind::Invalid(format!("must be in (0, 1] (priority work is not slower), got {factor}")),
                ));
            }
            if let Some(joins) = eff.as_ref().and_then(|e| e.joins_channel.clone()) {
                let ch = channel_id(&channels, &joins, &format!("{ekey}.joins_channel"), ctx)?;
                if mandate {
                    let mut members: Vec<PersonIdx> = org
                        .links
                        .iter()
                        .filter(|l| org_channel[l.channel as usize] == ch)
                        .flat_map(|l| [l.source, l.target])
                        .filter(|&p| p != person)
                        .collect();
                    members.sort_unstable();
                    members.dedup();
                    for p in members {
                        extra_links.push(ExtraLink {
                            source: person,
                            target: p,
                            channel: ch,
                            direction: Direction::Both,
                            // The manager sits in p's meeting (scheduled channels).
                            group: super::timing::meeting_group_of(&org, &org_channel, ch, p),
                        });
                    }
                }
            }
            Some(CommunityManager { person, mandate, effect: MandateEffect { notice, processing_factor: factor } })
        }
    };

    let involvement = match &raw.involvement {
        None => None,
        Some(inv) => {
            let key = "involvement";
            let fraction = prob(inv.fraction, &format!("{key}.fraction"), ctx)?;
            let no_sel = inv.id.is_none() && inv.role.is_none() && inv.unit.is_none() && inv.all.is_none();
            let sel = Selector {
                id: inv.id.as_ref(),
                role: if no_sel { Some(&default_target) } else { inv.role.as_ref() },
                unit: inv.unit.as_ref(),
                all: inv.all,
            };
            let group = select(&org, &sel, key, ctx)?;
            let channel = channel_id(
                &channels,
                inv.channel.as_deref().unwrap_or("community_feed"),
                &format!("{key}.channel"),
                ctx,
            )?;
            if community.is_empty() {
                return Err(ctx.err(key, InputErrorKind::EmptySelection("no person has role \"community\"".into())));
            }
            let direction =
                direction(Some(inv.direction.as_deref().unwrap_or("forward")), &format!("{key}.direction"), ctx)?;
            Some(Involvement { fraction, group, community: community.clone(), channel, direction })
        }
    };

    let calendar = super::calendars::calendar_setup(raw, &org, ctx)?;
    Ok(Variant {
        name: name.to_string(),
        description: listed.and_then(|v| v.description.clone()).or_else(|| {
            if listed.is_none() && matches!(ctx.place, Place::Baseline) { raw.description.clone() } else { None }
        }),
        org,
        channels,
        org_channel,
        roles,
        extra_links,
        sources,
        target,
        target_label,
        threshold,
        community_manager,
        involvement,
        calendar,
    })
}
