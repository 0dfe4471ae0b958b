//! Fuzzes the `run --posterior` reader: `posterior.csv` text against the uncertain factors of a
//! small scenario (a uniform rate, a beta, a `choice`), loaded once. Any input must give the
//! particles or an input error that renders: never a panic or a hang.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const PEOPLE: &str = "id,unit,role\ncentre,external,community\nd1,development,developer\nd2,development,developer\n";
const LINKS: &str = "source,target,channel\ncentre,d1,feed\ncentre,d2,feed\n";
const SCENARIO: &str = "name = \"star\"\nseed = 11\nreplications = 10\nhorizon_hours = 1000\n\
[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
[channels.feed]\ndelay = { dist = \"exponential\", rate = 1.0 }\n\
[roles.developer]\n[roles.community]\n[source]\nid = \"centre\"\n[target]\nrole = \"developer\"\n\
[uncertain]\n\"channels.feed.delay.rate\" = { dist = \"uniform\", min = 0.1, max = 3.0 }\n\
\"roles.developer.notice\" = { dist = \"beta\", mean = 0.7, sd = 0.1 }\n\
\"channels.feed.transmit\" = { dist = \"choice\", values = [0.5, 0.9] }\n";

fn setup() -> &'static (PathBuf, permeate::Scenario) {
    static SETUP: OnceLock<(PathBuf, permeate::Scenario)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("permeate-fuzz-posterior-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("people.csv"), PEOPLE).expect("people.csv");
        std::fs::write(dir.join("links.csv"), LINKS).expect("links.csv");
        let scenario = permeate::Scenario::from_text(&dir.join("scenario.toml"), SCENARIO).expect("the scenario loads");
        (dir, scenario)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, scenario) = setup();
    let path = dir.join("posterior.csv");
    std::fs::write(&path, data).expect("the fuzz target's folder is writable");
    let factors = &scenario.uncertainty().expect("the scenario has [uncertain]").factors;
    match permeate::study::calibrate::posterior::read(&path, factors) {
        Ok((values, weights)) => assert_eq!(values.len(), weights.len()),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
