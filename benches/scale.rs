//! Criterion benchmarks of the large case, stage by stage, and of the pass against its floor
//! (`cargo bench --bench scale`):
//!
//! - `scale/…`: the organisation of `benches/scale/make_org.py` (teams of 10 in a ring of three
//!   links each way, two random ties per person, the community feeding every hundredth person),
//!   at 100,000 people by default (`PERMEATE_SCALE_PEOPLE=1000000` for the size; one
//!   iteration then takes seconds): `load + validate` (CSV to a validated scenario), `compile`
//!   (the structure of the baseline), `replication` (one replication of the real pass) and
//!   `floor` (a bare Dijkstra over the same compiled graph with pre-drawn weights);
//! - `floor/…`: the same pair on the SIR graph of `benches/engine.rs` (Watts–Strogatz, 10,000
//!   people, τ 0.5/h, γ 0.25/h), where the floor's pre-drawn weights follow the same law as the
//!   real pass's (an arc carries with its Exp(τ) delay when that is below its sender's Exp(γ)
//!   window), so the two explore epidemics of the same size.
//!
//! The floor is what any first-passage pass must do on this graph: per reached person one pop
//! from the engine's own 8-ary queue, and per outgoing arc one load of its receiver, one of the
//! receiver's time and one pre-drawn weight. It draws nothing (no hashing, no distributions),
//! knows no windows, notice, processing, calendars, gates or bookkeeping (curves, critical
//! paths). Numbers are in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use permeate::Scenario;
use permeate::engine::outcome::CurveGrid;
use permeate::engine::queue::IndexedQueue;
use permeate::engine::{Workspace, run_replication};
use permeate::model::Model;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp};

/// Writes the organisation of `benches/scale/make_org.py` for `n` people into `dir` (its own
/// random ties, so the graph has the same shape, not the same links).
fn write_scale_org(dir: &Path, n: usize) {
    use std::fmt::Write as _;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut people = String::with_capacity(n * 24);
    people += "id,unit,role\ncommunity,external,community\n";
    for i in 0..n - 1 {
        let role = if i % 10 == 0 { "team_lead" } else { "developer" };
        let _ = writeln!(people, "p{i},u{},{role}", i / 1000);
    }
    let mut links = String::with_capacity(n * 5 * 20);
    links += "source,target,channel\n";
    for i in 0..n - 1 {
        let base = i - i % 10;
        for d in 1..=3 {
            let j = base + (i % 10 + d) % 10;
            if j < n - 1 && j != i {
                let _ = writeln!(links, "p{i},p{j},team");
            }
        }
        for _ in 0..2 {
            let j = rng.random_range(0..n - 1);
            if j != i {
                let _ = writeln!(links, "p{i},p{j},chat");
            }
        }
    }
    for i in (0..n - 1).step_by(100) {
        let _ = writeln!(links, "community,p{i},feed");
    }
    let toml = "name = \"scale\"\nseed = 1\nreplications = 20\nhorizon_hours = 2000\n\
        [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
        [channels.team]\ndelay = { dist = \"lognormal\", median = 2.0, sigma = 1.0 }\ntransmit = 0.6\n\
        [channels.chat]\ndelay = { dist = \"exponential\", mean = 8.0 }\ntransmit = 0.3\n\
        [channels.feed]\ndelay = { dist = \"exponential\", mean = 24.0 }\n\
        [roles.developer]\nnotice = 0.8\nprocessing = { dist = \"gamma\", shape = 2.0, scale = 1.5 }\n\
        window = { dist = \"lognormal\", median = 40.0, sigma = 0.5 }\n\
        [roles.team_lead]\nnotice = 0.9\nwindow = { dist = \"lognormal\", median = 80.0, sigma = 0.5 }\n\
        [source]\nid = \"community\"\n[target]\nrole = \"developer\"\n";
    std::fs::write(dir.join("people.csv"), people).unwrap();
    std::fs::write(dir.join("links.csv"), links).unwrap();
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
}

/// Writes the SIR scenario of `benches/engine.rs` (Watts–Strogatz: ring of `n`, `k`
/// neighbours, rewiring `p`) into `dir`.
fn write_sir(dir: &Path, n: usize, k: usize, p: f64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut people = String::from("id,unit,role\n");
    for i in 0..n {
        people += &format!("{i},all,node\n");
    }
    let mut edges = std::collections::HashSet::with_capacity(n * k / 2);
    for i in 0..n {
        for d in 1..=k / 2 {
            let j = (i + d) % n;
            edges.insert((i.min(j), i.max(j)));
        }
    }
    let mut list: Vec<(usize, usize)> = edges.iter().copied().collect();
    list.sort_unstable();
    let mut links = String::from("source,target,channel\n");
    for (a, mut b) in list {
        if rng.random::<f64>() < p {
            loop {
                let c = rng.random_range(0..n);
                if c != a && !edges.contains(&(a.min(c), a.max(c))) {
                    b = c;
                    break;
                }
            }
        }
        links += &format!("{a},{b},contact\n");
    }
    let toml = "name = \"sir\"\nseed = 7\nreplications = 200\nhorizon_hours = 10000\n\
                [organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                [channels.contact]\ndelay = { dist = \"exponential\", rate = 0.5 }\n\
                [roles.node]\nwindow = { dist = \"exponential\", rate = 0.25 }\n\
                [source]\nid = \"0\"\n[target]\nall = true\nthreshold = 0.8\n";
    std::fs::write(dir.join("people.csv"), people).unwrap();
    std::fs::write(dir.join("links.csv"), links).unwrap();
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
}

/// Pre-drawn arc weights of one replication of the floor: per arc its delay in hours, or ∞
/// when it does not carry.
type Weights = Vec<f32>;

/// Weights of the SIR law: an arc carries when its Exp(`tau`) delay is below its sender's
/// Exp(`gamma`) window.
fn sir_weights(model: &Model, tau: f64, gamma: f64, seed: u64) -> Weights {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (delay, window) = (Exp::new(tau).unwrap(), Exp::new(gamma).unwrap());
    let st = &model.structure;
    let mut w = vec![f32::INFINITY; st.arcs.len()];
    for p in 0..model.people() {
        let win: f64 = window.sample(&mut rng);
        for slot in &mut w[st.offsets[p] as usize..st.offsets[p + 1] as usize] {
            let d: f64 = delay.sample(&mut rng);
            if d < win {
                *slot = d as f32;
            }
        }
    }
    w
}

/// Weights of the scale organisation's channels, simplified: an arc carries with its channel's
/// transmit probability (team 0.6, chat 0.3, feed 1) after an exponential delay of the
/// channel's mean (2, 8, 24 hours), no windows or processing.
fn scale_weights(model: &Model, seed: u64) -> Weights {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let st = &model.structure;
    // Channel ids follow the scenario's channel order: team, chat, feed.
    let params = [(0.6, 2.0), (0.3, 8.0), (1.0, 24.0)];
    st.arcs
        .iter()
        .map(|a| {
            let (transmit, mean) = params[a.channel as usize];
            let u: f64 = rng.random();
            if u < transmit { (Exp::new(1.0 / mean).unwrap().sample(&mut rng)) as f32 } else { f32::INFINITY }
        })
        .collect()
}

/// The floor: a bare Dijkstra from the model's sources over its compiled arcs with the weights
/// `w`, with the engine's queue; returns how many people it reached (so nothing is optimised
/// away).
fn floor_pass(model: &Model, w: &[f32], time: &mut [f32], queue: &mut IndexedQueue) -> usize {
    time.fill(f32::INFINITY);
    queue.clear();
    let st = &model.structure;
    for &s in &st.sources {
        time[s as usize] = 0.0;
        queue.push(0.0, s);
    }
    let mut reached = 0;
    while let Some((t, i)) = queue.pop() {
        reached += 1;
        let first = st.offsets[i as usize] as usize;
        for (arc, &d) in st.arcs[first..st.offsets[i as usize + 1] as usize].iter().zip(&w[first..]) {
            let j = arc.to as usize;
            let candidate = t + d;
            if candidate < time[j] {
                queue.push_or_decrease(candidate, arc.to, time[j].is_finite());
                time[j] = candidate;
            }
        }
    }
    reached
}

/// Benchmarks the real pass and the floor on `model`, side by side in one group.
fn real_and_floor(c: &mut Criterion, group: &str, s: &Scenario, model: &Model, weights: &[Weights]) {
    let grid = CurveGrid::new(s.curve_points(), s.curve_hours());
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    let mut ws = Workspace::new(model, &grid);
    let mut r = 0u64;
    g.bench_function("replication", |b| {
        b.iter(|| {
            r += 1;
            black_box(run_replication(model, 7, r, &grid, &mut ws))
        })
    });
    let mut time = vec![f32::INFINITY; model.people()];
    let mut queue = IndexedQueue::new(model.people());
    let mut k = 0;
    g.bench_function("floor", |b| {
        b.iter(|| {
            k = (k + 1) % weights.len();
            black_box(floor_pass(model, &weights[k], &mut time, &mut queue))
        })
    });
    g.finish();
}

fn scale(c: &mut Criterion) {
    let n: usize = std::env::var("PERMEATE_SCALE_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    write_scale_org(dir.path(), n);
    let path = dir.path().join("scenario.toml");
    {
        let mut g = c.benchmark_group("scale");
        g.sample_size(10);
        g.bench_function("load + validate", |b| b.iter(|| black_box(Scenario::load(&path).unwrap())));
        let s = Scenario::load(&path).unwrap();
        g.bench_function("compile", |b| b.iter(|| black_box(s.variants()[0].compile(s.horizon_hours()).unwrap())));
        g.finish();
    }
    let s = Scenario::load(&path).unwrap();
    let model = s.variants()[0].compile(s.horizon_hours()).unwrap();
    let weights: Vec<Weights> = (0..4).map(|seed| scale_weights(&model, seed)).collect();
    real_and_floor(c, "scale", &s, &model, &weights);
}

fn sir_floor(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_sir(dir.path(), 10_000, 10, 0.1);
    let s = Scenario::load(&dir.path().join("scenario.toml")).unwrap();
    let model = s.variants()[0].compile(s.horizon_hours()).unwrap();
    let weights: Vec<Weights> = (0..16).map(|seed| sir_weights(&model, 0.5, 0.25, seed)).collect();
    real_and_floor(c, "floor", &s, &model, &weights);
}

criterion_group!(benches, sir_floor, scale);
criterion_main!(benches);
