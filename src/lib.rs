//! permeate: how long until an item of customer-community feedback has been perceived and
//! processed by 80% of the developers, and how structural changes shift that time.
//!
//! Data flows one way, and the folders show it (see `docs/architecture.md`):
//!
//! scenario file → [`scenario::Scenario`] (validated, immutable, with its [`design::Design`] of
//! points and its uncertain factors, [`design::worlds`]) → [`study::Plan`] (seed, replications,
//! worlds, shard: resolved once) → [`study::Compiler`] → [`model::Model`] (structure compiled
//! once, parameters patched per point and world) → [`engine`] (replications in parallel, over
//! the reproducible draws of [`random`]) → [`engine::outcome`] (raw, mergeable; shards and their
//! merge in `study::shard`) → [`analysis`] ([`analysis::results::Results`], the one results
//! type, with [`analysis::facts::Facts`]) → [`report`] (result files). [`cli`] parses arguments,
//! builds one command context and calls the library; `import` turns client data into an
//! organisation ([`org`]).

// Input errors carry the file, line, key and variant; they only occur on the cold path before a
// run, so their size does not matter.
#![allow(clippy::result_large_err)]
#![warn(missing_docs, unreachable_pub)]

pub mod analysis;
pub mod cli;
pub mod design;
pub mod engine;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod import;
pub mod model;
pub mod org;
pub mod outdir;
pub mod random;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod study;

pub use error::{Error, InputError, InputErrorKind, Result};
pub use scenario::Scenario;
