//! Building a [`Model`] from a [`Scenario`]: the shared parts (nodes, stations, components,
//! hop table, data centers, autoscalers, client), then each kind's own builder (in its kind
//! file) for its state. Everything the run needs is allocated here.

use crate::engine::random::stream;
use crate::engine::{Dist, EventQueue, SimTime, Stream};
use crate::metrics::LatencyHist;
use crate::scenario::{Arrival, Component, ComponentKind, Op, Scenario};
use crate::topology::Topology;

use super::autoscale::{NO_SCALER, Scaler};
use super::client::Client;
use super::core::{ClassAcc, Comp, Core, Ctr, Ev, EvKind, Lane, Node};
use super::faults::RetryPolicy;
use super::geo::{self, Geo};
use super::kinds::cache::CacheSetup;
use super::kinds::database::DbSpec;
use super::kinds::queue::QueueSpec;
use super::kinds::server::GroupSpec;
use super::kinds::{
    Kinds, NodeKind, Role, Serves, balancer, cache, database, queue, server, store,
};
use super::measure::{WarmSnap, Window};
use super::request::Slab;
use super::station::Station;
use super::{Cause, Model};
use crate::engine::random::component_stream;

/// The parts every kind's builder adds to: nodes, stations, the kinds' state, the call
/// table, queue feeds.
pub(crate) struct Builder<'a> {
    /// The scenario being built.
    pub(crate) sc: &'a Scenario,
    /// Nodes so far (node 0: the client).
    pub(crate) nodes: Vec<Node>,
    /// Stations so far.
    pub(crate) stations: Vec<Station>,
    /// Each kind's state so far.
    pub(crate) kinds: Kinds,
    /// Downstream calls of every server class, concatenated.
    pub(crate) calls: Vec<u32>,
    /// Per component: the queue a worker group consumes from.
    pub(crate) feeds: Vec<Option<u32>>,
    /// Per node: its replica number within a database shard (`u32::MAX`: not a replica).
    pub(crate) node_replica: Vec<u32>,
    /// Keys in the scenario.
    pub(crate) key_space: u64,
}

impl<'a> Builder<'a> {
    /// An empty build of `sc`: the client's node only.
    pub(crate) fn new(sc: &'a Scenario) -> Builder<'a> {
        Builder {
            sc,
            nodes: vec![Node {
                comp: u32::MAX,
                kind: NodeKind::Client,
            }],
            stations: Vec::new(),
            kinds: Kinds::default(),
            calls: Vec::new(),
            feeds: vec![None; sc.components.len()],
            node_replica: Vec::new(),
            key_space: sc.key_space(),
        }
    }

    /// Adds a node of component `ci`.
    pub(crate) fn add_node(&mut self, ci: usize, kind: NodeKind) {
        self.nodes.push(Node {
            comp: ci as u32,
            kind,
        });
    }

    /// Adds a station node of component `ci`.
    pub(crate) fn add_station(
        &mut self,
        ci: usize,
        workers: u32,
        queue: Option<u64>,
        rng: Stream,
        serves: Serves,
    ) {
        let s = self.stations.len() as u32;
        self.stations.push(Station::new(workers, queue, rng));
        self.add_node(ci, NodeKind::Station(s, serves));
    }

    /// Builds component `ci` through its kind's builder: its nodes, workers per node, role.
    pub(crate) fn component(&mut self, ci: usize, c: &Component) -> (u32, u32, Role) {
        let sc = self.sc;
        match &c.kind {
            ComponentKind::Dns { .. } => (0, 0, Role::Dns),
            ComponentKind::LoadBalancer {
                policy,
                to,
                latency,
                health,
            } => balancer::build(self, ci, &c.name, *policy, *to, latency, *health),
            ComponentKind::Server {
                workers,
                queue,
                service,
                calls,
                sessions,
                defences,
                ..
            } => {
                let g = GroupSpec {
                    workers: *workers,
                    queue: *queue,
                    service,
                    calls,
                    sessions: sessions.as_ref(),
                    defences: defences.any().then_some(defences),
                };
                server::build(self, ci, g)
            }
            ComponentKind::Worker {
                workers,
                service,
                calls,
                ..
            } => {
                let g = GroupSpec {
                    workers: *workers,
                    queue: None,
                    service,
                    calls,
                    sessions: None,
                    defences: None,
                };
                server::build(self, ci, g)
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
                let d = DbSpec {
                    workers: *workers,
                    queue: *queue,
                    read,
                    write,
                    replicas: *replicas,
                    read_from: *read_from,
                    lag,
                    sync: *sync,
                    failover: *failover,
                    shards: *shards,
                    strategy: *strategy,
                    shard_key: *shard_key,
                    vnodes: *vnodes,
                };
                database::build(self, ci, d)
            }
            ComponentKind::Cache {
                cache,
                miss,
                write_policy,
                cacheable,
            } => {
                let setup = CacheSetup {
                    spec: cache,
                    miss: *miss,
                    write_policy: Some(*write_policy),
                    cacheable: cacheable.clone(),
                    served: cacheable,
                };
                cache::build(self, ci, setup)
            }
            ComponentKind::Cdn { cache, origin } => {
                let served: Vec<bool> = sc.traffic.classes.iter().map(|k| k.is_static).collect();
                let setup = CacheSetup {
                    spec: cache,
                    miss: *origin,
                    write_policy: None,
                    cacheable: vec![true; sc.traffic.classes.len()],
                    served: &served,
                };
                cache::build(self, ci, setup)
            }
            ComponentKind::Store {
                workers,
                queue,
                service,
            } => store::build(self, ci, *workers, *queue, service),
            ComponentKind::Queue {
                capacity,
                latency,
                consumers,
                visibility_timeout,
                max_attempts,
            } => {
                let spec = QueueSpec {
                    capacity: *capacity,
                    latency,
                    consumers: *consumers,
                    visibility: *visibility_timeout,
                    max_attempts: *max_attempts,
                };
                queue::build(self, ci, spec)
            }
        }
    }

    /// Caches whose miss target (or CDN origin) is a database judge staleness against it.
    fn link_caches(&mut self, comps: &[Comp]) {
        let topology = Topology::of(&self.sc.components);
        for (ci, c) in comps.iter().enumerate() {
            if let Some(cache) = c.role.cache()
                && let Some(to) = topology.target(ci)
                && let Role::Database(route) = comps[to].role
            {
                self.kinds.caches[cache as usize].backing_db = Some(route);
            }
        }
    }
}

/// The hop latency table: row = caller (0 client, c+1 component c), column = callee. A
/// link's latency applies in both directions (request and reply).
fn hop_table(sc: &Scenario) -> (Vec<u16>, Vec<Dist>) {
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
    (hop_idx, hops)
}

/// Autoscalers, and the balancers in front of each autoscaled group: the scalers, each
/// component's scaler and each node's (`NO_SCALER`: none). Autoscaled groups rotate over
/// their active instances.
fn scalers(
    sc: &Scenario,
    b: &Builder<'_>,
    comps: &mut [Comp],
) -> (Vec<Scaler>, Vec<u32>, Vec<u32>) {
    let mut scalers = Vec::new();
    let mut comp_scaler = vec![NO_SCALER; sc.components.len()];
    let mut node_scaler = vec![NO_SCALER; b.nodes.len()];
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
        let front: Vec<u32> = b
            .nodes
            .iter()
            .filter_map(|n| match n.kind {
                NodeKind::Balancer(lb) if b.kinds.lbs[lb as usize].to as usize == ci => Some(lb),
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
            b.feeds[ci],
            component_stream(sc.seed, &format!("{}#autoscale", c.name)),
        ));
    }
    (scalers, comp_scaler, node_scaler)
}

impl Model {
    /// Builds the model for `sc`. Allocates everything the run needs up front.
    pub fn new(sc: &Scenario) -> Model {
        let mut b = Builder::new(sc);
        let mut comps = Vec::with_capacity(sc.components.len());
        for (ci, c) in sc.components.iter().enumerate() {
            let first_node = b.nodes.len() as u32;
            let (n_nodes, workers, role) = b.component(ci, c);
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
        b.link_caches(&comps);
        let (hop_idx, hops) = hop_table(sc);
        let n_nodes_total = b.nodes.len();
        b.node_replica.resize(n_nodes_total, u32::MAX);
        let node_comp: Vec<u32> = b.nodes.iter().map(|n| n.comp).collect();
        let geo = Geo::new(
            sc,
            &node_comp,
            &geo::replica_placement(sc, &node_comp, &b.node_replica),
        );
        let (scalers, comp_scaler, node_scaler) = scalers(sc, &b, &mut comps);
        let class_entry = sc
            .traffic
            .classes
            .iter()
            .map(|c| match (c.is_static, sc.cdn) {
                (true, Some(cdn)) => cdn as u32,
                _ => sc.entry as u32,
            })
            .collect();
        let core = Core {
            now: 0,
            end: sc.duration.0,
            stopped: None,
            warmup: sc.warmup.0,
            queue: EventQueue::with_capacity(1024),
            lane: Lane::with_capacity(64),
            reqs: Slab::default(),
            nodes: b.nodes,
            comps,
            stations: b.stations,
            trace_p: 0.0,
            trace_rng: stream(sc.seed, "trace"),
            traces: Vec::new(),
            service_times: Vec::new(),
            calls: b.calls,
            op_write: sc
                .traffic
                .classes
                .iter()
                .map(|c| c.op == Op::Write)
                .collect(),
            class_session: sc.traffic.classes.iter().map(|c| c.session).collect(),
            node_up: vec![true; n_nodes_total],
            node_epoch: vec![0; n_nodes_total],
            node_part: vec![false; n_nodes_total],
            connect_timeout: sc.network.connect_timeout.0,
            node_scaler,
            inbound: vec![0; n_nodes_total],
            hop_idx,
            hops,
            n_comps: sc.components.len(),
            net_rng: stream(sc.seed, "network"),
            geo,
            class_size: sc.traffic.classes.iter().map(|c| c.size).collect(),
            cross_bytes: [0; 2],
        };
        let mut m = Model {
            core,
            kinds: b.kinds,
            feeds: b.feeds,
            copiers: Vec::new(),
            migs: Vec::new(),
            class_entry,
            entry: sc.entry as u32,
            faults: sc.faults.clone(),
            detected: vec![None; n_nodes_total],
            promoted_at: vec![None; sc.components.len()],
            scalers,
            comp_scaler,
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
            events: 0,
            offered: 0,
            completed: 0,
            good: 0,
            failed: 0,
            attempts: 0,
            dns_lookups: 0,
            errors: [0; Cause::COUNT],
            errors_by_comp: vec![[0; Cause::COUNT]; sc.components.len() + 1],
            hist: LatencyHist::new(),
            classes: sc
                .traffic
                .classes
                .iter()
                .map(|c| ClassAcc {
                    deadline: c.deadline.map_or(u64::MAX, |d| d.0),
                    ..ClassAcc::default()
                })
                .collect(),
            window: Window::new(sc),
            warm: WarmSnap::default(),
            scenario_name: sc.name.clone(),
            about: sc.about.clone(),
            seed: sc.seed,
            class_names: sc.traffic.classes.iter().map(|c| c.name.clone()).collect(),
            priced: sc
                .components
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let t = &sc.prices[c.instance?];
                    Some((i as u32, t.name.clone(), t.hourly))
                })
                .collect(),
            transfer: sc
                .traffic
                .classes
                .iter()
                .any(|c| c.size > 0)
                .then_some(sc.transfer_prices),
        };
        m.prime(sc);
        m
    }

    /// Schedules the first events: arrivals or user wake-ups, ticks, faults, health checks,
    /// scalers, GeoDNS probes, the end of warm-up.
    fn prime(&mut self, sc: &Scenario) {
        match &sc.traffic.arrival {
            Arrival::Open(_) => {
                let source = self.client.arrivals.as_mut().expect("open arrivals");
                if let Some(t) = source.next(0, &mut self.client.rng)
                    && t < self.core.end
                {
                    self.core
                        .queue
                        .push(SimTime(t), Ev::new(EvKind::Arrival, 0, 0));
                }
            }
            Arrival::Closed { think } => {
                for u in 0..sc.traffic.users {
                    let t = think.sample(&mut self.client.rng);
                    if t < self.core.end {
                        self.core
                            .queue
                            .push(SimTime(t), Ev::new(EvKind::UserWake, 0, u as u32));
                    }
                }
            }
        }
        if self.window.len < self.core.end {
            self.core
                .queue
                .push(SimTime(self.window.len), Ev::new(EvKind::Tick, 0, 0));
        }
        for (i, f) in self.faults.iter().enumerate() {
            self.core
                .queue
                .push(f.at, Ev::new(EvKind::FaultStart, i as u32, 0));
            if let Some(u) = f.until
                && u.0 < self.core.end
            {
                self.core
                    .queue
                    .push(u, Ev::new(EvKind::FaultEnd, i as u32, 0));
            }
        }
        self.prime_health();
        self.prime_scalers();
        self.prime_geo(sc.seed);
        self.core
            .queue
            .push(SimTime(self.core.warmup), Ev::new(EvKind::Warmup, 0, 0));
    }
}
