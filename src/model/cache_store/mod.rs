//! A key-level cache store with O(1) operations: what a `cache` component (and a CDN edge)
//! holds, independent of how requests reach it.
//!
//! [`KeyCache`] owns the resident entries (key, version, expiry), the eviction order of its
//! [`EvictionPolicy`], and two counters (`evictions`, `expirations`). It knows nothing about
//! requests or the event queue; time comes in as `now_ns` and expiries are absolute simulated
//! times in nanoseconds (`u64::MAX`: never expires).
//!
//! Layout (keys are dense integers `0..key_space`, so nothing is hashed):
//!
//! - `index[key]` is the slot holding `key`, or [`NIL`] (`u32::MAX`) when `key` is absent.
//! - `slots[0..len]` are exactly the resident entries, densely packed: removing an entry moves
//!   the last slot into the hole (swap-remove) and repoints whatever referred to it.
//! - LRU, FIFO and LFU thread slots on intrusive doubly linked lists (`prev`/`next`, [`NIL`]
//!   at the ends) whose header is a *bucket*: the head is the most recently linked slot and the
//!   tail the next victim. LRU and FIFO use a single permanent bucket 0 (LRU relinks a slot at
//!   the head on every use, FIFO only on insertion). LFU keeps one bucket per distinct use count
//!   among residents, the buckets themselves on a doubly linked list in strictly increasing
//!   count order, the smallest first (`min_bucket`); a slot's position inside its bucket is the
//!   order in which it reached that count, which is the order of last use, so the tail of the
//!   first bucket is the least used entry and the least recently used among its ties.
//!   Buckets come from a pool of `capacity` preallocated buckets with a free list; an empty LFU
//!   bucket is returned to the pool at once, so the pool never runs dry (there are at most
//!   `len` non-empty buckets, and a new one is only taken while another slot is still counted).
//! - Random uses no lists: the victim is `slots[uniform(0..len)]`, drawn from the stream given
//!   at construction (the only use of it).
//!
//! Invariants, checked by the tests after every operation: `index[slots[i].key] == i` for every
//! `i < len` and every other `index` entry is [`NIL`]; `len <= capacity`; every resident slot
//! is on exactly one list (except under Random), the lists' links are mutually consistent, and
//! under LFU every slot's count is its bucket's count, bucket counts are >= 1 and strictly
//! increasing along the bucket list, and the free list holds `capacity` minus the non-empty
//! buckets. Use counts exist only while an entry is resident (in-cache LFU): an evicted, expired
//! or removed key starts again at 1. A consequence worth knowing: under a stationary workload a
//! newcomer is nearly always the next victim, so the resident set is decided while the cache
//! fills and then stays (see the Zipf test: 0.429 hit ratio against 0.476 for the top keys).
//!
//! Cost: `get`, `put`, `remove`, `peek` are O(1) and never allocate; `clear` is O(len) (it
//! must reset the index of each resident key). Memory is O(capacity + key_space), all of it
//! allocated in [`KeyCache::new`]: 4 bytes per key of the key space, 32 bytes per slot, and
//! 24 bytes per bucket (`capacity` buckets under LFU, one under LRU/FIFO, none under Random).
//!
//! The module also has two pure functions for tests and docs: [`che_lru_hit_ratio`] (Che's
//! approximation of an LRU cache under independent references) and [`zipf_probabilities`].
//!
//! This file holds the cache and its operations; the lists and the LFU bucket pool are in
//! `buckets.rs`, the tests (which check the invariants) in `tests.rs`.

use rand::RngExt;

use crate::engine::Stream;

mod buckets;

use self::buckets::{Bucket, EMPTY_BUCKET};

/// "No slot / no bucket": an absent key, or the end of a list.
pub const NIL: u32 = u32::MAX;

pub use crate::scenario::EvictionPolicy;

/// The result of [`KeyCache::get`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Present and unexpired; `version` is the version stored by the last `put`.
    Hit {
        /// The version stored by the last `put`.
        version: u32,
    },
    /// Not present.
    Miss,
    /// Was present but had expired; it has now been removed.
    Expired,
}

/// A resident entry, and its links on its bucket's list.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    /// Absolute expiry time; the entry is expired at any `now_ns >= expires_ns`.
    expires_ns: u64,
    version: u32,
    /// Neighbour towards the head of the slot's list (more recent), or [`NIL`].
    prev: u32,
    /// Neighbour towards the tail of the slot's list (next victim), or [`NIL`].
    next: u32,
    /// The bucket whose list holds the slot (always 0 under LRU/FIFO; unused under Random).
    bucket: u32,
}

/// A fixed-capacity cache of dense integer keys. See the module documentation for the layout
/// and its invariants.
#[derive(Clone, Debug)]
pub struct KeyCache {
    policy: EvictionPolicy,
    capacity: u32,
    /// `index[key]`: the slot of `key`, or [`NIL`].
    index: Vec<u32>,
    /// The resident entries, densely packed; reserved to `capacity` and never grown past it.
    slots: Vec<Slot>,
    /// List headers: bucket 0 under LRU/FIFO; the LFU count buckets (used and free).
    buckets: Vec<Bucket>,
    /// LFU: the bucket with the smallest count, or [`NIL`] when the cache is empty.
    min_bucket: u32,
    /// LFU: the head of the free bucket list (linked through `next`), or [`NIL`].
    free_bucket: u32,
    rng: Stream,
    evictions: u64,
    expirations: u64,
}

impl KeyCache {
    /// `capacity` >= 1 entries; keys must be < `key_space`. `rng` drives `Random` eviction only.
    ///
    /// # Panics
    /// If `capacity` is 0 or not below `u32::MAX`, or `key_space` does not fit in memory
    /// addressing (`usize`).
    pub fn new(capacity: usize, key_space: u64, policy: EvictionPolicy, rng: Stream) -> KeyCache {
        assert!(capacity >= 1, "a cache holds at least one entry");
        let capacity = u32::try_from(capacity)
            .ok()
            .filter(|&c| c < NIL)
            .expect("cache capacity must be below u32::MAX");
        let key_space = usize::try_from(key_space).expect("key space must fit in usize");
        let buckets = match policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => vec![EMPTY_BUCKET],
            EvictionPolicy::Lfu => vec![EMPTY_BUCKET; capacity as usize],
            EvictionPolicy::Random => Vec::new(),
        };
        let mut cache = KeyCache {
            policy,
            capacity,
            index: vec![NIL; key_space],
            slots: Vec::with_capacity(capacity as usize),
            buckets,
            min_bucket: NIL,
            free_bucket: NIL,
            rng,
            evictions: 0,
            expirations: 0,
        };
        cache.reset_buckets();
        cache
    }

    /// Looks `key` up at time `now_ns`. A present, unexpired entry is a hit (LRU: becomes most
    /// recent; LFU: its count goes up; FIFO/Random: no change). An entry whose expiry <= now is
    /// removed, counted in `expirations`, and reported as `Expired`. Otherwise `Miss`.
    #[inline]
    pub fn get(&mut self, key: u64, now_ns: u64) -> Lookup {
        let i = self.index[key as usize];
        if i == NIL {
            return Lookup::Miss;
        }
        let slot = self.slots[i as usize];
        if slot.expires_ns <= now_ns {
            self.remove_slot(i);
            self.expirations += 1;
            return Lookup::Expired;
        }
        self.touch(i);
        Lookup::Hit {
            version: slot.version,
        }
    }

    /// Inserts `key` (or refreshes it if present: new version and expiry; LRU: most recent; LFU: count +1;
    /// FIFO: keeps its original position) with `expires_ns` (`u64::MAX` = never). When the cache is full and
    /// the key is new, evicts one entry by policy first (counted in `evictions`) and returns the evicted key.
    #[inline]
    pub fn put(&mut self, key: u64, version: u32, expires_ns: u64) -> Option<u64> {
        let i = self.index[key as usize];
        if i != NIL {
            let slot = &mut self.slots[i as usize];
            slot.version = version;
            slot.expires_ns = expires_ns;
            self.touch(i);
            return None;
        }
        let evicted = if self.slots.len() == self.capacity as usize {
            let victim = self.victim();
            let k = self.slots[victim as usize].key;
            self.remove_slot(victim);
            self.evictions += 1;
            Some(k)
        } else {
            None
        };
        let i = self.slots.len() as u32;
        self.slots.push(Slot {
            key,
            expires_ns,
            version,
            prev: NIL,
            next: NIL,
            bucket: NIL,
        });
        self.index[key as usize] = i;
        self.link_new(i);
        evicted
    }

    /// Removes `key` if present (invalidation); returns whether it was there.
    #[inline]
    pub fn remove(&mut self, key: u64) -> bool {
        let i = self.index[key as usize];
        if i == NIL {
            return false;
        }
        self.remove_slot(i);
        true
    }

    /// Empties the cache (a flush). Counters are kept. O(len).
    pub fn clear(&mut self) {
        for s in &self.slots {
            self.index[s.key as usize] = NIL;
        }
        self.slots.clear();
        self.reset_buckets();
    }

    /// The cached version of `key` if present (expired or not), without touching recency/frequency.
    #[inline]
    pub fn peek(&self, key: u64) -> Option<u32> {
        let i = self.index[key as usize];
        (i != NIL).then(|| self.slots[i as usize].version)
    }

    /// Number of resident entries (expired ones included until they are looked up or evicted).
    #[inline]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// No entry is resident.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The most entries it holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.capacity as usize
    }

    /// Entries removed to make room for a new key, since construction.
    #[inline]
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Entries found expired by `get` (and removed), since construction.
    #[inline]
    pub fn expirations(&self) -> u64 {
        self.expirations
    }

    /// Records a use of resident slot `i` (a hit or a refresh).
    #[inline]
    fn touch(&mut self, i: u32) {
        match self.policy {
            EvictionPolicy::Lru => {
                if self.buckets[0].head != i {
                    self.unlink(i);
                    self.link_front(i, 0);
                }
            }
            EvictionPolicy::Lfu => self.bump(i),
            EvictionPolicy::Fifo | EvictionPolicy::Random => {}
        }
    }

    /// The slot to evict from a full cache.
    #[inline]
    fn victim(&mut self) -> u32 {
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => self.buckets[0].tail,
            EvictionPolicy::Lfu => self.buckets[self.min_bucket as usize].tail,
            EvictionPolicy::Random => self.rng.random_range(0..self.slots.len() as u32),
        }
    }

    /// Unlinks and drops resident slot `i`, keeping `slots` dense.
    fn remove_slot(&mut self, i: u32) {
        let key = self.slots[i as usize].key;
        self.index[key as usize] = NIL;
        if self.policy != EvictionPolicy::Random {
            let b = self.slots[i as usize].bucket;
            self.unlink(i);
            if self.policy == EvictionPolicy::Lfu {
                self.release_if_empty(b);
            }
        }
        self.slots.swap_remove(i as usize);
        if (i as usize) < self.slots.len() {
            // The former last slot now lives at `i`: repoint the index and its neighbours.
            let s = self.slots[i as usize];
            self.index[s.key as usize] = i;
            if self.policy != EvictionPolicy::Random {
                if s.prev != NIL {
                    self.slots[s.prev as usize].next = i;
                } else {
                    self.buckets[s.bucket as usize].head = i;
                }
                if s.next != NIL {
                    self.slots[s.next as usize].prev = i;
                } else {
                    self.buckets[s.bucket as usize].tail = i;
                }
            }
        }
    }
}

/// Che's approximation of an LRU cache's hit ratio under the independent reference model:
/// finds the characteristic time T with sum_i (1 - exp(-p_i T)) = capacity, then returns
/// sum_i p_i (1 - exp(-p_i T)). `popularity` are request probabilities summing to 1.
///
/// When `capacity` is at least the number of keys with non-zero probability, every such key
/// fits and the result is the total probability (1). T is found by bisection to a relative
/// precision of about 1e-12.
pub fn che_lru_hit_ratio(popularity: &[f64], capacity: usize) -> f64 {
    let total: f64 = popularity.iter().sum();
    let requested = popularity.iter().filter(|&&p| p > 0.0).count();
    if capacity >= requested {
        return total;
    }
    let c = capacity as f64;
    // Expected number of distinct keys seen in a window of length t: increasing in t, from 0
    // towards `requested` > c.
    let occupancy = |t: f64| -> f64 { popularity.iter().map(|&p| -libm::expm1(-p * t)).sum() };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while occupancy(hi) < c {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if occupancy(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    let t = 0.5 * (lo + hi);
    popularity.iter().map(|&p| p * -libm::expm1(-p * t)).sum()
}

/// Zipf(s) probabilities over n keys, key 0 most popular: p_k proportional to 1/(k+1)^s.
pub fn zipf_probabilities(n: usize, s: f64) -> Vec<f64> {
    let mut p: Vec<f64> = (1..=n).map(|k| libm::pow(k as f64, -s)).collect();
    // Sum smallest first, for accuracy.
    let total: f64 = p.iter().rev().sum();
    for v in &mut p {
        *v /= total;
    }
    p
}

#[cfg(test)]
mod tests;
