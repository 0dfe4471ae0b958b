//! Loading a scenario with its variants and sweep: each variant's `set` overrides are applied to
//! the baseline's TOML table, and the result is validated like a whole scenario, so a variant's
//! errors name the variant and the path.

use std::path::Path;

use indexmap::IndexMap;

use super::locate::{line_of_key, toml_error, unquoted_dotted_set_key};
use super::raw::RawScenario;
use super::validate::{self, Ctx, Place};
use super::{
    DEFAULT_CURVE_POINTS, DEFAULT_HORIZON_HOURS, DEFAULT_REPLICATIONS, DEFAULT_SEED, MAX_REPLICATIONS, OrgCache,
    Scenario, Sweep,
};
use crate::error::{InputError, InputErrorKind};

/// One point of a sweep: the values of the swept paths and the index of the variant running it.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// The values, in the order of [`Sweep::paths`], as TOML values.
    pub values: Vec<toml::Value>,
    /// Index into [`Scenario::variants`].
    pub variant: usize,
}

/// Keys that apply to the whole scenario and so cannot differ between variants.
const SCENARIO_WIDE: [&str; 8] =
    ["name", "description", "seed", "replications", "horizon_hours", "output", "variants", "sweep"];

pub(super) fn load(path: &Path, text: &str) -> Result<Scenario, InputError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(path, Some(text), &e))?;
    let mut table: toml::Table = toml::from_str(text).map_err(|e| toml_error(path, Some(text), &e))?;
    table.remove("variants");
    table.remove("sweep");
    let dir = path.parent().unwrap_or(Path::new("."));
    let top = |key: &str, kind: InputErrorKind| {
        let mut e = InputError::new(path, kind).at_key(key);
        e.line = line_of_key(text, &[key]);
        e
    };

    let top_at = |segs: &[&str], kind: InputErrorKind| {
        let mut e = InputError::new(path, kind).at_key(segs.join("."));
        e.line = line_of_key(text, segs);
        e
    };
    let seed = raw.seed.unwrap_or(DEFAULT_SEED);
    let replications = raw.replications.unwrap_or(DEFAULT_REPLICATIONS);
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        return Err(top(
            "replications",
            InputErrorKind::Invalid(format!("must be 1 to {MAX_REPLICATIONS}, got {replications}")),
        ));
    }
    let horizon_hours = raw.horizon_hours.unwrap_or(DEFAULT_HORIZON_HOURS);
    if !(horizon_hours.is_finite() && horizon_hours > 0.0) {
        return Err(top(
            "horizon_hours",
            InputErrorKind::Invalid(format!(
                "must be a positive number of hours, got {}",
                crate::error::num(horizon_hours)
            )),
        ));
    }
    let output = raw.output.clone();
    let curve_points = output.as_ref().and_then(|o| o.curve_points).unwrap_or(DEFAULT_CURVE_POINTS);
    if !(2..=10_000).contains(&curve_points) {
        return Err(top_at(
            &["output", "curve_points"],
            InputErrorKind::Invalid(format!("`curve_points` must be 2 to 10000, got {curve_points}")),
        ));
    }
    let curve_hours = output.as_ref().and_then(|o| o.curve_hours).unwrap_or(horizon_hours);
    if !(curve_hours.is_finite() && curve_hours > 0.0) {
        return Err(top_at(
            &["output", "curve_hours"],
            InputErrorKind::Invalid(format!(
                "`curve_hours` must be a positive number of hours, got {}",
                crate::error::num(curve_hours)
            )),
        ));
    }

    let mut cache = OrgCache::default();
    let ctx = Ctx { file: path, dir, text, place: Place::Baseline, seed };
    let mut variants = vec![validate::variant(&raw, "baseline", None, &ctx, &mut cache)?];

    for (i, v) in raw.variants.iter().enumerate() {
        let ctx = Ctx { place: Place::Listed(i, v.name.clone()), ..ctx };
        if v.name.trim().is_empty() || variants.iter().any(|x| x.name == v.name) {
            return Err(ctx.err(
                "name",
                InputErrorKind::Invalid(format!(
                    "variant names must be unique and not \"baseline\"; \"{}\" is taken or empty",
                    v.name
                )),
            ));
        }
        if let Some((key, line)) = unquoted_dotted_set_key(text, i) {
            let mut e = ctx.err(&format!("set.{key}"), InputErrorKind::Invalid(format!(
                "write the dotted path in quotes: \"{key}\" = ...; unquoted, TOML reads it as a nested table that would replace the whole `{}` section",
                key.split('.').next().unwrap_or_default()
            )));
            e.line = Some(line);
            return Err(e);
        }
        let vraw = apply_sets(&table, &v.set, &ctx)?;
        variants.push(validate::variant(&vraw, &v.name, Some(v), &ctx, &mut cache)?);
    }

    let sweep = match &raw.sweep {
        None => None,
        Some(grid) => Some(sweep(&table, grid, &ctx, &mut cache, &mut variants)?),
    };
    Ok(Scenario {
        name: raw.name.clone(),
        description: raw.description.clone(),
        file: path.to_path_buf(),
        seed,
        replications,
        horizon_hours,
        curve_points,
        curve_hours,
        variants,
        sweep,
    })
}

fn sweep(
    table: &toml::Table,
    grid: &IndexMap<String, Vec<toml::Value>>,
    ctx: &Ctx<'_>,
    cache: &mut OrgCache,
    variants: &mut Vec<super::Variant>,
) -> Result<Sweep, InputError> {
    let sctx = Ctx { place: Place::Sweep, ..*ctx };
    if grid.is_empty() || grid.len() > 2 {
        return Err(
            sctx.err("sweep", InputErrorKind::Invalid(format!("give one or two dotted paths, got {}", grid.len())))
        );
    }
    let paths: Vec<String> = grid.keys().cloned().collect();
    for (p, values) in grid {
        if values.is_empty() {
            return Err(sctx.err(&format!("sweep.{p}"), InputErrorKind::Invalid("the list of values is empty".into())));
        }
    }
    let first = &grid[0];
    let second: Vec<Option<&toml::Value>> = match grid.get_index(1) {
        Some((_, v)) => v.iter().map(Some).collect(),
        None => vec![None],
    };
    let mut points = Vec::new();
    for a in first {
        for b in &second {
            let mut set = IndexMap::new();
            set.insert(paths[0].clone(), a.clone());
            let mut values = vec![a.clone()];
            if let Some(b) = b {
                set.insert(paths[1].clone(), (*b).clone());
                values.push((*b).clone());
            }
            let name = set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
            let pctx = Ctx { place: Place::SweepPoint(name.clone()), ..*ctx };
            if variants.iter().any(|x| x.name == name) {
                return Err(pctx.err("sweep", InputErrorKind::Invalid("the same sweep point appears twice".into())));
            }
            let vraw = apply_sets(table, &set, &pctx)?;
            variants.push(validate::variant(&vraw, &name, None, &pctx, cache)?);
            points.push(SweepPoint { values, variant: variants.len() - 1 });
        }
    }
    Ok(Sweep { paths, points })
}

/// Applies `set` (dotted path → value) to a copy of the baseline table and deserialises it.
/// Errors name the offending path.
fn apply_sets(
    table: &toml::Table,
    set: &IndexMap<String, toml::Value>,
    ctx: &Ctx<'_>,
) -> Result<RawScenario, InputError> {
    let mut t = table.clone();
    for (path, value) in set {
        let key = format!("set.{path}");
        let segs = validate::set_path_segments(path, ctx)?;
        if SCENARIO_WIDE.contains(&segs[0]) {
            return Err(ctx.err(
                &key,
                InputErrorKind::Invalid(format!(
                    "`{}` applies to the whole scenario and cannot be changed by a variant",
                    segs[0]
                )),
            ));
        }
        set_path(&mut t, &segs, value.clone()).map_err(|m| ctx.err(&key, InputErrorKind::Invalid(m)))?;
        // Deserialise after each override so that a type error or unknown key names its path.
        if let Err(e) = toml::Value::Table(t.clone()).try_into::<RawScenario>() {
            let mut err = toml_error(ctx.file, None, &e);
            let what = err.kind.to_string();
            err.kind = match err.kind {
                k @ InputErrorKind::UnknownKey { .. } => k,
                _ => InputErrorKind::Invalid(what),
            };
            err.key = Some(key);
            return Err(ctx.locate(err));
        }
    }
    toml::Value::Table(t).try_into::<RawScenario>().map_err(|e| ctx.locate(toml_error(ctx.file, None, &e)))
}

/// Sets `segs` (a dotted path) in `t` to `value`, creating missing tables on the way.
fn set_path(t: &mut toml::Table, segs: &[&str], value: toml::Value) -> Result<(), String> {
    let (last, parents) = segs.split_last().expect("non-empty path");
    let mut cur = t;
    for (i, seg) in parents.iter().enumerate() {
        let entry = cur.entry(seg.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = match entry {
            toml::Value::Table(next) => next,
            other => {
                return Err(format!(
                    "`{}` is {}, not a table, so it has no key `{}`",
                    segs[..=i].join("."),
                    article(other.type_str()),
                    segs[i + 1]
                ));
            }
        };
    }
    if let (Some(old), new) = (cur.get(*last), &value) {
        let numeric = |v: &toml::Value| matches!(v, toml::Value::Integer(_) | toml::Value::Float(_));
        if old.type_str() != new.type_str() && !(numeric(old) && numeric(new)) {
            return Err(format!(
                "wrong type: the scenario has {} here, the override {}",
                article(old.type_str()),
                article(new.type_str())
            ));
        }
    }
    cur.insert(last.to_string(), value);
    Ok(())
}

/// "a string", "an array", "an integer".
fn article(type_name: &str) -> String {
    let an = type_name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {type_name}", if an { "an" } else { "a" })
}
