//! Costs, goals, the cheapest route and `permeate optimise` (issue 15): known answers.
//!
//! Each was seen to fail against a deliberately broken version (then restored): involvement
//! cost without the fraction; attendees counted on one end of a two-way link only; a goal met
//! only strictly below its time; bisection returning the last failing setting; weak Pareto
//! dominance; an open lever allow-list; a wrong world block size in the goal across worlds; a
//! cost cache that ignores the structure; and an involvement gate 3% too narrow in the engine
//! (the binomial answer moves to 0.869).

use permeate::study::Plan;
use permeate::study::optimise::{Search, optimise};

use super::bad_input::{LINKS, PEOPLE, SCENARIO, assert_input_error, edit, permeate, with_scenario};
use super::common::{TempScenario, read_text, run_into_temp};

/// 100 developers reached from the community only through the community manager (fixed 10 h) or,
/// when involved, over the community feed (fixed 1 h): T80 ≤ 5 h exactly when at least 80 are
/// involved. `extra` is appended to the scenario.
fn bin100(fraction: f64, replications: u64, extra: &str) -> TempScenario {
    let mut people = String::from("id,unit,role\ncommunity,external,community\ncm,marketing,community_manager\n");
    let mut links = String::from("source,target,channel,direction\ncommunity,cm,watch,forward\n");
    for i in 0..100 {
        people += &format!("dev{i},development,developer\n");
        links += &format!("cm,dev{i},email,forward\n");
    }
    let scenario = format!(
        r#"name = "bin100"
seed = 11
replications = {replications}
horizon_hours = 100

[organisation]
people = "people.csv"
links = "links.csv"

[channels.watch]
delay = {{ dist = "fixed", value = 0.0 }}
[channels.email]
delay = {{ dist = "fixed", value = 10.0 }}
[channels.community_feed]
delay = {{ dist = "fixed", value = 1.0 }}

[roles.community_manager]
[roles.developer]

[source]
id = "community"

[target]
role = "developer"

[community_manager]
id = "cm"

[involvement]
fraction = {fraction}
role = "developer"

[goal]
t_threshold_hours = 5
probability = 0.9
{extra}"#
    );
    TempScenario::new(&[("scenario.toml", &scenario), ("people.csv", &people), ("links.csv", &links)])
}

/// The f with P(Bin(100, f) ≥ 80) = 0.9, by bisection on statrs' binomial distribution (an
/// independent reference).
fn binomial_answer() -> f64 {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let (mut lo, mut hi) = (0.5, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        let p = 1.0 - Binomial::new(mid, 100).unwrap().cdf(79);
        if p >= 0.9 { hi = mid } else { lo = mid }
    }
    hi
}

#[test]
fn optimiser_finds_the_binomial_involvement_answer() {
    let f = binomial_answer();
    assert!((f - 0.8423).abs() < 5e-4, "reference {f}");
    let s = bin100(0.05, 2000, "").load();
    let search = Search { lever: "involvement.fraction".into(), min: 0.0, max: 1.0, resolution: 0.001 };
    let o = optimise(&Plan::of(&s).unwrap(), &search, &|| {}).unwrap();
    let v = o.value.expect("f = 1 meets the goal");
    // Standard error of the empirical answer ≈ sqrt(0.09/2000) / (dP/df ≈ 4.8) ≈ 0.0014, so
    // ±0.01 is about 7 standard errors: a false failure has probability below 1e-11.
    assert!((v - f).abs() < 0.01, "optimiser {v}, closed form {f}");
    assert!(o.probability >= 0.9 && o.goal_result.meets);
    // Bisection of [0, 1] to 0.001: both ends plus ceil(log2(1000)) = 10 midpoints.
    assert_eq!(o.steps.len(), 12);
}

#[test]
fn bisection_is_exact_to_its_resolution_on_the_same_replications() {
    // The answer meets the goal and the setting one resolution below does not — checked through
    // the ordinary `run` pipeline (a sweep of the two settings), not the optimiser.
    let s = bin100(0.05, 400, "").load();
    let res = 0.01;
    let search = Search { lever: "involvement.fraction".into(), min: 0.0, max: 1.0, resolution: res };
    let o = optimise(&Plan::of(&s).unwrap(), &search, &|| {}).unwrap();
    let v = o.value.unwrap();
    let below = v - res;
    let t = bin100(0.05, 400, &format!("\n[sweep]\n\"involvement.fraction\" = [{below}, {v}]\n"));
    let (_dir, out) = run_into_temp(&t.scenario(), &[]);
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let meets = |i: usize| json["variants"][i]["goal"]["meets"].as_bool().unwrap();
    assert!(meets(2), "the optimiser's {v} meets the goal in the run");
    assert!(!meets(1), "{below}, one resolution below, does not");
    let p = json["variants"][2]["goal"]["probability"].as_f64().unwrap();
    assert_eq!(p, o.probability, "the same replications give the same share");
}

/// A deterministic chain: community → cm (fixed 1 h) → 10 developers by e-mail (fixed 10 h);
/// developers process in a fixed 4 h (2 h for the mandated manager's messages); involved
/// developers hear over the feed in a fixed 1 h. T80 is 15 h (baseline), 13 h (mandate), 5 h
/// (everybody involved), whatever the replication.
const CHAIN_PEOPLE: &str = "id,unit,role\ncommunity,external,community\ncm,marketing,community_manager\n\
d0,development,developer\nd1,development,developer\nd2,development,developer\nd3,development,developer\n\
d4,development,developer\nd5,development,developer\nd6,development,developer\nd7,development,developer\n\
d8,development,developer\nd9,development,developer\n";

fn chain(costs: &str) -> TempScenario {
    let mut links = String::from("source,target,channel,direction\ncommunity,cm,watch,forward\n");
    for i in 0..10 {
        links += &format!("cm,d{i},email,forward\n");
    }
    let scenario = format!(
        r#"name = "chain"
seed = 3
replications = 50
horizon_hours = 100

[organisation]
people = "people.csv"
links = "links.csv"

[channels.watch]
delay = {{ dist = "fixed", value = 1.0 }}
[channels.email]
delay = {{ dist = "fixed", value = 10.0 }}
[channels.community_feed]
delay = {{ dist = "fixed", value = 1.0 }}
[channels.standup]
timing = "scheduled"
every = 168
delay = {{ dist = "fixed", value = 0.0 }}

[roles.community_manager]
[roles.developer]
processing = {{ dist = "fixed", value = 4.0 }}

[source]
id = "community"

[target]
role = "developer"

[community_manager]
id = "cm"
mandate = false

[community_manager.mandate_effect]
processing_factor = 0.5

[involvement]
fraction = 0.0
role = "developer"

[goal]
t_threshold_hours = 14
probability = 0.9

{costs}

[[variants]]
name = "mandate"
set = {{ "community_manager.mandate" = true }}

[[variants]]
name = "all involved"
set = {{ "involvement.fraction" = 1.0 }}

[[variants]]
name = "both"
set = {{ "community_manager.mandate" = true, "involvement.fraction" = 1.0 }}

[[variants]]
name = "standup"
description = "A weekly stand-up of d0–d3 with the manager: costs, changes nothing for T80"
cost = 1.5
add_links = [
  {{ source = "cm", target = "d0", channel = "standup" }},
  {{ source = "cm", target = "d1", channel = "standup" }},
  {{ source = "cm", target = "d2", channel = "standup" }},
  {{ source = "cm", target = "d3", channel = "standup" }},
]
"#
    );
    TempScenario::new(&[("scenario.toml", &scenario), ("people.csv", CHAIN_PEOPLE), ("links.csv", &links)])
}

const CHAIN_COSTS: &str = r#"[costs]
involvement = 2.0
mandate_manager = 10.0
mandate_per_receiver = 0.5
money_per_hour = 100.0
items_per_month = 20
value_per_item_day = 50.0

[costs.channels.standup]
per_occurrence = 0.5
per_attendee = 0.25
"#;

#[test]
fn costs_follow_the_documented_formulas() {
    let s = chain(CHAIN_COSTS).load();
    let hours: Vec<f64> = s.costs().unwrap().points.iter().map(|c| c.hours_per_month).collect();
    // baseline: involvement 0 × 10 × 2 h = 0.
    // mandate: 10 h + 10 receivers × 0.5 h = 15 h.
    // all involved: 1 × 10 people × 2 h = 20 h.
    // both: 15 + 20 = 35 h.
    // standup: no calendars, so `every = 168` is working hours and a month has 730.5 × 5/7 × 8/24
    // of them: 173.93/168 occurrences × (0.5 h + 5 attendees (cm and d0–d3) × 0.25 h) + 1.5 h stated.
    let standup = 730.5 * 5.0 / 7.0 * 8.0 / 24.0 / 168.0 * (0.5 + 5.0 * 0.25) + 1.5;
    let expected = [0.0, 15.0, 20.0, 35.0, standup];
    for (h, e) in hours.iter().zip(expected) {
        assert!((h - e).abs() < 1e-9, "{hours:?} vs {expected:?}");
    }
    let money = s.costs().unwrap().points[1].money_per_month;
    assert_eq!(money, Some(1500.0));
}

#[test]
fn front_and_cheapest_route_are_the_known_points() {
    let t = chain(CHAIN_COSTS);
    let (_dir, out) = run_into_temp(&t.scenario(), &[]);
    let r: permeate::analysis::results::Results = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let medians: Vec<Option<f64>> = r.variants.iter().map(|v| v.t_threshold.median).collect();
    assert_eq!(medians, vec![Some(15.0), Some(13.0), Some(5.0), Some(5.0), Some(15.0)]);
    let route = r.route.as_ref().unwrap();
    // (cost, T): baseline (0, 15), mandate (15, 13), all involved (20, 5), both (35, 5) and
    // standup (≈9.3, 15) are dominated.
    assert_eq!(route.front_median, ["baseline", "mandate", "all involved"]);
    // Goal 14 h: mandate (13 h) is the cheapest that meets it in every replication.
    assert_eq!(route.cheapest.as_deref(), Some("mandate"));
    assert_eq!(route.front_goal, ["baseline", "mandate"]);
    let goal: Vec<bool> = r.variants.iter().map(|v| v.goal.as_ref().unwrap().meets).collect();
    assert_eq!(goal, [false, true, true, true, false]);
    // Return of "all involved": 20 items × (15 − 5) h / 8 h = 25 item-days a month, worth
    // 25 × 50 = 1250, minus 20 h × 100 = 2000 → −750; break-even at 2000 / 25 = 80 per item-day.
    let ret = r.variants[2].return_.as_ref().unwrap();
    assert_eq!(ret.item_days_saved_per_month, Some(25.0));
    assert_eq!(ret.net_per_month, Some(-750.0));
    assert_eq!(ret.break_even_value_per_item_day, Some(80.0));
    let md = read_text(&out.join("summary.md"));
    assert!(md.contains("## What it costs"), "{md}");
    assert!(md.contains("The cheapest way to the goal") && md.contains("“mandate”, at ≈ 15 hours a month"), "{md}");
    let html = read_text(&out.join("report.html"));
    assert!(html.contains("<section id=\"costs\">") && html.contains("<figure id=\"chart-costs\">"));
    assert!(out.join("charts/costs.svg").exists());
}

#[test]
fn sharded_runs_merge_into_the_same_costs_and_goals() {
    let t = chain(CHAIN_COSTS);
    let (_whole_dir, whole) = run_into_temp(&t.scenario(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let sc = t.scenario();
    let mut parts = Vec::new();
    for i in 1..=3 {
        let part = dir.path().join(format!("part{i}"));
        let shard = format!("{i}/3");
        let o = permeate(&["run", sc.to_str().unwrap(), "-q", "--shard", &shard, "-o", part.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "-q", "-o", merged.to_str().unwrap()];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    let o = permeate(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["summary.json", "summary.md", "report.html", "charts/costs.svg"] {
        assert_eq!(read_text(&whole.join(f)), read_text(&merged.join(f)), "{f}");
    }
}

#[test]
fn goal_across_worlds_is_the_share_of_worlds_meeting_it() {
    // Eight worlds of an involvement share around the answer (0.7–0.95): the per-world shares of
    // replications meeting the goal vary around 0.9; they are recounted from replications.csv
    // (an independent count) and compared.
    let uncertain =
        "\n[uncertain]\nworlds = 8\n\"involvement.fraction\" = { dist = \"uniform\", min = 0.7, max = 0.95 }\n";
    let t = bin100(0.85, 300, uncertain);
    let (_dir, out) = run_into_temp(&t.scenario(), &[]);
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let goal = &json["variants"][0]["goal"];
    let mut rdr = csv::Reader::from_path(out.join("replications.csv")).unwrap();
    let mut per_world = std::collections::BTreeMap::<u32, (u32, u32)>::new();
    for row in rdr.records() {
        let row = row.unwrap();
        let world: u32 = row[1].parse().unwrap();
        let ok = row[3].parse::<f64>().is_ok_and(|t| t <= 5.0);
        let e = per_world.entry(world).or_default();
        e.0 += u32::from(ok);
        e.1 += 1;
    }
    assert_eq!(per_world.len(), 8);
    let good = per_world.values().filter(|(ok, n)| f64::from(*ok) / f64::from(*n) >= 0.9).count();
    let share = good as f64 / 8.0;
    assert_eq!(goal["worlds"]["share"].as_f64().unwrap(), share);
    assert_eq!(goal["meets"].as_bool().unwrap(), share >= 0.9);
    assert!(good > 0 && good < 8, "the factor decides in some worlds and not others: {per_world:?}");
    assert!(goal["interval"][0].is_null(), "no pooled interval across worlds");
}

#[test]
fn optimise_with_worlds_that_do_not_matter_gives_the_plain_answer() {
    // A factor that cannot change T80 ≤ 5 h (the e-mail's delay stays above 5 h): every world
    // runs the same replications, so every world's share is the plain share and the answer is
    // the plain one.
    let search = Search { lever: "involvement.fraction".into(), min: 0.0, max: 1.0, resolution: 0.005 };
    let plain = optimise(&Plan::of(&bin100(0.05, 300, "").load()).unwrap(), &search, &|| {}).unwrap();
    let uncertain =
        "\n[uncertain]\nworlds = 3\n\"channels.email.delay.value\" = { dist = \"uniform\", min = 6.0, max = 20.0 }\n";
    let worlds = optimise(&Plan::of(&bin100(0.05, 300, uncertain).load()).unwrap(), &search, &|| {}).unwrap();
    assert_eq!(plain.value, worlds.value);
    assert_eq!(worlds.goal_result.worlds.as_ref().unwrap().share, 1.0);
}

#[test]
fn chain_bisection_returns_the_smallest_fraction() {
    // With the goal at 5 h only all ten developers involved meet T80 ≤ 5 h in every replication
    // … and with 8 of 10 involved T80 is 5 h too (k = 8): the replication meets iff at least 8
    // gates are open. A goal probability of 1 needs every one of the 50 replications to have 8
    // open gates; the smallest such fraction is the largest over replications of the 8th
    // smallest gate uniform, which bisection must bracket within its resolution: checked by
    // running both sides through the pipeline.
    let t = chain(CHAIN_COSTS);
    let text = edit(
        &read_text(&t.scenario()),
        "t_threshold_hours = 14\nprobability = 0.9",
        "t_threshold_hours = 5\nprobability = 1.0",
    );
    std::fs::write(t.scenario(), &text).unwrap();
    let s = t.load();
    let res = 1e-4;
    let o = optimise(
        &Plan::of(&s).unwrap(),
        &Search { lever: "involvement.fraction".into(), min: 0.0, max: 1.0, resolution: res },
        &|| {},
    )
    .unwrap();
    let v = o.value.unwrap();
    assert_eq!(o.probability, 1.0);
    let cost = o.cost.as_ref().unwrap().hours_per_month;
    assert!((cost - v * 10.0 * 2.0).abs() < 1e-9, "cost is linear in the fraction: {cost} at {v}");
    let below = v - res;
    let sweep = format!("{text}\n[sweep]\n\"involvement.fraction\" = [{below}, {v}]\n");
    std::fs::write(t.scenario(), sweep).unwrap();
    let (_dir, out) = run_into_temp(&t.scenario(), &[]);
    let r: permeate::analysis::results::Results = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let n = r.variants.len();
    assert!(r.variants[n - 1].goal.as_ref().unwrap().meets);
    assert!(!r.variants[n - 2].goal.as_ref().unwrap().meets);
}

#[test]
fn optimise_writes_optimise_json_and_refuses_non_monotone_levers() {
    let t = bin100(0.05, 200, "");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("opt");
    let sc = t.scenario();
    let o =
        permeate(&["optimise", sc.to_str().unwrap(), "--lever", "involvement.fraction", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("optimise.json"))).unwrap();
    for key in ["lever", "value", "probability", "cost"] {
        assert!(json.get(key).is_some(), "optimise.json has {key}");
    }
    assert!(out.join(".permeate").exists(), "the folder carries the marker");
    for lever in
        ["organisation.generate.cross_team_ties", "channels.email.delay.value", "channels.standup.every", "seed"]
    {
        let o = permeate(&[
            "optimise",
            sc.to_str().unwrap(),
            "--lever",
            lever,
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ]);
        let msg = assert_input_error(lever, &o);
        assert!(msg.contains(lever), "{lever}: {msg}");
        assert!(!dir.path().join("x").exists());
    }
    // A range the lever does not allow, or an empty one; a channel without its own notice.
    for (what, extra) in [
        ("max above 1", &["--lever", "involvement.fraction", "--max", "1.5"][..]),
        ("min above max", &["--lever", "involvement.fraction", "--min", "0.6", "--max", "0.2"][..]),
        ("no channel notice", &["--lever", "channels.email.notice"][..]),
    ] {
        let y = dir.path().join("y");
        let mut args = vec!["optimise", sc.to_str().unwrap(), "-o", y.to_str().unwrap()];
        args.extend_from_slice(extra);
        let msg = assert_input_error(what, &permeate(&args));
        assert!(msg.contains(extra[1]), "{what}: {msg}");
    }
    // No goal: refused, naming [goal].
    let no_goal = with_scenario(SCENARIO);
    let o = permeate(&["optimise", no_goal.scenario().to_str().unwrap(), "--lever", "channels.chat.transmit"]);
    let msg = assert_input_error("no goal", &o);
    assert!(msg.contains("goal"), "{msg}");
}

#[test]
fn bad_costs_and_goals_are_refused_naming_the_key() {
    let cases: [(&str, &str, &str); 8] = [
        ("negative cost", "[costs]\ninvolvement = -1.0\n", "costs.involvement"),
        ("negative variant cost", "", "cost"),
        ("goal probability 0", "[goal]\nt_threshold_hours = 5\nprobability = 0.0\n", "goal.probability"),
        ("goal probability above 1", "[goal]\nt_threshold_hours = 5\nprobability = 1.5\n", "goal.probability"),
        ("goal without a matching target", "[goal]\nt_threshold_hours = 5\nthreshold = 0.5\n", "goal.threshold"),
        ("goal without a time", "[goal]\nprobability = 0.9\n", "goal"),
        ("unknown channel", "[costs.channels.telepathy]\nper_attendee = 1.0\n", "costs.channels.telepathy"),
        ("unknown key", "[costs]\ninvolvment = 1.0\n", "involvment"),
    ];
    for (what, add, key) in cases {
        let text = if what == "negative variant cost" {
            edit(SCENARIO, "name = \"reliable chat\"", "name = \"reliable chat\"\ncost = -2.0")
        } else {
            edit(SCENARIO, "[source]", &format!("{add}\n[source]"))
        };
        let t = with_scenario(&text);
        let o = permeate(&["check", t.scenario().to_str().unwrap()]);
        let msg = assert_input_error(what, &o);
        assert!(msg.contains(key), "{what}: {msg}");
    }
    // A variant's bad cost is located at its line.
    let text = edit(SCENARIO, "name = \"reliable chat\"", "name = \"reliable chat\"\ncost = -2.0");
    let msg = assert_input_error("line", &permeate(&["check", with_scenario(&text).scenario().to_str().unwrap()]));
    let line = super::bad_input::line_of(&text, "cost = -2.0");
    assert!(msg.contains(&format!(":{line}")) && msg.contains("reliable chat"), "{msg}");
    // A goal alone (no costs): summary.md says which points meet it.
    let text = edit(SCENARIO, "[source]", "[goal]\nt_threshold_hours = 30\n\n[source]");
    let t = with_scenario(&text);
    let (_dir, out) = run_into_temp(&t.scenario(), &[]);
    let md = read_text(&out.join("summary.md"));
    assert!(md.contains("## The goal") && !md.contains("## What it costs"), "{md}");
    // Costs and goals cannot differ between variants.
    let text = edit(SCENARIO, "set = { \"channels.chat.transmit\" = 1.0 }", "set = { \"goal.probability\" = 0.5 }");
    let o = permeate(&["check", with_scenario(&text).scenario().to_str().unwrap()]);
    let msg = assert_input_error("goal in a variant", &o);
    assert!(msg.contains("goal"), "{msg}");
    let _ = (PEOPLE, LINKS);
}

/// sweep.csv carries each sweep point's goal share, whether it meets the goal and its cost, the
/// same numbers as summary.json's `goal` and `cost` for that point.
#[test]
fn sweep_csv_carries_the_goal_and_the_cost_of_each_point() {
    let (_dir, out) = run_into_temp(&super::common::bundled("acme-costs.toml"), &["-n", "40"]);
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let mut rows = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (variant, prob, meets, cost) =
        (col("variant"), col("goal_probability"), col("meets_goal"), col("cost_hours_per_month"));
    let mut n = 0;
    for row in rows.records() {
        let row = row.unwrap();
        let v = json["variants"].as_array().unwrap().iter().find(|v| v["name"] == row[variant]).expect("the point");
        let close =
            |text: &str, x: &serde_json::Value| (text.parse::<f64>().unwrap() - x.as_f64().unwrap()).abs() < 1e-6;
        assert!(close(&row[prob], &v["goal"]["probability"]), "{}", &row[variant]);
        assert_eq!(row[meets].to_string(), v["goal"]["meets"].to_string());
        assert!(close(&row[cost], &v["cost"]["hours_per_month"]), "{}", &row[variant]);
        n += 1;
    }
    assert_eq!(n, 6, "one row per sweep point");
}
