//! Criterion benchmark of replay mode (`cargo bench --bench replay`): one replication replaying
//! a message log against one replication of a static organisation with the same people and the
//! same pairs as links (exponential delays, mean 100 h), item from the busiest sender to 80% of
//! everybody, horizon 3,000 h, `per_message` 1 and 0.3. The log is the real e-mail log
//! (`../shared/data/email-eu-core-temporal`, days 0–525.5: 332,334 e-mails, 986 people) when it
//! is there, else a synthetic one of the same size (1,000 people, 330,000 messages over 12,600 h
//! between random pairs of a fixed set of 25,000). The target: a replay replication
//! within 3× a static one.

#[path = "traces/validation.rs"]
mod validation;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use permeate::Scenario;
use permeate::engine::outcome::CurveGrid;
use permeate::engine::{Workspace, run_replication};
use rand::{RngExt, SeedableRng};

/// (people ids, messages as (sender, recipient, seconds)).
fn log() -> (Vec<String>, Vec<(u32, u32, f64)>) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/email-eu-core-temporal");
    if data.join("email-Eu-core-temporal.txt.gz").exists() {
        let log = validation::read_snap(&data, 526.0);
        let mails = log.mails.iter().map(|m| (m.from, m.to, (m.hours * 3600.0).round())).collect();
        return (log.ids, mails);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let n = 1000u32;
    let pairs: Vec<(u32, u32)> = (0..25_000)
        .map(|_| {
            let a = rng.random_range(0..n);
            (a, (a + rng.random_range(1..n)) % n)
        })
        .collect();
    let mails = (0..330_000)
        .map(|_| {
            let (a, b) = pairs[rng.random_range(0..pairs.len())];
            (a, b, (rng.random::<f64>() * 12_600.0 * 3600.0).round())
        })
        .collect();
    ((0..n).map(|i| i.to_string()).collect(), mails)
}

fn replay(c: &mut Criterion) {
    let (ids, mails) = log();
    let dir = tempfile::tempdir().unwrap();
    let mut people = String::from("id,unit,role\n");
    for id in &ids {
        people += &format!("{id},all,member\n");
    }
    let mut events = String::new();
    let mut pairs = std::collections::BTreeSet::new();
    let mut sent = vec![0usize; ids.len()];
    for &(a, b, s) in &mails {
        events += &format!("{} {} {s}\n", ids[a as usize], ids[b as usize]);
        pairs.insert((a, b));
        sent[a as usize] += 1;
    }
    let mut links = String::from("source,target,channel,direction\n");
    for (a, b) in pairs {
        links += &format!("{},{},email,forward\n", ids[a as usize], ids[b as usize]);
    }
    let busiest = (0..ids.len()).max_by_key(|&p| (sent[p], std::cmp::Reverse(p))).unwrap();
    let common = format!(
        "seed = 7\nreplications = 100\nhorizon_hours = 3000\n[roles.member]\n\
         [source]\nid = \"{}\"\n[target]\nall = true\nthreshold = 0.8\n",
        ids[busiest]
    );
    std::fs::write(dir.path().join("people.csv"), people).unwrap();
    std::fs::write(dir.path().join("links.csv"), links).unwrap();
    std::fs::write(dir.path().join("events.txt"), events).unwrap();
    let scenario = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        Scenario::load(&path).unwrap()
    };
    let runs = [
        (
            "static",
            scenario(
                "static.toml",
                format!(
                    "name = \"static\"\n{common}[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
                     [channels.email]\ndelay = {{ dist = \"exponential\", rate = 0.01 }}\n"
                ),
            ),
        ),
        (
            "replay p=1",
            scenario(
                "replay.toml",
                format!(
                    "name = \"replay\"\n{common}[organisation]\npeople = \"people.csv\"\nevents = \"events.txt\"\n\
                     [organisation.replay]\nformat = \"edgelist\"\n"
                ),
            ),
        ),
        (
            "replay p=0.3",
            scenario(
                "replay3.toml",
                format!(
                    "name = \"replay\"\n{common}[organisation]\npeople = \"people.csv\"\nevents = \"events.txt\"\n\
                     [organisation.replay]\nformat = \"edgelist\"\nper_message = 0.3\n"
                ),
            ),
        ),
    ];
    let mut g = c.benchmark_group("replay");
    for (name, s) in &runs {
        let model = s.variants()[0].compile(s.horizon_hours()).unwrap();
        let grid = CurveGrid::new(s.curve_points(), s.curve_hours());
        let mut ws = Workspace::new(&model, &grid);
        let mut r = 0u64;
        g.bench_function(*name, |b| {
            b.iter(|| {
                r += 1;
                black_box(run_replication(&model, s.seed(), r, &grid, &mut ws))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
