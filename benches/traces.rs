//! Validation benchmark of `permeate import --events` on the real e-mail log (issue 25; results
//! in `docs/validation.md`): the T80 of the import's default scenario next to the truth, an
//! item spread along the real, time-ordered e-mails, for p = 1 and p = 0.3, estimated on the
//! first 60% of the period and judged on the last 40%; then the import's speed on the whole log.
//!
//! ```sh
//! cargo bench --bench traces                 # data in ../shared/data/email-eu-core-temporal
//! cargo bench --bench traces -- DATA_DIR
//! ```

#[path = "traces/validation.rs"]
mod validation;

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let data = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/email-eu-core-temporal"));
    let bin = Path::new(env!("CARGO_BIN_EXE_permeate"));
    let work = tempfile::tempdir().expect("temp dir");
    // Days 0–525.5: the continuous stretch of the log (README of the data).
    let log = validation::read_snap(&data, 526.0);
    println!(
        "log: {} e-mails, {} people, {:.1} days",
        log.mails.len(),
        log.ids.len(),
        log.mails.last().unwrap().hours / 24.0
    );
    let setup = validation::Setup {
        units: 3,
        sources: 5,
        starts: 50,
        replications: 200,
        horizon: 3000.0,
        split: 0.6,
        in_sample: false,
        replay: true,
    };
    println!(
        "setup: the {} largest departments, {} sources each, {} start times per source over the last {:.0}% of the period (truth), {} replications per source (model), horizon {} h; estimated on the first {:.0}%\n",
        setup.units,
        setup.sources,
        setup.starts,
        100.0 * (1.0 - setup.split),
        setup.replications,
        setup.horizon,
        100.0 * setup.split
    );
    let t = Instant::now();
    let mut rows = Vec::new();
    for p in [1.0, 0.3] {
        rows.extend(validation::compare(bin, &work.path().join(format!("p{p}")), &log, &setup, p));
    }
    println!("out of sample (estimated on the first 60%, judged on the last 40%):\n\n{}", validation::table(&rows));
    println!(
        "replay (in sample: the whole log, starts over the judged stretch; out of sample: only the first 60%'s log, starts over its days 0 to the split less the horizon):\n\n{}",
        validation::replay_table(&rows)
    );
    let in_sample = validation::Setup { in_sample: true, replay: false, ..setup };
    let mut rows = Vec::new();
    for p in [1.0, 0.3] {
        rows.extend(validation::compare(bin, &work.path().join(format!("in-p{p}")), &log, &in_sample, p));
    }
    println!("in sample (estimated on the whole log, judged on the same last 40%):\n\n{}", validation::table(&rows));
    println!("comparison took {:.1} s\n", t.elapsed().as_secs_f64());

    // Import speed on the whole log (332,334 e-mails), release build.
    let full = work.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    let whole = validation::read_snap(&data, f64::INFINITY);
    validation::import(bin, &full, &whole, f64::INFINITY, 1.0, 2000.0);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(full.join("org"));
        let t = Instant::now();
        let o = std::process::Command::new(bin)
            .args(["import", "-q", "--hr"])
            .arg(full.join("hr.csv"))
            .arg("--map")
            .arg(full.join("map.toml"))
            .arg("--events")
            .arg(full.join("events.txt"))
            .arg("-o")
            .arg(full.join("org"))
            .output()
            .unwrap();
        assert!(o.status.success());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("import of {} e-mails: best of 5 {:.3} s (target < 2 s)", whole.mails.len(), best);
}
