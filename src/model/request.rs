//! Requests in flight, kept in a slab (a `Vec` plus a free list) and reused.
//!
//! A request carries a small call stack of [`Frame`]s: each component that accepted it pushes
//! one on arrival and pops it when it replies, so a reply travels back the way the request
//! came (client -> lb -> web -> db -> web -> lb -> client). The bottom frame is the client's.

use crate::scenario::MAX_DEPTH;

/// "No data center": a request not yet entered, or a node of a scenario without data
/// centers (or of a global component).
pub const NO_DC: u8 = u8::MAX;

/// [`Request::parent`] of a request that is not a hedged call's copy.
pub const NO_PARENT: u32 = u32::MAX;
/// The crash epoch in a hedged call's copy's bottom frame: no node has it, so the copy's
/// reply takes the path of a crashed node's, where the copy is told apart (its node's
/// epoch when it left is [`Request::copy_epoch`]).
pub const COPY_EPOCH: u32 = u32::MAX;
/// [`Request::wait`]: nothing besides service and calls.
pub const WAIT_NONE: u8 = 0;
/// [`Request::wait`]: a place in a bulkhead or pool.
pub const WAIT_PLACE: u8 = 1;
/// [`Request::wait`]: the first answer of a hedged call.
pub const WAIT_HEDGE: u8 = 2;
/// [`Request::wait`]: the first answer of a hedged call whose two copies are both out.
pub const WAIT_HEDGE2: u8 = 3;

/// Why a request failed. The numeric value indexes per-cause counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cause {
    /// Not failed.
    None = 0,
    /// A waiting room was full.
    QueueFull = 1,
    /// The client's deadline passed first.
    Timeout = 2,
    /// The user's session was on another instance (`session_lost: fail`).
    SessionLost = 3,
    /// The instance was down when the request arrived.
    ConnectionRefused = 4,
    /// The instance crashed while it held the request.
    Crashed = 5,
    /// The instance was behind a partition: the connection attempt timed out.
    Unreachable = 6,
    /// The load balancer had no backend in rotation.
    NoHealthyBackend = 7,
    /// A server's token bucket was empty (`rate_limit`).
    RateLimited = 8,
    /// A server instance held its `concurrency_limit` of requests.
    ConcurrencyLimited = 9,
    /// A request waited in a server's waiting room longer than `shedding.deadline`.
    ShedDeadline = 10,
    /// CoDel dropped a request from a server's waiting room (`shedding.codel`).
    ShedCodel = 11,
    /// A circuit breaker on the call was open (or half-open with its trials taken).
    BreakerOpen = 12,
    /// A bulkhead on the call had no place (within its `wait`).
    BulkheadFull = 13,
    /// No pooled connection came free within the pool's `timeout`.
    PoolTimeout = 14,
}

impl Cause {
    /// Every failure cause, in report order.
    pub const ALL: [Cause; 14] = [
        Cause::QueueFull,
        Cause::Timeout,
        Cause::SessionLost,
        Cause::ConnectionRefused,
        Cause::Crashed,
        Cause::Unreachable,
        Cause::NoHealthyBackend,
        Cause::RateLimited,
        Cause::ConcurrencyLimited,
        Cause::ShedDeadline,
        Cause::ShedCodel,
        Cause::BreakerOpen,
        Cause::BulkheadFull,
        Cause::PoolTimeout,
    ];
    /// Number of slots a per-cause counter array needs.
    pub const COUNT: usize = 15;

    /// The cause called `name` in reports.
    pub fn from_name(name: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::None => "none",
            Cause::QueueFull => "queue_full",
            Cause::Timeout => "timeout",
            Cause::SessionLost => "session_lost",
            Cause::ConnectionRefused => "connection_refused",
            Cause::Crashed => "crashed",
            Cause::Unreachable => "unreachable",
            Cause::NoHealthyBackend => "no_healthy_backend",
            Cause::RateLimited => "rate_limited",
            Cause::ConcurrencyLimited => "concurrency_limited",
            Cause::ShedDeadline => "shed_deadline",
            Cause::ShedCodel => "shed_codel",
            Cause::BreakerOpen => "breaker_open",
            Cause::BulkheadFull => "bulkhead_full",
            Cause::PoolTimeout => "pool_timeout",
        }
    }
}

/// One component's place on a request's call stack: 24 bytes, so that a request with
/// its [`MAX_DEPTH`] frames stays small (the slab's size, not its layout, is what the run
/// waits on at scale). A station's service start and end, which only traces read, are kept
/// beside the slab for traced requests (`Core::service_times`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Frame {
    /// The node (instance) that pushed the frame.
    pub node: u32,
    /// Node-owned progress: the next downstream call (servers), the backend chosen (balancers).
    pub step: u32,
    /// When the request arrived at the node, ns.
    pub t_in: u64,
    /// The node's crash epoch when it took the request: a reply finding another epoch
    /// knows the node crashed in between.
    pub epoch: u32,
}

/// A request in flight.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// Creation time at the client, ns.
    pub start: u64,
    /// Bumped on every reuse of the slot, so stale timers can tell.
    pub generation: u32,
    /// Its class.
    pub class: u16,
    /// The client has recorded this request's outcome (completed, failed or timed out).
    pub client_done: bool,
    /// Started after warm-up: counts in the statistics.
    pub measured: bool,
    /// Failure travelling back up the stack.
    pub fail: Cause,
    /// Component that failed it (valid when `fail != None`).
    pub fail_comp: u32,
    /// Its user.
    pub user: u32,
    /// The key it reads or writes.
    pub key: u64,
    /// The version of the key's data the request read or wrote (set by databases, caches).
    pub version: u32,
    /// 0 for the first attempt, n for the n-th retry (jobs: the n-th redelivery).
    pub attempt: u32,
    /// A job whose delivery was given up on (visibility timeout): its late completion is a
    /// duplicate.
    pub orphan: bool,
    /// Index of this request's trace record, or `u32::MAX` when it is not sampled.
    pub trace: u32,
    /// The data center its first attempt entered (`NO_DC`: none yet, or a global entry).
    pub dc: u8,
    /// This attempt entered at the CDN: its response is the CDN's to the user.
    pub via_cdn: bool,
    /// What it waits for at its top node besides its service and calls: [`WAIT_NONE`],
    /// [`WAIT_PLACE`] (a bulkhead or pool place), [`WAIT_HEDGE`] or [`WAIT_HEDGE2`] (a hedged call's first
    /// answer).
    pub wait: u8,
    /// A hedged call's copy: the request it answers for (`NO_PARENT`: none).
    pub parent: u32,
    /// The parent's generation when the copy was made.
    pub parent_gen: u32,
    /// A parent waiting on a hedged call: the instance its first copy went to.
    pub hedge_node: u32,
    /// A hedged call's copy: its sending node's crash epoch when it left.
    pub copy_epoch: u32,
    depth: u8,
    stack: [Frame; MAX_DEPTH],
}

impl Request {
    /// A blank request (a fresh slot; reused slots reset their header fields in `alloc`).
    fn blank() -> Request {
        Request {
            start: 0,
            generation: 0,
            class: 0,
            client_done: false,
            measured: false,
            fail: Cause::None,
            fail_comp: 0,
            user: 0,
            key: 0,
            version: 0,
            attempt: 0,
            orphan: false,
            trace: u32::MAX,
            dc: NO_DC,
            via_cdn: false,
            wait: WAIT_NONE,
            parent: NO_PARENT,
            parent_gen: 0,
            hedge_node: 0,
            copy_epoch: 0,
            depth: 0,
            stack: [Frame::default(); MAX_DEPTH],
        }
    }

    /// Whether the client still waits on attempt `generation` of this slot: the slot was not
    /// reused since and the attempt has no outcome yet. Once false, it stays false, which is
    /// what lets the event loop drop a deadline for which it is false unfired.
    #[inline]
    pub fn awaits(&self, generation: u32) -> bool {
        self.generation == generation && !self.client_done
    }

    /// Pushes a frame (a node takes the request).
    #[inline]
    pub fn push(&mut self, f: Frame) {
        // The scenario check bounds chain depth by MAX_DEPTH, so this cannot overflow.
        self.stack[self.depth as usize] = f;
        self.depth += 1;
    }

    /// Pops the top frame (the node on top replies).
    #[inline]
    pub fn pop(&mut self) -> Frame {
        self.depth -= 1;
        self.stack[self.depth as usize]
    }

    /// The top frame: the node holding the request now.
    #[inline]
    pub fn top(&self) -> &Frame {
        &self.stack[self.depth as usize - 1]
    }

    /// The top frame, to update.
    #[inline]
    pub fn top_mut(&mut self) -> &mut Frame {
        &mut self.stack[self.depth as usize - 1]
    }

    /// Frames on the stack.
    #[inline]
    pub fn depth(&self) -> usize {
        self.depth as usize
    }

    /// The first frame pushed (the client's, or for a job its queue's), if any.
    pub fn bottom(&self) -> Option<&Frame> {
        (self.depth > 0).then(|| &self.stack[0])
    }
}

/// Slab of requests: indices stay valid until freed; freed slots are reused.
#[derive(Debug, Default)]
pub struct Slab {
    items: Vec<Request>,
    free: Vec<u32>,
    live: usize,
}

impl Slab {
    /// A fresh request slot (fields reset, generation bumped).
    #[inline]
    pub fn alloc(&mut self) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                // Reset the header only: frames above `depth` are never read, so the
                // stack (most of the request's bytes) is left as it is.
                let r = &mut self.items[i as usize];
                r.generation = r.generation.wrapping_add(1);
                r.start = 0;
                r.class = 0;
                r.client_done = false;
                r.measured = false;
                r.fail = Cause::None;
                r.fail_comp = 0;
                r.user = 0;
                r.key = 0;
                r.version = 0;
                r.attempt = 0;
                r.orphan = false;
                r.trace = u32::MAX;
                r.dc = NO_DC;
                r.via_cdn = false;
                // `wait` is left as it was: every reader checks the generation too.
                r.parent = NO_PARENT;
                r.depth = 0;
                i
            }
            None => {
                self.items.push(Request::blank());
                (self.items.len() - 1) as u32
            }
        }
    }

    /// A new slot carrying `from`'s identity (start, class, user, key, measured, trace):
    /// another attempt or delivery of the same logical request.
    pub fn alloc_copy(&mut self, from: &Request) -> u32 {
        let i = self.alloc();
        let r = &mut self.items[i as usize];
        r.start = from.start;
        r.class = from.class;
        r.user = from.user;
        r.key = from.key;
        r.measured = from.measured;
        r.trace = from.trace;
        r.dc = from.dc;
        i
    }

    /// Frees slot `i`: the request is over.
    #[inline]
    pub fn free(&mut self, i: u32) {
        self.live -= 1;
        self.free.push(i);
    }

    /// Request `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &Request {
        &self.items[i as usize]
    }

    /// Request `i`, to update.
    #[inline]
    pub fn get_mut(&mut self, i: u32) -> &mut Request {
        &mut self.items[i as usize]
    }

    /// Requests currently allocated.
    pub fn live(&self) -> usize {
        self.live
    }

    /// Slots ever allocated (the high-water mark of requests in flight).
    pub fn capacity_used(&self) -> usize {
        self.items.len()
    }

    /// Live requests (for end-of-run accounting).
    pub fn iter_live(&self) -> impl Iterator<Item = &Request> {
        let mut is_free = vec![false; self.items.len()];
        for &f in &self.free {
            is_free[f as usize] = true;
        }
        self.items
            .iter()
            .enumerate()
            .filter(move |(i, _)| !is_free[*i])
            .map(|(_, r)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_with_a_new_generation() {
        let mut s = Slab::default();
        let a = s.alloc();
        let g = s.get(a).generation;
        s.get_mut(a).push(Frame {
            node: 3,
            step: 1,
            t_in: 9,
            epoch: 0,
        });
        s.free(a);
        let b = s.alloc();
        assert_eq!(a, b);
        assert_eq!(s.get(b).generation, g + 1);
        assert_eq!(s.get(b).depth(), 0);
        assert_eq!(s.live(), 1);
        assert_eq!(s.iter_live().count(), 1);
    }
}
