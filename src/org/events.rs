//! Reading a time-stamped message log: one row per message or contact, with its time, its
//! sender and its recipients, in the CSV dialect of the HR export or as a headerless edge list
//! (`sender recipient seconds`). Message bodies are never read. Used by `import --events` (ids
//! of the HR export) and by replay mode (`[organisation] events`, ids of `people.csv`).

use std::collections::HashMap;
use std::path::Path;

use crate::error::{InputError, InputErrorKind, closest};

/// How an events file is laid out (`format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventsFormat {
    /// CSV with a header naming the columns (the default).
    Csv,
    /// A headerless edge list: `sender recipient seconds` per line, separated by spaces or tabs.
    EdgeList,
}

/// How the time of an event is written (`time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    /// RFC 3339 with an offset, e.g. `2026-03-02T09:15:00+01:00` (the default).
    Rfc3339,
    /// Seconds since 1970-01-01 UTC (or since any fixed start), e.g. `1772439300`.
    Unix,
}

/// Which column of an events CSV a lookup is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventColumn {
    /// The time.
    Time,
    /// The sender's id.
    Sender,
    /// The recipients' ids.
    Recipient,
    /// The optional channel.
    Channel,
}

/// How to read an events file and word its errors (the import names map keys and the HR
/// export, replay names scenario keys and `people.csv`).
pub(crate) struct ReadOptions<'a> {
    /// CSV or edge list.
    pub format: EventsFormat,
    /// How times are written.
    pub time: TimeFormat,
    /// The key that sets the time format, for messages, e.g. `events.time`.
    pub time_key: &'a str,
    /// Header names of the time, sender, recipient and channel columns (in messages).
    pub headers: [&'a str; 4],
    /// Skip rows naming an unknown person (instead of refusing the file).
    pub skip_unknown: bool,
    /// What a person id must be, for messages, e.g. `an employee id of the HR export`.
    pub who: &'a str,
    /// How to skip unknown people, for messages, e.g. "set `events.unknown_people = \"skip\"` in the map".
    pub skip_hint: &'a str,
    /// The position of a column in the CSV header (`None` for an optional column that is absent);
    /// the `usize` is the header's line.
    pub find_column: &'a FindColumn<'a>,
    /// The file's header and delimiter.
    pub dialect: Dialect,
}

/// How a CSV file is written: with a header line or not, and its delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// True (the default) when the first line names the columns; false when the columns are
    /// given by their 1-based positions in the map.
    pub header: bool,
    /// The delimiter byte; `None` detects it: a tab when the first non-blank line holds a tab and
    /// no comma, else a comma.
    pub delimiter: Option<u8>,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect { header: true, delimiter: None }
    }
}

/// Finds a column in a CSV header (the `usize` is the header's line): `None` for an optional
/// column that is absent.
pub(crate) type FindColumn<'a> =
    dyn Fn(&csv::StringRecord, EventColumn, usize) -> Result<Option<usize>, InputError> + 'a;

/// The CSV reader for client files: trimmed fields, no comment lines (a row must never be
/// skipped silently), a UTF-8 byte-order mark removed, the dialect's header and delimiter (a
/// detected one: a tab when the first non-blank line holds a tab and no comma, else a comma).
pub(crate) fn reader(text: &str, dialect: Dialect) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = dialect.delimiter.unwrap_or_else(|| {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if first.contains('\t') && !first.contains(',') { b'\t' } else { b',' }
    });
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .has_headers(dialect.header)
        .from_reader(text.as_bytes())
}

/// The column names of a file: its header, or `1`, `2`, … (as many as the first row has) for a
/// headerless file, whose first row is then read as data.
pub(crate) fn headers(rdr: &mut csv::Reader<&[u8]>, dialect: Dialect) -> Result<csv::StringRecord, csv::Error> {
    let h = rdr.headers()?.clone();
    Ok(if dialect.header { h } else { (1..=h.len()).map(|i| i.to_string()).collect() })
}

/// A reader's line numbers that are right after `\r\n` line ends too (the csv crate's count is
/// not): `text` is the file's text as read.
pub(crate) fn line_index(text: &str) -> LineIndex<'_> {
    LineIndex::new(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A csv crate error as an input error with its line.
pub(crate) fn csv_error(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let mut err = InputError::new(path, InputErrorKind::Csv(e.to_string()));
    err.line = line;
    err
}

/// An error at `line` and `column` of `path`.
pub(crate) fn at(path: &Path, line: usize, column: &str, msg: String) -> InputError {
    InputError::new(path, InputErrorKind::Invalid(msg)).at_line(line).at_key(column)
}

/// The header line (1-based) of a CSV text: its first non-blank line.
pub(crate) fn header_line(text: &str) -> usize {
    1 + text.lines().position(|l| !l.trim().trim_start_matches('\u{feff}').is_empty()).unwrap_or(0)
}

/// The separator of several recipients in one cell.
pub(crate) const RECIPIENT_SEPARATOR: char = ';';

/// One message from one sender to one recipient (a message to several people is several).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Event {
    /// Seconds (from the file's own origin: Unix time or RFC 3339 converted to Unix time).
    pub seconds: f64,
    /// The UTC offset the time was written with, seconds (0 for Unix times): for the calendar.
    pub offset: i32,
    /// The sender, an index into the employees.
    pub sender: usize,
    /// The recipient, an index into the employees.
    pub recipient: usize,
    /// The channel, an index into [`Events::channels`] (0 when the file has no channel column).
    pub channel: usize,
}

/// The events read, with what was skipped.
#[derive(Debug, Default)]
pub(crate) struct Events {
    /// One per (message, recipient), in file order.
    pub events: Vec<Event>,
    /// Channel names as written in the file, or `[""]` when it has no channel column.
    pub channels: Vec<String>,
    /// Data rows read.
    pub rows: usize,
    /// (Message, recipient) pairs whose recipient is the sender (ignored).
    pub self_pairs: usize,
    /// Rows naming a person not in the HR export (skipped with `unknown_people = "skip"`).
    pub unknown_rows: usize,
}

/// Reads the events file at `path`; `ids` are the known people's ids in order and `index` maps
/// them to their position.
pub(crate) fn read(
    path: &Path,
    ev: &ReadOptions<'_>,
    ids: &[&str],
    index: &HashMap<&str, usize>,
) -> Result<Events, InputError> {
    let text = crate::org::csv_input_read_text(path)?;
    let mut out = Events::default();
    let mut channel_index: HashMap<String, usize> = HashMap::new();
    let person = |id: &str, line: usize, column: &str| -> Result<Option<usize>, InputError> {
        if id.is_empty() {
            return Err(at(path, line, column, format!("an empty person id; give {}, e.g. \"E1042\"", ev.who)));
        }
        match index.get(id) {
            Some(&i) => Ok(Some(i)),
            None if ev.skip_unknown => Ok(None),
            None => {
                let hint = if index.len() <= 100_000 {
                    closest(id, ids.iter().copied()).map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default()
                } else {
                    String::new()
                };
                Err(at(
                    path,
                    line,
                    column,
                    format!("unknown person \"{id}\": not {}{hint} (to skip such rows, {})", ev.who, ev.skip_hint),
                ))
            }
        }
    };
    let time = |cell: &str, line: usize, column: &str| -> Result<(f64, i32), InputError> {
        parse_time(cell, ev.time, ev.time_key, path, line, column)
    };
    let push = |out: &mut Events,
                (seconds, offset): (f64, i32),
                sender: Option<usize>,
                recipients: &[Option<usize>],
                channel: usize| {
        let Some(s) = sender else {
            out.unknown_rows += 1;
            return;
        };
        if recipients.iter().any(Option::is_none) {
            out.unknown_rows += 1;
        }
        for r in recipients.iter().flatten() {
            if *r == s {
                out.self_pairs += 1;
            } else {
                out.events.push(Event { seconds, offset, sender: s, recipient: *r, channel });
            }
        }
    };
    match ev.format {
        EventsFormat::EdgeList => {
            out.channels.push(String::new());
            for (i, raw) in text.lines().enumerate() {
                let line = i + 1;
                let l = raw.trim_start_matches('\u{feff}').trim();
                if l.is_empty() || l.starts_with('#') || l.starts_with('%') {
                    continue;
                }
                let f: Vec<&str> = l.split_ascii_whitespace().take(4).collect();
                if f.len() < 3 {
                    return Err(InputError::new(
                        path,
                        InputErrorKind::Invalid(format!(
                            "an edge list line needs three fields `sender recipient seconds` separated by spaces or tabs, got {}: \"{}\"; e.g. \"582 364 3600\"",
                            f.len(),
                            clip(l)
                        )),
                    )
                    .at_line(line));
                }
                out.rows += 1;
                let seconds = time(f[2], line, "seconds")?;
                let s = person(f[0], line, "sender")?;
                let r = person(f[1], line, "recipient")?;
                push(&mut out, seconds, s, &[r], 0);
            }
        }
        EventsFormat::Csv => {
            let mut rdr = reader(&text, ev.dialect);
            let lines = LineIndex::new(text.strip_prefix('\u{feff}').unwrap_or(&text));
            let csv_error = |e: csv::Error| lines.error(path, e);
            let headers = headers(&mut rdr, ev.dialect).map_err(csv_error)?;
            let hl = header_line(&text);
            let required = |c| {
                (ev.find_column)(&headers, c, hl)?
                    .ok_or_else(|| at(path, hl, ev.headers[c as usize], "a required column is missing".into()))
            };
            let tc = required(EventColumn::Time)?;
            let sc = required(EventColumn::Sender)?;
            let rc = required(EventColumn::Recipient)?;
            let cc = (ev.find_column)(&headers, EventColumn::Channel, hl)?;
            let [time_header, sender_header, recipient_header, channel_header] = ev.headers;
            if cc.is_none() {
                out.channels.push(String::new());
            }
            let mut record = csv::StringRecord::new();
            let mut recipients = Vec::new();
            while rdr.read_record(&mut record).map_err(csv_error)? {
                let line = record.position().map_or(0, |p| lines.of(p));
                out.rows += 1;
                let seconds = time(record.get(tc).unwrap_or(""), line, time_header)?;
                let s = person(record.get(sc).unwrap_or(""), line, sender_header)?;
                recipients.clear();
                for r in record.get(rc).unwrap_or("").split(RECIPIENT_SEPARATOR) {
                    let r = r.trim();
                    if r.is_empty() && !recipients.is_empty() {
                        continue; // a trailing `;`
                    }
                    let p = person(r, line, recipient_header)?;
                    if p.is_none() || !recipients.contains(&p) {
                        recipients.push(p);
                    }
                }
                let channel = match cc {
                    None => 0,
                    Some(c) => {
                        let name = record.get(c).unwrap_or("").trim();
                        if name.is_empty() || name.contains('.') {
                            return Err(at(
                                path,
                                line,
                                channel_header,
                                format!(
                                    "the channel \"{name}\" must be a non-empty name without dots (it becomes part of a channel name), e.g. \"email\""
                                ),
                            ));
                        }
                        match channel_index.get(name) {
                            Some(&i) => i,
                            None => {
                                // It becomes a channel name: the loader's name rules (found by
                                // the import_readers fuzz target: a control character).
                                crate::error::check_name(name, "the channel").map_err(|k| {
                                    let mut e = at(path, line, channel_header, String::new());
                                    e.kind = k;
                                    e
                                })?;
                                out.channels.push(name.to_string());
                                channel_index.insert(name.to_string(), out.channels.len() - 1);
                                out.channels.len() - 1
                            }
                        }
                    }
                };
                push(&mut out, seconds, s, &recipients, channel);
            }
        }
    }
    if out.rows == 0 {
        return Err(InputError::new(path, InputErrorKind::Invalid("no events: the file has no data rows".into())));
    }
    if out.events.is_empty() {
        return Err(InputError::new(
            path,
            InputErrorKind::Invalid(
                "no events between two different known people (every row was skipped or sent to oneself)".into(),
            ),
        ));
    }
    Ok(out)
}

/// The time of an event in seconds and the UTC offset it was written with: Unix seconds (a
/// number, decimals allowed; offset 0) or RFC 3339 with an offset (jiff's parser).
fn parse_time(
    cell: &str,
    format: TimeFormat,
    time_key: &str,
    path: &Path,
    line: usize,
    column: &str,
) -> Result<(f64, i32), InputError> {
    let cell = cell.trim();
    match format {
        TimeFormat::Unix => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() < MAX_UNIX_SECONDS => Ok((x, 0)),
            _ => Err(at(
                path,
                line,
                column,
                format!(
                    "the time \"{}\" is not a number of seconds (`{time_key} = \"unix\"`); e.g. 1772439300",
                    clip(cell)
                ),
            )),
        },
        TimeFormat::Rfc3339 => match cell.parse::<jiff::Timestamp>() {
            Ok(t) => {
                use jiff::fmt::temporal::{Pieces, PiecesOffset};
                let offset = match Pieces::parse(cell).ok().and_then(|p| p.offset()) {
                    Some(PiecesOffset::Numeric(n)) => n.offset().seconds(),
                    _ => 0,
                };
                Ok((t.as_second() as f64 + f64::from(t.subsec_nanosecond()) * 1e-9, offset))
            }
            Err(_) => Err(at(
                path,
                line,
                column,
                format!(
                    "the time \"{}\" is not an RFC 3339 time with an offset; e.g. 2026-03-02T09:15:00+01:00 (or set `{time_key} = \"unix\"` for seconds)",
                    clip(cell)
                ),
            )),
        },
    }
}

/// The largest Unix time accepted, in seconds (about 3 million years: beyond it, hours lose
/// sub-second precision in `f64`).
const MAX_UNIX_SECONDS: f64 = 1e14;

/// The 1-based line of a byte of a text, with `\n`, `\r\n` and a lone `\r` each ending a line
/// (the csv crate's own line count is off after `\r\n` endings).
pub(crate) struct LineIndex<'t> {
    bytes: &'t [u8],
    /// The byte where each line starts.
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// The index of `text` (as the CSV reader sees it: without a byte-order mark).
    pub(crate) fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { bytes, starts }
    }

    /// A csv crate error at its right line of `path` (not the csv crate's own count).
    pub(crate) fn error(&self, path: &Path, e: csv::Error) -> InputError {
        let line = e.position().map(|p| self.of(p));
        let mut err = csv_error(path, e);
        err.line = line;
        err
    }

    /// The line of a record or error position: its first byte that is not a line ending.
    pub(crate) fn of(&self, pos: &csv::Position) -> usize {
        let from = (pos.byte() as usize).min(self.bytes.len());
        let start = from + self.bytes[from..].iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
        self.starts.partition_point(|&s| s <= start)
    }
}

/// The most characters of a cell quoted in a message.
const QUOTED_CHARS: usize = 40;

/// `s` cut to [`QUOTED_CHARS`] characters for a message (with `…` when cut).
fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTED_CHARS {
        s.to_string()
    } else {
        s.chars().take(QUOTED_CHARS).collect::<String>() + "…"
    }
}
