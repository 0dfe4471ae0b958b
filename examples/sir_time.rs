//! Times single-threaded SIR replications of a scenario (default: the peer comparison's
//! supercritical scenario) — a quick loop for performance work, without criterion's warm-up.
//!
//! `cargo run --release --example sir_time -- [scenario.toml] [replications]`

use std::path::PathBuf;
use std::time::Instant;

use permeate::Scenario;
use permeate::engine::outcome::CurveGrid;
use permeate::engine::{Workspace, run_replication};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "benches/peers/out/supercritical/scenario.toml".into()));
    let reps: u64 = match args.next().map(|s| s.parse()) {
        None => 2000,
        Some(Ok(r)) if r >= 10 => r,
        _ => {
            eprintln!("sir_time: the second argument is the number of replications per round (at least 10)");
            std::process::exit(2)
        }
    };
    let fail = |e: &dyn std::fmt::Display| -> ! {
        eprintln!("sir_time: {e}\n(the default scenario is written by `bash benches/peers/run.sh`)");
        std::process::exit(2)
    };
    let s = Scenario::load(&path).unwrap_or_else(|e| fail(&e));
    let model = s.variants()[0].compile(s.horizon_hours()).unwrap_or_else(|e| fail(&e));
    let grid = CurveGrid::new(s.curve_points(), s.curve_hours());
    let mut ws = Workspace::new(&model, &grid);
    let mut sum = 0.0;
    for r in 0..reps / 10 {
        sum += run_replication(&model, s.seed(), r, &grid, &mut ws).unwrap_or(0.0);
    }
    let mut best = f64::INFINITY;
    for round in 0..10 {
        let start = Instant::now();
        for r in 0..reps {
            sum += run_replication(&model, s.seed(), round * reps + r, &grid, &mut ws).unwrap_or(0.0);
        }
        best = best.min(start.elapsed().as_secs_f64() / reps as f64);
    }
    println!("{:.4} ms per replication (best of 10 rounds of {reps}); checksum {sum:.6}", best * 1e3);
}
