//! A server group's overload defences as read: admission (`rate_limit`,
//! `rate_limit_by_class`, `concurrency_limit`), `shedding` in its waiting room, and the
//! per-callee options of `downstream` (breaker, bulkhead, pool, hedge).

use serde::Deserialize;

use crate::scenario::units::Duration;

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawTokenBucket {
    /// Tokens added per second (requests admitted per second, sustained; > 0).
    pub rate: f64,
    /// Most tokens the bucket holds (a count >= 1; default a tenth of a second's tokens,
    /// at least 1).
    #[serde(default)]
    pub burst: Option<u32>,
    /// Who shares the bucket: each `instance` its own (the default), or the whole `group`.
    #[serde(default)]
    pub per: Option<BucketScope>,
}

/// Who shares a token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BucketScope {
    /// Each instance has a bucket of its own.
    Instance,
    /// The group's instances share one bucket (a limit on the component as a whole).
    Group,
}

/// Load shedding in a server's waiting room.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawShedding {
    /// A waiting request that a worker takes after waiting longer than this is dropped (a
    /// duration).
    #[serde(default)]
    pub deadline: Option<Duration>,
    /// CoDel: drop while the waiting time stays above `target` for `interval`.
    #[serde(default)]
    pub codel: Option<RawCodel>,
    /// Serve the newest waiting request first while more than this many wait (a count; 0:
    /// always newest first).
    #[serde(default)]
    pub lifo: Option<u64>,
}

/// CoDel's two parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawCodel {
    /// The waiting time CoDel keeps the queue at (a duration, default 5ms).
    #[serde(default)]
    pub target: Option<Duration>,
    /// How long the waiting time must stay above `target` before dropping starts (a
    /// duration, default 100ms).
    #[serde(default)]
    pub interval: Option<Duration>,
}

/// The defences on one callee of a server.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawDownstream {
    /// A circuit breaker on the calls to this callee (one per instance of the caller).
    #[serde(default)]
    pub breaker: Option<RawBreaker>,
    /// At most this many of an instance's requests call this callee at once.
    #[serde(default)]
    pub bulkhead: Option<RawBulkhead>,
    /// A connection pool per instance: a call waits for a free connection.
    #[serde(default)]
    pub pool: Option<RawPool>,
    /// Hedged calls: a second copy to another instance after a delay.
    #[serde(default)]
    pub hedge: Option<RawHedge>,
}

/// A circuit breaker's parameters (resilience4j's, count-based window).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawBreaker {
    /// Share of failed calls in the window that opens the breaker (> 0 and <= 1, default
    /// 0.5).
    #[serde(default)]
    pub failure_rate: Option<f64>,
    /// Share of slow calls in the window that opens the breaker (> 0 and <= 1, default 1).
    #[serde(default)]
    pub slow_rate: Option<f64>,
    /// A call that takes longer than this is slow (a duration, default 60s).
    #[serde(default)]
    pub slow_call: Option<Duration>,
    /// The last this many calls are judged (a count, default 100).
    #[serde(default)]
    pub window: Option<u32>,
    /// Calls the window must hold before it is judged (a count, default `window`).
    #[serde(default)]
    pub min_calls: Option<u32>,
    /// Time the breaker stays open before it lets trial calls through (a duration,
    /// default 60s).
    #[serde(default)]
    pub wait: Option<Duration>,
    /// Trial calls in half-open (a count, default 10).
    #[serde(default)]
    pub trials: Option<u32>,
}

/// A bulkhead's parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawBulkhead {
    /// Calls in flight at once per instance (a count >= 1).
    pub max: u32,
    /// How long a call may wait for a place before it fails (a duration, default 0s).
    #[serde(default)]
    pub wait: Option<Duration>,
}

/// A connection pool's parameters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// Connections per instance (a count >= 1).
    pub size: u32,
    /// How long a call waits for a connection before it fails (a duration, default 30s).
    #[serde(default)]
    pub timeout: Option<Duration>,
}

/// A hedge's parameters: `delay` or `percentile`, and a budget.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawHedge {
    /// Send the copy this long after the first (a duration).
    #[serde(default)]
    pub delay: Option<Duration>,
    /// Send the copy at this percentile of the callee's recent call times (> 0 and < 100).
    #[serde(default)]
    pub percentile: Option<f64>,
    /// Copies as a share of calls, at most (> 0 and <= 1, default 0.1).
    #[serde(default)]
    pub budget: Option<f64>,
}
