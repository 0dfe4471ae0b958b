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
use crate::scenario::Scenario;

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
}

impl Observations {
    /// The items in order of their first row.
    pub fn items(&self) -> &[Item] {
        &self.items
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
        crate::org::refuse_duplicate_columns(path, headers.iter().map(String::as_str), 1)?;
        let has = |c: &str| headers.iter().any(|h| h == c);
        let per_person = has("person") || has("processed_hours");
        let shares = has("share") || has("hours");
        let (allowed, required, form): (&[&str], &[&str], &'static str) = match (per_person, shares) {
            (true, false) => (
                &["item", "person", "processed_hours", "observed_hours", "source"],
                &["item", "person", "processed_hours"],
                "item,person,processed_hours[,observed_hours][,source]",
            ),
            (false, true) => {
                (&["item", "hours", "share", "source"], &["item", "hours", "share"], "item,hours,share[,source]")
            }
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
        for h in &headers {
            if !allowed.contains(&h.as_str()) {
                return Err(InputError::new(
                    path,
                    InputErrorKind::Invalid(format!("unknown column `{h}`; this form has the columns {form}")),
                )
                .at_line(1)
                .at_key(h.clone()));
            }
        }
        for r in required {
            if !has(r) {
                return Err(InputError::new(
                    path,
                    InputErrorKind::MissingColumn { column: r.to_string(), required: form },
                )
                .at_line(1));
            }
        }
        let col = |c: &str| headers.iter().position(|h| h == c);
        let base = scenario.baseline();
        let mut in_target = vec![false; base.org.people.len()];
        for &t in &base.target {
            in_target[t as usize] = true;
        }
        let horizon = scenario.horizon_hours;
        // Per item (in order of first row): its rows.
        let mut order: Vec<String> = Vec::new();
        let mut people_rows: BTreeMap<String, PeopleRows> = BTreeMap::new();
        let mut share_rows: BTreeMap<String, Vec<(f64, f64, usize)>> = BTreeMap::new();
        // Per item, the hours (as bits, 0 and -0 alike) of its survey rows: duplicate checks in
        // constant time (a scan of the rows made 1,000,000 rows take minutes; issue 20 defect 3).
        let mut share_hours: HashMap<String, HashSet<u64>> = HashMap::new();
        let mut sources: BTreeMap<String, Option<u32>> = BTreeMap::new();
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record).map_err(csv_err)? {
            let line = record.position().map_or(0, |p| p.line() as usize);
            let bad = |column: &str, message: String| {
                InputError::new(path, InputErrorKind::Invalid(message)).at_line(line).at_key(column.to_string())
            };
            let get = |c: &str| col(c).and_then(|i| record.get(i)).unwrap_or("");
            let item = get("item");
            if item.is_empty() {
                return Err(bad("item", "empty item name; give each feedback item a name, e.g. item-1".into()));
            }
            crate::error::check_name(item, "the item name")
                .map_err(|k| InputError::new(path, k).at_line(line).at_key("item"))?;
            if !people_rows.contains_key(item) && !share_rows.contains_key(item) {
                if order.len() == MAX_ITEMS {
                    return Err(bad("item", format!("more than {MAX_ITEMS} items")));
                }
                order.push(item.to_string());
            }
            let source = get("source");
            let source = if source.is_empty() {
                None
            } else {
                match base.org.find(source) {
                    Some(p) => Some(p),
                    None => {
                        let e = InputError::new(
                            path,
                            InputErrorKind::UnknownName {
                                what: "person",
                                name: source.to_string(),
                                known: crate::error::closest(source, base.org.people.iter().map(|p| p.id.as_str()))
                                    .map(str::to_string)
                                    .into_iter()
                                    .collect(),
                            },
                        );
                        return Err(e.at_line(line).at_key("source"));
                    }
                }
            };
            match sources.get(item) {
                Some(&earlier) if earlier != source => {
                    return Err(bad(
                        "source",
                        format!("item \"{item}\" has another source in an earlier row; an item appears at one place"),
                    ));
                }
                Some(_) => {}
                None => {
                    sources.insert(item.to_string(), source);
                }
            }
            let number = |c: &str, example: &str| -> Result<Option<f64>, InputError> {
                let v = get(c);
                if v.is_empty() {
                    return Ok(None);
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(bad(c, format!("`{v}` is not a number; expected e.g. {example}"))),
                }
            };
            if per_person {
                let person = get("person");
                let Some(p) = base.org.find(person) else {
                    let e = InputError::new(
                        path,
                        InputErrorKind::UnknownName {
                            what: "person",
                            name: person.to_string(),
                            known: crate::error::closest(person, base.org.people.iter().map(|p| p.id.as_str()))
                                .map(str::to_string)
                                .into_iter()
                                .collect(),
                        },
                    );
                    return Err(e.at_line(line).at_key("person"));
                };
                if !in_target[p as usize] {
                    return Err(bad(
                        "person",
                        format!(
                            "\"{person}\" is not in the scenario's target ({}); list only target members, whose \
                             processing the KPI measures",
                            base.target_label
                        ),
                    ));
                }
                let processed = number("processed_hours", "26.5 (hours after the item appeared), or empty")?;
                let observed = number("observed_hours", "160 (hours the item was observed)")?;
                if let Some(w) = observed {
                    window_ok(w, horizon).map_err(|m| bad("observed_hours", m))?;
                }
                if let Some(t) = processed
                    && t < 0.0
                {
                    return Err(bad(
                        "processed_hours",
                        format!("{t} is negative; hours after the item appeared are ≥ 0"),
                    ));
                }
                let rows = people_rows.entry(item.to_string()).or_default();
                if !rows.seen.insert(p) {
                    return Err(bad("person", format!("\"{person}\" appears twice for item \"{item}\"")));
                }
                rows.people.push(p);
                rows.times.push((processed, line));
                if let Some(w) = observed {
                    match rows.window {
                        Some((x, _)) if x != w => {
                            return Err(bad(
                                "observed_hours",
                                format!(
                                    "item \"{item}\" has observed_hours {x} in an earlier row and {w} here; one per item"
                                ),
                            ));
                        }
                        _ => rows.window = Some((w, line)),
                    }
                }
            } else {
                let hours = number("hours", "40 (hours after the item appeared)")?
                    .ok_or_else(|| bad("hours", "empty; expected e.g. 40 (hours after the item appeared)".into()))?;
                let share = number("share", "0.35 (share of the target processed by then)")?
                    .ok_or_else(|| bad("share", "empty; expected e.g. 0.35".into()))?;
                if !(0.0..=horizon).contains(&hours) {
                    return Err(bad(
                        "hours",
                        format!("{hours} is outside 0 to the scenario's horizon ({horizon} h); e.g. 40"),
                    ));
                }
                if !(0.0..=1.0).contains(&share) {
                    return Err(bad("share", format!("{share} is outside [0, 1]; a share is e.g. 0.35")));
                }
                if !share_hours.entry(item.to_string()).or_default().insert((hours + 0.0).to_bits()) {
                    return Err(bad("hours", format!("item \"{item}\" has two rows for {hours} h")));
                }
                let rows = share_rows.entry(item.to_string()).or_default();
                rows.push((hours, share, line));
            }
        }
        if order.is_empty() {
            return Err(InputError::new(
                path,
                InputErrorKind::NoRows { what: "observations", detail: format!(" (form {form})") },
            )
            .at_line(2));
        }
        let mut items = Vec::with_capacity(order.len());
        for name in order {
            let data = if per_person {
                let rows = people_rows.remove(&name).unwrap_or_default();
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
                ItemData::People { people: rows.people, times: rows.times.iter().map(|&(t, _)| t).collect(), window }
            } else {
                let mut rows = share_rows.remove(&name).unwrap_or_default();
                rows.sort_by(|a, b| a.0.total_cmp(&b.0));
                ItemData::Shares { points: rows.iter().map(|&(h, s, _)| (h, s)).collect() }
            };
            let source = sources.get(&name).copied().flatten();
            items.push(Item { name, source, data });
        }
        Ok(Observations { items })
    }
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
