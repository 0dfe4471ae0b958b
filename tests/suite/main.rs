//! The integration tests, as modules of one test binary (one link step, one process).

mod bad_input;
mod bottlenecks;
mod calibrate;
mod clientdata;
mod common;
mod context;
mod costs;
mod hostile;
mod import;
mod memory_bound;
mod oracles;
mod output;
mod pipeline;
mod properties;
mod regressions;
mod replay;
mod report;
mod reproducibility;
mod second_trial;
mod serve;
mod timing;
mod toolbox;
mod traces;
mod uncertain;
mod variants;
mod written_files;
