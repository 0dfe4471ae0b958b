//! Fuzzes the calibration's observation reader: CSV text (per-person times or survey shares) →
//! checked observations of a small scenario with an `[uncertain]` section. Any input must give
//! `Ok` or an input error that renders: never a panic, a hang or unbounded memory.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const PEOPLE: &str = "id,unit,role\ncentre,external,community\nalice,development,developer\n\
bob,development,developer\ncarol,development,developer\n";
const LINKS: &str = "source,target,channel\ncentre,alice,feed\ncentre,bob,feed\nalice,carol,feed\n";
const SCENARIO: &str = "name = \"fuzz\"\nreplications = 5\nhorizon_hours = 100\n\
[organisation]\npeople = \"people.csv\"\nlinks = \"links.csv\"\n\
[channels.feed]\ndelay = { dist = \"exponential\", mean = 2 }\n\
[source]\nid = \"centre\"\n[target]\nrole = \"developer\"\nthreshold = 0.8\n\
[uncertain]\n\"channels.feed.transmit\" = { dist = \"uniform\", min = 0.2, max = 1.0 }\n";

fn scenario() -> &'static permeate::Scenario {
    static S: OnceLock<permeate::Scenario> = OnceLock::new();
    S.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("permeate-fuzz-obs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("people.csv"), PEOPLE).expect("people.csv");
        std::fs::write(dir.join("links.csv"), LINKS).expect("links.csv");
        let path: PathBuf = dir.join("scenario.toml");
        permeate::Scenario::from_text(&path, SCENARIO).expect("the fuzz scenario is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("observations.csv");
    for window in [None, Some(48.0)] {
        match permeate::study::calibrate::observations::Observations::from_text(path, text, scenario(), window) {
            Ok(o) => {
                let _ = (o.items().len(), o.per_person());
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
