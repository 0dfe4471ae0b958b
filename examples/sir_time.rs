//! Times single-threaded SIR replications of a scenario (default: the peer comparison's
//! supercritical scenario) — a quick loop for performance work, without criterion's warm-up.
//!
//! `cargo run --release --example sir_time -- [scenario.toml] [replications]`

use std::path::PathBuf;
use std::time::Instant;

use permeate::Scenario;
use permeate::engine::{CurveGrid, Workspace, run_replication};
use permeate::model::Model;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "benches/peers/out/supercritical/scenario.toml".into()));
    let reps: u64 = args.next().map(|s| s.parse().expect("replications")).unwrap_or(2000);
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let model = Model::compile(&s.variants[0], s.horizon_hours, &s.file).unwrap_or_else(|e| panic!("{e}"));
    let grid = CurveGrid::new(s.curve_points, s.curve_hours);
    let mut ws = Workspace::new(&model, &grid);
    let mut sum = 0.0;
    for r in 0..reps / 10 {
        sum += run_replication(&model, s.seed, r, &grid, &mut ws).unwrap_or(0.0);
    }
    let mut best = f64::INFINITY;
    for round in 0..10 {
        let start = Instant::now();
        for r in 0..reps {
            sum += run_replication(&model, s.seed, round * reps + r, &grid, &mut ws).unwrap_or(0.0);
        }
        best = best.min(start.elapsed().as_secs_f64() / reps as f64);
    }
    println!("{:.4} ms per replication (best of 10 rounds of {reps}); checksum {sum:.6}", best * 1e3);
}
