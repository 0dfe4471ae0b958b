//! Validation of channel timing (`timing`, `every`, `at`, an optional `delay` for scheduled
//! channels) and of absence (`roles.*.absent` and the scenario-wide `absent`). Kept apart from
//! `validate.rs`, which calls into it once per channel and once per role.

use super::context::{Ctx, dist, prob};
use super::raw::{RawChannel, RawRole, RawScenario};
use crate::error::{InputError, InputErrorKind};
use crate::model::{ChannelId, Timing};
use crate::org::{NO_LINK_GROUP, Organisation, PersonIdx};
use crate::random::dist::Dist;

/// The timing names `timing` accepts.
pub(super) const TIMINGS: [&str; 3] = ["per_link", "broadcast", "scheduled"];

/// A channel's timing and delay from `[channels.NAME]` (`key` = `channels.NAME`). A scheduled
/// channel's `delay` is optional (none = arrival at the occurrence); the other timings need one.
pub(crate) fn channel_timing(c: &RawChannel, key: &str, ctx: &Ctx<'_>) -> Result<(Timing, Dist), InputError> {
    let name = c.timing.as_deref().unwrap_or("per_link");
    let timing = match name {
        "per_link" | "broadcast" => {
            if c.every.is_some() {
                return Err(ctx.err(
                    &format!("{key}.every"),
                    InputErrorKind::Invalid(format!(
                        "`every` is for scheduled channels; add `timing = \"scheduled\"` or remove it (timing is \"{name}\")"
                    )),
                ));
            }
            if name == "per_link" { Timing::PerLink } else { Timing::Broadcast }
        }
        "scheduled" => {
            if c.at.is_some() {
                if c.every.is_some() {
                    return Err(ctx.err(
                        &format!("{key}.every"),
                        InputErrorKind::Invalid(
                            "give either `every` (hours) or `at` (times of a calendar), not both".into(),
                        ),
                    ));
                }
                // The occurrences are compiled with the calendars (`calendars.rs`).
                let delay = c.delay.as_ref().map(|d| dist(d, &format!("{key}.delay"), ctx)).transpose()?;
                return Ok((Timing::At, delay.unwrap_or(Dist::Fixed { value: 0.0 })));
            }
            let every = c.every.ok_or_else(|| {
                ctx.err(
                    &format!("{key}.every"),
                    InputErrorKind::Invalid(
                        "a scheduled channel needs `every`, the hours between occurrences, e.g. `every = 168` for weekly".into(),
                    ),
                )
            })?;
            if !(every > 0.0 && every.is_finite()) {
                return Err(ctx.err(
                    &format!("{key}.every"),
                    InputErrorKind::Invalid(format!("must be a positive number of hours, got {every}")),
                ));
            }
            Timing::Scheduled { every }
        }
        other => {
            return Err(ctx.err(
                &format!("{key}.timing"),
                InputErrorKind::UnknownName {
                    what: "timing",
                    name: other.to_string(),
                    known: TIMINGS.iter().map(|s| s.to_string()).collect(),
                },
            ));
        }
    };
    let delay = match (&c.delay, timing) {
        (Some(d), _) => dist(d, &format!("{key}.delay"), ctx)?,
        (None, Timing::Scheduled { .. }) => Dist::Fixed { value: 0.0 },
        (None, _) => {
            return Err(ctx.err(
                &format!("{key}.delay"),
                InputErrorKind::Invalid(
                    "missing: a channel needs a `delay` distribution (hours), e.g. `delay = { dist = \"exponential\", mean = 2 }`".into(),
                ),
            ));
        }
    };
    Ok((timing, delay))
}

/// The absence probability of a role (`key` = `roles.NAME`; `None` for a role without a table):
/// its own `absent`, else the scenario-wide `absent`, else 0.
pub(crate) fn role_absent(
    raw: &RawScenario,
    role: Option<&RawRole>,
    key: &str,
    ctx: &Ctx<'_>,
) -> Result<f64, InputError> {
    match (role.and_then(|r| r.absent), raw.absent) {
        (Some(a), _) => prob(a, &format!("{key}.absent"), ctx),
        (None, Some(a)) => prob(a, "absent", ctx),
        (None, None) => Ok(0.0),
    }
}

/// The meeting group of the first link (in the organisation's order) on channel `ch` that `p`
/// takes part in, or [`NO_LINK_GROUP`]: the meeting a community manager who joins `ch` meets
/// `p` in.
pub(crate) fn meeting_group_of(org: &Organisation, org_channel: &[ChannelId], ch: ChannelId, p: PersonIdx) -> u32 {
    org.links
        .iter()
        .enumerate()
        .find(|(_, l)| org_channel[l.channel as usize] == ch && (l.source == p || l.target == p))
        .and_then(|(i, _)| org.link_group.get(i).copied())
        .unwrap_or(NO_LINK_GROUP)
}
