//! permeate: how long until an item of customer-community feedback has been perceived and
//! processed by 80% of the developers, and how structural changes shift that time.
//!
//! Data flows one way: scenario file → [`scenario::Scenario`] (validated) → [`model::Model`]
//! (compiled, compact arrays) → [`engine`] (replications in parallel) → [`stats`] (mergeable
//! statistics) → [`report`] (result files).

// Input errors carry the file, line, key and variant; they only occur on the cold path before a
// run, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod budget;
pub mod dist;
pub mod engine;
pub mod error;
pub mod model;
pub mod org;
pub mod outdir;
pub mod queue;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod simulate;
pub mod stats;

pub use error::{Error, InputError, InputErrorKind, Result};
pub use scenario::Scenario;
