//! Turning a finished model into a [`Report`]: totals, per-class and per-component figures,
//! kind-specific extras. Runs once, at the end; nothing here is on the hot path.
//!
//! Component figures cover `[warmup, duration]`: time-weighted areas and counters minus
//! their snapshot at the end of warm-up.

use indexmap::IndexMap;

use super::autoscale::NO_SCALER;
use super::{Cause, Model, NodeKind, Role, station::Areas};
use crate::engine::SimTime;
use crate::metrics::{
    ClassReport, ClientReport, ComponentReport, EngineReport, FaultMark, FaultReport, Report,
    RequestCounts, ScalingAction, TimeSeries,
};
use crate::scenario::{FaultAction, Target};

fn ratio(a: u64, b: u64) -> f64 {
    if b > 0 { a as f64 / b as f64 } else { 0.0 }
}

impl Model {
    /// For a database that gains shards during the run (`add_shard`), its node-time over
    /// `[a, b]` in ns, each shard's nodes counted from when the shard is in use; `None` for
    /// every other component, whose nodes all exist from the start.
    pub(super) fn grown_node_time(&self, comp: usize, a: u64, b: u64) -> Option<u128> {
        let c = &self.comps[comp];
        let Role::Database { db: first, .. } = c.role else {
            return None;
        };
        let total = (c.n_nodes / self.dbs[first as usize].n_nodes).max(1);
        let shards = &self.dbs[first as usize..(first + total) as usize];
        shards.iter().any(|d| d.born > 0).then(|| {
            shards
                .iter()
                .map(|d| u128::from(d.n_nodes) * u128::from(d.exists_during(a, b)))
                .sum()
        })
    }

    pub(super) fn report(mut self) -> Report {
        self.flush_window();
        for sc in &mut self.scalers {
            sc.touch(self.now);
        }
        let measured_ns = (self.end - self.warmup) as f64;
        let measured_s = measured_ns / 1e9;
        let in_flight = self
            .reqs
            .iter_live()
            .filter(|r| r.measured && !r.client_done)
            .count() as u64;
        let mut errors = IndexMap::new();
        for c in Cause::ALL {
            let n = self.errors[c as usize];
            if n > 0 {
                errors.insert(c.as_str().to_string(), n);
            }
        }
        let mut classes = IndexMap::new();
        for (i, c) in self.classes.iter().enumerate() {
            classes.insert(
                self.class_names[i].clone(),
                ClassReport {
                    offered: c.offered,
                    completed: c.completed,
                    failed: c.failed,
                    latency_ms: c.hist.summary(),
                },
            );
        }
        // Per-node areas since warm-up, and their sums per component.
        let node_areas: Vec<Option<Areas>> = self
            .nodes
            .iter()
            .map(|n| match n.kind {
                NodeKind::Station(s) => Some(
                    self.stations[s as usize]
                        .acc
                        .minus(&self.warm.stations[s as usize]),
                ),
                _ => None,
            })
            .collect();
        let mut per_comp = vec![Areas::default(); self.comps.len()];
        let mut max_queue = vec![0u64; self.comps.len()];
        for (ni, node) in self.nodes.iter().enumerate() {
            if let (Some(d), NodeKind::Station(s)) = (node_areas[ni], node.kind) {
                let a = &mut per_comp[node.comp as usize];
                a.busy += d.busy;
                a.queue += d.queue;
                a.present += d.present;
                a.arrivals += d.arrivals;
                a.rejected += d.rejected;
                let mq = &mut max_queue[node.comp as usize];
                *mq = (*mq).max(self.stations[s as usize].max_queue);
            }
        }
        // Over the measured time the node existed: a shard added during the run counts
        // from its `add_shard` on.
        let (warmup, end) = (self.warmup, self.end);
        let node_util = |ni: u32, workers: u32| {
            let span = match self.node_db.get(ni as usize) {
                Some(&d) if d != u32::MAX && self.dbs[d as usize].born > 0 => {
                    self.dbs[d as usize].exists_during(warmup, end) as f64
                }
                _ => measured_ns,
            };
            node_areas[ni as usize].map_or(0.0, |a| {
                if span > 0.0 {
                    a.busy as f64 / (f64::from(workers) * span)
                } else {
                    0.0
                }
            })
        };
        let mut components = IndexMap::new();
        let mut bottleneck: Option<(f64, String)> = None;
        for (i, c) in self.comps.iter().enumerate() {
            let a = &per_comp[i];
            let ctr = &c.ctr;
            let w = &self.warm.ctr[i];
            let scaler = match self.comp_scaler[i] {
                NO_SCALER => None,
                k => Some(&self.scalers[k as usize]),
            };
            let grown = self.grown_node_time(i, self.warmup, self.end);
            let utilization = (c.workers > 0).then(|| match (scaler, grown) {
                // A database that gains shards: over the node-time of the shards in use.
                (None, Some(0)) => 0.0,
                (None, Some(t)) => a.busy as f64 / (f64::from(c.workers) * t as f64),
                (None, None) => {
                    a.busy as f64 / (f64::from(c.workers) * f64::from(c.n_nodes) * measured_ns)
                }
                // Over the serving (active and draining) instances' time.
                (Some(sc), _) => {
                    let serve = sc.serve_area - sc.warm_serve_area;
                    if serve == 0 {
                        0.0
                    } else {
                        a.busy as f64 / (f64::from(c.workers) * serve as f64)
                    }
                }
            });
            if let Some(u) = utilization
                && bottleneck.as_ref().is_none_or(|(b, _)| u > *b)
            {
                bottleneck = Some((u, c.name.clone()));
            }
            let has_stations = c.workers > 0;
            let present = if has_stations {
                a.present as f64
            } else {
                (c.open_area - self.warm.open_area[i]) as f64
            };
            let mut extra: IndexMap<String, f64> = IndexMap::new();
            let mut put = |k: &str, v: f64| {
                extra.insert(k.to_string(), v);
            };
            if let Some(sc) = scaler {
                let (min, max) = sc.min_max();
                put("instances_min", f64::from(min));
                put("instances_max", f64::from(max));
                put("instances_end", f64::from(sc.active));
                put(
                    "instances_mean",
                    (sc.active_area - sc.warm_active_area) as f64 / measured_ns,
                );
                put("scale_outs", sc.scale_outs as f64);
                put("scale_ins", sc.scale_ins as f64);
            }
            match &c.role {
                Role::Server { local: Some(_), .. } => {
                    put(
                        "sessions_lost",
                        (ctr.sessions_lost - w.sessions_lost) as f64,
                    );
                    put(
                        "sessions_created",
                        (ctr.sessions_created - w.sessions_created) as f64,
                    );
                }
                Role::Database { db: first, router } => {
                    let router = &self.routers[*router as usize];
                    let total = (c.n_nodes / self.dbs[*first as usize].n_nodes).max(1);
                    let shards: Vec<&super::Db> = (0..total)
                        .map(|s| &self.dbs[(*first + s) as usize])
                        .collect();
                    let d0 = shards[0];
                    let reads = ctr.reads - w.reads;
                    put("reads", reads as f64);
                    put("writes", (ctr.writes - w.writes) as f64);
                    if d0.n_nodes > 1 || d0.failover.is_some() {
                        put(
                            "lost_writes",
                            shards.iter().map(|d| d.lost_writes).sum::<u64>() as f64,
                        );
                        put(
                            "promotions",
                            shards.iter().map(|d| d.promotions).sum::<u64>() as f64,
                        );
                    }
                    if d0.n_nodes > 1 {
                        let stale = ctr.stale_reads - w.stale_reads;
                        put("stale_reads", stale as f64);
                        put("stale_read_ratio", ratio(stale, reads));
                        let mut lag = crate::metrics::LatencyHist::new();
                        shards.iter().for_each(|d| lag.merge(&d.lag_hist));
                        let lag = lag.summary();
                        put("lag_ms_mean", lag.mean.unwrap_or(0.0));
                        put("lag_ms_p99", lag.p99.unwrap_or(0.0));
                        let active = &shards[..router.active as usize];
                        let primaries: f64 = active
                            .iter()
                            .map(|d| node_util(d.first_node + d.primary, c.workers))
                            .sum();
                        put("primary_utilization", primaries / active.len() as f64);
                        let replicas: f64 = active
                            .iter()
                            .flat_map(|d| {
                                (0..d.n_nodes)
                                    .filter(|&j| j != d.primary)
                                    .map(|j| node_util(d.first_node + j, c.workers))
                            })
                            .sum();
                        put(
                            "replica_utilization",
                            replicas / (active.len() as f64 * f64::from(d0.n_nodes - 1)),
                        );
                    }
                    if total > 1 {
                        put("shards", f64::from(router.active));
                        for (s, d) in shards.iter().enumerate().take(router.active as usize) {
                            put(&format!("shard{s}_requests"), d.hist.count() as f64);
                            let busy: f64 = (0..d.n_nodes)
                                .map(|j| node_util(d.first_node + j, c.workers))
                                .sum();
                            put(
                                &format!("shard{s}_utilization"),
                                busy / f64::from(d.n_nodes),
                            );
                            put(
                                &format!("shard{s}_p99_ms"),
                                d.hist.summary().p99.unwrap_or(0.0),
                            );
                            put(&format!("shard{s}_failed"), d.failed as f64);
                        }
                    }
                    if ctr.reshards > 0 {
                        put("reshards", ctr.reshards as f64);
                        put("keys_moved", ctr.keys_moved as f64);
                        put(
                            "keys_moved_fraction",
                            ctr.keys_moved as f64
                                / (ctr.reshards as f64 * router.key_space() as f64),
                        );
                    }
                    if self.migs.iter().any(|m| m.comp as usize == i) {
                        put("migration_keys", ctr.migration_keys as f64);
                        put(
                            "migration_s",
                            (ctr.migration_ns + self.migration_running_ns(i)) as f64 / 1e9,
                        );
                        put("migration_pending", self.migration_pending(i) as f64);
                    }
                }
                Role::Queue { q } => {
                    let qn = &self.queues[*q as usize];
                    for (k, v) in [
                        ("published", ctr.published - w.published),
                        ("dropped", ctr.dropped - w.dropped),
                        ("delivered", ctr.delivered - w.delivered),
                        ("redelivered", ctr.redelivered - w.redelivered),
                        ("duplicates", ctr.duplicates - w.duplicates),
                        ("acked", ctr.acked - w.acked),
                        ("dead_lettered", ctr.dead_lettered - w.dead_lettered),
                    ] {
                        put(k, v as f64);
                    }
                    let area = qn.backlog_area - self.warm.backlog_area[*q as usize];
                    put("backlog_mean", area as f64 / measured_ns);
                    put("backlog_max", qn.backlog_max as f64);
                    put("backlog_end", qn.ready.len() as f64);
                    // Jobs delivered (or on their way to a worker) and not yet back; a
                    // delivery given up on by the visibility timeout is not counted twice.
                    let qnode = c.first_node;
                    let jobs = self
                        .reqs
                        .iter_live()
                        .filter(|r| !r.orphan && r.bottom().is_some_and(|f| f.node == qnode))
                        .count();
                    put(
                        "in_delivery_end",
                        jobs.saturating_sub(qn.ready.len()) as f64,
                    );
                }
                Role::Cache { cache, .. } | Role::Cdn { cache, .. } => {
                    let cn = &self.caches[*cache as usize];
                    let hits = ctr.hits - w.hits;
                    let lookups = hits + ctr.misses - w.misses;
                    let arrivals = ctr.arrivals - w.arrivals;
                    put("hit_ratio", ratio(hits, lookups));
                    put("hits", hits as f64);
                    put("misses", (ctr.misses - w.misses) as f64);
                    put("evictions", (ctr.evictions - w.evictions) as f64);
                    put("expirations", (ctr.expirations - w.expirations) as f64);
                    let offload = if matches!(c.role, Role::Cdn { .. }) {
                        "origin_offload"
                    } else {
                        "offload"
                    };
                    put(offload, ratio(hits, arrivals));
                    if cn.backing_db.is_some() {
                        let stale = ctr.stale_hits - w.stale_hits;
                        put("stale_hits", stale as f64);
                        put("stale_hit_ratio", ratio(stale, hits));
                    }
                    if matches!(c.role, Role::Cache { .. }) {
                        put(
                            "invalidations",
                            (ctr.invalidations - w.invalidations) as f64,
                        );
                    }
                    let ci = *cache as usize;
                    for (k, name) in self.class_names.iter().enumerate() {
                        let l = cn.class_lookups[k] - self.warm.class_lookups[ci][k];
                        if l > 0 {
                            let h = cn.class_hits[k] - self.warm.class_hits[ci][k];
                            put(&format!("hit_ratio_{name}"), ratio(h, l));
                        }
                    }
                }
                _ => {}
            }
            components.insert(
                c.name.clone(),
                ComponentReport {
                    kind: c.kind.to_string(),
                    instances: scaler.map_or(c.n_nodes.max(1), |sc| sc.start),
                    utilization,
                    mean_queue: a.queue as f64 / measured_ns,
                    max_queue: max_queue[i],
                    rejected: a.rejected,
                    arrivals: ctr.arrivals - w.arrivals,
                    mean_in_system: present / measured_ns,
                    latency_ms: c.hist.summary(),
                    extra,
                },
            );
        }
        let mut errors_by_component = IndexMap::new();
        for (row, counts) in self.errors_by_comp.iter().enumerate() {
            let name = self.comps.get(row).map_or("client", |c| c.name.as_str());
            let by_cause: IndexMap<String, u64> = Cause::ALL
                .into_iter()
                .filter(|c| counts[*c as usize] > 0)
                .map(|c| (c.as_str().to_string(), counts[c as usize]))
                .collect();
            if !by_cause.is_empty() {
                errors_by_component.insert(name.to_string(), by_cause);
            }
        }
        let faults = self.fault_reports();
        let marks = self
            .faults
            .iter()
            .map(|f| FaultMark {
                label: f.label.clone(),
                start_s: f.at.as_secs_f64(),
                end_s: f.until.map(SimTime::as_secs_f64),
            })
            .collect();
        let offered = self.offered;
        let (regions, datacenters) = self.geo_reports();
        let scaling = (!self.scalers.is_empty()).then(|| {
            self.scale_events
                .iter()
                .map(|e| ScalingAction {
                    t_s: e.t_s,
                    group: self.comps[e.component].name.clone(),
                    action: if e.out { "out" } else { "in" },
                    active: e.active,
                    desired: e.desired,
                    changed: e.changed,
                })
                .collect()
        });
        Report {
            regions,
            scaling,
            datacenters,
            errors_by_component,
            faults,
            scenario: self.scenario_name.clone(),
            about: self.about.clone(),
            seed: self.seed,
            duration_s: self.end as f64 / 1e9,
            warmup_s: self.warmup as f64 / 1e9,
            requests: RequestCounts {
                offered,
                completed: self.completed,
                failed: self.failed,
                in_flight,
            },
            throughput_rps: self.completed as f64 / measured_s,
            availability: crate::metrics::availability(self.completed, self.failed),
            latency_ms: self.hist.summary(),
            errors,
            classes,
            components,
            bottleneck: bottleneck.map(|(_, n)| n),
            client: ClientReport {
                retries: self.retried,
                attempts_per_request: if offered > 0 {
                    self.attempts as f64 / offered as f64
                } else {
                    0.0
                },
                dns_lookups: self.dns_lookups,
            },
            engine: EngineReport {
                events: self.events,
                peak_in_flight: self.reqs.capacity_used() as u64,
                wall_s: None,
                events_per_s: None,
            },
            timeseries: TimeSeries {
                window_s: self.window.len as f64 / 1e9,
                components: self.comps.iter().map(|c| c.name.clone()).collect(),
                datacenters: self.geo.dc_names.clone(),
                kinds: self.comps.iter().map(|c| c.kind.to_string()).collect(),
                faults: marks,
                rows: std::mem::take(&mut self.window.rows),
                scaling: std::mem::take(&mut self.scale_events),
            },
            latency_cdf: self.hist.cdf(),
            traces: self.trace_records(),
        }
    }

    /// Detection, recovery and damage of each fault, from the time series.
    fn fault_reports(&self) -> Vec<FaultReport> {
        let rows = &self.window.rows;
        let win = self.window.len as f64 / 1e9;
        let end_s = self.end as f64 / 1e9;
        let starts: Vec<f64> = self.faults.iter().map(|f| f.at.as_secs_f64()).collect();
        self.faults
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let start = starts[i];
                let horizon = starts
                    .iter()
                    .copied()
                    .filter(|&t| t > start)
                    .fold(end_s, f64::min);
                let nodes = |t: Target| {
                    let c = &self.comps[t.comp];
                    match t.instance {
                        Some(k) => c.first_node + k..c.first_node + k + 1,
                        None => c.first_node..c.first_node + c.n_nodes.max(1),
                    }
                };
                let since = |t: Option<u64>| t.map(|t| t as f64 / 1e9).filter(|&t| t >= start);
                let detected = match &f.action {
                    FaultAction::Crash(t)
                    | FaultAction::Partition(t)
                    | FaultAction::Random { target: t, .. } => nodes(*t)
                        .filter_map(|n| since(self.detected[n as usize]))
                        .reduce(f64::min),
                    FaultAction::FailPrimary(comp) => since(self.promoted_at[*comp]),
                    FaultAction::FailDc(dc) => {
                        self.geo.dns.as_ref().and_then(|g| since(g.detected[*dc]))
                    }
                    FaultAction::Slow(..) | FaultAction::Flush(_) | FaultAction::AddShard(..) => {
                        None
                    }
                };
                // Baseline error rate: everything before the fault.
                let (bf, be) = rows
                    .iter()
                    .filter(|w| w.t_s + win <= start)
                    .fold((0u64, 0u64), |(f, e), w| {
                        (f + w.failed, e + w.completed + w.failed)
                    });
                let threshold = (if be > 0 { bf as f64 / be as f64 } else { 0.0 } * 2.0).max(0.01);
                let during: Vec<_> = rows
                    .iter()
                    .filter(|w| w.t_s + win > start && w.t_s < horizon)
                    .collect();
                let last_bad = during.iter().rposition(|w| w.error_rate > threshold);
                let (recovered, upto) = match last_bad {
                    None => (Some(start), start),
                    Some(k) if k + 1 == during.len() => (None, horizon),
                    Some(k) => {
                        let t = during[k].t_s + win;
                        (Some(t), t)
                    }
                };
                let failed_requests = during
                    .iter()
                    .filter(|w| w.t_s < upto.max(start + 1e-9))
                    .map(|w| w.failed)
                    .sum();
                FaultReport {
                    fault: f.label.clone(),
                    start_s: start,
                    end_s: f.until.map(SimTime::as_secs_f64),
                    detected_s: detected,
                    time_to_detect_s: detected.map(|d| d - start),
                    recovered_s: recovered,
                    time_to_recover_s: recovered.map(|r| r - start),
                    failed_requests,
                }
            })
            .collect()
    }
}
