//! Analysis: from the merged outcomes of a study to the one [`results::Results`] type that every
//! writer reads — the summary statistics ([`stats`]), goals ([`goal`]), costs and the cheapest
//! route ([`costs`]), sensitivity indices ([`sensitivity`]) — and the study's plain-data
//! [`facts::Facts`], the boundary that lets merge and the report work without the scenario.

pub mod costs;
pub mod decision;
pub mod facts;
pub mod goal;
pub mod results;
pub mod sensitivity;
pub mod stats;
