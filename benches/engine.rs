//! Criterion benchmarks of the engine (`cargo bench --bench engine`):
//!
//! - `sir_ws10k`: one replication of continuous-time SIR (τ = 0.5/h, γ = 0.25/h) on a
//!   Watts–Strogatz graph of 10,000 people, 10 neighbours, rewiring 0.1 (≈100,000 directed
//!   links): the graph of the peer comparison with EoN (`benches/peers/`);
//! - `threads`: 200 such replications on 1 and on 2 worker threads (parallel scaling);
//! - `company`: the bundled Northwind scenario at 10,000 replications (all cores), and one
//!   replication of the generated ACME company;
//! - `scaling`: one replication of the same SIR model on 1k, 10k, 100k and 1M people;
//! - `pipeline`: a parameter patch against a full compile of an ACME design point;
//! - `worlds`: 100 replications of the ACME baseline, plain and as one plausible world (a
//!   parameter patch plus the same run);
//! - `shards`: the ACME sweep as three shard processes plus their merge against one run.
//!
//! Numbers measured on the project machine are in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use permeate::Scenario;
use permeate::engine::outcome::CurveGrid;
use permeate::engine::{Workspace, run_model, run_replication};
use permeate::model::Model;
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
    let model = s.variants()[variant].compile(s.horizon_hours()).unwrap();
    (model, CurveGrid::new(s.curve_points(), s.curve_hours()))
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
            black_box(run_replication(model, s.seed(), r, grid, &mut ws))
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
            b.iter(|| pool.install(|| black_box(run_model(&model, s.seed(), 0..200, &grid, &|| {}))))
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
        b.iter(|| black_box(run_model(&model, northwind.seed(), 0..10_000, &grid, &|| {})))
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

/// The study pipeline: a parameter patch of a compiled model against a full compile of the
/// same design point (ACME, 300 people); and a study run as three shards in separate processes
/// plus their merge against one run of it (wall time of the `permeate` binary, same machine).
fn pipeline(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let acme = Scenario::load(&root.join("scenarios/acme.toml")).unwrap();
    let point = acme.variants().iter().position(|v| v.name == "involvement 30%").expect("bundled variant");
    let v = &acme.variants()[point];
    assert!(v.same_structure(&acme.variants()[0]), "the involvement variant patches the baseline's structure");
    let base = acme.variants()[0].compile(acme.horizon_hours()).unwrap();
    let mut g = c.benchmark_group("pipeline");
    g.bench_function("acme full compile", |b| b.iter(|| black_box(v.compile(acme.horizon_hours()).unwrap())));
    g.bench_function("acme parameter patch", |b| {
        b.iter(|| black_box(Model::with_params(base.structure.clone(), &v.params(acme.horizon_hours())).unwrap()))
    });
    g.finish();

    // Worlds: a world is a parameter patch of the point's compiled model, then the same engine.
    // Per world, 100 replications of the ACME baseline: plain model vs patch + run.
    let unc = Scenario::load(&root.join("scenarios/acme-uncertain.toml")).unwrap();
    let grid = CurveGrid::new(unc.curve_points(), unc.curve_hours());
    let plain = unc.variants()[0].compile(unc.horizon_hours()).unwrap();
    let u = unc.uncertainty().unwrap();
    let unc_plan = permeate::study::Plan::of(&unc).unwrap();
    let values = &unc_plan.worlds().unwrap().values;
    let mut g = c.benchmark_group("worlds");
    g.sample_size(20);
    g.bench_function("acme 100 replications, plain", |b| {
        b.iter(|| black_box(run_model(&plain, unc.seed(), 0..100, &grid, &|| {})))
    });
    let mut w = 0usize;
    g.bench_function("acme 100 replications, one world (patch + run)", |b| {
        b.iter(|| {
            w = (w + 1) % values.len();
            let base = unc.variants()[0].params(unc.horizon_hours());
            let mut params = base.clone();
            for &(f, t) in &u.targets[0] {
                let x = values[w][f];
                let v = match u.factors[f].mode {
                    permeate::design::worlds::Mode::Set => x,
                    permeate::design::worlds::Mode::Scale => base.get(t).unwrap() * x,
                };
                params.set(t, v).unwrap();
            }
            let model = Model::with_params(plain.structure.clone(), &params).unwrap();
            black_box(run_model(&model, unc.seed(), 0..100, &grid, &|| {}))
        })
    });
    // The machinery alone: a world whose values are the baseline's own (the same work per
    // replication as the plain model).
    g.bench_function("acme 100 replications, one world at the baseline's values (patch + run)", |b| {
        b.iter(|| {
            let base = unc.variants()[0].params(unc.horizon_hours());
            let mut params = base.clone();
            for &(_, t) in &u.targets[0] {
                params.set(t, base.get(t).unwrap()).unwrap();
            }
            let model = Model::with_params(plain.structure.clone(), &params).unwrap();
            black_box(run_model(&model, unc.seed(), 0..100, &grid, &|| {}))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("shards");
    g.sample_size(10);
    let bin = env!("CARGO_BIN_EXE_permeate");
    let scenario = root.join("scenarios/acme-sweep.toml");
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let status = std::process::Command::new(bin).args(args).status().unwrap();
        assert!(status.success());
    };
    let s = scenario.to_str().unwrap();
    let n = "300";
    g.bench_function("acme-sweep one run", |b| {
        b.iter(|| {
            let out = dir.path().join("one");
            let _ = std::fs::remove_dir_all(&out);
            run(&["run", s, "-n", n, "-q", "-o", out.to_str().unwrap()]);
        })
    });
    g.bench_function("acme-sweep 3 shards + merge", |b| {
        b.iter(|| {
            let mut parts = Vec::new();
            for i in 1..=3 {
                let out = dir.path().join(format!("part{i}"));
                let _ = std::fs::remove_dir_all(&out);
                run(&["run", s, "-n", n, "-q", "--shard", &format!("{i}/3"), "-o", out.to_str().unwrap()]);
                parts.push(out.to_str().unwrap().to_string());
            }
            let merged = dir.path().join("merged");
            let _ = std::fs::remove_dir_all(&merged);
            let mut args = vec!["merge"];
            args.extend(parts.iter().map(String::as_str));
            args.extend(["-q", "-o", merged.to_str().unwrap()]);
            run(&args);
        })
    });
    g.finish();
}

criterion_group!(benches, sir_ws10k, company, scaling, pipeline);
criterion_main!(benches);
