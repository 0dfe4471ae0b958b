//! Every file permeate writes is valid for its format whatever the names in it (issue 20, "also
//! build"): a property test over arbitrary names — quotes, commas, semicolons, `<`, `&`, `=` and
//! other formula starts, brackets, backslashes, non-ASCII — given to a person, a role, a unit, a
//! channel, a variant and an uncertain factor. For each, `permeate run` either refuses the name
//! (exit 2 with a message: the loader's name rules) or writes a folder in which every CSV file
//! parses with a fixed number of fields per row and gives the names back verbatim, every JSON
//! file parses and holds the variant's name, every SVG is XML, `summary.md` has no raw HTML
//! (checked with pulldown-cmark) and `report.html` has no markup that the same run with plain
//! names does not have (every `<` of a name escaped).
//! Broken versions seen to fail: `summary.md` without its `<` escape (raw `<b>` found) and the
//! report's `esc` returning names unescaped (a lone `<` from a name found as new markup).

use std::path::Path;

use proptest::prelude::*;

use crate::bad_input::permeate;
use crate::common::TempScenario;

/// A one-line TOML basic string (also a valid key) holding `s`, which has no control characters.
fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One CSV row of `cells`, quoted as needed.
fn csv_row(cells: &[&str]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The names of one case.
#[derive(Debug, Clone)]
struct Names {
    person: String,
    role: String,
    unit: String,
    channel: String,
    variant: String,
    factor: String,
}

fn scenario(n: &Names) -> (String, String, String) {
    let mut people = csv_row(&["id", "unit", "role"]);
    people += &csv_row(&["centre", "external", "community"]);
    let ids: Vec<String> = (1..=3).map(|i| format!("{}{i}", n.person)).collect();
    for id in &ids {
        people += &csv_row(&[id, &n.unit, &n.role]);
    }
    let mut links = csv_row(&["source", "target", "channel"]);
    for id in &ids {
        links += &csv_row(&["centre", id, &n.channel]);
    }
    let ch = toml_str(&n.channel);
    let toml = format!(
        "name = \"names\"\nseed = 5\nreplications = 6\nhorizon_hours = 200\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.{ch}]\ndelay = {{ dist = \"exponential\", rate = 0.5 }}\ntransmit = 0.8\n\
         [roles.{role}]\n[roles.community]\n\
         [source]\nid = \"centre\"\n[target]\nrole = {role}\nthreshold = 0.6\n\
         [[variants]]\nname = {variant}\nset = {{ {path} = 1.0 }}\n\
         [uncertain]\nworlds = 3\n\
         [[uncertain.factors]]\nname = {factor}\npaths = [\"roles.community.notice\"]\n\
         dist = \"uniform\"\nmin = 0.5\nmax = 1.0\n",
        role = toml_str(&n.role),
        variant = toml_str(&n.variant),
        factor = toml_str(&n.factor),
        path = toml_str(&format!("channels.{}.transmit", n.channel)),
    );
    (toml, people, links)
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { files_under(&p, out) } else { out.push(p) }
    }
}

/// Checks every file of the results folder `out` for its format; the names must come back.
fn check_folder(out: &Path, n: &Names) -> Result<(), String> {
    let mut files = Vec::new();
    files_under(out, &mut files);
    let mut cells_seen: Vec<String> = Vec::new();
    let mut json_strings = String::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).map_err(|e| format!("{name} is not UTF-8: {e}"))?;
        match f.extension().and_then(|e| e.to_str()) {
            Some("csv") => {
                let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(text.as_bytes());
                for rec in r.records() {
                    let rec = rec.map_err(|e| format!("{name}: {e}"))?;
                    cells_seen.extend(rec.iter().map(str::to_string));
                }
            }
            Some("json") => {
                let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
                json_strings += &v.to_string();
            }
            Some("svg") => {
                roxmltree::Document::parse(&text).map_err(|e| format!("{name} is not XML: {e}"))?;
            }
            Some("md") => {
                for ev in pulldown_cmark::Parser::new(&text) {
                    if let pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) = ev {
                        return Err(format!("{name} has raw HTML {h:?}"));
                    }
                }
            }
            Some("html") => {
                let extra: Vec<String> = tags(&text).into_iter().filter(|t| !baseline_tags().contains(t)).collect();
                if !extra.is_empty() {
                    return Err(format!("{name} has markup a plain-named run does not have: {extra:?}"));
                }
            }
            _ => {}
        }
    }
    for (what, s) in [("variant", &n.variant), ("factor", &n.factor)] {
        if !cells_seen.iter().any(|c| c == s) {
            return Err(format!("the {what} name {s:?} is in no CSV cell verbatim"));
        }
    }
    let quoted = serde_json::Value::String(n.variant.clone()).to_string();
    if !json_strings.contains(&quoted) {
        return Err(format!("the variant name {:?} is in no JSON file", n.variant));
    }
    Ok(())
}

/// What follows each `<` of an HTML text up to the first character that cannot continue a tag
/// name (`<td`, `</svg`, `<!DOCTYPE`; a lone `<` gives ``).
fn tags(html: &str) -> std::collections::BTreeSet<String> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '!' | '-')).collect())
        .collect()
}

/// The tags of `report.html` for plain names: a name that is escaped adds none.
fn baseline_tags() -> &'static std::collections::BTreeSet<String> {
    static TAGS: std::sync::OnceLock<std::collections::BTreeSet<String>> = std::sync::OnceLock::new();
    TAGS.get_or_init(|| {
        let plain = |s: &str| s.to_string();
        let n = Names {
            person: plain("dev"),
            role: plain("developer"),
            unit: plain("development"),
            channel: plain("chat"),
            variant: plain("better"),
            factor: plain("notice"),
        };
        let (toml, people, links) = scenario(&n);
        let t = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)]);
        let out = t.path("out");
        let o = permeate(&["run", t.path("scenario.toml").to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        tags(&std::fs::read_to_string(out.join("report.html")).unwrap())
    })
}

/// A name: any of the troublesome characters, possibly starting like a formula.
/// Half the time a known attack leads it (markup, a link, a formula, CSV quoting).
fn name() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "",
        "",
        "",
        "",
        "",
        "<b>x</b>",
        "<script>",
        "<img src=x>",
        "[a](javascript:x)",
        "<javascript:x>",
        "=HYPERLINK(1)",
        "a,\"b\"",
        "x\\y",
        "&amp;",
        "]]>",
    ]);
    let tail =
        prop::string::string_regex("[=+@-]?[a-zA-Z0-9 ,;:\"'<>&=+@_|/*#()!?%$~^{}\\[\\]\\\\éß漢😀-]{1,8}").unwrap();
    (fragment, tail).prop_map(|(f, t)| format!("{f}{t}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_written_file_is_valid_whatever_the_names(
        person in name(), role in name(), unit in name(), channel in "[a-zA-Z0-9 ,;\"'<>&=+@_éß漢-]{1,8}",
        variant in name(), factor in name(),
    ) {
        let n = Names { person, role, unit, channel, variant, factor };
        let (toml, people, links) = scenario(&n);
        let t = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)]);
        let out = t.path("out");
        let o = permeate(&["run", t.path("scenario.toml").to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        match o.status.code() {
            Some(0) => {
                if let Err(m) = check_folder(&out, &n) {
                    return Err(TestCaseError::fail(format!("{m}\nnames {n:?}")));
                }
            }
            // The loader's name rules may refuse a name: with a message, and nothing written.
            Some(2) => {
                prop_assert!(stderr.contains("error"), "exit 2 without a message for {n:?}");
                prop_assert!(!out.exists(), "a refused run wrote {out:?}");
            }
            other => return Err(TestCaseError::fail(format!("exit {other:?} for {n:?}: {stderr}"))),
        }
    }
}

/// Issue 21, item 8: the three pages — the report, the sensitivity study's report and the
/// calibration page — escape a unit, a variant and an uncertain factor named
/// `<script>alert(1)</script>"'&` (maud escapes by default): each name appears in maud's
/// escaped form, and no page has a raw `<script` or the raw `"'&`.
/// Broken version seen to fail: the calibration page's factor cell spliced with `PreEscaped`
/// (a raw `<script>` on that page).
#[test]
fn names_are_escaped_on_all_three_pages() {
    const EVIL: &str = "<script>alert(1)</script>\"'&";
    const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;'&amp;";
    let n = Names {
        person: "dev".into(),
        role: "developer".into(),
        unit: EVIL.into(),
        channel: "chat".into(),
        variant: format!("{EVIL} variant"),
        factor: format!("{EVIL} factor"),
    };
    let (toml, people, links) = scenario(&n);
    let obs = "item,person,processed_hours\na,dev1,2\na,dev2,3\nb,dev1,1\nb,dev3,4\n";
    let t = TempScenario::new(&[
        ("scenario.toml", &toml),
        ("people.csv", &people),
        ("links.csv", &links),
        ("obs.csv", obs),
    ]);
    let scenario = t.path("scenario.toml");
    let scenario = scenario.to_str().unwrap();
    let (report, sensitivity, calibration) = (t.path("run"), t.path("sensitivity"), t.path("calibration"));
    let obs = t.path("obs.csv");
    for args in [
        vec!["run", scenario, "-o", report.to_str().unwrap(), "-q"],
        vec!["sensitivity", scenario, "--samples", "4", "-n", "5", "-o", sensitivity.to_str().unwrap(), "-q"],
        vec![
            "calibrate",
            scenario,
            obs.to_str().unwrap(),
            "--budget",
            "300",
            "--particles",
            "20",
            "-o",
            calibration.to_str().unwrap(),
            "-q",
        ],
    ] {
        let o = permeate(&args);
        assert!(o.status.success(), "{}: {}", args[0], String::from_utf8_lossy(&o.stderr));
    }
    let page = |dir: &Path| std::fs::read_to_string(dir.join("report.html")).unwrap();
    let pages = [("report", page(&report)), ("sensitivity", page(&sensitivity)), ("calibration", page(&calibration))];
    for (what, html) in &pages {
        assert!(!html.to_lowercase().contains("<script"), "{what}: a raw <script>");
        assert!(!html.contains("\"'&"), "{what}: a raw \"'&");
        assert!(html.contains(&format!("{ESCAPED} factor")), "{what}: the factor's name escaped");
    }
    for (what, html) in &pages[..2] {
        assert!(html.contains(&format!("<td>{ESCAPED}</td>")), "{what}: the unit's name escaped in a table cell");
        assert!(html.contains(&format!("<strong>{ESCAPED} variant</strong>")), "{what}: the variant's name escaped");
        assert!(html.contains("<section id=\"sensitivity\">") == (*what == "sensitivity"), "{what}: its sections");
    }
    assert!(pages[2].1.contains(&format!("<td>{ESCAPED} factor</td>")), "calibration: the factor's table cell");
}
