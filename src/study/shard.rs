//! Partial results folders of a sharded study, and their merge.
//!
//! `permeate run SCENARIO --shard I/N -o DIR` writes a partial folder with two files:
//!
//! - `shard.json` ([`Manifest`]): the format and its version, the permeate version, the study's
//!   fingerprint (scenario text, organisation, seed, replications, version), which shard of how
//!   many, its slice of the work, the size and hash of `outcome.json`, and the study's
//!   [`Facts`] (so merging needs no scenario file);
//! - `outcome.json`: the raw outcome of every design point the slice touches
//!   ([`PointOutcome`]: per-replication T, integer curve counts, critical-path counts by name).
//!
//! `permeate merge DIR… -o OUT` reads them in any order, checks that they are the `N` shards of
//! one study, each exactly once and whole, and appends the outcomes in work order: the merged
//! outcome is the one a single run computes, so every result file is byte for byte the same.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::facts::Facts;
use crate::analysis::results::{Results, Summariser, SummaryError};
use crate::engine::outcome::PointOutcome;
use crate::error::Error;
use crate::random::rng::identity_key;
use crate::study::{Shard, point_ranges};

/// The manifest of a partial results folder.
pub(crate) const MANIFEST_FILE: &str = "shard.json";
/// The outcome file of a partial results folder.
pub(crate) const OUTCOME_FILE: &str = "outcome.json";
/// The `format` value of a manifest.
pub(crate) const FORMAT: &str = "permeate-shard";
/// The version of the partial folder format (2: with `manifest_hash`).
pub(crate) const FORMAT_VERSION: u32 = 2;
/// The largest manifest merge reads (it holds the facts: names and assumptions).
const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// `shard.json`: what a partial results folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The permeate version that wrote it.
    pub permeate_version: String,
    /// The study's fingerprint ([`crate::study::fingerprint`]).
    pub fingerprint: String,
    /// Which shard (1-based).
    pub shard: u32,
    /// Of how many.
    pub shards: u32,
    /// Its slice of the work items (point × replications): first item.
    pub work_start: u64,
    /// One past its last work item.
    pub work_end: u64,
    /// The study's work items in all.
    pub work_total: u64,
    /// Bytes of `outcome.json`.
    pub outcome_bytes: u64,
    /// Hash of `outcome.json` (16 hex digits).
    pub outcome_hash: String,
    /// The study's facts.
    pub facts: Facts,
    /// Hash (16 hex digits) of this manifest written with an empty `manifest_hash`: covers the
    /// facts, the fingerprint and the slice, so a manifest edited by hand — even the same way in
    /// every shard (the seed, a variant's name) — is refused (issue 20, defect 16).
    pub manifest_hash: String,
}

impl Manifest {
    /// The hash [`Manifest::manifest_hash`] must have.
    fn expected_hash(&self) -> String {
        let unhashed = Manifest { manifest_hash: String::new(), ..self.clone() };
        content_hash(&serde_json::to_string(&unhashed).expect("plain data serialises"))
    }
}

/// `outcome.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeFile {
    points: Vec<PointOutcome>,
}

fn content_hash(text: &str) -> String {
    format!("{:016x}", identity_key(&[text]))
}

/// The two files of a partial results folder for `shard` of a study with `facts` and
/// `fingerprint`, whose outcomes are `outcomes`.
pub(crate) fn partial_files(
    facts: &Facts,
    fingerprint: &str,
    shard: Shard,
    outcomes: &[PointOutcome],
) -> Vec<(&'static str, String)> {
    let total = facts.cells() as u64 * facts.replications;
    let work = shard.work(total);
    let outcome =
        serde_json::to_string(&OutcomeFile { points: outcomes.to_vec() }).expect("plain data serialises") + "\n";
    let mut manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        permeate_version: env!("CARGO_PKG_VERSION").into(),
        fingerprint: fingerprint.into(),
        shard: shard.index,
        shards: shard.count,
        work_start: work.start,
        work_end: work.end,
        work_total: total,
        outcome_bytes: outcome.len() as u64,
        outcome_hash: content_hash(&outcome),
        facts: facts.clone(),
        manifest_hash: String::new(),
    };
    manifest.manifest_hash = manifest.expected_hash();
    let manifest = serde_json::to_string(&manifest).expect("plain data serialises") + "\n";
    vec![(MANIFEST_FILE, manifest), (OUTCOME_FILE, outcome)]
}

fn refuse(folder: &Path, reason: impl Into<String>) -> Error {
    Error::Shard { folder: folder.to_path_buf(), reason: reason.into() }
}

/// Reads a file of at most `limit` bytes, refusing anything but a regular file.
fn read_limited(folder: &Path, name: &str, limit: u64) -> Result<String, Error> {
    let path = folder.join(name);
    let meta = std::fs::metadata(&path).map_err(|e| {
        refuse(
            folder,
            format!("it has no readable {name} ({e}); is it a partial results folder of `permeate run --shard`?"),
        )
    })?;
    if !meta.is_file() {
        return Err(refuse(folder, format!("{name} is not a regular file")));
    }
    if meta.len() > limit {
        return Err(refuse(folder, format!("{name} is larger than {limit} bytes")));
    }
    std::fs::read_to_string(&path).map_err(|e| refuse(folder, format!("cannot read {name}: {e}")))
}

/// One partial folder, read and checked on its own.
struct Part {
    folder: PathBuf,
    manifest: Manifest,
}

fn read_manifest(folder: &Path) -> Result<Part, Error> {
    let text = read_limited(folder, MANIFEST_FILE, MAX_MANIFEST_BYTES)?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        refuse(folder, format!("{MANIFEST_FILE} is not a permeate shard manifest or was cut short ({e})"))
    })?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(refuse(
            folder,
            format!(
                "{MANIFEST_FILE} has format \"{}\" version {}; this permeate reads \"{FORMAT}\" version {FORMAT_VERSION}",
                manifest.format, manifest.format_version
            ),
        ));
    }
    manifest.facts.check().map_err(|m| refuse(folder, format!("{MANIFEST_FILE} is inconsistent: {m}")))?;
    let m = &manifest;
    let expected = Shard { index: m.shard.max(1), count: m.shards.max(1) };
    let cells = m.facts.cells() as u64;
    if m.shard == 0
        || m.shard > m.shards
        || m.work_total != cells.saturating_mul(m.facts.replications)
        || expected.work(m.work_total) != (m.work_start..m.work_end)
    {
        return Err(refuse(
            folder,
            format!(
                "{MANIFEST_FILE} is inconsistent (shard {}/{}, work {}..{} of {})",
                m.shard, m.shards, m.work_start, m.work_end, m.work_total
            ),
        ));
    }
    if manifest.manifest_hash != manifest.expected_hash() {
        return Err(refuse(
            folder,
            format!(
                "{MANIFEST_FILE} was changed after `permeate run --shard` wrote it (its manifest_hash does not match); \
                 run shard {}/{} again",
                manifest.shard, manifest.shards
            ),
        ));
    }
    Ok(Part { folder: folder.to_path_buf(), manifest })
}

fn read_outcomes(part: &Part) -> Result<Vec<PointOutcome>, Error> {
    let m = &part.manifest;
    let folder = &part.folder;
    let text = read_limited(folder, OUTCOME_FILE, m.outcome_bytes)?;
    if text.len() as u64 != m.outcome_bytes || content_hash(&text) != m.outcome_hash {
        return Err(refuse(
            folder,
            format!(
                "{OUTCOME_FILE} is not the one {MANIFEST_FILE} describes (cut short or changed); run shard {}/{} again",
                m.shard, m.shards
            ),
        ));
    }
    let file: OutcomeFile = serde_json::from_str(&text).map_err(|e| {
        refuse(folder, format!("{OUTCOME_FILE} cannot be read ({e}); run shard {}/{} again", m.shard, m.shards))
    })?;
    for o in &file.points {
        let p = m.facts.points.get(o.point);
        let curve_ok = p.is_some_and(|p| o.curve.fits(m.facts.curve_points, p.target_size));
        if !curve_ok {
            return Err(refuse(folder, format!("{OUTCOME_FILE} has an adoption curve that does not fit the study")));
        }
    }
    let expected = point_ranges(m.facts.cells(), m.facts.replications, &(m.work_start..m.work_end));
    let points = m.facts.points.len();
    let with_worlds = m.facts.uncertain.is_some();
    let found: Vec<(usize, std::ops::Range<u64>)> = file
        .points
        .iter()
        .map(|o| {
            let cell =
                if with_worlds { o.world.map_or(usize::MAX, |w| w as usize * points + o.point) } else { o.point };
            (
                if o.point < points && (o.world.is_some() == with_worlds) { cell } else { usize::MAX },
                o.first_replication..o.end_replication(),
            )
        })
        .collect();
    if found != expected {
        return Err(refuse(
            folder,
            format!("{OUTCOME_FILE} does not hold the replications of shard {}/{}; run it again", m.shard, m.shards),
        ));
    }
    Ok(file.points)
}

/// Merges the partial folders `folders` (in any order) into the study's results. Refuses, naming
/// the folder, a missing or duplicated shard, shards of different studies or permeate versions,
/// and a folder that was cut short. Each design point is summarised as soon as its last part is
/// read, so memory holds one shard's outcomes and one point's curve counts at a time.
pub(crate) fn merge(folders: &[PathBuf]) -> Result<(Facts, Results), Error> {
    let Some(first) = folders.first() else {
        return Err(refuse(Path::new("."), "no partial results folders given"));
    };
    let mut parts = folders.iter().map(|f| read_manifest(f)).collect::<Result<Vec<_>, _>>()?;
    let reference = &parts[0].manifest;
    for p in &parts[1..] {
        let m = &p.manifest;
        if m.permeate_version != reference.permeate_version {
            return Err(refuse(
                &p.folder,
                format!(
                    "it was written by permeate {}, {} by permeate {}",
                    m.permeate_version,
                    first.display(),
                    reference.permeate_version
                ),
            ));
        }
        if m.fingerprint != reference.fingerprint || m.facts != reference.facts {
            return Err(refuse(
                &p.folder,
                format!(
                    "it is a shard of another study than {} (the scenario, its organisation files, the seed or the \
                     replications differ)",
                    first.display()
                ),
            ));
        }
        if m.shards != reference.shards {
            return Err(refuse(
                &p.folder,
                format!(
                    "it is shard {}/{}, but {} is one of {} shards",
                    m.shard,
                    m.shards,
                    first.display(),
                    reference.shards
                ),
            ));
        }
    }
    let count = reference.shards;
    parts.sort_by_key(|p| p.manifest.shard);
    for w in parts.windows(2) {
        if w[0].manifest.shard == w[1].manifest.shard {
            return Err(refuse(
                &w[1].folder,
                format!("shard {}/{count} is given twice (also {})", w[1].manifest.shard, w[0].folder.display()),
            ));
        }
    }
    if parts.len() != count as usize {
        let have: Vec<u32> = parts.iter().map(|p| p.manifest.shard).collect();
        let missing: Vec<String> =
            (1..=count).filter(|i| !have.contains(i)).take(10).map(|i| format!("{i}/{count}")).collect();
        return Err(refuse(
            first,
            format!("the study has {count} shards but {} were given; missing: {}", parts.len(), missing.join(", ")),
        ));
    }
    let facts = parts[0].manifest.facts.clone();
    let mut summary = Summariser::new(&facts);
    let mut current: Option<PointOutcome> = None;
    let incomplete =
        |folder: &Path, e: SummaryError| refuse(folder, format!("the shards do not make a whole study: {e}"));
    for part in &parts {
        for o in read_outcomes(part)? {
            match current.as_mut() {
                Some(c) if c.point == o.point && c.world == o.world => {
                    c.append(&o).map_err(|e| refuse(&part.folder, e.to_string()))?
                }
                _ => {
                    if let Some(done) = current.replace(o) {
                        summary.add(&done).map_err(|e| incomplete(&part.folder, e))?;
                    }
                }
            }
        }
    }
    if let Some(done) = current {
        summary.add(&done).map_err(|e| incomplete(first, e))?;
    }
    let results = summary.finish().map_err(|e| incomplete(first, e))?;
    Ok((facts, results))
}
