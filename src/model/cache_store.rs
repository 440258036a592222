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

use rand::RngExt;

use crate::engine::Stream;

/// "No slot / no bucket": an absent key, or the end of a list.
pub const NIL: u32 = u32::MAX;

pub use crate::scenario::EvictionPolicy;

/// The result of [`KeyCache::get`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Present and unexpired; `version` is the version stored by the last `put`.
    Hit { version: u32 },
    /// Not present.
    Miss,
    /// Was present but had expired; it has now been removed.
    Expired,
}

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

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Use count of every slot in the bucket (LFU only).
    count: u64,
    /// Most recently linked slot, or [`NIL`] when empty.
    head: u32,
    /// Least recently linked slot (the victim within the bucket), or [`NIL`] when empty.
    tail: u32,
    /// Bucket with the next smaller count, or [`NIL`] (LFU only).
    prev: u32,
    /// Bucket with the next larger count, or [`NIL`]; links the free list when free.
    next: u32,
}

const EMPTY_BUCKET: Bucket = Bucket {
    count: 0,
    head: NIL,
    tail: NIL,
    prev: NIL,
    next: NIL,
};

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
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => self.link_front(i, 0),
            EvictionPolicy::Lfu => {
                let m = self.min_bucket;
                let b = if m != NIL && self.buckets[m as usize].count == 1 {
                    m
                } else {
                    self.alloc_bucket(1, NIL, m)
                };
                self.link_front(i, b);
            }
            EvictionPolicy::Random => {}
        }
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

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

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

    /// LFU: moves slot `i` from its bucket (count c) to the front of the bucket with count c+1.
    fn bump(&mut self, i: u32) {
        let b = self.slots[i as usize].bucket;
        let Bucket {
            count, head, tail, ..
        } = self.buckets[b as usize];
        let nb = self.buckets[b as usize].next;
        let next_is_up = nb != NIL && self.buckets[nb as usize].count == count + 1;
        if head == i && tail == i && !next_is_up {
            // Sole occupant and no c+1 bucket: the bucket itself moves up; order is kept
            // because the next bucket (if any) counts more than c+1.
            self.buckets[b as usize].count = count + 1;
            return;
        }
        self.unlink(i);
        let target = if next_is_up {
            nb
        } else {
            // `b` still holds another slot here, so at most len-1 buckets are in use.
            self.alloc_bucket(count + 1, b, nb)
        };
        self.link_front(i, target);
        self.release_if_empty(b);
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

    /// Links slot `i` (not on any list) at the head of bucket `b`.
    #[inline]
    fn link_front(&mut self, i: u32, b: u32) {
        let old = self.buckets[b as usize].head;
        {
            let s = &mut self.slots[i as usize];
            s.prev = NIL;
            s.next = old;
            s.bucket = b;
        }
        if old != NIL {
            self.slots[old as usize].prev = i;
        } else {
            self.buckets[b as usize].tail = i;
        }
        self.buckets[b as usize].head = i;
    }

    /// Takes slot `i` off its bucket's list (the bucket itself stays, possibly empty).
    #[inline]
    fn unlink(&mut self, i: u32) {
        let Slot {
            prev, next, bucket, ..
        } = self.slots[i as usize];
        if prev != NIL {
            self.slots[prev as usize].next = next;
        } else {
            self.buckets[bucket as usize].head = next;
        }
        if next != NIL {
            self.slots[next as usize].prev = prev;
        } else {
            self.buckets[bucket as usize].tail = prev;
        }
    }

    /// LFU: takes a bucket from the pool, gives it `count`, and links it between `prev` and
    /// `next` on the bucket list (either may be [`NIL`]).
    fn alloc_bucket(&mut self, count: u64, prev: u32, next: u32) -> u32 {
        let b = self.free_bucket;
        debug_assert!(b != NIL, "LFU bucket pool exhausted");
        self.free_bucket = self.buckets[b as usize].next;
        self.buckets[b as usize] = Bucket {
            count,
            head: NIL,
            tail: NIL,
            prev,
            next,
        };
        if prev != NIL {
            self.buckets[prev as usize].next = b;
        } else {
            self.min_bucket = b;
        }
        if next != NIL {
            self.buckets[next as usize].prev = b;
        }
        b
    }

    /// LFU: returns bucket `b` to the pool if no slot is left in it.
    #[inline]
    fn release_if_empty(&mut self, b: u32) {
        let Bucket {
            head, prev, next, ..
        } = self.buckets[b as usize];
        if head != NIL {
            return;
        }
        if prev != NIL {
            self.buckets[prev as usize].next = next;
        } else {
            self.min_bucket = next;
        }
        if next != NIL {
            self.buckets[next as usize].prev = prev;
        }
        self.buckets[b as usize] = Bucket {
            next: self.free_bucket,
            ..EMPTY_BUCKET
        };
        self.free_bucket = b;
    }

    /// Empties every list; under LFU puts every bucket back on the free list.
    fn reset_buckets(&mut self) {
        self.min_bucket = NIL;
        self.free_bucket = NIL;
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => self.buckets[0] = EMPTY_BUCKET,
            EvictionPolicy::Lfu => {
                let n = self.buckets.len() as u32;
                for (b, bucket) in self.buckets.iter_mut().enumerate() {
                    let next = b as u32 + 1;
                    *bucket = Bucket {
                        next: if next < n { next } else { NIL },
                        ..EMPTY_BUCKET
                    };
                }
                self.free_bucket = 0;
            }
            EvictionPolicy::Random => {}
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
    let occupancy = |t: f64| -> f64 { popularity.iter().map(|&p| -(-p * t).exp_m1()).sum() };
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
    popularity.iter().map(|&p| p * -(-p * t).exp_m1()).sum()
}

/// Zipf(s) probabilities over n keys, key 0 most popular: p_k proportional to 1/(k+1)^s.
pub fn zipf_probabilities(n: usize, s: f64) -> Vec<f64> {
    let mut p: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
    // Sum smallest first, for accuracy.
    let total: f64 = p.iter().rev().sum();
    for v in &mut p {
        *v /= total;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::stream;
    use proptest::prelude::*;
    use rand_distr::{Distribution, Zipf};

    /// The memory estimate of a scenario counts a slot and an LFU bucket at these sizes.
    #[test]
    fn slots_and_buckets_are_as_counted() {
        use crate::scenario::memory::{CACHE_ENTRY_BYTES, LFU_BUCKET_BYTES};
        assert_eq!(std::mem::size_of::<Slot>() as u128, CACHE_ENTRY_BYTES);
        assert_eq!(std::mem::size_of::<Bucket>() as u128, LFU_BUCKET_BYTES);
    }

    const NEVER: u64 = u64::MAX;

    fn cache(capacity: usize, key_space: u64, policy: EvictionPolicy) -> KeyCache {
        KeyCache::new(capacity, key_space, policy, stream(1, "cache-test"))
    }

    impl KeyCache {
        /// Checks every structural invariant stated in the module documentation.
        fn check(&self) {
            let len = self.slots.len();
            assert!(len <= self.capacity as usize);
            assert_eq!(self.slots.capacity(), self.capacity as usize, "slots grew");
            let mut indexed = 0;
            for (key, &i) in self.index.iter().enumerate() {
                if i != NIL {
                    indexed += 1;
                    assert_eq!(self.slots[i as usize].key, key as u64);
                }
            }
            assert_eq!(indexed, len);
            let walk = |b: u32| -> Vec<u32> {
                let mut out = Vec::new();
                let mut prev = NIL;
                let mut i = self.buckets[b as usize].head;
                while i != NIL {
                    let s = self.slots[i as usize];
                    assert_eq!(s.prev, prev, "broken back link");
                    assert_eq!(s.bucket, b, "slot in the wrong bucket");
                    out.push(i);
                    assert!(out.len() <= len, "cycle");
                    prev = i;
                    i = s.next;
                }
                assert_eq!(self.buckets[b as usize].tail, prev, "wrong tail");
                out
            };
            match self.policy {
                EvictionPolicy::Lru | EvictionPolicy::Fifo => {
                    assert_eq!(walk(0).len(), len);
                }
                EvictionPolicy::Lfu => {
                    let mut seen = 0;
                    let mut used = 0;
                    let mut last_count = 0;
                    let mut prev = NIL;
                    let mut b = self.min_bucket;
                    while b != NIL {
                        let bk = self.buckets[b as usize];
                        assert_eq!(bk.prev, prev);
                        assert!(bk.count > last_count, "bucket counts not increasing");
                        let n = walk(b).len();
                        assert!(n > 0, "empty bucket left on the list");
                        seen += n;
                        used += 1;
                        last_count = bk.count;
                        prev = b;
                        b = bk.next;
                    }
                    assert_eq!(seen, len);
                    let mut free = 0;
                    let mut f = self.free_bucket;
                    while f != NIL {
                        free += 1;
                        f = self.buckets[f as usize].next;
                    }
                    assert_eq!(used + free, self.capacity as usize);
                }
                EvictionPolicy::Random => {}
            }
        }
    }

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut c = cache(3, 10, EvictionPolicy::Lru);
        assert_eq!(c.put(1, 1, NEVER), None);
        assert_eq!(c.put(2, 1, NEVER), None);
        assert_eq!(c.put(3, 1, NEVER), None);
        assert_eq!(c.get(1, 0), Lookup::Hit { version: 1 }); // order (old..new): 2 3 1
        assert_eq!(c.put(4, 1, NEVER), Some(2)); // 3 1 4
        assert_eq!(c.put(3, 2, NEVER), None); // refresh: 1 4 3
        assert_eq!(c.put(5, 1, NEVER), Some(1)); // 4 3 5
        assert_eq!(c.put(6, 1, NEVER), Some(4));
        assert_eq!(c.get(2, 0), Lookup::Miss);
        assert_eq!(c.evictions(), 3);
        c.check();
    }

    #[test]
    fn fifo_ignores_hits_and_refreshes() {
        let mut c = cache(3, 10, EvictionPolicy::Fifo);
        c.put(1, 1, NEVER);
        c.put(2, 1, NEVER);
        c.put(3, 1, NEVER);
        assert_eq!(c.get(1, 0), Lookup::Hit { version: 1 });
        assert_eq!(c.put(1, 2, NEVER), None);
        assert_eq!(c.put(4, 1, NEVER), Some(1));
        assert_eq!(c.get(2, 0), Lookup::Hit { version: 1 });
        assert_eq!(c.put(5, 1, NEVER), Some(2));
        assert_eq!(c.put(6, 1, NEVER), Some(3));
        assert_eq!(c.put(7, 1, NEVER), Some(4));
        c.check();
    }

    #[test]
    fn lfu_evicts_the_least_used_then_the_least_recent() {
        let mut c = cache(3, 16, EvictionPolicy::Lfu);
        c.put(1, 1, NEVER);
        c.put(2, 1, NEVER);
        c.put(3, 1, NEVER);
        c.get(1, 0);
        c.get(1, 0); // counts: 1:3 2:1 3:1
        c.get(3, 0); // 3:2
        assert_eq!(c.put(4, 1, NEVER), Some(2)); // 4:1
        c.check();
        c.get(4, 0); // 4:2, used after 3, so 3 is the least recent among count 2
        assert_eq!(c.put(5, 1, NEVER), Some(3)); // 1:3 4:2 5:1
        assert_eq!(c.put(6, 1, NEVER), Some(5)); // a newcomer is the first to go
        c.get(4, 0);
        c.get(4, 0); // 4:4
        c.get(1, 0); // 1:4, used after 4
        assert_eq!(c.put(7, 1, NEVER), Some(6));
        c.get(7, 0); // 7:2
        assert_eq!(c.put(8, 1, NEVER), Some(7));
        for _ in 0..3 {
            c.get(8, 0); // 8:4, the most recent of the count-4 entries
        }
        c.check();
        assert_eq!(c.put(9, 1, NEVER), Some(4));
        assert_eq!(c.put(10, 1, NEVER), Some(9));
        assert_eq!(c.evictions(), 7);
        c.check();
    }

    #[test]
    fn random_evicts_only_residents() {
        let mut c = cache(8, 100, EvictionPolicy::Random);
        let mut rng = stream(2, "keys");
        let mut victims = [0u32; 100];
        for _ in 0..10_000 {
            let k = rng.random_range(0..100u64);
            let was_full = c.len() == c.capacity();
            let was_present = c.peek(k).is_some();
            let before: Vec<u64> = (0..100).filter(|&x| c.peek(x).is_some()).collect();
            match c.put(k, 1, NEVER) {
                Some(v) => {
                    assert!(was_full && !was_present);
                    assert!(before.contains(&v), "evicted a key that was not resident");
                    assert_ne!(v, k);
                    assert_eq!(c.peek(v), None);
                    victims[v as usize] += 1;
                }
                None => assert!(!was_full || was_present),
            }
            assert_eq!(c.peek(k), Some(1));
            assert_eq!(
                c.len(),
                before.len() + usize::from(!was_present && !was_full)
            );
        }
        assert_eq!(c.len(), 8);
        c.check();
        // Every key gets evicted at some point: the choice is not stuck on one slot.
        assert!(victims.iter().all(|&n| n > 0));
    }

    #[test]
    fn ttl_expires_exactly_at_the_expiry_and_refresh_extends_it() {
        for policy in [
            EvictionPolicy::Lru,
            EvictionPolicy::Lfu,
            EvictionPolicy::Fifo,
            EvictionPolicy::Random,
        ] {
            let mut c = cache(4, 10, policy);
            c.put(1, 7, 100);
            assert_eq!(c.get(1, 99), Lookup::Hit { version: 7 }, "{policy:?}");
            assert_eq!(c.get(1, 100), Lookup::Expired, "{policy:?}");
            assert_eq!(c.get(1, 100), Lookup::Miss, "{policy:?}");
            assert_eq!(c.expirations(), 1);
            assert!(c.is_empty());
            c.put(2, 1, 100);
            assert_eq!(c.peek(2), Some(1));
            c.put(2, 2, 200); // refresh before expiry: new version, later expiry
            assert_eq!(c.get(2, 150), Lookup::Hit { version: 2 });
            assert_eq!(c.get(2, 199), Lookup::Hit { version: 2 });
            // An expired entry is still visible to peek until something looks it up.
            assert_eq!(c.peek(2), Some(2));
            assert_eq!(c.get(2, 200), Lookup::Expired);
            assert_eq!(c.expirations(), 2);
            c.put(3, 1, NEVER);
            assert_eq!(c.get(3, u64::MAX - 1), Lookup::Hit { version: 1 });
            assert_eq!(c.evictions(), 0);
            c.check();
        }
    }

    #[test]
    fn remove_clear_peek_len() {
        for policy in [
            EvictionPolicy::Lru,
            EvictionPolicy::Lfu,
            EvictionPolicy::Fifo,
            EvictionPolicy::Random,
        ] {
            let mut c = cache(3, 10, policy);
            assert!(c.is_empty());
            assert_eq!(c.capacity(), 3);
            c.put(1, 1, NEVER);
            c.put(2, 2, NEVER);
            c.put(3, 3, NEVER);
            assert_eq!(c.len(), 3);
            // Refreshing a resident key in a full cache never evicts.
            for v in 10..20 {
                assert_eq!(c.put(2, v, NEVER), None, "{policy:?}");
            }
            assert_eq!(c.evictions(), 0);
            assert_eq!(c.peek(2), Some(19));
            assert_eq!(c.peek(4), None);
            assert!(c.remove(2));
            assert!(!c.remove(2));
            assert_eq!(c.len(), 2);
            assert_eq!(c.get(2, 0), Lookup::Miss);
            assert_eq!(c.put(4, 4, NEVER), None);
            c.check();
            c.put(5, 5, NEVER);
            assert_eq!(c.evictions(), 1);
            c.clear();
            c.check();
            assert!(c.is_empty());
            assert_eq!((0..10).filter_map(|k| c.peek(k)).count(), 0);
            assert_eq!(c.evictions(), 1, "clear keeps the counters");
            // Usable again after a flush, from empty.
            for k in 0..3 {
                assert_eq!(c.put(k, 1, NEVER), None);
            }
            assert!(c.put(9, 1, NEVER).is_some());
            c.check();
        }
    }

    #[test]
    fn operations_do_not_reallocate() {
        for policy in [
            EvictionPolicy::Lru,
            EvictionPolicy::Lfu,
            EvictionPolicy::Fifo,
            EvictionPolicy::Random,
        ] {
            let mut c = cache(16, 64, policy);
            let ptrs = (c.index.as_ptr(), c.slots.as_ptr(), c.buckets.as_ptr());
            let mut rng = stream(3, "ops");
            for t in 0..20_000u64 {
                let k = rng.random_range(0..64u64);
                match rng.random_range(0..10u32) {
                    0 => {
                        c.remove(k);
                    }
                    1..=4 => {
                        c.put(k, t as u32, t + rng.random_range(0..200u64));
                    }
                    _ => {
                        c.get(k, t);
                    }
                }
            }
            assert_eq!(
                ptrs,
                (c.index.as_ptr(), c.slots.as_ptr(), c.buckets.as_ptr())
            );
            c.check();
        }
    }

    /// The reference: a plain list of entries, every operation O(n).
    #[derive(Debug)]
    struct Model {
        policy: EvictionPolicy,
        capacity: usize,
        /// (key, version, expires_ns, count, last_use, inserted)
        entries: Vec<(u64, u32, u64, u64, u64, u64)>,
        tick: u64,
        evictions: u64,
        expirations: u64,
    }

    impl Model {
        fn find(&self, key: u64) -> Option<usize> {
            self.entries.iter().position(|e| e.0 == key)
        }

        fn get(&mut self, key: u64, now: u64) -> Lookup {
            self.tick += 1;
            let Some(i) = self.find(key) else {
                return Lookup::Miss;
            };
            if self.entries[i].2 <= now {
                self.entries.remove(i);
                self.expirations += 1;
                return Lookup::Expired;
            }
            let e = &mut self.entries[i];
            e.3 += 1;
            e.4 = self.tick;
            Lookup::Hit { version: e.1 }
        }

        fn put(&mut self, key: u64, version: u32, expires: u64) -> Option<u64> {
            self.tick += 1;
            if let Some(i) = self.find(key) {
                let e = &mut self.entries[i];
                e.1 = version;
                e.2 = expires;
                e.3 += 1;
                e.4 = self.tick;
                return None;
            }
            let mut evicted = None;
            if self.entries.len() == self.capacity {
                let i = (0..self.entries.len())
                    .min_by_key(|&i| {
                        let e = self.entries[i];
                        match self.policy {
                            EvictionPolicy::Lru => (0, e.4),
                            EvictionPolicy::Lfu => (e.3, e.4),
                            EvictionPolicy::Fifo => (0, e.5),
                            EvictionPolicy::Random => unreachable!(),
                        }
                    })
                    .expect("full cache has entries");
                evicted = Some(self.entries.remove(i).0);
                self.evictions += 1;
            }
            self.entries
                .push((key, version, expires, 1, self.tick, self.tick));
            evicted
        }

        fn remove(&mut self, key: u64) -> bool {
            self.tick += 1;
            self.find(key).map(|i| self.entries.remove(i)).is_some()
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Get(u64, u64),
        Put(u64, u32, u64),
        Remove(u64),
        Clear,
    }

    const KEYS: u64 = 12;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0..KEYS, 0..60u64).prop_map(|(k, t)| Op::Get(k, t)),
            6 => (0..KEYS, any::<u32>(), prop_oneof![3 => Just(NEVER), 1 => 0..80u64])
                .prop_map(|(k, v, e)| Op::Put(k, v, e)),
            2 => (0..KEYS).prop_map(Op::Remove),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn matches_the_reference_model(
            capacity in 1usize..6,
            ops in prop::collection::vec(op(), 0..200),
        ) {
            for policy in [EvictionPolicy::Lru, EvictionPolicy::Lfu, EvictionPolicy::Fifo] {
                let mut c = cache(capacity, KEYS, policy);
                let mut m = Model {
                    policy,
                    capacity,
                    entries: Vec::new(),
                    tick: 0,
                    evictions: 0,
                    expirations: 0,
                };
                for (step, op) in ops.iter().enumerate() {
                    match *op {
                        Op::Get(k, t) => prop_assert_eq!(c.get(k, t), m.get(k, t), "{:?} step {}", policy, step),
                        Op::Put(k, v, e) => prop_assert_eq!(c.put(k, v, e), m.put(k, v, e), "{:?} step {}", policy, step),
                        Op::Remove(k) => prop_assert_eq!(c.remove(k), m.remove(k), "{:?} step {}", policy, step),
                        Op::Clear => {
                            c.clear();
                            m.entries.clear();
                        }
                    }
                    c.check();
                    prop_assert_eq!(c.len(), m.entries.len());
                    prop_assert_eq!(c.evictions(), m.evictions);
                    prop_assert_eq!(c.expirations(), m.expirations);
                    for k in 0..KEYS {
                        prop_assert_eq!(c.peek(k), m.find(k).map(|i| m.entries[i].1));
                    }
                }
            }
        }
    }

    #[test]
    fn che_approximation_edge_cases() {
        let p = zipf_probabilities(1000, 0.8);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.windows(2).all(|w| w[0] > w[1]));
        assert!((che_lru_hit_ratio(&p, 1000) - 1.0).abs() < 1e-12);
        assert!((che_lru_hit_ratio(&p, 5000) - 1.0).abs() < 1e-12);
        let uniform = vec![1.0 / 1000.0; 1000];
        for c in [1, 10, 250, 999] {
            let h = che_lru_hit_ratio(&uniform, c);
            assert!((h - c as f64 / 1000.0).abs() < 1e-9, "c={c}: {h}");
        }
        // More capacity, more hits; and Zipf beats uniform at the same capacity.
        let h100 = che_lru_hit_ratio(&p, 100);
        let h200 = che_lru_hit_ratio(&p, 200);
        assert!(h100 < h200 && h100 > 0.1);
    }

    /// Hit ratio of each policy under independent Zipf(0.8) references over 10,000 keys,
    /// capacity 500, filling on every miss.
    #[test]
    fn hit_ratios_under_zipf_match_theory() {
        const N: usize = 10_000;
        const CAPACITY: usize = 500;
        const WARMUP: usize = 200_000;
        const MEASURED: usize = 1_000_000;
        let zipf = Zipf::new(N as f64, 0.8).expect("valid Zipf");
        let mut rng = stream(1, "t");
        // One request sequence for every policy (common random numbers).
        let requests: Vec<u32> = (0..WARMUP + MEASURED)
            .map(|_| zipf.sample(&mut rng) as u32 - 1)
            .collect();
        let p = zipf_probabilities(N, 0.8);
        // Hit ratio over the measured requests, and the probability mass of the keys resident
        // at the end.
        let run = |policy: EvictionPolicy| -> (f64, f64) {
            let mut c = cache(CAPACITY, N as u64, policy);
            let mut hits = 0u64;
            for (t, &k) in requests.iter().enumerate() {
                let k = u64::from(k);
                match c.get(k, t as u64) {
                    Lookup::Hit { .. } => hits += u64::from(t >= WARMUP),
                    _ => {
                        c.put(k, 0, NEVER);
                    }
                }
            }
            let resident: f64 = c.slots.iter().map(|s| p[s.key as usize]).sum();
            (hits as f64 / MEASURED as f64, resident)
        };
        let che = che_lru_hit_ratio(&p, CAPACITY);
        let top_mass: f64 = p[..CAPACITY].iter().sum();
        let (lru, _) = run(EvictionPolicy::Lru);
        let (lfu, lfu_resident) = run(EvictionPolicy::Lfu);
        let (fifo, _) = run(EvictionPolicy::Fifo);
        let (random, _) = run(EvictionPolicy::Random);
        eprintln!(
            "che {che:.4} lru {lru:.4} | top-{CAPACITY} mass {top_mass:.4} lfu {lfu:.4} \
             (resident mass {lfu_resident:.4}) | fifo {fifo:.4} random {random:.4}"
        );
        assert!((lru - che).abs() < 0.01, "LRU {lru} vs Che {che}");
        // In-cache LFU does not reach the top-`CAPACITY` mass (0.476 here), the hit ratio of
        // the best static choice and the bound on any cache under independent references (a
        // request hits with the mass of the resident set, which is at most the top mass). A
        // newcomer starts at count 1, below every established entry, so it is the next victim
        // unless it is hit again before the next miss (about two requests away at this miss
        // ratio), which almost never happens outside the head of the distribution. The resident
        // set is therefore decided while the cache fills, when hits are cheap to come by, and
        // then locks in: measured, its mass stays at 0.429 from 1M to 126M requests. What holds
        // is that the set is stable (the hit ratio equals its mass), that frequency beats
        // recency by a wide margin under this model, and that the bound is respected. (Perfect
        // LFU, counting evicted keys too, does approach the top mass, but it cannot be O(1): a
        // returning key re-enters at an arbitrary count.)
        assert!(
            (lfu - lfu_resident).abs() < 0.005,
            "LFU {lfu} vs its resident mass {lfu_resident}"
        );
        assert!(lfu > lru + 0.05, "LFU {lfu} vs LRU {lru}");
        assert!(lfu < top_mass, "LFU {lfu} vs top mass {top_mass}");
        // Under independent references FIFO and Random have the same hit ratio (Gelenbe,
        // 1973), below LRU's.
        assert!(
            (fifo - random).abs() < 0.005,
            "FIFO {fifo} vs Random {random}"
        );
        assert!(fifo < lru, "FIFO {fifo} vs LRU {lru}");
        assert!(random < lru, "Random {random} vs LRU {lru}");
    }
}
