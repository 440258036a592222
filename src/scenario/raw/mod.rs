//! The scenario file as serde reads it: the first of two parsing stages.
//!
//! These types mirror the YAML one to one and reject unknown fields. They hold names, not
//! indices, and optional fields stay `Option` so that the second stage (`resolve`) can tell
//! "absent" from "given" and apply the documented defaults — and reject a field given to a
//! component kind it does not apply to.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::units::{Bytes, Duration};

mod costs;
mod defences;
mod dist;
mod faults;

pub use self::costs::{RawInstanceType, RawReliability, RawScaling, RawTransferPrices};
pub use self::faults::{Jitter, RawFault, RawHealthCheck, RawMigration, RawRetries};

pub use self::defences::{
    BucketScope, RawBreaker, RawBulkhead, RawCodel, RawDownstream, RawHedge, RawPool, RawShedding,
    RawTokenBucket,
};
pub use self::dist::{
    DIST_NAMES, ErlangParams, LogNormalParams, NormalParams, ParetoParams, RawDist,
};

/// A scenario file as read: one architecture stage, its traffic, components and faults.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// The scenario's name, shown in reports.
    pub name: String,
    /// What the scenario demonstrates, in a sentence or two (default empty).
    #[serde(default)]
    pub about: Option<String>,
    /// The seed every random stream derives from (default 1).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Simulated time to run (a duration).
    pub duration: Duration,
    /// Requests that start before this are left out of the statistics (a duration, default 0s).
    #[serde(default)]
    pub warmup: Option<Duration>,
    /// Length of a time-series window (a duration).
    #[serde(default)]
    pub window: Option<Duration>,
    /// Who sends requests, how many and which classes.
    pub traffic: RawTraffic,
    /// Latency of the hops between components (default: every hop {const: 100us}).
    #[serde(default)]
    pub network: Option<RawNetwork>,
    /// The component dynamic requests enter (after DNS).
    pub entry: String,
    /// The components, by name, in file order.
    pub components: IndexMap<String, RawComponent>,
    /// The fault schedule, in file order (none by default).
    #[serde(default)]
    pub faults: Option<Vec<RawFault>>,
    /// User regions, by name (with `datacenters`; none by default).
    #[serde(default)]
    pub regions: Option<IndexMap<String, RawRegion>>,
    /// Data centers, by name, with their latencies to each other (none by default: one
    /// site).
    #[serde(default)]
    pub datacenters: Option<IndexMap<String, RawDatacenter>>,
    /// Instance types, by name, added to the shipped price table (or replacing its entries).
    #[serde(default)]
    pub prices: Option<IndexMap<String, RawInstanceType>>,
    /// Per-GB prices of data transfer, replacing the shipped ones it gives.
    #[serde(default)]
    pub transfer_prices: Option<RawTransferPrices>,
}

/// A user region: its share of the users and its latency to each data center.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    /// Share of the users in this region (a weight; shares are normalised).
    pub share: f64,
    /// One-way latency from the region to each data center, by name (distributions of durations).
    pub latency: IndexMap<String, RawDist>,
}

/// A data center: its one-way latency to other data centers.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawDatacenter {
    /// One-way latency to other data centers, by name (distributions of durations; symmetric).
    #[serde(default)]
    pub latency: Option<IndexMap<String, RawDist>>,
}

/// How users send requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArrivalKind {
    /// Open arrivals at a rate (or a rate profile).
    Poisson,
    /// A fixed population of users, each waiting `think` between requests.
    Closed,
}

/// The `traffic` section.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// Distinct user ids (a count).
    #[serde(default)]
    pub users: Option<u64>,
    /// poisson (the default) or closed.
    #[serde(default)]
    pub arrival: Option<ArrivalKind>,
    /// Requests per second (open arrivals; this or `profile`).
    #[serde(default)]
    pub rate: Option<f64>,
    /// A rate that changes over time, instead of `rate`.
    #[serde(default)]
    pub profile: Option<Vec<RawProfilePoint>>,
    /// A closed user's wait between requests (a distribution of durations).
    #[serde(default)]
    pub think: Option<RawDist>,
    /// The client gives up on a request after this (a duration; none by default: no
    /// timeout).
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// The request classes; one class `default` when left out.
    #[serde(default)]
    pub classes: Option<Vec<RawClass>>,
    /// Client retries (none when left out).
    #[serde(default)]
    pub retries: Option<RawRetries>,
}

/// One point of a rate profile.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawProfilePoint {
    /// When the rate applies (a duration from the start).
    pub at: Duration,
    /// Requests per second from then on.
    pub rate: f64,
    /// Time to ramp linearly from the previous rate (a duration; a step when left out).
    #[serde(default)]
    pub ramp: Option<Duration>,
}

/// What a request does to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A read.
    Read,
    /// A write.
    Write,
}

/// A request class.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    /// The class's name, as calls and caches refer to it.
    pub name: String,
    /// Share of the requests (a weight; weights are normalised).
    pub weight: f64,
    /// Static content: enters at the CDN when the scenario has one.
    #[serde(default, rename = "static")]
    pub is_static: Option<bool>,
    /// Needs the user's session.
    #[serde(default)]
    pub session: Option<bool>,
    /// read or write (default: write for a class named `write`, read otherwise).
    #[serde(default)]
    pub op: Option<Op>,
    /// The keys the class's requests touch (uniform over the key space when left out).
    #[serde(default)]
    pub keys: Option<RawKeys>,
    /// Goodput counts a completed request within this long of its start (a duration;
    /// default: `traffic.timeout`).
    #[serde(default)]
    pub deadline: Option<Duration>,
    /// Bytes a request moves: a read's response, a write's payload (a byte size; none by
    /// default: no priced bytes).
    #[serde(default)]
    pub size: Option<Bytes>,
}

/// A class's key popularity.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawKeys {
    /// Distinct keys (a count).
    pub n: u64,
    /// Zipf exponent of key popularity (uniform when left out).
    #[serde(default)]
    pub zipf: Option<f64>,
    /// Share of requests that go to key 0, the "celebrity".
    #[serde(default)]
    pub hot: Option<f64>,
}

/// The `network` section.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// Latency of every hop without a link of its own (a distribution of durations).
    #[serde(default)]
    pub hop: Option<RawDist>,
    /// Hops with latencies of their own (none by default).
    #[serde(default)]
    pub links: Option<Vec<RawLink>>,
    /// How long a connection into a partition takes to fail (a duration).
    #[serde(default)]
    pub connect_timeout: Option<Duration>,
}

/// A hop with its own latency.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    /// The calling component, or `client`.
    pub from: String,
    /// The called component.
    pub to: String,
    /// The hop's latency (a distribution of durations).
    pub latency: RawDist,
}

/// A component's kind, as written in `kind:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Name resolution.
    Dns,
    /// A load balancer over a server group.
    LoadBalancer,
    /// A server group.
    Server,
    /// A database (replicated, sharded).
    Database,
    /// A read-through cache.
    Cache,
    /// A content delivery network for static classes.
    Cdn,
    /// A key-value store.
    Store,
    /// A message queue.
    Queue,
    /// A worker group that consumes a queue.
    Worker,
}

impl Kind {
    /// Every kind, in the order the reference lists them.
    pub const ALL: [Kind; 9] = [
        Kind::Dns,
        Kind::LoadBalancer,
        Kind::Server,
        Kind::Database,
        Kind::Cache,
        Kind::Cdn,
        Kind::Store,
        Kind::Queue,
        Kind::Worker,
    ];

    /// The kind written `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// "a server", "an ...": the kind in a sentence.
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Dns => "a dns",
            Kind::LoadBalancer => "a load_balancer",
            Kind::Server => "a server",
            Kind::Database => "a database",
            Kind::Cache => "a cache",
            Kind::Cdn => "a cdn",
            Kind::Store => "a store",
            Kind::Queue => "a queue",
            Kind::Worker => "a worker",
        }
    }

    /// The kind as written: `load_balancer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dns => "dns",
            Kind::LoadBalancer => "load_balancer",
            Kind::Server => "server",
            Kind::Database => "database",
            Kind::Cache => "cache",
            Kind::Cdn => "cdn",
            Kind::Store => "store",
            Kind::Queue => "queue",
            Kind::Worker => "worker",
        }
    }
}

/// How a load balancer picks an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LbPolicy {
    /// Each instance in turn.
    RoundRobin,
    /// An instance at random.
    Random,
    /// The instance with the fewest requests in flight.
    LeastConnections,
    /// The less busy of two instances drawn at random.
    PowerOfTwo,
    /// By a hash of the user id.
    Hash,
    /// The user's instance while it lives (sessions stay put).
    Sticky,
}

/// How a sharded database maps keys to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShardStrategy {
    /// Key hash modulo the shard count.
    HashMod,
    /// A consistent-hash ring with `vnodes` points per shard.
    ConsistentHash,
    /// Contiguous key ranges.
    Range,
}

/// What a sharded database shards by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShardKey {
    /// The request's key.
    Key,
    /// The user id.
    User,
}

/// Where a replicated database sends reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadFrom {
    /// The replicas (the primary without any).
    Replicas,
    /// The primary.
    Primary,
    /// Any node, primary or replica.
    Any,
}

/// Whether a write waits for the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Replication {
    /// The write returns once the primary has it.
    Async,
    /// The write waits for every replica.
    Sync,
}

/// What a cache does with a write that passes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// A write removes the key from the cache.
    Invalidate,
    /// A write updates the cache on its way.
    WriteThrough,
}

/// Where a server keeps user sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    /// In the server instance's memory.
    Local,
    /// In a shared store (`session_store`).
    Store,
}

/// What happens to a request whose local session is on another instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionLost {
    /// The user logs in again (`relogin` extra service time).
    Relogin,
    /// The request fails.
    Fail,
}

/// Declares [`RawComponent`] from one list of its optional keys: the struct (each key an
/// `Option`, absent when not given), [`RawComponent::FIELDS`] and
/// [`RawComponent::given_fields`]. A key is written once, here; each kind's file in
/// `kinds/` lists the ones it accepts, and a test holds the two together.
macro_rules! raw_component {
    ($($(#[doc = $doc:literal])+ $field:ident: $ty:ty,)+) => {
        /// Every component kind's keys in one flat struct; the kinds table (`kinds/`) says
        /// which apply to which kind.
        #[derive(Debug, Clone, Deserialize)]
        #[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "cli", schemars(transform = crate::scenario::schema::component_keys))]
        #[serde(deny_unknown_fields)]
        pub struct RawComponent {
            /// The component's kind: dns, load_balancer, server, database, cache, cdn,
            /// store, queue or worker.
            pub kind: Kind,
            $($(#[doc = $doc])+ #[serde(default)] pub $field: Option<$ty>,)+
        }

        impl RawComponent {
            /// Every optional key, by its YAML name, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The optional keys that were given, by their YAML names.
            pub fn given_fields(&self) -> Vec<&'static str> {
                let mut v = Vec::new();
                $(if self.$field.is_some() {
                    v.push(stringify!($field));
                })+
                v
            }
        }
    };
}

raw_component! {
    /// Identical instances of a server or worker group (default 1, or `autoscale.min`).
    count: u32,
    /// Requests one instance serves at once (a count; required for servers and workers).
    workers: u32,
    /// Waiting-room places per instance, or `unbounded` (the default).
    queue: QueueCap,
    /// A request's service time (a distribution of durations).
    service: RawDist,
    /// Service time per class name, overriding `service` for those classes (none by default).
    service_by_class: IndexMap<String, RawDist>,
    /// Downstream calls, in order: a list of component names, or one list per class (none
    /// by default).
    calls: RawCalls,
    /// Load balancer policy (round_robin, the default; random, least_connections,
    /// power_of_two, hash, sticky) or cache and cdn eviction policy (lru, the default; lfu,
    /// fifo, random).
    policy: String,
    /// The server group a load balancer spreads requests over.
    to: String,
    /// The time to answer (a distribution of durations): a dns lookup, a balancer's or
    /// queue's overhead (default {const: 0s}), a cache lookup.
    latency: RawDist,
    /// How long an answer or entry stays valid (a duration; default 300s for a dns, none
    /// for a cache or cdn: entries never expire).
    ttl: Duration,
    /// A database read's service time (a distribution of durations).
    read: RawDist,
    /// A database write's service time (a distribution of durations).
    write: RawDist,
    /// Read replicas of a database (default 0).
    replicas: u32,
    /// Where a database sends reads: replicas, primary or any (default replicas when it
    /// has replicas, else primary).
    read_from: ReadFrom,
    /// Time from a write's commit on the primary to a replica (a distribution of durations).
    replication_lag: RawDist,
    /// Whether a write waits for the replicas: async (the default) or sync.
    replication: Replication,
    /// Entries a cache or cdn holds, or messages a queue holds (a count; no limit on a
    /// queue by default).
    capacity: u64,
    /// The component a cache reads through to on a miss.
    miss: String,
    /// The component a cdn fetches misses from.
    origin: String,
    /// What a cache does with a write: invalidate (the default) or write_through.
    write_policy: WritePolicy,
    /// The read classes a cache keeps, by name (default every read class that is not
    /// static).
    cacheable: Vec<String>,
    /// Whether a cache or cdn starts full (default false).
    prefill: bool,
    /// Where a server keeps sessions: local or store (none by default: no sessions).
    session: SessionMode,
    /// The component that holds a server's sessions (`session: store`).
    session_store: String,
    /// Extra service time of a request whose local session was lost (a distribution).
    relogin: RawDist,
    /// What a request whose local session is elsewhere does: relogin (the default) or fail.
    session_lost: SessionLost,
    /// A balancer's (or GeoDNS's) health checks: interval and probe thresholds (none by
    /// default; a GeoDNS checks every 10s).
    health_check: RawHealthCheck,
    /// Time before a database promotes a replica after its primary fails (a duration; none
    /// by default: no promotion).
    failover: Duration,
    /// Shards of a database (default 1).
    shards: u32,
    /// How a sharded database maps keys to shards: hash_mod (the default),
    /// consistent_hash or range.
    strategy: ShardStrategy,
    /// What a sharded database shards by: key (the default) or user.
    shard_key: ShardKey,
    /// Points per shard on a consistent-hash ring (default 100).
    vnodes: u32,
    /// The worker group that takes a queue's messages.
    consumers: String,
    /// Time a delivered message stays hidden before it is delivered again (a duration).
    visibility_timeout: Duration,
    /// Deliveries of a message before a queue drops it (a count).
    max_attempts: u32,
    /// A server or worker group's autoscaling rule (none by default: a fixed count).
    autoscale: RawAutoscale,
    /// A server's token bucket per instance, for every class without its own (none by
    /// default).
    rate_limit: RawTokenBucket,
    /// A server's token bucket per instance for these classes, by class name.
    rate_limit_by_class: IndexMap<String, RawTokenBucket>,
    /// Requests one server instance holds at once, at most: waiting, served or calling (a
    /// count; no limit by default).
    concurrency_limit: u32,
    /// Load shedding in a server's waiting room (none by default).
    shedding: RawShedding,
    /// A server's defences per callee, by the callee's name.
    downstream: IndexMap<String, RawDownstream>,
    /// The data center the component stands in (with `datacenters`, where every kind but
    /// dns and cdn needs it).
    datacenter: String,
    /// The instance type a group's instances (or a database's nodes, a cache, a store)
    /// run on, by name: what they cost (none by default: not priced).
    instance: String,
    /// How capacity follows the instance type's vCPUs: the type `workers` and service
    /// times are written for, and the Universal Scalability Law's coefficients.
    scaling: RawScaling,
    /// How often one instance (or database node) fails and how long its repair takes, for
    /// the analytic availability.
    reliability: RawReliability,
    /// GeoDNS: each data center's entry component (with `datacenters`; none by default: no
    /// geographic routing).
    geo: IndexMap<String, String>,
    /// The data center of each database replica, in order (with `datacenters`; default
    /// the database's own).
    replica_datacenters: Vec<String>,
}

/// A server or worker group's autoscaling rule.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawAutoscale {
    /// Fewest instances (a count; default the group's `count`).
    #[serde(default)]
    pub min: Option<u32>,
    /// Most instances (a count).
    #[serde(default)]
    pub max: Option<u32>,
    /// What the scaler keeps at its target.
    #[serde(default)]
    pub target: Option<RawScaleTarget>,
    /// Time between evaluations (a duration).
    #[serde(default)]
    pub interval: Option<Duration>,
    /// Least time between two scaling actions (a duration).
    #[serde(default)]
    pub cooldown: Option<Duration>,
    /// Time a new instance takes to start (a distribution of durations).
    #[serde(default)]
    pub provision: Option<RawDist>,
    /// Deviation from the target that is tolerated (a fraction, >= 0 and < 1).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// How long the load must stay low before scaling in (a duration).
    #[serde(default)]
    pub scale_in_window: Option<Duration>,
}

/// What an autoscaler keeps at its target: one of them (`backlog_per_instance` for worker
/// groups only, `queue` for server groups only).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawScaleTarget {
    /// Busy fraction of the workers (> 0 and <= 1).
    #[serde(default)]
    pub utilization: Option<f64>,
    /// Waiting requests per instance (server groups).
    #[serde(default)]
    pub queue: Option<f64>,
    /// Jobs waiting in the queue per instance (worker groups).
    #[serde(default)]
    pub backlog_per_instance: Option<f64>,
}

/// A waiting-room size: a whole number, or `unbounded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCap {
    /// At most this many places.
    Bounded(u64),
    /// No bound.
    Unbounded,
}

impl<'de> Deserialize<'de> for QueueCap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = QueueCap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number >= 0 or `unbounded`")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<QueueCap, E> {
                Ok(QueueCap::Bounded(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<QueueCap, E> {
                Err(E::custom(format!(
                    "expected a whole number >= 0 or `unbounded`, found {v}"
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<QueueCap, E> {
                Err(E::custom(format!(
                    "expected a whole number >= 0 or `unbounded`, found {v}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<QueueCap, E> {
                if v == "unbounded" {
                    Ok(QueueCap::Unbounded)
                } else {
                    Err(E::custom(format!(
                        "expected a whole number >= 0 or `unbounded`, found `{v}`"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Downstream calls: a list (every class makes them) or a map from class name to a list.
#[derive(Debug, Clone)]
pub enum RawCalls {
    /// Every class makes these calls.
    All(Vec<String>),
    /// Each class its own calls, by class name.
    ByClass(IndexMap<String, Vec<String>>),
}

impl<'de> Deserialize<'de> for RawCalls {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCalls;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of component names, or a map from class name to such a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawCalls, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(RawCalls::All(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCalls, A::Error> {
                let mut m = IndexMap::new();
                while let Some((k, v)) = map.next_entry::<String, Vec<String>>()? {
                    m.insert(k, v);
                }
                Ok(RawCalls::ByClass(m))
            }
        }
        d.deserialize_any(V)
    }
}
