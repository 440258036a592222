//! The model: components built from a [`Scenario`](crate::scenario::Scenario), driven by the engine's event queue.
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
//! Layout: `Model` is the shared state (`core.rs`: `Core`, with the call-stack
//! protocol), each kind's state (`kinds/`: state, builder, handlers, report extras; a
//! handler borrows its kind's state and the core separately) and the run-wide owners
//! (client, faults, scalers, migrations, measurements); `build.rs` builds a model, `measure.rs` keeps the time series and the warm-up
//! snapshot, `summary.rs` turns a finished run into a report. Events addressed to a node go
//! to the node's kind (the `NodeKind` it was built with); run-wide events (arrivals,
//! ticks, warm-up, faults, scaling, migrations) go to their owners.
//!
//! Ordering: events pop in `(time, sequence)` order. A message sent with zero delay goes to
//! a FIFO lane that is drained before the next timed event, so it is handled at the same
//! instant, in the order sent. The run processes events with time strictly below the
//! duration; when [`Model::run`] returns, the clock stands at the duration.

mod autoscale;
mod build;
pub mod cache_store;
pub mod client;
mod core;
mod cost;
mod faults;
mod geo;
mod kinds;
pub mod load_balancer;
mod measure;
mod migration;
mod overload;
pub mod request;
pub mod shard;
pub mod station;
mod summary;
#[cfg(test)]
mod tests;
mod trace;

use crate::engine::{SimTime, Stream};
use crate::metrics::{LatencyHist, Report, ScaleEvent};
use crate::scenario::Fault;

use self::core::{CLIENT, ClassAcc, Core, Ev, EvKind};
use autoscale::{NO_SCALER, Scaler};
use client::Client;
use faults::RetryPolicy;
use kinds::{Kinds, NodeKind, Serves};
use measure::{WarmSnap, Window};
use migration::{Copier, MigRun};
pub use overload::{RunError, RunLimit};
pub use request::Cause;
use request::NO_PARENT;
use station::Admit;

/// A built model, ready to run once.
pub struct Model {
    /// The shared state: clock, events, requests, nodes, components, stations, network.
    core: Core,
    /// Each kind's state.
    kinds: Kinds,
    /// Resharding migrations: their copiers, and one run per migrating `add_shard`.
    copiers: Vec<Copier>,
    migs: Vec<MigRun>,
    /// Per component: the queue a worker group consumes from.
    feeds: Vec<Option<u32>>,
    /// Where each class enters: the entry, or the CDN for static classes.
    class_entry: Vec<u32>,
    /// The entry component (static classes fall back to it when the CDN is down).
    entry: u32,
    // Faults.
    faults: Vec<Fault>,
    /// Per node: when a balancer's health checks took it out of rotation (fault reports).
    detected: Vec<Option<u64>>,
    /// Per database component: when its last promotion happened.
    promoted_at: Vec<Option<u64>>,
    fault_rngs: Vec<Stream>,
    // Autoscaling.
    scalers: Vec<Scaler>,
    /// Per component and per node: its scaler, or `NO_SCALER`.
    comp_scaler: Vec<u32>,
    scale_events: Vec<ScaleEvent>,
    // Retries.
    retries: Option<RetryPolicy>,
    retry_tokens: f64,
    retried: u64,
    /// Per fault: the nodes a `fail_primary` took down.
    fault_node: Vec<Vec<u32>>,
    random_failures: u64,
    client: Client,
    // Measurements.
    events: u64,
    offered: u64,
    completed: u64,
    /// Completed within their class's deadline.
    good: u64,
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
    /// The priced components: index, instance type, dollars an hour.
    priced: Vec<(u32, String, f64)>,
    /// The transfer prices, when some class gives a `size` (data transfer is priced).
    transfer: Option<crate::scenario::TransferPrices>,
}

/// How many events [`Model::run_observed`] runs between two reports of its progress.
pub const PROGRESS_EVERY: u64 = 1 << 18;

impl Model {
    /// Samples this share of requests (0..=1) for request traces.
    pub fn with_trace_sample(mut self, p: f64) -> Model {
        self.core.trace_p = p.clamp(0.0, 1.0);
        self
    }

    /// Runs to the end of the scenario and returns the report (engine wall time unset), or
    /// the error of a run-time bound (requests in flight, pending events) it reached.
    pub fn run(self) -> Result<Report, RunError> {
        self.run_observed(|_| {})
    }

    /// [`Model::run`], telling `progress` the share of simulated time done (0..1) every
    /// [`PROGRESS_EVERY`] events: for a progress bar where the run cannot be watched from
    /// another thread (a browser's worker). With an empty `progress` it is `run`, check and all.
    pub fn run_observed(mut self, mut progress: impl FnMut(f64)) -> Result<Report, RunError> {
        loop {
            let ev = match self.core.lane.pop_front() {
                Some(ev) => ev,
                None => match self
                    .core
                    .queue
                    .pop_before_live(SimTime(self.core.end), |ev| {
                        // A client deadline the client no longer awaits does nothing when
                        // it fires (`on_timeout`), and stays so.
                        ev.kind() == EvKind::Timeout && !self.core.reqs.get(ev.req).awaits(ev.aux)
                    }) {
                    Some((t, ev)) => {
                        self.core.now = t.0;
                        ev
                    }
                    None => break,
                },
            };
            self.events += 1;
            if self.events.is_multiple_of(PROGRESS_EVERY) {
                progress(self.core.now as f64 / self.core.end.max(1) as f64);
            }
            self.dispatch(ev);
        }
        if let Some(e) = self.core.stopped.take() {
            return Err(e);
        }
        self.core.now = self.core.end;
        Ok(self.report())
    }

    /// Hands an event to its owner: a node's kind for the request path, the client,
    /// faults, scalers, migrations and measurements for run-wide events.
    #[inline(always)]
    fn dispatch(&mut self, ev: Ev) {
        match ev.kind() {
            EvKind::Deliver => self.on_deliver(ev.node, ev.req),
            EvKind::ServiceDone => self.on_service_done(ev.node, ev.req, ev.aux),
            EvKind::Reply => self.on_reply(ev.node, ev.req),
            EvKind::Arrival => self.on_arrival(),
            EvKind::UserWake => self.new_request(Some(ev.req)),
            EvKind::DnsDone => self.send_to_entry(ev.req),
            EvKind::Timeout => self.on_timeout(ev.aux, ev.req),
            EvKind::Apply
            | EvKind::SyncAck
            | EvKind::VisTimeout
            | EvKind::MigrateDone
            | EvKind::PlaceTimeout
            | EvKind::HedgeFire => self.node_event(ev),
            EvKind::Refuse => {
                let cause = Cause::ALL
                    .into_iter()
                    .find(|c| *c as u32 == ev.aux)
                    .unwrap_or(Cause::Unreachable);
                self.core.fail_back(ev.req, cause, ev.node);
            }
            EvKind::FaultStart => self.fault_start(ev.node as usize),
            EvKind::FaultEnd => self.fault_end(ev.node as usize),
            EvKind::RandomDown => self.random_down(ev.node as usize, ev.req),
            EvKind::RandomUp => self.random_up(ev.node as usize, ev.req),
            EvKind::HealthTick => {
                let b = ev.req;
                self.kinds.lbs[b as usize].health_tick(
                    &mut self.core,
                    &mut self.detected,
                    ev.node,
                    b,
                )
            }
            EvKind::DnsHealth => self.dns_health_tick(),
            EvKind::Promote => self.promote(ev.node, ev.tag),
            EvKind::RetryFire => self.retry_fire(ev.req),
            EvKind::ScaleTick => self.scale_tick(ev.node),
            EvKind::ScaleReady => self.scale_ready(ev.node, ev.req),
            EvKind::MigrateBatch => self.migrate_batch(ev.node),
            EvKind::Tick => self.on_tick(),
            EvKind::Warmup => self.on_warmup(),
        }
    }

    /// The less frequent events addressed to a node: the node's kind takes them.
    fn node_event(&mut self, ev: Ev) {
        match (self.core.nodes[ev.node as usize].kind, ev.kind()) {
            (NodeKind::Station(s, Serves::Database(db)), EvKind::SyncAck) => {
                self.on_sync_ack(ev.node, s, db, ev.req, ev.aux)
            }
            (NodeKind::Station(_, Serves::Database(db)), EvKind::Apply) => {
                self.kinds.dbs[db as usize].apply(ev.node, ev.req, ev.aux, ev.tag)
            }
            (NodeKind::Station(s, Serves::Database(db)), EvKind::MigrateDone) => {
                self.migration_done(ev.node, s, db, ev.req, ev.aux)
            }
            (NodeKind::Station(s, Serves::Server(g)), EvKind::PlaceTimeout) => {
                self.place_timeout(ev.node, s, g, ev.req, ev.aux)
            }
            (NodeKind::Station(_, Serves::Server(g)), EvKind::HedgeFire) => {
                self.hedge_fire(ev.node, g, ev.req, ev.aux)
            }
            (NodeKind::Queue(q), EvKind::VisTimeout) => {
                self.vis_timeout(ev.node, q, ev.req, ev.aux, ev.tag)
            }
            _ => {}
        }
    }

    /// A request arrives at `node` (an instance of an autoscaled group: it was counted on
    /// its way, and a draining one may now be empty).
    fn on_deliver(&mut self, node: u32, r: u32) {
        if self.core.node_scaler[node as usize] != NO_SCALER {
            self.core.inbound[node as usize] -= 1;
            self.deliver(node, r);
            self.drain_check(node);
        } else {
            self.deliver(node, r);
        }
    }

    /// A request arrives at `node`: refused when the node is down, unreachable behind a
    /// partition; otherwise its kind takes it.
    fn deliver(&mut self, node: u32, r: u32) {
        let n = self.core.nodes[node as usize];
        self.core.comps[n.comp as usize].ctr.arrivals += 1;
        if !self.core.node_up[node as usize] {
            self.shard_failed(node);
            let req = self.core.reqs.get_mut(r);
            req.fail = Cause::ConnectionRefused;
            req.fail_comp = n.comp;
            self.core.reply_node_after(n.comp, node, r, 0);
            return;
        }
        if self.core.node_part[node as usize] {
            let ev = Ev {
                code: EvKind::Refuse as u8,
                tag: 0,
                node: n.comp,
                req: r,
                aux: Cause::Unreachable as u32,
            };
            self.core.after(self.core.connect_timeout, ev);
            return;
        }
        match n.kind {
            NodeKind::Balancer(b) => {
                self.kinds.lbs[b as usize].deliver(&mut self.core, node, n.comp, r)
            }
            NodeKind::Station(s, sv) => {
                if self.core.stations[s as usize].guarded
                    && let Serves::Server(g) = sv
                    && self.admission_rejects(node, s, g, r)
                {
                    return;
                }
                match self.core.stations[s as usize].arrive(self.core.now, r) {
                    Admit::Serve => {
                        self.core.push_frame(r, node, 0);
                        self.start_service(node, s, sv, r);
                    }
                    Admit::Queued => self.core.push_frame(r, node, 0),
                    Admit::Rejected => self.core.fail_back(r, Cause::QueueFull, n.comp),
                }
            }
            NodeKind::Cache(ci) => self.cache_deliver(node, n.comp, ci, r),
            NodeKind::Queue(q) => self.publish(node, n.comp, q, r),
            // Nothing calls the client: a request addressed to it is a reply.
            NodeKind::Client => self.client_reply(r),
        }
    }

    /// Station `node` finished serving `r` (its crash epoch was `epoch` then).
    fn on_service_done(&mut self, node: u32, r: u32, epoch: u32) {
        if epoch != self.core.node_epoch[node as usize] {
            // The node crashed while serving: the request fails back to its caller.
            self.crashed_drop(node, r);
            return;
        }
        self.core.note_service(r, trace::SERVICE_END);
        if let NodeKind::Station(s, sv) = self.core.nodes[node as usize].kind {
            match sv {
                Serves::Server(g) => self.advance(node, s, g, r),
                Serves::Database(db) => self.db_done(node, s, db, r),
                Serves::Store(_) => self.finish(node, s, sv, r),
            }
        }
    }

    /// A reply reaches `node`: dropped back when the node crashed since it took the
    /// request; otherwise its kind takes it.
    fn on_reply(&mut self, node: u32, r: u32) {
        let n = self.core.nodes[node as usize];
        if node != CLIENT
            && self.core.reqs.get(r).top().epoch != self.core.node_epoch[node as usize]
        {
            if self.core.reqs.get(r).parent != NO_PARENT {
                // A hedged call's copy (its frame's epoch is `COPY_EPOCH`) answers for the
                // request that waits here.
                self.copy_back(node, r);
            } else {
                // The node crashed after taking the request: it fails back to the caller.
                self.crashed_drop(node, r);
            }
            return;
        }
        match n.kind {
            NodeKind::Client => self.client_reply(r),
            NodeKind::Balancer(b) => {
                self.kinds.lbs[b as usize].reply(&mut self.core, node, n.comp, r)
            }
            NodeKind::Cache(ci) => {
                self.kinds.caches[ci as usize].reply(&mut self.core, node, n.comp, r)
            }
            NodeKind::Queue(q) => self.job_back(node, q, r),
            NodeKind::Station(s, Serves::Server(g)) => self.server_reply(node, s, g, r),
            // Only servers call out; another station replies at once.
            NodeKind::Station(s, sv) => self.finish(node, s, sv, r),
        }
    }
}
