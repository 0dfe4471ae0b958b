//! Calibration (`permeate calibrate`, `run --posterior`): the conjugate known answer against the
//! exact posterior computed here, non-identifiability reported as a ridge, bad observation files
//! refused with the row named, byte-identical output for any thread count, and posteriors that do
//! not fit the scenario refused.

use std::fmt::Write as _;
use std::path::Path;

use permeate::study::calibrate::{Options, calibrate, observations::Observations};
use rand::{RngExt, SeedableRng};

use crate::common::{TempScenario, permeate, star_csv};

/// The star of the conjugate case: 50 leaves, transmit 1, notice 1, no processing, no window,
/// exponential delays whose rate is the uncertain factor, prior uniform(0.1, 3).
fn conjugate_star() -> TempScenario {
    let (people, links) = star_csv(50);
    let toml = "name = \"conjugate star\"\nseed = 11\nreplications = 10\nhorizon_hours = 1000\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.feed]\ndelay = { dist = \"exponential\", rate = 1.0 }\n\
                [roles.developer]\nnotice = 1.0\n[roles.community]\nnotice = 1.0\n\
                [source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
                [uncertain]\n\"channels.feed.delay.rate\" = { dist = \"uniform\", min = 0.1, max = 3.0 }\n";
    TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", &links)])
}

/// 20 items × 50 per-person times drawn from Exp(1.2) with a fixed seed (an RNG that shares
/// nothing with the engine), as a per-person observations file; also n and S.
fn conjugate_observations() -> (String, usize, f64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_128);
    let mut csv = String::from("item,person,processed_hours\n");
    let (mut n, mut sum) = (0usize, 0.0);
    for item in 0..20 {
        for leaf in 0..50 {
            let u: f64 = rng.random();
            let t = -(1.0 - u).ln() / 1.2;
            // Written with full precision so the reference uses exactly these numbers.
            let _ = writeln!(csv, "item{item},leaf{leaf},{t}");
            n += 1;
            sum += t;
        }
    }
    (csv, n, sum)
}

/// The exact posterior λ^n e^(−λS) on [0.1, 3]: its 5%, 50% and 95% quantiles by numerical
/// integration on a fine grid (200,000 cells; the density is smooth, error ≪ 1e-4).
fn exact_quantiles(n: usize, s: f64) -> [f64; 3] {
    let cells = 200_000;
    let (lo, hi) = (0.1, 3.0);
    let h = (hi - lo) / cells as f64;
    let logd = |l: f64| n as f64 * l.ln() - l * s;
    let peak = (n as f64 / s).clamp(lo, hi);
    let mass: Vec<f64> = (0..cells).map(|i| (logd(lo + (i as f64 + 0.5) * h) - logd(peak)).exp() * h).collect();
    let total: f64 = mass.iter().sum();
    let mut out = [0.0; 3];
    for (j, q) in [0.05, 0.5, 0.95].iter().enumerate() {
        let mut acc = 0.0;
        for (i, m) in mass.iter().enumerate() {
            if acc + m >= q * total {
                out[j] = lo + (i as f64 + (q * total - acc) / m) * h;
                break;
            }
            acc += m;
        }
    }
    out
}

/// The conjugate known answer of issue 13. ABC-SMC with 1,000 particles down to an acceptance
/// of 5%; the statistics include the restricted mean time, which without censoring is S/n (the
/// sufficient statistic), so the ABC posterior approaches the exact one as the tolerance
/// shrinks. Deterministic (fixed seeds); with other seeds the median error is about 0.5% and
/// the width error about 5–10%, so the bounds (3%, 25%) leave a wide margin.
#[test]
fn conjugate_star_matches_the_exact_posterior() {
    let s = conjugate_star();
    let scenario = s.load();
    let (csv, n, sum) = conjugate_observations();
    let obs = Observations::from_text(&s.path("obs.csv"), &csv, &scenario, None).unwrap();
    let options = Options { particles: 1000, budget: 60_000, ..Options::default() };
    let c = calibrate(&scenario, &obs, "obs.csv", &options).unwrap();
    let exact = exact_quantiles(n, sum);
    let f = &c.factors[0];
    let med_err = (f.posterior.median / exact[1] - 1.0).abs();
    let width = f.posterior.p95 - f.posterior.p05;
    let width_err = (width / (exact[2] - exact[0]) - 1.0).abs();
    assert!(
        med_err < 0.03 && width_err < 0.25,
        "posterior median {} (exact {}), 90% width {width} (exact {}); generations {:?}",
        f.posterior.median,
        exact[1],
        exact[2] - exact[0],
        c.generations
    );
    assert!(f.informed);
    eprintln!(
        "conjugate: median {} vs exact {} ({:.2}%), width {width} vs {} ({:.1}%), {} simulations",
        f.posterior.median,
        exact[1],
        100.0 * med_err,
        exact[2] - exact[0],
        100.0 * width_err,
        c.simulations
    );
}

/// A chain: the community's single link to one developer has transmit p, the developer notices
/// with probability q, fixed delay and no processing: each item shows only whether the
/// developer processed it (probability p·q). 200 items, 128 processed (p·q = 0.64); priors
/// uniform(0.4, 1). The exact posterior has p·q ≈ 0.64 ± 0.034 and p ∝ 1/p on [0.64, 1]: a 90%
/// width of about 0.6 of the prior's for each, and a correlation near −0.9.
#[test]
fn a_product_of_two_factors_is_reported_as_a_ridge() {
    let toml = "name = \"chain\"\nseed = 5\nreplications = 10\nhorizon_hours = 100\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.link]\ndelay = { dist = \"fixed\", value = 1.0 }\n\
                [roles.developer]\nnotice = 0.8\n[roles.community]\nnotice = 1.0\n\
                [source]\nid = \"community\"\n[target]\nrole = \"developer\"\n\
                [uncertain]\n\"channels.link.transmit\" = { dist = \"uniform\", min = 0.4, max = 1.0 }\n\
                \"roles.developer.notice\" = { dist = \"uniform\", min = 0.4, max = 1.0 }\n";
    let people = "id,unit,role\ncommunity,external,community\ndev,development,developer\n";
    let links = "source,target,channel,direction\ncommunity,dev,link,forward\n";
    let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let scenario = s.load();
    let mut csv = String::from("item,person,processed_hours,observed_hours\n");
    for i in 0..200 {
        let t = if i < 128 { "1" } else { "" };
        let _ = writeln!(csv, "i{i},dev,{t},10");
    }
    let obs = Observations::from_text(&s.path("obs.csv"), &csv, &scenario, None).unwrap();
    let options = Options { particles: 500, budget: 20_000, ..Options::default() };
    let c = calibrate(&scenario, &obs, "obs.csv", &options).unwrap();
    for f in &c.factors {
        assert!(!f.informed, "{} flagged informed: ratio {}", f.name, f.width_ratio);
    }
    assert_eq!(c.ridges.len(), 1, "{:?}", c.ridges);
    assert!(c.ridges[0].correlation < -0.5, "{:?}", c.ridges);
    // The product is pinned down: its posterior median near 0.64.
    let products: Vec<f64> = c.values.iter().map(|r| r[0] * r[1]).collect();
    let med = permeate::study::calibrate::abc::weighted_quantile(&products, &c.weights, 0.5);
    assert!((med - 0.64).abs() < 0.05, "median of p·q {med}");
    assert!(c.sentence.contains("trade off"), "{}", c.sentence);
}

fn run_calibrate(s: &TempScenario, obs: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let scenario = s.scenario();
    let obs_path = s.path("obs.csv");
    std::fs::write(&obs_path, obs).unwrap();
    let mut args =
        vec!["calibrate", scenario.to_str().unwrap(), obs_path.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    permeate(&args)
}

#[test]
fn bad_observation_files_are_refused_naming_the_row() {
    let s = conjugate_star();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str]); 11] = [
        ("item,person,processed_hours,source\na,leaf1,2,nowhere\n", "obs.csv:2:", &["nowhere", "source"]),
        ("item,person,processed_hours,source\na,leaf1,2,leaf3\na,leaf2,2,leaf4\n", "obs.csv:3:", &["another source"]),
        ("item,person,processed_hours\na,leaf1,2\na,nobody,3\n", "obs.csv:3:", &["nobody", "person"]),
        ("item,person,processed_hours\na,leaf1,-2\n", "obs.csv:2:", &["negative", "processed_hours"]),
        ("item,person,processed_hours,observed_hours\na,leaf1,2,10\na,leaf2,12,10\n", "obs.csv:3:", &["after the end"]),
        ("item,person,processed_hours\na,leaf1,\n", "obs.csv:2:", &["observed_hours"]),
        ("item,hours,share\na,10,0.5\na,20,1.5\n", "obs.csv:3:", &["outside [0, 1]", "share"]),
        ("item,hours,share\n", "obs.csv:2:", &["no observations"]),
        ("what,ever\n1,2\n", "obs.csv:1:", &["neither form"]),
        ("item,person,processed_hours\na,centre,1\n", "obs.csv:2:", &["not in the scenario's target"]),
        ("item,person,processed_hours\na,leaf1,soon\n", "obs.csv:2:", &["not a number"]),
    ];
    for (i, (csv, line, words)) in cases.iter().enumerate() {
        let o = run_calibrate(&s, csv, &dir.path().join(format!("out{i}")), &["--budget", "300", "--particles", "20"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains(line), "case {i} should name the row ({line}): {err}");
        for w in *words {
            assert!(err.contains(w), "case {i} should say {w}: {err}");
        }
        assert!(!dir.path().join(format!("out{i}")).exists(), "case {i}: nothing written");
    }
}

/// The output folder for -j 1 and -j 2 is the same byte for byte; `run --posterior` uses it and
/// refuses a posterior whose columns are not the scenario's factors.
#[test]
fn calibration_is_byte_identical_for_any_thread_count_and_feeds_run() {
    let s = conjugate_star();
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = conjugate_observations();
    let flags = ["--budget", "2000", "--particles", "100"];
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (out, j) in [(&a, "1"), (&b, "2")] {
        let mut f = flags.to_vec();
        f.extend(["-j", j]);
        let o = run_calibrate(&s, &csv, out, &f);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for file in ["posterior.csv", "calibration.json", "report.html", "charts/predictive.svg", "charts/factor-1.svg"] {
        let (x, y) = (std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap());
        assert!(x == y, "{file} differs between -j 1 and -j 2");
    }
    assert!(a.join(".permeate").exists());
    let posterior = a.join("posterior.csv");
    let run = |p: &Path, out: &Path| {
        permeate(&[
            "run",
            s.scenario().to_str().unwrap(),
            "--posterior",
            p.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
            "-n",
            "20",
        ])
    };
    let o = run(&posterior, &dir.path().join("what-if"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read_to_string(dir.path().join("what-if/summary.json")).unwrap();
    assert!(summary.contains("\"posterior\""), "the worlds are the posterior's");
    // Shards of a run over the posterior merge into the same bytes as the single run.
    let mut parts = Vec::new();
    for i in 1..=2 {
        let part = dir.path().join(format!("part{i}"));
        let shard = format!("{i}/2");
        let o = permeate(&[
            "run",
            s.scenario().to_str().unwrap(),
            "--posterior",
            posterior.to_str().unwrap(),
            "-o",
            part.to_str().unwrap(),
            "-q",
            "-n",
            "20",
            "--shard",
            &shard,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    let o = permeate(&[
        "merge",
        parts[0].to_str().unwrap(),
        parts[1].to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["summary.json", "replications.csv", "curve.csv", "report.html"] {
        let (x, y) =
            (std::fs::read(merged.join(file)).unwrap(), std::fs::read(dir.path().join("what-if").join(file)).unwrap());
        assert!(x == y, "{file}: merged shards of a posterior run differ from the single run");
    }
    // A posterior with another column is refused, naming the column.
    let text =
        std::fs::read_to_string(&posterior).unwrap().replacen("channels.feed.delay.rate", "channels.chat.transmit", 1);
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, text).unwrap();
    let o = run(&wrong, &dir.path().join("refused"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("channels.chat.transmit") && err.contains("wrong.csv:1:"), "{err}");
}

/// Survey shares: the conjugate star observed only through the share of leaves processed by 0.5,
/// 1 and 2 hours, 20 items each at the exact expected shares 1 − e^(−1.2 h). Those shares pin λ
/// (a noise-free mean of 20 items of 50 leaves: simulated means vary by about 2% of λ), so the
/// posterior median is within 5% of 1.2 and clearly narrower than the prior.
#[test]
fn survey_shares_recover_the_rate() {
    let s = conjugate_star();
    let scenario = s.load();
    let mut csv = String::from("item,hours,share\n");
    for item in 0..20 {
        for h in [0.5, 1.0, 2.0] {
            let _ = writeln!(csv, "item{item},{h},{}", 1.0 - (-1.2f64 * h).exp());
        }
    }
    let obs = Observations::from_text(&s.path("obs.csv"), &csv, &scenario, None).unwrap();
    let options = Options { particles: 300, budget: 10_000, ..Options::default() };
    let c = calibrate(&scenario, &obs, "obs.csv", &options).unwrap();
    let f = &c.factors[0];
    assert!((f.posterior.median / 1.2 - 1.0).abs() < 0.05, "{f:?}");
    assert!(f.informed && f.width_ratio < 0.2, "{f:?}");
    assert_eq!(c.predictive.observed_points.len(), 3);
}

/// The observations template in `scenarios/` is valid for the bundled ACME scenario.
#[test]
fn the_observations_template_reads() {
    let scenario = permeate::Scenario::load(&crate::common::bundled("acme-uncertain.toml")).unwrap();
    let obs = Observations::load(&crate::common::bundled("observations-template.csv"), &scenario, None).unwrap();
    assert_eq!(obs.items().len(), 2);
}

/// The `source` column: items that appeared at another person travel from there. Community →
/// dev takes 1 h; other → dev takes the uncertain fixed delay d ~ U(2, 8). Ten items appeared at
/// `other` and reached dev after 3 h, so d = 3 (the prior median is 5, and ignoring the column
/// would leave every particle at 1 h and the posterior at the prior).
#[test]
fn the_source_column_starts_items_elsewhere() {
    let toml = "name = \"two sources\"\nseed = 3\nreplications = 10\nhorizon_hours = 100\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.fast]\ndelay = { dist = \"fixed\", value = 1.0 }\n\
                [channels.slow]\ndelay = { dist = \"fixed\", value = 5.0 }\n\
                [roles.developer]\nnotice = 1.0\n[roles.community]\nnotice = 1.0\n[roles.manager]\nnotice = 1.0\n\
                [source]\nid = \"community\"\n[target]\nrole = \"developer\"\n\
                [uncertain]\n\"channels.slow.delay.value\" = { dist = \"uniform\", min = 2.0, max = 8.0 }\n";
    let people = "id,unit,role\ncommunity,external,community\nother,management,manager\ndev,development,developer\n";
    let links = "source,target,channel,direction\ncommunity,dev,fast,forward\nother,dev,slow,forward\n";
    let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let scenario = s.load();
    let mut csv = String::from("item,person,processed_hours,source\n");
    for i in 0..10 {
        let _ = writeln!(csv, "i{i},dev,3,other");
    }
    let obs = Observations::from_text(&s.path("obs.csv"), &csv, &scenario, None).unwrap();
    let options = Options { particles: 200, budget: 6_000, ..Options::default() };
    let c = calibrate(&scenario, &obs, "obs.csv", &options).unwrap();
    let f = &c.factors[0];
    assert!((f.posterior.median - 3.0).abs() < 0.2 && f.informed, "{f:?}");
}

/// `--observed-hours` gives the window of items without `observed_hours` (empty times are then
/// censored, not an error); a scenario without `[uncertain]` is refused with exit status 2 and
/// an example of the section, and so is `run --posterior` for it.
#[test]
fn observed_hours_flag_and_scenarios_without_uncertain() {
    let s = conjugate_star();
    let dir = tempfile::tempdir().unwrap();
    let csv = "item,person,processed_hours\na,leaf1,2\na,leaf2,\nb,leaf1,\nb,leaf3,1.5\n";
    let flags = ["--budget", "300", "--particles", "20", "--observed-hours", "10"];
    let o = run_calibrate(&s, csv, &dir.path().join("ok"), &flags);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = std::fs::read_to_string(dir.path().join("ok/calibration.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let reached = &v["statistics"][0];
    assert_eq!(reached["name"], "reached share");
    assert_eq!(reached["observed"], 0.5, "two of four people processed within the window");

    let plain = std::fs::read_to_string(s.scenario()).unwrap();
    let plain = &plain[..plain.find("[uncertain]").unwrap()];
    std::fs::write(s.scenario(), plain).unwrap();
    let o = run_calibrate(&s, csv, &dir.path().join("refused"), &flags);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("[uncertain]") && err.contains("dist = \"uniform\""), "{err}");
    let o = permeate(&[
        "run",
        s.scenario().to_str().unwrap(),
        "--posterior",
        dir.path().join("ok/posterior.csv").to_str().unwrap(),
        "-o",
        dir.path().join("run").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The predicted T (issue 21): community → dev with a fixed delay d ~ U(2, 8) h, notice 1, no
/// processing, one developer in the target, so every replication's T80 is d itself and each
/// world's median is its d. Before the measurements the band across 1,000 prior worlds is then
/// U(2, 8)'s 10%, 50% and 90% quantiles, 2.6, 5 and 7.4 (a sample quantile of 1,000 worlds has
/// a standard deviation of at most 0.1 here: a bound of 0.4 fails by chance with probability
/// below 1e-4). With ten items processed after exactly 3 h, the posterior band is the posterior
/// of d itself: inside its 5–95% interval, around 3, and far narrower than the prior's. Broken
/// versions seen to fail: the posterior side run on the prior's worlds; the unit coordinates
/// taken for factor values.
#[test]
fn the_predicted_t_is_the_factor_when_t_is_the_delay() {
    let toml = "name = \"one delay\"\nseed = 3\nreplications = 4\nhorizon_hours = 100\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.slow]\ndelay = { dist = \"fixed\", value = 5.0 }\n\
                [roles.developer]\nnotice = 1.0\n[roles.community]\nnotice = 1.0\n\
                [source]\nid = \"community\"\n[target]\nrole = \"developer\"\n\
                [uncertain]\n\"channels.slow.delay.value\" = { dist = \"uniform\", min = 2.0, max = 8.0 }\n";
    let people = "id,unit,role\ncommunity,external,community\ndev,development,developer\n";
    let links = "source,target,channel,direction\ncommunity,dev,slow,forward\n";
    let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", people), ("links.csv", links)]);
    let scenario = s.load();
    let mut csv = String::from("item,person,processed_hours\n");
    for i in 0..10 {
        let _ = writeln!(csv, "i{i},dev,3");
    }
    let obs = Observations::from_text(&s.path("obs.csv"), &csv, &scenario, None).unwrap();
    let options = Options { particles: 200, budget: 6_000, predict_worlds: Some(1000), ..Options::default() };
    let c = calibrate(&scenario, &obs, "obs.csv", &options).unwrap();
    let p = &c.predicted;
    assert_eq!((p.worlds, p.replications), (1000, 4));
    let prior = &p.prior.median;
    for (got, want) in [(prior.p10, 2.6), (prior.p50, 5.0), (prior.p90, 7.4)] {
        assert!((got.unwrap() - want).abs() < 0.4, "prior band {prior:?}");
    }
    let post = &p.posterior.median;
    let f = &c.factors[0].posterior;
    let (lo, mid, hi) = (post.p10.unwrap(), post.p50.unwrap(), post.p90.unwrap());
    assert!(f.p05 <= lo && hi <= f.p95, "posterior band {post:?} outside the factor's 90% interval {f:?}");
    assert!((mid - 3.0).abs() < 0.25, "posterior band {post:?}");
    assert!(hi - lo < 0.25 * (prior.p90.unwrap() - prior.p10.unwrap()), "posterior band {post:?}, prior {prior:?}");
    assert_eq!(p.posterior.reached_fraction.p50, Some(1.0));
}

/// The page's predicted T is what `run` says for the baseline over the same worlds: the prior's
/// worlds under the calibration's seed, and the posterior's from `posterior.csv` (the commands
/// the page prints). The conjugate star's T80 is random per replication, so the equality holds
/// only if the worlds, the replication streams and the per-world medians are the same.
#[test]
fn the_predicted_t_is_what_run_reports_for_the_same_worlds() {
    let s = conjugate_star();
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = conjugate_observations();
    let out = dir.path().join("cal");
    let o = run_calibrate(&s, &csv, &out, &["--budget", "1000", "--particles", "100", "--worlds", "30", "-n", "7"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = |p: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let cal = json(&out.join("calibration.json"));
    let scenario = s.scenario();
    let posterior = out.join("posterior.csv");
    for (side, extra) in [("prior", vec![]), ("posterior", vec!["--posterior", posterior.to_str().unwrap()])] {
        let run_out = dir.path().join(side);
        let mut args = vec!["--seed", "11", "--worlds", "30", "-n", "7"];
        args.extend(extra);
        crate::common::run_ok(&scenario, &run_out, &args);
        let summary = json(&run_out.join("summary.json"));
        assert_eq!(cal["predicted"][side], summary["variants"][0]["worlds"], "{side}");
    }
    assert!(cal["predicted"]["prior"]["median"]["p50"].is_f64());
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("the predicted time until 80% of the target have processed an item"), "{page}");
    assert!(page.contains("--worlds 30 -n 7"), "the page names the command that gives its numbers");
}
