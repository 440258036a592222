//! Measurements over time: the time series' windows (one row per window, from differences
//! of cumulative figures), the snapshot at the end of warm-up the report subtracts, and the
//! flushes that bring every area up to date first.

use super::kinds::calls::EdgeCtr;
use crate::engine::SimTime;
use crate::metrics::{LatencyHist, WindowRow};
use crate::scenario::Scenario;

use super::Model;
use super::autoscale::NO_SCALER;
use super::core::{Ctr, Ev, EvKind};
use super::kinds::{NodeKind, Role};
use super::station::Areas;

/// The time series' current window and its rows.
#[derive(Debug)]
pub(crate) struct Window {
    pub(crate) len: u64,
    pub(crate) start: u64,
    pub(crate) offered: u64,
    pub(crate) completed: u64,
    /// Completed within their class's deadline.
    pub(crate) good: u64,
    pub(crate) failed: u64,
    pub(crate) hist: LatencyHist,
    pub(crate) busy_snap: Vec<u128>,
    /// Per component: the cumulative figures at the start of the window.
    pub(crate) comp_snap: Vec<CompSnap>,
    pub(crate) rows: Vec<WindowRow>,
    /// Per data center: attempts that entered it in this window.
    pub(crate) entered: Vec<u64>,
}

/// Cumulative per-component figures; a window's row is the difference of two of these.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CompSnap {
    pub(crate) arrivals: u64,
    pub(crate) failed: u64,
    pub(crate) lat_sum: u64,
    pub(crate) lat_n: u64,
    /// Waiting requests x ns, summed over the stations; for a queue, its backlog area.
    pub(crate) queue_area: u128,
    pub(crate) hits: u64,
    pub(crate) lookups: u64,
}

/// Snapshot at the end of warm-up.
#[derive(Debug, Default, Clone)]
pub(crate) struct WarmSnap {
    pub(crate) stations: Vec<Areas>,
    pub(crate) ctr: Vec<Ctr>,
    pub(crate) open_area: Vec<u128>,
    pub(crate) class_hits: Vec<Vec<u64>>,
    pub(crate) class_lookups: Vec<Vec<u64>>,
    pub(crate) backlog_area: Vec<u128>,
    /// Per server group: its defended callees' counters (breaker time open up to now).
    pub(crate) edges: Vec<Vec<EdgeCtr>>,
}

impl Window {
    /// The first window of `sc`'s run.
    pub(crate) fn new(sc: &Scenario) -> Window {
        let n = sc.components.len();
        Window {
            len: sc.window.0,
            start: 0,
            offered: 0,
            completed: 0,
            good: 0,
            failed: 0,
            hist: LatencyHist::with_digits(2),
            busy_snap: vec![0; n],
            comp_snap: vec![CompSnap::default(); n],
            rows: Vec::with_capacity((sc.duration.0 / sc.window.0.max(1) + 1) as usize),
            entered: vec![0; sc.datacenters.len()],
        }
    }
}

impl Model {
    pub(crate) fn touch_all(&mut self) {
        for q in &mut self.kinds.queues {
            q.backlog_area += q.ready.len() as u128 * u128::from(self.core.now - q.backlog_last);
            q.backlog_last = self.core.now;
        }
        for s in &mut self.core.stations {
            s.touch(self.core.now);
        }
        for c in &mut self.core.comps {
            c.open_area += u128::from(c.open) * u128::from(self.core.now - c.open_last);
            c.open_last = self.core.now;
        }
        // Cache counters live in the stores; copy them where the report looks.
        for c in &mut self.core.comps {
            if let Some(cache) = c.role.cache() {
                let s = &self.kinds.caches[cache as usize].store;
                c.ctr.evictions = s.evictions();
                c.ctr.expirations = s.expirations();
            }
        }
    }

    pub(crate) fn on_warmup(&mut self) {
        self.touch_all();
        self.warm = WarmSnap {
            stations: self.core.stations.iter().map(|s| s.acc).collect(),
            ctr: self.core.comps.iter().map(|c| c.ctr).collect(),
            open_area: self.core.comps.iter().map(|c| c.open_area).collect(),
            class_hits: self
                .kinds
                .caches
                .iter()
                .map(|c| c.class_hits.clone())
                .collect(),
            class_lookups: self
                .kinds
                .caches
                .iter()
                .map(|c| c.class_lookups.clone())
                .collect(),
            backlog_area: self.kinds.queues.iter().map(|q| q.backlog_area).collect(),
            edges: self
                .kinds
                .servers
                .iter()
                .map(|g| {
                    g.defs
                        .as_ref()
                        .map_or_else(Vec::new, |d| d.snapshot(self.core.now))
                })
                .collect(),
        };
        for sc in &mut self.scalers {
            sc.warm(self.core.now);
        }
        for s in &mut self.core.stations {
            s.max_queue = s.queue.len() as u64;
        }
        for q in &mut self.kinds.queues {
            q.backlog_max = q.ready.len() as u64;
        }
    }

    pub(crate) fn on_tick(&mut self) {
        self.flush_window();
        let next = self.core.now + self.window.len;
        if next < self.core.end {
            self.core
                .queue
                .push(SimTime(next), Ev::new(EvKind::Tick, 0, 0));
        }
    }

    /// Busy area of each component, summed over its stations.
    fn busy_by_comp(&self) -> Vec<u128> {
        let mut v = vec![0u128; self.core.comps.len()];
        for node in &self.core.nodes {
            if let NodeKind::Station(s, _) = node.kind {
                v[node.comp as usize] += self.core.stations[s as usize].acc.busy;
            }
        }
        v
    }

    /// The cumulative per-component figures now (areas brought up to date by `touch_all`).
    fn comp_snaps(&self) -> Vec<CompSnap> {
        let mut v: Vec<CompSnap> = self
            .core
            .comps
            .iter()
            .map(|c| CompSnap {
                arrivals: c.ctr.arrivals,
                failed: c.failed,
                lat_sum: c.lat_sum,
                lat_n: c.lat_n,
                queue_area: match c.role {
                    Role::Queue(q) => self.kinds.queues[q as usize].backlog_area,
                    _ => 0,
                },
                hits: c.ctr.hits,
                lookups: c.ctr.hits + c.ctr.misses,
            })
            .collect();
        for node in &self.core.nodes {
            if let NodeKind::Station(s, _) = node.kind {
                v[node.comp as usize].queue_area += self.core.stations[s as usize].acc.queue;
            }
        }
        v
    }

    /// Closes the window `[start, now)` into a row.
    pub(crate) fn flush_window(&mut self) {
        self.touch_all();
        let len = self.core.now - self.window.start;
        if len == 0 {
            return;
        }
        let busy = self.busy_by_comp();
        let snaps = self.comp_snaps();
        let secs = len as f64 / 1e9;
        for sc in &mut self.scalers {
            sc.touch(self.core.now);
        }
        let instances = self.instances_now();
        let utilization = self.window_utilization(&busy, len);
        let w = &mut self.window;
        let n = self.core.comps.len();
        let (mut arrivals, mut errors) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut latency_ms_mean, mut queue_mean) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut backlog_mean, mut hit_ratio) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for (i, c) in self.core.comps.iter().enumerate() {
            let (now, was) = (&snaps[i], &w.comp_snap[i]);
            arrivals.push(now.arrivals - was.arrivals);
            errors.push(now.failed - was.failed);
            let lat_n = now.lat_n - was.lat_n;
            latency_ms_mean
                .push((lat_n > 0).then(|| (now.lat_sum - was.lat_sum) as f64 / lat_n as f64 / 1e6));
            let waiting = (now.queue_area - was.queue_area) as f64 / len as f64;
            let is_queue = matches!(c.role, Role::Queue(_));
            queue_mean.push((c.workers > 0).then_some(waiting));
            backlog_mean.push(is_queue.then_some(waiting));
            let lookups = now.lookups - was.lookups;
            hit_ratio.push(
                (c.role.cache().is_some() && lookups > 0)
                    .then(|| (now.hits - was.hits) as f64 / lookups as f64),
            );
        }
        let ended = w.completed + w.failed;
        w.rows.push(WindowRow {
            t_s: w.start as f64 / 1e9,
            offered: w.offered,
            completed: w.completed,
            failed: w.failed,
            throughput_rps: w.completed as f64 / secs,
            goodput_rps: w.good as f64 / secs,
            error_rate: if ended > 0 {
                w.failed as f64 / ended as f64
            } else {
                0.0
            },
            p50_ms: w.hist.quantile_ns(0.5).map(|v| v as f64 / 1e6),
            p99_ms: w.hist.quantile_ns(0.99).map(|v| v as f64 / 1e6),
            utilization,
            instances,
            entered: w.entered.clone(),
            arrivals,
            errors,
            latency_ms_mean,
            queue_mean,
            backlog_mean,
            hit_ratio,
        });
        w.entered.iter_mut().for_each(|e| *e = 0);
        w.busy_snap = busy;
        w.comp_snap = snaps;
        w.start = self.core.now;
        w.offered = 0;
        w.completed = 0;
        w.good = 0;
        w.failed = 0;
        w.hist.reset();
    }

    /// Each component's utilization over the window of `len` ns ending now (`busy`: its
    /// cumulative busy area now).
    fn window_utilization(&mut self, busy: &[u128], len: u64) -> Vec<Option<f64>> {
        let grown: Vec<Option<u128>> = (0..self.core.comps.len())
            .map(|i| self.grown_node_time(i, self.window.start, self.core.now))
            .collect();
        let w = &mut self.window;
        let scalers = &mut self.scalers;
        let comp_scaler = &self.comp_scaler;
        self.core
            .comps
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (c.workers > 0).then(|| {
                    let busy = (busy[i] - w.busy_snap[i]) as f64;
                    match comp_scaler[i] {
                        NO_SCALER => match grown[i] {
                            None => {
                                busy / (f64::from(c.workers) * f64::from(c.n_nodes) * len as f64)
                            }
                            // A database that gains shards: over the node-time of the
                            // shards in use.
                            Some(0) => 0.0,
                            Some(t) => busy / (f64::from(c.workers) * t as f64),
                        },
                        k => {
                            // Over the instance-time of the serving (active and draining)
                            // instances.
                            let sc = &mut scalers[k as usize];
                            let serve = sc.serve_area - sc.win_serve;
                            sc.win_serve = sc.serve_area;
                            if serve == 0 {
                                0.0
                            } else {
                                busy / (f64::from(c.workers) * serve as f64)
                            }
                        }
                    }
                })
            })
            .collect()
    }
}
