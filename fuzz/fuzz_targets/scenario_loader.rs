//! Fuzzes the scenario loader: TOML text → validated scenario (with every variant and sweep
//! point), against a small organisation written once to a temporary folder. Any input must give
//! `Ok` or an input error: never a panic, a hang or unbounded memory.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The organisation the scenarios may name (`people.csv`, `links.csv`), as in the bad-input tests.
const PEOPLE: &str = "id,unit,role\ncommunity,external,community\ncm,support,community_manager\n\
carol,development,team_lead\nalice,development,developer\nbob,development,developer\n";
const LINKS: &str = "source,target,channel\ncommunity,cm,feed\ncm,carol,chat\ncarol,alice,chat\ncarol,bob,chat\n";

/// Generated organisations and runs are capped well below libFuzzer's `-rss_limit_mb`.
const MAX_MEMORY: u64 = 256 << 20;

fn scenario_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("permeate-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("people.csv"), PEOPLE).expect("people.csv");
        std::fs::write(dir.join("links.csv"), LINKS).expect("links.csv");
        permeate::engine::budget::set_max_memory(MAX_MEMORY);
        dir.join("scenario.toml")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scenario_path();
    let Ok(text) = std::str::from_utf8(data) else { return };
    match permeate::Scenario::from_text(path, text) {
        Ok(s) => {
            // What `check` prints and `run` checks before allocating must not fail either.
            let _ = s.summary();
            if let Ok(plan) = permeate::study::Plan::of(&s) {
                let _ = permeate::study::memory::check_run(&plan, 2, MAX_MEMORY);
            }
        }
        Err(e) => {
            // The message is rendered for people: that must not panic either.
            let _ = e.to_string();
        }
    }
});
