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

pub mod budget;
pub mod calendar;
pub mod calibrate;
pub mod costs;
pub mod design;
pub mod dist;
pub mod engine;
pub mod error;
pub mod facts;
pub mod goal;
pub mod import;
pub mod model;
pub mod optimise;
pub mod org;
pub mod outcome;
pub mod outdir;
pub mod patch;
pub mod queue;
pub mod report;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod stats;
pub mod study;
pub mod uncertain;

pub use error::{Error, InputError, InputErrorKind, Result};
pub use scenario::Scenario;
