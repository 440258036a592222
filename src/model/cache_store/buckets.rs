//! The lists that order a [`KeyCache`]'s slots: their headers (buckets) and links. LRU and
//! FIFO keep one list, in bucket 0; LFU keeps one bucket per distinct use count on a list of
//! buckets of increasing count, taken from and returned to a preallocated pool (see the
//! parent module's documentation for the invariants).

use super::{EvictionPolicy, KeyCache, NIL, Slot};

/// A list header: the ends of one list of slots, and (LFU) its count and its neighbours on
/// the bucket list.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bucket {
    /// Use count of every slot in the bucket (LFU only).
    pub(super) count: u64,
    /// Most recently linked slot, or [`NIL`] when empty.
    pub(super) head: u32,
    /// Least recently linked slot (the victim within the bucket), or [`NIL`] when empty.
    pub(super) tail: u32,
    /// Bucket with the next smaller count, or [`NIL`] (LFU only).
    pub(super) prev: u32,
    /// Bucket with the next larger count, or [`NIL`]; links the free list when free.
    pub(super) next: u32,
}

/// A bucket with no slots, on no list.
pub(super) const EMPTY_BUCKET: Bucket = Bucket {
    count: 0,
    head: NIL,
    tail: NIL,
    prev: NIL,
    next: NIL,
};

impl KeyCache {
    /// Links new slot `i` (not on any list): at the head of the one list under LRU/FIFO, of
    /// the count-1 bucket under LFU; nowhere under Random.
    #[inline]
    pub(super) fn link_new(&mut self, i: u32) {
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
    }

    /// LFU: moves slot `i` from its bucket (count c) to the front of the bucket with count c+1.
    pub(super) fn bump(&mut self, i: u32) {
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

    /// Links slot `i` (not on any list) at the head of bucket `b`.
    #[inline]
    pub(super) fn link_front(&mut self, i: u32, b: u32) {
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
    pub(super) fn unlink(&mut self, i: u32) {
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
    pub(super) fn alloc_bucket(&mut self, count: u64, prev: u32, next: u32) -> u32 {
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
    pub(super) fn release_if_empty(&mut self, b: u32) {
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
    pub(super) fn reset_buckets(&mut self) {
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
