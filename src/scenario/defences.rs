//! A server group's overload defences, resolved: admission control (token buckets and a
//! concurrency limit per instance), load shedding in its waiting room, and per callee a
//! circuit breaker, a bulkhead or connection pool, and hedged calls. Every part is
//! optional; a server without them runs exactly as before.

use super::CompId;

/// A server group's defences (the default: none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defences {
    /// The token bucket (per instance) of every class without its own.
    pub rate_limit: Option<TokenBucket>,
    /// Per class (index = class): its own token bucket, per instance. Empty when no class
    /// has one.
    pub rate_limit_by_class: Vec<Option<TokenBucket>>,
    /// Requests one instance holds at once, at most (waiting, served or calling).
    pub concurrency_limit: Option<u32>,
    /// Load shedding in the waiting room.
    pub shedding: Option<Shedding>,
    /// Per callee: its defences.
    pub downstream: Vec<Downstream>,
}

impl Defences {
    /// Whether any defence is on.
    pub fn any(&self) -> bool {
        *self != Defences::default()
    }

    /// Whether requests are admitted by a token bucket or a concurrency limit.
    pub fn admission(&self) -> bool {
        self.rate_limit.is_some()
            || self.rate_limit_by_class.iter().any(Option::is_some)
            || self.concurrency_limit.is_some()
    }

    /// The defences on calls to `to`, if any.
    pub fn to(&self, to: CompId) -> Option<&Downstream> {
        self.downstream.iter().find(|d| d.to == to)
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` saved; a request takes one or
/// is turned away (`rate_limited`). Each instance has its own, or the group shares one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenBucket {
    /// Tokens per second.
    pub rate: f64,
    /// Most tokens held (the bucket starts full).
    pub burst: u32,
    /// One bucket for the whole group (`per: group`) rather than one per instance.
    pub per_group: bool,
}

/// Load shedding in a server's waiting room: checked when a worker takes the next request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shedding {
    /// Drop a request that waited longer than this, ns (`shed_deadline`).
    pub deadline: Option<u64>,
    /// CoDel's target and interval (`shed_codel`).
    pub codel: Option<Codel>,
    /// Serve newest first while more than this many wait.
    pub lifo: Option<u64>,
}

/// CoDel (RFC 8289) on a waiting room.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Codel {
    /// The waiting time it keeps the queue at, ns.
    pub target: u64,
    /// How long the waiting time must stay above the target before it drops, ns.
    pub interval: u64,
}

/// The defences on the calls from a server to one callee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Downstream {
    /// The callee.
    pub to: CompId,
    /// A circuit breaker per caller instance.
    pub breaker: Option<Breaker>,
    /// A bulkhead or connection pool per caller instance.
    pub limit: Option<CallLimit>,
    /// Hedged calls.
    pub hedge: Option<Hedge>,
}

/// A circuit breaker: closed, open (calls fail fast, `breaker_open`), half-open (a few
/// trial calls decide), judged on a count-based window of the last calls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breaker {
    /// Share of failed calls that opens it.
    pub failure_rate: f64,
    /// Share of slow calls that opens it.
    pub slow_rate: f64,
    /// A call longer than this is slow, ns.
    pub slow_call: u64,
    /// Calls in the window.
    pub window: u32,
    /// Calls the window must hold before it is judged.
    pub min_calls: u32,
    /// Time open before trials, ns.
    pub wait: u64,
    /// Trial calls in half-open.
    pub trials: u32,
}

/// A cap on the calls in flight from one caller instance to one callee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallLimit {
    /// Bulkhead or connection pool (they differ in defaults and in the cause they report).
    pub kind: LimitKind,
    /// Calls in flight at once.
    pub size: u32,
    /// How long a call may wait for a place, ns (0: fail at once).
    pub wait: u64,
}

/// What a [`CallLimit`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// A bulkhead: a call that finds (or waits out) no place fails with `bulkhead_full`.
    Bulkhead,
    /// A connection pool: a call that waits out its timeout fails with `pool_timeout`.
    Pool,
}

/// Hedged calls: a second copy after a delay, to another instance; the first answer wins.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hedge {
    /// When the copy goes out.
    pub delay: HedgeDelay,
    /// Copies as a share of calls, at most.
    pub budget: f64,
}

/// When a hedge's copy goes out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HedgeDelay {
    /// After this many ns.
    Fixed(u64),
    /// At this percentile (0..100) of the callee's recent call times.
    Percentile(f64),
}
