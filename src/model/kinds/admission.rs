//! Admission control and load shedding at server instances.
//!
//! Admission (at delivery, before the request enters the station): a request finds its
//! instance holding `concurrency_limit` requests and is turned away (`concurrency_limited`),
//! or its class's token bucket empty (`rate_limited`). The limit is checked first, so a
//! request it turns away takes no token. A class with its own bucket
//! (`rate_limit_by_class`) uses it instead of `rate_limit`; a class with neither is not
//! limited.
//!
//! Shedding (when a freed worker takes the next waiting request): a request that waited
//! longer than `shedding.deadline` is dropped (`shed_deadline`); then CoDel (RFC 8289)
//! judges it (`shed_codel`). A dropped request fails back to its caller and the worker
//! takes the next one. LIFO (`shedding.lifo`) is the station's own (`Station::lifo_above`).
//!
//! Every state is per instance. Time is integer ns; tokens are `f64`, changed with
//! `+ - * / min` only, and CoDel's control law takes a correctly rounded square root, so
//! runs are the same on every target.

use indexmap::IndexMap;

use crate::model::Model;
use crate::model::build::Builder;
use crate::model::request::Cause;
use crate::model::station::Next;
use crate::scenario::{Codel, Defences, TokenBucket};

use super::Serves;

/// "No bucket" for a class, or no concurrency limit.
const NONE: u32 = u32::MAX;

/// A server group's admission and shedding state, one per instance.
#[derive(Debug)]
pub(crate) struct Admission {
    /// The group's first station: instance `i` is station `first_station + i`.
    first_station: u32,
    /// Requests an instance holds at once, at most (`NONE`: no limit).
    limit: u32,
    /// The distinct token buckets' settings.
    specs: Vec<TokenBucket>,
    /// Per class: its `specs` index, or `NONE` (not limited).
    class_bucket: Vec<u32>,
    /// Per instance, per spec (instance-major): the bucket.
    buckets: Vec<Bucket>,
    /// Drop a request that waited longer than this, ns (`u64::MAX`: never).
    deadline: u64,
    /// CoDel's settings, if on.
    codel: Option<Codel>,
    /// Per instance: CoDel's state.
    codel_state: Vec<CodelState>,
}

/// A token bucket's state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bucket {
    /// Tokens held.
    tokens: f64,
    /// When `tokens` was brought up to date, ns.
    last: u64,
}

impl Bucket {
    /// A full bucket at time 0.
    fn full(spec: &TokenBucket) -> Bucket {
        Bucket {
            tokens: f64::from(spec.burst),
            last: 0,
        }
    }

    /// Refills the bucket up to `now` (at most `burst` tokens) and takes a token; returns
    /// whether there was one.
    #[inline]
    fn take(&mut self, spec: &TokenBucket, now: u64) -> bool {
        let dt = now - self.last;
        self.last = now;
        let refill = dt as f64 / 1e9 * spec.rate;
        self.tokens = (self.tokens + refill).min(f64::from(spec.burst));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// CoDel's state at one instance (RFC 8289, section 5).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct CodelState {
    /// When the waiting time will have been above the target for an interval, ns (0: it is
    /// not above the target).
    first_above: u64,
    /// In the dropping state.
    dropping: bool,
    /// When the next drop is due, ns.
    drop_next: u64,
    /// Drops since the dropping state was entered (carried over as in the RFC).
    count: u32,
    /// `count` when the dropping state was last entered.
    lastcount: u32,
}

/// Where one dequeue (a worker taking the next request) stands in CoDel's `dequeue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The first request of the dequeue.
    First,
    /// A request after a drop made in the dropping state (the RFC's `while` loop).
    Dropping,
    /// The request after the drop that enters the dropping state.
    Entering,
}

impl CodelState {
    /// The RFC's `dodequeue` for a request that waited `sojourn` ns, `rest_empty` when no
    /// other request waits behind it: whether it is ok to drop.
    fn ok_to_drop(&mut self, p: &Codel, now: u64, sojourn: u64, rest_empty: bool) -> bool {
        if sojourn < p.target || rest_empty {
            self.first_above = 0;
            false
        } else if self.first_above == 0 {
            self.first_above = now + p.interval;
            false
        } else {
            now >= self.first_above
        }
    }

    /// `t + interval / sqrt(count)`.
    fn control_law(p: &Codel, t: u64, count: u32) -> u64 {
        t + (p.interval as f64 / f64::from(count.max(1)).sqrt()) as u64
    }

    /// Enters the dropping state (after its first drop), setting `count` as the RFC does.
    fn enter(&mut self, p: &Codel, now: u64) {
        self.dropping = true;
        let delta = self.count.saturating_sub(self.lastcount);
        let recent = (now as i128 - self.drop_next as i128) < 16 * i128::from(p.interval);
        self.count = if delta > 1 && recent { delta } else { 1 };
        self.drop_next = Self::control_law(p, now, self.count);
        self.lastcount = self.count;
    }

    /// Judges the request a worker took (it waited `sojourn` ns; `rest_empty`: nothing waits
    /// behind it) at step `phase` of the dequeue: returns whether it is dropped. After a
    /// drop the dequeue goes on with the next request (or [`CodelState::empty`]).
    pub(crate) fn judge(
        &mut self,
        p: &Codel,
        phase: &mut Phase,
        now: u64,
        sojourn: u64,
        rest_empty: bool,
    ) -> bool {
        let ok = self.ok_to_drop(p, now, sojourn, rest_empty);
        match *phase {
            Phase::First => {
                if self.dropping {
                    if !ok {
                        self.dropping = false;
                    }
                    self.loop_drop(phase, now)
                } else if ok {
                    *phase = Phase::Entering;
                    true
                } else {
                    false
                }
            }
            Phase::Dropping => {
                if ok {
                    self.drop_next = Self::control_law(p, self.drop_next, self.count);
                } else {
                    self.dropping = false;
                }
                self.loop_drop(phase, now)
            }
            Phase::Entering => {
                self.enter(p, now);
                *phase = Phase::First;
                false
            }
        }
    }

    /// The RFC's `while (now >= drop_next && dropping)`: one more drop, or the request is
    /// served.
    fn loop_drop(&mut self, phase: &mut Phase, now: u64) -> bool {
        if self.dropping && now >= self.drop_next {
            self.count += 1;
            *phase = Phase::Dropping;
            true
        } else {
            *phase = Phase::First;
            false
        }
    }

    /// The dequeue at step `phase` found nothing waiting.
    pub(crate) fn empty(&mut self, p: &Codel, phase: Phase, now: u64) {
        self.first_above = 0;
        match phase {
            Phase::First | Phase::Dropping => self.dropping = false,
            Phase::Entering => self.enter(p, now),
        }
    }
}

/// Builds the admission and shedding state of a server group whose `n` instances are
/// stations `first..first + n`, and marks those stations; `None` when the group has neither
/// admission control nor shedding other than LIFO.
pub(crate) fn build(b: &mut Builder<'_>, first: u32, n: u32, d: &Defences) -> Option<Admission> {
    let stations = first as usize..(first + n) as usize;
    let shedding = d.shedding.unwrap_or(crate::scenario::Shedding {
        deadline: None,
        codel: None,
        lifo: None,
    });
    for st in &mut b.stations[stations.clone()] {
        st.guarded = d.admission();
        st.shed = shedding.deadline.is_some() || shedding.codel.is_some();
        st.lifo_above = shedding.lifo.unwrap_or(u64::MAX);
    }
    if !d.admission() && shedding.deadline.is_none() && shedding.codel.is_none() {
        return None;
    }
    let classes = b.sc.traffic.classes.len();
    let mut specs = Vec::new();
    let mut class_bucket = vec![NONE; classes];
    let shared = d.rate_limit.map(|t| {
        specs.push(t);
        0u32
    });
    for (c, slot) in class_bucket.iter_mut().enumerate() {
        *slot = match d.rate_limit_by_class.get(c).copied().flatten() {
            Some(t) => {
                specs.push(t);
                specs.len() as u32 - 1
            }
            None => shared.unwrap_or(NONE),
        };
    }
    let mut buckets = Vec::with_capacity(n as usize * specs.len());
    for _ in 0..n {
        buckets.extend(specs.iter().map(Bucket::full));
    }
    Some(Admission {
        first_station: first,
        limit: d.concurrency_limit.unwrap_or(NONE),
        specs,
        class_bucket,
        buckets,
        deadline: shedding.deadline.unwrap_or(u64::MAX),
        codel: shedding.codel,
        codel_state: vec![
            CodelState::default();
            if shedding.codel.is_some() {
                n as usize
            } else {
                0
            }
        ],
    })
}

impl Admission {
    /// Instance `i` (offset in its group) crashed or drained away: its waiting room is
    /// empty, CoDel starts afresh. Its tokens stay.
    pub(crate) fn gone(&mut self, i: u32) {
        if let Some(s) = self.codel_state.get_mut(i as usize) {
            *s = CodelState::default();
        }
    }

    /// Whether request class `class` arriving at station `s`, which holds `present`
    /// requests, is turned away, and why.
    #[inline]
    fn admit(&mut self, s: u32, present: u32, class: usize, now: u64) -> Option<Cause> {
        if present >= self.limit {
            return Some(Cause::ConcurrencyLimited);
        }
        let b = self.class_bucket[class];
        if b == NONE {
            return None;
        }
        // A group's shared bucket is the first instance's.
        let inst = if self.specs[b as usize].per_group {
            0
        } else {
            (s - self.first_station) as usize
        };
        let i = inst * self.specs.len() + b as usize;
        if self.buckets[i].take(&self.specs[b as usize], now) {
            None
        } else {
            Some(Cause::RateLimited)
        }
    }
}

impl Model {
    /// Request `r` arrives at instance `node` (station `s`) of server group `g`, which has
    /// admission control: returns whether it is turned away (then it has failed back to
    /// its caller, before entering the station).
    #[inline(never)]
    pub(crate) fn admission_rejects(&mut self, node: u32, s: u32, g: u32, r: u32) -> bool {
        let Some(adm) = self.kinds.servers[g as usize].admission.as_mut() else {
            return false;
        };
        let present = self.core.stations[s as usize].present;
        let class = self.core.reqs.get(r).class as usize;
        let Some(cause) = adm.admit(s, present, class, self.core.now) else {
            return false;
        };
        let comp = self.core.nodes[node as usize].comp;
        let ctr = &mut self.core.comps[comp as usize].ctr;
        match cause {
            Cause::ConcurrencyLimited => ctr.concurrency_limited += 1,
            _ => ctr.rate_limited += 1,
        }
        self.core.fail_back(r, cause, comp);
        true
    }

    /// A worker of instance `node` (station `s`) of server group `g`, which sheds load, is
    /// free: it takes the next waiting request, dropping those that waited past the
    /// deadline or that CoDel drops, until it serves one or nothing waits.
    #[inline(never)]
    pub(crate) fn shed_next(&mut self, node: u32, s: u32, g: u32) {
        let comp = self.core.nodes[node as usize].comp;
        let mut phase = Phase::First;
        loop {
            let now = self.core.now;
            let st = &mut self.core.stations[s as usize];
            let r = match st.depart(now) {
                Next::Request(r) => r,
                Next::Batch(c) => {
                    self.migration_service(node, s, c);
                    return;
                }
                Next::Idle => {
                    if let Some(adm) = self.kinds.servers[g as usize].admission.as_mut()
                        && let Some(p) = adm.codel
                    {
                        let i = (s - adm.first_station) as usize;
                        adm.codel_state[i].empty(&p, phase, now);
                    }
                    return;
                }
            };
            let rest_empty = st.queue.is_empty();
            let waited = now - self.core.reqs.get(r).top().t_in;
            let Some(adm) = self.kinds.servers[g as usize].admission.as_mut() else {
                self.start_service(node, s, Serves::Server(g), r);
                return;
            };
            let cause = if waited > adm.deadline {
                Cause::ShedDeadline
            } else if let Some(p) = adm.codel
                && adm.codel_state[(s - adm.first_station) as usize]
                    .judge(&p, &mut phase, now, waited, rest_empty)
            {
                Cause::ShedCodel
            } else {
                self.start_service(node, s, Serves::Server(g), r);
                return;
            };
            let ctr = &mut self.core.comps[comp as usize].ctr;
            match cause {
                Cause::ShedDeadline => ctr.shed_deadline += 1,
                _ => ctr.shed_codel += 1,
            }
            let req = self.core.reqs.get_mut(r);
            let frame = req.pop();
            req.fail = cause;
            req.fail_comp = comp;
            self.core.span(r, node, &frame);
            self.core.reply_node_after(comp, node, r, 0);
        }
    }

    /// Report extras of server group `g` (component `i`): requests turned away and shed
    /// after warm-up, for the defences it has.
    pub(crate) fn admission_extras(&self, i: usize, g: u32, extra: &mut IndexMap<String, f64>) {
        let Some(adm) = self.kinds.servers[g as usize].admission.as_ref() else {
            return;
        };
        let (ctr, w) = (&self.core.comps[i].ctr, &self.warm.ctr[i]);
        let mut put = |on: bool, k: &str, v: u64, w: u64| {
            if on {
                extra.insert(k.to_string(), (v - w) as f64);
            }
        };
        put(
            !adm.specs.is_empty(),
            "rate_limited",
            ctr.rate_limited,
            w.rate_limited,
        );
        put(
            adm.limit != NONE,
            "concurrency_limited",
            ctr.concurrency_limited,
            w.concurrency_limited,
        );
        put(
            adm.deadline != u64::MAX,
            "shed_deadline",
            ctr.shed_deadline,
            w.shed_deadline,
        );
        put(
            adm.codel.is_some(),
            "shed_codel",
            ctr.shed_codel,
            w.shed_codel,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_bucket_starts_full_refills_at_its_rate_and_caps_at_its_burst() {
        let spec = TokenBucket {
            rate: 100.0,
            burst: 3,
            per_group: false,
        };
        let mut b = Bucket::full(&spec);
        // Three tokens at time 0, then empty.
        assert!((0..3).all(|_| b.take(&spec, 0)));
        assert!(!b.take(&spec, 0));
        // 100/s: one token per 10 ms; 5 ms gives half of one.
        assert!(!b.take(&spec, 5 * MS));
        assert!((b.tokens - 0.5).abs() < 1e-12);
        assert!(b.take(&spec, 10 * MS));
        assert!(b.tokens.abs() < 1e-12);
        // A long pause fills it to the burst, not beyond.
        assert!(!b.take(&spec, 10 * MS));
        let t = 10_000 * MS;
        assert!((0..3).all(|_| b.take(&spec, t)));
        assert!(!b.take(&spec, t));
    }

    #[test]
    fn the_limit_is_checked_before_the_bucket_and_classes_pick_their_bucket() {
        let shared = TokenBucket {
            rate: 1.0,
            burst: 1,
            per_group: false,
        };
        let own = TokenBucket {
            rate: 1.0,
            burst: 2,
            per_group: false,
        };
        let mut a = Admission {
            first_station: 5,
            limit: 2,
            specs: vec![shared, own],
            class_bucket: vec![0, 1, NONE],
            buckets: [Bucket::full(&shared), Bucket::full(&own)].repeat(2),
            deadline: u64::MAX,
            codel: None,
            codel_state: Vec::new(),
        };
        // At the limit: turned away, no token taken.
        assert_eq!(a.admit(5, 2, 0, 0), Some(Cause::ConcurrencyLimited));
        assert_eq!(a.admit(5, 0, 0, 0), None);
        assert_eq!(a.admit(5, 0, 0, 0), Some(Cause::RateLimited));
        // Class 1 has its own bucket of 2; class 2 none.
        assert_eq!(a.admit(5, 0, 1, 0), None);
        assert_eq!(a.admit(5, 0, 1, 0), None);
        assert_eq!(a.admit(5, 0, 1, 0), Some(Cause::RateLimited));
        assert!((0..10).all(|_| a.admit(5, 0, 2, 0).is_none()));
        // The other instance (station 6) has its own buckets.
        assert_eq!(a.admit(6, 0, 0, 0), None);
        // A group's bucket is one for all instances: what station 5 took, 6 cannot.
        a.specs[1].per_group = true;
        a.buckets = [Bucket::full(&shared), Bucket::full(&own)].repeat(2);
        assert_eq!(a.admit(5, 0, 1, 0), None);
        assert_eq!(a.admit(6, 0, 1, 0), None);
        assert_eq!(a.admit(6, 0, 1, 0), Some(Cause::RateLimited));
        assert_eq!(a.admit(5, 0, 1, 0), Some(Cause::RateLimited));
    }

    const P: Codel = Codel {
        target: 5 * MS,
        interval: 100 * MS,
    };

    /// One dequeue with every request waiting `sojourn`, `queued` behind the first:
    /// how many it drops before it serves one (or the queue runs out).
    fn dequeue(c: &mut CodelState, now: u64, sojourn: u64, queued: u32) -> u32 {
        let mut phase = Phase::First;
        let mut dropped = 0;
        for k in 0..=queued {
            if !c.judge(&P, &mut phase, now, sojourn, k == queued) {
                return dropped;
            }
            dropped += 1;
        }
        c.empty(&P, phase, now);
        dropped
    }

    #[test]
    fn codel_drops_after_an_interval_above_target_then_by_its_control_law() {
        let mut c = CodelState::default();
        // Below target: nothing happens.
        assert_eq!(dequeue(&mut c, 10 * MS, 4 * MS, 10), 0);
        assert_eq!(c.first_above, 0);
        // Above target: the interval starts.
        assert_eq!(dequeue(&mut c, 20 * MS, 6 * MS, 10), 0);
        assert_eq!(c.first_above, 120 * MS);
        assert_eq!(dequeue(&mut c, 119 * MS, 6 * MS, 10), 0);
        // An interval above target: one drop, the next request is served, dropping state.
        assert_eq!(dequeue(&mut c, 120 * MS, 6 * MS, 10), 1);
        assert!(c.dropping);
        assert_eq!((c.count, c.lastcount), (1, 1));
        assert_eq!(c.drop_next, 220 * MS);
        // Before drop_next: served.
        assert_eq!(dequeue(&mut c, 219 * MS, 6 * MS, 10), 0);
        // At drop_next: one drop, count 2, next drop interval/sqrt(2) later.
        assert_eq!(dequeue(&mut c, 220 * MS, 6 * MS, 10), 1);
        assert_eq!(c.count, 2);
        assert_eq!(c.drop_next, 220 * MS + 70_710_678);
        // Far past drop_next: drops until drop_next passes now (each drop shortens the
        // step: interval/sqrt(3), /sqrt(4), ...).
        let now = 500 * MS;
        let mut next = c.drop_next;
        let mut count = c.count;
        let mut want = 0;
        while now >= next {
            count += 1;
            want += 1;
            next += (P.interval as f64 / f64::from(count).sqrt()) as u64;
        }
        assert_eq!(dequeue(&mut c, now, 6 * MS, 100), want);
        assert_eq!((c.count, c.drop_next), (count, next));
        // Waiting below target again: leaves the dropping state, no drop.
        assert_eq!(dequeue(&mut c, 600 * MS, MS, 10), 0);
        assert!(!c.dropping);
        assert_eq!(c.first_above, 0);
    }

    #[test]
    fn codel_reenters_with_the_count_carried_over_and_never_drops_the_last_request() {
        let mut c = CodelState::default();
        assert_eq!(dequeue(&mut c, 0, 10 * MS, 5), 0);
        assert_eq!(dequeue(&mut c, 100 * MS, 10 * MS, 5), 1);
        // Drops at 200 ms (count 2), then at 200 + 70.7 ms (count 3).
        assert_eq!(dequeue(&mut c, 200 * MS, 10 * MS, 5), 1);
        assert_eq!(dequeue(&mut c, 271 * MS, 10 * MS, 5), 1);
        assert_eq!((c.count, c.lastcount), (3, 1));
        // Nothing else waits: never dropped, and the dropping state ends.
        assert_eq!(dequeue(&mut c, 400 * MS, 10 * MS, 0), 0);
        assert!(!c.dropping);
        // Above target again soon after: it re-enters with count = 3 - 1 = 2.
        assert_eq!(dequeue(&mut c, 410 * MS, 10 * MS, 5), 0);
        assert_eq!(dequeue(&mut c, 510 * MS, 10 * MS, 5), 1);
        assert_eq!((c.count, c.lastcount), (2, 2));
        assert_eq!(c.drop_next, 510 * MS + 70_710_678);
        // The request after the entering drop is served whatever it waited.
        let mut d = CodelState::default();
        assert_eq!(dequeue(&mut d, 0, 10 * MS, 1), 0);
        assert_eq!(dequeue(&mut d, 100 * MS, 10 * MS, 1), 1);
        assert!(d.dropping && d.count == 1);
        // A queue found empty after the entering drop (a deadline took the rest) still
        // enters the dropping state, as the RFC's dequeue does.
        let mut e = CodelState::default();
        let mut phase = Phase::First;
        assert!(!e.judge(&P, &mut phase, 0, 10 * MS, false));
        assert!(e.judge(&P, &mut phase, 100 * MS, 10 * MS, false));
        assert_eq!(phase, Phase::Entering);
        e.empty(&P, phase, 100 * MS);
        assert!(e.dropping && e.count == 1 && e.first_above == 0);
        assert_eq!(e.drop_next, 200 * MS);
        // Found empty in the dropping loop: the dropping state ends.
        let mut f = CodelState::default();
        assert_eq!(dequeue(&mut f, 0, 10 * MS, 5), 0);
        assert_eq!(dequeue(&mut f, 100 * MS, 10 * MS, 5), 1);
        let mut phase = Phase::First;
        assert!(f.judge(&P, &mut phase, 200 * MS, 10 * MS, false));
        assert_eq!((phase, f.count), (Phase::Dropping, 2));
        f.empty(&P, phase, 200 * MS);
        assert!(!f.dropping);
    }
}
