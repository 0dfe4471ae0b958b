//! Criterion benchmark of workshop mode's paired answer (`cargo bench --bench serve`): one
//! `POST /api/run` worth of work without HTTP — ACME's baseline and one setting
//! (`involvement.fraction = 0.3`), 2,000 replications each on the same streams, from the
//! scenario text to the two points' statistics — and the first progressive answer (300
//! replications); and for `scenarios/acme-uncertain.toml` the first answer across worlds (the
//! first 20 of 200 worlds, 100 replications each) with a pinned factor. Numbers measured on the
//! project machine are in docs/performance.md.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use permeate::serve::{RunRequest, Workshop};

fn paired_answer(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/acme.toml");
    let workshop = Workshop::load(&file).expect("ACME loads");
    let request = |replications: u64| RunRequest {
        set: [("involvement.fraction".to_string(), serde_json::json!(0.3))].into(),
        replications: Some(replications),
        ..RunRequest::default()
    };
    let mut group = c.benchmark_group("serve");
    group.sample_size(10);
    for (name, replications) in [("acme_paired_2000", 2000), ("acme_first_300", 300)] {
        let r = request(replications);
        group.bench_function(name, |b| b.iter(|| workshop.run(&r, &|| false).expect("answers").expect("not stopped")));
    }
    let uncertain = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/acme-uncertain.toml");
    let workshop = Workshop::load(&uncertain).expect("ACME under uncertainty loads");
    let first = RunRequest {
        worlds: Some(permeate::serve::live::FIRST_WORLDS),
        pin: [("channels.email.notice".to_string(), 0.5)].into(),
        ..request(100)
    };
    group.bench_function("acme_uncertain_first_20_worlds_pinned", |b| {
        b.iter(|| workshop.run(&first, &|| false).expect("answers").expect("not stopped"))
    });
    group.finish();
}

criterion_group!(benches, paired_answer);
criterion_main!(benches);
