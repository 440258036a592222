//! The fault schedule's keys: a fault (`faults`), a key migration, the client's retries and
//! a load balancer's health check.

use serde::Deserialize;

use super::RawDist;
use crate::scenario::units::Duration;

/// One entry of the fault schedule: a time, an optional duration, and one verb.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    /// When the fault happens (a duration from the start; optional for `random`).
    #[serde(default)]
    pub at: Option<Duration>,
    /// How long it lasts (a duration, the YAML key `for`); to the end of the run when left out.
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    /// Crash this component or instance (`web`, `web#2`).
    #[serde(default)]
    pub crash: Option<String>,
    /// Slow this component or instance down by `factor`.
    #[serde(default)]
    pub slow: Option<String>,
    /// How many times longer service takes under `slow` (a multiplier > 0).
    #[serde(default)]
    pub factor: Option<f64>,
    /// Cut this component or instance off the network.
    #[serde(default)]
    pub partition: Option<String>,
    /// Empty this cache or cdn.
    #[serde(default)]
    pub flush: Option<String>,
    /// Crash this database's primary.
    #[serde(default)]
    pub fail_primary: Option<String>,
    /// Add a shard to this sharded database.
    #[serde(default)]
    pub add_shard: Option<String>,
    /// Fail and repair this component's instances at random (`mtbf`, `mttr`).
    #[serde(default)]
    pub random: Option<String>,
    /// Crash every component in this data center.
    #[serde(default)]
    pub fail_dc: Option<String>,
    /// Up-time between failures of a `random` fault (a distribution of durations).
    #[serde(default)]
    pub mtbf: Option<RawDist>,
    /// Repair time of a `random` fault (a distribution of durations).
    #[serde(default)]
    pub mttr: Option<RawDist>,
    /// How an `add_shard` copies the keys it moves (at once when left out).
    #[serde(default)]
    pub migration: Option<RawMigration>,
}

/// The copy of moved keys after an `add_shard`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawMigration {
    /// Keys copied per second at most.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Keys per copy batch (a count).
    #[serde(default)]
    pub batch: Option<u32>,
    /// Service time per key copied (a distribution of durations).
    #[serde(default)]
    pub cost: Option<RawDist>,
}

/// Client retries.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawRetries {
    /// Retries after the first attempt, at most (a count).
    pub max: u32,
    /// Wait before the first retry (a distribution of durations).
    #[serde(default)]
    pub backoff: Option<RawDist>,
    /// Factor the backoff grows by on each further retry.
    #[serde(default)]
    pub multiplier: Option<f64>,
    /// Whether the backoff is randomised: none or full.
    #[serde(default)]
    pub jitter: Option<Jitter>,
    /// The outcomes that are retried, by name (default every cause but session_lost).
    #[serde(default)]
    pub on: Option<Vec<String>>,
    /// Retries allowed as a fraction of first attempts (a retry budget; none by default).
    #[serde(default)]
    pub budget: Option<f64>,
}

/// Randomising a backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// The backoff as drawn.
    None,
    /// A uniform draw between 0 and the backoff.
    Full,
}

/// A load balancer's health checks.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawHealthCheck {
    /// Time between probes (a duration).
    pub interval: Duration,
    /// Failed probes in a row that mark an instance down (a count, default 3).
    #[serde(default)]
    pub unhealthy: Option<u32>,
    /// Good probes in a row that mark it up again (a count, default 2).
    #[serde(default)]
    pub healthy: Option<u32>,
}
