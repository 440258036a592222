//! Caches and CDN edges: a read of a cacheable class is answered from the store on a hit
//! and read through to the backing component on a miss, filling the entry from the reply; a
//! write passes through and drops (or, write-through, refreshes) the entry once it has
//! committed. A hit on an entry older than the backing database's acknowledged version is
//! counted as stale. A CDN caches the static classes in front of its origin.

use indexmap::IndexMap;

use crate::engine::random::component_stream;
use crate::engine::{Dist, SimTime, Stream};
use crate::model::build::Builder;
use crate::model::cache_store::{KeyCache, Lookup};
use crate::model::core::Core;
use crate::model::shard::ShardRouter;
use crate::model::{Cause, Model};
use crate::scenario::{CacheSpec, Keys, WritePolicy};

use super::database::{Db, shard_of};
use super::{DbRoute, NodeKind, Role, ratio};

/// Cache frame steps: what to do with the reply.
const PASS: u32 = 0;
const FILL: u32 = 1;
const WRITE_THROUGH: u32 = 2;
const INVALIDATE: u32 = 3;

/// A cache or CDN edge.
#[derive(Debug)]
pub(crate) struct CacheNode {
    /// The entries.
    pub(crate) store: KeyCache,
    /// Entry lifetime, ns.
    pub(crate) ttl: Option<u64>,
    /// Lookup latency.
    pub(crate) latency: Dist,
    /// Its random stream (lookups).
    pub(crate) rng: Stream,
    /// The component a miss (or a write) goes to: the backing component, or the origin.
    pub(crate) miss: u32,
    /// A cache's write policy (`None`: a CDN, whose writes invalidate).
    pub(crate) write_policy: Option<WritePolicy>,
    /// Per class: whether its reads are cached.
    pub(crate) cacheable: Vec<bool>,
    /// The database whose acknowledged versions tell whether a hit is stale.
    pub(crate) backing_db: Option<DbRoute>,
    /// Per class: hits and lookups.
    pub(crate) class_hits: Vec<u64>,
    /// Per class: lookups.
    pub(crate) class_lookups: Vec<u64>,
}

/// What a cache or CDN edge is built from.
pub(crate) struct CacheSetup<'a> {
    /// Its store's parameters.
    pub(crate) spec: &'a CacheSpec,
    /// Where misses and writes go.
    pub(crate) miss: usize,
    /// A cache's write policy (`None`: a CDN).
    pub(crate) write_policy: Option<WritePolicy>,
    /// Per class: whether its reads are cached.
    pub(crate) cacheable: Vec<bool>,
    /// Per class: whether it is served here (a prefill covers the first one's keys).
    pub(crate) served: &'a [bool],
}

/// Builds cache component `ci` (`write_policy` `None`: a CDN in front of its origin).
pub(crate) fn build(b: &mut Builder<'_>, ci: usize, setup: CacheSetup<'_>) -> (u32, u32, Role) {
    let ix = b.kinds.caches.len() as u32;
    let write_policy = setup.write_policy;
    let node = cache_node(b, ci, setup);
    b.kinds.caches.push(node);
    b.add_node(ci, NodeKind::Cache(ix));
    let role = match write_policy {
        Some(_) => Role::Cache(ix),
        None => Role::Cdn(ix),
    };
    (1, 0, role)
}

/// Builds a cache or CDN edge; a `prefill` cache starts with the most popular keys of the
/// first class it serves, their expiry spread evenly over one ttl.
fn cache_node(b: &Builder<'_>, ci: usize, setup: CacheSetup<'_>) -> CacheNode {
    let sc = b.sc;
    let spec = setup.spec;
    let name = &sc.components[ci].name;
    let key_space = b.key_space;
    let n_classes = sc.traffic.classes.len();
    // Prefill covers the keys of the first class the cache serves.
    let prefill_keys = (0..n_classes)
        .find(|&c| setup.served[c])
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
        miss: setup.miss as u32,
        write_policy: setup.write_policy,
        cacheable: setup.cacheable,
        backing_db: None,
        class_hits: vec![0; n_classes],
        class_lookups: vec![0; n_classes],
    }
}

impl CacheNode {
    /// A request reaches this cache (node `node` of component `comp`): a cacheable read is
    /// looked up, a hit answered at once (stale when older than the version `dbs` (routed by
    /// `routers`) acknowledged); a miss, a write or a pass-through pushes the cache's frame
    /// and returns where it goes on to: the target component and the delay before it leaves.
    #[inline]
    pub(crate) fn deliver(
        &mut self,
        core: &mut Core,
        (routers, dbs): (&[ShardRouter], &[Db]),
        node: u32,
        comp: u32,
        r: u32,
    ) -> Option<(u32, u64)> {
        let now = core.now;
        let req = core.reqs.get(r);
        let (class, key) = (req.class as usize, req.key);
        let target = self.miss;
        if core.op_write[class] {
            // A write passing through: drop or refresh the entry when the write returns.
            // The entry is dropped (or refreshed) once the write has committed: the
            // cache-aside order "update the database, then delete the cache entry".
            let step = match self.write_policy {
                Some(WritePolicy::WriteThrough) => WRITE_THROUGH,
                _ => INVALIDATE,
            };
            return Some(self.pass_on(core, node, comp, r, step, target, 0));
        }
        if !self.cacheable[class] {
            return Some(self.pass_on(core, node, comp, r, PASS, target, 0));
        }
        let lookup = self.latency.sample(&mut self.rng);
        self.class_lookups[class] += 1;
        match self.store.get(key, now) {
            Lookup::Hit { version } => {
                self.class_hits[class] += 1;
                let user = core.reqs.get(r).user;
                let stale = match self.backing_db {
                    Some(route) => {
                        let d = shard_of(routers, route, key, user);
                        version < dbs[d].acked[key as usize]
                    }
                    None => false,
                };
                let ctr = &mut core.comps[comp as usize].ctr;
                ctr.hits += 1;
                if stale {
                    ctr.stale_hits += 1;
                }
                core.comp_latency(comp, lookup, now >= core.warmup);
                core.reqs.get_mut(r).version = version;
                core.span_now(r, node, lookup, Cause::None);
                core.reply_after(comp, r, lookup);
                None
            }
            Lookup::Miss | Lookup::Expired => {
                core.comps[comp as usize].ctr.misses += 1;
                Some(self.pass_on(core, node, comp, r, FILL, target, lookup))
            }
        }
    }

    /// The cache passes `r` on to `target` after `extra` ns, remembering in `step` what to
    /// do with the reply: pushes its frame, and returns the target and the delay.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn pass_on(
        &self,
        core: &mut Core,
        node: u32,
        comp: u32,
        r: u32,
        step: u32,
        target: u32,
        extra: u64,
    ) -> (u32, u64) {
        core.push_frame(r, node, step);
        core.open_change(comp, true);
        (target, extra)
    }

    /// A reply passes back through this cache: a fill or a write-through stores the entry,
    /// a write through a cache-aside cache drops it.
    #[inline]
    pub(crate) fn reply(&mut self, core: &mut Core, node: u32, comp: u32, r: u32) {
        let f = core.reqs.get_mut(r).pop();
        let req = core.reqs.get(r);
        if req.fail == Cause::None {
            match f.step {
                FILL | WRITE_THROUGH => {
                    let expires = self.ttl.map_or(u64::MAX, |t| core.now + t);
                    self.store.put(req.key, req.version, expires);
                }
                INVALIDATE if self.store.remove(req.key) => {
                    core.comps[comp as usize].ctr.invalidations += 1;
                }
                _ => {}
            }
        }
        core.span(r, node, &f);
        core.leave(comp, f.t_in);
        core.reply_after(comp, r, 0);
    }

    /// This cache crashed: its contents and open requests are gone.
    pub(crate) fn crash(&mut self, core: &mut Core, comp: u32) {
        core.open_reset(comp);
        self.store.clear();
    }
}

impl Model {
    /// A request reaches cache `ci` (node `node` of component `comp`); a miss, a write or
    /// a pass-through goes on to its target.
    #[inline]
    pub(crate) fn cache_deliver(&mut self, node: u32, comp: u32, ci: u32, r: u32) {
        let k = &mut self.kinds;
        let dbs = (k.routers.as_slice(), k.dbs.as_slice());
        if let Some((target, extra)) =
            k.caches[ci as usize].deliver(&mut self.core, dbs, node, comp, r)
        {
            self.forward(comp as usize + 1, target, r, extra);
        }
    }
}

impl Model {
    /// Report extras of cache or CDN `i` (`Kinds::caches` index `cache`): hits, misses,
    /// evictions, offload, stale hits, invalidations, hit ratio per class.
    pub(crate) fn cache_extras(&self, i: usize, cache: u32, extra: &mut IndexMap<String, f64>) {
        let c = &self.core.comps[i];
        let (ctr, w) = (&c.ctr, &self.warm.ctr[i]);
        let mut put = |k: &str, v: f64| {
            extra.insert(k.to_string(), v);
        };
        let cn = &self.kinds.caches[cache as usize];
        let hits = ctr.hits - w.hits;
        let lookups = hits + ctr.misses - w.misses;
        let arrivals = ctr.arrivals - w.arrivals;
        put("hit_ratio", ratio(hits, lookups));
        put("hits", hits as f64);
        put("misses", (ctr.misses - w.misses) as f64);
        put("evictions", (ctr.evictions - w.evictions) as f64);
        put("expirations", (ctr.expirations - w.expirations) as f64);
        let offload = if matches!(c.role, Role::Cdn(_)) {
            "origin_offload"
        } else {
            "offload"
        };
        put(offload, ratio(hits, arrivals));
        if cn.backing_db.is_some() {
            let stale = ctr.stale_hits - w.stale_hits;
            put("stale_hits", stale as f64);
            put("stale_hit_ratio", ratio(stale, hits));
        }
        if matches!(c.role, Role::Cache(_)) {
            put(
                "invalidations",
                (ctr.invalidations - w.invalidations) as f64,
            );
        }
        let ci = cache as usize;
        for (k, name) in self.class_names.iter().enumerate() {
            let l = cn.class_lookups[k] - self.warm.class_lookups[ci][k];
            if l > 0 {
                let h = cn.class_hits[k] - self.warm.class_hits[ci][k];
                put(&format!("hit_ratio_{name}"), ratio(h, l));
            }
        }
    }
}
