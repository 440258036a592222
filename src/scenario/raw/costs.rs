//! What a scenario says of money and failure: its price table's entries, its data-transfer
//! prices, a component's vertical `scaling` and its `reliability`.

use serde::Deserialize;

use crate::scenario::units::Duration;

/// The scenario's `transfer_prices`: US dollars per GB, each optional.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawTransferPrices {
    /// A response a CDN edge serves to a user.
    #[serde(default)]
    pub cdn_egress: Option<f64>,
    /// A response the origin serves to a user.
    #[serde(default)]
    pub internet_egress: Option<f64>,
    /// Bytes that cross between data centers.
    #[serde(default)]
    pub inter_dc: Option<f64>,
}

/// An instance type of a scenario's `prices`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawInstanceType {
    /// Virtual CPUs (a count >= 1).
    pub vcpus: u32,
    /// Memory, GiB (> 0).
    pub memory_gb: f64,
    /// Price, US dollars an hour (>= 0).
    pub hourly: f64,
}

/// A component's `scaling`: the reference type and the Universal Scalability Law's
/// coefficients.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawScaling {
    /// The instance type `workers` and service times are written for.
    pub reference: String,
    /// The serial share of the work (sigma, in [0, 1); default 0.03).
    #[serde(default)]
    pub contention: Option<f64>,
    /// The pairwise coherency cost (kappa, in [0, 1); default 0.0003).
    #[serde(default)]
    pub coherency: Option<f64>,
}

/// A component's `reliability`: its instances' mean time between failures and mean time to
/// repair (each a duration; the kind's default when left out).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawReliability {
    /// Mean up-time of one instance between failures (a duration).
    #[serde(default)]
    pub mtbf: Option<Duration>,
    /// Mean time to repair one instance (a duration).
    #[serde(default)]
    pub mttr: Option<Duration>,
}
