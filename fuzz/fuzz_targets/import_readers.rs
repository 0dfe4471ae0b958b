//! Fuzzes `permeate import`: the HR export, the map, the messages file and the time-stamped
//! events log → an organisation folder. The input is split at NUL bytes into the HR export, the
//! map, and optionally the messages file and the events log (an empty part is left out). Any
//! input must give `Ok` or an input error that renders — never a panic or a hang — and an
//! organisation the import wrote must load with the loader's rules (issue 20, defect 13).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use permeate::fuzzing::ImportOutcome;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("permeate-fuzz-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == 0);
    let hr = parts.next().unwrap_or_default();
    let map = parts.next().unwrap_or_default();
    let messages = parts.next().filter(|m| !m.is_empty());
    let events = parts.next().filter(|e| !e.is_empty());
    match permeate::fuzzing::import(folder(), hr, map, messages, events) {
        ImportOutcome::Refused(message) => assert!(!message.is_empty()),
        ImportOutcome::Imported { organisation, skeleton: _ } => {
            if let Err(m) = organisation {
                panic!("import wrote an organisation the loader refuses: {m}");
            }
        }
    }
});
