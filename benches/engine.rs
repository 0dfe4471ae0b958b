//! Criterion benchmarks of the engine (`cargo bench --bench engine`):
//!
//! - `sir_ws10k`: one replication of continuous-time SIR (τ = 0.5/h, γ = 0.25/h) on a
//!   Watts–Strogatz graph of 10,000 people, 10 neighbours, rewiring 0.1 (≈100,000 directed
//!   links): the graph of the peer comparison with EoN (`benches/peers/`);
//! - `threads`: 200 such replications on 1 and on 2 worker threads (parallel scaling);
//! - `company`: the bundled Northwind scenario at 10,000 replications (all cores), and one
//!   replication of the generated ACME company;
//! - `scaling`: one replication of the same SIR model on 1k, 10k, 100k and 1M people.
//!
//! Numbers measured on the project machine are in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use permeate::Scenario;
use permeate::engine::{Workspace, run_model, run_replication};
use permeate::model::Model;
use permeate::outcome::CurveGrid;
use rand::{RngExt, SeedableRng};

/// Writes a Watts–Strogatz graph (ring of `n`, `k` neighbours, rewiring `p`) as an SIR scenario
/// into `dir` and loads it.
fn sir_scenario(dir: &Path, n: usize, k: usize, p: f64) -> Scenario {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut people = String::with_capacity(n * 16);
    people += "id,unit,role\n";
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
    let mut links = String::with_capacity(n * k * 12);
    links += "source,target,channel\n";
    let mut list: Vec<(usize, usize)> = edges.iter().copied().collect();
    list.sort_unstable();
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
    Scenario::load(&dir.join("scenario.toml")).unwrap()
}

fn compile(s: &Scenario, variant: usize) -> (Model, CurveGrid) {
    let model = s.variants[variant].compile(s.horizon_hours).unwrap();
    (model, CurveGrid::new(s.curve_points, s.curve_hours))
}

/// Benchmarks single replications of `model`, each with a new replication number.
fn bench_replications(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: BenchmarkId,
    s: &Scenario,
    model: &Model,
    grid: &CurveGrid,
) {
    let mut ws = Workspace::new(model, grid);
    let mut r = 0u64;
    c.bench_function(id, |b| {
        b.iter(|| {
            r += 1;
            black_box(run_replication(model, s.seed, r, grid, &mut ws))
        })
    });
}

fn sir_ws10k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let s = sir_scenario(dir.path(), 10_000, 10, 0.1);
    let (model, grid) = compile(&s, 0);
    let mut g = c.benchmark_group("sir_ws10k");
    bench_replications(&mut g, BenchmarkId::new("replication", "1 thread"), &s, &model, &grid);
    g.finish();

    let mut g = c.benchmark_group("threads");
    g.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        g.bench_function(BenchmarkId::new("200 replications", threads), |b| {
            b.iter(|| pool.install(|| black_box(run_model(&model, s.seed, 0..200, &grid, &|| {}))))
        });
    }
    g.finish();
}

fn company(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut g = c.benchmark_group("company");
    g.sample_size(10);
    let northwind = Scenario::load(&root.join("scenarios/northwind.toml")).unwrap();
    let (model, grid) = compile(&northwind, 0);
    g.bench_function("northwind 10000 replications", |b| {
        b.iter(|| black_box(run_model(&model, northwind.seed, 0..10_000, &grid, &|| {})))
    });
    let acme = Scenario::load(&root.join("scenarios/acme.toml")).unwrap();
    let (model, grid) = compile(&acme, 0);
    bench_replications(&mut g, BenchmarkId::new("acme replication", "baseline"), &acme, &model, &grid);
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10);
    for n in [1_000, 10_000, 100_000, 1_000_000] {
        let dir = tempfile::tempdir().unwrap();
        let s = sir_scenario(dir.path(), n, 10, 0.1);
        let (model, grid) = compile(&s, 0);
        bench_replications(&mut g, BenchmarkId::new("replication", n), &s, &model, &grid);
    }
    g.finish();
}

criterion_group!(benches, sir_ws10k, company, scaling);
criterion_main!(benches);
