//! Hostile input, second trial (issue 20): the defects that the command context (defects 2, 4,
//! 5, 6, 8, 9, 10, 11; `tests/suite/context.rs`) does not close. Each test names its defect and
//! the broken version it was seen to fail against (the fix undone temporarily, then restored).

use std::path::Path;

use super::bad_input::{SCENARIO, assert_input_error, edit, permeate, with_scenario};
use super::common::read_text;

/// `[costs]` and `[goal]` for the base scenario (`extra` lines go into `[costs]`).
fn with_costs(costs: &str, goal_hours: &str) -> String {
    edit(SCENARIO, "[source]", &format!("[costs]\n{costs}\n\n[goal]\nt_threshold_hours = {goal_hours}\n\n[source]"))
}

fn check(text: &str) -> std::process::Output {
    let t = with_scenario(text);
    permeate(&["check", t.scenario().to_str().unwrap()])
}

/// Defect 1: costs whose derived values overflow are refused by `check`, naming the key.
/// Seen to fail with `finite_cost` returning its input unchanged (check accepted all three).
#[test]
fn costs_that_overflow_are_refused_naming_the_key() {
    let cases = [
        ("involvement", "involvement = 1e308", "costs.involvement"),
        ("money", "mandate_manager = 1.5e308\nmoney_per_hour = 85.0", "costs.money_per_hour"),
        (
            "value of time",
            "involvement = 1.0\nitems_per_month = 1e200\nvalue_per_item_day = 1e200",
            "costs.value_per_item_day",
        ),
    ];
    for (what, costs, key) in cases {
        let text = edit(
            &with_costs(costs, "30"),
            "[source]",
            "[channels.community_feed]\ndelay = { dist = \"fixed\", value = 1.0 }\n\n[involvement]\nfraction = 1.0\nrole = \"developer\"\n\n[source]",
        );
        let text = if what == "money" {
            edit(&text, "[source]", "[community_manager]\nid = \"cm\"\nmandate = true\n\n[source]")
        } else {
            text
        };
        let msg = assert_input_error(what, &check(&text));
        assert!(msg.contains(key), "{what}: {msg}");
        assert!(!msg.contains("inf)") || msg.contains("too large"), "{what}: {msg}");
    }
}

/// Defect 1: a cost and a goal near the top of the f64 range (finite, so accepted) no longer
/// hang the drawing of `charts/costs.svg`: the run finishes (`permeate` in the tests kills it
/// after a minute) and the chart is well-formed XML. Seen to fail without the clamped ranges:
/// with the whole fix undone the run hung (by hand, killed after 30 s); with `frame`'s ranges
/// bounded but the cost chart's `x_max` not clamped, plotters panicked (an overflow in
/// `Ranged::map`).
#[test]
fn cost_chart_with_near_max_values_is_drawn() {
    let text = with_costs("mandate_manager = 1.5e308", "1.6e308");
    let text = edit(&text, "[source]", "[community_manager]\nid = \"cm\"\nmandate = true\n\n[source]");
    let t = with_scenario(&text);
    let out = t.path("out");
    let o = permeate(&["run", t.scenario().to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = read_text(&out.join("charts/costs.svg"));
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("costs.svg is not XML: {e}"));
    assert!(!svg.contains("000000000000000000000"), "a number printed in hundreds of digits");
    let _ = Path::new("");
}

/// The small calibration scenario's text: a star of developers, the feed's rate uncertain
/// (`rate` is its `[uncertain]` entry), `extra` appended after it.
fn star_toml(rate: &str, extra: &str) -> String {
    format!(
        "name = \"star\"\nseed = 11\nreplications = 10\nhorizon_hours = 1000\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = {{ dist = \"exponential\", rate = 1.0 }}\n\
         [roles.developer]\n[roles.community]\n\
         [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
         [uncertain]\n\"channels.feed.delay.rate\" = {rate}\n{extra}"
    )
}

/// The feed's rate uncertain from 0.1 to 3 per hour.
const UNIFORM_RATE: &str = "{ dist = \"uniform\", min = 0.1, max = 3.0 }";

/// A star of `leaves` developers with the scenario of [`star_toml`].
fn star(leaves: usize, toml: &str) -> super::common::TempScenario {
    let (people, links) = super::common::star_csv(leaves);
    super::common::TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", &links)])
}

/// A small calibration scenario: a star of `leaves` developers, the feed's rate uncertain.
fn calibration_star(leaves: usize) -> super::common::TempScenario {
    star(leaves, &star_toml(UNIFORM_RATE, ""))
}

/// `check` of a [`star`] scenario.
fn check_star(toml: &str) -> std::process::Output {
    let t = star(3, toml);
    permeate(&["check", t.scenario().to_str().unwrap()])
}

/// Defect 3: the observations reader checks duplicates in constant time per row: 200,000 survey
/// rows of one item (and 100,000 per-person rows) load in well under the 3 s asserted (about
/// 0.1 s here), and a duplicate is still found at its row. Seen to fail with the old scans of
/// the item's rows (`rows.iter().any(..)`: 12 s for the survey rows).
#[test]
fn observations_with_many_rows_load_in_linear_time() {
    use permeate::study::calibrate::observations::Observations;
    let s = calibration_star(100_000).load();
    let path = Path::new("obs.csv");
    let mut survey = String::from("item,hours,share\n");
    for i in 0..200_000 {
        survey += &format!("a,{},{}\n", i as f64 * 0.004, i as f64 / 200_000.0);
    }
    let mut people = String::from("item,person,processed_hours\n");
    for i in 0..100_000 {
        people += &format!("a,leaf{i},{}\n", i as f64 * 0.001);
    }
    for (what, text) in [("survey", &survey), ("per person", &people)] {
        let start = std::time::Instant::now();
        Observations::from_text(path, text, &s, None).unwrap_or_else(|e| panic!("{what}: {e}"));
        let took = start.elapsed();
        assert!(took < std::time::Duration::from_secs(3), "{what}: {took:?}");
    }
    let dup = survey.clone() + "a,0.004,0.5\n";
    let e = Observations::from_text(path, &dup, &s, None).unwrap_err().to_string();
    assert!(e.contains("obs.csv:200002") && e.contains("two rows"), "{e}");
    let dup = people.clone() + "a,leaf7,3\n";
    let e = Observations::from_text(path, &dup, &s, None).unwrap_err().to_string();
    assert!(e.contains("obs.csv:100002") && e.contains("twice"), "{e}");
}

/// Defect 14: a header naming a column twice is refused in observations files (the second
/// column used to be ignored silently). Seen to fail without `refuse_duplicate_columns` in the
/// reader.
#[test]
fn observations_with_a_duplicate_column_are_refused() {
    use permeate::study::calibrate::observations::Observations;
    let s = calibration_star(3).load();
    let e = Observations::from_text(Path::new("obs.csv"), "item,hours,share,share\na,1,0.5,0.9\n", &s, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("obs.csv:1") && e.contains("`share` appears twice"), "{e}");
}

/// "Also seen": a survey share lower than an earlier one of the same item is warned about,
/// naming both lines (it was accepted silently; seen to fail without the check in
/// `into_items`). Shares that only rise, and another item's, give no warning; the file still loads.
#[test]
fn decreasing_survey_shares_are_warned_about() {
    use permeate::study::calibrate::observations::Observations;
    let s = calibration_star(3).load();
    let text = "item,hours,share\na,10,0.2\nb,5,0.9\na,30,0.6\na,20,0.7\nb,8,0.95\n";
    let obs = Observations::from_text(Path::new("obs.csv"), text, &s, None).unwrap();
    assert_eq!(obs.items().len(), 2);
    let w = obs.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("line 4: item \"a\" has share 0.6 at 30 h, lower than 0.7 at 20 h (line 5)"), "{w:?}");
    let rising = "item,hours,share\na,10,0.2\na,20,0.2\na,30,0.6\n";
    assert!(Observations::from_text(Path::new("obs.csv"), rising, &s, None).unwrap().warnings().is_empty());
}

/// Imports `hr` (and `messages`) with `map` in a temporary folder; returns the output and
/// whether an output folder appeared.
fn import(hr: &str, map: &str, messages: Option<&str>) -> (std::process::Output, bool) {
    let mut files = vec![("hr.csv", hr), ("map.toml", map)];
    if let Some(m) = messages {
        files.push(("messages.csv", m));
    }
    let dir = super::common::TempScenario::new(&files);
    let out = dir.path("out");
    let (h, m, msg) = (dir.path("hr.csv"), dir.path("map.toml"), dir.path("messages.csv"));
    let mut args = vec!["import", "--hr", h.to_str().unwrap(), "--map", m.to_str().unwrap()];
    if messages.is_some() {
        args.extend(["--messages", msg.to_str().unwrap()]);
    }
    args.extend(["-o", out.to_str().unwrap()]);
    let o = permeate(&args);
    let exists = out.exists();
    (o, exists)
}

const ROLES: &str = "[[roles]]\npattern = \"developer\"\nrole = \"developer\"\n";

/// Defect 14: a column the map uses given twice in the HR export or the messages file, and a
/// posterior with a column twice, are refused naming the file's header line and the column.
/// Seen to fail without the check in `import::hr::find_column` (both imports succeeded, the
/// second column ignored) and without `refuse_duplicate_columns` in `posterior::read` (the
/// run went ahead).
#[test]
fn duplicate_columns_are_refused_in_imports_and_posteriors() {
    let hr = "id,manager_id,unit,title,unit\nboss,,dev,Developer,sales\na,boss,dev,Developer,sales\n";
    let (o, out) = import(hr, ROLES, None);
    let msg = assert_input_error("hr", &o);
    assert!(msg.contains("hr.csv:1") && msg.contains("`unit` appears twice") && !out, "{msg}");
    let hr = "id,manager_id,unit,title\nboss,,dev,Developer\na,boss,dev,Developer\n";
    let (o, out) = import(hr, ROLES, Some("sender,receiver,count,count\nboss,a,3,4\n"));
    let msg = assert_input_error("messages", &o);
    assert!(msg.contains("messages.csv:1") && msg.contains("`count` appears twice") && !out, "{msg}");
    // A column nobody uses may repeat (exports have such columns).
    let hr = "id,manager_id,unit,title,note,note\nboss,,dev,Developer,x,y\na,boss,dev,Developer,x,y\n";
    let (o, _) = import(hr, ROLES, None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let t = calibration_star(3);
    let post = t.path("posterior.csv");
    std::fs::write(&post, "channels.feed.delay.rate,weight,weight\n1.0,1,1\n2.0,1,1\n").unwrap();
    let out = t.path("out");
    let o = permeate(&[
        "run",
        t.scenario().to_str().unwrap(),
        "--posterior",
        post.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    let msg = assert_input_error("posterior", &o);
    assert!(msg.contains("posterior.csv:1") && msg.contains("`weight` appears twice") && !out.exists(), "{msg}");
}

/// Defect 12: an uncertain factor's name (and a single path) follows the name rules: a control
/// character or a line break is refused naming `uncertain.factors.N.name` and its line (it used
/// to reach the CSVs and made the sensitivity charts ill-formed XML). Seen to fail without the
/// `check_name` calls in `scenario::uncertain::factors` (check accepted both names).
#[test]
fn uncertain_factor_names_follow_the_name_rules() {
    for (what, name) in [("bell", "chat\\u0007"), ("newline", "chat\\nreliability"), ("escape", "\\u001b[31mred")] {
        let factor = format!(
            "[[uncertain.factors]]\nname = \"{name}\"\npaths = [\"channels.feed.transmit\"]\ndist = \"uniform\"\nmin = 0.2\nmax = 0.9\n"
        );
        let toml = star_toml(UNIFORM_RATE, &factor);
        let msg = assert_input_error(what, &check_star(&toml));
        // The `name` line, just below the table's header.
        let line = super::bad_input::line_of(&toml, "[[uncertain.factors]]") + 1;
        assert!(msg.contains("uncertain.factors.0.name") && msg.contains("control character"), "{what}: {msg}");
        assert!(
            msg.contains(&format!("scenario.toml:{line}")) || msg.contains(&format!("line {line}")),
            "{what}: {msg}"
        );
        assert!(!msg.contains('\u{7}') && !msg.contains('\u{1b}'), "{what}: raw control character in {msg:?}");
    }
    let toml =
        star_toml(UNIFORM_RATE, "\"channels.feed\\u0007.transmit\" = { dist = \"uniform\", min = 0.2, max = 0.9 }\n");
    let msg = assert_input_error("path", &check_star(&toml));
    assert!(msg.contains("control character") && !msg.contains('\u{7}'), "{msg}");
}

/// "Also seen": the `[uncertain]` section itself is named `uncertain`, never `` `uncertain.` ``.
/// Seen to fail with the old key (`uncertain.` + the empty path).
#[test]
fn the_uncertain_section_is_named_without_a_trailing_dot() {
    let toml = star_toml(UNIFORM_RATE, "")
        .replace(&format!("\"channels.feed.delay.rate\" = {UNIFORM_RATE}\n"), "worlds = 5\n");
    let msg = assert_input_error("no factor", &check_star(&toml));
    assert!(msg.contains("no factor") && !msg.contains("uncertain.`") && !msg.contains("uncertain. "), "{msg}");
}

/// Defect 15: a `[goal]` with an uncertain `target.threshold` is refused as a variant changing
/// the threshold is (the goal was judged at T30…T100 by world). Seen to fail without
/// `costs::refuse_uncertain_threshold` (check accepted it).
#[test]
fn a_goal_with_an_uncertain_threshold_is_refused() {
    let toml = star_toml(
        UNIFORM_RATE,
        "\"target.threshold\" = { dist = \"uniform\", min = 0.3, max = 1.0 }\n[goal]\nt_threshold_hours = 30\n",
    );
    let msg = assert_input_error("goal", &check_star(&toml));
    assert!(msg.contains("goal") && msg.contains("\"target.threshold\"") && msg.contains("one threshold"), "{msg}");
    // Without the goal the same uncertainty is fine.
    let toml = star_toml(UNIFORM_RATE, "\"target.threshold\" = { dist = \"uniform\", min = 0.3, max = 1.0 }\n");
    let o = check_star(&toml);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs `run --posterior` with `posterior` (CSV text) on a [`star`] scenario of `toml`.
fn run_posterior(toml: &str, posterior: &str) -> (std::process::Output, super::common::TempScenario) {
    let t = star(3, toml);
    let post = t.path("posterior.csv");
    std::fs::write(&post, posterior).unwrap();
    let out = t.path("out");
    let o = permeate(&[
        "run",
        t.scenario().to_str().unwrap(),
        "--posterior",
        post.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    (o, t)
}

/// Defect 22: a posterior value a `choice` factor cannot take (0.7 for 0.5 and 0.9) is refused
/// naming the row and the column. Seen to fail without the `Choice` check in
/// `posterior::read` (the run went ahead with 0.7).
#[test]
fn a_posterior_value_a_choice_factor_cannot_take_is_refused() {
    let toml = star_toml("{ dist = \"choice\", values = [0.5, 0.9] }", "");
    let (o, _t) = run_posterior(&toml, "channels.feed.delay.rate,weight\n0.5,1\n0.7,1\n");
    let msg = assert_input_error("choice", &o);
    assert!(
        msg.contains("posterior.csv:3") && msg.contains("channels.feed.delay.rate") && msg.contains("0.7"),
        "{msg}"
    );
    let (o, _t) = run_posterior(&toml, "channels.feed.delay.rate,weight\n0.5,1\n0.9,1\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Defect 17: posterior weights whose sum overflows (`1e308` three times) are resampled by
/// their proportions: each of the three particles becomes a third of the worlds (it was the
/// last one only). Seen to fail with `posterior::finite_sum_weights` returning `None` (every
/// world had rate 3).
#[test]
fn posterior_weights_that_overflow_keep_their_proportions() {
    let (o, t) =
        run_posterior(&star_toml(UNIFORM_RATE, ""), "channels.feed.delay.rate,weight\n1,1e308\n2,1e308\n3,1e308\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let worlds = read_text(&t.path("out").join("worlds.csv"));
    let mut rows: Vec<&str> = worlds.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{worlds}");
    let count = |v: &str| rows.iter().filter(|r| r.split(',').any(|c| c == v)).count();
    let (a, b, c) = (count("1"), count("2"), count("3"));
    assert!(a > 0 && b > 0 && c > 0 && a.abs_diff(c) <= 1, "{worlds}");
    rows.clear();
}

/// Defect 18: a value of 1e300 is written in exponent form in `summary.json` (`plausible`), and
/// `summary.md` has no number in hundreds of digits. Seen to fail with `dist::exponent_form` returning `None`
/// (the 301 digits of `fmt_num(1e300)` in both files).
#[test]
fn huge_values_are_written_in_exponent_form_in_the_results() {
    let t = star(3, &star_toml("{ dist = \"uniform\", min = 1e299, max = 1e300 }", "worlds = 2\n"));
    let out = t.path("out");
    let o = permeate(&["run", t.scenario().to_str().unwrap(), "-o", out.to_str().unwrap(), "-q", "-n", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["summary.json", "summary.md"] {
        let text = read_text(&out.join(f));
        assert!(f == "summary.md" || text.contains("\"uniform 1e299–1e300\""), "{f}: {text}");
        assert!(!text.contains("0000000000000000000"), "{f}: a number in hundreds of digits");
    }
}

/// Defect 19: cells of `people-details.csv` (made to be opened in a spreadsheet) that start
/// like a formula get OWASP's `'` prefix; `people.csv` (read back by permeate) keeps the names
/// verbatim; a variant name that starts like a formula draws a warning from `check` (data files
/// keep names verbatim, documented in docs/reliability.md). Seen to fail without
/// `spreadsheet_text` in `import::details_csv` (the cells verbatim) and without the variant
/// check in `Scenario::default_warnings` (no warning).
#[test]
fn formulas_in_names_are_neutralised_in_display_files_and_warned_about() {
    let hr = "id,manager_id,unit,title,name,site\n\
              boss,,dev,Developer,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@cmd\n\
              a,boss,dev,\"+SUM(1,2)\",-2+3,Berlin\n";
    let dir = super::common::TempScenario::new(&[("hr.csv", hr), ("map.toml", ROLES)]);
    let out = dir.path("out");
    let (h, m) = (dir.path("hr.csv"), dir.path("map.toml"));
    let o = permeate(&[
        "import",
        "--hr",
        h.to_str().unwrap(),
        "--map",
        m.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let details = read_text(&out.join("people-details.csv"));
    let mut rdr = csv::Reader::from_reader(details.as_bytes());
    let cells: Vec<String> =
        rdr.records().flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect();
    for c in &cells {
        assert!(!c.starts_with(['=', '+', '-', '@']), "a formula cell {c:?} in\n{details}");
    }
    for want in ["'=HYPERLINK(\"http://x\",\"y\")", "'@cmd", "'+SUM(1,2)", "'-2+3", "Berlin"] {
        assert!(cells.iter().any(|c| c == want), "{want:?} not in {cells:?}");
    }
    let people = read_text(&out.join("people.csv"));
    assert!(people.contains("-2+3") && !people.contains("'-2+3"), "{people}");

    let toml = star_toml(
        UNIFORM_RATE,
        "\n[[variants]]\nname = \"=HYPERLINK(1)\"\nset = { \"channels.feed.transmit\" = 0.5 }\n",
    );
    let o = check_star(&toml);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning") && err.contains("\"=HYPERLINK(1)\"") && err.contains("formula"), "{err}");
}

/// Defect 13: import applies the loader's name rules to what it writes — a quoted line break in
/// a name, BEL in an id, ESC in a unit (which was also printed raw to the terminal), a control
/// character in the map's channel or scenario name — naming the export's line and column (or
/// the map's key), and refuses a `weight_reference` that gives weight `inf`. Before, import
/// wrote an organisation `check` refused. Seen to fail without the `check_name` loop in
/// `import::hr::read` (the three exports imported), without `check_name` in the map's `name`
/// (channel and scenario name accepted) and with `weight_reference > 0` as the only bound
/// (links.csv with weight inf).
#[test]
fn import_applies_the_loaders_rules() {
    let base = "id,manager_id,unit,title,name\nboss,,dev,Developer,Bo\n";
    for (what, row, column) in [
        ("line break in a name", "a,boss,dev,Developer,\"Ann\nLee\"\n", "name"),
        ("BEL in an id", "a\u{7},boss,dev,Developer,Ann\n", "id"),
        ("ESC in a unit", "a,boss,\u{1b}[31mdev,Developer,Ann\n", "unit"),
    ] {
        let (o, out) = import(&format!("{base}{row}"), ROLES, None);
        let msg = assert_input_error(what, &o);
        assert!(msg.contains("hr.csv:3") && msg.contains(&format!("`{column}`")), "{what}: {msg}");
        assert!(
            msg.contains("control character") && !msg.contains('\u{1b}') && !msg.contains('\u{7}'),
            "{what}: {msg:?}"
        );
        assert!(!out, "{what}: an output folder was written");
    }
    let hr = "id,manager_id,unit,title\nboss,,dev,Developer\na,boss,dev,Developer\n";
    for (what, map, key) in [
        ("channel", format!("{ROLES}[channels]\nmanager = \"chat\\u0007\"\n"), "channels.manager"),
        ("scenario name", format!("{ROLES}[scenario]\nname = \"x\\u001b[2J\"\n"), "scenario.name"),
    ] {
        let (o, out) = import(hr, &map, None);
        let msg = assert_input_error(what, &o);
        assert!(msg.contains("map.toml:") && msg.contains(key) && msg.contains("control character"), "{what}: {msg}");
        assert!(!msg.contains('\u{1b}') && !msg.contains('\u{7}') && !out, "{what}: {msg:?}");
    }
    let map = format!("{ROLES}[messages]\nweight_reference = 1e-320\n");
    let (o, out) = import(hr, &map, Some("sender,receiver,count\nboss,a,30\n"));
    let msg = assert_input_error("weight_reference", &o);
    assert!(msg.contains("messages.weight_reference") && msg.contains("1e-300") && !out, "{msg}");
}

/// Defect 21, first half: a combination of factor values that is invalid in some world (a
/// uniform's `min` above its `max`, each driven by its own factor) names the file's line and key
/// of the factor whose value broke it, and its numbers have six significant digits, not 17. Seen
/// to fail before the fix: no line, the key `uncertain`, "`min` (29.606791482556982)".
#[test]
fn an_invalid_combination_in_some_world_names_the_factors_line() {
    let toml = "name = \"star\"\nseed = 11\nreplications = 10\nhorizon_hours = 1000\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = { dist = \"uniform\", min = 0.0, max = 10.0 }\n\
         [roles.developer]\n[roles.community]\n\
         [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
         [uncertain]\nworlds = 400\n\
         [[uncertain.factors]]\nname = \"slot start\"\npaths = [\"channels.feed.delay.min\"]\n\
         dist = \"uniform\"\nmin = 0.0\nmax = 8.0\n\
         [[uncertain.factors]]\nname = \"slot end\"\npaths = [\"channels.feed.delay.max\"]\n\
         dist = \"uniform\"\nmin = 5.0\nmax = 20.0\n";
    let o = check_star(toml);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let msg = String::from_utf8_lossy(&o.stderr).into_owned();
    // The 0-based index of the factor's `name` line is the 1-based line of the
    // `[[uncertain.factors]]` header just above it.
    let line_of =
        |name: &str| toml.lines().position(|l| l == format!("name = \"{name}\"")).expect("the factor's name line");
    let lines = [("slot start", line_of("slot start")), ("slot end", line_of("slot end"))];
    assert!(
        lines.iter().any(|(name, line)| msg.contains(&format!("scenario.toml:{line}:"))
            && msg.contains(&format!("`uncertain.factors.{name}`"))),
        "the message names neither factor's line and key {lines:?}: {msg}"
    );
    assert!(msg.contains("plausible world") && msg.contains("must not be greater than"), "{msg}");
    let longest_digits = msg.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
    assert!(longest_digits <= 6, "a number with {longest_digits} digits: {msg}");
}

/// Defect 21, second half: a `start` past the last moment the calendars know is not called
/// malformed, and a start whose period runs past it is refused (it was accepted, and the period
/// after the year 9999 was silently closed time). Seen to fail before the fix: "is not a moment
/// with its UTC offset" for a well-formed moment, and exit 0 for the second.
#[test]
fn a_far_future_start_is_refused_for_what_it_is() {
    let helix = std::fs::read_to_string(super::common::bundled("helix.toml")).unwrap();
    let with_start = |start: &str| {
        let text: Vec<String> = helix
            .lines()
            .map(|l| if l.starts_with("start = ") { format!("start = \"{start}\"") } else { l.to_string() })
            .collect();
        let t = super::common::TempScenario::new(&[("helix.toml", &text.join("\n"))]);
        let o = permeate(&["check", t.path("helix.toml").to_str().unwrap()]);
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, msg) = with_start("9999-12-31T23:00:00-05:00");
    assert_eq!(code, Some(2), "{msg}");
    assert!(msg.contains("`start`") && msg.contains("beyond the last moment"), "{msg}");
    assert!(!msg.contains("not a moment with its UTC offset"), "{msg}");
    let (code, msg) = with_start("9999-12-01T15:00:00+01:00");
    assert_eq!(code, Some(2), "{msg}");
    assert!(msg.contains("`start`") && msg.contains("horizon_hours") && msg.contains("earlier start"), "{msg}");
    // A malformed moment keeps its message, and an ordinary one is fine.
    let (code, msg) = with_start("2026-13-01T00:00:00Z");
    assert!(code == Some(2) && msg.contains("not a moment with its UTC offset"), "{msg}");
    let (code, msg) = with_start("9990-01-04T09:00:00+01:00");
    assert_eq!(code, Some(0), "{msg}");
}

/// Found by the `import_readers` fuzz target: a control character in the events log's
/// `channel` cell became part of a channel name the loader then refused (import wrote an
/// organisation `check` refuses, as in defect 13). Refused now naming the log's line and column.
/// Seen to fail before the fix (the import succeeded and wrote the name).
#[test]
fn a_control_character_in_an_events_channel_is_refused() {
    let hr = "id,manager_id,unit,title,name\nboss,,dev,Developer,Bo\na,boss,dev,Developer,Ann\n";
    let events = "time,sender,recipient,channel\n2026-03-02T09:15:00+01:00,boss,a,mail\n\
                  2026-03-02T10:15:00+01:00,a,boss,ma\u{5}il\n";
    let dir = super::common::TempScenario::new(&[("hr.csv", hr), ("map.toml", ROLES), ("events.csv", events)]);
    let out = dir.path("out");
    let (h, m, e) = (dir.path("hr.csv"), dir.path("map.toml"), dir.path("events.csv"));
    let o = permeate(&[
        "import",
        "--hr",
        h.to_str().unwrap(),
        "--map",
        m.to_str().unwrap(),
        "--events",
        e.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let msg = assert_input_error("control character in a channel", &o);
    assert!(msg.contains("events.csv:3") && msg.contains("`channel`") && msg.contains("control"), "{msg}");
    assert!(!out.exists());
}

/// "Also seen": a variant may switch `start` between a moment and `{ weekly = "uniform" }`
/// (it was refused as "wrong type"; seen to fail without `POLYMORPHIC_KEYS`), and a start of
/// neither form, or a map column of neither form, is refused in plain words, not as "untagged
/// enum RawStart" / "ColumnRef" (seen to fail without their `PLAIN_WORDS` entries).
#[test]
fn a_variant_may_switch_the_kind_of_start() {
    let helix = std::fs::read_to_string(super::common::bundled("helix.toml")).unwrap();
    let with_variant = |set: &str| {
        let text = format!("{helix}\n[[variants]]\nname = \"random start\"\nset = {{ {set} }}\n");
        let t = super::common::TempScenario::new(&[("helix.toml", &text)]);
        let o = permeate(&["check", t.path("helix.toml").to_str().unwrap()]);
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, msg) = with_variant("start = { weekly = \"uniform\" }");
    assert_eq!(code, Some(0), "{msg}");
    let (code, msg) = with_variant("start = 12");
    assert_eq!(code, Some(2), "{msg}");
    assert!(msg.contains("`set.start`") && msg.contains("e.g. \"2026-11-27T15:00:00+01:00\""), "{msg}");
    assert!(!msg.contains("enum") && !msg.contains("Raw"), "{msg}");
    // A transmit given as a string is still a wrong type.
    let (code, msg) = with_variant("\"channels.team_chat.transmit\" = \"0.5\"");
    assert!(code == Some(2) && msg.contains("wrong type"), "{msg}");

    let hr = "id,manager_id,unit,title,name\nboss,,dev,Developer,Bo\na,boss,dev,Developer,Ann\n";
    let map = format!("[columns]\nid = 1.5\n{ROLES}");
    let dir = super::common::TempScenario::new(&[("hr.csv", hr), ("map.toml", &map)]);
    let (h, m) = (dir.path("hr.csv"), dir.path("map.toml"));
    let out = dir.path("out");
    let o =
        permeate(&["import", "--hr", h.to_str().unwrap(), "--map", m.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let msg = assert_input_error("a column of neither form", &o);
    assert!(msg.contains("`columns.id`") && msg.contains("e.g. \"Employee ID\"") && !msg.contains("enum"), "{msg}");
}
