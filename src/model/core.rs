//! The shared state ([`Core`]: clock, event queue and lane, request slab, nodes, components
//! and their counters, stations, failure state, network, traces), the shared types, and the
//! call-stack protocol every kind follows: a node that takes a request pushes a frame
//! ([`Core::push_frame`]), forwards it to a component ([`Model::forward`]: routing may need
//! a kind's state), replies to whoever is on top of the stack ([`Core::reply_after`]), fails
//! it back ([`Core::fail_back`]), drops it back when it crashed meanwhile
//! ([`Model::crashed_drop`]); the client records how it ended ([`Model::outcome`]).
//! Stations (server instances, database nodes, stores) share their service protocol here:
//! [`Model::start_service`] (the kind gives the service time), [`Model::finish`].

use crate::engine::sample::round_u64;
use crate::engine::{Dist, EventQueue, SimTime, Stream};
use crate::metrics::LatencyHist;

use super::autoscale::NO_SCALER;
use super::geo::Geo;
use super::kinds::{NodeKind, Role, Serves, database};
use super::request::Slab;
use super::request::{Frame, NO_DC};
use super::station::Station;
use super::trace::{RawTrace, SERVICE_START};
use super::{Cause, Model, RunError};
use crate::scenario::MAX_DEPTH;

/// Node 0 is the client.
pub(crate) const CLIENT: u32 = 0;

/// The shared state every kind's handlers work on: the clock and the event queue with its
/// same-instant lane, the request slab, the nodes and components (with their counters) and
/// stations, the per-node failure state, the network (hop table, data centers), the class
/// tables and call lists, the autoscaled nodes' inbound counts, and the traces.
#[derive(Debug)]
pub(crate) struct Core {
    /// The clock, ns.
    pub(crate) now: u64,
    /// The end of the run; moved to `now` when a run-time bound stops it (`stopped`).
    pub(crate) end: u64,
    /// Why the run stopped early, if a run-time bound did (see `overload.rs`).
    pub(crate) stopped: Option<RunError>,
    /// The end of warm-up, ns.
    pub(crate) warmup: u64,
    /// Pending events.
    pub(crate) queue: EventQueue<Ev>,
    /// Events sent with zero delay, handled at this instant in the order sent.
    pub(crate) lane: Lane,
    /// Requests (and queue jobs) in flight.
    pub(crate) reqs: Slab,
    /// Node 0 the client, then every component's nodes.
    pub(crate) nodes: Vec<Node>,
    /// The components.
    pub(crate) comps: Vec<Comp>,
    /// Server and worker instances, database nodes, stores.
    pub(crate) stations: Vec<Station>,
    /// The share of requests traced.
    pub(crate) trace_p: f64,
    /// The tracing stream.
    pub(crate) trace_rng: Stream,
    /// The traced requests' records.
    pub(crate) traces: Vec<RawTrace>,
    /// Per request slot, per frame of its stack: when a station started and ended serving
    /// it, ns (0: not yet). Kept for traced requests only (the spans read them), and grown to
    /// the highest slot a traced request used; a frame's own 24 bytes leave them out.
    pub(crate) service_times: Vec<[[u64; 2]; MAX_DEPTH]>,
    /// Every group's calls per class, concatenated (`ServerKind::calls` indexes it).
    pub(crate) calls: Vec<u32>,
    /// Per class: whether it writes.
    pub(crate) op_write: Vec<bool>,
    /// Per class: whether it needs a session.
    pub(crate) class_session: Vec<bool>,
    /// Per node: up.
    pub(crate) node_up: Vec<bool>,
    /// Per node: its crash epoch (bumped by each crash).
    pub(crate) node_epoch: Vec<u32>,
    /// Per node: behind a partition.
    pub(crate) node_part: Vec<bool>,
    /// How long a connection into a partition takes to fail, ns.
    pub(crate) connect_timeout: u64,
    /// Per node: its scaler, or `NO_SCALER`.
    pub(crate) node_scaler: Vec<u32>,
    /// Per node of an autoscaled group: requests sent to it and not yet delivered.
    pub(crate) inbound: Vec<u32>,
    /// Hop latency table: row = caller (0 client, c+1 component c), column = callee.
    pub(crate) hop_idx: Vec<u16>,
    /// The latencies the hop table points at.
    pub(crate) hops: Vec<Dist>,
    /// Components (the hop table's width).
    pub(crate) n_comps: usize,
    /// The network's stream.
    pub(crate) net_rng: Stream,
    /// Regions, data centers and GeoDNS (empty without data centers).
    pub(crate) geo: Geo,
    /// Per class: the bytes a request moves (its `size`; 0 without one).
    pub(crate) class_size: Vec<u64>,
    /// Bytes of measured requests that crossed between data centers: in calls that
    /// succeeded ([`CROSS_CALLS`]), in writes shipped to replicas ([`CROSS_REPLICATION`]).
    pub(crate) cross_bytes: [u64; 2],
}

/// The same-instant lane: a FIFO that is filled and drained within one instant, so a `Vec`
/// and a read position do (cheaper than a ring buffer's wrap-around arithmetic); it empties,
/// and rewinds, whenever the last event is taken.
#[derive(Debug, Default)]
pub(crate) struct Lane {
    evs: Vec<Ev>,
    head: usize,
}

impl Lane {
    /// An empty lane with room for `n` events.
    pub(crate) fn with_capacity(n: usize) -> Lane {
        Lane {
            evs: Vec::with_capacity(n),
            head: 0,
        }
    }

    /// Appends an event.
    #[inline(always)]
    pub(crate) fn push_back(&mut self, ev: Ev) {
        self.evs.push(ev);
    }

    /// Takes the oldest event.
    #[inline(always)]
    pub(crate) fn pop_front(&mut self) -> Option<Ev> {
        let ev = *self.evs.get(self.head)?;
        self.head += 1;
        if self.head == self.evs.len() {
            self.evs.clear();
            self.head = 0;
        }
        Some(ev)
    }

    /// Drops every event.
    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.evs.clear();
        self.head = 0;
    }
}

/// [`Core::cross_bytes`]: a call between data centers.
pub(crate) const CROSS_CALLS: usize = 0;
/// [`Core::cross_bytes`]: a write shipped to a replica in another data center.
pub(crate) const CROSS_REPLICATION: usize = 1;

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum EvKind {
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
    /// A scheduled fault starts (`node` = fault index).
    FaultStart,
    /// A scheduled fault ends (`node` = fault index).
    FaultEnd,
    /// A random fault takes node `req` down (`node` = fault index).
    RandomDown,
    /// A random fault brings node `req` back (`node` = fault index).
    RandomUp,
    /// Balancer node `node` (balancer `req`) probes its backends.
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
    /// Database node `node` finished serving copier `req`'s batch (crash epoch `aux`).
    MigrateDone,
    /// A request (generation `aux`) waiting at server node `node` for a bulkhead or pool
    /// place gives up.
    PlaceTimeout,
    /// A hedged call of request `req` (generation `aux`) at server node `node` sends its
    /// second copy.
    HedgeFire,
    /// A time-series window ends.
    Tick,
    /// Warm-up ends: statistics start.
    Warmup,
}

impl EvKind {
    /// The kind numbered `code` (`kind as u8`).
    #[inline(always)]
    fn of(code: u8) -> EvKind {
        match code {
            0 => EvKind::Arrival,
            1 => EvKind::UserWake,
            2 => EvKind::DnsDone,
            3 => EvKind::Deliver,
            4 => EvKind::ServiceDone,
            5 => EvKind::Reply,
            6 => EvKind::Timeout,
            7 => EvKind::Apply,
            8 => EvKind::SyncAck,
            9 => EvKind::Refuse,
            10 => EvKind::FaultStart,
            11 => EvKind::FaultEnd,
            12 => EvKind::RandomDown,
            13 => EvKind::RandomUp,
            14 => EvKind::HealthTick,
            15 => EvKind::DnsHealth,
            16 => EvKind::Promote,
            17 => EvKind::RetryFire,
            18 => EvKind::VisTimeout,
            19 => EvKind::ScaleTick,
            20 => EvKind::ScaleReady,
            21 => EvKind::MigrateBatch,
            22 => EvKind::MigrateDone,
            23 => EvKind::PlaceTimeout,
            24 => EvKind::HedgeFire,
            25 => EvKind::Tick,
            26 => EvKind::Warmup,
            _ => unreachable!("event code {code} names no kind"),
        }
    }
}

/// An event: `Copy`, 16 bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ev {
    /// What it is: an [`EvKind`]'s number, read with [`Ev::kind`]. A plain byte rather than
    /// the enum, so that `Option<Ev>` is not laid out around the enum's niche: with the niche,
    /// the compiler copied the other 14 bytes as two overlapping 8-byte halves, and reading
    /// them back stalled the event loop on store forwarding.
    pub(crate) code: u8,
    /// A small extra: a database term, a delivery attempt.
    pub(crate) tag: u16,
    /// The node (or fault, scaler, copier, database) it is for.
    pub(crate) node: u32,
    /// The request (or key, instance).
    pub(crate) req: u32,
    /// An extra: a crash epoch, a generation, a version, a cause.
    pub(crate) aux: u32,
}

impl Ev {
    /// What it is.
    #[inline(always)]
    pub(crate) fn kind(&self) -> EvKind {
        EvKind::of(self.code)
    }

    /// An event with no extras.
    #[inline]
    pub(crate) fn new(kind: EvKind, node: u32, req: u32) -> Ev {
        Ev {
            code: kind as u8,
            tag: 0,
            node,
            req,
            aux: 0,
        }
    }
}

/// A node: an instance of a component.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    /// Its component (`u32::MAX` for the client).
    pub(crate) comp: u32,
    /// What it is, with the index of its kind's state.
    pub(crate) kind: NodeKind,
}

/// Counters of a component, cumulative from time zero (the report subtracts the warm-up
/// snapshot).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ctr {
    pub(crate) arrivals: u64,
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    pub(crate) stale_hits: u64,
    pub(crate) evictions: u64,
    pub(crate) expirations: u64,
    pub(crate) invalidations: u64,
    pub(crate) reads: u64,
    pub(crate) writes: u64,
    pub(crate) stale_reads: u64,
    pub(crate) sessions_lost: u64,
    pub(crate) sessions_created: u64,
    pub(crate) published: u64,
    pub(crate) dropped: u64,
    pub(crate) delivered: u64,
    pub(crate) redelivered: u64,
    pub(crate) duplicates: u64,
    pub(crate) acked: u64,
    pub(crate) dead_lettered: u64,
    pub(crate) reshards: u64,
    pub(crate) keys_moved: u64,
    /// Keys copied by migrations.
    pub(crate) migration_keys: u64,
    /// The time (ns) finished migrations took.
    pub(crate) migration_ns: u64,
    /// Requests a server's token bucket turned away.
    pub(crate) rate_limited: u64,
    /// Requests a server's concurrency limit turned away.
    pub(crate) concurrency_limited: u64,
    /// Requests a server dropped for waiting past its shedding deadline.
    pub(crate) shed_deadline: u64,
    /// Requests a server's CoDel dropped.
    pub(crate) shed_codel: u64,
}

/// A component: its nodes, its role, its counters.
#[derive(Debug)]
pub(crate) struct Comp {
    /// Its name.
    pub(crate) name: String,
    /// Its kind's name.
    pub(crate) kind: &'static str,
    /// Its first node.
    pub(crate) first_node: u32,
    /// Its nodes.
    pub(crate) n_nodes: u32,
    /// Workers per node (0 for kinds without workers).
    pub(crate) workers: u32,
    /// What it is.
    pub(crate) role: Role,
    /// Round-robin pointer for callers without a balancer.
    pub(crate) rr: u32,
    /// The instances callers without a balancer rotate over (offsets from `first_node`):
    /// all of them, or an autoscaled group's active ones.
    pub(crate) rot: Vec<u32>,
    /// Its counters.
    pub(crate) ctr: Ctr,
    /// Time in component of replies sent after warm-up.
    pub(crate) hist: LatencyHist,
    /// Sum (ns) of the times in component of every reply, warm-up included (the time
    /// series takes differences per window).
    pub(crate) lat_sum: u64,
    /// Count of those replies.
    pub(crate) lat_n: u64,
    /// Requests this component failed, warm-up included (the time series' `errors`).
    pub(crate) failed: u64,
    /// Requests inside the component (balancers and caches; stations keep their own).
    pub(crate) open: u32,
    /// Requests inside x ns, cumulative.
    pub(crate) open_area: u128,
    /// When `open_area` was brought up to date.
    pub(crate) open_last: u64,
}

/// A class's totals (after warm-up).
#[derive(Debug, Default)]
pub(crate) struct ClassAcc {
    /// Goodput's deadline, ns (`u64::MAX`: none).
    pub(crate) deadline: u64,
    pub(crate) offered: u64,
    pub(crate) completed: u64,
    /// Completed within `deadline`.
    pub(crate) good: u64,
    pub(crate) failed: u64,
    /// Completed after entering at the CDN (a CDN's response to the user).
    pub(crate) cdn_completed: u64,
    pub(crate) hist: LatencyHist,
}

impl Core {
    /// Schedules `ev` after `delay` ns; zero delay goes to the same-instant lane.
    #[inline(always)]
    pub(crate) fn after(&mut self, delay: u64, ev: Ev) {
        if delay == 0 {
            self.lane.push_back(ev);
        } else {
            self.queue.push(SimTime(self.now.saturating_add(delay)), ev);
        }
    }

    /// One-way network latency between caller row (0 client, c+1 component c) and callee.
    #[inline]
    pub(crate) fn hop(&mut self, row: usize, callee: u32) -> u64 {
        let i = self.hop_idx[row * self.n_comps + callee as usize];
        self.hops[i as usize].sample(&mut self.net_rng)
    }

    /// The hop-table row of `node`: 0 for the client, its component + 1 otherwise.
    #[inline]
    pub(crate) fn row_of(&self, node: u32) -> usize {
        if node == CLIENT {
            0
        } else {
            self.nodes[node as usize].comp as usize + 1
        }
    }

    /// Node `node` takes request `r`: pushes its frame (arrival now, the node's epoch).
    #[inline]
    pub(crate) fn push_frame(&mut self, r: u32, node: u32, step: u32) {
        let (now, epoch) = (self.now, self.node_epoch[node as usize]);
        let req = self.reqs.get_mut(r);
        req.push(Frame {
            node,
            step,
            t_in: now,
            epoch,
        });
        if req.trace != u32::MAX {
            self.traced_service(r, None);
        }
    }

    /// In-component accounting for balancers and caches (area of requests inside).
    #[inline]
    pub(crate) fn open_change(&mut self, comp: u32, open: bool) {
        let c = &mut self.comps[comp as usize];
        c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
        c.open_last = self.now;
        if open {
            c.open += 1;
        } else {
            c.open -= 1;
        }
    }

    /// A crash empties a balancer or cache: nothing is inside any more.
    pub(crate) fn open_reset(&mut self, comp: u32) {
        let c = &mut self.comps[comp as usize];
        c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
        c.open_last = self.now;
        c.open = 0;
    }

    /// Schedules the end of `r`'s service at `node`, stamped with the node's crash epoch.
    #[inline]
    pub(crate) fn service_done_after(&mut self, node: u32, r: u32, delay: u64) {
        let epoch = self.node_epoch[node as usize];
        let ev = Ev {
            code: EvKind::ServiceDone as u8,
            tag: 0,
            node,
            req: r,
            aux: epoch,
        };
        self.after(delay, ev);
    }

    /// Sends the reply of component `from`, after `extra` ns, to whoever is on top of the
    /// request's stack.
    #[inline]
    pub(crate) fn reply_after(&mut self, from: u32, r: u32, extra: u64) {
        let caller = self.reqs.get(r).top().node;
        let d = if self.geo.n_dc > 0 {
            let dc = self.geo.comp_dc[from as usize];
            extra + self.reply_hop(caller, from, dc, r)
        } else {
            extra + self.hop(self.row_of(caller), from)
        };
        self.after(d, Ev::new(EvKind::Reply, caller, r));
    }

    /// As [`Core::reply_after`], from one node (a database replica may stand in another
    /// data center than its component).
    #[inline]
    pub(crate) fn reply_node_after(&mut self, from: u32, node: u32, r: u32, extra: u64) {
        if self.geo.n_dc == 0 {
            self.reply_after(from, r, extra);
            return;
        }
        let caller = self.reqs.get(r).top().node;
        let dc = self.geo.node_dc[node as usize];
        let d = extra + self.reply_hop(caller, from, dc, r);
        self.after(d, Ev::new(EvKind::Reply, caller, r));
    }

    /// Component `comp` fails `r` with `cause`: the failure travels back to the caller.
    pub(crate) fn fail_back(&mut self, r: u32, cause: Cause, comp: u32) {
        let req = self.reqs.get_mut(r);
        req.fail = cause;
        req.fail_comp = comp;
        self.reply_after(comp, r, 0);
    }

    /// A request leaves a balancer or cache that it entered at `t_in`.
    #[inline]
    pub(crate) fn leave(&mut self, comp: u32, t_in: u64) {
        self.open_change(comp, false);
        self.comp_latency(comp, self.now - t_in, self.now >= self.warmup);
    }

    /// Records a reply's time in component `comp`: in the window sums always, in the
    /// component's histogram when `measured` (after warm-up).
    #[inline]
    pub(crate) fn comp_latency(&mut self, comp: u32, ns: u64, measured: bool) {
        let c = &mut self.comps[comp as usize];
        c.lat_sum += ns;
        c.lat_n += 1;
        if measured {
            c.hist.record(ns);
        }
    }
}

impl Model {
    /// The node of `comp` that request `r` goes to when its caller has no balancer: for a
    /// database, the routing's choice; otherwise round robin over the instances.
    #[inline(always)]
    pub(crate) fn pick_node(&mut self, comp: u32, r: u32, from_row: usize) -> u32 {
        let c = &mut self.core.comps[comp as usize];
        if let Role::Database(route) = c.role {
            let k = &mut self.kinds;
            return database::route(&k.routers, &mut k.dbs, &self.core, route, r, from_row);
        }
        let node = if c.n_nodes <= 1 {
            c.first_node
        } else {
            let m = c.rot.len() as u32;
            let i = c.rr % m;
            c.rr = if i + 1 == m { 0 } else { i + 1 };
            c.first_node + c.rot[i as usize]
        };
        if self.core.node_scaler[node as usize] != NO_SCALER {
            self.core.inbound[node as usize] += 1;
        }
        node
    }

    /// Sends request `r` from component `from` (row) to component `to`, after `extra` ns
    /// of local latency plus the hop.
    #[inline]
    pub(crate) fn forward(&mut self, from_row: usize, to: u32, r: u32, extra: u64) {
        let node = self.pick_node(to, r, from_row);
        let d = extra + self.core.hop_node(from_row, to, node, r);
        self.core.after(d, Ev::new(EvKind::Deliver, node, r));
    }

    /// Station `s` (node `node`, serving `sv`) starts serving `r`: its kind gives the
    /// service time, a `slow` fault stretches it.
    #[inline]
    pub(crate) fn start_service(&mut self, node: u32, s: u32, sv: Serves, r: u32) {
        self.core.note_service(r, SERVICE_START);
        let t = match sv {
            Serves::Server(g) => {
                match self.kinds.servers[g as usize].service(&mut self.core, node, s, r) {
                    Some(t) => t,
                    None => return,
                }
            }
            Serves::Database(db) => self.kinds.dbs[db as usize].service(&mut self.core, s, r),
            Serves::Store(i) => {
                self.kinds.stores[i as usize].sample(&mut self.core.stations[s as usize].rng)
            }
        };
        let slow = self.core.stations[s as usize].slow;
        let t = if slow == 1.0 {
            t
        } else {
            round_u64(t as f64 * slow)
        };
        self.core.service_done_after(node, r, t);
    }

    /// Station `s` (node `node`, serving `sv`) replies: pops its frame, frees (or hands
    /// on) the worker, sends the reply.
    pub(crate) fn finish(&mut self, node: u32, s: u32, sv: Serves, r: u32) {
        let comp = self.core.nodes[node as usize].comp;
        let frame = self.core.reqs.get_mut(r).pop();
        self.core.span(r, node, &frame);
        let measured = self.core.now >= self.core.warmup;
        self.core
            .comp_latency(comp, self.core.now - frame.t_in, measured);
        if measured && let Serves::Database(db) = sv {
            self.kinds.dbs[db as usize]
                .hist
                .record(self.core.now - frame.t_in);
        }
        self.station_next(node, s, sv);
        self.core.reply_node_after(comp, node, r, 0);
        if self.core.node_scaler[node as usize] != NO_SCALER {
            self.drain_check(node);
        }
    }

    /// A worker of station `s` is free: it starts on what waits next, a request or a
    /// migration batch.
    #[inline(always)]
    pub(crate) fn station_next(&mut self, node: u32, s: u32, sv: Serves) {
        if self.core.stations[s as usize].shed
            && let Serves::Server(g) = sv
        {
            self.shed_next(node, s, g);
            return;
        }
        match self.core.stations[s as usize].depart(self.core.now) {
            super::station::Next::Request(next) => self.start_service(node, s, sv, next),
            super::station::Next::Batch(c) => self.migration_service(node, s, c),
            super::station::Next::Idle => {}
        }
    }

    /// A crashed node's request: pop its frame and fail it back to the caller. The node's
    /// accounting was reset at the crash, so nothing else is touched.
    pub(crate) fn crashed_drop(&mut self, node: u32, r: u32) {
        self.shard_failed(node);
        let comp = self.core.nodes[node as usize].comp;
        let req = self.core.reqs.get_mut(r);
        let frame = req.pop();
        if req.fail == Cause::None {
            req.fail = Cause::Crashed;
            req.fail_comp = comp;
        }
        self.core.span(r, node, &frame);
        self.core.reply_node_after(comp, node, r, 0);
    }

    /// Records how a request ended for its client (exactly once per request).
    pub(crate) fn outcome(&mut self, r: u32, cause: Cause) {
        let now = self.core.now;
        let req = self.core.reqs.get_mut(r);
        req.client_done = true;
        let (lat, measured, class, user, via_cdn) = (
            now - req.start,
            req.measured,
            req.class as usize,
            req.user,
            req.via_cdn,
        );
        if cause != Cause::None && self.try_retry(r, cause) {
            self.core.trace_outcome(r, cause, true);
            return;
        }
        self.core.trace_outcome(r, cause, false);
        let (fail_comp, dc) = (self.core.reqs.get(r).fail_comp, self.core.reqs.get(r).dc);
        if measured && self.core.geo.n_dc > 0 {
            let ok = cause == Cause::None;
            let region = self
                .core
                .geo
                .has_regions()
                .then(|| self.core.geo.region(user));
            let dc = (dc != NO_DC).then_some(dc as usize);
            for acc in [
                region.map(|i| &mut self.core.geo.regions[i]),
                dc.map(|i| &mut self.core.geo.dcs[i]),
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
            let c = &mut self.classes[class];
            let good = u64::from(lat <= c.deadline);
            self.window.completed += 1;
            self.window.good += good;
            self.window.hist.record(lat);
            if measured {
                c.completed += 1;
                c.cdn_completed += u64::from(via_cdn);
                c.good += good;
                c.hist.record(lat);
                self.completed += 1;
                self.good += good;
                self.hist.record(lat);
            }
        } else {
            self.window.failed += 1;
            if let Some(c) = self.core.comps.get_mut(fail_comp as usize) {
                c.failed += 1;
            }
            if measured {
                self.failed += 1;
                self.errors[cause as usize] += 1;
                self.classes[class].failed += 1;
                let row = (fail_comp as usize).min(self.core.comps.len());
                self.errors_by_comp[row][cause as usize] += 1;
            }
        }
        if let Some(think) = &self.client.think {
            let t = think.sample(&mut self.client.rng);
            if now + t < self.core.end {
                self.core
                    .queue
                    .push(SimTime(now + t), Ev::new(EvKind::UserWake, 0, user));
            }
        }
    }
}
