//! A distribution as written: a one-key map such as `{exp: 4ms}`, read by a deserializer of
//! its own so that a wrong name or a second key gets a message that lists the names.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::scenario::units::Duration;

/// A distribution: a one-key map such as `{exp: 4ms}`.
#[derive(Debug, Clone)]
pub enum RawDist {
    /// Always this duration.
    Const(Duration),
    /// Exponential with this mean.
    Exp(Duration),
    /// Uniform between two durations `[low, high]`.
    Uniform(Vec<Duration>),
    /// Normal, truncated at 0.
    Normal(NormalParams),
    /// Log-normal, by mean and cv or by median and p99.
    LogNormal(LogNormalParams),
    /// Pareto, by scale and shape.
    Pareto(ParetoParams),
    /// Erlang, by phases and mean.
    Erlang(ErlangParams),
    /// Drawn from these samples.
    Empirical(Vec<Duration>),
}

/// The distribution names, as written.
pub const DIST_NAMES: &str = "const, exp, uniform, normal, lognormal, pareto, erlang, empirical";

/// A normal distribution's parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NormalParams {
    /// Mean (a duration).
    pub mean: Duration,
    /// Standard deviation (a duration).
    pub sd: Duration,
}

/// A log-normal distribution's parameters: `mean` and `cv`, or `median` and `p99`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "cli", schemars(transform = crate::scenario::schema::lognormal_forms))]
#[serde(deny_unknown_fields)]
pub struct LogNormalParams {
    /// Mean (a duration).
    #[serde(default)]
    pub mean: Option<Duration>,
    /// Coefficient of variation (sd / mean, >= 0).
    #[serde(default)]
    pub cv: Option<f64>,
    /// Median (a duration).
    #[serde(default)]
    pub median: Option<Duration>,
    /// 99th percentile (a duration).
    #[serde(default)]
    pub p99: Option<Duration>,
}

/// A Pareto distribution's parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ParetoParams {
    /// Scale: the smallest value (a duration).
    pub scale: Duration,
    /// Shape (above 1 for a finite mean).
    pub shape: f64,
}

/// An Erlang distribution's parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ErlangParams {
    /// Phases (a count from 1 to 1000).
    pub k: u32,
    /// Mean (a duration).
    pub mean: Duration,
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDist;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a distribution: a one-key map like {{exp: 4ms}} ({DIST_NAMES})"
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDist, A::Error> {
                let Some(name) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format!(
                        "expected a distribution like {{exp: 4ms}} ({DIST_NAMES}), found an empty map"
                    )));
                };
                let dist = match name.as_str() {
                    "const" => RawDist::Const(map.next_value()?),
                    "exp" => RawDist::Exp(map.next_value()?),
                    "uniform" => RawDist::Uniform(map.next_value()?),
                    "normal" => RawDist::Normal(map.next_value()?),
                    "lognormal" => RawDist::LogNormal(map.next_value()?),
                    "pareto" => RawDist::Pareto(map.next_value()?),
                    "erlang" => RawDist::Erlang(map.next_value()?),
                    "empirical" => RawDist::Empirical(map.next_value()?),
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown distribution `{other}`, expected one of {DIST_NAMES}"
                        )));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "expected one distribution per map, found `{name}` and `{extra}`"
                    )));
                }
                Ok(dist)
            }
        }
        d.deserialize_map(V)
    }
}
