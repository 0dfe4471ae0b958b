//! A plain-text description of a validated scenario, for `permeate check`.

use std::fmt::Write as _;

use super::{Scenario, Variant};
use crate::org::Direction;

impl Scenario {
    /// What the scenario contains: settings, organisation, channels, roles, source, target,
    /// community manager, involvement and variants.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let b = self.baseline();
        let _ = writeln!(s, "scenario \"{}\" ({})", self.name, self.file.display());
        let _ = writeln!(
            s,
            "  seed {}, {} replications per variant, horizon {} h, curve {} points to {} h",
            self.seed, self.replications, self.horizon_hours, self.curve_points, self.curve_hours
        );
        s += &b.org.summary();
        if let Some(log) = &b.org.replay {
            let (from, to) = log.start;
            let start =
                if from == to { format!("at {from} h") } else { format!("uniformly between {from} h and {to} h") };
            let _ = writeln!(
                s,
                "  replayed log {}: {} messages over {} days, each carrying with probability {}; the item appears {start} after its first message",
                log.file.file_name().unwrap_or_default().to_string_lossy(),
                log.messages(),
                crate::random::dist::fmt_decimals(log.span_hours / 24.0, 1),
                log.per_message
            );
        }
        let _ = writeln!(s, "channels:");
        for c in &b.channels {
            let notice = c.notice.map_or(String::new(), |n| format!(", notice {n}"));
            let timing = match c.timing {
                super::Timing::PerLink => String::new(),
                super::Timing::Broadcast => "broadcast, ".into(),
                super::Timing::Scheduled { every } => format!("scheduled every {every} h, then "),
                super::Timing::At => "scheduled at set times, then ".into(),
                super::Timing::Replay => "the log's messages replayed, ".into(),
            };
            let _ =
                writeln!(s, "  {:<20} {timing}delay {}, transmit {}{notice}", c.name, c.delay.describe(), c.transmit);
        }
        let _ = writeln!(s, "roles:");
        for r in &b.roles {
            let window = r.window.as_ref().map_or("unlimited".into(), |w| w.describe());
            let defaults = if r.defined { "" } else { " (no [roles] table: defaults)" };
            let _ = writeln!(
                s,
                "  {:<20} notice {}, processing {}, window {window}{defaults}",
                r.name,
                r.notice,
                r.processing.describe()
            );
        }
        s += &describe_variant_core(b);
        if self.variants.len() > 1 {
            let _ = writeln!(s, "variants ({} besides the baseline):", self.variants.len() - 1);
            for v in &self.variants[1..] {
                let _ =
                    writeln!(s, "  - {}{}", v.name, v.description.as_ref().map_or(String::new(), |d| format!(": {d}")));
            }
        }
        if let Some(sw) = &self.sweep {
            let _ = writeln!(s, "sweep over {} ({} points)", sw.paths.join(" × "), sw.points.len());
        }
        s += &self.costs_summary();
        s
    }
}

fn describe_variant_core(v: &Variant) -> String {
    let mut s = String::new();
    let org = &v.org;
    let names = |ps: &[u32]| -> String {
        let shown: Vec<&str> = ps.iter().take(5).map(|&p| org.people[p as usize].id.as_str()).collect();
        let more = if ps.len() > 5 { format!(" and {} more", ps.len() - 5) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    let _ = writeln!(s, "source: {}", names(&v.sources));
    let k = crate::model::threshold_rank(v.threshold, v.target.len());
    let _ = writeln!(
        s,
        "target: {} people, threshold {} (T is when the {k}{} of them has processed the item)",
        v.target.len(),
        v.threshold,
        crate::analysis::facts::ordinal_suffix(k)
    );
    for cm in &v.community_managers {
        let _ = writeln!(
            s,
            "{}: {} (mandate: {}; with a mandate their messages are noticed with probability >= {} and processed {}x as long)",
            cm.key.replace(['_', '.'], " "),
            org.people[cm.person as usize].id,
            if cm.mandate { "yes" } else { "no" },
            cm.effect.notice,
            cm.effect.processing_factor
        );
    }
    if let Some(inv) = &v.involvement {
        let _ = writeln!(
            s,
            "involvement: {:.0}% of {} people follow the community over \"{}\"{}",
            100.0 * inv.fraction,
            inv.group.len(),
            v.channels[inv.channel as usize].name,
            if inv.direction == Direction::Both { " and post to it" } else { "" }
        );
    }
    for (i, w) in v.watchers.iter().enumerate() {
        let _ = writeln!(
            s,
            "watchers.{i}: {:.0}% of {} people watch the community over \"{}\"{} (drawn per replication)",
            100.0 * w.share,
            w.group.len(),
            v.channels[w.channel as usize].name,
            if w.direction == Direction::Both { " and post to it" } else { "" }
        );
    }
    if !v.extra_links.is_empty() {
        let _ = writeln!(s, "links added by the scenario's settings: {}", v.extra_links.len());
    }
    s
}
