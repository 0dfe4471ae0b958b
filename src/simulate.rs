//! Runs a whole scenario: compiles every variant, runs its replications, and summarises them
//! (including the paired comparison with the baseline). The report writers take it from here.

use crate::engine::{CurveGrid, run_variant};
use crate::error::Error;
use crate::model::Model;
use crate::scenario::Scenario;
use crate::scenario::Variant;
use crate::stats::{Attribution, CurvePoint, Paired, TSummary, paired, summarize};

/// The outcome of one variant.
#[derive(Debug, Clone)]
pub struct VariantResult {
    /// The variant's name (`baseline` first).
    pub name: String,
    /// The variant's description, if any.
    pub description: Option<String>,
    /// T_threshold per replication in hours; `None` = not reached by the horizon.
    pub t_threshold: Vec<Option<f64>>,
    /// Summary statistics of `t_threshold`.
    pub summary: TSummary,
    /// Paired comparison with the baseline (`None` for the baseline itself).
    pub vs_baseline: Option<Paired>,
    /// The adoption curve.
    pub curve: Vec<CurvePoint>,
    /// Size of the target group.
    pub target_size: u32,
    /// How the target was selected ("role developer").
    pub target_label: String,
    /// Where the item gets stuck: the critical paths and first-heard channels.
    pub bottlenecks: Bottlenecks,
    /// Share of the target that must have processed the item.
    pub threshold: f64,
}

/// How many people, links and channels to list in the bottleneck tables.
pub const BOTTLENECK_TOP: usize = 10;

/// A named share (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    /// A person id or channel name.
    pub name: String,
    /// The share, 0–1 (see the field it appears in for the denominator).
    pub share: f64,
}

/// A link with a share (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkShare {
    /// Sender id.
    pub source: String,
    /// Receiver id.
    pub target: String,
    /// Channel name.
    pub channel: String,
    /// Share of the replications that reached whose critical path uses this link.
    pub share: f64,
}

/// Where the item gets stuck. The critical path of a replication is the chain of deliveries
/// from the source to the target member whose processing completed the threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bottlenecks {
    /// Replications that reached the threshold (the denominator of the path shares).
    pub reached_replications: u64,
    /// People most often on the critical path (between source and end), with the share of
    /// reached replications.
    pub people: Vec<Share>,
    /// Links most often on the critical path.
    pub links: Vec<LinkShare>,
    /// Channels on the critical path: share of reached replications using the channel.
    pub channels: Vec<Share>,
    /// Over which channel target members first processed the item: share of all processed
    /// target members (`(source)` = they were where the item appeared).
    pub first_heard_via: Vec<Share>,
}

/// The `top` entries by count (descending; ties by name), as shares of `total`.
fn top_shares<K: Copy>(
    counts: impl Iterator<Item = (K, u64)>,
    name: impl Fn(K) -> String,
    total: u64,
    top: usize,
) -> Vec<(K, String, f64)> {
    let mut v: Vec<(K, String, u64)> = counts.filter(|&(_, c)| c > 0).map(|(k, c)| (k, name(k), c)).collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    v.truncate(top);
    v.into_iter().map(|(k, n, c)| (k, n, c as f64 / total.max(1) as f64)).collect()
}

impl Bottlenecks {
    /// Names and ranks the folded attribution of a variant's run.
    pub fn from_run(a: &Attribution, model: &Model, v: &Variant) -> Self {
        let id = |p: u32| v.org.people[p as usize].id.clone();
        let channel = |c: usize| v.channels.get(c).map_or_else(|| "(source)".to_string(), |ch| ch.name.clone());
        let people = top_shares(a.people.iter().map(|(&p, &c)| (p, c)), id, a.reached, BOTTLENECK_TOP);
        let links = top_shares(
            a.links.iter().map(|(&l, &c)| (l, c)),
            |l| {
                format!(
                    "{}\u{0}{}\u{0}{}",
                    id(model.sender_of(l)),
                    id(model.arcs[l as usize].to),
                    channel(model.arcs[l as usize].channel as usize)
                )
            },
            a.reached,
            BOTTLENECK_TOP,
        );
        let heard_total: u64 = a.first_heard.iter().sum();
        Bottlenecks {
            reached_replications: a.reached,
            people: people.into_iter().map(|(_, name, share)| Share { name, share }).collect(),
            links: links
                .into_iter()
                .map(|(l, _, share)| LinkShare {
                    source: id(model.sender_of(l)),
                    target: id(model.arcs[l as usize].to),
                    channel: channel(model.arcs[l as usize].channel as usize),
                    share,
                })
                .collect(),
            channels: top_shares(a.channels.iter().copied().enumerate(), channel, a.reached, usize::MAX)
                .into_iter()
                .map(|(_, name, share)| Share { name, share })
                .collect(),
            first_heard_via: top_shares(a.first_heard.iter().copied().enumerate(), channel, heard_total, usize::MAX)
                .into_iter()
                .map(|(_, name, share)| Share { name, share })
                .collect(),
        }
    }
}

/// The outcome of a whole scenario run.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The variants, baseline first.
    pub variants: Vec<VariantResult>,
}

/// Runs every variant of `scenario` with `scenario.replications` replications on the current
/// rayon pool. `progress` is called once per finished replication (of any variant).
pub fn simulate(scenario: &Scenario, progress: &(dyn Fn() + Sync)) -> Result<RunResults, Error> {
    let grid = CurveGrid::new(scenario.curve_points, scenario.curve_hours);
    let mut variants: Vec<VariantResult> = Vec::with_capacity(scenario.variants.len());
    for v in &scenario.variants {
        let model = Model::compile(v, scenario.horizon_hours, &scenario.file)?;
        let run = run_variant(&model, scenario.seed, scenario.replications, &grid, progress);
        let vs_baseline = variants.first().map(|b| paired(&b.t_threshold, &run.t_threshold));
        variants.push(VariantResult {
            name: v.name.clone(),
            description: v.description.clone(),
            summary: summarize(&run.t_threshold),
            vs_baseline,
            curve: run.curve.points(),
            t_threshold: run.t_threshold,
            target_size: model.target_size,
            target_label: v.target_label.clone(),
            bottlenecks: Bottlenecks::from_run(&run.attribution, &model, v),
            threshold: v.threshold,
        });
    }
    Ok(RunResults { variants })
}
