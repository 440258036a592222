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

use rand::RngExt;

use super::{CLIENT, Cause, Ev, EvKind, Model, NodeKind, Role};
use crate::engine::random::stream;
use crate::engine::{Dist, SimTime, Stream};
use crate::model::request::Frame;
use crate::scenario::{FaultAction, Retries, Target};

/// A session home marking a session lost in a crash.
pub(super) const LOST: u16 = u16::MAX;

/// The most retry tokens a budget can save up.
pub(super) const RETRY_TOKENS_MAX: f64 = 10.0;

/// Client retries, resolved for the model.
#[derive(Debug)]
pub(super) struct RetryPolicy {
    max: u32,
    backoff: Dist,
    multiplier: f64,
    jitter: bool,
    /// Bit per retryable cause.
    on_mask: u32,
    pub(super) budget: Option<f64>,
    rng: Stream,
}

impl RetryPolicy {
    pub(super) fn new(r: &Retries, seed: u64) -> RetryPolicy {
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
        let c = &self.comps[t.comp];
        // A sharded database's instances are its shards.
        if let (Role::Database { db, .. }, Some(i)) = (&c.role, t.instance) {
            let d = &self.dbs[(db + i) as usize];
            return d.first_node..d.first_node + d.n_nodes;
        }
        match t.instance {
            Some(i) => c.first_node + i..c.first_node + i + 1,
            None => c.first_node..c.first_node + c.n_nodes.max(1),
        }
    }

    pub(super) fn fault_start(&mut self, i: usize) {
        match self.faults[i].action.clone() {
            FaultAction::Crash(t) => self.target_nodes(t).for_each(|n| self.crash_node(n)),
            FaultAction::Slow(t, f) => self.set_slow(t, f),
            FaultAction::Partition(t) => self
                .target_nodes(t)
                .for_each(|n| self.node_part[n as usize] = true),
            FaultAction::Flush(comp) => {
                if let Role::Cache { cache, .. } | Role::Cdn { cache, .. } = self.comps[comp].role {
                    self.caches[cache as usize].store.clear();
                }
            }
            FaultAction::AddShard(comp, m) => self.add_shard(comp, m.as_ref()),
            FaultAction::FailPrimary(comp) => {
                let Role::Database { db: first, router } = self.comps[comp].role else {
                    unreachable!("validated")
                };
                // Every shard's primary fails; each shard fails over on its own.
                for db in first..first + self.routers[router as usize].active {
                    let node = self.dbs[db as usize].first_node + self.dbs[db as usize].primary;
                    self.fault_node[i].push(node);
                    self.crash_node(node);
                    let d = &self.dbs[db as usize];
                    let (term, failover) = (d.term, d.failover);
                    if let Some(after) = failover {
                        let ev = Ev {
                            kind: EvKind::Promote,
                            tag: term,
                            node: db,
                            req: 0,
                            aux: 0,
                        };
                        self.after(after.max(1), ev);
                    }
                }
            }
            FaultAction::FailDc(dc) => {
                let dc = dc as u8;
                let nodes: Vec<u32> = (0..self.nodes.len() as u32)
                    .filter(|&n| self.geo.node_dc[n as usize] == dc && self.node_up[n as usize])
                    .collect();
                for &n in &nodes {
                    self.crash_node(n);
                }
                // A primary lost with its data center fails over as after `fail_primary`.
                for db in 0..self.dbs.len() {
                    let d = &self.dbs[db];
                    let primary = d.first_node + d.primary;
                    if nodes.contains(&primary)
                        && let Some(after) = d.failover
                    {
                        let ev = Ev {
                            kind: EvKind::Promote,
                            tag: d.term,
                            node: db as u32,
                            req: 0,
                            aux: 0,
                        };
                        self.after(after.max(1), ev);
                    }
                }
                self.fault_node[i] = nodes;
            }
            FaultAction::Random { target, mtbf, .. } => {
                for n in self.target_nodes(target) {
                    let up = mtbf.sample(&mut self.fault_rngs[i]);
                    self.after(up.max(1), Ev::new(EvKind::RandomDown, i as u32, n));
                }
            }
        }
    }

    pub(super) fn fault_end(&mut self, i: usize) {
        match self.faults[i].action.clone() {
            FaultAction::Crash(t) => self.target_nodes(t).for_each(|n| self.recover_node(n)),
            FaultAction::Slow(t, _) => self.set_slow(t, 1.0),
            FaultAction::Partition(t) => self
                .target_nodes(t)
                .for_each(|n| self.node_part[n as usize] = false),
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
        self.faults[i].until.is_none_or(|u| self.now < u.0)
    }

    pub(super) fn random_down(&mut self, i: usize, node: u32) {
        if !self.random_active(i) {
            return;
        }
        let FaultAction::Random { mttr, .. } = &self.faults[i].action else {
            unreachable!("random fault")
        };
        let repair = mttr.sample(&mut self.fault_rngs[i]);
        self.crash_node(node);
        self.random_failures += 1;
        self.after(repair.max(1), Ev::new(EvKind::RandomUp, i as u32, node));
    }

    pub(super) fn random_up(&mut self, i: usize, node: u32) {
        self.recover_node(node);
        if !self.random_active(i) {
            return;
        }
        let FaultAction::Random { mtbf, .. } = &self.faults[i].action else {
            unreachable!("random fault")
        };
        let up = mtbf.sample(&mut self.fault_rngs[i]);
        self.after(up.max(1), Ev::new(EvKind::RandomDown, i as u32, node));
    }

    fn set_slow(&mut self, t: Target, factor: f64) {
        for n in self.target_nodes(t) {
            if let NodeKind::Station(s) = self.nodes[n as usize].kind {
                self.stations[s as usize].slow = factor;
            }
        }
    }

    /// Takes a node down: what it held fails, what it remembered (cache contents, local
    /// sessions, open connections) is gone.
    pub(super) fn crash_node(&mut self, node: u32) {
        let ni = node as usize;
        if !self.node_up[ni] {
            return;
        }
        self.node_up[ni] = false;
        if let NodeKind::Queue(_) = self.nodes[ni].kind {
            // A durable broker: while down it refuses publishes; what it stored survives,
            // and acknowledgements of jobs already delivered still count.
            return;
        }
        self.node_epoch[ni] = self.node_epoch[ni].wrapping_add(1);
        let n = self.nodes[ni];
        let comp = n.comp;
        match n.kind {
            NodeKind::Station(s) => {
                for r in self.stations[s as usize].crash(self.now) {
                    if r & super::MIG_BIT != 0 {
                        self.batch_over(r & !super::MIG_BIT);
                    } else {
                        self.crashed_drop(node, r);
                    }
                }
                if let Role::Database { .. } = self.comps[comp as usize].role {
                    let db = &mut self.dbs[self.node_db[ni] as usize];
                    if node == db.first_node + db.primary {
                        // Writes the primary had not shipped yet die with it: replication
                        // still in flight from the old term is dropped.
                        db.term = db.term.wrapping_add(1);
                    }
                }
                let c = &mut self.comps[comp as usize];
                let here = (node - c.first_node + 1) as u16;
                if let Role::Server {
                    local: Some(local), ..
                } = &mut c.role
                {
                    local
                        .home
                        .iter_mut()
                        .filter(|h| **h == here)
                        .for_each(|h| *h = LOST);
                }
                // A draining instance that crashed holds nothing any more.
                self.drain_check(node);
            }
            NodeKind::Balancer(b) => {
                self.open_reset(comp);
                self.lbs[b as usize].reset_connections();
            }
            NodeKind::Cache(ci) => {
                self.open_reset(comp);
                self.caches[ci as usize].store.clear();
            }
            NodeKind::Client | NodeKind::Queue(_) => unreachable!("handled above"),
        }
    }

    fn open_reset(&mut self, comp: u32) {
        let c = &mut self.comps[comp as usize];
        c.open_area += u128::from(c.open) * u128::from(self.now - c.open_last);
        c.open_last = self.now;
        c.open = 0;
    }

    /// Brings a node back, empty. A database node that is no longer the primary rejoins as
    /// a replica, resynchronised from the primary.
    pub(super) fn recover_node(&mut self, node: u32) {
        let ni = node as usize;
        if self.node_up[ni] {
            return;
        }
        self.node_up[ni] = true;
        let comp = self.nodes[ni].comp as usize;
        if let Some(q) = self.feeds[comp] {
            self.dispatch_jobs(q);
        }
        if let NodeKind::Queue(q) = self.nodes[ni].kind {
            self.dispatch_jobs(q);
        }
        if let Role::Database { .. } = self.comps[comp].role {
            let db = &mut self.dbs[self.node_db[ni] as usize];
            let j = (node - db.first_node) as usize;
            let (k, p) = (db.keys, db.primary as usize);
            if j != p {
                db.ver.copy_within(p * k..(p + 1) * k, j * k);
                db.last_apply[j] = self.now;
            } else {
                // The primary is back and still primary: replicas catch up with it.
                for m in (0..db.n_nodes as usize).filter(|&m| m != p) {
                    db.ver.copy_within(p * k..(p + 1) * k, m * k);
                    db.last_apply[m] = self.now;
                }
            }
        }
    }

    /// A balancer probes each backend; backends leave or rejoin rotation.
    pub(super) fn health_tick(&mut self, node: u32) {
        let n = self.nodes[node as usize];
        let NodeKind::Balancer(b) = n.kind else {
            unreachable!("health tick on a balancer")
        };
        let Role::Balancer { to, .. } = self.comps[n.comp as usize].role else {
            unreachable!("balancer role")
        };
        let first = self.comps[to as usize].first_node;
        let backends = self.lbs[b as usize].conns.len();
        // A balancer that is down probes nothing: its view of the backends stands still.
        let probing = self.node_up[node as usize];
        for i in (0..backends).filter(|_| probing) {
            if !self.lbs[b as usize].is_active(i) {
                // Not started, or drained, by the autoscaler: not a backend now.
                continue;
            }
            let t = (first + i as u32) as usize;
            let ok = self.node_up[t] && !self.node_part[t];
            if self.lbs[b as usize].probe(i, ok) == Some(false) {
                self.detected[t] = Some(self.now);
            }
        }
        let interval = self.lbs[b as usize]
            .health
            .expect("health checks configured")
            .interval
            .0;
        if self.now + interval < self.end {
            self.queue.push(
                SimTime(self.now + interval),
                Ev::new(EvKind::HealthTick, node, 0),
            );
        }
    }

    /// Promotes the most up-to-date replica that is up, if the primary is still down and
    /// no promotion happened since the failure. Acknowledged writes the new primary never
    /// received are lost.
    pub(super) fn promote(&mut self, di: u32, term: u16) {
        let db = &self.dbs[di as usize];
        let comp = db.comp;
        if db.term != term || self.node_up[(db.first_node + db.primary) as usize] {
            return;
        }
        let best = (0..db.n_nodes as usize)
            .filter(|&j| j != db.primary as usize && self.node_up[db.first_node as usize + j])
            .max_by_key(|&j| (db.applied_count[j], std::cmp::Reverse(j)));
        let Some(j) = best else { return };
        let db = &mut self.dbs[di as usize];
        let k = db.keys;
        let mut lost = 0u64;
        for key in 0..k {
            let have = db.ver[j * k + key];
            if db.acked[key] > have {
                lost += u64::from(db.acked[key] - have);
                db.acked[key] = have;
            }
        }
        db.lost_writes += lost;
        for m in 0..db.n_nodes as usize {
            if m != j {
                db.ver.copy_within(j * k..(j + 1) * k, m * k);
                db.applied_count[m] = db.applied_count[j];
            }
            db.last_apply[m] = self.now;
        }
        db.primary = j as u32;
        db.term = db.term.wrapping_add(1);
        db.promotions += 1;
        self.promoted_at[comp as usize] = Some(self.now);
    }

    /// A sharded database gains a shard: the router changes, and every key that now
    /// belongs to another shard takes its data (versions) there — at once, or through a
    /// background copy when the fault gives a migration.
    fn add_shard(&mut self, comp: usize, migration: Option<&crate::scenario::Migration>) {
        let Role::Database { db: first, router } = self.comps[comp].role else {
            unreachable!("validated")
        };
        self.settle_migrations(comp);
        let moved = self.routers[router as usize].add_shard(migration.is_some());
        if let Some(m) = migration {
            self.start_migration(comp, &moved, m, self.seed);
            let ctr = &mut self.comps[comp].ctr;
            ctr.reshards += 1;
            ctr.keys_moved += moved.len() as u64;
            return;
        }
        // Data versions are tracked per key: they move with key sharding. With user
        // sharding the users move, and their data's versions are not followed.
        let by_key = self.routers[router as usize].by == crate::scenario::ShardKey::Key;
        for &(key, from, to) in moved.iter().filter(|_| by_key) {
            let k = key as usize;
            let src = &self.dbs[(first + from) as usize];
            let (v, acked) = (src.ver[src.primary as usize * src.keys + k], src.acked[k]);
            let dst = &mut self.dbs[(first + to) as usize];
            for m in 0..dst.n_nodes as usize {
                dst.ver[m * dst.keys + k] = v;
            }
            dst.acked[k] = acked;
        }
        let ctr = &mut self.comps[comp].ctr;
        ctr.reshards += 1;
        ctr.keys_moved += moved.len() as u64;
    }

    /// After a failed attempt: schedules the next one if the policy allows. Returns whether
    /// the request goes on.
    pub(super) fn try_retry(&mut self, r: u32, cause: Cause) -> bool {
        let Some(p) = &mut self.retries else {
            return false;
        };
        let req = *self.reqs.get(r);
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
        let base = p.backoff.sample(&mut p.rng) as f64 * p.multiplier.powi(n as i32 - 1);
        let wait = if p.jitter {
            base * p.rng.random::<f64>()
        } else {
            base
        };
        let r2 = self.reqs.alloc_copy(&req);
        self.guard(r2);
        let next = self.reqs.get_mut(r2);
        next.attempt = n;
        next.push(Frame {
            node: CLIENT,
            step: 0,
            t_in: self.now,
            epoch: 0,
            ..Default::default()
        });
        if req.measured {
            self.attempts += 1;
            self.retried += 1;
        }
        self.after(
            (wait.round() as u64).max(1),
            Ev::new(EvKind::RetryFire, 0, r2),
        );
        true
    }

    /// A retry leaves the client: a fresh deadline, then the entry.
    pub(super) fn retry_fire(&mut self, r: u32) {
        self.arm_deadline(r);
        // With GeoDNS, a retry whose user's answer expired looks the data center up again.
        let now = self.now;
        let user = self.reqs.get(r).user as usize;
        if let (Some(g), Some(dns)) = (&self.geo.dns, &mut self.client.dns)
            && dns.expires[user] <= now
        {
            let lat = dns.latency.sample(&mut dns.rng);
            dns.expires[user] = now + lat + dns.ttl;
            dns.answer[user] = g.answer(self.geo.region(user as u32));
            let comp = dns.comp;
            self.comps[comp].ctr.arrivals += 1;
            if self.reqs.get(r).measured {
                self.dns_lookups += 1;
            }
            self.after(lat, Ev::new(EvKind::DnsDone, 0, r));
            return;
        }
        self.send_to_entry(r);
    }
}
