//! `database`: a primary that takes writes and `replicas` that take reads (`read_from`),
//! with replication lag, optional synchronous replication and failover, and optionally
//! `shards` by a strategy (hash, consistent hashing, range). With data centers, the
//! primary stands in `datacenter` and each replica in its `replica_datacenters` entry.
//!
//! It names no component. Memory: per shard, its nodes, histograms and the version arrays
//! (4 bytes per key per node, and the acknowledged row), a consistent-hash ring, and a
//! resharding's transient tables.

use super::{Ctx, KindDef, Reach};
use crate::metrics::hist::HIST_BYTES;
use crate::scenario::memory::{Parts, SHARD_BYTES, Sizing, nodes, shard_adds};
use crate::scenario::raw::{Kind, ReadFrom, Replication, ShardKey, ShardStrategy};
use crate::scenario::resolve::{Place, Problems, dc_index};
use crate::scenario::{CompId, ComponentKind};

/// The database kind.
pub(super) const DEF: KindDef = KindDef {
    kind: Kind::Database,
    keys: &[
        "workers",
        "queue",
        "read",
        "write",
        "replicas",
        "read_from",
        "replication_lag",
        "replication",
        "failover",
        "shards",
        "strategy",
        "shard_key",
        "vnodes",
        "instance",
        "scaling",
        "reliability",
    ],
    geo_keys: &["datacenter", "replica_datacenters"],
    resolve,
    calls: Reach::Nothing,
    memory,
};

/// The largest number of read replicas a database may have.
const MAX_REPLICAS: u32 = 64;

fn resolve(ctx: &Ctx<'_>, pr: &mut Problems<'_>) -> Option<ComponentKind> {
    let rc = ctx.rc;
    let w = ctx.workers(pr);
    let read = ctx.dist(
        pr,
        "read",
        &rc.read,
        "the distribution of a read's service time",
    );
    let write = ctx.dist(
        pr,
        "write",
        &rc.write,
        "the distribution of a write's service time",
    );
    let replicas = rc.replicas.unwrap_or(0);
    let mut good = true;
    if replicas > MAX_REPLICAS {
        pr.at(
            &ctx.path("replicas"),
            format!("expected at most {MAX_REPLICAS} replicas, found {replicas}"),
        );
        good = false;
    }
    let read_from = rc.read_from.unwrap_or(if replicas > 0 {
        ReadFrom::Replicas
    } else {
        ReadFrom::Primary
    });
    if read_from == ReadFrom::Replicas && replicas == 0 {
        pr.at(
            &ctx.path("read_from"),
            "`read_from: replicas` needs `replicas` >= 1, found 0 replicas",
        );
        good = false;
    }
    let lag = match (&rc.replication_lag, replicas) {
        (Some(_), 0) => {
            pr.at_key(
                &ctx.path("replication_lag"),
                "`replication_lag` needs `replicas` >= 1, found 0 replicas",
            );
            good = false;
            None
        }
        (None, 0) => None,
        (d, _) => Some(ctx.dist(
            pr,
            "replication_lag",
            d,
            "the time from a write's commit on the primary to its application on a replica",
        )?),
    };
    if rc.replication.is_some() && replicas == 0 {
        pr.at_key(
            &ctx.path("replication"),
            "`replication` needs `replicas` >= 1, found 0 replicas",
        );
        good = false;
    }
    let sync = rc.replication == Some(Replication::Sync);
    let (w, read, write) = (w?, read?, write?);
    let (shards, strategy, vnodes) = sharding(ctx, pr, &mut good);
    let replica_dcs = replica_datacenters(ctx, replicas, pr, &mut good);
    let failover = rc.failover.map(|d| d.0);
    if failover.is_some() && replicas == 0 {
        pr.at_key(
            &ctx.path("failover"),
            "`failover` promotes a replica, so it needs `replicas` >= 1, found 0 replicas",
        );
        good = false;
    }
    good.then_some(ComponentKind::Database {
        failover,
        shards,
        strategy,
        shard_key: rc.shard_key.unwrap_or(ShardKey::Key),
        vnodes,
        workers: w,
        queue: ctx.queue(),
        read,
        write,
        replicas,
        read_from,
        lag,
        sync,
        replica_dcs,
    })
}

/// `shards`, `strategy` and `vnodes`, checked; a problem clears `good`.
fn sharding(ctx: &Ctx<'_>, pr: &mut Problems<'_>, good: &mut bool) -> (u32, ShardStrategy, u32) {
    let rc = ctx.rc;
    let shards = rc.shards.unwrap_or(1);
    if shards == 0 || shards > 1024 {
        pr.at(
            &ctx.path("shards"),
            format!("expected from 1 to 1024 shards, found {shards}"),
        );
        *good = false;
    }
    let vnodes = rc.vnodes.unwrap_or(100);
    if vnodes == 0 || vnodes > 10_000 {
        pr.at(
            &ctx.path("vnodes"),
            format!("expected from 1 to 10000 points per shard, found {vnodes}"),
        );
        *good = false;
    }
    let strategy = rc.strategy.unwrap_or(ShardStrategy::HashMod);
    if rc.vnodes.is_some() && strategy != ShardStrategy::ConsistentHash {
        pr.at_key(
            &ctx.path("vnodes"),
            "`vnodes` applies to `strategy: consistent_hash`",
        );
        *good = false;
    }
    (shards, strategy, vnodes)
}

/// `replica_datacenters`: one data center per replica; a problem clears `good`.
fn replica_datacenters(
    ctx: &Ctx<'_>,
    replicas: u32,
    pr: &mut Problems<'_>,
    good: &mut bool,
) -> Vec<usize> {
    let mut replica_dcs = Vec::new();
    if let Some(list) = &ctx.rc.replica_datacenters {
        if list.len() != replicas as usize {
            pr.at(
                &ctx.path("replica_datacenters"),
                format!(
                    "expected one data center per replica ({replicas}), found {}",
                    list.len()
                ),
            );
            *good = false;
        }
        for (i, d) in list.iter().enumerate() {
            let path = ctx.path(&format!("replica_datacenters[{i}]"));
            match dc_index(ctx.dcs, d, &path, Place::Value, pr) {
                Some(ix) => replica_dcs.push(ix),
                None => *good = false,
            }
        }
    }
    replica_dcs
}

fn memory(s: &Sizing<'_>, ci: CompId, parts: &mut Parts) {
    let c = &s.sc.components[ci];
    let ComponentKind::Database {
        queue,
        replicas,
        shards,
        strategy,
        shard_key,
        vnodes,
        ..
    } = &c.kind
    else {
        return;
    };
    let (users, keys) = (s.users, s.keys);
    let adds = shard_adds(s.sc, ci);
    let total = u128::from(*shards) + adds;
    let n = 1 + u128::from(*replicas);
    // Versions: a row of `keys` per node and the acknowledged row.
    let versions = total * keys * (n + 1) * 4;
    let per_shard = SHARD_BYTES + 2 * HIST_BYTES + nodes(n, *queue) + 16 * n;
    let ring = if *strategy == ShardStrategy::ConsistentHash {
        16 * u128::from(*vnodes) * total
    } else {
        0
    };
    // An add_shard's transient tables: every key's shard before, the moved keys, a
    // migration's old shard per key and its copiers' key lists.
    let space = match shard_key {
        ShardKey::User => users,
        ShardKey::Key => keys,
    };
    let reshard = if adds > 0 {
        32 * space + 24 * total * total
    } else {
        0
    };
    parts.add(
        format!("components.{}", c.name),
        versions + total * per_shard + ring + reshard,
        format!(
            "this database's versions (4 bytes per key for {keys} keys, on each of its {n} nodes and in the acknowledged row, in {total} shard{})",
            if total == 1 { "" } else { "s" }
        ),
        "use fewer keys, replicas or shards",
    );
}
