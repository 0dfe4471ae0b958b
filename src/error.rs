//! Typed errors of the library. The binary renders them once and maps them to exit statuses:
//! [`Error::Input`] is the user's to fix (exit status 2), everything else is exit status 1.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::random::dist::DistError;

/// Any failure of the library.
#[derive(Debug, Error)]
pub enum Error {
    /// The scenario, a CSV file or an argument is invalid. The message names the file, the line or
    /// row and the key; fix the input as it says.
    #[error(transparent)]
    Input(#[from] Box<InputError>),
    /// Writing results failed (disk full, no permission, ...). Check that the output folder is
    /// writable; no half-written results were left behind.
    #[error("cannot write results to {}: {source}", path.display())]
    Write {
        /// The file or folder being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The output path exists but is not a results folder permeate may replace (a file, or a
    /// folder with other content). Choose another `--out`, or remove it yourself.
    #[error("will not replace {}: {reason}; choose another --out or remove it", path.display())]
    OutputInUse {
        /// The output path.
        path: PathBuf,
        /// Why it is not replaced.
        reason: String,
    },
    /// The output path cannot hold a results folder: it names no folder of its own (`.`), a file
    /// is in the way (`-o afile/sub`), or its folder is not writable. Choose another `--out`.
    #[error("cannot write results to {}: {reason}; choose another --out", path.display())]
    OutputPath {
        /// The output path.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// The run would need more memory than allowed (`--max-memory`): refused before allocating.
    #[error("{0}")]
    TooMuchMemory(String),
    /// A partial results folder of a sharded study cannot be merged: a shard is missing or given
    /// twice, belongs to another scenario, seed, organisation or permeate version, or was cut
    /// short. The message names the folder; run that shard again or give the right folders.
    #[error("cannot merge {}: {reason}", folder.display())]
    Shard {
        /// The partial results folder at fault.
        folder: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A command-line argument (or a plan's option) is invalid: exit status 2. The message names
    /// the argument and what is expected.
    #[error("invalid argument: {0}")]
    Argument(String),
    /// A failure that is not the user's fault (a broken invariant inside permeate, worker threads
    /// that cannot start): exit status 1. Please report it with the scenario.
    #[error("internal error (not caused by your input; please report it): {0}")]
    Internal(String),
}

impl Error {
    /// The process exit status for this error: 2 for invalid input, 1 otherwise.
    pub fn exit_status(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Write { .. } => 1,
            Error::OutputInUse { .. } => 2,
            Error::OutputPath { .. } => 2,
            Error::TooMuchMemory(_) => 2,
            Error::Shard { .. } => 2,
            Error::Argument(_) => 2,
            Error::Internal(_) => 1,
        }
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

/// Shorthand for results of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with an input, and where: the file, the line (TOML) or row (CSV), the key or
/// column, and the variant whose overrides caused it.
#[derive(Debug)]
pub struct InputError {
    /// The file at fault (scenario or CSV).
    pub file: PathBuf,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The dotted key in the scenario, or the CSV column, when known.
    pub key: Option<String>,
    /// The variant whose `set`/`add_links` produced the problem, if any.
    pub variant: Option<String>,
    /// What is wrong.
    pub kind: InputErrorKind,
}

impl std::error::Error for InputError {}

impl InputError {
    /// An error in `file` with no location yet.
    pub fn new(file: &Path, kind: InputErrorKind) -> Self {
        InputError { file: file.to_path_buf(), line: None, key: None, variant: None, kind }
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the key or column.
    pub fn at_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Names the variant responsible.
    pub fn in_variant(mut self, variant: &str) -> Self {
        self.variant = Some(variant.to_string());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything that came from input is printed with its control characters escaped, so a
        // hostile name cannot drive the terminal or break the message's lines.
        write!(f, "{}", escape_controls(&self.file.display().to_string(), false))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(v) = &self.variant {
            write!(f, "variant \"{}\": ", escape_controls(v, false))?;
        }
        if let Some(k) = &self.key {
            write!(f, "`{}`: ", escape_controls(k, false))?;
        }
        write!(f, "{}", escape_controls(&self.kind.to_string(), true))?;
        if let Some(h) = self.kind.hint() {
            write!(f, "\n  hint: {}", escape_controls(&h, false))?;
        }
        Ok(())
    }
}

/// `text` with control characters escaped (`\u{1}`); line breaks too unless `keep_newlines`.
fn escape_controls(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && !(keep_newlines && c == '\n')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && !(keep_newlines && c == '\n') {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The kinds of invalid input. Each says what the user can do about it.
#[derive(Debug, Error)]
pub enum InputErrorKind {
    /// The file could not be read. Check the path (relative paths are relative to the scenario file).
    #[error("cannot read file: {0}")]
    Unreadable(String),
    /// The scenario file named on the command line could not be read. Check the path.
    #[error("cannot read the scenario file: {0}")]
    UnreadableScenario(String),
    /// The path is not a regular file (a folder, a named pipe, a device such as `/dev/zero`).
    /// Give the path of a file.
    #[error("is not a regular file but {0}; give the path of a file")]
    NotRegularFile(&'static str),
    /// The file is larger than permeate reads for its kind. Check that it is the right file.
    #[error("the file has more than {limit} bytes, the most read for {what}")]
    TooLarge {
        /// What the file is (e.g. "a scenario file").
        what: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// A name or text contains a control character (a newline in a name, U+0001, ...), which would
    /// corrupt the terminal, `summary.md`, `report.html` and the SVG charts. Remove it.
    #[error("{what} {text} contains the control character U+{code:04X}; {allowed}")]
    ControlCharacter {
        /// What the text is ("the variant name", "the person id", ...).
        what: &'static str,
        /// The text, quoted with its control characters escaped.
        text: String,
        /// The first control character's code point.
        code: u32,
        /// What is allowed instead.
        allowed: &'static str,
    },
    /// A variant's `set` path is too long or has too many segments to be a key of the format.
    #[error("{0}")]
    SetPath(String),
    /// A run needs more memory than allowed (`--max-memory`). Lower the keys named.
    #[error("{0}")]
    TooMuchMemory(String),
    /// The file is empty. Give it content (a scenario needs at least `name`; a CSV a header).
    #[error("the file is empty")]
    Empty,
    /// The file is not UTF-8 text. Save it as UTF-8 (spreadsheets: "CSV UTF-8").
    #[error("the file is not valid UTF-8 text")]
    NotUtf8,
    /// TOML syntax error. Fix the syntax at the given line.
    #[error("invalid TOML: {0}")]
    Syntax(String),
    /// A key that the scenario format does not have. Remove it or fix its spelling.
    #[error("unknown key `{}`{}", key.escape_debug(), expected_list(.expected))]
    UnknownKey {
        /// The unknown key.
        key: String,
        /// The keys valid at this place.
        expected: Vec<String>,
    },
    /// A required key is missing. Add it.
    #[error("missing required key `{0}`")]
    MissingKey(String),
    /// A value has the wrong type or is not allowed (message from the reader).
    #[error("{0}")]
    Invalid(String),
    /// A probability outside [0, 1]. Give a number between 0 and 1.
    #[error("must be a probability between 0 and 1, got {}", num(*.0))]
    Probability(f64),
    /// A distribution parameter is invalid. Fix the named parameter.
    #[error("invalid distribution: {0}")]
    Dist(#[from] DistError),
    /// A name (person, channel, role, unit) that is not defined. Define it or fix the spelling.
    #[error("unknown {what} \"{name}\"{}", suggestion(.known, .name))]
    UnknownName {
        /// What kind of thing ("person", "channel", ...).
        what: &'static str,
        /// The unknown name.
        name: String,
        /// The names that exist (for the suggestion).
        known: Vec<String>,
    },
    /// Two people share an id. Ids must be unique; rename one.
    #[error("duplicate person id \"{0}\"")]
    DuplicatePerson(String),
    /// A CSV file lacks a required column. Add it to the header row.
    #[error("missing column `{column}`; the header must contain {required}")]
    MissingColumn {
        /// The missing column.
        column: String,
        /// The required header, e.g. `id,unit,role`.
        required: &'static str,
    },
    /// A header names the same column twice. Remove or rename one of them.
    #[error("the column `{0}` appears twice in the header")]
    DuplicateColumn(String),
    /// A cell that must have a value is empty. Fill it in.
    #[error("empty value")]
    EmptyValue,
    /// A CSV file has a header but no data rows. Give at least one row after the header.
    #[error("no {what}: the file has a header but no rows{detail}")]
    NoRows {
        /// What the rows are ("people", "employees", "observations", ...).
        what: &'static str,
        /// Extra context, e.g. " (form per-item)"; empty when none.
        detail: String,
    },
    /// A link whose source and target are the same person. Remove it.
    #[error("a link from a person to themself")]
    SelfLink,
    /// A CSV row is malformed (wrong number of fields, bad quoting).
    #[error("malformed CSV: {0}")]
    Csv(String),
    /// A selector matched nobody. Check the role/unit names against the organisation.
    #[error("selects nobody in the organisation ({0})")]
    EmptySelection(String),
}

fn expected_list(expected: &[String]) -> String {
    if expected.is_empty() { String::new() } else { format!(" (valid keys here: {})", expected.join(", ")) }
}

fn suggestion(known: &[String], name: &str) -> String {
    match closest(name, known.iter().map(String::as_str)) {
        Some(s) => format!("; did you mean \"{s}\"?"),
        None if !known.is_empty() && known.len() <= 12 => format!(" (known: {})", known.join(", ")),
        None => String::new(),
    }
}

impl InputErrorKind {
    /// A hint for fixing the error, where one helps.
    pub fn hint(&self) -> Option<String> {
        match self {
            InputErrorKind::UnknownKey { key, expected } => {
                closest(key, expected.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?"))
            }
            InputErrorKind::NotUtf8 => Some("save the file as UTF-8 text".into()),
            InputErrorKind::Unreadable(_) => {
                Some("paths inside a scenario are relative to the scenario file's folder".into())
            }
            InputErrorKind::UnreadableScenario(_) => {
                Some("check the scenario path given on the command line (relative to the current folder)".into())
            }
            InputErrorKind::Probability(_) => Some("probabilities are numbers from 0 to 1, e.g. 0.7".into()),
            InputErrorKind::EmptySelection(_) => {
                Some("`permeate check` lists the units and roles of the organisation".into())
            }
            _ => None,
        }
    }
}

/// Refuses a name with a control character (U+0000–U+001F, U+007F–U+009F: a newline, a tab,
/// U+0001, ...). Names are echoed to the terminal and written into `summary.md`, `report.html` and
/// the SVG charts, where such characters break tables or make the file invalid. `what` says what
/// the text is, e.g. "the variant name". Use it for every name that comes from input: variant and
/// scenario names, person ids, units, roles, channel names, sweep values that become names.
pub fn check_name(text: &str, what: &'static str) -> Result<(), InputErrorKind> {
    check_chars(text, what, |_| false, "names must be plain text on one line")
}

/// Like [`check_name`] for free text (`description`): line breaks and tabs are allowed, other
/// control characters are not.
pub fn check_text(text: &str, what: &'static str) -> Result<(), InputErrorKind> {
    check_chars(text, what, |c| matches!(c, '\n' | '\r' | '\t'), "only line breaks and tabs are allowed")
}

fn check_chars(
    text: &str,
    what: &'static str,
    allowed: impl Fn(char) -> bool,
    rule: &'static str,
) -> Result<(), InputErrorKind> {
    match text.chars().find(|&c| c.is_control() && !allowed(c)) {
        None => Ok(()),
        Some(c) => {
            Err(InputErrorKind::ControlCharacter { what, text: quoted(text), code: u32::from(c), allowed: rule })
        }
    }
}

/// The first characters by which a spreadsheet takes a cell for a formula (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, a tab and a carriage return.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when a spreadsheet opening a CSV would take `text` as a formula (`=HYPERLINK(…)`,
/// `+SUM(1,2)`, `@cmd`, `-2+3`).
pub(crate) fn starts_like_a_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// `text` for a CSV made only to be opened in a spreadsheet (`people-details.csv`): prefixed
/// with `'` when it starts like a formula, so the spreadsheet shows it as text (OWASP); unchanged
/// otherwise. Never used for files permeate reads back: those keep names verbatim.
pub(crate) fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_like_a_formula(text) { format!("'{text}").into() } else { text.into() }
}

/// The warning for a name (`what` is e.g. "variant name") that starts like a spreadsheet
/// formula: data files (`replications.csv`, `curve.csv`, …) keep it verbatim, because permeate
/// and analysis tools read them back.
pub(crate) fn formula_warning(what: &str, name: &str) -> String {
    format!(
        "the {what} {} starts with `{}`, which a spreadsheet opening replications.csv, curve.csv or summary.csv may \
         run as a formula; the CSV files keep names verbatim, so rename it (e.g. \"plus chat\") if the files are \
         opened in a spreadsheet",
        quoted(name),
        name.chars().next().map_or(String::new(), |c| c.escape_debug().to_string())
    )
}

pub use crate::random::dist::num;

/// The longest text quoted in full in a message (in characters); longer ones are cut with `…`.
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` in double quotes with control characters and quotes escaped, cut at
/// [`MAX_QUOTED_CHARS`]: safe to print to a terminal whatever the input.
pub fn quoted(text: &str) -> String {
    let cut: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    let more = if text.chars().nth(MAX_QUOTED_CHARS).is_some() { "…" } else { "" };
    format!("\"{}{more}\"", cut.escape_debug())
}

/// Names longer than this (in characters) get no "did you mean" suggestion (the edit distance
/// costs the product of the lengths).
pub const MAX_SUGGESTION_CHARS: usize = 100;

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    if len > MAX_SUGGESTION_CHARS {
        return None;
    }
    let limit = (len / 3).max(2);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // The distance is at least the difference in length: skip those without computing it,
        // so a long name against many candidates stays cheap.
        if c.chars().count().abs_diff(len) > limit {
            continue;
        }
        let d = strsim::levenshtein(name, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.filter(|&(d, _)| d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_typos_only() {
        let keys = ["delay", "transmit", "notice"];
        assert_eq!(closest("trasmit", keys.iter().copied()), Some("transmit"));
        assert_eq!(closest("notise", keys.iter().copied()), Some("notice"));
        assert_eq!(closest("colour", keys.iter().copied()), None);
    }

    #[test]
    fn long_names_against_many_candidates_are_cheap() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("person-{i}")).collect();
        let long = "x".repeat(100_000);
        let start = std::time::Instant::now();
        assert_eq!(closest(&long, ids.iter().map(String::as_str)), None);
        assert_eq!(closest(&"y".repeat(90), ids.iter().map(String::as_str)), None);
        assert_eq!(closest("person-4711x", ids.iter().map(String::as_str)), Some("person-4711"));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
    }

    #[test]
    fn display_names_file_line_variant_key() {
        let e = InputError::new(Path::new("a.toml"), InputErrorKind::Probability(1.5))
            .at_line(3)
            .at_key("channels.chat.transmit")
            .in_variant("mandate");
        let s = e.to_string();
        assert!(s.starts_with("a.toml:3: variant \"mandate\": `channels.chat.transmit`: must be a probability"), "{s}");
        assert!(s.contains("hint:"));
    }
}
