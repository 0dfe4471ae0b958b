//! Memory estimates, checked before allocating: a run that would not fit is refused at once (exit
//! status 2, naming the keys that drive the estimate) instead of aborting after minutes.
//!
//! The estimates are upper bounds by design (a few bytes per person, link, replication and curve
//! cell, from the sizes of the structures that hold them) and are compared with a limit: the
//! `--max-memory` flag, or [`default_max_memory`], a share of the machine's memory.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes per person of an organisation in memory (docs/performance.md, "Byte budget"): the
/// `Person` (32: the id's `String`, unit and role), the id's characters (a 32-byte heap chunk up
/// to 24 characters), the id index (a table of person indices: 6–12), the compiled model's
/// per-person arrays (26: the 16-byte record the pass reads when it processes a person —
/// identity key, first arc, role, target flag — and the CSR offset, role and unit arrays) — 102
/// in all — and the optional columns (calendar, site, display name) besides.
pub const BYTES_PER_PERSON: u64 = 160;
/// Bytes per link, two-way: the link as read (16) and its two compiled arcs (2 × 16: receiver,
/// channel, kind, identity key) — 48 that stay — and the larger of the transients that are freed
/// before the next stage: the `links.csv` row's text while the file is parsed (about 20 bytes a
/// row for short ids) and the distinct-link count's 16 bytes while the scenario is validated
/// (compiling needs nothing per arc beyond the arcs themselves).
pub const BYTES_PER_LINK: u64 = 64;
/// Extra bytes per link when links have weights (`links.csv` column `weight`): the weight as
/// read, and per compiled model each arc's weight and mapped transmit probability.
pub const BYTES_PER_LINK_WEIGHT: u64 = 40;
/// Bytes per replication and variant kept for the results (`T` per replication).
pub const BYTES_PER_RESULT: u64 = 16;
/// Bytes per replication while a variant runs and is summarised (replication index and `T`,
/// sorted copies for the quantiles and the paired comparison).
pub const BYTES_PER_RUNNING_REPLICATION: u64 = 64;
/// Bytes per person of one worker thread's workspace: the 16-byte record of best time, queue
/// position, delivering link, its channel and the person's role, the touched list (4), the
/// queue's entry (8 at most) and the processed bit — at most 28.2.
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

/// The memory limit of this process's cgroup in bytes (cgroup v2 `memory.max`, or v1
/// `memory.limit_in_bytes`: what Slurm's `--mem` and Kubernetes' limits set), if there is one.
pub fn cgroup_memory_limit() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut limits = Vec::new();
    for line in own.lines() {
        // `0::/path` (v2) or `N:memory:/path` (v1).
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let file = if controllers.is_empty() {
            format!("/sys/fs/cgroup{path}/memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
        } else {
            continue;
        };
        if let Some(n) = std::fs::read_to_string(file).ok().and_then(|t| t.trim().parse::<u64>().ok()) {
            limits.push(n);
        }
    }
    limits.into_iter().min()
}

/// The address-space limit of this process in bytes (`ulimit -v`, `RLIMIT_AS`; Linux:
/// `/proc/self/limits`), if there is one.
pub fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max address space"))?;
    // "Max address space   <soft>   <hard>   bytes"
    line.trim_start_matches("Max address space").split_whitespace().next()?.parse().ok()
}

/// Share of an address-space limit (`ulimit -v`) counted as usable memory, in percent: address
/// space is reserved well beyond what is used (thread stacks, allocator arenas).
pub const ADDRESS_SPACE_SHARE_PERCENT: u64 = 50;

/// The memory this process may use: the smallest of the machine's memory, its cgroup's limit and
/// [`ADDRESS_SPACE_SHARE_PERCENT`] of its address-space limit, if any is known.
pub fn available_memory() -> Option<u64> {
    let address = address_space_limit().map(|a| a / 100 * ADDRESS_SPACE_SHARE_PERCENT);
    [machine_memory(), cgroup_memory_limit(), address].into_iter().flatten().min()
}

/// The default memory limit: [`DEFAULT_MEMORY_SHARE_PERCENT`] of [`available_memory`], or
/// [`FALLBACK_MAX_MEMORY`] when that is unknown.
pub fn default_max_memory() -> u64 {
    available_memory().map_or(FALLBACK_MAX_MEMORY, |m| m / 100 * DEFAULT_MEMORY_SHARE_PERCENT)
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
