//! Faults and the machinery that survives them: the fault schedule (crash, slow, partition,
//! flush, primary failure, random failures, data center failure), load balancer health
//! checks, database failover, and client retries.
//!
//! A crash bumps the node's *epoch*. Requests waiting in its queue fail at once (`crashed`);
//! requests it was serving, or that were waiting on its downstream calls, fail when their
//! next event reaches the node and finds another epoch — the end of their service, or the
//! downstream reply — so nothing has to be searched for. While a node is down, requests
//! sent to it are refused (`connection_refused`); while it is partitioned, connection
//! attempts fail after the network's connect timeout (`unreachable`).
//!
//! A primary database's crash also ends its replication term: writes it had committed but
//! whose replication had not reached a replica yet are gone with it. Promotion picks the
//! replica that applied the most writes; acknowledged writes it lacks are `lost_writes`.

use super::request::COPY_EPOCH;
use rand::RngExt;

use super::core::{CLIENT, Ev, EvKind};
use super::kinds::{NodeKind, Role, Serves};
use super::station::Next;
use super::{Cause, Model};
use crate::engine::random::stream;
use crate::engine::{Dist, Stream};
use crate::model::request::Frame;
use crate::scenario::{FaultAction, Retries, Target};

/// A session home marking a session lost in a crash.
pub(crate) const LOST: u16 = u16::MAX;

/// The most retry tokens a budget can save up.
pub(crate) const RETRY_TOKENS_MAX: f64 = 10.0;

/// Client retries, resolved for the model.
#[derive(Debug)]
pub(crate) struct RetryPolicy {
    max: u32,
    backoff: Dist,
    multiplier: f64,
    jitter: bool,
    /// Bit per retryable cause.
    on_mask: u32,
    pub(crate) budget: Option<f64>,
    rng: Stream,
}

impl RetryPolicy {
    pub(crate) fn new(r: &Retries, seed: u64) -> RetryPolicy {
        let on_mask =
            r.on.iter()
                .filter_map(|n| Cause::from_name(n))
                .fold(0, |m, c| m | (1 << c as u32));
        RetryPolicy {
            max: r.max,
            backoff: r.backoff.clone(),
            multiplier: r.multiplier,
            jitter: r.jitter,
            on_mask,
            budget: r.budget,
            rng: stream(seed, "retries"),
        }
    }
}

impl Model {
    /// The nodes a fault target stands for.
    fn target_nodes(&self, t: Target) -> std::ops::Range<u32> {
        let c = &self.core.comps[t.comp];
        // A sharded database's instances are its shards.
        if let (Role::Database(route), Some(i)) = (c.role, t.instance) {
            let d = &self.kinds.dbs[(route.db + i) as usize];
            return d.first_node..d.first_node + d.n_nodes;
        }
        match t.instance {
            Some(i) => c.first_node + i..c.first_node + i + 1,
            None => c.first_node..c.first_node + c.n_nodes.max(1),
        }
    }

    pub(crate) fn fault_start(&mut self, i: usize) {
        match self.faults[i].action.clone() {
            FaultAction::Crash(t) => self.target_nodes(t).for_each(|n| self.crash_node(n)),
            FaultAction::Slow(t, f) => self.set_slow(t, f),
            FaultAction::Partition(t) => self
                .target_nodes(t)
                .for_each(|n| self.core.node_part[n as usize] = true),
            FaultAction::Flush(comp) => {
                if let Some(cache) = self.core.comps[comp].role.cache() {
                    self.kinds.caches[cache as usize].store.clear();
                }
            }
            FaultAction::AddShard(comp, m) => {
                if let Role::Database(route) = self.core.comps[comp].role {
                    self.add_shard(comp, route, m.as_ref());
                }
            }
            FaultAction::FailPrimary(comp) => {
                let Role::Database(route) = self.core.comps[comp].role else {
                    return; // validated: a database
                };
                // Every shard's primary fails; each shard fails over on its own.
                let active = self.kinds.routers[route.router as usize].active;
                for db in route.db..route.db + active {
                    let d = &self.kinds.dbs[db as usize];
                    let node = d.first_node + d.primary;
                    self.fault_node[i].push(node);
                    self.crash_node(node);
                    self.schedule_promotion(db);
                }
            }
            FaultAction::FailDc(dc) => {
                let dc = dc as u8;
                let nodes: Vec<u32> = (0..self.core.nodes.len() as u32)
                    .filter(|&n| {
                        self.core.geo.node_dc[n as usize] == dc && self.core.node_up[n as usize]
                    })
                    .collect();
                for &n in &nodes {
                    self.crash_node(n);
                }
                // A primary lost with its data center fails over as after `fail_primary`.
                for db in 0..self.kinds.dbs.len() {
                    let d = &self.kinds.dbs[db];
                    if nodes.contains(&(d.first_node + d.primary)) {
                        self.schedule_promotion(db as u32);
                    }
                }
                self.fault_node[i] = nodes;
            }
            FaultAction::Random { target, mtbf, .. } => {
                for n in self.target_nodes(target) {
                    let up = mtbf.sample(&mut self.fault_rngs[i]);
                    self.core
                        .after(up.max(1), Ev::new(EvKind::RandomDown, i as u32, n));
                }
            }
        }
    }

    pub(crate) fn fault_end(&mut self, i: usize) {
        match self.faults[i].action.clone() {
            FaultAction::Crash(t) => self.target_nodes(t).for_each(|n| self.recover_node(n)),
            FaultAction::Slow(t, _) => self.set_slow(t, 1.0),
            FaultAction::Partition(t) => self
                .target_nodes(t)
                .for_each(|n| self.core.node_part[n as usize] = false),
            FaultAction::Flush(_) => {}
            FaultAction::FailPrimary(_) | FaultAction::FailDc(_) => {
                for n in std::mem::take(&mut self.fault_node[i]) {
                    self.recover_node(n);
                }
            }
            FaultAction::AddShard(..) => {}
            FaultAction::Random { target, .. } => {
                self.target_nodes(target).for_each(|n| self.recover_node(n))
            }
        }
    }

    fn random_active(&self, i: usize) -> bool {
        self.faults[i].until.is_none_or(|u| self.core.now < u.0)
    }

    pub(crate) fn random_down(&mut self, i: usize, node: u32) {
        if !self.random_active(i) {
            return;
        }
        let FaultAction::Random { mttr, .. } = &self.faults[i].action else {
            return; // scheduled by a random fault only
        };
        let repair = mttr.sample(&mut self.fault_rngs[i]);
        self.crash_node(node);
        self.random_failures += 1;
        self.core
            .after(repair.max(1), Ev::new(EvKind::RandomUp, i as u32, node));
    }

    pub(crate) fn random_up(&mut self, i: usize, node: u32) {
        self.recover_node(node);
        if !self.random_active(i) {
            return;
        }
        let FaultAction::Random { mtbf, .. } = &self.faults[i].action else {
            return; // scheduled by a random fault only
        };
        let up = mtbf.sample(&mut self.fault_rngs[i]);
        self.core
            .after(up.max(1), Ev::new(EvKind::RandomDown, i as u32, node));
    }

    fn set_slow(&mut self, t: Target, factor: f64) {
        for n in self.target_nodes(t) {
            if let NodeKind::Station(s, _) = self.core.nodes[n as usize].kind {
                self.core.stations[s as usize].slow = factor;
            }
        }
    }

    /// Takes a node down: what it held fails, what it remembered (cache contents, local
    /// sessions, open connections) is gone.
    pub(crate) fn crash_node(&mut self, node: u32) {
        let ni = node as usize;
        if !self.core.node_up[ni] {
            return;
        }
        self.core.node_up[ni] = false;
        let n = self.core.nodes[ni];
        if let NodeKind::Queue(_) = n.kind {
            // A durable broker: while down it refuses publishes; what it stored survives,
            // and acknowledgements of jobs already delivered still count.
            return;
        }
        // No node reaches the epoch that marks a hedged call's copy.
        let next = self.core.node_epoch[ni].wrapping_add(1);
        self.core.node_epoch[ni] = if next == COPY_EPOCH { 0 } else { next };
        match n.kind {
            NodeKind::Station(s, sv) => {
                for next in self.core.stations[s as usize].crash(self.core.now) {
                    match next {
                        Next::Batch(c) => self.batch_over(c),
                        Next::Request(r) => self.crashed_drop(node, r),
                        Next::Idle => {}
                    }
                }
                match sv {
                    Serves::Database(db) => self.kinds.dbs[db as usize].crash(node),
                    Serves::Server(g) => self.server_gone(node, g),
                    Serves::Store(_) => {}
                }
                // A draining instance that crashed holds nothing any more.
                self.drain_check(node);
            }
            NodeKind::Balancer(b) => self.kinds.lbs[b as usize].crash(&mut self.core, n.comp),
            NodeKind::Cache(ci) => self.kinds.caches[ci as usize].crash(&mut self.core, n.comp),
            NodeKind::Client | NodeKind::Queue(_) => {}
        }
    }

    /// Brings a node back, empty. A database node that is no longer the primary rejoins as
    /// a replica, resynchronised from the primary.
    pub(crate) fn recover_node(&mut self, node: u32) {
        let ni = node as usize;
        if self.core.node_up[ni] {
            return;
        }
        self.core.node_up[ni] = true;
        let n = self.core.nodes[ni];
        if let Some(q) = self.feeds[n.comp as usize] {
            self.dispatch_jobs(q);
        }
        match n.kind {
            NodeKind::Queue(q) => self.dispatch_jobs(q),
            NodeKind::Station(_, Serves::Database(db)) => {
                self.kinds.dbs[db as usize].recover(node, self.core.now)
            }
            _ => {}
        }
    }

    /// After a failed attempt: schedules the next one if the policy allows. Returns whether
    /// the request goes on.
    pub(crate) fn try_retry(&mut self, r: u32, cause: Cause) -> bool {
        let Some(p) = &mut self.retries else {
            return false;
        };
        let req = *self.core.reqs.get(r);
        if req.attempt >= p.max || p.on_mask & (1 << cause as u32) == 0 {
            return false;
        }
        if p.budget.is_some() {
            if self.retry_tokens < 1.0 {
                return false;
            }
            self.retry_tokens -= 1.0;
        }
        let n = req.attempt + 1;
        let base = p.backoff.sample(&mut p.rng) as f64
            * crate::engine::sample::powi(p.multiplier, n as i32 - 1);
        let wait = if p.jitter {
            base * p.rng.random::<f64>()
        } else {
            base
        };
        let r2 = self.core.reqs.alloc_copy(&req);
        self.guard(r2);
        let next = self.core.reqs.get_mut(r2);
        next.attempt = n;
        next.push(Frame {
            node: CLIENT,
            step: 0,
            t_in: self.core.now,
            epoch: 0,
        });
        if req.measured {
            self.attempts += 1;
            self.retried += 1;
        }
        self.core.after(
            (wait.round() as u64).max(1),
            Ev::new(EvKind::RetryFire, 0, r2),
        );
        true
    }

    /// A retry leaves the client: a fresh deadline, then the entry.
    pub(crate) fn retry_fire(&mut self, r: u32) {
        self.arm_deadline(r);
        // With GeoDNS, a retry whose user's answer expired looks the data center up again.
        let now = self.core.now;
        let user = self.core.reqs.get(r).user as usize;
        if let (Some(g), Some(dns)) = (&self.core.geo.dns, &mut self.client.dns)
            && dns.expires[user] <= now
        {
            let lat = dns.latency.sample(&mut dns.rng);
            dns.expires[user] = now + lat + dns.ttl;
            dns.answer[user] = g.answer(self.core.geo.region(user as u32));
            let comp = dns.comp;
            self.core.comps[comp].ctr.arrivals += 1;
            if self.core.reqs.get(r).measured {
                self.dns_lookups += 1;
            }
            self.core.after(lat, Ev::new(EvKind::DnsDone, 0, r));
            return;
        }
        self.send_to_entry(r);
    }
}
