//! The workshop's HTTP server (axum on tokio): the page, `GET /api/scenario`, `POST /api/run`
//! and `POST /api/save`, with the limits of `docs/serve.md`. Computations run on blocking
//! threads, on the command's rayon pool, never on the async runtime.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use super::live::{LiveError, RunRequest, SaveRequest, ScenarioInfo, Workshop};
use crate::error::Error;

/// The most bytes a request body may have.
pub const MAX_BODY: usize = 64 * 1024;
/// Computations that run at once.
pub const RUNNING: usize = 2;
/// Requests that may wait for a computation beyond those running; more are refused with 503.
pub const QUEUED: usize = 6;
/// The longest `client` id.
pub const MAX_CLIENT_ID: usize = 100;
/// The page, served by the binary (no CDN).
const PAGE: &str = include_str!("page.html");

/// How the server listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to bind (127.0.0.1 by default).
    pub host: IpAddr,
    /// The port (0: any free port).
    pub port: u16,
    /// The bearer token every `/api` request must carry, if any (required off loopback).
    pub token: Option<String>,
    /// Open the page in the default browser once listening.
    pub open: bool,
    /// Say nothing on stdout but the address line.
    pub quiet: bool,
}

/// What the handlers share.
struct App {
    workshop: Workshop,
    info: ScenarioInfo,
    token: Option<String>,
    pool: Arc<rayon::ThreadPool>,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    clients: Mutex<HashMap<String, Arc<AtomicBool>>>,
    shutting_down: Arc<AtomicBool>,
}

/// A JSON error response: `{"error": "..."}`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// 503 with `Retry-After`.
fn busy() -> Response {
    let mut r = error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("busy: {RUNNING} computations run and {QUEUED} wait; try again in a second"),
    );
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// Refuses an `/api` request without `Authorization: Bearer TOKEN` when the server has a token
/// (compared in constant time).
async fn authorise(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if let Some(token) = &app.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            let mut r = error(StatusCode::UNAUTHORIZED, "this server needs `Authorization: Bearer TOKEN` (--token)");
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    next.run(request).await
}

/// Counts a request among those waiting or running; refused beyond [`RUNNING`] + [`QUEUED`].
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicUsize) -> Option<Slot<'a>> {
        let before = counter.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(counter);
        (before < RUNNING + QUEUED).then_some(slot)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sets the request's cancellation flag if the handler is dropped (the client went away) and
/// forgets the client's entry when it is still this request's.
struct Cancel {
    flag: Arc<AtomicBool>,
    app: Arc<App>,
    client: Option<String>,
}

impl Drop for Cancel {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::SeqCst);
        if let Some(c) = &self.client {
            let mut clients = self.app.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if clients.get(c).is_some_and(|f| Arc::ptr_eq(f, &self.flag)) {
                clients.remove(c);
            }
        }
    }
}

fn live_error(e: LiveError) -> Response {
    match e {
        LiveError::Input(m) => error(StatusCode::BAD_REQUEST, m),
        LiveError::Internal(m) => error(StatusCode::INTERNAL_SERVER_ERROR, m),
    }
}

/// Parses a JSON body; a parse error is a 400 naming what is wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, format!("the request body: {e}")))
}

async fn page() -> Response {
    let mut r = Html(PAGE).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn scenario(State(app): State<Arc<App>>) -> Response {
    Json(&app.info).into_response()
}

async fn run(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: RunRequest = match parse(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if request.client.as_ref().is_some_and(|c| c.len() > MAX_CLIENT_ID) {
        return error(StatusCode::BAD_REQUEST, format!("`client` may have at most {MAX_CLIENT_ID} bytes"));
    }
    let Some(_slot) = Slot::take(&app.waiting) else { return busy() };
    let flag = Arc::new(AtomicBool::new(false));
    if let Some(c) = &request.client {
        let mut clients = app.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(stale) = clients.insert(c.clone(), flag.clone()) {
            stale.store(true, Ordering::SeqCst);
        }
    }
    let _cancel = Cancel { flag: flag.clone(), app: app.clone(), client: request.client.clone() };
    let Ok(_permit) = app.permits.clone().acquire_owned().await else { return busy() };
    let work = app.clone();
    let stop_flag = flag.clone();
    let done = tokio::task::spawn_blocking(move || {
        let stop = || stop_flag.load(Ordering::SeqCst) || work.shutting_down.load(Ordering::SeqCst);
        if stop() {
            return Ok(None);
        }
        work.pool.install(|| work.workshop.run(&request, &stop))
    })
    .await;
    match done {
        Ok(Ok(Some(answer))) => Json(answer).into_response(),
        Ok(Ok(None)) => error(StatusCode::CONFLICT, "cancelled: a newer request from the same client, or shutdown"),
        Ok(Err(e)) => live_error(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("the computation failed: {e}")),
    }
}

async fn save(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: SaveRequest = match parse(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(_slot) = Slot::take(&app.waiting) else { return busy() };
    let Ok(_permit) = app.permits.clone().acquire_owned().await else { return busy() };
    let work = app.clone();
    match tokio::task::spawn_blocking(move || work.workshop.save(&request)).await {
        Ok(Ok(paths)) => {
            let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            Json(serde_json::json!({ "file": files[0], "files": files })).into_response()
        }
        Ok(Err(e)) => live_error(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("saving failed: {e}")),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page: the API is GET /api/scenario, POST /api/run, POST /api/save")
}

/// The router: the page, the API behind the token check, the body limit.
fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/scenario", get(scenario))
        .route("/api/run", post(run))
        .route("/api/save", post(save))
        .route_layer(middleware::from_fn_with_state(app.clone(), authorise));
    Router::new()
        .route("/", get(page))
        .merge(api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// SIGINT and SIGTERM, listened to from creation on (so a signal that comes right after the
/// address is printed is not lost to the default action).
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals, Error> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind: SignalKind| {
                signal(kind).map_err(|e| Error::Internal(format!("cannot listen for SIGINT/SIGTERM: {e}")))
            };
            Ok(Signals { int: listen(SignalKind::interrupt())?, term: listen(SignalKind::terminate())? })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Waits for SIGINT or SIGTERM and returns its number.
    async fn next(mut self) -> i32 {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => 2,
                _ = self.term.recv() => 15,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            2
        }
    }
}

/// Whether `host` is a loopback address (127.0.0.0/8, ::1).
pub fn is_loopback(host: IpAddr) -> bool {
    host.is_loopback()
}

/// Serves `workshop` until SIGINT or SIGTERM, computing on `pool`; returns the signal's number
/// after a graceful shutdown (running computations are stopped at their next slice). Refuses a
/// non-loopback host without a token (exit 2).
pub fn serve(workshop: Workshop, options: ServeOptions, pool: Arc<rayon::ThreadPool>) -> Result<i32, Error> {
    if !is_loopback(options.host) && options.token.as_deref().is_none_or(str::is_empty) {
        return Err(Error::Argument(format!(
            "--host {} is reachable from other machines: give --token T (every /api request then needs \
             `Authorization: Bearer T`), or bind 127.0.0.1",
            options.host
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server's runtime: {e}")))?;
    let info = workshop.info();
    let shutting_down = Arc::new(AtomicBool::new(false));
    let app = Arc::new(App {
        workshop,
        info,
        token: options.token.clone(),
        pool,
        permits: Arc::new(Semaphore::new(RUNNING)),
        waiting: AtomicUsize::new(0),
        clients: Mutex::new(HashMap::new()),
        shutting_down: shutting_down.clone(),
    });
    runtime.block_on(async move {
        let signals = Signals::new()?;
        let addr = SocketAddr::new(options.host, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Argument(format!("cannot listen on {addr}: {e}; choose another --port or --host")))?;
        let bound = listener.local_addr().map_err(|e| Error::Internal(format!("the bound address: {e}")))?;
        let host = match bound.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let url = format!("http://{host}:{}/", bound.port());
        let page_url = match &options.token {
            Some(t) => format!("{url}#token={t}"),
            None => url.clone(),
        };
        println!("permeate serve: listening on {url}");
        if !options.quiet {
            println!("  open {page_url} in a browser; Ctrl-C stops the server");
            if options.token.is_some() {
                println!(
                    "  every /api request needs `Authorization: Bearer TOKEN` (the page reads it from the address)"
                );
            }
            if !is_loopback(options.host) {
                println!("  {} is reachable from other machines on the network", options.host);
            }
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if options.open {
            open_browser(&page_url);
        }
        let got = Arc::new(std::sync::atomic::AtomicI32::new(0));
        let got_in = got.clone();
        let stop = async move {
            let s = signals.next().await;
            got_in.store(s, Ordering::SeqCst);
            shutting_down.store(true, Ordering::SeqCst);
        };
        axum::serve(listener, router(app))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::Internal(format!("the server failed: {e}")))?;
        Ok(got.load(Ordering::SeqCst))
    })
}

/// Opens `url` in the default browser (`xdg-open`, `open`, `start`); a failure is a note.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(command)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("note: could not open a browser ({command}); open {url} yourself");
    }
}
