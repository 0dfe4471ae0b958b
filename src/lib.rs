//! permeate: how long until an item of customer-community feedback has been perceived and
//! processed by 80% of the developers, and how structural changes shift that time.
//!
//! Data flows one way: scenario file → [`scenario::Scenario`] (validated, with its
//! [`design::Design`] of points and its [`facts::Facts`]) → [`model::Model`] (structure compiled
//! once, parameters patched per point) → [`engine`] (replications in parallel), driven by
//! [`study`] (all points, or one shard) → [`outcome`] (raw, mergeable) → [`shard`] (partial
//! folders and their merge) → [`results::Results`] (the summary, with [`stats`]) → [`report`]
//! (result files).

// Input errors carry the file, line, key and variant; they only occur on the cold path before a
// run, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod cli;
pub mod design;
pub mod engine;
pub mod error;
pub mod import;
pub mod model;
pub mod org;
pub mod outdir;
pub mod random;
pub mod report;
pub mod scenario;
pub mod study;

pub use error::{Error, InputError, InputErrorKind, Result};
pub use scenario::Scenario;
