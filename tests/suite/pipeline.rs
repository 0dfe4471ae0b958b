//! The study pipeline: shards in separate processes merge into exactly the bytes of one run;
//! merge refuses what is not one whole study; N-path sweeps; a parameter patch of a compiled
//! model equals a fresh compile; the results type round-trips `summary.json`; the committed
//! `results/` are what the code gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use permeate::analysis::results::Results;
use permeate::engine::outcome::CurveGrid;
use permeate::model::Model;

use crate::common::{TempScenario, bundled, permeate, read_text, run_library, run_ok};

/// Every file under `dir` (relative path → bytes), sub-folders included.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Asserts two result folders hold the same files with the same bytes.
fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>(), "{} vs {}", a.display(), b.display());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{} differs between {} and {}", k.display(), a.display(), b.display());
    }
}

/// The bundled ACME scenario (variants) with a two-path sweep added, in a temporary folder.
fn acme_with_variants_and_sweep() -> TempScenario {
    let text = read_text(&bundled("acme.toml"));
    let sweep = "\n[sweep]\n\"involvement.fraction\" = [0.1, 0.4]\n\"channels.team_chat.transmit\" = [0.5, 0.9]\n";
    TempScenario::new(&[("scenario.toml", &format!("{text}{sweep}"))])
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `permeate run SCENARIO --shard I/N` for every I, in separate processes with different
/// `-j`, and returns the partial folders.
fn run_shards(scenario: &Path, dir: &Path, n: u32, extra: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let out = dir.join(format!("shard-{i}-of-{n}"));
            let threads = (1 + i % 2).to_string();
            let shard = format!("{i}/{n}");
            let mut args = vec!["--shard", shard.as_str(), "-j", threads.as_str()];
            args.extend_from_slice(extra);
            run_ok(scenario, &out, &args);
            out
        })
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path) -> std::process::Output {
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().map(|p| path_str(p).to_string()));
    args.extend(["-o".into(), path_str(out).into(), "-q".into()]);
    permeate(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn merged_shards_are_byte_identical_to_one_run() {
    let s = acme_with_variants_and_sweep();
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    run_ok(&s.scenario(), &single, &["-n", "60", "-j", "2"]);
    assert!(single.join("sweep.csv").exists() && single.join("report.html").exists());
    assert!(tree(&single).keys().any(|k| k.starts_with("charts")), "charts are compared too");
    for n in [1u32, 2, 3, 7] {
        let mut parts = run_shards(&s.scenario(), &dir.path().join(format!("n{n}")), n, &["-n", "60"]);
        // A shuffled order on the command line: reversed, then the first moved to the middle.
        parts.reverse();
        if parts.len() > 2 {
            let first = parts.remove(0);
            parts.insert(parts.len() / 2, first);
        }
        let merged = dir.path().join(format!("merged-{n}"));
        let o = merge(&parts, &merged);
        assert!(o.status.success(), "merge of {n} shards failed: {}", String::from_utf8_lossy(&o.stderr));
        assert_same_tree(&single, &merged);
    }
}

/// Asserts that merging `parts` fails with exit status 2, names `folder`, and writes nothing.
fn assert_refused(parts: &[PathBuf], folder: &Path, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged");
    let o = merge(parts, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert!(err.contains(path_str(folder)), "{what}: the message names {}: {err}", folder.display());
    assert!(!out.exists(), "{what}: nothing is written");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{what}: no temporary folder is left");
}

/// A small scenario from CSV files, so that the organisation can change between shards.
fn small_csv(links_extra: &str, seed: u64) -> TempScenario {
    let (people, links) = crate::common::star_csv(30);
    let toml = format!(
        "name = \"small\"\nseed = {seed}\nreplications = 40\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = {{ dist = \"exponential\", mean = 2.0 }}\ntransmit = 0.9\n\
         [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
         [[variants]]\nname = \"faster\"\nset = {{ \"channels.feed.transmit\" = 1.0 }}\n"
    );
    TempScenario::new(&[
        ("scenario.toml", &toml),
        ("people.csv", &people),
        ("links.csv", &format!("{links}{links_extra}")),
    ])
}

#[test]
fn merge_refuses_what_is_not_one_whole_study() {
    let dir = tempfile::tempdir().unwrap();
    let s = small_csv("", 1);
    let parts = run_shards(&s.scenario(), &dir.path().join("a"), 3, &[]);
    // Sanity: the right shards merge.
    let ok = dir.path().join("ok");
    assert!(merge(&parts, &ok).status.success());

    // A missing shard: the message names the first folder given and the missing index.
    assert_refused(&parts[..2], &parts[0], "missing shard");
    // A duplicated shard.
    assert_refused(&[parts[0].clone(), parts[1].clone(), parts[1].clone(), parts[2].clone()], &parts[1], "duplicate");

    // Another seed.
    let other_seed = run_shards(&s.scenario(), &dir.path().join("b"), 3, &["--seed", "2"]);
    assert_refused(&[parts[0].clone(), other_seed[1].clone(), parts[2].clone()], &other_seed[1], "other seed");
    // Another scenario file.
    let other = small_csv("", 5);
    let other_parts = run_shards(&other.scenario(), &dir.path().join("c"), 3, &[]);
    assert_refused(&[parts[0].clone(), parts[1].clone(), other_parts[2].clone()], &other_parts[2], "other scenario");
    // The same scenario text with a changed organisation file.
    let changed = small_csv("centre,leaf0,feed\nleaf1,leaf2,feed\n", 1);
    assert_eq!(read_text(&changed.scenario()), read_text(&s.scenario()), "only links.csv differs");
    let changed_parts = run_shards(&changed.scenario(), &dir.path().join("d"), 3, &[]);
    assert_refused(&[parts[0].clone(), changed_parts[1].clone(), parts[2].clone()], &changed_parts[1], "other org");
    // Another permeate version.
    let versioned = dir.path().join("versioned");
    copy_dir(&parts[1], &versioned);
    let manifest = versioned.join("shard.json");
    let original = read_text(&manifest);
    let version = format!("\"permeate_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(original.contains(&version), "the manifest names its version");
    let text = original.replace(&version, "\"permeate_version\":\"0.0.1\"");
    std::fs::write(&manifest, text).unwrap();
    assert_refused(&[parts[0].clone(), versioned.clone(), parts[2].clone()], &versioned, "other version");
    // Cut short: outcome.json truncated, shard.json truncated, outcome.json missing.
    for (name, how) in [("outcome.json", "truncate"), ("shard.json", "truncate"), ("outcome.json", "remove")] {
        let cut = dir.path().join(format!("cut-{name}-{how}"));
        copy_dir(&parts[2], &cut);
        let f = cut.join(name);
        if how == "remove" {
            std::fs::remove_file(&f).unwrap();
        } else {
            let bytes = std::fs::read(&f).unwrap();
            std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
        }
        assert_refused(&[parts[0].clone(), parts[1].clone(), cut.clone()], &cut, &format!("{name} {how}"));
    }
    // A folder that is not a partial results folder at all.
    assert_refused(&[parts[0].clone(), parts[1].clone(), ok.clone()], &ok, "a full results folder");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_three_path_sweep_runs_the_full_grid_with_the_right_values() {
    let base = small_csv("", 3);
    let body = read_text(&base.scenario());
    let sweep = "[sweep]\n\"channels.feed.transmit\" = [0.5, 0.8]\n\"channels.feed.delay.mean\" = [1.0, 4.0]\n\
                 \"target.threshold\" = [0.3, 0.7]\n";
    let s = TempScenario::new(&[
        ("scenario.toml", &format!("{body}{sweep}")),
        ("people.csv", &read_text(&base.path("people.csv"))),
        ("links.csv", &read_text(&base.path("links.csv"))),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&s.scenario(), &out, &[]);
    let csv = read_text(&out.join("sweep.csv"));
    assert_eq!(
        csv.lines().next().unwrap(),
        "channels.feed.transmit,channels.feed.delay.mean,target.threshold,variant,median,ci95_median_low,\
         ci95_median_high,reached_fraction,mean"
    );
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 8, "2 × 2 × 2 points");
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        let (transmit, mean, threshold) = (&row[0], &row[1], &row[2]);
        assert!(seen.insert((transmit.clone(), mean.clone(), threshold.clone())), "each combination once");
        assert_eq!(
            row[3],
            format!("channels.feed.transmit={transmit}, channels.feed.delay.mean={mean}, target.threshold={threshold}")
        );
        // The same values as a plain baseline give the same median (an independent run).
        let direct = body
            .replace("transmit = 0.9", &format!("transmit = {transmit}"))
            .replace("mean = 2.0", &format!("mean = {mean}"))
            .replace("role = \"developer\"", &format!("role = \"developer\"\nthreshold = {threshold}"));
        let d = TempScenario::new(&[
            ("scenario.toml", &direct),
            ("people.csv", &read_text(&base.path("people.csv"))),
            ("links.csv", &read_text(&base.path("links.csv"))),
        ]);
        let t = run_library(&d.load(), 0).t_threshold;
        let text = match permeate::analysis::stats::summarize(&t).median {
            Some(m) => format!("{m:.6}").trim_end_matches('0').trim_end_matches('.').to_string(),
            None => String::new(),
        };
        assert_eq!(row[4], text, "median of {transmit}, {mean}, {threshold}");
    }
    // Points differ where the values differ: not all medians are the same.
    let medians: std::collections::HashSet<&String> = rows.iter().map(|r| &r[4]).collect();
    assert!(medians.len() > 4, "{medians:?}");
}

#[test]
fn a_parameter_patch_gives_the_same_replications_as_a_fresh_compile() {
    // Without `joins_channel` the mandate adds no links: the mandated manager's priority is then
    // the only structural difference, and a patch that ignored it would differ from a compile.
    let text = read_text(&bundled("acme.toml"))
        .replace("replications = 2000", "replications = 150")
        .replace("joins_channel = \"dev_sync\"", "");
    let sweep = "\n[sweep]\n\"involvement.fraction\" = [0.1, 0.6]\n\"roles.developer.notice\" = [0.5, 0.95]\n\
                 \"channels.team_chat.delay\" = [{ dist = \"exponential\", mean = 1.0 }, { dist = \"lognormal\", median = 3.0, sigma = 1.0 }]\n";
    let s = TempScenario::new(&[("scenario.toml", &format!("{text}{sweep}"))]).load();
    let grid = CurveGrid::new(s.curve_points(), s.curve_hours());
    let base = &s.variants()[0];
    let base_model = base.compile(s.horizon_hours()).unwrap();
    let mut patched_points = 0;
    for (i, v) in s.variants().iter().enumerate() {
        let fresh = v.compile(s.horizon_hours()).unwrap();
        if !v.same_structure(base) {
            assert!(v.name.contains("mandate") || v.name.contains("digest"), "{} changes the structure", v.name);
            continue;
        }
        patched_points += 1;
        let patched = Model::with_params(base_model.structure.clone(), &v.params(s.horizon_hours())).unwrap();
        assert!(std::sync::Arc::ptr_eq(&patched.structure, &base_model.structure), "the structure is shared");
        let a = permeate::engine::run_model(&fresh, s.seed(), 0..s.replications(), &grid, &|| {});
        let b = permeate::engine::run_model(&patched, s.seed(), 0..s.replications(), &grid, &|| {});
        let bits = |t: &[Option<f64>]| t.iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>();
        assert_eq!(bits(&a.t_threshold), bits(&b.t_threshold), "point {i} ({})", v.name);
        assert_eq!(a.curve, b.curve, "point {i}");
    }
    assert!(patched_points >= 9, "the sweep points and the involvement variant share the baseline's structure");
    // The check can fail: a model patched with another point's parameters differs.
    let wrong = Model::with_params(
        base_model.structure.clone(),
        &s.variants()[s.variants().len() - 1].params(s.horizon_hours()),
    )
    .unwrap();
    let a = permeate::engine::run_model(&base_model, s.seed(), 0..s.replications(), &grid, &|| {});
    let b = permeate::engine::run_model(&wrong, s.seed(), 0..s.replications(), &grid, &|| {});
    assert_ne!(a.t_threshold, b.t_threshold);
}

/// The bundled scenarios whose results are committed in `results/`.
const BUNDLED: [&str; 7] = ["helix", "acme", "acme-costs", "acme-reverse", "acme-sweep", "acme-uncertain", "northwind"];

/// The bundled sensitivity study: `permeate sensitivity scenarios/acme-uncertain.toml` with
/// these flags writes `results/acme-uncertain-sensitivity/`.
const SENSITIVITY_FLAGS: [&str; 4] = ["--samples", "128", "-n", "50"];

#[test]
fn the_results_type_round_trips_every_bundled_summary() {
    for name in BUNDLED.iter().copied().chain(["acme-uncertain-sensitivity", "acme-uncertain-posterior"]) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results").join(name).join("summary.json");
        let text = read_text(&path);
        let results: Results =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} does not read back: {e}", path.display()));
        assert_eq!(results.schema_version, permeate::analysis::results::SCHEMA_VERSION);
        assert_eq!(permeate::report::summary_json(&results), text, "{} round-trips byte for byte", path.display());
    }
}

/// Runs `permeate COMMAND scenarios/SCENARIO.toml FLAGS` and compares its folder, file by file
/// and byte for byte, with the committed `results/NAME`.
fn assert_committed(name: &str, command: &str, scenario: &str, flags: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let scenario = bundled(&format!("{scenario}.toml"));
    let mut args = vec![command, scenario.to_str().unwrap(), "-q", "-o", out.to_str().unwrap()];
    args.extend_from_slice(flags);
    let o = permeate(&args);
    assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("results").join(name);
    let (fresh, old) = (tree(&out), tree(&committed));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        old.keys().collect::<Vec<_>>(),
        "results/{name} has other files than a run gives: regenerate it with `cargo run --release -- {command} \
         scenarios/... {}`",
        flags.join(" ")
    );
    for (k, v) in &fresh {
        assert!(
            v == &old[k],
            "results/{name}/{} is out of date: regenerate it with `cargo run --release -- {command} scenarios/... {}`",
            k.display(),
            flags.join(" ")
        );
    }
}

#[test]
fn committed_results_are_what_the_code_gives() {
    for name in BUNDLED {
        assert_committed(name, "run", name, &[]);
    }
}

/// The bundled sensitivity study apart from the runs above: the longest single study (about 40 s
/// of CPU in the test build), so that the suite's two threads share the work more evenly.
#[test]
fn committed_sensitivity_study_is_what_the_code_gives() {
    assert_committed("acme-uncertain-sensitivity", "sensitivity", "acme-uncertain", &SENSITIVITY_FLAGS);
}

/// The bundled calibration: `permeate calibrate scenarios/acme-uncertain.toml
/// scenarios/acme-observed.csv` with these flags writes `results/acme-uncertain-calibration/`
/// (a small budget, so this test stays quick; the default budget narrows the posterior further;
/// `-n 50` as the what-if below, so the page's predicted T over the posterior is the what-if's
/// baseline across worlds).
const CALIBRATION_FLAGS: [&str; 6] = ["--budget", "4000", "--particles", "200", "-n", "50"];

/// The bundled posterior what-if: `permeate run scenarios/acme-uncertain.toml --posterior
/// results/acme-uncertain-calibration/posterior.csv -n 50 -o results/acme-uncertain-posterior`.
#[test]
fn committed_calibration_and_posterior_what_if_are_what_the_code_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (cal, what_if) = (dir.path().join("calibration"), dir.path().join("posterior"));
    let scenario = bundled("acme-uncertain.toml");
    let observations = bundled("acme-observed.csv");
    let mut args = vec!["calibrate", path_str(&scenario), path_str(&observations), "-q", "-o", path_str(&cal)];
    args.extend_from_slice(&CALIBRATION_FLAGS);
    let o = permeate(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let posterior = cal.join("posterior.csv");
    let args =
        ["run", path_str(&scenario), "--posterior", path_str(&posterior), "-n", "50", "-q", "-o", path_str(&what_if)];
    let o = permeate(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    for (fresh, name) in [(&cal, "acme-uncertain-calibration"), (&what_if, "acme-uncertain-posterior")] {
        let (fresh, old) = (tree(fresh), tree(&root.join(name)));
        assert_eq!(
            fresh.keys().collect::<Vec<_>>(),
            old.keys().collect::<Vec<_>>(),
            "results/{name} has other files than the code gives: regenerate it as docs/measuring.md says"
        );
        for (k, v) in &fresh {
            assert!(
                v == &old[k],
                "results/{name}/{} is out of date: regenerate it as docs/measuring.md says",
                k.display()
            );
        }
    }
}

/// Issue 20, defect 16: `shard.json`'s facts are covered by its `manifest_hash`, so facts edited
/// the same way in every shard (the seed, a variant's name) are refused naming the folder;
/// before, such shards merged without complaint. Seen to fail with the `manifest_hash` check
/// in `shard::read_manifest` removed (merge exited 0 for both edits).
#[test]
fn manifests_edited_the_same_way_in_every_shard_are_refused() {
    let s = small_csv("", 1);
    let dir = tempfile::tempdir().unwrap();
    let parts = run_shards(&s.scenario(), &dir.path().join("a"), 2, &[]);
    for (what, from, to) in [("seed", "\"seed\":1,", "\"seed\":2,"), ("variant name", "\"faster\"", "\"slower\"")] {
        let edited: Vec<PathBuf> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let e = dir.path().join(format!("{what}-{i}"));
                copy_dir(p, &e);
                let manifest = e.join("shard.json");
                let text = read_text(&manifest);
                assert!(text.contains(from), "{what}: {from} in the manifest");
                std::fs::write(&manifest, text.replace(from, to)).unwrap();
                e
            })
            .collect();
        assert_refused(&edited, &edited[0], what);
        let out = dir.path().join(format!("{what}-merged"));
        let err = String::from_utf8_lossy(&merge(&edited, &out).stderr).into_owned();
        assert!(err.contains("was changed") && err.contains("run shard 1/2 again"), "{what}: {err}");
    }
}
