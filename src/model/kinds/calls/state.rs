//! The state a defended call keeps: a breaker's window and state machine (per caller
//! instance, with its bulkhead or pool places), and a hedge's recent call times and budget
//! (per caller group).

use std::collections::VecDeque;

use super::{EdgeCtr, RECENT, RECOMPUTE};
use crate::scenario::{Breaker, HedgeDelay};

/// A hedge's state, shared by the group's instances.
#[derive(Debug)]
pub(super) struct HedgeState {
    pub(super) delay: HedgeDelay,
    pub(super) budget: f64,
    pub(super) tokens: f64,
    /// The delay in use, ns (`u64::MAX`: not known yet).
    pub(super) now_delay: u64,
    /// Recent call times (a ring) and how many were added since the last update.
    pub(super) recent: Vec<u64>,
    pub(super) pos: usize,
    pub(super) fresh: u32,
    pub(super) scratch: Vec<u64>,
}

/// A breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Calls go through; judged over the window of calls made since `since`.
    Closed { since: u64 },
    /// Calls fail fast until `until`.
    Open { until: u64 },
    /// `sent` trial calls went out since `since`, `back` came back, `bad` of them failed
    /// and `slow` were slow.
    HalfOpen {
        since: u64,
        sent: u32,
        back: u32,
        bad: u32,
        slow: u32,
    },
}

/// One instance's breaker and places on one callee.
#[derive(Debug)]
pub(super) struct EdgeInst {
    pub(super) state: State,
    /// When the breaker last left closed.
    pub(super) opened_at: u64,
    /// The window: per call, bit 0 failed, bit 1 slow.
    pub(super) ring: Vec<u8>,
    pub(super) pos: usize,
    pub(super) n: u32,
    pub(super) bad: u32,
    pub(super) slow: u32,
    /// Places taken.
    pub(super) in_use: u32,
    /// Requests waiting for a place, with their generation.
    pub(super) waiters: VecDeque<(u32, u32)>,
}

impl EdgeInst {
    pub(super) fn new(window: u32) -> EdgeInst {
        EdgeInst {
            state: State::Closed { since: 0 },
            opened_at: 0,
            ring: vec![0; window as usize],
            pos: 0,
            n: 0,
            bad: 0,
            slow: 0,
            in_use: 0,
            waiters: VecDeque::new(),
        }
    }

    /// Clears the window (the breaker closes at `now`).
    pub(super) fn close(&mut self, now: u64, ctr: &mut EdgeCtr) {
        ctr.open_ns += now - self.opened_at;
        self.state = State::Closed { since: now };
        self.ring.iter_mut().for_each(|b| *b = 0);
        (self.pos, self.n, self.bad, self.slow) = (0, 0, 0, 0);
    }

    /// Opens the breaker at `now` for `wait` ns.
    pub(super) fn open(&mut self, now: u64, wait: u64, ctr: &mut EdgeCtr) {
        if matches!(self.state, State::Closed { .. }) {
            self.opened_at = now;
            ctr.opens += 1;
        }
        self.state = State::Open {
            until: now.saturating_add(wait),
        };
    }
}

impl HedgeState {
    /// Adds a call time; every `RECOMPUTE` new ones, a percentile delay is brought up to
    /// date from the last `RECENT`.
    pub(super) fn record(&mut self, ns: u64) {
        let HedgeDelay::Percentile(q) = self.delay else {
            return;
        };
        if self.recent.len() < RECENT {
            self.recent.push(ns);
        } else {
            self.recent[self.pos] = ns;
            self.pos = (self.pos + 1) % RECENT;
        }
        self.fresh += 1;
        if self.fresh >= RECOMPUTE {
            self.fresh = 0;
            self.scratch.clone_from(&self.recent);
            let n = self.scratch.len();
            // The nearest-rank percentile.
            let k = ((q / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1;
            let (_, v, _) = self.scratch.select_nth_unstable(k);
            self.now_delay = (*v).max(1);
        }
    }
}

/// A breaker judges a call that went out at `t_call` and came back now.
pub(super) fn judge(
    inst: &mut EdgeInst,
    ctr: &mut EdgeCtr,
    b: &Breaker,
    now: u64,
    t_call: u64,
    failed: bool,
    slow: bool,
) {
    match &mut inst.state {
        State::Closed { since } => {
            if t_call < *since {
                return;
            }
            let w = inst.ring.len();
            let old = inst.ring[inst.pos];
            if inst.n as usize == w {
                inst.bad -= u32::from(old & 1);
                inst.slow -= u32::from(old >> 1);
            } else {
                inst.n += 1;
            }
            inst.ring[inst.pos] = u8::from(failed) | (u8::from(slow) << 1);
            inst.pos = (inst.pos + 1) % w;
            inst.bad += u32::from(failed);
            inst.slow += u32::from(slow);
            let n = f64::from(inst.n);
            if inst.n >= b.min_calls
                && (f64::from(inst.bad) / n >= b.failure_rate
                    || f64::from(inst.slow) / n >= b.slow_rate)
            {
                inst.open(now, b.wait, ctr);
            }
        }
        State::Open { .. } => {}
        State::HalfOpen {
            since,
            back,
            bad,
            slow: slow_n,
            ..
        } => {
            if t_call < *since {
                return;
            }
            *back += 1;
            *bad += u32::from(failed);
            *slow_n += u32::from(slow);
            if *back >= b.trials {
                let n = f64::from(*back);
                if f64::from(*bad) / n >= b.failure_rate || f64::from(*slow_n) / n >= b.slow_rate {
                    inst.open(now, b.wait, ctr);
                } else {
                    inst.close(now, ctr);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker {
            failure_rate: 0.5,
            slow_rate: 1.0,
            slow_call: 1_000,
            window: 4,
            min_calls: 4,
            wait: 100,
            trials: 2,
        }
    }

    #[test]
    fn a_breaker_opens_on_its_failure_rate_and_closes_after_good_trials() {
        let b = breaker();
        let mut inst = EdgeInst::new(b.window);
        let mut ctr = EdgeCtr::default();
        // Three calls, two failed: under min_calls, still closed.
        for (t, bad) in [(1, true), (2, false), (3, true)] {
            judge(&mut inst, &mut ctr, &b, t, t, bad, false);
        }
        assert_eq!(inst.state, State::Closed { since: 0 });
        // The fourth call makes 2 failed of 4 = 0.5: it opens.
        judge(&mut inst, &mut ctr, &b, 10, 4, false, false);
        assert_eq!(inst.state, State::Open { until: 110 });
        assert_eq!(ctr.opens, 1);
        // A late answer of a call made before opening does not count.
        judge(&mut inst, &mut ctr, &b, 20, 5, true, false);
        assert_eq!(inst.state, State::Open { until: 110 });
        // Half-open from 110 with two trials; both good: closed, window cleared.
        inst.state = State::HalfOpen {
            since: 110,
            sent: 2,
            back: 0,
            bad: 0,
            slow: 0,
        };
        judge(&mut inst, &mut ctr, &b, 120, 111, false, false);
        judge(&mut inst, &mut ctr, &b, 130, 112, false, false);
        assert_eq!(inst.state, State::Closed { since: 130 });
        assert_eq!((inst.n, inst.bad), (0, 0));
        assert_eq!(ctr.open_ns, 120);
    }

    #[test]
    fn a_bad_trial_opens_it_again_and_a_full_window_slides() {
        let b = breaker();
        let mut inst = EdgeInst::new(b.window);
        let mut ctr = EdgeCtr::default();
        // Slide: one failure then many good calls keeps it closed (1/4 < 0.5).
        judge(&mut inst, &mut ctr, &b, 1, 1, true, false);
        for t in 2..20 {
            judge(&mut inst, &mut ctr, &b, t, t, false, false);
        }
        assert_eq!((inst.n, inst.bad), (4, 0));
        inst.open(20, b.wait, &mut ctr);
        inst.state = State::HalfOpen {
            since: 120,
            sent: 2,
            back: 0,
            bad: 0,
            slow: 0,
        };
        judge(&mut inst, &mut ctr, &b, 130, 121, true, false);
        judge(&mut inst, &mut ctr, &b, 140, 122, false, false);
        assert_eq!(inst.state, State::Open { until: 240 });
        // Reopening from half-open is not a new opening.
        assert_eq!(ctr.opens, 1);
    }

    #[test]
    fn a_slow_rate_opens_it() {
        let b = Breaker {
            slow_rate: 0.75,
            ..breaker()
        };
        let mut inst = EdgeInst::new(b.window);
        let mut ctr = EdgeCtr::default();
        for t in 1..=4 {
            judge(&mut inst, &mut ctr, &b, t, t, false, t != 1);
        }
        assert_eq!(inst.state, State::Open { until: 104 });
    }

    #[test]
    fn the_memory_estimate_covers_an_instance_s_state() {
        let bytes = std::mem::size_of::<EdgeInst>() as u128;
        assert!(
            bytes <= crate::scenario::kinds::EDGE_INSTANCE_BYTES,
            "{bytes}"
        );
    }

    #[test]
    fn a_percentile_hedge_learns_its_delay() {
        let mut h = HedgeState {
            delay: HedgeDelay::Percentile(90.0),
            budget: 0.1,
            tokens: 0.0,
            now_delay: u64::MAX,
            recent: Vec::new(),
            pos: 0,
            fresh: 0,
            scratch: Vec::new(),
        };
        for i in 1..RECOMPUTE as u64 {
            h.record(i);
        }
        assert_eq!(h.now_delay, u64::MAX);
        h.record(64);
        // 64 times 1..=64: the nearest-rank 90th percentile is the 58th.
        assert_eq!(h.now_delay, 58);
    }
}
