//! Runs permeate's PRIM (`permeate::analysis::discovery::prim`) on a CSV file and prints the box
//! as JSON, for the peer comparison with EMA Workbench (`benches/peers/prim.py`).
//!
//! The CSV has a header; every column is a factor (numbers) except `case` (0/1, or false/true),
//! the case of interest of each row (world).
//!
//! `cargo run --release --example prim_dump -- worlds.csv`
//!
//! Prints `{"factors": [...], "worlds": n, "cases": c, "box": null | {"limits": [{"factor",
//! "name", "low", "high"}], "coverage", "density", "mass", "density_outside"}, "seconds": t}`:
//! only the restricted factors are listed, `low`/`high` are `null` on an unrestricted side, and
//! `seconds` is the wall time of the `prim` call alone.

use std::time::Instant;

use permeate::analysis::discovery::prim;
use serde_json::json;

fn fail(message: String) -> ! {
    eprintln!("prim_dump: {message}");
    std::process::exit(2)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        fail("the argument is a CSV file of factor columns and a 0/1 `case` column".into())
    };
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    let header: Vec<String> =
        reader.headers().unwrap_or_else(|e| fail(format!("{path}: {e}"))).iter().map(String::from).collect();
    let Some(case_col) = header.iter().position(|h| h == "case") else { fail(format!("{path}: no `case` column")) };
    let names: Vec<String> =
        header.iter().enumerate().filter(|&(i, _)| i != case_col).map(|(_, h)| h.clone()).collect();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (line, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| fail(format!("{path}: {e}")));
        let mut row = Vec::with_capacity(names.len());
        for (i, field) in record.iter().enumerate() {
            if i == case_col {
                y.push(match field.trim() {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    other => fail(format!("{path}, row {}: case {other:?} is not 0/1", line + 2)),
                });
            } else {
                row.push(
                    field
                        .trim()
                        .parse::<f64>()
                        .unwrap_or_else(|e| fail(format!("{path}, row {}, {}: {e}", line + 2, header[i]))),
                );
            }
        }
        x.push(row);
    }
    let start = Instant::now();
    let found = prim(&x, &y, &names);
    let seconds = start.elapsed().as_secs_f64();
    let out = json!({
        "factors": names,
        "worlds": x.len(),
        "cases": y.iter().filter(|&&c| c).count(),
        "box": found,
        "seconds": seconds,
    });
    println!("{out}");
}
