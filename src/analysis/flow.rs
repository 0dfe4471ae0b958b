//! The unit → unit flow of the critical paths: for the baseline and the recommended point, how
//! often the critical path passes from a person of one unit to a person of another (or the same)
//! unit, as a share of all the point's replications (`unit-flow.csv`, the report's matrix).

use serde::Serialize;

use crate::analysis::results::Results;

/// One cell of a point's unit → unit flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowCell {
    /// The sender's unit.
    pub from_unit: String,
    /// The receiver's unit.
    pub to_unit: String,
    /// Replications whose critical path uses at least one link from `from_unit` to `to_unit`.
    pub critical_paths: u64,
    /// `critical_paths` as a share (0–1) of all the point's replications (those that never
    /// reached the threshold have no critical path and count in the denominator).
    pub share: f64,
}

/// One design point's unit → unit flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointFlow {
    /// The point's name (`baseline`, a variant's name, …).
    pub variant: String,
    /// Replications of the point (all worlds), the denominator of the shares.
    pub replications: u64,
    /// The pairs that occur on some critical path, by sender's unit then receiver's unit.
    pub cells: Vec<FlowCell>,
}

/// The unit → unit flows the report shows: the baseline first, then the recommended point when
/// it is another one.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct UnitFlow {
    /// The points, baseline first.
    pub points: Vec<PointFlow>,
    /// Every unit that appears in some flow, sorted (the matrix's rows and columns).
    pub units: Vec<String>,
}

/// The flow of one point (index into [`Results::variants`]).
fn point_flow(results: &Results, point: usize) -> PointFlow {
    let v = &results.variants[point];
    let replications = (v.replications.len() as u64).max(1);
    let mut cells: Vec<FlowCell> = v
        .bottlenecks
        .unit_flows
        .iter()
        .filter(|f| f.critical_paths > 0)
        .map(|f| FlowCell {
            from_unit: f.from_unit.clone(),
            to_unit: f.to_unit.clone(),
            critical_paths: f.critical_paths,
            share: f.critical_paths as f64 / replications as f64,
        })
        .collect();
    cells.sort_by(|a, b| (&a.from_unit, &a.to_unit).cmp(&(&b.from_unit, &b.to_unit)));
    PointFlow { variant: v.name.clone(), replications, cells }
}

/// The unit → unit flows of the baseline and of `recommended` (the decision's point).
pub fn unit_flow(results: &Results, recommended: usize) -> UnitFlow {
    let mut points = vec![point_flow(results, 0)];
    if recommended != 0 && recommended < results.variants.len() {
        points.push(point_flow(results, recommended));
    }
    let mut units: Vec<String> =
        points.iter().flat_map(|p| p.cells.iter().flat_map(|c| [c.from_unit.clone(), c.to_unit.clone()])).collect();
    units.sort();
    units.dedup();
    UnitFlow { points, units }
}

impl PointFlow {
    /// The cell from `from` to `to`, if that flow occurs.
    pub fn cell(&self, from: &str, to: &str) -> Option<&FlowCell> {
        self.cells.iter().find(|c| c.from_unit == from && c.to_unit == to)
    }
}
