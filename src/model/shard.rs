//! Shard routing: which shard of a sharded database holds a key.
//!
//! Three strategies: `hash_mod` (a stable hash of the key modulo the number of shards:
//! even spread, but adding a shard moves most keys), `consistent_hash` (each shard owns
//! `vnodes` points on a hash ring and a key belongs to the next point clockwise: adding a
//! shard moves about 1/(N+1) of the keys), and `range` (contiguous key ranges of equal
//! width: neighbouring keys stay together, so skewed popularity makes hot shards). Lookups
//! allocate nothing; the ring is rebuilt only when a shard is added.
//!
//! While a migration copies the moved keys, a key that has not been copied yet still
//! belongs to its old shard: `pending` holds, per key, that old shard (or [`NO_SHARD`]
//! once copied). Outside a migration `pending` is empty, and a lookup pays one branch.

use crate::engine::random::mix64;
use crate::scenario::{ShardKey, ShardStrategy};

/// In `pending`: the key is not waiting for a copy.
pub const NO_SHARD: u32 = u32::MAX;

/// Maps keys (or users) to the shards of a database, and follows resharding.
#[derive(Debug)]
pub struct ShardRouter {
    /// How keys map to shards.
    pub strategy: ShardStrategy,
    /// What is sharded: keys or users.
    pub by: ShardKey,
    /// Shards in use now.
    pub active: u32,
    key_space: u64,
    vnodes: u32,
    /// Consistent hashing: `(point, shard)`, sorted by point.
    ring: Vec<(u64, u32)>,
    /// During a migration, per key: the old shard of a key not copied yet, or `NO_SHARD`.
    /// Empty when no migration runs.
    pending: Vec<u32>,
}

impl ShardRouter {
    /// A router over `shards` shards of a space of `space` keys (or users).
    pub fn new(
        strategy: ShardStrategy,
        by: ShardKey,
        shards: u32,
        key_space: u64,
        vnodes: u32,
    ) -> ShardRouter {
        let mut r = ShardRouter {
            strategy,
            by,
            active: shards,
            key_space: key_space.max(1),
            vnodes,
            ring: Vec::new(),
            pending: Vec::new(),
        };
        r.build_ring();
        r
    }

    fn build_ring(&mut self) {
        if self.strategy != ShardStrategy::ConsistentHash {
            return;
        }
        self.ring.clear();
        for s in 0..self.active {
            for v in 0..self.vnodes {
                self.ring.push((
                    mix64((u64::from(s) << 32) | u64::from(v) | 0x5eed_0000_0000_0000),
                    s,
                ));
            }
        }
        self.ring.sort_unstable();
    }

    /// The shard of a request with this key and user.
    #[inline]
    pub fn shard(&self, key: u64, user: u32) -> u32 {
        let k = match self.by {
            ShardKey::Key => key,
            ShardKey::User => u64::from(user),
        };
        self.shard_of(k)
    }

    /// The shard of a sharding key.
    #[inline]
    pub fn shard_of(&self, k: u64) -> u32 {
        if !self.pending.is_empty() {
            let old = self.pending[k.min(self.key_space - 1) as usize];
            if old != NO_SHARD {
                return old;
            }
        }
        self.settled_shard(k)
    }

    /// The shard of a sharding key once every migration is done.
    #[inline]
    fn settled_shard(&self, k: u64) -> u32 {
        if self.active <= 1 {
            return 0;
        }
        match self.strategy {
            ShardStrategy::HashMod => (mix64(k) % u64::from(self.active)) as u32,
            ShardStrategy::Range => {
                ((u128::from(k.min(self.key_space - 1)) * u128::from(self.active))
                    / u128::from(self.key_space)) as u32
            }
            ShardStrategy::ConsistentHash => {
                let h = mix64(k);
                let i = self.ring.partition_point(|&(p, _)| p < h);
                self.ring[if i == self.ring.len() { 0 } else { i }].1
            }
        }
    }

    /// Adds a shard; returns `(key, old shard, new shard)` for every key (of
    /// `0..key_space`) whose shard changed.
    ///
    /// With `migrate`, the moved keys stay on their old shard until [`Self::copied`] is
    /// called for them. A migration still running is settled first (its keys move at once).
    pub fn add_shard(&mut self, migrate: bool) -> Vec<(u64, u32, u32)> {
        self.pending.clear();
        let before: Vec<u32> = (0..self.key_space).map(|k| self.settled_shard(k)).collect();
        self.active += 1;
        self.build_ring();
        let moved: Vec<(u64, u32, u32)> = (0..self.key_space)
            .filter_map(|k| {
                let now = self.settled_shard(k);
                (now != before[k as usize]).then_some((k, before[k as usize], now))
            })
            .collect();
        if migrate && !moved.is_empty() {
            self.pending = vec![NO_SHARD; self.key_space as usize];
            for &(k, from, _) in &moved {
                self.pending[k as usize] = from;
            }
        }
        moved
    }

    /// Key `k` was copied to its new shard: requests for it go there from now on.
    pub fn copied(&mut self, k: u64) {
        if let Some(p) = self.pending.get_mut(k as usize) {
            *p = NO_SHARD;
        }
    }

    /// Every moved key was copied: the migration is over.
    pub fn settle(&mut self) {
        self.pending = Vec::new();
    }

    /// Whether a migration is running.
    pub fn migrating(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Keys in the key space.
    pub fn key_space(&self) -> u64 {
        self.key_space
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(r: &ShardRouter, n: u64) -> Vec<u64> {
        let mut c = vec![0u64; r.active as usize];
        for k in 0..n {
            c[r.shard_of(k) as usize] += 1;
        }
        c
    }

    #[test]
    fn every_strategy_spreads_keys_evenly() {
        for s in [
            ShardStrategy::HashMod,
            ShardStrategy::ConsistentHash,
            ShardStrategy::Range,
        ] {
            let r = ShardRouter::new(s, ShardKey::Key, 4, 100_000, 200);
            // Consistent hashing is as even as its ring: with 200 points per shard the
            // shares scatter by roughly 1/sqrt(200), so it gets a wider band.
            let band = if s == ShardStrategy::ConsistentHash {
                4_500.0
            } else {
                1_000.0
            };
            for c in spread(&r, 100_000) {
                assert!((c as f64 - 25_000.0).abs() < band, "{s:?}: {c}");
            }
        }
    }

    #[test]
    fn adding_a_shard_moves_most_keys_with_hash_mod_and_few_with_consistent_hashing() {
        let mut h = ShardRouter::new(ShardStrategy::HashMod, ShardKey::Key, 4, 100_000, 100);
        let moved = h.add_shard(false).len() as f64 / 100_000.0;
        assert!(
            (moved - 0.8).abs() < 0.02,
            "hash_mod 4 -> 5 moves ~4/5: {moved}"
        );
        let mut c = ShardRouter::new(
            ShardStrategy::ConsistentHash,
            ShardKey::Key,
            4,
            100_000,
            200,
        );
        let moved = c.add_shard(false).len() as f64 / 100_000.0;
        assert!(
            (moved - 0.2).abs() < 0.05,
            "consistent hashing moves ~1/5: {moved}"
        );
    }

    #[test]
    fn a_migrating_key_stays_on_its_old_shard_until_copied() {
        let mut r = ShardRouter::new(ShardStrategy::Range, ShardKey::Key, 1, 1000, 100);
        let moved = r.add_shard(true);
        assert_eq!(moved.len(), 500);
        assert!(r.migrating());
        assert_eq!((r.shard_of(999), r.shard_of(0)), (0, 0));
        r.copied(999);
        assert_eq!((r.shard_of(999), r.shard_of(998)), (1, 0));
        r.settle();
        assert!(!r.migrating());
        assert_eq!(r.shard_of(998), 1);
    }

    #[test]
    fn range_keeps_neighbours_together() {
        let r = ShardRouter::new(ShardStrategy::Range, ShardKey::Key, 4, 1000, 100);
        assert_eq!(r.shard_of(0), 0);
        assert_eq!(r.shard_of(249), 0);
        assert_eq!(r.shard_of(250), 1);
        assert_eq!(r.shard_of(999), 3);
    }
}
