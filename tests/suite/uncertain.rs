//! Uncertain assumptions: worlds drawn from the factors' plausible values, common random numbers
//! across worlds, answers pooled and spread across worlds, and bad `[uncertain]` input.

use permeate::design::worlds::WorldDesign;
use permeate::study::{Plan, PlanOptions, WorldChoice};

use crate::common::{TempScenario, permeate, read_text, run_ok, star_csv};

/// A star of `leaves` developers around the community node, exponential delays of rate 1 on
/// channel `feed`, nothing else random; `extra` appended to the scenario.
fn star(leaves: usize, replications: u64, extra: &str) -> TempScenario {
    star_with(leaves, replications, "", extra)
}

/// [`star`] with `top` among the top-level keys.
fn star_with(leaves: usize, replications: u64, top: &str, extra: &str) -> TempScenario {
    let (people, links) = star_csv(leaves);
    let toml = format!(
        "name = \"star\"\nseed = 11\nreplications = {replications}\nhorizon_hours = 1000\n{top}\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = {{ dist = \"exponential\", rate = 1.0 }}\ntransmit = 1.0\n\
         [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\nthreshold = 0.8\n{extra}"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)])
}

/// Mean T80 of 100 leaves with rate λ: Σ_{j=21}^{100} 1/(j λ) (order statistics of exponentials).
fn star_mean(lambda: f64) -> f64 {
    (21..=100).map(|j| 1.0 / (j as f64 * lambda)).sum()
}

#[test]
fn a_choice_of_rates_gives_the_mixture_of_the_closed_forms() {
    let extra =
        "[uncertain]\nworlds = 200\n\"channels.feed.delay.rate\" = { dist = \"choice\", values = [0.5, 1.0] }\n";
    let s = star(100, 100, extra).load();
    let plan = permeate::study::Plan::of(&s).unwrap();
    assert_eq!(plan.worlds().unwrap().values.len(), 200);
    let r = permeate::study::results(&plan, &|| {}).unwrap();
    let t = &r.variants[0].replications;
    assert_eq!(t.len(), 200 * 100);
    // The worlds are the sampling units: the standard error comes from the per-world means (the
    // share of worlds with each rate varies from draw to draw).
    let means: Vec<f64> = t.chunks(100).map(|w| w.iter().map(|x| x.unwrap()).sum::<f64>() / 100.0).collect();
    let grand = means.iter().sum::<f64>() / means.len() as f64;
    let sd = (means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (means.len() - 1) as f64).sqrt();
    let se = sd / (means.len() as f64).sqrt();
    let expected = 0.5 * (star_mean(0.5) + star_mean(1.0));
    assert!((expected - 2.3845).abs() < 1e-4, "{expected}");
    assert!((grand - expected).abs() < 4.0 * se, "pooled mean {grand} vs {expected} (se {se})");
    // Each world's mean is near its own rate's closed form (sd of a world mean ≈ 0.03 at λ = 1).
    for (w, m) in means.iter().enumerate() {
        let rate = plan.worlds().unwrap().values[w][0];
        assert!((m - star_mean(rate)).abs() < 0.25 / rate, "world {w} (rate {rate}): {m}");
    }
    let spread = r.variants[0].worlds.as_ref().unwrap().median;
    assert!(spread.p5.unwrap() < 1.7 && spread.p95.unwrap() > 3.0, "{spread:?}");
}

#[test]
fn degenerate_ranges_reproduce_the_plain_run_exactly() {
    let plain = star(60, 300, "").load();
    let degenerate = star(
        60,
        300,
        "[uncertain]\nworlds = 3\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 1.0, max = 1.0 }\n\
         \"channels.feed.delay.rate\" = { dist = \"triangular\", min = 1.0, mode = 1.0, max = 1.0 }\n",
    )
    .load();
    let a = permeate::study::results(&permeate::study::Plan::of(&plain).unwrap(), &|| {}).unwrap();
    let b = permeate::study::results(&permeate::study::Plan::of(&degenerate).unwrap(), &|| {}).unwrap();
    let one = &a.variants[0].replications;
    for w in 0..3 {
        assert_eq!(&b.variants[0].replications[w * 300..(w + 1) * 300], &one[..], "world {w}");
    }
}

#[test]
fn world_values_depend_only_on_seed_world_and_factor() {
    let s = star(
        10,
        5,
        "[uncertain]\nworlds = 40\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.2, max = 0.9 }\n",
    );
    let a = s.load();
    let worlds = |options: PlanOptions| Plan::new(&a, options).unwrap().worlds().unwrap().clone();
    let first = worlds(PlanOptions::default());
    let design = WorldChoice::Design(WorldDesign::Random { count: 40 });
    assert_eq!(worlds(PlanOptions { worlds: design, ..PlanOptions::default() }), first);
    assert_ne!(worlds(PlanOptions { seed: Some(12), ..PlanOptions::default() }), first, "another seed, other worlds");
    // Shards in separate processes with different -j merge into the bytes of one run.
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    run_ok(&s.scenario(), &single, &["-j", "2", "-n", "20"]);
    let mut parts = Vec::new();
    for i in 1..=3 {
        let out = dir.path().join(format!("p{i}"));
        run_ok(&s.scenario(), &out, &["-j", &(1 + i % 2).to_string(), "-n", "20", "--shard", &format!("{i}/3")]);
        parts.push(out.to_str().unwrap().to_string());
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", parts[2].as_str(), parts[0].as_str(), parts[1].as_str(), "-q", "-o"];
    args.push(merged.to_str().unwrap());
    assert!(permeate(&args).status.success());
    for f in ["summary.json", "replications.csv", "curve.csv", "summary.md", "report.html"] {
        assert_eq!(read_text(&single.join(f)), read_text(&merged.join(f)), "{f}");
    }
    let csv = read_text(&single.join("replications.csv"));
    assert!(csv.starts_with("variant,world,replication,t_threshold,reached\n"));
    assert_eq!(csv.lines().count(), 1 + 40 * 20);
}

/// Asserts that `extra` makes the star scenario invalid, with exit status 2 and every one of
/// `names` in the message.
fn refused(extra: &str, names: &[&str]) {
    let s = star(5, 10, extra);
    let o = permeate(&["check", s.scenario().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{extra}\n{err}");
    for n in names {
        assert!(err.contains(n), "message should name {n}: {err}");
    }
    assert!(!err.contains("enum") && !err.contains("struct"), "no Rust type names: {err}");
    assert!(err.contains("scenario.toml:"), "names the file and line: {err}");
}

#[test]
fn bad_uncertain_input_is_refused_naming_the_path() {
    let u = |body: &str| format!("[uncertain]\n{body}\n");
    refused(
        &u("\"channels.nope.transmit\" = { dist = \"uniform\", min = 0.1, max = 0.2 }"),
        &["channels.nope.transmit", "no channel \"nope\""],
    );
    refused(
        &u("\"community_manager.mandate\" = { dist = \"uniform\", min = 0.1, max = 0.2 }"),
        &["community_manager.mandate", "supported"],
    );
    refused(
        &u("\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.6, max = 0.2 }"),
        &["channels.feed.transmit", "min"],
    );
    refused(
        &u("\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.5, max = 1.2 }"),
        &["channels.feed.transmit", "1.2", "probability"],
    );
    refused(
        &u("\"channels.feed.delay.rate\" = { dist = \"uniform\", min = -1, max = 2 }"),
        &["channels.feed.delay.rate", "greater than 0"],
    );
    refused(
        &u("\"channels.feed.delay.median\" = { dist = \"uniform\", min = 1, max = 2 }"),
        &["channels.feed.delay.median"],
    );
    refused(
        &u("\"channels.feed.transmit\" = { dist = \"beta\", mean = 0.5, sd = 0.6 }"),
        &["channels.feed.transmit", "sd"],
    );
    refused(
        &u("\"channels.feed.transmit\" = { dist = \"normal\", mean = 0.5 }"),
        &["channels.feed.transmit", "unknown dist \"normal\""],
    );
    refused(
        &u("\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.5 }"),
        &["channels.feed.transmit", "needs `max`"],
    );
    refused(&u("\"channels.feed.transmit\" = 0.5"), &["channels.feed.transmit", "dist = \"uniform\""]);
    refused(&u("worlds = 0\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.1, max = 0.2 }"), &["worlds"]);
    refused(
        &u(
            "[[uncertain.factors]]\nname = \"speed\"\npaths = [\"channels.feed.delay.rate\"]\nmode = \"scale\"\ndist = \"uniform\"\nmin = -1\nmax = 2",
        ),
        &["speed", "greater than 0"],
    );
    refused(
        &format!(
            "[[variants]]\nname = \"sure\"\nset = {{ \"channels.feed.transmit\" = 1.0 }}\n{}",
            u("\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.1, max = 0.2 }")
        ),
        &["sure", "channels.feed.transmit", "scale"],
    );
    // A variant cannot set the uncertain section.
    refused("[[variants]]\nname = \"x\"\nset = { \"uncertain.worlds\" = 3 }\n", &["uncertain", "whole scenario"]);
}

/// A chain community → a → b over channel `path` (fixed delays) and a channel `unused` between
/// two people the item never reaches: T is twice the path's delay in every world.
fn chain_with_unused_channel(extra: &str) -> TempScenario {
    let people = "id,unit,role\ncommunity,external,community\na,development,developer\nb,development,developer\n\
                  x,support,agent\ny,support,agent\n";
    let links = "source,target,channel,direction\ncommunity,a,path,forward\na,b,path,forward\nx,y,unused,both\n";
    let toml = format!(
        "name = \"chain\"\nseed = 5\nreplications = 20\nhorizon_hours = 1000\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.path]\ndelay = {{ dist = \"fixed\", value = 2.0 }}\n\
         [channels.unused]\ndelay = {{ dist = \"exponential\", mean = 3.0 }}\ntransmit = 0.5\n\
         [roles.developer]\n[roles.agent]\n\
         [source]\nid = \"community\"\n[target]\nid = [\"a\", \"b\"]\nthreshold = 1.0\n\
         [[variants]]\nname = \"slower unused\"\nset = {{ \"channels.unused.delay.mean\" = 9.0 }}\n{extra}"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)])
}

#[test]
fn sobol_indices_find_the_only_factor_on_the_path() {
    let s = chain_with_unused_channel(
        "[uncertain]\n\"channels.path.delay.value\" = { dist = \"uniform\", min = 1.0, max = 5.0 }\n\
         \"channels.unused.transmit\" = { dist = \"uniform\", min = 0.1, max = 0.9 }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sens");
    let o = permeate(&[
        "sensitivity",
        s.scenario().to_str().unwrap(),
        "--samples",
        "128",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("sensitivity.json"))).unwrap();
    let baseline = &json["outputs"][0];
    assert_eq!(baseline["output"], "median T100: baseline");
    let st = |i: usize| baseline["factors"][i]["sobol"]["st"].as_f64().unwrap();
    assert!(st(0) > 0.95, "the path's delay explains T: ST = {}", st(0));
    assert!(st(1) < 0.02, "the unused channel explains nothing: ST = {}", st(1));
    let csv = read_text(&out.join("sensitivity.csv"));
    assert!(csv.starts_with("output,factor,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi\n"));
    assert_eq!(csv.lines().count(), 1 + 2 * 3, "two factors × (2 medians + 1 difference)");
    let html = read_text(&out.join("report.html"));
    assert!(html.contains("Which assumption matters"), "the report has the section");
    assert!(
        html.contains("Measure &quot;channels.path.delay.value&quot; first"),
        "and names the factor to measure first"
    );
    // Morris screening ranks them the same way.
    let out = dir.path().join("morris");
    let o = permeate(&[
        "sensitivity",
        s.scenario().to_str().unwrap(),
        "--method",
        "morris",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = read_text(&out.join("sensitivity.csv"));
    assert!(csv.starts_with("output,factor,mu_star,sigma\n"));
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("sensitivity.json"))).unwrap();
    let f = &json["outputs"][0]["factors"];
    // T = 2·value: moving the value over its whole range (4 h) moves T by 8 h per unit of the
    // quantile scale.
    assert!((f[0]["morris"]["mu_star"].as_f64().unwrap() - 8.0).abs() < 1e-3, "{f}");
    assert_eq!(f[1]["morris"]["mu_star"].as_f64().unwrap(), 0.0);
}

#[test]
fn a_sensitivity_study_needs_uncertain_factors() {
    let s = star(5, 10, "");
    let o = permeate(&["sensitivity", s.scenario().to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[uncertain]"));
}

#[test]
fn compare_to_sets_the_reference_and_different_targets_are_not_paired() {
    let extra = "[[variants]]\nname = \"faster\"\nset = { \"channels.feed.delay.rate\" = 2.0 }\n\
                 [[variants]]\nname = \"community only\"\nset = { \"target.role\" = \"community\" }\n";
    let s = star_with(40, 300, "compare_to = \"faster\"\n", extra);
    let loaded = s.load();
    assert_eq!(loaded.reference(), 1);
    let r = permeate::study::results(&permeate::study::Plan::of(&loaded).unwrap(), &|| {}).unwrap();
    assert_eq!(r.reference.as_deref(), Some("faster"));
    let (base, faster, other) = (&r.variants[0], &r.variants[1], &r.variants[2]);
    assert!(faster.vs_reference.is_none(), "the reference is not compared with itself");
    let there = faster.vs_baseline.as_ref().unwrap().mean_delta.unwrap();
    let back = base.vs_reference.as_ref().unwrap().mean_delta.unwrap();
    assert!(there < -0.5, "twice the rate is faster: {there}");
    assert!((there + back).abs() < 1e-9, "baseline vs faster is the negative of faster vs baseline: {there} {back}");
    assert!(other.vs_baseline.is_none() && other.vs_reference.is_none(), "another target group is not paired");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&s.scenario(), &out, &["-n", "50"]);
    let md = read_text(&out.join("summary.md"));
    assert!(md.contains("vs faster"), "the table names the reference: {md}");
    assert!(md.contains("its target group differs"), "the answer says why a variant is not paired");
    assert!(md.contains("than \"faster\""), "the answers compare with the reference");
    // Issue 20, "also seen": summary.json writes the reference's own comparison as `null`, like
    // `vs_baseline` (it was left out; seen to fail with `skip_serializing_if`).
    let json: serde_json::Value = serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap();
    let faster_json = &json["variants"][1];
    assert_eq!(faster_json["name"], "faster");
    assert!(faster_json.get("vs_reference").is_some_and(|v| v.is_null()), "{faster_json}");
    assert!(json["variants"][0]["vs_reference"].is_object(), "the baseline is compared with the reference");
    // An unknown reference is refused, naming the key.
    let bad = star_with(5, 10, "compare_to = \"nope\"\n", "");
    let o = permeate(&["check", bad.scenario().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("compare_to") && err.contains("nope"), "{err}");
}

// ---- Regressions from review ----

#[test]
fn pooled_intervals_are_not_given_where_worlds_reuse_the_replications() {
    let extra = "[[variants]]\nname = \"faster\"\nset = { \"channels.feed.delay.rate\" = 2.0 }\n\
                 [uncertain]\nworlds = 20\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.9, max = 1.0 }\n";
    let s = star(30, 40, extra).load();
    let r = permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).unwrap();
    for v in &r.variants {
        assert_eq!(v.t_threshold.ci95_mean, None, "{}: no iid interval over reused replications", v.name);
        assert_eq!(v.t_threshold.ci95_median, [None, None]);
    }
    let p = r.variants[1].vs_baseline.as_ref().unwrap();
    assert_eq!(p.ci95_mean_delta, None);
    let w = p.worlds.as_ref().unwrap();
    // One statistic for "better in N% of worlds" and the range: the per-world median difference.
    assert_eq!(w.p_better_worlds, 1.0);
    assert!(w.median_delta.p90.unwrap() < 0.0);
}

#[test]
fn factor_combinations_that_are_invalid_are_refused_by_check() {
    // Each range is valid alone (against the base delay uniform 1–10); together min can exceed max.
    let s = star(
        5,
        10,
        "[uncertain]\nworlds = 50\n\"channels.feed.delay.min\" = { dist = \"uniform\", min = 0.0, max = 8.0 }\n\
         \"channels.feed.delay.max\" = { dist = \"uniform\", min = 2.0, max = 12.0 }\n",
    );
    let text = read_text(&s.scenario()).replace(
        "delay = { dist = \"exponential\", rate = 1.0 }",
        "delay = { dist = \"uniform\", min = 1.0, max = 10.0 }",
    );
    std::fs::write(s.scenario(), text).unwrap();
    let o = permeate(&["check", s.scenario().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("uncertain") && err.contains("plausible world") && err.contains("min"), "{err}");
}

#[test]
fn two_factors_on_one_number_are_refused() {
    refused(
        "[uncertain]\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.1, max = 0.9 }\n\
         [[uncertain.factors]]\nname = \"s\"\npaths = [\"channels.feed.transmit\"]\nmode = \"scale\"\ndist = \"uniform\"\nmin = 0.5\nmax = 1.0\n",
        &["\"s\"", "same number"],
    );
    refused(
        "[uncertain]\n\"channels.feed.delay.rate\" = { dist = \"uniform\", min = 0.5, max = 2.0 }\n\
         \"channels.feed.delay.mean\" = { dist = \"uniform\", min = 0.5, max = 2.0 }\n",
        &["same number"],
    );
}

#[test]
fn morris_worlds_avoid_impossible_extremes() {
    let s = star(5, 5, "[uncertain]\n\"channels.feed.transmit\" = { dist = \"beta\", mean = 0.7, sd = 0.1 }\n");
    let sc = s.load();
    let design = WorldChoice::Design(WorldDesign::Morris { trajectories: 10 });
    let plan = Plan::new(&sc, PlanOptions { worlds: design, ..PlanOptions::default() }).unwrap();
    for row in &plan.worlds().unwrap().values {
        assert!(row[0] > 0.0 && row[0] < 1.0, "{row:?}");
    }
}

#[test]
fn merge_refuses_inconsistent_facts_instead_of_panicking() {
    let s = star(10, 5, "[uncertain]\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.5, max = 0.9 }\n");
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("part");
    let o = permeate(&[
        "sensitivity",
        s.scenario().to_str().unwrap(),
        "--samples",
        "8",
        "-q",
        "--shard",
        "1/1",
        "-o",
        part.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = part.join("shard.json");
    let original = read_text(&manifest);
    for (from, to) in [("\"reference\":0", "\"reference\":5"), ("\"samples\":8", "\"samples\":7")] {
        assert!(original.contains(from), "{from} in the manifest");
        std::fs::write(&manifest, original.replace(from, to)).unwrap();
        let out = dir.path().join("merged");
        let o = permeate(&["merge", part.to_str().unwrap(), "-q", "-o", out.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains("inconsistent") && err.contains(part.to_str().unwrap()), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn different_thresholds_are_not_paired() {
    let s = star(20, 30, "[[variants]]\nname = \"lower bar\"\nset = { \"target.threshold\" = 0.25 }\n").load();
    let r = permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).unwrap();
    assert!(r.variants[1].vs_baseline.is_none(), "T25 is not paired with T80");
}

#[test]
fn answers_with_calendars_and_worlds_state_the_spread_across_worlds() {
    let top = "calendar = \"office\"\nstart = \"2026-11-23T09:00:00+01:00\"\n";
    let extra = "[calendars.office]\ntimezone = \"Europe/Berlin\"\ndays = \"Mon-Fri\"\nhours = \"09:00-17:00\"\n\
                 [[variants]]\nname = \"faster\"\nset = { \"channels.feed.delay.rate\" = 2.0 }\n\
                 [uncertain]\nworlds = 10\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.9, max = 1.0 }\n";
    let s = star_with(20, 20, top, extra);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&s.scenario(), &out, &[]);
    let md = read_text(&out.join("summary.md"));
    assert!(md.contains("calendar days"), "{md}");
    assert!(md.contains("across plausible assumptions"), "the spread across worlds: {md}");
    assert!(!md.contains("never–never"), "no empty interval: {md}");
    assert!(
        md.contains(
            "it is faster than today in 10 of 10 plausible worlds and never slower (per-world median difference -"
        ) && md.contains("calendar days in 80% of plausible worlds)"),
        "the comparison across worlds, counted and by how much: {md}"
    );
}

#[test]
fn defaults_are_said_and_strict_refuses_them() {
    // The star has no [roles.developer] table (the community role is the source's and exempt).
    let s = star(5, 10, "");
    let o = permeate(&["check", s.scenario().to_str().unwrap()]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("warning:").count(), 1, "exactly the roles without tables: {err}");
    assert!(err.contains("role \"developer\" has no [roles.developer] table") && err.contains("notice 1"), "{err}");
    let with_table = star(5, 10, "[roles.developer]\nnotice = 0.9\n");
    let o = permeate(&["check", with_table.scenario().to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning:"), "a role with a table is not warned about");
    let strict = star_with(5, 10, "strict = true\n", "");
    let o = permeate(&["check", strict.scenario().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("strict") && err.contains("roles.developer"), "{err}");
    // The report's assumptions say it too.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&s.scenario(), &out, &[]);
    assert!(read_text(&out.join("report.html")).contains("<strong>Default:</strong> role &quot;developer&quot;"));
}
