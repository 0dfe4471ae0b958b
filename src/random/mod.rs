//! The reproducible-randomness contract: every draw is a pure function of (seed, replication,
//! identity, purpose) ([`rng`]), and durations are drawn from it by inverse CDF where one exists
//! (`dist`). Nothing here depends on any other stage.

pub(crate) mod dist;
pub mod rng;
