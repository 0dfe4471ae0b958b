//! `report.html`: the workshop report. One self-contained page (inline CSS and SVG charts, no
//! script, no external resource) that reads well on a projector and prints: the decision, the
//! answer in one sentence per variant, the table of variants, the charts, where the item gets
//! stuck, and the organisation and assumptions behind the numbers.
//!
//! A maud template: every text that comes from the scenario or its CSV files is escaped by
//! maud; only the stylesheet and plotters' SVG go in as they are (see [`super::markup`]). A new
//! section is a function returning [`Markup`], called in order from [`page`].

use crate::random::dist::{fmt_decimals, fmt_pct};

use maud::{Markup, html};

use super::charts::Chart;
use super::markup::{document, figure};
use super::{WORKING_DAY_HOURS, answer_sentence, headline_row};
use crate::analysis::facts::{Assumptions, Facts};
use crate::analysis::results::{Bottlenecks, Results, Share};

/// How many people and links the bottleneck tables list per variant.
pub(crate) const HTML_TOP: usize = 5;

/// A table cell with a share: a small bar and the percentage.
fn share_cell(share: f64) -> Markup {
    html! {
        td.share {
            span.track { span.bar style={ "width:" (format!("{:.1}", (100.0 * share).clamp(0.0, 100.0))) "%" } {} }
            (fmt_pct(share))
        }
    }
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
    let sweep_points = results.sweep_points();
    let is_sensitivity = |c: &&Chart| c.file.starts_with("sensitivity-");
    let body = html! {
        // Title and description.
        header #title {
            h1 { (results.scenario) }
            @if let Some(d) = &results.description { p.description { (d.trim()) } }
            p.meta {
                strong { (t) } " is the time until " (format!("{:.0}", 100.0 * base.threshold)) "% of the target ("
                (super::units::count(u64::from(base.target_size), "person", "people")) ", " (base.target_label)
                ") have perceived and processed an item of feedback that appears at the source. "
                (super::replications_text(results)) ", seed " (results.seed) ", horizon "
                (fmt_decimals(results.horizon_hours, 4)) " h (" (horizon_days(results, base.clock.is_some()))
                "). All variants share common random numbers, so each is compared with the baseline replication by \
                 replication."
            }
            nav {
                a href="#decision" { "The decision" }
                a href="#answer" { "The answer" }
                a href="#variants" { "All variants" }
                @if results.route.is_some() { a href="#costs" { "What it costs" } }
                a href="#charts" { "Charts" }
                a href="#bottlenecks" { "Where it gets stuck" }
                a href="#assumptions" { "Organisation and assumptions" }
            }
        }
        // The decision first.
        (super::decision::section(
            results,
            decision,
            charts.iter().filter(|c| c.file == super::charts::DECISION_CHART || c.file == super::charts::TIPPING_CHART),
        ))
        // Where the item travels between units.
        (unit_flow_section(unit_flow, charts.iter().find(|c| c.file == super::organisation::ORGANISATION_CHART)))
        // The answer.
        section #answer {
            h2 { "The answer" }
            ul.answers {
                @for (i, v) in results.variants.iter().enumerate().filter(|(i, _)| !sweep_points.contains(i)) {
                    li class=[(i == 0).then_some("baseline")] { (answer_sentence(results, decision, v)) }
                }
            }
            @if !sweep_points.is_empty() {
                details {
                    summary { "The answer at every sweep point (" (sweep_points.len()) ")" }
                    ul.answers {
                        @for &i in &sweep_points {
                            li.sweep { (answer_sentence(results, decision, &results.variants[i])) }
                        }
                    }
                }
                p.printnote { "The answer at every sweep point: on screen, and in " code { "sweep.csv" } "." }
            }
        }
        // The table of variants and what they cost.
        (variants_table(results))
        (super::costs::costs_html(results, charts.iter().find(|c| c.file == super::charts::COSTS_CHART)))
        // Charts.
        section #charts {
            h2.charts { "Charts" }
            p.howto {
                "The same charts are in the " code { "charts/" } " folder beside this report, as SVG files for slides."
            }
            @for c in charts.iter().filter(|c| {
                !is_sensitivity(c)
                    && c.file != super::charts::COSTS_CHART
                    && c.file != super::charts::DECISION_CHART
                    && c.file != super::charts::TIPPING_CHART
                    && c.file != super::organisation::ORGANISATION_CHART
            }) {
                (figure(c))
            }
        }
        // Which assumption matters.
        @if let Some(sens) = sensitivity { (sensitivity_section(sens, charts.iter().filter(is_sensitivity))) }
        @if let Some(u) = &results.uncertain { (uncertain_section(u)) }
        (bottlenecks_section(results))
        (assumptions_section(results, facts))
        footer {
            "Made by permeate " (results.permeate_version) " from " code { (facts.file_name) } " with seed "
            (results.seed) " and " (results.replications) " replications per variant. The numbers are in "
            code { "summary.json" } ", " code { "replications.csv" } " and " code { "curve.csv" }
            " beside this report; the same scenario file and seed give the same numbers."
        }
    };
    document(&format!("{} — permeate report", results.scenario), &results.permeate_version, body).into_string()
}

fn variants_table(results: &Results) -> Markup {
    let num = |i: usize| (1..5).contains(&i);
    let sweep_points = results.sweep_points();
    html! {
        section #variants {
            h2 { "All variants compared" }
            table.headline {
                thead { tr { @for (i, h) in super::headline(results).iter().enumerate() { th class=[num(i).then_some("num")] { (h) } } } }
                tbody {
                    @for (k, v) in results.variants.iter().enumerate() {
                        tr class=[sweep_points.contains(&k).then_some("sweeppoint")] {
                            @for (i, cell) in headline_row(results, v).iter().enumerate() {
                                @if i == 0 {
                                    td {
                                        strong { (cell) }
                                        // The baseline's description is the scenario's, shown at the top already.
                                        @if let Some(d) = v.description.as_ref().filter(|d| {
                                            !std::ptr::eq(v, &results.variants[0]) || Some(*d) != results.description.as_ref()
                                        }) {
                                            span.sub { (d) }
                                        }
                                    }
                                } @else {
                                    td class=[num(i).then_some("num")] { (cell) }
                                }
                            }
                        }
                    }
                }
            }
            @if !sweep_points.is_empty() {
                p.printnote { "The sweep's points: on screen, and in " code { "sweep.csv" } "." }
            }
            p.howto {
                "How to read this: " em { "reached" } " is the share of replications in which the threshold was \
                 reached before the horizon. Medians and quantiles count a replication that did not reach as “never”; \
                 the mean and its interval are over the replications that reached. " em { "vs baseline" }
                " compares each replication with the same replication of the baseline: the mean difference in hours \
                 over replications where both reached (negative = faster) with its 95% interval, the median \
                 difference, and the range that holds the middle 80% of the paired differences. "
                (super::coupling_note(results))
            }
        }
    }
}

/// "Which assumption matters": the advice, one chart per output and the table of indices.
fn sensitivity_section<'c>(
    sens: &crate::analysis::sensitivity::Sensitivity,
    charts: impl Iterator<Item = &'c Chart>,
) -> Markup {
    // The decisions' advice first; the advice on each variant's T itself folded.
    let decision_output = |i: usize| sens.outputs.get(i).is_none_or(|o| o.decision);
    let advice = |decision: bool| -> Vec<&String> {
        sens.advice.iter().enumerate().filter(|(i, _)| decision_output(*i) == decision).map(|(_, a)| a).collect()
    };
    let (decisions, others) = (advice(true), advice(false));
    let sobol = sens.method == "sobol";
    let charts: Vec<&Chart> = charts.collect();
    html! {
        section #sensitivity {
            h2 { "Which assumption matters" }
            ul.answers { @for a in &decisions { li { (a) } } }
            @if !others.is_empty() {
                details {
                    summary { "On each variant's T itself" }
                    ul.answers { @for a in &others { li { (a) } } }
                }
            }
            p.howto {
                "A " (sens.method) " study over " (sens.worlds) " plausible worlds (" (sens.samples) " "
                (if sobol { "base samples" } else { "trajectories" }) "), " (sens.replications)
                " replications per world and variant. "
                @if sobol {
                    "Per world, each variant's median T and its median paired difference with the baseline are the \
                     outputs (a replication that did not reach counts as the horizon). The total-order index of an \
                     assumption is the share of the output's variance that would go if it were known exactly; the \
                     first-order index, the share it explains alone. Intervals: 95% bootstrap over the base samples."
                } @else {
                    "Morris screening: μ* is the mean absolute change of the output (hours) when an assumption moves \
                     over its plausible range, σ its spread."
                }
            }
            @if !charts.is_empty() {
                details {
                    summary { "The indices of every output (" (charts.len()) " charts)" }
                    @for c in &charts { (figure(c)) }
                }
                p.printnote {
                    "The indices of every output: on screen, in " code { "charts/" } " and in "
                    code { "sensitivity.csv" } "."
                }
            }
        }
    }
}

/// The uncertain assumptions behind the worlds.
fn uncertain_section(u: &crate::analysis::results::UncertainSummary) -> Markup {
    html! {
        section #uncertain {
            h2 { "Uncertain assumptions" }
            p {
                "The answers above are over " (u.worlds) " plausible worlds: in each, every assumption below takes a \
                 value from its plausible range, and every variant runs the same replications with the same random \
                 draws. Ranges “across plausible assumptions” are the 10–90% range of the per-world medians."
            }
            @if matches!(u.design, crate::design::worlds::WorldDesign::Posterior { .. }) {
                p {
                    "These worlds are a calibration's posterior (" code { "run --posterior" } "): their values were \
                     fitted to measured processing times, so they spread over what the measurements left open, not \
                     over the ranges below."
                }
            }
            p.printnote { "The assumptions and their plausible values: on screen, and in the scenario file." }
            details {
                summary { "The uncertain assumptions and their plausible values" }
                table {
                    thead { tr { th { "assumption" } th { "drives" } th { "plausible values" } } }
                    tbody {
                        @for f in &u.factors {
                            tr {
                                td { (f.name) }
                                td {
                                    (f.paths.join(", ")) " ("
                                    (match f.mode {
                                        crate::design::worlds::Mode::Set => "set to",
                                        crate::design::worlds::Mode::Scale => "multiplied by",
                                    })
                                    " the value)"
                                }
                                td { (f.plausible) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A two-column table of names and shares.
fn share_table(caption: &str, head: &str, rows: &[Share], top: usize) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr { th { (head) } th { "share" } } }
            tbody {
                @if rows.is_empty() { tr { td colspan="2" { "—" } } }
                @for r in rows.iter().take(top) { tr { td { (r.name) } (share_cell(r.share)) } }
            }
        }
    }
}

/// The unit → unit flow of the critical paths: one matrix per point (baseline and recommended
/// side by side), rows the sender's unit, columns the receiver's, each cell the share of the
/// point's replications whose critical path passes that way, shaded by it. Empty without any
/// critical path.
pub(crate) fn unit_flow_section(flow: &crate::analysis::flow::UnitFlow, picture: Option<&Chart>) -> Markup {
    if flow.units.is_empty() {
        return Markup::default();
    }
    html! {
        section #flow {
            h2 { "Where the item travels between units" }
            @if let Some(c) = picture { (figure(c)) }
            details {
                summary { "The flow as numbers" }
                p.howto {
                    "Each cell: the share of replications whose critical path passes the item from a person of the \
                     row's unit to a person of the column's unit (empty: never). The complete counts are in "
                    code { "unit-flow.csv" } "."
                }
                div.flows {
                    @for p in &flow.points {
                        table.flow {
                            caption { (p.variant) }
                            thead { tr { th { "from ↓ to →" } @for u in &flow.units { th { (u) } } } }
                            tbody {
                                @for from in &flow.units {
                                    tr {
                                        th { (from) }
                                        @for to in &flow.units {
                                            @match p.cell(from, to) {
                                                Some(c) => td style={
                                                    "background:rgba(31,119,180,"
                                                    (format!("{:.2}", 0.1 + 0.8 * c.share.clamp(0.0, 1.0))) ")"
                                                } { (format!("{:.0}%", 100.0 * c.share)) },
                                                None => td {},
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One plain sentence on a variant's bottlenecks.
fn bottleneck_lead(b: &Bottlenecks) -> Markup {
    let (channel, person) = (b.channels.first(), b.people.first());
    html! {
        @if channel.is_some() || person.is_some() {
            "On the critical path, "
            @if let Some(c) = channel {
                "the item most often travels over the channel " strong { (c.name) } " (in " (fmt_pct(c.share))
                " of the replications that reached)"
            }
            @if channel.is_some() && person.is_some() { "; " }
            @if let Some(p) = person {
                "the person most often in between is " strong { (p.label()) } " (" (fmt_pct(p.share)) ")"
            }
            "."
        }
        @if let Some(h) = b.first_heard_via.first() {
            " Most target members first heard of the item via " strong { (h.name) } " (" (fmt_pct(h.share)) ")."
        }
    }
}

/// One variant's bottlenecks: the lead sentence and its tables, folded.
fn bottleneck_block(b: &Bottlenecks, name: &str, sweep_point: bool) -> Markup {
    let columns = if b.sites.is_empty() { "role, unit" } else { "role, unit, site" };
    html! {
        div.bn.sweeppoint[sweep_point] {
            h3 { (name) }
            @if b.reached_replications == 0 {
                p { "No replication reached the threshold, so there is no critical path." }
            } @else {
                p.lead { (bottleneck_lead(b)) }
                details {
                    summary { "People, links, units, roles and channels on the critical path of “" (name) "”" }
                    div.grid {
                        table {
                            caption { "People on the critical path" }
                            thead { tr { th { "person (" (columns) ")" } th { "share" } } }
                            tbody {
                                @if b.people.is_empty() {
                                    tr { td colspan="2" { "— (the item went straight from the source)" } }
                                }
                                @for p in b.people.iter().take(HTML_TOP) {
                                    tr {
                                        td {
                                            (p.label())
                                            span.sub {
                                                (p.role) ", " (p.unit)
                                                @if let Some(site) = &p.site { ", " (site) }
                                            }
                                        }
                                        (share_cell(p.share))
                                    }
                                }
                            }
                        }
                        table {
                            caption { "Links on the critical path" }
                            thead { tr { th { "from → to (channel)" } th { "share" } } }
                            tbody {
                                @if b.links.is_empty() { tr { td colspan="2" { "—" } } }
                                @for l in b.links.iter().take(HTML_TOP) {
                                    tr {
                                        td {
                                            (l.source_label()) " → " (l.target_label())
                                            span.sub { "over " (l.channel) }
                                        }
                                        (share_cell(l.share))
                                    }
                                }
                            }
                        }
                        (share_table("Units on the critical path", "unit", &b.units, 12))
                        (share_table("Roles on the critical path", "role", &b.roles, 12))
                        @if !b.sites.is_empty() { (share_table("Sites on the critical path", "site", &b.sites, 12)) }
                        (share_table("Channels on the critical path", "channel", &b.channels, 12))
                        (share_table("First heard via (target members)", "channel", &b.first_heard_via, 12))
                    }
                }
            }
        }
    }
}

fn bottlenecks_section(results: &Results) -> Markup {
    let sweep_points = results.sweep_points();
    html! {
        section #bottlenecks {
            h2 { "Where the item gets stuck" }
            p {
                "Feedback travels from person to person. In each replication, take the target member whose \
                 processing completed the threshold — the last one needed for the 80% — and trace back how the item \
                 reached them: who passed it to whom, over which channel, back to the source. That chain is the "
                strong { "critical path" } ". The people, links and channels that lie on it in many replications are \
                 where the item gets stuck: making them faster, or adding a way around them, shortens the time for \
                 everyone."
            }
            details {
                summary { "How the shares are counted" }
                p.howto {
                    "Shares of people, links and channels are of the replications that reached the threshold (the \
                     source and the completing target member themselves are not counted as people in between). "
                    em { "First heard via" } " is the share of the target members who processed the item that first \
                     got it over each channel (" em { "(source)" } ": they are where the item appeared)."
                }
            }
            @for (k, v) in results.variants.iter().enumerate() {
                (bottleneck_block(&v.bottlenecks, &v.name, sweep_points.contains(&k)))
            }
            p.printnote {
                "The tables of people, links, units, roles and channels on the critical path: on screen, and in "
                code { "summary.md" } "."
            }
        }
    }
}

/// A key–value table.
fn kv_table(caption: &str, rows: &[(&str, Markup)]) -> Markup {
    html! {
        table.kv {
            caption { (caption) }
            tbody { @for (k, v) in rows { tr { th scope="row" { (k) } td { (v) } } } }
        }
    }
}

/// The organisation and the assumptions behind the numbers, from the facts.
fn assumptions_section(results: &Results, facts: &Facts) -> Markup {
    let a = &facts.assumptions;
    html! {
        section #assumptions {
            h2 { "Organisation and assumptions" }
            p {
                "Everything the numbers above rest on, as the scenario file states it (for the baseline). Challenge \
                 any of it: change the file and run it again."
            }
            p.printnote { "The tables of the organisation and its assumptions: on screen, and in the scenario file." }
            details {
                summary { "The run, the levers, the organisation, its channels and roles" }
                (run_table(results, facts))
                (levers_table(a))
                (organisation_tables(a))
                (calendars_table(a))
                (channels_table(a))
                (defaults_list(a))
                (roles_table(a))
                (variants_changes_table(facts))
            }
        }
    }
}

/// The run: file, source, start, target, horizon, replications, seed, sweep.
fn run_table(results: &Results, facts: &Facts) -> Markup {
    let a = &facts.assumptions;
    let base = &results.variants[0];
    let k = facts.points[0].k as usize;
    let mut run: Vec<(&str, Markup)> = vec![
        ("scenario file", html! { code { (facts.file_name) } }),
        ("source (where the item appears)", html! { (a.source) }),
        (
            "target",
            html! {
                (super::units::count(u64::from(base.target_size), "person", "people")) " (" (base.target_label)
                "); threshold " (fmt_pct(base.threshold)) ": T is when the " (k)
                (crate::analysis::facts::ordinal_suffix(k)) " of them has processed the item"
            },
        ),
        (
            "horizon",
            html! {
                (fmt_decimals(results.horizon_hours, 4)) " h ("
                @if results.variants.first().is_some_and(|v| v.clock.is_some()) {
                    (horizon_days(results, true))
                } @else {
                    (fmt_decimals(results.horizon_hours / WORKING_DAY_HOURS, 4)) " working days"
                }
                "); later counts as “not reached”"
            },
        ),
        ("replications per variant", html! { (results.replications) }),
        ("seed", html! { (results.seed) }),
    ];
    if let Some(start) = &a.start {
        run.insert(2, ("when the item appears", html! { (start) }));
    }
    if let Some(sw) = &results.sweep {
        run.push(("sweep", html! { (sw.paths.join(" × ")) " (" (sw.points.len()) " points)" }));
    }
    kv_table("The run", &run)
}

/// Lines with a `<br>` between them.
fn lines(items: &[String]) -> Markup {
    html! {
        @for (i, r) in items.iter().enumerate() {
            @if i > 0 { br; }
            (r)
        }
    }
}

/// The levers: the community managers and involvement.
fn levers_table(a: &Assumptions) -> Markup {
    let mut levers: Vec<(&str, Markup)> = Vec::new();
    match &a.community_manager {
        Some(cm) => {
            levers.push(("community manager", html! { (cm.id) " (" (cm.detail) ")" }));
            levers.push(("mandate (baseline)", html! { (if cm.mandate { "yes" } else { "no" }) }));
            levers.push((
                "what a mandate changes",
                html! {
                    "receivers notice the manager's messages with probability at least "
                    (fmt_decimals(cm.mandate_notice, 4)) " and process them in "
                    (fmt_decimals(cm.mandate_processing_factor, 4)) "× the usual time"
                    @if !cm.mandate { " (not in effect in the baseline)" }
                },
            ));
            if !cm.reach.is_empty() {
                levers.push(("watch and internal reach", lines(&cm.reach)));
            }
        }
        None => levers.push(("community manager", html! { "none in this scenario" })),
    }
    for cm in &a.other_community_managers {
        levers.push((
            "another community manager",
            html! {
                (cm.id) " (" (cm.detail) "); mandate (baseline): " (if cm.mandate { "yes" } else { "no" })
                @if !cm.reach.is_empty() { br; (lines(&cm.reach)) }
            },
        ));
    }
    match &a.involvement {
        Some(inv) => levers.push((
            "involvement",
            html! {
                (fmt_pct(inv.fraction)) " of " (inv.group_size) " people follow the community directly over "
                strong { (inv.channel) } @if inv.posts { " and post to it" }
                " (who is involved is drawn per replication)"
            },
        )),
        None => levers.push(("involvement", html! { "none in this scenario" })),
    }
    kv_table("The levers: community manager and involvement", &levers)
}

/// People per unit and role, links per channel.
fn organisation_tables(a: &Assumptions) -> Markup {
    let org = &a.organisation;
    html! {
        h3 { "Organisation" }
        p { (org.people) " people, " (org.links) " links (" (org.origin) ")." }
        div.grid {
            table {
                caption { "People per unit and role" }
                thead { tr { th { "unit" } th.num { "people" } th { "roles" } } }
                tbody {
                    @for unit in &org.units {
                        tr {
                            td { (unit.name) }
                            td.num { (unit.people) }
                            td {
                                @for (i, (r, c)) in unit.roles.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (c) " " (r)
                                }
                            }
                        }
                    }
                }
            }
            table {
                caption { "Links per channel" }
                thead {
                    tr { th { "channel" } th.num { "two-way" } th.num { "one-way" } th.num { "added by settings" } }
                }
                tbody {
                    @for c in &org.channel_links {
                        tr { td { (c.name) } td.num { (c.both) } td.num { (c.forward) } td.num { (c.added) } }
                    }
                }
            }
        }
        p.howto {
            em { "Added by settings" } ": links that the community manager's watch channel, reach and mandate or a \
             variant's " code { "add_links" } " add to the organisation's own links (in the baseline)."
        }
    }
}

/// The working calendars (nothing without calendars).
fn calendars_table(a: &Assumptions) -> Markup {
    html! {
        @if !a.calendars.is_empty() {
            table {
                caption { "Working calendars: processing counts working time only" }
                thead { tr { th { "calendar" } th { "time zone" } th { "working time" } th.num { "people" } } }
                tbody {
                    @for c in &a.calendars {
                        tr { td { (c.name) } td { (c.timezone) } td { (c.working_time) } td.num { (c.people) } }
                    }
                }
            }
        }
    }
}

/// The channels: delay (a meeting with its wait), mean delay, transmit, notice.
fn channels_table(a: &Assumptions) -> Markup {
    html! {
        table {
            caption { "Channels: how messages travel" }
            thead {
                tr {
                    th { "channel" } th { "delay (hours)" } th.num { "mean delay" } th.num { "transmit" }
                    th.num { "notice" }
                }
            }
            tbody {
                @for c in &a.channels {
                    tr {
                        td { (c.name) }
                        td {
                            @if !c.timing.is_empty() { (c.timing) "; then " }
                            (c.delay)
                        }
                        td.num {
                            (crate::random::dist::fmt_fixed(c.mean_delay, 1)) " h"
                            @match c.mean_wait_hours {
                                Some(w) => { " after a wait of " (crate::random::dist::fmt_fixed(w, 1)) " h" }
                                None if !c.timing.is_empty() && c.timing.starts_with("meets ") => {
                                    " after the wait for the meeting"
                                }
                                None => {}
                            }
                        }
                        td.num { (fmt_pct(c.transmit)) }
                        td.num { (c.notice.map_or_else(|| "receiver's role".into(), fmt_pct)) }
                    }
                }
            }
        }
        p.howto {
            em { "delay" } ": time for a message to travel and be seen; " em { "transmit" } ": how often a sender \
             passes the item on over a link of this channel; " em { "notice" } ": how often a delivered message is \
             perceived (where set, it replaces the receiver role's value)."
        }
    }
}

/// Defaults that act without a table in the scenario.
fn defaults_list(a: &Assumptions) -> Markup {
    html! {
        @if !a.warnings.is_empty() {
            ul.warnings { @for w in &a.warnings { li { strong { "Default:" } " " (w) } } }
        }
    }
}

/// The roles: people, notice, processing, window and (where any) absence.
fn roles_table(a: &Assumptions) -> Markup {
    let absence = a.roles.iter().any(|r| r.absent > 0.0);
    html! {
        table {
            caption { "Roles: how people take up the item" }
            thead {
                tr {
                    th { "role" } th.num { "people" } th.num { "notice" } th { "processing (hours)" }
                    th { "window (hours)" }
                    @if absence { th.num { "absent" } }
                }
            }
            tbody {
                @for r in &a.roles {
                    tr {
                        td { (r.name) @if !r.defined { span.sub { "no [roles] table: defaults" } } }
                        td.num { (r.people) }
                        td.num { (fmt_pct(r.notice)) }
                        td { (r.processing) }
                        td { (r.window) }
                        @if absence { td.num { (fmt_pct(r.absent)) } }
                    }
                }
            }
        }
        p.howto {
            em { "notice" } ": how often a delivered message is perceived and taken up; " em { "processing" }
            ": from delivery to “processed”; " em { "window" } ": how long after processing the person keeps passing \
             the item on."
        }
        @if absence {
            p.howto {
                em { "absent" } ": the chance that a person of the role is away for the whole period, drawn per \
                 replication (an absent person neither notices nor passes on the item)."
            }
        }
    }
}

/// What each variant changes (nothing with the baseline alone).
fn variants_changes_table(facts: &Facts) -> Markup {
    html! {
        @if facts.points.len() > 1 {
            table {
                caption { "The variants: what each changes" }
                thead { tr { th { "variant" } th { "description" } th { "differs from the baseline in" } } }
                tbody {
                    @for p in &facts.points[1..] {
                        tr {
                            td { (p.name) }
                            td { (p.description.as_deref().unwrap_or("")) }
                            td {
                                @if p.changes.is_empty() {
                                    "nothing (the same as the baseline)"
                                } @else {
                                    (lines(&p.changes))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
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
