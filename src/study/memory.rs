//! The memory a run of a scenario will need, estimated before anything is allocated, and the
//! refusal (exit 2) of a run that would exceed the limit (`--max-memory`). The sizes per person,
//! link and replication are in [`crate::engine::budget`].

use std::fmt::Write as _;

use super::Plan;
use crate::engine::budget::{
    BYTES_PER_LINK_WEIGHT, BYTES_PER_RESULT, BYTES_PER_RUNNING_REPLICATION, CURVE_BATCH_PER_THREAD, MAX_CURVE_BINS,
    WORKSPACE_BYTES_PER_PERSON, human_bytes, organisation_bytes,
};

/// The estimated memory of a run, by what drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEstimate {
    /// The organisations of all variants (each distinct organisation once).
    pub organisations: u128,
    /// The results: replications × variants (and sweep points).
    pub results: u128,
    /// One worker thread's buffers: the workspace and its adoption-curve accumulators.
    pub per_thread: u128,
    /// Worker threads.
    pub threads: u128,
}

impl RunEstimate {
    /// The whole estimate in bytes.
    pub fn total(&self) -> u128 {
        self.organisations + self.results + self.per_thread * self.threads
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
    for v in &scenario.variants {
        let ptr = std::sync::Arc::as_ptr(&v.org);
        let people = v.org.len() as u128;
        let links = (v.org.links.len() + v.extra_links.len()) as u128;
        if !orgs.contains(&ptr) {
            orgs.push(ptr);
            organisations += organisation_bytes(people, links);
            if !v.org.link_weight.is_empty() {
                organisations += links * u128::from(BYTES_PER_LINK_WEIGHT);
            }
        }
        let bins = (v.target.len() as u128).clamp(1, u128::from(MAX_CURVE_BINS));
        // One shared accumulator per running point (with worlds, one per point until the last
        // world), not one per thread.
        let accumulator = points * (bins + 1) * 4 + points * 8;
        shared_curves = shared_curves.max(accumulator);
        let batch = u128::from(CURVE_BATCH_PER_THREAD) * (points + 1) * 4;
        let degree = (2 * links).min(people) * 8;
        per_thread = per_thread.max(people * u128::from(WORKSPACE_BYTES_PER_PERSON) + degree + batch);
    }
    let accumulators = if worlds > 1 { variants } else { 1 };
    RunEstimate {
        organisations,
        results: worlds * variants * reps * u128::from(BYTES_PER_RESULT)
            + reps * u128::from(BYTES_PER_RUNNING_REPLICATION)
            + accumulators * shared_curves
            + variants * points * 32,
        per_thread,
        threads: threads.max(1) as u128,
    }
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
    let _ = write!(m, "\n  organisations: {}", human_bytes(e.organisations));
    m.push_str(
        "\nlower the largest of these (fewer replications, sweep points or threads, a coarser curve), or raise --max-memory if the machine has the memory",
    );
    Err(crate::Error::TooMuchMemory(m))
}
