//! Reading `people.csv` (`id,unit,role`) and `links.csv` (`source,target,channel[,direction][,group]`)
//! with the csv crate. Every error names the file, the line and the column.

use std::path::Path;

use super::{Direction, NameOrigin, Organisation, OrganisationBuilder};
use crate::error::{InputError, InputErrorKind};

/// Reads a whole input file as UTF-8 text; empty, missing and non-UTF-8 files are input errors.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::new(path, InputErrorKind::Unreadable(e.to_string())))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::new(path, InputErrorKind::Empty));
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        InputError::new(path, InputErrorKind::NotUtf8).at_line(line)
    })
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
            return Err(InputError::new(
                path,
                InputErrorKind::Invalid(format!("the column `{h}` appears twice in the header")),
            )
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
    1 + text.lines().position(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or(0)
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).from_reader(text.as_bytes())
}

fn csv_error(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let mut err = InputError::new(path, InputErrorKind::Csv(e.to_string()));
    err.line = line;
    err
}

/// Reads the people file and the links file into an [`Organisation`].
pub fn load_csv(people_path: &Path, links_path: &Path) -> Result<Organisation, InputError> {
    let origin = format!(
        "{} + {}",
        people_path.file_name().unwrap_or_default().to_string_lossy(),
        links_path.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut b = OrganisationBuilder::new(origin);

    let text = read_text(people_path)?;
    let mut rdr = reader(&text);
    let headers = rdr.headers().map_err(|e| csv_error(people_path, e))?.clone();
    let pos = header_positions(
        people_path,
        &headers,
        &["id", "unit", "role"],
        &["calendar"],
        "id,unit,role",
        header_line(&text),
    )?;
    let (pi, pu, pr, pc) = (pos[0].unwrap(), pos[1].unwrap(), pos[2].unwrap(), pos[3]);
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(|e| csv_error(people_path, e))? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize, name: &str| -> Result<&str, InputError> {
            match record.get(i) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(InputError::new(people_path, InputErrorKind::Invalid("empty value".into()))
                    .at_line(line)
                    .at_key(name)),
            }
        };
        let (id, unit, role) = (field(pi, "id")?, field(pu, "unit")?, field(pr, "role")?);
        if b.add_person(id, unit, role).is_none() {
            return Err(InputError::new(people_path, InputErrorKind::DuplicatePerson(id.to_string()))
                .at_line(line)
                .at_key("id"));
        }
        // Optional working calendar (empty = the scenario's default).
        if let Some(c) = pc.and_then(|i| record.get(i)).filter(|c| !c.is_empty()) {
            b.set_last_person_calendar(c);
        }
    }
    if b.is_empty() {
        return Err(InputError::new(
            people_path,
            InputErrorKind::Invalid("no people: the file has only a header".into()),
        ));
    }

    let text = read_text(links_path)?;
    let mut rdr = reader(&text);
    let headers = rdr.headers().map_err(|e| csv_error(links_path, e))?.clone();
    let pos = header_positions(
        links_path,
        &headers,
        &["source", "target", "channel"],
        &["direction", "group"],
        "source,target,channel (and optionally direction, group)",
        header_line(&text),
    )?;
    let (ls, lt, lc, ld, lg) = (pos[0].unwrap(), pos[1].unwrap(), pos[2].unwrap(), pos[3], pos[4]);
    let mut ids: Option<Vec<String>> = None;
    while rdr.read_record(&mut record).map_err(|e| csv_error(links_path, e))? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        let at = |kind: InputErrorKind, key: &str| InputError::new(links_path, kind).at_line(line).at_key(key);
        let mut person = |col: usize, key: &str| -> Result<u32, InputError> {
            let id = record.get(col).unwrap_or("");
            b.find(id).ok_or_else(|| {
                let known = ids.get_or_insert_with(|| b_ids(&b)).clone();
                at(InputErrorKind::UnknownName { what: "person", name: id.to_string(), known }, key)
            })
        };
        let source = person(ls, "source")?;
        let target = person(lt, "target")?;
        if source == target {
            return Err(at(InputErrorKind::Invalid("a link from a person to themself".into()), "target"));
        }
        let channel = record.get(lc).unwrap_or("");
        if channel.is_empty() {
            return Err(at(InputErrorKind::Invalid("empty value".into()), "channel"));
        }
        let dir_text = ld.and_then(|i| record.get(i)).unwrap_or("");
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
        if let Some(group) = lg.and_then(|i| record.get(i)).filter(|g| !g.is_empty()) {
            b.set_last_link_group(group);
        }
    }
    Ok(b.finish())
}

fn b_ids(b: &OrganisationBuilder) -> Vec<String> {
    b.org.ids_for_suggestions()
}
