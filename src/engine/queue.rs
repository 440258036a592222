//! The event queue: a monotone priority queue of `Copy` events keyed by simulated time.
//!
//! # Ordering
//!
//! Events come out ordered by `(time, sequence number)`, where the sequence number is the order in
//! which they were pushed. Events scheduled for the same instant therefore pop in push order
//! (FIFO), which keeps a run deterministic: the same pushes always give the same pops.
//!
//! # Monotone times
//!
//! As in any discrete-event simulation, time never runs backwards: a pushed time must not be
//! earlier than the time of the last popped event (the current simulated time; zero before the
//! first pop). Pushing at exactly that time is fine, and such an event pops after every event
//! already pending at that time. A push that breaks the rule is a bug in the caller: debug builds
//! panic on it, and release builds clamp the time up to the last popped time, so the structure
//! stays consistent and the event runs "now", after those already due now.
//!
//! # Structure
//!
//! A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan) on the `u64` time, which exploits the
//! monotone rule, with 256-way digits. Let `last` be the last popped time. Every pending event
//! lives either in the *now lane* (time equal to `last`) or in a bucket `(level, digit)`: `level`
//! (0..8) is the byte holding the highest bit in which its time differs from `last`, `digit` its
//! time's value in that byte (greater than `last`'s). A push is O(1): one `leading_zeros`, a shift
//! and an append. A pop takes the front of the now lane; when the lane is empty it takes the
//! lowest non-empty bucket (the lowest level, then the lowest digit: found with bit masks), which
//! holds the earliest event, makes its minimum the new `last`, and redistributes that bucket's
//! events into the now lane and lower levels — or, when that bucket holds one event or is a
//! level-0 bucket (whose events all have one time), pops straight from it without moving
//! anything. The other buckets stay valid: an event only ever
//! moves to a lower level, so it is moved at most 8 times over its life, and at most 4 times
//! when it was scheduled under 4.3 s ahead. A binary radix heap (one bucket per bit) moves an
//! event up to once per bit of its delay — twenty and more times for a millisecond in
//! nanoseconds — and a binary heap pays `log n` cache misses; here the cost per event is small
//! and does not grow with the number of pending events.
//!
//! FIFO ties come without storing a sequence number: appends and redistribution both keep each
//! bucket's events in push order (redistribution walks a bucket front to back and only appends to
//! lower levels, which are empty at that moment), so events of equal time, which always share a
//! bucket, stay in push order and leave the now lane from the front.
//!
//! Each bucket also records its minimum time, so [`EventQueue::peek_time`] is O(1) on `&self`
//! and a redistribution needs no extra pass to find the minimum.
//!
//! # Memory
//!
//! An event costs one `(u64, T)` slot (just `T` in the now lane). The buckets are `Vec`s that are
//! reused: once warmed up, pushes and pops do not allocate. Each bucket notes the most events it
//! held when it was drained, and every [`TRIM_EVERY`] drained buckets a bucket whose capacity is
//! more than twice that peak (and over [`TRIM_FLOOR`] slots) gives the excess back. A burst's memory
//! is therefore returned once the burst is over, instead of being kept for the rest of the run,
//! and memory is bounded by a small multiple of the pending events of the recent past; it does
//! not grow with the number of events processed. Trimming never reorders anything.

use super::SimTime;

/// Bits per digit.
const DIGIT_BITS: u32 = 8;
/// Buckets per level: one per digit value.
const DIGITS: usize = 1 << DIGIT_BITS;
/// Levels: the bytes of a `u64` time.
const LEVELS: usize = 64 / DIGIT_BITS as usize;
/// Buckets besides the now lane.
const BUCKETS: usize = LEVELS * DIGITS;

/// Buckets drained between two trims of the buckets' spare capacity.
pub const TRIM_EVERY: u32 = 1 << 16;

/// Slots a bucket may always keep, whatever its recent peak.
pub const TRIM_FLOOR: usize = 32;

/// A monotone priority queue of `Copy` events ordered by `(time, push order)`.
///
/// See the [module documentation](self) for the ordering rules, the structure and its memory use.
#[derive(Clone, Debug)]
pub struct EventQueue<T: Copy> {
    /// Events whose time equals `last`, in push order; the live ones are `now[head..]`.
    now: Vec<T>,
    /// Index of the next event to pop from `now`.
    head: usize,
    /// `buckets[level * DIGITS + digit]`, each in push order.
    buckets: Box<[Vec<(u64, T)>; BUCKETS]>,
    /// The minimum time in each bucket; `u64::MAX` for an empty bucket.
    mins: Box<[u64; BUCKETS]>,
    /// Bit `b % 64` of word `b / 64` set when bucket `b` is non-empty (a level's digits are
    /// four consecutive words).
    masks: [u64; BUCKETS / 64],
    /// Bit `w` set when word `w` of `masks` is not zero: the lowest non-empty bucket is two
    /// `trailing_zeros` away.
    words: u32,
    /// The time of the last popped event (zero before the first pop).
    last: u64,
    /// Number of pending events.
    len: usize,
    /// Number of events pushed so far.
    pushed: u64,
    /// The most events each bucket held when drained since the last trim (last: the now lane).
    peaks: Box<[usize]>,
    /// Buckets drained since the last trim.
    refills: u32,
    /// Events dropped as dead while being moved (see [`EventQueue::pop_before_live`]).
    dropped: u64,
}

impl<T: Copy> EventQueue<T> {
    /// An empty queue. It allocates only its bucket table until the first push.
    pub fn new() -> Self {
        EventQueue {
            now: Vec::new(),
            head: 0,
            buckets: Box::new(std::array::from_fn(|_| Vec::new())),
            mins: Box::new([u64::MAX; BUCKETS]),
            masks: [0; BUCKETS / 64],
            words: 0,
            last: 0,
            len: 0,
            pushed: 0,
            peaks: vec![0; BUCKETS + 1].into_boxed_slice(),
            refills: 0,
            dropped: 0,
        }
    }

    /// An empty queue with room reserved for about `n` events in the now lane. It is a hint:
    /// every part still grows as needed.
    pub fn with_capacity(n: usize) -> Self {
        let mut q = Self::new();
        q.now.reserve(n);
        q
    }

    /// Schedules `item` at `time` (ns). `time` must be >= the time of the last popped event.
    ///
    /// An earlier time panics in debug builds and is clamped to the last popped time in release
    /// builds (see the [module documentation](self)).
    #[inline]
    pub fn push(&mut self, time: SimTime, item: T) {
        let t = time.as_nanos();
        debug_assert!(
            t >= self.last,
            "event pushed at {t} ns, before the last popped time {} ns",
            self.last
        );
        self.pushed += 1;
        self.len += 1;
        if t <= self.last {
            self.now.push(item);
        } else {
            self.put(t, item);
        }
    }

    /// Files an event of time `t > last` in its bucket.
    #[inline(always)]
    fn put(&mut self, t: u64, item: T) {
        let b = bucket_of(t, self.last);
        self.buckets[b].push((t, item));
        self.mark(b, t);
    }

    /// Notes that bucket `b` holds an event of time `t`.
    #[inline(always)]
    fn mark(&mut self, b: usize, t: u64) {
        self.mins[b] = self.mins[b].min(t);
        self.masks[b / 64] |= 1 << (b % 64);
        self.words |= 1 << (b / 64);
    }

    /// Removes and returns the earliest event; ties in push order.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        self.pop_before(SimTime(u64::MAX))
            .or_else(|| self.pop_before_max())
    }

    /// [`EventQueue::pop`] for the one time `pop_before` cannot express: `u64::MAX` itself.
    #[cold]
    fn pop_before_max(&mut self) -> Option<(SimTime, T)> {
        if self.head < self.now.len() || self.words != 0 {
            // Only events at u64::MAX are left.
            debug_assert!(self.peek_time() == Some(SimTime(u64::MAX)));
            if self.head == self.now.len() {
                let b = self.lowest();
                self.refill(b, u64::MAX, |_| false);
            }
            return Some((SimTime(self.last), self.take_now()));
        }
        None
    }

    /// Removes and returns the earliest event if its time is before `end`; ties in push order.
    /// The simulation loop's step: one look at the buckets instead of a peek and a pop.
    #[inline]
    pub fn pop_before(&mut self, end: SimTime) -> Option<(SimTime, T)> {
        self.pop_before_live(end, |_| false)
    }

    /// [`EventQueue::pop_before`], dropping the events due before `end` that `dead` says will
    /// do nothing when they pop (a timer whose request has ended) as they are moved between
    /// buckets, instead of moving them on: so each dropped event is one that would have popped. `dead` must stay true for an event once it is: then dropping it early
    /// pops every other event in the same order as keeping it would. [`EventQueue::dropped`]
    /// counts them. A `None` ends the caller's run: dropping may have moved the queue's clock
    /// past the caller's, up to `end`, so nothing earlier than `end` may be pushed after it.
    #[inline]
    pub fn pop_before_live(
        &mut self,
        end: SimTime,
        mut dead: impl FnMut(&T) -> bool,
    ) -> Option<(SimTime, T)> {
        while self.head == self.now.len() {
            if self.words == 0 {
                return None;
            }
            let b = self.lowest();
            let m = self.mins[b];
            if m >= end.0 {
                return None;
            }
            if b < DIGITS || self.buckets[b].len() == 1 {
                // One event, or (level 0) events of one time: they leave from the bucket.
                return Some((SimTime(m), self.take_single(b)));
            }
            // When everything at the minimum was dead, the now lane stays empty: look again,
            // still dropping the dead.
            self.refill(b, end.0, &mut dead);
        }
        if self.last >= end.0 {
            return None;
        }
        Some((SimTime(self.last), self.take_now()))
    }

    /// The front of the now lane (which must not be empty).
    #[inline(always)]
    fn take_now(&mut self) -> T {
        let item = self.now[self.head];
        self.head += 1;
        if self.head == self.now.len() {
            self.now.clear();
            self.head = 0;
        }
        self.len -= 1;
        item
    }

    /// Pops the front of bucket `b`, the lowest, whose events all have its minimum time:
    /// a single event, or a level-0 bucket. The rest stay there, in order, for the next pops.
    #[inline(always)]
    fn take_single(&mut self, b: usize) -> T {
        let m = self.mins[b];
        self.last = m;
        self.len -= 1;
        self.count_refill();
        let bucket = &mut self.buckets[b];
        if bucket.len() == 1 {
            let item = bucket[0].1;
            bucket.clear();
            self.mins[b] = u64::MAX;
            self.clear_bit(b);
            return item;
        }
        // A level-0 bucket with ties: they move to the now lane, which keeps push order.
        let (_, item) = self.buckets[b][0];
        let n = self.buckets[b].len();
        for i in 1..n {
            let next = self.buckets[b][i].1;
            self.now.push(next);
        }
        self.peaks[b] = self.peaks[b].max(n);
        self.buckets[b].clear();
        self.mins[b] = u64::MAX;
        self.clear_bit(b);
        item
    }

    /// Marks bucket `b` empty.
    #[inline(always)]
    fn clear_bit(&mut self, b: usize) {
        let w = b / 64;
        self.masks[w] &= !(1 << (b % 64));
        if self.masks[w] == 0 {
            self.words &= !(1 << w);
        }
    }

    /// The lowest non-empty bucket (levels are consecutive runs of words, lowest first).
    /// Some bucket must be non-empty.
    #[inline(always)]
    fn lowest(&self) -> usize {
        let w = self.words.trailing_zeros() as usize;
        w * 64 + self.masks[w & (BUCKETS / 64 - 1)].trailing_zeros() as usize
    }

    /// Moves bucket `b`, the lowest non-empty one, into the now lane and lower levels, making
    /// its minimum the new `last`. Called only when the now lane is empty.
    #[inline]
    fn refill(&mut self, b: usize, end: u64, mut dead: impl FnMut(&T) -> bool) {
        debug_assert!(self.now.is_empty() && self.words != 0);
        let m = self.mins[b];
        self.last = m;
        // Taking the Vec out leaves an empty, unallocated one behind; it goes back, with its
        // capacity, once drained. Every level below is empty, so appending keeps push order.
        let mut moving = std::mem::take(&mut self.buckets[b]);
        for e in &moving {
            let t = e.0;
            if t < end && dead(&e.1) {
                self.len -= 1;
                self.dropped += 1;
            } else if t == m {
                self.now.push(e.1);
            } else {
                // The pair moves whole (one copy of its bytes, not one store per field).
                let to = bucket_of(t, self.last);
                self.buckets[to].push(*e);
                self.mark(to, t);
            }
        }
        self.peaks[b] = self.peaks[b].max(moving.len());
        self.peaks[BUCKETS] = self.peaks[BUCKETS].max(self.now.len());
        moving.clear();
        self.buckets[b] = moving;
        self.mins[b] = u64::MAX;
        self.clear_bit(b);
        self.count_refill();
    }

    /// Counts a pop that emptied a bucket; every [`TRIM_EVERY`] of them, trims.
    #[inline(always)]
    fn count_refill(&mut self) {
        self.refills += 1;
        if self.refills == TRIM_EVERY {
            self.trim();
        }
    }

    /// Gives back the capacity each bucket (and the now lane) has not needed since the last
    /// trim: down to its peak, when it holds more than twice that and over [`TRIM_FLOOR`].
    #[cold]
    fn trim(&mut self) {
        fn shrink<E>(v: &mut Vec<E>, peak: usize) {
            let keep = peak.max(v.len()).max(TRIM_FLOOR);
            if v.capacity() > 2 * keep {
                v.shrink_to(keep);
            }
        }
        for (b, &peak) in self.buckets.iter_mut().zip(self.peaks.iter()) {
            shrink(b, peak);
        }
        shrink(&mut self.now, self.peaks[BUCKETS]);
        self.peaks.fill(0);
        self.refills = 0;
    }

    /// Slots allocated over the now lane and the buckets: what the queue holds in memory,
    /// in events.
    pub fn capacity(&self) -> usize {
        self.now.capacity() + self.buckets.iter().map(Vec::capacity).sum::<usize>()
    }

    /// The time of the earliest pending event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        if self.head < self.now.len() {
            Some(SimTime(self.last))
        } else if self.words != 0 {
            Some(SimTime(self.mins[self.lowest()]))
        } else {
            None
        }
    }

    /// Every pending event, in no particular order: O(pending), for diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.now[self.head..]
            .iter()
            .chain(self.buckets.iter().flat_map(|b| b.iter().map(|(_, e)| e)))
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every pending event and returns the queue to the state of [`EventQueue::new`]: the
    /// last popped time and [`EventQueue::pushed`] go back to zero. Allocated memory is kept for
    /// reuse.
    pub fn clear(&mut self) {
        self.now.clear();
        self.head = 0;
        for b in self.buckets.iter_mut() {
            b.clear();
        }
        self.mins.fill(u64::MAX);
        self.masks = [0; BUCKETS / 64];
        self.words = 0;
        self.last = 0;
        self.len = 0;
        self.pushed = 0;
        self.peaks.fill(0);
        self.refills = 0;
        self.dropped = 0;
    }

    /// Events dropped as dead by [`EventQueue::pop_before_live`] so far.
    #[inline]
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Total events pushed so far (the next sequence number).
    #[inline]
    pub fn pushed(&self) -> u64 {
        self.pushed
    }
}

impl<T: Copy> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket of time `t` relative to `last` (`t > last`): `level * DIGITS` plus `t`'s value
/// in that level's byte, where the level is the byte holding the highest bit in which they
/// differ.
#[inline(always)]
fn bucket_of(t: u64, last: u64) -> usize {
    debug_assert!(t != last);
    let high = u64::BITS - 1 - (t ^ last).leading_zeros();
    let level = (high / DIGIT_BITS) as usize;
    let digit = ((t >> (level as u32 * DIGIT_BITS)) as usize) & (DIGITS - 1);
    level * DIGITS + digit
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn iter_visits_every_pending_event_once() {
        let mut q = EventQueue::new();
        for (t, e) in [(5, 'a'), (1, 'b'), (5, 'c'), (900, 'd'), (3, 'e')] {
            q.push(SimTime(t), e);
        }
        assert_eq!(q.pop(), Some((SimTime(1), 'b')));
        q.push(SimTime(1), 'f');
        let mut left: Vec<char> = q.iter().copied().collect();
        left.sort_unstable();
        assert_eq!(left, ['a', 'c', 'd', 'e', 'f']);
        assert_eq!(left.len(), q.len());
    }

    fn drain<T: Copy>(q: &mut EventQueue<T>) -> Vec<(u64, T)> {
        std::iter::from_fn(|| q.pop().map(|(t, x)| (t.as_nanos(), x))).collect()
    }

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        for (i, t) in [50u64, 3, 1_000_000, 7, 0, 42, u64::MAX, 8]
            .into_iter()
            .enumerate()
        {
            q.push(SimTime(t), i);
        }
        let times: Vec<u64> = drain(&mut q).into_iter().map(|(t, _)| t).collect();
        assert_eq!(times, [0, 3, 7, 8, 42, 50, 1_000_000, u64::MAX]);
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn ties_pop_in_push_order() {
        let mut q = EventQueue::new();
        // Interleave two instants so the ties travel through the buckets, not only the now lane.
        for i in 0..10u32 {
            q.push(SimTime(100), i);
            q.push(SimTime(40), 100 + i);
        }
        let got = drain(&mut q);
        let want: Vec<(u64, u32)> = (0..10)
            .map(|i| (40, 100 + i))
            .chain((0..10).map(|i| (100, i)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn push_at_current_time_runs_after_pending_ties() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), 'a');
        q.push(SimTime(5), 'b');
        q.push(SimTime(9), 'z');
        assert_eq!(q.pop(), Some((SimTime(5), 'a')));
        q.push(SimTime(5), 'c');
        q.push(SimTime(6), 'd');
        assert_eq!(drain(&mut q), [(5, 'b'), (5, 'c'), (6, 'd'), (9, 'z')]);
    }

    #[test]
    fn interleaved_push_and_pop() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), 1);
        q.push(SimTime(30), 3);
        assert_eq!(q.pop(), Some((SimTime(10), 1)));
        q.push(SimTime(20), 2);
        q.push(SimTime(10), 10);
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        assert_eq!(q.pop(), Some((SimTime(10), 10)));
        assert_eq!(q.pop(), Some((SimTime(20), 2)));
        q.push(SimTime(25), 25);
        assert_eq!(q.peek_time(), Some(SimTime(25)));
        assert_eq!(drain(&mut q), [(25, 25), (30, 3)]);
        assert_eq!(q.peek_time(), None);
        // An empty queue still remembers the current time; later pushes may land anywhere after it.
        q.push(SimTime(1000), 7);
        q.push(SimTime(31), 8);
        assert_eq!(drain(&mut q), [(31, 8), (1000, 7)]);
    }

    #[test]
    fn len_pushed_and_clear() {
        let mut q = EventQueue::with_capacity(100);
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
        for t in 0..5u64 {
            q.push(SimTime(t * 3), t);
        }
        assert_eq!(q.len(), 5);
        assert_eq!(q.pushed(), 5);
        q.pop();
        q.pop();
        assert_eq!(q.len(), 3);
        assert_eq!(q.pushed(), 5);
        assert!(!q.is_empty());

        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
        assert_eq!(q.pushed(), 0);
        assert_eq!(q.peek_time(), None);
        assert_eq!(q.pop(), None);
        // After a clear the queue starts over at time zero.
        q.push(SimTime(1), 1);
        q.push(SimTime(0), 0);
        assert_eq!(drain(&mut q), [(0, 0), (1, 1)]);
        assert_eq!(EventQueue::<u8>::default().len(), 0);
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn release_clamps_a_push_into_the_past() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), 0);
        q.push(SimTime(10), 1);
        q.push(SimTime(20), 2);
        assert_eq!(q.pop(), Some((SimTime(10), 0)));
        q.push(SimTime(3), 9);
        assert_eq!(q.len(), 3);
        assert_eq!(drain(&mut q), [(10, 1), (10, 9), (20, 2)]);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "before the last popped time")]
    fn debug_panics_on_a_push_into_the_past() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), 0);
        q.pop();
        q.push(SimTime(3), 1);
    }

    #[test]
    fn a_burst_memory_is_given_back() {
        let mut q = EventQueue::new();
        // A burst: 200,000 events pending at once, spread over a second.
        for i in 0..200_000u64 {
            q.push(SimTime(1 + i * 5_000), i);
        }
        let burst = q.capacity();
        assert!(burst >= 200_000);
        // The burst drains, then a steady trickle: a few events pending, for many refills.
        let mut t = 0;
        while let Some((now, _)) = q.pop() {
            t = now.as_nanos();
        }
        for i in 0..3 * u64::from(TRIM_EVERY) {
            q.push(SimTime(t + 1 + (i % 1_000)), i);
            q.push(SimTime(t + 5_000 + (i % 3)), i);
            q.pop().expect("pending");
            t = q.pop().expect("pending").0.as_nanos();
        }
        let after = q.capacity();
        assert!(
            after < burst / 4,
            "capacity {after} slots after the burst, {burst} during it"
        );
        // Order survives the trims.
        let mut last = 0;
        while let Some((now, _)) = q.pop() {
            assert!(now.as_nanos() >= last);
            last = now.as_nanos();
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Push at (last popped time + offset).
        Push(u64),
        Pop,
        /// Pop if the earliest event is before (last popped time + offset).
        PopBefore(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            // Small offsets make many ties; wide ones exercise the high buckets.
            3 => (0u64..4).prop_map(Op::Push),
            3 => (0u64..1_000).prop_map(Op::Push),
            1 => (0u64..u64::MAX / 4).prop_map(Op::Push),
            1 => (0u64..64).prop_map(|b| Op::Push(1u64 << b >> 2)),
            5 => Just(Op::Pop),
            2 => (0u64..2_000).prop_map(Op::PopBefore),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn matches_a_binary_heap(ops in prop::collection::vec(op(), 0..400)) {
            let mut q = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let mut now = 0u64;
            let mut seq = 0u64;
            for op in ops {
                match op {
                    Op::Push(offset) => {
                        let t = now.saturating_add(offset);
                        q.push(SimTime(t), seq);
                        reference.push(Reverse((t, seq)));
                        seq += 1;
                    }
                    Op::Pop => {
                        let want = reference.pop().map(|Reverse((t, s))| (SimTime(t), s));
                        prop_assert_eq!(q.pop(), want);
                        if let Some((t, _)) = want {
                            now = t.as_nanos();
                        }
                    }
                    Op::PopBefore(offset) => {
                        let end = now.saturating_add(offset);
                        let due = reference.peek().is_some_and(|r| r.0.0 < end);
                        let want = if due {
                            reference.pop().map(|Reverse((t, s))| (SimTime(t), s))
                        } else {
                            None
                        };
                        prop_assert_eq!(q.pop_before(SimTime(end)), want);
                        if let Some((t, _)) = want {
                            now = t.as_nanos();
                        }
                    }
                }
                prop_assert_eq!(q.len(), reference.len());
                prop_assert_eq!(q.pushed(), seq);
                prop_assert_eq!(q.peek_time(), reference.peek().map(|r| SimTime(r.0.0)));
            }
            while let Some(Reverse((t, s))) = reference.pop() {
                prop_assert_eq!(q.pop(), Some((SimTime(t), s)));
            }
            prop_assert_eq!(q.pop(), None);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// With a dead set that only grows, `pop_before_live` returns the reference's events
        /// in order, skipping only dead ones, and drops only dead ones.
        #[test]
        fn live_pops_skip_only_dead_events(
            ops in prop::collection::vec((op(), 0u32..8), 0..500),
        ) {
            let mut q = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let mut dead = std::collections::HashSet::new();
            let (mut now, mut seq, mut skipped) = (0u64, 0u64, 0u64);
            for (op, kill) in ops {
                // Now and then a pending event dies (a request ends before its timer).
                if kill == 0 && seq > 0 {
                    dead.insert(seq / 2 + u64::from(kill));
                }
                let end = match op {
                    Op::Push(offset) => {
                        let t = now.saturating_add(offset);
                        q.push(SimTime(t), seq);
                        reference.push(Reverse((t, seq)));
                        seq += 1;
                        continue;
                    }
                    Op::Pop => u64::MAX,
                    Op::PopBefore(offset) => now.saturating_add(offset),
                };
                let got = q.pop_before_live(SimTime(end), |s| dead.contains(s));
                loop {
                    match reference.peek() {
                        Some(&Reverse((t, s))) if t < end => {
                            reference.pop();
                            if got == Some((SimTime(t), s)) {
                                now = t;
                                break;
                            }
                            prop_assert!(dead.contains(&s), "live event {s} at {t} skipped");
                            skipped += 1;
                        }
                        _ => {
                            prop_assert_eq!(got, None);
                            break;
                        }
                    }
                }
                prop_assert_eq!(q.len() as u64 + q.dropped(), reference.len() as u64 + skipped);
                if got.is_none() {
                    // As in the simulation loop, nothing is due before `end`: the run is over.
                    break;
                }
            }
        }
    }
}
