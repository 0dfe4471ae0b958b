//! Replay mode (`[organisation] events`): the item moves only along time-respecting paths of
//! the real messages. Known answers by hand, the law of the wait for the first carrying message,
//! reproducibility, and bad logs.

use crate::common::{TempScenario, permeate, run_library, run_library_with, run_ok};

/// z for a two-sided false-failure probability of 1e-6.
const Z_1E6: f64 = 4.891_638_475_699;

/// The people of the chain and star log: source `a`, members b, c, d (a chain) and s1–s3 (a
/// star around `a`).
const PEOPLE: &str =
    "id,unit,role\na,u,source\nb,u,member\nc,u,member\nd,u,member\ns1,u,member\ns2,u,member\ns3,u,member\n";

/// Unix seconds. The first message is b→c at 1800 s, so in hours after the log's first
/// message: b→c 0 (before b can know), a→b 0.5, a→s1 1.5, b→c 2.5, a→s2 3.5, c→d 4.5, a→s3 5.5.
const EVENTS: &str =
    "time,sender,recipient\n3600,a,b\n1800,b,c\n10800,b,c\n18000,c,d\n7200,a,s1\n14400,a,s2\n21600,a,s3\n";

/// A replay scenario over `events` with `[organisation.replay]` lines `replay` and extra TOML.
fn scenario(people: &str, events: &str, replay: &str, extra: &str) -> TempScenario {
    let toml = format!(
        "name = \"replay\"\nseed = 5\nreplications = 1\nhorizon_hours = 100\n\
         [organisation]\npeople = \"people.csv\"\nevents = \"events.csv\"\n\
         [organisation.replay]\n{replay}\n[roles.source]\n[roles.member]\n{extra}\n\
         [source]\nrole = \"source\"\n[target]\nrole = \"member\"\n"
    );
    TempScenario::new(&[("scenario.toml", &toml), ("people.csv", people), ("events.csv", events)])
}

/// T of the single replication of the chain-and-star log from the fixed `start` (hours after
/// the first message), at `threshold`, with the members' processing fixed at `processing` hours.
fn chain_t(start: f64, threshold: f64, processing: f64) -> Option<f64> {
    let toml_extra = format!("processing = {{ dist = \"fixed\", value = {processing} }}");
    let ts = scenario(PEOPLE, EVENTS, &format!("time = \"unix\"\nstart = {start}"), &toml_extra);
    // `[target]` is the last table: the threshold goes into it.
    let text = std::fs::read_to_string(ts.scenario()).unwrap() + &format!("threshold = {threshold}\n");
    std::fs::write(ts.scenario(), text).unwrap();
    run_library(&ts.load(), 0).t_threshold[0]
}

/// Hand-computed T for every start moment of a log with known time-respecting paths. From
/// start 0 with no processing: b at 0.5, s1 1.5, c 2.5 (the b→c message at 0 came before b knew
/// and must not carry), s2 3.5, d 4.5, s3 5.5 (item clock: minus the start). From start 1 the
/// a→b message is past: only the star carries (s1 0.5, s2 2.5, s3 4.5). From 6 the log has ended:
/// nothing moves. With members' processing fixed at 2.5 h, b can relay only from 3.0, after the
/// b→c message at 2.5: the chain stops at b (b 3.0, s1 4.0, s2 6.0, s3 8.0); at 1 h, c can relay
/// from 3.5 and the c→d message at 4.5 carries (d at 5.5).
///
/// Broken versions seen to fail: the start moment ignored in the search (messages searched from
/// the item's clock instead of the log's: an arrival before the send, caught by the queue's
/// debug assertion); a message before the sender knew allowed to carry (the scan from the
/// pair's first message: T = 1.5 instead of 2.5 at start 0).
#[test]
fn chain_and_star_give_the_exact_t_of_every_start_moment() {
    // (start, threshold, processing, T)
    let cases: &[(f64, f64, f64, Option<f64>)] = &[
        (0.0, 1.0, 0.0, Some(5.5)),
        (0.0, 0.5, 0.0, Some(2.5)),
        (0.0, 0.5, 1.0, Some(3.5)), // b 1.5, s1 2.5, c 3.5, s2 4.5, d 5.5, s3 6.5
        (0.0, 1.0, 1.0, Some(6.5)),
        (0.0, 0.5, 2.5, Some(6.0)),
        (0.0, 1.0, 2.5, None),
        (0.25, 0.5, 0.0, Some(2.25)),
        (1.0, 0.5, 0.0, Some(4.5)),
        (1.0, 0.6, 0.0, None),
        (4.0, 0.1, 0.0, Some(1.5)),
        (6.0, 0.1, 0.0, None),
    ];
    for &(start, threshold, processing, want) in cases {
        let got = chain_t(start, threshold, processing);
        match (got, want) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() < 1e-5,
                "start {start}, threshold {threshold}, processing {processing}: T {g}, want {w}"
            ),
            _ => assert_eq!(got, want, "start {start}, threshold {threshold}, processing {processing}"),
        }
    }
}

/// Links a variant adds are modelled channels beside the replayed log: a direct a→d chat link
/// with a fixed 1 h delay, from start 0, makes d the second to know (b 0.5, d 1.0, s1 1.5:
/// the third at 1.5 h instead of 2.5 h), and d then relays over the log as anyone (nothing here:
/// d sends no message). A replayed link a variant names over the `replay` channel between people
/// without messages never carries.
///
/// Broken versions seen to fail: a variant's added links dropped when the organisation has a
/// log (T stays 2.5 h); a replay-channel link without messages treated as instant (T 1.5 h).
#[test]
fn added_links_are_modelled_channels_beside_the_log() {
    let extra = "[channels.chat]\ndelay = { dist = \"fixed\", value = 1.0 }\n\
                 [[variants]]\nname = \"direct\"\n\
                 add_links = [ { source = \"a\", target = \"d\", channel = \"chat\", direction = \"forward\" } ]\n\
                 [[variants]]\nname = \"fake replay\"\n\
                 add_links = [ { source = \"a\", target = \"d\", channel = \"replay\", direction = \"forward\" } ]";
    let ts = scenario(PEOPLE, EVENTS, "time = \"unix\"\nstart = 0", extra);
    let text = std::fs::read_to_string(ts.scenario()).unwrap() + "threshold = 0.5\n";
    std::fs::write(ts.scenario(), text).unwrap();
    let s = ts.load();
    let t = |i: usize| run_library(&s, i).t_threshold[0].expect("reached");
    assert!((t(0) - 2.5).abs() < 1e-5, "baseline {}", t(0));
    assert!((t(1) - 1.5).abs() < 1e-5, "with the direct chat link {}", t(1));
    assert!((t(2) - 2.5).abs() < 1e-5, "a replay link without messages {}", t(2));
}

/// The people and log of a two-person chain with a message a→b every hour, 0 to `n - 1` h.
fn periodic(n: usize) -> (String, String) {
    let mut events = String::from("time,sender,recipient\n");
    for i in 0..n {
        events += &format!("{},a,b\n", i * 3600);
    }
    ("id,unit,role\na,u,source\nb,u,member\n".to_string(), events)
}

/// Thinning: with per_message p each message carries independently, so from start 0.25 the
/// item waits 0.75 h for the next message plus a whole hour per message that does not carry:
/// T = 0.75 + G with G geometric on {0, 1, …}, P(G = j) = (1 − p)^j p, mean (1 − p)/p, variance
/// (1 − p)/p². 20,000 replications at p = 0.3 (2,000 messages: never running out, P < 1e-300);
/// the mean, P(G = 0) and P(G ≤ 4) are checked, each with a false-failure rate below 1e-6, and
/// T must be 0.75 plus a whole number.
///
/// Broken versions seen to fail: one draw per link instead of per message (a link that fails
/// with 1 − p: about 70% of replications never reach); the draw keyed by the message without
/// the replication (G the same in every replication: mean 3).
#[test]
fn per_message_thinning_gives_a_geometric_wait() {
    let (people, events) = periodic(2000);
    let p = 0.3;
    let ts = scenario(&people, &events, &format!("time = \"unix\"\nstart = 0.25\nper_message = {p}"), "");
    let reps = 20_000u64;
    let run = run_library_with(&ts.load(), 0, 17, reps);
    let g: Vec<f64> = run.t_threshold.iter().map(|t| t.expect("always reached") - 0.75).collect();
    for &x in &g {
        assert!((x - x.round()).abs() < 1e-3 && x > -1e-3, "T − 0.75 = {x} is not a whole number ≥ 0");
    }
    let r = reps as f64;
    let mean = g.iter().sum::<f64>() / r;
    let (mu, var) = ((1.0 - p) / p, (1.0 - p) / (p * p));
    assert!((mean - mu).abs() < Z_1E6 * (var / r).sqrt(), "mean wait {mean} vs (1 − p)/p = {mu}");
    let share = |q: f64, exact: f64| {
        let got = g.iter().filter(|&&x| x < q + 0.5).count() as f64 / r;
        let bound = Z_1E6 * (exact * (1.0 - exact) / r).sqrt();
        assert!((got - exact).abs() < bound, "P(G ≤ {q}) = {got} vs {exact} (±{bound})");
    };
    share(0.0, p);
    share(4.0, 1.0 - (1.0 - p).powi(5));
}

/// The same T per replication for 1 and 2 threads (byte-identical result files), and the same
/// replication streams in every variant: a variant that changes nothing gives the baseline's T
/// replication by replication; one that slows the members' processing never gives a smaller T,
/// and one with a higher `per_message` never a larger one (monotone coupling: arrivals are
/// non-decreasing in the send time and the carrying draws are per message and nested, the same
/// in every variant).
///
/// Broken versions seen to fail: the carrying draws taken from a process-wide counter instead
/// of keyed by (seed, replication, message) — the "same" variant then gives other T; the draws
/// keyed also by `per_message` (not nested: p = 0.9 gave 27.3 h where p = 0.5 gave 14.0 h).
#[test]
fn replay_is_reproducible_across_threads_and_variants() {
    let (people, mut events) = (PEOPLE.to_string(), EVENTS.to_string());
    // More messages so that the start moment matters: the star again every 8 h.
    for k in 1..40 {
        for (who, h) in [("b", 1.0), ("s1", 2.0), ("s2", 4.0), ("s3", 6.0)] {
            events += &format!("{},a,{who}\n", ((h + 8.0 * k as f64) * 3600.0) as u64);
        }
        events += &format!(
            "{},b,c\n{},c,d\n",
            ((3.0 + 8.0 * k as f64) * 3600.0) as u64,
            ((5.0 + 8.0 * k as f64) * 3600.0) as u64
        );
    }
    let extra = "processing = { dist = \"exponential\", rate = 0.5 }\n\
                 [[variants]]\nname = \"same\"\nset = { \"roles.member.notice\" = 1.0 }\n\
                 [[variants]]\nname = \"slower\"\nset = { \"roles.member.processing\" = { dist = \"exponential\", rate = 0.25 } }\n\
                 [[variants]]\nname = \"more carrying\"\nset = { \"organisation.replay.per_message\" = 0.9 }";
    let ts = scenario(&people, &events, "time = \"unix\"\nper_message = 0.5", extra);
    let text = std::fs::read_to_string(ts.scenario()).unwrap().replace("replications = 1\n", "replications = 300\n")
        + "threshold = 0.8\n";
    std::fs::write(ts.scenario(), text).unwrap();
    let s = ts.load();
    let base = run_library(&s, 0).t_threshold;
    let same = run_library(&s, 1).t_threshold;
    let slower = run_library(&s, 2).t_threshold;
    let more = run_library(&s, 3).t_threshold;
    assert_eq!(base, same, "a variant that changes nothing must give the same T per replication");
    assert!(base.iter().filter(|t| t.is_some()).count() > 30, "the test needs replications that reach");
    assert!(
        base.iter().map(|t| t.map(f64::to_bits)).collect::<std::collections::BTreeSet<_>>().len() > 10,
        "start moments must vary T"
    );
    for (r, (b, w)) in base.iter().zip(&slower).enumerate() {
        match (b, w) {
            (Some(b), Some(w)) => assert!(w >= b, "replication {r}: slower processing gave {w} < {b}"),
            (None, Some(w)) => panic!("replication {r}: slower processing reached ({w}), the baseline did not"),
            _ => {}
        }
    }
    // Nested carrying draws (`U < p`): a higher per_message never gives a larger T.
    for (r, (b, m)) in base.iter().zip(&more).enumerate() {
        match (b, m) {
            (Some(b), Some(m)) => assert!(m <= b, "replication {r}: per_message 0.9 gave {m} > {b}"),
            (Some(b), None) => panic!("replication {r}: per_message 0.9 did not reach, 0.5 did ({b})"),
            _ => {}
        }
    }
    assert_ne!(base, more, "per_message must matter");
    let out1 = ts.path("j1");
    let out2 = ts.path("j2");
    run_ok(&ts.scenario(), &out1, &["-j", "1"]);
    run_ok(&ts.scenario(), &out2, &["-j", "2"]);
    for f in ["summary.json", "replications.csv", "curve.csv"] {
        assert_eq!(
            std::fs::read(out1.join(f)).unwrap(),
            std::fs::read(out2.join(f)).unwrap(),
            "{f} differs between -j 1 and -j 2"
        );
    }
}

/// `permeate check` on a bad log: exit 2 and a message naming the file, the row and the column.
fn check_fails(events: &str, replay: &str, wants: &[&str]) {
    let ts = scenario(PEOPLE, events, replay, "");
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "exit status; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in wants {
        assert!(err.contains(w), "the message should contain {w:?}: {err}");
    }
}

#[test]
fn bad_logs_exit_2_with_file_row_and_column() {
    let unknown = "time,sender,recipient\n3600,a,b\n7200,b,zed\n";
    check_fails(unknown, "time = \"unix\"", &["events.csv:3:", "`recipient`", "unknown person \"zed\""]);
    let bad_time = "time,sender,recipient\n3600,a,b\nsoon,b,c\n";
    check_fails(bad_time, "time = \"unix\"", &["events.csv:3:", "`time`", "\"soon\" is not a number of seconds"]);
    let bad_rfc = "time,sender,recipient\n2026-03-02T09:15:00+01:00,a,b\n2026-03-02 10:00,b,c\n";
    check_fails(bad_rfc, "", &["events.csv:3:", "`time`", "RFC 3339"]);
    check_fails("time,sender,recipient\n", "time = \"unix\"", &["events.csv", "no events"]);
    check_fails("when,sender,recipient\n1,a,b\n", "", &["events.csv:1:", "no column \"time\"", "time_column"]);
    check_fails(EVENTS, "time = \"unix\"\nper_message = 0", &["scenario.toml", "per_message"]);
    check_fails(EVENTS, "time = \"unix\"\nstart = [5, 1]", &["scenario.toml", "start"]);
    check_fails(EVENTS, "time = \"unix\"\nspeed = 1", &["scenario.toml", "speed"]);
    // Skipping unknown people is the documented way out.
    let ts = scenario(PEOPLE, unknown, "time = \"unix\"\nunknown_people = \"skip\"", "");
    let o = permeate(&["check", ts.scenario().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The validation bench's truth, shared with the traces tests (one module, loaded once).
use super::traces::validation;

/// Replay on the real e-mail log (`../shared/data/email-eu-core-temporal`, not part of the
/// project; read in place, written only into a temporary folder; without it the test says so on
/// stderr and passes) against the independent truth, `validation::si_t80` (SI along the
/// time-ordered e-mails, an event sweep rather than a first-passage pass): days 0–300, the people of the
/// largest department who receive at least 50 e-mails as the target, its 3 busiest senders as sources, 4 fixed start moments each,
/// p = 1, no processing, horizon 3,000 h. Replay must give the truth's T80 for each (source,
/// start), within 0.01 h (f32 item clock), or both "not reached" — in sample, replay is the
/// truth by construction. Then a run over the start window must give a median T80 in a sane range
/// (between the fastest and slowest of the fixed starts' truths, widened 2×).
///
/// Measured: all 12 agree to the f32 resolution (e.g. 298.86499 h vs 298.865 h); the median over
/// the window is 250 h, all reached; about 1 s in a debug build.
///
/// Broken version seen to fail: messages searched from one hour before the sender knew (a
/// message written just before they knew carries: 187.2 h instead of 236.8 h).
#[test]
fn real_email_slice_replay_is_the_truth_in_sample() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/email-eu-core-temporal");
    if !data.join("email-Eu-core-temporal.txt.gz").exists() {
        eprintln!("note: {} is not there; the real-data replay check is skipped", data.display());
        return;
    }
    let log = validation::read_snap(&data, 300.0);
    let mut sizes = std::collections::HashMap::<&str, usize>::new();
    for u in &log.unit {
        *sizes.entry(u.as_str()).or_default() += 1;
    }
    let unit = sizes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(u, _)| u.to_string()).unwrap();
    let mut sent = vec![0usize; log.ids.len()];
    let mut got = vec![0usize; log.ids.len()];
    for m in &log.mails {
        sent[m.from as usize] += 1;
        got[m.to as usize] += 1;
    }
    // The department's people who receive e-mail regularly (others cannot be reached by either).
    let target: Vec<bool> = log.unit.iter().zip(&got).map(|(u, &g)| *u == unit && g >= 50).collect();
    let target_ids: Vec<String> =
        (0..log.ids.len()).filter(|&p| target[p]).map(|p| format!("\"{}\"", log.ids[p])).collect();
    let mut sources: Vec<u32> = (0..log.ids.len() as u32).filter(|&p| target[p as usize]).collect();
    sources.sort_by(|a, b| sent[*b as usize].cmp(&sent[*a as usize]).then(a.cmp(b)));
    sources.truncate(3);
    let mut people = String::from("id,unit,role\n");
    for (id, u) in log.ids.iter().zip(&log.unit) {
        people += &format!("{id},{u},member\n");
    }
    let mut events = String::new();
    for m in &log.mails {
        events += &format!("{} {} {}\n", log.ids[m.from as usize], log.ids[m.to as usize], (m.hours * 3600.0).round());
    }
    let first = log.mails[0].hours;
    let horizon = 3000.0;
    let mut checked = 0;
    let mut truths = Vec::new();
    for &s in &sources {
        let toml = |start: &str, reps: u64| {
            format!(
                "name = \"replay email\"\nseed = 3\nreplications = {reps}\nhorizon_hours = {horizon}\n\
                 [organisation]\npeople = \"people.csv\"\nevents = \"events.txt\"\n\
                 [organisation.replay]\nformat = \"edgelist\"\nstart = {start}\n[roles.member]\n\
                 [source]\nid = \"{}\"\n[target]\nid = [{}]\nthreshold = 0.8\n",
                log.ids[s as usize],
                target_ids.join(", ")
            )
        };
        let ts = TempScenario::new(&[("people.csv", &people), ("events.txt", &events), ("scenario.toml", "")]);
        // A variant per start moment, so the log is read once per source.
        let starts = [100.0, 1000.0, 2000.0, 3000.0];
        let mut text = toml("0", 1);
        for (i, h) in starts.iter().enumerate() {
            text += &format!("[[variants]]\nname = \"s{i}\"\nset = {{ \"organisation.replay.start\" = {h} }}\n");
        }
        std::fs::write(ts.scenario(), text).unwrap();
        let sc = ts.load();
        for (i, &h) in starts.iter().enumerate() {
            let got = run_library(&sc, i + 1).t_threshold[0];
            let want = validation::si_t80(&log, s, first + h, 1.0, &target, horizon, 0);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 0.01, "source {s}, start {h}: replay {g} h, truth {w} h"),
                _ => assert_eq!(got.is_some(), want.is_some(), "source {s}, start {h}: replay {got:?}, truth {want:?}"),
            }
            truths.extend(want);
            checked += 1;
        }
        // Over the start window: a sane median.
        if s == sources[0] {
            std::fs::write(ts.scenario(), toml("[100, 3000]", 40)).unwrap();
            let run = run_library(&ts.load(), 0);
            let (_, median, _, reached) = validation::summary(&run.t_threshold);
            eprintln!("replay over the window: median T80 {median:?} h, reached {reached}");
            assert!(reached > 0.5, "reached share {reached}");
            let (lo, hi) = truths.iter().fold((f64::INFINITY, 0.0f64), |(l, h), &t| (l.min(t), h.max(t)));
            let m = median.expect("a median");
            assert!(m >= lo / 2.0 && m <= hi * 2.0, "median {m} outside [{lo}/2, {hi}·2]");
        }
    }
    assert_eq!(checked, 12);
    assert!(!truths.is_empty(), "the truth must reach in some cases");
}
