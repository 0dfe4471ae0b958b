//! Reading communication metadata: one row per (sender, receiver) with a message count over the
//! observation period, aggregated per pair.

use std::collections::HashMap;
use std::path::Path;

use super::hr::{at, find_column, header_line, headers, line_index, reader};
use super::map::{Map, Pairs};
use crate::error::{InputError, InputErrorKind, closest};

/// Message counts per pair of people (indices into the employees), with what was skipped.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Total count per pair: `(a, b)` with `a < b` for unordered pairs, `(sender, receiver)` for
    /// ordered ones.
    pub pairs: HashMap<(usize, usize), u64>,
    /// Data rows read.
    pub rows: usize,
    /// Rows whose sender is the receiver (ignored).
    pub self_rows: usize,
    /// Rows naming a person not in the HR export (skipped with `unknown_people = "skip"`).
    pub unknown_rows: usize,
}

/// Reads the messages file at `path`; `ids` are the employee ids in the export's order and
/// `index` maps them to their position.
pub(crate) fn read(
    path: &Path,
    map: &Map,
    map_path: &Path,
    ids: &[&str],
    index: &HashMap<&str, usize>,
) -> Result<Counts, InputError> {
    let m = &map.messages;
    let text = crate::org::csv_input_read_text(path)?;
    let mut rdr = reader(&text, m.dialect);
    let lines = line_index(&text);
    let csv_error = |e: csv::Error| lines.error(path, e);
    let headers = headers(&mut rdr, m.dialect).map_err(csv_error)?;
    let hl = header_line(&text);
    let col = |c| find_column(path, map_path, &headers, c, true, hl).map(|p| p.expect("required"));
    let (sc, rc, cc) = (col(&m.sender)?, col(&m.receiver)?, col(&m.count)?);
    let mut counts = Counts::default();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| lines.of(p));
        counts.rows += 1;
        let person = |c: usize, header: &str| -> Result<Option<usize>, InputError> {
            let id = record.get(c).unwrap_or("");
            if id.is_empty() {
                return Err(at(
                    path,
                    line,
                    header,
                    "an empty person id; give an employee id of the HR export, e.g. \"E1042\"".into(),
                ));
            }
            match index.get(id) {
                Some(&i) => Ok(Some(i)),
                None if m.skip_unknown => Ok(None),
                None => {
                    let hint = if index.len() <= 100_000 {
                        closest(id, ids.iter().copied()).map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default()
                    } else {
                        String::new()
                    };
                    Err(at(
                        path,
                        line,
                        header,
                        format!(
                            "unknown person {}: not an employee id of the HR export{hint} (to skip such rows, set `messages.unknown_people = \"skip\"` in the map)",
                            crate::error::quoted(id)
                        ),
                    ))
                }
            }
        };
        let sender = person(sc, &m.sender.header)?;
        let receiver = person(rc, &m.receiver.header)?;
        let count_text = record.get(cc).unwrap_or("");
        let count: u64 = count_text.parse().map_err(|_| {
            at(
                path,
                line,
                &m.count.header,
                format!("the count {} is not a whole number of messages; e.g. 12", crate::error::quoted(count_text)),
            )
        })?;
        let (Some(s), Some(r)) = (sender, receiver) else {
            counts.unknown_rows += 1;
            continue;
        };
        if s == r {
            counts.self_rows += 1;
            continue;
        }
        let key = match m.pairs {
            Pairs::Unordered => (s.min(r), s.max(r)),
            Pairs::Ordered => (s, r),
        };
        let total = counts.pairs.entry(key).or_insert(0);
        *total = total.saturating_add(count);
    }
    if counts.rows == 0 {
        return Err(
            InputError::new(path, InputErrorKind::NoRows { what: "messages", detail: String::new() }).at_line(hl)
        );
    }
    Ok(counts)
}
