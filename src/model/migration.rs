//! The migration load of resharding: after an `add_shard` with a `migration` block, the
//! keys that change shard are copied in the background, from their old shard's primary to
//! their new shard's primary, and a key moves when its copy is done.
//!
//! The moved keys are grouped by (old shard, new shard) pair, and each pair has a
//! *copier*: a sequential loop that takes the pair's next `batch` keys, occupies a worker
//! of the source primary for the batch's cost (a `cost` draw per key), then a worker of
//! the target primary for as long again (fresh draws), and then switches those keys to
//! their new shard. The pair's share of the throttle is `rate × keys of the pair / keys
//! moved`, so every pair finishes about `keys moved / rate` after the add when the shards
//! keep up; a batch starts no earlier than its predecessor's start plus its keys over the
//! pair's rate, and never before its predecessor is done.
//!
//! A batch is background work in the stations: it has no request in the slab; it stands in
//! a station's waiting room (always admitted, whatever its size; the station tells a
//! batch from a request when a worker takes it, [`super::station::Next`]) and in service,
//! where its end is an event of its own (`MigrateDone`), so it delays user requests as
//! real work would while the request path never looks at it. A batch whose source or target primary is down, or crashes while the batch
//! waits or is served there, starts over one pacing interval later.
//!
//! Everything here is allocated when the shard is added; a batch allocates nothing.

use super::Model;
use super::core::{Ev, EvKind};
use super::kinds::{DbRoute, Serves};
use crate::engine::random::stream;
use crate::engine::{Dist, Stream};
use crate::scenario::{Migration, ShardKey};

/// Where a copier's current batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Waiting for its start time.
    Idle,
    /// At the source primary.
    Source,
    /// At the target primary.
    Target,
    /// Every key of the pair copied (or settled by a later `add_shard`).
    Done,
}

/// The copy loop of one (old shard, new shard) pair.
#[derive(Debug)]
pub(crate) struct Copier {
    /// The migration this copier belongs to (`Model::migs`).
    mig: u32,
    /// Replica sets (`dbs` indices) of the source and target shards.
    src: u32,
    dst: u32,
    /// The pair's moved keys, ascending.
    keys: Vec<u64>,
    /// Keys before `next` are copied; the current batch is `next..end`.
    next: usize,
    end: usize,
    /// Pacing: ns per key at the pair's share of the rate.
    ns_per_key: f64,
    batch: usize,
    cost: Dist,
    rng: Stream,
    stage: Stage,
    /// When the current batch started (the pacing reference).
    started: u64,
}

/// One reshard's migration.
#[derive(Debug)]
pub(crate) struct MigRun {
    /// The database component.
    pub(crate) comp: u32,
    router: u32,
    /// When the shard was added.
    t0: u64,
    /// Keys not copied yet.
    left: u64,
    /// The copiers of this migration: `copiers[first..first + n]`.
    first: u32,
    n: u32,
    /// When the last key was copied.
    done_at: Option<u64>,
}

impl MigRun {
    /// Whether every key was copied, or settled at once by a later `add_shard`.
    pub(crate) fn is_done(&self) -> bool {
        self.done_at.is_some()
    }
}

impl Model {
    /// After `add_shard` moved `moved` keys of database `comp`: starts their copy.
    pub(crate) fn start_migration(
        &mut self,
        comp: usize,
        route: DbRoute,
        moved: &[(u64, u32, u32)],
        m: &Migration,
        seed: u64,
    ) {
        let DbRoute {
            db: first_db,
            router,
        } = route;
        if moved.is_empty() {
            return;
        }
        let mig = self.migs.len() as u32;
        let shards = self.kinds.routers[router as usize].active as usize;
        // Keys per (old, new) pair, in key order.
        let mut pairs: Vec<Vec<u64>> = vec![Vec::new(); shards * shards];
        for &(k, from, to) in moved {
            pairs[from as usize * shards + to as usize].push(k);
        }
        let total = moved.len() as f64;
        let first = self.copiers.len() as u32;
        let name = self.core.comps[comp].name.clone();
        for (p, keys) in pairs.into_iter().enumerate() {
            if keys.is_empty() {
                continue;
            }
            let (from, to) = ((p / shards) as u32, (p % shards) as u32);
            let ns_per_key = 1e9 * total / (m.rate_per_s * keys.len() as f64);
            let rng = stream(
                seed,
                &format!("{name}#migration{}#{from}-{to}", self.migs.len()),
            );
            let c = self.copiers.len() as u32;
            self.copiers.push(Copier {
                mig,
                src: first_db + from,
                dst: first_db + to,
                keys,
                next: 0,
                end: 0,
                ns_per_key,
                batch: m.batch as usize,
                cost: m.cost.clone(),
                rng,
                stage: Stage::Idle,
                started: self.core.now,
            });
            self.core.after(0, Ev::new(EvKind::MigrateBatch, c, 0));
        }
        self.migs.push(MigRun {
            comp: comp as u32,
            router,
            t0: self.core.now,
            left: moved.len() as u64,
            first,
            n: self.copiers.len() as u32 - first,
            done_at: None,
        });
    }

    /// A later `add_shard` of the same database: a migration still running ends, its
    /// remaining keys having moved at once (the router settles them itself).
    pub(crate) fn settle_migrations(&mut self, comp: usize) {
        for i in 0..self.migs.len() {
            if self.migs[i].comp as usize != comp || self.migs[i].is_done() {
                continue;
            }
            let (first, n) = (self.migs[i].first, self.migs[i].n);
            for c in first..first + n {
                let cp = &self.copiers[c as usize];
                if cp.stage == Stage::Done {
                    continue;
                }
                let (src, dst, from) = (cp.src, cp.dst, cp.next);
                for j in from..self.copiers[c as usize].keys.len() {
                    let k = self.copiers[c as usize].keys[j];
                    self.copy_key(self.migs[i].router, src, dst, k);
                }
                self.copiers[c as usize].stage = Stage::Done;
                self.copiers[c as usize].keys = Vec::new();
            }
            let run = &mut self.migs[i];
            run.done_at = Some(self.core.now);
            self.core.comps[comp].ctr.migration_ns += self.core.now - run.t0;
        }
    }

    /// Copier `c` starts its next batch (or starts it over).
    pub(crate) fn migrate_batch(&mut self, c: u32) {
        let cp = &mut self.copiers[c as usize];
        if cp.stage != Stage::Idle {
            return;
        }
        cp.end = (cp.next + cp.batch).min(cp.keys.len());
        cp.started = self.core.now;
        cp.stage = Stage::Source;
        let src = cp.src;
        self.batch_to(c, src);
    }

    /// Sends copier `c`'s batch to the primary of replica set `db`.
    fn batch_to(&mut self, c: u32, db: u32) {
        let d = &self.kinds.dbs[db as usize];
        let node = d.first_node + d.primary;
        let s = d.first_station + d.primary;
        if !self.core.node_up[node as usize] || self.core.node_part[node as usize] {
            self.batch_over(c);
            return;
        }
        if self.core.stations[s as usize].arrive_background(self.core.now, c) {
            self.migration_service(node, s, c);
        }
    }

    /// The batch failed (a primary down or crashed): it starts over one pacing interval
    /// later.
    pub(crate) fn batch_over(&mut self, c: u32) {
        let cp = &mut self.copiers[c as usize];
        if cp.stage == Stage::Done {
            return;
        }
        cp.stage = Stage::Idle;
        let wait = (((cp.end - cp.next) as f64 * cp.ns_per_key).round() as u64).max(1);
        self.core.after(wait, Ev::new(EvKind::MigrateBatch, c, 0));
    }

    /// Station `s` (node `node`) starts serving copier `c`'s batch.
    pub(crate) fn migration_service(&mut self, node: u32, s: u32, c: u32) {
        let cp = &mut self.copiers[c as usize];
        let n = cp.end - cp.next;
        let mut t = 0u64;
        for _ in 0..n {
            t = t.saturating_add(cp.cost.sample(&mut cp.rng));
        }
        let slow = self.core.stations[s as usize].slow;
        let t = if slow == 1.0 {
            t
        } else {
            (t as f64 * slow).round() as u64
        };
        let ev = Ev {
            code: EvKind::MigrateDone as u8,
            tag: 0,
            node,
            req: c,
            aux: self.core.node_epoch[node as usize],
        };
        self.core.after(t, ev);
    }

    /// Copier `c`'s batch finished its service at `node` (station `s` of replica set `db`),
    /// or the node crashed meanwhile (its epoch is no longer `epoch`).
    pub(crate) fn migration_done(&mut self, node: u32, s: u32, db: u32, c: u32, epoch: u32) {
        if epoch != self.core.node_epoch[node as usize] {
            self.batch_over(c);
            return;
        }
        self.station_next(node, s, Serves::Database(db));
        let cp = &mut self.copiers[c as usize];
        match cp.stage {
            Stage::Source => {
                cp.stage = Stage::Target;
                let dst = cp.dst;
                self.batch_to(c, dst);
            }
            Stage::Target => self.batch_copied(c),
            // Settled by a later `add_shard` while this batch was in service.
            Stage::Done | Stage::Idle => {}
        }
    }

    /// The batch reached its target: its keys move.
    fn batch_copied(&mut self, c: u32) {
        let (mig, src, dst, from, to) = {
            let cp = &self.copiers[c as usize];
            (cp.mig, cp.src, cp.dst, cp.next, cp.end)
        };
        let run = &self.migs[mig as usize];
        let (router, comp) = (run.router, run.comp as usize);
        for j in from..to {
            let k = self.copiers[c as usize].keys[j];
            self.copy_key(router, src, dst, k);
        }
        let n = (to - from) as u64;
        self.core.comps[comp].ctr.migration_keys += n;
        let cp = &mut self.copiers[c as usize];
        cp.next = to;
        if to < cp.keys.len() {
            cp.stage = Stage::Idle;
            let at = cp.started + (n as f64 * cp.ns_per_key).round() as u64;
            let wait = at.saturating_sub(self.core.now);
            self.core.after(wait, Ev::new(EvKind::MigrateBatch, c, 0));
        } else {
            cp.stage = Stage::Done;
            cp.keys = Vec::new();
        }
        let run = &mut self.migs[mig as usize];
        run.left -= n;
        if run.left == 0 {
            run.done_at = Some(self.core.now);
            let took = self.core.now - run.t0;
            self.core.comps[comp].ctr.migration_ns += took;
            self.kinds.routers[router as usize].settle();
        }
    }

    /// Key `k` moves from replica set `src` to `dst`: its data (versions, with key
    /// sharding) goes along, and requests for it go to `dst` from now on.
    fn copy_key(&mut self, router: u32, src: u32, dst: u32, k: u64) {
        let r = &mut self.kinds.routers[router as usize];
        r.copied(k);
        if r.by != ShardKey::Key {
            return;
        }
        let k = k as usize;
        let s = &self.kinds.dbs[src as usize];
        let (v, acked) = (s.ver[s.primary as usize * s.keys + k], s.acked[k]);
        let d = &mut self.kinds.dbs[dst as usize];
        for m in 0..d.n_nodes as usize {
            d.ver[m * d.keys + k] = v;
        }
        d.acked[k] = acked;
    }

    /// Keys still waiting for their copy at the end of the run, per database component.
    pub(crate) fn migration_pending(&self, comp: usize) -> u64 {
        self.migs
            .iter()
            .filter(|m| m.comp as usize == comp && !m.is_done())
            .map(|m| m.left)
            .sum()
    }

    /// Time (ns) the migrations of database `comp` still running at `now` have taken so far.
    pub(crate) fn migration_running_ns(&self, comp: usize) -> u64 {
        self.migs
            .iter()
            .filter(|m| m.comp as usize == comp && !m.is_done())
            .map(|m| self.core.now - m.t0)
            .sum()
    }
}
