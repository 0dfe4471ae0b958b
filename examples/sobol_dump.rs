//! Dumps permeate's Sobol indices of the Ishigami function as JSON, for the peer comparison with
//! SALib (`benches/peers/salib.py`): the unit-cube Saltelli design (k = 3, N = 4096, fixed seed),
//! the Ishigami outputs on it (a = 7, b = 0.1, x = −π + 2π·u), permeate's indices from
//! `permeate::analysis::sensitivity::sobol`, and the wall time of that call. Also the indices of the same
//! outputs plus a constant (`SHIFT`): Sobol indices do not depend on it, so any change shows how
//! much an estimator depends on the output's mean.
//!
//! `cargo run --release --example sobol_dump [-- N]`
//!
//! The design's rows are in permeate's order: per base sample A, B, AB^(1), …, AB^(k).

use std::time::Instant;

use permeate::analysis::sensitivity::{BOOTSTRAP_RESAMPLES, SobolIndex, sobol};
use permeate::design::worlds::saltelli_unit;
use serde_json::json;

/// Seed of the design.
const DESIGN_SEED: u64 = 42;
/// Seed of the bootstrap.
const BOOTSTRAP_SEED: u64 = 1;
/// Factors of the Ishigami function.
const K: usize = 3;
/// Timed calls of `sobol` (the first result is the one reported; all must be equal).
const TIMED_CALLS: usize = 5;
/// The constant added to the outputs for the shift check.
const SHIFT: f64 = 100.0;

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

fn main() {
    let n: usize = match std::env::args().nth(1).map(|s| s.parse()) {
        None => 4096,
        Some(Ok(n)) if n >= 2 => n,
        _ => {
            eprintln!("sobol_dump: the argument is the number of base samples N (at least 2)");
            std::process::exit(2)
        }
    };
    let pi = std::f64::consts::PI;
    let design = saltelli_unit(DESIGN_SEED, n as u32, K);
    let y: Vec<f64> =
        design.iter().map(|u| ishigami(&u.iter().map(|v| -pi + 2.0 * pi * v).collect::<Vec<_>>())).collect();
    let mut seconds = Vec::with_capacity(TIMED_CALLS);
    let mut first = None;
    for _ in 0..TIMED_CALLS {
        let start = Instant::now();
        let idx = sobol(&y, n, K, BOOTSTRAP_SEED);
        seconds.push(start.elapsed().as_secs_f64());
        match &first {
            None => first = Some(idx),
            Some(f) => assert_eq!(f, &idx, "sobol is deterministic per seed"),
        }
    }
    let idx = first.expect("at least one call");
    let as_json = |idx: &[SobolIndex]| -> Vec<serde_json::Value> {
        idx.iter().map(|s| json!({ "S1": s.s1, "S1_ci": s.s1_ci, "ST": s.st, "ST_ci": s.st_ci })).collect()
    };
    let shifted: Vec<f64> = y.iter().map(|v| v + SHIFT).collect();
    let indices_shifted = as_json(&sobol(&shifted, n, K, BOOTSTRAP_SEED));
    let out = json!({
        "function": "ishigami",
        "a": 7.0,
        "b": 0.1,
        "k": K,
        "n": n,
        "design_seed": DESIGN_SEED,
        "bootstrap_seed": BOOTSTRAP_SEED,
        "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
        "order": "per base sample: A, B, AB_1..AB_k",
        "design": design,
        "y": y,
        "indices": as_json(&idx),
        "shift": SHIFT,
        "indices_shifted": indices_shifted,
        "sobol_seconds": seconds,
    });
    println!("{out}");
}
