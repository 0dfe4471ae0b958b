//! Loading a scenario with its variants and sweep: each variant's `set` overrides are applied to
//! the baseline's TOML table, and the result is validated like a whole scenario, so a variant's
//! errors name the variant and the path.

use std::path::Path;

use indexmap::IndexMap;

use std::collections::HashMap;

use super::context::{Ctx, Place};
use super::locate::{line_of_key, toml_error, unquoted_dotted_set_key};
use super::raw::RawScenario;
use super::validate;
use super::{
    DEFAULT_CURVE_POINTS, DEFAULT_HORIZON_HOURS, DEFAULT_REPLICATIONS, DEFAULT_SEED, MAX_CURVE_POINTS,
    MAX_REPLICATIONS, OrgCache, Overrides, Scenario, Sweep, SweepPoint,
};
use crate::design::{AddLink, BASELINE, Design, DesignError, DesignPoint, MAX_VARIANTS, PointOrigin, sweep_grid};
use crate::error::{InputError, InputErrorKind};

/// Keys that apply to the whole scenario and so cannot differ between variants.
const SCENARIO_WIDE: [&str; 13] = [
    "name",
    "description",
    "seed",
    "replications",
    "horizon_hours",
    "output",
    "variants",
    "sweep",
    "uncertain",
    "compare_to",
    "strict",
    "costs",
    "goal",
];

pub(super) fn load(path: &Path, text: &str, overrides: &Overrides) -> Result<Scenario, InputError> {
    load_cached(path, text, overrides, &mut OrgCache::default())
}

/// [`load`] sharing the organisations of `cache` (generated, replayed or read from CSV) and
/// adding those it builds: the same organisation as a fresh load, built once.
pub(super) fn load_cached(
    path: &Path,
    text: &str,
    overrides: &Overrides,
    cache: &mut OrgCache,
) -> Result<Scenario, InputError> {
    let mut raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(path, Some(text), &e))?;
    let mut table: toml::Table = toml::from_str(text).map_err(|e| toml_error(path, Some(text), &e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    if !overrides.set.is_empty() {
        // `--set` edits the baseline as if written into the file, checked like a variant's set.
        let cctx = Ctx { file: path, dir, text, place: Place::Baseline, seed: 0 };
        let at_set = |mut e: InputError, set_path: &str| {
            e.key = Some(set_path.to_string());
            e.line = None;
            e
        };
        for (set_path, value) in &overrides.set {
            set_checked(&mut table, set_path, value, &cctx).map_err(|e| at_set(e, set_path))?;
            // Deserialised after each, so an unknown key or a wrong type names its `--set`.
            raw = toml::Value::Table(table.clone())
                .try_into::<RawScenario>()
                .map_err(|e| at_set(toml_error(path, None, &e), set_path))?;
        }
    }
    table.remove("variants");
    table.remove("sweep");
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
    if !(2..=MAX_CURVE_POINTS).contains(&curve_points) {
        return Err(top_at(
            &["output", "curve_points"],
            InputErrorKind::Invalid(format!("`curve_points` must be 2 to {MAX_CURVE_POINTS}, got {curve_points}")),
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

    let ctx = Ctx { file: path, dir, text, place: Place::Baseline, seed };
    let mut design = design(&raw, text, &ctx)?;
    if !overrides.variants.is_empty() {
        select_points(&mut design, &overrides.variants, raw.compare_to.as_deref(), path)?;
    }
    let mut variants = Vec::with_capacity(design.points.len());
    for (i, point) in design.points.iter().enumerate() {
        let pctx = match &point.origin {
            PointOrigin::Baseline => ctx.clone(),
            PointOrigin::Variant(n) => Ctx { place: Place::Listed(*n, point.name.clone()), ..ctx.clone() },
            PointOrigin::Sweep(_) => Ctx { place: Place::SweepPoint(point.name.clone()), ..ctx.clone() },
        };
        let variant = if i == 0 {
            validate::variant(&raw, BASELINE, None, &pctx, cache)?
        } else {
            let vraw = apply_sets(&table, &point.set, &pctx)?;
            match &point.origin {
                PointOrigin::Variant(n) => {
                    validate::variant(&vraw, &point.name, Some(&raw.variants[*n]), &pctx, cache)?
                }
                _ => validate::variant(&vraw, &point.name, None, &pctx, cache)?,
            }
        };
        variants.push(variant);
    }
    // No silent defaults: a role without a table acts with the defaults, which `check` and `run`
    // say (and `strict = true` refuses).
    if raw.strict == Some(true)
        && let Some(r) = variants[0].roles.iter().find(|r| !r.defined && r.name != super::validate::COMMUNITY_ROLE)
    {
        return Err(top(
            "strict",
            InputErrorKind::Invalid(format!(
                "role \"{}\" has no [roles.{}] table, and `strict = true` refuses the defaults (notice 1, no \
                 processing time, no window); add e.g. [roles.{}] notice = 0.8, processing = {{ dist = \"lognormal\", \
                 median = 4.0, sigma = 0.8 }}",
                r.name, r.name, r.name
            )),
        ));
    }
    let reference = match &raw.compare_to {
        None => 0,
        Some(name) => design.points.iter().position(|p| &p.name == name).ok_or_else(|| {
            let names = design.points.iter().map(|p| p.name.as_str());
            top(
                "compare_to",
                InputErrorKind::UnknownName {
                    what: "variant",
                    name: name.clone(),
                    known: names.map(str::to_string).collect(),
                },
            )
        })?,
    };
    let uncertainty = match &raw.uncertain {
        None => None,
        Some(u) => {
            let (factors, lines, worlds) = super::uncertain::factors(u, path, text)?;
            let sets: Vec<Vec<String>> = design.points.iter().map(|p| p.set.keys().cloned().collect()).collect();
            let command_line: Vec<String> = overrides.set.iter().map(|(p, _)| p.clone()).collect();
            Some(super::uncertain::resolve(
                factors,
                lines,
                worlds,
                &variants,
                super::uncertain::SetPaths {
                    per_point: &sets,
                    command_line: &command_line,
                    selected: !overrides.variants.is_empty(),
                },
                horizon_hours,
                path,
                text,
            )?)
        }
    };
    let (costs, goal) = super::costs::load(&raw, &design, &variants, path, text)?;
    super::costs::refuse_uncertain_threshold(goal.as_ref(), uncertainty.as_ref(), path, text)?;
    let sweep = (!design.sweep_paths.is_empty()).then(|| Sweep {
        paths: design.sweep_paths.clone(),
        points: design.sweep_points().map(|(i, values)| SweepPoint { values: values.to_vec(), variant: i }).collect(),
    });
    Ok(Scenario {
        name: raw.name.clone(),
        description: raw.description.clone(),
        file: path.to_path_buf(),
        source_hash: crate::random::rng::identity_key(&[text]),
        seed,
        replications,
        horizon_hours,
        curve_points,
        curve_hours,
        design,
        variants,
        sweep,
        uncertainty,
        reference,
        costs,
        goal,
        overrides: overrides.clone(),
    })
}

/// Keeps the baseline, the points named in `names` (`--variant`) and the `compare_to`
/// reference; an unknown name is refused with the names that exist.
fn select_points(
    design: &mut Design,
    names: &[String],
    reference: Option<&str>,
    path: &Path,
) -> Result<(), InputError> {
    for name in names {
        if !design.points.iter().any(|p| &p.name == name) {
            let known = design.points.iter().skip(1).map(|p| p.name.clone()).collect();
            return Err(InputError::new(
                path,
                InputErrorKind::UnknownName { what: "variant", name: name.clone(), known },
            )
            .at_key("--variant"));
        }
    }
    let keep = |p: &DesignPoint| {
        matches!(p.origin, PointOrigin::Baseline) || names.contains(&p.name) || reference == Some(p.name.as_str())
    };
    design.points.retain(keep);
    if !design.points.iter().any(|p| matches!(p.origin, PointOrigin::Sweep(_))) {
        design.sweep_paths.clear();
    }
    Ok(())
}

/// The experiment design of a scenario: the baseline, the `[[variants]]` and the `[sweep]` grid,
/// with unique names (checked in one pass over all points).
fn design(raw: &RawScenario, text: &str, ctx: &Ctx<'_>) -> Result<Design, InputError> {
    if raw.variants.len() > MAX_VARIANTS {
        return Err(ctx.err(
            "variants",
            InputErrorKind::Invalid(format!(
                "{} variants is more than the limit of {MAX_VARIANTS}; for many values of one setting use a [sweep]",
                raw.variants.len()
            )),
        ));
    }
    if let Some((i, key, line)) = unquoted_dotted_set_key(text) {
        let name = raw.variants.get(i).map(|v| v.name.clone()).unwrap_or_default();
        let vctx = Ctx { place: Place::Listed(i, name), ..ctx.clone() };
        let mut e = vctx.err(&format!("set.{key}"), InputErrorKind::Invalid(format!(
            "write the dotted path in quotes: \"{key}\" = ...; unquoted, TOML reads it as a nested table that would replace the whole `{}` section",
            key.split('.').next().unwrap_or_default()
        )));
        e.line = Some(line);
        return Err(e);
    }
    let mut points = vec![DesignPoint {
        name: BASELINE.into(),
        description: None,
        origin: PointOrigin::Baseline,
        set: IndexMap::new(),
        add_links: vec![],
    }];
    let mut names: HashMap<String, PointOrigin> = HashMap::from([(BASELINE.to_string(), PointOrigin::Baseline)]);
    for (i, v) in raw.variants.iter().enumerate() {
        let vctx = Ctx { place: Place::Listed(i, v.name.clone()), ..ctx.clone() };
        if v.name.trim().is_empty() || names.contains_key(&v.name) {
            return Err(vctx.err(
                "name",
                InputErrorKind::Invalid(format!(
                    "variant names must be unique and not \"baseline\"; \"{}\" is taken or empty",
                    v.name
                )),
            ));
        }
        names.insert(v.name.clone(), PointOrigin::Variant(i));
        points.push(DesignPoint {
            name: v.name.clone(),
            description: v.description.clone(),
            origin: PointOrigin::Variant(i),
            set: v.set.clone(),
            add_links: v
                .add_links
                .iter()
                .map(|l| AddLink {
                    source: l.source.clone(),
                    target: l.target.clone(),
                    channel: l.channel.clone(),
                    direction: l.direction.clone(),
                })
                .collect(),
        });
    }
    let mut sweep_paths = Vec::new();
    if let Some(grid) = &raw.sweep {
        let sctx = Ctx { place: Place::Sweep, ..ctx.clone() };
        if grid.is_empty() {
            return Err(sctx.err(
                "sweep",
                InputErrorKind::Invalid(
                    "give at least one dotted path with its values, e.g. \"involvement.fraction\" = [0.1, 0.3]".into(),
                ),
            ));
        }
        let grid_points = sweep_grid(grid).map_err(|e| {
            let key = match &e {
                DesignError::EmptyValues { path } | DesignError::RepeatedValue { path, .. } => format!("sweep.{path}"),
                DesignError::SweepTooLarge { .. } => "sweep".into(),
            };
            sctx.err(&key, InputErrorKind::Invalid(e.to_string()))
        })?;
        for p in grid_points {
            if let Some(PointOrigin::Variant(i)) = names.get(&p.name) {
                let pctx = Ctx { place: Place::SweepPoint(p.name.clone()), ..ctx.clone() };
                return Err(pctx.err(
                    "sweep",
                    InputErrorKind::Invalid(format!(
                        "the sweep point \"{}\" has the same name as variant {} of [[variants]]; rename the variant",
                        p.name,
                        i + 1
                    )),
                ));
            }
            names.insert(p.name.clone(), p.origin.clone());
            points.push(p);
        }
        sweep_paths = grid.keys().cloned().collect();
    }
    Ok(Design { points, sweep_paths })
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
        set_checked(&mut t, path, value, ctx)?;
    }
    // One deserialisation for the common case; only when it fails are the overrides replayed one
    // by one, so that a type error or unknown key names the path that caused it.
    match toml::Value::Table(t).try_into::<RawScenario>() {
        Ok(raw) => Ok(raw),
        Err(whole) => {
            let mut t = table.clone();
            for (path, value) in set {
                set_checked(&mut t, path, value, ctx)?;
                if let Err(e) = toml::Value::Table(t.clone()).try_into::<RawScenario>() {
                    let mut err = toml_error(ctx.file, None, &e);
                    let what = err.kind.to_string();
                    err.kind = match err.kind {
                        k @ InputErrorKind::UnknownKey { .. } => k,
                        _ => InputErrorKind::Invalid(what),
                    };
                    err.key = Some(format!("set.{path}"));
                    return Err(ctx.locate(err));
                }
            }
            Err(ctx.locate(toml_error(ctx.file, None, &whole)))
        }
    }
}

/// Checks one override's dotted path and applies it to `t`. Errors name the path.
fn set_checked(t: &mut toml::Table, path: &str, value: &toml::Value, ctx: &Ctx<'_>) -> Result<(), InputError> {
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
    set_path(t, &segs, value.clone()).map_err(|m| ctx.err(&key, InputErrorKind::Invalid(m)))
}

/// Sets `segs` (a dotted path) in `t` to `value`, creating missing tables on the way. A number
/// segment picks an element of a list of tables (from 0): `community_manager.1.mandate`.
/// Keys whose value may take more than one form (`start`: a moment or `{ weekly = "uniform" }`;
/// a selector's `role`, `id` or `unit` and a calendar's `hours`: one or a list): an override may
/// switch the form, and the merged scenario's validation judges the value.
const POLYMORPHIC_KEYS: [&str; 5] = ["start", "role", "id", "unit", "hours"];

fn set_path(t: &mut toml::Table, segs: &[&str], value: toml::Value) -> Result<(), String> {
    let (last, parents) = segs.split_last().expect("non-empty path");
    let mut cur = t;
    let mut i = 0;
    while i < parents.len() {
        let list_hint = |n: usize| {
            let head = segs[..=i].join(".");
            let tail = segs[i + 1..].iter().find(|s| s.parse::<usize>().is_err()).copied().unwrap_or("mandate");
            format!("`{head}` is a list of {n} tables; name one by its position from 0, e.g. \"{head}.0.{tail}\"")
        };
        let entry = cur.entry(parents[i].to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let entry = match entry {
            toml::Value::Array(items) => {
                let n = items.len();
                match segs[i + 1].parse::<usize>().ok().filter(|_| i + 1 < parents.len()).and_then(|k| items.get_mut(k))
                {
                    Some(item) => {
                        i += 1;
                        item
                    }
                    None => return Err(list_hint(n)),
                }
            }
            other => other,
        };
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
        i += 1;
    }
    if let (Some(old), new) = (cur.get(*last), &value) {
        let numeric = |v: &toml::Value| matches!(v, toml::Value::Integer(_) | toml::Value::Float(_));
        if old.type_str() != new.type_str() && !(numeric(old) && numeric(new)) && !POLYMORPHIC_KEYS.contains(last) {
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
