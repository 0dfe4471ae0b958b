//! Analysis: from the merged outcomes of a study to the one [`results::Results`] type that every
//! writer reads — the summary statistics ([`stats`]), goals (`goal`), costs and the cheapest
//! route (`costs`), sensitivity indices ([`sensitivity`]) — and the study's plain-data
//! [`facts::Facts`], the boundary that lets merge and the report work without the scenario.

pub(crate) mod costs;
pub mod decision;
pub mod discovery;
pub mod facts;
pub mod flow;
pub(crate) mod goal;
pub mod results;
pub mod sensitivity;
pub mod stats;
pub mod tidy;

/// The analyses of a study's results that the report renders beside them, computed before any
/// file is written (the report computes nothing itself). [`analyse`] makes them.
#[derive(Debug, Clone)]
pub struct Analyses {
    /// Sensitivity indices, for a study whose worlds are a sensitivity design (`None` otherwise).
    pub sensitivity: Option<sensitivity::Sensitivity>,
    /// The tidy tables (`summary.csv`, `worlds.csv`).
    pub tidy: tidy::Tidy,
    /// The decision: the design points ranked, and the one to recommend.
    pub decision: decision::Decision,
    /// The unit → unit flow of the critical paths, baseline and recommended point
    /// (`unit-flow.csv`, the report's matrix).
    pub unit_flow: flow::UnitFlow,
}

/// Every analysis that applies to `results` of the study described by `facts`.
pub fn analyse(results: &results::Results, facts: &facts::Facts) -> Analyses {
    let sensitivity = sensitivity::analyse(results, facts);
    let mut decision = decision::decide(results, sensitivity.as_ref());
    decision.hinges = decision::hinges(results, facts, decision.recommended);
    let unit_flow = flow::unit_flow(results, decision.recommended);
    Analyses { sensitivity, decision, tidy: tidy::tidy(results, facts), unit_flow }
}
