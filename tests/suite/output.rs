//! The output folder and the run's limits (issue 10): permeate never deletes what it did not
//! write, checks the output path and the memory a run needs before running, leaves no temporary
//! folders behind when interrupted, and caps `-j`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use permeate::outdir::{MARKER, MARKER_HEADER};

use super::bad_input::{LINKS, PEOPLE, SCENARIO, assert_input_error, assert_mentions, permeate, with_scenario};
use super::common::{TempScenario, run_ok};

/// `permeate run SCENARIO -q ARGS...` (with the one-minute guard of the bad-input tests).
fn run(scenario: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["run", scenario.to_str().unwrap(), "-q"];
    all.extend_from_slice(args);
    permeate(&all)
}

/// Asserts exit status 2 and that `must_keep` files still hold what they held.
fn refused(o: &std::process::Output, must_keep: &[(&Path, &str)]) -> String {
    let e = assert_input_error("permeate run", o);
    for (path, content) in must_keep {
        assert_eq!(std::fs::read_to_string(path).unwrap(), *content, "{} was changed", path.display());
    }
    e
}

// ---- 4. Never delete what permeate did not write ----

#[test]
fn folder_with_a_summary_json_but_no_marker_is_not_deleted() {
    let ts = with_scenario(SCENARIO);
    let proj = ts.path("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(proj.join("summary.json"), "{}").unwrap();
    std::fs::write(proj.join("thesis.tex"), "years of work").unwrap();
    let o = run(&ts.scenario(), &["-o", proj.to_str().unwrap()]);
    let e = refused(&o, &[(&proj.join("thesis.tex"), "years of work"), (&proj.join("summary.json"), "{}")]);
    assert_mentions(&e, &["will not replace", MARKER]);
    // Even a symbolic link called summary.json does not make a folder permeate's.
    let other = ts.path("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("data.csv"), "keep").unwrap();
    std::os::unix::fs::symlink(ts.path("scenario.toml"), other.join("summary.json")).unwrap();
    let o = run(&ts.scenario(), &["-o", other.to_str().unwrap()]);
    refused(&o, &[(&other.join("data.csv"), "keep")]);
}

#[test]
fn results_folder_is_replaced_but_not_when_something_was_added() {
    let ts = with_scenario(SCENARIO);
    let out = ts.path("out");
    run_ok(&ts.scenario(), &out, &["-n", "5"]);
    let marker = std::fs::read_to_string(out.join(MARKER)).unwrap();
    assert!(marker.starts_with(MARKER_HEADER) && marker.contains("\nsummary.json\n"), "{marker}");
    assert!(marker.contains("charts/"), "the charts are listed: {marker}");
    // Replaced as usual.
    run_ok(&ts.scenario(), &out, &["-n", "5"]);
    // A file added by hand, or a symbolic link, makes it the user's folder again.
    std::fs::write(out.join("notes.md"), "my notes").unwrap();
    let o = run(&ts.scenario(), &["-o", out.to_str().unwrap(), "-n", "5"]);
    let e = refused(&o, &[(&out.join("notes.md"), "my notes")]);
    assert_mentions(&e, &["notes.md", "did not write"]);
    std::fs::remove_file(out.join("notes.md")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", out.join("charts/extra.svg")).unwrap();
    let o = run(&ts.scenario(), &["-o", out.to_str().unwrap(), "-n", "5"]);
    let e = assert_input_error("symlink in results", &o);
    assert_mentions(&e, &["symbolic link"]);
    assert!(out.join("summary.json").exists());
}

#[test]
fn symlink_as_output_is_refused_and_called_a_link() {
    let ts = with_scenario(SCENARIO);
    let real = ts.path("real");
    run_ok(&ts.scenario(), &real, &["-n", "5"]);
    let link = ts.path("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&ts.scenario(), &["-o", link.to_str().unwrap(), "-n", "5"]);
    let e = assert_input_error("symlink -o", &o);
    assert_mentions(&e, &["symbolic link"]);
    assert!(!e.contains("it is a file"), "{e}");
    assert!(real.join("summary.json").exists() && link.exists());
}

// ---- 6. The output path is checked before the run ----

#[test]
fn file_in_the_output_path_is_refused_before_running() {
    let ts = with_scenario(SCENARIO);
    std::fs::write(ts.path("afile"), "keep").unwrap();
    let sub = ts.path("afile").join("sub");
    let o = run(&ts.scenario(), &["-o", sub.to_str().unwrap()]);
    let e = refused(&o, &[(&ts.path("afile"), "keep")]);
    assert_mentions(&e, &["afile", "is a file"]);
}

#[test]
fn dot_as_output_is_refused_before_running() {
    let ts = with_scenario(SCENARIO);
    let empty = ts.path("empty");
    std::fs::create_dir(&empty).unwrap();
    for out in [".", ".."] {
        let o = Command::new(env!("CARGO_BIN_EXE_permeate"))
            .args(["run", ts.scenario().to_str().unwrap(), "-q", "-n", "5", "-o", out])
            .current_dir(&empty)
            .output()
            .unwrap();
        let e = assert_input_error("-o .", &o);
        assert_mentions(&e, &["no folder of its own"]);
    }
    assert!(empty.exists() && ts.scenario().exists());
}

// ---- 5. Interrupted runs leave nothing behind ----

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-") || n.contains(".probe-"))
        .collect()
}

/// A pid that no process has (so its temporary folders are stale).
fn dead_pid() -> u32 {
    (4_000_000..4_100_000).find(|p| !Path::new(&format!("/proc/{p}")).exists()).unwrap()
}

#[test]
fn signal_during_the_write_leaves_no_temporary_folder() {
    // A run whose write step takes a moment (100,000 replications per variant).
    let ts = with_scenario(SCENARIO);
    for (attempt, signal) in ["TERM", "INT", "TERM", "INT"].iter().enumerate() {
        let dir = ts.path(&format!("try{attempt}"));
        std::fs::create_dir(&dir).unwrap();
        let out = dir.join("out");
        if attempt >= 2 {
            // Previous results must come back whole.
            run_ok(&ts.scenario(), &out, &["-n", "5"]);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
            .args(["run", ts.scenario().to_str().unwrap(), "-q", "-n", "100000", "-j", "2", "-o"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let tmp = dir.join(format!(".out.tmp-{}", child.id()));
        // Signal as soon as the temporary folder appears (or the run has ended).
        while !tmp.exists() && child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        let status = child.wait().unwrap();
        assert!(matches!(status.code(), Some(0) | Some(130) | Some(143)), "attempt {attempt}: exit status {status:?}");
        assert_eq!(temporaries(&dir), Vec::<String>::new(), "attempt {attempt}: left behind");
        if attempt >= 2 || status.code() == Some(0) {
            assert!(out.join("summary.json").is_file(), "attempt {attempt}: the results are gone");
            assert!(out.join(MARKER).is_file());
        }
    }
}

#[test]
fn stale_temporary_folders_of_dead_processes_are_removed() {
    let ts = with_scenario(SCENARIO);
    let out = ts.path("out");
    let pid = dead_pid();
    // A temporary folder of a killed run: the marker and part of the files.
    let stale = ts.path(&format!(".out.tmp-{pid}"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join(MARKER), format!("{MARKER_HEADER}\nsummary.json\ncurve.csv\n")).unwrap();
    std::fs::write(stale.join("summary.json"), "{").unwrap();
    // One that holds something permeate did not write is left alone.
    let foreign = ts.path(&format!(".out.tmp-{}", pid + 1));
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("mine.txt"), "keep").unwrap();
    run_ok(&ts.scenario(), &out, &["-n", "5"]);
    assert!(!stale.exists(), "the stale temporary folder is removed");
    assert_eq!(std::fs::read_to_string(foreign.join("mine.txt")).unwrap(), "keep");
}

// ---- 7. Bounded work: -j ----

#[test]
fn huge_thread_count_is_capped_with_a_note() {
    let ts = with_scenario(SCENARIO);
    let start = Instant::now();
    let o = run(&ts.scenario(), &["-o", ts.path("out").to_str().unwrap(), "-n", "50", "-j", "10000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_mentions(&String::from_utf8_lossy(&o.stderr), &["-j 10000 capped at"]);
    assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
}

// ---- 2. Refuse before allocating ----

/// A generated organisation of about `people` people with `ties` cross-team ties per person.
fn generated(teams: u32, team_size: u32, ties: &str, extra: &str) -> TempScenario {
    let text = format!(
        "name = \"g\"\nreplications = 2\n{extra}\n[organisation.generate]\nmanagement = 1\ncross_team_ties = {ties}\n\
         [[organisation.generate.units]]\nname = \"development\"\nteams = {teams}\nteam_size = {team_size}\nmember_role = \"developer\"\n\
         [channels.team_chat]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[channels.one_on_one]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\
         [channels.leads_meeting]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[channels.management_meeting]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\
         [channels.chat]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[source]\nrole = \"developer\"\n"
    );
    TempScenario::new(&[("scenario.toml", &text)])
}

#[test]
fn generator_ties_beyond_the_limits_are_refused_at_once() {
    // 100,000 people with 100,000 ties each: billions of links.
    let ts = generated(10_000, 9, "100000", "");
    let start = Instant::now();
    let e = assert_input_error("check", &permeate(&["check", ts.scenario().to_str().unwrap()]));
    assert_mentions(&e, &["organisation.generate.cross_team_ties", "50 million links"]);
    let o = run(&ts.scenario(), &["-o", ts.path("out").to_str().unwrap()]);
    assert_input_error("run", &o);
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    // Within the link limit but above --max-memory: refused too, naming the estimate.
    let ts = generated(1_000, 9, "20", "");
    let o = run(&ts.scenario(), &["-o", ts.path("out").to_str().unwrap(), "--max-memory", "1M"]);
    let e = assert_input_error("run", &o);
    assert_mentions(&e, &["organisation.generate", "estimated", "--max-memory", "cross_team_ties"]);
}

#[test]
fn generator_bridges_between_large_groups_are_refused_at_once() {
    // 500,000 developers, each bridged to one other: the generator would rank 500,000 partners
    // for each of them (hours of work).
    let bridge = "[[organisation.generate.bridges]]\nfrom_unit = \"development\"\nto_unit = \"development\"\nchannel = \"chat\"\n";
    let ts = generated(50_000, 9, "0", "");
    let text = std::fs::read_to_string(ts.scenario()).unwrap() + bridge;
    std::fs::write(ts.scenario(), text).unwrap();
    let start = Instant::now();
    let e = assert_input_error("check", &permeate(&["check", ts.scenario().to_str().unwrap()]));
    assert_mentions(&e, &["organisation.generate.bridges", "from_role/to_role"]);
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
}

#[test]
fn sweep_points_times_replications_beyond_memory_are_refused_before_running() {
    let values: Vec<String> = (0..40).map(|i| format!("{:.3}", 0.5 + f64::from(i) / 100.0)).collect();
    let text = format!("{SCENARIO}\n[sweep]\n\"channels.chat.transmit\" = [{}]\n", values.join(", "));
    let ts = TempScenario::new(&[("scenario.toml", &text), ("people.csv", PEOPLE), ("links.csv", LINKS)]);
    let start = Instant::now();
    let o = run(&ts.scenario(), &["-o", ts.path("out").to_str().unwrap(), "-n", "10000000", "--max-memory", "4G"]);
    let e = assert_input_error("run", &o);
    assert_mentions(&e, &["replications", "10000000", "42 variants and sweep points", "--max-memory"]);
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    assert!(!ts.path("out").exists());
}

#[test]
fn curve_grid_times_threads_beyond_memory_is_refused() {
    let mut people = String::from("id,unit,role\ncommunity,external,community\n");
    let mut links = String::from("source,target,channel\n");
    for i in 0..2003 {
        people += &format!("d{i},development,developer\n");
        links += &format!("community,d{i},feed\n");
    }
    let text = "name = \"grid\"\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.feed]\ndelay = { dist = \"exponential\", mean = 2.0 }\n[output]\ncurve_points = 10000\n";
    let ts = TempScenario::new(&[("scenario.toml", text), ("people.csv", &people), ("links.csv", &links)]);
    let out = ts.path("out");
    // The engine keeps one shared curve accumulator (≈ 40 MB here), not one per thread: more
    // threads no longer multiply it (the 2.7 GB at -j 32), so 8 threads fit in 1 GB ...
    let estimate = |j: usize| {
        let s = ts.load();
        permeate::study::memory::estimate_run(&permeate::study::Plan::of(&s).unwrap(), j).total()
    };
    assert!(estimate(32) - estimate(2) < 30 * (40 << 20) / 10, "per-thread memory must not scale with the curve grid");
    let ok = run(&ts.scenario(), &["-o", out.to_str().unwrap(), "-n", "40", "-j", "8", "--max-memory", "1G"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // ... and a bound below the shared accumulator is still refused before the run, naming the key.
    let small = ts.path("small");
    let o = run(&ts.scenario(), &["-o", small.to_str().unwrap(), "-n", "400", "-j", "8", "--max-memory", "30M"]);
    let e = assert_input_error("run", &o);
    assert_mentions(&e, &["output.curve_points", "10000", "threads (-j)"]);
    let bad = run(&ts.scenario(), &["-o", out.to_str().unwrap(), "--max-memory", "lots"]);
    assert_mentions(&assert_input_error("--max-memory lots", &bad), &["8G"]);
}

/// The report's "Organisation and assumptions" states what the numbers rest on with calendars
/// (issue 21): the working calendars with their time zones, working hours, holidays and people,
/// when the item appears, a scheduled channel as a meeting with its mean wait (E/2 clock hours,
/// the meeting's moment being uniform) instead of its bare delay, and each role's absence.
/// Helix has three calendars (227 people in Munich), a fixed Friday 15:00 start, weekly and
/// fortnightly meetings and 5% absence.
///
/// Broken versions seen to fail: the facts without calendars (no table); the wait as E instead
/// of E/2 ("168.0 h"); the absent column read from the scenario-wide default only (the
/// community's 0% shown as 5%).
#[test]
fn the_assumptions_state_calendars_start_meetings_and_absence() {
    let (_tmp, out) = super::common::run_into_temp(&super::common::bundled("helix.toml"), &["-n", "20"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let a = html.find("id=\"assumptions\"").expect("the assumptions section");
    let section = &html[a..];
    for wanted in [
        "when the item appears</th><td>fixed: Friday 2026-11-27 15:00 (Europe/Berlin)</td>",
        "<caption>Working calendars: processing counts working time only</caption>",
        "<tr><td>munich</td><td>Europe/Berlin</td><td>Mon-Fri 08:30-12:30, 13:30-17:30, 6 holidays (2026-12-24 … 2027-01-06)</td><td class=\"num\">227</td></tr>",
        "meets every 168 h (the first meeting at a random moment, per replication); then fixed 0 h",
        "after a wait of 84.0 h",
        "meets every 336 h",
        "after a wait of 168.0 h",
        "<th class=\"num\">absent</th>",
    ] {
        assert!(section.contains(wanted), "missing {wanted:?}");
    }
    let community = section.find("<tr><td>community</td>").expect("the community role's row");
    let row = &section[community..community + section[community..].find("</tr>").unwrap()];
    assert!(row.ends_with("<td class=\"num\">0%</td>"), "the community's absence: {row}");
    let developer = section.find("<tr><td>developer</td>").expect("the developer row");
    let row = &section[developer..developer + section[developer..].find("</tr>").unwrap()];
    assert!(row.ends_with("<td class=\"num\">5%</td>"), "the developers' absence: {row}");
}
