//! Hostile, big and careless input (issue 10): each test is a case that used to crash, hang,
//! exhaust memory, delete data or mislead, and must now be refused early with exit status 2 and a
//! message for people — or, for valid input, work.

use std::path::Path;

use super::bad_input::{
    LINKS, PEOPLE, SCENARIO, assert_at, assert_mentions, bad, edit, line_of, permeate, run_bad_file, with_csv,
    with_scenario, with_variant,
};
use super::common::TempScenario;

/// Asserts that a message says nothing in Rust's words (type names of the reader).
fn assert_plain(stderr: &str) {
    for rust in ["Raw", "enum", "struct", "u64", "u32", "f64", "untagged", "OneOrMany"] {
        assert!(!stderr.contains(rust), "the message should not mention {rust:?}; it is:\n{stderr}");
    }
}

// ---- 1. Crash: recursion proportional to the input ----

#[test]
fn set_path_with_100000_segments_is_refused_not_a_stack_overflow() {
    let path = format!("roles.community{}", ".a".repeat(100_000));
    let text = with_variant(&format!("name = \"deep\"\nset = {{ \"{path}\" = 1 }}"));
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["variant \"deep\"", "set.roles.community", "channels.chat.transmit"]);
    assert!(e.len() < 2000, "the message should not echo the whole path:\n{e}");
}

#[test]
fn set_path_longer_than_256_bytes_is_refused() {
    let path = format!("channels.{}.transmit", "c".repeat(300));
    let text = with_variant(&format!("name = \"long\"\nset = {{ \"{path}\" = 1 }}"));
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["variant \"long\"", "256 bytes"]);
}

#[test]
fn deeply_nested_toml_says_so_in_plain_words() {
    for nested in [format!("x{} = 1", ".a".repeat(10_000)), format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000))]
    {
        let e = bad(&with_scenario(&format!("{SCENARIO}\n{nested}\n")));
        assert_mentions(&e, &["scenario.toml", "nested too deeply"]);
    }
}

// ---- 3. Only regular files ----

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo").success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn fifo_as_people_file_is_refused_not_a_hang() {
    let ts = TempScenario::new(&[("scenario.toml", SCENARIO), ("links.csv", LINKS)]);
    mkfifo(&ts.path("people.csv"));
    let e = bad(&ts);
    assert_mentions(&e, &["people.csv", "not a regular file", "named pipe"]);
}

#[test]
fn fifo_as_scenario_is_refused_not_a_hang() {
    let ts = with_scenario(SCENARIO);
    let fifo = ts.path("pipe.toml");
    mkfifo(&fifo);
    let e = run_bad_file(&ts, &fifo, &[]);
    assert_mentions(&e, &["pipe.toml", "not a regular file"]);
}

#[test]
fn dev_zero_as_people_or_scenario_is_refused() {
    let text = edit(SCENARIO, "people = \"people.csv\"", "people = \"/dev/zero\"");
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["/dev/zero", "device"]);
    let ts = with_scenario(SCENARIO);
    let e = run_bad_file(&ts, Path::new("/dev/zero"), &[]);
    assert_mentions(&e, &["/dev/zero", "device"]);
}

#[test]
fn symlink_to_a_regular_file_is_read() {
    let ts = TempScenario::new(&[("scenario.toml", SCENARIO), ("real-people.csv", PEOPLE), ("links.csv", LINKS)]);
    std::os::unix::fs::symlink(ts.path("real-people.csv"), ts.path("people.csv")).unwrap();
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn scenario_file_above_16_mib_is_refused_before_reading_it() {
    let ts = with_scenario(SCENARIO);
    let big = format!("{SCENARIO}\n{}", "# padding padding padding padding padding padding padding\n".repeat(300_000));
    std::fs::write(ts.scenario(), big).unwrap();
    let e = bad(&ts);
    assert_mentions(&e, &["scenario.toml", "16777216 bytes"]);
}

#[test]
fn missing_scenario_gets_no_hint_about_paths_inside_a_scenario() {
    let ts = with_scenario(SCENARIO);
    let e = run_bad_file(&ts, &ts.path("nope.toml"), &[]);
    assert_mentions(&e, &["nope.toml", "command line"]);
    assert!(!e.contains("paths inside a scenario"), "{e}");
    // A missing CSV file keeps the hint.
    let text = edit(SCENARIO, "people = \"people.csv\"", "people = \"nope.csv\"");
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["nope.csv", "paths inside a scenario"]);
}

// ---- 8. Exact line numbers in CSV files ----

#[test]
fn csv_errors_name_the_right_line_after_blank_and_comment_lines() {
    let people = "# the org chart\nid,unit,role\n\n# leadership\ncommunity,external,community\n\n\ncm,support,community_manager\n# devs\ncarol,development,team_lead\nalice,development,developer\nbob,development,developer\nbob,development,developer\n";
    let e = bad(&with_csv(people, LINKS));
    assert_at(&e, "people.csv", 13);
    let links =
        "source,target,channel\n# feed\ncommunity,cm,feed\n\n# chat\n\ncm,carol,chat\ncarol,alice,chat\ncarol,bob\n";
    let e = bad(&with_csv(PEOPLE, links));
    assert_at(&e, "links.csv", 9);
    let links = "source,target,channel\n\n#\ncommunity,cm,feed\ncm,carol,chat\n\ncarol,alice,chat\ncarol,nobody,chat\n";
    let e = bad(&with_csv(PEOPLE, links));
    assert_at(&e, "links.csv", 8);
}

#[test]
fn whitespace_only_lines_are_skipped_like_blank_ones() {
    let people = PEOPLE.replace("cm,support", "   \n\t\ncm,support");
    let links = LINKS.replace("cm,carol", "  \ncm,carol");
    let ts = with_csv(&people, &links);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("5 people"));
}

#[test]
fn cr_only_line_endings_with_a_leading_comment_are_read() {
    let people = format!("# exported\r{}", PEOPLE.replace('\n', "\r"));
    let links = format!("# exported\r{}", LINKS.replace('\n', "\r"));
    let ts = with_csv(&people, &links);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("5 people"));
    // And errors in such files name the right line.
    let bad_people = format!("# exported\r{}", PEOPLE.replace('\n', "\r").replace("bob,development,developer", "bob,"));
    let e = bad(&with_csv(&bad_people, LINKS));
    assert_at(&e, "people.csv", 7);
}

// ---- 9. Control characters in names ----

#[test]
fn control_characters_in_names_are_refused() {
    let cases = [
        with_variant("name = \"bad\\u0001name\""),
        with_variant("name = \"two\\nlines\""),
        edit(SCENARIO, "name = \"bad-input base\"", "name = \"bad\\u001bbase\""),
        edit(SCENARIO, "description = \"A small", "description = \"A \\u0007small"),
        with_variant("name = \"d\"\ndescription = \"x\\u0000y\""),
    ];
    for text in cases {
        let e = bad(&with_scenario(&text));
        assert_mentions(&e, &["control character"]);
        assert!(!e.contains('\u{1}') && !e.contains('\u{1b}') && !e.contains('\u{7}'), "echoed raw: {e:?}");
    }
    // A line break in a description is text, not a name: allowed.
    let text = edit(SCENARIO, "description = \"A small", "description = \"A\\nsmall");
    let o = permeate(&["check", with_scenario(&text).scenario().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn control_characters_in_csv_names_are_refused() {
    let people = edit(PEOPLE, "alice,development", "al\u{1}ice,development");
    let e = bad(&with_csv(&people, LINKS));
    assert_at(&e, "people.csv", line_of(&people, "ice,development"));
    assert_mentions(&e, &["`id`", "control character", "U+0001"]);
    let links = edit(LINKS, "cm,carol,chat", "cm,carol,ch\u{7f}at");
    let e = bad(&with_csv(PEOPLE, &links));
    assert_mentions(&e, &["links.csv", "`channel`", "U+007F"]);
    // A header column with a line break (a quoted field across lines) is echoed on one line.
    let e = bad(&with_csv(&PEOPLE.replace("id,unit,role", "\"i\nd\",unit,role"), LINKS));
    assert_mentions(&e, &["unknown key `i\\nd`"]);
    let text = format!("{SCENARIO}\n[channels.\"c\\u0002\"]\ndelay = {{ dist = \"fixed\", value = 1 }}\n");
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["control character", "U+0002"]);
}

// ---- 10. Messages for people ----

#[test]
fn type_errors_say_what_is_expected_with_an_example() {
    let cases = [
        (edit(SCENARIO, "role = \"developer\"", "role = 5"), "[\"developer\", \"team_lead\"]"),
        (edit(SCENARIO, "delay = { dist = \"exponential\", rate = 0.5 }", "delay = 5"), "dist = \"exponential\""),
        (format!("{SCENARIO}\n[channels]\nbroken = 5\n"), "delay = {"),
        (edit(SCENARIO, "replications = 20", "replications = \"many\""), "e.g. 1000"),
        (format!("source = 3\n{}", edit(SCENARIO, "[source]\nid = \"community\"\n", "")), "e.g. { role"),
    ];
    for (text, example) in cases {
        let e = bad(&with_scenario(&text));
        assert_plain(&e);
        assert_mentions(&e, &[example]);
    }
}

#[test]
fn rate_whose_mean_is_infinite_is_refused_like_an_infinite_mean() {
    let text = edit(SCENARIO, "rate = 0.5", "rate = 5e-324");
    let e = bad(&with_scenario(&text));
    assert_at(&e, "scenario.toml", line_of(&text, "rate = 5e-324"));
    assert_mentions(&e, &["channels.chat.delay", "rate"]);
}

#[test]
fn numbers_in_messages_are_short() {
    let text = edit(SCENARIO, "transmit = 0.9", "transmit = 1e300");
    let e = bad(&with_scenario(&text));
    assert_mentions(&e, &["1e300"]);
    assert!(!e.contains("00000000000"), "{e}");
    for (from, to) in [("horizon_hours = 200", "horizon_hours = -1e300"), ("rate = 0.5", "rate = -1e-300")] {
        let e = bad(&with_scenario(&edit(SCENARIO, from, to)));
        assert_mentions(&e, &[to.split(" = ").nth(1).unwrap()]);
        assert!(!e.contains("00000000000"), "{e}");
    }
}

#[test]
fn community_manager_who_is_the_community_node_is_refused() {
    let e = bad(&with_scenario(&format!("{SCENARIO}\n[community_manager]\nid = \"community\"\n")));
    assert_mentions(&e, &["community_manager", "community node"]);
}

#[test]
fn file_error_caused_by_a_variant_names_the_variant() {
    let e =
        bad(&with_scenario(&with_variant("name = \"other org\"\nset = { \"organisation.people\" = \"nope.csv\" }")));
    assert_mentions(&e, &["nope.csv", "variant \"other org\""]);
}

#[test]
fn duplicate_links_are_counted_once_in_check() {
    let links = format!("{LINKS}carol,alice,chat\nalice,carol,chat\n");
    let ts = with_csv(PEOPLE, &links);
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("5 people, 4 links"), "{stdout}");
}
