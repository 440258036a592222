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

/// Every component kind's fields in one flat struct; `resolve` checks which apply.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub kind: Kind,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub workers: Option<u32>,
    #[serde(default)]
    pub queue: Option<QueueCap>,
    #[serde(default)]
    pub service: Option<RawDist>,
    #[serde(default)]
    pub service_by_class: Option<IndexMap<String, RawDist>>,
    #[serde(default)]
    pub calls: Option<RawCalls>,
    /// Load balancer policy or cache eviction policy (checked per kind).
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub latency: Option<RawDist>,
    #[serde(default)]
    pub ttl: Option<Duration>,
    #[serde(default)]
    pub read: Option<RawDist>,
    #[serde(default)]
    pub write: Option<RawDist>,
    #[serde(default)]
    pub replicas: Option<u32>,
    #[serde(default)]
    pub read_from: Option<ReadFrom>,
    #[serde(default)]
    pub replication_lag: Option<RawDist>,
    #[serde(default)]
    pub replication: Option<Replication>,
    #[serde(default)]
    pub capacity: Option<u64>,
    #[serde(default)]
    pub miss: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub write_policy: Option<WritePolicy>,
    #[serde(default)]
    pub cacheable: Option<Vec<String>>,
    #[serde(default)]
    pub prefill: Option<bool>,
    #[serde(default)]
    pub session: Option<SessionMode>,
    #[serde(default)]
    pub session_store: Option<String>,
    #[serde(default)]
    pub relogin: Option<RawDist>,
    #[serde(default)]
    pub session_lost: Option<SessionLost>,
    #[serde(default)]
    pub health_check: Option<RawHealthCheck>,
    #[serde(default)]
    pub failover: Option<Duration>,
    #[serde(default)]
    pub shards: Option<u32>,
    #[serde(default)]
    pub strategy: Option<ShardStrategy>,
    #[serde(default)]
    pub shard_key: Option<ShardKey>,
    #[serde(default)]
    pub vnodes: Option<u32>,
    #[serde(default)]
    pub consumers: Option<String>,
    #[serde(default)]
    pub visibility_timeout: Option<Duration>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub autoscale: Option<RawAutoscale>,
    #[serde(default)]
    pub datacenter: Option<String>,
    #[serde(default)]
    pub geo: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub replica_datacenters: Option<Vec<String>>,
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

impl RawComponent {
    /// The optional fields that were given, by their YAML names.
    pub fn given_fields(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut add = |given: bool, name: &'static str| {
            if given {
                v.push(name);
            }
        };
        add(self.count.is_some(), "count");
        add(self.workers.is_some(), "workers");
        add(self.queue.is_some(), "queue");
        add(self.service.is_some(), "service");
        add(self.service_by_class.is_some(), "service_by_class");
        add(self.calls.is_some(), "calls");
        add(self.policy.is_some(), "policy");
        add(self.to.is_some(), "to");
        add(self.latency.is_some(), "latency");
        add(self.ttl.is_some(), "ttl");
        add(self.read.is_some(), "read");
        add(self.write.is_some(), "write");
        add(self.replicas.is_some(), "replicas");
        add(self.read_from.is_some(), "read_from");
        add(self.replication_lag.is_some(), "replication_lag");
        add(self.replication.is_some(), "replication");
        add(self.capacity.is_some(), "capacity");
        add(self.miss.is_some(), "miss");
        add(self.origin.is_some(), "origin");
        add(self.write_policy.is_some(), "write_policy");
        add(self.cacheable.is_some(), "cacheable");
        add(self.prefill.is_some(), "prefill");
        add(self.session.is_some(), "session");
        add(self.session_store.is_some(), "session_store");
        add(self.relogin.is_some(), "relogin");
        add(self.session_lost.is_some(), "session_lost");
        add(self.health_check.is_some(), "health_check");
        add(self.failover.is_some(), "failover");
        add(self.shards.is_some(), "shards");
        add(self.strategy.is_some(), "strategy");
        add(self.shard_key.is_some(), "shard_key");
        add(self.vnodes.is_some(), "vnodes");
        add(self.consumers.is_some(), "consumers");
        add(self.visibility_timeout.is_some(), "visibility_timeout");
        add(self.max_attempts.is_some(), "max_attempts");
        add(self.autoscale.is_some(), "autoscale");
        add(self.datacenter.is_some(), "datacenter");
        add(self.geo.is_some(), "geo");
        add(self.replica_datacenters.is_some(), "replica_datacenters");
        v
    }
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
