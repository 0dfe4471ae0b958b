//! Runs a whole scenario: compiles every variant, runs its replications, and summarises them
//! (including the paired comparison with the baseline). The report writers take it from here.

use crate::engine::{CurveGrid, run_variant};
use crate::error::Error;
use crate::model::Model;
use crate::scenario::Scenario;
use crate::stats::{CurvePoint, Paired, TSummary, paired, summarize};

/// The outcome of one variant.
#[derive(Debug, Clone)]
pub struct VariantResult {
    /// The variant's name (`baseline` first).
    pub name: String,
    /// The variant's description, if any.
    pub description: Option<String>,
    /// T_threshold per replication in hours; `None` = not reached by the horizon.
    pub t_threshold: Vec<Option<f64>>,
    /// Summary statistics of `t_threshold`.
    pub summary: TSummary,
    /// Paired comparison with the baseline (`None` for the baseline itself).
    pub vs_baseline: Option<Paired>,
    /// The adoption curve.
    pub curve: Vec<CurvePoint>,
    /// Size of the target group.
    pub target_size: u32,
    /// How the target was selected ("role developer").
    pub target_label: String,
    /// Share of the target that must have processed the item.
    pub threshold: f64,
}

/// The outcome of a whole scenario run.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The variants, baseline first.
    pub variants: Vec<VariantResult>,
}

/// Runs every variant of `scenario` with `scenario.replications` replications on the current
/// rayon pool. `progress` is called once per finished replication (of any variant).
pub fn simulate(scenario: &Scenario, progress: &(dyn Fn() + Sync)) -> Result<RunResults, Error> {
    let grid = CurveGrid::new(scenario.curve_points, scenario.curve_hours);
    let mut variants: Vec<VariantResult> = Vec::with_capacity(scenario.variants.len());
    for v in &scenario.variants {
        let model = Model::compile(v, scenario.horizon_hours, &scenario.file)?;
        let run = run_variant(&model, scenario.seed, scenario.replications, &grid, progress);
        let vs_baseline = variants.first().map(|b| paired(&b.t_threshold, &run.t_threshold));
        variants.push(VariantResult {
            name: v.name.clone(),
            description: v.description.clone(),
            summary: summarize(&run.t_threshold),
            vs_baseline,
            curve: run.curve.points(),
            t_threshold: run.t_threshold,
            target_size: model.target_size,
            target_label: v.target_label.clone(),
            threshold: v.threshold,
        });
    }
    Ok(RunResults { variants })
}
