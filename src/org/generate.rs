//! The organisation generator (`[organisation.generate]`), for when no org chart exists yet.
//!
//! Structure: a management layer; units, each with a head, teams of members with a lead, and
//! optional specialists; random cross-team ties; the community node. The structure is a pure
//! function of the generator's settings and the scenario's seed. Documented counts (tested):
//!
//! - people = M + Σ_units (1 + teams · (1 + team_size) + specialists) + 1 (community)
//! - links = C(M, 2) + Σ_units (M + teams · (C(team_size + 1, 2) + team_size + 1) + specialists)
//!   + Σ_bridges |to| · min(per_person, |from|) + cross-team ties
//!
//! where ties = round(cross_team_ties · employees / 2) unless the organisation is too small to
//! hold that many distinct pairs.

use std::collections::HashSet;

use super::{Direction, NameOrigin, Organisation, OrganisationBuilder, PersonIdx};
use crate::random::rng::{fmix64, identity_key};

/// Validated generator settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeneratorSpec {
    /// People in the management layer.
    pub management: u32,
    /// Role of the management layer's people.
    pub management_role: String,
    /// Expected number of cross-team ties per employee (each tie has two ends).
    pub cross_team_ties: f64,
    /// Id of the community node, if one is created.
    pub community_id: Option<String>,
    /// The units.
    pub units: Vec<UnitSpec>,
    /// Channels used for each relation.
    pub channels: GeneratorChannels,
    /// Random links between the people of two units (and roles).
    pub bridges: Vec<BridgeSpec>,
}

/// Random links from people of one unit (and role) to people of another: each person on the
/// `to` side gets `per_person` distinct partners drawn from the `from` side.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BridgeSpec {
    /// Unit of the people on the `from` side.
    pub from_unit: String,
    /// Role on the `from` side (any role of the unit if `None`).
    pub from_role: Option<String>,
    /// Unit of the people on the `to` side.
    pub to_unit: String,
    /// Role on the `to` side (any role of the unit if `None`).
    pub to_role: Option<String>,
    /// The channel of these links.
    pub channel: String,
    /// Partners per person on the `to` side (capped at the size of the `from` side).
    pub per_person: u32,
}

/// One generated unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnitSpec {
    /// Unit name, e.g. `development`.
    pub name: String,
    /// Number of teams.
    pub teams: u32,
    /// Members per team, not counting the lead.
    pub team_size: u32,
    /// Role of team members, e.g. `developer`.
    pub member_role: String,
    /// Role of team leads.
    pub lead_role: String,
    /// Role of the unit's head.
    pub head_role: String,
    /// Channel between this unit's head and its team leads (default: the `heads` channel).
    pub coordination_channel: Option<String>,
    /// Extra people reporting to the head directly: (role, count).
    pub specialists: Vec<(String, u32)>,
    /// The working calendar of the unit's people (default: the scenario's).
    pub calendar: Option<String>,
}

/// The channel of each generated relation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeneratorChannels {
    /// Among the members and lead of one team.
    pub team: String,
    /// Lead ↔ each member, and head ↔ each specialist (one-to-ones).
    pub lead: String,
    /// Head ↔ each team lead.
    pub heads: String,
    /// Within management, and heads ↔ management.
    pub management: String,
    /// Random cross-team ties.
    pub cross: String,
}

/// The meeting group of the management channel's links: management and the heads meet as one.
pub(crate) const MANAGEMENT_GROUP: &str = "management";

/// Generates the organisation. `origin` is used for error messages about unknown channels.
/// Fails (with a message for the user) when two generated people would get the same id.
pub(crate) fn generate(spec: &GeneratorSpec, seed: u64, origin: &NameOrigin) -> Result<Organisation, String> {
    let mut g = Generator { b: OrganisationBuilder::new("generated"), spec, origin, group: Vec::new(), next_group: 0 };
    g.management_and_units()?;
    g.bridges(seed);
    g.cross_team_ties(seed);
    if let Some(id) = &spec.community_id {
        g.b.add_person(id, "external", "community").ok_or_else(|| unique(id))?;
    }
    // Units' working calendars (everybody else gets the scenario's default).
    for unit in spec.units.iter().filter(|u| u.calendar.is_some()) {
        let people: Vec<PersonIdx> =
            (0..g.b.len() as PersonIdx).filter(|&p| g.b.peek().unit_of(p) == unit.name).collect();
        for p in people {
            g.b.set_person_calendar(p, unit.calendar.as_deref().unwrap_or_default());
        }
    }
    Ok(g.b.finish())
}

/// The message for two generated people with the same id.
fn unique(id: &str) -> String {
    format!("two generated people would both get the id \"{id}\"; rename a unit, role or the community id")
}

/// The generator's state while it builds an organisation.
struct Generator<'a> {
    b: OrganisationBuilder,
    spec: &'a GeneratorSpec,
    origin: &'a NameOrigin,
    /// `group[p]` = the team (or other group) of employee p, for cross-team ties.
    group: Vec<u32>,
    next_group: u32,
}

impl Generator<'_> {
    fn new_group(&mut self) -> u32 {
        self.next_group += 1;
        self.next_group - 1
    }

    /// A two-way link over channel `c`, named by the generator key `k` in errors.
    fn link(&mut self, s: PersonIdx, t: PersonIdx, c: &str, k: &str) {
        let origin = self.origin;
        self.b.add_link(s, t, c, Direction::Both, || NameOrigin {
            key: Some(format!("organisation.generate.channels.{k}")),
            ..origin.clone()
        });
    }

    /// An employee of `group`.
    fn person(&mut self, id: &str, unit: &str, role: &str, group: u32) -> Result<PersonIdx, String> {
        let p = self.b.add_person(id, unit, role).ok_or_else(|| unique(id))?;
        self.group.push(group);
        Ok(p)
    }

    /// Management (all linked with each other), then per unit its head, specialists and teams.
    fn management_and_units(&mut self) -> Result<(), String> {
        let (spec, ch) = (self.spec, &self.spec.channels);
        let mgmt_group = self.new_group();
        let mut mgmt = Vec::new();
        for i in 1..=spec.management {
            let p = self.person(&format!("management-{i}"), "management", &spec.management_role, mgmt_group)?;
            for &q in &mgmt {
                self.link(q, p, &ch.management, "management");
                self.b.set_last_link_group(MANAGEMENT_GROUP);
            }
            mgmt.push(p);
        }
        for unit in &spec.units {
            let u = &unit.name;
            let head_group = self.new_group();
            let head = self.person(&format!("{u}-head"), u, &unit.head_role, head_group)?;
            for &m in &mgmt {
                self.link(m, head, &ch.management, "management");
                self.b.set_last_link_group(MANAGEMENT_GROUP);
            }
            for (role, count) in &unit.specialists {
                for i in 1..=*count {
                    let p = self.person(&format!("{u}-{role}-{i}"), u, role, head_group)?;
                    self.link(head, p, &ch.lead, "lead");
                    self.b.set_last_link_pair_group();
                }
            }
            for t in 1..=unit.teams {
                self.team(unit, head, t)?;
            }
        }
        Ok(())
    }

    /// Team `t` of `unit`: its lead (linked to the unit's head) and members (linked with each
    /// other and to the lead).
    fn team(&mut self, unit: &UnitSpec, head: PersonIdx, t: u32) -> Result<(), String> {
        let ch = &self.spec.channels;
        let u = &unit.name;
        let g = self.new_group();
        let lead = self.person(&format!("{u}-t{t}-lead"), u, &unit.lead_role, g)?;
        match &unit.coordination_channel {
            Some(c) => {
                self.link(head, lead, c, "units.coordination_channel");
                // Meeting group: the unit's coordination (scheduled channels).
                self.b.set_last_link_group(&format!("{u}-coordination"));
            }
            None => {
                self.link(head, lead, &ch.heads, "heads");
                // Meeting group: the unit's head with its leads.
                self.b.set_last_link_group(&format!("{u}-leads"));
            }
        }
        let mut team = vec![lead];
        for m in 1..=unit.team_size {
            let p = self.person(&format!("{u}-t{t}-m{m}"), u, &unit.member_role, g)?;
            for &q in &team {
                self.link(q, p, &ch.team, "team");
                // Meeting group: the team (scheduled channels).
                self.b.set_last_link_group(&format!("{u}-t{t}"));
            }
            self.link(lead, p, &ch.lead, "lead");
            self.b.set_last_link_pair_group();
            team.push(p);
        }
        Ok(())
    }

    /// The bridges: per bridge and target person, `per_person` distinct partners from the source
    /// set, in a deterministic shuffle keyed by the bridge, the seed and the pair.
    fn bridges(&mut self, seed: u64) {
        let origin = self.origin;
        for (i, br) in self.spec.bridges.iter().enumerate() {
            let pick = |unit: &str, role: &Option<String>| -> Vec<PersonIdx> {
                (0..self.b.len() as PersonIdx)
                    .filter(|&p| {
                        let org = self.b.peek();
                        org.unit_of(p) == unit && role.as_deref().is_none_or(|r| org.role_of(p) == r)
                    })
                    .collect()
            };
            let (from, to) = (pick(&br.from_unit, &br.from_role), pick(&br.to_unit, &br.to_role));
            let per = (br.per_person as usize).min(from.len());
            for &t in &to {
                let mut order: Vec<(u64, PersonIdx)> = from
                    .iter()
                    .map(|&f| {
                        let key = identity_key(&["bridge", &i.to_string(), &seed.to_string()]);
                        (fmix64(key ^ (u64::from(t) << 32) ^ u64::from(f)), f)
                    })
                    .filter(|&(_, f)| f != t)
                    .collect();
                order.sort_unstable();
                for &(_, f) in order.iter().take(per) {
                    self.b.add_link(f, t, &br.channel, Direction::Both, || NameOrigin {
                        key: Some(format!("organisation.generate.bridges.{i}.channel")),
                        ..origin.clone()
                    });
                    self.b.set_last_link_pair_group();
                }
            }
        }
    }

    /// Cross-team ties between employees of different groups, drawn by a keyed hash of the seed
    /// and the attempt: `cross_team_ties` per employee on average, at most as many as there are
    /// pairs of employees in different groups.
    fn cross_team_ties(&mut self, seed: u64) {
        let employees = self.b.len();
        let mut group_sizes: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
        for &g in &self.group {
            *group_sizes.entry(g).or_default() += 1;
        }
        let e = employees as u64;
        let cross_pairs = e * e.saturating_sub(1) / 2 - group_sizes.values().map(|&g| g * (g - 1) / 2).sum::<u64>();
        let wanted = ((self.spec.cross_team_ties * employees as f64 / 2.0).round() as u64).min(cross_pairs) as usize;
        let mut ties: HashSet<(PersonIdx, PersonIdx)> = HashSet::new();
        let base = identity_key(&["generator", "cross_team_ties", &seed.to_string()]);
        let mut attempt = 0u64;
        while ties.len() < wanted && attempt < 50 * wanted as u64 + 1000 && employees > 1 {
            let h = fmix64(base ^ fmix64(attempt));
            attempt += 1;
            let a = ((h >> 32) % employees as u64) as PersonIdx;
            let c = ((h & 0xffff_ffff) % employees as u64) as PersonIdx;
            if self.group[a as usize] == self.group[c as usize] {
                continue;
            }
            let pair = (a.min(c), a.max(c));
            if ties.insert(pair) {
                let spec = self.spec;
                self.link(pair.0, pair.1, &spec.channels.cross, "cross");
                self.b.set_last_link_pair_group();
            }
        }
    }
}

impl GeneratorSpec {
    /// The number of people [`generate`] produces.
    /// (Computed in u128, so absurd settings cannot overflow.)
    pub(crate) fn expected_people(&self) -> u128 {
        let units: u128 = self
            .units
            .iter()
            .map(|u| {
                1 + u128::from(u.teams) * (1 + u128::from(u.team_size))
                    + u.specialists.iter().map(|s| u128::from(s.1)).sum::<u128>()
            })
            .sum();
        u128::from(self.management) + units + u128::from(self.community_id.is_some())
    }

    /// The number of people [`generate`] puts in `unit` (`management` for the management layer)
    /// with `role` (any role if `None`), in u128.
    pub(crate) fn expected_group(&self, unit: &str, role: Option<&str>) -> u128 {
        let has = |r: &str| u128::from(role.is_none_or(|x| x == r));
        if unit == "management" {
            return has(&self.management_role) * u128::from(self.management);
        }
        self.units
            .iter()
            .filter(|u| u.name == unit)
            .map(|u| {
                has(&u.head_role)
                    + has(&u.lead_role) * u128::from(u.teams)
                    + has(&u.member_role) * u128::from(u.teams) * u128::from(u.team_size)
                    + u.specialists.iter().map(|(r, c)| has(r) * u128::from(*c)).sum::<u128>()
            })
            .sum()
    }

    /// The number of structural links (without bridges and random ties), in u128: team cliques
    /// grow with the square of the team size, so this bounds the work before generating.
    pub(crate) fn expected_structural_links(&self) -> u128 {
        let m = u128::from(self.management);
        let units: u128 = self
            .units
            .iter()
            .map(|u| {
                let s = u128::from(u.team_size);
                m + u128::from(u.teams) * ((s + 1) * s / 2 + s + 1)
                    + u.specialists.iter().map(|x| u128::from(x.1)).sum::<u128>()
            })
            .sum();
        m * m.saturating_sub(1) / 2 + units
    }
}
