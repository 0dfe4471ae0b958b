//! The engine against closed forms and an independent reference simulator (the brief's
//! "reductions that anchor the model"). Each statistical check states its false-failure rate.

use statrs::distribution::{ContinuousCDF, Gamma, LogNormal};
use statrs::function::beta::beta_reg;

use crate::common::{TempScenario, permeate, run_library, run_ok, star_csv};

/// z for a two-sided false-failure probability of 1e-6.
const Z_1E6: f64 = 4.891_638_475_699;

/// A star of `leaves` developers around the source with the given delay table and settings.
fn star(leaves: usize, delay: &str, replications: u64, seed: u64) -> TempScenario {
    let (people, links) = star_csv(leaves);
    let toml = format!(
        "name = \"star\"\nseed = {seed}\nreplications = {replications}\nhorizon_hours = 1e6\n\
         [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.feed]\ndelay = {delay}\n[source]\nid = \"centre\"\n[target]\nrole = \"developer\"\nthreshold = 0.8\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)])
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (m, x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0))
}

/// P(T_(k) <= t) for the k-th order statistic of n i.i.d. draws with CDF value `f` = F(t):
/// P(Binomial(n, f) >= k) = I_f(k, n - k + 1).
fn order_stat_cdf(f: f64, n: usize, k: usize) -> f64 {
    if f <= 0.0 {
        return 0.0;
    }
    if f >= 1.0 {
        return 1.0;
    }
    beta_reg(k as f64, (n - k + 1) as f64, f)
}

/// Solves `cdf(t) = 0.5` by bisection.
fn median_of(cdf: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    while cdf(hi) < 0.5 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < 0.5 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// The number of replications at or below the exact median is Binomial(R, 1/2): a test of the
/// whole distribution's centre without any approximation of the engine's output.
fn assert_median_matches(t: &[f64], exact_median: f64) {
    let r = t.len() as f64;
    let below = t.iter().filter(|&&x| x <= exact_median).count() as f64;
    let bound = Z_1E6 * r.sqrt() / 2.0;
    assert!(
        (below - r / 2.0).abs() < bound,
        "{below} of {r} at or below the exact median {exact_median} (bound ±{bound})"
    );
}

#[test]
fn star_exponential_mean_variance_and_median_match_order_statistics() {
    let (n, k, lambda) = (1000usize, 800usize, 0.5f64);
    let reps = 20_000;
    let s = star(n, "{ dist = \"exponential\", rate = 0.5 }", reps, 11).load();
    let run = run_library(&s, 0);
    let t: Vec<f64> = run.t_threshold.iter().map(|x| x.expect("always reached")).collect();
    // Rényi: T_(k) = Σ_{j=n-k+1}^{n} E_j / (j λ) with E_j i.i.d. Exp(1).
    let mu: f64 = (n - k + 1..=n).map(|j| 1.0 / (j as f64 * lambda)).sum();
    let var: f64 = (n - k + 1..=n).map(|j| (1.0 / (j as f64 * lambda)).powi(2)).sum();
    let kurt4: f64 = (n - k + 1..=n).map(|j| 6.0 * (1.0 / (j as f64 * lambda)).powi(4)).sum(); // 4th cumulant
    let (m, v) = mean_var(&t);
    let r = reps as f64;
    // Mean: sampling sd sqrt(var / R); false failure < 1e-6.
    assert!((m - mu).abs() < Z_1E6 * (var / r).sqrt(), "mean {m} vs exact {mu}");
    // Variance: sd of the sample variance is sqrt(2σ⁴/(R-1) + κ4/R); its distribution is close to
    // normal at R = 20000; z = 4.9 bound, false failure about 1e-6.
    let sd_v = (2.0 * var * var / (r - 1.0) + kurt4 / r).sqrt();
    assert!((v - var).abs() < Z_1E6 * sd_v, "variance {v} vs exact {var} (sd {sd_v})");
    let median = median_of(|x| order_stat_cdf(1.0 - (-lambda * x).exp(), n, k));
    assert_median_matches(&t, median);
}

#[test]
fn star_lognormal_matches_numerical_order_statistic() {
    let (n, k) = (1000usize, 800usize);
    let s = star(n, "{ dist = \"lognormal\", median = 2.0, sigma = 0.5 }", 8000, 12).load();
    let t: Vec<f64> = run_library(&s, 0).t_threshold.iter().map(|x| x.unwrap()).collect();
    let ln = LogNormal::new(2f64.ln(), 0.5).unwrap();
    let cdf = |x: f64| order_stat_cdf(ln.cdf(x), n, k);
    assert_median_matches(&t, median_of(cdf));
    // Mean by numerical integration of the survival function (Simpson, 20000 panels on [0, 20];
    // the survival beyond 20 h is below 1e-30 here).
    let (a, b, panels) = (0.0, 20.0, 20_000);
    let h = (b - a) / panels as f64;
    let surv = |x: f64| 1.0 - cdf(x);
    let mut integral = surv(a) + surv(b);
    for i in 1..panels {
        integral += if i % 2 == 1 { 4.0 } else { 2.0 } * surv(a + i as f64 * h);
    }
    let mu = integral * h / 3.0;
    // sd from the sample itself (R = 8000; z = 4.9 ⇒ false failure about 1e-6).
    let (m, v) = mean_var(&t);
    assert!((m - mu).abs() < Z_1E6 * (v / t.len() as f64).sqrt(), "mean {m} vs numerical {mu}");
}

#[test]
fn star_gamma_rejection_sampler_matches_gamma_order_statistic() {
    let (n, k) = (1000usize, 800usize);
    let s = star(n, "{ dist = \"gamma\", shape = 2.0, scale = 1.5 }", 6000, 13).load();
    let t: Vec<f64> = run_library(&s, 0).t_threshold.iter().map(|x| x.unwrap()).collect();
    let g = Gamma::new(2.0, 1.0 / 1.5).unwrap(); // statrs: shape, rate
    assert_median_matches(&t, median_of(|x| order_stat_cdf(g.cdf(x), n, k)));
}

fn chain(delay: &str, window: &str, threshold: f64) -> TempScenario {
    let people = "id,unit,role\na,external,community\nb,dev,developer\nc,dev,developer\nd,dev,developer\n";
    let links = "source,target,channel,direction\na,b,wire,forward\nb,c,wire,forward\nc,d,wire,both\n";
    let toml = format!(
        "name = \"chain\"\nreplications = 5\nhorizon_hours = 100\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.wire]\ndelay = {delay}\n[roles.developer]\nprocessing = {{ dist = \"fixed\", value = 1.5 }}\n{window}\n\
         [source]\nid = \"a\"\n[target]\nrole = \"developer\"\nthreshold = {threshold}\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("links.csv", links)])
}

#[test]
fn chain_with_fixed_delays_gives_the_exact_time() {
    let fixed = "{ dist = \"fixed\", value = 2.0 }";
    // All three developers: 3 × (2 h delay + 1.5 h processing).
    let t = run_library(&chain(fixed, "", 1.0).load(), 0).t_threshold;
    assert!(t.iter().all(|&x| x == Some(10.5)), "{t:?}");
    // Half of three rounds up to two people: 2 × 3.5 h.
    let t = run_library(&chain(fixed, "", 0.5).load(), 0).t_threshold;
    assert!(t.iter().all(|&x| x == Some(7.0)), "{t:?}");
    // A window shorter than the delay stops the item at the first developer.
    let t = run_library(&chain(fixed, "window = { dist = \"fixed\", value = 1.9 }", 0.5).load(), 0).t_threshold;
    assert!(t.iter().all(Option::is_none), "{t:?}");
    // A window just over the delay lets it through.
    let t = run_library(&chain(fixed, "window = { dist = \"fixed\", value = 2.01 }", 1.0).load(), 0).t_threshold;
    assert!(t.iter().all(|&x| x == Some(10.5)), "{t:?}");
}

#[test]
fn transmit_zero_and_unreachable_target_report_not_reached() {
    let (people, links) = star_csv(20);
    let base = "name = \"none\"\nreplications = 50\nhorizon_hours = 100\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n";
    let cases = [
        format!("{base}[channels.feed]\ndelay = {{ dist = \"fixed\", value = 1 }}\ntransmit = 0\n"),
        // The item starts at a leaf, and links are one-way from the centre: nobody else is reachable.
        format!("{base}[channels.feed]\ndelay = {{ dist = \"fixed\", value = 1 }}\n[source]\nid = \"leaf0\"\n")
            .replace("links.csv\"\n", "links.csv\"\n"),
    ];
    let one_way = links
        .replace("source,target,channel\n", "source,target,channel,direction\n")
        .replace(",feed\n", ",feed,forward\n");
    for (i, toml) in cases.iter().enumerate() {
        let links = if i == 1 { one_way.as_str() } else { links.as_str() };
        let s = TempScenario::new(&[("scenario.toml", toml), ("people.csv", &people), ("links.csv", links)]);
        let out = s.path("out");
        run_ok(&s.scenario(), &out, &[]);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        let v = &json["variants"][0];
        assert_eq!(v["reached_fraction"], 0.0, "case {i}");
        for q in ["mean", "median", "p10", "p90", "ci95_mean"] {
            assert!(v["t_threshold"][q].is_null(), "case {i}: {q} should be null: {v}");
        }
        let csv = std::fs::read_to_string(out.join("replications.csv")).unwrap();
        assert_eq!(csv.lines().filter(|l| l.ends_with(",,false")).count(), 50, "case {i}");
    }
    let _ = permeate; // (the binary is exercised through run_ok)
}

/// An independent, plainly written continuous-time SIR simulator (Gillespie's direct method on
/// the whole event rate), sharing no code with the engine. Returns the time at which the k-th
/// node becomes infected (the source counts at time 0), or None.
fn gillespie_sir(adj: &[Vec<usize>], tau: f64, gamma: f64, k: usize, rng: &mut impl rand::Rng) -> Option<f64> {
    use rand::RngExt;
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Sus,
        Inf,
        Rec,
    }
    let n = adj.len();
    let mut state = vec![S::Sus; n];
    state[0] = S::Inf;
    let mut ever = 1;
    if ever >= k {
        return Some(0.0);
    }
    let mut t = 0.0;
    loop {
        // Rates: each S–I edge infects at tau; each infected recovers at gamma.
        let mut si_edges = Vec::new();
        let mut infected = Vec::new();
        for i in 0..n {
            if state[i] == S::Inf {
                infected.push(i);
                for &j in &adj[i] {
                    if state[j] == S::Sus {
                        si_edges.push(j);
                    }
                }
            }
        }
        if infected.is_empty() {
            return None;
        }
        let total = tau * si_edges.len() as f64 + gamma * infected.len() as f64;
        let u: f64 = rng.random();
        t += -(1.0 - u).ln() / total;
        let pick: f64 = rng.random::<f64>() * total;
        if pick < tau * si_edges.len() as f64 {
            let j = si_edges[((pick / tau) as usize).min(si_edges.len() - 1)];
            state[j] = S::Inf;
            ever += 1;
            if ever >= k {
                return Some(t);
            }
        } else {
            let i = infected[(((pick - tau * si_edges.len() as f64) / gamma) as usize).min(infected.len() - 1)];
            state[i] = S::Rec;
        }
    }
}

/// Two-sample Kolmogorov–Smirnov statistic.
fn ks_statistic(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

#[test]
fn sir_reduction_agrees_with_an_independent_gillespie_simulator() {
    use rand::SeedableRng;
    // A ring of 60 nodes, each linked to its 2 nearest neighbours on each side, plus 15 chords.
    let n = 60;
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        edges.push((i, (i + 1) % n));
        edges.push((i, (i + 2) % n));
    }
    for c in 0..15 {
        edges.push((c * 4 % n, (c * 4 + 23 + c) % n));
    }
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in &edges {
        adj[a].push(b);
        adj[b].push(a);
    }
    let (tau, gamma, threshold) = (0.5, 0.25, 0.5);
    let k = (threshold * n as f64).ceil() as usize;
    let reps = 4000;
    let people: String =
        std::iter::once("id,unit,role\n".to_string()).chain((0..n).map(|i| format!("n{i},all,node\n"))).collect();
    let links: String = std::iter::once("source,target,channel\n".to_string())
        .chain(edges.iter().map(|(a, b)| format!("n{a},n{b},contact\n")))
        .collect();
    let toml = format!(
        "name = \"sir\"\nseed = 5\nreplications = {reps}\nhorizon_hours = 1e6\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
         [channels.contact]\ndelay = {{ dist = \"exponential\", rate = {tau} }}\n\
         [roles.node]\nwindow = {{ dist = \"exponential\", rate = {gamma} }}\n\
         [source]\nid = \"n0\"\n[target]\nall = true\nthreshold = {threshold}\n"
    );
    let s = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)]).load();
    let ours = run_library(&s, 0).t_threshold;
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let theirs: Vec<Option<f64>> = (0..reps).map(|_| gillespie_sir(&adj, tau, gamma, k, &mut rng)).collect();

    // Reached fractions: two-proportion z-test, false failure < 1e-6.
    let p1 = ours.iter().filter(|x| x.is_some()).count() as f64 / reps as f64;
    let p2 = theirs.iter().filter(|x| x.is_some()).count() as f64 / reps as f64;
    let pooled = (p1 + p2) / 2.0;
    let se = (2.0 * pooled * (1.0 - pooled) / reps as f64).sqrt();
    assert!((p1 - p2).abs() < Z_1E6 * se, "reached {p1} vs reference {p2}");
    assert!(p1 > 0.2 && p1 < 0.95, "the regime should exercise both outcomes: {p1}");

    // T distributions among reached: two-sample KS at α = 1e-6 (critical c(α) = sqrt(-ln(α/2)/2)).
    let mut a: Vec<f64> = ours.iter().flatten().copied().collect();
    let mut b: Vec<f64> = theirs.iter().flatten().copied().collect();
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let d = ks_statistic(&mut a, &mut b);
    let crit = (-(1e-6f64 / 2.0).ln() / 2.0).sqrt() * ((na + nb) / (na * nb)).sqrt();
    assert!(d < crit, "KS distance {d} exceeds {crit}");
}

/// With fixed delays and processing, no window, transmit and notice 1, T_threshold is exactly the
/// k-th smallest shortest-path distance from the source among the targets. Checked against a
/// plain Dijkstra written here, on random multigraphs with parallel links over different channels
/// (a receiver reached twice by one sender), both directions, and many equal path lengths (ties).
#[test]
fn fixed_delays_on_random_multigraphs_give_kth_shortest_distances() {
    let delays = [("slow", 4.0), ("mid", 2.5), ("fast", 1.0)];
    let processing = 0.5;
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    for graph in 0..20 {
        let n = 12 + next(30) as usize;
        let mut people = String::from("id,unit,role\np0,external,community\n");
        for i in 1..n {
            people += &format!("p{i},dev,developer\n");
        }
        let mut rows = std::collections::BTreeSet::new();
        for _ in 0..(2 * n + next(2 * n as u64) as usize) {
            let (s, t, c, both) = (next(n as u64), next(n as u64), next(3) as usize, next(4) == 0);
            if s != t {
                rows.insert((s as usize, t as usize, c, both));
            }
        }
        let mut links = String::from("source,target,channel,direction\n");
        // Adjacency for the reference: (to, weight = delay + receiver's processing).
        let mut adj = vec![Vec::new(); n];
        for &(s, t, c, both) in &rows {
            links += &format!("p{s},p{t},{},{}\n", delays[c].0, if both { "both" } else { "forward" });
            adj[s].push((t, delays[c].1 + processing));
            if both {
                adj[t].push((s, delays[c].1 + processing));
            }
        }
        let mut dist = vec![f64::INFINITY; n];
        let mut done = vec![false; n];
        dist[0] = 0.0;
        while let Some(u) =
            (0..n).filter(|&u| !done[u] && dist[u].is_finite()).min_by(|&a, &b| dist[a].total_cmp(&dist[b]))
        {
            done[u] = true;
            for &(v, w) in &adj[u] {
                dist[v] = dist[v].min(dist[u] + w);
            }
        }
        let threshold = 0.6;
        let k = (threshold * (n - 1) as f64).ceil() as usize;
        let mut reached: Vec<f64> = dist[1..].iter().copied().filter(|d| d.is_finite()).collect();
        reached.sort_by(f64::total_cmp);
        let expected = reached.get(k - 1).copied();
        let toml = format!(
            "name = \"g\"\nreplications = 2\nhorizon_hours = 1000\n[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
             [channels.slow]\ndelay = {{ dist = \"fixed\", value = 4.0 }}\n[channels.mid]\ndelay = {{ dist = \"fixed\", value = 2.5 }}\n\
             [channels.fast]\ndelay = {{ dist = \"fixed\", value = 1.0 }}\n\
             [roles.developer]\nprocessing = {{ dist = \"fixed\", value = {processing} }}\n\
             [source]\nid = \"p0\"\n[target]\nrole = \"developer\"\nthreshold = {threshold}\n"
        );
        let s = TempScenario::new(&[("scenario.toml", &toml), ("people.csv", &people), ("links.csv", &links)]).load();
        let t = run_library(&s, 0).t_threshold;
        assert!(t.iter().all(|&got| got == expected), "graph {graph} ({n} people): got {t:?}, expected {expected:?}");
    }
}

/// The units' processing-time histograms (the organisation picture's colours): on a star with
/// Exp(λ = 0.5) delays and no processing, every leaf's time is an independent Exp(λ) draw, so
/// over 100 leaves × 400 replications the share of member-replications in each bin's range is
/// the exponential CDF at its edges (binomial sd ≤ 0.0025; a tolerance of 0.015 is six sd: false
/// failure < 1e-8 per edge, < 1e-6 over the 40 edges checked). The median ln 2 / λ = 1.386 h
/// lies in the bin [1.25, 1.5) h, 11 sampling sd from either edge, so the summary says 1.5 h.
/// With a 1 h horizon only 1 − e^{−0.5} = 39% process it: the median is "never".
/// Seen to fail with `time_bin` shifted by one bin (0.117 below 0.3125 h against 0.145) and
/// with `add_never` left out (a share of 1 for the 1 h horizon).
#[test]
fn unit_processing_times_follow_the_exponential_cdf() {
    use permeate::engine::outcome::{NEVER_BIN, TIME_BINS, time_bin_upper_hours};
    let (leaves, reps, lambda) = (100u64, 400u64, 0.5f64);
    let s = star(leaves as usize, "{ dist = \"exponential\", rate = 0.5 }", reps, 17).load();
    let run = run_library(&s, 0);
    let bins: Vec<&[u64]> = run.attribution.unit_times.chunks_exact(TIME_BINS).collect();
    let dev = bins.iter().find(|b| b.iter().sum::<u64>() == leaves * reps).expect("the development unit");
    let n = (leaves * reps) as f64;
    let mut below = 0u64;
    for (bin, &count) in dev.iter().enumerate().take(NEVER_BIN - 1) {
        below += count;
        let Some(edge) = time_bin_upper_hours(bin) else { break };
        if !(0.05..=16.0).contains(&edge) {
            continue;
        }
        let exact = 1.0 - (-lambda * edge).exp();
        let got = below as f64 / n;
        assert!((got - exact).abs() < 0.015, "share below {edge} h: {got} vs exact {exact}");
    }
    let r = permeate::study::results(&permeate::study::Plan::of(&s).unwrap(), &|| {}).expect("runs");
    let t = r.variants[0].bottlenecks.unit_times.iter().find(|u| u.unit == "development").expect("development");
    assert_eq!(t.member_replications, leaves * reps);
    assert_eq!(t.median_hours, Some(1.5), "{t:?}");
    assert_eq!(t.processed_share, 1.0);

    let short = TempScenario::new(&[
        ("scenario.toml", &std::fs::read_to_string(star(1, "1", 1, 1).scenario()).unwrap()),
        ("people.csv", &star_csv(leaves as usize).0),
        ("links.csv", &star_csv(leaves as usize).1),
    ]);
    let text = std::fs::read_to_string(short.scenario())
        .unwrap()
        .replace("horizon_hours = 1e6", "horizon_hours = 1")
        .replace("delay = 1", "delay = { dist = \"exponential\", rate = 0.5 }")
        .replace("replications = 1", &format!("replications = {reps}"));
    std::fs::write(short.scenario(), text).unwrap();
    let short = short.load();
    let r = permeate::study::results(&permeate::study::Plan::of(&short).unwrap(), &|| {}).expect("runs");
    let t = r.variants[0].bottlenecks.unit_times.iter().find(|u| u.unit == "development").expect("development");
    let exact = 1.0 - (-lambda).exp();
    assert!((t.processed_share - exact).abs() < 0.015, "{} vs {exact}", t.processed_share);
    assert_eq!(t.median_hours, None, "fewer than half processed it: the median is never");
}
