//! The model: components built from a [`Scenario`], driven by the engine's event queue.
//!
//! Components are flattened at build time into *nodes* (one per instance: `web#0..web#3`, a
//! database's primary and each replica, each balancer, each cache) and node 0, the client.
//! Every name is resolved to an index then; while running, an event is a `Copy` value
//! `(kind, node, request, aux)` and a request is a slab index. Nothing is allocated or
//! looked up by name per event.
//!
//! Flow of a request: the client creates it (after a DNS lookup when the user's cached
//! answer has expired) and sends it to the entry component — or, for a static class, to the
//! CDN. A balancer forwards it to one instance; a server instance queues it, serves it
//! (holding a worker), then makes its downstream calls in order, still holding the worker,
//! and replies when the last call returns; a database node serves it and replies; a cache
//! answers a hit itself and reads a miss through to its backing component, filling itself
//! from the reply. Replies retrace the call stack. A failure (a full queue, a lost session)
//! travels back the same way and ends the request with its cause.
//!
//! Data is tracked per key: each database keeps the version of every key on its primary and
//! on each replica, so a read that a replica serves before it applied the latest write of
//! that key is counted as a stale read, and a cache entry filled from such a read (or left
//! in place by a write that bypassed the cache) is counted as a stale hit.
//!
//! Ordering: events pop in `(time, sequence)` order. A message sent with zero delay goes to
//! a FIFO lane that is drained before the next timed event, so it is handled at the same
//! instant, in the order sent. The run processes events with time strictly below the
//! duration; when [`Model::run`] returns, the clock stands at the duration.

mod autoscale;
pub mod cache_store;
pub mod client;
mod faults;
mod geo;
pub mod load_balancer;
mod migration;
mod overload;
mod queue;
pub mod request;
pub mod shard;
pub mod station;
mod summary;
mod trace;

use std::collections::VecDeque;

use crate::engine::random::{component_stream, stream};
use crate::engine::{Dist, EventQueue, SimTime, Stream};
use crate::metrics::{LatencyHist, Report, ScaleEvent, WindowRow};
use crate::scenario::{
    Arrival, CacheSpec, ComponentKind, Fault, Keys, Op, ReadFrom, Scenario, Sessions, WritePolicy,
};

use autoscale::{NO_SCALER, Scaler};
use cache_store::{KeyCache, Lookup};
use client::Client;
use faults::{RETRY_TOKENS_MAX, RetryPolicy};
use geo::Geo;
use load_balancer::Balancer;
use migration::{Copier, MIG_BIT, MigRun};
pub use overload::{RunError, RunLimit};
pub use request::Cause;
use request::{Frame, NO_DC, Slab};
use shard::ShardRouter;
use station::{Admit, Areas, Station};

/// Node 0 is the client.
const CLIENT: u32 = 0;

/// Cache frame steps: what to do with the reply.
const PASS: u32 = 0;
const FILL: u32 = 1;
const WRITE_THROUGH: u32 = 2;
const INVALIDATE: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum EvKind {
    /// The open traffic source fires.
    Arrival,
    /// A closed-loop user (in `req`) finished thinking.
    UserWake,
    /// A DNS lookup finished.
    DnsDone,
    /// A request arrives at a node.
    Deliver,
    /// A node finished serving a request.
    ServiceDone,
    /// A reply arrives back at a node.
    Reply,
    /// A client deadline; `aux` holds the request generation.
    Timeout,
    /// A replica applies a write: `node` the replica, `req` the key, `aux` the version.
    Apply,
    /// Every replica acknowledged a synchronous write: the primary replies.
    SyncAck,
    /// A refused or unreachable connection reports back: `node` the component, `aux` the cause.
    Refuse,
    /// A scheduled fault starts (`node` = fault index) or ends.
    FaultStart,
    FaultEnd,
    /// A random fault takes node `req` down, or brings it back (`node` = fault index).
    RandomDown,
    RandomUp,
    /// Balancer `node` probes its backends.
    HealthTick,
    /// GeoDNS probes each data center's entry.
    DnsHealth,
    /// Database `node` promotes a replica (if its term is still `tag`).
    Promote,
    /// A retry attempt `req` leaves the client.
    RetryFire,
    /// Queue node `node`: job `req` (generation `aux`) was not acknowledged in time.
    VisTimeout,
    /// Scaler `node` evaluates its group.
    ScaleTick,
    /// Scaler `node`: instance `req` of its group finished provisioning.
    ScaleReady,
    /// Migration copier `node` starts its next batch.
    MigrateBatch,
    /// A time-series window ends.
    Tick,
    /// Warm-up ends: statistics start.
    Warmup,
}

#[derive(Clone, Copy, Debug)]
struct Ev {
    kind: EvKind,
    /// A small extra: a database term.
    tag: u16,
    node: u32,
    req: u32,
    aux: u32,
}

impl Ev {
    #[inline]
    fn new(kind: EvKind, node: u32, req: u32) -> Ev {
        Ev {
            kind,
            tag: 0,
            node,
            req,
            aux: 0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum NodeKind {
    Client,
    Balancer(u32),
    Station(u32),
    Cache(u32),
    Queue(u32),
}

#[derive(Clone, Copy, Debug)]
struct Node {
    comp: u32,
    kind: NodeKind,
}

#[derive(Debug)]
enum Role {
    Dns,
    Balancer {
        to: u32,
        latency: Dist,
    },
    Server {
        service: Vec<Dist>,
        calls: Vec<(u32, u32)>,
        local: Option<LocalSessions>,
    },
    /// Shards are `dbs[db..db + shards]`, routed by `routers[router]`.
    Database {
        db: u32,
        router: u32,
    },
    Cache {
        cache: u32,
        miss: u32,
        write_policy: WritePolicy,
        cacheable: Vec<bool>,
    },
    Cdn {
        cache: u32,
        origin: u32,
    },
    Store {
        service: Dist,
    },
    Queue {
        q: u32,
    },
}

/// Sessions kept inside server instances.
#[derive(Debug)]
struct LocalSessions {
    /// `None`: a lost session fails the request.
    relogin: Option<Dist>,
    /// Per user: the instance holding their session, + 1 (0: none).
    home: Vec<u16>,
}

/// A database's replication state.
#[derive(Debug)]
pub(super) struct Db {
    /// The component this replica set belongs to.
    comp: u32,
    /// Time in node of this shard's requests (after warm-up).
    hist: LatencyHist,
    read: Dist,
    write: Dist,
    read_from: ReadFrom,
    lag: Option<Dist>,
    sync: bool,
    failover: Option<u64>,
    keys: usize,
    first_node: u32,
    /// Nodes: the primary and its replicas (offsets from `first_node`).
    n_nodes: u32,
    /// Which node is the primary now (it moves on promotion).
    primary: u32,
    /// The replication term: bumped on promotion; applies from an older term are dropped.
    term: u16,
    /// Version of each key on each node: `node * keys + key`. The primary's row holds the
    /// committed versions.
    ver: Vec<u32>,
    /// Latest version of each key whose write was acknowledged (committed, and with
    /// synchronous replication applied everywhere). A read older than this is stale.
    acked: Vec<u32>,
    /// When each node applies its latest write (replicas apply in commit order).
    last_apply: Vec<u64>,
    /// Writes each node has applied (picks the most up-to-date replica to promote).
    applied_count: Vec<u64>,
    rng: Stream,
    rr: u32,
    lag_hist: LatencyHist,
    lost_writes: u64,
    promotions: u64,
    /// Requests failed by this shard's nodes after warm-up (refused while down, or lost
    /// in a crash).
    failed: u64,
    /// When the shard came into use, ns: 0, or the time of the `add_shard` that adds it
    /// (at or after the end: never). Its nodes count in capacity from then.
    born: u64,
}

impl Db {
    /// How long the shard is in use within `[a, b]`, ns.
    fn exists_during(&self, a: u64, b: u64) -> u64 {
        b.saturating_sub(a.max(self.born))
    }
}

/// A cache or CDN edge.
#[derive(Debug)]
struct CacheNode {
    store: KeyCache,
    ttl: Option<u64>,
    latency: Dist,
    rng: Stream,
    /// The database component whose acknowledged versions tell whether a hit is stale.
    backing_db: Option<u32>,
    class_hits: Vec<u64>,
    class_lookups: Vec<u64>,
}

/// A message queue and its consumers.
#[derive(Debug)]
struct QueueNode {
    /// Jobs waiting for a consumer, oldest first.
    ready: VecDeque<u32>,
    capacity: u64,
    latency: Dist,
    rng: Stream,
    /// The queue's own component (resolved when the model is built).
    comp: u32,
    consumers: u32,
    /// Per consumer instance: jobs handed to it and not yet back.
    assigned: Vec<u32>,
    rr: u32,
    visibility: u64,
    max_attempts: u32,
    backlog_area: u128,
    backlog_last: u64,
    backlog_max: u64,
}

/// Counters of a component, cumulative from time zero (the report subtracts the warm-up
/// snapshot).
#[derive(Clone, Copy, Debug, Default)]
struct Ctr {
    arrivals: u64,
    hits: u64,
    misses: u64,
    stale_hits: u64,
    evictions: u64,
    expirations: u64,
    invalidations: u64,
    reads: u64,
    writes: u64,
    stale_reads: u64,
    sessions_lost: u64,
    sessions_created: u64,
    published: u64,
    dropped: u64,
    delivered: u64,
    redelivered: u64,
    duplicates: u64,
    acked: u64,
    dead_lettered: u64,
    reshards: u64,
    keys_moved: u64,
    /// Keys copied by migrations, and the time (ns) finished migrations took.
    migration_keys: u64,
    migration_ns: u64,
}

#[derive(Debug)]
struct Comp {
    name: String,
    kind: &'static str,
    first_node: u32,
    n_nodes: u32,
    /// Workers per node (0 for kinds without workers).
    workers: u32,
    role: Role,
    /// Round-robin pointer for callers without a balancer.
    rr: u32,
    /// The instances callers without a balancer rotate over (offsets from `first_node`):
    /// all of them, or an autoscaled group's active ones.
    rot: Vec<u32>,
    ctr: Ctr,
    /// Time in component of replies sent after warm-up.
    hist: LatencyHist,
    /// Sum (ns) and count of the times in component of every reply, warm-up included
    /// (the time series takes differences per window).
    lat_sum: u64,
    lat_n: u64,
    /// Requests this component failed, warm-up included (the time series' `errors`).
    failed: u64,
    /// Requests inside the component (balancers and caches; stations keep their own).
    open: u32,
    open_area: u128,
    open_last: u64,
}

#[derive(Debug, Default)]
struct ClassAcc {
    offered: u64,
    completed: u64,
    failed: u64,
    hist: LatencyHist,
}

#[derive(Debug)]
struct Window {
    len: u64,
    start: u64,
    offered: u64,
    completed: u64,
    failed: u64,
    hist: LatencyHist,
    busy_snap: Vec<u128>,
    /// Per component: the cumulative figures at the start of the window.
    comp_snap: Vec<CompSnap>,
    rows: Vec<WindowRow>,
    /// Per data center: attempts that entered it in this window.
    entered: Vec<u64>,
}

/// Cumulative per-component figures; a window's row is the difference of two of these.
#[derive(Clone, Copy, Debug, Default)]
struct CompSnap {
    arrivals: u64,
    failed: u64,
    lat_sum: u64,
    lat_n: u64,
    /// Waiting requests x ns, summed over the stations; for a queue, its backlog area.
    queue_area: u128,
    hits: u64,
    lookups: u64,
}

/// Snapshot at the end of warm-up.
#[derive(Debug, Default, Clone)]
struct WarmSnap {
    stations: Vec<Areas>,
    ctr: Vec<Ctr>,
    open_area: Vec<u128>,
    class_hits: Vec<Vec<u64>>,
    class_lookups: Vec<Vec<u64>>,
    backlog_area: Vec<u128>,
}

/// A built model, ready to run once.
pub struct Model {
    now: u64,
    /// The end of the run; moved to `now` when a run-time bound stops it (`stopped`).
    end: u64,
    /// Why the run stopped early, if a run-time bound did (see `overload.rs`).
    stopped: Option<RunError>,
    warmup: u64,
    queue: EventQueue<Ev>,
    lane: VecDeque<Ev>,
    reqs: Slab,
    nodes: Vec<Node>,
    comps: Vec<Comp>,
    stations: Vec<Station>,
    lbs: Vec<Balancer>,
    dbs: Vec<Db>,
    caches: Vec<CacheNode>,
    queues: Vec<QueueNode>,
    routers: Vec<ShardRouter>,
    /// Resharding migrations: their copiers, and one run per migrating `add_shard`.
    copiers: Vec<Copier>,
    migs: Vec<MigRun>,
    // Tracing.
    trace_p: f64,
    trace_rng: Stream,
    traces: Vec<trace::RawTrace>,
    /// Per node: the replica set (`dbs` index) it belongs to, or `u32::MAX`.
    node_db: Vec<u32>,
    /// Per component: the queue a worker group consumes from.
    feeds: Vec<Option<u32>>,
    calls: Vec<u32>,
    op_write: Vec<bool>,
    class_session: Vec<bool>,
    /// Where each class enters: the entry, or the CDN for static classes.
    class_entry: Vec<u32>,
    /// The entry component (static classes fall back to it when the CDN is down).
    entry: u32,
    // Faults.
    faults: Vec<Fault>,
    /// Per node: up, crash epoch, behind a partition.
    node_up: Vec<bool>,
    node_epoch: Vec<u32>,
    node_part: Vec<bool>,
    connect_timeout: u64,
    /// Per node: when a balancer's health checks took it out of rotation (fault reports).
    detected: Vec<Option<u64>>,
    /// Per database component: when its last promotion happened.
    promoted_at: Vec<Option<u64>>,
    fault_rngs: Vec<Stream>,
    // Autoscaling.
    scalers: Vec<Scaler>,
    /// Per component and per node: its scaler, or `NO_SCALER`.
    comp_scaler: Vec<u32>,
    node_scaler: Vec<u32>,
    /// Per node of an autoscaled group: requests sent to it and not yet delivered.
    inbound: Vec<u32>,
    scale_events: Vec<ScaleEvent>,
    // Retries.
    retries: Option<RetryPolicy>,
    retry_tokens: f64,
    retried: u64,
    /// Per fault: the nodes a `fail_primary` took down.
    fault_node: Vec<Vec<u32>>,
    random_failures: u64,
    client: Client,
    /// Hop latency table: row = caller (0 client, c+1 component c), column = callee.
    hop_idx: Vec<u16>,
    hops: Vec<Dist>,
    n_comps: usize,
    net_rng: Stream,
    /// Regions, data centers and GeoDNS (empty without data centers).
    geo: Geo,
    // Measurements.
    events: u64,
    offered: u64,
    completed: u64,
    failed: u64,
    attempts: u64,
    dns_lookups: u64,
    errors: [u64; Cause::COUNT],
    /// Failed requests by the component that failed them (last row: the client, for timeouts).
    errors_by_comp: Vec<[u64; Cause::COUNT]>,
    hist: LatencyHist,
    classes: Vec<ClassAcc>,
    window: Window,
    warm: WarmSnap,
    scenario_name: String,
    about: String,
    seed: u64,
    class_names: Vec<String>,
}

impl Model {
    /// Builds the model for `sc`. Allocates everything the run needs up front.
    pub fn new(sc: &Scenario) -> Model {
        let mut nodes = vec![Node {
            comp: u32::MAX,
            kind: NodeKind::Client,
        }];
        let mut comps = Vec::with_capacity(sc.components.len());
        let mut stations = Vec::new();
        let mut lbs = Vec::new();
        let mut dbs = Vec::new();
        let mut caches = Vec::new();
        let mut queues: Vec<QueueNode> = Vec::new();
        let mut routers: Vec<ShardRouter> = Vec::new();
        let mut node_db: Vec<u32> = Vec::new();
        // Per node: its replica number within a database shard (`u32::MAX`: not a replica).
        let mut node_replica: Vec<u32> = Vec::new();
        let mut feeds = vec![None; sc.components.len()];
        let mut calls = Vec::new();
        let n_classes = sc.traffic.classes.len();
        let key_space = sc.key_space();
        let users = sc.traffic.users;
        for (ci, c) in sc.components.iter().enumerate() {
            let first_node = nodes.len() as u32;
            let mut add_station =
                |nodes: &mut Vec<Node>, workers: u32, queue: Option<u64>, name: &str| {
                    let s = stations.len() as u32;
                    stations.push(Station::new(
                        workers,
                        queue,
                        component_stream(sc.seed, name),
                    ));
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Station(s),
                    });
                };
            let (n_nodes, workers, role) = match &c.kind {
                ComponentKind::Dns { .. } => (0, 0, Role::Dns),
                ComponentKind::LoadBalancer {
                    policy,
                    to,
                    latency,
                    health,
                } => {
                    let target = &sc.components[*to].kind;
                    let (backends, active) = match target {
                        ComponentKind::Server { count, .. } => {
                            (target.allocated_instances() as usize, *count as usize)
                        }
                        _ => (1, 1),
                    };
                    let lb = lbs.len() as u32;
                    lbs.push(Balancer::new(
                        *policy,
                        backends,
                        active,
                        users,
                        *health,
                        component_stream(sc.seed, &c.name),
                    ));
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Balancer(lb),
                    });
                    (
                        1,
                        0,
                        Role::Balancer {
                            to: *to as u32,
                            latency: latency.clone(),
                        },
                    )
                }
                ComponentKind::Server {
                    workers,
                    queue,
                    service,
                    calls: cc,
                    sessions,
                    ..
                } => {
                    // An autoscaled group has all of its `max` instances from the start.
                    let allocated = c.kind.allocated_instances();
                    for i in 0..allocated {
                        add_station(&mut nodes, *workers, *queue, &format!("{}#{i}", c.name));
                    }
                    let mut ranges = Vec::with_capacity(n_classes);
                    for list in cc {
                        ranges.push((calls.len() as u32, list.len() as u32));
                        calls.extend(list.iter().map(|&t| t as u32));
                    }
                    let local = match sessions {
                        Some(Sessions::Local { relogin }) => Some(LocalSessions {
                            relogin: relogin.clone(),
                            home: vec![0; users as usize],
                        }),
                        _ => None,
                    };
                    (
                        allocated,
                        *workers,
                        Role::Server {
                            service: service.clone(),
                            calls: ranges,
                            local,
                        },
                    )
                }
                ComponentKind::Database {
                    workers,
                    queue,
                    read,
                    write,
                    replicas,
                    read_from,
                    lag,
                    sync,
                    failover,
                    shards,
                    strategy,
                    shard_key,
                    vnodes,
                    ..
                } => {
                    // Shards added during the run are allocated now, idle until added.
                    // They are added in the order their faults fire: by time, then file
                    // order (a stable sort).
                    let mut adds: Vec<u64> = sc
                        .faults
                        .iter()
                        .filter(|f| matches!(f.action, crate::scenario::FaultAction::AddShard(d, _) if d == ci))
                        .map(|f| f.at.as_nanos())
                        .collect();
                    adds.sort();
                    let added = adds.len() as u32;
                    let total = shards + added;
                    let keys = key_space as usize;
                    let first_db = dbs.len() as u32;
                    let n = 1 + *replicas as usize;
                    for s in 0..total {
                        // Unsharded databases keep their plain names (and random streams).
                        let base = if total == 1 {
                            c.name.clone()
                        } else {
                            format!("{}#shard{s}", c.name)
                        };
                        let shard_first = nodes.len() as u32;
                        add_station(&mut nodes, *workers, *queue, &base);
                        for j in 0..*replicas {
                            add_station(
                                &mut nodes,
                                *workers,
                                *queue,
                                &format!("{base}#replica{j}"),
                            );
                            node_replica.resize(nodes.len(), u32::MAX);
                            node_replica[nodes.len() - 1] = j;
                        }
                        for k in 0..n as u32 {
                            node_db.resize(nodes.len(), u32::MAX);
                            node_db[(shard_first + k) as usize] = first_db + s;
                        }
                        dbs.push(Db {
                            comp: ci as u32,
                            hist: LatencyHist::new(),
                            read: read.clone(),
                            write: write.clone(),
                            read_from: *read_from,
                            lag: lag.clone(),
                            sync: *sync,
                            failover: failover.map(SimTime::as_nanos),
                            keys,
                            first_node: shard_first,
                            n_nodes: n as u32,
                            primary: 0,
                            term: 0,
                            ver: vec![0; keys * n],
                            acked: vec![0; keys],
                            last_apply: vec![0; n],
                            applied_count: vec![0; n],
                            rng: component_stream(sc.seed, &format!("{base}#replication")),
                            rr: 0,
                            lag_hist: LatencyHist::new(),
                            lost_writes: 0,
                            promotions: 0,
                            failed: 0,
                            born: match s.checked_sub(*shards) {
                                None => 0,
                                Some(k) => adds[k as usize],
                            },
                        });
                    }
                    let router = routers.len() as u32;
                    // Sharding by user spreads user ids; by key, the key space.
                    let space = match shard_key {
                        crate::scenario::ShardKey::User => users,
                        crate::scenario::ShardKey::Key => key_space,
                    };
                    routers.push(ShardRouter::new(
                        *strategy, *shard_key, *shards, space, *vnodes,
                    ));
                    (
                        total * n as u32,
                        *workers,
                        Role::Database {
                            db: first_db,
                            router,
                        },
                    )
                }
                ComponentKind::Cache {
                    cache,
                    miss,
                    write_policy,
                    cacheable,
                } => {
                    let ix = caches.len() as u32;
                    caches.push(Self::cache_node(sc, &c.name, cache, key_space, |k| {
                        cacheable[k]
                    }));
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Cache(ix),
                    });
                    let role = Role::Cache {
                        cache: ix,
                        miss: *miss as u32,
                        write_policy: *write_policy,
                        cacheable: cacheable.clone(),
                    };
                    (1, 0, role)
                }
                ComponentKind::Cdn { cache, origin } => {
                    let ix = caches.len() as u32;
                    caches.push(Self::cache_node(sc, &c.name, cache, key_space, |k| {
                        sc.traffic.classes[k].is_static
                    }));
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Cache(ix),
                    });
                    (
                        1,
                        0,
                        Role::Cdn {
                            cache: ix,
                            origin: *origin as u32,
                        },
                    )
                }
                ComponentKind::Store {
                    workers,
                    queue,
                    service,
                } => {
                    add_station(&mut nodes, *workers, *queue, &c.name);
                    (
                        1,
                        *workers,
                        Role::Store {
                            service: service.clone(),
                        },
                    )
                }
                ComponentKind::Worker {
                    workers,
                    service,
                    calls: cc,
                    ..
                } => {
                    // An autoscaled group has all of its `max` instances from the start.
                    let allocated = c.kind.allocated_instances();
                    for i in 0..allocated {
                        add_station(&mut nodes, *workers, None, &format!("{}#{i}", c.name));
                    }
                    let mut ranges = Vec::with_capacity(n_classes);
                    for list in cc {
                        ranges.push((calls.len() as u32, list.len() as u32));
                        calls.extend(list.iter().map(|&t| t as u32));
                    }
                    (
                        allocated,
                        *workers,
                        Role::Server {
                            service: service.clone(),
                            calls: ranges,
                            local: None,
                        },
                    )
                }
                ComponentKind::Queue {
                    capacity,
                    latency,
                    consumers,
                    visibility_timeout,
                    max_attempts,
                } => {
                    let q = queues.len() as u32;
                    let instances = sc.components[*consumers].kind.allocated_instances() as usize;
                    queues.push(QueueNode {
                        ready: VecDeque::new(),
                        capacity: capacity.unwrap_or(u64::MAX),
                        latency: latency.clone(),
                        rng: component_stream(sc.seed, &c.name),
                        comp: ci as u32,
                        consumers: *consumers as u32,
                        assigned: vec![0; instances],
                        rr: 0,
                        visibility: visibility_timeout.0,
                        max_attempts: *max_attempts,
                        backlog_area: 0,
                        backlog_last: 0,
                        backlog_max: 0,
                    });
                    feeds[*consumers] = Some(q);
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Queue(q),
                    });
                    (1, 0, Role::Queue { q })
                }
            };
            comps.push(Comp {
                name: c.name.clone(),
                kind: c.kind.name(),
                first_node,
                n_nodes,
                workers,
                role,
                rr: 0,
                rot: (0..n_nodes).collect(),
                ctr: Ctr::default(),
                hist: LatencyHist::new(),
                lat_sum: 0,
                lat_n: 0,
                failed: 0,
                open: 0,
                open_area: 0,
                open_last: 0,
            });
        }
        // Caches whose miss target is a database judge staleness against its primary.
        for c in &comps {
            if let Role::Cache { cache, miss, .. }
            | Role::Cdn {
                cache,
                origin: miss,
            } = &c.role
                && let Role::Database { .. } = &comps[*miss as usize].role
            {
                caches[*cache as usize].backing_db = Some(*miss);
            }
        }
        // Hop table. A link's latency applies in both directions (request and reply).
        let n = sc.components.len();
        let mut hops = vec![sc.network.hop.clone()];
        let mut hop_idx = vec![0u16; (n + 1) * n];
        for l in &sc.network.links {
            hops.push(l.latency.clone());
            let ix = (hops.len() - 1) as u16;
            let row = l.from.map_or(0, |f| f + 1);
            hop_idx[row * n + l.to] = ix;
            if let Some(f) = l.from {
                hop_idx[(l.to + 1) * n + f] = ix;
            }
        }
        let window = Window {
            len: sc.window.0,
            start: 0,
            offered: 0,
            completed: 0,
            failed: 0,
            hist: LatencyHist::with_digits(2),
            busy_snap: vec![0; n],
            comp_snap: vec![CompSnap::default(); n],
            rows: Vec::with_capacity((sc.duration.0 / sc.window.0.max(1) + 1) as usize),
            entered: vec![0; sc.datacenters.len()],
        };
        let n_nodes_total = nodes.len();
        node_db.resize(n_nodes_total, u32::MAX);
        node_replica.resize(n_nodes_total, u32::MAX);
        let node_comp: Vec<u32> = nodes.iter().map(|n| n.comp).collect();
        let geo = Geo::new(
            sc,
            &node_comp,
            &geo::replica_placement(sc, &node_comp, &node_replica),
        );
        // Autoscalers, and the balancers in front of each autoscaled group.
        let mut scalers = Vec::new();
        let mut comp_scaler = vec![NO_SCALER; sc.components.len()];
        let mut node_scaler = vec![NO_SCALER; n_nodes_total];
        for (ci, c) in sc.components.iter().enumerate() {
            let (ComponentKind::Server {
                count,
                autoscale: Some(a),
                ..
            }
            | ComponentKind::Worker {
                count,
                autoscale: Some(a),
                ..
            }) = &c.kind
            else {
                continue;
            };
            let front: Vec<u32> = nodes
                .iter()
                .filter_map(|n| match n.kind {
                    NodeKind::Balancer(b) => match comps[n.comp as usize].role {
                        Role::Balancer { to, .. } if to as usize == ci => Some(b),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            let k = scalers.len() as u32;
            comp_scaler[ci] = k;
            let comp = &mut comps[ci];
            for node in comp.first_node..comp.first_node + comp.n_nodes {
                node_scaler[node as usize] = k;
            }
            comp.rot = (0..*count).collect();
            comp.rot.reserve(comp.n_nodes as usize);
            scalers.push(Scaler::new(
                ci as u32,
                a.clone(),
                *count,
                front,
                feeds[ci],
                component_stream(sc.seed, &format!("{}#autoscale", c.name)),
            ));
        }
        let class_entry = sc
            .traffic
            .classes
            .iter()
            .map(|c| match (c.is_static, sc.cdn) {
                (true, Some(cdn)) => cdn as u32,
                _ => sc.entry as u32,
            })
            .collect();
        let mut m = Model {
            now: 0,
            end: sc.duration.0,
            stopped: None,
            warmup: sc.warmup.0,
            queue: EventQueue::with_capacity(1024),
            lane: VecDeque::with_capacity(64),
            reqs: Slab::default(),
            nodes,
            comps,
            stations,
            lbs,
            dbs,
            caches,
            queues,
            feeds,
            routers,
            copiers: Vec::new(),
            migs: Vec::new(),
            node_db,
            trace_p: 0.0,
            trace_rng: stream(sc.seed, "trace"),
            traces: Vec::new(),
            calls,
            op_write: sc
                .traffic
                .classes
                .iter()
                .map(|c| c.op == Op::Write)
                .collect(),
            class_session: sc.traffic.classes.iter().map(|c| c.session).collect(),
            class_entry,
            entry: sc.entry as u32,
            faults: sc.faults.clone(),
            node_up: vec![true; n_nodes_total],
            node_epoch: vec![0; n_nodes_total],
            node_part: vec![false; n_nodes_total],
            connect_timeout: sc.network.connect_timeout.0,
            detected: vec![None; n_nodes_total],
            promoted_at: vec![None; sc.components.len()],
            scalers,
            comp_scaler,
            node_scaler,
            inbound: vec![0; n_nodes_total],
            scale_events: Vec::new(),
            fault_rngs: (0..sc.faults.len())
                .map(|i| stream(sc.seed, &format!("fault/{i}")))
                .collect(),
            retries: sc
                .traffic
                .retries
                .as_ref()
                .map(|r| RetryPolicy::new(r, sc.seed)),
            retry_tokens: 0.0,
            retried: 0,
            fault_node: vec![Vec::new(); sc.faults.len()],
            random_failures: 0,
            client: Client::new(sc),
            hop_idx,
            hops,
            n_comps: n,
            net_rng: stream(sc.seed, "network"),
            geo,
            events: 0,
            offered: 0,
            completed: 0,
            failed: 0,
            attempts: 0,
            dns_lookups: 0,
            errors: [0; Cause::COUNT],
            errors_by_comp: vec![[0; Cause::COUNT]; sc.components.len() + 1],
            hist: LatencyHist::new(),
            classes: (0..n_classes).map(|_| ClassAcc::default()).collect(),
            window,
            warm: WarmSnap::default(),
            scenario_name: sc.name.clone(),
            about: sc.about.clone(),
            seed: sc.seed,
            class_names: sc.traffic.classes.iter().map(|c| c.name.clone()).collect(),
        };
        m.prime(sc);
        m
    }

    /// Builds a cache or CDN edge; a `prefill` cache starts with the most popular keys of
    /// the first class it serves, their expiry spread evenly over one ttl.
    fn cache_node(
        sc: &Scenario,
        name: &str,
        spec: &CacheSpec,
        key_space: u64,
        served: impl Fn(usize) -> bool,
    ) -> CacheNode {
        let n_classes = sc.traffic.classes.len();
        // Prefill covers the keys of the first class the cache serves.
        let prefill_keys = (0..n_classes)
            .find(|&c| served(c))
            .map(|c| match sc.traffic.classes[c].keys {
                Keys::User => sc.traffic.users,
                Keys::Uniform { n } | Keys::Zipf { n, .. } => n,
            })
            .unwrap_or(0);
        let mut rng = component_stream(sc.seed, name);
        let mut store = KeyCache::new(
            spec.capacity.min(key_space) as usize,
            key_space,
            spec.policy,
            component_stream(sc.seed, &format!("{name}#evict")),
        );
        if spec.prefill {
            // Key 0 is the most popular under Zipf; for uniform keys any set is as good.
            // Inserted least popular first, so the most popular is the most recent.
            let n = spec.capacity.min(prefill_keys);
            for key in (0..n).rev() {
                let expires = match spec.ttl {
                    Some(t) => {
                        use rand::RngExt;
                        let u: f64 = rng.random();
                        (t.0 as f64 * (1.0 - u)).ceil().max(1.0) as u64
                    }
                    None => u64::MAX,
                };
                store.put(key, 0, expires);
            }
        }
        CacheNode {
            store,
            ttl: spec.ttl.map(SimTime::as_nanos),
            latency: spec.latency.clone(),
            rng,
            backing_db: None,
            class_hits: vec![0; n_classes],
            class_lookups: vec![0; n_classes],
        }
    }

    /// Schedules the first events: arrivals or user wake-ups, ticks, the end of warm-up.
    fn prime(&mut self, sc: &Scenario) {
        match &sc.traffic.arrival {
            Arrival::Open(_) => {
                let source = self.client.arrivals.as_mut().expect("open arrivals");
                if let Some(t) = source.next(0, &mut self.client.rng)
                    && t < self.end
                {
                    self.queue.push(SimTime(t), Ev::new(EvKind::Arrival, 0, 0));
                }
            }
            Arrival::Closed { think } => {
                for u in 0..sc.traffic.users {
                    let t = think.sample(&mut self.client.rng);
                    if t < self.end {
                        self.queue
                            .push(SimTime(t), Ev::new(EvKind::UserWake, 0, u as u32));
                    }
                }
            }
        }
        if self.window.len < self.end {
            self.queue
                .push(SimTime(self.window.len), Ev::new(EvKind::Tick, 0, 0));
        }
        for (i, f) in self.faults.iter().enumerate() {
            self.queue
                .push(f.at, Ev::new(EvKind::FaultStart, i as u32, 0));
            if let Some(u) = f.until
                && u.0 < self.end
            {
                self.queue.push(u, Ev::new(EvKind::FaultEnd, i as u32, 0));
            }
        }
        for (i, lb) in self.lbs.iter().enumerate() {
            if let Some(h) = lb.health
                && h.interval.0 < self.end
            {
                let node = self
                    .nodes
                    .iter()
                    .position(|n| matches!(n.kind, NodeKind::Balancer(b) if b as usize == i));
                let node = node.expect("every balancer has a node") as u32;
                self.queue
                    .push(h.interval, Ev::new(EvKind::HealthTick, node, 0));
            }
        }
        self.prime_scalers();
        self.prime_geo(sc.seed);
        self.queue
            .push(SimTime(self.warmup), Ev::new(EvKind::Warmup, 0, 0));
    }

    /// Samples this share of requests (0..=1) for request traces.
    pub fn with_trace_sample(mut self, p: f64) -> Model {
        self.trace_p = p.clamp(0.0, 1.0);
        self
    }

    /// Runs to the end of the scenario and returns the report (engine wall time unset), or
    /// the error of a run-time bound (requests in flight, pending events) it reached.
    pub fn run(mut self) -> Result<Report, RunError> {
        loop {
            let ev = match self.lane.pop_front() {
                Some(ev) => ev,
                None => match self.queue.peek_time() {
                    Some(t) if t.0 < self.end => {
                        let (t, ev) = self.queue.pop().expect("peeked");
                        self.now = t.0;
                        ev
                    }
                    _ => break,
                },
            };
            self.events += 1;
            self.dispatch(ev);
        }
        if let Some(e) = self.stopped.take() {
            return Err(e);
        }
        self.now = self.end;
        Ok(self.report())
    }

    #[inline]
    fn dispatch(&mut self, ev: Ev) {
        match ev.kind {
            EvKind::Arrival => self.on_arrival(),
            EvKind::UserWake => self.new_request(Some(ev.req)),
            EvKind::DnsDone => self.send_to_entry(ev.req),
            EvKind::Deliver => self.on_deliver(ev.node, ev.req),
            EvKind::ServiceDone => self.on_service_done(ev.node, ev.req, ev.aux),
            EvKind::Reply => self.on_reply(ev.node, ev.req),
            EvKind::Timeout => self.on_timeout(ev.aux, ev.req),
            EvKind::Apply => self.on_apply(ev.node, ev.req, ev.aux, ev.tag),
            EvKind::SyncAck => self.on_sync_ack(ev.node, ev.req, ev.aux),
            EvKind::Refuse => {
                let cause = Cause::ALL
                    .into_iter()
                    .find(|c| *c as u32 == ev.aux)
                    .unwrap_or(Cause::Unreachable);
                self.fail_back(ev.req, cause, ev.node);
            }
            EvKind::FaultStart => self.fault_start(ev.node as usize),
            EvKind::FaultEnd => self.fault_end(ev.node as usize),
            EvKind::RandomDown => self.random_down(ev.node as usize, ev.req),
            EvKind::RandomUp => self.random_up(ev.node as usize, ev.req),
            EvKind::HealthTick => self.health_tick(ev.node),
            EvKind::DnsHealth => self.dns_health_tick(),
            EvKind::Promote => self.promote(ev.node, ev.tag),
            EvKind::RetryFire => self.retry_fire(ev.req),
            EvKind::VisTimeout => self.vis_timeout(ev.node, ev.req, ev.aux, ev.tag),
            EvKind::ScaleTick => self.scale_tick(ev.node),
            EvKind::ScaleReady => self.scale_ready(ev.node, ev.req),
            EvKind::MigrateBatch => self.migrate_batch(ev.node),
            EvKind::Tick => self.on_tick(),
            EvKind::Warmup => self.on_warmup(),
        }
    }

    /// Schedules `ev` after `delay` ns; zero delay goes to the same-instant lane.
    #[inline]
    fn after(&mut self, delay: u64, ev: Ev) {
        if delay == 0 {
            self.lane.push_back(ev);
        } else {
            self.queue.push(SimTime(self.now.saturating_add(delay)), ev);
        }
    }

    /// One-way network latency between caller row (0 client, c+1 component c) and callee.
    #[inline]
    fn hop(&mut self, row: usize, callee: u32) -> u64 {
        let i = self.hop_idx[row * self.n_comps + callee as usize];
        self.hops[i as usize].sample(&mut self.net_rng)
    }

    #[inline]
    fn row_of(&self, node: u32) -> usize {
        if node == CLIENT {
            0
        } else {
            self.nodes[node as usize].comp as usize + 1
        }
    }

    /// The node of `comp` that request `r` goes to when its caller has no balancer: for a
    /// database, the primary for writes and the read policy's choice for reads; otherwise
    /// round robin over the instances.
    #[inline]
    fn pick_node(&mut self, comp: u32, r: u32, from_row: usize) -> u32 {
        let c = &mut self.comps[comp as usize];
        if let Role::Database { db, router } = c.role {
            let req = self.reqs.get(r);
            let shard = self.routers[router as usize].shard(req.key, req.user);
            let db = &mut self.dbs[(db + shard) as usize];
            let class = req.class as usize;
            let primary = db.first_node + db.primary;
            if self.op_write[class] || db.n_nodes == 1 || db.read_from == ReadFrom::Primary {
                return primary;
            }
            let caller_dc = if from_row == 0 || self.geo.n_dc == 0 {
                NO_DC
            } else {
                self.geo.comp_dc[from_row - 1]
            };
            if caller_dc != NO_DC {
                // With data centers: a node of the pool in the caller's data center first.
                for _ in 0..db.n_nodes {
                    let i = db.rr % db.n_nodes;
                    db.rr = db.rr.wrapping_add(1);
                    let node = db.first_node + i;
                    if (db.read_from == ReadFrom::Any || i != db.primary)
                        && self.node_up[node as usize]
                        && self.geo.node_dc[node as usize] == caller_dc
                    {
                        return node;
                    }
                }
            }
            // Reads rotate over the nodes in the pool that are up (the database's client
            // library knows which replicas answer); with none up, the primary.
            for _ in 0..db.n_nodes {
                let i = db.rr % db.n_nodes;
                db.rr = db.rr.wrapping_add(1);
                let node = db.first_node + i;
                if (db.read_from == ReadFrom::Any || i != db.primary) && self.node_up[node as usize]
                {
                    return node;
                }
            }
            return primary;
        }
        let node = if c.n_nodes <= 1 {
            c.first_node
        } else {
            let m = c.rot.len() as u32;
            let i = c.rr % m;
            c.rr = if i + 1 == m { 0 } else { i + 1 };
            c.first_node + c.rot[i as usize]
        };
        if self.node_scaler[node as usize] != NO_SCALER {
            self.inbound[node as usize] += 1;
        }
        node
    }

    /// The replica set (`dbs` index) of database component `comp` that holds this key.
    #[inline]
    fn shard_db(&self, comp: u32, key: u64, user: u32) -> usize {
        let Role::Database { db, router } = self.comps[comp as usize].role else {
            unreachable!("shard_db of a database")
        };
        (db + self.routers[router as usize].shard(key, user)) as usize
    }

    /// Sends request `r` from component `from` (row) to component `to`, after `extra` ns
    /// of local latency plus the hop.
    #[inline]
    fn forward(&mut self, from_row: usize, to: u32, r: u32, extra: u64) {
        let node = self.pick_node(to, r, from_row);
        let d = extra + self.hop_node(from_row, to, node, r);
        self.after(d, Ev::new(EvKind::Deliver, node, r));
    }

    fn on_arrival(&mut self) {
        let source = self.client.arrivals.as_mut().expect("open arrivals");
        if let Some(t) = source.next(self.now, &mut self.client.rng)
            && t < self.end
        {
            self.queue.push(SimTime(t), Ev::new(EvKind::Arrival, 0, 0));
        }
        self.new_request(None);
    }

    fn new_request(&mut self, user: Option<u32>) {
        let (class, user, key) = self.client.draw(user);
        let now = self.now;
        let measured = now >= self.warmup;
        let r = self.reqs.alloc();
        self.guard(r);
        let req = self.reqs.get_mut(r);
        req.start = now;
        req.class = class;
        req.user = user;
        req.key = key;
        req.measured = measured;
        let trace = self.maybe_trace(class, user, key);
        let req = self.reqs.get_mut(r);
        req.trace = trace;
        req.push(Frame {
            node: CLIENT,
            step: 0,
            t_in: now,
            epoch: 0,
            ..Default::default()
        });
        self.window.offered += 1;
        if let Some(b) = self.retries.as_ref().and_then(|p| p.budget) {
            self.retry_tokens = (self.retry_tokens + b).min(RETRY_TOKENS_MAX);
        }
        if measured {
            self.offered += 1;
            self.attempts += 1;
            self.classes[class as usize].offered += 1;
            if self.geo.has_regions() {
                let region = self.geo.region(user);
                self.geo.regions[region].offered += 1;
            }
        }
        self.arm_deadline(r);
        if let Some(dns) = &mut self.client.dns
            && dns.expires[user as usize] <= now
        {
            let lat = dns.latency.sample(&mut dns.rng);
            dns.expires[user as usize] = now + lat + dns.ttl;
            if let Some(g) = &self.geo.dns {
                // GeoDNS answers from its health view as the lookup is made.
                dns.answer[user as usize] = g.answer(self.geo.region(user));
            }
            let comp = dns.comp;
            self.comps[comp].ctr.arrivals += 1;
            if measured {
                self.dns_lookups += 1;
            }
            self.after(lat, Ev::new(EvKind::DnsDone, 0, r));
            return;
        }
        self.send_to_entry(r);
    }

    fn send_to_entry(&mut self, r: u32) {
        let mut entry = self.class_entry[self.reqs.get(r).class as usize];
        // With the CDN down, static requests go to the origin (DNS points at it again).
        if entry != self.entry && !self.node_up[self.comps[entry as usize].first_node as usize] {
            entry = self.entry;
        }
        if self.geo.n_dc > 0 {
            let user = self.reqs.get(r).user;
            if entry == self.entry {
                entry = self.user_entry(user);
            }
            let dc = self.geo.comp_dc[entry as usize];
            if dc != NO_DC {
                self.window.entered[dc as usize] += 1;
                let req = self.reqs.get_mut(r);
                if req.dc == NO_DC {
                    req.dc = dc;
                    if req.measured {
                        self.geo.dcs[dc as usize].offered += 1;
                    }
                }
            }
        }
        self.forward(0, entry, r, 0);
    }

    fn on_deliver(&mut self, node: u32, r: u32) {
        if self.node_scaler[node as usize] != NO_SCALER {
            // An instance of an autoscaled group: a draining one may now be empty.
            self.inbound[node as usize] -= 1;
            self.deliver(node, r);
            self.drain_check(node);
        } else {
            self.deliver(node, r);
        }
    }

    fn deliver(&mut self, node: u32, r: u32) {
        let n = self.nodes[node as usize];
        let now = self.now;
        self.comps[n.comp as usize].ctr.arrivals += 1;
        if !self.node_up[node as usize] {
            self.shard_failed(node);
            let req = self.reqs.get_mut(r);
            req.fail = Cause::ConnectionRefused;
            req.fail_comp = n.comp;
            self.reply_node_after(n.comp, node, r, 0);
            return;
        }
        if self.node_part[node as usize] {
            let ev = Ev {
                kind: EvKind::Refuse,
                tag: 0,
                node: n.comp,
                req: r,
                aux: Cause::Unreachable as u32,
            };
            self.after(self.connect_timeout, ev);
            return;
        }
        match n.kind {
            NodeKind::Balancer(b) => {
                let req = self.reqs.get_mut(r);
                let user = req.user;
                let lb = &mut self.lbs[b as usize];
                let Some(i) = lb.choose(user) else {
                    self.fail_back(r, Cause::NoHealthyBackend, n.comp);
                    return;
                };
                lb.conns[i] += 1;
                self.push_frame(r, node, i as u32);
                self.open_change(n.comp, true);
                let Role::Balancer { to, latency } = &self.comps[n.comp as usize].role else {
                    unreachable!("balancer node of a non-balancer component")
                };
                let to = *to;
                let extra = latency.sample(&mut self.lbs[b as usize].rng);
                let target = self.comps[to as usize].first_node + i as u32;
                if self.node_scaler[target as usize] != NO_SCALER {
                    self.inbound[target as usize] += 1;
                }
                let d = extra + self.hop_node(n.comp as usize + 1, to, target, r);
                self.after(d, Ev::new(EvKind::Deliver, target, r));
            }
            NodeKind::Station(s) => match self.stations[s as usize].arrive(now, r) {
                Admit::Serve => {
                    self.push_frame(r, node, 0);
                    self.start_service(node, s, r);
                }
                Admit::Queued => self.push_frame(r, node, 0),
                Admit::Rejected => self.fail_back(r, Cause::QueueFull, n.comp),
            },
            NodeKind::Cache(ci) => self.cache_deliver(node, n.comp, ci, r),
            NodeKind::Queue(q) => self.publish(node, n.comp, q, r),
            NodeKind::Client => unreachable!("requests are never delivered to the client"),
        }
    }

    /// A request reaches a cache or CDN edge.
    fn cache_deliver(&mut self, node: u32, comp: u32, ci: u32, r: u32) {
        let now = self.now;
        let req = self.reqs.get(r);
        let (class, key) = (req.class as usize, req.key);
        let write = self.op_write[class];
        let (target, cacheable, write_policy) = match &self.comps[comp as usize].role {
            Role::Cache {
                miss,
                write_policy,
                cacheable,
                ..
            } => (*miss, cacheable[class], Some(*write_policy)),
            Role::Cdn { origin, .. } => (*origin, !write, None),
            _ => unreachable!("cache node of a non-cache component"),
        };
        if write {
            // A write passing through: drop or refresh the entry when the write returns.
            // The entry is dropped (or refreshed) once the write has committed: the
            // cache-aside order "update the database, then delete the cache entry".
            let step = match write_policy {
                Some(WritePolicy::WriteThrough) => WRITE_THROUGH,
                _ => INVALIDATE,
            };
            self.cache_forward(node, comp, r, step, target, 0);
            return;
        }
        if !cacheable {
            self.cache_forward(node, comp, r, PASS, target, 0);
            return;
        }
        let cache = &mut self.caches[ci as usize];
        let lookup = cache.latency.sample(&mut cache.rng);
        cache.class_lookups[class] += 1;
        match cache.store.get(key, now) {
            Lookup::Hit { version } => {
                cache.class_hits[class] += 1;
                let user = self.reqs.get(r).user;
                let stale = match cache.backing_db {
                    Some(db) => {
                        let d = self.shard_db(db, key, user);
                        version < self.dbs[d].acked[key as usize]
                    }
                    None => false,
                };
                let ctr = &mut self.comps[comp as usize].ctr;
                ctr.hits += 1;
                if stale {
                    ctr.stale_hits += 1;
                }
                self.comp_latency(comp, lookup, now >= self.warmup);
                self.reqs.get_mut(r).version = version;
                self.span_now(r, node, lookup, Cause::None);
                self.reply_after(comp, r, lookup);
            }
            Lookup::Miss | Lookup::Expired => {
                self.comps[comp as usize].ctr.misses += 1;
                self.cache_forward(node, comp, r, FILL, target, lookup);
            }
        }
    }

    /// In-component accounting for balancers and caches (area of requests inside).
    #[inline]
    fn open_change(&mut self, comp: u32, open: bool) {
        let c = &mut self.comps[comp as usize];
        c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
        c.open_last = self.now;
        if open {
            c.open += 1;
        } else {
            c.open -= 1;
        }
    }

    #[inline]
    fn start_service(&mut self, node: u32, s: u32, r: u32) {
        if r & MIG_BIT != 0 {
            self.migration_service(node, s, r);
            return;
        }
        self.reqs.get_mut(r).top_mut().t_start = self.now;
        let comp = self.nodes[node as usize].comp as usize;
        let req = self.reqs.get(r);
        let (class, user) = (req.class as usize, req.user);
        let st = &mut self.stations[s as usize];
        let c = &mut self.comps[comp];
        let t = match &mut c.role {
            Role::Server { service, local, .. } => {
                let mut t = service[class].sample(&mut st.rng);
                if let Some(local) = local
                    && self.class_session[class]
                {
                    let here = (node - c.first_node + 1) as u16;
                    let home = &mut local.home[user as usize];
                    if *home == 0 {
                        *home = here;
                        c.ctr.sessions_created += 1;
                    } else if *home != here {
                        c.ctr.sessions_lost += 1;
                        match &local.relogin {
                            Some(d) => {
                                t += d.sample(&mut st.rng);
                                *home = here;
                            }
                            None => {
                                // This request fails; the user logs in again, here.
                                *home = here;
                                let req = self.reqs.get_mut(r);
                                req.fail = Cause::SessionLost;
                                req.fail_comp = comp as u32;
                                self.service_done_after(node, r, 0);
                                return;
                            }
                        }
                    }
                }
                t
            }
            Role::Database { db, .. } => {
                let db = &self.dbs[*db as usize];
                if self.op_write[class] {
                    db.write.sample(&mut st.rng)
                } else {
                    db.read.sample(&mut st.rng)
                }
            }
            Role::Store { service } => service.sample(&mut st.rng),
            _ => unreachable!("only stations serve"),
        };
        let t = if st.slow == 1.0 {
            t
        } else {
            (t as f64 * st.slow).round() as u64
        };
        self.service_done_after(node, r, t);
    }

    /// Starts the client's deadline for this attempt of `r`, if the scenario has one.
    fn arm_deadline(&mut self, r: u32) {
        if let Some(t) = self.client.timeout {
            let generation = self.reqs.get(r).generation;
            let ev = Ev {
                kind: EvKind::Timeout,
                tag: 0,
                node: 0,
                req: r,
                aux: generation,
            };
            self.queue.push(SimTime(self.now + t), ev);
        }
    }

    /// Node `node` takes request `r`: pushes its frame (arrival now, the node's epoch).
    #[inline]
    fn push_frame(&mut self, r: u32, node: u32, step: u32) {
        let (now, epoch) = (self.now, self.node_epoch[node as usize]);
        self.reqs.get_mut(r).push(Frame {
            node,
            step,
            t_in: now,
            epoch,
            ..Default::default()
        });
    }

    /// A cache or CDN passes `r` on to `target` after `extra` ns, remembering in `step` what
    /// to do with the reply.
    fn cache_forward(&mut self, node: u32, comp: u32, r: u32, step: u32, target: u32, extra: u64) {
        self.push_frame(r, node, step);
        self.open_change(comp, true);
        self.forward(comp as usize + 1, target, r, extra);
    }

    /// Schedules the end of `r`'s service at `node`, stamped with the node's crash epoch.
    #[inline]
    fn service_done_after(&mut self, node: u32, r: u32, delay: u64) {
        let epoch = self.node_epoch[node as usize];
        let ev = Ev {
            kind: EvKind::ServiceDone,
            tag: 0,
            node,
            req: r,
            aux: epoch,
        };
        self.after(delay, ev);
    }

    fn on_service_done(&mut self, node: u32, r: u32, epoch: u32) {
        if r & MIG_BIT != 0 {
            self.migration_done(node, r, epoch);
            return;
        }
        if epoch != self.node_epoch[node as usize] {
            // The node crashed while serving: the request fails back to its caller.
            self.crashed_drop(node, r);
            return;
        }
        self.reqs.get_mut(r).top_mut().t_done = self.now;
        let comp = self.nodes[node as usize].comp as usize;
        match self.comps[comp].role {
            Role::Server { .. } => {
                if self.reqs.get(r).fail != Cause::None {
                    self.finish(node, r);
                } else {
                    self.advance(node, r);
                }
            }
            Role::Database { .. } => self.db_done(node, comp, self.node_db[node as usize], r),
            _ => self.finish(node, r),
        }
    }

    /// A database node finished a read or a write.
    fn db_done(&mut self, node: u32, comp: usize, db_ix: u32, r: u32) {
        let now = self.now;
        let req = self.reqs.get(r);
        let (class, key) = (req.class as usize, req.key as usize);
        let db = &mut self.dbs[db_ix as usize];
        let ctr = &mut self.comps[comp].ctr;
        let keys = db.keys;
        if self.op_write[class] {
            ctr.writes += 1;
            let p = db.primary as usize;
            let v = db.ver[p * keys + key].wrapping_add(1);
            db.ver[p * keys + key] = v;
            db.applied_count[p] += 1;
            self.reqs.get_mut(r).version = v;
            let mut last = now;
            if let Some(lag) = &db.lag {
                let geo = &self.geo;
                let from_dc = if geo.n_dc > 0 {
                    geo.node_dc[db.first_node as usize + p]
                } else {
                    NO_DC
                };
                for j in 0..db.n_nodes as usize {
                    if j == p {
                        continue;
                    }
                    // A replica in another data center receives the write one DC-to-DC
                    // latency later, and its acknowledgement takes as long to come back.
                    let (ship, back) = match from_dc {
                        NO_DC => (0, 0),
                        a => {
                            let b = geo.node_dc[db.first_node as usize + j];
                            if b == NO_DC || b == a {
                                (0, 0)
                            } else {
                                let d = geo.between(a, b);
                                let ship = d.sample(&mut db.rng);
                                let back = if db.sync { d.sample(&mut db.rng) } else { 0 };
                                (ship, back)
                            }
                        }
                    };
                    // Replicas apply writes in commit order.
                    let at = (now + lag.sample(&mut db.rng) + ship).max(db.last_apply[j]);
                    db.last_apply[j] = at;
                    last = last.max(at + back);
                    if now >= self.warmup {
                        db.lag_hist.record(at - now);
                    }
                    let ev = Ev {
                        kind: EvKind::Apply,
                        tag: db.term,
                        node: db.first_node + j as u32,
                        req: key as u32,
                        aux: v,
                    };
                    if at == now {
                        self.lane.push_back(ev);
                    } else {
                        self.queue.push(SimTime(at), ev);
                    }
                }
            }
            if db.sync && last > now {
                let epoch = self.node_epoch[node as usize];
                self.after(
                    last - now,
                    Ev {
                        kind: EvKind::SyncAck,
                        tag: 0,
                        node,
                        req: r,
                        aux: epoch,
                    },
                );
                return;
            }
            db.acked[key] = db.acked[key].max(v);
        } else {
            ctr.reads += 1;
            let j = (node - db.first_node) as usize;
            let version = db.ver[j * keys + key];
            if j != db.primary as usize && version < db.acked[key] {
                ctr.stale_reads += 1;
            }
            self.reqs.get_mut(r).version = version;
        }
        self.finish(node, r);
    }

    /// Every replica applied a synchronous write: it is acknowledged, and the primary replies.
    fn on_sync_ack(&mut self, node: u32, r: u32, epoch: u32) {
        if epoch != self.node_epoch[node as usize] {
            self.crashed_drop(node, r);
            return;
        }
        let db = self.node_db[node as usize];
        let req = self.reqs.get(r);
        let acked = &mut self.dbs[db as usize].acked[req.key as usize];
        *acked = (*acked).max(req.version);
        self.finish(node, r);
    }

    fn on_apply(&mut self, node: u32, key: u32, version: u32, term: u16) {
        let db = self.node_db[node as usize];
        let db = &mut self.dbs[db as usize];
        if term != db.term {
            return; // shipped by a primary that has since been replaced
        }
        let j = (node - db.first_node) as usize;
        let slot = &mut db.ver[j * db.keys + key as usize];
        if version > *slot {
            *slot = version;
            db.applied_count[j] += 1;
        }
    }

    /// Makes the server's next downstream call, or replies when there is none left.
    fn advance(&mut self, node: u32, r: u32) {
        let comp = self.nodes[node as usize].comp;
        let req = self.reqs.get(r);
        let (class, step) = (req.class as usize, req.top().step);
        let Role::Server { calls, .. } = &self.comps[comp as usize].role else {
            unreachable!("only servers make calls")
        };
        let (off, len) = calls[class];
        if step < len {
            let target = self.calls[(off + step) as usize];
            self.forward(comp as usize + 1, target, r, 0);
        } else {
            self.finish(node, r);
        }
    }

    /// The station replies: pops its frame, frees (or hands on) the worker, sends the reply.
    fn finish(&mut self, node: u32, r: u32) {
        let n = self.nodes[node as usize];
        let NodeKind::Station(s) = n.kind else {
            unreachable!("finish on a station")
        };
        let frame = self.reqs.get_mut(r).pop();
        self.span(r, node, &frame);
        let measured = self.now >= self.warmup;
        self.comp_latency(n.comp, self.now - frame.t_in, measured);
        if measured {
            let db = self.node_db[node as usize];
            if db != u32::MAX {
                self.dbs[db as usize].hist.record(self.now - frame.t_in);
            }
        }
        if let Some(next) = self.stations[s as usize].depart(self.now) {
            self.start_service(node, s, next);
        }
        self.reply_node_after(n.comp, node, r, 0);
        if self.node_scaler[node as usize] != NO_SCALER {
            self.drain_check(node);
        }
    }

    /// Sends the reply of component `from`, after `extra` ns, to whoever is on top of the
    /// request's stack.
    #[inline]
    fn reply_after(&mut self, from: u32, r: u32, extra: u64) {
        let caller = self.reqs.get(r).top().node;
        let d = if self.geo.n_dc > 0 {
            let dc = self.geo.comp_dc[from as usize];
            extra + self.reply_hop(caller, from, dc, r)
        } else {
            extra + self.hop(self.row_of(caller), from)
        };
        self.after(d, Ev::new(EvKind::Reply, caller, r));
    }

    /// As [`Model::reply_after`], from one node (a database replica may stand in another
    /// data center than its component).
    #[inline]
    fn reply_node_after(&mut self, from: u32, node: u32, r: u32, extra: u64) {
        if self.geo.n_dc == 0 {
            self.reply_after(from, r, extra);
            return;
        }
        let caller = self.reqs.get(r).top().node;
        let dc = self.geo.node_dc[node as usize];
        let d = extra + self.reply_hop(caller, from, dc, r);
        self.after(d, Ev::new(EvKind::Reply, caller, r));
    }

    fn fail_back(&mut self, r: u32, cause: Cause, comp: u32) {
        let req = self.reqs.get_mut(r);
        req.fail = cause;
        req.fail_comp = comp;
        self.reply_after(comp, r, 0);
    }

    fn on_reply(&mut self, node: u32, r: u32) {
        let n = self.nodes[node as usize];
        if node != CLIENT && self.reqs.get(r).top().epoch != self.node_epoch[node as usize] {
            // The node crashed after taking the request: it fails back to the caller.
            self.crashed_drop(node, r);
            return;
        }
        match n.kind {
            NodeKind::Client => self.client_reply(r),
            NodeKind::Balancer(b) => {
                let f = self.reqs.get_mut(r).pop();
                self.lbs[b as usize].conns[f.step as usize] -= 1;
                self.span(r, node, &f);
                self.leave(n.comp, f.t_in);
                self.reply_after(n.comp, r, 0);
            }
            NodeKind::Cache(ci) => {
                let f = self.reqs.get_mut(r).pop();
                let req = self.reqs.get(r);
                if req.fail == Cause::None {
                    let cache = &mut self.caches[ci as usize];
                    match f.step {
                        FILL | WRITE_THROUGH => {
                            let expires = cache.ttl.map_or(u64::MAX, |t| self.now + t);
                            cache.store.put(req.key, req.version, expires);
                        }
                        INVALIDATE if cache.store.remove(req.key) => {
                            self.comps[n.comp as usize].ctr.invalidations += 1;
                        }
                        _ => {}
                    }
                }
                self.span(r, node, &f);
                self.leave(n.comp, f.t_in);
                self.reply_after(n.comp, r, 0);
            }
            NodeKind::Queue(q) => self.job_back(node, q, r),
            NodeKind::Station(_) => {
                if self.reqs.get(r).fail != Cause::None {
                    self.finish(node, r);
                } else {
                    self.reqs.get_mut(r).top_mut().step += 1;
                    self.advance(node, r);
                }
            }
        }
    }

    /// A request leaves a balancer or cache that it entered at `t_in`.
    #[inline]
    fn leave(&mut self, comp: u32, t_in: u64) {
        self.open_change(comp, false);
        self.comp_latency(comp, self.now - t_in, self.now >= self.warmup);
    }

    /// Records a reply's time in component `comp`: in the window sums always, in the
    /// component's histogram when `measured` (after warm-up).
    #[inline]
    fn comp_latency(&mut self, comp: u32, ns: u64, measured: bool) {
        let c = &mut self.comps[comp as usize];
        c.lat_sum += ns;
        c.lat_n += 1;
        if measured {
            c.hist.record(ns);
        }
    }

    fn client_reply(&mut self, r: u32) {
        let req = self.reqs.get(r);
        if !req.client_done {
            let cause = req.fail;
            self.outcome(r, cause);
        }
        self.reqs.free(r);
    }

    fn on_timeout(&mut self, generation: u32, r: u32) {
        let req = self.reqs.get_mut(r);
        if req.generation == generation && !req.client_done {
            req.fail_comp = u32::MAX;
            self.outcome(r, Cause::Timeout);
        }
    }

    /// A crashed node's request: pop its frame and fail it back to the caller. The node's
    /// accounting was reset at the crash, so nothing else is touched.
    fn crashed_drop(&mut self, node: u32, r: u32) {
        self.shard_failed(node);
        let comp = self.nodes[node as usize].comp;
        let req = self.reqs.get_mut(r);
        let frame = req.pop();
        if req.fail == Cause::None {
            req.fail = Cause::Crashed;
            req.fail_comp = comp;
        }
        self.span(r, node, &frame);
        self.reply_node_after(comp, node, r, 0);
    }

    /// Counts a request failed by `node` against its shard, when it is a database node.
    fn shard_failed(&mut self, node: u32) {
        let db = self.node_db[node as usize];
        if db != u32::MAX && self.now >= self.warmup {
            self.dbs[db as usize].failed += 1;
        }
    }

    /// Records how a request ended for its client (exactly once per request).
    fn outcome(&mut self, r: u32, cause: Cause) {
        let now = self.now;
        let req = self.reqs.get_mut(r);
        req.client_done = true;
        let (lat, measured, class, user) =
            (now - req.start, req.measured, req.class as usize, req.user);
        if cause != Cause::None && self.try_retry(r, cause) {
            self.trace_outcome(r, cause, true);
            return;
        }
        self.trace_outcome(r, cause, false);
        let (fail_comp, dc) = (self.reqs.get(r).fail_comp, self.reqs.get(r).dc);
        if measured && self.geo.n_dc > 0 {
            let ok = cause == Cause::None;
            let region = self.geo.has_regions().then(|| self.geo.region(user));
            let dc = (dc != NO_DC).then_some(dc as usize);
            for acc in [
                region.map(|i| &mut self.geo.regions[i]),
                dc.map(|i| &mut self.geo.dcs[i]),
            ]
            .into_iter()
            .flatten()
            {
                if ok {
                    acc.completed += 1;
                    acc.hist.record(lat);
                } else {
                    acc.failed += 1;
                    acc.errors[cause as usize] += 1;
                }
            }
        }
        if cause == Cause::None {
            self.window.completed += 1;
            self.window.hist.record(lat);
            if measured {
                self.completed += 1;
                self.hist.record(lat);
                let c = &mut self.classes[class];
                c.completed += 1;
                c.hist.record(lat);
            }
        } else {
            self.window.failed += 1;
            if let Some(c) = self.comps.get_mut(fail_comp as usize) {
                c.failed += 1;
            }
            if measured {
                self.failed += 1;
                self.errors[cause as usize] += 1;
                self.classes[class].failed += 1;
                let row = (fail_comp as usize).min(self.comps.len());
                self.errors_by_comp[row][cause as usize] += 1;
            }
        }
        if let Some(think) = &self.client.think {
            let t = think.sample(&mut self.client.rng);
            if now + t < self.end {
                self.queue
                    .push(SimTime(now + t), Ev::new(EvKind::UserWake, 0, user));
            }
        }
    }

    fn touch_all(&mut self) {
        for q in &mut self.queues {
            q.backlog_area += q.ready.len() as u128 * u128::from(self.now - q.backlog_last);
            q.backlog_last = self.now;
        }
        for s in &mut self.stations {
            s.touch(self.now);
        }
        for c in &mut self.comps {
            c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
            c.open_last = self.now;
        }
        // Cache counters live in the stores; copy them where the report looks.
        for c in &mut self.comps {
            if let Role::Cache { cache, .. } | Role::Cdn { cache, .. } = c.role {
                let s = &self.caches[cache as usize].store;
                c.ctr.evictions = s.evictions();
                c.ctr.expirations = s.expirations();
            }
        }
    }

    fn on_warmup(&mut self) {
        self.touch_all();
        self.warm = WarmSnap {
            stations: self.stations.iter().map(|s| s.acc).collect(),
            ctr: self.comps.iter().map(|c| c.ctr).collect(),
            open_area: self.comps.iter().map(|c| c.open_area).collect(),
            class_hits: self.caches.iter().map(|c| c.class_hits.clone()).collect(),
            class_lookups: self
                .caches
                .iter()
                .map(|c| c.class_lookups.clone())
                .collect(),
            backlog_area: self.queues.iter().map(|q| q.backlog_area).collect(),
        };
        for sc in &mut self.scalers {
            sc.warm(self.now);
        }
        for s in &mut self.stations {
            s.max_queue = s.queue.len() as u64;
        }
        for q in &mut self.queues {
            q.backlog_max = q.ready.len() as u64;
        }
    }

    fn on_tick(&mut self) {
        self.flush_window();
        let next = self.now + self.window.len;
        if next < self.end {
            self.queue.push(SimTime(next), Ev::new(EvKind::Tick, 0, 0));
        }
    }

    /// Busy area of each component, summed over its stations.
    fn busy_by_comp(&self) -> Vec<u128> {
        let mut v = vec![0u128; self.comps.len()];
        for node in &self.nodes {
            if let NodeKind::Station(s) = node.kind {
                v[node.comp as usize] += self.stations[s as usize].acc.busy;
            }
        }
        v
    }

    /// The cumulative per-component figures now (areas brought up to date by `touch_all`).
    fn comp_snaps(&self) -> Vec<CompSnap> {
        let mut v: Vec<CompSnap> = self
            .comps
            .iter()
            .map(|c| CompSnap {
                arrivals: c.ctr.arrivals,
                failed: c.failed,
                lat_sum: c.lat_sum,
                lat_n: c.lat_n,
                queue_area: match c.role {
                    Role::Queue { q } => self.queues[q as usize].backlog_area,
                    _ => 0,
                },
                hits: c.ctr.hits,
                lookups: c.ctr.hits + c.ctr.misses,
            })
            .collect();
        for node in &self.nodes {
            if let NodeKind::Station(s) = node.kind {
                v[node.comp as usize].queue_area += self.stations[s as usize].acc.queue;
            }
        }
        v
    }

    /// Closes the window `[start, now)` into a row.
    fn flush_window(&mut self) {
        self.touch_all();
        let len = self.now - self.window.start;
        if len == 0 {
            return;
        }
        let busy = self.busy_by_comp();
        let snaps = self.comp_snaps();
        let secs = len as f64 / 1e9;
        for sc in &mut self.scalers {
            sc.touch(self.now);
        }
        let instances = self.instances_now();
        let grown: Vec<Option<u128>> = (0..self.comps.len())
            .map(|i| self.grown_node_time(i, self.window.start, self.now))
            .collect();
        let w = &mut self.window;
        let scalers = &mut self.scalers;
        let comp_scaler = &self.comp_scaler;
        let utilization = self
            .comps
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (c.workers > 0).then(|| {
                    let busy = (busy[i] - w.busy_snap[i]) as f64;
                    match comp_scaler[i] {
                        NO_SCALER => match grown[i] {
                            None => {
                                busy / (f64::from(c.workers) * f64::from(c.n_nodes) * len as f64)
                            }
                            // A database that gains shards: over the node-time of the
                            // shards in use.
                            Some(0) => 0.0,
                            Some(t) => busy / (f64::from(c.workers) * t as f64),
                        },
                        k => {
                            // Over the instance-time of the serving (active and draining)
                            // instances.
                            let sc = &mut scalers[k as usize];
                            let serve = sc.serve_area - sc.win_serve;
                            sc.win_serve = sc.serve_area;
                            if serve == 0 {
                                0.0
                            } else {
                                busy / (f64::from(c.workers) * serve as f64)
                            }
                        }
                    }
                })
            })
            .collect();
        let n = self.comps.len();
        let (mut arrivals, mut errors) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut latency_ms_mean, mut queue_mean) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut backlog_mean, mut hit_ratio) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for (i, c) in self.comps.iter().enumerate() {
            let (now, was) = (&snaps[i], &w.comp_snap[i]);
            arrivals.push(now.arrivals - was.arrivals);
            errors.push(now.failed - was.failed);
            let lat_n = now.lat_n - was.lat_n;
            latency_ms_mean
                .push((lat_n > 0).then(|| (now.lat_sum - was.lat_sum) as f64 / lat_n as f64 / 1e6));
            let waiting = (now.queue_area - was.queue_area) as f64 / len as f64;
            let is_queue = matches!(c.role, Role::Queue { .. });
            queue_mean.push((c.workers > 0).then_some(waiting));
            backlog_mean.push(is_queue.then_some(waiting));
            let lookups = now.lookups - was.lookups;
            hit_ratio.push(
                (matches!(c.role, Role::Cache { .. } | Role::Cdn { .. }) && lookups > 0)
                    .then(|| (now.hits - was.hits) as f64 / lookups as f64),
            );
        }
        let ended = w.completed + w.failed;
        w.rows.push(WindowRow {
            t_s: w.start as f64 / 1e9,
            offered: w.offered,
            completed: w.completed,
            failed: w.failed,
            throughput_rps: w.completed as f64 / secs,
            error_rate: if ended > 0 {
                w.failed as f64 / ended as f64
            } else {
                0.0
            },
            p50_ms: w.hist.quantile_ns(0.5).map(|v| v as f64 / 1e6),
            p99_ms: w.hist.quantile_ns(0.99).map(|v| v as f64 / 1e6),
            utilization,
            instances,
            entered: w.entered.clone(),
            arrivals,
            errors,
            latency_ms_mean,
            queue_mean,
            backlog_mean,
            hit_ratio,
        });
        w.entered.iter_mut().for_each(|e| *e = 0);
        w.busy_snap = busy;
        w.comp_snap = snaps;
        w.start = self.now;
        w.offered = 0;
        w.completed = 0;
        w.failed = 0;
        w.hist.reset();
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::*;
    use crate::scenario::memory::{COMPONENT_BYTES, EVENT_BYTES, NODE_BYTES, SHARD_BYTES};

    /// The memory estimate of a scenario counts the model's types at these sizes at most.
    #[test]
    fn the_memory_estimate_covers_the_model_types() {
        // A node: its Node and Station, the warm-up snapshot of its areas, an entry in each
        // per-node table (up, epoch, partition, detection, scaler, inbound, replica set,
        // replica number, data center, node -> component), a place in its group's rotation,
        // a balancer's backend arrays (conns, rotation, active, members, probes) and a
        // queue's `assigned`.
        let node = size_of::<Node>()
            + size_of::<Station>()
            + size_of::<Areas>()
            + size_of::<bool>() * 2
            + size_of::<u32>() * 6
            + size_of::<Option<u64>>()
            + size_of::<u8>()
            + 4
            + 18
            + 4
            + size_of::<autoscale::Inst>();
        assert!(node as u128 <= NODE_BYTES, "{node}");
        let comp = size_of::<Comp>()
            + 2 * size_of::<CompSnap>()
            + size_of::<u128>() * 2
            + size_of::<[u64; Cause::COUNT]>()
            + size_of::<Ctr>()
            + size_of::<Option<u64>>()
            + size_of::<u32>()
            + size_of::<Option<u32>>();
        assert!(comp as u128 <= COMPONENT_BYTES, "{comp}");
        assert!(size_of::<Db>() as u128 <= SHARD_BYTES);
        assert_eq!(size_of::<(u64, Ev)>() as u128, EVENT_BYTES);
    }
}
