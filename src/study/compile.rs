//! The one model builder of a study: each distinct structure is compiled once (the most recent
//! few are cached) and each design point's and world's parameters are patched onto it. `run`,
//! `sensitivity`, `optimise` and `calibrate` build their models here and nowhere else.

use std::sync::Arc;

use crate::error::{Error, InputError, InputErrorKind};
use crate::model::{Model, Structure};
use crate::scenario::Scenario;

/// How many compiled structures a run keeps for reuse (points that change the structure
/// compile their own; the most recent few are kept).
const STRUCTURE_CACHE: usize = 64;

/// Builds the compiled models of a scenario's design points, sharing structures between points
/// that only differ in parameters.
#[derive(Debug)]
pub struct Compiler<'s> {
    scenario: &'s Scenario,
    /// (design point, its structure), most recent last.
    cache: Vec<(usize, Arc<Structure>)>,
}

impl<'s> Compiler<'s> {
    /// A compiler for the points of `scenario`, with an empty cache.
    pub fn new(scenario: &'s Scenario) -> Self {
        Compiler { scenario, cache: Vec::new() }
    }

    /// The compiled model of design point `p`: a patch of a cached structure when an earlier
    /// point has the same structure, else a fresh compile (then cached).
    pub fn point(&mut self, p: usize) -> Result<Model, Error> {
        let scenario = self.scenario;
        let v = &scenario.variants[p];
        let params = v.params(scenario.horizon_hours);
        // Too many links or managers are the user's scenario (exit 2); parameters that do not fit
        // the structure are permeate's own fault (exit 1).
        let fail = |e: crate::model::ModelError| match e {
            crate::model::ModelError::ParamsDoNotFit => {
                Error::Internal(format!("compiling variant \"{}\": {e}", v.name))
            }
            _ => {
                Error::from(InputError::new(&scenario.file, InputErrorKind::Invalid(e.to_string())).in_variant(&v.name))
            }
        };
        if let Some((_, structure)) = self.cache.iter().find(|(q, _)| scenario.variants[*q].same_structure(v)) {
            return Model::with_params(Arc::clone(structure), &params).map_err(fail);
        }
        let names = v.channel_names();
        let structure = Arc::new(Structure::compile(&v.structure_spec(&names)).map_err(fail)?);
        if self.cache.len() == STRUCTURE_CACHE {
            self.cache.remove(0);
        }
        self.cache.push((p, Arc::clone(&structure)));
        Model::with_params(structure, &params).map_err(fail)
    }

    /// The model of point `p` in a world with factor values `values` (one per factor of the
    /// scenario's `[uncertain]`): `model`'s structure with the point's parameters patched by the
    /// factors. Without `[uncertain]` this is `model` again.
    pub fn world(&self, model: &Model, p: usize, values: &[f64]) -> Result<Model, Error> {
        match &self.scenario.uncertainty {
            Some(u) => world_model(self.scenario, model, p, values, u),
            None => Ok(model.clone()),
        }
    }
}

/// The compiled model of design point `p` of `scenario` as written (no world applied).
pub fn point_model(scenario: &Scenario, p: usize) -> Result<Model, Error> {
    Compiler::new(scenario).point(p)
}

/// The model of point `p` in a world with factor values `values`: its parameters patched with
/// the factors' values, on the same shared structure.
pub fn world_model(
    scenario: &Scenario,
    model: &Model,
    p: usize,
    values: &[f64],
    u: &crate::scenario::uncertain::Uncertainty,
) -> Result<Model, Error> {
    let v = &scenario.variants[p];
    let fail = |m: String| Error::from(InputError::new(&scenario.file, InputErrorKind::Invalid(m)).in_variant(&v.name));
    let params = u.world_params(v, p, values, scenario.horizon_hours).map_err(|e| fail(e.message))?;
    // Patching only fails when the parameters do not fit the structure: permeate's fault.
    Model::with_params(Arc::clone(&model.structure), &params)
        .map_err(|e| Error::Internal(format!("a world of variant \"{}\": {e}", v.name)))
}
