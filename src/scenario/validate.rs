//! Validation of one variant: raw serde structs → typed [`Variant`]. Every error names the file,
//! the line, the dotted key and (for variants) the variant.

use std::sync::Arc;

use super::context::{Ctx, Place, dist, prob};
use super::locate::line_of_key;
use super::raw::{OneOrMany, RawScenario, RawVariant};
use super::{
    Channel, ChannelId, CommunityManager, DEFAULT_THRESHOLD, ExtraLink, Involvement, MandateEffect, OrgCache, Role,
    Variant,
};
use crate::error::{InputError, InputErrorKind, num};
use crate::org::generate::{BridgeSpec, GeneratorChannels, GeneratorSpec, UnitSpec, generate};
use crate::org::{Direction, NO_LINK_GROUP, NameOrigin, Organisation, PersonIdx, load_csv};
use crate::random::dist::Dist;

/// The most people the generator makes (larger organisations are imported as CSV).
pub(super) const MAX_GENERATED_PEOPLE: u128 = 5_000_000;
/// The most pairs the generator's bridges may consider (Σ |to| × |from|, plus everybody once per
/// bridge): a few seconds of work.
pub(super) const MAX_GENERATOR_BRIDGE_WORK: u128 = 200_000_000;
/// The most links the generator makes, counting random cross-team ties.
pub(super) const MAX_GENERATED_LINKS: u128 = 50_000_000;

/// The most segments a variant's `set` path may have. The deepest key of the format has four
/// (`roles.developer.processing.shape`); the bound keeps every step after it (nested tables,
/// their deserialisation and drop) shallow, whatever the input.
pub(super) const MAX_SET_PATH_SEGMENTS: usize = 16;
/// The longest `set` path, in bytes.
pub(super) const MAX_SET_PATH_BYTES: usize = 256;

/// Splits a variant's `set` path into its segments, refusing empty segments and paths longer than
/// [`MAX_SET_PATH_BYTES`] or deeper than [`MAX_SET_PATH_SEGMENTS`]. Errors name `set.PATH`
/// (shortened when too long to print).
pub(crate) fn set_path_segments<'p>(path: &'p str, ctx: &Ctx<'_>) -> Result<Vec<&'p str>, InputError> {
    let example = "a dotted path like \"channels.chat.transmit\"";
    let too_long = path.len() > MAX_SET_PATH_BYTES;
    let segments = path.split('.').take(MAX_SET_PATH_SEGMENTS + 1).count();
    let problem = if too_long {
        Some(format!("the path has {} bytes; give {example} of at most {MAX_SET_PATH_BYTES} bytes", path.len()))
    } else if segments > MAX_SET_PATH_SEGMENTS {
        Some(format!("the path has more than {MAX_SET_PATH_SEGMENTS} segments; give {example}"))
    } else if path.split('.').any(str::is_empty) {
        Some(format!("not {example}"))
    } else {
        None
    };
    match problem {
        None => Ok(path.split('.').collect()),
        Some(m) if too_long || segments > MAX_SET_PATH_SEGMENTS => {
            // Located at the variant's `set` table: the path itself is too long to echo.
            let short: String = path.chars().take(40).collect();
            let mut e = ctx.err("set", InputErrorKind::SetPath(m));
            e.key = Some(format!("set.{short}…"));
            Err(e)
        }
        Some(m) => Err(ctx.err(&format!("set.{path}"), InputErrorKind::SetPath(m))),
    }
}

/// The role of the community node(s): where an item appears by default, excluded from `all`.
pub(super) const COMMUNITY_ROLE: &str = "community";
/// The default target and involvement group: people of this role.
pub(super) const DEVELOPER_ROLE: &str = "developer";
/// The community manager's role, when `[community_manager]` names no one.
pub(super) const COMMUNITY_MANAGER_ROLE: &str = "community_manager";
/// The channel over which involved people follow the community, unless `involvement.channel`.
pub(super) const COMMUNITY_FEED_CHANNEL: &str = "community_feed";
/// `transmit` of a channel without one.
pub(super) const DEFAULT_TRANSMIT: f64 = 1.0;
/// `notice` of a role without one (and of a role without a `[roles.*]` table).
pub(super) const DEFAULT_NOTICE: f64 = 1.0;
/// `processing` of a role without one: immediate.
pub(super) const DEFAULT_PROCESSING: Dist = Dist::Fixed { value: 0.0 };
/// `community_manager.mandate` when not given.
pub(super) const DEFAULT_MANDATE: bool = false;
/// `community_manager.mandate_effect.notice` when not given.
pub(super) const DEFAULT_MANDATE_NOTICE: f64 = 0.95;
/// `community_manager.mandate_effect.processing_factor` when not given.
pub(super) const DEFAULT_MANDATE_PROCESSING_FACTOR: f64 = 0.5;
/// `direction` of an added link when not given.
pub(super) const DEFAULT_LINK_DIRECTION: &str = "both";
/// The channel of a `[[watchers]]` group's links, unless `watchers.N.channel` (the import's
/// community channel).
pub(super) const WATCH_CHANNEL: &str = "community_watch";
/// `watchers.N.direction` when not given: watchers read and write (as the import's links).
pub(super) const DEFAULT_WATCHERS_DIRECTION: &str = "both";
/// `involvement.direction` when not given: the involved only listen.
pub(super) const DEFAULT_INVOLVEMENT_DIRECTION: &str = "forward";

/// A selection of people by id, role, unit or everybody, built in one place from any section's
/// keys ([`Selector::given`]) and completed by the section's default ([`Selector::or_role`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    pub id: Option<Vec<String>>,
    pub role: Option<Vec<String>>,
    pub unit: Option<Vec<String>>,
    pub all: Option<bool>,
}

impl Selector {
    /// The selector a section's `id`, `role`, `unit` and `all` keys give.
    fn given(id: Option<&OneOrMany>, role: Option<&OneOrMany>, unit: Option<&OneOrMany>, all: Option<bool>) -> Self {
        Selector {
            id: id.map(OneOrMany::to_vec),
            role: role.map(OneOrMany::to_vec),
            unit: unit.map(OneOrMany::to_vec),
            all,
        }
    }

    /// One person by id.
    fn person(id: &str) -> Self {
        Selector { id: Some(vec![id.to_string()]), ..Selector::default() }
    }

    /// The people of one role.
    fn role(role: &str) -> Self {
        Selector { role: Some(vec![role.to_string()]), ..Selector::default() }
    }

    /// This selector, or the people of `role` when it selects by nothing.
    fn or_role(self, role: &str) -> Self {
        let nothing = self.id.is_none() && self.role.is_none() && self.unit.is_none() && self.all.is_none();
        if nothing { Selector::role(role) } else { self }
    }

    /// A short description for people: "role developer", "unit support", "everyone".
    fn label(&self) -> String {
        if self.all == Some(true) {
            return "everyone".into();
        }
        let join = |x: &Option<Vec<String>>, what: &str| x.as_ref().map(|v| format!("{what} {}", v.join(" or ")));
        let parts: Vec<String> =
            [join(&self.id, "id"), join(&self.role, "role"), join(&self.unit, "unit")].into_iter().flatten().collect();
        parts.join(", ")
    }
}

/// The people a selector picks, in organisation order. `all = true` picks everybody except the
/// community node(s); `role` and `unit` together pick their intersection.
fn select(org: &Organisation, sel: &Selector, key: &str, ctx: &Ctx<'_>) -> Result<Vec<PersonIdx>, InputError> {
    let all = sel.all.unwrap_or(false);
    let given = [sel.id.is_some(), sel.role.is_some() || sel.unit.is_some(), all];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(ctx.err(
            key,
            InputErrorKind::Invalid("select people with exactly one of `id`, `role`/`unit`, or `all = true`".into()),
        ));
    }
    if let Some(ids) = &sel.id {
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
    let names = |list: &Option<Vec<String>>,
                 known: &[String],
                 what: &'static str,
                 sub: &str|
     -> Result<Option<Vec<u32>>, InputError> {
        let Some(list) = list else { return Ok(None) };
        list.iter()
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
    let roles = names(&sel.role, &org.roles, "role", "role")?;
    let units = names(&sel.unit, &org.units, "unit", "unit")?;
    let picked: Vec<PersonIdx> = (0..org.len() as PersonIdx)
        .filter(|&p| {
            let person = &org.people[p as usize];
            if all {
                return org.role_of(p) != COMMUNITY_ROLE;
            }
            roles.as_ref().is_none_or(|r| r.contains(&person.role))
                && units.as_ref().is_none_or(|u| u.contains(&person.unit))
        })
        .collect();
    if picked.is_empty() {
        let what = [sel.role.as_ref().map(|r| format!("role {r:?}")), sel.unit.as_ref().map(|u| format!("unit {u:?}"))];
        let what: Vec<String> = what.into_iter().flatten().collect();
        return Err(ctx.err(key, InputErrorKind::EmptySelection(if all { "all".into() } else { what.join(" and ") })));
    }
    Ok(picked)
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
    let text = text.unwrap_or(DEFAULT_LINK_DIRECTION);
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

/// Refuses control characters in a name at `key` (see [`crate::error::check_name`]).
fn name(text: &str, what: &'static str, key: &str, ctx: &Ctx<'_>) -> Result<(), InputError> {
    crate::error::check_name(text, what).map_err(|k| ctx.err(key, k))
}

fn organisation(raw: &RawScenario, ctx: &Ctx<'_>, cache: &mut OrgCache) -> Result<Arc<Organisation>, InputError> {
    let o = &raw.organisation;
    if o.events.is_none() && o.replay.is_some() {
        return Err(ctx.err("organisation.replay", InputErrorKind::MissingKey("events".into())));
    }
    if let (Some(people), Some(events), None) = (&o.people, &o.events, &o.generate) {
        let key = super::replay::CacheKey {
            people: ctx.dir.join(people),
            links: o.links.as_ref().map(|l| ctx.dir.join(l)),
            events: ctx.dir.join(events),
            replay: o.replay.clone(),
        };
        if let Some((_, org)) = cache.replay.iter().find(|(k, _)| *k == key) {
            return Ok(org.clone());
        }
        let org = Arc::new(super::replay::load(&key, ctx)?);
        cache.replay.push((key, org.clone()));
        return Ok(org);
    }
    if let Some(meetings) = &o.meetings {
        let (Some(people), Some(links), None, None) = (&o.people, &o.links, &o.generate, &o.events) else {
            return Err(ctx.err(
                "organisation.meetings",
                InputErrorKind::Invalid(
                    "a meetings file extends the people and links files: give `people` and `links` with it (not `generate` or `events`)".into(),
                ),
            ));
        };
        let key = (ctx.dir.join(people), ctx.dir.join(links), ctx.dir.join(meetings));
        if let Some((_, org)) = cache.meetings.iter().find(|(k, _)| *k == key) {
            return Ok(org.clone());
        }
        let base = load_csv(&key.0, &key.1).map_err(|e| ctx.name_variant(e))?;
        let org = Arc::new(crate::org::with_meetings(base, &key.2).map_err(|e| ctx.name_variant(e))?);
        cache.meetings.push((key, org.clone()));
        return Ok(org);
    }
    match (&o.people, &o.links, &o.generate) {
        (Some(people), Some(links), None) => {
            let key = (ctx.dir.join(people), ctx.dir.join(links));
            if let Some(org) = cache.csv.get(&key) {
                return Ok(org.clone());
            }
            // A file error names the variant whose `set` named the file (the baseline's files are
            // read first, so a variant only reads files of its own).
            let org = Arc::new(load_csv(&key.0, &key.1).map_err(|e| ctx.name_variant(e))?);
            cache.csv.insert(key, org.clone());
            Ok(org)
        }
        (None, None, Some(g)) if o.events.is_none() => {
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
        (_, _, Some(_)) if o.events.is_some() => Err(ctx.err(
            "organisation.events",
            InputErrorKind::Invalid(
                "a replayed log needs the people it names: give `people` (and optionally `links`), not `generate`"
                    .into(),
            ),
        )),
        (_, _, Some(_)) => Err(ctx.err(
            "organisation",
            InputErrorKind::Invalid("give either `people` and `links` or `generate`, not both".into()),
        )),
        (None, _, None) => Err(ctx.err("organisation", InputErrorKind::MissingKey("people".into()))),
        (_, None, None) => Err(ctx.err("organisation", InputErrorKind::MissingKey("links".into()))),
    }
}

/// Defaults of `[organisation.generate]` (docs/scenario-format.md).
pub(super) mod gen_default {
    /// People in the management layer.
    pub(crate) const MANAGEMENT: u32 = 3;
    /// Role of the management layer.
    pub(crate) const MANAGEMENT_ROLE: &str = "executive";
    /// The management layer's unit (reserved: no generated unit may have this name).
    pub(crate) const MANAGEMENT_UNIT: &str = "management";
    /// The community node's unit (reserved too).
    pub(crate) const COMMUNITY_UNIT: &str = "external";
    /// Id of the community node.
    pub(crate) const COMMUNITY_ID: &str = "community";
    /// Expected cross-team ties per employee.
    pub(crate) const CROSS_TEAM_TIES: f64 = 1.0;
    /// Role of team members.
    pub(crate) const MEMBER_ROLE: &str = "member";
    /// Role of team leads.
    pub(crate) const LEAD_ROLE: &str = "team_lead";
    /// Role of a unit's head.
    pub(crate) const HEAD_ROLE: &str = "head";
    /// Channel within a team.
    pub(crate) const TEAM_CHANNEL: &str = "team_chat";
    /// Channel between a lead and each member (one-to-ones).
    pub(crate) const LEAD_CHANNEL: &str = "one_on_one";
    /// Channel between a head and the team leads.
    pub(crate) const HEADS_CHANNEL: &str = "leads_meeting";
    /// Channel within management and between heads and management.
    pub(crate) const MANAGEMENT_CHANNEL: &str = "management_meeting";
    /// Channel of the random cross-team ties.
    pub(crate) const CROSS_CHANNEL: &str = "chat";
    /// Partners per person of a bridge.
    pub(crate) const BRIDGE_PER_PERSON: u32 = 1;
}

/// The generator's names (units, roles, ids, channels) end up in reports: no control characters.
fn generator_names(spec: &GeneratorSpec, ctx: &Ctx<'_>) -> Result<(), InputError> {
    let key = "organisation.generate";
    name(&spec.management_role, "the role", &format!("{key}.management_role"), ctx)?;
    if let Some(id) = &spec.community_id {
        name(id, "the person id", &format!("{key}.community_id"), ctx)?;
    }
    for (i, u) in spec.units.iter().enumerate() {
        let ukey = format!("{key}.units.{i}");
        name(&u.name, "the unit", &format!("{ukey}.name"), ctx)?;
        for (role, sub) in [(&u.member_role, "member_role"), (&u.lead_role, "lead_role"), (&u.head_role, "head_role")] {
            name(role, "the role", &format!("{ukey}.{sub}"), ctx)?;
        }
        for (role, _) in &u.specialists {
            name(role, "the role", &format!("{ukey}.specialists"), ctx)?;
        }
        if let Some(c) = &u.coordination_channel {
            name(c, "the channel name", &format!("{ukey}.coordination_channel"), ctx)?;
        }
    }
    let c = &spec.channels;
    for (ch, sub) in
        [(&c.team, "team"), (&c.lead, "lead"), (&c.heads, "heads"), (&c.management, "management"), (&c.cross, "cross")]
    {
        name(ch, "the channel name", &format!("{key}.channels.{sub}"), ctx)?;
    }
    for (i, br) in spec.bridges.iter().enumerate() {
        name(&br.channel, "the channel name", &format!("{key}.bridges.{i}.channel"), ctx)?;
    }
    Ok(())
}

fn generator_spec(g: &super::raw::RawGenerate, ctx: &Ctx<'_>) -> Result<GeneratorSpec, InputError> {
    let key = "organisation.generate";
    let ties = g.cross_team_ties.unwrap_or(gen_default::CROSS_TEAM_TIES);
    if !(ties.is_finite() && ties >= 0.0) {
        return Err(ctx.err(
            &format!("{key}.cross_team_ties"),
            InputErrorKind::Invalid(format!("must be a number >= 0, e.g. 1.0, got {}", num(ties))),
        ));
    }
    if g.units.is_empty() {
        return Err(ctx.err(&format!("{key}.units"), InputErrorKind::Invalid("give at least one unit".into())));
    }
    let mut units = Vec::new();
    for (i, u) in g.units.iter().enumerate() {
        if u.name.trim().is_empty()
            || units.iter().any(|x: &UnitSpec| x.name == u.name)
            || u.name == gen_default::MANAGEMENT_UNIT
            || u.name == gen_default::COMMUNITY_UNIT
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
            member_role: u.member_role.clone().unwrap_or_else(|| gen_default::MEMBER_ROLE.into()),
            lead_role: u.lead_role.clone().unwrap_or_else(|| gen_default::LEAD_ROLE.into()),
            head_role: u.head_role.clone().unwrap_or_else(|| gen_default::HEAD_ROLE.into()),
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
        management: g.management.unwrap_or(gen_default::MANAGEMENT),
        management_role: g.management_role.clone().unwrap_or_else(|| gen_default::MANAGEMENT_ROLE.into()),
        cross_team_ties: ties,
        community_id: if g.community.unwrap_or(true) {
            Some(g.community_id.clone().unwrap_or_else(|| gen_default::COMMUNITY_ID.into()))
        } else {
            None
        },
        units,
        channels: GeneratorChannels {
            team: c.team.unwrap_or_else(|| gen_default::TEAM_CHANNEL.into()),
            lead: c.lead.unwrap_or_else(|| gen_default::LEAD_CHANNEL.into()),
            heads: c.heads.unwrap_or_else(|| gen_default::HEADS_CHANNEL.into()),
            management: c.management.unwrap_or_else(|| gen_default::MANAGEMENT_CHANNEL.into()),
            cross: c.cross.unwrap_or_else(|| gen_default::CROSS_CHANNEL.into()),
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
                per_person: br.per_person.unwrap_or(gen_default::BRIDGE_PER_PERSON),
            })
            .collect(),
    };
    generator_names(&spec, ctx)?;
    let unit_names: Vec<String> = std::iter::once(gen_default::MANAGEMENT_UNIT.to_string())
        .chain(spec.units.iter().map(|u| u.name.clone()))
        .collect();
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
    // Each bridge scans everybody once and ranks its whole `from` side for every person on its
    // `to` side: bounded up front, so no setting makes the generator run for hours.
    let work: u128 = spec
        .bridges
        .iter()
        .map(|b| {
            spec.expected_people()
                + spec.expected_group(&b.to_unit, b.to_role.as_deref())
                    * spec.expected_group(&b.from_unit, b.from_role.as_deref())
        })
        .sum();
    if work > MAX_GENERATOR_BRIDGE_WORK {
        return Err(ctx.err(
            &format!("{key}.bridges"),
            InputErrorKind::Invalid(format!(
                "the bridges pair up {work} people (the size of each bridge's `to` side times its `from` side, plus everybody once per bridge), more than the generator's {MAX_GENERATOR_BRIDGE_WORK}; narrow them with from_role/to_role or import the organisation as CSV"
            )),
        ));
    }
    // Bridges add at most per_person links per person of the organisation; random ties at most
    // one per pair of employees.
    let bridge_links: u128 = spec.bridges.iter().map(|b| u128::from(b.per_person) * spec.expected_people()).sum();
    let employees = spec.expected_people() - u128::from(spec.community_id.is_some());
    let ties_wanted = (ties * employees as f64 / 2.0).round();
    let tie_links = if ties_wanted >= 1e30 { u128::MAX / 4 } else { ties_wanted as u128 }
        .min(employees * employees.saturating_sub(1) / 2);
    let links = spec.expected_structural_links() + bridge_links + tie_links;
    if spec.expected_people() > MAX_GENERATED_PEOPLE || links > MAX_GENERATED_LINKS {
        let driver = if spec.expected_structural_links() + bridge_links <= MAX_GENERATED_LINKS
            && spec.expected_people() <= MAX_GENERATED_PEOPLE
        {
            format!("{key}.cross_team_ties")
        } else {
            key.to_string()
        };
        return Err(ctx.err(
            &driver,
            InputErrorKind::Invalid(format!(
                "the generator is for organisations up to 5 million people and 50 million links; these settings give {} people and {links} links (team cliques grow with the square of team_size, random ties with cross_team_ties × people / 2); import larger ones as CSV",
                spec.expected_people()
            )),
        ));
    }
    let bytes = crate::engine::budget::organisation_bytes(spec.expected_people(), links);
    let limit = crate::engine::budget::max_memory();
    if bytes > u128::from(limit) {
        return Err(ctx.err(
            key,
            InputErrorKind::TooMuchMemory(format!(
                "the generated organisation ({} people, {links} links) needs an estimated {} of memory, more than the limit of {} (--max-memory); lower teams, team_size, bridges' per_person or cross_team_ties",
                spec.expected_people(),
                crate::engine::budget::human_bytes(bytes),
                crate::engine::budget::human_bytes(u128::from(limit))
            )),
        ));
    }
    Ok(spec)
}

/// Validates one variant (the baseline when `listed` is `None` and the place is the baseline):
/// one step per section of the scenario, in the order their errors are reported.
pub(crate) fn variant(
    raw: &RawScenario,
    name: &str,
    listed: Option<&RawVariant>,
    ctx: &Ctx<'_>,
    cache: &mut OrgCache,
) -> Result<Variant, InputError> {
    names(raw, name, listed, ctx)?;
    let org = added_people(organisation(raw, ctx, cache)?, listed, ctx)?;
    let mut channels = channels(raw, ctx)?;
    super::replay::add_channel(&org, raw, &mut channels, ctx)?;
    let org_channel = org_channels(&org, &channels, ctx)?;
    let roles = roles(raw, &org, ctx)?;
    let sources = source(raw, &org, ctx)?;
    let target = target(raw, &org, ctx)?;
    let mut extra_links = added_links(listed, &org, &channels, ctx)?;
    let community: Vec<PersonIdx> = (0..org.len() as PersonIdx).filter(|&p| org.role_of(p) == COMMUNITY_ROLE).collect();
    let community_managers = community_managers(raw, &org, &channels, &org_channel, &community, ctx, &mut extra_links)?;
    let priority_senders = community_managers.iter().filter(|c| c.mandate).map(|c| c.person).collect();
    let involvement = involvement(raw, &org, &channels, &community, ctx)?;
    let watchers = watchers(raw, &org, &channels, &community, involvement.as_ref(), ctx)?;
    let calendar = super::calendars::calendar_setup(raw, &org, ctx)?;
    if org.replay.is_some() && calendar.is_some() {
        return Err(ctx.err(
            "calendars",
            InputErrorKind::Invalid(
                "working calendars do not combine with a replayed log yet (its messages keep their real times); remove `calendars` or `organisation.events`".into(),
            ),
        ));
    }
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
        target: target.people,
        target_label: target.label,
        threshold: target.threshold,
        community_managers,
        priority_senders,
        involvement,
        watchers,
        calendar,
    })
}

/// The names and descriptions that end up in the reports: no control characters.
fn names(raw: &RawScenario, variant_name: &str, listed: Option<&RawVariant>, ctx: &Ctx<'_>) -> Result<(), InputError> {
    let text = |t: &str, what: &'static str, key: &str| crate::error::check_text(t, what).map_err(|k| ctx.err(key, k));
    if matches!(ctx.place, Place::Baseline) {
        name(&raw.name, "the scenario name", "name", ctx)?;
        if let Some(d) = &raw.description {
            text(d, "the scenario description", "description")?;
        }
    } else {
        name(variant_name, "the variant name", "name", ctx)?;
    }
    if let Some(d) = listed.and_then(|v| v.description.as_ref()) {
        text(d, "the variant description", "description")?;
    }
    for cname in raw.channels.keys() {
        name(cname, "the channel name", &format!("channels.{cname}"), ctx)?;
    }
    Ok(())
}

/// `[channels.NAME]`: delay, transmit and notice of each channel, in file order.
fn channels(raw: &RawScenario, ctx: &Ctx<'_>) -> Result<Vec<Channel>, InputError> {
    let mut channels = Vec::new();
    for (cname, c) in &raw.channels {
        let key = format!("channels.{cname}");
        let (timing, delay) = super::timing::channel_timing(c, &key, ctx)?;
        channels.push(Channel {
            name: cname.clone(),
            delay,
            transmit: prob(c.transmit.unwrap_or(DEFAULT_TRANSMIT), &format!("{key}.transmit"), ctx)?,
            notice: c.notice.map(|n| prob(n, &format!("{key}.notice"), ctx)).transpose()?,
            timing,
        });
    }
    if channels.len() > usize::from(u16::MAX) {
        return Err(ctx.err("channels", InputErrorKind::Invalid("at most 65535 channels".into())));
    }
    Ok(channels)
}

/// The channel of each channel name the organisation's links use; an undefined one is an error
/// at the row (CSV) or key (generator) that first used it.
fn org_channels(org: &Organisation, channels: &[Channel], ctx: &Ctx<'_>) -> Result<Vec<ChannelId>, InputError> {
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
    Ok(org_channel)
}

/// `[roles.NAME]`: the behaviour of every role of the organisation (defaults for roles without a
/// table); a table for a role nobody has is an error.
fn roles(raw: &RawScenario, org: &Organisation, ctx: &Ctx<'_>) -> Result<Vec<Role>, InputError> {
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
                    notice: prob(r.notice.unwrap_or(DEFAULT_NOTICE), &format!("{key}.notice"), ctx)?,
                    processing: match &r.processing {
                        Some(d) => dist(d, &format!("{key}.processing"), ctx)?,
                        None => DEFAULT_PROCESSING,
                    },
                    window: r.window.as_ref().map(|d| dist(d, &format!("{key}.window"), ctx)).transpose()?,
                    absent: super::timing::role_absent(raw, Some(r), &key, ctx)?,
                    defined: true,
                }
            }
            None => Role {
                name: rname.clone(),
                notice: DEFAULT_NOTICE,
                processing: DEFAULT_PROCESSING,
                window: None,
                absent: super::timing::role_absent(raw, None, &format!("roles.{rname}"), ctx)?,
                defined: false,
            },
        };
        roles.push(role);
    }
    // A role only a variant's added people have is known too (the baseline has nobody of it).
    let added = |r: &str| raw.variants.iter().flat_map(|v| &v.add_people).any(|p| p.role.trim() == r);
    for (rname, _) in &raw.roles {
        if !org.roles.contains(rname) && !added(rname) {
            return Err(ctx.err(
                &format!("roles.{rname}"),
                InputErrorKind::UnknownName { what: "role", name: rname.clone(), known: org.roles.clone() },
            ));
        }
    }
    Ok(roles)
}

/// `[source]`: where the item appears (by default the community node).
fn source(raw: &RawScenario, org: &Organisation, ctx: &Ctx<'_>) -> Result<Vec<PersonIdx>, InputError> {
    let sel = match &raw.source {
        Some(s) => Selector::given(s.id.as_ref(), s.role.as_ref(), s.unit.as_ref(), s.all),
        None => Selector::role(COMMUNITY_ROLE),
    };
    select(org, &sel, "source", ctx)
}

/// A validated `[target]`.
struct Target {
    people: Vec<PersonIdx>,
    label: String,
    threshold: f64,
}

/// `[target]`: the measured group (by default the developers) and the threshold.
fn target(raw: &RawScenario, org: &Organisation, ctx: &Ctx<'_>) -> Result<Target, InputError> {
    let t = raw.target.clone().unwrap_or_default();
    let sel = Selector::given(t.id.as_ref(), t.role.as_ref(), t.unit.as_ref(), t.all).or_role(DEVELOPER_ROLE);
    let people = select(org, &sel, "target", ctx)?;
    let threshold = t.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(ctx.err(
            "target.threshold",
            InputErrorKind::Invalid(format!("must be in (0, 1], e.g. 0.8 for 80%, got {}", num(threshold))),
        ));
    }
    Ok(Target { people, label: sel.label(), threshold })
}

/// A listed variant's `add_links`.
/// A variant's `add_people`: the organisation with them appended (a new one; without any, the
/// shared one as is).
fn added_people(
    org: Arc<Organisation>,
    listed: Option<&RawVariant>,
    ctx: &Ctx<'_>,
) -> Result<Arc<Organisation>, InputError> {
    let Some(v) = listed.filter(|v| !v.add_people.is_empty()) else { return Ok(org) };
    let mut grown = (*org).clone();
    for (i, p) in v.add_people.iter().enumerate() {
        let key = format!("add_people.{i}");
        for (text, what, sub) in
            [(&p.id, "a person id", "id"), (&p.unit, "a unit", "unit"), (&p.role, "a role", "role")]
        {
            if text.trim().is_empty() {
                return Err(ctx.err(&format!("{key}.{sub}"), InputErrorKind::EmptyValue));
            }
            name(text, what, &format!("{key}.{sub}"), ctx)?;
        }
        if let Some(s) = &p.site {
            name(s, "a site", &format!("{key}.site"), ctx)?;
        }
        if let Some(n) = &p.name {
            crate::error::check_text(n, "a person's name").map_err(|k| ctx.err(&format!("{key}.name"), k))?;
        }
        if grown.push_person(p.id.trim(), p.unit.trim(), p.role.trim(), p.name.as_deref(), p.site.as_deref()).is_none()
        {
            return Err(ctx.err(&format!("{key}.id"), InputErrorKind::DuplicatePerson(p.id.clone())));
        }
    }
    Ok(Arc::new(grown))
}

fn added_links(
    listed: Option<&RawVariant>,
    org: &Organisation,
    channels: &[Channel],
    ctx: &Ctx<'_>,
) -> Result<Vec<ExtraLink>, InputError> {
    let mut extra_links = Vec::new();
    let Some(v) = listed else { return Ok(extra_links) };
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
            return Err(ctx.err(&key, InputErrorKind::SelfLink));
        }
        extra_links.push(ExtraLink {
            source,
            target,
            channel: channel_id(channels, &l.channel, &format!("{key}.channel"), ctx)?,
            direction: direction(l.direction.as_deref(), &format!("{key}.direction"), ctx)?,
            group: NO_LINK_GROUP,
        });
    }
    Ok(extra_links)
}

/// `[community_manager]` or `[[community_manager]]`: every manager, in file order, with the
/// links their settings add to `extra_links`; one person may not be two managers.
fn community_managers(
    raw: &RawScenario,
    org: &Organisation,
    channels: &[Channel],
    org_channel: &[ChannelId],
    community: &[PersonIdx],
    ctx: &Ctx<'_>,
    extra_links: &mut Vec<ExtraLink>,
) -> Result<Vec<CommunityManager>, InputError> {
    let Some(list) = &raw.community_manager else { return Ok(Vec::new()) };
    let mut managers: Vec<CommunityManager> = Vec::new();
    for (cm, key) in list.each() {
        let m = community_manager(cm, &key, org, channels, org_channel, community, ctx, extra_links)?;
        if let Some(earlier) = managers.iter().find(|e| e.person == m.person) {
            return Err(ctx.err(
                &key,
                InputErrorKind::Invalid(format!(
                    "\"{}\" is already the community manager `{}`; each [[community_manager]] names a different person",
                    org.people[m.person as usize].id, earlier.key
                )),
            ));
        }
        managers.push(m);
    }
    Ok(managers)
}

/// One community manager (the table at `key`): who it is, the links its settings add to
/// `extra_links` (watching the community, reach, joining a channel with a mandate) and what the
/// mandate changes.
#[allow(clippy::too_many_arguments)]
fn community_manager(
    cm: &super::raw::RawCommunityManager,
    key: &str,
    org: &Organisation,
    channels: &[Channel],
    org_channel: &[ChannelId],
    community: &[PersonIdx],
    ctx: &Ctx<'_>,
    extra_links: &mut Vec<ExtraLink>,
) -> Result<CommunityManager, InputError> {
    let sel = match (&cm.id, &cm.role, &cm.unit) {
        (Some(id), None, None) => Selector::person(id),
        (None, r, u) => Selector::given(None, r.as_ref(), u.as_ref(), None).or_role(COMMUNITY_MANAGER_ROLE),
        _ => {
            return Err(ctx.err(key, InputErrorKind::Invalid("give either `id` or `role`/`unit`".into())));
        }
    };
    let who = select(org, &sel, key, ctx)?;
    if who.len() != 1 {
        return Err(
            ctx.err(key, InputErrorKind::Invalid(format!("must select exactly one person, selects {}", who.len())))
        );
    }
    let person = who[0];
    if org.role_of(person) == COMMUNITY_ROLE {
        return Err(ctx.err(
            key,
            InputErrorKind::Invalid(format!(
                "\"{}\" is the community node (role \"{COMMUNITY_ROLE}\"), not a person of the organisation; name the community manager, e.g. id = \"cm\"",
                org.people[person as usize].id
            )),
        ));
    }
    if let Some(ch) = &cm.watch_channel {
        let ch = channel_id(channels, ch, &format!("{key}.watch_channel"), ctx)?;
        if community.is_empty() {
            return Err(ctx.err(
                &format!("{key}.watch_channel"),
                InputErrorKind::EmptySelection(format!("no person has role \"{COMMUNITY_ROLE}\"")),
            ));
        }
        for &c in community {
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
        let ch = channel_id(channels, &r.channel, &format!("{rkey}.channel"), ctx)?;
        let sel = Selector::given(r.id.as_ref(), r.role.as_ref(), r.unit.as_ref(), r.all);
        let dir = direction(r.direction.as_deref(), &format!("{rkey}.direction"), ctx)?;
        for p in select(org, &sel, &rkey, ctx)?.into_iter().filter(|&p| p != person) {
            extra_links.push(ExtraLink {
                source: person,
                target: p,
                channel: ch,
                direction: dir,
                group: NO_LINK_GROUP,
            });
        }
    }
    let mandate = cm.mandate.unwrap_or(DEFAULT_MANDATE);
    let eff = cm.mandate_effect.as_ref();
    let ekey = format!("{key}.mandate_effect");
    let notice = prob(eff.and_then(|e| e.notice).unwrap_or(DEFAULT_MANDATE_NOTICE), &format!("{ekey}.notice"), ctx)?;
    let factor = eff.and_then(|e| e.processing_factor).unwrap_or(DEFAULT_MANDATE_PROCESSING_FACTOR);
    if !(factor > 0.0 && factor <= 1.0) {
        return Err(ctx.err(
            &format!("{ekey}.processing_factor"),
            InputErrorKind::Invalid(format!("must be in (0, 1] (priority work is not slower), got {}", num(factor))),
        ));
    }
    if let Some(joins) = eff.and_then(|e| e.joins_channel.as_deref()) {
        let ch = channel_id(channels, joins, &format!("{ekey}.joins_channel"), ctx)?;
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
                    group: super::timing::meeting_group_of(org, org_channel, ch, p),
                });
            }
        }
    }
    Ok(CommunityManager {
        person,
        mandate,
        effect: MandateEffect { notice, processing_factor: factor },
        key: key.to_string(),
    })
}

/// `[[watchers]]`: per group, a nested random share watches the community node(s) over
/// `channel` (default `community_watch`, both ways by default). A person may be in two groups
/// (or in a group and involvement) only on different channels: one link cannot have two gates.
fn watchers(
    raw: &RawScenario,
    org: &Organisation,
    channels: &[Channel],
    community: &[PersonIdx],
    involvement: Option<&Involvement>,
    ctx: &Ctx<'_>,
) -> Result<Vec<crate::model::Watchers>, InputError> {
    let mut out: Vec<crate::model::Watchers> = Vec::new();
    for (i, w) in raw.watchers.iter().enumerate() {
        let key = format!("watchers.{i}");
        let share = prob(w.share, &format!("{key}.share"), ctx)?;
        let sel = Selector::given(w.id.as_ref(), w.role.as_ref(), w.unit.as_ref(), w.all);
        let group = select(org, &sel, &key, ctx)?;
        let channel =
            channel_id(channels, w.channel.as_deref().unwrap_or(WATCH_CHANNEL), &format!("{key}.channel"), ctx)?;
        if community.is_empty() {
            return Err(
                ctx.err(&key, InputErrorKind::EmptySelection(format!("no person has role \"{COMMUNITY_ROLE}\"")))
            );
        }
        let direction = direction(
            Some(w.direction.as_deref().unwrap_or(DEFAULT_WATCHERS_DIRECTION)),
            &format!("{key}.direction"),
            ctx,
        )?;
        let earlier = out
            .iter()
            .enumerate()
            .map(|(j, e)| (format!("watchers.{j}"), e.channel, &e.group))
            .chain(involvement.map(|inv| ("involvement".to_string(), inv.channel, &inv.group)));
        for (other, ch, people) in earlier {
            if let Some(p) = group.iter().find(|p| ch == channel && people.contains(p)) {
                return Err(ctx.err(
                    &format!("{key}.channel"),
                    InputErrorKind::Invalid(format!(
                        "\"{}\" is also in `{other}` on the channel \"{}\": one link cannot be drawn by two shares; give this group another channel, e.g. channel = \"community_watch_2\" with its [channels.community_watch_2]",
                        org.people[*p as usize].id, channels[channel as usize].name
                    )),
                ));
            }
        }
        out.push(crate::model::Watchers { share, group, community: community.to_vec(), channel, direction });
    }
    Ok(out)
}

/// `[involvement]`: a nested random share of a group (by default the developers) follows the
/// community over the community-feed channel.
fn involvement(
    raw: &RawScenario,
    org: &Organisation,
    channels: &[Channel],
    community: &[PersonIdx],
    ctx: &Ctx<'_>,
) -> Result<Option<Involvement>, InputError> {
    let Some(inv) = &raw.involvement else { return Ok(None) };
    let key = "involvement";
    let fraction = prob(inv.fraction, &format!("{key}.fraction"), ctx)?;
    let sel = Selector::given(inv.id.as_ref(), inv.role.as_ref(), inv.unit.as_ref(), inv.all).or_role(DEVELOPER_ROLE);
    let group = select(org, &sel, key, ctx)?;
    let channel =
        channel_id(channels, inv.channel.as_deref().unwrap_or(COMMUNITY_FEED_CHANNEL), &format!("{key}.channel"), ctx)?;
    if community.is_empty() {
        return Err(ctx.err(key, InputErrorKind::EmptySelection(format!("no person has role \"{COMMUNITY_ROLE}\""))));
    }
    let direction = direction(
        Some(inv.direction.as_deref().unwrap_or(DEFAULT_INVOLVEMENT_DIRECTION)),
        &format!("{key}.direction"),
        ctx,
    )?;
    Ok(Some(Involvement { fraction, group, community: community.to_vec(), channel, direction }))
}
