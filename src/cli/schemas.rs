//! JSON Schemas (draft 7) of the scenario file and of every JSON document permeate writes,
//! made from the very types that are serialised (so a field cannot be added without the schema
//! following). Committed as `docs/scenario.schema.json` and `docs/schemas/NAME.schema.json`;
//! `permeate schema --of NAME` prints one.

use schemars::JsonSchema;

/// A document permeate reads or writes that has a published JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Document {
    /// The scenario file (TOML), for editors' TOML plugins.
    Scenario,
    /// A results folder's `summary.json` (also `run --json`).
    Summary,
    /// `permeate check --json`.
    Check,
    /// `sensitivity.json` of a sensitivity study.
    Sensitivity,
    /// `calibration.json` of `permeate calibrate`.
    Calibration,
    /// `optimise.json` of `permeate optimise`.
    Optimise,
    /// `discover.json` of `permeate discover`.
    Discover,
}

impl Document {
    /// The schema as pretty JSON with a final newline.
    pub(crate) fn schema(self) -> String {
        match self {
            Document::Scenario => crate::scenario::json_schema(),
            Document::Summary => of::<crate::analysis::results::Results>(
                "permeate summary.json",
                "The results of a study (summary.json, and `permeate run --json`); see docs/toolbox.md.",
            ),
            Document::Check => of::<super::commands::CheckJson>(
                "permeate check --json",
                "A validated scenario as plain data (`permeate check --json`); see docs/toolbox.md.",
            ),
            Document::Sensitivity => of::<crate::analysis::sensitivity::Sensitivity>(
                "permeate sensitivity.json",
                "Sobol' or Morris indices of a sensitivity study; see docs/model.md.",
            ),
            Document::Calibration => of::<crate::study::calibrate::Calibration>(
                "permeate calibration.json",
                "A calibration against observations: particles, posterior and checks; see docs/measuring.md.",
            ),
            Document::Optimise => of::<crate::study::optimise::Optimum>(
                "permeate optimise.json",
                "The cheapest design that meets the goal, with its search; see docs/toolbox.md.",
            ),
            Document::Discover => of::<crate::study::discover::DiscoverDoc<'static>>(
                "permeate discover.json",
                "PRIM boxes over a study's worlds; see docs/toolbox.md.",
            ),
        }
    }
}

/// The draft-7 schema of `T` with a title and a description.
fn of<T: JsonSchema>(title: &str, description: &str) -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    schema.insert("description".into(), description.into());
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}
