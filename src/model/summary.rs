//! Turning a finished model into a [`Report`]: totals, per-class and per-component figures,
//! kind-specific extras. Runs once, at the end; nothing here is on the hot path.
//!
//! Component figures cover `[warmup, duration]`: time-weighted areas and counters minus
//! their snapshot at the end of warm-up.

use indexmap::IndexMap;

use super::autoscale::{NO_SCALER, Scaler};
use super::kinds::{NodeKind, Role};
use super::request::NO_PARENT;
use super::{Cause, Model, station::Areas};
use crate::engine::SimTime;
use crate::metrics::{
    ClassReport, ClientReport, ComponentReport, EngineReport, FaultMark, FaultReport, Report,
    RequestCounts, ScalingAction, TimeSeries,
};
use crate::scenario::{FaultAction, Target};

impl Model {
    /// The report of the finished run: totals, classes, components, errors, faults, the
    /// time series and traces.
    pub(crate) fn report(mut self) -> Report {
        self.flush_window();
        for sc in &mut self.scalers {
            sc.touch(self.core.now);
        }
        let measured_ns = (self.core.end - self.core.warmup) as f64;
        let measured_s = measured_ns / 1e9;
        let in_flight = self
            .core
            .reqs
            .iter_live()
            .filter(|r| r.measured && !r.client_done && r.parent == NO_PARENT)
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
                    throughput_rps: c.completed as f64 / measured_s,
                    goodput_rps: c.good as f64 / measured_s,
                    deadline_ms: (c.deadline != u64::MAX).then(|| c.deadline as f64 / 1e6),
                    latency_ms: c.hist.summary(),
                },
            );
        }
        let (components, bottleneck) = self.component_reports(measured_ns);
        let mut errors_by_component = IndexMap::new();
        for (row, counts) in self.errors_by_comp.iter().enumerate() {
            let name = self
                .core
                .comps
                .get(row)
                .map_or("client", |c| c.name.as_str());
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
                    group: self.core.comps[e.component].name.clone(),
                    action: if e.out { "out" } else { "in" },
                    active: e.active,
                    desired: e.desired,
                    changed: e.changed,
                })
                .collect()
        });
        let cost = self.ledger(measured_ns, self.completed);
        Report {
            regions,
            scaling,
            datacenters,
            errors_by_component,
            faults,
            scenario: self.scenario_name.clone(),
            about: self.about.clone(),
            seed: self.seed,
            duration_s: self.core.end as f64 / 1e9,
            warmup_s: self.core.warmup as f64 / 1e9,
            requests: RequestCounts {
                offered,
                completed: self.completed,
                failed: self.failed,
                in_flight,
            },
            throughput_rps: self.completed as f64 / measured_s,
            goodput_rps: self.good as f64 / measured_s,
            availability: crate::metrics::availability(self.completed, self.failed),
            latency_ms: self.hist.summary(),
            errors,
            classes,
            components,
            bottleneck: bottleneck.map(|(_, n)| n),
            cost,
            analytic_availability: None,
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
                // Timers the queue dropped unfired count as the events they were.
                events: self.events + self.core.queue.dropped(),
                peak_in_flight: self.core.reqs.capacity_used() as u64,
                wall_s: None,
                events_per_s: None,
            },
            timeseries: TimeSeries {
                window_s: self.window.len as f64 / 1e9,
                components: self.core.comps.iter().map(|c| c.name.clone()).collect(),
                datacenters: self.core.geo.dc_names.clone(),
                kinds: self.core.comps.iter().map(|c| c.kind.to_string()).collect(),
                faults: marks,
                rows: std::mem::take(&mut self.window.rows),
                scaling: std::mem::take(&mut self.scale_events),
            },
            latency_cdf: self.hist.cdf(),
            traces: self.trace_records(),
        }
    }

    /// Per-node station areas since warm-up (`None`: not a station), their sums per
    /// component, and each component's largest waiting room.
    fn station_areas(&self) -> (Vec<Option<Areas>>, Vec<Areas>, Vec<u64>) {
        let node_areas: Vec<Option<Areas>> = self
            .core
            .nodes
            .iter()
            .map(|n| match n.kind {
                NodeKind::Station(s, _) => Some(
                    self.core.stations[s as usize]
                        .acc
                        .minus(&self.warm.stations[s as usize]),
                ),
                _ => None,
            })
            .collect();
        let mut per_comp = vec![Areas::default(); self.core.comps.len()];
        let mut max_queue = vec![0u64; self.core.comps.len()];
        for (ni, node) in self.core.nodes.iter().enumerate() {
            if let (Some(d), NodeKind::Station(s, _)) = (node_areas[ni], node.kind) {
                let a = &mut per_comp[node.comp as usize];
                a.busy += d.busy;
                a.queue += d.queue;
                a.present += d.present;
                a.arrivals += d.arrivals;
                a.rejected += d.rejected;
                let mq = &mut max_queue[node.comp as usize];
                *mq = (*mq).max(self.core.stations[s as usize].max_queue);
            }
        }
        (node_areas, per_comp, max_queue)
    }

    /// Each component's report, and the bottleneck (the highest utilization).
    fn component_reports(
        &self,
        measured_ns: f64,
    ) -> (IndexMap<String, ComponentReport>, Option<(f64, String)>) {
        let (node_areas, per_comp, max_queue) = self.station_areas();
        // Over the measured time the node existed: a shard added during the run counts
        // from its `add_shard` on.
        let (warmup, end) = (self.core.warmup, self.core.end);
        let node_util = |ni: u32, workers: u32| {
            let span = match self.core.nodes[ni as usize].kind.db() {
                Some(d) if self.kinds.dbs[d as usize].born > 0 => {
                    self.kinds.dbs[d as usize].exists_during(warmup, end) as f64
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
        for (i, c) in self.core.comps.iter().enumerate() {
            let a = &per_comp[i];
            let ctr = &c.ctr;
            let w = &self.warm.ctr[i];
            let scaler = match self.comp_scaler[i] {
                NO_SCALER => None,
                k => Some(&self.scalers[k as usize]),
            };
            let grown = self.grown_node_time(i, self.core.warmup, self.core.end);
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
            if let Some(sc) = scaler {
                scaler_extras(sc, &mut extra, measured_ns);
            }
            if let Role::Server(g) = c.role {
                self.admission_extras(i, g, &mut extra);
            }
            match c.role {
                Role::Server(g) => {
                    if self.kinds.servers[g as usize].local.is_some() {
                        self.server_extras(i, &mut extra);
                    }
                    self.call_extras(g, &mut extra);
                }
                Role::Database(route) => self.db_extras(i, route, &mut extra, node_util),
                Role::Queue(q) => self.queue_extras(i, q, &mut extra, measured_ns),
                Role::Cache(cache) | Role::Cdn(cache) => self.cache_extras(i, cache, &mut extra),
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
        (components, bottleneck)
    }

    /// Detection, recovery and damage of each fault, from the time series.
    fn fault_reports(&self) -> Vec<FaultReport> {
        let rows = &self.window.rows;
        let win = self.window.len as f64 / 1e9;
        let end_s = self.core.end as f64 / 1e9;
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
                    let c = &self.core.comps[t.comp];
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
                    FaultAction::FailDc(dc) => self
                        .core
                        .geo
                        .dns
                        .as_ref()
                        .and_then(|g| since(g.detected[*dc])),
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

/// Report extras of an autoscaled group: its instance counts and scaling actions.
fn scaler_extras(sc: &Scaler, extra: &mut IndexMap<String, f64>, measured_ns: f64) {
    let mut put = |k: &str, v: f64| {
        extra.insert(k.to_string(), v);
    };
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
