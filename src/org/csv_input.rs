//! Reading `people.csv` (`id,unit,role`) and `links.csv` (`source,target,channel[,direction][,group]`)
//! with the csv crate. Every error names the file, the line and the column.

use std::path::Path;

use std::collections::HashMap;

use super::{
    DEFAULT_LINK_WEIGHT, Direction, Link, NO_LINK_GROUP, NameOrigin, Organisation, OrganisationBuilder, PersonIdx,
};
use crate::error::{InputError, InputErrorKind};

/// The most bytes read of a scenario file (16 MiB; the bundled scenarios have a few KiB). Larger
/// files are refused before they are read, so a mistaken path (a log, a disk image) cannot exhaust
/// memory. CSV files have no such cap: an organisation of millions of people is legitimate.
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// Which kind of input file is read: decides the size cap and the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFile {
    /// The scenario file named on the command line (capped at [`MAX_SCENARIO_BYTES`]).
    Scenario,
    /// A file named inside the scenario (`people.csv`, `links.csv`).
    Data,
}

/// What a path that is not a regular file is, for the message.
fn file_type_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "not a file" }
}

/// Reads a whole input file as UTF-8 text; empty, missing and non-UTF-8 files are input errors,
/// and so is anything that is not a regular file after following symbolic links (a named pipe
/// would block forever, `/dev/zero` would never end).
pub fn read_input(path: &Path, kind: InputFile) -> Result<String, InputError> {
    use std::io::Read as _;
    let unreadable = |e: std::io::Error| {
        InputError::new(
            path,
            match kind {
                InputFile::Scenario => InputErrorKind::UnreadableScenario(e.to_string()),
                InputFile::Data => InputErrorKind::Unreadable(e.to_string()),
            },
        )
    };
    let not_regular = |t: std::fs::FileType| InputError::new(path, InputErrorKind::NotRegularFile(file_type_name(t)));
    // Checked before opening: opening a named pipe for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // Checked again on the open file, in case the path was replaced in between.
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut bytes = Vec::new();
    match kind {
        InputFile::Scenario => {
            file.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
            if bytes.len() as u64 > MAX_SCENARIO_BYTES {
                return Err(InputError::new(
                    path,
                    InputErrorKind::TooLarge { what: "a scenario file", limit: MAX_SCENARIO_BYTES },
                ));
            }
        }
        InputFile::Data => {
            let mut file = file;
            file.read_to_end(&mut bytes).map_err(unreadable)?;
        }
    }
    text_of_bytes(path, bytes)
}

/// The bytes of an input file as text: all-whitespace is [`InputErrorKind::Empty`], invalid UTF-8
/// names the line of the first bad byte.
pub fn text_of_bytes(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::new(path, InputErrorKind::Empty));
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = line_at_byte(e.as_bytes(), e.utf8_error().valid_up_to());
        InputError::new(path, InputErrorKind::NotUtf8).at_line(line)
    })
}

/// Reads a file named inside the scenario (a CSV file); see [`read_input`].
pub fn read_text(path: &Path) -> Result<String, InputError> {
    read_input(path, InputFile::Data)
}

/// Reads the scenario file named on the command line; see [`read_input`].
pub fn read_scenario_text(path: &Path) -> Result<String, InputError> {
    read_input(path, InputFile::Scenario)
}

/// The 1-based line of byte `offset` of `bytes`, with `\n`, `\r\n` and a lone `\r` each ending a
/// line (the line endings the csv crate accepts).
fn line_at_byte(bytes: &[u8], offset: usize) -> usize {
    let head = &bytes[..offset.min(bytes.len())];
    let lone_cr = head.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
        + usize::from(head.last() == Some(&b'\r') && bytes.get(head.len()) != Some(&b'\n'));
    1 + head.iter().filter(|&&b| b == b'\n').count() + lone_cr
}

/// The lines of `text` with their endings (`\n`, `\r\n` or a lone `\r`).
fn lines_with_endings(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let ending = if rest[end..].starts_with("\r\n") { 2 } else { usize::from(end < rest.len()) };
        let (line, ending_text) = (&rest[..end], &rest[end..end + ending]);
        rest = &rest[end + ending..];
        Some((line, ending_text))
    })
}

/// True for a line the reader skips: blank (only whitespace) or a `#` comment (`#` as the first
/// character; an indented `#` is data, as documented).
fn skipped(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}');
    line.starts_with('#') || line.trim().is_empty()
}

/// `text` with blank, whitespace-only and comment lines emptied but their line endings kept, so
/// the csv crate skips them and byte offsets still give the file's line numbers. Borrowed when
/// no line is skipped (a large generated file then costs no second copy).
fn without_skipped_lines(text: &str) -> std::borrow::Cow<'_, str> {
    if !lines_with_endings(text).any(|(line, _)| skipped(line) && !line.is_empty()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (line, ending) in lines_with_endings(text) {
        if !skipped(line) {
            out.push_str(line);
        }
        out.push_str(ending);
    }
    std::borrow::Cow::Owned(out)
}

/// Refuses a header that names a column twice (the later cell would be ignored silently),
/// naming the column and the header's line; linear in the number of columns.
pub(crate) fn refuse_duplicate_columns<'a>(
    path: &Path,
    headers: impl IntoIterator<Item = &'a str>,
    header_line: usize,
) -> Result<(), InputError> {
    let mut seen = std::collections::HashSet::new();
    for h in headers {
        if !seen.insert(h) {
            return Err(InputError::new(path, InputErrorKind::DuplicateColumn(h.to_string()))
                .at_line(header_line)
                .at_key(h));
        }
    }
    Ok(())
}

/// The column positions of a CSV header, checked against the required and optional columns.
fn header_positions(
    path: &Path,
    headers: &csv::StringRecord,
    required: &[&str],
    optional: &[&str],
    required_text: &'static str,
    header_line: usize,
) -> Result<Vec<Option<usize>>, InputError> {
    for (i, h) in headers.iter().enumerate() {
        if headers.iter().take(i).any(|earlier| earlier == h) {
            return Err(InputError::new(path, InputErrorKind::DuplicateColumn(h.to_string()))
                .at_line(header_line)
                .at_key(h));
        }
        if !required.contains(&h) && !optional.contains(&h) {
            let expected = required.iter().chain(optional).map(|s| s.to_string()).collect();
            return Err(InputError::new(path, InputErrorKind::UnknownKey { key: h.to_string(), expected })
                .at_line(header_line)
                .at_key(h));
        }
    }
    let mut pos = Vec::new();
    for name in required.iter().chain(optional) {
        let p = headers.iter().position(|h| h == *name);
        if p.is_none() && required.contains(name) {
            return Err(InputError::new(
                path,
                InputErrorKind::MissingColumn { column: name.to_string(), required: required_text },
            )
            .at_line(header_line));
        }
        pos.push(p);
    }
    Ok(pos)
}

/// The 1-based line of the header: the first line that is neither blank nor a `#` comment.
fn header_line(text: &str) -> usize {
    1 + lines_with_endings(text).position(|(l, _)| !skipped(l)).unwrap_or(0)
}

/// A reader of `cleaned` (from [`without_skipped_lines`]).
///
/// Only the headers are trimmed by the reader; fields are trimmed where they are read, by
/// [`cell`]. (The csv crate's field trimming copies every record into a new allocation, twice:
/// a quarter of the load of a million-person `links.csv` went to the allocator.)
fn reader(cleaned: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(cleaned.as_bytes())
}

/// Field `i` of `record` without leading and trailing whitespace (Unicode's, as `str::trim`
/// and the csv crate's `Trim::All` define it), if the record has one.
fn cell(record: &csv::StringRecord, i: usize) -> Option<&str> {
    record.get(i).map(str::trim)
}

/// Lines of record positions in `cleaned`, counted incrementally: records come in file order, so
/// each byte is counted once (a whole file of records costs one pass, not one pass per record).
struct Lines<'t> {
    bytes: &'t [u8],
    /// Byte up to which lines have been counted, and the 1-based line at that byte.
    at: usize,
    line: usize,
}

impl<'t> Lines<'t> {
    fn new(cleaned: &'t str) -> Self {
        Lines { bytes: cleaned.as_bytes(), at: 0, line: 1 }
    }

    /// The 1-based line of a record or error position. The csv crate's own line count and byte
    /// offset both stop before the line endings (and emptied lines) ahead of a record, so the
    /// record starts at the first byte after them.
    fn of(&mut self, pos: &csv::Position) -> usize {
        let bytes = self.bytes;
        let from = (pos.byte() as usize).min(bytes.len());
        let start = from + bytes[from..].iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
        if start < self.at {
            self.at = 0;
            self.line = 1;
        }
        // `at` and `start` are both line starts (after whole line endings), so no `\r\n` pair
        // straddles them: count the `\n`s and the lone `\r`s in between.
        let ends = (self.at..start)
            .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        self.line += ends;
        self.at = start;
        self.line
    }
}

fn csv_error(path: &Path, cleaned: &str, e: csv::Error) -> InputError {
    let line = e.position().map(|p| Lines::new(cleaned).of(p));
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields, the header has {expected_len}; give one value per column")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    let mut err = InputError::new(path, InputErrorKind::Csv(msg));
    err.line = line;
    err
}

/// Refuses a CSV value with control characters (they would corrupt the terminal and the reports).
fn check_value(path: &Path, line: usize, column: &str, value: &str, what: &'static str) -> Result<(), InputError> {
    crate::error::check_name(value, what).map_err(|k| InputError::new(path, k).at_line(line).at_key(column))
}

/// Reads the people file and the links file into an [`Organisation`]. Each file's text is
/// dropped as soon as it is parsed (the people's before the links are parsed).
pub fn load_csv(people_path: &Path, links_path: &Path) -> Result<Organisation, InputError> {
    let people = read_text(people_path)?;
    let links = read_text(links_path)?;
    let mut b = OrganisationBuilder::new(origin_of(people_path, links_path));
    read_people(&mut b, people_path, &people)?;
    drop(people);
    read_links(&mut b, links_path, &links)?;
    drop(links);
    Ok(b.finish())
}

/// The organisation's origin as the summaries show it: "people.csv + links.csv".
fn origin_of(people_path: &Path, links_path: &Path) -> String {
    format!(
        "{} + {}",
        people_path.file_name().unwrap_or_default().to_string_lossy(),
        links_path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// An upper bound of the records of a CSV text: its line endings plus one (`\n`, or `\r` in a
/// file without any `\n`, so that `\r\n` counts once).
fn max_records(text: &str) -> usize {
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    let ends = if newlines > 0 { newlines } else { text.bytes().filter(|&b| b == b'\r').count() };
    ends + 1
}

/// Builds an [`Organisation`] from the text of the people and links files (`*_path` name them in
/// messages). The reader behind [`load_csv`], for tools and fuzzers that hold the text already.
pub fn org_from_csv_text(
    people_path: &Path,
    people_text: &str,
    links_path: &Path,
    links_text: &str,
) -> Result<Organisation, InputError> {
    let mut b = OrganisationBuilder::new(origin_of(people_path, links_path));
    read_people(&mut b, people_path, people_text)?;
    read_links(&mut b, links_path, links_text)?;
    Ok(b.finish())
}

/// Reads the people of `people_text` (the file `people_path`) into `b`.
fn read_people(b: &mut OrganisationBuilder, people_path: &Path, people_text: &str) -> Result<(), InputError> {
    b.reserve(max_records(people_text), 0);
    let text = without_skipped_lines(people_text);
    let mut rdr = reader(&text);
    let mut lines = Lines::new(&text);
    let headers = rdr.headers().map_err(|e| csv_error(people_path, &text, e))?.clone();
    let pos = header_positions(
        people_path,
        &headers,
        &["id", "unit", "role"],
        &["calendar", "name", "site"],
        "id,unit,role",
        header_line(&text),
    )?;
    let (pi, pu, pr, pc, pn, ps) = (pos[0].unwrap(), pos[1].unwrap(), pos[2].unwrap(), pos[3], pos[4], pos[5]);
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(|e| csv_error(people_path, &text, e))? {
        let line = record.position().map_or(0, |p| lines.of(p));
        let field = |i: usize, name: &str| -> Result<&str, InputError> {
            match cell(&record, i) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(InputError::new(people_path, InputErrorKind::EmptyValue).at_line(line).at_key(name)),
            }
        };
        let (id, unit, role) = (field(pi, "id")?, field(pu, "unit")?, field(pr, "role")?);
        check_value(people_path, line, "id", id, "the person id")?;
        check_value(people_path, line, "unit", unit, "the unit")?;
        check_value(people_path, line, "role", role, "the role")?;
        if b.add_person(id, unit, role).is_none() {
            return Err(InputError::new(people_path, InputErrorKind::DuplicatePerson(id.to_string()))
                .at_line(line)
                .at_key("id"));
        }
        // Optional working calendar (empty = the scenario's default).
        if let Some(c) = pc.and_then(|i| cell(&record, i)).filter(|c| !c.is_empty()) {
            check_value(people_path, line, "calendar", c, "the calendar name")?;
            b.set_last_person_calendar(c);
        }
        // Optional display name and site (empty = none).
        if let Some(n) = pn.and_then(|i| cell(&record, i)).filter(|n| !n.is_empty()) {
            check_value(people_path, line, "name", n, "the name")?;
            b.set_last_person_name(n);
        }
        if let Some(site) = ps.and_then(|i| cell(&record, i)).filter(|s| !s.is_empty()) {
            check_value(people_path, line, "site", site, "the site")?;
            b.set_last_person_site(site);
        }
    }
    if b.is_empty() {
        return Err(InputError::new(people_path, InputErrorKind::NoRows { what: "people", detail: String::new() }));
    }
    Ok(())
}

/// Reads the links of `links_text` (the file `links_path`) between the people of `b` into `b`.
fn read_links(b: &mut OrganisationBuilder, links_path: &Path, links_text: &str) -> Result<(), InputError> {
    b.reserve(0, max_records(links_text));
    let text = without_skipped_lines(links_text);
    let mut rdr = reader(&text);
    let mut lines = Lines::new(&text);
    let headers = rdr.headers().map_err(|e| csv_error(links_path, &text, e))?.clone();
    let pos = header_positions(
        links_path,
        &headers,
        &["source", "target", "channel"],
        &["direction", "group", "weight"],
        "source,target,channel (and optionally direction, group, weight)",
        header_line(&text),
    )?;
    let (ls, lt, lc, ld, lg, lw) = (pos[0].unwrap(), pos[1].unwrap(), pos[2].unwrap(), pos[3], pos[4], pos[5]);
    let mut ids: Option<Vec<String>> = None;
    // Rows are read in batches; the ids of a batch are looked up in the id index in parallel
    // (each look-up is a cache miss or two on a large organisation), then the rows are taken in
    // file order, so the first bad row is still the one reported. A read error ends the batch
    // and is reported after its rows.
    // The next batch is parsed while this one's ids are looked up (`rayon::join`), so the
    // parse, which is one thread's work, overlaps the look-ups.
    let columns = (ls, lt, lc, ld, lg, lw);
    let mut read = |batch: &mut LinkBatch| batch.fill(&mut rdr, &mut lines, links_path, &text);
    let mut current = LinkBatch::default();
    let mut next = LinkBatch::default();
    read(&mut current);
    loop {
        let more = current.n == LINK_BATCH && current.read_error.is_none();
        let (found, ()) = {
            let b = &*b;
            let current = &current;
            rayon::join(
                || {
                    use rayon::prelude::*;
                    current.rows[..current.n]
                        .par_iter()
                        .with_min_len(256)
                        .map(|r| (b.find(cell(r, ls).unwrap_or("")), b.find(cell(r, lt).unwrap_or(""))))
                        .collect::<Vec<_>>()
                },
                || {
                    if more {
                        read(&mut next);
                    }
                },
            )
        };
        for (k, &ends) in found.iter().enumerate() {
            read_link(b, &current.rows[k], current.lines[k], ends, &mut ids, links_path, columns)?;
        }
        if let Some(e) = current.read_error.take() {
            return Err(e);
        }
        if !more {
            return Ok(());
        }
        std::mem::swap(&mut current, &mut next);
    }
}

/// Up to [`LINK_BATCH`] rows of `links.csv` as read, with their lines, and the read error that
/// ended them early, if any (reported after the rows before it).
#[derive(Default)]
struct LinkBatch {
    rows: Vec<csv::StringRecord>,
    lines: Vec<usize>,
    /// How many of `rows` were read this time.
    n: usize,
    read_error: Option<InputError>,
}

impl LinkBatch {
    /// Reads the next rows of `rdr` (over `text`, the file `path`) into the batch, reusing its
    /// records.
    fn fill(&mut self, rdr: &mut csv::Reader<&[u8]>, lines: &mut Lines<'_>, path: &Path, text: &str) {
        self.n = 0;
        self.read_error = None;
        while self.n < LINK_BATCH {
            if self.n == self.rows.len() {
                self.rows.push(csv::StringRecord::new());
                self.lines.push(0);
            }
            match rdr.read_record(&mut self.rows[self.n]) {
                Ok(true) => {
                    self.lines[self.n] = self.rows[self.n].position().map_or(0, |p| lines.of(p));
                    self.n += 1;
                }
                Ok(false) => return,
                Err(e) => {
                    self.read_error = Some(csv_error(path, text, e));
                    return;
                }
            }
        }
    }
}

/// Rows of `links.csv` read and looked up together (see [`read_links`]).
const LINK_BATCH: usize = 4096;

/// The columns of `links.csv`: source, target, channel, and the optional direction, group and
/// weight.
type LinkColumns = (usize, usize, usize, Option<usize>, Option<usize>, Option<usize>);

/// Adds the link of `record` (line `line` of `links_path`), whose ends the id index gave as
/// `found`, to `b`; `ids` are the known ids for a "did you mean", read on the first unknown one.
fn read_link(
    b: &mut OrganisationBuilder,
    record: &csv::StringRecord,
    line: usize,
    found: (Option<u32>, Option<u32>),
    ids: &mut Option<Vec<String>>,
    links_path: &Path,
    (ls, lt, lc, ld, lg, lw): LinkColumns,
) -> Result<(), InputError> {
    {
        let at = |kind: InputErrorKind, key: &str| InputError::new(links_path, kind).at_line(line).at_key(key);
        let mut person = |found: Option<u32>, col: usize, key: &str| -> Result<u32, InputError> {
            found.ok_or_else(|| {
                let id = cell(record, col).unwrap_or("");
                let known = ids.get_or_insert_with(|| b_ids(b)).clone();
                at(InputErrorKind::UnknownName { what: "person", name: id.to_string(), known }, key)
            })
        };
        let source = person(found.0, ls, "source")?;
        let target = person(found.1, lt, "target")?;
        if source == target {
            return Err(at(InputErrorKind::SelfLink, "target"));
        }
        let channel = cell(record, lc).unwrap_or("");
        if channel.is_empty() {
            return Err(at(InputErrorKind::EmptyValue, "channel"));
        }
        check_value(links_path, line, "channel", channel, "the channel name")?;
        let dir_text = ld.and_then(|i| cell(record, i)).unwrap_or("");
        let direction = Direction::parse(dir_text).ok_or_else(|| {
            at(
                InputErrorKind::UnknownName {
                    what: "direction",
                    name: dir_text.to_string(),
                    known: vec!["both".into(), "forward".into()],
                },
                "direction",
            )
        })?;
        b.add_link(source, target, channel, direction, || NameOrigin {
            file: links_path.to_path_buf(),
            line: Some(line),
            key: Some("channel".into()),
        });
        // Optional meeting group (scheduled channels).
        if let Some(group) = lg.and_then(|i| cell(record, i)).filter(|g| !g.is_empty()) {
            check_value(links_path, line, "group", group, "the meeting group")?;
            b.set_last_link_group(group);
        }
        // Optional link strength (empty = the default, 1).
        if let Some(w) = lw.and_then(|i| cell(record, i)).filter(|w| !w.is_empty()) {
            b.set_last_link_weight(parse_weight(w).map_err(|m| at(InputErrorKind::Invalid(m), "weight"))?);
        }
    }
    Ok(())
}

/// `org` with the recurring meetings of the file `path` (CSV `meeting,channel,members`, one row
/// per meeting, members separated by `;`): each meeting adds a two-way link over `channel`
/// between every two of its distinct members, in the meeting group named after it (so a
/// scheduled channel gives them shared occurrences), exactly as the same rows in the links file
/// with `group = meeting` would. Links are appended after the links file's.
pub fn with_meetings(mut org: Organisation, path: &Path) -> Result<Organisation, InputError> {
    let raw = read_text(path)?;
    let text = without_skipped_lines(&raw);
    let mut rdr = reader(&text);
    let mut lines = Lines::new(&text);
    let headers = rdr.headers().map_err(|e| csv_error(path, &text, e))?.clone();
    let pos = header_positions(
        path,
        &headers,
        &["meeting", "channel", "members"],
        &[],
        "meeting,channel,members",
        header_line(&text),
    )?;
    let (pm, pc, pp) = (pos[0].unwrap(), pos[1].unwrap(), pos[2].unwrap());
    let mut record = csv::StringRecord::new();
    let mut seen: Vec<String> = Vec::new();
    let mut groups: HashMap<String, u32> = org.groups.iter().enumerate().map(|(i, g)| (g.clone(), i as u32)).collect();
    let mut channels: HashMap<String, u32> =
        org.channels.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect();
    let mut rows = 0;
    while rdr.read_record(&mut record).map_err(|e| csv_error(path, &text, e))? {
        rows += 1;
        let line = record.position().map_or(0, |p| lines.of(p));
        let at = |kind: InputErrorKind, key: &str| InputError::new(path, kind).at_line(line).at_key(key);
        let field = |i: usize, name: &str| -> Result<&str, InputError> {
            match cell(&record, i) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(at(InputErrorKind::EmptyValue, name)),
            }
        };
        let (meeting, channel, members) = (field(pm, "meeting")?, field(pc, "channel")?, field(pp, "members")?);
        check_value(path, line, "meeting", meeting, "the meeting name")?;
        check_value(path, line, "channel", channel, "the channel name")?;
        if seen.iter().any(|m| m == meeting) {
            return Err(at(
                InputErrorKind::Invalid(format!(
                    "the meeting \"{meeting}\" is given twice; one row per meeting, its members separated by `;`"
                )),
                "meeting",
            ));
        }
        seen.push(meeting.to_string());
        let mut people: Vec<PersonIdx> = Vec::new();
        for id in members.split(';').map(str::trim).filter(|m| !m.is_empty()) {
            let p = org.find(id).ok_or_else(|| {
                at(
                    InputErrorKind::UnknownName {
                        what: "person",
                        name: id.to_string(),
                        known: org.ids_for_suggestions(),
                    },
                    "members",
                )
            })?;
            if !people.contains(&p) {
                people.push(p);
            }
        }
        if people.len() < 2 {
            return Err(at(
                InputErrorKind::Invalid(format!(
                    "the meeting \"{meeting}\" has fewer than two distinct members; list them separated by `;`, e.g. \"ana;ben;chloe\""
                )),
                "members",
            ));
        }
        let c = *channels.entry(channel.to_string()).or_insert_with(|| {
            org.channels.push(channel.to_string());
            org.channel_origins.push(NameOrigin {
                file: path.to_path_buf(),
                line: Some(line),
                key: Some("channel".into()),
            });
            org.channels.len() as u32 - 1
        });
        let g = *groups.entry(meeting.to_string()).or_insert_with(|| {
            org.groups.push(meeting.to_string());
            org.groups.len() as u32 - 1
        });
        org.link_group.resize(org.links.len(), NO_LINK_GROUP);
        for (i, &a) in people.iter().enumerate() {
            for &b in &people[i + 1..] {
                org.links.push(Link { source: a, target: b, channel: c, direction: Direction::Both });
                org.link_group.push(g);
            }
        }
    }
    if rows == 0 {
        return Err(InputError::new(path, InputErrorKind::NoRows { what: "meetings", detail: String::new() }));
    }
    if !org.link_weight.is_empty() {
        org.link_weight.resize(org.links.len(), DEFAULT_LINK_WEIGHT);
    }
    org.origin = format!("{} + {}", org.origin, path.file_name().unwrap_or_default().to_string_lossy());
    Ok(org)
}

/// A link weight from its CSV text: a positive, finite number; otherwise a message for people.
pub(super) fn parse_weight(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(w) if w.is_finite() && w > 0.0 => Ok(w),
        _ => Err(format!(
            "the weight \"{}\" is not a positive number; give the link's strength, e.g. 1 (one chance, the default), \
             3 (three independent chances) or 0.5",
            text.escape_debug()
        )),
    }
}

fn b_ids(b: &OrganisationBuilder) -> Vec<String> {
    b.org.ids_for_suggestions()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of every record, with blank, comment and whitespace-only lines between them and
    /// each kind of line ending.
    #[test]
    fn records_are_located_on_their_own_lines() {
        for ending in ["\n", "\r\n", "\r"] {
            let lines =
                ["# head", "id,unit,role", "# a", "c,x,community", "", "  ", "# b", "# c", "a,x,dev", "", "b,x,dev"];
            let text = lines.join(ending) + ending;
            let cleaned = without_skipped_lines(&text);
            let mut rdr = reader(&cleaned);
            let mut lines = Lines::new(&cleaned);
            let mut record = csv::StringRecord::new();
            let mut found = Vec::new();
            while rdr.read_record(&mut record).unwrap() {
                found.push((record[0].to_string(), lines.of(record.position().unwrap())));
            }
            let expected = [("c", 4), ("a", 9), ("b", 11)].map(|(id, l)| (id.to_string(), l));
            assert_eq!(found, expected, "line ending {ending:?}");
            assert_eq!(header_line(&text), 2);
        }
    }

    /// Fields are read without the whitespace around them, ASCII and Unicode alike (a
    /// no-break space, an ideographic space), in every column, as the csv crate's `Trim::All`
    /// did: the padded files give the same organisation as the clean ones.
    #[test]
    fn padded_fields_give_the_same_organisation() {
        let (pp, lp) = (Path::new("people.csv"), Path::new("links.csv"));
        let clean_people =
            "id,unit,role,name,site\nc,ext,community,,\na,dev-team,developer,Ana,Oslo\nb,dev-team,developer,,\n";
        let clean_links = "source,target,channel,direction,group,weight\nc,a,feed,forward,,\na,b,chat,both,g1,2.5\n";
        let padded_people = " id , unit ,role,name , site\n c ,ext, community ,,\n\u{a0}a\u{a0},\tdev-team , developer , Ana ,Oslo\u{3000}\nb , dev-team,developer, ,\n";
        let padded_links = "source , target,channel,direction,group,weight\n c , a ,\u{a0}feed , forward ,,\na,\u{3000}b, chat,both , g1 , 2.5 \n";
        let clean = org_from_csv_text(pp, clean_people, lp, clean_links).unwrap();
        let padded = org_from_csv_text(pp, padded_people, lp, padded_links).unwrap();
        let ids = |o: &Organisation| o.people.iter().map(|p| p.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&padded), ids(&clean));
        assert_eq!((&padded.units, &padded.roles, &padded.channels), (&clean.units, &clean.roles, &clean.channels));
        let links =
            |o: &Organisation| o.links.iter().map(|l| (l.source, l.target, l.channel, l.direction)).collect::<Vec<_>>();
        assert_eq!(links(&padded), links(&clean));
        assert_eq!((&padded.groups, &padded.link_weight), (&clean.groups, &clean.link_weight));
        assert_eq!((padded.name_of(1), padded.name_of(2)), (Some("Ana"), None));
        assert_eq!((padded.site_groups(), &padded.person_site), (clean.site_groups(), &clean.person_site));
    }

    /// The first bad row is the one reported, also when a later batch of rows (read while the
    /// earlier one is looked up) ends in a read error; and a read error alone names its line.
    #[test]
    fn the_first_bad_row_is_reported_across_batches() {
        let (pp, lp) = (Path::new("people.csv"), Path::new("links.csv"));
        let people = "id,unit,role\na,x,dev\nb,x,dev\n";
        let links_with = |bad: &[(usize, &str)]| {
            let mut text = String::from("source,target,channel\n");
            for line in 2..=3 * LINK_BATCH {
                let row = bad.iter().find(|(l, _)| *l == line).map_or("a,b,chat", |(_, r)| r);
                text.push_str(row);
                text.push('\n');
            }
            text
        };
        let unknown = LINK_BATCH + 10; // in the second batch
        let short = 2 * LINK_BATCH + 5; // in the third, read while the second is looked up
        let e = org_from_csv_text(pp, people, lp, &links_with(&[(unknown, "a,zz,chat"), (short, "a,b")])).unwrap_err();
        assert_eq!(e.line, Some(unknown), "{e}");
        assert!(matches!(e.kind, InputErrorKind::UnknownName { .. }), "{e}");
        let e = org_from_csv_text(pp, people, lp, &links_with(&[(short, "a,b")])).unwrap_err();
        assert_eq!(e.line, Some(short), "{e}");
        assert!(org_from_csv_text(pp, people, lp, &links_with(&[])).is_ok());
    }
}
