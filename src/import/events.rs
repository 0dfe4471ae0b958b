//! Reading a time-stamped message log (`--events`) with the map's `[events]` settings: the
//! reader itself is [`crate::org::events`] (replay mode reads the same files).

use std::collections::HashMap;
use std::path::Path;

use super::hr::find_column;
use super::map::Map;
use crate::error::InputError;
pub(crate) use crate::org::events::{Event, Events};
use crate::org::events::{EventColumn, ReadOptions};

/// Reads the events file at `path`; `ids` are the employee ids in the export's order and `index`
/// maps them to their position.
pub(crate) fn read(
    path: &Path,
    map: &Map,
    map_path: &Path,
    ids: &[&str],
    index: &HashMap<&str, usize>,
) -> Result<Events, InputError> {
    let ev = &map.events;
    let find = |headers: &csv::StringRecord, c: EventColumn, line: usize| {
        let (col, required) = match c {
            EventColumn::Time => (&ev.time_column, true),
            EventColumn::Sender => (&ev.sender, true),
            EventColumn::Recipient => (&ev.recipient, true),
            EventColumn::Channel => (&ev.channel, false),
        };
        find_column(path, map_path, headers, col, required, line)
    };
    let options = ReadOptions {
        format: ev.format,
        time: ev.time,
        time_key: "events.time",
        headers: [&ev.time_column.header, &ev.sender.header, &ev.recipient.header, &ev.channel.header],
        skip_unknown: ev.skip_unknown,
        who: "an employee id of the HR export",
        skip_hint: "set `events.unknown_people = \"skip\"` in the map",
        find_column: &find,
        dialect: ev.dialect,
    };
    crate::org::events::read(path, &options, ids, index)
}
