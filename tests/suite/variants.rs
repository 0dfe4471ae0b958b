//! What-if variants under common random numbers: identical variants give exactly zero
//! differences, improvements never make a replication slower, pairing narrows intervals; the
//! generator's counts; sweeps.

use std::path::Path;

use permeate::analysis::stats::{mean_ci95, paired, student_t_quantile};

use crate::common::{TempScenario, run_library, run_library_with, run_ok};

/// The bundled ACME scenario (generated organisation) with `replications` and extra TOML.
fn acme(replications: u64, extra: &str) -> TempScenario {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/acme.toml")).unwrap();
    let text = text.replace("replications = 2000", &format!("replications = {replications}"));
    // Keep only the baseline: drop the bundled variants (everything from the first [[variants]]).
    let base = &text[..text.find("[[variants]]").unwrap()];
    TempScenario::new(&[("scenario.toml", &format!("{base}\n{extra}"))])
}

/// [`acme`] where monotone coupling is guaranteed: ACME's group meetings (dev_sync, the leads'
/// and management meetings, the digest) are scheduled, and over a scheduled channel the window
/// test uses the time from send to the next occurrence, so a sender with a window who processed
/// the item earlier can miss a meeting a later one would reach (docs/model.md, "Channel timing").
/// Everybody who speaks in a meeting gets an unlimited window here; developers, who never do,
/// keep theirs.
fn acme_without_meeting_windows(replications: u64, extra: &str) -> TempScenario {
    let s = acme(replications, extra);
    let text = std::fs::read_to_string(s.scenario()).unwrap();
    let mut table = String::new();
    let mut kept = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') {
            table = line.to_string();
        }
        if table.starts_with("[roles.") && table != "[roles.developer]" && line.starts_with("window") {
            continue;
        }
        kept.push(line);
    }
    assert!(kept.len() < text.lines().count(), "no window was removed: has acme.toml changed?");
    TempScenario::new(&[("scenario.toml", &kept.join("\n"))])
}

fn as_time(t: Option<f64>) -> f64 {
    t.unwrap_or(f64::INFINITY)
}

#[test]
fn a_variant_without_changes_is_identical_in_every_replication() {
    let s = acme(300, "[[variants]]\nname = \"same\"\n\n[[variants]]\nname = \"same value\"\nset = { \"involvement.fraction\" = 0.05 }\n").load();
    let base = run_library(&s, 0).t_threshold;
    for i in 1..=2 {
        let v = run_library(&s, i).t_threshold;
        assert_eq!(base, v, "variant {i}");
        let p = paired(&base, &v);
        assert_eq!((p.mean_delta, p.median_delta, p.p_faster, p.p_slower), (Some(0.0), Some(0.0), 0.0, 0.0));
    }
    assert!(base.iter().filter(|t| t.is_some()).count() > 250);
}

/// Each improvement, replication by replication, is never slower than the baseline
/// ("not reached" counts as infinitely slow). Also checks that each one makes some replication
/// strictly faster, so the override really took effect.
#[test]
fn improvements_never_make_a_replication_slower() {
    let variants = [
        ("transmit", "set = { \"channels.team_chat.transmit\" = 0.8, \"channels.chat.transmit\" = 0.4 }"),
        ("notice", "set = { \"roles.developer.notice\" = 0.9 }"),
        (
            "links",
            "add_links = [ { source = \"community\", target = \"development-head\", channel = \"email\" }, \
             { source = \"product-t1-lead\", target = \"development-t3-lead\", channel = \"backlog\" } ]",
        ),
        ("involvement", "set = { \"involvement.fraction\" = 0.3 }"),
        ("mandate", "set = { \"community_manager.mandate\" = true }"),
        ("window", "set = { \"roles.developer.window\" = { dist = \"lognormal\", median = 48.0, sigma = 0.7 } }"),
    ];
    let extra: String = variants.iter().map(|(n, body)| format!("[[variants]]\nname = \"{n}\"\n{body}\n\n")).collect();
    let s = acme_without_meeting_windows(400, &extra).load();
    assert!(s.coupling_exceptions().is_empty(), "{:?}", s.coupling_exceptions());
    assert_eq!(
        acme(10, &extra).load().coupling_exceptions(),
        ["dev_sync", "leads_meeting", "management_meeting"],
        "bundled ACME without its variants: the meetings whose speakers have windows"
    );
    let base = run_library(&s, 0).t_threshold;
    for (i, (name, _)) in variants.iter().enumerate() {
        let v = run_library(&s, i + 1).t_threshold;
        let mut faster = 0;
        for (r, (b, x)) in base.iter().zip(&v).enumerate() {
            assert!(as_time(*x) <= as_time(*b), "{name}: replication {r} slower: {x:?} vs baseline {b:?}");
            faster += usize::from(as_time(*x) < as_time(*b));
        }
        assert!(faster > 0, "{name}: the variant changed nothing");
    }
}

#[test]
fn larger_involvement_is_nested_and_monotone_across_a_sweep() {
    let s = acme_without_meeting_windows(200, "[sweep]\n\"involvement.fraction\" = [0.0, 0.1, 0.2, 0.5, 1.0]\n");
    let scenario = s.load();
    let sweep = scenario.sweep().expect("sweep");
    assert_eq!(sweep.points.len(), 5);
    let runs: Vec<Vec<Option<f64>>> =
        sweep.points.iter().map(|p| run_library(&scenario, p.variant).t_threshold).collect();
    for w in runs.windows(2) {
        for (a, b) in w[0].iter().zip(&w[1]) {
            assert!(as_time(*b) <= as_time(*a), "a larger fraction was slower: {b:?} vs {a:?}");
        }
    }
    // The binary writes sweep.csv: header with the swept path, one row per point.
    let out = s.path("out");
    run_ok(&s.scenario(), &out, &[]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "involvement.fraction,variant,median,ci95_median_low,ci95_median_high,reached_fraction,mean"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5);
    assert!(rows[0].starts_with("0.0,involvement.fraction=0.0,"), "{}", rows[0]);
}

#[test]
fn two_dimensional_sweep_runs_every_point() {
    let s = acme(20, "[sweep]\n\"involvement.fraction\" = [0.0, 0.5]\n\"community_manager.mandate\" = [false, true]\n");
    let out = s.path("out");
    run_ok(&s.scenario(), &out, &[]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("involvement.fraction,community_manager.mandate,variant,"));
    assert_eq!(csv.lines().count(), 5);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["variants"].as_array().unwrap().len(), 5, "baseline + 4 points");
}

/// Common random numbers make the paired interval of the mandate effect narrower than the
/// interval from two independent runs (different seeds) of the same size.
#[test]
fn paired_interval_is_narrower_than_unpaired() {
    let s = acme(400, "[[variants]]\nname = \"mandate\"\nset = { \"community_manager.mandate\" = true }\n").load();
    let base = run_library(&s, 0).t_threshold;
    let mandate = run_library(&s, 1).t_threshold;
    let p = paired(&base, &mandate);
    let [lo, hi] = p.ci95_mean_delta.unwrap();
    let paired_width = hi - lo;

    let other = acme(400, "[[variants]]\nname = \"mandate\"\nset = { \"community_manager.mandate\" = true }\n").load();
    let independent = run_library_with(&other, 1, other.seed() + 1000, other.replications()).t_threshold;
    let a: Vec<f64> = base.iter().flatten().copied().collect();
    let b: Vec<f64> = independent.iter().flatten().copied().collect();
    let var = |x: &[f64]| {
        let (m, _) = mean_ci95(x);
        let m = m.unwrap();
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
    };
    let se = (var(&a) / a.len() as f64 + var(&b) / b.len() as f64).sqrt();
    let unpaired_width = 2.0 * student_t_quantile(0.975, (a.len() + b.len() - 2) as u64) * se;
    assert!(paired_width < unpaired_width, "paired {paired_width} vs unpaired {unpaired_width}");
    assert!(p.mean_delta.unwrap() < 0.0, "the mandate should help in this scenario");
}

#[test]
fn generator_produces_the_documented_counts() {
    let toml = r#"
name = "gen"
[organisation.generate]
management = 3
cross_team_ties = 2.0
[[organisation.generate.units]]
name = "dev"
teams = 3
team_size = 4
member_role = "developer"
specialists = { architect = 2 }
[[organisation.generate.units]]
name = "support"
teams = 2
team_size = 5
member_role = "agent"
coordination_channel = "support_sync"
[[organisation.generate.bridges]]
from_unit = "support"
from_role = "team_lead"
to_unit = "dev"
to_role = "team_lead"
channel = "escalation"
per_person = 2
[channels.team_chat]
delay = { dist = "fixed", value = 1 }
[channels.one_on_one]
delay = { dist = "fixed", value = 1 }
[channels.leads_meeting]
delay = { dist = "fixed", value = 1 }
[channels.support_sync]
delay = { dist = "fixed", value = 1 }
[channels.management_meeting]
delay = { dist = "fixed", value = 1 }
[channels.chat]
delay = { dist = "fixed", value = 1 }
[channels.escalation]
delay = { dist = "fixed", value = 1 }
"#;
    let s = TempScenario::new(&[("scenario.toml", toml)]).load();
    let org = &s.baseline().org;
    // people = M + Σ (1 + teams·(1 + size) + specialists) + community = 3 + (1+15+2) + (1+12) + 1
    assert_eq!(org.len(), 3 + 18 + 13 + 1);
    let count_role = |r: &str| (0..org.len() as u32).filter(|&p| org.role_of(p) == r).count();
    assert_eq!(
        [
            count_role("executive"),
            count_role("head"),
            count_role("team_lead"),
            count_role("developer"),
            count_role("agent"),
            count_role("architect"),
            count_role("community")
        ],
        [3, 2, 5, 12, 10, 2, 1]
    );
    let per_channel = |c: &str| org.links.iter().filter(|l| org.channels[l.channel as usize] == c).count();
    // Teams are cliques of members + lead: C(5,2)=10 per dev team, C(6,2)=15 per support team.
    assert_eq!(per_channel("team_chat"), 3 * 10 + 2 * 15);
    // Lead ↔ members, head ↔ specialists.
    assert_eq!(per_channel("one_on_one"), 3 * 4 + 2 * 5 + 2);
    assert_eq!(per_channel("leads_meeting"), 3);
    assert_eq!(per_channel("support_sync"), 2);
    // C(3,2) within management + 3 per unit head.
    assert_eq!(per_channel("management_meeting"), 3 + 2 * 3);
    // Each of the 3 dev leads gets min(2, 2 support leads) partners.
    assert_eq!(per_channel("escalation"), 3 * 2);
    // round(2.0 · 34 employees / 2) = 34 distinct cross-team ties.
    assert_eq!(per_channel("chat"), 34);
    let mut pairs: Vec<(u32, u32)> = org
        .links
        .iter()
        .filter(|l| org.channels[l.channel as usize] == "chat")
        .map(|l| (l.source.min(l.target), l.source.max(l.target)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    assert_eq!(pairs.len(), 34, "ties are distinct");
    // Meeting groups (used by scheduled channels): how many distinct meetings each channel has.
    let meetings = |c: &str| {
        let mut g: Vec<u32> = (0..org.links.len())
            .filter(|&i| org.channels[org.links[i].channel as usize] == c)
            .map(|i| org.link_group.get(i).copied().unwrap_or(u32::MAX))
            .collect();
        assert!(!g.contains(&permeate::org::NO_LINK_GROUP), "{c}: a link without a meeting group");
        // A meeting of two is its own meeting, link by link.
        let pairs = g.iter().filter(|&&x| x == permeate::org::PAIR_GROUP).count();
        g.retain(|&x| x != permeate::org::PAIR_GROUP);
        g.sort_unstable();
        g.dedup();
        g.len() + pairs
    };
    // One per team; one-to-ones, escalations and ties are meetings of two; one leads meeting
    // per unit without a coordination channel; one coordination per unit that has one; one
    // management meeting.
    assert_eq!(
        [
            meetings("team_chat"),
            meetings("one_on_one"),
            meetings("escalation"),
            meetings("chat"),
            meetings("leads_meeting"),
            meetings("support_sync"),
            meetings("management_meeting")
        ],
        [5, 3 * 4 + 2 * 5 + 2, 6, 34, 1, 1, 1]
    );
    // Same seed, same organisation; another seed, other ties.
    let again = TempScenario::new(&[("scenario.toml", toml)]).load();
    let ids = |s: &permeate::Scenario| -> Vec<(String, String, u32)> {
        let o = &s.baseline().org;
        o.links
            .iter()
            .map(|l| {
                (o.people[l.source as usize].id.to_string(), o.people[l.target as usize].id.to_string(), l.channel)
            })
            .collect()
    };
    assert_eq!(ids(&s), ids(&again));
    let reseeded =
        TempScenario::new(&[("scenario.toml", &toml.replace("name = \"gen\"", "name = \"gen\"\nseed = 9"))]).load();
    assert_ne!(ids(&s), ids(&reseeded));
}
