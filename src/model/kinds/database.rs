//! Databases: replica sets (one per shard, a primary and its replicas, each a station),
//! routed by a [`ShardRouter`]. A write commits on the primary and ships to the replicas
//! (after their lag, across data centers after the DC-to-DC latency); with synchronous
//! replication the primary replies once every replica applied it. Versions are tracked per
//! key on every node, so a read a replica serves before it applied the latest acknowledged
//! write counts as stale. A primary that fails is replaced by its most up-to-date replica
//! after the failover delay; shards added during the run take their keys at once or through
//! a migration.

use indexmap::IndexMap;

use crate::engine::random::component_stream;
use crate::engine::{Dist, SimTime, Stream};
use crate::metrics::LatencyHist;
use crate::model::build::Builder;
use crate::model::core::{CROSS_REPLICATION, Core};
use crate::model::request::NO_DC;
use crate::model::shard::ShardRouter;
use crate::model::{Ev, EvKind, Model};
use crate::scenario::{FaultAction, ReadFrom, ShardKey, ShardStrategy};

use super::{DbRoute, Role, Serves, ratio};

/// A database's replication state: one shard, its primary and replicas.
#[derive(Debug)]
pub(crate) struct Db {
    /// The component this replica set belongs to.
    pub(crate) comp: u32,
    /// Time in node of this shard's requests (after warm-up).
    pub(crate) hist: LatencyHist,
    /// Service time of a read.
    pub(crate) read: Dist,
    /// Service time of a write.
    pub(crate) write: Dist,
    /// Which nodes serve reads.
    pub(crate) read_from: ReadFrom,
    /// Replication lag (`None`: no replication).
    pub(crate) lag: Option<Dist>,
    /// Synchronous replication: a write is acknowledged once every replica applied it.
    pub(crate) sync: bool,
    /// Promotion delay after the primary fails, ns (`None`: no failover).
    pub(crate) failover: Option<u64>,
    /// Keys tracked.
    pub(crate) keys: usize,
    /// Its first node.
    pub(crate) first_node: u32,
    /// Its first node's station (its nodes' stations follow in order).
    pub(crate) first_station: u32,
    /// Nodes: the primary and its replicas (offsets from `first_node`).
    pub(crate) n_nodes: u32,
    /// Which node is the primary now (it moves on promotion).
    pub(crate) primary: u32,
    /// The replication term: bumped on promotion; applies from an older term are dropped.
    pub(crate) term: u16,
    /// Version of each key on each node: `node * keys + key`. The primary's row holds the
    /// committed versions.
    pub(crate) ver: Vec<u32>,
    /// Latest version of each key whose write was acknowledged (committed, and with
    /// synchronous replication applied everywhere). A read older than this is stale.
    pub(crate) acked: Vec<u32>,
    /// When each node applies its latest write (replicas apply in commit order).
    pub(crate) last_apply: Vec<u64>,
    /// Writes each node has applied (picks the most up-to-date replica to promote).
    pub(crate) applied_count: Vec<u64>,
    /// Replication's random stream (lags, DC-to-DC latencies).
    pub(crate) rng: Stream,
    /// Round-robin pointer over the read pool.
    pub(crate) rr: u32,
    /// Replication lag of each write to each replica (after warm-up).
    pub(crate) lag_hist: LatencyHist,
    /// Acknowledged writes lost by promotions.
    pub(crate) lost_writes: u64,
    /// Promotions so far.
    pub(crate) promotions: u64,
    /// Requests failed by this shard's nodes after warm-up (refused while down, or lost
    /// in a crash).
    pub(crate) failed: u64,
    /// When the shard came into use, ns: 0, or the time of the `add_shard` that adds it
    /// (at or after the end: never). Its nodes count in capacity from then.
    pub(crate) born: u64,
}

impl Db {
    /// How long the shard is in use within `[a, b]`, ns.
    pub(crate) fn exists_during(&self, a: u64, b: u64) -> u64 {
        b.saturating_sub(a.max(self.born))
    }
}

/// What a database is built from (its resolved parameters).
pub(crate) struct DbSpec<'a> {
    /// Workers per node.
    pub(crate) workers: u32,
    /// Waiting room per node.
    pub(crate) queue: Option<u64>,
    /// Service time of a read.
    pub(crate) read: &'a Dist,
    /// Service time of a write.
    pub(crate) write: &'a Dist,
    /// Replicas per shard.
    pub(crate) replicas: u32,
    /// Which nodes serve reads.
    pub(crate) read_from: ReadFrom,
    /// Replication lag.
    pub(crate) lag: &'a Option<Dist>,
    /// Synchronous replication.
    pub(crate) sync: bool,
    /// Promotion delay.
    pub(crate) failover: Option<SimTime>,
    /// Shards at the start.
    pub(crate) shards: u32,
    /// How keys map to shards.
    pub(crate) strategy: ShardStrategy,
    /// What is sharded: users or keys.
    pub(crate) shard_key: ShardKey,
    /// Virtual nodes per shard (consistent hashing).
    pub(crate) vnodes: u32,
}

/// Builds database component `ci`: every shard's primary and replicas, with the shards
/// added during the run allocated now, idle until added.
pub(crate) fn build(b: &mut Builder<'_>, ci: usize, d: DbSpec<'_>) -> (u32, u32, Role) {
    let sc = b.sc;
    let name = &sc.components[ci].name;
    // Shards added during the run are added in the order their faults fire: by time, then
    // file order (a stable sort).
    let mut adds: Vec<u64> = sc
        .faults
        .iter()
        .filter(|f| matches!(f.action, FaultAction::AddShard(d, _) if d == ci))
        .map(|f| f.at.as_nanos())
        .collect();
    adds.sort();
    let total = d.shards + adds.len() as u32;
    let keys = b.key_space as usize;
    let first_db = b.kinds.dbs.len() as u32;
    let n = 1 + d.replicas as usize;
    for s in 0..total {
        // Unsharded databases keep their plain names (and random streams).
        let base = if total == 1 {
            name.clone()
        } else {
            format!("{name}#shard{s}")
        };
        let db = first_db + s;
        let shard_first = b.nodes.len() as u32;
        let first_station = b.stations.len() as u32;
        let rng = component_stream(sc.seed, &base);
        b.add_station(ci, d.workers, d.queue, rng, Serves::Database(db));
        for j in 0..d.replicas {
            let rng = component_stream(sc.seed, &format!("{base}#replica{j}"));
            b.add_station(ci, d.workers, d.queue, rng, Serves::Database(db));
            b.node_replica.resize(b.nodes.len(), u32::MAX);
            b.node_replica[b.nodes.len() - 1] = j;
        }
        b.kinds.dbs.push(Db {
            comp: ci as u32,
            hist: LatencyHist::new(),
            read: d.read.clone(),
            write: d.write.clone(),
            read_from: d.read_from,
            lag: d.lag.clone(),
            sync: d.sync,
            failover: d.failover.map(SimTime::as_nanos),
            keys,
            first_node: shard_first,
            first_station,
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
            born: match s.checked_sub(d.shards) {
                None => 0,
                Some(k) => adds[k as usize],
            },
        });
    }
    let router = b.kinds.routers.len() as u32;
    // Sharding by user spreads user ids; by key, the key space.
    let space = match d.shard_key {
        ShardKey::User => sc.traffic.users,
        ShardKey::Key => b.key_space,
    };
    b.kinds.routers.push(ShardRouter::new(
        d.strategy,
        d.shard_key,
        d.shards,
        space,
        d.vnodes,
    ));
    let route = DbRoute {
        db: first_db,
        router,
    };
    (total * n as u32, d.workers, Role::Database(route))
}

/// The replica set (`Kinds::dbs` index) of database `route` (routed by `routers`) that
/// holds this key (or this user's data).
#[inline]
pub(crate) fn shard_of(routers: &[ShardRouter], route: DbRoute, key: u64, user: u32) -> usize {
    (route.db + routers[route.router as usize].shard(key, user)) as usize
}

/// The node of database `route` (routed by `routers` over replica sets `dbs`) that request
/// `r` goes to, from caller row `from_row`: the primary for writes, the read policy's choice
/// for reads (in the caller's data center first, with data centers).
#[inline]
pub(crate) fn route(
    routers: &[ShardRouter],
    dbs: &mut [Db],
    core: &Core,
    route: DbRoute,
    r: u32,
    from_row: usize,
) -> u32 {
    let req = core.reqs.get(r);
    let shard = routers[route.router as usize].shard(req.key, req.user);
    let db = &mut dbs[(route.db + shard) as usize];
    let class = req.class as usize;
    let primary = db.first_node + db.primary;
    if core.op_write[class] || db.n_nodes == 1 || db.read_from == ReadFrom::Primary {
        return primary;
    }
    let caller_dc = if from_row == 0 || core.geo.n_dc == 0 {
        NO_DC
    } else {
        core.geo.comp_dc[from_row - 1]
    };
    if caller_dc != NO_DC {
        // With data centers: a node of the pool in the caller's data center first.
        for _ in 0..db.n_nodes {
            let i = db.rr % db.n_nodes;
            db.rr = db.rr.wrapping_add(1);
            let node = db.first_node + i;
            if (db.read_from == ReadFrom::Any || i != db.primary)
                && core.node_up[node as usize]
                && core.geo.node_dc[node as usize] == caller_dc
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
        if (db.read_from == ReadFrom::Any || i != db.primary) && core.node_up[node as usize] {
            return node;
        }
    }
    primary
}

impl Db {
    /// The service time of `r` at one of its nodes (random stream of station `s`).
    #[inline]
    pub(crate) fn service(&self, core: &mut Core, s: u32, r: u32) -> u64 {
        let class = core.reqs.get(r).class as usize;
        let st = &mut core.stations[s as usize];
        if core.op_write[class] {
            self.write.sample(&mut st.rng)
        } else {
            self.read.sample(&mut st.rng)
        }
    }

    /// Node `node` (of component `comp`) serves read `r` of `key`: the node's version,
    /// stale when a replica is behind the acknowledged one.
    #[inline]
    pub(crate) fn read(&self, core: &mut Core, node: u32, comp: usize, r: u32, key: usize) {
        let ctr = &mut core.comps[comp].ctr;
        ctr.reads += 1;
        let j = (node - self.first_node) as usize;
        let version = self.ver[j * self.keys + key];
        if j != self.primary as usize && version < self.acked[key] {
            ctr.stale_reads += 1;
        }
        core.reqs.get_mut(r).version = version;
    }

    /// Commits write `r` of `key` on the primary `node` and ships it to the replicas.
    /// Returns whether the primary replies now (`false`: it waits for the synchronous
    /// acks).
    #[inline]
    pub(crate) fn commit(&mut self, core: &mut Core, node: u32, r: u32, key: usize) -> bool {
        let now = core.now;
        let db = self;
        let keys = db.keys;
        let p = db.primary as usize;
        let v = db.ver[p * keys + key].wrapping_add(1);
        db.ver[p * keys + key] = v;
        db.applied_count[p] += 1;
        core.reqs.get_mut(r).version = v;
        let mut last = now;
        // Replicas in another data center than the primary's: the write's bytes cross to
        // each.
        let mut crossed = 0u64;
        if let Some(lag) = &db.lag {
            let geo = &core.geo;
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
                            crossed += 1;
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
                if now >= core.warmup {
                    db.lag_hist.record(at - now);
                }
                let ev = Ev {
                    code: EvKind::Apply as u8,
                    tag: db.term,
                    node: db.first_node + j as u32,
                    req: key as u32,
                    aux: v,
                };
                if at == now {
                    core.lane.push_back(ev);
                } else {
                    core.queue.push(SimTime(at), ev);
                }
            }
        }
        if crossed > 0 {
            let req = core.reqs.get(r);
            if req.measured {
                core.cross_bytes[CROSS_REPLICATION] +=
                    crossed * core.class_size[req.class as usize];
            }
        }
        if db.sync && last > now {
            let epoch = core.node_epoch[node as usize];
            core.after(
                last - now,
                Ev {
                    code: EvKind::SyncAck as u8,
                    tag: 0,
                    node,
                    req: r,
                    aux: epoch,
                },
            );
            return false;
        }
        db.acked[key] = db.acked[key].max(v);
        true
    }

    /// Every replica applied write `r`: it is acknowledged.
    pub(crate) fn acked(&mut self, core: &Core, r: u32) {
        let req = core.reqs.get(r);
        let acked = &mut self.acked[req.key as usize];
        *acked = (*acked).max(req.version);
    }

    /// Node `node` applies version `version` of `key`, shipped in replication term `term`.
    pub(crate) fn apply(&mut self, node: u32, key: u32, version: u32, term: u16) {
        if term != self.term {
            return; // shipped by a primary that has since been replaced
        }
        let j = (node - self.first_node) as usize;
        let slot = &mut self.ver[j * self.keys + key as usize];
        if version > *slot {
            *slot = version;
            self.applied_count[j] += 1;
        }
    }

    /// Node `node` crashed: writes its primary had not shipped yet die with it
    /// (replication still in flight from the old term is dropped).
    pub(crate) fn crash(&mut self, node: u32) {
        if node == self.first_node + self.primary {
            self.term = self.term.wrapping_add(1);
        }
    }

    /// Node `node` is back at `now`: no longer the primary, it rejoins as a replica
    /// resynchronised from the primary; still the primary, the replicas catch up with it.
    pub(crate) fn recover(&mut self, node: u32, now: u64) {
        let j = (node - self.first_node) as usize;
        let (k, p) = (self.keys, self.primary as usize);
        if j != p {
            self.ver.copy_within(p * k..(p + 1) * k, j * k);
            self.last_apply[j] = now;
        } else {
            for m in (0..self.n_nodes as usize).filter(|&m| m != p) {
                self.ver.copy_within(p * k..(p + 1) * k, m * k);
                self.last_apply[m] = now;
            }
        }
    }

    /// Promotes the most up-to-date replica that is up (`node_up`) at `now`, if the
    /// primary is still down and no promotion happened since the failure (the term is still
    /// `term`). Acknowledged writes the new primary never received are lost. Returns
    /// whether it promoted.
    pub(crate) fn promote(&mut self, node_up: &[bool], now: u64, term: u16) -> bool {
        if self.term != term || node_up[(self.first_node + self.primary) as usize] {
            return false;
        }
        let best = (0..self.n_nodes as usize)
            .filter(|&j| j != self.primary as usize && node_up[self.first_node as usize + j])
            .max_by_key(|&j| (self.applied_count[j], std::cmp::Reverse(j)));
        let Some(j) = best else { return false };
        let k = self.keys;
        let mut lost = 0u64;
        for key in 0..k {
            let have = self.ver[j * k + key];
            if self.acked[key] > have {
                lost += u64::from(self.acked[key] - have);
                self.acked[key] = have;
            }
        }
        self.lost_writes += lost;
        for m in 0..self.n_nodes as usize {
            if m != j {
                self.ver.copy_within(j * k..(j + 1) * k, m * k);
                self.applied_count[m] = self.applied_count[j];
            }
            self.last_apply[m] = now;
        }
        self.primary = j as u32;
        self.term = self.term.wrapping_add(1);
        self.promotions += 1;
        true
    }
}

impl Model {
    /// Node `node` (station `s`) of replica set `db_ix` finished a read or a write.
    pub(crate) fn db_done(&mut self, node: u32, s: u32, db_ix: u32, r: u32) {
        let comp = self.core.nodes[node as usize].comp as usize;
        let req = self.core.reqs.get(r);
        let (class, key) = (req.class as usize, req.key as usize);
        let db = &mut self.kinds.dbs[db_ix as usize];
        if self.core.op_write[class] {
            self.core.comps[comp].ctr.writes += 1;
            if !db.commit(&mut self.core, node, r, key) {
                return;
            }
        } else {
            db.read(&mut self.core, node, comp, r, key);
        }
        self.finish(node, s, Serves::Database(db_ix), r);
    }

    /// Every replica applied a synchronous write: it is acknowledged, and the primary
    /// `node` (station `s` of replica set `db`) replies.
    pub(crate) fn on_sync_ack(&mut self, node: u32, s: u32, db: u32, r: u32, epoch: u32) {
        if epoch != self.core.node_epoch[node as usize] {
            self.crashed_drop(node, r);
            return;
        }
        self.kinds.dbs[db as usize].acked(&self.core, r);
        self.finish(node, s, Serves::Database(db), r);
    }

    /// Replica set `di` promotes a replica if it still needs one (its term is `term`).
    pub(crate) fn promote(&mut self, di: u32, term: u16) {
        let db = &mut self.kinds.dbs[di as usize];
        if db.promote(&self.core.node_up, self.core.now, term) {
            self.promoted_at[db.comp as usize] = Some(self.core.now);
        }
    }

    /// Counts a request failed by `node` against its shard, when it is a database node.
    #[inline]
    pub(crate) fn shard_failed(&mut self, node: u32) {
        if let Some(db) = self.core.nodes[node as usize].kind.db()
            && self.core.now >= self.core.warmup
        {
            self.kinds.dbs[db as usize].failed += 1;
        }
    }

    /// Schedules the promotion in replica set `db` after its failover delay, if it has one.
    pub(crate) fn schedule_promotion(&mut self, db: u32) {
        let d = &self.kinds.dbs[db as usize];
        if let Some(after) = d.failover {
            let ev = Ev {
                code: EvKind::Promote as u8,
                tag: d.term,
                node: db,
                req: 0,
                aux: 0,
            };
            self.core.after(after.max(1), ev);
        }
    }

    /// A sharded database gains a shard: the router changes, and every key that now
    /// belongs to another shard takes its data (versions) there — at once, or through a
    /// background copy when the fault gives a migration.
    pub(crate) fn add_shard(
        &mut self,
        comp: usize,
        route: DbRoute,
        migration: Option<&crate::scenario::Migration>,
    ) {
        self.settle_migrations(comp);
        let moved = self.kinds.routers[route.router as usize].add_shard(migration.is_some());
        if let Some(m) = migration {
            self.start_migration(comp, route, &moved, m, self.seed);
            let ctr = &mut self.core.comps[comp].ctr;
            ctr.reshards += 1;
            ctr.keys_moved += moved.len() as u64;
            return;
        }
        // Data versions are tracked per key: they move with key sharding. With user
        // sharding the users move, and their data's versions are not followed.
        let by_key = self.kinds.routers[route.router as usize].by == ShardKey::Key;
        for &(key, from, to) in moved.iter().filter(|_| by_key) {
            let k = key as usize;
            let src = &self.kinds.dbs[(route.db + from) as usize];
            let (v, acked) = (src.ver[src.primary as usize * src.keys + k], src.acked[k]);
            let dst = &mut self.kinds.dbs[(route.db + to) as usize];
            for m in 0..dst.n_nodes as usize {
                dst.ver[m * dst.keys + k] = v;
            }
            dst.acked[k] = acked;
        }
        let ctr = &mut self.core.comps[comp].ctr;
        ctr.reshards += 1;
        ctr.keys_moved += moved.len() as u64;
    }
}

impl Model {
    /// Report extras of database `i` (routed by `route`): reads and writes, replication
    /// (lag, stale reads, promotions, lost writes, utilization of primaries and replicas),
    /// shards, resharding and migrations. `node_util(node, workers)`: a node's utilization.
    pub(crate) fn db_extras(
        &self,
        i: usize,
        route: DbRoute,
        extra: &mut IndexMap<String, f64>,
        node_util: impl Fn(u32, u32) -> f64,
    ) {
        let c = &self.core.comps[i];
        let (ctr, w) = (&c.ctr, &self.warm.ctr[i]);
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        let router = &self.kinds.routers[route.router as usize];
        let total = (c.n_nodes / self.kinds.dbs[route.db as usize].n_nodes).max(1);
        let shards: Vec<&Db> = (0..total)
            .map(|s| &self.kinds.dbs[(route.db + s) as usize])
            .collect();
        let d0 = shards[0];
        let reads = ctr.reads - w.reads;
        put("reads", reads as f64);
        put("writes", (ctr.writes - w.writes) as f64);
        if d0.n_nodes > 1 || d0.failover.is_some() {
            put(
                "lost_writes",
                shards.iter().map(|d| d.lost_writes).sum::<u64>() as f64,
            );
            put(
                "promotions",
                shards.iter().map(|d| d.promotions).sum::<u64>() as f64,
            );
        }
        if d0.n_nodes > 1 {
            let stale = ctr.stale_reads - w.stale_reads;
            put("stale_reads", stale as f64);
            put("stale_read_ratio", ratio(stale, reads));
            let mut lag = crate::metrics::LatencyHist::new();
            shards.iter().for_each(|d| lag.merge(&d.lag_hist));
            let lag = lag.summary();
            put("lag_ms_mean", lag.mean.unwrap_or(0.0));
            put("lag_ms_p99", lag.p99.unwrap_or(0.0));
            let active = &shards[..router.active as usize];
            let primaries: f64 = active
                .iter()
                .map(|d| node_util(d.first_node + d.primary, c.workers))
                .sum();
            put("primary_utilization", primaries / active.len() as f64);
            let replicas: f64 = active
                .iter()
                .flat_map(|d| {
                    (0..d.n_nodes)
                        .filter(|&j| j != d.primary)
                        .map(|j| node_util(d.first_node + j, c.workers))
                })
                .sum();
            put(
                "replica_utilization",
                replicas / (active.len() as f64 * f64::from(d0.n_nodes - 1)),
            );
        }
        if total > 1 {
            put("shards", f64::from(router.active));
            for (s, d) in shards.iter().enumerate().take(router.active as usize) {
                put(&format!("shard{s}_requests"), d.hist.count() as f64);
                let busy: f64 = (0..d.n_nodes)
                    .map(|j| node_util(d.first_node + j, c.workers))
                    .sum();
                put(
                    &format!("shard{s}_utilization"),
                    busy / f64::from(d.n_nodes),
                );
                put(
                    &format!("shard{s}_p99_ms"),
                    d.hist.summary().p99.unwrap_or(0.0),
                );
                put(&format!("shard{s}_failed"), d.failed as f64);
            }
        }
        if ctr.reshards > 0 {
            put("reshards", ctr.reshards as f64);
            put("keys_moved", ctr.keys_moved as f64);
            put(
                "keys_moved_fraction",
                ctr.keys_moved as f64 / (ctr.reshards as f64 * router.key_space() as f64),
            );
        }
        if self.migs.iter().any(|m| m.comp as usize == i) {
            put("migration_keys", ctr.migration_keys as f64);
            put(
                "migration_s",
                (ctr.migration_ns + self.migration_running_ns(i)) as f64 / 1e9,
            );
            put("migration_pending", self.migration_pending(i) as f64);
        }
    }

    /// For a database that gains shards during the run (`add_shard`), its node-time over
    /// `[a, b]` in ns, each shard's nodes counted from when the shard is in use; `None` for
    /// every other component, whose nodes all exist from the start.
    pub(crate) fn grown_node_time(&self, comp: usize, a: u64, b: u64) -> Option<u128> {
        let c = &self.core.comps[comp];
        let Role::Database(route) = c.role else {
            return None;
        };
        let first = route.db;
        let total = (c.n_nodes / self.kinds.dbs[first as usize].n_nodes).max(1);
        let shards = &self.kinds.dbs[first as usize..(first + total) as usize];
        shards.iter().any(|d| d.born > 0).then(|| {
            shards
                .iter()
                .map(|d| u128::from(d.n_nodes) * u128::from(d.exists_during(a, b)))
                .sum()
        })
    }
}
