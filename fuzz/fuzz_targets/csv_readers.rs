//! Fuzzes the CSV readers: the people and the links text → organisation. The input is split at
//! the first NUL byte into the people file and the links file. Any input must give `Ok` or an
//! input error that renders: never a panic or a hang.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (people, links) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"source,target,channel\n"[..]),
    };
    let text = |name: &str, bytes: &[u8]| permeate::org::text_of_bytes(Path::new(name), bytes.to_vec());
    let result = text("people.csv", people).and_then(|p| {
        let l = text("links.csv", links)?;
        permeate::org::org_from_csv_text(Path::new("people.csv"), &p, Path::new("links.csv"), &l)
    });
    match result {
        Ok(org) => {
            let _ = org.summary();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
