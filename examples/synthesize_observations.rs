//! Synthetic per-person observations from a stated parameter point of a scenario with
//! `[uncertain]`: what a company's measurement would show if the world were that point. Used to
//! make `scenarios/acme-observed.csv` (see `scenarios/tools/make_acme_observed.sh`) and for the
//! recovery study of `docs/validation.md`.
//!
//! ```text
//! cargo run --release --example synthesize_observations -- SCENARIO ITEMS PEOPLE WINDOW SEED [FACTOR=VALUE ...]
//! ```
//!
//! A FACTOR=VALUE argument `world=N` instead takes every factor from world N of 1000 drawn from
//! the prior (under SEED), and prints that point to stderr (the recovery study of
//! `docs/validation.md` uses it).
//!
//! Each of ITEMS items is one replication of the baseline in the stated world (factors not
//! named take their prior median), under SEED (use one the calibration does not use). For each
//! item, PEOPLE target members are asked (chosen per item by a hash of SEED, item and person):
//! the hours at which they processed it, rounded to 0.01 h, or empty if not within WINDOW hours.
//! Writes `item,person,processed_hours,observed_hours` to stdout.

use std::path::Path;

use permeate::engine::outcome::CurveGrid;
use permeate::engine::{Workspace, run_replication};
use permeate::random::rng::identity_key;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        return Err("usage: synthesize_observations SCENARIO ITEMS PEOPLE WINDOW SEED [FACTOR=VALUE ...]".into());
    }
    let scenario = permeate::Scenario::load(Path::new(&args[0])).map_err(|e| e.to_string())?;
    let num =
        |i: usize, what: &str| args[i].parse::<f64>().map_err(|_| format!("{what} must be a number, got {}", args[i]));
    let (items, people, window, seed) =
        (num(1, "ITEMS")? as u64, num(2, "PEOPLE")? as usize, num(3, "WINDOW")?, num(4, "SEED")? as u64);
    let u = scenario.uncertainty().ok_or("the scenario has no [uncertain] section")?;
    let mut values: Vec<f64> = u.factors.iter().map(|f| f.dist.quantile(0.5)).collect();
    for a in &args[5..] {
        if let Some(w) = a.strip_prefix("world=") {
            let w: usize = w.parse().map_err(|_| format!("{a}: expected world=N with N below 1000"))?;
            let worlds = permeate::design::worlds::random_worlds(seed, 1000, &u.factors);
            values = worlds.get(w).ok_or_else(|| format!("{a}: expected world=N with N below 1000"))?.clone();
            for (f, x) in u.factors.iter().zip(&values) {
                eprintln!("{}={x}", f.name);
            }
            continue;
        }
        let (name, value) = a.split_once('=').ok_or_else(|| format!("expected FACTOR=VALUE, got {a}"))?;
        let i = u.factors.iter().position(|f| f.name == name).ok_or_else(|| format!("no factor named \"{name}\""))?;
        values[i] = value.parse().map_err(|_| format!("{a}: not a number"))?;
    }
    let base = permeate::study::point_model(&scenario, 0).map_err(|e| e.to_string())?;
    let model = permeate::study::world_model(&scenario, &base, 0, &values, u).map_err(|e| e.to_string())?;
    let grid = CurveGrid::new(2, scenario.horizon_hours());
    let mut ws = Workspace::new(&model, &grid);
    let v = scenario.baseline();
    let mut out = csv::Writer::from_writer(std::io::stdout());
    out.write_record(["item", "person", "processed_hours", "observed_hours"]).map_err(|e| e.to_string())?;
    for item in 0..items {
        run_replication(&model, seed, item, &grid, &mut ws);
        let name = format!("item-{:02}", item + 1);
        let mut asked: Vec<u32> = v.target.clone();
        asked.sort_by_key(|&p| identity_key(&[&seed.to_string(), &name, &v.org.people[p as usize].id]));
        asked.truncate(people);
        asked.sort_unstable();
        for p in asked {
            let t = ws.processed_time(p as usize).filter(|&t| t <= window);
            let t = t.map_or(String::new(), |t| format!("{:.2}", (t * 100.0).round() / 100.0));
            let id = &v.org.people[p as usize].id;
            out.write_record([name.as_str(), id, &t, &window.to_string()]).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())
}
