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

use super::units::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub duration: Duration,
    #[serde(default)]
    pub warmup: Option<Duration>,
    #[serde(default)]
    pub window: Option<Duration>,
    pub traffic: RawTraffic,
    #[serde(default)]
    pub network: Option<RawNetwork>,
    pub entry: String,
    pub components: IndexMap<String, RawComponent>,
    #[serde(default)]
    pub faults: Option<Vec<RawFault>>,
    #[serde(default)]
    pub regions: Option<IndexMap<String, RawRegion>>,
    #[serde(default)]
    pub datacenters: Option<IndexMap<String, RawDatacenter>>,
}

/// A user region: its share of the users and its latency to each data center.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub share: f64,
    pub latency: IndexMap<String, RawDist>,
}

/// A data center: its one-way latency to other data centers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatacenter {
    #[serde(default)]
    pub latency: Option<IndexMap<String, RawDist>>,
}

/// One entry of the fault schedule: a time, an optional duration, and one verb.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    #[serde(default)]
    pub at: Option<Duration>,
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    #[serde(default)]
    pub crash: Option<String>,
    #[serde(default)]
    pub slow: Option<String>,
    #[serde(default)]
    pub factor: Option<f64>,
    #[serde(default)]
    pub partition: Option<String>,
    #[serde(default)]
    pub flush: Option<String>,
    #[serde(default)]
    pub fail_primary: Option<String>,
    #[serde(default)]
    pub add_shard: Option<String>,
    #[serde(default)]
    pub random: Option<String>,
    #[serde(default)]
    pub fail_dc: Option<String>,
    #[serde(default)]
    pub mtbf: Option<RawDist>,
    #[serde(default)]
    pub mttr: Option<RawDist>,
    #[serde(default)]
    pub migration: Option<RawMigration>,
}

/// The copy of moved keys after an `add_shard`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMigration {
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub batch: Option<u32>,
    #[serde(default)]
    pub cost: Option<RawDist>,
}

/// Client retries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetries {
    pub max: u32,
    #[serde(default)]
    pub backoff: Option<RawDist>,
    #[serde(default)]
    pub multiplier: Option<f64>,
    #[serde(default)]
    pub jitter: Option<Jitter>,
    #[serde(default)]
    pub on: Option<Vec<String>>,
    #[serde(default)]
    pub budget: Option<f64>,
}

/// Randomising a backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    None,
    Full,
}

/// A load balancer's health checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthCheck {
    pub interval: Duration,
    #[serde(default)]
    pub unhealthy: Option<u32>,
    #[serde(default)]
    pub healthy: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalKind {
    Poisson,
    Closed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    #[serde(default)]
    pub users: Option<u64>,
    #[serde(default)]
    pub arrival: Option<ArrivalKind>,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub profile: Option<Vec<RawProfilePoint>>,
    #[serde(default)]
    pub think: Option<RawDist>,
    #[serde(default)]
    pub timeout: Option<Duration>,
    #[serde(default)]
    pub classes: Option<Vec<RawClass>>,
    #[serde(default)]
    pub retries: Option<RawRetries>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfilePoint {
    pub at: Duration,
    pub rate: f64,
    #[serde(default)]
    pub ramp: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Read,
    Write,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub name: String,
    pub weight: f64,
    /// Static content: enters at the CDN when the scenario has one.
    #[serde(default, rename = "static")]
    pub is_static: Option<bool>,
    /// Needs the user's session.
    #[serde(default)]
    pub session: Option<bool>,
    #[serde(default)]
    pub op: Option<Op>,
    #[serde(default)]
    pub keys: Option<RawKeys>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeys {
    pub n: u64,
    #[serde(default)]
    pub zipf: Option<f64>,
    /// Share of requests that go to key 0, the "celebrity".
    #[serde(default)]
    pub hot: Option<f64>,
}

/// A distribution: a one-key map such as `{exp: 4ms}`.
#[derive(Debug, Clone)]
pub enum RawDist {
    Const(Duration),
    Exp(Duration),
    Uniform(Vec<Duration>),
    Normal(NormalParams),
    LogNormal(LogNormalParams),
    Pareto(ParetoParams),
    Erlang(ErlangParams),
    Empirical(Vec<Duration>),
}

/// The distribution names, as written.
pub const DIST_NAMES: &str = "const, exp, uniform, normal, lognormal, pareto, erlang, empirical";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalParams {
    pub mean: Duration,
    pub sd: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogNormalParams {
    #[serde(default)]
    pub mean: Option<Duration>,
    #[serde(default)]
    pub cv: Option<f64>,
    #[serde(default)]
    pub median: Option<Duration>,
    #[serde(default)]
    pub p99: Option<Duration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoParams {
    pub scale: Duration,
    pub shape: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErlangParams {
    pub k: u32,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    #[serde(default)]
    pub hop: Option<RawDist>,
    #[serde(default)]
    pub links: Option<Vec<RawLink>>,
    #[serde(default)]
    pub connect_timeout: Option<Duration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub from: String,
    pub to: String,
    pub latency: RawDist,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Dns,
    LoadBalancer,
    Server,
    Database,
    Cache,
    Cdn,
    Store,
    Queue,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbPolicy {
    RoundRobin,
    Random,
    LeastConnections,
    PowerOfTwo,
    Hash,
    Sticky,
}

/// How a sharded database maps keys to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShardStrategy {
    HashMod,
    ConsistentHash,
    Range,
}

/// What a sharded database shards by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShardKey {
    Key,
    User,
}

/// Where a replicated database sends reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadFrom {
    Replicas,
    Primary,
    Any,
}

/// Whether a write waits for the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replication {
    Async,
    Sync,
}

/// What a cache does with a write that passes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    Invalidate,
    WriteThrough,
}

/// Where a server keeps user sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    Local,
    Store,
}

/// What happens to a request whose local session is on another instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionLost {
    Relogin,
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
    /// Requests one instance serves at once.
    workers: u32,
    /// Waiting-room places per instance, or `unbounded` (the default).
    queue: QueueCap,
    /// A request's service time (a distribution of durations).
    service: RawDist,
    /// Service time per class name, overriding `service` for those classes.
    service_by_class: IndexMap<String, RawDist>,
    /// Downstream calls, in order: a list of component names, or one list per class.
    calls: RawCalls,
    /// Load balancer policy or cache eviction policy (checked per kind).
    policy: String,
    /// The server group a load balancer spreads requests over.
    to: String,
    /// The time to answer (a distribution of durations): a dns lookup, a balancer's or
    /// queue's overhead, a cache lookup.
    latency: RawDist,
    /// How long an answer or entry stays valid (a duration).
    ttl: Duration,
    /// A database read's service time (a distribution of durations).
    read: RawDist,
    /// A database write's service time (a distribution of durations).
    write: RawDist,
    /// Read replicas of a database (default 0).
    replicas: u32,
    /// Where a database sends reads: replicas, primary or any.
    read_from: ReadFrom,
    /// Time from a write's commit on the primary to a replica (a distribution of durations).
    replication_lag: RawDist,
    /// Whether a write waits for the replicas: async (the default) or sync.
    replication: Replication,
    /// Entries a cache or cdn holds, or messages a queue holds (a count).
    capacity: u64,
    /// The component a cache reads through to on a miss.
    miss: String,
    /// The component a cdn fetches misses from.
    origin: String,
    /// What a cache does with a write: invalidate (the default) or write_through.
    write_policy: WritePolicy,
    /// The read classes a cache keeps, by name.
    cacheable: Vec<String>,
    /// Whether a cache or cdn starts full (default false).
    prefill: bool,
    /// Where a server keeps sessions: local or store.
    session: SessionMode,
    /// The component that holds a server's sessions (`session: store`).
    session_store: String,
    /// Extra service time of a request whose local session was lost (a distribution).
    relogin: RawDist,
    /// What a request whose local session is elsewhere does: relogin or fail.
    session_lost: SessionLost,
    /// A balancer's (or GeoDNS's) health checks: interval and probe thresholds.
    health_check: RawHealthCheck,
    /// Time before a database promotes a replica after its primary fails (a duration).
    failover: Duration,
    /// Shards of a database (default 1).
    shards: u32,
    /// How a sharded database maps keys to shards: hash_mod, consistent_hash or range.
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
    /// A server or worker group's autoscaling rule.
    autoscale: RawAutoscale,
    /// The data center the component stands in (with `datacenters`).
    datacenter: String,
    /// GeoDNS: each data center's entry component (with `datacenters`).
    geo: IndexMap<String, String>,
    /// The data center of each database replica, in order (with `datacenters`).
    replica_datacenters: Vec<String>,
}

/// A server or worker group's autoscaling rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscale {
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
    #[serde(default)]
    pub target: Option<RawScaleTarget>,
    #[serde(default)]
    pub interval: Option<Duration>,
    #[serde(default)]
    pub cooldown: Option<Duration>,
    #[serde(default)]
    pub provision: Option<RawDist>,
    #[serde(default)]
    pub tolerance: Option<f64>,
    #[serde(default)]
    pub scale_in_window: Option<Duration>,
}

/// What an autoscaler keeps at its target: one of them (`backlog_per_instance` for worker
/// groups only, `queue` for server groups only).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScaleTarget {
    #[serde(default)]
    pub utilization: Option<f64>,
    #[serde(default)]
    pub queue: Option<f64>,
    #[serde(default)]
    pub backlog_per_instance: Option<f64>,
}

/// A waiting-room size: a whole number, or `unbounded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCap {
    Bounded(u64),
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
    All(Vec<String>),
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
