//! Workshop mode (`permeate serve`): a local web page with the scenario's levers, answering each
//! setting with its paired comparison to the baseline. `live` is the library part (levers, one
//! point run against the baseline, the saved trail); the HTTP server is `http`.

pub mod http;
pub mod live;

pub use live::{Answer, LiveError, RunRequest, SaveRequest, Workshop};
