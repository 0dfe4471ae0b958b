//! The measured processing times a calibration fits: a CSV file in one of two forms.
//!
//! - **Per person**: `item,person,processed_hours[,observed_hours]` — for each feedback item and
//!   each asked person, the hours after the item appeared at which they had processed it; empty
//!   = not processed within the item's observation window (right-censored), which is the item's
//!   `observed_hours` (or `--observed-hours`). The people must be members of the scenario's target.
//! - **Survey shares**: `item,hours,share` — the share of the target who had processed the item
//!   by that many hours.
//!
//! Each item is one independent occurrence of the scenario's baseline. Everything is checked
//! here, and every error names the file, the row and the column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::error::{InputError, InputErrorKind};
use crate::scenario::{Scenario, Variant};

/// The largest observations file read (bytes).
pub const MAX_OBSERVATIONS_BYTES: u64 = 256 << 20;
/// The most items a calibration may fit.
pub const MAX_ITEMS: usize = 10_000;

/// What was observed of one item.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemData {
    /// Per person: the asked people (model indices, target members) and when each processed
    /// the item (hours; `None` = not within the window), observed for `window` hours.
    People {
        /// Model indices of the asked people, in file order.
        people: Vec<u32>,
        /// Their processing times in hours (`None` = not processed within the window).
        times: Vec<Option<f64>>,
        /// How long the item was observed (hours).
        window: f64,
    },
    /// Survey shares: (hours, share of the target processed by then), sorted by hours.
    Shares {
        /// The survey points.
        points: Vec<(f64, f64)>,
    },
}

/// One observed item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The item's name as in the file.
    pub name: String,
    /// Where it appeared (a model index) when the file's `source` column names someone; `None`
    /// = the scenario's source.
    pub source: Option<u32>,
    /// What was observed.
    pub data: ItemData,
}

/// A validated observations file.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    items: Vec<Item>,
    warnings: Vec<String>,
}

impl Observations {
    /// The items in order of their first row.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// What the file holds that is allowed but suspicious, each naming its line (e.g. a survey
    /// share lower than an earlier one of the same item), for the command to print.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether the file was in the per-person form.
    pub fn per_person(&self) -> bool {
        matches!(self.items.first().map(|i| &i.data), Some(ItemData::People { .. }))
    }

    /// Reads and checks `path` against `scenario` (its baseline's organisation, target and
    /// horizon). `observed_hours` is the observation window of items without an
    /// `observed_hours` value.
    pub fn load(path: &Path, scenario: &Scenario, observed_hours: Option<f64>) -> Result<Observations, InputError> {
        let err = |kind: InputErrorKind| InputError::new(path, kind);
        let meta = std::fs::metadata(path).map_err(|e| err(InputErrorKind::Unreadable(e.to_string())))?;
        if !meta.is_file() {
            return Err(err(InputErrorKind::NotRegularFile("an observations file")));
        }
        if meta.len() > MAX_OBSERVATIONS_BYTES {
            return Err(err(InputErrorKind::TooLarge { what: "an observations file", limit: MAX_OBSERVATIONS_BYTES }));
        }
        let bytes = std::fs::read(path).map_err(|e| err(InputErrorKind::Unreadable(e.to_string())))?;
        let text = String::from_utf8(bytes).map_err(|_| err(InputErrorKind::NotUtf8))?;
        Observations::from_text(path, &text, scenario, observed_hours)
    }

    /// As [`Observations::load`], from the file's text.
    pub fn from_text(
        path: &Path,
        text: &str,
        scenario: &Scenario,
        observed_hours: Option<f64>,
    ) -> Result<Observations, InputError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(InputError::new(path, InputErrorKind::Empty));
        }
        if let Some(w) = observed_hours {
            window_ok(w, scenario.horizon_hours).map_err(|m| {
                InputError::new(path, InputErrorKind::Invalid(format!("--observed-hours: {m}")))
                    .at_key("observed_hours")
            })?;
        }
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
        let csv_err = |e: csv::Error| {
            let line = e.position().map(|p| p.line() as usize);
            let mut ie = InputError::new(path, InputErrorKind::Csv(e.to_string()));
            ie.line = line;
            ie
        };
        let headers: Vec<String> = rdr.headers().map_err(csv_err)?.iter().map(str::to_string).collect();
        let form = Form::of_header(path, &headers)?;
        let mut rows = Rows::new(path, scenario, form, headers);
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record).map_err(csv_err)? {
            rows.add(&record)?;
        }
        let mut warnings = Vec::new();
        let items = rows.into_items(observed_hours, &mut warnings)?;
        Ok(Observations { items, warnings })
    }
}

/// The two forms of an observations file, told apart by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `item,person,processed_hours[,observed_hours][,source]`.
    People,
    /// `item,hours,share[,source]`.
    Shares,
}

impl Form {
    /// The columns this form allows, those it requires, and how the header reads.
    fn columns(self) -> (&'static [&'static str], &'static [&'static str], &'static str) {
        match self {
            Form::People => (
                &["item", "person", "processed_hours", "observed_hours", "source"],
                &["item", "person", "processed_hours"],
                "item,person,processed_hours[,observed_hours][,source]",
            ),
            Form::Shares => {
                (&["item", "hours", "share", "source"], &["item", "hours", "share"], "item,hours,share[,source]")
            }
        }
    }

    /// The form of a file with these column names (line 1), refusing duplicate, unknown and
    /// missing columns.
    fn of_header(path: &Path, headers: &[String]) -> Result<Form, InputError> {
        crate::org::refuse_duplicate_columns(path, headers.iter().map(String::as_str), 1)?;
        let has = |c: &str| headers.iter().any(|h| h == c);
        let form = match (has("person") || has("processed_hours"), has("share") || has("hours")) {
            (true, false) => Form::People,
            (false, true) => Form::Shares,
            _ => {
                return Err(InputError::new(
                    path,
                    InputErrorKind::Invalid(format!(
                        "the header `{}` matches neither form of observations: per person `item,person,processed_hours` \
                         (optionally `,observed_hours`), e.g. `item-1,dev-3,26.5`, or survey shares `item,hours,share`, \
                         e.g. `item-1,40,0.35`",
                        headers.join(",")
                    )),
                )
                .at_line(1));
            }
        };
        let (allowed, required, shape) = form.columns();
        for h in headers {
            if !allowed.contains(&h.as_str()) {
                return Err(InputError::new(
                    path,
                    InputErrorKind::Invalid(format!("unknown column `{h}`; this form has the columns {shape}")),
                )
                .at_line(1)
                .at_key(h.clone()));
            }
        }
        for r in required {
            if !has(r) {
                return Err(InputError::new(
                    path,
                    InputErrorKind::MissingColumn { column: r.to_string(), required: shape },
                )
                .at_line(1));
            }
        }
        Ok(form)
    }
}

/// The rows of an observations file collected item by item (in order of first row), each row
/// checked on its own; [`Rows::into_items`] then checks each item whole.
struct Rows<'a> {
    path: &'a Path,
    base: &'a Variant,
    horizon: f64,
    form: Form,
    headers: Vec<String>,
    /// Whether each model index is a member of the baseline's target.
    in_target: Vec<bool>,
    /// Item names in order of their first row.
    order: Vec<String>,
    people_rows: BTreeMap<String, PeopleRows>,
    /// Per item: (hours, share, line) of its survey rows.
    share_rows: BTreeMap<String, Vec<(f64, f64, usize)>>,
    /// Per item, the hours (as bits, 0 and -0 alike) of its survey rows: duplicate checks in
    /// constant time (a scan of the rows made 1,000,000 rows take minutes; issue 20 defect 3).
    share_hours: HashMap<String, HashSet<u64>>,
    /// Per item, the source its first row named (`None` = the scenario's).
    sources: BTreeMap<String, Option<u32>>,
}

/// One data row being read: its line and fields by column name.
struct Row<'r> {
    path: &'r Path,
    line: usize,
    headers: &'r [String],
    record: &'r csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed cell of column `c` (empty when the form has no such column).
    fn get(&self, c: &str) -> &str {
        self.headers.iter().position(|h| h == c).and_then(|i| self.record.get(i)).unwrap_or("")
    }

    /// An error at this row and column.
    fn bad(&self, column: &str, message: String) -> InputError {
        InputError::new(self.path, InputErrorKind::Invalid(message)).at_line(self.line).at_key(column.to_string())
    }

    /// The number in column `c` (`None` when empty), refusing text and infinities.
    fn number(&self, c: &str, example: &str) -> Result<Option<f64>, InputError> {
        let v = self.get(c);
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(self.bad(c, format!("`{v}` is not a number; expected e.g. {example}"))),
        }
    }

    /// The model index of the person named in column `key`, or an error naming the closest id.
    fn person(&self, base: &Variant, key: &str) -> Result<u32, InputError> {
        let name = self.get(key);
        base.org.find(name).ok_or_else(|| {
            InputError::new(
                self.path,
                InputErrorKind::UnknownName {
                    what: "person",
                    name: name.to_string(),
                    known: crate::error::closest(name, base.org.people.iter().map(|p| p.id.as_str()))
                        .map(str::to_string)
                        .into_iter()
                        .collect(),
                },
            )
            .at_line(self.line)
            .at_key(key)
        })
    }
}

impl<'a> Rows<'a> {
    fn new(path: &'a Path, scenario: &'a Scenario, form: Form, headers: Vec<String>) -> Rows<'a> {
        let base = scenario.baseline();
        let mut in_target = vec![false; base.org.people.len()];
        for &t in &base.target {
            in_target[t as usize] = true;
        }
        Rows {
            path,
            base,
            horizon: scenario.horizon_hours,
            form,
            headers,
            in_target,
            order: Vec::new(),
            people_rows: BTreeMap::new(),
            share_rows: BTreeMap::new(),
            share_hours: HashMap::new(),
            sources: BTreeMap::new(),
        }
    }

    /// Checks one data row and adds it to its item.
    fn add(&mut self, record: &csv::StringRecord) -> Result<(), InputError> {
        let headers = std::mem::take(&mut self.headers);
        let row = Row {
            path: self.path,
            line: record.position().map_or(0, |p| p.line() as usize),
            headers: &headers,
            record,
        };
        let result = self.add_row(&row);
        self.headers = headers;
        result
    }

    fn add_row(&mut self, row: &Row<'_>) -> Result<(), InputError> {
        let item = row.get("item");
        if item.is_empty() {
            return Err(row.bad("item", "empty item name; give each feedback item a name, e.g. item-1".into()));
        }
        crate::error::check_name(item, "the item name")
            .map_err(|k| InputError::new(self.path, k).at_line(row.line).at_key("item"))?;
        if !self.people_rows.contains_key(item) && !self.share_rows.contains_key(item) {
            if self.order.len() == MAX_ITEMS {
                return Err(row.bad("item", format!("more than {MAX_ITEMS} items")));
            }
            self.order.push(item.to_string());
        }
        let source = if row.get("source").is_empty() { None } else { Some(row.person(self.base, "source")?) };
        match self.sources.get(item) {
            Some(&earlier) if earlier != source => {
                return Err(row.bad(
                    "source",
                    format!("item \"{item}\" has another source in an earlier row; an item appears at one place"),
                ));
            }
            Some(_) => {}
            None => {
                self.sources.insert(item.to_string(), source);
            }
        }
        match self.form {
            Form::People => self.person_row(row, item),
            Form::Shares => self.share_row(row, item),
        }
    }

    /// A row of the per-person form.
    fn person_row(&mut self, row: &Row<'_>, item: &str) -> Result<(), InputError> {
        let person = row.get("person");
        let p = row.person(self.base, "person")?;
        if !self.in_target[p as usize] {
            return Err(row.bad(
                "person",
                format!(
                    "\"{person}\" is not in the scenario's target ({}); list only target members, whose \
                     processing the KPI measures",
                    self.base.target_label
                ),
            ));
        }
        let processed = row.number("processed_hours", "26.5 (hours after the item appeared), or empty")?;
        let observed = row.number("observed_hours", "160 (hours the item was observed)")?;
        if let Some(w) = observed {
            window_ok(w, self.horizon).map_err(|m| row.bad("observed_hours", m))?;
        }
        if let Some(t) = processed
            && t < 0.0
        {
            return Err(row.bad("processed_hours", format!("{t} is negative; hours after the item appeared are ≥ 0")));
        }
        let rows = self.people_rows.entry(item.to_string()).or_default();
        if !rows.seen.insert(p) {
            return Err(row.bad("person", format!("\"{person}\" appears twice for item \"{item}\"")));
        }
        rows.people.push(p);
        rows.times.push((processed, row.line));
        if let Some(w) = observed {
            match rows.window {
                Some((x, _)) if x != w => {
                    return Err(row.bad(
                        "observed_hours",
                        format!("item \"{item}\" has observed_hours {x} in an earlier row and {w} here; one per item"),
                    ));
                }
                _ => rows.window = Some((w, row.line)),
            }
        }
        Ok(())
    }

    /// A row of the survey-shares form.
    fn share_row(&mut self, row: &Row<'_>, item: &str) -> Result<(), InputError> {
        let horizon = self.horizon;
        let hours = row
            .number("hours", "40 (hours after the item appeared)")?
            .ok_or_else(|| row.bad("hours", "empty; expected e.g. 40 (hours after the item appeared)".into()))?;
        let share = row
            .number("share", "0.35 (share of the target processed by then)")?
            .ok_or_else(|| row.bad("share", "empty; expected e.g. 0.35".into()))?;
        if !(0.0..=horizon).contains(&hours) {
            return Err(
                row.bad("hours", format!("{hours} is outside 0 to the scenario's horizon ({horizon} h); e.g. 40"))
            );
        }
        if !(0.0..=1.0).contains(&share) {
            return Err(row.bad("share", format!("{share} is outside [0, 1]; a share is e.g. 0.35")));
        }
        if !self.share_hours.entry(item.to_string()).or_default().insert((hours + 0.0).to_bits()) {
            return Err(row.bad("hours", format!("item \"{item}\" has two rows for {hours} h")));
        }
        self.share_rows.entry(item.to_string()).or_default().push((hours, share, row.line));
        Ok(())
    }

    /// The items, each checked whole: at least one; every per-person item has an observation
    /// window (its column, else `observed_hours`, else — when everyone processed it — the
    /// horizon) and no time after it.
    fn into_items(mut self, observed_hours: Option<f64>, warnings: &mut Vec<String>) -> Result<Vec<Item>, InputError> {
        let path = self.path;
        if self.order.is_empty() {
            let (_, _, shape) = self.form.columns();
            return Err(InputError::new(
                path,
                InputErrorKind::NoRows { what: "observations", detail: format!(" (form {shape})") },
            )
            .at_line(2));
        }
        let mut items = Vec::with_capacity(self.order.len());
        for name in std::mem::take(&mut self.order) {
            let data = match self.form {
                Form::People => {
                    let rows = self.people_rows.remove(&name).unwrap_or_default();
                    let window = people_window(path, &name, &rows, observed_hours, self.horizon)?;
                    ItemData::People {
                        people: rows.people,
                        times: rows.times.iter().map(|&(t, _)| t).collect(),
                        window,
                    }
                }
                Form::Shares => {
                    let mut rows = self.share_rows.remove(&name).unwrap_or_default();
                    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
                    // A share is cumulative (processed *by then*): a lower one later is survey
                    // noise or a typo, kept as given (the distance compares shares point by point).
                    for pair in rows.windows(2) {
                        let ((h0, s0, l0), (h1, s1, l1)) = (pair[0], pair[1]);
                        if s1 < s0 {
                            warnings.push(format!(
                                "line {l1}: item \"{name}\" has share {s1} at {h1} h, lower than {s0} at {h0} h \
                                 (line {l0}); a share counts who had processed it by then, so it should not \
                                 decrease — check the survey"
                            ));
                        }
                    }
                    ItemData::Shares { points: rows.iter().map(|&(h, s, _)| (h, s)).collect() }
                }
            };
            let source = self.sources.get(&name).copied().flatten();
            items.push(Item { name, source, data });
        }
        Ok(items)
    }
}

/// The observation window of a per-person item (hours): its `observed_hours`, else the
/// command's, else the horizon when everyone asked processed it; every time within it.
fn people_window(
    path: &Path,
    name: &str,
    rows: &PeopleRows,
    observed_hours: Option<f64>,
    horizon: f64,
) -> Result<f64, InputError> {
    let window = match (rows.window, observed_hours) {
        (Some((w, _)), _) => w,
        (None, Some(w)) => w,
        (None, None) => {
            if let Some(&(_, line)) = rows.times.iter().find(|(t, _)| t.is_none()) {
                return Err(InputError::new(
                    path,
                    InputErrorKind::Invalid(format!(
                        "item \"{name}\" has people who had not processed it (empty processed_hours) but no \
                         observation window: add an observed_hours column (e.g. 160) or pass --observed-hours"
                    )),
                )
                .at_line(line)
                .at_key("observed_hours"));
            }
            horizon
        }
    };
    for &(t, line) in &rows.times {
        if let Some(t) = t
            && t > window
        {
            return Err(InputError::new(
                path,
                InputErrorKind::Invalid(format!(
                    "{t} h is after the end of item \"{name}\"'s observation window ({window} h); a time \
                     within 0 to {window}, or empty if not processed by then"
                )),
            )
            .at_line(line)
            .at_key("processed_hours"));
        }
    }
    Ok(window)
}

/// The rows of one item in the per-person form.
#[derive(Debug, Default)]
struct PeopleRows {
    people: Vec<u32>,
    /// The same people as a set, for the duplicate check in constant time.
    seen: HashSet<u32>,
    /// Processing time and the row's line.
    times: Vec<(Option<f64>, usize)>,
    /// The item's observation window and the row that gave it.
    window: Option<(f64, usize)>,
}

/// Checks an observation window: positive and within the scenario's horizon.
fn window_ok(w: f64, horizon: f64) -> Result<(), String> {
    if !(w > 0.0 && w <= horizon) {
        return Err(format!(
            "an observation window of {w} h must be greater than 0 and at most the scenario's horizon ({horizon} h), e.g. 160"
        ));
    }
    Ok(())
}
