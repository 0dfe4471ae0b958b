//! Validation of `permeate import --events` against what happened (issue 25): on a real,
//! time-stamped e-mail log, the T80 of the import's default scenario next to the truth — an
//! item spread along the real, time-ordered e-mails (SI on the event sequence: an e-mail from an
//! informed person at or after the moment they were informed informs its recipient, with
//! probability `p` per e-mail).
//!
//! Shared by the benchmark `benches/traces.rs` (the full comparison in `docs/validation.md`)
//! and the CI-sized test in `tests/suite/traces.rs` (a slice). Everything goes through the
//! `permeate` binary, as a consultant would use it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;
use std::process::Command;

/// Seconds per hour.
pub const HOUR: f64 = 3600.0;

/// One e-mail: sender, recipient (indices into [`Log::ids`]), time in hours from the log's start.
#[derive(Debug, Clone, Copy)]
pub struct Mail {
    pub from: u32,
    pub to: u32,
    pub hours: f64,
}

/// A log sorted by time, with each person's department.
pub struct Log {
    /// The people's ids as in the file.
    pub ids: Vec<String>,
    /// Department of each person.
    pub unit: Vec<String>,
    /// The e-mails, sorted by time.
    pub mails: Vec<Mail>,
}

/// Reads the SNAP files: `email-Eu-core-temporal.txt.gz` (`sender receiver seconds`) and
/// `email-Eu-core-department-labels.txt` (`person department`); keeps e-mails up to `until_days`
/// (the README's continuous stretch is days 0–525.5; a few stray ones follow a 272-day hole).
pub fn read_snap(dir: &Path, until_days: f64) -> Log {
    let labels = std::fs::read_to_string(dir.join("email-Eu-core-department-labels.txt")).expect("labels");
    let mut ids = Vec::new();
    let mut unit = Vec::new();
    let mut index = HashMap::new();
    for l in labels.lines() {
        let mut f = l.split_ascii_whitespace();
        let (Some(p), Some(d)) = (f.next(), f.next()) else { continue };
        index.insert(p.to_string(), ids.len() as u32);
        ids.push(p.to_string());
        unit.push(format!("d{d}"));
    }
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("email-Eu-core-temporal.txt.gz")).expect("log"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut mails = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split_ascii_whitespace().collect();
        if f.len() < 3 || f[0] == f[1] {
            continue;
        }
        let hours = f[2].parse::<f64>().unwrap() / HOUR;
        if hours > until_days * 24.0 {
            continue;
        }
        let (Some(&a), Some(&b)) = (index.get(f[0]), index.get(f[1])) else { continue };
        mails.push(Mail { from: a, to: b, hours });
    }
    mails.sort_by(|a, b| a.hours.total_cmp(&b.hours));
    Log { ids, unit, mails }
}

/// A fixed pseudo-random uniform in [0, 1) from a key (SplitMix64's finaliser).
pub fn uniform(key: u64) -> f64 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// The truth: SI along the time-ordered e-mails from `source` at `start` hours; each e-mail
/// from an informed sender informs its recipient with probability `p` (drawn per e-mail and
/// `case`). T80 (hours after `start`) of `target` (person flags), or `None` if fewer than
/// ⌈0.8·|target|⌉ are informed within `horizon` hours.
pub fn si_t80(log: &Log, source: u32, start: f64, p: f64, target: &[bool], horizon: f64, case: u64) -> Option<f64> {
    let size = target.iter().filter(|&&t| t).count();
    let k = (0.8 * size as f64).ceil() as usize;
    let mut informed = vec![false; log.ids.len()];
    informed[source as usize] = true;
    let mut reached = usize::from(target[source as usize]);
    if reached >= k {
        return Some(0.0);
    }
    let first = log.mails.partition_point(|m| m.hours < start);
    for (i, m) in log.mails[first..].iter().enumerate() {
        if m.hours > start + horizon {
            break;
        }
        if informed[m.from as usize] && !informed[m.to as usize] {
            if p < 1.0 && uniform(case.wrapping_mul(0x1000_0000_01b3) ^ (first + i) as u64) >= p {
                continue;
            }
            informed[m.to as usize] = true;
            if target[m.to as usize] {
                reached += 1;
                if reached >= k {
                    return Some(m.hours - start);
                }
            }
        }
    }
    None
}

/// p10, median, p90 (a value not reached counts as never: `None` where the quantile falls
/// among those) and the reached share.
pub fn summary(values: &[Option<f64>]) -> (Option<f64>, Option<f64>, Option<f64>, f64) {
    let mut v: Vec<f64> = values.iter().map(|x| x.unwrap_or(f64::INFINITY)).collect();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let x = v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        x.is_finite().then_some(x)
    };
    let reached = values.iter().filter(|x| x.is_some()).count() as f64 / values.len() as f64;
    (q(0.1), q(0.5), q(0.9), reached)
}

/// Writes the HR export, the map and the events of `mails` (hours < `until`) into `dir` and
/// runs `permeate import`; returns the skeleton's text.
pub fn import(bin: &Path, dir: &Path, log: &Log, until: f64, p: f64, horizon: f64) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let mut hr = String::from("id,unit\n");
    for (id, u) in log.ids.iter().zip(&log.unit) {
        hr += &format!("{id},{u}\n");
    }
    std::fs::write(dir.join("hr.csv"), hr).unwrap();
    let map = format!(
        "default_role = \"member\"\n[scenario]\ntarget_role = \"member\"\n[community]\nwatchers = []\n[events]\nformat = \"edgelist\"\nper_message = {p}\nhorizon_hours = {horizon}\n"
    );
    std::fs::write(dir.join("map.toml"), map).unwrap();
    let mut ev = String::new();
    for m in log.mails.iter().filter(|m| m.hours < until) {
        ev += &format!("{} {} {}\n", log.ids[m.from as usize], log.ids[m.to as usize], (m.hours * HOUR).round());
    }
    std::fs::write(dir.join("events.txt"), ev).unwrap();
    let org = dir.join("org");
    let _ = std::fs::remove_dir_all(&org);
    let o = Command::new(bin)
        .args(["import", "-q", "--hr"])
        .arg(dir.join("hr.csv"))
        .arg("--map")
        .arg(dir.join("map.toml"))
        .arg("--events")
        .arg(dir.join("events.txt"))
        .arg("-o")
        .arg(&org)
        .output()
        .unwrap();
    assert!(o.status.success(), "import: {}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(org.join("scenario.toml")).unwrap()
}

/// Runs the imported skeleton as SI from `source` to the people `target` (processing removed) for
/// `replications`; returns T80 per replication.
pub fn model_t80(
    bin: &Path,
    dir: &Path,
    skeleton: &str,
    source: &str,
    target: &[&str],
    replications: u32,
    seed: u64,
) -> Vec<Option<f64>> {
    let ids: Vec<String> = target.iter().map(|t| format!("\"{t}\"")).collect();
    let s: String = skeleton
        .lines()
        .filter(|l| !l.starts_with("processing ="))
        .map(|l| l.to_string() + "\n")
        .collect::<String>()
        .replace("[source]\nid = \"community\"", &format!("[source]\nid = \"{source}\""))
        .replace("[target]\nrole = \"member\"", &format!("[target]\nid = [{}]", ids.join(", ")))
        .replace("seed = 1\n", &format!("seed = {seed}\n"));
    let file = dir.join("org").join(format!("si-{source}.toml"));
    std::fs::write(&file, s).unwrap();
    run_t80(bin, &file, &dir.join(format!("out-{source}")), replications)
}

/// Runs the scenario `file` for `replications` into `out`; returns T80 per replication.
pub fn run_t80(bin: &Path, file: &Path, out: &Path, replications: u32) -> Vec<Option<f64>> {
    let _ = std::fs::remove_dir_all(out);
    let o = Command::new(bin)
        .arg("run")
        .arg(file)
        .args(["-q", "-n", &replications.to_string(), "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "run: {}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("replications.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()))
        .collect()
}

/// Replay mode (`[organisation] events`) of the log file `events` (edge list, Unix seconds)
/// with the people of `log` (everybody a `member`, who takes no time), item at `source` at a
/// moment uniform over `start` (hours after the file's first message), target the people
/// `target`, `per_message` `p`; returns T80 per replication.
#[allow(clippy::too_many_arguments)]
pub fn replay_t80(
    bin: &Path,
    dir: &Path,
    events: &Path,
    name: &str,
    start: (f64, f64),
    p: f64,
    horizon: f64,
    source: &str,
    target: &[&str],
    replications: u32,
    seed: u64,
) -> Vec<Option<f64>> {
    let people = dir.join("replay-people.csv");
    let ids: Vec<String> = target.iter().map(|t| format!("\"{t}\"")).collect();
    let toml = format!(
        "name = \"replay {name}\"\nseed = {seed}\nreplications = {replications}\nhorizon_hours = {horizon}\n\
         [organisation]\npeople = {people:?}\nevents = {events:?}\n\
         [organisation.replay]\nformat = \"edgelist\"\nper_message = {p}\nstart = [{}, {}]\n[roles.member]\n\
         [source]\nid = \"{source}\"\n[target]\nid = [{}]\nthreshold = 0.8\n",
        start.0,
        start.1,
        ids.join(", ")
    );
    let file = dir.join(format!("replay-{name}-{source}.toml"));
    std::fs::write(&file, toml).unwrap();
    run_t80(bin, &file, &dir.join(format!("out-replay-{name}-{source}")), replications)
}

/// Writes `log`'s people (role `member`) as `replay-people.csv` and its e-mails before `until`
/// hours as the edge list `name`; returns the list's path.
fn write_replay_files(dir: &Path, log: &Log, until: f64, name: &str) -> std::path::PathBuf {
    let mut people = String::from("id,unit,role\n");
    for (id, u) in log.ids.iter().zip(&log.unit) {
        people += &format!("{id},{u},member\n");
    }
    std::fs::write(dir.join("replay-people.csv"), people).unwrap();
    let mut ev = String::new();
    for m in log.mails.iter().filter(|m| m.hours < until) {
        ev += &format!("{} {} {}\n", log.ids[m.from as usize], log.ids[m.to as usize], (m.hours * HOUR).round());
    }
    let path = dir.join(name);
    std::fs::write(&path, ev).unwrap();
    path
}

/// T80 summary: p10, median, p90 (`None`: never), reached share.
pub type Summary = (Option<f64>, Option<f64>, Option<f64>, f64);

/// One comparison: the setting and the summaries.
pub struct Row {
    pub p: f64,
    pub unit: String,
    pub truth: Summary,
    pub model: Summary,
    /// Replay in sample: the whole log replayed, starts uniform over the judged stretch
    /// (`None` unless [`Setup::replay`]).
    pub replay_in: Option<Summary>,
    /// Replay out of sample: only the estimation period's log replayed, starts uniform over
    /// its first part so that the horizon ends before the split (`None` unless [`Setup::replay`]).
    pub replay_out: Option<Summary>,
    pub truth_n: usize,
    pub model_n: usize,
}

/// The settings of a comparison.
pub struct Setup {
    /// Departments compared (the largest ones).
    pub units: usize,
    /// Sources per department.
    pub sources: usize,
    /// Start times per source, evenly spaced over the judged stretch.
    pub starts: usize,
    /// Model replications per source.
    pub replications: u32,
    /// Horizon in hours.
    pub horizon: f64,
    /// The estimate uses e-mails before this share of the log's period; the truth starts after it.
    pub split: f64,
    /// Estimate on the whole log instead (in sample: the judged stretch is part of the estimate).
    pub in_sample: bool,
    /// Also replay the log (replay mode), in sample and out of sample.
    pub replay: bool,
}

/// Estimates on the first `split` of the log's period and judges on the rest, for `p`.
/// Returns one row per department plus a pooled row (`unit` = "all").
pub fn compare(bin: &Path, dir: &Path, log: &Log, setup: &Setup, p: f64) -> Vec<Row> {
    let end = log.mails.last().unwrap().hours;
    let split_at = setup.split * end;
    let skeleton = import(bin, dir, log, if setup.in_sample { f64::INFINITY } else { split_at }, p, setup.horizon);
    // The largest departments.
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for u in &log.unit {
        *sizes.entry(u.as_str()).or_default() += 1;
    }
    let mut units: Vec<(&str, usize)> = sizes.into_iter().collect();
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // Who wrote in the estimation period (a source must have a link), and who received e-mail
    // both before and after the split: the target is the department's people who are there
    // throughout (people who left or joined cannot be reached by the truth or the model alike).
    let mut wrote = vec![false; log.ids.len()];
    let (mut got_before, mut got_after) = (vec![false; log.ids.len()], vec![false; log.ids.len()]);
    for m in &log.mails {
        if m.hours < split_at {
            wrote[m.from as usize] = true;
            got_before[m.to as usize] = true;
        } else {
            got_after[m.to as usize] = true;
        }
    }
    let judged_from = split_at;
    let judged_to = end - setup.horizon;
    assert!(judged_to > judged_from, "the judged stretch is shorter than the horizon");
    // Replay mode's start is in hours after the replayed file's first message.
    let first = log.mails[0].hours;
    assert!(split_at - setup.horizon > first, "the estimation period is shorter than the horizon");
    let replay_files = setup.replay.then(|| {
        (
            write_replay_files(dir, log, f64::INFINITY, "replay-all.txt"),
            write_replay_files(dir, log, split_at, "replay-past.txt"),
        )
    });
    let mut rows = Vec::new();
    let (mut all_truth, mut all_model, mut all_replay_in, mut all_replay_out) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (ui, &(unit, _)) in units.iter().take(setup.units).enumerate() {
        let target: Vec<bool> =
            (0..log.ids.len()).map(|i| log.unit[i] == unit && got_before[i] && got_after[i]).collect();
        let target_ids: Vec<&str> = (0..log.ids.len()).filter(|&i| target[i]).map(|i| log.ids[i].as_str()).collect();
        let mut candidates: Vec<u32> =
            (0..log.ids.len() as u32).filter(|&i| target[i as usize] && wrote[i as usize]).collect();
        // A fixed pseudo-random choice of sources.
        candidates.sort_by(|&a, &b| uniform(u64::from(a) ^ 0xabc).total_cmp(&uniform(u64::from(b) ^ 0xabc)));
        let (mut truth, mut model, mut replay_in, mut replay_out) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (si, &source) in candidates.iter().take(setup.sources).enumerate() {
            for k in 0..setup.starts {
                let start = judged_from + (k as f64 + 0.5) / setup.starts as f64 * (judged_to - judged_from);
                let case = ((ui * 1000 + si) * 1000 + k) as u64;
                truth.push(si_t80(log, source, start, p, &target, setup.horizon, case));
            }
            model.extend(model_t80(
                bin,
                dir,
                &skeleton,
                &log.ids[source as usize],
                &target_ids,
                setup.replications,
                1 + si as u64,
            ));
            if let Some((all, past)) = &replay_files {
                let source = &log.ids[source as usize];
                let args = (p, setup.horizon, setup.replications, 1 + si as u64);
                replay_in.extend(replay_t80(
                    bin,
                    dir,
                    all,
                    "in",
                    (judged_from - first, judged_to - first),
                    args.0,
                    args.1,
                    source,
                    &target_ids,
                    args.2,
                    args.3,
                ));
                replay_out.extend(replay_t80(
                    bin,
                    dir,
                    past,
                    "out",
                    (0.0, split_at - setup.horizon - first),
                    args.0,
                    args.1,
                    source,
                    &target_ids,
                    args.2,
                    args.3,
                ));
            }
        }
        rows.push(Row {
            p,
            unit: format!("{unit} ({} people)", target_ids.len()),
            truth: summary(&truth),
            model: summary(&model),
            replay_in: setup.replay.then(|| summary(&replay_in)),
            replay_out: setup.replay.then(|| summary(&replay_out)),
            truth_n: truth.len(),
            model_n: model.len(),
        });
        all_truth.extend(truth);
        all_model.extend(model);
        all_replay_in.extend(replay_in);
        all_replay_out.extend(replay_out);
    }
    rows.push(Row {
        p,
        unit: "all".into(),
        truth: summary(&all_truth),
        model: summary(&all_model),
        replay_in: setup.replay.then(|| summary(&all_replay_in)),
        replay_out: setup.replay.then(|| summary(&all_replay_out)),
        truth_n: all_truth.len(),
        model_n: all_model.len(),
    });
    rows
}

/// A number of hours for the table, or "never".
pub fn hours(x: Option<f64>) -> String {
    x.map_or("never".into(), |h| format!("{h:.0}"))
}

/// model / truth, or "—".
pub fn ratio(m: Option<f64>, t: Option<f64>) -> String {
    match (m, t) {
        (Some(m), Some(t)) if t > 0.0 => format!("{:.2}", m / t),
        _ => "—".into(),
    }
}

/// The comparison as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| p | department | truth p10 / median / p90 (h) | model p10 / median / p90 (h) | ratio p10 / median / p90 | reached truth / model |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {} / {} / {} | {} / {} / {} | {} / {} / {} | {:.0}% / {:.0}% |\n",
            r.p,
            r.unit,
            hours(r.truth.0),
            hours(r.truth.1),
            hours(r.truth.2),
            hours(r.model.0),
            hours(r.model.1),
            hours(r.model.2),
            ratio(r.model.0, r.truth.0),
            ratio(r.model.1, r.truth.1),
            ratio(r.model.2, r.truth.2),
            100.0 * r.truth.3,
            100.0 * r.model.3
        );
    }
    s
}

/// The replay columns as a Markdown table (rows with [`Row::replay_in`] only): the truth, replay
/// in sample and replay out of sample, each with its ratio to the truth.
pub fn replay_table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| p | department | truth p10 / median / p90 (h) | replay in sample (h) | ratio | replay out of sample (h) | ratio | reached truth / in / out |\n|---|---|---|---|---|---|---|---|\n",
    );
    let q = |x: &Summary| format!("{} / {} / {}", hours(x.0), hours(x.1), hours(x.2));
    let r = |x: &Summary, t: &Summary| format!("{} / {} / {}", ratio(x.0, t.0), ratio(x.1, t.1), ratio(x.2, t.2));
    for row in rows {
        let (Some(i), Some(o)) = (&row.replay_in, &row.replay_out) else { continue };
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0}% / {:.0}% / {:.0}% |\n",
            row.p,
            row.unit,
            q(&row.truth),
            q(i),
            r(i, &row.truth),
            q(o),
            r(o, &row.truth),
            100.0 * row.truth.3,
            100.0 * i.3,
            100.0 * o.3
        );
    }
    s
}
