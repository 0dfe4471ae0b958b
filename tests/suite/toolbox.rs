//! The analyst's toolbox (issue 23): `--set PATH=VALUE` equals the same change written into the
//! file byte for byte, `--variant` runs only some points with the same numbers, and bad command
//! lines exit 2 naming the argument.

use std::path::Path;

use crate::common::{TempScenario, bundled, permeate, run_ok};

/// ACME with `replications` per point and its text changed by `edit`.
fn acme_with(replications: u64, edit: impl Fn(String) -> String) -> TempScenario {
    let text = std::fs::read_to_string(bundled("acme.toml")).unwrap();
    let text = text.replace("replications = 2000", &format!("replications = {replications}"));
    TempScenario::new(&[("scenario.toml", &edit(text))])
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// `summary.json` without the record of what the command line set.
fn summary_without_set(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
    v.as_object_mut().unwrap().remove("command_line_set");
    v
}

/// Two `--set`s (one a number inside a section, one a role's probability) give exactly the
/// results of the same two changes written into the file — every replication of every variant,
/// the curves, the summary — and the summary records them. The file's own variants that set
/// one of the paths (`involvement 30%`) keep their value in both runs.
///
/// Broken versions seen to fail: `load` applying only the first `--set` (the replications
/// differ); `--set` applied after the variants' own sets (variant "involvement 30%" runs at 0.2).
#[test]
fn set_on_the_command_line_equals_the_file_edit() {
    let edited = acme_with(60, |t| {
        t.replacen("fraction = 0.05", "fraction = 0.2", 1).replacen(
            "[roles.developer]\nnotice = 0.7",
            "[roles.developer]\nnotice = 0.55",
            1,
        )
    });
    let plain = acme_with(60, |t| t);
    assert_ne!(std::fs::read_to_string(edited.scenario()).unwrap(), std::fs::read_to_string(plain.scenario()).unwrap());
    let (a, b) = (edited.path("out"), plain.path("out"));
    run_ok(&edited.scenario(), &a, &[]);
    run_ok(
        &plain.scenario(),
        &b,
        &["--set", "involvement.fraction=0.2", "--set", "roles.developer.notice=0.55", "-j", "1"],
    );
    for file in ["replications.csv", "curve.csv"] {
        assert!(read(&a, file) == read(&b, file), "{file} differs between the file edit and --set");
    }
    assert_eq!(summary_without_set(&a), summary_without_set(&b));
    let summary: serde_json::Value = serde_json::from_str(&read(&b, "summary.json")).unwrap();
    assert_eq!(
        summary["command_line_set"],
        serde_json::json!(["involvement.fraction=0.2", "roles.developer.notice=0.55"])
    );
    assert!(read(&b, "summary.md").contains("`--set involvement.fraction=0.2`"));
    assert!(summary_without_set(&a).get("command_line_set").is_none());
    // The change is real: without it the numbers differ.
    let c = plain.path("out-plain");
    run_ok(&plain.scenario(), &c, &[]);
    assert_ne!(read(&b, "replications.csv"), read(&c, "replications.csv"));
}

/// `--variant NAME` runs the baseline and the named variants only, and their replications are
/// exactly those of the run of every point (common random numbers: a point's draws do not
/// depend on which other points run).
///
/// Broken version seen to fail: keeping the first listed variant instead of the named one.
#[test]
fn only_the_named_variants_run_with_the_same_numbers() {
    let s = acme_with(40, |t| t);
    let (all, some) = (s.path("all"), s.path("some"));
    run_ok(&s.scenario(), &all, &[]);
    run_ok(&s.scenario(), &some, &["--variant", "involvement 30%"]);
    let rows = |dir: &Path, variant: &str| -> Vec<String> {
        read(dir, "replications.csv")
            .lines()
            .filter(|l| l.starts_with(&format!("{variant},")))
            .map(String::from)
            .collect()
    };
    for v in ["baseline", "involvement 30%"] {
        assert_eq!(rows(&all, v).len(), 40, "{v}");
        assert_eq!(rows(&all, v), rows(&some, v), "{v}");
    }
    assert!(rows(&some, "mandate").is_empty());
    let summary: serde_json::Value = serde_json::from_str(&read(&some, "summary.json")).unwrap();
    let names: Vec<&str> =
        summary["variants"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["baseline", "involvement 30%"]);
}

/// Bad `--set` and `--variant` arguments exit 2 with a message that names the argument and says
/// what is expected; nothing is written.
#[test]
fn bad_command_line_overrides_are_refused_naming_the_argument() {
    let s = acme_with(10, |t| t);
    let scenario = s.scenario();
    let out = s.path("out");
    let cases: [(&[&str], &[&str]); 7] = [
        (&["--set", "involvement.fraction"], &["--set involvement.fraction", "PATH=VALUE"]),
        (&["--set", "=0.2"], &["both the path and the value"]),
        (&["--set", "involvement.fraction=2"], &["--set involvement.fraction=2", "between 0 and 1"]),
        (&["--set", "involvement.fractoin=0.2"], &["--set involvement.fractoin=0.2", "fraction"]),
        (&["--set", "seed=3"], &["--set seed=3", "whole scenario"]),
        (&["--set", "roles.developer.notice=[1"], &["not a TOML value"]),
        (&["--variant", "mandat"], &["unknown variant \"mandat\"", "did you mean \"mandate\""]),
    ];
    for (extra, wanted) in cases {
        let mut args = vec!["run", scenario.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
        args.extend_from_slice(extra);
        let o = permeate(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        for w in wanted {
            assert!(err.contains(w), "{extra:?}: expected {w:?} in: {err}");
        }
        assert!(!err.contains("InputError") && !err.contains("Some("), "{extra:?}: {err}");
        assert!(!out.exists(), "{extra:?} wrote {}", out.display());
    }
    // `check` takes the same overrides.
    let o = permeate(&["check", scenario.to_str().unwrap(), "--set", "involvement.fraction=0.25"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `worlds.csv` holds the values that produced each world: running the scenario without
/// `[uncertain]`, with world 1's values set on the command line (a `scale` factor as the
/// scenario's value times the factor's), gives exactly world 1's replications of every variant.
///
/// Broken version seen to fail: writing the values rounded to 6 decimals (the re-run differs).
#[test]
fn worlds_csv_holds_the_values_that_made_each_world() {
    let text = std::fs::read_to_string(bundled("acme-uncertain.toml")).unwrap();
    let s = TempScenario::new(&[("scenario.toml", &text), ("plain.toml", &text[..text.find("[uncertain]").unwrap()])]);
    let out = s.path("out");
    run_ok(&s.scenario(), &out, &["-n", "30", "--worlds", "3"]);
    let mut worlds = csv::Reader::from_path(out.join("worlds.csv")).unwrap();
    let header: Vec<String> = worlds.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "world");
    assert_eq!(header.len(), 1 + 8, "{header:?}");
    let rows: Vec<csv::StringRecord> = worlds.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let world = &rows[1];
    assert_eq!(&world[0], "1");
    let table: toml::Table = toml::from_str(&text).unwrap();
    let median = |role: &str| table["roles"][role]["processing"]["median"].as_float().unwrap();
    let mut args = vec![];
    for (name, value) in header.iter().zip(world.iter()).skip(1) {
        let value: f64 = value.parse().unwrap();
        if name == "processing speed" {
            args.push(format!("roles.developer.processing.median={}", median("developer") * value));
            args.push(format!("roles.team_lead.processing.median={}", median("team_lead") * value));
        } else {
            args.push(format!("{name}={value}"));
        }
    }
    let plain_out = s.path("plain-out");
    let mut extra = vec!["-n", "30"];
    for a in &args {
        extra.extend(["--set", a.as_str()]);
    }
    run_ok(&s.path("plain.toml"), &plain_out, &extra);
    let in_world: Vec<String> = read(&out, "replications.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == "1").then(|| format!("{},{},{},{}", f[0], f[2], f[3], f[4]))
        })
        .collect();
    let plain: Vec<String> = read(&plain_out, "replications.csv").lines().skip(1).map(String::from).collect();
    assert_eq!(in_world.len(), 5 * 30);
    assert_eq!(in_world, plain);
}

/// `summary.csv` says what `summary.json` says: per point the reached share, the T80 median,
/// quantiles and mean, and the paired median difference from the baseline; with worlds, one
/// row per point and world besides the pooled one.
///
/// Broken version seen to fail: the pooled row's p10 and p90 swapped.
#[test]
fn summary_csv_equals_summary_json() {
    let s = acme_with(50, |t| t);
    let out = s.path("out");
    run_ok(&s.scenario(), &out, &[]);
    let json: serde_json::Value = serde_json::from_str(&read(&out, "summary.json")).unwrap();
    let mut r = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let variants = json["variants"].as_array().unwrap();
    assert_eq!(rows.len(), variants.len());
    let num = |cell: &str| -> serde_json::Value {
        if cell.is_empty() { serde_json::Value::Null } else { serde_json::json!(cell.parse::<f64>().unwrap()) }
    };
    let same = |a: &serde_json::Value, b: &serde_json::Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a.is_null() && b.is_null(),
    };
    for (row, v) in rows.iter().zip(variants) {
        assert_eq!(&row[col("point")], v["name"].as_str().unwrap());
        assert!(same(&num(&row[col("reached_share")]), &v["reached_fraction"]));
        for (c, k) in [
            ("t80_median_hours", "median"),
            ("t80_p10_hours", "p10"),
            ("t80_p90_hours", "p90"),
            ("t80_mean_hours", "mean"),
        ] {
            assert!(
                same(&num(&row[col(c)]), &v["t_threshold"][k]),
                "{} {c}: {} vs {}",
                v["name"],
                &row[col(c)],
                v["t_threshold"][k]
            );
        }
        let delta = &v["vs_baseline"]["median_delta"];
        assert!(same(&num(&row[col("delta_median_hours")]), delta), "{}", v["name"]);
    }
    // With worlds: a pooled row and one row per world for each point.
    let text = std::fs::read_to_string(bundled("acme-uncertain.toml")).unwrap();
    let u = TempScenario::new(&[("scenario.toml", &text)]);
    let uout = u.path("out");
    run_ok(&u.scenario(), &uout, &["-n", "20", "--worlds", "4"]);
    let mut r = csv::Reader::from_path(uout.join("summary.csv")).unwrap();
    let worlds: Vec<String> = r.records().map(|x| x.unwrap()[2].to_string()).collect();
    assert_eq!(worlds.len(), 5 * (1 + 4));
    assert_eq!(&worlds[..5], ["", "0", "1", "2", "3"]);
}

/// `check --json` prints one JSON document (and nothing else) on stdout with the design points,
/// the uncertain factors, the warnings and the memory estimate; `run --json` prints exactly the
/// `summary.json` it wrote.
///
/// Broken versions seen to fail: the check's headline text printed before the JSON (stdout no
/// longer parses); `run --json` printing the summary of the baseline only.
#[test]
fn json_on_stdout_is_the_only_thing_there() {
    let text = std::fs::read_to_string(bundled("acme-uncertain.toml")).unwrap();
    let s = TempScenario::new(&[("scenario.toml", &text)]);
    let o = permeate(&["check", s.scenario().to_str().unwrap(), "--json", "--set", "involvement.fraction=0.1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let check: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(check["valid"], true);
    let points: Vec<&str> =
        check["study"]["points"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(points[0], "baseline");
    assert_eq!(points.len(), 5);
    assert_eq!(check["study"]["uncertain"]["factors"].as_array().unwrap().len(), 8);
    assert!(check["memory_estimate_bytes"].as_u64().unwrap() > 1_000_000);
    assert_eq!(check["study"]["command_line_set"], serde_json::json!(["involvement.fraction=0.1"]));

    let plain = acme_with(20, |t| t);
    let out = plain.path("out");
    let o = permeate(&["run", plain.scenario().to_str().unwrap(), "-o", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), read(&out, "summary.json"));
    let o = permeate(&["run", plain.scenario().to_str().unwrap(), "--json", "--shard", "1/2", "-o", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("merge the shards"));
}

/// `permeate schema` is the committed `docs/scenario.schema.json`; every bundled scenario points
/// to it with a `#:schema` first line and is valid under it; an unknown key, a wrong type and an
/// unknown distribution are not.
///
/// Broken version seen to fail: `[roles.NAME]` without `deny_unknown_fields` (the misspelt
/// `notise` passes the schema).
#[test]
fn the_schema_accepts_every_bundled_scenario_and_rejects_mistakes() {
    let o = permeate(&["schema"]);
    assert!(o.status.success());
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.schema.json")).unwrap();
    assert!(
        String::from_utf8(o.stdout.clone()).unwrap() == committed,
        "docs/scenario.schema.json is stale: cargo run -- schema > docs/scenario.schema.json"
    );
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let as_json = |text: &str| serde_json::to_value(toml::from_str::<toml::Table>(text).unwrap()).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with("#:schema ../docs/scenario.schema.json\n"), "{}", path.display());
            let errors: Vec<String> = validator.iter_errors(&as_json(&text)).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 7);
    let base = "name = \"x\"\n[organisation]\npeople = \"p.csv\"\nlinks = \"l.csv\"\n";
    assert!(validator.is_valid(&as_json(&format!("{base}[roles.developer]\nnotice = 0.5\n"))));
    for bad in [
        "[roles.developer]\nnotise = 0.5\n",
        "[roles.developer]\nnotice = \"often\"\n",
        "[channels.chat]\ndelay = { dist = \"lognorm\", median = 1.0, sigma = 0.5 }\n",
        "replicatons = 10\n",
    ] {
        assert!(!validator.is_valid(&as_json(&format!("{base}{bad}"))), "accepted: {bad}");
    }
}

/// `completions` and `man` print what a shell and `man` read, naming every subcommand.
#[test]
fn completions_and_man_page_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let o = permeate(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let text = String::from_utf8(o.stdout).unwrap();
        for sub in ["run", "check", "sensitivity", "calibrate", "merge", "import", "optimise", "schema"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
        assert!(text.contains("--set"), "{shell}");
    }
    let o = permeate(&["man"]);
    assert!(o.status.success());
    let man = String::from_utf8(o.stdout).unwrap();
    assert!(man.starts_with(".ie") || man.contains(".TH permeate"), "{}", &man[..200.min(man.len())]);
    assert!(man.contains("optimise") && man.contains("sensitivity"));
    assert_eq!(permeate(&["completions", "tcsh"]).status.code(), Some(2));
}

/// What `run` and `sensitivity` print fits a 100-column terminal (the wide tables are in the
/// files), and `sensitivity` prints its indices, not the run table.
///
/// Broken versions seen to fail: the headline with the full paired column (182 columns for
/// ACME); `sensitivity` printing the headline table.
#[test]
fn terminal_output_fits_100_columns_and_sensitivity_prints_its_indices() {
    let widest = |o: &std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).lines().map(|l| l.chars().count()).max().unwrap_or(0)
    };
    let acme = acme_with(30, |t| t);
    let o = permeate(&["run", acme.scenario().to_str().unwrap(), "-o", acme.path("o").to_str().unwrap()]);
    assert!(widest(&o) <= 100);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("weekly digest to all developers") && text.contains("vs baseline (median)"), "{text}");
    let u = TempScenario::new(&[("scenario.toml", &std::fs::read_to_string(bundled("acme-uncertain.toml")).unwrap())]);
    let o = permeate(&[
        "run",
        u.scenario().to_str().unwrap(),
        "-n",
        "5",
        "--worlds",
        "10",
        "-o",
        u.path("o").to_str().unwrap(),
    ]);
    assert!(widest(&o) <= 100);
    assert!(String::from_utf8_lossy(&o.stdout).contains("of worlds"));
    let o = permeate(&[
        "sensitivity",
        u.scenario().to_str().unwrap(),
        "--samples",
        "8",
        "-n",
        "5",
        "-o",
        u.path("s").to_str().unwrap(),
    ]);
    assert!(widest(&o) <= 100);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("first order [95%]") && text.contains("processing speed"), "{text}");
    assert!(!text.contains("median T ("), "{text}");
}

/// `permeate discover` finds the planted box: in a star of 100 developers whose notice
/// probability is uncertain (uniform 0.5–1) and decides everything, 80% are reached in more than
/// half of a world's replications exactly when Binomial(100, notice) ≥ 80 has probability above
/// one half, i.e. notice ≳ 0.80 (the median of Binomial(100, p) is 80 from p = 0.795 on). PRIM
/// must restrict notice from below near 0.80 and leave the factor that does nothing (a delay
/// that cannot change who is reached within the horizon) alone. With 120 worlds the box's bound
/// is within ±0.06 of 0.80 (the worlds are 0.0042 apart on average; PRIM peels 5% at a time).
///
/// Broken version seen to fail: cases taken as "reached in any replication" (the box moves to
/// about 0.7).
#[test]
fn discover_finds_the_planted_box_of_a_deciding_factor() {
    let (people, links) = crate::common::star_csv(100);
    let toml = "name = \"star\"\nseed = 5\nreplications = 20\nhorizon_hours = 1000\n\
        [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
        [channels.feed]\ndelay = { dist = \"exponential\", rate = 1.0 }\ntransmit = 1.0\n\
        [roles.developer]\nnotice = 0.9\n\
        [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\nthreshold = 0.8\n\
        [uncertain]\nworlds = 120\n\
        \"roles.developer.notice\" = { dist = \"uniform\", min = 0.5, max = 1.0 }\n\
        \"channels.feed.delay.rate\" = { dist = \"uniform\", min = 0.5, max = 2.0 }\n";
    let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", &links)]);
    let out = s.path("out");
    run_ok(&s.scenario(), &out, &[]);
    let disc = s.path("disc");
    let o = permeate(&["discover", out.to_str().unwrap(), "-o", disc.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: serde_json::Value = serde_json::from_str(&read(&disc, "discover.json")).unwrap();
    let limits = d["prim_box"]["limits"].as_array().expect("a box");
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert_eq!(limits[0]["name"], "roles.developer.notice");
    let low = limits[0]["low"].as_f64().expect("restricted from below");
    assert!((low - 0.80).abs() <= 0.06, "low bound {low}");
    assert!(limits[0]["high"].is_null());
    assert!(d["prim_box"]["density"].as_f64().unwrap() >= 0.8);
    assert!(d["significance"][0]["p_value"].as_f64().unwrap() < 0.01);
    let csv_text = read(&disc, "discover.csv");
    assert!(
        csv_text.starts_with("factor,low,high,p_value,coverage,density,mass\nroles.developer.notice,"),
        "{csv_text}"
    );
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("roles.developer.notice ≥ 0.8"), "{text}");
    // Bad input: a folder without worlds, an unknown variant, a bad outcome.
    let plain = acme_with(5, |t| t);
    let p_out = plain.path("out");
    run_ok(&plain.scenario(), &p_out, &["--variant", "mandate"]);
    for (args, wanted) in [
        (vec!["discover", p_out.to_str().unwrap()], "worlds.csv"),
        (vec!["discover", out.to_str().unwrap(), "--outcome", "delta:nosuch"], "unknown variant \"nosuch\""),
        (vec!["discover", out.to_str().unwrap(), "--outcome", "fast"], "reached, goal or delta:VARIANT"),
        (vec!["discover", out.to_str().unwrap(), "--outcome", "goal"], "has no [goal]"),
    ] {
        let o = permeate(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(wanted), "{args:?}: {err}");
    }
}

/// `--set` on a path that an `[uncertain]` factor sets in every world is refused (exit 2,
/// naming the `--set` and the factor): the command line's value would otherwise be ignored
/// silently. A `scale` factor's path may be set (the factor then multiplies the new value),
/// and a path no factor drives is accepted as before.
///
/// Broken version seen to fail: `resolve` without the command-line check (`check` exits 0 and
/// the run draws the factor's values as if nothing had been set).
#[test]
fn set_on_a_path_an_uncertain_factor_sets_is_refused() {
    let scenario = bundled("acme-uncertain.toml");
    let scenario = scenario.to_str().unwrap();
    let o = permeate(&["check", scenario, "--set", "channels.dev_sync.transmit=0.6"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for w in ["--set channels.dev_sync.transmit", "factor \"channels.dev_sync.transmit\"", "would be ignored"] {
        assert!(err.contains(w), "expected {w:?} in: {err}");
    }
    for ok in ["roles.developer.processing.median=5", "involvement.fraction=0.2"] {
        let o = permeate(&["check", scenario, "--set", ok]);
        assert!(o.status.success(), "--set {ok}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

/// Every JSON document permeate writes has a committed JSON Schema (`docs/schemas/`, made from
/// the serialised types by `permeate schema --of NAME`), and what permeate writes validates
/// against it: the bundled results' `summary.json`, `sensitivity.json` and `calibration.json`,
/// `check --json` of every bundled scenario, a fresh `discover.json` and `optimise.json`.
/// A document with a required field removed or of the wrong type is refused (the schemas are
/// not vacuous).
///
/// Broken versions seen to fail: a stale committed schema (a field renamed in `Results`); a
/// `summary.json` without `schema_version`; a `check --json` whose `memory_estimate_bytes` is
/// text.
#[test]
fn every_json_output_validates_against_its_committed_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validator = |doc: &str| {
        let o = permeate(&["schema", "--of", doc]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let committed = std::fs::read(root.join("docs/schemas").join(format!("{doc}.schema.json"))).unwrap();
        assert!(
            committed == o.stdout,
            "docs/schemas/{doc}.schema.json is stale: cargo run -- schema --of {doc} > docs/schemas/{doc}.schema.json"
        );
        let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        jsonschema::validator_for(&schema).expect("a valid JSON Schema")
    };
    let valid = |v: &jsonschema::Validator, json: &serde_json::Value, what: &str| {
        let errors: Vec<String> = v.iter_errors(json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{what}: {errors:?}");
    };
    let parse = |text: &[u8]| -> serde_json::Value { serde_json::from_slice(text).unwrap() };

    let summary = validator("summary");
    let mut seen = 0;
    for entry in std::fs::read_dir(root.join("results")).unwrap() {
        let dir = entry.unwrap().path();
        let file = dir.join("summary.json");
        if file.exists() {
            valid(&summary, &parse(&std::fs::read(&file).unwrap()), &file.display().to_string());
            seen += 1;
        }
    }
    assert!(seen >= 7, "{seen} summaries");
    let mut broken = parse(&std::fs::read(root.join("results/acme/summary.json")).unwrap());
    broken.as_object_mut().unwrap().remove("schema_version");
    assert!(!summary.is_valid(&broken), "a summary without schema_version validated");

    let sensitivity = validator("sensitivity");
    valid(
        &sensitivity,
        &parse(&std::fs::read(root.join("results/acme-uncertain-sensitivity/sensitivity.json")).unwrap()),
        "sensitivity.json",
    );
    let calibration = validator("calibration");
    valid(
        &calibration,
        &parse(&std::fs::read(root.join("results/acme-uncertain-calibration/calibration.json")).unwrap()),
        "calibration.json",
    );

    let check = validator("check");
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let o = permeate(&["check", path.to_str().unwrap(), "--json"]);
            assert!(o.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&o.stderr));
            let mut json = parse(&o.stdout);
            valid(&check, &json, &path.display().to_string());
            json["memory_estimate_bytes"] = "a lot".into();
            assert!(!check.is_valid(&json), "a check with text memory validated");
        }
    }

    let tmp = tempfile::tempdir().unwrap();
    let found = tmp.path().join("discover");
    let o =
        permeate(&["discover", root.join("results/acme-uncertain").to_str().unwrap(), "-o", found.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    valid(&validator("discover"), &parse(&std::fs::read(found.join("discover.json")).unwrap()), "discover.json");

    let optimum = tmp.path().join("optimise");
    let o = permeate(&[
        "optimise",
        bundled("acme-costs.toml").to_str().unwrap(),
        "--lever",
        "involvement.fraction",
        "--resolution",
        "0.05",
        "-n",
        "40",
        "-q",
        "-o",
        optimum.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    valid(&validator("optimise"), &parse(&std::fs::read(optimum.join("optimise.json")).unwrap()), "optimise.json");
}

/// Errors and warnings are coloured on a terminal and plain otherwise (anstream: colour when
/// stderr is a terminal or `CLICOLOR_FORCE` is set, never with `NO_COLOR`). Forced colour stands
/// in for the terminal. Seen to fail with plain `eprintln!` (no escape sequence when forced).
#[test]
fn errors_are_coloured_only_on_a_terminal() {
    let run = |env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_permeate"));
        c.args(["check", "no-such-scenario.toml"]).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let plain = run(&[]);
    assert!(plain.starts_with("error: ") && !plain.contains('\u{1b}'), "{plain:?}");
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\u{1b}[") && forced.contains("error:"), "{forced:?}");
    assert_eq!(strip(&forced), plain, "colour changes nothing but the escapes");
    let no_color = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!no_color.contains('\u{1b}'), "{no_color:?}");
}

/// `s` without its ANSI escape sequences (`ESC [ … m`).
fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
