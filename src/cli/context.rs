//! The one command context: what every subcommand gets before it does anything, so that no
//! subcommand can forget a safety.
//!
//! | safety | where |
//! |---|---|
//! | `-j` checked (≥ 1) and capped at [`budget::MAX_THREADS_PER_CORE`] per core, one rayon pool | [`Context::new`] |
//! | the memory limit: `--max-memory`, else 75% of the smallest of the machine's memory, the cgroup's `memory.max` and half of `ulimit -v` | [`Context::new`], [`Context::check_memory`] |
//! | SIGINT/SIGTERM: the write in progress undone, exit 130/143 | [`install_signal_handlers`] |
//! | SIGINT/SIGTERM in `serve`: graceful shutdown (running computations stop at their next slice), exit 130/143 | [`Context::serving`], [`crate::serve::http::serve`] |
//! | SIGXFSZ (`ulimit -f`) ignored: the write fails with EFBIG, exit 1, cleaned up | [`install_signal_handlers`] |
//! | output folders checked before work and written whole (stale temporaries of killed writers removed) | [`Context::output`], [`crate::outdir`] |
//! | progress on stderr only on a terminal and without `-q`; nothing on stdout with `-q` | [`Context::progress`], [`Context::say`] |

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Once;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::CommonArgs;
use crate::engine::budget;
use crate::error::Error;
use crate::outdir::{self, Policy};
use crate::study::Plan;

/// What a subcommand runs with: its worker threads, its memory limit, its output policy.
pub(crate) struct Context {
    threads: usize,
    pool: std::sync::Arc<rayon::ThreadPool>,
    max_memory: u64,
    quiet: bool,
}

impl Context {
    /// Checks the common arguments, caps the threads, sets the memory limit for this process and
    /// installs the signal handlers. Errors: `-j 0` (exit 2); worker threads that cannot start
    /// (exit 1).
    pub(crate) fn new(common: &CommonArgs) -> Result<Context, Error> {
        let ctx = Context::serving(common)?;
        install_signal_handlers();
        Ok(ctx)
    }

    /// Like [`Context::new`] without the exiting signal handlers: for `serve`, whose server
    /// handles SIGINT and SIGTERM itself with a graceful shutdown.
    pub(crate) fn serving(common: &CommonArgs) -> Result<Context, Error> {
        if common.threads == Some(0) {
            return Err(Error::Argument("--threads must be at least 1".into()));
        }
        let (threads, note) = budget::worker_threads(common.threads);
        if let Some(note) = note {
            eprintln!("{note}");
        }
        let max_memory = common.max_memory.unwrap_or_else(budget::default_max_memory);
        budget::set_max_memory(max_memory);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Internal(format!("cannot start {threads} worker threads: {e}")))?;
        Ok(Context { threads, pool: std::sync::Arc::new(pool), max_memory, quiet: common.quiet })
    }

    /// The worker threads, shared (for the server's blocking computations).
    pub(crate) fn shared_pool(&self) -> std::sync::Arc<rayon::ThreadPool> {
        self.pool.clone()
    }

    /// Runs `work` on the context's worker threads.
    pub(crate) fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        self.pool.install(work)
    }

    /// Refuses a plan whose estimated memory exceeds the limit (exit 2, naming what drives it).
    pub(crate) fn check_memory(&self, plan: &Plan<'_>) -> Result<(), Error> {
        crate::study::memory::check_run(plan, self.threads, self.max_memory).map(|_| ())
    }

    /// Refuses work over input files whose sizes (bytes, summed) times `bytes_per_input_byte`
    /// exceed the limit: the readers hold their input and what they build from it in memory.
    pub(crate) fn check_input_memory(&self, inputs: &[&Path], bytes_per_input_byte: u64) -> Result<(), Error> {
        let size: u128 = inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| u128::from(m.len())).sum();
        let need = size * u128::from(bytes_per_input_byte);
        if need <= u128::from(self.max_memory) {
            return Ok(());
        }
        Err(Error::TooMuchMemory(format!(
            "reading {} of input needs an estimated {} of memory, more than the limit of {} (--max-memory); \
             raise --max-memory if the machine has the memory",
            budget::human_bytes(size),
            budget::human_bytes(need),
            budget::human_bytes(u128::from(self.max_memory))
        )))
    }

    /// Checks an output folder of `policy` before any work, so that a run fails at once (exit 2)
    /// instead of after the simulation.
    pub(crate) fn output(&self, out: &Path, policy: Policy) -> Result<(), Error> {
        outdir::check_output_folder_for(out, policy)
    }

    /// A progress bar over `len` steps of `unit` on stderr when it is a terminal and `-q` was not
    /// given; hidden otherwise.
    pub(crate) fn progress(&self, len: u64, unit: &str) -> ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let template = format!("{{spinner}} {{elapsed_precise}} {{bar:30}} {{pos}}/{{len}} {unit}, eta {{eta}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    /// The worker threads of this command (after the cap).
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// Whether progress lines (not bars) may go to stderr: a terminal and no `-q`.
    pub(crate) fn shows_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// Prints `text` on stdout unless `-q` was given.
    pub(crate) fn say(&self, text: &str) {
        if !self.quiet {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
        }
    }
}

/// On SIGINT or SIGTERM: undo a results write in progress (no temporary folders left, the old
/// results back in place), then exit with 128 + the signal's number, as the shell expects. On
/// SIGXFSZ (a file over `ulimit -f`): nothing, so the write fails with EFBIG and the ordinary
/// error path (exit 1, the temporary folder removed) follows instead of a kill mid-write.
/// (signal-hook: handlers run on an ordinary thread, so the cleanup may take locks and do I/O.)
/// Installed once per process.
pub(crate) fn install_signal_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM, SIGXFSZ};
            // A registered flag replaces SIGXFSZ's default action (terminate); nothing reads it.
            let _ =
                signal_hook::flag::register(SIGXFSZ, std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)));
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        outdir::abandon_pending_write();
                        std::process::exit(128 + signal);
                    }
                });
            }
        }
    });
}
