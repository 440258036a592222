//! Autoscaling of server and worker groups: the Kubernetes HPA rule on utilization, queue
//! length (servers) or the backlog of the queue a worker group consumes.
//!
//! A group that autoscales has `max` instances allocated when the model is built; each is
//! in one of four states:
//!
//! * *active*: in the rotation of every balancer in front of the group and of round-robin
//!   callers without a balancer; for a worker group, among the instances its queue hands
//!   jobs to;
//! * *provisioning*: decided on, not taking traffic yet (a `ScaleReady` event is pending);
//! * *draining*: out of rotation, finishing the requests it holds or that are on their way
//!   to it;
//! * *inactive*: does nothing and counts nowhere.
//!
//! Active and draining instances are *serving*: their instance-time is the denominator of
//! the group's utilization (in the report, the time series and the scaling metric). Crashes
//! (`node_up`) are a separate matter: a crashed active instance stays active, and balancer
//! health checks take it out of rotation as usual; they never put back an instance that is
//! not active.
//!
//! Every `interval` the group's scaler measures the metric over the interval just ended and
//! computes `desired = ceil(active * metric / target)` ([`desired`]; `active` when the ratio
//! `metric / target` is within the tolerance of 1), clamped to `[min, max]`. If the
//! cooldown since its last action has passed, it provisions `desired - active -
//! provisioning` instances (lowest-numbered inactive first), each becoming active after a
//! `provision` draw, or drains `active - desired` (highest-numbered active first).
//!
//! Scale-in goes by a stabilized count, the scale-down stabilization window of the HPA:
//! the highest `desired` of the evaluations within the last `scale_in_window` (this one
//! included), kept in a fixed ring ([`Recent`], a monotonic queue) sized when the model
//! is built. With the default window of 0 that is this evaluation's own `desired`.

use super::Model;
use super::core::{Ev, EvKind};
use super::kinds::{NodeKind, Serves};
use crate::engine::{SimTime, Stream};
use crate::metrics::ScaleEvent;
use crate::scenario::{Autoscale, ScaleTarget};

/// A node that belongs to no autoscaled group.
pub(crate) const NO_SCALER: u32 = u32::MAX;

/// The state of one instance of an autoscaled group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inst {
    Active,
    Provisioning,
    Draining,
    Inactive,
}

/// The autoscaler of one server or worker group.
#[derive(Debug)]
pub(crate) struct Scaler {
    pub(crate) comp: u32,
    pub(crate) spec: Autoscale,
    rng: Stream,
    /// Balancers (indices into `Kinds::lbs`) whose `to` is the group.
    lbs: Vec<u32>,
    /// The queue (index into `Model::queues`) that feeds a worker group.
    feed: Option<u32>,
    /// Per instance.
    pub(crate) state: Vec<Inst>,
    /// Instances at the start (`count`).
    pub(crate) start: u32,
    pub(crate) active: u32,
    provisioning: u32,
    draining: u32,
    last_action: Option<u64>,
    /// The desired counts of the evaluations within the scale-in window.
    recent: Recent,
    /// Active instance-ns and serving (active + draining) instance-ns, from time zero.
    pub(crate) active_area: u128,
    pub(crate) serve_area: u128,
    /// Running (provisioning, active or draining: billed) instance-ns, from time zero.
    pub(crate) billed_area: u128,
    area_last: u64,
    /// Busy, waiting, serving, active and (for a fed worker group) backlog areas at the last
    /// evaluation.
    eval_busy: u128,
    eval_queue: u128,
    eval_serve: u128,
    eval_active: u128,
    eval_backlog: u128,
    /// Serving area at the start of the current time-series window.
    pub(crate) win_serve: u128,
    /// Figures since the end of warm-up.
    pub(crate) warm_active_area: u128,
    pub(crate) warm_serve_area: u128,
    /// `billed_area` at the end of warm-up.
    pub(crate) warm_billed_area: u128,
    /// Fewest and most active instances over a stretch of positive length since the end
    /// of warm-up (`u32::MAX` and 0 until one has passed): a count that holds for no time,
    /// as when instances become active at the instant a scale-in drains others, is no
    /// state of the group and is not seen.
    min_seen: u32,
    max_seen: u32,
    /// Whether warm-up is over (`min_seen`/`max_seen` are being kept).
    measuring: bool,
    /// Active instances over the last stretch of positive length before the last
    /// [`Scaler::touch`]: just before that moment, whatever changed at it.
    held: u32,
    pub(crate) scale_outs: u64,
    pub(crate) scale_ins: u64,
}

impl Scaler {
    pub(crate) fn new(
        comp: u32,
        spec: Autoscale,
        start: u32,
        lbs: Vec<u32>,
        feed: Option<u32>,
        rng: Stream,
    ) -> Self {
        let state = (0..spec.max.max(start))
            .map(|i| {
                if i < start {
                    Inst::Active
                } else {
                    Inst::Inactive
                }
            })
            .collect();
        let recent = Recent::new(spec.scale_in_window, spec.interval);
        Scaler {
            comp,
            spec,
            rng,
            lbs,
            feed,
            state,
            start,
            active: start,
            provisioning: 0,
            draining: 0,
            last_action: None,
            recent,
            active_area: 0,
            serve_area: 0,
            billed_area: 0,
            area_last: 0,
            eval_busy: 0,
            eval_queue: 0,
            eval_serve: 0,
            eval_active: 0,
            eval_backlog: 0,
            win_serve: 0,
            warm_active_area: 0,
            warm_serve_area: 0,
            warm_billed_area: 0,
            min_seen: u32::MAX,
            max_seen: 0,
            measuring: false,
            held: start,
            scale_outs: 0,
            scale_ins: 0,
        }
    }

    /// Brings the instance-time areas up to `now`.
    /// Called before every change of state, so the count seen here held over the whole
    /// stretch since the last call.
    pub(crate) fn touch(&mut self, now: u64) {
        let dt = u128::from(now - self.area_last);
        if dt > 0 {
            self.held = self.active;
            if self.measuring {
                self.min_seen = self.min_seen.min(self.active);
                self.max_seen = self.max_seen.max(self.active);
            }
        }
        self.active_area += u128::from(self.active) * dt;
        self.serve_area += u128::from(self.active + self.draining) * dt;
        self.billed_area += u128::from(self.active + self.draining + self.provisioning) * dt;
        self.area_last = now;
    }

    /// The end of warm-up: the measured figures start here.
    pub(crate) fn warm(&mut self, now: u64) {
        self.touch(now);
        self.warm_active_area = self.active_area;
        self.warm_serve_area = self.serve_area;
        self.warm_billed_area = self.billed_area;
        self.measuring = true;
        self.scale_outs = 0;
        self.scale_ins = 0;
    }

    /// Fewest and most active instances over [warmup, now] (call after [`Scaler::touch`]
    /// at `now`), each held for a positive time; the count now when no time was measured.
    pub(crate) fn min_max(&self) -> (u32, u32) {
        if self.max_seen == 0 && self.min_seen == u32::MAX {
            (self.active, self.active)
        } else {
            (self.min_seen, self.max_seen)
        }
    }
}

/// The desired counts of the recent evaluations, as a monotonic queue in a fixed ring of
/// (time, desired) pairs: oldest first, each pair's count above every later one's, so the
/// front holds the highest count in the window. A pair that a later, higher or equal
/// count outlasts can never be the highest again and is dropped. The ring has as many slots
/// as evaluations fit in the scale-in window (they come every `interval`), so recording one
/// allocates nothing and costs O(1) amortized.
#[derive(Debug)]
pub(crate) struct Recent {
    window: u64,
    ring: Vec<(u64, u32)>,
    /// The oldest pair kept, and how many are kept.
    head: usize,
    len: usize,
}

impl Recent {
    /// A ring for `window` with evaluations every `interval` (> 0): `ceil(window /
    /// interval)` slots, at least one.
    pub(crate) fn new(window: SimTime, interval: SimTime) -> Self {
        let slots = window.0.div_ceil(interval.0.max(1)).max(1) as usize;
        Recent {
            window: window.0,
            ring: vec![(0, 0); slots],
            head: 0,
            len: 0,
        }
    }

    /// Records the `desired` count of the evaluation at `now` (later than every one
    /// recorded before) and returns the count a scale-in may go down to: the highest
    /// desired count of the evaluations in `(now - window, now]`, this one included.
    pub(crate) fn record(&mut self, now: u64, desired: u32) -> u32 {
        let slots = self.ring.len();
        let window = self.window.max(1);
        // Out of the window.
        while self.len > 0 && now - self.ring[self.head].0 >= window {
            self.head = (self.head + 1) % slots;
            self.len -= 1;
        }
        // Outlasted by this count.
        while self.len > 0 && self.ring[(self.head + self.len - 1) % slots].1 <= desired {
            self.len -= 1;
        }
        // Evaluations every `interval` leave a free slot; should they come closer, the
        // oldest pair goes.
        if self.len == slots {
            self.head = (self.head + 1) % slots;
            self.len -= 1;
        }
        self.ring[(self.head + self.len) % slots] = (now, desired);
        self.len += 1;
        self.ring[self.head].1
    }
}

/// What one evaluation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Start this many instances.
    Out(u32),
    /// Drain this many instances.
    In(u32),
    Hold,
}

/// The action of an evaluation once the cooldown has passed (`cooled`): scale out to
/// `desired` counting the instances still provisioning, or scale in to `stable` (the
/// highest desired count within the scale-in window, `>= desired`).
pub(crate) fn action(
    active: u32,
    provisioning: u32,
    desired: u32,
    stable: u32,
    cooled: bool,
) -> Action {
    if !cooled {
        Action::Hold
    } else if desired > active + provisioning {
        Action::Out(desired - active - provisioning)
    } else if stable < active {
        Action::In(active - stable)
    } else {
        Action::Hold
    }
}

/// The HPA decision: the instances wanted by a group of `active` instances whose metric is
/// `metric` against `target`: `ceil(active * metric / target)`, or `active` when
/// `|metric / target - 1| <= tolerance`, clamped to `[min, max]`.
pub(crate) fn desired(
    active: u32,
    metric: f64,
    target: f64,
    tolerance: f64,
    min: u32,
    max: u32,
) -> u32 {
    let want = if (metric / target - 1.0).abs() <= tolerance {
        f64::from(active)
    } else {
        // The small margin keeps `ceil` from rounding 2.0000000001 up to 3.
        (f64::from(active) * metric / target - 1e-9).ceil()
    };
    want.clamp(f64::from(min), f64::from(max)) as u32
}

impl Model {
    /// Schedules each scaler's first evaluation.
    pub(crate) fn prime_scalers(&mut self) {
        for k in 0..self.scalers.len() {
            let interval = self.scalers[k].spec.interval;
            if interval.0 < self.core.end {
                self.core
                    .queue
                    .push(interval, Ev::new(EvKind::ScaleTick, k as u32, 0));
            }
        }
    }

    /// Busy and waiting areas of a group, summed over its stations, up to now.
    fn group_areas(&mut self, comp: u32) -> (u128, u128) {
        let c = &self.core.comps[comp as usize];
        let (mut busy, mut waiting) = (0, 0);
        for node in c.first_node..c.first_node + c.n_nodes {
            if let NodeKind::Station(s, _) = self.core.nodes[node as usize].kind {
                let st = &mut self.core.stations[s as usize];
                st.touch(self.core.now);
                busy += st.acc.busy;
                waiting += st.acc.queue;
            }
        }
        (busy, waiting)
    }

    /// Evaluates scaler `k`: measures the last interval, and provisions or drains.
    pub(crate) fn scale_tick(&mut self, k: u32) {
        let now = self.core.now;
        let comp = self.scalers[k as usize].comp;
        let workers = self.core.comps[comp as usize].workers;
        let (busy, waiting) = self.group_areas(comp);
        let backlog = match self.scalers[k as usize].feed {
            Some(q) => {
                self.backlog_touch(q);
                self.kinds.queues[q as usize].backlog_area
            }
            None => 0,
        };
        let sc = &mut self.scalers[k as usize];
        sc.touch(now);
        let d_busy = busy - sc.eval_busy;
        let d_queue = waiting - sc.eval_queue;
        let d_serve = sc.serve_area - sc.eval_serve;
        let d_active = sc.active_area - sc.eval_active;
        let d_backlog = backlog - sc.eval_backlog;
        (sc.eval_busy, sc.eval_queue, sc.eval_serve) = (busy, waiting, sc.serve_area);
        (sc.eval_active, sc.eval_backlog) = (sc.active_area, backlog);
        let (metric, target) = match sc.spec.target {
            ScaleTarget::Utilization(t) => (
                d_busy as f64 / (f64::from(workers) * d_serve.max(1) as f64),
                t,
            ),
            ScaleTarget::Queue(t) => (d_queue as f64 / d_serve.max(1) as f64, t),
            ScaleTarget::Backlog(t) => (d_backlog as f64 / d_active.max(1) as f64, t),
        };
        let s = &sc.spec;
        let desired = desired(sc.active, metric, target, s.tolerance, s.min, s.max);
        let stable = sc.recent.record(now, desired);
        let cooled = sc.last_action.is_none_or(|t| now - t >= sc.spec.cooldown.0);
        match action(sc.active, sc.provisioning, desired, stable, cooled) {
            Action::Out(n) => self.scale_out(k, n, desired),
            Action::In(n) => self.scale_in(k, n, stable),
            Action::Hold => {}
        }
        let next = now + self.scalers[k as usize].spec.interval.0;
        if next < self.core.end {
            self.core
                .queue
                .push(SimTime(next), Ev::new(EvKind::ScaleTick, k, 0));
        }
    }

    fn record_action(&mut self, k: u32, out: bool, changed: u32, desired: u32) {
        let now = self.core.now;
        let sc = &mut self.scalers[k as usize];
        sc.last_action = Some(now);
        if now >= self.core.warmup {
            if out {
                sc.scale_outs += 1;
            } else {
                sc.scale_ins += 1;
            }
        }
        let active = if out { sc.active } else { sc.active + changed };
        self.scale_events.push(ScaleEvent {
            t_s: now as f64 / 1e9,
            component: sc.comp as usize,
            out,
            active,
            desired,
            changed,
        });
    }

    /// Starts provisioning up to `n` inactive instances, lowest-numbered first.
    fn scale_out(&mut self, k: u32, n: u32, desired: u32) {
        let mut started = 0;
        for i in 0..self.scalers[k as usize].state.len() {
            if started == n {
                break;
            }
            let sc = &mut self.scalers[k as usize];
            if sc.state[i] != Inst::Inactive {
                continue;
            }
            sc.state[i] = Inst::Provisioning;
            sc.provisioning += 1;
            let delay = sc.spec.provision.sample(&mut sc.rng);
            started += 1;
            self.core
                .after(delay, Ev::new(EvKind::ScaleReady, k, i as u32));
        }
        if started > 0 {
            self.record_action(k, true, started, desired);
        }
    }

    /// A provisioned instance joins rotation.
    pub(crate) fn scale_ready(&mut self, k: u32, i: u32) {
        let now = self.core.now;
        let sc = &mut self.scalers[k as usize];
        if sc.state[i as usize] != Inst::Provisioning {
            return;
        }
        sc.touch(now);
        sc.state[i as usize] = Inst::Active;
        sc.provisioning -= 1;
        sc.active += 1;
        let feed = sc.feed;
        for b in sc.lbs.clone() {
            self.kinds.lbs[b as usize].lb.set_active(i as usize, true);
        }
        self.rebuild_rotation(k);
        if let Some(q) = feed {
            // A worker instance takes jobs from the backlog at once.
            self.dispatch_jobs(q);
        }
    }

    /// Takes `n` active instances out of rotation, highest-numbered first; each becomes
    /// inactive once it holds nothing.
    fn scale_in(&mut self, k: u32, n: u32, desired: u32) {
        let now = self.core.now;
        let first = self.core.comps[self.scalers[k as usize].comp as usize].first_node;
        let sc = &mut self.scalers[k as usize];
        sc.touch(now);
        let mut drained = Vec::new();
        for i in (0..sc.state.len()).rev() {
            if drained.len() as u32 == n {
                break;
            }
            if sc.state[i] == Inst::Active {
                sc.state[i] = Inst::Draining;
                sc.active -= 1;
                sc.draining += 1;
                drained.push(i);
            }
        }
        let lbs = sc.lbs.clone();
        for &i in &drained {
            for &b in &lbs {
                self.kinds.lbs[b as usize].lb.set_active(i, false);
            }
        }
        self.rebuild_rotation(k);
        if !drained.is_empty() {
            self.record_action(k, false, drained.len() as u32, desired);
        }
        for i in drained {
            self.drain_check(first + i as u32);
        }
    }

    /// The group's round-robin rotation (for callers without a balancer): its active
    /// instances, ascending.
    fn rebuild_rotation(&mut self, k: u32) {
        let sc = &self.scalers[k as usize];
        let c = &mut self.core.comps[sc.comp as usize];
        c.rot.clear();
        c.rot
            .extend((0..sc.state.len() as u32).filter(|&i| sc.state[i as usize] == Inst::Active));
    }

    /// A draining instance that holds nothing and has nothing on its way becomes inactive;
    /// the sessions it kept are gone.
    pub(crate) fn drain_check(&mut self, node: u32) {
        let k = self.core.node_scaler[node as usize];
        if k == NO_SCALER {
            return;
        }
        let n = self.core.nodes[node as usize];
        let NodeKind::Station(s, Serves::Server(g)) = n.kind else {
            return;
        };
        let c = &self.core.comps[n.comp as usize];
        let i = (node - c.first_node) as usize;
        let sc = &mut self.scalers[k as usize];
        if sc.state[i] != Inst::Draining
            || self.core.stations[s as usize].present > 0
            || self.core.inbound[node as usize] > 0
        {
            return;
        }
        sc.touch(self.core.now);
        sc.state[i] = Inst::Inactive;
        sc.draining -= 1;
        self.server_gone(node, g);
    }

    /// Active instances of each component just before now (a change at this very instant
    /// is not seen: it held for no time yet), after the scalers were touched at now:
    /// `Some` for server and worker groups.
    pub(crate) fn instances_now(&self) -> Vec<Option<u32>> {
        self.core
            .comps
            .iter()
            .enumerate()
            .map(|(ci, c)| match self.comp_scaler[ci] {
                NO_SCALER => matches!(c.kind, "server" | "worker").then_some(c.n_nodes),
                k => Some(self.scalers[k as usize].held),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, Recent, action, desired};
    use crate::engine::SimTime;

    /// Runs a scaler of `active` instances, evaluated every 10 s with no cooldown and no
    /// provisioning time, through the desired counts `wants` (one per evaluation, the
    /// first at 10 s) with a scale-in window of `window_s`; returns the active count after
    /// each evaluation.
    fn follow(mut active: u32, wants: &[u32], window_s: u64) -> Vec<u32> {
        let mut recent = Recent::new(SimTime::from_secs(window_s), SimTime::from_secs(10));
        let mut seen = Vec::new();
        for (i, &want) in wants.iter().enumerate() {
            let now = (i as u64 + 1) * 10_000_000_000;
            let stable = recent.record(now, want);
            assert!(stable >= want);
            match action(active, 0, want, stable, true) {
                Action::Out(n) => active += n,
                Action::In(n) => active -= n,
                Action::Hold => {}
            }
            seen.push(active);
        }
        seen
    }

    #[test]
    fn a_dip_shorter_than_the_scale_in_window_removes_nothing() {
        // Three evaluations (30 s) that want 4 instances between evaluations that want 10.
        let wants = [10, 10, 4, 4, 4, 10, 10];
        // With a 60 s window the group keeps its 10 instances throughout.
        assert_eq!(follow(10, &wants, 60), [10; 7]);
        // Without one it drains to 4 at the first low evaluation and starts 6 again after
        // the dip.
        assert_eq!(follow(10, &wants, 0), [10, 10, 4, 4, 4, 10, 10]);
    }

    #[test]
    fn a_lasting_drop_removes_capacity_once_the_window_has_passed() {
        // The last evaluation that wants 10 is at 20 s; the window (60 s) no longer holds
        // it at 80 s, the 8th evaluation: scale-in happens there, to 4, and not before.
        let wants = [10, 10, 4, 4, 4, 4, 4, 4, 4, 4];
        assert_eq!(
            follow(10, &wants, 60),
            [10, 10, 10, 10, 10, 10, 10, 4, 4, 4]
        );
        // A window that is not a whole number of intervals: 25 s holds this evaluation and
        // the two before it (at now - 10 s and now - 20 s).
        assert_eq!(follow(10, &wants, 25), [10, 10, 10, 10, 4, 4, 4, 4, 4, 4]);
        // The stabilized count is the highest in the window, not the last high one: a
        // drop in two steps drains in two steps.
        let steps = [10, 7, 7, 7, 4, 4, 4, 4];
        assert_eq!(follow(10, &steps, 30), [10, 10, 10, 7, 7, 7, 4, 4]);
        // Scale-out is not held back by the window.
        assert_eq!(follow(4, &[4, 9, 4, 12], 60), [4, 9, 9, 12]);
    }

    #[test]
    fn the_ring_gives_the_highest_count_in_the_window() {
        // Against the plain maximum over the window, on a pseudo-random walk of counts.
        for (window_s, interval_s) in [(0, 10), (10, 10), (25, 10), (60, 10), (300, 15)] {
            let (window, interval) = (window_s * 1_000_000_000, interval_s * 1_000_000_000);
            let mut recent = Recent::new(SimTime(window), SimTime(interval));
            let mut all: Vec<(u64, u32)> = Vec::new();
            let mut x: u64 = 12345;
            for i in 1..=500u64 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let want = (x >> 59) as u32 + 1;
                let now = i * interval;
                all.push((now, want));
                let plain = all
                    .iter()
                    .filter(|&&(t, _)| now - t < window.max(1))
                    .map(|&(_, d)| d)
                    .max()
                    .unwrap();
                assert_eq!(recent.record(now, want), plain, "window {window_s}s, t {i}");
            }
        }
    }

    #[test]
    fn the_ring_has_one_slot_per_evaluation_in_the_window() {
        let slots = |w: u64, i: u64| {
            Recent::new(SimTime::from_secs(w), SimTime::from_secs(i))
                .ring
                .len()
        };
        assert_eq!(slots(0, 15), 1);
        assert_eq!(slots(300, 15), 20);
        assert_eq!(slots(301, 15), 21);
        assert_eq!(slots(5, 15), 1);
    }

    #[test]
    fn the_tolerance_band_holds_the_count_inside_and_not_outside() {
        // 4 instances at a ratio of 1.05 (metric 0.63, target 0.6): ceil(4.2) = 5 without a
        // band, none with a 10% band.
        assert_eq!(desired(4, 0.63, 0.6, 0.0, 1, 10), 5);
        assert_eq!(desired(4, 0.63, 0.6, 0.1, 1, 10), 4);
        // Below the target, inside the band: no scale-in either (0.5 / 0.6 on 6 instances is
        // ceil(5) = 5 without a band, 6 with a 20% band).
        assert_eq!(desired(6, 0.5, 0.6, 0.0, 1, 10), 5);
        assert_eq!(desired(6, 0.5, 0.6, 0.2, 1, 10), 6);
        // Outside the band the plain rule applies, in both directions.
        assert_eq!(desired(4, 0.9, 0.6, 0.1, 1, 10), 6);
        assert_eq!(desired(4, 0.3, 0.6, 0.1, 1, 10), 2);
        // The edge of the band is inside it.
        assert_eq!(desired(4, 1.25, 1.0, 0.25, 1, 10), 4);
        assert_eq!(desired(4, 1.26, 1.0, 0.25, 1, 10), 6);
        // A ratio of exactly 1 does not round up.
        assert_eq!(desired(3, 0.6, 0.6, 0.0, 1, 10), 3);
        // The count stays within [min, max], inside the band or not.
        assert_eq!(desired(12, 1.0, 1.0, 0.1, 1, 10), 10);
        assert_eq!(desired(4, 9.0, 1.0, 0.1, 1, 10), 10);
        assert_eq!(desired(4, 0.0, 1.0, 0.1, 2, 10), 2);
    }
}
