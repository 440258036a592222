//! `cache`: a read-through cache in front of `miss`. It answers hits itself, sends misses
//! to `miss` and fills on the reply; a write passing through follows `write_policy`.
//! Entries expire after `ttl` and are evicted by `policy`. The cache part of its keys
//! ([`spec`]) is shared with `cdn`.
//!
//! Its edge reaches a component that serves requests. Memory: a node, an index of 4 bytes
//! per key and a slot per entry (the cache full).

use super::{Ctx, KindDef, Reach};
use crate::engine::SimTime;
use crate::scenario::memory::{CACHE_ENTRY_BYTES, LFU_BUCKET_BYTES, NODE_BYTES, Parts, Sizing};
use crate::scenario::raw::{Kind, WritePolicy};
use crate::scenario::resolve::{Problems, named};
use crate::scenario::{CacheSpec, CompId, ComponentKind, EvictionPolicy, MAX_KEYS};

/// The cache kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Cache,
    keys: &[
        "capacity",
        "policy",
        "ttl",
        "latency",
        "miss",
        "write_policy",
        "cacheable",
        "prefill",
        "instance",
        "reliability",
    ],
    geo_keys: &["datacenter"],
    resolve,
    calls: Reach::Serving,
    memory,
};

/// The eviction policies, as written.
pub(crate) const EVICTION_POLICIES: [(&str, EvictionPolicy); 4] = [
    ("lru", EvictionPolicy::Lru),
    ("lfu", EvictionPolicy::Lfu),
    ("fifo", EvictionPolicy::Fifo),
    ("random", EvictionPolicy::Random),
];

/// The keys a cache and a cdn share: `capacity`, `policy`, `ttl`, `latency`, `prefill`.
pub(super) fn spec(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<CacheSpec> {
    let rc = ctx.rc;
    let capacity = match rc.capacity {
        None => {
            ctx.need(pr, "capacity", "how many keys it holds");
            None
        }
        Some(0) => {
            pr.at(
                &ctx.path("capacity"),
                "expected a whole number of entries >= 1, found 0",
            );
            None
        }
        Some(c) if c > MAX_KEYS => {
            pr.at(
                &ctx.path("capacity"),
                format!("expected at most {MAX_KEYS} entries, found {c}"),
            );
            None
        }
        Some(c) => Some(c),
    };
    let policy = match &rc.policy {
        None => Some(EvictionPolicy::Lru),
        Some(p) => named(
            pr,
            &ctx.path("policy"),
            p,
            &EVICTION_POLICIES,
            "eviction policy",
        ),
    };
    let ttl = rc.ttl.map(|d| d.0);
    if ttl == Some(SimTime::ZERO) {
        pr.at(
            &ctx.path("ttl"),
            "expected a ttl > 0, found 0s (leave `ttl` out for entries that never expire)",
        );
    }
    let latency = ctx.dist(pr, "latency", &rc.latency, "the time to answer a lookup");
    if ttl == Some(SimTime::ZERO) {
        return None;
    }
    Some(CacheSpec {
        capacity: capacity?,
        policy: policy?,
        ttl,
        latency: latency?,
        prefill: rc.prefill.unwrap_or(false),
    })
}

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let rc = ctx.rc;
    let spec = spec(ctx, pr);
    let miss = ctx.refer(
        pr,
        "miss",
        &rc.miss,
        "the component it reads through to on a miss",
    );
    let cacheable = cacheable(ctx, pr);
    Some(ComponentKind::Cache {
        cache: spec?,
        miss: miss?,
        write_policy: rc.write_policy.unwrap_or(WritePolicy::Invalidate),
        cacheable: cacheable?,
    })
}

/// `cacheable`: the read classes it keeps, by class; every read class that is not static
/// when it is left out.
fn cacheable(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<Vec<bool>> {
    let classes = ctx.classes;
    let Some(list) = &ctx.rc.cacheable else {
        return Some(classes.iter().map(|c| !c.write && !c.is_static).collect());
    };
    let mut v = vec![false; classes.len()];
    let mut good = true;
    for (i, n) in list.iter().enumerate() {
        let path = ctx.path(&format!("cacheable[{i}]"));
        match ctx.class(n) {
            Some(ci) if classes[ci].write => {
                pr.at(
                    &path,
                    format!(
                        "expected a read class, found `{n}`, a write (writes follow `write_policy`)"
                    ),
                );
                good = false;
            }
            Some(ci) => v[ci] = true,
            None => {
                pr.at(&path, ctx.not_a_class(n));
                good = false;
            }
        }
    }
    good.then_some(v)
}

/// A cache's or cdn's memory: its node, its key index and its entries at capacity.
pub(super) fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let (ComponentKind::Cache { cache, .. } | ComponentKind::Cdn { cache, .. }) = &c.kind else {
        return;
    };
    let keys = s.keys;
    let entries = u128::from(cache.capacity).min(keys);
    let per_entry = CACHE_ENTRY_BYTES
        + match cache.policy {
            EvictionPolicy::Lfu => LFU_BUCKET_BYTES,
            _ => 0,
        };
    parts.add(
        format!("components.{}.capacity", c.name),
        NODE_BYTES + 4 * keys + per_entry * entries,
        format!(
            "this {} (an index of 4 bytes per key for {keys} keys and {per_entry} bytes per entry for {entries} entries)",
            c.kind.name()
        ),
        "lower its `capacity` or the key space",
    );
}
