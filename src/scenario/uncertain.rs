//! `[uncertain]`: turning a scenario's plausible ranges into [`Factor`]s, resolving each factor's
//! dotted paths to the parameters of every design point ([`ParamTarget`]), and checking that
//! every value a factor can take is valid there — so that no world can fail later.

use std::path::Path;

use super::Variant;
use super::locate::line_of_key;
use crate::design::worlds::{DEFAULT_WORLDS, Factor, FactorDist, MAX_FACTORS, MAX_WORLDS, Mode};
use crate::error::{InputError, InputErrorKind};
use crate::model::Params;
use crate::model::patch::{DistParam, ParamTarget};

/// The validated `[uncertain]` section of a scenario.
#[derive(Debug, Clone)]
pub struct Uncertainty {
    /// The factors, in file order (single-path entries first, then `[[uncertain.factors]]`).
    pub factors: Vec<Factor>,
    /// How many worlds `permeate run` draws (`worlds`, default 200).
    pub worlds: u32,
    /// Per design point: the (factor index, parameter) pairs the factors change there.
    pub targets: Vec<Vec<(usize, ParamTarget)>>,
    /// Per factor: the line of the scenario file that declares it (1-based), for messages.
    pub lines: Vec<Option<usize>>,
}

/// Why a world's factor values make a design point invalid: which factor, and what is wrong
/// (numbers rounded to six significant digits).
#[derive(Debug, Clone, PartialEq)]
pub struct WorldParamsError {
    /// The index of the factor whose value made the point invalid.
    pub factor: usize,
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for WorldParamsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The paths an uncertain factor may drive, for messages.
const SUPPORTED: &str = "channels.NAME.transmit, channels.NAME.notice, channels.NAME.delay.PARAM, roles.NAME.notice, \
     roles.NAME.processing.PARAM, roles.NAME.window.PARAM, involvement.fraction, \
     community_manager.mandate_effect.notice, community_manager.mandate_effect.processing_factor \
     (community_manager.N.mandate_effect.… with several managers), target.threshold";

/// Keys of a factor's distribution, by `dist`.
fn dist_keys(dist: &str) -> Option<&'static [&'static str]> {
    Some(match dist {
        "uniform" | "loguniform" => &["min", "max"],
        "triangular" => &["min", "mode", "max"],
        "beta" => &["mean", "sd"],
        "choice" => &["values", "weights"],
        _ => return None,
    })
}

struct Here<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Here<'_> {
    /// An error at `[uncertain]` entry `segs` (e.g. `["channels.chat.transmit"]` or
    /// `["factors", "0", "min"]`), with its line.
    fn err(&self, segs: &[&str], message: String) -> InputError {
        let mut path = vec!["uncertain"];
        path.extend_from_slice(segs);
        // The section itself is `uncertain`, never `uncertain.` (issue 20, "also seen").
        let key = std::iter::once("uncertain".to_string())
            .chain(segs.iter().map(|s| if s.contains('.') { format!("\"{s}\"") } else { s.to_string() }))
            .collect::<Vec<_>>()
            .join(".");
        let mut e = InputError::new(self.file, InputErrorKind::Invalid(message)).at_key(key);
        e.line = line_of_key(self.text, &path);
        e
    }
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// A factor distribution from a table with `dist` and its keys; `extra` keys are allowed (and
/// left to the caller). Messages say what is expected, with an example.
fn factor_dist(t: &toml::Table, extra: &[&str], at: &[&str], here: &Here<'_>) -> Result<FactorDist, InputError> {
    let example = "e.g. { dist = \"uniform\", min = 0.3, max = 0.7 }; dist is one of uniform, triangular, \
                   loguniform, beta, choice";
    let Some(dist) = t.get("dist") else {
        return Err(here.err(at, format!("missing `dist`: give the plausible values as a distribution, {example}")));
    };
    let Some(dist) = dist.as_str() else { return Err(here.err(at, format!("`dist` must be a text, {example}"))) };
    let Some(keys) = dist_keys(dist) else {
        return Err(here.err(at, format!("unknown dist \"{dist}\", {example}")));
    };
    for k in t.keys() {
        if k != "dist" && !keys.contains(&k.as_str()) && !extra.contains(&k.as_str()) {
            return Err(here.err(at, format!("unknown key `{k}` for dist \"{dist}\"; it takes {}", keys.join(", "))));
        }
    }
    let num = |k: &str| -> Result<f64, InputError> {
        match t.get(k) {
            None => Err(here.err(at, format!("dist \"{dist}\" needs `{k}` (it takes {})", keys.join(", ")))),
            Some(v) => number(v).ok_or_else(|| here.err(at, format!("`{k}` must be a number, got {v}"))),
        }
    };
    let list = |k: &str| -> Result<Option<Vec<f64>>, InputError> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|v| number(v).ok_or_else(|| here.err(at, format!("`{k}` must be a list of numbers, got {v}"))))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(here.err(at, format!("`{k}` must be a list of numbers, e.g. [0.5, 1.0], got {v}"))),
        }
    };
    let d = match dist {
        "uniform" => FactorDist::Uniform { min: num("min")?, max: num("max")? },
        "loguniform" => FactorDist::LogUniform { min: num("min")?, max: num("max")? },
        "triangular" => FactorDist::Triangular { min: num("min")?, mode: num("mode")?, max: num("max")? },
        "beta" => FactorDist::Beta { mean: num("mean")?, sd: num("sd")? },
        _ => {
            let values = list("values")?
                .ok_or_else(|| here.err(at, "dist \"choice\" needs `values`, e.g. values = [0.5, 1.0]".into()))?;
            let weights = list("weights")?.unwrap_or_else(|| vec![1.0; values.len()]);
            FactorDist::Choice { values, weights }
        }
    };
    d.check().map_err(|m| here.err(at, m))?;
    Ok(d)
}

/// The factors of `[uncertain]`, each factor's line (1-based) and the world count.
pub(super) type ParsedFactors = (Vec<Factor>, Vec<Option<usize>>, u32);

/// Parses `[uncertain]` into factors and the world count (paths not yet resolved).
/// Also returns each factor's line in `text`.
pub(super) fn factors(raw: &toml::Value, file: &Path, text: &str) -> Result<ParsedFactors, InputError> {
    let here = Here { file, text };
    let Some(table) = raw.as_table() else {
        return Err(here.err(&[], "`[uncertain]` must be a table of dotted paths and their plausible values".into()));
    };
    let mut worlds = DEFAULT_WORLDS;
    let mut factors = Vec::new();
    let mut lines = Vec::new();
    for (key, value) in table {
        match key.as_str() {
            "worlds" => {
                worlds = match value.as_integer() {
                    Some(w) if (1..=i64::from(MAX_WORLDS)).contains(&w) => w as u32,
                    _ => {
                        return Err(here
                            .err(&["worlds"], format!("must be a whole number from 1 to {MAX_WORLDS}, got {value}")));
                    }
                }
            }
            "factors" => {
                let Some(list) = value.as_array() else {
                    return Err(here.err(&["factors"], "write each factor as a [[uncertain.factors]] table".into()));
                };
                for (i, f) in list.iter().enumerate() {
                    let idx = i.to_string();
                    let at = ["factors", idx.as_str()];
                    let Some(t) = f.as_table() else {
                        return Err(here.err(&at, "a factor is a table with name, paths, mode and a dist".into()));
                    };
                    let name = match t.get("name").and_then(|n| n.as_str()) {
                        // A factor's name becomes a CSV cell, a chart label and a summary line:
                        // it follows the name rules (issue 20, defect 12).
                        Some(n) if !n.trim().is_empty() => {
                            crate::error::check_name(n, "the factor name").map_err(|k| {
                                let mut e = here.err(&[&at[..], &["name"]].concat(), String::new());
                                e.kind = k;
                                e
                            })?;
                            n.to_string()
                        }
                        _ => {
                            return Err(
                                here.err(&at, "a factor needs a `name`, e.g. name = \"chat reliability\"".into())
                            );
                        }
                    };
                    let paths: Vec<String> = match t.get("paths").and_then(|p| p.as_array()) {
                        Some(a) if !a.is_empty() && a.iter().all(|p| p.is_str()) => {
                            a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect()
                        }
                        _ => {
                            return Err(here.err(
                                &at,
                                format!("factor \"{name}\" needs `paths`, a list of dotted paths, e.g. paths = [\"channels.chat.transmit\"]"),
                            ));
                        }
                    };
                    let mode = match t.get("mode").map(|m| m.as_str()) {
                        None | Some(Some("set")) => Mode::Set,
                        Some(Some("scale")) => Mode::Scale,
                        Some(_) => {
                            return Err(
                                here.err(&at, format!("factor \"{name}\": `mode` is \"set\" (default) or \"scale\""))
                            );
                        }
                    };
                    let dist = factor_dist(t, &["name", "paths", "mode"], &at, &here)?;
                    factors.push(Factor { name, dist, paths, mode });
                    lines.push(line_of_key(text, &["uncertain", "factors", idx.as_str()]));
                }
            }
            path => {
                crate::error::check_name(path, "the uncertain path").map_err(|k| {
                    let mut e = here.err(&[path], String::new());
                    e.kind = k;
                    e
                })?;
                let Some(t) = value.as_table() else {
                    return Err(here.err(
                        &[path],
                        format!(
                            "give the plausible values of \"{path}\" as a distribution, e.g. \"{path}\" = {{ dist = \"uniform\", min = 0.3, max = 0.7 }} (write the path in quotes)"
                        ),
                    ));
                };
                let dist = factor_dist(t, &[], &[path], &here)?;
                factors.push(Factor { name: path.to_string(), dist, paths: vec![path.to_string()], mode: Mode::Set });
                lines.push(line_of_key(text, &["uncertain", path]));
            }
        }
    }
    if factors.is_empty() {
        return Err(here.err(&[], "`[uncertain]` has no factor: add a dotted path with its plausible values".into()));
    }
    if factors.len() > MAX_FACTORS {
        return Err(here.err(&[], format!("{} factors is more than the limit of {MAX_FACTORS}", factors.len())));
    }
    let mut names: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(here.err(&[], format!("two factors are named \"{}\"; names must be unique", w[0])));
    }
    Ok((factors, lines, worlds))
}

/// The parameter that `path` names in design point `v`: `Ok(None)` where the point does not have
/// it (no mandate, no involvement, no window); an error where no point could have it.
pub(super) fn target(v: &Variant, path: &str) -> Result<Option<ParamTarget>, String> {
    let segs: Vec<&str> = path.split('.').collect();
    let channel = |name: &str| {
        v.channels
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as u16)
            .ok_or_else(|| format!("there is no channel \"{name}\""))
    };
    let role = |name: &str| {
        v.roles
            .iter()
            .position(|r| r.name == name)
            .map(|i| i as u16)
            .ok_or_else(|| format!("there is no role \"{name}\""))
    };
    let param = |key: &str| {
        DistParam::from_key(key).ok_or_else(|| {
            format!(
                "`{key}` is not a distribution parameter (rate, mean, median, sigma, shape, scale, min, max, value)"
            )
        })
    };
    let unsupported = || format!("\"{path}\" is not a number an uncertain factor can drive; supported: {SUPPORTED}");
    Ok(Some(match segs.as_slice() {
        ["channels", c, "transmit"] => ParamTarget::ChannelTransmit(channel(c)?),
        ["channels", c, "notice"] => ParamTarget::ChannelNotice(channel(c)?),
        ["channels", c, "delay", p] => ParamTarget::ChannelDelay(channel(c)?, param(p)?),
        ["roles", r, "notice"] => ParamTarget::RoleNotice(role(r)?),
        ["roles", r, "processing", p] => ParamTarget::RoleProcessing(role(r)?, param(p)?),
        ["roles", r, "window", p] => {
            let r = role(r)?;
            if v.roles[r as usize].window.is_none() {
                return Ok(None);
            }
            ParamTarget::RoleWindow(r, param(p)?)
        }
        ["involvement", "fraction"] => {
            if v.involvement.is_none() {
                return Ok(None);
            }
            ParamTarget::InvolvementFraction
        }
        ["community_manager", rest @ .., "mandate_effect", what @ ("notice" | "processing_factor")]
            if rest.len() <= 1 =>
        {
            let key = match rest {
                [n] => format!("community_manager.{n}"),
                _ => "community_manager".to_string(),
            };
            let Some(m) = v.community_managers.iter().position(|c| c.key == key) else {
                return Err(format!("there is no community manager `{key}`"));
            };
            if !v.community_managers[m].mandate {
                return Ok(None);
            }
            let i = v.community_managers[..m].iter().filter(|c| c.mandate).count() as u16;
            if *what == "notice" { ParamTarget::MandateNotice(i) } else { ParamTarget::MandateProcessingFactor(i) }
        }
        ["target", "threshold"] => ParamTarget::Threshold,
        _ => return Err(unsupported()),
    }))
}

/// The dotted paths that are set explicitly, which a `mode = "set"` factor may not also set.
pub(super) struct SetPaths<'a> {
    /// The paths each design point's own `set` changes, by point.
    pub(super) per_point: &'a [Vec<String>],
    /// The paths `--set` changes in every point.
    pub(super) command_line: &'a [String],
    /// The points are a selection of the file's (`--variant`): a factor's path without a value
    /// in them (no mandate there) may have one in a point left out, so it is not an error (the
    /// factor drives nothing in this study; the whole file's load checks it).
    pub(super) selected: bool,
}

/// Resolves every factor's paths in every design point and checks that every value the factor
/// can take is valid there and that no factor sets a path that is set explicitly (`sets`).
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve(
    factors: Vec<Factor>,
    lines: Vec<Option<usize>>,
    worlds: u32,
    variants: &[Variant],
    sets: SetPaths<'_>,
    horizon_hours: f64,
    file: &Path,
    text: &str,
) -> Result<Uncertainty, InputError> {
    let here = Here { file, text };
    let at = |f: &Factor, path: &str| -> Vec<String> {
        if f.paths.len() == 1 && f.name == f.paths[0] {
            vec![path.to_string()]
        } else {
            vec!["factors".into(), f.name.clone()]
        }
    };
    let err = |f: &Factor, path: &str, message: String| {
        let segs = at(f, path);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let mut e = here.err(&segs, message);
        if segs[0] == "factors" {
            let own = factors.iter().position(|g| std::ptr::eq(g, f)).and_then(|i| lines[i]);
            e.line = own.or_else(|| line_of_key(text, &["uncertain", "factors"]));
        }
        e
    };
    let mut targets = vec![Vec::new(); variants.len()];
    for (fi, f) in factors.iter().enumerate() {
        let (lo, hi) = f.dist.support();
        let candidates: Vec<f64> = match &f.dist {
            FactorDist::Choice { values, .. } => values.clone(),
            _ => vec![lo, hi],
        };
        for path in &f.paths {
            if f.mode == Mode::Set && sets.command_line.iter().any(|s| s == path) {
                return Err(err(
                    f,
                    path,
                    format!(
                        "`--set {path}=…` on the command line sets a value that factor \"{}\" also sets in every world, \
                         so the command line's value would be ignored; drop the `--set`, remove the factor from \
                         [uncertain], or give the factor mode = \"scale\" (it then multiplies the value you set)",
                        f.name
                    ),
                ));
            }
            let mut found = false;
            for (p, v) in variants.iter().enumerate() {
                let t = target(v, path).map_err(|m| err(f, path, format!("factor \"{}\": {m}", f.name)))?;
                let Some(t) = t else { continue };
                found = true;
                if f.mode == Mode::Set && sets.per_point[p].iter().any(|s| s == path) {
                    return Err(err(
                        f,
                        path,
                        format!(
                            "variant \"{}\" sets \"{path}\", which factor \"{}\" also sets in every world (the variant's value \
                             would be lost); use mode = \"scale\" or leave the path to one of them",
                            v.name, f.name
                        ),
                    ));
                }
                let params = v.params(horizon_hours);
                let base = params.get(t);
                for &x in &candidates {
                    let value = match (f.mode, base) {
                        (Mode::Set, _) => x,
                        (Mode::Scale, Some(b)) => b * x,
                        (Mode::Scale, None) => {
                            return Err(err(
                                f,
                                path,
                                format!(
                                    "factor \"{}\" scales \"{path}\", which has no value to scale in \"{}\"",
                                    f.name, v.name
                                ),
                            ));
                        }
                    };
                    let mut trial: Params = params.clone();
                    trial.set(t, value).map_err(|m| {
                        err(
                            f,
                            path,
                            format!(
                                "factor \"{}\" can take {} ({}), which makes \"{path}\" {} in \"{}\": {m}",
                                f.name,
                                crate::random::dist::fmt_num(x),
                                f.dist.describe(),
                                crate::random::dist::fmt_num(value),
                                v.name
                            ),
                        )
                    })?;
                }
                targets[p].push((fi, t));
            }
            if !found && !sets.selected {
                return Err(err(
                    f,
                    path,
                    format!(
                        "factor \"{}\": \"{path}\" has no value in the baseline or any variant (no mandate, involvement or window there)",
                        f.name
                    ),
                ));
            }
        }
    }
    // Two factors on the same number would silently override each other (`rate` and `mean` of
    // an exponential are the same number).
    let same = |a: ParamTarget, b: ParamTarget| {
        let norm = |t: ParamTarget| match t {
            ParamTarget::ChannelDelay(c, DistParam::Mean) => ParamTarget::ChannelDelay(c, DistParam::Rate),
            ParamTarget::RoleProcessing(r, DistParam::Mean) => ParamTarget::RoleProcessing(r, DistParam::Rate),
            ParamTarget::RoleWindow(r, DistParam::Mean) => ParamTarget::RoleWindow(r, DistParam::Rate),
            other => other,
        };
        norm(a) == norm(b)
    };
    for (p, list) in targets.iter().enumerate() {
        for (i, &(fa, ta)) in list.iter().enumerate() {
            if let Some(&(fb, _)) = list[i + 1..].iter().find(|(_, tb)| same(ta, *tb)) {
                let (a, b) = (&factors[fa], &factors[fb]);
                let path = a.paths.first().map(String::as_str).unwrap_or_default();
                return Err(err(
                    b,
                    path,
                    format!(
                        "factors \"{}\" and \"{}\" both drive the same number in \"{}\"; one would override the other: \
                         merge them into one factor",
                        a.name, b.name, variants[p].name
                    ),
                ));
            }
        }
    }
    Ok(Uncertainty { factors, worlds, targets, lines })
}

impl Uncertainty {
    /// The parameters of design point `p` (variant `v`) in a world with factor values `values`:
    /// each factor's value set, or multiplied into the point's own value. The error names the
    /// factor and says what is wrong.
    pub fn world_params(
        &self,
        v: &Variant,
        p: usize,
        values: &[f64],
        horizon_hours: f64,
    ) -> Result<Params, WorldParamsError> {
        let base = v.params(horizon_hours);
        let mut params = base.clone();
        for &(f, target) in &self.targets[p] {
            let factor = &self.factors[f];
            let x = values[f];
            let value = match factor.mode {
                Mode::Set => x,
                Mode::Scale => base.get(target).unwrap_or(0.0) * x,
            };
            params.set(target, value).map_err(|m| WorldParamsError {
                factor: f,
                message: format!(
                    "factor \"{}\" = {} in \"{}\": {m}",
                    factor.name,
                    crate::random::dist::fmt_num(x),
                    v.name
                ),
            })?;
        }
        Ok(params)
    }
}
