//! The memory a run of a scenario will need, estimated before anything is allocated, and the
//! refusal (exit 2) of a run that would exceed the limit (`--max-memory`). The sizes per person,
//! link and replication are in [`crate::engine::budget`]; the sizes of what the analysis and the
//! writers hold (the named bottleneck counts of every design point and the result files, built
//! whole in memory before they are written) are here (issue 20, defect 7).

use std::fmt::Write as _;

use super::Plan;
use crate::engine::budget::{
    BYTES_PER_LINK_WEIGHT, BYTES_PER_RESULT, BYTES_PER_RUNNING_REPLICATION, CURVE_BATCH_PER_THREAD, MAX_CURVE_BINS,
    WORKSPACE_BYTES_PER_PERSON, human_bytes, organisation_bytes,
};
use crate::engine::outcome::{PERSON_TIMES_MAX_PEOPLE, PERSON_TIMES_MAX_POINTS, TIME_BINS};

/// Bytes of one entry of a design point's named bottleneck counts (a person or a link on a
/// critical path): the name struct (five strings, 120 bytes), its count, the ordered map's node
/// share, and the engine's index-keyed map entry it came from, with their growth slack.
/// Measured: a 1,001-point sweep of ACME at 1,000 replications holds about 880 KB per point
/// for 300 people and 3,540 arcs, about 250 bytes an entry; 320 leaves a margin.
pub const BYTES_PER_ATTRIBUTED_ENTRY: u64 = 320;
/// Heap bytes of one string besides its characters (the allocator's header and rounding).
pub const BYTES_PER_STRING: u64 = 32;
/// Bytes of one row of `curve.csv` besides the variant's name (four numbers of up to six
/// decimals, the separators), and of the curve's copies in the charts and the report.
pub const BYTES_PER_CURVE_ROW: u64 = 48 + 32;
/// Bytes of one row of `replications.csv` besides the variant's (and world's) name.
pub const BYTES_PER_REPLICATION_ROW: u64 = 32;
/// Bytes of a design point's share of the other result files: its rows in `summary.json`,
/// `summary.md`, `summary.csv`, `sweep.csv` and the report's tables. Measured: 11.2 KB per point
/// for a 10,001-point sweep of ACME; 16 KiB leaves a margin.
pub const BYTES_PER_POINT_IN_FILES: u64 = 16 << 10;
/// Bytes of a design point's rows per world in `summary.csv`, `worlds.csv` and `summary.json`.
pub const BYTES_PER_WORLD_IN_FILES: u64 = 512;

/// The process's own memory besides the run's data: the program, the libraries, the allocator's
/// arenas and the main thread (measured: ACME's 300 people at 2,000 replications peak at
/// 15 MiB, of which the estimate's data terms are 12 MiB).
pub const BYTES_OF_PROCESS: u64 = 16 << 20;
/// Each worker thread's stack and allocator arena, as far as they are touched.
pub const BYTES_PER_THREAD_BASE: u64 = 1 << 20;

/// The estimated memory of a run, by what drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEstimate {
    /// The organisations of all variants (each distinct organisation once).
    pub organisations: u128,
    /// The results: replications × variants (and sweep points).
    pub results: u128,
    /// The named bottleneck counts of every design point (and world): at most every person and,
    /// per replication, a path of links.
    pub attribution: u128,
    /// The result files, built whole in memory before they are written.
    pub files: u128,
    /// One worker thread's buffers: the workspace and its adoption-curve accumulators.
    pub per_thread: u128,
    /// Worker threads.
    pub threads: u128,
}

impl RunEstimate {
    /// The whole estimate in bytes.
    pub fn total(&self) -> u128 {
        u128::from(BYTES_OF_PROCESS)
            + self.organisations
            + self.results
            + self.attribution
            + self.files
            + (self.per_thread + u128::from(BYTES_PER_THREAD_BASE)) * self.threads
    }
}

/// Estimates the memory of running `plan` on `threads` worker threads.
pub fn estimate_run(plan: &Plan<'_>, threads: usize) -> RunEstimate {
    let scenario = plan.scenario();
    let variants = scenario.variants.len() as u128;
    let worlds = plan.world_count() as u128;
    let reps = u128::from(plan.replications());
    let mut orgs: Vec<*const crate::org::Organisation> = Vec::new();
    let mut organisations = 0u128;
    let mut per_thread = 0u128;
    let mut shared_curves = 0u128;
    let points = u128::from(scenario.curve_points);
    let mut attribution = 0u128;
    let mut files = 0u128;
    // Per distinct organisation: the bytes of a person's and of a link's names.
    let mut name_bytes: Vec<(*const crate::org::Organisation, u128, u128)> = Vec::new();
    let string = u128::from(BYTES_PER_STRING);
    for v in &scenario.variants {
        let ptr = std::sync::Arc::as_ptr(&v.org);
        let people = v.org.len() as u128;
        let links = (v.org.links.len() + v.extra_links.len()) as u128;
        let (person_name, link_name) = match name_bytes.iter().find(|n| n.0 == ptr) {
            Some(&(_, p, l)) => (p, l),
            None => {
                let (p, l) = names_bytes(v);
                name_bytes.push((ptr, p, l));
                (p, l)
            }
        };
        // One critical path per replication (pooled over worlds), of at most
        // `path_links_budget` links and as many relaying people; links are two-way at most.
        let paths = worlds * reps * path_links_budget(people);
        let attributed_people = people.min(paths);
        let attributed_links = (2 * links).min(paths);
        let entry = u128::from(BYTES_PER_ATTRIBUTED_ENTRY);
        // Per unit its processing-time histogram, per (point, world) outcome kept and named, and
        // in each of a thread's chunks (4 per thread).
        let unit_times = v.org.units.len() as u128 * (TIME_BINS as u128 * 8 + string * 3);
        // Per person the same in small organisations: in each thread's chunks always; in the
        // outcomes kept only without worlds and in studies of few points (the per-person
        // picture), three times (the outcome, the merged counts, the results' summary).
        let person_hist = if people <= PERSON_TIMES_MAX_PEOPLE as u128 { people * TIME_BINS as u128 * 8 } else { 0 };
        let person_kept = if worlds == 1 && variants <= PERSON_TIMES_MAX_POINTS as u128 {
            3 * (person_hist + people * (5 * string + person_name))
        } else {
            0
        };
        attribution += attributed_people * (entry + 5 * string + person_name)
            + attributed_links * (entry + 5 * string + link_name)
            + worlds * unit_times
            + person_kept;
        let name = v.name.len() as u128 + string;
        files += (points + 1) * (name + u128::from(BYTES_PER_CURVE_ROW))
            + worlds * reps * (name + u128::from(BYTES_PER_REPLICATION_ROW))
            + u128::from(BYTES_PER_POINT_IN_FILES)
            + worlds * u128::from(BYTES_PER_WORLD_IN_FILES);
        if !orgs.contains(&ptr) {
            orgs.push(ptr);
            organisations += organisation_bytes(people, links);
            if !v.org.link_weight.is_empty() {
                organisations += links * u128::from(BYTES_PER_LINK_WEIGHT);
            }
            // A replayed log: per message its time and key, per pair its ids and offset, per
            // arc its pair.
            if let Some(log) = &v.org.replay {
                organisations += log.messages() as u128 * 16 + log.pairs.len() as u128 * 12 + links * 4;
            }
        }
        let bins = (v.target.len() as u128).clamp(1, u128::from(MAX_CURVE_BINS));
        // One shared accumulator per running point (with worlds, one per point until the last
        // world), not one per thread.
        let accumulator = points * (bins + 1) * 4 + points * 8;
        shared_curves = shared_curves.max(accumulator);
        let batch = u128::from(CURVE_BATCH_PER_THREAD) * (points + 1) * 4;
        let degree = (2 * links).min(people) * 8;
        per_thread = per_thread
            .max(people * u128::from(WORKSPACE_BYTES_PER_PERSON) + degree + batch + 4 * (unit_times + person_hist));
    }
    let accumulators = if worlds > 1 { variants } else { 1 };
    RunEstimate {
        organisations,
        results: worlds * variants * reps * u128::from(BYTES_PER_RESULT)
            + reps * u128::from(BYTES_PER_RUNNING_REPLICATION)
            + accumulators * shared_curves
            + variants * points * 32,
        attribution,
        files,
        per_thread,
        threads: threads.max(1) as u128,
    }
}

/// The links of one replication's critical path that the estimate budgets for, in an
/// organisation of `people` people: `4 ⌈log₂ people⌉ + 16`, at most `people − 1`. A critical path
/// follows first-passage links back from the completing target member to the source, so it is
/// as long as the organisation's hop distances — a few dozen in hierarchies and small worlds
/// (the bundled scenarios' paths: see `docs/reliability.md`). This is the estimate's one
/// assumption: an organisation that is one long chain has longer paths, and its bottleneck
/// counts can then exceed their share of the estimate (by at most its arcs × 500 bytes).
pub fn path_links_budget(people: u128) -> u128 {
    let log2 = u128::from(u128::BITS - people.max(1).leading_zeros());
    (4 * log2 + 16).min(people.saturating_sub(1)).max(1)
}

/// The mean characters of a person's names (id, role, unit, display name, site) and of a
/// link's (both ids and display names, the channel), in variant `v`'s organisation; the site is
/// counted at the longest site or calendar name.
fn names_bytes(v: &crate::scenario::Variant) -> (u128, u128) {
    let org = &v.org;
    let n = org.len().max(1) as u128;
    let site =
        org.sites.iter().chain(v.calendar.iter().flat_map(|c| c.names.iter())).map(String::len).max().unwrap_or(0)
            as u128;
    let mut ids = 0u128;
    let mut others = 0u128;
    for p in 0..org.len() as u32 {
        ids += org.people[p as usize].id.len() as u128 + org.name_of(p).map_or(0, str::len) as u128;
        others += (org.role_of(p).len() + org.unit_of(p).len()) as u128;
    }
    let channel = v.channels.iter().map(|c| c.name.len()).max().unwrap_or(0).max(16) as u128;
    let person = (ids + others) / n + 1 + site;
    let link = 2 * (ids / n + 1) + channel;
    (person, link)
}

/// Refuses a run whose estimate exceeds `max_bytes`, with a message that names the estimate, the
/// keys that drive it and what to lower.
pub fn check_run(plan: &Plan<'_>, threads: usize, max_bytes: u64) -> Result<RunEstimate, crate::Error> {
    let scenario = plan.scenario();
    let e = estimate_run(plan, threads);
    if e.total() <= u128::from(max_bytes) {
        return Ok(e);
    }
    let mut m = format!(
        "the run needs an estimated {} of memory, more than the limit of {} (--max-memory):",
        human_bytes(e.total()),
        human_bytes(u128::from(max_bytes))
    );
    let sweep = if scenario.sweep.is_some() { " and sweep points" } else { "" };
    let worlds = plan.worlds().map_or(String::new(), |w| format!(" × {} worlds (--worlds)", w.values.len()));
    let _ = write!(
        m,
        "\n  results: {} = `replications` (-n) {} × {} variants{sweep}{worlds}, and the adoption curve's counts \
         (`output.curve_points` {})",
        human_bytes(e.results),
        plan.replications(),
        scenario.variants.len(),
        scenario.curve_points
    );
    let _ = write!(
        m,
        "\n  worker threads: {} = {} threads (-j) × {} (organisation size and `output.curve_points` {})",
        human_bytes(e.per_thread * e.threads),
        e.threads,
        human_bytes(e.per_thread),
        scenario.curve_points
    );
    let _ = write!(
        m,
        "\n  bottleneck counts: {} = the people and links on critical paths of {} variants{sweep}{worlds}",
        human_bytes(e.attribution),
        scenario.variants.len()
    );
    let _ = write!(
        m,
        "\n  result files: {} = the adoption curves (`output.curve_points` {}), one row per replication and the \
         tables of every variant{sweep}",
        human_bytes(e.files),
        scenario.curve_points
    );
    let _ = write!(m, "\n  organisations: {}", human_bytes(e.organisations));
    m.push_str(
        "\nlower the largest of these (fewer replications, sweep points or threads, a coarser curve), or raise --max-memory if the machine has the memory",
    );
    Err(crate::Error::TooMuchMemory(m))
}
