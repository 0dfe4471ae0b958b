//! `report.html`: the workshop report. One self-contained page (inline CSS and SVG charts, no
//! script, no external resource) that reads well on a projector and prints: the answer in one
//! sentence per variant, the table of variants, the charts, where the item gets stuck, and the
//! organisation and assumptions behind the numbers.
//!
//! Every text that comes from the scenario or its CSV files goes through [`esc`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::charts::Chart;
use super::{HEADLINE, WORKING_DAY_HOURS, answer_sentence, headline_row};
use crate::org::Direction;
use crate::scenario::{Scenario, Variant};
use crate::simulate::{Bottlenecks, RunResults, Share};

/// How many people and links the bottleneck tables list per variant.
pub const HTML_TOP: usize = 5;

/// HTML-escapes text from the scenario or results (`&`, `<`, `>`, `"`, `'` and `/`), for
/// element content and double-quoted attributes.
pub fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
}

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #4d4d4d; --accent: #0072b2; --rule: #d4d4d4; --band: #eef3f8; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 1.2rem 2rem 3rem; }
header { border-bottom: 6px solid var(--accent); padding-bottom: .8rem; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: .4rem 0 .6rem; }
h2 { font-size: 1.6rem; margin: 2.4rem 0 .8rem; padding-bottom: .2rem; border-bottom: 3px solid var(--accent); }
h3 { font-size: 1.3rem; margin: 1.8rem 0 .4rem; }
p { margin: .5rem 0; }
.description { font-size: 1.15rem; }
.meta { color: var(--muted); }
nav { font-size: .9rem; margin: .8rem 0 0; color: var(--muted); }
nav a { color: var(--accent); margin-right: 1.2rem; }
.answers { list-style: none; padding: 0; margin: 0; }
.answers li { font-size: 1.2rem; margin: .7rem 0; padding: .6rem 1rem; border-left: 8px solid var(--accent); background: var(--band); }
.answers li.baseline { border-left-color: #1a1a1a; font-weight: 600; }
.answers li.sweep { font-size: 1rem; margin: .35rem 0; padding: .35rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1.2rem; font-size: .9rem; }
caption { text-align: left; font-weight: 700; font-size: 1rem; padding: .3rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--band); }
.kv th { width: 15rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.headline td { overflow-wrap: anywhere; }
.headline .num { white-space: normal; }
.sub { display: block; color: var(--muted); font-size: .85em; }
.howto { color: var(--muted); font-size: .95rem; }
figure { margin: 1.6rem 0 2.2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: 1rem; color: var(--muted); margin-top: .5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 0 1.6rem; align-items: start; }
.bn { break-inside: avoid; page-break-inside: avoid; border-top: 1px solid var(--rule); margin-top: 1.2rem; }
.lead { font-size: 1.1rem; }
.share { white-space: nowrap; font-variant-numeric: tabular-nums; }
.track { display: inline-block; width: 5rem; height: .8em; background: #e3e8ee; margin-right: .5em; vertical-align: middle; }
.bar { display: block; height: 100%; background: var(--accent); }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--rule); padding-top: .6rem; }
@page { size: A4; margin: 14mm; }
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2.charts, #bottlenecks, #assumptions { break-before: page; page-break-before: always; }
  table, figure, .bn, .answers li { break-inside: avoid; page-break-inside: avoid; }
  .grid { display: block; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn pct(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" { "0".into() } else { s.to_string() }
}

/// A table cell with a share: a small bar and the percentage.
fn share_cell(share: f64) -> String {
    format!(
        r#"<td class="share"><span class="track"><span class="bar" style="width:{:.1}%"></span></span>{}</td>"#,
        (100.0 * share).clamp(0.0, 100.0),
        pct(share)
    )
}

/// An SVG document from plotters made fit for inline use in HTML: the XML namespace
/// declaration is dropped (the HTML parser puts `<svg>` into the SVG namespace itself) and the
/// element gets a role and label for screen readers.
fn inline_svg(chart: &Chart) -> String {
    let svg = chart.svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1);
    svg.replacen("<svg ", &format!(r#"<svg role="img" aria-label="{}" "#, esc(&chart.title)), 1)
}

/// The whole page.
pub fn page(scenario: &Scenario, results: &RunResults, charts: &[Chart]) -> String {
    let base = &results.variants[0];
    let t = format!("T{:.0}", 100.0 * base.threshold);
    let mut s = String::with_capacity(1 << 20);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"permeate {}\">\n<title>{} — permeate report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&scenario.name)
    );

    // Title and description.
    let _ = writeln!(s, "<header id=\"title\">\n<h1>{}</h1>", esc(&scenario.name));
    if let Some(d) = &scenario.description {
        let _ = writeln!(s, "<p class=\"description\">{}</p>", esc(d.trim()));
    }
    let _ = writeln!(
        s,
        "<p class=\"meta\"><strong>{t}</strong> is the time until {:.0}% of the target ({} people, {}) have perceived \
         and processed an item of feedback that appears at the source. {} replications per variant, seed {}, \
         horizon {} h ({} working days of {} h). All variants share common random numbers, so each is compared with \
         the baseline replication by replication.</p>",
        100.0 * base.threshold,
        base.target_size,
        esc(&base.target_label),
        scenario.replications,
        scenario.seed,
        num(scenario.horizon_hours),
        num(scenario.horizon_hours / WORKING_DAY_HOURS),
        num(WORKING_DAY_HOURS),
    );
    s += "<nav><a href=\"#answer\">The answer</a><a href=\"#variants\">All variants</a><a href=\"#charts\">Charts</a>\
          <a href=\"#bottlenecks\">Where it gets stuck</a><a href=\"#assumptions\">Organisation and assumptions</a></nav>\n</header>\n";

    // The answer.
    s += "<section id=\"answer\">\n<h2>The answer</h2>\n<ul class=\"answers\">\n";
    let sweep_points: Vec<usize> =
        scenario.sweep.as_ref().map(|sw| sw.points.iter().map(|p| p.variant).collect()).unwrap_or_default();
    for (i, v) in results.variants.iter().enumerate() {
        let class = if v.vs_baseline.is_none() {
            " class=\"baseline\""
        } else if sweep_points.contains(&i) {
            " class=\"sweep\""
        } else {
            ""
        };
        let _ = writeln!(s, "<li{class}>{}</li>", esc(&answer_sentence(v, scenario.horizon_hours)));
    }
    s += "</ul>\n</section>\n";

    // The table of variants.
    s += &variants_table(scenario, results);

    // Charts.
    s += "<section id=\"charts\">\n<h2 class=\"charts\">Charts</h2>\n<p class=\"howto\">The same charts are in the \
          <code>charts/</code> folder beside this report, as SVG files for slides.</p>\n";
    for c in charts {
        let id = c.file.trim_end_matches(".svg");
        let _ = writeln!(
            s,
            "<figure id=\"chart-{id}\">\n{}<figcaption>{}</figcaption>\n</figure>",
            inline_svg(c),
            esc(&c.caption)
        );
    }
    s += "</section>\n";

    // Bottlenecks.
    s += &bottlenecks_section(scenario, results);

    // Organisation and assumptions.
    s += &assumptions_section(scenario, results);

    let _ = writeln!(
        s,
        "<footer>Made by permeate {} from <code>{}</code> with seed {} and {} replications per variant. The numbers \
         are in <code>summary.json</code>, <code>replications.csv</code> and <code>curve.csv</code> beside this \
         report; the same scenario file and seed give the same numbers.</footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        esc(&file_name(scenario)),
        scenario.seed,
        scenario.replications
    );
    s
}

fn file_name(scenario: &Scenario) -> String {
    scenario.file.file_name().map_or_else(|| scenario.file.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn variants_table(scenario: &Scenario, results: &RunResults) -> String {
    let mut s = String::from(
        "<section id=\"variants\">\n<h2>All variants compared</h2>\n<table class=\"headline\">\n<thead><tr>",
    );
    for (i, h) in HEADLINE.iter().enumerate() {
        let class = if (1..5).contains(&i) { " class=\"num\"" } else { "" };
        let _ = write!(s, "<th{class}>{}</th>", esc(h));
    }
    s += "</tr></thead>\n<tbody>\n";
    for v in &results.variants {
        let row = headline_row(v);
        s += "<tr>";
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, "<td><strong>{}</strong>", esc(cell));
                // The baseline's description is the scenario's, shown at the top already.
                if let Some(d) = v
                    .description
                    .as_ref()
                    .filter(|d| v.vs_baseline.is_some() || Some(*d) != scenario.description.as_ref())
                {
                    let _ = write!(s, "<span class=\"sub\">{}</span>", esc(d));
                }
                s += "</td>";
            } else {
                let class = if (1..5).contains(&i) { " class=\"num\"" } else { "" };
                let _ = write!(s, "<td{class}>{}</td>", esc(cell));
            }
        }
        s += "</tr>\n";
    }
    s += "</tbody>\n</table>\n";
    s += "<p class=\"howto\">How to read this: <em>reached</em> is the share of replications in which the threshold was \
          reached before the horizon. Medians and quantiles count a replication that did not reach as “never”; the \
          mean and its interval are over the replications that reached. <em>vs baseline</em> compares each replication \
          with the same replication of the baseline: the mean difference in hours over replications where both \
          reached (negative = faster) with its 95% interval, the median difference, and how often the variant was \
          strictly faster.</p>\n</section>\n";
    s
}

/// A two-column table of names and shares.
fn share_table(caption: &str, head: &str, rows: &[Share], top: usize) -> String {
    let mut s = format!(
        "<table><caption>{}</caption><thead><tr><th>{}</th><th>share</th></tr></thead><tbody>\n",
        esc(caption),
        esc(head)
    );
    if rows.is_empty() {
        s += "<tr><td colspan=\"2\">—</td></tr>\n";
    }
    for r in rows.iter().take(top) {
        let _ = writeln!(s, "<tr><td>{}</td>{}</tr>", esc(&r.name), share_cell(r.share));
    }
    s += "</tbody></table>\n";
    s
}

fn person_detail(v: &Variant, id: &str) -> String {
    match v.org.find(id) {
        Some(p) => format!("{}, {}", v.org.role_of(p), v.org.unit_of(p)),
        None => String::new(),
    }
}

/// One plain sentence on a variant's bottlenecks.
fn bottleneck_lead(b: &Bottlenecks) -> String {
    let mut parts = Vec::new();
    if let Some(c) = b.channels.first() {
        parts.push(format!(
            "the item most often travels over the channel <strong>{}</strong> (in {} of the replications that reached)",
            esc(&c.name),
            pct(c.share)
        ));
    }
    if let Some(p) = b.people.first() {
        parts.push(format!("the person most often in between is <strong>{}</strong> ({})", esc(&p.name), pct(p.share)));
    }
    let mut s = String::new();
    if !parts.is_empty() {
        s = format!("On the critical path, {}.", parts.join("; "));
    }
    if let Some(h) = b.first_heard_via.first() {
        let _ = write!(
            s,
            " Most target members first heard of the item via <strong>{}</strong> ({}).",
            esc(&h.name),
            pct(h.share)
        );
    }
    s
}

fn bottlenecks_section(scenario: &Scenario, results: &RunResults) -> String {
    let mut s = String::from(
        "<section id=\"bottlenecks\">\n<h2>Where the item gets stuck</h2>\n<p>Feedback travels from person to person. In \
         each replication, take the target member whose processing completed the threshold — the last one needed for \
         the 80% — and trace back how the item reached them: who passed it to whom, over which channel, back to the \
         source. That chain is the <strong>critical path</strong>. The people, links and channels that lie on it in \
         many replications are where the item gets stuck: making them faster, or adding a way around them, shortens \
         the time for everyone.</p>\n<p class=\"howto\">Shares of people, links and channels are of the replications \
         that reached the threshold (the source and the completing target member themselves are not counted as \
         people in between). <em>First heard via</em> is the share of the target members who processed the item \
         that first got it over each channel (<em>(source)</em>: they are where the item appeared).</p>\n",
    );
    for (i, v) in results.variants.iter().enumerate() {
        let b = &v.bottlenecks;
        let _ = writeln!(s, "<div class=\"bn\">\n<h3>{}</h3>", esc(&v.name));
        if b.reached_replications == 0 {
            s += "<p>No replication reached the threshold, so there is no critical path.</p>\n</div>\n";
            continue;
        }
        let _ = writeln!(s, "<p class=\"lead\">{}</p>\n<div class=\"grid\">", bottleneck_lead(b));
        let variant = scenario.variants.get(i).unwrap_or_else(|| scenario.baseline());
        // People.
        s += "<table><caption>People on the critical path</caption><thead><tr><th>person (role, unit)</th>\
              <th>share</th></tr></thead><tbody>\n";
        if b.people.is_empty() {
            s += "<tr><td colspan=\"2\">— (the item went straight from the source)</td></tr>\n";
        }
        for p in b.people.iter().take(HTML_TOP) {
            let _ = writeln!(
                s,
                "<tr><td>{}<span class=\"sub\">{}</span></td>{}</tr>",
                esc(&p.name),
                esc(&person_detail(variant, &p.name)),
                share_cell(p.share)
            );
        }
        s += "</tbody></table>\n";
        // Links.
        s += "<table><caption>Links on the critical path</caption><thead><tr><th>from → to (channel)</th>\
              <th>share</th></tr></thead><tbody>\n";
        if b.links.is_empty() {
            s += "<tr><td colspan=\"2\">—</td></tr>\n";
        }
        for l in b.links.iter().take(HTML_TOP) {
            let _ = writeln!(
                s,
                "<tr><td>{} → {}<span class=\"sub\">over {}</span></td>{}</tr>",
                esc(&l.source),
                esc(&l.target),
                esc(&l.channel),
                share_cell(l.share)
            );
        }
        s += "</tbody></table>\n";
        s += &share_table("Channels on the critical path", "channel", &b.channels, 12);
        s += &share_table("First heard via (target members)", "channel", &b.first_heard_via, 12);
        s += "</div>\n</div>\n";
    }
    s += "</section>\n";
    s
}

/// A key–value table.
fn kv_table(caption: &str, rows: &[(&str, String)]) -> String {
    let mut s = format!("<table class=\"kv\"><caption>{}</caption><tbody>\n", esc(caption));
    for (k, v) in rows {
        let _ = writeln!(s, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", esc(k), v);
    }
    s += "</tbody></table>\n";
    s
}

fn people_list(v: &Variant, people: &[u32]) -> String {
    let shown: Vec<&str> = people.iter().take(5).map(|&p| v.org.people[p as usize].id.as_str()).collect();
    let more = if people.len() > 5 { format!(" and {} more", people.len() - 5) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// Links that the scenario's settings add (community manager's watch, reach and mandate;
/// `add_links`), grouped by channel, sender role and receiver role.
fn extra_link_groups(v: &Variant) -> Vec<(String, String, String, bool, usize)> {
    let mut groups: BTreeMap<(String, String, String, bool), usize> = BTreeMap::new();
    for l in &v.extra_links {
        let key = (
            v.channels[l.channel as usize].name.clone(),
            v.org.role_of(l.source).to_string(),
            v.org.role_of(l.target).to_string(),
            l.direction == Direction::Both,
        );
        *groups.entry(key).or_default() += 1;
    }
    groups.into_iter().map(|((c, a, b, both), n)| (c, a, b, both, n)).collect()
}

/// "↔" for a two-way link, "→" for a one-way link.
fn arrow(both: bool) -> &'static str {
    if both { "↔" } else { "→" }
}

fn window_text(w: &Option<crate::dist::Dist>) -> String {
    w.as_ref().map_or_else(|| "unlimited".into(), |d| d.describe())
}

/// What a variant changes compared with the baseline, in short plain phrases (unescaped).
fn changes_from_baseline(b: &Variant, v: &Variant) -> Vec<String> {
    let mut out = Vec::new();
    if !std::sync::Arc::ptr_eq(&b.org, &v.org)
        && (b.org.people.len() != v.org.people.len() || b.org.links.len() != v.org.links.len())
    {
        out.push(format!(
            "organisation: {} people, {} links (baseline {} and {})",
            v.org.people.len(),
            v.org.links.len(),
            b.org.people.len(),
            b.org.links.len()
        ));
    }
    for c in &v.channels {
        match b.channels.iter().find(|x| x.name == c.name) {
            None => out.push(format!("channel {} added", c.name)),
            Some(bc) => {
                if bc.delay.describe() != c.delay.describe() {
                    out.push(format!("{} delay: {} → {}", c.name, bc.delay.describe(), c.delay.describe()));
                }
                if bc.transmit != c.transmit {
                    out.push(format!("{} transmit: {} → {}", c.name, num(bc.transmit), num(c.transmit)));
                }
                if bc.notice != c.notice {
                    let n = |x: Option<f64>| x.map_or_else(|| "receiver's".into(), num);
                    out.push(format!("{} notice: {} → {}", c.name, n(bc.notice), n(c.notice)));
                }
            }
        }
    }
    for r in &v.roles {
        if let Some(br) = b.roles.iter().find(|x| x.name == r.name) {
            if br.notice != r.notice {
                out.push(format!("{} notice: {} → {}", r.name, num(br.notice), num(r.notice)));
            }
            if br.processing.describe() != r.processing.describe() {
                out.push(format!("{} processing: {} → {}", r.name, br.processing.describe(), r.processing.describe()));
            }
            if window_text(&br.window) != window_text(&r.window) {
                out.push(format!("{} window: {} → {}", r.name, window_text(&br.window), window_text(&r.window)));
            }
        }
    }
    match (&b.community_manager, &v.community_manager) {
        (Some(a), Some(c)) => {
            if a.mandate != c.mandate {
                let yn = |m: bool| if m { "yes" } else { "no" };
                out.push(format!("community manager's mandate: {} → {}", yn(a.mandate), yn(c.mandate)));
            }
            if a.effect != c.effect {
                out.push(format!(
                    "mandate effect: notice ≥ {}, processing × {}",
                    num(c.effect.notice),
                    num(c.effect.processing_factor)
                ));
            }
            if a.person != c.person {
                out.push(format!("community manager: {}", v.org.people[c.person as usize].id));
            }
        }
        (None, Some(_)) => out.push("a community manager".into()),
        (Some(_), None) => out.push("no community manager".into()),
        (None, None) => {}
    }
    match (&b.involvement, &v.involvement) {
        (Some(a), Some(c)) => {
            if a.fraction != c.fraction {
                out.push(format!("involvement: {} → {}", pct(a.fraction), pct(c.fraction)));
            }
            if a.group.len() != c.group.len() || a.channel != c.channel || a.direction != c.direction {
                out.push(format!("involvement: {} of {} people", pct(c.fraction), c.group.len()));
            }
        }
        (None, Some(c)) => out.push(format!("involvement: {} of {} people", pct(c.fraction), c.group.len())),
        (Some(_), None) => out.push("no involvement".into()),
        (None, None) => {}
    }
    let (eb, ev) = (extra_link_groups(b), extra_link_groups(v));
    for g in &ev {
        let before = eb.iter().find(|x| (&x.0, &x.1, &x.2, x.3) == (&g.0, &g.1, &g.2, g.3)).map_or(0, |x| x.4);
        if before != g.4 {
            out.push(format!("links {} {} {} over {}: {} → {}", g.1, arrow(g.3), g.2, g.0, before, g.4));
        }
    }
    for g in &eb {
        if !ev.iter().any(|x| (&x.0, &x.1, &x.2, x.3) == (&g.0, &g.1, &g.2, g.3)) {
            out.push(format!("links {} {} {} over {}: {} → 0", g.1, arrow(g.3), g.2, g.0, g.4));
        }
    }
    if b.sources != v.sources {
        out.push(format!("source: {}", people_list(v, &v.sources)));
    }
    if b.target != v.target {
        out.push(format!("target: {} people ({})", v.target.len(), v.target_label));
    }
    if b.threshold != v.threshold {
        out.push(format!("threshold: {} → {}", num(b.threshold), num(v.threshold)));
    }
    out
}

fn assumptions_section(scenario: &Scenario, results: &RunResults) -> String {
    let b = scenario.baseline();
    let org = &b.org;
    let base = &results.variants[0];
    let mut s = String::from(
        "<section id=\"assumptions\">\n<h2>Organisation and assumptions</h2>\n<p>Everything the numbers above rest on, as \
         the scenario file states it (for the baseline). Challenge any of it: change the file and run it again.</p>\n",
    );

    // The run.
    let k = crate::model::threshold_rank(b.threshold, b.target.len());
    let mut run: Vec<(&str, String)> = vec![
        ("scenario file", format!("<code>{}</code>", esc(&file_name(scenario)))),
        ("source (where the item appears)", esc(&people_list(b, &b.sources)).into_owned()),
        (
            "target",
            format!(
                "{} people ({}); threshold {}: T is when the {k}{} of them has processed the item",
                b.target.len(),
                esc(&b.target_label),
                pct(b.threshold),
                crate::scenario::ordinal_suffix(k)
            ),
        ),
        (
            "horizon",
            format!(
                "{} h ({} working days); later counts as “not reached”",
                num(scenario.horizon_hours),
                num(scenario.horizon_hours / WORKING_DAY_HOURS)
            ),
        ),
        ("replications per variant", scenario.replications.to_string()),
        ("seed", scenario.seed.to_string()),
    ];
    if base.target_size as usize != b.target.len() {
        run.push(("target size in the run", base.target_size.to_string()));
    }
    if let Some(sw) = &scenario.sweep {
        run.push(("sweep", format!("{} ({} points)", esc(&sw.paths.join(" × ")), sw.points.len())));
    }
    s += &kv_table("The run", &run);

    // Community manager and involvement.
    let mut levers: Vec<(&str, String)> = Vec::new();
    match &b.community_manager {
        Some(cm) => {
            let who = &org.people[cm.person as usize].id;
            levers.push(("community manager", format!("{} ({})", esc(who), esc(&person_detail(b, who)))));
            levers.push(("mandate (baseline)", if cm.mandate { "yes".to_string() } else { "no".to_string() }));
            levers.push((
                "what a mandate changes",
                format!(
                    "receivers notice the manager's messages with probability at least {} and process them in {}× the \
                     usual time{}",
                    num(cm.effect.notice),
                    num(cm.effect.processing_factor),
                    if cm.mandate { "" } else { " (not in effect in the baseline)" }
                ),
            ));
            let reach: Vec<String> = extra_link_groups(b)
                .into_iter()
                .filter(|g| g.1 == org.role_of(cm.person) || g.2 == org.role_of(cm.person))
                .map(|(c, a, t, both, n)| {
                    format!("{n} link(s) {} {} {} over {}", esc(&a), arrow(both), esc(&t), esc(&c))
                })
                .collect();
            if !reach.is_empty() {
                levers.push(("watch and internal reach", reach.join("<br>")));
            }
        }
        None => levers.push(("community manager", "none in this scenario".into())),
    }
    match &b.involvement {
        Some(inv) => levers.push((
            "involvement",
            format!(
                "{} of {} people follow the community directly over <strong>{}</strong>{} (who is involved is drawn per \
                 replication)",
                pct(inv.fraction),
                inv.group.len(),
                esc(&b.channels[inv.channel as usize].name),
                if inv.direction == Direction::Both { " and post to it" } else { "" }
            ),
        )),
        None => levers.push(("involvement", "none in this scenario".into())),
    }
    s += &kv_table("The levers: community manager and involvement", &levers);

    // Organisation: people per unit and role.
    let _ = writeln!(
        s,
        "<h3>Organisation</h3>\n<p>{} people, {} links ({}).</p>",
        org.people.len(),
        org.links.len(),
        esc(&org.origin)
    );
    let mut counts: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for p in &org.people {
        *counts.entry((p.unit, p.role)).or_default() += 1;
    }
    s += "<div class=\"grid\">\n<table><caption>People per unit and role</caption><thead><tr><th>unit</th>\
          <th class=\"num\">people</th><th>roles</th></tr></thead><tbody>\n";
    for (u, unit) in org.units.iter().enumerate() {
        let mut roles: Vec<(&str, usize)> = counts
            .iter()
            .filter(|((uu, _), _)| *uu == u as u32)
            .map(|((_, r), &c)| (org.roles[*r as usize].as_str(), c))
            .collect();
        roles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let total: usize = roles.iter().map(|r| r.1).sum();
        let list: Vec<String> = roles.iter().map(|(r, c)| format!("{c} {}", esc(r))).collect();
        let _ =
            writeln!(s, "<tr><td>{}</td><td class=\"num\">{total}</td><td>{}</td></tr>", esc(unit), list.join(", "));
    }
    s += "</tbody></table>\n";
    let mut per_channel = vec![(0usize, 0usize); org.channels.len()];
    for l in &org.links {
        match l.direction {
            Direction::Both => per_channel[l.channel as usize].0 += 1,
            Direction::Forward => per_channel[l.channel as usize].1 += 1,
        }
    }
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    for g in extra_link_groups(b) {
        *added.entry(g.0).or_default() += g.4;
    }
    s += "<table><caption>Links per channel</caption><thead><tr><th>channel</th><th class=\"num\">two-way</th>\
          <th class=\"num\">one-way</th><th class=\"num\">added by settings</th></tr></thead><tbody>\n";
    let mut listed: Vec<&str> = Vec::new();
    for (c, name) in org.channels.iter().enumerate() {
        let (both, fwd) = per_channel[c];
        listed.push(name);
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{both}</td><td class=\"num\">{fwd}</td><td class=\"num\">{}</td></tr>",
            esc(name),
            added.get(name).copied().unwrap_or(0)
        );
    }
    for (name, n) in &added {
        if !listed.contains(&name.as_str()) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">{n}</td></tr>",
                esc(name)
            );
        }
    }
    s += "</tbody></table>\n</div>\n<p class=\"howto\"><em>Added by settings</em>: links that the community manager's \
          watch channel, reach and mandate or a variant's <code>add_links</code> add to the organisation's own \
          links (in the baseline).</p>\n";

    // Channels.
    s += "<table><caption>Channels: how messages travel</caption><thead><tr><th>channel</th><th>delay (hours)</th>\
          <th class=\"num\">mean delay</th><th class=\"num\">transmit</th><th class=\"num\">notice</th></tr></thead><tbody>\n";
    for c in &b.channels {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.1} h</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.name),
            esc(&c.delay.describe()),
            c.delay.mean(),
            pct(c.transmit),
            c.notice.map_or_else(|| "receiver's role".into(), pct)
        );
    }
    s += "</tbody></table>\n<p class=\"howto\"><em>delay</em>: time for a message to travel and be seen; \
          <em>transmit</em>: how often a sender passes the item on over a link of this channel; <em>notice</em>: how \
          often a delivered message is perceived (where set, it replaces the receiver role's value).</p>\n";

    // Roles.
    let mut role_people = vec![0usize; org.roles.len()];
    for p in &org.people {
        role_people[p.role as usize] += 1;
    }
    s += "<table><caption>Roles: how people take up the item</caption><thead><tr><th>role</th><th class=\"num\">people</th>\
          <th class=\"num\">notice</th><th>processing (hours)</th><th>window (hours)</th></tr></thead><tbody>\n";
    for (i, r) in b.roles.iter().enumerate() {
        let defaults = if r.defined { "" } else { "<span class=\"sub\">no [roles] table: defaults</span>" };
        let _ = writeln!(
            s,
            "<tr><td>{}{defaults}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.name),
            role_people.get(i).copied().unwrap_or(0),
            pct(r.notice),
            esc(&r.processing.describe()),
            esc(&window_text(&r.window))
        );
    }
    s += "</tbody></table>\n<p class=\"howto\"><em>notice</em>: how often a delivered message is perceived and taken \
          up; <em>processing</em>: from delivery to “processed”; <em>window</em>: how long after processing the person \
          keeps passing the item on.</p>\n";

    // Variants.
    if scenario.variants.len() > 1 {
        s += "<table><caption>The variants: what each changes</caption><thead><tr><th>variant</th><th>description</th>\
              <th>differs from the baseline in</th></tr></thead><tbody>\n";
        for v in &scenario.variants[1..] {
            let changes = changes_from_baseline(b, v);
            let changes = if changes.is_empty() {
                "nothing (the same as the baseline)".to_string()
            } else {
                changes.iter().map(|c| esc(c).into_owned()).collect::<Vec<_>>().join("<br>")
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{changes}</td></tr>",
                esc(&v.name),
                esc(v.description.as_deref().unwrap_or(""))
            );
        }
        s += "</tbody></table>\n";
    }
    s += "</section>\n";
    s
}
