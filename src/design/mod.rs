//! The experiment design: the list of points a study runs. The baseline, every `[[variants]]`
//! entry and every point of a `[sweep]` grid become a [`DesignPoint`] — a name and a set of
//! dotted-path values (plus links to add) applied to the baseline. Later kinds of study (uncertain
//! worlds, calibration particles) are more sources of points.
//!
//! Every point runs the same replications with the same random streams (common random numbers),
//! so any two points compare replication by replication.

pub mod worlds;

use indexmap::IndexMap;

/// The most points a `[sweep]` grid may have (the product of its value counts).
pub const MAX_SWEEP_POINTS: u64 = 100_000;
/// The most `[[variants]]` a scenario may list.
pub const MAX_VARIANTS: usize = 10_000;
/// The name of the design's first point.
pub const BASELINE: &str = "baseline";

/// Where a design point comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PointOrigin {
    /// The scenario as written.
    Baseline,
    /// A `[[variants]]` entry, by its position in the file (0-based).
    Variant(usize),
    /// A point of the `[sweep]` grid: the value of each swept path, in the order of
    /// [`Design::sweep_paths`].
    Sweep(Vec<toml::Value>),
}

/// A link a design point adds, as written (`add_links`).
#[derive(Debug, Clone, PartialEq)]
pub struct AddLink {
    /// Sender id.
    pub source: String,
    /// Receiver id.
    pub target: String,
    /// Channel name.
    pub channel: String,
    /// `both` (default) or `forward`, as written.
    pub direction: Option<String>,
}

/// One point of the design: the baseline with some dotted-path values replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignPoint {
    /// The point's name (`baseline`, a variant's name, or `path=value, …` for a sweep point).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Where it comes from.
    pub origin: PointOrigin,
    /// Dotted path → the value that replaces the baseline's.
    pub set: IndexMap<String, toml::Value>,
    /// Links added to the baseline's.
    pub add_links: Vec<AddLink>,
}

/// Why a design could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum DesignError {
    /// The sweep grid has more than [`MAX_SWEEP_POINTS`] points.
    SweepTooLarge {
        /// The product of the value counts.
        points: u128,
    },
    /// A swept path lists no values.
    EmptyValues {
        /// The path.
        path: String,
    },
    /// A swept path lists the same value twice (`1` and `1.0` are the same).
    RepeatedValue {
        /// The path.
        path: String,
        /// The repeated value as written.
        value: String,
    },
}

impl std::fmt::Display for DesignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DesignError::SweepTooLarge { points } => write!(
                f,
                "the sweep grid has {points} points, more than the limit of {MAX_SWEEP_POINTS}; sweep fewer values \
                 or fewer paths (e.g. \"channels.chat.transmit\" = [0.2, 0.5, 0.8])"
            ),
            DesignError::EmptyValues { path } => write!(f, "the list of values of \"{path}\" is empty"),
            DesignError::RepeatedValue { path, value } => write!(
                f,
                "the values of \"{path}\" repeat {value}; each value of a sweep must differ (1 and 1.0 are the same)"
            ),
        }
    }
}

/// The whole design: baseline first, then the variants in file order, then the sweep grid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    /// The points, baseline first.
    pub points: Vec<DesignPoint>,
    /// The swept dotted paths in file order (empty without a sweep).
    pub sweep_paths: Vec<String>,
}

impl Design {
    /// The indices of the sweep's points, in grid order.
    pub fn sweep_points(&self) -> impl Iterator<Item = (usize, &[toml::Value])> {
        self.points.iter().enumerate().filter_map(|(i, p)| match &p.origin {
            PointOrigin::Sweep(values) => Some((i, values.as_slice())),
            _ => None,
        })
    }
}

/// The numeric value of a TOML value, if it is a number.
fn numeric(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// Whether two values are the same value (numbers compared as numbers).
fn same_value(a: &toml::Value, b: &toml::Value) -> bool {
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The full grid of a sweep: every combination of the paths' values, the first path varying
/// slowest. Each point is named `path=value, path=value`.
pub fn sweep_grid(grid: &IndexMap<String, Vec<toml::Value>>) -> Result<Vec<DesignPoint>, DesignError> {
    let mut size: u128 = 1;
    for (path, values) in grid {
        if values.is_empty() {
            return Err(DesignError::EmptyValues { path: path.clone() });
        }
        // Compare each value with the others by number or as written: sorting the numbers makes
        // this linear after the sort; the rare non-numeric values are compared pairwise.
        let mut nums: Vec<(f64, &toml::Value)> = values.iter().filter_map(|v| numeric(v).map(|x| (x, v))).collect();
        nums.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(w) = nums.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DesignError::RepeatedValue { path: path.clone(), value: w[1].1.to_string() });
        }
        let others: Vec<&toml::Value> = values.iter().filter(|v| numeric(v).is_none()).collect();
        if others.len() <= 1000 {
            for (i, a) in others.iter().enumerate() {
                if let Some(b) = others[i + 1..].iter().find(|b| same_value(a, b)) {
                    return Err(DesignError::RepeatedValue { path: path.clone(), value: b.to_string() });
                }
            }
        }
        size = size.saturating_mul(values.len() as u128);
    }
    if size > u128::from(MAX_SWEEP_POINTS) {
        return Err(DesignError::SweepTooLarge { points: size });
    }
    let lists: Vec<(&String, &Vec<toml::Value>)> = grid.iter().collect();
    let mut points = Vec::with_capacity(size as usize);
    let mut index = vec![0usize; lists.len()];
    for _ in 0..size {
        let values: Vec<toml::Value> = lists.iter().zip(&index).map(|((_, v), &i)| v[i].clone()).collect();
        let set: IndexMap<String, toml::Value> =
            lists.iter().zip(&values).map(|((path, _), v)| ((*path).clone(), v.clone())).collect();
        let name = set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        points.push(DesignPoint {
            name,
            description: None,
            origin: PointOrigin::Sweep(values),
            set,
            add_links: vec![],
        });
        // Advance the odometer: the last path fastest.
        for d in (0..index.len()).rev() {
            index[d] += 1;
            if index[d] < lists[d].1.len() {
                break;
            }
            index[d] = 0;
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(entries: &[(&str, Vec<toml::Value>)]) -> IndexMap<String, Vec<toml::Value>> {
        entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn three_paths_give_the_full_grid_first_path_slowest() {
        use toml::Value::{Boolean, Float, Integer};
        let g = grid(&[
            ("a", vec![Integer(1), Integer(2)]),
            ("b", vec![Float(0.5), Float(0.7), Float(0.9)]),
            ("c", vec![Boolean(true), Boolean(false)]),
        ]);
        let points = sweep_grid(&g).unwrap();
        assert_eq!(points.len(), 12);
        assert_eq!(points[0].name, "a=1, b=0.5, c=true");
        assert_eq!(points[1].name, "a=1, b=0.5, c=false");
        assert_eq!(points[2].name, "a=1, b=0.7, c=true");
        assert_eq!(points[11].name, "a=2, b=0.9, c=false");
        let names: std::collections::HashSet<_> = points.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), 12, "every combination once");
    }

    #[test]
    fn limits_and_repeats_are_refused() {
        let many: Vec<toml::Value> = (0..1000).map(toml::Value::Integer).collect();
        let g = grid(&[("a", many.clone()), ("b", many[..101].to_vec())]);
        assert_eq!(sweep_grid(&g), Err(DesignError::SweepTooLarge { points: 101_000 }));
        let g = grid(&[("a", many.clone()), ("b", many[..100].to_vec())]);
        assert_eq!(sweep_grid(&g).unwrap().len(), 100_000);
        let g = grid(&[("a", vec![toml::Value::Integer(1), toml::Value::Float(1.0)])]);
        assert!(matches!(sweep_grid(&g), Err(DesignError::RepeatedValue { .. })));
        let g = grid(&[("a", vec![])]);
        assert!(matches!(sweep_grid(&g), Err(DesignError::EmptyValues { .. })));
    }
}
