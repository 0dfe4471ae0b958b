//! Bad input: every invalid scenario, CSV file or argument gives exit status 2, a message on
//! stderr that names the file, the line (TOML) or row (CSV) and the key or column, never a panic,
//! and no results folder.
//!
//! Each test starts from one small valid scenario (`SCENARIO`, `PEOPLE`, `LINKS`) and changes one
//! thing. Expected line numbers are computed from the mutated text, so the tests do not depend on
//! the exact layout of the base files.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::TempScenario;

/// The base organisation: the community, a community manager, a team lead and two developers.
pub(crate) const PEOPLE: &str = "\
id,unit,role
community,external,community
cm,support,community_manager
carol,development,team_lead
alice,development,developer
bob,development,developer
";

pub(crate) const LINKS: &str = "\
source,target,channel
community,cm,feed
cm,carol,chat
carol,alice,chat
carol,bob,chat
";

/// The base scenario: valid, with one valid variant (so bad variants are not the first one).
pub(crate) const SCENARIO: &str = r#"name = "bad-input base"
description = "A small valid scenario that the bad-input tests mutate."
seed = 7
replications = 20
horizon_hours = 200

[organisation]
people = "people.csv"
links = "links.csv"

[channels.chat]
delay = { dist = "exponential", rate = 0.5 }
transmit = 0.9
notice = 0.8

[channels.feed]
delay = { dist = "lognormal", median = 2.0, sigma = 0.5 }

[roles.developer]
notice = 0.9
processing = { dist = "gamma", shape = 2.0, scale = 1.0 }
window = { dist = "weibull", shape = 1.5, scale = 40.0 }

[source]
id = "community"

[target]
role = "developer"
threshold = 0.8

[[variants]]
name = "reliable chat"
set = { "channels.chat.transmit" = 1.0 }
"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `text` with the first occurrence of `from` replaced by `to`; the pattern must be there.
pub(crate) fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "test setup: {from:?} is not in the base text:\n{text}");
    text.replacen(from, to, 1)
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("test setup: {needle:?} is not in:\n{text}"))
}

/// The base files with `scenario.toml` replaced.
pub(crate) fn with_scenario(scenario: &str) -> TempScenario {
    TempScenario::new(&[("scenario.toml", scenario), ("people.csv", PEOPLE), ("links.csv", LINKS)])
}

/// The base files with the people and links files replaced.
pub(crate) fn with_csv(people: &str, links: &str) -> TempScenario {
    TempScenario::new(&[("scenario.toml", SCENARIO), ("people.csv", people), ("links.csv", links)])
}

/// Runs the `permeate` binary with `args`, killing it (and failing the test) if it has not
/// finished within a minute: invalid input must be rejected at once, not hang the suite.
pub(crate) fn permeate(args: &[&str]) -> Output {
    let limit = Duration::from_secs(60);
    let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run permeate");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for permeate") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
            panic!("permeate {args:?} did not finish within {limit:?} (killed); stderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

/// Asserts that `output` is a clean invalid-input failure: exit status 2, no panic, a message.
pub(crate) fn assert_input_error(what: &str, output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!stderr.contains("panicked") && !stdout.contains("panicked"), "{what}: the program panicked:\n{stderr}");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{what}: expected exit status 2 (invalid input), got {:?}\nstderr:\n{stderr}\nstdout:\n{stdout}",
        output.status.code()
    );
    assert!(!stderr.trim().is_empty(), "{what}: exit status 2 but no message on stderr");
    stderr
}

/// Runs `permeate run scenario.toml -o <dir>/out -q EXTRA...`, asserts a clean invalid-input
/// failure and that no results folder was created; returns stderr.
pub(crate) fn run_bad(ts: &TempScenario, extra: &[&str]) -> String {
    run_bad_file(ts, &ts.scenario(), extra)
}

pub(crate) fn run_bad_file(ts: &TempScenario, scenario: &Path, extra: &[&str]) -> String {
    let out = ts.path("out");
    let mut args = vec!["run", scenario.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    let o = permeate(&args);
    let stderr = assert_input_error("permeate run", &o);
    assert!(!out.exists(), "a results folder was created for invalid input ({}); stderr:\n{stderr}", out.display());
    stderr
}

/// [`run_bad`] plus `permeate check`, which must fail the same way; returns the run's stderr.
pub(crate) fn bad(ts: &TempScenario) -> String {
    let stderr = run_bad(ts, &[]);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let check_stderr = assert_input_error("permeate check", &o);
    assert_eq!(check_stderr, stderr, "`permeate check` and `permeate run` report the same input error differently");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("ok:"), "`permeate check` says ok for invalid input");
    stderr
}

/// Asserts that `stderr` contains every one of `parts`.
pub(crate) fn assert_mentions(stderr: &str, parts: &[&str]) {
    for p in parts {
        assert!(stderr.contains(p), "the message should mention {p:?}; it is:\n{stderr}");
    }
}

/// True when `stderr` names `file` at `line` as `file:line` (not followed by another digit).
pub(crate) fn has_location(stderr: &str, file: &str, line: usize) -> bool {
    let needle = format!("{file}:{line}");
    stderr
        .match_indices(&needle)
        .any(|(i, _)| !stderr[i + needle.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Asserts that `stderr` names `file` at `line` as `file:line`.
pub(crate) fn assert_at(stderr: &str, file: &str, line: usize) {
    assert!(
        has_location(stderr, file, line),
        "the message should name `{file}:{line}` (file and line); it is:\n{stderr}"
    );
}

/// Appends a `[[variants]]` table to the base scenario.
pub(crate) fn with_variant(body: &str) -> String {
    with_variant_in(SCENARIO, body)
}

/// Appends a `[[variants]]` table to `text`.
pub(crate) fn with_variant_in(text: &str, body: &str) -> String {
    format!("{text}\n[[variants]]\n{body}\n")
}

// ---------------------------------------------------------------------------------------------
// The base is valid (so every failure below is due to its one change)
// ---------------------------------------------------------------------------------------------

#[test]
fn base_scenario_is_valid_and_runs() {
    let ts = with_scenario(SCENARIO);
    let out = ts.path("out");
    super::common::run_ok(&ts.scenario(), &out, &["-n", "5"]);
    assert!(out.join("summary.json").exists());
}

// ---------------------------------------------------------------------------------------------
// Scenario file: syntax, keys
// ---------------------------------------------------------------------------------------------

#[test]
fn toml_syntax_error_names_line() {
    let text = edit(SCENARIO, "transmit = 0.9", "transmit = = 0.9");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "transmit = = 0.9"));
}

#[test]
fn toml_unterminated_string_names_line() {
    let text = edit(SCENARIO, "id = \"community\"", "id = \"community");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "id = \"community"));
}

#[test]
fn unknown_top_level_key_suggests_closest() {
    let text = edit(SCENARIO, "replications = 20", "replicatons = 20");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "replicatons"));
    assert_mentions(&e, &["replicatons", "hint", "`replications`"]);
}

#[test]
fn unknown_channel_key_suggests_closest() {
    let text = edit(SCENARIO, "transmit = 0.9", "trasmit = 0.9");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "trasmit = 0.9"));
    assert_mentions(&e, &["trasmit", "hint", "`transmit`"]);
}

#[test]
fn unknown_role_key_suggests_closest() {
    let text = edit(SCENARIO, "notice = 0.9", "notise = 0.9");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "notise = 0.9"));
    assert_mentions(&e, &["notise", "`notice`"]);
}

#[test]
fn channel_without_delay_is_missing_key() {
    let text = edit(SCENARIO, "delay = { dist = \"exponential\", rate = 0.5 }\n", "");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    // The line of the `[channels.chat]` table that lacks it.
    assert_at(&e, "scenario.toml", line_of(&text, "[channels.chat]"));
    assert_mentions(&e, &["delay", "missing"]);
}

#[test]
fn scenario_without_name_is_missing_key() {
    let text = edit(SCENARIO, "name = \"bad-input base\"\n", "");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_mentions(&e, &["scenario.toml", "`name`", "missing"]);
}

#[test]
fn organisation_without_links_is_missing_key() {
    let text = edit(SCENARIO, "links = \"links.csv\"\n", "");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "[organisation]"));
    assert_mentions(&e, &["links", "missing"]);
}

#[test]
fn wrong_value_type_names_key_and_line() {
    let text = edit(SCENARIO, "replications = 20", "replications = \"many\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "replications = \"many\""));
    assert_mentions(&e, &["replications"]);
}

#[test]
fn negative_replications_names_key_and_line() {
    let text = edit(SCENARIO, "replications = 20", "replications = -5");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "replications = -5"));
    assert_mentions(&e, &["replications"]);
}

#[test]
fn empty_scenario_file() {
    let ts = with_scenario("");
    let e = bad(&ts);
    assert_mentions(&e, &["scenario.toml", "empty"]);
}

#[test]
fn missing_scenario_file_names_path() {
    let ts = with_scenario(SCENARIO);
    let missing = ts.path("no-such-scenario.toml");
    let e = run_bad_file(&ts, &missing, &[]);
    assert_mentions(&e, &["no-such-scenario.toml"]);
}

#[test]
fn scenario_path_is_a_directory() {
    let ts = with_scenario(SCENARIO);
    let dir = ts.path("a-folder");
    std::fs::create_dir(&dir).unwrap();
    let e = run_bad_file(&ts, &dir, &[]);
    assert_mentions(&e, &["a-folder"]);
}

// ---------------------------------------------------------------------------------------------
// Probabilities
// ---------------------------------------------------------------------------------------------

#[test]
fn transmit_above_one_names_key_and_line() {
    let text = edit(SCENARIO, "transmit = 0.9", "transmit = 1.5");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "transmit = 1.5"));
    assert_mentions(&e, &["channels.chat.transmit", "1.5"]);
}

#[test]
fn channel_notice_below_zero_names_key_and_line() {
    let text = edit(SCENARIO, "notice = 0.8", "notice = -0.1");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "notice = -0.1"));
    assert_mentions(&e, &["channels.chat.notice", "-0.1"]);
}

#[test]
fn role_notice_above_one_names_key_and_line() {
    let text = edit(SCENARIO, "notice = 0.9", "notice = 2");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "notice = 2"));
    assert_mentions(&e, &["roles.developer.notice"]);
}

#[test]
fn nan_probability_is_rejected() {
    let text = edit(SCENARIO, "transmit = 0.9", "transmit = nan");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "transmit = nan"));
    assert_mentions(&e, &["channels.chat.transmit"]);
}

// ---------------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_rate_is_rejected() {
    let text = edit(SCENARIO, "rate = 0.5", "rate = 0");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "rate = 0 }"));
    assert_mentions(&e, &["channels.chat.delay", "rate"]);
}

#[test]
fn nan_mean_is_rejected() {
    let text = edit(SCENARIO, "rate = 0.5", "mean = nan");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "mean = nan"));
    assert_mentions(&e, &["channels.chat.delay", "mean"]);
}

#[test]
fn negative_sigma_is_rejected() {
    let text = edit(SCENARIO, "sigma = 0.5", "sigma = -1");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "sigma = -1"));
    assert_mentions(&e, &["channels.feed.delay", "sigma"]);
}

#[test]
fn infinite_scale_is_rejected() {
    let text = edit(SCENARIO, "scale = 1.0", "scale = inf");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "scale = inf"));
    assert_mentions(&e, &["roles.developer.processing", "scale"]);
}

#[test]
fn zero_weibull_shape_in_window_is_rejected() {
    let text = edit(SCENARIO, "shape = 1.5", "shape = 0");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "shape = 0,"));
    assert_mentions(&e, &["roles.developer.window", "shape"]);
}

#[test]
fn uniform_min_above_max_is_rejected() {
    let text = edit(
        SCENARIO,
        "{ dist = \"lognormal\", median = 2.0, sigma = 0.5 }",
        "{ dist = \"uniform\", min = 5, max = 1 }",
    );
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "min = 5"));
    assert_mentions(&e, &["channels.feed.delay", "min", "max"]);
}

#[test]
fn unknown_distribution_name() {
    let text = edit(SCENARIO, "{ dist = \"exponential\", rate = 0.5 }", "{ dist = \"normal\", rate = 0.5 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"normal\""));
    assert_mentions(&e, &["\"normal\"", "delay"]);
}

#[test]
fn exponential_with_rate_and_mean() {
    let text = edit(SCENARIO, "rate = 0.5", "rate = 0.5, mean = 2");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "rate = 0.5, mean = 2"));
    assert_mentions(&e, &["channels.chat.delay", "rate", "mean"]);
}

#[test]
fn distribution_with_wrong_parameter_name() {
    // `rate` is not a parameter of a lognormal.
    let text = edit(SCENARIO, "median = 2.0, sigma = 0.5", "rate = 2.0");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"lognormal\", rate"));
    assert_mentions(&e, &["rate"]);
}

// ---------------------------------------------------------------------------------------------
// Target, replications, horizon; command-line arguments
// ---------------------------------------------------------------------------------------------

#[test]
fn threshold_zero_is_rejected() {
    let text = edit(SCENARIO, "threshold = 0.8", "threshold = 0");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "threshold = 0"));
    assert_mentions(&e, &["target.threshold"]);
}

#[test]
fn threshold_above_one_is_rejected() {
    let text = edit(SCENARIO, "threshold = 0.8", "threshold = 1.5");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "threshold = 1.5"));
    assert_mentions(&e, &["target.threshold", "1.5"]);
}

#[test]
fn zero_replications_in_file() {
    let text = edit(SCENARIO, "replications = 20", "replications = 0");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "replications = 0"));
    assert_mentions(&e, &["replications"]);
}

#[test]
fn non_positive_horizon_in_file() {
    let text = edit(SCENARIO, "horizon_hours = 200", "horizon_hours = -1");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "horizon_hours = -1"));
    assert_mentions(&e, &["horizon_hours"]);
}

#[test]
fn nan_threshold_is_rejected() {
    let text = edit(SCENARIO, "threshold = 0.8", "threshold = nan");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "threshold = nan"));
    assert_mentions(&e, &["target.threshold"]);
}

#[test]
fn output_curve_points_out_of_range() {
    let text = format!("{SCENARIO}\n[output]\ncurve_points = 1\n");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "curve_points = 1"));
    assert_mentions(&e, &["curve_points"]);
}

#[test]
fn zero_replications_on_command_line() {
    let ts = with_scenario(SCENARIO);
    let e = run_bad(&ts, &["-n", "0"]);
    assert_mentions(&e, &["--replications"]);
}

#[test]
fn zero_threads_on_command_line() {
    let ts = with_scenario(SCENARIO);
    let e = run_bad(&ts, &["--threads", "0"]);
    assert_mentions(&e, &["--threads"]);
}

#[test]
fn non_numeric_replications_on_command_line() {
    let ts = with_scenario(SCENARIO);
    let e = run_bad(&ts, &["-n", "many"]);
    assert_mentions(&e, &["many"]);
}

#[test]
fn unknown_command_line_flag() {
    let ts = with_scenario(SCENARIO);
    let e = run_bad(&ts, &["--replicatons", "10"]);
    assert_mentions(&e, &["--replicatons"]);
}

#[test]
fn huge_replications_on_command_line_does_not_panic() {
    // u64::MAX replications times two variants overflows any count of replications.
    let ts = with_scenario(SCENARIO);
    let e = run_bad(&ts, &["-n", "18446744073709551615"]);
    assert_mentions(&e, &["--replications"]);
}

#[test]
fn huge_replications_in_file_does_not_panic() {
    // i64::MAX (the largest TOML integer) replications times three variants overflows.
    let text = edit(SCENARIO, "replications = 20", "replications = 9223372036854775807");
    let text = with_variant_in(&text, "name = \"third\"\nset = { \"channels.chat.transmit\" = 0.5 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "replications = 9223372036854775807"));
    assert_mentions(&e, &["replications"]);
}

// ---------------------------------------------------------------------------------------------
// links.csv
// ---------------------------------------------------------------------------------------------

#[test]
fn link_to_unknown_target_person_suggests_id() {
    let links = edit(LINKS, "carol,alice,chat", "carol,alcie,chat");
    let ts = with_csv(PEOPLE, &links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(&links, "alcie"));
    assert_mentions(&e, &["target", "\"alcie\"", "\"alice\""]);
}

#[test]
fn link_from_unknown_source_person_suggests_id() {
    let links = edit(LINKS, "carol,bob,chat", "carl,bob,chat");
    let ts = with_csv(PEOPLE, &links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(&links, "carl,bob"));
    assert_mentions(&e, &["source", "\"carl\"", "\"carol\""]);
}

#[test]
fn link_with_unknown_channel_names_row() {
    let links = edit(LINKS, "carol,bob,chat", "carol,bob,chta");
    let ts = with_csv(PEOPLE, &links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(&links, "chta"));
    assert_mentions(&e, &["channel", "\"chta\"", "\"chat\""]);
}

#[test]
fn link_with_invalid_direction() {
    let links = "\
source,target,channel,direction
community,cm,feed,forward
cm,carol,chat,both
carol,alice,chat,backward
carol,bob,chat,
";
    let ts = with_csv(PEOPLE, links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(links, "backward"));
    assert_mentions(&e, &["direction", "\"backward\""]);
}

#[test]
fn link_from_person_to_themself() {
    let links = edit(LINKS, "carol,bob,chat", "bob,bob,chat");
    let ts = with_csv(PEOPLE, &links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(&links, "bob,bob"));
}

#[test]
fn links_csv_missing_channel_column() {
    let links = "source,target\ncommunity,cm\ncm,carol\n";
    let ts = with_csv(PEOPLE, links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", 1);
    assert_mentions(&e, &["channel"]);
}

#[test]
fn links_csv_unknown_column() {
    let links = "source,target,channel,strength\ncommunity,cm,feed,1\n";
    let ts = with_csv(PEOPLE, links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", 1);
    assert_mentions(&e, &["strength", "weight"]);
}

#[test]
fn links_csv_not_utf8() {
    let ts = with_csv(PEOPLE, LINKS);
    std::fs::write(ts.path("links.csv"), b"source,target,channel\n\xff\xfe,x,y\n").unwrap();
    let e = bad(&ts);
    assert_at(&e, "links.csv", 2);
    assert_mentions(&e, &["UTF-8"]);
}

#[test]
fn links_csv_row_with_too_few_fields() {
    let links = edit(LINKS, "carol,alice,chat", "carol,alice");
    let ts = with_csv(PEOPLE, &links);
    let e = bad(&ts);
    assert_at(&e, "links.csv", line_of(&links, "carol,alice"));
}

#[test]
fn links_csv_empty() {
    let ts = with_csv(PEOPLE, "");
    let e = bad(&ts);
    assert_mentions(&e, &["links.csv", "empty"]);
}

// ---------------------------------------------------------------------------------------------
// people.csv
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_person_id_names_line() {
    let people = format!("{PEOPLE}bob,marketing,marketer\n");
    let ts = with_csv(&people, LINKS);
    let e = bad(&ts);
    assert_at(&e, "people.csv", line_of(&people, "bob,marketing"));
    assert_mentions(&e, &["\"bob\"", "id"]);
}

#[test]
fn people_csv_missing_role_column() {
    let people = "id,unit\ncommunity,external\ncm,support\n";
    let ts = with_csv(people, LINKS);
    let e = bad(&ts);
    assert_at(&e, "people.csv", 1);
    assert_mentions(&e, &["role"]);
}

#[test]
fn people_csv_unknown_column() {
    let people = edit(PEOPLE, "id,unit,role\n", "id,unit,role,team\n")
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.to_string() } else { format!("{l},x") })
        .collect::<Vec<_>>()
        .join("\n");
    let ts = with_csv(&people, LINKS);
    let e = bad(&ts);
    assert_at(&e, "people.csv", 1);
    assert_mentions(&e, &["team"]);
}

#[test]
fn people_csv_empty() {
    let ts = with_csv("", LINKS);
    let e = bad(&ts);
    assert_mentions(&e, &["people.csv", "empty"]);
}

#[test]
fn people_csv_header_only() {
    let ts = with_csv("id,unit,role\n", LINKS);
    let e = bad(&ts);
    assert_mentions(&e, &["people.csv", "no people"]);
}

#[test]
fn people_csv_empty_role_value() {
    let people = edit(PEOPLE, "bob,development,developer", "bob,development,");
    let ts = with_csv(&people, LINKS);
    let e = bad(&ts);
    assert_at(&e, "people.csv", line_of(&people, "bob,"));
    assert_mentions(&e, &["role"]);
}

#[test]
fn people_csv_bad_quoting_does_not_panic() {
    let people = edit(PEOPLE, "bob,development,developer", "\"bob,development,developer");
    let ts = with_csv(&people, LINKS);
    let e = bad(&ts);
    assert_mentions(&e, &["people.csv"]);
}

#[test]
fn missing_people_file_names_path() {
    let text = edit(SCENARIO, "people = \"people.csv\"", "people = \"staff.csv\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_mentions(&e, &["staff.csv"]);
}

#[test]
fn people_csv_with_bom_and_crlf_is_accepted() {
    // What spreadsheets write as "CSV UTF-8" (the error hint's advice) must be readable.
    let people = format!("\u{feff}{}", PEOPLE.replace('\n', "\r\n"));
    let ts = with_csv(&people, LINKS);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("5 people"));
}

// ---------------------------------------------------------------------------------------------
// Source and target selections
// ---------------------------------------------------------------------------------------------

#[test]
fn source_id_that_does_not_exist() {
    let text = edit(SCENARIO, "id = \"community\"", "id = \"nobody\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "id = \"nobody\""));
    assert_mentions(&e, &["source", "\"nobody\""]);
}

#[test]
fn source_id_typo_suggests_id() {
    let text = edit(SCENARIO, "id = \"community\"", "id = \"comunity\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "id = \"comunity\""));
    assert_mentions(&e, &["source", "\"comunity\"", "\"community\""]);
}

#[test]
fn source_selector_that_selects_nobody() {
    // Both the role and the unit exist, but nobody is a developer in support.
    let text = edit(SCENARIO, "id = \"community\"", "role = \"developer\"\nunit = \"support\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    let (first, last) = (line_of(&text, "[source]"), line_of(&text, "unit = \"support\""));
    assert!(
        (first..=last).any(|l| has_location(&e, "scenario.toml", l)),
        "the message should name a line of the [source] table ({first}..={last}):\n{e}"
    );
    assert_mentions(&e, &["source", "nobody"]);
}

#[test]
fn target_role_that_nobody_has() {
    let text = edit(SCENARIO, "role = \"developer\"", "role = \"tester\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "role = \"tester\""));
    assert_mentions(&e, &["target", "\"tester\""]);
}

#[test]
fn target_role_typo_suggests_role() {
    let text = edit(SCENARIO, "role = \"developer\"", "role = \"develper\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "role = \"develper\""));
    assert_mentions(&e, &["target.role", "\"develper\"", "\"developer\""]);
}

#[test]
fn target_selector_that_selects_nobody() {
    // There is a tester, but not in development.
    let people = format!("{PEOPLE}tina,qa,tester\n");
    let text = edit(SCENARIO, "role = \"developer\"", "role = \"tester\"\nunit = \"development\"");
    let ts = TempScenario::new(&[("scenario.toml", &text), ("people.csv", &people), ("links.csv", LINKS)]);
    let e = bad(&ts);
    let (first, last) = (line_of(&text, "[target]"), line_of(&text, "threshold"));
    assert!(
        (first..=last).any(|l| has_location(&e, "scenario.toml", l)),
        "the message should name a line of the [target] table ({first}..={last}):\n{e}"
    );
    assert_mentions(&e, &["target", "nobody"]);
}

#[test]
fn role_table_for_role_nobody_has() {
    let text = edit(SCENARIO, "[roles.developer]", "[roles.develper]");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "[roles.develper]"));
    assert_mentions(&e, &["\"develper\"", "\"developer\""]);
}

// ---------------------------------------------------------------------------------------------
// Community manager and involvement
// ---------------------------------------------------------------------------------------------

#[test]
fn community_manager_unknown_id_suggests_id() {
    let text = format!("{SCENARIO}\n[community_manager]\nid = \"cmm\"\n");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "id = \"cmm\""));
    assert_mentions(&e, &["community_manager.id", "\"cmm\"", "\"cm\""]);
}

#[test]
fn involvement_fraction_above_one() {
    let text = format!(
        "{SCENARIO}\n[channels.community_feed]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\n[involvement]\nfraction = 1.5\n"
    );
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "fraction = 1.5"));
    assert_mentions(&e, &["involvement.fraction"]);
}

// ---------------------------------------------------------------------------------------------
// Variants
// ---------------------------------------------------------------------------------------------

#[test]
fn variant_set_unknown_path() {
    let text = with_variant("name = \"typo\"\nset = { \"channels.chat.trasmit\" = 0.5 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"channels.chat.trasmit\""));
    assert_mentions(&e, &["variant \"typo\"", "channels.chat.trasmit", "`transmit`"]);
}

#[test]
fn variant_set_wrong_type() {
    let text = with_variant("name = \"wordy\"\nset = { \"channels.chat.transmit\" = \"high\" }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "= \"high\""));
    assert_mentions(&e, &["variant \"wordy\"", "channels.chat.transmit"]);
}

#[test]
fn variant_set_invalid_value() {
    let text = with_variant("name = \"too sure\"\nset = { \"channels.chat.transmit\" = 2.0 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    // The line of the override, not of the baseline's valid `transmit = 0.9`.
    assert_at(&e, "scenario.toml", line_of(&text, "\"channels.chat.transmit\" = 2.0"));
    assert_mentions(&e, &["variant \"too sure\"", "channels.chat.transmit", "2"]);
}

#[test]
fn variant_set_invalid_distribution_parameter() {
    let text =
        with_variant("name = \"stalled\"\nset = { \"channels.chat.delay\" = { dist = \"exponential\", rate = 0 } }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"channels.chat.delay\""));
    assert_mentions(&e, &["variant \"stalled\"", "channels.chat.delay", "rate"]);
}

#[test]
fn variant_set_scenario_wide_key() {
    let text = with_variant("name = \"reseeded\"\nset = { \"seed\" = 3 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"seed\" = 3"));
    assert_mentions(&e, &["variant \"reseeded\"", "seed"]);
}

#[test]
fn variant_add_links_unknown_person() {
    let text = with_variant(
        "name = \"direct line\"\nadd_links = [{ source = \"cm\", target = \"alcie\", channel = \"chat\" }]",
    );
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "target = \"alcie\""));
    assert_mentions(&e, &["variant \"direct line\"", "add_links", "target", "\"alcie\"", "\"alice\""]);
}

#[test]
fn variant_add_links_unknown_channel() {
    let text = with_variant(
        "name = \"hallway\"\nadd_links = [{ source = \"cm\", target = \"alice\", channel = \"hallway\" }]",
    );
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "channel = \"hallway\""));
    assert_mentions(&e, &["variant \"hallway\"", "add_links", "channel", "\"hallway\""]);
}

#[test]
fn variant_add_links_invalid_direction() {
    let text = with_variant(
        "name = \"one way\"\nadd_links = [{ source = \"cm\", target = \"alice\", channel = \"chat\", direction = \"backward\" }]",
    );
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "direction = \"backward\""));
    assert_mentions(&e, &["variant \"one way\"", "direction", "\"backward\""]);
}

#[test]
fn variant_set_path_through_a_value() {
    let text = with_variant("name = \"deep\"\nset = { \"channels.chat.transmit.x\" = 1 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "\"channels.chat.transmit.x\""));
    assert_mentions(&e, &["variant \"deep\"", "channels.chat.transmit.x"]);
}

#[test]
fn variant_named_baseline() {
    let text = with_variant("name = \"baseline\"");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_at(&e, "scenario.toml", line_of(&text, "name = \"baseline\""));
    assert_mentions(&e, &["baseline"]);
}

#[test]
fn sweep_point_with_invalid_value() {
    let text = format!("{SCENARIO}\n[sweep]\n\"channels.chat.transmit\" = [0.5, 1.5]\n");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    let (first, last) = (line_of(&text, "[sweep]"), line_of(&text, "[0.5, 1.5]"));
    assert!(
        (first..=last).any(|l| has_location(&e, "scenario.toml", l)),
        "the message should name a line of the [sweep] table ({first}..={last}):\n{e}"
    );
    assert_mentions(&e, &["channels.chat.transmit", "1.5"]);
}

#[test]
fn variant_with_duplicate_name() {
    let text = with_variant("name = \"reliable chat\"\nset = { \"channels.chat.transmit\" = 0.5 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("name = \"reliable chat\""))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap();
    assert_at(&e, "scenario.toml", line);
    assert_mentions(&e, &["reliable chat"]);
}

#[test]
fn variant_without_name() {
    let text = with_variant("set = { \"channels.chat.transmit\" = 0.5 }");
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_mentions(&e, &["scenario.toml", "name", "missing"]);
}

// ---------------------------------------------------------------------------------------------
// `permeate check`
// ---------------------------------------------------------------------------------------------

#[test]
fn check_bad_scenario_exits_2() {
    let text = edit(SCENARIO, "transmit = 0.9", "transmit = 1.5");
    let ts = with_scenario(&text);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let e = assert_input_error("permeate check", &o);
    assert_at(&e, "scenario.toml", line_of(&text, "transmit = 1.5"));
    assert_mentions(&e, &["channels.chat.transmit"]);
    assert!(!ts.path("results").exists());
}

#[test]
fn check_good_scenario_prints_organisation_summary() {
    let ts = with_scenario(SCENARIO);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "check of a valid scenario failed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for part in ["bad-input base", "5 people", "development", "developer", "chat", "feed", "reliable chat"] {
        assert!(stdout.contains(part), "the summary should mention {part:?}:\n{stdout}");
    }
    // `check` writes no results.
    assert!(!ts.path("results").exists() && !ts.path("out").exists());
}

/// A mistyped `--out` must never destroy a user's data: an existing file, or a folder that is
/// not a previous results folder, is refused with exit status 2 and left untouched.
#[test]
fn output_path_that_is_not_a_results_folder_is_refused() {
    let s = crate::common::TempScenario::new(&[
        (
            "scenario.toml",
            "name = \"o\"\nreplications = 3\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n[channels.chat]\ndelay = { dist = \"fixed\", value = 1 }\n",
        ),
        ("people.csv", "id,unit,role\nc,external,community\nd,dev,developer\n"),
        ("links.csv", "source,target,channel\nc,d,chat\n"),
    ]);
    let file = s.path("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let folder = s.path("documents");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("thesis.txt"), "keep me too").unwrap();
    for out in [&file, &folder] {
        let o = crate::common::permeate(&["run", s.scenario().to_str().unwrap(), "-q", "-o", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("will not replace"));
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(folder.join("thesis.txt")).unwrap(), "keep me too");
    // A previous results folder is replaced as usual.
    let results = s.path("results");
    for _ in 0..2 {
        let o =
            crate::common::permeate(&["run", s.scenario().to_str().unwrap(), "-q", "-o", results.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

// ---------------------------------------------------------------------------------------------
// Found in review: inputs that used to be silently wrong, crash or hang
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_id_lists_select_nobody() {
    for (section, body) in [("source", "id = []"), ("target", "id = []\nthreshold = 0.8")] {
        let text = SCENARIO.replace(
            if section == "source" {
                "[source]\nid = \"community\""
            } else {
                "[target]\nrole = \"developer\"\nthreshold = 0.8"
            },
            &format!("[{section}]\n{body}"),
        );
        let e = bad(&with_scenario(&text));
        assert_mentions(&e, &[&format!("{section}.id"), "selects nobody"]);
    }
}

#[test]
fn more_than_65535_roles_is_an_input_error() {
    let mut people = String::from("id,unit,role\ncommunity,external,community\n");
    for i in 0..65_600 {
        people += &format!("p{i},u,role{i}\n");
    }
    let links = "source,target,channel\ncommunity,p65535,feed\n";
    let text = SCENARIO
        .replace("[target]\nrole = \"developer\"", "[target]\nid = \"p65535\"")
        .replace("[[variants]]\nname = \"reliable chat\"\nset = { \"channels.chat.transmit\" = 1.0 }\n", "");
    let ts = TempScenario::new(&[("scenario.toml", &text), ("people.csv", &people), ("links.csv", links)]);
    let e = bad(&ts);
    assert_mentions(&e, &["65535", "roles"]);
}

#[test]
fn absurd_generator_settings_are_rejected_at_once() {
    let generated = |unit: &str, ties: &str| {
        format!(
            "name = \"g\"\nreplications = 2\n[organisation.generate]\nmanagement = 1\ncross_team_ties = {ties}\n\
             [[organisation.generate.units]]\nname = \"development\"\n{unit}\nmember_role = \"developer\"\n\
             [channels.team_chat]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[channels.one_on_one]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\
             [channels.leads_meeting]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[channels.management_meeting]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\
             [channels.chat]\ndelay = {{ dist = \"fixed\", value = 1 }}\n"
        )
    };
    // Overflowing u32 arithmetic, and a team whose clique alone has 20 billion links.
    for unit in
        ["teams = 65536\nteam_size = 65535", "teams = 1\nteam_size = 4294967295", "teams = 1\nteam_size = 200000"]
    {
        let ts = TempScenario::new(&[("scenario.toml", &generated(unit, "1.0"))]);
        let e = bad(&ts);
        assert_mentions(&e, &["organisation.generate", "import larger ones as CSV"]);
    }
    // Far more ties than pairs exist: capped, so the check is quick and the organisation valid.
    let ts = TempScenario::new(&[("scenario.toml", &generated("teams = 3\nteam_size = 4", "1e7"))]);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn curve_points_above_10000_are_rejected() {
    let e = bad(&with_scenario(&format!("{SCENARIO}\n[output]\ncurve_points = 100000\n")));
    assert_mentions(&e, &["output.curve_points", "10000"]);
}

#[test]
fn duplicate_csv_column_is_an_input_error() {
    let e = bad(&with_csv(&PEOPLE.replace("id,unit,role", "id,unit,role,role"), LINKS));
    assert_mentions(&e, &["people.csv", "role", "twice"]);
}

#[test]
fn variant_cannot_set_the_scenario_description() {
    let e = bad(&with_scenario(&with_variant("name = \"d\"\nset = { \"description\" = \"other\" }")));
    assert_mentions(&e, &["variant \"d\"", "description", "whole scenario"]);
}

// ---------------------------------------------------------------------------------------------
// The empirical distribution (issue 25 item 3)
// ---------------------------------------------------------------------------------------------

/// The base scenario with the chat delay replaced by `delay`.
fn with_chat_delay(delay: &str) -> String {
    edit(SCENARIO, "delay = { dist = \"exponential\", rate = 0.5 }", &format!("delay = {delay}"))
}

#[test]
fn empirical_quantiles_that_decrease_name_the_quantile_and_line() {
    let text = with_chat_delay("{ dist = \"empirical\", quantiles = [0.5, 2.0, 1.0] }");
    let e = bad(&with_scenario(&text));
    assert_at(&e, "scenario.toml", line_of(&text, "quantiles = [0.5"));
    assert_mentions(&e, &["channels.chat.delay", "quantile 3 (1) is smaller than quantile 2 (2)"]);
}

#[test]
fn empirical_needs_two_quantiles_and_exactly_one_source() {
    for (delay, says) in [
        ("{ dist = \"empirical\", quantiles = [3.0] }", "at least 2 values"),
        ("{ dist = \"empirical\", quantiles = [-1.0, 2.0] }", "quantile 1 is -1"),
        ("{ dist = \"empirical\" }", "exactly one of `quantiles`"),
        ("{ dist = \"empirical\", quantiles = [1.0, 2.0], file = \"w.csv\" }", "exactly one of `quantiles`"),
    ] {
        let text = with_chat_delay(delay);
        let e = bad(&with_scenario(&text));
        assert_at(&e, "scenario.toml", line_of(&text, "dist = \"empirical\""));
        assert_mentions(&e, &["channels.chat.delay", says]);
    }
}

#[test]
fn empirical_refuses_unknown_keys() {
    let text = with_chat_delay("{ dist = \"empirical\", quantiles = [1.0, 2.0], median = 1.5 }");
    let e = bad(&with_scenario(&text));
    assert_at(&e, "scenario.toml", line_of(&text, "dist = \"empirical\""));
    assert_mentions(&e, &["median"]);
    assert!(!e.contains("RawDist"), "a Rust type name in the message:\n{e}");
}

#[test]
fn empirical_file_errors_name_the_file_line_and_column() {
    let text = with_chat_delay("{ dist = \"empirical\", file = \"waits.csv\" }");
    let bad_file = |waits: &str| {
        let ts = TempScenario::new(&[
            ("scenario.toml", &text),
            ("people.csv", PEOPLE),
            ("links.csv", LINKS),
            ("waits.csv", waits),
        ]);
        bad(&ts)
    };
    // A value that is not a number, on line 4 (after a comment line).
    let e = bad_file("hours\n# from the import\n0.5\nsoon\n");
    assert_at(&e, "waits.csv", 4);
    assert_mentions(&e, &["hours", "\"soon\" is not a number"]);
    // A decreasing quantile names its own line.
    let e = bad_file("hours\n0.5\n3\n2\n");
    assert_at(&e, "waits.csv", 4);
    assert_mentions(&e, &["quantile 3 (2) is smaller"]);
    // No `hours` column.
    let e = bad_file("wait\n0.5\n3\n");
    assert_at(&e, "waits.csv", 1);
    assert_mentions(&e, &["no column `hours`"]);
    // Missing file.
    let ts = with_scenario(&text);
    let e = bad(&ts);
    assert_mentions(&e, &["waits.csv"]);
}

#[test]
fn empirical_from_quantiles_and_from_file_is_accepted() {
    let text = with_chat_delay("{ dist = \"empirical\", file = \"waits.csv\" }");
    let ts = TempScenario::new(&[
        ("scenario.toml", &text),
        ("people.csv", PEOPLE),
        ("links.csv", LINKS),
        ("waits.csv", "# quantiles at 0, 50 and 100%\nhours\n0.5\n2\n30\n"),
    ]);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = with_chat_delay("{ dist = \"empirical\", quantiles = [0.5, 2, 30] }");
    let ts = with_scenario(&text);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
