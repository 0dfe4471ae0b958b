//! Helpers shared by the integration tests: scenario folders in temporary directories, running
//! the `permeate` binary, and running scenarios through the library.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use permeate::Scenario;
use permeate::engine::outcome::CurveGrid;
use permeate::engine::{ModelRun, run_model};

/// A scenario in a temporary folder: `scenario.toml` plus any other files.
pub struct TempScenario {
    pub dir: tempfile::TempDir,
}

impl TempScenario {
    /// Writes `files` (name, content) into a new temporary folder.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("write file");
        }
        TempScenario { dir }
    }

    /// Path of a file in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Path of `scenario.toml`.
    pub fn scenario(&self) -> PathBuf {
        self.path("scenario.toml")
    }

    /// Loads `scenario.toml` through the library, panicking with the error if invalid.
    pub fn load(&self) -> Scenario {
        Scenario::load(&self.scenario()).unwrap_or_else(|e| panic!("scenario should be valid: {e}"))
    }
}

/// Runs the `permeate` binary with `args`.
pub fn permeate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_permeate")).args(args).output().expect("run permeate")
}

/// Runs `permeate run SCENARIO -o OUT -q` plus extra args; asserts success.
pub fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", scenario.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    let o = permeate(&args);
    assert!(o.status.success(), "permeate failed: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// Runs variant `index` of `scenario` through the library on the current thread pool.
pub fn run_library(scenario: &Scenario, index: usize) -> ModelRun {
    run_library_with(scenario, index, scenario.seed(), scenario.replications())
}

/// Runs variant `index` of `scenario` with `seed` and `replications` (instead of the
/// scenario's) through the library on the current thread pool.
pub fn run_library_with(scenario: &Scenario, index: usize, seed: u64, replications: u64) -> ModelRun {
    let model = scenario.variants()[index].compile(scenario.horizon_hours()).expect("compile");
    let grid = CurveGrid::new(scenario.curve_points(), scenario.curve_hours());
    run_model(&model, seed, 0..replications, &grid, &|| {})
}

/// A star: `centre` (role community) linked to `leaves` developers over channel `feed`.
pub fn star_csv(leaves: usize) -> (String, String) {
    let mut people = String::from("id,unit,role\ncentre,external,community\n");
    let mut links = String::from("source,target,channel\n");
    for i in 0..leaves {
        people += &format!("leaf{i},development,developer\n");
        links += &format!("centre,leaf{i},feed\n");
    }
    (people, links)
}

/// Path of a bundled scenario file (`scenarios/NAME`).
pub fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// Runs `scenario` with `extra` args into a fresh temporary folder and returns the folder (keep
/// it alive) and the output folder inside it.
pub fn run_into_temp(scenario: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    run_ok(scenario, &out, extra);
    (dir, out)
}

/// Reads a result file as text, with the path in the panic message.
pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
