//! The scenario language: YAML in, a validated [`Scenario`] out.
//!
//! Parsing has two stages. [`raw`] is what serde reads (unknown fields rejected, names not
//! yet resolved); [`resolve`] turns it into the types below — names resolved to indices,
//! documented defaults filled in, cross-field rules checked (every `to:` exists, weights are
//! positive, the call graph has no cycle). Every problem found is reported, each with file,
//! line, column and field path. Nothing here panics on any input and nothing does I/O: the
//! caller reads the file and passes its text.

pub mod de;
pub mod defences;
pub mod error;
pub(crate) mod kinds;
pub mod locate;
pub mod memory;
pub mod overrides;
pub mod path;
pub mod prices;
pub mod raw;
pub mod reliability;
pub mod resolve;
#[cfg(feature = "cli")]
pub mod schema;
pub mod units;
pub mod words;
pub mod yaml;

pub use defences::{
    Breaker, CallLimit, Codel, Defences, Downstream, Hedge, HedgeDelay, LimitKind, Shedding,
    TokenBucket,
};
pub use error::{Problem, ScenarioError};
pub use overrides::Override;
pub use prices::{
    BYTES_PER_GB, HOURS_PER_MONTH, InstanceType, PRICES_SOURCE, Scaling, TRANSFER_PRICES_SOURCE,
    TransferPrices, VerticalScale,
};
pub use raw::{LbPolicy, Op, ReadFrom, ShardKey, ShardStrategy, WritePolicy};
pub use reliability::{Reliability, ReliabilityKey};

use crate::engine::{Dist, SimTime};

/// Index of a component in [`Scenario::components`].
pub type CompId = usize;

/// A validated scenario, ready to build a model from.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's name, shown in reports.
    pub name: String,
    /// What it demonstrates (empty when not given).
    pub about: String,
    /// The seed every random stream derives from.
    pub seed: u64,
    /// Simulated time to run.
    pub duration: SimTime,
    /// Requests that start before this are left out of the statistics.
    pub warmup: SimTime,
    /// Length of a time-series window.
    pub window: SimTime,
    /// Who sends requests, how many, which classes.
    pub traffic: Traffic,
    /// Hop latencies between components.
    pub network: Network,
    /// Where dynamic requests enter.
    pub entry: CompId,
    /// The CDN that static classes enter at, if the scenario has one.
    pub cdn: Option<CompId>,
    /// Every component, by [`CompId`].
    pub components: Vec<Component>,
    /// The fault schedule, in file order.
    pub faults: Vec<Fault>,
    /// The instance types components may name: the shipped table with the scenario's own
    /// `prices` added (or replacing entries of the same name).
    pub prices: Vec<InstanceType>,
    /// The per-GB prices of data transfer: the shipped ones, with the scenario's
    /// `transfer_prices` in their place where it gives them.
    pub transfer_prices: TransferPrices,
    /// Where users are (empty: no regions; every user is the same distance from everything).
    pub regions: Vec<Region>,
    /// Data centers, by index (empty: one undivided site, as before stage 08).
    pub datacenters: Vec<String>,
    /// One-way latency between data centers, `a * datacenters.len() + b`; `None` on the
    /// diagonal. Symmetric.
    pub dc_latency: Vec<Option<Dist>>,
}

/// A user region: a share of the users and the one-way latency from them to each data center.
#[derive(Clone, Debug)]
pub struct Region {
    /// The region's name.
    pub name: String,
    /// Share of the users, normalised to sum to 1 over the regions.
    pub share: f64,
    /// Per data center (index = data center).
    pub latency: Vec<Dist>,
}

/// GeoDNS: which entry component answers for each data center, and how DNS checks them.
#[derive(Clone, Debug)]
pub struct GeoDns {
    /// Per data center (index = data center): its entry component, if DNS routes there.
    pub entries: Vec<Option<CompId>>,
    /// DNS probes each data center's entry every `interval`.
    pub health: HealthCheck,
}

/// What a fault acts on: a whole component, or one instance (`web#2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The component.
    pub comp: CompId,
    /// One instance of it (`web#2`); `None`: all of it.
    pub instance: Option<u32>,
}

/// One scheduled fault.
#[derive(Clone, Debug)]
pub struct Fault {
    /// When it starts.
    pub at: SimTime,
    /// When it ends; `None`: it lasts to the end of the run.
    pub until: Option<SimTime>,
    /// What it does.
    pub action: FaultAction,
    /// As written, for reports: `crash web#2`.
    pub label: String,
}

/// What a fault does.
#[derive(Clone, Debug)]
pub enum FaultAction {
    /// The target stops: requests inside fail, new ones are refused.
    Crash(Target),
    /// Service times are multiplied by the factor (a gray failure).
    Slow(Target, f64),
    /// New connections to the target fail as unreachable after the connect timeout.
    Partition(Target),
    /// A cache or CDN loses its contents (at `at`; it has no duration).
    Flush(CompId),
    /// A database's primary crashes (every shard's); a replica is promoted after the
    /// database's `failover`.
    FailPrimary(CompId),
    /// A sharded database gains a shard: keys move as the strategy dictates, at once, or
    /// copied in the background when a migration is given.
    AddShard(CompId, Option<Migration>),
    /// Every component (and database node) placed in the data center crashes; all recover
    /// at the end.
    FailDc(usize),
    /// Each instance of the target fails and recovers at random (up-times from `mtbf`,
    /// down-times from `mttr`) between `at` and `until`.
    Random {
        /// The instances it fails.
        target: Target,
        /// Up-times between failures.
        mtbf: Dist,
        /// Repair times.
        mttr: Dist,
    },
}

/// The background copy of the keys an `add_shard` moves.
#[derive(Clone, Debug)]
pub struct Migration {
    /// Keys copied per second at most (the copy's throttle).
    pub rate_per_s: f64,
    /// Keys per copy batch.
    pub batch: u32,
    /// Service time per key copied, on the source primary (read) and again on the target
    /// primary (write).
    pub cost: Dist,
}

impl Migration {
    /// Default throttle, keys per second.
    pub const RATE_PER_S: f64 = 1000.0;
    /// Default batch size, keys.
    pub const BATCH: u32 = 100;
    /// Default cost per key, ns.
    pub const COST_NS: u64 = 100_000;
}

/// Client retries of failed requests.
#[derive(Clone, Debug, PartialEq)]
pub struct Retries {
    /// Retries after the first attempt.
    pub max: u32,
    /// Wait before retry n (1-based): a draw times `multiplier^(n-1)`.
    pub backoff: Dist,
    /// Factor the backoff grows by with each further retry.
    pub multiplier: f64,
    /// Full jitter: the wait is uniform between zero and the computed backoff.
    pub jitter: bool,
    /// The failure causes that are retried.
    pub on: Vec<String>,
    /// At most this many retries per first attempt, on average (a token bucket); `None`:
    /// no budget.
    pub budget: Option<f64>,
}

/// A load balancer's health checks: every `interval` it probes each backend; `unhealthy`
/// failed probes in a row take a backend out of rotation, `healthy` good ones bring it back.
#[derive(Clone, Copy, Debug)]
pub struct HealthCheck {
    /// Time between probes.
    pub interval: SimTime,
    /// Failed probes in a row that mark a target down.
    pub unhealthy: u32,
    /// Good probes in a row that mark it up again.
    pub healthy: u32,
}

/// Every failure cause a request can end with, as reported.
pub const FAILURE_CAUSES: [&str; 14] = [
    "queue_full",
    "timeout",
    "session_lost",
    "connection_refused",
    "crashed",
    "unreachable",
    "no_healthy_backend",
    "rate_limited",
    "concurrency_limited",
    "shed_deadline",
    "shed_codel",
    "breaker_open",
    "bulkhead_full",
    "pool_timeout",
];

/// The causes retried when `retries.on` is not given: every cause a later attempt can
/// escape, that is [`FAILURE_CAUSES`] but `session_lost` (a lost session fails the same way
/// again).
pub const DEFAULT_RETRY_ON: [&str; FAILURE_CAUSES.len() - 1] = {
    let mut out = [""; FAILURE_CAUSES.len() - 1];
    let (mut i, mut j) = (0, 0);
    while i < FAILURE_CAUSES.len() {
        if i != SESSION_LOST {
            out[j] = FAILURE_CAUSES[i];
            j += 1;
        }
        i += 1;
    }
    out
};

/// `session_lost`'s place in [`FAILURE_CAUSES`].
const SESSION_LOST: usize = 2;

/// Who sends requests, how often, and what they ask for.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    /// Distinct user ids, `0..users`.
    pub users: u64,
    /// How requests arrive.
    pub arrival: Arrival,
    /// The client gives up on a request after this long.
    pub timeout: Option<SimTime>,
    /// At least one; weights are normalised to sum to 1.
    pub classes: Vec<Class>,
    /// Client retries; `None`: a failed request is not retried.
    pub retries: Option<Retries>,
}

/// The arrival process.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Open Poisson arrivals whose rate follows a profile.
    Open(RateProfile),
    /// `users` users, each sending one request, waiting for its outcome, then thinking.
    Closed {
        /// Each user's wait between a request's outcome and the next request.
        think: Dist,
    },
}

/// A piecewise-linear rate over time, requests per second. Before the first point the
/// rate is the first point's; after the last, the last's.
#[derive(Clone, Debug, PartialEq)]
pub struct RateProfile {
    /// The points, in time order.
    pub points: Vec<RatePoint>,
}

/// From `at`, the rate moves linearly from the previous rate to `rate` over `ramp`
/// (a step when `ramp` is zero), then holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatePoint {
    /// When the point applies.
    pub at: SimTime,
    /// The rate from then on, requests per second.
    pub rate_per_s: f64,
    /// Time to ramp linearly from the previous rate (zero: a step).
    pub ramp: SimTime,
}

impl RateProfile {
    /// A constant rate.
    pub fn constant(rate_per_s: f64) -> Self {
        RateProfile {
            points: vec![RatePoint {
                at: SimTime::ZERO,
                rate_per_s,
                ramp: SimTime::ZERO,
            }],
        }
    }
}

/// A request class.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// The class's name.
    pub name: String,
    /// Share of requests, normalised.
    pub weight: f64,
    /// Whether its requests read or write.
    pub op: Op,
    /// The keys its requests touch.
    pub keys: Keys,
    /// Share of this class's requests that go to key 0 (a celebrity), 0 for none.
    pub hot: f64,
    /// Static content: enters at the CDN when there is one.
    pub is_static: bool,
    /// Needs the user's session.
    pub session: bool,
    /// A request of this class counts toward goodput when it completes within this long of
    /// its start: the class's `deadline`, else the client's `traffic.timeout`; `None`: every
    /// completed request counts.
    pub deadline: Option<SimTime>,
    /// Bytes a request of this class moves (a read's response, a write's payload): what data
    /// transfer is priced on; 0 when the class gives no `size`.
    pub size: u64,
}

/// Which data key a request touches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Keys {
    /// The user's own id is the key.
    User,
    /// Uniform over `0..n`.
    Uniform {
        /// Distinct keys.
        n: u64,
    },
    /// Zipf over `0..n` with exponent `s`; key 0 is the most popular.
    Zipf {
        /// Distinct keys.
        n: u64,
        /// The Zipf exponent.
        s: f64,
    },
}

/// One named component.
#[derive(Clone, Debug)]
pub struct Component {
    /// Its name, as the scenario writes it.
    pub name: String,
    /// Its kind, with its resolved parameters.
    pub kind: ComponentKind,
    /// The data center it stands in (`None`: no data centers, or a global kind: dns, cdn).
    pub datacenter: Option<usize>,
    /// The instance type it runs on ([`Scenario::prices`] index), if it names one.
    pub instance: Option<usize>,
    /// What its instance type did to its workers and service times, when the type has
    /// other vCPUs than the reference they are written for.
    pub scale: Option<VerticalScale>,
    /// Its `reliability`, as written (each figure `None` when left out; the kind's default
    /// is [`Reliability::default_for`]). `None` when the component has no such key.
    pub reliability: Option<ReliabilityKey>,
}

/// What a component is, with its resolved parameters.
#[derive(Clone, Debug)]
pub enum ComponentKind {
    /// Name resolution: clients look the entry up here when their cached answer expired.
    Dns {
        /// A lookup's duration.
        latency: Dist,
        /// How long a client keeps an answer.
        ttl: SimTime,
        /// Geographic routing: users resolve to the nearest healthy data center.
        geo: Option<GeoDns>,
    },
    /// Spreads requests over the instances of a server group.
    LoadBalancer {
        /// How it picks an instance.
        policy: LbPolicy,
        /// The server group it balances over.
        to: CompId,
        /// Its own processing time per request.
        latency: Dist,
        /// `None`: no health checks; a dead backend keeps getting requests.
        health: Option<HealthCheck>,
    },
    /// `count` identical instances, each with `workers` and a waiting room of `queue`.
    Server {
        /// Starting instances.
        count: u32,
        /// Requests one instance serves at once.
        workers: u32,
        /// `None`: unbounded.
        queue: Option<u64>,
        /// Service time per class (index = class).
        service: Vec<Dist>,
        /// Downstream calls per class, in order.
        calls: Vec<Vec<CompId>>,
        /// Where sessions live; `None`: the server keeps none.
        sessions: Option<Sessions>,
        /// `None`: a fixed group of `count` instances.
        autoscale: Option<Autoscale>,
        /// Admission, shedding and per-callee defences (default: none).
        defences: Defences,
    },
    /// A primary and `replicas` read replicas, each node with `workers` and a waiting room.
    Database {
        /// Requests one node serves at once.
        workers: u32,
        /// Waiting-room places per node; `None`: unbounded.
        queue: Option<u64>,
        /// A read's service time.
        read: Dist,
        /// A write's service time.
        write: Dist,
        /// Read replicas per shard.
        replicas: u32,
        /// Where reads go.
        read_from: ReadFrom,
        /// Time from a write's commit on the primary to its application on a replica.
        lag: Option<Dist>,
        /// Writes wait until every replica applied them.
        sync: bool,
        /// Time from the primary's failure to a replica's promotion; `None`: no automatic
        /// failover.
        failover: Option<SimTime>,
        /// Sharding: the number of shards at the start (1: not sharded), each a primary
        /// with its own replicas.
        shards: u32,
        /// How keys map to shards.
        strategy: ShardStrategy,
        /// What it shards by.
        shard_key: ShardKey,
        /// Points per shard on the consistent-hash ring.
        vnodes: u32,
        /// Per replica: its data center (empty: every replica in the database's own).
        replica_dcs: Vec<usize>,
    },
    /// A key-level read-through cache in front of `miss`.
    Cache {
        /// Capacity, eviction, expiry and lookup latency.
        cache: CacheSpec,
        /// Where misses are read through to.
        miss: CompId,
        /// What a write passing through does.
        write_policy: WritePolicy,
        /// Per class: are its reads answered from the cache?
        cacheable: Vec<bool>,
    },
    /// An edge cache for static classes, fetching misses from `origin`.
    Cdn {
        /// Capacity, eviction, expiry and lookup latency.
        cache: CacheSpec,
        /// Where misses are fetched from.
        origin: CompId,
    },
    /// A message queue: publishing is a call that returns once the message is stored;
    /// `consumers` take messages as their workers free up.
    Queue {
        /// Messages waiting, at most; `None`: unbounded.
        capacity: Option<u64>,
        /// Time to store a message and acknowledge the publisher.
        latency: Dist,
        /// The worker group that consumes.
        consumers: CompId,
        /// A delivered message not acknowledged in this time is delivered again.
        visibility_timeout: SimTime,
        /// Deliveries before a message is dead-lettered.
        max_attempts: u32,
    },
    /// Consumers of a queue: like a server group, but fed by the queue instead of callers.
    Worker {
        /// Starting instances.
        count: u32,
        /// Jobs one instance serves at once.
        workers: u32,
        /// Service time per class (the class of the request that published the job).
        service: Vec<Dist>,
        /// Downstream calls per class, in order.
        calls: Vec<Vec<CompId>>,
        /// Its autoscaling rule, if any.
        autoscale: Option<Autoscale>,
    },
    /// A key-value store (sessions): a station with one service distribution.
    Store {
        /// Requests served at once.
        workers: u32,
        /// Waiting-room places; `None`: unbounded.
        queue: Option<u64>,
        /// Service time per request.
        service: Dist,
    },
}

/// A server or worker group's autoscaling rule (the Kubernetes HPA rule): every `interval`,
/// the desired count is `ceil(active * metric / target)`, or `active` when `metric / target`
/// is within `tolerance` of 1, clamped to `[min, max]`.
#[derive(Clone, Debug)]
pub struct Autoscale {
    /// Fewest instances.
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// What it keeps at its target.
    pub target: ScaleTarget,
    /// Evaluation period.
    pub interval: SimTime,
    /// Minimum time between two scaling actions.
    pub cooldown: SimTime,
    /// Time from a scale-out decision to a new instance taking traffic.
    pub provision: Dist,
    /// No action while `|metric / target - 1| <= tolerance` (a fraction, >= 0 and < 1).
    pub tolerance: f64,
    /// Scale-in uses the highest desired count of the evaluations within this window
    /// (`0s`: this evaluation's alone); scale-out is unaffected.
    pub scale_in_window: SimTime,
}

/// The metric an autoscaler holds at its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScaleTarget {
    /// Busy workers / (workers x serving instances), over the last interval.
    Utilization(f64),
    /// Time-average waiting requests per serving instance, over the last interval.
    Queue(f64),
    /// Time-average jobs waiting in the consumed queue per active instance, over the last
    /// interval (worker groups).
    Backlog(f64),
}

/// The store behind a cache or a CDN edge.
#[derive(Clone, Debug)]
pub struct CacheSpec {
    /// Entries (keys).
    pub capacity: u64,
    /// How entries are evicted when it is full.
    pub policy: EvictionPolicy,
    /// Entry lifetime; `None`: entries never expire.
    pub ttl: Option<SimTime>,
    /// Time to answer a lookup (hit or miss).
    pub latency: Dist,
    /// Start warm: filled with the most popular keys.
    pub prefill: bool,
}

/// Which resident entry makes room for a new one when a cache is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionPolicy {
    /// Least recently used (a hit or a refresh counts as a use).
    Lru,
    /// Least frequently used among residents; least recently used among ties.
    Lfu,
    /// Oldest insertion; hits and refreshes do not reorder.
    Fifo,
    /// A uniformly random resident entry.
    Random,
}

/// Where a server keeps its users' sessions.
#[derive(Clone, Debug)]
pub enum Sessions {
    /// In the instance that created them; a user routed elsewhere loses theirs and pays
    /// `relogin` (or fails, when `relogin` is `None`).
    Local {
        /// Extra service time when the session was lost; `None`: the request fails.
        relogin: Option<Dist>,
    },
    /// In a shared store, read on every session request (the store is prepended to the calls
    /// of session classes).
    Store(CompId),
}

impl ComponentKind {
    /// Instances the model allocates: a server group's `count` (its autoscaling `max` when
    /// it autoscales), a worker group's likewise; 1 for every other kind.
    pub fn allocated_instances(&self) -> u32 {
        match self {
            ComponentKind::Server {
                count, autoscale, ..
            }
            | ComponentKind::Worker {
                count, autoscale, ..
            } => autoscale.as_ref().map_or(*count, |a| a.max.max(*count)),
            _ => 1,
        }
    }

    /// The kind's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The kind, without its parameters.
    pub fn kind(&self) -> raw::Kind {
        match self {
            ComponentKind::Dns { .. } => raw::Kind::Dns,
            ComponentKind::LoadBalancer { .. } => raw::Kind::LoadBalancer,
            ComponentKind::Server { .. } => raw::Kind::Server,
            ComponentKind::Database { .. } => raw::Kind::Database,
            ComponentKind::Cache { .. } => raw::Kind::Cache,
            ComponentKind::Cdn { .. } => raw::Kind::Cdn,
            ComponentKind::Store { .. } => raw::Kind::Store,
            ComponentKind::Queue { .. } => raw::Kind::Queue,
            ComponentKind::Worker { .. } => raw::Kind::Worker,
        }
    }
}

/// Network latency between components.
#[derive(Clone, Debug)]
pub struct Network {
    /// Every hop without a link of its own.
    pub hop: Dist,
    /// Hops with latencies of their own.
    pub links: Vec<Link>,
    /// How long a connection attempt into a partition takes to fail.
    pub connect_timeout: SimTime,
}

/// A hop with its own latency. `from: None` is the client.
#[derive(Clone, Debug)]
pub struct Link {
    /// The caller; `None`: the client.
    pub from: Option<CompId>,
    /// The callee.
    pub to: CompId,
    /// The hop's latency.
    pub latency: Dist,
}

/// The default hop latency inside one data center (one way).
pub const DEFAULT_HOP: SimTime = SimTime::from_micros(100);
/// The default autoscaling evaluation period.
pub const DEFAULT_SCALE_INTERVAL: SimTime = SimTime::from_secs(15);
/// The default minimum time between two scaling actions.
pub const DEFAULT_SCALE_COOLDOWN: SimTime = SimTime::from_secs(60);
/// The default autoscaling tolerance band: none, so that the rule is the plain
/// `ceil(active * metric / target)` (Kubernetes' own default is 0.1).
pub const DEFAULT_SCALE_TOLERANCE: f64 = 0.0;
/// The default scale-in stabilization window: none, so that a scale-in acts on the
/// evaluation's own desired count (Kubernetes' own default is 300 s).
pub const DEFAULT_SCALE_IN_WINDOW: SimTime = SimTime::ZERO;
/// The most evaluations a scale-in window may span (`scale_in_window / interval`).
pub const MAX_SCALE_IN_EVALS: u64 = 100_000;
/// The most instances of a server or worker group.
pub const MAX_INSTANCES: u32 = 10_000;
/// The default visibility timeout of a queue.
pub const DEFAULT_VISIBILITY_TIMEOUT: SimTime = SimTime::from_secs(30);
/// The default number of deliveries before a message is dead-lettered.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The default time a connection attempt into a partition takes to fail.
pub const DEFAULT_CONNECT_TIMEOUT: SimTime = SimTime::from_secs(1);
/// The default interval of GeoDNS health checks.
pub const DEFAULT_DNS_HEALTH_INTERVAL: SimTime = SimTime::from_secs(10);
/// The most regions, and the most data centers, a scenario may declare.
pub const MAX_GEO: usize = 64;
/// The default DNS answer lifetime.
pub const DEFAULT_DNS_TTL: SimTime = SimTime::from_secs(300);
/// The default number of distinct users.
pub const DEFAULT_USERS: u64 = 10_000;
/// The default seed.
pub const DEFAULT_SEED: u64 = 1;
/// The default time-series window.
pub const DEFAULT_WINDOW: SimTime = SimTime::from_secs(1);
/// The largest key space (`keys.n`, or `users` when keys are user ids).
pub const MAX_KEYS: u64 = 100_000_000;
/// The most closed-loop users (`traffic.users` with `arrival: closed`): each one has a
/// wake-up pending from the start and may have a request in flight.
pub const MAX_CLOSED_USERS: u64 = 1_000_000;
/// The most requests a run may hold at once: client requests, retry attempts and queue
/// jobs, waiting, in service or in transit (about 530 bytes each). A run that needs more
/// stops with a [`crate::model::RunError`]: its system is overloaded and nothing turns
/// requests away.
pub const MAX_IN_FLIGHT: usize = 1_000_000;
/// The most events a run may hold pending at once (24 bytes each): client deadlines,
/// visibility timeouts and replica applies stay pending for their whole delay. A run that
/// needs more stops with a [`crate::model::RunError`] naming them.
pub const MAX_PENDING_EVENTS: usize = 10_000_000;
/// The highest arrival rate, requests per second (`traffic.rate`, a profile point's
/// `rate`): one request every 100 ns on average. Above about 10^9 per second arrivals would
/// share the same nanosecond and simulated time would stop advancing.
pub const MAX_RATE: f64 = 10_000_000.0;
/// The shortest period of a recurring check (`autoscale.interval`, `health_check.interval`).
pub const MIN_INTERVAL: SimTime = SimTime::from_millis(1);
/// The deepest chain of components a request may travel through (client included).
pub const MAX_DEPTH: usize = 12;
/// The most request classes (`traffic.classes`). Each class has its own latency histogram
/// (about 300 KB, see [`crate::metrics::LatencyHist`]) and a slot in every per-class table.
pub const MAX_CLASSES: usize = 256;
/// The most components (`components`). Each has its own latency histogram (about 300 KB),
/// counters and a column in every time-series row.
pub const MAX_COMPONENTS: usize = 256;
/// The most time-series windows in a run (`duration / window`).
pub const MAX_WINDOWS: u64 = 1_000_000;
/// The most memory the model may size from a scenario before it runs, bytes: the sum of
/// [`memory::estimate`] (histograms, instances, database versions, caches, per-user tables,
/// closed users' wake-ups, the time series). A scenario that needs more is refused at
/// validation, naming its largest part.
pub const MAX_MEMORY: u64 = 1_000_000_000;
/// The largest scenario file, bytes. Readers stop at this size plus one and report the
/// limit instead of reading on (a scenario is a few kilobytes; `/dev/zero` is endless).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

impl Scenario {
    /// Parses and validates scenario text. `source` names the file in messages; `overrides`
    /// are `--set path=value` assignments applied before validation.
    pub fn parse(
        text: &str,
        source: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        resolve::parse(text, source, overrides)
    }

    /// Keys are `0..key_space()`: the largest `keys.n` of any class, or the users.
    pub fn key_space(&self) -> u64 {
        self.traffic
            .classes
            .iter()
            .map(|c| match c.keys {
                Keys::User => self.traffic.users,
                Keys::Uniform { n } | Keys::Zipf { n, .. } => n,
            })
            .max()
            .unwrap_or(1)
    }

    /// Index of the data center called `name`.
    pub fn datacenter(&self, name: &str) -> Option<usize> {
        self.datacenters.iter().position(|d| d == name)
    }

    /// The GeoDNS configuration, if the scenario's dns has one.
    pub fn geo_dns(&self) -> Option<&GeoDns> {
        self.components.iter().find_map(|c| match &c.kind {
            ComponentKind::Dns { geo, .. } => geo.as_ref(),
            _ => None,
        })
    }

    /// Index of the component called `name`.
    pub fn component(&self, name: &str) -> Option<CompId> {
        self.components.iter().position(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_but_a_lost_session_is_retried_by_default() {
        assert_eq!(FAILURE_CAUSES[SESSION_LOST], "session_lost");
        let expected: Vec<&str> = FAILURE_CAUSES
            .into_iter()
            .filter(|c| *c != "session_lost")
            .collect();
        assert_eq!(DEFAULT_RETRY_ON.to_vec(), expected);
    }
}
