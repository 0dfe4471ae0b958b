//! Addressing single numbers inside a model's [`Params`]: what an uncertain factor changes in a
//! world. A [`ParamTarget`] is resolved once per design point from a dotted path (by the scenario
//! layer, which knows the names); setting it is then a cheap, checked write into the parameters,
//! with no re-parse and no re-validation of the scenario.

use crate::model::{ChannelId, Params};
use crate::random::dist::{Dist, DistError};

/// Which parameter of a distribution (the scenario's key names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistParam {
    /// `rate` (per hour) of an exponential.
    Rate,
    /// `mean` (hours) of an exponential.
    Mean,
    /// `median` (hours) of a log-normal.
    Median,
    /// `sigma` of a log-normal.
    Sigma,
    /// `shape` of a gamma or Weibull.
    Shape,
    /// `scale` (hours) of a gamma or Weibull.
    Scale,
    /// `min` (hours) of a uniform.
    Min,
    /// `max` (hours) of a uniform.
    Max,
    /// `value` (hours) of a fixed duration.
    Value,
}

impl DistParam {
    /// The parameter named `key` in a scenario's distribution table.
    pub fn from_key(key: &str) -> Option<DistParam> {
        Some(match key {
            "rate" => DistParam::Rate,
            "mean" => DistParam::Mean,
            "median" => DistParam::Median,
            "sigma" => DistParam::Sigma,
            "shape" => DistParam::Shape,
            "scale" => DistParam::Scale,
            "min" => DistParam::Min,
            "max" => DistParam::Max,
            "value" => DistParam::Value,
            _ => return None,
        })
    }
}

/// Reading and replacing one parameter of a distribution.
impl Dist {
    /// The value of `p`, if this distribution has it.
    pub fn param(&self, p: DistParam) -> Option<f64> {
        match (self, p) {
            (Dist::Exponential { rate, .. }, DistParam::Rate) => Some(*rate),
            (Dist::Exponential { rate, .. }, DistParam::Mean) => Some(1.0 / rate),
            (Dist::LogNormal { median, .. }, DistParam::Median) => Some(*median),
            (Dist::LogNormal { sigma, .. }, DistParam::Sigma) => Some(*sigma),
            (Dist::Gamma { shape, .. } | Dist::Weibull { shape, .. }, DistParam::Shape) => Some(*shape),
            (Dist::Gamma { scale, .. } | Dist::Weibull { scale, .. }, DistParam::Scale) => Some(*scale),
            (Dist::Uniform { min, .. }, DistParam::Min) => Some(*min),
            (Dist::Uniform { max, .. }, DistParam::Max) => Some(*max),
            (Dist::Fixed { value }, DistParam::Value) => Some(*value),
            _ => None,
        }
    }

    /// The same distribution with `p` set to `value`, through the checking constructor; `None`
    /// if this distribution has no such parameter.
    pub fn with_param(&self, p: DistParam, value: f64) -> Option<Result<Dist, DistError>> {
        Some(match (self, p) {
            (Dist::Exponential { .. }, DistParam::Rate) => Dist::exponential(value),
            (Dist::Exponential { .. }, DistParam::Mean) => Dist::exponential_mean(value),
            (Dist::LogNormal { sigma, .. }, DistParam::Median) => Dist::lognormal(value, *sigma),
            (Dist::LogNormal { median, .. }, DistParam::Sigma) => Dist::lognormal(*median, value),
            (Dist::Gamma { scale, .. }, DistParam::Shape) => Dist::gamma(value, *scale),
            (Dist::Gamma { shape, .. }, DistParam::Scale) => Dist::gamma(*shape, value),
            (Dist::Weibull { scale, .. }, DistParam::Shape) => Dist::weibull(value, *scale),
            (Dist::Weibull { shape, .. }, DistParam::Scale) => Dist::weibull(*shape, value),
            (Dist::Uniform { max, .. }, DistParam::Min) => Dist::uniform(value, *max),
            (Dist::Uniform { min, .. }, DistParam::Max) => Dist::uniform(*min, value),
            (Dist::Fixed { .. }, DistParam::Value) => Dist::fixed(value),
            _ => return None,
        })
    }
}

/// One number in a model's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamTarget {
    /// `channels.NAME.transmit`.
    ChannelTransmit(ChannelId),
    /// `channels.NAME.notice` (the channel must set one).
    ChannelNotice(ChannelId),
    /// `channels.NAME.delay.PARAM`.
    ChannelDelay(ChannelId, DistParam),
    /// `roles.NAME.notice`.
    RoleNotice(u16),
    /// `roles.NAME.processing.PARAM`.
    RoleProcessing(u16, DistParam),
    /// `roles.NAME.window.PARAM` (the role must have a window).
    RoleWindow(u16, DistParam),
    /// `involvement.fraction`.
    InvolvementFraction,
    /// `community_manager.mandate_effect.notice` (or `community_manager.N.…` in a list) of the
    /// `i`-th mandated manager (with a mandate in the structure).
    MandateNotice(u16),
    /// `community_manager.mandate_effect.processing_factor` of the `i`-th mandated manager.
    MandateProcessingFactor(u16),
    /// `target.threshold`.
    Threshold,
}

fn probability(what: &str, v: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{what} must be a probability between 0 and 1, got {}",
            crate::random::dist::num(crate::random::dist::round_sig(v))
        ))
    }
}

impl Params {
    /// The current value of `t`, if these parameters have it.
    pub fn get(&self, t: ParamTarget) -> Option<f64> {
        match t {
            ParamTarget::ChannelTransmit(c) => self.channels.get(c as usize).map(|c| c.transmit),
            ParamTarget::ChannelNotice(c) => self.channels.get(c as usize).and_then(|c| c.notice),
            ParamTarget::ChannelDelay(c, p) => self.channels.get(c as usize).and_then(|c| c.delay.param(p)),
            ParamTarget::RoleNotice(r) => self.roles.get(r as usize).map(|r| r.notice),
            ParamTarget::RoleProcessing(r, p) => self.roles.get(r as usize).and_then(|r| r.processing.param(p)),
            ParamTarget::RoleWindow(r, p) => {
                self.roles.get(r as usize).and_then(|r| r.window.as_ref()).and_then(|w| w.param(p))
            }
            ParamTarget::InvolvementFraction => self.involvement_fraction,
            ParamTarget::MandateNotice(i) => self.priority.get(usize::from(i)).map(|p| p.notice),
            ParamTarget::MandateProcessingFactor(i) => self.priority.get(usize::from(i)).map(|p| p.processing_factor),
            ParamTarget::Threshold => Some(self.threshold),
        }
    }

    /// Sets `t` to `value`, checking it as validation would; the message says what is wrong.
    pub fn set(&mut self, t: ParamTarget, value: f64) -> Result<(), String> {
        let missing = || "this design point has no such parameter".to_string();
        let dist = |d: &Dist, p: DistParam| -> Result<Dist, String> {
            d.with_param(p, value).ok_or_else(missing)?.map_err(|e| e.rounded().to_string())
        };
        match t {
            ParamTarget::ChannelTransmit(c) => {
                self.channels.get_mut(c as usize).ok_or_else(missing)?.transmit = probability("transmit", value)?;
            }
            ParamTarget::ChannelNotice(c) => {
                let ch = self.channels.get_mut(c as usize).ok_or_else(missing)?;
                if ch.notice.is_none() {
                    return Err(missing());
                }
                ch.notice = Some(probability("notice", value)?);
            }
            ParamTarget::ChannelDelay(c, p) => {
                let ch = self.channels.get_mut(c as usize).ok_or_else(missing)?;
                ch.delay = dist(&ch.delay, p)?;
            }
            ParamTarget::RoleNotice(r) => {
                self.roles.get_mut(r as usize).ok_or_else(missing)?.notice = probability("notice", value)?;
            }
            ParamTarget::RoleProcessing(r, p) => {
                let role = self.roles.get_mut(r as usize).ok_or_else(missing)?;
                role.processing = dist(&role.processing, p)?;
            }
            ParamTarget::RoleWindow(r, p) => {
                let role = self.roles.get_mut(r as usize).ok_or_else(missing)?;
                let w = role.window.as_ref().ok_or_else(missing)?;
                role.window = Some(dist(w, p)?);
            }
            ParamTarget::InvolvementFraction => {
                if self.involvement_fraction.is_none() {
                    return Err(missing());
                }
                self.involvement_fraction = Some(probability("involvement.fraction", value)?);
            }
            ParamTarget::MandateNotice(i) => {
                self.priority.get_mut(usize::from(i)).ok_or_else(missing)?.notice =
                    probability("mandate notice", value)?;
            }
            ParamTarget::MandateProcessingFactor(i) => {
                if !(value > 0.0 && value <= 1.0) {
                    return Err(format!("processing_factor must be greater than 0 and at most 1, got {value}"));
                }
                self.priority.get_mut(usize::from(i)).ok_or_else(missing)?.processing_factor = value;
            }
            ParamTarget::Threshold => {
                if !(value > 0.0 && value <= 1.0) {
                    return Err(format!("threshold must be greater than 0 and at most 1, got {value}"));
                }
                self.threshold = value;
            }
        }
        Ok(())
    }
}
