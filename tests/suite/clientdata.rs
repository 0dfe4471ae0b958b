//! The client's own data in the model: link strength (`weight` in links.csv), names and sites of
//! people in the answer, several community managers and one-way reach.

use crate::bad_input::{LINKS, PEOPLE, assert_at, assert_mentions, bad, with_csv};
use crate::common::{TempScenario, bundled, run_library, run_ok};

/// Two people, the community `c` and developer `d`, one forward link over `wire` with `transmit`
/// and the links file's extra columns `extra_header`/`extra_value`.
fn two_people(transmit: f64, weight: Option<&str>, replications: u64) -> TempScenario {
    let people = "id,unit,role\nc,external,community\nd,development,developer\n";
    let links = match weight {
        None => "source,target,channel,direction\nc,d,wire,forward\n".to_string(),
        Some(w) => format!("source,target,channel,direction,weight\nc,d,wire,forward,{w}\n"),
    };
    let toml = format!(
        "name = \"weight\"\nseed = 11\nreplications = {replications}\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.wire]\ndelay = {{ dist = \"fixed\", value = 1 }}\ntransmit = {transmit}\n[source]\nid = \"c\"\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", &links)])
}

/// Known answer: a link of weight w carries the item with probability 1 − (1 − transmit)^w. With
/// one link and one target member, the reached fraction estimates exactly that. n = 20,000
/// replications, within 4 standard errors: a correct implementation fails with probability
/// about 6e-5 per case (the seed is fixed, so in practice never).
#[test]
fn weight_gives_independent_chances() {
    let n = 20_000u64;
    for (transmit, weight, expected) in
        [(0.5, "3", 0.875), (0.5, "0.5", 1.0 - 0.5f64.sqrt()), (0.2, "2", 0.36), (0.5, "1", 0.5)]
    {
        let ts = two_people(transmit, Some(weight), n);
        let s = ts.load();
        let run = run_library(&s, 0);
        let reached = run.t_threshold.iter().filter(|t| t.is_some()).count() as f64 / n as f64;
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!(
            (reached - expected).abs() < 4.0 * se,
            "transmit {transmit}, weight {weight}: reached {reached}, expected {expected} ± {}",
            4.0 * se
        );
    }
}

/// A weight column of all 1 gives the same bytes as no column (Northwind, a bundled scenario
/// with every kind of channel).
#[test]
fn weight_one_is_byte_identical_to_no_weight_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(bundled("northwind.toml")).unwrap();
    let people = std::fs::read_to_string(bundled("northwind/people.csv")).unwrap();
    let links = std::fs::read_to_string(bundled("northwind/links.csv")).unwrap();
    let weighted: String = links
        .lines()
        .map(|l| {
            if l.starts_with('#') || l.trim().is_empty() {
                format!("{l}\n")
            } else if l.starts_with("source,") {
                format!("{l},weight\n")
            } else {
                format!("{l},1\n")
            }
        })
        .collect();
    assert!(weighted.contains(",weight\n") && weighted.matches(",1\n").count() > 100);
    std::fs::create_dir_all(dir.path().join("a/northwind")).unwrap();
    std::fs::create_dir_all(dir.path().join("b/northwind")).unwrap();
    for (sub, l) in [("a", &links), ("b", &weighted)] {
        std::fs::write(dir.path().join(sub).join("s.toml"), &text).unwrap();
        std::fs::write(dir.path().join(sub).join("northwind/people.csv"), &people).unwrap();
        std::fs::write(dir.path().join(sub).join("northwind/links.csv"), l).unwrap();
        run_ok(&dir.path().join(sub).join("s.toml"), &dir.path().join(sub).join("out"), &["-n", "300"]);
    }
    for file in ["summary.json", "replications.csv", "curve.csv", "summary.md"] {
        let a = std::fs::read(dir.path().join("a/out").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("b/out").join(file)).unwrap();
        assert!(a == b, "{file} differs between no weight column and a weight column of 1");
    }
}

/// Common random numbers: the weight maps the probability, never the draw, so a stronger link
/// carries the item in every replication a weaker one does, and no replication gets slower.
#[test]
fn a_larger_weight_is_never_slower_replication_by_replication() {
    // A small web: the community reaches four developers through two leads, with cross links.
    let people = "id,unit,role\nc,external,community\nl1,development,team_lead\nl2,development,team_lead\n\
                  d1,development,developer\nd2,development,developer\nd3,development,developer\nd4,development,developer\n";
    let edges = [
        ("c", "l1"),
        ("c", "l2"),
        ("l1", "d1"),
        ("l1", "d2"),
        ("l2", "d3"),
        ("l2", "d4"),
        ("d1", "d3"),
        ("d2", "d4"),
        ("l1", "l2"),
    ];
    let links = |w: &dyn Fn(usize) -> f64| {
        let mut s = String::from("source,target,channel,weight\n");
        for (i, (a, b)) in edges.iter().enumerate() {
            s += &format!("{a},{b},chat,{}\n", w(i));
        }
        s
    };
    let toml = "name = \"coupling\"\nseed = 5\nreplications = 2000\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.chat]\ndelay = { dist = \"exponential\", mean = 3 }\ntransmit = 0.3\n\
                [roles.developer]\nnotice = 0.9\nprocessing = { dist = \"exponential\", mean = 1 }\n\
                [roles.team_lead]\nwindow = { dist = \"exponential\", mean = 5 }\n[source]\nid = \"c\"\n[target]\nrole = \"developer\"\nthreshold = 0.75\n";
    let weak = links(&|i| 0.5 + 0.25 * i as f64);
    let strong = links(&|i| if i % 2 == 0 { 0.5 + 0.25 * i as f64 } else { 1.5 + i as f64 });
    let t = |l: &str| {
        let ts = TempScenario::new(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", l)]);
        run_library(&ts.load(), 0).t_threshold
    };
    let (a, b) = (t(&weak), t(&strong));
    let never = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
    let mut faster = 0;
    for (r, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(never(*y) <= never(*x), "replication {r}: stronger links gave {y:?}, weaker {x:?}");
        faster += usize::from(never(*y) < never(*x));
    }
    assert!(faster > 100, "the stronger weights should make many replications faster, made {faster}");
}

/// Bad weights: exit status 2 naming the file, the row and the column.
#[test]
fn bad_weights_name_file_row_and_column() {
    for w in ["0", "-1", "NaN", "inf", "heavy", "1e400"] {
        let links = LINKS
            .replacen("source,target,channel", "source,target,channel,weight", 1)
            .replacen("community,cm,feed", "community,cm,feed,1", 1)
            .replacen("cm,carol,chat", &format!("cm,carol,chat,{w}"), 1)
            .replacen("carol,alice,chat", "carol,alice,chat,2", 1)
            .replacen("carol,bob,chat", "carol,bob,chat,", 1);
        let ts = with_csv(PEOPLE, &links);
        let stderr = bad(&ts);
        assert_at(&stderr, "links.csv", 3);
        assert_mentions(&stderr, &["weight", "positive number", w]);
    }
}

/// Two community managers who each reach half of a star of eight developers, with fixed delays:
/// the community → both managers in 1 h; m1 → d1..d4 in 2 h, m2 → d5..d8 in 5 h; developers
/// process in 4 h, or 2 h (factor 0.5) when the message comes from a manager with a mandate.
/// T100 is the slower half: 1 + 5 + 4 = 10 h without mandates, 1 + 5 + 2 = 8 h when m2 has one
/// (`community_manager.1.mandate`), still 10 h when only m1 has one, 8 h with both.
fn two_managers(extra: &str) -> permeate::Scenario {
    two_managers_files(extra).load()
}

/// The files of [`two_managers`].
fn two_managers_files(extra: &str) -> TempScenario {
    let mut people = String::from(
        "id,unit,role\nc,external,community\nm1,marketing,community_manager\nm2,support,community_manager\n",
    );
    for i in 1..=8 {
        people += &format!("d{i},development,developer\n");
    }
    let toml = format!(
        "name = \"managers\"\nreplications = 5\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.watch]\ndelay = {{ dist = \"fixed\", value = 1 }}\n\
         [channels.near]\ndelay = {{ dist = \"fixed\", value = 2 }}\n\
         [channels.far]\ndelay = {{ dist = \"fixed\", value = 5 }}\n\
         [roles.developer]\nprocessing = {{ dist = \"fixed\", value = 4 }}\n\
         [source]\nid = \"c\"\n[target]\nrole = \"developer\"\nthreshold = 1.0\n\
         [[community_manager]]\nid = \"m1\"\nwatch_channel = \"watch\"\nreach = [{{ id = [\"d1\", \"d2\", \"d3\", \"d4\"], channel = \"near\" }}]\n\
         [[community_manager]]\nid = \"m2\"\nwatch_channel = \"watch\"\nreach = [{{ id = [\"d5\", \"d6\", \"d7\", \"d8\"], channel = \"far\" }}]\n\
         {extra}"
    );
    // The organisation's own links: one that does not matter (m1 and m2 hear at the same time).
    TempScenario::new(&[
        ("scenario.toml", &toml),
        ("people.csv", &people),
        ("links.csv", "source,target,channel\nm1,m2,watch\n"),
    ])
}

#[test]
fn two_managers_each_reaching_half_a_star_give_the_known_t() {
    let variants = "[[variants]]\nname = \"m2 mandate\"\nset = { \"community_manager.1.mandate\" = true }\n\
                    [[variants]]\nname = \"m1 mandate\"\nset = { \"community_manager.0.mandate\" = true }\n\
                    [[variants]]\nname = \"both\"\nset = { \"community_manager.0.mandate\" = true, \"community_manager.1.mandate\" = true }\n";
    let s = two_managers(variants);
    assert_eq!(s.variants()[0].community_managers.len(), 2);
    // The report's assumptions list each manager's own reach (4 links each, near for m1, far for m2).
    let a = permeate::study::Plan::of(&s).unwrap().facts().assumptions;
    let (m1, m2) = (a.community_manager.unwrap(), &a.other_community_managers[0]);
    assert_eq!((m1.id.as_str(), m2.id.as_str()), ("m1", "m2"));
    assert!(m1.reach.iter().any(|r| r.contains("4 link(s)") && r.contains("over near")), "{:?}", m1.reach);
    assert!(!m1.reach.iter().any(|r| r.contains("over far")), "{:?}", m1.reach);
    assert!(m2.reach.iter().any(|r| r.contains("4 link(s)") && r.contains("over far")), "{:?}", m2.reach);
    assert!(!m2.reach.iter().any(|r| r.contains("over near")), "{:?}", m2.reach);
    for (v, expected) in [(0, 10.0), (1, 8.0), (2, 10.0), (3, 8.0)] {
        let run = run_library(&s, v);
        for t in &run.t_threshold {
            assert_eq!(*t, Some(expected), "variant {}", s.variants()[v].name);
        }
    }
    // At threshold 0.5 the faster half decides: 1 + 2 + 4 = 7 h, or 1 + 2 + 2 = 5 h with m1's mandate.
    let s = two_managers(
        "[[variants]]\nname = \"m1 mandate\"\nset = { \"community_manager.0.mandate\" = true, \"target.threshold\" = 0.5 }\n",
    );
    assert_eq!(run_library(&s, 1).t_threshold[0], Some(5.0));
}

/// One-way reach: the community reaches d1 directly in 1 h, and the manager only after 10 h.
/// The manager's reach links d1 and the target d2 (1 h each). Two-way, d1 tells the manager,
/// who tells d2: 1 + 1 + 1 = 3 h. Forward only, d1 cannot send back: 10 + 1 = 11 h.
#[test]
fn forward_reach_cannot_be_used_backwards() {
    let people = "id,unit,role\nc,external,community\nm,marketing,community_manager\nd1,development,developer\nd2,development,developer\n";
    let links = "source,target,channel,direction\nc,d1,fast,forward\n";
    let t = |direction: &str| {
        let toml = format!(
            "name = \"reach\"\nreplications = 3\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
             [channels.fast]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[channels.slow]\ndelay = {{ dist = \"fixed\", value = 10 }}\n\
             [source]\nid = \"c\"\n[target]\nid = \"d2\"\n\
             [community_manager]\nid = \"m\"\nwatch_channel = \"slow\"\nreach = [{{ id = [\"d1\", \"d2\"], channel = \"fast\"{direction} }}]\n"
        );
        let ts = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)]);
        run_library(&ts.load(), 0).t_threshold
    };
    assert_eq!(t(""), vec![Some(3.0); 3], "two-way reach (the default)");
    assert_eq!(t(", direction = \"both\""), vec![Some(3.0); 3]);
    assert_eq!(t(", direction = \"forward\""), vec![Some(11.0); 3], "one-way reach");
}

#[test]
fn bad_manager_lists_and_toggles_are_input_errors() {
    use crate::bad_input::{SCENARIO, with_scenario};
    let two = "\n[[community_manager]]\nid = \"cm\"\n[[community_manager]]\nid = \"carol\"\n";
    // The same person twice.
    let e = bad(&with_scenario(&format!(
        "{SCENARIO}\n[[community_manager]]\nid = \"cm\"\n[[community_manager]]\nid = \"cm\"\n"
    )));
    assert_mentions(&e, &["community_manager.1", "\"cm\"", "already"]);
    // A reach direction that does not exist.
    let e = bad(&with_scenario(&format!(
        "{SCENARIO}\n[community_manager]\nid = \"cm\"\nreach = [{{ id = \"carol\", channel = \"chat\", direction = \"backward\" }}]\n"
    )));
    assert_mentions(&e, &["community_manager.reach.0.direction", "backward", "forward"]);
    // The single-table key on a list, and a position past its end.
    for (path, hint) in
        [("community_manager.mandate", "community_manager.0.mandate"), ("community_manager.2.mandate", "list of 2")]
    {
        let text = format!("{SCENARIO}{two}[[variants]]\nname = \"v\"\nset = {{ \"{path}\" = true }}\n");
        let e = bad(&with_scenario(&text));
        assert_mentions(&e, &[path, hint]);
    }
    // An unknown key inside a list entry names it.
    let e = bad(&with_scenario(&format!("{SCENARIO}\n[[community_manager]]\nid = \"cm\"\nmandat = true\n")));
    assert_mentions(&e, &["mandat", "mandate"]);
}

/// Two routes from the source to the target, through `x` (unit a) and through `y` (unit b), with
/// fixed delays; the route through `fast` always wins. People have the extra columns of
/// `people_extra` (a header suffix and one suffix per person src, x, y, t).
fn two_routes_with(fast: &str, header: &str, extra: [&str; 4], tables: &str) -> TempScenario {
    let ids = [
        ("src", "external", "community"),
        ("x", "a", "architect"),
        ("y", "b", "support_agent"),
        ("t", "dev", "developer"),
    ];
    let mut people = format!("id,unit,role{header}\n");
    for ((id, unit, role), e) in ids.iter().zip(extra) {
        people += &format!("{id},{unit},{role}{e}\n");
    }
    let links = "source,target,channel,direction\nsrc,x,via_x,forward\nx,t,via_x,forward\nsrc,y,via_y,forward\ny,t,via_y,forward\n";
    let (dx, dy) = if fast == "x" { (1, 3) } else { (3, 1) };
    let toml = format!(
        "name = \"routes\"\nreplications = 10\n{tables}[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.via_x]\ndelay = {{ dist = \"fixed\", value = {dx} }}\n[channels.via_y]\ndelay = {{ dist = \"fixed\", value = {dy} }}\n\
         [roles.architect]\n[roles.support_agent]\n[roles.developer]\n\
         [source]\nid = \"src\"\n[target]\nrole = \"developer\"\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", links)])
}

fn site_shares(ts: &TempScenario) -> Vec<(String, f64)> {
    let s = ts.load();
    let r = permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).expect("runs");
    r.variants[0].bottlenecks.sites.iter().map(|s| (s.name.clone(), s.share)).collect()
}

/// Known answer: the winning route's site has share 1 of the critical paths and the other
/// none; with the delays swapped, the reverse. A person without a site counts under their
/// calendar (here y, whose calendar runs around the clock, so times are as without calendars),
/// their own or the scenario-wide one.
#[test]
fn critical_paths_by_site_follow_the_winning_route() {
    let site = |fast| two_routes_with(fast, ",site", [",", ",Pune", ",Berlin", ",Pune"], "");
    assert_eq!(site_shares(&site("x")), vec![("Pune".to_string(), 1.0)], "Berlin's share is 0 (not listed)");
    assert_eq!(site_shares(&site("y")), vec![("Berlin".to_string(), 1.0)]);
    let cal = "calendar = \"anytime\"\nstart = \"2026-03-27T12:00:00Z\"\n\
               [calendars.anytime]\ntimezone = \"UTC\"\ndays = \"Mon-Sun\"\nhours = \"00:00-24:00\"\n\
               [calendars.remote]\ntimezone = \"UTC\"\ndays = \"Mon-Sun\"\nhours = \"00:00-24:00\"\n";
    let mixed = |fast| two_routes_with(fast, ",site,calendar", [",,", ",Pune,", ",,remote", ",,"], cal);
    assert_eq!(site_shares(&mixed("x")), vec![("Pune".to_string(), 1.0)]);
    assert_eq!(site_shares(&mixed("y")), vec![("remote".to_string(), 1.0)]);
    // y with neither a site nor a calendar of its own works on the scenario-wide calendar.
    let default = two_routes_with("y", ",site,calendar", [",,", ",Pune,", ",,", ",,"], cal);
    assert_eq!(site_shares(&default), vec![("anytime".to_string(), 1.0)]);
    // Without sites or calendars there is no site list (and summary.json has no `sites`).
    let none = two_routes_with("x", "", ["", "", "", ""], "");
    assert!(site_shares(&none).is_empty());
}

/// Names from people.csv appear in summary.md, summary.json (an extra field; `name` stays the
/// id) and report.html (escaped); the site in the report's people table.
#[test]
fn names_and_sites_are_shown_in_the_reports() {
    let ts =
        two_routes_with("x", ",name,site", [",The community,", ",Zoë & Co,Pune", ",Yusuf,Berlin", ",Tess,Pune"], "");
    let out = ts.path("out");
    run_ok(&ts.scenario(), &out, &[]);
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("people on the critical path: Zoë & Co (x) (100%)"), "{md}");
    assert!(md.contains("links on the critical path: The community (src) → Zoë & Co (x) over via_x"), "{md}");
    assert!(md.contains("sites on the critical path: Pune (100%)"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let p = &json["variants"][0]["bottlenecks"]["people"][0];
    assert_eq!(
        (p["name"].as_str(), p["display_name"].as_str(), p["site"].as_str()),
        (Some("x"), Some("Zoë & Co"), Some("Pune"))
    );
    assert_eq!(json["variants"][0]["bottlenecks"]["sites"][0]["name"].as_str(), Some("Pune"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Zoë &amp; Co (x)") && !html.contains("Zoë & Co"), "names are shown and escaped");
    assert!(html.contains("Sites on the critical path") && html.contains("architect, a, Pune"));
}

/// An uncertain factor drives one manager's mandate effect by its list key: with m2's mandate
/// and processing factor 0.25, m2's half processes in 1 h, so T100 = max(1 + 2 + 4, 1 + 5 + 1) =
/// 7 h in every world; the baseline (no mandate) does not have the parameter and stays at 10 h.
#[test]
fn an_uncertain_factor_reaches_one_managers_mandate_effect() {
    let extra = "[[variants]]\nname = \"m2 mandate\"\nset = { \"community_manager.1.mandate\" = true }\n\
                 [uncertain]\nworlds = 3\n\"community_manager.1.mandate_effect.processing_factor\" = { dist = \"uniform\", min = 0.25, max = 0.25 }\n";
    let s = two_managers(extra);
    let r = permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).expect("runs");
    let all = |v: usize, t: f64| r.variants[v].replications.iter().all(|x| *x == Some(t));
    assert!(all(0, 10.0) && all(1, 7.0), "{:?} {:?}", r.variants[0].replications, r.variants[1].replications);
    // A manager that does not exist is refused.
    let e = bad(&two_managers_files(
        &extra.replace("community_manager.1.mandate_effect", "community_manager.4.mandate_effect"),
    ));
    assert_mentions(&e, &["community_manager.4", "no community manager"]);
}

/// The mandate's cost with several managers: one part per mandated manager, each the manager's
/// hours plus their receivers × the per-receiver hours. By hand: m1 has links to d1–d4 and m2
/// (5 receivers; the community is not counted), m2 to d5–d8 and m1 (5). With 10 h + 1 h per
/// receiver: baseline 0, m2's mandate 15 h, both 30 h.
#[test]
fn each_mandated_manager_costs_its_own_hours_and_receivers() {
    let variants = "[costs]\nmandate_manager = 10.0\nmandate_per_receiver = 1.0\n\
                    [[variants]]\nname = \"m2 mandate\"\nset = { \"community_manager.1.mandate\" = true }\n\
                    [[variants]]\nname = \"both\"\nset = { \"community_manager.0.mandate\" = true, \"community_manager.1.mandate\" = true }\n";
    let s = two_managers(variants);
    let points = &s.costs().expect("costs").points;
    let hours: Vec<f64> = points.iter().map(|c| c.hours_per_month).collect();
    assert_eq!(hours, [0.0, 15.0, 30.0]);
    let levers: Vec<&str> = points[2].parts.iter().map(|p| p.lever.as_str()).collect();
    assert_eq!(levers, ["mandate m1", "mandate m2"]);
}

/// The memory estimate counts link weights: the same star of 10 links with weights 2 costs
/// exactly 10 × `BYTES_PER_LINK_WEIGHT` more than without them.
#[test]
fn the_memory_estimate_counts_link_weights() {
    let (people, links) = crate::common::star_csv(10);
    let weighted: String = links
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l},weight\n") } else { format!("{l},2\n") })
        .collect();
    let toml = "name = \"w\"\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.feed]\ndelay = { dist = \"fixed\", value = 1 }\ntransmit = 0.5\n\
                [roles.developer]\n[source]\nid = \"centre\"\n";
    let bytes = |links: &str| {
        let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", links)]).load();
        permeate::study::memory::estimate_run(&permeate::study::Plan::of(&s).unwrap(), 1).organisations
    };
    let extra = 10 * u128::from(permeate::engine::budget::BYTES_PER_LINK_WEIGHT);
    assert_eq!(bytes(&weighted), bytes(&links) + extra);
}
