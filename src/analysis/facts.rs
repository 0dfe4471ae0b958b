//! What a study is about, as plain data for the summary and the report: names, sizes, the
//! settings of each design point and the assumptions behind them, in words and numbers. Built
//! once from the validated scenario ([`crate::study::Plan::facts`]) and stored with every
//! shard, so that merging shards needs no scenario file and the report never reads scenario
//! internals.

use serde::{Deserialize, Serialize};

/// "st", "nd", "rd" or "th" for an English ordinal.
pub fn ordinal_suffix(k: usize) -> &'static str {
    match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Everything about a study that is not an outcome of running it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Facts {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's description.
    pub description: Option<String>,
    /// The scenario file's name (without folders).
    pub file_name: String,
    /// Seed of all random draws.
    pub seed: u64,
    /// Replications per design point.
    pub replications: u64,
    /// Simulated hours; later processing counts as never.
    pub horizon_hours: f64,
    /// Points of the adoption curve's time grid.
    pub curve_points: u32,
    /// The curve's time grid ends here, in hours.
    pub curve_hours: f64,
    /// The design's points, baseline first.
    pub points: Vec<PointFacts>,
    /// The reference of the paired comparisons (`compare_to`; 0 = the baseline).
    #[serde(default)]
    pub reference: usize,
    /// The sweep, if the design has one.
    pub sweep: Option<SweepFacts>,
    /// The baseline's assumptions, for the report.
    pub assumptions: Assumptions,
    /// `[uncertain]`: the factors and the worlds of this run, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<UncertainFacts>,
    /// `[goal]`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<crate::analysis::goal::Goal>,
    /// With `[costs]`: the money rate and the value of time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<crate::analysis::costs::CostSettings>,
    /// What the command line set (`--set PATH=VALUE`, the value in TOML syntax), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_line_set: Vec<String>,
}

/// The uncertain factors of a study and the worlds it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UncertainFacts {
    /// The factors.
    pub factors: Vec<crate::design::worlds::Factor>,
    /// The worlds: their design and each world's factor values.
    pub worlds: crate::design::worlds::WorldSet,
}

impl Facts {
    /// Checks that the facts are consistent (they are read back from partial folders): at least
    /// one point, indices in range, world rows as long as the factors and as many as the design
    /// has. The message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.points.is_empty() {
            return Err("the study has no design point".into());
        }
        if self.reference >= self.points.len() {
            return Err(format!("the reference point {} does not exist", self.reference));
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !(2..=crate::engine::outcome::MAX_CURVE_POINTS).contains(&self.curve_points)
            || !positive(self.curve_hours)
            || !positive(self.horizon_hours)
        {
            return Err("the curve grid or the horizon is out of range".into());
        }
        if let Some(sw) = &self.sweep
            && sw.points.iter().any(|p| p.point >= self.points.len() || p.values.len() != sw.paths.len())
        {
            return Err("a sweep point refers to a design point that does not exist".into());
        }
        if let Some(g) = &self.goal {
            crate::analysis::goal::Goal::new(g.t_hours(), g.probability())?;
        }
        let costed = self.points.iter().filter(|p| p.cost.is_some()).count();
        if costed != 0 && (costed != self.points.len() || self.costs.is_none()) {
            return Err("some design points have a cost and others not".into());
        }
        if let Some(u) = &self.uncertain {
            let k = u.factors.len();
            if k == 0 || k > crate::design::worlds::MAX_FACTORS {
                return Err(format!("{k} uncertain factors"));
            }
            for f in &u.factors {
                f.dist.check().map_err(|m| format!("factor \"{}\": {m}", f.name))?;
            }
            let worlds = u.worlds.values.len() as u64;
            if worlds == 0
                || worlds != u.worlds.design.count(k)
                || worlds > u64::from(crate::design::worlds::MAX_WORLDS)
            {
                return Err(format!("{worlds} worlds do not match their design"));
            }
            if u.worlds.values.iter().any(|row| row.len() != k) {
                return Err("a world does not give every factor a value".into());
            }
        }
        Ok(())
    }

    /// Number of worlds (1 without `[uncertain]`: the scenario as written).
    pub fn world_count(&self) -> usize {
        self.uncertain.as_ref().map_or(1, |u| u.worlds.values.len())
    }

    /// Number of (world, design point) cells of the study.
    pub fn cells(&self) -> usize {
        self.world_count() * self.points.len()
    }
}

/// One design point as the results name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointFacts {
    /// `baseline`, a variant's name, or a sweep point's `path=value, …`.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Size of the target group.
    pub target_size: u32,
    /// How the target was selected ("role developer").
    pub target_label: String,
    /// Share of the target that must have processed the item.
    pub threshold: f64,
    /// `ceil(threshold × target_size)`: the rank of the target member whose processing is T.
    #[serde(default)]
    pub k: u32,
    /// A hash of the target's members and the threshold: points whose targets or thresholds differ
    /// are not paired.
    pub target_key: u64,
    /// What the point changes compared with the baseline, in short plain phrases (empty for the
    /// baseline or a point equal to it).
    pub changes: Vec<String>,
    /// With calendars: how to state times on the clock (`None` without calendars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockFacts>,
    /// With `[costs]`: what the point costs per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::analysis::costs::PointCost>,
}

/// How a point with calendars states times: T is elapsed clock hours since the item appeared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClockFacts {
    /// When the item appeared (RFC 3339), or `None` when it is drawn over the week.
    pub start: Option<String>,
    /// The IANA time zone the report states moments in (the scenario-wide calendar's).
    pub timezone: String,
    /// The name of that calendar, e.g. `munich`.
    pub calendar: String,
}

/// A sweep: its paths and, per grid point, the values and the design point running it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SweepFacts {
    /// The swept dotted paths.
    pub paths: Vec<String>,
    /// The grid points in grid order.
    pub points: Vec<SweepPointFacts>,
}

/// One point of a sweep grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SweepPointFacts {
    /// The value of each swept path.
    pub values: Vec<SweepValue>,
    /// Index of the design point (into [`Facts::points`]).
    pub point: usize,
}

/// A swept value: as written, and as a number where it is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SweepValue {
    /// The value as text (strings without quotes).
    pub text: String,
    /// The number, for integers and floats.
    pub number: Option<f64>,
}

/// The entry of [`Assumptions::coupling_exceptions`] for calendars that meet windows.
pub const CALENDARS_EXCEPTION: &str = "calendars";

/// The baseline's assumptions in words and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assumptions {
    /// Where the item appears: the first few ids and how many more.
    pub source: String,
    /// The community manager, if any (the first of a list).
    pub community_manager: Option<ManagerFacts>,
    /// The other community managers of a list `[[community_manager]]`, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_community_managers: Vec<ManagerFacts>,
    /// Cross-functional involvement, if any.
    pub involvement: Option<InvolvementFacts>,
    /// The organisation.
    pub organisation: OrganisationFacts,
    /// The channels.
    pub channels: Vec<ChannelFacts>,
    /// The roles.
    pub roles: Vec<RoleFacts>,
    /// The working calendars (empty without `[calendars]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<CalendarFacts>,
    /// With calendars, when the item appears in words: a fixed moment, or "a moment drawn
    /// uniformly over the week, per replication".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Defaults that act without a table in the scenario, in words.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Why an improvement can be slower in a single replication, if it can: the names of the
    /// scheduled channels over which somebody with a window sends (the window includes the wait
    /// for the next meeting), and `calendars` when calendars meet windows. Empty: monotone
    /// coupling holds (docs/model.md, "When monotone coupling holds").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupling_exceptions: Vec<String>,
}

/// The community manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ManagerFacts {
    /// Their id.
    pub id: String,
    /// "role, unit".
    pub detail: String,
    /// Whether they have a mandate in the baseline.
    pub mandate: bool,
    /// With a mandate, receivers notice their messages with at least this probability.
    pub mandate_notice: f64,
    /// With a mandate, processing takes this factor of the usual time.
    pub mandate_processing_factor: f64,
    /// Their watch and reach links, one phrase per group ("3 link(s) community_manager ↔ head
    /// over chat").
    pub reach: Vec<String>,
}

/// Cross-functional involvement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InvolvementFacts {
    /// Share of the group involved per replication.
    pub fraction: f64,
    /// Size of the group.
    pub group_size: usize,
    /// The community-feed channel.
    pub channel: String,
    /// Whether the involved also post to the community.
    pub posts: bool,
}

/// The organisation in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganisationFacts {
    /// People.
    pub people: usize,
    /// Links in the organisation (a two-way link counts once).
    pub links: usize,
    /// Where it comes from (files or the generator).
    pub origin: String,
    /// People per unit, with their roles.
    pub units: Vec<UnitFacts>,
    /// Links per channel.
    pub channel_links: Vec<ChannelLinkFacts>,
}

/// One unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnitFacts {
    /// The unit's name.
    pub name: String,
    /// Its people.
    pub people: usize,
    /// Its roles with their counts, most first.
    pub roles: Vec<(String, usize)>,
}

/// Links of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelLinkFacts {
    /// The channel.
    pub name: String,
    /// Two-way links in the organisation's files.
    pub both: usize,
    /// One-way links there.
    pub forward: usize,
    /// Links the scenario's settings add.
    pub added: usize,
}

/// One channel's behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelFacts {
    /// The channel.
    pub name: String,
    /// Its delay distribution in words.
    pub delay: String,
    /// Mean delay, hours (working hours with calendars), after the wait for a meeting on a
    /// scheduled channel.
    pub mean_delay: f64,
    /// For a channel that meets every E hours: the mean wait for the next meeting, E/2 clock
    /// hours (the meeting's moment is uniform per replication). `None` otherwise; for set
    /// times (`at`) the wait depends on when the item is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_wait_hours: Option<f64>,
    /// Probability to pass the item on over a link.
    pub transmit: f64,
    /// Notice probability that replaces the receiver's, if set.
    pub notice: Option<f64>,
    /// When messages go in words: empty for a delay per link; "one per sender", "meets every
    /// 168 h (phase drawn per replication)" or "meets Mon 10:00 on calendar munich" (the delay
    /// is then added after the occurrence).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timing: String,
}

/// One role's behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoleFacts {
    /// The role.
    pub name: String,
    /// People with it.
    pub people: usize,
    /// Notice probability.
    pub notice: f64,
    /// Processing delay in words.
    pub processing: String,
    /// Window in words ("unlimited").
    pub window: String,
    /// False when the scenario has no `[roles.NAME]` table and the defaults apply.
    pub defined: bool,
    /// Share of the role's people absent per replication (0–1; `absent`).
    #[serde(default)]
    pub absent: f64,
}

/// One working calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarFacts {
    /// The calendar's name.
    pub name: String,
    /// Its IANA time zone.
    pub timezone: String,
    /// Its working time in words ("Mon-Fri 09:00-17:00, 2 holidays (…)").
    pub working_time: String,
    /// People on it.
    pub people: usize,
}
