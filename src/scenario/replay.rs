//! Replay mode: `[organisation] events = "events.csv"` with `[organisation.replay]`. The
//! people come from `people.csv` (every id of the log must be one of them, as the import's
//! unknown-people policy); the log's messages become one-way links over the reserved channel
//! [`REPLAY_CHANNEL`], timed by the messages themselves (`crate::engine`).

use std::collections::HashMap;
use std::path::PathBuf;

use super::context::Ctx;
use super::raw::{RawReplay, RawReplayStart, RawScenario};
use super::{Channel, Timing};
use crate::error::{InputError, InputErrorKind, closest};
use crate::org::events::{EventColumn, EventsFormat, ReadOptions, TimeFormat, at};
use crate::org::replay::{REPLAY_CHANNEL, ReplayLog};
use crate::org::{NameOrigin, Organisation, csv_input_read_text, org_from_csv_text};
use crate::random::dist::Dist;

/// Default of `organisation.replay.per_message`: every message carries the item.
pub(crate) const DEFAULT_PER_MESSAGE: f64 = 1.0;

/// What identifies a replayed organisation (variants that name the same files and settings
/// share it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CacheKey {
    pub people: PathBuf,
    pub links: Option<PathBuf>,
    pub events: PathBuf,
    pub replay: Option<RawReplay>,
}

/// Reads `people.csv` (and `links.csv`, if given: modelled links beside the log) and the log.
pub(super) fn load(key: &CacheKey, ctx: &Ctx<'_>) -> Result<Organisation, InputError> {
    let settings = key.replay.clone().unwrap_or(RawReplay {
        format: None,
        time: None,
        time_column: None,
        sender: None,
        recipient: None,
        directed: None,
        per_message: None,
        start: None,
        unknown_people: None,
    });
    let k = |name: &str| format!("organisation.replay.{name}");
    let format = match settings.format.as_deref().map(str::trim) {
        None | Some("csv") => EventsFormat::Csv,
        Some("edgelist") => EventsFormat::EdgeList,
        Some(other) => {
            return Err(ctx.err(
                &k("format"),
                InputErrorKind::Invalid(format!(
                    "must be \"csv\" (a header names the columns) or \"edgelist\" (headerless `sender recipient seconds` lines), got \"{other}\""
                )),
            ));
        }
    };
    let time = match settings.time.as_deref().map(str::trim) {
        None if format == EventsFormat::EdgeList => TimeFormat::Unix,
        None | Some("rfc3339") => TimeFormat::Rfc3339,
        Some("unix") => TimeFormat::Unix,
        Some(other) => {
            return Err(ctx.err(
                &k("time"),
                InputErrorKind::Invalid(format!(
                    "must be \"rfc3339\" (e.g. 2026-03-02T09:15:00+01:00) or \"unix\" (seconds, e.g. 1772439300), got \"{other}\""
                )),
            ));
        }
    };
    let per_message = settings.per_message.unwrap_or(DEFAULT_PER_MESSAGE);
    if !(per_message.is_finite() && per_message > 0.0 && per_message <= 1.0) {
        return Err(ctx.err(
            &k("per_message"),
            InputErrorKind::Invalid(format!(
                "must be a probability above 0 and at most 1 (the chance that one message carries the item), got {}; e.g. 0.3",
                crate::error::num(per_message)
            )),
        ));
    }
    let skip_unknown = match settings.unknown_people.as_deref().map(str::trim) {
        None | Some("error") => false,
        Some("skip") => true,
        Some(other) => {
            return Err(ctx.err(
                &k("unknown_people"),
                InputErrorKind::Invalid(format!("must be \"error\" or \"skip\", got \"{other}\"")),
            ));
        }
    };
    let start = match &settings.start {
        None => None,
        Some(RawReplayStart::At(h)) if h.is_finite() => Some((*h, *h)),
        Some(RawReplayStart::Window(w)) if w.len() == 2 && w.iter().all(|h| h.is_finite()) && w[0] <= w[1] => {
            Some((w[0], w[1]))
        }
        Some(_) => {
            return Err(ctx.err(
                &k("start"),
                InputErrorKind::Invalid(
                    "must be hours after the log's first message, fixed (e.g. 12) or a window [from, to] with from ≤ to (e.g. [0, 168])".into(),
                ),
            ));
        }
    };

    // The people, and the modelled links if any.
    let people_text = csv_input_read_text(&key.people).map_err(|e| ctx.name_variant(e))?;
    let (links_path, links_text) = match &key.links {
        Some(l) => (l.clone(), csv_input_read_text(l).map_err(|e| ctx.name_variant(e))?),
        None => (key.events.clone(), "source,target,channel\n".to_string()),
    };
    let mut org =
        org_from_csv_text(&key.people, &people_text, &links_path, &links_text).map_err(|e| ctx.name_variant(e))?;
    if let Some(i) = org.channels.iter().position(|c| c == REPLAY_CHANNEL) {
        let origin = &org.channel_origins[i];
        let mut e = InputError::new(
            &origin.file,
            InputErrorKind::Invalid(format!(
                "the channel name \"{REPLAY_CHANNEL}\" is reserved for the replayed log's messages; name this channel otherwise, e.g. \"email\""
            )),
        );
        e.line = origin.line;
        e.key = Some("channel".into());
        return Err(ctx.name_variant(e));
    }

    // The log.
    let names = [
        settings.time_column.as_deref().unwrap_or("time").trim().to_string(),
        settings.sender.as_deref().unwrap_or("sender").trim().to_string(),
        settings.recipient.as_deref().unwrap_or("recipient").trim().to_string(),
        "channel".to_string(),
    ];
    let setting_keys = ["time_column", "sender", "recipient", ""];
    let path = &key.events;
    let find = |headers: &csv::StringRecord, c: EventColumn, line: usize| -> Result<Option<usize>, InputError> {
        let header = &names[c as usize];
        if let Some(p) = headers.iter().position(|h| h == header) {
            if headers.iter().skip(p + 1).any(|h| h == header) {
                return Err(InputError::new(path, InputErrorKind::DuplicateColumn(header.clone()))
                    .at_line(line)
                    .at_key(header.clone()));
            }
            return Ok(Some(p));
        }
        if c == EventColumn::Channel {
            return Ok(None);
        }
        let have: Vec<&str> = headers.iter().collect();
        let hint =
            closest(header, have.iter().copied()).map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default();
        Err(at(
            path,
            line,
            header,
            format!(
                "no column \"{header}\" in the header ({}): set `organisation.replay.{}` in the scenario to the column's real name{hint}",
                have.join(","),
                setting_keys[c as usize]
            ),
        ))
    };
    let ids: Vec<&str> = org.people.iter().map(|p| p.id.as_str()).collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let options = ReadOptions {
        format,
        time,
        time_key: "organisation.replay.time",
        headers: [&names[0], &names[1], &names[2], &names[3]],
        skip_unknown,
        who: "a person id of the people file",
        skip_hint: "set `organisation.replay.unknown_people = \"skip\"` in the scenario",
        find_column: &find,
        dialect: crate::org::events::Dialect::default(),
    };
    let events = crate::org::events::read(path, &options, &ids, &index).map_err(|e| ctx.name_variant(e))?;
    let log = ReplayLog::new(path.clone(), &events.events, settings.directed.unwrap_or(true), per_message, start);
    let origin = NameOrigin { file: ctx.file.to_path_buf(), line: None, key: Some("organisation.events".into()) };
    drop(index);
    drop(ids);
    org.add_replay(log, origin);
    org.origin = format!(
        "{} + {} replayed{}",
        key.people.file_name().unwrap_or_default().to_string_lossy(),
        path.file_name().unwrap_or_default().to_string_lossy(),
        key.links
            .as_ref()
            .map(|l| format!(" + {}", l.file_name().unwrap_or_default().to_string_lossy()))
            .unwrap_or_default()
    );
    Ok(org)
}

/// With a replayed log, adds its channel: transmit 1 (`per_message` thins the messages), the
/// receiver's notice, no delay of its own. A `[channels.replay]` table is an error.
pub(super) fn add_channel(
    org: &Organisation,
    raw: &RawScenario,
    channels: &mut Vec<Channel>,
    ctx: &Ctx<'_>,
) -> Result<(), InputError> {
    if org.replay.is_none() {
        return Ok(());
    }
    if raw.channels.contains_key(REPLAY_CHANNEL) {
        return Err(ctx.err(
            &format!("channels.{REPLAY_CHANNEL}"),
            InputErrorKind::Invalid(format!(
                "the channel \"{REPLAY_CHANNEL}\" is the replayed log's (timed by its messages, thinned by `organisation.replay.per_message`); it takes no table"
            )),
        ));
    }
    channels.push(Channel {
        name: REPLAY_CHANNEL.to_string(),
        delay: Dist::Fixed { value: 0.0 },
        transmit: 1.0,
        notice: None,
        timing: Timing::Replay,
    });
    Ok(())
}
