//! `[[watchers]]`: a nested random share of a group watches the community, drawn per person and
//! replication, independently of involvement. Known answers in closed form (binomial tails),
//! nesting across shares, and bad input.

use crate::common::{TempScenario, permeate, run_library};

/// z for a two-sided false-failure probability of 1e-6.
const Z_1E6: f64 = 4.891_638_475_699;

/// P(Bin(n, q) ≥ k), summed term by term.
fn binomial_tail(n: u64, q: f64, k: u64) -> f64 {
    let choose = |n: u64, r: u64| (0..r).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
    (k..=n).map(|r| choose(n, r) * q.powi(r as i32) * (1.0 - q).powi((n - r) as i32)).sum()
}

/// The community node `c`, ten agents `a0`–`a9` and two others `x`, `y` (one link between them,
/// so the links file is not empty). `extra` is appended to the scenario.
fn scenario(extra: &str) -> TempScenario {
    let mut people = String::from("id,unit,role\nc,external,community\nx,o,other\ny,o,other\n");
    for i in 0..10 {
        people += &format!("a{i},support,agent\n");
    }
    let toml = format!(
        "name = \"watchers\"\nseed = 11\nreplications = 20000\nhorizon_hours = 100\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.other]\ndelay = {{ dist = \"fixed\", value = 1.0 }}\n\
         [channels.community_watch]\ndelay = {{ dist = \"fixed\", value = 1.0 }}\n\
         [channels.community_feed]\ndelay = {{ dist = \"fixed\", value = 2.0 }}\n\
         [roles.community]\n[roles.agent]\n[roles.other]\n\
         [target]\nrole = \"agent\"\nthreshold = 0.5\n{extra}\n"
    );
    TempScenario::new(&[
        ("scenario.toml", &toml),
        ("people.csv", &people),
        ("links.csv", "source,target,channel\nx,y,other\n"),
    ])
}

/// Known answer: the community reaches an agent only if the agent watches (share 0.3, over
/// `community_watch`, 1 h) or is involved (fraction 0.3, over `community_feed`, 2 h), each agent
/// independently and the two draws independent of each other. With the target the 10 agents
/// and threshold 0.5 (5 of them): P(T = 1 h) = P(Bin(10, 0.3) ≥ 5) = 0.1503 (five watchers) and
/// P(T ≤ 2 h) = P(Bin(10, 1 − 0.7²) ≥ 5) = 0.6474 (five watchers or involved). 20,000
/// replications; each share within 4.9 standard errors (1e-6 false failure).
///
/// Broken versions seen to fail: watchers drawn with involvement's purpose (the same uniform
/// for both: measured P(T ≤ 2 h) = 0.1509, not 0.6474).
#[test]
fn a_share_of_a_role_watches_independently_of_involvement() {
    let ts = scenario(
        "[[watchers]]\nrole = \"agent\"\nshare = 0.3\n\
         [involvement]\nrole = \"agent\"\nfraction = 0.3\n",
    );
    let sc = ts.load();
    let run = run_library(&sc, 0);
    let n = run.t_threshold.len() as f64;
    assert_eq!(n, 20000.0);
    let share = |f: &dyn Fn(f64) -> bool| run.t_threshold.iter().filter(|t| t.is_some_and(f)).count() as f64 / n;
    for (what, got, want) in [
        ("T = 1 h", share(&|t| (t - 1.0).abs() < 1e-6), binomial_tail(10, 0.3, 5)),
        ("T <= 2 h", share(&|t| t <= 2.0 + 1e-6), binomial_tail(10, 1.0 - 0.7 * 0.7, 5)),
    ] {
        let se = (want * (1.0 - want) / n).sqrt();
        assert!((got - want).abs() <= Z_1E6 * se, "{what}: {got} vs {want} (se {se})");
    }
    // Nobody else: every replication is 1 h, 2 h or not reached.
    assert!(run.t_threshold.iter().flatten().all(|&t| (t - 1.0).abs() < 1e-6 || (t - 2.0).abs() < 1e-6));
}

/// Nested: in every replication, a larger share (a variant, `watchers.0.share` = 0.6) reaches
/// whenever the smaller one (0.3) does, and never later; the share of replications where five
/// agents watch matches P(Bin(10, 0.6) ≥ 5) = 0.8338. Broken version seen to fail: the
/// watching draw keyed by the share (a fresh uniform per share: replication 127 reaches at
/// share 0.3 and not at 0.6).
#[test]
fn a_larger_share_contains_the_watchers_of_a_smaller_one() {
    let ts = scenario(
        "[[watchers]]\nrole = \"agent\"\nshare = 0.3\ndirection = \"forward\"\n\
         [[variants]]\nname = \"more\"\nset = { \"watchers.0.share\" = 0.6 }\n",
    );
    let sc = ts.load();
    let (small, large) = (run_library(&sc, 0), run_library(&sc, 1));
    for (r, (a, b)) in small.t_threshold.iter().zip(&large.t_threshold).enumerate() {
        if let Some(a) = a {
            assert!(b.is_some_and(|b| b <= *a), "replication {r}: share 0.3 reached at {a} h, share 0.6 {b:?}");
        }
    }
    let n = large.t_threshold.len() as f64;
    let got = large.t_threshold.iter().filter(|t| t.is_some()).count() as f64 / n;
    let want = binomial_tail(10, 0.6, 5);
    assert!((got - want).abs() <= Z_1E6 * (want * (1.0 - want) / n).sqrt(), "{got} vs {want}");
}

/// Bad input exits 2 naming the key.
#[test]
fn bad_watchers_name_the_key() {
    for (extra, wants) in [
        ("[[watchers]]\nrole = \"agent\"\nshare = 1.5\n", "watchers.0.share"),
        ("[[watchers]]\nrole = \"agent\"\nshare = 0.2\nfoo = 1\n", "foo"),
        ("[[watchers]]\nshare = 0.2\n", "watchers.0"),
        ("[[watchers]]\nrole = \"agent\"\nshare = 0.2\nchannel = \"nope\"\n", "watchers.0.channel"),
        ("[[watchers]]\nrole = \"nobody\"\nshare = 0.2\n", "watchers.0"),
        ("[[watchers]]\nrole = \"agent\"\nshare = 0.2\n[[watchers]]\nid = \"a3\"\nshare = 0.5\n", "watchers.1.channel"),
    ] {
        let ts = scenario(extra);
        let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra}: {err}");
        assert!(err.contains(wants), "{extra}: wants {wants} in: {err}");
    }
}

/// The import's `community.watcher_shares`: the skeleton gets a `[[watchers]]` table per role
/// (not links to all of them), valid as written, with the share and the community channel; a
/// share outside [0, 1] or a role also in `watchers` exits 2 naming the key.
#[test]
fn import_writes_watcher_shares_as_watchers_tables() {
    let mut hr = String::from("id,unit,title\nm1,support,Support Manager\n");
    for i in 0..8 {
        hr += &format!("s{i},support,Support Agent\n");
    }
    let map = |community: &str| {
        format!(
            "default_role = \"agent\"\n[[roles]]\npattern = \"Manager\"\nrole = \"community_manager\"\n\
             [scenario]\ntarget_role = \"agent\"\n[community]\n{community}\n"
        )
    };
    let ts = TempScenario::new(&[
        ("hr.csv", &hr),
        ("map.toml", &map("watcher_shares = { agent = 0.25 }")),
        ("scenario.toml", ""),
    ]);
    let import = |ts: &TempScenario| {
        permeate(&[
            "import",
            "-q",
            "--hr",
            ts.path("hr.csv").to_str().unwrap(),
            "--map",
            ts.path("map.toml").to_str().unwrap(),
            "-o",
            ts.path("org").to_str().unwrap(),
        ])
    };
    let o = import(&ts);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let skeleton = std::fs::read_to_string(ts.path("org/scenario.toml")).unwrap();
    assert!(
        skeleton.contains(
            "[[watchers]]\nrole = \"agent\"\nshare = 0.25   # ESTIMATE — replace\nchannel = \"community_watch\""
        ),
        "{skeleton}"
    );
    let links = std::fs::read_to_string(ts.path("org/links.csv")).unwrap();
    assert_eq!(links.lines().filter(|l| l.contains("community_watch")).count(), 1, "only the manager: {links}");
    let sc = permeate::Scenario::load(&ts.path("org/scenario.toml")).expect("the skeleton is valid");
    let w = &sc.variants()[0].watchers;
    assert_eq!((w.len(), w[0].share, w[0].group.len()), (1, 0.25, 8));
    for (community, wants) in [
        ("watcher_shares = { agent = 1.5 }", "community.watcher_shares.agent"),
        ("watchers = [\"agent\"]\nwatcher_shares = { agent = 0.5 }", "community.watcher_shares.agent"),
        ("watcher_share = { agent = 0.5 }", "watcher_share"),
    ] {
        let ts = TempScenario::new(&[("hr.csv", &hr), ("map.toml", &map(community)), ("scenario.toml", "")]);
        let o = import(&ts);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{community}: {err}");
        assert!(err.contains(wants), "{community}: wants {wants} in: {err}");
    }
}
