//! The one command context (issue 19): every subcommand gets its safety from one place. One table
//! over the subcommands; a new subcommand is covered by adding a row.
//!
//! Broken version seen to fail (made temporarily, restored): `check` without the memory check (its
//! `--max-memory 1K` row exits 0). On the code before the context, the `calibrate`/`optimise`
//! rows of `-j 100000` had no cap, `check` had no `--max-memory` and `import` kept the stale
//! temporaries of killed imports (issue 20, defects 2, 5, 6, 9).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TempScenario, bundled, star_csv};

/// The longest a row may take: a hang fails the test instead of hanging the suite.
const ROW_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the binary with `args`, killed after [`ROW_TIMEOUT`].
fn bounded(args: &[String]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start permeate");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > ROW_TIMEOUT {
            let _ = child.kill();
            panic!("permeate {args:?} did not finish within {ROW_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// A small scenario with `[uncertain]` and a `[goal]`, so that every subcommand can run on it.
fn small() -> TempScenario {
    let (people, links) = star_csv(20);
    let toml = "name = \"small\"\nseed = 3\nreplications = 20\nhorizon_hours = 1000\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.feed]\ndelay = { dist = \"exponential\", rate = 1.0 }\ntransmit = 0.9\n\
                [roles.developer]\n[roles.community]\n[source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
                [involvement]\nfraction = 0.1\n[channels.community_feed]\ndelay = { dist = \"fixed\", value = 0.5 }\n\
                [goal]\nt_threshold_hours = 3\nprobability = 0.5\n\
                [uncertain]\nworlds = 4\n\"channels.feed.delay.rate\" = { dist = \"uniform\", min = 0.5, max = 2.0 }\n";
    let mut obs = String::from("item,person,processed_hours\n");
    for item in 0..3 {
        for leaf in 0..20 {
            obs += &format!("i{item},leaf{leaf},{}\n", 0.5 + 0.1 * f64::from(leaf));
        }
    }
    TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", &links), ("obs.csv", &obs)])
}

/// Runs the two shards of `ts`'s study into `dir/PREFIX1` and `dir/PREFIX2`.
fn write_shards(ts: &TempScenario, dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let shards: Vec<PathBuf> = (1..=2).map(|i| dir.join(format!("{prefix}{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        let args = ["run".into(), s(&ts.scenario()), "--shard".into(), format!("{}/2", i + 1), "-o".into(), s(shard)];
        let o = bounded(&[&args[..], &["-q".to_string()]].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    shards
}

/// A results folder with worlds (for `discover`), written once per table.
fn worlds_run(ts: &TempScenario, dir: &Path) -> PathBuf {
    let out = dir.join("with-worlds");
    if !out.exists() {
        let args = [
            "run".into(),
            s(&ts.scenario()),
            "--worlds".into(),
            "20".into(),
            "-n".into(),
            "3".into(),
            "-o".into(),
            s(&out),
        ];
        let o = bounded(&[&args[..], &["-q".to_string()]].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    out
}

/// One subcommand: its arguments before the common flags, and the output folder it writes
/// (`None` for `check`).
struct Row {
    name: &'static str,
    args: Vec<String>,
    out: Option<PathBuf>,
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// The table: every subcommand, on the small scenario. `merge` merges two shards written first.
fn rows(ts: &TempScenario, dir: &Path) -> Vec<Row> {
    let scenario = s(&ts.scenario());
    let shards = write_shards(ts, dir, "shard");
    let example = bundled("import-example");
    let out = |n: &str| dir.join(n);
    let row = |name: &'static str, args: Vec<String>, o: Option<PathBuf>| Row { name, args, out: o };
    vec![
        row("check", vec!["check".into(), scenario.clone()], None),
        row("run", vec!["run".into(), scenario.clone(), "-o".into(), s(&out("run"))], Some(out("run"))),
        row(
            "sensitivity",
            vec!["sensitivity".into(), scenario.clone(), "--samples".into(), "4".into(), "-n".into(), "5".into()],
            Some(out("sens")),
        ),
        row(
            "calibrate",
            vec![
                "calibrate".into(),
                scenario.clone(),
                s(&ts.path("obs.csv")),
                "--budget".into(),
                "40".into(),
                "--particles".into(),
                "20".into(),
            ],
            Some(out("calib")),
        ),
        row(
            "optimise",
            vec!["optimise".into(), scenario.clone(), "--lever".into(), "involvement.fraction".into()],
            Some(out("opt")),
        ),
        row("merge", vec!["merge".into(), s(&shards[0]), s(&shards[1])], Some(out("merged"))),
        row("discover", vec!["discover".into(), s(&worlds_run(ts, dir))], Some(out("disc"))),
        row(
            "import",
            vec![
                "import".into(),
                "--hr".into(),
                s(&example.join("hr-export.csv")),
                "--map".into(),
                s(&example.join("map.toml")),
            ],
            Some(out("org")),
        ),
    ]
}

/// Runs `row` with its output folder (if any) and `extra` flags.
fn run_row(row: &Row, extra: &[&str]) -> Output {
    let mut args = row.args.clone();
    if let Some(o) = &row.out
        && !args.iter().any(|a| a == "-o")
    {
        args.extend(["-o".into(), s(o)]);
    }
    args.extend(extra.iter().map(|e| e.to_string()));
    bounded(&args)
}

#[test]
fn every_subcommand_gets_its_safety_from_the_context() {
    let ts = small();
    let dir = tempfile::tempdir().unwrap();
    for row in rows(&ts, dir.path()) {
        // -j 0 is refused before anything runs.
        let o = run_row(&row, &["-j", "0", "-q"]);
        assert_eq!(o.status.code(), Some(2), "{}: -j 0: {}", row.name, String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--threads must be at least 1"), "{}", row.name);

        // A memory limit too small for anything is refused with exit 2 and a message, not an abort.
        let o = run_row(&row, &["--max-memory", "1K", "-q"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: --max-memory 1K: {err}", row.name);
        assert!(err.contains("memory"), "{}: {err}", row.name);
        if let Some(out) = &row.out {
            assert!(!out.exists(), "{}: refused work wrote {}", row.name, out.display());
        }

        // -j 100000 is capped (with a note) and the command finishes.
        let o = run_row(&row, &["-j", "100000", "-q"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{}: -j 100000: {err}", row.name);
        assert!(err.contains("capped at"), "{}: no note that -j was capped: {err}", row.name);
        // -q: nothing on stdout.
        assert!(o.stdout.is_empty(), "{}: -q printed {}", row.name, String::from_utf8_lossy(&o.stdout));

        // A temporary folder that a killed writer (a process that no longer exists) left beside
        // the output is removed by the next write.
        if let Some(out) = &row.out {
            let name = out.file_name().unwrap().to_string_lossy();
            let marker = if row.name == "import" { ".permeate-import" } else { ".permeate" };
            let stale = out.with_file_name(format!(".{name}.tmp-{}", u32::MAX - 1));
            std::fs::create_dir_all(&stale).unwrap();
            let header = if row.name == "import" {
                "# Written by permeate import.\n"
            } else {
                "# permeate results folder: replaced whole by the next run into it; the lines below are the files permeate wrote\n"
            };
            std::fs::write(stale.join(marker), header).unwrap();
            let o = run_row(&row, &["-q"]);
            assert_eq!(o.status.code(), Some(0), "{}: {}", row.name, String::from_utf8_lossy(&o.stderr));
            assert!(!stale.exists(), "{}: the stale temporary {} was left", row.name, stale.display());
        }
    }
}

#[test]
fn signals_undo_the_write_of_every_writing_subcommand() {
    // SIGTERM at any moment leaves no temporary folder and exits 143 (or finishes, 0). Sent at
    // a few moments into each writing command; the output is then either whole or absent.
    let ts = small();
    let dir = tempfile::tempdir().unwrap();
    for row in rows(&ts, dir.path()).into_iter().filter(|r| r.out.is_some()) {
        for delay_ms in [5u64, 40] {
            let out = row.out.clone().unwrap();
            let _ = std::fs::remove_dir_all(&out);
            let mut args = row.args.clone();
            if !args.iter().any(|a| a == "-o") {
                args.extend(["-o".into(), s(&out)]);
            }
            args.push("-q".into());
            let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let start = Instant::now();
            let status = loop {
                if let Some(st) = child.try_wait().unwrap() {
                    break st;
                }
                assert!(start.elapsed() < ROW_TIMEOUT, "{}: did not stop after SIGTERM", row.name);
                std::thread::sleep(Duration::from_millis(10));
            };
            // A SIGTERM that lands before the process has installed its handler (its first
            // milliseconds, under load) ends it by the signal's default action: nothing has been
            // written then, which the checks of leftovers and of the output below hold.
            let before_handlers = std::os::unix::process::ExitStatusExt::signal(&status) == Some(15) && !out.exists();
            assert!(
                matches!(status.code(), Some(0) | Some(143)) || before_handlers,
                "{}: SIGTERM after {delay_ms} ms gave {status:?} (expected exit 143, or 0 if it had finished)",
                row.name
            );
            let name = out.file_name().unwrap().to_string_lossy().into_owned();
            let leftovers: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&format!(".{name}.")))
                .collect();
            assert!(leftovers.is_empty(), "{}: SIGTERM left {leftovers:?}", row.name);
        }
    }
}

#[test]
fn a_file_size_limit_fails_the_write_cleanly() {
    // Under `ulimit -f` a write past the limit used to kill the process with SIGXFSZ (exit 153)
    // mid-write; now the write fails with EFBIG: exit 1, a message, and no temporary folder.
    // (This sandbox's kernel does not send SIGXFSZ, so here the test passes without the handler
    // too — checked; on Linux proper the handler is what keeps it at exit 1.)
    let ts = small();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = format!(
        "ulimit -f 4; exec '{}' run '{}' -o '{}' -q",
        env!("CARGO_BIN_EXE_permeate"),
        ts.scenario().display(),
        out.display()
    );
    let o = Command::new("sh").args(["-c", &script]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("File too large") || err.contains("cannot write"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn merge_refuses_an_output_that_overlaps_a_shard() {
    // Issue 20, defect 11: `merge s1 s2 -o s1` succeeded and destroyed shard 1 (checked on the
    // code before: exit 0).
    let ts = small();
    let dir = tempfile::tempdir().unwrap();
    let shards = write_shards(&ts, dir.path(), "s");
    let before = std::fs::read(shards[0].join("shard.json")).unwrap();
    for out in [shards[0].clone(), shards[0].join("inner"), dir.path().to_path_buf(), dir.path().join("s1/../s1")] {
        let o = bounded(&["merge".into(), s(&shards[0]), s(&shards[1]), "-o".into(), s(&out), "-q".into()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "-o {}: {err}", out.display());
        assert!(err.contains("would replace the shard"), "{err}");
    }
    assert_eq!(std::fs::read(shards[0].join("shard.json")).unwrap(), before, "shard 1 untouched");
    let o =
        bounded(&["merge".into(), s(&shards[0]), s(&shards[1]), "-o".into(), s(&dir.path().join("m")), "-q".into()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `serve`'s row of the table (it does not finish, so it is not in [`rows`]): `-j 0` and a memory
/// limit too small for its largest request are refused with exit 2 before it listens; `-j 100000`
/// is capped with a note and the server runs; SIGTERM shuts it down gracefully, exit 143.
#[test]
fn serve_gets_its_safety_from_the_context() {
    let ts = small();
    let scenario = s(&ts.scenario());
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve".to_string(), scenario.clone(), "--port".into(), "0".into()];
        args.extend(extra.iter().map(|e| e.to_string()));
        args
    };
    let o = bounded(&serve(&["-j", "0", "-q"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--threads must be at least 1"));
    let o = bounded(&serve(&["--max-memory", "1K", "-q"]));
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("memory"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
        .args(serve(&["-j", "100000", "-q"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143));
    assert!(String::from_utf8_lossy(&o.stderr).contains("capped at"));
}
