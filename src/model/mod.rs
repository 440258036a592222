//! The model: components built from a [`Scenario`], driven by the engine's event queue.
//!
//! Components are flattened at build time into *nodes* (one per instance: `web#0..web#3`,
//! the database, each balancer) and node 0, the client. Every name is resolved to an index
//! then; while running, an event is a `Copy` value `(kind, node, request)` and a request is
//! a slab index. Nothing is allocated or looked up by name per event.
//!
//! Flow of a request: the client creates it (after a DNS lookup when the user's cached
//! answer has expired) and sends it to the entry component; a balancer forwards it to one
//! instance; a server instance queues it, serves it (holding a worker), then makes its
//! downstream calls in order, still holding the worker, and replies when the last call
//! returns; a database serves it and replies. Replies retrace the call stack. A failure
//! (a full queue) travels back the same way and ends the request with its cause.
//!
//! Ordering: events pop in `(time, sequence)` order. A message sent with zero delay goes to
//! a FIFO lane that is drained before the next timed event, so it is handled at the same
//! instant, in the order sent. The run processes events with time strictly below the
//! duration; when [`Model::run`] returns, the clock stands at the duration.

pub mod cache_store;
pub mod client;
pub mod load_balancer;
pub mod request;
pub mod station;

use std::collections::VecDeque;

use crate::engine::random::{component_stream, stream};
use crate::engine::{Dist, EventQueue, SimTime, Stream};
use crate::metrics::{
    ClassReport, ClientReport, ComponentReport, EngineReport, LatencyHist, Report, RequestCounts,
    TimeSeries, WindowRow,
};
use crate::scenario::{Arrival, ComponentKind, Op, Scenario};

use client::Client;
use load_balancer::Balancer;
pub use request::Cause;
use request::{Frame, Slab};
use station::{Admit, Areas, Station};

/// Node 0 is the client.
const CLIENT: u32 = 0;

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
    /// A client deadline; `node` holds the request generation.
    Timeout,
    /// A time-series window ends.
    Tick,
    /// Warm-up ends: statistics start.
    Warmup,
}

#[derive(Clone, Copy, Debug)]
struct Ev {
    kind: EvKind,
    node: u32,
    req: u32,
}

#[derive(Clone, Copy, Debug)]
enum NodeKind {
    Client,
    Balancer(u32),
    Station(u32),
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
    },
    Database {
        read: Dist,
        write: Dist,
    },
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
    /// Requests that arrived (all kinds), cumulative.
    arrivals: u64,
    /// Time in component of replies sent after warm-up.
    hist: LatencyHist,
    /// Balancers: open connections and their area.
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
    rows: Vec<WindowRow>,
}

/// Snapshot at the end of warm-up.
#[derive(Debug, Default, Clone)]
struct WarmSnap {
    stations: Vec<Areas>,
    comp_arrivals: Vec<u64>,
    open_area: Vec<u128>,
}

/// A built model, ready to run once.
pub struct Model {
    now: u64,
    end: u64,
    warmup: u64,
    queue: EventQueue<Ev>,
    lane: VecDeque<Ev>,
    reqs: Slab,
    nodes: Vec<Node>,
    comps: Vec<Comp>,
    stations: Vec<Station>,
    lbs: Vec<Balancer>,
    calls: Vec<u32>,
    op_write: Vec<bool>,
    entry: u32,
    client: Client,
    /// Hop latency table: row = caller (0 client, c+1 component c), column = callee.
    hop_idx: Vec<u16>,
    hops: Vec<Dist>,
    n_comps: usize,
    net_rng: Stream,
    // Measurements.
    events: u64,
    offered: u64,
    completed: u64,
    failed: u64,
    attempts: u64,
    dns_lookups: u64,
    errors: [u64; Cause::COUNT],
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
        let mut calls = Vec::new();
        let n_classes = sc.traffic.classes.len();
        for (ci, c) in sc.components.iter().enumerate() {
            let first_node = nodes.len() as u32;
            let (n_nodes, workers, role) = match &c.kind {
                ComponentKind::Dns { .. } => (0, 0, Role::Dns),
                ComponentKind::LoadBalancer {
                    policy,
                    to,
                    latency,
                } => {
                    let backends = match &sc.components[*to].kind {
                        ComponentKind::Server { count, .. } => *count as usize,
                        _ => 1,
                    };
                    let lb = lbs.len() as u32;
                    lbs.push(Balancer::new(
                        *policy,
                        backends,
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
                    count,
                    workers,
                    queue,
                    service,
                    calls: cc,
                } => {
                    for i in 0..*count {
                        let s = stations.len() as u32;
                        stations.push(Station::new(
                            *workers,
                            *queue,
                            component_stream(sc.seed, &format!("{}#{i}", c.name)),
                        ));
                        nodes.push(Node {
                            comp: ci as u32,
                            kind: NodeKind::Station(s),
                        });
                    }
                    let mut ranges = Vec::with_capacity(n_classes);
                    for list in cc {
                        ranges.push((calls.len() as u32, list.len() as u32));
                        calls.extend(list.iter().map(|&t| t as u32));
                    }
                    (
                        *count,
                        *workers,
                        Role::Server {
                            service: service.clone(),
                            calls: ranges,
                        },
                    )
                }
                ComponentKind::Database {
                    workers,
                    queue,
                    read,
                    write,
                } => {
                    let s = stations.len() as u32;
                    stations.push(Station::new(
                        *workers,
                        *queue,
                        component_stream(sc.seed, &c.name),
                    ));
                    nodes.push(Node {
                        comp: ci as u32,
                        kind: NodeKind::Station(s),
                    });
                    (
                        1,
                        *workers,
                        Role::Database {
                            read: read.clone(),
                            write: write.clone(),
                        },
                    )
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
                arrivals: 0,
                hist: LatencyHist::new(),
                open: 0,
                open_area: 0,
                open_last: 0,
            });
        }
        // Hop table.
        let n = sc.components.len();
        let mut hops = vec![sc.network.hop.clone()];
        let mut hop_idx = vec![0u16; (n + 1) * n];
        // A link's latency applies in both directions (request and reply).
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
            hist: LatencyHist::new(),
            busy_snap: vec![0; n],
            rows: Vec::with_capacity((sc.duration.0 / sc.window.0.max(1) + 1) as usize),
        };
        let mut m = Model {
            now: 0,
            end: sc.duration.0,
            warmup: sc.warmup.0,
            queue: EventQueue::with_capacity(1024),
            lane: VecDeque::with_capacity(64),
            reqs: Slab::default(),
            nodes,
            comps,
            stations,
            lbs,
            calls,
            op_write: sc
                .traffic
                .classes
                .iter()
                .map(|c| c.op == Op::Write)
                .collect(),
            entry: sc.entry as u32,
            client: Client::new(sc),
            hop_idx,
            hops,
            n_comps: n,
            net_rng: stream(sc.seed, "network"),
            events: 0,
            offered: 0,
            completed: 0,
            failed: 0,
            attempts: 0,
            dns_lookups: 0,
            errors: [0; Cause::COUNT],
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

    /// Schedules the first events: arrivals or user wake-ups, ticks, the end of warm-up.
    fn prime(&mut self, sc: &Scenario) {
        match &sc.traffic.arrival {
            Arrival::Open(_) => {
                let source = self.client.arrivals.as_mut().expect("open arrivals");
                if let Some(t) = source.next(0, &mut self.client.rng)
                    && t < self.end
                {
                    self.queue.push(
                        SimTime(t),
                        Ev {
                            kind: EvKind::Arrival,
                            node: 0,
                            req: 0,
                        },
                    );
                }
            }
            Arrival::Closed { think } => {
                for u in 0..sc.traffic.users {
                    let t = think.sample(&mut self.client.rng);
                    if t < self.end {
                        self.queue.push(
                            SimTime(t),
                            Ev {
                                kind: EvKind::UserWake,
                                node: 0,
                                req: u as u32,
                            },
                        );
                    }
                }
            }
        }
        if self.window.len < self.end {
            self.queue.push(
                SimTime(self.window.len),
                Ev {
                    kind: EvKind::Tick,
                    node: 0,
                    req: 0,
                },
            );
        }
        self.queue.push(
            SimTime(self.warmup),
            Ev {
                kind: EvKind::Warmup,
                node: 0,
                req: 0,
            },
        );
    }

    /// Runs to the end of the scenario and returns the report (engine wall time unset).
    pub fn run(mut self) -> Report {
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
        self.now = self.end;
        self.report()
    }

    #[inline]
    fn dispatch(&mut self, ev: Ev) {
        match ev.kind {
            EvKind::Arrival => self.on_arrival(),
            EvKind::UserWake => self.new_request(Some(ev.req)),
            EvKind::DnsDone => self.send_to_entry(ev.req),
            EvKind::Deliver => self.on_deliver(ev.node, ev.req),
            EvKind::ServiceDone => self.on_service_done(ev.node, ev.req),
            EvKind::Reply => self.on_reply(ev.node, ev.req),
            EvKind::Timeout => self.on_timeout(ev.node, ev.req),
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

    /// Picks the node of `comp` a caller without a balancer sends to: round robin.
    #[inline]
    fn pick_node(&mut self, comp: u32) -> u32 {
        let c = &mut self.comps[comp as usize];
        if c.n_nodes <= 1 {
            return c.first_node;
        }
        let i = c.rr;
        c.rr = if i + 1 == c.n_nodes { 0 } else { i + 1 };
        c.first_node + i
    }

    fn on_arrival(&mut self) {
        let source = self.client.arrivals.as_mut().expect("open arrivals");
        if let Some(t) = source.next(self.now, &mut self.client.rng)
            && t < self.end
        {
            self.queue.push(
                SimTime(t),
                Ev {
                    kind: EvKind::Arrival,
                    node: 0,
                    req: 0,
                },
            );
        }
        self.new_request(None);
    }

    fn new_request(&mut self, user: Option<u32>) {
        let (class, user, key) = self.client.draw(user);
        let now = self.now;
        let measured = now >= self.warmup;
        let r = self.reqs.alloc();
        let req = self.reqs.get_mut(r);
        req.start = now;
        req.class = class;
        req.user = user;
        req.key = key;
        req.measured = measured;
        req.push(Frame {
            node: CLIENT,
            step: 0,
            t_in: now,
        });
        let generation = req.generation;
        self.window.offered += 1;
        if measured {
            self.offered += 1;
            self.attempts += 1;
            self.classes[class as usize].offered += 1;
        }
        if let Some(t) = self.client.timeout {
            self.queue.push(
                SimTime(now + t),
                Ev {
                    kind: EvKind::Timeout,
                    node: generation,
                    req: r,
                },
            );
        }
        if let Some(dns) = &mut self.client.dns
            && dns.expires[user as usize] <= now
        {
            let lat = dns.latency.sample(&mut dns.rng);
            dns.expires[user as usize] = now + lat + dns.ttl;
            let comp = dns.comp;
            self.comps[comp].arrivals += 1;
            if measured {
                self.dns_lookups += 1;
            }
            self.after(
                lat,
                Ev {
                    kind: EvKind::DnsDone,
                    node: 0,
                    req: r,
                },
            );
            return;
        }
        self.send_to_entry(r);
    }

    fn send_to_entry(&mut self, r: u32) {
        let node = self.pick_node(self.entry);
        let d = self.hop(0, self.entry);
        self.after(
            d,
            Ev {
                kind: EvKind::Deliver,
                node,
                req: r,
            },
        );
    }

    fn on_deliver(&mut self, node: u32, r: u32) {
        let n = self.nodes[node as usize];
        let now = self.now;
        self.comps[n.comp as usize].arrivals += 1;
        match n.kind {
            NodeKind::Balancer(b) => {
                let req = self.reqs.get_mut(r);
                let user = req.user;
                let lb = &mut self.lbs[b as usize];
                let i = lb.choose(user);
                lb.conns[i] += 1;
                req.push(Frame {
                    node,
                    step: i as u32,
                    t_in: now,
                });
                self.open_change(n.comp, true);
                let Role::Balancer { to, latency, .. } = &self.comps[n.comp as usize].role else {
                    unreachable!("balancer node of a non-balancer component")
                };
                let to = *to;
                let extra = latency.sample(&mut self.lbs[b as usize].rng);
                let target = self.comps[to as usize].first_node + i as u32;
                let d = extra + self.hop(n.comp as usize + 1, to);
                self.after(
                    d,
                    Ev {
                        kind: EvKind::Deliver,
                        node: target,
                        req: r,
                    },
                );
            }
            NodeKind::Station(s) => match self.stations[s as usize].arrive(now, r) {
                Admit::Serve => {
                    self.reqs.get_mut(r).push(Frame {
                        node,
                        step: 0,
                        t_in: now,
                    });
                    self.start_service(node, s, r);
                }
                Admit::Queued => self.reqs.get_mut(r).push(Frame {
                    node,
                    step: 0,
                    t_in: now,
                }),
                Admit::Rejected => self.fail_back(r, Cause::QueueFull, n.comp),
            },
            NodeKind::Client => unreachable!("requests are never delivered to the client"),
        }
    }

    /// Balancer connection accounting (area of open connections).
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
        let comp = self.nodes[node as usize].comp as usize;
        let class = self.reqs.get(r).class as usize;
        let st = &mut self.stations[s as usize];
        let t = match &self.comps[comp].role {
            Role::Server { service, .. } => service[class].sample(&mut st.rng),
            Role::Database { read, write } => {
                if self.op_write[class] {
                    write.sample(&mut st.rng)
                } else {
                    read.sample(&mut st.rng)
                }
            }
            _ => unreachable!("only stations serve"),
        };
        self.after(
            t,
            Ev {
                kind: EvKind::ServiceDone,
                node,
                req: r,
            },
        );
    }

    fn on_service_done(&mut self, node: u32, r: u32) {
        let comp = self.nodes[node as usize].comp as usize;
        match self.comps[comp].role {
            Role::Server { .. } => self.advance(node, r),
            _ => self.finish(node, r),
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
            let tnode = self.pick_node(target);
            let d = self.hop(comp as usize + 1, target);
            self.after(
                d,
                Ev {
                    kind: EvKind::Deliver,
                    node: tnode,
                    req: r,
                },
            );
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
        if self.now >= self.warmup {
            self.comps[n.comp as usize]
                .hist
                .record(self.now - frame.t_in);
        }
        if let Some(next) = self.stations[s as usize].depart(self.now) {
            self.start_service(node, s, next);
        }
        self.reply(n.comp, r);
    }

    /// Sends the reply of component `from` to whoever is on top of the request's stack.
    #[inline]
    fn reply(&mut self, from: u32, r: u32) {
        let caller = self.reqs.get(r).top().node;
        let d = self.hop(self.row_of(caller), from);
        self.after(
            d,
            Ev {
                kind: EvKind::Reply,
                node: caller,
                req: r,
            },
        );
    }

    fn fail_back(&mut self, r: u32, cause: Cause, comp: u32) {
        let req = self.reqs.get_mut(r);
        req.fail = cause;
        req.fail_comp = comp;
        self.reply(comp, r);
    }

    fn on_reply(&mut self, node: u32, r: u32) {
        let n = self.nodes[node as usize];
        match n.kind {
            NodeKind::Client => self.client_reply(r),
            NodeKind::Balancer(b) => {
                let f = self.reqs.get_mut(r).pop();
                self.lbs[b as usize].conns[f.step as usize] -= 1;
                self.open_change(n.comp, false);
                if self.now >= self.warmup {
                    self.comps[n.comp as usize].hist.record(self.now - f.t_in);
                }
                self.reply(n.comp, r);
            }
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

    fn client_reply(&mut self, r: u32) {
        let req = self.reqs.get(r);
        if !req.client_done {
            let cause = req.fail;
            self.outcome(r, cause);
        }
        self.reqs.free(r);
    }

    fn on_timeout(&mut self, generation: u32, r: u32) {
        let req = self.reqs.get(r);
        if req.generation == generation && !req.client_done {
            self.outcome(r, Cause::Timeout);
        }
    }

    /// Records how a request ended for its client (exactly once per request).
    fn outcome(&mut self, r: u32, cause: Cause) {
        let now = self.now;
        let req = self.reqs.get_mut(r);
        req.client_done = true;
        let (lat, measured, class, user) =
            (now - req.start, req.measured, req.class as usize, req.user);
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
            if measured {
                self.failed += 1;
                self.errors[cause as usize] += 1;
                self.classes[class].failed += 1;
            }
        }
        if let Some(think) = &self.client.think {
            let t = think.sample(&mut self.client.rng);
            if now + t < self.end {
                self.queue.push(
                    SimTime(now + t),
                    Ev {
                        kind: EvKind::UserWake,
                        node: 0,
                        req: user,
                    },
                );
            }
        }
    }

    fn touch_all(&mut self) {
        for s in &mut self.stations {
            s.touch(self.now);
        }
        for c in &mut self.comps {
            c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
            c.open_last = self.now;
        }
    }

    fn on_warmup(&mut self) {
        self.touch_all();
        self.warm = WarmSnap {
            stations: self.stations.iter().map(|s| s.acc).collect(),
            comp_arrivals: self.comps.iter().map(|c| c.arrivals).collect(),
            open_area: self.comps.iter().map(|c| c.open_area).collect(),
        };
        for s in &mut self.stations {
            s.max_queue = s.queue.len() as u64;
        }
    }

    fn on_tick(&mut self) {
        self.flush_window();
        let next = self.now + self.window.len;
        if next < self.end {
            self.queue.push(
                SimTime(next),
                Ev {
                    kind: EvKind::Tick,
                    node: 0,
                    req: 0,
                },
            );
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

    /// Closes the window `[start, now)` into a row.
    fn flush_window(&mut self) {
        self.touch_all();
        let len = self.now - self.window.start;
        if len == 0 {
            return;
        }
        let busy = self.busy_by_comp();
        let secs = len as f64 / 1e9;
        let w = &mut self.window;
        let utilization = self
            .comps
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (c.workers > 0).then(|| {
                    (busy[i] - w.busy_snap[i]) as f64
                        / (f64::from(c.workers) * f64::from(c.n_nodes) * len as f64)
                })
            })
            .collect();
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
        });
        w.busy_snap = busy;
        w.start = self.now;
        w.offered = 0;
        w.completed = 0;
        w.failed = 0;
        w.hist.reset();
    }

    fn report(mut self) -> Report {
        self.flush_window();
        let measured_ns = (self.end - self.warmup) as f64;
        let measured_s = measured_ns / 1e9;
        let in_flight = self
            .reqs
            .iter_live()
            .filter(|r| r.measured && !r.client_done)
            .count() as u64;
        let mut errors = indexmap::IndexMap::new();
        for c in Cause::ALL {
            let n = self.errors[c as usize];
            if n > 0 {
                errors.insert(c.as_str().to_string(), n);
            }
        }
        let mut classes = indexmap::IndexMap::new();
        for (i, c) in self.classes.iter().enumerate() {
            classes.insert(
                self.class_names[i].clone(),
                ClassReport {
                    offered: c.offered,
                    completed: c.completed,
                    failed: c.failed,
                    latency_ms: c.hist.summary(),
                },
            );
        }
        let mut components = indexmap::IndexMap::new();
        let mut per_comp = vec![Areas::default(); self.comps.len()];
        let mut max_queue = vec![0u64; self.comps.len()];
        for node in &self.nodes {
            if let NodeKind::Station(s) = node.kind {
                let st = &self.stations[s as usize];
                let d = st.acc.minus(&self.warm.stations[s as usize]);
                let a = &mut per_comp[node.comp as usize];
                a.busy += d.busy;
                a.queue += d.queue;
                a.present += d.present;
                a.arrivals += d.arrivals;
                a.rejected += d.rejected;
                max_queue[node.comp as usize] = max_queue[node.comp as usize].max(st.max_queue);
            }
        }
        let mut bottleneck: Option<(f64, String)> = None;
        for (i, c) in self.comps.iter().enumerate() {
            let a = &per_comp[i];
            let utilization = (c.workers > 0).then(|| {
                a.busy as f64 / (f64::from(c.workers) * f64::from(c.n_nodes) * measured_ns)
            });
            if let Some(u) = utilization
                && bottleneck.as_ref().is_none_or(|(b, _)| u > *b)
            {
                bottleneck = Some((u, c.name.clone()));
            }
            let present = if matches!(c.role, Role::Balancer { .. }) {
                (c.open_area - self.warm.open_area[i]) as f64
            } else {
                a.present as f64
            };
            components.insert(
                c.name.clone(),
                ComponentReport {
                    kind: c.kind.to_string(),
                    instances: c.n_nodes.max(1),
                    utilization,
                    mean_queue: a.queue as f64 / measured_ns,
                    max_queue: max_queue[i],
                    rejected: a.rejected,
                    arrivals: c.arrivals - self.warm.comp_arrivals[i],
                    mean_in_system: present / measured_ns,
                    latency_ms: c.hist.summary(),
                    extra: indexmap::IndexMap::new(),
                },
            );
        }
        let offered = self.offered;
        Report {
            scenario: self.scenario_name.clone(),
            about: self.about.clone(),
            seed: self.seed,
            duration_s: self.end as f64 / 1e9,
            warmup_s: self.warmup as f64 / 1e9,
            requests: RequestCounts {
                offered,
                completed: self.completed,
                failed: self.failed,
                in_flight,
            },
            throughput_rps: self.completed as f64 / measured_s,
            availability: if offered > 0 {
                self.completed as f64 / offered as f64
            } else {
                1.0
            },
            latency_ms: self.hist.summary(),
            errors,
            classes,
            components,
            bottleneck: bottleneck.map(|(_, n)| n),
            client: ClientReport {
                attempts_per_request: if offered > 0 {
                    self.attempts as f64 / offered as f64
                } else {
                    0.0
                },
                dns_lookups: self.dns_lookups,
            },
            engine: EngineReport {
                events: self.events,
                wall_s: None,
                events_per_s: None,
            },
            timeseries: TimeSeries {
                window_s: self.window.len as f64 / 1e9,
                components: self.comps.iter().map(|c| c.name.clone()).collect(),
                rows: std::mem::take(&mut self.window.rows),
            },
            latency_cdf: self.hist.cdf(),
        }
    }
}
