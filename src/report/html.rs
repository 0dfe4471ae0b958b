//! `report.html`: the workshop report. One self-contained page (inline CSS and SVG charts, no
//! script, no external resource) that reads well on a projector and prints: the answer in one
//! sentence per variant, the table of variants, the charts, where the item gets stuck, and the
//! organisation and assumptions behind the numbers.
//!
//! Every text that comes from the scenario or its CSV files goes through [`esc`].

use crate::random::dist::{fmt_decimals, fmt_pct};
use std::fmt::Write as _;

use super::charts::Chart;
pub(crate) use super::markup::esc;
use super::markup::figure;
use super::{WORKING_DAY_HOURS, answer_sentence, headline_row};
use crate::analysis::facts::{Assumptions, Facts};
use crate::analysis::results::{Bottlenecks, Results, Share};

/// How many people and links the bottleneck tables list per variant.
pub(crate) const HTML_TOP: usize = 5;

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
.flows { display: flex; flex-wrap: wrap; gap: 1.5rem; } table.flow td { text-align: right; min-width: 2.5rem; }
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
.recommendation { font-size: 1.25rem; margin: .6rem 0 1rem; padding: .7rem 1rem; border-left: 8px solid var(--accent); background: var(--band); }
details { margin: .6rem 0 1rem; }
details > summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.printnote { display: none; }
.share { white-space: nowrap; font-variant-numeric: tabular-nums; }
.track { display: inline-block; width: 5rem; height: .8em; background: #e3e8ee; margin-right: .5em; vertical-align: middle; }
.bar { display: block; height: 100%; background: var(--accent); }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--rule); padding-top: .6rem; }
@page { size: A4; margin: 12mm; }
@media print {
  html { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2 { font-size: 1.4rem; margin: 1rem 0 .5rem; }
  h3 { margin: .8rem 0 .3rem; }
  footer { margin-top: 1rem; }
  table, figure, .answers li { break-inside: avoid; page-break-inside: avoid; }
  figure { margin: .6rem 0 1rem; }
  figure svg { width: auto; max-width: 100%; max-height: 90mm; margin: 0 auto; }
  details, .sweeppoint { display: none; }
  .answers li { font-size: 1rem; margin: .4rem 0; padding: .35rem .8rem; }
  .recommendation { font-size: 1.1rem; }
  h1 { font-size: 1.8rem; }
  .printnote { display: block; color: var(--muted); font-size: .9rem; }
  .grid { display: block; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// A table cell with a share: a small bar and the percentage.
fn share_cell(share: f64) -> String {
    format!(
        r#"<td class="share"><span class="track"><span class="bar" style="width:{:.1}%"></span></span>{}</td>"#,
        (100.0 * share).clamp(0.0, 100.0),
        fmt_pct(share)
    )
}

/// The whole page.
pub(crate) fn page(
    results: &Results,
    facts: &Facts,
    charts: &[Chart],
    sensitivity: Option<&crate::analysis::sensitivity::Sensitivity>,
    decision: &crate::analysis::decision::Decision,
    unit_flow: &crate::analysis::flow::UnitFlow,
) -> String {
    let base = &results.variants[0];
    let t = format!("T{:.0}", 100.0 * base.threshold);
    let mut s = String::with_capacity(1 << 20);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"permeate {}\">\n<title>{} — permeate report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&results.permeate_version),
        esc(&results.scenario)
    );

    // Title and description.
    let _ = writeln!(s, "<header id=\"title\">\n<h1>{}</h1>", esc(&results.scenario));
    if let Some(d) = &results.description {
        let _ = writeln!(s, "<p class=\"description\">{}</p>", esc(d.trim()));
    }
    let _ = writeln!(
        s,
        "<p class=\"meta\"><strong>{t}</strong> is the time until {:.0}% of the target ({}, {}) have perceived \
         and processed an item of feedback that appears at the source. {}, seed {}, \
         horizon {} h ({}). All variants share common random numbers, so each is compared with \
         the baseline replication by replication.</p>",
        100.0 * base.threshold,
        super::units::count(u64::from(base.target_size), "person", "people"),
        esc(&base.target_label),
        super::replications_text(results),
        results.seed,
        fmt_decimals(results.horizon_hours, 4),
        horizon_days(results, base.clock.is_some()),
    );
    let costs_link = if results.route.is_some() { "<a href=\"#costs\">What it costs</a>" } else { "" };
    let _ = writeln!(
        s,
        "<nav><a href=\"#decision\">The decision</a><a href=\"#answer\">The answer</a><a href=\"#variants\">All variants</a>{costs_link}<a href=\"#charts\">Charts</a>\
          <a href=\"#bottlenecks\">Where it gets stuck</a><a href=\"#assumptions\">Organisation and assumptions</a></nav>\n</header>"
    );

    // The decision first.
    s += &super::decision::section(
        results,
        decision,
        charts.iter().filter(|c| c.file == super::charts::DECISION_CHART || c.file == super::charts::TIPPING_CHART),
    );

    // Where the item travels between units.
    s += &unit_flow_section(unit_flow, charts.iter().find(|c| c.file == super::organisation::ORGANISATION_CHART));

    // The answer.
    s += "<section id=\"answer\">\n<h2>The answer</h2>\n<ul class=\"answers\">\n";
    let sweep_points = results.sweep_points();
    for (i, v) in results.variants.iter().enumerate().filter(|(i, _)| !sweep_points.contains(i)) {
        let class = if i == 0 { " class=\"baseline\"" } else { "" };
        let _ = writeln!(s, "<li{class}>{}</li>", esc(&answer_sentence(results, decision, v)));
    }
    s += "</ul>\n";
    if !sweep_points.is_empty() {
        let _ = writeln!(
            s,
            "<details>\n<summary>The answer at every sweep point ({})</summary>\n<ul class=\"answers\">",
            sweep_points.len()
        );
        for &i in &sweep_points {
            let _ = writeln!(
                s,
                "<li class=\"sweep\">{}</li>",
                esc(&answer_sentence(results, decision, &results.variants[i]))
            );
        }
        s += "</ul>\n</details>\n<p class=\"printnote\">The answer at every sweep point: on screen, and in \
              <code>sweep.csv</code>.</p>\n";
    }
    s += "</section>\n";

    // The table of variants.
    s += &variants_table(results);
    s += &super::costs::costs_html(results, charts.iter().find(|c| c.file == super::charts::COSTS_CHART));

    // Charts.
    s += "<section id=\"charts\">\n<h2 class=\"charts\">Charts</h2>\n<p class=\"howto\">The same charts are in the \
          <code>charts/</code> folder beside this report, as SVG files for slides.</p>\n";
    let is_sensitivity = |c: &&Chart| c.file.starts_with("sensitivity-");
    for c in charts.iter().filter(|c| {
        !is_sensitivity(c)
            && c.file != super::charts::COSTS_CHART
            && c.file != super::charts::DECISION_CHART
            && c.file != super::charts::TIPPING_CHART
            && c.file != super::organisation::ORGANISATION_CHART
    }) {
        s += &figure(c);
    }
    s += "</section>\n";

    // Which assumption matters.
    if let Some(sens) = sensitivity {
        s += &sensitivity_section(sens, charts.iter().filter(is_sensitivity));
    }
    if let Some(u) = &results.uncertain {
        s += &uncertain_section(u);
    }

    // Bottlenecks.
    s += &bottlenecks_section(results);

    // Organisation and assumptions.
    s += &assumptions_section(results, facts);

    let _ = writeln!(
        s,
        "<footer>Made by permeate {} from <code>{}</code> with seed {} and {} replications per variant. The numbers \
         are in <code>summary.json</code>, <code>replications.csv</code> and <code>curve.csv</code> beside this \
         report; the same scenario file and seed give the same numbers.</footer>\n</main>\n</body>\n</html>",
        esc(&results.permeate_version),
        esc(&facts.file_name),
        results.seed,
        results.replications
    );
    s
}

fn variants_table(results: &Results) -> String {
    let mut s = String::from(
        "<section id=\"variants\">\n<h2>All variants compared</h2>\n<table class=\"headline\">\n<thead><tr>",
    );
    for (i, h) in super::headline(results).iter().enumerate() {
        let class = if (1..5).contains(&i) { " class=\"num\"" } else { "" };
        let _ = write!(s, "<th{class}>{}</th>", esc(h));
    }
    s += "</tr></thead>\n<tbody>\n";
    let sweep_points = results.sweep_points();
    for (k, v) in results.variants.iter().enumerate() {
        let row = headline_row(results, v);
        s += if sweep_points.contains(&k) { "<tr class=\"sweeppoint\">" } else { "<tr>" };
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, "<td><strong>{}</strong>", esc(cell));
                // The baseline's description is the scenario's, shown at the top already.
                if let Some(d) = v
                    .description
                    .as_ref()
                    .filter(|d| !std::ptr::eq(v, &results.variants[0]) || Some(*d) != results.description.as_ref())
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
    if !sweep_points.is_empty() {
        s += "<p class=\"printnote\">The sweep's points: on screen, and in <code>sweep.csv</code>.</p>\n";
    }
    s += "<p class=\"howto\">How to read this: <em>reached</em> is the share of replications in which the threshold was \
          reached before the horizon. Medians and quantiles count a replication that did not reach as “never”; the \
          mean and its interval are over the replications that reached. <em>vs baseline</em> compares each replication \
          with the same replication of the baseline: the mean difference in hours over replications where both \
          reached (negative = faster) with its 95% interval, the median difference, and the range that holds the middle \
          80% of the paired differences. ";
    s += &esc(&super::coupling_note(results));
    s += "</p>\n</section>\n";
    s
}

/// "Which assumption matters": the advice, one chart per output and the table of indices.
fn sensitivity_section<'c>(
    sens: &crate::analysis::sensitivity::Sensitivity,
    charts: impl Iterator<Item = &'c Chart>,
) -> String {
    let mut s =
        String::from("<section id=\"sensitivity\">\n<h2>Which assumption matters</h2>\n<ul class=\"answers\">\n");
    // The decisions' advice first; the advice on each variant's T itself folded.
    let decision_output = |i: usize| sens.outputs.get(i).is_none_or(|o| o.decision);
    for (_, a) in sens.advice.iter().enumerate().filter(|(i, _)| decision_output(*i)) {
        let _ = writeln!(s, "<li>{}</li>", esc(a));
    }
    let others: Vec<&String> =
        sens.advice.iter().enumerate().filter(|(i, _)| !decision_output(*i)).map(|(_, a)| a).collect();
    if !others.is_empty() {
        s += "</ul>\n<details>\n<summary>On each variant's T itself</summary>\n<ul class=\"answers\">\n";
        for a in others {
            let _ = writeln!(s, "<li>{}</li>", esc(a));
        }
        s += "</ul>\n</details>\n<ul class=\"answers\">\n";
    }
    let _ = writeln!(
        s,
        "</ul>\n<p class=\"howto\">A {} study over {} plausible worlds ({} {}), {} replications per world and variant. {}</p>",
        esc(&sens.method),
        sens.worlds,
        sens.samples,
        if sens.method == "sobol" { "base samples" } else { "trajectories" },
        sens.replications,
        if sens.method == "sobol" {
            "Per world, each variant's median T and its median paired difference with the baseline are the outputs \
             (a replication that did not reach counts as the horizon). The total-order index of an assumption is the \
             share of the output's variance that would go if it were known exactly; the first-order index, the share \
             it explains alone. Intervals: 95% bootstrap over the base samples."
        } else {
            "Morris screening: μ* is the mean absolute change of the output (hours) when an assumption moves over its \
             plausible range, σ its spread."
        }
    );
    let charts: Vec<&Chart> = charts.collect();
    if !charts.is_empty() {
        let _ = writeln!(s, "<details>\n<summary>The indices of every output ({} charts)</summary>", charts.len());
        for c in charts {
            s += &figure(c);
        }
        s += "</details>\n<p class=\"printnote\">The indices of every output: on screen, in <code>charts/</code> and \
              in <code>sensitivity.csv</code>.</p>\n";
    }
    s += "</section>\n";
    s
}

/// The uncertain assumptions behind the worlds.
fn uncertain_section(u: &crate::analysis::results::UncertainSummary) -> String {
    let mut s = format!(
        "<section id=\"uncertain\">\n<h2>Uncertain assumptions</h2>\n<p>The answers above are over {} plausible worlds: in \
         each, every assumption below takes a value from its plausible range, and every variant runs the same \
         replications with the same random draws. Ranges “across plausible assumptions” are the 10–90% range of the \
         per-world medians.</p>\n{}<p class=\"printnote\">The assumptions and their plausible values: on screen, and in the scenario file.</p>\n<details>\n<summary>The uncertain assumptions and their plausible values</summary>\n<table><thead><tr><th>assumption</th><th>drives</th><th>plausible values</th></tr></thead><tbody>\n",
        u.worlds,
        if matches!(u.design, crate::design::worlds::WorldDesign::Posterior { .. }) {
            "<p>These worlds are a calibration's posterior (<code>run --posterior</code>): their values were fitted to \
             measured processing times, so they spread over what the measurements left open, not over the ranges below.</p>\n"
        } else {
            ""
        }
    );
    for f in &u.factors {
        let how = match f.mode {
            crate::design::worlds::Mode::Set => "set to",
            crate::design::worlds::Mode::Scale => "multiplied by",
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{} ({how} the value)</td><td>{}</td></tr>",
            esc(&f.name),
            esc(&f.paths.join(", ")),
            esc(&f.plausible)
        );
    }
    s += "</tbody></table>\n</details>\n</section>\n";
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

/// The unit → unit flow of the critical paths: one matrix per point (baseline and recommended
/// side by side), rows the sender's unit, columns the receiver's, each cell the share of the
/// point's replications whose critical path passes that way, shaded by it. Empty without any
/// critical path.
pub(crate) fn unit_flow_section(flow: &crate::analysis::flow::UnitFlow, picture: Option<&Chart>) -> String {
    if flow.units.is_empty() {
        return String::new();
    }
    let mut s = String::from("<section id=\"flow\">\n<h2>Where the item travels between units</h2>\n");
    if let Some(c) = picture {
        s += &figure(c);
    }
    s += "<details>\n<summary>The flow as numbers</summary>\n<p class=\"howto\">Each cell: the share \
          of replications whose critical path passes the item from a person of the row's unit to a person of the \
          column's unit (empty: never). The complete counts are in <code>unit-flow.csv</code>.</p>\n<div class=\"flows\">\n";
    for p in &flow.points {
        let _ =
            write!(s, "<table class=\"flow\"><caption>{}</caption><thead><tr><th>from ↓ to →</th>", esc(&p.variant));
        for u in &flow.units {
            let _ = write!(s, "<th>{}</th>", esc(u));
        }
        s += "</tr></thead><tbody>\n";
        for from in &flow.units {
            let _ = write!(s, "<tr><th>{}</th>", esc(from));
            for to in &flow.units {
                match p.cell(from, to) {
                    Some(c) => {
                        let _ = write!(
                            s,
                            "<td style=\"background:rgba(31,119,180,{:.2})\">{:.0}%</td>",
                            0.1 + 0.8 * c.share.clamp(0.0, 1.0),
                            100.0 * c.share
                        );
                    }
                    None => s += "<td></td>",
                }
            }
            s += "</tr>\n";
        }
        s += "</tbody></table>\n";
    }
    s += "</div>\n</details>\n</section>\n";
    s
}

/// One plain sentence on a variant's bottlenecks.
fn bottleneck_lead(b: &Bottlenecks) -> String {
    let mut parts = Vec::new();
    if let Some(c) = b.channels.first() {
        parts.push(format!(
            "the item most often travels over the channel <strong>{}</strong> (in {} of the replications that reached)",
            esc(&c.name),
            fmt_pct(c.share)
        ));
    }
    if let Some(p) = b.people.first() {
        parts.push(format!(
            "the person most often in between is <strong>{}</strong> ({})",
            esc(&p.label()),
            fmt_pct(p.share)
        ));
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
            fmt_pct(h.share)
        );
    }
    s
}

fn bottlenecks_section(results: &Results) -> String {
    let mut s = String::from(
        "<section id=\"bottlenecks\">\n<h2>Where the item gets stuck</h2>\n<p>Feedback travels from person to person. In \
         each replication, take the target member whose processing completed the threshold — the last one needed for \
         the 80% — and trace back how the item reached them: who passed it to whom, over which channel, back to the \
         source. That chain is the <strong>critical path</strong>. The people, links and channels that lie on it in \
         many replications are where the item gets stuck: making them faster, or adding a way around them, shortens \
         the time for everyone.</p>\n<details>\n<summary>How the shares are counted</summary>\n<p class=\"howto\">Shares of people, links and channels are of the replications \
         that reached the threshold (the source and the completing target member themselves are not counted as \
         people in between). <em>First heard via</em> is the share of the target members who processed the item \
         that first got it over each channel (<em>(source)</em>: they are where the item appeared).</p>\n</details>\n",
    );
    let sweep_points = results.sweep_points();
    for (k, v) in results.variants.iter().enumerate() {
        let b = &v.bottlenecks;
        let class = if sweep_points.contains(&k) { "bn sweeppoint" } else { "bn" };
        let _ = writeln!(s, "<div class=\"{class}\">\n<h3>{}</h3>", esc(&v.name));
        if b.reached_replications == 0 {
            s += "<p>No replication reached the threshold, so there is no critical path.</p>\n</div>\n";
            continue;
        }
        let _ = writeln!(
            s,
            "<p class=\"lead\">{}</p>\n<details>\n<summary>People, links, units, roles and channels on the critical \
             path of “{}”</summary>\n<div class=\"grid\">",
            bottleneck_lead(b),
            esc(&v.name)
        );
        // People.
        let columns = if b.sites.is_empty() { "role, unit" } else { "role, unit, site" };
        let _ = writeln!(
            s,
            "<table><caption>People on the critical path</caption><thead><tr><th>person ({columns})</th>\
             <th>share</th></tr></thead><tbody>"
        );
        if b.people.is_empty() {
            s += "<tr><td colspan=\"2\">— (the item went straight from the source)</td></tr>\n";
        }
        for p in b.people.iter().take(HTML_TOP) {
            let _ = writeln!(
                s,
                "<tr><td>{}<span class=\"sub\">{}</span></td>{}</tr>",
                esc(&p.label()),
                esc(&match &p.site {
                    Some(site) => format!("{}, {}, {site}", p.role, p.unit),
                    None => format!("{}, {}", p.role, p.unit),
                }),
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
                esc(&l.source_label()),
                esc(&l.target_label()),
                esc(&l.channel),
                share_cell(l.share)
            );
        }
        s += "</tbody></table>\n";
        s += &share_table("Units on the critical path", "unit", &b.units, 12);
        s += &share_table("Roles on the critical path", "role", &b.roles, 12);
        if !b.sites.is_empty() {
            s += &share_table("Sites on the critical path", "site", &b.sites, 12);
        }
        s += &share_table("Channels on the critical path", "channel", &b.channels, 12);
        s += &share_table("First heard via (target members)", "channel", &b.first_heard_via, 12);
        s += "</div>\n</details>\n</div>\n";
    }
    s += "<p class=\"printnote\">The tables of people, links, units, roles and channels on the critical path: on \
          screen, and in <code>summary.md</code>.</p>\n</section>\n";
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

/// The organisation and the assumptions behind the numbers, from the facts.
fn assumptions_section(results: &Results, facts: &Facts) -> String {
    let a = &facts.assumptions;
    let mut s = String::from(
        "<section id=\"assumptions\">\n<h2>Organisation and assumptions</h2>\n<p>Everything the numbers above rest on, as \
         the scenario file states it (for the baseline). Challenge any of it: change the file and run it again.</p>\n\
         <p class=\"printnote\">The tables of the organisation and its assumptions: on screen, and in the scenario \
         file.</p>\n<details>\n<summary>The run, the levers, the organisation, its channels and roles</summary>\n",
    );

    s += &run_table(results, facts);
    s += &levers_table(a);
    s += &organisation_tables(a);
    s += &calendars_table(a);
    s += &channels_table(a);
    s += &defaults_list(a);
    s += &roles_table(a);
    s += &variants_changes_table(facts);
    s += "</details>\n</section>\n";
    s
}

/// The run: file, source, start, target, horizon, replications, seed, sweep.
fn run_table(results: &Results, facts: &Facts) -> String {
    let a = &facts.assumptions;
    let base = &results.variants[0];
    let mut s = String::new();
    let k = facts.points[0].k as usize;
    let mut run: Vec<(&str, String)> = vec![
        ("scenario file", format!("<code>{}</code>", esc(&facts.file_name))),
        ("source (where the item appears)", esc(&a.source).into_owned()),
        (
            "target",
            format!(
                "{} ({}); threshold {}: T is when the {k}{} of them has processed the item",
                super::units::count(u64::from(base.target_size), "person", "people"),
                esc(&base.target_label),
                fmt_pct(base.threshold),
                crate::analysis::facts::ordinal_suffix(k)
            ),
        ),
        (
            "horizon",
            format!(
                "{} h ({}); later counts as “not reached”",
                fmt_decimals(results.horizon_hours, 4),
                if results.variants.first().is_some_and(|v| v.clock.is_some()) {
                    horizon_days(results, true)
                } else {
                    format!("{} working days", fmt_decimals(results.horizon_hours / WORKING_DAY_HOURS, 4))
                }
            ),
        ),
        ("replications per variant", results.replications.to_string()),
        ("seed", results.seed.to_string()),
    ];
    if let Some(start) = &a.start {
        run.insert(2, ("when the item appears", esc(start).into_owned()));
    }
    if let Some(sw) = &results.sweep {
        run.push(("sweep", format!("{} ({} points)", esc(&sw.paths.join(" × ")), sw.points.len())));
    }
    s += &kv_table("The run", &run);
    s
}

/// The levers: the community managers and involvement.
fn levers_table(a: &Assumptions) -> String {
    let mut s = String::new();
    let mut levers: Vec<(&str, String)> = Vec::new();
    match &a.community_manager {
        Some(cm) => {
            levers.push(("community manager", format!("{} ({})", esc(&cm.id), esc(&cm.detail))));
            levers.push(("mandate (baseline)", if cm.mandate { "yes".to_string() } else { "no".to_string() }));
            levers.push((
                "what a mandate changes",
                format!(
                    "receivers notice the manager's messages with probability at least {} and process them in {}× the \
                     usual time{}",
                    fmt_decimals(cm.mandate_notice, 4),
                    fmt_decimals(cm.mandate_processing_factor, 4),
                    if cm.mandate { "" } else { " (not in effect in the baseline)" }
                ),
            ));
            if !cm.reach.is_empty() {
                let reach: Vec<String> = cm.reach.iter().map(|r| esc(r).into_owned()).collect();
                levers.push(("watch and internal reach", reach.join("<br>")));
            }
        }
        None => levers.push(("community manager", "none in this scenario".into())),
    }
    for cm in &a.other_community_managers {
        levers.push((
            "another community manager",
            format!(
                "{} ({}); mandate (baseline): {}{}",
                esc(&cm.id),
                esc(&cm.detail),
                if cm.mandate { "yes" } else { "no" },
                if cm.reach.is_empty() {
                    String::new()
                } else {
                    let reach: Vec<String> = cm.reach.iter().map(|r| esc(r).into_owned()).collect();
                    format!("<br>{}", reach.join("<br>"))
                }
            ),
        ));
    }
    match &a.involvement {
        Some(inv) => levers.push((
            "involvement",
            format!(
                "{} of {} people follow the community directly over <strong>{}</strong>{} (who is involved is drawn per \
                 replication)",
                fmt_pct(inv.fraction),
                inv.group_size,
                esc(&inv.channel),
                if inv.posts { " and post to it" } else { "" }
            ),
        )),
        None => levers.push(("involvement", "none in this scenario".into())),
    }
    s += &kv_table("The levers: community manager and involvement", &levers);
    s
}

/// People per unit and role, links per channel.
fn organisation_tables(a: &Assumptions) -> String {
    let mut s = String::new();
    let org = &a.organisation;
    let _ =
        writeln!(s, "<h3>Organisation</h3>\n<p>{} people, {} links ({}).</p>", org.people, org.links, esc(&org.origin));
    s += "<div class=\"grid\">\n<table><caption>People per unit and role</caption><thead><tr><th>unit</th>\
          <th class=\"num\">people</th><th>roles</th></tr></thead><tbody>\n";
    for unit in &org.units {
        let list: Vec<String> = unit.roles.iter().map(|(r, c)| format!("{c} {}", esc(r))).collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&unit.name),
            unit.people,
            list.join(", ")
        );
    }
    s += "</tbody></table>\n";
    s += "<table><caption>Links per channel</caption><thead><tr><th>channel</th><th class=\"num\">two-way</th>\
          <th class=\"num\">one-way</th><th class=\"num\">added by settings</th></tr></thead><tbody>\n";
    for c in &org.channel_links {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.name),
            c.both,
            c.forward,
            c.added
        );
    }
    s += "</tbody></table>\n</div>\n<p class=\"howto\"><em>Added by settings</em>: links that the community manager's \
          watch channel, reach and mandate or a variant's <code>add_links</code> add to the organisation's own \
          links (in the baseline).</p>\n";
    s
}

/// The working calendars (nothing without calendars).
fn calendars_table(a: &Assumptions) -> String {
    let mut s = String::new();
    if !a.calendars.is_empty() {
        s += "<table><caption>Working calendars: processing counts working time only</caption><thead><tr>\
              <th>calendar</th><th>time zone</th><th>working time</th><th class=\"num\">people</th></tr></thead><tbody>\n";
        for c in &a.calendars {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&c.name),
                esc(&c.timezone),
                esc(&c.working_time),
                c.people
            );
        }
        s += "</tbody></table>\n";
    }
    s
}

/// The channels: delay (a meeting with its wait), mean delay, transmit, notice.
fn channels_table(a: &Assumptions) -> String {
    let mut s = String::new();
    s += "<table><caption>Channels: how messages travel</caption><thead><tr><th>channel</th><th>delay (hours)</th>\
          <th class=\"num\">mean delay</th><th class=\"num\">transmit</th><th class=\"num\">notice</th></tr></thead><tbody>\n";
    for c in &a.channels {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{} h{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.name),
            if c.timing.is_empty() {
                esc(&c.delay).into_owned()
            } else {
                format!("{}; then {}", esc(&c.timing), esc(&c.delay))
            },
            crate::random::dist::fmt_fixed(c.mean_delay, 1),
            match c.mean_wait_hours {
                Some(w) => format!(" after a wait of {} h", crate::random::dist::fmt_fixed(w, 1)),
                None if !c.timing.is_empty() && c.timing.starts_with("meets ") =>
                    " after the wait for the meeting".into(),
                None => String::new(),
            },
            fmt_pct(c.transmit),
            c.notice.map_or_else(|| "receiver's role".into(), fmt_pct)
        );
    }
    s += "</tbody></table>\n<p class=\"howto\"><em>delay</em>: time for a message to travel and be seen; \
          <em>transmit</em>: how often a sender passes the item on over a link of this channel; <em>notice</em>: how \
          often a delivered message is perceived (where set, it replaces the receiver role's value).</p>\n";
    s
}

/// Defaults that act without a table in the scenario.
fn defaults_list(a: &Assumptions) -> String {
    let mut s = String::new();
    if !a.warnings.is_empty() {
        s += "<ul class=\"warnings\">\n";
        for w in &a.warnings {
            let _ = writeln!(s, "<li><strong>Default:</strong> {}</li>", esc(w));
        }
        s += "</ul>\n";
    }
    s
}

/// The roles: people, notice, processing, window and (where any) absence.
fn roles_table(a: &Assumptions) -> String {
    let mut s = String::new();
    let absence = a.roles.iter().any(|r| r.absent > 0.0);
    let _ = writeln!(
        s,
        "<table><caption>Roles: how people take up the item</caption><thead><tr><th>role</th><th class=\"num\">people</th>\
         <th class=\"num\">notice</th><th>processing (hours)</th><th>window (hours)</th>{}</tr></thead><tbody>",
        if absence { "<th class=\"num\">absent</th>" } else { "" }
    );
    for r in &a.roles {
        let defaults = if r.defined { "" } else { "<span class=\"sub\">no [roles] table: defaults</span>" };
        let absent = if absence { format!("<td class=\"num\">{}</td>", fmt_pct(r.absent)) } else { String::new() };
        let _ = writeln!(
            s,
            "<tr><td>{}{defaults}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>{absent}</tr>",
            esc(&r.name),
            r.people,
            fmt_pct(r.notice),
            esc(&r.processing),
            esc(&r.window)
        );
    }
    s += "</tbody></table>\n<p class=\"howto\"><em>notice</em>: how often a delivered message is perceived and taken \
          up; <em>processing</em>: from delivery to “processed”; <em>window</em>: how long after processing the person \
          keeps passing the item on.</p>\n";
    if absence {
        s += "<p class=\"howto\"><em>absent</em>: the chance that a person of the role is away for the whole \
              period, drawn per replication (an absent person neither notices nor passes on the item).</p>\n";
    }
    s
}

/// What each variant changes (nothing with the baseline alone).
fn variants_changes_table(facts: &Facts) -> String {
    let mut s = String::new();
    if facts.points.len() > 1 {
        s += "<table><caption>The variants: what each changes</caption><thead><tr><th>variant</th><th>description</th>\
              <th>differs from the baseline in</th></tr></thead><tbody>\n";
        for p in &facts.points[1..] {
            let changes = if p.changes.is_empty() {
                "nothing (the same as the baseline)".to_string()
            } else {
                p.changes.iter().map(|c| esc(c).into_owned()).collect::<Vec<_>>().join("<br>")
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{changes}</td></tr>",
                esc(&p.name),
                esc(p.description.as_deref().unwrap_or(""))
            );
        }
        s += "</tbody></table>\n";
    }
    s
}

/// The horizon in days: calendar days of 24 h with calendars (T is elapsed clock time), else
/// working days of 8 h.
fn horizon_days(results: &Results, calendars: bool) -> String {
    if calendars {
        format!("{} calendar days, elapsed time since the item appeared", fmt_decimals(results.horizon_hours / 24.0, 1))
    } else {
        format!(
            "{} working days of {} h",
            fmt_decimals(results.horizon_hours / WORKING_DAY_HOURS, 1),
            fmt_decimals(WORKING_DAY_HOURS, 4)
        )
    }
}
