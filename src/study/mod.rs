//! Running a study: the design's points × replications, or one shard of that work, into raw
//! [`PointOutcome`]s. Models are compiled once per distinct structure and patched with each
//! point's parameters.
//!
//! The work of a study is the list of (point, replication) pairs in order — point 0's
//! replications `0..R`, then point 1's, … — and shard `I/N` runs the `I`-th of `N` contiguous
//! slices of it. Every replication draws from the same streams whichever shard runs it, so the
//! shards' outcomes merge into exactly the outcome of one run.

pub mod calibrate;
mod compile;
pub mod discover;
pub mod memory;
pub mod optimise;
pub mod plan;
pub(crate) mod shard;

pub use compile::{Compiler, point_model, world_model};
pub use plan::{Plan, PlanOptions, WorldChoice};

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::analysis::results::{Summariser, SummaryError};
use crate::engine::outcome::{
    CurveGrid, LinkName, NamedAttribution, PersonName, PointOutcome, SOURCE_CHANNEL, TIME_BINS,
};
use crate::engine::{ModelRun, run_model};
use crate::error::Error;
use crate::model::Model;
use crate::random::rng::{fmix64, identity_key};
use crate::scenario::Variant;

/// The most shards a study may be split into.
pub const MAX_SHARDS: u32 = 100_000;

/// One slice of a study's work: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1 to `count`.
    pub index: u32,
    /// Into how many slices the work is split.
    pub count: u32,
}

impl Shard {
    /// The whole study as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `I/N` (e.g. `3/8`): 1 ≤ I ≤ N ≤ [`MAX_SHARDS`].
    pub fn parse(text: &str) -> Result<Shard, String> {
        let expected = "expected I/N with 1 ≤ I ≤ N, e.g. --shard 3/8 for the third of eight shards";
        let (i, n) = text.split_once('/').ok_or_else(|| format!("\"{text}\": {expected}"))?;
        let (Ok(index), Ok(count)) = (i.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
            return Err(format!("\"{text}\": {expected}"));
        };
        if index == 0 || index > count {
            return Err(format!("\"{text}\": {expected}"));
        }
        if count > MAX_SHARDS {
            return Err(format!("\"{text}\": at most {MAX_SHARDS} shards"));
        }
        Ok(Shard { index, count })
    }

    /// This shard's slice of `total` work items: `[⌊(I−1)·T/N⌋, ⌊I·T/N⌋)`.
    pub fn work(&self, total: u64) -> Range<u64> {
        let at = |i: u32| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The replications of each cell — (world, design point), world-major: cell `c` is point
/// `c % points` of world `c / points` — that fall into `work` (a range of work items), as
/// (cell, replications) in order; cells outside are left out.
pub fn point_ranges(points: usize, replications: u64, work: &Range<u64>) -> Vec<(usize, Range<u64>)> {
    (0..points)
        .filter_map(|p| {
            let start = p as u64 * replications;
            let end = start + replications;
            let (lo, hi) = (work.start.max(start), work.end.min(end));
            (lo < hi).then(|| (p, (lo - start)..(hi - start)))
        })
        .collect()
}

/// Runs the plan's shard of its study on the current rayon pool and hands the outcome of each
/// point it touches to `each`, in design order, as soon as it is complete. `progress` is called
/// once per finished replication.
pub fn run_each(
    plan: &Plan<'_>,
    progress: &(dyn Fn() + Sync),
    each: &mut dyn FnMut(PointOutcome) -> Result<(), Error>,
) -> Result<(), Error> {
    run_work(plan, plan.work(), progress, each)
}

/// Runs the work items `work` of the plan's study (see [`run_each`]).
fn run_work(
    plan: &Plan<'_>,
    work: Range<u64>,
    progress: &(dyn Fn() + Sync),
    each: &mut dyn FnMut(PointOutcome) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut compiler = Compiler::new(plan.scenario());
    run_work_with(plan, &mut compiler, work, progress, each)
}

/// [`run_work`] with a compiler that keeps its cache across calls.
fn run_work_with(
    plan: &Plan<'_>,
    compiler: &mut Compiler<'_>,
    work: Range<u64>,
    progress: &(dyn Fn() + Sync),
    each: &mut dyn FnMut(PointOutcome) -> Result<(), Error>,
) -> Result<(), Error> {
    let scenario = plan.scenario();
    let grid = CurveGrid::new(scenario.curve_points, scenario.curve_hours);
    let points = scenario.variants.len();
    let cells = plan.world_count() * points;
    for (cell, replications) in point_ranges(cells, plan.replications(), &work) {
        let (w, p) = (cell / points, cell % points);
        let v = &scenario.variants[p];
        let mut model = compiler.point(p)?;
        let world = match plan.worlds() {
            Some(worlds) => {
                model = compiler.world(&model, p, &worlds.values[w])?;
                Some(w as u32)
            }
            None => None,
        };
        let run = run_model(&model, plan.seed(), replications, &grid, progress);
        // Across worlds, and in large sweeps, the per-person times are not kept: a histogram per
        // person, point and world would cost more than the study (the picture draws the units).
        let persons = world.is_none() && points <= crate::engine::outcome::PERSON_TIMES_MAX_POINTS;
        let mut outcome = named_outcome(p, run, &model, v, persons);
        outcome.world = world;
        each(outcome)?;
    }
    Ok(())
}

/// Runs the plan's shard and returns the outcome of each point it touches, in design order.
pub fn run(plan: &Plan<'_>, progress: &(dyn Fn() + Sync)) -> Result<Vec<PointOutcome>, Error> {
    let mut outcomes = Vec::new();
    run_each(plan, progress, &mut |o| {
        outcomes.push(o);
        Ok(())
    })?;
    Ok(outcomes)
}

/// Runs the whole study of `plan` (whatever its shard) and summarises it point by point: the
/// results one `permeate run` writes, with the plan's [`Plan::facts`].
pub fn results(plan: &Plan<'_>, progress: &(dyn Fn() + Sync)) -> Result<crate::analysis::results::Results, Error> {
    let internal = |e: SummaryError| Error::Internal(format!("summarising the study: {e}"));
    let facts = plan.facts();
    let mut summary = Summariser::new(&facts);
    run_work(plan, 0..plan.total_work(), progress, &mut |o| summary.add(&o).map_err(internal))?;
    summary.finish().map_err(internal)
}

/// Like [`results`], run in slices of at most `chunk` work items (replications of one point),
/// with `stop` asked before each slice: `Ok(None)` when it said stop. The slices append into the
/// same outcomes one whole run gives (replications draw from the same streams whichever slice
/// runs them), so the results are the same bytes.
pub fn results_until(
    plan: &Plan<'_>,
    chunk: u64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<crate::analysis::results::Results>, Error> {
    let internal = |e: SummaryError| Error::Internal(format!("summarising the study: {e}"));
    let facts = plan.facts();
    let mut summary = Summariser::new(&facts);
    let mut compiler = Compiler::new(plan.scenario());
    let mut pending: Option<PointOutcome> = None;
    let total = plan.total_work();
    let mut start = 0;
    while start < total {
        if stop() {
            return Ok(None);
        }
        let end = (start + chunk.max(1)).min(total);
        run_work_with(plan, &mut compiler, start..end, &|| {}, &mut |o| {
            match &mut pending {
                Some(p) => p.append(&o).map_err(|e| Error::Internal(format!("joining slices of the study: {e}")))?,
                None => pending = Some(o),
            }
            if pending.as_ref().is_some_and(|p| p.end_replication() == plan.replications()) {
                summary.add(&pending.take().expect("checked")).map_err(internal)?;
            }
            Ok(())
        })?;
        start = end;
    }
    summary.finish().map_err(internal).map(Some)
}

/// Like [`results_until`], with the outcomes of some cells — (world, design point), world-major
/// as in [`point_ranges`] — already known: `known(cell)` gives a cell's whole outcome (all the
/// plan's replications) from an earlier run with the same seed, replications and worlds, and
/// that cell is not run again; every cell that is run is handed to `keep` when complete. Each
/// cell runs in slices of at most `chunk` replications, `stop` asked before each slice. Since
/// every replication draws from its own stream, a known cell's outcome is the one this plan
/// would compute, and the results are the same bytes as [`results`] gives.
pub fn results_until_known(
    plan: &Plan<'_>,
    chunk: u64,
    stop: &(dyn Fn() -> bool + Sync),
    known: &dyn Fn(usize) -> Option<Arc<PointOutcome>>,
    keep: &mut dyn FnMut(usize, &PointOutcome),
) -> Result<Option<crate::analysis::results::Results>, Error> {
    let internal = |e: SummaryError| Error::Internal(format!("summarising the study: {e}"));
    let facts = plan.facts();
    let mut summary = Summariser::new(&facts);
    let mut compiler = Compiler::new(plan.scenario());
    let replications = plan.replications();
    let cells = plan.world_count() * plan.scenario().variants.len();
    for cell in 0..cells {
        if let Some(o) = known(cell) {
            summary.add(&o).map_err(internal)?;
            continue;
        }
        let mut pending: Option<PointOutcome> = None;
        let (mut start, end) = (cell as u64 * replications, (cell as u64 + 1) * replications);
        while start < end {
            if stop() {
                return Ok(None);
            }
            let to = (start + chunk.max(1)).min(end);
            run_work_with(plan, &mut compiler, start..to, &|| {}, &mut |o| {
                match &mut pending {
                    Some(p) => {
                        p.append(&o).map_err(|e| Error::Internal(format!("joining slices of the study: {e}")))?
                    }
                    None => pending = Some(o),
                }
                Ok(())
            })?;
            start = to;
        }
        let outcome = pending.ok_or_else(|| Error::Internal(format!("cell {cell} of the study ran no replication")))?;
        keep(cell, &outcome);
        summary.add(&outcome).map_err(internal)?;
    }
    summary.finish().map_err(internal).map(Some)
}

/// Names the model-indexed attribution of a run by person ids, roles, units and channel names
/// (the per-person times only when `persons`).
fn named_outcome(point: usize, run: ModelRun, model: &Model, v: &Variant, persons: bool) -> PointOutcome {
    let a = &run.attribution;
    // The names of `Model::site_of`'s indices: the sites, then the calendars (the scenario's
    // resolved calendars when it has any, else the organisation's `calendar` column).
    let site_names: Vec<String> = match &v.calendar {
        Some(c) => v.org.sites.iter().chain(&c.names).cloned().collect(),
        None => v.org.site_groups(),
    };
    let person = |p: u32| PersonName {
        id: v.org.people[p as usize].id.to_string(),
        role: v.org.role_of(p).to_string(),
        unit: v.org.unit_of(p).to_string(),
        display_name: v.org.name_of(p).map(str::to_string),
        site: model.site_of(p).map(|s| site_names[s].clone()),
    };
    let channel = |c: usize| v.channels.get(c).map_or_else(|| SOURCE_CHANNEL.to_string(), |ch| ch.name.clone());
    let arcs = &model.structure.arcs;
    let mut people = BTreeMap::new();
    for (&p, &c) in &a.people {
        *people.entry(person(p)).or_default() += c;
    }
    let mut links = BTreeMap::new();
    for (&l, &c) in &a.links {
        let name = LinkName {
            source: v.org.people[model.sender_of(l) as usize].id.to_string(),
            target: v.org.people[arcs[l as usize].to as usize].id.to_string(),
            channel: channel(arcs[l as usize].channel as usize),
            source_name: v.org.name_of(model.sender_of(l)).map(str::to_string),
            target_name: v.org.name_of(arcs[l as usize].to).map(str::to_string),
        };
        *links.entry(name).or_default() += c;
    }
    let by_channel = |counts: &[u64]| {
        let mut m = BTreeMap::new();
        for (c, &n) in counts.iter().enumerate() {
            *m.entry(channel(c)).or_default() += n;
        }
        m
    };
    PointOutcome {
        point,
        world: None,
        first_replication: run.first_replication,
        t_threshold: run.t_threshold,
        curve: run.curve,
        attribution: NamedAttribution {
            reached: a.reached,
            people,
            links,
            channels: by_channel(&a.channels),
            first_heard: by_channel(&a.first_heard),
            units: named_counts(&a.units, &v.org.units),
            roles: named_counts(&a.roles, &v.org.roles),
            sites: named_counts(&a.sites, &site_names),
            unit_flows: a
                .unit_flows
                .iter()
                .map(|(&(f, t), &c)| ((v.org.units[f as usize].clone(), v.org.units[t as usize].clone()), c))
                .collect(),
            unit_times: v
                .org
                .units
                .iter()
                .zip(a.unit_times.chunks_exact(TIME_BINS))
                .filter(|(_, bins)| bins.iter().any(|&c| c > 0))
                .map(|(name, bins)| (name.clone(), bins.to_vec()))
                .collect(),
            person_times: if persons {
                a.person_times
                    .chunks_exact(TIME_BINS)
                    .enumerate()
                    .map(|(p, bins)| (person(p as u32), bins.to_vec()))
                    .collect()
            } else {
                BTreeMap::new()
            },
        },
    }
}

/// Counts by group index as counts by the group's name (groups with no count left out).
fn named_counts(counts: &[u64], names: &[String]) -> BTreeMap<String, u64> {
    counts.iter().zip(names).filter(|(c, _)| **c > 0).map(|(&c, n)| (n.clone(), c)).collect()
}

/// A fingerprint of everything a study's numbers depend on: the permeate version, the scenario
/// file's text, every organisation it uses (people and links, so changed CSV files are caught
/// wherever they are), the seed and the replication count. Shards merge only with equal
/// fingerprints. Hex, 16 digits.
pub fn fingerprint(plan: &Plan<'_>) -> String {
    let scenario = plan.scenario();
    let mut h = identity_key(&[env!("CARGO_PKG_VERSION")]);
    let mut add = |x: u64| h = fmix64(h ^ x).wrapping_add(0x9e37_79b9_7f4a_7c15);
    add(scenario.source_hash);
    add(plan.seed());
    add(plan.replications());
    add(u64::from(scenario.curve_points));
    add(scenario.curve_hours.to_bits());
    add(scenario.horizon_hours.to_bits());
    for row in plan.worlds().iter().flat_map(|w| &w.values) {
        for x in row {
            add(x.to_bits());
        }
    }
    let mut seen: Vec<*const crate::org::Organisation> = Vec::new();
    for v in &scenario.variants {
        let ptr = Arc::as_ptr(&v.org);
        if seen.contains(&ptr) {
            continue;
        }
        seen.push(ptr);
        let org = &v.org;
        add(org.people.len() as u64);
        for p in &org.people {
            add(identity_key(&[&p.id, &org.units[p.unit as usize], &org.roles[p.role as usize]]));
        }
        add(org.links.len() as u64);
        for l in &org.links {
            let both = matches!(l.direction, crate::org::Direction::Both);
            add(identity_key(&[
                &org.people[l.source as usize].id,
                &org.people[l.target as usize].id,
                &org.channels[l.channel as usize],
                if both { "both" } else { "forward" },
            ]));
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_work_exactly_once() {
        for total in [0u64, 1, 5, 7, 1000, 1001] {
            for n in [1u32, 2, 3, 7, 13] {
                let mut next = 0;
                for i in 1..=n {
                    let w = Shard { index: i, count: n }.work(total);
                    assert_eq!(w.start, next, "total {total}, shard {i}/{n}");
                    next = w.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn point_ranges_split_work_by_point() {
        assert_eq!(point_ranges(3, 10, &(5..25)), vec![(0, 5..10), (1, 0..10), (2, 0..5)]);
        assert_eq!(point_ranges(3, 10, &(10..20)), vec![(1, 0..10)]);
        assert!(point_ranges(3, 10, &(30..30)).is_empty());
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 3, count: 8 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/3", "1/200000"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
