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
