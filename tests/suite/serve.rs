//! `permeate serve` against the running binary with a real HTTP client (ureq): the API's numbers
//! are `permeate run`'s, bad input is a 400 with `check`'s message, limits hold, a room of
//! clients is answered or refused with 503 and the server keeps serving, a newer request of the
//! same client cancels the stale one, the token is required, SIGTERM shuts down cleanly, and the
//! page shows the answer in a real browser, where a slider and a toggle moved over the DevTools
//! protocol (tungstenite: a plain websocket client) answer and the trail is saved.
//!
//! Broken versions seen to fail (made temporarily, restored): the live point run on seed + 1
//! (`api_numbers_are_those_of_permeate_run`); the token check removed from the `/api` routes
//! (`the_token_is_required_when_given`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{bundled, permeate, read_text, run_ok};

/// A running server, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts `permeate serve SCENARIO --port 0 EXTRA` and reads the address it prints.
    fn start(scenario: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_permeate"))
            .args(["serve", scenario.to_str().unwrap(), "--port", "0", "-j", "2"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start permeate serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("the server prints its address");
        let url = line.split_once("listening on ").expect("address line").1.trim().to_string();
        Server { child, url }
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder().http_status_as_error(false).build().into()
    }

    /// GET `path` with an optional bearer token: (status, body).
    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut r = Self::agent().get(format!("{}{path}", self.url));
        if let Some(t) = token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = r.call().expect("GET");
        (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap_or_default())
    }

    /// POST `body` to `path`: (status, Retry-After, body).
    fn post(&self, path: &str, body: &str) -> (u16, Option<String>, String) {
        let mut resp = Self::agent()
            .post(format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .send(body)
            .expect("POST");
        let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (resp.status().as_u16(), retry, resp.body_mut().read_to_string().unwrap_or_default())
    }

    /// POST `/api/run` and parse a 200 answer.
    fn answer(&self, request: &Value) -> Value {
        let (status, _, body) = self.post("api/run", &request.to_string());
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// ACME with 300 replications (the tests' budget) in a temporary folder.
fn acme() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = read_text(&bundled("acme.toml")).replace("replications = 2000", "replications = 300");
    let file = dir.path().join("acme.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

/// `summary.json` of `permeate run` on `file` (into a folder beside it).
fn run_summary(file: &Path) -> Value {
    let out = file.with_extension("out");
    run_ok(file, &out, &[]);
    serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap()
}

/// The design point `name` of a summary.
fn variant<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["variants"].as_array().unwrap().iter().find(|v| v["name"] == name).unwrap()
}

/// Compact JSON with sorted keys: equal strings are the same numbers, bit for bit.
fn bytes(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn api_numbers_are_those_of_permeate_run() {
    let (_dir, file) = acme();
    let server = Server::start(&file, &[]);
    let (status, body) = server.get("api/scenario", None);
    assert_eq!(status, 200);
    let info: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(info["replications"], 300);
    assert!(info["levers"].as_array().unwrap().iter().any(|l| l["path"] == "involvement.fraction"));
    assert_eq!(info["presets"].as_array().unwrap().len(), 4);

    let set = serde_json::json!({ "involvement.fraction": 0.2, "community_manager.mandate": true });
    let answer = server.answer(&serde_json::json!({ "set": set, "name": "room" }));
    assert_eq!((answer["replications"].as_u64(), answer["seed"].as_u64()), (Some(300), Some(42)));
    let reference = file.with_file_name("reference.toml");
    let extra = "\n[[variants]]\nname = \"room\"\nset = { \"involvement.fraction\" = 0.2, \"community_manager.mandate\" = true }\n";
    std::fs::write(&reference, read_text(&file) + extra).unwrap();
    let summary = run_summary(&reference);
    assert_eq!(bytes(&answer["point"]), bytes(variant(&summary, "room")));
    assert_eq!(bytes(&answer["baseline"]), bytes(variant(&summary, "baseline")));
    assert!(answer["point"]["vs_baseline"]["ci95_mean_delta"].is_array());

    // A first, smaller answer: the first 100 replications of the same streams.
    let first = server.answer(&serde_json::json!({ "set": set, "name": "room", "replications": 100 }));
    assert_eq!(first["replications"], 100);
    let summary = run_summary_with(&reference, &["-n", "100"]);
    assert_eq!(bytes(&first["point"]), bytes(variant(&summary, "room")));
}

/// `scenarios/acme-uncertain.toml` with 8 worlds of 20 replications (the tests' budget) in a
/// temporary folder.
fn acme_uncertain() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = read_text(&bundled("acme-uncertain.toml"))
        .replace("\nworlds = 200\n", "\nworlds = 8\n")
        .replace("\nreplications = 100 ", "\nreplications = 20 ");
    let file = dir.path().join("acme-uncertain.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

/// With `[uncertain]`: the first answer (2 of 8 worlds) is `permeate run --variant room --worlds
/// 2`'s, the full one `permeate run --variant room`'s (only the baseline and the point, as the
/// server runs them: the share of worlds in which a point is best depends on the points run);
/// a pin of `channels.email.notice` to 0.5 is `permeate run` on the file with that factor
/// removed from `[uncertain]` and `notice = 0.5` in `[channels.email]` (edited by hand here).
/// Broken version seen to fail: the pin ignored by the server (`pinned_text` returning the
/// unpinned text).
#[test]
fn uncertain_answers_and_pins_are_those_of_permeate_run() {
    let (_dir, file) = acme_uncertain();
    let server = Server::start(&file, &[]);
    let info: Value = serde_json::from_str(&server.get("api/scenario", None).1).unwrap();
    assert_eq!(info["worlds"], 8);
    let set = serde_json::json!({ "involvement.fraction": 0.2 });
    let extra = "\n[[variants]]\nname = \"room\"\nset = { \"involvement.fraction\" = 0.2 }\n";
    let reference = file.with_file_name("reference.toml");
    std::fs::write(&reference, read_text(&file) + extra).unwrap();
    let first = server.answer(&serde_json::json!({ "set": set, "name": "room", "worlds": 2 }));
    assert_eq!((first["worlds"].as_u64(), first["full_worlds"].as_u64()), (Some(2), Some(8)));
    let summary = run_summary_with(&reference, &["--variant", "room", "--worlds", "2"]);
    assert_eq!(bytes(&first["point"]), bytes(variant(&summary, "room")));
    assert_eq!(bytes(&first["baseline"]), bytes(variant(&summary, "baseline")));
    let full = server.answer(&serde_json::json!({ "set": set, "name": "room" }));
    assert_eq!(full["worlds"], 8);
    let summary = run_summary_with(&reference, &["--variant", "room"]);
    assert_eq!(bytes(&full["point"]), bytes(variant(&summary, "room")));
    assert!(full["point"]["worlds"]["median"]["p50"].is_number() && full["point"]["p_best"].is_number());

    let pinned =
        server.answer(&serde_json::json!({ "set": set, "name": "room", "pin": { "channels.email.notice": 0.5 } }));
    assert_eq!(pinned["pin"]["channels.email.notice"], 0.5);
    let text = read_text(&reference)
        .replace("\"channels.email.notice\" = { dist = \"uniform\", min = 0.3, max = 0.9 }\n", "")
        .replace("transmit = 0.9\nnotice = 0.6\n", "transmit = 0.9\nnotice = 0.5\n");
    assert!(!text.contains("\"channels.email.notice\" =") && text.contains("notice = 0.5\n"));
    let edited = file.with_file_name("pinned.toml");
    std::fs::write(&edited, text).unwrap();
    let summary = run_summary_with(&edited, &["--variant", "room"]);
    assert_eq!(bytes(&pinned["point"]), bytes(variant(&summary, "room")));
    assert_eq!(bytes(&pinned["baseline"]), bytes(variant(&summary, "baseline")));
    assert_ne!(bytes(&pinned["baseline"]), bytes(&full["baseline"]), "the pin changes the answer");

    for (body, says) in [
        (r#"{"pin": {"channels.email.nope": 0.5}}"#, "no uncertain factor \"channels.email.nope\""),
        (
            r#"{"pin": {"channels.email.notice": 1.5}}"#,
            "outside the plausible range of factor \"channels.email.notice\"",
        ),
        (r#"{"pin": {"channels.email.notice": "high"}}"#, "request body"),
        (r#"{"worlds": 9}"#, "`worlds` must be 1 to the scenario's 8 worlds"),
        (r#"{"set": {"channels.email.notice": 0.5}}"#, "also sets in every world"),
    ] {
        let (status, _, answer) = server.post("api/run", body);
        assert_eq!(status, 400, "{body}: {answer}");
        let error = serde_json::from_str::<Value>(&answer).unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.contains(says), "{body}: {error}");
    }
}

fn run_summary_with(file: &Path, extra: &[&str]) -> Value {
    let out = file.with_extension(format!("out-{}", extra.join("-").replace(' ', "_")));
    run_ok(file, &out, extra);
    serde_json::from_str(&read_text(&out.join("summary.json"))).unwrap()
}

#[test]
fn the_saved_trail_reproduces_every_answer() {
    let (dir, file) = acme();
    let server = Server::start(&file, &[]);
    let trail = [
        ("workshop 1", serde_json::json!({ "involvement.fraction": 0.15 })),
        ("workshop 2", serde_json::json!({ "channels.email.notice": 0.9, "community_manager.mandate": true })),
    ];
    let answers: Vec<Value> =
        trail.iter().map(|(name, set)| server.answer(&serde_json::json!({ "set": set, "name": name }))).collect();
    let points: Vec<Value> = trail.iter().map(|(name, set)| serde_json::json!({ "name": name, "set": set })).collect();
    let (status, _, body) =
        server.post("api/save", &serde_json::json!({ "file": "room.toml", "trail": points }).to_string());
    assert_eq!(status, 200, "{body}");
    let saved = dir.path().join("room.toml");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["files"], serde_json::json!([saved.display().to_string()]), "no pins: one file");
    assert_eq!(answer["file"], answer["files"][0]);
    let summary = run_summary(&saved);
    for ((name, _), answer) in trail.iter().zip(&answers) {
        assert_eq!(bytes(&answer["point"]), bytes(variant(&summary, name)), "{name}");
    }
    // Never over a file permeate serve did not write, never outside the folder.
    for name in ["acme.toml", "../escape.toml", "/tmp/x.toml", "notes.txt"] {
        let (status, _, body) =
            server.post("api/save", &serde_json::json!({ "file": name, "trail": points }).to_string());
        assert_eq!(status, 400, "{name}: {body}");
    }
    assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
    assert_eq!(read_text(&file), read_text(&bundled("acme.toml")).replace("replications = 2000", "replications = 300"));
}

#[test]
fn bad_input_is_a_400_with_the_message_check_prints() {
    let (_dir, file) = acme();
    let server = Server::start(&file, &[]);
    let (status, _, body) = server.post("api/run", r#"{"set": {"involvement.fraction": 1.5}, "name": "room"}"#);
    assert_eq!(status, 400);
    let message = serde_json::from_str::<Value>(&body).unwrap()["error"].as_str().unwrap().to_string();
    // `check` on the file with that variant: the same message, with the line of the file.
    let bad = file.with_file_name("bad.toml");
    let extra = "\n[[variants]]\nname = \"room\"\nset = { \"involvement.fraction\" = 1.5 }\n";
    std::fs::write(&bad, read_text(&file) + extra).unwrap();
    let o = permeate(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let printed = String::from_utf8_lossy(&o.stderr);
    let printed =
        printed.trim().strip_prefix("error: ").unwrap().replace(bad.to_str().unwrap(), file.to_str().unwrap());
    let (head, rest) = printed.split_once(": ").unwrap();
    assert!(head.rsplit_once(':').is_some_and(|(_, line)| line.parse::<u32>().is_ok()), "{printed}");
    assert_eq!(message, format!("{}: {rest}", file.display()));

    for (body, says) in [
        (r#"{"set": {"channels.nope.transmit": 0.5}}"#, "nope"),
        (r#"{"set": {"organisation.people": "/etc/passwd"}}"#, "organisation"),
        (r#"{"set": {}, "replications": 0}"#, "replications"),
        (r#"{"set": {}, "replications": 100000000}"#, "replications"),
        (r#"{"set": {}, "colour": "red"}"#, "colour"),
        (r#"{"set": "#, "request body"),
        (r#"{"set": {"seed": 3}}"#, "whole scenario"),
    ] {
        let (status, _, answer) = server.post("api/run", body);
        assert_eq!(status, 400, "{body}: {answer}");
        let error = serde_json::from_str::<Value>(&answer).unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.contains(says), "{body}: {error}");
    }
    // An oversized body is refused before it is read whole.
    let big = format!(r#"{{"set": {{}}, "name": "{}"}}"#, "x".repeat(200_000));
    let (status, _, _) = server.post("api/run", &big);
    assert_eq!(status, 413);
    assert_eq!(server.get("api/scenario", None).0, 200, "the server keeps serving");
}

#[test]
fn a_room_of_clients_is_answered_or_refused_and_the_server_keeps_serving() {
    let (_dir, file) = acme();
    let server = Server::start(&file, &[]);
    let results: Vec<(u16, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let server = &server;
                s.spawn(move || {
                    let body = serde_json::json!({ "set": { "involvement.fraction": 0.01 * f64::from(i) }, "replications": 200 });
                    let (status, retry, _) = server.post("api/run", &body.to_string());
                    (status, retry)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let busy = results.iter().filter(|(s, _)| *s == 503).count();
    assert_eq!(ok + busy, 50, "{results:?}");
    assert!(ok >= 2, "{results:?}");
    assert!(results.iter().filter(|(s, _)| *s == 503).all(|(_, r)| r.as_deref() == Some("1")));
    assert_eq!(server.get("api/scenario", None).0, 200);
    server.answer(&serde_json::json!({ "set": {}, "replications": 50 }));
}

#[test]
fn a_newer_request_of_the_same_client_cancels_the_stale_one() {
    let (_dir, file) = acme();
    let server = Server::start(&file, &[]);
    std::thread::scope(|s| {
        let stale = s.spawn(|| {
            let started = Instant::now();
            let body = serde_json::json!({ "set": {}, "replications": 100000, "client": "page-1" });
            let (status, _, body) = server.post("api/run", &body.to_string());
            (status, body, started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(500));
        let newer = server.answer(&serde_json::json!({ "set": {}, "replications": 50, "client": "page-1" }));
        assert_eq!(newer["replications"], 50);
        let (status, body, took) = stale.join().unwrap();
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("cancelled"), "{body}");
        assert!(took < Duration::from_secs(10), "the stale request ran on for {took:?}");
    });
}

#[test]
fn off_loopback_needs_a_token() {
    let (_dir, file) = acme();
    let o = permeate(&["serve", file.to_str().unwrap(), "--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--token"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_token_is_required_when_given() {
    let (_dir, file) = acme();
    let server = Server::start(&file, &["--token", "s3cret"]);
    assert_eq!(server.get("api/scenario", None).0, 401);
    assert_eq!(server.get("api/scenario", Some("s3cre")).0, 401);
    assert_eq!(server.get("api/scenario", Some("s3cret!")).0, 401);
    assert_eq!(server.post("api/run", r#"{"set": {}}"#).0, 401);
    assert_eq!(server.get("api/scenario", Some("s3cret")).0, 200);
    let (status, page) = server.get("", None);
    assert_eq!(status, 200, "the page itself holds no data");
    assert!(page.contains("<script>") && !page.contains("http://") && !page.contains("https://"), "no CDN");
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let (_dir, file) = acme();
    let mut server = Server::start(&file, &[]);
    assert_eq!(server.get("api/scenario", None).0, 200);
    let _ = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no shutdown after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(143));
}

/// The page in a real browser (headless chromium, as the report test): opened with a setting in
/// its address (`#set=…`, as a slider move sets it), it fetches the levers, asks the server and
/// shows the full answer, with the median the API gives for that setting. Skipped (with a note)
/// where chromium is missing, except in CI. Broken version seen to fail: the page ignoring the
/// address's setting.
#[test]
fn the_page_shows_the_answer_in_a_browser() {
    let (dir, file) = acme();
    let server = Server::start(&file, &[]);
    let set = serde_json::json!({ "involvement.fraction": 0.25 });
    let api = server.answer(&serde_json::json!({ "set": set, "name": "workshop 1" }));
    let median = format!("{:.1} h", api["point"]["t_threshold"]["median"].as_f64().unwrap());
    let url = format!("{}#set={}", server.url, encoded(&set));
    let Some(dom) = dump_dom(dir.path(), &url) else { return };
    assert!(dom.contains("All 300 replications"), "no full answer in the page:\n{dom}");
    assert!(dom.contains(&median), "the page does not show the API's median {median}:\n{dom}");
    assert!(dom.contains("involvement.fraction = 0.25"), "{dom}");
    // The reach editor shows the manager's reach from the file, with the form to add a link.
    assert!(dom.contains("role product_lead in unit product over email"), "no reach editor:\n{dom}");
    assert!(dom.contains("add link") && dom.contains(r#"<option value="team_lead">team_lead</option>"#), "{dom}");
}

/// The pin slider in a real browser: the page opened with a pin in its address (`#pin=…`, which
/// the page applies by moving the factor's slider and firing its `input` event, as a person's
/// move does) shows the answer across all worlds with that factor pinned: the pinned median the
/// API gives, not the unpinned one (which the same page shows without the pin). Broken version
/// seen to fail: the page not sending `pin` (it showed the unpinned median).
#[test]
fn the_page_pins_a_factor_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let text = read_text(&bundled("acme-uncertain.toml"))
        .replace("\nworlds = 200\n", "\nworlds = 40\n")
        .replace("\nreplications = 100 ", "\nreplications = 5 ");
    let file = dir.path().join("acme-uncertain.toml");
    std::fs::write(&file, text).unwrap();
    let server = Server::start(&file, &[]);
    let set = serde_json::json!({ "involvement.fraction": 0.2 });
    let pin = serde_json::json!({ "processing speed": 2.0 });
    let median = |a: &Value| format!("{:.1} h", a["point"]["t_threshold"]["median"].as_f64().unwrap());
    let free = median(&server.answer(&serde_json::json!({ "set": set, "name": "workshop 1" })));
    let pinned = median(&server.answer(&serde_json::json!({ "set": set, "name": "workshop 1", "pin": pin })));
    assert_ne!(free, pinned, "the pin changes the median");
    let url = format!("{}#set={}", server.url, encoded(&set));
    let Some(dom) = dump_dom(dir.path(), &url) else { return };
    assert!(dom.contains("All 40 plausible worlds × 5 replications"), "no full answer across worlds:\n{dom}");
    assert!(dom.contains(&free) && !dom.contains("Pinned: processing"), "unpinned median {free}:\n{dom}");
    let dom = dump_dom(dir.path(), &format!("{url}&pin={}", encoded(&pin))).unwrap();
    assert!(dom.contains("All 40 plausible worlds × 5 replications"), "no full answer across worlds:\n{dom}");
    assert!(dom.contains(&pinned), "the page does not show the pinned median {pinned}:\n{dom}");
    assert!(dom.contains("Pinned: processing speed = 2."), "{dom}");
}

/// `value` as URL-encoded JSON.
fn encoded(value: &Value) -> String {
    value.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The page at `url` after its script ran, from headless chromium (`None`, with a note, where
/// chromium is missing, except in CI).
fn dump_dom(dir: &Path, url: &str) -> Option<String> {
    const CHROMIUM: &str = "/usr/bin/chromium";
    if !Path::new(CHROMIUM).exists() {
        assert!(std::env::var_os("CI").is_none(), "{CHROMIUM} is missing: .ci/run installs it");
        eprintln!("SKIPPED the browser test: {CHROMIUM} is missing");
        return None;
    }
    let o = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", dir.join("profile").display()),
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// A page in headless chromium driven over the DevTools protocol (a websocket): the lead's moves
/// as a person makes them, by script in the page.
struct Browser {
    child: Child,
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    next: u64,
}

impl Browser {
    /// Chromium opened on `url` with a DevTools port (`None`, with a note, where chromium is
    /// missing, except in CI).
    fn open(dir: &Path, url: &str) -> Option<Browser> {
        const CHROMIUM: &str = "/usr/bin/chromium";
        if !Path::new(CHROMIUM).exists() {
            assert!(std::env::var_os("CI").is_none(), "{CHROMIUM} is missing: .ci/run installs it");
            eprintln!("SKIPPED the browser test: {CHROMIUM} is missing");
            return None;
        }
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", dir.join("cdp-profile").display()),
                url,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run chromium");
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ws) = line.split_once("DevTools listening on ").map(|(_, ws)| ws.trim().to_string()) {
                    let _ = tx.send(ws);
                }
            }
        });
        let browser_ws = rx.recv_timeout(Duration::from_secs(30)).expect("chromium prints its DevTools address");
        let port = browser_ws.trim_start_matches("ws://").split(['/', ':']).nth(1).unwrap().to_string();
        // The page's own socket, from the target list.
        let started = Instant::now();
        let page_ws = loop {
            let list: Value = Server::agent()
                .get(format!("http://127.0.0.1:{port}/json/list"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|b| serde_json::from_str(&b).ok())
                .unwrap_or(Value::Null);
            let page =
                list.as_array().into_iter().flatten().find(|t| t["type"] == "page" && t["url"].as_str() == Some(url));
            if let Some(ws) = page.and_then(|t| t["webSocketDebuggerUrl"].as_str()) {
                break ws.to_string();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no page target: {list}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let (socket, _) = tungstenite::connect(page_ws.as_str()).expect("connect to the page");
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = socket.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        }
        Some(Browser { child, socket, next: 1 })
    }

    /// Evaluates `script` (an expression, awaited if it is a promise) in the page and returns its
    /// value; a thrown error fails the test with its message.
    fn eval(&mut self, script: &str) -> Value {
        self.try_eval(script).unwrap_or_else(|e| panic!("the page's script failed: {e}"))
    }

    /// Waits until the page has loaded (its first document may still be replaced while the
    /// address loads, which ends a script run in it).
    fn wait_loaded(&mut self) {
        let started = Instant::now();
        let ready = "document.readyState === 'complete' && document.getElementById('save') !== null";
        while self.try_eval(ready).ok() != Some(Value::Bool(true)) {
            assert!(started.elapsed() < Duration::from_secs(30), "the page does not load");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn try_eval(&mut self, script: &str) -> Result<Value, Value> {
        let id = self.next;
        self.next += 1;
        let call = serde_json::json!({ "id": id, "method": "Runtime.evaluate",
            "params": { "expression": script, "awaitPromise": true, "returnByValue": true } });
        self.socket.send(tungstenite::Message::text(call.to_string())).expect("send to chromium");
        loop {
            let message = self.socket.read().expect("read from chromium");
            let Ok(reply) = serde_json::from_str::<Value>(message.to_text().unwrap_or("")) else { continue };
            if reply["id"] == id {
                if let Some(e) = reply["result"].get("exceptionDetails").or(reply.get("error")) {
                    return Err(e.clone());
                }
                return Ok(reply["result"]["result"]["value"].clone());
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The workshop in a real browser, driven as a person drives it: the involvement slider moved
/// to 0.25, and once that is answered the mandate toggled on (their `input` and `change`
/// events), the page shows the full answer with the median the API gives for that setting, the trail lists it, and
/// **Save** writes the trail, which `permeate run` reproduces to the bytes of the API's answer.
/// Broken versions seen to fail: the toggle's `change` not sent (the page showed the
/// involvement-only median); the save button sending no points (no file).
#[test]
fn a_slider_and_a_toggle_moved_in_a_browser_answer_and_save() {
    let (dir, file) = acme();
    let server = Server::start(&file, &[]);
    let set = serde_json::json!({ "involvement.fraction": 0.25, "community_manager.mandate": true });
    let api = server.answer(&serde_json::json!({ "set": set, "name": "workshop 2" }));
    let median = format!("{:.1} h", api["point"]["t_threshold"]["median"].as_f64().unwrap());
    let Some(mut browser) = Browser::open(dir.path(), &server.url) else { return };
    browser.wait_loaded();
    let wait = "const wait = async (f, what) => { for (let i = 0; i < 1200; i++) { const v = f(); if (v) return v; \
                await new Promise(r => setTimeout(r, 50)); } throw new Error('timed out waiting for ' + what); };";
    let answer = browser.eval(&format!(
        "(async () => {{ {wait}
          const slider = await wait(() => document.querySelector('input[data-path=\"involvement.fraction\"]'), 'the slider');
          slider.value = '0.25'; slider.dispatchEvent(new Event('input'));
          await wait(() => document.querySelectorAll('#trail tbody tr').length === 1, 'the first trail row');
          document.querySelector('input[data-path=\"community_manager.mandate\"]').click();
          await wait(() => document.querySelectorAll('#trail tbody tr').length === 2, 'the second trail row');
          return document.getElementById('answer').textContent + ' | ' + document.querySelector('#trail tbody').textContent;
        }})()"
    ));
    let answer = answer.as_str().unwrap().to_string();
    assert!(answer.contains("All 300 replications"), "no full answer in the page: {answer}");
    assert!(answer.contains(&median), "the page does not show the API's median {median}: {answer}");
    assert!(
        answer.contains("involvement.fraction = 0.25") && answer.contains("community_manager.mandate = true"),
        "{answer}"
    );
    let saved = browser.eval(&format!(
        "(async () => {{ {wait}
          document.getElementById('savename').value = 'room.toml';
          document.getElementById('save').click();
          return await wait(() => {{ const t = document.getElementById('savestatus').textContent; return t.startsWith('saved to') && t; }}, 'the save');
        }})()"
    ));
    let saved = saved.as_str().unwrap();
    let room = dir.path().join("room.toml");
    assert!(saved.contains(&room.display().to_string()), "{saved}");
    let summary = run_summary(&room);
    assert_eq!(bytes(&api["point"]), bytes(variant(&summary, "workshop 2")), "the saved trail reproduces the answer");
}
