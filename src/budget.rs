//! Memory estimates, checked before allocating: a run that would not fit is refused at once (exit
//! status 2, naming the keys that drive the estimate) instead of aborting after minutes.
//!
//! The estimates are upper bounds by design (a few bytes per person, link, replication and curve
//! cell, from the sizes of the structures that hold them) and are compared with a limit: the
//! `--max-memory` flag, or [`default_max_memory`], a share of the machine's memory.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::scenario::Scenario;

/// Bytes per person of an organisation in memory: the id, the interned indices, the id index and
/// the compiled model's per-person arrays.
pub const BYTES_PER_PERSON: u64 = 160;
/// Bytes per link: the link as read, the generator's de-duplication set and the compiled model's
/// arcs in both directions.
pub const BYTES_PER_LINK: u64 = 64;
/// Bytes per replication and variant kept for the results (`T` per replication).
pub const BYTES_PER_RESULT: u64 = 16;
/// Bytes per replication while a variant runs and is summarised (replication index and `T`,
/// sorted copies for the quantiles and the paired comparison).
pub const BYTES_PER_RUNNING_REPLICATION: u64 = 64;
/// Bytes per person of one worker thread's workspace (times, queue, touched list, bit set).
pub const WORKSPACE_BYTES_PER_PERSON: u64 = 32;
/// Replications whose curve counts a worker thread buffers before adding them to the shared
/// accumulator.
pub const CURVE_BATCH_PER_THREAD: u64 = crate::engine::CURVE_BATCH as u64;
/// The most histogram bins of the adoption curve per grid point (see `stats::CurveAccumulator`).
pub const MAX_CURVE_BINS: u64 = 1000;
/// Share of the machine's memory a run may use by default, in percent.
pub const DEFAULT_MEMORY_SHARE_PERCENT: u64 = 75;
/// The default limit when the machine's memory cannot be read (4 GiB).
pub const FALLBACK_MAX_MEMORY: u64 = 4 << 30;

/// `-j` is capped at this many threads per core: more only adds overhead (results do not depend
/// on the thread count), and thousands of threads each with their buffers exhaust the machine.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The machine's cores (1 if unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The worker threads to use for a requested `-j`: the request capped at
/// [`MAX_THREADS_PER_CORE`] × the cores, with a note for people when it was capped; all cores when
/// nothing was requested.
pub fn worker_threads(requested: Option<usize>) -> (usize, Option<String>) {
    let cores = cores();
    let cap = cores * MAX_THREADS_PER_CORE;
    match requested {
        None => (cores, None),
        Some(j) if j > cap => (
            cap,
            Some(format!(
                "note: -j {j} capped at {cap} threads ({MAX_THREADS_PER_CORE} per core, {cores} cores); results do not depend on it"
            )),
        ),
        Some(j) => (j, None),
    }
}

/// The limit set by [`set_max_memory`]; 0 = not set (use [`default_max_memory`]).
static MAX_MEMORY: AtomicU64 = AtomicU64::new(0);

/// The machine's memory in bytes (Linux: `MemTotal` of `/proc/meminfo`), if known.
pub fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The default memory limit: [`DEFAULT_MEMORY_SHARE_PERCENT`] of the machine's memory, or
/// [`FALLBACK_MAX_MEMORY`] when that is unknown.
pub fn default_max_memory() -> u64 {
    machine_memory().map_or(FALLBACK_MAX_MEMORY, |m| m / 100 * DEFAULT_MEMORY_SHARE_PERCENT)
}

/// The memory limit in force for this process: the last [`set_max_memory`], else the default.
pub fn max_memory() -> u64 {
    match MAX_MEMORY.load(Ordering::Relaxed) {
        0 => default_max_memory(),
        m => m,
    }
}

/// Sets the memory limit for this process (the `--max-memory` flag; fuzzers set a small one).
/// Loading a scenario (the generator) and starting a run check against it.
pub fn set_max_memory(bytes: u64) {
    MAX_MEMORY.store(bytes.max(1), Ordering::Relaxed);
}

/// Parses a size such as `8G`, `512M`, `64K`, `1.5G` or a plain number of bytes (binary units:
/// K = 1024). The message says what is expected.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], t[i..].to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let factor: u64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("expected a size like 8G, 512M or 1000000 (bytes), got \"{}\"", text.escape_debug())),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n * (factor as f64) < 1.8e19 => Ok((n * factor as f64) as u64),
        _ => Err(format!("expected a positive size like 8G, 512M or 1000000 (bytes), got \"{}\"", text.escape_debug())),
    }
}

/// A size in bytes for people: `1.5 GiB`, `200 MiB`, `12 KiB`, `512 bytes`.
pub fn human_bytes(bytes: u128) -> String {
    let b = bytes as f64;
    let gib = (1u64 << 30) as f64;
    if b >= gib {
        format!("{:.1} GiB", b / gib)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.0} MiB", b / (1u64 << 20) as f64)
    } else if b >= 1024.0 {
        format!("{:.0} KiB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// The estimated memory of an organisation of `people` people and `links` links (in u128, so
/// absurd generator settings cannot overflow).
pub fn organisation_bytes(people: u128, links: u128) -> u128 {
    people * u128::from(BYTES_PER_PERSON) + links * u128::from(BYTES_PER_LINK)
}

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

/// Estimates the memory of running `scenario` on `threads` worker threads.
pub fn estimate_run(scenario: &Scenario, threads: usize) -> RunEstimate {
    let variants = scenario.variants.len() as u128;
    let worlds = scenario.worlds.as_ref().map_or(1, |w| w.values.len()) as u128;
    let reps = u128::from(scenario.replications);
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
pub fn check_run(scenario: &Scenario, threads: usize, max_bytes: u64) -> Result<RunEstimate, crate::Error> {
    let e = estimate_run(scenario, threads);
    if e.total() <= u128::from(max_bytes) {
        return Ok(e);
    }
    let mut m = format!(
        "the run needs an estimated {} of memory, more than the limit of {} (--max-memory):",
        human_bytes(e.total()),
        human_bytes(u128::from(max_bytes))
    );
    let sweep = if scenario.sweep.is_some() { " and sweep points" } else { "" };
    let worlds = scenario.worlds.as_ref().map_or(String::new(), |w| format!(" × {} worlds (--worlds)", w.values.len()));
    let _ = write!(
        m,
        "\n  results: {} = `replications` (-n) {} × {} variants{sweep}{worlds}, and the adoption curve's counts \
         (`output.curve_points` {})",
        human_bytes(e.results),
        scenario.replications,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("8 MB"), Ok(8 << 20));
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("1e30").is_err());
    }

    #[test]
    fn prints_sizes_for_people() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
        assert_eq!(human_bytes(200 << 20), "200 MiB");
    }
}
