//! Entry points for the fuzz targets in `fuzz/` (not part of the API: hidden from the docs).
//! They reach the crate-private import through one call, with the inputs as bytes written into
//! a folder the target owns.

use std::path::Path;

use crate::error::InputError;

/// What [`import`] gives.
#[derive(Debug)]
pub enum ImportOutcome {
    /// The import refused its input: the message, rendered.
    Refused(String),
    /// The import built its folder; the result of loading its `people.csv` and `links.csv` with
    /// the loader's rules (which must hold: defect 13 of issue 20) and the rendered result of
    /// loading its skeleton `scenario.toml`.
    Imported {
        /// `Ok`, or the loader's message on the organisation the import wrote.
        organisation: Result<(), String>,
        /// `Ok`, or the message on the skeleton scenario (a skeleton may legitimately be refused,
        /// e.g. when no one has the target role).
        skeleton: Result<(), String>,
    },
}

/// Writes the inputs into `dir` (`hr.csv`, `map.toml`, and `messages.csv` / `events.csv` when
/// given), imports them as `permeate import` does, writes the folder into `dir/out` and loads
/// it back.
pub fn import(dir: &Path, hr: &[u8], map: &[u8], messages: Option<&[u8]>, events: Option<&[u8]>) -> ImportOutcome {
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("the fuzz target's folder is writable");
        p
    };
    let hr_path = write("hr.csv", hr);
    let map_path = write("map.toml", map);
    let messages_path = messages.map(|m| write("messages.csv", m));
    let events_path = events.map(|e| write("events.csv", e));
    let options = crate::import::Options {
        messages: messages_path.as_deref(),
        events: events_path.as_deref(),
        pseudonymise: None,
        min_presence: crate::import::DEFAULT_MIN_PRESENCE,
    };
    let imported = match crate::import::import_with(&hr_path, &map_path, &options) {
        Ok(i) => i,
        Err(e) => return ImportOutcome::Refused(e.to_string()),
    };
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("the fuzz target's folder is writable");
    for (name, content) in &imported.files {
        std::fs::write(out.join(name), content).expect("the fuzz target's folder is writable");
    }
    let text = |name: &str| imported.files.iter().find(|(n, _)| *n == name).map(|(_, c)| c.as_str());
    let organisation = match (text("people.csv"), text("links.csv")) {
        (Some(p), Some(l)) => crate::org::org_from_csv_text(&out.join("people.csv"), p, &out.join("links.csv"), l)
            .map(|_| ())
            .map_err(|e: InputError| e.to_string()),
        _ => Err("the import wrote no people.csv or links.csv".into()),
    };
    let skeleton = match text("scenario.toml") {
        Some(s) => crate::Scenario::from_text(&out.join("scenario.toml"), s).map(|_| ()).map_err(|e| e.to_string()),
        None => Err("the import wrote no scenario.toml".into()),
    };
    ImportOutcome::Imported { organisation, skeleton }
}
